//! `agentc serve` (the `serve` feature): load and check every spec, pick each agent's id,
//! print the start lines, and run the server until SIGTERM or SIGINT.

use crate::cli::serve::ServeArgs;
use crate::cli::{CliError, CliResult, ExitStatus, load_checked, print_stdout};
use agentc::models::ModelTable;
use agentc::serve::engine::{AgentSource, Engine, RunOn, Served};
use agentc::serve::ids::{self, IdSource};
use agentc::target::Target;
use std::path::PathBuf;
use std::sync::Arc;

/// Errors of `agentc serve` before it listens.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
pub enum ServeSetupError {
    #[error("{0}")]
    #[diagnostic(code(agentc::serve::usage))]
    Usage(String),
    #[error("`{0}` is not an agent id")]
    #[diagnostic(
        code(agentc::serve::agent_id),
        help(
            "an agent id is 10 letters and digits, as Bedrock Agents assigns them (e.g. --agent AB12CD34EF=agent.yaml)"
        )
    )]
    AgentId(String),
    #[error("`agentc serve --target harness` needs the `harness` feature, which this build lacks")]
    #[diagnostic(
        code(agentc::serve::no_harness),
        help(
            "serve the spec on the direct target (--target direct), or use a build with the default features"
        )
    )]
    HarnessNotBuilt,
    #[error("no AWS Region is configured")]
    #[diagnostic(
        code(agentc::serve::region),
        help("pass --region, set AWS_REGION, or set `region` in your AWS profile")
    )]
    NoRegion,
}

pub fn run(args: &ServeArgs) -> CliResult {
    let target = Target::from(args.target);
    match target {
        Target::Direct => {
            if args.harness_arn.is_some() || args.qualifier.is_some() {
                return Err(ServeSetupError::Usage(
                    "--harness-arn and --qualifier name the harness of --target harness".into(),
                )
                .into());
            }
        }
        Target::Harness if !cfg!(feature = "harness") => {
            return Err(ServeSetupError::HarnessNotBuilt.into());
        }
        Target::Harness => {}
        Target::Agents => {
            return Err(ServeSetupError::Usage(
                "agentc serve runs agents itself (--target direct); on the agents target, Bedrock Agents serves InvokeAgent".into(),
            )
            .into());
        }
    }
    let credentials = args
        .credentials
        .as_deref()
        .map(agentc::serve::auth::Credentials::load)
        .transpose()?;
    let auth = agentc::serve::auth::Auth::for_listen(args.listen, credentials)?;
    let sources = sources(args, target)?;
    if sources.is_empty() {
        return Err(ServeSetupError::Usage(
            "give the specs to serve: files, folders, or --agent AGENT_ID=SPEC".into(),
        )
        .into());
    }
    if args.harness_arn.is_some() && sources.len() > 1 {
        return Err(ServeSetupError::Usage(format!(
            "--harness-arn names one harness, and {} specs are served; serve one spec with it, or let each spec's harness be found by its name",
            sources.len()
        ))
        .into());
    }
    // Turns of different sessions run in parallel; the session store's SQLite calls block
    // their worker, not the server.
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(CliError::Runtime)?;
    runtime.block_on(serve(args, sources, auth))
}

/// Every spec to serve with its id: `--agent` mappings first, then the inputs (a spec given
/// both ways is served once, under its `--agent` id).
fn sources(args: &ServeArgs, target: Target) -> Result<Vec<AgentSource>, CliError> {
    let models = ModelTable::builtin();
    let mut sources = Vec::new();
    let mut mapped: Vec<PathBuf> = Vec::new();
    // Warnings are printed by the loader, as for every command.
    let load = |path: &std::path::Path| load_checked(path, &args.vars.vars, models, &[target]);
    for (id, spec) in &args.agents {
        if !ids::is_agent_id(id) {
            return Err(ServeSetupError::AgentId(id.clone()).into());
        }
        let path = PathBuf::from(spec);
        let checked = load(&path)?;
        mapped.push(std::fs::canonicalize(&path).unwrap_or_else(|_| path.clone()));
        sources.push(AgentSource {
            id: id.clone(),
            id_source: IdSource::Mapped,
            spec_path: path,
            spec: checked.spec,
            agent: checked.agent,
        });
    }
    let files = agentc::discover::spec_files(&args.inputs, true)
        .map_err(|e| ServeSetupError::Usage(format!("cannot read `{}`: {}", e.path, e.message)))?;
    for path in files {
        let canonical = std::fs::canonicalize(&path).unwrap_or_else(|_| path.clone());
        if mapped.contains(&canonical) {
            continue;
        }
        let checked = load(&path)?;
        let (id, id_source) = match ids::imported_id(&checked.file.text) {
            Some(id) => (id, IdSource::Imported),
            None => (ids::derived_id(&checked.agent.name), IdSource::Derived),
        };
        sources.push(AgentSource {
            id,
            id_source,
            spec_path: path,
            spec: checked.spec,
            agent: checked.agent,
        });
    }
    Ok(sources)
}

async fn serve(
    args: &ServeArgs,
    sources: Vec<AgentSource>,
    auth: agentc::serve::auth::Auth,
) -> CliResult {
    crate::cli::check_profile(&args.aws).await?;
    let sdk_config =
        agentc::aws::sdk_config(args.aws.region.as_deref(), args.aws.profile.as_deref()).await;
    if sdk_config.region().is_none() {
        return Err(ServeSetupError::NoRegion.into());
    }
    let retry = agentc::direct::retry::RetryPolicy::from_env();
    let mut served = Vec::with_capacity(sources.len());
    for source in sources {
        let run_on = run_on(args, &source).await?;
        served
            .push(Served::new(source, &sdk_config, args.sessions.as_deref(), retry, run_on).await?);
    }
    let log: agentc::serve::engine::Log = Arc::new(|line: String| eprintln!("{line}"));
    let checked = matches!(auth, agentc::serve::auth::Auth::Verify(_));
    let engine = Arc::new(Engine::new(served, auth, log, args.log_content)?);
    let listener = agentc::serve::http::bind(args.listen).await?;
    let address = listener
        .local_addr()
        .map_err(|e| agentc::serve::engine::ServeError::Io(e.to_string()))?;
    let mut start = format!("listening on http://{address}\n");
    for agent in engine.agents() {
        start.push_str(&format!(
            "agent {} {} {} ({}; {}sessions in {})\n",
            agent.id,
            agent.name,
            agent.spec_path.display(),
            agent.id_source.as_str(),
            agent
                .harness()
                .map(|h| format!("on harness {h}; "))
                .unwrap_or_default(),
            agent.sessions
        ));
    }
    print_stdout(&start);
    if !checked {
        eprintln!(
            "note: request signatures are not checked (no --credentials; loopback only, for local development)"
        );
    }
    eprintln!(
        "note: every alias id of a served agent, TSTALIASID included, reaches the current spec"
    );
    agentc::serve::http::serve(listener, engine, shutdown_signal()).await?;
    eprintln!("stopped: every turn in flight finished");
    Ok(ExitStatus::Success)
}

/// Where `source`'s turns run: for the harness, its harness is looked up now, once, as
/// `run --target harness` looks it up (a spec without a deployed harness stops the start).
async fn run_on(args: &ServeArgs, source: &AgentSource) -> Result<RunOn, CliError> {
    match Target::from(args.target) {
        #[cfg(all(feature = "harness", feature = "direct"))]
        Target::Harness => {
            let found = super::harness_run::locate_harness(
                args.harness_arn.as_deref(),
                args.qualifier.as_deref(),
                &args.aws,
                &source.spec,
            )
            .await?;
            Ok(RunOn::Harness(agentc::serve::engine::HarnessAt {
                arn: found.arn,
                qualifier: found.qualifier,
                version: found.version,
                runtime_arn: found.runtime_arn,
            }))
        }
        _ => {
            let _ = source;
            Ok(RunOn::Direct)
        }
    }
}

/// SIGTERM (what container runtimes send) or SIGINT (Ctrl-C).
async fn shutdown_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = term.recv() => {}
                    _ = tokio::signal::ctrl_c() => {}
                }
            }
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}
