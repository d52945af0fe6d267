use super::CliResult;
use super::args::SpecArgs;
use agentc::cost::WorkloadOverrides;
use agentc::cost::render::Format;
use agentc::target::PerTarget;
use std::path::PathBuf;

#[derive(Debug, clap::Args)]
pub struct CostArgs {
    #[command(flatten)]
    pub input: SpecArgs,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    pub format: Format,
    /// A price and model table to use instead of the built-in one (same shape as data/models.yaml).
    #[arg(long, value_name = "FILE")]
    pub prices: Option<PathBuf>,
    /// Also write an SVG plot of the monthly cost of each priced target against requests per day.
    #[arg(long, value_name = "FILE.svg")]
    pub plot: Option<PathBuf>,
    /// Show measured usage from an `agentc run` trace (JSON lines) beside the estimate.
    #[arg(long, value_name = "FILE")]
    pub usage: Option<PathBuf>,
    /// Do not read or write the token-count cache (`$AGENTC_CACHE_DIR`, `~/.cache/agentc`).
    #[arg(long)]
    pub no_cache: bool,
    #[command(flatten)]
    pub workload: WorkloadArgs,
}

/// Flags that override the spec's `workload`.
#[derive(Debug, Clone, Default, clap::Args)]
#[command(next_help_heading = "Workload (overrides the spec's `workload`)")]
pub struct WorkloadArgs {
    #[arg(long, value_name = "N")]
    pub requests_per_day: Option<f64>,
    #[arg(long, value_name = "N")]
    pub days_per_month: Option<f64>,
    /// Model calls per request on Bedrock Agents.
    #[arg(long, value_name = "N")]
    pub agents_calls_per_request: Option<f64>,
    /// Model calls per request on the Converse API.
    #[arg(long, value_name = "N")]
    pub direct_calls_per_request: Option<f64>,
    /// Tokens of the user's message.
    #[arg(long, value_name = "TOKENS")]
    pub input_tokens_per_request: Option<u64>,
    #[arg(long, value_name = "TOKENS")]
    pub output_tokens_per_call: Option<u64>,
    #[arg(long, value_name = "TOKENS")]
    pub tool_result_tokens_per_call: Option<u64>,
    /// Pin the agents target's input tokens per call (a what-if replacing the estimate).
    #[arg(long, value_name = "TOKENS")]
    pub agents_input_tokens_per_call: Option<u64>,
    /// Pin the direct target's input tokens per call.
    #[arg(long, value_name = "TOKENS")]
    pub direct_input_tokens_per_call: Option<u64>,
    /// A fee per request on the agents target, in USD (default 0).
    #[arg(long, value_name = "USD")]
    pub session_fee_usd: Option<f64>,
    /// A fixed monthly cost of running your own loop on the direct target (hosting, upkeep).
    #[arg(long, value_name = "USD")]
    pub direct_fixed_monthly_usd: Option<f64>,
}

impl From<&WorkloadArgs> for WorkloadOverrides {
    fn from(a: &WorkloadArgs) -> Self {
        WorkloadOverrides {
            requests_per_day: a.requests_per_day,
            days_per_month: a.days_per_month,
            calls_per_request: PerTarget {
                agents: a.agents_calls_per_request,
                harness: None,
                direct: a.direct_calls_per_request,
            },
            input_tokens_per_request: a.input_tokens_per_request,
            output_tokens_per_call: a.output_tokens_per_call,
            tool_result_tokens_per_call: a.tool_result_tokens_per_call,
            input_tokens_per_call: PerTarget {
                agents: a.agents_input_tokens_per_call,
                harness: None,
                direct: a.direct_input_tokens_per_call,
            },
            session_fee_usd: a.session_fee_usd,
            fixed_monthly_usd: PerTarget {
                agents: None,
                harness: None,
                direct: a.direct_fixed_monthly_usd,
            },
        }
    }
}

pub fn run(args: CostArgs) -> CliResult {
    crate::cli::commands::cost::run(&args)
}

#[cfg(test)]
mod tests {
    use crate::cli::{Cli, Command};
    use agentc::cost::render::Format;
    use clap::Parser;
    use std::path::Path;

    #[test]
    fn the_command_line_takes_the_documented_flags() {
        let cli = Cli::try_parse_from([
            "agentc",
            "cost",
            "agents/seed-article.yaml",
            "--requests-per-day",
            "500",
            "--format",
            "markdown",
            "--prices",
            "prices.yaml",
            "--plot",
            "cost.svg",
            "--usage",
            "trace.jsonl",
            "--agents-input-tokens-per-call",
            "4000",
            "--session-fee-usd",
            "0",
        ])
        .unwrap();
        let Command::Cost(args) = cli.command else {
            panic!("not the cost command");
        };
        assert_eq!(args.format, Format::Markdown);
        assert_eq!(args.workload.requests_per_day, Some(500.0));
        assert_eq!(args.workload.agents_input_tokens_per_call, Some(4_000));
        assert_eq!(args.plot.as_deref(), Some(Path::new("cost.svg")));
        assert!(Cli::try_parse_from(["agentc", "cost", "a.yaml", "--format", "yaml"]).is_err());
    }
}
