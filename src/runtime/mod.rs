//! What the runtimes of the service targets share (`run --target agents|harness`): the
//! routing of an event-stream frame (`frame`, no network) and the signed streaming call that
//! reads those frames (`stream`). What each service's events mean stays in its target
//! (`agents::invoke`, `harness::invoke`); the local executors and the trace are the direct
//! runtime's (`direct::{dispatch, lambda_event, trace}`).

pub mod frame;
// Network code: only a build with a service runtime has it (see the features in Cargo.toml).
#[cfg(all(feature = "direct", any(feature = "agents", feature = "harness")))]
pub mod stream;
