#!/usr/bin/env bash
# Benchmark `agentc run` against the plain boto3 loop, both against the same local fake
# Converse server (zero model latency). One request = two model calls (tool_use, then
# end_turn) with one tool call in between (an HTTP tool on the same server).
# In the same hyperfine run, `agentc run --target agents` of one request against a local fake
# InvokeAgent (benches/fake_invoke_agent.py: one model call's traces and two chunks), and
# `--target harness` against the same fake's InvokeHarness (one model call's stream).
#
#   cargo build --release && benches/run_loop.sh
#
# Needs hyperfine and python3 with boto3. Prints a Markdown table (docs/direct.md has the
# committed results). AGENTC=path overrides the binary; RUNS the number of runs.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
AGENTC=${AGENTC:-$root/target/release/agentc}
RUNS=${RUNS:-60}
LONG_RUNS=${LONG_RUNS:-15}
LONG_ROUNDS=${LONG_ROUNDS:-50}  # max_iterations allows at most 100
work=$(mktemp -d)
pids=()
cleanup() { for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done; rm -rf "$work"; }
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
start_server() { # port rounds
    python3 "$root/benches/fake_converse.py" "$1" "$2" & pids+=($!)
    for _ in $(seq 100); do python3 -c "import socket; socket.create_connection(('127.0.0.1',$1))" 2>/dev/null && return; sleep 0.05; done
    echo "fake server on port $1 did not start" >&2; exit 1
}
write_spec() { # file port
    cat > "$1" <<YAML
agentc: 1
name: bench
model: amazon.nova-lite-v1:0
instruction: You tell the time. Call get_time and answer with the time it returns.
action_groups:
  - name: clock
    executor: return_control
    functions:
      - name: get_time
        description: The current time in a time zone.
        parameters:
          zone: {type: string, description: IANA time zone name.}
targets:
  agents:
    role_arn: arn:aws:iam::123456789012:role/bench
  harness:
    role_arn: arn:aws:iam::123456789012:role/bench
  direct:
    max_iterations: $((LONG_ROUNDS + 1))
    handlers:
      get_time:
        http: http://127.0.0.1:$2/tool
YAML
}

agents_port=$(free_port)
python3 "$root/benches/fake_invoke_agent.py" "$agents_port" & pids+=($!)
short_port=$(free_port); start_server "$short_port" 1
long_port=$(free_port); start_server "$long_port" "$LONG_ROUNDS"
write_spec "$work/short.yaml" "$short_port"
write_spec "$work/long.yaml" "$long_port"
"$AGENTC" compile "$work/short.yaml" --target direct --out "$work/config.json"

export HOME=$work AWS_CONFIG_FILE=$work/none AWS_SHARED_CREDENTIALS_FILE=$work/none
export AWS_ACCESS_KEY_ID=bench AWS_SECRET_ACCESS_KEY=bench AWS_REGION=us-east-1 AWS_EC2_METADATA_DISABLED=true
cd "$work"

for _ in $(seq 100); do python3 -c "import socket; socket.create_connection(('127.0.0.1',$agents_port))" 2>/dev/null && break; sleep 0.05; done
export AWS_ENDPOINT_URL_BEDROCK_AGENT_RUNTIME=http://127.0.0.1:$agents_port
export AWS_ENDPOINT_URL_BEDROCK_AGENTCORE=http://127.0.0.1:$agents_port
harness_arn=arn:aws:bedrock-agentcore:us-east-1:123456789012:harness/bench-abcdefghij
bench() { # label port spec runs [extra hyperfine arguments]
    export AWS_ENDPOINT_URL_BEDROCK_RUNTIME=http://127.0.0.1:$2 BENCH_TOOL_URL=http://127.0.0.1:$2/tool
    hyperfine -N --warmup 3 --runs "$4" --export-json "$work/$1.json" \
        -n agentc "$AGENTC run $3 'What time is it?'" "${@:5}" \
        -n boto3 "python3 $root/benches/boto3_loop.py $work/config.json 'What time is it?'" >&2
}
bench short "$short_port" short.yaml "$RUNS" \
    -n agentc-agents "$AGENTC run short.yaml 'What time is it?' --target agents --agent-id AGENT12345 --agent-alias-id ALIAS12345" \
    -n agentc-harness "$AGENTC run short.yaml 'What time is it?' --target harness --harness-arn $harness_arn"
bench long "$long_port" long.yaml "$LONG_RUNS"
floor_us=$(python3 "$root/benches/raw_floor.py" "$short_port" 2000)

python3 - "$work" "$LONG_ROUNDS" "$floor_us" <<'PY'
import json, sys
work, rounds, floor_us = sys.argv[1], int(sys.argv[2]), float(sys.argv[3])
def medians(name):
    return {r["command"]: r["median"] * 1000 for r in json.load(open(f"{work}/{name}.json"))["results"]}
def cpu(name):  # mean user + system time: steadier than wall time on a busy machine
    return {r["command"]: (r["user"] + r["system"]) * 1000 for r in json.load(open(f"{work}/{name}.json"))["results"]}
short, long = medians("short"), medians("long")
short_cpu, long_cpu = cpu("short"), cpu("long")
cpu_slope = {k: (long_cpu[k] - short_cpu[k]) / (rounds - 1) for k in long_cpu}
print(f"| | agentc | boto3 loop |")
print(f"|---|---:|---:|")
print(f"| whole process, 1 request = 2 model calls + 1 tool call (median) | {short['agentc']:.1f} ms | {short['boto3']:.1f} ms |")
slope = {k: (long[k] - short[k]) / (rounds - 1) for k in long}
print(f"| whole process, {rounds} tool rounds = {rounds + 1} model calls (median) | {long['agentc']:.1f} ms | {long['boto3']:.1f} ms |")
print(f"| per extra round (1 model call + 1 tool call), steady state | {slope['agentc'] * 1000:.0f} µs | {slope['boto3'] * 1000:.0f} µs |")
print(f"| floor of one round: fake server + loopback, minimal raw client | {floor_us:.0f} µs | {floor_us:.0f} µs |")
print(f"| client's own time per round (per extra round − floor) | {slope['agentc'] * 1000 - floor_us:.0f} µs | {slope['boto3'] * 1000 - floor_us:.0f} µs |")
print(f"| CPU time (user + system, mean), whole process, 1 request | {short_cpu['agentc']:.1f} ms | {short_cpu['boto3']:.1f} ms |")
print(f"| CPU time per extra round (1 model call + 1 tool call) | {cpu_slope['agentc'] * 1000:.0f} µs | {cpu_slope['boto3'] * 1000:.0f} µs |")
print()
print("| one request, whole process (median, same hyperfine run) | median | boto3 loop ÷ this |")
print("|---|---:|---:|")
for name, label in [("agentc", "agentc run --target direct"), ("agentc-agents", "agentc run --target agents"), ("agentc-harness", "agentc run --target harness"), ("boto3", "boto3 loop (baseline)")]:
    if name in short:
        print(f"| {label} | {short[name]:.1f} ms | {short['boto3'] / short[name]:.1f}× |")
PY
