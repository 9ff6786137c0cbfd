//! Questions answered from sketches: union reach, overlap matrices, ladder and budgeted pick,
//! the error report and the check against exact answers.

use super::kmv::{estimate_of, kth_estimate, wilson, CardinalityEstimate, TWO64};
use super::set::SketchSet;
use super::{check_confidence, z_of, SketchParams, MAX_LG_K, MIN_LG_K};
use crate::coverage::{self, Source, BUDGET_GUARANTEE};
use crate::error::{Error, Result};
use crate::graph::{Csr, Graph};
use crate::overlap::{pair_counts, Incidence};
use crate::progress::Progress;
use crate::reach::ReachOptions;
use ndarray::Array2;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use std::cmp::Reverse;
use std::collections::BinaryHeap;

/// Unique reach of a set of accounts, estimated from their sketches.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SketchReach {
    /// Accounts in the set.
    pub accounts: usize,
    /// Sum of their follow records (what adding up follower counts claims).
    pub summed_followers: u64,
    /// Estimated distinct people following at least one of them.
    pub unique_reach: f64,
    /// Largest distance from `unique_reach` to an end of its interval, in people.
    pub error_bound: f64,
    /// `error_bound / unique_reach` (0 when exact or empty).
    pub relative_error: f64,
    /// Lower end of the interval.
    pub lower: f64,
    /// Upper end of the interval.
    pub upper: f64,
    /// Confidence of the interval.
    pub confidence: f64,
    /// True when every sketch held its whole audience, so the count is exact.
    pub exact: bool,
    /// `lg_k` of the sketches.
    pub lg_k: u8,
    /// How it was computed: `"bottom-k union"`.
    pub method: String,
}

fn check_list(set: &SketchSet, accounts: &[u32], what: &str) -> Result<()> {
    if accounts.is_empty() {
        return Err(Error::Empty { what: what.into() });
    }
    set.check_indexes(accounts, what)
}

/// The follow records of `accounts` added up, refusing a sum past `u64::MAX` (records come
/// from files, which can hold any value) rather than wrapping it.
fn sum_records(set: &SketchSet, accounts: &[u32]) -> Result<u64> {
    let mut sum = 0u64;
    for &i in accounts {
        let r = set.records(i);
        sum = sum.checked_add(r).ok_or_else(|| Error::InvalidAttribute {
            column: "records".into(),
            node: set.account(i).to_string(),
            reason: format!(
                "adding its {r} follow records to the {sum} of the accounts before it passes \
                 the largest count, {}",
                u64::MAX
            ),
        })?;
    }
    Ok(sum)
}

/// The k-th smallest distinct value of the union of sorted distinct lists (k-way merge).
fn kth_of_union(lists: &[&[u64]], k: usize) -> Option<u64> {
    let mut heap: BinaryHeap<Reverse<(u64, u32)>> = lists
        .iter()
        .enumerate()
        .filter(|(_, l)| !l.is_empty())
        .map(|(i, l)| Reverse((l[0], i as u32)))
        .collect();
    let mut pos = vec![0usize; lists.len()];
    let mut count = 0usize;
    let mut last = None;
    while let Some(Reverse((v, i))) = heap.pop() {
        if last != Some(v) {
            last = Some(v);
            count += 1;
            if count == k {
                return Some(v);
            }
        }
        let p = &mut pos[i as usize];
        *p += 1;
        if let Some(&next) = lists[i as usize].get(*p) {
            heap.push(Reverse((next, i)));
        }
    }
    None
}

/// Unique reach of a set of accounts from their sketches: the distinct people following at
/// least one of them, with an interval at `confidence`.
///
/// When every sketch is exact (each audience under `k` people) the count is exact. Otherwise
/// the estimate is `(k − 1) / U_(k)` from the k-th smallest hash of the union (found by a
/// k-way merge; the union of bottom-k sketches is the bottom-k sketch of the union), with
/// relative standard error about `1/√(k − 2)` and the interval from `N·U_(k) ~ Gamma(k, 1)`.
///
/// # Arguments
/// - `set`: the sketches; `accounts`: indexes into it (distinct, non-empty);
/// - `confidence`: of the interval, in (0, 1).
///
/// # Errors
/// [`Error::Empty`], [`Error::UnknownNode`], [`Error::DuplicateNode`] for a bad account list;
/// [`Error::InvalidParameter`] for a bad confidence; [`Error::InvalidAttribute`] when the
/// accounts' follow records sum past `u64::MAX`.
///
/// # Complexity
/// O(k log m + m) for m accounts when some sketch is full; O(T log T) for T retained hashes
/// when all are exact.
pub fn union_reach(set: &SketchSet, accounts: &[u32], confidence: f64) -> Result<SketchReach> {
    check_confidence(confidence)?;
    check_list(set, accounts, "account list")?;
    let k = set.params.k();
    let lists: Vec<&[u64]> = accounts.iter().map(|&i| set.hashes(i)).collect();
    let summed_followers = sum_records(set, accounts)?;
    let est = if lists.iter().all(|l| l.len() < k) {
        let mut all: Vec<u64> = lists.iter().flat_map(|l| l.iter().copied()).collect();
        all.par_sort_unstable();
        all.dedup();
        let n = all.len() as f64;
        CardinalityEstimate {
            estimate: n,
            lower: n,
            upper: n,
            confidence,
            exact: true,
            samples: all.len(),
        }
    } else {
        let kth = kth_of_union(&lists, k).expect("a full sketch holds k values");
        kth_estimate(kth, k, confidence)
    };
    let error_bound = est.error_bound();
    Ok(SketchReach {
        accounts: accounts.len(),
        summed_followers,
        unique_reach: est.estimate,
        error_bound,
        relative_error: if est.estimate > 0.0 {
            error_bound / est.estimate
        } else {
            0.0
        },
        lower: est.lower,
        upper: est.upper,
        confidence,
        exact: est.exact,
        lg_k: set.params.lg_k,
        method: "bottom-k union".into(),
    })
}

/// Overlap matrices estimated from sketches. Rows and columns follow `accounts`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SketchOverlap {
    /// The accounts (indexes into the sketch set).
    pub accounts: Vec<u32>,
    /// Estimated audience (distinct people) of each account.
    pub audience: Vec<f64>,
    /// Error bound of each audience estimate (people, at `confidence`).
    pub audience_error: Vec<f64>,
    /// Estimated shared people `|F_i ∩ F_j|`; the diagonal is `audience`.
    pub shared: Array2<f64>,
    /// Error bound of each shared estimate (people).
    pub shared_error: Array2<f64>,
    /// Estimated Jaccard similarity.
    pub jaccard: Array2<f64>,
    /// Error bound of each Jaccard estimate (absolute).
    pub jaccard_error: Array2<f64>,
    /// Estimated containment `|F_i ∩ F_j| / |F_i|`.
    pub containment: Array2<f64>,
    /// Error bound of each containment estimate (absolute).
    pub containment_error: Array2<f64>,
    /// Confidence of the error bounds.
    pub confidence: f64,
    /// True when every sketch was exact (all values exact, all error bounds 0).
    pub exact: bool,
}

/// Score interval of a Poisson-like count `c` (the sampled intersection), as the largest
/// distance from `c` to its ends.
fn count_error(c: f64, z: f64) -> f64 {
    let r = (c + z * z / 4.0).sqrt();
    let lo = (r - z / 2.0).powi(2);
    let hi = (r + z / 2.0).powi(2);
    (hi - c).max(c - lo)
}

/// Incidence of the selected sketches: for each distinct hash, the accounts holding it.
fn hash_incidence(set: &SketchSet, accounts: &[u32]) -> Incidence {
    let total: usize = accounts.iter().map(|&a| set.hashes(a).len()).sum();
    // Bucket by the top bits (hashes are uniform), then sort buckets in parallel.
    let bits = (total / 64)
        .max(1)
        .next_power_of_two()
        .trailing_zeros()
        .min(24);
    let nb = 1usize << bits;
    let bucket = |h: u64| {
        if bits == 0 {
            0
        } else {
            (h >> (64 - bits)) as usize
        }
    };
    let mut start = vec![0usize; nb + 1];
    for &a in accounts {
        for &h in set.hashes(a) {
            start[bucket(h) + 1] += 1;
        }
    }
    for b in 0..nb {
        start[b + 1] += start[b];
    }
    let mut pairs = vec![(0u64, 0u32); total];
    let mut cursor = start.clone();
    for (i, &a) in accounts.iter().enumerate() {
        for &h in set.hashes(a) {
            let b = bucket(h);
            pairs[cursor[b]] = (h, i as u32);
            cursor[b] += 1;
        }
    }
    let mut slices = Vec::with_capacity(nb);
    let mut rest = &mut pairs[..];
    for b in 0..nb {
        let (head, tail) = rest.split_at_mut(start[b + 1] - start[b]);
        slices.push(head);
        rest = tail;
    }
    slices.into_par_iter().for_each(|s| s.sort_unstable());
    let mut offsets = Vec::with_capacity(total / 2 + 1);
    let mut lists = Vec::with_capacity(total);
    offsets.push(0);
    let mut last = None;
    for &(h, i) in &pairs {
        if last != Some(h) && last.is_some() {
            offsets.push(lists.len());
        }
        last = Some(h);
        lists.push(i);
    }
    if last.is_some() {
        offsets.push(lists.len());
    }
    Incidence {
        offsets,
        accounts: lists,
        audience: accounts
            .iter()
            .map(|&a| set.hashes(a).len() as u64)
            .collect(),
    }
}

/// Audience overlap of a list of accounts from their sketches: shared people, Jaccard and
/// containment, each with an error bound at `confidence`.
///
/// For a pair, the samples are the hashes below `t`, the smaller of the two sketches'
/// thresholds (the k-th hash of a full sketch; no threshold for an exact one): both sketches
/// hold every hash of their audience below `t`, so the samples are a uniform sample of the
/// union at rate `θ = t / 2^64`. With `c` sampled people in both and `u` in either, Jaccard is
/// `c/u` (Wilson interval over `u` samples), containment `c/a` over the `a` samples of the
/// row account, and shared people `c/θ` (score interval of `c`). Exact sketches give exact
/// values.
///
/// The intersections are not computed pair by pair: all retained hashes are grouped by value
/// and every pair holding a hash gets one count (the exact overlap kernel of
/// [`crate::overlap`](mod@crate::overlap), with the hashes as "people"), so the work is the number of
/// (pair, common sampled person) events rather than `m²·k`.
///
/// # Errors
/// [`Error::Empty`], [`Error::UnknownNode`], [`Error::DuplicateNode`] for a bad list;
/// [`Error::InvalidParameter`] for a bad confidence; [`Error::Cancelled`] through `progress`.
///
/// # Complexity
/// O(T log T) to group the T retained hashes, the pair counting of [`crate::overlap::overlap`]
/// over them, and O(m² log k) for the thresholds; O(T + m²) memory for m accounts.
pub fn overlap(
    set: &SketchSet,
    accounts: &[u32],
    confidence: f64,
    progress: &dyn Progress,
) -> Result<SketchOverlap> {
    check_confidence(confidence)?;
    check_list(set, accounts, "account list")?;
    let m = accounts.len();
    let k = set.params.k();
    let z = z_of(confidence);
    let (counts, _) = pair_counts(hash_incidence(set, accounts), m, progress)?;
    let lists: Vec<&[u64]> = accounts.iter().map(|&a| set.hashes(a)).collect();
    // Threshold of each sketch: its k-th hash when full, none when exact.
    let tau: Vec<Option<u64>> = lists
        .iter()
        .map(|l| (l.len() >= k).then(|| l[k - 1]))
        .collect();
    let audience_est: Vec<CardinalityEstimate> = lists
        .iter()
        .map(|l| estimate_of(l, k, confidence))
        .collect();
    let rows: Vec<Vec<[f64; 8]>> = (0..m)
        .into_par_iter()
        .map(|i| {
            (i + 1..m)
                .map(|j| {
                    let (a_l, b_l) = (lists[i], lists[j]);
                    let cij = counts[[i, j]] as f64;
                    let t = match (tau[i], tau[j]) {
                        (None, None) => None,
                        (Some(x), None) | (None, Some(x)) => Some(x),
                        (Some(x), Some(y)) => Some(x.min(y)),
                    };
                    let Some(t) = t else {
                        let (a, b) = (a_l.len() as f64, b_l.len() as f64);
                        let u = a + b - cij;
                        let j_ = if u > 0.0 { cij / u } else { 0.0 };
                        let ca = if a > 0.0 { cij / a } else { 0.0 };
                        let cb = if b > 0.0 { cij / b } else { 0.0 };
                        return [cij, 0.0, j_, 0.0, ca, 0.0, cb, 0.0];
                    };
                    // Samples strictly below t: the hash t itself is excluded (it defines θ).
                    let both_hold_t =
                        a_l.binary_search(&t).is_ok() && b_l.binary_search(&t).is_ok();
                    let c = cij - if both_hold_t { 1.0 } else { 0.0 };
                    let a = a_l.partition_point(|&h| h < t) as f64;
                    let b = b_l.partition_point(|&h| h < t) as f64;
                    let u = a + b - c;
                    let theta = (t as f64 + 1.0) / TWO64;
                    let (jv, jlo, jhi) = wilson(c, u, z);
                    let (cav, calo, cahi) = wilson(c, a, z);
                    let (cbv, cblo, cbhi) = wilson(c, b, z);
                    [
                        c / theta,
                        count_error(c, z) / theta,
                        jv,
                        (jhi - jv).max(jv - jlo),
                        cav,
                        (cahi - cav).max(cav - calo),
                        cbv,
                        (cbhi - cbv).max(cbv - cblo),
                    ]
                })
                .collect()
        })
        .collect();
    let mut shared = Array2::<f64>::zeros((m, m));
    let mut shared_error = Array2::<f64>::zeros((m, m));
    let mut jaccard = Array2::<f64>::zeros((m, m));
    let mut jaccard_error = Array2::<f64>::zeros((m, m));
    let mut containment = Array2::<f64>::zeros((m, m));
    let mut containment_error = Array2::<f64>::zeros((m, m));
    for (i, row) in rows.into_iter().enumerate() {
        let e = &audience_est[i];
        shared[[i, i]] = e.estimate;
        shared_error[[i, i]] = e.error_bound();
        if !lists[i].is_empty() {
            jaccard[[i, i]] = 1.0;
            containment[[i, i]] = 1.0;
        }
        for (x, v) in row.into_iter().enumerate() {
            let j = i + 1 + x;
            shared[[i, j]] = v[0];
            shared[[j, i]] = v[0];
            shared_error[[i, j]] = v[1];
            shared_error[[j, i]] = v[1];
            jaccard[[i, j]] = v[2];
            jaccard[[j, i]] = v[2];
            jaccard_error[[i, j]] = v[3];
            jaccard_error[[j, i]] = v[3];
            containment[[i, j]] = v[4];
            containment_error[[i, j]] = v[5];
            containment[[j, i]] = v[6];
            containment_error[[j, i]] = v[7];
        }
    }
    Ok(SketchOverlap {
        accounts: accounts.to_vec(),
        audience: audience_est.iter().map(|e| e.estimate).collect(),
        audience_error: audience_est.iter().map(|e| e.error_bound()).collect(),
        shared,
        shared_error,
        jaccard,
        jaccard_error,
        containment,
        containment_error,
        confidence,
        exact: tau.iter().all(Option::is_none),
    })
}

/// One step of a ladder or pick on sketches.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SketchStep {
    /// The account (index into the sketch set).
    pub account: u32,
    /// Estimated people it adds to the accounts before it.
    pub marginal_reach: f64,
    /// Estimated people reached by it and the accounts before it.
    pub cumulative_reach: f64,
    /// Error bound of `cumulative_reach` (people, at the result's confidence).
    pub cumulative_error: f64,
    /// Its cost, if it has one.
    pub cost: Option<f64>,
    /// Summed cost so far.
    pub cumulative_cost: f64,
}

/// The greedy reach ladder on sketches.
///
/// The steps name accounts by index into the sketch set; the rest is in
/// [`SketchLadder::summary`] (also readable as `ladder.sample_rate` through
/// [`Deref`](std::ops::Deref)).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SketchLadder {
    /// Steps in greedy order.
    pub steps: Vec<SketchStep>,
    /// Sample, confidence and exactness.
    #[serde(flatten)]
    pub summary: SketchLadderSummary,
}

impl std::ops::Deref for SketchLadder {
    type Target = SketchLadderSummary;

    fn deref(&self) -> &SketchLadderSummary {
        &self.summary
    }
}

/// What a [`SketchLadder`] says beyond its steps.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SketchLadderSummary {
    /// Sampling rate of the people the greedy counted (1 when exact).
    pub sample_rate: f64,
    /// Sampled people the greedy counted.
    pub samples: usize,
    /// Confidence of the error bounds.
    pub confidence: f64,
    /// True when the sample is every person (all candidate sketches exact).
    pub exact: bool,
}

/// A budgeted pick on sketches.
///
/// The accounts and steps are indexes into the sketch set; the rest is in
/// [`SketchBudgetPick::summary`] (also readable as `pick.unique_reach` through
/// [`Deref`](std::ops::Deref)).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SketchBudgetPick {
    /// Accounts chosen, in pick order.
    pub accounts: Vec<u32>,
    /// What each added.
    pub steps: Vec<SketchStep>,
    /// Budget, cost, reach with its bound, method and sample.
    #[serde(flatten)]
    pub summary: SketchPickSummary,
}

impl std::ops::Deref for SketchBudgetPick {
    type Target = SketchPickSummary;

    fn deref(&self) -> &SketchPickSummary {
        &self.summary
    }
}

/// What a [`SketchBudgetPick`] says beyond its accounts and steps.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SketchPickSummary {
    /// The budget.
    pub budget: f64,
    /// Summed cost (≤ budget).
    pub total_cost: f64,
    /// Estimated distinct people reached.
    pub unique_reach: f64,
    /// Its error bound (people, at `confidence`).
    pub error_bound: f64,
    /// Which candidate solution won.
    pub method: crate::coverage::PickMethod,
    /// Guarantee against the best affordable set on the sample, `1 − 1/√e`.
    pub guarantee: f64,
    /// Sampling rate of the people counted.
    pub sample_rate: f64,
    /// Confidence of the error bounds.
    pub confidence: f64,
    /// True when the sample is every person.
    pub exact: bool,
}

/// A coordinated sample of people over candidate accounts: every hash below the smallest
/// threshold of the candidates' sketches, which each candidate's sketch holds in full.
struct Sample {
    /// Follower lists of local candidate `c` as local sampled-person ids.
    offsets: Vec<usize>,
    people: Vec<u32>,
    identity: Vec<u32>,
    weight: Vec<f32>,
    rate: f64,
    exact: bool,
}

impl Sample {
    fn new(set: &SketchSet, cands: &[u32]) -> Sample {
        let k = set.params.k();
        let t = cands
            .iter()
            .filter_map(|&c| {
                let l = set.hashes(c);
                (l.len() >= k).then(|| l[k - 1])
            })
            .min();
        let prefix = |c: u32| {
            let l = set.hashes(c);
            match t {
                Some(t) => &l[..l.partition_point(|&h| h < t)],
                None => l,
            }
        };
        let mut all: Vec<u64> = cands
            .iter()
            .flat_map(|&c| prefix(c).iter().copied())
            .collect();
        all.par_sort_unstable();
        all.dedup();
        let mut offsets = vec![0];
        let mut people = Vec::new();
        for &c in cands {
            people.extend(
                prefix(c)
                    .iter()
                    .map(|h| all.binary_search(h).expect("collected above") as u32),
            );
            offsets.push(people.len());
        }
        Sample {
            offsets,
            people,
            identity: (0..all.len() as u32).collect(),
            weight: vec![1.0; all.len()],
            rate: t.map_or(1.0, |t| (t as f64 + 1.0) / TWO64),
            exact: t.is_none(),
        }
    }

    fn source(&self) -> Source<'_> {
        Source {
            out: Csr {
                offsets: &self.offsets,
                neighbors: &self.people,
                probs: &[],
            },
            of_account: &self.identity,
            weight: &self.weight,
        }
    }

    fn step(&self, cands: &[u32], s: &coverage::LadderStep, z: f64) -> SketchStep {
        let cum = s.cumulative_people as f64;
        SketchStep {
            account: cands[s.account as usize],
            marginal_reach: s.marginal_people as f64 / self.rate,
            cumulative_reach: cum / self.rate,
            cumulative_error: if self.exact {
                0.0
            } else {
                count_error(cum, z) / self.rate
            },
            cost: s.cost,
            cumulative_cost: s.cumulative_cost,
        }
    }
}

fn candidate_list(set: &SketchSet, candidates: Option<&[u32]>) -> Result<Vec<u32>> {
    match candidates {
        None => Ok((0..set.len() as u32).collect()),
        Some(c) => {
            check_list(set, c, "candidate set")?;
            Ok(c.to_vec())
        }
    }
}

/// The greedy reach ladder on sketches: `k` accounts, each adding the most (estimated)
/// people to those before it.
///
/// The greedy runs on a coordinated sample of people: every hash below the smallest threshold
/// of the candidates' sketches, which every candidate's sketch holds in full. On that sample
/// reach is an exact coverage function, so the lazy greedy of [`crate::coverage`] (the same
/// code) applies with its `1 − 1/e` guarantee on the sample; counts are scaled by the sampling
/// rate, and each cumulative reach carries a score interval. A candidate with a huge audience
/// lowers the rate for all, so the sample holds at least `k − 1` people of the largest
/// audience.
///
/// # Errors
/// [`Error::InvalidParameter`] for `steps == 0` or a bad confidence; [`Error::KTooLarge`];
/// [`Error::Empty`] / [`Error::UnknownNode`] / [`Error::DuplicateNode`] for bad candidates.
pub fn ladder(
    set: &SketchSet,
    candidates: Option<&[u32]>,
    steps: usize,
    confidence: f64,
) -> Result<SketchLadder> {
    check_confidence(confidence)?;
    if steps == 0 {
        return Err(Error::invalid_parameter("k", 0, "must be at least 1"));
    }
    let cands = candidate_list(set, candidates)?;
    if steps > cands.len() {
        return Err(Error::KTooLarge {
            k: steps,
            candidates: cands.len(),
        });
    }
    let sample = Sample::new(set, &cands);
    let local: Vec<u32> = (0..cands.len() as u32).collect();
    let costs = vec![f64::NAN; cands.len()];
    let l = coverage::greedy_ladder(
        sample.source(),
        &local,
        steps,
        &ReachOptions::default(),
        &costs,
    );
    let z = z_of(confidence);
    Ok(SketchLadder {
        steps: l.steps.iter().map(|s| sample.step(&cands, s, z)).collect(),
        summary: SketchLadderSummary {
            sample_rate: sample.rate,
            samples: sample.identity.len(),
            confidence,
            exact: sample.exact,
        },
    })
}

/// Budgeted pick on sketches: the most (estimated) people for a budget, by the cost-effective
/// greedy and best-single rule of [`crate::coverage::budget_pick`] on the coordinated sample
/// of [`ladder`].
///
/// # Arguments
/// - `costs`: one per account of the set (NaN: not for hire);
/// - `candidates`: restrict to these (those without a cost are skipped), or `None`.
///
/// # Errors
/// [`Error::InvalidParameter`] for a bad budget or confidence; [`Error::LengthMismatch`] when
/// `costs` does not match the set; [`Error::InvalidAttribute`] for a negative or infinite
/// cost; [`Error::MissingAttribute`] when no candidate has a cost; [`Error::BudgetTooSmall`];
/// bad candidate lists as [`ladder`].
pub fn budget_pick(
    set: &SketchSet,
    candidates: Option<&[u32]>,
    costs: &[f64],
    budget: f64,
    confidence: f64,
) -> Result<SketchBudgetPick> {
    check_confidence(confidence)?;
    coverage::check_budget(budget)?;
    if costs.len() != set.len() {
        return Err(Error::LengthMismatch {
            column: "cost".into(),
            got: costs.len(),
            expected: set.len(),
        });
    }
    if let Some(i) = costs.iter().position(|c| c.is_infinite() || *c < 0.0) {
        return Err(Error::InvalidAttribute {
            column: "cost".into(),
            node: set.account(i as u32).to_string(),
            reason: format!("{} is not a finite number >= 0", costs[i]),
        });
    }
    let cands = coverage::affordable(candidate_list(set, candidates)?, costs, budget)?;
    let sample = Sample::new(set, &cands);
    let local: Vec<u32> = (0..cands.len() as u32).collect();
    let local_costs: Vec<f64> = cands.iter().map(|&a| costs[a as usize]).collect();
    let p = coverage::greedy_budget(
        sample.source(),
        &local,
        budget,
        &ReachOptions::default(),
        &local_costs,
    );
    let z = z_of(confidence);
    let steps: Vec<SketchStep> = p.steps.iter().map(|s| sample.step(&cands, s, z)).collect();
    let people = p.people as f64;
    Ok(SketchBudgetPick {
        accounts: p.accounts.iter().map(|&a| cands[a as usize]).collect(),
        steps,
        summary: SketchPickSummary {
            budget,
            total_cost: p.total_cost,
            unique_reach: people / sample.rate,
            error_bound: if sample.exact {
                0.0
            } else {
                count_error(people, z) / sample.rate
            },
            method: p.method,
            guarantee: BUDGET_GUARANTEE,
            sample_rate: sample.rate,
            confidence,
            exact: sample.exact,
        },
    })
}

/// Expected error of sketch answers for a sketch size and (optionally) a set size.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ErrorReport {
    /// `lg_k` of the sketches.
    pub lg_k: u8,
    /// Hashes per sketch, `2^lg_k`.
    pub k: usize,
    /// The set size asked about, if any.
    pub set_size: Option<u64>,
    /// Confidence of the bounds.
    pub confidence: f64,
    /// True when a set of `set_size` people fits in one sketch: the answer is exact.
    pub exact: bool,
    /// Relative standard error of a bottom-k union estimate, `1/√(k − 2)` (0 when exact).
    pub relative_standard_error: f64,
    /// Relative error bound at `confidence` (the wider side of the Gamma interval).
    pub relative_error_bound: f64,
    /// Absolute error bound of a Jaccard estimate at `confidence` in the worst case
    /// (J = 0.5, `k` samples of the union).
    pub jaccard_error_bound: f64,
    /// Bytes of one full bottom-k sketch (8 per hash).
    pub bytes_per_sketch: usize,
    /// Smallest `lg_k` whose union bound at `confidence` is at most 2%.
    pub lg_k_for_2_percent: u8,
    /// Relative standard errors DataSketches documents at this `lg_k`, for comparison:
    /// `(family, rse)` for CPC, HLL and Theta.
    pub datasketches_rse: Vec<(String, f64)>,
}

fn union_bound(k: usize, confidence: f64) -> f64 {
    // Relative to the truth N: the estimate (k−1)/U with N·U ~ Gamma(k, 1).
    let e = kth_estimate(u64::MAX / 1024, k, confidence);
    e.error_bound() / e.estimate
}

/// The expected relative error of a union (reach) estimate and the worst-case Jaccard error
/// for sketches of `lg_k`, for a set of `set_size` people when given.
///
/// # Errors
/// [`Error::InvalidParameter`] for `lg_k` out of range or a bad confidence.
pub fn expected_error(lg_k: u8, set_size: Option<u64>, confidence: f64) -> Result<ErrorReport> {
    check_confidence(confidence)?;
    let params = SketchParams::new(lg_k, 0)?;
    let k = params.k();
    let exact = set_size.is_some_and(|n| n < k as u64);
    let z = z_of(confidence);
    let lg_k_for_2_percent = (MIN_LG_K..=MAX_LG_K)
        .find(|&l| union_bound(1 << l, confidence) <= 0.02)
        .unwrap_or(MAX_LG_K);
    use super::ds::DsKind;
    Ok(ErrorReport {
        lg_k,
        k,
        set_size,
        confidence,
        exact,
        relative_standard_error: if exact {
            0.0
        } else {
            1.0 / ((k as f64) - 2.0).sqrt()
        },
        relative_error_bound: if exact {
            0.0
        } else {
            union_bound(k, confidence)
        },
        jaccard_error_bound: if exact {
            0.0
        } else {
            z * (0.25 / k as f64).sqrt()
        },
        bytes_per_sketch: 8 * k,
        lg_k_for_2_percent,
        datasketches_rse: [
            ("cpc", DsKind::Cpc),
            ("hll", DsKind::Hll),
            ("theta", DsKind::Theta),
        ]
        .iter()
        .map(|(n, kind)| (n.to_string(), kind.rse(lg_k)))
        .collect(),
    })
}

/// One comparison of a sketch answer with the exact one.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CheckRow {
    /// What was compared (`"reach"` or `"jaccard"`) and of which accounts.
    pub what: String,
    /// The exact value.
    pub exact: f64,
    /// The sketch estimate.
    pub estimate: f64,
    /// The sketch's error bound.
    pub error_bound: f64,
    /// `|estimate − exact|` (relative to `exact` for reach, absolute for Jaccard).
    pub error: f64,
    /// True when `|estimate − exact| ≤ error_bound`.
    pub within_bound: bool,
}

/// Sketch answers against exact ones on the same graph.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CheckReport {
    /// Confidence of the bounds.
    pub confidence: f64,
    /// One row per comparison.
    pub rows: Vec<CheckRow>,
    /// Rows within their bound.
    pub within: usize,
    /// Largest relative error of a reach estimate.
    pub max_reach_error: f64,
    /// Largest absolute error of a Jaccard estimate.
    pub max_jaccard_error: f64,
}

/// Compares sketch answers with exact ones on `graph`: the unique reach of each account set
/// ([`crate::reach::unique_reach`], in people) and the Jaccard similarity of every pair of the
/// first set ([`crate::overlap::overlap`]). At confidence `c`, about a share `c` of the rows
/// should be within their bounds.
///
/// # Arguments
/// - `graph`: the graph the sketches describe; `set`: its sketches (accounts matched by id);
/// - `account_sets`: lists of graph account ids (dense), each non-empty and distinct.
///
/// # Errors
/// [`Error::UnknownNode`] when an account has no sketch; errors of the exact and sketch
/// functions otherwise.
pub fn check(
    graph: &Graph,
    set: &SketchSet,
    account_sets: &[Vec<u32>],
    confidence: f64,
    progress: &dyn Progress,
) -> Result<CheckReport> {
    check_confidence(confidence)?;
    let to_set = |ids: &[u32]| -> Result<Vec<u32>> {
        let labels: Vec<String> = ids.iter().map(|&a| graph.label(a)).collect();
        set.resolve(&labels, "checked accounts")
    };
    let mut rows = Vec::new();
    for ids in account_sets {
        let exact = crate::reach::unique_reach(graph, ids, &ReachOptions::default())?;
        let est = union_reach(set, &to_set(ids)?, confidence)?;
        let x = exact.unique_people as f64;
        let err = (est.unique_reach - x).abs();
        rows.push(CheckRow {
            what: format!("reach of {} accounts", ids.len()),
            exact: x,
            estimate: est.unique_reach,
            error_bound: est.error_bound,
            error: if x > 0.0 { err / x } else { err },
            within_bound: err <= est.error_bound + 1e-9 * x.max(1.0),
        });
    }
    if let Some(first) = account_sets.first() {
        let ex = crate::overlap::overlap(graph, first, progress)?;
        let sk = overlap(set, &to_set(first)?, confidence, progress)?;
        for i in 0..first.len() {
            for j in i + 1..first.len() {
                let (x, e, b) = (
                    ex.jaccard[[i, j]],
                    sk.jaccard[[i, j]],
                    sk.jaccard_error[[i, j]],
                );
                rows.push(CheckRow {
                    what: format!(
                        "jaccard {} | {}",
                        graph.label(first[i]),
                        graph.label(first[j])
                    ),
                    exact: x,
                    estimate: e,
                    error_bound: b,
                    error: (e - x).abs(),
                    within_bound: (e - x).abs() <= b + 1e-12,
                });
            }
        }
    }
    let within = rows.iter().filter(|r| r.within_bound).count();
    let max_of = |p: &str| {
        rows.iter()
            .filter(|r| r.what.starts_with(p))
            .map(|r| r.error)
            .fold(0.0, f64::max)
    };
    Ok(CheckReport {
        confidence,
        max_reach_error: max_of("reach"),
        max_jaccard_error: max_of("jaccard"),
        within,
        rows,
    })
}
