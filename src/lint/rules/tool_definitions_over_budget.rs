use crate::declare_rule;
use crate::diag::Diagnostic;
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
    /// Both targets send every tool definition on every model call, which costs tokens and
    /// latency. With Amazon Nova models as orchestrator, Bedrock Agents whose tool
    /// definitions are long fail with `dependencyFailedException` more often; keeping them
    /// under ~500 tokens avoids it. The budget is advice, not a quota (AWS's own samples
    /// deploy Nova Lite agents with ~950 tokens of tool definitions), so this is a warning
    /// that never stops `compile`, `cost` or `deploy`; set it to `deny` in `lint.rules` to
    /// make `agentc lint` fail on it.
    ///
    /// ## How to fix
    /// Shorten the largest descriptions named in the message (say what the tool does and
    /// when to use it; leave examples to the instruction), drop parameters the model does not
    /// need, or split the agent. Raise `lint.tool_token_budget` if you have measured that your
    /// orchestrator copes.
    ToolDefinitionsOverBudget {
        severity: Warning,
        summary: "The tool definitions exceed the token budget (a recommendation).",
        gate: Ignores,
        check: check,
    }
}

fn check(rule: &ToolDefinitionsOverBudget, cx: &LintContext<'_>, out: &mut Vec<Diagnostic>) {
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
    let why = if nova {
        "Nova orchestrators fail more often with dependencyFailedException on long tool definitions"
    } else {
        "every orchestration call carries them"
    };
    out.push(
        rule.report(format!(
                "tool definitions are ~{total} tokens, over the budget of {budget} ({why}); largest: {}",
            largest.join(", ")
        ))
        .with_span(cx.key_span("/action_groups"))
        .with_help(format!(
            "shorten the largest descriptions, or raise `lint.tool_token_budget`; {}",
            tokens::ESTIMATE_NOTE
        )),
    );
}
