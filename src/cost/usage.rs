//! Measured usage: the JSON-lines traces `agentc run` writes, one object per line.
//!
//! ```text
//! {"type":"model_call","session":…,"iteration":n,"model_id":…,"latency_ms":…,"stop_reason":…,
//!  "usage":{"input_tokens":…,"output_tokens":…,"cache_read_input_tokens":…,"cache_write_input_tokens":…}}
//! {"type":"tool_call","name":…,"latency_ms":…,"outcome":"ok"|"error"|"timeout","result_bytes":…}
//! ```
//!
//! Other line types are ignored. The figures are what the model reported, so they are shown
//! labelled "measured", beside the estimate and never blended into it.

use super::model::TargetEstimate;
use super::price;
use super::workload::ResolvedWorkload;
use serde::Deserialize;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

#[derive(Debug, thiserror::Error, miette::Diagnostic)]
pub enum UsageError {
    #[error("cannot read the usage file `{}`", path.display())]
    #[diagnostic(code(agentc::cost::usage))]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("`{}` line {line}: {message}", path.display())]
    #[diagnostic(
        code(agentc::cost::usage),
        help(
            "--usage takes the JSON-lines trace that `agentc run` writes: one JSON object per line"
        )
    )]
    Line {
        path: PathBuf,
        line: usize,
        message: String,
    },
    #[error("`{}` has no `model_call` lines", path.display())]
    #[diagnostic(
        code(agentc::cost::usage),
        help(
            "run the agent with `agentc run` first; its trace records one `model_call` line per model call"
        )
    )]
    Empty { path: PathBuf },
}

#[derive(Debug, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
enum Line {
    ModelCall(ModelCall),
    ToolCall(ToolCall),
    #[serde(other)]
    Other,
}

#[derive(Debug, Deserialize)]
struct ModelCall {
    #[serde(default)]
    session: Option<String>,
    #[serde(default)]
    iteration: Option<u64>,
    #[serde(default)]
    model_id: Option<String>,
    usage: TokenUsage,
}

#[derive(Debug, Default, Deserialize)]
struct TokenUsage {
    #[serde(default)]
    input_tokens: u64,
    #[serde(default)]
    output_tokens: u64,
    #[serde(default)]
    cache_read_input_tokens: u64,
    #[serde(default)]
    cache_write_input_tokens: u64,
}

#[derive(Debug, Deserialize)]
struct ToolCall {
    #[serde(default)]
    outcome: Option<String>,
    #[serde(default)]
    result_bytes: Option<u64>,
}

/// What the traces say, averaged per call.
#[derive(Debug, Clone, PartialEq)]
pub struct Measured {
    pub path: PathBuf,
    pub model_calls: u64,
    pub requests: u64,
    pub model_ids: Vec<String>,
    /// Input billed at the input price, per call.
    pub input_tokens_per_call: f64,
    pub cache_read_tokens_per_call: f64,
    pub cache_write_tokens_per_call: f64,
    pub output_tokens_per_call: f64,
    pub tool_calls: u64,
    pub tool_failures: u64,
    pub tool_result_bytes_per_call: f64,
}

impl Measured {
    /// All input tokens of a call, cached or not.
    pub fn total_input_tokens_per_call(&self) -> f64 {
        self.input_tokens_per_call
            + self.cache_read_tokens_per_call
            + self.cache_write_tokens_per_call
    }

    pub fn calls_per_request(&self) -> f64 {
        self.model_calls as f64 / self.requests.max(1) as f64
    }

    /// The monthly bill of `target` at the workload's volume if every request looked like
    /// the measured ones.
    pub fn monthly_usd(&self, workload: &ResolvedWorkload, target: &TargetEstimate) -> f64 {
        let rates = &target.rates;
        let calls = self.calls_per_request() * workload.requests_per_month();
        price::usd(self.input_tokens_per_call * calls, rates.input(false))
            + price::usd(self.cache_read_tokens_per_call * calls, rates.input(true))
            + price::usd(
                self.cache_write_tokens_per_call * calls,
                rates
                    .cache_write_usd_per_mtok
                    .unwrap_or(rates.input_usd_per_mtok),
            )
            + price::usd(
                self.output_tokens_per_call * calls,
                rates.output_usd_per_mtok,
            )
            + target.fixed_monthly_usd
    }
}

/// Read a trace file.
pub fn read(path: &Path) -> Result<Measured, UsageError> {
    // A trace of a long session is large, but not gigabytes; a FIFO or device is refused.
    const TRACE_INPUT: crate::fsio::InputKind = crate::fsio::InputKind {
        name: "a usage trace",
        max_bytes: 256 * 1024 * 1024,
        stdin: false,
    };
    let text = crate::fsio::read_text_io(path, TRACE_INPUT).map_err(|source| UsageError::Read {
        path: path.to_path_buf(),
        source,
    })?;
    parse(path, &text)
}

/// Parse trace text (`path` only names it in errors).
pub fn parse(path: &Path, text: &str) -> Result<Measured, UsageError> {
    let mut calls: Vec<ModelCall> = Vec::new();
    let (mut tool_calls, mut tool_failures, mut result_bytes) = (0u64, 0u64, 0f64);
    for (index, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let parsed: Line = serde_json::from_str(line).map_err(|e| UsageError::Line {
            path: path.to_path_buf(),
            line: index + 1,
            message: e.to_string(),
        })?;
        match parsed {
            Line::ModelCall(call) => calls.push(call),
            Line::ToolCall(call) => {
                tool_calls += 1;
                if call.outcome.as_deref().is_some_and(|o| o != "ok") {
                    tool_failures += 1;
                }
                // Summed as a float: a hostile trace must not wrap a counter.
                result_bytes += call.result_bytes.unwrap_or(0) as f64;
            }
            Line::Other => {}
        }
    }
    if calls.is_empty() {
        return Err(UsageError::Empty {
            path: path.to_path_buf(),
        });
    }
    let n = calls.len() as f64;
    let mean =
        |f: &dyn Fn(&TokenUsage) -> u64| calls.iter().map(|c| f(&c.usage) as f64).sum::<f64>() / n;
    // A request starts at the first iteration; without iteration numbers, a session is a request.
    let first_iteration = calls.iter().filter_map(|c| c.iteration).min();
    let requests = match first_iteration {
        Some(first) => calls.iter().filter(|c| c.iteration == Some(first)).count() as u64,
        None => calls
            .iter()
            .map(|c| c.session.clone().unwrap_or_default())
            .collect::<BTreeSet<_>>()
            .len() as u64,
    };
    let model_ids: BTreeSet<String> = calls.iter().filter_map(|c| c.model_id.clone()).collect();
    Ok(Measured {
        path: path.to_path_buf(),
        model_calls: calls.len() as u64,
        requests: requests.max(1),
        model_ids: model_ids.into_iter().collect(),
        input_tokens_per_call: mean(&|u| u.input_tokens),
        cache_read_tokens_per_call: mean(&|u| u.cache_read_input_tokens),
        cache_write_tokens_per_call: mean(&|u| u.cache_write_input_tokens),
        output_tokens_per_call: mean(&|u| u.output_tokens),
        tool_calls,
        tool_failures,
        tool_result_bytes_per_call: if tool_calls == 0 {
            0.0
        } else {
            result_bytes / tool_calls as f64
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const TRACE: &str = r#"{"type":"session_start","session":"s1"}
{"type":"model_call","session":"s1","iteration":1,"model_id":"amazon.nova-pro-v1:0","latency_ms":900,"stop_reason":"tool_use","usage":{"input_tokens":1000,"output_tokens":100,"cache_read_input_tokens":0,"cache_write_input_tokens":0}}
{"type":"tool_call","name":"query_database","latency_ms":40,"outcome":"ok","result_bytes":300}
{"type":"model_call","session":"s1","iteration":2,"model_id":"amazon.nova-pro-v1:0","latency_ms":800,"stop_reason":"end_turn","usage":{"input_tokens":1400,"output_tokens":300,"cache_read_input_tokens":600,"cache_write_input_tokens":0}}
{"type":"model_call","session":"s2","iteration":1,"model_id":"amazon.nova-pro-v1:0","latency_ms":700,"stop_reason":"end_turn","usage":{"input_tokens":1200,"output_tokens":200}}
{"type":"tool_call","name":"get_service_status","latency_ms":30000,"outcome":"timeout","result_bytes":0}
"#;

    #[test]
    fn traces_are_averaged_per_call_and_requests_counted_by_first_iteration() {
        let m = parse(Path::new("t.jsonl"), TRACE).unwrap();
        assert_eq!(m.model_calls, 3);
        assert_eq!(m.requests, 2);
        assert_eq!(m.calls_per_request(), 1.5);
        assert_eq!(m.input_tokens_per_call, 1200.0);
        assert_eq!(m.cache_read_tokens_per_call, 200.0);
        assert_eq!(m.total_input_tokens_per_call(), 1400.0);
        assert_eq!(m.output_tokens_per_call, 200.0);
        assert_eq!((m.tool_calls, m.tool_failures), (2, 1));
        assert_eq!(m.tool_result_bytes_per_call, 150.0);
        assert_eq!(m.model_ids, vec!["amazon.nova-pro-v1:0".to_string()]);
    }

    #[test]
    fn bad_lines_and_empty_traces_are_clear_errors() {
        let err = parse(Path::new("t.jsonl"), "{\"type\":\"model_call\"}\n").unwrap_err();
        assert!(matches!(err, UsageError::Line { line: 1, .. }), "{err}");
        let err = parse(Path::new("t.jsonl"), "not json\n").unwrap_err();
        assert!(err.to_string().contains("line 1"), "{err}");
        let err = parse(Path::new("t.jsonl"), "{\"type\":\"note\"}\n").unwrap_err();
        assert!(matches!(err, UsageError::Empty { .. }));
    }
}
