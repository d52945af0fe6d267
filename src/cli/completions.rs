//! `agentc completions SHELL` and `agentc man`: generated from the clap definitions of
//! [`super::Cli`], so they list exactly the commands and flags agentc parses.

use super::{Cli, CliResult, ExitStatus, print_stdout};
use clap::CommandFactory;

#[derive(Debug, clap::Args)]
pub struct CompletionsArgs {
    /// The shell to complete in.
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
}

pub fn completions(args: CompletionsArgs) -> CliResult {
    let mut command = Cli::command();
    let mut out = Vec::new();
    clap_complete::generate(args.shell, &mut command, "agentc", &mut out);
    print_stdout(&String::from_utf8_lossy(&out));
    Ok(ExitStatus::Success)
}

#[derive(Debug, clap::Args)]
pub struct ManArgs {
    /// A command's own page (`agentc man lint`), which the main page lists as `agentc-lint(1)`.
    #[arg(value_name = "COMMAND", value_parser = parse_command)]
    pub command: Option<String>,
}

pub fn man(args: ManArgs) -> CliResult {
    let mut command = Cli::command();
    command.build();
    let page = match &args.command {
        Some(name) => match command.find_subcommand(name) {
            // Once built, a subcommand is displayed as `agentc-lint`, the name its page has.
            Some(sub) => sub.clone(),
            None => command,
        },
        None => command,
    };
    let mut out = Vec::new();
    // Writing into a Vec cannot fail; the fallback keeps that a non-panic regardless.
    if let Err(e) = clap_mangen::Man::new(page).render(&mut out) {
        out = format!(".TH agentc 1\n.SH ERROR\n{e}\n").into_bytes();
    }
    print_stdout(&String::from_utf8_lossy(&out));
    Ok(ExitStatus::Success)
}

/// A command name, refused with the list of commands otherwise.
fn parse_command(text: &str) -> Result<String, String> {
    let command = Cli::command();
    if command.find_subcommand(text).is_some() {
        return Ok(text.to_string());
    }
    let names: Vec<&str> = command.get_subcommands().map(|c| c.get_name()).collect();
    Err(format!(
        "agentc has no command `{text}`; its commands are: {}",
        names.join(", ")
    ))
}
