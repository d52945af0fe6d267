//! `--plot FILE.svg`: the monthly bill of every target against requests per day (log scale,
//! 10 to 100,000), with the spec's own volume and each crossover with the baseline (if the
//! bills ever meet) marked. Rendered from an SVG template, so no fonts or drawing libraries are needed.

use super::model::Estimate;
use crate::fmt::{number, usd};
use minijinja::value::{Serde, Value};
use minijinja::{Environment, context};
use serde::Serialize;

const TEMPLATE: &str = include_str!("plot.svg.j2");
const MIN_REQUESTS: f64 = 10.0;
const MAX_REQUESTS: f64 = 100_000.0;
const WIDTH: f64 = 760.0;
const HEIGHT: f64 = 460.0;
const LEFT: f64 = 80.0;
const RIGHT: f64 = 730.0;
const TOP: f64 = 40.0;
const BOTTOM: f64 = 390.0;
/// Line colours in the order of the estimate's targets (agents, direct, then the next ones).
const PALETTE: [&str; 4] = ["#d9480f", "#1c7ed6", "#2f9e44", "#ae3ec9"];

fn color(index: usize) -> &'static str {
    PALETTE[index % PALETTE.len()]
}

#[derive(Serialize)]
struct Tick {
    pos: f64,
    label: String,
}

#[derive(Serialize)]
struct Series {
    label: String,
    color: &'static str,
    path: String,
}

#[derive(Serialize)]
struct Point {
    y: f64,
    color: &'static str,
    label: String,
}

#[derive(Serialize)]
struct Volume {
    x: f64,
    label: String,
    points: Vec<Point>,
}

#[derive(Serialize)]
struct Crossover {
    x: f64,
    y: f64,
    label: String,
}

/// The SVG text of the plot.
pub fn svg(estimate: &Estimate) -> String {
    let days = estimate.workload.days_per_month;
    let bill = |requests_per_day: f64| -> Vec<f64> {
        let month = requests_per_day * days;
        estimate
            .targets
            .iter()
            .map(|t| t.monthly_at(month).total_usd)
            .collect()
    };
    let samples: Vec<f64> = (0..=80)
        .map(|i| MIN_REQUESTS * 10f64.powf(i as f64 / 20.0))
        .collect();
    let values: Vec<Vec<f64>> = samples.iter().map(|r| bill(*r)).collect();
    let positive = values.iter().flatten().copied().filter(|v| *v > 0.0);
    let low = positive.clone().fold(f64::INFINITY, f64::min);
    let high = positive.fold(0.0, f64::max);
    let (y_min, y_max) = if low.is_finite() && high > 0.0 {
        (
            10f64.powf(low.log10().floor()),
            10f64.powf(high.log10().ceil().max(low.log10().floor() + 1.0)),
        )
    } else {
        (0.01, 1.0)
    };
    let x_of = |r: f64| {
        LEFT + (r.log10() - MIN_REQUESTS.log10()) / (MAX_REQUESTS.log10() - MIN_REQUESTS.log10())
            * (RIGHT - LEFT)
    };
    let y_of = |usd: f64| {
        let usd = usd.max(y_min);
        BOTTOM - (usd.log10() - y_min.log10()) / (y_max.log10() - y_min.log10()) * (BOTTOM - TOP)
    };
    let path = |index: usize| {
        samples
            .iter()
            .zip(&values)
            .enumerate()
            .map(|(i, (r, v))| {
                format!(
                    "{}{:.1},{:.1}",
                    if i == 0 { "M" } else { " L" },
                    x_of(*r),
                    y_of(v.get(index).copied().unwrap_or(0.0))
                )
            })
            .collect::<String>()
    };
    let series: Vec<Series> = estimate
        .targets
        .iter()
        .enumerate()
        .map(|(i, t)| Series {
            label: xml(&format!(
                "{} · {} ({})",
                t.target.as_str(),
                t.target.service(),
                t.model_name
            )),
            color: color(i),
            path: path(i),
        })
        .collect();
    let x_ticks: Vec<Tick> = [10.0, 100.0, 1_000.0, 10_000.0, 100_000.0]
        .into_iter()
        .map(|r| Tick {
            pos: round1(x_of(r)),
            label: xml(&number(r)),
        })
        .collect();
    let decades = (y_max.log10() - y_min.log10()).round() as i32;
    let y_ticks: Vec<Tick> = (0..=decades)
        .map(|i| {
            let v = 10f64.powi(y_min.log10().round() as i32 + i);
            Tick {
                pos: round1(y_of(v)),
                label: format!("${}", number(v)),
            }
        })
        .collect();
    let own = estimate.workload.requests_per_day;
    let volume = (MIN_REQUESTS..=MAX_REQUESTS)
        .contains(&own)
        .then(|| Volume {
            x: round1(x_of(own)),
            label: format!("this spec: {}/day", number(own)),
            points: bill(own)
                .into_iter()
                .enumerate()
                .map(|(i, usd_month)| Point {
                    y: round1(y_of(usd_month)),
                    color: color(i),
                    label: usd(usd_month),
                })
                .collect(),
        });
    let comparisons = estimate.comparisons();
    let crossovers: Vec<Crossover> = comparisons
        .iter()
        .filter_map(|c| {
            let r = c
                .crossover_requests_per_day()
                .filter(|r| (MIN_REQUESTS..=MAX_REQUESTS).contains(r))?;
            let month = r * days;
            Some(Crossover {
                x: round1(x_of(r)),
                y: round1(y_of(c.baseline.monthly_at(month).total_usd)),
                label: format!("equal at {}/day", number(r.round())),
            })
        })
        .collect();
    // With more than one comparison, each sentence names the target it is about.
    let named = comparisons.len() > 1;
    let mut footnote: Vec<String> = comparisons
        .iter()
        .filter_map(|c| {
            let (baseline, other) = (c.baseline.target, c.other.target);
            let prefix = if named {
                format!("{other}: ")
            } else {
                String::new()
            };
            match (c.crossover_requests_per_day(), c.ratio()) {
                (Some(r), _) => Some(format!(
                    "{prefix}The bills are equal at about {} requests a day.",
                    number(r.round())
                )),
                (None, Some(ratio)) => Some(format!(
                    "{prefix}No crossover: both bills grow in proportion to volume, {baseline} at {ratio:.2}× {other}."
                )),
                (None, None) => None,
            }
        })
        .collect();
    footnote.push("Token counts are estimates (cl100k_base).".to_string());
    let footnote = footnote.join(" ");
    let mut env = Environment::new();
    // Labels are escaped by `xml` below; minijinja's HTML escaping would also rewrite `/`.
    env.set_auto_escape_callback(|_| minijinja::AutoEscape::None);
    let rendered = env.template_from_str(TEMPLATE).and_then(|t| {
        t.render(context! {
            width => WIDTH, height => HEIGHT, left => LEFT, right => RIGHT, top => TOP, bottom => BOTTOM,
            title => xml(&format!("agentc cost · {}: monthly cost by volume", estimate.agent_name)),
            x_ticks => Value::from(Serde(&x_ticks)),
            y_ticks => Value::from(Serde(&y_ticks)),
            series => Value::from(Serde(&series)),
            volume => Value::from(Serde(&volume)),
            crossovers => Value::from(Serde(&crossovers)),
            footnote => xml(&footnote),
        })
    });
    rendered.unwrap_or_default()
}

fn round1(value: f64) -> f64 {
    (value * 10.0).round() / 10.0
}

/// Escape text for an SVG text node or attribute.
fn xml(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}
