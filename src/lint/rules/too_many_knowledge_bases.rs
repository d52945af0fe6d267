use crate::declare_rule;
use crate::diag::Diagnostic;
use crate::lint::LintContext;

/// Quota L-13143995 "Associated knowledge bases per Agent" (adjustable).
pub const MAX_KNOWLEDGE_BASES: usize = 2;

declare_rule! {
    /// # too-many-knowledge-bases
    ///
    /// More than 2 knowledge bases are associated with the agent.
    ///
    /// ## Why
    /// The Bedrock Agents quota "Associated knowledge bases per Agent" defaults to 2;
    /// AssociateAgentKnowledgeBase fails beyond it, halfway through a deploy.
    ///
    /// ## How to fix
    /// Combine the data sources into fewer knowledge bases, or raise the quota and set this
    /// rule to `allow`.
    TooManyKnowledgeBases {
        severity: Error,
        summary: "More than the 2 knowledge bases per agent Bedrock allows by default.",
        targets: [Agents],
        check: check,
    }
}

fn check(rule: &TooManyKnowledgeBases, cx: &LintContext<'_>, out: &mut Vec<Diagnostic>) {
    let count = cx.spec.knowledge_bases.len();
    if count > MAX_KNOWLEDGE_BASES {
        out.push(
            rule.report(format!("the agent has {count} knowledge bases; Bedrock allows {MAX_KNOWLEDGE_BASES} by default"))
                .with_span(cx.key_span("/knowledge_bases"))
                .with_help("combine data sources into fewer knowledge bases, or raise the quota (L-13143995)"),
        );
    }
}
