use crate::declare_rule;
use crate::diag::Diagnostic;
use crate::lint::LintContext;

declare_rule! {
    /// # unsupported-orchestrator
    ///
    /// The model that would orchestrate the Bedrock Agent (`targets.agents.orchestrator`, or
    /// `model`) is one that Bedrock Agents does not support as an orchestrator.
    ///
    /// ## Why
    /// CreateAgent accepts only the foundation models listed as supported for Bedrock
    /// Agents; with another one the agent cannot be prepared. The direct target is not
    /// affected (there, tool use in Converse is what matters: `model-lacks-tool-use`).
    ///
    /// ## How to fix
    /// Choose a supported orchestrator model (`agentc models` lists them), or set
    /// `targets.agents.orchestrator` to one and keep `model` for the direct target.
    UnsupportedOrchestrator {
        severity: Error,
        summary: "The orchestrator model is not supported by Bedrock Agents.",
        targets: [Agents],
        check: check,
    }
}

fn check(rule: &UnsupportedOrchestrator, cx: &LintContext<'_>, out: &mut Vec<Diagnostic>) {
    if cx.agent.tools.is_empty() {
        return;
    }
    if let Some(orchestrator) = cx.orchestrator()
        && !orchestrator.agents_orchestrator
    {
        out.push(
            rule.report(format!(
                "{} cannot orchestrate a Bedrock Agent",
                orchestrator.name
            ))
            .with_span(cx.value_span(orchestrator_pointer(cx)))
            .with_help("choose an orchestrator model that Bedrock Agents supports"),
        );
    }
}

/// Where the orchestrator is named: spans fall back to ancestors, so ask for the key that is set.
fn orchestrator_pointer(cx: &LintContext<'_>) -> &'static str {
    let explicit = cx
        .spec
        .targets
        .agents
        .as_ref()
        .is_some_and(|a| a.orchestrator.is_some());
    if explicit {
        "/targets/agents/orchestrator"
    } else {
        "/model"
    }
}
