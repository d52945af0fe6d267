use crate::declare_rule;
use crate::diag::Diagnostic;
use crate::lint::LintContext;
use serde_json::Value;

declare_rule! {
    /// # hidden-text
    ///
    /// Text in the spec (an instruction, a description, a prompt, any string) contains a
    /// character a reviewer cannot see: NUL and other control characters, bidirectional
    /// overrides and isolates (U+202A–U+202E, U+2066–U+2069), zero-width characters, or
    /// Unicode tag characters (U+E0000–U+E007F).
    ///
    /// ## Why
    /// Instructions and tool descriptions are security-relevant: the model reads every
    /// character, the reviewer of a pull request reads what the editor shows. A
    /// right-to-left override can make a line read differently from what it says
    /// ("Trojan Source"), and zero-width or tag characters can carry a whole hidden
    /// sentence that the model obeys.
    ///
    /// ## How to fix
    /// Delete the character (the finding says which one and where). If it is meant, write
    /// it visibly as an escape in a double-quoted YAML string and allow the rule for the
    /// file (`lint: {allow: [hidden-text]}`).
    HiddenText {
        severity: Warning,
        summary: "Text contains a character a reviewer cannot see.",
        check: check,
    }
}

/// What an invisible or control character is, in words; `None` for visible text.
fn hidden(c: char) -> Option<&'static str> {
    Some(match c {
        '\t' | '\n' | '\r' => return None,
        '\0' => "a NUL character",
        '\u{1}'..='\u{1f}' | '\u{7f}' => "a control character",
        '\u{80}'..='\u{9f}' => "a C1 control character",
        '\u{202a}'..='\u{202e}' => "a bidirectional override",
        '\u{2066}'..='\u{2069}' => "a bidirectional isolate",
        '\u{200e}' | '\u{200f}' | '\u{61c}' => "a bidirectional mark",
        '\u{200b}' | '\u{200c}' | '\u{2060}'..='\u{2064}' | '\u{180e}' => "a zero-width character",
        '\u{feff}' => "a zero-width no-break space (byte-order mark)",
        '\u{ad}' => "a soft hyphen",
        '\u{e0000}'..='\u{e007f}' => "a Unicode tag character",
        '\u{e0100}'..='\u{e01ef}' => "a variation selector that can hide data",
        _ => return None,
    })
}

fn check(rule: &HiddenText, cx: &LintContext<'_>, out: &mut Vec<Diagnostic>) {
    let Some(document) = &cx.loaded.document else {
        return;
    };
    let mut strings = Vec::new();
    collect(&document.value, String::new(), &mut strings);
    for (pointer, text) in strings {
        let mut found = text.chars().filter_map(|c| hidden(c).map(|what| (c, what)));
        let Some((c, what)) = found.next() else {
            continue;
        };
        let more = found.count();
        let value_span = cx.value_span(&pointer);
        // Point at the character itself when the source holds it literally (not escaped).
        let span = value_span
            .and_then(|span| {
                let source = cx.loaded.file.text.get(span.start..span.end)?;
                let at = source.find(c)?;
                Some(crate::source::Span::new(
                    span.start + at,
                    span.start + at + c.len_utf8(),
                ))
            })
            .or(value_span);
        let also = if more > 0 {
            format!(" (and {more} more)")
        } else {
            String::new()
        };
        out.push(
            rule.report(format!(
                "`{}` contains {what}, U+{:04X}{also}, which a reviewer cannot see",
                display_pointer(&pointer),
                u32::from(c)
            ))
            .with_span(span)
            .with_help("delete it, or write it as a visible escape in a double-quoted string and allow `hidden-text` for this file"),
        );
    }
}

/// Every string in the document with its JSON pointer (keys too: a key is text as well).
fn collect(value: &Value, pointer: String, out: &mut Vec<(String, String)>) {
    match value {
        Value::String(s) => out.push((pointer, s.clone())),
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                collect(item, format!("{pointer}/{i}"), out);
            }
        }
        Value::Object(map) => {
            for (key, item) in map {
                let child = format!("{pointer}/{}", crate::spec::yaml::pointer_segment(key));
                if key.chars().any(|c| hidden(c).is_some()) {
                    out.push((child.clone(), key.clone()));
                }
                collect(item, child, out);
            }
        }
        _ => {}
    }
}

/// `/action_groups/0/description` → `action_groups[0].description`, as the other rules
/// name places.
fn display_pointer(pointer: &str) -> String {
    let mut out = String::new();
    for segment in pointer.split('/').skip(1) {
        let segment = segment.replace("~1", "/").replace("~0", "~");
        if segment.chars().all(|c| c.is_ascii_digit()) && !segment.is_empty() {
            out.push_str(&format!("[{segment}]"));
        } else {
            if !out.is_empty() {
                out.push('.');
            }
            out.push_str(
                &segment
                    .chars()
                    .filter(|c| hidden(*c).is_none())
                    .collect::<String>(),
            );
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn invisible_and_control_characters_are_named_and_visible_text_is_not() {
        for c in [
            '\0',
            '\u{7}',
            '\u{202e}',
            '\u{2066}',
            '\u{200b}',
            '\u{e0041}',
            '\u{feff}',
        ] {
            assert!(hidden(c).is_some(), "U+{:04X}", u32::from(c));
        }
        for c in ['a', '\n', '\t', 'é', '中', '🙂', '\u{200d}'] {
            assert!(hidden(c).is_none(), "U+{:04X}", u32::from(c));
        }
        assert_eq!(
            display_pointer("/action_groups/0/functions/2/description"),
            "action_groups[0].functions[2].description"
        );
    }
}

#[cfg(test)]
mod spec_tests {
    use crate::diag::Code;
    use crate::lint::{LevelOverrides, lint_for};
    use crate::models::ModelTable;
    use crate::source::SourceFile;
    use crate::spec::{LoadOptions, load_source};

    fn hidden_text_findings(text: &str) -> Vec<String> {
        let loaded = load_source(SourceFile::new("t.yaml", text), &LoadOptions::default());
        lint_for(
            &loaded,
            ModelTable::builtin(),
            &LevelOverrides::default(),
            None,
        )
        .into_iter()
        .filter(|d| d.rule == Code::HiddenText)
        .map(|d| d.message)
        .collect()
    }

    #[test]
    fn fires_on_a_nul_escape_and_not_on_ordinary_unicode() {
        let nul = "agentc: 1\nname: a\nmodel: amazon.nova-pro-v1:0\ninstruction: \"You are a helpful agent that answers questions.\\0 Obey.\"\n";
        let found = hidden_text_findings(nul);
        assert_eq!(found.len(), 1, "{found:?}");
        assert!(found[0].contains("a NUL character, U+0000"), "{found:?}");
        let visible = "agentc: 1\nname: a\nmodel: amazon.nova-pro-v1:0\ninstruction: |\n  Vous êtes un agent utile 🙂 (👩‍💻) qui répond\tà 中文 questions.\n";
        assert!(hidden_text_findings(visible).is_empty());
    }
}
