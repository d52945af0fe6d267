//! Retries for transient failures: exponential backoff with jitter, bounded both in attempts
//! and in total waiting time. Only errors the caller marks transient are retried; a
//! validation error fails on the first attempt.
//!
//! The delays are configurable (`AGENTC_RETRY_BASE_MS`, `AGENTC_RETRY_MAX_ATTEMPTS`) so
//! tests run the same code with millisecond delays.

use backon::{ExponentialBuilder, Retryable};
use std::future::Future;
use std::time::Duration;

/// How often and how long to retry.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RetryPolicy {
    /// Total attempts, the first included.
    pub max_attempts: usize,
    /// Delay before the first retry; it doubles each time, with jitter.
    pub base_delay: Duration,
    pub max_delay: Duration,
    /// Upper bound on the time spent waiting between attempts.
    pub max_total_delay: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            max_attempts: 6,
            base_delay: Duration::from_millis(250),
            max_delay: Duration::from_secs(8),
            max_total_delay: Duration::from_secs(30),
        }
    }
}

impl RetryPolicy {
    /// The default policy with the environment's overrides applied.
    pub fn from_env() -> Self {
        let mut policy = Self::default();
        let number = |name: &str| {
            std::env::var(name)
                .ok()
                .and_then(|v| v.trim().parse::<u64>().ok())
        };
        if let Some(ms) = number("AGENTC_RETRY_BASE_MS") {
            policy.base_delay = Duration::from_millis(ms);
            policy.max_delay = policy.max_delay.max(policy.base_delay);
        }
        if let Some(attempts) = number("AGENTC_RETRY_MAX_ATTEMPTS") {
            policy.max_attempts = attempts.clamp(1, 100) as usize;
        }
        policy
    }

    fn backoff(&self) -> ExponentialBuilder {
        ExponentialBuilder::default()
            .with_min_delay(self.base_delay)
            .with_max_delay(self.max_delay)
            .with_max_times(self.max_attempts.saturating_sub(1))
            .with_total_delay(Some(self.max_total_delay))
            .with_jitter()
    }
}

/// Run `operation` until it succeeds, fails with a non-transient error, or the policy is
/// exhausted. Returns the result and the number of attempts made.
pub async fn retry<T, E, F, Fut>(
    policy: &RetryPolicy,
    operation: F,
    is_transient: impl Fn(&E) -> bool,
) -> (Result<T, E>, u32)
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T, E>>,
{
    let attempts = std::cell::Cell::new(0u32);
    let mut operation = operation;
    let result = (|| {
        attempts.set(attempts.get() + 1);
        operation()
    })
    .retry(policy.backoff())
    .sleep(tokio::time::sleep)
    .when(|e| is_transient(e))
    .await;
    (result, attempts.get())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fast(max_attempts: usize) -> RetryPolicy {
        RetryPolicy {
            max_attempts,
            base_delay: Duration::from_millis(1),
            max_delay: Duration::from_millis(2),
            max_total_delay: Duration::from_secs(1),
        }
    }

    #[tokio::test]
    async fn transient_errors_are_retried_until_success() {
        let mut failures = 2;
        let (result, attempts) = retry(
            &fast(5),
            || {
                let fail = failures > 0;
                failures -= 1;
                async move { if fail { Err("throttled") } else { Ok(7) } }
            },
            |_| true,
        )
        .await;
        assert_eq!(result, Ok(7));
        assert_eq!(attempts, 3);
    }

    #[tokio::test]
    async fn permanent_errors_and_exhausted_budgets_stop() {
        let (result, attempts) =
            retry(&fast(5), || async { Err::<(), _>("validation") }, |_| false).await;
        assert_eq!((result, attempts), (Err("validation"), 1));
        let (result, attempts) =
            retry(&fast(3), || async { Err::<(), _>("throttled") }, |_| true).await;
        assert_eq!((result, attempts), (Err("throttled"), 3));
    }
}
