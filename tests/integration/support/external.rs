//! Tests that need a program agentc does not ship (moto's server, …). Without the program they
//! cannot test anything, so where it matters they must not pass: under CI (`CI` set, as
//! `.ci/run` does) a missing tool fails the test; on a developer's machine the test says on
//! stderr that it was skipped and why, and returns.

use std::process::{Command, Stdio};

/// Whether `program probe_args…` runs and exits 0. If it does not: panics under CI, naming the
/// tool and how to install it; otherwise prints that `what` was not tested and returns false.
/// A pyenv shim of an uninstalled script exits 127, so the exit status is checked, not only
/// whether the program could be started.
pub fn tool(program: &str, probe_args: &[&str], install: &str, what: &str) -> bool {
    let probe = Command::new(program)
        .args(probe_args)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status();
    let problem = match probe {
        Ok(status) if status.success() => return true,
        Ok(status) => format!("`{program} {}` failed ({status})", probe_args.join(" ")),
        Err(e) => format!("`{program}` could not be started ({e})"),
    };
    if in_ci() {
        panic!("{problem}: {what} needs it. Install it with {install}.");
    }
    eprintln!("SKIPPED: {problem}, so {what} was NOT tested. Install it with {install}.");
    false
}

/// `CI` set to anything but empty, `0` or `false` (the convention of CI services).
fn in_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| !matches!(v.trim(), "" | "0" | "false"))
}
