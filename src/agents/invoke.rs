//! InvokeAgent's wire shapes, without the network: the request body agentc sends, the events
//! of the response stream it reads (`chunk`, `trace`, `returnControl`, exceptions), what a
//! trace event says about model calls, tools, retrievals, failures and guardrails, and the
//! `returnControlInvocationResults` that answer a returned call. Only the members agentc
//! reads are modelled (serde structs over the service model `bedrock-agent-runtime`
//! 2023-07-26); everything else in an event is ignored, so new service fields never break a
//! run. The HTTP client that uses these is `agents::runtime`.

use crate::direct::model::Usage;
use crate::direct::trace::Step;
pub use crate::runtime::frame::EventError;
use crate::runtime::frame::{self, Frame, payload_error};
use crate::runtime::stream::frame_headers;
use aws_smithy_types::event_stream::Message;
use serde::Deserialize;
use serde_json::{Value, json};
use std::collections::HashMap;

/// The body of one InvokeAgent call (only the members that are set).
pub fn request_body(
    input_text: Option<&str>,
    enable_trace: bool,
    end_session: bool,
    session_state: Option<Value>,
) -> Value {
    let mut body = serde_json::Map::new();
    if let Some(text) = input_text {
        body.insert("inputText".into(), json!(text));
    }
    body.insert("enableTrace".into(), json!(enable_trace));
    if end_session {
        body.insert("endSession".into(), json!(true));
    }
    if let Some(state) = session_state {
        body.insert("sessionState".into(), state);
    }
    Value::Object(body)
}

/// One event of the response stream.
#[derive(Debug, Clone, PartialEq)]
pub enum StreamEvent {
    /// Answer text (a `chunk`'s base64 `bytes`, decoded).
    Chunk(String),
    /// A `trace` event: the TracePart object.
    Trace(Value),
    /// The stream ends with calls for the caller to run.
    ReturnControl(ReturnControl),
    /// Files the code interpreter produced (counted, not saved).
    Files(usize),
    /// An error after the stream started (`:message-type` `exception` or `error`).
    Exception { kind: String, message: String },
    /// An event type this version of agentc does not know: ignored and counted.
    Unknown(String),
}

/// Read one decoded frame as an event of InvokeAgent's `ResponseStream`.
pub fn decode_event(message: &Message) -> Result<StreamEvent, EventError> {
    match frame::classify(frame_headers(message), message.payload())? {
        Frame::Event { kind, payload } => decode_payload(kind, payload),
        Frame::Exception { kind, message } => Ok(StreamEvent::Exception { kind, message }),
    }
}

fn decode_payload(kind: &str, payload: &[u8]) -> Result<StreamEvent, EventError> {
    match kind {
        "chunk" => {
            #[derive(Deserialize)]
            struct PayloadPart {
                #[serde(default)]
                bytes: Option<String>,
            }
            let part: PayloadPart =
                serde_json::from_slice(payload).map_err(|e| payload_error(kind, e))?;
            let bytes = match part.bytes {
                Some(encoded) => aws_smithy_types::base64::decode(encoded)
                    .map_err(|e| payload_error(kind, format!("`bytes` is not base64: {e}")))?,
                None => Vec::new(),
            };
            Ok(StreamEvent::Chunk(
                String::from_utf8_lossy(&bytes).into_owned(),
            ))
        }
        "trace" => Ok(StreamEvent::Trace(
            serde_json::from_slice(payload).map_err(|e| payload_error(kind, e))?,
        )),
        "returnControl" => Ok(StreamEvent::ReturnControl(
            serde_json::from_slice(payload).map_err(|e| payload_error(kind, e))?,
        )),
        "files" => {
            let files = serde_json::from_slice::<Value>(payload)
                .ok()
                .and_then(|v| v.get("files").and_then(Value::as_array).map(Vec::len))
                .unwrap_or(0);
            Ok(StreamEvent::Files(files))
        }
        other => Ok(StreamEvent::Unknown(other.to_string())),
    }
}

/// `returnControl`: the calls the agent hands back, answered in the next InvokeAgent.
#[derive(Debug, Clone, PartialEq, Deserialize, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ReturnControl {
    pub invocation_id: String,
    #[serde(default)]
    pub invocation_inputs: Vec<InvocationInput>,
}

/// One returned call (a union: one of the two is set).
#[derive(Debug, Clone, PartialEq, Deserialize, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct InvocationInput {
    #[serde(default)]
    pub function_invocation_input: Option<FunctionInvocationInput>,
    #[serde(default)]
    pub api_invocation_input: Option<ApiInvocationInput>,
}

#[derive(Debug, Clone, PartialEq, Deserialize, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct FunctionInvocationInput {
    pub action_group: String,
    #[serde(default)]
    pub function: String,
    #[serde(default)]
    pub parameters: Vec<Parameter>,
    #[serde(default)]
    pub action_invocation_type: Option<String>,
    /// Set with multi-agent collaboration: the result must name the same agent.
    #[serde(default)]
    pub agent_id: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Deserialize, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ApiInvocationInput {
    pub action_group: String,
    #[serde(default)]
    pub http_method: String,
    #[serde(default)]
    pub api_path: String,
    #[serde(default)]
    pub parameters: Vec<Parameter>,
    #[serde(default)]
    pub request_body: Option<ApiRequestBody>,
    #[serde(default)]
    pub action_invocation_type: Option<String>,
    #[serde(default)]
    pub agent_id: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Deserialize, serde::Serialize)]
pub struct ApiRequestBody {
    #[serde(default)]
    pub content: HashMap<String, PropertyList>,
}

#[derive(Debug, Clone, PartialEq, Deserialize, serde::Serialize)]
pub struct PropertyList {
    #[serde(default)]
    pub properties: Vec<Parameter>,
}

/// A parameter as Bedrock Agents sends it: every value a string, typed by `type`.
#[derive(Debug, Clone, PartialEq, Deserialize, serde::Serialize)]
pub struct Parameter {
    pub name: String,
    #[serde(rename = "type", default)]
    pub kind: String,
    #[serde(default)]
    pub value: String,
}

/// A parameter value back in the JSON type it was declared with, so a local handler gets
/// the same input as on the direct target. A value that does not parse stays a string.
pub fn typed_value(parameter: &Parameter) -> Value {
    let text = parameter.value.trim();
    let parsed = match parameter.kind.as_str() {
        "integer" | "number" | "boolean" | "array" | "object" => {
            serde_json::from_str::<Value>(text).ok()
        }
        _ => None,
    };
    parsed.unwrap_or_else(|| Value::String(parameter.value.clone()))
}

/// The JSON input of a returned call, as a Converse `toolUse.input` would carry it.
pub fn call_input(input: &InvocationInput) -> Value {
    let mut object = serde_json::Map::new();
    let mut add = |parameters: &[Parameter]| {
        for parameter in parameters {
            object.insert(parameter.name.clone(), typed_value(parameter));
        }
    };
    if let Some(function) = &input.function_invocation_input {
        add(&function.parameters);
    }
    if let Some(api) = &input.api_invocation_input {
        add(&api.parameters);
        if let Some(body) = &api.request_body {
            for list in body.content.values() {
                add(&list.properties);
            }
        }
    }
    Value::Object(object)
}

/// The `returnControlInvocationResults` member answering `input` with `body` (the tool's
/// result as text); `failed` marks a failed call (`responseState: FAILURE`).
pub fn invocation_result(input: &InvocationInput, body: &str, failed: bool) -> Value {
    let mut result = serde_json::Map::new();
    let (key, content_type, agent_id) = match (
        &input.function_invocation_input,
        &input.api_invocation_input,
    ) {
        (Some(function), _) => {
            result.insert("actionGroup".into(), json!(function.action_group));
            result.insert("function".into(), json!(function.function));
            ("functionResult", "TEXT", function.agent_id.as_deref())
        }
        (None, Some(api)) => {
            result.insert("actionGroup".into(), json!(api.action_group));
            result.insert("apiPath".into(), json!(api.api_path));
            result.insert("httpMethod".into(), json!(api.http_method));
            result.insert(
                "httpStatusCode".into(),
                json!(if failed { 500 } else { 200 }),
            );
            ("apiResult", "application/json", api.agent_id.as_deref())
        }
        (None, None) => ("functionResult", "TEXT", None),
    };
    result.insert(
        "responseBody".into(),
        json!({ content_type: { "body": body } }),
    );
    if failed {
        result.insert("responseState".into(), json!("FAILURE"));
    }
    if let Some(agent_id) = agent_id {
        result.insert("agentId".into(), json!(agent_id));
    }
    json!({ key: Value::Object(result) })
}

/// How the agent wants a returned call handled: `RESULT` (run it), `USER_CONFIRMATION`
/// (only confirm or deny), `USER_CONFIRMATION_AND_RESULT` (confirm, then run).
pub fn invocation_type(input: &InvocationInput) -> &str {
    input
        .function_invocation_input
        .as_ref()
        .and_then(|f| f.action_invocation_type.as_deref())
        .or_else(|| {
            input
                .api_invocation_input
                .as_ref()
                .and_then(|a| a.action_invocation_type.as_deref())
        })
        .unwrap_or("RESULT")
}

/// A result with the user's answer to a confirmation (`confirmationState`).
pub fn with_confirmation(mut result: Value, confirmed: Option<bool>) -> Value {
    if let Some(confirmed) = confirmed
        && let Some(inner) = result
            .as_object_mut()
            .and_then(|o| o.values_mut().next())
            .and_then(Value::as_object_mut)
    {
        inner.insert(
            "confirmationState".into(),
            json!(if confirmed { "CONFIRM" } else { "DENY" }),
        );
    }
    result
}

/// The session state that answers a `returnControl`.
pub fn answer_state(invocation_id: &str, results: Vec<Value>) -> Value {
    json!({ "invocationId": invocation_id, "returnControlInvocationResults": results })
}

/// What one trace event reports, in the terms of agentc's trace.
#[derive(Debug, Clone, PartialEq)]
pub enum TraceFact {
    /// The prompt of a model call (`modelInvocationInput`): its model and prompt type.
    ModelInput {
        trace_id: String,
        model_id: Option<String>,
        step: Step,
    },
    /// A model call's result with the tokens the service measured.
    ModelOutput {
        trace_id: String,
        step: Step,
        usage: Usage,
        latency_ms: Option<f64>,
    },
    /// The agent decided to call an action group or a knowledge base.
    ToolInput {
        trace_id: String,
        name: String,
        knowledge_base_id: Option<String>,
        returned: bool,
    },
    /// What a tool the service ran answered.
    Observation {
        trace_id: String,
        observed: Observed,
        latency_ms: Option<f64>,
    },
    Failure {
        code: String,
        reason: String,
    },
    Guardrail {
        action: String,
    },
    /// A trace agentc does not measure (rationale, custom orchestration, …).
    Other,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Observed {
    ActionGroup {
        bytes: usize,
    },
    KnowledgeBase {
        results: usize,
        bytes: usize,
    },
    /// The final response, reprompts, ask-user: no tool ran.
    NoTool,
}

fn step_of_container(name: &str) -> Option<Step> {
    match name {
        "orchestrationTrace" => Some(Step::Orchestration),
        "preProcessingTrace" => Some(Step::PreProcessing),
        "postProcessingTrace" => Some(Step::PostProcessing),
        "routingClassifierTrace" => Some(Step::Routing),
        _ => None,
    }
}

/// The step of a prompt type (`modelInvocationInput.type`).
fn step_of_prompt_type(kind: &str) -> Option<Step> {
    match kind {
        "PRE_PROCESSING" => Some(Step::PreProcessing),
        "ORCHESTRATION" => Some(Step::Orchestration),
        "POST_PROCESSING" => Some(Step::PostProcessing),
        "KNOWLEDGE_BASE_RESPONSE_GENERATION" => Some(Step::KnowledgeBase),
        "ROUTING_CLASSIFIER" => Some(Step::Routing),
        "MEMORY_SUMMARIZATION" => Some(Step::MemorySummarization),
        _ => None,
    }
}

fn string(value: &Value, key: &str) -> Option<String> {
    value.get(key).and_then(Value::as_str).map(str::to_string)
}

fn total_time_ms(value: &Value) -> Option<f64> {
    value
        .get("metadata")
        .and_then(|m| m.get("totalTimeMs"))
        .and_then(Value::as_f64)
}

fn usage_of(output: &Value) -> Option<Usage> {
    let usage = output.get("metadata")?.get("usage")?;
    let number = |key: &str| usage.get(key).and_then(Value::as_u64).unwrap_or(0);
    Some(Usage {
        input_tokens: number("inputTokens"),
        output_tokens: number("outputTokens"),
        // The Agents trace has no cache fields: caching cannot be measured there.
        cache_read_input_tokens: 0,
        cache_write_input_tokens: 0,
    })
}

/// What a TracePart says. Each step trace is a union, so one event is one fact.
pub fn read_trace(part: &Value) -> TraceFact {
    let Some(trace) = part.get("trace").and_then(Value::as_object) else {
        return TraceFact::Other;
    };
    for (name, inner) in trace {
        if name == "failureTrace" {
            return TraceFact::Failure {
                code: inner
                    .get("failureCode")
                    .map(|c| match c {
                        Value::String(s) => s.clone(),
                        other => other.to_string(),
                    })
                    .unwrap_or_else(|| "unknown".into()),
                reason: string(inner, "failureReason").unwrap_or_default(),
            };
        }
        if name == "guardrailTrace" {
            return TraceFact::Guardrail {
                action: string(inner, "action").unwrap_or_else(|| "NONE".into()),
            };
        }
        let Some(step) = step_of_container(name) else {
            continue;
        };
        if let Some(input) = inner.get("modelInvocationInput") {
            return TraceFact::ModelInput {
                trace_id: string(input, "traceId").unwrap_or_default(),
                model_id: string(input, "foundationModel"),
                step: string(input, "type")
                    .and_then(|t| step_of_prompt_type(&t))
                    .unwrap_or(step),
            };
        }
        if let Some(output) = inner.get("modelInvocationOutput") {
            return match usage_of(output) {
                Some(usage) => TraceFact::ModelOutput {
                    trace_id: string(output, "traceId").unwrap_or_default(),
                    step,
                    usage,
                    latency_ms: total_time_ms(output),
                },
                None => TraceFact::Other,
            };
        }
        if let Some(input) = inner.get("invocationInput") {
            let trace_id = string(input, "traceId").unwrap_or_default();
            if let Some(group) = input.get("actionGroupInvocationInput") {
                let operation = string(group, "function")
                    .or_else(|| {
                        Some(format!(
                            "{} {}",
                            string(group, "verb").unwrap_or_default().to_uppercase(),
                            string(group, "apiPath")?
                        ))
                    })
                    .unwrap_or_default();
                return TraceFact::ToolInput {
                    trace_id,
                    name: format!(
                        "{}/{operation}",
                        string(group, "actionGroupName").unwrap_or_default()
                    ),
                    knowledge_base_id: None,
                    returned: string(group, "executionType").as_deref() == Some("RETURN_CONTROL"),
                };
            }
            if let Some(lookup) = input.get("knowledgeBaseLookupInput") {
                return TraceFact::ToolInput {
                    trace_id,
                    name: "knowledge_base".into(),
                    knowledge_base_id: string(lookup, "knowledgeBaseId"),
                    returned: false,
                };
            }
            return TraceFact::Other;
        }
        if let Some(observation) = inner.get("observation") {
            let trace_id = string(observation, "traceId").unwrap_or_default();
            if let Some(output) = observation.get("actionGroupInvocationOutput") {
                return TraceFact::Observation {
                    trace_id,
                    observed: Observed::ActionGroup {
                        bytes: output
                            .get("text")
                            .and_then(Value::as_str)
                            .map_or(0, str::len),
                    },
                    latency_ms: total_time_ms(output),
                };
            }
            if let Some(output) = observation.get("knowledgeBaseLookupOutput") {
                let references = output
                    .get("retrievedReferences")
                    .and_then(Value::as_array)
                    .map(Vec::as_slice)
                    .unwrap_or_default();
                let bytes = references
                    .iter()
                    .filter_map(|r| r.get("content")?.get("text")?.as_str())
                    .map(str::len)
                    .sum();
                return TraceFact::Observation {
                    trace_id,
                    observed: Observed::KnowledgeBase {
                        results: references.len(),
                        bytes,
                    },
                    latency_ms: total_time_ms(output),
                };
            }
            return TraceFact::Observation {
                trace_id,
                observed: Observed::NoTool,
                latency_ms: None,
            };
        }
    }
    TraceFact::Other
}

#[cfg(test)]
mod tests {
    use super::*;
    use aws_smithy_types::event_stream::{Header, HeaderValue};

    #[test]
    fn a_returned_input_reads_back_as_it_was_stored_with_a_pause() {
        let input: InvocationInput = serde_json::from_value(json!({"apiInvocationInput": {
            "actionGroup": "claims", "httpMethod": "post", "apiPath": "/claims/{claimId}",
            "actionInvocationType": "USER_CONFIRMATION_AND_RESULT",
            "parameters": [{"name": "claimId", "type": "string", "value": "20"}],
            "requestBody": {"content": {"application/json": {"properties": [
                {"name": "urgent", "type": "boolean", "value": "true"}]}}}}}))
        .unwrap();
        let stored = serde_json::to_value(&input).unwrap();
        let back: InvocationInput = serde_json::from_value(stored).unwrap();
        assert_eq!(back, input);
        assert_eq!(invocation_type(&back), "USER_CONFIRMATION_AND_RESULT");
        assert_eq!(call_input(&back), json!({"claimId": "20", "urgent": true}));
    }

    fn event(kind: &str, payload: &str) -> Message {
        Message::new(payload.as_bytes().to_vec())
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
            ))
    }

    /// The cross-implementation vector of the InvokeAgent notes (§4.6): the same 179 bytes
    /// that `@smithy/eventstream-codec` writes and botocore reads.
    #[test]
    fn the_179_byte_test_vector_encodes_and_decodes() {
        let hex = concat!(
            "000000b30000004bd34b35b50d3a6d6573736167652d747970650700056576656e740b3a6576656e742d747970650700056368756e6b0d3a636f6e74656e742d747970650700106170706c69636174696f6e2f6a736f6e",
            "7b226279746573223a2265794a306558426c496a6f695932397564475675644639696247396a6131396b5a57783059534973496d526c62485268496a7037496e526c654851694f694a495a57787362794a3966513d3d227d0439e7b0"
        );
        let expected: Vec<u8> = (0..hex.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&hex[i..i + 2], 16).unwrap())
            .collect();
        let message = event(
            "chunk",
            r#"{"bytes":"eyJ0eXBlIjoiY29udGVudF9ibG9ja19kZWx0YSIsImRlbHRhIjp7InRleHQiOiJIZWxsbyJ9fQ=="}"#,
        );
        let mut encoded = Vec::new();
        aws_smithy_eventstream::frame::write_message_to(&message, &mut encoded).unwrap();
        assert_eq!(encoded.len(), 179);
        assert_eq!(encoded, expected);
        assert_eq!(&encoded[8..12], &0xd34b_35b5_u32.to_be_bytes());
        assert_eq!(&encoded[175..], &0x0439_e7b0_u32.to_be_bytes());

        // Fed one byte at a time, the streaming decoder yields the same message once.
        let mut decoder = aws_smithy_eventstream::frame::MessageFrameDecoder::new();
        let mut buffer = bytes::BytesMut::new();
        let mut decoded = None;
        for byte in &expected {
            buffer.extend_from_slice(&[*byte]);
            if let aws_smithy_eventstream::frame::DecodedFrame::Complete(m) =
                decoder.decode_frame(&mut buffer).unwrap()
            {
                decoded = Some(m);
            }
        }
        let decoded = decoded.unwrap();
        assert_eq!(
            decode_event(&decoded).unwrap(),
            StreamEvent::Chunk(r#"{"type":"content_block_delta","delta":{"text":"Hello"}}"#.into())
        );
    }

    #[test]
    fn exceptions_and_unknown_events_are_events_not_failures() {
        let exception = Message::new(br#"{"message":"Nova failed"}"#.to_vec())
            .add_header(Header::new(
                ":message-type",
                HeaderValue::String("exception".into()),
            ))
            .add_header(Header::new(
                ":exception-type",
                HeaderValue::String("dependencyFailedException".into()),
            ));
        assert_eq!(
            decode_event(&exception).unwrap(),
            StreamEvent::Exception {
                kind: "dependencyFailedException".into(),
                message: "Nova failed".into()
            }
        );
        assert_eq!(
            decode_event(&event("somethingNew", "{}")).unwrap(),
            StreamEvent::Unknown("somethingNew".into())
        );
        assert!(matches!(
            decode_event(&event("chunk", r#"{"bytes":"not base64!"}"#)),
            Err(EventError::Payload { .. })
        ));
    }

    #[test]
    fn trace_events_become_facts_with_the_services_usage() {
        let output = json!({"agentId": "A", "trace": {"orchestrationTrace": {"modelInvocationOutput": {
            "traceId": "t-0", "metadata": {"usage": {"inputTokens": 1234, "outputTokens": 56}, "totalTimeMs": 900}}}}});
        assert_eq!(
            read_trace(&output),
            TraceFact::ModelOutput {
                trace_id: "t-0".into(),
                step: Step::Orchestration,
                usage: Usage {
                    input_tokens: 1234,
                    output_tokens: 56,
                    ..Usage::default()
                },
                latency_ms: Some(900.0),
            }
        );
        let input = json!({"trace": {"orchestrationTrace": {"modelInvocationInput": {
            "traceId": "t-1", "type": "KNOWLEDGE_BASE_RESPONSE_GENERATION", "foundationModel": "m"}}}});
        assert_eq!(
            read_trace(&input),
            TraceFact::ModelInput {
                trace_id: "t-1".into(),
                model_id: Some("m".into()),
                step: Step::KnowledgeBase
            }
        );
        let failure =
            json!({"trace": {"failureTrace": {"failureCode": 424, "failureReason": "x"}}});
        assert_eq!(
            read_trace(&failure),
            TraceFact::Failure {
                code: "424".into(),
                reason: "x".into()
            }
        );
        let kb = json!({"trace": {"orchestrationTrace": {"observation": {"traceId": "t-2",
            "knowledgeBaseLookupOutput": {"retrievedReferences": [{"content": {"text": "abc"}}, {"content": {"text": "de"}}]}}}}});
        assert_eq!(
            read_trace(&kb),
            TraceFact::Observation {
                trace_id: "t-2".into(),
                observed: Observed::KnowledgeBase {
                    results: 2,
                    bytes: 5
                },
                latency_ms: None
            }
        );
    }

    #[test]
    fn returned_calls_are_answered_in_the_shape_of_their_variant() {
        let control: ReturnControl = serde_json::from_value(json!({"invocationId": "inv-1", "invocationInputs": [
            {"functionInvocationInput": {"actionGroup": "weather", "function": "get_weather",
                "parameters": [{"name": "city", "type": "string", "value": "Oslo"}, {"name": "days", "type": "integer", "value": "3"}]}},
            {"apiInvocationInput": {"actionGroup": "orders", "httpMethod": "POST", "apiPath": "/orders/{id}",
                "parameters": [{"name": "id", "type": "string", "value": "7"}],
                "requestBody": {"content": {"application/json": {"properties": [{"name": "paid", "type": "boolean", "value": "true"}]}}}}}
        ]})).unwrap();
        assert_eq!(
            call_input(&control.invocation_inputs[0]),
            json!({"city": "Oslo", "days": 3})
        );
        assert_eq!(
            call_input(&control.invocation_inputs[1]),
            json!({"id": "7", "paid": true})
        );
        assert_eq!(
            invocation_result(&control.invocation_inputs[0], "sunny", false),
            json!({"functionResult": {"actionGroup": "weather", "function": "get_weather",
                "responseBody": {"TEXT": {"body": "sunny"}}}})
        );
        assert_eq!(
            invocation_result(&control.invocation_inputs[1], "boom", true),
            json!({"apiResult": {"actionGroup": "orders", "apiPath": "/orders/{id}", "httpMethod": "POST",
                "httpStatusCode": 500, "responseBody": {"application/json": {"body": "boom"}}, "responseState": "FAILURE"}})
        );
        assert_eq!(invocation_type(&control.invocation_inputs[0]), "RESULT");
        let denied = with_confirmation(
            invocation_result(&control.invocation_inputs[0], "no", false),
            Some(false),
        );
        assert_eq!(denied["functionResult"]["confirmationState"], "DENY");
        let plain = with_confirmation(
            invocation_result(&control.invocation_inputs[0], "x", false),
            None,
        );
        assert!(plain["functionResult"].get("confirmationState").is_none());
    }
}
