//! `agentc run --target agents`: the request goes to the Bedrock Agent that `deploy --target
//! agents` created (found by name, like `plan` finds it) or to the one `--agent-id` and
//! `--agent-alias-id` name; the answer is printed as it streams in.

use super::run_common::{
    answer_flags, answers_given, note_unknown_events, print_error_line, print_pending_calls,
    refuse_other_targets, spec_dir,
};
use crate::cli::run::RunArgs;
use crate::cli::{CliError, CliResult, ExitStatus, load_checked, print_stdout, runtime};
use agentc::agents::aws::BedrockAgents;
use agentc::agents::runtime::{AgentRunError, AgentRuntime, Request, RunReport, RunSettings};
use agentc::direct::dispatch::Dispatcher;
use agentc::direct::retry::RetryPolicy;
use agentc::direct::runner::match_answers;
use agentc::direct::session::{Store, Update};
use agentc::direct::trace::Trace;
use agentc::models::ModelTable;
use agentc::target::Target;

const TARGET: Target = Target::Agents;

pub fn run(args: &RunArgs) -> CliResult {
    refuse_other_targets(args, TARGET)?;
    let answers = answers_given(args);
    if answers && (args.session.is_none() || args.message.is_some()) {
        return Err(crate::cli::commands::direct::SetupError::Usage(
            "--tool-result, --confirm and --deny answer the calls a run handed back: give them with --session ID and no message".into(),
        )
        .into());
    }
    if args.message.is_none() && !args.end_session && !answers {
        return Err(crate::cli::commands::direct::SetupError::Usage(
            "give a message (or --session ID --end-session to end a session)".into(),
        )
        .into());
    }
    if args.message.is_none() && args.session.is_none() && !answers {
        return Err(crate::cli::commands::direct::SetupError::Usage(
            "--end-session without a message needs --session ID: the session to end".into(),
        )
        .into());
    }
    if let Some(id) = &args.session {
        agentc::direct::session::validate_id(id)?;
    }
    let checked = load_checked(
        &args.input.spec,
        &args.input.vars.vars,
        ModelTable::builtin(),
        &[TARGET],
    )?;
    let spec_dir = spec_dir(checked.file.dir());
    let result = runtime()?.block_on(run_async(args, &checked, &spec_dir));
    match result {
        Ok(report) => Ok(print_report(args, &report)),
        Err(error) => {
            print_error_line(args, &error);
            Err(error)
        }
    }
}

/// The agent and alias ids to invoke: as given, or found by the spec's names.
async fn find_ids(
    args: &RunArgs,
    spec: &agentc::spec::Spec,
    name: &str,
) -> Result<(String, String), CliError> {
    if let (Some(agent), Some(alias)) = (&args.agent_id, &args.agent_alias_id) {
        return Ok((agent.clone(), alias.clone()));
    }
    let api = BedrockAgents::connect(args.aws.region.as_deref(), args.aws.profile.as_deref()).await;
    let state = match &args.agent_id {
        Some(id) => agentc::agents::remote::read_by_id(&api, id).await,
        None => agentc::agents::remote::read_by_name(&api, name).await,
    }
    .map_err(|e| CliError::from(e.at_endpoint(&api.endpoint())))?;
    let Some(remote) = state.agent else {
        return Err(AgentRunError::AgentNotFound {
            name: args.agent_id.clone().unwrap_or_else(|| name.to_string()),
            endpoint: api.endpoint(),
        }
        .into());
    };
    let agent_id = remote.record.id.clone();
    if let Some(alias) = &args.agent_alias_id {
        return Ok((agent_id, alias.clone()));
    }
    let alias_name = spec
        .targets
        .agents
        .as_ref()
        .and_then(|a| a.alias.clone())
        .ok_or(AgentRunError::NoAlias)?;
    match remote.aliases.iter().find(|a| a.name == alias_name) {
        Some(alias) => Ok((agent_id, alias.id.clone())),
        None => Err(AgentRunError::AliasNotFound {
            agent: name.to_string(),
            alias: alias_name,
            available: if remote.aliases.is_empty() {
                "none".into()
            } else {
                remote
                    .aliases
                    .iter()
                    .map(|a| a.name.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            },
        }
        .into()),
    }
}

async fn run_async(
    args: &RunArgs,
    checked: &agentc::lint::Checked,
    spec_dir: &std::path::Path,
) -> Result<RunReport, CliError> {
    let (spec, agent) = (&checked.spec, &checked.agent);
    // A misspelt --profile is an error, not a run with whatever credentials are around.
    crate::cli::check_profile(&args.aws).await?;
    let sdk_config =
        agentc::aws::sdk_config(args.aws.region.as_deref(), args.aws.profile.as_deref()).await;
    let client = AgentRuntime::new(&sdk_config, RetryPolicy::from_env())?;
    // The trace is opened before anything is sent: a trace that cannot be written fails
    // here, not after the answer was paid for.
    let trace = args
        .trace
        .as_deref()
        .map(|path| Trace::open(path).map(|t| t.for_target(TARGET)))
        .transpose()?;
    // Answers to a stored pause: matched to its calls before anything is sent.
    let (store, base_version, resume) =
        if args.tool_results.is_empty() && args.confirm.is_empty() && args.deny.is_empty() {
            (None, None, None)
        } else {
            // `run` refuses answers without --session before anything is loaded.
            let Some(id) = args.session.clone() else {
                return Err(crate::cli::commands::direct::SetupError::Usage(
                    "--tool-result, --confirm and --deny need --session".into(),
                )
                .into());
            };
            let store = open_store(spec, &sdk_config).await?;
            let stored = store.load(&store_key(&id)).await?;
            let Some((pending, version)) = stored.and_then(|s| Some((s.state.pending?, s.version)))
            else {
                return Err(crate::cli::commands::direct::SetupError::Usage(format!(
                    "agents session `{id}` has no calls waiting for answers"
                ))
                .into());
            };
            let confirmations = args
                .confirm
                .iter()
                .map(|id| (id.clone(), true))
                .chain(args.deny.iter().map(|id| (id.clone(), false)))
                .collect();
            let answers = match_answers(&pending, args.tool_results.clone(), confirmations)
                .map_err(crate::cli::commands::direct::SetupError::Usage)?;
            (Some(store), Some(version), Some((pending, answers)))
        };
    let (agent_id, alias_id) = find_ids(args, spec, &agent.name).await?;
    let (_, names) = agentc::direct::compile(spec, agent, ModelTable::builtin());
    let dispatcher = Dispatcher::new(spec, agent, &names, spec_dir, Some(sdk_config.clone()));
    let default_model = spec
        .targets
        .agents
        .as_ref()
        .and_then(|a| a.orchestrator.clone())
        .unwrap_or_else(|| spec.model.clone());
    let request = Request {
        confirm: &ask_to_confirm,
        client: &client,
        dispatcher: &dispatcher,
        agent,
        names: &names,
        trace: trace.as_ref(),
        settings: RunSettings {
            agent_id,
            alias_id,
            session_id: args.session.clone().unwrap_or_else(new_session_id),
            // Trace events carry usage, and also every rendered prompt: ask for them only
            // when something records them.
            enable_trace: trace.is_some() || args.json,
            end_session: args.end_session,
            retry_sessions: args.retry_session,
            agent_name: agent.name.clone(),
            default_model,
        },
    };
    let streaming = !args.json;
    let mut printed = false;
    let mut on_text = |text: &str| {
        if streaming && !text.is_empty() {
            print_stdout(text);
            printed = true;
        }
    };
    let result = match resume {
        Some((pending, answers)) => request.run_resumed(pending, answers, &mut on_text).await,
        None => request.run(args.message.as_deref(), &mut on_text).await,
    };
    if printed {
        // The streamed answer ends its line, even when the stream failed after it.
        print_stdout("\n");
    }
    let report = result?;
    // Keep the handed-back calls (or clear the ones this run answered), only after a whole
    // request: a failed one leaves the store as it was.
    if report.paused.is_some() || base_version.is_some() {
        let store = match store {
            Some(store) => store,
            None => open_store(spec, &sdk_config).await?,
        };
        let update = Update {
            base_version,
            resumed: base_version.is_some(),
            appended: Vec::new(),
            session_attributes: indexmap::IndexMap::new(),
            pending: report.paused.clone(),
            max_history_bytes: usize::MAX,
            history: None,
        };
        store.save(&store_key(&report.session_id), &update).await?;
    }
    Ok(report)
}

/// The session store keeps an agents session's handed-back calls under its own key (the
/// conversation itself lives in the service).
fn store_key(session: &str) -> String {
    format!("agents:{session}")
}

async fn open_store(
    spec: &agentc::spec::Spec,
    sdk_config: &aws_config::SdkConfig,
) -> Result<Store, CliError> {
    let sessions = spec
        .targets
        .direct
        .as_ref()
        .and_then(|d| d.sessions.clone());
    let sdk = sdk_config.clone();
    Ok(Store::open(sessions.as_deref(), move || sdk).await?)
}

/// Ask on the terminal whether a call that needs confirmation may run; off a terminal
/// nobody can be asked.
fn ask_to_confirm(label: &str, input: &serde_json::Value) -> Option<bool> {
    use std::io::{BufRead, IsTerminal, Write};
    if !std::io::stdin().is_terminal() || !std::io::stderr().is_terminal() {
        return None;
    }
    let mut stderr = std::io::stderr().lock();
    let _ = write!(
        stderr,
        "\nThe agent wants to run {label} with {input}. Run it? [y/N] "
    );
    let _ = stderr.flush();
    let mut answer = String::new();
    std::io::stdin().lock().read_line(&mut answer).ok()?;
    Some(matches!(answer.trim(), "y" | "Y" | "yes" | "Yes"))
}

fn new_session_id() -> String {
    let millis = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis());
    format!("run-{millis}-{}", std::process::id())
}

fn print_report(args: &RunArgs, report: &RunReport) -> ExitStatus {
    if let Some(pending) = &report.paused {
        return print_paused(args, report, pending);
    }
    if args.json {
        let line = serde_json::json!({
            "session": report.session_id,
            "outcome": "answered",
            "text": report.text,
            "usage": report.usage,
            "model_calls": report.model_calls,
            "tool_calls": report.tool_calls,
            "service_tool_calls": report.service_tool_calls,
            "invocations": report.invocations,
            "attempts": report.attempts,
            "unknown_events": report.unknown_events.iter().map(|(_, n)| n).sum::<u32>(),
        });
        print_stdout(&format!("{line}\n"));
        return ExitStatus::Success;
    }
    if report.attempts > 1 {
        eprintln!(
            "note: answered on attempt {} in the new session `{}` (continue it with --session {})",
            report.attempts, report.session_id, report.session_id
        );
    }
    note_unknown_events(&report.unknown_events);
    if report.files > 0 {
        eprintln!(
            "note: the agent produced {} file(s); agentc does not save them",
            report.files
        );
    }
    ExitStatus::Success
}

/// The calls handed back, and how to answer them (exit 3).
fn print_paused(
    args: &RunArgs,
    report: &RunReport,
    pending: &agentc::direct::session::Pending,
) -> ExitStatus {
    if args.json {
        let line = serde_json::json!({
            "session": report.session_id,
            "outcome": "return_control",
            "text": report.text,
            "usage": report.usage,
            "model_calls": report.model_calls,
            "tool_calls": report.tool_calls,
            "invocations": report.invocations,
            "pending_tool_calls": pending.calls,
        });
        print_stdout(&format!("{line}\n"));
        return ExitStatus::WaitingForToolResults;
    }
    print_pending_calls(&pending.calls);
    let ids = match (&args.agent_id, &args.agent_alias_id) {
        (Some(agent), Some(alias)) => format!(" --agent-id {agent} --agent-alias-id {alias}"),
        _ => String::new(),
    };
    let answers = answer_flags(&pending.calls);
    eprintln!(
        "note: answer with: agentc run {} --target agents{ids} --session {} {answers}",
        args.input.spec.display(),
        report.session_id
    );
    ExitStatus::WaitingForToolResults
}
