#!/usr/bin/env bash
# Fails if the lean build (`--no-default-features`, normal dependencies) contains a crate that
# talks to a network or a database: aws-*, tokio*, hyper*, rustls*, reqwest, ring, rusqlite.
# `FEATURES` checks another set instead (e.g. FEATURES=--all-features, to see the check fail).
set -euo pipefail
cd "$(dirname "$0")/.."
features="${FEATURES:---no-default-features}"
forbidden='^(aws-[a-z0-9-]+|tokio[a-z0-9-]*|hyper[a-z0-9-]*|rustls[a-z0-9-]*|reqwest|ring|rusqlite) v'
# shellcheck disable=SC2086 # $features is one or more flags
tree="$(cargo tree --locked $features -e normal --prefix none)"
offenders="$(grep -E "$forbidden" <<<"$tree" | cut -d' ' -f1 | sort -u || true)"
if [ -n "$offenders" ]; then
  echo "the lean build ($features) depends on network crates:" >&2
  for crate in $offenders; do
    echo "- $crate, through:" >&2
    # shellcheck disable=SC2086
    cargo tree --locked $features -e normal -i "$crate" --depth 3 2>&1 | sed 's/^/    /' >&2 || true
  done
  exit 1
fi
echo "lean build: $(sort -u <<<"$tree" | wc -l) crates, none of aws-*, tokio, hyper, rustls, reqwest, ring, rusqlite"
