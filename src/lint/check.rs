//! The build gate: what `compile`, `cost`, `deploy` and `run` require of a spec before they
//! build it for a target. Only findings of rules that gate (`Gate::Blocks`) at error level
//! stop a build, and only for the rules of the targets being built: what the target's
//! service would reject, or what would make the output wrong. Recommendations fail
//! `agentc lint` at their level and never stop a build; what a target cannot carry is
//! handed back to be shown (`Gate::Shows`).

use super::{Gate, LevelOverrides, lint_scoped, rule};
use crate::diag::{Diagnostic, Severity};
use crate::models::ModelTable;
use crate::render::FileReport;
use crate::source::SourceFile;
use crate::spec::{Agent, Loaded, Spec};
use crate::target::Target;

/// A spec that may be built for the targets it was checked for.
#[derive(Debug)]
pub struct Checked {
    pub file: SourceFile,
    pub spec: Spec,
    pub agent: Agent,
    /// Findings to show on stderr (rendered as `agentc lint` does) that do not stop the
    /// build: e.g. the settings a target cannot carry.
    pub warnings: Vec<Diagnostic>,
}

impl Checked {
    /// The warnings as a report for `render::render`, or `None` when there are none.
    pub fn warnings_report(&self) -> Option<FileReport> {
        (!self.warnings.is_empty()).then(|| FileReport {
            file: self.file.clone(),
            diagnostics: self.warnings.clone(),
        })
    }
}

/// A spec that may not be built: the findings that stop it.
#[derive(Debug)]
pub struct Rejected {
    pub file: SourceFile,
    /// The blocking findings, in file order; never empty.
    pub findings: Vec<Diagnostic>,
}

impl Rejected {
    /// The findings as a report for `render::render`.
    pub fn into_report(self) -> FileReport {
        FileReport {
            file: self.file,
            diagnostics: self.findings,
        }
    }
}

/// Check a loaded spec before building it for `targets` (one target for `compile`,
/// `deploy` and `run`; every target for `cost`, which prices them all). The spec's own
/// `lint.rules` apply, so a gating rule set to `warn` or `allow` (e.g. after a quota
/// increase) no longer blocks.
pub fn check(loaded: Loaded, models: &ModelTable, targets: &[Target]) -> Result<Checked, Rejected> {
    let (blocking, warnings) = gate_findings(&loaded, models, targets);
    let Loaded {
        file, spec, agent, ..
    } = loaded;
    match (spec, agent) {
        (Some(spec), Some(agent)) if blocking.is_empty() => Ok(Checked {
            file,
            spec,
            agent,
            warnings,
        }),
        _ => Err(Rejected {
            file,
            findings: blocking,
        }),
    }
}

/// The findings for `targets` that stop a build, and those a build shows.
fn gate_findings(
    loaded: &Loaded,
    models: &ModelTable,
    targets: &[Target],
) -> (Vec<Diagnostic>, Vec<Diagnostic>) {
    let findings = lint_scoped(loaded, models, &LevelOverrides::default(), targets, true);
    let mut blocking = Vec::new();
    let mut warnings = Vec::new();
    for finding in findings {
        match rule(finding.rule).map_or(Gate::Blocks, |r| r.gate()) {
            Gate::Blocks if finding.severity == Severity::Error => blocking.push(finding),
            Gate::Shows => warnings.push(finding),
            Gate::Blocks | Gate::Ignores => {}
        }
    }
    (blocking, warnings)
}

/// A target the spec may not be built for, with the findings that stop it there.
#[derive(Debug)]
pub struct Refused {
    pub target: Target,
    pub findings: Vec<Diagnostic>,
}

/// The gate of a command that builds several targets at once and can still serve the user
/// with some of them (`cost`, which prices each target it can): the spec passes when at least
/// one target's gate passes, and the targets it fails are handed back with their blocking
/// findings instead of refusing the whole spec. A finding of a rule that applies to every
/// target (a structural error, an unusable file) refuses every target, so then, as when every
/// target is refused, this is [`Rejected`].
pub fn check_each(
    loaded: Loaded,
    models: &ModelTable,
    targets: &[Target],
) -> Result<(Checked, Vec<Refused>), Rejected> {
    let (blocking, warnings) = gate_findings(&loaded, models, targets);
    let applies = |finding: &Diagnostic, target: Target| {
        rule(finding.rule).is_none_or(|r| r.targets().contains(&target))
    };
    let refused: Vec<Refused> = targets
        .iter()
        .filter_map(|&target| {
            let findings: Vec<Diagnostic> = blocking
                .iter()
                .filter(|f| applies(f, target))
                .cloned()
                .collect();
            (!findings.is_empty()).then_some(Refused { target, findings })
        })
        .collect();
    let Loaded {
        file, spec, agent, ..
    } = loaded;
    match (spec, agent) {
        (Some(spec), Some(agent)) if refused.len() < targets.len() => Ok((
            Checked {
                file,
                spec,
                agent,
                warnings,
            },
            refused,
        )),
        _ => Err(Rejected {
            file,
            findings: blocking,
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diag::Code;
    use crate::spec::{LoadOptions, load_bytes};

    fn load(text: &str) -> Loaded {
        load_bytes(
            std::path::Path::new("agent.yaml"),
            text.as_bytes().to_vec(),
            &LoadOptions::default(),
        )
    }

    fn blocking(text: &str, target: Target) -> Vec<Code> {
        match check(load(text), ModelTable::builtin(), &[target]) {
            Ok(_) => Vec::new(),
            Err(rejected) => rejected.findings.iter().map(|d| d.rule).collect(),
        }
    }

    const HEAD: &str = "agentc: 1\nname: infra-assistant\ndescription: Answers questions about infrastructure health.\n";
    const INSTRUCTION: &str = "instruction: |\n  You are an infrastructure assistant for the production account.\n  Use tools to answer questions accurately. Never modify resources.\n";
    const TOOLS: &str = "action_groups:\n  - name: status\n    description: Service health checks.\n    executor: return_control\n    functions:\n      - name: get_service_status\n        description: Get current health status of an AWS service.\n";

    /// AWS's samples deploy Titan Text Premier agents: Bedrock Agents orchestrates Titan
    /// through its text prompt, so only the direct target (Converse tool use) refuses it.
    #[test]
    fn a_titan_agent_builds_for_agents_but_not_for_direct() {
        let spec = format!("{HEAD}model: amazon.titan-text-premier-v1:0\n{INSTRUCTION}{TOOLS}");
        assert_eq!(blocking(&spec, Target::Agents), Vec::<Code>::new());
        assert_eq!(
            blocking(&spec, Target::Direct),
            vec![Code::ModelLacksToolUse]
        );
    }

    #[test]
    fn check_each_leaves_out_the_refused_targets_and_rejects_when_none_is_left() {
        let titan = format!("{HEAD}model: amazon.titan-text-premier-v1:0\n{INSTRUCTION}{TOOLS}");
        let (_, refused) = check_each(load(&titan), ModelTable::builtin(), &Target::ALL)
            .unwrap_or_else(|r| panic!("refused: {:?}", r.findings));
        let refused: Vec<_> = refused
            .iter()
            .map(|r| {
                (
                    r.target,
                    r.findings.iter().map(|f| f.rule).collect::<Vec<_>>(),
                )
            })
            .collect();
        // Both targets that call the model through Converse refuse it; Bedrock Agents does not.
        assert_eq!(
            refused,
            vec![
                (Target::Harness, vec![Code::ModelLacksToolUse]),
                (Target::Direct, vec![Code::ModelLacksToolUse])
            ]
        );
        // Refused by the one target asked for: nothing is left to build.
        assert!(check_each(load(&titan), ModelTable::builtin(), &[Target::Direct]).is_err());
        // A structural error refuses every target.
        assert!(
            check_each(
                load("agentc: 1\nname: x\n"),
                ModelTable::builtin(),
                &Target::ALL
            )
            .is_err()
        );
    }

    /// A Nova Lite agent with ~950 tokens of tool definitions (an AWS sample): over the
    /// 500-token recommendation, which `agentc lint` reports but no build refuses.
    #[test]
    fn a_nova_lite_agent_over_the_tool_token_budget_still_builds() {
        let mut functions = String::new();
        for name in [
            "get_order",
            "list_orders",
            "cancel_order",
            "refund_order",
            "track_order",
        ] {
            let description = format!(
                "Look up {name} details in the order system for the signed-in customer, including status, items, amounts, shipping address, carrier and tracking events. "
            )
            .repeat(5);
            functions.push_str(&format!(
                "      - name: {name}\n        description: {description}\n"
            ));
        }
        let spec = format!(
            "{HEAD}model: amazon.nova-lite-v1:0\n{INSTRUCTION}action_groups:\n  - name: orders\n    description: Order lookups.\n    executor: return_control\n    functions:\n{functions}"
        );
        let loaded = load(&spec);
        let found = crate::lint::lint(&loaded, ModelTable::builtin(), &Default::default());
        let budget: Vec<_> = found
            .iter()
            .filter(|d| d.rule == Code::ToolDefinitionsOverBudget)
            .collect();
        assert_eq!(budget.len(), 1, "{found:?}");
        assert!(budget[0].message.contains("tokens, over the budget of 500"));
        for target in Target::ALL {
            assert_eq!(blocking(&spec, target), Vec::<Code>::new(), "{target}");
        }
    }

    /// An Agents quota does not apply to the Converse API.
    #[test]
    fn an_agents_quota_blocks_the_agents_target_only() {
        let spec = format!("{HEAD}model: amazon.nova-pro-v1:0\ninstruction: Too short.\n");
        assert_eq!(
            blocking(&spec, Target::Agents),
            vec![Code::InstructionLength]
        );
        assert_eq!(blocking(&spec, Target::Direct), Vec::<Code>::new());
    }

    /// A quota set to `allow` after a quota increase no longer blocks; a structural error
    /// always does.
    #[test]
    fn the_spec_levels_apply_to_the_gate_but_not_to_structural_errors() {
        let spec = format!(
            "{HEAD}model: amazon.nova-pro-v1:0\ninstruction: Too short.\nlint:\n  rules:\n    instruction-length: allow\n"
        );
        assert_eq!(blocking(&spec, Target::Agents), Vec::<Code>::new());
        let broken = format!("{spec}descripton: typo\n");
        assert_eq!(blocking(&broken, Target::Agents), vec![Code::UnknownKey]);
    }

    /// What the direct target cannot carry is handed back to be shown, never blocking.
    #[test]
    fn what_a_target_drops_is_a_warning_of_the_checked_spec() {
        let spec = format!(
            "{HEAD}model: amazon.nova-pro-v1:0\n{INSTRUCTION}targets:\n  agents:\n    role_arn: arn:aws:iam::123456789012:role/AmazonBedrockExecutionRoleForAgents_x\n    built_in_action_groups:\n      - signature: AMAZON.UserInput\n"
        );
        let direct = check(load(&spec), ModelTable::builtin(), &[Target::Direct])
            .map(|c| c.warnings.iter().map(|d| d.rule).collect::<Vec<_>>());
        assert_eq!(direct.ok(), Some(vec![Code::DroppedByTarget]));
        let agents =
            check(load(&spec), ModelTable::builtin(), &[Target::Agents]).map(|c| c.warnings.len());
        assert_eq!(agents.ok(), Some(0));
    }
}
