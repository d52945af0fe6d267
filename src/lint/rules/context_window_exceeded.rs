use crate::declare_rule;
use crate::diag::Diagnostic;
use crate::lint::LintContext;
use crate::tokens;

declare_rule! {
    /// # context-window-exceeded
    ///
    /// The instruction and tool definitions, plus the room reserved for the answer
    /// (`inference.max_tokens`), do not fit in the model's context window. Token counts are
    /// estimates from the open cl100k_base tokenizer (tiktoken-rs).
    ///
    /// ## Why
    /// Every call sends at least this much; nothing is left for the conversation, and the
    /// model fails with a context-window error on the first request.
    ///
    /// ## How to fix
    /// Shorten the instruction (move reference material into a knowledge base), reduce the
    /// tools, lower `inference.max_tokens`, or choose a model with a larger context window.
    ContextWindowExceeded {
        severity: Error,
        summary: "The fixed prompt does not fit in the model's context window.",
        check: check,
    }
}

fn check(rule: &ContextWindowExceeded, cx: &LintContext<'_>, out: &mut Vec<Diagnostic>) {
    let Some(model) = cx.model() else { return };
    let reserved = cx
        .spec
        .inference
        .as_ref()
        .and_then(|i| i.max_tokens)
        .unwrap_or(0) as usize;
    let definitions: Vec<String> = cx.agent.tools.iter().map(tokens::tool_definition).collect();
    let upper = tokens::upper_bound(&cx.agent.instruction)
        + definitions
            .iter()
            .map(|d| tokens::upper_bound(d))
            .sum::<usize>()
        + reserved;
    if (upper as u64) <= model.context_window {
        return;
    }
    let used = tokens::count(&cx.agent.instruction)
        + definitions.iter().map(|d| tokens::count(d)).sum::<usize>()
        + reserved;
    if (used as u64) > model.context_window {
        out.push(
            rule.report(
                format!("the instruction, tools and max_tokens need ~{used} tokens; {} has a context window of {}", model.name, model.context_window),
            )
            .with_span(cx.value_span("/instruction"))
            .with_help(format!("shorten the instruction or tools, or lower inference.max_tokens; {}", tokens::ESTIMATE_NOTE)),
        );
    }
}
