//! What a build without a network feature answers in place of that feature's handlers: the
//! command is parsed as in the full build (so `--help` is the same), then refused in one line
//! naming the feature.

#[cfg(not(feature = "agents"))]
pub mod agents {
    use crate::cli::agents::{DestroyArgs, ImportArgs, PlanArgs};
    use crate::cli::compile::DeployArgs;
    use crate::cli::{CliError, CliResult};

    fn not_built(command: &'static str) -> CliResult {
        Err(CliError::NotBuilt {
            command,
            feature: "agents",
        })
    }

    pub fn plan(_: &PlanArgs) -> CliResult {
        not_built("agentc plan --target agents")
    }

    pub fn deploy(_: &DeployArgs) -> CliResult {
        not_built("agentc deploy --target agents")
    }

    pub fn destroy(_: &DestroyArgs) -> CliResult {
        not_built("agentc destroy --target agents")
    }

    pub fn import(_: &ImportArgs) -> CliResult {
        not_built("agentc import")
    }
}

#[cfg(not(feature = "direct"))]
pub mod direct {
    use crate::cli::run::RunArgs;
    use crate::cli::{CliError, CliResult};

    pub fn run(_: &RunArgs) -> CliResult {
        Err(CliError::NotBuilt {
            command: "agentc run",
            feature: "direct",
        })
    }
}

#[cfg(not(all(feature = "agents", feature = "direct")))]
pub mod agents_run {
    use crate::cli::run::RunArgs;
    use crate::cli::{CliError, CliResult};

    pub fn run(_: &RunArgs) -> CliResult {
        Err(CliError::NotBuilt {
            command: "agentc run --target agents",
            // It reuses the direct runtime's dispatch and trace.
            feature: if cfg!(feature = "agents") {
                "direct"
            } else {
                "agents"
            },
        })
    }
}

#[cfg(not(feature = "harness"))]
pub mod harness_deploy {
    use crate::cli::agents::{DestroyArgs, PlanArgs};
    use crate::cli::compile::DeployArgs;
    use crate::cli::{CliError, CliResult};

    fn not_built(command: &'static str) -> CliResult {
        Err(CliError::NotBuilt {
            command,
            feature: "harness",
        })
    }

    pub fn plan(_: &PlanArgs) -> CliResult {
        not_built("agentc plan --target harness")
    }

    pub fn deploy(_: &DeployArgs) -> CliResult {
        not_built("agentc deploy --target harness")
    }

    pub fn destroy(_: &DestroyArgs) -> CliResult {
        not_built("agentc destroy --target harness")
    }
}

#[cfg(not(all(feature = "harness", feature = "direct")))]
pub mod harness_run {
    use crate::cli::run::RunArgs;
    use crate::cli::{CliError, CliResult};

    pub fn run(_: &RunArgs) -> CliResult {
        Err(CliError::NotBuilt {
            command: "agentc run --target harness",
            // It reuses the direct runtime's dispatch and trace.
            feature: if cfg!(feature = "harness") {
                "direct"
            } else {
                "harness"
            },
        })
    }
}

#[cfg(not(feature = "serve"))]
pub mod serve {
    use crate::cli::serve::ServeArgs;
    use crate::cli::{CliError, CliResult};

    pub fn run(_: &ServeArgs) -> CliResult {
        Err(CliError::NotBuilt {
            command: "agentc serve",
            feature: "serve",
        })
    }
}
