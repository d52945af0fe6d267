//! The harness target: the agent as an Amazon Bedrock AgentCore managed harness, a loop the
//! service runs from configuration, one microVM per session. `desired` compiles the checked
//! spec into the exact CreateHarness request (service member names), which `agentc compile
//! --target harness` prints and deploy sends; `export` turns it into CloudFormation or
//! Terraform; `cost` prices it.
//!
//! Deploying it: `api` is the control-plane operations agentc uses, in its own types; `plan`
//! diffs a desired deployment against the remote state (`remote`) — plain data, in every
//! build. What talks to the service — the signed REST-JSON client (`http`), the remote read,
//! the applier (`apply`) — needs the `harness` feature.
//!
//! Running it (`agentc run --target harness`): `invoke` reads InvokeHarness's stream (plain
//! data, in every build); `runtime` is the client and the request loop, which answers the
//! harness's inline-function calls with the direct runtime's dispatch (`harness` and `direct`).

pub mod api;
#[cfg(feature = "harness")]
pub mod apply;
pub mod cost;
pub mod desired;
pub mod error;
pub mod export;
#[cfg(feature = "harness")]
pub mod http;
pub mod invoke;
pub mod plan;
pub mod remote;
#[cfg(all(feature = "harness", feature = "direct"))]
pub mod runtime;

pub use desired::{CreateHarnessRequest, DesiredHarness, HarnessError, desired_harness};
