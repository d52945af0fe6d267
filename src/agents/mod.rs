//! The agents target: plan, deploy, destroy and import a Bedrock Agent (Agents Classic).
//!
//! ```text
//! Spec ─desired─▶ DesiredState ─┐
//!                               ├─plan─▶ Plan ─apply─▶ (AgentsApi calls, in dependency order)
//! AgentsApi ─remote─▶ RemoteState┘
//! ```

pub mod api;
pub mod apply;
pub mod aws;
pub mod desired;
pub mod error;
pub mod export;
pub mod import;
pub mod plan;
pub mod remote;
pub mod s3;
