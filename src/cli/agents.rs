use super::aws::AwsArgs;
use super::compile::Target;
use super::{ExitStatus, parse_key_value};
use std::path::PathBuf;

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum PlanFormat {
    Human,
    Json,
}

#[derive(Debug, clap::Args)]
pub struct PlanArgs {
    /// The agent spec.
    pub spec: PathBuf,
    #[arg(long, value_enum, default_value = "agents")]
    pub target: Target,
    /// Exit 0 with no changes, 2 with changes, 1 on error (as Terraform).
    #[arg(long)]
    pub detailed_exitcode: bool,
    #[arg(long, value_enum, default_value = "human")]
    pub format: PlanFormat,
    /// Save the plan to apply it later with `deploy --plan`.
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
    /// Plan to take over an agent of the same name that agentc did not create.
    #[arg(long)]
    pub adopt: bool,
    #[arg(long = "var", value_name = "KEY=VALUE", value_parser = parse_key_value)]
    pub vars: Vec<(String, String)>,
    #[command(flatten)]
    pub aws: AwsArgs,
}

#[derive(Debug, clap::Args)]
pub struct DestroyArgs {
    /// The agent spec.
    pub spec: PathBuf,
    #[arg(long, value_enum, default_value = "agents")]
    pub target: Target,
    /// Destroy without asking for confirmation.
    #[arg(long)]
    pub auto_approve: bool,
    #[arg(long = "var", value_name = "KEY=VALUE", value_parser = parse_key_value)]
    pub vars: Vec<(String, String)>,
    #[command(flatten)]
    pub aws: AwsArgs,
}

#[derive(Debug, clap::Args)]
pub struct ImportArgs {
    /// The id of the live agent (10 letters or digits).
    #[arg(long)]
    pub agent_id: String,
    /// The alias to record in the spec.
    #[arg(long)]
    pub alias: Option<String>,
    /// Write the spec here instead of standard output.
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
    #[command(flatten)]
    pub aws: AwsArgs,
}

pub fn plan(args: PlanArgs) -> ExitStatus {
    crate::cli::commands::agents::plan(&args)
}

pub fn destroy(args: DestroyArgs) -> ExitStatus {
    crate::cli::commands::agents::destroy(&args)
}

pub fn import(args: ImportArgs) -> ExitStatus {
    crate::cli::commands::agents::import(&args)
}
