//! The wait loop of every deployer: the control planes agentc deploys to have no waiters, so
//! each step polls a status with growing delays until it settles, fails, or times out.

use std::time::{Duration, Instant};

/// How a deployer polls.
#[derive(Debug, Clone, Copy)]
pub struct PollSettings {
    pub first_delay: Duration,
    pub max_delay: Duration,
    pub timeout: Duration,
}

/// What one status read says.
pub enum Poll<T, E> {
    Done(T),
    /// Still in a transitional status (named, for the timeout message).
    Busy(String),
    Failed(E),
}

/// Poll `fetch` until `judge` says the resource settled (or failed); after `settings.timeout`,
/// `timed_out(last status, seconds)` is the error.
pub async fn poll_until<T, U, E, Fut>(
    settings: &PollSettings,
    mut fetch: impl FnMut() -> Fut,
    judge: impl Fn(T) -> Poll<U, E>,
    timed_out: impl FnOnce(String, u64) -> E,
) -> Result<U, E>
where
    Fut: std::future::Future<Output = Result<T, E>>,
{
    use backon::BackoffBuilder;
    let started = Instant::now();
    let mut delays = backon::ExponentialBuilder::default()
        .with_min_delay(settings.first_delay)
        .with_max_delay(settings.max_delay)
        .without_max_times()
        .build();
    loop {
        let status = match judge(fetch().await?) {
            Poll::Done(value) => return Ok(value),
            Poll::Failed(error) => return Err(error),
            Poll::Busy(status) => status,
        };
        if started.elapsed() > settings.timeout {
            return Err(timed_out(status, settings.timeout.as_secs()));
        }
        tokio::time::sleep(delays.next().unwrap_or(settings.max_delay)).await;
    }
}
