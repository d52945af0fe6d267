//! How long `plan` of an unchanged agent takes against the tests' fake bedrock-agent control
//! plane: as a process (spec load and lint included) and in-process (client set-up, reads and
//! diff only), with the fake's own handler time subtracted. A measurement, not a test: the API
//! calls of such a plan are asserted by
//! `agents::plan_of_an_unchanged_agent_walks_each_list_once_and_gets_each_resource_once`.
//!
//! `cargo bench --bench plan_in_process` (release build). `benches/plan.sh` measures the
//! process with hyperfine.
//!
//! The SDK reads its endpoint and credentials from the environment, which a running Rust
//! program may not safely change; so the in-process half runs in a child process of this one,
//! started with that environment, while the fake keeps running here.

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
#[path = "../tests/integration/support/fake_bedrock_agent.rs"]
mod fake;
#[path = "../tests/integration/support/loopback.rs"]
mod loopback;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;

const RUNS: usize = 10;
const IN_PROCESS: &str = "--in-process";

fn main() {
    let args: Vec<String> = std::env::args().collect();
    match args.iter().position(|a| a == IN_PROCESS) {
        Some(at) => in_process(Path::new(&args[at + 1])),
        // `cargo bench` passes `--bench`; any other argument is ignored.
        None => measure(),
    }
}

fn measure() {
    let fake = fake::FakeBedrockAgent::start();
    let dir = tempfile::tempdir().expect("temp dir");
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/agents");
    for entry in std::fs::read_dir(fixtures).expect("fixtures") {
        let entry = entry.expect("fixture");
        std::fs::copy(entry.path(), dir.path().join(entry.file_name())).expect("copy fixture");
    }
    let agentc = |args: &[&str]| {
        let status = environment(
            Command::new(env!("CARGO_BIN_EXE_agentc")),
            &fake,
            dir.path(),
        )
        .args(args)
        .stdout(Stdio::null())
        .status()
        .expect("run agentc");
        status.code()
    };
    let deploy = [
        "deploy",
        "spec.yaml",
        "--target",
        "agents",
        "--auto-approve",
    ];
    assert_eq!(agentc(&deploy), Some(0), "deploy the fixture spec");

    let mut plan_ms = Vec::new();
    let mut version_ms = Vec::new();
    for _ in 0..RUNS {
        let started = Instant::now();
        assert_eq!(
            agentc(&["plan", "spec.yaml", "--detailed-exitcode"]),
            Some(0),
            "plan of the unchanged agent reports no changes"
        );
        plan_ms.push(ms(started));
        let started = Instant::now();
        agentc(&["--version"]);
        version_ms.push(ms(started));
    }

    let busy_before = fake.busy();
    let child = environment(
        Command::new(std::env::current_exe().expect("this benchmark's path")),
        &fake,
        dir.path(),
    )
    .args([IN_PROCESS, &dir.path().to_string_lossy()])
    .output()
    .expect("run the in-process half");
    assert!(child.status.success(), "the in-process half failed");
    let fake_ms = (fake.busy() - busy_before).as_secs_f64() * 1000.0 / RUNS as f64;
    let (mut aws_ms, mut connect_ms): (Vec<f64>, Vec<f64>) = String::from_utf8_lossy(&child.stdout)
        .lines()
        .filter_map(|line| {
            let (aws, connect) = line.split_once(' ')?;
            Some((aws.parse::<f64>().ok()?, connect.parse::<f64>().ok()?))
        })
        .unzip();
    assert_eq!(aws_ms.len(), RUNS, "one line per in-process plan");

    let mean_ms = aws_ms.iter().sum::<f64>() / RUNS as f64;
    println!(
        "per plan: {mean_ms:.1} ms in-process, of which the fake answering: {fake_ms:.1} ms; agentc + SDK + HTTP: {:.1} ms",
        mean_ms - fake_ms
    );
    aws_ms.sort_by(f64::total_cmp);
    connect_ms.sort_by(f64::total_cmp);
    println!(
        "in-process connect + read + diff: median {:.1} ms, min {:.1} ms (of which client set-up: median {:.1} ms)",
        aws_ms[RUNS / 2],
        aws_ms[0],
        connect_ms[RUNS / 2]
    );
    plan_ms.sort_by(f64::total_cmp);
    version_ms.sort_by(f64::total_cmp);
    println!(
        "plan process (unchanged agent, 3 action groups, spec load and lint included): median {:.1} ms, min {:.1} ms; process start (--version): median {:.1} ms",
        plan_ms[RUNS / 2],
        plan_ms[0],
        version_ms[RUNS / 2]
    );
}

/// The environment of every process here: the fake's endpoint, test credentials, no AWS config.
fn environment(mut command: Command, fake: &fake::FakeBedrockAgent, dir: &Path) -> Command {
    command
        .current_dir(dir)
        .envs(fake.client_env(dir))
        .env_remove("AWS_PROFILE")
        .env("NO_COLOR", "1");
    command
}

/// The child: `RUNS` in-process plans, one line `<total ms> <client set-up ms>` each.
fn in_process(dir: &Path) {
    let spec_path: PathBuf = dir.join("spec.yaml");
    let loaded = agentc::spec::load_path(&spec_path, &Default::default()).expect("load the spec");
    let desired = agentc::agents::desired::desired_state(
        loaded.spec.as_ref().expect("a valid spec"),
        loaded.agent.as_ref().expect("an agent"),
        dir,
    )
    .expect("desired state");
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("tokio runtime");
    for _ in 0..RUNS {
        let started = Instant::now();
        let (plan, connect_ms) = runtime.block_on(async {
            let api = agentc::agents::aws::BedrockAgents::connect(Some("us-east-1"), None).await;
            let connect_ms = ms(started);
            let remote = agentc::agents::remote::read_by_name(&api, &desired.agent.name)
                .await
                .expect("read the deployed agent");
            let plan = agentc::agents::plan::plan_deploy(&desired, &remote, false).expect("plan");
            (plan, connect_ms)
        });
        assert!(!plan.has_changes(), "the agent is unchanged");
        println!("{} {connect_ms}", ms(started));
    }
}

fn ms(started: Instant) -> f64 {
    started.elapsed().as_secs_f64() * 1000.0
}
