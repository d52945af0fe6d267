#!/usr/bin/env bash
# Benchmark `agentc lint` as pre-commit runs it: whole process, release build, hyperfine.
# Baseline in the same run: `agentc --version` (process start-up and nothing else).
# Usage: benches/lint.sh            (needs hyperfine: apt-get install -y hyperfine)
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --quiet
bin=./target/release/agentc
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
python3 benches/gen_specs.py "$work/specs" 1000
python3 benches/gen_specs.py "$work/long" 1000 --long
export AGENTC_CACHE_DIR="$work/cache"

hyperfine --warmup 3 --min-runs 30 -N --export-markdown "$work/one.md" \
  --command-name 'baseline: agentc --version' "$bin --version" \
  --command-name 'lint infra-assistant (token cache warm)' "$bin lint agents/infra-assistant.yaml" \
  --command-name 'lint infra-assistant (no token cache)' "$bin lint --no-cache agents/infra-assistant.yaml" \
  --command-name 'lint agents/ (3 specs)' "$bin lint agents/"
hyperfine --warmup 1 --min-runs 5 -N --export-markdown "$work/many.md" \
  --command-name 'lint 1,000 specs (2 threads)' "$bin lint --no-cache $work/specs" \
  --command-name 'lint 1,000 specs (1 thread)' "env RAYON_NUM_THREADS=1 $bin lint --no-cache $work/specs" \
  --command-name 'lint 1,000 long specs, all tokenized (2 threads)' "$bin lint --no-cache $work/long"
cat "$work/one.md" "$work/many.md"
