//! `agentc run`: the agent run through the Converse API with agentc's loop (the `direct`
//! feature). The direct target's local commands are in `artifact`.

use super::artifact::load_for_direct;
use super::run_common::{
    answer_flags, answers_given, print_error_line, print_pending_calls, refuse_other_targets,
    spec_dir,
};
use crate::cli::run::RunArgs;
use crate::cli::{CliResult, ExitStatus, print_stdout, runtime};
use agentc::direct::dispatch::Dispatcher;
use agentc::direct::prepare;
use agentc::direct::retry::RetryPolicy;
use agentc::direct::runner::{Outcome, Report, Runner, TurnInput};
use agentc::direct::session;
use agentc::direct::trace::Trace;
use agentc::models::ModelTable;
use agentc::target::Target;
use std::sync::Arc;

/// Errors of `agentc run` outside the loop itself.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
pub enum SetupError {
    #[error("{0}")]
    #[diagnostic(code(agentc::run::usage))]
    Usage(String),
    #[error("no AWS Region is configured")]
    #[diagnostic(
        code(agentc::run::region),
        help("pass --region, set AWS_REGION, or set `region` in your AWS profile")
    )]
    NoRegion,
    #[error("the compiled config cannot be sent: {0}")]
    #[diagnostic(code(agentc::run::config))]
    Config(String),
}

const TARGET: Target = Target::Direct;

pub fn run(args: &RunArgs) -> CliResult {
    refuse_other_targets(args, TARGET)?;
    let answers = answers_given(args);
    if args.message.is_none() && !answers {
        return Err(SetupError::Usage(
            "give a message, or --session ID with --tool-result ID=JSON, --confirm ID or --deny ID"
                .into(),
        )
        .into());
    }
    if answers && args.session.is_none() {
        let message = if args.tool_results.is_empty() {
            "--confirm and --deny need --session: they answer the calls of a stored session"
        } else {
            "--tool-result needs --session: results answer the calls of a stored session"
        };
        return Err(SetupError::Usage(message.into()).into());
    }
    if let Some(id) = &args.session {
        session::validate_id(id)?;
    }
    let checked = load_for_direct(&args.input)?;
    let runtime = runtime()?;
    let spec_dir = spec_dir(checked.file.dir());
    let result = runtime.block_on(run_async(args, &checked.spec, &checked.agent, &spec_dir));
    if let Err(error) = &result {
        print_error_line(args, error);
    }
    result
}

async fn run_async(
    args: &RunArgs,
    spec: &agentc::spec::Spec,
    agent: &agentc::spec::Agent,
    spec_dir: &std::path::Path,
) -> CliResult {
    let models = ModelTable::builtin();
    let (config, names) = agentc::direct::compile(spec, agent, models);
    let session_id = args.session.clone().unwrap_or_else(ephemeral_session_id);
    let stored_session = args.session.as_deref();
    let direct = spec.targets.direct.clone().unwrap_or_default();

    crate::cli::check_profile(&args.aws).await?;
    let sdk_config =
        agentc::aws::sdk_config(args.aws.region.as_deref(), args.aws.profile.as_deref()).await;
    if sdk_config.region().is_none() {
        return Err(SetupError::NoRegion.into());
    }
    let mut retry = RetryPolicy::from_env();
    if let Some(seconds) = args.retry_deadline {
        retry.deadline = std::time::Duration::from_secs(seconds);
    }
    let model = prepare::model_client(&sdk_config, &config, retry)
        .map_err(|e| SetupError::Config(e.to_string()))?;
    let history_budget = prepare::history_budget(spec, &config, models);
    let settings = prepare::settings(spec, agent, &session_id, history_budget, models);

    let store = match stored_session {
        None => None,
        Some(_) => {
            let sdk = sdk_config.clone();
            Some(session::Store::open(direct.sessions.as_deref(), move || sdk).await?)
        }
    };
    // Before the first (paid) model call: a store that cannot take the save fails here.
    if let Some(store) = &store {
        store.check_writable().await?;
    }
    let (state, base_version) = match (&store, stored_session) {
        (Some(store), Some(id)) => match store.load(id).await? {
            Some(stored) => (stored.state, Some(stored.version)),
            None => (Default::default(), None),
        },
        _ => (Default::default(), None),
    };
    let trace = args
        .trace
        .as_deref()
        .map(|path| Trace::open_for(path, &args.input.spec, args.force))
        .transpose()?;
    let dispatcher = Arc::new(Dispatcher::new(
        spec,
        agent,
        &names,
        spec_dir,
        Some(sdk_config.clone()),
    ));
    let mut runner = Runner::new(&model, dispatcher, trace.as_ref(), settings, state)?;
    let input = if args.tool_results.is_empty() && args.confirm.is_empty() && args.deny.is_empty() {
        TurnInput::Message(args.message.clone().unwrap_or_default())
    } else {
        TurnInput::ToolResults {
            results: args.tool_results.clone(),
            confirmations: args
                .confirm
                .iter()
                .map(|id| (id.clone(), true))
                .chain(args.deny.iter().map(|id| (id.clone(), false)))
                .collect(),
            message: args.message.clone(),
        }
    };
    let started = std::time::Instant::now();
    // On a terminal agentc asks before a `require_confirmation` call runs; otherwise (a
    // program drives it, or --json) the call goes back to the caller to be confirmed.
    let terminal = TerminalConfirm;
    if !args.json && TerminalConfirm::available() {
        runner = runner.with_confirm(&terminal);
    }
    // A trace write that fails after the model answered is kept next to the answer.
    let mut result = runner.run_keeping(input).await;
    // The end of the user request, so a trace counts calls per request.
    if let Some(trace) = &trace {
        let (model_calls, outcome) = match &result {
            Ok(answer) => (
                answer.report.model_calls,
                match &answer.report.outcome {
                    Outcome::Stopped { stop_reason, .. } => stop_reason.as_str(),
                    Outcome::ReturnControl { .. } => "return_control",
                },
            ),
            Err(_) => (0, "error"),
        };
        let written = trace.record(&agentc::direct::trace::Event::Request {
            session: &session_id,
            model_calls,
            latency_ms: agentc::direct::trace::round_ms(started.elapsed().as_secs_f64() * 1000.0),
            outcome,
            attempt: 1,
        });
        // A failed write does not replace the answer that was paid for: it is reported after it.
        if let Err(error) = written {
            match &mut result {
                Ok(answer) => answer.later.push(error.into()),
                Err(_) => crate::cli::print_error(&error),
            }
        }
    }

    // Keep what happened once the model has answered at least once (tools may have had
    // effects); a turn that failed before any answer leaves the session as it was.
    let answered = runner.appended.iter().any(|m| m["role"] == "assistant");
    let mut saved = None;
    if let (Some(store), Some(id)) = (&store, stored_session)
        && answered
    {
        let update = session::Update {
            base_version,
            resumed: runner.resumed,
            appended: runner.appended.clone(),
            session_attributes: runner.session_attributes.clone(),
            pending: runner.pending().cloned(),
            max_history_bytes: history_budget,
            history: None,
        };
        saved = Some(store.save(id, &update).await);
    }
    match result {
        // Nothing paid for is lost: the answer is printed first, then what failed after it,
        // and the exit status says that something did.
        Ok(mut answer) => {
            if let Some(saved) = saved {
                answer.saved(saved);
            }
            let later: Vec<String> = answer.later.iter().map(ToString::to_string).collect();
            let status = print_report(args, stored_session, &answer.report, &later);
            for error in &answer.later {
                crate::cli::print_error(error);
            }
            Ok(if later.is_empty() {
                status
            } else {
                ExitStatus::Error
            })
        }
        Err(error) => {
            if let Some(Err(save_error)) = saved {
                crate::cli::print_error(&save_error);
            }
            Err(error.into())
        }
    }
}

/// Asks on the terminal (stderr, stdin) whether a `require_confirmation` call may run (the
/// harness runtime asks the same way).
pub struct TerminalConfirm;

impl TerminalConfirm {
    pub fn available() -> bool {
        use std::io::IsTerminal;
        std::io::stdin().is_terminal() && std::io::stderr().is_terminal()
    }
}

impl agentc::direct::runner::Confirm for TerminalConfirm {
    fn confirm(&self, call: &agentc::direct::session::PendingCall) -> bool {
        use std::io::{BufRead, Write};
        let mut stderr = std::io::stderr().lock();
        let _ = write!(
            stderr,
            "{}/{} wants to run with {}\nRun it? [y/N] ",
            call.action_group, call.function, call.input
        );
        let _ = stderr.flush();
        let mut line = String::new();
        if std::io::stdin().lock().read_line(&mut line).is_err() {
            return false;
        }
        matches!(line.trim().to_ascii_lowercase().as_str(), "y" | "yes")
    }
}

/// An id for a run without `--session`: used in the trace and the Lambda event, not stored.
fn ephemeral_session_id() -> String {
    let millis = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis());
    format!("run-{millis}-{}", std::process::id())
}

/// What a stop reason means for the user, and the exit status it maps to.
pub fn explain_stop(stop_reason: &str) -> (ExitStatus, Option<&'static str>) {
    match stop_reason {
        "end_turn" => (ExitStatus::Success, None),
        "stop_sequence" => (
            ExitStatus::Success,
            Some("the reply ended at one of inference.stop_sequences"),
        ),
        "max_tokens" => (
            ExitStatus::Failure,
            Some("the reply was cut off at the output token limit; raise inference.max_tokens"),
        ),
        "guardrail_intervened" => (
            ExitStatus::Failure,
            Some("the guardrail intervened; the text above is the guardrail's response"),
        ),
        "content_filtered" => (
            ExitStatus::Failure,
            Some("the model's content filter blocked the reply"),
        ),
        "malformed_model_output" | "malformed_tool_use" => (
            ExitStatus::Failure,
            Some("the model produced malformed output; run again, or use a more capable model"),
        ),
        "model_context_window_exceeded" => (
            ExitStatus::Failure,
            Some("the conversation exceeds the model's context window; start a new session"),
        ),
        _ => (
            ExitStatus::Failure,
            Some("the model stopped for a reason agentc does not know"),
        ),
    }
}

/// `later`: what failed after the answer (a trace write, the session save), said in the JSON
/// line too.
fn print_report(
    args: &RunArgs,
    session: Option<&str>,
    report: &Report,
    later: &[String],
) -> ExitStatus {
    let (status, note, outcome_name) = match &report.outcome {
        Outcome::Stopped { stop_reason, .. } => {
            let (status, note) = explain_stop(stop_reason);
            (status, note.map(str::to_string), stop_reason.clone())
        }
        Outcome::ReturnControl { calls } => {
            let resume = match session {
                Some(id) => format!(
                    "answer with: agentc run {} --session {id} {}",
                    args.input.spec.display(),
                    answer_flags(calls)
                ),
                None => "this run has no --session, so it cannot be resumed; run with --session ID to answer the calls".into(),
            };
            (
                ExitStatus::WaitingForToolResults,
                Some(resume),
                "return_control".to_string(),
            )
        }
    };
    if args.json {
        let mut line = serde_json::json!({
            "session": session,
            "outcome": outcome_name,
            "usage": report.usage,
            "model_calls": report.model_calls,
            "tool_calls": report.tool_calls,
        });
        if !later.is_empty() {
            line["errors_after_answer"] = serde_json::json!(later);
        }
        match &report.outcome {
            Outcome::Stopped { text, .. } => line["text"] = serde_json::json!(text),
            Outcome::ReturnControl { calls } => {
                line["pending_tool_calls"] = serde_json::json!(calls)
            }
        }
        print_stdout(&format!("{line}\n"));
        return status;
    }
    match &report.outcome {
        Outcome::Stopped { text, .. } => {
            if !text.is_empty() {
                print_stdout(&format!("{}\n", text.trim_end()));
            }
        }
        Outcome::ReturnControl { calls } => print_pending_calls(calls),
    }
    if let Some(note) = note {
        eprintln!("note: {note}");
    }
    status
}
