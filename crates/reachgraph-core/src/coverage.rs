//! Greedy selection on exact reach: incremental reach, the reach ladder, budgeted picks.
//!
//! Unique reach (people following at least one chosen account) is a coverage function:
//! monotone and submodular in the chosen set. So
//!
//! - the greedy *reach ladder* (repeatedly add the account that adds the most people) is within
//!   `1 − 1/e` of the best `k` accounts (Nemhauser, Wolsey, Fisher 1978), and lazy evaluation
//!   (CELF, Leskovec et al. 2007) skips most re-evaluations without changing the answer;
//! - under a budget, the better of cost-effective greedy (most people per unit of cost) and the
//!   best single affordable account is within `1 − 1/√e` of the best affordable set (Khuller,
//!   Moss, Naor 1999; Leskovec et al. 2007).
//!
//! Everything here is deterministic: gains are exact (people counts, or person weights summed
//! in a fixed order) and ties go to the lower dense id.

use crate::error::{Error, Result};
use crate::graph::{Csr, Graph};
use crate::reach::ReachOptions;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use std::cmp::Ordering;
use std::collections::BinaryHeap;

/// The approximation guarantee of [`budget_pick`]: `1 − 1/√e ≈ 0.393`.
pub const BUDGET_GUARANTEE: f64 = 0.393_469_340_287_366_6;

/// What the greedy maximizes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Objective {
    /// Distinct people reached (when [`ReachOptions::target_only`] is off).
    People,
    /// Summed target weight of the people reached (when [`ReachOptions::target_only`] is on).
    TargetWeight,
}

impl Objective {
    /// The wire name (`people`, `target_weight`).
    pub fn as_str(self) -> &'static str {
        match self {
            Objective::People => "people",
            Objective::TargetWeight => "target_weight",
        }
    }

    /// The objective [`ReachOptions`] select: `TargetWeight` with `target_only`, else `People`.
    pub fn from_options(opts: &ReachOptions) -> Self {
        if opts.target_only {
            Objective::TargetWeight
        } else {
            Objective::People
        }
    }

    fn value(self, people: u64, weight: f64) -> f64 {
        match self {
            Objective::People => people as f64,
            Objective::TargetWeight => weight,
        }
    }
}

/// One account added to a selection, and what it added.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LadderStep {
    /// The account (dense id).
    pub account: u32,
    /// People it adds to the accounts before it.
    pub marginal_people: u64,
    /// People reached by it and the accounts before it.
    pub cumulative_people: u64,
    /// Target weight it adds.
    pub marginal_weight: f64,
    /// Target weight reached by it and the accounts before it.
    pub cumulative_weight: f64,
    /// Its cost, if it has one.
    pub cost: Option<f64>,
    /// Summed cost of it and the accounts before it (accounts without a cost add 0).
    pub cumulative_cost: f64,
}

/// The greedy reach ladder: accounts in the order greedy adds them.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Ladder {
    /// One step per account chosen.
    pub steps: Vec<LadderStep>,
    /// What was maximized.
    pub objective: Objective,
}

/// How a seed set was chosen: one name for budgeted picks on exact reach, on sketches and in
/// seed selection.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PickMethod {
    /// Greedy on marginal gain, for a number of accounts (`k`).
    Greedy,
    /// Greedy on marginal gain per unit of cost, for a budget.
    CostEffectiveGreedy,
    /// The one affordable account that beat cost-effective greedy on its own.
    BestSingle,
    /// A baseline's ranking (degree, degree discount, PageRank, random): the first `k`.
    Ranking,
}

impl PickMethod {
    /// The wire name (`greedy`, `cost_effective_greedy`, `best_single`, `ranking`).
    pub fn as_str(self) -> &'static str {
        match self {
            PickMethod::Greedy => "greedy",
            PickMethod::CostEffectiveGreedy => "cost_effective_greedy",
            PickMethod::BestSingle => "best_single",
            PickMethod::Ranking => "ranking",
        }
    }
}

impl std::fmt::Display for Objective {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::fmt::Display for PickMethod {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The result of [`budget_pick`].
///
/// The accounts and steps are dense ids; the budget, cost, reach and method are in
/// [`BudgetPick::summary`] (also readable as `pick.people` through
/// [`Deref`](std::ops::Deref)).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BudgetPick {
    /// Accounts chosen, in the order they were added.
    pub accounts: Vec<u32>,
    /// What each chosen account added.
    pub steps: Vec<LadderStep>,
    /// What was maximized.
    // Not in the summary: the API's budget-pick answer does not carry it.
    pub objective: Objective,
    /// Budget, cost, reach and method.
    #[serde(flatten)]
    pub summary: BudgetPickSummary,
}

impl std::ops::Deref for BudgetPick {
    type Target = BudgetPickSummary;

    fn deref(&self) -> &BudgetPickSummary {
        &self.summary
    }
}

/// What a [`BudgetPick`] says beyond its accounts and steps.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct BudgetPickSummary {
    /// The budget.
    pub budget: f64,
    /// Summed cost of the chosen accounts (≤ `budget`).
    pub total_cost: f64,
    /// Distinct people reached by the chosen accounts.
    pub people: u64,
    /// Target weight reached by the chosen accounts.
    pub target_weight: f64,
    /// Which candidate solution won.
    pub method: PickMethod,
    /// The approximation guarantee against the best affordable set, `1 − 1/√e`.
    pub guarantee: f64,
}

/// What coverage is counted over: each account's follower list, each follower's person, and
/// each person's weight. A graph gives one ([`Source::of_graph`]); the sketch module builds one
/// over sampled people.
#[derive(Clone, Copy)]
pub(crate) struct Source<'g> {
    /// Follower lists (only `neighbors` is read).
    pub(crate) out: Csr<'g>,
    /// Person of each follower id.
    pub(crate) of_account: &'g [u32],
    /// Weight of each person; its length is the number of people.
    pub(crate) weight: &'g [f32],
}

impl<'g> Source<'g> {
    pub(crate) fn of_graph(graph: &'g Graph) -> Self {
        let people = graph.people();
        Source {
            out: graph.out_csr_without_probabilities(),
            of_account: &people.of_account,
            weight: &people.weight,
        }
    }
}

/// People covered so far, and the scratch to evaluate marginal gains.
struct Cover<'g> {
    out: Csr<'g>,
    of_account: &'g [u32],
    weight: &'g [f32],
    opts: ReachOptions,
    covered: Vec<u64>,
    /// `stamp[p] == epoch` marks person `p` as already counted in the current evaluation.
    stamp: Vec<u32>,
    epoch: u32,
    people: u64,
    total_weight: f64,
    cost: f64,
}

impl<'g> Cover<'g> {
    fn new(src: Source<'g>, opts: ReachOptions) -> Self {
        let count = src.weight.len();
        Cover {
            out: src.out,
            of_account: src.of_account,
            weight: src.weight,
            opts,
            covered: vec![0; count.div_ceil(64)],
            stamp: vec![0; count],
            epoch: 0,
            people: 0,
            total_weight: 0.0,
            cost: 0.0,
        }
    }

    /// People and weight that adding `a` would add; with `commit`, adds them. Its own person
    /// comes first (with `include_seeds`), then its followers in list order, so the weight sum
    /// has one fixed order.
    fn gain(&mut self, a: u32, commit: bool) -> (u64, f64) {
        self.epoch = self.epoch.wrapping_add(1);
        if self.epoch == 0 {
            self.stamp.iter_mut().for_each(|s| *s = 0);
            self.epoch = 1;
        }
        let mut acc = (0u64, 0f64);
        let (out, of_account) = (self.out, self.of_account);
        if self.opts.include_seeds {
            self.visit(of_account[a as usize], commit, &mut acc);
        }
        for &v in out.neighbors(a) {
            self.visit(of_account[v as usize], commit, &mut acc);
        }
        acc
    }

    #[inline]
    fn visit(&mut self, p: u32, commit: bool, acc: &mut (u64, f64)) {
        let (i, bit) = (p as usize >> 6, 1u64 << (p & 63));
        let pw = self.weight[p as usize];
        if self.covered[i] & bit != 0
            || (self.opts.target_only && pw <= 0.0)
            || self.stamp[p as usize] == self.epoch
        {
            return;
        }
        self.stamp[p as usize] = self.epoch;
        acc.0 += 1;
        acc.1 += pw as f64;
        if commit {
            self.covered[i] |= bit;
        }
    }

    /// Adds `a` and returns its ladder step.
    fn add(&mut self, a: u32, cost: f64) -> LadderStep {
        let (n, w) = self.gain(a, true);
        self.people += n;
        self.total_weight += w;
        if !cost.is_nan() {
            self.cost += cost;
        }
        LadderStep {
            account: a,
            marginal_people: n,
            cumulative_people: self.people,
            marginal_weight: w,
            cumulative_weight: self.total_weight,
            cost: (!cost.is_nan()).then_some(cost),
            cumulative_cost: self.cost,
        }
    }
}

/// Gains of each candidate against an empty selection, in parallel (each worker with its own
/// scratch; the gain of one account is computed serially, so it does not depend on threads).
fn initial_gains(src: Source<'_>, candidates: &[u32], opts: ReachOptions) -> Vec<(u64, f64)> {
    let edges: usize = candidates.iter().map(|&a| src.out.degree(a)).sum();
    if edges < crate::reach::PARALLEL_THRESHOLD {
        let mut cover = Cover::new(src, opts);
        return candidates.iter().map(|&a| cover.gain(a, false)).collect();
    }
    // One scratch per rayon job (not per account): its stamp array spans all people.
    candidates
        .par_iter()
        .with_min_len(256)
        .map_init(|| Cover::new(src, opts), |cover, &a| cover.gain(a, false))
        .collect()
}

/// A heap entry: larger `key` first, then lower id. `round` is the selection size the gain
/// was computed against (stale entries are upper bounds, by submodularity).
#[derive(Debug, Clone, Copy)]
struct Entry {
    key: (f64, f64),
    id: u32,
    round: usize,
}

impl PartialEq for Entry {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}
impl Eq for Entry {}
impl PartialOrd for Entry {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Entry {
    fn cmp(&self, other: &Self) -> Ordering {
        self.key
            .0
            .total_cmp(&other.key.0)
            .then(self.key.1.total_cmp(&other.key.1))
            .then(other.id.cmp(&self.id))
    }
}

/// A budget must be a finite number above zero.
pub(crate) fn check_budget(budget: f64) -> Result<()> {
    if !(budget.is_finite() && budget > 0.0) {
        return Err(Error::invalid_parameter(
            "budget",
            budget,
            "must be a finite number > 0",
        ));
    }
    Ok(())
}

/// The candidates a budgeted pick can take: those with a cost (not NaN) of at most `budget`.
///
/// # Errors
/// [`Error::MissingAttribute`] when no candidate has a cost, [`Error::BudgetTooSmall`] when
/// even the cheapest costs more than the budget.
pub(crate) fn affordable(listed: Vec<u32>, costs: &[f64], budget: f64) -> Result<Vec<u32>> {
    let with_cost: Vec<u32> = listed
        .into_iter()
        .filter(|&a| !costs[a as usize].is_nan())
        .collect();
    if with_cost.is_empty() {
        return Err(Error::MissingAttribute {
            column: "cost".into(),
            reason: "no candidate account has a cost; a budgeted pick needs costs".into(),
        });
    }
    let min_cost = with_cost
        .iter()
        .map(|&a| costs[a as usize])
        .fold(f64::INFINITY, f64::min);
    if min_cost > budget {
        return Err(Error::BudgetTooSmall { budget, min_cost });
    }
    Ok(with_cost
        .into_iter()
        .filter(|&a| costs[a as usize] <= budget)
        .collect())
}

/// Candidate list: all accounts, or the given ones (checked).
fn candidate_list(graph: &Graph, candidates: Option<&[u32]>) -> Result<Vec<u32>> {
    match candidates {
        None => Ok((0..graph.node_count() as u32).collect()),
        Some(c) => {
            if c.is_empty() {
                return Err(Error::Empty {
                    what: "candidate set".into(),
                });
            }
            graph.check_nodes(c, "candidate set")?;
            Ok(c.to_vec())
        }
    }
}

/// What adding one account to a set adds.
///
/// # Arguments
/// - `graph`: the follower graph with its attributes;
/// - `base`: the accounts already chosen (distinct; may be empty);
/// - `add`: the account to add (if it is already in `base` it adds nothing);
/// - `opts`: see [`ReachOptions`]; with `target_only`, only people with positive weight count.
///
/// # Returns
/// A [`LadderStep`] for `add`: the people and weight it adds to `base`, the totals of
/// `base ∪ {add}`, its cost and the summed cost of `base ∪ {add}`.
///
/// # Errors
/// [`Error::UnknownNode`] for an id out of range; [`Error::DuplicateNode`] for a repeat in
/// `base`.
///
/// # Complexity
/// O(E + P) for E follow edges of `base` and `add` and P people (one scratch entry per person).
///
/// # Example
/// ```
/// use reachgraph_core::{GraphBuilder, GraphOptions, ReachOptions, coverage::incremental_reach};
/// let mut b = GraphBuilder::new(GraphOptions::default());
/// for (u, v) in [("a", "x"), ("a", "y"), ("b", "y"), ("b", "z")] {
///     b.add_edge(u, v, None).unwrap();
/// }
/// let (g, _) = b.build().unwrap();
/// let (a, bb) = (g.node("a").unwrap(), g.node("b").unwrap());
/// let step = incremental_reach(&g, &[a], bb, &ReachOptions::default()).unwrap();
/// assert_eq!((step.marginal_people, step.cumulative_people), (1, 3)); // z is new
/// ```
pub fn incremental_reach(
    graph: &Graph,
    base: &[u32],
    add: u32,
    opts: &ReachOptions,
) -> Result<LadderStep> {
    graph.check_nodes(base, "base set")?;
    graph.check_nodes(&[add], "added account")?;
    let costs = &graph.attributes().cost;
    let mut cover = Cover::new(Source::of_graph(graph), *opts);
    for &a in base {
        cover.add(a, costs[a as usize]);
    }
    let cost = if base.contains(&add) {
        f64::NAN
    } else {
        costs[add as usize]
    };
    let mut step = cover.add(add, cost);
    step.cost = (!costs[add as usize].is_nan()).then_some(costs[add as usize]);
    Ok(step)
}

/// The greedy reach ladder: `k` accounts, each the one adding the most people (or target
/// weight) to those before it.
///
/// Lazy (CELF) evaluation: an account's gain against an earlier selection bounds its gain now
/// (submodularity), so only accounts whose stale bound tops the queue are re-evaluated; the
/// result equals plain greedy's. Once every reachable person is covered the remaining steps add
/// nothing and go to the lowest ids.
///
/// # Arguments
/// - `graph`: the follower graph with its attributes;
/// - `candidates`: accounts to choose from (distinct), or `None` for all accounts;
/// - `k`: steps (≥ 1, at most the number of candidates);
/// - `opts`: with `target_only` the [`Objective::TargetWeight`] is maximized, else
///   [`Objective::People`]; with `include_seeds` a chosen account reaches its own person.
///
/// # Returns
/// A [`Ladder`] with one [`LadderStep`] per account, in greedy order; marginal gains are
/// non-increasing. Ties go to the lower dense id.
///
/// # Errors
/// [`Error::InvalidParameter`] for `k == 0`; [`Error::KTooLarge`] when `k` exceeds the
/// candidates; [`Error::Empty`] for an empty candidate list; [`Error::UnknownNode`] /
/// [`Error::DuplicateNode`] for a bad candidate.
///
/// # Complexity
/// O(m + P) for the first gains (parallel), then O(log c) heap work and one re-evaluation
/// (O(out-degree)) per stale pop; in the worst case O(k·m), typically a small multiple of the
/// chosen accounts' degrees. O(c + P) memory for c candidates and P people.
///
/// # Example
/// ```
/// use reachgraph_core::{GraphBuilder, GraphOptions, ReachOptions, coverage::reach_ladder};
/// let mut b = GraphBuilder::new(GraphOptions::default());
/// for (u, v) in [("a", "x"), ("a", "y"), ("a", "z"), ("b", "y"), ("b", "z"), ("c", "w")] {
///     b.add_edge(u, v, None).unwrap();
/// }
/// let (g, _) = b.build().unwrap();
/// let ladder = reach_ladder(&g, None, 2, &ReachOptions::default()).unwrap();
/// let order: Vec<String> = ladder.steps.iter().map(|s| g.label(s.account)).collect();
/// assert_eq!(order, ["a", "c"]); // b adds nothing after a
/// assert_eq!(ladder.steps[1].cumulative_people, 4);
/// ```
pub fn reach_ladder(
    graph: &Graph,
    candidates: Option<&[u32]>,
    k: usize,
    opts: &ReachOptions,
) -> Result<Ladder> {
    if k == 0 {
        return Err(Error::invalid_parameter("k", 0, "must be at least 1"));
    }
    let cands = candidate_list(graph, candidates)?;
    if k > cands.len() {
        return Err(Error::KTooLarge {
            k,
            candidates: cands.len(),
        });
    }
    Ok(greedy_ladder(
        Source::of_graph(graph),
        &cands,
        k,
        opts,
        &graph.attributes().cost.as_slice(),
    ))
}

/// Lazy greedy over `cands` on `src` (arguments checked by the caller); `costs` by account id
/// (NaN: none).
pub(crate) fn greedy_ladder(
    src: Source<'_>,
    cands: &[u32],
    k: usize,
    opts: &ReachOptions,
    costs: &[f64],
) -> Ladder {
    let objective = Objective::from_options(opts);
    let gains = initial_gains(src, cands, *opts);
    let entry = |id: u32, (people, weight): (u64, f64), round: usize| Entry {
        key: (objective.value(people, weight), 0.0),
        id,
        round,
    };
    let mut heap: BinaryHeap<Entry> = cands
        .iter()
        .zip(gains)
        .map(|(&id, g)| entry(id, g, 0))
        .collect();
    let mut cover = Cover::new(src, *opts);
    let mut steps = Vec::with_capacity(k);
    while steps.len() < k {
        let Some(top) = heap.pop() else { break };
        if top.round == steps.len() {
            steps.push(cover.add(top.id, costs[top.id as usize]));
        } else {
            let g = cover.gain(top.id, false);
            heap.push(entry(top.id, g, steps.len()));
        }
    }
    Ladder { steps, objective }
}

/// Budgeted selection on exact reach: the most people (or target weight) for a budget.
///
/// Runs cost-effective greedy — repeatedly the affordable account with the largest marginal
/// gain per unit of cost, lazily evaluated; accounts that no longer fit are dropped — and
/// compares it with the best single affordable account; returns the better. That pair is within
/// `1 − 1/√e` of the best affordable set (Khuller, Moss, Naor 1999; used by CELF, Leskovec et
/// al. 2007). Zero-cost accounts are taken first if they add anyone; accounts that add nothing
/// are never taken.
///
/// # Arguments
/// - `graph`: the follower graph with attributes; accounts with a cost (not NaN) are the
///   candidates;
/// - `candidates`: restrict to these accounts (those without a cost are skipped), or `None`;
/// - `budget`: the budget (finite, > 0);
/// - `opts`: as for [`reach_ladder`].
///
/// # Returns
/// A [`BudgetPick`]: the accounts, a step per account, the total cost (never above `budget`),
/// the people and weight reached, and which method won.
///
/// # Errors
/// [`Error::InvalidParameter`] for a budget that is NaN, infinite or ≤ 0;
/// [`Error::MissingAttribute`] (`cost`) when no candidate has a cost; [`Error::BudgetTooSmall`]
/// when every candidate costs more than the budget; [`Error::Empty`] /
/// [`Error::UnknownNode`] / [`Error::DuplicateNode`] for a bad candidate list.
///
/// # Complexity
/// As [`reach_ladder`], over the affordable candidates.
///
/// # Example
/// ```
/// use reachgraph_core::{Attributes, GraphBuilder, GraphOptions, ReachOptions, coverage::budget_pick};
/// let mut b = GraphBuilder::new(GraphOptions::default());
/// for (u, v) in [("big", "x"), ("big", "y"), ("big", "z"), ("s1", "x"), ("s2", "w")] {
///     b.add_edge(u, v, None).unwrap();
/// }
/// let (mut g, _) = b.build().unwrap();
/// let mut a = Attributes::new(g.node_count());
/// for (name, cost) in [("big", 100.0), ("s1", 10.0), ("s2", 10.0)] {
///     a.cost[g.node(name).unwrap() as usize] = cost;
/// }
/// g.set_attributes(a).unwrap();
/// // Greedy takes s1 and s2 (most people per dollar), then big no longer fits in 110:
/// // 2 people. The best single account, big, reaches 3 and wins.
/// let pick = budget_pick(&g, None, 110.0, &ReachOptions::default()).unwrap();
/// assert_eq!((pick.method.as_str(), pick.people), ("best_single", 3));
/// // With 120, greedy fits all three: 4 people.
/// let pick = budget_pick(&g, None, 120.0, &ReachOptions::default()).unwrap();
/// assert_eq!((pick.method.as_str(), pick.people, pick.total_cost), ("cost_effective_greedy", 4, 120.0));
/// ```
pub fn budget_pick(
    graph: &Graph,
    candidates: Option<&[u32]>,
    budget: f64,
    opts: &ReachOptions,
) -> Result<BudgetPick> {
    check_budget(budget)?;
    let costs = &graph.attributes().cost.as_slice();
    let cands = affordable(candidate_list(graph, candidates)?, costs, budget)?;
    Ok(greedy_budget(
        Source::of_graph(graph),
        &cands,
        budget,
        opts,
        costs,
    ))
}

/// Cost-effective greedy and best single over affordable `cands` with costs (checked by the
/// caller).
pub(crate) fn greedy_budget(
    src: Source<'_>,
    cands: &[u32],
    budget: f64,
    opts: &ReachOptions,
    costs: &[f64],
) -> BudgetPick {
    let objective = Objective::from_options(opts);
    let gains = initial_gains(src, cands, *opts);

    // Best single affordable account: largest gain, then cheaper, then lower id.
    let mut best_single: Option<(u32, f64)> = None;
    for (&a, &(n, w)) in cands.iter().zip(&gains) {
        let v = objective.value(n, w);
        if v <= 0.0 {
            continue;
        }
        let better = match best_single {
            None => true,
            Some((b, bv)) => v > bv || (v == bv && (costs[a as usize], a) < (costs[b as usize], b)),
        };
        if better {
            best_single = Some((a, v));
        }
    }

    // Cost-effective greedy. Key: gain per cost (zero cost with a gain ranks first), then gain.
    let entry = |id: u32, (people, weight): (u64, f64), round: usize| {
        let value = objective.value(people, weight);
        let cost = costs[id as usize];
        let ratio = if value <= 0.0 {
            0.0
        } else if cost > 0.0 {
            value / cost
        } else {
            f64::INFINITY
        };
        Entry {
            key: (ratio, value),
            id,
            round,
        }
    };
    let mut heap: BinaryHeap<Entry> = cands
        .iter()
        .zip(gains)
        .map(|(&id, g)| entry(id, g, 0))
        .filter(|e| e.key.1 > 0.0)
        .collect();
    let mut cover = Cover::new(src, *opts);
    let mut steps: Vec<LadderStep> = Vec::new();
    while let Some(top) = heap.pop() {
        let cost = costs[top.id as usize];
        // Spend only what is left: once an account does not fit, it never will.
        if cover.cost + cost > budget {
            continue;
        }
        if top.round == steps.len() {
            steps.push(cover.add(top.id, cost));
        } else {
            let e = entry(top.id, cover.gain(top.id, false), steps.len());
            // Gains only shrink, so an account that adds nothing now never will.
            if e.key.1 > 0.0 {
                heap.push(e);
            }
        }
    }
    let greedy_value = objective.value(cover.people, cover.total_weight);

    let guarantee = BUDGET_GUARANTEE;
    match best_single {
        Some((a, v)) if v > greedy_value => {
            let mut single = Cover::new(src, *opts);
            let step = single.add(a, costs[a as usize]);
            BudgetPick {
                accounts: vec![a],
                steps: vec![step],
                objective,
                summary: BudgetPickSummary {
                    budget,
                    total_cost: single.cost,
                    people: single.people,
                    target_weight: single.total_weight,
                    method: PickMethod::BestSingle,
                    guarantee,
                },
            }
        }
        _ => BudgetPick {
            accounts: steps.iter().map(|s| s.account).collect(),
            steps,
            objective,
            summary: BudgetPickSummary {
                budget,
                total_cost: cover.cost,
                people: cover.people,
                target_weight: cover.total_weight,
                method: PickMethod::CostEffectiveGreedy,
                guarantee,
            },
        },
    }
}

/// One person (a creator: all their accounts at one price) added by [`budget_pick_people`].
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PersonStep {
    /// The person's name (the `person` attribute, or the account id of an unlinked account).
    pub person: String,
    /// All of the person's accounts (dense ids), hired together.
    pub accounts: Vec<u32>,
    /// People this hire adds to the hires before it.
    pub marginal_people: u64,
    /// People reached by this hire and the ones before it.
    pub cumulative_people: u64,
    /// Target weight it adds.
    pub marginal_weight: f64,
    /// The person's price (one price for all of their accounts).
    pub cost: f64,
    /// Summed price of this hire and the ones before it.
    pub cumulative_cost: f64,
}

/// The result of [`budget_pick_people`]: people hired (each with all of their accounts).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PeoplePick {
    /// Hires, in the order they were added.
    pub steps: Vec<PersonStep>,
    /// Budget, cost, reach and method (reach in distinct people of the graph).
    #[serde(flatten)]
    pub summary: BudgetPickSummary,
}

/// Budgeted pick of *people* (creators), not accounts: hiring a person buys all of their
/// accounts for one price (person-level hiring, issue 15).
///
/// Accounts are grouped by the graph's `person` attribute. A person's price is the `cost` of
/// their accounts: every account of a person that has a cost must carry the same one (a creator
/// table repeats the creator's price on each account); accounts without a cost come with the
/// hire. Cost-effective greedy with the best-single fallback, as [`budget_pick`], over people.
///
/// # Arguments
/// - `candidates`: accounts whose people may be hired (`None`: every person with a cost);
/// - `budget`, `opts`: as [`budget_pick`].
///
/// # Errors
/// As [`budget_pick`]; [`Error::InvalidAttribute`] when two accounts of one person carry
/// different costs (naming both).
///
/// # Complexity
/// `O(n + m)` to group the accounts and merge their follower lists, then as [`budget_pick`].
pub fn budget_pick_people(
    graph: &Graph,
    candidates: Option<&[u32]>,
    budget: f64,
    opts: &ReachOptions,
) -> Result<PeoplePick> {
    check_budget(budget)?;
    let people = graph.people();
    let costs = &graph.attributes().cost;
    // Accounts of each person, and the person's one price.
    let mut accounts_of: Vec<Vec<u32>> = vec![Vec::new(); people.count];
    let mut price: Vec<Option<(f64, u32)>> = vec![None; people.count];
    for a in 0..graph.node_count() as u32 {
        let p = people.of_account[a as usize] as usize;
        accounts_of[p].push(a);
        let c = costs[a as usize];
        if c.is_nan() {
            continue;
        }
        match price[p] {
            None => price[p] = Some((c, a)),
            Some((c0, a0)) if (c0 - c).abs() > 1e-9 * c0.abs().max(1.0) => {
                return Err(Error::InvalidAttribute {
                    column: "cost".into(),
                    node: graph.label(a),
                    reason: format!(
                        "{c}, but account {} of the same person costs {c0}: a person is hired \
                         at one price",
                        graph.label(a0)
                    ),
                });
            }
            Some(_) => {}
        }
    }
    let listed = candidate_list(graph, candidates)?;
    let mut cand_people: Vec<u32> = listed
        .iter()
        .map(|&a| people.of_account[a as usize])
        .filter(|&p| price[p as usize].is_some())
        .collect();
    cand_people.sort_unstable();
    cand_people.dedup();
    if cand_people.is_empty() {
        return Err(Error::MissingAttribute {
            column: "cost".into(),
            reason: "no candidate person has a cost; a budgeted pick needs prices".into(),
        });
    }
    let unit_cost: Vec<f64> = cand_people
        .iter()
        .map(|&p| price[p as usize].map_or(f64::NAN, |x| x.0))
        .collect();
    let min_cost = unit_cost.iter().copied().fold(f64::INFINITY, f64::min);
    if min_cost > budget {
        return Err(Error::BudgetTooSmall { budget, min_cost });
    }
    // One unit per candidate person: the people following any of their accounts.
    let out = graph.out_csr_without_probabilities();
    let mut offsets = vec![0usize];
    let mut reached: Vec<u32> = Vec::new();
    let mut scratch: Vec<u32> = Vec::new();
    for &p in &cand_people {
        scratch.clear();
        for &a in &accounts_of[p as usize] {
            scratch.extend(
                out.neighbors(a)
                    .iter()
                    .map(|&v| people.of_account[v as usize]),
            );
        }
        scratch.sort_unstable();
        scratch.dedup();
        reached.extend_from_slice(&scratch);
        offsets.push(reached.len());
    }
    let identity: Vec<u32> = (0..people.count as u32).collect();
    let src = Source {
        out: Csr {
            offsets: &offsets,
            neighbors: &reached,
            probs: &[],
        },
        of_account: &identity,
        weight: &people.weight,
    };
    let units: Vec<u32> = (0..cand_people.len() as u32)
        .filter(|&u| unit_cost[u as usize] <= budget)
        .collect();
    let pick = greedy_budget(src, &units, budget, opts, &unit_cost);
    let steps = pick
        .steps
        .iter()
        .map(|s| {
            let p = cand_people[s.account as usize];
            PersonStep {
                person: people.name(p, graph),
                accounts: accounts_of[p as usize].clone(),
                marginal_people: s.marginal_people,
                cumulative_people: s.cumulative_people,
                marginal_weight: s.marginal_weight,
                cost: unit_cost[s.account as usize],
                cumulative_cost: s.cumulative_cost,
            }
        })
        .collect();
    Ok(PeoplePick {
        steps,
        summary: pick.summary,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::attrs::{Attributes, Categorical};
    use crate::graph::{GraphBuilder, GraphOptions};

    #[test]
    fn objective_names_are_its_wire_names() {
        for o in [Objective::People, Objective::TargetWeight] {
            assert_eq!(serde_json::to_value(o).unwrap(), o.as_str());
        }
    }

    fn graph(edges: &[(&str, &str)]) -> Graph {
        let mut b = GraphBuilder::new(GraphOptions::default());
        for &(u, v) in edges {
            b.add_edge(u, v, None).unwrap();
        }
        b.build().unwrap().0
    }

    #[test]
    fn guarantee_constant() {
        assert!((BUDGET_GUARANTEE - (1.0 - (-0.5f64).exp())).abs() < 1e-15);
    }

    #[test]
    fn ladder_hand_worked_with_people_and_weights() {
        let mut g = graph(&[
            ("a", "x1"),
            ("a", "x2"),
            ("a", "y"),
            ("b", "y"),
            ("b", "z"),
            ("c", "w"),
        ]);
        let n = g.node_count();
        let mut at = Attributes::new(n);
        // x1 and x2 are one person; w weighs 5, y weighs 0.
        let labels: Vec<Option<&str>> = (0..n as u32)
            .map(|i| match g.label(i).as_str() {
                "x1" | "x2" => Some("xp"),
                _ => None,
            })
            .collect();
        at.person = Categorical::from_labels(labels);
        at.target_weight[g.node("w").unwrap() as usize] = 5.0;
        at.target_weight[g.node("y").unwrap() as usize] = 0.0;
        at.cost[g.node("a").unwrap() as usize] = 3.0;
        g.set_attributes(at).unwrap();
        let id = |s: &str| g.node(s).unwrap();

        let l = reach_ladder(&g, None, 3, &ReachOptions::default()).unwrap();
        assert_eq!(l.objective, Objective::People);
        let order: Vec<u32> = l.steps.iter().map(|s| s.account).collect();
        // a adds {xp, y} = 2; b and c then add 1 each, b has the lower id.
        assert_eq!(order, vec![id("a"), id("b"), id("c")]);
        assert_eq!(l.steps[0].marginal_people, 2);
        assert_eq!(l.steps[0].cost, Some(3.0));
        assert_eq!(l.steps[1].cost, None);
        assert_eq!(l.steps[2].cumulative_people, 4);
        assert_eq!(l.steps[2].cumulative_cost, 3.0);

        let t = ReachOptions {
            target_only: true,
            include_seeds: false,
        };
        let l = reach_ladder(&g, None, 2, &t).unwrap();
        assert_eq!(l.objective, Objective::TargetWeight);
        assert_eq!(l.steps[0].account, id("c"));
        assert_eq!(l.steps[0].marginal_weight, 5.0);
        assert_eq!(l.steps[1].account, id("a"));
        assert_eq!(l.steps[1].marginal_people, 1); // xp only: y weighs 0

        let step = incremental_reach(&g, &[id("a")], id("b"), &ReachOptions::default()).unwrap();
        assert_eq!(
            (
                step.marginal_people,
                step.cumulative_people,
                step.cumulative_cost
            ),
            (1, 3, 3.0)
        );
        let again = incremental_reach(&g, &[id("a")], id("a"), &ReachOptions::default()).unwrap();
        assert_eq!((again.marginal_people, again.cumulative_people), (0, 2));
        assert_eq!(again.cumulative_cost, 3.0);
        let seeds = ReachOptions {
            include_seeds: true,
            target_only: false,
        };
        let own = incremental_reach(&g, &[], id("c"), &seeds).unwrap();
        assert_eq!(own.marginal_people, 2); // c itself and w
    }

    #[test]
    fn ladder_errors() {
        let g = graph(&[("a", "b")]);
        let o = ReachOptions::default();
        assert!(matches!(
            reach_ladder(&g, None, 0, &o),
            Err(Error::InvalidParameter { .. })
        ));
        assert!(matches!(
            reach_ladder(&g, None, 3, &o),
            Err(Error::KTooLarge {
                k: 3,
                candidates: 2
            })
        ));
        assert!(matches!(
            reach_ladder(&g, Some(&[]), 1, &o),
            Err(Error::Empty { .. })
        ));
        assert!(matches!(
            reach_ladder(&g, Some(&[5]), 1, &o),
            Err(Error::UnknownNode { .. })
        ));
        assert!(matches!(
            reach_ladder(&g, Some(&[0, 0]), 1, &o),
            Err(Error::DuplicateNode { .. })
        ));
        assert!(matches!(
            incremental_reach(&g, &[0], 9, &o),
            Err(Error::UnknownNode { .. })
        ));
        assert!(matches!(
            incremental_reach(&g, &[0, 0], 1, &o),
            Err(Error::DuplicateNode { .. })
        ));
    }

    #[test]
    fn budget_errors_and_edge_cases() {
        let mut g = graph(&[("a", "x"), ("b", "y"), ("c", "z"), ("d", "x")]);
        let o = ReachOptions::default();
        assert!(matches!(
            budget_pick(&g, None, 10.0, &o),
            Err(Error::MissingAttribute { ref column, .. }) if column == "cost"
        ));
        let id = |g: &Graph, s: &str| g.node(s).unwrap();
        let mut at = Attributes::new(g.node_count());
        at.cost[id(&g, "a") as usize] = 5.0;
        at.cost[id(&g, "b") as usize] = 0.0;
        at.cost[id(&g, "c") as usize] = 20.0;
        at.cost[id(&g, "d") as usize] = 0.0;
        g.set_attributes(at).unwrap();
        for bad in [0.0, -1.0, f64::NAN, f64::INFINITY] {
            assert!(matches!(
                budget_pick(&g, None, bad, &o),
                Err(Error::InvalidParameter { .. })
            ));
        }
        let ac = [id(&g, "a"), id(&g, "c")];
        assert!(matches!(
            budget_pick(&g, Some(&ac), 4.0, &o),
            Err(Error::BudgetTooSmall { min_cost, .. }) if min_cost == 5.0
        ));
        let x = id(&g, "x");
        assert!(matches!(
            budget_pick(&g, Some(&[x]), 4.0, &o),
            Err(Error::MissingAttribute { .. })
        ));
        // Zero-cost b and d are free; d adds x, which a would add too.
        let p = budget_pick(&g, None, 1.0, &o).unwrap();
        assert_eq!(p.method, PickMethod::CostEffectiveGreedy);
        let mut acc = p.accounts.clone();
        acc.sort();
        assert_eq!(acc, vec![id(&g, "b"), id(&g, "d")]);
        assert_eq!((p.people, p.total_cost), (2, 0.0));
        let p = budget_pick(&g, None, 25.0, &o).unwrap();
        assert_eq!(p.people, 3);
        assert!(p.total_cost <= 25.0);
        assert!(!p.accounts.contains(&id(&g, "a"))); // adds nothing after d
    }

    #[test]
    fn best_single_wins_when_greedy_is_lured_by_ratios() {
        // cheap: 1 follower for 1; big: 10 followers for 10; budget 10.
        let mut edges = vec![("cheap".to_string(), "c0".to_string())];
        for i in 0..10 {
            edges.push(("big".into(), format!("b{i}")));
        }
        let mut b = GraphBuilder::new(GraphOptions::default());
        for (u, v) in &edges {
            b.add_edge(u.as_str(), v.as_str(), None).unwrap();
        }
        let (mut g, _) = b.build().unwrap();
        let mut at = Attributes::new(g.node_count());
        at.cost[g.node("cheap").unwrap() as usize] = 0.5;
        at.cost[g.node("big").unwrap() as usize] = 10.0;
        g.set_attributes(at).unwrap();
        let p = budget_pick(&g, None, 10.0, &ReachOptions::default()).unwrap();
        assert_eq!(p.method, PickMethod::BestSingle);
        assert_eq!(p.accounts, vec![g.node("big").unwrap()]);
        assert_eq!(p.people, 10);
        assert_eq!(p.steps.len(), 1);
    }
    #[test]
    fn people_pick_hires_all_accounts_of_a_creator_at_one_price() {
        use crate::attrs::{Attributes, Categorical};
        // Creator x has two accounts (x1: f1, f2; x2: f3), price 10 for both together;
        // creator y has one (y1: f1, f2, f4), price 10. Budget 20 hires both (4 distinct
        // people for 20, where account-level costs would have charged x twice); budget 10
        // hires one creator reaching 3 people.
        let text = "x1 f1\nx1 f2\nx2 f3\ny1 f1\ny1 f2\ny1 f4\n";
        let (mut g, _) = crate::io::read_graph(
            text.as_bytes(),
            "inline",
            crate::io::EdgeFormat::EdgeList,
            Default::default(),
        )
        .unwrap();
        let mut a = Attributes::new(g.node_count());
        let labels: Vec<Option<String>> = (0..g.node_count() as u32)
            .map(|u| match g.label(u).as_str() {
                "x1" | "x2" => Some("x".to_string()),
                "y1" => Some("y".to_string()),
                _ => None,
            })
            .collect();
        a.person = Categorical::from_labels(labels.iter().map(|l| l.as_deref()));
        for (name, cost) in [("x1", 10.0), ("x2", 10.0), ("y1", 10.0)] {
            a.cost[g.node(name).unwrap() as usize] = cost;
        }
        g.set_attributes(a.clone()).unwrap();
        let pick = budget_pick_people(&g, None, 20.0, &ReachOptions::default()).unwrap();
        assert_eq!(pick.steps.len(), 2);
        assert_eq!(pick.summary.people, 4);
        assert_eq!(pick.summary.total_cost, 20.0);
        let x = pick.steps.iter().find(|s| s.person == "x").unwrap();
        assert_eq!(x.accounts.len(), 2);
        assert_eq!(x.cost, 10.0);
        // Budget 10: one hire, 3 people.
        let pick = budget_pick_people(&g, None, 10.0, &ReachOptions::default()).unwrap();
        assert_eq!((pick.steps.len(), pick.summary.people), (1, 3));
        // Two prices for one person is an error naming both accounts.
        a.cost[g.node("x2").unwrap() as usize] = 12.0;
        g.set_attributes(a).unwrap();
        let e = budget_pick_people(&g, None, 20.0, &ReachOptions::default()).unwrap_err();
        let msg = e.to_string();
        assert!(msg.contains("x1") && msg.contains("x2"), "{msg}");
    }
}
