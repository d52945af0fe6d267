use crate::declare_rule;
use crate::diag::Diagnostic;
use crate::lint::LintContext;

/// Bedrock's minimum instruction length (service model).
pub const MIN: usize = 40;
/// Quota L-6E3CDA2D "Characters in Agent instructions", not adjustable.
pub const MAX: usize = 20_000;

declare_rule! {
    /// # instruction-length
    ///
    /// The rendered instruction is shorter than 40 characters or longer than 20,000.
    ///
    /// ## Why
    /// Bedrock Agents requires at least 40 characters, and the quota "Characters in Agent
    /// instructions" is 20,000 and not adjustable: CreateAgent rejects anything outside that
    /// range. Characters are counted as Unicode scalar values, after `{{ vars }}` are filled
    /// in. The Converse API has no such limit, so this rule applies to the agents target
    /// only; the older 4,000-character limit is `legacy-instruction-length`.
    ///
    /// ## How to fix
    /// Say more about the agent's job if it is too short. If it is too long, move reference
    /// material into a knowledge base or tool descriptions, or cut repetition; every
    /// character is sent on every model call.
    InstructionLength {
        severity: Error,
        summary: "The rendered instruction is outside Bedrock's 40–20,000 character range.",
        targets: [Agents],
        check: check,
    }
}

fn check(rule: &InstructionLength, cx: &LintContext<'_>, out: &mut Vec<Diagnostic>) {
    let length = cx.agent.instruction.chars().count();
    let (message, help) = if length < MIN {
        (
            format!("the instruction is {length} characters; Bedrock requires at least {MIN}"),
            "describe the agent's task, tools and limits in more detail",
        )
    } else if length > MAX {
        (
            format!("the instruction is {length} characters; Bedrock allows at most {MAX}"),
            "move reference material into a knowledge base or tool descriptions",
        )
    } else {
        return;
    };
    out.push(
        rule.report(message)
            .with_span(cx.value_span("/instruction"))
            .with_help(help),
    );
}
