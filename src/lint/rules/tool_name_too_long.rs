use super::{NAME, TOOL_NAME};
use crate::declare_rule;
use crate::diag::Diagnostic;
use crate::lint::LintContext;
use crate::spec::ToolSource;
use crate::tokens::qualified_tool_name;

declare_rule! {
    /// # tool-name-too-long
    ///
    /// The Converse tool name `group__function` of a function is longer than 64 characters,
    /// so the direct target has to shorten it.
    ///
    /// ## Why
    /// Converse tool names are at most 64 characters of `[a-zA-Z0-9_-]`. The direct target
    /// names a tool `group__function`, and when that does not fit it falls back to a
    /// shortened, hashed name: the agent still works, but traces and `agentc run` output are
    /// harder to read. A recommendation: it never stops `compile`, `cost` or `deploy`.
    ///
    /// ## How to fix
    /// Shorten the action group or function name so that `group__function` fits in 64
    /// characters.
    ToolNameTooLong {
        severity: Warning,
        summary: "A Converse tool name over 64 characters, which the direct target shortens.",
        targets: [Direct],
        gate: Ignores,
        check: check,
    }
}

fn check(rule: &ToolNameTooLong, cx: &LintContext<'_>, out: &mut Vec<Diagnostic>) {
    for tool in &cx.agent.tools {
        let qualified = qualified_tool_name(tool);
        // An invalid name is `invalid-name`'s; this rule is about valid names that are long.
        if NAME.is_match(&tool.name) && !TOOL_NAME.is_match(&qualified) {
            let pointer = match tool.source {
                ToolSource::Function { .. } => format!("{}/name", tool.pointer),
                ToolSource::OpenApi { .. } => tool.pointer.clone(),
            };
            out.push(
                rule.report(format!(
                    "Converse tool name `{qualified}` is {} characters; Converse allows 64, so the direct target will use a shortened, hashed name",
                    qualified.chars().count()
                ))
                .with_span(cx.value_span(&pointer))
                .with_help("shorten the action group or function name"),
            );
        }
    }
}
