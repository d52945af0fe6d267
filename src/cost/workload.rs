//! The traffic an estimate assumes: the spec's `workload`, overridden by command-line flags,
//! with agentc's defaults for whatever neither gives. Defaults are named in every output, so
//! nobody mistakes an assumption of ours for a figure of theirs.

use crate::spec::Workload;
use crate::target::PerTarget;
use serde::Serialize;

/// Flags of `agentc cost` that override the spec's `workload`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct WorkloadOverrides {
    pub requests_per_day: Option<f64>,
    pub days_per_month: Option<f64>,
    pub calls_per_request: PerTarget<Option<f64>>,
    pub input_tokens_per_request: Option<u64>,
    pub output_tokens_per_call: Option<u64>,
    pub tool_result_tokens_per_call: Option<u64>,
    /// Pins of one call's input tokens (a what-if replacing the estimate).
    pub input_tokens_per_call: PerTarget<Option<u64>>,
    pub session_fee_usd: Option<f64>,
    /// What running a target costs per month whatever the volume (hosting and on-call for
    /// your own loop on the direct target).
    pub fixed_monthly_usd: PerTarget<Option<f64>>,
}

/// agentc's assumptions when neither the spec nor a flag says.
pub mod defaults {
    pub const REQUESTS_PER_DAY: f64 = 1_000.0;
    pub const DAYS_PER_MONTH: f64 = 30.0;
    /// Plan, call a tool, answer: the seed article's three steps, on every target alike.
    pub const CALLS_PER_REQUEST: f64 = 3.0;
    /// The seed article's average user message.
    pub const INPUT_TOKENS_PER_REQUEST: u64 = 200;
    pub const OUTPUT_TOKENS_PER_CALL: u64 = 600;
    pub const TOOL_RESULT_TOKENS_PER_CALL: u64 = 300;
}

/// The workload after spec, flags and defaults.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ResolvedWorkload {
    pub requests_per_day: f64,
    pub days_per_month: f64,
    pub calls_per_request: PerTarget<f64>,
    pub input_tokens_per_request: u64,
    pub output_tokens_per_call: u64,
    pub tool_result_tokens_per_call: u64,
    pub input_tokens_per_call: PerTarget<Option<u64>>,
    /// A fee per request; the service that charges it decides where it applies (Agents).
    pub session_fee_usd: f64,
    pub fixed_monthly_usd: PerTarget<f64>,
    /// The fields that took agentc's default, as the spec names them.
    pub defaulted: Vec<String>,
}

impl ResolvedWorkload {
    pub fn requests_per_month(&self) -> f64 {
        self.requests_per_day * self.days_per_month
    }

    /// The same workload at another volume (for the plot).
    pub fn at_requests_per_day(&self, requests_per_day: f64) -> ResolvedWorkload {
        ResolvedWorkload {
            requests_per_day,
            ..self.clone()
        }
    }
}

/// Why a workload cannot be used.
#[derive(Debug, Clone, PartialEq, thiserror::Error, miette::Diagnostic)]
#[error("workload `{field}` is {value}; it must be a finite number ≥ 0")]
#[diagnostic(code(agentc::cost::workload))]
pub struct WorkloadError {
    pub field: String,
    pub value: f64,
}

/// Spec, then flags, then defaults.
pub fn resolve(
    spec: Option<&Workload>,
    flags: &WorkloadOverrides,
) -> Result<ResolvedWorkload, WorkloadError> {
    let empty = Workload::default();
    let spec = spec.unwrap_or(&empty);
    let mut defaulted = Vec::new();
    let mut pick = |field: String, flag: Option<f64>, from_spec: Option<f64>, default: f64| {
        flag.or(from_spec).unwrap_or_else(|| {
            defaulted.push(field);
            default
        })
    };
    let calls = spec.calls_per_request.unwrap_or_default();
    let pins = spec.input_tokens_per_call.unwrap_or_default();
    let requests_per_day = pick(
        "requests_per_day".into(),
        flags.requests_per_day,
        spec.requests_per_day,
        defaults::REQUESTS_PER_DAY,
    );
    let days_per_month = pick(
        "days_per_month".into(),
        flags.days_per_month,
        spec.days_per_month,
        defaults::DAYS_PER_MONTH,
    );
    let calls_per_request = PerTarget::from_fn(|target| {
        pick(
            format!("calls_per_request.{target}"),
            *flags.calls_per_request.get(target),
            calls.get(target).copied(),
            defaults::CALLS_PER_REQUEST,
        )
    });
    let input_tokens_per_request = pick(
        "input_tokens_per_request".into(),
        flags.input_tokens_per_request.map(|v| v as f64),
        spec.input_tokens_per_request.map(|v| v as f64),
        defaults::INPUT_TOKENS_PER_REQUEST as f64,
    ) as u64;
    let output_tokens_per_call = pick(
        "output_tokens_per_call".into(),
        flags.output_tokens_per_call.map(|v| v as f64),
        spec.output_tokens_per_call.map(|v| v as f64),
        defaults::OUTPUT_TOKENS_PER_CALL as f64,
    ) as u64;
    let tool_result_tokens_per_call = pick(
        "tool_result_tokens_per_call".into(),
        flags.tool_result_tokens_per_call.map(|v| v as f64),
        spec.tool_result_tokens_per_call.map(|v| v as f64),
        defaults::TOOL_RESULT_TOKENS_PER_CALL as f64,
    ) as u64;
    let session_fee_usd = flags
        .session_fee_usd
        .or(spec.session_fee_usd)
        .unwrap_or(0.0);
    // Only a flag sets it: the spec describes the agent's traffic, not how you host it.
    let fixed_monthly_usd = flags.fixed_monthly_usd.map(|_, usd| usd.unwrap_or(0.0));
    let mut checked = vec![
        ("requests_per_day".to_string(), requests_per_day),
        ("days_per_month".to_string(), days_per_month),
    ];
    checked.extend(
        calls_per_request
            .iter()
            .map(|(target, calls)| (format!("calls_per_request.{target}"), *calls)),
    );
    checked.push(("session_fee_usd".to_string(), session_fee_usd));
    // Named as the flag that sets it (`--direct-fixed-monthly-usd`).
    checked.extend(
        fixed_monthly_usd
            .iter()
            .map(|(target, usd)| (format!("{target}_fixed_monthly_usd"), *usd)),
    );
    if let Some((field, value)) = checked
        .into_iter()
        .find(|(_, value)| !value.is_finite() || *value < 0.0)
    {
        return Err(WorkloadError { field, value });
    }
    Ok(ResolvedWorkload {
        requests_per_day,
        days_per_month,
        calls_per_request,
        input_tokens_per_request,
        output_tokens_per_call,
        tool_result_tokens_per_call,
        input_tokens_per_call: PerTarget::from_fn(|target| {
            flags
                .input_tokens_per_call
                .get(target)
                .or(pins.get(target).copied())
        }),
        session_fee_usd,
        fixed_monthly_usd,
        defaulted,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::spec::PerTarget;
    use crate::target::PerTarget as TargetSlots;

    #[test]
    fn flags_override_the_spec_and_defaults_fill_the_rest() {
        let spec = Workload {
            requests_per_day: Some(50.0),
            calls_per_request: Some(PerTarget {
                agents: Some(4.0),
                harness: None,
                direct: None,
            }),
            input_tokens_per_call: Some(PerTarget {
                agents: Some(5_000),
                harness: None,
                direct: None,
            }),
            ..Default::default()
        };
        let flags = WorkloadOverrides {
            requests_per_day: Some(10.0),
            input_tokens_per_call: TargetSlots {
                direct: Some(1_500),
                ..Default::default()
            },
            ..Default::default()
        };
        let w = resolve(Some(&spec), &flags).unwrap();
        assert_eq!(w.requests_per_day, 10.0);
        assert_eq!(
            w.calls_per_request,
            TargetSlots {
                agents: 4.0,
                harness: 3.0,
                direct: 3.0
            }
        );
        assert_eq!(
            w.input_tokens_per_call,
            TargetSlots {
                agents: Some(5_000),
                harness: None,
                direct: Some(1_500)
            }
        );
        assert_eq!(w.days_per_month, 30.0);
        assert_eq!(w.session_fee_usd, 0.0);
        assert!(w.defaulted.iter().any(|f| f == "calls_per_request.direct"));
        assert!(!w.defaulted.iter().any(|f| f == "requests_per_day"));
        assert_eq!(w.requests_per_month(), 300.0);
    }

    #[test]
    fn negative_or_infinite_figures_are_refused() {
        let flags = WorkloadOverrides {
            requests_per_day: Some(-1.0),
            ..Default::default()
        };
        assert_eq!(resolve(None, &flags).unwrap_err().field, "requests_per_day");
        let flags = WorkloadOverrides {
            session_fee_usd: Some(f64::INFINITY),
            ..Default::default()
        };
        assert!(resolve(None, &flags).is_err());
        let flags = WorkloadOverrides {
            fixed_monthly_usd: TargetSlots {
                direct: Some(-5.0),
                ..Default::default()
            },
            ..Default::default()
        };
        assert_eq!(
            resolve(None, &flags).unwrap_err().to_string(),
            "workload `direct_fixed_monthly_usd` is -5; it must be a finite number ≥ 0"
        );
    }
}
