//! Property tests: whatever bytes a file holds, loading and linting it returns diagnostics and
//! never panics. Three generators: arbitrary bytes, YAML-ish text (the characters that drive
//! the YAML grammar), and spec-shaped documents with mutated lines.

use agentc::lint::LevelOverrides;
use agentc::models::ModelTable;
use agentc::spec::{LoadOptions, load_bytes};
use proptest::prelude::*;
use std::path::Path;

/// Load and lint; every position a diagnostic reports must lie inside the text.
fn load_and_lint(bytes: Vec<u8>) {
    let loaded = load_bytes(Path::new("fuzz.yaml"), bytes, &LoadOptions::default());
    let diagnostics =
        agentc::lint::lint(&loaded, ModelTable::builtin(), &LevelOverrides::default());
    for diagnostic in &diagnostics {
        if let Some(span) = diagnostic.span {
            assert!(
                span.start <= span.end && span.end <= loaded.file.text.len(),
                "{diagnostic:?}"
            );
        }
    }
    if loaded.spec.is_none() {
        assert!(
            diagnostics
                .iter()
                .any(|d| d.severity == agentc::diag::Severity::Error),
            "a file that yields no spec must say why"
        );
    }
    let report = agentc::render::FileReport {
        file: loaded.file,
        diagnostics,
    };
    let reports = [report];
    for format in [agentc::render::Format::Human, agentc::render::Format::Json] {
        let _ = agentc::render::render(&reports, format, &agentc::render::HumanOptions::default());
    }
}

/// The characters and tokens that steer a YAML parser.
fn yamlish() -> impl Strategy<Value = String> {
    let token = prop_oneof![
        Just("\n".to_string()),
        Just("  ".to_string()),
        Just("- ".to_string()),
        Just(": ".to_string()),
        Just("[".to_string()),
        Just("]".to_string()),
        Just("{".to_string()),
        Just("}".to_string()),
        Just(", ".to_string()),
        Just("&a ".to_string()),
        Just("*a".to_string()),
        Just("<<: ".to_string()),
        Just("!!str ".to_string()),
        Just("!tag ".to_string()),
        Just("? ".to_string()),
        Just("|\n".to_string()),
        Just(">-\n".to_string()),
        Just("\"".to_string()),
        Just("'".to_string()),
        Just("\\".to_string()),
        Just("#".to_string()),
        Just("---\n".to_string()),
        Just("...\n".to_string()),
        Just("\t".to_string()),
        Just("\r\n".to_string()),
        Just("%YAML 1.2\n".to_string()),
        Just("~".to_string()),
        Just("ü".to_string()),
        Just("\u{feff}".to_string()),
        "[a-z_]{1,8}",
        "-?[0-9]{1,20}(\\.[0-9]+)?",
        Just("agentc".to_string()),
        Just("name".to_string()),
        Just("action_groups".to_string()),
        Just("{{ x }}".to_string()),
    ];
    prop::collection::vec(token, 0..80).prop_map(|tokens| tokens.concat())
}

const SPEC: &str = include_str!("../fixtures/cli/valid.yaml");

/// The example spec with some lines dropped, duplicated, re-indented or cut short.
fn mutated_spec() -> impl Strategy<Value = String> {
    let lines: Vec<&'static str> = SPEC.lines().collect();
    let count = lines.len();
    prop::collection::vec((0..count, 0u8..5, 0usize..12), 0..8).prop_map(move |edits| {
        let mut lines: Vec<String> = lines.iter().map(|l| l.to_string()).collect();
        for (index, kind, amount) in edits {
            let index = index.min(lines.len().saturating_sub(1));
            if lines.is_empty() {
                break;
            }
            match kind {
                0 => {
                    lines.remove(index);
                }
                1 => {
                    let copy = lines[index].clone();
                    lines.insert(index, copy);
                }
                2 => lines[index] = format!("{}{}", " ".repeat(amount), lines[index].trim_start()),
                3 => {
                    let cut: String = lines[index].chars().take(amount).collect();
                    lines[index] = cut;
                }
                _ => lines[index] = lines[index].replace(": ", ":"),
            }
        }
        lines.join("\n")
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..2048)) {
        load_and_lint(bytes);
    }

    #[test]
    fn yamlish_text_never_panics(text in yamlish()) {
        load_and_lint(text.into_bytes());
    }

    #[test]
    fn mutated_specs_never_panic(text in mutated_spec()) {
        load_and_lint(text.into_bytes());
    }
}
