//! Key completion from the spec's JSON Schema (`agentc schema`) at the cursor's mapping path.
//!
//! The path comes from the text's indentation, not from the parsed document: while a key is
//! being typed the YAML usually does not parse (`mod` alone on a line is not `key: value`).

use serde_json::Value;

/// One step from a mapping to a value inside it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Segment {
    /// The value of a key.
    Key(String),
    /// An item of a sequence.
    Item,
}

/// Where the cursor types a key: the mapping's path from the document root, the key's
/// column (bytes into the line) and what is typed of it, and the keys the mapping already has.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyContext {
    pub path: Vec<Segment>,
    pub column: usize,
    pub typed: String,
    pub present: Vec<String>,
}

/// A key the schema allows at a path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyChoice {
    pub key: String,
    pub description: Option<String>,
    /// `string`, `object`, … as the schema says (empty when it says nothing simple).
    pub kind: String,
}

/// The context of a key typed at `cursor` (byte offset into `lines[line]`), or `None` when
/// the cursor is not where a key goes (in a value, a comment or a block of text).
pub fn key_context(lines: &[&str], line: usize, cursor: usize) -> Option<KeyContext> {
    let current = lines.get(line)?;
    let mut cursor = cursor.min(current.len());
    while !current.is_char_boundary(cursor) {
        cursor -= 1;
    }
    let before = &current[..cursor];
    let line_indent = indent(before);
    let mut column = line_indent;
    let mut items = 0;
    let mut rest = &before[column..];
    while let Some(after) = rest.strip_prefix('-') {
        if !(after.is_empty() || after.starts_with(' ')) {
            break;
        }
        if after.is_empty() {
            // `-` with nothing after it yet: a key typed here would touch the dash.
            return None;
        }
        let spaces = indent(after);
        column += 1 + spaces;
        rest = &after[spaces..];
        items += 1;
    }
    if !rest.chars().all(is_key_char) {
        return None;
    }
    let typed = rest.to_string();
    let mut path = vec![Segment::Item; items];
    let mut present = Vec::new();
    // Keys above the cursor at its column are siblings until the enclosing mapping starts.
    // On a new item's line (`- key`) the enclosing sequence starts at the line's dash, and
    // what is above belongs to other items.
    let mut collecting = items == 0;
    let mut after_item = items > 0;
    let mut col = if items > 0 { line_indent } else { column };
    for text in lines[..line].iter().rev() {
        let Some(parsed) = Line::parse(text) else {
            continue;
        };
        if parsed.indent > col || (parsed.indent == col && parsed.dash.is_none() && !after_item) {
            if parsed.indent == col
                && collecting
                && let Some(key) = parsed.key
            {
                present.push(key.to_string());
            }
            continue;
        }
        if parsed.indent == col && parsed.dash.is_some() {
            // Another item of the sequence that holds the cursor, or of a sibling key's
            // sequence written at the key's own indentation.
            continue;
        }
        // parsed.indent < col, or a key at the column of the item that holds the cursor.
        match parsed.dash {
            Some(content) if content == col => {
                if collecting && let Some(key) = parsed.key {
                    present.push(key.to_string());
                }
                path.push(Segment::Item);
            }
            Some(content) if content < col => {
                // `- key:` whose value holds the cursor.
                let key = parsed.parent_key()?;
                path.push(Segment::Key(key.to_string()));
                path.push(Segment::Item);
            }
            Some(_) => return None,
            None => {
                let key = parsed.parent_key()?;
                path.push(Segment::Key(key.to_string()));
            }
        }
        collecting = false;
        after_item = parsed.dash.is_some();
        col = parsed.indent;
    }
    for text in &lines[line + 1..] {
        let Some(parsed) = Line::parse(text) else {
            continue;
        };
        if parsed.indent < column {
            break;
        }
        if parsed.indent == column
            && parsed.dash.is_none()
            && let Some(key) = parsed.key
        {
            present.push(key.to_string());
        }
    }
    path.reverse();
    Some(KeyContext {
        path,
        column,
        typed,
        present,
    })
}

fn is_key_char(c: char) -> bool {
    c.is_alphanumeric() || matches!(c, '_' | '-' | '.')
}

fn indent(text: &str) -> usize {
    text.len() - text.trim_start_matches(' ').len()
}

/// One line of YAML as the path finder sees it.
struct Line<'t> {
    indent: usize,
    /// For `- …`: the column of what follows the dash.
    dash: Option<usize>,
    /// The key the line starts (after the dash, if any).
    key: Option<&'t str>,
    /// What follows the key's colon, comments removed.
    value: &'t str,
}

impl<'t> Line<'t> {
    /// `None` for blank lines, comments and document markers.
    fn parse(text: &'t str) -> Option<Self> {
        let text = text.trim_end_matches('\r');
        let at = indent(text);
        let mut rest = &text[at..];
        if rest.is_empty() || rest.starts_with('#') || rest.starts_with("---") {
            return None;
        }
        let mut dash = None;
        if let Some(after) = rest.strip_prefix('-')
            && (after.is_empty() || after.starts_with(' '))
        {
            let spaces = indent(after);
            dash = Some(at + 1 + spaces);
            rest = &after[spaces..];
        }
        let (key, value) = match split_key(rest) {
            Some((key, value)) => (Some(key), value),
            None => (None, ""),
        };
        Some(Line {
            indent: at,
            dash,
            key,
            value,
        })
    }

    /// The key, if its value is a nested block (nothing after the colon): a key with a
    /// scalar or a block of text after it cannot hold the cursor's mapping.
    fn parent_key(&self) -> Option<&'t str> {
        let key = self.key?;
        let value = self.value.trim();
        let value = value.split(" #").next().unwrap_or(value).trim();
        let value = if value.starts_with('&') {
            value.split_once(' ').map_or("", |(_, rest)| rest.trim())
        } else {
            value
        };
        (value.is_empty() || value.starts_with('#')).then_some(key)
    }
}

/// `key: value` or `key:` → the key (unquoted) and what follows the colon.
fn split_key(text: &str) -> Option<(&str, &str)> {
    if let Some(quote) = text.chars().next().filter(|c| *c == '"' || *c == '\'') {
        let close = text[1..].find(quote)? + 1;
        let after = &text[close + 1..];
        let value = after.strip_prefix(':')?;
        return (value.is_empty() || value.starts_with(' ')).then_some((&text[1..close], value));
    }
    let colon = text
        .match_indices(':')
        .find(|(i, _)| text[i + 1..].is_empty() || text[i + 1..].starts_with(' '))
        .map(|(i, _)| i)?;
    let key = &text[..colon];
    (!key.is_empty() && key.chars().all(is_key_char)).then_some((key, &text[colon + 1..]))
}

/// The keys the spec's schema allows in the mapping at `path`, in the schema's order.
pub fn keys_at(path: &[Segment]) -> Vec<KeyChoice> {
    let root = crate::spec::schema::cached();
    let mut nodes = vec![root];
    for segment in path {
        let mut next = Vec::new();
        for node in nodes.iter().flat_map(|n| alternatives(root, n)) {
            let child = match segment {
                Segment::Key(key) => node
                    .get("properties")
                    .and_then(|p| p.get(key))
                    .or_else(|| node.get("additionalProperties").filter(|a| a.is_object())),
                Segment::Item => node.get("items"),
            };
            next.extend(child);
        }
        nodes = next;
    }
    let mut out: Vec<KeyChoice> = Vec::new();
    for node in nodes.iter().flat_map(|n| alternatives(root, n)) {
        let Some(Value::Object(properties)) = node.get("properties") else {
            continue;
        };
        for (key, schema) in properties {
            if out.iter().any(|c| &c.key == key) {
                continue;
            }
            let resolved = alternatives(root, schema);
            let description = schema
                .get("description")
                .or_else(|| resolved.iter().find_map(|s| s.get("description")))
                .and_then(Value::as_str)
                .map(str::to_string);
            let mut kinds: Vec<&str> = resolved
                .iter()
                .filter_map(|s| s.get("type").and_then(Value::as_str))
                .collect();
            kinds.dedup();
            out.push(KeyChoice {
                key: key.clone(),
                description,
                kind: kinds.join(" or "),
            });
        }
    }
    out
}

/// A schema node with `$ref`s followed and `anyOf`/`oneOf`/`allOf` spread into their branches.
fn alternatives<'a>(root: &'a Value, node: &'a Value) -> Vec<&'a Value> {
    let mut out = Vec::new();
    let mut stack = vec![(node, 0usize)];
    while let Some((node, depth)) = stack.pop() {
        // The schema is ours and has no cycles through these keywords; the bound only keeps a
        // future recursive type from looping here.
        if depth > 16 {
            continue;
        }
        if let Some(target) = node
            .get("$ref")
            .and_then(Value::as_str)
            .and_then(|r| r.strip_prefix("#/$defs/"))
            .and_then(|name| root.get("$defs").and_then(|d| d.get(name)))
        {
            stack.push((target, depth + 1));
        }
        let mut branched = false;
        for keyword in ["anyOf", "oneOf", "allOf"] {
            if let Some(Value::Array(branches)) = node.get(keyword) {
                branched = true;
                for branch in branches.iter().rev() {
                    stack.push((branch, depth + 1));
                }
            }
        }
        if node.get("$ref").is_none() && (!branched || node.get("properties").is_some()) {
            out.push(node);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str) -> Option<KeyContext> {
        let cursor_line = text.lines().position(|l| l.contains('|'))?;
        let lines: Vec<String> = text.lines().map(|l| l.replace('|', "")).collect();
        let refs: Vec<&str> = lines.iter().map(String::as_str).collect();
        let column = text.lines().nth(cursor_line)?.find('|')?;
        key_context(&refs, cursor_line, column)
    }

    fn key(k: &str) -> Segment {
        Segment::Key(k.into())
    }

    #[test]
    fn the_path_follows_indentation_and_sequence_items() {
        let spec = "agentc: 1\nname: a\naction_groups:\n  - name: database\n    executor: return_control\n    functions:\n      - name: q\n        desc|\n        parameters:\n          query:\n            type: string\n";
        let cx = at(spec).unwrap();
        assert_eq!(
            cx.path,
            vec![
                key("action_groups"),
                Segment::Item,
                key("functions"),
                Segment::Item
            ]
        );
        assert_eq!(cx.typed, "desc");
        assert_eq!(
            cx.present,
            vec!["name".to_string(), "parameters".to_string()]
        );

        let cx = at("agentc: 1\nmo|\nname: x\n").unwrap();
        assert!(cx.path.is_empty());
        assert_eq!(cx.present, vec!["agentc".to_string(), "name".to_string()]);

        // A new item's first key, and a sequence at its parent key's indentation.
        let cx = at("action_groups:\n- name: a\n- |\n").unwrap();
        assert_eq!(cx.path, vec![key("action_groups"), Segment::Item]);
        assert!(cx.present.is_empty(), "{:?}", cx.present);
        let cx = at("action_groups:\n- name: a\n  execu|\n").unwrap();
        assert_eq!(cx.path, vec![key("action_groups"), Segment::Item]);
        assert_eq!(cx.present, vec!["name".to_string()]);

        let cx = at("targets:\n  agents:\n    |\n").unwrap();
        assert_eq!(cx.path, vec![key("targets"), key("agents")]);
    }

    #[test]
    fn no_key_goes_in_a_value_or_a_block_of_text() {
        assert_eq!(at("name: fo|\n"), None);
        assert_eq!(at("instruction: |\n  You are|\n"), None);
        assert_eq!(at("instruction: |\n  |\n"), None);
        assert_eq!(at("name: x\n  |\n"), None);
        assert_eq!(at("action_groups:\n-|\n"), None);
    }

    #[test]
    fn keys_come_from_the_schema() {
        let root: Vec<String> = keys_at(&[]).into_iter().map(|c| c.key).collect();
        assert!(
            root.starts_with(&["agentc".to_string(), "name".to_string()]),
            "{root:?}"
        );
        let function: Vec<KeyChoice> = keys_at(&[
            key("action_groups"),
            Segment::Item,
            key("functions"),
            Segment::Item,
        ]);
        let names: Vec<&str> = function.iter().map(|c| c.key.as_str()).collect();
        assert_eq!(
            names,
            ["name", "description", "parameters", "require_confirmation"]
        );
        assert_eq!(function[2].kind, "object");
        // A parameter (a value of a map keyed by name), and a oneOf with an object branch.
        let parameter = keys_at(&[
            key("action_groups"),
            Segment::Item,
            key("functions"),
            Segment::Item,
            key("parameters"),
            key("query"),
        ]);
        let names: Vec<&str> = parameter.iter().map(|c| c.key.as_str()).collect();
        assert_eq!(names, ["type", "description", "required"]);
        let executor = keys_at(&[key("action_groups"), Segment::Item, key("executor")]);
        assert_eq!(executor.len(), 1);
        assert_eq!(executor[0].key, "lambda");
        assert!(keys_at(&[key("nope")]).is_empty());
        assert!(keys_at(&[key("name")]).is_empty());
    }
}
