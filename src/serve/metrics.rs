//! What `GET /metrics` serves: counters and latency histograms in the Prometheus text format
//! (0.0.4), kept with the Prometheus project's Rust client (`prometheus-client`).
//!
//! Every label value comes from a fixed vocabulary the server passes as `&'static str` (route
//! names, error types) or a number (HTTP status), never from a request: a caller cannot grow
//! the number of series. Nothing about a message or a caller is recorded.
//!
//! | metric | labels | what |
//! | --- | --- | --- |
//! | `agentc_serve_requests_total` | `route`, `status` | HTTP requests answered |
//! | `agentc_serve_errors_total` | `type` | errors answered, by the service's error type |
//! | `agentc_serve_model_calls_total` | | model invocations made for turns |
//! | `agentc_serve_tokens_total` | `direction` (`in`, `out`) | tokens the model reported |
//! | `agentc_serve_turns_in_flight` | | turns being run now (graceful shutdown waits for 0) |
//! | `agentc_serve_turn_seconds` | | a turn's wall time, request received to stream ended |
//! | `agentc_serve_overhead_seconds` | | a turn's time minus its model calls' time: agentc's own cost (tools included) |

use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{Histogram, exponential_buckets};
use prometheus_client::registry::Registry;
use std::borrow::Cow;
use std::time::Duration;

/// The `Content-Type` of [`Metrics::render`]'s text.
pub const CONTENT_TYPE: &str = prometheus_client::encoding::prometheus_text::CONTENT_TYPE;

type Labels<const N: usize> = [(&'static str, Cow<'static, str>); N];

/// The server's metrics; share one behind an `Arc` (every method takes `&self`).
#[derive(Debug)]
pub struct Metrics {
    registry: Registry,
    requests: Family<Labels<2>, Counter>,
    errors: Family<Labels<1>, Counter>,
    model_calls: Counter,
    tokens: Family<Labels<1>, Counter>,
    in_flight: Gauge,
    turn_seconds: Histogram,
    overhead_seconds: Histogram,
}

/// Upper bounds of the `agentc_serve_overhead_seconds` buckets.
const OVERHEAD_BUCKETS: [f64; 16] = [
    0.000_25, 0.000_5, 0.001, 0.0015, 0.002, 0.003, 0.004, 0.005, 0.006, 0.008, 0.01, 0.02, 0.05,
    0.1, 0.25, 1.0,
];

/// What one turn measured, for [`Metrics::turn`].
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Turn {
    /// Request received to stream ended.
    pub total: Duration,
    /// The summed latency of the turn's model calls (what the model server took).
    pub model: Duration,
    pub model_calls: u64,
    pub input_tokens: u64,
    pub output_tokens: u64,
}

impl Turn {
    /// agentc's own time: the turn minus its model calls (never negative).
    pub fn overhead(&self) -> Duration {
        self.total.saturating_sub(self.model)
    }
}

/// Counts a turn as in flight until dropped (see [`Metrics::turn_started`]).
#[derive(Debug)]
pub struct InFlight<'a> {
    gauge: &'a Gauge,
}

impl Drop for InFlight<'_> {
    fn drop(&mut self) {
        self.gauge.dec();
    }
}

impl Default for Metrics {
    fn default() -> Self {
        Self::new()
    }
}

impl Metrics {
    pub fn new() -> Self {
        let mut registry = Registry::with_prefix("agentc_serve");
        let requests = Family::<Labels<2>, Counter>::default();
        registry.register(
            "requests",
            "HTTP requests answered, by route and status",
            requests.clone(),
        );
        let errors = Family::<Labels<1>, Counter>::default();
        registry.register(
            "errors",
            "Errors answered, by the service's error type",
            errors.clone(),
        );
        let model_calls = Counter::default();
        registry.register(
            "model_calls",
            "Model invocations made for turns",
            model_calls.clone(),
        );
        let tokens = Family::<Labels<1>, Counter>::default();
        registry.register(
            "tokens",
            "Tokens the model reported, by direction (in, out)",
            tokens.clone(),
        );
        let in_flight = Gauge::default();
        registry.register("turns_in_flight", "Turns being run now", in_flight.clone());
        // 50 ms to ~100 s: a model call takes hundreds of milliseconds, a tool loop minutes.
        let turn_seconds = Histogram::new(exponential_buckets(0.05, 2.0, 12));
        registry.register(
            "turn_seconds",
            "Wall time of a turn, request received to stream ended",
            turn_seconds.clone(),
        );
        // 0.25 ms to 1 s, fine around the 5 ms target of issue 10 (so a p99 can be read
        // off the buckets to the millisecond there).
        let overhead_seconds = Histogram::new(OVERHEAD_BUCKETS.iter().copied());
        registry.register(
            "overhead_seconds",
            "Time of a turn minus its model calls: agentc's own time, tools included",
            overhead_seconds.clone(),
        );
        Self {
            registry,
            requests,
            errors,
            model_calls,
            tokens,
            in_flight,
            turn_seconds,
            overhead_seconds,
        }
    }

    /// One HTTP request answered on `route` (a fixed name such as `invoke_agent`, `healthz`).
    pub fn request(&self, route: &'static str, status: u16) {
        self.requests
            .get_or_create(&[
                ("route", Cow::Borrowed(route)),
                ("status", Cow::Owned(status.to_string())),
            ])
            .inc();
    }

    /// One error answered, by its error type (`ConflictException`, `InvalidSignatureException`…).
    pub fn error(&self, error_type: &'static str) {
        self.errors
            .get_or_create(&[("type", Cow::Borrowed(error_type))])
            .inc();
    }

    /// A turn starts; it counts as in flight until the guard is dropped.
    pub fn turn_started(&self) -> InFlight<'_> {
        self.in_flight.inc();
        InFlight {
            gauge: &self.in_flight,
        }
    }

    /// Turns being run now.
    pub fn turns_in_flight(&self) -> i64 {
        self.in_flight.get()
    }

    /// A turn ended: its model calls, tokens and latencies.
    pub fn turn(&self, turn: &Turn) {
        self.model_calls.inc_by(turn.model_calls);
        self.tokens
            .get_or_create(&[("direction", Cow::Borrowed("in"))])
            .inc_by(turn.input_tokens);
        self.tokens
            .get_or_create(&[("direction", Cow::Borrowed("out"))])
            .inc_by(turn.output_tokens);
        self.turn_seconds.observe(turn.total.as_secs_f64());
        self.overhead_seconds.observe(turn.overhead().as_secs_f64());
    }

    /// The exposition text for `GET /metrics` (serve it with [`CONTENT_TYPE`]).
    pub fn render(&self) -> String {
        let mut text = String::new();
        // Writing into a String cannot fail.
        let _ = prometheus_client::encoding::prometheus_text::encode(&mut text, &self.registry);
        text
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The value of the sample line `name` (with its labels) in `text`.
    fn sample(text: &str, name: &str) -> Option<f64> {
        text.lines()
            .find_map(|line| line.strip_prefix(name)?.strip_prefix(' '))
            .and_then(|v| v.parse().ok())
    }

    #[test]
    fn counters_and_histograms_render_in_the_prometheus_text_format() {
        let metrics = Metrics::new();
        metrics.request("invoke_agent", 200);
        metrics.request("invoke_agent", 200);
        metrics.request("invoke_agent", 409);
        metrics.error("ConflictException");
        metrics.turn(&Turn {
            total: Duration::from_millis(104),
            model: Duration::from_millis(100),
            model_calls: 2,
            input_tokens: 1200,
            output_tokens: 80,
        });
        let text = metrics.render();
        assert_eq!(
            sample(
                &text,
                r#"agentc_serve_requests_total{route="invoke_agent",status="200"}"#
            ),
            Some(2.0),
            "{text}"
        );
        assert_eq!(
            sample(
                &text,
                r#"agentc_serve_requests_total{route="invoke_agent",status="409"}"#
            ),
            Some(1.0)
        );
        assert_eq!(
            sample(
                &text,
                r#"agentc_serve_errors_total{type="ConflictException"}"#
            ),
            Some(1.0)
        );
        assert_eq!(sample(&text, "agentc_serve_model_calls_total"), Some(2.0));
        assert_eq!(
            sample(&text, r#"agentc_serve_tokens_total{direction="in"}"#),
            Some(1200.0)
        );
        assert_eq!(
            sample(&text, r#"agentc_serve_tokens_total{direction="out"}"#),
            Some(80.0)
        );
        assert_eq!(sample(&text, "agentc_serve_turn_seconds_count"), Some(1.0));
        let overhead = sample(&text, "agentc_serve_overhead_seconds_sum").unwrap();
        assert!((overhead - 0.004).abs() < 1e-9, "{overhead}");
        // 4 ms falls in the 4 ms bucket, not in the 3 ms one.
        assert_eq!(
            sample(&text, r#"agentc_serve_overhead_seconds_bucket{le="0.004"}"#),
            Some(1.0),
            "{text}"
        );
        assert_eq!(
            sample(&text, r#"agentc_serve_overhead_seconds_bucket{le="0.003"}"#),
            Some(0.0)
        );
        assert!(text.contains("# TYPE agentc_serve_turn_seconds histogram"));
        assert!(CONTENT_TYPE.starts_with("text/plain; version=0.0.4"));
    }

    #[test]
    fn in_flight_turns_are_counted_until_their_guard_drops() {
        let metrics = Metrics::new();
        let first = metrics.turn_started();
        let second = metrics.turn_started();
        assert_eq!(metrics.turns_in_flight(), 2);
        drop(first);
        assert_eq!(metrics.turns_in_flight(), 1);
        drop(second);
        assert_eq!(metrics.turns_in_flight(), 0);
        assert_eq!(
            sample(&metrics.render(), "agentc_serve_turns_in_flight"),
            Some(0.0)
        );
    }

    #[test]
    fn overhead_is_never_negative_and_metrics_are_shareable() {
        let turn = Turn {
            total: Duration::from_millis(10),
            model: Duration::from_millis(12),
            ..Turn::default()
        };
        assert_eq!(turn.overhead(), Duration::ZERO);
        fn shareable<T: Send + Sync>() {}
        shareable::<Metrics>();
    }
}
