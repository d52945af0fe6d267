//! Tool dispatch: where each tool call goes, and how its answer comes back. Per function,
//! `targets.direct.handlers.<function>` (a local `command` or an `http` endpoint) takes
//! precedence over the action group's executor (`lambda: ARN`, or `return_control`, which
//! hands the call back to the caller).
//!
//! Every failure — a crash, a timeout, a non-zero exit, oversized or unreadable output, an
//! HTTP error, a Lambda that threw — becomes an error `toolResult` for the model, so the
//! model can recover; dispatch itself never fails.

use super::compile::ToolNameMap;
use super::lambda_event::{self, EventContext, Operation};
use crate::knowledge::KnowledgeBaseTool;
use crate::knowledge::retrieve::RetrieveClient;
use crate::spec::{Agent, Executor, Spec, ToolSource};
use serde_json::{Value, json};
use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWriteExt};

/// Default handler timeout (`timeout_seconds`).
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);
/// Largest tool result agentc passes to the model; a bigger one is an error result (a
/// megabyte of tool output is a token bill, not an answer).
pub const MAX_RESULT_BYTES: usize = 256 * 1024;
/// Lambda's own maximum run time, plus slack for the invoke round trip.
const LAMBDA_TIMEOUT: Duration = Duration::from_secs(910);

/// One `toolUse` from the model.
#[derive(Debug, Clone, PartialEq)]
pub struct ToolCall {
    pub tool_use_id: String,
    pub name: String,
    pub input: Value,
}

/// How a call ended, as the trace reports it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum CallOutcome {
    Ok,
    Error,
    Timeout,
    /// The user declined the call (`require_confirmation`); it did not run.
    Denied,
}

/// What a knowledge-base call retrieved, for the trace's `retrieval` line.
#[derive(Debug, Clone, PartialEq)]
pub struct Retrieval {
    pub knowledge_base_id: String,
    pub results: usize,
}

/// A finished call.
#[derive(Debug, Clone, PartialEq)]
pub struct ToolOutput {
    /// One `toolResult` content block (`{"json": …}` or `{"text": …}`).
    pub content: Value,
    pub outcome: CallOutcome,
    /// Size of the result handed to the model.
    pub result_bytes: usize,
    pub latency_ms: f64,
    /// Session attributes returned by an action-group Lambda (they replace the session's).
    pub session_attributes: Option<indexmap::IndexMap<String, String>>,
    /// Prompt session attributes returned by an action-group Lambda (for the rest of the turn).
    pub prompt_session_attributes: Option<indexmap::IndexMap<String, String>>,
    /// Set when the call was a knowledge-base retrieval.
    pub retrieval: Option<Retrieval>,
}

impl ToolOutput {
    fn new(content: Value, outcome: CallOutcome) -> Self {
        let result_bytes = content.get("text").and_then(Value::as_str).map_or_else(
            || content.get("json").map_or(0, |j| j.to_string().len()),
            str::len,
        );
        Self {
            content,
            outcome,
            result_bytes,
            latency_ms: 0.0,
            session_attributes: None,
            prompt_session_attributes: None,
            retrieval: None,
        }
    }

    /// The result of a call the user declined: it did not run, and the model is told so.
    pub fn denied(label: &str) -> Self {
        Self::new(
            json!({ "text": format!("The user declined this call of {label}; it did not run. Do not call it again unless the user asks for it.") }),
            CallOutcome::Denied,
        )
    }

    fn error(message: impl Into<String>) -> Self {
        Self::new(json!({ "text": message.into() }), CallOutcome::Error)
    }

    fn timeout(label: &str, after: Duration) -> Self {
        Self::new(
            json!({ "text": format!("{label} timed out after {} s", after.as_secs_f64()) }),
            CallOutcome::Timeout,
        )
    }

    /// The result of a handler task that died (a bug, not a tool failure).
    pub fn internal_error(name: &str) -> Self {
        Self::error(format!("the call of `{name}` failed inside agentc"))
    }

    pub fn is_error(&self) -> bool {
        self.outcome != CallOutcome::Ok
    }
}

/// Where one tool's calls go.
#[derive(Debug, Clone, PartialEq)]
pub enum Route {
    Lambda {
        arn: String,
        operation: Operation,
    },
    Command {
        argv: Vec<String>,
        timeout: Duration,
    },
    Http {
        url: String,
        timeout: Duration,
    },
    ReturnControl,
    /// A knowledge base, queried with the Retrieve API.
    KnowledgeBase(KnowledgeBaseTool),
}

#[derive(Debug, Clone, PartialEq)]
pub struct Target {
    pub action_group: String,
    pub function: String,
    pub route: Route,
    /// The spec's `require_confirmation`: the call runs only once the user confirmed it.
    pub require_confirmation: bool,
}

/// Routes for every tool of an agent, and the clients they need (created on first use).
pub struct Dispatcher {
    targets: HashMap<String, Target>,
    working_dir: PathBuf,
    sdk_config: Option<aws_config::SdkConfig>,
    lambda: tokio::sync::OnceCell<aws_sdk_lambda::Client>,
    http: std::sync::OnceLock<Result<reqwest::Client, String>>,
    /// A client for `http://` handlers only: it skips loading the system's root certificates,
    /// which costs more than a local tool call.
    plain_http: std::sync::OnceLock<Result<reqwest::Client, String>>,
    retrieve: std::sync::OnceLock<RetrieveClient>,
}

impl Dispatcher {
    /// Routes for `agent`'s tools. Commands run in `spec_dir` (the spec's directory).
    pub fn new(
        spec: &Spec,
        agent: &Agent,
        names: &ToolNameMap,
        spec_dir: &Path,
        sdk_config: Option<aws_config::SdkConfig>,
    ) -> Self {
        let handlers = spec
            .targets
            .direct
            .as_ref()
            .map(|d| d.handlers.clone())
            .unwrap_or_default();
        let mut openapi_locations: HashMap<usize, HashMap<(String, String), HashSet<String>>> =
            HashMap::new();
        let mut targets = HashMap::new();
        for (tool, entry) in agent.tools.iter().zip(&names.entries) {
            let handler = handlers.get(&tool.name);
            let timeout = |h: &crate::spec::Handler| {
                h.timeout_seconds
                    .map_or(DEFAULT_TIMEOUT, |s| Duration::from_secs(u64::from(s)))
            };
            // A local handler (a non-empty command, else an http URL) wins over the executor.
            let local = handler.and_then(|h| {
                match (h.command.as_ref().filter(|c| !c.is_empty()), &h.http) {
                    (Some(argv), _) => Some(Route::Command {
                        argv: argv.clone(),
                        timeout: timeout(h),
                    }),
                    (None, Some(url)) => Some(Route::Http {
                        url: url.clone(),
                        timeout: timeout(h),
                    }),
                    (None, None) => None,
                }
            });
            let route = match (local, &tool.executor) {
                (Some(route), _) => route,
                (None, Executor::Lambda(arn)) => {
                    let parameters = lambda_event::declared_parameters(&tool.input_schema);
                    let operation = match &tool.source {
                        ToolSource::Function { .. } => Operation::Function {
                            function: tool.name.clone(),
                            parameters,
                        },
                        ToolSource::OpenApi { method, path } => {
                            let locations =
                                openapi_locations.entry(tool.group).or_insert_with(|| {
                                    spec.action_groups
                                        .get(tool.group)
                                        .and_then(|g| g.openapi.as_ref())
                                        .map(|file| location_parameters(&spec_dir.join(file)))
                                        .unwrap_or_default()
                                });
                            Operation::Api {
                                path: path.clone(),
                                method: method.clone(),
                                parameters,
                                location_parameters: locations
                                    .get(&(method.clone(), path.clone()))
                                    .cloned()
                                    .unwrap_or_default(),
                            }
                        }
                    };
                    Route::Lambda {
                        arn: arn.clone(),
                        operation,
                    }
                }
                (None, Executor::ReturnControl) => Route::ReturnControl,
            };
            let require_confirmation = match &tool.source {
                ToolSource::Function { index } => spec
                    .action_groups
                    .get(tool.group)
                    .and_then(|g| g.functions.get(*index))
                    .is_some_and(|f| f.require_confirmation),
                ToolSource::OpenApi { .. } => false,
            };
            targets.insert(
                entry.tool_name.clone(),
                Target {
                    action_group: tool.group_name.clone(),
                    function: tool.name.clone(),
                    route,
                    require_confirmation,
                },
            );
        }
        for kb in &names.knowledge_bases {
            targets.insert(
                kb.tool_name.clone(),
                Target {
                    action_group: "knowledge base".into(),
                    function: kb.knowledge_base_id.clone(),
                    route: Route::KnowledgeBase(kb.clone()),
                    require_confirmation: false,
                },
            );
        }
        Self {
            targets,
            working_dir: spec_dir.to_path_buf(),
            sdk_config,
            lambda: tokio::sync::OnceCell::new(),
            http: std::sync::OnceLock::new(),
            plain_http: std::sync::OnceLock::new(),
            retrieve: std::sync::OnceLock::new(),
        }
    }

    pub fn target(&self, tool_name: &str) -> Option<&Target> {
        self.targets.get(tool_name)
    }

    /// Whether calls of this tool go back to the caller.
    pub fn returns_control(&self, tool_name: &str) -> bool {
        self.target(tool_name)
            .is_some_and(|t| t.route == Route::ReturnControl)
    }

    /// Whether calls of this tool wait for the user's confirmation.
    pub fn requires_confirmation(&self, tool_name: &str) -> bool {
        self.target(tool_name)
            .is_some_and(|t| t.require_confirmation)
    }

    /// Run one call to completion; never fails (failures are error results).
    pub async fn dispatch(&self, call: &ToolCall, context: &EventContext) -> ToolOutput {
        let started = Instant::now();
        let mut output = match self.target(&call.name) {
            None => ToolOutput::error(format!(
                "there is no tool named `{}`; use one of the tools in the tool configuration",
                call.name
            )),
            Some(target) => {
                let label = format!("{}/{}", target.action_group, target.function);
                match &target.route {
                    Route::Command { argv, timeout } => {
                        self.run_command(argv, *timeout, call, target, context, &label)
                            .await
                    }
                    Route::Http { url, timeout } => self.post(url, *timeout, call, &label).await,
                    Route::Lambda { arn, operation } => {
                        self.invoke_lambda(arn, operation, call, target, context, &label)
                            .await
                    }
                    Route::ReturnControl => ToolOutput::error(format!(
                        "{label} is answered by the caller, not by agentc"
                    )),
                    Route::KnowledgeBase(kb) => self.retrieve(kb, call).await,
                }
            }
        };
        if output.result_bytes > MAX_RESULT_BYTES {
            let bytes = output.result_bytes;
            output = ToolOutput::error(format!(
                "the tool result is {bytes} bytes, more than the {MAX_RESULT_BYTES}-byte limit; ask for less data"
            ));
            output.result_bytes = bytes;
        }
        output.latency_ms = started.elapsed().as_secs_f64() * 1000.0;
        output
    }

    async fn run_command(
        &self,
        argv: &[String],
        timeout: Duration,
        call: &ToolCall,
        target: &Target,
        context: &EventContext,
        label: &str,
    ) -> ToolOutput {
        let Some((program, args)) = argv.split_first() else {
            return ToolOutput::error(format!("{label} has an empty command"));
        };
        let mut command = tokio::process::Command::new(program);
        command
            .args(args)
            .current_dir(&self.working_dir)
            .env("AGENTC_SESSION_ID", &context.session_id)
            .env("AGENTC_TOOL_USE_ID", &call.tool_use_id)
            .env("AGENTC_ACTION_GROUP", &target.action_group)
            .env("AGENTC_FUNCTION", &target.function)
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .kill_on_drop(true)
            // Its own process group, so a timeout ends whatever the tool started too.
            .process_group(0);
        let mut child = match command.spawn() {
            Ok(child) => child,
            Err(error) => {
                return ToolOutput::error(format!("{label}: cannot start `{program}`: {error}"));
            }
        };
        let group = child.id().and_then(|id| i32::try_from(id).ok());
        let input = call.input.to_string();
        let stdin = child.stdin.take();
        let stdout = child.stdout.take();
        let stderr = child.stderr.take();
        let work = async {
            let write = async {
                if let Some(mut stdin) = stdin {
                    // A program that does not read its input closes the pipe early: not an error.
                    let _ = stdin.write_all(input.as_bytes()).await;
                }
            };
            let out = async {
                let out = read_limited(stdout, MAX_RESULT_BYTES).await;
                if out.1 {
                    // Stop a program that keeps writing: it would block on the full pipe.
                    kill_group(group);
                }
                out
            };
            // stderr is read to the end (a tool that logs must never block or die of a
            // broken pipe); only its tail is kept for the error message.
            let (_, out, err) = tokio::join!(write, out, read_tail(stderr, STDERR_TAIL_BYTES));
            (out, err)
        };
        let ((out, out_exceeded), err) = match tokio::time::timeout(timeout, work).await {
            Ok(read) => read,
            Err(_) => {
                kill_group(group);
                return ToolOutput::timeout(label, timeout);
            }
        };
        if out_exceeded {
            let mut output = ToolOutput::error(format!(
                "{label}: the output exceeded the {MAX_RESULT_BYTES}-byte limit"
            ));
            output.result_bytes = out.len();
            return output;
        }
        let status = match tokio::time::timeout(timeout, child.wait()).await {
            Ok(Ok(status)) => status,
            Ok(Err(error)) => {
                kill_group(group);
                return ToolOutput::error(format!("{label}: {error}"));
            }
            Err(_) => {
                kill_group(group);
                return ToolOutput::timeout(label, timeout);
            }
        };
        // A call owns everything it started: a background process left behind would outlive
        // the run (and hold files or ports nobody tracks).
        kill_group(group);
        let Ok(stdout) = String::from_utf8(out) else {
            return ToolOutput::error(format!("{label}: the output is not UTF-8 text"));
        };
        if !status.success() {
            let stderr = String::from_utf8_lossy(&err);
            let detail = last_chars(stderr.trim(), 2000);
            let code = status
                .code()
                .map_or_else(|| "a signal".to_string(), |c| format!("status {c}"));
            return ToolOutput::error(format!("{label} exited with {code}: {detail}"));
        }
        ToolOutput::new(lambda_event::body_content(stdout.trim()), CallOutcome::Ok)
    }

    async fn retrieve(&self, kb: &KnowledgeBaseTool, call: &ToolCall) -> ToolOutput {
        let Some(query) = crate::knowledge::query_of(&call.input) else {
            return ToolOutput::error(format!(
                "knowledge base {} needs a `query`: call it with {{\"query\": \"what to look up\"}}",
                kb.knowledge_base_id
            ));
        };
        let Some(config) = &self.sdk_config else {
            return ToolOutput::error(format!(
                "knowledge base {} cannot be queried: no AWS configuration",
                kb.knowledge_base_id
            ));
        };
        let client = self.retrieve.get_or_init(|| {
            RetrieveClient::new(config.clone(), super::retry::RetryPolicy::from_env())
        });
        let mut output = match client.retrieve(kb, query).await {
            Ok(retrieved) => {
                let mut output = ToolOutput::new(
                    crate::knowledge::tool_result(&retrieved.passages),
                    CallOutcome::Ok,
                );
                output.retrieval = Some(Retrieval {
                    knowledge_base_id: kb.knowledge_base_id.clone(),
                    results: retrieved.passages.len(),
                });
                output
            }
            Err(error) => ToolOutput::error(error.to_string()),
        };
        output.retrieval.get_or_insert_with(|| Retrieval {
            knowledge_base_id: kb.knowledge_base_id.clone(),
            results: 0,
        });
        output
    }

    fn http_client(&self, url: &str) -> Result<&reqwest::Client, String> {
        let plain = url.starts_with("http://");
        let cell = if plain { &self.plain_http } else { &self.http };
        cell.get_or_init(|| {
            let builder = reqwest::Client::builder()
                .user_agent(concat!("agentc/", env!("CARGO_PKG_VERSION")));
            let builder = if plain {
                builder.tls_certs_only(std::iter::empty())
            } else {
                builder
            };
            builder.build().map_err(|e| e.to_string())
        })
        .as_ref()
        .map_err(Clone::clone)
    }

    async fn post(&self, url: &str, timeout: Duration, call: &ToolCall, label: &str) -> ToolOutput {
        let client = match self.http_client(url) {
            Ok(client) => client,
            Err(error) => {
                return ToolOutput::error(format!(
                    "{label}: cannot create an HTTP client: {error}"
                ));
            }
        };
        let work = async {
            let mut response = client.post(url).json(&call.input).send().await?;
            let status = response.status();
            let mut body = Vec::new();
            while let Some(chunk) = response.chunk().await? {
                body.extend_from_slice(&chunk);
                if body.len() > MAX_RESULT_BYTES {
                    break;
                }
            }
            Ok::<_, reqwest::Error>((status, body))
        };
        let (status, body) = match tokio::time::timeout(timeout, work).await {
            Err(_) => return ToolOutput::timeout(label, timeout),
            Ok(Err(error)) if error.is_timeout() => return ToolOutput::timeout(label, timeout),
            Ok(Err(error)) => return ToolOutput::error(format!("{label}: {}", describe(&error))),
            Ok(Ok(answer)) => answer,
        };
        if body.len() > MAX_RESULT_BYTES {
            let mut output = ToolOutput::error(format!(
                "{label}: the response exceeded the {MAX_RESULT_BYTES}-byte limit"
            ));
            output.result_bytes = body.len();
            return output;
        }
        let Ok(text) = String::from_utf8(body) else {
            return ToolOutput::error(format!("{label}: the response is not UTF-8 text"));
        };
        if !status.is_success() {
            return ToolOutput::error(format!(
                "{label} answered HTTP {}: {}",
                status.as_u16(),
                last_chars(text.trim(), 2000)
            ));
        }
        ToolOutput::new(lambda_event::body_content(text.trim()), CallOutcome::Ok)
    }

    async fn lambda_client(&self) -> Option<&aws_sdk_lambda::Client> {
        let sdk = self.sdk_config.as_ref()?;
        Some(
            self.lambda
                .get_or_init(|| async {
                    let config = aws_sdk_lambda::config::Builder::from(sdk)
                        .timeout_config(
                            aws_config::timeout::TimeoutConfig::builder()
                                .operation_attempt_timeout(LAMBDA_TIMEOUT)
                                .build(),
                        )
                        .build();
                    aws_sdk_lambda::Client::from_conf(config)
                })
                .await,
        )
    }

    async fn invoke_lambda(
        &self,
        arn: &str,
        operation: &Operation,
        call: &ToolCall,
        target: &Target,
        context: &EventContext,
        label: &str,
    ) -> ToolOutput {
        let Some(client) = self.lambda_client().await else {
            return ToolOutput::error(format!(
                "{label}: no AWS configuration to invoke Lambda with"
            ));
        };
        let event =
            lambda_event::build_event(context, &target.action_group, operation, &call.input);
        let result = client
            .invoke()
            .function_name(arn)
            .invocation_type(aws_sdk_lambda::types::InvocationType::RequestResponse)
            .payload(aws_smithy_types::Blob::new(event.to_string()))
            .send()
            .await;
        let response = match result {
            Ok(response) => response,
            Err(error) => {
                let timed_out = matches!(error, aws_sdk_lambda::error::SdkError::TimeoutError(_));
                if timed_out {
                    return ToolOutput::timeout(label, LAMBDA_TIMEOUT);
                }
                return ToolOutput::error(format!(
                    "{label}: invoking the Lambda failed: {}",
                    describe(&error)
                ));
            }
        };
        let payload = response.payload().map(|p| p.as_ref()).unwrap_or_default();
        let answer = lambda_event::read_response(response.function_error(), payload, label);
        let outcome = if answer.is_error {
            CallOutcome::Error
        } else {
            CallOutcome::Ok
        };
        let mut output = ToolOutput::new(answer.content, outcome);
        output.session_attributes = answer.session_attributes;
        output.prompt_session_attributes = answer.prompt_session_attributes;
        output
    }
}

/// Path/query/header parameter names per (METHOD, path) of an OpenAPI document.
fn location_parameters(path: &Path) -> HashMap<(String, String), HashSet<String>> {
    let Ok(text) = crate::spec::openapi::read_document(path) else {
        return HashMap::new();
    };
    let document: Value = if path.extension().is_some_and(|e| e == "json") {
        serde_json::from_str(&text).unwrap_or_default()
    } else {
        serde_saphyr::from_str(&text).unwrap_or_default()
    };
    let mut out = HashMap::new();
    for (api_path, item) in document
        .get("paths")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
    {
        let shared = item
            .get("parameters")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        for (method, operation) in item.as_object().into_iter().flatten() {
            if !operation.is_object() || method == "parameters" {
                continue;
            }
            let names = shared
                .iter()
                .chain(
                    operation
                        .get("parameters")
                        .and_then(Value::as_array)
                        .into_iter()
                        .flatten(),
                )
                .filter_map(|p| p.get("name").and_then(Value::as_str).map(str::to_string))
                .collect();
            out.insert((method.to_uppercase(), api_path.clone()), names);
        }
    }
    out
}

/// Read up to `limit` bytes; the flag says whether there was more.
async fn read_limited(stream: Option<impl AsyncRead + Unpin>, limit: usize) -> (Vec<u8>, bool) {
    let Some(stream) = stream else {
        return (Vec::new(), false);
    };
    let mut bytes = Vec::new();
    let mut limited = stream.take(limit as u64 + 1);
    let _ = limited.read_to_end(&mut bytes).await;
    let exceeded = bytes.len() > limit;
    (bytes, exceeded)
}

/// How much of a command's stderr is kept for its error message (the rest is read and dropped).
pub const STDERR_TAIL_BYTES: usize = 16 * 1024;

/// Read `stream` to the end, keeping its last `keep` bytes.
async fn read_tail(stream: Option<impl AsyncRead + Unpin>, keep: usize) -> Vec<u8> {
    let Some(mut stream) = stream else {
        return Vec::new();
    };
    let mut tail = std::collections::VecDeque::with_capacity(keep);
    let mut buffer = [0u8; 8192];
    loop {
        match stream.read(&mut buffer).await {
            Ok(0) | Err(_) => break,
            Ok(n) => {
                tail.extend(&buffer[..n]);
                let excess = tail.len().saturating_sub(keep);
                tail.drain(..excess);
            }
        }
    }
    tail.into()
}

/// End every process of a command's group (SIGKILL; a group that is gone already is fine).
fn kill_group(group: Option<i32>) {
    if let Some(pid) = group.and_then(rustix::process::Pid::from_raw) {
        let _ = rustix::process::kill_process_group(pid, rustix::process::Signal::KILL);
    }
}

fn last_chars(text: &str, n: usize) -> String {
    let count = text.chars().count();
    if count <= n {
        if text.is_empty() {
            "(no error output)".to_string()
        } else {
            text.to_string()
        }
    } else {
        format!("...{}", text.chars().skip(count - n).collect::<String>())
    }
}

pub fn describe(error: &dyn std::error::Error) -> String {
    crate::diag::error_chain(error)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dispatcher(dir: &Path, argv: &[&str], timeout: Duration) -> Dispatcher {
        let target = Target {
            action_group: "tools".into(),
            function: "probe".into(),
            route: Route::Command {
                argv: argv.iter().map(|s| s.to_string()).collect(),
                timeout,
            },
            require_confirmation: false,
        };
        Dispatcher {
            targets: HashMap::from([("probe".to_string(), target)]),
            working_dir: dir.to_path_buf(),
            sdk_config: None,
            lambda: tokio::sync::OnceCell::new(),
            http: std::sync::OnceLock::new(),
            plain_http: std::sync::OnceLock::new(),
            retrieve: std::sync::OnceLock::new(),
        }
    }

    async fn call(dispatcher: &Dispatcher) -> ToolOutput {
        let context = EventContext {
            agent_name: "a".into(),
            agent_id: "a".into(),
            agent_alias: "a".into(),
            agent_version: "1".into(),
            session_id: "s".into(),
            input_text: String::new(),
            session_attributes: Default::default(),
            prompt_session_attributes: Default::default(),
        };
        let call = ToolCall {
            tool_use_id: "t1".into(),
            name: "probe".into(),
            input: json!({}),
        };
        dispatcher.dispatch(&call, &context).await
    }

    /// Whether the process whose pid the tool wrote to `pidfile` still runs (a zombie that
    /// init has not reaped yet counts as gone).
    async fn still_running(pidfile: &Path) -> bool {
        let pid = std::fs::read_to_string(pidfile).unwrap();
        let stat = format!("/proc/{}/stat", pid.trim());
        for _ in 0..50 {
            match std::fs::read_to_string(&stat) {
                Err(_) => return false,
                Ok(s)
                    if s.rsplit(')')
                        .next()
                        .is_some_and(|r| r.trim_start().starts_with('Z')) =>
                {
                    return false;
                }
                Ok(_) => tokio::time::sleep(Duration::from_millis(50)).await,
            }
        }
        true
    }

    #[tokio::test]
    async fn a_tool_that_logs_150_kb_to_stderr_still_answers() {
        let dir = tempfile::tempdir().unwrap();
        // The tool writes its stderr before its answer: if agentc stopped reading stderr, the
        // tool would block on the full pipe and time out.
        let script = "head -c 150000 /dev/zero | tr '\\0' x >&2; echo '{\"ok\": 1}'";
        let d = dispatcher(dir.path(), &["sh", "-c", script], Duration::from_secs(20));
        let output = call(&d).await;
        assert_eq!(output.outcome, CallOutcome::Ok, "{:?}", output.content);
        // A failing tool's message keeps only the tail of what it logged.
        let script = "head -c 150000 /dev/zero | tr '\\0' x >&2; echo END >&2; exit 3";
        let d = dispatcher(dir.path(), &["sh", "-c", script], Duration::from_secs(20));
        let output = call(&d).await;
        let text = output.content["text"].as_str().unwrap();
        assert!(
            text.contains("exited with status 3") && text.ends_with("END"),
            "{text}"
        );
        assert!(text.len() < 3000);
    }

    #[tokio::test]
    async fn a_timeout_ends_the_whole_process_group() {
        let dir = tempfile::tempdir().unwrap();
        let script = "sleep 30 >/dev/null 2>&1 & echo $! > grandchild; sleep 30";
        let d = dispatcher(
            dir.path(),
            &["sh", "-c", script],
            Duration::from_millis(500),
        );
        let output = call(&d).await;
        assert_eq!(output.outcome, CallOutcome::Timeout);
        assert!(!still_running(&dir.path().join("grandchild")).await);
    }

    #[tokio::test]
    async fn a_tool_that_exits_leaves_no_background_process() {
        let dir = tempfile::tempdir().unwrap();
        let script = "sleep 30 >/dev/null 2>&1 & echo $! > grandchild; echo '{}'";
        let d = dispatcher(dir.path(), &["sh", "-c", script], Duration::from_secs(20));
        let output = call(&d).await;
        assert_eq!(output.outcome, CallOutcome::Ok, "{:?}", output.content);
        assert!(!still_running(&dir.path().join("grandchild")).await);
    }
}
