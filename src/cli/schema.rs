use super::{ExitStatus, print_stdout};

pub fn run() -> ExitStatus {
    print_stdout(&agentc::spec::schema::schema_text());
    ExitStatus::Success
}
