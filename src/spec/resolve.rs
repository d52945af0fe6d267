//! Spec → Agent: the instruction rendered with its variables, and every tool (function or
//! OpenAPI operation) in one list, in the shape both targets compile from.

use super::LoadOptions;
use super::openapi;
use super::types::{Executor, Spec, VarValue};
use super::yaml::Document;
use crate::diag::Diagnostic;
use crate::source::{SourceFile, Span};
use indexmap::IndexMap;
use serde_json::{Value, json};

/// A spec resolved into what the targets need.
#[derive(Debug, Clone)]
pub struct Agent {
    pub name: String,
    /// The instruction after template rendering (the raw template when rendering failed).
    pub instruction: String,
    pub tools: Vec<Tool>,
}

/// Where a tool came from.
#[derive(Debug, Clone, PartialEq)]
pub enum ToolSource {
    /// `action_groups[group].functions[index]`.
    Function { index: usize },
    /// An operation of the group's OpenAPI document.
    OpenApi { method: String, path: String },
}

/// One callable tool: a function of an action group, or an OpenAPI operation.
#[derive(Debug, Clone)]
pub struct Tool {
    /// Index of the action group in `action_groups`.
    pub group: usize,
    pub group_name: String,
    /// The function name, or the OpenAPI operationId.
    pub name: String,
    pub description: Option<String>,
    /// JSON Schema (an object schema) of the tool's input.
    pub input_schema: Value,
    pub executor: Executor,
    pub source: ToolSource,
    /// JSON pointer of the function in the spec (or of the group's `openapi` key).
    pub pointer: String,
}

pub fn resolve(
    spec: &Spec,
    file: &SourceFile,
    document: &Document,
    options: &LoadOptions,
) -> (Agent, Vec<Diagnostic>) {
    let mut diagnostics = Vec::new();
    let instruction = render_instruction(spec, file, document, options, &mut diagnostics);
    let mut tools = Vec::new();
    for (group_index, group) in spec.action_groups.iter().enumerate() {
        let group_pointer = format!("/action_groups/{group_index}");
        if let Some(openapi_path) = &group.openapi {
            if !group.functions.is_empty() {
                diagnostics.push(
                    Diagnostic::error(
                        crate::diag::Code::InvalidValue,
                        format!("action group `{}` has both `functions` and `openapi`", group.name),
                    )
                    .with_span(document.spans.key(&format!("{group_pointer}/openapi")))
                    .with_help("Bedrock takes either a function schema or an API schema per action group; split them into two groups"),
                );
            }
            let pointer = format!("{group_pointer}/openapi");
            match openapi::load(&file.dir().join(openapi_path)) {
                Ok(operations) => {
                    for operation in operations {
                        tools.push(Tool {
                            group: group_index,
                            group_name: group.name.clone(),
                            name: operation.operation_id,
                            description: operation.description,
                            input_schema: operation.input_schema,
                            executor: group.executor.clone(),
                            source: ToolSource::OpenApi {
                                method: operation.method,
                                path: operation.path,
                            },
                            pointer: pointer.clone(),
                        });
                    }
                }
                Err(problems) => {
                    for problem in problems {
                        diagnostics.push(
                            Diagnostic::error(crate::diag::Code::InvalidOpenapi, format!("`{openapi_path}`: {problem}"))
                                .with_span(document.spans.value(&pointer))
                                .with_help("the path is relative to the spec; the file must be an OpenAPI 3 document (JSON or YAML) whose every operation has an `operationId`"),
                        );
                    }
                }
            }
        } else if group.openapi_s3.is_some() {
            diagnostics.push(
                Diagnostic::error(
                    crate::diag::Code::MissingKey,
                    format!(
                        "action group `{}` has `openapi_s3` but no `openapi`",
                        group.name
                    ),
                )
                .with_span(document.spans.key(&format!("{group_pointer}/openapi_s3")))
                .with_help(
                    "add `openapi: <path>` to a local copy of the S3 object: lint, cost and the direct target read that copy",
                ),
            );
        } else if group.functions.is_empty() {
            diagnostics.push(
                Diagnostic::error(
                    crate::diag::Code::MissingKey,
                    format!(
                        "action group `{}` has no `functions` and no `openapi`",
                        group.name
                    ),
                )
                .with_span(document.spans.key(&group_pointer))
                .with_help(
                    "give the group a `functions:` list, or `openapi: <path>` to an OpenAPI 3 file",
                ),
            );
        }
        for (index, function) in group.functions.iter().enumerate() {
            let mut properties = serde_json::Map::new();
            let mut required = Vec::new();
            for (name, parameter) in &function.parameters {
                let mut schema = json!({ "type": parameter.kind.as_str() });
                if let Some(description) = &parameter.description {
                    schema["description"] = json!(description);
                }
                properties.insert(name.clone(), schema);
                if parameter.required {
                    required.push(json!(name));
                }
            }
            let mut input_schema = json!({ "type": "object", "properties": properties });
            if !required.is_empty() {
                input_schema["required"] = Value::Array(required);
            }
            tools.push(Tool {
                group: group_index,
                group_name: group.name.clone(),
                name: function.name.clone(),
                description: function.description.clone(),
                input_schema,
                executor: group.executor.clone(),
                source: ToolSource::Function { index },
                pointer: format!("{group_pointer}/functions/{index}"),
            });
        }
    }
    (
        Agent {
            name: spec.name.clone(),
            instruction,
            tools,
        },
        diagnostics,
    )
}

/// Steps (minijinja "fuel") an instruction template may take to render: a real one takes a
/// few hundred; nested loops over long values could otherwise make `agentc lint` spin.
pub const TEMPLATE_FUEL: u64 = 100_000;

/// Largest rendered instruction: Bedrock takes 20,000 characters, so this is a bound on work,
/// not a limit anyone meets.
pub const MAX_RENDERED_BYTES: usize = 1024 * 1024;

/// The template environment shared by every render of user text: undefined variables are
/// errors, never silently empty strings in a deployed prompt; rendering is bounded by
/// [`TEMPLATE_FUEL`].
pub fn template_env() -> minijinja::Environment<'static> {
    let mut env = minijinja::Environment::new();
    env.set_undefined_behavior(minijinja::UndefinedBehavior::Strict);
    env.set_fuel(Some(TEMPLATE_FUEL));
    if let Ok(syntax) = minijinja::syntax::SyntaxConfig::builder()
        .keep_trailing_newline(true)
        .build()
    {
        env.set_syntax(syntax);
    }
    env
}

fn render_instruction(
    spec: &Spec,
    file: &SourceFile,
    document: &Document,
    options: &LoadOptions,
    diagnostics: &mut Vec<Diagnostic>,
) -> String {
    let mut vars: IndexMap<String, Value> = spec
        .vars
        .iter()
        .map(|(k, v)| {
            let value = match v {
                VarValue::String(s) => json!(s),
                VarValue::Number(n) => json!(n),
                VarValue::Bool(b) => json!(b),
            };
            (k.clone(), value)
        })
        .collect();
    for (key, value) in &options.vars {
        vars.insert(key.clone(), json!(value));
    }
    let instruction_span = document.spans.value("/instruction");
    let env = template_env();
    let template = match env.template_from_str(&spec.instruction) {
        Ok(template) => template,
        Err(error) => {
            diagnostics.push(
                Diagnostic::error(crate::diag::Code::UndefinedVariable, format!("the instruction is not a valid template: {}", error.detail().unwrap_or("syntax error")))
                    .with_span(instruction_span)
                    .with_help("`instruction` is a minijinja template: use `{{ name }}` for variables and `{% raw %}…{% endraw %}` for literal braces"),
            );
            return spec.instruction.clone();
        }
    };
    let used = template.undeclared_variables(false);
    // A `--var` that neither `vars:` declares nor the instruction uses is a typo whose value
    // would silently be dropped (and the default deployed): refuse it by name.
    for (key, _) in &options.vars {
        if spec.vars.contains_key(key) || used.contains(key) {
            continue;
        }
        let known = spec
            .vars
            .keys()
            .map(String::as_str)
            .chain(used.iter().map(String::as_str));
        let help = match crate::diag::closest(key, known) {
            Some(suggestion) => format!("did you mean `--var {suggestion}=…`?"),
            None if spec.vars.is_empty() => {
                "the spec declares no `vars`; declare it under `vars:` or leave out the flag"
                    .to_string()
            }
            None => format!(
                "the spec declares: {}",
                spec.vars
                    .keys()
                    .map(String::as_str)
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        };
        diagnostics.push(
            Diagnostic::error(
                crate::diag::Code::UndefinedVariable,
                format!("`--var {key}` sets a variable the spec does not declare or use"),
            )
            .with_span(document.spans.value("/vars").or(instruction_span))
            .with_help(help),
        );
    }
    let mut missing: Vec<&String> = used
        .iter()
        .filter(|name| !vars.contains_key(*name))
        .collect();
    missing.sort();
    for name in &missing {
        let span = instruction_span.and_then(|span| find_in(file, span, name));
        let mut diag = Diagnostic::error(
            crate::diag::Code::UndefinedVariable,
            format!("the instruction uses `{{{{ {name} }}}}` but no value is given for `{name}`"),
        )
        .with_span(span.or(instruction_span))
        .with_help(format!(
            "add `{name}` under `vars:`, or pass `--var {name}=…`"
        ));
        if let Some(suggestion) = crate::diag::closest(name, vars.keys().map(String::as_str)) {
            diag = diag.with_help(format!("did you mean `{suggestion}`? Otherwise add `{name}` under `vars:` or pass `--var {name}=…`"));
        }
        diagnostics.push(diag);
    }
    if !missing.is_empty() {
        return spec.instruction.clone();
    }
    let mut output = CappedOutput::default();
    let rendered = template.render_captured_to(minijinja::value::Serde(&vars), &mut output);
    let limit = if output.overflowed {
        Some(format!(
            "the instruction renders to more than {} (agentc's limit for a rendered instruction; Bedrock takes 20,000 characters)",
            crate::fsio::size_in_words(MAX_RENDERED_BYTES as u64)
        ))
    } else {
        match &rendered {
            Err(error) if error.kind() == minijinja::ErrorKind::OutOfFuel => Some(format!(
                "the instruction template takes more than {TEMPLATE_FUEL} steps to render (agentc's limit), so it was not rendered"
            )),
            _ => None,
        }
    };
    if let Some(message) = limit {
        diagnostics.push(
            Diagnostic::error(crate::diag::Code::InvalidValue, message)
                .with_span(instruction_span)
                .with_help("an instruction template substitutes `vars`; loops that multiply text are not what it is for — write the text out, or shorten the loops"),
        );
        return spec.instruction.clone();
    }
    match rendered {
        Ok(_) => String::from_utf8(output.bytes).unwrap_or_default(),
        Err(error) => {
            diagnostics.push(
                Diagnostic::error(
                    crate::diag::Code::UndefinedVariable,
                    format!("the instruction could not be rendered: {error}"),
                )
                .with_span(instruction_span),
            );
            spec.instruction.clone()
        }
    }
}

/// A render target that refuses to grow past [`MAX_RENDERED_BYTES`] (the write fails, which
/// ends the render).
#[derive(Default)]
struct CappedOutput {
    bytes: Vec<u8>,
    overflowed: bool,
}

impl std::io::Write for CappedOutput {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        if self.bytes.len() + buf.len() > MAX_RENDERED_BYTES {
            self.overflowed = true;
            return Err(std::io::Error::other(
                "the rendered instruction is too large",
            ));
        }
        self.bytes.extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// The first occurrence of `needle` as a whole word inside `span`.
fn find_in(file: &SourceFile, span: Span, needle: &str) -> Option<Span> {
    let haystack = file.text.get(span.start..span.end)?;
    let bytes = haystack.as_bytes();
    let is_word = |b: u8| b.is_ascii_alphanumeric() || b == b'_';
    haystack.match_indices(needle).find_map(|(i, _)| {
        let before_ok = i == 0 || !is_word(bytes[i - 1]);
        let after = i + needle.len();
        let after_ok = after >= bytes.len() || !is_word(bytes[after]);
        (before_ok && after_ok).then(|| Span::new(span.start + i, span.start + after))
    })
}

#[cfg(test)]
mod tests {
    use crate::diag::Code;
    use crate::source::SourceFile;
    use crate::spec::{LoadOptions, load_source};

    fn instruction_findings(instruction: &str) -> Vec<(Code, String)> {
        let text = format!(
            "agentc: 1\nname: bomb\nmodel: amazon.nova-lite-v1:0\nvars:\n  x: abcdefghijklmnopqrstuvwxyz0123456789\ninstruction: |\n  You are a test agent that answers questions. {instruction}\n"
        );
        let loaded = load_source(SourceFile::new("bomb.yaml", text), &LoadOptions::default());
        loaded
            .diagnostics
            .iter()
            .map(|d| (d.rule, d.message.clone()))
            .collect()
    }

    #[test]
    fn a_template_bomb_runs_out_of_fuel_with_a_located_error_naming_the_limit() {
        let started = std::time::Instant::now();
        let findings = instruction_findings(
            "{% for a in x %}{% for b in x %}{% for c in x %}{% for d in x %}{% for e in x %}.{% endfor %}{% endfor %}{% endfor %}{% endfor %}{% endfor %}",
        );
        assert!(started.elapsed() < std::time::Duration::from_secs(10));
        assert!(
            findings
                .iter()
                .any(|(code, message)| *code == Code::InvalidValue
                    && message.contains("more than 100000 steps")),
            "{findings:?}"
        );
    }

    #[test]
    fn an_instruction_that_renders_too_large_is_refused_naming_the_limit() {
        let findings = instruction_findings("{{ 'x' * 2000000 }}");
        assert!(
            findings
                .iter()
                .any(|(code, message)| *code == Code::InvalidValue
                    && message.contains("renders to more than 1 MiB")),
            "{findings:?}"
        );
        // An ordinary template renders as before.
        assert!(instruction_findings("Answer in {{ x }}.").is_empty());
    }

    #[test]
    fn an_undeclared_var_is_an_error_naming_it_with_a_suggestion() {
        let text = "agentc: 1\nname: vars\nmodel: amazon.nova-lite-v1:0\nvars:\n  region: eu\ninstruction: You are a test agent that answers questions about {{ region }}.\n";
        let options = LoadOptions {
            vars: vec![("regoin".into(), "us".into())],
        };
        let loaded = load_source(SourceFile::new("vars.yaml", text), &options);
        let finding = loaded
            .diagnostics
            .iter()
            .find(|d| d.message.contains("`--var regoin`"))
            .expect("the misspelt --var is named");
        assert_eq!(finding.rule, Code::UndefinedVariable);
        assert!(
            finding
                .help
                .as_deref()
                .unwrap_or("")
                .contains("--var region=")
        );
        // A declared one is fine.
        let options = LoadOptions {
            vars: vec![("region".into(), "us".into())],
        };
        let loaded = load_source(SourceFile::new("vars.yaml", text), &options);
        assert!(loaded.diagnostics.is_empty(), "{:?}", loaded.diagnostics);
    }
}
