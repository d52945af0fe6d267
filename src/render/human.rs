use super::{FileReport, Summary};
use crate::diag::{Diagnostic, Severity};
use crate::source::SourceFile;
use miette::{
    GraphicalReportHandler, GraphicalTheme, LabeledSpan, MietteDiagnostic, NamedSource, Report,
};

#[derive(Debug, Clone, Copy, Default)]
pub struct HumanOptions {
    pub color: bool,
}

pub fn render(reports: &[FileReport], options: &HumanOptions) -> String {
    let mut out = String::new();
    for report in reports {
        for diagnostic in &report.diagnostics {
            out.push_str(&render_one(&report.file, diagnostic, options));
        }
    }
    let summary = Summary::of(reports);
    let plural = |n: usize, word: &str| format!("{n} {word}{}", if n == 1 { "" } else { "s" });
    if summary.errors + summary.warnings + summary.infos == 0 {
        out.push_str(&format!(
            "{} checked: no problems found\n",
            plural(summary.files, "file")
        ));
    } else {
        out.push_str(&format!(
            "{} checked: {}, {}\n",
            plural(summary.files, "file"),
            plural(summary.errors, "error"),
            plural(summary.warnings, "warning"),
        ));
    }
    out
}

/// One diagnostic with its source excerpt and caret, as miette draws it.
pub fn render_one(file: &SourceFile, diagnostic: &Diagnostic, options: &HumanOptions) -> String {
    let severity = match diagnostic.severity {
        Severity::Error => miette::Severity::Error,
        Severity::Warning => miette::Severity::Warning,
        Severity::Info => miette::Severity::Advice,
    };
    let mut labels = Vec::new();
    let text_len = file.text.len();
    if let Some(span) = diagnostic.span {
        let start = span.start.min(text_len);
        let len = span.len().min(text_len - start);
        labels.push(LabeledSpan::new_primary_with_span(
            Some(diagnostic.rule.to_string()),
            (start, len),
        ));
    }
    for related in &diagnostic.related {
        let start = related.span.start.min(text_len);
        let len = related.span.len().min(text_len - start);
        labels.push(LabeledSpan::new_with_span(
            Some(related.message.clone()),
            (start, len),
        ));
    }
    let mut miette_diagnostic = MietteDiagnostic::new(diagnostic.message.clone())
        .with_code(diagnostic.rule)
        .with_severity(severity)
        .with_labels(labels);
    if let Some(help) = &diagnostic.help {
        miette_diagnostic = miette_diagnostic.with_help(help.clone());
    }
    let report = Report::new(miette_diagnostic)
        .with_source_code(NamedSource::new(file.name(), file.text.clone()));
    let theme = if options.color {
        GraphicalTheme::unicode()
    } else {
        GraphicalTheme::unicode_nocolor()
    };
    let handler = GraphicalReportHandler::new_themed(theme)
        .with_width(100)
        .with_links(false)
        .with_context_lines(1);
    let mut out = String::new();
    if handler.render_report(&mut out, report.as_ref()).is_err() {
        out = format!(
            "{}: {} [{}]\n",
            file.name(),
            diagnostic.message,
            diagnostic.rule
        );
    }
    if diagnostic.span.is_none() {
        // Without a span miette does not name the file; keep it visible.
        out = format!("{}:\n{out}", file.name());
    }
    out.push('\n');
    out
}
