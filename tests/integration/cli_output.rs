//! Golden tests of `agentc lint` as users and tools see it: the human output (without colour),
//! the JSON contract, SARIF and GitHub annotations, exit statuses, `agentc explain` and
//! `agentc rules`, rule levels from the command line and from the spec, inline suppressions,
//! and directory search. Fixtures live in `tests/fixtures/cli/`.

use crate::support::cli::{self, Run};
use std::path::Path;

fn agentc(args: &[&str]) -> Run {
    let cache = tempfile::tempdir().expect("cache dir");
    cli::agentc(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("AGENTC_CACHE_DIR", cache.path())
        .run()
}

const CLI: &str = "tests/fixtures/cli";

fn fixture(name: &str) -> String {
    format!("{CLI}/{name}.yaml")
}

fn json(run: &Run) -> serde_json::Value {
    run.json()
}

fn rules_fired(report: &serde_json::Value) -> Vec<String> {
    report["diagnostics"]
        .as_array()
        .expect("diagnostics")
        .iter()
        .map(|d| d["rule"].as_str().expect("rule").to_string())
        .collect()
}

/// Snapshot the human and JSON output of each fixture, with its exit status.
#[test]
fn human_and_json_output_of_each_fixture() {
    for (name, expected_code) in [
        ("valid", 0),
        ("warnings", 0),
        ("suppressed", 0),
        ("structural", 1),
        ("rules", 1),
        ("configured", 1),
        ("mixed", 1),
    ] {
        let path = fixture(name);
        let human = agentc(&["lint", &path]);
        assert_eq!(
            human.code, expected_code,
            "{name}: {}{}",
            human.stdout, human.stderr
        );
        assert!(
            !human.stdout.contains('\u{1b}'),
            "{name}: colour codes with NO_COLOR"
        );
        insta::assert_snapshot!(
            format!("human_{name}"),
            format!("exit status: {}\n{}", human.code, human.stdout)
        );

        let machine = agentc(&["lint", "--format", "json", &path]);
        assert_eq!(machine.code, expected_code, "{name} (json)");
        let report = json(&machine);
        assert_json_contract(&report);
        insta::assert_json_snapshot!(format!("json_{name}"), report);
    }
}

/// The fields tools parse, with their types, on every diagnostic.
fn assert_json_contract(report: &serde_json::Value) {
    for d in report["diagnostics"].as_array().expect("diagnostics array") {
        assert!(d["file"].is_string(), "{d}");
        for key in ["line", "column", "end_line", "end_column"] {
            assert!(
                d[key].as_u64().is_some_and(|n| n >= 1),
                "{key} is not a 1-based number: {d}"
            );
        }
        assert!(
            (d["end_line"].as_u64(), d["end_column"].as_u64())
                >= (d["line"].as_u64(), d["column"].as_u64()),
            "{d}"
        );
        assert!(
            agentc::lint::find_rule(d["rule"].as_str().expect("rule")).is_some(),
            "{d}"
        );
        assert!(
            matches!(d["severity"].as_str(), Some("error" | "warning" | "info")),
            "{d}"
        );
        assert!(d["message"].as_str().is_some_and(|m| !m.is_empty()), "{d}");
        assert!(
            d.get("help").is_some_and(|h| h.is_string() || h.is_null()),
            "{d}"
        );
    }
    let summary = &report["summary"];
    for key in ["files", "errors", "warnings"] {
        assert!(summary[key].is_u64(), "summary.{key}: {summary}");
    }
    let count = |severity: &str| {
        report["diagnostics"].as_array().map_or(0, |a| {
            a.iter().filter(|d| d["severity"] == severity).count()
        }) as u64
    };
    assert_eq!(summary["errors"].as_u64(), Some(count("error")));
    assert_eq!(summary["warnings"].as_u64(), Some(count("warning")));
}

#[test]
fn all_structural_problems_are_reported_at_once() {
    let report = json(&agentc(&[
        "lint",
        "--format",
        "json",
        &fixture("structural"),
    ]));
    let fired = rules_fired(&report);
    for rule in [
        "unknown-key",
        "invalid-type",
        "duplicate-key",
        "invalid-parameter-type",
    ] {
        assert!(
            fired.iter().any(|r| r == rule),
            "{rule} missing from {fired:?}"
        );
    }
    assert!(fired.len() >= 6, "{fired:?}");
}

#[test]
fn lint_rules_still_run_when_the_file_has_structural_errors() {
    // An unknown key and wrong types stop the spec from being read as is; the rules still
    // check the rest (the name, the Lambda ARN), so one run shows every problem.
    let report = json(&agentc(&["lint", "--format", "json", &fixture("mixed")]));
    let fired = rules_fired(&report);
    for rule in [
        "unknown-key",
        "invalid-type",
        "invalid-parameter-type",
        "invalid-name",
        "invalid-arn",
    ] {
        assert!(
            fired.iter().any(|r| r == rule),
            "{rule} missing from {fired:?}"
        );
    }
    // A description removed for its wrong type is not also reported as missing.
    assert!(
        !fired.iter().any(|r| r == "missing-description"),
        "{fired:?}"
    );
}

#[test]
fn sarif_output_is_sarif_2_1_0_with_every_rule() {
    let run = agentc(&["lint", "--format", "sarif", &fixture("rules")]);
    assert_eq!(run.code, 1);
    let sarif = json(&run);
    assert_eq!(sarif["version"], "2.1.0");
    assert!(
        sarif["$schema"]
            .as_str()
            .is_some_and(|s| s.contains("sarif-2.1.0"))
    );
    let driver = &sarif["runs"][0]["tool"]["driver"];
    assert_eq!(driver["name"], "agentc");
    let rule_ids: Vec<&str> = driver["rules"]
        .as_array()
        .expect("rules")
        .iter()
        .filter_map(|r| r["id"].as_str())
        .collect();
    let registered: Vec<&str> = agentc::lint::registry().iter().map(|r| r.id()).collect();
    assert_eq!(rule_ids, registered);
    // The tool's own version changes with every release; the results are the contract.
    insta::assert_json_snapshot!("sarif_rules_results", sarif["runs"][0]["results"]);
}

#[test]
fn github_annotations() {
    let run = agentc(&[
        "lint",
        "--format",
        "github",
        &fixture("rules"),
        &fixture("warnings"),
    ]);
    assert_eq!(run.code, 1);
    for line in run.stdout.lines() {
        assert!(
            line.starts_with("::error file=") || line.starts_with("::warning file="),
            "{line}"
        );
    }
    insta::assert_snapshot!("github_rules_warnings", run.stdout);
}

#[test]
fn exit_statuses() {
    assert_eq!(agentc(&["lint", &fixture("valid")]).code, 0);
    assert_eq!(
        agentc(&["lint", &fixture("warnings")]).code,
        0,
        "warnings alone do not fail"
    );
    assert_eq!(
        agentc(&["lint", &fixture("valid"), &fixture("rules")]).code,
        1,
        "one failing file fails the run"
    );
    // agentc itself could not run: 2.
    let missing = agentc(&["lint", &fixture("valid"), "tests/fixtures/cli/nowhere.yaml"]);
    assert_eq!(missing.code, 2);
    assert!(
        missing.stderr.contains("nowhere.yaml"),
        "{}",
        missing.stderr
    );
    let bad_format = agentc(&["lint", "--format", "xml", &fixture("valid")]);
    assert_eq!(bad_format.code, 2);
    assert!(bad_format.stderr.contains("xml"), "{}", bad_format.stderr);
    let bad_rule = agentc(&["lint", "--deny", "too-many-paramters", &fixture("valid")]);
    assert_eq!(bad_rule.code, 2);
    assert!(
        bad_rule
            .stderr
            .contains("did you mean `too-many-parameters`?"),
        "{}",
        bad_rule.stderr
    );
}

#[test]
fn command_line_levels() {
    let warnings = fixture("warnings");
    let denied = agentc(&[
        "lint",
        "--format",
        "json",
        "--deny",
        "missing-description",
        &warnings,
    ]);
    assert_eq!(denied.code, 1);
    assert!(
        json(&denied)["diagnostics"]
            .as_array()
            .expect("list")
            .iter()
            .all(|d| d["severity"] == "error")
    );

    let allowed = agentc(&[
        "lint",
        "--format",
        "json",
        "--allow",
        "missing-description",
        &warnings,
    ]);
    assert_eq!(allowed.code, 0);
    assert_eq!(json(&allowed)["diagnostics"], serde_json::json!([]));

    let rules = fixture("rules");
    let warned = agentc(&[
        "lint",
        "--format",
        "json",
        "--warn",
        "invalid-arn",
        "--warn",
        "duplicate-function",
        &rules,
    ]);
    assert_eq!(warned.code, 0, "{}", warned.stdout);
    assert_eq!(json(&warned)["summary"]["errors"], 0);

    let all = agentc(&["lint", "--deny", "all", &warnings]);
    assert_eq!(all.code, 1);
    // The command line overrides the spec's own `lint.rules` (CI can be stricter).
    let configured = agentc(&[
        "lint",
        "--format",
        "json",
        "--allow",
        "too-many-action-groups",
        &fixture("configured"),
    ]);
    assert_eq!(configured.code, 0, "{}", configured.stdout);
    // The last flag for a rule wins.
    assert_eq!(
        agentc(&[
            "lint",
            "--allow",
            "missing-description",
            "--deny",
            "missing-description",
            &warnings
        ])
        .code,
        1
    );
}

#[test]
fn spec_lint_rules_block() {
    let report = json(&agentc(&[
        "lint",
        "--format",
        "json",
        &fixture("configured"),
    ]));
    let diagnostics = report["diagnostics"].as_array().expect("list");
    let by_rule = |rule: &str| {
        diagnostics
            .iter()
            .filter(|d| d["rule"] == rule)
            .collect::<Vec<_>>()
    };
    // `deny` raises a warning rule to an error.
    assert_eq!(by_rule("too-many-action-groups")[0]["severity"], "error");
    // `allow` silences a rule (a function there has no description).
    assert!(by_rule("missing-description").is_empty());
    // A misspelt rule id is pointed out, with the closest id.
    let unknown = by_rule("unknown-rule");
    assert_eq!(unknown.len(), 1, "{diagnostics:?}");
    assert!(
        unknown[0]["help"]
            .as_str()
            .is_some_and(|h| h.contains("too-many-parameters"))
    );
    // A structural rule in `lint.rules` is harmless: accepted, and it cannot silence the
    // structural problems that stop the file from being read.
    let text =
        std::fs::read_to_string(fixture("configured")).expect("fixture") + "descripton: typo\n";
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("configured.yaml");
    std::fs::write(&path, text).expect("write");
    let run = agentc(&[
        "lint",
        "--format",
        "json",
        path.to_str().expect("UTF-8 path"),
    ]);
    assert_eq!(run.code, 1);
    assert!(rules_fired(&json(&run)).contains(&"unknown-key".to_string()));
}

#[test]
fn inline_suppressions() {
    let report = json(&agentc(&[
        "lint",
        "--format",
        "json",
        &fixture("suppressed"),
    ]));
    let diagnostics = report["diagnostics"].as_array().expect("list");
    // Two findings are suppressed (a comment on the line above, a comment on the line
    // itself); the third, without a comment, remains.
    assert_eq!(diagnostics.len(), 1, "{diagnostics:#?}");
    assert_eq!(diagnostics[0]["line"], 19);
    assert!(
        diagnostics[0]["message"]
            .as_str()
            .is_some_and(|m| m.contains("region"))
    );
    // Without the comments all three are reported.
    let text = std::fs::read_to_string(fixture("suppressed"))
        .expect("fixture")
        .replace("agentc: allow", "note:");
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("unsuppressed.yaml");
    std::fs::write(&path, text).expect("write");
    let report = json(&agentc(&[
        "lint",
        "--format",
        "json",
        path.to_str().expect("UTF-8 path"),
    ]));
    assert_eq!(
        report["diagnostics"].as_array().map(Vec::len),
        Some(3),
        "{report:#}"
    );
}

#[test]
fn directories_are_searched_for_specs() {
    let run = agentc(&["lint", "--format", "json", "tests/fixtures/cli/dir"]);
    let report = json(&run);
    // infra.yaml and nested/status.yml; not workflow.yaml (no `agentc:`), README.md (not YAML)
    // or anything under a hidden directory.
    assert_eq!(report["summary"]["files"], 2, "{report:#}");
    let files: std::collections::BTreeSet<&str> = report["diagnostics"]
        .as_array()
        .expect("list")
        .iter()
        .filter_map(|d| d["file"].as_str())
        .collect();
    assert_eq!(
        files.into_iter().collect::<Vec<_>>(),
        ["tests/fixtures/cli/dir/nested/status.yml"]
    );
    assert_eq!(run.code, 0, "only warnings");
    let human = agentc(&["lint", "tests/fixtures/cli/dir"]);
    assert!(
        human
            .stdout
            .ends_with("2 files checked: 0 errors, 2 warnings\n"),
        "{}",
        human.stdout
    );
    // Several files and directories at once, as pre-commit passes them.
    let both = json(&agentc(&[
        "lint",
        "--format",
        "json",
        "tests/fixtures/cli/dir",
        &fixture("valid"),
        &fixture("rules"),
    ]));
    assert_eq!(both["summary"]["files"], 4);
}

#[test]
fn only_specs_skips_other_yaml_files_named_explicitly() {
    let workflow = "tests/fixtures/cli/dir/workflow.yaml";
    let named = agentc(&["lint", workflow]);
    assert_eq!(named.code, 1, "a named file is linted as a spec");
    let skipped = agentc(&[
        "lint",
        "--only-specs",
        "--format",
        "json",
        workflow,
        &fixture("valid"),
    ]);
    assert_eq!(skipped.code, 0);
    assert_eq!(json(&skipped)["summary"]["files"], 1);
}

#[test]
fn explain_prints_every_rules_documentation() {
    for rule in agentc::lint::registry() {
        let run = agentc(&["explain", rule.id()]);
        assert_eq!(run.code, 0, "{}", rule.id());
        assert!(
            run.stdout.contains(&format!("# {}", rule.id())),
            "{}: {}",
            rule.id(),
            run.stdout
        );
        assert!(
            run.stdout.contains("## Why") && run.stdout.contains("## How to fix"),
            "{}",
            rule.id()
        );
        assert!(
            run.stdout.contains(rule.default_severity().as_str()),
            "{}",
            rule.id()
        );
    }
    insta::assert_snapshot!(
        "explain_tool_definitions_over_budget",
        agentc(&["explain", "tool-definitions-over-budget"]).stdout
    );
    let unknown = agentc(&["explain", "unknown-keys"]);
    assert_eq!(unknown.code, 2);
    assert!(
        unknown.stderr.contains("did you mean `unknown-key`?"),
        "{}",
        unknown.stderr
    );
}

#[test]
fn rules_lists_the_registry() {
    let run = agentc(&["rules"]);
    assert_eq!(run.code, 0);
    for rule in agentc::lint::registry() {
        assert!(run.stdout.contains(rule.id()), "{} not listed", rule.id());
    }
    insta::assert_snapshot!("rules", run.stdout);
    let listed = json(&agentc(&["rules", "--json"]));
    let ids: Vec<&str> = listed
        .as_array()
        .expect("list")
        .iter()
        .filter_map(|r| r["id"].as_str())
        .collect();
    let registered: Vec<&str> = agentc::lint::registry().iter().map(|r| r.id()).collect();
    assert_eq!(ids, registered);
}

#[test]
fn fixtures_exist() {
    for name in [
        "valid",
        "warnings",
        "suppressed",
        "structural",
        "rules",
        "configured",
    ] {
        assert!(
            Path::new(env!("CARGO_MANIFEST_DIR"))
                .join(fixture(name))
                .is_file(),
            "{name}"
        );
    }
}
