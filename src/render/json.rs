use super::{FileReport, Summary, position};
use serde_json::json;

/// The JSON contract: `{"diagnostics":[{file,line,column,end_line,end_column,rule,severity,
/// message,help}],"summary":{files,errors,warnings}}`, lines and columns 1-based.
pub fn render(reports: &[FileReport]) -> String {
    let diagnostics: Vec<_> = reports
        .iter()
        .flat_map(|report| {
            report.diagnostics.iter().map(move |d| {
                let p = position(&report.file, d);
                let related: Vec<_> = d
                    .related
                    .iter()
                    .map(|r| {
                        let at = report.file.line_col(r.span.start);
                        json!({"line": at.line, "column": at.column, "message": r.message})
                    })
                    .collect();
                json!({
                    "file": report.file.name(),
                    "line": p.line,
                    "column": p.column,
                    "end_line": p.end_line,
                    "end_column": p.end_column,
                    "rule": d.rule.as_str(),
                    "severity": d.severity,
                    "message": d.message,
                    "help": d.help,
                    "related": related,
                })
            })
        })
        .collect();
    let out = json!({ "diagnostics": diagnostics, "summary": Summary::of(reports) });
    let mut text = serde_json::to_string_pretty(&out).unwrap_or_default();
    text.push('\n');
    text
}
