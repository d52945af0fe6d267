#!/usr/bin/env bash
# CI for the CloudFormation exports: compile every example spec that has a `targets.agents`
# section to an AWS::Bedrock::Agent template, and every one with `targets.harness` to an
# AWS::BedrockAgentCore::Harness template, and validate them with cfn-lint.
# Expects ./target/debug/agentc to be built (.ci/run builds it first).
set -euo pipefail
cd "$(dirname "$0")/.."

# 1.58 bundles the AWS::BedrockAgentCore::Harness schema (1.51 does not know the type).
python3 -m pip install --quiet --disable-pip-version-check 'cfn-lint>=1.58,<2'
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
harness=0
for spec in agents/*.yaml tests/fixtures/harness/*.yaml; do
  # Only specs with the harness role (targets.harness).
  if ! grep -qE '^  harness:' "$spec"; then
    continue
  fi
  name="harness-$(basename "$(dirname "$spec")")-$(basename "$spec" .yaml)"
  ./target/debug/agentc compile "$spec" --target harness --format cloudformation --out "$out/$name.json"
  harness=$((harness + 1))
done
if [ "$harness" -eq 0 ]; then
  echo "agents.sh: no spec with targets.harness under agents/ or tests/fixtures/harness/" >&2
  exit 1
fi
checked=$((checked + harness))
cfn-lint --regions us-east-1 -- "$out"/*.json
echo "cfn-lint: $checked CloudFormation export(s) valid"
