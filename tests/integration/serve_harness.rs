//! `agentc serve --target harness` judged by the real InvokeAgent client: the SDK calls a
//! `serve` process that runs each turn on a fake InvokeHarness endpoint
//! (`support::fake_invoke_harness`, real event-stream framing). The SDK's own parser decides
//! whether the chunks, traces, returnControl and exceptions serve sends are InvokeAgent's.

use crate::serve::{Serve, runtime};
use crate::support::fake_invoke_harness::{
    ARN, Answer, FakeInvokeHarness, answer, exception, message_start, pause, text_delta,
};
use crate::support::{Reply, Server, Workspace};
use aws_sdk_bedrockagentruntime::types::{
    ContentBody, FunctionResult, InvocationResultMember, OrchestrationTrace, ResponseStream,
    SessionState, Trace,
};
use serde_json::{Value, json};

/// `get_weather` has a local command (it echoes its input); `ask_user` has none, so its
/// calls go back to the caller.
const SPEC: &str = "agentc: 1
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
          city: {type: string, description: The city., required: true}
      - name: ask_user
        description: Ask the user a question.
        parameters:
          question: {type: string, description: The question., required: true}
targets:
  harness:
    role_arn: arn:aws:iam::123456789012:role/AgentCoreHarness
  direct:
    handlers:
      get_weather: {command: [sh, -c, cat]}
";

const SESSION_HEADER: &str = "x-amzn-bedrock-agentcore-runtime-session-id";

fn start(fake: &FakeInvokeHarness, ws: &Workspace) -> Serve {
    Serve::start_with(
        ws,
        "http://127.0.0.1:9",
        &["agent.yaml", "--target", "harness", "--harness-arn", ARN],
        &[("AWS_ENDPOINT_URL_BEDROCK_AGENTCORE", fake.url.as_str())],
    )
}

/// What one InvokeAgent call streamed, event by event.
#[derive(Default, Debug)]
struct Streamed {
    chunks: Vec<String>,
    traces: Vec<OrchestrationTrace>,
    return_control: Option<aws_sdk_bedrockagentruntime::types::ReturnControlPayload>,
    error: Option<aws_sdk_bedrockagentruntime::types::error::ResponseStreamError>,
}

impl Streamed {
    fn text(&self) -> String {
        self.chunks.concat()
    }

    fn usages(&self) -> Vec<(Option<i32>, Option<i32>)> {
        self.traces
            .iter()
            .filter_map(|t| t.as_model_invocation_output().ok())
            .map(|o| {
                let usage = o.metadata().and_then(|m| m.usage()).unwrap();
                (usage.input_tokens(), usage.output_tokens())
            })
            .collect()
    }
}

fn invoke(
    serve: &Serve,
    session: &str,
    input: Option<&str>,
    state: Option<SessionState>,
) -> Streamed {
    let client = serve.client();
    let agent = serve.agent_id();
    runtime().block_on(async {
        let output = client
            .invoke_agent()
            .agent_id(agent)
            .agent_alias_id("TSTALIASID")
            .session_id(session)
            .set_input_text(input.map(str::to_string))
            .set_session_state(state)
            .enable_trace(true)
            .send()
            .await
            .unwrap();
        let mut streamed = Streamed::default();
        let mut completion = output.completion;
        loop {
            match completion.recv().await {
                Ok(Some(ResponseStream::Chunk(part))) => streamed
                    .chunks
                    .push(String::from_utf8(part.bytes().unwrap().as_ref().to_vec()).unwrap()),
                Ok(Some(ResponseStream::Trace(part))) => match part.trace() {
                    Some(Trace::OrchestrationTrace(trace)) => streamed.traces.push(trace.clone()),
                    other => panic!("not an orchestration trace: {other:?}"),
                },
                Ok(Some(ResponseStream::ReturnControl(payload))) => {
                    streamed.return_control = Some(payload);
                }
                Ok(Some(other)) => panic!("unexpected event {other:?}"),
                Ok(None) => break,
                Err(error) => {
                    streamed.error = Some(error.into_service_error());
                    break;
                }
            }
        }
        streamed
    })
}

/// The log is read from serve's stderr by a thread: a line written as a stream ended may
/// take a moment to arrive.
fn assert_logged(serve: &Serve, needle: &str) {
    for _ in 0..100 {
        if serve.log().contains(needle) {
            return;
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    panic!("no `{needle}` in the log: {}", serve.log());
}

fn runtime_session(request: &crate::support::Recorded) -> String {
    request.header(SESSION_HEADER).unwrap().to_string()
}

#[test]
fn a_streamed_answer_is_sent_as_it_arrives_with_the_streams_usage_and_the_session_continues() {
    let fake = FakeInvokeHarness::start(vec![
        Answer::frames(answer("It is sunny in Paris.", 812, 23)),
        Answer::frames(answer("Still sunny.", 900, 5)),
        Answer::frames(answer("Another session.", 10, 1)),
    ]);
    let ws = Workspace::new(SPEC);
    let serve = start(&fake, &ws);
    assert!(
        serve.agents[0].contains(&format!("on harness {ARN} at DEFAULT")),
        "{:?}",
        serve.agents
    );

    let first = invoke(&serve, "user:42", Some("Weather in Paris?"), None);
    assert!(first.error.is_none(), "{first:?}");
    // The fake sends the answer in two text deltas: each is its own chunk.
    assert_eq!(first.chunks, ["It is sunn", "y in Paris."]);
    assert_eq!(first.usages(), [(Some(812), Some(23))]);
    let input = first.traces[0].as_model_invocation_input().unwrap();
    assert_eq!(input.foundation_model(), Some("amazon.nova-lite-v1:0"));
    let output = first.traces[1].as_model_invocation_output().unwrap();
    assert_eq!(output.metadata().unwrap().total_time_ms(), Some(300));
    let last = first.traces.last().unwrap().as_observation().unwrap();
    assert_eq!(
        last.final_response().unwrap().text(),
        Some("It is sunny in Paris.")
    );

    let second = invoke(&serve, "user:42", Some("And now?"), None);
    assert_eq!(second.text(), "Still sunny.");
    let other = invoke(&serve, "user:43", Some("Hi"), None);
    assert_eq!(other.text(), "Another session.");

    let requests = fake.requests();
    assert_eq!(requests.len(), 3);
    let session = runtime_session(&requests[0]);
    assert!(
        session.starts_with("agentc-") && session.len() == 71,
        "{session}"
    );
    assert_eq!(
        runtime_session(&requests[1]),
        session,
        "one runtime session"
    );
    assert_ne!(runtime_session(&requests[2]), session);
    assert_eq!(
        requests[1].json(),
        json!({"messages": [{"role": "user", "content": [{"text": "And now?"}]}]}),
        "the harness keeps the history: only the new message is sent"
    );
    assert!(serve.log().contains("outcome=end_turn"), "{}", serve.log());
    assert!(!serve.log().contains("sunny"), "no content in the log");
}

#[test]
fn an_inline_function_runs_its_command_and_is_traced_with_each_model_calls_usage() {
    let fake = FakeInvokeHarness::start(vec![
        Answer::frames(pause(
            &[("t1", "get_weather", json!({"city": "Paris"}))],
            900,
            40,
        )),
        Answer::frames(answer("Sunny.", 1000, 12)),
    ]);
    let ws = Workspace::new(SPEC);
    let serve = start(&fake, &ws);
    let streamed = invoke(&serve, "s-tools", Some("Weather?"), None);
    assert!(streamed.error.is_none(), "{streamed:?}");
    assert_eq!(streamed.text(), "Sunny.");
    assert_eq!(
        streamed.usages(),
        [(Some(900), Some(40)), (Some(1000), Some(12))]
    );
    let invocation = streamed
        .traces
        .iter()
        .find_map(|t| t.as_invocation_input().ok())
        .expect("the call agentc ran");
    let group = invocation.action_group_invocation_input().unwrap();
    assert_eq!(group.action_group_name(), Some("weather"));
    assert_eq!(group.function(), Some("get_weather"));
    let observation = streamed
        .traces
        .iter()
        .filter_map(|t| t.as_observation().ok())
        .find_map(|o| o.action_group_invocation_output())
        .expect("its observation");
    assert_eq!(observation.text(), Some("{\"city\":\"Paris\"}"));
    // The tool call shares the trace id of the model call that asked for it.
    let model_trace = streamed.traces[1]
        .as_model_invocation_output()
        .unwrap()
        .trace_id();
    assert_eq!(invocation.trace_id(), model_trace);

    let requests = fake.requests();
    assert_eq!(requests.len(), 2);
    assert_eq!(runtime_session(&requests[0]), runtime_session(&requests[1]));
    let result = &requests[1].json()["messages"][0]["content"][0]["toolResult"];
    assert_eq!(result["toolUseId"], "t1");
    assert_eq!(result["content"][0], json!({"json": {"city": "Paris"}}));
}

#[test]
fn return_of_control_round_trips_on_the_same_runtime_session() {
    let fake = FakeInvokeHarness::start(vec![
        Answer::frames(pause(
            &[("t9", "ask_user", json!({"question": "Which city?"}))],
            500,
            20,
        )),
        Answer::frames(answer("Paris it is.", 600, 6)),
    ]);
    let ws = Workspace::new(SPEC);
    let serve = start(&fake, &ws);
    let paused = invoke(&serve, "s-roc", Some("Plan my trip"), None);
    assert!(paused.error.is_none(), "{paused:?}");
    assert_eq!(paused.text(), "");
    let payload = paused.return_control.expect("a returnControl event");
    let invocation_id = payload.invocation_id().unwrap().to_string();
    let function = payload.invocation_inputs()[0]
        .as_function_invocation_input()
        .unwrap();
    assert_eq!(function.action_group(), "weather");
    assert_eq!(function.function(), Some("ask_user"));
    assert_eq!(function.parameters()[0].value(), Some("Which city?"));

    // A new message while the calls wait is refused before anything reaches the harness.
    let client = serve.client();
    let agent = serve.agent_id();
    let refused = runtime().block_on(
        client
            .invoke_agent()
            .agent_id(&agent)
            .agent_alias_id("TSTALIASID")
            .session_id("s-roc")
            .input_text("something else")
            .send(),
    );
    let error = refused.err().unwrap().into_service_error();
    assert!(error.is_validation_exception(), "{error:?}");

    let state = SessionState::builder()
        .invocation_id(&invocation_id)
        .return_control_invocation_results(InvocationResultMember::FunctionResult(
            FunctionResult::builder()
                .action_group("weather")
                .function("ask_user")
                .response_body("TEXT", ContentBody::builder().body("Paris").build())
                .build()
                .unwrap(),
        ))
        .build();
    let answered = invoke(&serve, "s-roc", None, Some(state));
    assert!(answered.error.is_none(), "{answered:?}");
    assert_eq!(answered.text(), "Paris it is.");

    let requests = fake.requests();
    assert_eq!(requests.len(), 2);
    assert_eq!(runtime_session(&requests[0]), runtime_session(&requests[1]));
    let body: Value = requests[1].json();
    let result = &body["messages"][0]["content"][0]["toolResult"];
    assert_eq!(result["toolUseId"], "t9");
    assert_eq!(result["content"][0], json!({"text": "Paris"}));
}

#[test]
fn an_exception_in_the_harness_stream_is_the_exception_event() {
    let fake = FakeInvokeHarness::start(vec![Answer::frames(vec![
        message_start("assistant"),
        text_delta(0, "Partial"),
        exception("throttlingException", "Rate exceeded"),
    ])]);
    let ws = Workspace::new(SPEC);
    let serve = start(&fake, &ws);
    let streamed = invoke(&serve, "s-fail", Some("Hi"), None);
    assert_eq!(streamed.chunks, ["Partial"], "sent as it arrived");
    let error = streamed.error.expect("an exception event");
    assert!(error.is_throttling_exception(), "{error:?}");
    assert!(
        error.meta().message().unwrap().contains("Rate exceeded"),
        "{error:?}"
    );
    assert_logged(&serve, "outcome=throttlingException");
}

#[test]
fn each_specs_harness_is_found_by_name_at_start_and_a_missing_one_stops_the_start() {
    use crate::support::fake_harness::FakeHarness;
    let control = FakeHarness::start();
    let ws = Workspace::new(SPEC);
    let env: Vec<(&str, String)> = control
        .client_env(ws.path())
        .into_iter()
        .map(|(k, v)| (k, v.to_string_lossy().into_owned()))
        .collect();
    let mut args = vec!["serve", "agent.yaml", "--target", "harness"];
    args.extend_from_slice(&["--listen", "127.0.0.1:0"]);
    let missing = ws
        .agentc("http://127.0.0.1:9", &args)
        .envs(env.iter().map(|(k, v)| (*k, v.as_str())))
        .run();
    assert_eq!(missing.code, 2, "{}", missing.stderr);
    assert!(
        missing
            .stderr
            .contains("there is no harness named `test_agent`"),
        "{}",
        missing.stderr
    );

    let id = control.insert_foreign_harness("test_agent", &[]);
    let fake = FakeInvokeHarness::start(vec![Answer::frames(answer("Found.", 10, 2))]);
    let mut envs: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
    envs.push(("AWS_ENDPOINT_URL_BEDROCK_AGENTCORE", fake.url.as_str()));
    let serve = Serve::start_with(
        &ws,
        "http://127.0.0.1:9",
        &["agent.yaml", "--target", "harness"],
        &envs,
    );
    assert!(
        serve.agents[0].contains(&format!("/{id} at DEFAULT")),
        "{:?}",
        serve.agents
    );
    assert_eq!(invoke(&serve, "s-found", Some("Hi"), None).text(), "Found.");
    assert!(
        fake.requests()[0]
            .path
            .contains(&format!("%2F{id}&qualifier=DEFAULT")),
        "{}",
        fake.requests()[0].path
    );
}

#[test]
fn lambdas_see_the_callers_attributes_and_the_attributes_they_return_are_kept() {
    let lambda = Server::start(|_| {
        Reply::json(
            200,
            json!({
                "messageVersion": "1.0",
                "response": {"actionGroup": "trips", "function": "book_trip",
                             "functionResponse": {"responseBody": {"TEXT": {"body": "booked T-7"}}}},
                "sessionAttributes": {"tenant": "acme", "last_city": "Lisbon"}
            }),
        )
    });
    let fake = FakeInvokeHarness::start(vec![
        Answer::frames(pause(
            &[("b1", "book_trip", json!({"city": "Lisbon"}))],
            70,
            3,
        )),
        Answer::frames(answer("Booked: T-7.", 80, 4)),
        Answer::frames(pause(
            &[("b2", "book_trip", json!({"city": "Faro"}))],
            70,
            3,
        )),
        Answer::frames(answer("Booked again.", 80, 4)),
    ]);
    let spec = SPEC.replace(
        "targets:",
        "  - name: trips
    description: Trip bookings.
    executor: {lambda: 'arn:aws:lambda:us-east-1:123456789012:function:trips'}
    functions:
      - name: book_trip
        description: Book a trip to a city.
        parameters:
          city: {type: string, description: The city., required: true}
targets:",
    );
    let ws = Workspace::new(&spec);
    let serve = Serve::start_with(
        &ws,
        "http://127.0.0.1:9",
        &["agent.yaml", "--target", "harness", "--harness-arn", ARN],
        &[
            ("AWS_ENDPOINT_URL_BEDROCK_AGENTCORE", fake.url.as_str()),
            ("AWS_ENDPOINT_URL_LAMBDA", lambda.url.as_str()),
        ],
    );
    let state = SessionState::builder()
        .session_attributes("tenant", "acme")
        .prompt_session_attributes("today", "2026-12-02")
        .build();
    let first = invoke(&serve, "s-lambda", Some("Book Lisbon"), Some(state));
    assert_eq!(first.text(), "Booked: T-7.", "{first:?}");
    let event = lambda.requests()[0].json();
    assert_eq!(event["inputText"], "Book Lisbon");
    // The caller's ids, not the harness's: the Lambda sees what Bedrock Agents sent it.
    assert_eq!(event["agent"]["id"], serve.agent_id());
    assert_eq!(event["agent"]["alias"], "TSTALIASID");
    assert_eq!(event["sessionId"], "s-lambda");
    assert_eq!(event["sessionAttributes"], json!({"tenant": "acme"}));
    assert_eq!(
        event["promptSessionAttributes"],
        json!({"today": "2026-12-02"})
    );

    let second = invoke(&serve, "s-lambda", Some("And Faro"), None);
    assert_eq!(second.text(), "Booked again.", "{second:?}");
    let event = lambda.requests()[1].json();
    assert_eq!(
        event["sessionAttributes"],
        json!({"tenant": "acme", "last_city": "Lisbon"}),
        "what the Lambda returned is kept for the session"
    );
    assert_eq!(
        event["promptSessionAttributes"],
        json!({}),
        "prompt attributes last one turn"
    );
}

#[test]
fn end_session_stops_the_harness_runtime_session_and_a_failed_stop_keeps_the_answer() {
    use crate::support::fake_harness::FakeHarness;
    let control = FakeHarness::start();
    let id = control.insert_foreign_harness("test_agent", &[]);
    let harness_arn = format!("arn:aws:bedrock-agentcore:us-east-1:123456789012:harness/{id}");
    // The turn's answer, StopRuntimeSession's (200, no body), the bare endSession's stop,
    // and for the last session a stop the service refuses.
    let fake = FakeInvokeHarness::start(vec![
        Answer::frames(answer("Bye.", 5, 2)),
        Answer::Stream(Vec::new()),
        Answer::Stream(Vec::new()),
        Answer::frames(answer("Bye again.", 5, 2)),
        Answer::Error {
            status: 400,
            kind: "ValidationException",
            message: "no such session",
        },
    ]);
    let ws = Workspace::new(SPEC);
    let env: Vec<(&str, String)> = control
        .client_env(ws.path())
        .into_iter()
        .map(|(k, v)| (k, v.to_string_lossy().into_owned()))
        .collect();
    let mut envs: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
    envs.push(("AWS_ENDPOINT_URL_BEDROCK_AGENTCORE", fake.url.as_str()));
    let serve = Serve::start_with(
        &ws,
        "http://127.0.0.1:9",
        &[
            "agent.yaml",
            "--target",
            "harness",
            "--harness-arn",
            &harness_arn,
        ],
        &envs,
    );
    let client = serve.client();
    let agent = serve.agent_id();
    let ended = |session: &str, input: Option<&str>| {
        runtime().block_on(async {
            let output = client
                .invoke_agent()
                .agent_id(&agent)
                .agent_alias_id("TSTALIASID")
                .session_id(session)
                .set_input_text(input.map(str::to_string))
                .end_session(true)
                .send()
                .await
                .unwrap();
            let mut text = String::new();
            let mut completion = output.completion;
            while let Some(event) = completion.recv().await.unwrap() {
                if let ResponseStream::Chunk(part) = event {
                    text.push_str(std::str::from_utf8(part.bytes().unwrap().as_ref()).unwrap());
                }
            }
            text
        })
    };
    assert_eq!(ended("s-with-message", Some("Hi")), "Bye.");
    assert_eq!(ended("s-bare", None), "");
    // The stop fails: the caller still gets the answer, and the log says why.
    assert_eq!(ended("s-refused", Some("Hi")), "Bye again.");
    assert_logged(
        &serve,
        "endSession did not stop the harness's runtime session",
    );

    let requests = fake.requests();
    assert_eq!(requests.len(), 5, "{requests:?}");
    let runtime_arn =
        format!("arn%3Aaws%3Abedrock-agentcore%3Aus-east-1%3A123456789012%3Aruntime%2F{id}_rt");
    let stop_path = format!("/runtimes/{runtime_arn}/stopruntimesession?qualifier=DEFAULT");
    assert!(requests[0].path.starts_with("/harnesses/invoke?"));
    for stop in [&requests[1], &requests[2], &requests[4]] {
        assert_eq!(stop.method, "POST");
        assert_eq!(stop.path, stop_path);
    }
    // Each stop names the runtime session its InvokeAgent session maps to.
    assert_eq!(runtime_session(&requests[1]), runtime_session(&requests[0]));
    assert_eq!(runtime_session(&requests[4]), runtime_session(&requests[3]));
    assert_ne!(runtime_session(&requests[2]), runtime_session(&requests[0]));
    assert_eq!(
        runtime_session(&requests[2]),
        agentc::serve::engine::runtime_session_id(&agent, "s-bare")
    );
}
