//! The agents-target commands that talk to the service (the `agents` feature): load, call
//! Bedrock Agents, print. The logic is in the stage modules (desired → remote → plan → apply;
//! import). `compile` (no service) is in `export`.

use super::export::load_desired;
use super::flow::{self, DeployOptions, Source};
use crate::cli::agents::{DestroyArgs, ImportArgs, PlanArgs};
use crate::cli::args::AwsArgs;
use crate::cli::compile::DeployArgs;
use crate::cli::progress::Progress;
use crate::cli::{
    CliError, CliResult, ExitStatus, print_stdout, print_warning, refuse, runtime, write_output,
};
use agentc::agents::apply::{Applier, DEFAULT_POLL};
use agentc::agents::aws::BedrockAgents;
use agentc::target::Target;
use std::io::IsTerminal;
use std::path::Path;

const TARGET: Target = Target::Agents;

async fn connect(aws: &AwsArgs) -> Result<BedrockAgents, CliError> {
    crate::cli::check_profile(aws).await?;
    Ok(BedrockAgents::connect(aws.region.as_deref(), aws.profile.as_deref()).await)
}

/// Run `op` against Bedrock Agents; an error that got no reply names the endpoint it tried.
async fn on_agents<T>(
    aws: &AwsArgs,
    op: impl AsyncFnOnce(&BedrockAgents) -> Result<T, CliError>,
) -> Result<T, CliError> {
    let api = connect(aws).await?;
    op(&api).await.map_err(|error| match error {
        CliError::Agents(error) => CliError::from(error.at_endpoint(&api.endpoint())),
        error => error,
    })
}

/// Run one step of the shared flow against Bedrock Agents, with a progress shown on stderr.
fn with_applier<T>(
    aws: &AwsArgs,
    step: impl AsyncFnOnce(&Applier<'_, BedrockAgents>) -> Result<T, CliError>,
) -> Result<T, CliError> {
    runtime()?.block_on(on_agents(aws, async |api| {
        let progress = Progress::new(std::io::stderr().is_terminal());
        let report = |message: String| progress.step(message);
        let applier = Applier {
            api,
            progress: &report,
            poll: DEFAULT_POLL,
        };
        let result = step(&applier).await;
        progress.finish();
        result
    }))
}

pub fn plan(args: &PlanArgs) -> CliResult {
    refuse(
        args.artifact.is_some(),
        "--artifact",
        TARGET,
        "; it names the file `plan --target direct` compares with",
    )?;
    let desired = load_desired(&args.input)?;
    with_applier(&args.aws, async |applier| {
        flow::plan(applier, desired, args).await
    })
}

pub fn deploy(args: &DeployArgs) -> CliResult {
    refuse(
        args.check,
        "--check",
        TARGET,
        "; `agentc plan --target agents --detailed-exitcode` tells whether the agent is current",
    )?;
    refuse(
        args.out.is_some(),
        "--out",
        TARGET,
        "; the agents target deploys to the service, not to a file",
    )?;
    let source = Source::new(TARGET, args.plan.as_deref(), || load_desired(&args.input))?;
    let options = DeployOptions {
        adopt: args.adopt,
        approved: args.auto_approve,
        check: None,
    };
    let result = with_applier(&args.aws, async |applier| {
        flow::deploy(applier, &source, options).await
    })?;
    if let Some((plan, outcome)) = result {
        let alias = outcome
            .alias
            .map(|a| {
                format!(
                    "; alias `{}` ({}) serves version {}",
                    a.name,
                    a.id,
                    a.version.unwrap_or_else(|| "?".into())
                )
            })
            .unwrap_or_default();
        print_stdout(&format!(
            "\nApply complete! Resources: {} added, {} changed, {} destroyed.\nAgent `{}` ({}) is PREPARED{alias}.\n",
            plan.summary.add,
            plan.summary.change,
            plan.summary.destroy,
            source.desired().agent.name,
            outcome.agent_id
        ));
    }
    Ok(ExitStatus::Success)
}

pub fn destroy(args: &DestroyArgs) -> CliResult {
    refuse(
        args.out.is_some(),
        "--out",
        TARGET,
        "; it names the artifact of `destroy --target direct`",
    )?;
    let desired = load_desired(&args.input)?;
    with_applier(&args.aws, async |applier| {
        flow::destroy(applier, &desired, args.auto_approve).await
    })?;
    Ok(ExitStatus::Success)
}

pub fn import(args: &ImportArgs) -> CliResult {
    // Check the spec's path before asking the service and writing the files beside it, so a
    // refusal costs nothing and leaves nothing.
    if let Some(path) = &args.out {
        let options = agentc::fsio::WriteOptions {
            same_kind: Some(&agentc::fsio::spec_text),
            force: args.force,
            ..agentc::fsio::WriteOptions::new("an agent spec")
        };
        agentc::fsio::check_replace(path, &options)?;
    }
    let imported = runtime()?.block_on(async {
        let api = connect(&args.aws).await?;
        let out_dir = args
            .out
            .as_ref()
            .and_then(|p| p.parent())
            .map(Path::to_path_buf)
            .unwrap_or_else(|| std::path::PathBuf::from("."));
        Ok::<_, CliError>(
            agentc::agents::import::import(&api, &args.agent_id, args.alias.as_deref(), &out_dir)
                .await?,
        )
    })?;
    for warning in &imported.warnings {
        print_warning(&format!("import: {warning}"));
    }
    for (path, text) in &imported.files {
        // A prompt or schema file is replaced only by the same text (a re-import), else
        // with --force.
        let same = |head: &[u8]| head == text.as_bytes();
        write_output(
            path,
            text.as_bytes(),
            "the file this import would write",
            None,
            &same,
            args.force,
        )?;
        eprintln!("wrote {}", path.display());
    }
    match &args.out {
        Some(path) => {
            write_output(
                path,
                imported.yaml.as_bytes(),
                "an agent spec",
                None,
                &agentc::fsio::spec_text,
                args.force,
            )?;
            eprintln!("wrote {}", path.display());
        }
        None => print_stdout(&imported.yaml),
    }
    Ok(ExitStatus::Success)
}
