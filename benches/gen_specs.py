"""Write N distinct, valid agent specs (variants of agents/infra-assistant.yaml) into a folder.

Usage: python3 benches/gen_specs.py OUT_DIR [N]
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
        description: Execute a read-only SQL query against database {i}.
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
    out = pathlib.Path(sys.argv[1])
    count = int(sys.argv[2]) if len(sys.argv) > 2 else 1000
    out.mkdir(parents=True, exist_ok=True)
    for i in range(count):
        (out / f"agent-{i:04d}.yaml").write_text(TEMPLATE.format(i=i))


if __name__ == "__main__":
    main()
