//! A fake event-stream endpoint on 127.0.0.1 that answers with real AWS event-stream framing
//! (prelude, headers, CRCs — encoded by `aws-smithy-eventstream`), one HTTP chunk per frame,
//! driven by a script of answers: a stream of frames, a pause until the test says go on, a
//! cut in the middle of a frame, or an error before the stream. The fakes of InvokeAgent
//! (`fake_invoke_agent`) and InvokeHarness (`fake_invoke_harness`) are this server with their
//! signing name and their events.
//!
//! It is a raw TCP server rather than tiny_http so that a test controls every byte and every
//! moment of the body. Each response closes its connection (`Connection: close`).

use super::Recorded;
use aws_smithy_types::event_stream::{Header, HeaderValue, Message};
use serde_json::{Value, json};
use std::collections::VecDeque;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::Receiver;
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

/// One piece of a streamed answer.
pub enum Part {
    /// A whole frame.
    Frame(Vec<u8>),
    /// Stop sending until the test sends on the channel (or 20 s pass).
    WaitFor(Receiver<()>),
    /// Send the first half of this frame and close the connection without ending the body.
    Cut(Vec<u8>),
}

/// What one InvokeAgent call gets.
pub enum Answer {
    Stream(Vec<Part>),
    /// A rest-json error before any stream (`x-amzn-ErrorType`).
    Error {
        status: u16,
        kind: &'static str,
        message: &'static str,
    },
}

impl Answer {
    /// A stream of whole frames.
    pub fn frames(frames: Vec<Vec<u8>>) -> Self {
        Answer::Stream(frames.into_iter().map(Part::Frame).collect())
    }
}

pub struct EventStreamServer {
    pub url: String,
    requests: Arc<Mutex<Vec<Recorded>>>,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
    port: u16,
}

impl EventStreamServer {
    /// Serve `script`, one answer per request signed for `signing_name`; the session id a
    /// response names comes from the request by `session_of`.
    pub fn start(
        signing_name: &'static str,
        session_of: fn(&Recorded) -> String,
        script: Vec<Answer>,
    ) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1");
        let port = listener.local_addr().expect("address").port();
        let requests = Arc::new(Mutex::new(Vec::new()));
        let stop = Arc::new(AtomicBool::new(false));
        let thread = {
            let requests = Arc::clone(&requests);
            let stop = Arc::clone(&stop);
            std::thread::spawn(move || {
                let mut script: VecDeque<Answer> = script.into();
                for stream in listener.incoming() {
                    if stop.load(Ordering::SeqCst) {
                        return;
                    }
                    let Ok(stream) = stream else { continue };
                    let _ = stream.set_nodelay(true);
                    let Some(recorded) = read_request(&stream) else {
                        continue;
                    };
                    let answer = if signed_for(&recorded, signing_name) {
                        script.pop_front().unwrap_or(Answer::Error {
                            status: 400,
                            kind: "ValidationException",
                            message: "the test script has no more answers",
                        })
                    } else {
                        Answer::Error {
                            status: 403,
                            kind: "AccessDeniedException",
                            message: "the request is not signed with SigV4 for this service",
                        }
                    };
                    let session = session_of(&recorded);
                    requests.lock().expect("requests").push(recorded);
                    answer_with(stream, answer, &session);
                }
            })
        };
        Self {
            url: format!("http://127.0.0.1:{port}"),
            requests,
            stop,
            thread: Some(thread),
            port,
        }
    }

    pub fn requests(&self) -> Vec<Recorded> {
        self.requests.lock().expect("requests").clone()
    }
}

impl Drop for EventStreamServer {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        // Wake the accept loop so it sees the flag.
        let _ = TcpStream::connect(("127.0.0.1", self.port));
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

fn read_request(stream: &TcpStream) -> Option<Recorded> {
    let mut reader = BufReader::new(stream.try_clone().ok()?);
    let mut line = String::new();
    reader.read_line(&mut line).ok()?;
    let mut parts = line.split_whitespace();
    let method = parts.next()?.to_string();
    let path = parts.next()?.to_string();
    let mut headers = Vec::new();
    loop {
        let mut line = String::new();
        reader.read_line(&mut line).ok()?;
        let line = line.trim_end();
        if line.is_empty() {
            break;
        }
        if let Some((name, value)) = line.split_once(':') {
            headers.push((name.trim().to_string(), value.trim().to_string()));
        }
    }
    let length = headers
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case("content-length"))
        .and_then(|(_, v)| v.parse::<usize>().ok())
        .unwrap_or(0);
    let mut body = vec![0; length];
    reader.read_exact(&mut body).ok()?;
    Some(Recorded {
        method,
        path,
        headers,
        body: String::from_utf8_lossy(&body).into_owned(),
    })
}

/// `AWS4-HMAC-SHA256 Credential=<key>/<yyyymmdd>/<region>/<signing name>/aws4_request,
/// SignedHeaders=…;host;…;x-amz-date, Signature=<64 hex>` (the signature itself cannot be
/// checked without the secret; its form can).
pub fn signed_for(request: &Recorded, signing_name: &str) -> bool {
    let Some(value) = request.header("authorization") else {
        return false;
    };
    let Some(rest) = value.strip_prefix("AWS4-HMAC-SHA256 Credential=") else {
        return false;
    };
    let fields: Vec<&str> = rest.split(", ").collect();
    let [credential, signed, signature] = fields.as_slice() else {
        return false;
    };
    let scope: Vec<&str> = credential.split('/').collect();
    let signed_ok = signed
        .strip_prefix("SignedHeaders=")
        .is_some_and(|h| h.split(';').any(|n| n == "host") && h.contains("x-amz-date"));
    let signature_ok = signature
        .strip_prefix("Signature=")
        .is_some_and(|s| s.len() == 64 && s.bytes().all(|b| b.is_ascii_hexdigit()));
    scope.len() == 5
        && scope[1].len() == 8
        && scope[3] == signing_name
        && scope[4] == "aws4_request"
        && signed_ok
        && signature_ok
        && request.header("x-amz-date").is_some()
}

fn chunk_of(bytes: &[u8]) -> Vec<u8> {
    let mut out = format!("{:x}\r\n", bytes.len()).into_bytes();
    out.extend_from_slice(bytes);
    out.extend_from_slice(b"\r\n");
    out
}

fn answer_with(mut stream: TcpStream, answer: Answer, session: &str) {
    match answer {
        Answer::Error {
            status,
            kind,
            message,
        } => {
            let body = json!({ "message": message }).to_string();
            let _ = write!(
                stream,
                "HTTP/1.1 {status} Error\r\nContent-Type: application/json\r\nx-amzn-ErrorType: {kind}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                body.len()
            );
        }
        Answer::Stream(parts) => {
            let _ = write!(
                stream,
                "HTTP/1.1 200 OK\r\nContent-Type: application/vnd.amazon.eventstream\r\nTransfer-Encoding: chunked\r\nx-amzn-RequestId: fake-request\r\nx-amz-bedrock-agent-session-id: {session}\r\nx-amzn-bedrock-agent-content-type: application/json\r\nX-Amzn-Bedrock-AgentCore-Runtime-Session-Id: {session}\r\nConnection: close\r\n\r\n"
            );
            let _ = stream.flush();
            for part in parts {
                match part {
                    Part::Frame(frame) => {
                        let _ = stream.write_all(&chunk_of(&frame));
                        let _ = stream.flush();
                    }
                    Part::WaitFor(go_on) => {
                        let _ = go_on.recv_timeout(Duration::from_secs(20));
                    }
                    Part::Cut(frame) => {
                        let half = &frame[..frame.len() / 2];
                        let _ = stream.write_all(&chunk_of(half));
                        let _ = stream.flush();
                        let _ = stream.shutdown(std::net::Shutdown::Both);
                        return;
                    }
                }
            }
            let _ = stream.write_all(b"0\r\n\r\n");
            let _ = stream.flush();
        }
    }
}

pub fn frame(message: &Message) -> Vec<u8> {
    let mut bytes = Vec::new();
    aws_smithy_eventstream::frame::write_message_to(message, &mut bytes).expect("encode a frame");
    bytes
}

pub fn string_header(name: &'static str, value: &str) -> Header {
    Header::new(name, HeaderValue::String(value.to_string().into()))
}

/// An event frame of `kind` with a JSON payload.
pub fn event(kind: &str, payload: &Value) -> Vec<u8> {
    frame(
        &Message::new(payload.to_string().into_bytes())
            .add_header(string_header(":message-type", "event"))
            .add_header(string_header(":event-type", kind))
            .add_header(string_header(":content-type", "application/json")),
    )
}

/// An exception frame after the stream started.
pub fn exception(kind: &str, message: &str) -> Vec<u8> {
    frame(
        &Message::new(json!({ "message": message }).to_string().into_bytes())
            .add_header(string_header(":message-type", "exception"))
            .add_header(string_header(":exception-type", kind))
            .add_header(string_header(":content-type", "application/json")),
    )
}

/// Run `command` (agentc against a fake whose stream waits at a `Part::WaitFor`) and check
/// that `first` reaches its stdout before the fake is let go on (`go_on`): an agentc that
/// printed only at the end would show nothing. Returns the rest of stdout; the run must
/// succeed.
pub fn streams_before_the_end(
    command: &mut std::process::Command,
    first: &str,
    go_on: &std::sync::mpsc::Sender<()>,
) -> String {
    use std::io::Read;
    command
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null());
    let mut child = command.spawn().expect("start agentc");
    let mut stdout = child.stdout.take().expect("stdout");
    let mut seen = Vec::new();
    let mut byte = [0u8; 1];
    while !seen.ends_with(first.as_bytes()) {
        let n = stdout.read(&mut byte).expect("read stdout");
        assert!(n > 0, "stdout closed before `{first}`: {seen:?}");
        seen.push(byte[0]);
    }
    go_on.send(()).expect("the fake waits");
    let mut rest = String::new();
    stdout.read_to_string(&mut rest).expect("read stdout");
    assert!(child.wait().expect("agentc ends").success());
    rest
}
