//! What every runner of the direct loop sets up before the first turn, shared by `agentc run`
//! and `agentc serve`: the Converse client (with agentc's retry policy), the
//! history budget from the model's context window, and the loop's settings.

use super::compile::ConverseConfig;
use super::model::ModelClient;
use super::retry::RetryPolicy;
use super::runner::Settings;
use super::wire::{RequestParts, WireError};
use crate::models::ModelTable;
use crate::spec::{Agent, Spec};

/// The Converse client for `config`, at the endpoint the SDK configuration names
/// (`AWS_ENDPOINT_URL_BEDROCK_RUNTIME`, then `AWS_ENDPOINT_URL`, then the Region's host).
pub fn model_client(
    sdk_config: &aws_config::SdkConfig,
    config: &ConverseConfig,
    retry: RetryPolicy,
) -> Result<ModelClient, WireError> {
    let parts = RequestParts::from_config(config)?;
    let base = crate::aws::base_url(sdk_config, crate::aws::BEDROCK_RUNTIME);
    let client = ModelClient::new(sdk_config.clone(), &base, parts, retry)
        .map_err(|e| WireError(format!("cannot create an HTTP client: {e}")))?;
    Ok(client.with_endpoint(crate::aws::endpoint(
        sdk_config,
        crate::aws::BEDROCK_RUNTIME,
    )))
}

/// Bytes of history sent with each call: what the model's context window leaves after the
/// output reserve and the fixed part of the request (unbounded for a model agentc does not
/// know).
pub fn history_budget(spec: &Spec, config: &ConverseConfig, models: &ModelTable) -> usize {
    let fixed_bytes = serde_json::to_string(&config.system).map_or(0, |s| s.len())
        + config
            .tool_config
            .as_ref()
            .map_or(0, |t| t.to_string().len());
    models.find(&spec.model).map_or(usize::MAX, |m| {
        let reserve = spec
            .inference
            .as_ref()
            .and_then(|i| i.max_tokens)
            .map_or(m.max_output_tokens, u64::from);
        super::history::budget_bytes(m.context_window, reserve, fixed_bytes)
    })
}

/// The loop's settings for one session of `agent`.
pub fn settings(
    spec: &Spec,
    agent: &Agent,
    session_id: &str,
    history_budget: usize,
    models: &ModelTable,
) -> Settings {
    let direct = spec.targets.direct.clone().unwrap_or_default();
    Settings {
        session_id: session_id.to_string(),
        agent_name: agent.name.clone(),
        max_iterations: direct.max_iterations.max(1),
        history_budget,
        tool_status: models
            .find(&spec.model)
            .is_none_or(|m| matches!(m.family.as_str(), "nova" | "claude")),
    }
}
