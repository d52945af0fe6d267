//! The estimate every target shares: a call's input as named components, priced under one
//! workload, and each target compared with a baseline.
//!
//! Each target's component model lives with that target and returns a [`TargetCost`]:
//! `crate::agents::cost` (the orchestration prompt Bedrock Agents builds) and
//! `crate::direct::cost` (the Converse request agentc compiles). [`estimate`] is the one place
//! that lists them.
//!
//! Texts are counted with `crate::tokens` through one [`TokenCounter`], so a text that
//! appears on several targets (the instruction) is counted once.

use super::CostError;
use super::price::{self, CallShape, Monthly, Rates};
use super::workload::{ResolvedWorkload, WorkloadOverrides};
use crate::models::{ModelInfo, ModelTable};
use crate::spec::{Agent, Spec};
use crate::target::Target;
use crate::tokens;
use std::collections::HashMap;
use std::path::Path;

/// The target the others are compared with: what agentc compiles away from.
pub const BASELINE: Target = Target::Agents;

/// Component names more than one target uses; each target's own names live with its cost
/// model (`crate::agents::cost::names`, `crate::direct::cost::names`).
pub mod names {
    pub const HIDDEN_TOOL_PROMPT: &str = "tool-use system prompt (hidden)";
    pub const USER_MESSAGE: &str = "user message";
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
    pub fn new(name: &'static str, tokens: u64, basis: Basis) -> Self {
        Component {
            name,
            tokens,
            cached: false,
            basis,
        }
    }
}

/// A charge per request beyond tokens (Agents' session fee; a runtime's compute), named as
/// the outputs show it.
#[derive(Debug, Clone, PartialEq)]
pub struct Fee {
    pub name: &'static str,
    pub per_request_usd: f64,
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
    pub fees: Vec<Fee>,
    pub fixed_monthly_usd: f64,
    pub monthly: Monthly,
}

impl TargetEstimate {
    /// Every fee of one request together.
    pub fn fee_per_request_usd(&self) -> f64 {
        self.fees.iter().map(|f| f.per_request_usd).sum()
    }

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
            fee_per_request_usd: self.fee_per_request_usd(),
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

/// Every target under one workload, compared with a baseline.
#[derive(Debug, Clone, PartialEq)]
pub struct Estimate {
    pub agent_name: String,
    pub workload: ResolvedWorkload,
    /// The target every other one is compared with.
    pub baseline: Target,
    /// One estimate per target, in [`Target::ALL`] order.
    pub targets: Vec<TargetEstimate>,
}

impl Estimate {
    pub fn get(&self, target: Target) -> Option<&TargetEstimate> {
        self.targets.iter().find(|t| t.target == target)
    }

    /// Every other target against the baseline, in the order of `targets`; empty when the
    /// baseline is missing.
    pub fn comparisons(&self) -> Vec<Comparison<'_>> {
        let Some(baseline) = self.get(self.baseline) else {
            return Vec::new();
        };
        self.targets
            .iter()
            .filter(|t| t.target != self.baseline)
            .map(|other| Comparison {
                baseline,
                other,
                days_per_month: self.workload.days_per_month,
            })
            .collect()
    }
}

/// One target's bill against the baseline's.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Comparison<'a> {
    pub baseline: &'a TargetEstimate,
    pub other: &'a TargetEstimate,
    days_per_month: f64,
}

impl Comparison<'_> {
    /// Baseline total / other total; `None` when the other target costs nothing.
    pub fn ratio(&self) -> Option<f64> {
        let other = self.other.monthly.total_usd;
        (other > 0.0).then(|| self.baseline.monthly.total_usd / other)
    }

    /// Baseline total − other total: what moving to the other target saves per month.
    pub fn difference_usd(&self) -> f64 {
        self.baseline.monthly.total_usd - self.other.monthly.total_usd
    }

    /// Requests per day at which both bills are equal, if any.
    pub fn crossover_requests_per_day(&self) -> Option<f64> {
        price::crossover_requests_per_day(
            self.baseline.per_request_usd(),
            self.baseline.fixed_monthly_usd,
            self.other.per_request_usd(),
            self.other.fixed_monthly_usd,
            self.days_per_month,
        )
    }
}

/// Counts each distinct text once per estimate.
#[derive(Default)]
pub struct TokenCounter {
    seen: HashMap<String, u64>,
}

impl TokenCounter {
    pub fn count(&mut self, text: &str) -> u64 {
        if let Some(&n) = self.seen.get(text) {
            return n;
        }
        let n = tokens::count(text) as u64;
        self.seen.insert(text.to_string(), n);
        n
    }
}

/// What a target's component model reads.
pub struct CostContext<'a> {
    pub spec: &'a Spec,
    pub agent: &'a Agent,
    /// Resolves the spec's relative paths (`prompt_overrides`).
    pub spec_dir: &'a Path,
    pub models: &'a ModelTable,
    pub workload: &'a ResolvedWorkload,
    pub counter: TokenCounter,
}

impl<'a> CostContext<'a> {
    /// The model `id` runs on `target`, from the price table.
    pub fn model(&self, id: &str, target: Target) -> Result<&'a ModelInfo, CostError> {
        self.models.find(id).ok_or_else(|| CostError::UnknownModel {
            model: id.to_string(),
            target,
        })
    }
}

/// What a target's component model returns: the model it calls and one call's input.
#[derive(Debug, Clone)]
pub struct TargetCost<'a> {
    pub model_id: String,
    pub model: &'a ModelInfo,
    pub components: Vec<Component>,
    /// What the service charges per request beyond tokens.
    pub fees: Vec<Fee>,
}

/// Estimate every target of a spec. `spec_dir` resolves `prompt_overrides` paths.
pub fn estimate(
    spec: &Spec,
    agent: &Agent,
    spec_dir: &Path,
    models: &ModelTable,
    overrides: &WorkloadOverrides,
) -> Result<Estimate, CostError> {
    estimate_for(spec, agent, spec_dir, models, overrides, &Target::ALL)
}

/// Estimate the given targets only (in [`Target::ALL`] order): `agentc cost` leaves out a
/// target whose service would refuse the spec rather than refusing to price the others.
pub fn estimate_for(
    spec: &Spec,
    agent: &Agent,
    spec_dir: &Path,
    models: &ModelTable,
    overrides: &WorkloadOverrides,
    only: &[Target],
) -> Result<Estimate, CostError> {
    let workload = super::workload::resolve(spec.workload.as_ref(), overrides)?;
    let mut cx = CostContext {
        spec,
        agent,
        spec_dir,
        models,
        workload: &workload,
        counter: TokenCounter::default(),
    };
    let mut targets = Vec::with_capacity(Target::ALL.len());
    for target in Target::ALL.into_iter().filter(|t| only.contains(t)) {
        let cost = match target {
            Target::Agents => crate::agents::cost::price(&mut cx)?,
            Target::Direct => crate::direct::cost::price(&mut cx)?,
            // Not priced yet: the harness cost model (src/harness/cost.rs) comes next.
            Target::Harness => continue,
        };
        targets.push(target_estimate(target, cost, &workload));
    }
    Ok(Estimate {
        agent_name: agent.name.clone(),
        workload,
        baseline: BASELINE,
        targets,
    })
}

fn target_estimate(
    target: Target,
    cost: TargetCost<'_>,
    workload: &ResolvedWorkload,
) -> TargetEstimate {
    let mut estimate = TargetEstimate {
        target,
        model_id: cost.model_id,
        model_name: cost.model.name.clone(),
        rates: Rates::of(cost.model),
        components: cost.components,
        pinned_input_tokens_per_call: *workload.input_tokens_per_call.get(target),
        output_tokens_per_call: workload.output_tokens_per_call,
        calls_per_request: *workload.calls_per_request.get(target),
        fees: cost.fees,
        fixed_monthly_usd: *workload.fixed_monthly_usd.get(target),
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

#[cfg(test)]
mod tests {
    use super::*;

    /// A target whose call is only `input_tokens` of user message, on Nova Pro's prices.
    fn priced(
        target: Target,
        model: &str,
        input_tokens: u64,
        fixed_monthly_usd: f64,
    ) -> TargetEstimate {
        let mut t = TargetEstimate {
            target,
            model_id: model.to_string(),
            model_name: model.to_string(),
            rates: Rates {
                input_usd_per_mtok: 0.80,
                output_usd_per_mtok: 3.20,
                cache_read_usd_per_mtok: None,
                cache_write_usd_per_mtok: None,
            },
            components: vec![Component::new(
                names::USER_MESSAGE,
                input_tokens,
                Basis::Workload,
            )],
            pinned_input_tokens_per_call: None,
            output_tokens_per_call: 600,
            calls_per_request: 3.0,
            fees: Vec::new(),
            fixed_monthly_usd,
            monthly: Monthly {
                input_usd: 0.0,
                output_usd: 0.0,
                fees_usd: 0.0,
                total_usd: 0.0,
            },
        };
        t.monthly = t.monthly_at(30_000.0);
        t
    }

    /// Three estimates: the third (a self-hosted what-if with a fixed cost) stands in for a
    /// third target, since comparisons never count targets.
    fn three() -> Estimate {
        let workload = crate::cost::workload::resolve(None, &Default::default())
            .expect("the defaults are valid");
        Estimate {
            agent_name: "three".into(),
            workload,
            baseline: Target::Agents,
            targets: vec![
                priced(Target::Agents, "orchestrator", 5_000, 0.0),
                priced(Target::Direct, "lean", 1_500, 0.0),
                priced(Target::Direct, "hosted", 1_500, 270.0),
            ],
        }
    }

    #[test]
    fn every_other_target_is_compared_with_the_baseline() {
        let e = three();
        let c = e.comparisons();
        assert_eq!(c.len(), 2);
        assert!(c.iter().all(|c| c.baseline.model_id == "orchestrator"));
        assert_eq!(
            c.iter()
                .map(|c| c.other.model_id.as_str())
                .collect::<Vec<_>>(),
            ["lean", "hosted"]
        );
        // $532.80 against $280.80: proportional bills, so no crossover.
        assert!((c[0].difference_usd() - 252.0).abs() < 1e-9);
        assert!((c[0].ratio().unwrap() - 532.8 / 280.8).abs() < 1e-9);
        assert_eq!(c[0].crossover_requests_per_day(), None);
        // $532.80 against $550.80: the fixed cost makes the bills meet below this volume.
        assert!((c[1].difference_usd() + 18.0).abs() < 1e-9);
        let r = c[1].crossover_requests_per_day().expect("the bills meet");
        let month = r * e.workload.days_per_month;
        let (base, other) = (
            c[1].baseline.monthly_at(month).total_usd,
            c[1].other.monthly_at(month).total_usd,
        );
        assert!((base - other).abs() < 1e-6, "{base} vs {other}");
    }

    #[test]
    fn without_its_baseline_an_estimate_compares_nothing() {
        let mut e = three();
        e.targets.remove(0);
        assert!(e.comparisons().is_empty());
        assert_eq!(crate::cost::render::sentence(&e), "");
    }

    #[test]
    fn the_renderers_show_every_target() {
        let e = three();
        let sentence = crate::cost::render::sentence(&e);
        assert!(
            sentence.starts_with("The direct target (Converse API) is cheaper at 1,000 requests a day: $252.00 less per month than Bedrock Agents"),
            "{sentence}"
        );
        assert!(
            sentence.contains("Bedrock Agents is cheaper at 1,000 requests a day: $18.00 less per month than the direct target"),
            "{sentence}"
        );
        let svg = crate::cost::plot::svg(&e);
        assert_eq!(svg.matches("<path ").count(), 3, "one line per target");
        assert!(svg.contains("direct: No crossover"), "{svg}");
        let human = crate::cost::render::render(
            &e,
            crate::cost::render::Format::Human,
            &Default::default(),
        );
        assert_eq!(
            human.matches("difference (agents − direct)").count(),
            2,
            "{human}"
        );
    }
}
