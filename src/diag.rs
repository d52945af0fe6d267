//! One diagnostic type for every stage (YAML, schema, validation, lint rules), so that every
//! renderer (miette, JSON, SARIF, GitHub) shows the same facts.

use crate::source::Span;
use serde::{Deserialize, Serialize};

#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Serialize,
    Deserialize,
    schemars::JsonSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Info,
    Warning,
    Error,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }
}

impl std::fmt::Display for Severity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Declares [`Code`]: one variant per lint rule, named like the rule's type, with the
/// kebab-case id that configuration, suppressions and every output format use.
macro_rules! codes {
    ($($variant:ident = $id:literal,)*) => {
        /// The rule a diagnostic belongs to. Every stage reports through one of these, so a
        /// misspelt rule id does not compile; `lint::rules::ALL` holds one rule per code
        /// (tested), which carries its documentation, severity, targets and gate.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum Code {
            $($variant,)*
        }

        impl Code {
            /// Every code, in declaration order.
            pub const ALL: &'static [Code] = &[$(Code::$variant,)*];

            /// The stable kebab-case id, e.g. `unknown-key`.
            pub fn as_str(self) -> &'static str {
                match self {
                    $(Code::$variant => $id,)*
                }
            }

            /// The code with this id; `None` for anything else.
            pub fn from_id(id: &str) -> Option<Code> {
                match id {
                    $($id => Some(Code::$variant),)*
                    _ => None,
                }
            }
        }
    };
}

codes! {
    YamlSyntax = "yaml-syntax",
    DuplicateKey = "duplicate-key",
    UnknownKey = "unknown-key",
    MissingKey = "missing-key",
    InvalidType = "invalid-type",
    InvalidValue = "invalid-value",
    InvalidParameterType = "invalid-parameter-type",
    UndefinedVariable = "undefined-variable",
    InvalidOpenapi = "invalid-openapi",
    UnknownRule = "unknown-rule",
    InvalidName = "invalid-name",
    ToolNameTooLong = "tool-name-too-long",
    InvalidArn = "invalid-arn",
    InstructionLength = "instruction-length",
    LegacyInstructionLength = "legacy-instruction-length",
    DescriptionTooLong = "description-too-long",
    DuplicateActionGroup = "duplicate-action-group",
    DuplicateFunction = "duplicate-function",
    DuplicateFunctionAcrossGroups = "duplicate-function-across-groups",
    TooManyParameters = "too-many-parameters",
    TooManyFunctions = "too-many-functions",
    ActionGroupQuota = "action-group-quota",
    TooManyActionGroups = "too-many-action-groups",
    TooManyKnowledgeBases = "too-many-knowledge-bases",
    InvalidTag = "invalid-tag",
    UnknownModel = "unknown-model",
    ModelLacksToolUse = "model-lacks-tool-use",
    UnsupportedOrchestrator = "unsupported-orchestrator",
    ToolDefinitionsOverBudget = "tool-definitions-over-budget",
    ContextWindowExceeded = "context-window-exceeded",
    CostOverBudget = "cost-over-budget",
    DroppedByTarget = "dropped-by-target",
    GuardrailNotEnforced = "guardrail-not-enforced",
    InvalidHarnessSetting = "invalid-harness-setting",
    MissingDescription = "missing-description",
    InvalidHandler = "invalid-handler",
}

impl std::fmt::Display for Code {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Lets callers and tests compare a code with the id string of the outputs.
impl PartialEq<&str> for Code {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

impl PartialEq<String> for Code {
    fn eq(&self, other: &String) -> bool {
        self.as_str() == other
    }
}

impl PartialEq<str> for Code {
    fn eq(&self, other: &str) -> bool {
        self.as_str() == other
    }
}

/// A secondary location that explains the primary one ("first defined here").
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Related {
    pub span: Span,
    pub message: String,
}

/// A problem found in one file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    /// The rule, e.g. `unknown-key`; `agentc explain <rule>` documents it.
    pub rule: Code,
    pub severity: Severity,
    pub message: String,
    /// What to do about it.
    pub help: Option<String>,
    /// Where; `None` for problems of the whole file (then line 1, column 1 is reported).
    pub span: Option<Span>,
    pub related: Vec<Related>,
}

impl Diagnostic {
    pub fn new(rule: Code, severity: Severity, message: impl Into<String>) -> Self {
        Self {
            rule,
            severity,
            message: message.into(),
            help: None,
            span: None,
            related: Vec::new(),
        }
    }

    pub fn error(rule: Code, message: impl Into<String>) -> Self {
        Self::new(rule, Severity::Error, message)
    }

    pub fn warning(rule: Code, message: impl Into<String>) -> Self {
        Self::new(rule, Severity::Warning, message)
    }

    #[must_use]
    pub fn with_span(mut self, span: Option<Span>) -> Self {
        self.span = span;
        self
    }

    #[must_use]
    pub fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    #[must_use]
    pub fn with_related(mut self, span: Span, message: impl Into<String>) -> Self {
        self.related.push(Related {
            span,
            message: message.into(),
        });
        self
    }
}

/// An error and all its sources on one line. The AWS SDK's errors say only "service error"
/// in their own Display; the cause chain carries the service's message. A cause that only
/// repeats what is already said is left out.
pub fn error_chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        let cause_text = cause.to_string();
        if !cause_text.is_empty() && !text.contains(&cause_text) {
            text.push_str(": ");
            text.push_str(&cause_text);
        }
        source = cause.source();
    }
    text
}

/// Why a request got no reply, in a few words: the innermost cause of a transport error
/// ("Connection refused (os error 111)"), which is the one a user can act on; the layers
/// above it (dispatch failure, io error, client error, tcp connect error) add nothing.
pub fn root_cause(error: &dyn std::error::Error) -> String {
    let mut innermost = error;
    while let Some(cause) = innermost.source() {
        innermost = cause;
    }
    let text = innermost.to_string();
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_lowercase().chain(chars).collect(),
        None => error.to_string(),
    }
}

/// "did you mean …" for a misspelt name: the closest candidate by Jaro-Winkler, if close enough.
pub fn closest<'a>(input: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let input_lower = input.to_ascii_lowercase();
    candidates
        .into_iter()
        .map(|candidate| {
            let score = strsim::jaro_winkler(&input_lower, &candidate.to_ascii_lowercase());
            (score, candidate)
        })
        .filter(|(score, _)| *score >= 0.75)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, candidate)| candidate)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, thiserror::Error)]
    #[error("{text}")]
    struct Layer {
        text: &'static str,
        #[source]
        source: Option<Box<Layer>>,
    }

    fn chain(texts: &[&'static str]) -> Layer {
        let mut layer: Option<Box<Layer>> = None;
        for text in texts.iter().rev() {
            layer = Some(Box::new(Layer {
                text,
                source: layer,
            }));
        }
        *layer.expect("at least one layer")
    }

    #[test]
    fn error_chain_joins_causes_and_skips_repeats() {
        let error = chain(&[
            "dispatch failure",
            "io error",
            "io error",
            "Connection refused",
        ]);
        assert_eq!(
            error_chain(&error),
            "dispatch failure: io error: Connection refused"
        );
    }

    #[test]
    fn root_cause_is_the_innermost_cause() {
        let error = chain(&[
            "dispatch failure",
            "tcp connect error",
            "Connection refused",
        ]);
        assert_eq!(root_cause(&error), "connection refused");
        assert_eq!(root_cause(&chain(&["timed out"])), "timed out");
    }

    #[test]
    fn closest_suggests_near_misses_only() {
        let keys = ["instruction", "inference", "description"];
        assert_eq!(closest("instructions", keys), Some("instruction"));
        assert_eq!(closest("infrence", keys), Some("inference"));
        assert_eq!(closest("zzz", keys), None);
    }
}
