#!/usr/bin/env python3
"""A local Converse-protocol server with zero model latency, for benchmarking agentc's loop
against the plain boto3 loop. Every conversation runs ROUNDS tool rounds: the model asks for
the `get_time` tool until the conversation holds ROUNDS tool results, then ends its turn.
`POST /tool` is the tool itself (for agentc's `http` handler and the boto3 loop alike).

usage: fake_converse.py PORT ROUNDS
"""
import json
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

ROUNDS = int(sys.argv[2]) if len(sys.argv) > 2 else 1
USAGE = {"inputTokens": 100, "outputTokens": 10, "totalTokens": 110}


def reply(messages):
    results = sum(
        1
        for m in messages
        if m.get("role") == "user" and any("toolResult" in b for b in m.get("content", []))
    )
    if results < ROUNDS:
        content = [{"toolUse": {"toolUseId": f"tu-{results}", "name": "get_time", "input": {"zone": "UTC"}}}]
        stop = "tool_use"
    else:
        content = [{"text": "It is noon."}]
        stop = "end_turn"
    return {
        "output": {"message": {"role": "assistant", "content": content}},
        "stopReason": stop,
        "usage": USAGE,
        "metrics": {"latencyMs": 0},
    }


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # Headers and body go out in separate writes; without this, Nagle's algorithm and
    # delayed ACKs add 40 ms to every kept-alive request.
    disable_nagle_algorithm = True

    def do_POST(self):
        length = int(self.headers.get("Content-Length", 0))
        body = json.loads(self.rfile.read(length) or b"{}")
        if self.path == "/tool":
            answer = {"time": "12:00", "zone": body.get("zone", "UTC")}
        else:
            answer = reply(body.get("messages", []))
        data = json.dumps(answer).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args):
        pass


if __name__ == "__main__":
    ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), Handler).serve_forever()
