//! Reach where only follower counts are known: an explicit overlap **model**.
//!
//! Without follower lists, how much two audiences overlap is not measured; it has to be
//! assumed. This module makes the assumption explicit and labels every output as a model.
//!
//! **The model.** A population of `N` people; account `i` has `c_i` followers. Person `p` has
//! an activity `a_p`, Gamma-distributed with mean 1 and variance `1/κ`, and follows account `i`
//! with probability `a_p·c_i/N`, independently across accounts given `a_p`. Then the expected
//! pairwise overlap is `lift·c_i·c_j/N` with `lift = 1 + 1/κ`, and the expected reach of a set
//! with `S = Σ c_i` is
//!
//! `N·(1 − (1 + S/(N·κ))^(−κ))`
//!
//! (the zero class of a negative binomial). `lift = 1` (κ → ∞) is **independence**, for which
//! the exact form `N·(1 − Π (1 − c_i/N))` is used. A lift can be **fitted** from accounts
//! whose overlaps were measured ([`fit_lift`]): the ratio of measured shared people to what
//! independence predicts, pooled over pairs. Heavy users follow more accounts, so real lifts
//! are above 1; a lift below 1 (audiences that avoid each other) is outside this model and
//! rejected.

use super::query::SketchOverlap;
use super::query::SketchReach;
use crate::error::{Error, Result};
use serde::{Deserialize, Serialize};

/// The assumed overlap between audiences known only by their counts.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(tag = "model", rename_all = "snake_case")]
pub enum OverlapPrior {
    /// Followers drawn independently for each account.
    Independence,
    /// Shared followers `lift` times what independence predicts (Gamma activity model).
    Correlated {
        /// Ratio of shared followers to the independence prediction (≥ 1).
        lift: f64,
    },
}

/// A modelled (not measured) reach.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ModelledReach {
    /// Always `"model"`: this number is an assumption's consequence, not a measurement.
    pub kind: String,
    /// The model used.
    pub prior: OverlapPrior,
    /// Accounts counted.
    pub accounts: usize,
    /// Sum of their follower counts.
    pub summed_followers: u64,
    /// The population the followers come from.
    pub population: f64,
    /// Modelled distinct people reached.
    pub unique_reach: f64,
    /// The assumptions behind the number, with their basis.
    pub assumptions: Vec<String>,
}

/// A lift fitted from measured overlaps.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FittedLift {
    /// Pooled ratio `Σ shared_ij / Σ (c_i c_j / N)` over the pairs used.
    pub lift: f64,
    /// Pairs used.
    pub pairs: usize,
    /// The population assumed.
    pub population: f64,
}

fn check_population(population: f64, largest: u64) -> Result<()> {
    if !(population.is_finite() && population > 0.0) {
        return Err(Error::invalid_parameter(
            "population",
            population,
            "must be a finite number > 0",
        ));
    }
    if (largest as f64) > population {
        return Err(Error::invalid_parameter(
            "population",
            population,
            format!("is smaller than a follower count ({largest})"),
        ));
    }
    Ok(())
}

/// Reach of accounts known only by follower counts, under an explicit overlap prior.
///
/// # Arguments
/// - `counts`: follower counts (people) of the accounts;
/// - `population`: the number of people the followers come from (for example the platform's
///   users in the target region) — itself an assumption, reported in the output;
/// - `prior`: independence, or a correlated model with a lift ≥ 1.
///
/// # Errors
/// [`Error::Empty`] for no counts; [`Error::InvalidParameter`] for a population that is not
/// positive or is below a count, a lift that is not finite and ≥ 1, or counts that sum past
/// `u64::MAX` (naming the count that overflows).
///
/// # Example
/// ```
/// use reachgraph_core::sketch::prior::{modelled_reach, OverlapPrior};
/// let r = modelled_reach(&[500, 500], 1000.0, OverlapPrior::Independence).unwrap();
/// assert!((r.unique_reach - 750.0).abs() < 1e-9); // 1000 · (1 − 0.5 · 0.5)
/// assert_eq!(r.kind, "model");
/// ```
pub fn modelled_reach(
    counts: &[u64],
    population: f64,
    prior: OverlapPrior,
) -> Result<ModelledReach> {
    if counts.is_empty() {
        return Err(Error::Empty {
            what: "follower count list".into(),
        });
    }
    check_population(population, counts.iter().copied().max().unwrap_or(0))?;
    let mut summed = 0u64;
    for (i, &c) in counts.iter().enumerate() {
        summed = summed.checked_add(c).ok_or_else(|| {
            Error::invalid_parameter(
                format!("counts[{i}]"),
                c,
                format!(
                    "the follower counts before it sum to {summed}; adding it passes the \
                     largest count, {}",
                    u64::MAX
                ),
            )
        })?;
    }
    let n = population;
    let (reach, basis) = match prior {
        OverlapPrior::Independence => {
            let log_miss: f64 = counts
                .iter()
                .map(|&c| (1.0 - c as f64 / n).max(0.0).ln())
                .sum();
            (
                n * (1.0 - log_miss.exp()),
                "independence: each account's followers are a uniform random subset of the \
                 population, independent of other accounts (no measured basis; a lower bound on \
                 overlap in practice, so an upper bound on reach)"
                    .to_string(),
            )
        }
        OverlapPrior::Correlated { lift } => {
            if !(lift.is_finite() && lift >= 1.0) {
                return Err(Error::invalid_parameter(
                    "lift",
                    lift,
                    "must be a finite number >= 1 (1 is independence)",
                ));
            }
            let r = if lift == 1.0 {
                n * (1.0 - (-(summed as f64) / n).exp())
            } else {
                let kappa = 1.0 / (lift - 1.0);
                n * (1.0 - (1.0 + summed as f64 / (n * kappa)).powf(-kappa))
            };
            (
                r.min(summed as f64),
                format!(
                    "correlated audiences: shared followers are {lift:.3} times what independence \
                     predicts (Gamma activity model, κ = 1/(lift − 1)); the lift is given or \
                     fitted from measured overlaps"
                ),
            )
        }
    };
    Ok(ModelledReach {
        kind: "model".into(),
        prior,
        accounts: counts.len(),
        summed_followers: summed,
        population,
        unique_reach: reach,
        assumptions: vec![
            basis,
            format!("population of {population} people the followers are drawn from (given)"),
            "follower counts are counts of distinct people (no duplicate or bot accounts)".into(),
        ],
    })
}

/// Fits the lift of [`OverlapPrior::Correlated`] from measured overlaps: the pooled ratio of
/// measured shared people to the independence prediction `a_i·a_j/N` over all pairs.
///
/// # Errors
/// [`Error::InvalidParameter`] for a bad population or when the overlap has fewer than two
/// accounts or no overlap to fit from.
pub fn fit_lift(ov: &SketchOverlap, population: f64) -> Result<FittedLift> {
    let m = ov.accounts.len();
    let largest = ov.audience.iter().copied().fold(0.0, f64::max);
    check_population(population, largest as u64)?;
    if m < 2 {
        return Err(Error::invalid_parameter(
            "accounts",
            m,
            "fitting a lift needs at least two measured accounts",
        ));
    }
    let (mut num, mut den) = (0.0, 0.0);
    for i in 0..m {
        for j in i + 1..m {
            num += ov.shared[[i, j]];
            den += ov.audience[i] * ov.audience[j] / population;
        }
    }
    if den <= 0.0 {
        return Err(Error::invalid_parameter(
            "accounts",
            m,
            "the measured audiences are empty; nothing to fit",
        ));
    }
    Ok(FittedLift {
        lift: num / den,
        pairs: m * (m - 1) / 2,
        population,
    })
}

/// Reach of a mix of measured accounts (sketches) and accounts known only by counts: the
/// measured union and the modelled addition, reported apart, and their sum labelled as
/// partly modelled.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MixedReach {
    /// The measured part (from sketches, with its error bound).
    pub measured: SketchReach,
    /// The modelled reach of the count-only accounts on their own.
    pub modelled: ModelledReach,
    /// Modelled people the count-only accounts add to the measured union: the modelled
    /// reach's share of the people outside it, `(1 − measured/N)·modelled`.
    pub modelled_addition: f64,
    /// `measured.unique_reach + modelled_addition`.
    pub total: f64,
    /// Always `"measured + model"`.
    pub kind: String,
}

/// Combines a measured union with count-only accounts under a prior.
///
/// Assumes the count-only audiences are independent of membership in the measured union
/// (stated in the output's assumptions).
///
/// # Errors
/// As [`modelled_reach`].
pub fn mixed_reach(
    measured: SketchReach,
    counts: &[u64],
    population: f64,
    prior: OverlapPrior,
) -> Result<MixedReach> {
    let mut modelled = modelled_reach(counts, population, prior)?;
    if measured.unique_reach > population {
        return Err(Error::invalid_parameter(
            "population",
            population,
            format!(
                "is smaller than the measured reach ({:.0})",
                measured.unique_reach
            ),
        ));
    }
    modelled
        .assumptions
        .push("count-only audiences are independent of membership in the measured union".into());
    let addition = (1.0 - measured.unique_reach / population) * modelled.unique_reach;
    Ok(MixedReach {
        total: measured.unique_reach + addition,
        measured,
        modelled,
        modelled_addition: addition,
        kind: "measured + model".into(),
    })
}
