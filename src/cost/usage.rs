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
use crate::target::Target;
use serde::Deserialize;
use std::collections::{BTreeMap, BTreeSet};
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
    Retrieval(Retrieval),
    Request(RequestEnd),
    #[serde(other)]
    Other,
}

/// What every line may carry: the target (old traces have none: they are direct runs) and
/// the user request it belongs to.
#[derive(Debug, Default, Deserialize)]
struct Origin {
    #[serde(default)]
    target: Option<String>,
    #[serde(default)]
    request: Option<String>,
}

#[derive(Debug, Deserialize)]
struct ModelCall {
    #[serde(flatten)]
    origin: Origin,
    #[serde(default)]
    session: Option<String>,
    #[serde(default)]
    iteration: Option<u64>,
    /// `orchestration` when absent (old traces, the direct runner).
    #[serde(default)]
    step: Option<String>,
    #[serde(default)]
    model_id: Option<String>,
    usage: TokenUsage,
}

#[derive(Debug, Clone, Copy, Default, Deserialize)]
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
    #[serde(flatten)]
    origin: Origin,
    #[serde(default)]
    outcome: Option<String>,
    #[serde(default)]
    result_bytes: Option<u64>,
}

#[derive(Debug, Deserialize)]
struct Retrieval {
    #[serde(flatten)]
    origin: Origin,
    #[serde(default)]
    results: u64,
    #[serde(default)]
    bytes: u64,
}

#[derive(Debug, Deserialize)]
struct RequestEnd {
    #[serde(flatten)]
    origin: Origin,
}

/// The step name of a model call that is the repeated orchestration call.
pub const ORCHESTRATION: &str = "orchestration";

/// What the traces say about one target: sums, and per-call and per-request means.
#[derive(Debug, Clone, PartialEq)]
pub struct Measured {
    pub target: Target,
    /// The trace files these figures come from.
    pub sources: Vec<PathBuf>,
    /// Every model call, of every step.
    pub model_calls: u64,
    /// Model calls of the orchestration step (the repeated call the estimate describes).
    pub orchestration_calls: u64,
    /// Model calls per step name (`orchestration`, `pre_processing`, …).
    pub steps: BTreeMap<String, u64>,
    pub requests: u64,
    pub model_ids: Vec<String>,
    /// Per orchestration call: input billed at the input price, cache reads and writes, output.
    pub input_tokens_per_call: f64,
    pub cache_read_tokens_per_call: f64,
    pub cache_write_tokens_per_call: f64,
    pub output_tokens_per_call: f64,
    /// Sums over every model call (for the bill).
    pub total: UsageSums,
    pub tool_calls: u64,
    pub tool_failures: u64,
    pub tool_result_bytes_per_call: f64,
    pub retrievals: u64,
    pub retrieved_passages: u64,
    pub retrieved_bytes: u64,
}

/// Token sums over a set of model calls.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct UsageSums {
    pub input_tokens: u64,
    pub cache_read_input_tokens: u64,
    pub cache_write_input_tokens: u64,
    pub output_tokens: u64,
}

impl UsageSums {
    fn add(&mut self, u: &TokenUsage) {
        self.input_tokens += u.input_tokens;
        self.cache_read_input_tokens += u.cache_read_input_tokens;
        self.cache_write_input_tokens += u.cache_write_input_tokens;
        self.output_tokens += u.output_tokens;
    }
}

impl Measured {
    /// All input tokens of an orchestration call, cached or not.
    pub fn total_input_tokens_per_call(&self) -> f64 {
        self.input_tokens_per_call
            + self.cache_read_tokens_per_call
            + self.cache_write_tokens_per_call
    }

    /// Every model call per request (the old meaning, kept for the direct target).
    pub fn calls_per_request(&self) -> f64 {
        self.model_calls as f64 / self.requests.max(1) as f64
    }

    /// Orchestration calls per request: what `workload.calls_per_request` describes.
    pub fn orchestration_calls_per_request(&self) -> f64 {
        self.orchestration_calls as f64 / self.requests.max(1) as f64
    }

    /// Calls of the other steps (pre-/post-processing, knowledge base, routing) per request.
    pub fn other_calls_per_request(&self) -> f64 {
        (self.model_calls - self.orchestration_calls) as f64 / self.requests.max(1) as f64
    }

    pub fn retrievals_per_request(&self) -> f64 {
        self.retrievals as f64 / self.requests.max(1) as f64
    }

    pub fn passages_per_retrieval(&self) -> Option<f64> {
        (self.retrievals > 0).then(|| self.retrieved_passages as f64 / self.retrievals as f64)
    }

    /// Measured input per orchestration call beyond what the user and tools contributed: the
    /// user message and passages as `target`'s estimate has them, and the earlier steps as
    /// the measured calls per request and output tokens make them (the estimate's formula).
    pub fn overhead_tokens_per_call(
        &self,
        workload: &ResolvedWorkload,
        target: &TargetEstimate,
    ) -> f64 {
        let earlier = |calls: f64, output: u64| {
            price::earlier_steps_tokens_per_call(
                calls,
                output + workload.tool_result_tokens_per_call,
            ) as f64
        };
        let estimated = earlier(target.calls_per_request, target.output_tokens_per_call);
        let measured = earlier(
            self.orchestration_calls_per_request(),
            self.output_tokens_per_call.round() as u64,
        );
        let contributed = target.workload_tokens_per_call() as f64 - estimated + measured;
        (self.total_input_tokens_per_call() - contributed).max(0.0)
    }

    /// The monthly bill of `target` at the workload's volume if every request looked like
    /// the measured ones: the traces' token sums per request, every call of every step.
    pub fn monthly_usd(&self, workload: &ResolvedWorkload, target: &TargetEstimate) -> f64 {
        let rates = &target.rates;
        let per_request = |tokens: u64| tokens as f64 / self.requests.max(1) as f64;
        let requests = workload.requests_per_month();
        price::usd(
            per_request(self.total.input_tokens) * requests,
            rates.input(false),
        ) + price::usd(
            per_request(self.total.cache_read_input_tokens) * requests,
            rates.input(true),
        ) + price::usd(
            per_request(self.total.cache_write_input_tokens) * requests,
            rates
                .cache_write_usd_per_mtok
                .unwrap_or(rates.input_usd_per_mtok),
        ) + price::usd(
            per_request(self.total.output_tokens) * requests,
            rates.output_usd_per_mtok,
        ) + target.fee_per_request_usd() * requests
            + target.fixed_monthly_usd
    }
}

/// Every target's measurements from a set of trace files.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Traces {
    pub sources: Vec<PathBuf>,
    /// One entry per target that has model calls in the traces.
    pub targets: BTreeMap<Target, Measured>,
    /// Target ids the traces name that this agentc does not know (skipped, and said so).
    pub unknown_targets: Vec<String>,
}

impl Traces {
    pub fn get(&self, target: Target) -> Option<&Measured> {
        self.targets.get(&target)
    }
}

/// Read trace files (one or more, as `--usage` takes them).
pub fn read_all(paths: &[PathBuf]) -> Result<Traces, UsageError> {
    // A trace of a long session is large, but not gigabytes.
    const LIMIT: u64 = 256 * 1024 * 1024;
    let mut texts = Vec::with_capacity(paths.len());
    for path in paths {
        let read = || -> std::io::Result<String> {
            use std::io::Read;
            let file = std::fs::File::open(path)?;
            if !file.metadata()?.is_file() {
                return Err(std::io::Error::other("not a regular file"));
            }
            let mut text = String::new();
            file.take(LIMIT).read_to_string(&mut text)?;
            Ok(text)
        };
        let text = read().map_err(|source| UsageError::Read {
            path: path.clone(),
            source,
        })?;
        texts.push((path.clone(), text));
    }
    parse_all(&texts)
}

/// Read one trace file.
pub fn read(path: &Path) -> Result<Traces, UsageError> {
    read_all(&[path.to_path_buf()])
}

/// Parse one trace text (`path` only names it in errors).
pub fn parse(path: &Path, text: &str) -> Result<Traces, UsageError> {
    parse_all(&[(path.to_path_buf(), text.to_string())])
}

#[derive(Default)]
struct Acc {
    sources: BTreeSet<PathBuf>,
    requests: BTreeSet<String>,
    model_calls: u64,
    orchestration_calls: u64,
    steps: BTreeMap<String, u64>,
    model_ids: BTreeSet<String>,
    orchestration: UsageSums,
    total: UsageSums,
    tool_calls: u64,
    tool_failures: u64,
    result_bytes: u64,
    retrievals: u64,
    passages: u64,
    retrieved_bytes: u64,
}

/// Parse trace texts, each named by its path. A request is a `request` id; in an old trace
/// without ids, a request starts at each call with the file's first iteration number (or,
/// without iteration numbers, a session is a request).
pub fn parse_all(texts: &[(PathBuf, String)]) -> Result<Traces, UsageError> {
    let mut acc: BTreeMap<Target, Acc> = BTreeMap::new();
    let mut unknown: BTreeSet<String> = BTreeSet::new();
    for (file_index, (path, text)) in texts.iter().enumerate() {
        let mut lines = Vec::new();
        for (index, line) in text.lines().enumerate() {
            if line.trim().is_empty() {
                continue;
            }
            let parsed: Line = serde_json::from_str(line).map_err(|e| UsageError::Line {
                path: path.clone(),
                line: index + 1,
                message: e.to_string(),
            })?;
            lines.push(parsed);
        }
        let first_iteration = lines
            .iter()
            .filter_map(|l| match l {
                Line::ModelCall(c) if c.origin.request.is_none() => c.iteration,
                _ => None,
            })
            .min();
        let mut legacy_request = 0u64;
        let mut target_of = |origin: &Origin| -> Option<Target> {
            match origin.target.as_deref() {
                None => Some(Target::Direct),
                Some(id) => Target::from_id(id).or_else(|| {
                    unknown.insert(id.to_string());
                    None
                }),
            }
        };
        for line in &lines {
            match line {
                Line::ModelCall(call) => {
                    let Some(target) = target_of(&call.origin) else {
                        continue;
                    };
                    let a = acc.entry(target).or_default();
                    a.sources.insert(path.clone());
                    let request = match (&call.origin.request, first_iteration) {
                        (Some(id), _) => format!("id:{id}"),
                        (None, Some(first)) => {
                            if call.iteration == Some(first) {
                                legacy_request += 1;
                            }
                            format!("{file_index}:{legacy_request}")
                        }
                        (None, None) => format!(
                            "{file_index}:session:{}",
                            call.session.clone().unwrap_or_default()
                        ),
                    };
                    a.requests.insert(request);
                    a.model_calls += 1;
                    let step = call.step.as_deref().unwrap_or(ORCHESTRATION);
                    *a.steps.entry(step.to_string()).or_default() += 1;
                    if step == ORCHESTRATION {
                        a.orchestration_calls += 1;
                        a.orchestration.add(&call.usage);
                    }
                    a.total.add(&call.usage);
                    if let Some(id) = &call.model_id {
                        a.model_ids.insert(id.clone());
                    }
                }
                Line::ToolCall(call) => {
                    let Some(target) = target_of(&call.origin) else {
                        continue;
                    };
                    let a = acc.entry(target).or_default();
                    a.tool_calls += 1;
                    if call.outcome.as_deref().is_some_and(|o| o != "ok") {
                        a.tool_failures += 1;
                    }
                    a.result_bytes += call.result_bytes.unwrap_or(0);
                }
                Line::Retrieval(r) => {
                    let Some(target) = target_of(&r.origin) else {
                        continue;
                    };
                    let a = acc.entry(target).or_default();
                    a.retrievals += 1;
                    a.passages += r.results;
                    a.retrieved_bytes += r.bytes;
                }
                Line::Request(r) => {
                    // A request whose every call failed still counts as a request.
                    if let (Some(target), Some(id)) = (target_of(&r.origin), &r.origin.request) {
                        acc.entry(target)
                            .or_default()
                            .requests
                            .insert(format!("id:{id}"));
                    }
                }
                Line::Other => {}
            }
        }
    }
    let sources: Vec<PathBuf> = texts.iter().map(|(p, _)| p.clone()).collect();
    let targets: BTreeMap<Target, Measured> = acc
        .into_iter()
        .filter(|(_, a)| a.model_calls > 0)
        .map(|(target, a)| {
            let n = a.orchestration_calls.max(1) as f64;
            let per_call = |tokens: u64| tokens as f64 / n;
            let measured = Measured {
                target,
                sources: a.sources.into_iter().collect(),
                model_calls: a.model_calls,
                orchestration_calls: a.orchestration_calls,
                steps: a.steps,
                requests: (a.requests.len() as u64).max(1),
                model_ids: a.model_ids.into_iter().collect(),
                input_tokens_per_call: per_call(a.orchestration.input_tokens),
                cache_read_tokens_per_call: per_call(a.orchestration.cache_read_input_tokens),
                cache_write_tokens_per_call: per_call(a.orchestration.cache_write_input_tokens),
                output_tokens_per_call: per_call(a.orchestration.output_tokens),
                total: a.total,
                tool_calls: a.tool_calls,
                tool_failures: a.tool_failures,
                tool_result_bytes_per_call: if a.tool_calls == 0 {
                    0.0
                } else {
                    a.result_bytes as f64 / a.tool_calls as f64
                },
                retrievals: a.retrievals,
                retrieved_passages: a.passages,
                retrieved_bytes: a.retrieved_bytes,
            };
            (target, measured)
        })
        .collect();
    if targets.is_empty() {
        return Err(UsageError::Empty {
            path: sources.first().cloned().unwrap_or_default(),
        });
    }
    Ok(Traces {
        sources,
        targets,
        unknown_targets: unknown.into_iter().collect(),
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
        let traces = parse(Path::new("t.jsonl"), TRACE).unwrap();
        assert_eq!(
            traces.targets.len(),
            1,
            "an old trace reads as the direct target"
        );
        let m = traces.get(Target::Direct).unwrap();
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
        assert_eq!(m.orchestration_calls, 3);
    }

    const AGENTS: &str = r#"{"type":"model_call","target":"agents","request":"r1","session":"a","iteration":1,"step":"pre_processing","model_id":"m","latency_ms":1,"usage":{"input_tokens":900,"output_tokens":50}}
{"type":"model_call","target":"agents","request":"r1","session":"a","iteration":1,"step":"orchestration","model_id":"m","latency_ms":1,"usage":{"input_tokens":2000,"output_tokens":100}}
{"type":"retrieval","target":"agents","request":"r1","session":"a","knowledge_base_id":"KB","latency_ms":1,"results":4,"bytes":4000}
{"type":"model_call","target":"agents","request":"r1","session":"a","iteration":2,"step":"orchestration","model_id":"m","latency_ms":1,"usage":{"input_tokens":3000,"output_tokens":300}}
{"type":"model_call","target":"agents","request":"r2","session":"a","iteration":1,"step":"orchestration","model_id":"m","latency_ms":1,"usage":{"input_tokens":2500,"output_tokens":200}}
{"type":"request","target":"agents","request":"r3","session":"a","model_calls":0,"latency_ms":1,"outcome":"failed","attempt":1}
{"type":"model_call","target":"direct","request":"d1","session":"b","iteration":1,"step":"orchestration","model_id":"m","latency_ms":1,"usage":{"input_tokens":700,"output_tokens":70}}
{"type":"model_call","target":"teleport","request":"x1","usage":{"input_tokens":1}}
"#;

    #[test]
    fn each_target_is_measured_on_its_own_and_requests_are_counted_by_id() {
        let traces = parse(Path::new("t.jsonl"), AGENTS).unwrap();
        assert_eq!(traces.unknown_targets, ["teleport"]);
        let a = traces.get(Target::Agents).unwrap();
        assert_eq!(
            (a.model_calls, a.orchestration_calls, a.requests),
            (4, 3, 3)
        );
        assert_eq!(a.steps["pre_processing"], 1);
        assert_eq!(a.input_tokens_per_call, 2500.0, "orchestration calls only");
        assert_eq!(a.output_tokens_per_call, 200.0);
        assert_eq!(a.orchestration_calls_per_request(), 1.0);
        assert!((a.other_calls_per_request() - 1.0 / 3.0).abs() < 1e-12);
        assert_eq!(a.total.input_tokens, 8400);
        assert_eq!((a.retrievals, a.retrieved_passages), (1, 4));
        let d = traces.get(Target::Direct).unwrap();
        assert_eq!((d.model_calls, d.requests), (1, 1));
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
