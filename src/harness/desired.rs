//! Spec → the CreateHarness request, field for field as the service model
//! (`bedrock-agentcore-control` 2023-06-05) spells it, so the JSON `agentc compile --target
//! harness` prints is the body deploy sends. Unions of the model are externally tagged enums
//! here, which is how the REST-JSON protocol writes them (`{"disabled": {}}`).
//!
//! Everything a cost or a plan depends on is sent explicitly, even when it equals a service
//! default: the per-invocation limits (service defaults 75 iterations, 3,600 s, no token cap),
//! the session lifecycle, the network mode, `allowedTools` (the service allows every tool,
//! built-ins included, when it is absent) and memory (absent means managed memory, and its
//! charges).

use crate::agents::desired::{OWNER_TAG_KEY, OWNER_TAG_VALUE};
use crate::direct::compile::{tool_description, tool_names};
use crate::spec::{
    Agent, BuiltInSignature, HarnessBuiltInTool, HarnessMemoryStrategy, HarnessNetworkMode,
    HarnessTarget, Spec,
};
use crate::target::NotCarried;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;

/// The service's harness name pattern, `[a-zA-Z][a-zA-Z0-9_]{0,39}`.
pub const MAX_HARNESS_NAME: usize = 40;
/// `eventExpiryDuration`, in days.
pub const EVENT_EXPIRY_DAYS: std::ops::RangeInclusive<u32> = 3..=365;
/// The service's lifecycle defaults (`LifecycleConfiguration`), sent when the spec sets none.
pub const DEFAULT_IDLE_TIMEOUT_SECONDS: u32 = 900;
pub const DEFAULT_MAX_LIFETIME_SECONDS: u32 = 28_800;
/// The tool name a Bedrock Agents `AMAZON.CodeInterpreter` group becomes.
pub const CODE_INTERPRETER_TOOL: &str = "code_interpreter";

/// Everything agentc manages for one spec on this target: the harness, and the endpoint that
/// serves its latest version.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DesiredHarness {
    pub request: CreateHarnessRequest,
    /// `CreateHarnessEndpoint.endpointName`; `None`: no endpoint is managed (invocations
    /// without a qualifier use the service's `DEFAULT`).
    pub endpoint_name: Option<String>,
}

/// `CreateHarnessRequest`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CreateHarnessRequest {
    pub harness_name: String,
    /// Stable for a given request body (see [`client_token`]), so a create retried after a
    /// lost reply cannot make a second harness.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_token: Option<String>,
    pub execution_role_arn: String,
    pub model: HarnessModelConfiguration,
    pub system_prompt: Vec<HarnessSystemContentBlock>,
    #[serde(default)]
    pub tools: Vec<HarnessTool>,
    #[serde(default)]
    pub allowed_tools: Vec<String>,
    pub memory: HarnessMemoryConfiguration,
    pub environment: HarnessEnvironmentProviderRequest,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub environment_variables: BTreeMap<String, String>,
    pub max_iterations: u32,
    pub max_tokens: u32,
    pub timeout_seconds: u32,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub tags: BTreeMap<String, String>,
}

/// `HarnessModelConfiguration` (a union; agentc compiles to Bedrock models only).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum HarnessModelConfiguration {
    BedrockModelConfig(HarnessBedrockModelConfig),
}

/// `HarnessBedrockModelConfig`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct HarnessBedrockModelConfig {
    pub model_id: String,
    /// Per model call, like the spec's `inference.max_tokens`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_tokens: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub temperature: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub top_p: Option<f64>,
}

/// `HarnessSystemContentBlock` (a union with one member).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum HarnessSystemContentBlock {
    Text(String),
}

/// `HarnessTool`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HarnessTool {
    #[serde(rename = "type")]
    pub kind: HarnessToolType,
    pub name: String,
    pub config: HarnessToolConfiguration,
}

/// `HarnessToolType`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum HarnessToolType {
    RemoteMcp,
    AgentcoreGateway,
    InlineFunction,
    AgentcoreCodeInterpreter,
}

/// `HarnessToolConfiguration` (a union).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum HarnessToolConfiguration {
    RemoteMcp(HarnessRemoteMcpConfig),
    AgentCoreGateway(HarnessAgentCoreGatewayConfig),
    InlineFunction(HarnessInlineFunctionConfig),
    AgentCoreCodeInterpreter(HarnessAgentCoreCodeInterpreterConfig),
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct HarnessRemoteMcpConfig {
    pub url: String,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub headers: BTreeMap<String, String>,
}

/// Without `outboundAuth` the harness signs gateway calls with its role (SigV4).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct HarnessAgentCoreGatewayConfig {
    pub gateway_arn: String,
}

/// A client-side tool: the harness pauses and returns the call to the caller.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct HarnessInlineFunctionConfig {
    pub description: String,
    /// The same JSON Schema the direct target sends as `toolSpec.inputSchema.json`.
    pub input_schema: Value,
}

/// Without an ARN the service's built-in Code Interpreter is used.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct HarnessAgentCoreCodeInterpreterConfig {}

/// `HarnessMemoryConfiguration` (a union).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum HarnessMemoryConfiguration {
    ManagedMemoryConfiguration(HarnessManagedMemoryConfiguration),
    Disabled(HarnessDisabledMemoryConfiguration),
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct HarnessManagedMemoryConfiguration {
    pub strategies: Vec<HarnessMemoryStrategy>,
    pub event_expiry_duration: u32,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct HarnessDisabledMemoryConfiguration {}

/// `HarnessEnvironmentProviderRequest` (a union with one member).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum HarnessEnvironmentProviderRequest {
    AgentCoreRuntimeEnvironment(HarnessAgentCoreRuntimeEnvironmentRequest),
}

impl HarnessEnvironmentProviderRequest {
    pub fn runtime(&self) -> &HarnessAgentCoreRuntimeEnvironmentRequest {
        match self {
            Self::AgentCoreRuntimeEnvironment(runtime) => runtime,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct HarnessAgentCoreRuntimeEnvironmentRequest {
    pub lifecycle_configuration: LifecycleConfiguration,
    pub network_configuration: NetworkConfiguration,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LifecycleConfiguration {
    pub idle_runtime_session_timeout: u32,
    pub max_lifetime: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct NetworkConfiguration {
    pub network_mode: NetworkMode,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub network_mode_config: Option<VpcConfig>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum NetworkMode {
    Public,
    Vpc,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct VpcConfig {
    pub security_groups: Vec<String>,
    pub subnets: Vec<String>,
}

impl CreateHarnessRequest {
    /// The model id of the (only) model configuration.
    pub fn model_id(&self) -> &str {
        match &self.model {
            HarnessModelConfiguration::BedrockModelConfig(config) => &config.model_id,
        }
    }

    /// The system prompt's text, blocks joined.
    pub fn system_text(&self) -> String {
        self.system_prompt
            .iter()
            .map(|HarnessSystemContentBlock::Text(text)| text.as_str())
            .collect::<Vec<_>>()
            .join("\n")
    }

    /// Whether a built-in tool is allowed.
    pub fn allows_built_in(&self, tool: HarnessBuiltInTool) -> bool {
        self.allowed_tools
            .iter()
            .any(|pattern| *pattern == built_in_pattern(tool))
    }

    pub fn memory_enabled(&self) -> bool {
        !matches!(self.memory, HarnessMemoryConfiguration::Disabled(_))
    }
}

/// `allowedTools` names a built-in tool as `@builtin/<name>`.
pub fn built_in_pattern(tool: HarnessBuiltInTool) -> String {
    format!("@builtin/{}", tool.as_str())
}

#[derive(Debug, thiserror::Error, miette::Diagnostic)]
pub enum HarnessError {
    #[error("the spec has no `targets.harness.role_arn`")]
    #[diagnostic(
        code(agentc::harness::no_role),
        help(
            "add `targets: {{harness: {{role_arn: arn:aws:iam::<account>:role/<role>}}}}`: the IAM role the harness runs as, trusting `bedrock-agentcore.amazonaws.com` (an Agents role trusts `bedrock.amazonaws.com` and cannot be reused as is)"
        )
    )]
    NoRole,
}

/// The spec name as a harness name: `-` becomes `_`, nothing else changes, so the mapping is
/// stable (the name forces replacement) and a name that still does not fit is reported by
/// lint instead of being silently shortened into a clash.
pub fn harness_name(spec_name: &str) -> String {
    spec_name.replace('-', "_")
}

/// Whether `name` matches `[a-zA-Z][a-zA-Z0-9_]{0,39}`.
pub fn valid_harness_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphabetic())
        && name.len() <= MAX_HARNESS_NAME
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// A token derived from the request body: the same body always gets the same token (a
/// retried create is idempotent), a changed body a new one. Matches the model's
/// `[a-zA-Z0-9](-*[a-zA-Z0-9]){0,256}`, 33–256 characters.
pub fn client_token(request: &CreateHarnessRequest) -> String {
    let mut body = request.clone();
    body.client_token = None;
    let bytes = serde_json::to_vec(&body).unwrap_or_default();
    let digest = Sha256::digest(&bytes);
    let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
    format!("agentc-{hex}")
}

/// The harness settings of the spec: `targets.harness`, or agentc's defaults with the role as
/// the one key without a default.
fn settings(spec: &Spec) -> Result<&HarnessTarget, HarnessError> {
    spec.targets.harness.as_ref().ok_or(HarnessError::NoRole)
}

/// Compile a checked spec into the harness agentc deploys.
pub fn desired_harness(spec: &Spec, agent: &Agent) -> Result<DesiredHarness, HarnessError> {
    let target = settings(spec)?;
    let mut request = request(spec, agent, target);
    request.client_token = Some(client_token(&request));
    Ok(DesiredHarness {
        request,
        endpoint_name: target.endpoint.clone(),
    })
}

/// The request without its client token, from any harness settings (cost prices a spec
/// without `targets.harness` with [`HarnessTarget::with_role`]).
pub fn request(spec: &Spec, agent: &Agent, target: &HarnessTarget) -> CreateHarnessRequest {
    let inference = spec.inference.clone().unwrap_or_default();
    let model = HarnessModelConfiguration::BedrockModelConfig(HarnessBedrockModelConfig {
        model_id: spec.model.clone(),
        max_tokens: inference.max_tokens,
        temperature: inference.temperature,
        top_p: inference.top_p,
    });

    let names = tool_names(&agent.tools);
    let mut tools: Vec<HarnessTool> = agent
        .tools
        .iter()
        .zip(&names.entries)
        .map(|(tool, entry)| HarnessTool {
            kind: HarnessToolType::InlineFunction,
            name: entry.tool_name.clone(),
            config: HarnessToolConfiguration::InlineFunction(HarnessInlineFunctionConfig {
                description: tool_description(tool),
                input_schema: tool.input_schema.clone(),
            }),
        })
        .collect();
    // Knowledge bases are inline functions too: the harness has no knowledge-base field, so
    // `agentc run` answers their calls with Retrieve, as the direct runtime does (same tool
    // names and schema as the direct target's).
    let taken = names.entries.iter().map(|e| e.tool_name.as_str());
    for kb in crate::knowledge::tools(spec, taken) {
        let definition = kb.tool_spec();
        let definition = &definition["toolSpec"];
        tools.push(HarnessTool {
            kind: HarnessToolType::InlineFunction,
            name: kb.tool_name.clone(),
            config: HarnessToolConfiguration::InlineFunction(HarnessInlineFunctionConfig {
                description: definition["description"]
                    .as_str()
                    .unwrap_or_default()
                    .to_string(),
                input_schema: definition["inputSchema"]["json"].clone(),
            }),
        });
    }
    if code_interpreter(spec) {
        tools.push(HarnessTool {
            kind: HarnessToolType::AgentcoreCodeInterpreter,
            name: CODE_INTERPRETER_TOOL.to_string(),
            config: HarnessToolConfiguration::AgentCoreCodeInterpreter(
                HarnessAgentCoreCodeInterpreterConfig::default(),
            ),
        });
    }
    // Server tools are allowed as `@<name>` (every tool the server lists); the others by
    // their own name.
    let mut allowed_tools: Vec<String> = tools.iter().map(|t| t.name.clone()).collect();
    for server in &target.tools {
        let config = match (&server.gateway, &server.mcp) {
            (Some(gateway_arn), _) => (
                HarnessToolType::AgentcoreGateway,
                HarnessToolConfiguration::AgentCoreGateway(HarnessAgentCoreGatewayConfig {
                    gateway_arn: gateway_arn.clone(),
                }),
            ),
            (None, Some(url)) => (
                HarnessToolType::RemoteMcp,
                HarnessToolConfiguration::RemoteMcp(HarnessRemoteMcpConfig {
                    url: url.clone(),
                    headers: server
                        .headers
                        .iter()
                        .map(|(k, v)| (k.clone(), v.clone()))
                        .collect(),
                }),
            ),
            // Lint refuses a server tool with neither; there is nothing to send for it.
            (None, None) => continue,
        };
        tools.push(HarnessTool {
            kind: config.0,
            name: server.name.clone(),
            config: config.1,
        });
        allowed_tools.push(format!("@{}", server.name));
    }
    for built_in in [
        HarnessBuiltInTool::Shell,
        HarnessBuiltInTool::FileOperations,
    ] {
        if target.built_in_tools.contains(&built_in) {
            allowed_tools.push(built_in_pattern(built_in));
        }
    }

    let memory = match &spec.memory {
        Some(memory) => HarnessMemoryConfiguration::ManagedMemoryConfiguration(
            HarnessManagedMemoryConfiguration {
                strategies: if target.memory_strategies.is_empty() {
                    vec![HarnessMemoryStrategy::Summarization]
                } else {
                    target.memory_strategies.clone()
                },
                event_expiry_duration: memory
                    .storage_days
                    .clamp(*EVENT_EXPIRY_DAYS.start(), *EVENT_EXPIRY_DAYS.end()),
            },
        ),
        None => HarnessMemoryConfiguration::Disabled(HarnessDisabledMemoryConfiguration {}),
    };

    let network = match &target.network {
        Some(network) if network.mode == HarnessNetworkMode::Vpc => NetworkConfiguration {
            network_mode: NetworkMode::Vpc,
            network_mode_config: Some(VpcConfig {
                security_groups: network.security_groups.clone(),
                subnets: network.subnets.clone(),
            }),
        },
        _ => NetworkConfiguration {
            network_mode: NetworkMode::Public,
            network_mode_config: None,
        },
    };
    let environment = HarnessEnvironmentProviderRequest::AgentCoreRuntimeEnvironment(
        HarnessAgentCoreRuntimeEnvironmentRequest {
            lifecycle_configuration: LifecycleConfiguration {
                idle_runtime_session_timeout: idle_timeout(spec, target),
                max_lifetime: target
                    .max_lifetime_seconds
                    .unwrap_or(DEFAULT_MAX_LIFETIME_SECONDS),
            },
            network_configuration: network,
        },
    );

    let mut tags: BTreeMap<String, String> = spec
        .tags
        .iter()
        .chain(&target.tags)
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    tags.insert(OWNER_TAG_KEY.to_string(), OWNER_TAG_VALUE.to_string());

    CreateHarnessRequest {
        harness_name: harness_name(&spec.name),
        client_token: None,
        execution_role_arn: target.role_arn.clone(),
        model,
        system_prompt: vec![HarnessSystemContentBlock::Text(agent.instruction.clone())],
        tools,
        allowed_tools,
        memory,
        environment,
        environment_variables: target
            .environment_variables
            .iter()
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect(),
        max_iterations: target.max_iterations,
        max_tokens: target.max_tokens,
        timeout_seconds: target.timeout_seconds,
        tags,
    }
}

/// `targets.harness.idle_timeout_seconds`, else the Agents idle TTL the spec already has
/// (the same setting under another name), else the service default.
pub fn idle_timeout(spec: &Spec, target: &HarnessTarget) -> u32 {
    target
        .idle_timeout_seconds
        .or_else(|| spec.targets.agents.as_ref()?.idle_session_ttl)
        .unwrap_or(DEFAULT_IDLE_TIMEOUT_SECONDS)
}

/// An enabled `AMAZON.CodeInterpreter` group maps to the harness's Code Interpreter tool.
fn code_interpreter(spec: &Spec) -> bool {
    spec.targets.agents.as_ref().is_some_and(|agents| {
        agents
            .built_in_action_groups
            .iter()
            .any(|g| g.enabled && g.signature == BuiltInSignature::AmazonCodeInterpreter)
    })
}

/// What the spec asks that the CreateHarness request cannot carry, one entry per setting
/// (reported by `dropped-by-target` for `--target harness`). Knowledge bases are carried:
/// each is an inline function that `agentc run` answers with Retrieve. The guardrail is not here: a
/// dropped safety control is an error of its own (`guardrail-not-enforced`).
pub fn not_carried(spec: &Spec) -> Vec<NotCarried> {
    let mut out = Vec::new();
    if let Some(overrides) = &spec.prompt_overrides {
        for (key, _, _) in overrides.entries() {
            out.push(NotCarried {
                pointer: format!("/prompt_overrides/{key}"),
                message: format!(
                    "prompt override `{key}` is not applied: the harness wraps no Bedrock Agents prompt templates around the system prompt"
                ),
                help: "fold what the template adds into the instruction (it becomes the whole system prompt)".into(),
            });
        }
    }
    for (g, group) in spec.action_groups.iter().enumerate() {
        for (f, function) in group.functions.iter().enumerate() {
            if function.require_confirmation {
                out.push(NotCarried {
                    pointer: format!("/action_groups/{g}/functions/{f}/require_confirmation"),
                    message: format!(
                        "function `{}` will run without the service asking for confirmation: a harness has no `require_confirmation`",
                        function.name
                    ),
                    help: "`agentc run --target harness` asks before it runs the call (off a terminal it hands the call back, exit 3); another client of the harness must confirm calls of this inline function itself".into(),
                });
            }
        }
    }
    if let Some(inference) = &spec.inference
        && !inference.stop_sequences.is_empty()
    {
        out.push(NotCarried {
            pointer: "/inference/stop_sequences".into(),
            message: "stop sequences are not sent: the harness's Bedrock model configuration has no stop sequences".into(),
            help: "end answers through the instruction instead".into(),
        });
    }
    if let Some(memory) = &spec.memory {
        if memory.max_recent_sessions.is_some() {
            out.push(NotCarried {
                pointer: "/memory/max_recent_sessions".into(),
                message: "`max_recent_sessions` is not sent: managed memory retrieves records by relevance, not by session count".into(),
                help: "remove it for this target, or choose memory strategies with `targets.harness.memory_strategies`".into(),
            });
        }
        if !EVENT_EXPIRY_DAYS.contains(&memory.storage_days) {
            out.push(NotCarried {
                pointer: "/memory/storage_days".into(),
                message: format!(
                    "`storage_days: {}` becomes {} days: managed memory keeps events 3 to 365 days",
                    memory.storage_days,
                    memory
                        .storage_days
                        .clamp(*EVENT_EXPIRY_DAYS.start(), *EVENT_EXPIRY_DAYS.end())
                ),
                help: "set `storage_days` between 3 and 365".into(),
            });
        }
    }
    if let Some(agents) = spec.targets.agents.as_ref() {
        for (i, built_in) in agents.built_in_action_groups.iter().enumerate() {
            if !built_in.enabled || built_in.signature == BuiltInSignature::AmazonCodeInterpreter {
                continue;
            }
            let help = match built_in.signature {
                BuiltInSignature::AmazonUserInput => {
                    "say in the instruction that the agent should ask the user for missing information (the harness returns its question as the answer)"
                }
                _ => {
                    "allow the harness's own `shell` or `file_operations` (`targets.harness.built_in_tools`), or give the model a tool of your own"
                }
            };
            out.push(NotCarried {
                pointer: format!("/targets/agents/built_in_action_groups/{i}"),
                message: format!(
                    "built-in action group {} ({}) has no harness equivalent",
                    built_in.group_name(),
                    built_in.signature.as_str()
                ),
                help: help.into(),
            });
        }
        if agents.encryption_key_arn.is_some() {
            out.push(NotCarried {
                pointer: "/targets/agents/encryption_key_arn".into(),
                message: "the agents encryption key is not used: a harness has no key for its own configuration".into(),
                help: "managed memory takes its own key (`encryptionKeyArn`), which agentc does not set yet".into(),
            });
        }
        if agents.orchestrator.is_some() {
            out.push(NotCarried {
                pointer: "/targets/agents/orchestrator".into(),
                message: "`orchestrator` is not used: the harness runs its loop on `model`".into(),
                help: "set `model` to the model the harness should run on".into(),
            });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::spec::{HarnessNetwork, HarnessServerTool, Memory};
    use serde_json::json;

    fn spec(yaml_targets: Value) -> Spec {
        serde_json::from_value(json!({
            "agentc": 1,
            "name": "hr-helpdesk",
            "model": "amazon.nova-pro-v1:0",
            "instruction": "Answer HR questions politely and look up leave balances.",
            "targets": yaml_targets,
        }))
        .unwrap()
    }

    fn agent() -> Agent {
        Agent {
            name: "hr-helpdesk".into(),
            instruction: "Answer HR questions.".into(),
            tools: Vec::new(),
        }
    }

    #[test]
    fn names_map_dashes_and_report_what_still_does_not_fit() {
        assert_eq!(harness_name("hr-helpdesk"), "hr_helpdesk");
        assert!(valid_harness_name("hr_helpdesk"));
        assert!(!valid_harness_name("9lives"));
        assert!(!valid_harness_name(&"a".repeat(41)));
        assert!(valid_harness_name(&"a".repeat(40)));
        assert!(!valid_harness_name(""));
    }

    #[test]
    fn without_a_harness_block_the_role_is_what_is_missing() {
        let error = desired_harness(&spec(json!({})), &agent()).unwrap_err();
        assert!(matches!(error, HarnessError::NoRole));
        assert!(error.to_string().contains("role_arn"));
    }

    #[test]
    fn limits_memory_and_allowed_tools_are_always_sent() {
        let s = spec(json!({"harness": {"role_arn": "arn:aws:iam::123456789012:role/h"}}));
        let desired = desired_harness(&s, &agent()).unwrap();
        let body = serde_json::to_value(&desired.request).unwrap();
        assert_eq!(body["harnessName"], "hr_helpdesk");
        assert_eq!(body["memory"], json!({"disabled": {}}));
        assert_eq!(body["allowedTools"], json!([]));
        assert_eq!(body["maxIterations"], 10);
        assert_eq!(body["maxTokens"], 32_000);
        assert_eq!(body["timeoutSeconds"], 600);
        assert_eq!(
            body["environment"]["agentCoreRuntimeEnvironment"]["lifecycleConfiguration"],
            json!({"idleRuntimeSessionTimeout": 900, "maxLifetime": 28_800})
        );
        assert_eq!(
            body["model"]["bedrockModelConfig"]["modelId"],
            "amazon.nova-pro-v1:0"
        );
        assert_eq!(
            body["systemPrompt"],
            json!([{"text": "Answer HR questions."}])
        );
        assert_eq!(body["tags"]["managed-by"], "agentc");
        let back: CreateHarnessRequest = serde_json::from_value(body).unwrap();
        assert_eq!(back, desired.request, "the request reads back as written");
    }

    #[test]
    fn knowledge_bases_are_inline_functions_not_dropped() {
        let mut s = spec(json!({"harness": {"role_arn": "arn:aws:iam::123456789012:role/h"}}));
        s.knowledge_bases = serde_json::from_value(json!([
            {"id": "KB12345678", "description": "Returns policies.", "number_of_results": 2}
        ]))
        .unwrap();
        let body = serde_json::to_value(desired_harness(&s, &agent()).unwrap().request).unwrap();
        assert_eq!(body["tools"][0]["type"], "inline_function");
        assert_eq!(body["tools"][0]["name"], "knowledge_base_KB12345678");
        let config = &body["tools"][0]["config"]["inlineFunction"];
        assert!(
            config["description"]
                .as_str()
                .unwrap()
                .contains("Returns policies.")
        );
        assert_eq!(config["inputSchema"]["required"], json!(["query"]));
        assert_eq!(body["allowedTools"], json!(["knowledge_base_KB12345678"]));
        assert!(
            not_carried(&s)
                .iter()
                .all(|n| !n.pointer.starts_with("/knowledge_bases"))
        );
    }

    #[test]
    fn the_client_token_follows_the_body() {
        let s = spec(json!({"harness": {"role_arn": "arn:aws:iam::123456789012:role/h"}}));
        let a = desired_harness(&s, &agent()).unwrap().request;
        let b = desired_harness(&s, &agent()).unwrap().request;
        assert_eq!(a.client_token, b.client_token, "stable");
        let token = a.client_token.clone().unwrap();
        assert!((33..=256).contains(&token.len()));
        let mut changed = s.clone();
        changed.model = "amazon.nova-lite-v1:0".into();
        let c = desired_harness(&changed, &agent()).unwrap().request;
        assert_ne!(a.client_token, c.client_token);
    }

    #[test]
    fn memory_vpc_servers_and_built_ins_map() {
        let mut s = spec(json!({
            "agents": {"role_arn": "arn:aws:iam::123456789012:role/a", "idle_session_ttl": 1200},
            "harness": {
                "role_arn": "arn:aws:iam::123456789012:role/h",
                "built_in_tools": ["shell"],
            }
        }));
        s.memory = Some(Memory {
            storage_days: 400,
            max_recent_sessions: None,
        });
        let target = s.targets.harness.as_mut().unwrap();
        target.network = Some(HarnessNetwork {
            mode: HarnessNetworkMode::Vpc,
            subnets: vec!["subnet-0123456789".into()],
            security_groups: vec!["sg-0123456789".into()],
        });
        target.tools = vec![
            HarnessServerTool {
                name: "hr_gateway".into(),
                gateway: Some(
                    "arn:aws:bedrock-agentcore:us-east-1:123456789012:gateway/hr-0123456789".into(),
                ),
                mcp: None,
                headers: Default::default(),
            },
            HarnessServerTool {
                name: "docs".into(),
                gateway: None,
                mcp: Some("https://mcp.example.com/mcp".into()),
                headers: Default::default(),
            },
        ];
        let request = desired_harness(&s, &agent()).unwrap().request;
        let body = serde_json::to_value(&request).unwrap();
        assert_eq!(
            body["memory"],
            json!({"managedMemoryConfiguration": {"strategies": ["SUMMARIZATION"], "eventExpiryDuration": 365}})
        );
        let runtime = &body["environment"]["agentCoreRuntimeEnvironment"];
        assert_eq!(
            runtime["lifecycleConfiguration"]["idleRuntimeSessionTimeout"],
            1200
        );
        assert_eq!(
            runtime["networkConfiguration"],
            json!({"networkMode": "VPC", "networkModeConfig": {"securityGroups": ["sg-0123456789"], "subnets": ["subnet-0123456789"]}})
        );
        assert_eq!(body["tools"][0]["type"], "agentcore_gateway");
        assert_eq!(
            body["tools"][0]["config"]["agentCoreGateway"]["gatewayArn"],
            "arn:aws:bedrock-agentcore:us-east-1:123456789012:gateway/hr-0123456789"
        );
        assert_eq!(body["tools"][1]["type"], "remote_mcp");
        assert_eq!(
            body["allowedTools"],
            json!(["@hr_gateway", "@docs", "@builtin/shell"])
        );
        assert!(request.allows_built_in(HarnessBuiltInTool::Shell));
        assert!(!request.allows_built_in(HarnessBuiltInTool::FileOperations));
        assert!(
            not_carried(&s)
                .iter()
                .any(|n| n.pointer == "/memory/storage_days")
        );
    }
}
