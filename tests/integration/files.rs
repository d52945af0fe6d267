//! Issue 12, "nothing lost, nothing surprising": commands that write a file never replace the
//! input spec, whatever path spells it.

use crate::support;
use crate::support::cli;

#[test]
fn compile_out_over_the_spec_is_refused_and_the_spec_is_unchanged() {
    let ws = support::Workspace::new(&support::spec("", ""));
    let spec = ws.file("agent.yaml");
    let before = std::fs::read(&spec).unwrap();
    let out = cli::agentc([
        "compile",
        "agent.yaml",
        "--target",
        "direct",
        "--out",
        "./agent.yaml",
    ])
    .current_dir(ws.path())
    .output();
    assert_eq!(out.status.code(), Some(2), "{}", support::stderr(&out));
    assert!(
        support::stderr(&out).contains("is the input spec; agentc never replaces it"),
        "{}",
        support::stderr(&out)
    );
    assert_eq!(
        std::fs::read(&spec).unwrap(),
        before,
        "spec unchanged byte for byte"
    );
}

#[test]
fn deploy_out_onto_a_symlink_is_refused_and_its_destination_untouched() {
    let ws = support::Workspace::new(&support::spec("", ""));
    let target = ws.file("other.json");
    std::fs::write(&target, "{\"mine\": true}\n").unwrap();
    std::os::unix::fs::symlink(&target, ws.file("link.json")).unwrap();
    let out = cli::agentc([
        "deploy",
        "agent.yaml",
        "--target",
        "direct",
        "--out",
        "link.json",
    ])
    .current_dir(ws.path())
    .output();
    assert!(!out.status.success(), "{}", support::stderr(&out));
    assert!(
        support::stderr(&out).contains("is a symbolic link; agentc does not write through links"),
        "{}",
        support::stderr(&out)
    );
    assert_eq!(
        std::fs::read_to_string(&target).unwrap(),
        "{\"mine\": true}\n"
    );
}
