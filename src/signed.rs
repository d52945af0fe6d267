//! SigV4 signing with `aws-sigv4` (the signer the AWS SDKs use) for the JSON operations agentc
//! sends over `reqwest` instead of through a generated SDK crate: Converse, Retrieve and the
//! harness control plane (README, "Why no Converse SDK").
//!
//! The credentials come from the run's AWS configuration and are kept until five minutes
//! before they expire, as the SDKs' lazy identity cache keeps them: the provider chain behind
//! `SdkConfig` caches nothing itself, and a profile, SSO or container provider asked on every
//! model call would read files or call a credentials endpoint each time.

use aws_credential_types::Credentials;
use aws_credential_types::provider::ProvideCredentials;
use aws_sigv4::http_request::{
    SignableBody, SignableRequest, SigningInstructions, SigningSettings, sign,
};
use aws_sigv4::sign::v4;
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
use serde_json::Value;
use std::sync::RwLock;
use std::time::{Duration, SystemTime};

/// How long before their expiry cached credentials are replaced (the SDKs' default buffer).
const EXPIRY_BUFFER: Duration = Duration::from_secs(300);

/// Why a request could not be signed; none of these is worth a retry.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SignError {
    #[error("no AWS Region is configured (--region or AWS_REGION)")]
    NoRegion,
    #[error("no AWS credentials: {0}")]
    NoCredentials(String),
    #[error("the request cannot be signed: {0}")]
    Invalid(String),
}

/// Signs requests to one service with the credentials and Region of one AWS configuration.
pub struct Signer {
    config: aws_config::SdkConfig,
    name: &'static str,
    cached: RwLock<Option<Credentials>>,
    /// One refresh at a time: concurrent calls wait for it instead of each asking the provider.
    refresh: tokio::sync::Mutex<()>,
}

impl std::fmt::Debug for Signer {
    // Never the credentials.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Signer")
            .field("signing_name", &self.name)
            .field("region", &self.config.region())
            .finish_non_exhaustive()
    }
}

fn fresh(credentials: &Credentials, now: SystemTime) -> bool {
    credentials
        .expiry()
        .is_none_or(|expiry| expiry > now + EXPIRY_BUFFER)
}

impl Signer {
    /// A signer for the service whose model names `signing_name` (its `sigv4` trait).
    pub fn new(config: aws_config::SdkConfig, signing_name: &'static str) -> Self {
        Self {
            config,
            name: signing_name,
            cached: RwLock::new(None),
            refresh: tokio::sync::Mutex::new(()),
        }
    }

    pub fn config(&self) -> &aws_config::SdkConfig {
        &self.config
    }

    fn cached(&self) -> Option<Credentials> {
        let cached = self.cached.read().ok()?;
        cached
            .as_ref()
            .filter(|c| fresh(c, SystemTime::now()))
            .cloned()
    }

    async fn credentials(&self) -> Result<Credentials, SignError> {
        if let Some(credentials) = self.cached() {
            return Ok(credentials);
        }
        let _refreshing = self.refresh.lock().await;
        if let Some(credentials) = self.cached() {
            return Ok(credentials);
        }
        let provider = self.config.credentials_provider().ok_or_else(|| {
            SignError::NoCredentials("no credentials provider is configured".into())
        })?;
        let credentials = provider
            .provide_credentials()
            .await
            .map_err(|e| SignError::NoCredentials(crate::diag::error_chain(&e)))?;
        if let Ok(mut cached) = self.cached.write() {
            *cached = Some(credentials.clone());
        }
        Ok(credentials)
    }

    /// The headers that sign `method url` with `headers` and `body` (SHA-256 of the payload,
    /// as the SDKs sign JSON operations). The caller sends `headers` too.
    pub async fn sign(
        &self,
        method: &str,
        url: &str,
        headers: &[(&str, &str)],
        body: &[u8],
    ) -> Result<SigningInstructions, SignError> {
        let region = self
            .config
            .region()
            .map(ToString::to_string)
            .ok_or(SignError::NoRegion)?;
        let identity = self.credentials().await?.into();
        let params = v4::SigningParams::builder()
            .identity(&identity)
            .region(&region)
            .name(self.name)
            .time(SystemTime::now())
            .settings(SigningSettings::default())
            .build()
            .map_err(|e| SignError::Invalid(e.to_string()))?
            .into();
        let signable = SignableRequest::new(
            method,
            url,
            headers.iter().copied(),
            SignableBody::Bytes(body),
        )
        .map_err(|e| SignError::Invalid(e.to_string()))?;
        let (instructions, _signature) = sign(signable, &params)
            .map_err(|e| SignError::Invalid(e.to_string()))?
            .into_parts();
        Ok(instructions)
    }
}

/// RFC 3986 unreserved characters: what an HTTP label or query value keeps as it is.
const UNRESERVED: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// `value` as an HTTP label or query value, encoded as the SDKs encode one (an ARN's `:` and
/// `/` included).
pub fn encode(value: &str) -> String {
    utf8_percent_encode(value, UNRESERVED).to_string()
}

/// The `x-amzn-ErrorType` header of a reply, if any.
pub fn error_type(response: &reqwest::Response) -> Option<String> {
    response
        .headers()
        .get("x-amzn-errortype")
        .and_then(|v| v.to_str().ok())
        .map(str::to_string)
}

/// The error code and message of a non-2xx rest-json reply, as the SDKs' error parser reads
/// them: the code from the `x-amzn-ErrorType` header, else the body's `code` or `__type`,
/// without a `:…` suffix or a `…#` namespace; the message from `message`, `Message` or
/// `errorMessage`.
pub fn rest_json_error<'a>(
    header: Option<&'a str>,
    body: &'a Value,
) -> (Option<&'a str>, Option<&'a str>) {
    let field = |key: &str| body.get(key).and_then(Value::as_str);
    let code = header
        .or_else(|| field("code"))
        .or_else(|| field("__type"))
        .map(|code| {
            let code = code.split(':').next().unwrap_or(code);
            code.rsplit('#').next().unwrap_or(code)
        });
    let message = field("message")
        .or_else(|| field("Message"))
        .or_else(|| field("errorMessage"));
    (code, message)
}

/// An HTTP client for `base`. A plain-HTTP endpoint (a local server) gets no root
/// certificates: reading the system's store is most of a client's set-up time.
pub fn http_client(base: &str, timeout: Duration) -> Result<reqwest::Client, String> {
    let builder = reqwest::Client::builder()
        .user_agent(concat!("agentc/", env!("CARGO_PKG_VERSION")))
        .connect_timeout(Duration::from_secs(10))
        .timeout(timeout);
    let builder = if base.starts_with("http://") {
        builder.tls_certs_only(std::iter::empty())
    } else {
        builder
    };
    builder.build().map_err(|e| crate::diag::error_chain(&e))
}

/// Read a reply's body, refusing one over `max` bytes before it is all in memory.
pub async fn read_capped(
    mut response: reqwest::Response,
    max: usize,
) -> Result<Vec<u8>, ReadError> {
    if response.content_length().is_some_and(|n| n > max as u64) {
        return Err(ReadError::TooLarge(max));
    }
    let mut body = Vec::new();
    while let Some(chunk) = response.chunk().await.map_err(ReadError::Lost)? {
        if body.len() + chunk.len() > max {
            return Err(ReadError::TooLarge(max));
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

#[derive(Debug)]
pub enum ReadError {
    TooLarge(usize),
    Lost(reqwest::Error),
}

#[cfg(test)]
mod tests {
    use super::*;
    use aws_credential_types::provider::{error::CredentialsError, future};
    use std::sync::Arc;
    use std::sync::atomic::{AtomicU32, Ordering};

    #[derive(Debug)]
    struct Counting {
        calls: Arc<AtomicU32>,
        lifetime: Duration,
    }

    impl ProvideCredentials for Counting {
        fn provide_credentials<'a>(&'a self) -> future::ProvideCredentials<'a>
        where
            Self: 'a,
        {
            self.calls.fetch_add(1, Ordering::SeqCst);
            let expiry = SystemTime::now() + self.lifetime;
            future::ProvideCredentials::ready(Ok::<_, CredentialsError>(Credentials::new(
                "AKIDTEST",
                "secret",
                None,
                Some(expiry),
                "test",
            )))
        }
    }

    fn counting_signer(lifetime: Duration) -> (Signer, Arc<AtomicU32>) {
        let calls = Arc::new(AtomicU32::new(0));
        let config = aws_config::SdkConfig::builder()
            .region(aws_config::Region::new("us-east-1"))
            .credentials_provider(
                aws_credential_types::provider::SharedCredentialsProvider::new(Counting {
                    calls: Arc::clone(&calls),
                    lifetime,
                }),
            )
            .build();
        (Signer::new(config, "bedrock"), calls)
    }

    #[tokio::test]
    async fn credentials_are_asked_for_once_until_they_near_their_expiry() {
        let (signer, calls) = counting_signer(Duration::from_secs(3600));
        for _ in 0..5 {
            let signed = signer
                .sign(
                    "POST",
                    "https://bedrock-runtime.us-east-1.amazonaws.com/x",
                    &[],
                    b"{}",
                )
                .await
                .unwrap();
            let names: Vec<&str> = signed.headers().map(|(n, _)| n).collect();
            assert!(names.contains(&"authorization"), "{names:?}");
            assert!(names.contains(&"x-amz-date"), "{names:?}");
        }
        assert_eq!(calls.load(Ordering::SeqCst), 1);
        // Credentials within the buffer of their expiry are replaced on every use.
        let (signer, calls) = counting_signer(Duration::from_secs(60));
        for _ in 0..3 {
            signer.sign("POST", "https://h/x", &[], b"").await.unwrap();
        }
        assert_eq!(calls.load(Ordering::SeqCst), 3);
    }

    #[test]
    fn error_codes_lose_their_namespace_and_suffix() {
        let body = serde_json::json!({"__type": "com.amazon.coral#AccessDeniedException", "Message": "no"});
        assert_eq!(
            rest_json_error(None, &body),
            (Some("AccessDeniedException"), Some("no"))
        );
        assert_eq!(
            rest_json_error(Some("ThrottlingException:http://internal/"), &Value::Null),
            (Some("ThrottlingException"), None)
        );
        assert_eq!(encode("arn:aws:x/y z"), "arn%3Aaws%3Ax%2Fy%20z");
    }

    #[tokio::test]
    async fn no_region_and_no_provider_are_named() {
        let config = aws_config::SdkConfig::builder().build();
        let signer = Signer::new(config, "bedrock");
        assert_eq!(
            signer
                .sign("POST", "https://h/x", &[], b"")
                .await
                .unwrap_err(),
            SignError::NoRegion
        );
        let config = aws_config::SdkConfig::builder()
            .region(aws_config::Region::new("us-east-1"))
            .build();
        let signer = Signer::new(config, "bedrock");
        let error = signer
            .sign("POST", "https://h/x", &[], b"")
            .await
            .unwrap_err();
        assert!(matches!(error, SignError::NoCredentials(_)), "{error:?}");
        assert!(!format!("{signer:?}").contains("secret"));
    }
}
