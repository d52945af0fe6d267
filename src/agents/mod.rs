//! The agents target: plan, deploy, destroy and import a Bedrock Agent (Agents Classic), and
//! run it (`invoke` shapes, `runtime` client).
//!
//! ```text
//! Spec ─desired─▶ DesiredState ─┐
//!                               ├─plan─▶ Plan ─apply─▶ (AgentsApi calls, in dependency order)
//! AgentsApi ─remote─▶ RemoteState┘
//! ```

pub mod api;
pub mod apply;
pub mod aws;
pub mod cost;
pub mod desired;
pub mod error;
pub mod export;
pub mod import;
pub mod invoke;
pub mod plan;
pub mod remote;
/// Network code of `run --target agents` (InvokeAgent).
pub mod runtime;
pub mod s3;
