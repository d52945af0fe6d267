//! SigV4 verification for `agentc serve`: the SDKs sign every InvokeAgent request, so the
//! server checks that signature against the keys it was given (`--credentials FILE`) and
//! answers a failure with the error the service itself returns, which callers already catch.
//!
//! The signature is recomputed with `aws-sigv4`, the crate the Rust SDK signs with, over
//! exactly what the client signed: the method, the raw path and query as received, the headers
//! named in `SignedHeaders` (no others), the body's SHA-256 and the client's own `x-amz-date`,
//! with the settings the SDKs use for every service but S3 (the path encoded a second time and
//! normalised, no payload-hash header). The result is compared in constant time, and a request
//! signed more than five minutes from the server's clock is refused as AWS refuses it.
//!
//! The service's shapes (restJson1: `x-amzn-ErrorType` header, `{"message": …}` body), as AWS
//! answers them for SigV4 failures on its JSON services:
//!
//! | what | error type | message |
//! | --- | --- | --- |
//! | no `Authorization` header | `MissingAuthenticationTokenException` | `Missing Authentication Token` |
//! | header not SigV4, or a part missing | `IncompleteSignatureException` | which part |
//! | access key id not configured | `UnrecognizedClientException` | `The security token included in the request is invalid.` |
//! | wrong signature, secret or scope | `InvalidSignatureException` | `The request signature we calculated does not match …` |
//! | signed > 5 min ago / ahead | `InvalidSignatureException` | `Signature expired: …` / `Signature not yet current: …` |
//!
//! All are HTTP 403.

use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime, UNIX_EPOCH};
use subtle::ConstantTimeEq;

/// The signing name of bedrock-agent-runtime (botocore's `signingName`): what the SDKs put in
/// the credential scope of an InvokeAgent request.
pub const SIGNING_NAME: &str = "bedrock";

/// How far a request's `x-amz-date` may be from the server's clock (AWS's window).
pub const MAX_SKEW: Duration = Duration::from_secs(5 * 60);

/// A credentials file is a handful of lines; anything this big is not one.
const MAX_FILE_BYTES: u64 = 1024 * 1024;

const ALGORITHM: &str = "AWS4-HMAC-SHA256";

/// A secret access key. Never printed: `Debug` shows its length only.
#[derive(Clone)]
struct Secret(String);

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Secret(** {} bytes **)", self.0.len())
    }
}

/// The access keys `serve` accepts, read from `--credentials FILE`.
#[derive(Debug, Clone)]
pub struct Credentials {
    keys: BTreeMap<String, Secret>,
}

#[derive(Debug, thiserror::Error, miette::Diagnostic)]
pub enum CredentialsError {
    #[error("cannot read the credentials file {path}: {message}")]
    #[diagnostic(code(agentc::serve::credentials))]
    Read { path: PathBuf, message: String },
    #[error("the credentials file {path} can be read by every user (mode {mode:o})")]
    #[diagnostic(
        code(agentc::serve::credentials_mode),
        help(
            "restrict it to its owner: `chmod 600 {}` (a Kubernetes secret volume: `defaultMode: 0400`); agentc refuses to serve with secrets anyone on the host can read",
            path.display()
        )
    )]
    WorldReadable { path: PathBuf, mode: u32 },
    #[error("{path}:{line}: {message}")]
    #[diagnostic(
        code(agentc::serve::credentials_line),
        help(
            "each line is `ACCESS_KEY_ID SECRET_ACCESS_KEY`, separated by spaces; lines starting with `#` and blank lines are ignored"
        )
    )]
    Line {
        path: PathBuf,
        line: usize,
        message: String,
    },
    #[error("the credentials file {path} holds no key")]
    #[diagnostic(
        code(agentc::serve::credentials_empty),
        help("add a line `ACCESS_KEY_ID SECRET_ACCESS_KEY` for each caller")
    )]
    Empty { path: PathBuf },
}

impl Credentials {
    /// Read `path`, refusing a file every user of the host can read: the secrets in it sign
    /// requests as any of the configured callers.
    pub fn load(path: &Path) -> Result<Self, CredentialsError> {
        let read_error = |e: &dyn fmt::Display| CredentialsError::Read {
            path: path.to_path_buf(),
            message: e.to_string(),
        };
        let metadata = std::fs::metadata(path).map_err(|e| read_error(&e))?;
        if !metadata.is_file() {
            return Err(read_error(&"it is not a regular file"));
        }
        if metadata.len() > MAX_FILE_BYTES {
            return Err(read_error(&format!(
                "it is larger than {MAX_FILE_BYTES} bytes"
            )));
        }
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = metadata.permissions().mode() & 0o7777;
            if mode & 0o004 != 0 {
                return Err(CredentialsError::WorldReadable {
                    path: path.to_path_buf(),
                    mode,
                });
            }
        }
        let text = std::fs::read_to_string(path).map_err(|e| read_error(&e))?;
        Self::parse(&text, path)
    }

    /// Parse the file's text; `path` only names it in errors. No error repeats a secret.
    pub fn parse(text: &str, path: &Path) -> Result<Self, CredentialsError> {
        let mut keys = BTreeMap::new();
        for (index, line) in text.lines().enumerate() {
            let line_error = |message: String| CredentialsError::Line {
                path: path.to_path_buf(),
                line: index + 1,
                message,
            };
            let trimmed = line.trim();
            if trimmed.is_empty() || trimmed.starts_with('#') {
                continue;
            }
            let fields: Vec<&str> = trimmed.split_whitespace().collect();
            let [id, secret] = fields[..] else {
                return Err(line_error(format!(
                    "expected two fields (access key id, secret access key), found {}",
                    fields.len()
                )));
            };
            if !(3..=128).contains(&id.len()) || !id.bytes().all(|b| b.is_ascii_alphanumeric()) {
                return Err(line_error(
                    "the access key id must be 3 to 128 letters and digits".into(),
                ));
            }
            if !secret.bytes().all(|b| b.is_ascii_graphic()) {
                return Err(line_error(format!(
                    "the secret access key of `{id}` must be printable ASCII"
                )));
            }
            if keys
                .insert(id.to_string(), Secret(secret.to_string()))
                .is_some()
            {
                return Err(line_error(format!("access key id `{id}` is listed twice")));
            }
        }
        if keys.is_empty() {
            return Err(CredentialsError::Empty {
                path: path.to_path_buf(),
            });
        }
        Ok(Self { keys })
    }

    /// How many keys are configured (printed at start; the keys themselves never are).
    pub fn len(&self) -> usize {
        self.keys.len()
    }

    pub fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }

    fn secret(&self, access_key_id: &str) -> Option<&str> {
        self.keys.get(access_key_id).map(|s| s.0.as_str())
    }
}

/// How `serve` treats signatures.
#[derive(Debug, Clone)]
pub enum Auth {
    /// No `--credentials`: local development on a loopback address only; requests are
    /// accepted whatever their `Authorization` says (`serve` says so at start).
    Unchecked,
    /// Every request must carry a valid SigV4 signature by one of these keys.
    Verify(Verifier),
}

#[derive(Debug, thiserror::Error, miette::Diagnostic)]
#[error("`agentc serve` will not listen on {address} without --credentials")]
#[diagnostic(
    code(agentc::serve::unauthenticated_listen),
    help(
        "without credentials any caller could run the agent (and its tools, at your cost): pass `--credentials FILE` (lines of `ACCESS_KEY_ID SECRET_ACCESS_KEY`), or listen on 127.0.0.1 for local development"
    )
)]
pub struct ListenError {
    pub address: std::net::SocketAddr,
}

impl Auth {
    /// The mode for a server listening on `address`: without credentials only a loopback
    /// address is allowed (issue 10: it refuses to listen elsewhere unauthenticated).
    pub fn for_listen(
        address: std::net::SocketAddr,
        credentials: Option<Credentials>,
    ) -> Result<Self, ListenError> {
        match credentials {
            Some(credentials) => Ok(Auth::Verify(Verifier::new(credentials))),
            None if address.ip().is_loopback() => Ok(Auth::Unchecked),
            None => Err(ListenError { address }),
        }
    }

    /// Check a request; `Ok(None)` when signatures are not checked.
    pub fn check(
        &self,
        request: &Request<'_>,
        now: SystemTime,
    ) -> Result<Option<Principal>, AuthError> {
        match self {
            Auth::Unchecked => Ok(None),
            Auth::Verify(verifier) => verifier.verify(request, now).map(Some),
        }
    }
}

/// A received request, as the client sent it (nothing decoded or normalised yet).
#[derive(Debug, Clone, Copy)]
pub struct Request<'a> {
    pub method: &'a str,
    /// The request target as received: the raw path (percent-encoding kept, `%3A` stays
    /// `%3A`) and the query, if any.
    pub target: &'a str,
    /// Every header as received (names in any case; a repeated header appears repeatedly).
    pub headers: &'a [(&'a str, &'a str)],
    /// The whole body (the server caps it before reading).
    pub body: &'a [u8],
}

impl<'a> Request<'a> {
    fn header(&self, name: &str) -> Option<&'a str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| *v)
    }
}

/// Who signed a verified request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Principal {
    pub access_key_id: String,
    /// The Region of the credential scope (the client's configured Region).
    pub region: String,
}

/// Why a request was refused: each variant is one of the service's error shapes.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AuthError {
    #[error("Missing Authentication Token")]
    MissingAuthentication,
    /// The `Authorization` header is not a complete SigV4 header.
    #[error("{0}")]
    Incomplete(String),
    #[error("The security token included in the request is invalid.")]
    UnknownKey,
    #[error(
        "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details."
    )]
    SignatureMismatch,
    /// The credential scope names another service, or its date disagrees with `x-amz-date`.
    #[error("{0}")]
    BadScope(String),
    #[error(
        "Signature expired: {signed} is now earlier than {earliest} ({now} - 5 min.)",
        signed = format_amz_date(*signed),
        earliest = format_amz_date(*now - MAX_SKEW),
        now = format_amz_date(*now)
    )]
    Expired { signed: SystemTime, now: SystemTime },
    #[error(
        "Signature not yet current: {signed} is still later than {latest} ({now} + 5 min.)",
        signed = format_amz_date(*signed),
        latest = format_amz_date(*now + MAX_SKEW),
        now = format_amz_date(*now)
    )]
    NotYetCurrent { signed: SystemTime, now: SystemTime },
}

impl AuthError {
    /// The `x-amzn-ErrorType` of the service's answer (the SDKs' error code).
    pub fn error_type(&self) -> &'static str {
        match self {
            AuthError::MissingAuthentication => "MissingAuthenticationTokenException",
            AuthError::Incomplete(_) => "IncompleteSignatureException",
            AuthError::UnknownKey => "UnrecognizedClientException",
            AuthError::SignatureMismatch
            | AuthError::BadScope(_)
            | AuthError::Expired { .. }
            | AuthError::NotYetCurrent { .. } => "InvalidSignatureException",
        }
    }

    /// The HTTP status: every SigV4 failure is 403.
    pub fn status(&self) -> u16 {
        403
    }

    /// A short name for metrics and logs (never the message, which names dates and keys).
    pub fn kind(&self) -> &'static str {
        match self {
            AuthError::MissingAuthentication => "missing_authentication",
            AuthError::Incomplete(_) => "incomplete_signature",
            AuthError::UnknownKey => "unknown_key",
            AuthError::SignatureMismatch => "signature_mismatch",
            AuthError::BadScope(_) => "bad_scope",
            AuthError::Expired { .. } => "expired",
            AuthError::NotYetCurrent { .. } => "not_yet_current",
        }
    }
}

/// Checks SigV4 signatures against configured keys.
#[derive(Debug, Clone)]
pub struct Verifier {
    credentials: Credentials,
    service: String,
}

/// The parts of `Authorization: AWS4-HMAC-SHA256 Credential=…, SignedHeaders=…, Signature=…`.
#[derive(Debug, PartialEq, Eq)]
struct Authorization<'a> {
    access_key_id: &'a str,
    date: &'a str,
    region: &'a str,
    service: &'a str,
    terminator: &'a str,
    signed_headers: Vec<&'a str>,
    signature: &'a str,
}

fn parse_authorization(value: &str) -> Result<Authorization<'_>, AuthError> {
    let value = value.trim();
    let Some(rest) = value.strip_prefix(ALGORITHM) else {
        return Err(AuthError::Incomplete(format!(
            "Authorization header must be a signature of algorithm {ALGORITHM} (Signature Version 4)."
        )));
    };
    if !rest.starts_with(' ') {
        return Err(AuthError::Incomplete(format!(
            "Authorization header must be a signature of algorithm {ALGORITHM} (Signature Version 4)."
        )));
    }
    let (mut credential, mut signed_headers, mut signature) = (None, None, None);
    for part in rest.split(',') {
        let part = part.trim();
        if part.is_empty() {
            continue;
        }
        let Some((key, value)) = part.split_once('=') else {
            return Err(AuthError::Incomplete(format!(
                "'{key}' not a valid key=value pair (missing equal-sign) in Authorization header.",
                key = part.chars().take(40).collect::<String>()
            )));
        };
        match key.trim() {
            "Credential" => credential = Some(value.trim()),
            "SignedHeaders" => signed_headers = Some(value.trim()),
            "Signature" => signature = Some(value.trim()),
            // Unknown parameters are not part of SigV4; AWS ignores nothing here either, but
            // a stray one cannot make a forged signature match, so it is not worth a refusal.
            _ => {}
        }
    }
    let missing: Vec<String> = [
        ("Credential", credential),
        ("Signature", signature),
        ("SignedHeaders", signed_headers),
    ]
    .into_iter()
    .filter(|(_, found)| found.is_none_or(str::is_empty))
    .map(|(name, _)| format!("Authorization header requires '{name}' parameter."))
    .collect();
    if !missing.is_empty() {
        return Err(AuthError::Incomplete(missing.join(" ")));
    }
    let (credential, signed_headers, signature) = (
        credential.unwrap_or_default(),
        signed_headers.unwrap_or_default(),
        signature.unwrap_or_default(),
    );
    let scope: Vec<&str> = credential.split('/').collect();
    let [access_key_id, date, region, service, terminator] = scope[..] else {
        return Err(AuthError::Incomplete(
            "Credential must have the form ACCESS_KEY_ID/YYYYMMDD/REGION/SERVICE/aws4_request."
                .into(),
        ));
    };
    if access_key_id.is_empty() {
        return Err(AuthError::Incomplete(
            "Credential must name an access key id.".into(),
        ));
    }
    let signed_headers: Vec<&str> = signed_headers.split(';').collect();
    if signed_headers.iter().any(|h| h.is_empty()) {
        return Err(AuthError::Incomplete(
            "SignedHeaders must be a `;`-separated list of header names.".into(),
        ));
    }
    Ok(Authorization {
        access_key_id,
        date,
        region,
        service,
        terminator,
        signed_headers,
        signature,
    })
}

impl Verifier {
    pub fn new(credentials: Credentials) -> Self {
        Self::for_service(credentials, SIGNING_NAME)
    }

    /// A verifier for another signing name (the AWS SigV4 test suite signs as `service`).
    pub fn for_service(credentials: Credentials, service: &str) -> Self {
        Self {
            credentials,
            service: service.to_string(),
        }
    }

    /// Verify `request`'s signature at time `now` (the server's clock).
    pub fn verify(&self, request: &Request<'_>, now: SystemTime) -> Result<Principal, AuthError> {
        let header = request
            .header("authorization")
            .ok_or(AuthError::MissingAuthentication)?;
        let auth = parse_authorization(header)?;
        let amz_date = request.header("x-amz-date").ok_or_else(|| {
            AuthError::Incomplete(
                "Authorization header requires existence of a 'X-Amz-Date' header.".into(),
            )
        })?;
        let signed = parse_amz_date(amz_date).ok_or_else(|| {
            AuthError::Incomplete(format!(
                "X-Amz-Date must be in the ISO-8601 basic format YYYYMMDD'T'HHMMSS'Z', not '{}'.",
                amz_date.chars().take(40).collect::<String>()
            ))
        })?;
        let secret = self
            .credentials
            .secret(auth.access_key_id)
            .ok_or(AuthError::UnknownKey)?;
        if auth.terminator != "aws4_request" {
            return Err(AuthError::BadScope(format!(
                "Credential should be scoped with a valid terminator: 'aws4_request', not '{}'.",
                auth.terminator
            )));
        }
        if auth.service != self.service {
            return Err(AuthError::BadScope(format!(
                "Credential should be scoped to correct service: '{}'.",
                self.service
            )));
        }
        if auth.region.is_empty() {
            return Err(AuthError::BadScope(
                "Credential should be scoped to a valid region.".into(),
            ));
        }
        if !amz_date.starts_with(auth.date) || auth.date.len() != 8 {
            return Err(AuthError::BadScope(format!(
                "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '{}' != '{}', from '{}'.",
                auth.date,
                &amz_date[..8.min(amz_date.len())],
                amz_date
            )));
        }
        if signed + MAX_SKEW < now {
            return Err(AuthError::Expired { signed, now });
        }
        if signed > now + MAX_SKEW {
            return Err(AuthError::NotYetCurrent { signed, now });
        }
        if !auth
            .signed_headers
            .iter()
            .any(|h| h.eq_ignore_ascii_case("host"))
        {
            return Err(AuthError::BadScope(
                "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.".into(),
            ));
        }
        let expected = self.signature(request, &auth, secret, signed)?;
        let matches: bool = expected
            .as_bytes()
            .ct_eq(auth.signature.to_ascii_lowercase().as_bytes())
            .into();
        if !matches {
            return Err(AuthError::SignatureMismatch);
        }
        Ok(Principal {
            access_key_id: auth.access_key_id.to_string(),
            region: auth.region.to_string(),
        })
    }

    /// The signature `aws-sigv4` computes for the request as the client saw it.
    fn signature(
        &self,
        request: &Request<'_>,
        auth: &Authorization<'_>,
        secret: &str,
        signed: SystemTime,
    ) -> Result<String, AuthError> {
        use aws_sigv4::http_request::{SignableBody, SignableRequest, SigningSettings, sign};
        use aws_sigv4::sign::v4;

        let host = request.header("host").ok_or_else(|| {
            AuthError::Incomplete("the request has no Host header to check the signature of".into())
        })?;
        if !request.target.starts_with('/') {
            return Err(AuthError::Incomplete(
                "the request target must be an absolute path".into(),
            ));
        }
        // Exactly the signed headers, in the received order; x-amz-date is set by the signer
        // from `signed` (parsed from that same header) and host from the Host header.
        let headers: Vec<(&str, &str)> = request
            .headers
            .iter()
            .filter(|(name, _)| {
                !name.eq_ignore_ascii_case("x-amz-date")
                    && auth
                        .signed_headers
                        .iter()
                        .any(|signed| signed.eq_ignore_ascii_case(name))
            })
            .copied()
            .collect();
        let identity = aws_credential_types::Credentials::new(
            auth.access_key_id,
            secret,
            None,
            None,
            "agentc-serve",
        )
        .into();
        let mut settings = SigningSettings::default();
        // The default excludes user-agent and friends from what it signs; a client that signed
        // one must have it checked, and one that did not has it filtered out above.
        settings.excluded_headers = None;
        let params = v4::SigningParams::builder()
            .identity(&identity)
            .region(auth.region)
            .name(&self.service)
            .time(signed)
            .settings(settings)
            .build()
            .map_err(|_| AuthError::SignatureMismatch)?
            .into();
        let url = format!("http://{host}{}", request.target);
        let body_hash = hex_sha256(request.body);
        let signable = SignableRequest::new(
            request.method,
            url,
            headers.into_iter(),
            SignableBody::Precomputed(body_hash),
        )
        .map_err(|_| {
            AuthError::Incomplete("the request's Host header or path is not a valid URI".into())
        })?;
        let (_, signature) = sign(signable, &params)
            .map_err(|_| AuthError::SignatureMismatch)?
            .into_parts();
        Ok(signature)
    }
}

fn hex_sha256(bytes: &[u8]) -> String {
    let digest = Sha256::digest(bytes);
    let mut hex = String::with_capacity(64);
    for byte in digest {
        use std::fmt::Write;
        let _ = write!(hex, "{byte:02x}");
    }
    hex
}

/// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's `days_from_civil`).
fn days_from_civil(year: i64, month: u32, day: u32) -> i64 {
    let year = if month <= 2 { year - 1 } else { year };
    let era = year.div_euclid(400);
    let year_of_era = year - era * 400;
    let month = i64::from(month);
    let day_of_year =
        (153 * (if month > 2 { month - 3 } else { month + 9 }) + 2) / 5 + i64::from(day) - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468
}

/// The inverse of [`days_from_civil`].
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let days = days + 719_468;
    let era = days.div_euclid(146_097);
    let day_of_era = days - era * 146_097;
    let year_of_era =
        (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let mp = (5 * day_of_year + 2) / 153;
    let day = (day_of_year - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

/// `20150830T123600Z` → a time (SigV4's ISO-8601 basic format, UTC).
pub fn parse_amz_date(text: &str) -> Option<SystemTime> {
    let bytes = text.as_bytes();
    if bytes.len() != 16 || bytes[8] != b'T' || bytes[15] != b'Z' {
        return None;
    }
    let digits = |range: std::ops::Range<usize>| -> Option<u32> {
        let part = text.get(range)?;
        if part.bytes().all(|b| b.is_ascii_digit()) {
            part.parse().ok()
        } else {
            None
        }
    };
    let (year, month, day) = (digits(0..4)?, digits(4..6)?, digits(6..8)?);
    let (hour, minute, second) = (digits(9..11)?, digits(11..13)?, digits(13..15)?);
    if !(1970..=9999).contains(&year)
        || !(1..=12).contains(&month)
        || !(1..=31).contains(&day)
        || hour > 23
        || minute > 59
        || second > 60
    {
        return None;
    }
    let days = days_from_civil(i64::from(year), month, day);
    // A day past the month's end (e.g. 20150231) comes back as another date: not a date.
    if civil_from_days(days) != (i64::from(year), month, day) {
        return None;
    }
    let seconds = days * 86_400 + i64::from(hour * 3600 + minute * 60 + second);
    Some(UNIX_EPOCH + Duration::from_secs(u64::try_from(seconds).ok()?))
}

/// A time in SigV4's format, `20150830T123600Z` (for the service's error messages).
pub fn format_amz_date(time: SystemTime) -> String {
    let seconds = time
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64);
    let (year, month, day) = civil_from_days(seconds.div_euclid(86_400));
    let of_day = seconds.rem_euclid(86_400);
    format!(
        "{year:04}{month:02}{day:02}T{:02}{:02}{:02}Z",
        of_day / 3600,
        of_day / 60 % 60,
        of_day % 60
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use aws_sigv4::http_request::{SignableBody, SignableRequest, SigningSettings, sign};
    use aws_sigv4::sign::v4;

    const AKID: &str = "AKIDEXAMPLE";
    const SECRET: &str = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";

    fn credentials() -> Credentials {
        Credentials::parse(
            &format!("# the test key\n{AKID} {SECRET}\n\nAKIDOTHER0001 other-secret\n"),
            Path::new("creds"),
        )
        .unwrap()
    }

    /// An owned request, signed the way the Rust SDK signs InvokeAgent.
    struct Signed {
        method: String,
        target: String,
        headers: Vec<(String, String)>,
        body: Vec<u8>,
    }

    impl Signed {
        fn request(&self) -> (Vec<(&str, &str)>, &str, &[u8]) {
            (
                self.headers
                    .iter()
                    .map(|(n, v)| (n.as_str(), v.as_str()))
                    .collect(),
                &self.target,
                &self.body,
            )
        }

        fn verify(&self, verifier: &Verifier, now: SystemTime) -> Result<Principal, AuthError> {
            let (headers, target, body) = self.request();
            verifier.verify(
                &Request {
                    method: &self.method,
                    target,
                    headers: &headers,
                    body,
                },
                now,
            )
        }

        fn set_header(&mut self, name: &str, value: &str) {
            self.headers.retain(|(n, _)| !n.eq_ignore_ascii_case(name));
            self.headers.push((name.to_string(), value.to_string()));
        }
    }

    fn sdk_time() -> SystemTime {
        parse_amz_date("20261202T031500Z").unwrap()
    }

    /// What `aws-sdk-bedrockagentruntime` sends: the session id's `:` percent-encoded in the
    /// path, a JSON body, the SDK's own headers (user-agent is sent but not signed).
    fn invoke_agent(secret: &str, time: SystemTime) -> Signed {
        let target = "/agents/AGENT12345/agentAliases/TSTALIASID/sessions/s%3A1/text".to_string();
        let body = br#"{"inputText":"hello","enableTrace":true}"#.to_vec();
        let mut headers = vec![
            ("content-type".to_string(), "application/json".to_string()),
            ("content-length".to_string(), body.len().to_string()),
            ("host".to_string(), "127.0.0.1:8787".to_string()),
            (
                "user-agent".to_string(),
                "aws-sdk-rust/1.3 os/linux lang/rust/1.95".to_string(),
            ),
            (
                "x-amz-user-agent".to_string(),
                "aws-sdk-rust/1.3 api/bedrockagentruntime/1.151".to_string(),
            ),
            (
                "amz-sdk-invocation-id".to_string(),
                "0b1c2d3e-aaaa-bbbb-cccc-0123456789ab".to_string(),
            ),
            (
                "amz-sdk-request".to_string(),
                "attempt=1; max=3".to_string(),
            ),
        ];
        let identity =
            aws_credential_types::Credentials::new(AKID, secret, None, None, "test").into();
        let params = v4::SigningParams::builder()
            .identity(&identity)
            .region("us-east-1")
            .name("bedrock")
            .time(time)
            .settings(SigningSettings::default())
            .build()
            .unwrap()
            .into();
        let url = format!("http://127.0.0.1:8787{target}");
        let signable = SignableRequest::new(
            "POST",
            url,
            headers.iter().map(|(n, v)| (n.as_str(), v.as_str())),
            SignableBody::Bytes(&body),
        )
        .unwrap();
        let (instructions, _) = sign(signable, &params).unwrap().into_parts();
        for (name, value) in instructions.headers() {
            headers.push((name.to_string(), value.to_string()));
        }
        Signed {
            method: "POST".into(),
            target,
            headers,
            body,
        }
    }

    fn verifier() -> Verifier {
        Verifier::new(credentials())
    }

    #[test]
    fn a_request_signed_like_the_sdk_signs_invoke_agent_verifies() {
        let signed = invoke_agent(SECRET, sdk_time());
        let authorization = &signed
            .headers
            .iter()
            .find(|(n, _)| n == "authorization")
            .unwrap()
            .1;
        // The SDK's signer leaves user-agent out; the verifier must not add it back.
        assert!(!authorization.contains("user-agent;"), "{authorization}");
        assert!(
            authorization.contains("x-amz-user-agent"),
            "{authorization}"
        );
        let principal = signed.verify(&verifier(), sdk_time()).unwrap();
        assert_eq!(
            principal,
            Principal {
                access_key_id: AKID.into(),
                region: "us-east-1".into()
            }
        );
        // Within the window on either side.
        let later = sdk_time() + Duration::from_secs(299);
        assert!(signed.verify(&verifier(), later).is_ok());
    }

    #[test]
    fn a_tampered_body_path_or_signed_header_is_a_signature_mismatch() {
        let v = verifier();
        let mut signed = invoke_agent(SECRET, sdk_time());
        signed.body = br#"{"inputText":"HELLO","enableTrace":true}"#.to_vec();
        assert_eq!(
            signed.verify(&v, sdk_time()),
            Err(AuthError::SignatureMismatch)
        );

        let mut signed = invoke_agent(SECRET, sdk_time());
        signed.target = signed.target.replace("s%3A1", "s%3A2");
        assert_eq!(
            signed.verify(&v, sdk_time()),
            Err(AuthError::SignatureMismatch)
        );

        let mut signed = invoke_agent(SECRET, sdk_time());
        signed.set_header("content-type", "text/plain");
        assert_eq!(
            signed.verify(&v, sdk_time()),
            Err(AuthError::SignatureMismatch)
        );

        // An unsigned header may change (proxies add them): still valid.
        let mut signed = invoke_agent(SECRET, sdk_time());
        signed.set_header("user-agent", "a proxy rewrote this");
        signed.set_header("x-forwarded-for", "10.0.0.1");
        assert!(signed.verify(&v, sdk_time()).is_ok());
    }

    #[test]
    fn a_wrong_secret_is_a_mismatch_and_an_unknown_key_is_unrecognized() {
        let signed = invoke_agent("not-the-secret", sdk_time());
        let error = signed.verify(&verifier(), sdk_time()).unwrap_err();
        assert_eq!(error, AuthError::SignatureMismatch);
        assert_eq!(error.error_type(), "InvalidSignatureException");
        assert_eq!(error.status(), 403);

        let only_other = Credentials::parse("AKIDOTHER0001 other-secret", Path::new("c")).unwrap();
        let error = invoke_agent(SECRET, sdk_time())
            .verify(&Verifier::new(only_other), sdk_time())
            .unwrap_err();
        assert_eq!(error, AuthError::UnknownKey);
        assert_eq!(error.error_type(), "UnrecognizedClientException");
        assert_eq!(
            error.to_string(),
            "The security token included in the request is invalid."
        );
    }

    #[test]
    fn a_stale_or_future_date_is_refused_with_the_services_wording() {
        let signed = invoke_agent(SECRET, sdk_time());
        let now = sdk_time() + Duration::from_secs(5 * 60 + 1);
        let error = signed.verify(&verifier(), now).unwrap_err();
        assert_eq!(error.error_type(), "InvalidSignatureException");
        assert_eq!(
            error.to_string(),
            "Signature expired: 20261202T031500Z is now earlier than 20261202T031501Z (20261202T032001Z - 5 min.)"
        );

        let now = sdk_time() - Duration::from_secs(5 * 60 + 1);
        let error = signed.verify(&verifier(), now).unwrap_err();
        assert_eq!(error.error_type(), "InvalidSignatureException");
        assert_eq!(
            error.to_string(),
            "Signature not yet current: 20261202T031500Z is still later than 20261202T031459Z (20261202T030959Z + 5 min.)"
        );

        // Re-dating the request without re-signing it does not help.
        let mut redated = invoke_agent(SECRET, sdk_time());
        redated.set_header("x-amz-date", "20261202T031600Z");
        let error = redated.verify(&verifier(), sdk_time()).unwrap_err();
        assert_eq!(error, AuthError::SignatureMismatch);
    }

    #[test]
    fn missing_and_malformed_headers_get_their_own_errors() {
        let v = verifier();
        let mut signed = invoke_agent(SECRET, sdk_time());
        signed.headers.retain(|(n, _)| n != "authorization");
        let error = signed.verify(&v, sdk_time()).unwrap_err();
        assert_eq!(error, AuthError::MissingAuthentication);
        assert_eq!(error.error_type(), "MissingAuthenticationTokenException");

        let mut signed = invoke_agent(SECRET, sdk_time());
        signed.headers.retain(|(n, _)| n != "x-amz-date");
        let error = signed.verify(&v, sdk_time()).unwrap_err();
        assert_eq!(error.error_type(), "IncompleteSignatureException");

        for (header, expected) in [
            ("Basic dXNlcjpwYXNz", "algorithm AWS4-HMAC-SHA256"),
            (
                "AWS4-HMAC-SHA256 SignedHeaders=host;x-amz-date, Signature=abc",
                "requires 'Credential' parameter",
            ),
            (
                "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20261202/us-east-1/bedrock/aws4_request, SignedHeaders=host",
                "requires 'Signature' parameter",
            ),
            (
                "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20261202/bedrock/aws4_request, SignedHeaders=host, Signature=ab",
                "Credential must have the form",
            ),
            ("AWS4-HMAC-SHA256 garbage", "missing equal-sign"),
        ] {
            let mut signed = invoke_agent(SECRET, sdk_time());
            signed.set_header("Authorization", header);
            let error = signed.verify(&v, sdk_time()).unwrap_err();
            assert_eq!(
                error.error_type(),
                "IncompleteSignatureException",
                "{header}"
            );
            assert!(error.to_string().contains(expected), "{header}: {error}");
        }

        let mut signed = invoke_agent(SECRET, sdk_time());
        signed.set_header("x-amz-date", "2026-12-02T03:15:00Z");
        let error = signed.verify(&v, sdk_time()).unwrap_err();
        assert_eq!(error.error_type(), "IncompleteSignatureException");
    }

    #[test]
    fn a_scope_for_another_service_or_date_is_invalid() {
        let v = verifier();
        let signed = invoke_agent(SECRET, sdk_time());
        let authorization = signed
            .headers
            .iter()
            .find(|(n, _)| n == "authorization")
            .unwrap()
            .1
            .clone();
        for (from, to, expected) in [
            ("/bedrock/", "/s3/", "correct service: 'bedrock'"),
            ("/20261202/", "/20261201/", "Date in Credential scope"),
            ("/aws4_request", "/aws5_request", "valid terminator"),
        ] {
            let mut changed = invoke_agent(SECRET, sdk_time());
            changed.set_header("authorization", &authorization.replace(from, to));
            let error = changed.verify(&v, sdk_time()).unwrap_err();
            assert_eq!(error.error_type(), "InvalidSignatureException", "{to}");
            assert!(error.to_string().contains(expected), "{to}: {error}");
        }
    }

    /// Vectors of the AWS SigV4 test suite (as shipped in the aws-sigv4 crate,
    /// `aws-signing-test-suite/v4/<name>/header-signed-request.txt`), verified as received.
    #[test]
    fn aws_sigv4_test_suite_vectors_verify() {
        let suite = Verifier::for_service(
            Credentials::parse(&format!("{AKID} {SECRET}"), Path::new("suite")).unwrap(),
            "service",
        );
        let now = parse_amz_date("20150830T123600Z").unwrap();
        let scope = "Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request";
        // post-vanilla-query
        let authorization = format!(
            "AWS4-HMAC-SHA256 {scope}, SignedHeaders=host;x-amz-date, Signature=28038455d6de14eafc1f9222cf5aa6f1a96197d7deb8263271d420d138af7f11"
        );
        let headers = [
            ("Host", "example.amazonaws.com"),
            ("X-Amz-Date", "20150830T123600Z"),
            ("Authorization", authorization.as_str()),
        ];
        let request = Request {
            method: "POST",
            target: "/?Param1=value1",
            headers: &headers,
            body: b"",
        };
        assert!(suite.verify(&request, now).is_ok());
        // get-vanilla-query-order-key-case: the query is sorted before signing.
        let authorization = format!(
            "AWS4-HMAC-SHA256 {scope}, SignedHeaders=host;x-amz-date, Signature=b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500"
        );
        let headers = [
            ("Host", "example.amazonaws.com"),
            ("X-Amz-Date", "20150830T123600Z"),
            ("Authorization", authorization.as_str()),
        ];
        let request = Request {
            method: "GET",
            target: "/?Param2=value2&Param1=value1",
            headers: &headers,
            body: b"",
        };
        assert!(suite.verify(&request, now).is_ok());
        // get-header-value-trim: values are trimmed and inner spaces collapsed.
        let authorization = format!(
            "AWS4-HMAC-SHA256 {scope}, SignedHeaders=host;my-header1;my-header2;x-amz-date, Signature=acc3ed3afb60bb290fc8d2dd0098b9911fcaa05412b367055dee359757a9c736"
        );
        let headers = [
            ("Host", "example.amazonaws.com"),
            ("My-Header1", " value1"),
            ("My-Header2", " \"a   b   c\""),
            ("X-Amz-Date", "20150830T123600Z"),
            ("Authorization", authorization.as_str()),
        ];
        let request = Request {
            method: "GET",
            target: "/",
            headers: &headers,
            body: b"",
        };
        assert!(suite.verify(&request, now).is_ok());
        // post-x-www-form-urlencoded: a signed body (and a signed x-amz-content-sha256).
        let authorization = format!(
            "AWS4-HMAC-SHA256 {scope}, SignedHeaders=content-length;content-type;host;x-amz-content-sha256;x-amz-date, Signature=d3875051da38690788ef43de4db0d8f280229d82040bfac253562e56c3f20e0b"
        );
        let headers = [
            ("Content-Type", "application/x-www-form-urlencoded"),
            ("Host", "example.amazonaws.com"),
            ("Content-Length", "13"),
            ("X-Amz-Date", "20150830T123600Z"),
            (
                "x-amz-content-sha256",
                "9095672bbd1f56dfc5b65f3e153adc8731a4a654192329106275f4c7b24d0b6e",
            ),
            ("Authorization", authorization.as_str()),
        ];
        let mut request = Request {
            method: "POST",
            target: "/",
            headers: &headers,
            body: b"Param1=value1",
        };
        assert!(suite.verify(&request, now).is_ok());
        request.body = b"Param1=value2";
        assert_eq!(
            suite.verify(&request, now),
            Err(AuthError::SignatureMismatch)
        );
    }

    /// A request botocore 1.43.11 signed (`SigV4Auth(credentials, "bedrock", "us-west-2")`
    /// with the clock fixed at 2026-12-02 03:15:00 UTC), as boto3's `invoke_agent` sends it: a
    /// second, independent signer agrees with aws-sigv4 on the `%3A` path and the JSON body.
    #[test]
    fn a_request_signed_by_botocore_verifies() {
        let authorization = "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20261202/us-west-2/bedrock/aws4_request, SignedHeaders=content-type;host;x-amz-date, Signature=5006d6c6e8db69025fc3a59d4821811895e31c5246daa645401f608962922c8e";
        let headers = [
            ("Host", "127.0.0.1:8787"),
            ("Content-Type", "application/json"),
            ("User-Agent", "Boto3/1.43.11 md/Botocore#1.43.11"),
            ("X-Amz-Date", "20261202T031500Z"),
            ("Authorization", authorization),
        ];
        let mut request = Request {
            method: "POST",
            target: "/agents/AGENT12345/agentAliases/TSTALIASID/sessions/user%3A42/text",
            headers: &headers,
            body: br#"{"inputText":"hi","enableTrace":true}"#,
        };
        let principal = verifier().verify(&request, sdk_time()).unwrap();
        assert_eq!(principal.region, "us-west-2");
        request.target = "/agents/AGENT12345/agentAliases/TSTALIASID/sessions/user:42/text";
        assert_eq!(
            verifier().verify(&request, sdk_time()),
            Err(AuthError::SignatureMismatch),
            "the path is checked as received, not decoded"
        );
    }

    #[test]
    fn without_credentials_only_loopback_is_allowed_and_nothing_is_checked() {
        let loopback = "127.0.0.1:8787".parse().unwrap();
        let auth = Auth::for_listen(loopback, None).unwrap();
        let unsigned = Request {
            method: "POST",
            target: "/",
            headers: &[],
            body: b"",
        };
        assert_eq!(auth.check(&unsigned, sdk_time()), Ok(None));
        assert!(Auth::for_listen("[::1]:0".parse().unwrap(), None).is_ok());
        let error = Auth::for_listen("0.0.0.0:8787".parse().unwrap(), None).unwrap_err();
        assert!(error.to_string().contains("0.0.0.0:8787"));
        let auth = Auth::for_listen("0.0.0.0:8787".parse().unwrap(), Some(credentials())).unwrap();
        assert_eq!(
            auth.check(&unsigned, sdk_time()),
            Err(AuthError::MissingAuthentication)
        );
    }

    #[test]
    fn the_credentials_file_is_checked_line_by_line_without_echoing_secrets() {
        let path = Path::new("/etc/agentc/keys");
        let error = Credentials::parse("# keys\nAKID1 s1\nAKID2\n", path).unwrap_err();
        assert_eq!(
            error.to_string(),
            "/etc/agentc/keys:3: expected two fields (access key id, secret access key), found 1"
        );
        let error = Credentials::parse("AKID1 s1 extra", path).unwrap_err();
        assert!(error.to_string().contains(":1: expected two fields"));
        let error = Credentials::parse("AKID1 supersecret\nAKID1 other", path).unwrap_err();
        assert_eq!(
            error.to_string(),
            "/etc/agentc/keys:2: access key id `AKID1` is listed twice"
        );
        assert!(!error.to_string().contains("secret"));
        let error = Credentials::parse("AK-ID secret", path).unwrap_err();
        assert!(error.to_string().contains(":1: the access key id"));
        assert!(matches!(
            Credentials::parse("# nothing\n\n", path),
            Err(CredentialsError::Empty { .. })
        ));
        let parsed = Credentials::parse("  AKID1\tsecret/with+chars  \n", path).unwrap();
        assert_eq!(parsed.len(), 1);
        assert_eq!(parsed.secret("AKID1"), Some("secret/with+chars"));
        assert!(!format!("{parsed:?}").contains("secret/with"));
    }

    #[test]
    fn a_world_readable_credentials_file_is_refused() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("keys");
        std::fs::write(&path, "AKID1 secret\n").unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
        let error = Credentials::load(&path).unwrap_err();
        assert!(matches!(
            error,
            CredentialsError::WorldReadable { mode: 0o644, .. }
        ));
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o640)).unwrap();
        assert_eq!(Credentials::load(&path).unwrap().len(), 1);
        let error = Credentials::load(&dir.path().join("absent")).unwrap_err();
        assert!(matches!(error, CredentialsError::Read { .. }));
    }

    #[test]
    fn amz_dates_round_trip_and_invalid_ones_are_rejected() {
        for text in [
            "19700101T000000Z",
            "20150830T123600Z",
            "20000229T235959Z",
            "20261202T031500Z",
        ] {
            let time = parse_amz_date(text).unwrap();
            assert_eq!(format_amz_date(time), text);
        }
        assert_eq!(
            parse_amz_date("20150830T123600Z").unwrap(),
            UNIX_EPOCH + Duration::from_secs(1_440_938_160)
        );
        for bad in [
            "20150231T000000Z",
            "20150830T123600",
            "2015-08-30T12:36:00Z",
            "20151330T000000Z",
            "20150830T246000Z",
            "2015083+T123600Z",
        ] {
            assert_eq!(parse_amz_date(bad), None, "{bad}");
        }
    }
}
