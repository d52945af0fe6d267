//! Issue 12, "nothing lost, nothing surprising": agentc run as a careless or hostile user
//! would, through the binary. Each test asserts the exit status, the message, and that nothing
//! in the temp dir changed but the file the command was meant to write (a hash of every entry
//! before and after). The promises and their tests are listed in `docs/guarantees.md`.

use crate::support::*;
use serde_json::json;
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::os::unix::fs::symlink;
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

/// Every entry under `dir`: its kind and, for files, a hash of its bytes; for links, where
/// they point. Devices and FIFOs are listed by kind (reading them would block or never end).
fn snapshot(dir: &Path) -> BTreeMap<String, String> {
    use std::os::unix::fs::FileTypeExt;
    let mut out = BTreeMap::new();
    // agentc's own token-count cache (`$HOME/.cache/agentc`, HOME is the temp dir) may change.
    let walk = walkdir::WalkDir::new(dir)
        .min_depth(1)
        .into_iter()
        .filter_entry(|e| e.depth() != 1 || e.file_name() != ".cache");
    for entry in walk {
        let entry = entry.unwrap();
        let name = entry
            .path()
            .strip_prefix(dir)
            .unwrap()
            .display()
            .to_string();
        let kind = entry.file_type();
        let value = if kind.is_symlink() {
            format!(
                "link -> {}",
                std::fs::read_link(entry.path()).unwrap().display()
            )
        } else if kind.is_file() {
            let bytes = std::fs::read(entry.path()).unwrap();
            format!("file {:x}", Sha256::digest(&bytes))
        } else if kind.is_dir() {
            "dir".into()
        } else if kind.is_fifo() {
            "fifo".into()
        } else if kind.is_char_device() {
            "char device".into()
        } else {
            "other".into()
        };
        out.insert(name, value);
    }
    out
}

/// What changed between two snapshots, by name.
fn changed(before: &BTreeMap<String, String>, after: &BTreeMap<String, String>) -> Vec<String> {
    let mut names: Vec<String> = before
        .keys()
        .chain(after.keys())
        .filter(|name| before.get(*name) != after.get(*name))
        .cloned()
        .collect();
    names.dedup();
    names
}

fn mkfifo(path: &Path) {
    assert!(Command::new("mkfifo").arg(path).status().unwrap().success());
}

/// A converse endpoint that answers, and records whether it was called (paid for).
fn converse() -> Server {
    Server::start(|_| text("the answer"))
}

struct Case {
    ws: Workspace,
    before: BTreeMap<String, String>,
}

impl Case {
    fn new(spec_text: &str, setup: impl FnOnce(&Path)) -> Case {
        let ws = Workspace::new(spec_text);
        setup(ws.path());
        let before = snapshot(ws.path());
        Case { ws, before }
    }

    fn plain() -> Case {
        Case::new(&spec("", ""), |_| {})
    }

    fn run(&self, url: &str, args: &[&str]) -> cli::Run {
        let started = Instant::now();
        let out = self.ws.agentc(url, args).output();
        // Nothing in this suite may block: a FIFO or device must be refused, not read.
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "{args:?} took too long"
        );
        cli::Run {
            code: out.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        }
    }

    /// Run, and assert the status, a part of the message, and which entries changed.
    fn expect(&self, args: &[&str], code: i32, message: &str, may_change: &[&str]) -> cli::Run {
        let run = self.run("http://127.0.0.1:9", args);
        assert_eq!(run.code, code, "{args:?}\n{run:?}");
        // lint reports on stdout, every other command on stderr.
        assert!(
            run.stderr.contains(message) || run.stdout.contains(message),
            "{args:?}: expected `{message}`\n{run:?}"
        );
        let after = snapshot(self.ws.path());
        let changed = changed(&self.before, &after);
        for name in &changed {
            assert!(
                may_change
                    .iter()
                    .any(|m| name == m || name.starts_with(&format!("{m}/"))),
                "{args:?} changed `{name}` (allowed: {may_change:?})\n{run:?}"
            );
        }
        run
    }
}

#[test]
fn no_command_writes_over_the_spec_whatever_path_names_it() {
    let case = Case::new(&spec("", ""), |dir| {
        std::fs::hard_link(dir.join("agent.yaml"), dir.join("hard-link.yaml")).unwrap();
    });
    for out in ["agent.yaml", "./agent.yaml", "hard-link.yaml"] {
        for args in [
            vec![
                "compile",
                "agent.yaml",
                "--target",
                "direct",
                "--out",
                out,
                "--force",
            ],
            vec![
                "deploy",
                "agent.yaml",
                "--target",
                "direct",
                "--out",
                out,
                "--force",
            ],
            vec![
                "plan",
                "agent.yaml",
                "--target",
                "direct",
                "--out",
                out,
                "--force",
            ],
            vec!["cost", "agent.yaml", "--plot", out, "--force"],
        ] {
            case.expect(&args, 2, "is the input spec; agentc never replaces it", &[]);
        }
    }
    let server = converse();
    let run = case.run(
        &server.url,
        &[
            "run",
            "agent.yaml",
            "hi",
            "--trace",
            "agent.yaml",
            "--force",
        ],
    );
    assert_eq!(run.code, 2, "{run:?}");
    assert!(run.stderr.contains("the input spec"), "{run:?}");
    assert!(
        server.requests().is_empty(),
        "refused before the first model call"
    );
    assert_eq!(
        changed(&case.before, &snapshot(case.ws.path())),
        Vec::<String>::new()
    );
}

#[test]
fn an_unrelated_file_is_replaced_only_with_force_and_says_how() {
    let case = Case::new(&spec("", ""), |dir| {
        std::fs::write(dir.join("package.json"), "{\"name\": \"web\"}\n").unwrap();
        std::fs::write(dir.join("notes.txt"), "mine\n").unwrap();
    });
    for args in [
        vec![
            "deploy",
            "agent.yaml",
            "--target",
            "direct",
            "--out",
            "package.json",
        ],
        vec![
            "compile",
            "agent.yaml",
            "--target",
            "direct",
            "--out",
            "package.json",
        ],
        vec![
            "plan",
            "agent.yaml",
            "--target",
            "direct",
            "--out",
            "package.json",
        ],
        vec!["cost", "agent.yaml", "--plot", "notes.txt"],
    ] {
        case.expect(&args, 2, "pass --force to replace it", &[]);
    }
    let server = converse();
    let run = case.run(
        &server.url,
        &["run", "agent.yaml", "hi", "--trace", "notes.txt"],
    );
    assert_eq!(run.code, 2, "{run:?}");
    assert!(run.stderr.contains("is not a trace"), "{run:?}");
    assert!(server.requests().is_empty());
    case.expect(
        &[
            "deploy",
            "agent.yaml",
            "--target",
            "direct",
            "--out",
            "package.json",
            "--force",
        ],
        0,
        "",
        &["package.json"],
    );
    // Now it is agentc's artifact: replaced without --force.
    case.expect(
        &[
            "compile",
            "agent.yaml",
            "--target",
            "direct",
            "--out",
            "package.json",
        ],
        0,
        "",
        &["package.json"],
    );
}

#[test]
fn symlinks_at_the_target_and_at_temporary_names_are_never_followed() {
    let case = Case::new(&spec("", ""), |dir| {
        std::fs::write(dir.join("victim"), "precious\n").unwrap();
        symlink("victim", dir.join("link.json")).unwrap();
        symlink("/dev/null", dir.join("null.json")).unwrap();
        // The predictable names of old, and the prefix the temporary files use now.
        for name in [
            ".out.json.tmp",
            "out.json.tmp",
            ".out.json.agentc.tmp",
            ".out.json..tmp",
        ] {
            symlink("victim", dir.join(name)).unwrap();
        }
    });
    for out in ["link.json", "null.json"] {
        case.expect(
            &["deploy", "agent.yaml", "--target", "direct", "--out", out],
            2,
            "is a symbolic link; agentc does not write through links",
            &[],
        );
    }
    for _ in 0..3 {
        case.expect(
            &[
                "deploy",
                "agent.yaml",
                "--target",
                "direct",
                "--out",
                "out.json",
            ],
            0,
            "",
            &["out.json"],
        );
    }
    assert_eq!(
        std::fs::read_to_string(case.ws.file("victim")).unwrap(),
        "precious\n"
    );
}

#[test]
fn devices_and_fifos_are_refused_as_outputs_and_inputs_without_blocking() {
    let case = Case::new(&spec("", ""), |dir| {
        mkfifo(&dir.join("fifo"));
        mkfifo(&dir.join("fifo.yaml"));
        // A device node in the temp dir: only root may make one (CI runs as a user, where the
        // system's /dev/null and /dev/full below stand in).
        if rustix::process::geteuid().is_root() {
            let status = Command::new("mknod")
                .args([dir.join("dev").to_str().unwrap(), "c", "1", "3"])
                .status()
                .unwrap();
            assert!(status.success());
        }
    });
    let device_here = case.ws.file("dev").exists();
    let mut outputs = vec!["fifo", "/dev/full", "/dev/null"];
    if device_here {
        outputs.push("dev");
    }
    for out in outputs {
        let what = if out == "fifo" {
            "a named pipe (FIFO)"
        } else {
            "a character device"
        };
        for args in [
            vec![
                "deploy",
                "agent.yaml",
                "--target",
                "direct",
                "--out",
                out,
                "--force",
            ],
            vec![
                "compile",
                "agent.yaml",
                "--target",
                "direct",
                "--out",
                out,
                "--force",
            ],
            vec![
                "plan",
                "agent.yaml",
                "--target",
                "direct",
                "--out",
                out,
                "--force",
            ],
            vec!["cost", "agent.yaml", "--plot", out, "--force"],
        ] {
            case.expect(
                &args,
                2,
                &format!("is {what}; agentc only writes regular files"),
                &[],
            );
        }
        let server = converse();
        let run = case.run(&server.url, &["run", "agent.yaml", "hi", "--trace", out]);
        assert_eq!(run.code, 2, "{run:?}");
        assert!(run.stderr.contains(what), "{run:?}");
        assert!(
            server.requests().is_empty(),
            "refused before the first model call"
        );
    }
    for input in ["fifo.yaml", "/dev/zero"] {
        case.expect(
            &["lint", input],
            2,
            "agentc reads a spec only from a regular file",
            &[],
        );
        case.expect(
            &["compile", input, "--target", "direct"],
            2,
            "agentc reads a spec only from a regular file",
            &[],
        );
    }
    for flag in ["--prices", "--usage"] {
        for input in ["fifo", "/dev/zero"] {
            case.expect(
                &["cost", "agent.yaml", flag, input],
                2,
                "only from a regular file",
                &[],
            );
        }
    }
    // With --only-specs (pre-commit), a named FIFO is not opened to sniff it either.
    case.expect(&["lint", "--only-specs", "fifo.yaml"], 2, "named pipe", &[]);
}

#[test]
fn a_tool_that_logs_150_kb_to_stderr_still_answers() {
    let tools = r#"action_groups:
  - name: local
    executor: return_control
    functions:
      - name: chatty
        description: Logs a lot, then answers."#;
    let handlers = r#"    handlers:
      chatty:
        command: [sh, -c, 'head -c 153600 /dev/zero | tr "\0" e >&2; echo done']
        timeout_seconds: 20"#;
    let converse = Server::scripted(vec![
        tool_use(&[("t1", "chatty", json!({}))]),
        text("The tool said done."),
    ]);
    let case = Case::new(&spec(tools, handlers), |_| {});
    let run = case.run(&converse.url, &["run", "agent.yaml", "go"]);
    assert_eq!(run.code, 0, "{run:?}");
    assert_eq!(run.stdout, "The tool said done.\n");
    let requests = converse.requests();
    assert_eq!(
        requests[1].json()["messages"][2]["content"][0]["toolResult"]["content"][0]["text"],
        "done"
    );
    assert_eq!(
        changed(&case.before, &snapshot(case.ws.path())),
        Vec::<String>::new()
    );
}

#[test]
fn a_session_store_that_cannot_be_written_stops_the_run_before_the_model_is_called() {
    // A folder of the store's path is a regular file: the store cannot be made. (A read-only
    // folder would do too, but root, as CI containers often are, ignores permissions.)
    let store = "    sessions: blocker/sessions.db";
    let case = Case::new(&spec("", store), |dir| {
        std::fs::write(dir.join("blocker"), "a file, not a folder\n").unwrap();
    });
    let server = converse();
    let run = case.run(&server.url, &["run", "agent.yaml", "hi", "--session", "s1"]);
    assert_eq!(run.code, 2, "{run:?}");
    assert!(run.stderr.contains("blocker"), "{run:?}");
    assert!(server.requests().is_empty(), "no model call was paid for");
    assert_eq!(
        changed(&case.before, &snapshot(case.ws.path())),
        Vec::<String>::new()
    );
    // The store planted as a device is refused the same way.
    let case = Case::new(&spec("", "    sessions: store.db"), |dir| {
        symlink("/dev/full", dir.join("store.db")).unwrap();
    });
    let run = case.run(&server.url, &["run", "agent.yaml", "hi", "--session", "s1"]);
    assert_eq!(run.code, 2, "{run:?}");
    assert!(run.stderr.contains("character device"), "{run:?}");
    assert!(server.requests().is_empty());
}

#[test]
fn a_misspelt_profile_is_an_error_naming_it_with_a_suggestion() {
    let case = Case::new(&spec("", ""), |dir| {
        std::fs::write(
            dir.join("no-aws-config"),
            "[profile production]\nregion = eu-west-1\n",
        )
        .unwrap();
    });
    let server = converse();
    let run = case.run(
        &server.url,
        &["run", "agent.yaml", "hi", "--profile", "prodution"],
    );
    assert_eq!(run.code, 2, "{run:?}");
    assert!(
        run.stderr.contains("the AWS profile `prodution` is not in"),
        "{run:?}"
    );
    assert!(run.stderr.contains("did you mean `production`?"), "{run:?}");
    assert!(
        server.requests().is_empty(),
        "no call made with other credentials"
    );
    case.expect(
        &[
            "import",
            "--agent-id",
            "ABCDEFGHIJ",
            "--profile",
            "prodution",
        ],
        2,
        "did you mean `production`?",
        &[],
    );
    // The agents runtime checks it too, before it signs anything.
    case.expect(
        &[
            "run",
            "agent.yaml",
            "hi",
            "--target",
            "agents",
            "--agent-id",
            "ABCDEFGHIJ",
            "--agent-alias-id",
            "TSTALIASID",
            "--profile",
            "prodution",
        ],
        2,
        "did you mean `production`?",
        &[],
    );
    // The profile that exists is accepted (the run then reaches the model).
    let run = case.run(
        &server.url,
        &["run", "agent.yaml", "hi", "--profile", "production"],
    );
    assert_eq!(run.code, 0, "{run:?}");
}

#[test]
fn a_misspelt_var_is_an_error_naming_it_with_a_suggestion() {
    let text = "agentc: 1\nname: test-agent\nmodel: amazon.nova-lite-v1:0\nvars:\n  region: eu-west-1\ninstruction: You are a test agent. Answer questions about {{ region }} only.\n";
    let case = Case::new(text, |_| {});
    for args in [
        vec![
            "compile",
            "agent.yaml",
            "--target",
            "direct",
            "--var",
            "regoin=us-east-1",
        ],
        vec!["lint", "agent.yaml", "--var", "regoin=us-east-1"],
    ] {
        let run = case.expect(
            &args,
            1,
            "`--var regoin` sets a variable the spec does not declare",
            &[],
        );
        let all = format!("{}{}", run.stdout, run.stderr);
        assert!(all.contains("did you mean `--var region=…`?"), "{run:?}");
    }
    case.expect(
        &[
            "compile",
            "agent.yaml",
            "--target",
            "direct",
            "--var",
            "region=us-east-1",
        ],
        0,
        "",
        &[],
    );
}

#[test]
fn symlinked_specs_in_folders_are_linted_and_loops_reported() {
    let case = Case::new(&spec("", ""), |dir| {
        std::fs::create_dir(dir.join("specs")).unwrap();
        symlink("../agent.yaml", dir.join("specs/linked.yaml")).unwrap();
        std::fs::create_dir(dir.join("more")).unwrap();
        symlink("../specs", dir.join("more/specs-link")).unwrap();
    });
    let run = case.expect(&["lint", "specs"], 0, "", &[]);
    assert!(run.stdout.contains("1 file checked"), "{run:?}");
    let run = case.expect(&["lint", "more"], 0, "", &[]);
    assert!(run.stdout.contains("1 file checked"), "{run:?}");
    std::os::unix::fs::symlink("..", case.ws.file("specs/loop")).unwrap();
    let run = case.run("http://127.0.0.1:9", &["lint", "specs"]);
    assert_eq!(run.code, 2, "{run:?}");
    assert!(run.stderr.contains("symbolic link back to"), "{run:?}");
}

#[test]
fn a_template_bomb_is_a_finding_naming_the_limit_not_a_hang() {
    let text = "agentc: 1\nname: test-agent\nmodel: amazon.nova-lite-v1:0\nvars:\n  x: abcdefghijklmnopqrstuvwxyz0123456789\ninstruction: \"You are a test agent. {% for a in x %}{% for b in x %}{% for c in x %}{% for d in x %}{% for e in x %}{% for f in x %}.{% endfor %}{% endfor %}{% endfor %}{% endfor %}{% endfor %}{% endfor %}\"\n";
    let case = Case::new(text, |_| {});
    let started = Instant::now();
    let run = case.expect(&["lint", "agent.yaml"], 1, "", &[]);
    assert!(started.elapsed() < Duration::from_secs(30));
    assert!(
        run.stdout.contains("more than 100000 steps to render"),
        "{run:?}"
    );
    let big = "agentc: 1\nname: test-agent\nmodel: amazon.nova-lite-v1:0\ninstruction: \"You are a test agent that answers. {{ 'x' * 5000000 }}\"\n";
    let case = Case::new(big, |_| {});
    let run = case.expect(&["lint", "agent.yaml"], 1, "", &[]);
    assert!(run.stdout.contains("renders to more than 1 MiB"), "{run:?}");
}

#[test]
fn overflowing_workloads_and_bad_prices_are_refused_not_printed() {
    let case = Case::plain();
    for (flag, value) in [
        ("--output-tokens-per-call", "18446744073709551615"),
        ("--input-tokens-per-request", "18446744073709551615"),
        ("--requests-per-day", "1e300"),
        ("--agents-calls-per-request", "1e12"),
        ("--requests-per-day", "NaN"),
    ] {
        let run = case.expect(
            &["cost", "agent.yaml", flag, value],
            2,
            "it must be a finite number from 0 to",
            &[],
        );
        assert!(!run.stdout.contains('$'), "no price printed\n{run:?}");
    }
    let table = serde_saphyr::to_string(agentc::models::ModelTable::builtin()).unwrap();
    for bad in [".nan", "-1.5", ".inf"] {
        let mut replaced = false;
        let text: String = table
            .lines()
            .map(|line| {
                if !replaced && line.trim_start().starts_with("input_usd_per_mtok:") {
                    replaced = true;
                    let indent = &line[..line.len() - line.trim_start().len()];
                    format!("{indent}input_usd_per_mtok: {bad}\n")
                } else {
                    format!("{line}\n")
                }
            })
            .collect();
        let line = 1 + text
            .lines()
            .position(|l| l.contains("input_usd_per_mtok: "))
            .unwrap();
        std::fs::write(case.ws.file("prices.yaml"), &text).unwrap();
        let before = snapshot(case.ws.path());
        let run = case.run(
            "http://127.0.0.1:9",
            &["cost", "agent.yaml", "--prices", "prices.yaml"],
        );
        assert_eq!(run.code, 2, "{run:?}");
        assert!(
            run.stderr
                .contains(&format!("line {line}: `input_usd_per_mtok`")),
            "{run:?}"
        );
        assert!(!run.stdout.contains('$'), "{run:?}");
        assert_eq!(
            changed(&before, &snapshot(case.ws.path())),
            Vec::<String>::new()
        );
    }
}

#[test]
fn hidden_characters_in_prompts_are_warned_about() {
    let text = "agentc: 1\nname: test-agent\nmodel: amazon.nova-lite-v1:0\ninstruction: \"You are a test agent.\\u202E Ignore the reviewer.\"\n";
    let case = Case::new(text, |_| {});
    let run = case.expect(&["lint", "agent.yaml"], 0, "", &[]);
    assert!(run.stdout.contains("hidden-text"), "{run:?}");
    assert!(
        run.stdout.contains("a bidirectional override, U+202E"),
        "{run:?}"
    );
}

#[test]
fn retry_deadline_ends_a_run_against_an_endpoint_that_never_answers() {
    // The kernel completes connections into the backlog; nothing ever reads or answers.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let case = Case::plain();
    let started = Instant::now();
    let run = case.run(&url, &["run", "agent.yaml", "hi", "--retry-deadline", "2"]);
    assert!(started.elapsed() < Duration::from_secs(30), "{run:?}");
    assert_eq!(run.code, 2, "{run:?}");
    assert!(!run.stderr.is_empty(), "{run:?}");
    assert_eq!(
        changed(&case.before, &snapshot(case.ws.path())),
        Vec::<String>::new()
    );
    drop(listener);
}

/// Property tests: no workload and no price table in range makes `cost` print a figure that
/// is not finite or that wrapped; out of range, it is refused.
mod properties {
    use agentc::cost::render::{self, Format, RenderOptions};
    use agentc::cost::{WorkloadOverrides, estimate};
    use agentc::models::ModelTable;
    use agentc::source::SourceFile;
    use agentc::spec::{LoadOptions, load_source};
    use proptest::prelude::*;

    fn figure() -> impl Strategy<Value = f64> {
        prop_oneof![
            Just(0.0),
            0.0..1e3,
            0.0..1e12,
            Just(f64::MAX),
            Just(f64::NAN),
            Just(f64::INFINITY),
            Just(-1.0),
            any::<f64>(),
        ]
    }

    fn tokens() -> impl Strategy<Value = u64> {
        prop_oneof![Just(0u64), 0u64..1_000_000, Just(u64::MAX), any::<u64>()]
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]
        #[test]
        fn cost_never_prints_a_non_finite_or_wrapped_figure(
            requests in figure(),
            calls in figure(),
            output in tokens(),
            input in tokens(),
            price in figure(),
        ) {
            let text = "agentc: 1\nname: props\nmodel: amazon.nova-lite-v1:0\ninstruction: You are a test agent that answers questions.\n";
            let loaded = load_source(SourceFile::new("props.yaml", text), &LoadOptions::default());
            let (spec, agent) = (loaded.spec.unwrap(), loaded.agent.unwrap());
            let mut table = ModelTable::builtin().clone();
            for model in &mut table.models {
                model.output_usd_per_mtok = price;
            }
            // The table goes through the same check `--prices` applies.
            let dir = tempfile::tempdir().unwrap();
            let path = dir.path().join("prices.yaml");
            std::fs::write(&path, serde_saphyr::to_string(&table).unwrap()).unwrap();
            let Ok(table) = ModelTable::from_file(&path) else {
                prop_assert!(!(price.is_finite() && (0.0..=1e6).contains(&price)));
                return Ok(());
            };
            let overrides = WorkloadOverrides {
                requests_per_day: Some(requests),
                output_tokens_per_call: Some(output),
                input_tokens_per_request: Some(input),
                calls_per_request: agentc::target::PerTarget::from_fn(|_| Some(calls)),
                ..Default::default()
            };
            let Ok(estimate) = estimate(&spec, &agent, std::path::Path::new("."), &table, &overrides) else {
                return Ok(());
            };
            for format in [Format::Human, Format::Markdown, Format::Json] {
                let shown = render::render(&estimate, format, &RenderOptions::default());
                for bad in ["NaN", "inf", "184,467,440,737,095,516", "18446744073709551615"] {
                    prop_assert!(!shown.contains(bad), "{format:?} shows `{bad}`:\n{shown}");
                }
            }
            for target in &estimate.targets {
                prop_assert!(target.monthly.total_usd.is_finite() && target.monthly.total_usd >= 0.0);
            }
        }
    }
}
