//! The one integration test binary. Every topic is a module here, so the AWS SDKs and the test
//! support are compiled and linked once instead of once per file (issue 13).
//!
//! Run one topic with `cargo test --test integration agents::`. Snapshots live in
//! `snapshots/integration__<topic>__<name>.snap`; fixtures in `tests/fixtures/`.

// Test code: a panic is how a test reports a failure, and its inputs are the test's own, so
// Cargo.toml's unwrap_used/expect_used (meant for the user-facing code) do not apply. clippy's
// allow-*-in-tests only covers #[test] functions and #[cfg(test)] modules, not these helpers.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "allow-*-in-tests only covers #[test] functions and #[cfg(test)] modules, not the helpers"
)]

// The fake services and their helpers serve the network topics, which the lean build leaves out.
#[cfg_attr(
    not(all(feature = "agents", feature = "direct")),
    allow(
        dead_code,
        reason = "the lean build has no network topics to use the fakes"
    )
)]
mod support;

mod action;

// The topics that talk to a (fake) service need the full build; the rest run in the lean
// one too (`cargo test --no-default-features`).
#[cfg(feature = "agents")]
mod agents;
mod bad_input;
mod cli_output;
mod completions;
mod cost;
mod direct_compile;
#[cfg(feature = "direct")]
mod direct_confirm;
#[cfg(feature = "direct")]
mod direct_dynamodb;
#[cfg(feature = "direct")]
mod direct_knowledge;
#[cfg(feature = "direct")]
mod direct_run;
#[cfg(feature = "direct")]
mod direct_session;
#[cfg(feature = "direct")]
mod direct_tools;
mod files;
mod harness_compile;
#[cfg(feature = "harness")]
mod harness_deploy;
// Commands of every target (run, import, deploy) with their network code.
#[cfg(all(feature = "agents", feature = "direct"))]
mod hostile;
mod layout;
mod lean;
mod lint_rules;
mod lsp;
mod parser_fuzz;
// `agentc serve`, judged by the real aws-sdk-bedrockagentruntime client.
#[cfg(all(feature = "agents", feature = "direct"))]
mod run_agents;
#[cfg(all(feature = "harness", feature = "direct"))]
mod run_harness;
mod schema;
#[cfg(feature = "serve")]
mod serve;
// `agentc serve` as a fleet: two replicas sharing one DynamoDB table (moto).
#[cfg(feature = "serve")]
mod serve_ops;
mod targets;
mod terraform_export;
