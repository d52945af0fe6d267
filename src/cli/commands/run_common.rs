//! What the three `run` handlers (`direct`, `agents_run`, `harness_run`) share: which flags
//! belong to which target, where a spec's relative paths start, the JSON line of a failure,
//! and how handed-back calls are shown and answered. Each handler keeps what differs: how it
//! finds what to invoke, its session rules and its report's fields.

use crate::cli::run::RunArgs;
use crate::cli::{CliError, print_stdout, refuse};
use agentc::direct::session::{InvocationType, PendingCall};
use agentc::target::Target;
use std::path::{Path, PathBuf};

const AGENTS_ONLY: &str = "; it names a Bedrock Agent and its session (use --target agents)";
const HARNESS_ONLY: &str = "; it names an AgentCore harness (use --target harness)";
const END_SESSION: &str =
    "; it ends a session that lives in the service (use --target agents or --target harness)";
const RETRY_SESSION: &str = "; it works around a failure of Bedrock Agents (use --target agents)";

/// Refuse the flags of the other targets, so a flag is never silently ignored.
pub fn refuse_other_targets(args: &RunArgs, target: Target) -> Result<(), CliError> {
    let flags: [(bool, &'static str, &[Target], &'static str); 6] = [
        (
            args.agent_id.is_some(),
            "--agent-id",
            &[Target::Agents],
            AGENTS_ONLY,
        ),
        (
            args.agent_alias_id.is_some(),
            "--agent-alias-id",
            &[Target::Agents],
            AGENTS_ONLY,
        ),
        (
            args.end_session,
            "--end-session",
            &[Target::Agents, Target::Harness],
            END_SESSION,
        ),
        (
            args.harness_arn.is_some(),
            "--harness-arn",
            &[Target::Harness],
            HARNESS_ONLY,
        ),
        (
            args.qualifier.is_some(),
            "--qualifier",
            &[Target::Harness],
            HARNESS_ONLY,
        ),
        (
            args.retry_session > 0,
            "--retry-session",
            &[Target::Agents],
            RETRY_SESSION,
        ),
    ];
    for (given, flag, owners, reason) in flags {
        refuse(given && !owners.contains(&target), flag, target, reason)?;
    }
    Ok(())
}

/// Whether the run answers calls a previous run handed back.
pub fn answers_given(args: &RunArgs) -> bool {
    !args.tool_results.is_empty() || !args.confirm.is_empty() || !args.deny.is_empty()
}

/// Where the spec's relative paths (commands, OpenAPI files) start.
pub fn spec_dir(spec_file_dir: &Path) -> PathBuf {
    if spec_file_dir.as_os_str().is_empty() {
        PathBuf::from(".")
    } else {
        spec_file_dir.to_path_buf()
    }
}

/// With --json, a failure is also one JSON line on stdout, so scripts read every outcome
/// from one place.
pub fn print_error_line(args: &RunArgs, error: &CliError) {
    if args.json {
        let line = serde_json::json!({
            "session": args.session.as_deref(),
            "outcome": "error",
            "error": error.to_string(),
        });
        print_stdout(&format!("{line}\n"));
    }
}

/// One line per handed-back call on stdout.
pub fn print_pending_calls(calls: &[PendingCall]) {
    for call in calls {
        let waits = match call.action_invocation_type {
            InvocationType::Result => "",
            _ => ", needs confirmation",
        };
        print_stdout(&format!(
            "tool call {} ({}/{}{waits}): {}\n",
            call.tool_use_id, call.action_group, call.function, call.input
        ));
    }
}

/// The flags that answer handed-back calls, one group per call.
pub fn answer_flags(calls: &[PendingCall]) -> String {
    calls
        .iter()
        .map(|c| match c.action_invocation_type {
            InvocationType::Result => format!("--tool-result '{}=<JSON>'", c.tool_use_id),
            InvocationType::UserConfirmation => {
                format!("--confirm {0} (or --deny {0})", c.tool_use_id)
            }
            InvocationType::UserConfirmationAndResult => format!(
                "--tool-result '{0}=<JSON>' once confirmed (or --deny {0})",
                c.tool_use_id
            ),
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// A note about stream events this version did not know (ignored, not fatal).
#[cfg(any(feature = "agents", feature = "harness"))]
pub fn note_unknown_events(unknown: &[(String, u32)]) {
    if !unknown.is_empty() {
        let kinds = unknown
            .iter()
            .map(|(kind, n)| format!("{n} `{kind}`"))
            .collect::<Vec<_>>()
            .join(", ");
        eprintln!("note: ignored events of types this agentc does not know: {kinds}");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_empty_parent_is_the_current_directory() {
        assert_eq!(spec_dir(Path::new("")), PathBuf::from("."));
        assert_eq!(spec_dir(Path::new("specs")), PathBuf::from("specs"));
    }
}
