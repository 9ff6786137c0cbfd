//! `reachgraph plan --materialize DIR`: synthetic follower graphs drawn from a creator table,
//! written as files every command reads (not a request).

use reachgraph_api::ApiError;
use reachgraph_core::margin::Electorate;
use reachgraph_core::plan::ensemble::{self, EnsembleOptions, Summary};
use reachgraph_core::plan::materialize::{write_realization, MaterializeOptions};
use reachgraph_core::plan::params::{default_adoption, prior_ranges, ModelParams, ParamValues};
use reachgraph_core::plan::CreatorTable;
use reachgraph_core::rng;
use std::path::Path;

/// What `plan --materialize` was asked.
pub struct MaterializeArgs<'a> {
    pub creators: &'a str,
    pub audience: Option<&'a str>,
    pub population: Option<f64>,
    pub ensemble: usize,
    pub seed: u64,
    pub scale: Option<f64>,
    pub independence: bool,
    pub dir: &'a str,
}

const PURPOSE_PRIOR: u64 = 0x0050_5249_4f52;

fn open(path: &str) -> Result<std::fs::File, ApiError> {
    std::fs::File::open(path).map_err(|e| ApiError::io(format!("read {path}"), e))
}

/// Parameter draws: the named independence assumption, or draws from the documented prior
/// ranges (uniform in each range's quantile, seeded), one per realization.
fn draws(table: &CreatorTable, a: &MaterializeArgs<'_>) -> Result<Vec<ModelParams>, ApiError> {
    let adoption: Vec<f64> = table
        .platforms
        .iter()
        .map(|p| default_adoption(p).0)
        .collect();
    let mut population = table.population.clone();
    if let Some(n) = a.population {
        population = population.with_total(n)?;
    }
    let ranges = prior_ranges();
    (0..a.ensemble)
        .map(|r| {
            let values = if a.independence {
                ParamValues {
                    zero_share: 0.0,
                    activity_shape: f64::INFINITY,
                    identity: 0.0,
                    home_factor: 1.0,
                }
            } else {
                let mut s = rng::stream(rng::derive(a.seed, PURPOSE_PRIOR), r as u64);
                ParamValues {
                    zero_share: ranges[0].at(rng::unit_f64(&mut s)),
                    activity_shape: ranges[1].at(rng::unit_f64(&mut s)),
                    identity: ranges[2].at(rng::unit_f64(&mut s)),
                    home_factor: ranges[3].at(rng::unit_f64(&mut s)),
                }
            };
            Ok(ModelParams::from_values(
                &values,
                adoption.clone(),
                population.clone(),
            )?)
        })
        .collect()
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
    let electorate = Electorate::us_president(2024, reachgraph_core::Side::Dem)?;
    let mut table = CreatorTable::read(open(a.creators)?, a.creators, &electorate)?;
    if let Some(path) = a.audience {
        table.read_audience(open(path)?, path)?;
    }
    let params = draws(&table, a)?;
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
            if a.independence {
                "the named assumption `independence`: one activity class, no creator identity, \
                 national audiences"
            } else {
                "one draw from the documented prior ranges (docs/plan-model.md); measured \
                 overlaps are not applied to these draws"
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
        Ok(Summary::of(&reach.iter().map(f).collect::<Vec<_>>())?)
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
