use super::CliResult;
use super::args::{AwsArgs, SpecArgs, TargetArg};
use super::commands::{agents, artifact, export, harness, harness_deploy};
use agentc::target::Target;
use std::path::PathBuf;

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum CompileFormat {
    /// The target's native config as JSON.
    Json,
    /// A CloudFormation template: `AWS::Bedrock::Agent` (agents target) or
    /// `AWS::BedrockAgentCore::Harness` (harness target).
    Cloudformation,
    /// Terraform JSON: the `aws_bedrockagent_*` resources (agents target) or
    /// `aws_bedrockagentcore_harness*` (harness target).
    Terraform,
}

impl CompileFormat {
    pub fn flag(self) -> &'static str {
        match self {
            CompileFormat::Json => "--format json",
            CompileFormat::Cloudformation => "--format cloudformation",
            CompileFormat::Terraform => "--format terraform",
        }
    }
}

#[derive(Debug, clap::Args)]
pub struct CompileArgs {
    #[command(flatten)]
    pub input: SpecArgs,
    #[arg(long, value_enum)]
    pub target: TargetArg,
    #[arg(long, value_enum, default_value = "json")]
    pub format: CompileFormat,
    /// Write to this file instead of standard output.
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
    /// Replace an existing file at the output path that is not agentc's output of this
    /// kind (the input spec is never replaced).
    #[arg(long)]
    pub force: bool,
}

pub fn run(args: CompileArgs) -> CliResult {
    match Target::from(args.target) {
        Target::Direct => artifact::compile(&args),
        Target::Agents => export::compile(&args),
        Target::Harness => harness::compile(&args),
    }
}

#[derive(Debug, clap::Args)]
pub struct DeployArgs {
    #[command(flatten)]
    pub input: SpecArgs,
    #[arg(long, value_enum)]
    pub target: TargetArg,
    /// direct: where to write the Converse config (default `dist/<name>.converse.json`).
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
    /// direct: replace an existing file at the output path that is not agentc's output of this
    /// kind (the input spec is never replaced).
    #[arg(long)]
    pub force: bool,
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
    #[command(flatten)]
    pub aws: AwsArgs,
}

pub fn deploy(args: DeployArgs) -> CliResult {
    match Target::from(args.target) {
        Target::Direct => artifact::deploy(&args),
        Target::Agents => agents::deploy(&args),
        Target::Harness => harness_deploy::deploy(&args),
    }
}
