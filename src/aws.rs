//! The AWS configuration and the async runtime shared by every command that talks to AWS, so
//! that `plan`, `deploy`, `destroy`, `import` and `run` resolve credentials, Region and
//! endpoints the same way.

/// The standard AWS configuration (environment, profiles, `AWS_ENDPOINT_URL*`), with the
/// `--region` / `--profile` flags on top.
pub async fn sdk_config(region: Option<&str>, profile: Option<&str>) -> aws_config::SdkConfig {
    let mut loader = aws_config::defaults(aws_config::BehaviorVersion::latest());
    if let Some(region) = region {
        loader = loader.region(aws_config::Region::new(region.to_string()));
    }
    if let Some(profile) = profile {
        loader = loader.profile_name(profile);
    }
    loader.load().await
}

/// `--profile NAME` names no profile in the AWS config or credentials files.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
#[error("the AWS profile `{name}` is not in {files}")]
#[diagnostic(code(agentc::aws::profile), help("{help}"))]
pub struct UnknownProfile {
    pub name: String,
    pub files: String,
    pub help: String,
}

/// Refuse a `--profile` that the AWS config and credentials files do not define, read as
/// aws-config reads them (`AWS_CONFIG_FILE`, `AWS_SHARED_CREDENTIALS_FILE`, `~/.aws/…`).
/// Without the check, the SDK falls back to whatever credentials the environment has and the
/// command runs as someone the user did not name.
pub async fn check_profile(name: &str) -> Result<(), UnknownProfile> {
    use aws_types::os_shim_internal::{Env, Fs};
    let set = aws_config::profile::load(&Fs::real(), &Env::real(), &Default::default(), None)
        .await
        .ok();
    if set.as_ref().is_some_and(|s| s.get_profile(name).is_some()) {
        return Ok(());
    }
    let config = std::env::var("AWS_CONFIG_FILE").unwrap_or_else(|_| "~/.aws/config".into());
    let credentials = std::env::var("AWS_SHARED_CREDENTIALS_FILE")
        .unwrap_or_else(|_| "~/.aws/credentials".into());
    let known: Vec<&str> = set
        .as_ref()
        .map(|s| s.profiles().collect())
        .unwrap_or_default();
    let help = match crate::diag::closest(name, known.iter().copied()) {
        Some(suggestion) => format!("did you mean `{suggestion}`?"),
        None if known.is_empty() => {
            "no profile is defined; run `aws configure --profile NAME`, or leave out --profile"
                .to_string()
        }
        None => format!("the profiles defined are: {}", known.join(", ")),
    };
    Err(UnknownProfile {
        name: name.to_string(),
        files: format!("{config} or {credentials}"),
        help,
    })
}

/// A single-threaded runtime: a command makes one call at a time, and a CLI process should
/// not start a thread per core to do it.
pub fn runtime() -> std::io::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
}

/// An AWS service, as the SDK's endpoint configuration names it.
#[derive(Debug, Clone, Copy)]
pub struct Service {
    /// For prose: "Bedrock Agents".
    pub name: &'static str,
    /// The suffix of its `AWS_ENDPOINT_URL_*` variable: `BEDROCK_AGENT`.
    pub env: &'static str,
    /// The first label of its default host: `bedrock-agent`.
    pub host: &'static str,
}

pub const BEDROCK_AGENT: Service = Service {
    name: "Bedrock Agents",
    env: "BEDROCK_AGENT",
    host: "bedrock-agent",
};

pub const BEDROCK_RUNTIME: Service = Service {
    name: "the Bedrock runtime",
    env: "BEDROCK_RUNTIME",
    host: "bedrock-runtime",
};

/// Where a client of `service` built from `config` sends its requests, for an error message:
/// the configured endpoint URL (and the variable it came from), or the service and Region.
///
/// This follows the SDK's order (service variable, then `AWS_ENDPOINT_URL` or the profile's
/// `endpoint_url`, then the Region's default host) except for per-service endpoints set in a
/// profile's `services` section, which the SDK does not expose; those show as the default.
pub fn endpoint(config: &aws_config::SdkConfig, service: Service) -> String {
    let variable = format!("AWS_ENDPOINT_URL_{}", service.env);
    if let Some(url) = std::env::var(&variable).ok().filter(|v| !v.is_empty()) {
        return format!("{url} (from {variable})");
    }
    if let Some(url) = config.endpoint_url() {
        return url.to_string();
    }
    match config.region() {
        Some(region) => format!(
            "{} in {region} (https://{}.{region}.amazonaws.com)",
            service.name, service.host
        ),
        None => format!("{} (no Region configured)", service.name),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(region: Option<&str>, endpoint_url: Option<&str>) -> aws_config::SdkConfig {
        let mut builder = aws_config::SdkConfig::builder();
        if let Some(region) = region {
            builder = builder.region(aws_config::Region::new(region.to_string()));
        }
        if let Some(url) = endpoint_url {
            builder = builder.endpoint_url(url);
        }
        builder.build()
    }

    // A service whose variable no environment sets, so the test does not depend on it.
    const UNSET: Service = Service {
        name: "Example",
        env: "AGENTC_TEST_NEVER_SET",
        host: "example",
    };

    #[test]
    fn the_endpoint_is_the_configured_url_or_the_regions_default_host() {
        assert_eq!(
            endpoint(
                &config(Some("eu-west-1"), Some("http://127.0.0.1:9")),
                UNSET
            ),
            "http://127.0.0.1:9"
        );
        assert_eq!(
            endpoint(&config(Some("eu-west-1"), None), UNSET),
            "Example in eu-west-1 (https://example.eu-west-1.amazonaws.com)"
        );
        assert_eq!(
            endpoint(&config(None, None), UNSET),
            "Example (no Region configured)"
        );
    }
}
