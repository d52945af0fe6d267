use super::CliResult;
use super::args::{AwsArgs, SpecArgs, TargetArg};
use super::commands::{agents, artifact, harness_deploy};
use agentc::target::Target;
use std::path::PathBuf;

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum PlanFormat {
    Human,
    Json,
}

#[derive(Debug, clap::Args)]
pub struct PlanArgs {
    #[command(flatten)]
    pub input: SpecArgs,
    #[arg(long, value_enum, default_value = "agents")]
    pub target: TargetArg,
    /// Exit 0 with no changes, 2 with changes, 1 on error (as Terraform).
    #[arg(long)]
    pub detailed_exitcode: bool,
    #[arg(long, value_enum, default_value = "human")]
    pub format: PlanFormat,
    /// Save the plan to apply it later with `deploy --plan`.
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
    /// Replace an existing file at `--out` that is not a saved plan (the input spec is never
    /// replaced).
    #[arg(long)]
    pub force: bool,
    /// direct: the artifact to compare with (default `dist/<name>.converse.json`), as
    /// `deploy --out`.
    #[arg(long, value_name = "FILE")]
    pub artifact: Option<PathBuf>,
    /// Plan to take over an agent of the same name that agentc did not create.
    #[arg(long)]
    pub adopt: bool,
    #[command(flatten)]
    pub aws: AwsArgs,
}

#[derive(Debug, clap::Args)]
pub struct DestroyArgs {
    #[command(flatten)]
    pub input: SpecArgs,
    #[arg(long, value_enum, default_value = "agents")]
    pub target: TargetArg,
    /// direct: the artifact to remove (default `dist/<name>.converse.json`), as `deploy --out`.
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
    /// Destroy without asking for confirmation.
    #[arg(long)]
    pub auto_approve: bool,
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
    /// Replace existing files: at `--out` one that is not an agent spec, beside it prompt
    /// or schema files with other content.
    #[arg(long)]
    pub force: bool,
    #[command(flatten)]
    pub aws: AwsArgs,
}

pub fn plan(args: PlanArgs) -> CliResult {
    match Target::from(args.target) {
        Target::Agents => agents::plan(&args),
        Target::Harness => harness_deploy::plan(&args),
        Target::Direct => artifact::plan(&args),
    }
}

pub fn destroy(args: DestroyArgs) -> CliResult {
    match Target::from(args.target) {
        Target::Agents => agents::destroy(&args),
        Target::Harness => harness_deploy::destroy(&args),
        Target::Direct => artifact::destroy(&args),
    }
}

pub fn import(args: ImportArgs) -> CliResult {
    agents::import(&args)
}
