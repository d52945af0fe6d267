use std::process::ExitCode;

fn main() -> ExitCode {
    agentc::cli::run().into()
}
