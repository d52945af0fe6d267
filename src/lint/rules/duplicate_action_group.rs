use crate::declare_rule;
use crate::diag::Diagnostic;
use crate::lint::LintContext;
use std::collections::HashMap;

declare_rule! {
    /// # duplicate-action-group
    ///
    /// Two action groups (or two knowledge bases) have the same name or id.
    ///
    /// ## Why
    /// Action group names are unique within an agent; Bedrock refuses the second one, and
    /// agentc's plan matches remote groups to the spec by name.
    ///
    /// ## How to fix
    /// Merge the two groups, or rename one.
    DuplicateActionGroup {
        id: "duplicate-action-group",
        severity: Error,
        summary: "Two action groups (or knowledge bases) share a name or id.",
        check: check,
    }
}

fn check(rule: &DuplicateActionGroup, cx: &LintContext<'_>, out: &mut Vec<Diagnostic>) {
    let _ = rule;
    let mut seen: HashMap<&str, usize> = HashMap::new();
    for (g, group) in cx.spec.action_groups.iter().enumerate() {
        if let Some(first) = seen.insert(&group.name, g) {
            let mut diag = Diagnostic::error(
                "duplicate-action-group",
                format!("action group `{}` is defined twice", group.name),
            )
            .with_span(cx.value_span(&format!("/action_groups/{g}/name")))
            .with_help("merge the groups or rename one");
            if let Some(span) = cx.value_span(&format!("/action_groups/{first}/name")) {
                diag = diag.with_related(span, "first defined here");
            }
            out.push(diag);
        }
    }
    let mut seen: HashMap<&str, usize> = HashMap::new();
    for (k, kb) in cx.spec.knowledge_bases.iter().enumerate() {
        if let Some(first) = seen.insert(&kb.id, k) {
            let mut diag = Diagnostic::error(
                "duplicate-action-group",
                format!("knowledge base `{}` is listed twice", kb.id),
            )
            .with_span(cx.value_span(&format!("/knowledge_bases/{k}/id")))
            .with_help("remove one of the entries");
            if let Some(span) = cx.value_span(&format!("/knowledge_bases/{first}/id")) {
                diag = diag.with_related(span, "first listed here");
            }
            out.push(diag);
        }
    }
}
