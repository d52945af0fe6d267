//! Why a harness deploy stopped. Every error names the step, the resource, the service's own
//! message, and what to do about it.

use super::api::ApiError;

#[derive(Debug, thiserror::Error, miette::Diagnostic)]
pub enum DeployError {
    #[error("{step} failed for {resource}: {error}")]
    #[diagnostic(code(agentc::harness::api), help("{help}"))]
    Api {
        step: String,
        resource: String,
        error: ApiError,
        help: String,
    },
    #[error("{step}: {resource} ended in status {status}: {reason}")]
    #[diagnostic(
        code(agentc::harness::failed),
        help(
            "fix what the reason names (often the execution role: it must trust bedrock-agentcore.amazonaws.com and allow the model), then re-run: deploy resumes where it stopped"
        )
    )]
    Failed {
        step: String,
        resource: String,
        status: String,
        reason: String,
    },
    #[error("{step}: {resource} is still {status} after {seconds} s")]
    #[diagnostic(
        code(agentc::harness::timeout),
        help(
            "the service is slow or stuck; check the harness in the AgentCore console, then re-run: deploy resumes where it stopped"
        )
    )]
    Timeout {
        step: String,
        resource: String,
        status: String,
        seconds: u64,
    },
    #[error(
        "a harness named `{name}` ({id}) exists, but agentc did not create it (it has no `managed-by: agentc` tag)"
    )]
    #[diagnostic(
        code(agentc::harness::not_owned),
        help(
            "to manage it with agentc from now on, deploy with --adopt (the plan shows what would change first); or give the spec another `name`"
        )
    )]
    NotOwned { name: String, id: String },
    #[error(
        "the harness `{name}` ({id}) was not created by agentc (no `managed-by: agentc` tag): refusing to destroy it"
    )]
    #[diagnostic(
        code(agentc::harness::not_owned),
        help(
            "agentc destroys only what it created; delete it in the AgentCore console or with the AWS CLI if you really mean to"
        )
    )]
    NotOwnedDestroy { name: String, id: String },
    #[error(
        "the harness `{name}` ({id}) is {status}: it can be neither updated nor planned against"
    )]
    #[diagnostic(
        code(agentc::harness::unusable),
        help(
            "a harness that failed to delete must be deleted again first (`agentc destroy --target harness`, or the console), then deployed"
        )
    )]
    Unusable {
        name: String,
        id: String,
        status: String,
    },
    #[error("the harness request has no `{member}`")]
    #[diagnostic(
        code(agentc::harness::request),
        help("this is a bug in agentc's harness compile step; report it with the spec")
    )]
    Request { member: &'static str },
    #[error("the plan changes the harness `{name}` but the harness is not there any more")]
    #[diagnostic(
        code(agentc::harness::vanished),
        help("it was deleted while agentc worked; run `agentc plan --target harness` again")
    )]
    Vanished { name: String },
    #[error(transparent)]
    #[diagnostic(transparent)]
    Plan(#[from] crate::plan::PlanError),
}

impl DeployError {
    /// Name the endpoint in an error that got no reply, so the user sees where agentc tried
    /// to go (the configured URL, or the service and Region).
    #[must_use]
    pub fn at_endpoint(mut self, endpoint: &str) -> Self {
        if let DeployError::Api { error, .. } = &mut self
            && error.code == "NoResponse"
        {
            error.message = format!("no reply from {endpoint}: {}", error.message);
        }
        self
    }

    pub fn api(step: impl Into<String>, resource: impl Into<String>, error: ApiError) -> Self {
        let help = help_for(&error).to_string();
        DeployError::Api {
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
            "check your AWS credentials and that they allow bedrock-agentcore:*Harness* on the harness, and iam:PassRole on its execution role"
        }
        "ValidationException" => "fix the value the message names in the spec, then re-run",
        "ConflictException" => {
            "the harness is busy with another change (or the name is taken); wait for it to be READY, then re-run"
        }
        "ServiceQuotaExceededException" => {
            "an AgentCore quota was reached; delete harnesses you no longer use, or request a quota increase in Service Quotas"
        }
        "ResourceNotFoundException" => {
            "the harness disappeared while agentc worked; run `agentc plan --target harness` again"
        }
        "NoRegion" => {
            "no AWS Region is configured: pass --region, or set AWS_REGION (or `region` in your AWS profile)"
        }
        "NoCredentials" => {
            "no AWS credentials were found: pass --profile, run `aws sso login`, or set AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY"
        }
        "NoResponse" => {
            "no reply from the service: check the network, the region and AWS_ENDPOINT_URL_BEDROCK_AGENTCORE_CONTROL, then re-run"
        }
        _ => "re-run the command: deploy is idempotent and resumes where it stopped",
    }
}
