//! The agents target: plan, deploy, destroy and import a Bedrock Agent (Agents Classic).
//!
//! ```text
//! Spec ─desired─▶ DesiredState ─┐
//!                               ├─plan─▶ Plan ─apply─▶ (AgentsApi calls, in dependency order)
//! AgentsApi ─remote─▶ RemoteState┘
//! ```
//!
//! Desired state, plans, exports and cost are plain data and build everywhere; what talks to
//! the service (the SDK client, apply, import, the S3 read) needs the `agents` feature.

pub mod api;
#[cfg(feature = "agents")]
pub mod apply;
#[cfg(feature = "agents")]
pub mod aws;
pub mod cost;
pub mod desired;
pub mod error;
pub mod export;
#[cfg(feature = "agents")]
pub mod import;
pub mod plan;
pub mod remote;
#[cfg(feature = "agents")]
pub mod s3;
