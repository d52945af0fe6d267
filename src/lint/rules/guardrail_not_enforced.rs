use crate::declare_rule;
use crate::diag::Diagnostic;
use crate::lint::LintContext;

declare_rule! {
    /// # guardrail-not-enforced
    ///
    /// The spec has a `guardrail`, and the target being built is the AgentCore harness, which
    /// has no guardrail field: the harness would run without it.
    ///
    /// ## Why
    /// A guardrail is a safety control (denied topics, content filters, PII masking). The
    /// CreateHarness request has no place for one (the service model has no guardrail member;
    /// AWS's own migration guidance lists the guardrail among what cannot migrate), so
    /// deploying the spec as it is would drop the control without a word. Unlike the
    /// settings `dropped-by-target` reports, this one blocks the build. Reported only when
    /// the harness target is named (`--target harness`), since a spec need not be meant for
    /// every target.
    ///
    /// ## How to fix
    /// Pick one, knowingly:
    /// - keep the agent on a target that enforces it: `--target agents` or `--target direct`
    ///   (Converse carries `guardrailConfig`);
    /// - enforce it around the harness: call the Bedrock `ApplyGuardrail` API on the input
    ///   and the answer in the client that invokes the harness, or from a lifecycle hook
    ///   Lambda (a hook after the answer cannot retract it once streamed);
    /// - put the tools behind an AgentCore Gateway with a policy, which governs tool calls
    ///   (not the model's text);
    /// - accept the gap for this spec: set `lint.rules: {guardrail-not-enforced: allow}`
    ///   (or `warn`), which says so in the spec for every reviewer.
    GuardrailNotEnforced {
        severity: Error,
        summary: "A guardrail that the AgentCore harness would not enforce.",
        targets: [Harness],
        check: check,
    }
}

fn check(rule: &GuardrailNotEnforced, cx: &LintContext<'_>, out: &mut Vec<Diagnostic>) {
    if !cx.named {
        return;
    }
    let Some(guardrail) = &cx.spec.guardrail else {
        return;
    };
    out.push(
        rule.report(format!(
            "guardrail `{}` (version {}) would not be enforced: the AgentCore harness has no guardrail field, so the harness would run without this safety control",
            guardrail.id, guardrail.version
        ))
        .with_span(cx.key_span("/guardrail"))
        .with_help(
            "deploy to `--target agents` or `--target direct`, which enforce it; or call ApplyGuardrail around the harness in your client; or, knowingly, set `lint.rules: {guardrail-not-enforced: allow}` (`agentc explain guardrail-not-enforced`)",
        ),
    );
}
