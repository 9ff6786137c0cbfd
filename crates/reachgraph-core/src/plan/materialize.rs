//! Seeded synthetic follower graphs drawn from the creator-table audience model.
//!
//! A planner's table has follower counts, audience geography and measured overlaps, but no
//! follower lists. [`materialize`] draws a follower graph that follows the audience model of
//! [the plan module](super) exactly, so that every graph tool (reach, select, spread, pick,
//! margin) runs on a table as on a real graph. The realization is *synthetic*: its follower
//! lists are invented by the model; only their counts, geography, creator identity and
//! overlaps are meant to hold, in expectation, as the model states them.
//!
//! ## Scale
//! Each graph person stands for `scale` real people: a jurisdiction of `N_j` real people gets
//! `round(N_j / scale)` graph people, and a person's chance to follow an account is the same
//! as a real person's, so an account of `F` real followers gets about `F / scale` graph
//! followers and a reach of `R` graph people is `R · scale` real people. The default scale is
//! the smallest whole number that keeps the expected edge count (summed followers / scale) at
//! or below [`DEFAULT_MAX_EDGES`] (two million edges), and at least 1.
//!
//! ## How it is drawn (no per-person loop over all accounts)
//! The population is cut into cells: jurisdiction (or outside) × activity class × platform
//! membership pattern. The graph people of a jurisdiction are split over its cells by a
//! multinomial draw (successive binomials). Within a cell, people are exchangeable, so for
//! each creator the number of people it reaches is one `Binomial(n, P_c)` draw with
//! `P_c = ρ·max q + (1 − ρ)·(1 − Π(1 − q))` over the creator's accounts on the cell's
//! platforms; those people are a uniform subset drawn without replacement; and each reached
//! person's accounts of that creator are drawn from the model conditioned on at least one:
//! with probability `ρ·max q / P_c` through one shared uniform `U < max q` (following every
//! account with `q > U`), otherwise independently conditioned on at least one follow (the
//! first followed account drawn from its exact distribution, later ones independently).
//! Work is `O(cells × creators + edges)`.
//!
//! ## Determinism
//! Cell counts come from one stream per jurisdiction, and each cell's edges from one stream
//! derived from `(seed, cell index)`; cells run in parallel and are joined in cell order,
//! so the same seed gives the same graph on any number of threads.

use crate::attrs::{Attributes, Categorical, NONE};
use crate::error::{Error, Result};
use crate::graph::{Graph, GraphOptions};
use crate::ids::NodeIds;
use crate::rng;
use rand_distr::{Binomial, Distribution};
use rayon::prelude::*;
use serde::Serialize;

/// Default cap on the expected number of edges of a realization when no scale is given.
pub const DEFAULT_MAX_EDGES: f64 = 2_000_000.0;

/// Most platforms a table may name for materialization (membership patterns are `2^P`).
pub const MAX_PLATFORMS: usize = 12;

const PURPOSE_COUNTS: u64 = 0xC0_0A7;
const PURPOSE_EDGES: u64 = 0xED_6E5;

/// One account of the lowered model.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LoweredAccount {
    /// The account's handle.
    pub name: String,
    /// Index of its creator in [`Lowered::creators`].
    pub creator: usize,
    /// Index of its platform in [`Lowered::platforms`].
    pub platform: usize,
    /// Real-world followers (accounts' followers as the table gives them).
    pub followers: f64,
    /// Audience share per jurisdiction, then outside last (length `J + 1`, sums to 1 or
    /// less: the rest of the audience is nobody the model counts).
    pub share: Vec<f64>,
    /// Share of the audience leaning to side A, when the table gives it.
    pub lean_a: Option<f64>,
}

/// One creator of the lowered model: the unit that is hired.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LoweredCreator {
    /// The creator's name.
    pub name: String,
    /// Price per creator-month, when given.
    pub price: Option<f64>,
    /// Home jurisdiction (index into [`Lowered::jurisdictions`]).
    pub state: Option<usize>,
    /// Their accounts (indices into [`Lowered::accounts`]).
    pub accounts: Vec<usize>,
}

/// The audience model reduced to numbers: what both the closed form of
/// [`Lowered::expected_reach`] and the draw of [`materialize`] read.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Lowered {
    /// Jurisdiction ids (e.g. `PA`); index `J` (one past the last) is outside the electorate.
    pub jurisdictions: Vec<String>,
    /// Real people per jurisdiction, then outside last (length `J + 1`).
    pub people: Vec<f64>,
    /// Activity class weights (sum 1).
    pub weights: Vec<f64>,
    /// Activity class levels (`Σ w_k a_k = 1`).
    pub levels: Vec<f64>,
    /// Platform names.
    pub platforms: Vec<String>,
    /// Share of people on each platform.
    pub adoption: Vec<f64>,
    /// Creator identity ρ: the chance that a person's follows of one creator's accounts share
    /// one uniform.
    pub identity: f64,
    /// The accounts.
    pub accounts: Vec<LoweredAccount>,
    /// The creators.
    pub creators: Vec<LoweredCreator>,
}

/// Expected reach of a set of accounts under the model, in real people.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ExpectedReachByCell {
    /// Expected distinct real people reached, including outside people.
    pub total: f64,
    /// Expected distinct real people reached per jurisdiction, then outside last.
    pub by_jurisdiction: Vec<f64>,
}

impl Lowered {
    /// Checks the numbers: lengths agree, shares, adoption, weights and ρ in range.
    ///
    /// # Errors
    /// [`Error::InvalidParameter`] naming the value.
    pub fn validate(&self) -> Result<()> {
        let j1 = self.jurisdictions.len() + 1;
        let bad = |what: &str, v: f64, why: &str| Err(Error::invalid_parameter(what, v, why));
        if self.people.len() != j1 {
            return Err(Error::LengthMismatch {
                column: "people".into(),
                got: self.people.len(),
                expected: j1,
            });
        }
        if let Some(&p) = self.people.iter().find(|p| !(p.is_finite() && **p >= 0.0)) {
            return bad("people", p, "must be a finite number >= 0");
        }
        if self.weights.len() != self.levels.len() || self.weights.is_empty() {
            return Err(Error::LengthMismatch {
                column: "activity levels".into(),
                got: self.levels.len(),
                expected: self.weights.len(),
            });
        }
        for (&w, &a) in self.weights.iter().zip(&self.levels) {
            if !(w.is_finite() && w >= 0.0) {
                return bad("activity weight", w, "must be a finite number >= 0");
            }
            if !(a.is_finite() && a >= 0.0) {
                return bad("activity level", a, "must be a finite number >= 0");
            }
        }
        if self.platforms.len() > MAX_PLATFORMS {
            return bad(
                "platforms",
                self.platforms.len() as f64,
                "too many platforms to materialize (at most 12)",
            );
        }
        if self.adoption.len() != self.platforms.len() {
            return Err(Error::LengthMismatch {
                column: "adoption".into(),
                got: self.adoption.len(),
                expected: self.platforms.len(),
            });
        }
        if let Some(&a) = self.adoption.iter().find(|a| !(**a > 0.0 && **a <= 1.0)) {
            return bad("adoption", a, "must be in (0, 1]");
        }
        if !(0.0..=1.0).contains(&self.identity) {
            return bad("identity", self.identity, "must be in [0, 1]");
        }
        for a in &self.accounts {
            if a.share.len() != j1 {
                return Err(Error::LengthMismatch {
                    column: format!("share of account {}", a.name),
                    got: a.share.len(),
                    expected: j1,
                });
            }
            if !(a.followers.is_finite() && a.followers >= 0.0) {
                return bad("followers", a.followers, "must be a finite number >= 0");
            }
            if a.platform >= self.platforms.len() || a.creator >= self.creators.len() {
                return bad(
                    "account",
                    a.platform as f64,
                    "platform or creator index out of range",
                );
            }
        }
        Ok(())
    }

    fn total_people(&self) -> f64 {
        self.people.iter().sum()
    }

    /// Follow probability of account `i` for a person of class `k` in jurisdiction `j` (or
    /// outside, `j = J`) who is on the account's platform.
    pub fn follow_probability(&self, i: usize, j: usize, k: usize) -> f64 {
        let a = &self.accounts[i];
        let n = self.people[j];
        if n <= 0.0 {
            return 0.0;
        }
        (self.levels[k] * a.followers * a.share[j] / (n * self.adoption[a.platform])).min(1.0)
    }

    /// Probability that one creator reaches a person through the accounts `qs` (the follow
    /// probabilities of that creator's accounts on the person's platforms).
    fn creator_probability(&self, qs: &[f64]) -> f64 {
        let max = qs.iter().copied().fold(0.0, f64::max);
        let none: f64 = qs.iter().map(|q| 1.0 - q).product();
        self.identity * max + (1.0 - self.identity) * (1.0 - none)
    }

    /// Probability of each platform-membership pattern (bit `p` set: on platform `p`).
    fn pattern_probabilities(&self) -> Vec<f64> {
        let np = self.platforms.len();
        (0..1usize << np)
            .map(|m| {
                (0..np)
                    .map(|p| {
                        if m >> p & 1 == 1 {
                            self.adoption[p]
                        } else {
                            1.0 - self.adoption[p]
                        }
                    })
                    .product()
            })
            .collect()
    }

    /// Creators of `accounts`, each with its accounts in the set.
    fn group(&self, accounts: &[usize]) -> Vec<Vec<usize>> {
        let mut by: Vec<Vec<usize>> = vec![Vec::new(); self.creators.len()];
        for &i in accounts {
            by[self.accounts[i].creator].push(i);
        }
        by.into_iter().filter(|v| !v.is_empty()).collect()
    }

    /// The model's expected reach of `accounts` (indices into [`Lowered::accounts`]), in real
    /// people, by enumerating every cell (jurisdiction × activity class × membership pattern).
    ///
    /// # Complexity
    /// `O((J + 1) · K · 2^P · |accounts|)`.
    pub fn expected_reach(&self, accounts: &[usize]) -> ExpectedReachByCell {
        let groups = self.group(accounts);
        let patterns = self.pattern_probabilities();
        let mut by = vec![0.0; self.people.len()];
        let mut qs = Vec::new();
        for (j, slot) in by.iter_mut().enumerate() {
            for k in 0..self.weights.len() {
                for (m, &pm) in patterns.iter().enumerate() {
                    let mut miss = 1.0;
                    for g in &groups {
                        qs.clear();
                        qs.extend(
                            g.iter()
                                .filter(|&&i| m >> self.accounts[i].platform & 1 == 1)
                                .map(|&i| self.follow_probability(i, j, k)),
                        );
                        if !qs.is_empty() {
                            miss *= 1.0 - self.creator_probability(&qs);
                        }
                    }
                    *slot += self.people[j] * self.weights[k] * pm * (1.0 - miss);
                }
            }
        }
        ExpectedReachByCell {
            total: by.iter().sum(),
            by_jurisdiction: by,
        }
    }

    /// The scale the default rule picks: the smallest whole number ≥ 1 that keeps summed
    /// followers / scale at or below `max_edges`.
    pub fn default_scale(&self, max_edges: f64) -> f64 {
        let f: f64 = self.accounts.iter().map(|a| a.followers).sum();
        (f / max_edges).ceil().max(1.0)
    }
}

impl Lowered {
    /// Lowers a creator table under one parameter set: each account's audience shares by
    /// region exactly as the closed form ([`AudienceModel`](super::model::AudienceModel))
    /// takes them (given geography, else the national audience tilted to the home state), the
    /// population, activity classes, adoption and identity of `params`.
    ///
    /// # Errors
    /// Whatever [`AudienceModel::new`](super::model::AudienceModel::new) refuses (population
    /// not matching the table, adoption out of range, followers in a region above its people
    /// on the platform), checked by building it.
    pub fn from_table(
        table: &super::table::CreatorTable,
        params: &super::params::ModelParams,
    ) -> Result<Lowered> {
        super::model::AudienceModel::new(table, params)?;
        let pop = &params.population;
        let accounts = table
            .accounts
            .iter()
            .enumerate()
            .map(|(i, a)| LoweredAccount {
                name: a.account.clone(),
                creator: a.creator,
                platform: a.platform,
                followers: a.followers as f64,
                share: super::model::account_shares(table, params, i),
                lean_a: a.lean_a,
            })
            .collect();
        let creators = table
            .creators
            .iter()
            .map(|c| LoweredCreator {
                name: c.name.clone(),
                price: c.price,
                state: c.state,
                accounts: c.accounts.clone(),
            })
            .collect();
        let lowered = Lowered {
            jurisdictions: table.jurisdictions.clone(),
            people: pop
                .people
                .iter()
                .copied()
                .chain(std::iter::once(pop.outside))
                .collect(),
            weights: params.activity.weights.clone(),
            levels: params.activity.levels.clone(),
            platforms: table.platforms.clone(),
            adoption: params.adoption.clone(),
            identity: params.identity,
            accounts,
            creators,
        };
        lowered.validate()?;
        Ok(lowered)
    }
}

/// Options of [`materialize`].
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct MaterializeOptions {
    /// Real people per graph person; `None`: [`Lowered::default_scale`] of `max_edges`.
    pub scale: Option<f64>,
    /// Cap on expected edges used by the default scale.
    pub max_edges: f64,
    /// The seed.
    pub seed: u64,
}

impl Default for MaterializeOptions {
    fn default() -> Self {
        MaterializeOptions {
            scale: None,
            max_edges: DEFAULT_MAX_EDGES,
            seed: 0,
        }
    }
}

/// One synthetic follower graph drawn from the model, and what it stands for.
#[derive(Debug, Clone)]
pub struct Realization {
    /// The graph: creator accounts first (in table order, ids = handles), then one follower
    /// account per graph person per platform they follow on (ids `p<person>.<platform>`).
    /// Attributes: platform, person (creator name; `p<person>` for followers), jurisdiction
    /// (home state; the person's jurisdiction, none for people outside the electorate), cost
    /// (the creator's price on each of their accounts: hire by person), followers (the table's
    /// real count, which sets the tier).
    pub graph: Graph,
    /// Real people per graph person.
    pub scale: f64,
    /// The seed it was drawn with.
    pub seed: u64,
    /// Node of each table account.
    pub account_nodes: Vec<u32>,
    /// Graph people drawn per jurisdiction, then outside last (including people who follow
    /// nobody and so have no node).
    pub graph_people: Vec<u64>,
    /// Graph people with at least one follow (people with nodes).
    pub follower_people: u64,
    /// Per follower person (in the order of their `p<person>` labels' first node): the
    /// person's label, lean (mean `lean_a` of the creators they follow that give one) and
    /// whether they are an eligible voter of the electorate (in a jurisdiction, not outside).
    pub people: Vec<PersonRow>,
}

/// Per-person columns of a realization (issue 16's `lean` and `eligible`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PersonRow {
    /// Person label (`p<index>`).
    pub person: String,
    /// Probability of voting for side A when voting: the mean `lean_a` of the accounts
    /// followed that give one (a labelled assumption), else none.
    pub lean: Option<f64>,
    /// 1 for people in a jurisdiction, 0 for people outside the electorate.
    pub eligible: u8,
}

/// A cell of the population: jurisdiction, activity class, membership pattern.
struct Cell {
    j: usize,
    k: usize,
    m: usize,
    n: u64,
    /// Global index of the cell's first graph person.
    base: u64,
}

/// The draws of one cell: `(account, local person)` follows.
fn draw_cell(model: &Lowered, cell: &Cell, seed: u64, index: u64) -> Vec<(u32, u32)> {
    let mut r = rng::stream(rng::derive(seed, PURPOSE_EDGES), index);
    let mut out = Vec::new();
    if cell.n == 0 {
        return out;
    }
    let mut qs: Vec<(usize, f64)> = Vec::new();
    for c in &model.creators {
        qs.clear();
        for &i in &c.accounts {
            if cell.m >> model.accounts[i].platform & 1 == 1 {
                let q = model.follow_probability(i, cell.j, cell.k);
                if q > 0.0 {
                    qs.push((i, q));
                }
            }
        }
        if qs.is_empty() {
            continue;
        }
        let max = qs.iter().map(|x| x.1).fold(0.0, f64::max);
        let none: f64 = qs.iter().map(|x| 1.0 - x.1).product();
        let shared = model.identity * max;
        let p_c = (shared + (1.0 - model.identity) * (1.0 - none)).min(1.0);
        if p_c <= 0.0 {
            continue;
        }
        let hits = if p_c >= 1.0 {
            cell.n
        } else {
            Binomial::new(cell.n, p_c)
                .expect("p in (0, 1)")
                .sample(&mut r)
        };
        if hits == 0 {
            continue;
        }
        let chosen = rand::seq::index::sample(&mut r, cell.n as usize, hits as usize);
        for l in chosen.iter() {
            let l = l as u32;
            if rng::unit_f64(&mut r) * p_c < shared {
                // One uniform below max q: every account with q above it.
                let u = rng::unit_f64(&mut r) * max;
                for &(i, q) in qs.iter() {
                    if q > u {
                        out.push((i as u32, l));
                    }
                }
            } else {
                // Independent follows, conditioned on at least one: the first followed
                // account has P(first = t) ∝ Π_{s<t} (1 − q_s) · q_t.
                let miss_all = none;
                let x = rng::unit_f64(&mut r) * (1.0 - miss_all);
                let mut before = 1.0;
                let mut first = qs.len() - 1;
                let mut acc = 0.0;
                for (t, &(_, q)) in qs.iter().enumerate() {
                    acc += before * q;
                    if x < acc {
                        first = t;
                        break;
                    }
                    before *= 1.0 - q;
                }
                out.push((qs[first].0 as u32, l));
                for &(i, q) in &qs[first + 1..] {
                    if rng::unit_f64(&mut r) < q {
                        out.push((i as u32, l));
                    }
                }
            }
        }
    }
    out
}

/// Draws one synthetic follower graph from the model. See the [module docs](self).
///
/// # Arguments
/// - `model`: the lowered model (from a table and one parameter draw);
/// - `opts`: scale, edge cap of the default scale, seed.
///
/// # Returns
/// A [`Realization`]: the graph with its attributes, its scale and per-person columns.
///
/// # Errors
/// [`Error::InvalidParameter`] for a bad model or scale (not finite, below 1); graph-building
/// errors as [`Graph::from_edges`].
///
/// # Complexity
/// `O(cells × creators + edges)` time, `O(edges + follower people)` memory; parallel over cells.
pub fn materialize(model: &Lowered, opts: &MaterializeOptions) -> Result<Realization> {
    model.validate()?;
    let scale = match opts.scale {
        Some(s) if s.is_finite() && s >= 1.0 => s,
        Some(s) => {
            return Err(Error::invalid_parameter(
                "scale",
                s,
                "must be a finite number >= 1 (real people per graph person)",
            ))
        }
        None => {
            if !(opts.max_edges.is_finite() && opts.max_edges >= 1.0) {
                return Err(Error::invalid_parameter(
                    "max_edges",
                    opts.max_edges,
                    "must be a finite number >= 1",
                ));
            }
            model.default_scale(opts.max_edges)
        }
    };
    let expected_people = model.total_people() / scale;
    if expected_people > u32::MAX as f64 / 2.0 {
        return Err(Error::invalid_parameter(
            "scale",
            scale,
            format!(
                "gives {expected_people:.0} graph people, more than a graph holds; use a larger scale"
            ),
        ));
    }
    let seed = opts.seed;
    let patterns = model.pattern_probabilities();
    let nk = model.weights.len();
    let wsum: f64 = model.weights.iter().sum();

    // Cell counts: round(N_j / scale) graph people per jurisdiction, split over (k, m) by a
    // multinomial draw from one stream per jurisdiction.
    let mut cells: Vec<Cell> = Vec::new();
    let mut graph_people = vec![0u64; model.people.len()];
    let mut base = 0u64;
    for (j, &nj) in model.people.iter().enumerate() {
        let total = (nj / scale).round() as u64;
        graph_people[j] = total;
        let mut r = rng::stream(rng::derive(seed, PURPOSE_COUNTS), j as u64);
        let mut left = total;
        let mut mass_left = 1.0;
        for k in 0..nk {
            for (m, &pm) in patterns.iter().enumerate() {
                let p = model.weights[k] / wsum * pm;
                let last = k + 1 == nk && m + 1 == patterns.len();
                let n = if last || left == 0 {
                    left
                } else {
                    let f = (p / mass_left).clamp(0.0, 1.0);
                    if f >= 1.0 {
                        left
                    } else if f <= 0.0 {
                        0
                    } else {
                        Binomial::new(left, f).expect("p in (0, 1)").sample(&mut r)
                    }
                };
                mass_left -= p;
                left -= n;
                cells.push(Cell { j, k, m, n, base });
                base += n;
            }
        }
    }

    let follows: Vec<Vec<(u32, u32)>> = cells
        .par_iter()
        .enumerate()
        .map(|(c, cell)| draw_cell(model, cell, seed, c as u64))
        .collect();

    // Nodes: accounts first, then (person, platform) pairs in cell order.
    let na = model.accounts.len();
    let mut ids = NodeIds::new();
    let mut account_nodes = Vec::with_capacity(na);
    for a in &model.accounts {
        let before = ids.len();
        let id = ids.intern_str(&a.name);
        if ids.len() == before {
            return Err(Error::DuplicateNode {
                id: a.name.clone(),
                what: "creator accounts".into(),
            });
        }
        account_nodes.push(id);
    }
    let mut src: Vec<u32> = Vec::new();
    let mut dst: Vec<u32> = Vec::new();
    let mut node_platform: Vec<u32> = Vec::new();
    let mut node_person: Vec<u32> = Vec::new();
    let mut node_jur: Vec<u32> = Vec::new();
    let mut people: Vec<PersonRow> = Vec::new();
    let nj = model.jurisdictions.len();
    let np = model.platforms.len();
    for (cell, f) in cells.iter().zip(follows) {
        if f.is_empty() {
            continue;
        }
        // Sort by person, then platform, then account: nodes per (person, platform).
        let mut f: Vec<(u32, u32, u32)> = f
            .into_iter()
            .map(|(i, l)| (l, model.accounts[i as usize].platform as u32, i))
            .collect();
        f.sort_unstable();
        let mut t = 0;
        while t < f.len() {
            let l = f[t].0;
            let person_code = people.len() as u32;
            let label = format!("p{}", cell.base + l as u64);
            let mut lean_sum = 0.0;
            let mut lean_n = 0usize;
            let mut seen_creator: Vec<usize> = Vec::new();
            while t < f.len() && f[t].0 == l {
                let p = f[t].1;
                let node = ids.intern_str(&format!("{label}.{}", model.platforms[p as usize]));
                node_platform.push(p);
                node_person.push(person_code);
                node_jur.push(if cell.j < nj { cell.j as u32 } else { NONE });
                while t < f.len() && f[t].0 == l && f[t].1 == p {
                    let acc = &model.accounts[f[t].2 as usize];
                    src.push(account_nodes[f[t].2 as usize]);
                    dst.push(node);
                    if let Some(x) = acc.lean_a {
                        if !seen_creator.contains(&acc.creator) {
                            seen_creator.push(acc.creator);
                            lean_sum += x;
                            lean_n += 1;
                        }
                    }
                    t += 1;
                }
            }
            people.push(PersonRow {
                person: label,
                lean: (lean_n > 0).then(|| lean_sum / lean_n as f64),
                eligible: u8::from(cell.j < nj),
            });
        }
    }
    let n = ids.len();
    let (mut graph, _) =
        Graph::from_edges(n as u32, &src, &dst, None, ids, GraphOptions::default())?;

    let mut a = Attributes::new(n);
    let mut platform = Categorical {
        codes: crate::attrs::Column::filled(NONE, n),
        names: model.platforms.clone().into(),
    };
    let mut jurisdiction = Categorical {
        codes: crate::attrs::Column::filled(NONE, n),
        names: model.jurisdictions.clone().into(),
    };
    let mut person_names: Vec<String> = model.creators.iter().map(|c| c.name.clone()).collect();
    let mut person_codes = vec![NONE; n];
    for (i, acc) in model.accounts.iter().enumerate() {
        let u = account_nodes[i] as usize;
        let c = &model.creators[acc.creator];
        platform.codes[u] = acc.platform as u32;
        person_codes[u] = acc.creator as u32;
        jurisdiction.codes[u] = c.state.map_or(NONE, |s| s as u32);
        a.cost[u] = c.price.unwrap_or(f64::NAN);
        a.followers.set(u, Some(acc.followers.round() as u64));
    }
    let creators = person_names.len() as u32;
    for (t, u) in (na..n).enumerate() {
        platform.codes[u] = node_platform[t];
        jurisdiction.codes[u] = node_jur[t];
        person_codes[u] = creators + node_person[t];
    }
    person_names.extend(people.iter().map(|p| p.person.clone()));
    debug_assert!(np <= MAX_PLATFORMS);
    a.platform = platform;
    a.jurisdiction = jurisdiction;
    a.person = Categorical {
        codes: person_codes.into(),
        names: person_names.into(),
    };
    graph.set_attributes(a)?;
    let follower_people = people.len() as u64;
    Ok(Realization {
        graph,
        scale,
        seed,
        account_nodes,
        graph_people,
        follower_people,
        people,
    })
}

/// Files [`write_realization`] writes into its directory.
pub const REALIZATION_FILES: [&str; 4] =
    ["edges.txt", "attributes.csv", "people.csv", "README.txt"];

/// Writes a realization into `dir` (created if missing): `edges.txt` (an edge list every
/// command reads with `--graph`), `attributes.csv` (`--attributes`: platform, person,
/// jurisdiction, cost = the creator's price, followers = the table's real count),
/// `people.csv` (`person,lean,eligible` per follower person: issue 16's columns, kept apart
/// until the attribute reader takes them) and `README.txt` saying what the files are: a
/// synthetic graph, its seed, scale and parameters (`about`, e.g. the parameters as JSON).
/// Each file is written whole or not at all.
///
/// # Errors
/// [`Error::Io`] naming the file that could not be written.
pub fn write_realization(r: &Realization, dir: &std::path::Path, about: &str) -> Result<()> {
    use crate::output::write_atomic;
    use std::io::Write;
    let io_err = |name: &str| {
        let path = dir.join(name).display().to_string();
        move |source| Error::Io {
            input: path,
            source,
        }
    };
    std::fs::create_dir_all(dir).map_err(io_err(""))?;
    write_atomic(dir.join("edges.txt"), |f| {
        crate::io::write_edge_list(&r.graph, f)
    })
    .map_err(io_err("edges.txt"))?;
    let left_out = write_atomic(dir.join("attributes.csv"), |f| {
        crate::io::write_edge_list_attributes(&r.graph, f)
    })
    .map_err(io_err("attributes.csv"))?;
    write_atomic(dir.join("people.csv"), |f| {
        let mut w = csv::Writer::from_writer(f);
        w.write_record(["person", "lean", "eligible"])?;
        for p in &r.people {
            w.write_record([
                p.person.clone(),
                p.lean.map_or(String::new(), |l| format!("{l:.6}")),
                p.eligible.to_string(),
            ])?;
        }
        w.flush()
    })
    .map_err(io_err("people.csv"))?;
    let real = |g: u64| g as f64 * r.scale;
    let mut text = String::new();
    text.push_str(
        "SYNTHETIC follower graph drawn by `reachgraph plan --materialize` from a creator table\n\
         and the audience model of docs/plan.md. The follower lists are INVENTED by the model:\n\
         only follower counts, audience geography, creator identity and pairwise overlaps are\n\
         meant to hold, in expectation, as the model states them. Not measured data.\n\n",
    );
    text.push_str(&format!(
        "seed: {}\nscale: {} real people per graph person (multiply graph reach by it)\n\
         graph: {} accounts ({} creator accounts, {} follower accounts), {} follow edges\n\
         graph people drawn: {} ({} real people), of whom {} follow at least one account\n\
         creator accounts without followers in this draw (absent from the edge list): {}\n\n",
        r.seed,
        r.scale,
        r.graph.node_count(),
        r.account_nodes.len(),
        r.graph.node_count() - r.account_nodes.len(),
        r.graph.edge_count(),
        r.graph_people.iter().sum::<u64>(),
        real(r.graph_people.iter().sum::<u64>()),
        r.follower_people,
        left_out,
    ));
    text.push_str(
        "files:\n  edges.txt       `u v` = v follows u (creator account -> follower account)\n  \
         attributes.csv  platform, person (creator name / p<index>), jurisdiction (none: \
         outside the electorate), cost (the creator's price, repeated on each of their \
         accounts: pick by person), followers (the table's real count)\n  \
         people.csv      person, lean (mean lean_a of the creators followed; an assumption), \
         eligible (1 in a jurisdiction, 0 outside)\n\nparameters of this draw:\n",
    );
    text.push_str(about);
    text.push('\n');
    write_atomic(dir.join("README.txt"), |f| f.write_all(text.as_bytes()))
        .map_err(io_err("README.txt"))?;
    Ok(())
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// Two jurisdictions and outside, two activity classes, two platforms, three creators
    /// (one with an account on each platform).
    pub(crate) fn small(identity: f64) -> Lowered {
        let acc = |name: &str, creator, platform, followers: f64, share: [f64; 3]| LoweredAccount {
            name: name.into(),
            creator,
            platform,
            followers,
            share: share.to_vec(),
            lean_a: Some(0.3 + 0.2 * creator as f64),
        };
        Lowered {
            jurisdictions: vec!["PA".into(), "WI".into()],
            people: vec![600_000.0, 300_000.0, 100_000.0],
            weights: vec![0.6, 0.4],
            levels: vec![0.5, 1.75],
            platforms: vec!["tiktok".into(), "youtube".into()],
            adoption: vec![0.4, 0.8],
            identity,
            accounts: vec![
                acc("a_tt", 0, 0, 60_000.0, [0.7, 0.2, 0.1]),
                acc("a_yt", 0, 1, 90_000.0, [0.6, 0.3, 0.1]),
                acc("b_tt", 1, 0, 40_000.0, [0.2, 0.7, 0.1]),
                acc("c_yt", 2, 1, 120_000.0, [0.5, 0.4, 0.1]),
            ],
            creators: vec![
                LoweredCreator {
                    name: "a".into(),
                    price: Some(1000.0),
                    state: Some(0),
                    accounts: vec![0, 1],
                },
                LoweredCreator {
                    name: "b".into(),
                    price: Some(500.0),
                    state: Some(1),
                    accounts: vec![2],
                },
                LoweredCreator {
                    name: "c".into(),
                    price: None,
                    state: None,
                    accounts: vec![3],
                },
            ],
        }
    }

    fn opts(scale: f64, seed: u64) -> MaterializeOptions {
        MaterializeOptions {
            scale: Some(scale),
            seed,
            ..Default::default()
        }
    }

    /// Distinct persons following any of `accounts`, by jurisdiction code (outside last).
    fn reach(r: &Realization, accounts: &[usize], nj: usize) -> Vec<f64> {
        let g = &r.graph;
        let people = g.people();
        let mut seen = vec![false; people.count];
        let mut by = vec![0.0; nj + 1];
        for &i in accounts {
            for &v in g.followers(r.account_nodes[i]) {
                let p = people.of_account[v as usize] as usize;
                if !seen[p] {
                    seen[p] = true;
                    let j = g.attributes().jurisdiction.codes[v as usize];
                    by[if j == NONE { nj } else { j as usize }] += 1.0;
                }
            }
        }
        by
    }

    #[test]
    fn same_seed_same_graph_on_any_thread_count() {
        let m = small(0.5);
        let run = |threads| {
            let pool = rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .unwrap();
            pool.install(|| materialize(&m, &opts(10.0, 7)).unwrap())
        };
        let (a, b) = (run(1), run(3));
        let edges = |r: &Realization| {
            let g = &r.graph;
            (0..g.node_count() as u32)
                .flat_map(|u| {
                    g.followers(u)
                        .iter()
                        .map(move |&v| (g.label(u), g.label(v)))
                })
                .collect::<Vec<_>>()
        };
        assert_eq!(edges(&a), edges(&b));
        assert!(a.graph.edge_count() > 1000);
        // (Attributes hold NaN costs, which never compare equal: compare the columns.)
        let (x, y) = (a.graph.attributes(), b.graph.attributes());
        assert_eq!(
            (&x.platform, &x.person, &x.jurisdiction, &x.followers),
            (&y.platform, &y.person, &y.jurisdiction, &y.followers)
        );
        assert_eq!(a.people, b.people);
        let c = materialize(&m, &opts(10.0, 8)).unwrap();
        assert_ne!(edges(&a), edges(&c));
    }

    #[test]
    fn follower_counts_and_geography_hold() {
        // With q < 1 everywhere, each account's graph followers are a sum of independent
        // Bernoullis with mean F / scale; 5 standard deviations (sd ≤ √mean) + 1 for cell-count
        // rounding is the tolerance.
        let m = small(0.3);
        let scale = 5.0;
        let r = materialize(&m, &opts(scale, 11)).unwrap();
        for (i, a) in m.accounts.iter().enumerate() {
            let deg = r.graph.out_degree(r.account_nodes[i]) as f64;
            let mean = a.followers / scale;
            assert!(
                (deg - mean).abs() < 5.0 * mean.sqrt() + 1.0,
                "{}: {deg} vs {mean}",
                a.name
            );
            let by = reach(&r, &[i], 2);
            for (j, (&got, &share)) in by.iter().zip(&a.share).enumerate() {
                let want = mean * share;
                assert!(
                    (got - want).abs() < 5.0 * want.sqrt() + 1.0,
                    "{} j={j}: {got} vs {want}",
                    a.name
                );
            }
        }
        // Graph people per jurisdiction are the rounded real counts.
        assert_eq!(r.graph_people, vec![120_000, 60_000, 20_000]);
    }

    #[test]
    fn reach_and_overlaps_match_the_closed_form() {
        // Exact reach of the realization vs the model's expectation (in graph people): the
        // reach is a sum of independent per-person indicators given the cell counts, so its
        // sd is below √E; cell counts add at most as much again. Tolerance: 6·√E.
        for identity in [0.0, 0.7] {
            let m = small(identity);
            let scale = 4.0;
            for seed in 0..3 {
                let r = materialize(&m, &opts(scale, seed)).unwrap();
                for set in [vec![0usize], vec![0, 1], vec![0, 1, 2, 3], vec![1, 3]] {
                    let e = m.expected_reach(&set);
                    let got = reach(&r, &set, 2);
                    let total: f64 = got.iter().sum();
                    let want = e.total / scale;
                    assert!(
                        (total - want).abs() < 6.0 * want.sqrt(),
                        "rho {identity} seed {seed} {set:?}: {total} vs {want}"
                    );
                }
                // Overlap of the creator's two accounts: shared = R(a) + R(b) − R(a ∪ b).
                let shared = |r: &Realization| {
                    let a = reach(r, &[0], 2).iter().sum::<f64>();
                    let b = reach(r, &[1], 2).iter().sum::<f64>();
                    a + b - reach(r, &[0, 1], 2).iter().sum::<f64>()
                };
                let want = (m.expected_reach(&[0]).total + m.expected_reach(&[1]).total
                    - m.expected_reach(&[0, 1]).total)
                    / scale;
                let got = shared(&r);
                assert!(
                    (got - want).abs() < 6.0 * want.sqrt() + 2.0,
                    "rho {identity}: shared {got} vs {want}"
                );
            }
        }
        // Creator identity raises the overlap of one creator's accounts.
        let lo = small(0.0);
        let hi = small(1.0);
        let ov = |m: &Lowered| {
            m.expected_reach(&[0]).total + m.expected_reach(&[1]).total
                - m.expected_reach(&[0, 1]).total
        };
        assert!(ov(&hi) > 1.5 * ov(&lo));
    }

    #[test]
    fn closed_form_reduces_to_independence_by_brute_force() {
        // One delta at level 1, ρ = 0, one jurisdiction, one platform adopted by all:
        // reach = N (1 − Π (1 − F_i / N)).
        let m = Lowered {
            jurisdictions: vec!["X".into()],
            people: vec![1000.0, 0.0],
            weights: vec![1.0],
            levels: vec![1.0],
            platforms: vec!["x".into()],
            adoption: vec![1.0],
            identity: 0.0,
            accounts: (0..3)
                .map(|i| LoweredAccount {
                    name: format!("a{i}"),
                    creator: i,
                    platform: 0,
                    followers: 100.0 * (i + 1) as f64,
                    share: vec![1.0, 0.0],
                    lean_a: None,
                })
                .collect(),
            creators: (0..3)
                .map(|i| LoweredCreator {
                    name: format!("c{i}"),
                    price: None,
                    state: None,
                    accounts: vec![i],
                })
                .collect(),
        };
        let e = m.expected_reach(&[0, 1, 2]);
        let want = 1000.0 * (1.0 - 0.9 * 0.8 * 0.7);
        assert!((e.total - want).abs() < 1e-9, "{} vs {want}", e.total);
    }

    #[test]
    fn attributes_and_people_columns() {
        let m = small(0.5);
        let r = materialize(&m, &opts(20.0, 3)).unwrap();
        let g = &r.graph;
        let a = g.attributes();
        let u = g.node("a_yt").unwrap();
        assert_eq!(a.person.get(u), Some("a"));
        assert_eq!(a.platform.get(u), Some("youtube"));
        assert_eq!(a.jurisdiction.get(u), Some("PA"));
        assert_eq!(a.cost[u as usize], 1000.0);
        assert_eq!(a.followers.get(u as usize), Some(90_000));
        // Creator a's two accounts are one person.
        let people = g.people();
        assert_eq!(
            people.of_account[u as usize],
            people.of_account[g.node("a_tt").unwrap() as usize]
        );
        // Outside people have no jurisdiction and are not eligible.
        let outside = r.people.iter().filter(|p| p.eligible == 0).count();
        assert!(outside > 0);
        for p in &r.people {
            let lean = p.lean.unwrap();
            assert!((0.3..=0.7).contains(&lean));
        }
        // A follower node's label carries person and platform.
        let v = g.followers(u)[0];
        assert!(g.label(v).ends_with(".youtube"));
    }

    #[test]
    fn bad_scale_and_model_are_errors() {
        let m = small(0.5);
        assert!(materialize(&m, &opts(0.5, 1)).is_err());
        assert!(materialize(&m, &opts(f64::NAN, 1)).is_err());
        let mut bad = small(0.5);
        bad.identity = 1.5;
        assert!(materialize(&bad, &opts(10.0, 1)).is_err());
        let mut bad = small(0.5);
        bad.adoption[0] = 0.0;
        assert!(materialize(&bad, &opts(10.0, 1)).is_err());
    }
    #[test]
    fn written_realization_reads_back() {
        let m = small(0.5);
        let r = materialize(&m, &opts(50.0, 5)).unwrap();
        let dir = std::env::temp_dir().join(format!("rg-materialize-{}", std::process::id()));
        write_realization(&r, &dir, "{\"identity\": 0.5}").unwrap();
        let text = std::fs::read(dir.join("edges.txt")).unwrap();
        let (g, _) = crate::io::read_graph(
            &text[..],
            "edges.txt",
            crate::io::EdgeFormat::EdgeList,
            Default::default(),
        )
        .unwrap();
        assert_eq!(g.edge_count(), r.graph.edge_count());
        let attrs = std::fs::read(dir.join("attributes.csv")).unwrap();
        let a = crate::io::read_attributes(&attrs[..], "attributes.csv", &g).unwrap();
        let u = g.node("a_tt").unwrap();
        assert_eq!(a.cost[u as usize], 1000.0);
        let readme = std::fs::read_to_string(dir.join("README.txt")).unwrap();
        assert!(readme.contains("SYNTHETIC") && readme.contains("seed: 5"));
        let people = std::fs::read_to_string(dir.join("people.csv")).unwrap();
        assert_eq!(people.lines().count(), r.people.len() + 1);
        std::fs::remove_dir_all(&dir).unwrap();
    }
    #[test]
    fn lowered_table_matches_the_closed_form_and_materializes() {
        use crate::margin::Electorate;
        use crate::plan::params::{default_adoption, prior_medians, ModelParams};
        use crate::plan::table::CreatorTable;
        let csv = "creator,platform,followers,price,state,lean_a\n\
                   ann,tiktok,400000,3000,PA,0.6\nann,youtube,900000,3000,PA,0.6\n\
                   bo,instagram,250000,1500,WI,0.4\ncy,youtube,1200000,,,\n";
        let e = Electorate::us_president(2024, crate::Side::Dem).unwrap();
        let mut t = CreatorTable::read(csv.as_bytes(), "creators.csv", &e).unwrap();
        t.read_audience(
            "account,jurisdiction,share\nbo:instagram,WI,0.5\nbo:instagram,MN,0.2\n".as_bytes(),
            "audience.csv",
        )
        .unwrap();
        let adoption = t.platforms.iter().map(|p| default_adoption(p).0).collect();
        let mut values = prior_medians();
        values.identity = 0.6;
        let params = ModelParams::from_values(&values, adoption, t.population.clone()).unwrap();
        let m = Lowered::from_table(&t, &params).unwrap();
        let model = crate::plan::model::AudienceModel::new(&t, &params).unwrap();
        for set in [vec![0usize], vec![0, 1], vec![0, 1, 2, 3], vec![2]] {
            let a = m.expected_reach(&set);
            let b = model.reach_by_region(&set);
            for (x, y) in a.by_jurisdiction.iter().zip(&b) {
                assert!(
                    (x - y).abs() <= 1e-9 * y.abs().max(1.0),
                    "{set:?}: {x} vs {y}"
                );
            }
        }
        // A realization of it: WI holds half of bo's followers (±5 sd), and the reach of all
        // accounts is within 6·√E of the closed form.
        let r = materialize(&m, &opts(100.0, 9)).unwrap();
        let wi = t.jurisdiction("WI").unwrap();
        let by = reach(&r, &[2], t.jurisdictions.len());
        let want = 250_000.0 * 0.5 / 100.0;
        assert!(
            (by[wi] - want).abs() < 5.0 * want.sqrt(),
            "{} vs {want}",
            by[wi]
        );
        let all: f64 = reach(&r, &[0, 1, 2, 3], t.jurisdictions.len()).iter().sum();
        let want = model.reach(&[0, 1, 2, 3]) / 100.0;
        assert!((all - want).abs() < 6.0 * want.sqrt(), "{all} vs {want}");
    }
}
