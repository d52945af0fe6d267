use crate::cost::model::Target;
use crate::declare_rule;
use crate::diag::Diagnostic;
use crate::lint::LintContext;

declare_rule! {
    /// # cost-over-budget
    ///
    /// The estimated monthly cost of a target exceeds its budget in
    /// `lint.monthly_budget_usd` (`agents`, `direct`). The estimate is the one `agentc cost`
    /// shows: the spec's `workload` (or agentc's defaults), the model table's prices, and
    /// token counts estimated with the open cl100k_base tokenizer (tiktoken-rs); Bedrock's
    /// own tokenizers are not public. The rule does nothing unless a budget is set.
    ///
    /// ## Why
    /// A longer instruction, one more action group or a knowledge base raises the cost of
    /// every call. With a budget in the spec, a pre-commit hook or CI fails the change that
    /// makes an agent too expensive, instead of the invoice a month later. A budget is a
    /// recommendation: it fails `agentc lint`, but never stops `compile`, `cost` (which shows
    /// the estimate it judges), `deploy` or `run`. With `--target`, only that target's budget
    /// is checked.
    ///
    /// ## How to fix
    /// Run `agentc cost <spec>` to see which components cost most; shorten them, move the
    /// agent to the cheaper target or model, or raise the budget if the cost is intended.
    CostOverBudget {
        severity: Error,
        summary: "The estimated monthly cost of a target exceeds `lint.monthly_budget_usd`.",
        gate: Ignores,
        check: check,
    }
}

fn check(rule: &CostOverBudget, cx: &LintContext<'_>, out: &mut Vec<Diagnostic>) {
    let Some(budgets) = cx.spec.lint.as_ref().and_then(|l| l.monthly_budget_usd) else {
        return;
    };
    if budgets.agents.is_none() && budgets.direct.is_none() {
        return;
    }
    // Unknown models and unreadable overrides are reported by their own rules.
    let Ok(estimate) = crate::cost::estimate(
        cx.spec,
        cx.agent,
        cx.loaded.file.dir(),
        cx.models,
        &Default::default(),
    ) else {
        return;
    };
    for (target, budget) in [
        (Target::Agents, budgets.agents),
        (Target::Direct, budgets.direct),
    ] {
        let Some(budget) = budget else { continue };
        if !cx.targets.iter().any(|t| t.as_str() == target.as_str()) {
            continue;
        }
        let t = match target {
            Target::Agents => &estimate.agents,
            Target::Direct => &estimate.direct,
        };
        let cost = t.monthly.total_usd;
        if cost <= budget {
            continue;
        }
        let pointer = format!("/lint/monthly_budget_usd/{}", target.as_str());
        let volume = crate::cost::render::number(estimate.workload.requests_per_day);
        out.push(
            rule.report(format!(
                    "the {} target is estimated at {} per month at {volume} requests a day, over its budget of {}",
                    target.as_str(),
                    crate::cost::render::usd(cost),
                    crate::cost::render::usd(budget),
            ))
            .with_span(cx.value_span(&pointer))
            .with_help(format!(
                "`agentc cost {}` shows which components cost most; {}",
                cx.loaded.file.name(),
                crate::tokens::ESTIMATE_NOTE
            )),
        );
    }
}
