use crate::declare_rule;
use crate::diag::Diagnostic;
use crate::lint::LintContext;
use crate::spec::Spec;

/// Quota L-5DAAE567 "Action groups per Agent".
pub const QUOTA: usize = 20;
/// Quota L-14A16430 "Enabled action groups per agent".
pub const ENABLED_QUOTA: usize = 15;

declare_rule! {
    /// # action-group-quota
    ///
    /// More action groups than the Bedrock Agents quotas allow by default: 20 action groups
    /// per agent, 15 of them enabled.
    ///
    /// ## Why
    /// Beyond the quotas CreateAgentActionGroup fails with `ServiceQuotaExceededException`,
    /// halfway through a deploy. Both quotas are adjustable; the number of action groups
    /// that orchestrates well is far lower (see `too-many-action-groups`).
    ///
    /// ## How to fix
    /// Merge groups that share an executor, or split the agent into several specialised
    /// agents. If your account has a raised quota, set this rule to `allow` in `lint.rules`.
    ActionGroupQuota {
        severity: Error,
        summary: "More action groups than Bedrock Agents allows (20, or 15 enabled).",
        targets: [Agents],
        check: check,
    }
}

/// Whether the spec has more action groups, or enabled ones, than the quotas allow.
pub(crate) fn exceeded(spec: &Spec) -> bool {
    let enabled = spec.action_groups.iter().filter(|g| g.enabled).count();
    spec.action_groups.len() > QUOTA || enabled > ENABLED_QUOTA
}

fn check(rule: &ActionGroupQuota, cx: &LintContext<'_>, out: &mut Vec<Diagnostic>) {
    if !exceeded(cx.spec) {
        return;
    }
    let total = cx.spec.action_groups.len();
    let enabled = cx.spec.action_groups.iter().filter(|g| g.enabled).count();
    out.push(
        rule.report(format!("the agent has {total} action groups ({enabled} enabled); Bedrock allows {QUOTA} ({ENABLED_QUOTA} enabled) by default"))
            .with_span(cx.key_span("/action_groups"))
            .with_help("merge groups or split the agent"),
    );
}
