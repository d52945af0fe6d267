//! Which files to lint: explicit files always, and under directories every `*.yaml`/`*.yml`
//! that declares `agentc:` at the top level (so Kubernetes manifests and CI files beside the
//! specs are left alone).

use std::path::{Path, PathBuf};

#[derive(Debug)]
pub struct WalkError {
    pub path: String,
    pub message: String,
}

/// The spec files under `paths`. Named files are always included, unless `only_specs` asks to
/// skip those that do not look like agent specs.
pub fn spec_files(paths: &[PathBuf], only_specs: bool) -> Result<Vec<PathBuf>, WalkError> {
    let mut files = Vec::new();
    for path in paths {
        let metadata = std::fs::metadata(path).map_err(|e| WalkError {
            path: path.display().to_string(),
            message: e.to_string(),
        })?;
        if !metadata.is_dir() {
            if !only_specs || looks_like_spec(path) {
                files.push(path.clone());
            }
            continue;
        }
        let walker = walkdir::WalkDir::new(path)
            .sort_by_file_name()
            .into_iter()
            .filter_entry(|entry| {
                entry.depth() == 0 || !is_ignored_dir(entry.path(), entry.file_type().is_dir())
            });
        for entry in walker {
            let entry = entry.map_err(|e| WalkError {
                path: e
                    .path()
                    .map_or_else(|| path.display().to_string(), |p| p.display().to_string()),
                message: e.to_string(),
            })?;
            if entry.file_type().is_file() && is_yaml(entry.path()) && looks_like_spec(entry.path())
            {
                files.push(entry.into_path());
            }
        }
    }
    // A file named twice (or named and inside a named directory) is linted once.
    let mut seen = std::collections::HashSet::new();
    files.retain(|file| seen.insert(file.clone()));
    Ok(files)
}

fn is_ignored_dir(path: &Path, is_dir: bool) -> bool {
    is_dir
        && path
            .file_name()
            .and_then(|n| n.to_str())
            .is_some_and(|name| {
                name.starts_with('.')
                    || matches!(name, "target" | "node_modules" | "dist" | "vendor")
            })
}

fn is_yaml(path: &Path) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| e == "yaml" || e == "yml")
}

/// An agent spec declares its format version at the top level: a line `agentc: …`.
fn looks_like_spec(path: &Path) -> bool {
    use std::io::Read;
    let Ok(file) = std::fs::File::open(path) else {
        // Unreadable: let the loader report it properly.
        return true;
    };
    let mut head = Vec::new();
    if file.take(64 * 1024).read_to_end(&mut head).is_err() {
        return true;
    }
    is_spec_text(&String::from_utf8_lossy(&head))
}

/// Whether a text declares `agentc:` at the top level (the editor server asks this of the
/// text it is given, as `--only-specs` asks it of a file).
pub fn is_spec_text(text: &str) -> bool {
    text.lines()
        .any(|line| line.trim_start_matches('\u{feff}').starts_with("agentc:"))
}
