//! `agentc run --target harness`: the request goes to the AgentCore harness that `deploy
//! --target harness` created (found by name, like `plan` finds it) or to the one
//! `--harness-arn` names; the answer is printed as it streams in. Calls of inline functions
//! are run here with the spec's local executors; a call that waits for confirmation (or has
//! no executor) is handed back (exit 3) and kept in the session store until a later run
//! answers it with `--session ID --confirm/--deny/--tool-result`.

use super::direct::{SetupError, TerminalConfirm};
use super::run_common::{
    answer_flags, answers_given, note_unknown_events, print_error_line, print_pending_calls,
    refuse_other_targets, spec_dir,
};
use crate::cli::run::RunArgs;
use crate::cli::{CliError, CliResult, ExitStatus, load_checked, print_stdout, runtime};
use agentc::direct::dispatch::Dispatcher;
use agentc::direct::retry::RetryPolicy;
use agentc::direct::runner::match_answers;
use agentc::direct::session::{Pending, Store, Update};
use agentc::direct::trace::Trace;
use agentc::harness::desired::harness_name;
use agentc::harness::http::AgentCoreControl;
use agentc::harness::invoke::validate_session_id;
use agentc::harness::runtime::{
    DEFAULT_QUALIFIER, HarnessRunError, HarnessRuntime, Outcome, Request, RunReport, RunSettings,
    Start,
};
use agentc::models::ModelTable;
use agentc::spec::HarnessTarget;
use agentc::target::Target;
use std::sync::Arc;

const TARGET: Target = Target::Harness;

/// The session store keeps a harness session's paused calls under its own key, apart from
/// the direct target's conversations (the conversation itself lives in the harness).
fn store_key(session: &str) -> String {
    format!("harness:{session}")
}

pub fn run(args: &RunArgs) -> CliResult {
    refuse_other_targets(args, TARGET)?;
    let answers = answers_given(args);
    if args.message.is_none() && !answers && !args.end_session {
        return Err(SetupError::Usage(
            "give a message, or --session ID with --tool-result ID=JSON, --confirm ID or --deny ID (or --session ID --end-session to end a session)"
                .into(),
        )
        .into());
    }
    if args.end_session && args.message.is_none() && args.session.is_none() {
        return Err(SetupError::Usage(
            "--end-session without a message needs --session ID: the session to end".into(),
        )
        .into());
    }
    if answers && args.message.is_some() {
        return Err(SetupError::Usage(
            "answer the paused calls without a message: the harness resumes the paused turn first"
                .into(),
        )
        .into());
    }
    if answers && args.session.is_none() {
        return Err(SetupError::Usage(
            "--tool-result, --confirm and --deny need --session: they answer the paused calls of a harness session".into(),
        )
        .into());
    }
    if let Some(id) = &args.session {
        validate_session_id(id)?;
    }
    let checked = load_checked(
        &args.input.spec,
        &args.input.vars.vars,
        ModelTable::builtin(),
        &[TARGET],
    )?;
    let spec_dir = spec_dir(checked.file.dir());
    let result = runtime()?.block_on(run_async(args, &checked, &spec_dir));
    if let Err(error) = &result {
        print_error_line(args, error);
    }
    result
}

/// The ARN of the runtime behind the harness, whose sessions StopRuntimeSession ends: read
/// from the harness (GetHarness) when it was named by --harness-arn.
async fn runtime_arn(
    args: &RunArgs,
    harness_arn: &str,
    known: Option<String>,
) -> Result<String, CliError> {
    if let Some(arn) = known {
        return Ok(arn);
    }
    let api =
        AgentCoreControl::connect(args.aws.region.as_deref(), args.aws.profile.as_deref()).await;
    let id = harness_arn.rsplit('/').next().unwrap_or(harness_arn);
    let record = agentc::harness::api::HarnessApi::get_harness(&api, id)
        .await
        .map_err(|e| {
            CliError::from(
                agentc::harness::error::DeployError::api("read", id, e)
                    .at_endpoint(&api.endpoint()),
            )
        })?;
    record
        .as_ref()
        .and_then(|r| r.runtime_arn())
        .map(str::to_string)
        .ok_or_else(|| {
            HarnessRunError::NoRuntime {
                harness: harness_arn.to_string(),
            }
            .into()
        })
}

/// End the runtime session (`--end-session`).
async fn end_session(
    args: &RunArgs,
    client: &HarnessRuntime,
    found: &Found,
    session_id: &str,
) -> Result<(), CliError> {
    let runtime = runtime_arn(args, &found.arn, found.runtime_arn.clone()).await?;
    client
        .stop_session(&runtime, &found.qualifier, session_id)
        .await
        .map_err(|e| HarnessRunError::NotStopped {
            session: session_id.to_string(),
            detail: e.to_string(),
        })?;
    Ok(())
}

/// What `locate_harness` found.
pub(crate) struct Found {
    pub(crate) arn: String,
    pub(crate) qualifier: String,
    pub(crate) version: Option<String>,
    /// The runtime behind the harness, when the harness was read.
    pub(crate) runtime_arn: Option<String>,
}

/// Which harness, endpoint and version to invoke: as given, or found by the spec's names.
async fn find_harness(args: &RunArgs, spec: &agentc::spec::Spec) -> Result<Found, CliError> {
    locate_harness(
        args.harness_arn.as_deref(),
        args.qualifier.as_deref(),
        &args.aws,
        spec,
    )
    .await
}

/// The harness ARN, endpoint (qualifier) and version a spec runs on: `harness_arn` as given,
/// or the harness `deploy --target harness` created, found by the spec's name (`agentc
/// serve --target harness` looks its harnesses up the same way).
pub(crate) async fn locate_harness(
    harness_arn: Option<&str>,
    qualifier: Option<&str>,
    aws: &crate::cli::args::AwsArgs,
    spec: &agentc::spec::Spec,
) -> Result<Found, CliError> {
    let spec_endpoint = spec
        .targets
        .harness
        .as_ref()
        .and_then(|h| h.endpoint.clone());
    if let Some(arn) = harness_arn {
        let qualifier = qualifier
            .map(str::to_string)
            .or(spec_endpoint)
            .unwrap_or_else(|| DEFAULT_QUALIFIER.into());
        return Ok(Found {
            arn: arn.to_string(),
            qualifier,
            version: None,
            runtime_arn: None,
        });
    }
    let api = AgentCoreControl::connect(aws.region.as_deref(), aws.profile.as_deref()).await;
    let name = harness_name(&spec.name);
    let endpoint = qualifier.map(str::to_string).or(spec_endpoint);
    // DEFAULT is the service's own endpoint: it always exists and has nothing to read.
    let read_endpoint = endpoint.as_deref().filter(|e| *e != DEFAULT_QUALIFIER);
    let state = agentc::harness::remote::read_by_name(&api, &name, read_endpoint)
        .await
        .map_err(|e| CliError::from(e.at_endpoint(&api.endpoint())))?;
    let Some(remote) = state.harness else {
        return Err(HarnessRunError::HarnessNotFound {
            name,
            endpoint: api.endpoint(),
        }
        .into());
    };
    let runtime_arn = remote.record.runtime_arn().map(str::to_string);
    match read_endpoint {
        None => Ok(Found {
            arn: remote.record.arn,
            qualifier: DEFAULT_QUALIFIER.into(),
            version: Some(remote.record.version),
            runtime_arn,
        }),
        Some(wanted) => match remote.endpoint {
            Some(found) => Ok(Found {
                arn: remote.record.arn,
                qualifier: found.name,
                version: found.live_version,
                runtime_arn,
            }),
            None => Err(HarnessRunError::EndpointNotFound {
                harness: name,
                endpoint: wanted.to_string(),
            }
            .into()),
        },
    }
}

async fn run_async(
    args: &RunArgs,
    checked: &agentc::lint::Checked,
    spec_dir: &std::path::Path,
) -> CliResult {
    let (spec, agent) = (&checked.spec, &checked.agent);
    crate::cli::check_profile(&args.aws).await?;
    let sdk_config =
        agentc::aws::sdk_config(args.aws.region.as_deref(), args.aws.profile.as_deref()).await;
    let mut retry = RetryPolicy::from_env();
    if let Some(seconds) = args.retry_deadline {
        retry.deadline = std::time::Duration::from_secs(seconds);
    }
    let client = HarnessRuntime::new(&sdk_config, retry)?;
    let session_id = args
        .session
        .clone()
        .unwrap_or_else(agentc::harness::invoke::new_session_id);
    if args.end_session && args.message.is_none() && !answers_given(args) {
        let found = find_harness(args, spec).await?;
        end_session(args, &client, &found, &session_id).await?;
        if args.json {
            let line = serde_json::json!({ "session": session_id, "outcome": "session_ended" });
            print_stdout(&format!("{line}\n"));
        } else {
            eprintln!("note: ended harness session `{session_id}`");
        }
        return Ok(ExitStatus::Success);
    }
    let sessions = spec
        .targets
        .direct
        .as_ref()
        .and_then(|d| d.sessions.clone());
    // A named session may hold paused calls: they must be answered before anything else.
    let (store, stored) = match &args.session {
        Some(id) => {
            let sdk = sdk_config.clone();
            let store = Store::open(sessions.as_deref(), move || sdk).await?;
            // Before the first (paid) call: a store that cannot take a pause fails here.
            store.check_writable().await?;
            let stored = store.load(&store_key(id)).await?;
            (Some(store), stored)
        }
        None => (None, None),
    };
    let paused = stored.as_ref().and_then(|s| s.state.pending.clone());
    let start = match (&args.message, paused) {
        (Some(_), Some(pending)) => {
            return Err(SetupError::Usage(format!(
                "harness session `{session_id}` is waiting for answers to the calls {}; answer them with --confirm ID, --deny ID or --tool-result ID=JSON",
                pending
                    .calls
                    .iter()
                    .map(|c| c.tool_use_id.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            ))
            .into());
        }
        (Some(message), None) => Start::Message(message.clone()),
        (None, None) => {
            return Err(SetupError::Usage(format!(
                "harness session `{session_id}` has no calls waiting for answers"
            ))
            .into());
        }
        (None, Some(pending)) => {
            let confirmations = args
                .confirm
                .iter()
                .map(|id| (id.clone(), true))
                .chain(args.deny.iter().map(|id| (id.clone(), false)))
                .collect();
            let answers = match_answers(&pending, args.tool_results.clone(), confirmations)
                .map_err(SetupError::Usage)?;
            Start::Resume { pending, answers }
        }
    };
    let resumed = matches!(start, Start::Resume { .. });
    // The trace is opened before anything is sent: a trace that cannot be written fails
    // here, not after the answer was paid for.
    let trace = args
        .trace
        .as_deref()
        .map(|path| {
            Trace::open_for(path, &args.input.spec, args.force).map(|t| t.for_target(TARGET))
        })
        .transpose()?;
    let found = find_harness(args, spec).await?;
    let (_, names) = agentc::direct::compile(spec, agent, ModelTable::builtin());
    let dispatcher = Arc::new(Dispatcher::new(
        spec,
        agent,
        &names,
        spec_dir,
        Some(sdk_config.clone()),
    ));
    let terminal = TerminalConfirm;
    let request = Request {
        client: &client,
        dispatcher,
        trace: trace.as_ref(),
        settings: RunSettings {
            harness_arn: found.arn.clone(),
            qualifier: found.qualifier.clone(),
            session_id: session_id.clone(),
            agent_name: agent.name.clone(),
            harness_version: found.version.clone(),
            model_id: spec.model.clone(),
            max_rounds: spec
                .targets
                .harness
                .as_ref()
                .map_or(HarnessTarget::DEFAULT_MAX_ITERATIONS, |h| h.max_iterations),
            session_attributes: stored
                .as_ref()
                .map(|s| s.state.session_attributes.clone())
                .unwrap_or_default(),
            prompt_session_attributes: indexmap::IndexMap::new(),
            caller: None,
        },
        // On a terminal agentc asks before a `require_confirmation` call runs; otherwise
        // (a program drives it, or --json) the call goes back to the caller to be confirmed.
        confirm: (!args.json && TerminalConfirm::available())
            .then_some(&terminal as &dyn agentc::direct::runner::Confirm),
        observer: None,
    };
    let streaming = !args.json;
    let mut printed = false;
    let mut on_text = |text: &str| {
        if streaming && !text.is_empty() {
            print_stdout(text);
            printed = true;
        }
    };
    let result = request.run(start, &mut on_text).await;
    if printed {
        // The streamed answer ends its line, even when the stream failed after it.
        print_stdout("\n");
    }
    let report = result?;
    // Keep the paused calls (or clear the ones this run answered) and the Lambdas' session
    // attributes: only after a whole stream, so a cut or failed request leaves the store as
    // it was.
    let pending = match &report.outcome {
        Outcome::ReturnControl { pending } => Some(pending.clone()),
        Outcome::Stopped { .. } => None,
    };
    let attributes_changed = stored
        .as_ref()
        .map_or(!report.session_attributes.is_empty(), |s| {
            s.state.session_attributes != report.session_attributes
        });
    if pending.is_some() || resumed || (attributes_changed && args.session.is_some()) {
        let store = match store {
            Some(store) => store,
            None => {
                let sdk = sdk_config.clone();
                Store::open(sessions.as_deref(), move || sdk).await?
            }
        };
        let update = Update {
            base_version: stored.as_ref().map(|s| s.version),
            resumed,
            appended: Vec::new(),
            session_attributes: report.session_attributes.clone(),
            pending: pending.clone(),
            max_history_bytes: usize::MAX,
            history: None,
        };
        store.save(&store_key(&session_id), &update).await?;
    }
    let status = print_report(args, &report, pending.as_ref());
    if args.end_session {
        // A paused request still waits for answers on this session: ending it would lose them.
        if pending.is_some() {
            eprintln!(
                "note: the session was not ended: it waits for answers to its paused calls (answer them, or end it with --session {session_id} --end-session)"
            );
        } else {
            end_session(args, &client, &found, &session_id).await?;
            if !args.json {
                eprintln!("note: ended harness session `{session_id}`");
            }
        }
    }
    Ok(status)
}

/// What a stop reason means for the user, and the exit status it maps to.
fn explain_stop(stop_reason: &str) -> (ExitStatus, Option<&'static str>) {
    match stop_reason {
        "max_iterations_exceeded" => (
            ExitStatus::Failure,
            Some(
                "the harness stopped at its iteration limit; raise `targets.harness.max_iterations`",
            ),
        ),
        "max_output_tokens_exceeded" => (
            ExitStatus::Failure,
            Some(
                "the harness stopped at its output token limit; raise `targets.harness.max_tokens`",
            ),
        ),
        "timeout_exceeded" => (
            ExitStatus::Failure,
            Some("the harness stopped at its time limit; raise `targets.harness.timeout_seconds`"),
        ),
        "hook_stopped" => (
            ExitStatus::Failure,
            Some("a lifecycle hook of the harness stopped the invocation"),
        ),
        "interrupted" | "partial_turn" => (
            ExitStatus::Failure,
            Some("the harness ended the turn before the model finished; run again"),
        ),
        other => super::direct::explain_stop(other),
    }
}

fn print_report(args: &RunArgs, report: &RunReport, pending: Option<&Pending>) -> ExitStatus {
    let session = &report.session_id;
    let (status, note, outcome) = match (&report.outcome, pending) {
        (Outcome::Stopped { stop_reason }, _) => {
            let (status, note) = explain_stop(stop_reason);
            (status, note.map(str::to_string), stop_reason.as_str())
        }
        (Outcome::ReturnControl { .. }, Some(pending)) => {
            let answers = answer_flags(&pending.calls);
            (
                ExitStatus::WaitingForToolResults,
                Some(format!(
                    "answer with: agentc run {} --target harness --session {session} {answers}",
                    args.input.spec.display()
                )),
                "return_control",
            )
        }
        (Outcome::ReturnControl { .. }, None) => (ExitStatus::Error, None, "return_control"),
    };
    let unknown: u32 = report.unknown_events.iter().map(|(_, n)| n).sum();
    if args.json {
        let mut line = serde_json::json!({
            "session": session,
            "outcome": outcome,
            "text": report.text,
            "usage": report.usage,
            "model_calls": report.model_calls,
            "tool_calls": report.tool_calls,
            "invocations": report.invocations,
            "unknown_events": unknown,
        });
        if let Some(pending) = pending {
            line["pending_tool_calls"] = serde_json::json!(pending.calls);
        }
        print_stdout(&format!("{line}\n"));
        return status;
    }
    if let Some(pending) = pending {
        print_pending_calls(&pending.calls);
    }
    note_unknown_events(&report.unknown_events);
    if let Some(note) = note {
        eprintln!("note: {note}");
    }
    status
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paused_calls_are_kept_apart_from_direct_sessions() {
        assert_eq!(store_key("abc"), "harness:abc");
        assert!(agentc::direct::session::validate_id(&store_key(&"a".repeat(33))).is_ok());
    }
}
