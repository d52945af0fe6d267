use crate::declare_rule;
use crate::diag::{Diagnostic, closest};
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
    /// Use the suggested id, or a model or inference-profile id from `agentc models`. For a
    /// model agentc does not know yet, add it to a price table and pass `--prices FILE`, or
    /// set this rule to `allow`.
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
        let mut diag = rule
            .report(format!("unknown model `{model}`"))
            .with_span(cx.value_span(pointer));
        diag = match closest(model, cx.models.ids()) {
            Some(suggestion) => diag.with_help(format!("did you mean `{suggestion}`?")),
            None => diag.with_help(
                "`agentc models` lists the known model ids; pass `--prices FILE` to add one",
            ),
        };
        out.push(diag);
    }
}
