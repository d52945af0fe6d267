//! `agentc lsp`, driven as an editor drives it: Content-Length framed JSON-RPC over the
//! process's stdin and stdout.

use crate::support::cli::agentc;
use serde_json::{Value, json};
use std::io::{BufRead, BufReader, Read, Write};
use std::path::Path;
use std::process::{Child, ChildStdin, Stdio};
use std::sync::mpsc;
use std::time::Duration;

/// Far above the milliseconds a reply takes; only so that a lost reply fails the test.
const WAIT: Duration = Duration::from_secs(30);

struct Client {
    child: Child,
    stdin: Option<ChildStdin>,
    from_server: mpsc::Receiver<Value>,
    /// Messages read while waiting for another one.
    pending: Vec<Value>,
    stderr: std::thread::JoinHandle<String>,
    next_id: i64,
}

impl Client {
    fn start() -> Client {
        let mut child = agentc(["lsp", "--stdio"])
            .command()
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("agentc lsp starts");
        let stdout = child.stdout.take().unwrap();
        let mut stderr = child.stderr.take().unwrap();
        let (tx, from_server) = mpsc::channel();
        std::thread::spawn(move || {
            let mut reader = BufReader::new(stdout);
            while let Some(message) = read_frame(&mut reader) {
                if tx.send(message).is_err() {
                    return;
                }
            }
        });
        let stderr = std::thread::spawn(move || {
            let mut text = String::new();
            let _ = stderr.read_to_string(&mut text);
            text
        });
        Client {
            stdin: child.stdin.take(),
            child,
            from_server,
            pending: Vec::new(),
            stderr,
            next_id: 0,
        }
    }

    /// Started and initialized (`initialize`, `initialized`).
    fn initialized() -> Client {
        let mut client = Client::start();
        let reply = client.request("initialize", json!({"capabilities": {}}));
        let capabilities = &reply["result"]["capabilities"];
        assert_eq!(capabilities["hoverProvider"], true, "{reply}");
        assert!(capabilities["completionProvider"].is_object(), "{reply}");
        assert_eq!(reply["result"]["serverInfo"]["name"], "agentc");
        client.notify("initialized", json!({}));
        client
    }

    fn send_raw(&mut self, bytes: &[u8]) {
        let stdin = self.stdin.as_mut().expect("stdin open");
        stdin.write_all(bytes).unwrap();
        stdin.flush().unwrap();
    }

    fn send(&mut self, message: &Value) {
        let text = message.to_string();
        self.send_raw(format!("Content-Length: {}\r\n\r\n{text}", text.len()).as_bytes());
    }

    fn notify(&mut self, method: &str, params: Value) {
        self.send(&json!({"jsonrpc": "2.0", "method": method, "params": params}));
    }

    /// Send a request and wait for its reply (result or error).
    fn request(&mut self, method: &str, params: Value) -> Value {
        self.next_id += 1;
        let id = self.next_id;
        self.send(&json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params}));
        self.wait_for(|m| m["id"] == id && m.get("method").is_none())
    }

    /// The next message (read or pending) that `test` accepts; the others stay pending.
    fn wait_for(&mut self, test: impl Fn(&Value) -> bool) -> Value {
        if let Some(at) = self.pending.iter().position(&test) {
            return self.pending.remove(at);
        }
        loop {
            let message = self.from_server.recv_timeout(WAIT).unwrap_or_else(|e| {
                panic!("no message from agentc lsp ({e}); had {:?}", self.pending)
            });
            if test(&message) {
                return message;
            }
            self.pending.push(message);
        }
    }

    /// The next diagnostics published for `uri`.
    fn diagnostics(&mut self, uri: &str) -> Value {
        let message = self.wait_for(|m| {
            m["method"] == "textDocument/publishDiagnostics" && m["params"]["uri"] == uri
        });
        message["params"].clone()
    }

    fn open(&mut self, uri: &str, text: &str) -> Value {
        self.notify(
            "textDocument/didOpen",
            json!({"textDocument": {"uri": uri, "languageId": "yaml", "version": 1, "text": text}}),
        );
        self.diagnostics(uri)
    }

    /// Close stdin and wait: the exit code and stderr.
    fn finish(mut self) -> (Option<i32>, String) {
        drop(self.stdin.take());
        let deadline = std::time::Instant::now() + WAIT;
        let status = loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                break status;
            }
            if std::time::Instant::now() > deadline {
                let _ = self.child.kill();
                panic!("agentc lsp did not end after its input closed");
            }
            std::thread::sleep(Duration::from_millis(10));
        };
        let stderr = self.stderr.join().unwrap();
        assert!(
            !stderr.contains("panicked"),
            "agentc lsp panicked:\n{stderr}"
        );
        (status.code(), stderr)
    }

    /// `shutdown`, `exit`: the exit code.
    fn shut_down(mut self) -> Option<i32> {
        let reply = self.request("shutdown", Value::Null);
        assert_eq!(reply["result"], Value::Null, "{reply}");
        assert!(reply.get("error").is_none(), "{reply}");
        self.notify("exit", Value::Null);
        self.finish().0
    }
}

fn read_frame(reader: &mut impl BufRead) -> Option<Value> {
    let mut length = None;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).ok()? == 0 {
            return None;
        }
        let line = line.trim_end();
        if line.is_empty() {
            break;
        }
        if let Some(value) = line.strip_prefix("Content-Length: ") {
            length = value.parse::<usize>().ok();
        }
    }
    let mut body = vec![0; length?];
    reader.read_exact(&mut body).ok()?;
    Some(serde_json::from_slice(&body).expect("the server writes JSON"))
}

fn uri(path: &Path) -> String {
    format!("file://{}", path.display())
}

/// A spec with findings at two levels: a warning rule denied in `lint.rules` (an error), a
/// warning, and a finding silenced by an inline suppression.
const SPEC: &str = "\
agentc: 1
name: infra-assistant
description: Answers questions about infrastructure health.
model: amazon.nova-pro-v1:0
instruction: |
  You are an infrastructure assistant for the production account.
  Use tools to answer questions accurately. Never modify resources.
action_groups:
  - name: status
    description: Service health checks.
    executor: return_control
    functions:
      - name: get_service_status
        description: Get current health status of an AWS service or ECS task.
        parameters:
          service_name:
            type: string
            description: Name of the service or ECS task.
            required: true
      # agentc: allow(missing-description) reviewed: the name says it all
      - name: list_services
      - name: restart_service
lint:
  tool_token_budget: 20
  rules:
    tool-definitions-over-budget: deny
";

/// (rule, severity, start line, start character, end line, end character), 0-based.
type Finding = (String, String, u64, u64, u64, u64);

fn lsp_findings(published: &Value) -> Vec<Finding> {
    let severity = |n: &Value| match n.as_u64() {
        Some(1) => "error",
        Some(2) => "warning",
        Some(3) => "info",
        _ => "?",
    };
    published["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            let r = &d["range"];
            assert_eq!(d["source"], "agentc");
            (
                d["code"].as_str().unwrap().to_string(),
                severity(&d["severity"]).to_string(),
                r["start"]["line"].as_u64().unwrap(),
                r["start"]["character"].as_u64().unwrap(),
                r["end"]["line"].as_u64().unwrap(),
                r["end"]["character"].as_u64().unwrap(),
            )
        })
        .collect()
}

fn lint_findings(path: &Path) -> Vec<Finding> {
    let run = agentc([
        "lint".as_ref(),
        "--format".as_ref(),
        "json".as_ref(),
        path.as_os_str(),
    ])
    .run();
    let report: Value = serde_json::from_str(&run.stdout).unwrap();
    report["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            let n = |k: &str| d[k].as_u64().unwrap() - 1;
            (
                d["rule"].as_str().unwrap().to_string(),
                d["severity"].as_str().unwrap().to_string(),
                n("line"),
                n("column"),
                n("end_line"),
                n("end_column"),
            )
        })
        .collect()
}

#[test]
fn diagnostics_on_open_and_on_change_are_those_of_agentc_lint() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("agent.yaml");
    std::fs::write(&path, SPEC).unwrap();
    let expected = lint_findings(&path);
    let rules: Vec<&str> = expected.iter().map(|f| f.0.as_str()).collect();
    // What the server must carry over: a warning rule denied in `lint.rules` (an error), a
    // warning, and a suppressed finding (absent).
    assert_eq!(
        rules,
        ["tool-definitions-over-budget", "missing-description"]
    );
    assert_eq!(expected[0].1, "error", "{expected:?}");
    assert_eq!(expected[1].1, "warning", "{expected:?}");

    let mut client = Client::initialized();
    let uri = uri(&path);
    let published = client.open(&uri, SPEC);
    assert_eq!(published["version"], 1);
    assert_eq!(lsp_findings(&published), expected);
    // The suppressed function has no missing-description finding; the other one has.
    let missing: Vec<u64> = lsp_findings(&published)
        .iter()
        .filter(|f| f.0 == "missing-description")
        .map(|f| f.2)
        .collect();
    assert_eq!(missing, vec![21], "{published}");
    let message = published["diagnostics"][0]["message"].as_str().unwrap();
    assert!(!message.is_empty());

    // The editor's unsaved text is what is linted: describe the last function.
    let changed = SPEC.replace(
        "      - name: restart_service\n",
        "      - name: restart_service\n        description: Restart a service.\n",
    );
    client.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": uri, "version": 2}, "contentChanges": [{"text": changed}]}),
    );
    let published = client.diagnostics(&uri);
    assert_eq!(published["version"], 2);
    std::fs::write(&path, &changed).unwrap();
    assert_eq!(lsp_findings(&published), lint_findings(&path));
    assert!(
        !lsp_findings(&published)
            .iter()
            .any(|f| f.0 == "missing-description")
    );

    // An incremental change (a range) is applied too: break the YAML on line 2.
    client.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": uri, "version": 3}, "contentChanges": [{
            "range": {"start": {"line": 1, "character": 4}, "end": {"line": 1, "character": 5}},
            "text": "[",
        }]}),
    );
    let published = client.diagnostics(&uri);
    let rules: Vec<Finding> = lsp_findings(&published);
    assert_eq!(rules.len(), 1, "{published}");
    assert_eq!(rules[0].0, "yaml-syntax");

    // Closing clears what was published.
    client.notify(
        "textDocument/didClose",
        json!({"textDocument": {"uri": uri}}),
    );
    assert_eq!(client.diagnostics(&uri)["diagnostics"], json!([]));
    assert_eq!(client.shut_down(), Some(0));
}

#[test]
fn yaml_files_that_are_not_specs_get_no_findings() {
    let mut client = Client::initialized();
    let published = client.open("file:///tmp/ci.yaml", "on: push\njobs: {}\n");
    assert_eq!(published["diagnostics"], json!([]));
    assert_eq!(client.shut_down(), Some(0));
}

#[test]
fn hover_explains_a_finding_and_counts_a_tool_definitions_tokens() {
    let mut client = Client::initialized();
    let uri = "file:///nowhere/agent.yaml";
    let published = client.open(uri, SPEC);
    let finding = published["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["code"] == "missing-description")
        .unwrap()
        .clone();
    let reply = client.request(
        "textDocument/hover",
        json!({"textDocument": {"uri": uri}, "position": finding["range"]["start"]}),
    );
    let shown = reply["result"]["contents"]["value"].as_str().unwrap();
    let explain = agentc(["explain", "missing-description"]).run();
    assert!(shown.starts_with(&explain.stdout), "{shown}");
    assert_eq!(reply["result"]["contents"]["kind"], "markdown");

    // On the first function's description: its estimate, and the budget of 20 it is over.
    let line = SPEC
        .lines()
        .position(|l| l.contains("Get current"))
        .unwrap();
    let reply = client.request(
        "textDocument/hover",
        json!({"textDocument": {"uri": uri}, "position": {"line": line, "character": 20}}),
    );
    let shown = reply["result"]["contents"]["value"].as_str().unwrap();
    assert!(
        shown.contains("**`status__get_service_status`**: ~"),
        "{shown}"
    );
    assert!(shown.contains("over the budget of 20"), "{shown}");
    assert!(
        shown.contains("estimates from the open cl100k_base tokenizer"),
        "{shown}"
    );
    let range = &reply["result"]["range"];
    assert_eq!(range["start"]["line"], 12, "{reply}");
    assert_eq!(range["end"]["line"], 18, "{reply}");

    // Nowhere in particular: no hover.
    let reply = client.request(
        "textDocument/hover",
        json!({"textDocument": {"uri": uri}, "position": {"line": 0, "character": 0}}),
    );
    assert_eq!(reply["result"], Value::Null, "{reply}");
    assert_eq!(client.shut_down(), Some(0));
}

#[test]
fn completion_offers_the_schema_keys_missing_at_the_cursor() {
    let mut client = Client::initialized();
    let uri = "file:///nowhere/agent.yaml";
    let text = SPEC.replace(
        "      - name: list_services\n",
        "      - name: list_services\n        des\n",
    );
    client.open(uri, &text);
    let line = text.lines().position(|l| l == "        des").unwrap();
    let reply = client.request(
        "textDocument/completion",
        json!({"textDocument": {"uri": uri}, "position": {"line": line, "character": 11}}),
    );
    let items = reply["result"].as_array().unwrap();
    let labels: Vec<&str> = items.iter().map(|i| i["label"].as_str().unwrap()).collect();
    // A function's keys, less the `name` it has.
    assert_eq!(
        labels,
        ["description", "parameters", "require_confirmation"],
        "{reply}"
    );
    let edit = &items[0]["textEdit"];
    assert_eq!(edit["newText"], "description: ");
    assert_eq!(
        edit["range"]["start"],
        json!({"line": line, "character": 8})
    );
    assert_eq!(edit["range"]["end"], json!({"line": line, "character": 11}));
    assert!(
        items[0]["documentation"]["value"]
            .as_str()
            .unwrap()
            .contains("1,200 characters")
    );

    // At the top level: the spec's keys not yet written.
    let reply = client.request(
        "textDocument/completion",
        json!({"textDocument": {"uri": uri}, "position": {"line": 1, "character": 0}}),
    );
    let labels: Vec<&str> = reply["result"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["label"].as_str().unwrap())
        .collect();
    assert!(
        labels.contains(&"targets") && labels.contains(&"knowledge_bases"),
        "{labels:?}"
    );
    assert!(
        !labels.contains(&"model") && !labels.contains(&"action_groups"),
        "{labels:?}"
    );

    // In a value: nothing.
    let reply = client.request(
        "textDocument/completion",
        json!({"textDocument": {"uri": uri}, "position": {"line": 1, "character": 10}}),
    );
    assert_eq!(reply["result"], json!([]));
    assert_eq!(client.shut_down(), Some(0));
}

#[test]
fn malformed_messages_get_errors_and_the_server_keeps_running() {
    let mut client = Client::start();
    // Before `initialize`, requests are refused.
    let reply = client.request("textDocument/hover", json!({}));
    assert_eq!(reply["error"]["code"], -32002, "{reply}");
    // Parameters lsp-types would refuse (a newer client's) do not keep the server from starting.
    let reply = client.request(
        "initialize",
        json!({"processId": "one", "capabilities": {"general": {"positionEncodings": 7}}}),
    );
    assert!(reply["result"]["capabilities"].is_object(), "{reply}");
    client.notify("initialized", json!({}));

    // Not JSON: a parse error for id null.
    client.send_raw(b"Content-Length: 9\r\n\r\n{not json");
    let reply = client.wait_for(|m| m.get("error").is_some());
    assert_eq!(reply["error"]["code"], -32700, "{reply}");
    assert_eq!(reply["id"], Value::Null);
    // JSON, but not a message; a header without Content-Length; a length that is no number.
    client.send(&json!({"jsonrpc": "2.0", "id": 41, "method": ["x"]}));
    let reply = client.wait_for(|m| m.get("error").is_some());
    assert_eq!(reply["error"]["code"], -32600, "{reply}");
    assert_eq!(reply["id"], 41);
    client.send_raw(b"Content-Type: x\r\n\r\n");
    let reply = client.wait_for(|m| m.get("error").is_some());
    assert_eq!(reply["error"]["code"], -32600, "{reply}");
    client.send_raw(b"Content-Length: many\r\n\r\n");
    let reply = client.wait_for(|m| m.get("error").is_some());
    assert_eq!(reply["error"]["code"], -32600, "{reply}");
    // Wrong parameters, an unknown method, an invalid URI, positions far out of range.
    let reply = client.request("textDocument/hover", json!({"position": "here"}));
    assert_eq!(reply["error"]["code"], -32602, "{reply}");
    let reply = client.request("textDocument/rename", json!({}));
    assert_eq!(reply["error"]["code"], -32601, "{reply}");
    client.notify("textDocument/didOpen", json!({"textDocument": {"uri": 5}}));
    let log = client.wait_for(|m| m["method"] == "window/logMessage");
    assert!(
        log["params"]["message"]
            .as_str()
            .unwrap()
            .contains("textDocument/didOpen"),
        "{log}"
    );
    let uri = "file:///nowhere/agent.yaml";
    client.open(uri, SPEC);
    for position in [
        json!({"line": 9999, "character": 0}),
        json!({"line": 3, "character": 4_000_000_000u64}),
    ] {
        let reply = client.request(
            "textDocument/hover",
            json!({"textDocument": {"uri": uri}, "position": position}),
        );
        assert!(reply.get("error").is_none(), "{reply}");
        let reply = client.request(
            "textDocument/completion",
            json!({"textDocument": {"uri": uri}, "position": position}),
        );
        assert!(reply.get("error").is_none(), "{reply}");
    }
    // A change to a document never opened, and text that is no YAML at all.
    client.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": "file:///x.yaml", "version": 1}, "contentChanges": [{"text": "agentc: [\u{0}\u{feff}\n\t- :"}]}),
    );
    let published = client.diagnostics("file:///x.yaml");
    assert!(!published["diagnostics"].as_array().unwrap().is_empty());

    // Still answering.
    let reply = client.request(
        "textDocument/hover",
        json!({"textDocument": {"uri": uri}, "position": {"line": 13, "character": 20}}),
    );
    assert!(reply["result"]["contents"]["value"].is_string(), "{reply}");
    assert_eq!(client.shut_down(), Some(0));
}

#[test]
fn a_file_deleted_under_the_server_is_relinted_from_the_editors_text() {
    let dir = tempfile::tempdir().unwrap();
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let spec = std::fs::read_to_string(root.join("agents/orders-api.yaml")).unwrap();
    std::fs::create_dir_all(dir.path().join("openapi")).unwrap();
    std::fs::create_dir_all(dir.path().join("prompts")).unwrap();
    for file in ["openapi/orders.yaml", "prompts/orchestration.txt"] {
        std::fs::copy(root.join("agents").join(file), dir.path().join(file)).unwrap();
    }
    for entry in std::fs::read_dir(root.join("agents/tools")).unwrap() {
        let entry = entry.unwrap();
        let to = dir.path().join("tools");
        std::fs::create_dir_all(&to).unwrap();
        std::fs::copy(entry.path(), to.join(entry.file_name())).unwrap();
    }
    let path = dir.path().join("orders-api.yaml");
    std::fs::write(&path, &spec).unwrap();
    let clean = lint_findings(&path);

    let mut client = Client::start();
    let reply = client.request(
        "initialize",
        json!({"capabilities": {"workspace": {"didChangeWatchedFiles": {"dynamicRegistration": true}}}}),
    );
    assert!(reply["result"].is_object());
    client.notify("initialized", json!({}));
    // The server asks to be told about changed files, and the client agrees.
    let register = client.wait_for(|m| m["method"] == "client/registerCapability");
    let registration = &register["params"]["registrations"][0];
    assert_eq!(registration["method"], "workspace/didChangeWatchedFiles");
    client.send(&json!({"jsonrpc": "2.0", "id": register["id"], "result": null}));

    let uri = uri(&path);
    assert_eq!(lsp_findings(&client.open(&uri, &spec)), clean);

    // The OpenAPI document the spec names is deleted: the finding appears.
    let openapi = dir.path().join("openapi/orders.yaml");
    std::fs::remove_file(&openapi).unwrap();
    client.notify(
        "workspace/didChangeWatchedFiles",
        json!({"changes": [{"uri": format!("file://{}", openapi.display()), "type": 3}]}),
    );
    let published = client.diagnostics(&uri);
    let found = lsp_findings(&published);
    assert_eq!(found, lint_findings(&path));
    assert!(found.len() > clean.len(), "{published}");

    // The spec file itself is deleted while open: the editor's text is still linted.
    std::fs::remove_file(&path).unwrap();
    client.notify(
        "workspace/didChangeWatchedFiles",
        json!({"changes": [{"uri": uri, "type": 3}]}),
    );
    assert_eq!(lsp_findings(&client.diagnostics(&uri)), found);
    client.notify(
        "textDocument/didSave",
        json!({"textDocument": {"uri": uri}}),
    );
    assert_eq!(lsp_findings(&client.diagnostics(&uri)), found);
    assert_eq!(client.shut_down(), Some(0));
}

#[test]
fn exit_without_shutdown_or_a_closed_stream_ends_with_status_1() {
    let mut client = Client::initialized();
    client.notify("exit", Value::Null);
    assert_eq!(client.finish().0, Some(1));

    let client = Client::initialized();
    assert_eq!(client.finish().0, Some(1));

    // After shutdown, requests are refused until exit.
    let mut client = Client::initialized();
    client.request("shutdown", Value::Null);
    let reply = client.request("textDocument/hover", json!({}));
    assert_eq!(reply["error"]["code"], -32600, "{reply}");
    client.notify("exit", Value::Null);
    assert_eq!(client.finish().0, Some(0));
}
