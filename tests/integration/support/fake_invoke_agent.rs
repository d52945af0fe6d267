//! A fake InvokeAgent endpoint (`bedrock-agent-runtime`): the event-stream server of
//! `event_stream` with InvokeAgent's signing name (`bedrock`) and its events (`chunk`,
//! `trace`, exceptions).

use super::Recorded;
pub use super::event_stream::{Answer, Part, event, exception};
use super::event_stream::{EventStreamServer, signed_for};
use serde_json::{Value, json};

/// The server, answering InvokeAgent's path `/agents/…/sessions/<id>/text`.
pub struct FakeInvokeAgent(EventStreamServer);

impl FakeInvokeAgent {
    pub fn start(script: Vec<Answer>) -> Self {
        let session_of = |recorded: &Recorded| {
            recorded
                .path
                .split("/sessions/")
                .nth(1)
                .and_then(|rest| rest.split('/').next())
                .unwrap_or_default()
                .to_string()
        };
        Self(EventStreamServer::start("bedrock", session_of, script))
    }
}

impl std::ops::Deref for FakeInvokeAgent {
    type Target = EventStreamServer;
    fn deref(&self) -> &EventStreamServer {
        &self.0
    }
}

/// Signed for `bedrock`, InvokeAgent's signing name.
pub fn signature_is_well_formed(request: &Recorded) -> bool {
    signed_for(request, "bedrock")
}

/// A `chunk` of answer text.
pub fn chunk(text: &str) -> Vec<u8> {
    event(
        "chunk",
        &json!({ "bytes": aws_smithy_types::base64::encode(text.as_bytes()) }),
    )
}

/// A `trace` event around `trace` (the Trace union member).
pub fn trace(trace: Value) -> Vec<u8> {
    event(
        "trace",
        &json!({"agentId": "AGENT12345", "agentAliasId": "ALIAS12345", "agentVersion": "1",
            "sessionId": "s", "eventTime": "2026-11-25T10:00:00.123Z", "trace": trace}),
    )
}

/// The prompt of a model call: `container` is `orchestrationTrace`, `preProcessingTrace`, …
pub fn model_input(container: &str, trace_id: &str, prompt_type: &str, model: &str) -> Vec<u8> {
    trace(json!({ container: { "modelInvocationInput": {
        "traceId": trace_id, "type": prompt_type, "foundationModel": model, "text": "<the whole prompt>" } } }))
}

/// A model call's output with the usage the service measured.
pub fn model_output(container: &str, trace_id: &str, input: u64, output: u64) -> Vec<u8> {
    trace(json!({ container: { "modelInvocationOutput": {
        "traceId": trace_id, "rawResponse": {"content": "…"},
        "metadata": {"usage": {"inputTokens": input, "outputTokens": output}, "totalTimeMs": 250} } } }))
}
