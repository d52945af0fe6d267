use crate::declare_rule;
use crate::diag::Diagnostic;
use crate::lint::LintContext;

declare_rule! {
    /// # invalid-handler
    ///
    /// A `targets.direct.handlers` entry names a function the agent does not have, gives
    /// both or neither of `command` and `http`, has an empty command, or a URL that is not
    /// http(s); or a `prompt_overrides` template file does not exist.
    ///
    /// ## Why
    /// `agentc run` dispatches tool calls to these handlers; a handler for a misspelt
    /// function silently never runs, and the function falls back to its executor.
    ///
    /// ## How to fix
    /// Key handlers by function name (as in `functions:` or the OpenAPI `operationId`), give
    /// exactly one of `command: [program, args…]` or `http: https://…`, and check template
    /// paths (relative to the spec).
    InvalidHandler {
        severity: Error,
        summary: "A direct-target handler or prompt-override template is misconfigured.",
        check: check,
    }
}

fn check(rule: &InvalidHandler, cx: &LintContext<'_>, out: &mut Vec<Diagnostic>) {
    if let Some(direct) = &cx.spec.targets.direct {
        for (name, handler) in &direct.handlers {
            let pointer = format!(
                "/targets/direct/handlers/{}",
                crate::spec::yaml::pointer_segment(name)
            );
            if !cx.agent.tools.iter().any(|t| &t.name == name) {
                let mut diag = rule
                    .report(format!("handler for unknown function `{name}`"))
                    .with_span(cx.key_span(&pointer));
                if let Some(suggestion) =
                    crate::diag::closest(name, cx.agent.tools.iter().map(|t| t.name.as_str()))
                {
                    diag = diag.with_help(format!("did you mean `{suggestion}`?"));
                }
                out.push(diag);
            }
            match (&handler.command, &handler.http) {
                (Some(_), Some(_)) | (None, None) => out.push(
                    rule.report(format!(
                        "handler `{name}` must have exactly one of `command` and `http`"
                    ))
                    .with_span(cx.key_span(&pointer))
                    .with_help("use `command: [program, args…]` or `http: https://…`"),
                ),
                (Some(command), None) if command.is_empty() || command[0].trim().is_empty() => out
                    .push(
                        rule.report(format!("handler `{name}` has an empty command"))
                            .with_span(cx.value_span(&format!("{pointer}/command")))
                            .with_help("give the program to run first, then its arguments"),
                    ),
                (None, Some(url))
                    if !(url.starts_with("http://") || url.starts_with("https://")) =>
                {
                    out.push(
                        rule.report(format!(
                            "handler `{name}` has URL `{url}`, which is not http(s)"
                        ))
                        .with_span(cx.value_span(&format!("{pointer}/http")))
                        .with_help("use an http:// or https:// URL"),
                    )
                }
                _ => {}
            }
        }
    }
    if let Some(overrides) = &cx.spec.prompt_overrides {
        for (key, _, prompt) in overrides.entries() {
            let path = cx.loaded.file.dir().join(&prompt.template);
            if !path.is_file() {
                out.push(
                    rule.report(format!(
                        "prompt template `{}` does not exist",
                        prompt.template
                    ))
                    .with_span(cx.value_span(&format!("/prompt_overrides/{key}/template")))
                    .with_help("the path is relative to the spec file"),
                );
            }
        }
    }
}
