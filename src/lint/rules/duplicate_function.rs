use crate::declare_rule;
use crate::diag::Diagnostic;
use crate::lint::LintContext;
use crate::spec::{Tool, ToolSource};
use std::collections::HashMap;

declare_rule! {
    /// # duplicate-function
    ///
    /// Two functions (or OpenAPI operations) of one action group have the same name.
    ///
    /// ## Why
    /// Bedrock rejects the duplicate, and on the direct target a tool call could not be
    /// told apart from the other one. The same name in two different action groups is
    /// `duplicate-function-across-groups`, a warning.
    ///
    /// ## How to fix
    /// Rename one function so each name says what it does (`get_order_status`,
    /// `get_service_status`), or merge the two.
    DuplicateFunction {
        severity: Error,
        summary: "Two functions of one action group share a name.",
        check: check,
    }
}

fn check(rule: &DuplicateFunction, cx: &LintContext<'_>, out: &mut Vec<Diagnostic>) {
    for (first, tool) in duplicates(cx.agent.tools.as_slice()) {
        if first.group == tool.group {
            out.push(located(
                rule.report(format!(
                    "function `{}` is defined twice in action group `{}`",
                    tool.name, tool.group_name
                )),
                cx,
                first,
                tool,
            ));
        }
    }
}

/// Each tool whose name an earlier tool already has, with the first tool of that name.
pub(crate) fn duplicates(tools: &[Tool]) -> Vec<(&Tool, &Tool)> {
    let mut seen: HashMap<&str, &Tool> = HashMap::new();
    let mut out = Vec::new();
    for tool in tools {
        match seen.get(tool.name.as_str()) {
            Some(first) => out.push((*first, tool)),
            None => {
                seen.insert(&tool.name, tool);
            }
        }
    }
    out
}

/// Place a duplicate's finding at its name, pointing back at the first definition.
pub(crate) fn located(
    diagnostic: Diagnostic,
    cx: &LintContext<'_>,
    first: &Tool,
    tool: &Tool,
) -> Diagnostic {
    let pointer_of = |t: &Tool| match t.source {
        ToolSource::Function { .. } => format!("{}/name", t.pointer),
        ToolSource::OpenApi { .. } => t.pointer.clone(),
    };
    let mut diag = diagnostic
        .with_span(cx.value_span(&pointer_of(tool)))
        .with_help("rename one of them so that each tool name says what it does");
    if let Some(span) = cx.value_span(&pointer_of(first)) {
        diag = diag.with_related(span, "first defined here");
    }
    diag
}
