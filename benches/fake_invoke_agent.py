#!/usr/bin/env python3
"""A local InvokeAgent (bedrock-agent-runtime) server with zero model latency, for timing a
one-request `agentc run --target agents` as a whole process. Every request gets the stream a
one-call agent sends: an orchestration model call (modelInvocationInput and
modelInvocationOutput with its usage) and the answer in two `chunk` events, in real AWS
event-stream framing (prelude, headers, CRC32s), one HTTP chunk per frame. `POST
/harnesses/invoke` (InvokeHarness, for `run --target harness`) gets the harness's stream of
the same one-call answer: messageStart, two text deltas, the block's and message's stops and
the call's metadata (usage).

usage: fake_invoke_agent.py PORT
"""
import base64
import json
import struct
import sys
import zlib
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


def header(name, value):
    name, value = name.encode(), value.encode()
    # 7: the string header type.
    return struct.pack(">B", len(name)) + name + struct.pack(">BH", 7, len(value)) + value


def frame(kind, payload):
    headers = (
        header(":message-type", "event")
        + header(":event-type", kind)
        + header(":content-type", "application/json")
    )
    body = json.dumps(payload).encode()
    prelude = struct.pack(">II", 12 + len(headers) + len(body) + 4, len(headers))
    message = prelude + struct.pack(">I", zlib.crc32(prelude)) + headers + body
    return message + struct.pack(">I", zlib.crc32(message))


def trace(inner):
    return frame("trace", {"agentId": "AGENT12345", "agentAliasId": "ALIAS12345", "agentVersion": "1",
                           "sessionId": "s", "trace": {"orchestrationTrace": inner}})


STREAM = [
    trace({"modelInvocationInput": {"traceId": "t-0", "type": "ORCHESTRATION",
                                    "foundationModel": "amazon.nova-lite-v1:0", "text": "<the prompt>"}}),
    trace({"modelInvocationOutput": {"traceId": "t-0", "rawResponse": {"content": "..."},
                                     "metadata": {"usage": {"inputTokens": 1700, "outputTokens": 12},
                                                  "totalTimeMs": 0}}}),
    frame("chunk", {"bytes": base64.b64encode(b"It is ").decode()}),
    frame("chunk", {"bytes": base64.b64encode(b"noon.").decode()}),
]

HARNESS_STREAM = [
    frame("messageStart", {"role": "assistant"}),
    frame("contentBlockDelta", {"contentBlockIndex": 0, "delta": {"text": "It is "}}),
    frame("contentBlockDelta", {"contentBlockIndex": 0, "delta": {"text": "noon."}}),
    frame("contentBlockStop", {"contentBlockIndex": 0}),
    frame("messageStop", {"stopReason": "end_turn"}),
    frame("metadata", {"usage": {"inputTokens": 812, "outputTokens": 12, "totalTokens": 824,
                                 "cacheReadInputTokens": 0}, "metrics": {"latencyMs": 0}}),
]


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True

    def do_POST(self):
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        harness = self.path.startswith("/harnesses/invoke")
        if harness:
            session = self.headers.get("X-Amzn-Bedrock-AgentCore-Runtime-Session-Id", "")
        else:
            session = self.path.split("/sessions/")[-1].split("/")[0]
        self.send_response(200)
        self.send_header("Content-Type", "application/vnd.amazon.eventstream")
        self.send_header("Transfer-Encoding", "chunked")
        self.send_header("x-amz-bedrock-agent-session-id", session)
        self.send_header("x-amzn-bedrock-agent-content-type", "application/json")
        self.send_header("X-Amzn-Bedrock-AgentCore-Runtime-Session-Id", session)
        self.end_headers()
        for f in HARNESS_STREAM if harness else STREAM:
            self.wfile.write(b"%x\r\n%s\r\n" % (len(f), f))
        self.wfile.write(b"0\r\n\r\n")

    def log_message(self, *args):
        pass


if __name__ == "__main__":
    ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), Handler).serve_forever()
