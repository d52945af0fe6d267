//! The envelope of one event-stream frame, as both InvokeAgent and InvokeHarness use it: a
//! `:message-type` of `event` (with `:event-type`), `exception` (with `:exception-type` and a
//! JSON `message`) or `error` (with `:error-code` and `:error-message`). Without the network
//! and without the codec's types, so a lean build decodes recorded streams too.

use serde_json::Value;

/// The routing headers of one event-stream frame.
#[derive(Debug, Clone, Copy, Default)]
pub struct FrameHeaders<'a> {
    /// `:message-type`: `event`, `exception` or `error`.
    pub message_type: Option<&'a str>,
    /// `:event-type` of an event.
    pub event_type: Option<&'a str>,
    /// `:exception-type` of an exception.
    pub exception_type: Option<&'a str>,
    /// `:error-code` and `:error-message` of an error.
    pub error_code: Option<&'a str>,
    pub error_message: Option<&'a str>,
}

/// Why an event could not be read.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum EventError {
    #[error("an event has no `{0}` header")]
    MissingHeader(&'static str),
    #[error("a `{kind}` event is not the JSON the service model describes: {reason}")]
    Payload { kind: String, reason: String },
    #[error("an event has the unknown message type `{0}`")]
    MessageType(String),
    /// InvokeHarness streams a tool call's input in pieces; the whole must be JSON.
    #[error("the input of tool call `{tool_use_id}` ({name}) is not JSON: {reason}")]
    ToolInput {
        tool_use_id: String,
        name: String,
        reason: String,
    },
}

/// A `kind` event whose payload is not what the model describes.
pub fn payload_error(kind: &str, reason: impl std::fmt::Display) -> EventError {
    EventError::Payload {
        kind: kind.to_string(),
        reason: reason.to_string(),
    }
}

/// What a frame is, before its target reads the payload.
#[derive(Debug, Clone, PartialEq)]
pub enum Frame<'a> {
    /// An event of type `kind`, for the target to decode.
    Event { kind: &'a str, payload: &'a [u8] },
    /// An error after the stream started (`:message-type` `exception` or `error`).
    Exception { kind: String, message: String },
}

/// Route one frame by its `:message-type`.
pub fn classify<'a>(headers: FrameHeaders<'a>, payload: &'a [u8]) -> Result<Frame<'a>, EventError> {
    match headers
        .message_type
        .ok_or(EventError::MissingHeader(":message-type"))?
    {
        "event" => Ok(Frame::Event {
            kind: headers
                .event_type
                .ok_or(EventError::MissingHeader(":event-type"))?,
            payload,
        }),
        "exception" => {
            let kind = headers
                .exception_type
                .ok_or(EventError::MissingHeader(":exception-type"))?;
            // An exception without a readable message is still the exception it names.
            let message = serde_json::from_slice::<Value>(payload)
                .ok()
                .and_then(|v| {
                    ["message", "Message"]
                        .iter()
                        .find_map(|k| v.get(*k).and_then(Value::as_str).map(str::to_string))
                })
                .unwrap_or_default();
            Ok(Frame::Exception {
                kind: kind.to_string(),
                message,
            })
        }
        "error" => Ok(Frame::Exception {
            kind: headers.error_code.unwrap_or("unknownError").to_string(),
            message: headers.error_message.unwrap_or_default().to_string(),
        }),
        other => Err(EventError::MessageType(other.to_string())),
    }
}

/// `throttlingException` → `ThrottlingException`: an in-stream exception's name as the
/// error code the targets' help tables use.
pub fn service_code(kind: &str) -> String {
    let mut chars = kind.chars();
    chars
        .next()
        .map(|c| c.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}

/// Count one more event of an unknown `kind` (they are ignored, and reported by count).
pub fn count_unknown(counts: &mut Vec<(String, u32)>, kind: String) {
    match counts.iter_mut().find(|(k, _)| *k == kind) {
        Some((_, n)) => *n += 1,
        None => counts.push((kind, 1)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exception_names_become_error_codes_and_unknown_kinds_are_counted() {
        assert_eq!(service_code("throttlingException"), "ThrottlingException");
        assert_eq!(service_code(""), "");
        let mut counts = Vec::new();
        for kind in ["a", "b", "a"] {
            count_unknown(&mut counts, kind.to_string());
        }
        assert_eq!(counts, [("a".to_string(), 2), ("b".to_string(), 1)]);
    }

    #[test]
    fn exceptions_read_either_spelling_of_message() {
        let headers = FrameHeaders {
            message_type: Some("exception"),
            exception_type: Some("throttlingException"),
            ..FrameHeaders::default()
        };
        for payload in [&br#"{"message":"slow"}"#[..], br#"{"Message":"slow"}"#] {
            assert_eq!(
                classify(headers, payload).unwrap(),
                Frame::Exception {
                    kind: "throttlingException".into(),
                    message: "slow".into()
                }
            );
        }
    }

    #[test]
    fn a_frame_without_routing_headers_is_refused() {
        assert_eq!(
            classify(FrameHeaders::default(), b"{}"),
            Err(EventError::MissingHeader(":message-type"))
        );
        let event = FrameHeaders {
            message_type: Some("event"),
            ..FrameHeaders::default()
        };
        assert_eq!(
            classify(event, b"{}"),
            Err(EventError::MissingHeader(":event-type"))
        );
    }
}
