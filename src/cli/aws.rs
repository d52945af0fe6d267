//! Flags shared by every command that talks to AWS.

/// Standard AWS configuration applies (profiles, environment, `AWS_ENDPOINT_URL_*`); these
/// flags override it.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct AwsArgs {
    /// AWS Region (default: the standard AWS configuration).
    #[arg(long, global = false)]
    pub region: Option<String>,
    /// Named profile from the AWS config files.
    #[arg(long)]
    pub profile: Option<String>,
}
