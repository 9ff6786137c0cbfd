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
/// four shared graphs, 20 pairs; docs/BENCHMARKS.md): the smallest value on the grid 0, 0.25,
/// …, 3 whose 90% intervals hold the exact reach in at least 90% of those 12 cases. With the
/// pairs read as counts ([`PairInformation::Counts`], 2026-12-04) that is 1.25 (11 of 12; 6 of
/// 12 at 0). With the former rule ([`PairInformation::LogRatios`]) no value reached 90% and
/// 1.5 was the smallest reaching the highest coverage (9 of 12 with whole-people ends).
pub const MISSPECIFICATION_SCALE: f64 = 1.25;

/// What a measured pair says about the spread of real pairs around the model (the
/// misspecification term of every interval, [`Posterior::misspecification_draws`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PairInformation {
    /// A pair's shared followers are a **count**: Poisson around the model's expected count
    /// times the pair's own scatter factor `e^δ`, `δ ~ N(0, σ²)`. A pair of large audiences
    /// sharing thousands of followers pins its `δ` (and so `σ`) as its log ratio does; a pair
    /// expected to share a fraction of a follower is mostly counting noise and constrains `σ`
    /// only weakly (it rules out a scatter so large that it would share dozens). The default.
    #[default]
    Counts,
    /// Every pair's log ratio `r_p` is a full observation of `δ`, however few followers it
    /// shares (the rule until 2026-12-04, kept for before/after comparisons): a handful of
    /// pairs sharing 0 to 2 followers, whose `r_p` the `+½` of the log ratio holds near 0,
    /// then pin `σ` near 0.
    LogRatios,
}

/// Grid of the pairs' scatter `σ` (natural-log scale) on which its posterior is evaluated
/// under [`PairInformation::Counts`]: log-spaced from `10^SIGMA_GRID_LOW` to
/// `10^SIGMA_GRID_HIGH`, `SIGMA_GRID_PER_DECADE` points a decade. Below 0.001 the term is
/// invisible; above 1,000 `|ln g|` is at its cap of 10 for all but a `10⁻⁵` share of `ε`; the
/// prior mass above it is about 0.0006.
const SIGMA_GRID_LOW: f64 = -3.0;
const SIGMA_GRID_HIGH: f64 = 3.0;
const SIGMA_GRID_PER_DECADE: usize = 20;

/// `ln ∫ Poisson(x; m e^δ) N(δ; 0, σ²) dδ` up to a term in `x` alone (`−ln Γ(x + 1)`, the same
/// for every `σ` and parameter draw, so left out): the log likelihood of a pair's scatter
/// spread `σ` given its measured shared followers `x` (any real ≥ 0) and the model's expected
/// `m`, by Laplace's method around the mode `δ*` of the (log-concave) integrand:
/// `f(δ*) − ½ ln(1 + σ² m e^{δ*})` with `f(δ) = x (ln m + δ) − m e^δ − δ² / (2σ²)`. Exact
/// in the limit of large counts (where it is the normal likelihood of `ln(x/m)` with variance
/// `σ² + 1/x`); checked against numerical integration in the tests. `m` is floored at 1e-9.
pub fn pair_scatter_log_likelihood(x: f64, m: f64, sigma: f64) -> f64 {
    let m = m.max(1e-9);
    let lm = m.ln();
    let s2 = sigma * sigma;
    // g(δ) = f'(δ) = x − m e^δ − δ/σ², decreasing; its root is the mode.
    let g = |d: f64| x - (lm + d).exp() - d / s2;
    // A bracket: the root lies between 0 and ln(x/m) when x > 0; for x = 0, in [−σ² m, 0].
    let (mut lo, mut hi) = if g(0.0) >= 0.0 {
        (0.0, (x / m).ln().max(0.0))
    } else if x > 0.0 {
        ((x / m).ln(), 0.0)
    } else {
        (-(s2 * m), 0.0)
    };
    let mut d = 0.5 * (lo + hi);
    for _ in 0..200 {
        let v = g(d);
        if v > 0.0 {
            lo = d;
        } else {
            hi = d;
        }
        if hi - lo <= 1e-12 * (1.0 + d.abs()) {
            break;
        }
        // Newton step, kept inside the bracket (else bisect).
        let step = v / ((lm + d).exp() + 1.0 / s2);
        let next = d + step;
        d = if next > lo && next < hi {
            next
        } else {
            0.5 * (lo + hi)
        };
    }
    let e = (lm + d).exp();
    x * (lm + d) - e - d * d / (2.0 * s2) - 0.5 * (s2 * e).ln_1p()
}

/// The cumulative posterior mass of the pairs' scatter `σ` at the points of `grid`
/// (log-spaced: each point stands for a cell of equal width in `ln σ`), given pairs of
/// (measured, modelled) shared followers: the prior of one pseudo-pair at
/// [`PRIOR_PAIR_SPREAD`] (mass of a cell ∝ `σ · σ⁻² exp(−σ₀²/(2σ²))`) times each pair's
/// [`pair_scatter_log_likelihood`]. Not normalised: the last entry is the total.
pub(crate) fn scatter_posterior(pairs: &[(f64, f64)], grid: &[f64]) -> Vec<f64> {
    let s0 = PRIOR_PAIR_SPREAD * PRIOR_PAIR_SPREAD;
    let logpost: Vec<f64> = grid
        .iter()
        .map(|&s| {
            let prior = -s.ln() - s0 / (2.0 * s * s);
            let like: f64 = pairs
                .iter()
                .map(|&(x, m)| pair_scatter_log_likelihood(x, m, s))
                .sum();
            prior + like
        })
        .collect();
    let max = logpost.iter().cloned().fold(f64::NEG_INFINITY, f64::max);
    let mut acc = 0.0;
    logpost
        .iter()
        .map(|l| {
            acc += (l - max).exp();
            acc
        })
        .collect()
}

/// The log-spaced grid of the pairs' scatter `σ` (see [`SIGMA_GRID_LOW`]).
pub(crate) fn sigma_grid() -> Vec<f64> {
    let k = ((SIGMA_GRID_HIGH - SIGMA_GRID_LOW) * SIGMA_GRID_PER_DECADE as f64).round() as usize;
    (0..=k)
        .map(|i| 10f64.powf(SIGMA_GRID_LOW + i as f64 / SIGMA_GRID_PER_DECADE as f64))
        .collect()
}

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
    /// Per prior draw: the modelled shared followers of each measured pair (empty for
    /// excluded draws).
    pair_model: Vec<Vec<f64>>,
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
        let mut pair_model = Vec::with_capacity(values.len());
        for p in &preds {
            pair_model.push(p.as_ref().map(|v| v.clone()).unwrap_or_default());
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
            pair_model,
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
    /// real pairs' log ratios around the model, drawn from its posterior given draw `d`'s
    /// parameters and the measured pairs. Its prior is a scaled inverse χ² worth one
    /// pseudo-pair at `σ₀` = [`PRIOR_PAIR_SPREAD`] (density of `σ` ∝ `σ⁻² exp(−σ₀²/(2σ²))`).
    /// What the pairs add depends on `information`:
    ///
    /// - [`PairInformation::Counts`] (default): pair `p` with measured shared followers `x_p`
    ///   and modelled `m_p` contributes the likelihood [`pair_scatter_log_likelihood`]: its
    ///   count is Poisson around `m_p e^δ`, `δ ~ N(0, σ²)`. The posterior is evaluated on a
    ///   log-spaced grid of `σ` (0.001 to 1,000, 20 points a decade) and `σ_d` drawn from it
    ///   (log-uniform within the chosen cell). Pairs sharing many followers pin `σ` to their
    ///   log ratios' spread; pairs sharing a handful constrain it weakly, so a set whose
    ///   measured pairs carry little information keeps a wide interval.
    /// - [`PairInformation::LogRatios`]: every pair's log ratio `r_p` observes `δ` exactly:
    ///   `σ_d² = (σ₀² + Σ r_p²) / χ²_{n_p + 1}` (conjugate).
    ///
    /// `|ln g_d|` is capped at 10. All 1 for the independence assumption (no fit) and for
    /// `scale` = 0.
    ///
    /// [`super::plan`] applies `g_d` to the dependence of each answer: a reach `R` whose
    /// independence value is `I` becomes `I (R / I)^g`, so the answer's interval carries how
    /// far the measured pairs scatter around the model, not only the parameters' spread; the
    /// result is floored at what the set's largest creator reaches alone.
    pub fn misspecification_draws(
        &self,
        n: usize,
        seed: u64,
        scale: f64,
        information: PairInformation,
    ) -> Vec<f64> {
        if self.diagnostics.status == FitStatus::Independence || scale == 0.0 {
            return vec![1.0; n];
        }
        let pairs = self.diagnostics.pairs.len();
        let mut r = rng::stream(rng::derive(seed, 0x6d69_7373), 0);
        let picks = self.resample(n, seed);
        // Under `Counts`: the posterior over the σ grid, once per distinct prior draw (in
        // parallel, joined in order); the draws below are serial.
        let grid = sigma_grid();
        let mut distinct = picks.clone();
        distinct.sort_unstable();
        distinct.dedup();
        let cums: Vec<Vec<f64>> = match information {
            PairInformation::Counts => distinct
                .par_iter()
                .map(|&k| self.sigma_posterior(k, &grid))
                .collect(),
            PairInformation::LogRatios => Vec::new(),
        };
        let half = 0.5 * std::f64::consts::LN_10 / SIGMA_GRID_PER_DECADE as f64;
        picks
            .iter()
            .map(|&k| {
                let sigma = match information {
                    PairInformation::LogRatios => {
                        // Scaled inverse χ²: prior (1 pseudo-pair at PRIOR_PAIR_SPREAD)
                        // updated by the draw's residuals of the measured pairs.
                        let dof = pairs + 1;
                        let chi2: f64 = if dof <= 400 {
                            (0..dof).map(|_| normal(&mut r).powi(2)).sum()
                        } else {
                            let p = dof as f64;
                            (p + (2.0 * p).sqrt() * normal(&mut r)).max(1.0)
                        };
                        let ss = if pairs == 0 { 0.0 } else { self.residual_ss[k] };
                        ((PRIOR_PAIR_SPREAD.powi(2) + ss) / chi2.max(1e-12)).sqrt()
                    }
                    PairInformation::Counts => {
                        let cum = &cums[distinct.binary_search(&k).expect("a resampled draw")];
                        let u = rng::unit_f64(&mut r) * cum[cum.len() - 1];
                        let i = cum.partition_point(|&c| c <= u).min(cum.len() - 1);
                        let jitter = (2.0 * rng::unit_f64(&mut r) - 1.0) * half;
                        grid[i] * jitter.exp()
                    }
                };
                // |ln g| ≤ 10: beyond it the answer is at its bounds (independence or the
                // largest creator's reach) anyway, and g stays finite.
                (scale * sigma * normal(&mut r)).clamp(-10.0, 10.0).exp()
            })
            .collect()
    }

    /// The cumulative posterior mass of the pairs' scatter `σ` on `grid` for prior draw `k`
    /// under [`PairInformation::Counts`].
    fn sigma_posterior(&self, k: usize, grid: &[f64]) -> Vec<f64> {
        let pairs: Vec<(f64, f64)> = self
            .diagnostics
            .pairs
            .iter()
            .zip(&self.pair_model[k])
            .map(|(p, &m)| (p.measured, m))
            .collect();
        scatter_posterior(&pairs, grid)
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
