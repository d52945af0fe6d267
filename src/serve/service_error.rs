//! The service's error shapes, as `serve` answers them before a stream starts (restJson1: the
//! `x-amzn-ErrorType` header names the shape, the body is `{"message": …}`), so the SDKs
//! raise the exceptions callers of bedrock-agent-runtime already catch.

use super::auth::AuthError;
use crate::direct::session::SessionError;

/// One error answer: its shape name, HTTP status and message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServiceError {
    /// The `x-amzn-ErrorType` header (the SDKs' error code), e.g. `ConflictException`.
    pub error_type: &'static str,
    pub status: u16,
    pub message: String,
}

impl ServiceError {
    /// The JSON body: `{"message": …}`.
    pub fn body(&self) -> String {
        serde_json::json!({ "message": self.message }).to_string()
    }

    /// What a session store failure answers, when it is one the caller can act on: a session
    /// another request holds is the service's `ConflictException` (409). `None`: an internal
    /// failure, for the server's own `InternalServerException`.
    pub fn from_session(error: &SessionError) -> Option<ServiceError> {
        match error {
            SessionError::Busy { id, .. } => Some(ServiceError {
                error_type: "ConflictException",
                status: 409,
                message: format!(
                    "Session {id} is handling another request. Retry when that request has finished."
                ),
            }),
            SessionError::InvalidId(id) => Some(ServiceError {
                error_type: "ValidationException",
                status: 400,
                message: format!(
                    "1 validation error detected: Value '{id}' at 'sessionId' failed to satisfy constraint: Member must satisfy regular expression pattern: [0-9a-zA-Z._:-]+"
                ),
            }),
            _ => None,
        }
    }
}

impl From<&AuthError> for ServiceError {
    fn from(error: &AuthError) -> Self {
        ServiceError {
            error_type: error.error_type(),
            status: error.status(),
            message: error.to_string(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_busy_session_is_the_services_conflict_exception() {
        let busy = SessionError::Busy {
            id: "s1".into(),
            holder: "replica-a/req-1".into(),
            until_ms: 0,
        };
        let answer = ServiceError::from_session(&busy).unwrap();
        assert_eq!(answer.error_type, "ConflictException");
        assert_eq!(answer.status, 409);
        // The holder (another replica's request id) is not the caller's business.
        assert!(!answer.body().contains("replica-a"));
        let body: serde_json::Value = serde_json::from_str(&answer.body()).unwrap();
        assert!(body["message"].as_str().unwrap().contains("s1"));
        let store = SessionError::Store {
            location: "x".into(),
            message: "disk full".into(),
        };
        assert_eq!(ServiceError::from_session(&store), None);
    }

    #[test]
    fn auth_errors_keep_their_shape() {
        let answer = ServiceError::from(&AuthError::UnknownKey);
        assert_eq!(answer.error_type, "UnrecognizedClientException");
        assert_eq!(answer.status, 403);
        assert_eq!(
            answer.body(),
            r#"{"message":"The security token included in the request is invalid."}"#
        );
    }
}
