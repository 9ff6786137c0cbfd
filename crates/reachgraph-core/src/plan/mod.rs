//! Planning from a creator table: distinct reach, overlaps and budgeted picks from follower
//! counts, without follower lists, under an explicit audience model with stated uncertainty.
//!
//! # The audience model
//!
//! Real people live in a jurisdiction `j` of the electorate (`N_j` eligible voters: by default
//! the state's voting-eligible population from the embedded certified 2024 US result) or
//! *outside* it (`N_out`: platform users who are not eligible voters — minors, non-citizens;
//! by default US residents minus eligible voters). `--population N` scales everything to `N`.
//!
//! - **Platforms.** A person is on platform `p` with probability `adopt_p` (Pew Research
//!   Center, January 2024), independently across platforms.
//! - **Activity.** A person belongs to an activity class `k` (weight `w_k`, level `a_k`,
//!   `Σ w_k a_k = 1`): a share `z` of people follow nobody (the zero class) and the others have
//!   a Gamma activity of shape `κ`, discretised into 16 Dirac deltas (the activity-distribution
//!   models of Koehler, Skvortsov et al. 2016 and Skvortsov & Koehler 2019).
//! - **Following.** A person of class `k` in `j` who is on `p` follows account `i` (platform
//!   `p`, `F_i` followers, share `s_ij` of them in `j`) with probability
//!   `q = min(1, a_k F_i s_ij / (N_j adopt_p))`, so the account's expected followers are `F_i`
//!   (less what clipping at 1 removes). Accounts without audience geography have a national
//!   audience (`s_ij ∝ N_j`, tilted by `home_factor` towards the creator's home state) with a
//!   share `1 − eligible` (default: the population's outside share) outside the electorate.
//! - **Creators.** For one creator's accounts a person draws one uniform shared by all of them
//!   with probability `ρ` (*identity*: the same fans on every platform), else independent
//!   ones; so the creator reaches the person with probability
//!   `ρ max_i q_i + (1 − ρ)(1 − Π_i (1 − q_i))`. Different creators are independent given the
//!   person's region, class and platforms.
//! - **Reach** of a set of accounts = `Σ_{j, k, m} N_j w_k P(m) (1 − Π_c (1 − P_c))`, computed
//!   exactly by [`model::AudienceModel`]; jurisdiction rows count eligible voters of the
//!   jurisdiction, the total adds people outside.
//!
//! Independence (one activity level, `ρ = 0`, no home tilt) is a named assumption
//! ([`params::ParamValues::INDEPENDENCE`]), never the silent default.

pub mod ensemble;
pub mod fit;
pub mod materialize;
pub mod model;
pub mod params;
pub mod pick;
pub mod table;
pub mod truth;

pub use fit::{FitDiagnostics, FitStatus, PairFit, ParameterSummary, Posterior};
pub use model::{AudienceModel, ReachState};
pub use params::{ActivityMixture, ModelParams, ParamValues, Population, PopulationKind};
pub use pick::{PickedCreator, PlanPick};
pub use table::{AccountRow, Creator, CreatorTable, MeasuredOverlap};

use crate::error::{Error, Result};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

/// Default number of parameter draws every answer is computed over.
pub const DEFAULT_DRAWS: usize = 200;

/// A modelled number with its 90% interval over parameter draws.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct ReachInterval {
    /// Mean over the draws. For the reach `plan` reports, the draws without the
    /// misspecification allowance, whose interval is drawn with it ([`centred_people`]).
    pub mean: f64,
    /// 5th percentile.
    pub low: f64,
    /// 95th percentile.
    pub high: f64,
}

impl ReachInterval {
    /// Mean and 5th–95th percentiles (linear interpolation) of `values` (one per draw).
    pub fn of(values: Vec<f64>) -> ReachInterval {
        if values.is_empty() {
            return ReachInterval {
                mean: 0.0,
                low: 0.0,
                high: 0.0,
            };
        }
        let (mean, low, high) = crate::stats::interval_90(&values);
        ReachInterval { mean, low, high }
    }

    /// A count of people: the mean over the draws (an expectation, kept unrounded) and the
    /// 5th–95th percentiles rounded **outward** to whole people (low down, high up).
    ///
    /// Each draw's value is the *expected* number of distinct people, a real number; what a
    /// campaign reaches is a whole number of people. An interval over expectations that stops
    /// a fraction short of a whole count (e.g. 4,038.6 when everyone of a 4,039-person
    /// population is reached) does not say that count is implausible, only that the expectation
    /// is not an integer, so the ends are the whole counts bracketing them. The ends stay within
    /// the model's support: no draw exceeds the population, so the rounded upper end exceeds
    /// it only by less than one person when the population itself is not a whole number.
    /// A relative 1e-9 of floating-point rounding is forgiven first (a sum of cells that should
    /// be exactly 11,810 people and comes out 11,810.00000001 stays 11,810).
    pub fn of_people(values: Vec<f64>) -> ReachInterval {
        let r = ReachInterval::of(values);
        let (low, high) = people_bounds(r.low, r.high);
        ReachInterval {
            mean: r.mean,
            low,
            high,
        }
    }

    /// [`centred_people`] as an interval: the mean of `point`, the ends of `spread`.
    pub fn of_people_centred(point: &[f64], spread: &[f64]) -> ReachInterval {
        let (mean, low, high) = centred_people(point, spread);
        ReachInterval { mean, low, high }
    }
}

/// A count of people from two views of the same parameter draws: the point estimate is the
/// mean of `point` (each draw's modelled reach **without** the misspecification allowance,
/// i.e. the model's expectation over its parameter uncertainty), the interval the 5th–95th
/// percentiles of `spread` (the same draws **with** the allowance, [`apply_misspecification`]),
/// rounded outward to whole people ([`people_bounds`]) and widened to hold the mean where it
/// falls outside. Returns `(mean, low, high)`.
///
/// Why two views: the allowance scales each draw's dependence by a log-symmetric exponent
/// `g`, so it widens the interval as calibrated, but the mean of `i (x/i)^g` over `g` is
/// below `x`: averaged, the allowance would also move the point estimate, which nothing in
/// the data asks for. Measured on the benchmark's calibration split (docs/BENCHMARKS.md,
/// "The point estimate without the misspecification allowance"), the mean without it is
/// closer to the exact reach in every model seed. With scale 0 the two views are the same
/// draws and this is [`ReachInterval::of_people`].
pub fn centred_people(point: &[f64], spread: &[f64]) -> (f64, f64, f64) {
    if point.is_empty() || spread.is_empty() {
        return (0.0, 0.0, 0.0);
    }
    let mean = point.iter().sum::<f64>() / point.len() as f64;
    let (_, low, high) = crate::stats::interval_90(spread);
    let (low, high) = people_bounds(low, high);
    let (low, high) = people_bounds(low.min(mean), high.max(mean));
    (mean, low, high)
}

/// The ends `(low, high)` of an interval over expected counts of people, rounded outward to
/// whole people: `low` down (never below 0), `high` up, after forgiving a relative 1e-9 of
/// floating-point rounding (see [`ReachInterval::of_people`]). Shared by every interval that
/// counts people: `plan`'s, the ensembles' ([`ensemble::Summary::of_people`]) and `report
/// --creators`'s.
pub fn people_bounds(low: f64, high: f64) -> (f64, f64) {
    let slack = |x: f64| 1e-9 * x.abs();
    (
        (low + slack(low)).floor().max(0.0),
        (high - slack(high)).ceil(),
    )
}

/// Settings of [`plan`].
#[derive(Debug, Clone, PartialEq)]
pub struct PlanOptions {
    /// Total people audiences are drawn from (`--population`): scales the table's population.
    pub population: Option<f64>,
    /// A population replacing the table's default one (its jurisdictions must be the
    /// table's), e.g. a graph's own people for the truthfulness benchmark.
    pub base_population: Option<Population>,
    /// Adoption shares overriding the defaults, by platform name.
    pub adoption: Vec<(String, f64)>,
    /// Only these accounts (ids) count; all of the table's when `None`.
    pub accounts: Option<Vec<String>>,
    /// Budget per month for a creator pick.
    pub budget: Option<f64>,
    /// Target jurisdiction ids: reach in them is reported, and a pick maximises it.
    pub targets: Vec<String>,
    /// Parameter draws each answer is computed over.
    pub draws: usize,
    /// Prior draws weighed by the fit.
    pub prior_draws: usize,
    /// Seed of every draw.
    pub seed: u64,
    /// Use the named independence assumption instead of the fitted model.
    pub independence: bool,
    /// How much of the measured pairs' scatter around the model each answer's interval
    /// carries ([`fit::Posterior::misspecification_draws`]); default
    /// [`fit::MISSPECIFICATION_SCALE`] (calibrated on the real-graph benchmark), 0 = the
    /// parameters' uncertainty only.
    pub misspecification_scale: f64,
    /// What the population counts (`--population-counts`): a platform's users (the default,
    /// matching the default population of adults × adoption) or everyone, followers or not.
    /// Sets the prior of the zero share ([`params::zero_share_prior`]).
    pub population_counts: PopulationKind,
    /// A zero-share prior range `(low, high)` given instead of the one `population_counts`
    /// implies (`--zero-share LOW:HIGH`; uniform).
    pub zero_share_prior: Option<(f64, f64)>,
    /// An activity-shape prior range `(low, high)` given instead of the default (log-uniform;
    /// used by the truthfulness benchmark's calibration of the priors).
    pub activity_shape_prior: Option<(f64, f64)>,
}

impl Default for PlanOptions {
    fn default() -> Self {
        PlanOptions {
            population: None,
            base_population: None,
            adoption: Vec::new(),
            accounts: None,
            budget: None,
            targets: Vec::new(),
            draws: DEFAULT_DRAWS,
            prior_draws: fit::DEFAULT_PRIOR_DRAWS,
            seed: 0,
            independence: false,
            misspecification_scale: fit::MISSPECIFICATION_SCALE,
            population_counts: PopulationKind::default(),
            zero_share_prior: None,
            activity_shape_prior: None,
        }
    }
}

impl PlanOptions {
    /// The prior ranges of the fit: those of [`Self::population_counts`], with the ranges given
    /// in [`Self::zero_share_prior`] and [`Self::activity_shape_prior`] in their place.
    pub fn prior_ranges(&self) -> [params::PriorRange; 4] {
        let mut r = params::prior_ranges_for(self.population_counts);
        if let Some((low, high)) = self.zero_share_prior {
            r[0].low = low;
            r[0].high = high;
            r[0].source = format!(
                "given (--zero-share {low}:{high}): share of the population who follow none of \
                 the accounts"
            );
        }
        if let Some((low, high)) = self.activity_shape_prior {
            r[1].low = low;
            r[1].high = high;
            r[1].source =
                format!("given: Gamma shape of active people's activity in [{low}, {high}]");
        }
        r
    }
}

/// Modelled reach in one jurisdiction.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct JurisdictionReach {
    /// Jurisdiction id.
    pub id: String,
    /// Eligible voters of the jurisdiction reached (modelled).
    pub unique_reach: ReachInterval,
}

/// Modelled reach in the target jurisdictions.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TargetReach {
    /// The target jurisdiction ids.
    pub ids: Vec<String>,
    /// Eligible voters of the targets reached (modelled).
    pub unique_reach: ReachInterval,
}

/// What each number of a [`PlanReport`] counts.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PlanUnits {
    /// Unit of `summed_followers`.
    pub summed_followers: String,
    /// Unit of `unique_reach`.
    pub unique_reach: String,
    /// Unit of `outside_reach`.
    pub outside_reach: String,
    /// Unit of the jurisdiction rows and the target reach.
    pub jurisdictions: String,
    /// Unit of a pick's `adds`.
    pub pick_adds: String,
}

/// The answer of [`plan`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PlanReport {
    /// Accounts counted.
    pub accounts: usize,
    /// Creators counted.
    pub creators: usize,
    /// Sum of the accounts' follower counts (followers; measured input).
    pub summed_followers: u64,
    /// Distinct real people reached (modelled): mean and 90% interval.
    pub unique_reach: ReachInterval,
    /// Real people reached outside the electorate (modelled).
    pub outside_reach: ReachInterval,
    /// Eligible voters reached per jurisdiction (modelled).
    pub jurisdictions: Vec<JurisdictionReach>,
    /// Eligible voters reached in the target jurisdictions (modelled), when targets are given.
    pub target: Option<TargetReach>,
    /// The model's parameters: value, interval, fitted or prior, source.
    pub parameters: Vec<ParameterSummary>,
    /// The fit to the measured overlaps.
    pub fit: FitDiagnostics,
    /// Every assumption behind the numbers, with its source.
    pub assumptions: Vec<String>,
    /// The budgeted pick, when a budget is given.
    pub pick: Option<PlanPick>,
    /// Parameter draws behind each interval.
    pub draws: usize,
    /// The seed.
    pub seed: u64,
    /// Units of the numbers.
    pub units: PlanUnits,
}

/// Adoption shares for the table's platforms (overrides, else defaults) and the assumptions
/// they bring.
fn adoption_for(
    table: &CreatorTable,
    overrides: &[(String, f64)],
) -> Result<(Vec<f64>, Vec<String>)> {
    let mut out = Vec::new();
    let mut notes = Vec::new();
    for (name, a) in overrides {
        if !(a.is_finite() && *a > 0.0 && *a <= 1.0) {
            return Err(Error::invalid_parameter(
                format!("adoption of {name}"),
                a,
                "must be in (0, 1]",
            ));
        }
    }
    for p in &table.platforms {
        if let Some((_, a)) = overrides
            .iter()
            .find(|(n, _)| n.trim().eq_ignore_ascii_case(p))
        {
            out.push(*a);
            notes.push(format!("platform {p}: {a} of people are on it (given)"));
        } else {
            let (a, known) = params::default_adoption(p);
            out.push(a);
            notes.push(if known {
                format!(
                    "platform {p}: {a} of people are on it ({})",
                    params::PEW_SOURCE
                )
            } else {
                format!(
                    "platform {p}: {a} of people are on it (assumption: not in the Pew 2024 \
                     list; about that list's median)"
                )
            });
        }
    }
    Ok((out, notes))
}

/// The fit behind every answer of [`plan`]: the population (the table's, or
/// `options.base_population`, scaled to `options.population`), the adoption shares and their
/// assumptions, and the posterior over the model's parameters (weighted by `overlaps`; the
/// prior when there are none; the independence assumption with `options.independence`).
///
/// # Errors
/// [`Error::InvalidParameter`] for a population or adoption out of range; the errors of
/// [`Posterior::fit`].
pub fn fit_table(
    table: &CreatorTable,
    overlaps: &[MeasuredOverlap],
    options: &PlanOptions,
) -> Result<(Posterior, Population, Vec<String>)> {
    let mut population = options
        .base_population
        .clone()
        .unwrap_or_else(|| table.population.clone());
    if let Some(n) = options.population {
        population = population.with_total(n)?;
    }
    let (adoption, assumptions) = adoption_for(table, &options.adoption)?;
    let posterior = Posterior::fit_with_priors(
        table,
        overlaps,
        adoption,
        population.clone(),
        options.prior_draws,
        options.seed,
        options.independence,
        options.prior_ranges(),
    )?;
    Ok((posterior, population, assumptions))
}

/// `n` parameter draws for synthetic graphs or any other use: resampled by weight from the
/// fit to `overlaps` when pairs are given ([`FitStatus::Fitted`]), the prior's draws when none
/// are ([`FitStatus::Prior`]), the independence assumption with `options.independence`. The
/// status says which.
///
/// # Errors
/// As [`fit_table`]; [`Error::InvalidParameter`] for `n` = 0.
pub fn table_parameter_draws(
    table: &CreatorTable,
    overlaps: &[MeasuredOverlap],
    options: &PlanOptions,
    n: usize,
) -> Result<(Vec<ModelParams>, FitStatus)> {
    if n == 0 {
        return Err(Error::invalid_parameter("draws", 0, "must be at least 1"));
    }
    let (posterior, _, _) = fit_table(table, overlaps, options)?;
    let status = posterior.diagnostics().status;
    Ok((posterior.parameter_draws(n, options.seed)?, status))
}

/// Applies one draw's misspecification exponent `g` ([`Posterior::misspecification_draws`])
/// to modelled reach per region. On the total over regions: where the model's total `x` is
/// below the independence total `i` of the same accounts, it becomes `i · (x / i)^g` (the
/// dependence the model adds, scaled on the log scale), floored at the total of `floor` (what
/// the largest creator alone reaches: a set reaches at least the people one of its creators
/// reaches) but never raised above `x` by the floor. Every region is then scaled by the same
/// factor, so the model's geography is kept. A total where the model reaches nobody, or no
/// fewer than independence, keeps `x`.
///
/// The total, not each region, is compared with independence: the independence reference
/// has national audiences, so region by region it is not a bound of a model with home-state
/// concentration (a single account would otherwise come out reaching more people than it
/// has followers).
pub fn apply_misspecification(reach: &mut [f64], independent: &[f64], floor: &[f64], g: f64) {
    let x: f64 = reach.iter().sum();
    let i: f64 = independent.iter().sum();
    let f: f64 = floor.iter().sum();
    if x > 0.0 && i > x {
        let y = (i * (x / i).powf(g)).max(f.min(x));
        let k = y / x;
        for r in reach.iter_mut() {
            *r *= k;
        }
    }
}

/// Plans from a creator table: modelled distinct reach (overall, per jurisdiction, in the
/// targets), the fit of the model to `overlaps`, and with a budget the creators to hire. Every
/// modelled number is the mean and 90% interval over `options.draws` parameter draws; for the
/// reach (overall, per jurisdiction, outside, in the targets) the mean is over the draws
/// without the misspecification allowance and the interval over the draws with it, widened to
/// hold the mean if it falls outside ([`centred_people`]).
///
/// # Errors
/// [`Error::UnknownNode`] for an account of `options.accounts` not in the table;
/// [`Error::InvalidParameter`] for an unknown target jurisdiction, a population or adoption out
/// of range, zero draws, or counts the population cannot hold; the errors of
/// [`pick::pick`] with a budget.
pub fn plan(
    table: &CreatorTable,
    overlaps: &[MeasuredOverlap],
    options: &PlanOptions,
) -> Result<PlanReport> {
    if options.draws == 0 {
        return Err(Error::invalid_parameter("draws", 0, "must be at least 1"));
    }
    // The accounts counted.
    let accounts: Vec<usize> = match &options.accounts {
        None => (0..table.accounts.len()).collect(),
        Some(ids) => {
            let mut seen = vec![false; table.accounts.len()];
            let mut v = Vec::new();
            for id in ids {
                let i = table.account(id).ok_or_else(|| Error::UnknownNode {
                    id: id.clone(),
                    context: " (accounts subset: not in the creators table)".into(),
                })?;
                if std::mem::replace(&mut seen[i], true) {
                    return Err(Error::DuplicateNode {
                        id: id.clone(),
                        what: "accounts subset".into(),
                    });
                }
                v.push(i);
            }
            if v.is_empty() {
                return Err(Error::Empty {
                    what: "accounts subset".into(),
                });
            }
            v
        }
    };
    let mask: Option<Vec<bool>> = if options.targets.is_empty() {
        None
    } else {
        let mut m = vec![false; table.jurisdictions.len() + 1];
        for t in &options.targets {
            let j = table.jurisdiction(t).ok_or_else(|| {
                Error::invalid_parameter(
                    "target",
                    t,
                    "not a jurisdiction of the table's electorate",
                )
            })?;
            m[j] = true;
        }
        Some(m)
    };
    let (posterior, population, mut assumptions) = fit_table(table, overlaps, options)?;
    if !(options.misspecification_scale.is_finite() && options.misspecification_scale >= 0.0) {
        return Err(Error::invalid_parameter(
            "misspecification_scale",
            options.misspecification_scale,
            "must be a finite number >= 0",
        ));
    }
    let draws = posterior.parameter_draws(options.draws, options.seed)?;
    let groups = model::group_by_creator(table, &accounts);
    let reach_of = |p: &ModelParams| -> Result<Vec<f64>> {
        let m = AudienceModel::new(table, p)?;
        let mut st = m.state();
        for g in &groups {
            st.add(g);
        }
        Ok(st.by_region())
    };
    let exponents = posterior.misspecification_draws(
        options.draws,
        options.seed,
        options.misspecification_scale,
    );
    // Independence reach per region: the reference each draw's dependence is measured from.
    let independent = if exponents.iter().any(|&g| g != 1.0) {
        Some(reach_of(&ModelParams::from_values(
            &ParamValues::INDEPENDENCE,
            draws[0].adoption.clone(),
            draws[0].population.clone(),
        )?)?)
    } else {
        None
    };
    // The creator with the most summed followers: a set reaches at least the people it
    // reaches, which floors the misspecified answer (region by region).
    let largest = groups
        .iter()
        .max_by_key(|g| g.iter().map(|&i| table.accounts[i].followers).sum::<u64>());
    // Each draw's reach per region without the allowance (the point estimate's) and with it
    // (the interval's): see `centred_people`.
    let per_draw: Vec<(Vec<f64>, Vec<f64>)> = draws
        .par_iter()
        .zip(&exponents)
        .map(|(p, &g)| -> Result<(Vec<f64>, Vec<f64>)> {
            let m = AudienceModel::new(table, p)?;
            let mut st = m.state();
            for grp in &groups {
                st.add(grp);
            }
            let model = st.by_region();
            let mut r = model.clone();
            if let (Some(ind), Some(big)) = (&independent, largest) {
                let mut one = m.state();
                one.add(big);
                apply_misspecification(&mut r, ind, &one.by_region(), g);
            }
            Ok((model, r))
        })
        .collect::<Result<_>>()?;
    let nj = table.jurisdictions.len();
    let column = |f: &dyn Fn(&Vec<f64>) -> f64| {
        let point: Vec<f64> = per_draw.iter().map(|(m, _)| f(m)).collect();
        let spread: Vec<f64> = per_draw.iter().map(|(_, r)| f(r)).collect();
        ReachInterval::of_people_centred(&point, &spread)
    };
    let unique_reach = column(&|r| r.iter().sum());
    let outside_reach = column(&|r| r[nj]);
    let jurisdictions = (0..nj)
        .map(|j| JurisdictionReach {
            id: table.jurisdictions[j].clone(),
            unique_reach: column(&|r| r[j]),
        })
        .collect();
    let target = mask.as_ref().map(|m| TargetReach {
        ids: (0..nj)
            .filter(|&j| m[j])
            .map(|j| table.jurisdictions[j].clone())
            .collect(),
        unique_reach: column(&|r| (0..nj).filter(|&j| m[j]).map(|j| r[j]).sum()),
    });
    let pick = match options.budget {
        None => None,
        Some(b) => Some(pick::pick(
            table,
            &groups,
            b,
            mask.as_deref(),
            &posterior.central()?,
            &draws,
        )?),
    };
    // Assumptions, with sources.
    let fit = posterior.diagnostics().clone();
    let mut all = vec![format!("population: {:.0} real people ({:.0} eligible voters in {} jurisdictions, {:.0} outside the electorate); {}",
        population.total(), population.people.iter().sum::<f64>(), population.jurisdictions.len(), population.outside, population.source)];
    all.append(&mut assumptions);
    if fit.status != FitStatus::Independence {
        let z = &options.prior_ranges()[0];
        all.push(format!(
            "population counts {}: zero share (people of the population on a platform who follow none of the accounts) prior uniform [{}, {}]; {}",
            match options.population_counts {
                PopulationKind::Users => "a platform's users (adults × adoption; a user follows someone)",
                PopulationKind::Everyone => "everyone, followers or not",
            },
            z.low, z.high, z.source
        ));
    }
    all.push("platform membership: independent across platforms given the person (assumption; correlation is partly carried by activity)".into());
    all.push("following: a person follows an account with probability proportional to the person's activity and the account's followers in the person's region per platform user there (the audience model of docs/plan.md)".into());
    match fit.status {
        FitStatus::Independence => all.push("independence: every person equally active, a creator's accounts followed independently, national audiences (the named independence assumption; chosen, not fitted)".into()),
        FitStatus::Prior => all.push("no overlaps were measured: the dependence parameters keep their wide prior (the intervals show it); measured overlaps narrow them".into()),
        FitStatus::Fitted => all.push(format!("dependence parameters weighted by {} measured overlaps (RMS log error {:.2}, {:.0} effective draws of {})",
            fit.pairs.len(), fit.rms_log_error, fit.effective_draws, fit.prior_draws)),
    }
    if table.accounts.iter().any(|a| a.geography.is_none()) && nj > 0 {
        all.push("accounts without audience geography: national audience in proportion to eligible voters, tilted to the creator's home state by home_factor; their outside share is 1 - eligible, else the population's outside share".into());
    }
    all.push(format!("intervals: 5th to 95th percentile over {} parameter draws (seed {}); they carry parameter uncertainty and, with misspecification scale {} (calibrated on the real-graph benchmark, docs/BENCHMARKS.md), how far real pairs scatter around the model (the mean is over the same draws without that allowance, and the interval is widened to hold it if needed); not the scatter of a single campaign", options.draws, options.seed, options.misspecification_scale));
    if table
        .accounts
        .iter()
        .any(|a| a.posts.is_some() || a.reach_rate.is_some())
    {
        all.push("reach counts followers (people who follow an account); posts and reach_rate are not used by this number".into());
    }
    Ok(PlanReport {
        accounts: accounts.len(),
        creators: groups.len(),
        summed_followers: accounts.iter().map(|&i| table.accounts[i].followers).sum(),
        unique_reach,
        outside_reach,
        jurisdictions,
        target,
        parameters: posterior.summaries(),
        fit,
        assumptions: all,
        pick,
        draws: options.draws,
        seed: options.seed,
        units: PlanUnits {
            summed_followers: "followers (measured input: the sum of the table's counts; one person following two accounts counts twice)".into(),
            unique_reach: "real people (modelled: distinct people reached, eligible voters and people outside the electorate)".into(),
            outside_reach: "real people outside the electorate (modelled)".into(),
            jurisdictions: "eligible voters of the jurisdiction (modelled)".into(),
            pick_adds: "real people added (modelled; eligible voters of the targets when targets are given)".into(),
        },
    })
}

#[cfg(test)]
mod tests;
