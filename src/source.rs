//! A spec file as agentc read it: its name, its text, and the byte-offset → line/column
//! arithmetic every diagnostic needs. Kept separate from parsing so renderers never re-read files.

use std::path::{Path, PathBuf};

/// Largest spec agentc reads: far above any real agent, far below what would hurt.
pub const MAX_SPEC_BYTES: u64 = 4 * 1024 * 1024;

/// A spec as an input kind (standard input allowed as `-`).
pub const SPEC_INPUT: crate::fsio::InputKind = crate::fsio::InputKind {
    name: "a spec",
    max_bytes: MAX_SPEC_BYTES,
    stdin: true,
};

/// A byte range in a [`SourceFile`]'s text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
pub struct Span {
    pub start: usize,
    pub end: usize,
}

impl Span {
    pub fn new(start: usize, end: usize) -> Self {
        Self {
            start,
            end: end.max(start),
        }
    }

    pub fn len(&self) -> usize {
        self.end - self.start
    }

    pub fn is_empty(&self) -> bool {
        self.start == self.end
    }
}

/// A 1-based line and column (the column counts Unicode scalar values, as editors do).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct LineCol {
    pub line: usize,
    pub column: usize,
}

#[derive(Debug, Clone)]
pub struct SourceFile {
    /// The path as the user gave it (shown in diagnostics).
    pub path: PathBuf,
    pub text: String,
    line_starts: Vec<usize>,
}

impl SourceFile {
    pub fn new(path: impl Into<PathBuf>, text: impl Into<String>) -> Self {
        let text = text.into();
        let mut line_starts = vec![0];
        line_starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        Self {
            path: path.into(),
            text,
            line_starts,
        }
    }

    /// Read a spec from disk (or `-`, standard input) through [`crate::fsio`]: a regular
    /// file only, at most [`MAX_SPEC_BYTES`], UTF-8 with the bad byte located.
    pub fn read(path: impl Into<PathBuf>) -> Result<Self, crate::fsio::ReadError> {
        let path = path.into();
        let text = crate::fsio::read_text(&path, SPEC_INPUT)?;
        Ok(Self::new(path, text))
    }

    pub fn name(&self) -> String {
        self.path.display().to_string()
    }

    pub fn dir(&self) -> &Path {
        self.path.parent().unwrap_or_else(|| Path::new("."))
    }

    /// Line and column of a byte offset, clamped to the text and to a char boundary.
    pub fn line_col(&self, offset: usize) -> LineCol {
        let mut offset = offset.min(self.text.len());
        while !self.text.is_char_boundary(offset) {
            offset -= 1;
        }
        let line_index = match self.line_starts.binary_search(&offset) {
            Ok(i) => i,
            Err(i) => i - 1,
        };
        let start = self.line_starts[line_index];
        // A byte-order mark is invisible in editors: columns on the first line start after it.
        let start = if start == 0 && self.text.starts_with('\u{feff}') && offset >= 3 {
            3
        } else {
            start
        };
        let column = self.text[start..offset].chars().count() + 1;
        LineCol {
            line: line_index + 1,
            column,
        }
    }

    /// Byte offset of a 1-based line and column (column in chars); clamped.
    pub fn offset_of(&self, line: usize, column: usize) -> usize {
        let Some(&start) = self.line_starts.get(line.saturating_sub(1)) else {
            return self.text.len();
        };
        let rest = &self.text[start..];
        rest.char_indices()
            .nth(column.saturating_sub(1))
            .map_or(self.text.len(), |(i, _)| start + i)
    }

    /// The text of a 1-based line, without its newline.
    pub fn line_text(&self, line: usize) -> &str {
        let Some(&start) = self.line_starts.get(line.saturating_sub(1)) else {
            return "";
        };
        let end = self
            .line_starts
            .get(line)
            .map_or(self.text.len(), |&next| next - 1);
        self.text[start..end].trim_end_matches('\r')
    }

    pub fn line_count(&self) -> usize {
        self.line_starts.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_col_counts_chars_and_is_one_based() {
        let file = SourceFile::new("a.yaml", "ab\nçd: x\n");
        assert_eq!(file.line_col(0), LineCol { line: 1, column: 1 });
        assert_eq!(file.line_col(3), LineCol { line: 2, column: 1 });
        // 'ç' is two bytes; 'd' is the second character.
        assert_eq!(file.line_col(5), LineCol { line: 2, column: 2 });
        // Offsets inside a multi-byte char and past the end are clamped, never panic.
        assert_eq!(file.line_col(4), LineCol { line: 2, column: 1 });
        assert_eq!(file.line_col(999).line, 3);
        assert_eq!(file.offset_of(2, 2), 5);
        assert_eq!(file.line_text(2), "çd: x");
        assert_eq!(file.line_text(99), "");
    }

    #[test]
    fn read_goes_through_fsio_and_refuses_a_device() {
        let error = SourceFile::read("/dev/zero").unwrap_err();
        assert!(error.to_string().contains("character device"), "{error}");
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.yaml");
        std::fs::write(&path, "agentc: 1\n").unwrap();
        assert_eq!(SourceFile::read(&path).unwrap().line_count(), 2);
    }

    #[test]
    fn a_byte_order_mark_takes_no_column() {
        let file = SourceFile::new("bom.yaml", "\u{feff}agentc: 1\nname: x\n");
        assert_eq!(file.line_col(3), LineCol { line: 1, column: 1 });
        assert_eq!(file.line_col(0), LineCol { line: 1, column: 1 });
        assert_eq!(file.line_col(9), LineCol { line: 1, column: 7 });
        assert_eq!(file.line_col(13), LineCol { line: 2, column: 1 });
    }
}
