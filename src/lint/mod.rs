//! Lint: a registry of rules over a loaded spec. Each rule lives in its own file under
//! `rules/`, carries its id, default severity and documentation (`agentc explain <rule>`),
//! and reports [`Diagnostic`]s; this module applies the configured levels and inline
//! suppressions (`# agentc: allow(rule-id) reason`).

pub mod rules;

use crate::diag::{Diagnostic, Severity};
use crate::models::{ModelInfo, ModelTable};
use crate::source::Span;
use crate::spec::{Agent, Level, Loaded, Spec};

/// What every rule knows about itself.
pub trait Rule: Sync {
    /// Kebab-case id, stable: used in configuration, suppressions and output.
    fn id(&self) -> &'static str;
    fn default_severity(&self) -> Severity;
    /// One line: what the rule finds.
    fn summary(&self) -> &'static str;
    /// The rule's documentation: why it exists and how to fix what it finds.
    fn doc(&self) -> &'static str;
    /// Structural rules report problems in reading the file itself; those cannot be
    /// silenced, because nothing after them can run.
    fn structural(&self) -> bool;
    fn check(&self, cx: &LintContext<'_>, out: &mut Vec<Diagnostic>);
}

/// Declare a rule: its doc comment becomes both rustdoc and the text of `agentc explain`.
#[macro_export]
macro_rules! declare_rule {
    (
        $(#[doc = $doc:literal])*
        $name:ident {
            id: $id:literal,
            severity: $severity:ident,
            summary: $summary:literal,
            $(check: $check:path,)?
        }
    ) => {
        $(#[doc = $doc])*
        pub struct $name;

        impl $crate::lint::Rule for $name {
            fn id(&self) -> &'static str {
                $id
            }
            fn default_severity(&self) -> $crate::diag::Severity {
                $crate::diag::Severity::$severity
            }
            fn summary(&self) -> &'static str {
                $summary
            }
            fn doc(&self) -> &'static str {
                concat!($($doc, "\n"),*)
            }
            fn structural(&self) -> bool {
                let has_check = false $(|| { let _ = $check; true })?;
                !has_check
            }
            #[allow(unused_variables)]
            fn check(&self, cx: &$crate::lint::LintContext<'_>, out: &mut Vec<$crate::diag::Diagnostic>) {
                $($check(self, cx, out);)?
            }
        }
    };
}

/// Everything a rule may look at.
pub struct LintContext<'a> {
    pub loaded: &'a Loaded,
    pub spec: &'a Spec,
    pub agent: &'a Agent,
    pub models: &'a ModelTable,
}

impl LintContext<'_> {
    /// The span of the value at a JSON pointer.
    pub fn value_span(&self, pointer: &str) -> Option<Span> {
        self.loaded
            .document
            .as_ref()
            .and_then(|d| d.spans.value(pointer))
    }

    /// The span of the key that names the value at a JSON pointer.
    pub fn key_span(&self, pointer: &str) -> Option<Span> {
        self.loaded
            .document
            .as_ref()
            .and_then(|d| d.spans.key(pointer))
    }

    /// The model that orchestrates on the Agents target (`targets.agents.orchestrator` or `model`).
    pub fn orchestrator_id(&self) -> &str {
        self.spec
            .targets
            .agents
            .as_ref()
            .and_then(|a| a.orchestrator.as_deref())
            .unwrap_or(&self.spec.model)
    }

    pub fn model(&self) -> Option<&ModelInfo> {
        self.models.find(&self.spec.model)
    }

    pub fn orchestrator(&self) -> Option<&ModelInfo> {
        self.models.find(self.orchestrator_id())
    }
}

/// Every rule, in the order `agentc rules` lists them.
pub fn registry() -> &'static [&'static dyn Rule] {
    rules::ALL
}

pub fn find_rule(id: &str) -> Option<&'static dyn Rule> {
    registry().iter().copied().find(|rule| rule.id() == id)
}

/// Rule-level overrides from the command line (`--deny`, `--warn`, `--allow`), applied after
/// the spec's own `lint.rules`, so CI can be stricter than the file.
#[derive(Debug, Clone, Default)]
pub struct LevelOverrides {
    pub levels: Vec<(String, Level)>,
}

/// Run every rule on a loaded spec, then apply levels and suppressions. Diagnostics from
/// loading (YAML, schema, resolution) are included.
pub fn lint(loaded: &Loaded, models: &ModelTable, overrides: &LevelOverrides) -> Vec<Diagnostic> {
    let mut diagnostics = loaded.diagnostics.clone();
    // A spec with structural errors is still checked, without its invalid parts, so that
    // every problem in the file is reported at once.
    let readable = match (&loaded.spec, &loaded.agent) {
        (Some(spec), Some(agent)) => Some((spec, agent, None)),
        _ => loaded
            .partial
            .as_ref()
            .map(|p| (&p.spec, &p.agent, Some(p))),
    };
    if let Some((spec, agent, partial)) = readable {
        let cx = LintContext {
            loaded,
            spec,
            agent,
            models,
        };
        let mut found = Vec::new();
        for rule in registry() {
            if !rule.structural() {
                rule.check(&cx, &mut found);
            }
        }
        found.extend(unknown_rule_ids(&cx));
        found.retain(|d| partial.is_none_or(|p| !p.may_explain(d.rule)));
        diagnostics.extend(found);
    }
    let configured: Vec<(String, Level)> = readable
        .and_then(|(spec, _, _)| spec.lint.as_ref())
        .map(|l| l.rules.iter().map(|(k, v)| (k.clone(), *v)).collect())
        .unwrap_or_default();
    let suppressions = Suppressions::scan(&loaded.file.text);
    let mut out: Vec<Diagnostic> = diagnostics
        .into_iter()
        .filter_map(|mut diagnostic| {
            let structural = find_rule(diagnostic.rule).is_none_or(|r| r.structural());
            if structural {
                return Some(diagnostic);
            }
            let level = overrides
                .levels
                .iter()
                .rev()
                .chain(configured.iter().rev())
                .find(|(id, _)| id == diagnostic.rule || id == "all")
                .map(|(_, level)| *level);
            match level {
                Some(Level::Allow) => return None,
                Some(Level::Deny) => diagnostic.severity = Severity::Error,
                Some(Level::Warn) => diagnostic.severity = Severity::Warning,
                None => {}
            }
            if let Some(span) = diagnostic.span {
                let line = loaded.file.line_col(span.start).line;
                if suppressions.allows(diagnostic.rule, line) {
                    return None;
                }
            }
            Some(diagnostic)
        })
        .collect();
    out.sort_by_key(|d| (d.span.map_or(0, |s| s.start), d.rule));
    out.dedup();
    out
}

fn unknown_rule_ids(cx: &LintContext<'_>) -> Vec<Diagnostic> {
    let Some(settings) = &cx.spec.lint else {
        return Vec::new();
    };
    settings
        .rules
        .keys()
        .filter(|id| *id != "all" && find_rule(id).is_none())
        .map(|id| {
            let pointer = format!("/lint/rules/{}", crate::spec::yaml::pointer_segment(id));
            let mut diag = Diagnostic::warning(
                "invalid-value",
                format!("unknown rule `{id}` in `lint.rules`"),
            )
            .with_span(cx.key_span(&pointer));
            diag = match crate::diag::closest(id, registry().iter().map(|r| r.id())) {
                Some(suggestion) => diag.with_help(format!(
                    "did you mean `{suggestion}`? `agentc rules` lists them all"
                )),
                None => diag.with_help("`agentc rules` lists the rule ids"),
            };
            diag
        })
        .collect()
}

/// `# agentc: allow(rule-a, rule-b) reason` comments: each silences those rules on the next
/// line (or on its own line, when it trails a value).
struct Suppressions {
    entries: Vec<(usize, Vec<String>)>,
}

impl Suppressions {
    fn scan(text: &str) -> Self {
        let mut entries = Vec::new();
        if !text.contains("agentc:") {
            return Self { entries };
        }
        for (index, line) in text.lines().enumerate() {
            let Some(hash) = line.find('#') else { continue };
            let comment = line[hash + 1..].trim_start();
            let Some(rest) = comment.strip_prefix("agentc:") else {
                continue;
            };
            let Some(rest) = rest.trim_start().strip_prefix("allow(") else {
                continue;
            };
            let Some(close) = rest.find(')') else {
                continue;
            };
            let ids = rest[..close]
                .split(',')
                .map(|s| s.trim().to_string())
                .collect();
            let own_line = line[..hash].trim().is_empty();
            let target = if own_line { index + 2 } else { index + 1 };
            entries.push((target, ids));
        }
        Self { entries }
    }

    fn allows(&self, rule: &str, line: usize) -> bool {
        self.entries
            .iter()
            .any(|(target, ids)| *target == line && ids.iter().any(|id| id == rule || id == "all"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rule_ids_are_unique_kebab_case_and_documented() {
        let mut seen = std::collections::HashSet::new();
        for rule in registry() {
            let id = rule.id();
            assert!(seen.insert(id), "duplicate rule id {id}");
            assert!(
                id.chars().all(|c| c.is_ascii_lowercase() || c == '-')
                    && !id.starts_with('-')
                    && !id.ends_with('-'),
                "{id} is not kebab-case"
            );
            let doc = rule.doc();
            assert!(doc.contains("## Why"), "{id}: doc lacks a `## Why` section");
            assert!(
                doc.contains("## How to fix"),
                "{id}: doc lacks a `## How to fix` section"
            );
            assert!(!rule.summary().is_empty());
        }
    }

    #[test]
    fn suppression_comments_apply_to_the_next_line() {
        let s = Suppressions::scan(
            "a: 1\n# agentc: allow(too-many-functions) reviewed\nb: 2\nc: 3 # agentc: allow(all)\n",
        );
        assert!(s.allows("too-many-functions", 3));
        assert!(!s.allows("too-many-functions", 2));
        assert!(s.allows("anything", 4));
    }
}
