use crate::declare_rule;
use crate::diag::Diagnostic;
use crate::lint::LintContext;

declare_rule! {
    /// # model-lacks-tool-use
    ///
    /// The agent has tools but its model cannot call tools through the Converse API (or
    /// cannot orchestrate a Bedrock Agent).
    ///
    /// ## Why
    /// Titan Text, Claude 2.x, Jamba-Instruct and Cohere Command (text) do not support tool
    /// use in Converse: the direct target would fail on its first call with a
    /// `ValidationException`.
    ///
    /// ## How to fix
    /// Choose a model with tool use (Amazon Nova, Claude 3 and later, Llama 3.1+), or remove
    /// the action groups.
    ModelLacksToolUse {
        id: "model-lacks-tool-use",
        severity: Error,
        summary: "The agent has tools but its model cannot use tools.",
        check: check,
    }
}

fn check(rule: &ModelLacksToolUse, cx: &LintContext<'_>, out: &mut Vec<Diagnostic>) {
    let _ = rule;
    if cx.agent.tools.is_empty() {
        return;
    }
    if let Some(model) = cx.model()
        && !model.tool_use
    {
        out.push(
            Diagnostic::error(
                "model-lacks-tool-use",
                format!(
                    "{} ({}) does not support tool use, but the agent has {} tool(s)",
                    model.name,
                    model.id,
                    cx.agent.tools.len()
                ),
            )
            .with_span(cx.value_span("/model"))
            .with_help(
                "choose a model with tool use, such as amazon.nova-pro-v1:0 or a Claude 3+ model",
            ),
        );
    }
    if let Some(orchestrator) = cx.orchestrator()
        && !orchestrator.agents_orchestrator
    {
        out.push(
            Diagnostic::error(
                "model-lacks-tool-use",
                format!("{} cannot orchestrate a Bedrock Agent", orchestrator.name),
            )
            .with_span(
                cx.value_span("/targets/agents/orchestrator")
                    .or_else(|| cx.value_span("/model")),
            )
            .with_help("choose an orchestrator model that Bedrock Agents supports"),
        );
    }
}
