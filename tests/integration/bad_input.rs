//! Every kind of bad input from the issue, through the real binary: each one gets a clear error
//! at a file, line and column, exit status 1 (2 when the path itself cannot be read), and never
//! a panic, an abort (a stack overflow kills the process with a signal) or a hang.

use crate::support::cli::{self, Run};
use std::path::{Path, PathBuf};

fn agentc(dir: &Path, args: &[&str]) -> Run {
    cli::agentc(args).current_dir(dir).run()
}

/// A spec file in a fresh directory.
fn spec(name: &str, bytes: impl AsRef<[u8]>) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join(name);
    std::fs::write(&path, bytes).expect("write spec");
    (dir, path)
}

/// Lint one bad file in both formats and check the finding: exit 1, the rule, the position in
/// JSON, `file:line:col` in the human output, and (if given) words of the message.
fn assert_finding(
    name: &str,
    bytes: impl AsRef<[u8]>,
    rule: &str,
    line: usize,
    column: usize,
    words: &[&str],
) {
    let (dir, _) = spec(name, bytes);
    let human = agentc(dir.path(), &["lint", name]);
    assert_eq!(
        human.code, 1,
        "{name}: exit status\n{}{}",
        human.stdout, human.stderr
    );
    let location = format!("{name}:{line}:{column}");
    assert!(
        human.stdout.contains(&location),
        "{name}: `{location}` not in\n{}",
        human.stdout
    );
    assert!(
        human.stdout.contains(rule),
        "{name}: rule `{rule}` not in\n{}",
        human.stdout
    );
    assert!(
        human.stdout.lines().count() < 60,
        "{name}: output is too long:\n{}",
        human.stdout
    );

    let json = agentc(dir.path(), &["lint", "--format", "json", name]);
    assert_eq!(json.code, 1, "{name}: exit status with --format json");
    let report: serde_json::Value = serde_json::from_str(&json.stdout).expect("JSON output");
    let finding = report["diagnostics"]
        .as_array()
        .expect("diagnostics")
        .iter()
        .find(|d| d["rule"] == rule)
        .unwrap_or_else(|| panic!("{name}: no `{rule}` finding in {report:#}"));
    assert_eq!(finding["file"], name);
    assert_eq!(
        (finding["line"].as_u64(), finding["column"].as_u64()),
        (Some(line as u64), Some(column as u64)),
        "{name}: {finding:#}"
    );
    assert_eq!(finding["severity"], "error");
    let message = finding["message"].as_str().expect("message");
    for word in words {
        assert!(
            message.contains(word) || finding["help"].as_str().is_some_and(|h| h.contains(word)),
            "{name}: `{word}` not in {finding:#}"
        );
    }
    assert!(report["summary"]["errors"].as_u64() >= Some(1));
}

const VALID_HEAD: &str = "agentc: 1\nname: infra-assistant\nmodel: amazon.nova-pro-v1:0\ninstruction: You are an infrastructure assistant. Answer questions about service health.\n";

#[test]
fn malformed_yaml_is_located() {
    assert_finding(
        "unclosed.yaml",
        format!("{VALID_HEAD}tags:\n  team: [platform, sre\n  owner: sre\n"),
        "yaml-syntax",
        7,
        8,
        &["invalid YAML"],
    );
    assert_finding(
        "quote.yaml",
        "agentc: 1\nname: \"infra-assistant\n",
        "yaml-syntax",
        2,
        7,
        &["unclosed quote"],
    );
    assert_finding(
        "tab.yaml",
        "agentc: 1\nname: x\n\tmodel: y\n",
        "yaml-syntax",
        2,
        7,
        &["tab"],
    );
}

#[test]
fn wrong_types_are_located() {
    assert_finding(
        "types.yaml",
        format!("{VALID_HEAD}inference:\n  max_tokens: lots\n"),
        "invalid-type",
        6,
        15,
        &["max_tokens", "integer"],
    );
    assert_finding(
        "list.yaml",
        "agentc: 1\n- name: x\n",
        "yaml-syntax",
        2,
        3,
        &["invalid YAML"],
    );
    assert_finding(
        "scalar.yaml",
        "just a sentence\n",
        "invalid-type",
        1,
        1,
        &["mapping"],
    );
}

#[test]
fn unknown_keys_suggest_the_closest_valid_key() {
    assert_finding(
        "unknown.yaml",
        format!("{VALID_HEAD}descripton: Answers questions.\n"),
        "unknown-key",
        5,
        1,
        &["descripton", "did you mean `description`?"],
    );
}

#[test]
fn duplicate_keys_point_at_the_second_one() {
    assert_finding(
        "dup.yaml",
        format!("{VALID_HEAD}model: amazon.nova-lite-v1:0\n"),
        "duplicate-key",
        5,
        1,
        &["model"],
    );
}

#[test]
fn alias_bomb_is_refused() {
    let mut bomb = String::from(
        "agentc: 1\na: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n",
    );
    let names = ["a", "b", "c", "d", "e", "f", "g", "h", "i"];
    for pair in names.windows(2) {
        let (prev, name) = (pair[0], pair[1]);
        let refs = vec![format!("*{prev}"); 9].join(",");
        bomb.push_str(&format!("{name}: &{name} [{refs}]\n"));
    }
    assert_finding("bomb.yaml", bomb, "yaml-syntax", 7, 8, &["alias bomb"]);
}

#[test]
fn deep_flow_nesting_is_refused() {
    assert_finding(
        "flow.yaml",
        "[".repeat(30_000),
        "yaml-syntax",
        1,
        33,
        &["nests too deeply"],
    );
}

#[test]
fn deep_block_nesting_is_refused() {
    assert_finding(
        "block.yaml",
        "- ".repeat(30_000) + "x\n",
        "yaml-syntax",
        1,
        65,
        &["nests deeper"],
    );
    // Block mappings need one more space per level, so 30,000 levels would be 450 MB; a
    // thousand levels is already far beyond the limit.
    let mapping: String = (0..1_000)
        .map(|depth| format!("{}k:\n", " ".repeat(depth)))
        .collect();
    assert_finding(
        "mapping.yaml",
        mapping,
        "yaml-syntax",
        33,
        33,
        &["nests deeper"],
    );
}

#[test]
fn a_50_megabyte_file_is_refused_without_reading_it_all() {
    let line = format!("  {}\n", "x".repeat(98));
    let big = format!(
        "{VALID_HEAD}vars:\n  blob: |\n{}",
        line.repeat(50 * 1024 * 1024 / line.len())
    );
    assert!(big.len() >= 50 * 1024 * 1024);
    assert_finding("big.yaml", big, "yaml-syntax", 1, 1, &["larger than"]);
}

#[test]
fn invalid_utf8_points_at_the_first_bad_byte() {
    assert_finding(
        "latin1.yaml",
        b"agentc: 1\nname: caf\xe9-assistant\n",
        "yaml-syntax",
        2,
        10,
        &["UTF-8"],
    );
}

#[test]
fn an_empty_file_is_an_error() {
    assert_finding("empty.yaml", "", "missing-key", 1, 1, &["empty"]);
    assert_finding(
        "blank.yaml",
        "\n  \n# only a comment\n",
        "missing-key",
        1,
        1,
        &["no YAML document"],
    );
}

#[test]
fn a_missing_file_or_unreadable_path_exits_2() {
    let dir = tempfile::tempdir().expect("temp dir");
    let run = agentc(dir.path(), &["lint", "nowhere.yaml"]);
    assert_eq!(run.code, 2, "{}{}", run.stdout, run.stderr);
    assert!(run.stderr.contains("nowhere.yaml"), "{}", run.stderr);
    let run = agentc(dir.path(), &["lint", "--format", "json", "missing-dir/"]);
    assert_eq!(run.code, 2, "{}{}", run.stdout, run.stderr);
    assert!(run.stderr.contains("missing-dir"), "{}", run.stderr);
}

#[test]
fn a_missing_openapi_file_is_located_at_its_reference() {
    let text = format!(
        "{VALID_HEAD}action_groups:\n  - name: orders\n    description: Orders API.\n    executor: return_control\n    openapi: api/orders.yaml\n"
    );
    assert_finding(
        "openapi.yaml",
        text,
        "invalid-openapi",
        9,
        14,
        &["api/orders.yaml", "cannot read"],
    );
}

#[test]
fn an_s3_openapi_reference_needs_a_local_copy_and_an_s3_uri() {
    let group = "action_groups:\n  - name: orders\n    description: Orders API.\n    executor: return_control\n";
    assert_finding(
        "s3-only.yaml",
        format!("{VALID_HEAD}{group}    openapi_s3: s3://agent-schemas/orders.yaml\n"),
        "missing-key",
        9,
        5,
        &["openapi_s3", "local copy"],
    );
    assert_finding(
        "s3-uri.yaml",
        format!(
            "{VALID_HEAD}{group}    functions: [{{name: list_orders, description: List orders.}}]\n    openapi_s3: https://example.com/orders.yaml\n"
        ),
        "invalid-value",
        10,
        17,
        &["does not match"],
    );
}

#[test]
fn an_openapi_file_without_operation_ids_is_located_at_its_reference() {
    let text = format!(
        "{VALID_HEAD}action_groups:\n  - name: orders\n    description: Orders API.\n    executor: return_control\n    openapi: orders.json\n"
    );
    let (dir, _) = spec("spec.yaml", text);
    std::fs::write(
        dir.path().join("orders.json"),
        r#"{"openapi": "3.0.0", "info": {"title": "Orders", "version": "1"},
            "paths": {"/orders": {"get": {"summary": "List orders."}, "post": {"summary": "Create an order."}}}}"#,
    )
    .expect("write OpenAPI");
    let run = agentc(dir.path(), &["lint", "--format", "json", "spec.yaml"]);
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    let report: serde_json::Value = serde_json::from_str(&run.stdout).expect("JSON");
    let findings: Vec<_> = report["diagnostics"]
        .as_array()
        .expect("list")
        .iter()
        .filter(|d| d["rule"] == "invalid-openapi")
        .collect();
    // Both operations are reported at once, each at the `openapi:` value.
    assert_eq!(findings.len(), 2, "{report:#}");
    for finding in findings {
        assert_eq!(
            (finding["line"].as_u64(), finding["column"].as_u64()),
            (Some(9), Some(14))
        );
        assert!(
            finding["message"]
                .as_str()
                .is_some_and(|m| m.contains("operationId")),
            "{finding:#}"
        );
    }
    let human = agentc(dir.path(), &["lint", "spec.yaml"]);
    assert!(human.stdout.contains("spec.yaml:9:14"), "{}", human.stdout);
}

#[test]
fn binary_garbage_is_an_error_not_a_crash() {
    let garbage: Vec<u8> = (0..4096u32)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
        .collect();
    let (dir, _) = spec("garbage.yaml", garbage);
    let run = agentc(dir.path(), &["lint", "--format", "json", "garbage.yaml"]);
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    let report: serde_json::Value = serde_json::from_str(&run.stdout).expect("JSON");
    assert_eq!(report["diagnostics"][0]["rule"], "yaml-syntax");
}

#[test]
fn thousands_of_findings_are_all_reported() {
    let mut text = VALID_HEAD.to_string();
    for i in 0..5_000 {
        text.push_str(&format!("unknown_{i}: 1\n"));
    }
    let (dir, _) = spec("many.yaml", text);
    let run = agentc(dir.path(), &["lint", "--format", "json", "many.yaml"]);
    assert_eq!(run.code, 1);
    let report: serde_json::Value = serde_json::from_str(&run.stdout).expect("JSON");
    assert_eq!(report["summary"]["errors"], 5_000);
    assert_eq!(report["diagnostics"][4_999]["line"], 5_004);
    let human = agentc(dir.path(), &["lint", "many.yaml"]);
    assert_eq!(human.code, 1);
    assert!(human.stdout.contains("many.yaml:5004:1"));
    assert!(
        human
            .stdout
            .ends_with("1 file checked: 5000 errors, 0 warnings\n")
    );
}

#[test]
fn an_openapi_path_to_a_device_or_directory_is_an_error_not_a_hang() {
    for target in ["/dev/zero", ".", "/dev/null"] {
        let text = format!(
            "{VALID_HEAD}action_groups:\n  - name: orders\n    description: Orders API.\n    executor: return_control\n    openapi: {target}\n"
        );
        let (dir, _) = spec("spec.yaml", text);
        let run = agentc(dir.path(), &["lint", "--format", "json", "spec.yaml"]);
        assert_eq!(run.code, 1, "{target}: {}{}", run.stdout, run.stderr);
        let report: serde_json::Value = serde_json::from_str(&run.stdout).expect("JSON");
        assert!(
            report["diagnostics"]
                .as_array()
                .expect("list")
                .iter()
                .any(|d| d["rule"] == "invalid-openapi" && d["line"] == 9),
            "{target}: {report:#}"
        );
    }
}
