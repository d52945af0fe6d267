//! The harness-target commands that talk to the AgentCore control plane (the `harness`
//! feature): compile the spec into its CreateHarness request, then plan, deploy or destroy it
//! through the shared flow. The logic is in `agentc::harness::{remote, plan, apply}`.

use super::flow::{self, DeployOptions, Source};
use super::harness::load_desired;
use crate::cli::agents::{DestroyArgs, PlanArgs};
use crate::cli::args::{AwsArgs, SpecArgs};
use crate::cli::compile::DeployArgs;
use crate::cli::{CliError, CliResult, ExitStatus, print_stdout, refuse, runtime};
use agentc::harness::apply::{DEFAULT_POLL, HarnessDeployer};
use agentc::harness::http::AgentCoreControl;
use agentc::harness::plan::{Deployment, EndpointSpec};
use agentc::target::Target;
use std::io::IsTerminal;

const TARGET: Target = Target::Harness;

/// The checked spec as a deployment: its CreateHarness request and endpoint.
fn load_deployment(input: &SpecArgs) -> Result<Deployment, CliError> {
    let desired = load_desired(input)?;
    let endpoint = desired.endpoint_name.map(|name| EndpointSpec {
        name,
        description: None,
    });
    Ok(Deployment::from_request(&desired.request, endpoint)?)
}

/// Run one step of the shared flow against the control plane; an error that got no reply
/// names the endpoint it tried.
fn with_deployer<T>(
    aws: &AwsArgs,
    step: impl AsyncFnOnce(&HarnessDeployer<'_, AgentCoreControl>) -> Result<T, CliError>,
) -> Result<T, CliError> {
    runtime()?.block_on(async {
        // A misspelt --profile is an error, not a deploy with whatever credentials are around.
        crate::cli::check_profile(aws).await?;
        let api = AgentCoreControl::connect(aws.region.as_deref(), aws.profile.as_deref()).await;
        let progress = crate::cli::progress::Progress::new(std::io::stderr().is_terminal());
        let report = |message: String| progress.step(message);
        let deployer = HarnessDeployer {
            api: &api,
            progress: &report,
            poll: DEFAULT_POLL,
        };
        let result = step(&deployer).await;
        progress.finish();
        result.map_err(|error| match error {
            CliError::HarnessDeploy(error) => CliError::from(error.at_endpoint(&api.endpoint())),
            error => error,
        })
    })
}

pub fn plan(args: &PlanArgs) -> CliResult {
    refuse(
        args.artifact.is_some(),
        "--artifact",
        TARGET,
        "; it names the file `plan --target direct` compares with",
    )?;
    let desired = load_deployment(&args.input)?;
    with_deployer(&args.aws, async |deployer| {
        flow::plan(deployer, desired, args).await
    })
}

pub fn deploy(args: &DeployArgs) -> CliResult {
    refuse(
        args.check,
        "--check",
        TARGET,
        "; `agentc plan --target harness --detailed-exitcode` tells whether the harness is current",
    )?;
    refuse(
        args.out.is_some(),
        "--out",
        TARGET,
        "; the harness target deploys to the service, not to a file (`agentc compile --target harness --out` writes the request)",
    )?;
    let source = Source::new(TARGET, args.plan.as_deref(), || {
        load_deployment(&args.input)
    })?;
    let options = DeployOptions {
        adopt: args.adopt,
        approved: args.auto_approve,
        check: None,
    };
    let result = with_deployer(&args.aws, async |deployer| {
        flow::deploy(deployer, &source, options).await
    })?;
    if let Some((plan, outcome)) = result {
        let endpoint = outcome
            .endpoint
            .map(|e| {
                format!(
                    "; endpoint `{}` serves version {}",
                    e.name,
                    e.live_version.unwrap_or_else(|| "?".into())
                )
            })
            .unwrap_or_default();
        print_stdout(&format!(
            "\nApply complete! Resources: {} added, {} changed, {} destroyed.\nHarness `{}` ({}) is READY at version {}{endpoint}.\n",
            plan.summary.add,
            plan.summary.change,
            plan.summary.destroy,
            outcome.harness.name,
            outcome.harness.id,
            outcome.harness.version,
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
    let desired = load_deployment(&args.input)?;
    with_deployer(&args.aws, async |deployer| {
        flow::destroy(deployer, &desired, args.auto_approve).await
    })?;
    Ok(ExitStatus::Success)
}
