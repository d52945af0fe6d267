//! Tool executors against local servers: action-group Lambdas (through the real Lambda SDK
//! client, with the Bedrock Agents event and response formats) and HTTP handlers.

use crate::support::*;
use serde_json::{Value, json};

const ARN: &str = "arn:aws:lambda:us-east-1:123456789012:function:leave-tools";
const API_ARN: &str = "arn:aws:lambda:us-east-1:123456789012:function:claims-api";

fn tools() -> String {
    format!(
        r#"action_groups:
  - name: leave
    executor:
      lambda: {ARN}
    functions:
      - name: get_leave_balance
        description: Leave balance of an employee.
        parameters:
          employee_id: {{type: string, required: true}}
          include_pending: {{type: boolean}}
          year: {{type: integer}}
      - name: broken
        description: Throws.
  - name: claims
    executor:
      lambda: {API_ARN}
    openapi: claims.yaml
  - name: web
    executor: return_control
    functions:
      - name: lookup
        description: Looks a word up over HTTP.
        parameters:
          word: {{type: string, required: true}}
      - name: down
        description: An endpoint that fails."#
    )
}

const CLAIMS_OPENAPI: &str = r#"openapi: 3.0.0
info: {title: claims, version: "1"}
paths:
  /claims/{claimId}/reminders:
    post:
      operationId: sendReminder
      description: Send a reminder for a claim.
      parameters:
        - {name: claimId, in: path, required: true, schema: {type: string}}
      requestBody:
        content:
          application/json:
            schema:
              type: object
              properties:
                channel: {type: string}
                urgent: {type: boolean}
"#;

#[test]
fn lambdas_get_the_agents_event_and_their_answers_become_tool_results() {
    let lambda = Server::start(|request| {
        let event = request.json();
        if request.path.contains("claims-api") {
            return Reply::json(
                200,
                json!({
                    "messageVersion": "1.0",
                    "response": {"actionGroup": "claims", "apiPath": event["apiPath"], "httpMethod": "POST",
                                 "httpStatusCode": 200, "responseBody": {"application/json": {"body": "{\"sent\": true}"}}}
                }),
            );
        }
        match event["function"].as_str() {
            Some("get_leave_balance") => Reply::json(
                200,
                json!({
                    "messageVersion": "1.0",
                    "response": {"actionGroup": "leave", "function": "get_leave_balance",
                                 "functionResponse": {"responseBody": {"TEXT": {"body": "12 days left"}}}},
                    "sessionAttributes": {"last_employee": "E1"}
                }),
            ),
            _ => Reply::json(
                200,
                json!({"errorType": "KeyError", "errorMessage": "'employee_id'"}),
            )
            .header("X-Amz-Function-Error", "Unhandled"),
        }
    });
    let converse = Server::scripted(vec![
        tool_use(&[
            (
                "t1",
                "get_leave_balance",
                json!({"employee_id": "E1", "include_pending": true, "year": 2026}),
            ),
            ("t2", "broken", json!({})),
            (
                "t3",
                "sendReminder",
                json!({"claimId": "20", "channel": "email", "urgent": false}),
            ),
        ]),
        text("E1 has 12 days; reminder sent."),
    ]);
    let ws = Workspace::new(&spec(&tools(), ""));
    std::fs::write(ws.file("claims.yaml"), CLAIMS_OPENAPI).unwrap();
    let out = ws
        .agentc(
            &converse.url,
            &[
                "run",
                "agent.yaml",
                "How many days does E1 have?",
                "--session",
                "lambda-1",
            ],
        )
        .env("AWS_ENDPOINT_URL_LAMBDA", &lambda.url)
        .output();
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(stdout(&out), "E1 has 12 days; reminder sent.\n");

    let mut invocations = lambda.requests();
    invocations.sort_by_key(|r| r.path.clone());
    assert_eq!(invocations.len(), 3);
    let by_function = |needle: &str| {
        invocations
            .iter()
            .find(|r| r.json()["function"] == needle)
            .unwrap()
            .clone()
    };
    let leave = by_function("get_leave_balance");
    assert_eq!(leave.method, "POST");
    assert_eq!(
        leave.path,
        format!(
            "/2015-03-31/functions/{}/invocations",
            ARN.replace(':', "%3A")
        )
    );
    assert_eq!(
        leave.json(),
        json!({
            "messageVersion": "1.0",
            "agent": {"name": "test-agent", "id": "AGENTC0000", "alias": "direct", "version": "DRAFT"},
            "inputText": "How many days does E1 have?",
            "sessionId": "lambda-1",
            "actionGroup": "leave",
            "function": "get_leave_balance",
            "parameters": [
                {"name": "employee_id", "type": "string", "value": "E1"},
                {"name": "include_pending", "type": "boolean", "value": "true"},
                {"name": "year", "type": "integer", "value": "2026"}
            ],
            "sessionAttributes": {},
            "promptSessionAttributes": {}
        })
    );
    let api = invocations
        .iter()
        .find(|r| r.path.contains("claims-api"))
        .unwrap()
        .json();
    assert_eq!(api["apiPath"], "/claims/{claimId}/reminders");
    assert_eq!(api["httpMethod"], "POST");
    assert_eq!(
        api["parameters"],
        json!([{"name": "claimId", "type": "string", "value": "20"}])
    );
    assert_eq!(
        api["requestBody"]["content"]["application/json"]["properties"],
        json!([{"name": "channel", "type": "string", "value": "email"}, {"name": "urgent", "type": "boolean", "value": "false"}])
    );

    let results: Vec<Value> = converse.requests()[1].json()["messages"][2]["content"]
        .as_array()
        .unwrap()
        .clone();
    assert_eq!(
        results[0]["toolResult"],
        json!({"toolUseId": "t1", "content": [{"text": "12 days left"}], "status": "success"})
    );
    assert_eq!(results[1]["toolResult"]["status"], "error");
    assert_eq!(
        results[1]["toolResult"]["content"][0]["text"],
        "leave/broken failed: KeyError: 'employee_id'"
    );
    assert_eq!(
        results[2]["toolResult"]["content"][0]["json"],
        json!({"sent": true})
    );

    // The Lambda's session attributes are kept for the next turn's events.
    let converse = Server::scripted(vec![
        tool_use(&[("t4", "get_leave_balance", json!({"employee_id": "E2"}))]),
        text("ok"),
    ]);
    let out = ws
        .agentc(
            &converse.url,
            &["run", "agent.yaml", "And E2?", "--session", "lambda-1"],
        )
        .env("AWS_ENDPOINT_URL_LAMBDA", &lambda.url)
        .output();
    assert!(out.status.success(), "{}", stderr(&out));
    let last = lambda.requests().last().unwrap().json();
    assert_eq!(last["sessionAttributes"], json!({"last_employee": "E1"}));
    assert_eq!(last["inputText"], "And E2?");
}

#[test]
fn http_handlers_receive_the_input_as_json() {
    let tool = Server::start(|request| {
        if request.path == "/down" {
            return Reply::raw(503, "maintenance");
        }
        let input = request.json();
        Reply::json(
            200,
            json!({"definition": format!("{} means hello", input["word"].as_str().unwrap_or("?"))}),
        )
    });
    let direct = format!(
        "    handlers:\n      lookup:\n        http: {}/lookup\n      down:\n        http: {}/down\n",
        tool.url, tool.url
    );
    let converse = Server::scripted(vec![
        tool_use(&[
            ("h1", "lookup", json!({"word": "hola"})),
            ("h2", "down", json!({})),
        ]),
        text("Hola means hello."),
    ]);
    let ws = Workspace::new(&spec(&tools(), &direct));
    std::fs::write(ws.file("claims.yaml"), CLAIMS_OPENAPI).unwrap();
    let out = ws.run(&converse.url, &["run", "agent.yaml", "What is hola?"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let calls = tool.requests();
    let lookup = calls.iter().find(|r| r.path == "/lookup").unwrap();
    assert_eq!(lookup.method, "POST");
    assert_eq!(lookup.json(), json!({"word": "hola"}));
    assert!(
        lookup
            .header("content-type")
            .is_some_and(|c| c.contains("application/json"))
    );
    let results = converse.requests()[1].json()["messages"][2]["content"].clone();
    assert_eq!(
        results[0]["toolResult"]["content"][0]["json"],
        json!({"definition": "hola means hello"})
    );
    assert_eq!(results[1]["toolResult"]["status"], "error");
    assert_eq!(
        results[1]["toolResult"]["content"][0]["text"],
        "web/down answered HTTP 503: maintenance"
    );
}

#[test]
fn the_orders_example_runs_its_command_handler_from_the_spec_directory() {
    let converse = Server::scripted(vec![
        tool_use(&[("l1", "listOrders", json!({"status": "open"}))]),
        text("One open order: WO-2024-0042."),
    ]);
    let ws = Workspace::new("");
    let spec = concat!(env!("CARGO_MANIFEST_DIR"), "/agents/orders-api.yaml");
    let out = ws.run(&converse.url, &["run", spec, "Which orders are open?"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let results = converse.requests()[1].json()["messages"][2]["content"].clone();
    assert_eq!(results[0]["toolResult"]["status"], "success", "{results}");
    assert!(
        results[0]["toolResult"]["content"][0]
            .to_string()
            .contains("WO-2024-0042"),
        "{results}"
    );
}
