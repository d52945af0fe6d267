#!/bin/bash
# agentc serve against the floor, before and after a change, alternating (BENCHMARKS.md,
# "agentc serve"): closed loop and think 250 ms twice, think 1 s once.
#   cargo bench --profile profiling --no-default-features --features serve --bench serve_load --no-run
#   BENCH=target/profiling/deps/serve_load-HASH BEFORE=/path/agentc AFTER=/path/agentc benches/serve_load.sh
set -euo pipefail
: "${BENCH:?the serve_load bench binary}" "${BEFORE:?an agentc binary}" "${AFTER:?an agentc binary}"
run() { # label think floor binary
  echo "### $1 think=$2"
  SERVE_LOAD_THINK_MS=$2 SERVE_LOAD_FLOOR=$3 AGENTC_SERVE_BIN=$4 "$BENCH" 2>&1 | grep -vE "bucket|histogram"
}
for think in 0 250 0 250 1000; do
  run before "$think" 0 "$BEFORE"
  run after "$think" 0 "$AFTER"
  run floor "$think" 1 "$AFTER"
done
