//! YAML text → a tree of nodes that remember where they came from.
//!
//! serde-saphyr does the parsing because it is the one YAML crate that survived every hostile
//! input we threw at it (alias bombs, 30,000-deep flow and block nesting) through its own
//! budgets, without aborting the process. Everything downstream works on the JSON value this
//! module produces, and finds its way back to the text through [`SpanIndex`] by JSON pointer.

use crate::diag::Diagnostic;
use crate::source::{SourceFile, Span};
use serde::de::{self, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_saphyr::Spanned;
use std::collections::HashMap;
use std::fmt;

/// Hard cap on the size of one spec. An agent spec is a few kilobytes; anything beyond this is
/// a wrong file, and refusing it early keeps pre-commit hooks fast.
pub const MAX_SPEC_BYTES: usize = 4 * 1024 * 1024;

/// Deepest nesting accepted in a spec.
pub const MAX_DEPTH: usize = 32;

/// Where a value (and the key that names it, inside a mapping) sits in the text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NodeSpans {
    pub key: Option<Span>,
    pub value: Span,
}

/// JSON pointer (RFC 6901) → spans, for every node of the document.
#[derive(Debug, Default, Clone)]
pub struct SpanIndex {
    spans: HashMap<String, NodeSpans>,
}

impl SpanIndex {
    pub fn get(&self, pointer: &str) -> Option<NodeSpans> {
        self.spans.get(pointer).copied()
    }

    /// The best span to underline for a problem with the value at `pointer`: the value itself,
    /// or the closest ancestor that has a span.
    pub fn value(&self, pointer: &str) -> Option<Span> {
        self.lookup(pointer).map(|s| s.value)
    }

    /// The key that names the value at `pointer` (falling back to the value, then to ancestors).
    pub fn key(&self, pointer: &str) -> Option<Span> {
        self.lookup(pointer).map(|s| s.key.unwrap_or(s.value))
    }

    /// The whole text of the node at `pointer`, from its key (if any) to the end of its last
    /// descendant: a block mapping's own span is only the point where it starts.
    pub fn extent(&self, pointer: &str) -> Option<Span> {
        let own = self.spans.get(pointer)?;
        let start = own
            .key
            .map_or(own.value.start, |k| k.start.min(own.value.start));
        let prefix = format!("{pointer}/");
        let end = self
            .spans
            .iter()
            .filter(|(p, _)| p.starts_with(&prefix))
            .map(|(_, s)| s.value.end)
            .fold(own.value.end, usize::max);
        Some(Span::new(start, end))
    }

    fn lookup(&self, pointer: &str) -> Option<NodeSpans> {
        let mut pointer = pointer;
        loop {
            if let Some(spans) = self.spans.get(pointer) {
                return Some(*spans);
            }
            if pointer.is_empty() {
                return None;
            }
            pointer = pointer.rfind('/').map_or("", |i| &pointer[..i]);
        }
    }
}

/// Escape one JSON pointer segment (`~` → `~0`, `/` → `~1`).
pub fn pointer_segment(segment: &str) -> String {
    segment.replace('~', "~0").replace('/', "~1")
}

/// Join a JSON pointer and a segment.
pub fn child_pointer(parent: &str, segment: impl fmt::Display) -> String {
    format!("{parent}/{}", pointer_segment(&segment.to_string()))
}

/// The parsed document: a JSON value for the schema and serde, and the way back to the text.
#[derive(Debug, Clone)]
pub struct Document {
    pub value: serde_json::Value,
    pub spans: SpanIndex,
}

/// Parse YAML text. Syntax errors, resource-budget breaches and duplicate keys come back as
/// diagnostics; the document is `None` only when nothing usable could be read.
pub fn parse(file: &SourceFile) -> (Option<Document>, Vec<Diagnostic>) {
    let mut diagnostics = Vec::new();
    if file.text.trim().is_empty() {
        diagnostics.push(
            Diagnostic::error(crate::diag::Code::MissingKey, "the file is empty")
                .with_help("an agent spec needs at least `agentc: 1`, `name`, `model` and `instruction`; see `agentc schema`"),
        );
        return (None, diagnostics);
    }
    let mut budget = serde_saphyr::Budget::default();
    // An agent spec nests about eight levels deep; a tight limit keeps the recursive
    // deserializer far from the stack's end even in debug builds on 2 MiB threads.
    budget.max_depth = MAX_DEPTH;
    budget.flow_nesting_limit = MAX_DEPTH;
    budget.max_nodes = 100_000;
    let options = serde_saphyr::options! {
        duplicate_keys: serde_saphyr::DuplicateKeyPolicy::PassThrough,
        with_snippet: false,
        budget: Some(budget),
        // YAML 1.2: only `true`/`false` are booleans; `yes`, `no`, `on`, `y` stay strings
        // (a key named `y` or a country code `NO` must not turn into a boolean).
        strict_booleans: true,
    };
    let root: Spanned<RawNode> = match serde_saphyr::from_str_with_options(&file.text, options) {
        Ok(root) => root,
        Err(error) => {
            diagnostics.push(syntax_error(file, &error));
            return (None, diagnostics);
        }
    };
    let mut spans = SpanIndex::default();
    let value = to_json(
        file,
        &root,
        String::new(),
        None,
        &mut spans,
        &mut diagnostics,
    );
    (Some(Document { value, spans }), diagnostics)
}

fn syntax_error(file: &SourceFile, error: &serde_saphyr::Error) -> Diagnostic {
    let span = error.location().map(|location| {
        let start = location
            .span()
            .byte_offset()
            .map(|b| b as usize)
            .unwrap_or_else(|| {
                file.offset_of(location.line() as usize, location.column() as usize)
            });
        let len = location.span().byte_len().unwrap_or(0) as usize;
        Span::new(start, start + len.max(1)).clamp_to(file.text.len())
    });
    let (message, help) = match syntax_message(error) {
        SyntaxMessage::TooComplex(message) => (
            message,
            "an agent spec nests about eight levels deep and needs no aliases; flatten the document or remove the aliases",
        ),
        SyntaxMessage::Syntax(message) if message.contains("tab") => (
            format!("invalid YAML: {message}"),
            "YAML does not allow tabs for indentation: indent with spaces",
        ),
        SyntaxMessage::Syntax(message) => (
            format!("invalid YAML: {message}"),
            "fix the YAML syntax at or just before this position (check indentation, quoting, unclosed `[`/`{`, and `key: value` separators)",
        ),
    };
    Diagnostic::error(crate::diag::Code::YamlSyntax, message)
        .with_span(span)
        .with_help(help)
}

/// A YAML error of another file (an OpenAPI document) in one line: the message in words and
/// where it is in that file.
pub fn describe_error(error: &serde_saphyr::Error) -> String {
    let message = match syntax_message(error) {
        SyntaxMessage::TooComplex(message) => message,
        SyntaxMessage::Syntax(message) => format!("invalid YAML: {message}"),
    };
    match error.location() {
        Some(at) => format!("{message} (line {}, column {})", at.line(), at.column()),
        None => message,
    }
}

enum SyntaxMessage {
    /// A resource budget was breached: the text may be valid YAML, but not a plausible spec.
    TooComplex(String),
    Syntax(String),
}

/// The parser's message without the "at line X, column Y" suffix (the diagnostic carries the
/// position), and resource-budget breaches in words instead of the parser's debug output.
fn syntax_message(error: &serde_saphyr::Error) -> SyntaxMessage {
    use serde_saphyr::MessageFormatter;
    let mut inner = error;
    while let serde_saphyr::Error::AliasError { error, .. }
    | serde_saphyr::Error::WithSnippet { error, .. } = inner
    {
        inner = error;
    }
    if let serde_saphyr::Error::Budget { breach, .. } = inner {
        use serde_saphyr::budget::BudgetBreach;
        let message = match breach {
            BudgetBreach::Depth { depth } => format!(
                "the document nests deeper than {} levels",
                depth.saturating_sub(1)
            ),
            BudgetBreach::Nodes { nodes } => format!(
                "the document expands to more than {} nodes (aliases that repeat aliases: a \"billion laughs\" alias bomb?)",
                nodes.saturating_sub(1)
            ),
            BudgetBreach::Aliases { aliases } => {
                format!(
                    "the document uses more than {} aliases",
                    aliases.saturating_sub(1)
                )
            }
            BudgetBreach::AliasAnchorRatio { aliases, anchors } => format!(
                "the document uses {aliases} aliases for {anchors} anchors, which looks like an alias bomb"
            ),
            _ => "the document is too large or too complex to be an agent spec (it exceeds one of the reader's limits on nodes, depth or size)".to_string(),
        };
        return SyntaxMessage::TooComplex(message);
    }
    let formatted = serde_saphyr::UserMessageFormatter.format_message(inner);
    let first_line = formatted.lines().next().unwrap_or("syntax error").trim();
    // Some parser messages carry their own position; the diagnostic shows it already.
    let without_position = first_line
        .find(" at line ")
        .map_or(first_line, |at| &first_line[..at]);
    let message: String = without_position
        .chars()
        .filter(|c| !c.is_control())
        .collect();
    if message.contains("recursion limit") || message.contains("Depth {") {
        return SyntaxMessage::TooComplex("the document nests too deeply".into());
    }
    if message.contains("budget") {
        return SyntaxMessage::TooComplex(format!(
            "the document is too large or too complex to be an agent spec ({message})"
        ));
    }
    SyntaxMessage::Syntax(message)
}

impl Span {
    fn clamp_to(self, len: usize) -> Span {
        let start = self.start.min(len);
        Span::new(start, self.end.min(len).max(start))
    }
}

/// A mapping key as a string: YAML allows `1: x` or `true: x`; the spec's keys are all strings.
fn key_string(node: &RawNode) -> String {
    match node {
        RawNode::Str(s) => s.clone(),
        RawNode::Null => "null".into(),
        RawNode::Bool(b) => b.to_string(),
        RawNode::Int(i) => i.to_string(),
        RawNode::UInt(u) => u.to_string(),
        RawNode::Float(f) => f.to_string(),
        RawNode::Seq(_) | RawNode::Map(_) => "<complex key>".into(),
    }
}

fn location_span(file: &SourceFile, location: &serde_saphyr::Location) -> Span {
    let span = location.span();
    let start = span
        .byte_offset()
        .map(|b| b as usize)
        .unwrap_or_else(|| file.offset_of(location.line() as usize, location.column() as usize));
    let len = span.byte_len().map(|b| b as usize).unwrap_or(0);
    Span::new(start, start + len).clamp_to(file.text.len())
}

fn to_json(
    file: &SourceFile,
    node: &Spanned<RawNode>,
    pointer: String,
    key_span: Option<Span>,
    spans: &mut SpanIndex,
    diagnostics: &mut Vec<Diagnostic>,
) -> serde_json::Value {
    use serde_json::Value;
    let node_span = location_span(file, &node.referenced);
    let value = match &node.value {
        RawNode::Null => Value::Null,
        RawNode::Bool(b) => Value::Bool(*b),
        RawNode::Int(i) => Value::from(*i),
        RawNode::UInt(u) => Value::from(*u),
        RawNode::Float(f) => serde_json::Number::from_f64(*f).map_or(Value::Null, Value::Number),
        RawNode::Str(s) => Value::String(s.clone()),
        RawNode::Seq(items) => Value::Array(
            items
                .iter()
                .enumerate()
                .map(|(i, item)| {
                    let pointer = child_pointer(&pointer, i);
                    to_json(file, item, pointer, None, spans, diagnostics)
                })
                .collect(),
        ),
        RawNode::Map(entries) => {
            let mut map = serde_json::Map::new();
            let mut first_seen: HashMap<String, Span> = HashMap::new();
            for (key, value) in entries {
                let name = key_string(&key.value);
                let key_span = location_span(file, &key.referenced);
                if let Some(first) = first_seen.get(&name) {
                    diagnostics.push(
                        Diagnostic::error(crate::diag::Code::DuplicateKey, format!("duplicate key `{name}`"))
                            .with_span(Some(key_span))
                            .with_related(*first, "first defined here")
                            .with_help("YAML keys must be unique in a mapping; the second value would silently replace the first. Remove or rename one of them"),
                    );
                    continue;
                }
                first_seen.insert(name.clone(), key_span);
                let child = child_pointer(&pointer, &name);
                let json = to_json(file, value, child, Some(key_span), spans, diagnostics);
                map.insert(name, json);
            }
            Value::Object(map)
        }
    };
    spans.spans.insert(
        pointer,
        NodeSpans {
            key: key_span,
            value: node_span,
        },
    );
    value
}

/// A node as serde-saphyr hands it over; children carry their own locations.
enum RawNode {
    Null,
    Bool(bool),
    Int(i64),
    UInt(u64),
    Float(f64),
    Str(String),
    Seq(Vec<Spanned<RawNode>>),
    Map(Vec<(Spanned<RawNode>, Spanned<RawNode>)>),
}

impl<'de> de::Deserialize<'de> for RawNode {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(RawNodeVisitor)
    }
}

struct RawNodeVisitor;

impl<'de> Visitor<'de> for RawNodeVisitor {
    type Value = RawNode;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("any YAML value")
    }
    fn visit_unit<E: de::Error>(self) -> Result<RawNode, E> {
        Ok(RawNode::Null)
    }
    fn visit_none<E: de::Error>(self) -> Result<RawNode, E> {
        Ok(RawNode::Null)
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<RawNode, D::Error> {
        d.deserialize_any(self)
    }
    fn visit_bool<E: de::Error>(self, v: bool) -> Result<RawNode, E> {
        Ok(RawNode::Bool(v))
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<RawNode, E> {
        Ok(RawNode::Int(v))
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<RawNode, E> {
        Ok(RawNode::UInt(v))
    }
    fn visit_i128<E: de::Error>(self, v: i128) -> Result<RawNode, E> {
        Ok(i64::try_from(v).map_or(RawNode::Float(v as f64), RawNode::Int))
    }
    fn visit_u128<E: de::Error>(self, v: u128) -> Result<RawNode, E> {
        Ok(u64::try_from(v).map_or(RawNode::Float(v as f64), RawNode::UInt))
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<RawNode, E> {
        Ok(RawNode::Float(v))
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<RawNode, E> {
        Ok(RawNode::Str(v.to_owned()))
    }
    fn visit_string<E: de::Error>(self, v: String) -> Result<RawNode, E> {
        Ok(RawNode::Str(v))
    }
    fn visit_bytes<E: de::Error>(self, v: &[u8]) -> Result<RawNode, E> {
        Ok(RawNode::Str(String::from_utf8_lossy(v).into_owned()))
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<RawNode, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element()? {
            items.push(item);
        }
        Ok(RawNode::Seq(items))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<RawNode, A::Error> {
        let mut entries = Vec::new();
        while let Some(entry) = map.next_entry()? {
            entries.push(entry);
        }
        Ok(RawNode::Map(entries))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_text(text: &str) -> (Option<Document>, Vec<Diagnostic>, SourceFile) {
        let file = SourceFile::new("t.yaml", text);
        let (doc, diags) = parse(&file);
        (doc, diags, file)
    }

    #[test]
    fn spans_point_at_keys_and_values() {
        let (doc, diags, file) = parse_text("name: a\nlist:\n  - x: 1\n    y: two\n");
        assert!(diags.is_empty(), "{diags:?}");
        let doc = doc.expect("document");
        let y = doc.spans.get("/list/0/y").expect("span for /list/0/y");
        assert_eq!(file.line_col(y.key.expect("key").start).line, 4);
        assert_eq!(&file.text[y.value.start..y.value.end], "two");
        assert_eq!(doc.value["list"][0]["x"], 1);
    }

    #[test]
    fn duplicate_keys_are_reported_with_both_places() {
        let (doc, diags, file) = parse_text("a: 1\nb: 2\na: 3\n");
        assert!(doc.is_some());
        assert_eq!(diags.len(), 1);
        assert_eq!(diags[0].rule, "duplicate-key");
        assert_eq!(file.line_col(diags[0].span.expect("span").start).line, 3);
        assert_eq!(file.line_col(diags[0].related[0].span.start).line, 1);
    }

    #[test]
    fn syntax_errors_are_located() {
        let (doc, diags, file) = parse_text("a: 1\nb: [1, 2\nc: 3\n");
        assert!(doc.is_none());
        assert_eq!(diags[0].rule, "yaml-syntax");
        assert!(file.line_col(diags[0].span.expect("span").start).line >= 2);
    }

    #[test]
    fn hostile_nesting_and_alias_bombs_are_errors_not_crashes() {
        let flow = "[".repeat(30_000);
        let block_deep = "- ".repeat(30_000) + "x\n";
        let mut bomb = String::from("a: &a [x, x, x, x, x, x, x, x, x]\n");
        for (i, name) in ["b", "c", "d", "e", "f", "g", "h", "i"].iter().enumerate() {
            let prev = ["a", "b", "c", "d", "e", "f", "g", "h"][i];
            bomb.push_str(&format!("{name}: &{name} [*{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}]\n"));
        }
        for text in [flow, block_deep, bomb] {
            let (_, diags, _) = parse_text(&text);
            assert!(!diags.is_empty());
        }
    }
}
