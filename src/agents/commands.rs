//! Not built yet: see issue "The agents target". Each command says so and exits 2.

use crate::cli::ExitStatus;
use crate::cli::agents::{DestroyArgs, ImportArgs, PlanArgs};
use crate::cli::compile::{CompileArgs, DeployArgs};

fn not_yet(what: &str) -> ExitStatus {
    eprintln!("error: {what} for the agents target is not implemented yet");
    ExitStatus::Error
}

pub fn compile(_args: &CompileArgs) -> ExitStatus {
    not_yet("compile")
}
pub fn deploy(_args: &DeployArgs) -> ExitStatus {
    not_yet("deploy")
}
pub fn plan(_args: &PlanArgs) -> ExitStatus {
    not_yet("plan")
}
pub fn destroy(_args: &DestroyArgs) -> ExitStatus {
    not_yet("destroy")
}
pub fn import(_args: &ImportArgs) -> ExitStatus {
    not_yet("import")
}
