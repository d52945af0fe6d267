//! `agentc lsp`: a language server for agent specs, over any byte stream (the command layer
//! gives it stdin and stdout).
//!
//! It publishes what `agentc lint` reports (the same loader, rules, levels and inline
//! suppressions, on the editor's unsaved text) on open and on every change; hover shows a
//! finding's `agentc explain` text and a tool definition's token estimate against the
//! budget; completion offers the keys the spec's JSON Schema allows where the cursor is.
//!
//! One thread, no async runtime: linting a spec takes milliseconds, so each message is
//! handled to the end before the next is read, and the server builds without the network
//! features. Documents that do not declare `agentc:` at the top level (other YAML files the
//! editor hands every YAML server) get no findings, as with `agentc lint --only-specs`.

pub mod complete;
pub mod hover;
pub mod text;
pub mod transport;

use crate::diag::Severity;
use crate::lint::LevelOverrides;
use crate::models::ModelTable;
use crate::spec::{LoadOptions, Loaded};
use lsp_server::{ErrorCode, Message, Notification, Request, RequestId, Response};
use lsp_types as lsp;
use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::io::{BufRead, Write};
use text::LineIndex;
use transport::Incoming;

/// The connection to the editor failed (its pipe closed while writing, or a read error).
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
#[error("the connection to the editor failed: {0}")]
#[diagnostic(
    code(agentc::lsp),
    help("`agentc lsp` is started by an editor, which talks to it over stdin and stdout")
)]
pub struct LspError(#[from] std::io::Error);

/// How the session ended, for the exit status (LSP: 0 after `shutdown` then `exit`, else 1).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ended {
    /// `shutdown`, then `exit`.
    Clean,
    /// `exit` without `shutdown`, or the client closed the stream.
    Abrupt,
}

/// An open document and what agentc found in it.
struct Document {
    uri: lsp::Uri,
    version: Option<i32>,
    text: String,
    lines: LineIndex,
    analysis: Option<Analysis>,
}

/// A spec's lint result, kept for hover.
pub struct Analysis {
    pub loaded: Loaded,
    pub findings: Vec<crate::diag::Diagnostic>,
}

/// Load and lint `text` as `agentc lint` does for the file at `path`; `None` when the text is
/// not an agent spec (no top-level `agentc:`).
pub fn analyse(path: &std::path::Path, text: &str, models: &ModelTable) -> Option<Analysis> {
    if !crate::discover::is_spec_text(text) {
        return None;
    }
    let loaded = crate::spec::load_bytes(path, text.as_bytes().to_vec(), &LoadOptions::default());
    let findings = crate::lint::lint(&loaded, models, &LevelOverrides::default());
    Some(Analysis { loaded, findings })
}

/// Serve one editor session until `exit` or the end of the input.
pub fn serve(
    input: &mut impl BufRead,
    output: &mut impl Write,
    models: &ModelTable,
) -> Result<Ended, LspError> {
    let mut server = Server {
        output,
        models,
        documents: BTreeMap::new(),
        state: State::Uninitialized,
        watch_files: false,
        next_id: 0,
    };
    loop {
        let message = match transport::read(input)? {
            Incoming::Closed => return Ok(Ended::Abrupt),
            Incoming::Malformed(reply) => {
                transport::write_value(server.output, &reply)?;
                continue;
            }
            Incoming::Message(message) => message,
        };
        // Every input is handled without panicking (tested); should a bug of ours panic
        // anyway, the editor gets an error for that one message and keeps its server.
        let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            server.handle(message.clone())
        }));
        match outcome {
            Ok(Ok(Some(ended))) => return Ok(ended),
            Ok(Ok(None)) => {}
            Ok(Err(e)) => return Err(e.into()),
            Err(_) => {
                if let Message::Request(request) = message {
                    server.reply_error(
                        request.id,
                        ErrorCode::InternalError,
                        "agentc failed on this request (a bug: please report it with the spec)",
                    )?;
                }
            }
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    Uninitialized,
    Running,
    ShutDown,
}

struct Server<'a, W: Write> {
    output: &'a mut W,
    models: &'a ModelTable,
    documents: BTreeMap<String, Document>,
    state: State,
    /// The client can watch files for us (dynamic registration): a referenced OpenAPI
    /// document or prompt template changing or vanishing re-lints the open specs.
    watch_files: bool,
    next_id: i32,
}

type Handled = std::io::Result<Option<Ended>>;

impl<W: Write> Server<'_, W> {
    fn handle(&mut self, message: Message) -> Handled {
        match message {
            Message::Request(request) => self.request(request),
            Message::Notification(notification) => self.notification(notification),
            // Replies to our own requests (the file-watch registration): nothing to do.
            Message::Response(_) => Ok(None),
        }
    }

    fn request(&mut self, request: Request) -> Handled {
        let id = request.id.clone();
        match (self.state, request.method.as_str()) {
            (State::Uninitialized, "initialize") => {
                // Only one capability matters here, so it is read alone: a client whose other
                // capabilities this version of lsp-types does not know still gets a server.
                self.watch_files = request
                    .params
                    .pointer("/capabilities/workspace/didChangeWatchedFiles/dynamicRegistration")
                    .and_then(Value::as_bool)
                    .unwrap_or(false);
                self.state = State::Running;
                self.reply(id, initialize_result())?;
            }
            (State::Uninitialized, _) => {
                self.reply_error(
                    id,
                    ErrorCode::ServerNotInitialized,
                    "the server is not initialized: send `initialize` first",
                )?;
            }
            (State::ShutDown, _) => {
                self.reply_error(
                    id,
                    ErrorCode::InvalidRequest,
                    "the server is shut down: only `exit` is accepted now",
                )?;
            }
            (State::Running, "initialize") => {
                self.reply_error(
                    id,
                    ErrorCode::InvalidRequest,
                    "the server is already initialized",
                )?;
            }
            (State::Running, "shutdown") => {
                self.state = State::ShutDown;
                self.reply(id, Value::Null)?;
            }
            (State::Running, "textDocument/hover") => {
                let params: lsp::HoverParams = match parse(&request.params) {
                    Ok(params) => params,
                    Err(why) => return self.invalid_params(id, &why),
                };
                let at = params.text_document_position_params;
                let hover = self
                    .documents
                    .get(at.text_document.uri.as_str())
                    .and_then(|doc| {
                        let analysis = doc.analysis.as_ref()?;
                        let offset = doc.lines.offset(&doc.text, at.position);
                        hover::hover(analysis, offset).map(|found| lsp::Hover {
                            contents: lsp::HoverContents::Markup(lsp::MarkupContent {
                                kind: lsp::MarkupKind::Markdown,
                                value: found.markdown,
                            }),
                            range: found.span.map(|span| doc.range(span)),
                        })
                    });
                self.reply(id, serde_json::to_value(hover).unwrap_or(Value::Null))?;
            }
            (State::Running, "textDocument/completion") => {
                let params: lsp::CompletionParams = match parse(&request.params) {
                    Ok(params) => params,
                    Err(why) => return self.invalid_params(id, &why),
                };
                let at = params.text_document_position;
                let items = self
                    .documents
                    .get(at.text_document.uri.as_str())
                    .map(|doc| doc.completions(at.position))
                    .unwrap_or_default();
                self.reply(id, serde_json::to_value(items).unwrap_or(Value::Null))?;
            }
            (State::Running, method) => {
                let message = format!("agentc's server does not handle `{method}`");
                self.reply_error(id, ErrorCode::MethodNotFound, &message)?;
            }
        }
        Ok(None)
    }

    fn notification(&mut self, notification: Notification) -> Handled {
        let method = notification.method.as_str();
        if method == "exit" {
            return Ok(Some(if self.state == State::ShutDown {
                Ended::Clean
            } else {
                Ended::Abrupt
            }));
        }
        if self.state != State::Running {
            // Before `initialize` and after `shutdown`, notifications are dropped (LSP).
            return Ok(None);
        }
        let params = &notification.params;
        let result = match method {
            "initialized" => Ok(self.register_file_watch()),
            "textDocument/didOpen" => parse::<lsp::DidOpenTextDocumentParams>(params).map(|p| {
                let doc = p.text_document;
                self.open(doc.uri, Some(doc.version), doc.text)
            }),
            "textDocument/didChange" => {
                parse::<lsp::DidChangeTextDocumentParams>(params).map(|p| self.change(p))
            }
            "textDocument/didSave" => {
                parse::<lsp::DidSaveTextDocumentParams>(params).map(|p| match p.text {
                    Some(text) => {
                        let version = self
                            .documents
                            .get(p.text_document.uri.as_str())
                            .and_then(|d| d.version);
                        self.open(p.text_document.uri, version, text)
                    }
                    None => self.relint_all(),
                })
            }
            "textDocument/didClose" => parse::<lsp::DidCloseTextDocumentParams>(params)
                .map(|p| self.close(p.text_document.uri)),
            // A referenced file (OpenAPI document, prompt template) was created, changed or
            // deleted, or an open spec's own file was deleted: the open specs are linted
            // again from the editor's text, with references read afresh.
            "workspace/didChangeWatchedFiles" => {
                parse::<lsp::DidChangeWatchedFilesParams>(params).map(|_| self.relint_all())
            }
            _ => return Ok(None),
        };
        match result {
            Ok(written) => written.map(|()| None),
            Err(why) => {
                // A notification has no reply; the editor's log says what was wrong.
                self.log(
                    lsp::MessageType::WARNING,
                    &format!("agentc ignored a `{method}` notification: {why}"),
                )?;
                Ok(None)
            }
        }
    }

    fn open(&mut self, uri: lsp::Uri, version: Option<i32>, text: String) -> std::io::Result<()> {
        let key = uri.as_str().to_string();
        let document = Document::new(uri, version, text, self.models);
        self.publish(&document)?;
        self.documents.insert(key, document);
        Ok(())
    }

    fn change(&mut self, params: lsp::DidChangeTextDocumentParams) -> std::io::Result<()> {
        let key = params.text_document.uri.as_str().to_string();
        let (mut text, mut lines) = match self.documents.remove(&key) {
            Some(doc) => (doc.text, doc.lines),
            // A change to a document never opened: only a full text can be used.
            None => (String::new(), LineIndex::new("")),
        };
        for change in params.content_changes {
            match change.range {
                Some(range) => {
                    let start = lines.offset(&text, range.start);
                    let end = lines.offset(&text, range.end).max(start);
                    text.replace_range(start..end, &change.text);
                }
                None => text = change.text,
            }
            lines = LineIndex::new(&text);
        }
        self.open(
            params.text_document.uri,
            Some(params.text_document.version),
            text,
        )
    }

    fn close(&mut self, uri: lsp::Uri) -> std::io::Result<()> {
        self.documents.remove(uri.as_str());
        // The editor keeps what was last published until told otherwise.
        self.notify(
            "textDocument/publishDiagnostics",
            json!({ "uri": uri.as_str(), "diagnostics": [] }),
        )
    }

    fn relint_all(&mut self) -> std::io::Result<()> {
        let keys: Vec<String> = self.documents.keys().cloned().collect();
        for key in keys {
            if let Some(doc) = self.documents.remove(&key) {
                self.open(doc.uri, doc.version, doc.text)?;
            }
        }
        Ok(())
    }

    fn register_file_watch(&mut self) -> std::io::Result<()> {
        if !self.watch_files {
            return Ok(());
        }
        self.next_id += 1;
        let request = Request::new(
            RequestId::from(format!("agentc-{}", self.next_id)),
            "client/registerCapability".into(),
            json!({ "registrations": [{
                "id": "agentc-watch",
                "method": "workspace/didChangeWatchedFiles",
                "registerOptions": { "watchers": [{ "globPattern": "**/*" }] },
            }]}),
        );
        transport::write(self.output, &Message::Request(request))
    }

    fn publish(&mut self, doc: &Document) -> std::io::Result<()> {
        let params = lsp::PublishDiagnosticsParams {
            uri: doc.uri.clone(),
            diagnostics: doc.diagnostics(),
            version: doc.version,
        };
        self.notify(
            "textDocument/publishDiagnostics",
            serde_json::to_value(params).unwrap_or(Value::Null),
        )
    }

    fn log(&mut self, kind: lsp::MessageType, message: &str) -> std::io::Result<()> {
        self.notify(
            "window/logMessage",
            json!({ "type": kind, "message": message }),
        )
    }

    fn notify(&mut self, method: &str, params: Value) -> std::io::Result<()> {
        let notification = Notification::new(method.into(), params);
        transport::write(self.output, &Message::Notification(notification))
    }

    fn reply(&mut self, id: RequestId, result: Value) -> std::io::Result<()> {
        let response = Response {
            id,
            response_result: Ok(result),
        };
        transport::write(self.output, &Message::Response(response))
    }

    fn reply_error(
        &mut self,
        id: RequestId,
        code: ErrorCode,
        message: &str,
    ) -> std::io::Result<()> {
        transport::write_value(self.output, &transport::error(Some(id), code, message))
    }

    fn invalid_params(&mut self, id: RequestId, why: &str) -> Handled {
        self.reply_error(id, ErrorCode::InvalidParams, why)?;
        Ok(None)
    }
}

fn parse<T: serde::de::DeserializeOwned>(params: &Value) -> Result<T, String> {
    serde_json::from_value(params.clone())
        .map_err(|e| format!("its parameters are not as LSP defines them: {e}"))
}

fn initialize_result() -> Value {
    json!({
        "capabilities": {
            // Full text on every change: a spec is a few kilobytes.
            "textDocumentSync": { "openClose": true, "change": 1, "save": { "includeText": true } },
            "hoverProvider": true,
            "completionProvider": { "triggerCharacters": ["-", " "] },
        },
        "serverInfo": { "name": "agentc", "version": env!("CARGO_PKG_VERSION") },
    })
}

impl Document {
    fn new(uri: lsp::Uri, version: Option<i32>, text: String, models: &ModelTable) -> Self {
        let path = text::uri_path(uri.as_str());
        let analysis = analyse(&path, &text, models);
        Document {
            lines: LineIndex::new(&text),
            uri,
            version,
            text,
            analysis,
        }
    }

    fn range(&self, span: crate::source::Span) -> lsp::Range {
        lsp::Range {
            start: self.lines.position(&self.text, span.start),
            end: self.lines.position(&self.text, span.end),
        }
    }

    /// The findings as LSP diagnostics. agentc's spans index the text as loaded, which is the
    /// editor's text (a byte-order mark included), so they map one to one.
    fn diagnostics(&self) -> Vec<lsp::Diagnostic> {
        let Some(analysis) = &self.analysis else {
            return Vec::new();
        };
        analysis
            .findings
            .iter()
            .map(|d| {
                let range = d
                    .span
                    .map_or_else(lsp::Range::default, |span| self.range(span));
                let message = match &d.help {
                    Some(help) => format!("{}\nhelp: {help}", d.message),
                    None => d.message.clone(),
                };
                let related: Vec<lsp::DiagnosticRelatedInformation> = d
                    .related
                    .iter()
                    .map(|r| lsp::DiagnosticRelatedInformation {
                        location: lsp::Location {
                            uri: self.uri.clone(),
                            range: self.range(r.span),
                        },
                        message: r.message.clone(),
                    })
                    .collect();
                lsp::Diagnostic {
                    range,
                    severity: Some(match d.severity {
                        Severity::Error => lsp::DiagnosticSeverity::ERROR,
                        Severity::Warning => lsp::DiagnosticSeverity::WARNING,
                        Severity::Info => lsp::DiagnosticSeverity::INFORMATION,
                    }),
                    code: Some(lsp::NumberOrString::String(d.rule.as_str().to_string())),
                    source: Some("agentc".into()),
                    message,
                    related_information: (!related.is_empty()).then_some(related),
                    ..Default::default()
                }
            })
            .collect()
    }

    /// Key completions at a position: in a spec, or in a document with nothing in it yet.
    fn completions(&self, position: lsp::Position) -> Vec<lsp::CompletionItem> {
        if self.analysis.is_none() && !self.text.trim().is_empty() {
            return Vec::new();
        }
        let lines: Vec<&str> = self.text.split('\n').collect();
        let line = position.line as usize;
        let Some((line_text, line_start)) = self.lines.line(&self.text, line) else {
            return Vec::new();
        };
        let offset = self.lines.offset(&self.text, position);
        let cursor = offset.saturating_sub(line_start).min(line_text.len());
        let Some(cx) = complete::key_context(&lines, line, cursor) else {
            return Vec::new();
        };
        let replace = lsp::Range {
            start: self
                .lines
                .position(&self.text, line_start + cx.column.min(cursor)),
            end: self.lines.position(&self.text, line_start + cursor),
        };
        complete::keys_at(&cx.path)
            .into_iter()
            .filter(|choice| !cx.present.contains(&choice.key))
            .map(|choice| lsp::CompletionItem {
                label: choice.key.clone(),
                kind: Some(lsp::CompletionItemKind::PROPERTY),
                detail: (!choice.kind.is_empty()).then_some(choice.kind),
                documentation: choice.description.map(|d| {
                    lsp::Documentation::MarkupContent(lsp::MarkupContent {
                        kind: lsp::MarkupKind::Markdown,
                        value: d,
                    })
                }),
                filter_text: Some(choice.key.clone()),
                text_edit: Some(lsp::CompletionTextEdit::Edit(lsp::TextEdit {
                    range: replace,
                    new_text: format!("{}: ", choice.key),
                })),
                ..Default::default()
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// A session as bytes: the server's replies, and how it ended.
    fn session(input: &[u8]) -> (String, Ended) {
        let mut reader = std::io::BufReader::new(input);
        let mut out = Vec::new();
        let ended = serve(&mut reader, &mut out, ModelTable::builtin()).unwrap();
        (String::from_utf8(out).unwrap(), ended)
    }

    fn frame(value: &Value) -> Vec<u8> {
        let text = value.to_string();
        format!("Content-Length: {}\r\n\r\n{text}", text.len()).into_bytes()
    }

    fn open_then(text: &str, requests: &[Value]) -> Vec<u8> {
        let mut input = frame(
            &json!({"jsonrpc": "2.0", "id": 0, "method": "initialize", "params": {"capabilities": {}}}),
        );
        input.extend(frame(
            &json!({"jsonrpc": "2.0", "method": "textDocument/didOpen", "params": {"textDocument": {
            "uri": "file:///p/a.yaml", "languageId": "yaml", "version": 1, "text": text}}}),
        ));
        for request in requests {
            input.extend(frame(request));
        }
        input
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

        /// Any bytes: the server answers or ignores them, and ends when the input does.
        #[test]
        fn any_input_ends_the_session_without_panicking(bytes in proptest::collection::vec(any::<u8>(), 0..400)) {
            let (_, ended) = session(&bytes);
            prop_assert_eq!(ended, Ended::Abrupt);
        }

        /// Any spec-like text, hover and completion anywhere in it: answers, never a panic
        /// (the catch_unwind in `serve` would turn one into an InternalError reply).
        #[test]
        fn hover_and_completion_anywhere_in_any_text_answer(
            body in "[a-z_:\\- \\n\\[\\]{}#|>'\"é😀\\t]{0,200}",
            line in 0u32..12,
            character in 0u32..40,
        ) {
            let text = format!("agentc: 1\n{body}");
            let position = json!({"line": line, "character": character});
            let doc = json!({"uri": "file:///p/a.yaml"});
            let input = open_then(&text, &[
                json!({"jsonrpc": "2.0", "id": 1, "method": "textDocument/hover", "params": {"textDocument": doc, "position": position}}),
                json!({"jsonrpc": "2.0", "id": 2, "method": "textDocument/completion", "params": {"textDocument": doc, "position": position}}),
            ]);
            let (out, _) = session(&input);
            prop_assert!(out.contains("\"id\":1"), "{}", out);
            prop_assert!(out.contains("\"id\":2"), "{}", out);
            prop_assert!(!out.contains("\"code\":-32603"), "{}", out);
        }
    }
}
