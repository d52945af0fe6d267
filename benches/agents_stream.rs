//! agentc's own time per streamed InvokeAgent event and per trace line: one request whose
//! stream has 200 events (75 model calls as input/output trace pairs, 50 chunks), against a
//! local server that writes the pre-encoded stream in one go, so its own time is nothing but
//! a socket write. Three figures, each the median of the runs:
//!
//! * `request`: the whole `run --target agents` request in-process (sign, send, decode every
//!   frame, read every trace, write 76 trace lines, collect the text), per event;
//! * `transport`: the same HTTP exchange read by a bare reqwest client that decodes nothing;
//! * `own`: request minus transport — what agentc's stream reading adds per event.
//!
//! `cargo bench --bench agents_stream` (release). `cargo run --bench agents_stream` gives
//! an unoptimised upper bound on a machine without a warm release build.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a measurement tool: a panic is its failure report, as in the tests"
)]

use agentc::agents::runtime::{AgentRuntime, Request, RunSettings};
use agentc::direct::dispatch::Dispatcher;
use agentc::direct::retry::RetryPolicy;
use agentc::direct::trace::Trace;
use agentc::models::ModelTable;
use aws_smithy_types::event_stream::{Header, HeaderValue, Message};
use serde_json::json;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::path::Path;
use std::time::Instant;

const RUNS: usize = 40;
const EVENTS: usize = 200;

fn frame(kind: &str, payload: &serde_json::Value) -> Vec<u8> {
    let message = Message::new(payload.to_string().into_bytes())
        .add_header(Header::new(
            ":message-type",
            HeaderValue::String("event".into()),
        ))
        .add_header(Header::new(
            ":event-type",
            HeaderValue::String(kind.to_string().into()),
        ))
        .add_header(Header::new(
            ":content-type",
            HeaderValue::String("application/json".into()),
        ));
    let mut bytes = Vec::new();
    aws_smithy_eventstream::frame::write_message_to(&message, &mut bytes).unwrap();
    bytes
}

/// The 200 events as one chunked HTTP body.
fn stream_body() -> Vec<u8> {
    let mut frames = Vec::new();
    for call in 0..75 {
        let id = format!("t-{call}");
        frames.push(frame("trace", &json!({"agentId": "A", "agentVersion": "1", "sessionId": "s",
            "trace": {"orchestrationTrace": {"modelInvocationInput": {"traceId": id, "type": "ORCHESTRATION",
                "foundationModel": "amazon.nova-pro-v1:0", "text": "x".repeat(2000)}}}})));
        frames.push(frame("trace", &json!({"agentId": "A", "agentVersion": "1", "sessionId": "s",
            "trace": {"orchestrationTrace": {"modelInvocationOutput": {"traceId": id,
                "metadata": {"usage": {"inputTokens": 1700, "outputTokens": 60}, "totalTimeMs": 900}}}}})));
    }
    for n in 0..50 {
        frames.push(frame(
            "chunk",
            &json!({"bytes": aws_smithy_types::base64::encode(format!("part {n} of the answer. "))}),
        ));
    }
    assert_eq!(frames.len(), EVENTS);
    let mut body = Vec::new();
    for frame in frames {
        body.extend_from_slice(format!("{:x}\r\n", frame.len()).as_bytes());
        body.extend_from_slice(&frame);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(b"0\r\n\r\n");
    body
}

/// Answer every connection with the whole stream, written at once.
fn serve(body: Vec<u8>) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let _ = stream.set_nodelay(true);
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let mut length = 0;
            loop {
                let mut line = String::new();
                if reader.read_line(&mut line).unwrap_or(0) == 0 {
                    break;
                }
                if let Some(v) = line.to_ascii_lowercase().strip_prefix("content-length:") {
                    length = v.trim().parse().unwrap_or(0);
                }
                if line == "\r\n" {
                    break;
                }
            }
            let mut request_body = vec![0; length];
            let _ = reader.read_exact(&mut request_body);
            let mut response = b"HTTP/1.1 200 OK\r\nContent-Type: application/vnd.amazon.eventstream\r\nTransfer-Encoding: chunked\r\nx-amz-bedrock-agent-session-id: s\r\nConnection: close\r\n\r\n".to_vec();
            response.extend_from_slice(&body);
            let _ = stream.write_all(&response);
        }
    });
    url
}

/// CPU time this thread has run, in ms (Linux `schedstat`, nanoseconds): unlike wall time it
/// does not grow when other processes hold the cores.
fn thread_cpu_ms() -> f64 {
    std::fs::read_to_string("/proc/thread-self/schedstat")
        .ok()
        .and_then(|s| s.split_whitespace().next()?.parse::<f64>().ok())
        .map_or(0.0, |ns| ns / 1e6)
}

fn median(mut samples: Vec<f64>) -> f64 {
    samples.sort_by(f64::total_cmp);
    samples[samples.len() / 2]
}

fn main() {
    let url = serve(stream_body());
    let spec_text = "agentc: 1
name: bench-agent
model: amazon.nova-pro-v1:0
instruction: You are a benchmark agent that answers questions about the benchmark.
targets:
  agents:
    role_arn: arn:aws:iam::123456789012:role/AmazonBedrockExecutionRoleForAgents_bench
    alias: live
";
    let loaded = agentc::spec::load_bytes(
        Path::new("bench.yaml"),
        spec_text.as_bytes().to_vec(),
        &agentc::spec::LoadOptions::default(),
    );
    let checked = agentc::lint::check(
        loaded,
        ModelTable::builtin(),
        &[agentc::target::Target::Agents],
    )
    .unwrap_or_else(|_| panic!("the bench spec is refused"));
    let (_, names) = agentc::direct::compile(&checked.spec, &checked.agent, ModelTable::builtin());
    let config = aws_config::SdkConfig::builder()
        .region(aws_config::Region::new("us-east-1"))
        .endpoint_url(&url)
        .credentials_provider(
            aws_credential_types::provider::SharedCredentialsProvider::new(
                aws_credential_types::Credentials::new("AKID", "secret", None, None, "bench"),
            ),
        )
        .build();
    let client = AgentRuntime::new(&config, RetryPolicy::default()).unwrap();
    let dispatcher = Dispatcher::new(&checked.spec, &checked.agent, &names, Path::new("."), None);
    let dir = tempfile::tempdir().unwrap();
    let trace = Trace::open(&dir.path().join("trace.jsonl"))
        .unwrap()
        .for_target(agentc::target::Target::Agents);
    let runtime = agentc::aws::runtime().unwrap();

    let request = Request {
        confirm: &|_, _| None,
        client: &client,
        dispatcher: &dispatcher,
        agent: &checked.agent,
        names: &names,
        trace: Some(&trace),
        settings: RunSettings {
            agent_id: "AGENT12345".into(),
            alias_id: "ALIAS12345".into(),
            session_id: "bench-session".into(),
            enable_trace: true,
            end_session: false,
            retry_sessions: 0,
            agent_name: "bench-agent".into(),
            default_model: "amazon.nova-pro-v1:0".into(),
        },
    };
    let mut requests = Vec::new();
    let cpu_before = thread_cpu_ms();
    for _ in 0..RUNS {
        let mut text = String::new();
        let started = Instant::now();
        let report = runtime
            .block_on(request.run(Some("hi"), &mut |t: &str| text.push_str(t)))
            .unwrap();
        requests.push(started.elapsed().as_secs_f64() * 1000.0);
        assert_eq!(report.model_calls, 75);
    }

    let request_cpu = (thread_cpu_ms() - cpu_before) / RUNS as f64;
    let plain = reqwest::Client::builder()
        .tls_certs_only(std::iter::empty())
        .build()
        .unwrap();
    let mut transport = Vec::new();
    let cpu_before = thread_cpu_ms();
    for _ in 0..RUNS {
        let started = Instant::now();
        runtime.block_on(async {
            let mut response = plain
                .post(format!("{url}/agents/A/agentAliases/B/sessions/s/text"))
                .body("{}")
                .send()
                .await
                .unwrap();
            while let Some(chunk) = response.chunk().await.unwrap() {
                std::hint::black_box(chunk);
            }
        });
        transport.push(started.elapsed().as_secs_f64() * 1000.0);
    }
    let transport_cpu = (thread_cpu_ms() - cpu_before) / RUNS as f64;
    let lines = std::fs::read_to_string(dir.path().join("trace.jsonl"))
        .unwrap()
        .lines()
        .count();
    let (request_ms, transport_ms) = (median(requests), median(transport));
    let own = (request_ms - transport_ms).max(0.0);
    let per_line = lines / RUNS;
    println!("events per request: {EVENTS}; trace lines per request: {per_line}; runs: {RUNS}");
    println!(
        "request   {request_ms:.3} ms  = {:.4} ms/event",
        request_ms / EVENTS as f64
    );
    println!(
        "transport {transport_ms:.3} ms  = {:.4} ms/event",
        transport_ms / EVENTS as f64
    );
    println!(
        "own       {own:.3} ms  = {:.4} ms/event, {:.4} ms/trace line (if all of it were trace lines)",
        own / EVENTS as f64,
        own / per_line as f64
    );
    let own_cpu = (request_cpu - transport_cpu).max(0.0);
    println!(
        "client CPU time (mean): request {request_cpu:.3} ms, transport {transport_cpu:.3} ms, own {own_cpu:.3} ms = {:.4} ms/event",
        own_cpu / EVENTS as f64
    );
}
