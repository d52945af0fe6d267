//! Converse's JSON shapes ↔ the Rust SDK's types. agentc keeps conversation history as plain
//! JSON in the Converse wire shape (the same JSON boto3 takes and returns), so a session store
//! holds documents any tool can read; this module converts at the SDK boundary only.

use super::compile::ConverseConfig;
use aws_sdk_bedrockruntime::types::{
    CachePointBlock, CachePointType, ContentBlock, ConversationRole, GuardrailConfiguration,
    InferenceConfiguration, Message, SystemContentBlock, Tool, ToolConfiguration, ToolInputSchema,
    ToolResultBlock, ToolResultContentBlock, ToolResultStatus, ToolSpecification, ToolUseBlock,
};
use aws_smithy_types::{Document, Number};
use serde_json::{Map, Value, json};

/// A JSON value that does not fit the Converse shape it should have.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct WireError(pub String);

fn bad(what: impl Into<String>) -> WireError {
    WireError(what.into())
}

pub fn to_document(value: &Value) -> Document {
    match value {
        Value::Null => Document::Null,
        Value::Bool(b) => Document::Bool(*b),
        Value::Number(n) => {
            if let Some(u) = n.as_u64() {
                Document::Number(Number::PosInt(u))
            } else if let Some(i) = n.as_i64() {
                Document::Number(Number::NegInt(i))
            } else {
                Document::Number(Number::Float(n.as_f64().unwrap_or_default()))
            }
        }
        Value::String(s) => Document::String(s.clone()),
        Value::Array(items) => Document::Array(items.iter().map(to_document).collect()),
        Value::Object(map) => Document::Object(
            map.iter()
                .map(|(k, v)| (k.clone(), to_document(v)))
                .collect(),
        ),
    }
}

pub fn from_document(document: &Document) -> Value {
    match document {
        Document::Null => Value::Null,
        Document::Bool(b) => Value::Bool(*b),
        Document::Number(Number::PosInt(u)) => json!(u),
        Document::Number(Number::NegInt(i)) => json!(i),
        Document::Number(Number::Float(f)) => {
            serde_json::Number::from_f64(*f).map_or(Value::Null, Value::Number)
        }
        Document::String(s) => Value::String(s.clone()),
        Document::Array(items) => Value::Array(items.iter().map(from_document).collect()),
        Document::Object(map) => {
            // HashMap order is random; sort keys so stored sessions and traces are stable.
            let mut keys: Vec<&String> = map.keys().collect();
            keys.sort();
            Value::Object(
                keys.into_iter()
                    .map(|k| (k.clone(), from_document(&map[k])))
                    .collect(),
            )
        }
    }
}

fn cache_point() -> Result<CachePointBlock, WireError> {
    CachePointBlock::builder()
        .r#type(CachePointType::Default)
        .build()
        .map_err(|e| bad(e.to_string()))
}

/// The request parts of a compiled config, built once per run and reused for every call.
#[derive(Debug, Clone)]
pub struct RequestParts {
    pub model_id: String,
    pub system: Vec<SystemContentBlock>,
    pub tool_config: Option<ToolConfiguration>,
    pub inference_config: Option<InferenceConfiguration>,
    pub guardrail_config: Option<GuardrailConfiguration>,
}

impl RequestParts {
    pub fn from_config(config: &ConverseConfig) -> Result<Self, WireError> {
        let mut system = Vec::with_capacity(config.system.len());
        for block in &config.system {
            if let Some(text) = block.get("text").and_then(Value::as_str) {
                system.push(SystemContentBlock::Text(text.to_string()));
            } else if block.get("cachePoint").is_some() {
                system.push(SystemContentBlock::CachePoint(cache_point()?));
            } else {
                return Err(bad(format!("unsupported system block {block}")));
            }
        }
        let tool_config = match &config.tool_config {
            None => None,
            Some(tool_config) => {
                let mut tools = Vec::new();
                for tool in tool_config
                    .get("tools")
                    .and_then(Value::as_array)
                    .into_iter()
                    .flatten()
                {
                    if let Some(spec) = tool.get("toolSpec") {
                        let schema = spec
                            .pointer("/inputSchema/json")
                            .cloned()
                            .unwrap_or(json!({"type": "object"}));
                        let built = ToolSpecification::builder()
                            .name(spec.get("name").and_then(Value::as_str).unwrap_or_default())
                            .set_description(
                                spec.get("description")
                                    .and_then(Value::as_str)
                                    .map(str::to_string),
                            )
                            .input_schema(ToolInputSchema::Json(to_document(&schema)))
                            .build()
                            .map_err(|e| bad(e.to_string()))?;
                        tools.push(Tool::ToolSpec(built));
                    } else if tool.get("cachePoint").is_some() {
                        tools.push(Tool::CachePoint(cache_point()?));
                    }
                }
                Some(
                    ToolConfiguration::builder()
                        .set_tools(Some(tools))
                        .build()
                        .map_err(|e| bad(e.to_string()))?,
                )
            }
        };
        let inference_config = config.inference_config.as_ref().map(|c| {
            InferenceConfiguration::builder()
                .set_max_tokens(
                    c.get("maxTokens")
                        .and_then(Value::as_i64)
                        .map(|n| n.clamp(1, i32::MAX as i64) as i32),
                )
                .set_temperature(
                    c.get("temperature")
                        .and_then(Value::as_f64)
                        .map(|t| t as f32),
                )
                .set_top_p(c.get("topP").and_then(Value::as_f64).map(|t| t as f32))
                .set_stop_sequences(c.get("stopSequences").and_then(Value::as_array).map(|s| {
                    s.iter()
                        .filter_map(Value::as_str)
                        .map(str::to_string)
                        .collect()
                }))
                .build()
        });
        let guardrail_config = config.guardrail_config.as_ref().map(|g| {
            GuardrailConfiguration::builder()
                .guardrail_identifier(
                    g.get("guardrailIdentifier")
                        .and_then(Value::as_str)
                        .unwrap_or_default(),
                )
                .guardrail_version(
                    g.get("guardrailVersion")
                        .and_then(Value::as_str)
                        .unwrap_or_default(),
                )
                .build()
        });
        Ok(Self {
            model_id: config.model_id.clone(),
            system,
            tool_config,
            inference_config,
            guardrail_config,
        })
    }
}

/// A stored message (`{"role": …, "content": […]}`) → SDK message.
pub fn message_to_sdk(message: &Value) -> Result<Message, WireError> {
    let role = match message.get("role").and_then(Value::as_str) {
        Some("user") => ConversationRole::User,
        Some("assistant") => ConversationRole::Assistant,
        Some(other) => {
            return Err(bad(format!(
                "message role `{other}` is not user or assistant"
            )));
        }
        None => return Err(bad("a message has no role (user or assistant)".to_string())),
    };
    let mut content = Vec::new();
    for block in message
        .get("content")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        content.push(block_to_sdk(block)?);
    }
    Message::builder()
        .role(role)
        .set_content(Some(content))
        .build()
        .map_err(|e| bad(e.to_string()))
}

fn block_to_sdk(block: &Value) -> Result<ContentBlock, WireError> {
    if let Some(text) = block.get("text").and_then(Value::as_str) {
        return Ok(ContentBlock::Text(text.to_string()));
    }
    if let Some(tool_use) = block.get("toolUse") {
        let built = ToolUseBlock::builder()
            .tool_use_id(
                tool_use
                    .get("toolUseId")
                    .and_then(Value::as_str)
                    .unwrap_or_default(),
            )
            .name(
                tool_use
                    .get("name")
                    .and_then(Value::as_str)
                    .unwrap_or_default(),
            )
            .input(to_document(tool_use.get("input").unwrap_or(&Value::Null)))
            .build()
            .map_err(|e| bad(e.to_string()))?;
        return Ok(ContentBlock::ToolUse(built));
    }
    if let Some(result) = block.get("toolResult") {
        let mut content = Vec::new();
        for item in result
            .get("content")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            if let Some(text) = item.get("text").and_then(Value::as_str) {
                content.push(ToolResultContentBlock::Text(text.to_string()));
            } else if let Some(json) = item.get("json") {
                content.push(ToolResultContentBlock::Json(to_document(json)));
            }
        }
        let status = match result.get("status").and_then(Value::as_str) {
            Some("error") => Some(ToolResultStatus::Error),
            Some("success") => Some(ToolResultStatus::Success),
            _ => None,
        };
        let built = ToolResultBlock::builder()
            .tool_use_id(
                result
                    .get("toolUseId")
                    .and_then(Value::as_str)
                    .unwrap_or_default(),
            )
            .set_content(Some(content))
            .set_status(status)
            .build()
            .map_err(|e| bad(e.to_string()))?;
        return Ok(ContentBlock::ToolResult(built));
    }
    if block.get("cachePoint").is_some() {
        return Ok(ContentBlock::CachePoint(cache_point()?));
    }
    Err(bad(format!("unsupported content block {block}")))
}

/// An SDK message from the model → stored JSON. Blocks agentc does not use (reasoning,
/// images, citations…) are kept as a text placeholder-free omission: only text and tool use
/// matter to the loop, and Converse accepts a history without the others.
pub fn message_from_sdk(message: &Message) -> Value {
    let role = match message.role() {
        ConversationRole::User => "user",
        _ => "assistant",
    };
    let content: Vec<Value> = message
        .content()
        .iter()
        .filter_map(|block| match block {
            ContentBlock::Text(text) => Some(json!({ "text": text })),
            ContentBlock::ToolUse(tool_use) => Some(json!({
                "toolUse": {
                    "toolUseId": tool_use.tool_use_id(),
                    "name": tool_use.name(),
                    "input": from_document(tool_use.input()),
                }
            })),
            _ => None,
        })
        .collect();
    json!({ "role": role, "content": content })
}

/// A `toolResult` content block in the stored JSON shape.
pub fn tool_result_block(tool_use_id: &str, content: Value, is_error: bool) -> Value {
    let mut result = Map::new();
    result.insert("toolUseId".into(), json!(tool_use_id));
    result.insert("content".into(), json!([content]));
    result.insert(
        "status".into(),
        json!(if is_error { "error" } else { "success" }),
    );
    json!({ "toolResult": result })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn documents_round_trip_through_json() {
        let value = json!({"a": [1, -2, 2.5, "x", true, null], "b": {"c": "d"}});
        assert_eq!(from_document(&to_document(&value)), value);
    }

    #[test]
    fn messages_round_trip_and_bad_roles_are_rejected() {
        let message = json!({"role": "assistant", "content": [
            {"text": "checking"},
            {"toolUse": {"toolUseId": "t1", "name": "get", "input": {"id": 3}}}
        ]});
        let sdk = message_to_sdk(&message).expect("valid message");
        assert_eq!(message_from_sdk(&sdk), message);
        assert!(message_to_sdk(&json!({"role": "system", "content": []})).is_err());
    }
}
