//! The handlers behind the commands, one file per target (and one for `cost`): they load,
//! call the library's stages, and print.

pub mod artifact;
pub mod cost;
pub mod export;
pub mod flow;
// The harness target's local commands (compile).
pub mod harness;
// The handlers that talk to a service, one gate each; a build without the feature answers
// through `lean` instead (one line, exit 2).
#[cfg(feature = "agents")]
pub mod agents;
#[cfg(all(feature = "agents", feature = "direct"))]
pub mod agents_run;
#[cfg(feature = "direct")]
pub mod direct;
// What the three `run` handlers share.
#[cfg(feature = "harness")]
pub mod harness_deploy;
#[cfg(all(feature = "harness", feature = "direct"))]
pub mod harness_run;
#[cfg(not(all(
    feature = "agents",
    feature = "direct",
    feature = "harness",
    feature = "serve"
)))]
mod lean;
#[cfg(feature = "direct")]
pub mod run_common;
#[cfg(not(feature = "agents"))]
pub use lean::agents;
#[cfg(not(all(feature = "agents", feature = "direct")))]
pub use lean::agents_run;
#[cfg(not(feature = "direct"))]
pub use lean::direct;
#[cfg(not(feature = "harness"))]
pub use lean::harness_deploy;
#[cfg(not(all(feature = "harness", feature = "direct")))]
pub use lean::harness_run;
#[cfg(feature = "serve")]
pub mod serve;
#[cfg(not(feature = "serve"))]
pub use lean::serve;
