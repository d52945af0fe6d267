use super::TAG_TEXT;
use crate::declare_rule;
use crate::diag::Diagnostic;
use crate::lint::LintContext;

declare_rule! {
    /// # invalid-tag
    ///
    /// A tag key or value that Bedrock rejects: keys are 1–128 characters, values at most
    /// 256, both made of letters, digits, spaces and `_ . : / = + - @`. Also more than 4
    /// `inference.stop_sequences`, which Bedrock Agents' prompt configuration does not accept.
    ///
    /// ## Why
    /// CreateAgent and TagResource reject such tags with a `ValidationException`, after the
    /// agent itself may have been created; the deploy then stops halfway.
    ///
    /// ## How to fix
    /// Shorten the key or value, and replace other characters (`#`, `,`, quotes, emoji) with
    /// allowed ones. Keep at most 4 stop sequences.
    InvalidTag {
        severity: Error,
        summary: "A tag (or stop-sequence list) that Bedrock Agents rejects.",
        targets: [Agents],
        check: check,
    }
}

fn check(rule: &InvalidTag, cx: &LintContext<'_>, out: &mut Vec<Diagnostic>) {
    for (key, value) in &cx.spec.tags {
        let pointer = format!("/tags/{}", crate::spec::yaml::pointer_segment(key));
        let key_length = key.chars().count();
        if key_length == 0 || key_length > 128 || !TAG_TEXT.is_match(key) {
            out.push(
                rule.report(format!("tag key `{key}` is not valid for Bedrock"))
                    .with_span(cx.key_span(&pointer))
                    .with_help("use 1–128 letters, digits, spaces or `_ . : / = + - @`"),
            );
        }
        if value.chars().count() > 256 || !TAG_TEXT.is_match(value) {
            out.push(
                rule.report(format!("the value of tag `{key}` is not valid for Bedrock"))
                    .with_span(cx.value_span(&pointer))
                    .with_help("use at most 256 letters, digits, spaces or `_ . : / = + - @`"),
            );
        }
    }
    if let Some(inference) = &cx.spec.inference
        && inference.stop_sequences.len() > 4
    {
        out.push(
            rule.report(format!(
                "{} stop sequences; Bedrock Agents accepts at most 4",
                inference.stop_sequences.len()
            ))
            .with_span(cx.key_span("/inference/stop_sequences"))
            .with_help("keep the 4 that matter most"),
        );
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_tag_alphabet_is_bedrocks() {
        assert!(super::TAG_TEXT.is_match("team: platform/infra@example.com"));
        assert!(!super::TAG_TEXT.is_match("cost#centre"));
    }
}
