//! Commands of the direct target: `compile` prints the Converse config, `deploy` writes it
//! as an artifact, `run` runs the agent through the Converse API with agentc's loop.

use super::artifact::{self, Plan};
use super::dispatch::Dispatcher;
use super::history;
use super::model::ModelClient;
use super::retry::RetryPolicy;
use super::runner::{Outcome, Report, RunError, Runner, Settings, TurnInput};
use super::session;
use super::trace::Trace;
use super::wire::RequestParts;
use crate::cli::ExitStatus;
use crate::cli::compile::{CompileArgs, CompileFormat, DeployArgs};
use crate::cli::run::RunArgs;
use crate::cli::{print_error, print_stdout};
use crate::models::ModelTable;
use std::sync::Arc;

/// Load a spec for building it for `target`: the target's blocking findings stop here.
pub fn load_for_compile(
    path: &std::path::Path,
    vars: &[(String, String)],
    target: crate::target::Target,
) -> Result<crate::lint::Checked, ExitStatus> {
    crate::cli::load_checked(path, vars, ModelTable::builtin(), &[target])
}

/// Load, check and compile a spec for `compile` and `deploy`; the check names on stderr
/// what the spec asks of Bedrock Agents that the Converse request cannot carry.
fn compile_spec(
    path: &std::path::Path,
    vars: &[(String, String)],
) -> Result<(String, super::ConverseConfig), ExitStatus> {
    let loaded = load_for_compile(path, vars, crate::target::Target::Direct)?;
    let (spec, agent) = (&loaded.spec, &loaded.agent);
    let (config, _) = super::compile(spec, agent, ModelTable::builtin());
    Ok((agent.name.clone(), config))
}

pub fn compile(args: &CompileArgs) -> ExitStatus {
    if args.format != CompileFormat::Json {
        eprintln!(
            "error: --format {:?} applies to the agents target only",
            args.format
        );
        return ExitStatus::Error;
    }
    let (_, config) = match compile_spec(&args.spec, &args.vars) {
        Ok(compiled) => compiled,
        Err(status) => return status,
    };
    let mut text = serde_json::to_string_pretty(&config).unwrap_or_default();
    text.push('\n');
    match &args.out {
        Some(path) => match std::fs::write(path, text) {
            Ok(()) => ExitStatus::Success,
            Err(error) => {
                eprintln!("error: cannot write `{}`: {error}", path.display());
                ExitStatus::Error
            }
        },
        None => {
            print_stdout(&text);
            ExitStatus::Success
        }
    }
}

pub fn deploy(args: &DeployArgs) -> ExitStatus {
    if args.auto_approve || args.plan.is_some() || args.adopt {
        eprintln!("error: --auto-approve, --plan and --adopt apply to the agents target only");
        return ExitStatus::Error;
    }
    let (agent_name, config) = match compile_spec(&args.spec, &args.vars) {
        Ok(compiled) => compiled,
        Err(status) => return status,
    };
    let config = serde_json::to_value(&config).unwrap_or_default();
    let path = args
        .out
        .clone()
        .unwrap_or_else(|| artifact::default_path(&agent_name));
    let plan = match artifact::plan(&path, &config) {
        Ok(plan) => plan,
        Err(error) => {
            print_error(error);
            return ExitStatus::Error;
        }
    };
    print_stdout(&artifact::render_plan(&path, &plan));
    if plan == Plan::UpToDate {
        return ExitStatus::Success;
    }
    if args.check {
        eprintln!(
            "error: `{}` is stale; run `agentc deploy {} --target direct` to update it",
            path.display(),
            args.spec.display()
        );
        return ExitStatus::Failure;
    }
    match artifact::write(&path, &config) {
        Ok(()) => {
            print_stdout(&format!("Wrote {}.\n", path.display()));
            ExitStatus::Success
        }
        Err(error) => {
            print_error(error);
            ExitStatus::Error
        }
    }
}

/// Exit status of `agentc run` when the turn paused on `return_control` calls.
pub const EXIT_WAITING_FOR_TOOL_RESULTS: u8 = 3;

/// Errors of `agentc run` outside the loop itself.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
enum SetupError {
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

pub fn run(args: &RunArgs) -> ExitStatus {
    if args.message.is_none() && args.tool_results.is_empty() {
        print_error(SetupError::Usage(
            "give a message, or --session ID with --tool-result ID=JSON".into(),
        ));
        return ExitStatus::Error;
    }
    if !args.tool_results.is_empty() && args.session.is_none() {
        print_error(SetupError::Usage(
            "--tool-result needs --session: results answer the calls of a stored session".into(),
        ));
        return ExitStatus::Error;
    }
    if let Some(id) = &args.session
        && let Err(error) = session::validate_id(id)
    {
        print_error(error);
        return ExitStatus::Error;
    }
    let loaded = match load_for_compile(&args.spec, &args.vars, crate::target::Target::Direct) {
        Ok(loaded) => loaded,
        Err(status) => return status,
    };
    let (spec, agent) = (&loaded.spec, &loaded.agent);
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("error: cannot start the async runtime: {error}");
            return ExitStatus::Error;
        }
    };
    let spec_dir = match loaded.file.dir() {
        dir if dir.as_os_str().is_empty() => std::path::PathBuf::from("."),
        dir => dir.to_path_buf(),
    };
    runtime.block_on(run_async(args, spec, agent, &spec_dir))
}

fn fail(
    json: bool,
    session: Option<&str>,
    error: impl miette::Diagnostic + Send + Sync + 'static,
    status: ExitStatus,
) -> ExitStatus {
    if json {
        let line = serde_json::json!({ "session": session, "outcome": "error", "error": error.to_string() });
        print_stdout(&format!("{line}\n"));
    }
    print_error(error);
    status
}

async fn run_async(
    args: &RunArgs,
    spec: &crate::spec::Spec,
    agent: &crate::spec::Agent,
    spec_dir: &std::path::Path,
) -> ExitStatus {
    let models = ModelTable::builtin();
    let (config, names) = super::compile(spec, agent, models);
    let session_id = args.session.clone().unwrap_or_else(ephemeral_session_id);
    let stored_session = args.session.as_deref();
    let direct = spec.targets.direct.clone().unwrap_or_default();

    let mut loader = aws_config::defaults(aws_config::BehaviorVersion::latest());
    if let Some(region) = &args.aws.region {
        loader = loader.region(aws_config::Region::new(region.clone()));
    }
    if let Some(profile) = &args.aws.profile {
        loader = loader.profile_name(profile);
    }
    let sdk_config = loader.load().await;
    if sdk_config.region().is_none() {
        return fail(
            args.json,
            stored_session,
            SetupError::NoRegion,
            ExitStatus::Error,
        );
    }
    let parts = match RequestParts::from_config(&config) {
        Ok(parts) => parts,
        Err(error) => {
            return fail(
                args.json,
                stored_session,
                SetupError::Config(error.to_string()),
                ExitStatus::Error,
            );
        }
    };
    let bedrock_config = aws_sdk_bedrockruntime::config::Builder::from(&sdk_config)
        .retry_config(aws_config::retry::RetryConfig::disabled())
        .timeout_config(
            aws_config::timeout::TimeoutConfig::builder()
                .connect_timeout(std::time::Duration::from_secs(10))
                .operation_attempt_timeout(std::time::Duration::from_secs(600))
                .build(),
        )
        .build();
    let model = ModelClient::new(
        aws_sdk_bedrockruntime::Client::from_conf(bedrock_config),
        parts,
        RetryPolicy::from_env(),
    );

    let model_info = models.find(&spec.model);
    let fixed_bytes = serde_json::to_string(&config.system).map_or(0, |s| s.len())
        + config
            .tool_config
            .as_ref()
            .map_or(0, |t| t.to_string().len());
    let history_budget = model_info.map_or(usize::MAX, |m| {
        let reserve = spec
            .inference
            .as_ref()
            .and_then(|i| i.max_tokens)
            .map_or(m.max_output_tokens, u64::from);
        history::budget_bytes(m.context_window, reserve, fixed_bytes)
    });
    let settings = Settings {
        session_id: session_id.clone(),
        agent_name: agent.name.clone(),
        max_iterations: direct.max_iterations.max(1),
        history_budget,
        tool_status: model_info.is_none_or(|m| matches!(m.family.as_str(), "nova" | "claude")),
    };

    let store = match stored_session {
        None => None,
        Some(_) => {
            let sdk = sdk_config.clone();
            match session::Store::open(direct.sessions.as_deref(), move || sdk).await {
                Ok(store) => Some(store),
                Err(error) => return fail(args.json, stored_session, error, ExitStatus::Error),
            }
        }
    };
    let (state, base_version) = match (&store, stored_session) {
        (Some(store), Some(id)) => match store.load(id).await {
            Ok(Some(stored)) => (stored.state, Some(stored.version)),
            Ok(None) => (Default::default(), None),
            Err(error) => return fail(args.json, stored_session, error, ExitStatus::Error),
        },
        _ => (Default::default(), None),
    };
    let trace = match &args.trace {
        None => None,
        Some(path) => match Trace::open(path) {
            Ok(trace) => Some(trace),
            Err(error) => return fail(args.json, stored_session, error, ExitStatus::Error),
        },
    };
    let dispatcher = Arc::new(Dispatcher::new(
        spec,
        agent,
        &names,
        spec_dir,
        Some(sdk_config.clone()),
    ));
    let mut runner = match Runner::new(&model, dispatcher, trace.as_ref(), settings, state) {
        Ok(runner) => runner,
        Err(error) => return fail(args.json, stored_session, error, ExitStatus::Error),
    };
    let input = if args.tool_results.is_empty() {
        TurnInput::Message(args.message.clone().unwrap_or_default())
    } else {
        TurnInput::ToolResults {
            results: args.tool_results.clone(),
            message: args.message.clone(),
        }
    };
    let result = runner.run(input).await;

    // Keep what happened once the model has answered at least once (tools may have had
    // effects); a turn that failed before any answer leaves the session as it was.
    let answered = runner.appended.iter().any(|m| m["role"] == "assistant");
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
        };
        if let Err(error) = store.save(id, &update).await {
            return fail(args.json, stored_session, error, ExitStatus::Error);
        }
    }
    match result {
        Ok(report) => print_report(args, stored_session, &report),
        Err(error) => {
            let status = match error {
                RunError::MaxIterations { .. } => ExitStatus::Failure,
                _ => ExitStatus::Error,
            };
            fail(args.json, stored_session, error, status)
        }
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
fn explain_stop(stop_reason: &str) -> (ExitStatus, Option<&'static str>) {
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

fn print_report(args: &RunArgs, session: Option<&str>, report: &Report) -> ExitStatus {
    let (status, note, outcome_name) = match &report.outcome {
        Outcome::Stopped { stop_reason, .. } => {
            let (status, note) = explain_stop(stop_reason);
            (status, note.map(str::to_string), stop_reason.clone())
        }
        Outcome::ReturnControl { calls } => {
            let resume = match session {
                Some(id) => format!(
                    "answer with: agentc run {} --session {id} {}",
                    args.spec.display(),
                    calls
                        .iter()
                        .map(|c| format!("--tool-result '{}=<JSON>'", c.tool_use_id))
                        .collect::<Vec<_>>()
                        .join(" ")
                ),
                None => "this run has no --session, so it cannot be resumed; run with --session ID to answer the calls".into(),
            };
            (
                ExitStatus::Code(EXIT_WAITING_FOR_TOOL_RESULTS),
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
        Outcome::ReturnControl { calls } => {
            for call in calls {
                print_stdout(&format!(
                    "tool call {} ({}/{}): {}\n",
                    call.tool_use_id, call.action_group, call.function, call.input
                ));
            }
        }
    }
    if let Some(note) = note {
        eprintln!("note: {note}");
    }
    status
}
