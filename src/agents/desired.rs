//! Spec → the state a Bedrock Agent should be in. The same types describe what remote.rs reads
//! back from the service, so planning is a comparison of two values of one type, and every
//! normalisation the service applies is done here, once, on both sides.

use crate::spec::{Agent, Executor, Spec};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// The tag that marks an agent as created (owned) by agentc.
pub const OWNER_TAG_KEY: &str = "managed-by";
pub const OWNER_TAG_VALUE: &str = "agentc";

/// Everything agentc manages for one spec.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DesiredState {
    pub agent: AgentConfig,
    /// The spec's tags plus the ownership tag.
    pub tags: BTreeMap<String, String>,
    pub action_groups: Vec<ActionGroupConfig>,
    pub knowledge_bases: Vec<KnowledgeBaseConfig>,
    /// Name of the alias that serves the latest prepared version.
    pub alias: Option<String>,
}

/// The agent's own settings (UpdateAgent replaces all of them at once).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AgentConfig {
    pub name: String,
    pub description: Option<String>,
    pub instruction: String,
    pub foundation_model: String,
    pub role_arn: String,
    /// `None`: not managed (the service default, 600 s, stays).
    pub idle_session_ttl: Option<i32>,
    pub encryption_key_arn: Option<String>,
    pub guardrail: Option<GuardrailConfig>,
    pub memory: Option<MemoryConfig>,
    /// Only prompts that differ from Bedrock's defaults, sorted by prompt type.
    pub prompts: Vec<PromptConfig>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GuardrailConfig {
    pub id: String,
    pub version: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MemoryConfig {
    pub storage_days: i32,
    pub max_recent_sessions: Option<i32>,
}

/// One prompt step that is overridden (own template) or runs on another model.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PromptConfig {
    /// `PRE_PROCESSING`, `ORCHESTRATION`, …
    pub prompt_type: String,
    /// The base prompt template when overridden (`promptCreationMode: OVERRIDDEN`).
    pub template: Option<String>,
    pub enabled: bool,
    /// A model for this step other than the agent's (`targets.agents.orchestrator`).
    pub foundation_model: Option<String>,
    /// Only on overridden prompts: Bedrock refuses it with the default template.
    pub inference: Option<InferenceConfig>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct InferenceConfig {
    pub temperature: Option<f64>,
    pub top_p: Option<f64>,
    pub maximum_length: Option<i32>,
    pub stop_sequences: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ActionGroupConfig {
    pub name: String,
    pub description: Option<String>,
    pub executor: ExecutorConfig,
    pub schema: SchemaConfig,
    pub enabled: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ExecutorConfig {
    Lambda(String),
    ReturnControl,
    /// A built-in group: Bedrock itself handles the calls.
    BuiltIn,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SchemaConfig {
    Functions(Vec<FunctionConfig>),
    /// The OpenAPI document, inline (`apiSchema.payload`).
    Openapi(String),
    /// The OpenAPI document by reference (`apiSchema.s3`); its content is not compared.
    OpenapiS3 {
        bucket: String,
        key: String,
    },
    /// A built-in group (`parentActionGroupSignature` and its params) instead of a schema.
    BuiltIn {
        signature: String,
        params: BTreeMap<String, String>,
    },
}

impl ActionGroupConfig {
    /// `AMAZON.UserInput` and friends; `None` for the spec's own action groups.
    pub fn built_in_signature(&self) -> Option<&str> {
        match &self.schema {
            SchemaConfig::BuiltIn { signature, .. } => Some(signature),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FunctionConfig {
    pub name: String,
    pub description: Option<String>,
    pub parameters: BTreeMap<String, ParameterConfig>,
    pub require_confirmation: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ParameterConfig {
    #[serde(rename = "type")]
    pub kind: String,
    pub description: Option<String>,
    pub required: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct KnowledgeBaseConfig {
    pub id: String,
    pub description: String,
    pub enabled: bool,
}

#[derive(Debug, thiserror::Error, miette::Diagnostic)]
pub enum DesiredError {
    #[error("the spec has no `targets.agents` section")]
    #[diagnostic(
        code(agentc::agents::no_target),
        help(
            "add `targets: {{agents: {{role_arn: arn:aws:iam::<account>:role/<role>}}}}`: the IAM role the agent runs as"
        )
    )]
    NoTarget,
    #[error("cannot read `{path}` (referenced by `{key}`): {source}")]
    #[diagnostic(
        code(agentc::agents::read),
        help("the path is relative to the spec file")
    )]
    Read {
        key: String,
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// The schema checks the form; this is the same rule, kept where the value is used so a
    /// spec built in code cannot send an empty bucket or key.
    #[error("`{key}` is `{uri}`, not an S3 URI of the form s3://BUCKET/KEY")]
    #[diagnostic(code(agentc::agents::s3_uri))]
    S3Uri { key: String, uri: String },
}

/// Text the service stores without trailing whitespace is compared without it.
pub fn normalise_text(text: &str) -> String {
    text.trim_end().to_string()
}

/// Empty optional text is the same as absent text to the service.
pub fn normalise_optional(text: Option<&str>) -> Option<String> {
    text.map(str::trim_end)
        .filter(|t| !t.is_empty())
        .map(str::to_string)
}

/// Floats travel as f32 on the wire; round so that 0.1 reads back as 0.1.
pub fn normalise_float(value: f64) -> f64 {
    (value * 1e6).round() / 1e6
}

/// `s3://bucket/key` → (bucket, key); the spec's schema has already checked the shape.
pub fn split_s3_uri(uri: &str) -> Option<(String, String)> {
    let (bucket, key) = uri.strip_prefix("s3://")?.split_once('/')?;
    (!bucket.is_empty() && !key.is_empty()).then(|| (bucket.to_string(), key.to_string()))
}

pub fn desired_state(
    spec: &Spec,
    agent: &Agent,
    spec_dir: &Path,
) -> Result<DesiredState, DesiredError> {
    let target = spec.targets.agents.as_ref().ok_or(DesiredError::NoTarget)?;
    let read = |key: String, relative: &str| -> Result<String, DesiredError> {
        let path = spec_dir.join(relative);
        crate::fsio::read_text_io(&path, crate::fsio::TEMPLATE_INPUT)
            .map_err(|source| DesiredError::Read { key, path, source })
    };

    let inference = spec.inference.as_ref().map(|i| InferenceConfig {
        temperature: i.temperature.map(normalise_float),
        top_p: i.top_p.map(normalise_float),
        maximum_length: i.max_tokens.map(|n| i32::try_from(n).unwrap_or(i32::MAX)),
        stop_sequences: i.stop_sequences.clone(),
    });
    let mut prompts = Vec::new();
    if let Some(overrides) = &spec.prompt_overrides {
        for (key, prompt_type, prompt) in overrides.entries() {
            let template = read(format!("prompt_overrides.{key}.template"), &prompt.template)?;
            prompts.push(PromptConfig {
                prompt_type: prompt_type.to_string(),
                template: Some(normalise_text(&template)),
                enabled: prompt.enabled,
                foundation_model: None,
                inference: inference.clone(),
            });
        }
    }
    if let Some(orchestrator) = target.orchestrator.as_deref().filter(|o| *o != spec.model) {
        match prompts
            .iter_mut()
            .find(|p| p.prompt_type == "ORCHESTRATION")
        {
            Some(prompt) => prompt.foundation_model = Some(orchestrator.to_string()),
            None => prompts.push(PromptConfig {
                prompt_type: "ORCHESTRATION".into(),
                template: None,
                enabled: true,
                foundation_model: Some(orchestrator.to_string()),
                inference: None,
            }),
        }
    }
    prompts.sort_by(|a, b| a.prompt_type.cmp(&b.prompt_type));

    let agent_config = AgentConfig {
        name: spec.name.clone(),
        description: normalise_optional(spec.description.as_deref()),
        instruction: normalise_text(&agent.instruction),
        foundation_model: spec.model.clone(),
        role_arn: target.role_arn.clone(),
        idle_session_ttl: target
            .idle_session_ttl
            .map(|t| i32::try_from(t).unwrap_or(i32::MAX)),
        encryption_key_arn: target.encryption_key_arn.clone(),
        guardrail: spec.guardrail.as_ref().map(|g| GuardrailConfig {
            id: g.id.clone(),
            version: g.version.clone(),
        }),
        memory: spec.memory.as_ref().map(|m| MemoryConfig {
            storage_days: i32::try_from(m.storage_days).unwrap_or(i32::MAX),
            max_recent_sessions: m
                .max_recent_sessions
                .map(|n| i32::try_from(n).unwrap_or(i32::MAX)),
        }),
        prompts,
    };

    let mut action_groups = Vec::new();
    for (index, group) in spec.action_groups.iter().enumerate() {
        let schema = match (&group.openapi_s3, &group.openapi) {
            (Some(uri), _) => {
                let (bucket, key) = split_s3_uri(uri).ok_or_else(|| DesiredError::S3Uri {
                    key: format!("action_groups[{index}].openapi_s3"),
                    uri: uri.clone(),
                })?;
                SchemaConfig::OpenapiS3 { bucket, key }
            }
            (None, Some(path)) => {
                SchemaConfig::Openapi(read(format!("action_groups[{index}].openapi"), path)?)
            }
            (None, None) => SchemaConfig::Functions(
                group
                    .functions
                    .iter()
                    .map(|f| FunctionConfig {
                        name: f.name.clone(),
                        description: normalise_optional(f.description.as_deref()),
                        parameters: f
                            .parameters
                            .iter()
                            .map(|(name, p)| {
                                let parameter = ParameterConfig {
                                    kind: p.kind.as_str().to_string(),
                                    description: normalise_optional(p.description.as_deref()),
                                    required: p.required,
                                };
                                (name.clone(), parameter)
                            })
                            .collect(),
                        require_confirmation: f.require_confirmation,
                    })
                    .collect(),
            ),
        };
        action_groups.push(ActionGroupConfig {
            name: group.name.clone(),
            description: normalise_optional(group.description.as_deref()),
            executor: match &group.executor {
                Executor::Lambda(arn) => ExecutorConfig::Lambda(arn.clone()),
                Executor::ReturnControl => ExecutorConfig::ReturnControl,
            },
            schema,
            enabled: group.enabled,
        });
    }
    // The service refuses a description, executor or schema on a built-in group.
    for built_in in &target.built_in_action_groups {
        action_groups.push(ActionGroupConfig {
            name: built_in.group_name(),
            description: None,
            executor: ExecutorConfig::BuiltIn,
            schema: SchemaConfig::BuiltIn {
                signature: built_in.signature.as_str().to_string(),
                params: built_in
                    .params
                    .iter()
                    .map(|(k, v)| (k.clone(), v.clone()))
                    .collect(),
            },
            enabled: built_in.enabled,
        });
    }

    let mut tags: BTreeMap<String, String> = spec
        .tags
        .iter()
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    tags.insert(OWNER_TAG_KEY.into(), OWNER_TAG_VALUE.into());

    Ok(DesiredState {
        agent: agent_config,
        tags,
        action_groups,
        knowledge_bases: spec
            .knowledge_bases
            .iter()
            .map(|kb| KnowledgeBaseConfig {
                id: kb.id.clone(),
                description: normalise_text(&kb.description),
                enabled: kb.enabled,
            })
            .collect(),
        alias: target.alias.clone(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn floats_round_trip_through_f32() {
        assert_eq!(normalise_float(f64::from(0.1_f32)), 0.1);
        assert_eq!(normalise_float(0.1), 0.1);
    }

    #[test]
    fn example_spec_gets_the_owner_tag_and_trimmed_instruction() {
        let loaded = crate::spec::load_path(
            Path::new("agents/infra-assistant.yaml"),
            &Default::default(),
        )
        .unwrap();
        let state = desired_state(
            loaded.spec.as_ref().unwrap(),
            loaded.agent.as_ref().unwrap(),
            Path::new("agents"),
        )
        .unwrap();
        assert_eq!(
            state.tags.get(OWNER_TAG_KEY).map(String::as_str),
            Some(OWNER_TAG_VALUE)
        );
        assert!(!state.agent.instruction.ends_with('\n'));
        assert_eq!(state.action_groups.len(), 2);
        assert_eq!(state.alias.as_deref(), Some("live"));
    }
}
