//! The GitHub Action (`action.yml`): its script, run as the action runs it, with the
//! `INPUT_*` variables the action passes and `GITHUB_OUTPUT`/`GITHUB_STEP_SUMMARY` pointing
//! at files, against the binary under test.

use crate::support::cli::binary;
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Command;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

struct Action {
    code: i32,
    stdout: String,
    stderr: String,
    output: String,
    summary: String,
}

/// Run scripts/action.sh in `dir` with `inputs` (`("PATHS", "agents")` → `INPUT_PATHS`).
fn run_action(dir: &Path, inputs: &[(&str, &str)]) -> Action {
    let files = tempfile::tempdir().unwrap();
    let output = files.path().join("output");
    let summary = files.path().join("summary");
    let mut command = Command::new("bash");
    command
        .arg(root().join("scripts/action.sh"))
        .current_dir(dir)
        .env("AGENTC", binary())
        .env("GITHUB_OUTPUT", &output)
        .env("GITHUB_STEP_SUMMARY", &summary)
        .env("NO_COLOR", "1");
    for (name, value) in inputs {
        command.env(format!("INPUT_{name}"), value);
    }
    let done = command.output().expect("bash runs the action's script");
    Action {
        code: done.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&done.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&done.stderr).into_owned(),
        output: std::fs::read_to_string(&output).unwrap_or_default(),
        summary: std::fs::read_to_string(&summary).unwrap_or_default(),
    }
}

fn sarif_results(path: &Path) -> Vec<Value> {
    let sarif: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    assert_eq!(sarif["version"], "2.1.0");
    sarif["runs"][0]["results"].as_array().unwrap().clone()
}

#[test]
fn clean_specs_pass_with_an_empty_sarif_file() {
    let dir = tempfile::tempdir().unwrap();
    let sarif = dir.path().join("agentc.sarif");
    let agents = root().join("agents");
    let run = run_action(dir.path(), &[("PATHS", agents.to_str().unwrap())]);
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    assert!(!run.stdout.contains("::error"), "{}", run.stdout);
    assert!(sarif_results(&sarif).is_empty());
    assert!(
        run.output.contains("sarif-file=agentc.sarif\n"),
        "{}",
        run.output
    );
    assert!(run.output.contains("lint-status=0\n"), "{}", run.output);
    assert!(run.summary.contains("no problems found"), "{}", run.summary);
}

#[test]
fn a_failing_spec_is_annotated_in_sarif_and_fails_the_step() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(
        root().join("tests/fixtures/lint/cost-over-budget.yaml"),
        dir.path().join("agent.yaml"),
    )
    .unwrap();
    std::fs::write(dir.path().join("ci.yml"), "on: push\n").unwrap();
    let inputs = [
        ("PATHS", "."),
        ("SARIF_FILE", "out/lint.sarif"),
        ("ARGS", "--deny missing-description"),
    ];
    std::fs::create_dir(dir.path().join("out")).unwrap();
    let run = run_action(dir.path(), &inputs);
    assert_eq!(run.code, 1, "{}\n{}", run.stdout, run.stderr);
    assert!(
        run.stdout.contains("::error file=./agent.yaml,line=")
            && run.stdout.contains("title=agentc cost-over-budget::"),
        "{}",
        run.stdout
    );
    let results = sarif_results(&dir.path().join("out/lint.sarif"));
    assert!(
        results.iter().any(|r| r["ruleId"] == "cost-over-budget"),
        "{results:?}"
    );
    assert!(run.output.contains("lint-status=1\n"), "{}", run.output);
    assert!(run.summary.contains("error"), "{}", run.summary);

    // With fail-on-error off the step passes, and still says what lint found.
    let run = run_action(dir.path(), &[inputs[0], ("FAIL_ON_ERROR", "false")]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.output.contains("lint-status=1\n"));
    // An unknown rule in `args` is agentc failing to run: exit 2, whatever fail-on-error says.
    let run = run_action(
        dir.path(),
        &[
            inputs[0],
            ("ARGS", "--deny no-such-rule"),
            ("FAIL_ON_ERROR", "false"),
        ],
    );
    assert_eq!(run.code, 2, "{}", run.stdout);
    assert!(
        run.stdout
            .contains("::error title=agentc::agentc lint could not run"),
        "{}",
        run.stdout
    );
}

fn git(dir: &Path, args: &[&str]) -> String {
    let out = Command::new("git")
        .args([
            "-c",
            "user.name=t",
            "-c",
            "user.email=t@example.com",
            "-c",
            "commit.gpgsign=false",
        ])
        .args(args)
        .current_dir(dir)
        .output()
        .expect("git runs");
    assert!(
        out.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

#[test]
fn the_cost_of_the_changed_specs_goes_to_the_summary_and_the_comment_file() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    git(d, &["init", "-q"]);
    std::fs::copy(
        root().join("agents/infra-assistant.yaml"),
        d.join("infra.yaml"),
    )
    .unwrap();
    git(d, &["add", "."]);
    git(d, &["commit", "-qm", "base"]);
    let base = git(d, &["rev-parse", "HEAD"]);
    // The pull request adds an agent over its budget, and a YAML file that is no spec.
    std::fs::copy(
        root().join("tests/fixtures/lint/cost-over-budget.yaml"),
        d.join("new.yaml"),
    )
    .unwrap();
    std::fs::write(d.join("workflow.yml"), "on: push\n").unwrap();
    git(d, &["add", "."]);
    git(d, &["commit", "-qm", "change"]);

    let inputs = [
        ("PATHS", "."),
        ("COST", "true"),
        ("BASE_REF", base.as_str()),
        ("FAIL_ON_ERROR", "false"),
    ];
    let run = run_action(d, &inputs);
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    let comment = std::fs::read_to_string(d.join("agentc-cost.md")).unwrap();
    assert!(comment.starts_with("<!-- agentc-cost -->\n"), "{comment}");
    assert!(
        comment.contains("### agentc cost: `over-budget`"),
        "{comment}"
    );
    assert!(
        !comment.contains("infra-assistant"),
        "an unchanged spec was priced:\n{comment}"
    );
    assert!(comment.contains("| **total** |"), "{comment}");
    assert!(
        comment.contains("**Over budget** (`new.yaml`):\n\n- "),
        "{comment}"
    );
    assert!(comment.contains("agents"), "{comment}");
    assert!(
        run.summary.contains("### agentc cost: `over-budget`"),
        "{}",
        run.summary
    );
    assert!(
        run.output.contains("cost-file=agentc-cost.md\n"),
        "{}",
        run.output
    );

    // Nothing changed since HEAD: the comment says so.
    let head = git(d, &["rev-parse", "HEAD"]);
    let run = run_action(
        d,
        &[
            inputs[0],
            inputs[1],
            ("BASE_REF", head.as_str()),
            ("COMMENT_FILE", "c.md"),
        ],
    );
    assert_eq!(run.code, 1, "{}", run.stderr);
    let comment = std::fs::read_to_string(d.join("c.md")).unwrap();
    assert!(comment.contains("No agent spec changed."), "{comment}");

    // Named specs are priced whatever changed; the clean one has no budget line.
    let run = run_action(d, &[inputs[0], inputs[1], ("COST_SPECS", "infra.yaml")]);
    let comment = std::fs::read_to_string(d.join("agentc-cost.md")).unwrap();
    assert!(
        comment.contains("### agentc cost: `infra-assistant`"),
        "{comment}\n{}",
        run.stderr
    );
    assert!(!comment.contains("Over budget"), "{comment}");
}

#[test]
fn without_agentc_the_action_says_how_to_get_it() {
    let dir = tempfile::tempdir().unwrap();
    let out = Command::new("bash")
        .arg(root().join("scripts/action.sh"))
        .current_dir(dir.path())
        .env("AGENTC", dir.path().join("no-agentc"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains("::error title=agentc::agentc is not installed"),
        "{stdout}"
    );
}

/// action.yml passes each of its inputs to the script under the name the script reads, and
/// its outputs are ones the script writes.
#[test]
fn action_yml_and_the_script_agree() {
    let text = std::fs::read_to_string(root().join("action.yml")).unwrap();
    let action: Value = serde_saphyr::from_str(&text).unwrap();
    let script = std::fs::read_to_string(root().join("scripts/action.sh")).unwrap();
    assert_eq!(action["runs"]["using"], "composite");
    let inputs = action["inputs"].as_object().unwrap();
    let steps = action["runs"]["steps"].as_array().unwrap();
    let env = steps
        .iter()
        .find(|s| s["id"] == "run")
        .and_then(|s| s["env"].as_object())
        .unwrap();
    for name in inputs.keys().filter(|n| *n != "install") {
        let var = format!("INPUT_{}", name.to_uppercase().replace('-', "_"));
        assert_eq!(
            env.get(&var).and_then(Value::as_str),
            Some(format!("${{{{ inputs.{name} }}}}").as_str()),
            "action.yml does not pass input `{name}` as {var}"
        );
        assert!(
            script.contains(&format!("#   {var}")),
            "scripts/action.sh does not document {var}"
        );
        assert!(
            script.contains(&format!("${{{var}")),
            "scripts/action.sh does not read {var}"
        );
    }
    for (name, output) in action["outputs"].as_object().unwrap() {
        assert_eq!(
            output["value"],
            format!("${{{{ steps.run.outputs.{name} }}}}")
        );
        assert!(
            script.contains(&format!("echo \"{name}=")),
            "the script never writes {name}"
        );
    }
    let install = steps[0]["run"].as_str().unwrap();
    assert!(
        install.contains(
            "cargo install --locked --no-default-features --path \"$GITHUB_ACTION_PATH\""
        ),
        "{install}"
    );
}
