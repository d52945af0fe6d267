//! Issue 11: the lean build (`--no-default-features`) refuses each network command in one
//! line, exit 2, naming the feature it lacks; its local commands work as in the full build.

use crate::support;
use crate::support::cli;

#[test]
#[cfg(not(any(feature = "agents", feature = "direct")))]
fn network_commands_are_refused_in_one_line_naming_the_feature() {
    const SPEC: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/agents/infra-assistant.yaml");
    // Each network command, with the feature its answer must name.
    let refused: &[(&[&str], &str)] = &[
        (
            &["run", SPEC, "hello"],
            "`agentc run` needs the `direct` feature",
        ),
        (
            &["run", SPEC, "hello", "--target", "agents"],
            "`agentc run --target agents` needs the `agents` feature",
        ),
        (
            &["run", SPEC, "hello", "--target", "harness"],
            "`agentc run --target harness` needs the `harness` feature",
        ),
        (
            &["deploy", SPEC, "--target", "agents"],
            "`agentc deploy --target agents` needs the `agents` feature",
        ),
        (
            &["plan", SPEC, "--target", "agents"],
            "`agentc plan --target agents` needs the `agents` feature",
        ),
        (
            &["destroy", SPEC, "--target", "agents"],
            "`agentc destroy --target agents` needs the `agents` feature",
        ),
        (
            &["import", "--agent-id", "AGENT12345", "--out", "x.yaml"],
            "`agentc import` needs the `agents` feature",
        ),
        (
            &["serve", SPEC, "--listen", "127.0.0.1:0"],
            "`agentc serve` needs the `serve` feature",
        ),
    ];
    let dir = tempfile::tempdir().unwrap();
    for (args, expected) in refused {
        let run = cli::agentc(*args).current_dir(dir.path()).run();
        assert_eq!(run.code, 2, "{args:?}: {}", run.stderr);
        assert_eq!(run.stderr.lines().count(), 1, "{args:?}: {}", run.stderr);
        assert!(
            run.stderr.starts_with("error: "),
            "{args:?}: {}",
            run.stderr
        );
        assert!(run.stderr.contains(expected), "{args:?}: {}", run.stderr);
        assert!(
            run.stderr.contains("cargo install --locked --path ."),
            "{args:?}: {}",
            run.stderr
        );
        assert!(run.stdout.is_empty(), "{args:?}: {}", run.stdout);
    }
    assert!(!dir.path().join("x.yaml").exists());
}

#[test]
fn the_direct_artifact_is_deployed_planned_and_destroyed_without_a_runtime() {
    let ws = support::Workspace::new(&support::spec("", ""));
    let deploy = cli::agentc(["deploy", "agent.yaml", "--target", "direct"])
        .current_dir(ws.path())
        .run();
    assert_eq!(deploy.code, 0, "{}", deploy.stderr);
    assert!(ws.file("dist/test-agent.converse.json").exists());
    let plan = cli::agentc([
        "plan",
        "agent.yaml",
        "--target",
        "direct",
        "--detailed-exitcode",
    ])
    .current_dir(ws.path())
    .run();
    assert_eq!(plan.code, 0, "up to date: {}{}", plan.stdout, plan.stderr);
    let destroy = cli::agentc(["destroy", "agent.yaml", "--target", "direct"])
        .current_dir(ws.path())
        .run();
    assert_eq!(destroy.code, 0, "{}", destroy.stderr);
    assert!(!ws.file("dist/test-agent.converse.json").exists());
}
