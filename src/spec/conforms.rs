//! Whether a document conforms to the spec schema, decided without building jsonschema's
//! validator.
//!
//! Building the validator was the largest cost of a one-spec `agentc lint` (≈ 20 % of its
//! CPU time: the compile itself, draft 7's meta-schema validator that jsonschema builds to
//! check our schema first and has no public switch to skip, and the automata of the four
//! `pattern`s). Most specs a pre-commit hook sees are valid, and a valid document has no
//! errors to describe, so [`conforms`] walks the schema over the document first and the
//! validator is built only when it cannot say yes.
//!
//! The walk understands exactly the keywords the schema uses (the test in `schema.rs` keeps
//! that list) with draft 7's meaning, as the validator applies them. Its one obligation is
//! that [`Verdict::Yes`] implies the validator finds no error: anything it is not sure about
//! (an unknown keyword or pattern, a `$ref` outside the document, a float where an integer is
//! asked) is [`Verdict::Unsure`], and the validator decides. The tests check the walk against
//! the validator on every fixture and agent, and the hand-matched patterns against
//! jsonschema's own `pattern` on generated strings.

use serde_json::{Number, Value};
use std::sync::LazyLock;

/// The walk's answer for one instance against one schema.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Verdict {
    Yes,
    No,
    Unsure,
}

use Verdict::{No, Unsure, Yes};

impl Verdict {
    /// Both must hold. A `No` settles it even beside an `Unsure`: the keywords of one schema
    /// are independent, so one certain failure is a failure whatever the others say.
    fn and(self, other: impl FnOnce() -> Verdict) -> Verdict {
        match self {
            No => No,
            Yes => other(),
            Unsure => match other() {
                No => No,
                _ => Unsure,
            },
        }
    }
}

/// `Yes` only if jsonschema's draft 7 validator, built from `root`, finds no error in
/// `instance`.
pub(crate) fn conforms(root: &Value, instance: &Value) -> Verdict {
    check(root, root, instance, 0)
}

/// The spec schema without annotations (`build.rs`): a third of the text to parse, and the
/// walk skips annotations anyway.
static KEYWORDS: LazyLock<Option<Value>> = LazyLock::new(|| {
    serde_json::from_str(include_str!(concat!(
        env!("OUT_DIR"),
        "/agent.keywords.json"
    )))
    .ok()
});

/// [`conforms`] to the spec schema.
pub(crate) fn conforms_to_spec_schema(instance: &Value) -> Verdict {
    match KEYWORDS.as_ref() {
        Some(root) => conforms(root, instance),
        None => Unsure,
    }
}

/// Deeper than any real spec nests; a `$ref` cycle over a pathological document stops here.
const MAX_DEPTH: usize = 64;

/// One of the schema's patterns (the specification, as written in it) and its matcher.
struct Pattern {
    source: &'static str,
    matcher: fn(&str) -> bool,
}

impl Pattern {
    fn is_match(&self, text: &str) -> bool {
        (self.matcher)(text)
    }
}

/// The schema's patterns, matched by hand with the meaning jsonschema gives them: ECMA-262
/// regexes, where `.` matches anything but a line terminator (`\n`, `\r`, U+2028, U+2029;
/// the `regex` crate's `.` excludes only `\n`, so lint's own matchers do not fit). Each is
/// tested against jsonschema's `pattern` on generated strings.
static PATTERNS: [Pattern; 4] = [
    Pattern {
        source: r"^s3://[a-z0-9][a-z0-9.\-]{1,61}[a-z0-9]/.+$",
        matcher: |s| {
            // The bucket cannot hold a `/`, so it ends at the first one.
            let Some((bucket, key)) = s.strip_prefix("s3://").and_then(|r| r.split_once('/'))
            else {
                return false;
            };
            let end = |b: u8| b.is_ascii_lowercase() || b.is_ascii_digit();
            let bytes = bucket.as_bytes();
            (3..=63).contains(&bytes.len())
                && bytes.first().copied().is_some_and(end)
                && bytes.last().copied().is_some_and(end)
                && bytes.iter().all(|&b| end(b) || b == b'.' || b == b'-')
                && dots(key)
        },
    },
    Pattern {
        source: r"^arn:aws(-[^:]+)?:iam::([0-9]{12})?:role/.+$",
        matcher: |s| {
            // `[^:]+` cannot hold the `:` that must follow it: the partition ends at the first.
            let Some((partition, rest)) = s.strip_prefix("arn:aws").and_then(|r| r.split_once(':'))
            else {
                return false;
            };
            let Some(rest) = rest.strip_prefix("iam::") else {
                return false;
            };
            let account = rest
                .get(..12)
                .filter(|a| a.bytes().all(|b| b.is_ascii_digit()));
            let rest = match account {
                Some(account) => &rest[account.len()..],
                None => rest,
            };
            (partition.is_empty() || (partition.starts_with('-') && partition.len() > 1))
                && rest.strip_prefix(":role/").is_some_and(dots)
        },
    },
    Pattern {
        source: r"^[a-zA-Z][a-zA-Z0-9_]{0,47}$",
        matcher: |s| {
            (1..=48).contains(&s.len())
                && s.bytes().next().is_some_and(|b| b.is_ascii_alphabetic())
                && s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
        },
    },
    Pattern {
        source: r"^[a-zA-Z0-9_-]{1,64}$",
        matcher: |s| {
            (1..=64).contains(&s.len())
                && s.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
        },
    },
];

/// ECMA-262's `.+$`: at least one character, none a line terminator.
fn dots(s: &str) -> bool {
    !s.is_empty() && !s.contains(['\n', '\r', '\u{2028}', '\u{2029}'])
}

fn check(root: &Value, schema: &Value, instance: &Value, depth: usize) -> Verdict {
    if depth > MAX_DEPTH {
        return Unsure;
    }
    let map = match schema {
        Value::Bool(true) => return Yes,
        Value::Bool(false) => return No,
        Value::Object(map) => map,
        _ => return Unsure,
    };
    // Draft 7 ignores a `$ref`'s siblings.
    if let Some(reference) = map.get("$ref") {
        let target = reference
            .as_str()
            .and_then(|r| r.strip_prefix('#'))
            .and_then(|pointer| root.pointer(pointer));
        return match target {
            Some(target) => check(root, target, instance, depth + 1),
            None => Unsure,
        };
    }
    let mut verdict = Yes;
    for (keyword, value) in map {
        verdict = verdict.and(|| keyword_verdict(root, map, keyword, value, instance, depth));
        if verdict == No {
            return No;
        }
    }
    verdict
}

fn keyword_verdict(
    root: &Value,
    schema: &serde_json::Map<String, Value>,
    keyword: &str,
    value: &Value,
    instance: &Value,
    depth: usize,
) -> Verdict {
    match keyword {
        // Annotations; formats are not validated (`should_validate_formats(false)`).
        "$schema" | "$defs" | "title" | "description" | "default" | "format" => Yes,
        "type" => match value.as_str() {
            Some(name) => type_verdict(name, instance),
            None => Unsure,
        },
        "enum" => match value.as_array() {
            Some(options) => equal_to_any(options, instance),
            None => Unsure,
        },
        "const" => equal_to_any(std::slice::from_ref(value), instance),
        "pattern" => match (instance, value.as_str()) {
            (Value::String(text), Some(source)) => PATTERNS
                .iter()
                .find(|p| p.source == source)
                .map_or(Unsure, |p| verdict(p.is_match(text))),
            (Value::String(_), None) => Unsure,
            _ => Yes,
        },
        "minimum" | "maximum" => match instance {
            Value::Number(number) => match (exact(number), value.as_number().and_then(exact)) {
                (Some(x), Some(limit)) if keyword == "minimum" => verdict(x >= limit),
                (Some(x), Some(limit)) => verdict(x <= limit),
                _ => Unsure,
            },
            _ => Yes,
        },
        "required" => match (instance, value.as_array()) {
            (Value::Object(object), Some(names)) => {
                let all = names
                    .iter()
                    .all(|name| name.as_str().is_some_and(|name| object.contains_key(name)));
                verdict(all)
            }
            (Value::Object(_), None) => Unsure,
            _ => Yes,
        },
        "properties" => match (instance, value.as_object()) {
            (Value::Object(object), Some(properties)) => {
                let mut result = Yes;
                for (key, item) in object {
                    if let Some(subschema) = properties.get(key) {
                        result = result.and(|| check(root, subschema, item, depth + 1));
                        if result == No {
                            return No;
                        }
                    }
                }
                result
            }
            (Value::Object(_), None) => Unsure,
            _ => Yes,
        },
        "additionalProperties" => match instance {
            Value::Object(object) => {
                let properties = schema.get("properties").and_then(Value::as_object);
                let mut result = Yes;
                for (key, item) in object {
                    if properties.is_some_and(|p| p.contains_key(key)) {
                        continue;
                    }
                    result = result.and(|| check(root, value, item, depth + 1));
                    if result == No {
                        return No;
                    }
                }
                result
            }
            _ => Yes,
        },
        "items" => match instance {
            // Only the one-schema form: the array form means another thing in 2020-12, and
            // the schema test rejects it.
            Value::Array(items) if value.is_object() || value.is_boolean() => {
                let mut result = Yes;
                for item in items {
                    result = result.and(|| check(root, value, item, depth + 1));
                    if result == No {
                        return No;
                    }
                }
                result
            }
            Value::Array(_) => Unsure,
            _ => Yes,
        },
        "anyOf" => match value.as_array() {
            Some(branches) => {
                let mut result = No;
                for branch in branches {
                    match check(root, branch, instance, depth + 1) {
                        Yes => return Yes,
                        Unsure => result = Unsure,
                        No => {}
                    }
                }
                result
            }
            None => Unsure,
        },
        // Exactly one branch: every branch must be decided, or the count is not known.
        "oneOf" => match value.as_array() {
            Some(branches) => {
                let mut matched = 0;
                for branch in branches {
                    match check(root, branch, instance, depth + 1) {
                        Yes => matched += 1,
                        Unsure => return Unsure,
                        No => {}
                    }
                }
                verdict(matched == 1)
            }
            None => Unsure,
        },
        _ => Unsure,
    }
}

fn verdict(holds: bool) -> Verdict {
    if holds { Yes } else { No }
}

fn type_verdict(name: &str, instance: &Value) -> Verdict {
    match (name, instance) {
        ("object", Value::Object(_))
        | ("array", Value::Array(_))
        | ("string", Value::String(_))
        | ("boolean", Value::Bool(_))
        | ("null", Value::Null)
        | ("number", Value::Number(_)) => Yes,
        // Draft 7 also counts a float without a fraction (`3.0`) as an integer; left to the
        // validator rather than restating its rule.
        ("integer", Value::Number(number)) => {
            if number.is_i64() || number.is_u64() {
                Yes
            } else {
                Unsure
            }
        }
        ("object" | "array" | "string" | "boolean" | "null" | "number" | "integer", _) => No,
        _ => Unsure,
    }
}

/// The schema's `enum`s and `const`s are strings; strings compare exactly. Other values
/// (numbers, where `1` and `1.0` are equal to the validator) are left to it unless equal.
fn equal_to_any(options: &[Value], instance: &Value) -> Verdict {
    if options.contains(instance) {
        return Yes;
    }
    let all_strings = instance.is_string() && options.iter().all(Value::is_string);
    let no_strings = !instance.is_string() && options.iter().all(Value::is_string);
    if all_strings || no_strings {
        No
    } else {
        Unsure
    }
}

/// A number as an `f64` when that is exact (every float, and integers within ±2^53), so
/// that comparing two of them compares the numbers.
fn exact(number: &Number) -> Option<f64> {
    const LIMIT: u64 = 1 << 53;
    if let Some(n) = number.as_u64() {
        return (n <= LIMIT).then_some(n as f64);
    }
    if let Some(n) = number.as_i64() {
        return (n.unsigned_abs() <= LIMIT).then_some(n as f64);
    }
    number.as_f64()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use serde_json::json;

    fn validator() -> &'static jsonschema::Validator {
        static V: LazyLock<jsonschema::Validator> = LazyLock::new(|| {
            jsonschema::options()
                .with_draft(jsonschema::Draft::Draft7)
                .should_validate_formats(false)
                .build(super::super::schema::cached())
                .unwrap()
        });
        &V
    }

    /// Every YAML document the repository ships or tests with, as the schema sees it.
    fn documents() -> Vec<(String, Value)> {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut out = Vec::new();
        for dir in ["tests/fixtures", "agents", "examples"] {
            for entry in walkdir::WalkDir::new(root.join(dir)) {
                let entry = entry.unwrap();
                let path = entry.path();
                let yaml = path.extension().is_some_and(|e| e == "yaml" || e == "yml");
                if !yaml {
                    continue;
                }
                let Ok(text) = std::fs::read_to_string(path) else {
                    continue;
                };
                if let Ok(value) = serde_saphyr::from_str::<Value>(&text) {
                    out.push((path.display().to_string(), value));
                }
            }
        }
        out
    }

    #[test]
    fn a_yes_is_a_document_the_validator_accepts() {
        let documents = documents();
        assert!(documents.len() > 20, "{} documents", documents.len());
        let mut yes = 0;
        for (path, value) in &documents {
            let walk = conforms_to_spec_schema(value);
            assert_eq!(
                walk,
                conforms(super::super::schema::cached(), value),
                "{path}"
            );
            let valid = validator().is_valid(value);
            if walk == Yes {
                yes += 1;
                assert!(valid, "{path}: the walk says yes, the validator no");
            }
            // A No must be a real failure too, or a valid spec would pay for the validator.
            if walk == No {
                assert!(!valid, "{path}: the walk says no, the validator yes");
            }
        }
        assert!(yes > 10, "only {yes} documents decided by the walk");
    }

    #[test]
    fn the_walk_knows_every_keyword_and_pattern_of_the_schema() {
        fn walk(node: &Value, named: bool, problems: &mut Vec<String>) {
            match node {
                Value::Object(map) => {
                    for (key, value) in map {
                        if named {
                            walk(value, false, problems);
                            continue;
                        }
                        if key == "pattern" {
                            let known = value
                                .as_str()
                                .is_some_and(|p| PATTERNS.iter().any(|k| k.source == p));
                            if !known {
                                problems.push(format!("pattern {value}"));
                            }
                        }
                        if matches!(key.as_str(), "default" | "enum" | "const") {
                            continue;
                        }
                        walk(value, key == "properties" || key == "$defs", problems);
                    }
                }
                Value::Array(items) => items.iter().for_each(|i| walk(i, false, problems)),
                _ => {}
            }
        }
        let mut problems = Vec::new();
        walk(super::super::schema::cached(), false, &mut problems);
        assert!(
            problems.is_empty(),
            "{problems:?}: add a matcher to PATTERNS"
        );
        // A schema keyword the walk does not know makes it unsure of every document that
        // reaches it, so the fast path would silently stop working: the valid agent must be
        // decided.
        let text = std::fs::read_to_string(
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("agents/infra-assistant.yaml"),
        )
        .unwrap();
        let value: Value = serde_saphyr::from_str(&text).unwrap();
        assert_eq!(conforms(super::super::schema::cached(), &value), Yes);
        assert_eq!(conforms_to_spec_schema(&value), Yes);
    }

    #[test]
    fn edge_values_agree_with_the_validator() {
        let root = json!({
            "$defs": {"N": {"type": "integer", "minimum": 1, "maximum": 5.5}},
            "type": "object",
            "properties": {
                "n": {"$ref": "#/$defs/N", "description": "d"},
                "f": {"type": "number", "minimum": 0.0, "maximum": 1.0},
                "e": {"type": "string", "enum": ["a", "b"]},
                "c": {"oneOf": [{"type": "string", "const": "x"}, {"type": "string", "const": "y"}]},
                "a": {"anyOf": [{"type": "string"}, {"type": "integer"}]},
                "l": {"type": "array", "items": {"type": "string"}},
                "m": {"type": "object", "additionalProperties": {"type": "boolean"}, "required": ["k"]}
            },
            "additionalProperties": false
        });
        let validator = jsonschema::options()
            .with_draft(jsonschema::Draft::Draft7)
            .build(&root)
            .unwrap();
        let cases = [
            json!({}),
            json!({"n": 1}),
            json!({"n": 0}),
            json!({"n": 5}),
            json!({"n": 6}),
            json!({"n": 2.0}),
            json!({"n": "1"}),
            json!({"n": u64::MAX}),
            json!({"n": i64::MIN}),
            json!({"f": 0}),
            json!({"f": 1}),
            json!({"f": 1.5}),
            json!({"f": -0.0}),
            json!({"e": "a"}),
            json!({"e": "c"}),
            json!({"e": 1}),
            json!({"c": "x"}),
            json!({"c": "z"}),
            json!({"c": 1}),
            json!({"a": 1}),
            json!({"a": 1.5}),
            json!({"a": null}),
            json!({"l": []}),
            json!({"l": ["a", 1]}),
            json!({"l": "a"}),
            json!({"m": {"k": true}}),
            json!({"m": {"k": 1}}),
            json!({"m": {"j": true}}),
            json!({"z": 1}),
            json!([]),
        ];
        for case in cases {
            let walk = conforms(&root, &case);
            let valid = validator.is_valid(&case);
            assert!(
                walk == Unsure || (walk == Yes) == valid,
                "{case}: walk {walk:?}, validator {valid}"
            );
        }
    }

    /// jsonschema's own `pattern` (ECMA-262 translated for its engine) for each matcher.
    static ORACLES: LazyLock<Vec<(&'static Pattern, jsonschema::Validator)>> =
        LazyLock::new(|| {
            PATTERNS
                .iter()
                .map(|p| {
                    let schema = json!({"type": "string", "pattern": p.source});
                    (p, jsonschema::validator_for(&schema).unwrap())
                })
                .collect()
        });

    const VALID: &[&str] = &[
        "s3://my-bucket.example/specs/orders.yaml",
        "arn:aws:iam::123456789012:role/AgentCoreRuntime",
        "arn:aws-cn:iam:::role/x",
        "DEFAULT",
        "live_v2",
        "query-database_2",
    ];

    fn near_miss() -> impl Strategy<Value = String> {
        let edit = (
            0usize..80,
            0u8..3,
            prop::sample::select(&[
                'a', 'Z', '0', '9', '-', '_', '.', ':', '/', ' ', '\n', '\r', '\u{2028}',
                '\u{2029}', '\u{a0}', '\u{663}', 'é', '#',
            ]),
        );
        (
            prop::sample::select(VALID),
            prop::collection::vec(edit, 0..4),
            0usize..70,
        )
            .prop_map(|(valid, edits, repeat)| {
                let mut chars: Vec<char> = valid.chars().collect();
                // Lengths around the patterns' bounds (63-character buckets, 48 and 64).
                if repeat > 40 {
                    let at = chars.len() / 2;
                    let c = chars[at];
                    for _ in 0..repeat - 40 {
                        chars.insert(at, c);
                    }
                }
                for (at, kind, c) in edits {
                    let at = at % (chars.len() + 1);
                    match kind {
                        0 => chars.insert(at, c),
                        1 if at < chars.len() => {
                            chars.remove(at);
                        }
                        _ if at < chars.len() => chars[at] = c,
                        _ => chars.push(c),
                    }
                }
                chars.into_iter().collect()
            })
    }

    #[test]
    fn line_terminators_end_a_dot_as_in_ecma_262() {
        let values = [
            "s3://bucket/a\rb",
            "s3://bucket/a\u{2028}",
            "s3://bucket/a\u{2029}b",
            "s3://bucket/a\nb",
            "s3://bucket/a\u{85}b",
            "arn:aws:iam::123456789012:role/a\rb",
            "arn:aws-\r:iam::123456789012:role/ab",
            "arn:aws:iam::12345678901:role/ab",
            "arn:aws:iam::123456789012:role/",
        ];
        for text in values {
            for (pattern, oracle) in ORACLES.iter() {
                assert_eq!(
                    pattern.is_match(text),
                    oracle.is_valid(&json!(text)),
                    "{} on {text:?}",
                    pattern.source
                );
            }
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(5_000))]
        #[test]
        fn hand_matched_patterns_agree_with_jsonschema(text in near_miss()) {
            for (pattern, oracle) in ORACLES.iter() {
                prop_assert_eq!(
                    pattern.is_match(&text),
                    oracle.is_valid(&json!(text)),
                    "{} on {:?}", pattern.source, text
                );
            }
        }
    }
}
