use crate::declare_rule;
use crate::diag::Diagnostic;
use crate::lint::LintContext;
use crate::spec::ToolSource;

declare_rule! {
    /// # missing-description
    ///
    /// A function, OpenAPI operation, parameter or action group has no description.
    ///
    /// ## Why
    /// The model chooses tools and fills parameters from their descriptions alone. A tool
    /// without one is called at random or never; a parameter without one gets guessed values.
    ///
    /// ## How to fix
    /// Say in one sentence what the tool does and when to use it, and for each parameter what
    /// value it expects (format, units, an example).
    MissingDescription {
        severity: Warning,
        summary: "A function, parameter or action group has no description.",
        gate: Ignores,
        check: check,
    }
}

fn check(rule: &MissingDescription, cx: &LintContext<'_>, out: &mut Vec<Diagnostic>) {
    for (g, group) in cx.spec.action_groups.iter().enumerate() {
        if group.description.is_none() {
            out.push(
                rule.report(format!("action group `{}` has no description", group.name))
                    .with_span(cx.value_span(&format!("/action_groups/{g}/name")))
                    .with_help("add `description:` saying what the group's tools are for"),
            );
        }
    }
    for tool in &cx.agent.tools {
        match tool.source {
            ToolSource::Function { index } => {
                let function = &cx.spec.action_groups[tool.group].functions[index];
                if function.description.is_none() {
                    out.push(
                        rule.report(format!("function `{}` has no description", function.name))
                            .with_span(cx.value_span(&format!("{}/name", tool.pointer)))
                            .with_help(
                                "add `description:`; the model picks tools by their descriptions",
                            ),
                    );
                }
                for (name, parameter) in &function.parameters {
                    if parameter.description.is_none() {
                        let pointer = format!(
                            "{}/parameters/{}",
                            tool.pointer,
                            crate::spec::yaml::pointer_segment(name)
                        );
                        out.push(
                            rule.report(format!(
                                "parameter `{name}` of `{}` has no description",
                                function.name
                            ))
                            .with_span(cx.key_span(&pointer))
                            .with_help(
                                "add `description:` saying what value the parameter expects",
                            ),
                        );
                    }
                }
            }
            ToolSource::OpenApi {
                ref method,
                ref path,
            } => {
                if tool.description.is_none() {
                    out.push(
                        rule.report(format!(
                            "operation `{}` ({method} {path}) has no description or summary",
                            tool.name
                        ))
                        .with_span(cx.value_span(&tool.pointer))
                        .with_help("add `description:` to the operation in the OpenAPI file"),
                    );
                }
            }
        }
    }
}
