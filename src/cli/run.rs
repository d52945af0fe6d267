use super::CliResult;
use super::args::{AwsArgs, SpecArgs, TargetArg, parse_key_value};
use std::path::PathBuf;

#[derive(Debug, clap::Args)]
pub struct RunArgs {
    #[command(flatten)]
    pub input: SpecArgs,
    /// The user's message (omit when only returning tool results, or with --end-session).
    pub message: Option<String>,
    /// Where to run: `direct` (the Converse API with agentc's loop) or `agents` (the Bedrock
    /// Agent that `deploy --target agents` created, through InvokeAgent); `harness` not yet.
    #[arg(long, value_enum, default_value = "direct")]
    pub target: TargetArg,
    /// agents: the agent's id (default: the agent named like the spec).
    #[arg(long, value_name = "ID")]
    pub agent_id: Option<String>,
    /// agents: the alias id (default: the alias named `targets.agents.alias`).
    #[arg(long, value_name = "ID")]
    pub agent_alias_id: Option<String>,
    /// agents: end the session with this request.
    #[arg(long)]
    pub end_session: bool,
    /// agents: after an in-stream dependencyFailedException, retry the whole request on a new
    /// session, up to N times.
    #[arg(long, value_name = "N", default_value_t = 0)]
    pub retry_session: u32,
    /// Continue (or start) this session.
    #[arg(long)]
    pub session: Option<String>,
    /// Append a JSON line per step to this file.
    #[arg(long, value_name = "FILE")]
    pub trace: Option<PathBuf>,
    /// Print the outcome as JSON.
    #[arg(long)]
    pub json: bool,
    /// Result of a returned tool call: `TOOL_USE_ID=JSON` (with --session).
    #[arg(long = "tool-result", value_name = "ID=JSON", value_parser = parse_key_value)]
    pub tool_results: Vec<(String, String)>,
    /// Run a pending call that waits for the user's confirmation (with --session).
    #[arg(long = "confirm", value_name = "TOOL_USE_ID")]
    pub confirm: Vec<String>,
    /// Decline a pending call that waits for confirmation; the model is told it did not run
    /// (with --session).
    #[arg(long = "deny", value_name = "TOOL_USE_ID")]
    pub deny: Vec<String>,
    #[command(flatten)]
    pub aws: AwsArgs,
}

pub fn run(args: RunArgs) -> CliResult {
    match args.target {
        TargetArg::Direct => crate::cli::commands::direct::run(&args),
        TargetArg::Agents => crate::cli::commands::agents_run::run(&args),
        // The harness runtime is not in this round.
        TargetArg::Harness => crate::cli::commands::harness::not_yet("run"),
    }
}
