//! The direct target's cost model: exactly the Converse request `super::compile` produces
//! (system, toolConfig), the user's message and the messages of earlier steps. A part behind
//! a `cachePoint` is marked cached and priced at the cache-read price.

use crate::cost::CostError;
use crate::cost::model::{Basis, Component, CostContext, TargetCost};
use crate::cost::price;
use crate::models::ModelInfo;
use crate::target::Target;
use serde_json::Value;

/// The direct target's component names, shared by the output formats and the tests.
pub mod names {
    pub use crate::cost::model::names::{HIDDEN_TOOL_PROMPT, USER_MESSAGE};
    pub const SYSTEM: &str = "system prompt";
    pub const TOOL_CONFIG: &str = "tool configuration";
    pub const HISTORY: &str = "earlier steps (messages)";
    pub const PASSAGES: &str = "retrieved passages (tool results)";
}

/// The direct target's call: the spec's model and the compiled Converse request. Converse
/// charges nothing per request beyond tokens.
pub fn price<'a>(cx: &mut CostContext<'a>) -> Result<TargetCost<'a>, CostError> {
    let model_id = cx.spec.model.clone();
    let model = cx.model(&model_id, Target::Direct)?;
    let components = components(cx, model);
    Ok(TargetCost {
        model_id,
        model,
        components,
        extra_calls: Vec::new(),
        fees: Vec::new(),
    })
}

fn components(cx: &mut CostContext<'_>, model: &ModelInfo) -> Vec<Component> {
    let workload = cx.workload;
    let counter = &mut cx.counter;
    let (config, _) = super::compile(cx.spec, cx.agent, cx.models);
    let is_cache_point = |block: &Value| block.get("cachePoint").is_some();
    let system_text: String = config
        .system
        .iter()
        .filter_map(|block| block.get("text").and_then(Value::as_str))
        .collect::<Vec<_>>()
        .join("\n");
    let system_cached = config.system.iter().any(is_cache_point);
    let mut components = vec![Component {
        cached: system_cached,
        ..Component::new(names::SYSTEM, counter.count(&system_text), Basis::Counted)
    }];
    let tools: Vec<&Value> = config
        .tool_config
        .as_ref()
        .and_then(|c| c.get("tools"))
        .and_then(Value::as_array)
        .map(|tools| tools.iter().collect())
        .unwrap_or_default();
    // Where the model caches tools, they come before the system prompt in the cached prefix,
    // so a system point covers them too (Claude); Nova never caches tools.
    let tools_cached = tools.iter().any(|t| is_cache_point(t))
        || (system_cached && model.prompt_caching.as_ref().is_some_and(|c| c.tools));
    let tool_specs: Vec<&Value> = tools.into_iter().filter(|t| !is_cache_point(t)).collect();
    if !tool_specs.is_empty() {
        let definitions: u64 = tool_specs
            .iter()
            .map(|t| counter.count(&t.to_string()))
            .sum();
        components.push(Component {
            cached: tools_cached,
            ..Component::new(names::TOOL_CONFIG, definitions, Basis::Counted)
        });
        if let Some(hidden) = model.tool_system_prompt_tokens {
            components.push(Component::new(
                names::HIDDEN_TOOL_PROMPT,
                hidden,
                Basis::Documented,
            ));
        }
    }
    components.push(Component::new(
        names::USER_MESSAGE,
        workload.input_tokens_per_request,
        Basis::Workload,
    ));
    if cx.spec.knowledge_bases.iter().any(|kb| kb.enabled) {
        components.push(Component::new(
            names::PASSAGES,
            price::retrieved_passages_tokens_per_call(
                *workload.calls_per_request.get(Target::Direct),
                workload.passage_tokens_per_request(),
            ),
            Basis::Workload,
        ));
    }
    components.push(Component::new(
        names::HISTORY,
        price::earlier_steps_tokens_per_call(
            *workload.calls_per_request.get(Target::Direct),
            workload.output_tokens_per_call + workload.tool_result_tokens_per_call,
        ),
        Basis::Workload,
    ));
    components
}
