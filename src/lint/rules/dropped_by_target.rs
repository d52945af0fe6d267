use crate::declare_rule;
use crate::diag::Diagnostic;
use crate::lint::LintContext;
use crate::spec::Spec;
use crate::target::{NotCarried, Target};

declare_rule! {
    /// # dropped-by-target
    ///
    /// A setting of the spec that the target being built cannot carry, so its output leaves
    /// it out. For the direct target (the Converse API): Bedrock Agents prompt overrides (a
    /// pre-processing filter included) and built-in action groups (knowledge bases are
    /// carried as retrieval tools, and `require_confirmation` by agentc's runtime). For the
    /// AgentCore harness: knowledge bases, prompt overrides, `require_confirmation`, stop
    /// sequences, `max_recent_sessions`, a `storage_days` outside managed memory's 3–365,
    /// built-in action groups other than `AMAZON.CodeInterpreter` (which maps to the
    /// harness's Code Interpreter), the agents encryption key and orchestrator
    /// (`idle_session_ttl` maps to the idle timeout; the guardrail has a rule of its own,
    /// `guardrail-not-enforced`). Reported only when a target is named (`agentc lint --target
    /// direct`, and `compile`, `cost`, `deploy` and `run` for that target), because a spec
    /// need not be meant for every target.
    ///
    /// ## Why
    /// A spec moved from Bedrock Agents to the direct target must not lose a setting without
    /// a word: a built-in tool the model no longer has, or an input filter that no longer
    /// runs, changes what the agent does. Builds show these findings on stderr and go on.
    ///
    /// ## How to fix
    /// Follow the help of each finding (e.g. give the model a tool of its own), remove the
    /// setting if the spec is meant for this target only, or set this rule to `allow` once
    /// you have reviewed what is left out.
    DroppedByTarget {
        severity: Warning,
        summary: "A setting the target cannot carry, which its output leaves out.",
        targets: [Harness, Direct],
        gate: Shows,
        check: check,
    }
}

/// What a target cannot carry of a spec. A new target with settings it cannot carry adds
/// its arm here and lists itself in the rule's `targets`.
fn not_carried(target: Target, spec: &Spec) -> Vec<NotCarried> {
    match target {
        Target::Agents => Vec::new(),
        Target::Harness => crate::harness::desired::not_carried(spec),
        Target::Direct => crate::direct::compile::not_carried(spec),
    }
}

fn check(rule: &DroppedByTarget, cx: &LintContext<'_>, out: &mut Vec<Diagnostic>) {
    if !cx.named {
        return;
    }
    for &target in cx.targets {
        for dropped in not_carried(target, cx.spec) {
            out.push(
                rule.report(format!("{target} target: {}", dropped.message))
                    .with_span(
                        cx.key_span(&dropped.pointer)
                            .or_else(|| cx.value_span(&dropped.pointer)),
                    )
                    .with_help(dropped.help),
            );
        }
    }
}
