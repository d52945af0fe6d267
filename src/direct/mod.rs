//! The direct target: the agent compiled into a Converse API request (`compile`), written as
//! a deployable artifact (`artifact`), and run by agentc's own runtime: the tool-dispatch
//! loop (`runner`) Bedrock Agents would otherwise run, with its model calls and retries
//! (`model`, `retry`), tool executors (`dispatch`, `lambda_event`), memory (`session`,
//! `history`) and trace (`trace`).
//!
//! The compile, the artifact, the cost and the Lambda event shapes are plain data and build
//! everywhere. The runtime needs the `direct` feature (the Converse client, the Lambda and
//! DynamoDB clients, SQLite); the retry loop only the async runtime (`net`), so other targets'
//! runtimes can share it. Dispatch, sessions and the trace use the Converse types, so they are
//! `direct`'s too: a target whose runtime reuses them enables `direct`.

pub mod artifact;
pub mod compile;
pub mod cost;
#[cfg(feature = "direct")]
pub mod dispatch;
#[cfg(feature = "direct")]
pub mod history;
pub mod lambda_event;
#[cfg(feature = "direct")]
pub mod model;
#[cfg(feature = "direct")]
pub mod prepare;
#[cfg(feature = "net")]
pub mod retry;
#[cfg(feature = "direct")]
pub mod runner;
#[cfg(feature = "direct")]
pub mod session;
#[cfg(feature = "direct")]
pub mod trace;
#[cfg(feature = "direct")]
pub mod wire;

pub use compile::{ConverseConfig, ToolNameMap, compile};
