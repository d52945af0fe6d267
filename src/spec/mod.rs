//! Source text → spec. Each stage reports problems as diagnostics and hands on what it could
//! read, so that `agentc lint` shows every problem in a file at once:
//!
//! ```text
//! bytes ─utf8/size─▶ SourceFile ─yaml::parse─▶ Document (JSON value + spans)
//!       ─schema::check─▶ diagnostics ─serde─▶ Spec ─resolve─▶ Agent (rendered instruction, tools)
//! ```

mod conforms;
pub mod openapi;
pub mod resolve;
pub mod schema;
pub mod types;
pub mod yaml;

pub use resolve::{Agent, Tool, ToolSource};
pub use types::*;
pub use yaml::{Document, SpanIndex};

use crate::diag::{Code, Diagnostic};
use crate::source::{SourceFile, Span};
use std::path::{Path, PathBuf};

/// Problems that stop agentc from reading a file at all (exit status 2), as opposed to
/// problems *in* the file, which are diagnostics.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
pub enum LoadError {
    #[error("cannot read `{path}`: {source}")]
    #[diagnostic(code(agentc::read), help("check that the path exists and is readable"))]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// Not a regular file (a FIFO, a device), or unreadable: refused before anything blocks.
    #[error(transparent)]
    #[diagnostic(transparent)]
    File(#[from] crate::fsio::ReadError),
}

/// Options that change how a spec is resolved.
#[derive(Debug, Clone, Default)]
pub struct LoadOptions {
    /// `--var key=value`, overriding the spec's `vars`.
    pub vars: Vec<(String, String)>,
}

/// Everything agentc learnt from one file.
#[derive(Debug)]
pub struct Loaded {
    pub file: SourceFile,
    pub document: Option<Document>,
    pub spec: Option<Spec>,
    pub agent: Option<Agent>,
    pub diagnostics: Vec<Diagnostic>,
    /// When the file has structural errors (so `spec` is `None`): what could still be read,
    /// with the invalid parts left out, so that lint rules check the rest and a file's
    /// problems are reported at once. For linting only; never compile or deploy from it.
    pub partial: Option<PartialSpec>,
}

/// A spec read from a document after the parts that fail the schema were removed.
#[derive(Debug)]
pub struct PartialSpec {
    pub spec: Spec,
    pub agent: Agent,
    /// JSON pointers of the parts left out.
    pub removed: Vec<String>,
}

impl PartialSpec {
    /// Whether a finding of `rule` may be a mere consequence of a part left out (a function
    /// whose invalid `description` was removed is not "missing" one), and so is not shown.
    pub fn may_explain(&self, rule: Code) -> bool {
        let removed = |test: &dyn Fn(&str) -> bool| self.removed.iter().any(|p| test(p));
        match rule {
            Code::UndefinedVariable => removed(&|p| p == "/vars" || p.starts_with("/vars/")),
            Code::MissingDescription => {
                removed(&|p| p.ends_with("/description") || p.starts_with("/action_groups"))
            }
            Code::InvalidHandler => {
                removed(&|p| p.starts_with("/action_groups") || p.starts_with("/prompt_overrides"))
            }
            Code::MissingKey => removed(&|p| p.starts_with("/action_groups")),
            Code::DuplicateFunction
            | Code::DuplicateFunctionAcrossGroups
            | Code::ModelLacksToolUse
            | Code::UnsupportedOrchestrator => removed(&|p| p.starts_with("/targets")),
            _ => false,
        }
    }
}

impl Loaded {
    pub fn has_errors(&self) -> bool {
        self.diagnostics
            .iter()
            .any(|d| d.severity == crate::diag::Severity::Error)
    }

    /// The span of the value at a JSON pointer, if the document was parsed.
    pub fn span(&self, pointer: &str) -> Option<Span> {
        self.document.as_ref().and_then(|d| d.spans.value(pointer))
    }
}

/// Read and load a spec from disk.
///
/// Through [`crate::fsio::read_bytes`]: a regular file only (a FIFO or device is refused
/// before it is opened), `-` for standard input. Size and UTF-8 are checked by
/// [`load_bytes`], so that an oversized or mis-encoded spec is a located finding.
pub fn load_path(path: &Path, options: &LoadOptions) -> Result<Loaded, LoadError> {
    // One byte past the limit, so an oversized file is recognised without reading it all.
    let kind = crate::fsio::InputKind {
        max_bytes: yaml::MAX_SPEC_BYTES as u64 + 1,
        ..crate::source::SPEC_INPUT
    };
    let bytes = match crate::fsio::read_bytes(path, kind) {
        Ok(bytes) => bytes,
        Err(crate::fsio::ReadError::TooLarge { .. }) => {
            return Ok(failed(SourceFile::new(path, ""), too_large()));
        }
        Err(crate::fsio::ReadError::Io { source, .. }) => {
            return Err(LoadError::Read {
                path: path.to_path_buf(),
                source,
            });
        }
        Err(other) => return Err(other.into()),
    };
    Ok(load_bytes(path, bytes, options))
}

fn too_large() -> Diagnostic {
    Diagnostic::error(
        Code::YamlSyntax,
        format!(
            "the file is larger than {} MiB; agent specs are a few kilobytes",
            yaml::MAX_SPEC_BYTES / (1024 * 1024)
        ),
    )
    .with_help("check that this is the agent spec you meant to lint; move large texts (prompt templates, OpenAPI documents) into their own files")
}

/// Load a spec from bytes already read (tests, stdin).
pub fn load_bytes(path: &Path, bytes: Vec<u8>, options: &LoadOptions) -> Loaded {
    if bytes.len() > yaml::MAX_SPEC_BYTES {
        return failed(SourceFile::new(path, ""), too_large());
    }
    let text = match String::from_utf8(bytes) {
        Ok(text) => text,
        Err(error) => {
            let valid = error.utf8_error().valid_up_to();
            let bytes = error.into_bytes();
            let prefix = String::from_utf8_lossy(&bytes[..valid]).into_owned();
            let lossy = String::from_utf8_lossy(&bytes).into_owned();
            let file = SourceFile::new(path, lossy);
            let at = prefix.len();
            let diagnostic = Diagnostic::error(Code::YamlSyntax, "the file is not valid UTF-8")
                .with_span(Some(Span::new(at, at + 1)))
                .with_help("save the file as UTF-8; the first invalid byte is here");
            return failed(file, diagnostic);
        }
    };
    load_source(SourceFile::new(path, text), options)
}

fn failed(file: SourceFile, diagnostic: Diagnostic) -> Loaded {
    Loaded {
        file,
        document: None,
        spec: None,
        agent: None,
        diagnostics: vec![diagnostic],
        partial: None,
    }
}

/// Load a spec from text.
pub fn load_source(file: SourceFile, options: &LoadOptions) -> Loaded {
    let (document, mut diagnostics) = yaml::parse(&file);
    let Some(document) = document else {
        return Loaded {
            file,
            document: None,
            spec: None,
            agent: None,
            diagnostics,
            partial: None,
        };
    };
    if document.value.is_null() {
        // Only comments and blank lines: as good as empty.
        diagnostics.push(
            Diagnostic::error(
                Code::MissingKey,
                "the file contains no YAML document, only comments or blank lines",
            )
            .with_help("an agent spec needs at least `agentc: 1`, `name`, `model` and `instruction`; see `agentc schema`"),
        );
        return Loaded {
            file,
            document: Some(document),
            spec: None,
            agent: None,
            diagnostics,
            partial: None,
        };
    }
    if !document.value.is_object() {
        diagnostics.push(
            Diagnostic::error(
                Code::InvalidType,
                "an agent spec must be a mapping of keys to values",
            )
            .with_span(document.spans.value(""))
            .with_help("start from `agentc: 1`, `name: …`, `model: …`, `instruction: …`; see `agentc schema`"),
        );
        return Loaded {
            file,
            document: Some(document),
            spec: None,
            agent: None,
            diagnostics,
            partial: None,
        };
    }
    let schema_diagnostics = schema::check(&document);
    let structurally_valid = schema_diagnostics.is_empty();
    diagnostics.extend(schema_diagnostics);
    let spec = if structurally_valid {
        match serde_json::from_value::<Spec>(document.value.clone()) {
            Ok(spec) => Some(spec),
            Err(error) => {
                diagnostics.push(
                    Diagnostic::error(
                        Code::InvalidType,
                        format!("the spec does not fit its format: {error}"),
                    )
                    .with_span(document.spans.value("")),
                );
                None
            }
        }
    } else {
        None
    };
    let agent = spec.as_ref().map(|spec| {
        let (agent, resolve_diagnostics) = resolve::resolve(spec, &file, &document, options);
        diagnostics.extend(resolve_diagnostics);
        agent
    });
    let partial = if structurally_valid {
        None
    } else {
        read_partially(&file, &document, options, &mut diagnostics)
    };
    Loaded {
        file,
        document: Some(document),
        spec,
        agent,
        diagnostics,
        partial,
    }
}

/// The spec without the parts that fail the schema, if what remains is still a spec. Keys
/// are removed, never list items, so the JSON pointers (and spans) of what remains are those
/// of the document.
fn read_partially(
    file: &SourceFile,
    document: &Document,
    options: &LoadOptions,
    diagnostics: &mut Vec<Diagnostic>,
) -> Option<PartialSpec> {
    let (value, removed) = schema::without_invalid_parts(&document.value)?;
    let spec = serde_json::from_value::<Spec>(value).ok()?;
    let (agent, resolve_diagnostics) = resolve::resolve(&spec, file, document, options);
    let partial = PartialSpec {
        spec,
        agent,
        removed,
    };
    diagnostics.extend(
        resolve_diagnostics
            .into_iter()
            .filter(|d| !partial.may_explain(d.rule)),
    );
    Some(partial)
}
