use crate::declare_rule;
use crate::diag::Diagnostic;
use crate::lint::LintContext;

/// Quota L-4B4330A0 "Parameters per function" (adjustable).
pub const MAX_PARAMETERS: usize = 5;

declare_rule! {
    /// # too-many-parameters
    ///
    /// A function has more than 5 parameters.
    ///
    /// ## Why
    /// The Bedrock Agents quota "Parameters per function" defaults to 5; above it,
    /// CreateAgentActionGroup fails with `ServiceQuotaExceededException` ("Validation failed
    /// for quota parameters-per-function"). Many parameters also make the model more likely
    /// to fill them wrongly.
    ///
    /// ## How to fix
    /// Split the function, take a JSON `string` for rarely used options, or request a quota
    /// increase and set this rule to `allow` in `lint.rules`.
    TooManyParameters {
        severity: Error,
        summary: "A function has more than the 5 parameters Bedrock allows by default.",
        targets: [Agents],
        check: check,
    }
}

fn check(rule: &TooManyParameters, cx: &LintContext<'_>, out: &mut Vec<Diagnostic>) {
    for (g, group) in cx.spec.action_groups.iter().enumerate() {
        for (f, function) in group.functions.iter().enumerate() {
            let count = function.parameters.len();
            if count > MAX_PARAMETERS {
                out.push(
                    rule.report(format!("function `{}` has {count} parameters; Bedrock allows {MAX_PARAMETERS} by default", function.name))
                        .with_span(cx.key_span(&format!("/action_groups/{g}/functions/{f}/parameters")))
                        .with_help("split the function or combine rarely used options into one JSON string parameter"),
                );
            }
        }
    }
}
