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
