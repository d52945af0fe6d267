#!/usr/bin/env bash
# CI for the agents target's CloudFormation export: compile every example spec that has a
# `targets.agents` section to an AWS::Bedrock::Agent template and validate it with cfn-lint.
# Expects ./target/debug/agentc to be built (.ci/run builds it first).
set -euo pipefail
cd "$(dirname "$0")/.."

python3 -m pip install --quiet --disable-pip-version-check 'cfn-lint>=1,<2'
# Make the new console scripts visible through pyenv's shims, where pyenv is in use.
if command -v pyenv >/dev/null 2>&1; then pyenv rehash || true; fi

out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT
checked=0
for spec in agents/*.yaml tests/fixtures/agents/spec.yaml; do
  # Only specs deployable as a Bedrock Agent (they name the role under targets.agents).
  if ! grep -qE '^  agents:' "$spec"; then
    continue
  fi
  name="$(basename "$(dirname "$spec")")-$(basename "$spec" .yaml)"
  ./target/debug/agentc compile "$spec" --target agents --format cloudformation --out "$out/$name.json"
  checked=$((checked + 1))
done
if [ "$checked" -eq 0 ]; then
  echo "agents.sh: no spec with targets.agents under agents/" >&2
  exit 1
fi
cfn-lint --regions us-east-1 -- "$out"/*.json
echo "cfn-lint: $checked CloudFormation export(s) valid"
