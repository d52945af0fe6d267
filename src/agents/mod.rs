//! The agents target: plan, deploy, destroy and import a Bedrock Agent (Agents Classic), and
//! run it (`invoke` shapes, `runtime` client).
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
// `run --target agents` reuses the direct runtime's dispatch and trace.
#[cfg(all(feature = "agents", feature = "direct"))]
pub mod invoke;
pub mod plan;
pub mod remote;
/// Network code of `run --target agents` (InvokeAgent).
#[cfg(all(feature = "agents", feature = "direct"))]
pub mod runtime;
#[cfg(feature = "agents")]
pub mod s3;
