//! The direct target: the agent compiled into a Converse API request, and (in `run`) the
//! runtime that owns the tool-dispatch loop Bedrock Agents would otherwise run.

pub mod commands;
pub mod compile;

pub use compile::{ConverseConfig, ToolNameMap, compile};
