use super::{ExitStatus, parse_key_value};
use std::path::PathBuf;

#[derive(Debug, clap::Args)]
pub struct CostArgs {
    /// The agent spec.
    pub spec: PathBuf,
    #[arg(long = "var", value_name = "KEY=VALUE", value_parser = parse_key_value)]
    pub vars: Vec<(String, String)>,
}

pub fn run(args: CostArgs) -> ExitStatus {
    crate::cost::commands::run(&args)
}
