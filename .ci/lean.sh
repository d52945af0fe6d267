#!/usr/bin/env bash
# The lean build (`--no-default-features`, docs/architecture.md "Features"): clippy and the
# tests that run without a network feature, then the proof that it has no network code: its
# normal dependency tree must hold no AWS crate, no async runtime, no HTTP stack and no TLS.
# A failure names each offending crate and the chain of crates that pulls it in.
set -euo pipefail
cd "$(dirname "$0")/.."

cargo clippy --locked --no-default-features --all-targets -- -D warnings
cargo test --locked --no-default-features

.ci/lean-tree.sh
