//! One model call: Converse's JSON (`POST /model/{modelId}/converse`, rest-json) sent over
//! `reqwest` and signed by `aws-sigv4` with signing name `bedrock`, as the generated
//! `aws-sdk-bedrockruntime` client sends it, with agentc's own retry policy and the error
//! classification the loop needs: transient (retried), permanent (reported), or a reply
//! that does not parse. The history is stored in Converse's shape, so a call sends it as it
//! is: no typed request is built per call (README, "Why no Converse SDK").

use super::retry::{RetryPolicy, TimedOut, retry};
use super::wire::{RequestParts, assistant_message};
use crate::signed::{ReadError, Signer, read_capped};
use serde_json::Value;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Token usage exactly as the Converse response reports it (measured, not estimated).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct Usage {
    pub input_tokens: u64,
    pub output_tokens: u64,
    pub cache_read_input_tokens: u64,
    pub cache_write_input_tokens: u64,
}

impl Usage {
    pub fn add(&mut self, other: Usage) {
        self.input_tokens += other.input_tokens;
        self.output_tokens += other.output_tokens;
        self.cache_read_input_tokens += other.cache_read_input_tokens;
        self.cache_write_input_tokens += other.cache_write_input_tokens;
    }
}

/// A successful model call.
#[derive(Debug, Clone)]
pub struct Reply {
    /// The assistant message in the stored JSON shape.
    pub message: Value,
    pub stop_reason: String,
    pub usage: Usage,
    /// Wall time of the call as agentc saw it, retries included.
    pub latency_ms: f64,
    pub attempts: u32,
}

/// Why a model call failed.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
pub enum ModelError {
    #[error(
        "the model call was throttled or failed transiently {attempts} times in a row: {message}"
    )]
    #[diagnostic(
        code(agentc::run::model_unavailable),
        help(
            "the retries are exhausted; wait and run again, or request a higher quota for the model"
        )
    )]
    Transient { attempts: u32, message: String },
    #[error(
        "the model call did not finish within {seconds} s, retries included ({attempts} attempts)"
    )]
    #[diagnostic(
        code(agentc::run::model_deadline),
        help(
            "the endpoint accepted the request but did not answer in time; check the network and the endpoint, or raise the deadline (`AGENTC_RETRY_DEADLINE_MS`)"
        )
    )]
    Deadline { seconds: f64, attempts: u32 },
    #[error("the model endpoint rejected the request: {message}")]
    #[diagnostic(
        code(agentc::run::model_rejected),
        help(
            "this is not retried; check the model id, the region, your access to the model, and the compiled config (`agentc compile --target direct`)"
        )
    )]
    Rejected { message: String },
    #[error("the model endpoint sent a reply agentc cannot read: {message}")]
    #[diagnostic(code(agentc::run::malformed_reply))]
    Malformed { message: String },
}

/// The SigV4 signing name of `bedrock-runtime` (its model's `signingName`).
const SIGNING_NAME: &str = "bedrock";

/// A Converse reply is one message; anything this big is not one.
const MAX_REPLY_BYTES: usize = 64 * 1024 * 1024;

/// The Converse client and the parts of the request that do not change between calls.
#[derive(Debug, Clone)]
pub struct ModelClient {
    http: reqwest::Client,
    signer: Arc<Signer>,
    url: String,
    parts: RequestParts,
    retry: RetryPolicy,
    /// Where the calls go, for the message of a call that got no reply.
    endpoint: String,
}

enum Failure {
    Transient(String),
    Deadline(f64),
    Permanent(String),
    Malformed(String),
}

/// The members of a Converse reply the loop reads.
#[derive(serde::Deserialize)]
#[serde(rename_all = "camelCase")]
struct ConverseReply {
    output: Option<ReplyOutput>,
    stop_reason: Option<String>,
    usage: Option<WireUsage>,
}

#[derive(serde::Deserialize)]
struct ReplyOutput {
    message: Option<Value>,
}

#[derive(serde::Deserialize, Default)]
#[serde(rename_all = "camelCase")]
struct WireUsage {
    input_tokens: Option<i64>,
    output_tokens: Option<i64>,
    cache_read_input_tokens: Option<i64>,
    cache_write_input_tokens: Option<i64>,
}

fn count(n: Option<i64>) -> u64 {
    n.unwrap_or(0).max(0) as u64
}

impl ModelClient {
    /// A client sending to `base` (the configured endpoint or the Region's default host),
    /// signed with the credentials and Region of `config`.
    pub fn new(
        config: aws_config::SdkConfig,
        base: &str,
        parts: RequestParts,
        retry: RetryPolicy,
    ) -> Result<Self, String> {
        // Each attempt is bounded by the retry policy; this only stops a reply that never ends.
        let http = crate::signed::http_client(base, Duration::from_secs(600))?;
        let url = format!(
            "{}/model/{}/converse",
            base.trim_end_matches('/'),
            crate::signed::encode(&parts.model_id)
        );
        Ok(Self {
            http,
            signer: Arc::new(Signer::new(config, SIGNING_NAME)),
            url,
            parts,
            retry,
            endpoint: "the Bedrock runtime endpoint".into(),
        })
    }

    /// Name the endpoint (see `agentc::aws::endpoint`) in errors of calls that got no reply.
    #[must_use]
    pub fn with_endpoint(mut self, endpoint: String) -> Self {
        self.endpoint = endpoint;
        self
    }

    pub fn model_id(&self) -> &str {
        &self.parts.model_id
    }

    /// Send the conversation (each message already serialized) and return the reply.
    pub async fn call<S: AsRef<str>>(&self, messages: &[S]) -> Result<Reply, ModelError> {
        let started = Instant::now();
        let body = self.parts.body(messages);
        let (result, attempts) = retry(
            &self.retry,
            || self.attempt(&body),
            |f| matches!(f, Failure::Transient(_)),
            |clock| match clock {
                TimedOut::Attempt(after) => {
                    Failure::Transient(format!("no answer within {} s", after.as_secs_f64()))
                }
                TimedOut::Deadline(after) => Failure::Deadline(after.as_secs_f64()),
            },
        )
        .await;
        let latency_ms = started.elapsed().as_secs_f64() * 1000.0;
        match result {
            Ok(mut reply) => {
                reply.latency_ms = latency_ms;
                reply.attempts = attempts;
                Ok(reply)
            }
            Err(Failure::Transient(message)) => Err(ModelError::Transient { attempts, message }),
            Err(Failure::Deadline(seconds)) => Err(ModelError::Deadline { seconds, attempts }),
            Err(Failure::Permanent(message)) => Err(ModelError::Rejected { message }),
            Err(Failure::Malformed(message)) => Err(ModelError::Malformed { message }),
        }
    }

    async fn attempt(&self, body: &str) -> Result<Reply, Failure> {
        let headers = [("content-type", "application/json")];
        let signed = self
            .signer
            .sign("POST", &self.url, &headers, body.as_bytes())
            .await
            .map_err(|e| Failure::Permanent(e.to_string()))?;
        let mut request = self
            .http
            .post(&self.url)
            .header("content-type", "application/json")
            .header("accept", "application/json")
            .body(body.to_string());
        for (name, value) in signed.headers() {
            request = request.header(name, value);
        }
        let unreachable = |e: &dyn std::error::Error| {
            Failure::Transient(format!(
                "could not reach {}: {}",
                self.endpoint,
                crate::diag::root_cause(e)
            ))
        };
        let response = request.send().await.map_err(|e| {
            if e.is_timeout() {
                Failure::Transient(format!("the request to {} timed out", self.endpoint))
            } else if e.is_builder() {
                Failure::Permanent(crate::diag::error_chain(&e))
            } else {
                unreachable(&e)
            }
        })?;
        let status = response.status().as_u16();
        let error_type = crate::signed::error_type(&response);
        let bytes = match read_capped(response, MAX_REPLY_BYTES).await {
            Ok(bytes) => bytes,
            Err(ReadError::TooLarge(max)) => {
                return Err(Failure::Malformed(format!(
                    "the reply is over {max} bytes (HTTP {status})"
                )));
            }
            Err(ReadError::Lost(e)) => return Err(unreachable(&e)),
        };
        if !(200..300).contains(&status) {
            return Err(service_failure(status, error_type.as_deref(), &bytes));
        }
        let reply: ConverseReply = serde_json::from_slice(&bytes).map_err(|e| {
            Failure::Malformed(format!(
                "the reply is not Converse's JSON: {e} (HTTP {status})"
            ))
        })?;
        let Some(message) = reply.output.and_then(|o| o.message) else {
            return Err(Failure::Malformed(
                "the reply has no `output.message`".into(),
            ));
        };
        let Some(stop_reason) = reply.stop_reason else {
            return Err(Failure::Malformed("the reply has no `stopReason`".into()));
        };
        let usage = reply.usage.unwrap_or_default();
        Ok(Reply {
            message: assistant_message(&message),
            stop_reason,
            usage: Usage {
                input_tokens: count(usage.input_tokens),
                output_tokens: count(usage.output_tokens),
                cache_read_input_tokens: count(usage.cache_read_input_tokens),
                cache_write_input_tokens: count(usage.cache_write_input_tokens),
            },
            latency_ms: 0.0,
            attempts: 0,
        })
    }
}

/// A non-2xx reply, read as the SDK's rest-json error parser reads it
/// (`signed::rest_json_error`); throttling, unavailability and server errors are retried.
fn service_failure(status: u16, header: Option<&str>, body: &[u8]) -> Failure {
    let json: Value = serde_json::from_slice(body).unwrap_or(Value::Null);
    let (code, message) = crate::signed::rest_json_error(header, &json);
    let (code, message) = (code.unwrap_or("error"), message.unwrap_or("no message"));
    let transient_code = matches!(
        code,
        "ThrottlingException"
            | "ServiceUnavailableException"
            | "InternalServerException"
            | "ModelNotReadyException"
            | "ModelTimeoutException"
    );
    let message = format!("{code}: {message} (HTTP {status})");
    if transient_code || status == 429 || status == 408 || status >= 500 {
        Failure::Transient(message)
    } else {
        Failure::Permanent(message)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    fn config() -> aws_config::SdkConfig {
        aws_config::SdkConfig::builder()
            .region(aws_config::Region::new("us-east-1"))
            .credentials_provider(
                aws_credential_types::provider::SharedCredentialsProvider::new(
                    aws_credential_types::Credentials::new(
                        "AKIDTEST", "secret", None, None, "test",
                    ),
                ),
            )
            .build()
    }

    fn parts() -> RequestParts {
        RequestParts {
            model_id: "test-model".into(),
            tail: "}".into(),
        }
    }

    fn client(endpoint: &str, policy: RetryPolicy) -> ModelClient {
        ModelClient::new(config(), endpoint, parts(), policy).unwrap()
    }

    /// A server that answers every request with `status`, `headers` and `body`.
    fn answering(status: u16, headers: &'static str, body: &'static str) -> String {
        use std::io::{Read, Write};
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let endpoint = format!("http://{}", listener.local_addr().unwrap());
        std::thread::spawn(move || {
            for mut stream in listener.incoming().flatten() {
                let mut request = Vec::new();
                let mut buf = [0u8; 4096];
                // Headers, then the body its content-length announces.
                loop {
                    let n = stream.read(&mut buf).unwrap_or(0);
                    if n == 0 {
                        break;
                    }
                    request.extend_from_slice(&buf[..n]);
                    let text = String::from_utf8_lossy(&request);
                    if let Some(end) = text.find("\r\n\r\n") {
                        let length = text[..end]
                            .lines()
                            .find_map(|l| l.strip_prefix("content-length: "))
                            .and_then(|n| n.trim().parse::<usize>().ok())
                            .unwrap_or(0);
                        if request.len() >= end + 4 + length {
                            break;
                        }
                    }
                }
                let reply = format!(
                    "HTTP/1.1 {status} X\r\ncontent-length: {}\r\n{headers}\r\n{body}",
                    body.len()
                );
                let _ = stream.write_all(reply.as_bytes());
            }
        });
        endpoint
    }

    fn quick() -> RetryPolicy {
        RetryPolicy {
            max_attempts: 2,
            base_delay: Duration::from_millis(1),
            max_delay: Duration::from_millis(2),
            max_total_delay: Duration::from_secs(1),
            attempt_timeout: Duration::from_secs(5),
            deadline: Duration::from_secs(10),
        }
    }

    #[tokio::test]
    async fn replies_and_errors_are_read_as_the_sdk_reads_them() {
        let ok = answering(
            200,
            "content-type: application/json\r\n",
            r#"{"output":{"message":{"role":"assistant","content":[{"text":"hi"},{"toolUse":{"toolUseId":"t","name":"n","input":{"b":1,"a":2}}}]}},"stopReason":"tool_use","usage":{"inputTokens":7,"outputTokens":3,"totalTokens":10,"cacheReadInputTokens":2},"metrics":{"latencyMs":5}}"#,
        );
        let reply = client(&ok, quick()).call(&["{}"]).await.unwrap();
        assert_eq!(reply.stop_reason, "tool_use");
        assert_eq!(
            reply.usage,
            Usage {
                input_tokens: 7,
                output_tokens: 3,
                cache_read_input_tokens: 2,
                cache_write_input_tokens: 0
            }
        );
        assert_eq!(reply.message["content"][1]["toolUse"]["input"]["a"], 2);
        assert_eq!(reply.attempts, 1);

        let throttled = answering(
            400,
            "x-amzn-ErrorType: ThrottlingException:http://internal.amazon.com/\r\n",
            r#"{"message":"slow down"}"#,
        );
        match client(&throttled, quick()).call(&["{}"]).await {
            Err(ModelError::Transient {
                attempts: 2,
                message,
            }) => {
                assert_eq!(message, "ThrottlingException: slow down (HTTP 400)");
            }
            other => panic!("{other:?}"),
        }
        let denied = answering(
            403,
            "",
            r#"{"__type":"com.amazon.coral#AccessDeniedException","Message":"no access"}"#,
        );
        match client(&denied, quick()).call(&["{}"]).await {
            Err(ModelError::Rejected { message }) => {
                assert_eq!(message, "AccessDeniedException: no access (HTTP 403)");
            }
            other => panic!("{other:?}"),
        }
        let garbled = answering(200, "", "<html>");
        assert!(matches!(
            client(&garbled, quick()).call(&["{}"]).await,
            Err(ModelError::Malformed { .. })
        ));
        let no_message = answering(200, "", r#"{"stopReason":"end_turn"}"#);
        match client(&no_message, quick()).call(&["{}"]).await {
            Err(ModelError::Malformed { message }) => assert!(message.contains("output.message")),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn a_model_arn_travels_encoded_in_the_path() {
        let parts = RequestParts {
            model_id: "arn:aws:bedrock:us-east-1:1:inference-profile/us.nova".into(),
            tail: "}".into(),
        };
        let client = ModelClient::new(config(), "http://127.0.0.1:9/", parts, quick()).unwrap();
        assert_eq!(
            client.url,
            "http://127.0.0.1:9/model/arn%3Aaws%3Abedrock%3Aus-east-1%3A1%3Ainference-profile%2Fus.nova/converse"
        );
    }

    #[tokio::test]
    async fn an_endpoint_that_accepts_and_never_answers_cannot_hold_the_run() {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let endpoint = format!("http://{}", listener.local_addr().unwrap());
        // Accept every connection and keep it open without a byte of answer.
        std::thread::spawn(move || {
            let mut held = Vec::new();
            for stream in listener.incoming().flatten() {
                held.push(stream);
            }
        });
        let policy = RetryPolicy {
            max_attempts: 3,
            base_delay: Duration::from_millis(1),
            max_delay: Duration::from_millis(2),
            max_total_delay: Duration::from_secs(1),
            attempt_timeout: Duration::from_millis(200),
            deadline: Duration::from_secs(30),
        };
        let model = client(&endpoint, policy);
        let started = Instant::now();
        match model.call(&["{}"]).await {
            Err(ModelError::Transient { attempts, message }) => {
                assert_eq!(attempts, 3, "timeouts are retried as documented");
                assert!(message.contains("no answer within 0.2 s"), "{message}");
            }
            other => panic!("{other:?}"),
        }
        // The overall deadline ends it even with attempts to spare.
        let policy = RetryPolicy {
            max_attempts: 100,
            attempt_timeout: Duration::from_secs(60),
            deadline: Duration::from_millis(300),
            ..policy
        };
        let model = client(&endpoint, policy);
        let error = model.call(&["{}"]).await.unwrap_err();
        assert!(
            matches!(error, ModelError::Deadline { attempts: 1, .. }),
            "{error:?}"
        );
        assert!(error.to_string().contains("within 0.3 s"), "{error}");
        assert!(started.elapsed() < Duration::from_secs(10));
    }
}
