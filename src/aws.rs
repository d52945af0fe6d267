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

/// A single-threaded runtime: a command makes one call at a time, and a CLI process should
/// not start a thread per core to do it.
pub fn runtime() -> std::io::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
}
