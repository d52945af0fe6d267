use super::CliResult;
use super::args::{AwsArgs, SpecArgs, TargetArg, parse_key_value};
use std::path::PathBuf;

#[derive(Debug, clap::Args)]
pub struct RunArgs {
    #[command(flatten)]
    pub input: SpecArgs,
    /// The user's message (omit when only returning tool results, or with --end-session).
    pub message: Option<String>,
    /// Where to run: `direct` (the Converse API with agentc's loop), `agents` (the Bedrock
    /// Agent that `deploy --target agents` created, through InvokeAgent) or `harness` (the
    /// AgentCore harness that `deploy --target harness` created, through InvokeHarness).
    #[arg(long, value_enum, default_value = "direct")]
    pub target: TargetArg,
    /// agents: the agent's id (default: the agent named like the spec).
    #[arg(long, value_name = "ID")]
    pub agent_id: Option<String>,
    /// agents: the alias id (default: the alias named `targets.agents.alias`).
    #[arg(long, value_name = "ID")]
    pub agent_alias_id: Option<String>,
    /// harness: the harness's ARN (default: the harness named like the spec).
    #[arg(long, value_name = "ARN")]
    pub harness_arn: Option<String>,
    /// harness: the endpoint to invoke (default: `targets.harness.endpoint`, else DEFAULT).
    #[arg(long, value_name = "ENDPOINT")]
    pub qualifier: Option<String>,
    /// agents, harness: end the session with this request (or, without a message, end
    /// --session ID).
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
    /// Give up each model call after this many seconds, attempts and waits included (default
    /// 900; overrides `AGENTC_RETRY_DEADLINE_MS`).
    #[arg(long, value_name = "SECONDS", value_parser = clap::value_parser!(u64).range(1..=86_400))]
    pub retry_deadline: Option<u64>,
    /// Append to an existing `--trace` file that is not a trace (the spec never).
    #[arg(long)]
    pub force: bool,
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
        TargetArg::Harness => crate::cli::commands::harness_run::run(&args),
    }
}
