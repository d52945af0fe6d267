//! Local fake servers for the direct target's tests: every AWS call goes through the real SDK
//! clients to these servers on 127.0.0.1, started and stopped by each test.

pub mod cli;
#[cfg(all(feature = "direct", any(feature = "agents", feature = "harness")))]
pub mod event_stream;
pub mod external;
pub mod fake_bedrock_agent;
#[cfg(feature = "harness")]
pub mod fake_harness;
#[cfg(all(feature = "agents", feature = "direct"))]
pub mod fake_invoke_agent;
#[cfg(all(feature = "harness", feature = "direct"))]
pub mod fake_invoke_harness;
pub mod fake_retrieve;
pub mod loopback;
#[cfg(feature = "direct")]
pub mod moto;

use serde_json::{Value, json};
use std::collections::VecDeque;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;

/// A request the server received.
#[derive(Debug, Clone)]
pub struct Recorded {
    pub method: String,
    pub path: String,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl Recorded {
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or(Value::Null)
    }
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// What the server answers.
#[derive(Debug, Clone)]
pub struct Reply {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl Reply {
    pub fn json(status: u16, body: Value) -> Self {
        Self {
            status,
            headers: vec![("Content-Type".into(), "application/json".into())],
            body: body.to_string(),
        }
    }
    pub fn raw(status: u16, body: &str) -> Self {
        Self {
            status,
            headers: vec![("Content-Type".into(), "application/json".into())],
            body: body.to_string(),
        }
    }
    pub fn header(mut self, name: &str, value: &str) -> Self {
        self.headers.push((name.into(), value.into()));
        self
    }
    /// An AWS JSON-protocol error (`x-amzn-ErrorType`).
    pub fn aws_error(status: u16, kind: &str, message: &str) -> Self {
        Self::json(status, json!({ "message": message })).header("x-amzn-ErrorType", kind)
    }
}

type Handler = dyn FnMut(&Recorded) -> Reply + Send;

/// A tiny HTTP server on 127.0.0.1 with an arbitrary port, answering with `handler`.
pub struct Server {
    pub url: String,
    pub requests: Arc<Mutex<Vec<Recorded>>>,
    server: Arc<tiny_http::Server>,
    thread: Option<JoinHandle<()>>,
}

impl Server {
    pub fn start(handler: impl FnMut(&Recorded) -> Reply + Send + 'static) -> Self {
        let server = Arc::new(loopback::http_server());
        let port = server.server_addr().to_ip().expect("ip address").port();
        let requests = Arc::new(Mutex::new(Vec::new()));
        let handler: Arc<Mutex<Box<Handler>>> = Arc::new(Mutex::new(Box::new(handler)));
        let thread = {
            let server = Arc::clone(&server);
            let requests = Arc::clone(&requests);
            std::thread::spawn(move || {
                for mut request in server.incoming_requests() {
                    let mut body = String::new();
                    let _ = request.as_reader().read_to_string(&mut body);
                    let recorded = Recorded {
                        method: request.method().to_string(),
                        path: request.url().to_string(),
                        headers: request
                            .headers()
                            .iter()
                            .map(|h| (h.field.to_string(), h.value.to_string()))
                            .collect(),
                        body,
                    };
                    let reply = (handler.lock().expect("handler"))(&recorded);
                    requests.lock().expect("requests").push(recorded);
                    let mut response =
                        tiny_http::Response::from_string(reply.body).with_status_code(reply.status);
                    for (name, value) in reply.headers {
                        if let Ok(header) =
                            tiny_http::Header::from_bytes(name.as_bytes(), value.as_bytes())
                        {
                            response.add_header(header);
                        }
                    }
                    let _ = request.respond(response);
                }
            })
        };
        Self {
            url: format!("http://127.0.0.1:{port}"),
            requests,
            server,
            thread: Some(thread),
        }
    }

    /// Answer requests in order from `replies`; afterwards a 500 that fails the test loudly.
    pub fn scripted(replies: Vec<Reply>) -> Self {
        let mut queue: VecDeque<Reply> = replies.into();
        Self::start(move |_| {
            queue.pop_front().unwrap_or_else(|| {
                Reply::aws_error(
                    400,
                    "ValidationException",
                    "the test script has no more replies",
                )
            })
        })
    }

    pub fn requests(&self) -> Vec<Recorded> {
        self.requests.lock().expect("requests").clone()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.server.unblock();
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// A Converse response body.
pub fn converse(content: Value, stop_reason: &str) -> Reply {
    Reply::json(
        200,
        json!({
            "output": { "message": { "role": "assistant", "content": content } },
            "stopReason": stop_reason,
            "usage": { "inputTokens": 120, "outputTokens": 15, "totalTokens": 135, "cacheReadInputTokens": 7 },
            "metrics": { "latencyMs": 42 }
        }),
    )
}

pub fn text(reply: &str) -> Reply {
    converse(json!([{ "text": reply }]), "end_turn")
}

/// A `tool_use` reply calling `(id, name, input)`s.
pub fn tool_use(calls: &[(&str, &str, Value)]) -> Reply {
    let content: Vec<Value> = calls
        .iter()
        .map(|(id, name, input)| json!({ "toolUse": { "toolUseId": id, "name": name, "input": input } }))
        .collect();
    converse(Value::Array(content), "tool_use")
}

/// The secret access key the tests use; a trace must never contain it.
pub const SECRET: &str = "test-secret-key-do-not-log";

/// A scratch directory with a spec file.
pub struct Workspace {
    pub dir: tempfile::TempDir,
}

impl Workspace {
    pub fn new(spec: &str) -> Self {
        let dir = tempfile::tempdir().expect("tempdir");
        std::fs::write(dir.path().join("agent.yaml"), spec).expect("write spec");
        Self { dir }
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    pub fn file(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    /// `agentc <args>` in the workspace with fake credentials and these endpoint overrides.
    pub fn agentc(&self, converse_url: &str, args: &[&str]) -> cli::Agentc {
        cli::agentc(args)
            .current_dir(self.path())
            .env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("HOME", self.path())
            .env("AWS_CONFIG_FILE", self.file("no-aws-config"))
            .env(
                "AWS_SHARED_CREDENTIALS_FILE",
                self.file("no-aws-credentials"),
            )
            .env("AWS_EC2_METADATA_DISABLED", "true")
            .env("AWS_ACCESS_KEY_ID", "test")
            .env("AWS_SECRET_ACCESS_KEY", SECRET)
            .env("AWS_REGION", "us-east-1")
            .env("AWS_ENDPOINT_URL_BEDROCK_RUNTIME", converse_url)
            .env("AGENTC_RETRY_BASE_MS", "1")
            .env("NO_COLOR", "1")
    }

    /// The same, for a test that drives the process itself.
    pub fn command(&self, converse_url: &str, args: &[&str]) -> Command {
        self.agentc(converse_url, args).command()
    }

    pub fn run(&self, converse_url: &str, args: &[&str]) -> Output {
        self.agentc(converse_url, args).output()
    }
}

pub fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

pub fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// The lines of a JSON-lines trace file.
pub fn trace_lines(path: &Path) -> Vec<Value> {
    std::fs::read_to_string(path)
        .unwrap_or_default()
        .lines()
        .map(|line| serde_json::from_str(line).expect("trace line is JSON"))
        .collect()
}

/// A minimal spec: `tools_yaml` is the `action_groups:` list, `direct_yaml` the body of
/// `targets.direct`.
pub fn spec(tools_yaml: &str, direct_yaml: &str) -> String {
    format!(
        "agentc: 1
name: test-agent
model: amazon.nova-lite-v1:0
instruction: You are a test agent. Use the tools to answer the questions you are asked.
{tools_yaml}
targets:
  direct:
    max_iterations: 5
{direct_yaml}
"
    )
}
