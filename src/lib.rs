//! agentc: a Terraform-style compiler for LLM agent definitions.
//!
//! The pipeline, one module per stage:
//!
//! ```text
//! source (SourceFile) → spec (YAML with spans → schema check → Spec → Agent)
//!   → lint (diagnostics) → render (human / JSON / SARIF / GitHub)
//! ```
//!
//! The command line lives in the binary (`src/cli`, `mod cli` in `main.rs`), so the library
//! cannot import it: handlers call into these stages, never the other way round.

pub mod agents;
// AWS configuration and the async runtime: only the network features have them.
#[cfg(feature = "net")]
pub mod aws;
pub mod cost;
pub mod diag;
pub mod direct;
pub mod discover;
pub mod fmt;
pub mod fsio;
pub mod harness;
pub mod knowledge;
pub mod lint;
pub mod lsp;
pub mod models;
pub mod plan;
pub mod render;
pub mod runtime;
// `agentc serve`: the InvokeAgent API in front of the runtime (network code: the `serve` feature).
#[cfg(feature = "serve")]
pub mod serve;
// SigV4-signed JSON calls without a generated SDK crate (Converse, Retrieve, the harness).
#[cfg(feature = "retrieve")]
pub mod signed;
pub mod source;
pub mod spec;
pub mod target;
pub mod tokens;
