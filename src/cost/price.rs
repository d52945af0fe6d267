//! The arithmetic: tokens per call × calls per request × requests per month × price per
//! million tokens. Kept apart from counting and rendering so that it can be checked by hand.

use crate::models::ModelInfo;
use serde::Serialize;

/// USD per 1M tokens for one model.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Rates {
    pub input_usd_per_mtok: f64,
    pub output_usd_per_mtok: f64,
    /// Price of input read from the prompt cache; `None` when the table has none (then cached
    /// input is priced as ordinary input).
    pub cache_read_usd_per_mtok: Option<f64>,
    /// Price of input written to the prompt cache; `None` when the table has none. Estimates
    /// assume steady use (no writes); measured usage reports them.
    pub cache_write_usd_per_mtok: Option<f64>,
}

impl Rates {
    pub fn of(model: &ModelInfo) -> Rates {
        Rates {
            input_usd_per_mtok: model.input_usd_per_mtok,
            output_usd_per_mtok: model.output_usd_per_mtok,
            cache_read_usd_per_mtok: model.cache_read_usd_per_mtok,
            cache_write_usd_per_mtok: model.cache_write_usd_per_mtok,
        }
    }

    /// The price of one input token, cached or not, per 1M.
    pub fn input(&self, cached: bool) -> f64 {
        if cached {
            self.cache_read_usd_per_mtok
                .unwrap_or(self.input_usd_per_mtok)
        } else {
            self.input_usd_per_mtok
        }
    }
}

/// USD for `tokens` at `usd_per_mtok`.
pub fn usd(tokens: f64, usd_per_mtok: f64) -> f64 {
    tokens * usd_per_mtok / 1_000_000.0
}

/// One target's call, as priced.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CallShape {
    /// Input tokens per call billed at the input price.
    pub input_tokens: u64,
    /// Input tokens per call read from the prompt cache.
    pub cached_input_tokens: u64,
    pub output_tokens: u64,
    pub calls_per_request: f64,
    /// Input and output tokens per request of the calls besides the repeated one
    /// (pre-/post-processing, knowledge-base response generation).
    pub extra_input_tokens_per_request: f64,
    pub extra_output_tokens_per_request: f64,
    pub fee_per_request_usd: f64,
    pub fixed_monthly_usd: f64,
}

/// A target's monthly bill.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Monthly {
    pub input_usd: f64,
    pub output_usd: f64,
    pub fees_usd: f64,
    pub total_usd: f64,
}

/// The monthly bill of `shape` at `requests_per_month`. Fixed monthly costs count as fees.
pub fn monthly(shape: &CallShape, rates: &Rates, requests_per_month: f64) -> Monthly {
    let calls = shape.calls_per_request * requests_per_month;
    let input_usd = usd(shape.input_tokens as f64 * calls, rates.input(false))
        + usd(shape.cached_input_tokens as f64 * calls, rates.input(true))
        + usd(
            shape.extra_input_tokens_per_request * requests_per_month,
            rates.input(false),
        );
    let output_usd = usd(
        shape.output_tokens as f64 * calls
            + shape.extra_output_tokens_per_request * requests_per_month,
        rates.output_usd_per_mtok,
    );
    let fees_usd = shape.fee_per_request_usd * requests_per_month + shape.fixed_monthly_usd;
    Monthly {
        input_usd,
        output_usd,
        fees_usd,
        total_usd: input_usd + output_usd + fees_usd,
    }
}

/// Average tokens per call of what earlier steps of the same request add (the scratchpad on
/// Agents, the message history on Converse): call k re-sends the k steps before it, each its
/// output plus a tool result, so over n calls the average is (n − 1) / 2 steps.
pub fn earlier_steps_tokens_per_call(calls_per_request: f64, tokens_per_step: u64) -> u64 {
    let steps = ((calls_per_request - 1.0) / 2.0).max(0.0);
    (steps * tokens_per_step as f64).round() as u64
}

/// Average tokens per call of retrieved passages when they arrive as a tool result (the
/// direct and harness targets): fetched by the first call's tool use, they are re-sent by
/// every later call of the request, so over n calls the average is (n − 1) / n of them.
pub fn retrieved_passages_tokens_per_call(calls_per_request: f64, passage_tokens: f64) -> u64 {
    if calls_per_request <= 1.0 {
        return 0;
    }
    (passage_tokens * (calls_per_request - 1.0) / calls_per_request).round() as u64
}

/// Requests per day at which two linear bills meet: `a·r + fa = b·r + fb`, if that happens
/// for a positive volume.
pub fn crossover_requests_per_day(
    per_request_a: f64,
    fixed_a: f64,
    per_request_b: f64,
    fixed_b: f64,
    days_per_month: f64,
) -> Option<f64> {
    let slope = (per_request_a - per_request_b) * days_per_month;
    if slope.abs() < f64::EPSILON {
        return None;
    }
    let r = (fixed_b - fixed_a) / slope;
    (r.is_finite() && r > 0.0).then_some(r)
}

/// Round money for output: to the millionth of a dollar, so that 360.00000000000006 prints as 360.
pub fn round_usd(value: f64) -> f64 {
    (value * 1_000_000.0).round() / 1_000_000.0
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOVA_PRO: Rates = Rates {
        input_usd_per_mtok: 0.80,
        output_usd_per_mtok: 3.20,
        cache_read_usd_per_mtok: Some(0.20),
        cache_write_usd_per_mtok: None,
    };

    fn shape(input: u64, fee: f64) -> CallShape {
        CallShape {
            input_tokens: input,
            cached_input_tokens: 0,
            output_tokens: 600,
            calls_per_request: 3.0,
            extra_input_tokens_per_request: 0.0,
            extra_output_tokens_per_request: 0.0,
            fee_per_request_usd: fee,
            fixed_monthly_usd: 0.0,
        }
    }

    #[test]
    fn the_seed_article_figures() {
        let agents = monthly(&shape(5_000, 0.0003), &NOVA_PRO, 30_000.0);
        assert_eq!(round_usd(agents.input_usd), 360.0);
        assert_eq!(round_usd(agents.output_usd), 172.8);
        assert_eq!(round_usd(agents.fees_usd), 9.0);
        assert_eq!(round_usd(agents.total_usd), 541.8);
        let direct = monthly(&shape(1_500, 0.0), &NOVA_PRO, 30_000.0);
        assert_eq!(round_usd(direct.input_usd), 108.0);
        assert_eq!(round_usd(direct.total_usd), 280.8);
    }

    #[test]
    fn cached_input_is_priced_at_the_cache_read_rate() {
        let mut s = shape(0, 0.0);
        s.cached_input_tokens = 1_000_000;
        s.calls_per_request = 1.0;
        s.output_tokens = 0;
        assert_eq!(round_usd(monthly(&s, &NOVA_PRO, 1.0).input_usd), 0.20);
        let no_cache_price = Rates {
            cache_read_usd_per_mtok: None,
            ..NOVA_PRO
        };
        assert_eq!(round_usd(monthly(&s, &no_cache_price, 1.0).input_usd), 0.80);
    }

    #[test]
    fn earlier_steps_average_over_the_calls_of_a_request() {
        assert_eq!(earlier_steps_tokens_per_call(1.0, 900), 0);
        assert_eq!(earlier_steps_tokens_per_call(3.0, 900), 900); // 0, 900, 1800 → 900
        assert_eq!(earlier_steps_tokens_per_call(2.0, 900), 450);
        assert_eq!(earlier_steps_tokens_per_call(0.5, 900), 0);
    }

    #[test]
    fn extra_calls_and_passages_are_priced_per_request() {
        let mut s = shape(0, 0.0);
        s.output_tokens = 0;
        s.extra_input_tokens_per_request = 1_000_000.0;
        s.extra_output_tokens_per_request = 1_000_000.0;
        let m = monthly(&s, &NOVA_PRO, 2.0);
        assert_eq!(round_usd(m.input_usd), 1.60);
        assert_eq!(round_usd(m.output_usd), 6.40);
        assert_eq!(retrieved_passages_tokens_per_call(3.0, 1_500.0), 1_000);
        assert_eq!(retrieved_passages_tokens_per_call(1.0, 1_500.0), 0);
    }

    #[test]
    fn crossover_exists_only_with_a_fixed_cost_on_the_cheaper_slope() {
        // agents $0.018/request, direct $0.009/request + $270/month: equal at 1,000/day.
        let r = crossover_requests_per_day(0.018, 0.0, 0.009, 270.0, 30.0).unwrap();
        assert!((r - 1_000.0).abs() < 1e-6, "{r}");
        assert_eq!(
            crossover_requests_per_day(0.018, 0.0, 0.009, 0.0, 30.0),
            None
        );
        assert_eq!(crossover_requests_per_day(0.01, 0.0, 0.01, 5.0, 30.0), None);
    }
}
