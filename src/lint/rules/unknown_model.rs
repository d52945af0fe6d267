use crate::declare_rule;
use crate::diag::Diagnostic;
use crate::lint::LintContext;

declare_rule! {
    /// # unknown-model
    ///
    /// `model` (or `targets.agents.orchestrator`) is not in agentc's model table.
    ///
    /// ## Why
    /// A typo in a model id (`amazon.nova-pro-v1` without `:0`) is only caught by Bedrock at
    /// deploy or run time. agentc also needs the model's prices, context window and tool
    /// support for `agentc cost` and the other rules. The table ships with agentc
    /// (`data/models.yaml`) and may lag behind new models: this is a warning, not an error.
    ///
    /// ## How to fix
    /// For a near-miss (a character or two off a known id), use the suggested id. For a
    /// well-formed id agentc does not know yet, add it to a price table of the shape of
    /// `data/models.yaml` and pass `--prices FILE`, or set this rule to `allow`.
    UnknownModel {
        severity: Warning,
        summary: "The model id is not in agentc's model table.",
        gate: Ignores,
        check: check,
    }
}

fn check(rule: &UnknownModel, cx: &LintContext<'_>, out: &mut Vec<Diagnostic>) {
    let mut models = vec![("/model", cx.spec.model.as_str())];
    if let Some(orchestrator) = cx
        .spec
        .targets
        .agents
        .as_ref()
        .and_then(|a| a.orchestrator.as_deref())
    {
        models.push(("/targets/agents/orchestrator", orchestrator));
    }
    for (pointer, model) in models {
        if cx.models.find(model).is_some() {
            continue;
        }
        let diag = rule
            .report(format!("unknown model `{model}`"))
            .with_span(cx.value_span(pointer));
        out.push(diag.with_help(crate::models::missing_model_help(cx.models, model)));
    }
}
