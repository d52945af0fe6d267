#!/usr/bin/env bash
# Tools the direct target's tests need: moto's DynamoDB-compatible server for the DynamoDB
# session-store test (tests/integration/direct_dynamodb.rs starts it on 127.0.0.1 itself).
set -euo pipefail
if ! command -v moto_server >/dev/null 2>&1; then
    python3 -m pip install --quiet 'moto[server]'
    # Make the new console scripts visible through pyenv's shims, where pyenv is in use.
    if command -v pyenv >/dev/null 2>&1; then pyenv rehash || true; fi
fi
moto_server --help >/dev/null
