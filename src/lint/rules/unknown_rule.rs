use crate::declare_rule;
use crate::diag::Diagnostic;
use crate::lint::LintContext;

declare_rule! {
    /// # unknown-rule
    ///
    /// `lint.rules` names a rule that agentc does not have.
    ///
    /// ## Why
    /// A misspelt rule id in `lint.rules` (`too-many-function: allow`) configures nothing,
    /// so the rule you meant keeps its default level. The message suggests the closest
    /// rule id. (On the command line, an unknown id in `--deny/--warn/--allow` stops agentc
    /// instead.)
    ///
    /// ## How to fix
    /// Use the suggested id; `agentc rules` lists them all.
    UnknownRule {
        severity: Warning,
        summary: "`lint.rules` names a rule that does not exist.",
        gate: Ignores,
        check: check,
    }
}

fn check(rule: &UnknownRule, cx: &LintContext<'_>, out: &mut Vec<Diagnostic>) {
    let Some(settings) = &cx.spec.lint else {
        return;
    };
    for id in settings.rules.keys() {
        if id == "all" || crate::lint::find_rule(id).is_some() {
            continue;
        }
        let pointer = format!("/lint/rules/{}", crate::spec::yaml::pointer_segment(id));
        out.push(
            rule.report(format!("unknown rule `{id}` in `lint.rules`"))
                .with_span(cx.key_span(&pointer))
                .with_help(crate::lint::unknown_rule_help(id)),
        );
    }
}
