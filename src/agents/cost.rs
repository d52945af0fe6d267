//! The agents target's cost model: the input of one orchestration call as Bedrock Agents
//! builds it.
//!
//! The orchestration prompt agentc models in `templates/agents/` (see [`prompt`]) or the
//! user's own `prompt_overrides.orchestration` file, the instruction, the tool definitions as
//! the orchestrator sees them, the guideline blocks that knowledge bases, memory and action
//! groups switch on, the hidden tool-use prompt some providers add, the user's message and the
//! scratchpad of earlier steps. Fixed template texts use constants (see [`prompt`]).

pub mod prompt;

use crate::cost::CostError;
use crate::cost::model::{Basis, Component, CostContext, ExtraCall, Fee, TargetCost};
use crate::cost::price;
use crate::models::ModelInfo;
use crate::spec::BuiltInSignature;
use crate::target::Target;
use crate::tokens;
use prompt::Block;
use regex::Regex;
use std::sync::LazyLock;

/// The agents target's component names, shared by the output formats and the tests.
pub mod names {
    pub use crate::cost::model::names::{HIDDEN_TOOL_PROMPT, USER_MESSAGE};
    pub const ORCHESTRATION_TEMPLATE: &str = "orchestration template";
    pub const ORCHESTRATION_OVERRIDE: &str = "orchestration template (your override)";
    pub const INSTRUCTION: &str = "instruction";
    pub const TOOL_DEFINITIONS: &str = "tool definitions";
    pub const BUILT_IN_TOOL_DEFINITIONS: &str = "built-in tool definitions";
    pub const SESSION_ATTRIBUTES: &str = "session attributes block";
    pub const KNOWLEDGE_BASE_GUIDELINES: &str = "knowledge-base guidelines";
    pub const MEMORY_GUIDELINES: &str = "memory guidelines";
    pub const SCRATCHPAD: &str = "earlier steps (scratchpad)";
    pub const PRE_PROCESSING: &str = "pre-processing call (override)";
    pub const POST_PROCESSING: &str = "post-processing call (override)";
    pub const KB_RESPONSE_GENERATION: &str = "KB response generation call";
    pub const KB_RESPONSE_GENERATION_OVERRIDE: &str = "KB response generation call (override)";
}

/// What agentc assumes of the calls it cannot count from the spec.
pub mod assumed {
    /// Pre-processing answers with a short classification of the input (a category letter
    /// and its reasoning), not with an answer.
    pub const PRE_PROCESSING_OUTPUT_TOKENS: u64 = 100;
    /// The default knowledge-base response-generation template is about 1,440 characters
    /// (AWS's template dump), ≈ 360 cl100k tokens; agentc does not ship its text.
    pub const KB_RESPONSE_GENERATION_TEMPLATE_TOKENS: u64 = 360;
    /// The generated answer from the passages, before orchestration continues.
    pub const KB_RESPONSE_GENERATION_OUTPUT_TOKENS: u64 = 300;
}

/// The agents target's call: the orchestrator model (`targets.agents.orchestrator`, else the
/// spec's model), the modelled prompt, and the workload's session fee.
pub fn price<'a>(cx: &mut CostContext<'a>) -> Result<TargetCost<'a>, CostError> {
    let orchestrator_id = cx.spec.orchestrator_id();
    let orchestrator = cx.model(orchestrator_id, Target::Agents)?;
    let components = components(cx, orchestrator)?;
    let extra_calls = extra_calls(cx, &components)?;
    Ok(TargetCost {
        model_id: orchestrator_id.to_string(),
        model: orchestrator,
        components,
        extra_calls,
        fees: vec![Fee {
            name: "session fee",
            per_request_usd: cx.workload.session_fee_usd,
        }],
    })
}

/// The calls Bedrock Agents makes besides orchestration: a pre- or post-processing prompt
/// runs once per request when the spec overrides it and leaves it enabled (they are disabled
/// by default); each knowledge-base retrieval is followed by a response-generation call over
/// the retrieved passages.
fn extra_calls(
    cx: &mut CostContext<'_>,
    components: &[Component],
) -> Result<Vec<ExtraCall>, CostError> {
    let (spec, workload) = (cx.spec, cx.workload);
    let tool_tokens: u64 = components
        .iter()
        .filter(|c| c.name == names::TOOL_DEFINITIONS)
        .map(|c| c.tokens)
        .sum();
    let calls = *workload.calls_per_request.get(Target::Agents);
    let overrides = spec.prompt_overrides.as_ref();
    let mut out = Vec::new();
    let template = |cx: &mut CostContext<'_>, o: &crate::spec::PromptOverride| {
        let path = cx.spec_dir.join(&o.template);
        let text = std::fs::read_to_string(&path)
            .map_err(|source| CostError::Template { path, source })?;
        let fixed = match &*PLACEHOLDER {
            Some(re) => re.replace_all(&text, "").into_owned(),
            None => text.clone(),
        };
        Ok::<_, CostError>((text, cx.counter.count(&fixed)))
    };
    if let Some(o) = overrides
        .and_then(|o| o.pre_processing.as_ref())
        .filter(|o| o.enabled)
    {
        let (text, fixed) = template(cx, o)?;
        let tools = if text.contains("$tools$") || text.contains("$functions$") {
            tool_tokens
        } else {
            0
        };
        out.push(ExtraCall {
            name: names::PRE_PROCESSING,
            calls_per_request: 1.0,
            input_tokens: fixed + tools + workload.input_tokens_per_request,
            output_tokens: assumed::PRE_PROCESSING_OUTPUT_TOKENS,
            basis: Basis::Counted,
        });
    }
    if let Some(o) = overrides
        .and_then(|o| o.post_processing.as_ref())
        .filter(|o| o.enabled)
    {
        let (_, fixed) = template(cx, o)?;
        // `$question$`, the tool results (`$responses$`) and the answer (`$latest_response$`).
        let responses =
            ((calls - 1.0).max(0.0) * workload.tool_result_tokens_per_call as f64).round() as u64;
        out.push(ExtraCall {
            name: names::POST_PROCESSING,
            calls_per_request: 1.0,
            input_tokens: fixed
                + workload.input_tokens_per_request
                + responses
                + workload.output_tokens_per_call,
            output_tokens: workload.output_tokens_per_call,
            basis: Basis::Counted,
        });
    }
    if spec.knowledge_bases.iter().any(|kb| kb.enabled) && workload.retrievals_per_request > 0.0 {
        let generation = overrides.and_then(|o| o.knowledge_base_response_generation.as_ref());
        let passages = workload.passages_per_retrieval * workload.tokens_per_passage;
        let call = match generation {
            Some(o) if !o.enabled => None,
            Some(o) => {
                let (_, fixed) = template(cx, o)?;
                Some((
                    names::KB_RESPONSE_GENERATION_OVERRIDE,
                    fixed,
                    Basis::Counted,
                ))
            }
            None => Some((
                names::KB_RESPONSE_GENERATION,
                assumed::KB_RESPONSE_GENERATION_TEMPLATE_TOKENS,
                Basis::Modelled,
            )),
        };
        if let Some((name, fixed, basis)) = call {
            out.push(ExtraCall {
                name,
                calls_per_request: workload.retrievals_per_request,
                input_tokens: fixed + workload.input_tokens_per_request + passages,
                output_tokens: assumed::KB_RESPONSE_GENERATION_OUTPUT_TOKENS,
                basis,
            });
        }
    }
    Ok(out)
}

static PLACEHOLDER: LazyLock<Option<Regex>> = LazyLock::new(|| Regex::new(r"\$[a-z_]+\$").ok());

fn components(
    cx: &mut CostContext<'_>,
    orchestrator: &ModelInfo,
) -> Result<Vec<Component>, CostError> {
    let (spec, agent, workload) = (cx.spec, cx.agent, cx.workload);
    let counter = &mut cx.counter;
    // Bedrock does not send the functions of a disabled action group.
    let tools: Vec<_> = agent
        .tools
        .iter()
        .filter(|t| spec.action_groups.get(t.group).is_none_or(|g| g.enabled))
        .collect();
    let built_ins: Vec<BuiltInSignature> = spec
        .targets
        .agents
        .as_ref()
        .map(|a| {
            a.built_in_action_groups
                .iter()
                .filter(|b| b.enabled)
                .map(|b| b.signature)
                .collect()
        })
        .unwrap_or_default();
    let has_action_groups = !tools.is_empty() || !built_ins.is_empty();
    let has_knowledge_bases = spec.knowledge_bases.iter().any(|kb| kb.enabled);
    let has_memory = spec.memory.is_some();
    let override_text = match spec
        .prompt_overrides
        .as_ref()
        .and_then(|o| o.orchestration.as_ref())
    {
        Some(o) => {
            let path = cx.spec_dir.join(&o.template);
            Some(
                std::fs::read_to_string(&path)
                    .map_err(|source| CostError::Template { path, source })?,
            )
        }
        None => None,
    };
    // With an override, a block is sent only where the user's template has its placeholder.
    let placed = |block: Block| {
        override_text
            .as_deref()
            .is_none_or(|text| text.contains(block.placeholder()))
    };
    let blocks_tokens = |blocks: &[Block]| -> u64 {
        blocks
            .iter()
            .filter(|b| placed(**b))
            .map(|b| b.fixed_tokens())
            .sum()
    };
    let enabled = prompt::enabled_blocks(has_action_groups, has_knowledge_bases, has_memory);
    let mut components = Vec::new();
    match &override_text {
        Some(text) => {
            let fixed = match &*PLACEHOLDER {
                Some(re) => re.replace_all(text, "").into_owned(),
                None => text.clone(),
            };
            components.push(Component::new(
                names::ORCHESTRATION_OVERRIDE,
                counter.count(&fixed),
                Basis::Counted,
            ));
        }
        None => components.push(Component::new(
            names::ORCHESTRATION_TEMPLATE,
            Block::Orchestration.fixed_tokens(),
            Basis::Modelled,
        )),
    }
    if override_text
        .as_deref()
        .is_none_or(|t| t.contains("$instruction$"))
    {
        components.push(Component::new(
            names::INSTRUCTION,
            counter.count(&agent.instruction),
            Basis::Counted,
        ));
    }
    if has_action_groups {
        let definitions: u64 = tools
            .iter()
            .map(|t| counter.count(&tokens::tool_definition(t)))
            .sum();
        if !tools.is_empty() {
            components.push(Component::new(
                names::TOOL_DEFINITIONS,
                definitions,
                Basis::Counted,
            ));
        }
        if !built_ins.is_empty() {
            let definitions = built_ins
                .iter()
                .map(|b| counter.count(prompt::built_in_tool_definition(*b)))
                .sum();
            components.push(Component::new(
                names::BUILT_IN_TOOL_DEFINITIONS,
                definitions,
                Basis::Modelled,
            ));
        }
        if let Some(hidden) = orchestrator.tool_system_prompt_tokens {
            components.push(Component::new(
                names::HIDDEN_TOOL_PROMPT,
                hidden,
                Basis::Documented,
            ));
        }
    }
    let on = |b: &Block| enabled.contains(b);
    let session = blocks_tokens(
        &[Block::PromptSessionAttributes]
            .into_iter()
            .filter(on)
            .collect::<Vec<_>>(),
    );
    if session > 0 {
        components.push(Component::new(
            names::SESSION_ATTRIBUTES,
            session,
            Basis::Modelled,
        ));
    }
    let knowledge = blocks_tokens(
        &[
            Block::ActionKbGuideline,
            Block::KnowledgeBaseGuideline,
            Block::KnowledgeBaseAdditionalGuideline,
        ]
        .into_iter()
        .filter(on)
        .collect::<Vec<_>>(),
    );
    if knowledge > 0 {
        components.push(Component::new(
            names::KNOWLEDGE_BASE_GUIDELINES,
            knowledge,
            Basis::Modelled,
        ));
    }
    let memory = blocks_tokens(
        &[
            Block::MemoryGuideline,
            Block::MemoryActionGuideline,
            Block::MemoryContent,
        ]
        .into_iter()
        .filter(on)
        .collect::<Vec<_>>(),
    );
    if memory > 0 {
        components.push(Component::new(
            names::MEMORY_GUIDELINES,
            memory,
            Basis::Modelled,
        ));
    }
    components.push(Component::new(
        names::USER_MESSAGE,
        workload.input_tokens_per_request,
        Basis::Workload,
    ));
    components.push(Component::new(
        names::SCRATCHPAD,
        price::earlier_steps_tokens_per_call(
            *workload.calls_per_request.get(Target::Agents),
            workload.output_tokens_per_call + workload.tool_result_tokens_per_call,
        ),
        Basis::Workload,
    ));
    Ok(components)
}
