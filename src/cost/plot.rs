//! `--plot FILE.svg`: the monthly bill of both targets against requests per day (log scale,
//! 10 to 100,000), with the spec's own volume and the crossover (if the bills ever meet)
//! marked. Rendered from an SVG template, so no fonts or drawing libraries are needed.

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
const AGENTS_COLOR: &str = "#d9480f";
const DIRECT_COLOR: &str = "#1c7ed6";

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
    let bill = |requests_per_day: f64| {
        let month = requests_per_day * days;
        (
            estimate.agents.monthly_at(month).total_usd,
            estimate.direct.monthly_at(month).total_usd,
        )
    };
    let samples: Vec<f64> = (0..=80)
        .map(|i| MIN_REQUESTS * 10f64.powf(i as f64 / 20.0))
        .collect();
    let values: Vec<(f64, f64)> = samples.iter().map(|r| bill(*r)).collect();
    let positive = values
        .iter()
        .flat_map(|(a, d)| [*a, *d])
        .filter(|v| *v > 0.0);
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
    let path = |pick: &dyn Fn(&(f64, f64)) -> f64| {
        samples
            .iter()
            .zip(&values)
            .enumerate()
            .map(|(i, (r, v))| {
                format!(
                    "{}{:.1},{:.1}",
                    if i == 0 { "M" } else { " L" },
                    x_of(*r),
                    y_of(pick(v))
                )
            })
            .collect::<String>()
    };
    let series = vec![
        Series {
            label: xml(&format!(
                "agents · Bedrock Agents ({})",
                estimate.agents.model_name
            )),
            color: AGENTS_COLOR,
            path: path(&|v| v.0),
        },
        Series {
            label: xml(&format!(
                "direct · Converse API ({})",
                estimate.direct.model_name
            )),
            color: DIRECT_COLOR,
            path: path(&|v| v.1),
        },
    ];
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
    let volume = (MIN_REQUESTS..=MAX_REQUESTS).contains(&own).then(|| {
        let (a, d) = bill(own);
        Volume {
            x: round1(x_of(own)),
            label: format!("this spec: {}/day", number(own)),
            points: vec![
                Point {
                    y: round1(y_of(a)),
                    color: AGENTS_COLOR,
                    label: usd(a),
                },
                Point {
                    y: round1(y_of(d)),
                    color: DIRECT_COLOR,
                    label: usd(d),
                },
            ],
        }
    });
    let crossover_at = estimate.crossover_requests_per_day();
    let crossover = crossover_at
        .filter(|r| (MIN_REQUESTS..=MAX_REQUESTS).contains(r))
        .map(|r| Crossover {
            x: round1(x_of(r)),
            y: round1(y_of(bill(r).0)),
            label: format!("equal at {}/day", number(r.round())),
        });
    let footnote = match (crossover_at, estimate.ratio()) {
        (Some(r), _) => format!(
            "The bills are equal at about {} requests a day. Token counts are estimates (cl100k_base).",
            number(r.round())
        ),
        (None, Some(ratio)) => format!(
            "No crossover: both bills grow in proportion to volume, agents at {ratio:.2}× direct. Token counts are estimates (cl100k_base)."
        ),
        (None, None) => "Token counts are estimates (cl100k_base).".to_string(),
    };
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
            crossover => Value::from(Serde(&crossover)),
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
