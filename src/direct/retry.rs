//! Retries for transient failures: exponential backoff with jitter, bounded both in attempts
//! and in total waiting time. Only errors the caller marks transient are retried; a
//! validation error fails on the first attempt.
//!
//! Two clocks bound the time an operation can hold a run: each attempt has its own timeout
//! (an attempt that never answers is a transient failure, retried like a dropped connection),
//! and the whole operation, attempts and waits together, has a deadline that is never
//! retried past. Without the deadline, six attempts of a hung endpoint could take an hour.
//!
//! The delays are configurable (`AGENTC_RETRY_BASE_MS`, `AGENTC_RETRY_MAX_ATTEMPTS`,
//! `AGENTC_ATTEMPT_TIMEOUT_MS`, `AGENTC_RETRY_DEADLINE_MS`) so tests run the same code with
//! millisecond delays; a program sets the fields of [`RetryPolicy`] directly.

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
    /// Longest one attempt may take before it counts as a (transient) timeout.
    pub attempt_timeout: Duration,
    /// Longest the whole operation may take, attempts and waits included; not retried.
    pub deadline: Duration,
}

/// Which clock ran out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TimedOut {
    /// One attempt took longer than `attempt_timeout` (retried if attempts remain).
    Attempt(Duration),
    /// The whole operation took longer than `deadline` (final).
    Deadline(Duration),
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            max_attempts: 6,
            base_delay: Duration::from_millis(250),
            max_delay: Duration::from_secs(8),
            max_total_delay: Duration::from_secs(30),
            // As long as the SDK's own attempt timeout for Converse: a long answer can take
            // minutes to generate.
            attempt_timeout: Duration::from_secs(600),
            deadline: Duration::from_secs(900),
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
        if let Some(ms) = number("AGENTC_ATTEMPT_TIMEOUT_MS") {
            policy.attempt_timeout = Duration::from_millis(ms.max(1));
        }
        if let Some(ms) = number("AGENTC_RETRY_DEADLINE_MS") {
            policy.deadline = Duration::from_millis(ms.max(1));
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
/// exhausted (attempts, waiting time, or deadline). `timed_out` turns a clock that ran out
/// into the caller's error; an attempt timeout is then retried if `is_transient` says so.
/// Returns the result and the number of attempts made.
pub async fn retry<T, E, F, Fut>(
    policy: &RetryPolicy,
    operation: F,
    is_transient: impl Fn(&E) -> bool,
    timed_out: impl Fn(TimedOut) -> E,
) -> (Result<T, E>, u32)
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T, E>>,
{
    // Atomic rather than a Cell so the future stays `Send` (tool calls run on spawned tasks).
    let attempts = std::sync::atomic::AtomicU32::new(0);
    let mut operation = operation;
    let timed_out = &timed_out;
    let attempt_timeout = policy.attempt_timeout;
    let all = (|| {
        attempts.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let attempt = operation();
        async move {
            tokio::time::timeout(attempt_timeout, attempt)
                .await
                .unwrap_or_else(|_| Err(timed_out(TimedOut::Attempt(attempt_timeout))))
        }
    })
    .retry(policy.backoff())
    .sleep(tokio::time::sleep)
    .when(|e| is_transient(e));
    let result = tokio::time::timeout(policy.deadline, all)
        .await
        .unwrap_or_else(|_| Err(timed_out(TimedOut::Deadline(policy.deadline))));
    (result, attempts.load(std::sync::atomic::Ordering::Relaxed))
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
            attempt_timeout: Duration::from_secs(5),
            deadline: Duration::from_secs(10),
        }
    }

    fn clock(t: TimedOut) -> &'static str {
        match t {
            TimedOut::Attempt(_) => "attempt timed out",
            TimedOut::Deadline(_) => "deadline",
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
            clock,
        )
        .await;
        assert_eq!(result, Ok(7));
        assert_eq!(attempts, 3);
    }

    #[tokio::test]
    async fn permanent_errors_and_exhausted_budgets_stop() {
        let (result, attempts) = retry(
            &fast(5),
            || async { Err::<(), _>("validation") },
            |_| false,
            clock,
        )
        .await;
        assert_eq!((result, attempts), (Err("validation"), 1));
        let (result, attempts) = retry(
            &fast(3),
            || async { Err::<(), _>("throttled") },
            |_| true,
            clock,
        )
        .await;
        assert_eq!((result, attempts), (Err("throttled"), 3));
    }

    #[tokio::test]
    async fn a_hung_attempt_times_out_and_is_retried_and_the_deadline_ends_it_all() {
        let policy = RetryPolicy {
            attempt_timeout: Duration::from_millis(50),
            ..fast(3)
        };
        let hang = || std::future::pending::<Result<(), &str>>();
        let (result, attempts) = retry(&policy, hang, |e| *e != "deadline", clock).await;
        assert_eq!((result, attempts), (Err("attempt timed out"), 3));
        let policy = RetryPolicy {
            attempt_timeout: Duration::from_secs(60),
            deadline: Duration::from_millis(100),
            ..fast(100)
        };
        let started = std::time::Instant::now();
        let (result, attempts) = retry(&policy, hang, |e| *e != "deadline", clock).await;
        assert_eq!((result, attempts), (Err("deadline"), 1));
        assert!(started.elapsed() < Duration::from_secs(5));
    }
}
