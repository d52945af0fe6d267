//! `agentc completions SHELL` and `agentc man`: generated from the clap definitions, so they
//! must name the commands and flags agentc parses, and be what their consumers accept.

use crate::support::cli::agentc;
use crate::support::external;
use std::io::Write;
use std::process::{Command, Stdio};

/// What bash's completion offers after `words` (the last one is being completed).
fn bash_complete(script: &str, words: &[&str]) -> Vec<String> {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("agentc.bash");
    std::fs::write(&path, script).unwrap();
    let quoted: Vec<String> = words.iter().map(|w| format!("'{w}'")).collect();
    let last = words.len() - 1;
    let program = format!(
        "source '{}'; COMP_WORDS=({}); COMP_CWORD={last}; COMP_LINE='{}'; COMP_POINT=${{#COMP_LINE}}; \
         _agentc agentc '{}' '{}'; printf '%s\\n' \"${{COMPREPLY[@]}}\"",
        path.display(),
        quoted.join(" "),
        words.join(" "),
        words[last],
        words[last.saturating_sub(1)],
    );
    let output = Command::new("bash")
        .args(["--norc", "--noprofile", "-c", &program])
        .output()
        .expect("bash runs");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout)
        .lines()
        .map(str::to_string)
        .collect()
}

#[test]
fn the_bash_script_completes_commands_and_flags() {
    let run = agentc(["completions", "bash"]).run();
    assert_eq!(run.code, 0, "{}", run.stderr);
    for command in [
        "lint",
        "explain",
        "cost",
        "deploy",
        "lsp",
        "completions",
        "man",
    ] {
        assert!(
            run.stdout.contains(command),
            "no `{command}` in the bash script"
        );
    }
    assert_eq!(bash_complete(&run.stdout, &["agentc", "ls"]), ["lsp"]);
    let lint_flags = bash_complete(&run.stdout, &["agentc", "lint", "--for"]);
    assert_eq!(lint_flags, ["--format"]);
    let formats = bash_complete(&run.stdout, &["agentc", "lint", "--format", ""]);
    for format in ["human", "json", "sarif", "github"] {
        assert!(formats.iter().any(|f| f == format), "{formats:?}");
    }
}

#[test]
fn every_shell_gets_a_script_and_an_unknown_shell_is_refused() {
    for (shell, marker) in [
        ("zsh", "#compdef agentc"),
        ("fish", "complete -c agentc"),
        ("powershell", "Register-ArgumentCompleter"),
        ("elvish", "edit:completion:arg-completer[agentc]"),
    ] {
        let run = agentc(["completions", shell]).run();
        assert_eq!(run.code, 0, "{shell}: {}", run.stderr);
        assert!(run.stdout.contains(marker), "{shell}: no `{marker}`");
        assert!(run.stdout.contains("lsp"), "{shell}: no `lsp`");
    }
    let run = agentc(["completions", "tcsh"]).run();
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("possible values"), "{}", run.stderr);
}

#[test]
fn the_man_pages_render_with_man() {
    let run = agentc(["man"]).run();
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stdout.contains(".TH agentc 1"), "{}", run.stdout);
    assert!(run.stdout.contains("agentc\\-lint(1)"), "{}", run.stdout);
    let lint = agentc(["man", "lint"]).run();
    assert!(lint.stdout.contains(".TH agentc-lint 1"), "{}", lint.stdout);
    assert!(lint.stdout.contains("only\\-specs"), "{}", lint.stdout);
    let unknown = agentc(["man", "lnt"]).run();
    assert_eq!(unknown.code, 2);
    assert!(
        unknown.stderr.contains("its commands are: lint,"),
        "{}",
        unknown.stderr
    );

    if !external::tool(
        "man",
        &["--version"],
        "`apt-get install man-db`",
        "rendering agentc's man page",
    ) {
        return;
    }
    for (page, expect) in [(&run.stdout, "SUBCOMMANDS"), (&lint.stdout, "--only-specs")] {
        let mut man = Command::new("man")
            .args(["-l", "-"])
            .env("MANWIDTH", "100")
            .env("MANPAGER", "cat")
            .env("PAGER", "cat")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        man.stdin
            .take()
            .unwrap()
            .write_all(page.as_bytes())
            .unwrap();
        let output = man.wait_with_output().unwrap();
        let text = String::from_utf8_lossy(&output.stdout);
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
        assert!(text.contains(expect), "{text}");
        // No roff left unrendered.
        assert!(!text.contains(".TH") && !text.contains("\\fB"), "{text}");
    }
}
