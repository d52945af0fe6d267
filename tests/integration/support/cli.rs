//! The one way the tests run the `agentc` binary: a builder for the command line, environment
//! and working directory, and one run that every test gets the same guarantees from —
//! no colour, no hang, no panic, no death by signal.

use std::ffi::OsStr;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Output, Stdio};
use std::time::{Duration, Instant};

/// Far above what any test needs (seconds at most); only here so that a hang fails the test
/// instead of blocking CI.
const HANG_GUARD: Duration = Duration::from_secs(120);

/// `agentc <args>`, not yet run.
pub fn agentc<I, S>(args: I) -> Agentc
where
    I: IntoIterator<Item = S>,
    S: AsRef<OsStr>,
{
    let mut command = Command::new(binary());
    command
        .args(args)
        .env("NO_COLOR", "1")
        .env_remove("CLICOLOR_FORCE");
    let shown = format!("{:?}", command.get_args().collect::<Vec<_>>());
    Agentc { command, shown }
}

/// A private copy of the binary under test, taken once: the target directory may be shared, and
/// another checkout's build must not swap the binary in the middle of this run.
/// `AGENTC_TEST_BIN` names another binary, for checkouts that share a target directory with
/// others (where `target/debug/agentc` may be another checkout's build).
///
/// The copy lives in the target's own scratch directory under this process's id, and copies
/// left by test runs that have ended are removed first: a static is never dropped, so a
/// temporary directory here leaked 110 MB into /tmp on every `cargo test`.
pub fn binary() -> &'static Path {
    static COPY: std::sync::OnceLock<PathBuf> = std::sync::OnceLock::new();
    COPY.get_or_init(|| {
        let own = std::env::var_os("AGENTC_TEST_BIN").map_or_else(
            || PathBuf::from(env!("CARGO_BIN_EXE_agentc")),
            PathBuf::from,
        );
        let scratch = Path::new(env!("CARGO_TARGET_TMPDIR")).join("binary-under-test");
        std::fs::create_dir_all(&scratch).expect("scratch directory for the binary under test");
        remove_ended_copies(&scratch);
        let path = scratch.join(format!("agentc-{}", std::process::id()));
        std::fs::copy(&own, &path)
            .unwrap_or_else(|e| panic!("copy {} for the tests: {e}", own.display()));
        path
    })
}

/// Remove the copies of test processes that are no longer running (Linux: `/proc/PID`).
fn remove_ended_copies(scratch: &Path) {
    if !Path::new("/proc/self").exists() {
        return; // no way to tell a running process here: keep every copy
    }
    let Ok(entries) = std::fs::read_dir(scratch) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let Some(pid) = name.to_str().and_then(|n| n.strip_prefix("agentc-")) else {
            continue;
        };
        if pid.parse::<u32>().is_ok() && !Path::new("/proc").join(pid).exists() {
            let _ = std::fs::remove_file(entry.path());
        }
    }
}

/// The builder `agentc(args)` returns.
pub struct Agentc {
    command: Command,
    /// The arguments, for failure messages.
    shown: String,
}

impl Agentc {
    pub fn current_dir(mut self, dir: impl AsRef<Path>) -> Self {
        self.command.current_dir(dir);
        self
    }

    pub fn env(mut self, key: impl AsRef<OsStr>, value: impl AsRef<OsStr>) -> Self {
        self.command.env(key, value);
        self
    }

    pub fn envs<K, V>(mut self, vars: impl IntoIterator<Item = (K, V)>) -> Self
    where
        K: AsRef<OsStr>,
        V: AsRef<OsStr>,
    {
        self.command.envs(vars);
        self
    }

    pub fn env_remove(mut self, key: impl AsRef<OsStr>) -> Self {
        self.command.env_remove(key);
        self
    }

    /// Starts from an empty environment (`NO_COLOR` included): the caller sets what it needs.
    pub fn env_clear(mut self) -> Self {
        self.command.env_clear();
        self
    }

    /// The command itself, for a test that drives the process (pipes, signals) on its own.
    pub fn command(self) -> Command {
        self.command
    }

    /// Runs to the end and returns the raw output. Panics if the process hangs, is killed by a
    /// signal (an abort or a stack overflow) or panics: no test expects any of those.
    /// agentc reads no stdin today, so stdin is empty.
    pub fn output(mut self) -> Output {
        let mut child = self
            .command
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap_or_else(|e| panic!("agentc {} does not start: {e}", self.shown));
        let stdout = reader(&mut child, |c| c.stdout.take().map(|p| Box::new(p) as _));
        let stderr = reader(&mut child, |c| c.stderr.take().map(|p| Box::new(p) as _));
        let status = wait(&mut child, &self.shown);
        let output = Output {
            status,
            stdout: stdout.join().expect("stdout reader"),
            stderr: stderr.join().expect("stderr reader"),
        };
        for text in [&output.stdout, &output.stderr] {
            let text = String::from_utf8_lossy(text);
            assert!(
                !text.contains("panicked") && !text.contains("RUST_BACKTRACE"),
                "agentc {} panicked:\n{text}",
                self.shown
            );
        }
        output
    }

    /// Runs to the end; stdout and stderr must be UTF-8.
    pub fn run(self) -> Run {
        let shown = self.shown.clone();
        let output = self.output();
        let text = |bytes: Vec<u8>, stream: &str| {
            String::from_utf8(bytes)
                .unwrap_or_else(|e| panic!("agentc {shown} wrote non-UTF-8 to {stream}: {e}"))
        };
        Run {
            code: output.status.code().unwrap_or(-1),
            stdout: text(output.stdout, "stdout"),
            stderr: text(output.stderr, "stderr"),
        }
    }
}

type Pipe = Box<dyn Read + Send>;

fn reader(
    child: &mut Child,
    take: impl FnOnce(&mut Child) -> Option<Pipe>,
) -> std::thread::JoinHandle<Vec<u8>> {
    let pipe = take(child);
    std::thread::spawn(move || {
        let mut bytes = Vec::new();
        if let Some(mut pipe) = pipe {
            let _ = pipe.read_to_end(&mut bytes);
        }
        bytes
    })
}

fn wait(child: &mut Child, shown: &str) -> ExitStatus {
    let started = Instant::now();
    loop {
        if let Some(status) = child.try_wait().expect("wait for agentc") {
            assert!(
                status.code().is_some(),
                "agentc {shown} was killed by a signal (abort or stack overflow): {status}"
            );
            return status;
        }
        if started.elapsed() > HANG_GUARD {
            let _ = child.kill();
            panic!("agentc {shown} hung");
        }
        std::thread::sleep(Duration::from_millis(1));
    }
}

/// A finished run: the exit status and what the process wrote.
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    /// stdout as JSON.
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.stdout)
            .unwrap_or_else(|e| panic!("stdout is not JSON ({e}):\n{}", self.stdout))
    }
}

/// What a failed assertion on a run shows: everything.
impl std::fmt::Debug for Run {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "exit {}\n--- stdout\n{}\n--- stderr\n{}",
            self.code, self.stdout, self.stderr
        )
    }
}
