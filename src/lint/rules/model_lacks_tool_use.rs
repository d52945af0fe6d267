use crate::declare_rule;
use crate::diag::Diagnostic;
use crate::lint::LintContext;

declare_rule! {
    /// # model-lacks-tool-use
    ///
    /// The agent has tools but its model cannot call tools through the Converse API.
    ///
    /// ## Why
    /// Titan Text, Claude 2.x, Jamba-Instruct and Cohere Command (text) do not support tool
    /// use in Converse: the direct target would fail on its first call with a
    /// `ValidationException`. The AgentCore harness calls its Bedrock model through the same
    /// API (`converse_stream`), so the rule applies there too. Bedrock Agents orchestrates
    /// such models through its own text prompt, so not to the agents target; whether a model
    /// can orchestrate an agent is `unsupported-orchestrator`.
    ///
    /// ## How to fix
    /// Choose a model with tool use (Amazon Nova, Claude 3 and later, Llama 3.1+), or remove
    /// the action groups.
    ModelLacksToolUse {
        severity: Error,
        summary: "The agent has tools but its model cannot use tools in Converse.",
        targets: [Harness, Direct],
        check: check,
    }
}

fn check(rule: &ModelLacksToolUse, cx: &LintContext<'_>, out: &mut Vec<Diagnostic>) {
    if cx.agent.tools.is_empty() {
        return;
    }
    if let Some(model) = cx.model()
        && !model.tool_use
    {
        out.push(
            rule.report(format!(
                "{} ({}) does not support tool use, but the agent has {} tool(s)",
                model.name,
                model.id,
                cx.agent.tools.len()
            ))
            .with_span(cx.value_span("/model"))
            .with_help(
                "choose a model with tool use, such as amazon.nova-pro-v1:0 or a Claude 3+ model",
            ),
        );
    }
}
