//! One S3 GetObject, for `agentc import` of an action group whose OpenAPI document lives in S3.
//! Signed with SigV4 by `aws-sigv4` (the SDK's own signer) over the same credentials and region
//! as the bedrock-agent client; the endpoint honours `AWS_ENDPOINT_URL_S3` / `AWS_ENDPOINT_URL`
//! like the SDK does, with path-style addressing there.

use super::api::{ApiError, ApiResult};
use aws_credential_types::provider::ProvideCredentials;
use aws_sigv4::http_request::{
    PayloadChecksumKind, PercentEncodingMode, SignableBody, SignableRequest, SigningSettings,
    UriPathNormalizationMode, sign,
};
use aws_sigv4::sign::v4;
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
use std::time::{Duration, SystemTime};

/// An OpenAPI document is small; anything bigger is not one.
const MAX_OBJECT_BYTES: usize = 8 * 1024 * 1024;

/// Characters S3 keys keep as they are in a URI path (RFC 3986 unreserved, and `/`).
const KEY_KEEP: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~')
    .remove(b'/');

fn error(code: &str, message: impl Into<String>) -> ApiError {
    ApiError {
        code: code.into(),
        message: message.into(),
    }
}

/// Where the object is: path-style on a configured endpoint (local servers, S3-compatible
/// stores) or on dotted bucket names (TLS wildcards do not cover them); virtual-hosted otherwise.
pub fn object_url(endpoint: Option<&str>, region: &str, bucket: &str, key: &str) -> String {
    let key = utf8_percent_encode(key, KEY_KEEP);
    match endpoint {
        Some(endpoint) => format!("{}/{bucket}/{key}", endpoint.trim_end_matches('/')),
        None if bucket.contains('.') => {
            format!("https://s3.{region}.{}/{bucket}/{key}", dns_suffix(region))
        }
        None => format!("https://{bucket}.s3.{region}.{}/{key}", dns_suffix(region)),
    }
}

/// The partition's domain: the China regions are not under amazonaws.com.
fn dns_suffix(region: &str) -> &'static str {
    if region.starts_with("cn-") {
        "amazonaws.com.cn"
    } else {
        "amazonaws.com"
    }
}

fn configured_endpoint() -> Option<String> {
    ["AWS_ENDPOINT_URL_S3", "AWS_ENDPOINT_URL"]
        .iter()
        .find_map(|name| std::env::var(name).ok().filter(|v| !v.is_empty()))
}

/// The S3 error code in an XML error body (`<Code>NoSuchKey</Code>`), if there is one.
fn error_code(body: &str) -> Option<&str> {
    let start = body.find("<Code>")? + "<Code>".len();
    let end = body[start..].find("</Code>")? + start;
    Some(&body[start..end])
}

pub async fn get_object(
    config: &aws_config::SdkConfig,
    bucket: &str,
    key: &str,
) -> ApiResult<String> {
    let region = config.region().map(|r| r.to_string()).ok_or_else(|| {
        error(
            "NoRegion",
            "no AWS region configured (--region or AWS_REGION)",
        )
    })?;
    let provider = config
        .credentials_provider()
        .ok_or_else(|| error("NoCredentials", "no AWS credentials provider configured"))?;
    let credentials = provider
        .provide_credentials()
        .await
        .map_err(|e| error("NoCredentials", crate::diag::error_chain(&e)))?;
    let url = object_url(configured_endpoint().as_deref(), &region, bucket, key);

    let identity = credentials.into();
    let mut settings = SigningSettings::default();
    // S3 signs the path exactly as sent: no second encoding, no collapsing of `//` (keys may
    // contain it), and the payload hash as a header — the settings of the SDK's S3 client.
    settings.percent_encoding_mode = PercentEncodingMode::Single;
    settings.uri_path_normalization_mode = UriPathNormalizationMode::Disabled;
    settings.payload_checksum_kind = PayloadChecksumKind::XAmzSha256;
    let params = v4::SigningParams::builder()
        .identity(&identity)
        .region(&region)
        .name("s3")
        .time(SystemTime::now())
        .settings(settings)
        .build()
        .map_err(|e| error("InvalidRequest", e.to_string()))?
        .into();
    let signable = SignableRequest::new("GET", &url, std::iter::empty(), SignableBody::Bytes(&[]))
        .map_err(|e| error("InvalidRequest", e.to_string()))?;
    let (instructions, _signature) = sign(signable, &params)
        .map_err(|e| error("InvalidRequest", e.to_string()))?
        .into_parts();

    let builder = reqwest::Client::builder().timeout(Duration::from_secs(30));
    // A plain-HTTP endpoint (a local S3-compatible store) needs no root certificates.
    let builder = if url.starts_with("http://") {
        builder.tls_certs_only(std::iter::empty())
    } else {
        builder
    };
    let client = builder
        .build()
        .map_err(|e| error("NoResponse", e.to_string()))?;
    let mut request = client.get(&url);
    for (name, value) in instructions.headers() {
        request = request.header(name, value);
    }
    let response = request
        .send()
        .await
        .map_err(|e| error("NoResponse", format!("GET {url}: {e}")))?;
    let status = response.status();
    if response
        .content_length()
        .is_some_and(|n| n > MAX_OBJECT_BYTES as u64)
    {
        return Err(error(
            "TooLarge",
            format!(
                "s3://{bucket}/{key} is over {MAX_OBJECT_BYTES} bytes; not an OpenAPI document"
            ),
        ));
    }
    let body = response
        .bytes()
        .await
        .map_err(|e| error("NoResponse", format!("GET {url}: {e}")))?;
    if !status.is_success() {
        let text = String::from_utf8_lossy(&body);
        return Err(error(
            error_code(&text).unwrap_or("S3Error"),
            format!("GET s3://{bucket}/{key} answered HTTP {}", status.as_u16()),
        ));
    }
    if body.len() > MAX_OBJECT_BYTES {
        return Err(error(
            "TooLarge",
            format!(
                "s3://{bucket}/{key} is over {MAX_OBJECT_BYTES} bytes; not an OpenAPI document"
            ),
        ));
    }
    String::from_utf8(body.to_vec()).map_err(|_| {
        error(
            "InvalidUtf8",
            format!("s3://{bucket}/{key} is not UTF-8 text"),
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_are_path_style_on_endpoints_and_dotted_buckets() {
        assert_eq!(
            object_url(
                Some("http://127.0.0.1:9000/"),
                "eu-west-1",
                "b",
                "api/orders v1.yaml"
            ),
            "http://127.0.0.1:9000/b/api/orders%20v1.yaml"
        );
        assert_eq!(
            object_url(None, "eu-west-1", "my.bucket", "a.json"),
            "https://s3.eu-west-1.amazonaws.com/my.bucket/a.json"
        );
        assert_eq!(
            object_url(None, "eu-west-1", "bucket", "a+b.json"),
            "https://bucket.s3.eu-west-1.amazonaws.com/a%2Bb.json"
        );
        assert_eq!(
            object_url(None, "cn-north-1", "bucket", "x//y.json"),
            "https://bucket.s3.cn-north-1.amazonaws.com.cn/x//y.json"
        );
    }

    #[test]
    fn s3_error_codes_are_read_from_the_xml_body() {
        let body =
            "<?xml version=\"1.0\"?><Error><Code>NoSuchKey</Code><Message>x</Message></Error>";
        assert_eq!(error_code(body), Some("NoSuchKey"));
        assert_eq!(error_code("<html>"), None);
    }
}
