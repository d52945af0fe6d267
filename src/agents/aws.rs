//! [`AgentsApi`] over `aws-sdk-bedrockagent`: the only code that touches the AWS SDK. It turns
//! agentc's config types into requests and the service's replies back into those types,
//! applying the service's own normalisations (defaults it fills in, prompts left at default).

use super::api::{
    ActionGroupRecord, AgentRecord, AgentSummary, AgentsApi, AliasRecord, ApiError, ApiResult,
    KeptAgentSettings, Page,
};
use super::desired::{
    ActionGroupConfig, AgentConfig, ExecutorConfig, FunctionConfig, GuardrailConfig,
    InferenceConfig, KnowledgeBaseConfig, MemoryConfig, ParameterConfig, PromptConfig,
    SchemaConfig, normalise_float, normalise_optional, normalise_text,
};
use aws_sdk_bedrockagent::Client;
use aws_sdk_bedrockagent::error::{DisplayErrorContext, ProvideErrorMetadata, SdkError};
use aws_sdk_bedrockagent::types as t;
use std::collections::{BTreeMap, HashMap};

/// The agent version every change is made on.
const DRAFT: &str = "DRAFT";

pub struct BedrockAgents {
    client: Client,
    /// Kept for the one S3 read import may need.
    config: aws_config::SdkConfig,
}

impl BedrockAgents {
    /// Standard AWS configuration (environment, profiles, `AWS_ENDPOINT_URL_BEDROCK_AGENT`),
    /// with `--region` / `--profile` on top.
    pub async fn connect(region: Option<&str>, profile: Option<&str>) -> Self {
        let config = crate::aws::sdk_config(region, profile).await;
        Self {
            client: Client::new(&config),
            config,
        }
    }

    /// Where the requests go, for error messages.
    pub fn endpoint(&self) -> String {
        crate::aws::endpoint(&self.config, crate::aws::BEDROCK_AGENT)
    }
}

fn api_error<E, R>(error: SdkError<E, R>) -> ApiError
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
    R: std::fmt::Debug,
{
    match error.code() {
        Some(code) => ApiError {
            code: code.to_string(),
            message: error.message().unwrap_or("").to_string(),
        },
        None => {
            // For classification only: the context carries the SDK's Debug forms, which
            // users must not see; the message is the innermost cause in words.
            let context = DisplayErrorContext(&error).to_string();
            let message = crate::diag::root_cause(&error);
            // Configuration problems surface as dispatch failures; name them.
            let code = if context.contains("MissingSigningRegion")
                || context.contains("missing signing region")
            {
                "NoRegion"
            } else if context.contains("CredentialsNotLoaded") || context.contains("no credentials")
            {
                "NoCredentials"
            } else {
                "NoResponse"
            };
            ApiError {
                code: code.into(),
                message,
            }
        }
    }
}

fn build_error(error: impl std::fmt::Display) -> ApiError {
    ApiError {
        code: "InvalidRequest".into(),
        message: error.to_string(),
    }
}

fn millis(time: &aws_smithy_types::DateTime) -> i64 {
    time.to_millis().unwrap_or(i64::MAX)
}

fn to_sdk_prompts(config: &AgentConfig) -> Option<t::PromptOverrideConfiguration> {
    if config.prompts.is_empty() {
        return None;
    }
    let prompts = config
        .prompts
        .iter()
        .map(|p| {
            let mut builder = t::PromptConfiguration::builder()
                .prompt_type(t::PromptType::from(p.prompt_type.as_str()))
                .prompt_state(if p.enabled {
                    t::PromptState::Enabled
                } else {
                    t::PromptState::Disabled
                })
                .parser_mode(t::CreationMode::Default)
                .set_foundation_model(p.foundation_model.clone());
            builder = match &p.template {
                Some(template) => builder
                    .prompt_creation_mode(t::CreationMode::Overridden)
                    .base_prompt_template(template),
                None => builder.prompt_creation_mode(t::CreationMode::Default),
            };
            if let Some(inference) = &p.inference {
                builder = builder.inference_configuration(
                    t::InferenceConfiguration::builder()
                        .set_temperature(inference.temperature.map(|v| v as f32))
                        .set_top_p(inference.top_p.map(|v| v as f32))
                        .set_maximum_length(inference.maximum_length)
                        .set_stop_sequences(Some(inference.stop_sequences.clone()))
                        .build(),
                );
            }
            builder.build()
        })
        .collect();
    t::PromptOverrideConfiguration::builder()
        .set_prompt_configurations(Some(prompts))
        .build()
        .ok()
}

fn to_sdk_memory(memory: &MemoryConfig) -> ApiResult<t::MemoryConfiguration> {
    t::MemoryConfiguration::builder()
        .enabled_memory_types(t::MemoryType::SessionSummary)
        .storage_days(memory.storage_days)
        .set_session_summary_configuration(memory.max_recent_sessions.map(|n| {
            t::SessionSummaryConfiguration::builder()
                .max_recent_sessions(n)
                .build()
        }))
        .build()
        .map_err(build_error)
}

fn to_sdk_guardrail(guardrail: &GuardrailConfig) -> t::GuardrailConfiguration {
    t::GuardrailConfiguration::builder()
        .guardrail_identifier(&guardrail.id)
        .guardrail_version(&guardrail.version)
        .build()
}

/// Keep only what the spec can say: prompts that are overridden or run on another model.
fn from_sdk_prompts(
    agent_model: &str,
    configuration: Option<&t::PromptOverrideConfiguration>,
) -> Vec<PromptConfig> {
    let Some(configuration) = configuration else {
        return Vec::new();
    };
    let mut prompts: Vec<PromptConfig> = configuration
        .prompt_configurations()
        .iter()
        .filter_map(|p| {
            let overridden = p.prompt_creation_mode() == Some(&t::CreationMode::Overridden);
            let other_model = p
                .foundation_model()
                .filter(|m| !m.is_empty() && *m != agent_model);
            if !overridden && other_model.is_none() {
                return None;
            }
            Some(PromptConfig {
                prompt_type: p.prompt_type()?.as_str().to_string(),
                template: if overridden {
                    p.base_prompt_template().map(normalise_text)
                } else {
                    None
                },
                enabled: p.prompt_state() != Some(&t::PromptState::Disabled),
                foundation_model: other_model.map(str::to_string),
                inference: if overridden {
                    p.inference_configuration().map(|i| InferenceConfig {
                        temperature: i.temperature().map(|v| normalise_float(f64::from(v))),
                        top_p: i.top_p().map(|v| normalise_float(f64::from(v))),
                        maximum_length: i.maximum_length(),
                        stop_sequences: i.stop_sequences().to_vec(),
                    })
                } else {
                    None
                },
            })
        })
        .collect();
    prompts.sort_by(|a, b| a.prompt_type.cmp(&b.prompt_type));
    prompts
}

fn from_sdk_agent(agent: &t::Agent) -> AgentRecord {
    let model = agent.foundation_model().unwrap_or_default().to_string();
    AgentRecord {
        id: agent.agent_id().to_string(),
        arn: agent.agent_arn().to_string(),
        status: agent.agent_status().as_str().to_string(),
        failure_reasons: agent.failure_reasons().to_vec(),
        recommended_actions: agent.recommended_actions().to_vec(),
        updated_at_ms: millis(agent.updated_at()),
        prepared_at_ms: agent.prepared_at().map(millis),
        kept: KeptAgentSettings {
            agent_collaboration: agent.agent_collaboration().map(|c| c.as_str().to_string()),
            orchestration_type: agent.orchestration_type().map(|o| o.as_str().to_string()),
            custom_orchestration_lambda: agent
                .custom_orchestration()
                .and_then(|c| c.executor())
                .and_then(|e| e.as_lambda().ok())
                .cloned(),
        },
        config: AgentConfig {
            name: agent.agent_name().to_string(),
            description: normalise_optional(agent.description()),
            instruction: normalise_text(agent.instruction().unwrap_or_default()),
            prompts: from_sdk_prompts(&model, agent.prompt_override_configuration()),
            foundation_model: model,
            role_arn: agent.agent_resource_role_arn().to_string(),
            idle_session_ttl: Some(agent.idle_session_ttl_in_seconds()),
            encryption_key_arn: normalise_optional(agent.customer_encryption_key_arn()),
            guardrail: agent.guardrail_configuration().and_then(|g| {
                Some(GuardrailConfig {
                    id: g
                        .guardrail_identifier()
                        .filter(|id| !id.is_empty())?
                        .to_string(),
                    version: g.guardrail_version().unwrap_or("DRAFT").to_string(),
                })
            }),
            memory: agent
                .memory_configuration()
                .filter(|m| !m.enabled_memory_types().is_empty())
                .map(|m| MemoryConfig {
                    storage_days: m.storage_days(),
                    max_recent_sessions: m
                        .session_summary_configuration()
                        .and_then(|s| s.max_recent_sessions()),
                }),
        },
    }
}

fn to_sdk_functions(functions: &[FunctionConfig]) -> ApiResult<t::FunctionSchema> {
    let mut out = Vec::new();
    for function in functions {
        let mut parameters = HashMap::new();
        for (name, p) in &function.parameters {
            let detail = t::ParameterDetail::builder()
                .r#type(t::Type::from(p.kind.as_str()))
                .set_description(p.description.clone())
                .required(p.required)
                .build()
                .map_err(build_error)?;
            parameters.insert(name.clone(), detail);
        }
        out.push(
            t::Function::builder()
                .name(&function.name)
                .set_description(function.description.clone())
                .set_parameters(Some(parameters))
                .require_confirmation(if function.require_confirmation {
                    t::RequireConfirmation::Enabled
                } else {
                    t::RequireConfirmation::Disabled
                })
                .build()
                .map_err(build_error)?,
        );
    }
    Ok(t::FunctionSchema::Functions(out))
}

/// Sets an action group's own fields on a CreateAgentActionGroup or UpdateAgentActionGroup
/// request: the two builders are different types with the same setters.
macro_rules! with_action_group {
    ($request:expr, $config:expr) => {{
        let config: &ActionGroupConfig = $config;
        let schema = SdkSchema::of(&config.schema)?;
        $request
            .action_group_name(&config.name)
            // The service refuses a description on a built-in group.
            .set_description(
                config
                    .description
                    .clone()
                    .filter(|_| config.built_in_signature().is_none()),
            )
            .set_action_group_executor(to_sdk_executor(&config.executor))
            .action_group_state(if config.enabled {
                t::ActionGroupState::Enabled
            } else {
                t::ActionGroupState::Disabled
            })
            .set_function_schema(schema.function_schema)
            .set_api_schema(schema.api_schema)
            .set_parent_action_group_signature(schema.signature)
            .set_parent_action_group_signature_params(schema.params)
    }};
}

/// An action group's schema as the four request fields that carry it (at most one of the first
/// three is set), shared by CreateAgentActionGroup and UpdateAgentActionGroup.
struct SdkSchema {
    function_schema: Option<t::FunctionSchema>,
    api_schema: Option<t::ApiSchema>,
    signature: Option<t::ActionGroupSignature>,
    params: Option<HashMap<String, String>>,
}

impl SdkSchema {
    fn of(schema: &SchemaConfig) -> ApiResult<Self> {
        let mut out = Self {
            function_schema: None,
            api_schema: None,
            signature: None,
            params: None,
        };
        match schema {
            SchemaConfig::Functions(functions) => {
                out.function_schema = Some(to_sdk_functions(functions)?);
            }
            SchemaConfig::Openapi(payload) => {
                out.api_schema = Some(t::ApiSchema::Payload(payload.clone()));
            }
            SchemaConfig::OpenapiS3 { bucket, key } => {
                out.api_schema = Some(t::ApiSchema::S3(
                    t::S3Identifier::builder()
                        .s3_bucket_name(bucket)
                        .s3_object_key(key)
                        .build(),
                ));
            }
            SchemaConfig::BuiltIn { signature, params } => {
                out.signature = Some(t::ActionGroupSignature::from(signature.as_str()));
                out.params = (!params.is_empty()).then(|| params.clone().into_iter().collect());
            }
        }
        Ok(out)
    }
}

fn to_sdk_executor(executor: &ExecutorConfig) -> Option<t::ActionGroupExecutor> {
    match executor {
        ExecutorConfig::Lambda(arn) => Some(t::ActionGroupExecutor::Lambda(arn.clone())),
        ExecutorConfig::ReturnControl => Some(t::ActionGroupExecutor::CustomControl(
            t::CustomControlMethod::ReturnControl,
        )),
        ExecutorConfig::BuiltIn => None,
    }
}

fn from_sdk_action_group(group: &t::AgentActionGroup) -> ActionGroupRecord {
    let signature = group
        .parent_action_signature()
        .map(|s| s.as_str().to_string());
    let executor = match (group.action_group_executor(), &signature) {
        (_, Some(_)) => ExecutorConfig::BuiltIn,
        (Some(t::ActionGroupExecutor::Lambda(arn)), None) => ExecutorConfig::Lambda(arn.clone()),
        _ => ExecutorConfig::ReturnControl,
    };
    let schema = match (group.api_schema(), group.function_schema()) {
        _ if signature.is_some() => SchemaConfig::BuiltIn {
            signature: signature.clone().unwrap_or_default(),
            params: group
                .parent_action_group_signature_params()
                .map(|p| p.iter().map(|(k, v)| (k.clone(), v.clone())).collect())
                .unwrap_or_default(),
        },
        (Some(t::ApiSchema::Payload(payload)), _) => SchemaConfig::Openapi(payload.clone()),
        (Some(t::ApiSchema::S3(s3)), _) => SchemaConfig::OpenapiS3 {
            bucket: s3.s3_bucket_name().unwrap_or_default().to_string(),
            key: s3.s3_object_key().unwrap_or_default().to_string(),
        },
        (_, Some(t::FunctionSchema::Functions(functions))) => SchemaConfig::Functions(
            functions
                .iter()
                .map(|f| FunctionConfig {
                    name: f.name().to_string(),
                    description: normalise_optional(f.description()),
                    parameters: f
                        .parameters()
                        .map(|map| {
                            map.iter()
                                .map(|(name, p)| {
                                    let parameter = ParameterConfig {
                                        kind: p.r#type().as_str().to_string(),
                                        description: normalise_optional(p.description()),
                                        required: p.required().unwrap_or(false),
                                    };
                                    (name.clone(), parameter)
                                })
                                .collect()
                        })
                        .unwrap_or_default(),
                    require_confirmation: f.require_confirmation()
                        == Some(&t::RequireConfirmation::Enabled),
                })
                .collect(),
        ),
        _ => SchemaConfig::Functions(Vec::new()),
    };
    ActionGroupRecord {
        id: group.action_group_id().to_string(),
        parent_signature: signature,
        config: ActionGroupConfig {
            name: group.action_group_name().to_string(),
            description: normalise_optional(group.description()),
            executor,
            schema,
            enabled: group.action_group_state() != &t::ActionGroupState::Disabled,
        },
    }
}

fn alias_version(routing: &[t::AgentAliasRoutingConfigurationListItem]) -> Option<String> {
    routing
        .first()
        .and_then(|r| r.agent_version())
        .map(str::to_string)
}

fn kb_state(enabled: bool) -> t::KnowledgeBaseState {
    if enabled {
        t::KnowledgeBaseState::Enabled
    } else {
        t::KnowledgeBaseState::Disabled
    }
}

impl AgentsApi for BedrockAgents {
    async fn list_agents(&self, next_token: Option<String>) -> ApiResult<Page<AgentSummary>> {
        let out = self
            .client
            .list_agents()
            .set_next_token(next_token)
            .send()
            .await
            .map_err(api_error)?;
        Ok(Page {
            items: out
                .agent_summaries()
                .iter()
                .map(|a| AgentSummary {
                    id: a.agent_id().to_string(),
                    name: a.agent_name().to_string(),
                })
                .collect(),
            next_token: out.next_token().map(str::to_string),
        })
    }

    async fn get_agent(&self, agent_id: &str) -> ApiResult<Option<AgentRecord>> {
        match self
            .client
            .get_agent()
            .agent_id(agent_id)
            .send()
            .await
            .map_err(api_error)
        {
            Ok(out) => Ok(out.agent().map(from_sdk_agent)),
            Err(error) if error.is_not_found() => Ok(None),
            Err(error) => Err(error),
        }
    }

    async fn create_agent(
        &self,
        config: &AgentConfig,
        tags: &BTreeMap<String, String>,
        client_token: &str,
    ) -> ApiResult<AgentRecord> {
        let out = self
            .client
            .create_agent()
            .agent_name(&config.name)
            .client_token(client_token)
            .instruction(&config.instruction)
            .foundation_model(&config.foundation_model)
            .set_description(config.description.clone())
            .agent_resource_role_arn(&config.role_arn)
            .set_idle_session_ttl_in_seconds(config.idle_session_ttl)
            .set_customer_encryption_key_arn(config.encryption_key_arn.clone())
            .set_prompt_override_configuration(to_sdk_prompts(config))
            .set_guardrail_configuration(config.guardrail.as_ref().map(to_sdk_guardrail))
            .set_memory_configuration(config.memory.as_ref().map(to_sdk_memory).transpose()?)
            .set_tags(Some(
                tags.iter().map(|(k, v)| (k.clone(), v.clone())).collect(),
            ))
            .send()
            .await
            .map_err(api_error)?;
        out.agent().map(from_sdk_agent).ok_or_else(|| ApiError {
            code: "EmptyResponse".into(),
            message: "CreateAgent returned no agent".into(),
        })
    }

    async fn update_agent(
        &self,
        agent_id: &str,
        config: &AgentConfig,
        kept: &KeptAgentSettings,
    ) -> ApiResult<()> {
        self.client
            .update_agent()
            .set_agent_collaboration(
                kept.agent_collaboration
                    .as_deref()
                    .map(t::AgentCollaboration::from),
            )
            .set_orchestration_type(
                kept.orchestration_type
                    .as_deref()
                    .map(t::OrchestrationType::from),
            )
            .set_custom_orchestration(kept.custom_orchestration_lambda.as_ref().map(|lambda| {
                t::CustomOrchestration::builder()
                    .executor(t::OrchestrationExecutor::Lambda(lambda.clone()))
                    .build()
            }))
            .agent_id(agent_id)
            .agent_name(&config.name)
            .instruction(&config.instruction)
            .foundation_model(&config.foundation_model)
            .set_description(config.description.clone())
            .agent_resource_role_arn(&config.role_arn)
            .set_idle_session_ttl_in_seconds(config.idle_session_ttl)
            .set_customer_encryption_key_arn(config.encryption_key_arn.clone())
            .set_prompt_override_configuration(to_sdk_prompts(config))
            .set_guardrail_configuration(config.guardrail.as_ref().map(to_sdk_guardrail))
            .set_memory_configuration(config.memory.as_ref().map(to_sdk_memory).transpose()?)
            .send()
            .await
            .map_err(api_error)?;
        Ok(())
    }

    async fn prepare_agent(&self, agent_id: &str) -> ApiResult<()> {
        self.client
            .prepare_agent()
            .agent_id(agent_id)
            .send()
            .await
            .map_err(api_error)?;
        Ok(())
    }

    async fn delete_agent(&self, agent_id: &str) -> ApiResult<()> {
        self.client
            .delete_agent()
            .agent_id(agent_id)
            .skip_resource_in_use_check(true)
            .send()
            .await
            .map_err(api_error)?;
        Ok(())
    }

    async fn list_tags(&self, arn: &str) -> ApiResult<BTreeMap<String, String>> {
        let out = self
            .client
            .list_tags_for_resource()
            .resource_arn(arn)
            .send()
            .await
            .map_err(api_error)?;
        Ok(out
            .tags()
            .map(|tags| tags.iter().map(|(k, v)| (k.clone(), v.clone())).collect())
            .unwrap_or_default())
    }

    async fn tag(&self, arn: &str, tags: &BTreeMap<String, String>) -> ApiResult<()> {
        self.client
            .tag_resource()
            .resource_arn(arn)
            .set_tags(Some(
                tags.iter().map(|(k, v)| (k.clone(), v.clone())).collect(),
            ))
            .send()
            .await
            .map_err(api_error)?;
        Ok(())
    }

    async fn untag(&self, arn: &str, keys: &[String]) -> ApiResult<()> {
        self.client
            .untag_resource()
            .resource_arn(arn)
            .set_tag_keys(Some(keys.to_vec()))
            .send()
            .await
            .map_err(api_error)?;
        Ok(())
    }

    async fn list_action_groups(
        &self,
        agent_id: &str,
        next_token: Option<String>,
    ) -> ApiResult<Page<(String, String)>> {
        let out = self
            .client
            .list_agent_action_groups()
            .agent_id(agent_id)
            .agent_version(DRAFT)
            .set_next_token(next_token)
            .send()
            .await
            .map_err(api_error)?;
        Ok(Page {
            items: out
                .action_group_summaries()
                .iter()
                .map(|g| {
                    (
                        g.action_group_id().to_string(),
                        g.action_group_name().to_string(),
                    )
                })
                .collect(),
            next_token: out.next_token().map(str::to_string),
        })
    }

    async fn get_action_group(
        &self,
        agent_id: &str,
        action_group_id: &str,
    ) -> ApiResult<ActionGroupRecord> {
        let out = self
            .client
            .get_agent_action_group()
            .agent_id(agent_id)
            .agent_version(DRAFT)
            .action_group_id(action_group_id)
            .send()
            .await
            .map_err(api_error)?;
        out.agent_action_group()
            .map(from_sdk_action_group)
            .ok_or_else(|| ApiError {
                code: "EmptyResponse".into(),
                message: "GetAgentActionGroup returned no action group".into(),
            })
    }

    async fn create_action_group(
        &self,
        agent_id: &str,
        config: &ActionGroupConfig,
        client_token: &str,
    ) -> ApiResult<String> {
        let request = self
            .client
            .create_agent_action_group()
            .agent_id(agent_id)
            .agent_version(DRAFT)
            .client_token(client_token);
        let request = with_action_group!(request, config);
        let out = request.send().await.map_err(api_error)?;
        out.agent_action_group()
            .map(|g| g.action_group_id().to_string())
            .ok_or_else(|| ApiError {
                code: "EmptyResponse".into(),
                message: "CreateAgentActionGroup returned no action group".into(),
            })
    }

    async fn update_action_group(
        &self,
        agent_id: &str,
        action_group_id: &str,
        config: &ActionGroupConfig,
    ) -> ApiResult<()> {
        let request = self
            .client
            .update_agent_action_group()
            .agent_id(agent_id)
            .agent_version(DRAFT)
            .action_group_id(action_group_id);
        let request = with_action_group!(request, config);
        request.send().await.map_err(api_error)?;
        Ok(())
    }

    async fn delete_action_group(
        &self,
        agent_id: &str,
        action_group_id: &str,
        skip_in_use_check: bool,
    ) -> ApiResult<()> {
        self.client
            .delete_agent_action_group()
            .agent_id(agent_id)
            .agent_version(DRAFT)
            .action_group_id(action_group_id)
            .skip_resource_in_use_check(skip_in_use_check)
            .send()
            .await
            .map_err(api_error)?;
        Ok(())
    }

    async fn list_knowledge_bases(
        &self,
        agent_id: &str,
        next_token: Option<String>,
    ) -> ApiResult<Page<KnowledgeBaseConfig>> {
        let out = self
            .client
            .list_agent_knowledge_bases()
            .agent_id(agent_id)
            .agent_version(DRAFT)
            .set_next_token(next_token)
            .send()
            .await
            .map_err(api_error)?;
        Ok(Page {
            items: out
                .agent_knowledge_base_summaries()
                .iter()
                .map(|kb| KnowledgeBaseConfig {
                    id: kb.knowledge_base_id().to_string(),
                    description: normalise_text(kb.description().unwrap_or_default()),
                    enabled: kb.knowledge_base_state() != &t::KnowledgeBaseState::Disabled,
                })
                .collect(),
            next_token: out.next_token().map(str::to_string),
        })
    }

    async fn associate_knowledge_base(
        &self,
        agent_id: &str,
        kb: &KnowledgeBaseConfig,
    ) -> ApiResult<()> {
        self.client
            .associate_agent_knowledge_base()
            .agent_id(agent_id)
            .agent_version(DRAFT)
            .knowledge_base_id(&kb.id)
            .description(&kb.description)
            .knowledge_base_state(kb_state(kb.enabled))
            .send()
            .await
            .map_err(api_error)?;
        Ok(())
    }

    async fn update_knowledge_base(
        &self,
        agent_id: &str,
        kb: &KnowledgeBaseConfig,
    ) -> ApiResult<()> {
        self.client
            .update_agent_knowledge_base()
            .agent_id(agent_id)
            .agent_version(DRAFT)
            .knowledge_base_id(&kb.id)
            .description(&kb.description)
            .knowledge_base_state(kb_state(kb.enabled))
            .send()
            .await
            .map_err(api_error)?;
        Ok(())
    }

    async fn disassociate_knowledge_base(&self, agent_id: &str, kb_id: &str) -> ApiResult<()> {
        self.client
            .disassociate_agent_knowledge_base()
            .agent_id(agent_id)
            .agent_version(DRAFT)
            .knowledge_base_id(kb_id)
            .send()
            .await
            .map_err(api_error)?;
        Ok(())
    }

    async fn list_aliases(
        &self,
        agent_id: &str,
        next_token: Option<String>,
    ) -> ApiResult<Page<AliasRecord>> {
        let out = self
            .client
            .list_agent_aliases()
            .agent_id(agent_id)
            .set_next_token(next_token)
            .send()
            .await
            .map_err(api_error)?;
        Ok(Page {
            items: out
                .agent_alias_summaries()
                .iter()
                .map(|a| AliasRecord {
                    id: a.agent_alias_id().to_string(),
                    name: a.agent_alias_name().to_string(),
                    status: a.agent_alias_status().as_str().to_string(),
                    version: alias_version(a.routing_configuration()),
                    updated_at_ms: millis(a.updated_at()),
                    failure_reasons: Vec::new(),
                })
                .collect(),
            next_token: out.next_token().map(str::to_string),
        })
    }

    async fn get_alias(&self, agent_id: &str, alias_id: &str) -> ApiResult<AliasRecord> {
        let out = self
            .client
            .get_agent_alias()
            .agent_id(agent_id)
            .agent_alias_id(alias_id)
            .send()
            .await
            .map_err(api_error)?;
        out.agent_alias()
            .map(from_sdk_alias)
            .ok_or_else(|| ApiError {
                code: "EmptyResponse".into(),
                message: "GetAgentAlias returned no alias".into(),
            })
    }

    async fn create_alias(
        &self,
        agent_id: &str,
        name: &str,
        tags: &BTreeMap<String, String>,
        client_token: &str,
    ) -> ApiResult<AliasRecord> {
        let out = self
            .client
            .create_agent_alias()
            .agent_id(agent_id)
            .agent_alias_name(name)
            .set_tags((!tags.is_empty()).then(|| tags.clone().into_iter().collect()))
            .client_token(client_token)
            .send()
            .await
            .map_err(api_error)?;
        out.agent_alias()
            .map(from_sdk_alias)
            .ok_or_else(|| ApiError {
                code: "EmptyResponse".into(),
                message: "CreateAgentAlias returned no alias".into(),
            })
    }

    async fn get_s3_object(&self, bucket: &str, key: &str) -> ApiResult<String> {
        super::s3::get_object(&self.config, bucket, key).await
    }

    async fn update_alias(&self, agent_id: &str, alias_id: &str, name: &str) -> ApiResult<()> {
        self.client
            .update_agent_alias()
            .agent_id(agent_id)
            .agent_alias_id(alias_id)
            .agent_alias_name(name)
            .send()
            .await
            .map_err(api_error)?;
        Ok(())
    }
}

fn from_sdk_alias(alias: &t::AgentAlias) -> AliasRecord {
    AliasRecord {
        id: alias.agent_alias_id().to_string(),
        name: alias.agent_alias_name().to_string(),
        status: alias.agent_alias_status().as_str().to_string(),
        version: alias_version(alias.routing_configuration()),
        updated_at_ms: millis(alias.updated_at()),
        failure_reasons: alias.failure_reasons().to_vec(),
    }
}
