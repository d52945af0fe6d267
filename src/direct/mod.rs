//! The direct target: the agent compiled into a Converse API request (`compile`), written as
//! a deployable artifact (`artifact`), and run by agentc's own runtime: the tool-dispatch
//! loop (`runner`) Bedrock Agents would otherwise run, with its model calls and retries
//! (`model`, `retry`), tool executors (`dispatch`, `lambda_event`), memory (`session`,
//! `history`) and trace (`trace`).

pub mod artifact;
pub mod compile;
pub mod dispatch;
pub mod history;
pub mod lambda_event;
pub mod model;
pub mod retry;
pub mod runner;
pub mod session;
pub mod trace;
pub mod wire;

pub use compile::{ConverseConfig, ToolNameMap, compile};
