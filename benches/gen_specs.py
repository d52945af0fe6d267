"""Write N distinct, valid agent specs (variants of agents/infra-assistant.yaml) into a folder.

Usage: python3 benches/gen_specs.py OUT_DIR [N] [--long]

With --long, each function description is long enough that the tool definitions exceed the
byte bound, so every spec is really tokenized (the worst case for `tool-definitions-over-budget`).
"""

import pathlib
import sys

TEMPLATE = """agentc: 1
name: bench-agent-{i}
description: Benchmark agent number {i}.
model: amazon.nova-pro-v1:0
instruction: |
  You are infrastructure assistant number {i} for the {{{{ environment }}}} account.
  Use tools to answer questions accurately. Never modify resources.
vars:
  environment: production
action_groups:
  - name: database
    description: Read-only access to database {i}.
    executor:
      lambda: arn:aws:lambda:us-east-1:123456789012:function:query-database-{i}
    functions:
      - name: query_database
        description: Execute a read-only SQL query against database {i}.{extra}
        parameters:
          query:
            type: string
            description: SQL SELECT statement.
            required: true
  - name: status
    description: Service health checks.
    executor: return_control
    functions:
      - name: get_service_status
        description: Get current health status of service {i}.
        parameters:
          service_name:
            type: string
            description: Name of the service or ECS task.
            required: true
targets:
  agents:
    role_arn: arn:aws:iam::123456789012:role/AmazonBedrockExecutionRoleForAgents_bench
    alias: live
"""


def main() -> None:
    args = [a for a in sys.argv[1:] if a != "--long"]
    long = "--long" in sys.argv
    out = pathlib.Path(args[0])
    count = int(args[1]) if len(args) > 1 else 1000
    out.mkdir(parents=True, exist_ok=True)
    for i in range(count):
        extra = (
            f" Use it for questions about tables, row counts and recent changes in database {i};"
            " prefer narrow SELECT statements with explicit columns and a LIMIT clause."
            if long
            else ""
        )
        (out / f"agent-{i:04d}.yaml").write_text(TEMPLATE.format(i=i, extra=extra))


if __name__ == "__main__":
    main()
