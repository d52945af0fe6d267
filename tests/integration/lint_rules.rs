//! One fixture per lint rule: `tests/fixtures/lint/<rule-id>.yaml` is a small, realistic spec
//! that makes exactly that rule fire. Each fixture's JSON diagnostics are snapshotted, so a
//! change in a message, a help text or a position shows up in review. A fixture with a
//! `# lint-target: <target>` line is linted as `agentc lint --target <target>`.

use agentc::lint::{LevelOverrides, registry};
use agentc::models::ModelTable;
use agentc::render::{FileReport, Format, HumanOptions};
use agentc::spec::{LoadOptions, load_path};
use agentc::target::Target;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

const FIXTURES: &str = "tests/fixtures/lint";

/// Fixture paths relative to the package root, so that snapshots do not contain the checkout's
/// absolute path (cargo runs integration tests from the package root).
fn relative(path: &Path) -> PathBuf {
    path.strip_prefix(env!("CARGO_MANIFEST_DIR"))
        .unwrap_or(path)
        .to_path_buf()
}

/// The model table a fixture asks for (`# lint-models: <file>`, next to it), or the built-in one.
fn fixture_models(text: &str) -> ModelTable {
    match text
        .lines()
        .find_map(|line| line.strip_prefix("# lint-models: "))
    {
        Some(file) => ModelTable::from_file(
            &Path::new(env!("CARGO_MANIFEST_DIR"))
                .join(FIXTURES)
                .join(file.trim()),
        )
        .expect("fixture model table"),
        None => ModelTable::builtin().clone(),
    }
}

/// The target a fixture asks to be linted for (`# lint-target: direct`), if any.
fn fixture_target(text: &str) -> Option<Target> {
    text.lines()
        .find_map(|line| line.strip_prefix("# lint-target: "))
        .map(|id| Target::from_id(id.trim()).expect("a known target"))
}

fn lint_fixture(path: &Path) -> FileReport {
    let loaded = load_path(&relative(path), &LoadOptions::default()).expect("fixture is readable");
    let diagnostics = agentc::lint::lint_for(
        &loaded,
        &fixture_models(&loaded.file.text),
        &LevelOverrides::default(),
        fixture_target(&loaded.file.text),
    );
    FileReport {
        file: loaded.file,
        diagnostics,
    }
}

/// The rule a fixture is for: its file name without `.yaml`.
fn rule_of(path: &Path) -> String {
    path.file_name()
        .and_then(|n| n.to_str())
        .and_then(|n| n.strip_suffix(".yaml"))
        .expect("fixture named <rule-id>.yaml")
        .to_string()
}

fn fixture_rules() -> BTreeSet<String> {
    std::fs::read_dir(Path::new(env!("CARGO_MANIFEST_DIR")).join(FIXTURES))
        .expect("fixture directory")
        .map(|entry| entry.expect("directory entry").path())
        .filter(|path| path.extension().is_some_and(|e| e == "yaml"))
        .map(|path| rule_of(&path))
        .collect()
}

#[test]
fn diagnostics() {
    insta::glob!("../fixtures/lint", "*.yaml", |path| {
        let rule = rule_of(path);
        let report = lint_fixture(path);
        let fired: Vec<&str> = report.diagnostics.iter().map(|d| d.rule.as_str()).collect();
        assert!(
            fired.contains(&rule.as_str()),
            "{}: expected `{rule}` to fire, got {fired:?}",
            path.display()
        );
        for diagnostic in report.diagnostics.iter().filter(|d| d.rule == rule) {
            assert!(
                diagnostic.span.is_some(),
                "{rule}: the finding has no location"
            );
            let declared = agentc::lint::rule(diagnostic.rule).map(|r| r.default_severity());
            assert_eq!(
                Some(diagnostic.severity),
                declared,
                "{rule}: a finding's severity is the rule's declared one"
            );
        }
        let json: serde_json::Value = serde_json::from_str(&agentc::render::render(
            &[report],
            Format::Json,
            &HumanOptions::default(),
        ))
        .expect("JSON output parses");
        insta::assert_json_snapshot!(json);
    });
}

#[test]
fn every_registered_rule_has_a_fixture_and_every_fixture_names_a_rule() {
    let registered: BTreeSet<String> = registry().iter().map(|r| r.id().to_string()).collect();
    let fixtures = fixture_rules();
    let without_fixture: Vec<_> = registered.difference(&fixtures).collect();
    let without_rule: Vec<_> = fixtures.difference(&registered).collect();
    assert!(
        without_fixture.is_empty(),
        "rules without a fixture in {FIXTURES}: {without_fixture:?}"
    );
    assert!(
        without_rule.is_empty(),
        "fixtures in {FIXTURES} that name no registered rule: {without_rule:?}"
    );
}

#[test]
fn each_fixture_triggers_only_its_own_rule() {
    // A fixture is a focused example: the rule it is named after is the only finding, so its
    // snapshot documents that rule and nothing else by accident.
    for rule in fixture_rules() {
        let path = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join(FIXTURES)
            .join(format!("{rule}.yaml"));
        let report = lint_fixture(&path);
        let others: Vec<_> = report
            .diagnostics
            .iter()
            .filter(|d| d.rule != rule)
            .map(|d| format!("{}: {}", d.rule, d.message))
            .collect();
        assert!(others.is_empty(), "{rule}.yaml also triggers {others:?}");
    }
}

#[test]
fn allowing_a_configurable_rule_in_the_spec_silences_its_fixture() {
    for rule in registry().iter().filter(|r| !r.structural()) {
        let path = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join(FIXTURES)
            .join(format!("{}.yaml", rule.id()));
        let mut text = std::fs::read_to_string(&path).expect("fixture");
        text = with_lint_rule(&text, rule.id(), "allow");
        let target = fixture_target(&text);
        let models = fixture_models(&text);
        let loaded =
            agentc::spec::load_bytes(&relative(&path), text.into_bytes(), &LoadOptions::default());
        let diagnostics =
            agentc::lint::lint_for(&loaded, &models, &LevelOverrides::default(), target);
        assert!(
            diagnostics.iter().all(|d| d.rule != rule.id()),
            "{}: `lint.rules: {{{0}: allow}}` did not silence it: {diagnostics:?}",
            rule.id()
        );
    }
}

/// Add `lint.rules.<id>: <level>` to a spec's text (merging into an existing `lint:` block).
fn with_lint_rule(text: &str, id: &str, level: &str) -> String {
    if let Some(at) = text.find("\nlint:\n  rules:\n") {
        let insert = at + "\nlint:\n  rules:\n".len();
        format!("{}    {id}: {level}\n{}", &text[..insert], &text[insert..])
    } else if let Some(at) = text.find("\nlint:\n") {
        let insert = at + "\nlint:\n".len();
        format!(
            "{}  rules:\n    {id}: {level}\n{}",
            &text[..insert],
            &text[insert..]
        )
    } else {
        format!("{text}lint:\n  rules:\n    {id}: {level}\n")
    }
}

/// A spec whose only problem is an Agents quota (the instruction is under 40 characters).
const AGENTS_QUOTA_ONLY: &str = "agentc: 1\nname: infra-assistant\ndescription: Answers questions about infrastructure health.\nmodel: amazon.nova-pro-v1:0\ninstruction: Answer infrastructure questions.\n";

/// `agentc lint --target T` runs the rules for `T` only; the build gate of a command for `T`
/// blocks on `T`'s rules only.
#[test]
fn an_agents_quota_fails_lint_for_agents_and_never_blocks_direct() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("agent.yaml");
    std::fs::write(&path, AGENTS_QUOTA_ONLY).expect("write spec");
    let spec = path.to_str().expect("a UTF-8 temp path");
    let lint = |target: &str| {
        crate::support::cli::agentc(["lint", "--format", "json", "--target", target, spec]).run()
    };
    let agents = lint("agents");
    assert_eq!(agents.code, 1, "{agents:?}");
    assert_eq!(
        agents.json()["diagnostics"][0]["rule"],
        "instruction-length"
    );
    let direct = lint("direct");
    assert_eq!(direct.code, 0, "{direct:?}");
    let compile = crate::support::cli::agentc(["compile", spec, "--target", "direct"]).run();
    assert_eq!(compile.code, 0, "{compile:?}");
    assert!(compile.stderr.is_empty(), "{compile:?}");
    let unknown = crate::support::cli::agentc(["lint", "--target", "classic", spec]).run();
    assert_eq!(unknown.code, 2, "{unknown:?}");
    assert!(
        unknown.stderr.contains("unknown target `classic`"),
        "{unknown:?}"
    );
}
