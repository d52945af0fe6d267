//! The harness target's deploy against a stateful fake of the AgentCore control plane
//! (`support::fake_harness`), through agentc's real client (`harness::http`): create, each kind
//! of change (and that an update sends only what changed), no-op deploys, the calls an
//! unchanged plan makes, a failure at every step then a converging re-run, ownership, destroy,
//! stale saved plans, golden plans.

use crate::support::fake_harness::{FakeHarness, Fault, REGION};
use agentc::harness::apply::{HarnessDeployer, Outcome, PollSettings};
use agentc::harness::error::DeployError;
use agentc::harness::http::AgentCoreControl;
use agentc::harness::plan::{Deployment, EndpointSpec, OWNER_TAG_KEY, OWNER_TAG_VALUE};
use agentc::plan::deployer as seam;
use agentc::plan::{Deployer, Plan, PlanError, PlanOptions, SavedPlan};
use aws_credential_types::Credentials;
use aws_credential_types::provider::SharedCredentialsProvider;
use serde_json::{Value, json};

fn client(fake: &FakeHarness) -> AgentCoreControl {
    let config = aws_config::SdkConfig::builder()
        .region(aws_config::Region::new(REGION))
        .endpoint_url(&fake.endpoint)
        .credentials_provider(SharedCredentialsProvider::new(Credentials::new(
            "test", "test", None, None, "test",
        )))
        .behavior_version(aws_config::BehaviorVersion::latest())
        .build();
    AgentCoreControl::from_config(config)
}

const FAST: PollSettings = PollSettings {
    first_delay: std::time::Duration::from_millis(1),
    max_delay: std::time::Duration::from_millis(5),
    timeout: std::time::Duration::from_secs(10),
};

fn request() -> Value {
    json!({
        "harnessName": "weather_bot",
        "executionRoleArn": "arn:aws:iam::123456789012:role/HarnessRole",
        "model": {"bedrockModelConfig": {"modelId": "us.amazon.nova-pro-v1:0", "maxTokens": 2048,
            "temperature": 0.1}},
        "systemPrompt": [{"text": "You answer questions about the weather, briefly and politely."}],
        "tools": [{"type": "inline_function", "name": "get_forecast", "config": {"inlineFunction": {
            "description": "The forecast for a city.",
            "inputSchema": {"type": "object", "properties": {"city": {"type": "string"}},
                "required": ["city"]}}}}],
        "allowedTools": ["get_forecast"],
        "memory": {"disabled": {}},
        "maxIterations": 10,
        "maxTokens": 8192,
        "timeoutSeconds": 300,
        "environment": {"agentCoreRuntimeEnvironment": {
            "lifecycleConfiguration": {"idleRuntimeSessionTimeout": 600, "maxLifetime": 3600}}},
        "tags": {"team": "weather"},
    })
}

fn deployment(request: &Value) -> Deployment {
    Deployment::from_request(
        request,
        Some(EndpointSpec {
            name: "live".into(),
            description: None,
        }),
    )
    .unwrap()
}

struct Harnessed {
    fake: FakeHarness,
    api: AgentCoreControl,
}

impl Harnessed {
    fn new() -> Self {
        let fake = FakeHarness::start();
        let api = client(&fake);
        Harnessed { fake, api }
    }

    fn run<T>(&self, f: impl AsyncFnOnce(&HarnessDeployer<'_, AgentCoreControl>) -> T) -> T {
        let progress = |_: String| {};
        let deployer = HarnessDeployer {
            api: &self.api,
            progress: &progress,
            poll: FAST,
        };
        agentc::aws::runtime().unwrap().block_on(f(&deployer))
    }

    fn plan(&self, desired: &Deployment, adopt: bool) -> Result<Plan, DeployError> {
        self.run(async |d| {
            seam::plan_deploy(d, desired, PlanOptions { adopt })
                .await
                .map(|(_, plan)| plan)
        })
    }

    fn deploy(&self, desired: &Deployment, adopt: bool) -> Result<(Plan, Outcome), DeployError> {
        self.run(async |d| {
            let (remote, plan) = seam::plan_deploy(d, desired, PlanOptions { adopt }).await?;
            let outcome = d.apply(desired, &remote, &plan).await?;
            Ok((plan, outcome))
        })
    }

    fn destroy(&self, desired: &Deployment) -> Result<Plan, DeployError> {
        self.run(async |d| {
            let (remote, plan) = seam::plan_destroy(d, desired).await?;
            d.destroy(&remote, &plan).await?;
            Ok(plan)
        })
    }

    /// The harnesses called `weather_bot`.
    fn ours(&self) -> Vec<(String, String, String)> {
        self.fake
            .harnesses()
            .into_iter()
            .filter(|(_, name, _)| name == "weather_bot")
            .collect()
    }
}

fn human(plan: &Plan) -> String {
    agentc::plan::render::human(plan, false)
}

#[test]
fn a_harness_is_created_from_nothing_with_its_endpoint_and_a_second_deploy_changes_nothing() {
    let h = Harnessed::new();
    let desired = deployment(&request());
    let (plan, outcome) = h.deploy(&desired, false).unwrap();
    insta::assert_snapshot!("plan_create", human(&plan));
    assert_eq!(outcome.harness.status, "READY");
    let harnesses = h.ours();
    assert_eq!(harnesses.len(), 1, "{harnesses:?}");
    let id = &harnesses[0].0;
    assert_eq!(
        h.fake.endpoints(id),
        [(
            "live".to_string(),
            "READY".to_string(),
            Some("1".to_string())
        )]
    );
    let tags = h.fake.tags(id);
    assert_eq!(
        tags.get(OWNER_TAG_KEY).map(String::as_str),
        Some(OWNER_TAG_VALUE)
    );
    assert_eq!(tags.get("team").map(String::as_str), Some("weather"));
    // The create sent the request as compiled, with a client token and the tags.
    let create = &h.fake.bodies("CreateHarness")[0];
    assert_eq!(create["maxIterations"], json!(10));
    assert_eq!(create["memory"], json!({"disabled": {}}));
    assert!(
        create["clientToken"]
            .as_str()
            .is_some_and(|t| t.len() >= 33)
    );

    h.fake.clear_log();
    let (plan, _) = h.deploy(&desired, false).unwrap();
    assert!(!plan.has_changes(), "{}", human(&plan));
    assert!(h.fake.mutating_ops().is_empty(), "{:?}", h.fake.ops());
}

#[test]
fn an_unchanged_harness_plans_in_one_list_walk_and_one_read_per_resource() {
    let h = Harnessed::new();
    // Four other harnesses: with pages of two, the walk takes three pages.
    for name in ["alpha", "beta", "gamma", "delta"] {
        h.fake.insert_foreign_harness(name, &[]);
    }
    let desired = deployment(&request());
    h.deploy(&desired, false).unwrap();
    h.fake.clear_log();
    let plan = h.plan(&desired, false).unwrap();
    assert!(!plan.has_changes(), "{}", human(&plan));
    let mut ops = h.fake.ops();
    ops.sort();
    assert_eq!(
        ops,
        [
            "GetHarness",
            "GetHarnessEndpoint",
            "ListHarnesses",
            "ListHarnesses",
            "ListHarnesses",
            "ListTagsForResource"
        ]
    );
}

/// A change made to the request.
type Edit = Box<dyn Fn(&mut Value)>;

#[test]
fn each_kind_of_change_updates_only_the_members_that_changed() {
    let h = Harnessed::new();
    let mut request = request();
    h.deploy(&deployment(&request), false).unwrap();
    let id = h.ours()[0].0.clone();

    // (what changes, the UpdateHarness body it must send besides the client token)
    let changes: Vec<(&str, Edit, Value)> = vec![
        (
            "a limit",
            Box::new(|r| r["maxIterations"] = json!(20)),
            json!({"maxIterations": 20}),
        ),
        (
            "the system prompt",
            Box::new(|r| {
                r["systemPrompt"] =
                    json!([{"text": "You answer questions about the weather in Oslo only."}])
            }),
            json!({"systemPrompt": [{"text": "You answer questions about the weather in Oslo only."}]}),
        ),
        (
            "memory, through its optionalValue wrapper",
            Box::new(|r| {
                r["memory"] = json!({"managedMemoryConfiguration": {"eventExpiryDuration": 7,
                "strategies": ["SUMMARIZATION"]}})
            }),
            json!({"memory": {"optionalValue": {"managedMemoryConfiguration": {
                "eventExpiryDuration": 7, "strategies": ["SUMMARIZATION"]}}}}),
        ),
        (
            "environment variables, sent whole",
            Box::new(|r| r["environmentVariables"] = json!({"UNITS": "metric"})),
            json!({"environmentVariables": {"UNITS": "metric"}}),
        ),
        (
            "the lifecycle",
            Box::new(|r| {
                r["environment"]["agentCoreRuntimeEnvironment"]["lifecycleConfiguration"]["idleRuntimeSessionTimeout"] =
                    json!(300)
            }),
            json!({"environment": {"agentCoreRuntimeEnvironment": {
                "lifecycleConfiguration": {"idleRuntimeSessionTimeout": 300, "maxLifetime": 3600},
                "networkConfiguration": {"networkMode": "PUBLIC"},
                "filesystemConfigurations": []}}}),
        ),
    ];
    for (version, (what, change, expected)) in (2..).zip(changes) {
        change(&mut request);
        h.fake.clear_log();
        let (plan, outcome) = h.deploy(&deployment(&request), false).unwrap();
        assert_eq!(plan.changes.len(), 2, "{what}: {}", human(&plan));
        let mut sent = h.fake.bodies("UpdateHarness");
        assert_eq!(sent.len(), 1, "{what}");
        sent[0].as_object_mut().unwrap().remove("clientToken");
        assert_eq!(sent[0], expected, "{what}");
        assert_eq!(outcome.harness.version, version.to_string(), "{what}");
        assert_eq!(
            h.fake.endpoints(&id)[0].2.as_deref(),
            Some(version.to_string().as_str()),
            "{what}: the endpoint serves the new version"
        );
        // And the next plan is clean.
        let plan = h.plan(&deployment(&request), false).unwrap();
        assert!(!plan.has_changes(), "{what}: {}", human(&plan));
    }

    // Tags go through TagResource/UntagResource: no update, no new version, no endpoint move.
    request["tags"] = json!({"team": "forecasts", "cost-centre": "42"});
    h.fake.clear_log();
    let (plan, outcome) = h.deploy(&deployment(&request), false).unwrap();
    assert_eq!(plan.changes.len(), 1, "{}", human(&plan));
    assert_eq!(h.fake.mutating_ops(), ["TagResource"]);
    assert_eq!(outcome.harness.version, "6");
    request["tags"] = json!({"team": "forecasts"});
    h.fake.clear_log();
    h.deploy(&deployment(&request), false).unwrap();
    assert_eq!(h.fake.mutating_ops(), ["UntagResource"]);
    assert!(!h.fake.tags(&id).contains_key("cost-centre"));
}

#[test]
fn golden_plan_of_an_update() {
    let h = Harnessed::new();
    let mut request = request();
    h.deploy(&deployment(&request), false).unwrap();
    request["maxIterations"] = json!(25);
    request["allowedTools"] = json!(["get_forecast", "@builtin/shell"]);
    let plan = h.plan(&deployment(&request), false).unwrap();
    let text = human(&plan).replace(&h.ours()[0].0, "<harness id>");
    insta::assert_snapshot!("plan_update", text);
}

#[test]
fn a_failure_at_each_step_then_a_re_run_converges_on_exactly_one_harness() {
    let steps: Vec<(&str, Fault)> = vec![
        ("CreateHarness", Fault::Validation("injected".into())),
        ("CreateHarness", Fault::AfterCommit),
        (
            "CreateHarness",
            Fault::Fails("the execution role cannot be assumed".into()),
        ),
        ("GetHarness", Fault::Validation("injected".into())),
        (
            "CreateHarnessEndpoint",
            Fault::Validation("injected".into()),
        ),
        ("CreateHarnessEndpoint", Fault::AfterCommit),
        ("GetHarnessEndpoint", Fault::Validation("injected".into())),
        ("ListHarnesses", Fault::Throttle),
    ];
    for (op, fault) in steps {
        let h = Harnessed::new();
        let desired = deployment(&request());
        h.fake.fail(op, 1, fault.clone());
        let first = h.deploy(&desired, false);
        match &fault {
            // Retried by the client: the first run already succeeds.
            Fault::Throttle | Fault::AfterCommit => {
                assert!(first.is_ok(), "{op} {fault:?}: {first:?}");
            }
            Fault::Fails(reason) => {
                let error = first.unwrap_err().to_string();
                assert!(
                    error.contains("CREATE_FAILED") && error.contains(reason),
                    "{error}"
                );
            }
            Fault::Validation(_) => assert!(first.is_err(), "{op}: {first:?}"),
        }
        let second = h.deploy(&desired, false);
        assert!(second.is_ok(), "{op} {fault:?}: re-run: {second:?}");
        let ours = h.ours();
        assert_eq!(ours.len(), 1, "{op} {fault:?}: {ours:?}");
        assert_eq!(ours[0].2, "READY");
        assert_eq!(h.fake.endpoints(&ours[0].0).len(), 1, "{op} {fault:?}");
        assert_eq!(h.fake.endpoints(&ours[0].0)[0].1, "READY");
        let plan = h.plan(&desired, false).unwrap();
        assert!(!plan.has_changes(), "{op} {fault:?}: {}", human(&plan));
    }
}

#[test]
fn a_failed_update_names_its_reason_and_the_re_run_completes_it() {
    let h = Harnessed::new();
    let mut request = request();
    h.deploy(&deployment(&request), false).unwrap();
    request["maxIterations"] = json!(30);
    h.fake.fail(
        "UpdateHarness",
        1,
        Fault::Fails("model access denied".into()),
    );
    let error = h.deploy(&deployment(&request), false).unwrap_err();
    assert!(matches!(error, DeployError::Failed { .. }), "{error}");
    assert!(error.to_string().contains("model access denied"), "{error}");
    let (_, outcome) = h.deploy(&deployment(&request), false).unwrap();
    assert_eq!(outcome.harness.status, "READY");
    let id = h.ours()[0].0.clone();
    assert_eq!(
        h.fake.endpoints(&id)[0].2.as_deref(),
        Some(outcome.harness.version.as_str())
    );
    assert!(!h.plan(&deployment(&request), false).unwrap().has_changes());
}

#[test]
fn a_foreign_harness_of_the_same_name_is_refused_unless_adopted() {
    let h = Harnessed::new();
    let id = h
        .fake
        .insert_foreign_harness("weather_bot", &[("team", "console")]);
    let desired = deployment(&request());
    let error = h.deploy(&desired, false).unwrap_err();
    assert!(matches!(error, DeployError::NotOwned { .. }), "{error}");
    assert!(h.fake.mutating_ops().is_empty());
    assert!(matches!(
        h.destroy(&desired).unwrap_err(),
        DeployError::NotOwnedDestroy { .. }
    ));
    h.deploy(&desired, true).unwrap();
    assert_eq!(h.ours().len(), 1);
    assert_eq!(
        h.fake.tags(&id).get(OWNER_TAG_KEY).map(String::as_str),
        Some(OWNER_TAG_VALUE)
    );
    assert!(!h.plan(&desired, false).unwrap().has_changes());
}

#[test]
fn destroy_removes_the_endpoint_then_the_harness() {
    let h = Harnessed::new();
    let desired = deployment(&request());
    h.deploy(&desired, false).unwrap();
    h.fake.clear_log();
    let plan = h.destroy(&desired).unwrap();
    assert_eq!(plan.summary.destroy, 2);
    assert_eq!(
        h.fake.mutating_ops(),
        ["DeleteHarnessEndpoint", "DeleteHarness"]
    );
    let delete = h
        .fake
        .calls()
        .into_iter()
        .find(|c| c.op == "DeleteHarness")
        .unwrap();
    assert!(
        delete.path.contains("deleteManagedMemory=true"),
        "{}",
        delete.path
    );
    let after = h.plan(&desired, false).unwrap();
    assert_eq!(after.summary.add, 2, "{}", human(&after));
    // Nothing left: a second destroy has nothing to do.
    assert!(!h.destroy(&desired).unwrap().has_changes());
}

#[test]
fn a_saved_plan_goes_stale_when_the_harness_changes_behind_it() {
    let h = Harnessed::new();
    let mut request = request();
    h.deploy(&deployment(&request), false).unwrap();
    request["maxIterations"] = json!(12);
    let desired = deployment(&request);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("plan.json");
    let plan = h.plan(&desired, false).unwrap();
    SavedPlan {
        plan,
        desired: desired.clone(),
        adopt: false,
    }
    .write(&path)
    .unwrap();
    let id = h.ours()[0].0.clone();
    h.fake.set_harness_field(&id, "timeoutSeconds", json!(99));
    let saved =
        SavedPlan::<Deployment>::read(&path, HarnessDeployer::<AgentCoreControl>::TARGET).unwrap();
    let result = h.run(async |d| {
        seam::plan_saved(d, &path, &saved, PlanOptions::default())
            .await
            .map(|_| ())
    });
    assert!(
        matches!(result, Err(DeployError::Plan(PlanError::Stale { .. }))),
        "{result:?}"
    );
}

#[test]
fn drift_made_outside_agentc_is_planned_back() {
    let h = Harnessed::new();
    let desired = deployment(&request());
    h.deploy(&desired, false).unwrap();
    let id = h.ours()[0].0.clone();
    h.fake.set_harness_field(&id, "allowedTools", json!(["*"]));
    let plan = h.plan(&desired, false).unwrap();
    let fields: Vec<&str> = plan.changes[0]
        .fields
        .iter()
        .map(|f| f.field.as_str())
        .collect();
    assert_eq!(fields, ["allowedTools"]);
}

// The commands, through the binary: `--target harness` on a spec.

use crate::support::cli::{self, Run};
use std::path::Path;

fn cli_run(fake: &FakeHarness, dir: &Path, args: &[&str]) -> Run {
    cli::agentc(args)
        .current_dir(dir)
        .envs(fake.client_env(dir))
        .env_remove("AWS_PROFILE")
        .env("NO_COLOR", "1")
        .run()
}

/// A temp dir with the example spec that has a `targets.harness` block.
fn spec_dir() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let example = Path::new(env!("CARGO_MANIFEST_DIR")).join("agents/infra-assistant.yaml");
    std::fs::copy(example, dir.path().join("spec.yaml")).unwrap();
    dir
}

fn edit(dir: &Path, from: &str, to: &str) {
    let path = dir.join("spec.yaml");
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(text.contains(from), "the spec has no `{from}`");
    std::fs::write(path, text.replacen(from, to, 1)).unwrap();
}

#[test]
fn deploy_plan_and_destroy_a_spec_on_the_harness_target() {
    let fake = FakeHarness::start();
    let dir = spec_dir();
    let d = dir.path();
    let deploy = [
        "deploy",
        "spec.yaml",
        "--target",
        "harness",
        "--auto-approve",
    ];

    let refused = cli_run(&fake, d, &["deploy", "spec.yaml", "--target", "harness"]);
    assert_eq!(refused.code, 2, "{refused:?}");
    assert!(
        refused.stderr.contains("without confirmation"),
        "{}",
        refused.stderr
    );
    assert!(fake.mutating_ops().is_empty());

    let run = cli_run(&fake, d, &deploy);
    assert_eq!(run.code, 0, "{run:?}");
    assert!(
        run.stdout.contains("Apply complete! Resources: 2 added"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains("endpoint `live` serves version 1"),
        "{}",
        run.stdout
    );
    let harnesses = fake.harnesses();
    assert_eq!(harnesses.len(), 1, "{harnesses:?}");
    assert_eq!(harnesses[0].1, "infra_assistant");
    // What deploy sent is what `compile --target harness` prints.
    let compiled = cli_run(&fake, d, &["compile", "spec.yaml", "--target", "harness"]);
    let mut printed: Value = serde_json::from_str(&compiled.stdout).unwrap();
    let mut sent = fake.bodies("CreateHarness").remove(0);
    let printed_tags = printed.as_object_mut().unwrap().remove("tags");
    let sent_tags = sent.as_object_mut().unwrap().remove("tags").unwrap();
    assert_eq!(printed, sent);
    for (key, value) in printed_tags.iter().flat_map(|t| t.as_object().unwrap()) {
        assert_eq!(&sent_tags[key], value);
    }
    assert_eq!(sent_tags[OWNER_TAG_KEY], OWNER_TAG_VALUE);

    fake.clear_log();
    let plan = cli_run(
        &fake,
        d,
        &[
            "plan",
            "spec.yaml",
            "--target",
            "harness",
            "--detailed-exitcode",
        ],
    );
    assert_eq!(plan.code, 0, "{plan:?}");
    assert!(plan.stdout.contains("No changes"), "{}", plan.stdout);
    assert!(fake.mutating_ops().is_empty());

    edit(
        d,
        "max_iterations: 10\n    timeout_seconds",
        "max_iterations: 12\n    timeout_seconds",
    );
    let plan = cli_run(
        &fake,
        d,
        &[
            "plan",
            "spec.yaml",
            "--target",
            "harness",
            "--detailed-exitcode",
        ],
    );
    assert_eq!(plan.code, 2, "{plan:?}");
    assert!(
        plan.stdout.contains("~ maxIterations: 10 → 12"),
        "{}",
        plan.stdout
    );
    let run = cli_run(&fake, d, &deploy);
    assert_eq!(run.code, 0, "{run:?}");
    assert!(run.stdout.contains("at version 2"), "{}", run.stdout);

    let destroy = cli_run(
        &fake,
        d,
        &[
            "destroy",
            "spec.yaml",
            "--target",
            "harness",
            "--auto-approve",
        ],
    );
    assert_eq!(destroy.code, 0, "{destroy:?}");
    assert!(destroy.stdout.contains("2 destroyed"), "{}", destroy.stdout);
    let plan = cli_run(&fake, d, &["plan", "spec.yaml", "--target", "harness"]);
    assert!(plan.stdout.contains("not deployed yet"), "{}", plan.stdout);
}

#[test]
fn a_saved_plan_applies_while_the_harness_is_unchanged_and_is_refused_once_it_moved() {
    let fake = FakeHarness::start();
    let dir = spec_dir();
    let d = dir.path();
    let save = [
        "plan",
        "spec.yaml",
        "--target",
        "harness",
        "--out",
        "plan.json",
    ];
    let apply = [
        "deploy",
        "spec.yaml",
        "--target",
        "harness",
        "--plan",
        "plan.json",
    ];
    assert_eq!(cli_run(&fake, d, &save).code, 0);
    let run = cli_run(&fake, d, &apply);
    assert_eq!(run.code, 0, "{run:?}");

    edit(
        d,
        "max_iterations: 10\n    timeout_seconds",
        "max_iterations: 14\n    timeout_seconds",
    );
    assert_eq!(cli_run(&fake, d, &save).code, 0);
    let id = fake.harnesses()[0].0.clone();
    fake.set_harness_field(&id, "timeoutSeconds", json!(42));
    fake.clear_log();
    let stale = cli_run(&fake, d, &apply);
    assert_eq!(stale.code, 2, "{stale:?}");
    assert!(stale.stderr.contains("is stale"), "{}", stale.stderr);
    assert!(
        stale.stderr.contains("the harness changed"),
        "{}",
        stale.stderr
    );
    assert!(fake.mutating_ops().is_empty(), "{:?}", fake.ops());
    // A saved plan of another target is refused before anything is read.
    let wrong = cli_run(
        &fake,
        d,
        &[
            "deploy",
            "spec.yaml",
            "--target",
            "agents",
            "--plan",
            "plan.json",
        ],
    );
    assert_eq!(wrong.code, 2, "{wrong:?}");
    assert!(wrong.stderr.contains("harness target"), "{}", wrong.stderr);
}

#[test]
fn a_foreign_harness_is_refused_on_the_command_line_and_adopted_with_the_flag() {
    let fake = FakeHarness::start();
    fake.insert_foreign_harness("infra_assistant", &[]);
    let dir = spec_dir();
    let d = dir.path();
    let run = cli_run(
        &fake,
        d,
        &[
            "deploy",
            "spec.yaml",
            "--target",
            "harness",
            "--auto-approve",
        ],
    );
    assert_eq!(run.code, 2, "{run:?}");
    assert!(
        run.stderr.contains("agentc did not create it"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("--adopt"), "{}", run.stderr);
    let adopted = cli_run(
        &fake,
        d,
        &[
            "deploy",
            "spec.yaml",
            "--target",
            "harness",
            "--auto-approve",
            "--adopt",
        ],
    );
    assert_eq!(adopted.code, 0, "{adopted:?}");
    assert_eq!(fake.harnesses().len(), 1);
}

#[test]
fn no_reply_names_the_endpoint_and_its_variable() {
    let fake = FakeHarness::start();
    let dir = spec_dir();
    let run = cli::agentc(["plan", "spec.yaml", "--target", "harness"])
        .current_dir(dir.path())
        .envs(fake.client_env(dir.path()))
        .env(
            "AWS_ENDPOINT_URL_BEDROCK_AGENTCORE_CONTROL",
            "http://127.0.0.1:9",
        )
        .env_remove("AWS_PROFILE")
        .run();
    assert_eq!(run.code, 2, "{run:?}");
    assert!(
        run.stderr
            .contains("AWS_ENDPOINT_URL_BEDROCK_AGENTCORE_CONTROL"),
        "{}",
        run.stderr
    );
}

/// A Classic agent imported with `agentc import` plans on the harness: its guardrail stops the
/// plan (an error for this target) until the rule is lowered, and every other setting the
/// harness cannot take is shown as a finding, none dropped silently.
#[test]
fn an_imported_classic_agent_plans_on_the_harness_with_its_findings() {
    use crate::support::fake_bedrock_agent::FakeBedrockAgent;
    let agents = FakeBedrockAgent::start();
    let dir = tempfile::tempdir().unwrap();
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/agents");
    for entry in std::fs::read_dir(fixtures).unwrap() {
        let entry = entry.unwrap();
        std::fs::copy(entry.path(), dir.path().join(entry.file_name())).unwrap();
    }
    let d = dir.path();
    let with_agents = |args: &[&str]| {
        cli::agentc(args)
            .current_dir(d)
            .envs(agents.client_env(d))
            .env_remove("AWS_PROFILE")
            .run()
    };
    let deployed = with_agents(&[
        "deploy",
        "spec.yaml",
        "--target",
        "agents",
        "--auto-approve",
    ]);
    assert_eq!(deployed.code, 0, "{deployed:?}");
    let id = agents.agents()[0].1.clone();
    let import = with_agents(&["import", "--agent-id", &id, "--out", "imported.yaml"]);
    assert_eq!(import.code, 0, "{import:?}");

    let harness = FakeHarness::start();
    let mut spec = std::fs::read_to_string(d.join("imported.yaml")).unwrap();
    spec = spec.replacen(
        "targets:\n",
        "targets:\n  harness:\n    role_arn: arn:aws:iam::123456789012:role/AgentCoreHarness\n",
        1,
    );
    std::fs::write(d.join("spec.yaml"), &spec).unwrap();
    let blocked = cli_run(&harness, d, &["plan", "spec.yaml", "--target", "harness"]);
    assert_eq!(blocked.code, 1, "{blocked:?}\n{spec}");
    assert!(
        blocked.stderr.contains("guardrail-not-enforced"),
        "{}",
        blocked.stderr
    );
    assert!(
        harness.calls().is_empty(),
        "nothing is read before the gate"
    );

    let lowered = if spec.contains("\nlint:\n  rules:\n") {
        spec.replacen(
            "\nlint:\n  rules:\n",
            "\nlint:\n  rules:\n    guardrail-not-enforced: warn\n",
            1,
        )
    } else {
        format!("{spec}lint:\n  rules:\n    guardrail-not-enforced: warn\n")
    };
    std::fs::write(d.join("spec.yaml"), lowered).unwrap();
    let plan = cli_run(&harness, d, &["plan", "spec.yaml", "--target", "harness"]);
    assert_eq!(plan.code, 0, "{plan:?}");
    assert!(
        plan.stdout.contains("+ harness ops_helper"),
        "{}",
        plan.stdout
    );
    for about in [
        "guardrail",
        "prompt override `orchestration`",
        "`orchestrator`",
    ] {
        assert!(plan.stderr.contains(about), "{about}: {}", plan.stderr);
    }
    // Knowledge bases are carried: inline functions that `agentc run` answers with Retrieve.
    assert!(
        !plan.stderr.contains("knowledge base `KB12345678`"),
        "{}",
        plan.stderr
    );
}
