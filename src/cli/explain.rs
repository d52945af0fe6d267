use super::{CliResult, ExitStatus, print_stdout};
use agentc::lint::{Rule, find_rule, registry, unknown_rule_help};

#[derive(Debug, clap::Args)]
pub struct ExplainArgs {
    /// The rule id, e.g. `tool-definitions-over-budget`.
    pub rule: String,
}

#[derive(Debug, clap::Args)]
pub struct RulesArgs {
    /// Print the rules as JSON.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, thiserror::Error, miette::Diagnostic)]
#[error("unknown rule `{id}`")]
#[diagnostic(code(agentc::usage), help("{help}"))]
pub struct UnknownRule {
    id: String,
    help: String,
}

pub fn explain(args: ExplainArgs) -> CliResult {
    let Some(rule) = find_rule(&args.rule) else {
        let help = unknown_rule_help(&args.rule);
        return Err(UnknownRule {
            id: args.rule,
            help,
        }
        .into());
    };
    print_stdout(&agentc::lint::explain_text(rule));
    Ok(ExitStatus::Success)
}

pub fn rules(args: RulesArgs) -> CliResult {
    if args.json {
        let rules: Vec<_> = registry()
            .iter()
            .map(|r| {
                serde_json::json!({
                    "id": r.id(),
                    "severity": r.default_severity(),
                    "summary": r.summary(),
                    "configurable": !r.structural(),
                    "targets": r.targets(),
                    "blocks_builds": r.gate() == agentc::lint::Gate::Blocks,
                })
            })
            .collect();
        print_stdout(&format!(
            "{}\n",
            serde_json::to_string_pretty(&rules).unwrap_or_default()
        ));
        return Ok(ExitStatus::Success);
    }
    let mut table = comfy_table::Table::new();
    table.load_preset(comfy_table::presets::NOTHING);
    table.set_header([
        "rule",
        "default",
        "targets",
        "blocks builds",
        "what it finds",
    ]);
    for rule in registry() {
        let blocks = if rule.gate() == agentc::lint::Gate::Blocks {
            "yes"
        } else {
            "no"
        };
        table.add_row([
            rule.id(),
            rule.default_severity().as_str(),
            &targets(*rule),
            blocks,
            rule.summary(),
        ]);
    }
    print_stdout(&format!("{table}\n"));
    Ok(ExitStatus::Success)
}

/// `agents, direct`: the targets a rule applies to.
fn targets(rule: &dyn Rule) -> String {
    rule.targets()
        .iter()
        .map(|t| t.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}
