//! DesiredState → infrastructure-as-code for teams whose pipelines run CloudFormation or
//! Terraform. Typed serialization through `serde_json::json!`: the templates are small and the
//! shapes follow the resource references one to one, so no text templating is needed.

use super::desired::{ActionGroupConfig, DesiredState, ExecutorConfig, PromptConfig, SchemaConfig};
use serde_json::{Map, Value, json};

fn insert_some(map: &mut Map<String, Value>, key: &str, value: Option<Value>) {
    if let Some(value) = value {
        map.insert(key.to_string(), value);
    }
}

fn state(enabled: bool) -> &'static str {
    if enabled { "ENABLED" } else { "DISABLED" }
}

fn cfn_prompt(prompt: &PromptConfig) -> Value {
    let mut map = Map::new();
    map.insert("PromptType".into(), json!(prompt.prompt_type));
    map.insert(
        "PromptCreationMode".into(),
        json!(if prompt.template.is_some() {
            "OVERRIDDEN"
        } else {
            "DEFAULT"
        }),
    );
    map.insert("PromptState".into(), json!(state(prompt.enabled)));
    map.insert("ParserMode".into(), json!("DEFAULT"));
    insert_some(
        &mut map,
        "BasePromptTemplate",
        prompt.template.as_ref().map(|t| json!(t)),
    );
    insert_some(
        &mut map,
        "FoundationModel",
        prompt.foundation_model.as_ref().map(|m| json!(m)),
    );
    if let Some(inference) = &prompt.inference {
        let mut i = Map::new();
        insert_some(
            &mut i,
            "Temperature",
            inference.temperature.map(|v| json!(v)),
        );
        insert_some(&mut i, "TopP", inference.top_p.map(|v| json!(v)));
        insert_some(
            &mut i,
            "MaximumLength",
            inference.maximum_length.map(|v| json!(v)),
        );
        if !inference.stop_sequences.is_empty() {
            i.insert("StopSequences".into(), json!(inference.stop_sequences));
        }
        map.insert("InferenceConfiguration".into(), Value::Object(i));
    }
    Value::Object(map)
}

fn cfn_action_group(group: &ActionGroupConfig) -> Value {
    let mut map = Map::new();
    map.insert("ActionGroupName".into(), json!(group.name));
    insert_some(
        &mut map,
        "Description",
        group.description.as_ref().map(|d| json!(d)),
    );
    insert_some(
        &mut map,
        "ActionGroupExecutor",
        match &group.executor {
            ExecutorConfig::Lambda(arn) => Some(json!({ "Lambda": arn })),
            ExecutorConfig::ReturnControl => Some(json!({ "CustomControl": "RETURN_CONTROL" })),
            ExecutorConfig::BuiltIn => None,
        },
    );
    match &group.schema {
        SchemaConfig::BuiltIn { signature, .. } => {
            map.insert("ParentActionGroupSignature".into(), json!(signature));
        }
        SchemaConfig::OpenapiS3 { bucket, key } => {
            map.insert(
                "ApiSchema".into(),
                json!({ "S3": { "S3BucketName": bucket, "S3ObjectKey": key } }),
            );
        }
        SchemaConfig::Openapi(payload) => {
            map.insert("ApiSchema".into(), json!({ "Payload": payload }));
        }
        SchemaConfig::Functions(functions) => {
            let functions: Vec<Value> = functions
                .iter()
                .map(|f| {
                    let mut function = Map::new();
                    function.insert("Name".into(), json!(f.name));
                    insert_some(
                        &mut function,
                        "Description",
                        f.description.as_ref().map(|d| json!(d)),
                    );
                    let parameters: Map<String, Value> = f
                        .parameters
                        .iter()
                        .map(|(name, p)| {
                            let mut parameter = Map::new();
                            parameter.insert("Type".into(), json!(p.kind));
                            insert_some(
                                &mut parameter,
                                "Description",
                                p.description.as_ref().map(|d| json!(d)),
                            );
                            parameter.insert("Required".into(), json!(p.required));
                            (name.clone(), Value::Object(parameter))
                        })
                        .collect();
                    if !parameters.is_empty() {
                        function.insert("Parameters".into(), Value::Object(parameters));
                    }
                    if f.require_confirmation {
                        function.insert("RequireConfirmation".into(), json!("ENABLED"));
                    }
                    Value::Object(function)
                })
                .collect();
            map.insert("FunctionSchema".into(), json!({ "Functions": functions }));
        }
    }
    map.insert("ActionGroupState".into(), json!(state(group.enabled)));
    Value::Object(map)
}

/// Built-in action groups `AWS::Bedrock::Agent` accepts (`ParentActionGroupSignature`).
const CFN_BUILT_INS: &[&str] = &["AMAZON.UserInput", "AMAZON.CodeInterpreter"];

/// An `AWS::Bedrock::Agent` (action groups and knowledge bases inline, auto-prepared) plus an
/// `AWS::Bedrock::AgentAlias` when the spec names an alias.
pub fn cloudformation(desired: &DesiredState) -> Export {
    let agent = &desired.agent;
    let mut omitted = Vec::new();
    let mut properties = Map::new();
    properties.insert("AgentName".into(), json!(agent.name));
    insert_some(
        &mut properties,
        "Description",
        agent.description.as_ref().map(|d| json!(d)),
    );
    properties.insert("Instruction".into(), json!(agent.instruction));
    properties.insert("FoundationModel".into(), json!(agent.foundation_model));
    properties.insert("AgentResourceRoleArn".into(), json!(agent.role_arn));
    properties.insert("AutoPrepare".into(), json!(true));
    insert_some(
        &mut properties,
        "IdleSessionTTLInSeconds",
        agent.idle_session_ttl.map(|t| json!(t)),
    );
    insert_some(
        &mut properties,
        "CustomerEncryptionKeyArn",
        agent.encryption_key_arn.as_ref().map(|k| json!(k)),
    );
    if let Some(guardrail) = &agent.guardrail {
        properties.insert(
            "GuardrailConfiguration".into(),
            json!({ "GuardrailIdentifier": guardrail.id, "GuardrailVersion": guardrail.version }),
        );
    }
    if let Some(memory) = &agent.memory {
        let mut m = Map::new();
        m.insert("EnabledMemoryTypes".into(), json!(["SESSION_SUMMARY"]));
        m.insert("StorageDays".into(), json!(memory.storage_days));
        if let Some(n) = memory.max_recent_sessions {
            m.insert(
                "SessionSummaryConfiguration".into(),
                json!({ "MaxRecentSessions": n }),
            );
        }
        properties.insert("MemoryConfiguration".into(), Value::Object(m));
    }
    if !agent.prompts.is_empty() {
        let prompts: Vec<Value> = agent.prompts.iter().map(cfn_prompt).collect();
        properties.insert(
            "PromptOverrideConfiguration".into(),
            json!({ "PromptConfigurations": prompts }),
        );
    }
    let mut groups = Vec::new();
    for group in &desired.action_groups {
        match group.built_in_signature() {
            Some(signature) if !CFN_BUILT_INS.contains(&signature) => omitted.push(format!(
                "built-in action group {} ({signature}): AWS::Bedrock::Agent accepts only {}",
                group.name,
                CFN_BUILT_INS.join(" and ")
            )),
            _ => groups.push(cfn_action_group(group)),
        }
    }
    if !groups.is_empty() {
        properties.insert("ActionGroups".into(), Value::Array(groups));
    }
    if !desired.knowledge_bases.is_empty() {
        let kbs: Vec<Value> = desired
            .knowledge_bases
            .iter()
            .map(|kb| json!({ "KnowledgeBaseId": kb.id, "Description": kb.description, "KnowledgeBaseState": state(kb.enabled) }))
            .collect();
        properties.insert("KnowledgeBases".into(), Value::Array(kbs));
    }
    properties.insert("Tags".into(), json!(desired.tags));

    let mut resources = Map::new();
    resources.insert(
        "Agent".into(),
        json!({ "Type": "AWS::Bedrock::Agent", "Properties": properties }),
    );
    let mut outputs = Map::new();
    outputs.insert(
        "AgentId".into(),
        json!({ "Value": { "Fn::GetAtt": ["Agent", "AgentId"] } }),
    );
    if let Some(alias) = &desired.alias {
        resources.insert(
            "AgentAlias".into(),
            json!({
                "Type": "AWS::Bedrock::AgentAlias",
                "Properties": {
                    "AgentAliasName": alias,
                    "AgentId": { "Fn::GetAtt": ["Agent", "AgentId"] },
                    "Tags": desired.tags,
                }
            }),
        );
        outputs.insert(
            "AgentAliasId".into(),
            json!({ "Value": { "Fn::GetAtt": ["AgentAlias", "AgentAliasId"] } }),
        );
    }
    let mut description = format!("Bedrock Agent `{}`, generated by agentc", agent.name);
    if !omitted.is_empty() {
        description.push_str(&format!(". Not expressible here: {}", omitted.join("; ")));
    }
    Export {
        document: json!({
            "AWSTemplateFormatVersion": "2010-09-09",
            "Description": description,
            "Resources": resources,
            "Outputs": outputs,
        }),
        omitted,
    }
}

/// A Terraform identifier from a resource name (names may contain `-`, which Terraform allows,
/// but not a leading digit).
fn tf_id(name: &str) -> String {
    let id: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect();
    if id.starts_with(|c: char| c.is_ascii_digit()) {
        format!("r_{id}")
    } else {
        id
    }
}

/// The aws provider version the Terraform export is written for and checked against
/// (`tests/fixtures/terraform/`, and `terraform validate` in CI where Terraform is installed).
pub const TERRAFORM_AWS_PROVIDER: &str = "5.100.0";

/// An exported document (CloudFormation or Terraform JSON) and the spec settings it could not
/// express.
pub struct Export {
    pub document: Value,
    /// One sentence per setting the format has no place for; also written into the document
    /// (the template's Description, a `//` comment in Terraform) so the file says it too.
    pub omitted: Vec<String>,
}

/// One prompt configuration. `prompt_configurations` is an attribute of object type, not a
/// block, so Terraform requires every attribute of the object to be present (null if unset).
fn tf_prompt(prompt: &PromptConfig) -> Value {
    let mut map = Map::new();
    map.insert("prompt_type".into(), json!(prompt.prompt_type));
    map.insert(
        "prompt_creation_mode".into(),
        json!(if prompt.template.is_some() {
            "OVERRIDDEN"
        } else {
            "DEFAULT"
        }),
    );
    map.insert("prompt_state".into(), json!(state(prompt.enabled)));
    map.insert("parser_mode".into(), json!("DEFAULT"));
    map.insert(
        "base_prompt_template".into(),
        json!(prompt.template.clone().unwrap_or_default()),
    );
    let inference = prompt.inference.as_ref();
    map.insert(
        "inference_configuration".into(),
        json!([{
            "temperature": inference.and_then(|i| i.temperature),
            "top_p": inference.and_then(|i| i.top_p),
            "top_k": Value::Null,
            "max_length": inference.and_then(|i| i.maximum_length),
            "stop_sequences": inference.map(|i| i.stop_sequences.clone()).unwrap_or_default(),
        }]),
    );
    Value::Object(map)
}

/// Terraform JSON (`*.tf.json`) for the `aws_bedrockagent_*` resources of the hashicorp/aws
/// provider [`TERRAFORM_AWS_PROVIDER`].
pub fn terraform(desired: &DesiredState) -> Export {
    let agent = &desired.agent;
    let mut omitted = Vec::new();
    let agent_key = tf_id(&agent.name);
    let agent_ref = format!("${{aws_bedrockagent_agent.{agent_key}.agent_id}}");
    let mut agent_block = Map::new();
    agent_block.insert("agent_name".into(), json!(agent.name));
    insert_some(
        &mut agent_block,
        "description",
        agent.description.as_ref().map(|d| json!(d)),
    );
    agent_block.insert("instruction".into(), json!(agent.instruction));
    agent_block.insert("foundation_model".into(), json!(agent.foundation_model));
    agent_block.insert("agent_resource_role_arn".into(), json!(agent.role_arn));
    agent_block.insert("prepare_agent".into(), json!(true));
    insert_some(
        &mut agent_block,
        "idle_session_ttl_in_seconds",
        agent.idle_session_ttl.map(|t| json!(t)),
    );
    insert_some(
        &mut agent_block,
        "customer_encryption_key_arn",
        agent.encryption_key_arn.as_ref().map(|k| json!(k)),
    );
    if let Some(guardrail) = &agent.guardrail {
        agent_block.insert(
            "guardrail_configuration".into(),
            json!([{ "guardrail_identifier": guardrail.id, "guardrail_version": guardrail.version }]),
        );
    }
    if let Some(memory) = &agent.memory {
        let mut m = Map::new();
        m.insert("enabled_memory_types".into(), json!(["SESSION_SUMMARY"]));
        m.insert("storage_days".into(), json!(memory.storage_days));
        agent_block.insert("memory_configuration".into(), json!([m]));
        if let Some(sessions) = memory.max_recent_sessions {
            omitted.push(format!(
                "memory.max_recent_sessions ({sessions}): memory_configuration has no session_summary_configuration in hashicorp/aws {TERRAFORM_AWS_PROVIDER}; the service default applies"
            ));
        }
    }
    if !agent.prompts.is_empty() {
        let prompts: Vec<Value> = agent.prompts.iter().map(tf_prompt).collect();
        agent_block.insert(
            "prompt_override_configuration".into(),
            json!([{ "override_lambda": Value::Null, "prompt_configurations": prompts }]),
        );
        for prompt in &agent.prompts {
            if let Some(model) = &prompt.foundation_model {
                omitted.push(format!(
                    "the {} prompt's model {model} (targets.agents.orchestrator): prompt_configurations has no foundation_model in hashicorp/aws {TERRAFORM_AWS_PROVIDER}; that step runs on the agent's model",
                    prompt.prompt_type
                ));
            }
        }
    }
    agent_block.insert("tags".into(), json!(desired.tags));

    let mut groups = Map::new();
    for group in &desired.action_groups {
        let mut block = Map::new();
        block.insert("action_group_name".into(), json!(group.name));
        block.insert("agent_id".into(), json!(agent_ref));
        block.insert("agent_version".into(), json!("DRAFT"));
        insert_some(
            &mut block,
            "description",
            group.description.as_ref().map(|d| json!(d)),
        );
        block.insert("action_group_state".into(), json!(state(group.enabled)));
        block.insert("prepare_agent".into(), json!(true));
        block.insert("skip_resource_in_use_check".into(), json!(true));
        insert_some(
            &mut block,
            "action_group_executor",
            match &group.executor {
                ExecutorConfig::Lambda(arn) => Some(json!([{ "lambda": arn }])),
                ExecutorConfig::ReturnControl => {
                    Some(json!([{ "custom_control": "RETURN_CONTROL" }]))
                }
                ExecutorConfig::BuiltIn => None,
            },
        );
        match &group.schema {
            SchemaConfig::OpenapiS3 { bucket, key } => {
                block.insert(
                    "api_schema".into(),
                    json!([{ "s3": [{ "s3_bucket_name": bucket, "s3_object_key": key }] }]),
                );
            }
            SchemaConfig::BuiltIn { signature, params } => {
                block.insert("parent_action_group_signature".into(), json!(signature));
                if !params.is_empty() {
                    omitted.push(format!(
                        "the params of built-in action group {} ({signature}): aws_bedrockagent_agent_action_group has no parent_action_group_signature_params in hashicorp/aws {TERRAFORM_AWS_PROVIDER}",
                        group.name
                    ));
                }
            }
            SchemaConfig::Openapi(payload) => {
                block.insert("api_schema".into(), json!([{ "payload": payload }]));
            }
            SchemaConfig::Functions(functions) => {
                let functions: Vec<Value> = functions
                    .iter()
                    .map(|f| {
                        let parameters: Vec<Value> = f
                            .parameters
                            .iter()
                            .map(|(name, p)| {
                                json!({ "map_block_key": name, "type": p.kind, "description": p.description, "required": p.required })
                            })
                            .collect();
                        json!({ "name": f.name, "description": f.description, "parameters": parameters })
                    })
                    .collect();
                block.insert(
                    "function_schema".into(),
                    json!([{ "member_functions": [{ "functions": functions }] }]),
                );
            }
        }
        groups.insert(tf_id(&group.name), Value::Object(block));
    }

    if !omitted.is_empty() {
        // Terraform JSON ignores a property named "//": the file carries its own caveat.
        agent_block.insert(
            "//".into(),
            json!(format!(
                "agentc: not expressible here, set after apply or use --target agents: {}",
                omitted.join("; ")
            )),
        );
    }

    let mut resources = Map::new();
    resources.insert(
        "aws_bedrockagent_agent".into(),
        json!({ agent_key.clone(): agent_block }),
    );
    if !groups.is_empty() {
        resources.insert(
            "aws_bedrockagent_agent_action_group".into(),
            Value::Object(groups),
        );
    }
    if !desired.knowledge_bases.is_empty() {
        let kbs: Map<String, Value> = desired
            .knowledge_bases
            .iter()
            .map(|kb| {
                (
                    tf_id(&format!("kb_{}", kb.id)),
                    json!({
                        "agent_id": agent_ref,
                        "agent_version": "DRAFT",
                        "knowledge_base_id": kb.id,
                        "description": kb.description,
                        "knowledge_base_state": state(kb.enabled),
                    }),
                )
            })
            .collect();
        resources.insert(
            "aws_bedrockagent_agent_knowledge_base_association".into(),
            Value::Object(kbs),
        );
    }
    if let Some(alias) = &desired.alias {
        let depends: Vec<String> = desired
            .action_groups
            .iter()
            .map(|g| format!("aws_bedrockagent_agent_action_group.{}", tf_id(&g.name)))
            .collect();
        resources.insert(
            "aws_bedrockagent_agent_alias".into(),
            json!({ tf_id(alias): { "agent_alias_name": alias, "agent_id": agent_ref, "tags": desired.tags, "depends_on": depends } }),
        );
    }
    Export {
        document: json!({ "resource": resources }),
        omitted,
    }
}
