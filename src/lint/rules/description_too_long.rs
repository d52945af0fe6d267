use crate::declare_rule;
use crate::diag::Diagnostic;
use crate::lint::LintContext;

declare_rule! {
    /// # description-too-long
    ///
    /// A description is longer than Bedrock allows: 200 characters for the agent, action
    /// groups and knowledge bases, 1,200 for a function, 500 for a parameter.
    ///
    /// ## Why
    /// These are the service model's limits; CreateAgent, CreateAgentActionGroup and
    /// AssociateAgentKnowledgeBase reject longer text. Long tool descriptions also inflate
    /// every orchestration call (see `tool-definitions-over-budget`).
    ///
    /// ## How to fix
    /// Say what the thing does and when to use it, in one or two sentences.
    DescriptionTooLong {
        severity: Error,
        summary: "A description is longer than Bedrock allows.",
        targets: [Agents],
        check: check,
    }
}

fn check(rule: &DescriptionTooLong, cx: &LintContext<'_>, out: &mut Vec<Diagnostic>) {
    let mut items: Vec<(String, &str, Option<&str>, usize)> = vec![(
        "/description".into(),
        "agent",
        cx.spec.description.as_deref(),
        200,
    )];
    for (g, group) in cx.spec.action_groups.iter().enumerate() {
        items.push((
            format!("/action_groups/{g}/description"),
            "action group",
            group.description.as_deref(),
            200,
        ));
        for (f, function) in group.functions.iter().enumerate() {
            let base = format!("/action_groups/{g}/functions/{f}");
            items.push((
                format!("{base}/description"),
                "function",
                function.description.as_deref(),
                1_200,
            ));
            for (name, parameter) in &function.parameters {
                let pointer = format!(
                    "{base}/parameters/{}/description",
                    crate::spec::yaml::pointer_segment(name)
                );
                items.push((pointer, "parameter", parameter.description.as_deref(), 500));
            }
        }
    }
    for (k, kb) in cx.spec.knowledge_bases.iter().enumerate() {
        items.push((
            format!("/knowledge_bases/{k}/description"),
            "knowledge base",
            Some(kb.description.as_str()),
            200,
        ));
    }
    for (pointer, what, text, max) in items {
        let Some(text) = text else { continue };
        let length = text.chars().count();
        if length > max {
            out.push(
                rule.report(format!(
                    "{what} description is {length} characters; Bedrock allows at most {max}"
                ))
                .with_span(cx.value_span(&pointer))
                .with_help(format!("shorten it by {} characters", length - max)),
            );
        } else if length == 0 {
            out.push(
                rule.report(format!(
                    "{what} description is empty; Bedrock requires at least one character"
                ))
                .with_span(cx.value_span(&pointer))
                .with_help("write a description or remove the key"),
            );
        }
    }
}
