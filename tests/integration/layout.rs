//! The layout of the tests themselves. With `autotests = false`, a test file that is not a
//! module of main.rs is never compiled, and a snapshot insta no longer looks for is never
//! compared: both would pass silently, so they fail here.

use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests")
}

fn names(dir: &Path, extension: &str) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.extension().is_some_and(|e| e == extension))
        .map(|path| path.file_name().unwrap().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

#[test]
fn every_test_file_is_a_module_of_the_one_binary() {
    let stray = names(&root(), "rs");
    assert!(
        stray.is_empty(),
        "{} would never run (autotests = false): move them to tests/integration/ \
         and declare them in tests/integration/main.rs",
        stray.join(", ")
    );
    let main = std::fs::read_to_string(root().join("integration/main.rs")).unwrap();
    for file in names(&root().join("integration"), "rs") {
        let topic = file.trim_end_matches(".rs");
        assert!(
            topic == "main" || main.contains(&format!("mod {topic};")),
            "tests/integration/{file} is not compiled: add `mod {topic};` to main.rs"
        );
    }
}

#[test]
fn every_snapshot_is_where_insta_looks_for_it() {
    assert!(
        !root().join("snapshots").exists(),
        "tests/snapshots/ is no longer read: move each <topic>__<name>.snap to \
         tests/integration/snapshots/integration__<topic>__<name>.snap"
    );
    for snap in names(&root().join("integration/snapshots"), "snap") {
        let topic = snap
            .strip_prefix("integration__")
            .and_then(|rest| rest.split_once("__"))
            .map(|(topic, _)| topic);
        assert!(
            topic.is_some_and(|t| root().join(format!("integration/{t}.rs")).is_file()),
            "tests/integration/snapshots/{snap} belongs to no test module: insta names \
             snapshots integration__<topic>__<name>.snap"
        );
    }
}
