//! `agentc serve` judged by the real InvokeAgent client: `aws-sdk-bedrockagentruntime` calls
//! a `serve` process this test starts (port 0, the first stdout line), with the direct tests'
//! fake Converse server as the model. The SDK's own event-stream parser and error mapping
//! decide whether what serve sends is InvokeAgent.

use crate::support::{SECRET, Server, Workspace, spec, text, tool_use};
use aws_sdk_bedrockagentruntime::Client;
use aws_sdk_bedrockagentruntime::config::{BehaviorVersion, Credentials, Region};
use aws_sdk_bedrockagentruntime::types::{
    ContentBody, FunctionResult, InvocationResultMember, ResponseStream, SessionState,
};
use serde_json::{Value, json};
use std::io::{BufRead, BufReader, Read};
use std::process::{Child, Stdio};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// A running `agentc serve`: its URL, the agents it printed, and its stderr (the log).
struct Serve {
    child: Child,
    url: String,
    agents: Vec<String>,
    log: Arc<Mutex<String>>,
}

impl Serve {
    fn start(ws: &Workspace, converse_url: &str, args: &[&str]) -> Self {
        Self::start_with(ws, converse_url, args, &[])
    }

    fn start_with(
        ws: &Workspace,
        converse_url: &str,
        args: &[&str],
        envs: &[(&str, &str)],
    ) -> Self {
        let mut all = vec!["serve", "--listen", "127.0.0.1:0"];
        all.extend_from_slice(args);
        let mut child = ws
            .command(converse_url, &all)
            .envs(envs.iter().copied())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn agentc serve");
        let log = Arc::new(Mutex::new(String::new()));
        {
            let log = Arc::clone(&log);
            let mut stderr = child.stderr.take().unwrap();
            std::thread::spawn(move || {
                let mut buffer = [0u8; 4096];
                while let Ok(n) = stderr.read(&mut buffer) {
                    if n == 0 {
                        break;
                    }
                    log.lock()
                        .unwrap()
                        .push_str(&String::from_utf8_lossy(&buffer[..n]));
                }
            });
        }
        let mut stdout = BufReader::new(child.stdout.take().unwrap());
        let mut first = String::new();
        stdout.read_line(&mut first).unwrap();
        let url = first
            .trim_end()
            .strip_prefix("listening on ")
            .unwrap_or_else(|| {
                std::thread::sleep(Duration::from_millis(300));
                panic!("first line {first:?}, stderr: {}", log.lock().unwrap())
            })
            .to_string();
        let mut agents = Vec::new();
        let mut line = String::new();
        while stdout.read_line(&mut line).unwrap_or(0) > 0 {
            agents.push(line.trim_end().to_string());
            line.clear();
            // The agent lines are printed with the first one in one write.
            if agents.len() == all.iter().filter(|a| a.ends_with(".yaml")).count() {
                break;
            }
        }
        Self {
            child,
            url,
            agents,
            log,
        }
    }

    fn agent_id(&self) -> String {
        self.agents[0]
            .split_whitespace()
            .nth(1)
            .unwrap()
            .to_string()
    }

    fn client(&self) -> Client {
        let config = aws_sdk_bedrockagentruntime::Config::builder()
            .behavior_version(BehaviorVersion::latest())
            .region(Region::new("us-east-1"))
            .credentials_provider(Credentials::new("test", SECRET, None, None, "test"))
            .endpoint_url(&self.url)
            .retry_config(aws_sdk_bedrockagentruntime::config::retry::RetryConfig::disabled())
            .build();
        Client::from_conf(config)
    }

    fn log(&self) -> String {
        self.log.lock().unwrap().clone()
    }

    fn terminate(&self) {
        let status = std::process::Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status()
            .unwrap();
        assert!(status.success());
    }

    fn wait(&mut self) -> std::process::ExitStatus {
        for _ in 0..600 {
            if let Some(status) = self.child.try_wait().unwrap() {
                return status;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        panic!("agentc serve did not exit; log: {}", self.log());
    }
}

impl Drop for Serve {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A plain HTTP/1.1 GET of `path` (status line, headers and body).
fn http_get(url: &str, path: &str) -> String {
    use std::io::Write;
    let address = url.strip_prefix("http://").unwrap();
    let mut stream = std::net::TcpStream::connect(address).unwrap();
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: {address}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).unwrap();
    response
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
}

/// What one InvokeAgent call streamed: the answer, the trace parts, the returned control.
#[derive(Default)]
struct Streamed {
    text: String,
    traces: Vec<aws_sdk_bedrockagentruntime::types::TracePart>,
    return_control: Option<aws_sdk_bedrockagentruntime::types::ReturnControlPayload>,
    session_id: String,
    memory_id: Option<String>,
    content_type: String,
}

async fn read_stream(
    output: aws_sdk_bedrockagentruntime::operation::invoke_agent::InvokeAgentOutput,
) -> Streamed {
    let mut streamed = Streamed {
        session_id: output.session_id.clone(),
        memory_id: output.memory_id.clone(),
        content_type: output.content_type.clone(),
        ..Streamed::default()
    };
    let mut completion = output.completion;
    while let Some(event) = completion.recv().await.expect("a well-formed event") {
        match event {
            ResponseStream::Chunk(part) => {
                streamed
                    .text
                    .push_str(std::str::from_utf8(part.bytes().unwrap().as_ref()).unwrap());
            }
            ResponseStream::Trace(part) => streamed.traces.push(part),
            ResponseStream::ReturnControl(payload) => streamed.return_control = Some(payload),
            other => panic!("unexpected event {other:?}"),
        }
    }
    streamed
}

/// The orchestration trace members, in order, as the SDK parsed them.
fn orchestration(
    streamed: &Streamed,
) -> Vec<&aws_sdk_bedrockagentruntime::types::OrchestrationTrace> {
    use aws_sdk_bedrockagentruntime::types::Trace;
    streamed
        .traces
        .iter()
        .map(|part| match part.trace() {
            Some(Trace::OrchestrationTrace(trace)) => trace,
            other => panic!("not an orchestration trace: {other:?}"),
        })
        .collect()
}

fn usages(streamed: &Streamed) -> Vec<(Option<i32>, Option<i32>)> {
    orchestration(streamed)
        .into_iter()
        .filter_map(|t| t.as_model_invocation_output().ok())
        .map(|o| {
            let usage = o.metadata().and_then(|m| m.usage()).unwrap();
            (usage.input_tokens(), usage.output_tokens())
        })
        .collect()
}

const NO_TOOLS: &str = "action_groups: []";

#[test]
fn a_plain_answer_streams_with_trace_usage_and_the_session_continues() {
    let converse = Server::scripted(vec![text("All systems nominal."), text("Still fine.")]);
    let ws = Workspace::new(&spec(NO_TOOLS, ""));
    let serve = Serve::start(&ws, &converse.url, &["agent.yaml"]);
    let agent = serve.agent_id();
    assert!(
        serve.agents[0].ends_with("(derived from the name; sessions in .agentc/sessions.db)"),
        "{:?}",
        serve.agents
    );
    let client = serve.client();
    let rt = runtime();

    let first = rt.block_on(async {
        let output = client
            .invoke_agent()
            .agent_id(&agent)
            .agent_alias_id("TSTALIASID")
            .session_id("user:42")
            .input_text("How are things?")
            .enable_trace(true)
            .memory_id("mem-1")
            .send()
            .await
            .unwrap();
        read_stream(output).await
    });
    assert_eq!(first.text, "All systems nominal.");
    assert_eq!(first.session_id, "user:42");
    assert_eq!(first.memory_id.as_deref(), Some("mem-1"));
    assert_eq!(first.content_type, "application/json");
    // The fake Converse reports 120 in, 15 out: the trace says exactly that.
    assert_eq!(usages(&first), vec![(Some(120), Some(15))]);
    let steps = orchestration(&first);
    assert!(steps[0].is_model_invocation_input());
    let input = steps[0].as_model_invocation_input().unwrap();
    assert_eq!(input.foundation_model(), Some("amazon.nova-lite-v1:0"));
    let last = steps.last().unwrap().as_observation().unwrap();
    assert_eq!(
        last.final_response().and_then(|f| f.text()),
        Some("All systems nominal.")
    );
    assert!(
        steps.iter().all(|s| !s.is_rationale()),
        "no rationale agentc did not get"
    );
    assert_eq!(first.traces[0].agent_id(), Some(agent.as_str()));
    assert_eq!(first.traces[0].agent_alias_id(), Some("TSTALIASID"));

    // Another alias id of the same agent, the same session: the history is sent along.
    let second = rt.block_on(async {
        let output = client
            .invoke_agent()
            .agent_id(&agent)
            .agent_alias_id("LIVE123456")
            .session_id("user:42")
            .input_text("And now?")
            .send()
            .await
            .unwrap();
        read_stream(output).await
    });
    assert_eq!(second.text, "Still fine.");
    assert!(second.traces.is_empty(), "no trace without enableTrace");
    let requests = converse.requests();
    assert_eq!(requests.len(), 2);
    assert_eq!(
        requests[1].json()["messages"],
        json!([
            {"role": "user", "content": [{"text": "How are things?"}]},
            {"role": "assistant", "content": [{"text": "All systems nominal."}]},
            {"role": "user", "content": [{"text": "And now?"}]},
        ])
    );
    assert!(http_get(&serve.url, "/healthz").starts_with("HTTP/1.1 200"));
    let metrics = http_get(&serve.url, "/metrics");
    assert!(metrics.starts_with("HTTP/1.1 200"), "{metrics}");
    for line in [
        "agentc_serve_model_calls_total 2",
        "agentc_serve_tokens_total{direction=\"in\"} 240",
        "agentc_serve_tokens_total{direction=\"out\"} 30",
        "agentc_serve_requests_total{route=\"invoke_agent\",status=\"200\"} 2",
        "agentc_serve_turn_seconds_count 2",
    ] {
        assert!(metrics.contains(line), "{line} missing in {metrics}");
    }
    let log = serve.log();
    assert!(
        log.contains(&format!(
            "POST /agents/{{agentId}}/agentAliases/{{agentAliasId}}/sessions/{{sessionId}}/text agent={agent} status=200"
        )),
        "{log}"
    );
    assert!(
        !log.contains("How are things") && !log.contains(SECRET),
        "no content or credentials in the log: {log}"
    );
}

const COMMAND_TOOLS: &str = r#"action_groups:
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
          question: {type: string, required: true}"#;

const ECHO_HANDLER: &str = "    handlers:
      echo:
        command: [cat]";

#[test]
fn a_multi_tool_turn_runs_commands_and_traces_each_call() {
    let converse = Server::scripted(vec![
        tool_use(&[
            ("t1", "echo", json!({"word": "alpha"})),
            ("t2", "echo", json!({"word": "beta"})),
        ]),
        text("Echoed both."),
    ]);
    let ws = Workspace::new(&spec(COMMAND_TOOLS, ECHO_HANDLER));
    let serve = Serve::start(&ws, &converse.url, &["agent.yaml"]);
    let client = serve.client();
    let streamed = runtime().block_on(async {
        let output = client
            .invoke_agent()
            .agent_id(serve.agent_id())
            .agent_alias_id("TSTALIASID")
            .session_id("s-tools")
            .input_text("Echo alpha and beta")
            .enable_trace(true)
            .send()
            .await
            .unwrap();
        read_stream(output).await
    });
    assert_eq!(streamed.text, "Echoed both.");
    assert_eq!(usages(&streamed), vec![(Some(120), Some(15)); 2]);
    let steps = orchestration(&streamed);
    let invocations: Vec<_> = steps
        .iter()
        .filter_map(|s| s.as_invocation_input().ok())
        .collect();
    assert_eq!(invocations.len(), 2);
    let group = invocations[0].action_group_invocation_input().unwrap();
    assert_eq!(group.action_group_name(), Some("local"));
    assert_eq!(group.function(), Some("echo"));
    let observations: Vec<String> = steps
        .iter()
        .filter_map(|s| s.as_observation().ok())
        .filter_map(|o| o.action_group_invocation_output())
        .map(|o| o.text().unwrap_or_default().to_string())
        .collect();
    assert_eq!(observations.len(), 2);
    assert!(
        observations.iter().any(|o| o.contains("alpha")),
        "{observations:?}"
    );
    assert!(
        observations.iter().any(|o| o.contains("beta")),
        "{observations:?}"
    );
    // The results went back to the model.
    let second = converse.requests()[1].json();
    let results: Vec<Value> = second["messages"][2]["content"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|b| b.get("toolResult").cloned())
        .collect();
    assert_eq!(results.len(), 2);
}

#[test]
fn return_of_control_round_trips_through_the_sdk() {
    let converse = Server::scripted(vec![
        tool_use(&[("t9", "ask_user", json!({"question": "Which city?"}))]),
        text("Paris it is."),
    ]);
    let ws = Workspace::new(&spec(COMMAND_TOOLS, ECHO_HANDLER));
    let serve = Serve::start(&ws, &converse.url, &["agent.yaml"]);
    let client = serve.client();
    let agent = serve.agent_id();
    let rt = runtime();
    let paused = rt.block_on(async {
        let output = client
            .invoke_agent()
            .agent_id(&agent)
            .agent_alias_id("TSTALIASID")
            .session_id("s-roc")
            .input_text("Plan my trip")
            .send()
            .await
            .unwrap();
        read_stream(output).await
    });
    assert_eq!(paused.text, "", "no answer while control is returned");
    let payload = paused.return_control.expect("a returnControl event");
    let invocation_id = payload.invocation_id().unwrap().to_string();
    let inputs = payload.invocation_inputs();
    assert_eq!(inputs.len(), 1);
    let function = inputs[0].as_function_invocation_input().unwrap();
    assert_eq!(function.action_group(), "local");
    assert_eq!(function.function(), Some("ask_user"));
    let parameter = &function.parameters()[0];
    assert_eq!(parameter.name(), Some("question"));
    assert_eq!(parameter.value(), Some("Which city?"));

    let result = |id: &str| {
        SessionState::builder()
            .invocation_id(id)
            .return_control_invocation_results(InvocationResultMember::FunctionResult(
                FunctionResult::builder()
                    .action_group("local")
                    .function("ask_user")
                    .response_body("TEXT", ContentBody::builder().body("Paris").build())
                    .build()
                    .unwrap(),
            ))
            .build()
    };
    // A stale or made-up invocation id is the service's ValidationException.
    let wrong = rt.block_on(async {
        client
            .invoke_agent()
            .agent_id(&agent)
            .agent_alias_id("TSTALIASID")
            .session_id("s-roc")
            .session_state(result("not-the-id"))
            .send()
            .await
    });
    let error = wrong.err().unwrap().into_service_error();
    assert!(error.is_validation_exception(), "{error:?}");

    let answered = rt.block_on(async {
        let output = client
            .invoke_agent()
            .agent_id(&agent)
            .agent_alias_id("TSTALIASID")
            .session_id("s-roc")
            .session_state(result(&invocation_id))
            .input_text("ignored, as the service ignores it")
            .send()
            .await
            .unwrap();
        read_stream(output).await
    });
    assert_eq!(answered.text, "Paris it is.");
    let second = converse.requests()[1].json();
    assert_eq!(
        second["messages"][2]["content"][0]["toolResult"]["toolUseId"],
        "t9"
    );
    assert_eq!(
        second["messages"][2]["content"][0]["toolResult"]["content"][0]["text"],
        "Paris"
    );
    assert_eq!(
        second["messages"][2]["content"].as_array().unwrap().len(),
        1,
        "only the result: inputText is ignored with results"
    );
}

#[test]
fn end_session_forgets_the_history_and_errors_have_the_service_shapes() {
    let converse = Server::scripted(vec![text("first"), text("fresh start")]);
    let ws = Workspace::new(&spec(NO_TOOLS, ""));
    let serve = Serve::start(&ws, &converse.url, &["--agent", "AB12CD34EF=agent.yaml"]);
    assert!(serve.agents[0].starts_with("agent AB12CD34EF test-agent agent.yaml (--agent"));
    let client = serve.client();
    let rt = runtime();
    let invoke = |text: &str, end: bool| {
        let request = client
            .invoke_agent()
            .agent_id("AB12CD34EF")
            .agent_alias_id("TSTALIASID")
            .session_id("s-end")
            .input_text(text)
            .end_session(end);
        rt.block_on(async { read_stream(request.send().await.unwrap()).await })
    };
    assert_eq!(invoke("one", true).text, "first");
    assert_eq!(invoke("two", false).text, "fresh start");
    assert_eq!(
        converse.requests()[1].json()["messages"],
        json!([{"role": "user", "content": [{"text": "two"}]}]),
        "the ended session's history is gone"
    );

    // Unknown agent: the SDK's typed ResourceNotFoundException.
    let unknown = rt.block_on(async {
        client
            .invoke_agent()
            .agent_id("ZZZZZZZZZZ")
            .agent_alias_id("TSTALIASID")
            .session_id("s-end")
            .input_text("hello")
            .send()
            .await
    });
    let error = unknown.err().unwrap().into_service_error();
    assert!(error.is_resource_not_found_exception(), "{error:?}");
    assert!(error.meta().message().unwrap().contains("ZZZZZZZZZZ"));

    // A member outside the model's constraints: ValidationException.
    let invalid = rt.block_on(async {
        client
            .invoke_agent()
            .agent_id("AB12CD34EF")
            .agent_alias_id("TSTALIASID")
            .session_id("s-end")
            .input_text("hello")
            .memory_id("x")
            .send()
            .await
    });
    let error = invalid.err().unwrap().into_service_error();
    assert!(error.is_validation_exception(), "{error:?}");

    // A body over the cap is refused before it is read.
    let oversized = rt.block_on(async {
        client
            .invoke_agent()
            .agent_id("AB12CD34EF")
            .agent_alias_id("TSTALIASID")
            .session_id("s-end")
            .input_text("x".repeat(1_100_000))
            .send()
            .await
    });
    let error = oversized.err().unwrap();
    let raw_status = error.raw_response().map(|r| r.status().as_u16());
    assert_eq!(raw_status, Some(413));
    assert!(error.into_service_error().is_validation_exception());
    assert_eq!(
        converse.requests().len(),
        2,
        "no refused request reached the model"
    );
}

#[test]
fn a_failure_after_the_stream_started_is_an_exception_event() {
    use crate::support::Reply;
    let converse = Server::scripted(vec![
        Reply::aws_error(429, "ThrottlingException", "Too many requests"),
        Reply::aws_error(429, "ThrottlingException", "Too many requests"),
        text("after the storm"),
    ]);
    let ws = Workspace::new(&spec(NO_TOOLS, ""));
    let serve = Serve::start_with(
        &ws,
        &converse.url,
        &["agent.yaml"],
        &[("AGENTC_RETRY_MAX_ATTEMPTS", "2")],
    );
    let client = serve.client();
    let agent = serve.agent_id();
    let rt = runtime();
    let invoke = |text: &'static str| {
        let client = client.clone();
        let agent = agent.clone();
        async move {
            client
                .invoke_agent()
                .agent_id(agent)
                .agent_alias_id("TSTALIASID")
                .session_id("s-throttled")
                .input_text(text)
                .send()
                .await
                .unwrap()
        }
    };
    let error = rt.block_on(async {
        let mut completion = invoke("hello").await.completion;
        completion.recv().await.expect_err("an exception event")
    });
    let error = error.into_service_error();
    assert!(error.is_throttling_exception(), "{error:?}");
    assert!(
        error.meta().message().unwrap().contains("throttled"),
        "{error:?}"
    );
    // Nothing was answered, so the session is as it was: the next turn starts it afresh.
    let streamed = rt.block_on(async { read_stream(invoke("again").await).await });
    assert_eq!(streamed.text, "after the storm");
    assert_eq!(
        converse.requests()[2].json()["messages"],
        json!([{"role": "user", "content": [{"text": "again"}]}])
    );
    assert!(
        serve.log().contains("outcome=throttlingException"),
        "{}",
        serve.log()
    );
}

#[test]
fn sigterm_mid_turn_finishes_the_turn_and_exits_zero() {
    let (entered_tx, entered_rx) = std::sync::mpsc::channel::<()>();
    let entered_tx = Mutex::new(entered_tx);
    let converse = Server::start(move |_| {
        let _ = entered_tx.lock().unwrap().send(());
        std::thread::sleep(Duration::from_millis(1500));
        text("finished after the signal")
    });
    let ws = Workspace::new(&spec(NO_TOOLS, ""));
    let mut serve = Serve::start(&ws, &converse.url, &["agent.yaml"]);
    let client = serve.client();
    let agent = serve.agent_id();
    let rt = runtime();
    let streamed = rt.block_on(async {
        let request = client
            .invoke_agent()
            .agent_id(&agent)
            .agent_alias_id("TSTALIASID")
            .session_id("s-term")
            .input_text("take your time")
            .send();
        let output = request.await.unwrap();
        // The model call is under way: a second turn on the session is a conflict.
        entered_rx.recv_timeout(Duration::from_secs(20)).unwrap();
        let busy = client
            .invoke_agent()
            .agent_id(&agent)
            .agent_alias_id("TSTALIASID")
            .session_id("s-term")
            .input_text("me too")
            .send()
            .await;
        let error = busy.err().unwrap().into_service_error();
        assert!(error.is_conflict_exception(), "{error:?}");
        serve.terminate();
        read_stream(output).await
    });
    assert_eq!(streamed.text, "finished after the signal");
    let status = serve.wait();
    assert!(status.success(), "{status:?}; log: {}", serve.log());
    assert!(serve.log().contains("stopped"), "{}", serve.log());
}

#[test]
fn serve_refuses_what_it_cannot_do_yet() {
    let ws = Workspace::new(&spec(NO_TOOLS, ""));
    let harness = ws.run(
        "http://127.0.0.1:9",
        &["serve", "agent.yaml", "--target", "harness"],
    );
    assert_eq!(harness.status.code(), Some(2));
    assert!(
        crate::support::stderr(&harness)
            .contains("`agentc serve --target harness` is not built yet")
    );
    let public = ws.run(
        "http://127.0.0.1:9",
        &["serve", "agent.yaml", "--listen", "0.0.0.0:0"],
    );
    assert_eq!(public.status.code(), Some(2));
    assert!(
        crate::support::stderr(&public)
            .contains("will not listen on 0.0.0.0:0 without --credentials")
    );
    // Two specs with one name would derive one id.
    std::fs::copy(ws.file("agent.yaml"), ws.file("copy.yaml")).unwrap();
    let twice = ws.run(
        "http://127.0.0.1:9",
        &[
            "serve",
            "agent.yaml",
            "copy.yaml",
            "--listen",
            "127.0.0.1:0",
        ],
    );
    assert_eq!(twice.status.code(), Some(2));
    assert!(
        crate::support::stderr(&twice).contains("is given to both `agent.yaml` and `copy.yaml`"),
        "{}",
        crate::support::stderr(&twice)
    );
    let bad_id = ws.run(
        "http://127.0.0.1:9",
        &["serve", "--agent", "short=agent.yaml"],
    );
    assert_eq!(bad_id.status.code(), Some(2));
    assert!(crate::support::stderr(&bad_id).contains("`short` is not an agent id"));
}

/// A clock `skew` behind (or ahead of) the real one, for the SDK's signer.
#[derive(Debug)]
struct SkewedClock(Duration, bool);

impl aws_smithy_async::time::TimeSource for SkewedClock {
    fn now(&self) -> std::time::SystemTime {
        let now = std::time::SystemTime::now();
        if self.1 { now + self.0 } else { now - self.0 }
    }
}

#[test]
fn with_credentials_every_request_must_be_signed_by_a_configured_key() {
    let converse = Server::scripted(vec![text("signed and answered")]);
    let ws = Workspace::new(&spec(NO_TOOLS, ""));
    let keys = ws.file("keys.txt");
    std::fs::write(&keys, format!("# callers\ntest {SECRET}\n")).unwrap();
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&keys, std::fs::Permissions::from_mode(0o600)).unwrap();
    }
    let serve = Serve::start(
        &ws,
        &converse.url,
        &["agent.yaml", "--credentials", keys.to_str().unwrap()],
    );
    let agent = serve.agent_id();
    let rt = runtime();
    let client_with = |key: &str, secret: &str, clock: Option<SkewedClock>| {
        let mut config = aws_sdk_bedrockagentruntime::Config::builder()
            .behavior_version(BehaviorVersion::latest())
            .region(Region::new("us-east-1"))
            .credentials_provider(Credentials::new(key, secret, None, None, "test"))
            .endpoint_url(&serve.url)
            .retry_config(aws_sdk_bedrockagentruntime::config::retry::RetryConfig::disabled());
        if let Some(clock) = clock {
            config = config.time_source(clock);
        }
        Client::from_conf(config.build())
    };
    // The answer's text, or the error code the SDK raised.
    let invoke = |client: Client| -> Result<String, String> {
        use aws_sdk_bedrockagentruntime::error::ProvideErrorMetadata;
        rt.block_on(async {
            let sent = client
                .invoke_agent()
                .agent_id(&agent)
                .agent_alias_id("TSTALIASID")
                .session_id("user:7")
                .input_text("hello")
                .send()
                .await;
            match sent {
                Ok(output) => Ok(read_stream(output).await.text),
                Err(error) => Err(error
                    .into_service_error()
                    .code()
                    .unwrap_or_default()
                    .to_string()),
            }
        })
    };
    let code = |result: Result<String, String>| result.expect_err("refused");

    // The right key: answered (the session id's `:` is signed as the SDK encodes it).
    assert_eq!(
        invoke(client_with("test", SECRET, None)).as_deref(),
        Ok("signed and answered")
    );
    assert_eq!(
        code(invoke(client_with("test", "wrong-secret", None))),
        "InvalidSignatureException"
    );
    assert_eq!(
        code(invoke(client_with("nobody", SECRET, None))),
        "UnrecognizedClientException"
    );
    assert_eq!(
        code(invoke(client_with(
            "test",
            SECRET,
            Some(SkewedClock(Duration::from_secs(600), false))
        ))),
        "InvalidSignatureException",
        "a signature 10 minutes old"
    );
    // Unsigned: what a plain HTTP client sends.
    let url = serve.url.strip_prefix("http://").unwrap();
    let mut stream = std::net::TcpStream::connect(url).unwrap();
    let body = r#"{"inputText":"hi"}"#;
    use std::io::Write;
    write!(
        stream,
        "POST /agents/{agent}/agentAliases/TSTALIASID/sessions/s1/text HTTP/1.1\r\nHost: {url}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
    .unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).unwrap();
    assert!(response.starts_with("HTTP/1.1 403"), "{response}");
    assert!(
        response
            .to_ascii_lowercase()
            .contains("x-amzn-errortype: missingauthenticationtokenexception"),
        "{response}"
    );
    assert_eq!(
        converse.requests().len(),
        1,
        "only the signed request reached the model"
    );
    assert!(!serve.log().contains(SECRET));
}

const LAMBDA_TOOLS: &str = r#"action_groups:
  - name: leave
    executor:
      lambda: arn:aws:lambda:us-east-1:123456789012:function:leave-tools
    functions:
      - name: get_leave_balance
        description: Leave balance of an employee.
        parameters:
          employee_id: {type: string, required: true}"#;

#[test]
fn lambdas_see_the_callers_session_attributes_and_the_agent_ids() {
    let lambda = Server::start(|_| {
        crate::support::Reply::json(
            200,
            json!({
                "messageVersion": "1.0",
                "response": {"actionGroup": "leave", "function": "get_leave_balance",
                             "functionResponse": {"responseBody": {"TEXT": {"body": "12 days left"}}}},
                "sessionAttributes": {"tenant": "acme", "last_employee": "E1"}
            }),
        )
    });
    let converse = Server::scripted(vec![
        tool_use(&[("t1", "get_leave_balance", json!({"employee_id": "E1"}))]),
        text("E1 has 12 days."),
        tool_use(&[("t2", "get_leave_balance", json!({"employee_id": "E2"}))]),
        text("E2 has 12 days too."),
    ]);
    let ws = Workspace::new(&spec(LAMBDA_TOOLS, ""));
    let serve = Serve::start_with(
        &ws,
        &converse.url,
        &["--agent", "LEAVE12345=agent.yaml"],
        &[("AWS_ENDPOINT_URL_LAMBDA", lambda.url.as_str())],
    );
    let client = serve.client();
    let rt = runtime();
    let first = rt.block_on(async {
        let state = SessionState::builder()
            .session_attributes("tenant", "acme")
            .prompt_session_attributes("today", "2026-12-02")
            .build();
        let output = client
            .invoke_agent()
            .agent_id("LEAVE12345")
            .agent_alias_id("PROD000001")
            .session_id("s-lambda")
            .input_text("How many days does E1 have?")
            .session_state(state)
            .send()
            .await
            .unwrap();
        read_stream(output).await
    });
    assert_eq!(first.text, "E1 has 12 days.");
    let event = lambda.requests()[0].json();
    assert_eq!(event["agent"]["id"], "LEAVE12345");
    assert_eq!(event["agent"]["alias"], "PROD000001");
    assert_eq!(event["sessionId"], "s-lambda");
    assert_eq!(event["sessionAttributes"], json!({"tenant": "acme"}));
    assert_eq!(
        event["promptSessionAttributes"],
        json!({"today": "2026-12-02"})
    );

    // The attributes the Lambda returned are kept; prompt attributes were for one turn.
    let second = rt.block_on(async {
        let output = client
            .invoke_agent()
            .agent_id("LEAVE12345")
            .agent_alias_id("PROD000001")
            .session_id("s-lambda")
            .input_text("And E2?")
            .send()
            .await
            .unwrap();
        read_stream(output).await
    });
    assert_eq!(second.text, "E2 has 12 days too.");
    let event = lambda.requests()[1].json();
    assert_eq!(
        event["sessionAttributes"],
        json!({"tenant": "acme", "last_employee": "E1"})
    );
    assert_eq!(event["promptSessionAttributes"], json!({}));
}
