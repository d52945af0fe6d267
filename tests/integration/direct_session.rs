//! Session memory: return_control pauses and resumes, continued conversations, and
//! concurrent runs on one SQLite session store.

use crate::support::*;
use serde_json::{Value, json};

const STATUS_TOOL: &str = r#"action_groups:
  - name: status
    executor: return_control
    functions:
      - name: get_service_status
        description: Get the health of a service.
        parameters:
          service_name: {type: string, required: true}"#;

#[test]
fn return_control_pauses_and_the_caller_resumes_with_the_result() {
    let converse = Server::scripted(vec![
        tool_use(&[("tu-1", "get_service_status", json!({"service_name": "api"}))]),
        text("The api service is up."),
        text("You asked about the api."),
    ]);
    let ws = Workspace::new(&spec(STATUS_TOOL, ""));
    let out = ws.run(
        &converse.url,
        &["run", "agent.yaml", "Is the api up?", "--session", "s-1"],
    );
    assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
    assert!(
        stdout(&out)
            .contains(r#"tool call tu-1 (status/get_service_status): {"service_name":"api"}"#),
        "{}",
        stdout(&out)
    );
    assert!(
        stderr(&out).contains("--session s-1 --tool-result 'tu-1=<JSON>'"),
        "{}",
        stderr(&out)
    );

    // A new message while the calls are unanswered is refused.
    let out = ws.run(
        &converse.url,
        &["run", "agent.yaml", "hello?", "--session", "s-1"],
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("waiting for the results of tool calls tu-1"),
        "{}",
        stderr(&out)
    );

    let out = ws.run(
        &converse.url,
        &[
            "run",
            "agent.yaml",
            "--session",
            "s-1",
            "--tool-result",
            r#"tu-1={"status": "up"}"#,
        ],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(stdout(&out), "The api service is up.\n");

    let out = ws.run(
        &converse.url,
        &[
            "run",
            "agent.yaml",
            "What did I ask?",
            "--session",
            "s-1",
            "--json",
        ],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let line: Value = serde_json::from_str(stdout(&out).trim()).unwrap();
    assert_eq!(line["session"], "s-1");
    assert_eq!(line["text"], "You asked about the api.");

    let requests = converse.requests();
    assert_eq!(requests.len(), 3);
    let resumed = requests[1].json();
    assert_eq!(
        resumed["messages"],
        json!([
            {"role": "user", "content": [{"text": "Is the api up?"}]},
            {"role": "assistant", "content": [{"toolUse": {"toolUseId": "tu-1", "name": "get_service_status", "input": {"service_name": "api"}}}]},
            {"role": "user", "content": [{"toolResult": {"toolUseId": "tu-1", "content": [{"json": {"status": "up"}}], "status": "success"}}]}
        ])
    );
    let continued = requests[2].json();
    let messages = continued["messages"].as_array().unwrap();
    assert_eq!(messages.len(), 5, "the whole conversation is sent again");
    assert_eq!(
        messages[4],
        json!({"role": "user", "content": [{"text": "What did I ask?"}]})
    );
    assert!(ws.file(".agentc/sessions.db").exists());
}

#[test]
fn tool_results_must_match_the_pending_calls() {
    let converse = Server::scripted(vec![tool_use(&[(
        "tu-9",
        "get_service_status",
        json!({"service_name": "db"}),
    )])]);
    let ws = Workspace::new(&spec(STATUS_TOOL, ""));
    let out = ws.run(
        &converse.url,
        &["run", "agent.yaml", "db?", "--session", "s-2"],
    );
    assert_eq!(out.status.code(), Some(3));
    let out = ws.run(
        &converse.url,
        &[
            "run",
            "agent.yaml",
            "--session",
            "s-2",
            "--tool-result",
            "wrong-id=1",
        ],
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("missing tu-9;"), "{}", stderr(&out));
    let out = ws.run(
        &converse.url,
        &["run", "agent.yaml", "--tool-result", "tu-9=1"],
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("--tool-result needs --session"));
    let out = ws.run(
        &converse.url,
        &["run", "agent.yaml", "hi", "--session", "bad id!"],
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("not valid"));
}

#[test]
fn concurrent_runs_on_one_session_keep_every_turn() {
    const RUNS: usize = 6;
    let converse = Server::start(|request| {
        let body = request.json();
        let asked = body["messages"]
            .as_array()
            .and_then(|m| m.last())
            .and_then(|m| m["content"][0]["text"].as_str())
            .unwrap_or("?")
            .to_string();
        text(&format!("answer to {asked}"))
    });
    let ws = Workspace::new(&spec("", "    sessions: store/sessions.db"));
    let children: Vec<_> = (0..RUNS)
        .map(|i| {
            ws.command(
                &converse.url,
                &[
                    "run",
                    "agent.yaml",
                    &format!("question {i}"),
                    "--session",
                    "shared",
                ],
            )
            .spawn()
            .unwrap()
        })
        .collect();
    for child in children {
        let out = child.wait_with_output().unwrap();
        assert!(out.status.success(), "{}", stderr(&out));
    }
    let out = ws.run(
        &converse.url,
        &["run", "agent.yaml", "final", "--session", "shared"],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let last = converse.requests().last().unwrap().json();
    let messages = last["messages"].as_array().unwrap().clone();
    assert_eq!(messages.len(), 2 * RUNS + 1);
    for (i, pair) in messages.chunks(2).enumerate() {
        assert_eq!(pair[0]["role"], "user", "message {}", 2 * i);
        if pair.len() == 2 {
            assert_eq!(pair[1]["role"], "assistant");
            let question = pair[0]["content"][0]["text"].as_str().unwrap();
            assert_eq!(
                pair[1]["content"][0]["text"],
                format!("answer to {question}")
            );
        }
    }
    let mut questions: Vec<&str> = messages
        .iter()
        .step_by(2)
        .take(RUNS)
        .map(|m| m["content"][0]["text"].as_str().unwrap())
        .collect();
    questions.sort();
    assert_eq!(
        questions,
        (0..RUNS)
            .map(|i| format!("question {i}"))
            .collect::<Vec<_>>()
    );
    assert!(ws.file("store/sessions.db").exists());
}

#[test]
fn long_histories_are_trimmed_by_whole_turns_to_fit_the_context_window() {
    // Nova Micro: 128,000-token window, 10,000 output tokens reserved, 3 bytes per token:
    // a budget of about 354 kB of messages, so four 100 kB questions do not fit.
    let converse = Server::start(|_| text("noted"));
    let ws = Workspace::new(&spec("", "").replace("nova-lite", "nova-micro"));
    for turn in 1..=4 {
        let question = format!("{turn} {}", "x".repeat(100_000));
        let out = ws.run(
            &converse.url,
            &["run", "agent.yaml", &question, "--session", "long"],
        );
        assert!(out.status.success(), "{}", stderr(&out));
    }
    let requests = converse.requests();
    let sent = |i: usize| requests[i].json()["messages"].as_array().unwrap().clone();
    assert_eq!(sent(2).len(), 5, "three turns still fit");
    let fourth = sent(3);
    assert_eq!(fourth.len(), 5, "the oldest turn was dropped");
    assert!(
        fourth[0]["content"][0]["text"]
            .as_str()
            .unwrap()
            .starts_with("2 ")
    );
    assert_eq!(fourth[0]["role"], "user");
}
