//! The signed streaming call both service runtimes make (InvokeAgent, InvokeHarness): a POST
//! signed by `aws-sigv4` with the SDK's credentials and Region, sent with `reqwest`, retried
//! while the service has not yet accepted it, then read frame by frame with
//! `aws-smithy-eventstream`'s decoder as the body arrives. A thin client instead of a
//! generated SDK crate per service (README, "Build cost"). Each target turns these errors
//! into its own, with its own help (`agents::runtime`, `harness::runtime`).

use super::frame::FrameHeaders;
use crate::direct::retry::{RetryPolicy, TimedOut, retry};
use aws_credential_types::provider::{ProvideCredentials, SharedCredentialsProvider};
use aws_sigv4::http_request::{SignableBody, SignableRequest, SigningSettings, sign};
use aws_sigv4::sign::v4;
use aws_smithy_eventstream::frame::{DecodedFrame, MessageFrameDecoder};
use aws_smithy_types::event_stream::{HeaderValue, Message};
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC};
use serde_json::Value;
use std::time::{Duration, SystemTime};

/// Path labels and query values are encoded like the SDK encodes them (everything but
/// unreserved).
pub const UNRESERVED: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// The most an error body before the stream is read (it is a JSON message).
const MAX_ERROR_BODY: usize = 64 * 1024;

/// Why a call did not start streaming, in terms every target words its own way.
#[derive(Debug)]
pub enum OpenError {
    NoRegion,
    NoCredentials(String),
    /// The request could not be signed.
    Signing(String),
    /// No answer (network failures, time-outs), after `attempts` attempts.
    Unreachable {
        endpoint: String,
        attempts: u32,
        message: String,
    },
    /// The service refused the call; `message` says how many attempts were made when
    /// there were several.
    Service {
        code: String,
        status: u16,
        message: String,
        endpoint: String,
    },
}

/// Why the stream stopped before its end.
#[derive(Debug)]
pub enum ReadError {
    /// The bytes are not event-stream frames.
    Framing(String),
    /// The body ended, or the connection failed, inside the stream.
    Cut {
        endpoint: String,
        events: u32,
        detail: String,
    },
}

/// `impl From<OpenError>` and `From<ReadError>` for a target's run error, whose variants
/// `NoRegion`, `NoCredentials`, `Unreachable`, `Service` (with `help`), `StreamCut` and
/// `Framing` say the same in the target's words; `$help` gives a service error's help by code.
macro_rules! stream_errors {
    ($error:ty, $help:path) => {
        impl From<$crate::runtime::stream::OpenError> for $error {
            fn from(error: $crate::runtime::stream::OpenError) -> Self {
                use $crate::runtime::stream::OpenError;
                match error {
                    OpenError::NoRegion => Self::NoRegion,
                    OpenError::NoCredentials(message) => Self::NoCredentials(message),
                    OpenError::Signing(message) => Self::Framing(message),
                    OpenError::Unreachable {
                        endpoint,
                        attempts,
                        message,
                    } => Self::Unreachable {
                        endpoint,
                        attempts,
                        message,
                    },
                    OpenError::Service {
                        code,
                        status,
                        message,
                        endpoint,
                    } => Self::Service {
                        help: $help(&code).to_string(),
                        code,
                        status,
                        message,
                        endpoint,
                    },
                }
            }
        }

        impl From<$crate::runtime::stream::ReadError> for $error {
            fn from(error: $crate::runtime::stream::ReadError) -> Self {
                use $crate::runtime::stream::ReadError;
                match error {
                    ReadError::Framing(message) => Self::Framing(message),
                    ReadError::Cut {
                        endpoint,
                        events,
                        detail,
                    } => Self::StreamCut {
                        endpoint,
                        events,
                        detail,
                    },
                }
            }
        }
    };
}
pub(crate) use stream_errors;

/// One attempt's failure.
enum Attempt {
    Service {
        code: String,
        status: u16,
        message: String,
    },
    Network(String),
    Final(OpenError),
}

/// What a target's client is: the service's endpoint configuration, its signing name and
/// which error codes are worth another attempt.
pub struct ServiceCall {
    pub service: crate::aws::Service,
    pub signing_name: &'static str,
    pub transient: fn(&str, u16) -> bool,
}

/// A client of one service: credentials, Region and endpoint of the standard AWS
/// configuration.
pub struct StreamClient {
    http: reqwest::Client,
    base_url: String,
    endpoint: String,
    region: String,
    credentials: SharedCredentialsProvider,
    retry: RetryPolicy,
    call: ServiceCall,
}

impl StreamClient {
    pub fn new(
        config: &aws_config::SdkConfig,
        call: ServiceCall,
        retry: RetryPolicy,
    ) -> Result<Self, OpenError> {
        let region = config
            .region()
            .map(ToString::to_string)
            .ok_or(OpenError::NoRegion)?;
        let credentials = config
            .credentials_provider()
            .ok_or_else(|| OpenError::NoCredentials("no credentials provider".into()))?;
        let base_url = crate::aws::configured_endpoint(config, call.service)
            .unwrap_or_else(|| {
                let suffix = if region.starts_with("cn-") {
                    "amazonaws.com.cn"
                } else {
                    "amazonaws.com"
                };
                format!("https://{}.{region}.{suffix}", call.service.host)
            })
            .trim_end_matches('/')
            .to_string();
        let builder = reqwest::Client::builder()
            .user_agent(concat!("agentc/", env!("CARGO_PKG_VERSION")))
            .connect_timeout(Duration::from_secs(10))
            // A stream that stops sending counts as cut, not as forever.
            .read_timeout(retry.attempt_timeout);
        // A plain-HTTP endpoint (a local server) needs no root certificates: loading the
        // system's store costs more than the whole local request.
        let builder = if base_url.starts_with("http://") {
            builder.tls_certs_only(std::iter::empty())
        } else {
            builder
        };
        let http = builder.build().map_err(|e| OpenError::Unreachable {
            endpoint: base_url.clone(),
            attempts: 0,
            message: format!("cannot create an HTTP client: {e}"),
        })?;
        Ok(Self {
            http,
            endpoint: crate::aws::endpoint(config, call.service),
            base_url,
            region,
            credentials,
            retry,
            call,
        })
    }

    /// Where requests go, for messages.
    pub fn endpoint(&self) -> &str {
        &self.endpoint
    }

    /// The endpoint URL without a trailing `/`, for building request URLs.
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    async fn send_once(
        &self,
        url: &str,
        headers: &[(&str, &str)],
        body: &[u8],
    ) -> Result<reqwest::Response, Attempt> {
        let credentials =
            self.credentials.provide_credentials().await.map_err(|e| {
                Attempt::Final(OpenError::NoCredentials(crate::diag::error_chain(&e)))
            })?;
        let identity = credentials.into();
        let signing = |e: &dyn std::fmt::Display| Attempt::Final(OpenError::Signing(e.to_string()));
        let params = v4::SigningParams::builder()
            .identity(&identity)
            .region(&self.region)
            .name(self.call.signing_name)
            .time(SystemTime::now())
            .settings(SigningSettings::default())
            .build()
            .map_err(|e| signing(&e))?
            .into();
        let headers: Vec<(&str, &str)> = std::iter::once(("content-type", "application/json"))
            .chain(headers.iter().copied())
            .collect();
        let signable = SignableRequest::new(
            "POST",
            url,
            headers.iter().copied(),
            SignableBody::Bytes(body),
        )
        .map_err(|e| signing(&e))?;
        let (instructions, _) = sign(signable, &params)
            .map_err(|e| signing(&e))?
            .into_parts();
        let mut request = self.http.post(url).body(body.to_vec());
        for (name, value) in headers.iter().copied().chain(instructions.headers()) {
            request = request.header(name, value);
        }
        let response = request
            .send()
            .await
            .map_err(|e| Attempt::Network(crate::diag::error_chain(&e)))?;
        let status = response.status().as_u16();
        if status == 200 {
            return Ok(response);
        }
        let header_code = response
            .headers()
            .get("x-amzn-errortype")
            .and_then(|v| v.to_str().ok())
            .map(|v| v.split(':').next().unwrap_or(v).to_string());
        let body = read_bounded(response, MAX_ERROR_BODY).await;
        let json: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
        let code = header_code
            .or_else(|| {
                ["__type", "code"]
                    .iter()
                    .find_map(|k| json.get(*k).and_then(Value::as_str))
                    .map(|c| c.rsplit('#').next().unwrap_or(c).to_string())
            })
            .unwrap_or_else(|| format!("HTTP{status}"));
        let message = ["message", "Message"]
            .iter()
            .find_map(|k| json.get(*k).and_then(Value::as_str))
            .map_or_else(
                || String::from_utf8_lossy(&body).chars().take(300).collect(),
                str::to_string,
            );
        Err(Attempt::Service {
            code,
            status,
            message,
        })
    }

    /// POST `body` to `url` and return its stream once the service accepted it; transient
    /// failures before that are retried.
    pub async fn open(
        &self,
        url: &str,
        headers: &[(&str, &str)],
        body: &[u8],
    ) -> Result<FrameReader, OpenError> {
        let (result, attempts) = retry(
            &self.retry,
            || self.send_once(url, headers, body),
            |error| match error {
                Attempt::Service { code, status, .. } => (self.call.transient)(code, *status),
                Attempt::Network(_) => true,
                Attempt::Final(_) => false,
            },
            |timed_out| {
                Attempt::Network(match timed_out {
                    TimedOut::Attempt(after) => {
                        format!("no answer within {} s", after.as_secs_f64())
                    }
                    TimedOut::Deadline(after) => {
                        format!("gave up after {} s in all", after.as_secs_f64())
                    }
                })
            },
        )
        .await;
        match result {
            Ok(response) => Ok(FrameReader {
                response,
                decoder: MessageFrameDecoder::new(),
                buffer: bytes::BytesMut::new(),
                events: 0,
                endpoint: self.endpoint.clone(),
            }),
            Err(Attempt::Final(error)) => Err(error),
            Err(Attempt::Network(message)) => Err(OpenError::Unreachable {
                endpoint: self.endpoint.clone(),
                attempts,
                message,
            }),
            Err(Attempt::Service {
                code,
                status,
                message,
            }) => Err(OpenError::Service {
                code,
                status,
                message: if attempts > 1 {
                    format!("{message} ({attempts} attempts)")
                } else {
                    message
                },
                endpoint: self.endpoint.clone(),
            }),
        }
    }
}

async fn read_bounded(mut response: reqwest::Response, limit: usize) -> Vec<u8> {
    let mut body = Vec::new();
    while let Ok(Some(chunk)) = response.chunk().await {
        body.extend_from_slice(&chunk);
        if body.len() >= limit {
            body.truncate(limit);
            break;
        }
    }
    body
}

fn header<'m>(message: &'m Message, name: &str) -> Option<&'m str> {
    message
        .headers()
        .iter()
        .find(|h| h.name().as_str() == name)
        .and_then(|h| match h.value() {
            HeaderValue::String(s) => Some(s.as_str()),
            _ => None,
        })
}

/// The routing headers of a decoded frame.
pub fn frame_headers(message: &Message) -> FrameHeaders<'_> {
    FrameHeaders {
        message_type: header(message, ":message-type"),
        event_type: header(message, ":event-type"),
        exception_type: header(message, ":exception-type"),
        error_code: header(message, ":error-code"),
        error_message: header(message, ":error-message"),
    }
}

/// The frames of one response body, decoded as they arrive.
pub struct FrameReader {
    response: reqwest::Response,
    decoder: MessageFrameDecoder,
    buffer: bytes::BytesMut,
    events: u32,
    endpoint: String,
}

impl FrameReader {
    /// The next frame, or `None` at the end of a complete stream.
    pub async fn next(&mut self) -> Result<Option<Message>, ReadError> {
        loop {
            match self.decoder.decode_frame(&mut self.buffer) {
                Ok(DecodedFrame::Complete(message)) => {
                    self.events += 1;
                    return Ok(Some(message));
                }
                Ok(DecodedFrame::Incomplete) => {}
                Err(error) => return Err(ReadError::Framing(error.to_string())),
            }
            match self.response.chunk().await {
                Ok(Some(chunk)) => self.buffer.extend_from_slice(&chunk),
                Ok(None) if self.buffer.is_empty() => return Ok(None),
                Ok(None) => return Err(self.cut("the body ended inside an event".into())),
                Err(error) => return Err(self.cut(crate::diag::error_chain(&error))),
            }
        }
    }

    fn cut(&self, detail: String) -> ReadError {
        ReadError::Cut {
            endpoint: self.endpoint.clone(),
            events: self.events,
            detail,
        }
    }
}
