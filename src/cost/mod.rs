//! `agentc cost`: what one agent costs on each target, per component, per call, per request
//! and per month, computed from the spec itself, and each target against a baseline.
//!
//! ```text
//! Spec + Agent ─model::estimate─▶ Estimate (per target: {agents,direct}::cost components,
//!                                           workload, prices; comparisons with the baseline)
//!              ─render─▶ human table / markdown / JSON     ─plot─▶ SVG
//! usage traces ─usage::read─▶ Measured (shown beside the estimate, never mixed into it)
//! ```

pub mod calibration;
pub mod model;
pub mod plot;
pub mod price;
pub mod render;
pub mod usage;
pub mod workload;

pub use model::{Comparison, Component, Estimate, Fee, TargetEstimate, estimate, estimate_for};
pub use workload::{ResolvedWorkload, WorkloadOverrides};

use std::path::PathBuf;

/// Why an estimate could not be made.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
pub enum CostError {
    #[error("the {target} target's model `{model}` is not in the price table")]
    #[diagnostic(code(agentc::cost::unknown_model), help("{help}"))]
    UnknownModel {
        model: String,
        target: crate::target::Target,
        /// "did you mean" for a near-miss, else how to add the model with `--prices`.
        help: String,
    },
    #[error("cannot read the prompt override `{}`", path.display())]
    #[diagnostic(
        code(agentc::cost::template),
        help("`prompt_overrides.*.template` paths are relative to the spec")
    )]
    Template {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error(transparent)]
    #[diagnostic(transparent)]
    Workload(#[from] workload::WorkloadError),
    #[error(transparent)]
    #[diagnostic(transparent)]
    Usage(#[from] usage::UsageError),
    #[error(transparent)]
    #[diagnostic(transparent)]
    Calibration(#[from] calibration::CalibrationError),
    #[error("cannot write `{}`", path.display())]
    #[diagnostic(code(agentc::cost::write))]
    Write {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
}
