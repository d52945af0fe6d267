//! The one way agentc reads and writes files (issue 12).
//!
//! Writing: the target must be absent or a regular file (never a device, FIFO, socket,
//! directory, or a symbolic link — a link at the target itself is refused rather than resolved,
//! because replacing it would either break the link or write somewhere the path does not name).
//! The bytes go to a new file with a random name in the target's folder, created exclusively
//! (`O_CREAT|O_EXCL`, which also refuses a planted symlink at that name), are fsynced, renamed
//! over the target, and the folder is fsynced so a crash leaves either the old or the new file.
//! Callers can protect paths (the input spec) and say which existing files they may replace.
//!
//! Reading: regular files only, checked before the open and again on the open handle (opened
//! with `O_NONBLOCK`, so a file swapped for a FIFO in between cannot block), `-` for standard
//! input where the caller allows it, a size cap per kind of input, UTF-8 checked with a line
//! and column. Symlinks are followed when reading: a symlinked spec is a normal thing to have.

use std::fs::{File, Metadata, OpenOptions};
use std::io::{Read, Write};
use std::os::unix::fs::{FileTypeExt, MetadataExt, OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};

/// What a non-regular file is, in words.
pub(crate) fn describe_type(metadata: &Metadata) -> &'static str {
    let kind = metadata.file_type();
    if kind.is_dir() {
        "a folder"
    } else if kind.is_symlink() {
        "a symbolic link"
    } else if kind.is_fifo() {
        "a named pipe (FIFO)"
    } else if kind.is_char_device() {
        "a character device"
    } else if kind.is_block_device() {
        "a block device"
    } else if kind.is_socket() {
        "a socket"
    } else {
        "not a regular file"
    }
}

#[derive(Debug, thiserror::Error, miette::Diagnostic)]
pub enum WriteError {
    #[error("{} is {what}; agentc only writes regular files", path.display())]
    #[diagnostic(
        code(agentc::fs::not_regular),
        help("choose a path for a regular file (a new one, or one agentc wrote before)")
    )]
    NotRegular { path: PathBuf, what: &'static str },
    #[error("{} is a symbolic link; agentc does not write through links", path.display())]
    #[diagnostic(
        code(agentc::fs::symlink),
        help("name the file the link points to, or remove the link")
    )]
    Symlink { path: PathBuf },
    #[error("{} is {what}; agentc never replaces it", path.display())]
    #[diagnostic(code(agentc::fs::protected), help("choose a different output path"))]
    Protected { path: PathBuf, what: String },
    #[error("{} exists and is not {kind}; agentc does not replace it", path.display())]
    #[diagnostic(
        code(agentc::fs::unrelated),
        help("choose a different output path, or pass --force to replace it")
    )]
    Unrelated { path: PathBuf, kind: String },
    #[error("cannot write {}: {source}", path.display())]
    #[diagnostic(code(agentc::fs::write))]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
}

impl WriteError {
    /// The reason without the path, for callers whose own error already names the file.
    pub fn into_io(self) -> std::io::Error {
        match self {
            WriteError::Io { source, .. } => source,
            WriteError::NotRegular { what, .. } => {
                std::io::Error::other(format!("it is {what}; agentc only writes regular files"))
            }
            WriteError::Symlink { .. } => std::io::Error::other(
                "it is a symbolic link to nothing; agentc does not write through links",
            ),
            WriteError::Protected { what, .. } => {
                std::io::Error::other(format!("it is {what}; agentc never writes to it"))
            }
            WriteError::Unrelated { kind, .. } => std::io::Error::other(format!(
                "it exists and is not {kind}; choose another path, or pass --force"
            )),
        }
    }
}

/// A path a write must never replace, and what it is (for the message).
#[derive(Debug, Clone)]
pub struct Protected {
    pub path: PathBuf,
    /// E.g. "the input spec".
    pub what: String,
}

/// Whether an existing file's first bytes show it is the caller's kind of artifact.
pub type SameKind<'a> = &'a dyn Fn(&[u8]) -> bool;

/// How a write treats what is already at the target.
pub struct WriteOptions<'a> {
    /// What the file is, as the messages name it ("an agentc artifact").
    pub kind: &'a str,
    /// Paths never replaced, whatever `force` says (compared by file identity, so another
    /// spelling or a hard link of the spec is caught too).
    pub protected: &'a [Protected],
    /// Whether an existing file (its first `MAX_SNIFF` bytes) is the same kind of artifact;
    /// `None` replaces any regular file.
    pub same_kind: Option<SameKind<'a>>,
    /// Replace a regular file even if `same_kind` says it is not ours.
    pub force: bool,
}

impl<'a> WriteOptions<'a> {
    /// Replace any regular file except the protected ones.
    pub fn new(kind: &'a str) -> Self {
        Self {
            kind,
            protected: &[],
            same_kind: None,
            force: false,
        }
    }
}

/// A `same_kind` test for JSON that agentc writes: an object whose first bytes name one of
/// `keys` (a Converse config's `modelId`, a saved plan's `format_version`, …).
pub fn json_naming(head: &[u8], keys: &[&str]) -> bool {
    let text = String::from_utf8_lossy(head);
    text.trim_start().starts_with('{') && keys.iter().any(|k| text.contains(&format!("\"{k}\"")))
}

/// A `same_kind` test for an agent spec: YAML that declares `agentc:` at the top level.
pub fn spec_text(head: &[u8]) -> bool {
    String::from_utf8_lossy(head)
        .lines()
        .any(|line| line.trim_start_matches('\u{feff}').starts_with("agentc:"))
}

/// The spec of a command, as the path its writes must never replace.
pub fn the_spec(path: &Path) -> Protected {
    Protected {
        path: path.to_path_buf(),
        what: "the input spec".to_string(),
    }
}

/// How much of an existing file `same_kind` sees.
pub const MAX_SNIFF: u64 = 64 * 1024;

/// Whether [`write_file`] would replace what is at `path` (every check, nothing written):
/// for commands that want to refuse before they show a plan or call a service. Returns the
/// permissions a replaced file keeps.
pub fn check_replace(path: &Path, options: &WriteOptions) -> Result<u32, WriteError> {
    let io = |source| WriteError::Io {
        path: path.to_path_buf(),
        source,
    };
    let existing = match std::fs::symlink_metadata(path) {
        Ok(metadata) => Some(metadata),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
        Err(e) => return Err(io(e)),
    };
    let mut mode = 0o666;
    if let Some(metadata) = &existing {
        if metadata.file_type().is_symlink() {
            return Err(WriteError::Symlink {
                path: path.to_path_buf(),
            });
        }
        if !metadata.file_type().is_file() {
            return Err(WriteError::NotRegular {
                path: path.to_path_buf(),
                what: describe_type(metadata),
            });
        }
        for protected in options.protected {
            if let Ok(p) = std::fs::metadata(&protected.path)
                && p.dev() == metadata.dev()
                && p.ino() == metadata.ino()
            {
                return Err(WriteError::Protected {
                    path: path.to_path_buf(),
                    what: protected.what.clone(),
                });
            }
        }
        if let (Some(same_kind), false) = (options.same_kind, options.force) {
            let head = read_head(path, MAX_SNIFF).map_err(io)?;
            if !same_kind(&head) {
                return Err(WriteError::Unrelated {
                    path: path.to_path_buf(),
                    kind: options.kind.to_string(),
                });
            }
        }
        // A replaced file keeps its permissions (someone may have made it group-readable).
        mode = metadata.permissions().mode() & 0o7777;
    }
    Ok(mode)
}

/// Write `contents` to `path` as described in the module documentation.
pub fn write_file(path: &Path, contents: &[u8], options: &WriteOptions) -> Result<(), WriteError> {
    let io = |source| WriteError::Io {
        path: path.to_path_buf(),
        source,
    };
    let mode = check_replace(path, options)?;
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let name = path
        .file_name()
        .map_or_else(|| "agentc".into(), |n| n.to_string_lossy().into_owned());
    // tempfile creates with O_CREAT|O_EXCL under a random name and retries on a collision,
    // so a file or symlink planted at a temporary name is never opened.
    let mut temp = tempfile::Builder::new()
        .prefix(&format!(".{name}."))
        .suffix(".tmp")
        .permissions(std::fs::Permissions::from_mode(mode))
        .tempfile_in(dir)
        .map_err(io)?;
    temp.write_all(contents).map_err(io)?;
    temp.as_file().sync_all().map_err(io)?;
    temp.persist(path).map_err(|e| io(e.error))?;
    // Without this the rename may not survive a crash. Some filesystems cannot fsync a
    // folder; the file itself is complete either way, so that is not worth failing over.
    if let Ok(folder) = File::open(dir) {
        let _ = folder.sync_all();
    }
    Ok(())
}

/// Create the folders above `path` that are missing, refusing (with the path named) a
/// component that exists and is not a folder.
pub fn create_parent_dirs(path: &Path) -> Result<(), WriteError> {
    let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) else {
        return Ok(());
    };
    let mut at = PathBuf::new();
    for component in dir.components() {
        at.push(component);
        match std::fs::metadata(&at) {
            Ok(metadata) if metadata.is_dir() => {}
            Ok(metadata) => {
                return Err(WriteError::NotRegular {
                    path: at,
                    what: describe_type(&metadata),
                });
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => break,
            Err(source) => return Err(WriteError::Io { path: at, source }),
        }
    }
    std::fs::create_dir_all(dir).map_err(|source| WriteError::Io {
        path: dir.to_path_buf(),
        source,
    })
}

/// Check what is at `path` before a store or log opens it in place: absent, or a regular
/// file (a symlink to one is followed), never protected. Devices, FIFOs and sockets are
/// refused with what they are.
pub fn check_target(path: &Path, protected: &[Protected]) -> Result<(), WriteError> {
    let metadata = match std::fs::metadata(path) {
        Ok(metadata) => metadata,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            // A dangling link would be created through: refuse it as a link.
            if std::fs::symlink_metadata(path).is_ok() {
                return Err(WriteError::Symlink {
                    path: path.to_path_buf(),
                });
            }
            return Ok(());
        }
        Err(source) => {
            return Err(WriteError::Io {
                path: path.to_path_buf(),
                source,
            });
        }
    };
    if !metadata.file_type().is_file() {
        return Err(WriteError::NotRegular {
            path: path.to_path_buf(),
            what: describe_type(&metadata),
        });
    }
    for protected in protected {
        if let Ok(p) = std::fs::metadata(&protected.path)
            && p.dev() == metadata.dev()
            && p.ino() == metadata.ino()
        {
            return Err(WriteError::Protected {
                path: path.to_path_buf(),
                what: protected.what.clone(),
            });
        }
    }
    Ok(())
}

/// Open `path` for appending (creating it), as the trace is written: a symlink to a regular
/// file is followed, but a device, FIFO or socket (directly or through a link) is refused
/// without blocking — the open uses `O_NONBLOCK` and the handle is checked again, so a FIFO
/// swapped in between cannot block either. An existing non-empty file that `same_kind` does
/// not recognise is appended to only with `force`; protected paths never.
pub fn open_append(path: &Path, options: &WriteOptions) -> Result<File, WriteError> {
    let io = |source| WriteError::Io {
        path: path.to_path_buf(),
        source,
    };
    check_target(path, options.protected)?;
    if let (Some(same_kind), false) = (options.same_kind, options.force)
        && std::fs::metadata(path).is_ok_and(|m| m.len() > 0)
    {
        let head = read_head(path, MAX_SNIFF).map_err(io)?;
        if !same_kind(&head) {
            return Err(WriteError::Unrelated {
                path: path.to_path_buf(),
                kind: options.kind.to_string(),
            });
        }
    }
    let file = OpenOptions::new()
        .create(true)
        .append(true)
        .custom_flags((rustix::fs::OFlags::NONBLOCK | rustix::fs::OFlags::NOCTTY).bits() as i32)
        .open(path)
        .map_err(io)?;
    let metadata = file.metadata().map_err(io)?;
    if !metadata.file_type().is_file() {
        return Err(WriteError::NotRegular {
            path: path.to_path_buf(),
            what: describe_type(&metadata),
        });
    }
    Ok(file)
}

fn read_head(path: &Path, limit: u64) -> std::io::Result<Vec<u8>> {
    let mut head = Vec::new();
    open_regular(path)?.take(limit).read_to_end(&mut head)?;
    Ok(head)
}

/// Open a regular file for reading without ever blocking on a FIFO or device that replaced it.
pub(crate) fn open_regular(path: &Path) -> std::io::Result<File> {
    let file = OpenOptions::new()
        .read(true)
        .custom_flags((rustix::fs::OFlags::NONBLOCK | rustix::fs::OFlags::NOCTTY).bits() as i32)
        .open(path)?;
    if !file.metadata()?.file_type().is_file() {
        return Err(std::io::Error::other(
            "the file changed into a non-regular file",
        ));
    }
    Ok(file)
}

#[derive(Debug, thiserror::Error, miette::Diagnostic)]
pub enum ReadError {
    #[error("{} is {what}; agentc reads {kind} only from a regular file", path.display())]
    #[diagnostic(code(agentc::fs::not_regular_input), help("{help}"))]
    NotRegular {
        path: PathBuf,
        what: &'static str,
        kind: String,
        help: String,
    },
    #[error("{} is larger than the {} limit for {kind}", path.display(), size_in_words(*limit))]
    #[diagnostic(code(agentc::fs::too_large))]
    TooLarge {
        path: PathBuf,
        kind: String,
        limit: u64,
    },
    #[error("{} is not UTF-8 text: invalid byte at line {line}, column {column}", path.display())]
    #[diagnostic(code(agentc::fs::not_utf8), help("save the file as UTF-8"))]
    NotUtf8 {
        path: PathBuf,
        line: usize,
        column: usize,
    },
    #[error("cannot read {}: {source}", path.display())]
    #[diagnostic(code(agentc::fs::read))]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
}

impl ReadError {
    /// The reason without the path, for callers whose own error already names the file
    /// ("cannot read the price table `p`: it is a named pipe …").
    pub fn into_io(self) -> std::io::Error {
        match self {
            ReadError::Io { source, .. } => source,
            ReadError::NotRegular {
                what, kind, help, ..
            } => std::io::Error::other(format!(
                "it is {what}; agentc reads {kind} only from a regular file ({help})"
            )),
            ReadError::TooLarge { kind, limit, .. } => std::io::Error::other(format!(
                "it is larger than the {} limit for {kind}",
                size_in_words(limit)
            )),
            ReadError::NotUtf8 { line, column, .. } => std::io::Error::other(format!(
                "it is not UTF-8 text: invalid byte at line {line}, column {column}"
            )),
        }
    }
}

/// A byte count as a limit is said: "4 MiB", "64 KiB", "16-byte".
pub fn size_in_words(bytes: u64) -> String {
    const KIB: u64 = 1024;
    const MIB: u64 = 1024 * KIB;
    if bytes >= MIB && bytes.is_multiple_of(MIB) {
        format!("{} MiB", bytes / MIB)
    } else if bytes >= KIB && bytes.is_multiple_of(KIB) {
        format!("{} KiB", bytes / KIB)
    } else {
        format!("{bytes}-byte")
    }
}

/// [`read_text`] for callers with an `std::io::Error` in their own error type.
pub fn read_text_io(path: &Path, kind: InputKind) -> std::io::Result<String> {
    read_text(path, kind).map_err(ReadError::into_io)
}

/// A kind of input and its bounds.
#[derive(Debug, Clone, Copy)]
pub struct InputKind {
    /// E.g. "a spec", "a price table".
    pub name: &'static str,
    pub max_bytes: u64,
    /// Whether `-` means standard input.
    pub stdin: bool,
}

/// A prompt template or instruction file named by a spec (Bedrock's largest prompt is far
/// smaller than this).
pub const TEMPLATE_INPUT: InputKind = InputKind {
    name: "a prompt template",
    max_bytes: 1024 * 1024,
    stdin: false,
};

/// Read a file's bytes within `kind`'s bounds.
pub fn read_bytes(path: &Path, kind: InputKind) -> Result<Vec<u8>, ReadError> {
    let io = |source| ReadError::Io {
        path: path.to_path_buf(),
        source,
    };
    let mut bytes = Vec::new();
    if kind.stdin && path == Path::new("-") {
        std::io::stdin()
            .lock()
            .take(kind.max_bytes.saturating_add(1))
            .read_to_end(&mut bytes)
            .map_err(io)?;
    } else {
        // Checked before opening: opening a FIFO for reading blocks until a writer comes.
        let metadata = std::fs::metadata(path).map_err(io)?;
        if !metadata.file_type().is_file() {
            let help = if kind.stdin {
                format!("to read {} from a pipe, pass `-` and pipe it in", kind.name)
            } else {
                "name a regular file".to_string()
            };
            return Err(ReadError::NotRegular {
                path: path.to_path_buf(),
                what: describe_type(&metadata),
                kind: kind.name.to_string(),
                help,
            });
        }
        open_regular(path)
            .map_err(io)?
            .take(kind.max_bytes.saturating_add(1))
            .read_to_end(&mut bytes)
            .map_err(io)?;
    }
    if bytes.len() as u64 > kind.max_bytes {
        return Err(ReadError::TooLarge {
            path: path.to_path_buf(),
            kind: kind.name.to_string(),
            limit: kind.max_bytes,
        });
    }
    Ok(bytes)
}

/// Read a file as UTF-8 text within `kind`'s bounds.
pub fn read_text(path: &Path, kind: InputKind) -> Result<String, ReadError> {
    let bytes = read_bytes(path, kind)?;
    String::from_utf8(bytes).map_err(|e| {
        let good = &e.as_bytes()[..e.utf8_error().valid_up_to()];
        // The prefix is valid UTF-8 by definition of valid_up_to.
        let good = String::from_utf8_lossy(good);
        let line = good.matches('\n').count() + 1;
        let column = good.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
        ReadError::NotUtf8 {
            path: path.to_path_buf(),
            line,
            column,
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::symlink;
    use std::process::Command;

    const SPEC: InputKind = InputKind {
        name: "a spec",
        max_bytes: 16,
        stdin: true,
    };

    fn mkfifo(path: &Path) {
        let status = Command::new("mkfifo").arg(path).status().unwrap();
        assert!(status.success());
    }

    fn listing(dir: &Path) -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    }

    #[test]
    fn writes_a_new_file_and_replaces_one_leaving_no_temporary_file() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("agent.json");
        write_file(&out, b"one", &WriteOptions::new("an artifact")).unwrap();
        write_file(&out, b"two", &WriteOptions::new("an artifact")).unwrap();
        assert_eq!(std::fs::read(&out).unwrap(), b"two");
        assert_eq!(listing(dir.path()), ["agent.json"]);
    }

    #[test]
    fn a_symlink_at_the_target_is_refused_and_its_destination_untouched() {
        let dir = tempfile::tempdir().unwrap();
        let victim = dir.path().join("victim");
        std::fs::write(&victim, "precious").unwrap();
        let out = dir.path().join("out.json");
        symlink(&victim, &out).unwrap();
        let error = write_file(&out, b"x", &WriteOptions::new("an artifact")).unwrap_err();
        assert!(matches!(error, WriteError::Symlink { .. }), "{error}");
        assert_eq!(std::fs::read(&victim).unwrap(), b"precious");
        // A link to a device is refused the same way, without touching the device.
        let to_null = dir.path().join("null.json");
        symlink("/dev/null", &to_null).unwrap();
        assert!(matches!(
            write_file(&to_null, b"x", &WriteOptions::new("an artifact")),
            Err(WriteError::Symlink { .. })
        ));
    }

    #[test]
    fn symlinks_planted_at_temporary_names_are_never_followed() {
        let dir = tempfile::tempdir().unwrap();
        let victim = dir.path().join("victim");
        std::fs::write(&victim, "precious").unwrap();
        // The old predictable names, and a spread of names with the real prefix.
        for name in [".out.json.tmp", "out.json.tmp", ".out.json.agentc-tmp"] {
            symlink(&victim, dir.path().join(name)).unwrap();
        }
        let out = dir.path().join("out.json");
        for _ in 0..20 {
            write_file(&out, b"new", &WriteOptions::new("an artifact")).unwrap();
        }
        assert_eq!(std::fs::read(&victim).unwrap(), b"precious");
        assert_eq!(std::fs::read(&out).unwrap(), b"new");
    }

    #[test]
    fn devices_fifos_and_folders_are_refused_as_targets() {
        let dir = tempfile::tempdir().unwrap();
        let fifo = dir.path().join("fifo");
        mkfifo(&fifo);
        for (path, what) in [
            (Path::new("/dev/null"), "a character device"),
            (fifo.as_path(), "a named pipe (FIFO)"),
            (dir.path(), "a folder"),
        ] {
            let error = write_file(path, b"x", &WriteOptions::new("an artifact")).unwrap_err();
            match &error {
                WriteError::NotRegular { what: w, .. } => assert_eq!(*w, what),
                other => panic!("{other}"),
            }
        }
        assert!(
            std::fs::symlink_metadata(&fifo)
                .unwrap()
                .file_type()
                .is_fifo()
        );
    }

    #[test]
    fn the_input_spec_is_never_replaced_even_with_force() {
        let dir = tempfile::tempdir().unwrap();
        let spec = dir.path().join("agent.yaml");
        std::fs::write(&spec, "agentc: 1").unwrap();
        let protected = [Protected {
            path: spec.clone(),
            what: "the input spec".into(),
        }];
        let options = WriteOptions {
            protected: &protected,
            force: true,
            ..WriteOptions::new("an artifact")
        };
        // Another spelling of the same file is the same file.
        let other_spelling = dir.path().join(".").join("agent.yaml");
        let error = write_file(&other_spelling, b"x", &options).unwrap_err();
        assert!(error.to_string().contains("the input spec"), "{error}");
        assert_eq!(std::fs::read(&spec).unwrap(), b"agentc: 1");
    }

    #[test]
    fn an_unrelated_file_is_replaced_only_with_force() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("package.json");
        std::fs::write(&out, r#"{"name": "web"}"#).unwrap();
        let ours = |head: &[u8]| head.starts_with(b"{\"agentc_artifact\"");
        let options = WriteOptions {
            same_kind: Some(&ours),
            ..WriteOptions::new("an agentc artifact")
        };
        let error = write_file(&out, b"{\"agentc_artifact\": 1}", &options).unwrap_err();
        assert!(matches!(error, WriteError::Unrelated { .. }));
        assert!(error.to_string().contains("is not an agentc artifact"));
        assert_eq!(std::fs::read(&out).unwrap(), br#"{"name": "web"}"#);
        let forced = WriteOptions {
            force: true,
            ..options
        };
        write_file(&out, b"{\"agentc_artifact\": 1}", &forced).unwrap();
        // Now it is ours, so it is replaced without --force.
        let options = WriteOptions {
            same_kind: Some(&ours),
            ..WriteOptions::new("an agentc artifact")
        };
        write_file(&out, b"{\"agentc_artifact\": 2}", &options).unwrap();
        assert_eq!(std::fs::read(&out).unwrap(), b"{\"agentc_artifact\": 2}");
    }

    #[test]
    fn a_read_only_folder_is_an_error_that_names_the_path() {
        let dir = tempfile::tempdir().unwrap();
        let locked = dir.path().join("locked");
        std::fs::create_dir(&locked).unwrap();
        std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o555)).unwrap();
        let out = locked.join("out.json");
        let result = write_file(&out, b"x", &WriteOptions::new("an artifact"));
        std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o755)).unwrap();
        // Root ignores folder permissions; the test means something only for other users.
        if rustix::process::geteuid().is_root() {
            return;
        }
        let error = result.unwrap_err();
        assert!(matches!(error, WriteError::Io { .. }));
        assert!(error.to_string().contains("out.json"), "{error}");
        assert!(listing(&locked).is_empty());
    }

    #[test]
    fn a_fifo_or_device_input_is_refused_without_blocking() {
        let dir = tempfile::tempdir().unwrap();
        let fifo = dir.path().join("spec.yaml");
        mkfifo(&fifo);
        // No writer ever opens the FIFO: reading it would block this test forever.
        let error = read_text(&fifo, SPEC).unwrap_err();
        assert!(error.to_string().contains("named pipe"), "{error}");
        let error = read_text(Path::new("/dev/zero"), SPEC).unwrap_err();
        assert!(error.to_string().contains("character device"), "{error}");
        let help = match error {
            ReadError::NotRegular { help, .. } => help,
            other => panic!("{other}"),
        };
        assert!(help.contains("pass `-`"));
    }

    #[test]
    fn inputs_are_capped_and_the_message_names_the_limit() {
        let dir = tempfile::tempdir().unwrap();
        let big = dir.path().join("big.yaml");
        std::fs::write(&big, "x".repeat(17)).unwrap();
        let error = read_text(&big, SPEC).unwrap_err();
        assert_eq!(
            error.to_string(),
            format!(
                "{} is larger than the 16-byte limit for a spec",
                big.display()
            )
        );
        std::fs::write(&big, "x".repeat(16)).unwrap();
        assert_eq!(read_text(&big, SPEC).unwrap().len(), 16);
    }

    #[test]
    fn invalid_utf8_is_located_and_symlinked_inputs_are_followed() {
        let dir = tempfile::tempdir().unwrap();
        let bad = dir.path().join("bad.yaml");
        std::fs::write(&bad, b"a: 1\nbc\xff").unwrap();
        let link = dir.path().join("link.yaml");
        symlink(&bad, &link).unwrap();
        match read_text(&link, SPEC).unwrap_err() {
            ReadError::NotUtf8 { line, column, .. } => assert_eq!((line, column), (2, 3)),
            other => panic!("{other}"),
        }
    }
}
