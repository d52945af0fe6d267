//! The JSON Schema of the spec format: generated from [`Spec`], committed at
//! `schema/agent.schema.json` for editors, and used here to check each document *before*
//! serde sees it, because the schema reports every structural problem at once where serde
//! stops at the first. Each error's JSON pointer is mapped back to a YAML line and column.

use super::types::Spec;
use super::yaml::{Document, child_pointer};
use crate::diag::{Diagnostic, closest};
use jsonschema::error::ValidationErrorKind;
use serde_json::Value;
use std::sync::LazyLock;

/// The generated schema as JSON.
pub fn schema() -> Value {
    let schema = schemars::generate::SchemaSettings::draft2020_12()
        .into_generator()
        .into_root_schema_for::<Spec>();
    let mut schema = serde_json::to_value(schema).unwrap_or(Value::Null);
    strip_null(&mut schema);
    schema
}

/// Optional keys are simply absent: `key: ~` is a mistake worth reporting, not "unset". So
/// the `null` alternatives schemars adds for `Option<T>` are removed.
fn strip_null(node: &mut Value) {
    match node {
        Value::Object(map) => {
            if let Some(Value::Array(types)) = map.get_mut("type") {
                types.retain(|t| t != "null");
                if types.len() == 1 {
                    let only = types[0].clone();
                    map.insert("type".into(), only);
                }
            }
            let single = match map.get_mut("anyOf") {
                Some(Value::Array(branches)) => {
                    branches.retain(|b| b != &serde_json::json!({"type": "null"}));
                    (branches.len() == 1).then(|| branches[0].clone())
                }
                _ => None,
            };
            if let Some(Value::Object(branch)) = single {
                map.remove("anyOf");
                for (key, value) in branch {
                    map.entry(key).or_insert(value);
                }
            }
            for value in map.values_mut() {
                strip_null(value);
            }
        }
        Value::Array(items) => items.iter_mut().for_each(strip_null),
        _ => {}
    }
}

/// The schema as the pretty JSON text committed in the repository.
pub fn schema_text() -> String {
    let mut text = serde_json::to_string_pretty(&schema()).unwrap_or_default();
    text.push('\n');
    text
}

/// The committed schema, which [`schema_text`] regenerates (the integration test `schema`
/// and the unit test below keep the two equal): parsing it takes a quarter of the time
/// schemars takes to generate it (~0.6 ms of every lint).
const COMMITTED: &str = include_str!("../../schema/agent.schema.json");

static SCHEMA: LazyLock<Value> =
    LazyLock::new(|| serde_json::from_str(COMMITTED).unwrap_or_else(|_| schema()));

/// The schema the validator checks against, parsed once per process.
pub fn cached() -> &'static Value {
    &SCHEMA
}

/// The schema is written for draft 2020-12 (for editors), and validated with draft 7's
/// rules: jsonschema checks every schema against its draft's meta-schema before compiling it,
/// and building 2020-12's meta-schema validator cost ~0.75 ms of every lint, draft 7's a third
/// of that. The two drafts agree on every keyword the schema uses (a test below lists them,
/// and fails if schemars starts writing one they do not agree on); formats are annotations,
/// as in 2020-12.
static VALIDATOR: LazyLock<Option<jsonschema::Validator>> = LazyLock::new(|| {
    jsonschema::options()
        .with_draft(jsonschema::Draft::Draft7)
        .should_validate_formats(false)
        .build(&SCHEMA)
        .ok()
});

/// Keywords that mean the same in drafts 7 and 2020-12 as schemars writes them: `items` as one
/// schema (not 2019's array form), and `$ref` whose siblings are only annotations (draft 7
/// ignores a `$ref`'s siblings; 2020-12 applies them).
#[cfg(test)]
const SAME_IN_DRAFT_7: &[&str] = &[
    "$schema",
    "$defs",
    "$ref",
    "title",
    "description",
    "default",
    "format",
    "type",
    "properties",
    "additionalProperties",
    "required",
    "items",
    "enum",
    "const",
    "pattern",
    "minimum",
    "maximum",
    "oneOf",
    "anyOf",
];

/// Check a parsed document against the schema; one diagnostic per problem.
pub fn check(document: &Document) -> Vec<Diagnostic> {
    // A conforming document has nothing to describe; deciding that without the validator
    // saves building it, the larger part of a one-spec lint's CPU time (`conforms.rs`).
    if super::conforms::conforms_to_spec_schema(&document.value) == super::conforms::Verdict::Yes {
        return Vec::new();
    }
    let Some(validator) = VALIDATOR.as_ref() else {
        return vec![Diagnostic::error(
            crate::diag::Code::InvalidType,
            "internal error: the spec schema failed to compile",
        )];
    };
    let mut diagnostics = Vec::new();
    for error in validator.iter_errors(&document.value) {
        let pointer = error.instance_path().as_str().to_string();
        let evaluation: Vec<String> = error
            .evaluation_path()
            .iter()
            .map(|segment| segment.to_string())
            .collect();
        diagnostics.extend(describe(
            document,
            &pointer,
            &evaluation,
            error.kind(),
            error.instance(),
        ));
    }
    diagnostics
}

/// The document with every part that fails the schema removed, and the JSON pointers of what
/// was removed; `None` when nothing valid is left (a required top-level key is invalid).
/// Only mapping keys are removed: an invalid list item takes its whole list with it, so that
/// the pointers of what remains still point into the original document. A value outside its
/// set (a parameter `type: object`) is replaced by the set's first member instead, and listed
/// as removed: removing it would take its parent with it (a parameter without a type), and
/// the rules over the parent (`too-many-parameters`) would not see it.
pub fn without_invalid_parts(document: &Value) -> Option<(Value, Vec<String>)> {
    let validator = VALIDATOR.as_ref()?;
    let mut value = document.clone();
    let mut removed = Vec::new();
    // Each round removes at least one key, and removing a key can only make its parent
    // miss a required key, so a few rounds settle any real document.
    for _ in 0..16 {
        let mut targets: Vec<String> = Vec::new();
        let mut replacements: Vec<(String, Value)> = Vec::new();
        for error in validator.iter_errors(&value) {
            let pointer = error.instance_path().as_str().to_string();
            match error.kind() {
                ValidationErrorKind::AdditionalProperties { unexpected } => {
                    targets.extend(unexpected.iter().map(|key| child_pointer(&pointer, key)));
                }
                ValidationErrorKind::Enum { options } if !pointer.is_empty() => {
                    match options.as_array().and_then(|o| o.first()) {
                        Some(first) if !removed.contains(&pointer) => {
                            replacements.push((pointer, first.clone()));
                        }
                        _ => targets.push(pointer),
                    }
                }
                _ => targets.push(pointer),
            }
        }
        let replaced_any = !replacements.is_empty();
        for (pointer, placeholder) in replacements {
            if let Some(slot) = value.pointer_mut(&pointer) {
                *slot = placeholder;
                removed.push(pointer);
            }
        }
        if targets.is_empty() && !replaced_any {
            return Some((value, removed));
        }
        // Grouped by parent, so that thousands of unknown keys in one mapping cost one pass.
        let mut by_parent: std::collections::BTreeMap<String, std::collections::HashSet<String>> =
            std::collections::BTreeMap::new();
        for target in targets {
            let key_pointer = removable_ancestor(&value, &target)?;
            let (parent, key) = key_pointer.rsplit_once('/')?;
            let key = key.replace("~1", "/").replace("~0", "~");
            by_parent.entry(parent.to_string()).or_default().insert(key);
        }
        // Deepest parents first: removing an ancestor first would hide its children.
        for (parent, keys) in by_parent.into_iter().rev() {
            if let Some(Value::Object(map)) = value.pointer_mut(&parent) {
                map.retain(|key, _| {
                    let remove = keys.contains(key);
                    if remove {
                        removed.push(child_pointer(&parent, key));
                    }
                    !remove
                });
            }
        }
    }
    None
}

/// The closest ancestor-or-self of `pointer` that is a key of a mapping (not the root, not a
/// list item).
fn removable_ancestor(value: &Value, pointer: &str) -> Option<String> {
    let mut pointer = pointer.to_string();
    loop {
        let (parent, _) = pointer.rsplit_once('/')?;
        if value.pointer(parent).is_some_and(Value::is_object) {
            return Some(pointer);
        }
        pointer = parent.to_string();
    }
}

fn describe(
    document: &Document,
    pointer: &str,
    evaluation: &[String],
    kind: &ValidationErrorKind,
    instance: &Value,
) -> Vec<Diagnostic> {
    let location = display_path(pointer);
    let here = document.spans.value(pointer);
    let subschema = schema_at(&evaluation[..evaluation.len().saturating_sub(1)]);
    match kind {
        ValidationErrorKind::AdditionalProperties { unexpected } => {
            let known: Vec<&str> = subschema
                .and_then(|s| s.get("properties"))
                .and_then(Value::as_object)
                .map(|p| p.keys().map(String::as_str).collect())
                .unwrap_or_default();
            unexpected
                .iter()
                .map(|key| {
                    let key_pointer = child_pointer(pointer, key);
                    let where_ = if location.is_empty() {
                        "at the top level".to_string()
                    } else {
                        format!("in `{location}`")
                    };
                    let mut diag = Diagnostic::error(
                        crate::diag::Code::UnknownKey,
                        format!("unknown key `{key}` {where_}"),
                    )
                    .with_span(document.spans.key(&key_pointer));
                    diag = match closest(key, known.iter().copied()) {
                        Some(suggestion) => diag.with_help(format!("did you mean `{suggestion}`?")),
                        None if !known.is_empty() => {
                            diag.with_help(format!("valid keys here: {}", known.join(", ")))
                        }
                        None => diag,
                    };
                    diag
                })
                .collect()
        }
        ValidationErrorKind::Required { property } => {
            let name = property.as_str().unwrap_or_default();
            let mut diag = Diagnostic::error(
                crate::diag::Code::MissingKey,
                if location.is_empty() {
                    format!("missing required key `{name}`")
                } else {
                    format!("`{location}` is missing required key `{name}`")
                },
            )
            .with_span(
                document
                    .spans
                    .key(pointer)
                    .or(Some(crate::source::Span::new(0, 0))),
            );
            if let Some(description) = subschema
                .and_then(|s| s.pointer(&format!("/properties/{name}")))
                .and_then(property_description)
            {
                diag = diag.with_help(format!("add `{name}`: {description}"));
            }
            vec![diag]
        }
        ValidationErrorKind::Type { kind } => {
            let expected = match kind {
                jsonschema::error::TypeKind::Single(t) => t.to_string(),
                jsonschema::error::TypeKind::Multiple(set) => set
                    .iter()
                    .map(|t| t.to_string())
                    .filter(|t| t != "null")
                    .collect::<Vec<_>>()
                    .join(" or "),
            };
            let mut diag = Diagnostic::error(
                crate::diag::Code::InvalidType,
                format!(
                    "`{}` must be {} {expected}, found {}",
                    display_or_root(&location),
                    article(&expected),
                    describe_value(instance)
                ),
            )
            .with_span(here);
            let yaml_11_boolean = expected == "boolean"
                && instance.as_str().is_some_and(|s| {
                    ["yes", "no", "on", "off", "y", "n"].contains(&s.to_ascii_lowercase().as_str())
                });
            if yaml_11_boolean {
                diag = diag.with_help(
                    "agentc reads YAML 1.2, where only `true` and `false` are booleans (`yes`, `no`, `on`, `off` are strings)",
                );
            } else if let Some(description) = subschema.and_then(property_description) {
                diag = diag.with_help(description);
            }
            vec![diag]
        }
        ValidationErrorKind::Enum { options } => {
            let options: Vec<&str> = options
                .as_array()
                .map(|a| a.iter().filter_map(Value::as_str).collect())
                .unwrap_or_default();
            let found = instance
                .as_str()
                .map_or_else(|| instance.to_string(), str::to_string);
            let is_parameter_type = pointer.contains("/parameters/") && pointer.ends_with("/type");
            let rule = if is_parameter_type {
                crate::diag::Code::InvalidParameterType
            } else {
                crate::diag::Code::InvalidValue
            };
            let mut help = format!("expected one of: {}", options.join(", "));
            if let Some(suggestion) = closest(&found, options.iter().copied()) {
                help = format!("did you mean `{suggestion}`? ({help})");
            } else if is_parameter_type && (found == "object" || found == "dict") {
                help = format!(
                    "Bedrock Agents function parameters cannot be objects; pass JSON in a `string` parameter, or split it into several parameters ({help})"
                );
            }
            vec![
                Diagnostic::error(
                    rule,
                    format!(
                        "`{}` has an invalid value `{found}`",
                        display_or_root(&location)
                    ),
                )
                .with_span(here)
                .with_help(help),
            ]
        }
        ValidationErrorKind::Constant { expected_value } => vec![
            Diagnostic::error(
                crate::diag::Code::InvalidValue,
                format!(
                    "`{}` must be `{expected_value}`, found {}",
                    display_or_root(&location),
                    describe_value(instance)
                ),
            )
            .with_span(here),
        ],
        ValidationErrorKind::Minimum { limit }
        | ValidationErrorKind::Maximum { limit }
        | ValidationErrorKind::ExclusiveMinimum { limit }
        | ValidationErrorKind::ExclusiveMaximum { limit } => {
            let bound = match kind {
                ValidationErrorKind::Minimum { .. } => "at least",
                ValidationErrorKind::Maximum { .. } => "at most",
                ValidationErrorKind::ExclusiveMinimum { .. } => "more than",
                _ => "less than",
            };
            let mut diag = Diagnostic::error(
                crate::diag::Code::InvalidValue,
                format!(
                    "`{}` must be {bound} {limit}, found {instance}",
                    display_or_root(&location)
                ),
            )
            .with_span(here);
            if pointer == "/agentc" {
                diag = diag.with_help(
                    "this version of agentc reads spec format version 1: set `agentc: 1`",
                );
            } else if let Some(description) = subschema.and_then(property_description) {
                diag = diag.with_help(description);
            }
            vec![diag]
        }
        ValidationErrorKind::OneOfNotValid { context } | ValidationErrorKind::AnyOf { context }
            if !pointer.ends_with("/executor")
                && !pointer.starts_with("/vars/")
                && single_typed_branch(context, pointer).is_some() =>
        {
            // Only one alternative has the value's type: its errors are the helpful ones.
            let Some(branch) = single_typed_branch(context, pointer) else {
                return Vec::new();
            };
            branch
                .iter()
                .flat_map(|error| {
                    let evaluation: Vec<String> = error
                        .evaluation_path()
                        .iter()
                        .map(|s| s.to_string())
                        .collect();
                    describe(
                        document,
                        error.instance_path().as_str(),
                        &evaluation,
                        error.kind(),
                        error.instance(),
                    )
                })
                .collect()
        }
        ValidationErrorKind::OneOfNotValid { .. } | ValidationErrorKind::AnyOf { .. } => {
            let expectation = if pointer.ends_with("/executor") {
                "`return_control` or `lambda: <Lambda function ARN>`".to_string()
            } else if pointer.starts_with("/vars/") {
                "a string, a number or a boolean".to_string()
            } else {
                subschema
                    .and_then(property_description)
                    .unwrap_or_else(|| "one of the allowed forms".into())
            };
            vec![
                Diagnostic::error(
                    crate::diag::Code::InvalidType,
                    format!(
                        "`{}` must be {expectation}, found {}",
                        display_or_root(&location),
                        describe_value(instance)
                    ),
                )
                .with_span(here)
                .with_help(executor_help(pointer, instance)),
            ]
        }
        other => vec![
            Diagnostic::error(
                crate::diag::Code::InvalidValue,
                format!(
                    "`{}`: {}",
                    display_or_root(&location),
                    kind_message(other, instance)
                ),
            )
            .with_span(here),
        ],
    }
}

/// For a misspelt executor, the spelling meant; otherwise the two forms.
fn executor_help(pointer: &str, instance: &Value) -> String {
    if !pointer.ends_with("/executor") {
        return "see `agentc schema` for the allowed forms".into();
    }
    match instance.as_str().and_then(|s| closest(s, ["return_control", "lambda"])) {
        Some("return_control") => "did you mean `return_control`?".into(),
        _ => "write `executor: return_control`, or `executor:` with `lambda: arn:aws:lambda:…` on the next line, indented".into(),
    }
}

/// Of the alternatives of an `anyOf`/`oneOf`, the one branch that did not fail on the value's
/// type itself (at the same location), if there is exactly one.
fn single_typed_branch<'e>(
    context: &'e [Vec<jsonschema::ValidationError<'static>>],
    pointer: &str,
) -> Option<&'e Vec<jsonschema::ValidationError<'static>>> {
    let mut typed = context.iter().filter(|errors| {
        !errors.iter().any(|e| {
            e.instance_path().as_str() == pointer
                && matches!(
                    e.kind(),
                    ValidationErrorKind::Type { .. }
                        | ValidationErrorKind::Constant { .. }
                        | ValidationErrorKind::Enum { .. }
                )
        })
    });
    let first = typed.next()?;
    typed.next().is_none().then_some(first)
}

fn kind_message(kind: &ValidationErrorKind, instance: &Value) -> String {
    match kind {
        ValidationErrorKind::MinItems { limit } => format!("needs at least {limit} item(s)"),
        ValidationErrorKind::MaxItems { limit } => format!("allows at most {limit} item(s)"),
        ValidationErrorKind::MinLength { limit } => {
            format!("must be at least {limit} character(s) long")
        }
        ValidationErrorKind::MaxLength { limit } => {
            format!("must be at most {limit} character(s) long")
        }
        ValidationErrorKind::Pattern { pattern } => {
            format!("{instance} does not match `{pattern}`")
        }
        _ => format!("{instance} is not valid here"),
    }
}

/// The subschema reached by following an evaluation path from the root (resolving `$ref`s).
fn schema_at(path: &[String]) -> Option<&'static Value> {
    let root: &'static Value = &SCHEMA;
    let mut node = root;
    for segment in path {
        if segment == "$ref" {
            let reference = node.get("$ref")?.as_str()?;
            node = root.pointer(reference.strip_prefix('#')?)?;
            continue;
        }
        node = match node {
            Value::Object(map) => map.get(segment)?,
            Value::Array(items) => items.get(segment.parse::<usize>().ok()?)?,
            _ => return None,
        };
    }
    // An object property may itself be a `$ref` (or `anyOf[$ref, null]` for options).
    Some(resolve(node))
}

fn resolve(node: &'static Value) -> &'static Value {
    let root: &'static Value = &SCHEMA;
    if let Some(target) = node
        .get("$ref")
        .and_then(Value::as_str)
        .and_then(|r| r.strip_prefix('#'))
        .and_then(|r| root.pointer(r))
    {
        return target;
    }
    node
}

fn property_description(node: &Value) -> Option<String> {
    let node = if node.get("description").is_none() {
        node.get("$ref")
            .and_then(Value::as_str)
            .and_then(|r| r.strip_prefix('#'))
            .and_then(|r| SCHEMA.pointer(r))
            .unwrap_or(node)
    } else {
        node
    };
    node.get("description")
        .and_then(Value::as_str)
        .map(|d| d.lines().next().unwrap_or(d).to_string())
}

/// `/action_groups/0/functions/1/name` → `action_groups[0].functions[1].name`.
pub fn display_path(pointer: &str) -> String {
    let mut out = String::new();
    for segment in pointer.split('/').skip(1) {
        let segment = segment.replace("~1", "/").replace("~0", "~");
        if segment.parse::<usize>().is_ok() {
            out.push_str(&format!("[{segment}]"));
        } else {
            if !out.is_empty() {
                out.push('.');
            }
            out.push_str(&segment);
        }
    }
    out
}

fn display_or_root(location: &str) -> &str {
    if location.is_empty() {
        "the document"
    } else {
        location
    }
}

fn article(word: &str) -> &'static str {
    if word.starts_with(['a', 'e', 'i', 'o', 'u']) {
        "an"
    } else {
        "a"
    }
}

fn describe_value(value: &Value) -> String {
    match value {
        Value::Null => "nothing (null)".into(),
        Value::Bool(b) => format!("the boolean `{b}`"),
        Value::Number(n) => format!("the number `{n}`"),
        Value::String(s) if s.chars().count() > 40 => "a string".into(),
        Value::String(s) => format!("the string `{s}`"),
        Value::Array(_) => "a list".into(),
        Value::Object(_) => "a mapping".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_schema_uses_only_keywords_draft_7_validates_the_same_way() {
        fn walk(node: &Value, named: bool, path: &str, problems: &mut Vec<String>) {
            match node {
                // The keys of `properties` and `$defs` are names, not keywords.
                Value::Object(map) => {
                    if !named {
                        for key in map.keys() {
                            if !SAME_IN_DRAFT_7.contains(&key.as_str()) {
                                problems.push(format!("{path}/{key}"));
                            }
                        }
                        if map.contains_key("$ref") {
                            for key in map.keys() {
                                if !["$ref", "description", "default", "title"]
                                    .contains(&key.as_str())
                                {
                                    problems.push(format!("{path}/{key} beside $ref"));
                                }
                            }
                        }
                        if map.get("items").is_some_and(Value::is_array) {
                            problems.push(format!("{path}/items as an array"));
                        }
                    }
                    for (key, value) in map {
                        let names = !named && (key == "properties" || key == "$defs");
                        let data = !named && (key == "default" || key == "enum" || key == "const");
                        if !data {
                            walk(value, names, &format!("{path}/{key}"), problems);
                        }
                    }
                }
                Value::Array(items) => {
                    for (i, item) in items.iter().enumerate() {
                        walk(item, false, &format!("{path}/{i}"), problems);
                    }
                }
                _ => {}
            }
        }
        let mut problems = Vec::new();
        walk(&schema(), false, "", &mut problems);
        assert!(
            problems.is_empty(),
            "the schema uses keywords whose meaning differs between draft 7 (the validator) and 2020-12: {problems:?}; validate with draft 2020-12 (`jsonschema::validator_for`) or map them"
        );
        assert!(VALIDATOR.is_some());
    }

    #[test]
    fn the_committed_schema_is_the_generated_one() {
        let committed: Value = serde_json::from_str(COMMITTED).unwrap();
        assert!(
            committed == schema(),
            "schema/agent.schema.json is stale: run `AGENTC_UPDATE_SCHEMA=1 cargo test --test integration schema`"
        );
    }

    #[test]
    fn display_path_reads_like_the_yaml() {
        assert_eq!(
            display_path("/action_groups/0/functions/1/name"),
            "action_groups[0].functions[1].name"
        );
        assert_eq!(display_path(""), "");
    }

    #[test]
    fn the_schema_compiles_and_is_valid_draft_2020_12() {
        assert!(VALIDATOR.is_some());
        assert!(jsonschema::meta::validate(&SCHEMA).is_ok());
    }
}
