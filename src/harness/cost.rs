//! The harness target's cost model. Model tokens per call are counted from the compiled
//! CreateHarness request (system prompt, inline tool schemas, the built-in tools' definitions
//! when allowed), as `crate::direct::cost` counts the Converse request, plus the user's
//! message and earlier steps. Per request come the session's runtime compute (vCPU time and
//! memory held until the idle timeout) and managed memory, priced from [`PRICES`]; the
//! session's resource use is not published, so it is a workload assumption
//! (`workload.harness`), named in every output while it is agentc's default.

use super::desired::{HarnessToolConfiguration, idle_timeout, request};
use crate::cost::CostError;
use crate::cost::model::{Basis, Component, CostContext, Fee, TargetCost};
use crate::cost::price;
use crate::spec::{HarnessBuiltInTool, HarnessTarget, HarnessWorkload, Spec};
use crate::target::Target;
use serde_json::json;

/// The harness target's component and fee names.
pub mod names {
    pub use crate::cost::model::names::{HIDDEN_TOOL_PROMPT, USER_MESSAGE};
    pub const SYSTEM: &str = "system prompt";
    pub const TOOLS: &str = "tool schemas (inline functions)";
    pub const BUILT_IN_TOOLS: &str = "built-in tool definitions (shell, file_operations)";
    pub const HISTORY: &str = "earlier steps (messages)";
    pub const CPU: &str = "runtime vCPU time (workload assumption)";
    pub const MEMORY: &str = "runtime memory held per session (workload assumption)";
    pub const MEMORY_EVENTS: &str = "managed memory: events written";
    pub const MEMORY_RECORDS: &str = "managed memory: long-term records stored";
    pub const MEMORY_RETRIEVALS: &str = "managed memory: retrievals";
}

/// One price, with where it comes from.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Price {
    pub what: &'static str,
    pub usd: f64,
    pub per: &'static str,
}

/// AgentCore's prices for what a harness session uses, us-east-1. Source: the AgentCore
/// pricing page (aws.amazon.com/bedrock/agentcore/pricing) as summarised in
/// `shared/reference/agentcore-harness.md` §5, read 2026-11-25. There is no harness fee: the
/// harness is a logical resource over AgentCore Runtime, and model tokens are billed by
/// Bedrock at the model's own prices.
pub const PRICES: [Price; 5] = [VCPU_HOUR, GB_HOUR, EVENT, RECORD_MONTH, RETRIEVAL];
pub const VCPU_HOUR: Price = Price {
    what: "Runtime CPU, billed on actual use (no charge while waiting on I/O)",
    usd: 0.0895,
    per: "vCPU-hour",
};
pub const GB_HOUR: Price = Price {
    what: "Runtime memory, peak held from boot until the session ends (128 MB minimum)",
    usd: 0.00945,
    per: "GB-hour",
};
pub const EVENT: Price = Price {
    what: "Memory short-term events written",
    usd: 0.25 / 1000.0,
    per: "event",
};
pub const RECORD_MONTH: Price = Price {
    what: "Memory long-term records stored (built-in strategies)",
    usd: 0.75 / 1000.0,
    per: "record-month",
};
pub const RETRIEVAL: Price = Price {
    what: "Memory long-term retrievals",
    usd: 0.50 / 1000.0,
    per: "retrieval",
};

/// Memory is billed at least this much per session.
pub const MIN_MEMORY_GB: f64 = 0.128;

/// Tokens the definitions of the two built-in tools add to every model request (~900 for
/// both: `shared/reference/agentcore-harness.md` §8.1, AWS's harness cost guidance).
pub const BUILT_IN_TOOL_TOKENS: u64 = 450;

/// agentc's assumptions for `workload.harness` when the spec sets none.
pub mod defaults {
    pub const CPU_SECONDS_PER_REQUEST: f64 = 1.0;
    pub const MEMORY_GB: f64 = 0.5;
    pub const REQUESTS_PER_SESSION: f64 = 3.0;
    pub const SECONDS_PER_REQUEST: f64 = 10.0;
    pub const MEMORY_EVENTS_PER_REQUEST: f64 = 2.0;
    pub const MEMORY_RECORDS_PER_REQUEST: f64 = 0.1;
    pub const MEMORY_RETRIEVALS_PER_REQUEST: f64 = 1.0;
}

/// `workload.harness` after defaults, with the names of the fields that took one.
#[derive(Debug, Clone, PartialEq)]
pub struct SessionUse {
    pub cpu_seconds_per_request: f64,
    pub memory_gb: f64,
    pub requests_per_session: f64,
    pub seconds_per_request: f64,
    pub memory_events_per_request: f64,
    pub memory_records_per_request: f64,
    pub memory_retrievals_per_request: f64,
    pub defaulted: Vec<String>,
}

impl SessionUse {
    pub fn of(spec: &Spec) -> SessionUse {
        let given = spec
            .workload
            .as_ref()
            .and_then(|w| w.harness.clone())
            .unwrap_or_default();
        let memory_on = spec.memory.is_some();
        let mut defaulted = Vec::new();
        let mut pick = |field: &str, value: Option<f64>, default: f64, named: bool| {
            value.unwrap_or_else(|| {
                if named {
                    defaulted.push(format!("harness.{field}"));
                }
                default
            })
        };
        let HarnessWorkload {
            cpu_seconds_per_request,
            memory_gb,
            requests_per_session,
            seconds_per_request,
            memory_events_per_request,
            memory_records_per_request,
            memory_retrievals_per_request,
        } = given;
        SessionUse {
            cpu_seconds_per_request: pick(
                "cpu_seconds_per_request",
                cpu_seconds_per_request,
                defaults::CPU_SECONDS_PER_REQUEST,
                true,
            ),
            memory_gb: pick("memory_gb", memory_gb, defaults::MEMORY_GB, true),
            requests_per_session: pick(
                "requests_per_session",
                requests_per_session,
                defaults::REQUESTS_PER_SESSION,
                true,
            ),
            seconds_per_request: pick(
                "seconds_per_request",
                seconds_per_request,
                defaults::SECONDS_PER_REQUEST,
                true,
            ),
            // Memory figures only matter (and are only named) when memory is on.
            memory_events_per_request: pick(
                "memory_events_per_request",
                memory_events_per_request,
                defaults::MEMORY_EVENTS_PER_REQUEST,
                memory_on,
            ),
            memory_records_per_request: pick(
                "memory_records_per_request",
                memory_records_per_request,
                defaults::MEMORY_RECORDS_PER_REQUEST,
                memory_on,
            ),
            memory_retrievals_per_request: pick(
                "memory_retrievals_per_request",
                memory_retrievals_per_request,
                defaults::MEMORY_RETRIEVALS_PER_REQUEST,
                memory_on,
            ),
            defaulted,
        }
    }
}

/// The workload fields of `workload.harness` that took agentc's default, for the outputs'
/// list of assumptions.
pub fn defaulted(spec: &Spec) -> Vec<String> {
    SessionUse::of(spec).defaulted
}

/// The harness settings a spec is priced with: its own, or the defaults (the role does not
/// change a price).
fn settings(spec: &Spec) -> HarnessTarget {
    spec.targets
        .harness
        .clone()
        .unwrap_or_else(|| HarnessTarget::with_role(String::new()))
}

/// Seconds a session holds its memory: its requests, then the idle timeout, at most the
/// maximum lifetime.
pub fn billed_session_seconds(spec: &Spec, target: &HarnessTarget, usage: &SessionUse) -> f64 {
    let busy = usage.requests_per_session * usage.seconds_per_request;
    let lifetime = target
        .max_lifetime_seconds
        .unwrap_or(super::desired::DEFAULT_MAX_LIFETIME_SECONDS) as f64;
    (busy + idle_timeout(spec, target) as f64).min(lifetime)
}

pub fn price<'a>(cx: &mut CostContext<'a>) -> Result<TargetCost<'a>, CostError> {
    let target = settings(cx.spec);
    let compiled = request(cx.spec, cx.agent, &target);
    let model_id = compiled.model_id().to_string();
    let model = cx.model(&model_id, Target::Harness)?;
    let workload = cx.workload;
    let counter = &mut cx.counter;

    let mut components = vec![Component::new(
        names::SYSTEM,
        counter.count(&compiled.system_text()),
        Basis::Counted,
    )];
    // The loop hands the model each inline function as a Converse tool spec, the same text
    // the direct target sends, so both targets count the same tokens for it.
    let schemas: u64 = compiled
        .tools
        .iter()
        .filter_map(|tool| match &tool.config {
            HarnessToolConfiguration::InlineFunction(f) => Some(
                json!({ "toolSpec": {
                    "name": tool.name,
                    "description": f.description,
                    "inputSchema": { "json": f.input_schema },
                } })
                .to_string(),
            ),
            _ => None,
        })
        .map(|text| counter.count(&text))
        .sum();
    if schemas > 0 {
        components.push(Component::new(names::TOOLS, schemas, Basis::Counted));
        if let Some(hidden) = model.tool_system_prompt_tokens {
            components.push(Component::new(
                names::HIDDEN_TOOL_PROMPT,
                hidden,
                Basis::Documented,
            ));
        }
    }
    let built_ins = [
        HarnessBuiltInTool::Shell,
        HarnessBuiltInTool::FileOperations,
    ]
    .into_iter()
    .filter(|t| compiled.allows_built_in(*t))
    .count() as u64;
    if built_ins > 0 {
        components.push(Component::new(
            names::BUILT_IN_TOOLS,
            built_ins * BUILT_IN_TOOL_TOKENS,
            Basis::Documented,
        ));
    }
    components.push(Component::new(
        names::USER_MESSAGE,
        workload.input_tokens_per_request,
        Basis::Workload,
    ));
    components.push(Component::new(
        names::HISTORY,
        price::earlier_steps_tokens_per_call(
            *workload.calls_per_request.get(Target::Harness),
            workload.output_tokens_per_call + workload.tool_result_tokens_per_call,
        ),
        Basis::Workload,
    ));

    let usage = SessionUse::of(cx.spec);
    let session_seconds = billed_session_seconds(cx.spec, &target, &usage);
    let gb = usage.memory_gb.max(MIN_MEMORY_GB);
    let mut fees = vec![
        Fee {
            name: names::CPU,
            per_request_usd: usage.cpu_seconds_per_request / 3600.0 * VCPU_HOUR.usd,
        },
        Fee {
            name: names::MEMORY,
            per_request_usd: gb * session_seconds / 3600.0 * GB_HOUR.usd
                / usage.requests_per_session,
        },
    ];
    if compiled.memory_enabled() {
        fees.extend([
            Fee {
                name: names::MEMORY_EVENTS,
                per_request_usd: usage.memory_events_per_request * EVENT.usd,
            },
            Fee {
                name: names::MEMORY_RECORDS,
                per_request_usd: usage.memory_records_per_request * RECORD_MONTH.usd,
            },
            Fee {
                name: names::MEMORY_RETRIEVALS,
                per_request_usd: usage.memory_retrievals_per_request * RETRIEVAL.usd,
            },
        ]);
    }
    Ok(TargetCost {
        model_id,
        model,
        components,
        extra_calls: Vec::new(),
        fees,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn spec(extra: serde_json::Value) -> Spec {
        let mut base = json!({
            "agentc": 1,
            "name": "hr-helpdesk",
            "model": "amazon.nova-pro-v1:0",
            "instruction": "Answer HR questions.",
        });
        if let (Some(base), Some(extra)) = (base.as_object_mut(), extra.as_object()) {
            base.extend(extra.clone());
        }
        serde_json::from_value(base).unwrap()
    }

    #[test]
    fn the_session_holds_memory_until_the_idle_timeout() {
        let s = spec(json!({}));
        let usage = SessionUse::of(&s);
        let target = settings(&s);
        // 3 requests of 10 s, then 900 s idle.
        assert_eq!(billed_session_seconds(&s, &target, &usage), 930.0);
        assert!(usage.defaulted.contains(&"harness.memory_gb".to_string()));
        assert!(
            !usage
                .defaulted
                .iter()
                .any(|f| f.starts_with("harness.memory_events")),
            "memory is off: its figures are not assumed"
        );
        let short = spec(json!({"targets": {"harness": {
            "role_arn": "arn:aws:iam::123456789012:role/h",
            "idle_timeout_seconds": 60, "max_lifetime_seconds": 60}}}));
        assert_eq!(
            billed_session_seconds(&short, &settings(&short), &SessionUse::of(&short)),
            60.0,
            "never past the maximum lifetime"
        );
    }

    #[test]
    fn given_figures_are_not_named_as_assumptions() {
        let s = spec(
            json!({"memory": {"storage_days": 30}, "workload": {"harness": {
            "cpu_seconds_per_request": 2.0, "memory_gb": 1.0, "requests_per_session": 4.0,
            "seconds_per_request": 5.0, "memory_events_per_request": 2.0,
            "memory_records_per_request": 0.0, "memory_retrievals_per_request": 1.0}}}),
        );
        let usage = SessionUse::of(&s);
        assert!(usage.defaulted.is_empty(), "{:?}", usage.defaulted);
        assert_eq!(usage.cpu_seconds_per_request, 2.0);
    }
}
