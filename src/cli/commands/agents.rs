//! The agents-target commands: load, talk to the service, print. The logic is in the stage
//! modules (desired → remote → plan → apply; import; export).

use crate::cli::agents::{DestroyArgs, ImportArgs, PlanArgs, PlanFormat};
use crate::cli::args::{AwsArgs, SpecArgs};
use crate::cli::compile::{CompileArgs, CompileFormat, DeployArgs};
use crate::cli::{
    CliError, CliResult, ExitStatus, load_checked, print_stdout, print_warning, refuse, runtime,
    use_color,
};
use agentc::agents::apply::{Applier, PollSettings, Progress};
use agentc::agents::aws::BedrockAgents;
use agentc::agents::desired::{DesiredState, desired_state};
use agentc::agents::error::AgentsError;
use agentc::agents::plan::{Plan, SavedPlan, plan_deploy, plan_destroy, render_human};
use agentc::agents::remote;
use agentc::models::ModelTable;
use agentc::target::Target;
use std::io::IsTerminal;
use std::path::Path;

const TARGET: Target = Target::Agents;

/// Load and check the spec for this target (error-level findings stop here), then derive the
/// desired state.
fn load_desired(input: &SpecArgs) -> Result<DesiredState, CliError> {
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

async fn connect(aws: &AwsArgs) -> BedrockAgents {
    BedrockAgents::connect(aws.region.as_deref(), aws.profile.as_deref()).await
}

/// Run `op` against Bedrock Agents; an error that got no reply names the endpoint it tried.
async fn on_agents<T>(
    aws: &AwsArgs,
    op: impl AsyncFnOnce(&BedrockAgents) -> Result<T, CliError>,
) -> Result<T, CliError> {
    let api = connect(aws).await;
    op(&api).await.map_err(|error| match error {
        CliError::Agents(error) => CliError::from(error.at_endpoint(&api.endpoint())),
        error => error,
    })
}

fn stdout_color() -> bool {
    use_color(std::io::stdout().is_terminal())
}

fn write_file(path: &Path, text: &str) -> Result<(), CliError> {
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

pub fn plan(args: &PlanArgs) -> CliResult {
    let desired = load_desired(&args.input)?;
    let plan = runtime()?.block_on(on_agents(&args.aws, async |api| {
        let remote = remote::read_by_name(api, &desired.agent.name).await?;
        Ok(plan_deploy(&desired, &remote, args.adopt)?)
    }))?;
    match args.format {
        PlanFormat::Human => print_stdout(&render_human(&plan, stdout_color())),
        PlanFormat::Json => print_stdout(&format!("{}\n", pretty_json(&plan))),
    }
    if let Some(path) = &args.out {
        let saved = SavedPlan {
            plan: plan.clone(),
            desired,
            adopt: args.adopt,
        };
        write_file(path, &pretty_json(&saved))?;
        eprintln!(
            "Saved the plan to {}; apply it with `agentc deploy {} --target agents --plan {}`.",
            path.display(),
            args.input.spec.display(),
            path.display()
        );
    }
    Ok(if args.detailed_exitcode && plan.has_changes() {
        ExitStatus::ChangesPresent
    } else {
        ExitStatus::Success
    })
}

fn read_saved_plan(path: &Path) -> Result<SavedPlan, CliError> {
    let text = std::fs::read_to_string(path).map_err(|e| AgentsError::PlanFile {
        path: path.to_path_buf(),
        message: e.to_string(),
    })?;
    let saved: SavedPlan = serde_json::from_str(&text).map_err(|e| AgentsError::PlanFile {
        path: path.to_path_buf(),
        message: e.to_string(),
    })?;
    if saved.plan.format_version != agentc::agents::plan::PLAN_FORMAT_VERSION {
        return Err(AgentsError::PlanFile {
            path: path.to_path_buf(),
            message: format!(
                "plan format version {} is not supported",
                saved.plan.format_version
            ),
        }
        .into());
    }
    Ok(saved)
}

/// Ask on a terminal; refuse when nobody can answer.
fn confirm(action: &str, auto_approve: bool) -> Result<bool, CliError> {
    if auto_approve {
        return Ok(true);
    }
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
    let saved = args.plan.as_deref().map(read_saved_plan).transpose()?;
    let desired = match &saved {
        Some(saved) => saved.desired.clone(),
        None => load_desired(&args.input)?,
    };
    let result = runtime()?.block_on(on_agents(&args.aws, async |api| {
        let remote = remote::read_by_name(api, &desired.agent.name).await?;
        let adopt = args.adopt || saved.as_ref().is_some_and(|s| s.adopt);
        if let (Some(saved), Some(path)) = (&saved, &args.plan) {
            let current = remote.fingerprint();
            if current != saved.plan.fingerprint {
                return Err(AgentsError::StalePlan {
                    path: path.clone(),
                    planned: saved.plan.fingerprint.clone(),
                    current,
                }
                .into());
            }
        }
        let plan = plan_deploy(&desired, &remote, adopt)?;
        print_stdout(&render_human(&plan, stdout_color()));
        if !plan.has_changes() {
            return Ok(None);
        }
        // A saved plan was reviewed when it was made.
        if !confirm(
            "perform these actions",
            args.auto_approve || saved.is_some(),
        )? {
            eprintln!("Deploy cancelled.");
            return Ok(None);
        }
        let progress = Progress::new(std::io::stderr().is_terminal());
        let applier = Applier {
            api,
            progress: &progress,
            poll: PollSettings::default(),
        };
        let outcome = applier.deploy(&desired, &remote, &plan).await;
        progress.finish();
        Ok(Some((plan, outcome?)))
    }))?;
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
            desired.agent.name,
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
    let destroyed: Option<Plan> = runtime()?.block_on(on_agents(&args.aws, async |api| {
        let remote = remote::read_by_name(api, &desired.agent.name).await?;
        let plan = plan_destroy(&desired.agent.name, &remote)?;
        print_stdout(&render_human(&plan, stdout_color()));
        if !plan.has_changes() {
            return Ok(None);
        }
        if !confirm("destroy these resources", args.auto_approve)? {
            eprintln!("Destroy cancelled.");
            return Ok(None);
        }
        let progress = Progress::new(std::io::stderr().is_terminal());
        let applier = Applier {
            api,
            progress: &progress,
            poll: PollSettings::default(),
        };
        let outcome = applier.destroy(&plan).await;
        progress.finish();
        outcome?;
        Ok(Some(plan))
    }))?;
    if let Some(plan) = destroyed {
        print_stdout(&format!(
            "\nDestroy complete! Resources: {} destroyed.\n",
            plan.summary.destroy
        ));
    }
    Ok(ExitStatus::Success)
}

pub fn import(args: &ImportArgs) -> CliResult {
    let imported = runtime()?.block_on(async {
        let api = connect(&args.aws).await;
        let out_dir = args
            .out
            .as_ref()
            .and_then(|p| p.parent())
            .map(Path::to_path_buf)
            .unwrap_or_else(|| std::path::PathBuf::from("."));
        agentc::agents::import::import(&api, &args.agent_id, args.alias.as_deref(), &out_dir).await
    })?;
    for warning in &imported.warnings {
        print_warning(&format!("import: {warning}"));
    }
    for (path, text) in &imported.files {
        write_file(path, text)?;
        eprintln!("wrote {}", path.display());
    }
    match &args.out {
        Some(path) => {
            write_file(path, &imported.yaml)?;
            eprintln!("wrote {}", path.display());
        }
        None => print_stdout(&imported.yaml),
    }
    Ok(ExitStatus::Success)
}
