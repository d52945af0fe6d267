use crate::cli::ExitStatus;
use crate::cli::cost::CostArgs;

pub fn run(_args: &CostArgs) -> ExitStatus {
    eprintln!("error: agentc cost is not implemented yet");
    ExitStatus::Error
}
