//! The run trace: one JSON line per step, written by `agentc run` on every target (the
//! direct runner and the Bedrock Agents stream reader), and the input of `agentc cost
//! --usage`. The line formats are a contract, documented in `docs/runtime.md`:
//!
//! ```text
//! {"type":"model_call","target":…,"request":…,"session":…,"iteration":n,"step":"orchestration",
//!  "model_id":…,"latency_ms":…,"stop_reason":…,
//!  "usage":{"input_tokens":…,"output_tokens":…,"cache_read_input_tokens":…,"cache_write_input_tokens":…}}
//! {"type":"tool_call","target":…,"request":…,"session":…,"name":…,"latency_ms":…,"outcome":"ok"|"error"|"timeout"|"denied","result_bytes":…}
//! {"type":"retrieval","target":…,"request":…,"session":…,"knowledge_base_id":…,"latency_ms":…,"outcome":…,"results":n,"bytes":n}
//! {"type":"failure","target":…,"request":…,"session":…,"code":…,"what":…}
//! {"type":"guardrail","target":…,"request":…,"session":…,"action":…}
//! {"type":"request","target":…,"request":…,"session":…,"model_calls":n,"latency_ms":…,"outcome":…,"attempt":n}
//! ```
//!
//! Every line names its `target` and the user `request` it belongs to (so calls per request
//! can be counted); old traces without them read as target `direct`, step `orchestration`.
//! A knowledge-base call writes a `retrieval` line instead of a `tool_call` line: `results` is
//! the number of passages and `bytes` their size. Usage figures are the ones the service
//! reports (measured, not estimated). Only these fields are written — no message text, tool
//! inputs or outputs, and never credentials — so a trace can be shared.

use super::dispatch::CallOutcome;
use super::model::Usage;
use serde::Serialize;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// Which prompt of the service a model call ran (Bedrock Agents' prompt types; the direct
/// runner only has `orchestration`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Step {
    Orchestration,
    PreProcessing,
    PostProcessing,
    KnowledgeBase,
    Routing,
    MemorySummarization,
}

impl Step {
    pub fn as_str(self) -> &'static str {
        match self {
            Step::Orchestration => "orchestration",
            Step::PreProcessing => "pre_processing",
            Step::PostProcessing => "post_processing",
            Step::KnowledgeBase => "knowledge_base",
            Step::Routing => "routing",
            Step::MemorySummarization => "memory_summarization",
        }
    }
}

/// One line's own fields; [`Trace::record`] puts `type`, `target` and `request` in front.
#[derive(Debug, Serialize)]
#[serde(untagged)]
pub enum Event<'a> {
    ModelCall {
        session: &'a str,
        iteration: u32,
        step: Step,
        model_id: &'a str,
        latency_ms: f64,
        /// The model's stop reason, where the service reports one (Converse does; the
        /// Bedrock Agents trace does not).
        #[serde(skip_serializing_if = "Option::is_none")]
        stop_reason: Option<&'a str>,
        usage: Usage,
    },
    ToolCall {
        session: &'a str,
        name: &'a str,
        latency_ms: f64,
        outcome: CallOutcome,
        result_bytes: usize,
        /// Who ran the tool when it was not agentc (`service`: Bedrock Agents ran it).
        #[serde(skip_serializing_if = "Option::is_none")]
        executed_by: Option<&'a str>,
    },
    Retrieval {
        session: &'a str,
        knowledge_base_id: &'a str,
        latency_ms: f64,
        outcome: CallOutcome,
        results: usize,
        bytes: usize,
    },
    Failure {
        session: &'a str,
        code: &'a str,
        what: &'a str,
    },
    Guardrail {
        session: &'a str,
        action: &'a str,
    },
    /// The end of one user request (one attempt of it, with `--retry-session`).
    Request {
        session: &'a str,
        model_calls: u32,
        latency_ms: f64,
        outcome: &'a str,
        attempt: u32,
    },
}

/// The fields every line carries in front of its event.
#[derive(Debug, Serialize)]
struct Line<'a, 'e> {
    #[serde(rename = "type")]
    kind: &'static str,
    target: &'static str,
    request: &'a str,
    #[serde(flatten)]
    event: &'a Event<'e>,
}

impl Event<'_> {
    fn kind(&self) -> &'static str {
        match self {
            Event::ModelCall { .. } => "model_call",
            Event::ToolCall { .. } => "tool_call",
            Event::Retrieval { .. } => "retrieval",
            Event::Failure { .. } => "failure",
            Event::Guardrail { .. } => "guardrail",
            Event::Request { .. } => "request",
        }
    }
}

/// One line of the trace, without its newline.
pub fn line_json(target: crate::target::Target, request: &str, event: &Event<'_>) -> Vec<u8> {
    serde_json::to_vec(&Line {
        kind: event.kind(),
        target: target.as_str(),
        request,
        event,
    })
    .unwrap_or_default()
}

/// An id for one user request: unique enough to group a trace's lines, and not derived
/// from anything the user wrote.
pub fn new_request_id() -> String {
    use std::sync::atomic::{AtomicU32, Ordering};
    static COUNTER: AtomicU32 = AtomicU32::new(0);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    format!(
        "req-{:x}-{:x}-{}",
        nanos,
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed)
    )
}

#[derive(Debug, thiserror::Error, miette::Diagnostic)]
#[error("cannot write the trace file `{path}`: {source}")]
#[diagnostic(code(agentc::run::trace))]
pub struct TraceError {
    pub path: PathBuf,
    pub source: std::io::Error,
}

/// Appends events to a file, one line each, written whole (safe with concurrent writers).
#[derive(Debug)]
pub struct Trace {
    path: PathBuf,
    file: Mutex<std::fs::File>,
    target: crate::target::Target,
    request: Mutex<String>,
}

impl Trace {
    /// Open (creating) the trace for appending. This is the check before the first model
    /// call that the trace can be written: a folder that cannot take it, a read-only file or
    /// a device (`/dev/full`) fails here, not after the answer was paid for.
    pub fn open(path: &Path) -> Result<Self, TraceError> {
        if let Ok(metadata) = std::fs::metadata(path)
            && !metadata.file_type().is_file()
        {
            return Err(TraceError {
                path: path.to_path_buf(),
                source: std::io::Error::other(format!(
                    "it is {}, not a regular file",
                    crate::fsio::describe_type(&metadata)
                )),
            });
        }
        let file = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(path)
            .map_err(|source| TraceError {
                path: path.to_path_buf(),
                source,
            })?;
        Ok(Self {
            path: path.to_path_buf(),
            file: Mutex::new(file),
            target: crate::target::Target::Direct,
            request: Mutex::new(new_request_id()),
        })
    }

    /// The target every line of this trace names (`direct` unless set).
    #[must_use]
    pub fn for_target(mut self, target: crate::target::Target) -> Self {
        self.target = target;
        self
    }

    /// Start a new user request: the lines after this carry a new `request` id.
    pub fn start_request(&self) -> String {
        let id = new_request_id();
        if let Ok(mut request) = self.request.lock() {
            request.clone_from(&id);
        }
        id
    }

    pub fn record(&self, event: &Event<'_>) -> Result<(), TraceError> {
        let request = self.request.lock().map(|r| r.clone()).unwrap_or_default();
        let mut line = line_json(self.target, &request, event);
        line.push(b'\n');
        let mut file = self.file.lock().map_err(|_| TraceError {
            path: self.path.clone(),
            source: std::io::Error::other("the trace lock is poisoned"),
        })?;
        file.write_all(&line).map_err(|source| TraceError {
            path: self.path.clone(),
            source,
        })
    }
}

/// Latency rounded to microseconds, so lines stay short.
pub fn round_ms(ms: f64) -> f64 {
    (ms * 1000.0).round() / 1000.0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_device_or_folder_is_refused_when_the_trace_is_opened() {
        for path in ["/dev/full", "/dev/null", "/"] {
            let error = Trace::open(Path::new(path)).unwrap_err();
            assert!(error.to_string().contains("not a regular file"), "{error}");
        }
        let dir = tempfile::tempdir().unwrap();
        let missing_folder = dir.path().join("no/such/trace.jsonl");
        assert!(Trace::open(&missing_folder).is_err());
    }

    fn line(event: &Event<'_>) -> serde_json::Value {
        serde_json::from_slice(&line_json(crate::target::Target::Direct, "r1", event))
            .expect("a JSON line")
    }

    #[test]
    fn events_serialize_in_the_agreed_format() {
        let model = line(&Event::ModelCall {
            session: "s",
            iteration: 1,
            step: Step::Orchestration,
            model_id: "m",
            latency_ms: 1.5,
            stop_reason: Some("end_turn"),
            usage: Usage {
                input_tokens: 10,
                output_tokens: 2,
                cache_read_input_tokens: 0,
                cache_write_input_tokens: 0,
            },
        });
        assert_eq!(
            model,
            serde_json::json!({"type": "model_call", "target": "direct", "request": "r1",
                "session": "s", "iteration": 1, "step": "orchestration", "model_id": "m",
                "latency_ms": 1.5, "stop_reason": "end_turn",
                "usage": {"input_tokens": 10, "output_tokens": 2, "cache_read_input_tokens": 0, "cache_write_input_tokens": 0}})
        );
        let tool = line(&Event::ToolCall {
            session: "s",
            name: "get",
            latency_ms: 0.25,
            outcome: CallOutcome::Timeout,
            result_bytes: 12,
            executed_by: None,
        });
        assert_eq!(tool["outcome"], "timeout");
        assert_eq!(tool["type"], "tool_call");
        assert!(tool.get("executed_by").is_none());
        let request = line(&Event::Request {
            session: "s",
            model_calls: 3,
            latency_ms: 12.0,
            outcome: "end_turn",
            attempt: 2,
        });
        assert_eq!(
            request,
            serde_json::json!({"type": "request", "target": "direct", "request": "r1", "session": "s",
                "model_calls": 3, "latency_ms": 12.0, "outcome": "end_turn", "attempt": 2})
        );
        let retrieval = line(&Event::Retrieval {
            session: "s",
            knowledge_base_id: "KB12345678",
            latency_ms: 3.0,
            outcome: CallOutcome::Ok,
            results: 2,
            bytes: 120,
        });
        assert_eq!(
            retrieval,
            serde_json::json!({"type": "retrieval", "target": "direct", "request": "r1", "session": "s",
                "knowledge_base_id": "KB12345678", "latency_ms": 3.0, "outcome": "ok", "results": 2, "bytes": 120})
        );
    }

    #[test]
    fn each_request_gets_its_own_id() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.jsonl");
        let trace = Trace::open(&path)
            .unwrap()
            .for_target(crate::target::Target::Agents);
        let event = Event::Guardrail {
            session: "s",
            action: "NONE",
        };
        trace.record(&event).unwrap();
        let second = trace.start_request();
        trace.record(&event).unwrap();
        let text = std::fs::read_to_string(&path).unwrap();
        let lines: Vec<serde_json::Value> = text
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        assert_eq!(lines[0]["target"], "agents");
        assert_ne!(lines[0]["request"], lines[1]["request"]);
        assert_eq!(lines[1]["request"], second.as_str());
    }
}
