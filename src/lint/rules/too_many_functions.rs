use crate::declare_rule;
use crate::diag::Diagnostic;
use crate::lint::LintContext;

/// Quota L-6B2DA87E "APIs per Agent" (adjustable).
pub const MAX_FUNCTIONS: usize = 11;

declare_rule! {
    /// # too-many-functions
    ///
    /// The agent has more than 11 functions and OpenAPI operations in all.
    ///
    /// ## Why
    /// The Bedrock Agents quota "APIs per Agent" defaults to 11 (functions and API
    /// operations over all action groups). Beyond it the deployment fails; and every tool
    /// definition is sent on every orchestration call, so many tools also cost tokens and
    /// accuracy.
    ///
    /// ## How to fix
    /// Merge similar functions, move rarely used ones to another agent, or request a quota
    /// increase and set this rule to `allow`.
    TooManyFunctions {
        severity: Error,
        summary: "More than the 11 functions (APIs) per agent Bedrock allows by default.",
        targets: [Agents],
        check: check,
    }
}

fn check(rule: &TooManyFunctions, cx: &LintContext<'_>, out: &mut Vec<Diagnostic>) {
    let count = cx.agent.tools.len();
    if count > MAX_FUNCTIONS {
        out.push(
            rule.report(format!("the agent has {count} functions; Bedrock allows {MAX_FUNCTIONS} per agent by default"))
                .with_span(cx.key_span("/action_groups"))
                .with_help("merge similar functions or split the agent; or raise the quota (L-6B2DA87E) and allow this rule"),
        );
    }
}
