//! `require_confirmation` on the direct runtime: a function that asks for confirmation never
//! runs unconfirmed. Without a terminal the call goes back to the caller (exit 3) and the run
//! continues with `--confirm ID` or `--deny ID`; on a terminal agentc asks (y/N).

use crate::support::*;
use serde_json::{Value, json};

/// `refund` asks for confirmation and agentc runs it (an HTTP handler); `wire` asks for
/// confirmation and returns control; `balance` needs neither.
fn tools(handler_url: &str) -> (String, String) {
    (
        "action_groups:
  - name: payments
    executor: return_control
    functions:
      - name: refund
        description: Refund an order.
        require_confirmation: true
        parameters:
          order: {type: string, required: true}
      - name: wire
        description: Wire money to an account.
        require_confirmation: true
        parameters:
          account: {type: string, required: true}
      - name: balance
        description: The account balance.
"
        .to_string(),
        format!(
            "    handlers:\n      refund: {{http: \"{handler_url}/refund\"}}\n      balance: {{http: \"{handler_url}/balance\"}}\n"
        ),
    )
}

fn tool_results(request: &Recorded) -> Vec<Value> {
    request.json()["messages"]
        .as_array()
        .and_then(|m| m.last())
        .and_then(|m| m["content"].as_array())
        .into_iter()
        .flatten()
        .filter_map(|b| b.get("toolResult").cloned())
        .collect()
}

fn handler() -> Server {
    Server::start(|request| Reply::json(200, json!({"done": request.path})))
}

#[test]
fn without_a_terminal_a_confirmation_call_is_returned_and_runs_only_when_confirmed() {
    let tool = handler();
    let (groups, direct) = tools(&tool.url);
    let ws = Workspace::new(&spec(&groups, &direct));
    let converse = Server::scripted(vec![
        tool_use(&[
            ("c1", "refund", json!({"order": "A-1"})),
            ("c2", "balance", json!({})),
        ]),
        text("Refunded A-1."),
    ]);
    let trace = ws.file("trace.jsonl");
    let out = ws.run(
        &converse.url,
        &[
            "run",
            "agent.yaml",
            "Refund A-1",
            "--session",
            "confirm-1",
            "--json",
            "--trace",
            trace.to_str().unwrap(),
        ],
    );
    assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
    let line: Value = serde_json::from_str(stdout(&out).trim()).unwrap();
    assert_eq!(line["outcome"], "return_control");
    assert_eq!(
        line["pending_tool_calls"],
        json!([{"toolUseId": "c1", "name": "refund", "actionGroup": "payments", "function": "refund",
                "input": {"order": "A-1"}, "actionInvocationType": "USER_CONFIRMATION"}])
    );
    let paths: Vec<String> = tool.requests().iter().map(|r| r.path.clone()).collect();
    assert_eq!(paths, ["/balance"], "the refund did not run unconfirmed");

    // A result is not a confirmation for a call agentc runs itself.
    let out = ws.run(
        &converse.url,
        &[
            "run",
            "agent.yaml",
            "--session",
            "confirm-1",
            "--tool-result",
            "c1={}",
        ],
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("c1 waits for confirmation, and agentc runs it"),
        "{}",
        stderr(&out)
    );

    let out = ws.run(
        &converse.url,
        &[
            "run",
            "agent.yaml",
            "--session",
            "confirm-1",
            "--confirm",
            "c1",
            "--trace",
            trace.to_str().unwrap(),
        ],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(stdout(&out), "Refunded A-1.\n");
    let paths: Vec<String> = tool.requests().iter().map(|r| r.path.clone()).collect();
    assert_eq!(paths, ["/balance", "/refund"]);
    let results = tool_results(&converse.requests()[1]);
    let ids: Vec<&str> = results
        .iter()
        .map(|r| r["toolUseId"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["c2", "c1"]);
    assert_eq!(results[1]["status"], "success");
    assert_eq!(results[1]["content"][0]["json"], json!({"done": "/refund"}));
    let names: Vec<String> = trace_lines(&trace)
        .iter()
        .filter(|l| l["type"] == "tool_call")
        .map(|l| l["name"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(names, ["balance", "refund"]);
}

#[test]
fn a_denied_call_does_not_run_and_the_model_is_told() {
    let tool = handler();
    let (groups, direct) = tools(&tool.url);
    let ws = Workspace::new(&spec(&groups, &direct));
    let converse = Server::scripted(vec![
        tool_use(&[
            ("c1", "refund", json!({"order": "A-1"})),
            ("w1", "wire", json!({"account": "X"})),
        ]),
        text("Nothing was done."),
    ]);
    let trace = ws.file("trace.jsonl");
    let out = ws.run(
        &converse.url,
        &[
            "run",
            "agent.yaml",
            "Refund and wire",
            "--session",
            "deny-1",
        ],
    );
    assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
    assert!(
        stdout(&out).contains("tool call w1 (payments/wire, needs confirmation)"),
        "{}",
        stdout(&out)
    );
    assert!(
        stderr(&out).contains("--confirm c1 (or --deny c1)")
            && stderr(&out).contains("--tool-result 'w1=<JSON>' once confirmed (or --deny w1)"),
        "{}",
        stderr(&out)
    );
    let out = ws.run(
        &converse.url,
        &[
            "run",
            "agent.yaml",
            "--session",
            "deny-1",
            "--deny",
            "c1",
            "--deny",
            "w1",
            "--trace",
            trace.to_str().unwrap(),
        ],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(tool.requests().is_empty(), "nothing ran");
    let results = tool_results(&converse.requests()[1]);
    for result in &results {
        assert_eq!(result["status"], "error");
        assert!(
            result["content"][0]["text"]
                .as_str()
                .unwrap()
                .contains("The user declined this call"),
            "{result}"
        );
    }
    let lines = trace_lines(&trace);
    let outcomes: Vec<&str> = lines
        .iter()
        .filter(|l| l["type"] == "tool_call")
        .map(|l| l["outcome"].as_str().unwrap())
        .collect();
    assert_eq!(outcomes, ["denied", "denied"]);
}

/// On a terminal (a pseudo-terminal made by `script`), agentc asks and reads y/N.
#[test]
fn on_a_terminal_agentc_asks_before_the_call_runs() {
    if !external::tool(
        "script",
        &["-qec", "true", "/dev/null"],
        "util-linux (apt-get install util-linux)",
        "asking for confirmation on a terminal",
    ) {
        return;
    }
    for (answer, runs) in [("y", true), ("n", false)] {
        let tool = handler();
        let (groups, direct) = tools(&tool.url);
        let ws = Workspace::new(&spec(&groups, &direct));
        let converse = Server::scripted(vec![
            tool_use(&[("c1", "refund", json!({"order": "A-1"}))]),
            text("Done."),
        ]);
        // `script` runs agentc on a pseudo-terminal, with the workspace's environment.
        let mut command = in_script(
            &ws.command(&converse.url, &[]),
            &["run", "agent.yaml", "'Refund A-1'"],
        );
        let mut child = command.spawn().unwrap();
        {
            use std::io::Write;
            let mut stdin = child.stdin.take().unwrap();
            std::thread::sleep(std::time::Duration::from_millis(300));
            stdin.write_all(format!("{answer}\n").as_bytes()).unwrap();
        }
        let out = child.wait_with_output().unwrap();
        let shown = String::from_utf8_lossy(&out.stdout).to_string();
        assert!(out.status.success(), "{shown}");
        assert!(
            shown.contains("payments/refund wants to run with {\"order\":\"A-1\"}")
                && shown.contains("Run it? [y/N]"),
            "{shown}"
        );
        assert_eq!(tool.requests().len(), usize::from(runs), "answer {answer}");
        let results = tool_results(&converse.requests()[1]);
        assert_eq!(
            results[0]["status"],
            if runs { "success" } else { "error" },
            "answer {answer}"
        );
    }
}

/// `script -qec "agentc ARGS" /dev/null` with `agentc`'s program, directory and environment.
fn in_script(agentc: &std::process::Command, args: &[&str]) -> std::process::Command {
    let line = format!(
        "{} {}",
        agentc.get_program().to_string_lossy(),
        args.join(" ")
    );
    let mut command = std::process::Command::new("script");
    command.args(["-qec", &line, "/dev/null"]).env_clear();
    if let Some(dir) = agentc.get_current_dir() {
        command.current_dir(dir);
    }
    for (key, value) in agentc.get_envs() {
        if let Some(value) = value {
            command.env(key, value);
        }
    }
    command
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped());
    command
}
