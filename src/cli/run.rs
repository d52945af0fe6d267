use super::CliResult;
use super::args::{AwsArgs, SpecArgs, parse_key_value};
use std::path::PathBuf;

#[derive(Debug, clap::Args)]
pub struct RunArgs {
    #[command(flatten)]
    pub input: SpecArgs,
    /// The user's message (omit when only returning tool results).
    pub message: Option<String>,
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
    crate::cli::commands::direct::run(&args)
}
