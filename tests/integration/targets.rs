//! Every `--target` a command accepts is honoured or refused, through the binary: `plan` and
//! `destroy` on the direct target work on the artifact `deploy --target direct` writes,
//! flags a target cannot honour exit 2 with one line, and an unreachable endpoint is named
//! in one sentence without the SDK's debug structures.

use crate::support::cli::Run;
use std::path::Path;

const SPEC: &str = "agents/infra-assistant.yaml";

fn agentc(args: &[&str], env: &[(&str, &str)]) -> Run {
    let cache = tempfile::tempdir().expect("cache dir");
    let mut command = crate::support::cli::agentc(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("AGENTC_CACHE_DIR", cache.path())
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env_remove("AWS_ENDPOINT_URL")
        .env_remove("AWS_ENDPOINT_URL_BEDROCK_AGENT")
        .env_remove("AWS_ENDPOINT_URL_BEDROCK_RUNTIME");
    for (key, value) in env {
        command = command.env(key, value);
    }
    command.run()
}

fn path_arg(path: &Path) -> &str {
    path.to_str().expect("UTF-8 temp path")
}

#[test]
fn plan_direct_shows_what_deploy_would_write() {
    let dir = tempfile::tempdir().expect("temp dir");
    let artifact = dir.path().join("a.converse.json");
    let out = path_arg(&artifact);
    let args = ["plan", SPEC, "--target", "direct", "--artifact", out];

    let absent = agentc(&[&args[..], &["--detailed-exitcode"]].concat(), &[]);
    assert_eq!(absent.code, 2, "{absent:?}");
    assert!(
        absent.stdout.contains(&format!("  + artifact {out}\n")),
        "{absent:?}"
    );
    assert!(!artifact.exists(), "plan must not write the artifact");
    let without_flag = agentc(&args, &[]);
    assert_eq!(without_flag.code, 0, "{without_flag:?}");

    let deploy = agentc(&["deploy", SPEC, "--target", "direct", "--out", out], &[]);
    assert_eq!(deploy.code, 0, "{deploy:?}");
    let current = agentc(&[&args[..], &["--detailed-exitcode"]].concat(), &[]);
    assert_eq!(current.code, 0, "{current:?}");
    assert!(
        current
            .stdout
            .contains("No changes: the artifact matches the spec."),
        "{current:?}"
    );

    let mut config: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&artifact).expect("artifact")).expect("JSON");
    config["modelId"] = "someone-else".into();
    std::fs::write(&artifact, config.to_string()).expect("edit the artifact");
    let stale = agentc(&[&args[..], &["--detailed-exitcode"]].concat(), &[]);
    assert_eq!(stale.code, 2, "{stale:?}");
    assert!(stale.stdout.contains("~ modelId"), "{stale:?}");
}

#[test]
fn plan_direct_as_json_and_as_a_saved_plan_that_goes_stale() {
    let dir = tempfile::tempdir().expect("temp dir");
    let artifact = dir.path().join("a.converse.json");
    let saved = dir.path().join("plan.json");
    let (out, plan_file) = (path_arg(&artifact), path_arg(&saved));

    let json = agentc(
        &[
            "plan",
            SPEC,
            "--target",
            "direct",
            "--artifact",
            out,
            "--format",
            "json",
        ],
        &[],
    );
    assert_eq!(json.code, 0, "{json:?}");
    let plan: serde_json::Value = serde_json::from_str(&json.stdout).expect("a JSON plan");
    assert_eq!(plan["target"], "direct");
    assert_eq!(plan["changes"][0]["kind"], "artifact");
    assert_eq!(plan["changes"][0]["action"], "create");
    assert_eq!(plan["summary"]["add"], 1);

    let planned = agentc(
        &[
            "plan",
            SPEC,
            "--target",
            "direct",
            "--artifact",
            out,
            "--out",
            plan_file,
        ],
        &[],
    );
    assert_eq!(planned.code, 0, "{planned:?}");
    assert!(
        !artifact.exists(),
        "plan --out saves the plan, not the artifact"
    );
    // The lean build refuses `deploy --target agents` before it reads the plan (lean::).
    if cfg!(feature = "agents") {
        let wrong = agentc(
            &["deploy", SPEC, "--target", "agents", "--plan", plan_file],
            &[],
        );
        assert_eq!(wrong.code, 2, "{wrong:?}");
        assert!(
            wrong.stderr.contains("is for the direct target"),
            "{wrong:?}"
        );
    }
    let applied = agentc(
        &["deploy", SPEC, "--target", "direct", "--plan", plan_file],
        &[],
    );
    assert_eq!(applied.code, 0, "{applied:?}");
    assert!(artifact.exists(), "{applied:?}");

    let replanned = agentc(
        &[
            "plan",
            SPEC,
            "--target",
            "direct",
            "--artifact",
            out,
            "--out",
            plan_file,
        ],
        &[],
    );
    assert_eq!(replanned.code, 0, "{replanned:?}");
    std::fs::write(&artifact, "edited\n").expect("edit the artifact");
    let stale = agentc(
        &["deploy", SPEC, "--target", "direct", "--plan", plan_file],
        &[],
    );
    assert_eq!(stale.code, 2, "{stale:?}");
    assert!(stale.stderr.contains("stale"), "{stale:?}");
    assert_eq!(
        std::fs::read_to_string(&artifact).expect("artifact"),
        "edited\n",
        "a stale plan writes nothing"
    );
}

#[test]
fn destroy_direct_removes_only_the_artifact_of_the_spec() {
    let dir = tempfile::tempdir().expect("temp dir");
    let artifact = dir.path().join("a.converse.json");
    let out = path_arg(&artifact);
    let destroy = ["destroy", SPEC, "--target", "direct", "--out", out];

    let nothing = agentc(&destroy, &[]);
    assert_eq!(nothing.code, 0, "{nothing:?}");
    assert!(nothing.stdout.contains("nothing to destroy"), "{nothing:?}");

    std::fs::write(&artifact, "{\"modelId\": \"mine\"}\n").expect("a foreign file");
    let foreign = agentc(&destroy, &[]);
    assert_eq!(foreign.code, 2, "{foreign:?}");
    assert!(foreign.stderr.contains("refusing to remove"), "{foreign:?}");
    assert!(artifact.exists(), "a file agentc did not write stays");

    std::fs::write(&artifact, "not json").expect("a broken file");
    let broken = agentc(&destroy, &[]);
    assert_eq!(broken.code, 2, "{broken:?}");
    assert!(broken.stderr.contains("it is not JSON"), "{broken:?}");
    assert!(artifact.exists());

    let deploy = agentc(&["deploy", SPEC, "--target", "direct", "--out", out], &[]);
    assert_eq!(deploy.code, 0, "{deploy:?}");
    let removed = agentc(&destroy, &[]);
    assert_eq!(removed.code, 0, "{removed:?}");
    assert!(removed.stdout.contains("Destroy complete!"), "{removed:?}");
    assert!(!artifact.exists(), "the artifact is gone");
}

#[test]
fn flags_a_target_cannot_honour_are_refused_in_one_line() {
    let cases: &[(&[&str], &str, &str)] = &[
        (
            &["deploy", SPEC, "--target", "direct", "--auto-approve"],
            "--auto-approve",
            "direct",
        ),
        (
            &["deploy", SPEC, "--target", "direct", "--adopt"],
            "--adopt",
            "direct",
        ),
        (
            &[
                "deploy", SPEC, "--target", "direct", "--plan", "p.json", "--out", "x.json",
            ],
            "--out",
            "direct",
        ),
        (
            &["plan", SPEC, "--target", "agents", "--artifact", "x.json"],
            "--artifact",
            "agents",
        ),
        (
            &[
                "deploy",
                SPEC,
                "--target",
                "direct",
                "--region",
                "eu-west-1",
            ],
            "--region",
            "direct",
        ),
        (
            &["deploy", SPEC, "--target", "agents", "--check"],
            "--check",
            "agents",
        ),
        (
            &["deploy", SPEC, "--target", "agents", "--out", "x.json"],
            "--out",
            "agents",
        ),
        (
            &[
                "compile",
                SPEC,
                "--target",
                "direct",
                "--format",
                "cloudformation",
            ],
            "--format cloudformation",
            "direct",
        ),
        (
            &[
                "compile",
                SPEC,
                "--target",
                "direct",
                "--format",
                "terraform",
            ],
            "--format terraform",
            "direct",
        ),
        (
            &["plan", SPEC, "--target", "direct", "--adopt"],
            "--adopt",
            "direct",
        ),
        (
            &["plan", SPEC, "--target", "direct", "--profile", "p"],
            "--profile",
            "direct",
        ),
        (
            &["destroy", SPEC, "--target", "direct", "--auto-approve"],
            "--auto-approve",
            "direct",
        ),
        (
            &["destroy", SPEC, "--target", "agents", "--out", "x.json"],
            "--out",
            "agents",
        ),
    ];
    // The lean build refuses the agents target's service commands whatever the flags (lean::).
    let built = |target: &str| target != "agents" || cfg!(feature = "agents");
    for (args, flag, target) in cases.iter().filter(|(_, _, target)| built(target)) {
        let run = agentc(args, &[]);
        assert_eq!(run.code, 2, "{args:?}: {run:?}");
        let lines: Vec<&str> = run
            .stderr
            .lines()
            .filter(|l| !l.trim().is_empty())
            .collect();
        assert_eq!(lines.len(), 1, "{args:?}: one line expected: {run:?}");
        let expected = format!("{flag} does not apply to the {target} target");
        assert!(lines[0].contains(&expected), "{args:?}: {run:?}");
        assert!(run.stdout.is_empty(), "{args:?}: {run:?}");
    }
}

#[test]
fn an_unknown_target_is_a_usage_error() {
    for command in ["compile", "deploy", "plan", "destroy"] {
        let run = agentc(&[command, SPEC, "--target", "classic"], &[]);
        assert_eq!(run.code, 2, "{command}: {run:?}");
        assert!(run.stderr.contains("classic"), "{command}: {run:?}");
    }
}

/// A loopback port nobody listens on: bind, take the port, close.
#[cfg(all(feature = "agents", feature = "direct"))]
fn closed_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1");
    listener.local_addr().expect("local address").port()
}

#[cfg(all(feature = "agents", feature = "direct"))]
fn assert_one_sentence_naming(run: &Run, endpoint: &str) {
    for debris in ["DispatchFailure", "ConnectorError", "{ ", "Os {", "kind:"] {
        assert!(!run.stderr.contains(debris), "`{debris}` shown: {run:?}");
    }
    assert!(run.stderr.contains(endpoint), "endpoint not named: {run:?}");
    assert!(run.stderr.contains("connection refused"), "{run:?}");
}

#[test]
#[cfg(all(feature = "agents", feature = "direct"))]
fn an_unreachable_endpoint_is_named_without_debug_output() {
    let endpoint = format!("http://127.0.0.1:{}", closed_port());
    let env = [
        ("AWS_ACCESS_KEY_ID", "AKIDEXAMPLE"),
        ("AWS_SECRET_ACCESS_KEY", "secret"),
        ("AWS_REGION", "us-east-1"),
        ("AWS_ENDPOINT_URL", endpoint.as_str()),
        ("AGENTC_RETRY_MAX_ATTEMPTS", "1"),
    ];
    let plan = agentc(&["plan", SPEC, "--target", "agents"], &env);
    assert_eq!(plan.code, 2, "{plan:?}");
    assert_one_sentence_naming(&plan, &endpoint);

    let run = agentc(
        &["run", "agents/orders-api.yaml", "Which orders are open?"],
        &env,
    );
    assert_eq!(run.code, 2, "{run:?}");
    assert_one_sentence_naming(&run, &endpoint);
}
