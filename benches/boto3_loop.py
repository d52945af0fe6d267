#!/usr/bin/env python3
"""The plain tool-use loop a user would otherwise write with boto3 (after the Bedrock
Converse tool-use example), fed with agentc's compiled config unchanged:
`client.converse(**config, messages=...)`. The tool is the same HTTP endpoint agentc's
handler calls, over one kept-alive connection.

usage: boto3_loop.py CONFIG.json MESSAGE   (endpoint from AWS_ENDPOINT_URL_BEDROCK_RUNTIME)
"""
import http.client
import json
import os
import sys
from urllib.parse import urlparse

import boto3

config = json.load(open(sys.argv[1]))
client = boto3.client("bedrock-runtime", region_name=os.environ.get("AWS_REGION", "us-east-1"))
tool_url = urlparse(os.environ["BENCH_TOOL_URL"])
tool_connection = http.client.HTTPConnection(tool_url.hostname, tool_url.port)


def get_time(tool_input):
    tool_connection.request("POST", tool_url.path, json.dumps(tool_input), {"Content-Type": "application/json"})
    return json.loads(tool_connection.getresponse().read())


messages = [{"role": "user", "content": [{"text": sys.argv[2]}]}]
while True:
    response = client.converse(**config, messages=messages)
    message = response["output"]["message"]
    messages.append(message)
    if response["stopReason"] != "tool_use":
        break
    results = []
    for block in message["content"]:
        if "toolUse" in block:
            use = block["toolUse"]
            results.append({"toolResult": {"toolUseId": use["toolUseId"], "content": [{"json": get_time(use["input"])}]}})
    messages.append({"role": "user", "content": results})
print("".join(b.get("text", "") for b in message["content"]))
