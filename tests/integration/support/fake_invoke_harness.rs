//! A fake InvokeHarness endpoint (`bedrock-agentcore`, `POST /harnesses/invoke`): the
//! event-stream server of `event_stream` with the data plane's signing name
//! (`bedrock-agentcore`) and the harness's events, as the service model
//! `bedrock-agentcore` 2024-02-28 spells them.

use super::Recorded;
pub use super::event_stream::{Answer, Part, event, exception};
use super::event_stream::{EventStreamServer, signed_for};
use serde_json::json;

pub const ARN: &str =
    "arn:aws:bedrock-agentcore:us-east-1:123456789012:harness/test_agent-abcdefghij";

/// The server; each response names the request's runtime session.
pub struct FakeInvokeHarness(EventStreamServer);

impl FakeInvokeHarness {
    pub fn start(script: Vec<Answer>) -> Self {
        let session_of = |recorded: &Recorded| {
            recorded
                .header("x-amzn-bedrock-agentcore-runtime-session-id")
                .unwrap_or_default()
                .to_string()
        };
        Self(EventStreamServer::start(
            "bedrock-agentcore",
            session_of,
            script,
        ))
    }
}

impl std::ops::Deref for FakeInvokeHarness {
    type Target = EventStreamServer;
    fn deref(&self) -> &EventStreamServer {
        &self.0
    }
}

/// Signed for `bedrock-agentcore`, the data plane's signing name.
pub fn signature_is_well_formed(request: &Recorded) -> bool {
    signed_for(request, "bedrock-agentcore")
}

pub fn message_start(role: &str) -> Vec<u8> {
    event("messageStart", &json!({ "role": role }))
}

pub fn text_delta(index: u64, text: &str) -> Vec<u8> {
    event(
        "contentBlockDelta",
        &json!({ "contentBlockIndex": index, "delta": { "text": text } }),
    )
}

pub fn block_stop(index: u64) -> Vec<u8> {
    event("contentBlockStop", &json!({ "contentBlockIndex": index }))
}

pub fn message_stop(reason: &str) -> Vec<u8> {
    event("messageStop", &json!({ "stopReason": reason }))
}

/// The usage of one model call, as the service measured it.
pub fn metadata(input: u64, output: u64, cache_read: u64, latency_ms: u64) -> Vec<u8> {
    event(
        "metadata",
        &json!({
            "usage": { "inputTokens": input, "outputTokens": output,
                       "totalTokens": input + output, "cacheReadInputTokens": cache_read },
            "metrics": { "latencyMs": latency_ms }
        }),
    )
}

/// A `toolUse` block: its start, its input in two partial-JSON deltas, its stop.
pub fn tool_use(index: u64, id: &str, name: &str, input: &serde_json::Value) -> Vec<Vec<u8>> {
    let text = input.to_string();
    let (a, b) = text.split_at(text.len() / 2);
    vec![
        event(
            "contentBlockStart",
            &json!({ "contentBlockIndex": index,
                     "start": { "toolUse": { "toolUseId": id, "name": name, "type": "tool_use" } } }),
        ),
        event(
            "contentBlockDelta",
            &json!({ "contentBlockIndex": index, "delta": { "toolUse": { "input": a } } }),
        ),
        event(
            "contentBlockDelta",
            &json!({ "contentBlockIndex": index, "delta": { "toolUse": { "input": b } } }),
        ),
        block_stop(index),
    ]
}

/// One model call that answers `text` (in two deltas) and ends the turn.
pub fn answer(text: &str, input: u64, output: u64) -> Vec<Vec<u8>> {
    let (a, b) = text.split_at(text.len() / 2);
    vec![
        message_start("assistant"),
        text_delta(0, a),
        text_delta(0, b),
        block_stop(0),
        message_stop("end_turn"),
        metadata(input, output, 0, 300),
    ]
}

/// One model call that calls `calls` (id, name, input) and pauses for them.
pub fn pause(calls: &[(&str, &str, serde_json::Value)], input: u64, output: u64) -> Vec<Vec<u8>> {
    let mut frames = vec![message_start("assistant")];
    for (i, (id, name, args)) in calls.iter().enumerate() {
        frames.extend(tool_use(i as u64, id, name, args));
    }
    frames.push(message_stop("tool_use"));
    frames.push(metadata(input, output, 0, 200));
    frames
}
