use crate::declare_rule;
use crate::diag::{Diagnostic, Severity};
use crate::lint::LintContext;
use crate::tokens;

/// Default budget: Nova Pro orchestration fails with `dependencyFailedException` when tool
/// definitions grow past roughly this size.
pub const DEFAULT_BUDGET: u64 = 500;

declare_rule! {
    /// # tool-definitions-over-budget
    ///
    /// The action groups' tool definitions, as the orchestrating model sees them (name,
    /// description and input schema of every function and operation), exceed the token
    /// budget: 500 tokens in total by default (`lint.tool_token_budget`). The message gives
    /// the total and the largest contributors. Token counts are estimates from the open
    /// cl100k_base tokenizer (tiktoken-rs); Bedrock's own tokenizers are not public.
    ///
    /// ## Why
    /// Bedrock Agents sends every tool definition on every orchestration call. With Amazon
    /// Nova models as orchestrator, agents whose tool definitions are long fail with
    /// `dependencyFailedException`; keeping them under ~500 tokens avoids it. That is why
    /// this is an error for Nova orchestrators and a warning (cost and latency) otherwise.
    ///
    /// ## How to fix
    /// Shorten the largest descriptions named in the message (say what the tool does and
    /// when to use it; leave examples to the instruction), drop parameters the model does not
    /// need, or split the agent. Raise `lint.tool_token_budget` if you have measured that your
    /// orchestrator copes.
    ToolDefinitionsOverBudget {
        id: "tool-definitions-over-budget",
        severity: Warning,
        summary: "The tool definitions exceed the token budget (error for Nova orchestrators).",
        check: check,
    }
}

fn check(rule: &ToolDefinitionsOverBudget, cx: &LintContext<'_>, out: &mut Vec<Diagnostic>) {
    let _ = rule;
    let budget = cx
        .spec
        .lint
        .as_ref()
        .and_then(|l| l.tool_token_budget)
        .unwrap_or(DEFAULT_BUDGET);
    let definitions: Vec<(usize, String)> = cx
        .agent
        .tools
        .iter()
        .enumerate()
        .map(|(i, tool)| (i, tokens::tool_definition(tool)))
        .collect();
    // No token is shorter than a byte: when the bytes fit, the tokens fit, and the
    // tokenizer (50 ms to load) is not needed at all.
    let byte_total: usize = definitions
        .iter()
        .map(|(_, d)| tokens::upper_bound(d))
        .sum();
    if byte_total as u64 <= budget {
        return;
    }
    let mut counts: Vec<(usize, usize)> = definitions
        .iter()
        .map(|(i, d)| (*i, tokens::count(d)))
        .collect();
    let total: usize = counts.iter().map(|(_, n)| n).sum();
    if total as u64 <= budget {
        return;
    }
    counts.sort_by_key(|&(_, n)| std::cmp::Reverse(n));
    let largest: Vec<String> = counts
        .iter()
        .take(3)
        .map(|(i, n)| format!("{} ({n})", tokens::qualified_tool_name(&cx.agent.tools[*i])))
        .collect();
    let nova = cx.orchestrator().is_some_and(|m| m.is_nova());
    let severity = if nova {
        Severity::Error
    } else {
        Severity::Warning
    };
    let why = if nova {
        "Nova orchestrators fail with dependencyFailedException on long tool definitions"
    } else {
        "every orchestration call carries them"
    };
    out.push(
        Diagnostic::new(
            "tool-definitions-over-budget",
            severity,
            format!(
                "tool definitions are ~{total} tokens, over the budget of {budget} ({why}); largest: {}",
                largest.join(", ")
            ),
        )
        .with_span(cx.key_span("/action_groups"))
        .with_help(format!(
            "shorten the largest descriptions, or raise `lint.tool_token_budget`; {}",
            tokens::ESTIMATE_NOTE
        )),
    );
}
