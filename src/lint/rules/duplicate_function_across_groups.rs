use super::duplicate_function::{duplicates, located};
use crate::declare_rule;
use crate::diag::Diagnostic;
use crate::lint::LintContext;

declare_rule! {
    /// # duplicate-function-across-groups
    ///
    /// Two functions (or OpenAPI operations) in different action groups have the same name.
    ///
    /// ## Why
    /// Bedrock accepts it, and the direct target names such tools `group__function`, but
    /// the orchestrating model sees two tools whose names differ only by their group, which
    /// invites the wrong call, and `agentc run` and traces become ambiguous to read. A
    /// recommendation: it never stops `compile`, `cost` or `deploy`. Within one group the
    /// same name is `duplicate-function`, an error.
    ///
    /// ## How to fix
    /// Rename one function so each name says what it does (`get_order_status`,
    /// `get_service_status`), or merge the two.
    DuplicateFunctionAcrossGroups {
        severity: Warning,
        summary: "Two functions in different action groups share a name.",
        gate: Ignores,
        check: check,
    }
}

fn check(rule: &DuplicateFunctionAcrossGroups, cx: &LintContext<'_>, out: &mut Vec<Diagnostic>) {
    for (first, tool) in duplicates(cx.agent.tools.as_slice()) {
        if first.group != tool.group {
            out.push(located(
                rule.report(format!(
                    "function `{}` is defined in both `{}` and `{}`",
                    tool.name, first.group_name, tool.group_name
                )),
                cx,
                first,
                tool,
            ));
        }
    }
}
