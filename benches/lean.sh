#!/usr/bin/env bash
# The lean build against the full one: binary size and `agentc lint` whole-process time of
# each, beside `agentc --version` (process start-up only), with hyperfine (-N, no shell).
# Usage: benches/lean.sh [LEAN_BIN [FULL_BIN]]
#   default LEAN_BIN: built here with `cargo build --release --locked --no-default-features`
#   (into target/lean); FULL_BIN is optional (a full release build takes ~30 min on 2 cores).
# The cold install times in BENCHMARKS.md ("Lean build") come from:
#   cargo install --locked --path . [--no-default-features] --root DIR --target-dir EMPTY_DIR
set -euo pipefail
cd "$(dirname "$0")/.."
lean="${1:-}"
full="${2:-}"
if [ -z "$lean" ]; then
  nice -n 19 cargo build --release --locked --no-default-features --quiet --target-dir target/lean
  lean=target/lean/release/agentc
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export AGENTC_CACHE_DIR="$work/cache"
ls -l "$lean" ${full:+"$full"} | awk '{printf "%s: %.1f MB\n", $NF, $5 / 1e6}'
args=(--warmup 10 --min-runs 200 -N --export-markdown "$work/lean.md"
  --command-name 'lean: agentc --version' "$lean --version"
  --command-name 'lean: agentc lint agents/infra-assistant.yaml' "$lean lint agents/infra-assistant.yaml"
  --command-name 'lean: agentc lint agents/' "$lean lint agents/")
if [ -n "$full" ]; then
  args+=(--command-name 'full: agentc --version' "$full --version"
    --command-name 'full: agentc lint agents/infra-assistant.yaml' "$full lint agents/infra-assistant.yaml")
fi
hyperfine "${args[@]}"
cat "$work/lean.md"
