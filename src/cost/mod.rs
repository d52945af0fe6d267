//! Token and cost estimates for the agents and direct targets.

pub mod commands;
