//! The harness operations over the wire: REST-JSON requests signed with SigV4 by `aws-sigv4`
//! (the SDK's own signer) and sent with `reqwest`, instead of the generated
//! `aws-sdk-bedrockagentcorecontrol` crate, which covers all of AgentCore's control plane and
//! costs far more to build than the eleven operations used here (README, "Why no harness SDK").
//!
//! What the generated client does and this one must do too, each taken from the service model:
//! signing name `bedrock-agentcore`; endpoint `AWS_ENDPOINT_URL_BEDROCK_AGENTCORE_CONTROL`, then
//! `AWS_ENDPOINT_URL` (or the profile's `endpoint_url`), then
//! `https://bedrock-agentcore-control.<region>.amazonaws.com`; the error type from the
//! `x-amzn-ErrorType` header, else the body's `code`/`__type`, with any `:…` suffix or `…#`
//! namespace trimmed; and standard retries of throttling, 5xx and lost replies.

use super::api::{
    ApiError, ApiResult, EndpointRecord, EndpointRequest, HarnessApi, HarnessRecord,
    HarnessSummary, Page,
};
use crate::signed::{SignError, Signer};
use serde_json::{Map, Value, json};
use std::collections::BTreeMap;
use std::time::Duration;

/// The service as the SDK's endpoint configuration and errors name it.
pub const SERVICE: crate::aws::Service = crate::aws::Service {
    name: "the AgentCore control plane",
    env: "BEDROCK_AGENTCORE_CONTROL",
    host: "bedrock-agentcore-control",
};

/// The SigV4 signing name of `bedrock-agentcore-control` (its model's `signingName`).
const SIGNING_NAME: &str = "bedrock-agentcore";

/// ListHarnesses / ListHarnessEndpoints page size (the model allows 1–100).
const PAGE_SIZE: u32 = 100;

/// Attempts per call, as the SDK's standard retry mode.
const ATTEMPTS: u32 = 3;

/// A reply bigger than this is not a harness (the largest is a few hundred KiB of tools).
const MAX_REPLY_BYTES: usize = 16 * 1024 * 1024;

use crate::signed::encode;

/// The AgentCore control-plane client.
pub struct AgentCoreControl {
    signer: Signer,
    base: String,
    http: reqwest::Client,
}

impl AgentCoreControl {
    pub async fn connect(region: Option<&str>, profile: Option<&str>) -> Self {
        Self::from_config(crate::aws::sdk_config(region, profile).await)
    }

    pub fn from_config(config: aws_config::SdkConfig) -> Self {
        let base = base_url(&config);
        let http = crate::signed::http_client(&base, Duration::from_secs(60)).unwrap_or_default();
        AgentCoreControl {
            signer: Signer::new(config, SIGNING_NAME),
            base,
            http,
        }
    }

    /// Where requests go, for error messages.
    pub fn endpoint(&self) -> String {
        crate::aws::endpoint(self.signer.config(), SERVICE)
    }

    /// One operation: sign, send, retry what the SDK would retry, read the JSON reply.
    async fn call(
        &self,
        operation: &str,
        method: &str,
        path_and_query: &str,
        body: Option<&Value>,
    ) -> ApiResult<Value> {
        let body = body.map(Value::to_string).unwrap_or_default();
        let mut last = ApiError::new("NoResponse", format!("{operation}: no attempt made"));
        for attempt in 0..ATTEMPTS {
            if attempt > 0 {
                tokio::time::sleep(Duration::from_millis(100 << (2 * attempt))).await;
            }
            match self.attempt(operation, method, path_and_query, &body).await {
                Ok(value) => return Ok(value),
                Err((error, retryable)) => {
                    last = error;
                    if !retryable {
                        break;
                    }
                }
            }
        }
        Err(last)
    }

    async fn attempt(
        &self,
        operation: &str,
        method: &str,
        path_and_query: &str,
        body: &str,
    ) -> Result<Value, (ApiError, bool)> {
        let final_error = |code: &str, message: String| (ApiError::new(code, message), false);
        let url = format!("{}{path_and_query}", self.base);
        let content_type = [("content-type", "application/json")];
        let headers = if body.is_empty() {
            &[][..]
        } else {
            &content_type[..]
        };
        let instructions = self
            .signer
            .sign(method, &url, headers, body.as_bytes())
            .await
            .map_err(|e| match e {
                SignError::NoRegion => final_error("NoRegion", e.to_string()),
                SignError::NoCredentials(_) => final_error("NoCredentials", e.to_string()),
                SignError::Invalid(_) => final_error("InvalidRequest", e.to_string()),
            })?;
        let method = reqwest::Method::from_bytes(method.as_bytes())
            .map_err(|e| final_error("InvalidRequest", e.to_string()))?;
        let mut request = self.http.request(method, &url);
        for (name, value) in headers.iter().copied().chain(instructions.headers()) {
            request = request.header(name, value);
        }
        if !body.is_empty() {
            request = request.body(body.to_string());
        }
        let lost = |e: reqwest::Error| {
            (
                ApiError::new(
                    "NoResponse",
                    format!("{operation}: {}", crate::diag::error_chain(&e)),
                ),
                true,
            )
        };
        let response = request.send().await.map_err(lost)?;
        let status = response.status().as_u16();
        let error_type = crate::signed::error_type(&response);
        let bytes = response.bytes().await.map_err(lost)?;
        if bytes.len() > MAX_REPLY_BYTES {
            return Err(final_error(
                "TooLarge",
                format!("{operation} answered more than {MAX_REPLY_BYTES} bytes"),
            ));
        }
        let value: Value = if bytes.is_empty() {
            json!({})
        } else {
            serde_json::from_slice(&bytes).unwrap_or(Value::Null)
        };
        if (200..300).contains(&status) {
            return Ok(value);
        }
        let error = service_error(status, error_type.as_deref(), &value);
        let retryable = status == 429
            || status >= 500
            || matches!(
                error.code.as_str(),
                "ThrottlingException" | "InternalServerException"
            );
        Err((error, retryable))
    }
}

/// The error a non-2xx reply carries, as the SDK's REST-JSON error parser reads it.
fn service_error(status: u16, header: Option<&str>, body: &Value) -> ApiError {
    let (code, message) = crate::signed::rest_json_error(header, body);
    ApiError {
        code: code.map_or_else(|| format!("HTTP {status}"), str::to_string),
        message: message.unwrap_or("(no message)").to_string(),
    }
}

/// The configured endpoint or the Region's default host, without a trailing `/`.
fn base_url(config: &aws_config::SdkConfig) -> String {
    crate::aws::base_url(config, SERVICE)
}

fn malformed(operation: &str, what: &str) -> ApiError {
    ApiError::new(
        "MalformedReply",
        format!("{operation} answered without {what}"),
    )
}

fn harness_of(operation: &str, reply: &Value) -> ApiResult<HarnessRecord> {
    reply
        .get("harness")
        .and_then(HarnessRecord::from_json)
        .ok_or_else(|| malformed(operation, "a harness"))
}

fn endpoint_of(operation: &str, reply: &Value) -> ApiResult<EndpointRecord> {
    reply
        .get("endpoint")
        .and_then(EndpointRecord::from_json)
        .ok_or_else(|| malformed(operation, "an endpoint"))
}

fn next_token(reply: &Value) -> Option<String> {
    reply
        .get("nextToken")
        .and_then(Value::as_str)
        .filter(|t| !t.is_empty())
        .map(str::to_string)
}

fn page_query(next: Option<&str>) -> String {
    match next {
        Some(token) => format!("?maxResults={PAGE_SIZE}&nextToken={}", encode(token)),
        None => format!("?maxResults={PAGE_SIZE}"),
    }
}

/// `None` for ResourceNotFoundException.
fn found<T>(result: ApiResult<T>) -> ApiResult<Option<T>> {
    match result {
        Ok(value) => Ok(Some(value)),
        Err(e) if e.is_not_found() => Ok(None),
        Err(e) => Err(e),
    }
}

impl HarnessApi for AgentCoreControl {
    async fn list_harnesses(&self, next: Option<String>) -> ApiResult<Page<HarnessSummary>> {
        let op = "ListHarnesses";
        let path = format!("/harnesses{}", page_query(next.as_deref()));
        let reply = self.call(op, "GET", &path, None).await?;
        let items = reply
            .get("harnesses")
            .and_then(Value::as_array)
            .ok_or_else(|| malformed(op, "`harnesses`"))?
            .iter()
            .filter_map(|h| {
                Some(HarnessSummary {
                    id: h.get("harnessId")?.as_str()?.to_string(),
                    name: h.get("harnessName")?.as_str()?.to_string(),
                    status: h.get("status")?.as_str()?.to_string(),
                })
            })
            .collect();
        Ok(Page {
            items,
            next_token: next_token(&reply),
        })
    }

    async fn get_harness(&self, harness_id: &str) -> ApiResult<Option<HarnessRecord>> {
        let op = "GetHarness";
        let path = format!("/harnesses/{}", encode(harness_id));
        found(async { harness_of(op, &self.call(op, "GET", &path, None).await?) }.await)
    }

    async fn create_harness(
        &self,
        request: &Map<String, Value>,
        tags: &BTreeMap<String, String>,
        client_token: &str,
    ) -> ApiResult<HarnessRecord> {
        let op = "CreateHarness";
        let mut body = request.clone();
        body.insert("clientToken".into(), json!(client_token));
        if !tags.is_empty() {
            body.insert("tags".into(), json!(tags));
        }
        let reply = self
            .call(op, "POST", "/harnesses", Some(&Value::Object(body)))
            .await?;
        harness_of(op, &reply)
    }

    async fn update_harness(
        &self,
        harness_id: &str,
        patch: &Map<String, Value>,
        client_token: &str,
    ) -> ApiResult<HarnessRecord> {
        let op = "UpdateHarness";
        let mut body = patch.clone();
        body.insert("clientToken".into(), json!(client_token));
        let path = format!("/harnesses/{}", encode(harness_id));
        let reply = self
            .call(op, "PATCH", &path, Some(&Value::Object(body)))
            .await?;
        harness_of(op, &reply)
    }

    async fn delete_harness(&self, harness_id: &str, client_token: &str) -> ApiResult<()> {
        let path = format!(
            "/harnesses/{}?clientToken={}&deleteManagedMemory=true",
            encode(harness_id),
            encode(client_token)
        );
        self.call("DeleteHarness", "DELETE", &path, None).await?;
        Ok(())
    }

    async fn list_tags(&self, arn: &str) -> ApiResult<BTreeMap<String, String>> {
        let op = "ListTagsForResource";
        let reply = self
            .call(op, "GET", &format!("/tags/{}", encode(arn)), None)
            .await?;
        Ok(reply
            .get("tags")
            .and_then(Value::as_object)
            .map(|tags| {
                tags.iter()
                    .filter_map(|(k, v)| Some((k.clone(), v.as_str()?.to_string())))
                    .collect()
            })
            .unwrap_or_default())
    }

    async fn tag(&self, arn: &str, tags: &BTreeMap<String, String>) -> ApiResult<()> {
        let body = json!({ "tags": tags });
        self.call(
            "TagResource",
            "POST",
            &format!("/tags/{}", encode(arn)),
            Some(&body),
        )
        .await?;
        Ok(())
    }

    async fn untag(&self, arn: &str, keys: &[String]) -> ApiResult<()> {
        let query: Vec<String> = keys
            .iter()
            .map(|k| format!("tagKeys={}", encode(k)))
            .collect();
        let path = format!("/tags/{}?{}", encode(arn), query.join("&"));
        self.call("UntagResource", "DELETE", &path, None).await?;
        Ok(())
    }

    async fn list_endpoints(
        &self,
        harness_id: &str,
        next: Option<String>,
    ) -> ApiResult<Page<EndpointRecord>> {
        let op = "ListHarnessEndpoints";
        let path = format!(
            "/harnesses/{}/endpoints{}",
            encode(harness_id),
            page_query(next.as_deref())
        );
        let reply = self.call(op, "GET", &path, None).await?;
        let items = reply
            .get("endpoints")
            .and_then(Value::as_array)
            .ok_or_else(|| malformed(op, "`endpoints`"))?
            .iter()
            .filter_map(EndpointRecord::from_json)
            .collect();
        Ok(Page {
            items,
            next_token: next_token(&reply),
        })
    }

    async fn get_endpoint(
        &self,
        harness_id: &str,
        name: &str,
    ) -> ApiResult<Option<EndpointRecord>> {
        let op = "GetHarnessEndpoint";
        let path = format!(
            "/harnesses/{}/endpoints/{}",
            encode(harness_id),
            encode(name)
        );
        found(async { endpoint_of(op, &self.call(op, "GET", &path, None).await?) }.await)
    }

    async fn create_endpoint(
        &self,
        harness_id: &str,
        endpoint: &EndpointRequest,
        tags: &BTreeMap<String, String>,
        client_token: &str,
    ) -> ApiResult<EndpointRecord> {
        let op = "CreateHarnessEndpoint";
        let mut body = json!({
            "endpointName": endpoint.name,
            "targetVersion": endpoint.target_version,
            "clientToken": client_token,
        });
        if let Some(description) = &endpoint.description {
            body["description"] = json!(description);
        }
        if !tags.is_empty() {
            body["tags"] = json!(tags);
        }
        let path = format!("/harnesses/{}/endpoints", encode(harness_id));
        endpoint_of(op, &self.call(op, "POST", &path, Some(&body)).await?)
    }

    async fn update_endpoint(
        &self,
        harness_id: &str,
        endpoint: &EndpointRequest,
        client_token: &str,
    ) -> ApiResult<EndpointRecord> {
        let op = "UpdateHarnessEndpoint";
        let mut body = json!({
            "targetVersion": endpoint.target_version,
            "clientToken": client_token,
        });
        if let Some(description) = &endpoint.description {
            body["description"] = json!(description);
        }
        let path = format!(
            "/harnesses/{}/endpoints/{}",
            encode(harness_id),
            encode(&endpoint.name)
        );
        endpoint_of(op, &self.call(op, "PATCH", &path, Some(&body)).await?)
    }

    async fn delete_endpoint(
        &self,
        harness_id: &str,
        name: &str,
        client_token: &str,
    ) -> ApiResult<()> {
        let path = format!(
            "/harnesses/{}/endpoints/{}?clientToken={}",
            encode(harness_id),
            encode(name),
            encode(client_token)
        );
        self.call("DeleteHarnessEndpoint", "DELETE", &path, None)
            .await?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_types_come_from_the_header_then_the_body_and_are_trimmed() {
        let body = json!({"__type": "com.amazon#ValidationException", "message": "bad"});
        assert_eq!(
            service_error(400, None, &body),
            ApiError::new("ValidationException", "bad")
        );
        assert_eq!(
            service_error(409, Some("ConflictException:http://x"), &json!({})).code,
            "ConflictException"
        );
        assert_eq!(service_error(502, None, &Value::Null).code, "HTTP 502");
    }

    #[test]
    fn labels_and_query_values_are_percent_encoded() {
        assert_eq!(
            encode("arn:aws:bedrock-agentcore:us-east-1:1:harness/h-1"),
            "arn%3Aaws%3Abedrock-agentcore%3Aus-east-1%3A1%3Aharness%2Fh-1"
        );
        assert_eq!(page_query(Some("a+b")), "?maxResults=100&nextToken=a%2Bb");
    }

    #[test]
    fn the_default_endpoint_is_the_regions_control_plane_host() {
        let config = aws_config::SdkConfig::builder()
            .region(aws_config::Region::new("eu-west-1"))
            .build();
        // Only when the environment does not configure one (CI may point the tests elsewhere).
        if std::env::var("AWS_ENDPOINT_URL_BEDROCK_AGENTCORE_CONTROL").is_err() {
            assert_eq!(
                base_url(&config),
                "https://bedrock-agentcore-control.eu-west-1.amazonaws.com"
            );
        }
        let local = aws_config::SdkConfig::builder()
            .endpoint_url("http://127.0.0.1:9/")
            .build();
        if std::env::var("AWS_ENDPOINT_URL_BEDROCK_AGENTCORE_CONTROL").is_err() {
            assert_eq!(base_url(&local), "http://127.0.0.1:9");
        }
    }
}
