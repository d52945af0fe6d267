use crate::declare_rule;
use crate::diag::{Diagnostic, Severity};
use crate::lint::LintContext;

/// Bedrock's minimum instruction length (service model).
pub const MIN: usize = 40;
/// Older accounts and SDK validators still enforce the 2024 model limit.
pub const LEGACY_MAX: usize = 4_000;
/// Quota L-6E3CDA2D "Characters in Agent instructions", not adjustable.
pub const MAX: usize = 20_000;

declare_rule! {
    /// # instruction-length
    ///
    /// The rendered instruction is shorter than 40 characters or longer than 20,000 (an
    /// error), or longer than 4,000 (a warning).
    ///
    /// ## Why
    /// Bedrock Agents requires at least 40 characters. The quota "Characters in Agent
    /// instructions" is 20,000 and not adjustable; until 2024-11 it was 4,000, and older SDK
    /// validators and some accounts still reject more. Characters are counted as Unicode
    /// scalar values, after `{{ vars }}` are filled in.
    ///
    /// ## How to fix
    /// Say more about the agent's job if it is too short. If it is too long, move reference
    /// material into a knowledge base or tool descriptions, or cut repetition; every
    /// character is sent on every model call.
    InstructionLength {
        id: "instruction-length",
        severity: Error,
        summary: "The rendered instruction is outside Bedrock's 40–20,000 character range.",
        check: check,
    }
}

fn check(rule: &InstructionLength, cx: &LintContext<'_>, out: &mut Vec<Diagnostic>) {
    let _ = rule;
    let length = cx.agent.instruction.chars().count();
    let span = cx.value_span("/instruction");
    let (severity, message, help) = if length < MIN {
        (
            Severity::Error,
            format!("the instruction is {length} characters; Bedrock requires at least {MIN}"),
            "describe the agent's task, tools and limits in more detail",
        )
    } else if length > MAX {
        (
            Severity::Error,
            format!("the instruction is {length} characters; Bedrock allows at most {MAX}"),
            "move reference material into a knowledge base or tool descriptions",
        )
    } else if length > LEGACY_MAX {
        (
            Severity::Warning,
            format!(
                "the instruction is {length} characters; some accounts and older SDKs still enforce {LEGACY_MAX}"
            ),
            "keep it under 4,000 characters if you deploy to older accounts",
        )
    } else {
        return;
    };
    out.push(
        Diagnostic::new("instruction-length", severity, message)
            .with_span(span)
            .with_help(help),
    );
}
