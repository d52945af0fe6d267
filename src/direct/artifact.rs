//! `agentc deploy --target direct`: the compiled Converse config written as an artifact,
//! Terraform-style. The difference against the artifact already on disk is shown per field
//! (`+` added, `~` changed, `-` removed), nothing is written when nothing changed, and
//! `--check` turns a stale artifact into a failing exit status for CI.

use serde_json::Value;
use std::path::{Path, PathBuf};

/// One field that differs between the artifact on disk and the freshly compiled config.
#[derive(Debug, Clone, PartialEq)]
pub enum Change {
    Added {
        path: String,
        new: Value,
    },
    Changed {
        path: String,
        old: Value,
        new: Value,
    },
    Removed {
        path: String,
        old: Value,
    },
}

impl Change {
    pub fn path(&self) -> &str {
        match self {
            Change::Added { path, .. }
            | Change::Changed { path, .. }
            | Change::Removed { path, .. } => path,
        }
    }
}

/// What deploying would do.
#[derive(Debug, Clone, PartialEq)]
pub enum Plan {
    /// No artifact yet: everything is new.
    Create,
    /// The artifact is current.
    UpToDate,
    /// The artifact differs in these fields (or could not be read as JSON: `unreadable`).
    Update {
        changes: Vec<Change>,
        unreadable: bool,
    },
}

#[derive(Debug, thiserror::Error, miette::Diagnostic)]
pub enum ArtifactError {
    #[error("cannot read the artifact `{path}`: {source}")]
    #[diagnostic(code(agentc::deploy::read))]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("cannot write the artifact `{path}`: {source}")]
    #[diagnostic(
        code(agentc::deploy::write),
        help("check that the directory is writable")
    )]
    Write {
        path: PathBuf,
        source: std::io::Error,
    },
}

/// The default artifact path for an agent: `dist/<name>.converse.json`.
pub fn default_path(agent_name: &str) -> PathBuf {
    Path::new("dist").join(format!("{agent_name}.converse.json"))
}

/// The artifact's exact bytes: pretty JSON with a trailing newline, so that it diffs well in
/// version control and a rewrite of an unchanged config is byte-identical.
pub fn render(config: &Value) -> String {
    let mut text = serde_json::to_string_pretty(config).unwrap_or_default();
    text.push('\n');
    text
}

/// Compare the compiled config with the artifact at `path`.
pub fn plan(path: &Path, config: &Value) -> Result<Plan, ArtifactError> {
    let existing = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Ok(Plan::Create),
        Err(source) => {
            return Err(ArtifactError::Read {
                path: path.to_path_buf(),
                source,
            });
        }
    };
    if existing == render(config) {
        return Ok(Plan::UpToDate);
    }
    match serde_json::from_str::<Value>(&existing) {
        Ok(old) => {
            let mut changes = Vec::new();
            diff("", &old, config, &mut changes);
            // Same JSON, different formatting: rewriting normalises it; still an update.
            Ok(Plan::Update {
                changes,
                unreadable: false,
            })
        }
        Err(_) => Ok(Plan::Update {
            changes: Vec::new(),
            unreadable: true,
        }),
    }
}

/// Write the artifact, creating its directory.
pub fn write(path: &Path, config: &Value) -> Result<(), ArtifactError> {
    let write_error = |source| ArtifactError::Write {
        path: path.to_path_buf(),
        source,
    };
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(write_error)?;
    }
    // Write a sibling file and rename it over the artifact, so a reader never sees half a file.
    let temporary = path.with_extension("json.tmp");
    std::fs::write(&temporary, render(config)).map_err(write_error)?;
    std::fs::rename(&temporary, path).map_err(write_error)
}

/// Per-field differences; objects are compared key by key and arrays element by element,
/// so a change to one tool's description shows as that one field.
pub fn diff(path: &str, old: &Value, new: &Value, out: &mut Vec<Change>) {
    match (old, new) {
        (Value::Object(a), Value::Object(b)) => {
            for (key, old_value) in a {
                let child = join(path, key);
                match b.get(key) {
                    Some(new_value) => diff(&child, old_value, new_value, out),
                    None => out.push(Change::Removed {
                        path: child,
                        old: old_value.clone(),
                    }),
                }
            }
            for (key, new_value) in b {
                if !a.contains_key(key) {
                    out.push(Change::Added {
                        path: join(path, key),
                        new: new_value.clone(),
                    });
                }
            }
        }
        (Value::Array(a), Value::Array(b)) => {
            for (index, pair) in a.iter().zip(b).enumerate() {
                diff(&format!("{path}[{index}]"), pair.0, pair.1, out);
            }
            for (index, old_value) in a.iter().enumerate().skip(b.len()) {
                out.push(Change::Removed {
                    path: format!("{path}[{index}]"),
                    old: old_value.clone(),
                });
            }
            for (index, new_value) in b.iter().enumerate().skip(a.len()) {
                out.push(Change::Added {
                    path: format!("{path}[{index}]"),
                    new: new_value.clone(),
                });
            }
        }
        _ if old != new => out.push(Change::Changed {
            path: path.to_string(),
            old: old.clone(),
            new: new.clone(),
        }),
        _ => {}
    }
}

fn join(path: &str, key: &str) -> String {
    if path.is_empty() {
        key.to_string()
    } else {
        format!("{path}.{key}")
    }
}

/// A value shortened for one line of plan output.
fn brief(value: &Value) -> String {
    let text = value.to_string();
    if text.chars().count() > 72 {
        let cut: String = text.chars().take(69).collect();
        format!("{cut}...")
    } else {
        text
    }
}

/// The plan as text, one line per changed field.
pub fn render_plan(path: &Path, plan: &Plan) -> String {
    let shown = path.display();
    match plan {
        Plan::Create => format!("+ {shown} (new artifact)\n"),
        Plan::UpToDate => format!("{shown} is up to date; nothing to write.\n"),
        Plan::Update {
            unreadable: true, ..
        } => format!("~ {shown} (the existing file is not valid JSON; it will be replaced)\n"),
        Plan::Update { changes, .. } => {
            let mut text = format!("~ {shown}\n");
            for change in changes {
                let line = match change {
                    Change::Added { path, new } => format!("  + {path} = {}\n", brief(new)),
                    Change::Changed { path, old, new } => {
                        format!("  ~ {path}: {} -> {}\n", brief(old), brief(new))
                    }
                    Change::Removed { path, old } => format!("  - {path} (was {})\n", brief(old)),
                };
                text.push_str(&line);
            }
            if changes.is_empty() {
                text.push_str("  ~ formatting only\n");
            }
            let (added, changed, removed) =
                changes
                    .iter()
                    .fold((0, 0, 0), |(a, c, r), change| match change {
                        Change::Added { .. } => (a + 1, c, r),
                        Change::Changed { .. } => (a, c + 1, r),
                        Change::Removed { .. } => (a, c, r + 1),
                    });
            text.push_str(&format!(
                "{added} to add, {changed} to change, {removed} to remove.\n"
            ));
            text
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn diff_reports_each_field_with_its_kind() {
        let old = json!({"modelId": "a", "system": [{"text": "x"}], "guardrailConfig": {"id": 1}});
        let new = json!({"modelId": "b", "system": [{"text": "x"}, {"cachePoint": {}}], "toolConfig": {}});
        let mut changes = Vec::new();
        diff("", &old, &new, &mut changes);
        let paths: Vec<&str> = changes.iter().map(Change::path).collect();
        assert_eq!(
            paths,
            ["modelId", "system[1]", "guardrailConfig", "toolConfig"]
        );
        assert!(matches!(changes[0], Change::Changed { .. }));
        assert!(matches!(changes[1], Change::Added { .. }));
        assert!(matches!(changes[2], Change::Removed { .. }));
    }

    #[test]
    fn plan_create_update_and_up_to_date() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("dist/a.converse.json");
        let config = json!({"modelId": "m"});
        assert_eq!(plan(&path, &config).expect("plan"), Plan::Create);
        write(&path, &config).expect("write");
        assert_eq!(plan(&path, &config).expect("plan"), Plan::UpToDate);
        let newer = json!({"modelId": "n"});
        let Plan::Update { changes, .. } = plan(&path, &newer).expect("plan") else {
            panic!("expected an update")
        };
        assert_eq!(changes.len(), 1);
        assert!(
            render_plan(
                &path,
                &Plan::Update {
                    changes,
                    unreadable: false
                }
            )
            .contains("~ modelId: \"m\" -> \"n\"")
        );
    }
}
