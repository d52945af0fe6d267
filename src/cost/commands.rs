//! `agentc cost`: load, estimate, render; optionally plot and compare with measured usage.

use super::render::{self, RenderOptions};
use super::{CostError, WorkloadOverrides};
use crate::cli::cost::CostArgs;
use crate::cli::{ExitStatus, print_error, print_stdout, use_color};
use crate::lint::Checked;
use crate::models::ModelTable;
use std::io::IsTerminal;

pub fn run(args: &CostArgs) -> ExitStatus {
    crate::tokens::enable_cache(!args.no_cache);
    let status = estimate_and_print(args);
    crate::tokens::persist_cache();
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
    let (spec, agent) = (&loaded.spec, &loaded.agent);
    let overrides = WorkloadOverrides::from(&args.workload);
    let estimate = match super::estimate(spec, agent, loaded.file.dir(), &models, &overrides) {
        Ok(estimate) => estimate,
        Err(error) => {
            print_error(error);
            return ExitStatus::Error;
        }
    };
    let measured = match args.usage.as_deref().map(super::usage::read).transpose() {
        Ok(measured) => measured,
        Err(error) => {
            print_error(CostError::from(error));
            return ExitStatus::Error;
        }
    };
    if let Some(path) = &args.plot
        && let Err(source) = std::fs::write(path, super::plot::svg(&estimate))
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

/// Load and check for every target, which this command prices; blocking findings stop here
/// (`cost-over-budget` is a recommendation and never does).
fn load(args: &CostArgs, models: &ModelTable) -> Result<Checked, ExitStatus> {
    crate::cli::load_checked(&args.spec, &args.vars, models, &crate::target::Target::ALL)
}
