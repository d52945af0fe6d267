//! `agentc run --target harness` end to end: agentc's InvokeHarness client against a fake
//! endpoint that answers with real event-stream framing (`support::fake_invoke_harness`),
//! with inline functions answered by local executors, a Lambda (the local Lambda-invoke
//! server the direct tests use) and a knowledge base (the local Retrieve fake).

use crate::support::event_stream::streams_before_the_end;
use crate::support::fake_harness::FakeHarness;
use crate::support::fake_invoke_harness::{
    ARN, Answer, FakeInvokeHarness, Part, answer, event, exception, message_start, message_stop,
    metadata, pause, signature_is_well_formed, text_delta,
};
use crate::support::fake_retrieve;
use crate::support::*;
use serde_json::{Value, json};
use std::collections::HashMap;

const LAMBDA_ARN: &str = "arn:aws:lambda:us-east-1:123456789012:function:trips";

/// A harness spec: `get_weather` echoes its input (a command), `cancel_trip` needs
/// confirmation, `book_trip` is a Lambda.
fn harness_spec(extra: &str) -> String {
    format!(
        "agentc: 1
name: test-agent
model: amazon.nova-lite-v1:0
instruction: You are a test agent. Use the tools to answer the questions you are asked.
action_groups:
  - name: weather
    description: Weather lookups.
    executor: return_control
    functions:
      - name: get_weather
        description: The weather in a city.
        parameters:
          city: {{type: string, description: The city., required: true}}
          days: {{type: integer, description: How many days., required: false}}
      - name: cancel_trip
        description: Cancel a booked trip.
        require_confirmation: true
        parameters:
          trip: {{type: string, description: The trip id., required: true}}
  - name: trips
    description: Trip bookings.
    executor: {{lambda: {LAMBDA_ARN}}}
    functions:
      - name: book_trip
        description: Book a trip to a city.
        parameters:
          city: {{type: string, description: The city., required: true}}
{extra}targets:
  harness:
    role_arn: arn:aws:iam::123456789012:role/AgentCoreHarness
  direct:
    handlers:
      get_weather: {{command: [sh, -c, cat]}}
      cancel_trip: {{command: [sh, -c, 'echo cancelled']}}
"
    )
}

fn run(fake: &FakeInvokeHarness, ws: &Workspace, args: &[&str]) -> cli::Run {
    ws.agentc("http://127.0.0.1:9", args)
        .env("AWS_ENDPOINT_URL_BEDROCK_AGENTCORE", &fake.url)
        .run()
}

fn args<'a>(extra: &[&'a str]) -> Vec<&'a str> {
    let mut all = vec!["run", "agent.yaml"];
    all.extend_from_slice(extra);
    all.extend_from_slice(&["--target", "harness", "--harness-arn", ARN]);
    all
}

fn lines_of(trace: &std::path::Path, kind: &str) -> Vec<Value> {
    trace_lines(trace)
        .into_iter()
        .filter(|l| l["type"] == kind)
        .collect()
}

fn tool_results(request: &Recorded) -> Vec<Value> {
    let body = request.json();
    assert_eq!(body["messages"].as_array().map(Vec::len), Some(1), "{body}");
    assert_eq!(body["messages"][0]["role"], "user");
    body["messages"][0]["content"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["toolResult"].clone())
        .collect()
}

const SESSION: &str = "session-0123456789-0123456789-0123456789";

#[test]
fn a_text_answer_is_streamed_and_its_model_call_traced_with_the_usage_the_stream_reports() {
    let fake = FakeInvokeHarness::start(vec![Answer::frames(answer(
        "It is sunny in Paris.",
        812,
        23,
    ))]);
    let ws = Workspace::new(&harness_spec(""));
    let trace = ws.file("trace.jsonl");
    let out = run(
        &fake,
        &ws,
        &args(&["Weather in Paris?", "--trace", trace.to_str().unwrap()]),
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(out.stdout, "It is sunny in Paris.\n");

    let requests = fake.requests();
    assert_eq!(requests.len(), 1);
    let request = &requests[0];
    assert!(signature_is_well_formed(request));
    assert_eq!(request.method, "POST");
    assert_eq!(
        request.path,
        format!(
            "/harnesses/invoke?harnessArn={}&qualifier=DEFAULT",
            ARN.replace(':', "%3A").replace('/', "%2F")
        )
    );
    let session = request
        .header("x-amzn-bedrock-agentcore-runtime-session-id")
        .unwrap();
    assert!((33..=100).contains(&session.len()), "{session}");
    assert_eq!(
        request.json(),
        json!({"messages": [{"role": "user", "content": [{"text": "Weather in Paris?"}]}]})
    );

    let calls = lines_of(&trace, "model_call");
    assert_eq!(calls.len(), 1);
    assert_eq!(calls[0]["target"], "harness");
    assert_eq!(calls[0]["step"], "orchestration");
    assert_eq!(calls[0]["model_id"], "amazon.nova-lite-v1:0");
    assert_eq!(calls[0]["stop_reason"], "end_turn");
    assert_eq!(calls[0]["latency_ms"], 300.0);
    assert_eq!(
        calls[0]["usage"],
        json!({"input_tokens": 812, "output_tokens": 23, "cache_read_input_tokens": 0, "cache_write_input_tokens": 0})
    );
    let requests = lines_of(&trace, "request");
    assert_eq!(requests.len(), 1);
    assert_eq!(requests[0]["outcome"], "end_turn");
    assert_eq!(requests[0]["model_calls"], 1);
    assert_eq!(requests[0]["session"], session);
    assert!(
        !std::fs::read_to_string(&trace).unwrap().contains("sunny"),
        "no message content in the trace"
    );
}

#[test]
fn paused_inline_functions_run_locally_and_their_results_resume_the_same_session() {
    let fake = FakeInvokeHarness::start(vec![
        Answer::frames(pause(
            &[
                ("t1", "get_weather", json!({"city": "Paris", "days": 2})),
                ("t2", "get_weather", json!({"city": "Oslo"})),
            ],
            900,
            40,
        )),
        Answer::frames(
            [
                pause(&[("t3", "get_weather", json!({"city": "Rome"}))], 1000, 20),
                answer("Paris, Oslo and Rome: sunny.", 1100, 12),
            ]
            .concat(),
        ),
        Answer::frames(answer("unused", 1, 1)),
    ]);
    let ws = Workspace::new(&harness_spec(""));
    let trace = ws.file("trace.jsonl");
    let out = run(
        &fake,
        &ws,
        &args(&[
            "Weather?",
            "--session",
            SESSION,
            "--trace",
            trace.to_str().unwrap(),
            "--json",
        ]),
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    let report: Value = serde_json::from_str(out.stdout.trim()).unwrap();
    assert_eq!(report["session"], SESSION);
    assert_eq!(report["outcome"], "end_turn");
    assert_eq!(report["text"], "Paris, Oslo and Rome: sunny.");
    assert_eq!(report["model_calls"], 3);
    assert_eq!(report["tool_calls"], 2);
    assert_eq!(report["invocations"], 2);
    assert_eq!(
        report["usage"],
        json!({"input_tokens": 3000, "output_tokens": 72, "cache_read_input_tokens": 0, "cache_write_input_tokens": 0})
    );

    let requests = fake.requests();
    assert_eq!(requests.len(), 2, "the answer stream needs no third call");
    for request in &requests {
        assert_eq!(
            request.header("x-amzn-bedrock-agentcore-runtime-session-id"),
            Some(SESSION)
        );
    }
    // The second InvokeHarness carries both results, in the model's order, typed as the
    // spec declares (the command echoes its JSON input).
    let results = tool_results(&requests[1]);
    assert_eq!(results.len(), 2);
    assert_eq!(results[0]["toolUseId"], "t1");
    assert_eq!(results[0]["status"], "success");
    assert_eq!(
        results[0]["content"][0],
        json!({"json": {"city": "Paris", "days": 2}})
    );
    assert_eq!(results[1]["toolUseId"], "t2");

    let usage: Vec<u64> = lines_of(&trace, "model_call")
        .iter()
        .map(|l| l["usage"]["input_tokens"].as_u64().unwrap())
        .collect();
    assert_eq!(usage, [900, 1000, 1100], "one line per metadata event");
    let tools = lines_of(&trace, "tool_call");
    assert_eq!(tools.len(), 2);
    assert!(tools.iter().all(|t| t["name"] == "get_weather"
        && t["outcome"] == "ok"
        && t.get("executed_by").is_none()));
    let request = lines_of(&trace, "request");
    assert_eq!(request.len(), 1);
    assert_eq!(request[0]["model_calls"], 3);
}

#[test]
fn a_lambda_tool_gets_the_event_bedrock_agents_would_send() {
    let lambda = Server::start(|request| {
        let event = request.json();
        Reply::json(
            200,
            json!({
                "messageVersion": "1.0",
                "response": {"actionGroup": "trips", "function": event["function"],
                             "functionResponse": {"responseBody": {"TEXT": {"body": "booked T-7"}}}},
                "sessionAttributes": {"last_city": event["parameters"][0]["value"]}
            }),
        )
    });
    let fake = FakeInvokeHarness::start(vec![
        Answer::frames(pause(
            &[("b1", "book_trip", json!({"city": "Lisbon"}))],
            700,
            30,
        )),
        Answer::frames(answer("Booked: T-7.", 800, 8)),
        Answer::frames(pause(
            &[("b2", "book_trip", json!({"city": "Faro"}))],
            700,
            30,
        )),
        Answer::frames(answer("Booked again.", 800, 8)),
    ]);
    let ws = Workspace::new(&harness_spec(""));
    let book = |message: &str| {
        ws.agentc(
            "http://127.0.0.1:9",
            &args(&[message, "--session", SESSION]),
        )
        .env("AWS_ENDPOINT_URL_BEDROCK_AGENTCORE", &fake.url)
        .env("AWS_ENDPOINT_URL_LAMBDA", &lambda.url)
        .run()
    };
    let out = book("Book Lisbon");
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(out.stdout, "Booked: T-7.\n");
    let invocations = lambda.requests();
    assert_eq!(invocations.len(), 1);
    assert_eq!(
        invocations[0].path,
        format!(
            "/2015-03-31/functions/{}/invocations",
            LAMBDA_ARN.replace(':', "%3A")
        )
    );
    assert_eq!(
        invocations[0].json(),
        json!({
            "messageVersion": "1.0",
            "agent": {"name": "test-agent", "id": "test_agent-abcdefghij", "alias": "DEFAULT", "version": "DRAFT"},
            "inputText": "Book Lisbon",
            "sessionId": SESSION,
            "actionGroup": "trips",
            "function": "book_trip",
            "parameters": [{"name": "city", "type": "string", "value": "Lisbon"}],
            "sessionAttributes": {},
            "promptSessionAttributes": {}
        })
    );
    let results = tool_results(&fake.requests()[1]);
    assert_eq!(results[0]["content"][0], json!({"text": "booked T-7"}));

    // The session attributes the Lambda returned reach its next event on the session, as on
    // Bedrock Agents.
    let again = book("And Faro");
    assert_eq!(again.code, 0, "{}", again.stderr);
    let second = lambda.requests()[1].json();
    assert_eq!(second["sessionAttributes"], json!({"last_city": "Lisbon"}));
    assert_eq!(second["inputText"], "And Faro");
}

#[test]
fn a_call_that_needs_confirmation_goes_back_without_a_terminal_and_confirm_continues() {
    let fake = FakeInvokeHarness::start(vec![
        Answer::frames(pause(
            &[
                ("c1", "cancel_trip", json!({"trip": "T-7"})),
                ("w1", "get_weather", json!({"city": "Oslo"})),
            ],
            600,
            25,
        )),
        Answer::frames(answer("Trip T-7 is cancelled.", 650, 9)),
    ]);
    let ws = Workspace::new(&harness_spec(""));
    let paused = run(&fake, &ws, &args(&["Cancel T-7", "--session", SESSION]));
    assert_eq!(paused.code, 3, "{}", paused.stderr);
    assert_eq!(
        paused.stdout,
        "tool call c1 (weather/cancel_trip, needs confirmation): {\"trip\":\"T-7\"}\n"
    );
    assert!(
        paused
            .stderr
            .contains(&format!("--session {SESSION} --confirm c1 (or --deny c1)")),
        "{}",
        paused.stderr
    );
    assert_eq!(fake.requests().len(), 1, "nothing was answered yet");

    // A new message on a paused session is refused before anything is sent.
    let refused = run(&fake, &ws, &args(&["Something else", "--session", SESSION]));
    assert_eq!(refused.code, 2);
    assert!(
        refused.stderr.contains("waiting for answers"),
        "{}",
        refused.stderr
    );
    assert_eq!(fake.requests().len(), 1);

    let confirmed = run(
        &fake,
        &ws,
        &args(&["--session", SESSION, "--confirm", "c1"]),
    );
    assert_eq!(confirmed.code, 0, "{}", confirmed.stderr);
    assert_eq!(confirmed.stdout, "Trip T-7 is cancelled.\n");
    let results = tool_results(&fake.requests()[1]);
    // The weather call ran in the first run; the confirmed call runs now, in the model's order
    // after the results kept with the pause.
    assert_eq!(results.len(), 2);
    assert_eq!(results[0]["toolUseId"], "w1");
    assert_eq!(results[1]["toolUseId"], "c1");
    assert_eq!(results[1]["content"][0], json!({"text": "cancelled"}));

    // Answered: the session no longer waits.
    let again = run(
        &fake,
        &ws,
        &args(&["--session", SESSION, "--confirm", "c1"]),
    );
    assert_eq!(again.code, 2);
    assert!(
        again.stderr.contains("no calls waiting"),
        "{}",
        again.stderr
    );
}

#[test]
fn a_denied_call_tells_the_model_it_did_not_run() {
    let fake = FakeInvokeHarness::start(vec![
        Answer::frames(pause(
            &[("c1", "cancel_trip", json!({"trip": "T-7"}))],
            600,
            25,
        )),
        Answer::frames(answer("Not cancelled.", 650, 9)),
    ]);
    let ws = Workspace::new(&harness_spec(""));
    let paused = run(&fake, &ws, &args(&["Cancel T-7", "--session", SESSION]));
    assert_eq!(paused.code, 3, "{}", paused.stderr);
    let denied = run(&fake, &ws, &args(&["--session", SESSION, "--deny", "c1"]));
    assert_eq!(denied.code, 0, "{}", denied.stderr);
    let results = tool_results(&fake.requests()[1]);
    assert_eq!(results[0]["status"], "error");
    assert!(
        results[0]["content"][0]["text"]
            .as_str()
            .unwrap()
            .contains("declined"),
        "{results:?}"
    );
}

#[test]
fn a_knowledge_base_is_an_inline_function_answered_by_retrieve() {
    let retrieve = fake_retrieve::start(HashMap::from([(
        "KB12345678",
        vec![(
            "Returns are accepted within 30 days.",
            "s3://policies/returns.md",
        )],
    )]));
    let fake = FakeInvokeHarness::start(vec![
        Answer::frames(pause(
            &[(
                "k1",
                "knowledge_base_KB12345678",
                json!({"query": "return window"}),
            )],
            500,
            15,
        )),
        Answer::frames(answer("Within 30 days.", 900, 6)),
    ]);
    let kb = "knowledge_bases:\n  - {id: KB12345678, description: Returns policies., number_of_results: 1}\n";
    let ws = Workspace::new(&harness_spec(kb));
    let trace = ws.file("trace.jsonl");
    let out = ws
        .agentc(
            "http://127.0.0.1:9",
            &args(&["Return window?", "--trace", trace.to_str().unwrap()]),
        )
        .env("AWS_ENDPOINT_URL_BEDROCK_AGENTCORE", &fake.url)
        .env("AWS_ENDPOINT_URL_BEDROCK_AGENT_RUNTIME", &retrieve.url)
        .run();
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(!out.stderr.contains("knowledge base"), "{}", out.stderr);
    let results = tool_results(&fake.requests()[1]);
    assert!(
        results[0]["content"][0]
            .to_string()
            .contains("s3://policies/returns.md"),
        "{results:?}"
    );
    let retrievals = lines_of(&trace, "retrieval");
    assert_eq!(retrievals.len(), 1);
    assert_eq!(retrievals[0]["knowledge_base_id"], "KB12345678");
    assert_eq!(retrievals[0]["results"], 1);
    assert_eq!(retrievals[0]["target"], "harness");

    // The harness is deployed with the knowledge base as an inline function.
    let compiled = ws
        .agentc(
            "http://127.0.0.1:9",
            &["compile", "agent.yaml", "--target", "harness"],
        )
        .run();
    assert_eq!(compiled.code, 0, "{}", compiled.stderr);
    let request: Value = serde_json::from_str(&compiled.stdout).unwrap();
    let kb_tool = request["tools"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["name"] == "knowledge_base_KB12345678")
        .cloned()
        .unwrap();
    assert_eq!(kb_tool["type"], "inline_function");
    assert_eq!(
        kb_tool["config"]["inlineFunction"]["inputSchema"]["required"],
        json!(["query"])
    );
    assert!(
        request["allowedTools"]
            .as_array()
            .unwrap()
            .contains(&json!("knowledge_base_KB12345678"))
    );
}

#[test]
fn throttling_before_the_stream_is_retried() {
    let fake = FakeInvokeHarness::start(vec![
        Answer::Error {
            status: 429,
            kind: "ThrottlingException",
            message: "slow down",
        },
        Answer::frames(answer("Fine.", 10, 2)),
    ]);
    let ws = Workspace::new(&harness_spec(""));
    let out = run(&fake, &ws, &args(&["Hi"]));
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(out.stdout, "Fine.\n");
    assert_eq!(fake.requests().len(), 2);
}

#[test]
fn a_missing_harness_says_to_deploy_first() {
    let fake = FakeInvokeHarness::start(vec![Answer::Error {
        status: 404,
        kind: "ResourceNotFoundException",
        message: "harness not found",
    }]);
    let ws = Workspace::new(&harness_spec(""));
    let out = run(&fake, &ws, &args(&["Hi"]));
    assert_eq!(out.code, 2);
    assert!(
        out.stderr.contains("ResourceNotFoundException"),
        "{}",
        out.stderr
    );
    assert!(
        out.stderr.contains("agentc deploy SPEC --target harness"),
        "{}",
        out.stderr
    );
    assert_eq!(fake.requests().len(), 1, "not retried");
}

#[test]
fn a_cut_stream_is_a_clear_error_and_stores_nothing() {
    let mut frames: Vec<Part> = pause(&[("c1", "cancel_trip", json!({"trip": "T-7"}))], 600, 25)
        .into_iter()
        .map(Part::Frame)
        .collect();
    let last = match frames.pop() {
        Some(Part::Frame(frame)) => frame,
        _ => unreachable!(),
    };
    frames.push(Part::Cut(last));
    let fake = FakeInvokeHarness::start(vec![Answer::Stream(frames)]);
    let ws = Workspace::new(&harness_spec(""));
    let trace = ws.file("trace.jsonl");
    let out = run(
        &fake,
        &ws,
        &args(&[
            "Cancel",
            "--session",
            SESSION,
            "--trace",
            trace.to_str().unwrap(),
        ]),
    );
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert!(
        out.stderr.contains("the answer is incomplete"),
        "{}",
        out.stderr
    );
    let request = lines_of(&trace, "request");
    assert_eq!(request[0]["outcome"], "stream_cut");
    // Nothing paused was stored: answering it is refused.
    let answer = run(
        &fake,
        &ws,
        &args(&["--session", SESSION, "--confirm", "c1"]),
    );
    assert_eq!(answer.code, 2);
    assert!(
        answer.stderr.contains("no calls waiting"),
        "{}",
        answer.stderr
    );
}

#[test]
fn unknown_events_are_ignored_and_counted_and_in_stream_errors_are_traced() {
    let mut frames = vec![event("somethingNew", &json!({"x": 1}))];
    frames.extend(answer("Still fine.", 10, 2));
    frames.insert(2, event("somethingNew", &json!({"x": 2})));
    let fake = FakeInvokeHarness::start(vec![
        Answer::frames(frames),
        Answer::frames(vec![
            message_start("assistant"),
            text_delta(0, "Partial"),
            exception("runtimeClientError", "the runtime crashed"),
        ]),
    ]);
    let ws = Workspace::new(&harness_spec(""));
    let ok = run(&fake, &ws, &args(&["Hi"]));
    assert_eq!(ok.code, 0, "{}", ok.stderr);
    assert_eq!(ok.stdout, "Still fine.\n");
    assert!(ok.stderr.contains("2 `somethingNew`"), "{}", ok.stderr);

    let trace = ws.file("trace.jsonl");
    let failed = run(
        &fake,
        &ws,
        &args(&["Hi", "--trace", trace.to_str().unwrap()]),
    );
    assert_eq!(failed.code, 2);
    assert!(
        failed.stderr.contains("runtimeClientError"),
        "{}",
        failed.stderr
    );
    assert!(
        failed.stderr.contains("harness's runtime failed"),
        "{}",
        failed.stderr
    );
    let failures = lines_of(&trace, "failure");
    assert_eq!(failures.len(), 1);
    assert_eq!(failures[0]["code"], "runtimeClientError");
}

#[test]
fn a_bad_session_id_is_refused_before_anything_is_sent() {
    let fake = FakeInvokeHarness::start(vec![]);
    let ws = Workspace::new(&harness_spec(""));
    let out = run(&fake, &ws, &args(&["Hi", "--session", "short"]));
    assert_eq!(out.code, 2);
    assert!(out.stderr.contains("33 to 100"), "{}", out.stderr);
    assert!(fake.requests().is_empty());
}

#[test]
fn the_harness_is_found_by_the_spec_name_and_its_stop_reason_sets_the_exit_status() {
    let control = FakeHarness::start();
    let id = control.insert_foreign_harness("test_agent", &[]);
    let fake = FakeInvokeHarness::start(vec![Answer::frames(vec![
        message_start("assistant"),
        text_delta(0, "Still working"),
        message_stop("max_iterations_exceeded"),
        metadata(100, 50, 20, 10),
    ])]);
    let ws = Workspace::new(&harness_spec(""));
    let out = ws
        .agentc(
            "http://127.0.0.1:9",
            &["run", "agent.yaml", "Hi", "--target", "harness"],
        )
        .envs(control.client_env(ws.path()))
        .env("AWS_ENDPOINT_URL_BEDROCK_AGENTCORE", &fake.url)
        .run();
    assert_eq!(out.code, 1, "{}", out.stderr);
    assert!(
        out.stderr.contains("targets.harness.max_iterations"),
        "{}",
        out.stderr
    );
    let path = &fake.requests()[0].path;
    assert!(
        path.contains(&format!("%2F{id}&qualifier=DEFAULT")),
        "{path}"
    );
}

#[test]
fn agents_only_flags_are_refused_and_harness_flags_elsewhere_too() {
    let ws = Workspace::new(&harness_spec(""));
    let out = ws
        .agentc(
            "http://127.0.0.1:9",
            &args(&["Hi", "--agent-id", "AGENT12345"]),
        )
        .run();
    assert_eq!(out.code, 2);
    assert!(out.stderr.contains("--agent-id"), "{}", out.stderr);
    let out = ws
        .agentc(
            "http://127.0.0.1:9",
            &["run", "agent.yaml", "Hi", "--harness-arn", ARN],
        )
        .run();
    assert_eq!(out.code, 2);
    assert!(out.stderr.contains("--harness-arn"), "{}", out.stderr);
}

#[test]
fn cost_reads_a_harness_trace_as_the_harness_column_measured() {
    let fake = FakeInvokeHarness::start(vec![
        Answer::frames(pause(
            &[("t1", "get_weather", json!({"city": "Paris"}))],
            900,
            40,
        )),
        Answer::frames(answer("Sunny.", 1100, 20)),
    ]);
    let ws = Workspace::new(&harness_spec(""));
    let trace = ws.file("trace.jsonl");
    let out = run(
        &fake,
        &ws,
        &args(&["Weather?", "--trace", trace.to_str().unwrap()]),
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    let cost = ws
        .agentc(
            "http://127.0.0.1:9",
            &[
                "cost",
                "agent.yaml",
                "--usage",
                trace.to_str().unwrap(),
                "--format",
                "json",
            ],
        )
        .run();
    assert_eq!(cost.code, 0, "{}", cost.stderr);
    let json: Value = serde_json::from_str(&cost.stdout).unwrap();
    let measured = &json["targets"]["harness"]["measured"];
    assert_eq!(measured["requests"], 1, "{measured}");
    assert_eq!(measured["model_calls"], 2);
    assert_eq!(
        measured["input_tokens_per_call"], 1000.0,
        "(900 + 1100) / 2"
    );
    assert_eq!(measured["output_tokens_per_call"], 30.0, "(40 + 20) / 2");
    assert_eq!(measured["calls_per_request"], 2.0);
    assert!(
        json["targets"]["agents"].get("measured").is_none()
            || json["targets"]["agents"]["measured"].is_null(),
        "no agents trace was given"
    );
}

#[test]
fn the_first_text_delta_is_printed_while_the_stream_is_still_open() {
    let (go_on, wait) = std::sync::mpsc::channel();
    let fake = FakeInvokeHarness::start(vec![Answer::Stream(vec![
        Part::Frame(message_start("assistant")),
        Part::Frame(text_delta(0, "first|")),
        Part::WaitFor(wait),
        Part::Frame(text_delta(0, "second")),
        Part::Frame(message_stop("end_turn")),
        Part::Frame(metadata(5, 2, 0, 1)),
    ])]);
    let ws = Workspace::new(&harness_spec(""));
    let mut command = ws.command("http://127.0.0.1:9", &args(&["hi"]));
    command.env("AWS_ENDPOINT_URL_BEDROCK_AGENTCORE", &fake.url);
    // The fake holds the rest of the stream until "first|" has reached agentc's stdout.
    let rest = streams_before_the_end(&mut command, "first|", &go_on);
    assert_eq!(
        rest,
        "second
"
    );
}

#[test]
fn a_confirmed_lambda_call_gets_the_message_of_the_request_that_paused() {
    let lambda = Server::start(|_| {
        Reply::json(
            200,
            json!({"messageVersion": "1.0", "response": {"actionGroup": "trips", "function": "book_trip",
                   "functionResponse": {"responseBody": {"TEXT": {"body": "booked T-8"}}}}}),
        )
    });
    let fake = FakeInvokeHarness::start(vec![
        Answer::frames(pause(
            &[("b1", "book_trip", json!({"city": "Porto"}))],
            700,
            30,
        )),
        Answer::frames(answer("Booked: T-8.", 800, 8)),
    ]);
    let spec = harness_spec("").replace(
        "      - name: book_trip\n",
        "      - name: book_trip\n        require_confirmation: true\n",
    );
    let ws = Workspace::new(&spec);
    let with_lambda = |args: &[&str]| {
        ws.agentc("http://127.0.0.1:9", args)
            .env("AWS_ENDPOINT_URL_BEDROCK_AGENTCORE", &fake.url)
            .env("AWS_ENDPOINT_URL_LAMBDA", &lambda.url)
            .run()
    };
    let paused = with_lambda(&args(&["Book Porto", "--session", SESSION]));
    assert_eq!(paused.code, 3, "{}", paused.stderr);
    assert!(lambda.requests().is_empty(), "not confirmed yet");
    let confirmed = with_lambda(&args(&["--session", SESSION, "--confirm", "b1"]));
    assert_eq!(confirmed.code, 0, "{}", confirmed.stderr);
    let event = lambda.requests()[0].json();
    assert_eq!(event["inputText"], "Book Porto");
    assert_eq!(event["sessionId"], SESSION);
    assert_eq!(event["function"], "book_trip");
}

#[test]
fn the_deployed_endpoint_is_the_qualifier_and_a_missing_one_says_to_deploy() {
    let control = FakeHarness::start();
    let spec = harness_spec("").replace(
        "    role_arn: arn:aws:iam::123456789012:role/AgentCoreHarness\n",
        "    role_arn: arn:aws:iam::123456789012:role/AgentCoreHarness\n    endpoint: live\n",
    );
    let ws = Workspace::new(&spec);
    let fake = FakeInvokeHarness::start(vec![Answer::frames(answer("Hello.", 5, 2))]);
    let agentc = |args: &[&str]| {
        ws.agentc("http://127.0.0.1:9", args)
            .envs(control.client_env(ws.path()))
            .env("AWS_ENDPOINT_URL_BEDROCK_AGENTCORE", &fake.url)
            .run()
    };
    let before = agentc(&["run", "agent.yaml", "Hi", "--target", "harness"]);
    assert_eq!(before.code, 2, "{}", before.stderr);
    assert!(
        before.stderr.contains("no harness named `test_agent`"),
        "{}",
        before.stderr
    );
    assert!(
        before
            .stderr
            .contains("agentc deploy SPEC --target harness"),
        "{}",
        before.stderr
    );

    let deploy = agentc(&[
        "deploy",
        "agent.yaml",
        "--target",
        "harness",
        "--auto-approve",
    ]);
    assert_eq!(deploy.code, 0, "{}", deploy.stderr);
    let run = agentc(&["run", "agent.yaml", "Hi", "--target", "harness"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(run.stdout, "Hello.\n");
    assert!(
        fake.requests()[0].path.ends_with("&qualifier=live"),
        "{}",
        fake.requests()[0].path
    );

    let other = agentc(&[
        "run",
        "agent.yaml",
        "Hi",
        "--target",
        "harness",
        "--qualifier",
        "beta",
    ]);
    assert_eq!(other.code, 2, "{}", other.stderr);
    assert!(
        other.stderr.contains("has no endpoint named `beta`"),
        "{}",
        other.stderr
    );
}

#[test]
fn end_session_stops_the_runtime_session_with_stop_runtime_session() {
    let control = FakeHarness::start();
    let id = control.insert_foreign_harness("test_agent", &[]);
    let session = "s".repeat(40);
    // The request's answer, then StopRuntimeSession's (200, no body), then the bare end.
    let fake = FakeInvokeHarness::start(vec![
        Answer::frames(answer("Hello.", 5, 2)),
        Answer::Stream(Vec::new()),
        Answer::Stream(Vec::new()),
    ]);
    let ws = Workspace::new(&harness_spec(""));
    let agentc = |args: &[&str]| {
        ws.agentc("http://127.0.0.1:9", args)
            .envs(control.client_env(ws.path()))
            .env("AWS_ENDPOINT_URL_BEDROCK_AGENTCORE", &fake.url)
            .run()
    };
    let base = [
        "run",
        "agent.yaml",
        "--target",
        "harness",
        "--session",
        &session,
    ];
    let with_message = agentc(&[&base[..], &["Hi", "--end-session"]].concat());
    assert_eq!(with_message.code, 0, "{}", with_message.stderr);
    assert_eq!(with_message.stdout.trim(), "Hello.");
    let bare = agentc(&[&base[..], &["--end-session", "--json"]].concat());
    assert_eq!(bare.code, 0, "{}", bare.stderr);
    let line: Value = serde_json::from_str(bare.stdout.trim()).unwrap();
    assert_eq!(line["outcome"], "session_ended");

    let requests = fake.requests();
    assert_eq!(requests.len(), 3);
    assert!(requests[0].path.starts_with("/harnesses/invoke?"));
    let runtime =
        format!("arn%3Aaws%3Abedrock-agentcore%3Aus-east-1%3A123456789012%3Aruntime%2F{id}_rt");
    for stop in &requests[1..] {
        assert_eq!(stop.method, "POST");
        assert_eq!(
            stop.path,
            format!("/runtimes/{runtime}/stopruntimesession?qualifier=DEFAULT")
        );
        assert_eq!(
            stop.header("x-amzn-bedrock-agentcore-runtime-session-id"),
            Some(session.as_str())
        );
        assert!(signature_is_well_formed(stop));
        let token = stop.json()["clientToken"]
            .as_str()
            .unwrap_or_default()
            .to_string();
        assert!((33..=256).contains(&token.len()), "{token}");
    }
}

#[test]
fn end_session_needs_a_session_and_belongs_to_the_service_targets() {
    let fake = FakeInvokeHarness::start(Vec::new());
    let ws = Workspace::new(&harness_spec(""));
    let out = run(&fake, &ws, &args(&["--end-session"]));
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert!(out.stderr.contains("needs --session ID"), "{}", out.stderr);
    let direct = ws
        .agentc(
            "http://127.0.0.1:9",
            &["run", "agent.yaml", "Hi", "--end-session"],
        )
        .run();
    assert_eq!(direct.code, 2, "{}", direct.stderr);
    assert!(
        direct
            .stderr
            .contains("--end-session does not apply to the direct target"),
        "{}",
        direct.stderr
    );
    assert!(fake.requests().is_empty());
}
