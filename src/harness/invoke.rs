//! InvokeHarness's wire shapes, without the network: the request body agentc sends (a user
//! message, or the `toolResult`s that answer the calls of inline functions), the events of
//! the response stream (`messageStart`, `contentBlockStart/Delta/Stop`, `messageStop`,
//! `metadata`, `hookEvent`, exceptions), and [`Turn`], which assembles one stream's events
//! into its text, its model calls' usage and the inline-function calls it stopped on.
//!
//! Only the members agentc reads are modelled, from the service model `bedrock-agentcore`
//! 2024-02-28 (and `hookEvent`, which the Rust SDK has and botocore does not yet); anything
//! else in an event is ignored, so new service fields never break a run. A frame is taken
//! as its three routing headers and its payload, so this module needs no event-stream crate
//! and is in every build; the client that reads frames off the wire is `harness::runtime`.

pub use crate::runtime::frame::FrameHeaders;
use crate::runtime::frame::{self, EventError, Frame, payload_error};
use serde::Deserialize;
use serde_json::{Value, json};
use std::collections::{HashMap, HashSet};

/// `runtimeSessionId`: 33 to 100 characters, `[a-zA-Z0-9][a-zA-Z0-9-_]*`.
pub const SESSION_ID_LENGTH: std::ops::RangeInclusive<usize> = 33..=100;

/// The stop reason of a stream that paused on calls for the caller to run.
pub const TOOL_USE: &str = "tool_use";

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, miette::Diagnostic)]
#[error("`{id}` is not a harness session id: {reason}")]
#[diagnostic(
    code(agentc::run::harness::session_id),
    help(
        "a harness runtime session id has 33 to 100 characters — letters, digits, `-` and `_`, starting with a letter or digit (a UUID fits); omit --session and agentc makes one"
    )
)]
pub struct InvalidSessionId {
    pub id: String,
    pub reason: String,
}

/// Check a `--session` against the service's rule before anything is sent.
pub fn validate_session_id(id: &str) -> Result<(), InvalidSessionId> {
    let fail = |reason: String| {
        Err(InvalidSessionId {
            id: id.to_string(),
            reason,
        })
    };
    let length = id.chars().count();
    if !SESSION_ID_LENGTH.contains(&length) {
        return fail(format!(
            "it has {length} characters, and the service takes {} to {}",
            SESSION_ID_LENGTH.start(),
            SESSION_ID_LENGTH.end()
        ));
    }
    if !id.starts_with(|c: char| c.is_ascii_alphanumeric()) {
        return fail("it must start with a letter or a digit".into());
    }
    if let Some(bad) = id
        .chars()
        .find(|c| !(c.is_ascii_alphanumeric() || matches!(c, '-' | '_')))
    {
        return fail(format!("`{bad}` is not allowed"));
    }
    Ok(())
}

/// A new runtime session id: `agentc-<unix ms>-<pid>-<ns>`, padded to the service minimum.
pub fn new_session_id() -> String {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default();
    let mut id = format!(
        "agentc-{}-{}-{:09}",
        now.as_millis(),
        std::process::id(),
        now.subsec_nanos()
    );
    while id.len() < *SESSION_ID_LENGTH.start() {
        id.push('0');
    }
    id
}

/// The harness id in a harness ARN (`arn:…:harness/<id>`), for the Lambda event's agent id.
pub fn harness_id_of(arn: &str) -> &str {
    arn.rsplit('/').next().unwrap_or(arn)
}

/// A user message with `text`.
pub fn user_message(text: &str) -> Value {
    json!({ "role": "user", "content": [{ "text": text }] })
}

/// The message that answers paused calls: one `toolResult` block per call, in order.
/// `content` is a `toolResult` content block (`{"text": …}` or `{"json": …}`).
pub fn tool_results_message(results: &[(String, Value, bool)]) -> Value {
    let blocks: Vec<Value> = results
        .iter()
        .map(|(id, content, error)| tool_result_block(id, content.clone(), *error))
        .collect();
    json!({ "role": "user", "content": blocks })
}

/// One `HarnessToolResultBlock`.
pub fn tool_result_block(tool_use_id: &str, content: Value, error: bool) -> Value {
    json!({ "toolResult": {
        "toolUseId": tool_use_id,
        "content": [content],
        "status": if error { "error" } else { "success" },
    } })
}

/// The body of one InvokeHarness call: only `messages`; everything else is the harness's
/// deployed configuration.
pub fn request_body(messages: Vec<Value>) -> Value {
    json!({ "messages": messages })
}

/// Token counts of one model call (`HarnessTokenUsage`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TokenUsage {
    #[serde(default)]
    pub input_tokens: u64,
    #[serde(default)]
    pub output_tokens: u64,
    #[serde(default)]
    pub cache_read_input_tokens: u64,
    #[serde(default)]
    pub cache_write_input_tokens: u64,
}

/// One event of `InvokeHarnessStreamOutput`.
#[derive(Debug, Clone, PartialEq)]
pub enum StreamEvent {
    MessageStart {
        role: String,
    },
    /// A `toolUse` block starts: the model calls a tool.
    ToolUseStart {
        index: u64,
        tool_use_id: String,
        name: String,
    },
    /// A `toolResult` block starts: a tool the harness ran itself answered.
    ToolResultStart {
        index: u64,
        tool_use_id: String,
    },
    /// Answer text.
    TextDelta {
        index: u64,
        text: String,
    },
    /// A piece of a tool call's input (partial JSON text).
    ToolUseDelta {
        index: u64,
        input: String,
    },
    /// Tool results, reasoning, tool-result metadata: not printed, not measured.
    OtherDelta,
    BlockStop {
        index: u64,
    },
    MessageStop {
        stop_reason: String,
    },
    /// The usage of one model call, and its latency.
    Metadata {
        usage: TokenUsage,
        latency_ms: Option<f64>,
    },
    /// A lifecycle hook ran (`decision` only for blocking Lambda hooks).
    Hook {
        name: String,
        decision: Option<String>,
    },
    /// An error after the stream started (`validationException`, `internalServerException`,
    /// `runtimeClientError`, or any other).
    Exception {
        kind: String,
        message: String,
    },
    /// An event type this version of agentc does not know: ignored and counted.
    Unknown(String),
}

/// Read one decoded frame as an event of the stream.
pub fn decode_event(headers: FrameHeaders<'_>, payload: &[u8]) -> Result<StreamEvent, EventError> {
    match frame::classify(headers, payload)? {
        Frame::Event { kind, payload } => decode_payload(kind, payload),
        Frame::Exception { kind, message } => Ok(StreamEvent::Exception { kind, message }),
    }
}

fn parse<'de, T: Deserialize<'de>>(kind: &str, payload: &'de [u8]) -> Result<T, EventError> {
    serde_json::from_slice(payload).map_err(|e| payload_error(kind, e))
}

fn decode_payload(kind: &str, payload: &[u8]) -> Result<StreamEvent, EventError> {
    #[derive(Deserialize)]
    struct MessageStart {
        #[serde(default)]
        role: String,
    }
    #[derive(Deserialize)]
    #[serde(rename_all = "camelCase")]
    struct BlockStart {
        content_block_index: u64,
        #[serde(default)]
        start: Value,
    }
    #[derive(Deserialize)]
    #[serde(rename_all = "camelCase")]
    struct BlockDelta {
        content_block_index: u64,
        #[serde(default)]
        delta: Value,
    }
    #[derive(Deserialize)]
    #[serde(rename_all = "camelCase")]
    struct BlockStop {
        content_block_index: u64,
    }
    #[derive(Deserialize)]
    #[serde(rename_all = "camelCase")]
    struct MessageStop {
        stop_reason: String,
    }
    #[derive(Deserialize)]
    #[serde(rename_all = "camelCase")]
    struct Metrics {
        #[serde(default)]
        latency_ms: Option<f64>,
    }
    #[derive(Deserialize)]
    struct Metadata {
        usage: TokenUsage,
        #[serde(default)]
        metrics: Option<Metrics>,
    }
    #[derive(Deserialize)]
    struct Hook {
        #[serde(default)]
        name: String,
        #[serde(default)]
        decision: Option<String>,
    }
    let text = |value: &Value, key: &str| {
        value
            .get(key)
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string()
    };
    Ok(match kind {
        "messageStart" => StreamEvent::MessageStart {
            role: parse::<MessageStart>(kind, payload)?.role,
        },
        "contentBlockStart" => {
            let start: BlockStart = parse(kind, payload)?;
            let index = start.content_block_index;
            if let Some(tool_use) = start.start.get("toolUse") {
                StreamEvent::ToolUseStart {
                    index,
                    tool_use_id: text(tool_use, "toolUseId"),
                    name: text(tool_use, "name"),
                }
            } else if let Some(result) = start.start.get("toolResult") {
                StreamEvent::ToolResultStart {
                    index,
                    tool_use_id: text(result, "toolUseId"),
                }
            } else {
                StreamEvent::OtherDelta
            }
        }
        "contentBlockDelta" => {
            let delta: BlockDelta = parse(kind, payload)?;
            let index = delta.content_block_index;
            if let Some(text) = delta.delta.get("text").and_then(Value::as_str) {
                StreamEvent::TextDelta {
                    index,
                    text: text.to_string(),
                }
            } else if let Some(tool_use) = delta.delta.get("toolUse") {
                StreamEvent::ToolUseDelta {
                    index,
                    input: text(tool_use, "input"),
                }
            } else {
                StreamEvent::OtherDelta
            }
        }
        "contentBlockStop" => StreamEvent::BlockStop {
            index: parse::<BlockStop>(kind, payload)?.content_block_index,
        },
        "messageStop" => StreamEvent::MessageStop {
            stop_reason: parse::<MessageStop>(kind, payload)?.stop_reason,
        },
        "metadata" => {
            let metadata: Metadata = parse(kind, payload)?;
            StreamEvent::Metadata {
                usage: metadata.usage,
                latency_ms: metadata.metrics.and_then(|m| m.latency_ms),
            }
        }
        "hookEvent" => {
            let hook: Hook = parse(kind, payload)?;
            StreamEvent::Hook {
                name: hook.name,
                decision: hook.decision,
            }
        }
        other => StreamEvent::Unknown(other.to_string()),
    })
}

/// A tool call of the model, its input assembled from the stream's deltas.
#[derive(Debug, Clone, PartialEq)]
pub struct ToolUse {
    pub tool_use_id: String,
    pub name: String,
    pub input: Value,
}

/// One stream, assembled: what the caller must answer when it stopped for `tool_use`.
#[derive(Debug, Default)]
pub struct Turn {
    /// Tool-use blocks of the current message still receiving input, by block index.
    open: HashMap<u64, (String, String, String)>,
    /// The tool calls of the last assistant message, in the model's order.
    calls: Vec<ToolUse>,
    /// Calls a tool the harness ran answered in the stream.
    answered: HashSet<String>,
    /// The last `messageStop`'s reason.
    pub stop_reason: Option<String>,
}

impl Turn {
    pub fn apply(&mut self, event: &StreamEvent) -> Result<(), EventError> {
        match event {
            StreamEvent::MessageStart { role } => {
                self.close_all()?;
                // Calls belong to the message that made them; a later assistant message
                // means the earlier calls were answered inside the harness.
                if role == "assistant" {
                    self.calls.clear();
                }
            }
            StreamEvent::ToolUseStart {
                index,
                tool_use_id,
                name,
            } => {
                self.open
                    .insert(*index, (tool_use_id.clone(), name.clone(), String::new()));
            }
            StreamEvent::ToolUseDelta { index, input } => {
                if let Some((_, _, text)) = self.open.get_mut(index) {
                    text.push_str(input);
                }
            }
            StreamEvent::ToolResultStart { tool_use_id, .. } => {
                self.answered.insert(tool_use_id.clone());
            }
            StreamEvent::BlockStop { index } => {
                if let Some(open) = self.open.remove(index) {
                    self.close(open)?;
                }
            }
            StreamEvent::MessageStop { stop_reason } => {
                self.close_all()?;
                self.stop_reason = Some(stop_reason.clone());
            }
            _ => {}
        }
        Ok(())
    }

    fn close_all(&mut self) -> Result<(), EventError> {
        let mut open: Vec<(u64, (String, String, String))> = self.open.drain().collect();
        open.sort_by_key(|(index, _)| *index);
        for (_, block) in open {
            self.close(block)?;
        }
        Ok(())
    }

    fn close(
        &mut self,
        (tool_use_id, name, text): (String, String, String),
    ) -> Result<(), EventError> {
        let input = if text.trim().is_empty() {
            json!({})
        } else {
            serde_json::from_str(&text).map_err(|e| EventError::ToolInput {
                tool_use_id: tool_use_id.clone(),
                name: name.clone(),
                reason: e.to_string(),
            })?
        };
        self.calls.push(ToolUse {
            tool_use_id,
            name,
            input,
        });
        Ok(())
    }

    /// Whether the stream paused for calls the caller runs.
    pub fn paused(&self) -> bool {
        self.stop_reason.as_deref() == Some(TOOL_USE)
    }

    /// The calls the stream stopped on: the last message's calls that nothing answered.
    pub fn pending(&self) -> Vec<ToolUse> {
        self.calls
            .iter()
            .filter(|c| !self.answered.contains(&c.tool_use_id))
            .cloned()
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event(kind: &str, payload: Value) -> StreamEvent {
        decode_event(
            FrameHeaders {
                message_type: Some("event"),
                event_type: Some(kind),
                ..FrameHeaders::default()
            },
            payload.to_string().as_bytes(),
        )
        .unwrap()
    }

    #[test]
    fn session_ids_follow_the_service_rule() {
        assert!(validate_session_id(&"a".repeat(33)).is_ok());
        assert!(validate_session_id("1234abcd-12ab-34cd-56ef-1234567890ab").is_ok());
        let short = validate_session_id("s1").unwrap_err();
        assert!(short.reason.contains("2 characters"), "{short}");
        assert!(validate_session_id(&"a".repeat(101)).is_err());
        let dash = validate_session_id(&format!("-{}", "a".repeat(40))).unwrap_err();
        assert!(dash.reason.contains("start"));
        let colon = validate_session_id(&format!("a:{}", "b".repeat(40))).unwrap_err();
        assert!(colon.reason.contains("`:`"));
        let fresh = new_session_id();
        assert!(validate_session_id(&fresh).is_ok(), "{fresh}");
    }

    #[test]
    fn a_stream_that_pauses_gives_the_calls_with_their_assembled_input() {
        let mut turn = Turn::default();
        let events = [
            event("messageStart", json!({"role": "assistant"})),
            event(
                "contentBlockDelta",
                json!({"contentBlockIndex": 0, "delta": {"text": "Let me check."}}),
            ),
            event("contentBlockStop", json!({"contentBlockIndex": 0})),
            event(
                "contentBlockStart",
                json!({"contentBlockIndex": 1, "start": {"toolUse": {"toolUseId": "t1", "name": "lookup", "type": "tool_use"}}}),
            ),
            event(
                "contentBlockDelta",
                json!({"contentBlockIndex": 1, "delta": {"toolUse": {"input": "{\"id\": "}}}),
            ),
            event(
                "contentBlockDelta",
                json!({"contentBlockIndex": 1, "delta": {"toolUse": {"input": "42}"}}}),
            ),
            event("contentBlockStop", json!({"contentBlockIndex": 1})),
            event(
                "contentBlockStart",
                json!({"contentBlockIndex": 2, "start": {"toolUse": {"toolUseId": "t2", "name": "ping"}}}),
            ),
            event("messageStop", json!({"stopReason": "tool_use"})),
            event(
                "metadata",
                json!({"usage": {"inputTokens": 10, "outputTokens": 3, "totalTokens": 13}, "metrics": {"latencyMs": 120}}),
            ),
        ];
        for e in &events {
            turn.apply(e).unwrap();
        }
        assert!(turn.paused());
        let pending = turn.pending();
        assert_eq!(pending.len(), 2);
        assert_eq!(pending[0].input, json!({"id": 42}));
        assert_eq!(pending[1].name, "ping");
        assert_eq!(
            pending[1].input,
            json!({}),
            "no input deltas is an empty object"
        );
        assert_eq!(
            events[9],
            StreamEvent::Metadata {
                usage: TokenUsage {
                    input_tokens: 10,
                    output_tokens: 3,
                    ..TokenUsage::default()
                },
                latency_ms: Some(120.0)
            }
        );
    }

    #[test]
    fn calls_the_harness_answered_itself_are_not_pending() {
        let mut turn = Turn::default();
        for e in [
            event("messageStart", json!({"role": "assistant"})),
            event(
                "contentBlockStart",
                json!({"contentBlockIndex": 0, "start": {"toolUse": {"toolUseId": "srv", "name": "docs___search"}}}),
            ),
            event(
                "contentBlockStart",
                json!({"contentBlockIndex": 1, "start": {"toolUse": {"toolUseId": "mine", "name": "lookup"}}}),
            ),
            event("messageStop", json!({"stopReason": "tool_use"})),
            event("messageStart", json!({"role": "user"})),
            event(
                "contentBlockStart",
                json!({"contentBlockIndex": 0, "start": {"toolResult": {"toolUseId": "srv", "status": "success"}}}),
            ),
            event("messageStop", json!({"stopReason": "tool_use"})),
        ] {
            turn.apply(&e).unwrap();
        }
        let pending = turn.pending();
        assert_eq!(pending.len(), 1);
        assert_eq!(pending[0].tool_use_id, "mine");
    }

    #[test]
    fn broken_tool_input_is_an_error_naming_the_call() {
        let mut turn = Turn::default();
        turn.apply(&event(
            "contentBlockStart",
            json!({"contentBlockIndex": 0, "start": {"toolUse": {"toolUseId": "t1", "name": "lookup"}}}),
        ))
        .unwrap();
        turn.apply(&event(
            "contentBlockDelta",
            json!({"contentBlockIndex": 0, "delta": {"toolUse": {"input": "{\"id\""}}}),
        ))
        .unwrap();
        let error = turn
            .apply(&event("contentBlockStop", json!({"contentBlockIndex": 0})))
            .unwrap_err();
        assert!(error.to_string().contains("t1"), "{error}");
    }

    #[test]
    fn exceptions_unknown_events_and_hooks_decode() {
        let exception = decode_event(
            FrameHeaders {
                message_type: Some("exception"),
                exception_type: Some("runtimeClientError"),
                ..FrameHeaders::default()
            },
            br#"{"message":"the runtime crashed"}"#,
        )
        .unwrap();
        assert_eq!(
            exception,
            StreamEvent::Exception {
                kind: "runtimeClientError".into(),
                message: "the runtime crashed".into()
            }
        );
        assert_eq!(
            event("somethingNew", json!({})),
            StreamEvent::Unknown("somethingNew".into())
        );
        assert_eq!(
            event(
                "hookEvent",
                json!({"hookEventId": "0", "name": "audit", "type": "before_tool_call", "decision": "deny"})
            ),
            StreamEvent::Hook {
                name: "audit".into(),
                decision: Some("deny".into())
            }
        );
        assert!(matches!(
            decode_event(FrameHeaders::default(), b"{}"),
            Err(EventError::MissingHeader(":message-type"))
        ));
    }

    #[test]
    fn the_answer_to_paused_calls_is_one_user_message_of_tool_results() {
        let message = tool_results_message(&[
            ("t1".into(), json!({"text": "42 days"}), false),
            ("t2".into(), json!({"json": {"ok": false}}), true),
        ]);
        assert_eq!(
            request_body(vec![message]),
            json!({"messages": [{"role": "user", "content": [
                {"toolResult": {"toolUseId": "t1", "content": [{"text": "42 days"}], "status": "success"}},
                {"toolResult": {"toolUseId": "t2", "content": [{"json": {"ok": false}}], "status": "error"}}
            ]}]})
        );
        assert_eq!(
            harness_id_of(
                "arn:aws:bedrock-agentcore:us-east-1:123456789012:harness/hr_helpdesk-abcdefghij"
            ),
            "hr_helpdesk-abcdefghij"
        );
    }
}
