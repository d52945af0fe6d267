//! `agentc run --target harness`: InvokeHarness on a deployed harness, read as a stream.
//!
//! A thin client, like the InvokeAgent one (`agents::runtime`) and for the same reason (no
//! generated SDK crate: README, "Build cost"): the request is signed by `aws-sigv4` (signing
//! name `bedrock-agentcore`) with the SDK's credentials and Region, sent with `reqwest`, and
//! the body is fed chunk by chunk into `aws-smithy-eventstream`'s frame decoder. The shapes
//! are in `harness::invoke`.
//!
//! The harness runs its own loop; agentc stays in it only for inline functions. When a
//! stream stops with `tool_use`, agentc runs the paused calls with the spec's local
//! executors (the direct runtime's `Dispatcher`: commands, http handlers, Lambda with the
//! Bedrock Agents event, knowledge bases through Retrieve) and answers with the `toolResult`s
//! in a new InvokeHarness on the same runtime session. A call that waits for the user's
//! confirmation, or that has no local executor, pauses the request instead: the caller gets
//! it back (exit 3) and answers it in a later run.

use super::invoke::{self, StreamEvent, ToolUse, Turn};
use crate::direct::dispatch::{Dispatcher, ToolCall, ToolOutput};
use crate::direct::lambda_event::EventContext;
use crate::direct::lambda_event::body_content;
use crate::direct::model::Usage;
use crate::direct::retry::RetryPolicy;
use crate::direct::runner::{Answer, Confirm, calls_to_run};
use crate::direct::session::{InvocationType, Pending, PendingCall};
use crate::direct::trace::{Event, Step, Trace, TraceError, round_ms};
use crate::runtime::frame::{count_unknown, service_code};
use crate::runtime::stream::{
    FrameReader, ServiceCall, StreamClient, UNRESERVED, frame_headers, stream_errors,
};
use percent_encoding::utf8_percent_encode;
use serde_json::Value;
use std::sync::Arc;
use std::time::Instant;

/// The AgentCore data plane, as the SDK's endpoint configuration names it (service id
/// "Bedrock AgentCore": `AWS_ENDPOINT_URL_BEDROCK_AGENTCORE`).
pub const SERVICE: crate::aws::Service = crate::aws::Service {
    name: "the AgentCore data plane",
    env: "BEDROCK_AGENTCORE",
    host: "bedrock-agentcore",
};

/// The model's `signingName`.
const SIGNING_NAME: &str = "bedrock-agentcore";
/// `runtimeSessionId`'s header.
pub const SESSION_HEADER: &str = "x-amzn-bedrock-agentcore-runtime-session-id";
/// The endpoint InvokeHarness uses without a qualifier.
pub const DEFAULT_QUALIFIER: &str = "DEFAULT";
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
pub enum HarnessRunError {
    #[error("no AWS Region is configured")]
    #[diagnostic(
        code(agentc::run::region),
        help("pass --region, set AWS_REGION, or set `region` in your AWS profile")
    )]
    NoRegion,
    #[error("no AWS credentials: {0}")]
    #[diagnostic(
        code(agentc::run::credentials),
        help("configure credentials the usual AWS way (environment, profile, SSO, instance role)")
    )]
    NoCredentials(String),
    #[error("InvokeHarness failed with {code} (HTTP {status}) at {endpoint}: {message}")]
    #[diagnostic(code(agentc::run::harness::service), help("{help}"))]
    Service {
        code: String,
        status: u16,
        message: String,
        endpoint: String,
        help: String,
    },
    #[error("InvokeHarness got no answer from {endpoint} after {attempts} attempt(s): {message}")]
    #[diagnostic(
        code(agentc::run::harness::unreachable),
        help(
            "check the network and the endpoint (AWS_ENDPOINT_URL_BEDROCK_AGENTCORE, AWS_ENDPOINT_URL)"
        )
    )]
    Unreachable {
        endpoint: String,
        attempts: u32,
        message: String,
    },
    #[error("the harness's stream ended with {kind}: {message}")]
    #[diagnostic(code(agentc::run::harness::in_stream), help("{help}"))]
    InStream {
        kind: String,
        message: String,
        help: String,
    },
    #[error(
        "the harness's stream from {endpoint} was cut after {events} event(s): {detail}; the answer is incomplete"
    )]
    #[diagnostic(
        code(agentc::run::harness::stream_cut),
        help(
            "nothing more was sent on the session and no pending call was stored; run the request again (the harness may have kept the partial turn in its session: use a new --session to start clean)"
        )
    )]
    StreamCut {
        endpoint: String,
        events: u32,
        detail: String,
    },
    #[error("the harness's stream is not a valid event stream: {0}")]
    #[diagnostic(code(agentc::run::harness::framing))]
    Framing(String),
    #[error("the harness paused on a call of `{name}`, and the spec has no such tool")]
    #[diagnostic(
        code(agentc::run::harness::unknown_function),
        help(
            "the deployed harness and the spec differ; run `agentc plan SPEC --target harness` to see how, and deploy"
        )
    )]
    UnknownFunction { name: String },
    #[error("the harness stopped for tool_use but paused on no call of an inline function")]
    #[diagnostic(
        code(agentc::run::harness::no_calls),
        help(
            "run again; if it repeats, the harness's tools and the spec differ (`agentc plan --target harness`)"
        )
    )]
    ToolUseWithoutCalls,
    #[error("the harness paused on inline functions {max} times in one request")]
    #[diagnostic(
        code(agentc::run::harness::rounds),
        help(
            "the model keeps calling functions; check their results and the instruction, or raise `targets.harness.max_iterations`"
        )
    )]
    TooManyRounds { max: u32 },
    #[error("there is no harness named `{name}` at {endpoint}")]
    #[diagnostic(
        code(agentc::run::harness::not_deployed),
        help(
            "deploy it with `agentc deploy SPEC --target harness`, or name it with --harness-arn"
        )
    )]
    HarnessNotFound { name: String, endpoint: String },
    #[error("harness `{harness}` has no endpoint named `{endpoint}`")]
    #[diagnostic(
        code(agentc::run::harness::no_endpoint),
        help(
            "deploy the spec again (`agentc deploy SPEC --target harness`), or pass --qualifier (DEFAULT always exists)"
        )
    )]
    EndpointNotFound { harness: String, endpoint: String },
    #[error("harness `{harness}` names no AgentCore Runtime, so its sessions cannot be ended")]
    #[diagnostic(
        code(agentc::run::harness::no_runtime),
        help(
            "check the harness (`agentc plan SPEC --target harness`); its sessions also end by themselves after the runtime's idle timeout"
        )
    )]
    NoRuntime { harness: String },
    #[error("StopRuntimeSession did not end session `{session}`: {detail}")]
    #[diagnostic(
        code(agentc::run::harness::not_stopped),
        help(
            "the caller needs `bedrock-agentcore:StopRuntimeSession` on the harness's runtime; an idle session also ends by itself after the runtime's idle timeout"
        )
    )]
    NotStopped { session: String, detail: String },
    #[error(transparent)]
    #[diagnostic(transparent)]
    Trace(#[from] TraceError),
}

/// What the help of a service error says to do, by error code.
fn help_for(code: &str) -> &'static str {
    match code {
        "ResourceNotFoundException" => {
            "deploy the harness first (`agentc deploy SPEC --target harness`), or check --harness-arn, --qualifier and the Region"
        }
        "AccessDeniedException" => {
            "the caller needs `bedrock-agentcore:InvokeHarness` and `bedrock-agentcore:InvokeAgentRuntime` on the harness"
        }
        "ValidationException" => {
            "the request was refused as invalid (the message says which field); check --harness-arn and --qualifier, or deploy the spec again"
        }
        "ThrottlingException" | "ServiceQuotaExceededException" => {
            "still throttled after the retries; slow down, or ask for a higher AgentCore Runtime quota"
        }
        "RuntimeClientError" => {
            "the harness's runtime failed (its model, a tool, its environment); see the message and the harness's logs"
        }
        "InternalServerException" => "a service error; run again",
        _ => "see the message; run again if the failure was transient",
    }
}

fn transient(code: &str, status: u16) -> bool {
    matches!(
        code,
        "ThrottlingException" | "InternalServerException" | "ServiceUnavailableException"
    ) || status == 429
        || status >= 500
}

stream_errors!(HarnessRunError, help_for);

/// The InvokeHarness client.
pub struct HarnessRuntime {
    client: StreamClient,
}

impl HarnessRuntime {
    pub fn new(
        config: &aws_config::SdkConfig,
        retry: RetryPolicy,
    ) -> Result<Self, HarnessRunError> {
        let call = ServiceCall {
            service: SERVICE,
            signing_name: SIGNING_NAME,
            transient,
        };
        Ok(Self {
            client: StreamClient::new(config, call, retry)?,
        })
    }

    /// Where requests go, for messages.
    pub fn endpoint(&self) -> &str {
        self.client.endpoint()
    }

    fn url(&self, harness_arn: &str, qualifier: &str) -> String {
        format!(
            "{}/harnesses/invoke?harnessArn={}&qualifier={}",
            self.client.base_url(),
            utf8_percent_encode(harness_arn, UNRESERVED),
            utf8_percent_encode(qualifier, UNRESERVED)
        )
    }

    /// Send one InvokeHarness and return its stream once the service accepted it; transient
    /// failures before that are retried.
    pub async fn open(
        &self,
        harness_arn: &str,
        qualifier: &str,
        session_id: &str,
        body: &Value,
    ) -> Result<EventReader, HarnessRunError> {
        let url = self.url(harness_arn, qualifier);
        let bytes = serde_json::to_vec(body).unwrap_or_default();
        let frames = self
            .client
            .open(&url, &[(SESSION_HEADER, session_id)], &bytes)
            .await?;
        Ok(EventReader { frames })
    }
}

impl HarnessRuntime {
    /// StopRuntimeSession (`POST /runtimes/{agentRuntimeArn}/stopruntimesession`, the
    /// session in the session header): end a runtime session of the harness's runtime, so it
    /// stops costing memory-hours until its idle timeout. Idempotent, so retried like
    /// InvokeHarness.
    pub async fn stop_session(
        &self,
        runtime_arn: &str,
        qualifier: &str,
        session_id: &str,
    ) -> Result<(), HarnessRunError> {
        let url = format!(
            "{}/runtimes/{}/stopruntimesession?qualifier={}",
            self.client.base_url(),
            utf8_percent_encode(runtime_arn, UNRESERVED),
            utf8_percent_encode(qualifier, UNRESERVED)
        );
        // The idempotency token (33 to 256 characters) stays the same across the retries.
        let token = format!(
            "agentc-stop-{}-{}",
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.as_nanos()),
            std::process::id()
        );
        let token = format!("{token:0<33}");
        let body =
            serde_json::to_vec(&serde_json::json!({ "clientToken": token })).unwrap_or_default();
        // The answer is its status and a header; there is no stream to read.
        self.client
            .open(&url, &[(SESSION_HEADER, session_id)], &body)
            .await?;
        Ok(())
    }
}

/// The events of one InvokeHarness response, decoded as they arrive.
pub struct EventReader {
    frames: FrameReader,
}

impl EventReader {
    /// The next event, or `None` at the end of a complete stream.
    pub async fn next(&mut self) -> Result<Option<StreamEvent>, HarnessRunError> {
        let Some(message) = self.frames.next().await? else {
            return Ok(None);
        };
        invoke::decode_event(frame_headers(&message), message.payload())
            .map(Some)
            .map_err(|e| HarnessRunError::Framing(e.to_string()))
    }
}

/// Which harness a request runs on, and the loop's bounds.
#[derive(Debug, Clone)]
pub struct RunSettings {
    pub harness_arn: String,
    pub qualifier: String,
    pub session_id: String,
    /// The spec's agent name, for the Lambda event.
    pub agent_name: String,
    /// The harness version the Lambda event names (`agent.version`), when known.
    pub harness_version: Option<String>,
    /// The model the trace names (the harness's model).
    pub model_id: String,
    /// Rounds of inline-function answers per request (the spec's `max_iterations`).
    pub max_rounds: u32,
    /// The session attributes the session's Lambdas returned so far (Bedrock Agents keeps
    /// them for the session; the CLI keeps them in the session store).
    pub session_attributes: indexmap::IndexMap<String, String>,
    /// The caller's prompt session attributes for this request (InvokeAgent's
    /// `promptSessionAttributes` under `agentc serve`); a Lambda's answer replaces them.
    pub prompt_session_attributes: indexmap::IndexMap<String, String>,
    /// The ids a Lambda's event names instead of the harness's (`agentc serve`: the caller's
    /// agent, alias and session ids, so the Lambdas see what Bedrock Agents sent them).
    pub caller: Option<CallerIds>,
}

/// The InvokeAgent ids of the request a harness request serves.
#[derive(Debug, Clone)]
pub struct CallerIds {
    pub agent_id: String,
    pub alias_id: String,
    pub session_id: String,
}

/// How a request ended.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    /// The harness stopped (`end_turn`, `max_iterations_exceeded`, …).
    Stopped { stop_reason: String },
    /// These calls go back to the caller (confirmation, or no local executor); the other
    /// calls of the same turn already ran, their results kept in `pending.results`.
    ReturnControl { pending: Pending },
}

/// What a request did.
#[derive(Debug, Clone, PartialEq)]
pub struct RunReport {
    pub outcome: Outcome,
    pub text: String,
    pub session_id: String,
    pub usage: Usage,
    pub model_calls: u32,
    /// Calls agentc ran (inline functions and knowledge bases).
    pub tool_calls: u32,
    /// InvokeHarness calls (one more per answered pause).
    pub invocations: u32,
    /// Events of types this agentc does not know, by type: ignored.
    pub unknown_events: Vec<(String, u32)>,
    /// The session attributes after this request (a Lambda's answer replaces them).
    pub session_attributes: indexmap::IndexMap<String, String>,
    /// Prompt session attributes a Lambda returned: for the rest of this request only.
    pub prompt_session_attributes: indexmap::IndexMap<String, String>,
}

/// How the request starts: a user message, or the caller's answers to a stored pause
/// (matched to its calls by `direct::runner::match_answers`).
pub enum Start {
    Message(String),
    Resume {
        pending: Pending,
        answers: Vec<(PendingCall, Answer)>,
    },
}

/// Watches a request as it runs: `agentc serve` turns these into InvokeAgent trace events.
pub trait Observe: Send + Sync {
    /// A model call, as the stream's `metadata` event reported it when the call ended.
    fn model_call(&self, _usage: &Usage, _latency_ms: Option<f64>) {}
    /// A call agentc ran (an inline function or a knowledge base), with its output.
    fn tool_call(&self, _call: &ToolCall, _output: &ToolOutput) {}
}

/// One user request on a deployed harness: stream its answer to `on_text` as it arrives,
/// answer paused calls with the local executors, and write the trace.
pub struct Request<'a> {
    pub client: &'a HarnessRuntime,
    pub dispatcher: Arc<Dispatcher>,
    pub trace: Option<&'a Trace>,
    pub settings: RunSettings,
    /// `None`: nobody can be asked, so calls that need confirmation go back to the caller.
    pub confirm: Option<&'a dyn Confirm>,
    pub observer: Option<&'a dyn Observe>,
}

impl Request<'_> {
    fn record(&self, event: &Event<'_>) -> Result<(), TraceError> {
        match self.trace {
            Some(trace) => trace.record(event),
            None => Ok(()),
        }
    }

    fn context(&self, message: &str, report: &RunReport) -> EventContext {
        let s = &self.settings;
        let (agent_id, agent_alias, session_id) = match &s.caller {
            Some(c) => (c.agent_id.clone(), c.alias_id.clone(), c.session_id.clone()),
            None => (
                invoke::harness_id_of(&s.harness_arn).to_string(),
                s.qualifier.clone(),
                s.session_id.clone(),
            ),
        };
        EventContext {
            agent_name: self.settings.agent_name.clone(),
            agent_id,
            agent_alias,
            agent_version: self
                .settings
                .harness_version
                .clone()
                .unwrap_or_else(|| "DRAFT".into()),
            session_id,
            input_text: message.to_string(),
            session_attributes: report.session_attributes.clone(),
            prompt_session_attributes: report.prompt_session_attributes.clone(),
        }
    }

    /// Run the request and write its `request` line.
    pub async fn run(
        &self,
        start: Start,
        on_text: &mut (dyn FnMut(&str) + Send),
    ) -> Result<RunReport, HarnessRunError> {
        let started = Instant::now();
        let mut report = RunReport {
            outcome: Outcome::Stopped {
                stop_reason: String::new(),
            },
            text: String::new(),
            session_id: self.settings.session_id.clone(),
            usage: Usage::default(),
            model_calls: 0,
            tool_calls: 0,
            invocations: 0,
            unknown_events: Vec::new(),
            session_attributes: self.settings.session_attributes.clone(),
            prompt_session_attributes: self.settings.prompt_session_attributes.clone(),
        };
        let result = self.request(start, &mut report, on_text).await;
        let outcome = match (&result, &report.outcome) {
            (Ok(()), Outcome::Stopped { stop_reason }) => stop_reason.as_str(),
            (Ok(()), Outcome::ReturnControl { .. }) => "return_control",
            (Err(HarnessRunError::StreamCut { .. }), _) => "stream_cut",
            (Err(_), _) => "error",
        };
        self.record(&Event::Request {
            session: &self.settings.session_id,
            model_calls: report.model_calls,
            latency_ms: round_ms(started.elapsed().as_secs_f64() * 1000.0),
            outcome,
            attempt: 1,
        })?;
        result.map(|()| report)
    }

    async fn request(
        &self,
        start: Start,
        report: &mut RunReport,
        on_text: &mut (dyn FnMut(&str) + Send),
    ) -> Result<(), HarnessRunError> {
        let s = &self.settings;
        let (mut message, user_text) = match start {
            Start::Message(text) => (invoke::user_message(&text), text),
            Start::Resume { pending, answers } => self.resume(pending, answers, report).await?,
        };
        let max = s.max_rounds.max(1);
        for _ in 0..max {
            report.invocations += 1;
            let body = invoke::request_body(vec![message]);
            let mut reader = self
                .client
                .open(&s.harness_arn, &s.qualifier, &s.session_id, &body)
                .await?;
            let mut turn = Turn::default();
            while let Some(event) = reader.next().await? {
                turn.apply(&event)
                    .map_err(|e| HarnessRunError::Framing(e.to_string()))?;
                match event {
                    StreamEvent::TextDelta { text, .. } => {
                        on_text(&text);
                        report.text.push_str(&text);
                    }
                    StreamEvent::Metadata { usage, latency_ms } => {
                        let usage = Usage {
                            input_tokens: usage.input_tokens,
                            output_tokens: usage.output_tokens,
                            cache_read_input_tokens: usage.cache_read_input_tokens,
                            cache_write_input_tokens: usage.cache_write_input_tokens,
                        };
                        report.model_calls += 1;
                        report.usage.add(usage);
                        if let Some(observer) = self.observer {
                            observer.model_call(&usage, latency_ms);
                        }
                        self.record(&Event::ModelCall {
                            session: &s.session_id,
                            iteration: report.model_calls,
                            step: Step::Orchestration,
                            model_id: &s.model_id,
                            latency_ms: round_ms(latency_ms.unwrap_or(0.0)),
                            stop_reason: turn.stop_reason.as_deref(),
                            usage,
                        })?;
                    }
                    StreamEvent::Exception { kind, message } => {
                        self.record(&Event::Failure {
                            session: &s.session_id,
                            code: &kind,
                            what: &message,
                        })?;
                        let code = service_code(&kind);
                        return Err(HarnessRunError::InStream {
                            help: help_for(&code).to_string(),
                            kind,
                            message,
                        });
                    }
                    StreamEvent::Unknown(kind) => {
                        count_unknown(&mut report.unknown_events, kind);
                    }
                    _ => {}
                }
            }
            if !turn.paused() {
                report.outcome = Outcome::Stopped {
                    stop_reason: turn.stop_reason.unwrap_or_default(),
                };
                return Ok(());
            }
            let calls = turn.pending();
            if calls.is_empty() {
                return Err(HarnessRunError::ToolUseWithoutCalls);
            }
            match self.answer(calls, &user_text, report).await? {
                Answered::Results(results) => message = invoke::tool_results_message(&results),
                Answered::Paused(pending) => {
                    report.outcome = Outcome::ReturnControl { pending };
                    return Ok(());
                }
            }
        }
        Err(HarnessRunError::TooManyRounds { max })
    }

    /// The message that answers a stored pause — the results kept with it, then each call's
    /// answer in order (a confirmed call runs now; a declined one is reported as declined) —
    /// and the paused request's message.
    async fn resume(
        &self,
        pending: Pending,
        answers: Vec<(PendingCall, Answer)>,
        report: &mut RunReport,
    ) -> Result<(Value, String), HarnessRunError> {
        let to_run = calls_to_run(&answers);
        let input_text = pending
            .service
            .as_ref()
            .and_then(|s| s.get("inputText"))
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string();
        let mut outputs = self
            .dispatch_all(&to_run, &input_text, report)
            .await?
            .into_iter();
        let mut blocks = pending.results;
        for (call, answer) in answers {
            let block = match answer {
                Answer::Result(text) => {
                    invoke::tool_result_block(&call.tool_use_id, body_content(&text), false)
                }
                Answer::Run => {
                    let output = outputs
                        .next()
                        .unwrap_or_else(|| ToolOutput::internal_error(&call.name));
                    let error = output.is_error();
                    invoke::tool_result_block(&call.tool_use_id, output.content, error)
                }
                Answer::Deny => {
                    let output =
                        ToolOutput::denied(&format!("{}/{}", call.action_group, call.function));
                    self.record_output(&call.name, &output)?;
                    invoke::tool_result_block(&call.tool_use_id, output.content, true)
                }
            };
            blocks.push(block);
        }
        Ok((
            serde_json::json!({ "role": "user", "content": blocks }),
            input_text,
        ))
    }

    /// Run the paused calls that may run here, concurrently; the others go back to the
    /// caller with the results of these.
    async fn answer(
        &self,
        calls: Vec<ToolUse>,
        user_text: &str,
        report: &mut RunReport,
    ) -> Result<Answered, HarnessRunError> {
        // Per call, in the model's order: run here (index into `local`), declined, or returned.
        enum Slot {
            Local(usize),
            Denied {
                id: String,
                name: String,
                label: String,
            },
        }
        let mut slots = Vec::new();
        let mut local = Vec::new();
        let mut returned = Vec::new();
        for call in calls {
            let Some(target) = self.dispatcher.target(&call.name) else {
                return Err(HarnessRunError::UnknownFunction { name: call.name });
            };
            let pending = |kind| PendingCall {
                tool_use_id: call.tool_use_id.clone(),
                name: call.name.clone(),
                action_group: target.action_group.clone(),
                function: target.function.clone(),
                input: call.input.clone(),
                action_invocation_type: kind,
            };
            let returns = self.dispatcher.returns_control(&call.name);
            if target.require_confirmation {
                let kind = if returns {
                    InvocationType::UserConfirmationAndResult
                } else {
                    InvocationType::UserConfirmation
                };
                match self.confirm {
                    None => {
                        returned.push(pending(kind));
                        continue;
                    }
                    Some(confirm) if !confirm.confirm(&pending(kind)) => {
                        let label = format!("{}/{}", target.action_group, target.function);
                        slots.push(Slot::Denied {
                            id: call.tool_use_id,
                            name: call.name,
                            label,
                        });
                        continue;
                    }
                    Some(_) => {}
                }
            }
            if returns {
                returned.push(pending(InvocationType::Result));
                continue;
            }
            slots.push(Slot::Local(local.len()));
            local.push(ToolCall {
                tool_use_id: call.tool_use_id,
                name: call.name,
                input: call.input,
            });
        }
        let outputs = self.dispatch_all(&local, user_text, report).await?;
        let mut results = Vec::new();
        for slot in slots {
            let (id, output) = match slot {
                Slot::Local(at) => (local[at].tool_use_id.clone(), outputs[at].clone()),
                Slot::Denied { id, name, label } => {
                    let output = ToolOutput::denied(&label);
                    self.record_output(&name, &output)?;
                    (id, output)
                }
            };
            results.push((id, output.content.clone(), output.is_error()));
        }
        if returned.is_empty() {
            return Ok(Answered::Results(results));
        }
        Ok(Answered::Paused(Pending {
            calls: returned,
            results: results
                .into_iter()
                .map(|(id, content, error)| invoke::tool_result_block(&id, content, error))
                .collect(),
            // The Lambda event of a call confirmed later names the request's message too.
            service: Some(serde_json::json!({ "inputText": user_text })),
        }))
    }

    /// Run calls concurrently (results in the calls' order) and trace each.
    pub async fn dispatch_all(
        &self,
        calls: &[ToolCall],
        user_text: &str,
        report: &mut RunReport,
    ) -> Result<Vec<ToolOutput>, HarnessRunError> {
        let context = Arc::new(self.context(user_text, report));
        let mut set = tokio::task::JoinSet::new();
        for (index, call) in calls.iter().enumerate() {
            let dispatcher = Arc::clone(&self.dispatcher);
            let context = Arc::clone(&context);
            let call = call.clone();
            set.spawn(async move { (index, dispatcher.dispatch(&call, &context).await) });
        }
        let mut outputs: Vec<Option<ToolOutput>> = vec![None; calls.len()];
        while let Some(joined) = set.join_next().await {
            // A panicking handler task becomes an error result below, not a crash.
            if let Ok((index, output)) = joined {
                outputs[index] = Some(output);
            }
        }
        let mut finished = Vec::with_capacity(calls.len());
        for (call, output) in calls.iter().zip(outputs) {
            let output = output.unwrap_or_else(|| ToolOutput::internal_error(&call.name));
            report.tool_calls += 1;
            self.record_output(&call.name, &output)?;
            if let Some(observer) = self.observer {
                observer.tool_call(call, &output);
            }
            if let Some(attributes) = &output.session_attributes {
                report.session_attributes = attributes.clone();
            }
            if let Some(attributes) = &output.prompt_session_attributes {
                report.prompt_session_attributes = attributes.clone();
            }
            finished.push(output);
        }
        Ok(finished)
    }

    /// One `tool_call` (or `retrieval`) trace line for a finished call.
    fn record_output(&self, name: &str, output: &ToolOutput) -> Result<(), TraceError> {
        let session = &self.settings.session_id;
        self.record(&match &output.retrieval {
            Some(retrieval) => Event::Retrieval {
                session,
                knowledge_base_id: &retrieval.knowledge_base_id,
                latency_ms: round_ms(output.latency_ms),
                outcome: output.outcome,
                results: retrieval.results,
                bytes: output.result_bytes,
            },
            None => Event::ToolCall {
                session,
                name,
                latency_ms: round_ms(output.latency_ms),
                outcome: output.outcome,
                result_bytes: output.result_bytes,
                executed_by: None,
            },
        })
    }
}

enum Answered {
    /// Every call has its result: send them.
    Results(Vec<(String, Value, bool)>),
    /// Some calls wait for the caller.
    Paused(Pending),
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_invoke_url_carries_the_arn_and_qualifier_encoded_like_the_sdk() {
        let config = crate::aws::loopback_test_config("us-east-1");
        let client = HarnessRuntime::new(&config, RetryPolicy::default()).unwrap();
        assert_eq!(
            client.url(
                "arn:aws:bedrock-agentcore:us-east-1:123456789012:harness/hr-abcdefghij",
                "live"
            ),
            "http://127.0.0.1:9/harnesses/invoke?harnessArn=arn%3Aaws%3Abedrock-agentcore%3Aus-east-1%3A123456789012%3Aharness%2Fhr-abcdefghij&qualifier=live"
        );
    }

    #[test]
    fn errors_name_what_to_do() {
        assert!(help_for("ResourceNotFoundException").contains("deploy"));
        assert!(help_for("AccessDeniedException").contains("InvokeHarness"));
        assert_eq!(service_code("runtimeClientError"), "RuntimeClientError");
        assert!(transient("ThrottlingException", 400));
        assert!(!transient("ValidationException", 400));
        assert!(matches!(
            HarnessRuntime::new(
                &aws_config::SdkConfig::builder().build(),
                RetryPolicy::default()
            ),
            Err(HarnessRunError::NoRegion)
        ));
    }
}
