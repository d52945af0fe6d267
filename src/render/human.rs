use super::{FileReport, Summary};
use crate::diag::{Diagnostic, Severity};
use crate::source::{SourceFile, Span};
use miette::{
    GraphicalReportHandler, GraphicalTheme, LabeledSpan, MietteDiagnostic, MietteError,
    MietteSpanContents, Report, SourceCode, SourceSpan, SpanContents,
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
    // Problems of the whole file (empty, too large) have no span: point at its start, so the
    // header still names the file, line and column like every other finding.
    let primary = diagnostic.span.unwrap_or(Span::new(0, 0));
    let at = file.line_col(primary.start);
    let name = format!("{}:{}:{}", file.name(), at.line, at.column);
    // Related places far from the finding are named in the help instead of drawn, so that an
    // excerpt stays a few lines long however far apart they are.
    let (near, far): (Vec<_>, Vec<_>) = diagnostic.related.iter().partition(|related| {
        file.line_col(related.span.start).line.abs_diff(at.line) <= MAX_RELATED_DISTANCE
    });
    let mut lines = (at.line, file.line_col(primary.end).line);
    for related in &near {
        lines.0 = lines.0.min(file.line_col(related.span.start).line);
        lines.1 = lines.1.max(file.line_col(related.span.end).line);
    }
    let excerpt = Excerpt::new(file, lines, primary.start);
    let mut labels = vec![LabeledSpan::new_primary_with_span(
        Some(diagnostic.rule.to_string()),
        excerpt.span(primary),
    )];
    for related in near {
        labels.push(LabeledSpan::new_with_span(
            Some(related.message.clone()),
            excerpt.span(related.span),
        ));
    }
    let far_notes: Vec<String> = far
        .iter()
        .map(|related| {
            format!(
                "{}: line {}",
                related.message,
                file.line_col(related.span.start).line
            )
        })
        .collect();
    let help = match (&diagnostic.help, far_notes.is_empty()) {
        (Some(help), true) => Some(help.clone()),
        (Some(help), false) => Some(format!("{help} ({})", far_notes.join("; "))),
        (None, false) => Some(far_notes.join("; ")),
        (None, true) => None,
    };
    let mut miette_diagnostic = MietteDiagnostic::new(diagnostic.message.clone())
        .with_code(diagnostic.rule.as_str())
        .with_severity(severity)
        .with_labels(labels);
    if let Some(help) = help {
        miette_diagnostic = miette_diagnostic.with_help(help);
    }
    // The position in the header is ours (the same line and column as the JSON output), not
    // miette's, which would count in the excerpt.
    let report = Report::new(miette_diagnostic).with_source_code(excerpt.named(name.clone()));
    let theme = if options.color {
        GraphicalTheme::unicode()
    } else {
        GraphicalTheme::unicode_nocolor()
    };
    let handler = GraphicalReportHandler::new_themed(theme)
        .with_width(100)
        .with_links(false)
        .with_context_lines(1)
        .without_primary_span_start();
    let mut out = String::new();
    if handler.render_report(&mut out, report.as_ref()).is_err() {
        out = format!("{name}: {} [{}]\n", diagnostic.message, diagnostic.rule);
    }
    out.push('\n');
    out
}

/// Longest line shown whole; longer lines (minified JSON, `[[[[…` thirty thousand deep) are cut
/// to a window around the finding, so one diagnostic never prints megabytes.
const MAX_LINE_CHARS: usize = 120;

/// Related places (e.g. "first defined here") at most this many lines away are drawn.
const MAX_RELATED_DISTANCE: usize = 12;

/// The few lines of a file that one diagnostic shows, with over-long lines cut down, and the
/// way to move a span of the file into them. Building it costs the lines shown, not the file,
/// so a file with thousands of findings renders in linear time.
struct Excerpt {
    name: String,
    text: String,
    /// 0-based index, in the file, of the excerpt's first line.
    first_line: usize,
    /// (start in the file, end in the file, start in `text`) of each piece kept.
    kept: Vec<(usize, usize, usize)>,
}

impl Excerpt {
    /// Lines `lines.0..=lines.1` (1-based) and one line of context on each side.
    fn new(file: &SourceFile, lines: (usize, usize), focus: usize) -> Self {
        let first = lines.0.saturating_sub(1).max(1);
        let last = (lines.1 + 1).min(file.line_count());
        let source = &file.text;
        let mut text = String::new();
        let mut kept = Vec::new();
        for number in first..=last {
            let line_start = file.offset_of(number, 1).min(source.len());
            let line_end = if number < file.line_count() {
                file.offset_of(number + 1, 1)
                    .min(source.len())
                    .max(line_start)
            } else {
                source.len()
            };
            let line = &source[line_start..line_end];
            let content = line.trim_end_matches(['\n', '\r']);
            let chars = content.chars().count();
            if chars <= MAX_LINE_CHARS {
                kept.push((line_start, line_end, text.len()));
                text.push_str(line);
                continue;
            }
            // A window of MAX_LINE_CHARS characters, centred on the focus if it is on this line.
            let focus_char = if (line_start..=line_start + content.len()).contains(&focus) {
                content[..floor_char_boundary(content, focus - line_start)]
                    .chars()
                    .count()
            } else {
                0
            };
            let window_start = focus_char
                .saturating_sub(MAX_LINE_CHARS / 2)
                .min(chars - MAX_LINE_CHARS);
            let byte_at = |char_index: usize| {
                content
                    .char_indices()
                    .nth(char_index)
                    .map_or(content.len(), |(i, _)| i)
            };
            let (from, to) = (
                byte_at(window_start),
                byte_at(window_start + MAX_LINE_CHARS),
            );
            if from > 0 {
                text.push('…');
            }
            kept.push((line_start + from, line_start + to, text.len()));
            text.push_str(&content[from..to]);
            if to < content.len() {
                text.push('…');
            }
            kept.push((line_start + content.len(), line_end, text.len()));
            text.push_str(&line[content.len()..]);
        }
        Self {
            name: String::new(),
            text,
            first_line: first - 1,
            kept,
        }
    }

    fn named(mut self, name: String) -> Self {
        self.name = name;
        self
    }

    /// Where a file offset lands in the excerpt (text cut out or outside the excerpt maps to
    /// the nearest kept edge).
    fn offset(&self, offset: usize) -> usize {
        for &(start, end, at) in &self.kept {
            if offset < start {
                return at;
            }
            if offset <= end {
                return at + (offset - start);
            }
        }
        self.text.len()
    }

    fn span(&self, span: Span) -> (usize, usize) {
        let start = self.offset(span.start);
        let end = self.offset(span.end).max(start);
        (start, end - start)
    }
}

/// miette reads the excerpt as if it were the file: line numbers are the file's.
impl SourceCode for Excerpt {
    fn read_span<'a>(
        &'a self,
        span: &SourceSpan,
        context_lines_before: usize,
        context_lines_after: usize,
    ) -> Result<Box<dyn SpanContents<'a> + 'a>, MietteError> {
        let contents = self
            .text
            .read_span(span, context_lines_before, context_lines_after)?;
        Ok(Box::new(MietteSpanContents::new_named(
            self.name.clone(),
            contents.data(),
            *contents.span(),
            contents.line() + self.first_line,
            contents.column(),
            contents.line_count(),
        )))
    }
}

fn floor_char_boundary(text: &str, mut index: usize) -> usize {
    index = index.min(text.len());
    while !text.is_char_boundary(index) {
        index -= 1;
    }
    index
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_lines_are_cut_around_the_finding_and_spans_follow() {
        let source = format!("a: 1\n{}X{}\nb: 2\n", "[".repeat(5_000), "]".repeat(5_000));
        let x = source.find('X').expect("marker");
        let file = SourceFile::new("long.yaml", source.clone());
        let excerpt = Excerpt::new(&file, (2, 2), x);
        assert!(
            excerpt.text.chars().count() < 2 * MAX_LINE_CHARS + 20,
            "{}",
            excerpt.text.len()
        );
        let (start, len) = excerpt.span(Span::new(x, x + 1));
        assert_eq!(&excerpt.text[start..start + len], "X");
        assert!(excerpt.text.starts_with("a: 1\n…"));
        assert!(excerpt.text.ends_with("…\nb: 2\n"));
        // Offsets in the cut-out text land on the edge of what is kept, never out of bounds.
        let (start, _) = excerpt.span(Span::new(10, 20));
        assert!(excerpt.text.is_char_boundary(start));
    }

    #[test]
    fn findings_without_a_span_still_name_file_line_and_column() {
        let file = SourceFile::new("specs/empty.yaml", "");
        let diagnostic = Diagnostic::error(crate::diag::Code::MissingKey, "the file is empty");
        let out = render_one(&file, &diagnostic, &HumanOptions::default());
        assert!(out.contains("specs/empty.yaml:1:1"), "{out}");
        assert!(out.contains("the file is empty"), "{out}");
    }
}
