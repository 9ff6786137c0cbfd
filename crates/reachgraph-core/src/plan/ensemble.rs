//! Graph tools on an ensemble of synthetic realizations, summarised.
//!
//! One realization answers a question for one parameter draw and one random graph; the
//! answer a planner needs is its spread over both. [`run`] draws `N` realizations, each from
//! its own parameter draw (one [`Lowered`] model per draw, from the fit's posterior) and its
//! own seed `derive(seed, r)`, applies a function to each (reach, a budgeted pick, a spread, a
//! margin simulation) and keeps the results in realization order. [`Summary`] reduces a list
//! of values to their mean and 90% interval (5th and 95th percentiles, linear interpolation)
//! and says how many realizations it rests on: with few realizations the interval's ends are
//! themselves uncertain, and a result differing across realizations by less than that is
//! noise, not a finding.

use super::materialize::{materialize, Lowered, MaterializeOptions, Realization};
use crate::coverage::{budget_pick_people, PeoplePick};
use crate::error::{Error, Result};
use crate::reach::ReachOptions;
use crate::rng;
use serde::{Deserialize, Serialize};

/// Most realizations an ensemble may hold (each is a whole graph, built one at a time).
pub const MAX_ENSEMBLE: usize = 1000;

const PURPOSE_REALIZATION: u64 = 0x4EA1_12A7;

/// Mean and 90% interval of a quantity over an ensemble.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Summary {
    /// Mean over the realizations.
    pub mean: f64,
    /// 5th percentile.
    pub low: f64,
    /// 95th percentile.
    pub high: f64,
    /// Realizations summarised.
    pub n: usize,
}

impl Summary {
    /// Summarises `values` (any order; NaN values are an error).
    ///
    /// # Errors
    /// [`Error::Empty`] for no values, [`Error::InvalidParameter`] for a NaN.
    pub fn of(values: &[f64]) -> Result<Summary> {
        if values.is_empty() {
            return Err(Error::Empty {
                what: "ensemble".into(),
            });
        }
        if let Some(&v) = values.iter().find(|v| v.is_nan()) {
            return Err(Error::invalid_parameter(
                "ensemble value",
                v,
                "is not a number",
            ));
        }
        let (mean, low, high) = crate::stats::interval_90(values);
        Ok(Summary {
            mean,
            low,
            high,
            n: values.len(),
        })
    }

    /// [`Summary::of`] for a count of people (reach in real people or eligible voters): the
    /// mean (an average, kept unrounded) and the 5th and 95th percentiles rounded outward to
    /// whole people ([`super::people_bounds`]). The percentiles interpolate between
    /// realizations, so without the rounding an interval's ends are fractions of a person
    /// that no realization reached; rounded outward they are the whole counts bracketing them.
    /// Not for votes, margins, shares or probabilities.
    ///
    /// # Errors
    /// As [`Summary::of`].
    pub fn of_people(values: &[f64]) -> Result<Summary> {
        let s = Summary::of(values)?;
        let (low, high) = super::people_bounds(s.low, s.high);
        Ok(Summary { low, high, ..s })
    }
}

/// Options of an ensemble run.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct EnsembleOptions {
    /// Scale and edge cap of each realization (its seed is derived per realization).
    pub materialize: MaterializeOptions,
    /// Master seed.
    pub seed: u64,
}

/// The seed of realization `r` under master seed `seed`.
pub fn realization_seed(seed: u64, r: usize) -> u64 {
    rng::derive(rng::derive(seed, PURPOSE_REALIZATION), r as u64)
}

/// Draws one realization per model in `models` (one parameter draw each) and applies `f`
/// to each, in order. Realizations are built one at a time (each in parallel inside), so
/// memory holds one graph.
///
/// # Errors
/// [`Error::Empty`] for no models, [`Error::InvalidParameter`] for more than
/// [`MAX_ENSEMBLE`]; any error of [`materialize`] or `f`.
pub fn run<T>(
    models: &[Lowered],
    opts: &EnsembleOptions,
    mut f: impl FnMut(usize, &Realization) -> Result<T>,
) -> Result<Vec<T>> {
    if models.is_empty() {
        return Err(Error::Empty {
            what: "ensemble (no parameter draws)".into(),
        });
    }
    if models.len() > MAX_ENSEMBLE {
        return Err(Error::invalid_parameter(
            "ensemble",
            models.len(),
            format!("at most {MAX_ENSEMBLE} realizations"),
        ));
    }
    let mut out = Vec::with_capacity(models.len());
    for (r, m) in models.iter().enumerate() {
        let o = MaterializeOptions {
            seed: realization_seed(opts.seed, r),
            ..opts.materialize
        };
        let real = materialize(m, &o)?;
        out.push(f(r, &real)?);
    }
    Ok(out)
}

/// The lowered models of a table under parameter draws (one per realization, e.g. from the
/// fit's posterior draws).
///
/// # Errors
/// As [`Lowered::from_table`].
pub fn models_of_table(
    table: &super::table::CreatorTable,
    draws: &[super::params::ModelParams],
) -> Result<Vec<Lowered>> {
    draws
        .iter()
        .map(|p| Lowered::from_table(table, p))
        .collect()
}

/// Reach of a set of table accounts in one realization, in real people (graph people ×
/// scale): total (including people outside the electorate), eligible (in a jurisdiction)
/// and per jurisdiction.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RealizedReach {
    /// Real people reached (graph people × scale), outside people included.
    pub total: f64,
    /// Real people reached who live in a jurisdiction (eligible voters).
    pub eligible: f64,
    /// Real people reached per jurisdiction (electorate order).
    pub by_jurisdiction: Vec<f64>,
}

/// The exact reach of `accounts` (table indices) in realization `r`, scaled to real people.
pub fn realized_reach(r: &Realization, accounts: &[usize], jurisdictions: usize) -> RealizedReach {
    let g = &r.graph;
    let people = g.people();
    let jur = &g.attributes().jurisdiction.codes;
    let mut seen = vec![false; people.count];
    let mut by = vec![0u64; jurisdictions];
    let mut total = 0u64;
    for &i in accounts {
        for &v in g.followers(r.account_nodes[i]) {
            let p = people.of_account[v as usize] as usize;
            if !seen[p] {
                seen[p] = true;
                total += 1;
                let j = jur[v as usize];
                if (j as usize) < jurisdictions {
                    by[j as usize] += 1;
                }
            }
        }
    }
    let eligible: u64 = by.iter().sum();
    RealizedReach {
        total: total as f64 * r.scale,
        eligible: eligible as f64 * r.scale,
        by_jurisdiction: by.iter().map(|&x| x as f64 * r.scale).collect(),
    }
}

/// A person-level budgeted pick in one realization, in creator names and real people.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RealizedPick {
    /// Creators hired, in the order greedy added them.
    pub creators: Vec<String>,
    /// Real people they reach (graph people × scale).
    pub people: f64,
    /// Their summed price.
    pub cost: f64,
}

/// The person-level budgeted pick (creators, one price each) in realization `r`, over the
/// candidate table accounts `candidates` (`None`: every creator with a price).
///
/// # Errors
/// As [`budget_pick_people`].
pub fn realized_pick(
    r: &Realization,
    candidates: Option<&[usize]>,
    budget: f64,
    opts: &ReachOptions,
) -> Result<RealizedPick> {
    let nodes: Option<Vec<u32>> =
        candidates.map(|c| c.iter().map(|&i| r.account_nodes[i]).collect());
    let pick: PeoplePick = budget_pick_people(&r.graph, nodes.as_deref(), budget, opts)?;
    Ok(RealizedPick {
        creators: pick.steps.iter().map(|s| s.person.clone()).collect(),
        people: pick.summary.people as f64 * r.scale,
        cost: pick.summary.total_cost,
    })
}

/// How often each creator was hired across an ensemble's picks, most often first (ties by
/// name): `(creator, share of realizations)`.
pub fn pick_frequency(picks: &[RealizedPick]) -> Vec<(String, f64)> {
    let mut count: std::collections::BTreeMap<&str, usize> = Default::default();
    for p in picks {
        for c in &p.creators {
            *count.entry(c).or_default() += 1;
        }
    }
    let n = picks.len().max(1) as f64;
    let mut v: Vec<(String, f64)> = count
        .into_iter()
        .map(|(c, k)| (c.to_string(), k as f64 / n))
        .collect();
    v.sort_by(|a, b| b.1.total_cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    v
}

#[cfg(test)]
mod tests {
    use super::super::materialize::tests::small;
    use super::*;

    #[test]
    fn summary_percentiles_by_hand() {
        let v: Vec<f64> = (0..=20).map(f64::from).collect();
        let s = Summary::of(&v).unwrap();
        assert_eq!((s.mean, s.low, s.high, s.n), (10.0, 1.0, 19.0, 21));
        let s = Summary::of(&[3.0]).unwrap();
        assert_eq!((s.low, s.high), (3.0, 3.0));
        assert!(Summary::of(&[]).is_err());
        assert!(Summary::of(&[1.0, f64::NAN]).is_err());
    }

    #[test]
    fn people_summary_rounds_the_ends_outward_and_keeps_the_mean() {
        // Five realizations at scale 10 (reach is a multiple of 10 real people): the 5th and
        // 95th percentiles interpolate to 102 and 138, whole already, and stay; ends of
        // 333.83 and 342.83 people (scale 1/3) are rounded outward; the mean stays.
        let v = [100.0, 120.0, 110.0, 140.0, 130.0];
        let s = Summary::of_people(&v).unwrap();
        assert_eq!((s.mean, s.low, s.high, s.n), (120.0, 102.0, 138.0, 5));
        let thirds = [1000.0 / 3.0, 1000.0 / 3.0 + 10.0];
        let raw = Summary::of(&thirds).unwrap();
        let s = Summary::of_people(&thirds).unwrap();
        assert_eq!((s.low, s.high), (333.0, 343.0), "{raw:?}");
        assert_eq!(s.mean, raw.mean);
        // A value a floating-point hair above a whole count stays that count.
        let s = Summary::of_people(&[11_810.000_000_01; 3]).unwrap();
        assert_eq!((s.low, s.high), (11_810.0, 11_810.0));
        assert!(Summary::of_people(&[]).is_err());
        assert!(Summary::of_people(&[f64::NAN]).is_err());
    }

    #[test]
    fn ensemble_reach_brackets_the_closed_form_and_is_seeded() {
        // Two parameter draws (identity 0.2 and 0.8), ten realizations: the ensemble mean of
        // the exact realized reach is within 5% of the mean of the two closed forms (each
        // realization's sd is below √E graph people ≈ 1% of E here).
        let models: Vec<Lowered> = (0..10)
            .map(|r| small(if r % 2 == 0 { 0.2 } else { 0.8 }))
            .collect();
        let opts = EnsembleOptions {
            materialize: MaterializeOptions {
                scale: Some(10.0),
                ..Default::default()
            },
            seed: 42,
        };
        let set = [0usize, 1, 2, 3];
        let reach = run(&models, &opts, |_, r| Ok(realized_reach(r, &set, 2))).unwrap();
        let s = Summary::of(&reach.iter().map(|x| x.total).collect::<Vec<_>>()).unwrap();
        let want =
            (small(0.2).expected_reach(&set).total + small(0.8).expected_reach(&set).total) / 2.0;
        assert!((s.mean - want).abs() < 0.05 * want, "{} vs {want}", s.mean);
        assert!(s.low <= s.mean && s.mean <= s.high);
        // Eligible reach leaves out the outside people.
        assert!(reach.iter().all(|x| x.eligible < x.total));
        let again = run(&models, &opts, |_, r| Ok(realized_reach(r, &set, 2))).unwrap();
        assert_eq!(reach, again);
    }

    #[test]
    fn ensemble_pick_hires_creators_within_budget() {
        let models = vec![small(0.5); 3];
        let opts = EnsembleOptions {
            materialize: MaterializeOptions {
                scale: Some(20.0),
                ..Default::default()
            },
            seed: 1,
        };
        let picks = run(&models, &opts, |_, r| {
            realized_pick(r, None, 1200.0, &ReachOptions::default())
        })
        .unwrap();
        for p in &picks {
            assert!(p.cost <= 1200.0);
            // Creator c has no price; a (1000) and b (500) cannot both fit 1200.
            assert_eq!(p.creators.len(), 1);
        }
        let freq = pick_frequency(&picks);
        assert!((freq.iter().map(|x| x.1).sum::<f64>() - 1.0).abs() < 1e-12);
    }
}
