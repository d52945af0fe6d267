"""Local handler for the `listOrders` tool of agents/orders-api.yaml (direct target).

Reads the tool input as JSON on stdin and prints the result as JSON on stdout, as
`agentc run` expects of a `command` handler. A stand-in for the real orders API.
"""

import json
import sys

ORDERS = [
    {"orderId": "WO-2024-0042", "status": "open", "lines": 3},
    {"orderId": "WO-2024-0041", "status": "picked", "lines": 1},
    {"orderId": "WO-2024-0040", "status": "shipped", "lines": 7},
]


def main() -> None:
    request = json.load(sys.stdin)
    status = request.get("status")
    limit = int(request.get("limit", 20))
    orders = [o for o in ORDERS if status is None or o["status"] == status]
    json.dump({"orders": orders[:limit]}, sys.stdout)


if __name__ == "__main__":
    main()
