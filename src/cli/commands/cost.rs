//! `agentc cost`: load, estimate, render; optionally plot and compare with measured usage.

use crate::cli::cost::CostArgs;
use crate::cli::{CliResult, ExitStatus, load_checked, print_stdout, use_color};
use agentc::cost::WorkloadOverrides;
use agentc::cost::render::{self, RenderOptions};
use agentc::models::ModelTable;
use agentc::target::Target;
use std::io::IsTerminal;

pub fn run(args: &CostArgs) -> CliResult {
    agentc::tokens::enable_cache(!args.no_cache);
    let status = estimate_and_print(args);
    agentc::tokens::persist_cache();
    status
}

fn estimate_and_print(args: &CostArgs) -> CliResult {
    let models = match &args.prices {
        Some(path) => ModelTable::from_file(path)?,
        None => ModelTable::builtin().clone(),
    };
    // Cost prices every target, so it passes every target's gate; blocking findings stop
    // here (`cost-over-budget` is a recommendation and never does).
    let checked = load_checked(
        &args.input.spec,
        &args.input.vars.vars,
        &models,
        &Target::ALL,
    )?;
    let (spec, agent) = (&checked.spec, &checked.agent);
    let overrides = WorkloadOverrides::from(&args.workload);
    let estimate = agentc::cost::estimate(spec, agent, checked.file.dir(), &models, &overrides)?;
    let measured = args
        .usage
        .as_deref()
        .map(agentc::cost::usage::read)
        .transpose()
        .map_err(agentc::cost::CostError::from)?;
    if let Some(path) = &args.plot {
        std::fs::write(path, agentc::cost::plot::svg(&estimate)).map_err(|source| {
            agentc::cost::CostError::Write {
                path: path.clone(),
                source,
            }
        })?;
    }
    let options = RenderOptions {
        spec_path: args.input.spec.display().to_string(),
        color: use_color(std::io::stdout().is_terminal()),
        measured: measured.as_ref(),
        direct_cache_write_usd_per_mtok: models
            .find(&spec.model)
            .and_then(|m| m.cache_write_usd_per_mtok),
    };
    print_stdout(&render::render(&estimate, args.format, &options));
    Ok(ExitStatus::Success)
}
