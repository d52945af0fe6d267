//! `agentc serve`: the InvokeAgent API (`bedrock-agent-runtime`, restJson1 with an event
//! stream response) in front of the direct target, so an application that calls InvokeAgent
//! switches to agentc by setting one endpoint variable. docs/serve.md describes the behaviour.
//!
//! `route` (paths, bodies, error shapes) and `stream` (event frames) are the wire; `engine`
//! runs turns on the direct runtime with the direct session store; `http` is the server;
//! `ids` says which id each agent answers to; `auth` verifies the SDKs' SigV4 signatures;
//! `service_error` holds the service's error shapes that sessions' failures map to;
//! `metrics` keeps the Prometheus counters `GET /metrics` serves.

pub mod auth;
pub mod engine;
pub mod http;
pub mod ids;
pub mod metrics;
pub mod route;
pub mod service_error;
pub mod stream;
