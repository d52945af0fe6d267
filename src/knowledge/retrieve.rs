//! The bedrock-agent-runtime `Retrieve` call (`POST /knowledgebases/{knowledgeBaseId}/retrieve`,
//! rest-json, SigV4 with signing name `bedrock`): a thin client, signed by `aws-sigv4` over
//! `reqwest` as `agents::s3` signs, with the credentials and Region of the run's AWS
//! configuration. The endpoint is `AWS_ENDPOINT_URL_BEDROCK_AGENT_RUNTIME`, then
//! `AWS_ENDPOINT_URL`, then the Region's default host. Throttling and server errors are retried
//! with agentc's one retry policy; every other failure is named with what to do.

use super::{KnowledgeBaseTool, Passage};
use crate::direct::retry::{RetryPolicy, TimedOut, retry};
use crate::signed::{ReadError, Signer, read_capped};
use std::time::{Duration, Instant};

/// A Retrieve response is a handful of passages; anything this big is not one.
const MAX_RESPONSE_BYTES: usize = 16 * 1024 * 1024;

/// What one retrieval returned.
#[derive(Debug, Clone, PartialEq)]
pub struct Retrieved {
    pub passages: Vec<Passage>,
    /// Wall time, retries included.
    pub latency_ms: f64,
    pub attempts: u32,
}

/// Why a retrieval failed.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum RetrieveError {
    #[error(
        "knowledge base `{id}` was not found ({code}: {message}); check the id and that the run uses the knowledge base's Region"
    )]
    NotFound {
        id: String,
        code: String,
        message: String,
    },
    #[error(
        "Retrieve on knowledge base `{id}` was throttled or failed transiently {attempts} times in a row ({code}: {message}); wait and ask again, or request a higher Retrieve quota"
    )]
    Transient {
        id: String,
        code: String,
        message: String,
        attempts: u32,
    },
    #[error(
        "Retrieve on knowledge base `{id}` was refused ({code}, HTTP {status}: {message}); {advice}"
    )]
    Rejected {
        id: String,
        code: String,
        status: u16,
        message: String,
        advice: &'static str,
    },
    #[error("could not query knowledge base `{id}`: {message}")]
    Unavailable { id: String, message: String },
    #[error("knowledge base `{id}` sent a Retrieve response agentc cannot read: {message}")]
    Malformed { id: String, message: String },
}

/// A Retrieve client for one run: the AWS configuration and an HTTP client made on first use.
pub struct RetrieveClient {
    signer: Signer,
    retry: RetryPolicy,
    http: tokio::sync::OnceCell<Result<reqwest::Client, String>>,
}

enum Failure {
    Transient {
        code: String,
        message: String,
    },
    NotFound {
        code: String,
        message: String,
    },
    Rejected {
        code: String,
        status: u16,
        message: String,
    },
    Unavailable(String),
    Malformed(String),
}

impl RetrieveClient {
    pub fn new(config: aws_config::SdkConfig, retry: RetryPolicy) -> Self {
        Self {
            signer: Signer::new(config, "bedrock"),
            retry,
            http: tokio::sync::OnceCell::new(),
        }
    }

    /// The URL of the Retrieve operation on `id`.
    pub fn url(&self, id: &str) -> Result<String, String> {
        let config = self.signer.config();
        if crate::aws::configured_endpoint(config, crate::aws::BEDROCK_AGENT_RUNTIME).is_none()
            && config.region().is_none()
        {
            return Err("no AWS Region is configured (--region or AWS_REGION)".into());
        }
        let base = crate::aws::base_url(config, crate::aws::BEDROCK_AGENT_RUNTIME);
        // An ARN id has `:` and `/`, which the path segment must carry encoded.
        Ok(format!(
            "{base}/knowledgebases/{}/retrieve",
            crate::signed::encode(id)
        ))
    }

    /// Query `kb` and return its top passages.
    pub async fn retrieve(
        &self,
        kb: &KnowledgeBaseTool,
        query: &str,
    ) -> Result<Retrieved, RetrieveError> {
        let id = kb.knowledge_base_id.clone();
        let started = Instant::now();
        let url = self
            .url(&id)
            .map_err(|message| RetrieveError::Unavailable {
                id: id.clone(),
                message,
            })?;
        let body = kb.request_body(query).to_string();
        let (result, attempts) = retry(
            &self.retry,
            || self.attempt(&url, &body),
            |f| matches!(f, Failure::Transient { .. }),
            |clock| match clock {
                TimedOut::Attempt(after) => Failure::Transient {
                    code: "Timeout".into(),
                    message: format!("no answer within {} s", after.as_secs_f64()),
                },
                TimedOut::Deadline(after) => Failure::Unavailable(format!(
                    "no answer from {url} within {} s, retries included",
                    after.as_secs_f64()
                )),
            },
        )
        .await;
        let latency_ms = started.elapsed().as_secs_f64() * 1000.0;
        match result {
            Ok(passages) => Ok(Retrieved {
                passages,
                latency_ms,
                attempts,
            }),
            Err(Failure::Transient { code, message }) => Err(RetrieveError::Transient {
                id,
                code,
                message,
                attempts,
            }),
            Err(Failure::NotFound { code, message }) => {
                Err(RetrieveError::NotFound { id, code, message })
            }
            Err(Failure::Rejected {
                code,
                status,
                message,
            }) => Err(RetrieveError::Rejected {
                id,
                advice: advice(&code, status),
                code,
                status,
                message,
            }),
            Err(Failure::Unavailable(message)) => Err(RetrieveError::Unavailable { id, message }),
            Err(Failure::Malformed(message)) => Err(RetrieveError::Malformed { id, message }),
        }
    }

    async fn client(&self, url: &str) -> Result<&reqwest::Client, Failure> {
        self.http
            .get_or_init(
                || async move { crate::signed::http_client(url, Duration::from_secs(600)) },
            )
            .await
            .as_ref()
            .map_err(|e| Failure::Unavailable(format!("cannot create an HTTP client: {e}")))
    }

    async fn attempt(&self, url: &str, body: &str) -> Result<Vec<Passage>, Failure> {
        let headers = [("content-type", "application/json")];
        let instructions = self
            .signer
            .sign("POST", url, &headers, body.as_bytes())
            .await
            .map_err(|e| Failure::Unavailable(e.to_string()))?;

        let client = self.client(url).await?;
        let mut request = client
            .post(url)
            .header("content-type", "application/json")
            .body(body.to_string());
        for (name, value) in instructions.headers() {
            request = request.header(name, value);
        }
        let response = request.send().await.map_err(|e| {
            let message = format!("POST {url}: {}", crate::diag::error_chain(&e));
            if e.is_timeout() || e.is_connect() {
                Failure::Transient {
                    code: "NoResponse".into(),
                    message,
                }
            } else {
                Failure::Unavailable(message)
            }
        })?;
        let status = response.status().as_u16();
        let error_type = crate::signed::error_type(&response);
        let bytes = match read_capped(response, MAX_RESPONSE_BYTES).await {
            Ok(bytes) => bytes,
            Err(ReadError::TooLarge(max)) => {
                return Err(Failure::Malformed(format!(
                    "the response is over {max} bytes"
                )));
            }
            Err(ReadError::Lost(e)) => {
                return Err(Failure::Unavailable(format!("POST {url}: {e}")));
            }
        };
        let json: Option<serde_json::Value> = serde_json::from_slice(&bytes).ok();
        if !(200..300).contains(&status) {
            let body = json.unwrap_or(serde_json::Value::Null);
            let (code, message) = crate::signed::rest_json_error(error_type.as_deref(), &body);
            let code = code.map_or_else(|| format!("HTTP{status}"), str::to_string);
            let message = message.unwrap_or("no message").to_string();
            return Err(
                if status == 429 || status >= 500 || code.starts_with("Throttling") {
                    Failure::Transient {
                        code,
                        message: format!("{message} (HTTP {status})"),
                    }
                } else if status == 404 || code == "ResourceNotFoundException" {
                    Failure::NotFound { code, message }
                } else {
                    Failure::Rejected {
                        code,
                        status,
                        message,
                    }
                },
            );
        }
        json.as_ref()
            .and_then(super::passages)
            .ok_or_else(|| Failure::Malformed("it has no `retrievalResults` list".into()))
    }
}

/// What to do about a refused Retrieve, by its error code.
fn advice(code: &str, status: u16) -> &'static str {
    match (code, status) {
        ("AccessDeniedException", _) | (_, 403) => {
            "give the run's credentials `bedrock:Retrieve` on the knowledge base"
        }
        ("ValidationException", _) => {
            "check the knowledge base's `number_of_results` and `search_type` in the spec"
        }
        ("ServiceQuotaExceededException", _) => "request a higher quota, or query less often",
        _ => "check the knowledge base and its data source in the Bedrock console",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(endpoint: Option<&str>) -> aws_config::SdkConfig {
        let mut builder =
            aws_config::SdkConfig::builder().region(aws_config::Region::new("eu-west-1"));
        if let Some(url) = endpoint {
            builder = builder.endpoint_url(url);
        }
        builder.build()
    }

    #[test]
    fn the_url_puts_the_encoded_id_in_the_path() {
        let client =
            RetrieveClient::new(config(Some("http://127.0.0.1:9/")), RetryPolicy::default());
        assert_eq!(
            client.url("KB12345678").unwrap(),
            "http://127.0.0.1:9/knowledgebases/KB12345678/retrieve"
        );
        assert_eq!(
            client
                .url("arn:aws:bedrock:us-east-1:123456789012:knowledge-base/KB12345678")
                .unwrap(),
            "http://127.0.0.1:9/knowledgebases/arn%3Aaws%3Abedrock%3Aus-east-1%3A123456789012%3Aknowledge-base%2FKB12345678/retrieve"
        );
    }
}
