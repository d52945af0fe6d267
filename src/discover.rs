//! Which files to lint: explicit files always, and under directories every `*.yaml`/`*.yml`
//! that declares `agentc:` at the top level (so Kubernetes manifests and CI files beside the
//! specs are left alone). Symbolic links are followed, to files and to folders, with loops
//! reported as errors: a symlinked spec is linted, never silently skipped.

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
        if path.as_os_str() == "-" {
            // Standard input: the loader reads it.
            files.push(path.clone());
            continue;
        }
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
            .follow_links(true)
            .sort_by_file_name()
            .into_iter()
            .filter_entry(|entry| {
                entry.depth() == 0 || !is_ignored_dir(entry.path(), entry.file_type().is_dir())
            });
        for entry in walker {
            let entry = match entry {
                Ok(entry) => entry,
                // A dangling link that could not be a spec is none of lint's business.
                Err(e)
                    if e.loop_ancestor().is_none()
                        && e.path().is_some_and(|p| is_dangling_link(p) && !is_yaml(p)) =>
                {
                    continue;
                }
                Err(e) => {
                    return Err(WalkError {
                        path: e.path().map_or_else(
                            || path.display().to_string(),
                            |p| p.display().to_string(),
                        ),
                        message: walk_message(&e),
                    });
                }
            };
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

fn is_dangling_link(path: &Path) -> bool {
    std::fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_symlink())
        && std::fs::metadata(path).is_err()
}

/// walkdir's error in a sentence: a loop names the folder it leads back to.
fn walk_message(error: &walkdir::Error) -> String {
    if let Some(ancestor) = error.loop_ancestor() {
        return format!(
            "it is a symbolic link back to {}, which would make the search endless; remove the link or name the files to lint",
            ancestor.display()
        );
    }
    if let Some(path) = error.path()
        && is_dangling_link(path)
    {
        return "it is a symbolic link to a file that does not exist".to_string();
    }
    error
        .io_error()
        .map_or_else(|| error.to_string(), ToString::to_string)
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
    // Never opens a FIFO or device (which could block or never end).
    let Ok(file) = crate::fsio::open_regular(path) else {
        // Unreadable: let the loader report it properly.
        return true;
    };
    let mut head = Vec::new();
    if file.take(64 * 1024).read_to_end(&mut head).is_err() {
        return true;
    }
    crate::fsio::spec_text(&head)
}

/// Whether a text declares `agentc:` at the top level (the editor server asks this of the
/// text it is given, as `--only-specs` asks it of a file).
pub fn is_spec_text(text: &str) -> bool {
    crate::fsio::spec_text(text.as_bytes())
}
