//! The harness target's outputs through the binary: the CreateHarness request of an example
//! spec (golden), and what a spec without `targets.harness` is told.

use crate::support::cli::Run;

const SPEC: &str = "agents/infra-assistant.yaml";

fn agentc(args: &[&str]) -> Run {
    let cache = tempfile::tempdir().expect("cache dir");
    crate::support::cli::agentc(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("AGENTC_CACHE_DIR", cache.path())
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .run()
}

#[test]
fn compile_prints_the_create_harness_request() {
    let out = agentc(&["compile", SPEC, "--target", "harness"]);
    assert_eq!(out.code, 0, "{out:?}");
    let request: serde_json::Value = serde_json::from_str(&out.stdout).expect("JSON");
    // The functions are the direct target's tools, same names and schemas.
    let direct = agentc(&["compile", SPEC, "--target", "direct"]);
    let converse: serde_json::Value = serde_json::from_str(&direct.stdout).expect("JSON");
    let converse_tools = converse["toolConfig"]["tools"].as_array().expect("tools");
    let harness_tools = request["tools"].as_array().expect("tools");
    assert_eq!(harness_tools.len(), converse_tools.len());
    for (h, c) in harness_tools.iter().zip(converse_tools) {
        assert_eq!(h["type"], "inline_function");
        assert_eq!(h["name"], c["toolSpec"]["name"]);
        assert_eq!(
            h["config"]["inlineFunction"]["inputSchema"],
            c["toolSpec"]["inputSchema"]["json"]
        );
    }
}

#[test]
fn a_spec_without_a_harness_block_is_told_the_role_it_needs() {
    let out = agentc(&["compile", "agents/seed-article.yaml", "--target", "harness"]);
    assert_eq!(out.code, 2, "{out:?}");
    assert!(
        out.stderr.contains("targets.harness.role_arn"),
        "{}",
        out.stderr
    );
    assert!(
        out.stderr.contains("bedrock-agentcore.amazonaws.com"),
        "{}",
        out.stderr
    );
}

/// The guardrail finding blocks builds for the harness only, and only when the harness is the
/// target named; `lint.rules` can lower it like any rule.
#[test]
fn a_guardrail_blocks_the_harness_and_nothing_else() {
    let fixture = "tests/fixtures/lint/guardrail-not-enforced.yaml";
    let harness = agentc(&["compile", fixture, "--target", "harness"]);
    assert_eq!(harness.code, 1, "{harness:?}");
    assert!(
        harness.stderr.contains("guardrail-not-enforced"),
        "{}",
        harness.stderr
    );
    assert!(
        harness.stdout.is_empty(),
        "nothing is compiled: {harness:?}"
    );
    for args in [
        &["lint", fixture][..],
        &["lint", "--target", "direct", fixture],
        &["lint", "--target", "agents", fixture],
    ] {
        let out = agentc(args);
        assert!(
            !out.stdout.contains("guardrail-not-enforced"),
            "{args:?}: {out:?}"
        );
    }

    let dir = tempfile::tempdir().unwrap();
    let spec = dir.path().join("hr.yaml");
    let text = std::fs::read_to_string(fixture).unwrap()
        + "lint:\n  rules:\n    guardrail-not-enforced: warn\n";
    std::fs::write(&spec, text).unwrap();
    let spec = spec.to_str().unwrap();
    let lowered = agentc(&["compile", spec, "--target", "harness"]);
    assert_eq!(lowered.code, 0, "{lowered:?}");
    let lint = agentc(&["lint", "--target", "harness", spec]);
    assert_eq!(lint.code, 0, "{lint:?}");
    assert!(
        lint.stdout.contains("guardrail-not-enforced"),
        "still reported, as a warning: {lint:?}"
    );
}

const FULL: &str = "tests/fixtures/harness/full.yaml";

/// The three outputs of the harness target, golden: the CreateHarness request, the
/// CloudFormation template and the Terraform JSON, for the example spec and for a spec that
/// sets every harness option.
#[test]
fn golden_exports() {
    for (name, spec) in [("infra_assistant", SPEC), ("full", FULL)] {
        for format in ["json", "cloudformation", "terraform"] {
            let out = agentc(&["compile", spec, "--target", "harness", "--format", format]);
            assert_eq!(out.code, 0, "{spec} {format}: {out:?}");
            serde_json::from_str::<serde_json::Value>(&out.stdout).expect("JSON");
            insta::assert_snapshot!(format!("{name}.{format}"), out.stdout);
        }
    }
    // What Terraform cannot express is said on stderr and in the file.
    let tf = agentc(&[
        "compile",
        FULL,
        "--target",
        "harness",
        "--format",
        "terraform",
    ]);
    assert!(
        tf.stderr
            .contains("terraform export leaves out managed memory's strategies"),
        "{}",
        tf.stderr
    );
    assert!(tf.stdout.contains("\"//\": \"agentc: not expressible here"));
}

/// The CloudFormation exports pass cfn-lint with the resource schemas it bundles (the
/// harness types need cfn-lint 1.58 or later); `.ci/agents.sh` runs the same check.
#[test]
fn cloudformation_exports_pass_cfn_lint() {
    if !crate::support::external::tool(
        "cfn-lint",
        &["--version"],
        "`pip install 'cfn-lint>=1.58,<2'`",
        "the harness CloudFormation export",
    ) {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let mut files = Vec::new();
    for (name, spec) in [("infra", SPEC), ("full", FULL)] {
        let path = dir.path().join(format!("{name}.json"));
        let path_arg = path.to_str().unwrap().to_string();
        let out = agentc(&[
            "compile",
            spec,
            "--target",
            "harness",
            "--format",
            "cloudformation",
            "--out",
            &path_arg,
        ]);
        assert_eq!(out.code, 0, "{out:?}");
        files.push(path_arg);
    }
    let lint = std::process::Command::new("cfn-lint")
        .args(["--regions", "us-east-1", "--"])
        .args(&files)
        .output()
        .expect("cfn-lint runs");
    assert!(
        lint.status.success(),
        "cfn-lint: {}{}",
        String::from_utf8_lossy(&lint.stdout),
        String::from_utf8_lossy(&lint.stderr)
    );
}
