//! Commands of the harness target that need no service: `compile` prints the CreateHarness
//! request. Plan, deploy and destroy are in `harness_deploy` (the `harness` feature).

use crate::cli::args::SpecArgs;
use crate::cli::compile::{CompileArgs, CompileFormat};
use crate::cli::{CliError, CliResult, ExitStatus, load_checked, print_stdout, refuse};
use agentc::harness::{DesiredHarness, desired_harness};
use agentc::models::ModelTable;
use agentc::target::Target;

const TARGET: Target = Target::Harness;

/// Load and check the spec for this target (error-level findings stop here), then compile
/// the harness it describes.
pub fn load_desired(input: &SpecArgs) -> Result<DesiredHarness, CliError> {
    let checked = load_checked(
        &input.spec,
        &input.vars.vars,
        ModelTable::builtin(),
        &[TARGET],
    )?;
    Ok(desired_harness(&checked.spec, &checked.agent)?)
}

pub fn compile(args: &CompileArgs) -> CliResult {
    refuse(
        args.format != CompileFormat::Json,
        args.format.flag(),
        TARGET,
        " yet; it compiles to the CreateHarness request (JSON)",
    )?;
    let desired = load_desired(&args.input)?;
    let mut text = serde_json::to_string_pretty(&desired.request).unwrap_or_default();
    text.push('\n');
    match &args.out {
        Some(path) => {
            let protected = [agentc::fsio::Protected {
                path: args.input.spec.clone(),
                what: "the input spec".to_string(),
            }];
            let options = agentc::fsio::WriteOptions {
                protected: &protected,
                ..agentc::fsio::WriteOptions::new("a CreateHarness request")
            };
            agentc::fsio::write_file(path, text.as_bytes(), &options)?;
        }
        None => print_stdout(&text),
    }
    Ok(ExitStatus::Success)
}
