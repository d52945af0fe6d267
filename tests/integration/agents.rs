//! The agents target end to end: the real `agentc` binary and the real AWS SDK client, pointed
//! at a stateful fake of the bedrock-agent control plane on 127.0.0.1.

use crate::support;
use crate::support::cli::{self, Run};
use crate::support::fake_bedrock_agent::{FakeBedrockAgent, Fault};
use std::path::{Path, PathBuf};

fn agentc(fake: &FakeBedrockAgent, dir: &Path, args: &[&str]) -> Run {
    agentc_with_env(fake, dir, args, &[])
}

fn agentc_with_env(
    fake: &FakeBedrockAgent,
    dir: &Path,
    args: &[&str],
    env: &[(&str, &str)],
) -> Run {
    cli::agentc(args)
        .envs(env.iter().copied())
        .current_dir(dir)
        .envs(fake.client_env(dir))
        .env("AWS_MAX_ATTEMPTS", "3")
        .env_remove("AWS_PROFILE")
        .run()
}

/// A temp dir holding the fixture spec (3 action groups, one OpenAPI; a KB; memory; guardrail;
/// an orchestration prompt override; orchestrator; idle TTL; alias).
fn workspace() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let fixtures = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/agents");
    for entry in std::fs::read_dir(fixtures).unwrap() {
        let entry = entry.unwrap();
        std::fs::copy(entry.path(), dir.path().join(entry.file_name())).unwrap();
    }
    dir
}

fn edit_spec(dir: &Path, from: &str, to: &str) {
    let path = dir.join("spec.yaml");
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(text.contains(from), "fixture has no `{from}`");
    std::fs::write(path, text.replacen(from, to, 1)).unwrap();
}

fn deploy(fake: &FakeBedrockAgent, dir: &Path) -> Run {
    agentc(
        fake,
        dir,
        &[
            "deploy",
            "spec.yaml",
            "--target",
            "agents",
            "--auto-approve",
        ],
    )
}

fn plan_exit(fake: &FakeBedrockAgent, dir: &Path, spec: &str) -> Run {
    agentc(fake, dir, &["plan", spec, "--detailed-exitcode"])
}

/// A fake with the workspace's spec deployed: the starting point of most tests.
fn deployed() -> (FakeBedrockAgent, tempfile::TempDir, String) {
    let fake = FakeBedrockAgent::start();
    let dir = workspace();
    let run = deploy(&fake, dir.path());
    assert_eq!(run.code, 0, "{run:?}");
    let id = only_agent(&fake);
    (fake, dir, id)
}

/// `agentc import --agent-id ID --out OUT` (exit 0 asserted), returning the written spec.
fn import_spec(
    fake: &FakeBedrockAgent,
    dir: &Path,
    id: &str,
    out: &str,
    env: &[(&str, &str)],
) -> (Run, String) {
    let import = agentc_with_env(fake, dir, &["import", "--agent-id", id, "--out", out], env);
    assert_eq!(import.code, 0, "{import:?}");
    let text = std::fs::read_to_string(dir.join(out)).unwrap();
    (import, text)
}

fn only_agent(fake: &FakeBedrockAgent) -> String {
    let agents = fake.agents();
    assert_eq!(agents.len(), 1, "expected exactly one agent: {agents:?}");
    agents[0].1.clone()
}

#[test]
fn deploys_from_nothing_then_a_second_deploy_changes_nothing() {
    let fake = FakeBedrockAgent::start();
    let dir = workspace();

    let plan = agentc(&fake, dir.path(), &["plan", "spec.yaml"]);
    assert_eq!(plan.code, 0, "{plan:?}");
    insta::assert_snapshot!("plan_create", plan.stdout);

    let run = deploy(&fake, dir.path());
    assert_eq!(run.code, 0, "{run:?}");
    assert!(
        run.stdout
            .contains("Apply complete! Resources: 6 added, 0 changed, 0 destroyed."),
        "{run:?}"
    );
    let id = only_agent(&fake);
    let mut groups = fake.action_group_names(&id);
    groups.sort();
    assert_eq!(groups, ["runbooks", "status", "tickets"]);
    assert_eq!(fake.knowledge_base_ids(&id), ["KB12345678"]);
    assert_eq!(
        fake.aliases(&id),
        [("live".to_string(), "1".to_string(), "PREPARED".to_string())]
    );
    assert_eq!(
        fake.tags(&id).get("managed-by").map(String::as_str),
        Some("agentc")
    );
    assert_eq!(
        fake.tags(&id).get("team").map(String::as_str),
        Some("platform")
    );
    assert_eq!(
        fake.alias_tags(&id, "live"),
        fake.tags(&id),
        "alias tagged like the agent"
    );
    assert_eq!(
        fake.count("PrepareAgent"),
        1,
        "exactly one prepare: {:?}",
        fake.ops()
    );

    // Everything the spec says is deployed.
    let agent = fake.agent_json(&id).unwrap();
    assert_eq!(agent["agentStatus"], "PREPARED");
    assert_eq!(agent["idleSessionTTLInSeconds"], 900);
    assert_eq!(agent["memoryConfiguration"]["storageDays"], 30);
    assert_eq!(
        agent["memoryConfiguration"]["sessionSummaryConfiguration"]["maxRecentSessions"],
        5
    );
    assert_eq!(
        agent["guardrailConfiguration"]["guardrailIdentifier"],
        "gr12345678ab"
    );
    let prompts = agent["promptOverrideConfiguration"]["promptConfigurations"]
        .as_array()
        .unwrap();
    let orchestration = prompts
        .iter()
        .find(|p| p["promptType"] == "ORCHESTRATION")
        .unwrap();
    assert_eq!(orchestration["promptCreationMode"], "OVERRIDDEN");
    assert_eq!(
        orchestration["foundationModel"],
        "us.amazon.nova-premier-v1:0"
    );
    assert!(
        orchestration["basePromptTemplate"]
            .as_str()
            .unwrap()
            .starts_with("You are an on-call assistant.")
    );

    // Idempotence: no perpetual diff, and a no-change deploy makes zero mutating calls.
    fake.clear_log();
    let again = plan_exit(&fake, dir.path(), "spec.yaml");
    assert_eq!(again.code, 0, "{again:?}");
    assert!(again.stdout.contains("No changes"), "{again:?}");
    let run = deploy(&fake, dir.path());
    assert_eq!(run.code, 0, "{run:?}");
    assert!(
        fake.mutating_ops().is_empty(),
        "mutating calls on a no-change deploy: {:?}",
        fake.mutating_ops()
    );
}

#[test]
fn plan_of_an_unchanged_agent_walks_each_list_once_and_gets_each_resource_once() {
    let fake = FakeBedrockAgent::start();
    let dir = workspace();
    assert_eq!(deploy(&fake, dir.path()).code, 0);
    fake.clear_log();
    let plan = plan_exit(&fake, dir.path(), "spec.yaml");
    assert_eq!(plan.code, 0, "{plan:?}");
    let ops = fake.ops();
    // One page walk per list (pages hold 2 items: 3 action groups take 2 pages) ...
    assert_eq!(fake.count("ListAgents"), 1, "{ops:?}");
    assert_eq!(fake.count("ListAgentActionGroups"), 2, "{ops:?}");
    assert_eq!(fake.count("ListAgentKnowledgeBases"), 1, "{ops:?}");
    assert_eq!(fake.count("ListAgentAliases"), 1, "{ops:?}");
    // ... plus one Get per resource.
    assert_eq!(fake.count("GetAgent"), 1, "{ops:?}");
    assert_eq!(fake.count("GetAgentActionGroup"), 3, "{ops:?}");
    assert_eq!(fake.count("ListTagsForResource"), 1, "{ops:?}");
    assert_eq!(ops.len(), 10, "no other calls: {ops:?}");
}

#[test]
fn every_kind_of_change_is_planned_and_applied_in_order() {
    let (fake, dir, id) = deployed();

    edit_every_kind(dir.path());

    let plan = plan_exit(&fake, dir.path(), "spec.yaml");
    assert_eq!(plan.code, 2, "{plan:?}");
    insta::assert_snapshot!("plan_every_change", plan.stdout);

    fake.clear_log();
    let run = deploy(&fake, dir.path());
    assert_eq!(run.code, 0, "{run:?}");
    let mutating = fake.mutating_ops();
    assert_eq!(
        mutating,
        [
            "UpdateAgent",
            "UpdateAgentActionGroup",
            "CreateAgentActionGroup",
            "UpdateAgentActionGroup",
            "DeleteAgentActionGroup",
            "DisassociateAgentKnowledgeBase",
            "PrepareAgent",
            "UpdateAgentAlias",
        ],
        "dependency order, disable before delete, one prepare, alias last"
    );
    let mut groups = fake.action_group_names(&id);
    groups.sort();
    assert_eq!(groups, ["pager", "runbooks", "tickets"]);
    assert!(fake.knowledge_base_ids(&id).is_empty());
    assert_eq!(
        fake.aliases(&id)[0].1,
        "2",
        "the alias serves the new version"
    );
    let again = plan_exit(&fake, dir.path(), "spec.yaml");
    assert_eq!(again.code, 0, "{again:?}");
}

#[test]
fn a_built_in_group_of_the_same_name_is_replaced() {
    let (fake, dir, id) = deployed();
    fake.set_action_group_field(
        &id,
        "status",
        "parentActionSignature",
        serde_json::json!("AMAZON.UserInput"),
    );
    let plan = plan_exit(&fake, dir.path(), "spec.yaml");
    assert_eq!(plan.code, 2, "{plan:?}");
    assert!(plan.stdout.contains("-/+ action_group status"), "{plan:?}");
    assert!(
        plan.stdout
            .contains("Plan: 1 to add, 1 to change, 1 to destroy."),
        "{plan:?}"
    );
    fake.clear_log();
    let run = deploy(&fake, dir.path());
    assert_eq!(run.code, 0, "{run:?}");
    assert_eq!(
        fake.mutating_ops(),
        [
            "UpdateAgentActionGroup", // disabled before deletion, built-in or not
            "DeleteAgentActionGroup",
            "CreateAgentActionGroup",
            "PrepareAgent",
            "UpdateAgentAlias"
        ]
    );
    assert_eq!(plan_exit(&fake, dir.path(), "spec.yaml").code, 0);
}

#[test]
fn detailed_exitcode_is_0_1_2_as_terraform() {
    let fake = FakeBedrockAgent::start();
    let dir = workspace();
    assert_eq!(plan_exit(&fake, dir.path(), "spec.yaml").code, 2);
    fake.fail("ListAgents", 1, Fault::Validation("bad request".into()));
    let error = plan_exit(&fake, dir.path(), "spec.yaml");
    assert_eq!(error.code, 1, "{error:?}");
    assert_eq!(deploy(&fake, dir.path()).code, 0);
    assert_eq!(plan_exit(&fake, dir.path(), "spec.yaml").code, 0);
}

#[test]
fn plan_json_lists_changes_and_summary() {
    let fake = FakeBedrockAgent::start();
    let dir = workspace();
    let run = agentc(
        &fake,
        dir.path(),
        &["plan", "spec.yaml", "--format", "json"],
    );
    assert_eq!(run.code, 0, "{run:?}");
    let plan: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(
        plan["summary"],
        serde_json::json!({"add": 6, "change": 0, "destroy": 0})
    );
    assert_eq!(plan["changes"][0]["kind"], "agent");
    assert_eq!(plan["changes"][0]["action"], "create");
}

/// Inject a failure at one step, check the message, re-run, and check the result converged.
fn fails_then_converges(op: &str, fault: Fault, expect_in_error: &[&str]) {
    let fake = FakeBedrockAgent::start();
    let dir = workspace();
    fake.fail(op, 1, fault);
    let failed = deploy(&fake, dir.path());
    assert_eq!(failed.code, 2, "{op}: {failed:?}");
    for text in expect_in_error {
        assert!(
            failed.stderr.contains(text),
            "{op}: error lacks `{text}`: {failed:?}"
        );
    }
    let rerun = deploy(&fake, dir.path());
    assert_eq!(rerun.code, 0, "{op}: {rerun:?}");
    let id = only_agent(&fake);
    let mut groups = fake.action_group_names(&id);
    groups.sort();
    assert_eq!(groups, ["runbooks", "status", "tickets"], "{op}");
    assert_eq!(fake.knowledge_base_ids(&id), ["KB12345678"], "{op}");
    let aliases = fake.aliases(&id);
    assert_eq!(aliases.len(), 1, "{op}: {aliases:?}");
    assert_eq!(
        fake.agent_json(&id).unwrap()["agentStatus"],
        "PREPARED",
        "{op}"
    );
    let plan = plan_exit(&fake, dir.path(), "spec.yaml");
    assert_eq!(plan.code, 0, "{op}: converged, so no changes: {plan:?}");
}

#[test]
fn a_failure_at_each_step_is_explained_and_a_rerun_converges() {
    let message = "injected: something is wrong";
    let fault = || Fault::Validation(message.into());
    fails_then_converges(
        "CreateAgent",
        fault(),
        &[
            "create the agent (CreateAgent)",
            "agent `ops-helper`",
            message,
            "help",
        ],
    );
    fails_then_converges(
        "CreateAgentActionGroup",
        fault(),
        &[
            "create the action group (CreateAgentActionGroup)",
            "action group `",
            message,
        ],
    );
    fails_then_converges(
        "AssociateAgentKnowledgeBase",
        fault(),
        &[
            "AssociateAgentKnowledgeBase",
            "knowledge base KB12345678",
            message,
        ],
    );
    fails_then_converges(
        "PrepareAgent",
        fault(),
        &["prepare the agent (PrepareAgent)", message],
    );
    fails_then_converges(
        "PrepareAgent",
        Fault::PrepareFails("The role cannot invoke the model".into()),
        &[
            "prepare the agent",
            "FAILED",
            "The role cannot invoke the model",
        ],
    );
    fails_then_converges(
        "CreateAgentAlias",
        fault(),
        &[
            "create the alias (CreateAgentAlias)",
            "alias `live`",
            message,
        ],
    );
}

#[test]
fn a_failed_alias_update_is_finished_by_the_next_deploy() {
    let fake = FakeBedrockAgent::start();
    let dir = workspace();
    assert_eq!(deploy(&fake, dir.path()).code, 0);
    edit_spec(
        dir.path(),
        "Keep answers short.",
        "Keep answers very short.",
    );
    fake.fail("UpdateAgentAlias", 1, Fault::Validation("injected".into()));
    assert_eq!(deploy(&fake, dir.path()).code, 2);
    // The draft is prepared but the alias still serves version 1: the next plan says so.
    let plan = plan_exit(&fake, dir.path(), "spec.yaml");
    assert_eq!(plan.code, 2, "{plan:?}");
    assert!(plan.stdout.contains("~ alias live"), "{plan:?}");
    fake.clear_log();
    assert_eq!(deploy(&fake, dir.path()).code, 0);
    assert_eq!(
        fake.mutating_ops(),
        ["UpdateAgentAlias"],
        "only the alias moves"
    );
    let id = only_agent(&fake);
    assert_eq!(fake.aliases(&id)[0].1, "2");
}

#[test]
fn a_lost_reply_and_throttling_are_retried_without_duplicates() {
    let fake = FakeBedrockAgent::start();
    let dir = workspace();
    // The agent is created but the reply is lost: the SDK retries with the same client token.
    fake.fail("CreateAgent", 1, Fault::AfterCommit);
    fake.fail("CreateAgentActionGroup", 1, Fault::AfterCommit);
    fake.fail("GetAgent", 1, Fault::Throttle);
    let run = deploy(&fake, dir.path());
    assert_eq!(run.code, 0, "{run:?}");
    let id = only_agent(&fake);
    assert_eq!(fake.action_group_names(&id).len(), 3);
    assert_eq!(fake.count("CreateAgent"), 2, "one retry");
}

#[test]
fn a_concurrent_prepare_is_waited_for_then_prepared_again() {
    let fake = FakeBedrockAgent::start();
    let dir = workspace();
    fake.fail("PrepareAgent", 1, Fault::Conflict);
    let run = deploy(&fake, dir.path());
    assert_eq!(run.code, 0, "{run:?}");
    assert_eq!(fake.count("PrepareAgent"), 2, "{:?}", fake.ops());
    let id = only_agent(&fake);
    assert_eq!(fake.agent_json(&id).unwrap()["agentStatus"], "PREPARED");
}

#[test]
fn an_agent_busy_with_another_operation_is_reported_with_what_to_do() {
    let fake = FakeBedrockAgent::start();
    let dir = workspace();
    assert_eq!(deploy(&fake, dir.path()).code, 0);
    edit_spec(dir.path(), "Keep answers short.", "Keep answers crisp.");
    fake.fail("UpdateAgent", 1, Fault::Conflict);
    let run = deploy(&fake, dir.path());
    assert_eq!(run.code, 2, "{run:?}");
    assert!(
        run.stderr.contains("update the agent (UpdateAgent)"),
        "{run:?}"
    );
    assert!(run.stderr.contains("ConflictException"), "{run:?}");
    assert!(run.stderr.contains("wait for it to finish"), "{run:?}");
}

#[test]
fn a_same_named_agent_not_created_by_agentc_is_refused_unless_adopted() {
    let fake = FakeBedrockAgent::start();
    let dir = workspace();
    let id = fake.insert_foreign_agent("ops-helper", &[("owner", "console")]);
    let plan = plan_exit(&fake, dir.path(), "spec.yaml");
    assert_eq!(plan.code, 1, "{plan:?}");
    assert!(plan.stderr.contains("agentc did not create it"), "{plan:?}");
    assert!(plan.stderr.contains("--adopt"), "{plan:?}");
    fake.clear_log();
    let refused = deploy(&fake, dir.path());
    assert_eq!(refused.code, 2, "{refused:?}");
    assert!(fake.mutating_ops().is_empty(), "{:?}", fake.mutating_ops());
    let destroy = agentc(
        &fake,
        dir.path(),
        &["destroy", "spec.yaml", "--auto-approve"],
    );
    assert_eq!(destroy.code, 2, "{destroy:?}");
    assert!(
        destroy.stderr.contains("refusing to destroy"),
        "{destroy:?}"
    );
    assert_eq!(fake.agents().len(), 1);

    let adopted = agentc(
        &fake,
        dir.path(),
        &[
            "deploy",
            "spec.yaml",
            "--target",
            "agents",
            "--auto-approve",
            "--adopt",
        ],
    );
    assert_eq!(adopted.code, 0, "{adopted:?}");
    assert_eq!(only_agent(&fake), id, "adopted in place, not duplicated");
    assert_eq!(
        fake.tags(&id).get("managed-by").map(String::as_str),
        Some("agentc")
    );
    assert!(
        !fake.tags(&id).contains_key("owner"),
        "tags follow the spec"
    );
    assert_eq!(plan_exit(&fake, dir.path(), "spec.yaml").code, 0);
}

#[test]
fn import_writes_a_spec_that_lints_clean_and_plans_no_changes() {
    let (fake, dir, id) = deployed();
    let out = dir.path().join("imported");
    std::fs::create_dir(&out).unwrap();
    let import = agentc(
        &fake,
        dir.path(),
        &[
            "import",
            "--agent-id",
            &id,
            "--alias",
            "live",
            "--out",
            "imported/agent.yaml",
        ],
    );
    assert_eq!(import.code, 0, "{import:?}");
    assert!(
        out.join("ops-helper.orchestration.prompt.txt").exists(),
        "{import:?}"
    );
    assert!(
        out.join("ops-helper.runbooks.openapi.json").exists(),
        "{import:?}"
    );
    let lint = agentc(&fake, dir.path(), &["lint", "imported/agent.yaml"]);
    assert_eq!(lint.code, 0, "{lint:?}");
    let plan = plan_exit(&fake, dir.path(), "imported/agent.yaml");
    assert_eq!(
        plan.code,
        0,
        "{plan:?}\n{}",
        std::fs::read_to_string(out.join("agent.yaml")).unwrap()
    );

    // The same imported Classic agent, checked for the AgentCore harness: every setting the
    // harness cannot take is a finding, none is dropped without a word.
    let harness = agentc(
        &fake,
        dir.path(),
        &[
            "lint",
            "--target",
            "harness",
            "--format",
            "json",
            "imported/agent.yaml",
        ],
    );
    assert_eq!(harness.code, 1, "the guardrail blocks: {harness:?}");
    let findings: Vec<(String, String)> = harness.json()["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            (
                d["rule"].as_str().unwrap().to_string(),
                d["message"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    for (rule, about) in [
        ("guardrail-not-enforced", "guardrail `gr12345678ab`"),
        ("dropped-by-target", "prompt override `orchestration`"),
        ("dropped-by-target", "`get_status`"),
        ("dropped-by-target", "`max_recent_sessions`"),
        ("dropped-by-target", "`orchestrator`"),
    ] {
        assert!(
            findings.iter().any(|(r, m)| r == rule && m.contains(about)),
            "{rule} about {about}: {findings:#?}"
        );
    }
    // Knowledge bases are carried (inline functions that `agentc run` answers with Retrieve).
    assert!(
        !findings.iter().any(|(_, m)| m.contains("knowledge base")),
        "{findings:#?}"
    );
    assert_eq!(findings.len(), 5, "{findings:#?}");

    let missing = agentc(&fake, dir.path(), &["import", "--agent-id", "NOSUCHAGNT"]);
    assert_eq!(missing.code, 2);
    assert!(missing.stderr.contains("no agent with id"), "{missing:?}");
}

/// `AMAZON.UserInput` and friends: deployed with no description, executor or schema (the fake
/// refuses them as the service does), planned to no changes afterwards, toggled in place,
/// imported back into `targets.agents.built_in_action_groups`.
#[test]
fn built_in_action_groups_deploy_plan_clean_and_import() {
    let fake = FakeBedrockAgent::start();
    let dir = workspace();
    edit_spec(
        dir.path(),
        "    idle_session_ttl: 900\n",
        "    idle_session_ttl: 900\n    built_in_action_groups:\n      - signature: AMAZON.UserInput\n      - signature: AMAZON.CodeInterpreter\n        name: code\n        enabled: false\n",
    );
    let lint = agentc(&fake, dir.path(), &["lint", "spec.yaml"]);
    assert_eq!(lint.code, 0, "{lint:?}");
    let run = deploy(&fake, dir.path());
    assert_eq!(run.code, 0, "{run:?}");
    let id = only_agent(&fake);
    let mut groups = fake.action_group_names(&id);
    groups.sort();
    assert_eq!(
        groups,
        ["UserInputAction", "code", "runbooks", "status", "tickets"]
    );
    let again = plan_exit(&fake, dir.path(), "spec.yaml");
    assert_eq!(again.code, 0, "a built-in group plans clean: {again:?}");

    // Enabling the code interpreter is an in-place update of that group.
    edit_spec(
        dir.path(),
        "        name: code\n        enabled: false\n",
        "        name: code\n",
    );
    let plan = plan_exit(&fake, dir.path(), "spec.yaml");
    assert_eq!(plan.code, 2, "{plan:?}");
    assert!(plan.stdout.contains("~ action_group code"), "{plan:?}");
    assert_eq!(deploy(&fake, dir.path()).code, 0);
    assert_eq!(plan_exit(&fake, dir.path(), "spec.yaml").code, 0);

    // Import writes them back: the default name is left out, a custom one kept.
    let (_, imported) = import_spec(&fake, dir.path(), &id, "imported.yaml", &[]);
    assert!(
        imported.contains("built_in_action_groups:\n    - signature: AMAZON.UserInput\n    - signature: AMAZON.CodeInterpreter\n      name: code\n"),
        "{imported}"
    );
    let plan = plan_exit(&fake, dir.path(), "imported.yaml");
    assert_eq!(plan.code, 0, "{plan:?}\n{imported}");

    // Dropping them from the spec disables, then deletes them.
    edit_spec(
        dir.path(),
        "    built_in_action_groups:\n      - signature: AMAZON.UserInput\n      - signature: AMAZON.CodeInterpreter\n        name: code\n",
        "",
    );
    fake.clear_log();
    assert_eq!(deploy(&fake, dir.path()).code, 0);
    assert_eq!(fake.count("DeleteAgentActionGroup"), 2, "{:?}", fake.ops());
    assert_eq!(fake.count("UpdateAgentActionGroup"), 2, "{:?}", fake.ops());
    let mut groups = fake.action_group_names(&id);
    groups.sort();
    assert_eq!(groups, ["runbooks", "status", "tickets"]);
}

/// An OpenAPI document kept in S3 (as CDK's asset-based schemas are): deployed by reference,
/// planned clean, and imported as the reference plus a local copy fetched with a SigV4-signed
/// GetObject from a local S3 server; a missing object is a warning, not a failed import.
#[test]
fn openapi_documents_in_s3_deploy_by_reference_and_import_with_a_local_copy() {
    const DOCUMENT: &str = include_str!("../fixtures/agents/runbooks.openapi.json");
    let s3 = support::Server::start(|request| {
        let signed = request.header("authorization").is_some_and(|a| {
            a.starts_with("AWS4-HMAC-SHA256 Credential=test/")
                && a.contains("/us-east-1/s3/aws4_request")
        }) && request.header("x-amz-content-sha256").is_some();
        match (signed, request.path.as_str()) {
            (false, _) => support::Reply::raw(403, "<Error><Code>AccessDenied</Code></Error>"),
            (true, "/agent-schemas/ops/runbooks%20v1.json") => support::Reply::raw(200, DOCUMENT),
            (true, _) => support::Reply::raw(404, "<Error><Code>NoSuchKey</Code></Error>"),
        }
    });
    let fake = FakeBedrockAgent::start();
    let dir = workspace();
    edit_spec(
        dir.path(),
        "    openapi: runbooks.openapi.json\n",
        "    openapi: runbooks.openapi.json\n    openapi_s3: s3://agent-schemas/ops/runbooks v1.json\n",
    );
    let run = deploy(&fake, dir.path());
    assert_eq!(run.code, 0, "{run:?}");
    let id = only_agent(&fake);
    let group = fake
        .action_group_json(&id, "runbooks")
        .expect("runbooks group");
    assert_eq!(
        group["apiSchema"],
        serde_json::json!({ "s3": { "s3BucketName": "agent-schemas", "s3ObjectKey": "ops/runbooks v1.json" } })
    );
    assert_eq!(plan_exit(&fake, dir.path(), "spec.yaml").code, 0);

    let s3_env = [("AWS_ENDPOINT_URL_S3", s3.url.as_str())];
    let (_, imported) = import_spec(&fake, dir.path(), &id, "imported.yaml", &s3_env);
    assert!(
        imported.contains("  openapi: ops-helper.runbooks.openapi.json\n  openapi_s3: s3://agent-schemas/ops/runbooks v1.json\n"),
        "{imported}"
    );
    assert_eq!(
        std::fs::read_to_string(dir.path().join("ops-helper.runbooks.openapi.json")).unwrap(),
        DOCUMENT
    );
    assert_eq!(s3.requests().len(), 1);
    let lint = agentc(&fake, dir.path(), &["lint", "imported.yaml"]);
    assert_eq!(lint.code, 0, "{lint:?}");
    assert_eq!(plan_exit(&fake, dir.path(), "imported.yaml").code, 0);

    // The object is gone: the import still writes the spec, says what is missing, and where.
    edit_spec(dir.path(), "ops/runbooks v1.json", "ops/gone.json");
    assert_eq!(deploy(&fake, dir.path()).code, 0);
    let (import, again) = import_spec(&fake, dir.path(), &id, "again.yaml", &s3_env);
    assert!(
        import
            .stderr
            .contains("s3://agent-schemas/ops/gone.json) could not be downloaded (NoSuchKey"),
        "{import:?}"
    );
    assert!(
        again.contains("# Not imported: the OpenAPI document of action group runbooks"),
        "{again}"
    );
}

/// UpdateAgent replaces the agent's settings as a whole (the fake drops whatever an update leaves
/// out): collaboration and custom orchestration, which the spec cannot describe, must survive a
/// deploy, and import must say they were not written into the spec.
#[test]
fn settings_outside_the_spec_survive_a_deploy_and_import_names_them() {
    let (fake, dir, id) = deployed();
    fake.set_agent_field(&id, "agentCollaboration", serde_json::json!("SUPERVISOR"));
    fake.set_agent_field(
        &id,
        "orchestrationType",
        serde_json::json!("CUSTOM_ORCHESTRATION"),
    );
    let lambda = "arn:aws:lambda:us-east-1:123456789012:function:orchestrator";
    fake.set_agent_field(
        &id,
        "customOrchestration",
        serde_json::json!({ "executor": { "lambda": lambda } }),
    );
    assert_eq!(
        plan_exit(&fake, dir.path(), "spec.yaml").code,
        0,
        "not managed, so not a change"
    );

    edit_spec(
        dir.path(),
        "  Keep answers short.\n",
        "  Keep answers very short.\n",
    );
    fake.clear_log();
    assert_eq!(deploy(&fake, dir.path()).code, 0);
    assert_eq!(fake.count("UpdateAgent"), 1, "{:?}", fake.ops());
    let agent = fake.agent_json(&id).unwrap();
    assert_eq!(agent["agentCollaboration"], "SUPERVISOR");
    assert_eq!(agent["orchestrationType"], "CUSTOM_ORCHESTRATION");
    assert_eq!(agent["customOrchestration"]["executor"]["lambda"], lambda);

    let (_, imported) = import_spec(&fake, dir.path(), &id, "imported.yaml", &[]);
    assert!(
        imported.contains("# Not imported: multi-agent collaboration (SUPERVISOR) and its collaborators: not in the spec format; deploy keeps it as it is."),
        "{imported}"
    );
    assert!(
        imported.contains(&format!(
            "# Not imported: custom orchestration (Lambda {lambda})"
        )),
        "{imported}"
    );
}

#[test]
fn destroy_removes_the_agent_and_needs_confirmation() {
    let fake = FakeBedrockAgent::start();
    let dir = workspace();
    assert_eq!(deploy(&fake, dir.path()).code, 0);
    fake.clear_log();
    let unconfirmed = agentc(&fake, dir.path(), &["destroy", "spec.yaml"]);
    assert_eq!(unconfirmed.code, 2, "{unconfirmed:?}");
    assert!(
        unconfirmed.stderr.contains("--auto-approve"),
        "{unconfirmed:?}"
    );
    assert!(fake.mutating_ops().is_empty());
    let run = agentc(
        &fake,
        dir.path(),
        &["destroy", "spec.yaml", "--auto-approve"],
    );
    assert_eq!(run.code, 0, "{run:?}");
    insta::assert_snapshot!("destroy", run.stdout);
    assert!(
        run.stdout
            .contains("Plan: 0 to add, 0 to change, 6 to destroy."),
        "{run:?}"
    );
    assert!(fake.agents().is_empty());
    let nothing = agentc(
        &fake,
        dir.path(),
        &["destroy", "spec.yaml", "--auto-approve"],
    );
    assert_eq!(nothing.code, 0);
    assert!(nothing.stdout.contains("nothing to destroy"), "{nothing:?}");
}

#[test]
fn deploy_without_a_terminal_or_auto_approve_is_refused() {
    let fake = FakeBedrockAgent::start();
    let dir = workspace();
    let run = agentc(
        &fake,
        dir.path(),
        &["deploy", "spec.yaml", "--target", "agents"],
    );
    assert_eq!(run.code, 2, "{run:?}");
    assert!(
        run.stderr.contains("standard input is not a terminal"),
        "{run:?}"
    );
    assert!(fake.mutating_ops().is_empty());
}

#[test]
fn a_saved_plan_is_applied_only_while_the_agent_is_unchanged() {
    let (fake, dir, id) = deployed();
    edit_spec(dir.path(), "Keep answers short.", "Keep answers shorter.");
    let saved = agentc(
        &fake,
        dir.path(),
        &["plan", "spec.yaml", "--out", "plan.json"],
    );
    assert_eq!(saved.code, 0, "{saved:?}");
    fake.set_agent_field(
        &id,
        "description",
        serde_json::json!("changed in the console"),
    );
    fake.clear_log();
    let stale = agentc(
        &fake,
        dir.path(),
        &[
            "deploy",
            "spec.yaml",
            "--target",
            "agents",
            "--plan",
            "plan.json",
        ],
    );
    assert_eq!(stale.code, 2, "{stale:?}");
    assert!(stale.stderr.contains("stale"), "{stale:?}");
    assert!(fake.mutating_ops().is_empty());

    let fresh = agentc(
        &fake,
        dir.path(),
        &["plan", "spec.yaml", "--out", "plan.json"],
    );
    assert_eq!(fresh.code, 0, "{fresh:?}");
    let applied = agentc(
        &fake,
        dir.path(),
        &[
            "deploy",
            "spec.yaml",
            "--target",
            "agents",
            "--plan",
            "plan.json",
        ],
    );
    assert_eq!(applied.code, 0, "{applied:?}");
    assert_eq!(
        fake.agent_json(&id).unwrap()["description"],
        "Helps the on-call engineer."
    );
}

#[test]
fn exports_cloudformation_and_terraform() {
    let fake = FakeBedrockAgent::start();
    let dir = workspace();
    let cfn = agentc(
        &fake,
        dir.path(),
        &[
            "compile",
            "spec.yaml",
            "--target",
            "agents",
            "--format",
            "cloudformation",
        ],
    );
    assert_eq!(cfn.code, 0, "{cfn:?}");
    insta::assert_snapshot!("export_cloudformation", cfn.stdout);
    let template: serde_json::Value = serde_json::from_str(&cfn.stdout).unwrap();
    let agent = &template["Resources"]["Agent"];
    assert_eq!(agent["Type"], "AWS::Bedrock::Agent");
    assert_eq!(
        agent["Properties"]["ActionGroups"]
            .as_array()
            .unwrap()
            .len(),
        3
    );
    assert_eq!(
        template["Resources"]["AgentAlias"]["Type"],
        "AWS::Bedrock::AgentAlias"
    );
    let tf = agentc(
        &fake,
        dir.path(),
        &[
            "compile",
            "spec.yaml",
            "--target",
            "agents",
            "--format",
            "terraform",
        ],
    );
    assert_eq!(tf.code, 0, "{tf:?}");
    insta::assert_snapshot!("export_terraform", tf.stdout);
    let tf: serde_json::Value = serde_json::from_str(&tf.stdout).unwrap();
    assert_eq!(
        tf["resource"]["aws_bedrockagent_agent_action_group"]
            .as_object()
            .unwrap()
            .len(),
        3
    );
    assert!(tf["resource"]["aws_bedrockagent_agent_alias"]["live"].is_object());
    assert!(fake.ops().is_empty(), "compile never calls AWS");
}

/// The edits of `every_kind_of_change…`: an instruction line, a description, memory, one group
/// replaced by another, the knowledge base dropped.
fn edit_every_kind(dir: &Path) {
    edit_spec(
        dir,
        "  Keep answers short.\n",
        "  Keep answers short and cite the runbook.\n",
    );
    edit_spec(
        dir,
        "description: Read tickets.",
        "description: Read and search tickets.",
    );
    edit_spec(dir, "  storage_days: 30", "  storage_days: 60");
    edit_spec(
        dir,
        "  - name: status\n    description: Service health.\n    executor: return_control\n",
        "  - name: pager\n    description: Page a human.\n    executor: return_control\n",
    );
    edit_spec(
        dir,
        "      - name: get_status\n",
        "      - name: page_human\n",
    );
    edit_spec(
        dir,
        "knowledge_bases:\n  - id: KB12345678\n    description: Architecture docs of the platform team.\n",
        "",
    );
}

#[test]
fn a_failure_at_each_update_step_is_finished_by_a_rerun() {
    for op in [
        "UpdateAgent",
        "UpdateAgentActionGroup",
        "CreateAgentActionGroup",
        "DeleteAgentActionGroup",
        "DisassociateAgentKnowledgeBase",
        "PrepareAgent",
        "UpdateAgentAlias",
    ] {
        let fake = FakeBedrockAgent::start();
        let dir = workspace();
        assert_eq!(deploy(&fake, dir.path()).code, 0, "{op}");
        let id = only_agent(&fake);
        edit_every_kind(dir.path());
        fake.fail(op, 1, Fault::Validation(format!("injected into {op}")));
        let failed = deploy(&fake, dir.path());
        assert_eq!(failed.code, 2, "{op}: {failed:?}");
        assert!(
            failed.stderr.contains(&format!("injected into {op}")),
            "{op}: {failed:?}"
        );
        assert!(
            failed.stderr.contains(op),
            "{op}: the step is named: {failed:?}"
        );
        let rerun = deploy(&fake, dir.path());
        assert_eq!(rerun.code, 0, "{op}: {rerun:?}");
        assert_eq!(only_agent(&fake), id, "{op}");
        let mut groups = fake.action_group_names(&id);
        groups.sort();
        assert_eq!(groups, ["pager", "runbooks", "tickets"], "{op}");
        assert!(fake.knowledge_base_ids(&id).is_empty(), "{op}");
        let aliases = fake.aliases(&id);
        assert_eq!(aliases.len(), 1, "{op}: {aliases:?}");
        assert_eq!(
            aliases[0].1, "2",
            "{op}: the alias serves the version with the changes"
        );
        assert_eq!(
            fake.agent_json(&id).unwrap()["memoryConfiguration"]["storageDays"],
            60,
            "{op}"
        );
        let plan = plan_exit(&fake, dir.path(), "spec.yaml");
        assert_eq!(plan.code, 0, "{op}: {plan:?}");
    }
}

#[test]
fn removing_a_prompt_override_resets_the_step_to_the_default() {
    let (fake, dir, id) = deployed();
    edit_spec(
        dir.path(),
        "prompt_overrides:\n  orchestration:\n    template: orchestration.txt\n",
        "",
    );
    edit_spec(
        dir.path(),
        "    orchestrator: us.amazon.nova-premier-v1:0\n",
        "",
    );
    let plan = plan_exit(&fake, dir.path(), "spec.yaml");
    assert_eq!(plan.code, 2, "{plan:?}");
    assert!(plan.stdout.contains("- prompts:"), "{plan:?}");
    assert_eq!(deploy(&fake, dir.path()).code, 0);
    let agent = fake.agent_json(&id).unwrap();
    let prompts = agent["promptOverrideConfiguration"]["promptConfigurations"]
        .as_array()
        .unwrap();
    let orchestration = prompts
        .iter()
        .find(|p| p["promptType"] == "ORCHESTRATION")
        .unwrap();
    assert_eq!(
        orchestration["promptCreationMode"], "DEFAULT",
        "{orchestration}"
    );
    assert_eq!(plan_exit(&fake, dir.path(), "spec.yaml").code, 0);
}

#[test]
fn an_imported_foreign_agent_is_adopted_with_only_the_ownership_tag_added() {
    let fake = FakeBedrockAgent::start();
    let dir = workspace();
    let id = fake.insert_foreign_agent("weather-bot", &[("team", "web")]);
    let import = agentc(
        &fake,
        dir.path(),
        &["import", "--agent-id", &id, "--out", "weather.yaml"],
    );
    assert_eq!(import.code, 0, "{import:?}");
    let refused = agentc(&fake, dir.path(), &["plan", "weather.yaml"]);
    assert_eq!(refused.code, 2, "{refused:?}");
    assert!(refused.stderr.contains("--adopt"), "{refused:?}");
    let adopt = agentc(&fake, dir.path(), &["plan", "weather.yaml", "--adopt"]);
    assert_eq!(adopt.code, 0, "{adopt:?}");
    assert!(
        adopt
            .stdout
            .contains("Plan: 0 to add, 1 to change, 0 to destroy."),
        "{adopt:?}"
    );
    assert!(adopt.stdout.contains("~ tags:"), "{adopt:?}");
    fake.clear_log();
    let run = agentc(
        &fake,
        dir.path(),
        &[
            "deploy",
            "weather.yaml",
            "--target",
            "agents",
            "--auto-approve",
            "--adopt",
        ],
    );
    assert_eq!(run.code, 0, "{run:?}");
    assert_eq!(
        fake.mutating_ops(),
        ["TagResource"],
        "tagging needs no prepare"
    );
    assert_eq!(plan_exit(&fake, dir.path(), "weather.yaml").code, 0);
}
