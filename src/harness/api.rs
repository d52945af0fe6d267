//! The harness operations of the AgentCore control plane (`bedrock-agentcore-control`,
//! REST-JSON, API 2023-06-05) that agentc uses, in agentc's own types. Planning and applying
//! are written against [`HarnessApi`], so the wire client (`http.rs`) is one file and the
//! deploy logic can be tested in memory.
//!
//! A harness's configuration travels as the service's own JSON members (`model`,
//! `systemPrompt`, `tools`, …): the desired side is the CreateHarness request the compile step
//! builds, the remote side is what GetHarness returns, and the plan diffs them member by
//! member, which is also the unit UpdateHarness patches.

#![allow(
    async_fn_in_trait,
    reason = "only used with concrete types, never as `dyn`"
)]

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use std::collections::BTreeMap;

/// A failed call, as the service reported it (`x-amzn-ErrorType` or the body's `__type`/`code`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    /// The error type, e.g. `ConflictException`, or `NoResponse` when no reply came.
    pub code: String,
    pub message: String,
}

impl ApiError {
    pub fn new(code: &str, message: impl Into<String>) -> Self {
        ApiError {
            code: code.to_string(),
            message: message.into(),
        }
    }
    pub fn is_not_found(&self) -> bool {
        self.code == "ResourceNotFoundException"
    }
    pub fn is_conflict(&self) -> bool {
        self.code == "ConflictException"
    }
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.code, self.message)
    }
}

pub type ApiResult<T> = Result<T, ApiError>;

/// One page of a list operation.
#[derive(Debug, Clone)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub next_token: Option<String>,
}

/// A `HarnessSummary` of ListHarnesses.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HarnessSummary {
    pub id: String,
    pub name: String,
    pub status: String,
}

/// Members of the `Harness` shape that describe the resource rather than configure it: they
/// are kept out of [`HarnessRecord::config`] so the diff sees configuration only.
pub const STATE_MEMBERS: [&str; 8] = [
    "harnessId",
    "harnessName",
    "arn",
    "status",
    "harnessVersion",
    "createdAt",
    "updatedAt",
    "failureReason",
];

/// A harness as GetHarness (or Create/Update) returns it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HarnessRecord {
    pub id: String,
    pub name: String,
    pub arn: String,
    /// `CREATING | CREATE_FAILED | UPDATING | UPDATE_FAILED | READY | DELETING | DELETE_FAILED`.
    pub status: String,
    /// `1`…`99999`, bumped by every successful UpdateHarness.
    pub version: String,
    pub failure_reason: Option<String>,
    /// Every configuration member as the service returned it (service member names).
    pub config: Map<String, Value>,
}

impl HarnessRecord {
    /// Read a `Harness` structure; `None` when a member every harness has is missing.
    pub fn from_json(harness: &Value) -> Option<HarnessRecord> {
        let object = harness.as_object()?;
        let text = |key: &str| object.get(key).and_then(Value::as_str).map(str::to_string);
        let config = object
            .iter()
            .filter(|(k, _)| !STATE_MEMBERS.contains(&k.as_str()))
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        Some(HarnessRecord {
            id: text("harnessId")?,
            name: text("harnessName")?,
            arn: text("arn")?,
            status: text("status")?,
            version: text("harnessVersion").unwrap_or_else(|| "1".into()),
            failure_reason: text("failureReason"),
            config,
        })
    }

    /// The ARN of the AgentCore Runtime behind the harness (`environment.
    /// agentCoreRuntimeEnvironment.agentRuntimeArn`), which owns its runtime sessions.
    pub fn runtime_arn(&self) -> Option<&str> {
        self.config
            .get("environment")?
            .get("agentCoreRuntimeEnvironment")?
            .get("agentRuntimeArn")?
            .as_str()
    }
}

/// A `HarnessEndpoint`: a named pointer to one harness version (the alias analogue).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EndpointRecord {
    pub name: String,
    pub arn: String,
    pub status: String,
    /// The version it serves now.
    pub live_version: Option<String>,
    /// The version it is moving to (equal to `live_version` once READY).
    pub target_version: Option<String>,
    pub description: Option<String>,
    pub failure_reason: Option<String>,
}

impl EndpointRecord {
    pub fn from_json(endpoint: &Value) -> Option<EndpointRecord> {
        let object = endpoint.as_object()?;
        let text = |key: &str| object.get(key).and_then(Value::as_str).map(str::to_string);
        Some(EndpointRecord {
            name: text("endpointName")?,
            arn: text("arn").unwrap_or_default(),
            status: text("status")?,
            live_version: text("liveVersion"),
            target_version: text("targetVersion"),
            description: text("description"),
            failure_reason: text("failureReason"),
        })
    }
}

pub trait HarnessApi {
    /// ListHarnesses, one page.
    async fn list_harnesses(&self, next_token: Option<String>) -> ApiResult<Page<HarnessSummary>>;
    /// GetHarness (latest version); `None` when it does not exist.
    async fn get_harness(&self, harness_id: &str) -> ApiResult<Option<HarnessRecord>>;
    /// CreateHarness with `request` (the CreateHarness members, without `clientToken` and
    /// `tags`, which are passed here).
    async fn create_harness(
        &self,
        request: &Map<String, Value>,
        tags: &BTreeMap<String, String>,
        client_token: &str,
    ) -> ApiResult<HarnessRecord>;
    /// UpdateHarness with `patch`: only the members to change (PATCH: omitted = keep).
    async fn update_harness(
        &self,
        harness_id: &str,
        patch: &Map<String, Value>,
        client_token: &str,
    ) -> ApiResult<HarnessRecord>;
    /// DeleteHarness, with the managed memory it created.
    async fn delete_harness(&self, harness_id: &str, client_token: &str) -> ApiResult<()>;

    async fn list_tags(&self, arn: &str) -> ApiResult<BTreeMap<String, String>>;
    async fn tag(&self, arn: &str, tags: &BTreeMap<String, String>) -> ApiResult<()>;
    async fn untag(&self, arn: &str, keys: &[String]) -> ApiResult<()>;

    async fn list_endpoints(
        &self,
        harness_id: &str,
        next_token: Option<String>,
    ) -> ApiResult<Page<EndpointRecord>>;
    /// GetHarnessEndpoint; `None` when it does not exist.
    async fn get_endpoint(&self, harness_id: &str, name: &str)
    -> ApiResult<Option<EndpointRecord>>;
    async fn create_endpoint(
        &self,
        harness_id: &str,
        endpoint: &EndpointRequest,
        tags: &BTreeMap<String, String>,
        client_token: &str,
    ) -> ApiResult<EndpointRecord>;
    async fn update_endpoint(
        &self,
        harness_id: &str,
        endpoint: &EndpointRequest,
        client_token: &str,
    ) -> ApiResult<EndpointRecord>;
    async fn delete_endpoint(
        &self,
        harness_id: &str,
        name: &str,
        client_token: &str,
    ) -> ApiResult<()>;
}

/// What CreateHarnessEndpoint / UpdateHarnessEndpoint send.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EndpointRequest {
    pub name: String,
    pub target_version: String,
    pub description: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_harness_splits_into_state_and_configuration() {
        let record = HarnessRecord::from_json(&json!({
            "harnessId": "h-abcdefghij", "harnessName": "h", "arn": "arn:x", "status": "READY",
            "harnessVersion": "3", "executionRoleArn": "arn:role", "createdAt": 1.0,
            "maxIterations": 10, "tools": []
        }))
        .unwrap();
        assert_eq!(record.version, "3");
        assert_eq!(
            Value::Object(record.config),
            json!({"executionRoleArn": "arn:role", "maxIterations": 10, "tools": []})
        );
        assert!(HarnessRecord::from_json(&json!({"harnessName": "h"})).is_none());
    }
}
