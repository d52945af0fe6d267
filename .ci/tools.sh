#!/usr/bin/env bash
# The Python tools `cargo test` itself needs under CI (tests/integration/support/external.rs
# fails a test whose tool is missing), installed before the tests run: moto's
# DynamoDB-compatible server (direct_dynamodb, serve_ops) and cfn-lint, whose 1.58 is the
# first to bundle the AWS::BedrockAgentCore::Harness schema (harness_compile; an older
# cfn-lint already on the machine fails that test with E3006).
set -euo pipefail
python3 -m pip install --quiet --disable-pip-version-check 'moto[server]>=5,<6' 'cfn-lint>=1.58,<2'
# Make the new console scripts visible through pyenv's shims, where pyenv is in use.
if command -v pyenv >/dev/null 2>&1; then pyenv rehash || true; fi
moto_server --help >/dev/null
cfn-lint --version
