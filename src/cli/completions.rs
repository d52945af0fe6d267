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

pub fn man() -> CliResult {
    let command = Cli::command();
    let mut out = Vec::new();
    // Writing into a Vec cannot fail; the fallback keeps that a non-panic regardless.
    if let Err(e) = clap_mangen::Man::new(command).render(&mut out) {
        out = format!(".TH agentc 1\n.SH ERROR\n{e}\n").into_bytes();
    }
    print_stdout(&String::from_utf8_lossy(&out));
    Ok(ExitStatus::Success)
}
