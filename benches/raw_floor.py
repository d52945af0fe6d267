#!/usr/bin/env python3
"""The floor of one benchmark round: the fake server's own time plus the loopback round
trip, measured with a minimal client (pre-serialized bodies, one kept-alive connection).
Prints the median microseconds of one model call + one tool call.

usage: raw_floor.py PORT ITERATIONS
"""
import http.client
import json
import statistics
import sys
import time

port, iterations = int(sys.argv[1]), int(sys.argv[2])
connection = http.client.HTTPConnection("127.0.0.1", port)
model_body = json.dumps({"messages": [{"role": "user", "content": [{"text": "hi"}]}]})
tool_body = json.dumps({"zone": "UTC"})
headers = {"Content-Type": "application/json"}
samples = []
for _ in range(iterations):
    start = time.perf_counter()
    connection.request("POST", "/model/bench/converse", model_body, headers)
    connection.getresponse().read()
    connection.request("POST", "/tool", tool_body, headers)
    connection.getresponse().read()
    samples.append(time.perf_counter() - start)
print(f"{statistics.median(samples) * 1e6:.1f}")
