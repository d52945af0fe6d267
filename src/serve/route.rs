//! Routing and the request's validation, without the network: which route a method and raw
//! path name, the InvokeAgent body as the service model `bedrock-agent-runtime` 2023-07-26
//! describes it (members agentc does not use are ignored, as the service ignores unknown
//! ones), and the service's restJson1 error shape (`x-amzn-ErrorType` header, JSON
//! `message`), so SDKs raise the exceptions callers already catch.

use super::ids::is_model_id;
use indexmap::IndexMap;
use serde::Deserialize;
use serde_json::Value;

/// Largest request body read (the service's own limit is `inputText` ≤ 25,000,000
/// characters; a body this size is refused before it is read, so one request cannot make
/// the server buffer it).
pub const MAX_BODY_BYTES: usize = 1024 * 1024;
/// `InputText`: max 25,000,000 (service model).
pub const MAX_INPUT_TEXT: usize = 25_000_000;
/// `ReturnControlInvocationResults`: 1 to 5 members (service model).
pub const MAX_INVOCATION_RESULTS: usize = 5;

/// The route template of InvokeAgent, as the service model writes it (and the logs name it).
pub const INVOKE_AGENT: &str =
    "/agents/{agentId}/agentAliases/{agentAliasId}/sessions/{sessionId}/text";

/// What a request asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Route {
    InvokeAgent {
        agent_id: String,
        alias_id: String,
        session_id: String,
    },
    Healthz,
    Metrics,
}

impl Route {
    /// The template for logs and metrics (never the ids themselves).
    pub fn template(&self) -> &'static str {
        match self {
            Route::InvokeAgent { .. } => INVOKE_AGENT,
            Route::Healthz => "/healthz",
            Route::Metrics => "/metrics",
        }
    }
}

/// The error kinds `serve` answers with: the service's exception shapes (names and statuses
/// from the service model).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    Validation,
    /// A body over [`MAX_BODY_BYTES`]: the `ValidationException` shape with status 413.
    TooLarge,
    ResourceNotFound,
    Conflict,
    Throttling,
    DependencyFailed,
    InternalServer,
    AccessDenied,
    /// No such route (not an InvokeAgent shape: what AWS front ends answer).
    UnknownOperation,
    MethodNotAllowed,
}

impl ErrorKind {
    pub fn status(self) -> u16 {
        match self {
            ErrorKind::Validation => 400,
            ErrorKind::TooLarge => 413,
            ErrorKind::ResourceNotFound | ErrorKind::UnknownOperation => 404,
            ErrorKind::Conflict => 409,
            ErrorKind::Throttling => 429,
            ErrorKind::DependencyFailed => 424,
            ErrorKind::InternalServer => 500,
            ErrorKind::AccessDenied => 403,
            ErrorKind::MethodNotAllowed => 405,
        }
    }

    /// The `x-amzn-ErrorType` value (the shape name).
    pub fn shape(self) -> &'static str {
        match self {
            ErrorKind::Validation | ErrorKind::TooLarge => "ValidationException",
            ErrorKind::ResourceNotFound => "ResourceNotFoundException",
            ErrorKind::Conflict => "ConflictException",
            ErrorKind::Throttling => "ThrottlingException",
            ErrorKind::DependencyFailed => "DependencyFailedException",
            ErrorKind::InternalServer => "InternalServerException",
            ErrorKind::AccessDenied => "AccessDeniedException",
            ErrorKind::UnknownOperation => "UnknownOperationException",
            ErrorKind::MethodNotAllowed => "MethodNotAllowedException",
        }
    }

    /// The `:exception-type` of the same error inside the event stream (the ResponseStream
    /// member name, lower camel case).
    pub fn event_member(self) -> &'static str {
        match self {
            ErrorKind::Validation | ErrorKind::TooLarge => "validationException",
            ErrorKind::ResourceNotFound => "resourceNotFoundException",
            ErrorKind::Conflict => "conflictException",
            ErrorKind::Throttling => "throttlingException",
            ErrorKind::DependencyFailed => "dependencyFailedException",
            ErrorKind::AccessDenied => "accessDeniedException",
            ErrorKind::InternalServer
            | ErrorKind::UnknownOperation
            | ErrorKind::MethodNotAllowed => "internalServerException",
        }
    }
}

/// An error answered in the service's shape.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct ApiError {
    pub kind: ErrorKind,
    pub message: String,
}

impl ApiError {
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        Self {
            kind,
            message: message.into(),
        }
    }

    pub fn validation(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::Validation, message)
    }

    /// The JSON body: `{"message": …}`.
    pub fn body(&self) -> String {
        serde_json::json!({ "message": self.message }).to_string()
    }
}

/// Percent-decode one path segment (SDKs encode `:` in session ids as `%3A`).
fn decode_segment(segment: &str) -> Result<String, ApiError> {
    let decoded = percent_encoding::percent_decode_str(segment)
        .decode_utf8()
        .map_err(|_| ApiError::validation("a path value is not UTF-8"))?;
    Ok(decoded.into_owned())
}

/// Which route `method` and the raw `path` (without the query) name, with the path values
/// checked against the service model's patterns.
pub fn route(method: &str, path: &str) -> Result<Route, ApiError> {
    let segments: Vec<&str> = path.trim_start_matches('/').split('/').collect();
    let wants = |expected: &str| {
        if method == expected {
            Ok(())
        } else {
            Err(ApiError::new(
                ErrorKind::MethodNotAllowed,
                format!("{path} takes {expected}, not {method}"),
            ))
        }
    };
    match segments.as_slice() {
        ["healthz"] => wants("GET").map(|()| Route::Healthz),
        ["metrics"] => wants("GET").map(|()| Route::Metrics),
        [
            "agents",
            agent,
            "agentAliases",
            alias,
            "sessions",
            session,
            "text",
        ] => {
            wants("POST")?;
            let agent_id = decode_segment(agent)?;
            let alias_id = decode_segment(alias)?;
            let session_id = decode_segment(session)?;
            if !is_model_id(&agent_id) {
                return Err(ApiError::validation(format!(
                    "1 validation error detected: Value '{agent_id}' at 'agentId' failed to satisfy constraint: Member must satisfy regular expression pattern: [0-9a-zA-Z]+ and have at most 10 characters"
                )));
            }
            if !is_model_id(&alias_id) {
                return Err(ApiError::validation(format!(
                    "1 validation error detected: Value '{alias_id}' at 'agentAliasId' failed to satisfy constraint: Member must satisfy regular expression pattern: [0-9a-zA-Z]+ and have at most 10 characters"
                )));
            }
            if crate::direct::session::validate_id(&session_id).is_err() {
                return Err(ApiError::validation(format!(
                    "1 validation error detected: Value '{session_id}' at 'sessionId' failed to satisfy constraint: Member must satisfy regular expression pattern: [0-9a-zA-Z._:-]+ and have 2 to 100 characters"
                )));
            }
            Ok(Route::InvokeAgent {
                agent_id,
                alias_id,
                session_id,
            })
        }
        _ => Err(ApiError::new(
            ErrorKind::UnknownOperation,
            format!("no operation at {method} {path}"),
        )),
    }
}

/// The `x-amz-source-arn` header (`sourceArn`), when sent: an agent ARN, as the model's
/// pattern says (agentc does not act on it, but refuses what the service refuses).
pub fn check_source_arn(value: &str) -> Result<(), ApiError> {
    static PATTERN: std::sync::OnceLock<Option<regex::Regex>> = std::sync::OnceLock::new();
    let pattern = PATTERN.get_or_init(|| {
        regex::Regex::new(
            r"^arn:aws(-[^:]+)?:bedrock:[a-z0-9-]{1,20}:[0-9]{12}:agent/[0-9a-zA-Z]{10}$",
        )
        .ok()
    });
    let valid = value.len() <= 2048 && pattern.as_ref().is_some_and(|p| p.is_match(value));
    if valid {
        Ok(())
    } else {
        Err(ApiError::validation(
            "1 validation error detected: Value at 'sourceArn' failed to satisfy constraint: Member must satisfy regular expression pattern: arn:aws(-[^:]+)?:bedrock:[a-z0-9-]{1,20}:[0-9]{12}:agent/[0-9a-zA-Z]{10}",
        ))
    }
}

/// The InvokeAgent body members agentc acts on.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct InvokeBody {
    #[serde(default)]
    pub input_text: Option<String>,
    #[serde(default)]
    pub enable_trace: Option<bool>,
    #[serde(default)]
    pub end_session: Option<bool>,
    #[serde(default)]
    pub memory_id: Option<String>,
    #[serde(default)]
    pub session_state: Option<SessionStateIn>,
}

/// `SessionState` (the members agentc uses; `files`, `knowledgeBaseConfigurations` and
/// `conversationHistory` are refused rather than silently dropped, see [`parse_body`]).
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SessionStateIn {
    #[serde(default)]
    pub session_attributes: Option<IndexMap<String, String>>,
    #[serde(default)]
    pub prompt_session_attributes: Option<IndexMap<String, String>>,
    #[serde(default)]
    pub invocation_id: Option<String>,
    #[serde(default)]
    pub return_control_invocation_results: Option<Vec<InvocationResult>>,
    #[serde(default)]
    pub files: Option<Value>,
    #[serde(default)]
    pub knowledge_base_configurations: Option<Value>,
    #[serde(default)]
    pub conversation_history: Option<Value>,
}

/// `InvocationResultMember`: a union, exactly one member set.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct InvocationResult {
    #[serde(default)]
    pub function_result: Option<ResultBody>,
    #[serde(default)]
    pub api_result: Option<ResultBody>,
}

/// `FunctionResult` and `ApiResult` (the members of both).
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ResultBody {
    pub action_group: String,
    #[serde(default)]
    pub function: Option<String>,
    #[serde(default)]
    pub api_path: Option<String>,
    #[serde(default)]
    pub http_method: Option<String>,
    #[serde(default)]
    pub http_status_code: Option<i64>,
    /// `ResponseBody`: content type → `ContentBody {body}`.
    #[serde(default)]
    pub response_body: Option<IndexMap<String, ContentBody>>,
    #[serde(default)]
    pub response_state: Option<String>,
    #[serde(default)]
    pub confirmation_state: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct ContentBody {
    #[serde(default)]
    pub body: Option<String>,
}

impl ResultBody {
    /// The result text: the first content body (`TEXT` for functions, `application/json`
    /// for APIs, as AWS's examples key them).
    pub fn text(&self) -> String {
        self.response_body
            .as_ref()
            .and_then(|map| map.values().find_map(|c| c.body.clone()))
            .unwrap_or_default()
    }
}

impl InvocationResult {
    pub fn inner(&self) -> Option<&ResultBody> {
        self.function_result.as_ref().or(self.api_result.as_ref())
    }
}

fn check_pattern_id(value: &str, member: &str) -> Result<(), ApiError> {
    if crate::direct::session::validate_id(value).is_err() {
        return Err(ApiError::validation(format!(
            "1 validation error detected: Value at '{member}' failed to satisfy constraint: Member must satisfy regular expression pattern: [0-9a-zA-Z._:-]+ and have 2 to 100 characters"
        )));
    }
    Ok(())
}

/// Parse and check an InvokeAgent body. An empty body is a request with no members set.
pub fn parse_body(bytes: &[u8]) -> Result<InvokeBody, ApiError> {
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Ok(InvokeBody::default());
    }
    let body: InvokeBody = serde_json::from_slice(bytes).map_err(|e| {
        ApiError::validation(format!(
            "the request body is not the JSON InvokeAgent takes: {e}"
        ))
    })?;
    if let Some(text) = &body.input_text
        && text.chars().count() > MAX_INPUT_TEXT
    {
        return Err(ApiError::validation(format!(
            "1 validation error detected: Value at 'inputText' failed to satisfy constraint: Member must have length less than or equal to {MAX_INPUT_TEXT}"
        )));
    }
    if let Some(memory) = &body.memory_id {
        check_pattern_id(memory, "memoryId")?;
    }
    if let Some(state) = &body.session_state {
        if let Some(results) = &state.return_control_invocation_results {
            if results.is_empty() || results.len() > MAX_INVOCATION_RESULTS {
                return Err(ApiError::validation(format!(
                    "1 validation error detected: Value at 'sessionState.returnControlInvocationResults' failed to satisfy constraint: Member must have length between 1 and {MAX_INVOCATION_RESULTS}"
                )));
            }
            if results
                .iter()
                .any(|r| r.function_result.is_some() == r.api_result.is_some())
            {
                return Err(ApiError::validation(
                    "each member of sessionState.returnControlInvocationResults sets exactly one of functionResult and apiResult",
                ));
            }
            if state.invocation_id.is_none() {
                return Err(ApiError::validation(
                    "sessionState.returnControlInvocationResults needs sessionState.invocationId: the id of the returnControl event they answer",
                ));
            }
        }
        let unsupported = [
            ("files", state.files.is_some()),
            (
                "knowledgeBaseConfigurations",
                state.knowledge_base_configurations.is_some(),
            ),
            ("conversationHistory", state.conversation_history.is_some()),
        ];
        if let Some((member, _)) = unsupported.iter().find(|(_, set)| *set) {
            return Err(ApiError::validation(format!(
                "sessionState.{member} is not supported by agentc serve yet; the session's history lives in agentc's session store"
            )));
        }
    }
    Ok(body)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn invoke_agent_paths_are_routed_and_decoded() {
        let route = route(
            "POST",
            "/agents/AB12CD34EF/agentAliases/TSTALIASID/sessions/user%3A42.a_b-c/text",
        )
        .unwrap();
        assert_eq!(
            route,
            Route::InvokeAgent {
                agent_id: "AB12CD34EF".into(),
                alias_id: "TSTALIASID".into(),
                session_id: "user:42.a_b-c".into(),
            }
        );
        assert_eq!(route.template(), INVOKE_AGENT);
        assert_eq!(super::route("GET", "/healthz").unwrap(), Route::Healthz);
        assert_eq!(super::route("GET", "/metrics").unwrap(), Route::Metrics);
    }

    #[test]
    fn bad_path_values_and_methods_are_refused_in_the_service_shape() {
        let kind = |m: &str, p: &str| super::route(m, p).unwrap_err().kind;
        assert_eq!(
            kind("POST", "/agents/AB-CD/agentAliases/A/sessions/s1/text"),
            ErrorKind::Validation
        );
        assert_eq!(
            kind(
                "POST",
                "/agents/ABCDEFGHIJK/agentAliases/A/sessions/s1/text"
            ),
            ErrorKind::Validation
        );
        assert_eq!(
            kind("POST", "/agents/AB/agentAliases/A%2FB/sessions/s1/text"),
            ErrorKind::Validation
        );
        assert_eq!(
            kind("POST", "/agents/AB/agentAliases/A/sessions/s/text"),
            ErrorKind::Validation
        );
        assert_eq!(
            kind("POST", "/agents/AB/agentAliases/A/sessions/s%20b/text"),
            ErrorKind::Validation
        );
        assert_eq!(
            kind("GET", "/agents/AB/agentAliases/A/sessions/s1/text"),
            ErrorKind::MethodNotAllowed
        );
        assert_eq!(kind("GET", "/agents"), ErrorKind::UnknownOperation);
        let error =
            super::route("POST", "/agents/AB-CD/agentAliases/A/sessions/s1/text").unwrap_err();
        assert_eq!(error.kind.shape(), "ValidationException");
        assert_eq!(error.kind.status(), 400);
        assert!(error.body().starts_with("{\"message\":"));
    }

    #[test]
    fn a_source_arn_must_name_an_agent() {
        assert!(
            check_source_arn("arn:aws:bedrock:us-east-1:123456789012:agent/AB12CD34EF").is_ok()
        );
        assert!(
            check_source_arn("arn:aws-cn:bedrock:cn-north-1:123456789012:agent/AB12CD34EF").is_ok()
        );
        assert!(check_source_arn("arn:aws:bedrock:us-east-1:123456789012:agent/short").is_err());
        assert!(check_source_arn("arn:aws:s3:::bucket").is_err());
        assert!(check_source_arn("").is_err());
    }

    #[test]
    fn bodies_are_read_as_the_model_describes_them() {
        assert_eq!(parse_body(b"").unwrap(), InvokeBody::default());
        let body = parse_body(
            br#"{"inputText":"hi","enableTrace":true,"memoryId":"m-1","unknownMember":{"x":1},
                 "sessionState":{"sessionAttributes":{"a":"1"},"promptSessionAttributes":{"p":"2"}},
                 "streamingConfigurations":{"streamFinalResponse":true}}"#,
        )
        .unwrap();
        assert_eq!(body.input_text.as_deref(), Some("hi"));
        assert_eq!(body.enable_trace, Some(true));
        let state = body.session_state.unwrap();
        assert_eq!(state.session_attributes.unwrap()["a"], "1");
        assert_eq!(state.prompt_session_attributes.unwrap()["p"], "2");

        let results = parse_body(
            br#"{"sessionState":{"invocationId":"inv-1","returnControlInvocationResults":[
                {"functionResult":{"actionGroup":"g","function":"f","responseBody":{"TEXT":{"body":"42"}}}}]}}"#,
        )
        .unwrap();
        let state = results.session_state.unwrap();
        let result = &state.return_control_invocation_results.unwrap()[0];
        assert_eq!(result.inner().unwrap().text(), "42");
    }

    #[test]
    fn invalid_bodies_are_validation_errors() {
        let kind = |b: &[u8]| parse_body(b).unwrap_err().kind;
        assert_eq!(kind(b"{not json"), ErrorKind::Validation);
        assert_eq!(kind(br#"{"inputText": 5}"#), ErrorKind::Validation);
        assert_eq!(kind(br#"{"memoryId": "x"}"#), ErrorKind::Validation);
        assert_eq!(
            kind(br#"{"sessionState":{"invocationId":"i","returnControlInvocationResults":[]}}"#),
            ErrorKind::Validation
        );
        assert_eq!(
            kind(
                br#"{"sessionState":{"returnControlInvocationResults":[{"functionResult":{"actionGroup":"g"}}]}}"#
            ),
            ErrorKind::Validation,
            "results without the invocation id they answer"
        );
        assert_eq!(
            kind(
                br#"{"sessionState":{"invocationId":"i","returnControlInvocationResults":[{"functionResult":{"actionGroup":"g"},"apiResult":{"actionGroup":"g"}}]}}"#
            ),
            ErrorKind::Validation
        );
        assert_eq!(
            kind(br#"{"sessionState":{"files":[]}}"#),
            ErrorKind::Validation
        );
        let long = format!(r#"{{"inputText":"{}"}}"#, "x".repeat(MAX_INPUT_TEXT + 1));
        assert_eq!(kind(long.as_bytes()), ErrorKind::Validation);
    }
}
