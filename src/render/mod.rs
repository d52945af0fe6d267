//! Diagnostics → text, in the formats tools expect: human (miette), JSON (a stable contract),
//! SARIF 2.1.0 (code scanning) and GitHub workflow annotations.

mod github;
mod human;
mod json;
mod sarif;

use crate::diag::{Diagnostic, Severity};
use crate::source::SourceFile;

pub use human::{HumanOptions, render_one as render_human_one};

/// The diagnostics of one file.
pub struct FileReport {
    pub file: SourceFile,
    pub diagnostics: Vec<Diagnostic>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Human,
    Json,
    Sarif,
    Github,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct Summary {
    pub files: usize,
    pub errors: usize,
    pub warnings: usize,
    pub infos: usize,
}

impl Summary {
    pub fn of(reports: &[FileReport]) -> Self {
        let mut summary = Summary {
            files: reports.len(),
            ..Summary::default()
        };
        for diagnostic in reports.iter().flat_map(|r| &r.diagnostics) {
            match diagnostic.severity {
                Severity::Error => summary.errors += 1,
                Severity::Warning => summary.warnings += 1,
                Severity::Info => summary.infos += 1,
            }
        }
        summary
    }
}

/// Render all reports in a format.
pub fn render(reports: &[FileReport], format: Format, human: &HumanOptions) -> String {
    match format {
        Format::Human => human::render(reports, human),
        Format::Json => json::render(reports),
        Format::Sarif => sarif::render(reports),
        Format::Github => github::render(reports),
    }
}

/// A diagnostic's position, 1-based, for the machine formats.
pub(crate) struct Position {
    pub line: usize,
    pub column: usize,
    pub end_line: usize,
    pub end_column: usize,
}

pub(crate) fn position(file: &SourceFile, diagnostic: &Diagnostic) -> Position {
    match diagnostic.span {
        Some(span) => {
            let start = file.line_col(span.start);
            let end = file.line_col(span.end.max(span.start));
            Position {
                line: start.line,
                column: start.column,
                end_line: end.line,
                end_column: end.column,
            }
        }
        None => Position {
            line: 1,
            column: 1,
            end_line: 1,
            end_column: 1,
        },
    }
}
