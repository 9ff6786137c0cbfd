//! `reachgraph plan --materialize DIR`: synthetic follower graphs drawn from a creator table,
//! written as files every command reads (not a request).

use reachgraph_api::ApiError;
use reachgraph_core::plan::ensemble::{self, EnsembleOptions, Summary};
use reachgraph_core::plan::materialize::{write_realization, MaterializeOptions};
use reachgraph_core::plan::{table_parameter_draws, FitStatus, PlanOptions};
use std::path::Path;

/// What `plan --materialize` was asked.
pub struct MaterializeArgs<'a> {
    pub creators: &'a str,
    pub audience: Option<&'a str>,
    pub overlaps: Option<&'a str>,
    pub population: Option<f64>,
    pub population_counts: reachgraph_core::plan::PopulationKind,
    pub ensemble: usize,
    pub seed: u64,
    pub scale: Option<f64>,
    pub independence: bool,
    pub dir: &'a str,
}

/// Draws `ensemble` realizations and writes each into `dir` (or `dir/r000`, `dir/r001`, …);
/// says what it wrote and the reach of all the table's accounts across them.
pub fn materialize(a: &MaterializeArgs<'_>) -> Result<String, ApiError> {
    if a.ensemble == 0 || a.ensemble > ensemble::MAX_ENSEMBLE {
        return Err(ApiError::invalid(format!(
            "--ensemble {}: must be 1 to {}",
            a.ensemble,
            ensemble::MAX_ENSEMBLE
        )));
    }
    let loaded = reachgraph_api::plan::load_table(
        (&Some(a.creators.to_string()), &None),
        (&a.audience.map(str::to_string), &None),
        (&a.overlaps.map(str::to_string), &None),
    )?;
    let (table, overlaps) = (loaded.table, loaded.overlaps);
    let opts = PlanOptions {
        population: a.population,
        population_counts: a.population_counts,
        seed: a.seed,
        independence: a.independence,
        ..Default::default()
    };
    let (params, status) = table_parameter_draws(&table, &overlaps, &opts, a.ensemble)?;
    let models = ensemble::models_of_table(&table, &params)?;
    let opts = EnsembleOptions {
        materialize: MaterializeOptions {
            scale: a.scale,
            ..Default::default()
        },
        seed: a.seed,
    };
    let all: Vec<usize> = (0..table.accounts.len()).collect();
    let nj = table.jurisdictions.len();
    let mut lines = Vec::new();
    let reach = ensemble::run(&models, &opts, |r, real| {
        let dir = if a.ensemble == 1 {
            Path::new(a.dir).to_path_buf()
        } else {
            Path::new(a.dir).join(format!("r{r:03}"))
        };
        let p = &params[r];
        let about = format!(
            "{}\nzero_share {:.4}, activity_shape {:.4}, identity {:.4}, home_factor {:.4}\n\
             activity classes (weight, level): {:?}\nadoption per platform {:?}: {:?} ({})\n\
             population: {:.0} eligible voters in {} jurisdictions, {:.0} outside ({})",
            match status {
                FitStatus::Independence => "the named assumption `independence`: one activity \
                    class, no creator identity, national audiences"
                    .to_string(),
                FitStatus::Prior => "one draw from the documented prior ranges \
                    (docs/plan-model.md): no overlaps were measured"
                    .to_string(),
                FitStatus::Fitted => format!(
                    "one draw resampled by weight from the fit to {} measured overlaps \
                     ({}): the posterior of docs/plan-model.md",
                    overlaps.len(),
                    a.overlaps.unwrap_or("overlaps")
                ),
            },
            p.zero_share,
            p.activity_shape,
            p.identity,
            p.home_factor,
            p.activity
                .weights
                .iter()
                .zip(&p.activity.levels)
                .collect::<Vec<_>>(),
            table.platforms,
            p.adoption,
            reachgraph_core::plan::params::PEW_SOURCE,
            p.population.people.iter().sum::<f64>(),
            nj,
            p.population.outside,
            p.population.source,
        );
        write_realization(real, &dir, &about)?;
        lines.push(format!(
            "wrote {} (synthetic; seed {}, scale {} real people per graph person, {} accounts, \
             {} edges)",
            dir.display(),
            real.seed,
            real.scale,
            real.graph.node_count(),
            real.graph.edge_count()
        ));
        Ok(ensemble::realized_reach(real, &all, nj))
    })?;
    let s = |f: fn(&ensemble::RealizedReach) -> f64| -> Result<Summary, ApiError> {
        Ok(Summary::of_people(
            &reach.iter().map(f).collect::<Vec<_>>(),
        )?)
    };
    let (t, e) = (s(|x| x.total)?, s(|x| x.eligible)?);
    let summed: u64 = table.accounts.iter().map(|x| x.followers).sum();
    let range = |x: &Summary| {
        if x.n == 1 {
            format!(
                "{:.0} (one realization: no interval; use --ensemble N)",
                x.mean
            )
        } else {
            format!(
                "mean {:.0}, 90% interval {:.0} to {:.0}",
                x.mean, x.low, x.high
            )
        }
    };
    lines.push(format!(
        "parameters of the realizations: {}",
        match status {
            FitStatus::Independence => "the named independence assumption".to_string(),
            FitStatus::Prior => {
                "prior draws (no overlaps were measured; --overlaps fits them)".to_string()
            }
            FitStatus::Fitted => format!(
                "fitted: resampled by weight from the fit to {} measured overlaps",
                overlaps.len()
            ),
        }
    ));
    lines.push(format!(
        "all {} accounts: {summed} summed followers (measured); distinct real people reached in \
         the synthetic graphs (modelled): {}; of them eligible voters: {}; over {} \
         realization(s){}",
        table.accounts.len(),
        range(&t),
        range(&e),
        t.n,
        if (2..20).contains(&t.n) {
            " (few realizations: the interval's ends are rough)"
        } else {
            ""
        }
    ));
    Ok(lines.join("\n"))
}
