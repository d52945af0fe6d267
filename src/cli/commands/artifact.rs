//! The direct target's local commands: `compile` prints the Converse config, `deploy` writes
//! it as an artifact, `plan` shows what deploy would write, `destroy` removes the artifact.
//! None of them talks to a service, so all of them are in the lean build.

use super::flow::{self, DeployOptions, Source};
use crate::cli::agents::{DestroyArgs, PlanArgs};
use crate::cli::args::{AwsArgs, SpecArgs};
use crate::cli::compile::{CompileArgs, CompileFormat, DeployArgs};
use crate::cli::{CliError, CliResult, ExitStatus, load_checked, print_stdout, refuse};
use agentc::direct::artifact::{self, Artifact, ArtifactDeployer};
use agentc::models::ModelTable;
use agentc::plan::deployer::block_on;
use agentc::target::Target;
use std::path::Path;

const TARGET: Target = Target::Direct;

/// Load a spec for this target: any error-level finding stops here.
pub fn load_for_direct(input: &SpecArgs) -> Result<agentc::lint::Checked, CliError> {
    load_checked(
        &input.spec,
        &input.vars.vars,
        ModelTable::builtin(),
        &[TARGET],
    )
}

/// Load, check and compile a spec for `compile`, `deploy`, `plan` and `destroy`; the check
/// names on stderr what the spec asks of Bedrock Agents that the Converse request cannot carry.
fn compile_spec(input: &SpecArgs) -> Result<(String, agentc::direct::ConverseConfig), CliError> {
    let checked = load_for_direct(input)?;
    let (config, _) = agentc::direct::compile(&checked.spec, &checked.agent, ModelTable::builtin());
    Ok((checked.agent.name.clone(), config))
}

/// The artifact of a spec as `deploy --target direct` writes it: the compiled config at
/// `out`, or at `dist/<name>.converse.json`.
fn artifact_of(input: &SpecArgs, out: Option<&Path>) -> Result<Artifact, CliError> {
    let (agent_name, config) = compile_spec(input)?;
    let path = out.map_or_else(|| artifact::default_path(&agent_name), Path::to_path_buf);
    Ok(Artifact::new(&agent_name, path, &config))
}

/// The artifact commands work on local files: AWS flags would be silently ignored.
fn refuse_aws(aws: &AwsArgs) -> Result<(), CliError> {
    const LOCAL: &str = "; it only writes and reads a local file";
    refuse(aws.region.is_some(), "--region", TARGET, LOCAL)?;
    refuse(aws.profile.is_some(), "--profile", TARGET, LOCAL)
}

fn refuse_format(format: CompileFormat) -> Result<(), CliError> {
    refuse(
        format != CompileFormat::Json,
        format.flag(),
        TARGET,
        "; it compiles to a Converse request config (JSON)",
    )
}

pub fn compile(args: &CompileArgs) -> CliResult {
    refuse_format(args.format)?;
    let (_, config) = compile_spec(&args.input)?;
    let mut text = serde_json::to_string_pretty(&config).unwrap_or_default();
    text.push('\n');
    match &args.out {
        Some(path) => {
            let protected = [agentc::fsio::Protected {
                path: args.input.spec.clone(),
                what: "the input spec".to_string(),
            }];
            let options = agentc::fsio::WriteOptions {
                protected: &protected,
                ..agentc::fsio::WriteOptions::new("a Converse request config")
            };
            agentc::fsio::write_file(path, text.as_bytes(), &options)?;
        }
        None => print_stdout(&text),
    }
    Ok(ExitStatus::Success)
}

pub fn deploy(args: &DeployArgs) -> CliResult {
    const NO_SERVICE: &str = "; it writes a local file, with no service to confirm or adopt";
    refuse(args.auto_approve, "--auto-approve", TARGET, NO_SERVICE)?;
    refuse(args.adopt, "--adopt", TARGET, NO_SERVICE)?;
    refuse(
        args.plan.is_some() && args.out.is_some(),
        "--out",
        TARGET,
        " with --plan; the saved plan names the artifact it writes",
    )?;
    refuse_aws(&args.aws)?;
    let source = Source::new(TARGET, args.plan.as_deref(), || {
        artifact_of(&args.input, args.out.as_deref())
    })?;
    let options = DeployOptions {
        adopt: false,
        approved: true,
        check: args.check.then_some(args.input.spec.as_path()),
    };
    let written = block_on(flow::deploy(&ArtifactDeployer, &source, options))?;
    if let Some((_, path)) = written {
        print_stdout(&format!("Wrote {}.\n", path.display()));
    }
    Ok(ExitStatus::Success)
}

/// `plan --target direct`: what `deploy --target direct` would write, read-only.
pub fn plan(args: &PlanArgs) -> CliResult {
    refuse(
        args.adopt,
        "--adopt",
        TARGET,
        "; there is no remote agent to take over",
    )?;
    refuse_aws(&args.aws)?;
    let desired = artifact_of(&args.input, args.artifact.as_deref())?;
    block_on(flow::plan(&ArtifactDeployer, desired, args))
}

/// `destroy --target direct`: remove the artifact that deploy wrote, and only an agentc
/// artifact (see `agentc::direct::artifact`); no file is nothing to destroy.
pub fn destroy(args: &DestroyArgs) -> CliResult {
    refuse(
        args.auto_approve,
        "--auto-approve",
        TARGET,
        "; it removes a local file without asking",
    )?;
    refuse_aws(&args.aws)?;
    let desired = artifact_of(&args.input, args.out.as_deref())?;
    block_on(flow::destroy(&ArtifactDeployer, &desired, true))?;
    Ok(ExitStatus::Success)
}
