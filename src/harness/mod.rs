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

pub mod api;
#[cfg(feature = "harness")]
pub mod apply;
pub mod cost;
pub mod desired;
pub mod error;
pub mod export;
#[cfg(feature = "harness")]
pub mod http;
pub mod plan;
pub mod remote;

pub use desired::{CreateHarnessRequest, DesiredHarness, HarnessError, desired_harness};
