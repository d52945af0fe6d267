//! Golden tests of the direct target's output: the compiled Converse config for every
//! example spec, and `agentc deploy --target direct` (plan, write, up to date, --check).

use crate::support;

use crate::support::cli;
use agentc::models::ModelTable;
use agentc::spec::LoadOptions;

#[test]
fn compiled_config_of_each_example_spec() {
    insta::glob!("../../agents", "*.yaml", |path| {
        let loaded = agentc::spec::load_path(path, &LoadOptions::default()).expect("readable");
        let (spec, agent) = (
            loaded.spec.expect("valid spec"),
            loaded.agent.expect("resolved"),
        );
        let (config, names) = agentc::direct::compile(&spec, &agent, ModelTable::builtin());
        insta::assert_json_snapshot!(serde_json::json!({ "config": config, "tool_names": names }));
    });
}

fn deploy(dir: &std::path::Path, extra: &[&str]) -> std::process::Output {
    let args = ["deploy", "agent.yaml", "--target", "direct"];
    cli::agentc(args.iter().chain(extra))
        .current_dir(dir)
        .output()
}

#[test]
fn deploy_writes_the_artifact_shows_changes_and_checks_staleness() {
    let ws = support::Workspace::new(&support::spec("", ""));
    let artifact = ws.file("dist/test-agent.converse.json");

    let out = deploy(ws.path(), &["--check"]);
    assert_eq!(out.status.code(), Some(1), "a missing artifact is stale");
    assert!(!artifact.exists(), "--check writes nothing");

    let out = deploy(ws.path(), &[]);
    assert!(out.status.success(), "{}", support::stderr(&out));
    assert!(support::stdout(&out).contains("  + artifact dist/test-agent.converse.json\n"));
    let written: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&artifact).unwrap()).unwrap();
    assert_eq!(written["modelId"], "amazon.nova-lite-v1:0");
    let modified = std::fs::metadata(&artifact).unwrap().modified().unwrap();

    let out = deploy(ws.path(), &[]);
    assert!(out.status.success());
    assert!(
        support::stdout(&out).contains("No changes: the artifact matches the spec."),
        "{}",
        support::stdout(&out)
    );
    assert_eq!(
        std::fs::metadata(&artifact).unwrap().modified().unwrap(),
        modified,
        "unchanged artifact is not rewritten"
    );
    assert_eq!(deploy(ws.path(), &["--check"]).status.code(), Some(0));

    let spec = std::fs::read_to_string(ws.file("agent.yaml"))
        .unwrap()
        .replace("nova-lite", "nova-micro")
        + "inference:\n  temperature: 0.2\n";
    std::fs::write(ws.file("agent.yaml"), spec).unwrap();
    let out = deploy(ws.path(), &["--check"]);
    assert_eq!(out.status.code(), Some(1));
    let plan = support::stdout(&out);
    assert!(
        plan.contains("~ modelId: \"amazon.nova-lite-v1:0\" → \"amazon.nova-micro-v1:0\""),
        "{plan}"
    );
    assert!(
        plan.contains("+ inferenceConfig.temperature: 0.2"),
        "{plan}"
    );
    assert!(
        plan.contains("Plan: 0 to add, 1 to change, 0 to destroy."),
        "{plan}"
    );

    let out = deploy(ws.path(), &["--out", "elsewhere/a.json"]);
    assert!(out.status.success());
    assert!(ws.file("elsewhere/a.json").exists());
}

/// A spec moving from Bedrock Agents to the direct target must not lose a built-in action
/// group silently: compile and deploy say what has no Converse equivalent, as lint findings
/// (`dropped-by-target`) located in the spec.
#[test]
fn built_in_action_groups_are_named_as_not_carried_over() {
    let output =
        cli::agentc(["compile", "agents/support-desk.yaml", "--target", "direct"]).output();
    assert!(output.status.success(), "{output:?}");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("direct target: built-in action group UserInputAction (AMAZON.UserInput) has no Converse")
            && stderr.contains("dropped-by-target")
            && stderr.contains("agents/support-desk.yaml:"),
        "{stderr}"
    );
    let config: serde_json::Value = serde_json::from_slice(&output.stdout).expect("JSON on stdout");
    assert!(!config.to_string().contains("UserInput"));
}
