//! The AgentCore managed harness target: deploy the spec as a harness and its endpoint.
//!
//! `api` is the operations agentc uses, in its own types; `plan` diffs a desired deployment
//! against the remote state (`remote`) — plain data, in every build. What talks to the
//! service — the signed REST-JSON client (`http`), the remote read, the applier (`apply`) —
//! needs the `harness` feature.

pub mod api;
#[cfg(feature = "harness")]
pub mod apply;
pub mod error;
#[cfg(feature = "harness")]
pub mod http;
pub mod plan;
pub mod remote;
