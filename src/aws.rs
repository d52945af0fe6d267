//! The AWS configuration and the async runtime shared by every command that talks to AWS, so
//! that `plan`, `deploy`, `destroy`, `import` and `run` resolve credentials, Region and
//! endpoints the same way.

use aws_smithy_http_client::proxy::ProxyConfig;
use aws_smithy_http_client::tls::{self, rustls_provider::CryptoMode};
use aws_smithy_http_client::{Builder, ConnectorBuilder};
use aws_smithy_runtime_api::client::http::{
    HttpClient, HttpConnector, HttpConnectorFuture, HttpConnectorSettings, SharedHttpClient,
    SharedHttpConnector,
};
use aws_smithy_runtime_api::client::orchestrator::HttpRequest;
use aws_smithy_runtime_api::client::runtime_components::RuntimeComponents;
use std::sync::OnceLock;

/// The standard AWS configuration (environment, profiles, `AWS_ENDPOINT_URL*`), with the
/// `--region` / `--profile` flags on top. Every SDK client built from it (and the credential
/// providers) uses [`lazy_tls_client`].
pub async fn sdk_config(region: Option<&str>, profile: Option<&str>) -> aws_config::SdkConfig {
    let mut loader =
        aws_config::defaults(aws_config::BehaviorVersion::latest()).http_client(lazy_tls_client());
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

/// The SDK's default HTTP client (hyper, rustls with aws-lc, proxies from the environment),
/// except that TLS is set up on the first `https://` request instead of the first request:
/// the SDK's own client reads the whole system certificate store (~150 files) before it
/// sends anything, even to a plain-HTTP endpoint such as a local server.
pub fn lazy_tls_client() -> SharedHttpClient {
    SharedHttpClient::new(LazyTls {
        plain: Builder::new().build_with_connector_fn(|settings, components| {
            let mut builder = ConnectorBuilder::default();
            builder.set_connector_settings(settings.cloned());
            builder.set_sleep_impl(components.and_then(RuntimeComponents::sleep_impl));
            builder.set_proxy_config(Some(ProxyConfig::from_env()));
            builder.build_http()
        }),
        tls: Builder::new().build_with_connector_fn(|settings, components| {
            let mut builder =
                ConnectorBuilder::default().tls_provider(tls::Provider::Rustls(CryptoMode::AwsLc));
            builder.set_connector_settings(settings.cloned());
            builder.set_sleep_impl(components.and_then(RuntimeComponents::sleep_impl));
            builder.set_proxy_config(Some(ProxyConfig::from_env()));
            builder.build()
        }),
    })
}

/// Two clients, each building (and caching) its connectors only when first asked for one.
#[derive(Debug)]
struct LazyTls {
    plain: SharedHttpClient,
    tls: SharedHttpClient,
}

impl HttpClient for LazyTls {
    fn http_connector(
        &self,
        settings: &HttpConnectorSettings,
        components: &RuntimeComponents,
    ) -> SharedHttpConnector {
        SharedHttpConnector::new(LazyTlsConnector {
            plain: OnceLock::new(),
            tls: OnceLock::new(),
            clients: (self.plain.clone(), self.tls.clone()),
            settings: settings.clone(),
            components: components.clone(),
        })
    }
}

#[derive(Debug)]
struct LazyTlsConnector {
    plain: OnceLock<SharedHttpConnector>,
    tls: OnceLock<SharedHttpConnector>,
    clients: (SharedHttpClient, SharedHttpClient),
    settings: HttpConnectorSettings,
    components: RuntimeComponents,
}

impl HttpConnector for LazyTlsConnector {
    fn call(&self, request: HttpRequest) -> HttpConnectorFuture {
        let plain = request
            .uri()
            .get(..7)
            .is_some_and(|scheme| scheme.eq_ignore_ascii_case("http://"));
        let (cell, client) = if plain {
            (&self.plain, &self.clients.0)
        } else {
            (&self.tls, &self.clients.1)
        };
        cell.get_or_init(|| client.http_connector(&self.settings, &self.components))
            .call(request)
    }
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

pub const BEDROCK_AGENT_RUNTIME: Service = Service {
    name: "the Bedrock Agents runtime",
    env: "BEDROCK_AGENT_RUNTIME",
    host: "bedrock-agent-runtime",
};

/// The endpoint URL configured for `service` (its `AWS_ENDPOINT_URL_*` variable, then
/// `AWS_ENDPOINT_URL` or the profile's `endpoint_url`), for clients agentc builds itself.
pub fn configured_endpoint(config: &aws_config::SdkConfig, service: Service) -> Option<String> {
    std::env::var(format!("AWS_ENDPOINT_URL_{}", service.env))
        .ok()
        .filter(|v| !v.is_empty())
        .or_else(|| config.endpoint_url().map(str::to_string))
}

/// The URL a client agentc builds itself sends `service`'s requests to, without a trailing
/// `/`: the configured endpoint, else the Region's default host (a client without a Region
/// fails to sign before it sends anything).
pub fn base_url(config: &aws_config::SdkConfig, service: Service) -> String {
    if let Some(url) = configured_endpoint(config, service) {
        return url.trim_end_matches('/').to_string();
    }
    let region = config.region().map_or("us-east-1", |r| r.as_ref());
    let suffix = if region.starts_with("cn-") {
        "amazonaws.com.cn"
    } else {
        "amazonaws.com"
    };
    format!("https://{}.{region}.{suffix}", service.host)
}

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

/// A configuration for unit tests of the thin clients: fixed test credentials, `region`, and
/// an endpoint on loopback where nothing listens.
#[cfg(all(test, any(feature = "agents", feature = "harness")))]
pub(crate) fn loopback_test_config(region: &str) -> aws_config::SdkConfig {
    let credentials = aws_credential_types::Credentials::new("AKID", "secret", None, None, "test");
    aws_config::SdkConfig::builder()
        .region(aws_config::Region::new(region.to_string()))
        .endpoint_url("http://127.0.0.1:9/")
        .credentials_provider(
            aws_credential_types::provider::SharedCredentialsProvider::new(credentials),
        )
        .build()
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

    /// The first bytes a Lambda Invoke through `lazy_tls_client` sends to `scheme://` a local
    /// listener that answers nothing.
    #[cfg(feature = "direct")]
    async fn first_bytes(scheme: &str) -> Vec<u8> {
        use std::io::Read;
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let endpoint = format!(
            "{scheme}://127.0.0.1:{}",
            listener.local_addr().unwrap().port()
        );
        let reader = std::thread::spawn(move || {
            let (mut stream, _) = listener.accept().unwrap();
            let mut bytes = [0u8; 5];
            stream.read_exact(&mut bytes).unwrap();
            bytes.to_vec()
        });
        let config = aws_sdk_lambda::Config::builder()
            .behavior_version(aws_sdk_lambda::config::BehaviorVersion::latest())
            .http_client(lazy_tls_client())
            .endpoint_url(endpoint)
            .region(aws_sdk_lambda::config::Region::new("us-east-1"))
            .credentials_provider(aws_credential_types::Credentials::new(
                "AKIDTEST", "secret", None, None, "test",
            ))
            .retry_config(aws_config::retry::RetryConfig::disabled())
            .timeout_config(
                aws_config::timeout::TimeoutConfig::builder()
                    .operation_attempt_timeout(std::time::Duration::from_millis(500))
                    .build(),
            )
            .build();
        let client = aws_sdk_lambda::Client::from_conf(config);
        let _ = client.invoke().function_name("f").send().await;
        reader.join().unwrap()
    }

    #[cfg(feature = "direct")]
    #[tokio::test]
    async fn plain_http_is_sent_as_is_and_https_still_speaks_tls() {
        assert_eq!(first_bytes("http").await, b"POST ");
        let hello = first_bytes("https").await;
        // A TLS record of type handshake (22), version 3.x: the ClientHello.
        assert_eq!(&hello[..2], &[22, 3], "{hello:?}");
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
