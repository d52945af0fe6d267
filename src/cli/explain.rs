use super::{CliResult, ExitStatus, print_stdout};
use agentc::lint::{find_rule, registry};

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
        let help = match agentc::diag::closest(&args.rule, registry().iter().map(|r| r.id())) {
            Some(s) => format!("did you mean `{s}`?"),
            None => "`agentc rules` lists the rule ids".into(),
        };
        return Err(UnknownRule {
            id: args.rule,
            help,
        }
        .into());
    };
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
    print_stdout(&format!(
        "{}\n\nDefault severity: {}\n{configurable}\n",
        doc.trim_end(),
        rule.default_severity()
    ));
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
    table.set_header(["rule", "default", "what it finds"]);
    for rule in registry() {
        table.add_row([rule.id(), rule.default_severity().as_str(), rule.summary()]);
    }
    print_stdout(&format!("{table}\n"));
    Ok(ExitStatus::Success)
}
