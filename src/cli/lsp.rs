//! `agentc lsp`: the editor server on stdin and stdout (see `agentc::lsp`, docs/editors.md).

use super::{CliResult, ExitStatus};
use agentc::models::ModelTable;
use std::path::PathBuf;

#[derive(Debug, clap::Args)]
pub struct LspArgs {
    /// Talk over stdin and stdout (the only transport; accepted because editors' LSP clients
    /// pass it).
    #[arg(long)]
    pub stdio: bool,
    /// A price and model table to lint with instead of the built-in one (as `lint --prices`).
    #[arg(long, value_name = "FILE")]
    pub prices: Option<PathBuf>,
}

pub fn run(args: LspArgs) -> CliResult {
    let models = ModelTable::load(args.prices.as_deref())?;
    let mut input = std::io::stdin().lock();
    let mut output = std::io::stdout().lock();
    // LSP: exit status 0 after `shutdown` and `exit`, 1 when the client went away without.
    match agentc::lsp::serve(&mut input, &mut output, &models)? {
        agentc::lsp::Ended::Clean => Ok(ExitStatus::Success),
        agentc::lsp::Ended::Abrupt => Ok(ExitStatus::Failure),
    }
}
