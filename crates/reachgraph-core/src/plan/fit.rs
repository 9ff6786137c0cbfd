//! Fitting the model to measured overlaps, and the parameter uncertainty every answer carries.
//!
//! **Method.** The four parameters (zero share, activity shape, identity, home factor) get the
//! wide prior of [`prior_ranges`]. `M` prior draws are laid out by seeded Latin hypercube
//! sampling; each is weighted by the likelihood of all measured pairs at once: with
//! `r_p = ln((measured_p + ½) / (modelled_p + ½))` the log ratio of shared followers of pair
//! `p` (counts), the pairs' log errors are taken as normal with a common unknown spread (which
//! absorbs how far real pairs scatter around the model), integrated out under a Jeffreys
//! prior: weight `∝ (Σ r_p² / n + τ²)^(−n/2)` (`τ` = 0.05 keeps a perfect fit finite). All
//! pairs pool into one likelihood, and the fewer pairs, the flatter it is, so intervals widen
//! when fewer overlaps are measured; with none, the posterior is the prior. The posterior is
//! the weighted draws; [`Posterior::parameter_draws`] resamples them (seeded).
//!
//! **Diagnostics.** Per pair, measured and modelled shared followers and their log ratio
//! (posterior mean of the model), the RMS log error, and the effective number of draws
//! (`(Σw)² / Σw²`): a small one means the prior draws cover the fit poorly (raise the draws).

use super::model::AudienceModel;
use super::params::{prior_ranges, ModelParams, ParamValues, Population, PriorRange};
use super::table::{CreatorTable, MeasuredOverlap};
use crate::error::{Error, Result};
use crate::rng;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

/// Floor of the pairs' log-error spread in the likelihood.
const TAU: f64 = 0.05;

/// Prior scale (natural-log) of real pairs' shared followers around the model, worth one
/// pseudo-pair: about a factor 2 either way. Assumption, of the order of the RMS log errors of
/// 20 measured pairs in the real-graph benchmark (docs/BENCHMARKS.md).
pub const PRIOR_PAIR_SPREAD: f64 = 0.7;

/// How much of the pairs' spread a set's answer carries (see
/// [`Posterior::misspecification_draws`]): calibrated on the real-graph benchmark's
/// calibration split only (random sets of 50, 500 and 5,000 accounts drawn with seed 1 on the
/// four shared graphs, 20 pairs; docs/BENCHMARKS.md). No value on the grid 0, 0.25, …, 3 made
/// the 90% intervals hold the exact reach in 90% of those 12 cases (5 of 12 at 0, rising to 8
/// of 12 at 1.5 and no further); 1.5 is the smallest value reaching that highest coverage.
pub const MISSPECIFICATION_SCALE: f64 = 1.5;

/// A standard normal draw (Box–Muller).
fn normal(r: &mut rng::Rng) -> f64 {
    let u = rng::unit_f64(r).max(f64::MIN_POSITIVE);
    let v = rng::unit_f64(r);
    (-2.0 * u.ln()).sqrt() * (2.0 * std::f64::consts::PI * v).cos()
}

/// Default number of prior draws weighed by the fit.
pub const DEFAULT_PRIOR_DRAWS: usize = 2048;

/// How the measured pairs are fitted.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FitStatus {
    /// Parameters weighted by the measured overlaps.
    Fitted,
    /// No overlaps were measured: the parameters keep their (wide) prior.
    Prior,
    /// The named independence assumption: no parameter uncertainty, no fit.
    Independence,
}

/// One measured pair against the model.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PairFit {
    /// Account `a`.
    pub a: String,
    /// Account `b`.
    pub b: String,
    /// Line in the overlaps file.
    pub line: usize,
    /// Shared followers, measured (followers).
    pub measured: f64,
    /// Shared followers, modelled (posterior mean; real people).
    pub modelled: f64,
    /// `ln((measured + ½) / (modelled + ½))`.
    pub log_ratio: f64,
}

/// How well the model fits the measured overlaps.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FitDiagnostics {
    /// Fitted, prior only, or independence.
    pub status: FitStatus,
    /// Every measured pair.
    pub pairs: Vec<PairFit>,
    /// Root mean square of the pairs' log ratios (0 = perfect; 0.69 = off by 2× typically).
    pub rms_log_error: f64,
    /// Effective number of prior draws carrying the posterior.
    pub effective_draws: f64,
    /// Prior draws weighed.
    pub prior_draws: usize,
    /// Prior draws left out because the population cannot hold an account's modelled
    /// followers under them (a strong home tilt in a small state).
    pub excluded_draws: usize,
}

/// One parameter's value and interval.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ParameterSummary {
    /// Parameter name.
    pub name: String,
    /// Posterior (or prior) mean.
    pub value: f64,
    /// 5th percentile.
    pub low: f64,
    /// 95th percentile.
    pub high: f64,
    /// `fitted`, `prior` or `independence`.
    pub status: FitStatus,
    /// Where the range comes from.
    pub source: String,
}

/// The weighted parameter draws of a fit.
#[derive(Debug, Clone)]
pub struct Posterior {
    values: Vec<ParamValues>,
    weights: Vec<f64>,
    /// Per prior draw: `Σ r_p²` over the measured pairs (infinite for excluded draws).
    residual_ss: Vec<f64>,
    /// The prior ranges the draws were laid out on.
    ranges: [PriorRange; 4],
    adoption: Vec<f64>,
    population: Population,
    diagnostics: FitDiagnostics,
}

/// A weighted quantile of `(value, weight)` pairs.
fn weighted_quantile(mut v: Vec<(f64, f64)>, q: f64) -> f64 {
    v.retain(|&(_, w)| w > 0.0);
    if v.is_empty() {
        return f64::NAN;
    }
    v.sort_by(|a, b| a.0.total_cmp(&b.0));
    let total: f64 = v.iter().map(|x| x.1).sum();
    let mut acc = 0.0;
    for &(x, w) in &v {
        acc += w;
        if acc >= q * total {
            return x;
        }
    }
    v[v.len() - 1].0
}

/// Seeded Latin hypercube in [0,1]^4.
fn latin_hypercube(m: usize, seed: u64) -> Vec<[f64; 4]> {
    let mut out = vec![[0.0; 4]; m];
    for d in 0..4 {
        let mut r = rng::stream(seed, d as u64);
        let mut perm: Vec<usize> = (0..m).collect();
        for i in (1..m).rev() {
            let j = rng::below(&mut r, i as u64 + 1) as usize;
            perm.swap(i, j);
        }
        for (i, row) in out.iter_mut().enumerate() {
            row[d] = (perm[i] as f64 + rng::unit_f64(&mut r)) / m as f64;
        }
    }
    out
}

impl Posterior {
    /// Fits the model of `table` to `overlaps`.
    ///
    /// `adoption` (one share per table platform) and `population` are fixed inputs;
    /// `prior_draws` prior draws are weighed (seeded by `seed`). With `independence`, the fit
    /// is skipped and the one parameter set is [`ParamValues::INDEPENDENCE`].
    ///
    /// # Errors
    /// [`Error::InvalidParameter`] for `prior_draws` = 0, or when no parameter set can hold
    /// the table's counts in the population (see [`AudienceModel::new`]).
    pub fn fit(
        table: &CreatorTable,
        overlaps: &[MeasuredOverlap],
        adoption: Vec<f64>,
        population: Population,
        prior_draws: usize,
        seed: u64,
        independence: bool,
    ) -> Result<Posterior> {
        Posterior::fit_with_priors(
            table,
            overlaps,
            adoption,
            population,
            prior_draws,
            seed,
            independence,
            prior_ranges(),
        )
    }

    /// [`Posterior::fit`] with the prior ranges `ranges` (zero share, activity shape, identity,
    /// home factor, in that order) instead of the default population's
    /// ([`prior_ranges`]; e.g. [`super::params::prior_ranges_for`] a population of everyone).
    ///
    /// # Errors
    /// As [`Posterior::fit`]; [`Error::InvalidParameter`] for a range whose ends are out of
    /// order or outside the parameter's domain.
    #[allow(clippy::too_many_arguments)]
    pub fn fit_with_priors(
        table: &CreatorTable,
        overlaps: &[MeasuredOverlap],
        adoption: Vec<f64>,
        population: Population,
        prior_draws: usize,
        seed: u64,
        independence: bool,
        ranges: [PriorRange; 4],
    ) -> Result<Posterior> {
        for r in &ranges {
            let (lo_ok, hi_ok) = match r.name {
                "zero_share" => (r.low >= 0.0, r.high < 1.0),
                "identity" => (r.low >= 0.0, r.high <= 1.0),
                "home_factor" => (r.low >= 1.0, r.high.is_finite()),
                _ => (r.low > 0.0, r.high.is_finite()),
            };
            if !(r.low.is_finite() && r.low <= r.high && lo_ok && hi_ok) {
                return Err(Error::invalid_parameter(
                    format!("{} prior", r.name),
                    format!("{}:{}", r.low, r.high),
                    "must be LOW:HIGH with LOW <= HIGH inside the parameter's domain \
                     (zero_share in [0, 1), activity_shape > 0, identity in [0, 1], \
                     home_factor >= 1)",
                ));
            }
        }
        if prior_draws == 0 {
            return Err(Error::invalid_parameter(
                "prior_draws",
                0,
                "must be at least 1",
            ));
        }
        let values: Vec<ParamValues> = if independence {
            vec![ParamValues::INDEPENDENCE]
        } else {
            latin_hypercube(prior_draws, rng::derive(seed, 0x7072_696f))
                .into_iter()
                .map(|u| ParamValues {
                    zero_share: ranges[0].at(u[0]),
                    activity_shape: ranges[1].at(u[1]),
                    identity: ranges[2].at(u[2]),
                    home_factor: ranges[3].at(u[3]),
                })
                .collect()
        };
        let n = overlaps.len() as f64;
        let measured: Vec<f64> = overlaps.iter().map(|o| o.shared_followers(table)).collect();
        // Per draw: Ok(predicted shared per pair) or Err (the draw cannot hold the counts).
        let preds: Vec<Result<Vec<f64>>> = values
            .par_iter()
            .map(|v| {
                let p = ModelParams::from_values(v, adoption.clone(), population.clone())?;
                let m = AudienceModel::new(table, &p)?;
                Ok(overlaps
                    .iter()
                    .map(|o| m.expected_shared(o.a, o.b))
                    .collect())
            })
            .collect();
        let mut first_err = None;
        let mut excluded = 0;
        let mut logw = Vec::with_capacity(values.len());
        let mut residual_ss = Vec::with_capacity(values.len());
        for p in &preds {
            match p {
                Ok(pred) => {
                    let ss: f64 = pred
                        .iter()
                        .zip(&measured)
                        .map(|(m, o)| ((o + 0.5) / (m + 0.5)).ln().powi(2))
                        .sum();
                    residual_ss.push(ss);
                    logw.push(if n > 0.0 {
                        -0.5 * n * (ss / n + TAU * TAU).ln()
                    } else {
                        0.0
                    });
                }
                Err(e) => {
                    residual_ss.push(f64::INFINITY);
                    excluded += 1;
                    if first_err.is_none() {
                        first_err = Some(e.to_string());
                    }
                    logw.push(f64::NEG_INFINITY);
                }
            }
        }
        if excluded == values.len() {
            // Every draw fails: report the (deterministic) error of the first one.
            let p = ModelParams::from_values(&values[0], adoption, population)?;
            AudienceModel::new(table, &p)?;
            return Err(Error::invalid_parameter(
                "population",
                "",
                first_err.unwrap_or_default(),
            ));
        }
        let max = logw.iter().cloned().fold(f64::NEG_INFINITY, f64::max);
        let weights: Vec<f64> = logw.iter().map(|l| (l - max).exp()).collect();
        let wsum: f64 = weights.iter().sum();
        let weights: Vec<f64> = weights.iter().map(|w| w / wsum).collect();
        let ess = 1.0 / weights.iter().map(|w| w * w).sum::<f64>();
        let pairs: Vec<PairFit> = overlaps
            .iter()
            .enumerate()
            .map(|(k, o)| {
                let modelled: f64 = preds
                    .iter()
                    .zip(&weights)
                    .filter_map(|(p, w)| p.as_ref().ok().map(|p| w * p[k]))
                    .sum();
                PairFit {
                    a: table.accounts[o.a].account.clone(),
                    b: table.accounts[o.b].account.clone(),
                    line: o.line,
                    measured: measured[k],
                    modelled,
                    log_ratio: ((measured[k] + 0.5) / (modelled + 0.5)).ln(),
                }
            })
            .collect();
        let rms = if pairs.is_empty() {
            0.0
        } else {
            (pairs.iter().map(|p| p.log_ratio.powi(2)).sum::<f64>() / n).sqrt()
        };
        let status = if independence {
            FitStatus::Independence
        } else if overlaps.is_empty() {
            FitStatus::Prior
        } else {
            FitStatus::Fitted
        };
        Ok(Posterior {
            values,
            weights,
            residual_ss,
            ranges,
            adoption,
            population,
            diagnostics: FitDiagnostics {
                status,
                pairs,
                rms_log_error: rms,
                effective_draws: ess,
                prior_draws: if independence { 0 } else { prior_draws },
                excluded_draws: excluded,
            },
        })
    }

    /// The fit's diagnostics.
    pub fn diagnostics(&self) -> &FitDiagnostics {
        &self.diagnostics
    }

    /// `n` parameter sets resampled from the posterior (seeded: the same `seed` gives the same
    /// draws).
    ///
    /// # Errors
    /// Never for a posterior built by [`Posterior::fit`] (its draws were checked); kept as a
    /// `Result` for parameters that fail validation.
    pub fn parameter_draws(&self, n: usize, seed: u64) -> Result<Vec<ModelParams>> {
        self.resample(n, seed)
            .into_iter()
            .map(|k| {
                ModelParams::from_values(
                    &self.values[k],
                    self.adoption.clone(),
                    self.population.clone(),
                )
            })
            .collect()
    }

    /// Indices of `n` prior draws resampled by weight (seeded).
    fn resample(&self, n: usize, seed: u64) -> Vec<usize> {
        let mut cum = Vec::with_capacity(self.weights.len());
        let mut acc = 0.0;
        for w in &self.weights {
            acc += w;
            cum.push(acc);
        }
        let mut r = rng::stream(rng::derive(seed, 0x6472_6177), 0);
        (0..n)
            .map(|_| {
                let u = rng::unit_f64(&mut r) * acc;
                cum.partition_point(|&c| c <= u).min(cum.len() - 1)
            })
            .collect()
    }

    /// The model-misspecification exponents of the `n` draws of
    /// [`Posterior::parameter_draws`]`(n, seed)` (same draws, same order): draw `d` gets
    /// `g_d = exp(scale · σ_d · ε_d)`, with `ε_d` standard normal and `σ_d` the spread of
    /// real pairs' log ratios around the model: given draw `d`'s parameters and the `n_p`
    /// measured pairs, `σ_d² = (σ₀² + Σ r_p²) / χ²_{n_p + 1}` (a scaled inverse χ² prior of one
    /// pseudo-pair at `σ₀` = [`PRIOR_PAIR_SPREAD`], updated by the draw's residuals `r_p`).
    /// Few pairs leave `σ_d` heavy-tailed (wide intervals), many pin it to their RMS log error.
    /// `|ln g_d|` is capped at 10. All 1 for the independence assumption (no fit) and for
    /// `scale` = 0.
    ///
    /// [`super::plan`] applies `g_d` to the dependence of each answer: a reach `R` whose
    /// independence value is `I` becomes `I (R / I)^g`, so the answer's interval carries how
    /// far the measured pairs scatter around the model, not only the parameters' spread; the
    /// result is floored at what the set's largest creator reaches alone.
    pub fn misspecification_draws(&self, n: usize, seed: u64, scale: f64) -> Vec<f64> {
        if self.diagnostics.status == FitStatus::Independence || scale == 0.0 {
            return vec![1.0; n];
        }
        let pairs = self.diagnostics.pairs.len();
        let mut r = rng::stream(rng::derive(seed, 0x6d69_7373), 0);
        self.resample(n, seed)
            .into_iter()
            .map(|k| {
                // Scaled inverse χ²: prior (1 pseudo-pair at PRIOR_PAIR_SPREAD) updated by the
                // draw's residuals of the measured pairs.
                let dof = pairs + 1;
                let chi2: f64 = if dof <= 400 {
                    (0..dof).map(|_| normal(&mut r).powi(2)).sum()
                } else {
                    let p = dof as f64;
                    (p + (2.0 * p).sqrt() * normal(&mut r)).max(1.0)
                };
                let ss = if pairs == 0 { 0.0 } else { self.residual_ss[k] };
                let sigma = ((PRIOR_PAIR_SPREAD.powi(2) + ss) / chi2.max(1e-12)).sqrt();
                // |ln g| ≤ 10: beyond it the answer is at its bounds (independence or the
                // largest creator's reach) anyway, and g stays finite.
                (scale * sigma * normal(&mut r)).clamp(-10.0, 10.0).exp()
            })
            .collect()
    }

    /// One central parameter set: the posterior mean of each parameter (the activity shape's
    /// on a log scale). Used to rank creators in the budgeted pick.
    ///
    /// # Errors
    /// As [`ModelParams::from_values`].
    pub fn central(&self) -> Result<ModelParams> {
        let mean = |f: &dyn Fn(&ParamValues) -> f64| -> f64 {
            self.values
                .iter()
                .zip(&self.weights)
                .map(|(v, w)| w * f(v))
                .sum()
        };
        let v = if self.diagnostics.status == FitStatus::Independence {
            ParamValues::INDEPENDENCE
        } else {
            ParamValues {
                zero_share: mean(&|v| v.zero_share),
                activity_shape: mean(&|v| v.activity_shape.ln()).exp(),
                identity: mean(&|v| v.identity),
                home_factor: mean(&|v| v.home_factor.ln()).exp(),
            }
        };
        ModelParams::from_values(&v, self.adoption.clone(), self.population.clone())
    }

    /// Each parameter's mean and 90% interval, with its status and source.
    pub fn summaries(&self) -> Vec<ParameterSummary> {
        let status = self.diagnostics.status;
        let ranges = &self.ranges;
        let get: [fn(&ParamValues) -> f64; 4] = [
            |v| v.zero_share,
            |v| v.activity_shape,
            |v| v.identity,
            |v| v.home_factor,
        ];
        (0..4)
            .map(|d| {
                let pts: Vec<(f64, f64)> = self
                    .values
                    .iter()
                    .zip(&self.weights)
                    .map(|(v, &w)| (get[d](v), w))
                    .collect();
                let value = pts.iter().map(|(x, w)| x * w).sum();
                ParameterSummary {
                    name: ranges[d].name.to_string(),
                    value,
                    low: weighted_quantile(pts.clone(), 0.05),
                    high: weighted_quantile(pts, 0.95),
                    status,
                    source: if status == FitStatus::Independence {
                        "the named independence assumption".to_string()
                    } else {
                        format!(
                            "prior {} [{}, {}]{}: {}",
                            if ranges[d].log {
                                "log-uniform"
                            } else {
                                "uniform"
                            },
                            ranges[d].low,
                            ranges[d].high,
                            if status == FitStatus::Fitted {
                                ", weighted by the measured overlaps"
                            } else {
                                ""
                            },
                            ranges[d].source
                        )
                    },
                }
            })
            .collect()
    }
}
