//! The command line: argument parsing and printing only. Each command lives in its own file
//! and calls into the library's stages.

pub mod agents;
pub mod args;
mod commands;
pub mod compile;
mod completions;
pub mod cost;
mod explain;
mod lint;
mod lsp;
mod models;
// indicatif comes with the deploy targets.
#[cfg(any(feature = "agents", feature = "harness"))]
mod progress;
pub mod run;
mod schema;
pub mod serve;

use agentc::target::Target;
use clap::{Parser, Subcommand};
use std::path::PathBuf;
use std::process::ExitCode;

/// How agentc ended, as a process exit status: every code agentc uses is named here, and the
/// table in the README lists the same ones.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExitStatus {
    /// 0: done (lint: no error-level findings; plan: no changes, or no `--detailed-exitcode`).
    Success,
    /// 1: error-level findings (lint, or a spec a command refuses to build), a stale artifact
    /// with `deploy --check`, a run that stopped short of an answer; with
    /// `plan --detailed-exitcode`, any error (as Terraform).
    Failure,
    /// 2: agentc itself could not run (bad arguments, unreadable path, AWS failure).
    Error,
    /// 2 with `plan --detailed-exitcode`: the plan has changes.
    ChangesPresent,
    /// 3: `agentc run` paused on `return_control` tool calls; answer with `--tool-result`.
    WaitingForToolResults,
}

impl ExitStatus {
    pub const fn code(self) -> u8 {
        match self {
            ExitStatus::Success => 0,
            ExitStatus::Failure => 1,
            ExitStatus::Error | ExitStatus::ChangesPresent => 2,
            ExitStatus::WaitingForToolResults => 3,
        }
    }
}

impl From<ExitStatus> for ExitCode {
    fn from(status: ExitStatus) -> Self {
        ExitCode::from(status.code())
    }
}

/// Why a command stopped: the library's errors, plus the few the command layer itself finds.
/// Rendered once, by [`run`].
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
pub enum CliError {
    #[error(transparent)]
    #[diagnostic(transparent)]
    Load(#[from] agentc::spec::LoadError),
    #[error(transparent)]
    #[diagnostic(transparent)]
    Models(#[from] agentc::models::ModelTableError),
    #[error(transparent)]
    #[diagnostic(transparent)]
    Agents(Box<agentc::agents::error::AgentsError>),
    #[error(transparent)]
    #[diagnostic(transparent)]
    Desired(#[from] agentc::agents::desired::DesiredError),
    #[error(transparent)]
    #[diagnostic(transparent)]
    Harness(#[from] agentc::harness::HarnessError),
    #[error(transparent)]
    #[diagnostic(transparent)]
    HarnessDeploy(Box<agentc::harness::error::DeployError>),
    #[error(transparent)]
    #[diagnostic(transparent)]
    Artifact(#[from] agentc::direct::artifact::ArtifactError),
    #[error(transparent)]
    #[diagnostic(transparent)]
    Cost(#[from] agentc::cost::CostError),
    #[cfg(feature = "direct")]
    #[error(transparent)]
    #[diagnostic(transparent)]
    Session(#[from] agentc::direct::session::SessionError),
    #[cfg(feature = "direct")]
    #[error(transparent)]
    #[diagnostic(transparent)]
    Trace(#[from] agentc::direct::trace::TraceError),
    #[cfg(feature = "direct")]
    #[error(transparent)]
    #[diagnostic(transparent)]
    Run(Box<agentc::direct::runner::RunError>),
    #[cfg(feature = "direct")]
    #[error(transparent)]
    #[diagnostic(transparent)]
    Setup(#[from] commands::direct::SetupError),
    #[cfg(all(feature = "agents", feature = "direct"))]
    #[error(transparent)]
    #[diagnostic(transparent)]
    AgentRun(Box<agentc::agents::runtime::AgentRunError>),
    #[cfg(all(feature = "harness", feature = "direct"))]
    #[error(transparent)]
    #[diagnostic(transparent)]
    HarnessRun(Box<agentc::harness::runtime::HarnessRunError>),
    #[error(transparent)]
    #[diagnostic(transparent)]
    HarnessSession(#[from] agentc::harness::invoke::InvalidSessionId),
    #[cfg(feature = "serve")]
    #[error(transparent)]
    #[diagnostic(transparent)]
    Serve(#[from] agentc::serve::engine::ServeError),
    #[cfg(feature = "serve")]
    #[error(transparent)]
    #[diagnostic(transparent)]
    ServeSetup(#[from] commands::serve::ServeSetupError),
    #[cfg(feature = "serve")]
    #[error(transparent)]
    #[diagnostic(transparent)]
    ServeCredentials(#[from] agentc::serve::auth::CredentialsError),
    #[cfg(feature = "serve")]
    #[error(transparent)]
    #[diagnostic(transparent)]
    ServeListen(#[from] agentc::serve::auth::ListenError),
    #[error(transparent)]
    #[diagnostic(transparent)]
    Plan(#[from] agentc::plan::PlanError),
    #[error(transparent)]
    #[diagnostic(transparent)]
    Lint(#[from] lint::LintCliError),
    #[error(transparent)]
    #[diagnostic(transparent)]
    UnknownRule(#[from] explain::UnknownRule),
    #[error(transparent)]
    #[diagnostic(transparent)]
    Lsp(#[from] agentc::lsp::LspError),
    /// The build gate refused the spec; the findings are shown as `agentc lint` shows them.
    #[error("{errors} error-level finding(s) in `{file}` stop this command")]
    Rejected {
        file: String,
        errors: usize,
        report: String,
    },
    /// A flag that the chosen target cannot honour.
    #[error("{flag} does not apply to the {target} target{reason}")]
    Unsupported {
        flag: &'static str,
        target: Target,
        reason: &'static str,
    },
    #[error("`{resource}` is stale; run `agentc deploy {spec} --target {target}` to update it")]
    #[diagnostic(code(agentc::deploy::stale))]
    Stale {
        resource: String,
        spec: PathBuf,
        target: Target,
    },
    #[error(transparent)]
    #[diagnostic(transparent)]
    File(#[from] agentc::fsio::WriteError),
    #[cfg(feature = "net")]
    #[error(transparent)]
    #[diagnostic(transparent)]
    Profile(#[from] agentc::aws::UnknownProfile),
    #[cfg(feature = "net")]
    #[error("cannot start the async runtime: {0}")]
    #[diagnostic(code(agentc::runtime))]
    Runtime(#[source] std::io::Error),
    /// A command whose network code this build leaves out (`cargo build --no-default-features`).
    #[cfg_attr(
        all(feature = "agents", feature = "direct", feature = "harness"),
        allow(
            dead_code,
            reason = "only a build without a network feature refuses a command"
        )
    )]
    #[error(
        "`{command}` needs the `{feature}` feature, which this build of agentc leaves out; \
         install the full build to use it: `cargo install --locked --path .` in agentc's checkout"
    )]
    NotBuilt {
        command: &'static str,
        feature: &'static str,
    },
}

impl From<agentc::harness::error::DeployError> for CliError {
    fn from(error: agentc::harness::error::DeployError) -> Self {
        CliError::HarnessDeploy(Box::new(error))
    }
}

impl From<agentc::agents::error::AgentsError> for CliError {
    fn from(error: agentc::agents::error::AgentsError) -> Self {
        CliError::Agents(Box::new(error))
    }
}

#[cfg(all(feature = "agents", feature = "direct"))]
impl From<agentc::agents::runtime::AgentRunError> for CliError {
    fn from(error: agentc::agents::runtime::AgentRunError) -> Self {
        CliError::AgentRun(Box::new(error))
    }
}

#[cfg(all(feature = "harness", feature = "direct"))]
impl From<agentc::harness::runtime::HarnessRunError> for CliError {
    fn from(error: agentc::harness::runtime::HarnessRunError) -> Self {
        CliError::HarnessRun(Box::new(error))
    }
}

#[cfg(feature = "direct")]
impl From<agentc::direct::runner::RunError> for CliError {
    fn from(error: agentc::direct::runner::RunError) -> Self {
        CliError::Run(Box::new(error))
    }
}

impl CliError {
    /// The exit status this error ends agentc with.
    pub fn status(&self) -> ExitStatus {
        match self {
            CliError::Rejected { .. } | CliError::Stale { .. } => ExitStatus::Failure,
            #[cfg(feature = "direct")]
            CliError::Run(error)
                if matches!(
                    **error,
                    agentc::direct::runner::RunError::MaxIterations { .. }
                ) =>
            {
                ExitStatus::Failure
            }
            _ => ExitStatus::Error,
        }
    }

    /// Print the error on stderr: findings as `agentc lint` renders them, anything else with
    /// miette.
    fn print(&self) {
        match self {
            CliError::Rejected { report, .. } => eprint!("{report}"),
            // One line, for scripts and hooks that run the lean build.
            CliError::NotBuilt { .. } => eprintln!("error: {self}"),
            _ => print_error(self),
        }
    }
}

/// A handler's result: the exit status, or the error that stopped it.
pub type CliResult = Result<ExitStatus, CliError>;

/// The single-threaded runtime of the commands that talk to AWS.
#[cfg(feature = "net")]
pub fn runtime() -> Result<tokio::runtime::Runtime, CliError> {
    agentc::aws::runtime().map_err(CliError::Runtime)
}

/// Refuse a `--profile` the AWS files do not define (before any credentials are resolved).
#[cfg(feature = "net")]
pub async fn check_profile(aws: &args::AwsArgs) -> Result<(), CliError> {
    if let Some(name) = &aws.profile {
        agentc::aws::check_profile(name).await?;
    }
    Ok(())
}

/// Refuse `flag` (when it was given) on a target that cannot honour it.
pub fn refuse(
    given: bool,
    flag: &'static str,
    target: Target,
    reason: &'static str,
) -> Result<(), CliError> {
    if given {
        Err(CliError::Unsupported {
            flag,
            target,
            reason,
        })
    } else {
        Ok(())
    }
}

#[derive(Debug, Parser)]
#[command(
    name = "agentc",
    version,
    about = "A Terraform-style compiler for LLM agent definitions",
    long_about = "agentc reads one declarative YAML spec of an agent and lints it, prices it on Bedrock Agents \
                  and on the Converse API, deploys it as a Bedrock Agent, or compiles it into a Converse \
                  request config and runs it.",
    propagate_version = true
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Validate and lint agent specs (files or directories).
    Lint(lint::LintArgs),
    /// Print the documentation of a lint rule.
    Explain(explain::ExplainArgs),
    /// List the lint rules.
    Rules(explain::RulesArgs),
    /// Print the JSON Schema of the spec format.
    Schema,
    /// List the models agentc knows, with prices and limits.
    Models(models::ModelsArgs),
    /// Estimate tokens and cost per call, request and month on every target the spec can be built for.
    Cost(Box<cost::CostArgs>),
    /// Compile a spec for a target and print it.
    Compile(compile::CompileArgs),
    /// Deploy a spec to a target (agents: plan, confirm, apply; direct: write the artifact).
    Deploy(compile::DeployArgs),
    /// Run the agent: through the Converse API with agentc's tool-dispatch loop (direct), or on the deployed Bedrock Agent (agents) or AgentCore harness (harness).
    // Boxed: its flags for three runtimes make it much the largest variant.
    Run(Box<run::RunArgs>),
    /// Show what deploy would change on a target (read-only): the agent on agents, the artifact on direct.
    Plan(agents::PlanArgs),
    /// Destroy what deploy created for a spec on a target: the Bedrock Agent, or the direct artifact.
    Destroy(agents::DestroyArgs),
    /// Write a spec from a live Bedrock Agent.
    Import(agents::ImportArgs),
    /// Serve the InvokeAgent API (bedrock-agent-runtime) for specs, run on the direct target.
    Serve(serve::ServeArgs),
    /// Run the language server for editors (diagnostics, hover, completion) on stdin/stdout.
    Lsp(lsp::LspArgs),
    /// Print a shell completion script (bash, zsh, fish, powershell, elvish).
    Completions(completions::CompletionsArgs),
    /// Print agentc's manual page, or a command's (roff; `agentc man | man -l -`).
    Man(completions::ManArgs),
}

/// Parse the command line and run the command.
pub fn run() -> ExitStatus {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(error) => {
            let _ = error.print();
            return match error.kind() {
                clap::error::ErrorKind::DisplayHelp | clap::error::ErrorKind::DisplayVersion => {
                    ExitStatus::Success
                }
                _ => ExitStatus::Error,
            };
        }
    };
    // Terraform's convention: with --detailed-exitcode, 1 is an error and 2 means changes.
    let detailed_exitcode = matches!(&cli.command, Command::Plan(args) if args.detailed_exitcode);
    match dispatch(cli.command) {
        Ok(status) => status,
        Err(error) => {
            error.print();
            if detailed_exitcode {
                ExitStatus::Failure
            } else {
                error.status()
            }
        }
    }
}

fn dispatch(command: Command) -> CliResult {
    match command {
        Command::Lint(args) => lint::run(args),
        Command::Explain(args) => explain::explain(args),
        Command::Rules(args) => explain::rules(args),
        Command::Schema => schema::run(),
        Command::Models(args) => models::run(args),
        Command::Cost(args) => cost::run(*args),
        Command::Compile(args) => compile::run(args),
        Command::Deploy(args) => compile::deploy(args),
        Command::Run(args) => run::run(*args),
        Command::Plan(args) => agents::plan(args),
        Command::Destroy(args) => agents::destroy(args),
        Command::Import(args) => agents::import(args),
        Command::Serve(args) => serve::run(&args),
        Command::Lsp(args) => lsp::run(args),
        Command::Completions(args) => completions::completions(args),
        Command::Man(args) => completions::man(args),
    }
}

/// Write a file a command produces through [`agentc::fsio::write_file`]: never over the
/// spec (any spelling or hard link of it), never through a symlink or onto a device, and an
/// existing file that `same_kind` does not recognise only with `--force`.
pub fn write_output(
    path: &std::path::Path,
    contents: &[u8],
    kind: &str,
    spec: Option<&std::path::Path>,
    same_kind: agentc::fsio::SameKind,
    force: bool,
) -> Result<(), CliError> {
    let protected: Vec<agentc::fsio::Protected> =
        spec.into_iter().map(agentc::fsio::the_spec).collect();
    let options = agentc::fsio::WriteOptions {
        kind,
        protected: &protected,
        same_kind: Some(same_kind),
        force,
    };
    agentc::fsio::write_file(path, contents, &options)?;
    Ok(())
}

/// Colour only on a terminal, and never with `NO_COLOR` set.
pub fn use_color(stream_is_terminal: bool) -> bool {
    stream_is_terminal
        && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
        && std::env::var("TERM").map_or(true, |t| t != "dumb")
}

/// Print to stdout; a closed pipe (`agentc … | head`) is not an error.
pub fn print_stdout(text: &str) {
    use std::io::Write;
    let mut stdout = std::io::stdout().lock();
    let _ = stdout.write_all(text.as_bytes());
    let _ = stdout.flush();
}

/// Render an error with miette (colour only on a terminal).
pub fn print_error(error: &dyn miette::Diagnostic) {
    use std::io::IsTerminal;
    let theme = if use_color(std::io::stderr().is_terminal()) {
        miette::GraphicalTheme::unicode()
    } else {
        miette::GraphicalTheme::unicode_nocolor()
    };
    let mut out = String::new();
    let handler = miette::GraphicalReportHandler::new_themed(theme);
    if handler.render_report(&mut out, error).is_err() {
        out = format!("error: {error}\n");
    }
    eprint!("{out}");
}

/// A warning that does not change the exit status, on stderr so stdout stays machine-readable.
pub fn print_warning(message: &str) {
    eprintln!("warning: {message}");
}

/// The build gate of a command that builds a spec for `targets` (`lint::check`; every
/// target for `cost`, which prices them all): load it; the findings to show (what a target
/// cannot carry) go to stderr, and blocking findings refuse the spec with
/// [`CliError::Rejected`], both rendered as `agentc lint` would.
pub fn load_checked(
    path: &std::path::Path,
    vars: &[(String, String)],
    models: &agentc::models::ModelTable,
    targets: &[Target],
) -> Result<agentc::lint::Checked, CliError> {
    let options = agentc::spec::LoadOptions {
        vars: vars.to_vec(),
    };
    let loaded = agentc::spec::load_path(path, &options)?;
    match agentc::lint::check(loaded, models, targets) {
        Ok(checked) => {
            if let Some(report) = checked.warnings_report() {
                eprint!("{}", human(report));
            }
            Ok(checked)
        }
        Err(rejected) => Err(rejected_error(rejected)),
    }
}

/// The gate of `cost`, which prices every target it can ([`agentc::lint::check_each`]): a
/// target whose service would refuse the spec is left out, its findings on stderr with one
/// line saying so; the spec is refused only when no target can be built.
pub fn load_checked_each(
    path: &std::path::Path,
    vars: &[(String, String)],
    models: &agentc::models::ModelTable,
) -> Result<(agentc::lint::Checked, Vec<Target>), CliError> {
    let options = agentc::spec::LoadOptions {
        vars: vars.to_vec(),
    };
    let loaded = agentc::spec::load_path(path, &options)?;
    let (checked, refused) =
        agentc::lint::check_each(loaded, models, &Target::ALL).map_err(rejected_error)?;
    if let Some(report) = checked.warnings_report() {
        eprint!("{}", human(report));
    }
    let mut left_out = Vec::new();
    for refused in refused {
        eprint!(
            "{}",
            human(agentc::render::FileReport {
                file: checked.file.clone(),
                diagnostics: refused.findings,
            })
        );
        print_warning(&format!(
            "not pricing the {} target: {} would refuse this spec (the findings above)",
            refused.target,
            refused.target.service()
        ));
        left_out.push(refused.target);
    }
    Ok((checked, left_out))
}

fn human(report: agentc::render::FileReport) -> String {
    agentc::render::render(
        &[report],
        agentc::render::Format::Human,
        &Default::default(),
    )
}

fn rejected_error(rejected: agentc::lint::Rejected) -> CliError {
    CliError::Rejected {
        file: rejected.file.name(),
        errors: rejected.findings.len(),
        report: human(rejected.into_report()),
    }
}
