//! How long `plan --target harness` of an unchanged harness takes against the tests' fake
//! AgentCore control plane, in-process (client set-up, the List walk, the reads and the diff),
//! with the fake's own handler time subtracted: what agentc adds over the service. A
//! measurement, not a test: the calls such a plan makes are asserted by
//! `harness_deploy::an_unchanged_harness_plans_in_one_list_walk_and_one_read_per_resource`.
//!
//! Then the whole `agentc plan --target harness` process (spec load, lint, compile, plan) of an
//! example spec deployed to the same fake, against `agentc --version` as the process baseline.
//!
//! `cargo bench --bench harness_plan` (release), or `cargo bench --bench harness_plan --profile
//! dev` for an upper bound without a release build.

// A measurement tool over the tests' fake: a panic is its failure report, as in the tests.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a measurement tool: a panic is its failure report, as in the tests"
)]

#[allow(
    dead_code,
    reason = "only the fake's server and its busy time are used here; the tests use the rest"
)]
#[path = "../tests/integration/support/fake_harness.rs"]
mod fake;
#[path = "../tests/integration/support/loopback.rs"]
mod loopback;

use agentc::harness::apply::{HarnessDeployer, PollSettings};
use agentc::harness::http::AgentCoreControl;
use agentc::harness::plan::{Deployment, EndpointSpec};
use agentc::plan::deployer as seam;
use agentc::plan::{Deployer, PlanOptions};
use aws_credential_types::Credentials;
use aws_credential_types::provider::SharedCredentialsProvider;
use serde_json::json;
use std::time::{Duration, Instant};

const RUNS: usize = 50;

fn config(endpoint: &str) -> aws_config::SdkConfig {
    aws_config::SdkConfig::builder()
        .region(aws_config::Region::new(fake::REGION))
        .endpoint_url(endpoint)
        .credentials_provider(SharedCredentialsProvider::new(Credentials::new(
            "bench", "bench", None, None, "bench",
        )))
        .behavior_version(aws_config::BehaviorVersion::latest())
        .build()
}

fn main() {
    let fake = fake::FakeHarness::start();
    fake.set_polls(0);
    // Others in the account: the List walk takes three pages of two.
    for name in ["alpha", "beta", "gamma", "delta"] {
        fake.insert_foreign_harness(name, &[]);
    }
    let tools: Vec<_> = (0..8)
        .map(|i| {
            json!({"type": "inline_function", "name": format!("tool_{i}"), "config": {
                "inlineFunction": {"description": "A tool.", "inputSchema": {"type": "object",
                    "properties": {"q": {"type": "string"}}, "required": ["q"]}}}})
        })
        .collect();
    let request = json!({
        "harnessName": "bench_bot",
        "executionRoleArn": "arn:aws:iam::123456789012:role/HarnessRole",
        "model": {"bedrockModelConfig": {"modelId": "us.amazon.nova-pro-v1:0", "maxTokens": 2048}},
        "systemPrompt": [{"text": "You answer questions. ".repeat(200)}],
        "tools": tools,
        "allowedTools": ["tool_*"],
        "memory": {"disabled": {}},
        "maxIterations": 10, "maxTokens": 8192, "timeoutSeconds": 300,
    });
    let desired = Deployment::from_request(
        &request,
        Some(EndpointSpec {
            name: "live".into(),
            description: None,
        }),
    )
    .unwrap();
    let runtime = agentc::aws::runtime().unwrap();
    let progress = |_: String| {};
    let poll = PollSettings {
        first_delay: Duration::from_millis(1),
        max_delay: Duration::from_millis(5),
        timeout: Duration::from_secs(10),
    };
    runtime.block_on(async {
        let api = AgentCoreControl::from_config(config(&fake.endpoint));
        let deployer = HarnessDeployer {
            api: &api,
            progress: &progress,
            poll,
        };
        let (remote, plan) = seam::plan_deploy(&deployer, &desired, PlanOptions::default())
            .await
            .unwrap();
        deployer.apply(&desired, &remote, &plan).await.unwrap();
    });

    let mut totals = Vec::new();
    let mut overheads = Vec::new();
    for _ in 0..RUNS {
        let busy_before = fake.busy();
        let started = Instant::now();
        let plan = runtime.block_on(async {
            let api = AgentCoreControl::from_config(config(&fake.endpoint));
            let deployer = HarnessDeployer {
                api: &api,
                progress: &progress,
                poll,
            };
            seam::plan_deploy(&deployer, &desired, PlanOptions::default())
                .await
                .unwrap()
                .1
        });
        let total = ms(started.elapsed());
        assert!(!plan.has_changes(), "the harness is unchanged");
        totals.push(total);
        overheads.push(total - ms(fake.busy() - busy_before));
    }
    totals.sort_by(f64::total_cmp);
    overheads.sort_by(f64::total_cmp);
    println!(
        "plan of an unchanged harness (3 List pages, GetHarness, ListTagsForResource, GetHarnessEndpoint), {RUNS} runs:"
    );
    println!(
        "  in-process: median {:.2} ms, max {:.2} ms; agentc's own time (minus the fake's): median {:.2} ms, p90 {:.2} ms, max {:.2} ms",
        totals[RUNS / 2],
        totals[RUNS - 1],
        overheads[RUNS / 2],
        overheads[RUNS * 9 / 10],
        overheads[RUNS - 1]
    );
    process(&fake);
}

/// The whole process: `agentc plan --target harness` of `agents/infra-assistant.yaml`.
fn process(fake: &fake::FakeHarness) {
    let dir = tempfile::tempdir().expect("temp dir");
    let example =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("agents/infra-assistant.yaml");
    std::fs::copy(example, dir.path().join("spec.yaml")).expect("copy the example");
    let agentc = |args: &[&str]| {
        std::process::Command::new(env!("CARGO_BIN_EXE_agentc"))
            .current_dir(dir.path())
            .envs(fake.client_env(dir.path()))
            .env_remove("AWS_PROFILE")
            .args(args)
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .status()
            .expect("run agentc")
            .code()
    };
    let deploy = [
        "deploy",
        "spec.yaml",
        "--target",
        "harness",
        "--auto-approve",
    ];
    assert_eq!(agentc(&deploy), Some(0), "deploy the example");
    const PROCESS_RUNS: usize = 15;
    let (mut plans, mut versions, mut overheads) = (Vec::new(), Vec::new(), Vec::new());
    for _ in 0..PROCESS_RUNS {
        let busy_before = fake.busy();
        let started = Instant::now();
        let plan = [
            "plan",
            "spec.yaml",
            "--target",
            "harness",
            "--detailed-exitcode",
        ];
        assert_eq!(agentc(&plan), Some(0), "the harness is unchanged");
        let total = ms(started.elapsed());
        plans.push(total);
        overheads.push(total - ms(fake.busy() - busy_before));
        let started = Instant::now();
        agentc(&["--version"]);
        versions.push(ms(started.elapsed()));
    }
    for v in [&mut plans, &mut versions, &mut overheads] {
        v.sort_by(f64::total_cmp);
    }
    let median = |v: &[f64]| v[v.len() / 2];
    println!(
        "  process `agentc plan --target harness` (infra-assistant): median {:.1} ms, min {:.1} ms; minus the fake's time: median {:.1} ms; `agentc --version`: median {:.1} ms",
        median(&plans),
        plans[0],
        median(&overheads),
        median(&versions)
    );
}

fn ms(duration: Duration) -> f64 {
    duration.as_secs_f64() * 1000.0
}
