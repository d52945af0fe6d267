//! One InvokeAgent request on the direct target: the session is loaded from the direct
//! session store, the turn runs in `direct::runner::Runner` (the same loop as `agentc run`),
//! and what happens is sent as InvokeAgent events while it happens.
//!
//! Ordering, per request: everything the request can be refused for (unknown agent, a busy
//! session, results that do not answer the pending calls) is an HTTP error before the
//! stream starts; then `trace` events as each model and tool call finishes (with
//! `enableTrace`); then the session is saved; only then the answer (`chunk`) or the calls
//! handed back (`returnControl`). An answer is never sent for a turn that was not recorded:
//! a failed save ends the stream with an `internalServerException` instead.

use super::ids::IdSource;
use super::route::{ApiError, ErrorKind, InvokeBody, ResultBody};
use super::stream;
use crate::direct::dispatch::{Dispatcher, Route as ToolRoute, ToolCall, ToolOutput};
use crate::direct::lambda_event::{declared_parameters, stringify};
use crate::direct::model::{ModelClient, ModelError, Reply};
use crate::direct::runner::{Observe, Outcome, RunError, Runner, Settings, TurnInput};
use crate::direct::session::{self, InvocationType, Pending, PendingCall, SessionError, Store};
use crate::spec::{Agent, Spec, ToolSource};
use bytes::Bytes;
use indexmap::IndexMap;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use std::collections::{HashMap, HashSet};
use std::path::PathBuf;
use std::sync::atomic::{AtomicU32, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Instant;
use tokio::sync::mpsc::UnboundedSender;

// `serve --target harness`: turns on a deployed AgentCore harness.
#[cfg(feature = "harness")]
mod harness;
#[cfg(feature = "harness")]
pub use harness::{HarnessAt, runtime_session_id};

/// Why `serve` cannot start.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
pub enum ServeError {
    #[error(transparent)]
    #[diagnostic(transparent)]
    Session(#[from] SessionError),
    #[error("the compiled config of `{spec}` cannot be sent: {message}")]
    #[diagnostic(code(agentc::serve::config))]
    Config { spec: String, message: String },
    #[error("agent id {id} is given to both `{first}` and `{second}`")]
    #[diagnostic(
        code(agentc::serve::duplicate_id),
        help(
            "give one of them another id with --agent ID=SPEC (derived ids come from the agent's name, so two specs with one name collide)"
        )
    )]
    DuplicateId {
        id: String,
        first: String,
        second: String,
    },
    #[error("cannot listen on {address}: {message}")]
    #[diagnostic(
        code(agentc::serve::listen),
        help("pick another address or port (port 0 picks a free one)")
    )]
    Listen { address: String, message: String },
    #[error("the server stopped: {0}")]
    #[diagnostic(code(agentc::serve::io))]
    Io(String),
}

/// A spec ready to be served (loaded and checked by the command layer).
pub struct AgentSource {
    pub id: String,
    pub id_source: IdSource,
    pub spec_path: PathBuf,
    pub spec: Spec,
    pub agent: Agent,
}

/// What a returned call looks like to the caller: a function, or an OpenAPI operation.
#[derive(Debug, Clone)]
struct ToolInfo {
    /// `(method, path)` of an OpenAPI operation.
    api: Option<(String, String)>,
    /// Declared parameters in order, with their types (as the Lambda event types them).
    parameters: Vec<(String, String)>,
}

/// Where a served agent's turns run.
pub enum RunOn {
    /// agentc's own loop on the Converse API.
    Direct,
    /// A deployed AgentCore harness (looked up at start-up).
    #[cfg(feature = "harness")]
    Harness(HarnessAt),
}

/// What runs a served agent's turns.
#[allow(
    clippy::large_enum_variant,
    reason = "one per served agent, made once at start-up and never moved"
)]
enum Backend {
    Direct {
        model: ModelClient,
        settings: Settings,
        history_budget: usize,
    },
    #[cfg(feature = "harness")]
    Harness(harness::Backend),
}

/// One served agent.
pub struct Served {
    pub id: String,
    pub name: String,
    pub spec_path: PathBuf,
    pub id_source: IdSource,
    /// Where its sessions live (`dynamodb://TABLE` or a SQLite path), for the start lines.
    pub sessions: String,
    backend: Backend,
    dispatcher: Arc<Dispatcher>,
    tools: Arc<HashMap<String, ToolInfo>>,
    store: Store,
}

impl Served {
    /// Set up `source` for serving on `run_on`: the Converse client (or the InvokeHarness
    /// client), the tool routes and the session store (`sessions` overrides the spec's
    /// `targets.direct.sessions`).
    pub async fn new(
        source: AgentSource,
        sdk_config: &aws_config::SdkConfig,
        sessions: Option<&str>,
        retry: crate::direct::retry::RetryPolicy,
        run_on: RunOn,
    ) -> Result<Self, ServeError> {
        use crate::direct::prepare;
        let models = crate::models::ModelTable::builtin();
        let AgentSource {
            id,
            id_source,
            spec_path,
            spec,
            agent,
        } = source;
        let (config, names) = crate::direct::compile(&spec, &agent, models);
        let backend = match run_on {
            RunOn::Direct => {
                let model = prepare::model_client(sdk_config, &config, retry).map_err(|e| {
                    ServeError::Config {
                        spec: spec_path.display().to_string(),
                        message: e.to_string(),
                    }
                })?;
                let history_budget = prepare::history_budget(&spec, &config, models);
                let settings = prepare::settings(&spec, &agent, "", history_budget, models);
                Backend::Direct {
                    model,
                    settings,
                    history_budget,
                }
            }
            #[cfg(feature = "harness")]
            RunOn::Harness(at) => Backend::Harness(
                harness::Backend::new(at, &spec, &agent, sdk_config, retry).map_err(|e| {
                    ServeError::Config {
                        spec: spec_path.display().to_string(),
                        message: e.to_string(),
                    }
                })?,
            ),
        };
        let spec_dir = match spec_path.parent() {
            Some(dir) if !dir.as_os_str().is_empty() => dir.to_path_buf(),
            _ => PathBuf::from("."),
        };
        let dispatcher = Arc::new(Dispatcher::new(
            &spec,
            &agent,
            &names,
            &spec_dir,
            Some(sdk_config.clone()),
        ));
        let tools = agent
            .tools
            .iter()
            .zip(&names.entries)
            .map(|(tool, entry)| {
                let api = match &tool.source {
                    ToolSource::OpenApi { method, path } => Some((method.clone(), path.clone())),
                    ToolSource::Function { .. } => None,
                };
                (
                    entry.tool_name.clone(),
                    ToolInfo {
                        api,
                        parameters: declared_parameters(&tool.input_schema),
                    },
                )
            })
            .collect();
        let location = sessions.map(str::to_string).or_else(|| {
            spec.targets
                .direct
                .as_ref()
                .and_then(|d| d.sessions.clone())
        });
        let sdk = sdk_config.clone();
        let mut store = Store::open(location.as_deref(), move || sdk).await?;
        store.check_writable().await?;
        store.checkpoint_in_background()?;
        Ok(Self {
            id,
            name: agent.name.clone(),
            spec_path,
            id_source,
            sessions: location.unwrap_or_else(|| session::DEFAULT_PATH.to_string()),
            backend,
            dispatcher,
            tools: Arc::new(tools),
            store,
        })
    }
}

impl Served {
    /// The harness a served agent runs on (`ARN` at `QUALIFIER`), for the start lines.
    pub fn harness(&self) -> Option<String> {
        match &self.backend {
            Backend::Direct { .. } => None,
            #[cfg(feature = "harness")]
            Backend::Harness(backend) => Some(backend.describe()),
        }
    }

    /// The key of a session in the store: the direct target keeps the conversation under
    /// [`store_key`]; the harness keeps it itself, and the store only its paused calls and
    /// session attributes, under `harness:<runtime session id>` (as `run --target harness`).
    fn key(&self, agent_id: &str, session_id: &str) -> String {
        match &self.backend {
            Backend::Direct { .. } => store_key(agent_id, session_id),
            #[cfg(feature = "harness")]
            Backend::Harness(_) => harness::store_key(agent_id, session_id),
        }
    }
}

/// The key of a served session in the store: sessions belong to an agent (as on Bedrock
/// Agents), so two agents' sessions with one id never meet. `AGENT_ID:SESSION_ID` keeps to
/// the session-id rules (the store's leases check them); a key that would pass 100
/// characters ends in a digest of the session id instead.
pub fn store_key(agent_id: &str, session_id: &str) -> String {
    let key = format!("{agent_id}:{session_id}");
    if key.len() <= 100 {
        return key;
    }
    let digest: String = Sha256::digest(session_id.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    format!("{agent_id}:sha256-{digest}")
}

/// How long a session's lease lasts unless renewed. A turn renews it every third of this
/// while it runs, however long its tools take; a replica that crashed mid-turn blocks the
/// session for at most this long.
pub const LEASE_TTL: std::time::Duration = std::time::Duration::from_secs(16 * 60);

/// [`LEASE_TTL`], or `AGENTC_SERVE_LEASE_TTL_MS` (at least 100 ms), which lets the tests see
/// a renewal without waiting minutes. Read once: every turn asks for it twice.
fn lease_ttl() -> std::time::Duration {
    static TTL: std::sync::OnceLock<std::time::Duration> = std::sync::OnceLock::new();
    *TTL.get_or_init(|| {
        std::env::var("AGENTC_SERVE_LEASE_TTL_MS")
            .ok()
            .and_then(|v| v.parse::<u64>().ok())
            .map_or(LEASE_TTL, |ms| {
                std::time::Duration::from_millis(ms.max(100))
            })
    })
}

/// The `invocationId` of a paused turn: derived from its pending calls' tool-use ids (fresh
/// for every model call), so it needs no field of its own in the stored session and a
/// replica that did not pause the turn computes the same id.
pub fn invocation_id(pending: &Pending) -> String {
    let mut hasher = Sha256::new();
    for call in &pending.calls {
        hasher.update(call.tool_use_id.as_bytes());
        hasher.update(b"\n");
    }
    let hex: String = hasher
        .finalize()
        .iter()
        .take(16)
        .map(|b| format!("{b:02x}"))
        .collect();
    format!(
        "{}-{}-{}-{}-{}",
        &hex[0..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..32]
    )
}

/// A fresh opaque id (request ids, trace ids): no random-number crate is linked, and these
/// need uniqueness, not secrecy.
pub fn fresh_hex(len: usize) -> String {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    let mut hasher = Sha256::new();
    hasher.update(nanos.to_le_bytes());
    hasher.update(std::process::id().to_le_bytes());
    hasher.update(COUNTER.fetch_add(1, Ordering::Relaxed).to_le_bytes());
    hasher
        .finalize()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect::<String>()
        .chars()
        .take(len)
        .collect()
}

/// One request's log line, handed to the command layer (the library does not print).
pub type Log = Arc<dyn Fn(String) + Send + Sync>;

/// Every served agent, the sessions busy in this process, and the turns in flight.
pub struct Engine {
    agents: HashMap<String, Arc<Served>>,
    /// Whether and against which keys request signatures are verified.
    pub auth: super::auth::Auth,
    /// What `GET /metrics` serves.
    pub metrics: super::metrics::Metrics,
    busy: Mutex<HashSet<String>>,
    in_flight: AtomicUsize,
    idle: tokio::sync::Notify,
    log: Log,
    log_content: bool,
}

/// What the server sends for an accepted request: the response headers' values and the
/// stream of frames.
pub struct Streaming {
    pub session_id: String,
    pub memory_id: Option<String>,
    pub frames: tokio::sync::mpsc::UnboundedReceiver<Bytes>,
}

impl Engine {
    pub fn new(
        agents: Vec<Served>,
        auth: super::auth::Auth,
        log: Log,
        log_content: bool,
    ) -> Result<Self, ServeError> {
        let mut map: HashMap<String, Arc<Served>> = HashMap::new();
        for served in agents {
            if let Some(first) = map.get(&served.id) {
                return Err(ServeError::DuplicateId {
                    id: served.id.clone(),
                    first: first.spec_path.display().to_string(),
                    second: served.spec_path.display().to_string(),
                });
            }
            map.insert(served.id.clone(), Arc::new(served));
        }
        Ok(Self {
            agents: map,
            auth,
            metrics: super::metrics::Metrics::new(),
            busy: Mutex::new(HashSet::new()),
            in_flight: AtomicUsize::new(0),
            idle: tokio::sync::Notify::new(),
            log,
            log_content,
        })
    }

    /// The served agents, ordered by id.
    pub fn agents(&self) -> Vec<&Served> {
        let mut agents: Vec<&Served> = self.agents.values().map(AsRef::as_ref).collect();
        agents.sort_by(|a, b| a.id.cmp(&b.id));
        agents
    }

    pub fn log(&self, line: String) {
        (self.log)(line);
    }

    /// Wait until no turn is running (graceful shutdown: a turn whose caller went away still
    /// finishes and is saved).
    pub async fn wait_idle(&self) {
        loop {
            let notified = self.idle.notified();
            if self.in_flight.load(Ordering::SeqCst) == 0 {
                return;
            }
            notified.await;
        }
    }

    /// Start one InvokeAgent turn. Errors here are answered as HTTP errors; once this returns
    /// the stream has started and failures are exception events.
    pub async fn invoke(
        self: &Arc<Self>,
        agent_id: &str,
        alias_id: &str,
        session_id: &str,
        body: InvokeBody,
        started: Instant,
    ) -> Result<Streaming, ApiError> {
        // The store's calls may run on blocking threads (and DynamoDB's always await), so
        // this future can yield between taking the lease and starting the turn; a caller that
        // hangs up there must not leave the lease behind until it expires, so the steps run
        // on a task of their own.
        let engine = Arc::clone(self);
        let (agent_id, alias_id, session_id) = (
            agent_id.to_string(),
            alias_id.to_string(),
            session_id.to_string(),
        );
        tokio::spawn(async move {
            engine
                .start(&agent_id, &alias_id, &session_id, body, started)
                .await
        })
        .await
        .map_err(|e| ApiError::new(ErrorKind::InternalServer, e.to_string()))?
    }

    async fn start(
        self: &Arc<Self>,
        agent_id: &str,
        alias_id: &str,
        session_id: &str,
        body: InvokeBody,
        started: Instant,
    ) -> Result<Streaming, ApiError> {
        let Some(served) = self.agents.get(agent_id).cloned() else {
            return Err(ApiError::new(
                ErrorKind::ResourceNotFound,
                format!(
                    "Failed to retrieve resource because it doesn't exist. Agent {agent_id} is not served here; agentc serve prints the ids it serves when it starts."
                ),
            ));
        };
        let key = served.key(agent_id, session_id);
        // Two turns of one session never interleave. Within this process the busy set says
        // so at once; across replicas the store's lease does (direct::session).
        let guard = BusyGuard::take(self, &key).ok_or_else(|| {
            ApiError::new(
                ErrorKind::Conflict,
                format!(
                    "session {session_id} is busy with another request; retry when it has finished"
                ),
            )
        })?;
        // Across replicas sharing the store, the session's lease says so.
        let holder = format!("{}/{}", process_id(), fresh_hex(16));
        let (lease, stored) = served
            .store
            .acquire_and_load(&key, &holder, lease_ttl())
            .await
            .map_err(|e| session_error(&e))?;
        match self.accept(
            served, key, stored, agent_id, alias_id, session_id, body, started,
        ) {
            Ok((turn, streaming)) => {
                let mut turn = turn;
                turn.busy = Some(guard);
                turn.lease = Mutex::new(Some(lease));
                self.in_flight.fetch_add(1, Ordering::SeqCst);
                tokio::spawn(async move {
                    let engine = Arc::clone(&turn.engine);
                    turn.run().await;
                    if engine.in_flight.fetch_sub(1, Ordering::SeqCst) == 1 {
                        engine.idle.notify_waiters();
                    }
                });
                Ok(streaming)
            }
            Err(error) => {
                let served = self.agents.get(agent_id);
                if let Some(served) = served {
                    // A lease left behind expires by itself; releasing it frees the session now.
                    let _ = served.store.release(&lease).await;
                }
                drop(guard);
                Err(error)
            }
        }
    }

    /// Everything a request can be refused for once its session is held; the turn to run.
    #[allow(
        clippy::too_many_arguments,
        reason = "the request's parts, each used once to build the turn"
    )]
    fn accept(
        self: &Arc<Self>,
        served: Arc<Served>,
        key: String,
        stored: Option<session::Stored>,
        agent_id: &str,
        alias_id: &str,
        session_id: &str,
        body: InvokeBody,
        started: Instant,
    ) -> Result<(Turn, Streaming), ApiError> {
        // The direct runner takes the loaded history itself instead of a copy: the save reads
        // only the loaded version, attributes and pending calls (its merge of the runner's
        // history never reads the loaded messages), and copying, then freeing, every
        // message's JSON tree twice per turn was a large share of serve's CPU once sessions
        // grew. The harness keeps no messages in the store.
        let mut stored = stored;
        let history = match (&served.backend, stored.as_mut()) {
            (Backend::Direct { .. }, Some(stored)) => std::mem::take(&mut stored.state.messages),
            _ => Vec::new(),
        };
        let loaded = stored.map(Arc::new);
        let state = loaded.as_ref().map_or(&*NO_STATE, |l| &l.state);
        let mut session_attributes = state.session_attributes.clone();
        let state_in = body.session_state.clone().unwrap_or_default();
        let end_session = body.end_session.unwrap_or(false);
        let results = state_in
            .return_control_invocation_results
            .clone()
            .unwrap_or_default();
        let input = if !results.is_empty() {
            let Some(pending) = &state.pending else {
                return Err(ApiError::validation(format!(
                    "session {session_id} has no returnControl waiting for results"
                )));
            };
            let expected = invocation_id(pending);
            if state_in.invocation_id.as_deref() != Some(expected.as_str()) {
                return Err(ApiError::validation(format!(
                    "sessionState.invocationId does not match the returnControl session {session_id} is waiting for ({expected})"
                )));
            }
            // The service ignores `inputText` when results are given; so does agentc.
            Some(answers(pending, &results, &served.tools)?)
        } else {
            match body.input_text.clone().filter(|t| !t.is_empty()) {
                Some(text) => {
                    if let Some(pending) = &state.pending {
                        return Err(ApiError::validation(format!(
                            "session {session_id} is waiting for the results of returnControl {}; answer with sessionState.invocationId and returnControlInvocationResults",
                            invocation_id(pending)
                        )));
                    }
                    Some(TurnInput::Message(text))
                }
                None if end_session => None,
                None => {
                    return Err(ApiError::validation(
                        "inputText is empty and no returnControlInvocationResults are given: there is nothing to answer",
                    ));
                }
            }
        };
        if let Some(attributes) = state_in.session_attributes.clone() {
            session_attributes = attributes;
        }
        let (sender, frames) = tokio::sync::mpsc::unbounded_channel();
        let turn = Turn {
            engine: Arc::clone(self),
            served,
            key,
            agent_id: agent_id.to_string(),
            alias_id: alias_id.to_string(),
            session_id: session_id.to_string(),
            enable_trace: body.enable_trace.unwrap_or(false),
            end_session,
            prompt_session_attributes: state_in.prompt_session_attributes.unwrap_or_default(),
            session_attributes,
            loaded,
            history: Mutex::new(history),
            input,
            input_text: body.input_text,
            sender,
            started,
            busy: None,
            lease: Mutex::new(None),
            last: Mutex::new(Vec::new()),
        };
        let streaming = Streaming {
            session_id: session_id.to_string(),
            memory_id: body.memory_id,
            frames,
        };
        Ok((turn, streaming))
    }
}

/// The state of a session that does not exist yet.
static NO_STATE: std::sync::LazyLock<session::SessionState> =
    std::sync::LazyLock::new(session::SessionState::default);

/// A session store failure as the caller sees it: a session another replica holds is the
/// service's `ConflictException`; anything else is an internal error.
fn session_error(error: &SessionError) -> ApiError {
    match super::service_error::ServiceError::from_session(error) {
        Some(answer) if answer.error_type == "ConflictException" => {
            ApiError::new(ErrorKind::Conflict, answer.message)
        }
        Some(answer) => ApiError::validation(answer.message),
        None => ApiError::new(ErrorKind::InternalServer, error.to_string()),
    }
}

/// This process in lease holders' names (`<pid>-<start>`), so a store shows which replica
/// holds a session.
fn process_id() -> &'static str {
    static ID: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    ID.get_or_init(|| format!("{}-{}", std::process::id(), fresh_hex(6)))
}

/// A session marked busy in this process until dropped.
struct BusyGuard {
    engine: Arc<Engine>,
    key: String,
}

impl BusyGuard {
    fn take(engine: &Arc<Engine>, key: &str) -> Option<Self> {
        let mut busy = engine.busy.lock().ok()?;
        if !busy.insert(key.to_string()) {
            return None;
        }
        Some(Self {
            engine: Arc::clone(engine),
            key: key.to_string(),
        })
    }
}

impl Drop for BusyGuard {
    fn drop(&mut self) {
        if let Ok(mut busy) = self.engine.busy.lock() {
            busy.remove(&self.key);
        }
    }
}

/// Match `returnControlInvocationResults` to the pending calls: by action group and function
/// (or API path and method), each call answered exactly once, as its
/// `actionInvocationType` asks.
fn answers(
    pending: &Pending,
    results: &[super::route::InvocationResult],
    tools: &HashMap<String, ToolInfo>,
) -> Result<TurnInput, ApiError> {
    let mut open: Vec<&PendingCall> = pending.calls.iter().collect();
    let mut tool_results = Vec::new();
    let mut confirmations = Vec::new();
    for result in results {
        let Some(body) = result.inner() else {
            continue;
        };
        let matches = |call: &&PendingCall| matches_call(call, body, tools);
        let Some(position) = open.iter().position(matches) else {
            return Err(ApiError::validation(format!(
                "returnControlInvocationResults answers {}, which is not a call the returnControl is waiting for",
                describe_result(body)
            )));
        };
        let call = open.remove(position);
        let id = call.tool_use_id.clone();
        let denied = body.confirmation_state.as_deref() == Some("DENY");
        match call.action_invocation_type {
            InvocationType::Result => tool_results.push((id, body.text())),
            InvocationType::UserConfirmation => match body.confirmation_state.as_deref() {
                Some("CONFIRM") => confirmations.push((id, true)),
                Some("DENY") => confirmations.push((id, false)),
                _ => {
                    return Err(ApiError::validation(format!(
                        "{}/{} waits for confirmation: answer it with confirmationState CONFIRM or DENY",
                        call.action_group, call.function
                    )));
                }
            },
            InvocationType::UserConfirmationAndResult if denied => {
                confirmations.push((id, false));
            }
            InvocationType::UserConfirmationAndResult => tool_results.push((id, body.text())),
        }
    }
    if !open.is_empty() {
        let missing: Vec<String> = open
            .iter()
            .map(|c| format!("{}/{}", c.action_group, c.function))
            .collect();
        return Err(ApiError::validation(format!(
            "returnControlInvocationResults has no result for {}",
            missing.join(", ")
        )));
    }
    Ok(TurnInput::ToolResults {
        results: tool_results,
        confirmations,
        message: None,
    })
}

fn matches_call(call: &PendingCall, body: &ResultBody, tools: &HashMap<String, ToolInfo>) -> bool {
    if call.action_group != body.action_group {
        return false;
    }
    match tools.get(&call.name).and_then(|t| t.api.as_ref()) {
        Some((method, path)) => {
            body.api_path.as_deref() == Some(path.as_str())
                && body
                    .http_method
                    .as_deref()
                    .is_some_and(|m| m.eq_ignore_ascii_case(method))
        }
        None => body.function.as_deref() == Some(call.function.as_str()),
    }
}

fn describe_result(body: &ResultBody) -> String {
    match (&body.function, &body.api_path) {
        (Some(function), _) => format!("{}/{function}", body.action_group),
        (None, Some(path)) => format!(
            "{} {} {path}",
            body.action_group,
            body.http_method.as_deref().unwrap_or("?")
        ),
        (None, None) => body.action_group.clone(),
    }
}

/// The parameters of a call as Bedrock Agents lists them: every value a string, typed as
/// declared.
fn parameters(input: &Value, info: Option<&ToolInfo>) -> Vec<Value> {
    let declared: HashMap<&str, &str> = info
        .map(|i| {
            i.parameters
                .iter()
                .map(|(n, t)| (n.as_str(), t.as_str()))
                .collect()
        })
        .unwrap_or_default();
    input
        .as_object()
        .into_iter()
        .flatten()
        .filter_map(|(name, value)| {
            let value = stringify(value)?;
            let kind = declared.get(name.as_str()).copied().unwrap_or("string");
            Some(json!({ "name": name, "type": kind, "value": value }))
        })
        .collect()
}

/// `returnControl`'s payload for the calls a turn handed back.
fn return_control(pending: &Pending, tools: &HashMap<String, ToolInfo>) -> Value {
    let inputs: Vec<Value> = pending
        .calls
        .iter()
        .map(|call| {
            let info = tools.get(&call.name);
            let kind = match call.action_invocation_type {
                InvocationType::Result => "RESULT",
                InvocationType::UserConfirmation => "USER_CONFIRMATION",
                InvocationType::UserConfirmationAndResult => "USER_CONFIRMATION_AND_RESULT",
            };
            let parameters = parameters(&call.input, info);
            match info.and_then(|i| i.api.as_ref()) {
                Some((method, path)) => json!({ "apiInvocationInput": {
                    "actionGroup": call.action_group,
                    "httpMethod": method.to_ascii_uppercase(),
                    "apiPath": path,
                    "parameters": parameters,
                    "actionInvocationType": kind,
                } }),
                None => json!({ "functionInvocationInput": {
                    "actionGroup": call.action_group,
                    "function": call.function,
                    "parameters": parameters,
                    "actionInvocationType": kind,
                } }),
            }
        })
        .collect();
    json!({ "invocationId": invocation_id(pending), "invocationInputs": inputs })
}

fn event_time() -> String {
    aws_smithy_types::DateTime::from(std::time::SystemTime::now())
        .fmt(aws_smithy_types::date_time::Format::DateTime)
        .unwrap_or_default()
}

fn clamp_i32(value: u64) -> i64 {
    value.min(i32::MAX as u64) as i64
}

/// Turns the runner's calls into `trace` events (orchestrationTrace) as they happen: what
/// agentc did, and nothing it did not do (no rationale, which Converse does not give).
struct TraceEvents {
    sender: UnboundedSender<Bytes>,
    agent_id: String,
    alias_id: String,
    session_id: String,
    /// Trace ids are `<prefix>-<n>`: one per model call, shared by the tool calls it asked
    /// for (as Bedrock Agents shares one per orchestration step); at most 16 characters.
    prefix: String,
    iteration: AtomicU32,
    dispatcher: Arc<Dispatcher>,
    tools: Arc<HashMap<String, ToolInfo>>,
    /// `enableTrace`: without it the calls are only measured (for the metrics), not sent.
    send_events: bool,
    measured: Mutex<Measured>,
}

/// What a turn's model calls took and reported, for the metrics.
#[derive(Debug, Default, Clone, Copy)]
struct Measured {
    model_ms: f64,
    model_calls: u64,
    input_tokens: u64,
    output_tokens: u64,
}

impl TraceEvents {
    fn trace_id(&self) -> String {
        format!("{}-{}", self.prefix, self.iteration.load(Ordering::SeqCst))
    }

    fn send(&self, orchestration: Value) {
        if !self.send_events {
            return;
        }
        let part = json!({
            "agentId": self.agent_id,
            "agentAliasId": self.alias_id,
            "agentVersion": "DRAFT",
            "sessionId": self.session_id,
            "eventTime": event_time(),
            "trace": { "orchestrationTrace": orchestration },
        });
        // A caller that went away does not stop the turn: the send just fails.
        let _ = self.sender.send(stream::event("trace", &part));
    }

    fn final_response(&self, text: &str) {
        self.send(json!({ "observation": {
            "traceId": self.trace_id(),
            "type": "FINISH",
            "finalResponse": { "text": text },
        } }));
    }
}

impl Observe for TraceEvents {
    fn model_call_started(&self, iteration: u32, model_id: &str) {
        self.iteration.store(iteration, Ordering::SeqCst);
        self.send(json!({ "modelInvocationInput": {
            "traceId": self.trace_id(),
            "type": "ORCHESTRATION",
            "foundationModel": model_id,
        } }));
    }

    fn model_call(&self, _iteration: u32, _model_id: &str, reply: &Reply) {
        if let Ok(mut measured) = self.measured.lock() {
            measured.model_ms += reply.latency_ms;
            measured.model_calls += 1;
            measured.input_tokens += reply.usage.input_tokens;
            measured.output_tokens += reply.usage.output_tokens;
        }
        self.send(json!({ "modelInvocationOutput": {
            "traceId": self.trace_id(),
            "rawResponse": { "content": reply.message.to_string() },
            "metadata": {
                "usage": {
                    "inputTokens": clamp_i32(reply.usage.input_tokens),
                    "outputTokens": clamp_i32(reply.usage.output_tokens),
                },
                "totalTimeMs": reply.latency_ms.round() as i64,
            },
        } }));
    }

    fn tool_call(&self, call: &ToolCall, output: &ToolOutput) {
        let trace_id = self.trace_id();
        let target = self.dispatcher.target(&call.name);
        let text = output
            .content
            .get("text")
            .and_then(Value::as_str)
            .map_or_else(
                || {
                    output
                        .content
                        .get("json")
                        .map(Value::to_string)
                        .unwrap_or_default()
                },
                str::to_string,
            );
        let metadata = json!({ "totalTimeMs": output.latency_ms.round() as i64 });
        if let Some(ToolRoute::KnowledgeBase(kb)) = target.map(|t| &t.route) {
            let query = call
                .input
                .get("query")
                .and_then(Value::as_str)
                .unwrap_or_default();
            self.send(json!({ "invocationInput": {
                "traceId": trace_id,
                "invocationType": "KNOWLEDGE_BASE",
                "knowledgeBaseLookupInput": { "knowledgeBaseId": kb.knowledge_base_id, "text": query },
            } }));
            self.send(json!({ "observation": {
                "traceId": trace_id,
                "type": "KNOWLEDGE_BASE",
                "knowledgeBaseLookupOutput": { "metadata": metadata },
            } }));
            return;
        }
        let info = self.tools.get(&call.name);
        let mut input = serde_json::Map::new();
        input.insert(
            "actionGroupName".into(),
            json!(target.map(|t| t.action_group.as_str()).unwrap_or_default()),
        );
        match info.and_then(|i| i.api.as_ref()) {
            Some((method, path)) => {
                input.insert("apiPath".into(), json!(path));
                input.insert("verb".into(), json!(method.to_ascii_uppercase()));
            }
            None => {
                input.insert(
                    "function".into(),
                    json!(target.map(|t| t.function.as_str()).unwrap_or(&call.name)),
                );
            }
        }
        // `executionType` has two values, LAMBDA and RETURN_CONTROL; a local command or HTTP
        // handler is neither, so it is left out rather than misnamed.
        if let Some(ToolRoute::Lambda { .. }) = target.map(|t| &t.route) {
            input.insert("executionType".into(), json!("LAMBDA"));
        }
        input.insert("parameters".into(), json!(parameters(&call.input, info)));
        self.send(json!({ "invocationInput": {
            "traceId": trace_id,
            "invocationType": "ACTION_GROUP",
            "actionGroupInvocationInput": Value::Object(input),
        } }));
        self.send(json!({ "observation": {
            "traceId": trace_id,
            "type": "ACTION_GROUP",
            "actionGroupInvocationOutput": { "text": text, "metadata": metadata },
        } }));
    }
}

/// The exception event a failed turn ends with.
fn exception_of(error: &RunError) -> (ErrorKind, String) {
    let kind = match error {
        RunError::Model(ModelError::Transient { .. }) => ErrorKind::Throttling,
        RunError::Model(_) | RunError::ToolUseWithoutCalls => ErrorKind::DependencyFailed,
        RunError::Input(_) => ErrorKind::Validation,
        RunError::MaxIterations { .. } | RunError::Wire(_) | RunError::Trace(_) => {
            ErrorKind::InternalServer
        }
    };
    (kind, error.to_string())
}

/// A turn accepted for streaming.
struct Turn {
    engine: Arc<Engine>,
    served: Arc<Served>,
    key: String,
    agent_id: String,
    alias_id: String,
    session_id: String,
    enable_trace: bool,
    end_session: bool,
    prompt_session_attributes: IndexMap<String, String>,
    /// The session attributes the turn starts with: the stored ones, or the request's.
    session_attributes: IndexMap<String, String>,
    /// The session as the turn loaded it under its lease (`None`: a new session), shared
    /// with the save so that it is not read and parsed again.
    loaded: Option<Arc<session::Stored>>,
    /// The loaded session's messages, moved out of `loaded` for the direct runner to take.
    history: Mutex<Vec<Value>>,
    input: Option<TurnInput>,
    input_text: Option<String>,
    sender: UnboundedSender<Bytes>,
    started: Instant,
    busy: Option<BusyGuard>,
    /// Held until the turn's save gives it back, or until the turn ends.
    lease: Mutex<Option<session::Lease>>,
    /// The events that end the turn (the direct answer, `returnControl`, an exception): sent
    /// only once the session is free, because an SDK hands them to the caller as they arrive
    /// — not at the end of the stream — and a caller that answers at once must not find its
    /// own session busy.
    last: Mutex<Vec<Bytes>>,
}

impl Turn {
    /// Runs the turn, then frees the session and only then ends the stream: a caller that
    /// sends its next request as soon as this one's stream ends never finds it busy.
    async fn run(mut self) {
        let in_flight = self.engine.metrics.turn_started();
        let measured = Mutex::new(Measured::default());
        let outcome = {
            let work = self.run_inner(&measured);
            tokio::pin!(work);
            tokio::select! {
                outcome = &mut work => outcome,
                () = self.renew_lease() => work.await,
            }
        };
        let measured = measured.into_inner().unwrap_or_default();
        self.engine.metrics.turn(&super::metrics::Turn {
            total: self.started.elapsed(),
            model: std::time::Duration::from_secs_f64(measured.model_ms.max(0.0) / 1000.0),
            model_calls: measured.model_calls,
            input_tokens: measured.input_tokens,
            output_tokens: measured.output_tokens,
        });
        drop(in_flight);
        let mut line = format!(
            "POST {} agent={} status=200 latency_ms={:.1} outcome={outcome}",
            super::route::INVOKE_AGENT,
            self.agent_id,
            self.started.elapsed().as_secs_f64() * 1000.0
        );
        if self.engine.log_content
            && let Some(text) = &self.input_text
        {
            line.push_str(&format!(" input={}", json!(text)));
        }
        self.engine.log(line);
        let lease = self.take_lease();
        if let Some(lease) = lease
            && let Err(error) = self.served.store.release(&lease).await
        {
            // The lease expires by itself; until then the session answers Conflict.
            self.engine.log(format!(
                "note: releasing the lease of a session failed: {error}"
            ));
        }
        drop(self.busy.take());
        let last = std::mem::take(&mut *self.last.lock().unwrap_or_else(|e| e.into_inner()));
        for frame in last {
            let _ = self.sender.send(frame);
        }
        // Dropping `self` drops the sender, which ends the stream.
    }

    /// Renew the lease at a third of its TTL for as long as the turn holds it, so a turn
    /// longer than the TTL never lets another replica into its session. Returns once the
    /// turn no longer holds it (given back by the save) or it cannot be renewed.
    async fn renew_lease(&self) {
        let ttl = lease_ttl();
        loop {
            tokio::time::sleep(ttl / 3).await;
            let held = self.lease.lock().unwrap_or_else(|e| e.into_inner()).clone();
            let Some(lease) = held else { return };
            match self
                .served
                .store
                .acquire(&lease.id, &lease.holder, ttl)
                .await
            {
                Ok(renewed) => {
                    let given_back = {
                        let mut slot = self.lease.lock().unwrap_or_else(|e| e.into_inner());
                        match slot.as_mut() {
                            Some(held) => {
                                *held = renewed.clone();
                                false
                            }
                            None => true,
                        }
                    };
                    if given_back {
                        // The save gave the lease back while this renewal was in flight.
                        let _ = self.served.store.release(&renewed).await;
                        return;
                    }
                }
                Err(error) => {
                    self.engine.log(format!(
                        "note: the lease of a session in a turn could not be renewed: {error}"
                    ));
                    return;
                }
            }
        }
    }

    /// The session as loaded (a new session's is empty).
    fn state(&self) -> &session::SessionState {
        self.loaded.as_ref().map_or(&*NO_STATE, |l| &l.state)
    }

    fn take_lease(&self) -> Option<session::Lease> {
        self.lease.lock().unwrap_or_else(|e| e.into_inner()).take()
    }

    /// The version the turn started from (`None`: a new session).
    fn base_version(&self) -> Option<u64> {
        self.loaded.as_ref().map(|l| l.version)
    }

    /// Record the turn. The lease goes back in the same write where the store can do that,
    /// unless the turn goes on to end the session, which must still hold it; a lease the
    /// save did not give back is released when the turn ends.
    async fn save(&self, update: session::Update) -> Result<u64, session::SessionError> {
        let release = if self.end_session {
            None
        } else {
            self.lease.lock().unwrap_or_else(|e| e.into_inner()).clone()
        };
        let (version, released) = self
            .served
            .store
            .save_loaded(&self.key, update, self.loaded.clone(), release)
            .await?;
        if released {
            self.take_lease();
        }
        Ok(version)
    }

    /// Queue an event that ends the turn (see `last`).
    fn send_last(&self, frame: Bytes) {
        self.last
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(frame);
    }

    fn exception(&self, kind: ErrorKind, message: &str) -> String {
        self.send_last(stream::exception(kind, message));
        self.engine.metrics.error(kind.shape());
        kind.event_member().to_string()
    }

    /// Runs the turn; returns the outcome named in the log line.
    async fn run_inner(&self, measured: &Mutex<Measured>) -> String {
        let served = &self.served;
        let Some(input) = self.input.clone() else {
            // endSession without anything to answer: the session just ends.
            if let Err(e) = served.store.delete(&self.key).await {
                return self.exception(ErrorKind::InternalServer, &e.to_string());
            }
            #[cfg(feature = "harness")]
            if let Backend::Harness(backend) = &served.backend {
                self.stop_runtime_session(backend).await;
            }
            return "session_ended".into();
        };
        let observer = TraceEvents {
            sender: self.sender.clone(),
            agent_id: self.agent_id.clone(),
            alias_id: self.alias_id.clone(),
            session_id: self.session_id.clone(),
            prefix: fresh_hex(8),
            iteration: AtomicU32::new(0),
            dispatcher: Arc::clone(&served.dispatcher),
            tools: Arc::clone(&served.tools),
            send_events: self.enable_trace,
            measured: Mutex::new(Measured::default()),
        };
        let outcome = match &served.backend {
            Backend::Direct {
                model,
                settings,
                history_budget,
            } => {
                self.run_with(&observer, input, model, settings, *history_budget)
                    .await
            }
            #[cfg(feature = "harness")]
            Backend::Harness(backend) => self.run_on_harness(backend, &observer, input).await,
        };
        if let (Ok(mut total), Ok(turn)) = (measured.lock(), observer.measured.lock()) {
            *total = *turn;
        }
        outcome
    }

    async fn run_with(
        &self,
        observer: &TraceEvents,
        input: TurnInput,
        model: &ModelClient,
        settings: &Settings,
        history_budget: usize,
    ) -> String {
        let served = &self.served;
        let mut settings = settings.clone();
        settings.session_id = self.session_id.clone();
        let state = session::SessionState {
            messages: std::mem::take(&mut *self.history.lock().unwrap_or_else(|e| e.into_inner())),
            session_attributes: self.session_attributes.clone(),
            pending: self.state().pending.clone(),
        };
        let runner = Runner::new(model, Arc::clone(&served.dispatcher), None, settings, state);
        let mut runner = match runner {
            Ok(runner) => runner
                .with_agent_ids(&self.agent_id, &self.alias_id)
                .with_prompt_session_attributes(self.prompt_session_attributes.clone()),
            Err(error) => {
                let (kind, message) = exception_of(&error);
                return self.exception(kind, &message);
            }
        };
        runner = runner.with_observer(observer);
        let result = runner.run_keeping(input).await;
        // Keep what happened once the model answered at least once (tools may have had
        // effects), as `agentc run` does; a turn that failed before any answer leaves the
        // session as it was.
        let answered = runner.appended.iter().any(|m| m["role"] == "assistant");
        let saved = if answered {
            let update = session::Update {
                base_version: self.base_version(),
                resumed: runner.resumed,
                appended: std::mem::take(&mut runner.appended),
                session_attributes: runner.session_attributes.clone(),
                pending: runner.pending().cloned(),
                max_history_bytes: history_budget,
                history: Some(runner.take_history()),
            };
            Some(self.save(update).await)
        } else {
            None
        };
        let answer = match result {
            Ok(answer) => answer,
            Err(error) => {
                let (kind, message) = exception_of(&error);
                return self.exception(kind, &message);
            }
        };
        if let Some(Err(error)) = saved {
            return self.exception(
                ErrorKind::InternalServer,
                &format!("the turn was not recorded, so its answer is not sent: {error}"),
            );
        }
        let outcome = match &answer.report.outcome {
            Outcome::Stopped { stop_reason, text } => {
                if self.enable_trace {
                    observer.final_response(text);
                }
                self.send_last(stream::chunk(text));
                stop_reason.clone()
            }
            Outcome::ReturnControl { .. } => {
                let Some(pending) = runner.pending() else {
                    return self.exception(
                        ErrorKind::InternalServer,
                        "the turn returned control without pending calls",
                    );
                };
                let payload = return_control(pending, &served.tools);
                self.send_last(stream::event("returnControl", &payload));
                "return_control".into()
            }
        };
        if self.end_session
            && let Err(error) = served.store.delete(&self.key).await
        {
            return self.exception(ErrorKind::InternalServer, &error.to_string());
        }
        outcome
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::direct::session::PendingCall;
    use crate::serve::route::parse_body;

    fn call(id: &str, group: &str, function: &str, kind: InvocationType) -> PendingCall {
        PendingCall {
            tool_use_id: id.into(),
            name: format!("{group}__{function}"),
            action_group: group.into(),
            function: function.into(),
            input: json!({"city": "Paris", "days": 3}),
            action_invocation_type: kind,
        }
    }

    fn tools() -> HashMap<String, ToolInfo> {
        HashMap::from([
            (
                "weather__forecast".to_string(),
                ToolInfo {
                    api: None,
                    parameters: vec![
                        ("city".into(), "string".into()),
                        ("days".into(), "integer".into()),
                    ],
                },
            ),
            (
                "orders__getOrder".to_string(),
                ToolInfo {
                    api: Some(("get".into(), "/orders/{id}".into())),
                    parameters: vec![],
                },
            ),
        ])
    }

    fn results(json: &str) -> Vec<super::super::route::InvocationResult> {
        parse_body(json.as_bytes())
            .unwrap()
            .session_state
            .unwrap()
            .return_control_invocation_results
            .unwrap()
    }

    #[test]
    fn invocation_ids_are_stable_and_change_with_the_calls() {
        let pending = Pending {
            calls: vec![call("t1", "weather", "forecast", InvocationType::Result)],
            results: vec![],
            service: None,
        };
        let id = invocation_id(&pending);
        assert_eq!(id, invocation_id(&pending.clone()));
        assert_eq!(id.len(), 36);
        let other = Pending {
            calls: vec![call("t2", "weather", "forecast", InvocationType::Result)],
            results: vec![],
            service: None,
        };
        assert_ne!(id, invocation_id(&other));
    }

    #[test]
    fn results_answer_the_pending_calls_by_function_and_by_api_operation() {
        let pending = Pending {
            calls: vec![
                call("t1", "weather", "forecast", InvocationType::Result),
                call("t2", "orders", "getOrder", InvocationType::Result),
            ],
            results: vec![],
            service: None,
        };
        let given = results(
            r#"{"sessionState":{"invocationId":"x","returnControlInvocationResults":[
              {"apiResult":{"actionGroup":"orders","apiPath":"/orders/{id}","httpMethod":"GET","responseBody":{"application/json":{"body":"{\"open\":true}"}}}},
              {"functionResult":{"actionGroup":"weather","function":"forecast","responseBody":{"TEXT":{"body":"sunny"}}}}]}}"#,
        );
        let TurnInput::ToolResults { results, .. } = answers(&pending, &given, &tools()).unwrap()
        else {
            panic!("tool results expected");
        };
        assert_eq!(
            results,
            vec![
                ("t2".to_string(), "{\"open\":true}".to_string()),
                ("t1".to_string(), "sunny".to_string())
            ]
        );
    }

    #[test]
    fn results_that_do_not_answer_every_call_are_refused() {
        let pending = Pending {
            calls: vec![
                call("t1", "weather", "forecast", InvocationType::Result),
                call("t2", "weather", "forecast", InvocationType::Result),
            ],
            results: vec![],
            service: None,
        };
        let one = results(
            r#"{"sessionState":{"invocationId":"x","returnControlInvocationResults":[
              {"functionResult":{"actionGroup":"weather","function":"forecast","responseBody":{"TEXT":{"body":"a"}}}}]}}"#,
        );
        let error = answers(&pending, &one, &tools()).unwrap_err();
        assert_eq!(error.kind, ErrorKind::Validation);
        assert!(
            error.message.contains("no result for weather/forecast"),
            "{error}"
        );
        let wrong = results(
            r#"{"sessionState":{"invocationId":"x","returnControlInvocationResults":[
              {"functionResult":{"actionGroup":"weather","function":"other"}}]}}"#,
        );
        assert!(answers(&pending, &wrong, &tools()).is_err());
    }

    #[test]
    fn confirmations_follow_the_invocation_type() {
        let pending = Pending {
            calls: vec![
                call(
                    "t1",
                    "weather",
                    "forecast",
                    InvocationType::UserConfirmation,
                ),
                call(
                    "t2",
                    "weather",
                    "forecast",
                    InvocationType::UserConfirmationAndResult,
                ),
            ],
            results: vec![],
            service: None,
        };
        let given = results(
            r#"{"sessionState":{"invocationId":"x","returnControlInvocationResults":[
              {"functionResult":{"actionGroup":"weather","function":"forecast","confirmationState":"CONFIRM"}},
              {"functionResult":{"actionGroup":"weather","function":"forecast","confirmationState":"DENY"}}]}}"#,
        );
        let TurnInput::ToolResults { confirmations, .. } =
            answers(&pending, &given, &tools()).unwrap()
        else {
            panic!("tool results expected");
        };
        assert_eq!(
            confirmations,
            vec![("t1".to_string(), true), ("t2".to_string(), false)]
        );
        let unanswered = results(
            r#"{"sessionState":{"invocationId":"x","returnControlInvocationResults":[
              {"functionResult":{"actionGroup":"weather","function":"forecast"}},
              {"functionResult":{"actionGroup":"weather","function":"forecast","responseBody":{"TEXT":{"body":"r"}}}}]}}"#,
        );
        assert!(answers(&pending, &unanswered, &tools()).is_err());
    }

    #[test]
    fn return_control_lists_typed_string_parameters() {
        let pending = Pending {
            calls: vec![call("t1", "weather", "forecast", InvocationType::Result)],
            results: vec![],
            service: None,
        };
        let payload = return_control(&pending, &tools());
        assert_eq!(payload["invocationId"], json!(invocation_id(&pending)));
        assert_eq!(
            payload["invocationInputs"][0]["functionInvocationInput"],
            json!({"actionGroup": "weather", "function": "forecast", "actionInvocationType": "RESULT",
                   "parameters": [{"name": "city", "type": "string", "value": "Paris"},
                                  {"name": "days", "type": "integer", "value": "3"}]})
        );
    }

    #[test]
    fn store_keys_keep_agents_apart() {
        assert_ne!(store_key("AAAAAAAAAA", "s1"), store_key("BBBBBBBBBB", "s1"));
        let long = "s".repeat(100);
        for session in ["s1", long.as_str()] {
            let key = store_key("AAAAAAAAAA", session);
            assert!(session::validate_id(&key).is_ok(), "{key}");
        }
        assert_ne!(
            store_key("AAAAAAAAAA", &long),
            store_key("AAAAAAAAAA", &"t".repeat(100))
        );
        assert_eq!(fresh_hex(8).len(), 8);
        assert_ne!(fresh_hex(16), fresh_hex(16));
    }
}
