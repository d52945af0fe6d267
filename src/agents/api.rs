//! The bedrock-agent operations agentc uses, in agentc's own types. Planning and applying are
//! written against this trait, so the AWS SDK stays in one file (aws.rs) and the logic reads as
//! the steps it takes.

#![allow(
    async_fn_in_trait,
    reason = "only used with concrete types, never as `dyn`"
)]

use super::desired::{ActionGroupConfig, AgentConfig, KnowledgeBaseConfig};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// A failed call, as the service reported it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    /// The error type, e.g. `ConflictException`, or `Network` when no reply came.
    pub code: String,
    pub message: String,
}

impl ApiError {
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

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AgentSummary {
    pub id: String,
    pub name: String,
}

/// The agent as GetAgent returns it, normalised into agentc's config.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AgentRecord {
    pub id: String,
    pub arn: String,
    pub status: String,
    pub failure_reasons: Vec<String>,
    pub recommended_actions: Vec<String>,
    /// Milliseconds since the epoch.
    pub updated_at_ms: i64,
    pub prepared_at_ms: Option<i64>,
    pub config: AgentConfig,
    /// Settings the spec does not describe, sent back unchanged on every UpdateAgent (which
    /// replaces the agent's settings as a whole), so a deploy never resets them.
    #[serde(default)]
    pub kept: KeptAgentSettings,
}

/// Multi-agent collaboration and custom orchestration: read, kept, reported by import, never
/// changed by agentc.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct KeptAgentSettings {
    /// `SUPERVISOR`, `SUPERVISOR_ROUTER` or `DISABLED`.
    pub agent_collaboration: Option<String>,
    /// `DEFAULT` or `CUSTOM_ORCHESTRATION`.
    pub orchestration_type: Option<String>,
    /// The Lambda of a custom orchestration.
    pub custom_orchestration_lambda: Option<String>,
}

impl KeptAgentSettings {
    /// What import cannot write into a spec, one phrase each (defaults are not worth a word).
    pub fn describe(&self) -> Vec<String> {
        let mut out = Vec::new();
        if let Some(mode) = self
            .agent_collaboration
            .as_deref()
            .filter(|m| *m != "DISABLED")
        {
            out.push(format!(
                "multi-agent collaboration ({mode}) and its collaborators"
            ));
        }
        if self.orchestration_type.as_deref() == Some("CUSTOM_ORCHESTRATION") {
            out.push(format!(
                "custom orchestration (Lambda {})",
                self.custom_orchestration_lambda
                    .as_deref()
                    .unwrap_or("unknown")
            ));
        }
        out
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ActionGroupRecord {
    pub id: String,
    pub config: ActionGroupConfig,
    /// `AMAZON.UserInput` and friends: built-in groups the spec cannot describe.
    pub parent_signature: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AliasRecord {
    pub id: String,
    pub name: String,
    pub status: String,
    /// The agent version the alias routes to.
    pub version: Option<String>,
    pub updated_at_ms: i64,
    pub failure_reasons: Vec<String>,
}

pub trait AgentsApi {
    async fn list_agents(&self, next_token: Option<String>) -> ApiResult<Page<AgentSummary>>;
    /// `None` when the agent does not exist.
    async fn get_agent(&self, agent_id: &str) -> ApiResult<Option<AgentRecord>>;
    async fn create_agent(
        &self,
        config: &AgentConfig,
        tags: &BTreeMap<String, String>,
        client_token: &str,
    ) -> ApiResult<AgentRecord>;
    async fn update_agent(
        &self,
        agent_id: &str,
        config: &AgentConfig,
        kept: &KeptAgentSettings,
    ) -> ApiResult<()>;
    async fn prepare_agent(&self, agent_id: &str) -> ApiResult<()>;
    async fn delete_agent(&self, agent_id: &str) -> ApiResult<()>;

    async fn list_tags(&self, arn: &str) -> ApiResult<BTreeMap<String, String>>;
    async fn tag(&self, arn: &str, tags: &BTreeMap<String, String>) -> ApiResult<()>;
    async fn untag(&self, arn: &str, keys: &[String]) -> ApiResult<()>;

    /// (id, name) of each action group of the DRAFT version.
    async fn list_action_groups(
        &self,
        agent_id: &str,
        next_token: Option<String>,
    ) -> ApiResult<Page<(String, String)>>;
    async fn get_action_group(
        &self,
        agent_id: &str,
        action_group_id: &str,
    ) -> ApiResult<ActionGroupRecord>;
    async fn create_action_group(
        &self,
        agent_id: &str,
        config: &ActionGroupConfig,
        client_token: &str,
    ) -> ApiResult<String>;
    async fn update_action_group(
        &self,
        agent_id: &str,
        action_group_id: &str,
        config: &ActionGroupConfig,
    ) -> ApiResult<()>;
    /// `skip_in_use_check`: delete even if the service still counts the group as in use (set
    /// for built-in groups, which are disabled first as well).
    async fn delete_action_group(
        &self,
        agent_id: &str,
        action_group_id: &str,
        skip_in_use_check: bool,
    ) -> ApiResult<()>;

    async fn list_knowledge_bases(
        &self,
        agent_id: &str,
        next_token: Option<String>,
    ) -> ApiResult<Page<KnowledgeBaseConfig>>;
    async fn associate_knowledge_base(
        &self,
        agent_id: &str,
        kb: &KnowledgeBaseConfig,
    ) -> ApiResult<()>;
    async fn update_knowledge_base(
        &self,
        agent_id: &str,
        kb: &KnowledgeBaseConfig,
    ) -> ApiResult<()>;
    async fn disassociate_knowledge_base(&self, agent_id: &str, kb_id: &str) -> ApiResult<()>;

    async fn list_aliases(
        &self,
        agent_id: &str,
        next_token: Option<String>,
    ) -> ApiResult<Page<AliasRecord>>;
    async fn get_alias(&self, agent_id: &str, alias_id: &str) -> ApiResult<AliasRecord>;
    /// Tagged on creation, like the agent, so the alias shows who manages it in the console and
    /// in cost allocation; an existing alias's tags are left as they are.
    async fn create_alias(
        &self,
        agent_id: &str,
        name: &str,
        tags: &BTreeMap<String, String>,
        client_token: &str,
    ) -> ApiResult<AliasRecord>;
    /// Without a routing configuration: the service snapshots DRAFT into a new version.
    async fn update_alias(&self, agent_id: &str, alias_id: &str, name: &str) -> ApiResult<()>;

    /// The text of an S3 object (an action group's OpenAPI document kept in S3), for import.
    async fn get_s3_object(&self, bucket: &str, key: &str) -> ApiResult<String>;
}
