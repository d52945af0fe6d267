#!/usr/bin/env bash
# Benchmark `agentc cost` on the infra example: whole process, release build, hyperfine.
# Usage: benches/cost.sh            (needs hyperfine: apt-get install -y hyperfine)
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --quiet
bin=./target/release/agentc
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export AGENTC_CACHE_DIR="$work/cache"
hyperfine --warmup 5 --min-runs 50 -N --export-markdown "$work/cost.md" \
  --command-name 'baseline: agentc --version' "$bin --version" \
  --command-name 'cost infra-assistant (token cache warm)' "$bin cost agents/infra-assistant.yaml" \
  --command-name 'cost infra-assistant (no token cache)' "$bin cost --no-cache agents/infra-assistant.yaml" \
  --command-name 'cost infra-assistant --format json --plot' "$bin cost agents/infra-assistant.yaml --format json --plot $work/cost.svg"
cat "$work/cost.md"
