//! A live agent → a spec that lints clean and plans to no changes against that agent: the way
//! out of Agents Classic starts with having the agent as a file.

use super::api::AgentsApi;
use super::desired::{ExecutorConfig, OWNER_TAG_KEY, SchemaConfig};
use super::error::AgentsError;
use super::remote;
use crate::spec::{
    ActionGroup, AgentsTarget, BuiltInActionGroup, BuiltInSignature, Executor, Function, Guardrail,
    Inference, KnowledgeBase, Memory, Parameter, ParameterType, PromptOverride, PromptOverrides,
    Spec, Targets,
};
use std::path::{Path, PathBuf};

/// The spec and the files it points to (OpenAPI documents, prompt templates).
#[derive(Debug, Clone)]
pub struct Imported {
    pub yaml: String,
    pub files: Vec<(PathBuf, String)>,
    /// What could not be imported as it is, for stderr (also in the spec's header comment).
    pub warnings: Vec<String>,
}

fn parameter_type(kind: &str) -> ParameterType {
    match kind {
        "number" => ParameterType::Number,
        "integer" => ParameterType::Integer,
        "boolean" => ParameterType::Boolean,
        "array" => ParameterType::Array,
        _ => ParameterType::String,
    }
}

/// The instruction is a minijinja template in the spec: keep literal braces literal.
fn escape_template(text: &str) -> String {
    if text.contains("{{") || text.contains("{%") || text.contains("{#") {
        format!("{{% raw %}}{text}{{% endraw %}}")
    } else {
        text.to_string()
    }
}

fn file_stem(text: &str) -> String {
    text.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect()
}

/// `<agent>.<group>.openapi.json|yaml`, by the document's first character.
fn openapi_file_name(stem: &str, group: &str, document: &str) -> String {
    let extension = if document.trim_start().starts_with('{') {
        "json"
    } else {
        "yaml"
    };
    format!("{stem}.{}.openapi.{extension}", file_stem(group))
}

pub async fn import<A: AgentsApi>(
    api: &A,
    agent_id: &str,
    alias: Option<&str>,
    out_dir: &Path,
) -> Result<Imported, AgentsError> {
    let state = remote::read_by_id(api, agent_id).await?;
    let Some(remote) = state.agent else {
        return Err(AgentsError::NoSuchAgent {
            id: agent_id.to_string(),
        });
    };
    let config = &remote.record.config;
    let mut files = Vec::new();
    let stem = file_stem(&config.name);

    let mut not_imported = Vec::new();
    let mut warnings = Vec::new();
    let mut action_groups = Vec::new();
    for g in remote
        .action_groups
        .iter()
        .filter(|g| g.parent_signature.is_none())
    {
        let mut openapi_s3 = None;
        let (functions, openapi) = match &g.config.schema {
            SchemaConfig::Functions(functions) => (
                functions
                    .iter()
                    .map(|f| Function {
                        name: f.name.clone(),
                        description: f.description.clone(),
                        parameters: f
                            .parameters
                            .iter()
                            .map(|(name, p)| {
                                let parameter = Parameter {
                                    kind: parameter_type(&p.kind),
                                    description: p.description.clone(),
                                    required: p.required,
                                };
                                (name.clone(), parameter)
                            })
                            .collect(),
                        require_confirmation: f.require_confirmation,
                    })
                    .collect(),
                None,
            ),
            // Filtered out above: built-in groups go to `targets.agents`.
            SchemaConfig::BuiltIn { .. } => (Vec::new(), None),
            SchemaConfig::Openapi(payload) => {
                let name = openapi_file_name(&stem, &g.config.name, payload);
                files.push((out_dir.join(&name), payload.clone()));
                (Vec::new(), Some(name))
            }
            // Kept by reference (so the plan shows no change) plus a local copy for lint, cost
            // and the direct target.
            SchemaConfig::OpenapiS3 { bucket, key } => {
                let uri = format!("s3://{bucket}/{key}");
                let document = match api.get_s3_object(bucket, key).await {
                    Ok(document) => document,
                    Err(error) => {
                        let problem = format!(
                            "the OpenAPI document of action group {} ({uri}) could not be downloaded ({}: {}); put a copy at the `openapi` path",
                            g.config.name, error.code, error.message
                        );
                        not_imported.push(problem.clone());
                        warnings.push(problem);
                        format!("# agentc import: copy {uri} here\n")
                    }
                };
                let name = openapi_file_name(&stem, &g.config.name, &document);
                files.push((out_dir.join(&name), document));
                openapi_s3 = Some(uri);
                (Vec::new(), Some(name))
            }
        };
        action_groups.push(ActionGroup {
            name: g.config.name.clone(),
            description: g.config.description.clone(),
            executor: match &g.config.executor {
                ExecutorConfig::Lambda(arn) => Executor::Lambda(arn.clone()),
                ExecutorConfig::ReturnControl | ExecutorConfig::BuiltIn => Executor::ReturnControl,
            },
            functions,
            openapi,
            openapi_s3,
            enabled: g.config.enabled,
        });
    }

    let mut built_in_action_groups = Vec::new();
    for group in &remote.action_groups {
        let Some(signature) = group.config.built_in_signature() else {
            continue;
        };
        let Some(parsed) = BuiltInSignature::parse(signature) else {
            not_imported.push(format!(
                "action group {} ({signature}): a built-in group agentc does not know",
                group.config.name
            ));
            continue;
        };
        let mut built_in = BuiltInActionGroup {
            signature: parsed,
            name: None,
            enabled: group.config.enabled,
            params: match &group.config.schema {
                SchemaConfig::BuiltIn { params, .. } => {
                    params.iter().map(|(k, v)| (k.clone(), v.clone())).collect()
                }
                _ => Default::default(),
            },
        };
        if built_in.group_name() != group.config.name {
            built_in.name = Some(group.config.name.clone());
        }
        built_in_action_groups.push(built_in);
    }

    for setting in remote.record.kept.describe() {
        not_imported.push(format!(
            "{setting}: not in the spec format; deploy keeps it as it is"
        ));
    }

    let mut overrides = PromptOverrides::default();
    let mut inference = None;
    let mut orchestrator = None;
    for prompt in &config.prompts {
        if prompt.prompt_type == "ORCHESTRATION" {
            orchestrator = prompt.foundation_model.clone();
        }
        let Some(template) = &prompt.template else {
            continue;
        };
        let slot = match prompt.prompt_type.as_str() {
            "PRE_PROCESSING" => &mut overrides.pre_processing,
            "ORCHESTRATION" => &mut overrides.orchestration,
            "POST_PROCESSING" => &mut overrides.post_processing,
            "KNOWLEDGE_BASE_RESPONSE_GENERATION" => {
                &mut overrides.knowledge_base_response_generation
            }
            "MEMORY_SUMMARIZATION" => &mut overrides.memory_summarization,
            _ => continue,
        };
        let name = format!("{stem}.{}.prompt.txt", prompt.prompt_type.to_lowercase());
        files.push((out_dir.join(&name), format!("{template}\n")));
        *slot = Some(PromptOverride {
            template: name,
            enabled: prompt.enabled,
        });
        if inference.is_none() || prompt.prompt_type == "ORCHESTRATION" {
            inference = prompt.inference.as_ref().map(|i| Inference {
                max_tokens: i.maximum_length.and_then(|n| u32::try_from(n).ok()),
                temperature: i.temperature,
                top_p: i.top_p,
                stop_sequences: i.stop_sequences.clone(),
            });
        }
    }
    let has_overrides = !overrides.entries().is_empty();

    let alias_name = match alias {
        Some(wanted) => Some(
            remote
                .aliases
                .iter()
                .find(|a| a.id == wanted || a.name == wanted)
                .map(|a| a.name.clone())
                .ok_or_else(|| AgentsError::NoSuchAlias {
                    agent: agent_id.to_string(),
                    alias: wanted.to_string(),
                })?,
        ),
        None => None,
    };

    let spec = Spec {
        agentc: 1,
        name: config.name.clone(),
        description: config.description.clone(),
        model: config.foundation_model.clone(),
        instruction: escape_template(&config.instruction),
        vars: Default::default(),
        inference,
        action_groups,
        knowledge_bases: remote
            .knowledge_bases
            .iter()
            .map(|kb| KnowledgeBase {
                id: kb.id.clone(),
                description: kb.description.clone(),
                enabled: kb.enabled,
                number_of_results: None,
                search_type: None,
            })
            .collect(),
        memory: config.memory.as_ref().map(|m| Memory {
            storage_days: u32::try_from(m.storage_days).unwrap_or(0),
            max_recent_sessions: m.max_recent_sessions.and_then(|n| u32::try_from(n).ok()),
        }),
        guardrail: config.guardrail.as_ref().map(|g| Guardrail {
            id: g.id.clone(),
            version: g.version.clone(),
        }),
        prompt_overrides: has_overrides.then_some(overrides),
        tags: remote
            .tags
            .iter()
            .filter(|(k, _)| k.as_str() != OWNER_TAG_KEY && !k.starts_with("aws:"))
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect(),
        targets: Targets {
            agents: Some(AgentsTarget {
                role_arn: config.role_arn.clone(),
                alias: alias_name,
                orchestrator,
                idle_session_ttl: config.idle_session_ttl.and_then(|t| u32::try_from(t).ok()),
                encryption_key_arn: config.encryption_key_arn.clone(),
                built_in_action_groups,
            }),
            harness: None,
            direct: None,
        },
        workload: None,
        lint: None,
    };
    let body = serde_saphyr::to_string(&spec)
        .map_err(|e| AgentsError::Runtime(format!("cannot write the spec as YAML: {e}")))?;
    let mut header = format!(
        "# Imported by agentc from Bedrock agent {} ({}).\n",
        config.name, remote.record.id
    );
    for item in &not_imported {
        header.push_str(&format!("# Not imported: {item}.\n"));
    }
    let yaml = format!("{header}{body}");
    Ok(Imported {
        yaml,
        files,
        warnings,
    })
}

#[cfg(test)]
mod tests {
    use super::escape_template;

    #[test]
    fn literal_braces_survive_the_template_engine() {
        let escaped = escape_template("Reply with {{json}} only.");
        let env = crate::spec::resolve::template_env();
        let rendered = env.render_str(&escaped, ()).unwrap();
        assert_eq!(rendered, "Reply with {{json}} only.");
    }
}
