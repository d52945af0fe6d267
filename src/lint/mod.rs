//! Lint: a registry of rules over a loaded spec. Each rule lives in its own file under
//! `rules/`, carries its typed code, default severity, targets, gate and documentation
//! (`agentc explain <rule>`), and reports [`Diagnostic`]s; this module applies the
//! configured levels and inline suppressions (`# agentc: allow(rule-id) reason`), and
//! [`check`] is the build gate of the commands that compile, price, deploy or run a spec.

mod check;
pub mod rules;

pub use check::{Checked, Refused, Rejected, check, check_each};

use crate::diag::{Code, Diagnostic, Severity};
use crate::models::{ModelInfo, ModelTable};
use crate::source::Span;
use crate::spec::{Agent, Level, Loaded, Spec};
use crate::target::Target;

/// What a rule's findings do to the commands that build a target (`compile`, `cost`,
/// `deploy`, `run`). `agentc lint` reports every finding at its level either way.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Gate {
    /// An error finding stops the build: the target's service would reject the result, or
    /// the output would be wrong.
    Blocks,
    /// Shown on stderr, as lint renders it, but never stops the build: e.g. a setting the
    /// target cannot carry, so that nothing is dropped silently.
    Shows,
    /// Not looked at by builds: a recommendation (a token budget, a cost budget, style).
    Ignores,
}

impl Gate {
    /// For prose (`agentc explain`, `agentc rules`).
    pub fn describe(self) -> &'static str {
        match self {
            Gate::Blocks => "blocks builds at error level",
            Gate::Shows => "shown by builds, never blocks them",
            Gate::Ignores => "lint only, never blocks builds",
        }
    }
}

/// What every rule knows about itself.
pub trait Rule: Sync {
    /// The typed code; its id is stable and used in configuration, suppressions and output.
    fn code(&self) -> Code;
    /// Kebab-case id of [`Rule::code`].
    fn id(&self) -> &'static str {
        self.code().as_str()
    }
    /// The severity every finding of the rule has, unless `lint.rules` or
    /// `--deny/--warn/--allow` change it.
    fn default_severity(&self) -> Severity;
    /// One line: what the rule finds.
    fn summary(&self) -> &'static str;
    /// The rule's documentation: why it exists and how to fix what it finds.
    fn doc(&self) -> &'static str;
    /// Structural rules report problems in reading the file itself; those cannot be
    /// silenced, because nothing after them can run.
    fn structural(&self) -> bool;
    /// The targets whose service or output the rule is about; `agentc lint --target T` and
    /// the build gate of a command for `T` run only the rules that list `T`.
    fn targets(&self) -> &'static [Target];
    /// What the rule's findings do to builds.
    fn gate(&self) -> Gate;
    fn check(&self, cx: &LintContext<'_>, out: &mut Vec<Diagnostic>);
}

/// Declare a rule: its doc comment becomes both rustdoc and the text of `agentc explain`.
/// The rule's type names its [`Code`] variant, so a rule without a code, or a code without a
/// rule (tested), does not pass; the rule reports with `rule.report(message)`, which gives
/// the finding that code and the declared severity. `targets` defaults to every target and
/// `gate` to `Blocks`.
#[macro_export]
macro_rules! declare_rule {
    (@targets []) => {
        &$crate::target::Target::ALL
    };
    (@targets [$($target:ident),+]) => {
        &[$($crate::target::Target::$target),+]
    };
    (@gate) => {
        $crate::lint::Gate::Blocks
    };
    (@gate $gate:ident) => {
        $crate::lint::Gate::$gate
    };
    (
        $(#[doc = $doc:literal])*
        $name:ident {
            severity: $severity:ident,
            summary: $summary:literal,
            $(targets: [$($target:ident),* $(,)?],)?
            $(gate: $gate:ident,)?
            $(check: $check:path,)?
        }
    ) => {
        $(#[doc = $doc])*
        pub struct $name;

        impl $name {
            /// A finding of this rule, at its declared severity.
            #[allow(dead_code, reason = "structural rules are reported by the spec loader, not through their own type")]
            pub fn report(&self, message: impl Into<String>) -> $crate::diag::Diagnostic {
                $crate::diag::Diagnostic::new(
                    $crate::diag::Code::$name,
                    $crate::diag::Severity::$severity,
                    message,
                )
            }
        }

        impl $crate::lint::Rule for $name {
            fn code(&self) -> $crate::diag::Code {
                $crate::diag::Code::$name
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
            fn targets(&self) -> &'static [$crate::target::Target] {
                $crate::declare_rule!(@targets [$($($target),*)?])
            }
            fn gate(&self) -> $crate::lint::Gate {
                $crate::declare_rule!(@gate $($gate)?)
            }
            #[allow(unused_variables, reason = "rules without a check (structural ones) ignore the context")]
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
    /// The targets being checked: the one named (`--target`, a command's target), or every
    /// target when none was named.
    pub targets: &'a [Target],
    /// Whether [`LintContext::targets`] was named rather than "every target". Findings that
    /// only matter to a spec meant for a target (what that target cannot carry) are
    /// reported only then.
    pub named: bool,
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

    pub fn model(&self) -> Option<&ModelInfo> {
        self.models.find(&self.spec.model)
    }

    pub fn orchestrator(&self) -> Option<&ModelInfo> {
        self.models.find(self.spec.orchestrator_id())
    }
}

/// Every rule, in the order `agentc rules` lists them (the order of [`Code::ALL`], tested).
pub fn registry() -> &'static [&'static dyn Rule] {
    rules::ALL
}

pub fn find_rule(id: &str) -> Option<&'static dyn Rule> {
    Code::from_id(id).and_then(rule)
}

/// The rule of a code. Every code has one (tested), so `None` is a bug of ours.
pub fn rule(code: Code) -> Option<&'static dyn Rule> {
    registry()
        .get(code as usize)
        .copied()
        .filter(|r| r.code() == code)
        .or_else(|| registry().iter().copied().find(|r| r.code() == code))
}

/// The help for a rule id that names no rule: the closest id, if one is close.
pub fn unknown_rule_help(id: &str) -> String {
    match crate::diag::closest(id, registry().iter().map(|r| r.id())) {
        Some(suggestion) => format!("did you mean `{suggestion}`? `agentc rules` lists them all"),
        None => "`agentc rules` lists the rule ids".into(),
    }
}

/// The text `agentc explain <rule>` prints (Markdown): the rule's documentation, then its
/// default severity, targets, gate and how to configure or silence it. The editor server
/// shows the same text on hover.
pub fn explain_text(rule: &dyn Rule) -> String {
    let doc: String = rule
        .doc()
        .lines()
        .map(|line| line.strip_prefix(' ').unwrap_or(line))
        .collect::<Vec<_>>()
        .join("\n");
    let configurable = if rule.structural() {
        "Level: always an error (the file cannot be used until it is fixed)."
    } else {
        "Level: set per spec in `lint.rules`, or with `--deny/--warn/--allow`; silence one finding with `# agentc: allow(rule-id) reason` on the line above it."
    };
    let targets: Vec<&str> = rule.targets().iter().map(|t| t.as_str()).collect();
    format!(
        "{}\n\nDefault severity: {}\nTargets: {}\nBuilds: {} (`compile`, `cost`, `deploy`, `run`)\n{configurable}\n",
        doc.trim_end(),
        rule.default_severity(),
        targets.join(", "),
        rule.gate().describe(),
    )
}

/// Rule-level overrides from the command line (`--deny`, `--warn`, `--allow`), applied after
/// the spec's own `lint.rules`, so CI can be stricter than the file.
#[derive(Debug, Clone, Default)]
pub struct LevelOverrides {
    pub levels: Vec<(String, Level)>,
}

/// Run every rule on a loaded spec, for every target, then apply levels and suppressions.
/// Diagnostics from loading (YAML, schema, resolution) are included.
pub fn lint(loaded: &Loaded, models: &ModelTable, overrides: &LevelOverrides) -> Vec<Diagnostic> {
    lint_for(loaded, models, overrides, None)
}

/// [`lint`] for one target (`agentc lint --target T`): only the rules that apply to it,
/// and the findings of what it cannot carry. `None` checks every target.
pub fn lint_for(
    loaded: &Loaded,
    models: &ModelTable,
    overrides: &LevelOverrides,
    target: Option<Target>,
) -> Vec<Diagnostic> {
    match target {
        Some(target) => lint_scoped(loaded, models, overrides, &[target], true),
        None => lint_scoped(loaded, models, overrides, &Target::ALL, false),
    }
}

/// Lint for `targets`; `named` says they were asked for rather than "every target".
fn lint_scoped(
    loaded: &Loaded,
    models: &ModelTable,
    overrides: &LevelOverrides,
    targets: &[Target],
    named: bool,
) -> Vec<Diagnostic> {
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
            targets,
            named,
        };
        let mut found = Vec::new();
        for rule in registry() {
            if !rule.structural() && rule.targets().iter().any(|t| targets.contains(t)) {
                rule.check(&cx, &mut found);
            }
        }
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
            let Some(rule) = rule(diagnostic.rule) else {
                return Some(diagnostic);
            };
            // The declaration is the one place a rule's severity is stated.
            diagnostic.severity = rule.default_severity();
            if rule.structural() {
                return Some(diagnostic);
            }
            let id = diagnostic.rule.as_str();
            let level = overrides
                .levels
                .iter()
                .rev()
                .chain(configured.iter().rev())
                .find(|(key, _)| key == id || key == "all")
                .map(|(_, level)| *level);
            match level {
                Some(Level::Allow) => return None,
                Some(Level::Deny) => diagnostic.severity = Severity::Error,
                Some(Level::Warn) => diagnostic.severity = Severity::Warning,
                None => {}
            }
            if let Some(span) = diagnostic.span {
                let line = loaded.file.line_col(span.start).line;
                if suppressions.allows(id, line) {
                    return None;
                }
            }
            Some(diagnostic)
        })
        .collect();
    out.sort_by_key(|d| (d.span.map_or(0, |s| s.start), d.rule.as_str()));
    out.dedup();
    out
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
    fn every_code_has_exactly_one_rule_in_code_order() {
        let registered: Vec<Code> = registry().iter().map(|r| r.code()).collect();
        assert_eq!(
            registered,
            Code::ALL,
            "rules::ALL must list one rule per code, in order"
        );
        for &code in Code::ALL {
            assert_eq!(Code::from_id(code.as_str()), Some(code));
            assert_eq!(rule(code).map(|r| r.code()), Some(code));
        }
    }

    #[test]
    fn structural_rules_apply_to_every_target_and_block() {
        for rule in registry().iter().filter(|r| r.structural()) {
            assert_eq!(rule.targets(), &Target::ALL, "{}", rule.id());
            assert_eq!(rule.gate(), Gate::Blocks, "{}", rule.id());
            assert_eq!(rule.default_severity(), Severity::Error, "{}", rule.id());
        }
    }

    /// Every problem at once: rules run over what did parse of a partly invalid spec, so a
    /// function with an invalid parameter type and too many parameters gets both findings,
    /// each at its line.
    #[test]
    fn rules_run_over_the_valid_parts_of_a_partly_invalid_spec() {
        let mut text = String::from(
            "agentc: 1\nname: infra-assistant\ndescription: Answers questions about infrastructure health.\nmodel: amazon.nova-pro-v1:0\ninstruction: |\n  You are an infrastructure assistant for the production account.\n  Use tools to answer questions accurately. Never modify resources.\naction_groups:\n  - name: status\n    description: Service health checks.\n    executor: return_control\n    functions:\n      - name: get_service_status\n        description: Get current health status of an AWS service.\n        parameters:\n",
        );
        for (name, kind) in [("a", "string"), ("b", "object"), ("c", "string")]
            .into_iter()
            .chain([("d", "string"), ("e", "string"), ("f", "string")])
        {
            text.push_str(&format!(
                "          {name}: {{type: {kind}, description: Value {name}.}}\n"
            ));
        }
        let loaded = crate::spec::load_bytes(
            std::path::Path::new("agent.yaml"),
            text.into_bytes(),
            &Default::default(),
        );
        let found = lint(&loaded, ModelTable::builtin(), &LevelOverrides::default());
        let at: Vec<(Code, usize)> = found
            .iter()
            .map(|d| {
                let line = d.span.map_or(0, |s| loaded.file.line_col(s.start).line);
                (d.rule, line)
            })
            .collect();
        assert_eq!(
            at,
            vec![
                (Code::TooManyParameters, 15),
                (Code::InvalidParameterType, 17)
            ],
            "{found:?}"
        );
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
