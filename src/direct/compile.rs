//! Agent → Converse request config: exactly the fields of the Converse API request
//! (`modelId`, `system`, `toolConfig`, `inferenceConfig`, `guardrailConfig`), usable as
//! `client.converse(**config, messages=…)` in boto3 and with the Rust SDK. `agentc cost`
//! counts the tokens of this very request, so the two never disagree.

use crate::models::ModelTable;
use crate::spec::{Agent, Spec, Tool};
use crate::target::NotCarried;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

/// Converse's limit on tool names (`^[a-zA-Z0-9_-]{1,64}$`).
pub const MAX_TOOL_NAME: usize = 64;

/// The compiled request, field for field as the Converse API takes it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ConverseConfig {
    pub model_id: String,
    pub system: Vec<Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tool_config: Option<Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub inference_config: Option<Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub guardrail_config: Option<Value>,
}

/// Converse tool name ↔ (action group, function), so the runner can dispatch a tool call to
/// the function it stands for.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ToolNameMap {
    pub entries: Vec<ToolNameEntry>,
    /// The knowledge bases the model can query, one tool each (after the functions' tools).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub knowledge_bases: Vec<crate::knowledge::KnowledgeBaseTool>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ToolNameEntry {
    pub tool_name: String,
    pub action_group: String,
    pub function: String,
}

impl ToolNameMap {
    pub fn resolve(&self, tool_name: &str) -> Option<&ToolNameEntry> {
        self.entries.iter().find(|e| e.tool_name == tool_name)
    }
}

/// Whether to insert `cachePoint` blocks: the spec's `targets.direct.prompt_caching`, else on
/// when the model supports caching and the cached prefix is long enough to qualify.
fn caching(
    spec: &Spec,
    models: &ModelTable,
    system_and_tools_bytes: usize,
    system_and_tools_tokens: impl FnOnce() -> usize,
) -> (bool, bool) {
    let Some(caching) = models
        .find(&spec.model)
        .and_then(|m| m.prompt_caching.clone())
    else {
        return (false, false);
    };
    let wanted = spec.targets.direct.as_ref().and_then(|d| d.prompt_caching);
    let enabled = match wanted {
        Some(explicit) => explicit,
        // No token is shorter than a byte: a prefix with fewer bytes than the minimum cannot
        // qualify, and then the tokenizer (~50 ms to load) is not needed at all.
        None => {
            (system_and_tools_bytes as u64) >= caching.min_tokens
                && system_and_tools_tokens() as u64 >= caching.min_tokens
        }
    };
    (enabled && caching.system, enabled && caching.tools)
}

/// What the spec asks of Bedrock Agents that the Converse request cannot carry, one entry
/// per setting, so moving a spec from the agents target to the direct one loses nothing
/// silently: `agentc lint --target direct` and every direct command report them
/// (`dropped-by-target`).
pub fn not_carried(spec: &Spec) -> Vec<NotCarried> {
    let mut out = Vec::new();
    if let Some(overrides) = &spec.prompt_overrides {
        for (key, _, _) in overrides.entries() {
            let (message, help) = if key == "pre_processing" {
                (
                    "the pre-processing prompt override is not applied: Converse has no pre-processing step, so input it would filter reaches the model".to_string(),
                    "filter input before calling the agent, or use a guardrail, which the direct target carries",
                )
            } else {
                (
                    format!(
                        "prompt override `{key}` is not applied: Converse has no Bedrock Agents prompt templates"
                    ),
                    "move what the template adds into the instruction",
                )
            };
            out.push(NotCarried {
                pointer: format!("/prompt_overrides/{key}"),
                message,
                help: help.into(),
            });
        }
    }
    if let Some(agents) = spec.targets.agents.as_ref() {
        for (i, built_in) in agents.built_in_action_groups.iter().enumerate() {
            if built_in.enabled {
                out.push(NotCarried {
                    pointer: format!("/targets/agents/built_in_action_groups/{i}"),
                    message: format!(
                        "built-in action group {} ({}) has no Converse equivalent",
                        built_in.group_name(),
                        built_in.signature.as_str()
                    ),
                    help: "give the model a tool of your own for it".into(),
                });
            }
        }
    }
    out
}

/// Compile an agent into its Converse request config and tool-name map.
pub fn compile(spec: &Spec, agent: &Agent, models: &ModelTable) -> (ConverseConfig, ToolNameMap) {
    let mut names = tool_names(&agent.tools);
    names.knowledge_bases =
        crate::knowledge::tools(spec, names.entries.iter().map(|e| e.tool_name.as_str()));
    let tools: Vec<Value> = agent
        .tools
        .iter()
        .zip(&names.entries)
        .map(|(tool, entry)| {
            json!({
                "toolSpec": {
                    "name": entry.tool_name,
                    "description": tool_description(tool),
                    "inputSchema": { "json": tool.input_schema },
                }
            })
        })
        .chain(names.knowledge_bases.iter().map(|kb| kb.tool_spec()))
        .collect();
    let prefix_bytes = crate::tokens::upper_bound(&agent.instruction)
        + tools
            .iter()
            .map(|t| crate::tokens::upper_bound(&t.to_string()))
            .sum::<usize>();
    let (cache_system, cache_tools) = caching(spec, models, prefix_bytes, || {
        crate::tokens::count(&agent.instruction)
            + tools
                .iter()
                .map(|t| crate::tokens::count(&t.to_string()))
                .sum::<usize>()
    });
    let mut system = vec![json!({ "text": agent.instruction })];
    if cache_system {
        system.push(json!({ "cachePoint": { "type": "default" } }));
    }
    let tool_config = (!tools.is_empty()).then(|| {
        let mut tools = tools;
        if cache_tools {
            tools.push(json!({ "cachePoint": { "type": "default" } }));
        }
        json!({ "tools": tools })
    });
    let inference_config = spec.inference.as_ref().and_then(|inference| {
        let mut config = serde_json::Map::new();
        if let Some(max_tokens) = inference.max_tokens {
            config.insert("maxTokens".into(), json!(max_tokens));
        }
        if let Some(temperature) = inference.temperature {
            config.insert("temperature".into(), json!(temperature));
        }
        if let Some(top_p) = inference.top_p {
            config.insert("topP".into(), json!(top_p));
        }
        if !inference.stop_sequences.is_empty() {
            config.insert("stopSequences".into(), json!(inference.stop_sequences));
        }
        (!config.is_empty()).then_some(Value::Object(config))
    });
    let guardrail_config = spec
        .guardrail
        .as_ref()
        .map(|g| json!({ "guardrailIdentifier": g.id, "guardrailVersion": g.version }));
    (
        ConverseConfig {
            model_id: spec.model.clone(),
            system,
            tool_config,
            inference_config,
            guardrail_config,
        },
        names,
    )
}

/// The description a tool is sent with: its own, else its name (Converse and the harness
/// both require one).
pub fn tool_description(tool: &Tool) -> String {
    tool.description
        .clone()
        .unwrap_or_else(|| tool.name.clone())
}

/// Deterministic Converse tool names: the function name when it is valid and unique across
/// all action groups; otherwise `group__function`; when that is longer than 64 characters or
/// still clashes, a 50-character prefix plus `_` and 8 hex digits of its SHA-256.
pub fn tool_names(tools: &[Tool]) -> ToolNameMap {
    let valid = |name: &str| {
        !name.is_empty()
            && name.len() <= MAX_TOOL_NAME
            && name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
    };
    let mut taken = std::collections::HashSet::new();
    let mut entries = Vec::with_capacity(tools.len());
    for tool in tools {
        let clashes = tools.iter().filter(|t| t.name == tool.name).count() > 1;
        let qualified = format!("{}__{}", tool.group_name, tool.name);
        let mut name = if valid(&tool.name) && !clashes {
            tool.name.clone()
        } else if valid(&qualified) {
            qualified.clone()
        } else {
            hashed(&qualified)
        };
        if !taken.insert(name.clone()) {
            name = hashed(&format!("{qualified}#{}", entries.len()));
            taken.insert(name.clone());
        }
        entries.push(ToolNameEntry {
            tool_name: name,
            action_group: tool.group_name.clone(),
            function: tool.name.clone(),
        });
    }
    ToolNameMap {
        entries,
        knowledge_bases: Vec::new(),
    }
}

fn hashed(text: &str) -> String {
    let prefix: String = text
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '_' || c == '-' {
                c
            } else {
                '_'
            }
        })
        .take(50)
        .collect();
    let digest = Sha256::digest(text.as_bytes());
    let hex: String = digest.iter().take(4).map(|b| format!("{b:02x}")).collect();
    format!("{prefix}_{hex}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::spec::{Executor, ToolSource};

    fn tool(group: &str, name: &str) -> Tool {
        Tool {
            group: 0,
            group_name: group.into(),
            name: name.into(),
            description: None,
            input_schema: json!({"type": "object", "properties": {}}),
            executor: Executor::ReturnControl,
            source: ToolSource::Function { index: 0 },
            pointer: String::new(),
        }
    }

    #[test]
    fn names_are_kept_when_valid_and_mapped_deterministically_otherwise() {
        let long = "f".repeat(100);
        let tools = vec![
            tool("a", "get"),
            tool("b", "get"),
            tool("c", "ok"),
            tool("d", &long),
        ];
        let map = tool_names(&tools);
        let names: Vec<&str> = map.entries.iter().map(|e| e.tool_name.as_str()).collect();
        assert_eq!(names[0], "a__get");
        assert_eq!(names[1], "b__get");
        assert_eq!(names[2], "ok");
        assert!(names[3].len() <= MAX_TOOL_NAME);
        assert_eq!(tool_names(&tools), map, "deterministic");
        assert_eq!(
            map.resolve(names[3]).map(|e| e.function.as_str()),
            Some(long.as_str())
        );
    }
}
