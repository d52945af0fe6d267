//! The run trace: one JSON line per step, the direct target's analogue of the Bedrock Agents
//! trace and the input of `agentc cost --usage`. The line formats are a contract:
//!
//! ```text
//! {"type":"model_call","session":…,"iteration":n,"model_id":…,"latency_ms":…,"stop_reason":…,
//!  "usage":{"input_tokens":…,"output_tokens":…,"cache_read_input_tokens":…,"cache_write_input_tokens":…}}
//! {"type":"tool_call","session":…,"name":…,"latency_ms":…,"outcome":"ok"|"error"|"timeout"|"denied","result_bytes":…}
//! {"type":"retrieval","session":…,"knowledge_base_id":…,"latency_ms":…,"outcome":…,"results":n,"bytes":…}
//! ```
//!
//! A knowledge-base call writes a `retrieval` line instead of a `tool_call` line: `results` is
//! the number of passages and `bytes` the size of the tool result they make for the model.
//!
//! Usage figures are the ones the Converse response reports (measured, not estimated). Only
//! these fields are written — no message text, tool inputs or outputs, and never
//! credentials — so a trace can be shared.

use super::dispatch::CallOutcome;
use super::model::Usage;
use serde::Serialize;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

#[derive(Debug, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Event<'a> {
    ModelCall {
        session: &'a str,
        iteration: u32,
        model_id: &'a str,
        latency_ms: f64,
        stop_reason: &'a str,
        usage: Usage,
    },
    ToolCall {
        session: &'a str,
        name: &'a str,
        latency_ms: f64,
        outcome: CallOutcome,
        result_bytes: usize,
    },
    Retrieval {
        session: &'a str,
        knowledge_base_id: &'a str,
        latency_ms: f64,
        outcome: CallOutcome,
        results: usize,
        bytes: usize,
    },
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
        })
    }

    pub fn record(&self, event: &Event<'_>) -> Result<(), TraceError> {
        let mut line = serde_json::to_vec(event).unwrap_or_default();
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

    #[test]
    fn events_serialize_in_the_agreed_format() {
        let line = serde_json::to_value(Event::ModelCall {
            session: "s",
            iteration: 1,
            model_id: "m",
            latency_ms: 1.5,
            stop_reason: "end_turn",
            usage: Usage {
                input_tokens: 10,
                output_tokens: 2,
                cache_read_input_tokens: 0,
                cache_write_input_tokens: 0,
            },
        })
        .expect("serializes");
        assert_eq!(
            line,
            serde_json::json!({"type": "model_call", "session": "s", "iteration": 1, "model_id": "m",
                "latency_ms": 1.5, "stop_reason": "end_turn",
                "usage": {"input_tokens": 10, "output_tokens": 2, "cache_read_input_tokens": 0, "cache_write_input_tokens": 0}})
        );
        let line = serde_json::to_value(Event::ToolCall {
            session: "s",
            name: "get",
            latency_ms: 0.25,
            outcome: CallOutcome::Timeout,
            result_bytes: 12,
        })
        .expect("serializes");
        assert_eq!(line["outcome"], "timeout");
        assert_eq!(line["type"], "tool_call");
        let line = serde_json::to_value(Event::Retrieval {
            session: "s",
            knowledge_base_id: "KB12345678",
            latency_ms: 3.0,
            outcome: CallOutcome::Ok,
            results: 2,
            bytes: 120,
        })
        .expect("serializes");
        assert_eq!(
            line,
            serde_json::json!({"type": "retrieval", "session": "s", "knowledge_base_id": "KB12345678",
                "latency_ms": 3.0, "outcome": "ok", "results": 2, "bytes": 120})
        );
    }
}
