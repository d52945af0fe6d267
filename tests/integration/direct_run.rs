//! `agentc run` end to end: the real SDK clients against local fake servers.

use crate::support;

use crate::support::*;
use serde_json::{Value, json};

const NO_TOOLS: &str = "";

fn tool_results(request: &Recorded) -> Vec<Value> {
    let body = request.json();
    let last = body["messages"]
        .as_array()
        .and_then(|m| m.last())
        .cloned()
        .unwrap_or(Value::Null);
    last["content"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|b| b.get("toolResult").cloned())
        .collect()
}

#[test]
fn a_plain_answer_is_printed_and_traced_without_credentials() {
    let converse = Server::scripted(vec![text("All systems nominal.")]);
    let ws = Workspace::new(&spec(NO_TOOLS, ""));
    let trace = ws.file("trace.jsonl");
    let out = ws.run(
        &converse.url,
        &[
            "run",
            "agent.yaml",
            "How are things?",
            "--trace",
            trace.to_str().unwrap(),
        ],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(stdout(&out), "All systems nominal.\n");

    let requests = converse.requests();
    assert_eq!(requests.len(), 1);
    assert_eq!(requests[0].method, "POST");
    assert_eq!(requests[0].path, "/model/amazon.nova-lite-v1%3A0/converse");
    let body = requests[0].json();
    assert_eq!(
        body["messages"],
        json!([{"role": "user", "content": [{"text": "How are things?"}]}])
    );
    assert!(
        body["system"][0]["text"]
            .as_str()
            .unwrap()
            .starts_with("You are a test agent")
    );
    assert!(
        requests[0]
            .header("authorization")
            .is_some_and(|a| a.contains("AWS4-HMAC-SHA256"))
    );
    #[cfg(feature = "serve")]
    verify_converse_signature(&requests[0]);

    let lines = trace_lines(&trace);
    assert_eq!(lines.len(), 2, "a model call and the end of the request");
    let line = &lines[0];
    assert_eq!(line["type"], "model_call");
    assert_eq!(line["target"], "direct");
    assert_eq!(line["step"], "orchestration");
    assert_eq!(line["iteration"], 1);
    assert_eq!(line["model_id"], "amazon.nova-lite-v1:0");
    assert_eq!(line["stop_reason"], "end_turn");
    assert_eq!(
        line["usage"],
        json!({"input_tokens": 120, "output_tokens": 15, "cache_read_input_tokens": 7, "cache_write_input_tokens": 0})
    );
    assert!(line["latency_ms"].as_f64().is_some());
    assert!(line["session"].as_str().unwrap().starts_with("run-"));
    let raw = std::fs::read_to_string(&trace).unwrap();
    assert!(
        !raw.contains(SECRET) && !raw.contains("AWS4-HMAC"),
        "credentials leaked into the trace"
    );
}

const TWO_COMMAND_TOOLS: &str = r#"action_groups:
  - name: local
    executor: return_control
    functions:
      - name: left
        description: Left half of a rendezvous.
      - name: right
        description: Right half of a rendezvous.
      - name: failing
        description: Always fails.
      - name: slow
        description: Never answers in time.
      - name: noisy
        description: Prints more than the limit.
      - name: echo
        description: Echoes its input.
        parameters:
          word: {type: string, required: true}"#;

/// Each half creates its own marker and waits for the other's: they only both succeed when
/// agentc runs them at the same time.
const RENDEZVOUS: &str = r#"    handlers:
      left:
        command: [sh, -c, 'touch left.ready; i=0; while [ ! -e right.ready ]; do i=$((i+1)); [ $i -gt 100 ] && exit 9; sleep 0.05; done; echo "{\"side\": \"left\"}"']
        timeout_seconds: 20
      right:
        command: [sh, -c, 'touch right.ready; i=0; while [ ! -e left.ready ]; do i=$((i+1)); [ $i -gt 100 ] && exit 9; sleep 0.05; done; echo right done']
        timeout_seconds: 20
      failing:
        command: [sh, -c, 'echo "database unreachable" >&2; exit 3']
      slow:
        command: [sleep, "30"]
        timeout_seconds: 1
      noisy:
        command: [sh, -c, 'head -c 400000 /dev/zero | tr "\0" x']
      echo:
        command: [cat]"#;

#[test]
fn all_tool_calls_of_a_turn_run_concurrently_and_their_results_go_back_in_order() {
    let converse = Server::scripted(vec![
        tool_use(&[
            ("t-left", "left", json!({})),
            ("t-right", "right", json!({})),
        ]),
        text("Both sides met."),
    ]);
    let ws = Workspace::new(&spec(TWO_COMMAND_TOOLS, RENDEZVOUS));
    let trace = ws.file("trace.jsonl");
    let out = ws.run(
        &converse.url,
        &[
            "run",
            "agent.yaml",
            "meet",
            "--trace",
            trace.to_str().unwrap(),
        ],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(stdout(&out), "Both sides met.\n");
    let requests = converse.requests();
    assert_eq!(requests.len(), 2);
    let results = tool_results(&requests[1]);
    assert_eq!(
        results,
        vec![
            json!({"toolUseId": "t-left", "content": [{"json": {"side": "left"}}], "status": "success"}),
            json!({"toolUseId": "t-right", "content": [{"text": "right done"}], "status": "success"}),
        ]
    );
    let lines = trace_lines(&trace);
    let kinds: Vec<&str> = lines.iter().map(|l| l["type"].as_str().unwrap()).collect();
    assert_eq!(
        kinds,
        [
            "model_call",
            "tool_call",
            "tool_call",
            "model_call",
            "request"
        ]
    );
    let request = &lines[4];
    assert_eq!(request["model_calls"], 2);
    assert_eq!(request["outcome"], "end_turn");
    assert!(
        lines.iter().all(|l| l["request"] == request["request"]),
        "one request id on every line of the request"
    );
    assert_eq!(lines[1]["name"], "left");
    assert_eq!(lines[1]["outcome"], "ok");
    assert_eq!(lines[1]["result_bytes"], r#"{"side":"left"}"#.len());
}

#[test]
fn failing_slow_and_oversized_tools_become_error_results_and_the_loop_goes_on() {
    let converse = Server::scripted(vec![
        tool_use(&[
            ("t1", "failing", json!({})),
            ("t2", "slow", json!({})),
            ("t3", "noisy", json!({})),
            ("t4", "echo", json!({"word": "hi"})),
            ("t5", "no_such_tool", json!({})),
        ]),
        text("Recovered."),
    ]);
    let ws = Workspace::new(&spec(TWO_COMMAND_TOOLS, RENDEZVOUS));
    let trace = ws.file("trace.jsonl");
    let out = ws.run(
        &converse.url,
        &[
            "run",
            "agent.yaml",
            "try",
            "--trace",
            trace.to_str().unwrap(),
        ],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(stdout(&out), "Recovered.\n");
    let results = tool_results(&converse.requests()[1]);
    let statuses: Vec<&str> = results
        .iter()
        .map(|r| r["status"].as_str().unwrap())
        .collect();
    assert_eq!(statuses, ["error", "error", "error", "success", "error"]);
    let text_of = |i: usize| {
        results[i]["content"][0]["text"]
            .as_str()
            .unwrap_or_default()
            .to_string()
    };
    assert!(
        text_of(0).contains("exited with status 3: database unreachable"),
        "{}",
        text_of(0)
    );
    assert!(text_of(1).contains("timed out after 1 s"), "{}", text_of(1));
    assert!(text_of(2).contains("byte limit"), "{}", text_of(2));
    assert_eq!(results[3]["content"][0]["json"], json!({"word": "hi"}));
    assert!(text_of(4).contains("no tool named `no_such_tool`"));
    let outcomes: Vec<String> = trace_lines(&trace)
        .iter()
        .filter(|l| l["type"] == "tool_call")
        .map(|l| l["outcome"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(outcomes, ["error", "timeout", "error", "ok", "error"]);
}

#[test]
fn every_stop_reason_has_a_clear_outcome() {
    let cases = [
        ("stop_sequence", 0, "stop_sequences"),
        ("max_tokens", 1, "max_tokens"),
        ("guardrail_intervened", 1, "guardrail intervened"),
        ("content_filtered", 1, "content filter"),
        ("malformed_model_output", 1, "malformed"),
        ("malformed_tool_use", 1, "malformed"),
        ("model_context_window_exceeded", 1, "context window"),
    ];
    for (stop_reason, code, note) in cases {
        let converse = Server::scripted(vec![support::converse(
            json!([{"text": "partial"}]),
            stop_reason,
        )]);
        let ws = Workspace::new(&spec(NO_TOOLS, ""));
        let out = ws.run(&converse.url, &["run", "agent.yaml", "hi"]);
        assert_eq!(
            out.status.code(),
            Some(code),
            "{stop_reason}: {}",
            stderr(&out)
        );
        assert_eq!(stdout(&out), "partial\n", "{stop_reason}");
        assert!(
            stderr(&out).contains(note),
            "{stop_reason}: {}",
            stderr(&out)
        );

        let converse = Server::scripted(vec![support::converse(
            json!([{"text": "partial"}]),
            stop_reason,
        )]);
        let out = ws.run(&converse.url, &["run", "agent.yaml", "hi", "--json"]);
        let line: Value = serde_json::from_str(stdout(&out).trim()).expect("JSON outcome");
        assert_eq!(line["outcome"], stop_reason);
        assert_eq!(line["text"], "partial");
        assert_eq!(line["usage"]["input_tokens"], 120);
    }
}

#[test]
fn throttling_and_server_errors_are_retried_then_succeed() {
    let converse = Server::scripted(vec![
        Reply::aws_error(429, "ThrottlingException", "Too many requests"),
        Reply::aws_error(503, "ServiceUnavailableException", "busy"),
        Reply::aws_error(500, "InternalServerException", "oops"),
        Reply::aws_error(429, "ModelNotReadyException", "warming up"),
        Reply::raw(502, "<html>bad gateway</html>"),
        text("Finally."),
    ]);
    let ws = Workspace::new(&spec(NO_TOOLS, ""));
    let trace = ws.file("trace.jsonl");
    let out = ws.run(
        &converse.url,
        &[
            "run",
            "agent.yaml",
            "hi",
            "--trace",
            trace.to_str().unwrap(),
        ],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(stdout(&out), "Finally.\n");
    assert_eq!(converse.requests().len(), 6);
    assert_eq!(
        trace_lines(&trace)
            .iter()
            .filter(|l| l["type"] == "model_call")
            .count(),
        1,
        "one model call, however many attempts"
    );
}

#[test]
fn retries_are_bounded_and_validation_errors_are_not_retried() {
    let converse = Server::start(|_| Reply::aws_error(429, "ThrottlingException", "slow down"));
    let ws = Workspace::new(&spec(NO_TOOLS, ""));
    let out = ws
        .agentc(&converse.url, &["run", "agent.yaml", "hi"])
        .env("AGENTC_RETRY_MAX_ATTEMPTS", "3")
        .output();
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("throttled or failed transiently 3 times"),
        "{}",
        stderr(&out)
    );
    assert_eq!(converse.requests().len(), 3);

    let converse =
        Server::start(|_| Reply::aws_error(400, "ValidationException", "The model ID is invalid"));
    let out = ws.run(&converse.url, &["run", "agent.yaml", "hi"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("ValidationException: The model ID is invalid"),
        "{}",
        stderr(&out)
    );
    assert_eq!(converse.requests().len(), 1);
}

#[test]
fn a_malformed_model_response_is_a_clear_error() {
    for body in [
        "this is not json",
        r#"{"stopReason": "end_turn", "usage": {"inputTokens": 1, "outputTokens": 1, "totalTokens": 2}, "metrics": {"latencyMs": 1}}"#,
    ] {
        let converse = Server::scripted(vec![Reply::raw(200, body)]);
        let ws = Workspace::new(&spec(NO_TOOLS, ""));
        let out = ws.run(&converse.url, &["run", "agent.yaml", "hi"]);
        assert_eq!(out.status.code(), Some(2), "{body}");
        assert!(
            stderr(&out).contains("cannot read"),
            "{body}: {}",
            stderr(&out)
        );
        assert!(!stderr(&out).contains("panicked"));
    }
    let converse = Server::scripted(vec![support::converse(
        json!([{"text": "calling"}]),
        "tool_use",
    )]);
    let ws = Workspace::new(&spec(NO_TOOLS, ""));
    let out = ws.run(&converse.url, &["run", "agent.yaml", "hi"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("no tool call"), "{}", stderr(&out));
}

#[test]
fn the_loop_stops_at_max_iterations() {
    let converse = Server::start(|_| tool_use(&[("t", "echo", json!({"word": "again"}))]));
    let direct = RENDEZVOUS.to_string();
    let ws = Workspace::new(
        &spec(TWO_COMMAND_TOOLS, &direct).replace("max_iterations: 5", "max_iterations: 3"),
    );
    let out = ws.run(&converse.url, &["run", "agent.yaml", "loop forever"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("stopped after 3 model calls"),
        "{}",
        stderr(&out)
    );
    assert_eq!(converse.requests().len(), 3);
}

/// Check the request's SigV4 signature as Bedrock would: recomputed from the request as the
/// server received it (the model id still percent-encoded in the path) with the run's
/// credentials, signing name `bedrock` and its Region, by serve's verifier, which passes the
/// AWS SigV4 test suite.
#[cfg(feature = "serve")]
fn verify_converse_signature(request: &Recorded) {
    use agentc::serve::auth::{Credentials, Request, Verifier};
    let credentials =
        Credentials::parse(&format!("test {SECRET}\n"), std::path::Path::new("inline")).unwrap();
    let headers: Vec<(&str, &str)> = request
        .headers
        .iter()
        .map(|(n, v)| (n.as_str(), v.as_str()))
        .collect();
    let received = Request {
        method: &request.method,
        target: &request.path,
        headers: &headers,
        body: request.body.as_bytes(),
    };
    let principal = Verifier::for_service(credentials, "bedrock")
        .verify(&received, std::time::SystemTime::now())
        .expect("the Converse request is signed as the SDK signs it");
    assert_eq!(principal.access_key_id, "test");
    assert_eq!(principal.region, "us-east-1");
}
