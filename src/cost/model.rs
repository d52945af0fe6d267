//! The input of one model call on each target, broken into named components, and the
//! estimate built from them.
//!
//! * agents: the orchestration prompt agentc models in `templates/agents/` (or the user's own
//!   `prompt_overrides.orchestration` file), the instruction, the tool definitions as the
//!   orchestrator sees them, the guideline blocks that knowledge bases, memory and action
//!   groups switch on, the hidden tool-use prompt some providers add, the user's message and
//!   the scratchpad of earlier steps.
//! * direct: exactly the Converse request `crate::direct::compile` produces (system,
//!   toolConfig), the user's message and the messages of earlier steps; a part behind a
//!   `cachePoint` is marked cached and priced at the cache-read price.
//!
//! Texts are counted with `crate::tokens`; fixed template texts use constants (see
//! `agents_prompt`), and a text that appears on both targets is counted once.

use super::CostError;
use super::agents_prompt::{self, Block};
use super::price::{self, CallShape, Monthly, Rates};
use super::workload::{ResolvedWorkload, WorkloadOverrides};
use crate::models::{ModelInfo, ModelTable};
use crate::spec::{Agent, BuiltInSignature, Spec};
use crate::tokens;
use regex::Regex;
use serde_json::Value;
use std::collections::HashMap;
use std::path::Path;
use std::sync::LazyLock;

/// A deployment target.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Target {
    Agents,
    Direct,
}

impl Target {
    pub fn as_str(self) -> &'static str {
        match self {
            Target::Agents => "agents",
            Target::Direct => "direct",
        }
    }

    pub fn service(self) -> &'static str {
        match self {
            Target::Agents => "Bedrock Agents",
            Target::Direct => "Converse API",
        }
    }
}

/// Component names, shared by the output formats and the tests.
pub mod names {
    pub const ORCHESTRATION_TEMPLATE: &str = "orchestration template";
    pub const ORCHESTRATION_OVERRIDE: &str = "orchestration template (your override)";
    pub const INSTRUCTION: &str = "instruction";
    pub const TOOL_DEFINITIONS: &str = "tool definitions";
    pub const BUILT_IN_TOOL_DEFINITIONS: &str = "built-in tool definitions";
    pub const SESSION_ATTRIBUTES: &str = "session attributes block";
    pub const KNOWLEDGE_BASE_GUIDELINES: &str = "knowledge-base guidelines";
    pub const MEMORY_GUIDELINES: &str = "memory guidelines";
    pub const HIDDEN_TOOL_PROMPT: &str = "tool-use system prompt (hidden)";
    pub const USER_MESSAGE: &str = "user message";
    pub const SCRATCHPAD: &str = "earlier steps (scratchpad)";
    pub const SYSTEM: &str = "system prompt";
    pub const TOOL_CONFIG: &str = "tool configuration";
    pub const HISTORY: &str = "earlier steps (messages)";
}

/// Where a component's figure comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Basis {
    /// Counted from the spec's own text.
    Counted,
    /// agentc's model of the service's fixed text.
    Modelled,
    /// A figure from the model table (the provider's documented hidden prompt).
    Documented,
    /// From the workload.
    Workload,
}

/// One named part of a call's input.
#[derive(Debug, Clone, PartialEq)]
pub struct Component {
    pub name: &'static str,
    /// Estimated tokens per call (averaged over the calls of a request for growing parts).
    pub tokens: u64,
    /// Read from the prompt cache (priced at the cache-read price).
    pub cached: bool,
    pub basis: Basis,
}

impl Component {
    fn new(name: &'static str, tokens: u64, basis: Basis) -> Self {
        Component {
            name,
            tokens,
            cached: false,
            basis,
        }
    }
}

/// One target's estimate.
#[derive(Debug, Clone, PartialEq)]
pub struct TargetEstimate {
    pub target: Target,
    pub model_id: String,
    pub model_name: String,
    pub rates: Rates,
    pub components: Vec<Component>,
    /// `workload.input_tokens_per_call` for this target, replacing the components' sum.
    pub pinned_input_tokens_per_call: Option<u64>,
    pub output_tokens_per_call: u64,
    pub calls_per_request: f64,
    pub fee_per_request_usd: f64,
    pub fixed_monthly_usd: f64,
    pub monthly: Monthly,
}

impl TargetEstimate {
    /// Sum of the components.
    pub fn estimated_input_tokens_per_call(&self) -> u64 {
        self.components.iter().map(|c| c.tokens).sum()
    }

    /// What is priced: the pin, or the components' sum.
    pub fn input_tokens_per_call(&self) -> u64 {
        self.pinned_input_tokens_per_call
            .unwrap_or_else(|| self.estimated_input_tokens_per_call())
    }

    pub fn cached_input_tokens_per_call(&self) -> u64 {
        if self.pinned_input_tokens_per_call.is_some() {
            return 0;
        }
        self.components
            .iter()
            .filter(|c| c.cached)
            .map(|c| c.tokens)
            .sum()
    }

    pub fn shape(&self) -> CallShape {
        let cached = self.cached_input_tokens_per_call();
        CallShape {
            input_tokens: self.input_tokens_per_call() - cached,
            cached_input_tokens: cached,
            output_tokens: self.output_tokens_per_call,
            calls_per_request: self.calls_per_request,
            fee_per_request_usd: self.fee_per_request_usd,
            fixed_monthly_usd: self.fixed_monthly_usd,
        }
    }

    /// Variable cost of one request (what scales with volume).
    pub fn per_request_usd(&self) -> f64 {
        let m = price::monthly(
            &CallShape {
                fixed_monthly_usd: 0.0,
                ..self.shape()
            },
            &self.rates,
            1.0,
        );
        m.total_usd
    }

    /// The bill at another volume.
    pub fn monthly_at(&self, requests_per_month: f64) -> Monthly {
        price::monthly(&self.shape(), &self.rates, requests_per_month)
    }
}

/// Both targets under one workload.
#[derive(Debug, Clone, PartialEq)]
pub struct Estimate {
    pub agent_name: String,
    pub workload: ResolvedWorkload,
    pub agents: TargetEstimate,
    pub direct: TargetEstimate,
}

impl Estimate {
    /// agents total / direct total; `None` when direct costs nothing.
    pub fn ratio(&self) -> Option<f64> {
        let direct = self.direct.monthly.total_usd;
        (direct > 0.0).then(|| self.agents.monthly.total_usd / direct)
    }

    /// agents total − direct total.
    pub fn difference_usd(&self) -> f64 {
        self.agents.monthly.total_usd - self.direct.monthly.total_usd
    }

    pub fn targets(&self) -> [&TargetEstimate; 2] {
        [&self.agents, &self.direct]
    }

    /// Requests per day at which both bills are equal, if any.
    pub fn crossover_requests_per_day(&self) -> Option<f64> {
        price::crossover_requests_per_day(
            self.agents.per_request_usd(),
            self.agents.fixed_monthly_usd,
            self.direct.per_request_usd(),
            self.direct.fixed_monthly_usd,
            self.workload.days_per_month,
        )
    }
}

/// Counts each distinct text once per estimate (the instruction appears on both targets).
#[derive(Default)]
struct Counter {
    seen: HashMap<String, u64>,
}

impl Counter {
    fn count(&mut self, text: &str) -> u64 {
        if let Some(&n) = self.seen.get(text) {
            return n;
        }
        let n = tokens::count(text) as u64;
        self.seen.insert(text.to_string(), n);
        n
    }
}

/// Estimate both targets of a spec. `spec_dir` resolves `prompt_overrides` paths.
pub fn estimate(
    spec: &Spec,
    agent: &Agent,
    spec_dir: &Path,
    models: &ModelTable,
    overrides: &WorkloadOverrides,
) -> Result<Estimate, CostError> {
    let workload = super::workload::resolve(spec.workload.as_ref(), overrides)?;
    let orchestrator_id = spec
        .targets
        .agents
        .as_ref()
        .and_then(|a| a.orchestrator.as_deref())
        .unwrap_or(&spec.model);
    let orchestrator = find(models, orchestrator_id, Target::Agents)?;
    let model = find(models, &spec.model, Target::Direct)?;
    let mut counter = Counter::default();
    let agents_components =
        agents_components(spec, agent, spec_dir, orchestrator, &workload, &mut counter)?;
    let direct_components = direct_components(spec, agent, models, model, &workload, &mut counter);
    let agents = target_estimate(
        Target::Agents,
        orchestrator_id,
        orchestrator,
        agents_components,
        &workload,
    );
    let direct = target_estimate(
        Target::Direct,
        &spec.model,
        model,
        direct_components,
        &workload,
    );
    Ok(Estimate {
        agent_name: agent.name.clone(),
        workload,
        agents,
        direct,
    })
}

fn find<'a>(models: &'a ModelTable, id: &str, target: Target) -> Result<&'a ModelInfo, CostError> {
    models.find(id).ok_or_else(|| CostError::UnknownModel {
        model: id.to_string(),
        target: target.as_str(),
    })
}

fn target_estimate(
    target: Target,
    model_id: &str,
    model: &ModelInfo,
    components: Vec<Component>,
    workload: &ResolvedWorkload,
) -> TargetEstimate {
    let (calls_per_request, pinned, fee, fixed) = match target {
        Target::Agents => (
            workload.calls_per_request.agents,
            workload.input_tokens_per_call.agents,
            workload.session_fee_usd,
            0.0,
        ),
        Target::Direct => (
            workload.calls_per_request.direct,
            workload.input_tokens_per_call.direct,
            0.0,
            workload.direct_fixed_monthly_usd,
        ),
    };
    let mut estimate = TargetEstimate {
        target,
        model_id: model_id.to_string(),
        model_name: model.name.clone(),
        rates: Rates::of(model),
        components,
        pinned_input_tokens_per_call: pinned,
        output_tokens_per_call: workload.output_tokens_per_call,
        calls_per_request,
        fee_per_request_usd: fee,
        fixed_monthly_usd: fixed,
        monthly: Monthly {
            input_usd: 0.0,
            output_usd: 0.0,
            fees_usd: 0.0,
            total_usd: 0.0,
        },
    };
    estimate.monthly = estimate.monthly_at(workload.requests_per_month());
    estimate
}

static PLACEHOLDER: LazyLock<Option<Regex>> = LazyLock::new(|| Regex::new(r"\$[a-z_]+\$").ok());

fn agents_components(
    spec: &Spec,
    agent: &Agent,
    spec_dir: &Path,
    orchestrator: &ModelInfo,
    workload: &ResolvedWorkload,
    counter: &mut Counter,
) -> Result<Vec<Component>, CostError> {
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
            let path = spec_dir.join(&o.template);
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
    let enabled = agents_prompt::enabled_blocks(has_action_groups, has_knowledge_bases, has_memory);
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
                .map(|b| counter.count(agents_prompt::built_in_tool_definition(*b)))
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
            workload.calls_per_request.agents,
            workload.output_tokens_per_call + workload.tool_result_tokens_per_call,
        ),
        Basis::Workload,
    ));
    Ok(components)
}

fn direct_components(
    spec: &Spec,
    agent: &Agent,
    models: &ModelTable,
    model: &ModelInfo,
    workload: &ResolvedWorkload,
    counter: &mut Counter,
) -> Vec<Component> {
    let (config, _) = crate::direct::compile(spec, agent, models);
    let is_cache_point = |block: &Value| block.get("cachePoint").is_some();
    let system_text: String = config
        .system
        .iter()
        .filter_map(|block| block.get("text").and_then(Value::as_str))
        .collect::<Vec<_>>()
        .join("\n");
    let mut components = vec![Component {
        cached: config.system.iter().any(is_cache_point),
        ..Component::new(names::SYSTEM, counter.count(&system_text), Basis::Counted)
    }];
    let tools: Vec<&Value> = config
        .tool_config
        .as_ref()
        .and_then(|c| c.get("tools"))
        .and_then(Value::as_array)
        .map(|tools| tools.iter().collect())
        .unwrap_or_default();
    let tools_cached = tools.iter().any(|t| is_cache_point(t));
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
    components.push(Component::new(
        names::HISTORY,
        price::earlier_steps_tokens_per_call(
            workload.calls_per_request.direct,
            workload.output_tokens_per_call + workload.tool_result_tokens_per_call,
        ),
        Basis::Workload,
    ));
    components
}
