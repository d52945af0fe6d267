//! One model call through the real `aws-sdk-bedrockruntime` Converse API, with agentc's own
//! retry policy (the SDK's retries are switched off so that there is exactly one, documented,
//! bounded policy) and the error classification the loop needs: transient (retried),
//! permanent (reported), or a reply that does not parse.

use super::retry::{RetryPolicy, TimedOut, retry};
use super::wire::{RequestParts, message_from_sdk};
use aws_sdk_bedrockruntime::error::{ProvideErrorMetadata, SdkError};
use aws_sdk_bedrockruntime::operation::converse::ConverseError;
use aws_sdk_bedrockruntime::types::{ConverseOutput as OutputKind, Message};
use serde_json::Value;
use std::time::Instant;

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

/// The Converse client and the parts of the request that do not change between calls.
#[derive(Debug, Clone)]
pub struct ModelClient {
    client: aws_sdk_bedrockruntime::Client,
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

impl ModelClient {
    pub fn new(
        client: aws_sdk_bedrockruntime::Client,
        parts: RequestParts,
        retry: RetryPolicy,
    ) -> Self {
        Self {
            client,
            parts,
            retry,
            endpoint: "the Bedrock runtime endpoint".into(),
        }
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

    /// Send the conversation and return the model's reply.
    pub async fn call(&self, messages: &[Message]) -> Result<Reply, ModelError> {
        let started = Instant::now();
        let (result, attempts) = retry(
            &self.retry,
            || self.attempt(messages),
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

    async fn attempt(&self, messages: &[Message]) -> Result<Reply, Failure> {
        let parts = &self.parts;
        let response = self
            .client
            .converse()
            .model_id(&parts.model_id)
            .set_system(Some(parts.system.clone()))
            .set_messages(Some(messages.to_vec()))
            .set_tool_config(parts.tool_config.clone())
            .set_inference_config(parts.inference_config.clone())
            .set_guardrail_config(parts.guardrail_config.clone())
            .send()
            .await
            .map_err(|error| classify(error, &self.endpoint))?;
        let message = match response.output() {
            Some(OutputKind::Message(message)) => message_from_sdk(message),
            _ => {
                return Err(Failure::Malformed(
                    "the reply has no `output.message`".into(),
                ));
            }
        };
        let usage = response.usage().map_or_else(Usage::default, |u| Usage {
            input_tokens: u.input_tokens().max(0) as u64,
            output_tokens: u.output_tokens().max(0) as u64,
            cache_read_input_tokens: u.cache_read_input_tokens().unwrap_or(0).max(0) as u64,
            cache_write_input_tokens: u.cache_write_input_tokens().unwrap_or(0).max(0) as u64,
        });
        Ok(Reply {
            message,
            stop_reason: response.stop_reason().as_str().to_string(),
            usage,
            latency_ms: 0.0,
            attempts: 0,
        })
    }
}

/// Sort an SDK error into retried, reported, or unreadable.
fn classify(
    error: SdkError<ConverseError, aws_sdk_bedrockruntime::config::http::HttpResponse>,
    endpoint: &str,
) -> Failure {
    match &error {
        SdkError::TimeoutError(_) => {
            Failure::Transient(format!("the request to {endpoint} timed out"))
        }
        SdkError::DispatchFailure(failure) if failure.is_timeout() || failure.is_io() => {
            Failure::Transient(format!(
                "could not reach {endpoint}: {}",
                crate::diag::root_cause(&error)
            ))
        }
        SdkError::ResponseError(_) => Failure::Malformed(describe(&error)),
        SdkError::ServiceError(service) => {
            let status = service.raw().status().as_u16();
            let err = service.err();
            let message = format!(
                "{}: {}",
                err.code().unwrap_or("error"),
                err.message().unwrap_or("no message")
            );
            let transient_code = matches!(
                err,
                ConverseError::ThrottlingException(_)
                    | ConverseError::ServiceUnavailableException(_)
                    | ConverseError::InternalServerException(_)
                    | ConverseError::ModelNotReadyException(_)
                    | ConverseError::ModelTimeoutException(_)
            );
            if (200..300).contains(&status) {
                Failure::Malformed(format!("{} (HTTP {status})", describe(&error)))
            } else if transient_code || status == 429 || status == 408 || status >= 500 {
                Failure::Transient(format!("{message} (HTTP {status})"))
            } else {
                Failure::Permanent(format!("{message} (HTTP {status})"))
            }
        }
        _ => Failure::Permanent(describe(&error)),
    }
}

/// The error and its sources on one line (the SDK's Display alone says only "service error").
fn describe(error: &dyn std::error::Error) -> String {
    crate::diag::error_chain(error)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    /// A Converse client for a loopback endpoint, with the SDK's retries off as in `run`.
    fn client_for(endpoint: &str) -> aws_sdk_bedrockruntime::Client {
        let config = aws_sdk_bedrockruntime::Config::builder()
            .behavior_version(aws_sdk_bedrockruntime::config::BehaviorVersion::latest())
            .endpoint_url(endpoint)
            .region(aws_sdk_bedrockruntime::config::Region::new("us-east-1"))
            .credentials_provider(aws_credential_types::Credentials::new(
                "AKIDTEST", "secret", None, None, "test",
            ))
            .retry_config(aws_config::retry::RetryConfig::disabled())
            .build();
        aws_sdk_bedrockruntime::Client::from_conf(config)
    }

    fn parts() -> RequestParts {
        RequestParts {
            model_id: "test-model".into(),
            system: Vec::new(),
            tool_config: None,
            inference_config: None,
            guardrail_config: None,
        }
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
        let model = ModelClient::new(client_for(&endpoint), parts(), policy);
        let started = Instant::now();
        match model.call(&[]).await {
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
        let model = ModelClient::new(client_for(&endpoint), parts(), policy);
        let error = model.call(&[]).await.unwrap_err();
        assert!(
            matches!(error, ModelError::Deadline { attempts: 1, .. }),
            "{error:?}"
        );
        assert!(error.to_string().contains("within 0.3 s"), "{error}");
        assert!(started.elapsed() < Duration::from_secs(10));
    }
}
