use super::instruction_length::MAX;
use crate::declare_rule;
use crate::diag::Diagnostic;
use crate::lint::LintContext;

/// Older accounts and SDK validators still enforce the 2024 model limit.
pub const LEGACY_MAX: usize = 4_000;

declare_rule! {
    /// # legacy-instruction-length
    ///
    /// The rendered instruction is longer than 4,000 characters (but within the current
    /// 20,000 limit, which is `instruction-length`).
    ///
    /// ## Why
    /// Until 2024-11 the Bedrock Agents limit was 4,000 characters, and older SDK
    /// validators and some accounts still reject more. Current accounts accept it, so this
    /// is a warning and never stops `compile`, `cost` or `deploy`.
    ///
    /// ## How to fix
    /// Keep the instruction under 4,000 characters if you deploy to older accounts or with
    /// older SDKs: move reference material into a knowledge base or tool descriptions.
    /// Otherwise set this rule to `allow` in `lint.rules`.
    LegacyInstructionLength {
        severity: Warning,
        summary: "The rendered instruction is longer than the former 4,000-character limit.",
        targets: [Agents],
        gate: Ignores,
        check: check,
    }
}

fn check(rule: &LegacyInstructionLength, cx: &LintContext<'_>, out: &mut Vec<Diagnostic>) {
    let length = cx.agent.instruction.chars().count();
    if length > LEGACY_MAX && length <= MAX {
        out.push(
            rule.report(format!(
                "the instruction is {length} characters; some accounts and older SDKs still enforce {LEGACY_MAX}"
            ))
            .with_span(cx.value_span("/instruction"))
            .with_help("keep it under 4,000 characters if you deploy to older accounts"),
        );
    }
}
