//! The agents target: plan, deploy, destroy and import a Bedrock Agent (Agents Classic).

pub mod commands;
