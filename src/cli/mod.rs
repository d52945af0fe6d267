//! The command line: argument parsing and printing only. Each command lives in its own file
//! and calls into the library's stages.

pub mod agents;
pub mod aws;
pub mod compile;
pub mod cost;
mod explain;
mod lint;
mod models;
pub mod run;
mod schema;

use clap::{Parser, Subcommand};
use std::process::ExitCode;

/// How agentc ended, as a process exit status.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExitStatus {
    /// 0: done; no error-level findings.
    Success,
    /// 1: error-level findings (lint), or changes with `--detailed-exitcode`... see each command.
    Failure,
    /// 2: agentc itself could not run (bad arguments, unreadable path, AWS failure).
    Error,
    /// Another code (e.g. 2 = "changes present" for `plan --detailed-exitcode`).
    Code(u8),
}

impl From<ExitStatus> for ExitCode {
    fn from(status: ExitStatus) -> Self {
        match status {
            ExitStatus::Success => ExitCode::SUCCESS,
            ExitStatus::Failure => ExitCode::from(1),
            ExitStatus::Error => ExitCode::from(2),
            ExitStatus::Code(code) => ExitCode::from(code),
        }
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
    /// Estimate tokens and cost per call, request and month on both targets.
    Cost(cost::CostArgs),
    /// Compile a spec for a target and print it.
    Compile(compile::CompileArgs),
    /// Deploy a spec to a target (agents: plan, confirm, apply; direct: write the artifact).
    Deploy(compile::DeployArgs),
    /// Run the agent through the Converse API with agentc's tool-dispatch loop.
    Run(run::RunArgs),
    /// Show what deploy would change on the agents target (read-only).
    Plan(agents::PlanArgs),
    /// Destroy the Bedrock Agent that agentc deployed for a spec.
    Destroy(agents::DestroyArgs),
    /// Write a spec from a live Bedrock Agent.
    Import(agents::ImportArgs),
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
    match cli.command {
        Command::Lint(args) => lint::run(args),
        Command::Explain(args) => explain::explain(args),
        Command::Rules(args) => explain::rules(args),
        Command::Schema => schema::run(),
        Command::Models(args) => models::run(args),
        Command::Cost(args) => cost::run(args),
        Command::Compile(args) => compile::run(args),
        Command::Deploy(args) => compile::deploy(args),
        Command::Run(args) => run::run(args),
        Command::Plan(args) => agents::plan(args),
        Command::Destroy(args) => agents::destroy(args),
        Command::Import(args) => agents::import(args),
    }
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

/// Render an error that stops agentc (exit status 2) with miette.
pub fn print_error(error: impl miette::Diagnostic + Send + Sync + 'static) {
    use std::io::IsTerminal;
    let report = miette::Report::new(error);
    let theme = if use_color(std::io::stderr().is_terminal()) {
        miette::GraphicalTheme::unicode()
    } else {
        miette::GraphicalTheme::unicode_nocolor()
    };
    let mut out = String::new();
    let handler = miette::GraphicalReportHandler::new_themed(theme);
    if handler.render_report(&mut out, report.as_ref()).is_err() {
        out = format!("error: {report}\n");
    }
    eprint!("{out}");
}

/// A warning that does not change the exit status, on stderr so stdout stays machine-readable.
pub fn print_warning(message: &str) {
    eprintln!("warning: {message}");
}

/// `key=value` for `--var`.
pub fn parse_key_value(text: &str) -> Result<(String, String), String> {
    match text.split_once('=') {
        Some((key, value)) if !key.is_empty() => Ok((key.to_string(), value.to_string())),
        _ => Err(format!("expected KEY=VALUE, got `{text}`")),
    }
}

/// Load and check a spec for a command that builds it for `targets` (`lint::check`): the
/// blocking findings stop the command, and the findings to show (what a target cannot carry)
/// go to stderr, both rendered as `agentc lint` would.
pub fn load_checked(
    path: &std::path::Path,
    vars: &[(String, String)],
    models: &crate::models::ModelTable,
    targets: &[crate::target::Target],
) -> Result<crate::lint::Checked, ExitStatus> {
    let options = crate::spec::LoadOptions {
        vars: vars.to_vec(),
    };
    let loaded = match crate::spec::load_path(path, &options) {
        Ok(loaded) => loaded,
        Err(error) => {
            print_error(error);
            return Err(ExitStatus::Error);
        }
    };
    let human = |report| {
        crate::render::render(&[report], crate::render::Format::Human, &Default::default())
    };
    match crate::lint::check(loaded, models, targets) {
        Ok(checked) => {
            if let Some(report) = checked.warnings_report() {
                eprint!("{}", human(report));
            }
            Ok(checked)
        }
        Err(rejected) => {
            eprint!("{}", human(rejected.into_report()));
            Err(ExitStatus::Failure)
        }
    }
}
