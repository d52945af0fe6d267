#!/usr/bin/env bash
# The pre-commit hook, tested with the real pre-commit framework: `pre-commit try-repo` builds
# this repository's `agentc-lint` hook (language: rust, so `cargo install --path .`) and runs it
# on a throwaway git repository holding a clean spec, a broken spec and a CI workflow file that
# is not a spec. The hook must fail on the broken spec only, naming its file, line and column.
#
# Needs only pip (to install pre-commit if it is missing) and the cargo registry cache that the
# main build already filled: cargo runs offline. try-repo keeps no cache between runs, so every
# run compiles agentc in release mode (several minutes): that is why this is one try-repo run.
# The hook is built from a commit (AGENTC_HOOK_REF, default HEAD); uncommitted changes are not
# part of the test.
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
export CARGO_NET_OFFLINE=true
# With CARGO_TARGET_DIR set, `cargo install` reuses the release build already there (a minute
# instead of many); without it, the hook is built from scratch, as for a user.
ref="${AGENTC_HOOK_REF:-$(git -C "$root" rev-parse HEAD)}"

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

start=$(date +%s)
set +e
output="$("${pre_commit[@]}" try-repo --ref "$ref" "$root" agentc-lint \
  --files spec.yaml broken.yaml .github/workflows/ci.yml 2>&1)"
status=$?
set -e
echo "$output"
echo "(try-repo including the hook's release build: $(( $(date +%s) - start )) s)"
if [ "$status" -ne 1 ]; then
  echo "expected the hook to fail with status 1 on broken.yaml, got $status" >&2
  exit 1
fi
for expected in "broken.yaml:3:1" "unknown-key" "did you mean \`description\`?" "1 error"; do
  if ! grep -qF -- "$expected" <<<"$output"; then
    echo "expected \`$expected\` in the hook's output" >&2
    exit 1
  fi
done
# The clean spec has no findings, and the workflow file is skipped (`--only-specs`).
for unexpected in "spec.yaml:" "ci.yml"; do
  if grep -qF -- "$unexpected" <<<"$output"; then
    echo "did not expect \`$unexpected\` in the hook's output" >&2
    exit 1
  fi
done
echo "pre-commit hook: ok"
