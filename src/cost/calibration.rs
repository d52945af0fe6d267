//! Calibration: what `--usage` traces justify about a spec's workload, fitted per target and
//! kept in a small YAML file (`agentc cost <spec> --calibrate TRACE… --write FILE`), then
//! applied to later estimates (`--calibration FILE` or the spec's `workload.calibration`).
//!
//! Per target the traces fix three figures: orchestration calls per request, output tokens
//! per call, and the ratio of the measured overhead (input beyond what the user and tools
//! contributed) to agentc's modelled components. Each figure an estimate takes from a
//! calibration is labelled "calibrated from N requests" in every output.

use super::model::Estimate;
use super::usage::Traces;
use crate::target::Target;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// The first line of every calibration file (how a rewrite recognises its own file).
pub const HEADER: &str = "# agentc calibration";

/// The file's format version.
pub const FORMAT: u32 = 1;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Calibration {
    /// Always [`FORMAT`].
    pub agentc_calibration: u32,
    /// The agent the traces ran.
    pub agent: String,
    /// The trace files it was fitted from.
    pub sources: Vec<String>,
    pub targets: BTreeMap<Target, TargetCalibration>,
}

/// What the traces of one target justify.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TargetCalibration {
    /// How many user requests the figures come from.
    pub requests: u64,
    /// Orchestration calls per request.
    pub calls_per_request: f64,
    pub output_tokens_per_call: u64,
    /// Measured overhead ÷ modelled overhead per call; the modelled components (template,
    /// instruction, tools, guideline blocks) are scaled by it.
    pub overhead_ratio: f64,
}

impl TargetCalibration {
    /// `calibrated from 12 requests`
    pub fn label(&self) -> String {
        format!(
            "calibrated from {}",
            crate::fmt::plural(self.requests, "request")
        )
    }
}

#[derive(Debug, thiserror::Error, miette::Diagnostic)]
pub enum CalibrationError {
    #[error("cannot read the calibration file `{}`", path.display())]
    #[diagnostic(code(agentc::cost::calibration))]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("the calibration file `{}` is invalid: {message}", path.display())]
    #[diagnostic(
        code(agentc::cost::calibration),
        help("write it with `agentc cost <spec> --calibrate TRACE… --write FILE`")
    )]
    Parse { path: PathBuf, message: String },
    #[error("the traces measure no target this estimate prices")]
    #[diagnostic(
        code(agentc::cost::calibration),
        help(
            "calibrate with traces of `agentc run --target …` for a target `agentc cost` prices for this spec"
        )
    )]
    NothingToFit,
}

impl Calibration {
    /// Read a calibration file (a few hundred bytes; anything over 1 MiB is refused).
    pub fn from_file(path: &Path) -> Result<Calibration, CalibrationError> {
        use std::io::Read;
        let read = || -> std::io::Result<String> {
            let file = std::fs::File::open(path)?;
            if !file.metadata()?.is_file() {
                return Err(std::io::Error::other("not a regular file"));
            }
            let mut text = String::new();
            file.take(1024 * 1024).read_to_string(&mut text)?;
            Ok(text)
        };
        let text = read().map_err(|source| CalibrationError::Read {
            path: path.to_path_buf(),
            source,
        })?;
        let calibration: Calibration =
            serde_saphyr::from_str(&text).map_err(|e| CalibrationError::Parse {
                path: path.to_path_buf(),
                message: e.to_string().lines().next().unwrap_or_default().to_string(),
            })?;
        if calibration.agentc_calibration != FORMAT {
            return Err(CalibrationError::Parse {
                path: path.to_path_buf(),
                message: format!(
                    "`agentc_calibration` is {}; this agentc reads format {FORMAT}",
                    calibration.agentc_calibration
                ),
            });
        }
        let bad = calibration.targets.iter().find(|(_, t)| {
            !(t.calls_per_request.is_finite()
                && t.calls_per_request >= 0.0
                && t.overhead_ratio.is_finite()
                && t.overhead_ratio >= 0.0)
        });
        if let Some((target, _)) = bad {
            return Err(CalibrationError::Parse {
                path: path.to_path_buf(),
                message: format!(
                    "`targets.{target}` needs finite, non-negative `calls_per_request` and `overhead_ratio`"
                ),
            });
        }
        Ok(calibration)
    }

    /// The file's text.
    pub fn to_yaml(&self) -> String {
        let body = serde_saphyr::to_string(self).unwrap_or_default();
        format!(
            "{HEADER}: what the traces measured, applied by `agentc cost --calibration FILE`\n# or `workload.calibration` in the spec. Rewrite it with `agentc cost --calibrate … --write FILE`.\n{body}"
        )
    }

    pub fn get(&self, target: Target) -> Option<&TargetCalibration> {
        self.targets.get(&target)
    }
}

/// Fit a calibration from traces. `estimate` must re-estimate the spec under a candidate
/// calibration: calls per request and output tokens are read straight from the traces, then
/// the overhead ratio is fitted against the estimate those two figures give (the earlier
/// steps of a call depend on them).
pub fn fit(
    traces: &Traces,
    estimate: &mut dyn FnMut(&Calibration) -> Result<Estimate, super::CostError>,
) -> Result<Calibration, super::CostError> {
    let sources: Vec<String> = traces
        .sources
        .iter()
        .map(|p| p.display().to_string())
        .collect();
    let mut calibration = Calibration {
        agentc_calibration: FORMAT,
        agent: String::new(),
        sources,
        targets: traces
            .targets
            .iter()
            .filter(|(_, m)| m.orchestration_calls > 0)
            .map(|(target, m)| {
                (
                    *target,
                    TargetCalibration {
                        requests: m.requests,
                        calls_per_request: round3(m.orchestration_calls_per_request()),
                        output_tokens_per_call: m.output_tokens_per_call.round() as u64,
                        overhead_ratio: 1.0,
                    },
                )
            })
            .collect(),
    };
    let first = estimate(&calibration)?;
    calibration.agent = first.agent_name.clone();
    calibration
        .targets
        .retain(|target, _| first.get(*target).is_some());
    if calibration.targets.is_empty() {
        return Err(CalibrationError::NothingToFit.into());
    }
    for (target, fitted) in calibration.targets.iter_mut() {
        let (Some(t), Some(m)) = (first.get(*target), traces.get(*target)) else {
            continue;
        };
        let modelled = t.overhead_tokens_per_call() as f64;
        let measured =
            (m.total_input_tokens_per_call() - t.workload_tokens_per_call() as f64).max(0.0);
        fitted.overhead_ratio = if modelled > 0.0 {
            round3(measured / modelled)
        } else {
            1.0
        };
    }
    Ok(calibration)
}

fn round3(value: f64) -> f64 {
    (value * 1000.0).round() / 1000.0
}
