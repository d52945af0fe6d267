use super::{ExitStatus, print_stdout};

pub fn run() -> ExitStatus {
    print_stdout(&crate::spec::schema::schema_text());
    ExitStatus::Success
}
