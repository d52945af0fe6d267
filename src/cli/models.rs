use super::{CliResult, ExitStatus, print_stdout};
use agentc::models::ModelTable;
use std::path::PathBuf;

#[derive(Debug, clap::Args)]
pub struct ModelsArgs {
    /// A price and model table to use instead of the built-in one.
    #[arg(long, value_name = "FILE")]
    pub prices: Option<PathBuf>,
}

pub fn run(args: ModelsArgs) -> CliResult {
    let table = ModelTable::load(args.prices.as_deref())?;
    let mut out = comfy_table::Table::new();
    out.load_preset(comfy_table::presets::NOTHING);
    out.set_header([
        "model id",
        "name",
        "in $/1M",
        "out $/1M",
        "context",
        "tools",
        "source date",
    ]);
    for m in &table.models {
        out.add_row([
            m.id.clone(),
            m.name.clone(),
            format!("{:.3}", m.input_usd_per_mtok),
            format!("{:.3}", m.output_usd_per_mtok),
            m.context_window.to_string(),
            if m.tool_use {
                "yes".into()
            } else {
                "no".into()
            },
            m.date.clone(),
        ]);
    }
    print_stdout(&format!(
        "{out}\nPrices: on-demand us-east-1, USD per 1M tokens; inference profiles (us., eu., …) share their base model's row.\n"
    ));
    Ok(ExitStatus::Success)
}
