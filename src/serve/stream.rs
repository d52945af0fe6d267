//! The response's event stream: `application/vnd.amazon.eventstream` frames (prelude,
//! headers, CRCs) encoded by `aws-smithy-eventstream`, the codec the AWS SDKs themselves use.
//! Every event's payload is the JSON of its structure's members (no member of
//! `ResponseStream` is an `eventpayload`), blobs base64. Errors after the stream started are
//! `exception` frames named by the ResponseStream member (`throttlingException`, …), never
//! `error` frames, which the Rust SDK refuses.

use super::route::ErrorKind;
use aws_smithy_types::event_stream::{Header, HeaderValue, Message};
use bytes::Bytes;
use serde_json::{Value, json};

/// The response's `Content-Type`.
pub const CONTENT_TYPE: &str = "application/vnd.amazon.eventstream";

fn string_header(name: &'static str, value: &str) -> Header {
    Header::new(name, HeaderValue::String(value.to_string().into()))
}

fn frame(message: &Message) -> Bytes {
    let mut out = Vec::with_capacity(message.payload().len() + 128);
    // Headers are fixed short strings and payloads far below the 16 MiB frame limit (a
    // chunk is capped by the model's output), so encoding does not fail; if it ever did,
    // an empty frame would end the stream visibly rather than send a corrupt one.
    if aws_smithy_eventstream::frame::write_message_to(message, &mut out).is_err() {
        out.clear();
    }
    Bytes::from(out)
}

/// An event frame: `:event-type` is the ResponseStream member (`chunk`, `trace`,
/// `returnControl`).
pub fn event(kind: &str, payload: &Value) -> Bytes {
    frame(
        &Message::new(payload.to_string().into_bytes())
            .add_header(string_header(":message-type", "event"))
            .add_header(string_header(":event-type", kind))
            .add_header(string_header(":content-type", "application/json")),
    )
}

/// A `chunk` of answer text (`PayloadPart.bytes`, base64).
pub fn chunk(text: &str) -> Bytes {
    event(
        "chunk",
        &json!({ "bytes": aws_smithy_types::base64::encode(text.as_bytes()) }),
    )
}

/// An error after the stream started.
pub fn exception(kind: ErrorKind, message: &str) -> Bytes {
    frame(
        &Message::new(json!({ "message": message }).to_string().into_bytes())
            .add_header(string_header(":message-type", "exception"))
            .add_header(string_header(":exception-type", kind.event_member()))
            .add_header(string_header(":content-type", "application/json")),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hex(bytes: &[u8]) -> String {
        bytes.iter().map(|b| format!("{b:02x}")).collect()
    }

    /// The cross-implementation vector (reference invoke-agent.md §4.6): botocore and
    /// `@smithy/eventstream-codec` decode exactly these 179 bytes.
    #[test]
    fn a_chunk_frame_matches_the_shared_test_vector() {
        let frame = event(
            "chunk",
            &json!({"bytes": "eyJ0eXBlIjoiY29udGVudF9ibG9ja19kZWx0YSIsImRlbHRhIjp7InRleHQiOiJIZWxsbyJ9fQ=="}),
        );
        assert_eq!(frame.len(), 179);
        assert_eq!(
            hex(&frame),
            concat!(
                "000000b30000004bd34b35b50d3a6d6573736167652d747970650700056576656e740b3a6576656e742d747970650700056368756e6b0d3a636f6e74656e742d747970650700106170706c69636174696f6e2f6a736f6e",
                "7b226279746573223a2265794a306558426c496a6f695932397564475675644639696247396a6131396b5a57783059534973496d526c62485268496a7037496e526c654851694f694a495a57787362794a3966513d3d227d0439e7b0"
            )
        );
    }

    // The agents client's decoder lives behind the `agents` feature.
    #[cfg(feature = "agents")]
    #[test]
    fn frames_decode_as_the_agents_client_reads_them() {
        use crate::agents::invoke::{StreamEvent, decode_event};
        let read = |bytes: Bytes| {
            let message = aws_smithy_eventstream::frame::read_message_from(bytes).unwrap();
            decode_event(&message).unwrap()
        };
        assert_eq!(read(chunk("héllo")), StreamEvent::Chunk("héllo".into()));
        assert_eq!(
            read(exception(ErrorKind::Throttling, "slow down")),
            StreamEvent::Exception {
                kind: "throttlingException".into(),
                message: "slow down".into()
            }
        );
    }
}
