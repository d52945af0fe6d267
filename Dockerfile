# syntax=docker/dockerfile:1
# `agentc serve` in a container: the InvokeAgent API in front of the direct runtime
# (docs/serve-deploy.md). Build from the repository root:
#
#   docker build -t agentc-serve .
#   docker run -p 8787:8787 -v "$PWD/agents:/agents:ro" \
#     -v "$PWD/keys:/run/agentc/credentials:ro" -e AWS_REGION=us-east-1 agentc-serve
#
# The image holds no spec and no secret: mount the specs at /agents and the credentials file
# (`ACCESS_KEY_ID SECRET_ACCESS_KEY` lines, not world-readable) at /run/agentc/credentials.

# Build: only the features the server needs (no Bedrock Agents deploy client, no harness).
FROM rust:1.95-bookworm AS build
WORKDIR /src
COPY . .
RUN cargo build --release --locked --no-default-features --features serve \
    && install -D -m 0755 target/release/agentc /out/agentc

# Run: a slim Debian with the CA roots (Bedrock, DynamoDB and Lambda are called over TLS) and
# curl for the health check; no compiler, no sources.
FROM debian:bookworm-slim
# hadolint ignore=DL3008
RUN apt-get update \
    && apt-get install -y --no-install-recommends ca-certificates curl \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --system --uid 10001 --home-dir /var/lib/agentc --create-home agentc \
    && mkdir -p /agents /run/agentc \
    && chown agentc:agentc /run/agentc \
    && chmod 0700 /run/agentc
COPY --from=build /out/agentc /usr/local/bin/agentc
USER 10001:10001
# The SQLite session store of a single replica (.agentc/sessions.db) lands here; a fleet
# passes `--sessions dynamodb://TABLE` instead.
WORKDIR /var/lib/agentc
# Where an orchestrator writes the credentials file (an ECS task volume takes this owner and
# mode from the image, so the non-root user can write and read it there).
VOLUME ["/run/agentc"]
EXPOSE 8787
# Keep in step with CMD's --listen port.
HEALTHCHECK --interval=15s --timeout=3s --start-period=10s --retries=3 \
    CMD ["curl", "--fail", "--silent", "--max-time", "2", "http://127.0.0.1:8787/healthz"]
# SIGTERM: finish turns in flight, refuse new ones, exit 0 (what ECS and Kubernetes send).
STOPSIGNAL SIGTERM
ENTRYPOINT ["agentc", "serve"]
CMD ["/agents", "--listen", "0.0.0.0:8787", "--credentials", "/run/agentc/credentials"]
