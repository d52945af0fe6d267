#!/usr/bin/env bash
# The pre-commit hook, tested with the real pre-commit framework: `pre-commit try-repo` builds
# this repository's `agentc-lint` hook (language: rust, so `cargo install --path .` into
# pre-commit's cache) and runs it on a throwaway git repository holding a clean spec, a broken
# spec and a CI workflow file that is not a spec.
#
# Needs only pip (to install pre-commit if it is missing) and the cargo registry cache the
# main build already filled: cargo runs offline. The first run compiles agentc in release mode
# (minutes); set PRE_COMMIT_HOME to a kept directory to reuse that build across runs.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

if command -v pre-commit >/dev/null 2>&1; then
  pre_commit=(pre-commit)
else
  python3 -m venv "$work/venv"
  "$work/venv/bin/pip" install --quiet pre-commit
  pre_commit=("$work/venv/bin/pre-commit")
fi
export PRE_COMMIT_HOME="${PRE_COMMIT_HOME:-$work/pre-commit-home}"
export CARGO_NET_OFFLINE=true
# pre-commit builds in its own checkout; a CARGO_TARGET_DIR from the environment would mix
# that build with the developer's.
unset CARGO_TARGET_DIR

repo="$work/repo"
mkdir -p "$repo/.github/workflows"
cd "$repo"
git init --quiet
git config user.email ci@example.invalid
git config user.name ci
cp "$root/agents/infra-assistant.yaml" spec.yaml
cat > broken.yaml <<'EOF'
agentc: 1
name: infra-assistant
descripton: Answers questions about infrastructure health.
model: amazon.nova-pro-v1:0
instruction: Use tools to answer questions accurately. Never modify resources.
EOF
cat > .github/workflows/ci.yml <<'EOF'
on: push
jobs:
  test:
    runs-on: ubuntu-latest
    steps: [{run: echo hi}]
EOF
git add -A

echo "== a clean spec and a workflow file pass"
start=$(date +%s)
"${pre_commit[@]}" try-repo "$root" agentc-lint --files spec.yaml .github/workflows/ci.yml
echo "(first run, including the hook's release build: $(( $(date +%s) - start )) s)"

echo "== a broken spec fails, with its location"
set +e
output="$("${pre_commit[@]}" try-repo "$root" agentc-lint --files spec.yaml broken.yaml 2>&1)"
status=$?
set -e
echo "$output"
if [ "$status" -ne 1 ]; then
  echo "expected pre-commit to fail with status 1, got $status" >&2
  exit 1
fi
for expected in "broken.yaml:3:1" "unknown-key" "did you mean \`description\`?"; do
  if ! grep -qF -- "$expected" <<<"$output"; then
    echo "expected \`$expected\` in the hook's output" >&2
    exit 1
  fi
done
echo "pre-commit hook: ok"
