//! Why an agents command stopped. Every error names the step, the resource, the service's own
//! message, and what to do about it.

use super::api::ApiError;
use std::path::PathBuf;

#[derive(Debug, thiserror::Error, miette::Diagnostic)]
pub enum AgentsError {
    #[error("{step} failed for {resource}: {error}")]
    #[diagnostic(code(agentc::agents::api), help("{help}"))]
    Api {
        step: String,
        resource: String,
        error: ApiError,
        help: String,
    },
    #[error("{step}: {resource} ended in status {status}: {reasons}")]
    #[diagnostic(code(agentc::agents::failed), help("{help}"))]
    Failed {
        step: String,
        resource: String,
        status: String,
        reasons: String,
        help: String,
    },
    #[error("{step}: {resource} is still {status} after {seconds} s")]
    #[diagnostic(
        code(agentc::agents::timeout),
        help(
            "the service is slow or stuck; check the agent in the console, then re-run: deploy resumes where it stopped"
        )
    )]
    Timeout {
        step: String,
        resource: String,
        status: String,
        seconds: u64,
    },
    #[error(
        "an agent named `{name}` ({id}) exists, but agentc did not create it (it has no `managed-by: agentc` tag)"
    )]
    #[diagnostic(
        code(agentc::agents::not_owned),
        help(
            "to manage it with agentc from now on, run `agentc import --agent-id {id}` to start from its current settings, then deploy with --adopt; or give the spec another `name`"
        )
    )]
    NotOwned { name: String, id: String },
    #[error(
        "the agent `{name}` ({id}) was not created by agentc (no `managed-by: agentc` tag): refusing to destroy it"
    )]
    #[diagnostic(
        code(agentc::agents::not_owned),
        help(
            "agentc destroys only what it created; delete it in the console or with the AWS CLI if you really mean to"
        )
    )]
    NotOwnedDestroy { name: String, id: String },
    #[error("the plan updates the {kind} `{name}` but does not say which one (no id)")]
    #[diagnostic(
        code(agentc::agents::plan_id),
        help("this is a bug in agentc; run `agentc plan` again and report it if it repeats")
    )]
    PlanWithoutId { kind: &'static str, name: String },
    #[error(transparent)]
    #[diagnostic(transparent)]
    Plan(#[from] crate::plan::PlanError),
    #[error("refusing to {action} without confirmation: standard input is not a terminal")]
    #[diagnostic(
        code(agentc::agents::confirm),
        help(
            "review the plan above, then pass --auto-approve (for CI), or run in a terminal to confirm"
        )
    )]
    NotConfirmed { action: String },
    #[error("cannot write `{path}`: {source}")]
    #[diagnostic(code(agentc::agents::write))]
    Write {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("no agent with id `{id}`")]
    #[diagnostic(
        code(agentc::agents::not_found),
        help(
            "list your agents with `aws bedrock-agent list-agents`; the id is 10 letters or digits"
        )
    )]
    NoSuchAgent { id: String },
    #[error("the agent `{agent}` has no alias with id or name `{alias}`")]
    #[diagnostic(
        code(agentc::agents::not_found),
        help("list its aliases with `aws bedrock-agent list-agent-aliases --agent-id {agent}`")
    )]
    NoSuchAlias { agent: String, alias: String },
    #[error(transparent)]
    #[diagnostic(transparent)]
    Desired(#[from] super::desired::DesiredError),
    #[error("cannot start the async runtime: {0}")]
    Runtime(String),
}

impl AgentsError {
    /// Name the endpoint in an error that got no reply, so the user sees where agentc tried
    /// to go (the configured URL, or the service and Region).
    #[must_use]
    pub fn at_endpoint(mut self, endpoint: &str) -> Self {
        if let AgentsError::Api { error, .. } = &mut self
            && error.code == "NoResponse"
        {
            error.message = format!("no reply from {endpoint}: {}", error.message);
        }
        self
    }

    pub fn api(step: impl Into<String>, resource: impl Into<String>, error: ApiError) -> Self {
        let help = help_for(&error).to_string();
        AgentsError::Api {
            step: step.into(),
            resource: resource.into(),
            error,
            help,
        }
    }
}

/// What to do about an error, by its type.
fn help_for(error: &ApiError) -> &'static str {
    match error.code.as_str() {
        "ThrottlingException" => {
            "the service throttled the request (agentc already retried); wait a minute, then re-run: deploy resumes where it stopped"
        }
        "AccessDeniedException" | "UnrecognizedClientException" | "ExpiredTokenException" => {
            "check your AWS credentials and that they allow this bedrock:* action on the agent (and iam:PassRole on the agent's role)"
        }
        "ValidationException" => "fix the value the message names in the spec, then re-run",
        "ConflictException" => {
            "another operation is running on this agent (or the name is taken); wait for it to finish, then re-run"
        }
        "ServiceQuotaExceededException" => {
            "a Bedrock quota was reached; reduce what the spec asks for, or request a quota increase in Service Quotas"
        }
        "ResourceNotFoundException" => {
            "the resource disappeared while agentc worked; run `agentc plan` again and re-run"
        }
        "NoRegion" => {
            "no AWS Region is configured: pass --region, or set AWS_REGION (or `region` in your AWS profile)"
        }
        "NoCredentials" => {
            "no AWS credentials were found: pass --profile, run `aws sso login`, or set AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY"
        }
        "NoResponse" => {
            "no reply from the service: check the network, the region and AWS_ENDPOINT_URL_BEDROCK_AGENT, then re-run"
        }
        _ => "re-run the command: deploy is idempotent and resumes where it stopped",
    }
}
