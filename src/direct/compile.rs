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

/// Where to insert `cachePoint` blocks: `targets.direct.prompt_caching: false` turns them off;
/// otherwise (unset or `true`) a point goes only where the model caches that field and the
/// prefix up to the point reaches the model's minimum. Below the minimum Bedrock caches
/// nothing, so a point there would only make the estimate price as cached what is not.
/// Claude caches the prefix in the order tools → system, so its system point also covers the
/// tools; Nova caches system and messages, never tools.
fn caching(spec: &Spec, models: &ModelTable, instruction: &str, tools: &[Value]) -> (bool, bool) {
    let Some(rules) = models
        .find(&spec.model)
        .and_then(|m| m.prompt_caching.clone())
    else {
        return (false, false);
    };
    if spec.targets.direct.as_ref().and_then(|d| d.prompt_caching) == Some(false) {
        return (false, false);
    }
    let tool_texts: Vec<String> = tools.iter().map(Value::to_string).collect();
    let tools_bytes: usize = tool_texts
        .iter()
        .map(|t| crate::tokens::upper_bound(t))
        .sum();
    let prefix_bytes =
        crate::tokens::upper_bound(instruction) + if rules.tools { tools_bytes } else { 0 };
    // No token is shorter than a byte: a prefix with fewer bytes than the minimum cannot
    // qualify, and then the tokenizer is not needed at all.
    if (prefix_bytes as u64) < rules.min_tokens {
        return (false, false);
    }
    let tools_tokens = if rules.tools {
        tool_texts
            .iter()
            .map(|t| crate::tokens::count(t) as u64)
            .sum()
    } else {
        0
    };
    let system_tokens = crate::tokens::count(instruction) as u64;
    (
        rules.system && tools_tokens + system_tokens >= rules.min_tokens,
        rules.tools && tools_tokens >= rules.min_tokens,
    )
}

/// JSON-Schema keys of OpenAPI's schema dialect that are not JSON Schema, which Converse
/// passes to the model as the tool's `inputSchema.json`; some models refuse a schema that
/// carries them, so they are dropped (their content is documentation, not a constraint).
const OPENAPI_ONLY_KEYS: [&str; 5] = [
    "example",
    "nullable",
    "xml",
    "externalDocs",
    "discriminator",
];

/// A tool's input schema as Converse models accept it: OpenAPI-only keys dropped at every
/// level where a schema stands (a *property named* `example` is kept).
pub fn converse_schema(schema: &Value) -> Value {
    let Value::Object(map) = schema else {
        return schema.clone();
    };
    let mut out = serde_json::Map::with_capacity(map.len());
    for (key, value) in map {
        if OPENAPI_ONLY_KEYS.contains(&key.as_str()) {
            continue;
        }
        let value = match (key.as_str(), value) {
            ("properties" | "patternProperties" | "$defs" | "definitions", Value::Object(m)) => {
                Value::Object(
                    m.iter()
                        .map(|(name, s)| (name.clone(), converse_schema(s)))
                        .collect(),
                )
            }
            ("items" | "additionalProperties" | "not" | "contains", s @ Value::Object(_)) => {
                converse_schema(s)
            }
            ("allOf" | "anyOf" | "oneOf" | "prefixItems" | "items", Value::Array(list)) => {
                Value::Array(list.iter().map(converse_schema).collect())
            }
            _ => value.clone(),
        };
        out.insert(key.clone(), value);
    }
    Value::Object(out)
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
                    "inputSchema": { "json": converse_schema(&tool.input_schema) },
                }
            })
        })
        .chain(names.knowledge_bases.iter().map(|kb| kb.tool_spec()))
        .collect();
    let (cache_system, cache_tools) = caching(spec, models, &agent.instruction, &tools);
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

    #[test]
    fn openapi_only_keys_are_dropped_from_tool_schemas_at_every_level() {
        let schema = json!({
            "type": "object",
            "properties": {
                "example": {"type": "string", "example": "x", "description": "a property named example"},
                "ids": {"type": "array", "items": {"type": "integer", "example": 7, "nullable": true}},
                "filter": {"anyOf": [{"type": "string", "xml": {"name": "f"}}]}
            },
            "required": ["example"],
            "example": {"example": "x"}
        });
        let cleaned = converse_schema(&schema);
        assert_eq!(
            cleaned,
            json!({
                "type": "object",
                "properties": {
                    "example": {"type": "string", "description": "a property named example"},
                    "ids": {"type": "array", "items": {"type": "integer"}},
                    "filter": {"anyOf": [{"type": "string"}]}
                },
                "required": ["example"]
            })
        );
    }
}
