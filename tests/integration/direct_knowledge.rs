//! Knowledge bases on the direct runtime: each one is a tool the model calls with a query,
//! answered by the bedrock-agent-runtime Retrieve API (here a local fake that checks the
//! request shape of the service model).

use crate::support::fake_retrieve::{self, MISSING, THROTTLED};
use crate::support::*;
use serde_json::{Value, json};
use std::collections::HashMap;

fn knowledge_spec(kbs: &str) -> String {
    format!("{}knowledge_bases:\n{kbs}", spec("", ""))
}

const TWO: &str = "  - {id: KB12345678, description: Shipping and returns policies., number_of_results: 2, search_type: SEMANTIC}
  - {id: KB87654321, description: Product manuals.}
";

fn last_tool_results(request: &Recorded) -> Vec<Value> {
    let body = request.json();
    body["messages"]
        .as_array()
        .and_then(|m| m.last())
        .and_then(|m| m["content"].as_array())
        .into_iter()
        .flatten()
        .filter_map(|b| b.get("toolResult").cloned())
        .collect()
}

#[test]
fn a_knowledge_base_is_a_tool_answered_by_retrieve_and_traced() {
    let retrieve = fake_retrieve::start(HashMap::from([(
        "KB12345678",
        vec![
            (
                "Returns are accepted within 30 days.",
                "s3://policies/returns.md",
            ),
            ("Refunds take 5 business days.", "s3://policies/refunds.md"),
            (
                "A third passage the spec does not ask for.",
                "s3://policies/other.md",
            ),
        ],
    )]));
    let converse = Server::scripted(vec![
        tool_use(&[(
            "k1",
            "knowledge_base_KB12345678",
            json!({"query": "return window"}),
        )]),
        text("You can return items within 30 days."),
    ]);
    let ws = Workspace::new(&knowledge_spec(TWO));
    let trace = ws.file("trace.jsonl");
    let out = ws
        .agentc(
            &converse.url,
            &[
                "run",
                "agent.yaml",
                "How long do I have to return?",
                "--trace",
                trace.to_str().unwrap(),
            ],
        )
        .env("AWS_ENDPOINT_URL_BEDROCK_AGENT_RUNTIME", &retrieve.url)
        .output();
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(stdout(&out), "You can return items within 30 days.\n");
    assert!(
        !stderr(&out).contains("dropped-by-target"),
        "knowledge bases are carried now: {}",
        stderr(&out)
    );

    // The model was offered both knowledge bases as tools.
    let requests = converse.requests();
    let tools = requests[0].json()["toolConfig"]["tools"].clone();
    let names: Vec<&str> = tools
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|t| t["toolSpec"]["name"].as_str())
        .collect();
    assert_eq!(
        names,
        ["knowledge_base_KB12345678", "knowledge_base_KB87654321"]
    );
    assert_eq!(
        tools[0]["toolSpec"]["inputSchema"]["json"]["required"],
        json!(["query"])
    );

    // One Retrieve, shaped as the model says.
    let calls = retrieve.requests();
    assert_eq!(calls.len(), 1);
    assert_eq!(calls[0].path, "/knowledgebases/KB12345678/retrieve");
    assert_eq!(
        calls[0].json(),
        json!({"retrievalQuery": {"text": "return window"},
               "retrievalConfiguration": {"vectorSearchConfiguration":
                   {"numberOfResults": 2, "overrideSearchType": "SEMANTIC"}}})
    );

    // The top passages, with their sources, are the tool result.
    let results = last_tool_results(&requests[1]);
    assert_eq!(results[0]["toolUseId"], "k1");
    assert_eq!(results[0]["status"], "success");
    let passages = &results[0]["content"][0]["json"]["results"];
    assert_eq!(passages.as_array().unwrap().len(), 2);
    assert_eq!(passages[0]["text"], "Returns are accepted within 30 days.");
    assert_eq!(passages[0]["source"], "s3://policies/returns.md");
    assert_eq!(passages[1]["source"], "s3://policies/refunds.md");

    let lines = trace_lines(&trace);
    let retrieval: Vec<&Value> = lines.iter().filter(|l| l["type"] == "retrieval").collect();
    assert_eq!(retrieval.len(), 1, "{lines:?}");
    assert_eq!(retrieval[0]["knowledge_base_id"], "KB12345678");
    assert_eq!(retrieval[0]["outcome"], "ok");
    assert_eq!(retrieval[0]["results"], 2);
    let bytes = results[0]["content"][0]["json"].to_string().len();
    assert_eq!(retrieval[0]["bytes"], bytes);
    assert!(retrieval[0]["latency_ms"].as_f64().is_some());
    assert!(
        !lines.iter().any(|l| l["type"] == "tool_call"),
        "a retrieval is one line, not two"
    );
    let raw = std::fs::read_to_string(&trace).unwrap();
    assert!(
        !raw.contains("30 days") && !raw.contains("return window"),
        "no content in the trace"
    );
}

#[test]
fn missing_and_throttled_knowledge_bases_are_named_to_the_model() {
    let retrieve = fake_retrieve::start(HashMap::new());
    let converse = Server::scripted(vec![
        tool_use(&[
            (
                "k1",
                &format!("knowledge_base_{MISSING}"),
                json!({"query": "a"}),
            ),
            (
                "k2",
                &format!("knowledge_base_{THROTTLED}"),
                json!({"query": "b"}),
            ),
        ]),
        text("I could not look that up."),
    ]);
    let ws = Workspace::new(&knowledge_spec(&format!(
        "  - {{id: {MISSING}, description: Gone.}}\n  - {{id: {THROTTLED}, description: Busy.}}\n"
    )));
    let trace = ws.file("trace.jsonl");
    let out = ws
        .agentc(
            &converse.url,
            &[
                "run",
                "agent.yaml",
                "Look it up.",
                "--trace",
                trace.to_str().unwrap(),
            ],
        )
        .env("AWS_ENDPOINT_URL_BEDROCK_AGENT_RUNTIME", &retrieve.url)
        .env("AGENTC_RETRY_MAX_ATTEMPTS", "3")
        .output();
    assert!(out.status.success(), "{}", stderr(&out));

    let results = last_tool_results(&converse.requests()[1]);
    assert_eq!(results[0]["status"], "error");
    let missing = results[0]["content"][0]["text"].as_str().unwrap();
    assert!(
        missing.contains("knowledge base `KBMISSING0` was not found")
            && missing.contains("ResourceNotFoundException")
            && missing.contains("Region"),
        "{missing}"
    );
    let throttled = results[1]["content"][0]["text"].as_str().unwrap();
    assert!(
        throttled.contains("throttled")
            && throttled.contains("3 times")
            && throttled.contains("ThrottlingException"),
        "{throttled}"
    );
    // Throttling is retried (3 attempts); a missing knowledge base is not.
    let paths: Vec<String> = retrieve.requests().iter().map(|r| r.path.clone()).collect();
    assert_eq!(paths.iter().filter(|p| p.contains(THROTTLED)).count(), 3);
    assert_eq!(paths.iter().filter(|p| p.contains(MISSING)).count(), 1);

    let lines = trace_lines(&trace);
    let outcomes: Vec<(&str, &str)> = lines
        .iter()
        .filter(|l| l["type"] == "retrieval")
        .map(|l| {
            (
                l["knowledge_base_id"].as_str().unwrap(),
                l["outcome"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(outcomes, [(MISSING, "error"), (THROTTLED, "error")]);
}

#[test]
fn compile_emits_the_tool_and_lint_no_longer_reports_it_dropped() {
    let ws = Workspace::new(&knowledge_spec(TWO));
    let out = ws.run(
        "http://127.0.0.1:9",
        &["compile", "agent.yaml", "--target", "direct"],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let config: Value = serde_json::from_str(&stdout(&out)).unwrap();
    let spec = &config["toolConfig"]["tools"][0]["toolSpec"];
    assert_eq!(spec["name"], "knowledge_base_KB12345678");
    assert!(
        spec["description"]
            .as_str()
            .unwrap()
            .contains("Shipping and returns policies.")
    );
    let out = ws.run(
        "http://127.0.0.1:9",
        &["lint", "agent.yaml", "--target", "direct"],
    );
    assert!(
        !stdout(&out).contains("knowledge base") && !stderr(&out).contains("knowledge base"),
        "{}{}",
        stdout(&out),
        stderr(&out)
    );
}
