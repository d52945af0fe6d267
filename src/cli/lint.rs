use super::args::VarArgs;
use super::{CliResult, ExitStatus, print_error, print_stdout, use_color};
use agentc::lint::{LevelOverrides, find_rule, unknown_rule_help};
use agentc::models::ModelTable;
use agentc::render::{FileReport, Format, HumanOptions, Summary};
use agentc::spec::{Level, LoadOptions};
use rayon::prelude::*;
use std::io::IsTerminal;
use std::path::PathBuf;

#[derive(Debug, clap::Args)]
pub struct LintArgs {
    /// Spec files, or directories to search for `*.yaml`/`*.yml` agent specs (default: `.`).
    pub paths: Vec<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value = "human")]
    pub format: Format,
    /// Report these rules as errors (repeatable; `all` for every rule).
    #[arg(long, value_name = "RULE")]
    pub deny: Vec<String>,
    /// Report these rules as warnings.
    #[arg(long, value_name = "RULE")]
    pub warn: Vec<String>,
    /// Do not report these rules.
    #[arg(long, value_name = "RULE")]
    pub allow: Vec<String>,
    #[command(flatten)]
    pub vars: VarArgs,
    /// A price and model table to use instead of the built-in one.
    #[arg(long, value_name = "FILE")]
    pub prices: Option<PathBuf>,
    /// Skip named files that are not agent specs (no top-level `agentc:` key), as a
    /// pre-commit hook that receives every YAML file of a commit needs.
    #[arg(long)]
    pub only_specs: bool,
    /// Check for one target only (`agents`, `direct`): the rules that apply to it, and what
    /// it cannot carry of the spec. Without it, every rule runs.
    #[arg(long, value_name = "TARGET", value_parser = parse_target)]
    pub target: Option<agentc::target::Target>,
    /// Do not read or write the token-count cache (`$AGENTC_CACHE_DIR`, `~/.cache/agentc`).
    #[arg(long)]
    pub no_cache: bool,
}

#[derive(Debug, thiserror::Error, miette::Diagnostic)]
pub enum LintCliError {
    #[error("unknown rule `{id}`")]
    #[diagnostic(code(agentc::usage), help("{help}"))]
    UnknownRule { id: String, help: String },
    #[error("cannot read `{path}`: {message}")]
    #[diagnostic(code(agentc::read), help("check that the path exists and is readable"))]
    Walk { path: String, message: String },
}

pub fn run(args: LintArgs) -> CliResult {
    let mut overrides = LevelOverrides::default();
    for (ids, level) in [
        (&args.allow, Level::Allow),
        (&args.warn, Level::Warn),
        (&args.deny, Level::Deny),
    ] {
        for id in ids {
            if id != "all" && find_rule(id).is_none() {
                return Err(LintCliError::UnknownRule {
                    id: id.clone(),
                    help: unknown_rule_help(id),
                }
                .into());
            }
            overrides.levels.push((id.clone(), level));
        }
    }
    let models = ModelTable::load(args.prices.as_deref())?;
    let paths = if args.paths.is_empty() {
        vec![PathBuf::from(".")]
    } else {
        args.paths.clone()
    };
    let files = agentc::discover::spec_files(&paths, args.only_specs).map_err(|error| {
        LintCliError::Walk {
            path: error.path,
            message: error.message,
        }
    })?;
    agentc::tokens::enable_cache(!args.no_cache);
    let options = LoadOptions {
        vars: args.vars.vars.clone(),
    };
    let lint_one = |path: &PathBuf| -> Result<FileReport, agentc::spec::LoadError> {
        let loaded = agentc::spec::load_path(path, &options)?;
        let diagnostics = agentc::lint::lint_for(&loaded, &models, &overrides, args.target);
        Ok(FileReport {
            file: loaded.file,
            diagnostics,
        })
    };
    // One file is linted on this thread: rayon's pool (a thread per core, started on first
    // use) costs more than linting it, and one spec is what an editor or a hook often passes.
    let results: Vec<Result<FileReport, agentc::spec::LoadError>> = if files.len() < 2 {
        files.iter().map(lint_one).collect()
    } else {
        files.par_iter().map(lint_one).collect()
    };
    let mut reports = Vec::with_capacity(results.len());
    let mut unreadable = false;
    for result in results {
        match result {
            Ok(report) => reports.push(report),
            // Every unreadable file is reported, and the readable ones still are linted.
            Err(error) => {
                print_error(&error);
                unreadable = true;
            }
        }
    }
    agentc::tokens::persist_cache();
    let human = HumanOptions {
        color: use_color(std::io::stdout().is_terminal()),
    };
    print_stdout(&agentc::render::render(&reports, args.format, &human));
    Ok(if unreadable {
        ExitStatus::Error
    } else if Summary::of(&reports).errors > 0 {
        ExitStatus::Failure
    } else {
        ExitStatus::Success
    })
}

/// `--target`: a target id, refused with the list of ids otherwise.
fn parse_target(text: &str) -> Result<agentc::target::Target, String> {
    agentc::target::Target::from_id(text).ok_or_else(|| {
        let ids: Vec<&str> = agentc::target::Target::ALL
            .iter()
            .map(|t| t.as_str())
            .collect();
        format!(
            "unknown target `{text}`; expected one of: {}",
            ids.join(", ")
        )
    })
}
