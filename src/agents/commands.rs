//! The agents-target commands: load, talk to the service, print. The logic is in the stage
//! modules (desired → remote → plan → apply; import; export).

use super::apply::{Applier, PollSettings, Progress};
use super::aws::BedrockAgents;
use super::desired::{DesiredState, desired_state};
use super::error::AgentsError;
use super::plan::{Plan, SavedPlan, plan_deploy, plan_destroy, render_human};
use super::remote;
use crate::cli::agents::{DestroyArgs, ImportArgs, PlanArgs, PlanFormat};
use crate::cli::aws::AwsArgs;
use crate::cli::compile::{CompileArgs, CompileFormat, DeployArgs};
use crate::cli::{ExitStatus, print_error, print_stdout, print_warning, use_color};
use std::io::IsTerminal;
use std::path::Path;

fn runtime() -> Result<tokio::runtime::Runtime, AgentsError> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| AgentsError::Runtime(e.to_string()))
}

/// Load and lint the spec (lint errors stop here), then derive the desired state.
fn load_desired(path: &Path, vars: &[(String, String)]) -> Result<DesiredState, ExitStatus> {
    let loaded =
        crate::direct::commands::load_for_compile(path, vars, crate::target::Target::Agents)?;
    let (spec, agent) = (&loaded.spec, &loaded.agent);
    desired_state(spec, agent, loaded.file.dir()).map_err(|error| {
        print_error(error);
        ExitStatus::Error
    })
}

async fn connect(aws: &AwsArgs) -> BedrockAgents {
    BedrockAgents::connect(aws.region.as_deref(), aws.profile.as_deref()).await
}

fn stdout_color() -> bool {
    use_color(std::io::stdout().is_terminal())
}

fn write_file(path: &Path, text: &str) -> Result<(), AgentsError> {
    std::fs::write(path, text).map_err(|source| AgentsError::Write {
        path: path.to_path_buf(),
        source,
    })
}

pub fn compile(args: &CompileArgs) -> ExitStatus {
    let desired = match load_desired(&args.spec, &args.vars) {
        Ok(desired) => desired,
        Err(status) => return status,
    };
    let value = match args.format {
        CompileFormat::Json => serde_json::to_value(&desired).unwrap_or_default(),
        CompileFormat::Cloudformation | CompileFormat::Terraform => {
            let (export, format) = match args.format {
                CompileFormat::Cloudformation => {
                    (super::export::cloudformation(&desired), "cloudformation")
                }
                _ => (super::export::terraform(&desired), "terraform"),
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
        Some(path) => match write_file(path, &text) {
            Ok(()) => ExitStatus::Success,
            Err(error) => {
                print_error(error);
                ExitStatus::Error
            }
        },
        None => {
            print_stdout(&text);
            ExitStatus::Success
        }
    }
}

pub fn plan(args: &PlanArgs) -> ExitStatus {
    // Terraform's convention: with --detailed-exitcode, 1 is an error and 2 means changes.
    let error_status = if args.detailed_exitcode {
        ExitStatus::Failure
    } else {
        ExitStatus::Error
    };
    let desired = match load_desired(&args.spec, &args.vars) {
        Ok(desired) => desired,
        Err(ExitStatus::Failure) => return ExitStatus::Failure,
        Err(_) => return error_status,
    };
    let result = runtime().and_then(|rt| {
        rt.block_on(async {
            let api = connect(&args.aws).await;
            let remote = remote::read_by_name(&api, &desired.agent.name).await?;
            plan_deploy(&desired, &remote, args.adopt)
        })
    });
    let plan = match result {
        Ok(plan) => plan,
        Err(error) => {
            print_error(error);
            return error_status;
        }
    };
    match args.format {
        PlanFormat::Human => print_stdout(&render_human(&plan, stdout_color())),
        PlanFormat::Json => print_stdout(&format!(
            "{}\n",
            serde_json::to_string_pretty(&plan).unwrap_or_default()
        )),
    }
    if let Some(path) = &args.out {
        let saved = SavedPlan {
            plan: plan.clone(),
            desired,
            adopt: args.adopt,
        };
        let text = serde_json::to_string_pretty(&saved).unwrap_or_default();
        if let Err(error) = write_file(path, &text) {
            print_error(error);
            return error_status;
        }
        eprintln!(
            "Saved the plan to {}; apply it with `agentc deploy {} --target agents --plan {}`.",
            path.display(),
            args.spec.display(),
            path.display()
        );
    }
    if args.detailed_exitcode && plan.has_changes() {
        ExitStatus::Code(2)
    } else {
        ExitStatus::Success
    }
}

fn read_saved_plan(path: &Path) -> Result<SavedPlan, AgentsError> {
    let text = std::fs::read_to_string(path).map_err(|e| AgentsError::PlanFile {
        path: path.to_path_buf(),
        message: e.to_string(),
    })?;
    let saved: SavedPlan = serde_json::from_str(&text).map_err(|e| AgentsError::PlanFile {
        path: path.to_path_buf(),
        message: e.to_string(),
    })?;
    if saved.plan.format_version != super::plan::PLAN_FORMAT_VERSION {
        return Err(AgentsError::PlanFile {
            path: path.to_path_buf(),
            message: format!(
                "plan format version {} is not supported",
                saved.plan.format_version
            ),
        });
    }
    Ok(saved)
}

/// Ask on a terminal; refuse when nobody can answer.
fn confirm(action: &str, auto_approve: bool) -> Result<bool, AgentsError> {
    if auto_approve {
        return Ok(true);
    }
    if !std::io::stdin().is_terminal() {
        return Err(AgentsError::NotConfirmed {
            action: action.to_string(),
        });
    }
    eprint!("\nDo you want to {action}? Only 'yes' will be accepted: ");
    let mut answer = String::new();
    let _ = std::io::stdin().read_line(&mut answer);
    Ok(answer.trim() == "yes")
}

pub fn deploy(args: &DeployArgs) -> ExitStatus {
    let saved = match &args.plan {
        Some(path) => match read_saved_plan(path) {
            Ok(saved) => Some(saved),
            Err(error) => {
                print_error(error);
                return ExitStatus::Error;
            }
        },
        None => None,
    };
    let desired = match &saved {
        Some(saved) => saved.desired.clone(),
        None => match load_desired(&args.spec, &args.vars) {
            Ok(desired) => desired,
            Err(status) => return status,
        },
    };
    let rt = match runtime() {
        Ok(rt) => rt,
        Err(error) => {
            print_error(error);
            return ExitStatus::Error;
        }
    };
    let result = rt.block_on(async {
        let api = connect(&args.aws).await;
        let remote = remote::read_by_name(&api, &desired.agent.name).await?;
        let adopt = args.adopt || saved.as_ref().is_some_and(|s| s.adopt);
        if let (Some(saved), Some(path)) = (&saved, &args.plan) {
            let current = remote.fingerprint();
            if current != saved.plan.fingerprint {
                return Err(AgentsError::StalePlan {
                    path: path.clone(),
                    planned: saved.plan.fingerprint.clone(),
                    current,
                });
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
            api: &api,
            progress: &progress,
            poll: PollSettings::default(),
        };
        let outcome = applier.deploy(&desired, &remote, &plan).await;
        progress.finish();
        outcome.map(|o| Some((plan, o)))
    });
    match result {
        Ok(None) => ExitStatus::Success,
        Ok(Some((plan, outcome))) => {
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
            ExitStatus::Success
        }
        Err(error) => {
            print_error(error);
            ExitStatus::Error
        }
    }
}

pub fn destroy(args: &DestroyArgs) -> ExitStatus {
    let desired = match load_desired(&args.spec, &args.vars) {
        Ok(desired) => desired,
        Err(status) => return status,
    };
    let rt = match runtime() {
        Ok(rt) => rt,
        Err(error) => {
            print_error(error);
            return ExitStatus::Error;
        }
    };
    let result: Result<Option<Plan>, AgentsError> = rt.block_on(async {
        let api = connect(&args.aws).await;
        let remote = remote::read_by_name(&api, &desired.agent.name).await?;
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
            api: &api,
            progress: &progress,
            poll: PollSettings::default(),
        };
        let outcome = applier.destroy(&plan).await;
        progress.finish();
        outcome.map(|()| Some(plan))
    });
    match result {
        Ok(None) => ExitStatus::Success,
        Ok(Some(plan)) => {
            print_stdout(&format!(
                "\nDestroy complete! Resources: {} destroyed.\n",
                plan.summary.destroy
            ));
            ExitStatus::Success
        }
        Err(error) => {
            print_error(error);
            ExitStatus::Error
        }
    }
}

pub fn import(args: &ImportArgs) -> ExitStatus {
    let result = runtime().and_then(|rt| {
        rt.block_on(async {
            let api = connect(&args.aws).await;
            let out_dir = args
                .out
                .as_ref()
                .and_then(|p| p.parent())
                .map(Path::to_path_buf)
                .unwrap_or_else(|| std::path::PathBuf::from("."));
            super::import::import(&api, &args.agent_id, args.alias.as_deref(), &out_dir).await
        })
    });
    let imported = match result {
        Ok(imported) => imported,
        Err(error) => {
            print_error(error);
            return ExitStatus::Error;
        }
    };
    for warning in &imported.warnings {
        print_warning(&format!("import: {warning}"));
    }
    for (path, text) in &imported.files {
        if let Err(error) = write_file(path, text) {
            print_error(error);
            return ExitStatus::Error;
        }
        eprintln!("wrote {}", path.display());
    }
    match &args.out {
        Some(path) => match write_file(path, &imported.yaml) {
            Ok(()) => {
                eprintln!("wrote {}", path.display());
                ExitStatus::Success
            }
            Err(error) => {
                print_error(error);
                ExitStatus::Error
            }
        },
        None => {
            print_stdout(&imported.yaml);
            ExitStatus::Success
        }
    }
}
