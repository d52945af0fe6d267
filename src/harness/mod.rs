//! The harness target: the agent as an Amazon Bedrock AgentCore managed harness, a loop the
//! service runs from configuration, one microVM per session. `desired` compiles the checked
//! spec into the exact CreateHarness request (service member names), which `agentc compile
//! --target harness` prints and deploy sends; `export` turns it into CloudFormation or
//! Terraform.

pub mod cost;
pub mod desired;
pub mod export;

pub use desired::{CreateHarnessRequest, DesiredHarness, HarnessError, desired_harness};
