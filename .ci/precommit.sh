#!/usr/bin/env bash
# The wheel and the pre-commit hooks, through pip and the real pre-commit framework:
# 1. the wheel (pyproject.toml: maturin, `bindings = "bin"`, lean, locked) is built from the
#    checkout, installed into a fresh venv with `--no-index`, and run: it lints `agents/`
#    clean, and a network command answers that this build leaves it out (it is the lean one);
# 2. `pre-commit try-repo` of each hook on a throwaway git repository holding a clean spec, a
#    broken spec and a CI workflow file that is not a spec: `agentc-lint` (language: python,
#    so pre-commit runs `pip install .` in its clone: maturin, then cargo) and
#    `agentc-lint-system` (the wheel's `agentc` on PATH). Each must fail on the broken spec
#    only, naming its file, line and column.
#
# One lean release build of the dependencies serves all of it: the wheel and the hook's own
# `pip install .` share CARGO_TARGET_DIR, so the hook rebuilds only agentc itself (its clone
# is another path). Needs pip (pre-commit and
# maturin come from PyPI when missing; maturin is fetched once, then pip runs offline) and the
# cargo registry cache the main build filled (cargo runs offline). The hooks are built from a
# commit (AGENTC_HOOK_REF, default HEAD): uncommitted changes are in the wheel, not the hooks.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
elapsed() { echo "($1: $(( $(date +%s) - $2 )) s)"; }

if command -v pre-commit >/dev/null 2>&1; then
  pre_commit=(pre-commit)
else
  python3 -m venv "$work/tools"
  "$work/tools/bin/pip" install --quiet pre-commit
  pre_commit=("$work/tools/bin/pre-commit")
fi
# maturin once into a local wheel directory; every build below installs it from there.
python3 -m pip download --quiet --dest "$work/wheels" 'maturin>=1.9,<2.0'
export PIP_FIND_LINKS="$work/wheels" PIP_NO_INDEX=1 PIP_DISABLE_PIP_VERSION_CHECK=1
# maturin runs `cargo metadata`, which needs every platform's crates (e.g. Windows-only
# anstyle-wincon) in the cache; the builds above fetched only this platform's. Fetch them all
# once, then cargo runs offline.
(cd "$root" && cargo fetch --locked --quiet)
export CARGO_NET_OFFLINE=true
export CARGO_TARGET_DIR="${AGENTC_WHEEL_TARGET_DIR:-$root/target/wheel}"

# 1. The wheel, from the checkout, into a fresh venv without an index.
start=$(date +%s)
python3 -m pip wheel --quiet --no-deps --wheel-dir "$work/dist" "$root"
elapsed "wheel build" "$start"
wheel="$(ls "$work/dist"/agentc_bedrock-*.whl)"
echo "built $(basename "$wheel") ($(du -k "$wheel" | cut -f1) KiB)"
python3 -m venv "$work/venv"
"$work/venv/bin/pip" install --quiet --no-index --find-links "$work/dist" agentc-bedrock
agentc="$work/venv/bin/agentc"
"$agentc" --version
(cd "$root" && "$agentc" lint agents/)
set +e
refused="$("$agentc" run "$root/agents/infra-assistant.yaml" hello 2>&1)"
status=$?
set -e
if [ "$status" -ne 2 ] || ! grep -qF "needs the \`direct\` feature" <<<"$refused"; then
  echo "expected the wheel's agentc to refuse \`run\` (lean build), got $status: $refused" >&2
  exit 1
fi
echo "wheel: ok"

# 2. The hooks, on a throwaway repository.
ref="${AGENTC_HOOK_REF:-$(git -C "$root" rev-parse HEAD)}"
repo="$work/repo"
mkdir -p "$repo/.github/workflows"
cd "$repo"
git init --quiet
git config user.email ci@example.invalid
git config user.name ci
cp "$root/agents/infra-assistant.yaml" spec.yaml
cat > broken.yaml <<'YAML'
agentc: 1
name: infra-assistant
descripton: Answers questions about infrastructure health.
model: amazon.nova-pro-v1:0
instruction: Use tools to answer questions accurately. Never modify resources.
YAML
cat > .github/workflows/ci.yml <<'YAML'
on: push
jobs:
  test:
    runs-on: ubuntu-latest
    steps: [{run: echo hi}]
YAML
git add -A

try_hook() {
  local hook="$1" start output status
  start=$(date +%s)
  set +e
  output="$("${pre_commit[@]}" try-repo --ref "$ref" "$root" "$hook" \
    --files spec.yaml broken.yaml .github/workflows/ci.yml 2>&1)"
  status=$?
  set -e
  echo "$output"
  elapsed "try-repo $hook" "$start"
  if [ "$status" -ne 1 ]; then
    echo "$hook: expected the hook to fail with status 1 on broken.yaml, got $status" >&2
    exit 1
  fi
  for expected in "broken.yaml:3:1" "unknown-key" "did you mean \`description\`?" "1 error"; do
    if ! grep -qF -- "$expected" <<<"$output"; then
      echo "$hook: expected \`$expected\` in the hook's output" >&2
      exit 1
    fi
  done
  # The clean spec has no findings, and the workflow file is skipped (`--only-specs`).
  for unexpected in "spec.yaml:" "ci.yml"; do
    if grep -qF -- "$unexpected" <<<"$output"; then
      echo "$hook: did not expect \`$unexpected\` in the hook's output" >&2
      exit 1
    fi
  done
  echo "$hook: ok"
}
# pre-commit keeps its hook environments here; a fresh one makes `agentc-lint` install itself.
export PRE_COMMIT_HOME="$work/pre-commit-home"
try_hook agentc-lint
PATH="$work/venv/bin:$PATH" try_hook agentc-lint-system
