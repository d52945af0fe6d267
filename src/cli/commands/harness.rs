//! Commands of the harness target that need no service: `compile` prints the CreateHarness
//! request, or exports it as CloudFormation or Terraform (so it is in the lean build). Plan,
//! deploy and destroy are in `harness_deploy` (the `harness` feature).

use crate::cli::args::SpecArgs;
use crate::cli::compile::{CompileArgs, CompileFormat};
use crate::cli::{CliError, CliResult, ExitStatus, load_checked, print_stdout, print_warning};
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
    let desired = load_desired(&args.input)?;
    let value = match args.format {
        CompileFormat::Json => serde_json::to_value(&desired.request).unwrap_or_default(),
        CompileFormat::Cloudformation | CompileFormat::Terraform => {
            let (export, format) = match args.format {
                CompileFormat::Cloudformation => (
                    agentc::harness::export::cloudformation(&desired),
                    "cloudformation",
                ),
                _ => (agentc::harness::export::terraform(&desired), "terraform"),
            };
            for setting in &export.omitted {
                print_warning(&format!("{format} export leaves out {setting}"));
            }
            export.document
        }
    };
    let mut text = serde_json::to_string_pretty(&value).unwrap_or_default();
    text.push('\n');
    match &args.out {
        Some(path) => {
            // Replaces only an earlier harness compile in any of its formats.
            let is_harness_export = |head: &[u8]| {
                agentc::fsio::json_naming(
                    head,
                    &["harnessName", "AWSTemplateFormatVersion", "resource"],
                )
            };
            crate::cli::write_output(
                path,
                text.as_bytes(),
                match args.format {
                    CompileFormat::Json => "a CreateHarness request",
                    CompileFormat::Cloudformation => "a CloudFormation template",
                    CompileFormat::Terraform => "a Terraform configuration",
                },
                Some(&args.input.spec),
                &is_harness_export,
                args.force,
            )?;
        }
        None => print_stdout(&text),
    }
    Ok(ExitStatus::Success)
}
