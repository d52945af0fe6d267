//! `agentc serve --target harness`: one InvokeAgent turn on a deployed AgentCore harness,
//! through the same request loop as `agentc run --target harness` (`harness::runtime`).
//!
//! The harness keeps the conversation in its runtime session; the InvokeAgent session maps
//! to that runtime session deterministically ([`runtime_session_id`]), so any replica maps
//! it the same. agentc's session store keeps only what the harness does not: paused calls
//! and the session attributes Lambdas return, under `harness:<runtime session id>`.
//!
//! Ordering differs from the direct target in one way: the harness streams its answer, and
//! the text deltas are sent as `chunk` events as they arrive, before agentc saves anything
//! (the conversation, answer included, is recorded by the harness itself). A `returnControl`
//! is still sent only after its paused calls are saved.

use super::{ErrorKind, TraceEvents, Turn, clamp_i32, return_control, stream};
use crate::direct::dispatch::{ToolCall, ToolOutput};
use crate::direct::model::Usage;
use crate::direct::runner::{Answer, TurnInput};
use crate::direct::session::{Pending, PendingCall, Update};
use crate::harness::runtime::{
    CallerIds, HarnessRunError, HarnessRuntime, Observe, Outcome, Request, RunSettings, Start,
};
use crate::spec::{Agent, HarnessTarget, Spec};
use serde_json::json;
use sha2::{Digest, Sha256};
use std::sync::Arc;
use std::sync::atomic::Ordering;

/// The harness a served spec runs on, as found at start-up (by name, or `--harness-arn`).
#[derive(Debug, Clone)]
pub struct HarnessAt {
    pub arn: String,
    pub qualifier: String,
    /// The version behind the endpoint, when the lookup read it (the Lambda event names it).
    pub version: Option<String>,
    /// The runtime behind the harness, whose sessions endSession stops: known when the
    /// harness was found by name; read with GetHarness on the first endSession otherwise.
    pub runtime_arn: Option<String>,
}

/// The InvokeHarness client and what every request of one served spec shares.
pub(super) struct Backend {
    client: HarnessRuntime,
    at: HarnessAt,
    /// For GetHarness, when the runtime ARN is not known yet (boxed: it is large and rarely
    /// read).
    sdk_config: Box<aws_config::SdkConfig>,
    runtime_arn: tokio::sync::Mutex<Option<String>>,
    agent_name: String,
    model_id: String,
    max_rounds: u32,
}

impl Backend {
    pub(super) fn new(
        at: HarnessAt,
        spec: &Spec,
        agent: &Agent,
        sdk_config: &aws_config::SdkConfig,
        retry: crate::direct::retry::RetryPolicy,
    ) -> Result<Self, HarnessRunError> {
        Ok(Self {
            client: HarnessRuntime::new(sdk_config, retry)?,
            runtime_arn: tokio::sync::Mutex::new(at.runtime_arn.clone()),
            sdk_config: Box::new(sdk_config.clone()),
            at,
            agent_name: agent.name.clone(),
            model_id: spec.model.clone(),
            max_rounds: spec
                .targets
                .harness
                .as_ref()
                .map_or(HarnessTarget::DEFAULT_MAX_ITERATIONS, |h| h.max_iterations),
        })
    }
}

impl Backend {
    pub(super) fn describe(&self) -> String {
        format!("{} at {}", self.at.arn, self.at.qualifier)
    }

    /// endSession on the harness: StopRuntimeSession ends the runtime session behind the
    /// InvokeAgent session, so it stops costing memory-hours until its idle timeout.
    pub(super) async fn stop(&self, agent_id: &str, session_id: &str) -> Result<(), String> {
        let runtime = self.runtime_arn().await?;
        self.client
            .stop_session(
                &runtime,
                &self.at.qualifier,
                &runtime_session_id(agent_id, session_id),
            )
            .await
            .map_err(|e| format!("StopRuntimeSession failed: {e}"))
    }

    async fn runtime_arn(&self) -> Result<String, String> {
        // Held across GetHarness, so concurrent endSessions read the harness once.
        let mut known = self.runtime_arn.lock().await;
        if let Some(arn) = known.as_ref() {
            return Ok(arn.clone());
        }
        let api = crate::harness::http::AgentCoreControl::from_config((*self.sdk_config).clone());
        let id = self.at.arn.rsplit('/').next().unwrap_or(&self.at.arn);
        let record = crate::harness::api::HarnessApi::get_harness(&api, id)
            .await
            .map_err(|e| format!("reading harness `{id}` (GetHarness) failed: {e}"))?;
        let arn = record
            .as_ref()
            .and_then(|r| r.runtime_arn())
            .map(str::to_string)
            .ok_or_else(|| format!("harness `{id}` names no runtime"))?;
        *known = Some(arn.clone());
        Ok(arn)
    }
}

/// The harness runtime session of an InvokeAgent session: `agentc-` and the hex SHA-256 of
/// `AGENT_ID:SESSION_ID` (71 characters, within the service's 33–100), the same on every
/// replica and every restart.
pub fn runtime_session_id(agent_id: &str, session_id: &str) -> String {
    let digest = Sha256::digest(format!("{agent_id}:{session_id}").as_bytes());
    let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
    format!("agentc-{hex}")
}

/// Where the session's paused calls and attributes are stored: `run --target harness`'s key
/// for the runtime session.
pub(super) fn store_key(agent_id: &str, session_id: &str) -> String {
    format!("harness:{}", runtime_session_id(agent_id, session_id))
}

/// The request loop's calls as InvokeAgent trace events.
struct Watch<'a> {
    events: &'a TraceEvents,
    model_id: &'a str,
}

impl Observe for Watch<'_> {
    fn model_call(&self, usage: &Usage, latency_ms: Option<f64>) {
        let events = self.events;
        if let Ok(mut measured) = events.measured.lock() {
            measured.model_ms += latency_ms.unwrap_or(0.0);
            measured.model_calls += 1;
            measured.input_tokens += usage.input_tokens;
            measured.output_tokens += usage.output_tokens;
        }
        // The harness reports a model call when it ends (its `metadata` event), so both
        // halves are sent then; the tool calls it asked for share its trace id.
        events.iteration.fetch_add(1, Ordering::SeqCst);
        events.send(json!({ "modelInvocationInput": {
            "traceId": events.trace_id(),
            "type": "ORCHESTRATION",
            "foundationModel": self.model_id,
        } }));
        let mut metadata = json!({ "usage": {
            "inputTokens": clamp_i32(usage.input_tokens),
            "outputTokens": clamp_i32(usage.output_tokens),
        } });
        if let Some(latency) = latency_ms {
            metadata["totalTimeMs"] = json!(latency.round() as i64);
        }
        events.send(json!({ "modelInvocationOutput": {
            "traceId": events.trace_id(),
            "metadata": metadata,
        } }));
    }

    fn tool_call(&self, call: &ToolCall, output: &ToolOutput) {
        crate::direct::runner::Observe::tool_call(self.events, call, output);
    }
}

/// The caller's `returnControlInvocationResults` (already matched to the pending calls by
/// `answers`) as the request loop's answers, in the calls' order.
fn resume_answers(
    pending: &Pending,
    results: &[(String, String)],
    confirmations: &[(String, bool)],
) -> Vec<(PendingCall, Answer)> {
    pending
        .calls
        .iter()
        .filter_map(|call| {
            let id = &call.tool_use_id;
            if let Some((_, text)) = results.iter().find(|(r, _)| r == id) {
                return Some((call.clone(), Answer::Result(text.clone())));
            }
            confirmations
                .iter()
                .find(|(c, _)| c == id)
                .map(|(_, yes)| (call.clone(), if *yes { Answer::Run } else { Answer::Deny }))
        })
        .collect()
}

/// The exception event a failed harness request ends with.
fn exception_of(error: &HarnessRunError) -> (ErrorKind, String) {
    let kind = match error {
        HarnessRunError::InStream { kind, .. } if kind == "throttlingException" => {
            ErrorKind::Throttling
        }
        HarnessRunError::Service { code, .. }
            if code == "ThrottlingException" || code == "ServiceQuotaExceededException" =>
        {
            ErrorKind::Throttling
        }
        HarnessRunError::TooManyRounds { .. }
        | HarnessRunError::Trace(_)
        | HarnessRunError::NoRegion
        | HarnessRunError::NoCredentials(_) => ErrorKind::InternalServer,
        // The harness (or its model, or the way to it) failed: a dependency of the agent.
        _ => ErrorKind::DependencyFailed,
    };
    (kind, error.to_string())
}

impl Turn {
    /// Runs the turn on the harness; returns the outcome named in the log line.
    pub(super) async fn run_on_harness(
        &self,
        backend: &Backend,
        events: &TraceEvents,
        input: TurnInput,
    ) -> String {
        let served = &self.served;
        let start = match input {
            TurnInput::Message(text) => Start::Message(text),
            TurnInput::ToolResults {
                results,
                confirmations,
                ..
            } => {
                let Some(pending) = self.state().pending.clone() else {
                    return self.exception(
                        ErrorKind::InternalServer,
                        "results were accepted for a session without pending calls",
                    );
                };
                let answers = resume_answers(&pending, &results, &confirmations);
                Start::Resume { pending, answers }
            }
        };
        let resumed = matches!(start, Start::Resume { .. });
        let watch = Watch {
            events,
            model_id: &backend.model_id,
        };
        let request = Request {
            client: &backend.client,
            dispatcher: Arc::clone(&served.dispatcher),
            trace: None,
            settings: RunSettings {
                harness_arn: backend.at.arn.clone(),
                qualifier: backend.at.qualifier.clone(),
                session_id: runtime_session_id(&self.agent_id, &self.session_id),
                agent_name: backend.agent_name.clone(),
                harness_version: backend.at.version.clone(),
                model_id: backend.model_id.clone(),
                max_rounds: backend.max_rounds,
                session_attributes: self.session_attributes.clone(),
                prompt_session_attributes: self.prompt_session_attributes.clone(),
                // Lambdas see the ids the caller sent, as on Bedrock Agents.
                caller: Some(CallerIds {
                    agent_id: self.agent_id.clone(),
                    alias_id: self.alias_id.clone(),
                    session_id: self.session_id.clone(),
                }),
            },
            // Nobody can be asked here: calls that need confirmation go back to the caller
            // as returnControl, as Bedrock Agents returns them.
            confirm: None,
            observer: Some(&watch),
        };
        let sender = self.sender.clone();
        // The harness streams its answer: each delta is a chunk as it arrives (a caller that
        // went away does not stop the turn; the send just fails).
        let mut on_text = move |text: &str| {
            if !text.is_empty() {
                let _ = sender.send(stream::chunk(text));
            }
        };
        let report = match request.run(start, &mut on_text).await {
            Ok(report) => report,
            Err(error) => {
                let (kind, message) = exception_of(&error);
                return self.exception(kind, &message);
            }
        };
        let pending = match &report.outcome {
            Outcome::ReturnControl { pending } => Some(pending.clone()),
            Outcome::Stopped { .. } => None,
        };
        let update = Update {
            base_version: self.base_version(),
            resumed,
            appended: Vec::new(),
            session_attributes: report.session_attributes.clone(),
            pending: pending.clone(),
            max_history_bytes: usize::MAX,
            history: None,
        };
        if let Err(error) = self.save(update).await {
            return self.exception(
                ErrorKind::InternalServer,
                &format!(
                    "the turn's paused calls and session attributes were not recorded: {error}"
                ),
            );
        }
        let outcome = match (&report.outcome, &pending) {
            (Outcome::ReturnControl { .. }, Some(pending)) => {
                let payload = return_control(pending, &served.tools);
                self.send_last(stream::event("returnControl", &payload));
                "return_control".to_string()
            }
            (Outcome::Stopped { stop_reason }, _) => {
                if self.enable_trace {
                    events.final_response(&report.text);
                }
                stop_reason.clone()
            }
            (Outcome::ReturnControl { .. }, None) => "return_control".to_string(),
        };
        if self.end_session {
            if let Err(error) = served.store.delete(&self.key).await {
                return self.exception(ErrorKind::InternalServer, &error.to_string());
            }
            self.stop_runtime_session(backend).await;
        }
        outcome
    }

    /// Stops the harness's runtime session at endSession. A failure is only logged: the
    /// turn's answer is the caller's already, and the runtime session still ends at its
    /// idle timeout.
    pub(super) async fn stop_runtime_session(&self, backend: &Backend) {
        if let Err(error) = backend.stop(&self.agent_id, &self.session_id).await {
            self.engine.log(format!(
                "note: endSession did not stop the harness's runtime session (it ends at its idle timeout): {error}"
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::direct::session::InvocationType;

    #[test]
    fn runtime_session_ids_are_stable_valid_and_per_agent() {
        let id = runtime_session_id("AAAAAAAAAA", "s1");
        assert_eq!(id, runtime_session_id("AAAAAAAAAA", "s1"));
        assert_ne!(id, runtime_session_id("BBBBBBBBBB", "s1"));
        assert_ne!(id, runtime_session_id("AAAAAAAAAA", "s2"));
        assert!(
            crate::harness::invoke::validate_session_id(&id).is_ok(),
            "{id}"
        );
        let key = store_key("AAAAAAAAAA", &"s".repeat(100));
        assert!(crate::direct::session::validate_id(&key).is_ok(), "{key}");
    }

    #[test]
    fn results_and_confirmations_become_answers_in_the_calls_order() {
        let call = |id: &str, kind| PendingCall {
            tool_use_id: id.into(),
            name: "weather__get_weather".into(),
            action_group: "weather".into(),
            function: "get_weather".into(),
            input: json!({}),
            action_invocation_type: kind,
        };
        let pending = Pending {
            calls: vec![
                call("t1", InvocationType::UserConfirmation),
                call("t2", InvocationType::Result),
                call("t3", InvocationType::UserConfirmation),
            ],
            results: vec![],
            service: None,
        };
        let answers = resume_answers(
            &pending,
            &[("t2".into(), "sunny".into())],
            &[("t3".into(), false), ("t1".into(), true)],
        );
        let ids: Vec<&str> = answers
            .iter()
            .map(|(c, _)| c.tool_use_id.as_str())
            .collect();
        assert_eq!(ids, ["t1", "t2", "t3"]);
        assert!(matches!(answers[0].1, Answer::Run));
        assert!(matches!(&answers[1].1, Answer::Result(t) if t == "sunny"));
        assert!(matches!(answers[2].1, Answer::Deny));
    }
}
