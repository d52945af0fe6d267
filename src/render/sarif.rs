use super::{FileReport, position};
use crate::diag::Severity;
use crate::lint::registry;
use serde_json::json;

/// SARIF 2.1.0, as GitHub code scanning and other SAST dashboards read it.
pub fn render(reports: &[FileReport]) -> String {
    let level = |s: Severity| match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "note",
    };
    let rules: Vec<_> = registry()
        .iter()
        .map(|rule| {
            json!({
                "id": rule.id(),
                "name": rule.id(),
                "shortDescription": {"text": rule.summary()},
                "fullDescription": {"text": rule.summary()},
                "help": {"text": rule.doc(), "markdown": rule.doc()},
                "defaultConfiguration": {"level": level(rule.default_severity())},
            })
        })
        .collect();
    let results: Vec<_> = reports
        .iter()
        .flat_map(|report| {
            report.diagnostics.iter().map(move |d| {
                let p = position(&report.file, d);
                let text = match &d.help {
                    Some(help) => format!("{} ({help})", d.message),
                    None => d.message.clone(),
                };
                json!({
                    "ruleId": d.rule.as_str(),
                    "level": level(d.severity),
                    "message": {"text": text},
                    "locations": [{
                        "physicalLocation": {
                            "artifactLocation": {"uri": uri(&report.file.name())},
                            "region": {
                                "startLine": p.line,
                                "startColumn": p.column,
                                "endLine": p.end_line,
                                "endColumn": p.end_column,
                            }
                        }
                    }]
                })
            })
        })
        .collect();
    let out = json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "agentc",
                "version": env!("CARGO_PKG_VERSION"),
                "rules": rules,
            }},
            "results": results,
        }]
    });
    let mut text = serde_json::to_string_pretty(&out).unwrap_or_default();
    text.push('\n');
    text
}

/// SARIF wants URIs: forward slashes, relative paths kept relative.
fn uri(path: &str) -> String {
    path.replace('\\', "/").trim_start_matches("./").to_string()
}
