//! The AgentCore managed harness target: deploy the spec as a harness and its endpoint.
//!
//! `api` is the operations agentc uses, in its own types; `http` the signed REST-JSON client
//! (network, behind the `harness` feature once features exist); `remote`, `plan` and `apply`
//! the deploy seam over `api`.

pub mod api;
pub mod apply;
pub mod error;
pub mod http;
pub mod plan;
pub mod remote;
