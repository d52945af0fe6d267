use super::aws::AwsArgs;
use super::{ExitStatus, parse_key_value};
use std::path::PathBuf;

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Target {
    /// Bedrock Agents (Agents Classic).
    Agents,
    /// The Converse API, with agentc's runner.
    Direct,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum CompileFormat {
    /// The target's native config as JSON.
    Json,
    /// An `AWS::Bedrock::Agent` CloudFormation template (agents target).
    Cloudformation,
    /// Terraform JSON for the `aws_bedrockagent_*` resources (agents target).
    Terraform,
}

#[derive(Debug, clap::Args)]
pub struct CompileArgs {
    /// The agent spec.
    pub spec: PathBuf,
    #[arg(long, value_enum)]
    pub target: Target,
    #[arg(long, value_enum, default_value = "json")]
    pub format: CompileFormat,
    /// Write to this file instead of standard output.
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
    /// Set a template variable (overrides the spec's `vars`).
    #[arg(long = "var", value_name = "KEY=VALUE", value_parser = parse_key_value)]
    pub vars: Vec<(String, String)>,
}

pub fn run(args: CompileArgs) -> ExitStatus {
    match args.target {
        Target::Direct => crate::cli::commands::direct::compile(&args),
        Target::Agents => crate::cli::commands::agents::compile(&args),
    }
}

#[derive(Debug, clap::Args)]
pub struct DeployArgs {
    /// The agent spec.
    pub spec: PathBuf,
    #[arg(long, value_enum)]
    pub target: Target,
    /// direct: where to write the Converse config (default `dist/<name>.converse.json`).
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
    /// direct: exit 1 if the artifact is stale instead of writing it (for CI).
    #[arg(long)]
    pub check: bool,
    /// agents: apply without asking for confirmation.
    #[arg(long)]
    pub auto_approve: bool,
    /// agents: apply this saved plan (refused if the remote state changed since).
    #[arg(long, value_name = "FILE")]
    pub plan: Option<PathBuf>,
    /// agents: take over an agent of the same name that agentc did not create.
    #[arg(long)]
    pub adopt: bool,
    #[arg(long = "var", value_name = "KEY=VALUE", value_parser = parse_key_value)]
    pub vars: Vec<(String, String)>,
    #[command(flatten)]
    pub aws: AwsArgs,
}

pub fn deploy(args: DeployArgs) -> ExitStatus {
    match args.target {
        Target::Direct => crate::cli::commands::direct::deploy(&args),
        Target::Agents => crate::cli::commands::agents::deploy(&args),
    }
}
