//! Byte offsets ↔ LSP positions, and document URIs → paths.
//!
//! LSP positions are 0-based lines and UTF-16 code units (the encoding every client must
//! support); agentc's spans are byte offsets. Every conversion clamps, so a position past the
//! end of a line or of the text (a client racing an edit) never panics.

use lsp_types::Position;
use std::path::PathBuf;

/// Where each line of a text starts, for position arithmetic.
#[derive(Debug, Clone)]
pub struct LineIndex {
    starts: Vec<usize>,
}

impl LineIndex {
    pub fn new(text: &str) -> Self {
        let mut starts = vec![0];
        starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        Self { starts }
    }

    /// The LSP position of a byte offset (clamped to the text and to a char boundary).
    pub fn position(&self, text: &str, offset: usize) -> Position {
        let mut offset = offset.min(text.len());
        while !text.is_char_boundary(offset) {
            offset -= 1;
        }
        let line = match self.starts.binary_search(&offset) {
            Ok(i) => i,
            Err(i) => i.saturating_sub(1),
        };
        let start = self.starts.get(line).copied().unwrap_or(0).min(offset);
        let character: usize = text[start..offset].chars().map(char::len_utf16).sum();
        Position {
            line: u32::try_from(line).unwrap_or(u32::MAX),
            character: u32::try_from(character).unwrap_or(u32::MAX),
        }
    }

    /// The byte offset of an LSP position: a line past the end is the end of the text, a
    /// character past the end of its line is the end of that line, and a position inside a
    /// surrogate pair is the start of its character.
    pub fn offset(&self, text: &str, position: Position) -> usize {
        let Some(&start) = self.starts.get(position.line as usize) else {
            return text.len();
        };
        let end = self
            .starts
            .get(position.line as usize + 1)
            .map_or(text.len(), |&next| next - 1);
        let line = &text[start..end];
        let mut units = 0usize;
        for (i, c) in line.char_indices() {
            if units + c.len_utf16() > position.character as usize {
                return start + i;
            }
            units += c.len_utf16();
        }
        end
    }

    /// The line's text (without its line break) and the byte offset it starts at.
    pub fn line<'t>(&self, text: &'t str, line: usize) -> Option<(&'t str, usize)> {
        let start = *self.starts.get(line)?;
        let end = self
            .starts
            .get(line + 1)
            .map_or(text.len(), |&next| next - 1);
        Some((text[start..end].trim_end_matches('\r'), start))
    }

    pub fn line_count(&self) -> usize {
        self.starts.len()
    }
}

/// The file a document URI names: a `file:` URI's decoded path, so that a spec's relative
/// references (OpenAPI documents, prompt templates) resolve beside it. Other schemes
/// (`untitled:`) have no file: the URI itself is the name shown, and references resolve
/// against the working directory.
pub fn uri_path(uri: &str) -> PathBuf {
    let Some(rest) = uri.strip_prefix("file://") else {
        return PathBuf::from(uri);
    };
    // `file://localhost/x` and `file:///x` name the same file.
    let path = rest.strip_prefix("localhost").unwrap_or(rest);
    let decoded = percent_decode(path);
    // `file:///C:/x` on Windows is the path `C:/x`.
    let bytes = decoded.as_bytes();
    if bytes.len() > 2 && bytes[0] == b'/' && bytes[2] == b':' && bytes[1].is_ascii_alphabetic() {
        return PathBuf::from(&decoded[1..]);
    }
    PathBuf::from(decoded)
}

/// `%20` → ` `; a `%` not followed by two hex digits is kept as it is, and bytes that do not
/// form UTF-8 are replaced (the path is then wrong, and reading beside it says so).
fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| (b as char).to_digit(16);
        if bytes[i] == b'%'
            && i + 2 < bytes.len()
            && let (Some(hi), Some(lo)) = (hex(bytes[i + 1]), hex(bytes[i + 2]))
        {
            out.push((hi * 16 + lo) as u8);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pos(line: u32, character: u32) -> Position {
        Position { line, character }
    }

    #[test]
    fn positions_count_utf16_units_and_round_trip() {
        // 'é' is 2 bytes and 1 unit; '😀' is 4 bytes and 2 units.
        let text = "ab\né: 😀x\r\nlast";
        let index = LineIndex::new(text);
        assert_eq!(index.position(text, 0), pos(0, 0));
        assert_eq!(index.position(text, 3), pos(1, 0));
        assert_eq!(index.position(text, 5), pos(1, 1));
        let x = text.find('x').unwrap();
        assert_eq!(index.position(text, x), pos(1, 5));
        for offset in [0, 2, 3, 5, 7, x, text.len()] {
            assert_eq!(index.offset(text, index.position(text, offset)), offset);
        }
    }

    #[test]
    fn out_of_range_positions_are_clamped() {
        let text = "ab\n😀\n";
        let index = LineIndex::new(text);
        assert_eq!(index.offset(text, pos(0, 99)), 2);
        assert_eq!(index.offset(text, pos(99, 0)), text.len());
        // Inside the surrogate pair: the start of the emoji.
        assert_eq!(index.offset(text, pos(1, 1)), 3);
        // Inside a multi-byte char, and past the end.
        assert_eq!(index.position(text, 4), pos(1, 0));
        assert_eq!(index.position(text, 999), pos(2, 0));
        assert_eq!(index.position("", 5), pos(0, 0));
        assert_eq!(index.line(text, 1), Some(("😀", 3)));
        assert_eq!(index.line(text, 9), None);
    }

    #[test]
    fn file_uris_become_paths() {
        assert_eq!(
            uri_path("file:///home/me/my%20agent.yaml"),
            PathBuf::from("/home/me/my agent.yaml")
        );
        assert_eq!(
            uri_path("file://localhost/a/b.yaml"),
            PathBuf::from("/a/b.yaml")
        );
        assert_eq!(
            uri_path("file:///C%3A/x/a.yaml"),
            PathBuf::from("C:/x/a.yaml")
        );
        assert_eq!(
            uri_path("untitled:Untitled-1"),
            PathBuf::from("untitled:Untitled-1")
        );
        assert_eq!(uri_path("file:///a%2"), PathBuf::from("/a%2"));
        assert_eq!(uri_path("file:///%zz%"), PathBuf::from("/%zz%"));
    }
}
