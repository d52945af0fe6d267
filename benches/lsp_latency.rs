//! How long `agentc lsp` takes from a `didChange` to the `publishDiagnostics` it answers
//! with, for a typical spec (`agents/infra-assistant.yaml`), measured as an editor sees it:
//! through the process's stdin and stdout. Each change rewrites a function's description, so
//! every run re-tokenizes a tool definition (no count comes from a cache). A measurement, not
//! a test: what the server publishes is asserted by the `lsp::` integration tests.
//!
//! `cargo bench --bench lsp_latency` (release build), or `cargo bench --profile dev --bench
//! lsp_latency` against the debug binary (an upper bound, no release build needed).
//! `AGENTC_BIN=path/to/agentc` measures another binary (the lean build).

// A measurement tool: a panic is its failure report, as in the tests.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a measurement tool: a panic is its failure report, as in the tests"
)]

use serde_json::{Value, json};
use std::io::{BufRead, BufReader, Write};
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::Instant;

const WARM_UP: usize = 5;
const RUNS: usize = 100;

fn main() {
    let binary = std::env::var_os("AGENTC_BIN").map_or_else(
        || PathBuf::from(env!("CARGO_BIN_EXE_agentc")),
        PathBuf::from,
    );
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let path = root.join("agents/infra-assistant.yaml");
    let spec = std::fs::read_to_string(&path).unwrap();
    let uri = format!("file://{}", path.display());
    let mut child = Command::new(&binary)
        .args(["lsp"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let mut send = |message: Value| {
        let text = message.to_string();
        write!(stdin, "Content-Length: {}\r\n\r\n{text}", text.len()).unwrap();
        stdin.flush().unwrap();
    };
    send(
        json!({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {"capabilities": {}}}),
    );
    read_until(&mut stdout, |m| m["id"] == 1);
    send(json!({"jsonrpc": "2.0", "method": "initialized", "params": {}}));
    send(
        json!({"jsonrpc": "2.0", "method": "textDocument/didOpen", "params": {"textDocument": {
        "uri": uri, "languageId": "yaml", "version": 0, "text": spec}}}),
    );
    read_until(&mut stdout, |m| {
        m["method"] == "textDocument/publishDiagnostics"
    });

    let original = "description: Execute a read-only SQL query against the production database.";
    assert!(spec.contains(original));
    let mut times = Vec::with_capacity(RUNS);
    for version in 1..=(WARM_UP + RUNS) {
        let text = spec.replace(
            original,
            &format!("description: Execute read-only SQL query number {version} against the production database."),
        );
        let started = Instant::now();
        send(
            json!({"jsonrpc": "2.0", "method": "textDocument/didChange", "params": {
            "textDocument": {"uri": uri, "version": version},
            "contentChanges": [{"text": text}]}}),
        );
        let published = read_until(&mut stdout, |m| {
            m["method"] == "textDocument/publishDiagnostics" && m["params"]["version"] == version
        });
        let elapsed = started.elapsed().as_secs_f64() * 1000.0;
        assert_eq!(
            published["params"]["diagnostics"],
            json!([]),
            "the spec lints clean"
        );
        if version > WARM_UP {
            times.push(elapsed);
        }
    }
    send(json!({"jsonrpc": "2.0", "id": 2, "method": "shutdown", "params": null}));
    read_until(&mut stdout, |m| m["id"] == 2);
    send(json!({"jsonrpc": "2.0", "method": "exit", "params": null}));
    child.wait().unwrap();

    times.sort_by(f64::total_cmp);
    let at = |q: f64| times[((times.len() - 1) as f64 * q).round() as usize];
    println!(
        "agentc lsp, didChange → publishDiagnostics ({}, {RUNS} changes of agents/infra-assistant.yaml): median {:.2} ms, p90 {:.2} ms, max {:.2} ms",
        binary.display(),
        at(0.5),
        at(0.9),
        times[times.len() - 1],
    );
}

fn read_until(reader: &mut impl BufRead, test: impl Fn(&Value) -> bool) -> Value {
    loop {
        let mut length = 0;
        loop {
            let mut line = String::new();
            assert!(
                reader.read_line(&mut line).unwrap() > 0,
                "agentc lsp closed its output"
            );
            let line = line.trim_end();
            if line.is_empty() {
                break;
            }
            if let Some(n) = line.strip_prefix("Content-Length: ") {
                length = n.parse().unwrap();
            }
        }
        let mut body = vec![0; length];
        reader.read_exact(&mut body).unwrap();
        let message: Value = serde_json::from_slice(&body).unwrap();
        if test(&message) {
            return message;
        }
    }
}
