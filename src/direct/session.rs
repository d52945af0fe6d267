//! Session memory: a conversation's messages stored between invocations of `agentc run`, so
//! `--session ID` continues it.
//!
//! Two stores, one contract. The default is an embedded SQLite file (`.agentc/sessions.db`,
//! WAL mode, a busy timeout, writes in `BEGIN IMMEDIATE` transactions). For a fleet of hosts,
//! `targets.direct.sessions: dynamodb://TABLE` keeps sessions in DynamoDB with conditional
//! writes. Either way a run only ever *appends* its turn to what is stored: when two runs of
//! one session overlap, the second to finish appends its turn after the first's (both turns
//! are kept, the history stays well-formed) instead of overwriting it. Only resuming a
//! paused turn (`--tool-result`) requires that nobody else changed the session meanwhile.
//!
//! A server (`agentc serve`) needs more: two turns of one session must never interleave, so
//! a turn first takes the session's *lease* ([`Store::acquire`]) and a second concurrent turn
//! is refused ([`SessionError::Busy`]). A lease expires by itself after its time to live, so a
//! crashed replica does not lock a session forever; the holder renews it by acquiring again.
//! `agentc run` takes no lease: two runs of one session both keep their turns (above).

use indexmap::IndexMap;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Default location of the SQLite store, relative to the current directory.
pub const DEFAULT_PATH: &str = ".agentc/sessions.db";

/// What is remembered of a session.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct SessionState {
    /// The conversation in Converse's message JSON (`{"role", "content": [...]}`).
    pub messages: Vec<Value>,
    /// Bedrock Agents-style session attributes, passed to and replaced by action-group Lambdas.
    #[serde(default, skip_serializing_if = "IndexMap::is_empty")]
    pub session_attributes: IndexMap<String, String>,
    /// Tool calls handed back to the caller (`return_control`) and not answered yet.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pending: Option<Pending>,
}

/// A turn paused on `return_control` calls.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Pending {
    /// The calls the caller must answer, in the model's order.
    pub calls: Vec<PendingCall>,
    /// `toolResult` blocks of the same turn's other calls, already run by agentc.
    pub results: Vec<Value>,
    /// What a service-run session needs to resume besides the calls (Bedrock Agents: the
    /// `invocationId` and the returned inputs; both: the request's message, for the Lambda
    /// event); `None` on the direct target.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub service: Option<Value>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PendingCall {
    pub tool_use_id: String,
    pub name: String,
    pub action_group: String,
    pub function: String,
    pub input: Value,
    /// What the caller must answer, as Bedrock Agents' `actionInvocationType` says it (a
    /// session stored before this field existed holds `RESULT` calls only).
    #[serde(default)]
    pub action_invocation_type: InvocationType,
}

/// What a call handed back to the caller waits for (Bedrock Agents' `actionInvocationType`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum InvocationType {
    /// The caller runs it and answers with its result (`--tool-result ID=JSON`).
    #[default]
    Result,
    /// agentc runs it once the user confirms (`--confirm ID`) or tells the model the user
    /// declined (`--deny ID`): a `require_confirmation` function agentc can run itself.
    UserConfirmation,
    /// The caller confirms and runs it (`--tool-result ID=JSON`), or declines (`--deny ID`):
    /// a `require_confirmation` function that returns control.
    UserConfirmationAndResult,
}

/// A stored session and its version (incremented by every write).
#[derive(Debug, Clone, PartialEq)]
pub struct Stored {
    pub state: SessionState,
    pub version: u64,
}

/// What one run changes in a session.
#[derive(Debug, Clone)]
pub struct Update {
    /// The version the run started from (`None`: the session did not exist).
    pub base_version: Option<u64>,
    /// Whether the run answered the session's pending calls.
    pub resumed: bool,
    /// Messages the run added, in order.
    pub appended: Vec<Value>,
    pub session_attributes: IndexMap<String, String>,
    pub pending: Option<Pending>,
    /// Keep at most this many bytes of messages (oldest turns dropped; see `history::trim`).
    pub max_history_bytes: usize,
    /// The whole history after the run, as the runner holds it, when the run started from
    /// the stored state (`base_version`). A save that finds the session unchanged stores it
    /// as it is, neither merging `appended` into a copy of the loaded history nor serializing
    /// the messages again; otherwise it is ignored and `appended` is merged.
    pub history: Option<History>,
}

/// A history and each message's JSON text (`messages[i].to_string()`), kept side by side.
#[derive(Debug, Clone, Default)]
pub struct History {
    pub messages: Vec<Value>,
    pub encoded: Vec<String>,
}

#[derive(Debug, thiserror::Error, miette::Diagnostic)]
pub enum SessionError {
    #[error("session id `{0}` is not valid")]
    #[diagnostic(
        code(agentc::session::id),
        help(
            "use 2 to 100 characters from letters, digits, `.`, `_`, `:` and `-` (the Bedrock Agents session id rules)"
        )
    )]
    InvalidId(String),
    #[error("the session store `{location}` failed: {message}")]
    #[diagnostic(code(agentc::session::store))]
    Store { location: String, message: String },
    #[error("session `{id}` holds data agentc cannot read: {message}")]
    #[diagnostic(
        code(agentc::session::corrupt),
        help("start a new session id; the stored one was written by something else")
    )]
    Corrupt { id: String, message: String },
    #[error(
        "session `{id}` was changed by another run while this run was resuming it; this run's results were not saved"
    )]
    #[diagnostic(
        code(agentc::session::conflict),
        help(
            "inspect the session and run again; only one run may answer a session's pending tool calls"
        )
    )]
    Conflict { id: String },
    #[error(
        "session `{id}` is held by another turn ({holder}) until its lease ends or is released"
    )]
    #[diagnostic(
        code(agentc::session::busy),
        help(
            "wait for that turn to finish and retry; a lease whose holder crashed expires by itself"
        )
    )]
    Busy {
        id: String,
        holder: String,
        /// When the lease ends unless renewed (milliseconds since the Unix epoch).
        until_ms: u64,
    },
    #[error("`targets.direct.sessions: {0}` is not a valid store")]
    #[diagnostic(
        code(agentc::session::location),
        help("use a file path (SQLite) or `dynamodb://TABLE`")
    )]
    BadLocation(String),
}

/// Session ids follow the Bedrock Agents rules, because the id is also the `sessionId` of
/// the action-group Lambda event.
pub fn validate_id(id: &str) -> Result<(), SessionError> {
    let ok = (2..=100).contains(&id.len())
        && id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | ':' | '-'));
    if ok {
        Ok(())
    } else {
        Err(SessionError::InvalidId(id.to_string()))
    }
}

/// Apply a run's update to what is stored now.
pub fn merge(
    id: &str,
    current: Option<&Stored>,
    update: &Update,
) -> Result<SessionState, SessionError> {
    let current_version = current.map(|c| c.version);
    if current_version != update.base_version {
        // Someone else wrote meanwhile. Appending our turn is still correct when neither
        // side is in the middle of a paused turn.
        let current_paused = current.is_some_and(|c| c.state.pending.is_some());
        if update.resumed || current_paused {
            return Err(SessionError::Conflict { id: id.to_string() });
        }
    }
    let mut messages = current
        .map(|c| c.state.messages.clone())
        .unwrap_or_default();
    super::history::append_turn(&mut messages, update.appended.iter().cloned());
    super::history::trim(&mut messages, update.max_history_bytes);
    Ok(SessionState {
        messages,
        session_attributes: update.session_attributes.clone(),
        pending: update.pending.clone(),
    })
}

/// What to store for `update` applied to `current`. `from_start`: `current` is the state the
/// run started from (what it loaded, or no session for a new one), so the run's own history,
/// when the update carries it, is the merge — and `current`'s messages are not read (`serve`
/// hands them to the runner instead of copying them).
fn merged_text(
    id: &str,
    current: Option<&Stored>,
    update: &Update,
    from_start: bool,
) -> Result<String, SessionError> {
    if from_start
        && current.map(|c| c.version) == update.base_version
        && let Some(history) = &update.history
    {
        return Ok(history_text(history, update).unwrap_or_else(|| {
            let mut messages = history.messages.clone();
            super::history::trim(&mut messages, update.max_history_bytes);
            encode(&SessionState {
                messages,
                session_attributes: update.session_attributes.clone(),
                pending: update.pending.clone(),
            })
        }));
    }
    Ok(encode(&merge(id, current, update)?))
}

/// `encode` of the state `history` and `update` make, built from the messages' own texts.
fn history_text(history: &History, update: &Update) -> Option<String> {
    if history.encoded.len() != history.messages.len() {
        return None;
    }
    let sizes: Vec<usize> = history.encoded.iter().map(String::len).collect();
    let start =
        super::history::trim_start_sized(&history.messages, &sizes, update.max_history_bytes);
    let rest = encode(&SessionState {
        messages: Vec::new(),
        session_attributes: update.session_attributes.clone(),
        pending: update.pending.clone(),
    });
    // `messages` is the first field, so the rest follows its empty list.
    let tail = rest.strip_prefix("{\"messages\":[]")?;
    let kept = &history.encoded[start..];
    let mut text =
        String::with_capacity(kept.iter().map(|m| m.len() + 1).sum::<usize>() + rest.len() + 16);
    text.push_str("{\"messages\":[");
    for (i, message) in kept.iter().enumerate() {
        if i > 0 {
            text.push(',');
        }
        text.push_str(message);
    }
    text.push(']');
    text.push_str(tail);
    Some(text)
}

/// A turn's exclusive hold on a session, from [`Store::acquire`] until [`Store::release`]
/// or `until_ms`, whichever comes first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Lease {
    pub id: String,
    /// Who holds it (a replica and request id); acquiring again with the same holder renews.
    pub holder: String,
    /// Milliseconds since the Unix epoch.
    pub until_ms: u64,
}

fn now_ms() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as u64)
}

fn lease_until(now_ms: u64, ttl: std::time::Duration) -> u64 {
    now_ms.saturating_add(ttl.as_millis() as u64)
}

/// Where sessions live.
pub enum Store {
    Sqlite(SqliteStore),
    Dynamo(DynamoStore),
}

impl Store {
    /// Open the store named by `targets.direct.sessions` (default: the SQLite file).
    pub async fn open(
        location: Option<&str>,
        sdk: impl FnOnce() -> aws_config::SdkConfig,
    ) -> Result<Store, SessionError> {
        match location {
            Some(location) if location.starts_with("dynamodb://") => {
                let table = &location["dynamodb://".len()..];
                if table.is_empty() || table.contains('/') {
                    return Err(SessionError::BadLocation(location.to_string()));
                }
                Ok(Store::Dynamo(DynamoStore::new(
                    aws_sdk_dynamodb::Client::new(&sdk()),
                    table,
                )))
            }
            Some(location) if location.contains("://") => {
                Err(SessionError::BadLocation(location.to_string()))
            }
            Some(path) => Ok(Store::Sqlite(SqliteStore::open(Path::new(path))?)),
            None => Ok(Store::Sqlite(SqliteStore::open(Path::new(DEFAULT_PATH))?)),
        }
    }

    pub async fn load(&self, id: &str) -> Result<Option<Stored>, SessionError> {
        match self {
            Store::Sqlite(store) => {
                let id = id.to_string();
                store.blocking(move |s, c| s.load_on(c, &id)).await
            }
            Store::Dynamo(store) => store.load(id).await,
        }
    }

    /// For a long-running server: SQLite's WAL checkpoints leave the writes for a thread of
    /// their own (see [`SqliteStore::checkpoint_in_background`]). DynamoDB has none.
    pub fn checkpoint_in_background(&mut self) -> Result<(), SessionError> {
        match self {
            Store::Sqlite(store) => store.checkpoint_in_background(),
            Store::Dynamo(_) => Ok(()),
        }
    }

    /// Check that a save can succeed, before the first (paid) model call. SQLite: a write in
    /// a transaction that is rolled back. DynamoDB: a `PutItem` whose condition can never
    /// hold (see [`DynamoStore::check_writable`]).
    pub async fn check_writable(&self) -> Result<(), SessionError> {
        match self {
            Store::Sqlite(store) => store.blocking(|s, c| s.check_writable_on(c)).await,
            Store::Dynamo(store) => store.check_writable().await,
        }
    }

    /// Forget a session (InvokeAgent's `endSession`): its history, attributes and pending
    /// calls. Deleting a session that does not exist is not an error.
    pub async fn delete(&self, id: &str) -> Result<(), SessionError> {
        match self {
            Store::Sqlite(store) => {
                let id = id.to_string();
                store.blocking(move |s, c| s.delete_on(c, &id)).await
            }
            Store::Dynamo(store) => store.delete(id).await,
        }
    }

    /// Write a run's update; returns the new version.
    pub async fn save(&self, id: &str, update: &Update) -> Result<u64, SessionError> {
        match self {
            Store::Sqlite(store) => {
                let (id, update) = (id.to_string(), update.clone());
                store
                    .blocking(move |s, c| s.save_loaded_on(c, &id, &update, None, None))
                    .await
            }
            Store::Dynamo(store) => store.save(id, update).await,
        }
    }

    /// Take session `id` for `holder` for `ttl`: refused with [`SessionError::Busy`] while
    /// another holder's lease runs; an expired lease is taken over, and the same holder's is
    /// renewed. Replicas' clocks must agree to well within `ttl` (leases compare wall times).
    pub async fn acquire(
        &self,
        id: &str,
        holder: &str,
        ttl: std::time::Duration,
    ) -> Result<Lease, SessionError> {
        validate_id(id)?;
        match self {
            Store::Sqlite(store) => {
                let (id, holder) = (id.to_string(), holder.to_string());
                store
                    .blocking(move |s, c| s.acquire_at_on(c, &id, &holder, ttl, now_ms()))
                    .await
            }
            Store::Dynamo(store) => store.acquire_at(id, holder, ttl, now_ms()).await,
        }
    }

    /// Give the lease back (a no-op when it expired and another holder took it over).
    pub async fn release(&self, lease: &Lease) -> Result<(), SessionError> {
        match self {
            Store::Sqlite(store) => {
                let lease = lease.clone();
                store.blocking(move |s, c| s.release_on(c, &lease)).await
            }
            Store::Dynamo(store) => store.release(lease).await,
        }
    }

    /// [`Store::acquire`], then [`Store::load`] under the lease: what a turn of `agentc serve`
    /// starts with. SQLite does both in one trip to a blocking thread.
    pub async fn acquire_and_load(
        &self,
        id: &str,
        holder: &str,
        ttl: std::time::Duration,
    ) -> Result<(Lease, Option<Stored>), SessionError> {
        validate_id(id)?;
        match self {
            Store::Sqlite(store) => {
                let (id, holder) = (id.to_string(), holder.to_string());
                store
                    .blocking(move |s, c| {
                        let lease = s.acquire_at_on(c, &id, &holder, ttl, now_ms())?;
                        match s.load_on(c, &id) {
                            Ok(stored) => Ok((lease, stored)),
                            Err(error) => {
                                // Not left held until it expires: the turn never starts.
                                let _ = s.release_on(c, &lease);
                                Err(error)
                            }
                        }
                    })
                    .await
            }
            Store::Dynamo(store) => {
                let lease = store.acquire_at(id, holder, ttl, now_ms()).await?;
                match store.load(id).await {
                    Ok(stored) => Ok((lease, stored)),
                    Err(error) => {
                        let _ = store.release(&lease).await;
                        Err(error)
                    }
                }
            }
        }
    }

    /// [`Store::save`] by a turn that holds the session's lease and still has what it loaded
    /// (`loaded`, at `update.base_version`): when nobody wrote the session meanwhile — the
    /// lease's purpose — the stored history is not read and parsed again. SQLite also gives
    /// `release` back in the save's own transaction. Returns the new version and whether the
    /// lease was given back; it is not when the save fails, nor on DynamoDB, where a separate
    /// release must not turn a recorded turn into a failed save.
    pub async fn save_loaded(
        &self,
        id: &str,
        update: Update,
        loaded: Option<Arc<Stored>>,
        release: Option<Lease>,
    ) -> Result<(u64, bool), SessionError> {
        match self {
            Store::Sqlite(store) => {
                let id = id.to_string();
                let released = release.is_some();
                let version = store
                    .blocking(move |s, c| {
                        s.save_loaded_on(c, &id, &update, loaded.as_deref(), release.as_ref())
                    })
                    .await?;
                Ok((version, released))
            }
            Store::Dynamo(store) => {
                let version = store.save_loaded(id, &update, loaded.as_deref()).await?;
                Ok((version, false))
            }
        }
    }
}

fn decode(id: &str, text: &str) -> Result<SessionState, SessionError> {
    serde_json::from_str(text).map_err(|e| SessionError::Corrupt {
        id: id.to_string(),
        message: e.to_string(),
    })
}

fn encode(state: &SessionState) -> String {
    serde_json::to_string(state).unwrap_or_default()
}

/// The embedded default: one SQLite file, safe for concurrent processes. Cloning shares the
/// connection (so a call can move to a blocking thread).
#[derive(Clone)]
pub struct SqliteStore {
    path: Arc<PathBuf>,
    connection: Arc<std::sync::Mutex<rusqlite::Connection>>,
    /// Set by [`SqliteStore::checkpoint_in_background`]; dropping the last clone stops the
    /// checkpointer.
    checkpointer: Option<Arc<Checkpointer>>,
}

/// The handle of the thread that checkpoints the WAL for a store (see
/// [`SqliteStore::checkpoint_in_background`]): a write marks it dirty, and dropping it ends
/// the thread at its next tick.
struct Checkpointer {
    dirty: Arc<std::sync::atomic::AtomicBool>,
    _stop: std::sync::mpsc::Sender<()>,
}

/// How long a SQLite call waits for another connection's lock before failing.
const BUSY_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(10);

thread_local! {
    /// Set by [`refuse_to_wait`]: the call on this thread met another connection's lock.
    static MET_LOCK: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// SQLite's busy handler while a worker thread runs a call: note the lock and do not wait
/// (SQLite then fails the statement with `SQLITE_BUSY`).
fn refuse_to_wait(_attempts: i32) -> bool {
    MET_LOCK.set(true);
    false
}

/// How often the checkpointer looks for writes to copy into the database: the WAL stays
/// near what 100 ms of writes add (SQLite's own threshold is 1,000 pages, about 4 MB).
const CHECKPOINT_TICK: std::time::Duration = std::time::Duration::from_millis(100);

impl SqliteStore {
    pub fn open(path: &Path) -> Result<Self, SessionError> {
        let fail = |e: &dyn std::fmt::Display| SessionError::Store {
            location: path.display().to_string(),
            message: e.to_string(),
        };
        // Folders made through fsio (a component that is a file is named), and the store
        // itself a regular file: SQLite would open a device or FIFO in place.
        crate::fsio::create_parent_dirs(path).map_err(|e| fail(&e))?;
        crate::fsio::check_target(path, &[]).map_err(|e| fail(&e))?;
        let connection = rusqlite::Connection::open(path).map_err(|e| fail(&e))?;
        // The busy timeout first: the pragmas and the schema below may already meet a lock
        // held by a concurrent run.
        connection
            .busy_timeout(BUSY_TIMEOUT)
            .map_err(|e| fail(&e))?;
        connection
            .pragma_update(None, "journal_mode", "WAL")
            .map_err(|e| fail(&e))?;
        connection
            .pragma_update(None, "synchronous", "NORMAL")
            .map_err(|e| fail(&e))?;
        connection
            .execute_batch(
                "CREATE TABLE IF NOT EXISTS sessions (
                    id TEXT PRIMARY KEY,
                    version INTEGER NOT NULL,
                    state TEXT NOT NULL,
                    updated_at INTEGER NOT NULL
                 );
                 CREATE TABLE IF NOT EXISTS leases (
                    id TEXT PRIMARY KEY,
                    holder TEXT NOT NULL,
                    until_ms INTEGER NOT NULL
                 )",
            )
            .map_err(|e| fail(&e))?;
        Ok(Self {
            path: Arc::new(path.to_path_buf()),
            connection: Arc::new(std::sync::Mutex::new(connection)),
            checkpointer: None,
        })
    }

    /// Move WAL checkpoints off the writes, for a long-running server. SQLite otherwise
    /// checkpoints in the commit that takes the WAL past 1,000 pages: that commit copies the
    /// pages and syncs both files (3–7 ms measured under `serve`'s load, with the connection
    /// held, so the turns queued behind it wait as well) — most of serve's p99. Here the
    /// writes only append to the WAL, and a thread of its own, on a connection of its own,
    /// copies what was written every [`CHECKPOINT_TICK`] in a PASSIVE checkpoint, which takes
    /// no lock a writer or reader waits for. When the thread or its connection cannot be
    /// had, the error says so and SQLite's own checkpoints stay on.
    pub fn checkpoint_in_background(&mut self) -> Result<(), SessionError> {
        if self.checkpointer.is_some() {
            return Ok(());
        }
        let background = rusqlite::Connection::open(&*self.path).map_err(|e| self.fail(e))?;
        let dirty = Arc::new(std::sync::atomic::AtomicBool::new(false));
        let (stop, ticks) = std::sync::mpsc::channel::<()>();
        let marked = Arc::clone(&dirty);
        std::thread::Builder::new()
            .name("agentc-sqlite-checkpoint".into())
            .spawn(move || {
                use std::sync::atomic::Ordering;
                use std::sync::mpsc::RecvTimeoutError;
                while let Err(RecvTimeoutError::Timeout) = ticks.recv_timeout(CHECKPOINT_TICK) {
                    if marked.swap(false, Ordering::AcqRel) {
                        // A checkpoint that fails or meets another one leaves the frames in
                        // the WAL, where readers find them; the next tick copies them.
                        let _ =
                            background.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |_| Ok(()));
                    }
                }
            })
            .map_err(|e| self.fail(e))?;
        self.connection
            .lock()
            .map_err(|e| self.fail(e))?
            .pragma_update(None, "wal_autocheckpoint", 0)
            .map_err(|e| self.fail(e))?;
        self.checkpointer = Some(Arc::new(Checkpointer { dirty, _stop: stop }));
        Ok(())
    }

    /// Tell the checkpointer, if any, that the WAL has frames to copy.
    fn wrote(&self) {
        if let Some(checkpointer) = &self.checkpointer {
            checkpointer
                .dirty
                .store(true, std::sync::atomic::Ordering::Release);
        }
    }

    /// Run `call` on the connection without stalling a runtime worker, on which every other
    /// request's I/O runs. A worker may run it itself when nothing can make it wait: the
    /// connection is free and SQLite is told not to wait for another connection's lock — a
    /// call then takes a tenth of a millisecond or so, and runs without the two thread
    /// switches of a trip to the blocking pool (which `serve`'s p99 paid for whenever the
    /// other core was busy). A call that would have to wait, for the connection or for a
    /// lock, runs on tokio's blocking pool instead, where it may wait up to the busy
    /// timeout. So `call` may run twice, but only after its first run met a lock: every
    /// call here is one transaction (or statement) that SQLite refused whole, or a read.
    async fn blocking<T: Send + 'static>(
        &self,
        call: impl Fn(&SqliteStore, &mut rusqlite::Connection) -> Result<T, SessionError>
        + Send
        + 'static,
    ) -> Result<T, SessionError> {
        if let Ok(mut connection) = self.connection.try_lock()
            && let Some(result) = self.without_waiting(&mut connection, &call)
        {
            return result;
        }
        let store = self.clone();
        tokio::task::spawn_blocking(move || store.locked(|c| call(&store, c)))
            .await
            .map_err(|e| self.fail(e))?
    }

    /// `call` on the connection, on this thread (the synchronous API, for `agentc run`).
    fn locked<T>(
        &self,
        call: impl FnOnce(&mut rusqlite::Connection) -> Result<T, SessionError>,
    ) -> Result<T, SessionError> {
        let mut connection = self.connection.lock().map_err(|e| self.fail(e))?;
        call(&mut connection)
    }

    /// `call` with SQLite refusing to wait for a lock; `None` if it met one (the call failed
    /// whole, and should run again where it may wait).
    fn without_waiting<T>(
        &self,
        connection: &mut rusqlite::Connection,
        call: &impl Fn(&SqliteStore, &mut rusqlite::Connection) -> Result<T, SessionError>,
    ) -> Option<Result<T, SessionError>> {
        MET_LOCK.set(false);
        connection.busy_handler(Some(refuse_to_wait)).ok()?;
        let result = call(self, connection);
        let met = MET_LOCK.replace(false);
        // Waiting again, for the blocking pool and for `agentc run`.
        if let Err(error) = connection.busy_timeout(BUSY_TIMEOUT) {
            return Some(Err(self.fail(error)));
        }
        (!met).then_some(result)
    }

    /// See [`Store::check_writable`]: a read-only file or folder, a full disk's refusal to
    /// take a lock, or a foreign file at the path fails here instead of after the answer.
    pub fn check_writable(&self) -> Result<(), SessionError> {
        let mut connection = self
            .connection
            .lock()
            .map_err(|_| self.fail("an earlier use of the store failed mid-way"))?;
        self.check_writable_on(&mut connection)
    }

    fn check_writable_on(&self, connection: &mut rusqlite::Connection) -> Result<(), SessionError> {
        connection
            .execute_batch(
                "BEGIN IMMEDIATE;
                 INSERT OR REPLACE INTO sessions VALUES ('agentc-write-check', 0, '', 0);
                 ROLLBACK;",
            )
            .map_err(|e| {
                let _ = connection.execute_batch("ROLLBACK");
                self.fail(e)
            })
    }

    fn fail(&self, error: impl std::fmt::Display) -> SessionError {
        SessionError::Store {
            location: self.path.display().to_string(),
            message: error.to_string(),
        }
    }

    fn read(
        connection: &rusqlite::Connection,
        id: &str,
    ) -> rusqlite::Result<Option<(String, u64)>> {
        use rusqlite::OptionalExtension;
        // Cached: parsing the statement again on every turn showed in the serve profile.
        connection
            .prepare_cached("SELECT state, version FROM sessions WHERE id = ?1")?
            .query_row([id], |row| {
                Ok((row.get::<_, String>(0)?, row.get::<_, i64>(1)? as u64))
            })
            .optional()
    }

    pub fn load(&self, id: &str) -> Result<Option<Stored>, SessionError> {
        self.locked(|c| self.load_on(c, id))
    }

    fn load_on(
        &self,
        connection: &mut rusqlite::Connection,
        id: &str,
    ) -> Result<Option<Stored>, SessionError> {
        match Self::read(connection, id).map_err(|e| self.fail(e))? {
            None => Ok(None),
            Some((text, version)) => Ok(Some(Stored {
                state: decode(id, &text)?,
                version,
            })),
        }
    }

    pub fn delete(&self, id: &str) -> Result<(), SessionError> {
        self.locked(|c| self.delete_on(c, id))
    }

    fn delete_on(
        &self,
        connection: &mut rusqlite::Connection,
        id: &str,
    ) -> Result<(), SessionError> {
        connection
            .execute("DELETE FROM sessions WHERE id = ?1", [id])
            .map_err(|e| self.fail(e))?;
        self.wrote();
        Ok(())
    }

    pub fn save(&self, id: &str, update: &Update) -> Result<u64, SessionError> {
        self.save_loaded(id, update, None, None)
    }

    /// See [`Store::save_loaded`]. `loaded: None` only says nothing was loaded: the stored
    /// session, if any, is then read as by [`SqliteStore::save`].
    pub fn save_loaded(
        &self,
        id: &str,
        update: &Update,
        loaded: Option<&Stored>,
        release: Option<&Lease>,
    ) -> Result<u64, SessionError> {
        self.locked(|c| self.save_loaded_on(c, id, update, loaded, release))
    }

    fn save_loaded_on(
        &self,
        connection: &mut rusqlite::Connection,
        id: &str,
        update: &Update,
        loaded: Option<&Stored>,
        release: Option<&Lease>,
    ) -> Result<u64, SessionError> {
        use rusqlite::OptionalExtension;
        // IMMEDIATE takes the write lock before reading, so read-merge-write is atomic
        // across processes (a deferred transaction could deadlock upgrading its lock).
        let transaction = connection
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
            .map_err(|e| self.fail(e))?;
        // Every write bumps the version, so the version loaded is the state loaded (a delete
        // and re-create restarts at 1, but not while the lease is held).
        let unchanged = match loaded {
            Some(loaded) => {
                let version_now = transaction
                    .prepare_cached("SELECT version FROM sessions WHERE id = ?1")
                    .and_then(|mut statement| {
                        statement
                            .query_row([id], |row| Ok(row.get::<_, i64>(0)? as u64))
                            .optional()
                    })
                    .map_err(|e| self.fail(e))?;
                (version_now == Some(loaded.version)).then_some(loaded)
            }
            None => None,
        };
        let reread;
        let current = match unchanged {
            Some(loaded) => Some(loaded),
            None => {
                reread = match Self::read(&transaction, id).map_err(|e| self.fail(e))? {
                    None => None,
                    Some((text, version)) => Some(Stored {
                        state: decode(id, &text)?,
                        version,
                    }),
                };
                reread.as_ref()
            }
        };
        let from_start = unchanged.is_some() || (loaded.is_none() && current.is_none());
        let text = merged_text(id, current, update, from_start)?;
        let version = current.map_or(1, |c| c.version + 1);
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs() as i64);
        transaction
            .prepare_cached(
                "INSERT INTO sessions (id, version, state, updated_at) VALUES (?1, ?2, ?3, ?4)
                 ON CONFLICT(id) DO UPDATE SET version = ?2, state = ?3, updated_at = ?4",
            )
            .and_then(|mut statement| {
                statement.execute(rusqlite::params![id, version as i64, text, now])
            })
            .map_err(|e| self.fail(e))?;
        if let Some(lease) = release {
            transaction
                .prepare_cached("DELETE FROM leases WHERE id = ?1 AND holder = ?2")
                .and_then(|mut statement| {
                    statement.execute(rusqlite::params![lease.id, lease.holder])
                })
                .map_err(|e| self.fail(e))?;
        }
        transaction.commit().map_err(|e| self.fail(e))?;
        self.wrote();
        Ok(version)
    }
}

impl SqliteStore {
    /// [`Store::acquire`] at time `now_ms`: read and write in one `BEGIN IMMEDIATE`
    /// transaction, so two processes cannot both see the lease free.
    pub fn acquire_at(
        &self,
        id: &str,
        holder: &str,
        ttl: std::time::Duration,
        now_ms: u64,
    ) -> Result<Lease, SessionError> {
        self.locked(|c| self.acquire_at_on(c, id, holder, ttl, now_ms))
    }

    fn acquire_at_on(
        &self,
        connection: &mut rusqlite::Connection,
        id: &str,
        holder: &str,
        ttl: std::time::Duration,
        now_ms: u64,
    ) -> Result<Lease, SessionError> {
        use rusqlite::OptionalExtension;
        let transaction = connection
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
            .map_err(|e| self.fail(e))?;
        let current = transaction
            .prepare_cached("SELECT holder, until_ms FROM leases WHERE id = ?1")
            .and_then(|mut statement| {
                statement
                    .query_row([id], |row| {
                        Ok((row.get::<_, String>(0)?, row.get::<_, i64>(1)? as u64))
                    })
                    .optional()
            })
            .map_err(|e| self.fail(e))?;
        if let Some((current_holder, until_ms)) = current
            && current_holder != holder
            && until_ms > now_ms
        {
            // Dropping the transaction rolls it back.
            return Err(SessionError::Busy {
                id: id.to_string(),
                holder: current_holder,
                until_ms,
            });
        }
        let until_ms = lease_until(now_ms, ttl);
        transaction
            .prepare_cached(
                "INSERT INTO leases (id, holder, until_ms) VALUES (?1, ?2, ?3)
                 ON CONFLICT(id) DO UPDATE SET holder = ?2, until_ms = ?3",
            )
            .and_then(|mut statement| {
                statement.execute(rusqlite::params![id, holder, until_ms as i64])
            })
            .map_err(|e| self.fail(e))?;
        transaction.commit().map_err(|e| self.fail(e))?;
        self.wrote();
        Ok(Lease {
            id: id.to_string(),
            holder: holder.to_string(),
            until_ms,
        })
    }

    pub fn release(&self, lease: &Lease) -> Result<(), SessionError> {
        self.locked(|c| self.release_on(c, lease))
    }

    fn release_on(
        &self,
        connection: &mut rusqlite::Connection,
        lease: &Lease,
    ) -> Result<(), SessionError> {
        connection
            .prepare_cached("DELETE FROM leases WHERE id = ?1 AND holder = ?2")
            .and_then(|mut statement| statement.execute(rusqlite::params![lease.id, lease.holder]))
            .map_err(|e| self.fail(e))?;
        self.wrote();
        Ok(())
    }
}

/// Sessions in a DynamoDB table whose partition key is the string attribute `session_id`.
/// Items: `session_id` (S), `version` (N), `state` (S, the session JSON), `updated_at` (N).
/// A session's lease is an item of its own, `session_id` = `lease#ID` (`#` is never in a
/// session id), with `lease_holder` (S) and `lease_until` (N, ms since the epoch): a lease
/// never rewrites the session item, so saves stay as they were.
pub struct DynamoStore {
    client: aws_sdk_dynamodb::Client,
    table: String,
}

/// How often a save re-reads and retries when another run's write won the race.
const DYNAMO_SAVE_ROUNDS: usize = 20;

/// The key prefix of lease items (a session id never contains `#`: [`validate_id`]).
const LEASE_PREFIX: &str = "lease#";

impl DynamoStore {
    pub fn new(client: aws_sdk_dynamodb::Client, table: &str) -> Self {
        Self {
            client,
            table: table.to_string(),
        }
    }

    fn fail(&self, error: impl std::fmt::Display) -> SessionError {
        SessionError::Store {
            location: format!("dynamodb://{}", self.table),
            message: error.to_string(),
        }
    }

    fn describe<E: std::error::Error>(error: &E) -> String {
        crate::diag::error_chain(error)
    }

    pub async fn delete(&self, id: &str) -> Result<(), SessionError> {
        use aws_sdk_dynamodb::types::AttributeValue;
        self.client
            .delete_item()
            .table_name(&self.table)
            .key("session_id", AttributeValue::S(id.to_string()))
            .send()
            .await
            .map_err(|e| self.fail(Self::describe(&e)))?;
        Ok(())
    }

    pub async fn load(&self, id: &str) -> Result<Option<Stored>, SessionError> {
        use aws_sdk_dynamodb::types::AttributeValue;
        let output = self
            .client
            .get_item()
            .table_name(&self.table)
            .key("session_id", AttributeValue::S(id.to_string()))
            .consistent_read(true)
            .send()
            .await
            .map_err(|e| self.fail(Self::describe(&e)))?;
        let Some(item) = output.item() else {
            return Ok(None);
        };
        let text = item
            .get("state")
            .and_then(|v| v.as_s().ok())
            .ok_or_else(|| SessionError::Corrupt {
                id: id.to_string(),
                message: "the item has no string attribute `state`".into(),
            })?;
        let version = item
            .get("version")
            .and_then(|v| v.as_n().ok())
            .and_then(|n| n.parse::<u64>().ok())
            .ok_or_else(|| SessionError::Corrupt {
                id: id.to_string(),
                message: "the item has no numeric attribute `version`".into(),
            })?;
        Ok(Some(Stored {
            state: decode(id, text)?,
            version,
        }))
    }

    /// A `PutItem` with a condition that can never hold: DynamoDB checks the table, the key
    /// schema and the caller's `dynamodb:PutItem` permission before it evaluates the
    /// condition, so `ConditionalCheckFailed` proves a save would be accepted, and nothing is
    /// ever written. A missing table or a denied write fails here, before a paid model call.
    pub async fn check_writable(&self) -> Result<(), SessionError> {
        use aws_sdk_dynamodb::types::AttributeValue;
        let result = self
            .client
            .put_item()
            .table_name(&self.table)
            .item(
                "session_id",
                AttributeValue::S("agentc-write-check".to_string()),
            )
            .condition_expression(
                "attribute_exists(session_id) AND attribute_not_exists(session_id)",
            )
            .send()
            .await;
        match result {
            Err(error)
                if error
                    .as_service_error()
                    .is_some_and(|e| e.is_conditional_check_failed_exception()) =>
            {
                Ok(())
            }
            // Cannot happen (the condition never holds), but would mean the write went through.
            Ok(_) => Ok(()),
            Err(error) => Err(self.fail(Self::describe(&error))),
        }
    }

    pub async fn save(&self, id: &str, update: &Update) -> Result<u64, SessionError> {
        self.save_loaded(id, update, None).await
    }

    /// See [`Store::save_loaded`]: the first round's conditional `PutItem` is made against
    /// `loaded` (at `update.base_version`) without a `GetItem`; a lost race reads as before.
    pub async fn save_loaded(
        &self,
        id: &str,
        update: &Update,
        loaded: Option<&Stored>,
    ) -> Result<u64, SessionError> {
        use aws_sdk_dynamodb::types::AttributeValue;
        let mut known = loaded.filter(|l| Some(l.version) == update.base_version);
        for _ in 0..DYNAMO_SAVE_ROUNDS {
            let reread;
            let (current, from_start) = match known.take() {
                Some(loaded) => (Some(loaded), true),
                None => {
                    reread = self.load(id).await?;
                    let new_session = loaded.is_none() && reread.is_none();
                    (reread.as_ref(), new_session)
                }
            };
            let text = merged_text(id, current, update, from_start)?;
            let version = current.map_or(1, |c| c.version + 1);
            let now = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.as_secs());
            let mut request = self
                .client
                .put_item()
                .table_name(&self.table)
                .item("session_id", AttributeValue::S(id.to_string()))
                .item("version", AttributeValue::N(version.to_string()))
                .item("state", AttributeValue::S(text))
                .item("updated_at", AttributeValue::N(now.to_string()));
            request = match current {
                None => request.condition_expression("attribute_not_exists(session_id)"),
                Some(current) => request
                    .condition_expression("version = :expected")
                    .expression_attribute_values(
                        ":expected",
                        AttributeValue::N(current.version.to_string()),
                    ),
            };
            match request.send().await {
                Ok(_) => return Ok(version),
                Err(error) => {
                    let lost_race = error
                        .as_service_error()
                        .is_some_and(|e| e.is_conditional_check_failed_exception());
                    if !lost_race {
                        return Err(self.fail(Self::describe(&error)));
                    }
                }
            }
        }
        Err(self.fail(format!(
            "gave up after {DYNAMO_SAVE_ROUNDS} conflicting concurrent writes"
        )))
    }
}

impl DynamoStore {
    /// [`Store::acquire`] at time `now_ms`: one conditional `PutItem` on the lease item, which
    /// succeeds when there is no lease, it has expired, or it is this holder's.
    pub async fn acquire_at(
        &self,
        id: &str,
        holder: &str,
        ttl: std::time::Duration,
        now_ms: u64,
    ) -> Result<Lease, SessionError> {
        use aws_sdk_dynamodb::types::AttributeValue;
        let until_ms = lease_until(now_ms, ttl);
        let result = self
            .client
            .put_item()
            .table_name(&self.table)
            .item("session_id", AttributeValue::S(format!("{LEASE_PREFIX}{id}")))
            .item("lease_holder", AttributeValue::S(holder.to_string()))
            .item("lease_until", AttributeValue::N(until_ms.to_string()))
            .condition_expression(
                "attribute_not_exists(lease_until) OR lease_until <= :now OR lease_holder = :holder",
            )
            .expression_attribute_values(":now", AttributeValue::N(now_ms.to_string()))
            .expression_attribute_values(":holder", AttributeValue::S(holder.to_string()))
            .send()
            .await;
        match result {
            Ok(_) => Ok(Lease {
                id: id.to_string(),
                holder: holder.to_string(),
                until_ms,
            }),
            Err(error)
                if error
                    .as_service_error()
                    .is_some_and(|e| e.is_conditional_check_failed_exception()) =>
            {
                // Who holds it, for the error (best effort: it may have been released since).
                let (holder, until_ms) = self.lease_of(id).await.unwrap_or_default();
                Err(SessionError::Busy {
                    id: id.to_string(),
                    holder,
                    until_ms,
                })
            }
            Err(error) => Err(self.fail(Self::describe(&error))),
        }
    }

    async fn lease_of(&self, id: &str) -> Option<(String, u64)> {
        use aws_sdk_dynamodb::types::AttributeValue;
        let output = self
            .client
            .get_item()
            .table_name(&self.table)
            .key(
                "session_id",
                AttributeValue::S(format!("{LEASE_PREFIX}{id}")),
            )
            .consistent_read(true)
            .send()
            .await
            .ok()?;
        let item = output.item()?;
        let holder = item.get("lease_holder")?.as_s().ok()?.clone();
        let until = item.get("lease_until")?.as_n().ok()?.parse().ok()?;
        Some((holder, until))
    }

    /// Delete the lease item if this holder still has it (a conditional `DeleteItem`).
    pub async fn release(&self, lease: &Lease) -> Result<(), SessionError> {
        use aws_sdk_dynamodb::types::AttributeValue;
        let result = self
            .client
            .delete_item()
            .table_name(&self.table)
            .key(
                "session_id",
                AttributeValue::S(format!("{LEASE_PREFIX}{}", lease.id)),
            )
            .condition_expression("lease_holder = :holder")
            .expression_attribute_values(":holder", AttributeValue::S(lease.holder.clone()))
            .send()
            .await;
        match result {
            Ok(_) => Ok(()),
            Err(error)
                if error
                    .as_service_error()
                    .is_some_and(|e| e.is_conditional_check_failed_exception()) =>
            {
                Ok(())
            }
            Err(error) => Err(self.fail(Self::describe(&error))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_write_check_leaves_nothing_behind_and_fails_on_a_read_only_store() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sessions.db");
        let store = SqliteStore::open(&path).unwrap();
        store.check_writable().unwrap();
        assert!(store.load("agentc-write-check").unwrap().is_none());
        drop(store);
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o444)).unwrap();
        // Root writes read-only files; the check means something only for other users.
        if rustix::process::geteuid().is_root() {
            return;
        }
        let store = SqliteStore::open(&path);
        let failed = store.map_or(true, |s| s.check_writable().is_err());
        assert!(failed, "a read-only store must fail before the model call");
    }
    use serde_json::json;

    fn turn(text: &str) -> Vec<Value> {
        vec![
            json!({"role": "user", "content": [{"text": text}]}),
            json!({"role": "assistant", "content": [{"text": format!("re: {text}")}]}),
        ]
    }

    fn update(base: Option<u64>, text: &str) -> Update {
        Update {
            base_version: base,
            resumed: false,
            appended: turn(text),
            session_attributes: IndexMap::new(),
            pending: None,
            max_history_bytes: usize::MAX,
            history: None,
        }
    }

    /// The history a runner ends with: `start` with `appended` pushed as the runner pushes.
    fn runner_history(start: &[Value], appended: &[Value]) -> History {
        let mut messages = start.to_vec();
        super::super::history::append_turn(&mut messages, appended.iter().cloned());
        let encoded = messages.iter().map(Value::to_string).collect();
        History { messages, encoded }
    }

    #[test]
    fn the_runners_history_is_stored_as_the_merge_would_store_it() {
        let mut loaded_messages = turn("one");
        // A turn cut short ends on tool results: the next user text joins that message.
        loaded_messages.push(json!({"role": "user", "content": [
            {"toolResult": {"toolUseId": "t1", "content": [{"text": "ok"}], "status": "success"}}
        ]}));
        let loaded = Stored {
            state: SessionState {
                messages: loaded_messages.clone(),
                session_attributes: IndexMap::from([("k".to_string(), "v".to_string())]),
                pending: None,
            },
            version: 4,
        };
        for budget in [usize::MAX, 120] {
            let mut update = update(Some(4), "two");
            update.max_history_bytes = budget;
            update.session_attributes = IndexMap::from([("k".to_string(), "w".to_string())]);
            let merged = merged_text("s", Some(&loaded), &update, true).unwrap();
            update.history = Some(runner_history(&loaded_messages, &update.appended));
            let fast = merged_text("s", Some(&loaded), &update, true).unwrap();
            assert_eq!(fast, merged, "budget {budget}");
            // serve hands the loaded messages to the runner: the save must not need them,
            // from the messages' texts or (were they missing) from the messages themselves.
            let mut taken = loaded.clone();
            taken.state.messages.clear();
            assert_eq!(
                merged_text("s", Some(&taken), &update, true).unwrap(),
                merged,
                "budget {budget}"
            );
            let mut without_texts = update.clone();
            if let Some(history) = without_texts.history.as_mut() {
                history.encoded.clear();
            }
            assert_eq!(
                merged_text("s", Some(&taken), &without_texts, true).unwrap(),
                merged,
                "budget {budget}"
            );
        }
        // A new session: nothing loaded, nothing stored.
        let mut new = update(None, "first");
        let merged = merged_text("s", None, &new, true).unwrap();
        new.history = Some(runner_history(&[], &new.appended));
        assert_eq!(merged_text("s", None, &new, true).unwrap(), merged);
    }

    #[test]
    fn a_history_from_another_start_is_not_stored() {
        let loaded = Stored {
            state: SessionState {
                messages: turn("one"),
                ..SessionState::default()
            },
            version: 1,
        };
        // Someone else wrote version 2 meanwhile: their turn is kept, ours appended.
        let theirs = Stored {
            state: SessionState {
                messages: [turn("one"), turn("theirs")].concat(),
                ..SessionState::default()
            },
            version: 2,
        };
        let mut update = update(Some(1), "ours");
        update.history = Some(runner_history(&loaded.state.messages, &update.appended));
        for from_start in [true, false] {
            let text = merged_text("s", Some(&theirs), &update, from_start).unwrap();
            let state = decode("s", &text).unwrap();
            assert_eq!(state.messages.len(), 6, "{text}");
            assert_eq!(state.messages[2]["content"][0]["text"], "theirs");
        }
        // Not from the start, even at the same version: merged.
        let text = merged_text("s", Some(&loaded), &update, false).unwrap();
        assert_eq!(decode("s", &text).unwrap().messages.len(), 4);
    }

    #[test]
    fn ids_follow_the_agents_rules() {
        assert!(validate_id("sess-01.a:b_c").is_ok());
        assert!(validate_id("x").is_err());
        assert!(validate_id("has space").is_err());
        assert!(validate_id(&"a".repeat(101)).is_err());
    }

    #[test]
    fn sqlite_appends_turns_and_keeps_concurrent_ones() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("s.db");
        let store = SqliteStore::open(&path).expect("open");
        assert_eq!(store.load("s1").expect("load"), None);
        assert_eq!(store.save("s1", &update(None, "one")).expect("save"), 1);
        // Two runs both started from version 1: the second appends after the first.
        let other = SqliteStore::open(&path).expect("second connection");
        assert_eq!(store.save("s1", &update(Some(1), "two")).expect("save"), 2);
        assert_eq!(
            other.save("s1", &update(Some(1), "three")).expect("save"),
            3
        );
        let stored = store.load("s1").expect("load").expect("exists");
        assert_eq!(stored.version, 3);
        assert_eq!(stored.state.messages.len(), 6);
        assert_eq!(stored.state.messages[4]["content"][0]["text"], "three");
    }

    /// A call that meets another connection's lock neither fails (the worker's no-wait try
    /// is retried) nor stalls the runtime while it waits: on a one-thread runtime, a ticker
    /// task keeps ticking through the wait.
    #[tokio::test]
    async fn a_store_call_that_meets_a_lock_waits_off_the_runtime() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("s.db");
        let store = Store::Sqlite(SqliteStore::open(&path).expect("open"));
        // Another process's write in progress.
        let other = rusqlite::Connection::open(&path).expect("other connection");
        other.execute_batch("BEGIN IMMEDIATE").expect("lock");
        let holder = std::thread::spawn(move || {
            std::thread::sleep(std::time::Duration::from_millis(400));
            other.execute_batch("COMMIT").expect("unlock");
        });
        let ticks = Arc::new(std::sync::atomic::AtomicU32::new(0));
        let ticker = {
            let ticks = Arc::clone(&ticks);
            tokio::spawn(async move {
                loop {
                    tokio::time::sleep(std::time::Duration::from_millis(20)).await;
                    ticks.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                }
            })
        };
        let started = std::time::Instant::now();
        let version = store
            .save("s1", &update(None, "one"))
            .await
            .expect("saved once the lock is free");
        let waited = started.elapsed();
        ticker.abort();
        holder.join().expect("holder");
        assert_eq!(version, 1);
        assert!(
            waited >= std::time::Duration::from_millis(300),
            "the save did not wait for the lock: {waited:?}"
        );
        let ticked = ticks.load(std::sync::atomic::Ordering::SeqCst);
        assert!(
            ticked >= 5,
            "the runtime stalled while the save waited ({ticked} ticks in {waited:?})"
        );
        // A call that meets no lock runs on the worker; either way the connection is left
        // waiting for locks again, as the blocking pool and `agentc run` expect.
        assert_eq!(
            store
                .save("s1", &update(Some(1), "two"))
                .await
                .expect("save"),
            2
        );
        let busy_timeout: i64 = match &store {
            Store::Sqlite(s) => s
                .connection
                .lock()
                .expect("connection")
                .query_row("PRAGMA busy_timeout", [], |row| row.get(0))
                .expect("pragma"),
            Store::Dynamo(_) => unreachable!(),
        };
        assert_eq!(busy_timeout, BUSY_TIMEOUT.as_millis() as i64);
    }

    /// With the background checkpointer, a commit leaves its pages in the WAL (no checkpoint
    /// in the write) and the thread copies them into the database file within a few ticks.
    #[test]
    fn sqlite_checkpoints_in_the_background_not_in_the_write() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("s.db");
        let mut store = SqliteStore::open(&path).expect("open");
        store.checkpoint_in_background().expect("checkpointer");
        let autocheckpoint: i64 = store
            .connection
            .lock()
            .expect("connection")
            .query_row("PRAGMA wal_autocheckpoint", [], |row| row.get(0))
            .expect("pragma");
        assert_eq!(autocheckpoint, 0, "the writes must not checkpoint");
        let marker = "checkpointed-by-the-background-thread";
        store.save("s1", &update(None, marker)).expect("save");
        // Below SQLite's own 1,000-page threshold, only the thread puts the turn in the file.
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
        loop {
            let file = std::fs::read(&path).expect("database file");
            if file.windows(marker.len()).any(|w| w == marker.as_bytes()) {
                break;
            }
            assert!(
                std::time::Instant::now() < deadline,
                "the turn never reached the database file"
            );
            std::thread::sleep(CHECKPOINT_TICK);
        }
        // The WAL's frames are still there to read through the store, and dropping the store
        // (which ends the thread) does not lose them.
        drop(store);
        let reopened = SqliteStore::open(&path).expect("reopen");
        assert_eq!(
            reopened.load("s1").expect("load").expect("saved").version,
            1
        );
    }

    #[test]
    fn resuming_a_session_someone_else_changed_is_a_conflict() {
        let current = Stored {
            state: SessionState {
                messages: turn("a"),
                ..Default::default()
            },
            version: 2,
        };
        let mut resumed = update(Some(1), "b");
        resumed.resumed = true;
        assert!(matches!(
            merge("s", Some(&current), &resumed),
            Err(SessionError::Conflict { .. })
        ));
        assert!(merge("s", Some(&current), &update(Some(1), "b")).is_ok());
    }

    #[test]
    fn a_lease_excludes_a_second_holder_until_released_or_expired() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("s.db");
        let a = SqliteStore::open(&path).unwrap();
        // A second connection, as a second process would have.
        let b = SqliteStore::open(&path).unwrap();
        let ttl = std::time::Duration::from_secs(30);
        let lease = a.acquire_at("s1", "replica-a/req-1", ttl, 1_000).unwrap();
        assert_eq!(lease.until_ms, 31_000);
        match b.acquire_at("s1", "replica-b/req-2", ttl, 2_000) {
            Err(SessionError::Busy {
                id,
                holder,
                until_ms,
            }) => {
                assert_eq!((id.as_str(), holder.as_str()), ("s1", "replica-a/req-1"));
                assert_eq!(until_ms, 31_000);
            }
            other => panic!("expected Busy, got {other:?}"),
        }
        // Another session is not affected.
        assert!(b.acquire_at("s2", "replica-b/req-2", ttl, 2_000).is_ok());
        // The holder renews its own lease.
        let renewed = a.acquire_at("s1", "replica-a/req-1", ttl, 20_000).unwrap();
        assert_eq!(renewed.until_ms, 50_000);
        // Releasing someone else's lease does nothing; releasing one's own frees it.
        b.release(&Lease {
            id: "s1".into(),
            holder: "replica-b/req-2".into(),
            until_ms: 0,
        })
        .unwrap();
        assert!(b.acquire_at("s1", "replica-b/req-3", ttl, 21_000).is_err());
        a.release(&renewed).unwrap();
        let taken = b.acquire_at("s1", "replica-b/req-3", ttl, 21_000).unwrap();
        assert_eq!(taken.holder, "replica-b/req-3");
    }

    /// The user text of each turn `turn` stored.
    fn user_texts(stored: &Stored) -> Vec<Value> {
        stored
            .state
            .messages
            .iter()
            .step_by(2)
            .map(|m| m["content"][0]["text"].clone())
            .collect()
    }

    #[test]
    fn a_save_by_the_lease_holder_uses_what_it_loaded_and_gives_the_lease_back() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("s.db");
        let store = SqliteStore::open(&path).unwrap();
        let ttl = std::time::Duration::from_secs(60);
        store.save("s1", &update(None, "one")).unwrap();
        let lease = store.acquire_at("s1", "a", ttl, now_ms()).unwrap();
        let loaded = store.load("s1").unwrap().unwrap();
        // While the version is the one loaded, the row is not read again: a state that no
        // longer parses goes unnoticed (a re-read would fail with Corrupt).
        store
            .connection
            .lock()
            .unwrap()
            .execute("UPDATE sessions SET state = 'not json' WHERE id = 's1'", [])
            .unwrap();
        let saved = store
            .save_loaded("s1", &update(Some(1), "two"), Some(&loaded), Some(&lease))
            .unwrap();
        assert_eq!(saved, 2);
        let stored = store.load("s1").unwrap().unwrap();
        assert_eq!(user_texts(&stored), ["one", "two"]);
        // The lease went back in the same transaction.
        let lease = store.acquire_at("s1", "b", ttl, now_ms()).unwrap();

        // Written by another connection meanwhile: read and merged, as `save` does.
        let other = SqliteStore::open(&path).unwrap();
        other.save("s1", &update(Some(2), "three")).unwrap();
        let saved = store
            .save_loaded("s1", &update(Some(2), "four"), Some(&stored), None)
            .unwrap();
        assert_eq!(saved, 4);
        assert_eq!(
            user_texts(&store.load("s1").unwrap().unwrap()),
            ["one", "two", "three", "four"]
        );

        // A save that fails (resuming a session changed meanwhile) keeps the lease.
        let mut resumed = update(Some(2), "five");
        resumed.resumed = true;
        assert!(matches!(
            store.save_loaded("s1", &resumed, Some(&stored), Some(&lease)),
            Err(SessionError::Conflict { .. })
        ));
        assert!(matches!(
            other.acquire_at("s1", "c", ttl, now_ms()),
            Err(SessionError::Busy { .. })
        ));
    }

    #[test]
    fn an_expired_lease_is_taken_over() {
        let dir = tempfile::tempdir().unwrap();
        let store = SqliteStore::open(&dir.path().join("s.db")).unwrap();
        let ttl = std::time::Duration::from_millis(500);
        let crashed = store.acquire_at("s1", "crashed", ttl, 10_000).unwrap();
        assert!(store.acquire_at("s1", "next", ttl, 10_499).is_err());
        let next = store.acquire_at("s1", "next", ttl, 10_500).unwrap();
        assert_eq!(next.until_ms, 11_000);
        // The crashed holder coming back cannot release the new holder's lease.
        store.release(&crashed).unwrap();
        assert!(store.acquire_at("s1", "third", ttl, 10_600).is_err());
    }

    #[test]
    fn leases_are_taken_through_the_store_with_the_real_clock() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::Sqlite(SqliteStore::open(&dir.path().join("s.db")).unwrap());
        let runtime = tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap();
        runtime.block_on(async {
            let ttl = std::time::Duration::from_secs(60);
            let lease = store.acquire("s-1", "a", ttl).await.unwrap();
            assert!(lease.until_ms > now_ms());
            assert!(matches!(
                store.acquire("s-1", "b", ttl).await,
                Err(SessionError::Busy { .. })
            ));
            assert!(matches!(
                store.acquire("bad id", "b", ttl).await,
                Err(SessionError::InvalidId(_))
            ));
            store.release(&lease).await.unwrap();
            store.acquire("s-1", "b", ttl).await.unwrap();

            // A serve turn: take and load in one call, save and give back in another.
            let (lease, loaded) = store.acquire_and_load("s-2", "a", ttl).await.unwrap();
            assert_eq!(loaded, None);
            let saved = store
                .save_loaded("s-2", update(None, "one"), None, Some(lease))
                .await
                .unwrap();
            assert_eq!(saved, (1, true));
            let (lease, loaded) = store.acquire_and_load("s-2", "b", ttl).await.unwrap();
            let loaded = loaded.map(Arc::new);
            assert_eq!(loaded.as_ref().map(|l| l.version), Some(1));
            // Without a lease to give back, the session stays held.
            let saved = store
                .save_loaded("s-2", update(Some(1), "two"), loaded, None)
                .await
                .unwrap();
            assert_eq!(saved, (2, false));
            assert!(matches!(
                store.acquire("s-2", "c", ttl).await,
                Err(SessionError::Busy { .. })
            ));
            store.release(&lease).await.unwrap();
        });
    }
}
