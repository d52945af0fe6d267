#!/usr/bin/env bash
# Benchmark `agentc plan --target agents` of an unchanged agent with 3 action groups, a
# knowledge base and an alias (tests/fixtures/agents/spec.yaml) against the tests' fake
# bedrock-agent server on 127.0.0.1, release build, hyperfine. Reports the fake's own handler
# time per plan, so what agentc adds over the service's response time can be read off.
# Usage: benches/plan.sh            (needs hyperfine: apt-get install -y hyperfine)
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --quiet --bin agentc --example fake_bedrock_agent
bin="$PWD/target/release/agentc"
work=$(mktemp -d)
coproc FAKE { ./target/release/examples/fake_bedrock_agent; }
trap 'exec {FAKE[1]}>&-; rm -rf "$work"' EXIT
read -r endpoint <&"${FAKE[0]}"
stats() { echo stats >&"${FAKE[1]}"; read -r busy_us requests <&"${FAKE[0]}"; echo "$busy_us $requests"; }

cp tests/fixtures/agents/* "$work/"
export AWS_ENDPOINT_URL_BEDROCK_AGENT="$endpoint" AWS_EC2_METADATA_DISABLED=true \
  AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test AWS_REGION=us-east-1 \
  AWS_CONFIG_FILE="$work/none" AWS_SHARED_CREDENTIALS_FILE="$work/none" NO_COLOR=1
unset AWS_PROFILE
cd "$work"
"$bin" deploy spec.yaml --target agents --auto-approve >/dev/null
"$bin" plan spec.yaml --detailed-exitcode >/dev/null # exit 0: no changes

read -r busy_before requests_before < <(stats)
hyperfine --warmup 5 --min-runs 50 -N --export-json "$work/plan.json" --export-markdown "$work/plan.md" \
  --command-name 'baseline: agentc --version' "$bin --version" \
  --command-name 'agentc plan (unchanged agent, 3 action groups)' "$bin plan spec.yaml --target agents --detailed-exitcode"
read -r busy_after requests_after < <(stats)
cat "$work/plan.md"
python3 - "$work/plan.json" "$busy_before" "$busy_after" "$requests_before" "$requests_after" <<'PY'
import json, statistics, sys
results = json.load(open(sys.argv[1]))["results"]
busy = int(sys.argv[3]) - int(sys.argv[2])
requests = int(sys.argv[5]) - int(sys.argv[4])
plans = len(results[1]["times"]) + 5  # measured runs + warm-up runs
base, plan = (statistics.median(r["times"]) * 1000 for r in results)
fake = busy / 1000 / plans
print(f"\nper plan: {requests / plans:.1f} API calls; the fake's handler time {fake:.2f} ms")
print(f"agentc plan median {plan:.1f} ms = {plan / base:.1f}x the --version baseline ({base:.1f} ms);"
      f" added over the fake's response time: {plan - fake:.1f} ms (target <= 50 ms)")
PY
