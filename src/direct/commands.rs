//! Commands of the direct target. `compile` is built; `deploy` and `run` are not yet.

use crate::cli::ExitStatus;
use crate::cli::compile::{CompileArgs, CompileFormat, DeployArgs};
use crate::cli::run::RunArgs;
use crate::cli::{print_error, print_stdout};
use crate::models::ModelTable;
use crate::spec::LoadOptions;

/// Load a spec for compilation: any error-level diagnostic stops here, rendered as lint would.
pub fn load_for_compile(
    path: &std::path::Path,
    vars: &[(String, String)],
) -> Result<crate::spec::Loaded, ExitStatus> {
    let loaded = match crate::spec::load_path(
        path,
        &LoadOptions {
            vars: vars.to_vec(),
        },
    ) {
        Ok(loaded) => loaded,
        Err(error) => {
            print_error(error);
            return Err(ExitStatus::Error);
        }
    };
    let diagnostics = crate::lint::lint(&loaded, ModelTable::builtin(), &Default::default());
    let errors: Vec<_> = diagnostics
        .into_iter()
        .filter(|d| d.severity == crate::diag::Severity::Error)
        .collect();
    if errors.is_empty() && loaded.spec.is_some() && loaded.agent.is_some() {
        return Ok(loaded);
    }
    let report = crate::render::FileReport {
        file: loaded.file,
        diagnostics: errors,
    };
    eprint!(
        "{}",
        crate::render::render(&[report], crate::render::Format::Human, &Default::default())
    );
    Err(ExitStatus::Failure)
}

pub fn compile(args: &CompileArgs) -> ExitStatus {
    if args.format != CompileFormat::Json {
        eprintln!(
            "error: --format {:?} applies to the agents target only",
            args.format
        );
        return ExitStatus::Error;
    }
    let loaded = match load_for_compile(&args.spec, &args.vars) {
        Ok(loaded) => loaded,
        Err(status) => return status,
    };
    let (Some(spec), Some(agent)) = (&loaded.spec, &loaded.agent) else {
        return ExitStatus::Error;
    };
    let (config, _) = super::compile(spec, agent, ModelTable::builtin());
    let mut text = serde_json::to_string_pretty(&config).unwrap_or_default();
    text.push('\n');
    match &args.out {
        Some(path) => match std::fs::write(path, text) {
            Ok(()) => ExitStatus::Success,
            Err(error) => {
                eprintln!("error: cannot write `{}`: {error}", path.display());
                ExitStatus::Error
            }
        },
        None => {
            print_stdout(&text);
            ExitStatus::Success
        }
    }
}

pub fn deploy(_args: &DeployArgs) -> ExitStatus {
    eprintln!("error: deploy for the direct target is not implemented yet");
    ExitStatus::Error
}

pub fn run(_args: &RunArgs) -> ExitStatus {
    eprintln!("error: agentc run is not implemented yet");
    ExitStatus::Error
}
