use crate::declare_rule;
use crate::diag::{Diagnostic, Severity};
use crate::lint::LintContext;
use crate::spec::ToolSource;
use std::collections::HashMap;

declare_rule! {
    /// # duplicate-function
    ///
    /// Two functions (or OpenAPI operations) have the same name: within one action group an
    /// error, across action groups a warning.
    ///
    /// ## Why
    /// Within a group Bedrock rejects the duplicate. Across groups Bedrock accepts it, but
    /// the orchestrating model sees two tools whose names differ only by their group, which
    /// invites the wrong call, and `agentc run` and traces become ambiguous to read.
    ///
    /// ## How to fix
    /// Rename one function so each name says what it does (`get_order_status`,
    /// `get_service_status`), or merge the two.
    DuplicateFunction {
        id: "duplicate-function",
        severity: Error,
        summary: "Two functions share a name.",
        check: check,
    }
}

fn check(rule: &DuplicateFunction, cx: &LintContext<'_>, out: &mut Vec<Diagnostic>) {
    let _ = rule;
    let mut seen: HashMap<&str, usize> = HashMap::new();
    for (index, tool) in cx.agent.tools.iter().enumerate() {
        let Some(&first_index) = seen.get(tool.name.as_str()) else {
            seen.insert(&tool.name, index);
            continue;
        };
        let first = &cx.agent.tools[first_index];
        let same_group = first.group == tool.group;
        let (severity, message) = if same_group {
            (
                Severity::Error,
                format!(
                    "function `{}` is defined twice in action group `{}`",
                    tool.name, tool.group_name
                ),
            )
        } else {
            (
                Severity::Warning,
                format!(
                    "function `{}` is defined in both `{}` and `{}`",
                    tool.name, first.group_name, tool.group_name
                ),
            )
        };
        let pointer_of = |t: &crate::spec::Tool| match t.source {
            ToolSource::Function { .. } => format!("{}/name", t.pointer),
            ToolSource::OpenApi { .. } => t.pointer.clone(),
        };
        let mut diag = Diagnostic::new("duplicate-function", severity, message)
            .with_span(cx.value_span(&pointer_of(tool)))
            .with_help("rename one of them so that each tool name says what it does");
        if let Some(span) = cx.value_span(&pointer_of(first)) {
            diag = diag.with_related(span, "first defined here");
        }
        out.push(diag);
    }
}
