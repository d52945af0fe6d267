//! Converse's JSON shapes. agentc keeps conversation history as plain JSON in the Converse
//! wire shape (the same JSON boto3 takes and returns), so a session store holds documents any
//! tool can read, and a model call sends that JSON as it is (`model`): this module checks it,
//! builds the fixed part of the request once, and reads the model's message out of a reply.

use super::compile::ConverseConfig;
use serde_json::{Map, Value, json};

/// A JSON value that does not fit the Converse shape it should have.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct WireError(pub String);

fn bad(what: impl Into<String>) -> WireError {
    WireError(what.into())
}

/// The parts of a compiled config that do not change between calls, serialized once: the
/// request body is `{"messages":[…]` followed by `tail`.
#[derive(Debug, Clone)]
pub struct RequestParts {
    pub model_id: String,
    /// `,"system":[…]` and the tool, inference and guardrail configuration, then `}`.
    pub tail: String,
}

/// Copy `key` from `from` into `to` when it has the JSON type `keep` accepts.
fn copy_if(to: &mut Map<String, Value>, from: &Value, key: &str, keep: fn(&Value) -> bool) {
    if let Some(value) = from.get(key).filter(|v| keep(v)) {
        to.insert(key.to_string(), value.clone());
    }
}

impl RequestParts {
    /// Only the members Converse defines for each part are sent, as the SDK's typed request
    /// sent them: a hand-edited artifact cannot smuggle other keys into the call.
    pub fn from_config(config: &ConverseConfig) -> Result<Self, WireError> {
        let mut system = Vec::with_capacity(config.system.len());
        for block in &config.system {
            if let Some(text) = block.get("text").and_then(Value::as_str) {
                system.push(json!({ "text": text }));
            } else if block.get("cachePoint").is_some() {
                system.push(json!({ "cachePoint": { "type": "default" } }));
            } else {
                return Err(bad(format!("unsupported system block {block}")));
            }
        }
        let mut body = Map::new();
        body.insert("system".into(), Value::Array(system));
        if let Some(tool_config) = &config.tool_config {
            let mut tools = Vec::new();
            for tool in tool_config
                .get("tools")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
            {
                if let Some(spec) = tool.get("toolSpec") {
                    let name = spec.get("name").and_then(Value::as_str).unwrap_or_default();
                    if name.is_empty() {
                        return Err(bad(format!("a tool has no name: {tool}")));
                    }
                    let schema = spec
                        .pointer("/inputSchema/json")
                        .cloned()
                        .unwrap_or(json!({"type": "object"}));
                    let mut built = Map::new();
                    built.insert("name".into(), json!(name));
                    copy_if(&mut built, spec, "description", Value::is_string);
                    built.insert("inputSchema".into(), json!({ "json": schema }));
                    tools.push(json!({ "toolSpec": built }));
                } else if tool.get("cachePoint").is_some() {
                    tools.push(json!({ "cachePoint": { "type": "default" } }));
                }
            }
            body.insert("toolConfig".into(), json!({ "tools": tools }));
        }
        if let Some(c) = &config.inference_config {
            let mut inference = Map::new();
            if let Some(n) = c.get("maxTokens").and_then(Value::as_i64) {
                inference.insert("maxTokens".into(), json!(n.clamp(1, i32::MAX as i64)));
            }
            copy_if(&mut inference, c, "temperature", Value::is_number);
            copy_if(&mut inference, c, "topP", Value::is_number);
            if let Some(stops) = c.get("stopSequences").and_then(Value::as_array) {
                let stops: Vec<&Value> = stops.iter().filter(|s| s.is_string()).collect();
                inference.insert("stopSequences".into(), json!(stops));
            }
            body.insert("inferenceConfig".into(), Value::Object(inference));
        }
        if let Some(g) = &config.guardrail_config {
            let field = |key: &str| g.get(key).and_then(Value::as_str).unwrap_or_default();
            body.insert(
                "guardrailConfig".into(),
                json!({
                    "guardrailIdentifier": field("guardrailIdentifier"),
                    "guardrailVersion": field("guardrailVersion"),
                }),
            );
        }
        // `{"system":…}` without its opening brace: it follows the messages.
        let mut tail = Value::Object(body).to_string();
        tail.replace_range(..1, ",");
        Ok(Self {
            model_id: config.model_id.clone(),
            tail,
        })
    }

    /// The request body for `messages`, each already serialized.
    pub fn body<S: AsRef<str>>(&self, messages: &[S]) -> String {
        let size: usize = messages.iter().map(|m| m.as_ref().len() + 1).sum();
        let mut body = String::with_capacity(size + self.tail.len() + 16);
        body.push_str("{\"messages\":[");
        for (i, message) in messages.iter().enumerate() {
            if i > 0 {
                body.push(',');
            }
            body.push_str(message.as_ref());
        }
        body.push(']');
        body.push_str(&self.tail);
        body
    }
}

/// Check that a stored message is one Converse takes: a `user` or `assistant` role and
/// content blocks of the kinds agentc writes (text, tool use, tool result, cache point).
pub fn check_message(message: &Value) -> Result<(), WireError> {
    match message.get("role").and_then(Value::as_str) {
        Some("user" | "assistant") => {}
        Some(other) => {
            return Err(bad(format!(
                "message role `{other}` is not user or assistant"
            )));
        }
        None => return Err(bad("a message has no role (user or assistant)".to_string())),
    }
    let Some(content) = message.get("content").and_then(Value::as_array) else {
        return Err(bad("a message has no `content` list"));
    };
    for block in content {
        let known = block.get("text").is_some_and(Value::is_string)
            || block.get("toolUse").is_some_and(Value::is_object)
            || block.get("toolResult").is_some_and(Value::is_object)
            || block.get("cachePoint").is_some();
        if !known {
            return Err(bad(format!("unsupported content block {block}")));
        }
    }
    Ok(())
}

/// The model's message from a Converse reply → stored JSON. Only text and tool use are kept:
/// they are all the loop reads, and Converse accepts a history without the other kinds
/// (reasoning, citations, images).
pub fn assistant_message(message: &Value) -> Value {
    let role = match message.get("role").and_then(Value::as_str) {
        Some("user") => "user",
        _ => "assistant",
    };
    let content: Vec<Value> = message
        .get("content")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|block| {
            if let Some(text) = block.get("text").and_then(Value::as_str) {
                return Some(json!({ "text": text }));
            }
            let tool_use = block.get("toolUse")?;
            Some(json!({
                "toolUse": {
                    "toolUseId": tool_use.get("toolUseId").and_then(Value::as_str).unwrap_or_default(),
                    "name": tool_use.get("name").and_then(Value::as_str).unwrap_or_default(),
                    "input": tool_use.get("input").cloned().unwrap_or(Value::Null),
                }
            }))
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
    fn stored_messages_are_checked_and_replies_keep_text_and_tool_use() {
        let message = json!({"role": "assistant", "content": [
            {"text": "checking"},
            {"toolUse": {"toolUseId": "t1", "name": "get", "input": {"id": 3}}}
        ]});
        check_message(&message).expect("valid message");
        let mut reply = message.clone();
        reply["content"]
            .as_array_mut()
            .unwrap()
            .push(json!({"reasoningContent": {"reasoningText": {"text": "hm"}}}));
        assert_eq!(assistant_message(&reply), message);
        assert!(check_message(&json!({"role": "system", "content": []})).is_err());
        assert!(check_message(&json!({"role": "user"})).is_err());
        assert!(check_message(&json!({"role": "user", "content": [{"image": {}}]})).is_err());
    }

    #[test]
    fn the_request_is_the_messages_then_the_fixed_parts() {
        let config = ConverseConfig {
            model_id: "m".into(),
            system: vec![
                json!({"text": "be brief"}),
                json!({"cachePoint": {"type": "default"}}),
            ],
            tool_config: Some(json!({"tools": [
                {"toolSpec": {"name": "t", "description": "d", "extra": 1,
                              "inputSchema": {"json": {"type": "object"}}}}
            ]})),
            inference_config: Some(json!({"maxTokens": 1e12, "temperature": 0.2, "topK": 5})),
            guardrail_config: None,
        };
        let parts = RequestParts::from_config(&config).unwrap();
        let message = json!({"role": "user", "content": [{"text": "hi"}]}).to_string();
        let body: Value = serde_json::from_str(&parts.body(&[&message, &message])).unwrap();
        assert_eq!(
            body,
            json!({
                "messages": [
                    {"role": "user", "content": [{"text": "hi"}]},
                    {"role": "user", "content": [{"text": "hi"}]}
                ],
                "system": [{"text": "be brief"}, {"cachePoint": {"type": "default"}}],
                "toolConfig": {"tools": [{"toolSpec": {
                    "name": "t", "description": "d", "inputSchema": {"json": {"type": "object"}}
                }}]},
                "inferenceConfig": {"temperature": 0.2}
            })
        );
        let empty: [&str; 0] = [];
        let body: Value = serde_json::from_str(&parts.body(&empty)).unwrap();
        assert_eq!(body["messages"], json!([]));
        let bad = ConverseConfig {
            system: vec![json!({"image": {}})],
            ..config
        };
        assert!(RequestParts::from_config(&bad).is_err());
    }
}
