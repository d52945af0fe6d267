//! `agentc run --target agents`: InvokeAgent on a deployed agent, read as a stream.
//!
//! A thin client instead of `aws-sdk-bedrockagentruntime` (about ten minutes of a cold 2-core
//! release build for one operation): the request is signed by `aws-sigv4` with the SDK's
//! credentials and Region, sent with `reqwest`, and the response body is fed chunk by chunk
//! into `aws-smithy-eventstream`'s frame decoder — the same pieces the SDK is made of. The
//! shapes are in `agents::invoke`.
//!
//! One user request may take several InvokeAgent calls: while a stream ends with
//! `returnControl`, agentc runs the returned functions with the spec's local executors and
//! answers on the same session. Throttling and server errors before the stream starts are
//! retried (`direct::retry`); an in-stream `dependencyFailedException` is final for the
//! service, and `--retry-session N` retries the whole request on a new session.

use super::invoke::{self, Observed, StreamEvent, TraceFact};
use crate::direct::compile::ToolNameMap;
use crate::direct::dispatch::{CallOutcome, Dispatcher, ToolCall, ToolOutput};
use crate::direct::lambda_event::EventContext;
use crate::direct::model::Usage;
use crate::direct::retry::RetryPolicy;
use crate::direct::runner::Answer;
use crate::direct::session::{InvocationType, Pending, PendingCall};
use crate::direct::trace::{Event, Step, Trace, TraceError, round_ms};
use crate::runtime::frame::{count_unknown, service_code};
use crate::runtime::stream::{FrameReader, ServiceCall, StreamClient, UNRESERVED, stream_errors};
use crate::spec::{Agent, ToolSource};
use percent_encoding::utf8_percent_encode;
use serde_json::{Value, json};
use std::collections::HashMap;
use std::time::{Instant, SystemTime};

/// Bedrock Agents' runtime endpoint, as the SDK's endpoint configuration names it.
pub const SERVICE: crate::aws::Service = crate::aws::Service {
    name: "the Bedrock Agents runtime",
    env: "BEDROCK_AGENT_RUNTIME",
    host: "bedrock-agent-runtime",
};

/// InvokeAgent's signing name is `bedrock`, not its endpoint prefix.
const SIGNING_NAME: &str = "bedrock";
/// InvokeAgent takes at most 5 results per answer, and an agent that keeps returning
/// control is looping: this many answered rounds end the request.
pub const MAX_ROUNDS: u32 = 10;

#[derive(Debug, thiserror::Error, miette::Diagnostic)]
pub enum AgentRunError {
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
    #[error("InvokeAgent failed with {code} (HTTP {status}) at {endpoint}: {message}")]
    #[diagnostic(code(agentc::run::agents::service), help("{help}"))]
    Service {
        code: String,
        status: u16,
        message: String,
        endpoint: String,
        help: String,
    },
    #[error("InvokeAgent got no answer from {endpoint} after {attempts} attempt(s): {message}")]
    #[diagnostic(
        code(agentc::run::agents::unreachable),
        help(
            "check the network and the endpoint (AWS_ENDPOINT_URL_BEDROCK_AGENT_RUNTIME, AWS_ENDPOINT_URL)"
        )
    )]
    Unreachable {
        endpoint: String,
        attempts: u32,
        message: String,
    },
    #[error(
        "the agent failed with dependencyFailedException in session `{session}` (attempt {attempt}): {message}"
    )]
    #[diagnostic(
        code(agentc::run::agents::dependency_failed),
        help(
            "the service does not retry this: it is the known failure of Nova orchestrators on long tool definitions (or a failing action-group Lambda). Retry the request on a new session with `--retry-session N`, shorten the functions' descriptions and parameters, or orchestrate with another model (`targets.agents.orchestrator`)"
        )
    )]
    DependencyFailed {
        session: String,
        attempt: u32,
        message: String,
    },
    #[error("the agent's stream ended with {kind}: {message}")]
    #[diagnostic(code(agentc::run::agents::in_stream), help("{help}"))]
    InStream {
        kind: String,
        message: String,
        help: String,
    },
    #[error(
        "the agent's stream from {endpoint} was cut after {events} event(s): {detail}; the answer is incomplete"
    )]
    #[diagnostic(
        code(agentc::run::agents::stream_cut),
        help(
            "nothing was answered on the session after the cut; run the request again (the service may have kept the partial turn in its session: use a new --session to start clean)"
        )
    )]
    StreamCut {
        endpoint: String,
        events: u32,
        detail: String,
    },
    #[error("the agent's stream is not a valid event stream: {0}")]
    #[diagnostic(code(agentc::run::agents::framing))]
    Framing(String),
    #[error("the agent returned a call of {label}, and the spec has no such function")]
    #[diagnostic(
        code(agentc::run::agents::unknown_function),
        help(
            "the deployed agent and the spec differ; run `agentc plan --target agents` to see how"
        )
    )]
    UnknownFunction { label: String },
    #[error("the agent returned control {max} times in one request")]
    #[diagnostic(
        code(agentc::run::agents::rounds),
        help(
            "the agent keeps calling functions; check the functions' results and the instruction"
        )
    )]
    TooManyRounds { max: u32 },
    #[error("there is no agent named `{name}` at {endpoint}")]
    #[diagnostic(
        code(agentc::run::agents::not_deployed),
        help(
            "deploy it with `agentc deploy SPEC --target agents`, or name it with --agent-id and --agent-alias-id"
        )
    )]
    AgentNotFound { name: String, endpoint: String },
    #[error("agent `{agent}` has no alias named `{alias}` (it has: {available})")]
    #[diagnostic(
        code(agentc::run::agents::no_alias),
        help(
            "deploy the spec again (`agentc deploy SPEC --target agents`) or pass --agent-alias-id"
        )
    )]
    AliasNotFound {
        agent: String,
        alias: String,
        available: String,
    },
    #[error("the spec names no alias to run (`targets.agents.alias`)")]
    #[diagnostic(
        code(agentc::run::agents::no_alias),
        help(
            "set `targets.agents.alias` and deploy, or pass --agent-alias-id (TSTALIASID runs the working draft)"
        )
    )]
    NoAlias,
    #[error(transparent)]
    #[diagnostic(transparent)]
    Trace(#[from] TraceError),
}

/// What the help of a service error says to do, by error code.
fn help_for(code: &str) -> &'static str {
    match code {
        "ResourceNotFoundException" => {
            "check the agent and alias ids (--agent-id, --agent-alias-id) and the Region; deploy the agent with `agentc deploy --target agents`"
        }
        "AccessDeniedException" => {
            "the caller needs `bedrock:InvokeAgent` on the agent alias (and the agent's role needs access to its model)"
        }
        "ValidationException" => "the request was refused as invalid; the message says which field",
        "ThrottlingException" | "ServiceQuotaExceededException" => {
            "still throttled after the retries; slow down, or ask for a higher InvokeAgent quota"
        }
        "ConflictException" => {
            "another request is running on this session; wait for it or use another --session"
        }
        "ModelNotReadyException" => "the model is not ready yet; run again in a minute",
        "DependencyFailedException" => {
            "a resource the agent depends on failed (its model, a Lambda, a knowledge base); see the message"
        }
        _ => "see the message; run again if the failure was transient",
    }
}

fn transient(code: &str, status: u16) -> bool {
    matches!(
        code,
        "ThrottlingException"
            | "InternalServerException"
            | "ModelNotReadyException"
            | "BadGatewayException"
            | "ServiceUnavailableException"
    ) || status == 429
        || status >= 500
}

stream_errors!(AgentRunError, help_for);

/// The InvokeAgent client.
pub struct AgentRuntime {
    client: StreamClient,
}

impl AgentRuntime {
    pub fn new(config: &aws_config::SdkConfig, retry: RetryPolicy) -> Result<Self, AgentRunError> {
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

    fn url(&self, agent_id: &str, alias_id: &str, session_id: &str) -> String {
        format!(
            "{}/agents/{}/agentAliases/{}/sessions/{}/text",
            self.client.base_url(),
            utf8_percent_encode(agent_id, UNRESERVED),
            utf8_percent_encode(alias_id, UNRESERVED),
            utf8_percent_encode(session_id, UNRESERVED)
        )
    }

    /// Send one InvokeAgent and return its stream once the service accepted it; transient
    /// failures before that are retried.
    async fn open(
        &self,
        agent_id: &str,
        alias_id: &str,
        session_id: &str,
        body: &Value,
    ) -> Result<EventReader, AgentRunError> {
        let url = self.url(agent_id, alias_id, session_id);
        let bytes = serde_json::to_vec(body).unwrap_or_default();
        let frames = self.client.open(&url, &[], &bytes).await?;
        Ok(EventReader { frames })
    }
}

/// The events of one InvokeAgent response, decoded as they arrive.
pub struct EventReader {
    frames: FrameReader,
}

impl EventReader {
    /// The next event, or `None` at the end of a complete stream.
    pub async fn next(&mut self) -> Result<Option<StreamEvent>, AgentRunError> {
        let Some(message) = self.frames.next().await? else {
            return Ok(None);
        };
        invoke::decode_event(&message)
            .map(Some)
            .map_err(|e| AgentRunError::Framing(e.to_string()))
    }
}

/// How to run one request.
#[derive(Debug, Clone)]
pub struct RunSettings {
    pub agent_id: String,
    pub alias_id: String,
    pub session_id: String,
    /// Ask the service for trace events (they carry usage; they also carry whole prompts,
    /// so they are only asked for when something records them).
    pub enable_trace: bool,
    pub end_session: bool,
    /// New sessions to try after an in-stream `dependencyFailedException`.
    pub retry_sessions: u32,
    pub agent_name: String,
    /// The model a model call is priced with when its trace does not name one.
    pub default_model: String,
}

/// What a request did.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RunReport {
    pub text: String,
    /// The session the answer came from (a new one after `--retry-session`).
    pub session_id: String,
    pub usage: Usage,
    pub model_calls: u32,
    /// Calls agentc ran for returned control.
    pub tool_calls: u32,
    /// Calls the service ran itself (its observations).
    pub service_tool_calls: u32,
    pub attempts: u32,
    /// InvokeAgent calls (one more per answered return of control).
    pub invocations: u32,
    /// Events of types this agentc does not know, by type: ignored.
    pub unknown_events: Vec<(String, u32)>,
    pub files: usize,
    /// Calls handed back to the caller (no local executor, or a confirmation nobody here
    /// could give), with the results of the others; answered by a later run.
    pub paused: Option<Pending>,
}

/// Which spec tool answers a returned call: (action group, function) or (action group,
/// `METHOD path`).
fn tool_index(agent: &Agent, names: &ToolNameMap) -> HashMap<(String, String), String> {
    agent
        .tools
        .iter()
        .zip(&names.entries)
        .map(|(tool, entry)| {
            let operation = match &tool.source {
                ToolSource::Function { .. } => tool.name.clone(),
                ToolSource::OpenApi { method, path } => {
                    format!("{} {path}", method.to_uppercase())
                }
            };
            (
                (tool.group_name.clone(), operation),
                entry.tool_name.clone(),
            )
        })
        .collect()
}

fn operation_of(input: &invoke::InvocationInput) -> (String, String) {
    match (
        &input.function_invocation_input,
        &input.api_invocation_input,
    ) {
        (Some(f), _) => (f.action_group.clone(), f.function.clone()),
        (None, Some(a)) => (
            a.action_group.clone(),
            format!("{} {}", a.http_method.to_uppercase(), a.api_path),
        ),
        (None, None) => (String::new(), String::new()),
    }
}

fn new_session_id(attempt: u32) -> String {
    let millis = SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis());
    format!("agentc-{millis}-{}-{attempt}", std::process::id())
}

/// One user request on a deployed agent: stream its answer to `on_text` as it arrives,
/// answer returned control with the local executors, and write the trace.
pub struct Request<'a> {
    pub client: &'a AgentRuntime,
    pub dispatcher: &'a Dispatcher,
    pub agent: &'a Agent,
    pub names: &'a ToolNameMap,
    pub trace: Option<&'a Trace>,
    pub settings: RunSettings,
    /// Asks the user whether a call that needs confirmation may run (`label`, its input):
    /// `Some(true)` confirm, `Some(false)` deny, `None` nobody can be asked.
    pub confirm: &'a dyn Fn(&str, &Value) -> Option<bool>,
}

/// Pairing of a trace's input and output events (they share a `traceId`).
#[derive(Default)]
struct Pairing {
    models: HashMap<String, (Option<String>, Step, Instant)>,
    tools: HashMap<String, (String, Option<String>, bool, Instant)>,
}

impl Request<'_> {
    /// Run the request; `message` is `None` for a bare `--end-session`.
    pub async fn run(
        &self,
        message: Option<&str>,
        on_text: &mut dyn FnMut(&str),
    ) -> Result<RunReport, AgentRunError> {
        let attempts = 1 + self.settings.retry_sessions;
        let mut session = self.settings.session_id.clone();
        let mut attempt = 1;
        loop {
            let mut report = RunReport {
                session_id: session.clone(),
                attempts: attempt,
                ..RunReport::default()
            };
            let started = Instant::now();
            let result = self
                .attempt(message, &session, &mut report, on_text, None)
                .await;
            let outcome = match &result {
                Ok(()) if report.paused.is_some() => "return_control",
                Ok(()) => "answered",
                Err(AgentRunError::DependencyFailed { .. }) => "dependency_failed",
                Err(AgentRunError::StreamCut { .. }) => "stream_cut",
                Err(_) => "error",
            };
            self.record(&Event::Request {
                session: &session,
                model_calls: report.model_calls,
                latency_ms: round_ms(started.elapsed().as_secs_f64() * 1000.0),
                outcome,
                attempt,
            })?;
            match result {
                // The service does not retry this one; a new session often gets past it.
                Err(AgentRunError::DependencyFailed { .. }) if attempt < attempts => {
                    attempt += 1;
                    session = new_session_id(attempt);
                    if let Some(trace) = self.trace {
                        trace.start_request();
                    }
                }
                Err(error) => return Err(error),
                Ok(()) => return Ok(report),
            }
        }
    }

    /// Answer a stored pause (the caller's answers, matched by
    /// `direct::runner::match_answers`) and run the rest of the request on its session.
    pub async fn run_resumed(
        &self,
        pending: Pending,
        answers: Vec<(PendingCall, Answer)>,
        on_text: &mut dyn FnMut(&str),
    ) -> Result<RunReport, AgentRunError> {
        let session = self.settings.session_id.clone();
        let mut report = RunReport {
            session_id: session.clone(),
            attempts: 1,
            ..RunReport::default()
        };
        let started = Instant::now();
        let result = match self.resume(pending, answers, &mut report).await {
            Ok(resumed) => {
                self.attempt(None, &session, &mut report, on_text, Some(resumed))
                    .await
            }
            Err(error) => Err(error),
        };
        let outcome = match &result {
            Ok(()) if report.paused.is_some() => "return_control",
            Ok(()) => "answered",
            Err(AgentRunError::DependencyFailed { .. }) => "dependency_failed",
            Err(AgentRunError::StreamCut { .. }) => "stream_cut",
            Err(_) => "error",
        };
        self.record(&Event::Request {
            session: &session,
            model_calls: report.model_calls,
            latency_ms: round_ms(started.elapsed().as_secs_f64() * 1000.0),
            outcome,
            attempt: 1,
        })?;
        result.map(|()| report)
    }

    fn record(&self, event: &Event<'_>) -> Result<(), TraceError> {
        match self.trace {
            Some(trace) => trace.record(event),
            None => Ok(()),
        }
    }

    async fn attempt(
        &self,
        message: Option<&str>,
        session: &str,
        report: &mut RunReport,
        on_text: &mut dyn FnMut(&str),
        resumed: Option<(Value, String)>,
    ) -> Result<(), AgentRunError> {
        let s = &self.settings;
        let (state, mut agent_version) = match resumed {
            Some((state, version)) => (Some(state), version),
            None => (None, "DRAFT".to_string()),
        };
        let mut body = invoke::request_body(message, s.enable_trace, s.end_session, state);
        let mut pairing = Pairing::default();
        for round in 0..=MAX_ROUNDS {
            if round == MAX_ROUNDS {
                return Err(AgentRunError::TooManyRounds { max: MAX_ROUNDS });
            }
            report.invocations += 1;
            let mut reader = self
                .client
                .open(&s.agent_id, &s.alias_id, session, &body)
                .await?;
            let mut returned = None;
            while let Some(event) = reader.next().await? {
                match event {
                    StreamEvent::Chunk(text) => {
                        on_text(&text);
                        report.text.push_str(&text);
                    }
                    StreamEvent::Trace(part) => {
                        if let Some(version) = part.get("agentVersion").and_then(Value::as_str) {
                            version.clone_into(&mut agent_version);
                        }
                        self.on_trace(&part, session, &mut pairing, report)?;
                    }
                    StreamEvent::ReturnControl(control) => returned = Some(control),
                    StreamEvent::Files(n) => report.files += n,
                    StreamEvent::Exception { kind, message } => {
                        self.record(&Event::Failure {
                            session,
                            code: &kind,
                            what: &message,
                        })?;
                        return Err(if kind == "dependencyFailedException" {
                            AgentRunError::DependencyFailed {
                                session: session.to_string(),
                                attempt: report.attempts,
                                message,
                            }
                        } else {
                            let code = service_code(&kind);
                            AgentRunError::InStream {
                                help: help_for(&code).to_string(),
                                kind,
                                message,
                            }
                        });
                    }
                    StreamEvent::Unknown(kind) => {
                        count_unknown(&mut report.unknown_events, kind);
                    }
                }
            }
            let Some(control) = returned else {
                return Ok(());
            };
            let results = match self
                .answer(&control, session, &agent_version, message, report)
                .await?
            {
                Answered::Results(results) => results,
                Answered::Paused(pending) => {
                    report.paused = Some(pending);
                    return Ok(());
                }
            };
            body = invoke::request_body(
                None,
                s.enable_trace,
                s.end_session,
                Some(invoke::answer_state(&control.invocation_id, results)),
            );
        }
        Ok(())
    }

    fn on_trace(
        &self,
        part: &Value,
        session: &str,
        pairing: &mut Pairing,
        report: &mut RunReport,
    ) -> Result<(), AgentRunError> {
        match invoke::read_trace(part) {
            TraceFact::ModelInput {
                trace_id,
                model_id,
                step,
            } => {
                pairing
                    .models
                    .insert(trace_id, (model_id, step, Instant::now()));
            }
            TraceFact::ModelOutput {
                trace_id,
                step,
                usage,
                latency_ms,
            } => {
                let paired = pairing.models.remove(&trace_id);
                let model_id = paired
                    .as_ref()
                    .and_then(|(m, _, _)| m.clone())
                    .unwrap_or_else(|| self.settings.default_model.clone());
                let step = paired.as_ref().map_or(step, |(_, s, _)| *s);
                let latency = latency_ms
                    .or_else(|| paired.map(|(_, _, at)| at.elapsed().as_secs_f64() * 1000.0))
                    .unwrap_or(0.0);
                report.model_calls += 1;
                report.usage.add(usage);
                self.record(&Event::ModelCall {
                    session,
                    iteration: report.model_calls,
                    step,
                    model_id: &model_id,
                    latency_ms: round_ms(latency),
                    stop_reason: None,
                    usage,
                })?;
            }
            TraceFact::ToolInput {
                trace_id,
                name,
                knowledge_base_id,
                returned,
            } => {
                pairing.tools.insert(
                    trace_id,
                    (name, knowledge_base_id, returned, Instant::now()),
                );
            }
            TraceFact::Observation {
                trace_id,
                observed,
                latency_ms,
            } => {
                // Only a call whose decision this stream showed, and that the service ran
                // itself: returned calls are traced where agentc runs them.
                let Some((name, knowledge_base_id, returned, at)) = pairing.tools.remove(&trace_id)
                else {
                    return Ok(());
                };
                let latency =
                    round_ms(latency_ms.unwrap_or_else(|| at.elapsed().as_secs_f64() * 1000.0));
                match observed {
                    Observed::ActionGroup { bytes } if !returned => {
                        report.service_tool_calls += 1;
                        self.record(&Event::ToolCall {
                            session,
                            name: &name,
                            latency_ms: latency,
                            outcome: CallOutcome::Ok,
                            result_bytes: bytes,
                            executed_by: Some("service"),
                        })?;
                    }
                    Observed::KnowledgeBase { results, bytes } => {
                        self.record(&Event::Retrieval {
                            session,
                            knowledge_base_id: knowledge_base_id.as_deref().unwrap_or_default(),
                            latency_ms: latency,
                            outcome: CallOutcome::Ok,
                            results,
                            bytes,
                        })?;
                    }
                    _ => {}
                }
            }
            TraceFact::Failure { code, reason } => self.record(&Event::Failure {
                session,
                code: &code,
                what: &reason,
            })?,
            TraceFact::Guardrail { action } => self.record(&Event::Guardrail {
                session,
                action: &action,
            })?,
            TraceFact::Other => {}
        }
        Ok(())
    }

    /// Run the returned calls with the local executors, concurrently, in order. A call
    /// nobody here can answer — no local executor, or a confirmation without a terminal to
    /// ask on — goes back to the caller, with the results of the others.
    async fn answer(
        &self,
        control: &invoke::ReturnControl,
        session: &str,
        agent_version: &str,
        message: Option<&str>,
        report: &mut RunReport,
    ) -> Result<Answered, AgentRunError> {
        let index = tool_index(self.agent, self.names);
        let mut calls = Vec::new();
        // Per input: its call (None when it is only confirmed or denied), the answer to a
        // confirmation the agent asked for, and the input.
        let mut plan = Vec::new();
        // Calls for the caller: the pending call, its input, a confirmation already given.
        let mut handed_back = Vec::new();
        for (n, input) in control.invocation_inputs.iter().enumerate() {
            let (group, operation) = operation_of(input);
            let label = format!("{group}/{operation}");
            let Some(tool_name) = index.get(&(group.clone(), operation.clone())) else {
                return Err(AgentRunError::UnknownFunction { label });
            };
            let call = ToolCall {
                tool_use_id: format!("{}-{n}", control.invocation_id),
                name: tool_name.clone(),
                input: invoke::call_input(input),
            };
            let pending = |waits| PendingCall {
                tool_use_id: call.tool_use_id.clone(),
                name: tool_name.clone(),
                action_group: group.clone(),
                function: operation.clone(),
                input: call.input.clone(),
                action_invocation_type: waits,
            };
            let kind = invoke::invocation_type(input);
            let local = !self.dispatcher.returns_control(tool_name);
            let confirmed = if kind.starts_with("USER_CONFIRMATION") {
                match (self.confirm)(&label, &call.input) {
                    Some(answer) => Some(answer),
                    None => {
                        // The caller confirms (`--confirm`, then agentc or the service runs
                        // it) or confirms with its result (no local executor).
                        let waits = if kind == "USER_CONFIRMATION" || local {
                            InvocationType::UserConfirmation
                        } else {
                            InvocationType::UserConfirmationAndResult
                        };
                        handed_back.push((pending(waits), input.clone(), None));
                        continue;
                    }
                }
            } else {
                None
            };
            // Only RESULT (and a confirmed USER_CONFIRMATION_AND_RESULT) runs the function.
            let runs = kind == "RESULT"
                || (kind == "USER_CONFIRMATION_AND_RESULT" && confirmed == Some(true));
            if runs && !local {
                handed_back.push((pending(InvocationType::Result), input.clone(), confirmed));
                continue;
            }
            plan.push((runs.then_some(calls.len()), confirmed, input));
            if runs {
                calls.push(call);
            }
        }
        let context = self.context(session, agent_version, message);
        let outputs = futures_join_all(
            calls
                .iter()
                .map(|call| self.dispatcher.dispatch(call, &context)),
        )
        .await;
        let mut results = Vec::new();
        for (ran, confirmed, input) in plan {
            let Some(at) = ran else {
                results.push(confirmation_only(input, confirmed));
                continue;
            };
            results.push(self.ran(session, input, &calls[at], &outputs[at], confirmed, report)?);
        }
        if handed_back.is_empty() {
            return Ok(Answered::Results(results));
        }
        let inputs: Vec<Value> = handed_back
            .iter()
            .map(|(call, input, confirmed)| {
                json!({ "toolUseId": call.tool_use_id, "input": input, "confirmed": confirmed })
            })
            .collect();
        Ok(Answered::Paused(Pending {
            calls: handed_back.into_iter().map(|(call, _, _)| call).collect(),
            results,
            service: Some(json!({
                "invocationId": control.invocation_id,
                "agentVersion": agent_version,
                "inputs": inputs,
                "inputText": message,
            })),
        }))
    }

    fn context(&self, session: &str, agent_version: &str, message: Option<&str>) -> EventContext {
        EventContext {
            agent_name: self.settings.agent_name.clone(),
            agent_id: self.settings.agent_id.clone(),
            agent_alias: self.settings.alias_id.clone(),
            agent_version: agent_version.to_string(),
            session_id: session.to_string(),
            input_text: message.unwrap_or_default().to_string(),
            session_attributes: indexmap::IndexMap::new(),
            prompt_session_attributes: indexmap::IndexMap::new(),
        }
    }

    /// The result of a call that ran here, traced.
    fn ran(
        &self,
        session: &str,
        input: &invoke::InvocationInput,
        call: &ToolCall,
        output: &ToolOutput,
        confirmed: Option<bool>,
        report: &mut RunReport,
    ) -> Result<Value, AgentRunError> {
        report.tool_calls += 1;
        self.record(&Event::ToolCall {
            session,
            name: &call.name,
            latency_ms: round_ms(output.latency_ms),
            outcome: output.outcome,
            result_bytes: output.result_bytes,
            executed_by: None,
        })?;
        let body = match output.content.get("text").and_then(Value::as_str) {
            Some(text) => text.to_string(),
            None => output
                .content
                .get("json")
                .map_or_else(String::new, Value::to_string),
        };
        Ok(invoke::with_confirmation(
            invoke::invocation_result(input, &body, output.is_error()),
            confirmed,
        ))
    }

    /// The session state that answers a stored pause: the results kept with it, then each
    /// handed-back call's answer (a confirmed call with a local executor runs now).
    async fn resume(
        &self,
        pending: Pending,
        answers: Vec<(PendingCall, Answer)>,
        report: &mut RunReport,
    ) -> Result<(Value, String), AgentRunError> {
        let corrupt = || {
            AgentRunError::Framing(
                "the stored pause of this session has no returned calls; start a new --session"
                    .into(),
            )
        };
        let service = pending.service.ok_or_else(corrupt)?;
        let invocation_id = service["invocationId"]
            .as_str()
            .ok_or_else(corrupt)?
            .to_string();
        let agent_version = service["agentVersion"]
            .as_str()
            .unwrap_or("DRAFT")
            .to_string();
        let mut inputs = HashMap::new();
        for entry in service["inputs"].as_array().into_iter().flatten() {
            let input: invoke::InvocationInput =
                serde_json::from_value(entry["input"].clone()).map_err(|_| corrupt())?;
            let id = entry["toolUseId"].as_str().unwrap_or_default().to_string();
            inputs.insert(id, (input, entry["confirmed"].as_bool()));
        }
        let session = self.settings.session_id.clone();
        let mut to_run = Vec::new();
        let mut plan = Vec::new();
        for (call, answer) in answers {
            let (input, confirmed) = inputs.remove(&call.tool_use_id).ok_or_else(corrupt)?;
            let confirms = invoke::invocation_type(&input).starts_with("USER_CONFIRMATION");
            match answer {
                Answer::Result(text) => plan.push((
                    invoke::with_confirmation(
                        invoke::invocation_result(&input, &text, false),
                        confirmed.or(confirms.then_some(true)),
                    ),
                    None,
                )),
                Answer::Deny => plan.push((confirmation_only(&input, Some(false)), None)),
                // Confirmed: the service runs it itself, or agentc runs it here.
                Answer::Run if invoke::invocation_type(&input) == "USER_CONFIRMATION" => {
                    plan.push((confirmation_only(&input, Some(true)), None));
                }
                Answer::Run => {
                    plan.push((Value::Null, Some((to_run.len(), input))));
                    to_run.push(ToolCall {
                        tool_use_id: call.tool_use_id.clone(),
                        name: call.name.clone(),
                        input: call.input.clone(),
                    });
                }
            }
        }
        let context = self.context(&session, &agent_version, service["inputText"].as_str());
        let outputs = futures_join_all(
            to_run
                .iter()
                .map(|call| self.dispatcher.dispatch(call, &context)),
        )
        .await;
        let mut results = pending.results;
        for (result, ran) in plan {
            results.push(match ran {
                None => result,
                Some((at, input)) => self.ran(
                    &session,
                    &input,
                    &to_run[at],
                    &outputs[at],
                    Some(true),
                    report,
                )?,
            });
        }
        Ok((invoke::answer_state(&invocation_id, results), agent_version))
    }
}

/// A call the agent only asked to confirm: the user's answer, without a run.
fn confirmation_only(input: &invoke::InvocationInput, confirmed: Option<bool>) -> Value {
    let body = if confirmed == Some(true) {
        ""
    } else {
        "The user denied this call."
    };
    invoke::with_confirmation(invoke::invocation_result(input, body, false), confirmed)
}

/// What answering a `returnControl` came to.
enum Answered {
    /// Every call has its result: send them.
    Results(Vec<Value>),
    /// Some calls wait for the caller.
    Paused(Pending),
}

/// Await futures concurrently on the current task (dispatch borrows the dispatcher, so the
/// calls cannot be spawned), results in order.
async fn futures_join_all<F: std::future::Future>(
    futures: impl Iterator<Item = F>,
) -> Vec<F::Output> {
    let mut pending: Vec<std::pin::Pin<Box<F>>> = futures.map(Box::pin).collect();
    let mut outputs: Vec<Option<F::Output>> = pending.iter().map(|_| None).collect();
    std::future::poll_fn(|cx| {
        let mut done = true;
        for (future, output) in pending.iter_mut().zip(outputs.iter_mut()) {
            if output.is_none() {
                match future.as_mut().poll(cx) {
                    std::task::Poll::Ready(value) => *output = Some(value),
                    std::task::Poll::Pending => done = false,
                }
            }
        }
        if done {
            std::task::Poll::Ready(())
        } else {
            std::task::Poll::Pending
        }
    })
    .await;
    outputs.into_iter().flatten().collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn path_labels_are_encoded_like_the_sdk_encodes_them() {
        let config = crate::aws::loopback_test_config("eu-west-1");
        let client = AgentRuntime::new(&config, RetryPolicy::default()).unwrap();
        assert_eq!(
            client.url("A1", "TSTALIASID", "s:1"),
            "http://127.0.0.1:9/agents/A1/agentAliases/TSTALIASID/sessions/s%3A1/text"
        );
    }

    #[test]
    fn a_bare_config_names_what_is_missing() {
        let config = aws_config::SdkConfig::builder().build();
        assert!(matches!(
            AgentRuntime::new(&config, RetryPolicy::default()),
            Err(AgentRunError::NoRegion)
        ));
    }

    #[test]
    fn in_stream_exception_names_map_to_the_help_table() {
        assert_eq!(service_code("throttlingException"), "ThrottlingException");
        assert!(help_for("AccessDeniedException").contains("bedrock:InvokeAgent"));
        assert!(transient("ThrottlingException", 400));
        assert!(!transient("ValidationException", 400));
        assert!(transient("Whatever", 503));
    }
}
