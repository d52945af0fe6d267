use crate::declare_rule;
use crate::diag::Diagnostic;
use crate::lint::LintContext;
use std::collections::HashMap;

declare_rule! {
    /// # duplicate-action-group
    ///
    /// Two action groups (or two knowledge bases) have the same name or id. Built-in action
    /// groups (`targets.agents.built_in_action_groups`) share the action groups' names.
    ///
    /// ## Why
    /// Action group names are unique within an agent; Bedrock refuses the second one, and
    /// agentc's plan matches remote groups to the spec by name.
    ///
    /// ## How to fix
    /// Merge the two groups, or rename one.
    DuplicateActionGroup {
        severity: Error,
        summary: "Two action groups (or knowledge bases) share a name or id.",
        check: check,
    }
}

fn check(rule: &DuplicateActionGroup, cx: &LintContext<'_>, out: &mut Vec<Diagnostic>) {
    let mut seen: HashMap<&str, usize> = HashMap::new();
    for (g, group) in cx.spec.action_groups.iter().enumerate() {
        if let Some(first) = seen.insert(&group.name, g) {
            let mut diag = rule
                .report(format!("action group `{}` is defined twice", group.name))
                .with_span(cx.value_span(&format!("/action_groups/{g}/name")))
                .with_help("merge the groups or rename one");
            if let Some(span) = cx.value_span(&format!("/action_groups/{first}/name")) {
                diag = diag.with_related(span, "first defined here");
            }
            out.push(diag);
        }
    }
    let built_ins = cx
        .spec
        .targets
        .agents
        .as_ref()
        .map(|a| a.built_in_action_groups.as_slice())
        .unwrap_or_default();
    let mut names: HashMap<String, String> = cx
        .spec
        .action_groups
        .iter()
        .enumerate()
        .map(|(g, group)| (group.name.clone(), format!("/action_groups/{g}/name")))
        .collect();
    for (b, built_in) in built_ins.iter().enumerate() {
        let name = built_in.group_name();
        let here = if built_in.name.is_some() {
            format!("/targets/agents/built_in_action_groups/{b}/name")
        } else {
            format!("/targets/agents/built_in_action_groups/{b}/signature")
        };
        if let Some(first) = names.get(&name) {
            let mut diag = rule
                .report(format!("action group name `{name}` is used twice"))
                .with_span(cx.value_span(&here))
                .with_help("give the built-in action group another `name`");
            if let Some(span) = cx.value_span(first) {
                diag = diag.with_related(span, "first used here");
            }
            out.push(diag);
        } else {
            names.insert(name, here);
        }
    }
    let mut seen: HashMap<&str, usize> = HashMap::new();
    for (k, kb) in cx.spec.knowledge_bases.iter().enumerate() {
        if let Some(first) = seen.insert(&kb.id, k) {
            let mut diag = rule
                .report(format!("knowledge base `{}` is listed twice", kb.id))
                .with_span(cx.value_span(&format!("/knowledge_bases/{k}/id")))
                .with_help("remove one of the entries");
            if let Some(span) = cx.value_span(&format!("/knowledge_bases/{first}/id")) {
                diag = diag.with_related(span, "first listed here");
            }
            out.push(diag);
        }
    }
}
