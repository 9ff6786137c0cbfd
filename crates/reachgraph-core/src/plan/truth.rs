//! Checking the audience model against a real follower graph (issue 15, "Truthfulness").
//!
//! A real graph has follower lists, so the model's answer can be compared with the exact one:
//! the graph's own follower counts become a one-platform creator table (one creator per
//! account: a graph account is its own person), the exact overlaps of a stated number of
//! pairs become the measured overlaps, the follower lists are hidden, and the modelled distinct
//! reach of an account set is set against its exact distinct reach
//! ([`crate::reach::unique_reach`]). The population the audiences are drawn from is, by
//! default, the graph's users (people who follow at least one account: the analogue of the
//! planning default, a platform's users), or every node ([`TruthPopulation`]); the model is told
//! which ([`TruthPopulation::kind`]), which sets its zero-share prior. There is no geography.
//!
//! Used by `benches/plan_truth.rs` (the table of `docs/BENCHMARKS.md`) and
//! `tests/plan_truth.rs`, so both build tables, pairs and sets the same way:
//!
//! - **Pairs** ([`GraphTruth::measured_pairs`]): distinct pairs drawn uniformly (seeded) among
//!   a pool of accounts (the set's own accounts: the creators a planner considers and would
//!   ask an audience tool about; or [`GraphTruth::top`]), with their exact shared followers;
//!   the first `k` of one draw are the `k` measured pairs, so 3 pairs are a subset of 20.
//! - **Sets** ([`GraphTruth::sets`]): the `k` accounts with the most followers (ties by index),
//!   and `k` accounts drawn uniformly (seeded by `(seed, k)`) among the accounts with at least
//!   one follower (the accounts a creator table would list); `k` is capped at their number,
//!   and [`TruthRow::accounts`] says how many were taken.
//! - **Table** ([`GraphTruth::compare`]): the set's accounts plus the measured pairs' accounts.
//!   Other rows would not change the answer (a set's modelled reach depends only on its own
//!   rows and the fit only on the pairs' rows), so they are left out to keep the fit cheap.

use super::{
    plan, CreatorTable, MeasuredOverlap, PlanOptions, Population, PopulationKind, ReachInterval,
};
use crate::error::{Error, Result};
use crate::reach::{unique_reach, ReachOptions};
use crate::sketch::prior::{modelled_reach, OverlapPrior};
use crate::{rng, Graph};
use serde::Serialize;
use std::collections::HashSet;

/// A measured pair: accounts `a` and `b` (graph indices) and their exact shared followers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct MeasuredPair {
    /// Account `a` (graph index).
    pub a: u32,
    /// Account `b` (graph index).
    pub b: u32,
    /// Followers of both (graph people; measured exactly from the follower lists).
    pub shared: u64,
}

/// Which accounts a set holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SetKind {
    /// The accounts with the most followers.
    Top,
    /// Accounts drawn uniformly among those with at least one follower.
    Random,
}

impl SetKind {
    /// `top` or `random`.
    pub fn label(self) -> &'static str {
        match self {
            SetKind::Top => "top",
            SetKind::Random => "random",
        }
    }
}

/// One account set to compare.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TruthSet {
    /// Top or random.
    pub kind: SetKind,
    /// The size asked for.
    pub requested: usize,
    /// The accounts (graph indices); fewer than `requested` when the graph has fewer accounts
    /// with followers.
    pub accounts: Vec<u32>,
}

/// Settings of one comparison.
#[derive(Debug, Clone, PartialEq)]
pub struct TruthOptions {
    /// Parameter draws of each modelled interval.
    pub draws: usize,
    /// Prior draws weighed by the fit.
    pub prior_draws: usize,
    /// Seed of the model's draws.
    pub seed: u64,
    /// [`PlanOptions::misspecification_scale`].
    pub misspecification_scale: f64,
    /// Which of the graph's people the audiences are drawn from (and so what the population
    /// counts: [`TruthPopulation::kind`] sets the model's zero-share prior).
    pub population: TruthPopulation,
    /// [`PlanOptions::zero_share_prior`] (prior exploration on the calibration split).
    pub zero_share_prior: Option<(f64, f64)>,
    /// [`PlanOptions::activity_shape_prior`] (prior exploration on the calibration split).
    pub activity_shape_prior: Option<(f64, f64)>,
}

/// The population a truth table gives the model.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum TruthPopulation {
    /// Every person of the graph, whether they follow anyone or not (the model is told so:
    /// [`PopulationKind::Everyone`]).
    Everyone,
    /// The people who follow at least one account: the analogue of a platform's users, which is
    /// what the planning default population counts (adults times the platform's adoption); the
    /// model is told so ([`PopulationKind::Users`]). The default, as in planning.
    #[default]
    Followers,
}

impl TruthPopulation {
    /// What the population counts, as the model is told.
    pub fn kind(self) -> PopulationKind {
        match self {
            TruthPopulation::Everyone => PopulationKind::Everyone,
            TruthPopulation::Followers => PopulationKind::Users,
        }
    }

    /// `everyone` or `followers`.
    pub fn label(self) -> &'static str {
        match self {
            TruthPopulation::Everyone => "everyone",
            TruthPopulation::Followers => "followers",
        }
    }
}

impl Default for TruthOptions {
    fn default() -> Self {
        TruthOptions {
            draws: super::DEFAULT_DRAWS,
            prior_draws: super::fit::DEFAULT_PRIOR_DRAWS,
            seed: 1,
            misspecification_scale: super::fit::MISSPECIFICATION_SCALE,
            population: TruthPopulation::Followers,
            zero_share_prior: None,
            activity_shape_prior: None,
        }
    }
}

/// Modelled against exact distinct reach for one set.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TruthRow {
    /// Graph name.
    pub graph: String,
    /// Top or random.
    pub kind: SetKind,
    /// The set size asked for.
    pub requested: usize,
    /// Accounts in the set.
    pub accounts: usize,
    /// Measured overlaps given to the model.
    pub pairs: usize,
    /// Summed followers of the set (followers; measured).
    pub summed_followers: u64,
    /// Distinct people following at least one account of the set (graph people; exact).
    pub exact: f64,
    /// Modelled distinct people (graph people; mean and 90% interval over parameter draws).
    pub modelled: ReachInterval,
    /// Distinct people under the named independence assumption (graph people; modelled).
    pub independence: f64,
    /// `sketch::prior::modelled_reach` with the correlated prior, its lift fitted to the same
    /// pairs (`Σ shared / Σ F_a F_b / N`, at least 1); `None` without pairs (graph people;
    /// modelled).
    pub sketch_model: Option<f64>,
    /// The fit's effective number of prior draws (`(Σw)² / Σw²`; of
    /// [`TruthOptions::prior_draws`]): how many of the weighed draws carry the posterior.
    pub effective_draws: f64,
    /// The fit's RMS log error of the measured pairs around the posterior-mean model (0 without
    /// pairs).
    pub rms_log_error: f64,
}

impl TruthRow {
    /// Signed relative error of the modelled mean: `(modelled − exact) / exact` (0 when both
    /// are 0).
    pub fn error(&self) -> f64 {
        relative(self.modelled.mean, self.exact)
    }

    /// Whether the exact reach lies in the modelled 90% interval.
    pub fn inside(&self) -> bool {
        self.modelled.low <= self.exact && self.exact <= self.modelled.high
    }

    /// Signed relative error of independence.
    pub fn independence_error(&self) -> f64 {
        relative(self.independence, self.exact)
    }

    /// Signed relative error of `sketch_model`, when it has an answer.
    pub fn sketch_model_error(&self) -> Option<f64> {
        self.sketch_model.map(|s| relative(s, self.exact))
    }
}

fn relative(x: f64, exact: f64) -> f64 {
    if exact > 0.0 {
        (x - exact) / exact
    } else if x == 0.0 {
        0.0
    } else {
        f64::INFINITY
    }
}

/// The targets' statistics over a set of rows.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct TruthSummary {
    /// Rows summarised.
    pub cases: usize,
    /// Median absolute relative error of the modelled mean.
    pub median_abs_error: f64,
    /// Rows whose exact reach lies in the 90% interval.
    pub inside: usize,
    /// Median absolute relative error of independence.
    pub independence_median_abs_error: f64,
    /// Median absolute relative error of `sketch_model` (NaN when no row has one).
    pub sketch_model_median_abs_error: f64,
}

fn median(mut v: Vec<f64>) -> f64 {
    if v.is_empty() {
        return f64::NAN;
    }
    v.sort_by(f64::total_cmp);
    0.5 * (v[v.len() / 2] + v[(v.len() - 1) / 2])
}

impl TruthSummary {
    /// Summarises `rows`.
    pub fn of<'a>(rows: impl IntoIterator<Item = &'a TruthRow>) -> TruthSummary {
        let rows: Vec<&TruthRow> = rows.into_iter().collect();
        TruthSummary {
            cases: rows.len(),
            median_abs_error: median(rows.iter().map(|r| r.error().abs()).collect()),
            inside: rows.iter().filter(|r| r.inside()).count(),
            independence_median_abs_error: median(
                rows.iter().map(|r| r.independence_error().abs()).collect(),
            ),
            sketch_model_median_abs_error: median(
                rows.iter()
                    .filter_map(|r| r.sketch_model_error().map(f64::abs))
                    .collect(),
            ),
        }
    }

    /// Share of rows whose exact reach lies in the 90% interval.
    pub fn coverage(&self) -> f64 {
        if self.cases == 0 {
            f64::NAN
        } else {
            self.inside as f64 / self.cases as f64
        }
    }
}

/// A real graph prepared for the comparison: its follower counts and accounts by followers.
#[derive(Debug, Clone)]
pub struct GraphTruth<'g> {
    graph: &'g Graph,
    name: String,
    counts: Vec<u64>,
    order: Vec<u32>,
    followed: usize,
    following: usize,
}

impl<'g> GraphTruth<'g> {
    /// Prepares `graph` (called `name` in rows and assumptions).
    pub fn new(graph: &'g Graph, name: &str) -> GraphTruth<'g> {
        let n = graph.node_count();
        let counts: Vec<u64> = (0..n as u32)
            .map(|u| graph.followers(u).len() as u64)
            .collect();
        let mut order: Vec<u32> = (0..n as u32).collect();
        order.sort_by(|&a, &b| counts[b as usize].cmp(&counts[a as usize]).then(a.cmp(&b)));
        let followed = counts.iter().filter(|&&c| c > 0).count();
        let following = (0..n as u32).filter(|&v| graph.in_degree(v) > 0).count();
        GraphTruth {
            graph,
            name: name.to_string(),
            counts,
            order,
            followed,
            following,
        }
    }

    /// The graph's people (every account is its own person): the population over every node.
    pub fn people(&self) -> usize {
        self.graph.node_count()
    }

    /// People who follow at least one account.
    pub fn following_people(&self) -> usize {
        self.following
    }

    /// Accounts with at least one follower.
    pub fn followed_accounts(&self) -> usize {
        self.followed
    }

    /// Followers of account `u` (graph index).
    pub fn followers(&self, u: u32) -> u64 {
        self.counts[u as usize]
    }

    /// The `k` accounts with the most followers (ties by index), at most the accounts with
    /// followers.
    pub fn top(&self, k: usize) -> &[u32] {
        &self.order[..k.min(self.followed)]
    }

    /// The `k` accounts of `set` with the most followers (ties by index).
    pub fn largest_of(&self, set: &[u32], k: usize) -> Vec<u32> {
        let mut v = set.to_vec();
        v.sort_by(|&a, &b| {
            self.counts[b as usize]
                .cmp(&self.counts[a as usize])
                .then(a.cmp(&b))
        });
        v.truncate(k);
        v
    }

    /// `count` distinct pairs drawn uniformly (seeded) among the accounts of `pool`, with their
    /// exact shared followers (fewer when `pool` has fewer pairs). The first `k` pairs of a draw
    /// do not depend on `count`, so 3 pairs are a subset of 20.
    pub fn measured_pairs(&self, pool: &[u32], count: usize, seed: u64) -> Vec<MeasuredPair> {
        let mut r = rng::stream(seed, 0);
        let mut seen = HashSet::new();
        let mut out = Vec::new();
        let m = pool.len();
        let all = m * m.saturating_sub(1) / 2;
        while out.len() < count && seen.len() < all {
            let a = pool[rng::below(&mut r, m as u64) as usize];
            let b = pool[rng::below(&mut r, m as u64) as usize];
            if a == b || !seen.insert((a.min(b), a.max(b))) {
                continue;
            }
            let fa: HashSet<u32> = self.graph.followers(a).iter().copied().collect();
            let shared = self
                .graph
                .followers(b)
                .iter()
                .filter(|v| fa.contains(v))
                .count() as u64;
            out.push(MeasuredPair { a, b, shared });
        }
        out
    }

    /// For each size, the top set and a random set (seeded by `(seed, size)`), sizes capped at
    /// the accounts with followers.
    pub fn sets(&self, sizes: &[usize], seed: u64) -> Vec<TruthSet> {
        let mut out = Vec::new();
        for &requested in sizes {
            let k = requested.min(self.followed);
            let mut pool: Vec<u32> = self.order[..self.followed].to_vec();
            pool.sort_unstable();
            let mut r = rng::stream(seed, requested as u64);
            for i in 0..k {
                let j = i + rng::below(&mut r, (pool.len() - i) as u64) as usize;
                pool.swap(i, j);
            }
            out.push(TruthSet {
                kind: SetKind::Top,
                requested,
                accounts: self.order[..k].to_vec(),
            });
            out.push(TruthSet {
                kind: SetKind::Random,
                requested,
                accounts: pool[..k].to_vec(),
            });
        }
        out
    }

    /// Exact distinct people following at least one account of `set` (graph people).
    ///
    /// # Errors
    /// As [`unique_reach`].
    pub fn exact(&self, set: &[u32]) -> Result<f64> {
        Ok(unique_reach(self.graph, set, &ReachOptions::default())?.unique_people as f64)
    }

    /// The creator table of `accounts` (one creator per account, named by graph index) over
    /// the population `who` (every node, or the users), and the measured pairs as overlaps of that table.
    pub fn table(
        &self,
        accounts: &[u32],
        pairs: &[MeasuredPair],
        who: TruthPopulation,
    ) -> (CreatorTable, Vec<MeasuredOverlap>, Population) {
        let population = match who {
            TruthPopulation::Everyone => {
                let n = self.people();
                Population::uniform(
                    n as f64,
                    &format!(
                        "the {n} people of {} (every account is its own person)",
                        self.name
                    ),
                )
            }
            TruthPopulation::Followers => {
                let n = self.following;
                Population::uniform(
                    n as f64,
                    &format!(
                        "the {n} people of {} who follow at least one account (its users)",
                        self.name
                    ),
                )
            }
        };
        let mut rows: Vec<u32> = accounts.to_vec();
        rows.extend(pairs.iter().flat_map(|p| [p.a, p.b]));
        let mut seen = HashSet::new();
        rows.retain(|u| seen.insert(*u));
        let index: std::collections::HashMap<u32, usize> =
            rows.iter().enumerate().map(|(i, &u)| (u, i)).collect();
        let table = CreatorTable::from_counts(
            rows.iter()
                .map(|&u| (u.to_string(), self.counts[u as usize])),
            "graph",
            population.clone(),
        );
        let overlaps = pairs
            .iter()
            .enumerate()
            .map(|(k, p)| MeasuredOverlap {
                a: index[&p.a],
                b: index[&p.b],
                shared_fraction: if self.counts[p.a as usize] > 0 {
                    p.shared as f64 / self.counts[p.a as usize] as f64
                } else {
                    0.0
                },
                line: k + 2,
            })
            .collect();
        (table, overlaps, population)
    }

    /// Modelled (with `pairs` as the measured overlaps), independence, `sketch_model` and exact
    /// distinct reach of `set`.
    ///
    /// # Errors
    /// The errors of [`plan`] and [`unique_reach`]; [`Error::Empty`] for an empty set.
    pub fn compare(
        &self,
        set: &TruthSet,
        pairs: &[MeasuredPair],
        options: &TruthOptions,
    ) -> Result<TruthRow> {
        if set.accounts.is_empty() {
            return Err(Error::Empty {
                what: format!("{} set of {}", set.kind.label(), self.name),
            });
        }
        let exact = self.exact(&set.accounts)?;
        let (table, overlaps, population) = self.table(&set.accounts, pairs, options.population);
        let people_total = population.total();
        let ids: Vec<String> = set.accounts.iter().map(|u| u.to_string()).collect();
        let mut po = PlanOptions {
            base_population: Some(population),
            adoption: vec![("graph".into(), 1.0)],
            accounts: Some(ids),
            draws: options.draws,
            prior_draws: options.prior_draws,
            seed: options.seed,
            misspecification_scale: options.misspecification_scale,
            population_counts: options.population.kind(),
            zero_share_prior: options.zero_share_prior,
            activity_shape_prior: options.activity_shape_prior,
            ..Default::default()
        };
        let report = plan(&table, &overlaps, &po)?;
        let modelled = report.unique_reach;
        po.independence = true;
        po.draws = 1;
        let independence = plan(&table, &overlaps, &po)?.unique_reach.mean;
        // The same population as the model's (every node, or the users).
        let n = people_total;
        let set_counts: Vec<u64> = set
            .accounts
            .iter()
            .map(|&u| self.counts[u as usize])
            .collect();
        let sketch_model = if pairs.is_empty() {
            None
        } else {
            let shared: f64 = pairs.iter().map(|p| p.shared as f64).sum();
            let indep: f64 = pairs
                .iter()
                .map(|p| self.counts[p.a as usize] as f64 * self.counts[p.b as usize] as f64 / n)
                .sum();
            let lift = if indep > 0.0 {
                (shared / indep).max(1.0)
            } else {
                1.0
            };
            Some(modelled_reach(&set_counts, n, OverlapPrior::Correlated { lift })?.unique_reach)
        };
        Ok(TruthRow {
            graph: self.name.clone(),
            kind: set.kind,
            requested: set.requested,
            accounts: set.accounts.len(),
            pairs: pairs.len(),
            summed_followers: set_counts.iter().sum(),
            exact,
            modelled,
            independence,
            sketch_model,
            effective_draws: report.fit.effective_draws,
            rms_log_error: report.fit.rms_log_error,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::GraphOptions;

    /// Account 0 followed by 1..=4, account 1 by 2..=5, account 2 by 5; 6 follows nobody and
    /// nobody follows it.
    fn small() -> Graph {
        let src = [0, 0, 0, 0, 1, 1, 1, 1, 2];
        let dst = [1, 2, 3, 4, 2, 3, 4, 5, 5];
        Graph::from_edges(
            7,
            &src,
            &dst,
            None,
            crate::ids::NodeIds::identity(7),
            GraphOptions::default(),
        )
        .unwrap()
        .0
    }

    #[test]
    fn pairs_sets_and_table_follow_the_graph() {
        let g = small();
        let t = GraphTruth::new(&g, "small");
        assert_eq!((t.people(), t.followed_accounts()), (7, 3));
        // Pool of 3 accounts with followers: exactly 3 pairs exist; asking for 5 gives 3.
        assert_eq!(t.top(10), &[0, 1, 2]);
        let p0 = t.measured_pairs(t.top(10), 5, 9);
        let mut p = p0.clone();
        p.sort_by_key(|p| (p.a.min(p.b), p.a.max(p.b)));
        let shared: Vec<(u32, u32, u64)> = p
            .iter()
            .map(|p| (p.a.min(p.b), p.a.max(p.b), p.shared))
            .collect();
        // 0 ∩ 1 = {2, 3, 4}; 0 ∩ 2 = {}; 1 ∩ 2 = {5}.
        assert_eq!(shared, vec![(0, 1, 3), (0, 2, 0), (1, 2, 1)]);
        // 3 pairs asked: the first 3 of the same draw.
        assert_eq!(t.measured_pairs(&[0, 1, 2], 2, 9)[..], p0[..2]);
        let sets = t.sets(&[2, 50], 4);
        assert_eq!(sets[0].accounts, vec![0, 1]); // 4 followers each: ties by index
        assert_eq!(sets[2].accounts.len(), 3); // capped at the accounts with followers
        for s in &sets {
            assert!(s.accounts.iter().all(|&u| t.followers(u) > 0));
        }
        assert_eq!(t.exact(&[0, 1]).unwrap(), 5.0);
        // The users: everyone who follows one of the accounts with followers.
        let users = t.exact(&[0, 1, 2]).unwrap();
        assert!(users < 7.0);
        assert_eq!(t.following_people() as f64, users);
        let (_, _, pop_users) = t.table(&[2], &p, TruthPopulation::Followers);
        assert_eq!(pop_users.total(), users);
        let (table, ov, pop) = t.table(&[2], &p, TruthPopulation::Everyone);
        assert_eq!(table.accounts.len(), 3);
        assert_eq!(pop.total(), 7.0);
        for (o, m) in ov.iter().zip(&p) {
            assert!((o.shared_followers(&table) - m.shared as f64).abs() < 1e-9);
        }
    }

    #[test]
    fn compare_reports_exact_and_independence() {
        let g = small();
        let t = GraphTruth::new(&g, "small");
        let pairs = t.measured_pairs(&[0, 1, 2], 3, 1);
        let set = TruthSet {
            kind: SetKind::Top,
            requested: 2,
            accounts: vec![0, 1],
        };
        let o = TruthOptions {
            draws: 20,
            prior_draws: 64,
            seed: 3,
            misspecification_scale: 1.0,
            population: TruthPopulation::Everyone,
            ..TruthOptions::default()
        };
        let row = t.compare(&set, &pairs, &o).unwrap();
        assert_eq!(row.exact, 5.0);
        assert_eq!(row.summed_followers, 8);
        // Independence: 7 (1 − (1 − 4/7)(1 − 4/7)) = 7 − 9/7.
        assert!((row.independence - (7.0 - 9.0 / 7.0)).abs() < 1e-9);
        assert!(row.modelled.low <= row.modelled.mean && row.modelled.mean <= row.modelled.high);
        assert!(row.sketch_model.is_some());
        // 3 pairs weigh the 64 prior draws: some carry more than others, none carries all.
        assert!(
            row.effective_draws > 1.0 && row.effective_draws < 64.0,
            "{row:?}"
        );
        assert!(t
            .compare(
                &TruthSet {
                    accounts: vec![],
                    ..set
                },
                &pairs,
                &o
            )
            .is_err());
        // Same seed, same answer.
        assert_eq!(t.compare(&set, &pairs, &o).unwrap(), row);
    }
}
