//! agentc: a Terraform-style compiler for LLM agent definitions.
//!
//! The pipeline, one module per stage:
//!
//! ```text
//! source (SourceFile) → spec (YAML with spans → schema check → Spec → Agent)
//!   → lint (diagnostics) → render (human / JSON / SARIF / GitHub)
//! ```
//!
//! The `cli` module only parses arguments and prints.

pub mod agents;
pub mod cli;
pub mod cost;
pub mod diag;
pub mod direct;
pub mod discover;
pub mod fsio;
pub mod lint;
pub mod models;
pub mod render;
pub mod source;
pub mod spec;
pub mod target;
pub mod tokens;
