use super::{CliResult, ExitStatus, print_stdout};

pub fn run() -> CliResult {
    print_stdout(&agentc::spec::schema::schema_text());
    Ok(ExitStatus::Success)
}
