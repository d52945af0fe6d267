//! `agentc cost`: load, estimate, render; optionally plot and compare with measured usage.

use crate::cli::cost::CostArgs;
use crate::cli::{CliResult, ExitStatus, load_checked_each, print_stdout, use_color};
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
    // Cost prices every target it can: a target whose service would refuse the spec is left
    // out (and said so), and only a spec no target can build is refused.
    let (checked, left_out) = load_checked_each(&args.input.spec, &args.input.vars.vars, &models)?;
    let (spec, agent) = (&checked.spec, &checked.agent);
    let mut overrides = WorkloadOverrides::from(&args.workload);
    let priced: Vec<Target> = Target::ALL
        .into_iter()
        .filter(|t| !left_out.contains(t))
        .collect();
    if let (false, Some(path)) = (args.calibrate.is_empty(), &args.write) {
        let traces = agentc::cost::usage::read_all(&args.calibrate)
            .map_err(agentc::cost::CostError::from)?;
        let calibration = agentc::cost::calibration::fit(&traces, &mut |candidate| {
            let with = WorkloadOverrides {
                calibration: Some(candidate.clone()),
                ..overrides.clone()
            };
            agentc::cost::estimate_for(spec, agent, checked.file.dir(), &models, &with, &priced)
        })?;
        let protected = [agentc::fsio::Protected {
            path: args.input.spec.clone(),
            what: "the input spec".to_string(),
        }];
        let ours = |head: &[u8]| head.starts_with(agentc::cost::calibration::HEADER.as_bytes());
        let options = agentc::fsio::WriteOptions {
            protected: &protected,
            same_kind: Some(&ours),
            force: args.force,
            ..agentc::fsio::WriteOptions::new("an agentc calibration")
        };
        agentc::fsio::write_file(path, calibration.to_yaml().as_bytes(), &options)?;
        overrides.calibration = Some(calibration);
    } else {
        let from_spec = spec
            .workload
            .as_ref()
            .and_then(|w| w.calibration.as_deref())
            .map(|p| checked.file.dir().join(p));
        if let Some(path) = args.calibration.clone().or(from_spec) {
            overrides.calibration = Some(
                agentc::cost::calibration::Calibration::from_file(&path)
                    .map_err(agentc::cost::CostError::from)?,
            );
        }
    }
    let estimate = agentc::cost::estimate_for(
        spec,
        agent,
        checked.file.dir(),
        &models,
        &overrides,
        &priced,
    )?;
    let measured = (!args.usage.is_empty())
        .then(|| agentc::cost::usage::read_all(&args.usage))
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
    };
    print_stdout(&render::render(&estimate, args.format, &options));
    Ok(ExitStatus::Success)
}
