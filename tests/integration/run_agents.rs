//! `agentc run --target agents` end to end: agentc's InvokeAgent client against a fake
//! endpoint that answers with real event-stream framing (`support::fake_invoke_agent`).

use crate::support::event_stream::streams_before_the_end;
use crate::support::fake_bedrock_agent::FakeBedrockAgent;
use crate::support::fake_invoke_agent::{
    Answer, FakeInvokeAgent, Part, chunk, event, exception, model_input, model_output, trace,
};
use crate::support::*;
use serde_json::{Value, json};

const IDS: [&str; 4] = ["--agent-id", "AGENT12345", "--agent-alias-id", "ALIAS12345"];

/// A spec for the agents target; `groups` is the `action_groups:` list. Every function
/// (`get_weather`, the OpenAPI `getOrder`) gets a local handler that echoes its input.
fn agents_spec(groups: &str) -> String {
    let handlers: String = ["get_weather", "getOrder"]
        .iter()
        .filter(|f| groups.contains(*f) || (**f == "getOrder" && groups.contains("openapi")))
        .map(|f| format!("      {f}: {{command: [sh, -c, cat]}}\n"))
        .collect();
    let direct = if handlers.is_empty() {
        String::new()
    } else {
        format!("  direct:\n    handlers:\n{handlers}")
    };
    format!(
        "agentc: 1
name: test-agent
model: amazon.nova-lite-v1:0
instruction: You are a test agent. Use the tools to answer the questions you are asked.
{groups}
targets:
  agents:
    role_arn: arn:aws:iam::123456789012:role/AmazonBedrockExecutionRoleForAgents_test
    alias: live
{direct}"
    )
}

const WEATHER: &str = "action_groups:
  - name: weather
    description: Weather lookups.
    executor: return_control
    functions:
      - name: get_weather
        description: The weather in a city.
        parameters:
          city: {type: string, description: The city., required: true}
          days: {type: integer, description: How many days., required: false}
";

fn run(fake: &FakeInvokeAgent, ws: &Workspace, args: &[&str]) -> cli::Run {
    ws.agentc("http://127.0.0.1:9", args)
        .env("AWS_ENDPOINT_URL_BEDROCK_AGENT_RUNTIME", &fake.url)
        .run()
}

fn args<'a>(extra: &[&'a str]) -> Vec<&'a str> {
    let mut all = vec!["run", "agent.yaml"];
    all.extend_from_slice(extra);
    all.extend_from_slice(&["--target", "agents"]);
    all.extend_from_slice(&IDS);
    all
}

fn lines_of(trace: &std::path::Path, kind: &str) -> Vec<Value> {
    trace_lines(trace)
        .into_iter()
        .filter(|l| l["type"] == kind)
        .collect()
}

#[test]
fn a_multi_step_orchestration_is_streamed_and_every_model_call_traced_with_its_usage() {
    let fake = FakeInvokeAgent::start(vec![Answer::frames(vec![
        model_input(
            "preProcessingTrace",
            "t-0",
            "PRE_PROCESSING",
            "amazon.nova-lite-v1:0",
        ),
        model_output("preProcessingTrace", "t-0", 410, 12),
        model_input(
            "orchestrationTrace",
            "t-1",
            "ORCHESTRATION",
            "amazon.nova-pro-v1:0",
        ),
        model_output("orchestrationTrace", "t-1", 1733, 61),
        trace(
            json!({"orchestrationTrace": {"invocationInput": {"traceId": "t-1", "invocationType": "ACTION_GROUP",
            "actionGroupInvocationInput": {"actionGroupName": "lookup", "function": "find", "executionType": "LAMBDA"}}}}),
        ),
        trace(
            json!({"orchestrationTrace": {"observation": {"traceId": "t-1", "type": "ACTION_GROUP",
            "actionGroupInvocationOutput": {"text": "found 3", "metadata": {"totalTimeMs": 80}}}}}),
        ),
        trace(
            json!({"orchestrationTrace": {"invocationInput": {"traceId": "t-2", "invocationType": "KNOWLEDGE_BASE",
            "knowledgeBaseLookupInput": {"knowledgeBaseId": "KB12345678", "text": "q"}}}}),
        ),
        trace(
            json!({"orchestrationTrace": {"observation": {"traceId": "t-2", "type": "KNOWLEDGE_BASE",
            "knowledgeBaseLookupOutput": {"retrievedReferences": [{"content": {"text": "12345"}}, {"content": {"text": "678"}}]}}}}),
        ),
        model_input(
            "orchestrationTrace",
            "t-3",
            "ORCHESTRATION",
            "amazon.nova-pro-v1:0",
        ),
        model_output("orchestrationTrace", "t-3", 1950, 88),
        model_output("postProcessingTrace", "t-4", 300, 40),
        trace(json!({"guardrailTrace": {"action": "NONE", "traceId": "g-1"}})),
        chunk("Three "),
        chunk("services are up."),
    ])]);
    let ws = Workspace::new(&agents_spec(""));
    let trace_file = ws.file("trace.jsonl");
    let out = run(
        &fake,
        &ws,
        &args(&["How are things?", "--trace", trace_file.to_str().unwrap()]),
    );
    assert_eq!(out.code, 0, "{out:?}");
    assert_eq!(out.stdout, "Three services are up.\n");

    let requests = fake.requests();
    assert_eq!(requests.len(), 1);
    assert_eq!(requests[0].method, "POST");
    assert!(
        requests[0]
            .path
            .starts_with("/agents/AGENT12345/agentAliases/ALIAS12345/sessions/run-"),
        "{}",
        requests[0].path
    );
    assert!(requests[0].path.ends_with("/text"));
    assert_eq!(
        requests[0].json(),
        json!({"inputText": "How are things?", "enableTrace": true})
    );

    let calls = lines_of(&trace_file, "model_call");
    let steps: Vec<&str> = calls.iter().map(|l| l["step"].as_str().unwrap()).collect();
    assert_eq!(
        steps,
        [
            "pre_processing",
            "orchestration",
            "orchestration",
            "post_processing"
        ]
    );
    let usage: Vec<(u64, u64)> = calls
        .iter()
        .map(|l| {
            (
                l["usage"]["input_tokens"].as_u64().unwrap(),
                l["usage"]["output_tokens"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(usage, [(410, 12), (1733, 61), (1950, 88), (300, 40)]);
    assert_eq!(calls[1]["model_id"], "amazon.nova-pro-v1:0");
    // No prompt named the post-processing model: the spec's model prices it.
    assert_eq!(calls[3]["model_id"], "amazon.nova-lite-v1:0");
    assert_eq!(calls[1]["latency_ms"], 250.0);
    assert!(calls.iter().all(|l| l["target"] == "agents"));

    let tools = lines_of(&trace_file, "tool_call");
    assert_eq!(tools.len(), 1);
    assert_eq!(tools[0]["name"], "lookup/find");
    assert_eq!(tools[0]["executed_by"], "service");
    assert_eq!(tools[0]["result_bytes"], 7);
    let retrievals = lines_of(&trace_file, "retrieval");
    assert_eq!(retrievals.len(), 1);
    assert_eq!(retrievals[0]["knowledge_base_id"], "KB12345678");
    assert_eq!(retrievals[0]["results"], 2);
    assert_eq!(retrievals[0]["bytes"], 8);
    assert_eq!(lines_of(&trace_file, "guardrail")[0]["action"], "NONE");
    let request = &lines_of(&trace_file, "request")[0];
    assert_eq!(request["model_calls"], 4);
    assert_eq!(request["outcome"], "answered");
    assert_eq!(request["attempt"], 1);
    let raw = std::fs::read_to_string(&trace_file).unwrap();
    assert!(!raw.contains(SECRET) && !raw.contains("AWS4-HMAC"));
    assert!(
        !raw.contains("How are things") && !raw.contains("the whole prompt"),
        "no message content in the trace"
    );
}

#[test]
fn json_output_sums_the_measured_usage() {
    let fake = FakeInvokeAgent::start(vec![Answer::frames(vec![
        model_output("orchestrationTrace", "t-0", 1000, 10),
        model_output("orchestrationTrace", "t-1", 1200, 20),
        chunk("ok"),
    ])]);
    let ws = Workspace::new(&agents_spec(""));
    let out = run(&fake, &ws, &args(&["hi", "--json", "--session", "s-1"]));
    assert_eq!(out.code, 0, "{out:?}");
    let line = out.json();
    assert_eq!(line["text"], "ok");
    assert_eq!(line["session"], "s-1");
    assert_eq!(line["model_calls"], 2);
    assert_eq!(line["usage"]["input_tokens"], 2200);
    assert_eq!(line["usage"]["output_tokens"], 30);
    assert!(fake.requests()[0].path.contains("/sessions/s-1/"));
    // --json reports usage, so the trace events are asked for.
    assert_eq!(fake.requests()[0].json()["enableTrace"], true);
}

#[test]
fn without_a_trace_the_service_is_not_asked_for_trace_events() {
    let fake = FakeInvokeAgent::start(vec![Answer::frames(vec![chunk("plain answer")])]);
    let ws = Workspace::new(&agents_spec(""));
    let out = run(&fake, &ws, &args(&["hi"]));
    assert_eq!(out.code, 0, "{out:?}");
    assert_eq!(out.stdout, "plain answer\n");
    assert_eq!(fake.requests()[0].json()["enableTrace"], false);
}

#[test]
fn a_returned_function_call_runs_locally_and_is_answered_on_the_same_session() {
    let fake = FakeInvokeAgent::start(vec![
        Answer::frames(vec![
            model_output("orchestrationTrace", "t-0", 900, 30),
            event(
                "returnControl",
                &json!({"invocationId": "inv-1", "invocationInputs": [{"functionInvocationInput": {
                    "actionGroup": "weather", "function": "get_weather", "actionInvocationType": "RESULT",
                    "parameters": [{"name": "city", "type": "string", "value": "Oslo"},
                                   {"name": "days", "type": "integer", "value": "2"}]}}]}),
            ),
        ]),
        Answer::frames(vec![
            model_output("orchestrationTrace", "t-1", 1100, 25),
            chunk("Sunny in Oslo."),
        ]),
    ]);
    let ws = Workspace::new(&agents_spec(WEATHER));
    let trace_file = ws.file("trace.jsonl");
    let out = run(
        &fake,
        &ws,
        &args(&[
            "Weather?",
            "--session",
            "s-roc",
            "--trace",
            trace_file.to_str().unwrap(),
        ]),
    );
    assert_eq!(out.code, 0, "{out:?}");
    assert_eq!(out.stdout, "Sunny in Oslo.\n");
    let requests = fake.requests();
    assert_eq!(requests.len(), 2);
    assert!(requests[1].path.contains("/sessions/s-roc/"));
    let answer = requests[1].json();
    assert_eq!(answer["sessionState"]["invocationId"], "inv-1");
    let result = &answer["sessionState"]["returnControlInvocationResults"][0]["functionResult"];
    assert_eq!(result["actionGroup"], "weather");
    assert_eq!(result["function"], "get_weather");
    // The handler (`cat`) echoes its input: the parameters, typed as declared.
    let body: Value =
        serde_json::from_str(result["responseBody"]["TEXT"]["body"].as_str().unwrap()).unwrap();
    assert_eq!(body, json!({"city": "Oslo", "days": 2}));
    assert!(result.get("responseState").is_none());

    let tools = lines_of(&trace_file, "tool_call");
    assert_eq!(tools.len(), 1);
    assert_eq!(tools[0]["outcome"], "ok");
    assert!(tools[0].get("executed_by").is_none());
    let request = &lines_of(&trace_file, "request")[0];
    assert_eq!(request["model_calls"], 2, "usage summed over both calls");
}

#[test]
fn a_returned_openapi_call_is_answered_with_an_api_result() {
    let fake = FakeInvokeAgent::start(vec![
        Answer::frames(vec![event(
            "returnControl",
            &json!({"invocationId": "inv-9", "invocationInputs": [{"apiInvocationInput": {
                "actionGroup": "orders", "httpMethod": "GET", "apiPath": "/orders/{orderId}",
                "parameters": [{"name": "orderId", "type": "string", "value": "WO-1"}]}}]}),
        )]),
        Answer::frames(vec![chunk("Order WO-1 is open.")]),
    ]);
    let ws = Workspace::new(&agents_spec(
        "action_groups:
  - name: orders
    description: The orders API.
    executor: return_control
    openapi: orders.yaml
",
    ));
    std::fs::write(
        ws.file("orders.yaml"),
        "openapi: 3.0.3
info: {title: Orders, version: '1'}
paths:
  /orders/{orderId}:
    get:
      operationId: getOrder
      description: Get one order.
      parameters:
        - {name: orderId, in: path, required: true, description: The id., schema: {type: string}}
      responses:
        '200': {description: The order.}
",
    )
    .unwrap();
    let out = run(&fake, &ws, &args(&["Order WO-1?"]));
    assert_eq!(out.code, 0, "{out:?}");
    assert_eq!(out.stdout, "Order WO-1 is open.\n");
    let answer = fake.requests()[1].json();
    let result = &answer["sessionState"]["returnControlInvocationResults"][0]["apiResult"];
    assert_eq!(result["actionGroup"], "orders");
    assert_eq!(result["apiPath"], "/orders/{orderId}");
    assert_eq!(result["httpMethod"], "GET");
    assert_eq!(result["httpStatusCode"], 200);
    let body: Value = serde_json::from_str(
        result["responseBody"]["application/json"]["body"]
            .as_str()
            .unwrap(),
    )
    .unwrap();
    assert_eq!(body, json!({"orderId": "WO-1"}));
}

#[test]
fn dependency_failed_in_the_stream_names_the_workaround_and_retry_session_applies_it() {
    let failing = || {
        Answer::frames(vec![
            model_output("orchestrationTrace", "t-0", 5000, 3),
            exception(
                "dependencyFailedException",
                "The model produced an invalid sequence",
            ),
        ])
    };
    // Without --retry-session: a clear failure, and one attempt in the trace.
    let fake = FakeInvokeAgent::start(vec![failing()]);
    let ws = Workspace::new(&agents_spec(""));
    let trace_file = ws.file("trace.jsonl");
    let out = run(
        &fake,
        &ws,
        &args(&["hi", "--trace", trace_file.to_str().unwrap()]),
    );
    assert_eq!(out.code, 2, "{out:?}");
    assert!(out.stderr.contains("dependencyFailedException"), "{out:?}");
    // (miette wraps the help after the hyphen)
    assert!(out.stderr.contains("--retry-"), "{out:?}");
    assert_eq!(fake.requests().len(), 1);
    let failure = &lines_of(&trace_file, "failure")[0];
    assert_eq!(failure["code"], "dependencyFailedException");
    assert_eq!(
        lines_of(&trace_file, "request")[0]["outcome"],
        "dependency_failed"
    );
    drop(fake);

    // With --retry-session 2: a new session after the failure, and each attempt traced.
    let fake = FakeInvokeAgent::start(vec![
        failing(),
        Answer::frames(vec![
            model_output("orchestrationTrace", "t-0", 1500, 40),
            chunk("Recovered."),
        ]),
    ]);
    let trace_file = ws.file("retried.jsonl");
    let out = run(
        &fake,
        &ws,
        &args(&[
            "hi",
            "--session",
            "first",
            "--retry-session",
            "2",
            "--trace",
            trace_file.to_str().unwrap(),
        ]),
    );
    assert_eq!(out.code, 0, "{out:?}");
    assert_eq!(out.stdout, "Recovered.\n");
    assert!(out.stderr.contains("attempt 2"), "{out:?}");
    let requests = fake.requests();
    assert_eq!(requests.len(), 2);
    assert!(requests[0].path.contains("/sessions/first/"));
    assert!(!requests[1].path.contains("/sessions/first/"));
    let attempts: Vec<(u64, String)> = lines_of(&trace_file, "request")
        .iter()
        .map(|l| {
            (
                l["attempt"].as_u64().unwrap(),
                l["outcome"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(
        attempts,
        [(1, "dependency_failed".into()), (2, "answered".into())]
    );
    let requests_ids: Vec<Value> = lines_of(&trace_file, "request")
        .iter()
        .map(|l| l["request"].clone())
        .collect();
    assert_ne!(requests_ids[0], requests_ids[1]);
}

#[test]
fn throttling_before_the_stream_is_retried() {
    let fake = FakeInvokeAgent::start(vec![
        Answer::Error {
            status: 429,
            kind: "ThrottlingException",
            message: "Rate exceeded",
        },
        Answer::frames(vec![chunk("after the wait")]),
    ]);
    let ws = Workspace::new(&agents_spec(""));
    let out = run(&fake, &ws, &args(&["hi"]));
    assert_eq!(out.code, 0, "{out:?}");
    assert_eq!(out.stdout, "after the wait\n");
    assert_eq!(fake.requests().len(), 2);
}

#[test]
fn a_refused_request_is_named_with_what_to_do() {
    let fake = FakeInvokeAgent::start(vec![Answer::Error {
        status: 404,
        kind: "ResourceNotFoundException",
        message: "Agent AGENT12345 not found",
    }]);
    let ws = Workspace::new(&agents_spec(""));
    let out = run(&fake, &ws, &args(&["hi"]));
    assert_eq!(out.code, 2, "{out:?}");
    assert!(
        out.stderr.contains("ResourceNotFoundException") && out.stderr.contains("--agent-id"),
        "{out:?}"
    );
    assert_eq!(fake.requests().len(), 1, "not retried");
}

#[test]
fn a_stream_cut_in_the_middle_is_a_clear_error() {
    let fake = FakeInvokeAgent::start(vec![
        Answer::Stream(vec![
            Part::Frame(chunk("The first half")),
            Part::Cut(chunk(" and the rest")),
        ]),
        Answer::frames(vec![chunk("must not be asked for")]),
    ]);
    let ws = Workspace::new(&agents_spec(WEATHER));
    let trace_file = ws.file("trace.jsonl");
    let out = run(
        &fake,
        &ws,
        &args(&["hi", "--trace", trace_file.to_str().unwrap()]),
    );
    assert_eq!(out.code, 2, "{out:?}");
    assert!(out.stderr.contains("was cut after 1 event"), "{out:?}");
    assert!(out.stderr.contains("incomplete"), "{out:?}");
    assert_eq!(out.stdout, "The first half\n");
    assert_eq!(fake.requests().len(), 1, "nothing more sent on the session");
    assert_eq!(lines_of(&trace_file, "request")[0]["outcome"], "stream_cut");
    for line in std::fs::read_to_string(&trace_file).unwrap().lines() {
        serde_json::from_str::<Value>(line).expect("every trace line whole");
    }
}

#[test]
fn unknown_event_types_are_ignored_and_counted() {
    let fake = FakeInvokeAgent::start(vec![Answer::frames(vec![
        event("somethingNew", &json!({"x": 1})),
        chunk("still fine"),
        event("somethingNew", &json!({"x": 2})),
    ])]);
    let ws = Workspace::new(&agents_spec(""));
    let out = run(&fake, &ws, &args(&["hi"]));
    assert_eq!(out.code, 0, "{out:?}");
    assert_eq!(out.stdout, "still fine\n");
    assert!(out.stderr.contains("2 `somethingNew`"), "{out:?}");
}

#[test]
fn the_first_chunk_is_printed_while_the_stream_is_still_open() {
    let (go_on, wait) = std::sync::mpsc::channel();
    let fake = FakeInvokeAgent::start(vec![Answer::Stream(vec![
        Part::Frame(chunk("first|")),
        Part::WaitFor(wait),
        Part::Frame(chunk("second")),
    ])]);
    let ws = Workspace::new(&agents_spec(""));
    let mut command = ws.command("http://127.0.0.1:9", &args(&["hi"]));
    command.env("AWS_ENDPOINT_URL_BEDROCK_AGENT_RUNTIME", &fake.url);
    // The fake holds the rest of the stream until "first|" has reached agentc's stdout.
    let rest = streams_before_the_end(&mut command, "first|", &go_on);
    assert_eq!(
        rest,
        "second
"
    );
}

#[test]
fn the_deployed_agent_and_alias_are_found_by_name() {
    let agents = FakeBedrockAgent::start();
    let ws = Workspace::new(&agents_spec(""));
    let env = agents.client_env(ws.path());
    let deploy = cli::agentc([
        "deploy",
        "agent.yaml",
        "--target",
        "agents",
        "--auto-approve",
    ])
    .current_dir(ws.path())
    .env_clear()
    .env("PATH", std::env::var_os("PATH").unwrap_or_default())
    .envs(env.clone())
    .run();
    assert_eq!(deploy.code, 0, "{deploy:?}");
    let (_, agent_id) = agents
        .agents()
        .into_iter()
        .find(|(name, _)| name == "test-agent")
        .unwrap();
    assert!(
        agents
            .aliases(&agent_id)
            .iter()
            .any(|(name, _, _)| name == "live")
    );

    let fake = FakeInvokeAgent::start(vec![Answer::frames(vec![chunk("hello")])]);
    let out = cli::agentc(["run", "agent.yaml", "hi", "--target", "agents"])
        .current_dir(ws.path())
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .envs(env)
        .env("AWS_ENDPOINT_URL_BEDROCK_AGENT_RUNTIME", &fake.url)
        .run();
    assert_eq!(out.code, 0, "{out:?}");
    assert_eq!(out.stdout, "hello\n");
    let path = fake.requests()[0].path.clone();
    let alias_id = path
        .strip_prefix(&format!("/agents/{agent_id}/agentAliases/"))
        .and_then(|rest| rest.split('/').next())
        .unwrap_or_else(|| panic!("not the deployed agent: {path}"));
    assert!(!alias_id.is_empty() && alias_id != "TSTALIASID", "{path}");
}

#[test]
fn agents_only_flags_are_refused_on_the_direct_target() {
    let ws = Workspace::new(&agents_spec(""));
    let out = ws
        .agentc(
            "http://127.0.0.1:9",
            &["run", "agent.yaml", "hi", "--retry-session", "2"],
        )
        .run();
    assert_eq!(out.code, 2, "{out:?}");
    assert!(
        out.stderr
            .contains("--retry-session does not apply to the direct target"),
        "{out:?}"
    );
}

#[test]
fn the_fake_refuses_requests_without_a_well_formed_bedrock_signature() {
    use crate::support::fake_invoke_agent::signature_is_well_formed;
    let request = |authorization: &str| Recorded {
        method: "POST".into(),
        path: "/agents/A/agentAliases/B/sessions/s/text".into(),
        headers: vec![
            ("Authorization".into(), authorization.into()),
            ("X-Amz-Date".into(), "20261202T000000Z".into()),
        ],
        body: String::new(),
    };
    let good = format!(
        "AWS4-HMAC-SHA256 Credential=test/20261202/us-east-1/bedrock/aws4_request, SignedHeaders=content-type;host;x-amz-date, Signature={}",
        "a".repeat(64)
    );
    assert!(signature_is_well_formed(&request(&good)));
    for bad in [
        good.replace("/bedrock/", "/bedrock-agent-runtime/"),
        good.replace("host;", ""),
        good.replace(&"a".repeat(64), "short"),
        "Bearer token".to_string(),
    ] {
        assert!(!signature_is_well_formed(&request(&bad)), "{bad}");
    }
}

#[test]
fn a_call_that_needs_confirmation_never_runs_unconfirmed_and_confirm_continues() {
    let marker = "ran.txt";
    let fake = FakeInvokeAgent::start(vec![
        Answer::frames(vec![event(
            "returnControl",
            &json!({"invocationId": "inv-2", "invocationInputs": [{"functionInvocationInput": {
                "actionGroup": "weather", "function": "get_weather",
                "actionInvocationType": "USER_CONFIRMATION_AND_RESULT",
                "parameters": [{"name": "city", "type": "string", "value": "Oslo"}]}}]}),
        )]),
        Answer::frames(vec![chunk("Oslo: rain.")]),
    ]);
    let spec = agents_spec(WEATHER).replace(
        "{command: [sh, -c, cat]}",
        &format!("{{command: [sh, -c, 'touch {marker}; cat']}}"),
    );
    let ws = Workspace::new(&spec);
    // Not a terminal: nobody here can confirm, so the call goes back to the caller.
    let out = run(&fake, &ws, &args(&["Weather?", "--session", "s-confirm"]));
    assert_eq!(out.code, 3, "{out:?}");
    assert_eq!(
        out.stdout,
        "tool call inv-2-0 (weather/get_weather, needs confirmation): {\"city\":\"Oslo\"}\n"
    );
    assert!(
        out.stderr
            .contains("--session s-confirm --confirm inv-2-0 (or --deny inv-2-0)"),
        "{out:?}"
    );
    assert!(!ws.file(marker).exists(), "the function ran unconfirmed");
    assert_eq!(fake.requests().len(), 1, "nothing answered");

    let out = run(
        &fake,
        &ws,
        &args(&["--session", "s-confirm", "--confirm", "inv-2-0"]),
    );
    assert_eq!(out.code, 0, "{out:?}");
    assert_eq!(out.stdout, "Oslo: rain.\n");
    assert!(ws.file(marker).exists(), "confirmed: it ran");
    let answer = fake.requests()[1].json();
    assert!(fake.requests()[1].path.contains("/sessions/s-confirm/"));
    assert_eq!(answer["sessionState"]["invocationId"], "inv-2");
    let result = &answer["sessionState"]["returnControlInvocationResults"][0]["functionResult"];
    assert_eq!(result["confirmationState"], "CONFIRM");
    assert_eq!(
        result["responseBody"]["TEXT"]["body"],
        json!({"city": "Oslo"}).to_string()
    );
    // Answered: nothing waits any more.
    let out = run(
        &fake,
        &ws,
        &args(&["--session", "s-confirm", "--deny", "inv-2-0"]),
    );
    assert_eq!(out.code, 2, "{out:?}");
    assert!(out.stderr.contains("no calls waiting"), "{out:?}");
}

#[test]
fn a_returned_call_without_a_local_executor_is_answered_with_tool_result() {
    let fake = FakeInvokeAgent::start(vec![
        Answer::frames(vec![event(
            "returnControl",
            &json!({"invocationId": "inv-9", "invocationInputs": [{"functionInvocationInput": {
                "actionGroup": "weather", "function": "get_weather",
                "actionInvocationType": "RESULT",
                "parameters": [{"name": "city", "type": "string", "value": "Rome"}]}}]}),
        )]),
        Answer::frames(vec![chunk("Rome: 31 degrees.")]),
    ]);
    let spec = agents_spec(WEATHER).replace(
        "  direct:\n    handlers:\n      get_weather: {command: [sh, -c, cat]}\n",
        "",
    );
    assert!(!spec.contains("handlers"), "{spec}");
    let ws = Workspace::new(&spec);
    let out = run(
        &fake,
        &ws,
        &args(&["Weather in Rome?", "--session", "s-rc", "--json"]),
    );
    assert_eq!(out.code, 3, "{out:?}");
    let report: Value = serde_json::from_str(out.stdout.trim()).unwrap();
    assert_eq!(report["outcome"], "return_control");
    assert_eq!(report["pending_tool_calls"][0]["toolUseId"], "inv-9-0");
    assert_eq!(
        report["pending_tool_calls"][0]["input"],
        json!({"city": "Rome"})
    );

    let out = run(
        &fake,
        &ws,
        &args(&["--session", "s-rc", "--tool-result", "inv-9-0=31 degrees"]),
    );
    assert_eq!(out.code, 0, "{out:?}");
    assert_eq!(out.stdout, "Rome: 31 degrees.\n");
    let answer = fake.requests()[1].json();
    assert_eq!(answer["sessionState"]["invocationId"], "inv-9");
    let result = &answer["sessionState"]["returnControlInvocationResults"][0]["functionResult"];
    assert_eq!(result["actionGroup"], "weather");
    assert_eq!(result["function"], "get_weather");
    assert_eq!(result["responseBody"]["TEXT"]["body"], "31 degrees");
    assert!(result.get("confirmationState").is_none(), "{result}");
}

#[test]
fn end_session_without_a_message_ends_the_named_session() {
    let fake = FakeInvokeAgent::start(vec![Answer::frames(vec![])]);
    let ws = Workspace::new(&agents_spec(""));
    let out = run(&fake, &ws, &args(&["--session", "s-done", "--end-session"]));
    assert_eq!(out.code, 0, "{out:?}");
    assert_eq!(out.stdout, "");
    let requests = fake.requests();
    assert!(requests[0].path.contains("/sessions/s-done/"));
    assert_eq!(
        requests[0].json(),
        json!({"enableTrace": false, "endSession": true})
    );
    let out = run(&fake, &ws, &args(&["--end-session"]));
    assert_eq!(out.code, 2, "{out:?}");
    assert!(out.stderr.contains("needs --session"), "{out:?}");
}

#[test]
fn a_confirmation_the_service_acts_on_is_denied_from_the_command_line() {
    let fake = FakeInvokeAgent::start(vec![
        Answer::frames(vec![event(
            "returnControl",
            &json!({"invocationId": "inv-5", "invocationInputs": [{"functionInvocationInput": {
                "actionGroup": "weather", "function": "get_weather",
                "actionInvocationType": "USER_CONFIRMATION",
                "parameters": [{"name": "city", "type": "string", "value": "Bern"}]}}]}),
        )]),
        Answer::frames(vec![chunk("Not looked up.")]),
    ]);
    let ws = Workspace::new(&agents_spec(WEATHER));
    let out = run(&fake, &ws, &args(&["Weather?", "--session", "s-deny"]));
    assert_eq!(out.code, 3, "{out:?}");
    let out = run(
        &fake,
        &ws,
        &args(&["--session", "s-deny", "--deny", "inv-5-0"]),
    );
    assert_eq!(out.code, 0, "{out:?}");
    let result = &fake.requests()[1].json()["sessionState"]["returnControlInvocationResults"][0]["functionResult"];
    assert_eq!(result["confirmationState"], "DENY");
    assert_eq!(
        result["responseBody"]["TEXT"]["body"],
        "The user denied this call."
    );
}
