//! The tool-dispatch loop Bedrock Agents would otherwise run: send the conversation, and
//! while the model stops for `tool_use`, run every call of the turn concurrently, append the
//! results and send again — until the model ends its turn, another stop reason ends it, a
//! call must go back to the caller (`return_control`), or `max_iterations` model calls are
//! spent.

use super::dispatch::{Dispatcher, ToolCall, ToolOutput};
use super::history;
use super::lambda_event::{EventContext, body_content};
use super::model::{ModelClient, ModelError, Reply, Usage};
use super::session::{History, InvocationType, Pending, PendingCall, SessionError, SessionState};
use super::trace::{Event, Step, Trace, TraceError, round_ms};
use super::wire::{WireError, check_message, tool_result_block};
use indexmap::IndexMap;
use serde_json::{Value, json};
use std::sync::Arc;

/// What starts a turn.
#[derive(Debug, Clone)]
pub enum TurnInput {
    /// A new user message.
    Message(String),
    /// Answers to the session's pending calls: results of `return_control` calls
    /// (`--tool-result ID=JSON`) and the user's decisions on calls waiting for confirmation
    /// (`--confirm ID` is `true`, `--deny ID` is `false`), optionally with a new message.
    ToolResults {
        results: Vec<(String, String)>,
        confirmations: Vec<(String, bool)>,
        message: Option<String>,
    },
}

/// Asks the user whether a `require_confirmation` call may run (the CLI asks on a terminal).
/// Without one, such calls go back to the caller to be confirmed, as Bedrock Agents returns
/// them with `actionInvocationType: USER_CONFIRMATION`.
pub trait Confirm: Send + Sync {
    /// `true` to run the call, `false` to decline it (the model is told it did not run).
    fn confirm(&self, call: &PendingCall) -> bool;
}

/// Watches a turn as it runs (`agentc serve` turns these into InvokeAgent trace events as
/// they happen). Called on the loop's task; implementations must not block.
pub trait Observe: Send + Sync {
    /// A model call is about to be sent (`iteration`: the n-th of the turn).
    fn model_call_started(&self, _iteration: u32, _model_id: &str) {}
    /// The model answered (after retries).
    fn model_call(&self, _iteration: u32, _model_id: &str, _reply: &Reply) {}
    /// A call agentc ran (or the user declined) finished.
    fn tool_call(&self, _call: &ToolCall, _output: &ToolOutput) {}
}

/// How a turn ended (without an error).
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    /// The model stopped: `end_turn`, `stop_sequence`, `max_tokens`, `guardrail_intervened`,
    /// `content_filtered`, or another stop reason, with the text of its last message.
    Stopped { stop_reason: String, text: String },
    /// These calls go back to the caller; the turn resumes when they are answered.
    ReturnControl { calls: Vec<PendingCall> },
}

/// What a turn did.
#[derive(Debug, Clone)]
pub struct Report {
    pub outcome: Outcome,
    pub usage: Usage,
    pub model_calls: u32,
    pub tool_calls: u32,
}

#[derive(Debug, thiserror::Error, miette::Diagnostic)]
pub enum RunError {
    #[error(transparent)]
    #[diagnostic(transparent)]
    Model(#[from] ModelError),
    #[error(
        "stopped after {max} model calls (targets.direct.max_iterations) and the model still wants to call tools"
    )]
    #[diagnostic(
        code(agentc::run::max_iterations),
        help(
            "the tool results of the last step are kept in the session; raise `targets.direct.max_iterations` or make the task smaller"
        )
    )]
    MaxIterations { max: u32 },
    #[error("the model stopped for tool_use but sent no tool call")]
    #[diagnostic(code(agentc::run::malformed_reply))]
    ToolUseWithoutCalls,
    #[error("{0}")]
    #[diagnostic(code(agentc::run::input))]
    Input(String),
    #[error("the conversation could not be converted for the Converse API: {0}")]
    #[diagnostic(code(agentc::run::history))]
    Wire(#[from] WireError),
    #[error(transparent)]
    #[diagnostic(transparent)]
    Trace(#[from] TraceError),
}

/// Settings of the loop.
#[derive(Debug, Clone)]
pub struct Settings {
    pub session_id: String,
    pub agent_name: String,
    pub max_iterations: u32,
    /// Byte budget for the history sent with each call (see `history`).
    pub history_budget: usize,
    /// Whether the model honours `toolResult.status` (Nova, Claude); otherwise error results
    /// are marked with an `ERROR:` prefix.
    pub tool_status: bool,
}

/// One turn of a conversation in progress.
pub struct Runner<'a> {
    model: &'a ModelClient,
    dispatcher: Arc<Dispatcher>,
    trace: Option<&'a Trace>,
    settings: Settings,
    history: Vec<Value>,
    sizes: Vec<usize>,
    /// Each message of `history` serialized, as the model call sends it.
    encoded: Vec<String>,
    /// Messages this turn added, unmerged (what the session store appends).
    pub appended: Vec<Value>,
    pub session_attributes: IndexMap<String, String>,
    prompt_session_attributes: IndexMap<String, String>,
    pending: Option<Pending>,
    /// Whether this turn answered the session's pending calls.
    pub resumed: bool,
    /// The first trace write that failed: kept, not raised, so the answer is not lost.
    trace_error: Option<TraceError>,
    confirm: Option<&'a dyn Confirm>,
    observer: Option<&'a dyn Observe>,
    /// The Bedrock Agents ids Lambdas see in their event (`agent.id`, `agent.alias`).
    agent_ids: Option<(String, String)>,
    /// Calls run while resuming, before the loop counts its own.
    resumed_tool_calls: u32,
}

/// An answer the model gave (and was paid for), with what failed after it. The CLI prints
/// the answer first, then each later error, and exits non-zero if there is one.
#[derive(Debug)]
pub struct Answered {
    pub report: Report,
    pub later: Vec<LaterError>,
}

/// A failure after the model answered: the answer stands, the record of it does not.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
pub enum LaterError {
    #[error(transparent)]
    #[diagnostic(transparent)]
    Trace(#[from] TraceError),
    #[error(transparent)]
    #[diagnostic(transparent)]
    Session(#[from] SessionError),
}

impl Answered {
    /// Attach the result of saving the session; returns the saved version, if any.
    pub fn saved(&mut self, result: Result<u64, SessionError>) -> Option<u64> {
        match result {
            Ok(version) => Some(version),
            Err(error) => {
                self.later.push(error.into());
                None
            }
        }
    }

    /// Whether everything after the answer succeeded too.
    pub fn is_complete(&self) -> bool {
        self.later.is_empty()
    }
}

impl<'a> Runner<'a> {
    pub fn new(
        model: &'a ModelClient,
        dispatcher: Arc<Dispatcher>,
        trace: Option<&'a Trace>,
        settings: Settings,
        state: SessionState,
    ) -> Result<Self, RunError> {
        for message in &state.messages {
            check_message(message)?;
        }
        let encoded: Vec<String> = state.messages.iter().map(Value::to_string).collect();
        let sizes = encoded.iter().map(String::len).collect();
        Ok(Self {
            model,
            dispatcher,
            trace,
            settings,
            history: state.messages,
            sizes,
            encoded,
            appended: Vec::new(),
            session_attributes: state.session_attributes,
            prompt_session_attributes: IndexMap::new(),
            pending: state.pending,
            resumed: false,
            trace_error: None,
            confirm: None,
            observer: None,
            agent_ids: None,
            resumed_tool_calls: 0,
        })
    }

    /// Report the turn's model and tool calls to `observer` as they happen.
    #[must_use]
    pub fn with_observer(mut self, observer: &'a dyn Observe) -> Self {
        self.observer = Some(observer);
        self
    }

    /// The agent id and alias id the caller named (`agentc serve`), for the Lambda event.
    #[must_use]
    pub fn with_agent_ids(mut self, agent_id: &str, alias_id: &str) -> Self {
        self.agent_ids = Some((agent_id.to_string(), alias_id.to_string()));
        self
    }

    /// Prompt session attributes for this turn (InvokeAgent's
    /// `sessionState.promptSessionAttributes`: Lambdas see them; they are not stored).
    #[must_use]
    pub fn with_prompt_session_attributes(mut self, attributes: IndexMap<String, String>) -> Self {
        self.prompt_session_attributes = attributes;
        self
    }

    /// Ask `confirm` before running `require_confirmation` calls instead of returning them.
    #[must_use]
    pub fn with_confirm(mut self, confirm: &'a dyn Confirm) -> Self {
        self.confirm = Some(confirm);
        self
    }

    fn pending_call(&self, call: ToolCall, kind: InvocationType) -> PendingCall {
        let target = self.dispatcher.target(&call.name);
        PendingCall {
            action_group: target.map(|t| t.action_group.clone()).unwrap_or_default(),
            function: target.map(|t| t.function.clone()).unwrap_or_default(),
            tool_use_id: call.tool_use_id,
            name: call.name,
            input: call.input,
            action_invocation_type: kind,
        }
    }

    fn label(&self, name: &str) -> String {
        self.dispatcher.target(name).map_or_else(
            || name.to_string(),
            |t| format!("{}/{}", t.action_group, t.function),
        )
    }

    /// The whole history after the turn and each message's JSON text, for a save that finds
    /// the session as the turn loaded it (`Update::history`); the runner keeps none of it.
    pub fn take_history(&mut self) -> History {
        self.sizes.clear();
        History {
            messages: std::mem::take(&mut self.history),
            encoded: std::mem::take(&mut self.encoded),
        }
    }

    /// Calls left for the caller to answer when the turn paused.
    pub fn pending(&self) -> Option<&Pending> {
        self.pending.as_ref()
    }

    fn push(&mut self, message: Value) -> Result<(), RunError> {
        self.appended.push(message.clone());
        let before = self.history.len();
        history::append_turn(&mut self.history, [message]);
        if self.history.len() == before {
            // Merged into the previous message: serialize that one again.
            self.encoded.pop();
            self.sizes.pop();
        }
        if let Some(last) = self.history.last() {
            check_message(last)?;
            let encoded = last.to_string();
            self.sizes.push(encoded.len());
            self.encoded.push(encoded);
        }
        Ok(())
    }

    fn result_block(&self, tool_use_id: &str, output: &ToolOutput) -> Value {
        if self.settings.tool_status || !output.is_error() {
            return tool_result_block(tool_use_id, output.content.clone(), output.is_error());
        }
        let text = match output.content.get("text").and_then(Value::as_str) {
            Some(text) => format!("ERROR: {text}"),
            None => format!("ERROR: {}", output.content),
        };
        json!({ "toolResult": { "toolUseId": tool_use_id, "content": [{ "text": text }] } })
    }

    fn event_context(&self) -> EventContext {
        let input_text = self
            .history
            .iter()
            .rev()
            .filter(|m| m.get("role").and_then(Value::as_str) == Some("user"))
            .flat_map(|m| {
                m.get("content")
                    .and_then(Value::as_array)
                    .into_iter()
                    .flatten()
                    .rev()
            })
            .find_map(|b| b.get("text").and_then(Value::as_str))
            .unwrap_or_default()
            .to_string();
        let (agent_id, agent_alias) = self
            .agent_ids
            .clone()
            .unwrap_or_else(|| ("AGENTC0000".into(), "direct".into()));
        EventContext {
            agent_name: self.settings.agent_name.clone(),
            agent_id,
            agent_alias,
            agent_version: "DRAFT".into(),
            session_id: self.settings.session_id.clone(),
            input_text,
            session_attributes: self.session_attributes.clone(),
            prompt_session_attributes: self.prompt_session_attributes.clone(),
        }
    }

    /// Start the turn from `input` and run the loop; a failed trace write fails the turn
    /// (callers that must not lose a paid answer use [`Runner::run_keeping`]).
    pub async fn run(&mut self, input: TurnInput) -> Result<Report, RunError> {
        let report = self.start(input).await?;
        match self.trace_error.take() {
            Some(error) => Err(error.into()),
            None => Ok(report),
        }
    }

    /// Like [`Runner::run`], but a trace write that fails after the model answered is
    /// returned next to the answer instead of replacing it.
    pub async fn run_keeping(&mut self, input: TurnInput) -> Result<Answered, RunError> {
        let report = self.start(input).await?;
        Ok(Answered {
            report,
            later: self
                .trace_error
                .take()
                .into_iter()
                .map(Into::into)
                .collect(),
        })
    }

    async fn start(&mut self, input: TurnInput) -> Result<Report, RunError> {
        match input {
            TurnInput::Message(text) => {
                if let Some(pending) = &self.pending {
                    let ids: Vec<&str> = pending
                        .calls
                        .iter()
                        .map(|c| c.tool_use_id.as_str())
                        .collect();
                    return Err(RunError::Input(format!(
                        "session `{}` is waiting for the results of tool calls {}; pass them with --tool-result ID=JSON",
                        self.settings.session_id,
                        ids.join(", ")
                    )));
                }
                if let Some(answers) = history::unanswered_tool_results(&self.history) {
                    self.push(answers)?;
                }
                self.push(json!({ "role": "user", "content": [{ "text": text }] }))?;
            }
            TurnInput::ToolResults {
                results,
                confirmations,
                message,
            } => {
                let Some(pending) = self.pending.take() else {
                    return Err(RunError::Input(format!(
                        "session `{}` has no tool calls waiting for results",
                        self.settings.session_id
                    )));
                };
                let content = match match_answers(&pending, results, confirmations) {
                    Ok(answers) => answers,
                    Err(message) => {
                        self.pending = Some(pending);
                        return Err(RunError::Input(message));
                    }
                };
                let to_run = calls_to_run(&content);
                self.resumed_tool_calls += to_run.len() as u32;
                let mut outputs = self.dispatch_all(&to_run).await?.into_iter();
                let mut blocks = pending.results.clone();
                for (call, answer) in content {
                    let block = match answer {
                        Answer::Result(text) => {
                            tool_result_block(&call.tool_use_id, body_content(&text), false)
                        }
                        Answer::Run => {
                            let output = outputs
                                .next()
                                .unwrap_or_else(|| ToolOutput::internal_error(&call.name));
                            self.result_block(&call.tool_use_id, &output)
                        }
                        Answer::Deny => {
                            let output = ToolOutput::denied(&self.label(&call.name));
                            self.record_output(&call.name, &output);
                            self.result_block(&call.tool_use_id, &output)
                        }
                    };
                    blocks.push(block);
                }
                if let Some(text) = message {
                    blocks.push(json!({ "text": text }));
                }
                self.resumed = true;
                self.push(json!({ "role": "user", "content": blocks }))?;
            }
        }
        self.run_loop().await
    }

    async fn run_loop(&mut self) -> Result<Report, RunError> {
        let mut usage = Usage::default();
        let mut tool_calls = 0;
        for iteration in 1..=self.settings.max_iterations {
            let start =
                history::trim_start_sized(&self.history, &self.sizes, self.settings.history_budget);
            if let Some(observer) = self.observer {
                observer.model_call_started(iteration, self.model.model_id());
            }
            let reply = self.model.call(&self.encoded[start..]).await?;
            if let Some(observer) = self.observer {
                observer.model_call(iteration, self.model.model_id(), &reply);
            }
            usage.add(reply.usage);
            if let Some(trace) = self.trace
                && let Err(error) = trace.record(&Event::ModelCall {
                    session: &self.settings.session_id,
                    iteration,
                    step: Step::Orchestration,
                    model_id: self.model.model_id(),
                    latency_ms: round_ms(reply.latency_ms),
                    stop_reason: Some(&reply.stop_reason),
                    usage: reply.usage,
                })
            {
                self.trace_error.get_or_insert(error);
            }
            let calls = tool_calls_of(&reply.message);
            let text = text_of(&reply.message);
            self.push(reply.message)?;
            if reply.stop_reason != "tool_use" {
                return Ok(Report {
                    outcome: Outcome::Stopped {
                        stop_reason: reply.stop_reason,
                        text,
                    },
                    usage,
                    model_calls: iteration,
                    tool_calls: tool_calls + self.resumed_tool_calls,
                });
            }
            if calls.is_empty() {
                return Err(RunError::ToolUseWithoutCalls);
            }
            // Each call in the model's order: run here, declined by the user, or returned.
            let mut slots = Vec::with_capacity(calls.len());
            let mut local = Vec::new();
            let mut returned = Vec::new();
            for call in calls {
                let returns = self.dispatcher.returns_control(&call.name);
                if self.dispatcher.requires_confirmation(&call.name) {
                    let kind = if returns {
                        InvocationType::UserConfirmationAndResult
                    } else {
                        InvocationType::UserConfirmation
                    };
                    match self.confirm {
                        None => {
                            returned.push(self.pending_call(call, kind));
                            continue;
                        }
                        Some(confirm) => {
                            if !confirm.confirm(&self.pending_call(call.clone(), kind)) {
                                slots.push(Slot::Denied(call));
                                continue;
                            }
                        }
                    }
                }
                if returns {
                    returned.push(self.pending_call(call, InvocationType::Result));
                } else {
                    slots.push(Slot::Local);
                    local.push(call);
                }
            }
            tool_calls += local.len() as u32;
            let mut outputs = self.dispatch_all(&local).await?.into_iter();
            let mut local_calls = local.iter();
            let mut results = Vec::with_capacity(slots.len());
            for slot in slots {
                let (id, output) = match slot {
                    Slot::Local => {
                        let id = local_calls
                            .next()
                            .map(|c| c.tool_use_id.clone())
                            .unwrap_or_default();
                        let output = outputs
                            .next()
                            .unwrap_or_else(|| ToolOutput::internal_error(&id));
                        (id, output)
                    }
                    Slot::Denied(call) => {
                        let output = ToolOutput::denied(&self.label(&call.name));
                        self.record_output(&call.name, &output);
                        (call.tool_use_id, output)
                    }
                };
                results.push(self.result_block(&id, &output));
            }
            if !returned.is_empty() {
                self.pending = Some(Pending {
                    calls: returned.clone(),
                    results,
                    service: None,
                });
                return Ok(Report {
                    outcome: Outcome::ReturnControl { calls: returned },
                    usage,
                    model_calls: iteration,
                    tool_calls: tool_calls + self.resumed_tool_calls,
                });
            }
            self.push(json!({ "role": "user", "content": results }))?;
        }
        Err(RunError::MaxIterations {
            max: self.settings.max_iterations,
        })
    }

    /// One `tool_call` (or `retrieval`) trace line for a finished call.
    fn record_output(&mut self, name: &str, output: &ToolOutput) {
        if let Some(trace) = self.trace {
            let event = match &output.retrieval {
                Some(retrieval) => Event::Retrieval {
                    session: &self.settings.session_id,
                    knowledge_base_id: &retrieval.knowledge_base_id,
                    latency_ms: round_ms(output.latency_ms),
                    outcome: output.outcome,
                    results: retrieval.results,
                    bytes: output.result_bytes,
                },
                None => Event::ToolCall {
                    session: &self.settings.session_id,
                    name,
                    latency_ms: round_ms(output.latency_ms),
                    outcome: output.outcome,
                    result_bytes: output.result_bytes,
                    executed_by: None,
                },
            };
            if let Err(error) = trace.record(&event) {
                self.trace_error.get_or_insert(error);
            }
        }
    }

    /// Run the calls concurrently; results in the calls' order.
    async fn dispatch_all(&mut self, calls: &[ToolCall]) -> Result<Vec<ToolOutput>, RunError> {
        let context = Arc::new(self.event_context());
        let mut set = tokio::task::JoinSet::new();
        for (index, call) in calls.iter().enumerate() {
            let dispatcher = Arc::clone(&self.dispatcher);
            let context = Arc::clone(&context);
            let call = call.clone();
            set.spawn(async move { (index, dispatcher.dispatch(&call, &context).await) });
        }
        let mut outputs: Vec<Option<ToolOutput>> = vec![None; calls.len()];
        while let Some(joined) = set.join_next().await {
            match joined {
                Ok((index, output)) => outputs[index] = Some(output),
                Err(error) => {
                    // A panicking handler task must not take the loop down with it.
                    let _ = error;
                }
            }
        }
        let mut finished = Vec::with_capacity(calls.len());
        for (call, output) in calls.iter().zip(outputs) {
            let output = output.unwrap_or_else(|| ToolOutput::internal_error(&call.name));
            self.record_output(&call.name, &output);
            if let Some(observer) = self.observer {
                observer.tool_call(call, &output);
            }
            if let Some(attributes) = &output.session_attributes {
                self.session_attributes = attributes.clone();
            }
            if let Some(attributes) = &output.prompt_session_attributes {
                self.prompt_session_attributes = attributes.clone();
            }
            finished.push(output);
        }
        Ok(finished)
    }
}

/// The calls the caller's answers let run now (a confirmed call; not a declined one, nor one
/// answered with its result), in the pending order.
pub fn calls_to_run(answers: &[(PendingCall, Answer)]) -> Vec<ToolCall> {
    answers
        .iter()
        .filter(|(_, answer)| matches!(answer, Answer::Run))
        .map(|(call, _)| ToolCall {
            tool_use_id: call.tool_use_id.clone(),
            name: call.name.clone(),
            input: call.input.clone(),
        })
        .collect()
}

/// Where a call's result comes from, in the model's order.
enum Slot {
    Local,
    Denied(ToolCall),
}

/// Match the caller's answers to the pending calls: each call gets exactly the answer its
/// `actionInvocationType` asks for; anything else is a message saying what is wrong. Shared by
/// every runtime that pauses on calls (direct, harness).
pub fn match_answers(
    pending: &Pending,
    results: Vec<(String, String)>,
    confirmations: Vec<(String, bool)>,
) -> Result<Vec<(PendingCall, Answer)>, String> {
    let mut supplied: IndexMap<String, String> = results.into_iter().collect();
    let mut decided: IndexMap<String, bool> = confirmations.into_iter().collect();
    let mut missing = Vec::new();
    let mut wrong = Vec::new();
    let mut answers = Vec::new();
    for call in &pending.calls {
        let id = call.tool_use_id.as_str();
        let result = supplied.shift_remove(id);
        let decision = decided.shift_remove(id);
        let answer = match (call.action_invocation_type, result, decision) {
            (_, Some(_), Some(_)) => {
                wrong.push(format!("{id} has both a result and a confirmation answer"));
                continue;
            }
            (InvocationType::Result, Some(text), None) => Answer::Result(text),
            (InvocationType::Result, None, Some(_)) => {
                wrong.push(format!(
                    "{id} does not wait for confirmation; answer it with --tool-result"
                ));
                continue;
            }
            (InvocationType::UserConfirmation, None, Some(true)) => Answer::Run,
            (InvocationType::UserConfirmation, Some(_), None) => {
                wrong.push(format!(
                    "{id} waits for confirmation, and agentc runs it: answer --confirm {id} or --deny {id}"
                ));
                continue;
            }
            (InvocationType::UserConfirmationAndResult, Some(text), None) => Answer::Result(text),
            (InvocationType::UserConfirmationAndResult, None, Some(true)) => {
                wrong.push(format!(
                    "{id} returns control: confirm it by answering with its result (--tool-result), or --deny {id}"
                ));
                continue;
            }
            (_, None, Some(false)) => Answer::Deny,
            (_, None, None) => {
                missing.push(id.to_string());
                continue;
            }
        };
        answers.push((call.clone(), answer));
    }
    let unknown: Vec<&str> = supplied
        .keys()
        .chain(decided.keys())
        .map(String::as_str)
        .collect();
    if missing.is_empty() && unknown.is_empty() && wrong.is_empty() {
        return Ok(answers);
    }
    let list = |ids: Vec<&str>| {
        if ids.is_empty() {
            "none".to_string()
        } else {
            ids.join(", ")
        }
    };
    let mut message = format!(
        "the tool results do not match the pending calls: missing {}; unknown {}",
        list(missing.iter().map(String::as_str).collect()),
        list(unknown)
    );
    for problem in wrong {
        message.push_str("; ");
        message.push_str(&problem);
    }
    Err(message)
}

/// The caller's answer to one pending call.
pub enum Answer {
    /// The caller's result text (`--tool-result`).
    Result(String),
    /// Confirmed: agentc runs it (`--confirm`).
    Run,
    /// Declined (`--deny`): the model is told it did not run.
    Deny,
}

fn tool_calls_of(message: &Value) -> Vec<ToolCall> {
    message
        .get("content")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|block| block.get("toolUse"))
        .map(|tool_use| ToolCall {
            tool_use_id: tool_use
                .get("toolUseId")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_string(),
            name: tool_use
                .get("name")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_string(),
            input: tool_use.get("input").cloned().unwrap_or(Value::Null),
        })
        .collect()
}

/// The text blocks of a message, joined.
pub fn text_of(message: &Value) -> String {
    message
        .get("content")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|block| block.get("text").and_then(Value::as_str))
        .collect::<Vec<_>>()
        .join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_failed_save_is_kept_next_to_the_answer() {
        let mut answered = Answered {
            report: Report {
                outcome: Outcome::Stopped {
                    stop_reason: "end_turn".into(),
                    text: "the answer".into(),
                },
                usage: Usage::default(),
                model_calls: 1,
                tool_calls: 0,
            },
            later: Vec::new(),
        };
        assert_eq!(answered.saved(Ok(3)), Some(3));
        assert!(answered.is_complete());
        let error = SessionError::Store {
            location: "sessions.db".into(),
            message: "attempt to write a readonly database".into(),
        };
        assert_eq!(answered.saved(Err(error)), None);
        assert!(!answered.is_complete());
        assert!(matches!(
            &answered.report.outcome,
            Outcome::Stopped { text, .. } if text == "the answer"
        ));
        assert!(answered.later[0].to_string().contains("readonly"));
    }
}
