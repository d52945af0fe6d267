//! The agent spec, v1: the Rust types are the single source of truth for the format. The JSON
//! Schema at `schema/agent.schema.json` is generated from them (`agentc schema`), and agentc
//! validates every file against that schema before it deserializes into these types.

use indexmap::IndexMap;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// One agent, described once, deployable as a Bedrock Agent or compiled to a Converse request.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(title = "agentc agent spec")]
pub struct Spec {
    /// Version of the spec format. Always `1` for now.
    #[schemars(range(min = 1, max = 1))]
    pub agentc: u32,
    /// The agent's name, used as the Bedrock agent name: letters and digits, optionally
    /// separated by single `_` or `-`, at most 100 groups.
    pub name: String,
    /// What the agent is for (Bedrock: at most 200 characters).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Model id or inference-profile id, e.g. `amazon.nova-pro-v1:0` or `us.amazon.nova-pro-v1:0`.
    pub model: String,
    /// The agent's instructions: a minijinja template over `vars` (40 to 20,000 characters once rendered).
    pub instruction: String,
    /// Values for the `{{ … }}` placeholders of `instruction`; `--var key=value` overrides them.
    #[serde(default, skip_serializing_if = "IndexMap::is_empty")]
    pub vars: IndexMap<String, VarValue>,
    /// Inference parameters for the model.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub inference: Option<Inference>,
    /// The agent's tools, grouped as Bedrock action groups.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub action_groups: Vec<ActionGroup>,
    /// Knowledge bases the agent may query (Bedrock Agents target).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub knowledge_bases: Vec<KnowledgeBase>,
    /// Long-term memory across sessions (Bedrock Agents session summaries).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub memory: Option<Memory>,
    /// A Bedrock guardrail applied to the agent's input and output.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub guardrail: Option<Guardrail>,
    /// Replace Bedrock Agents' default prompt templates with your own files.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub prompt_overrides: Option<PromptOverrides>,
    /// Tags put on the deployed agent.
    #[serde(default, skip_serializing_if = "IndexMap::is_empty")]
    pub tags: IndexMap<String, String>,
    /// Settings per deployment target.
    #[serde(default)]
    pub targets: Targets,
    /// Traffic assumptions for `agentc cost`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub workload: Option<Workload>,
    /// Lint levels and budgets for this spec.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lint: Option<LintSettings>,
}

impl Spec {
    /// The model that orchestrates on the agents target: `targets.agents.orchestrator`, or
    /// `model` when that is not set.
    pub fn orchestrator_id(&self) -> &str {
        self.targets
            .agents
            .as_ref()
            .and_then(|a| a.orchestrator.as_deref())
            .unwrap_or(&self.model)
    }
}

/// A template variable's value.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(untagged)]
pub enum VarValue {
    String(String),
    Number(f64),
    Bool(bool),
}

impl std::fmt::Display for VarValue {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            VarValue::String(s) => f.write_str(s),
            VarValue::Number(n) => write!(f, "{n}"),
            VarValue::Bool(b) => write!(f, "{b}"),
        }
    }
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Inference {
    /// Maximum tokens the model may generate per call.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 1))]
    pub max_tokens: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 0.0, max = 1.0))]
    pub temperature: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 0.0, max = 1.0))]
    pub top_p: Option<f64>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub stop_sequences: Vec<String>,
}

/// A group of functions behind one executor, or one OpenAPI document.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ActionGroup {
    /// Action group name (same rules as the agent name).
    pub name: String,
    /// What the group is for (Bedrock: at most 200 characters).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Who runs the functions: `lambda: <function ARN>` or `return_control` (the caller does).
    pub executor: Executor,
    /// The functions of this group (or give `openapi` instead).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub functions: Vec<Function>,
    /// Path to an OpenAPI 3 document (JSON or YAML), relative to this spec, instead of `functions`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub openapi: Option<String>,
    /// Agents target: deploy the OpenAPI document by reference to this S3 object
    /// (`s3://bucket/key`) instead of inline. `openapi` stays the local copy that lint, cost and
    /// the direct target read; agentc does not upload it, so keep the two in sync.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(regex(pattern = r"^s3://[a-z0-9][a-z0-9.\-]{1,61}[a-z0-9]/.+$"))]
    pub openapi_s3: Option<String>,
    /// Set to false to deploy the group disabled.
    #[serde(default = "default_true", skip_serializing_if = "is_true")]
    pub enabled: bool,
}

fn default_true() -> bool {
    true
}

#[allow(
    clippy::trivially_copy_pass_by_ref,
    reason = "serde's skip_serializing_if passes a reference"
)]
fn is_true(value: &bool) -> bool {
    *value
}

/// `lambda: <ARN>` or `return_control`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Executor {
    /// The agent returns the call to the application that invoked it.
    ReturnControl,
    /// An AWS Lambda function ARN that receives the Bedrock action-group event.
    Lambda(String),
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Function {
    /// Function name (Bedrock name rules; also the Converse tool name, at most 64 characters there).
    pub name: String,
    /// What the function does and when to call it (at most 1,200 characters).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Parameters by name (Bedrock allows at most 5).
    #[serde(default, skip_serializing_if = "IndexMap::is_empty")]
    pub parameters: IndexMap<String, Parameter>,
    /// Ask the user to confirm before the function runs (Bedrock Agents).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub require_confirmation: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Parameter {
    #[serde(rename = "type")]
    pub kind: ParameterType,
    /// What the parameter means (at most 500 characters).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub required: bool,
}

/// The parameter types Bedrock Agents accepts for function parameters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum ParameterType {
    String,
    Number,
    Integer,
    Boolean,
    Array,
}

impl ParameterType {
    pub const ALL: [&'static str; 5] = ["string", "number", "integer", "boolean", "array"];

    pub fn as_str(self) -> &'static str {
        match self {
            ParameterType::String => "string",
            ParameterType::Number => "number",
            ParameterType::Integer => "integer",
            ParameterType::Boolean => "boolean",
            ParameterType::Array => "array",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct KnowledgeBase {
    /// Knowledge base id (10 letters or digits).
    pub id: String,
    /// When the agent should use it (required by Bedrock, at most 200 characters).
    pub description: String,
    #[serde(default = "default_true", skip_serializing_if = "is_true")]
    pub enabled: bool,
    /// Passages one retrieval returns (1 to 100; default 5), on the runtimes that query the
    /// knowledge base themselves (direct, harness).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 1, max = 100))]
    pub number_of_results: Option<u32>,
    /// `HYBRID` (vector and keyword) or `SEMANTIC` (vector only); default: the knowledge
    /// base's own choice.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub search_type: Option<SearchType>,
}

/// How a knowledge base is searched (the Retrieve API's `overrideSearchType`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "UPPERCASE")]
pub enum SearchType {
    Hybrid,
    Semantic,
}

impl SearchType {
    pub fn as_str(self) -> &'static str {
        match self {
            SearchType::Hybrid => "HYBRID",
            SearchType::Semantic => "SEMANTIC",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Memory {
    /// Days to keep session summaries (0 to 365).
    #[schemars(range(max = 365))]
    pub storage_days: u32,
    /// How many recent session summaries to feed back to the model.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 1))]
    pub max_recent_sessions: Option<u32>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Guardrail {
    /// Guardrail id or ARN.
    pub id: String,
    /// A version number or `DRAFT`.
    pub version: String,
}

/// Per Bedrock Agents prompt type, a template file that replaces the default prompt.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PromptOverrides {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pre_processing: Option<PromptOverride>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub orchestration: Option<PromptOverride>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub post_processing: Option<PromptOverride>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub knowledge_base_response_generation: Option<PromptOverride>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub memory_summarization: Option<PromptOverride>,
}

impl PromptOverrides {
    /// (spec key, Bedrock prompt type, override) for each override that is set.
    pub fn entries(&self) -> Vec<(&'static str, &'static str, &PromptOverride)> {
        [
            ("pre_processing", "PRE_PROCESSING", &self.pre_processing),
            ("orchestration", "ORCHESTRATION", &self.orchestration),
            ("post_processing", "POST_PROCESSING", &self.post_processing),
            (
                "knowledge_base_response_generation",
                "KNOWLEDGE_BASE_RESPONSE_GENERATION",
                &self.knowledge_base_response_generation,
            ),
            (
                "memory_summarization",
                "MEMORY_SUMMARIZATION",
                &self.memory_summarization,
            ),
        ]
        .into_iter()
        .filter_map(|(key, kind, o)| o.as_ref().map(|o| (key, kind, o)))
        .collect()
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PromptOverride {
    /// Path to the template file, relative to the spec.
    pub template: String,
    /// Set to false to disable this prompt step.
    #[serde(default = "default_true", skip_serializing_if = "is_true")]
    pub enabled: bool,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Targets {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub agents: Option<AgentsTarget>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub harness: Option<HarnessTarget>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub direct: Option<DirectTarget>,
}

/// Deployment as a Bedrock Agent (Agents Classic).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AgentsTarget {
    /// IAM role the agent runs as.
    pub role_arn: String,
    /// Alias that serves the latest prepared version.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub alias: Option<String>,
    /// Orchestrate with another model than `model` (model or inference-profile id).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub orchestrator: Option<String>,
    /// Seconds of inactivity before a session ends (60 to 5,400).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 60, max = 5400))]
    pub idle_session_ttl: Option<u32>,
    /// KMS key ARN to encrypt the agent's resources.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub encryption_key_arn: Option<String>,
    /// Bedrock's built-in action groups, which have no executor and no schema of their own:
    /// `AMAZON.UserInput` lets the agent ask the user for missing information,
    /// `AMAZON.CodeInterpreter` runs code it writes. Agents target only (Converse has no
    /// equivalent).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub built_in_action_groups: Vec<BuiltInActionGroup>,
}

/// A built-in action group (`parentActionGroupSignature`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct BuiltInActionGroup {
    /// Which built-in action group.
    pub signature: BuiltInSignature,
    /// Action group name; defaults to the console's (`UserInputAction`, `CodeInterpreterAction`, …).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default = "default_true", skip_serializing_if = "is_true")]
    pub enabled: bool,
    /// `parentActionGroupSignatureParams` of the Anthropic computer-use groups.
    #[serde(default, skip_serializing_if = "IndexMap::is_empty")]
    pub params: IndexMap<String, String>,
}

impl BuiltInActionGroup {
    /// The action group's name in Bedrock.
    pub fn group_name(&self) -> String {
        self.name
            .clone()
            .unwrap_or_else(|| self.signature.default_name().to_string())
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub enum BuiltInSignature {
    #[serde(rename = "AMAZON.UserInput")]
    AmazonUserInput,
    #[serde(rename = "AMAZON.CodeInterpreter")]
    AmazonCodeInterpreter,
    #[serde(rename = "ANTHROPIC.Computer")]
    AnthropicComputer,
    #[serde(rename = "ANTHROPIC.Bash")]
    AnthropicBash,
    #[serde(rename = "ANTHROPIC.TextEditor")]
    AnthropicTextEditor,
}

impl BuiltInSignature {
    pub const ALL: [BuiltInSignature; 5] = [
        Self::AmazonUserInput,
        Self::AmazonCodeInterpreter,
        Self::AnthropicComputer,
        Self::AnthropicBash,
        Self::AnthropicTextEditor,
    ];

    /// The service's spelling (`parentActionGroupSignature`).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::AmazonUserInput => "AMAZON.UserInput",
            Self::AmazonCodeInterpreter => "AMAZON.CodeInterpreter",
            Self::AnthropicComputer => "ANTHROPIC.Computer",
            Self::AnthropicBash => "ANTHROPIC.Bash",
            Self::AnthropicTextEditor => "ANTHROPIC.TextEditor",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.as_str() == text)
    }

    fn default_name(self) -> &'static str {
        match self {
            Self::AmazonUserInput => "UserInputAction",
            Self::AmazonCodeInterpreter => "CodeInterpreterAction",
            Self::AnthropicComputer => "ComputerAction",
            Self::AnthropicBash => "BashAction",
            Self::AnthropicTextEditor => "TextEditorAction",
        }
    }
}

/// Compilation to a Converse API request and the local runner.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DirectTarget {
    /// Stop a request after this many model calls.
    #[serde(default = "default_max_iterations")]
    #[schemars(range(min = 1, max = 100))]
    pub max_iterations: u32,
    /// Insert `cachePoint` blocks where the model supports prompt caching.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub prompt_caching: Option<bool>,
    /// Where sessions are stored: a SQLite file path (default `.agentc/sessions.db`) or `dynamodb://TABLE`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sessions: Option<String>,
    /// How `agentc run` calls a function locally, by function name.
    #[serde(default, skip_serializing_if = "IndexMap::is_empty")]
    pub handlers: IndexMap<String, Handler>,
}

impl Default for DirectTarget {
    fn default() -> Self {
        Self {
            max_iterations: default_max_iterations(),
            prompt_caching: None,
            sessions: None,
            handlers: IndexMap::new(),
        }
    }
}

fn default_max_iterations() -> u32 {
    10
}

/// Deployment as an Amazon Bedrock AgentCore managed harness (CreateHarness), served
/// through a harness endpoint.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct HarnessTarget {
    /// IAM role the harness runs as. It must trust `bedrock-agentcore.amazonaws.com` (an
    /// Agents role trusts `bedrock.amazonaws.com`, so it cannot be reused as is).
    #[schemars(regex(pattern = r"^arn:aws(-[^:]+)?:iam::([0-9]{12})?:role/.+$"))]
    pub role_arn: String,
    /// Endpoint that serves the latest harness version (the alias analogue): a letter, then
    /// letters, digits or `_`, at most 48 characters; `DEFAULT` is the service's own.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(regex(pattern = r"^[a-zA-Z][a-zA-Z0-9_]{0,47}$"))]
    pub endpoint: Option<String>,
    /// Stop an invocation after this many loop iterations (always sent: the service default
    /// is 75).
    #[serde(default = "default_harness_max_iterations")]
    #[schemars(range(min = 1))]
    pub max_iterations: u32,
    /// Output tokens an invocation may generate across all its model calls (always sent: the
    /// service sets no cap).
    #[serde(default = "default_harness_max_tokens")]
    #[schemars(range(min = 1))]
    pub max_tokens: u32,
    /// Seconds an invocation may run (always sent: the service default is 3,600).
    #[serde(default = "default_harness_timeout_seconds")]
    #[schemars(range(min = 1))]
    pub timeout_seconds: u32,
    /// Seconds a session may sit idle before its microVM stops (60 to 28,800; service
    /// default 900). Memory is billed until then. Defaults to `targets.agents.idle_session_ttl`
    /// when that is set.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 60, max = 28800))]
    pub idle_timeout_seconds: Option<u32>,
    /// Seconds a session may live at most (60 to 28,800; service default 28,800).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 60, max = 28800))]
    pub max_lifetime_seconds: Option<u32>,
    /// Where the session's microVM connects from (default: public).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub network: Option<HarnessNetwork>,
    /// Environment variables of the session (at most 50; stored in the clear, so no secrets).
    #[serde(default, skip_serializing_if = "IndexMap::is_empty")]
    pub environment_variables: IndexMap<String, String>,
    /// Built-in tools the model may use. None unless listed: each adds its definition to
    /// every model request (~900 input tokens for both) and a shell or file surface.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub built_in_tools: Vec<HarnessBuiltInTool>,
    /// Tools that already exist as AgentCore resources or MCP servers, beside the spec's
    /// functions.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tools: Vec<HarnessServerTool>,
    /// Managed-memory strategies when the spec has `memory` (default: `SUMMARIZATION`, the
    /// analogue of Bedrock Agents' session summaries).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub memory_strategies: Vec<HarnessMemoryStrategy>,
    /// Tags for the harness and its endpoint, over the spec's `tags`.
    #[serde(default, skip_serializing_if = "IndexMap::is_empty")]
    pub tags: IndexMap<String, String>,
}

impl HarnessTarget {
    /// agentc's limits when the spec gives none: the direct target's iteration cap, and
    /// caps well under the service's own (75 iterations, 3,600 s, no token cap) so that a
    /// runaway loop is stopped early.
    pub const DEFAULT_MAX_ITERATIONS: u32 = 10;
    pub const DEFAULT_MAX_TOKENS: u32 = 32_000;
    pub const DEFAULT_TIMEOUT_SECONDS: u32 = 600;

    /// The limits when `targets.harness` is absent, with this role.
    pub fn with_role(role_arn: String) -> Self {
        Self {
            role_arn,
            endpoint: None,
            max_iterations: Self::DEFAULT_MAX_ITERATIONS,
            max_tokens: Self::DEFAULT_MAX_TOKENS,
            timeout_seconds: Self::DEFAULT_TIMEOUT_SECONDS,
            idle_timeout_seconds: None,
            max_lifetime_seconds: None,
            network: None,
            environment_variables: IndexMap::new(),
            built_in_tools: Vec::new(),
            tools: Vec::new(),
            memory_strategies: Vec::new(),
            tags: IndexMap::new(),
        }
    }
}

fn default_harness_max_iterations() -> u32 {
    HarnessTarget::DEFAULT_MAX_ITERATIONS
}

fn default_harness_max_tokens() -> u32 {
    HarnessTarget::DEFAULT_MAX_TOKENS
}

fn default_harness_timeout_seconds() -> u32 {
    HarnessTarget::DEFAULT_TIMEOUT_SECONDS
}

/// The harness session's network.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct HarnessNetwork {
    /// `public` or `vpc`.
    pub mode: HarnessNetworkMode,
    /// VPC mode: 1 to 16 subnet ids (`subnet-…`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub subnets: Vec<String>,
    /// VPC mode: 1 to 16 security group ids (`sg-…`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub security_groups: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum HarnessNetworkMode {
    Public,
    Vpc,
}

/// A built-in tool of the harness session.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum HarnessBuiltInTool {
    /// Run bash commands in the session's microVM.
    Shell,
    /// View, create and edit files in the session's filesystem.
    FileOperations,
}

impl HarnessBuiltInTool {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Shell => "shell",
            Self::FileOperations => "file_operations",
        }
    }
}

/// A tool served by an existing AgentCore Gateway or a remote MCP server: give `name` and
/// exactly one of `gateway` or `mcp`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct HarnessServerTool {
    /// Tool name in the harness (letters, digits, `_` or `-`, at most 64 characters).
    #[schemars(regex(pattern = r"^[a-zA-Z0-9_-]{1,64}$"))]
    pub name: String,
    /// An AgentCore Gateway ARN: every tool of the gateway becomes available (calls are signed
    /// with the harness role).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gateway: Option<String>,
    /// A remote MCP server URL.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mcp: Option<String>,
    /// HTTP headers sent to the MCP server.
    #[serde(default, skip_serializing_if = "IndexMap::is_empty")]
    pub headers: IndexMap<String, String>,
}

/// A managed-memory strategy (`HarnessManagedMemoryStrategyType`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
pub enum HarnessMemoryStrategy {
    #[serde(rename = "SEMANTIC")]
    Semantic,
    #[serde(rename = "SUMMARIZATION")]
    Summarization,
    #[serde(rename = "USER_PREFERENCE")]
    UserPreference,
    #[serde(rename = "EPISODIC")]
    Episodic,
}

/// Give exactly one of `command` or `http`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Handler {
    /// Program and arguments, run without a shell; tool input as JSON on stdin, result on stdout.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub command: Option<Vec<String>>,
    /// URL to POST the tool input to as JSON.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub http: Option<String>,
    /// Seconds before the call is abandoned (default 30).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 1, max = 900))]
    pub timeout_seconds: Option<u32>,
}

/// A value per target.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PerTarget<T> {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub agents: Option<T>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub harness: Option<T>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub direct: Option<T>,
}

impl<T> PerTarget<T> {
    /// The value the spec gives `target`, if any: how stages that treat targets alike read
    /// this YAML form.
    pub fn get(&self, target: crate::target::Target) -> Option<&T> {
        match target {
            crate::target::Target::Agents => self.agents.as_ref(),
            crate::target::Target::Harness => self.harness.as_ref(),
            crate::target::Target::Direct => self.direct.as_ref(),
        }
    }
}

/// Traffic assumptions for cost estimates.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Workload {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 0.0))]
    pub requests_per_day: Option<f64>,
    /// Default 30.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 0.0, max = 31.0))]
    pub days_per_month: Option<f64>,
    /// Model calls per request (Bedrock Agents typically 3; direct often 1).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub calls_per_request: Option<PerTarget<f64>>,
    /// Tokens of the user's message.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub input_tokens_per_request: Option<u64>,
    /// Tokens the model generates per call.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub output_tokens_per_call: Option<u64>,
    /// Tokens a tool result adds to the next call.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tool_result_tokens_per_call: Option<u64>,
    /// Pin the input tokens of one call per target (a what-if that replaces the estimate).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub input_tokens_per_call: Option<PerTarget<u64>>,
    /// A fee per request, in USD (default 0: no AWS source confirms a per-session fee).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 0.0))]
    pub session_fee_usd: Option<f64>,
}

/// A rule's level.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    /// Report as an error (fails `agentc lint`).
    Deny,
    /// Report as a warning.
    Warn,
    /// Do not report.
    Allow,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct LintSettings {
    /// Level per rule id, e.g. `too-many-action-groups: allow`.
    #[serde(default, skip_serializing_if = "IndexMap::is_empty")]
    pub rules: IndexMap<String, Level>,
    /// Token budget for all tool definitions together (`tool-definitions-over-budget`, default 500).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tool_token_budget: Option<u64>,
    /// Monthly budget in USD per target (`cost-over-budget`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub monthly_budget_usd: Option<PerTarget<f64>>,
}
