//! The one plan/deploy/destroy flow, written once over the library's deploy seam
//! ([`agentc::plan::Deployer`]): read the remote, plan, show the plan, ask, apply. A target's
//! handler builds its deployer and desired state, calls these, and prints its closing line.

use crate::cli::agents::{PlanArgs, PlanFormat};
use crate::cli::{CliError, CliResult, ExitStatus, print_stdout, use_color};
use agentc::agents::error::AgentsError;
use agentc::plan::deployer as seam;
use agentc::plan::{Deployer, Plan, PlanOptions, SavedPlan};
use agentc::target::Target;
use std::io::IsTerminal;
use std::path::{Path, PathBuf};

fn stdout_color() -> bool {
    use_color(std::io::stdout().is_terminal())
}

fn show(plan: &Plan) {
    print_stdout(&agentc::plan::render::human(plan, stdout_color()));
}

/// Ask on a terminal; refuse when nobody can answer.
fn confirm(action: &str) -> Result<bool, CliError> {
    if !std::io::stdin().is_terminal() {
        return Err(AgentsError::NotConfirmed {
            action: action.to_string(),
        }
        .into());
    }
    eprint!("\nDo you want to {action}? Only 'yes' will be accepted: ");
    let mut answer = String::new();
    let _ = std::io::stdin().read_line(&mut answer);
    Ok(answer.trim() == "yes")
}

/// `agentc plan`: the plan as text or JSON, saved with `--out`; with `--detailed-exitcode`, 2
/// when there are changes.
pub async fn plan<D: Deployer>(deployer: &D, desired: D::Desired, args: &PlanArgs) -> CliResult
where
    CliError: From<D::Error>,
{
    // `-out` is checked before the service is asked, so a refused path costs nothing.
    let protected = args
        .out
        .as_ref()
        .map(|_| agentc::fsio::the_spec(&args.input.spec));
    let write = agentc::fsio::WriteOptions {
        protected: protected.as_slice(),
        same_kind: Some(&SavedPlan::<D::Desired>::is_saved_plan),
        force: args.force,
        ..agentc::fsio::WriteOptions::new("a saved plan")
    };
    if let Some(path) = &args.out {
        agentc::fsio::check_replace(path, &write)?;
    }
    let options = PlanOptions { adopt: args.adopt };
    let (_, plan) = seam::plan_deploy(deployer, &desired, options).await?;
    match args.format {
        PlanFormat::Human => show(&plan),
        PlanFormat::Json => print_stdout(&plan.to_json()),
    }
    if let Some(path) = &args.out {
        let saved = SavedPlan {
            plan: plan.clone(),
            desired,
            adopt: args.adopt,
        };
        crate::cli::write_output(
            path,
            saved.to_json().as_bytes(),
            "a saved plan",
            Some(&args.input.spec),
            &SavedPlan::<D::Desired>::is_saved_plan,
            args.force,
        )?;
        eprintln!(
            "Saved the plan to {}; apply it with `agentc deploy {} --target {} --plan {}`.",
            path.display(),
            args.input.spec.display(),
            D::TARGET,
            path.display()
        );
    }
    Ok(if args.detailed_exitcode && plan.has_changes() {
        ExitStatus::ChangesPresent
    } else {
        ExitStatus::Success
    })
}

/// Where a deploy's desired state comes from.
pub enum Source<T> {
    /// Derived from the spec now.
    Spec(T),
    /// A plan saved by `plan --out`, reviewed when it was made.
    Saved(PathBuf, SavedPlan<T>),
}

impl<T: serde::Serialize + serde::de::DeserializeOwned> Source<T> {
    /// The saved plan at `plan` if one is given, else what `from_spec` derives.
    pub fn new(
        target: Target,
        plan: Option<&Path>,
        from_spec: impl FnOnce() -> Result<T, CliError>,
    ) -> Result<Self, CliError> {
        Ok(match plan {
            Some(path) => Source::Saved(path.to_path_buf(), SavedPlan::read(path, target)?),
            None => Source::Spec(from_spec()?),
        })
    }

    pub fn desired(&self) -> &T {
        match self {
            Source::Spec(desired) | Source::Saved(_, SavedPlan { desired, .. }) => desired,
        }
    }
}

/// How a deploy may proceed once the plan is shown.
pub struct DeployOptions<'a> {
    pub adopt: bool,
    /// Already approved (`--auto-approve`, or a target that asks nobody): do not ask.
    pub approved: bool,
    /// `--check`: never apply; a plan with changes is a failure naming this spec.
    pub check: Option<&'a Path>,
}

/// `agentc deploy`: plan (a saved plan only while the remote is unchanged), show it, stop for
/// `--check`, ask, apply. `None` when there was nothing to do or the user declined.
pub async fn deploy<D: Deployer>(
    deployer: &D,
    source: &Source<D::Desired>,
    options: DeployOptions<'_>,
) -> Result<Option<(Plan, D::Applied)>, CliError>
where
    CliError: From<D::Error>,
{
    let plan_options = PlanOptions {
        adopt: options.adopt,
    };
    let (remote, plan) = match source {
        Source::Spec(desired) => seam::plan_deploy(deployer, desired, plan_options).await?,
        Source::Saved(path, saved) => seam::plan_saved(deployer, path, saved, plan_options).await?,
    };
    show(&plan);
    if !plan.has_changes() {
        return Ok(None);
    }
    if let Some(spec) = options.check {
        return Err(CliError::Stale {
            resource: plan
                .changes
                .first()
                .map_or_else(|| plan.root.clone(), |c| c.name.clone()),
            spec: spec.to_path_buf(),
            target: D::TARGET,
        });
    }
    // A saved plan was reviewed when it was made.
    let approved = options.approved || matches!(source, Source::Saved(..));
    if !approved && !confirm("perform these actions")? {
        eprintln!("Deploy cancelled.");
        return Ok(None);
    }
    let applied = deployer.apply(source.desired(), &remote, &plan).await?;
    Ok(Some((plan, applied)))
}

/// `agentc destroy`: plan the destruction, show it, ask, destroy. The plan, when carried out.
pub async fn destroy<D: Deployer>(
    deployer: &D,
    desired: &D::Desired,
    approved: bool,
) -> Result<Option<Plan>, CliError>
where
    CliError: From<D::Error>,
{
    let (remote, plan) = seam::plan_destroy(deployer, desired).await?;
    show(&plan);
    if !plan.has_changes() {
        return Ok(None);
    }
    if !approved && !confirm("destroy these resources")? {
        eprintln!("Destroy cancelled.");
        return Ok(None);
    }
    deployer.destroy(&remote, &plan).await?;
    print_stdout(&format!(
        "\nDestroy complete! Resources: {} destroyed.\n",
        plan.summary.destroy
    ));
    Ok(Some(plan))
}
