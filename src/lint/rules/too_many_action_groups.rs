use crate::declare_rule;
use crate::diag::Diagnostic;
use crate::lint::LintContext;

/// Above this many groups orchestration fails noticeably more often (observed with Nova Pro).
pub const RECOMMENDED_MAX: usize = 3;

declare_rule! {
    /// # too-many-action-groups
    ///
    /// More than 3 action groups. A recommendation; the service's hard limits are
    /// `action-group-quota`.
    ///
    /// ## Why
    /// Every action group adds tool definitions to every orchestration call. With Amazon
    /// Nova Pro as orchestrator, agents with many action groups fail with
    /// `dependencyFailedException` noticeably more often than agents with three. Bedrock
    /// accepts the agent, so this never stops `compile`, `cost` or `deploy`.
    ///
    /// ## How to fix
    /// Merge groups that share an executor, or split the agent into several specialised
    /// agents. If the groups are needed, set this rule to `allow` in `lint.rules`.
    TooManyActionGroups {
        severity: Warning,
        summary: "More than 3 action groups (a recommendation).",
        targets: [Agents],
        gate: Ignores,
        check: check,
    }
}

fn check(rule: &TooManyActionGroups, cx: &LintContext<'_>, out: &mut Vec<Diagnostic>) {
    let total = cx.spec.action_groups.len();
    // Beyond the quota, `action-group-quota` says what matters: deploy will fail.
    if total > RECOMMENDED_MAX && !super::action_group_quota::exceeded(cx.spec) {
        out.push(
            rule.report(format!("the agent has {total} action groups; orchestration fails more often beyond {RECOMMENDED_MAX}"))
                .with_span(cx.key_span("/action_groups"))
                .with_help("merge groups that share an executor, or split the agent into specialised agents"),
        );
    }
}
