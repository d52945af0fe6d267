//! An estimate for people (an Infracost-like table, colour only on a terminal), for pull
//! requests (Markdown) and for programs (JSON, a contract: see `json`).
//!
//! All three are built from the same rows and summary lines, so they never disagree.

use super::model::{Basis, Comparison, Estimate, TargetEstimate};
use super::price::{self, round_usd};
use super::usage::{Measured, Traces};
use crate::fmt::{group, number, plural, signed_usd, usd, usd_small};
use crate::target::Target;
use crate::tokens;
use comfy_table::{Cell, CellAlignment, Color, ContentArrangement, Table, presets};
use indexmap::IndexMap;
use serde::Serialize;
use serde_json::Value;

/// The target of the top-level `measured` JSON object (the first contract, when only the
/// direct runner wrote traces); every target's own is under `targets.<id>.measured`.
pub const MEASURED_TARGET: Target = Target::Direct;

/// The output format of `agentc cost`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum Format {
    #[default]
    Human,
    Json,
    Markdown,
}

/// What else to show next to the estimate.
#[derive(Debug, Clone, Default)]
pub struct RenderOptions<'a> {
    /// The spec's path as the user wrote it.
    pub spec_path: String,
    pub color: bool,
    /// Measured usage from `--usage` traces, per target.
    pub measured: Option<&'a Traces>,
}

pub fn render(estimate: &Estimate, format: Format, options: &RenderOptions<'_>) -> String {
    match format {
        Format::Human => human(estimate, options),
        Format::Markdown => markdown(estimate, options),
        Format::Json => {
            let mut text =
                serde_json::to_string_pretty(&report(estimate, options)).unwrap_or_default();
            text.push('\n');
            text
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum RowKind {
    Target,
    Line,
    Total,
}

struct Row {
    kind: RowKind,
    /// 0: a target; 1: its input, output, fees and total; 2: an input component.
    depth: u8,
    /// The last row at its depth under its parent.
    last: bool,
    label: String,
    tokens: String,
    per_call: String,
    per_request: String,
    per_month: String,
}

impl Row {
    fn new(kind: RowKind, depth: u8, label: impl Into<String>) -> Row {
        Row {
            kind,
            depth,
            last: false,
            label: label.into(),
            tokens: String::new(),
            per_call: String::new(),
            per_request: String::new(),
            per_month: String::new(),
        }
    }

    /// Money of `tokens_per_call` tokens that cost `per_call` USD per call.
    fn priced(
        mut self,
        tokens_per_call: u64,
        per_call: f64,
        t: &TargetEstimate,
        requests: f64,
    ) -> Row {
        self.tokens = group(tokens_per_call);
        self.per_call = usd_small(per_call);
        self.per_request = usd_small(per_call * t.calls_per_request);
        self.per_month = usd(per_call * t.calls_per_request * requests);
        self
    }

    /// The label with an Infracost-like tree prefix.
    fn tree_label(&self) -> String {
        let branch = if self.last { "└─ " } else { "├─ " };
        match self.depth {
            0 => self.label.clone(),
            1 => format!("{branch}{}", self.label),
            _ => format!("│  {branch}{}", self.label),
        }
    }
}

fn rows(estimate: &Estimate) -> Vec<Row> {
    let requests = estimate.workload.requests_per_month();
    let mut rows = Vec::new();
    for t in &estimate.targets {
        rows.push(Row::new(
            RowKind::Target,
            0,
            format!("{} · {}", t.target.as_str(), t.target.service()),
        ));
        match t.pinned_input_tokens_per_call {
            Some(pinned) => rows.push(
                Row::new(RowKind::Line, 1, "input, pinned by the workload").priced(
                    pinned,
                    price::usd(pinned as f64, t.rates.input(false)),
                    t,
                    requests,
                ),
            ),
            None => {
                let per_call: f64 = t
                    .components
                    .iter()
                    .map(|c| price::usd(c.tokens as f64, t.rates.input(c.cached)))
                    .sum();
                let mut input = Row::new(RowKind::Line, 1, "input").priced(
                    t.input_tokens_per_call(),
                    per_call,
                    t,
                    requests,
                );
                input.per_month = usd(t.monthly.input_usd - extra_input_usd(t, requests));
                rows.push(input);
                for (i, c) in t.components.iter().enumerate() {
                    let mut label = match (c.cached, c.basis) {
                        (true, _) => format!("{} (cached)", c.name),
                        (false, Basis::Modelled) => format!("{} *", c.name),
                        _ => c.name.to_string(),
                    };
                    if let (true, Some(cal)) = (c.calibrated, &t.calibration) {
                        label = format!("{label} ({})", cal.label);
                    }
                    let mut row = Row::new(RowKind::Line, 2, label).priced(
                        c.tokens,
                        price::usd(c.tokens as f64, t.rates.input(c.cached)),
                        t,
                        requests,
                    );
                    row.last = i + 1 == t.components.len();
                    rows.push(row);
                }
            }
        }
        for x in &t.extra_calls {
            let per_call = price::usd(x.input_tokens as f64, t.rates.input(false))
                + price::usd(x.output_tokens as f64, t.rates.output_usd_per_mtok);
            let star = if x.basis == Basis::Modelled { " *" } else { "" };
            let times = if x.calls_per_request == 1.0 {
                String::new()
            } else {
                format!(" ×{}", number(x.calls_per_request))
            };
            let mut row = Row::new(RowKind::Line, 1, format!("{}{star}{times}", x.name));
            // Input + output tokens of one such call.
            row.tokens = format!("{}+{}", group(x.input_tokens), group(x.output_tokens));
            row.per_call = usd_small(per_call);
            row.per_request = usd_small(per_call * x.calls_per_request);
            row.per_month = usd(per_call * x.calls_per_request * requests);
            rows.push(row);
        }
        let output_label = match &t.calibration {
            Some(cal) if cal.output_tokens_per_call.is_some() => {
                format!("output ({})", cal.label)
            }
            _ => "output".to_string(),
        };
        rows.push(Row::new(RowKind::Line, 1, output_label).priced(
            t.output_tokens_per_call,
            price::usd(t.output_tokens_per_call as f64, t.rates.output_usd_per_mtok),
            t,
            requests,
        ));
        for f in t.fees.iter().filter(|f| f.per_request_usd > 0.0) {
            let mut fee = Row::new(RowKind::Line, 1, f.name);
            fee.per_request = usd_small(f.per_request_usd);
            fee.per_month = usd(f.per_request_usd * requests);
            rows.push(fee);
        }
        if t.fixed_monthly_usd > 0.0 {
            let mut fixed = Row::new(RowKind::Line, 1, "fixed monthly cost");
            fixed.per_month = usd(t.fixed_monthly_usd);
            rows.push(fixed);
        }
        let mut total = Row::new(RowKind::Total, 1, "total");
        total.last = true;
        total.per_request = usd_small(t.per_request_usd());
        total.per_month = usd(t.monthly.total_usd);
        rows.push(total);
    }
    rows
}

/// What the extra calls' input costs per month (shown on their own rows, not in "input").
fn extra_input_usd(t: &TargetEstimate, requests: f64) -> f64 {
    t.extra_calls
        .iter()
        .map(|x| {
            price::usd(
                x.input_tokens_per_request() * requests,
                t.rates.input(false),
            )
        })
        .sum()
}

/// `agents: $360.00 input + $172.80 output + $9.00 fees = $541.80 per month`
fn bill_line(t: &TargetEstimate) -> String {
    let m = &t.monthly;
    let mut parts = vec![
        format!("{} input", usd(m.input_usd)),
        format!("{} output", usd(m.output_usd)),
    ];
    if m.fees_usd > 0.0 {
        parts.push(format!("{} fees", usd(m.fees_usd)));
    }
    format!(
        "{}: {} = {} per month",
        t.target.as_str(),
        parts.join(" + "),
        usd(m.total_usd)
    )
}

fn summary_lines(estimate: &Estimate) -> Vec<String> {
    let mut lines: Vec<String> = estimate.targets.iter().map(bill_line).collect();
    for c in estimate.comparisons() {
        let (baseline, other) = (c.baseline.target, c.other.target);
        let ratio = match c.ratio() {
            Some(r) => format!("; ratio {baseline} / {other} {r:.2}×"),
            None => String::new(),
        };
        lines.push(format!(
            "difference ({baseline} − {other}): {} per month{ratio}",
            signed_usd(c.difference_usd())
        ));
    }
    lines
}

/// Plain sentences, one per target against the baseline, on which is cheaper and by how much.
pub fn sentence(estimate: &Estimate) -> String {
    let volume = format!(
        "{} requests a day",
        number(estimate.workload.requests_per_day)
    );
    estimate
        .comparisons()
        .iter()
        .map(|c| comparison_sentence(c, &volume))
        .collect::<Vec<_>>()
        .join(" ")
}

/// `Bedrock Agents`; `The direct target (Converse API)`.
fn subject(target: Target) -> String {
    let name = target.prose_name();
    if name == target.service() {
        return name.to_string();
    }
    let mut chars = name.chars();
    let capital: String = chars
        .next()
        .into_iter()
        .flat_map(char::to_uppercase)
        .collect();
    format!("{capital}{} ({})", chars.as_str(), target.service())
}

fn comparison_sentence(c: &Comparison<'_>, volume: &str) -> String {
    let diff = c.difference_usd();
    let (cheaper, dearer) = if diff > 0.0 {
        (c.other, c.baseline)
    } else {
        (c.baseline, c.other)
    };
    let (cheaper, dearer, dearer_total) = (
        subject(cheaper.target),
        dearer.target.prose_name(),
        dearer.monthly.total_usd,
    );
    let mut text = if round_usd(diff).abs() < 0.005 {
        format!("Both targets cost about the same at {volume}.")
    } else {
        let percent = if dearer_total > 0.0 {
            diff.abs() / dearer_total * 100.0
        } else {
            0.0
        };
        format!(
            "{cheaper} is cheaper at {volume}: {} less per month than {dearer} ({percent:.0}% less).",
            usd(diff.abs())
        )
    };
    if let Some(r) = c.crossover_requests_per_day() {
        text.push_str(&format!(
            " The two bills are equal at about {} requests a day.",
            number(r.round())
        ));
    }
    text
}

fn notes(estimate: &Estimate) -> Vec<String> {
    let mut notes = vec![
        format!("Note: {}.", tokens::ESTIMATE_NOTE),
        "* agentc's own model of the Bedrock Agents default prompt text, calibrated to its documented size; not AWS's text.".to_string(),
        "Growing parts (earlier steps) are averaged over the calls of a request.".to_string(),
    ];
    for t in &estimate.targets {
        if let Some(pinned) = t.pinned_input_tokens_per_call {
            notes.push(format!(
                "{} input is pinned at {} tokens/call (workload.input_tokens_per_call); the estimate from the spec is {}.",
                t.target.as_str(),
                group(pinned),
                group(t.estimated_input_tokens_per_call())
            ));
        }
        if t.cached_input_tokens_per_call() > 0 {
            notes.push(format!(
                "{}: cached parts are priced at the cache-read price (${}/1M), as in steady use; cache writes are not counted.",
                t.target.as_str(),
                number(t.rates.input(true))
            ));
        }
    }
    let extra: Vec<&str> = estimate
        .targets
        .iter()
        .flat_map(|t| t.extra_calls.iter().map(|x| x.name))
        .collect();
    if !extra.is_empty() {
        notes.push(format!(
            "Calls besides orchestration have their own rows ({}), tokens shown as input+output per call; output sizes agentc cannot count are assumed (pre-processing {} tokens, KB response generation {} tokens).",
            extra.join(", "),
            crate::agents::cost::assumed::PRE_PROCESSING_OUTPUT_TOKENS,
            crate::agents::cost::assumed::KB_RESPONSE_GENERATION_OUTPUT_TOKENS,
        ));
    }
    if estimate.knowledge_bases {
        let w = &estimate.workload;
        notes.push(format!(
            "Retrieved passages are priced on every target: {} retrieval(s)/request × {} passages × {} tokens (workload figures, assumed until traces measure them) — on agents in the response-generation call, elsewhere as a tool result the later calls re-send.",
            number(w.retrievals_per_request),
            w.passages_per_retrieval,
            group(w.tokens_per_passage),
        ));
    }
    for t in &estimate.targets {
        let Some(cal) = &t.calibration else { continue };
        let mut figures = Vec::new();
        if let Some(calls) = cal.calls_per_request {
            figures.push(format!("{} calls/request", number(calls)));
        }
        if let Some(output) = cal.output_tokens_per_call {
            figures.push(format!("{} output tokens/call", group(output)));
        }
        if let Some(ratio) = cal.overhead_ratio {
            figures.push(format!("modelled overhead × {ratio:.3}"));
        }
        notes.push(format!(
            "{}: {} — {} (figures measured by traces, replacing the workload's).",
            t.target.as_str(),
            cal.label,
            figures.join(", ")
        ));
    }
    if !estimate.workload.defaulted.is_empty() {
        notes.push(format!(
            "Assumed by agentc (set them under `workload:` in the spec or with flags): {}.",
            estimate.workload.defaulted.join(", ")
        ));
    }
    notes
}

/// `agents: Bedrock Agents with Amazon Nova Pro (amazon.nova-pro-v1:0), 3 calls/request`
fn target_line(t: &TargetEstimate) -> String {
    let calls = if t.calls_per_request == 1.0 {
        "call"
    } else {
        "calls"
    };
    let calibrated = match &t.calibration {
        Some(cal) if cal.calls_per_request.is_some() => format!(" ({})", cal.label),
        _ => String::new(),
    };
    format!(
        "{}: {} with {} ({}), {} {calls}/request{calibrated}",
        t.target.as_str(),
        t.target.service(),
        t.model_name,
        t.model_id,
        number(t.calls_per_request)
    )
}

fn workload_line(estimate: &Estimate) -> String {
    let w = &estimate.workload;
    format!(
        "Workload: {} requests/day × {} days = {} requests/month; user message {} tokens, output {} tokens/call, tool result {} tokens/call",
        number(w.requests_per_day),
        number(w.days_per_month),
        number(w.requests_per_month()),
        group(w.input_tokens_per_request),
        group(w.output_tokens_per_call),
        group(w.tool_result_tokens_per_call),
    )
}

const HEADER: [&str; 5] = [
    "Component",
    "Tokens/call",
    "Per call",
    "Per request",
    "Per month",
];

fn human(estimate: &Estimate, options: &RenderOptions<'_>) -> String {
    let mut table = Table::new();
    table
        .load_preset(presets::UTF8_BORDERS_ONLY)
        .set_content_arrangement(ContentArrangement::Disabled);
    if options.color {
        table.enforce_styling();
    } else {
        table.force_no_tty();
    }
    table.set_header(HEADER.iter().map(Cell::new));
    for index in 1..HEADER.len() {
        if let Some(column) = table.column_mut(index) {
            column.set_cell_alignment(CellAlignment::Right);
        }
    }
    for row in rows(estimate) {
        let cells = [
            row.tree_label(),
            row.tokens,
            row.per_call,
            row.per_request,
            row.per_month,
        ];
        let style = |cell: Cell| match (options.color, row.kind) {
            (true, RowKind::Target) => cell.fg(Color::Cyan),
            (true, RowKind::Total) => cell.fg(Color::Yellow),
            _ => cell,
        };
        table.add_row(cells.into_iter().map(|c| style(Cell::new(c))));
    }
    let mut out = format!(
        "agentc cost · {} · {}\n{}\n",
        estimate.agent_name,
        options.spec_path,
        workload_line(estimate),
    );
    for t in &estimate.targets {
        out.push_str(&target_line(t));
        out.push('\n');
    }
    out.push_str(&format!("\n{table}\n\n"));
    for line in summary_lines(estimate) {
        out.push_str(&line);
        out.push('\n');
    }
    out.push('\n');
    out.push_str(&sentence(estimate));
    out.push_str("\n\n");
    for (t, m) in measured_pairs(estimate, options) {
        out.push_str(&measured_human(estimate, t, m));
        out.push('\n');
    }
    if let Some(line) = unmeasured_line(estimate, options) {
        out.push_str(&line);
        out.push_str("\n\n");
    }
    for note in notes(estimate) {
        out.push_str(&note);
        out.push('\n');
    }
    out
}

struct MeasuredRow {
    label: &'static str,
    estimate: String,
    measured: String,
    ratio: String,
}

/// Each priced target that has traces, with its measurement, in the estimate's order.
fn measured_pairs<'e>(
    estimate: &'e Estimate,
    options: &RenderOptions<'e>,
) -> Vec<(&'e TargetEstimate, &'e Measured)> {
    let Some(traces) = options.measured else {
        return Vec::new();
    };
    estimate
        .targets
        .iter()
        .filter_map(|t| traces.get(t.target).map(|m| (t, m)))
        .collect()
}

/// Targets the traces measured that this estimate does not price, said once.
fn unmeasured_line(estimate: &Estimate, options: &RenderOptions<'_>) -> Option<String> {
    let traces = options.measured?;
    let mut skipped: Vec<String> = traces
        .targets
        .keys()
        .filter(|t| estimate.get(**t).is_none())
        .map(|t| t.as_str().to_string())
        .collect();
    skipped.extend(traces.unknown_targets.iter().cloned());
    (!skipped.is_empty()).then(|| {
        format!(
            "The traces also measure {}, which this estimate does not price; those lines are not shown.",
            skipped
                .iter()
                .map(|t| format!("`{t}`"))
                .collect::<Vec<_>>()
                .join(", ")
        )
    })
}

fn ratio_text(measured: f64, estimated: f64) -> String {
    if estimated > 0.0 {
        format!("{:.2}×", measured / estimated)
    } else {
        "–".to_string()
    }
}

fn measured_rows(estimate: &Estimate, d: &TargetEstimate, m: &Measured) -> Vec<MeasuredRow> {
    let ratio = ratio_text;
    let measured_monthly = m.monthly_usd(&estimate.workload, d);
    let overhead = m.overhead_tokens_per_call(&estimate.workload, d);
    let extra_estimate: f64 = d.extra_calls.iter().map(|x| x.calls_per_request).sum();
    let mut rows = vec![
        MeasuredRow {
            label: "input tokens/call",
            estimate: group(d.input_tokens_per_call()),
            measured: number(m.total_input_tokens_per_call().round()),
            ratio: ratio(
                m.total_input_tokens_per_call(),
                d.input_tokens_per_call() as f64,
            ),
        },
        MeasuredRow {
            label: "  of which cached",
            estimate: group(d.cached_input_tokens_per_call()),
            measured: number(m.cache_read_tokens_per_call.round()),
            ratio: ratio(
                m.cache_read_tokens_per_call,
                d.cached_input_tokens_per_call() as f64,
            ),
        },
        MeasuredRow {
            label: if d.target == Target::Agents {
                "  orchestration overhead"
            } else {
                "  request overhead"
            },
            estimate: group(d.overhead_tokens_per_call()),
            measured: number(overhead.round()),
            ratio: ratio(overhead, d.overhead_tokens_per_call() as f64),
        },
        MeasuredRow {
            label: "output tokens/call",
            estimate: group(d.output_tokens_per_call),
            measured: number(m.output_tokens_per_call.round()),
            ratio: ratio(m.output_tokens_per_call, d.output_tokens_per_call as f64),
        },
        MeasuredRow {
            label: "calls/request",
            estimate: number(d.calls_per_request),
            measured: format!("{:.2}", m.orchestration_calls_per_request()),
            ratio: ratio(m.orchestration_calls_per_request(), d.calls_per_request),
        },
    ];
    if extra_estimate > 0.0 || m.model_calls > m.orchestration_calls {
        rows.push(MeasuredRow {
            label: "other calls/request",
            estimate: number(extra_estimate),
            measured: format!("{:.2}", m.other_calls_per_request()),
            ratio: ratio(m.other_calls_per_request(), extra_estimate),
        });
    }
    if estimate.knowledge_bases || m.retrievals > 0 {
        let assumed = if estimate.knowledge_bases {
            estimate.workload.retrievals_per_request
        } else {
            0.0
        };
        rows.push(MeasuredRow {
            label: "retrievals/request",
            estimate: number(assumed),
            measured: format!("{:.2}", m.retrievals_per_request()),
            ratio: ratio(m.retrievals_per_request(), assumed),
        });
    }
    rows.push(MeasuredRow {
        label: "per month at this volume",
        estimate: usd(d.monthly.total_usd),
        measured: usd(measured_monthly),
        ratio: ratio(measured_monthly, d.monthly.total_usd),
    });
    rows
}

/// How to read the measured table, in every format.
pub const MEASURED_NOTE: &str = "Measured figures are the usage the service reported; per-call rows are of the orchestration calls. Overhead is the input beyond what the user and tools contributed: measured input minus the user message and passages as the workload assumes them and the earlier steps the measured calls and output make, beside agentc's modelled template components. The monthly figure applies every measured call to this workload's volume.";

fn measured_title(t: &TargetEstimate, m: &Measured) -> String {
    format!(
        "{}: estimate vs measured ({}: {} in {}; {}, {} failed)",
        t.target.as_str(),
        m.sources
            .iter()
            .map(|p| p.display().to_string())
            .collect::<Vec<_>>()
            .join(", "),
        plural(m.model_calls, "model call"),
        plural(m.requests, "request"),
        plural(m.tool_calls, "tool call"),
        m.tool_failures
    )
}

fn measured_human(estimate: &Estimate, t: &TargetEstimate, m: &Measured) -> String {
    let mut table = Table::new();
    table
        .load_preset(presets::UTF8_BORDERS_ONLY)
        .set_content_arrangement(ContentArrangement::Disabled)
        .force_no_tty();
    table.set_header(["", "estimate", "measured", "measured ÷ estimate"]);
    for index in 1..4 {
        if let Some(column) = table.column_mut(index) {
            column.set_cell_alignment(CellAlignment::Right);
        }
    }
    for row in measured_rows(estimate, t, m) {
        table.add_row([row.label.to_string(), row.estimate, row.measured, row.ratio]);
    }
    format!("{}\n{table}\n{}\n", measured_title(t, m), MEASURED_NOTE)
}

fn markdown(estimate: &Estimate, options: &RenderOptions<'_>) -> String {
    let mut lines = vec![workload_line(estimate)];
    lines.extend(estimate.targets.iter().map(target_line));
    let mut out = format!(
        "### agentc cost: `{}`\n\n{}\n\n| {} |\n|:--|--:|--:|--:|--:|\n",
        estimate.agent_name,
        lines.join("  \n"),
        HEADER.join(" | ")
    );
    for row in rows(estimate) {
        let label = match row.depth {
            2 => format!("&nbsp;&nbsp;&nbsp;&nbsp;{}", escape_md(&row.label)),
            _ => escape_md(&row.label),
        };
        let cells = [
            label,
            row.tokens,
            row.per_call,
            row.per_request,
            row.per_month,
        ];
        let cells: Vec<String> = match row.kind {
            RowKind::Line => cells.into_iter().collect(),
            _ => cells
                .into_iter()
                .map(|c| if c.is_empty() { c } else { format!("**{c}**") })
                .collect(),
        };
        out.push_str(&format!("| {} |\n", cells.join(" | ")));
    }
    out.push('\n');
    for line in summary_lines(estimate) {
        out.push_str(&format!("- {line}\n"));
    }
    out.push_str(&format!("\n**{}**\n\n", sentence(estimate)));
    for (t, m) in measured_pairs(estimate, options) {
        out.push_str(&format!(
            "{}\n\n| | estimate | measured | measured ÷ estimate |\n|:--|--:|--:|--:|\n",
            escape_md(&measured_title(t, m))
        ));
        for row in measured_rows(estimate, t, m) {
            out.push_str(&format!(
                "| {} | {} | {} | {} |\n",
                row.label.trim_start(),
                row.estimate,
                row.measured,
                row.ratio
            ));
        }
        out.push_str(&format!("\n<sub>{}</sub>\n\n", escape_md(MEASURED_NOTE)));
    }
    if let Some(line) = unmeasured_line(estimate, options) {
        out.push_str(&format!("{}\n\n", escape_md(&line)));
    }
    for note in notes(estimate) {
        out.push_str(&format!("<sub>{}</sub><br>\n", escape_md(&note)));
    }
    out
}

fn escape_md(text: &str) -> String {
    text.replace('|', "\\|").replace('*', "\\*")
}

/// The JSON contract: `tokenizer`, `targets.<id>` (one per target) with
/// `input_tokens_per_call`, `output_tokens_per_call`, `calls_per_request`, `components`
/// (name → tokens per call), `monthly` {`input_usd`, `output_usd`, `fees_usd`, `total_usd`}
/// and `monthly_cost_usd`, and `ratio` (baseline total / other total). Other fields may be
/// added, never removed; field order is declaration order.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CostReport<'a> {
    pub tokenizer: &'static str,
    pub note: &'static str,
    pub agent: &'a str,
    pub workload: WorkloadReport<'a>,
    /// Keyed by target id, in the order of the estimate.
    pub targets: IndexMap<&'static str, TargetReport<'a>>,
    /// `ratio`, `difference_usd` and `crossover_requests_per_day` compare the direct target
    /// (else the first target after the baseline) with the baseline: agents / direct,
    /// agents − direct.
    pub ratio: Option<f64>,
    pub difference_usd: Option<f64>,
    pub crossover_requests_per_day: Option<f64>,
    pub summary: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub measured: Option<MeasuredReport<'a>>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct WorkloadReport<'a> {
    pub requests_per_day: f64,
    pub days_per_month: f64,
    pub requests_per_month: f64,
    pub input_tokens_per_request: u64,
    pub output_tokens_per_call: u64,
    pub tool_result_tokens_per_call: u64,
    pub session_fee_usd: f64,
    pub retrievals_per_request: f64,
    pub passages_per_retrieval: u64,
    pub tokens_per_passage: u64,
    pub defaulted: &'a [String],
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TargetReport<'a> {
    pub model: &'a str,
    pub model_name: &'a str,
    pub input_tokens_per_call: u64,
    pub estimated_input_tokens_per_call: u64,
    pub input_tokens_pinned: bool,
    pub cached_input_tokens_per_call: u64,
    pub cached_components: Vec<&'static str>,
    pub output_tokens_per_call: u64,
    pub calls_per_request: f64,
    /// Component name → tokens per call.
    pub components: IndexMap<&'static str, u64>,
    pub prices_usd_per_mtok: PricesReport,
    pub per_request_usd: f64,
    pub monthly: MonthlyReport,
    /// The same figure as `monthly.total_usd`, kept for readers of the first contract.
    pub monthly_cost_usd: f64,
    /// The calibration this target's figures come from (`--calibration`), if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub calibration: Option<CalibrationReport>,
    /// What `--usage` traces measured for this target, beside (never in) the estimate.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub measured: Option<MeasuredReport<'a>>,
    /// `calls_per_request` plus the extra calls.
    pub model_calls_per_request: f64,
    /// Calls besides the repeated one (pre-/post-processing, knowledge-base generation).
    pub extra_calls: Vec<ExtraCallReport>,
}

/// Which figures of a target came from a calibration; each is labelled with `label`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CalibrationReport {
    /// `calibrated from N requests`
    pub label: String,
    pub requests: u64,
    pub calls_per_request: Option<f64>,
    pub output_tokens_per_call: Option<u64>,
    pub overhead_ratio: Option<f64>,
    /// The components scaled by `overhead_ratio`.
    pub calibrated_components: Vec<&'static str>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ExtraCallReport {
    pub name: &'static str,
    pub calls_per_request: f64,
    pub input_tokens_per_call: u64,
    pub output_tokens_per_call: u64,
    /// `counted` (from the spec's files) or `modelled` (agentc's stand-in for AWS's text).
    pub basis: &'static str,
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct PricesReport {
    pub input: f64,
    pub output: f64,
    pub cache_read: Option<f64>,
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct MonthlyReport {
    pub input_usd: f64,
    pub output_usd: f64,
    pub fees_usd: f64,
    pub total_usd: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MeasuredReport<'a> {
    pub label: &'static str,
    pub target: &'static str,
    /// The trace files, joined with ", " (`sources` lists them).
    pub source: String,
    pub sources: Vec<String>,
    pub model_calls: u64,
    pub requests: u64,
    pub model_ids: &'a [String],
    pub calls_per_request: f64,
    pub input_tokens_per_call: f64,
    pub cache_read_input_tokens_per_call: f64,
    pub cache_write_input_tokens_per_call: f64,
    pub output_tokens_per_call: f64,
    pub tool_calls: u64,
    pub tool_failures: u64,
    pub tool_result_bytes_per_call: f64,
    pub monthly_cost_usd: f64,
    pub orchestration_calls_per_request: f64,
    pub other_calls_per_request: f64,
    /// Model calls per step name (`orchestration`, `pre_processing`, …), all requests.
    pub steps: &'a std::collections::BTreeMap<String, u64>,
    /// Measured input per orchestration call minus what the workload says the user and
    /// tools contributed, beside the estimate's own (`estimated_overhead_tokens_per_call`).
    pub overhead_tokens_per_call: f64,
    pub estimated_overhead_tokens_per_call: u64,
    pub retrievals_per_request: f64,
    pub passages_per_retrieval: Option<f64>,
    pub retrieved_bytes: u64,
    pub note: &'static str,
}

fn measured_report<'a>(
    w: &super::workload::ResolvedWorkload,
    t: &TargetEstimate,
    m: &'a Measured,
) -> MeasuredReport<'a> {
    let sources: Vec<String> = m.sources.iter().map(|p| p.display().to_string()).collect();
    MeasuredReport {
        label: "measured",
        target: t.target.as_str(),
        source: sources.join(", "),
        sources,
        model_calls: m.model_calls,
        requests: m.requests,
        model_ids: &m.model_ids,
        calls_per_request: m.calls_per_request(),
        input_tokens_per_call: m.total_input_tokens_per_call(),
        cache_read_input_tokens_per_call: m.cache_read_tokens_per_call,
        cache_write_input_tokens_per_call: m.cache_write_tokens_per_call,
        output_tokens_per_call: m.output_tokens_per_call,
        tool_calls: m.tool_calls,
        tool_failures: m.tool_failures,
        tool_result_bytes_per_call: m.tool_result_bytes_per_call,
        monthly_cost_usd: round_usd(m.monthly_usd(w, t)),
        orchestration_calls_per_request: m.orchestration_calls_per_request(),
        other_calls_per_request: m.other_calls_per_request(),
        steps: &m.steps,
        overhead_tokens_per_call: m.overhead_tokens_per_call(w, t),
        estimated_overhead_tokens_per_call: t.overhead_tokens_per_call(),
        retrievals_per_request: m.retrievals_per_request(),
        passages_per_retrieval: m.passages_per_retrieval(),
        retrieved_bytes: m.retrieved_bytes,
        note: MEASURED_NOTE,
    }
}

fn target_report<'a>(
    t: &'a TargetEstimate,
    w: &super::workload::ResolvedWorkload,
    measured: Option<&'a Traces>,
) -> TargetReport<'a> {
    TargetReport {
        model: &t.model_id,
        model_name: &t.model_name,
        input_tokens_per_call: t.input_tokens_per_call(),
        estimated_input_tokens_per_call: t.estimated_input_tokens_per_call(),
        input_tokens_pinned: t.pinned_input_tokens_per_call.is_some(),
        cached_input_tokens_per_call: t.cached_input_tokens_per_call(),
        cached_components: t
            .components
            .iter()
            .filter(|c| c.cached)
            .map(|c| c.name)
            .collect(),
        output_tokens_per_call: t.output_tokens_per_call,
        calls_per_request: t.calls_per_request,
        components: t.components.iter().map(|c| (c.name, c.tokens)).collect(),
        prices_usd_per_mtok: PricesReport {
            input: t.rates.input_usd_per_mtok,
            output: t.rates.output_usd_per_mtok,
            cache_read: t.rates.cache_read_usd_per_mtok,
        },
        per_request_usd: round_usd(t.per_request_usd()),
        monthly: MonthlyReport {
            input_usd: round_usd(t.monthly.input_usd),
            output_usd: round_usd(t.monthly.output_usd),
            fees_usd: round_usd(t.monthly.fees_usd),
            total_usd: round_usd(t.monthly.total_usd),
        },
        monthly_cost_usd: round_usd(t.monthly.total_usd),
        calibration: t.calibration.as_ref().map(|c| CalibrationReport {
            label: c.label.clone(),
            requests: c.requests,
            calls_per_request: c.calls_per_request,
            output_tokens_per_call: c.output_tokens_per_call,
            overhead_ratio: c.overhead_ratio,
            calibrated_components: t
                .components
                .iter()
                .filter(|c| c.calibrated)
                .map(|c| c.name)
                .collect(),
        }),
        measured: measured
            .and_then(|traces| traces.get(t.target))
            .map(|m| measured_report(w, t, m)),
        model_calls_per_request: t.model_calls_per_request(),
        extra_calls: t
            .extra_calls
            .iter()
            .map(|x| ExtraCallReport {
                name: x.name,
                calls_per_request: x.calls_per_request,
                input_tokens_per_call: x.input_tokens,
                output_tokens_per_call: x.output_tokens,
                basis: match x.basis {
                    Basis::Modelled => "modelled",
                    _ => "counted",
                },
            })
            .collect(),
    }
}

/// The JSON contract as a value.
pub fn report<'a>(estimate: &'a Estimate, options: &RenderOptions<'a>) -> CostReport<'a> {
    let w = &estimate.workload;
    let comparisons = estimate.comparisons();
    // The contract's first comparison is agents / direct (the seed article's); the harness,
    // listed between them, is compared in `targets` and the sentences.
    let first = comparisons
        .iter()
        .find(|c| c.other.target == Target::Direct)
        .or(comparisons.first());
    let measured = options
        .measured
        .and_then(|traces| traces.get(MEASURED_TARGET))
        .zip(estimate.get(MEASURED_TARGET))
        .map(|(m, t)| measured_report(w, t, m));
    CostReport {
        tokenizer: tokens::TOKENIZER,
        note: tokens::ESTIMATE_NOTE,
        agent: &estimate.agent_name,
        workload: WorkloadReport {
            requests_per_day: w.requests_per_day,
            days_per_month: w.days_per_month,
            requests_per_month: w.requests_per_month(),
            input_tokens_per_request: w.input_tokens_per_request,
            output_tokens_per_call: w.output_tokens_per_call,
            tool_result_tokens_per_call: w.tool_result_tokens_per_call,
            session_fee_usd: w.session_fee_usd,
            retrievals_per_request: w.retrievals_per_request,
            passages_per_retrieval: w.passages_per_retrieval,
            tokens_per_passage: w.tokens_per_passage,
            defaulted: &w.defaulted,
        },
        targets: estimate
            .targets
            .iter()
            .map(|t| (t.target.as_str(), target_report(t, w, options.measured)))
            .collect(),
        ratio: first
            .and_then(Comparison::ratio)
            .map(|r| (r * 10_000.0).round() / 10_000.0),
        difference_usd: first.map(|c| round_usd(c.difference_usd())),
        crossover_requests_per_day: first
            .and_then(Comparison::crossover_requests_per_day)
            .map(f64::round),
        summary: sentence(estimate),
        measured,
    }
}

/// The JSON contract as a `serde_json` value (for callers that index into it).
pub fn json(estimate: &Estimate, options: &RenderOptions<'_>) -> Value {
    serde_json::to_value(report(estimate, options)).unwrap_or(Value::Null)
}
