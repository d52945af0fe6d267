//! The Bedrock Agents action-group Lambda contract, reproduced so that a team's existing
//! action-group Lambdas work unchanged on the direct target: a Converse `toolUse` becomes the
//! event Bedrock Agents would send (function-details or OpenAPI variant, every parameter
//! value a string), and the Lambda's answer is read the way Bedrock Agents reads it and
//! mapped onto a Converse `toolResult`. (Reference: the action-group Lambda notes, §2–§6.)

use indexmap::IndexMap;
use serde_json::{Map, Value, json};
use std::collections::HashSet;

/// Fields of the event that describe the agent and session rather than the call.
#[derive(Debug, Clone)]
pub struct EventContext {
    pub agent_name: String,
    pub agent_id: String,
    pub agent_alias: String,
    pub agent_version: String,
    pub session_id: String,
    /// Text of the latest user message.
    pub input_text: String,
    pub session_attributes: IndexMap<String, String>,
    pub prompt_session_attributes: IndexMap<String, String>,
}

/// What the Lambda is asked to run.
#[derive(Debug, Clone, PartialEq)]
pub enum Operation {
    /// A function of a function-details action group; parameters in declaration order with
    /// their declared types.
    Function {
        function: String,
        parameters: Vec<(String, String)>,
    },
    /// An OpenAPI operation: `path` is the template exactly as in the document.
    Api {
        path: String,
        method: String,
        /// Declared properties in order with their types.
        parameters: Vec<(String, String)>,
        /// Names that are path, query or header parameters; the rest is the request body.
        location_parameters: HashSet<String>,
    },
}

/// A parameter value as Bedrock Agents sends it: always a string.
pub fn stringify(value: &Value) -> Option<String> {
    match value {
        Value::Null => None,
        Value::String(s) => Some(s.clone()),
        Value::Bool(b) => Some(b.to_string()),
        Value::Number(n) => Some(n.to_string()),
        other => Some(other.to_string()),
    }
}

/// Declared properties of an input schema with their types, in order.
pub fn declared_parameters(input_schema: &Value) -> Vec<(String, String)> {
    input_schema
        .get("properties")
        .and_then(Value::as_object)
        .map(|properties| {
            properties
                .iter()
                .map(|(name, schema)| {
                    let kind = schema
                        .get("type")
                        .and_then(Value::as_str)
                        .unwrap_or("string");
                    (name.clone(), kind.to_string())
                })
                .collect()
        })
        .unwrap_or_default()
}

fn entries(
    parameters: &[(String, String)],
    input: &Value,
    keep: impl Fn(&str) -> bool,
) -> Vec<Value> {
    parameters
        .iter()
        .filter(|(name, _)| keep(name))
        .filter_map(|(name, kind)| {
            let value = stringify(input.get(name)?)?;
            Some(json!({ "name": name, "type": kind, "value": value }))
        })
        .collect()
}

/// The event Bedrock Agents sends an action-group Lambda for this call.
pub fn build_event(
    context: &EventContext,
    action_group: &str,
    operation: &Operation,
    input: &Value,
) -> Value {
    let mut event = Map::new();
    event.insert("messageVersion".into(), json!("1.0"));
    event.insert(
        "agent".into(),
        json!({
            "name": context.agent_name,
            "id": context.agent_id,
            "alias": context.agent_alias,
            "version": context.agent_version,
        }),
    );
    event.insert("inputText".into(), json!(context.input_text));
    event.insert("sessionId".into(), json!(context.session_id));
    event.insert("actionGroup".into(), json!(action_group));
    match operation {
        Operation::Function {
            function,
            parameters,
        } => {
            event.insert("function".into(), json!(function));
            event.insert(
                "parameters".into(),
                Value::Array(entries(parameters, input, |_| true)),
            );
        }
        Operation::Api {
            path,
            method,
            parameters,
            location_parameters,
        } => {
            event.insert("apiPath".into(), json!(path));
            event.insert("httpMethod".into(), json!(method));
            let bodyless = matches!(method.as_str(), "GET" | "DELETE" | "HEAD");
            let in_parameters = |name: &str| bodyless || location_parameters.contains(name);
            event.insert(
                "parameters".into(),
                Value::Array(entries(parameters, input, in_parameters)),
            );
            let body = entries(parameters, input, |name| !in_parameters(name));
            if !body.is_empty() {
                event.insert(
                    "requestBody".into(),
                    json!({ "content": { "application/json": { "properties": body } } }),
                );
            }
        }
    }
    event.insert(
        "sessionAttributes".into(),
        json!(context.session_attributes),
    );
    event.insert(
        "promptSessionAttributes".into(),
        json!(context.prompt_session_attributes),
    );
    Value::Object(event)
}

/// The Lambda's answer, ready for the model.
#[derive(Debug, Clone, PartialEq)]
pub struct Answer {
    /// One `toolResult` content block: `{"json": …}` or `{"text": …}`.
    pub content: Value,
    pub is_error: bool,
    /// Returned session attributes, which replace the session's.
    pub session_attributes: Option<IndexMap<String, String>>,
    pub prompt_session_attributes: Option<IndexMap<String, String>>,
}

/// A body string for the model: a JSON object stays structured, anything else is text.
pub fn body_content(body: &str) -> Value {
    match serde_json::from_str::<Value>(body) {
        Ok(Value::Object(object)) => json!({ "json": object }),
        _ => json!({ "text": if body.is_empty() { "(empty response)" } else { body } }),
    }
}

fn failure(label: &str, detail: impl std::fmt::Display) -> Answer {
    Answer {
        content: json!({ "text": format!("{label} failed: {detail}") }),
        is_error: true,
        session_attributes: None,
        prompt_session_attributes: None,
    }
}

fn string_map(value: Option<&Value>) -> Option<IndexMap<String, String>> {
    let object = value?.as_object()?;
    Some(
        object
            .iter()
            .map(|(k, v)| {
                (
                    k.clone(),
                    v.as_str().map_or_else(|| v.to_string(), str::to_string),
                )
            })
            .collect(),
    )
}

/// The single `{"<content type>": {"body": …}}` entry of a response body map.
fn body_of(map: Option<&Value>) -> Option<String> {
    let (_, entry) = map?.as_object()?.iter().next()?;
    match entry.get("body")? {
        Value::String(s) => Some(s.clone()),
        other => Some(other.to_string()),
    }
}

/// Read a Lambda invocation's result the way Bedrock Agents does. `function_error` is the
/// `X-Amz-Function-Error` header (the function threw); `label` names the call in messages.
pub fn read_response(function_error: Option<&str>, payload: &[u8], label: &str) -> Answer {
    let parsed: Result<Value, _> = serde_json::from_slice(payload);
    if let Some(kind) = function_error {
        let detail = match &parsed {
            Ok(error) => format!(
                "{}: {}",
                error
                    .get("errorType")
                    .and_then(Value::as_str)
                    .unwrap_or(kind),
                error
                    .get("errorMessage")
                    .and_then(Value::as_str)
                    .unwrap_or("no message")
            ),
            Err(_) => kind.to_string(),
        };
        return failure(label, detail);
    }
    let Ok(response) = parsed else {
        return failure(label, "the Lambda response is not JSON");
    };
    if let Some(version) = response.get("messageVersion")
        && version != "1.0"
    {
        return failure(
            label,
            format!(
                "the Lambda response has messageVersion {version}; Bedrock Agents accepts only \"1.0\""
            ),
        );
    }
    let Some(inner) = response.get("response") else {
        return failure(
            label,
            "the Lambda response has no `response` object (expected the Bedrock Agents action-group response format)",
        );
    };
    let session_attributes = string_map(response.get("sessionAttributes"));
    let prompt_session_attributes = string_map(response.get("promptSessionAttributes"));
    let answer = |body: String, is_error: bool| Answer {
        content: body_content(&body),
        is_error,
        session_attributes: session_attributes.clone(),
        prompt_session_attributes: prompt_session_attributes.clone(),
    };
    if let Some(function_response) = inner.get("functionResponse") {
        let Some(body) = body_of(function_response.get("responseBody")) else {
            return failure(
                label,
                "the Lambda response has no `functionResponse.responseBody.TEXT.body`",
            );
        };
        let state = function_response
            .get("responseState")
            .and_then(Value::as_str);
        return answer(body, matches!(state, Some("FAILURE" | "REPROMPT")));
    }
    if inner.get("responseBody").is_some() || inner.get("httpStatusCode").is_some() {
        let status = inner
            .get("httpStatusCode")
            .and_then(Value::as_u64)
            .unwrap_or(200);
        let body = body_of(inner.get("responseBody")).unwrap_or_default();
        return answer(body, status >= 400);
    }
    failure(
        label,
        "the Lambda response has neither `functionResponse` nor `responseBody`",
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn context() -> EventContext {
        EventContext {
            agent_name: "hr".into(),
            agent_id: "AGENTC0000".into(),
            agent_alias: "direct".into(),
            agent_version: "DRAFT".into(),
            session_id: "sess-1".into(),
            input_text: "How many days?".into(),
            session_attributes: IndexMap::from([("tenant".to_string(), "x".to_string())]),
            prompt_session_attributes: IndexMap::new(),
        }
    }

    #[test]
    fn function_events_carry_string_values_in_declaration_order() {
        let operation = Operation::Function {
            function: "get_leave_balance".into(),
            parameters: vec![
                ("employee_id".into(), "string".into()),
                ("include_pending".into(), "boolean".into()),
                ("days".into(), "integer".into()),
                ("tags".into(), "array".into()),
                ("missing".into(), "string".into()),
            ],
        };
        let input =
            json!({"tags": ["a", "b"], "days": 3, "include_pending": true, "employee_id": "E1"});
        let event = build_event(&context(), "leave", &operation, &input);
        assert_eq!(
            event,
            json!({
                "messageVersion": "1.0",
                "agent": {"name": "hr", "id": "AGENTC0000", "alias": "direct", "version": "DRAFT"},
                "inputText": "How many days?",
                "sessionId": "sess-1",
                "actionGroup": "leave",
                "function": "get_leave_balance",
                "parameters": [
                    {"name": "employee_id", "type": "string", "value": "E1"},
                    {"name": "include_pending", "type": "boolean", "value": "true"},
                    {"name": "days", "type": "integer", "value": "3"},
                    {"name": "tags", "type": "array", "value": "[\"a\",\"b\"]"}
                ],
                "sessionAttributes": {"tenant": "x"},
                "promptSessionAttributes": {}
            })
        );
    }

    #[test]
    fn api_events_split_parameters_from_the_body_and_keep_the_path_template() {
        let operation = Operation::Api {
            path: "/claims/{claimId}/reminders".into(),
            method: "POST".into(),
            parameters: vec![
                ("claimId".into(), "string".into()),
                ("urgent".into(), "boolean".into()),
            ],
            location_parameters: HashSet::from(["claimId".to_string()]),
        };
        let event = build_event(
            &context(),
            "claims",
            &operation,
            &json!({"claimId": "20", "urgent": false}),
        );
        assert_eq!(event["apiPath"], "/claims/{claimId}/reminders");
        assert_eq!(
            event["parameters"],
            json!([{"name": "claimId", "type": "string", "value": "20"}])
        );
        assert_eq!(
            event["requestBody"],
            json!({"content": {"application/json": {"properties": [{"name": "urgent", "type": "boolean", "value": "false"}]}}})
        );
        assert!(event.get("function").is_none());
    }

    #[test]
    fn responses_map_onto_tool_results() {
        let ok = br#"{"messageVersion":"1.0","response":{"actionGroup":"leave","function":"f",
            "functionResponse":{"responseBody":{"TEXT":{"body":"{\"remaining\": 12}"}}}},
            "sessionAttributes":{"tenant":"y"}}"#;
        let answer = read_response(None, ok, "leave/f");
        assert!(!answer.is_error);
        assert_eq!(answer.content, json!({"json": {"remaining": 12}}));
        assert_eq!(
            answer.session_attributes.expect("attributes")["tenant"],
            "y"
        );

        let reprompt = br#"{"messageVersion":"1.0","response":{"functionResponse":{"responseState":"REPROMPT","responseBody":{"TEXT":{"body":"bad id"}}}}}"#;
        let answer = read_response(None, reprompt, "leave/f");
        assert!(answer.is_error);
        assert_eq!(answer.content, json!({"text": "bad id"}));

        let api = br#"{"messageVersion":"1.0","response":{"apiPath":"/x","httpMethod":"GET","httpStatusCode":404,"responseBody":{"application/json":{"body":"not found"}}}}"#;
        assert!(read_response(None, api, "g/op").is_error);

        let thrown = br#"{"errorType":"KeyError","errorMessage":"'id'"}"#;
        let answer = read_response(Some("Unhandled"), thrown, "leave/f");
        assert_eq!(
            answer.content,
            json!({"text": "leave/f failed: KeyError: 'id'"})
        );

        assert!(read_response(None, b"not json", "leave/f").is_error);
        assert!(
            read_response(
                None,
                br#"{"messageVersion":"2.0","response":{}}"#,
                "leave/f"
            )
            .is_error
        );
        assert!(read_response(None, br#"{"statusCode":200}"#, "leave/f").is_error);
    }
}
