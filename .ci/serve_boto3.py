#!/usr/bin/env python3
"""`agentc serve` driven by boto3's `invoke_agent` (issue 10): a second, independent
event-stream parser and SigV4 signer (botocore's) must accept every event agentc sends.

Starts a local Converse fake (this file, http.server), writes a spec and a credentials file,
starts `agentc serve` on 127.0.0.1:0 with `--credentials`, then:
  1. a plain answer with enableTrace: the chunk text, the trace's usage equal to the fake's;
  2. a turn whose tool runs in agentc (a command): its invocation and observation in the trace;
  3. return of control: `returnControl`, then the answer after returnControlInvocationResults;
  4. the session continues: the second turn's Converse request carries the first turn;
  5. an unknown access key -> ClientError UnrecognizedClientException; a wrong secret ->
     InvalidSignatureException (both HTTP 403);
  6. SIGTERM -> exit status 0.
Usage: serve_boto3.py PATH_TO_AGENTC
"""

import json
import os
import signal
import subprocess
import sys
import tempfile
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import boto3
import botocore.config
import botocore.exceptions

KEY_ID = "AKIDSERVEBOTO3TEST"
SECRET = "serve-boto3-secret-do-not-log"

SPEC = """agentc: 1
name: boto3-agent
model: amazon.nova-lite-v1:0
instruction: You are a test agent. Use the tools to answer the questions you are asked.
action_groups:
  - name: local
    executor: return_control
    functions:
      - name: echo
        description: Echoes its input.
        parameters:
          word: {type: string, required: true}
      - name: ask_user
        description: Asked of the caller.
        parameters:
          question: {type: string, required: true}
targets:
  direct:
    max_iterations: 5
    handlers:
      echo:
        command: [cat]
"""

USAGE = {"inputTokens": 321, "outputTokens": 12, "totalTokens": 333}
REQUESTS = []


def reply(content, stop):
    return {
        "output": {"message": {"role": "assistant", "content": content}},
        "stopReason": stop,
        "usage": USAGE,
        "metrics": {"latencyMs": 5},
    }


def answer(body):
    """What the fake model says: a tool call when asked for one, else text."""
    last = body["messages"][-1]
    results = [c["toolResult"] for c in last["content"] if "toolResult" in c]
    if results:
        texts = [
            part.get("text") or json.dumps(part.get("json"))
            for result in results
            for part in result["content"]
        ]
        return reply([{"text": "tool said: " + " | ".join(texts)}], "end_turn")
    text = " ".join(c.get("text", "") for c in last["content"])
    tools = [
        t["toolSpec"]["name"] for t in body.get("toolConfig", {}).get("tools", [])
    ]
    for word, tool, field in (("echo", "echo", "word"), ("ask", "ask_user", "question")):
        if word in text:
            name = next(n for n in tools if n.endswith(tool))
            call = {"toolUseId": "tu-" + tool, "name": name, "input": {field: "alpha"}}
            return reply([{"toolUse": call}], "tool_use")
    return reply([{"text": "hello from the fake model"}], "end_turn")


class Converse(BaseHTTPRequestHandler):
    def do_POST(self):  # noqa: N802 (http.server's name)
        length = int(self.headers.get("content-length", 0))
        body = json.loads(self.rfile.read(length))
        REQUESTS.append(body)
        data = json.dumps(answer(body)).encode()
        self.send_response(200)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args):
        pass


def client(url, key_id, secret):
    return boto3.client(
        "bedrock-agent-runtime",
        region_name="us-east-1",
        endpoint_url=url,
        aws_access_key_id=key_id,
        aws_secret_access_key=secret,
        config=botocore.config.Config(retries={"max_attempts": 1}),
    )


def invoke(agent_runtime, agent, session, **kwargs):
    """Every event of one invoke_agent call, parsed by botocore."""
    response = agent_runtime.invoke_agent(
        agentId=agent, agentAliasId="TSTALIASID", sessionId=session, **kwargs
    )
    events = {"text": "", "traces": [], "return_control": None, "other": []}
    for event in response["completion"]:
        if "chunk" in event:
            events["text"] += event["chunk"]["bytes"].decode()
        elif "trace" in event:
            events["traces"].append(event["trace"]["trace"])
        elif "returnControl" in event:
            events["return_control"] = event["returnControl"]
        else:
            events["other"].append(event)
    assert not events["other"], events["other"]
    assert response["sessionId"] == session, response
    return events


def usages(traces):
    return [
        (u["inputTokens"], u["outputTokens"])
        for t in traces
        for step in t.values()
        if "modelInvocationOutput" in step
        for u in [step["modelInvocationOutput"]["metadata"]["usage"]]
    ]


def main():
    agentc = os.path.abspath(sys.argv[1])
    fake = ThreadingHTTPServer(("127.0.0.1", 0), Converse)
    threading.Thread(target=fake.serve_forever, daemon=True).start()
    work = tempfile.mkdtemp(prefix="agentc-serve-boto3-")
    with open(os.path.join(work, "agent.yaml"), "w") as f:
        f.write(SPEC)
    keys = os.path.join(work, "keys")
    with open(os.open(keys, os.O_WRONLY | os.O_CREAT, 0o600), "w") as f:
        f.write("# the CI caller\n%s %s\n" % (KEY_ID, SECRET))
    env = dict(
        os.environ,
        AWS_REGION="us-east-1",
        AWS_ACCESS_KEY_ID="test",
        AWS_SECRET_ACCESS_KEY="test",
        AWS_EC2_METADATA_DISABLED="true",
        AWS_ENDPOINT_URL_BEDROCK_RUNTIME="http://127.0.0.1:%d" % fake.server_port,
    )
    serve = subprocess.Popen(
        [agentc, "serve", "agent.yaml", "--listen", "127.0.0.1:0", "--credentials", keys],
        cwd=work,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        first = serve.stdout.readline().strip()
        assert first.startswith("listening on "), (first, serve.stderr.read())
        url = first[len("listening on "):]
        agent = serve.stdout.readline().split()[1]
        good = client(url, KEY_ID, SECRET)

        plain = invoke(good, agent, "boto3:1", inputText="Hello", enableTrace=True)
        assert plain["text"] == "hello from the fake model", plain
        assert usages(plain["traces"]) == [(321, 12)], plain["traces"]
        print("serve_boto3: a plain answer with its trace usage")

        tool = invoke(good, agent, "boto3:1", inputText="please echo", enableTrace=True)
        # The command handler `cat` echoes the call's JSON input back as its result.
        assert json.loads(tool["text"][len("tool said: "):]) == {"word": "alpha"}, tool
        steps = [s for t in tool["traces"] for s in t.get("orchestrationTrace", {}).keys()]
        assert "invocationInput" in steps and "observation" in steps, steps
        assert usages(tool["traces"]) == [(321, 12), (321, 12)], tool["traces"]
        # The session continued: the second turn's first model call saw the first turn.
        texts = [
            c.get("text") for m in REQUESTS[1]["messages"] for c in m["content"]
        ]
        assert texts[:3] == ["Hello", "hello from the fake model", "please echo"], texts
        print("serve_boto3: a tool run by agentc, traced; the session continued")

        asked = invoke(good, agent, "boto3:2", inputText="ask the user")
        control = asked["return_control"]
        assert control, asked
        call = control["invocationInputs"][0]["functionInvocationInput"]
        assert call["function"] == "ask_user", call
        assert call["parameters"] == [
            {"name": "question", "type": "string", "value": "alpha"}
        ], call
        resumed = invoke(
            good,
            agent,
            "boto3:2",
            sessionState={
                "invocationId": control["invocationId"],
                "returnControlInvocationResults": [
                    {
                        "functionResult": {
                            "actionGroup": call["actionGroup"],
                            "function": call["function"],
                            "responseBody": {"TEXT": {"body": "blue"}},
                        }
                    }
                ],
            },
        )
        assert resumed["text"] == "tool said: blue", resumed
        print("serve_boto3: return of control, round trip")

        for key_id, secret, code in (
            ("AKIDNOTCONFIGURED", SECRET, "UnrecognizedClientException"),
            (KEY_ID, "not-the-secret", "InvalidSignatureException"),
        ):
            try:
                invoke(client(url, key_id, secret), agent, "boto3:3", inputText="Hello")
                raise AssertionError("a request signed with %s was accepted" % key_id)
            except botocore.exceptions.ClientError as error:
                assert error.response["Error"]["Code"] == code, error.response
                assert error.response["ResponseMetadata"]["HTTPStatusCode"] == 403
        print("serve_boto3: a wrong key and a wrong secret get the service's errors")

        serve.send_signal(signal.SIGTERM)
        status = serve.wait(timeout=60)
        log = serve.stderr.read()
        assert status == 0, (status, log)
        assert SECRET not in log and "please echo" not in log, log
        print("serve_boto3: SIGTERM -> exit 0; no secret or message text in the log")
    finally:
        if serve.poll() is None:
            serve.kill()
            serve.wait()
        fake.shutdown()


if __name__ == "__main__":
    main()
