//! `agentc serve`: the arguments (parsed in every build, so `--help` is the same in the lean
//! build, which refuses the command).

use crate::cli::args::{AwsArgs, TargetArg, VarArgs, parse_key_value};
use crate::cli::{CliResult, commands};
use std::net::SocketAddr;
use std::path::PathBuf;

#[derive(Debug, clap::Args)]
pub struct ServeArgs {
    /// Agent specs, or folders of specs, to serve (each under its recorded or derived id).
    pub inputs: Vec<PathBuf>,
    /// Serve SPEC under AGENT_ID (10 letters and digits: the id callers use on Bedrock Agents).
    #[arg(long = "agent", value_name = "AGENT_ID=SPEC", value_parser = parse_key_value)]
    pub agents: Vec<(String, String)>,
    /// Where the agents run.
    #[arg(long, value_enum, default_value_t = TargetArg::Direct)]
    pub target: TargetArg,
    /// Address to listen on (port 0 picks a free port). Any address but loopback needs
    /// --credentials.
    #[arg(long, default_value = "127.0.0.1:8787")]
    pub listen: SocketAddr,
    /// The keys callers sign with: one `ACCESS_KEY_ID SECRET_ACCESS_KEY` pair a line, `#`
    /// comments; not readable by every user. Without it (loopback only) signatures are not
    /// checked.
    #[arg(long, value_name = "FILE")]
    pub credentials: Option<PathBuf>,
    /// Session store for every served agent: a SQLite file or `dynamodb://TABLE` (default:
    /// each spec's `targets.direct.sessions`, else `.agentc/sessions.db`).
    #[arg(long, value_name = "LOCATION")]
    pub sessions: Option<String>,
    /// Add each request's input text to its log line (off: logs carry no message content).
    #[arg(long)]
    pub log_content: bool,
    #[command(flatten)]
    pub vars: VarArgs,
    #[command(flatten)]
    pub aws: AwsArgs,
}

pub fn run(args: &ServeArgs) -> CliResult {
    commands::serve::run(args)
}
