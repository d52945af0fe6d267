//! `agentc serve`: the InvokeAgent API (bedrock-agent-runtime) in front of agentc's runtime,
//! so an application moves off Agents Classic by changing one endpoint variable.
//!
//! `auth` verifies the SDKs' SigV4 signatures, `metrics` keeps the Prometheus counters, and
//! `service_error` holds the service's error shapes that sessions' failures map to.

pub mod auth;
pub mod metrics;
pub mod service_error;
