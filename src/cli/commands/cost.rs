//! `agentc cost`: load, estimate, render; optionally plot and compare with measured usage.

use crate::cli::cost::CostArgs;
use crate::cli::{ExitStatus, print_error, print_stdout, use_color};
use agentc::cost::render::{self, RenderOptions};
use agentc::cost::{CostError, WorkloadOverrides};
use agentc::models::ModelTable;
use agentc::spec::Loaded;
use std::io::IsTerminal;

/// The rule that judges the estimate must not stop the estimate from being shown.
const OWN_RULE: &str = "cost-over-budget";

pub fn run(args: &CostArgs) -> ExitStatus {
    agentc::tokens::enable_cache(!args.no_cache);
    let status = estimate_and_print(args);
    agentc::tokens::persist_cache();
    status
}

fn estimate_and_print(args: &CostArgs) -> ExitStatus {
    let models = match &args.prices {
        Some(path) => match ModelTable::from_file(path) {
            Ok(table) => table,
            Err(error) => {
                print_error(error);
                return ExitStatus::Error;
            }
        },
        None => ModelTable::builtin().clone(),
    };
    let loaded = match load(args, &models) {
        Ok(loaded) => loaded,
        Err(status) => return status,
    };
    let (Some(spec), Some(agent)) = (&loaded.spec, &loaded.agent) else {
        return ExitStatus::Error;
    };
    let overrides = WorkloadOverrides::from(&args.workload);
    let estimate = match agentc::cost::estimate(spec, agent, loaded.file.dir(), &models, &overrides)
    {
        Ok(estimate) => estimate,
        Err(error) => {
            print_error(error);
            return ExitStatus::Error;
        }
    };
    let measured = match args
        .usage
        .as_deref()
        .map(agentc::cost::usage::read)
        .transpose()
    {
        Ok(measured) => measured,
        Err(error) => {
            print_error(CostError::from(error));
            return ExitStatus::Error;
        }
    };
    if let Some(path) = &args.plot
        && let Err(source) = std::fs::write(path, agentc::cost::plot::svg(&estimate))
    {
        print_error(CostError::Write {
            path: path.clone(),
            source,
        });
        return ExitStatus::Error;
    }
    let options = RenderOptions {
        spec_path: args.spec.display().to_string(),
        color: use_color(std::io::stdout().is_terminal()),
        measured: measured.as_ref(),
        direct_cache_write_usd_per_mtok: models
            .find(&spec.model)
            .and_then(|m| m.cache_write_usd_per_mtok),
    };
    print_stdout(&render::render(&estimate, args.format, &options));
    ExitStatus::Success
}

/// Load and lint; error-level findings stop here, except `cost-over-budget`, whose subject is
/// exactly what this command shows.
fn load(args: &CostArgs, models: &ModelTable) -> Result<Loaded, ExitStatus> {
    crate::cli::load_checked(&args.spec, &args.vars, models, &[OWN_RULE])
}
