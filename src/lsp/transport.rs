//! JSON-RPC framing over a byte stream (`Content-Length: N`, a blank line, N bytes of JSON).
//!
//! lsp-server's own stdio transport ends the connection on the first malformed message; an
//! editor server must instead answer it with an error and read on. So frames are read here,
//! and lsp-server supplies the message model.

use lsp_server::{ErrorCode, Message, RequestId};
use serde_json::{Value, json};
use std::io::{self, BufRead, Read, Write};

/// Longest header line read; real ones are under 100 bytes.
const MAX_HEADER_LINE: u64 = 8 * 1024;
/// Largest message read: a spec is at most 4 MiB, and JSON escaping can double it.
pub const MAX_MESSAGE_BYTES: usize = 16 * 1024 * 1024;

/// What one read from the client gave.
#[derive(Debug)]
pub enum Incoming {
    Message(Message),
    /// Not a message: the reply to send (a JSON-RPC error, with the request's id when it had
    /// a readable one), and the stream goes on.
    Malformed(Value),
    /// The client closed the stream.
    Closed,
}

/// Read the next message.
pub fn read(input: &mut impl BufRead) -> io::Result<Incoming> {
    let mut length: Option<Result<usize, String>> = None;
    let mut saw_header = false;
    loop {
        let mut line = Vec::new();
        let n = input
            .by_ref()
            .take(MAX_HEADER_LINE)
            .read_until(b'\n', &mut line)?;
        if n == 0 {
            return Ok(Incoming::Closed);
        }
        if !line.ends_with(b"\n") && n as u64 == MAX_HEADER_LINE {
            skip_line(input)?;
            length = Some(Err("a header line is longer than 8 KiB".into()));
            saw_header = true;
            continue;
        }
        let text = String::from_utf8_lossy(&line);
        let text = text.trim_end_matches(['\r', '\n']);
        if text.is_empty() {
            if saw_header {
                break;
            }
            // Blank lines between messages are tolerated.
            continue;
        }
        saw_header = true;
        if let Some((name, value)) = text.split_once(':')
            && name.trim().eq_ignore_ascii_case("content-length")
        {
            length = Some(value.trim().parse::<usize>().map_err(|_| {
                format!(
                    "the Content-Length header `{}` is not a number",
                    value.trim()
                )
            }));
        }
    }
    let length = match length {
        None => {
            return Ok(Incoming::Malformed(error(
                None,
                ErrorCode::InvalidRequest,
                "a message header without Content-Length",
            )));
        }
        Some(Err(why)) => {
            return Ok(Incoming::Malformed(error(
                None,
                ErrorCode::InvalidRequest,
                &why,
            )));
        }
        Some(Ok(length)) => length,
    };
    if length > MAX_MESSAGE_BYTES {
        io::copy(&mut input.by_ref().take(length as u64), &mut io::sink())?;
        return Ok(Incoming::Malformed(error(
            None,
            ErrorCode::InvalidRequest,
            &format!("a message of {length} bytes is over the limit of 16 MiB"),
        )));
    }
    let mut body = vec![0; length];
    if let Err(e) = input.read_exact(&mut body) {
        return if e.kind() == io::ErrorKind::UnexpectedEof {
            Ok(Incoming::Closed)
        } else {
            Err(e)
        };
    }
    Ok(parse(&body))
}

fn skip_line(input: &mut impl BufRead) -> io::Result<()> {
    loop {
        let buffer = input.fill_buf()?;
        if buffer.is_empty() {
            return Ok(());
        }
        match buffer.iter().position(|&b| b == b'\n') {
            Some(at) => {
                input.consume(at + 1);
                return Ok(());
            }
            None => {
                let len = buffer.len();
                input.consume(len);
            }
        }
    }
}

/// A message body → a message, or the error reply JSON-RPC prescribes.
fn parse(body: &[u8]) -> Incoming {
    let value: Value = match serde_json::from_slice(body) {
        Ok(value) => value,
        Err(e) => {
            return Incoming::Malformed(error(
                None,
                ErrorCode::ParseError,
                &format!("the message is not JSON: {e}"),
            ));
        }
    };
    let id = value.get("id").and_then(request_id);
    match serde_json::from_value::<Message>(value) {
        Ok(message) => Incoming::Message(message),
        Err(_) => Incoming::Malformed(error(
            id,
            ErrorCode::InvalidRequest,
            "the message is JSON but not a JSON-RPC request, response or notification",
        )),
    }
}

fn request_id(id: &Value) -> Option<RequestId> {
    match id {
        Value::Number(n) => n
            .as_i64()
            .and_then(|n| i32::try_from(n).ok())
            .map(RequestId::from),
        Value::String(s) => Some(RequestId::from(s.clone())),
        _ => None,
    }
}

/// A JSON-RPC error reply; `id` is `null` when the request's id could not be read.
pub fn error(id: Option<RequestId>, code: ErrorCode, message: &str) -> Value {
    let id = id.map_or(Value::Null, |id| {
        serde_json::to_value(&id).unwrap_or(Value::Null)
    });
    json!({
        "jsonrpc": "2.0",
        "id": id,
        "error": { "code": code as i32, "message": message },
    })
}

/// Write one message.
pub fn write(output: &mut impl Write, message: &Message) -> io::Result<()> {
    let mut value = serde_json::to_value(message).map_err(io::Error::other)?;
    if let Value::Object(map) = &mut value {
        map.insert("jsonrpc".into(), "2.0".into());
    }
    write_value(output, &value)
}

/// Write one JSON value as a frame.
pub fn write_value(output: &mut impl Write, value: &Value) -> io::Result<()> {
    let text = value.to_string();
    write!(output, "Content-Length: {}\r\n\r\n", text.len())?;
    output.write_all(text.as_bytes())?;
    output.flush()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn frame(body: &str) -> String {
        format!("Content-Length: {}\r\n\r\n{body}", body.len())
    }

    fn read_all(input: &str) -> Vec<Incoming> {
        let mut reader = io::BufReader::new(input.as_bytes());
        let mut out = Vec::new();
        loop {
            match read(&mut reader).unwrap() {
                Incoming::Closed => return out,
                other => out.push(other),
            }
        }
    }

    fn code(incoming: &Incoming) -> Option<i64> {
        match incoming {
            Incoming::Malformed(value) => value["error"]["code"].as_i64(),
            _ => None,
        }
    }

    #[test]
    fn malformed_messages_are_answered_and_reading_goes_on() {
        let input = [
            frame("{not json"),
            frame(r#"{"jsonrpc":"2.0","id":7,"method":3}"#),
            "Content-Type: x\r\n\r\n".to_string(),
            "Content-Length: abc\r\n\r\n".to_string(),
            frame(r#"{"jsonrpc":"2.0","method":"initialized","params":{}}"#),
        ]
        .concat();
        let read = read_all(&input);
        assert_eq!(read.len(), 5, "{read:?}");
        assert_eq!(code(&read[0]), Some(ErrorCode::ParseError as i64));
        assert_eq!(code(&read[1]), Some(ErrorCode::InvalidRequest as i64));
        let Incoming::Malformed(reply) = &read[1] else {
            unreachable!()
        };
        assert_eq!(reply["id"], 7);
        assert_eq!(code(&read[2]), Some(ErrorCode::InvalidRequest as i64));
        assert_eq!(code(&read[3]), Some(ErrorCode::InvalidRequest as i64));
        assert!(
            matches!(&read[4], Incoming::Message(Message::Notification(n)) if n.method == "initialized")
        );
    }

    #[test]
    fn a_truncated_message_closes_the_stream_and_an_oversized_one_is_skipped() {
        assert!(read_all("Content-Length: 50\r\n\r\n{\"a\"").is_empty());
        let big = format!(
            "Content-Length: {}\r\n\r\n{}",
            MAX_MESSAGE_BYTES + 1,
            " ".repeat(MAX_MESSAGE_BYTES + 1)
        );
        let read = read_all(&format!("{big}{}", frame(r#"{"method":"exit"}"#)));
        assert_eq!(read.len(), 2);
        assert!(code(&read[0]).is_some());
        assert!(matches!(&read[1], Incoming::Message(_)));
    }

    #[test]
    fn written_frames_read_back() {
        let message = Message::Notification(lsp_server::Notification::new(
            "window/logMessage".into(),
            json!({"type": 3, "message": "é"}),
        ));
        let mut out = Vec::new();
        write(&mut out, &message).unwrap();
        let text = String::from_utf8(out).unwrap();
        assert!(text.contains("\"jsonrpc\":\"2.0\""), "{text}");
        let read = read_all(&text);
        assert!(
            matches!(&read[0], Incoming::Message(Message::Notification(n)) if n.params["message"] == "é")
        );
    }
}
