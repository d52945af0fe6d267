//! The agents target's local command: `compile` prints the desired state, or exports it as
//! CloudFormation or Terraform. It needs no service, so it is in the lean build.

use crate::cli::args::SpecArgs;
use crate::cli::compile::{CompileArgs, CompileFormat};
use crate::cli::{CliError, CliResult, ExitStatus, load_checked, print_stdout, print_warning};
use agentc::agents::desired::{DesiredState, desired_state};
use agentc::agents::error::AgentsError;
use agentc::models::ModelTable;
use agentc::target::Target;
use std::path::Path;

const TARGET: Target = Target::Agents;

/// Load and check the spec for this target (error-level findings stop here), then derive the
/// desired state.
pub fn load_desired(input: &SpecArgs) -> Result<DesiredState, CliError> {
    let checked = load_checked(
        &input.spec,
        &input.vars.vars,
        ModelTable::builtin(),
        &[TARGET],
    )?;
    Ok(desired_state(
        &checked.spec,
        &checked.agent,
        checked.file.dir(),
    )?)
}

pub fn write_file(path: &Path, text: &str) -> Result<(), CliError> {
    std::fs::write(path, text).map_err(|source| {
        AgentsError::Write {
            path: path.to_path_buf(),
            source,
        }
        .into()
    })
}

fn pretty_json(value: &impl serde::Serialize) -> String {
    serde_json::to_string_pretty(value).unwrap_or_default()
}

pub fn compile(args: &CompileArgs) -> CliResult {
    let desired = load_desired(&args.input)?;
    let value = match args.format {
        CompileFormat::Json => serde_json::to_value(&desired).unwrap_or_default(),
        CompileFormat::Cloudformation | CompileFormat::Terraform => {
            let (export, format) = match args.format {
                CompileFormat::Cloudformation => (
                    agentc::agents::export::cloudformation(&desired),
                    "cloudformation",
                ),
                _ => (agentc::agents::export::terraform(&desired), "terraform"),
            };
            for setting in &export.omitted {
                print_warning(&format!("{format} export leaves out {setting}"));
            }
            export.document
        }
    };
    let mut text = pretty_json(&value);
    text.push('\n');
    match &args.out {
        Some(path) => write_file(path, &text)?,
        None => print_stdout(&text),
    }
    Ok(ExitStatus::Success)
}
