use crate::declare_rule;
use crate::diag::Diagnostic;
use crate::lint::LintContext;

/// Above this many groups orchestration fails noticeably more often (observed with Nova Pro).
pub const RECOMMENDED_MAX: usize = 3;
/// Quota L-5DAAE567 "Action groups per Agent".
pub const QUOTA: usize = 20;
/// Quota L-14A16430 "Enabled action groups per agent".
pub const ENABLED_QUOTA: usize = 15;

declare_rule! {
    /// # too-many-action-groups
    ///
    /// More than 3 action groups (a warning), or more than the service quotas of 20 action
    /// groups or 15 enabled ones (an error).
    ///
    /// ## Why
    /// Every action group adds tool definitions to every orchestration call. With Amazon
    /// Nova Pro as orchestrator, agents with many action groups fail with
    /// `dependencyFailedException` noticeably more often than agents with three. Beyond the
    /// quotas, CreateAgentActionGroup fails.
    ///
    /// ## How to fix
    /// Merge groups that share an executor, or split the agent into several specialised
    /// agents. If the groups are needed, set this rule to `allow` in `lint.rules`.
    TooManyActionGroups {
        id: "too-many-action-groups",
        severity: Warning,
        summary: "More than 3 action groups (warning), or beyond the service quota (error).",
        check: check,
    }
}

fn check(rule: &TooManyActionGroups, cx: &LintContext<'_>, out: &mut Vec<Diagnostic>) {
    let _ = rule;
    let total = cx.spec.action_groups.len();
    let enabled = cx.spec.action_groups.iter().filter(|g| g.enabled).count();
    let span = cx.key_span("/action_groups");
    if total > QUOTA || enabled > ENABLED_QUOTA {
        out.push(
            Diagnostic::error("too-many-action-groups", format!("the agent has {total} action groups ({enabled} enabled); Bedrock allows {QUOTA} ({ENABLED_QUOTA} enabled) by default"))
                .with_span(span)
                .with_help("merge groups or split the agent"),
        );
    } else if total > RECOMMENDED_MAX {
        out.push(
            Diagnostic::warning("too-many-action-groups", format!("the agent has {total} action groups; orchestration fails more often beyond {RECOMMENDED_MAX}"))
                .with_span(span)
                .with_help("merge groups that share an executor, or split the agent into specialised agents"),
        );
    }
}
