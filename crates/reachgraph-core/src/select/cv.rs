//! Quality mode's greedy with a control variate: the first reverse hop.
//!
//! Greedy on RR sets estimates the marginal gain of an account `v` given seeds `S` by the
//! number of sets that contain `v` and miss `S`. Part of that count is the sets where `v` is a
//! root or reaches a root over one live edge; the chance of that event (and of the same event
//! for `S`) is known exactly from the graph, so it need not be estimated. Greedy here ranks by
//!
//! `A(v) − B(v) + θ·E₁(v)`,
//!
//! where `A(v)` counts the sets that contain `v` and miss `S`, `B(v)` the sets whose first hop
//! contains `v` and misses `S`, `θ` is the number of sets and `E₁(v)` the exact increase of
//! the chance that a random root's first hop meets the seeds when `v` joins them. `B` and
//! `θ·E₁` have the same expectation, so the score is an unbiased estimate of the same gain,
//! with less variance: the first hop is where `A` and `B` agree, so their noise cancels.
//!
//! Measured on soc-Epinions1, NetHEPT and wiki-Vote under weighted cascade (docs/BENCHMARKS.md,
//! issue 18): the first hop carries about half or more of a seed's gain, and the variate
//! removes 27–63% of the variance of the spreads and gains greedy compares. Quality mode with
//! it at a floor of 30,000 covered sets came as close to IMM's spread as plain greedy at
//! 45,000, on a third fewer sets.
//!
//! `E₁` under each model, for a root account `r` not in `S` (account roots, or one account per
//! person):
//! - IC: the first hop meets `S` unless every edge `u → r` from `S` is dead:
//!   `1 − Π_{u ∈ S} (1 − p(u, r))`;
//! - LT: `r` keeps at most one in-edge, `u → r` with probability `p(u, r)`: `Σ_{u ∈ S} p(u, r)`.
//!
//! Either way the chance that `r` is missed, `miss[r]`, only falls as seeds join, and `v`'s gain
//! is its own root mass times `miss[v]` plus, for each follower `r` of `v`, `r`'s root mass times
//! the fall of `miss[r]` that `v` brings.
//!
//! Where the roots are people and a person holds several accounts, a set starts from all of
//! the root's accounts and its first hop is every account with a live edge into one of them.
//! Each account `a` chooses its live in-edges on its own, so a person `q` is missed with chance
//! `Π_{a ∈ q} miss[a]` (0 once one of `q`'s accounts is a seed), and `v`'s gain for `q` is `q`'s
//! root mass times that product times the chance that one of `v`'s edges into `q`'s accounts is
//! live: IC `1 − Π (1 − p(v, a))`, LT `1 − Π (miss[a] − p(v, a)) / miss[a]`. With account roots
//! the one-account form holds whatever the people.
//!
//! The score is no longer submodular sample by sample (a set met deep by `S` whose first hop a
//! later seed meets raises `B`'s complement), so the lazy evaluation here is a heuristic: a
//! stale score is treated as an upper bound, as in plain greedy. The reported gains, coverage
//! and bound are plain coverage counts, so the certificate of OPIM-C (which holds for any
//! seed set) is unchanged.

use super::cover::{self, Bitmap, Entry, Greedy, Method, RrIndex, FIRST_HOP};
use super::{Candidates, Constraint};
use crate::cascade::Model;
use crate::error::Result;
use crate::graph::{Csr, Graph};
use crate::rrset::RootDistribution;
use crate::weights::InPerTarget;
use std::collections::{BinaryHeap, HashMap};

/// The probability of each out-edge.
enum OutProbs<'g> {
    /// One per edge, in out-edge order.
    Array(&'g [f32]),
    /// A function of the target's in-degree.
    ByTarget(InPerTarget, &'g [usize]),
}

/// Roots that are people, some of whom hold several accounts: a set's first hop is then the
/// accounts with a live edge into any of the root's accounts, so misses and gains are per
/// person.
struct Persons<'g> {
    /// Person of each account.
    of: &'g [u32],
    /// Root mass of each person, when not uniform.
    mass: Option<Vec<f64>>,
    /// Root mass of a person under a uniform root.
    uniform: f64,
    /// Number of people.
    count: usize,
}

impl Persons<'_> {
    #[inline]
    fn mass(&self, q: u32) -> f64 {
        match &self.mass {
            None => self.uniform,
            Some(m) => m[q as usize],
        }
    }
}

/// What the exact first-hop gains need from the graph.
pub(crate) struct FirstHop<'g> {
    offsets: &'g [usize],
    targets: &'g [u32],
    /// In-edges (for the gains before any seed: one pass in the order the sampler read).
    graph: &'g Graph,
    probs: OutProbs<'g>,
    model: Model,
    /// Root mass of each account (its chance of being a set's root), when not uniform.
    mass: Option<Vec<f64>>,
    /// Root mass of an account under a uniform root.
    uniform: f64,
    /// Person roots where some person holds several accounts (`mass` is then unused).
    persons: Option<Persons<'g>>,
}

/// The seeds so far, as the first-hop gains read them.
pub(crate) struct Misses {
    /// Seed flag of each account.
    chosen: Vec<bool>,
    /// Per account `a`, the chance that no seed's edge into `a` is live (IC:
    /// `Π (1 − p(u, a))`; LT: `1 − Σ p(u, a)`) over the seeds `u`.
    miss: Vec<f64>,
    /// With [`Persons`]: the misses per person.
    person: Option<PersonMisses>,
}

/// [`Misses`] per person, with the scratch of one gain.
struct PersonMisses {
    /// The chance that the person's first hop misses the seeds: the product of their accounts'
    /// `miss`, 0 once one of their accounts is a seed.
    miss: Vec<f64>,
    /// The factor of `miss` that a person touched by the gain being read keeps (-1: not
    /// touched).
    keep: Vec<f64>,
    /// The people the gain being read touched.
    touched: Vec<u32>,
}

impl<'g> FirstHop<'g> {
    /// The first-hop model of `graph` under `model` for roots drawn by `roots` (`scale`: the
    /// total root weight of [`RootDistribution::TargetWeighted`]).
    pub(crate) fn new(
        graph: &'g Graph,
        model: Model,
        roots: RootDistribution,
        scale: f64,
    ) -> FirstHop<'g> {
        let n = graph.node_count();
        let people = graph.people();
        let (offsets, targets) = {
            let out = graph.out_csr_without_probabilities();
            (out.offsets, out.neighbors)
        };
        let probs = match graph.out_per_target() {
            Some(rule) => OutProbs::ByTarget(rule, graph.in_csr_without_probabilities().offsets),
            None => OutProbs::Array(graph.out_csr().probs),
        };
        let weighted = roots == RootDistribution::TargetWeighted;
        let by_person = |q: usize| people.weight[q] as f64 / scale;
        // Account roots, or one account per person: the first hop is one account's in-edges.
        let persons = (roots != RootDistribution::Uniform && people.count != n).then(|| Persons {
            of: &people.of_account,
            mass: weighted.then(|| (0..people.count).map(by_person).collect()),
            uniform: 1.0 / people.count as f64,
            count: people.count,
        });
        let mass = (weighted && persons.is_none()).then(|| {
            (0..n)
                .map(|a| by_person(people.of_account[a] as usize))
                .collect()
        });
        FirstHop {
            offsets,
            targets,
            graph,
            probs,
            model,
            mass,
            uniform: 1.0 / n as f64,
            persons,
        }
    }

    /// True when each root's first hop is one account's in-edges (account roots, or one
    /// account per person): the case quality mode's lower floor was calibrated on.
    pub(crate) fn one_account_roots(&self) -> bool {
        self.persons.is_none()
    }

    /// No seeds yet.
    pub(crate) fn misses(&self) -> Misses {
        let n = self.offsets.len() - 1;
        Misses {
            chosen: vec![false; n],
            miss: vec![1.0; n],
            person: self.persons.as_ref().map(|ps| PersonMisses {
                miss: vec![1.0; ps.count],
                keep: vec![-1.0; ps.count],
                touched: Vec::new(),
            }),
        }
    }

    /// Bytes the control-variate greedy holds besides the sets, with `cands` candidates: each
    /// account's miss chance, first-hop gain and seed flag, a heap entry and the initial counts
    /// per candidate, and with person roots each person's miss, scratch, touch, mass and
    /// account count, and the initial gains' scratch per account.
    pub(crate) fn greedy_bytes(&self, cands: usize) -> u64 {
        let n = (self.offsets.len() - 1) as u64;
        match &self.persons {
            None => n * 17 + cands as u64 * 32,
            Some(ps) => n * 33 + cands as u64 * 32 + ps.count as u64 * 36,
        }
    }

    #[inline]
    fn mass(&self, a: u32) -> f64 {
        match &self.mass {
            None => self.uniform,
            Some(m) => m[a as usize],
        }
    }

    /// The followers of `v` with the probability of each edge.
    #[inline]
    fn out(&self, v: u32) -> impl Iterator<Item = (u32, f64)> + '_ {
        let (lo, hi) = (self.offsets[v as usize], self.offsets[v as usize + 1]);
        self.targets[lo..hi].iter().enumerate().map(move |(i, &a)| {
            let p = match self.probs {
                OutProbs::Array(p) => p[lo + i],
                OutProbs::ByTarget(rule, inc) => {
                    rule.of_degree(inc[a as usize + 1] - inc[a as usize])
                }
            };
            (a, p as f64)
        })
    }

    /// The fall of `miss` (the chance the first hop misses the seeds) that an edge of
    /// probability `p` from a new seed brings.
    #[inline]
    fn fall(&self, miss: f64, p: f64) -> f64 {
        match self.model {
            Model::IndependentCascade => miss * p,
            Model::LinearThreshold => p.min(miss),
        }
    }

    /// The exact gain of `v` in first-hop coverage, given the seeds so far.
    fn gain(&self, v: u32, st: &mut Misses) -> f64 {
        if let Some(ps) = &self.persons {
            return self.gain_people(ps, v, st);
        }
        let (chosen, miss) = (&st.chosen, &st.miss);
        let mut g = self.mass(v) * miss[v as usize];
        for (a, p) in self.out(v) {
            if a != v && !chosen[a as usize] {
                g += self.mass(a) * self.fall(miss[a as usize], p);
            }
        }
        g
    }

    /// [`FirstHop::gain`] with person roots: `v`'s own person, if not yet met, plus, for each
    /// other person `q` that `v` follows through accounts `a`, `q`'s mass times their miss
    /// times the chance that one of the edges `v → a` is live (IC: `1 − Π (1 − p)`; LT, where
    /// each account keeps one in-edge: `1 − Π (miss[a] − p) / miss[a]`).
    fn gain_people(&self, ps: &Persons<'_>, v: u32, st: &mut Misses) -> f64 {
        let Misses { miss, person, .. } = st;
        let PersonMisses {
            miss: pmiss,
            keep,
            touched,
        } = person.as_mut().expect("person misses");
        let own = ps.of[v as usize];
        let mut g = ps.mass(own) * pmiss[own as usize];
        for (a, p) in self.out(v) {
            let q = ps.of[a as usize];
            if q == own || pmiss[q as usize] <= 0.0 {
                continue;
            }
            let m = miss[a as usize];
            let f = match self.model {
                Model::IndependentCascade => 1.0 - p,
                Model::LinearThreshold => (m - p).max(0.0) / m,
            };
            let k = &mut keep[q as usize];
            if *k < 0.0 {
                *k = 1.0;
                touched.push(q);
            }
            *k *= f;
        }
        for q in touched.drain(..) {
            let k = std::mem::replace(&mut keep[q as usize], -1.0);
            g += ps.mass(q) * pmiss[q as usize] * (1.0 - k);
        }
        g
    }

    /// The gain of every account with no seeds yet (every `miss` is 1), from the in-edges:
    /// each root `a` adds its mass times `p(v, a)` to each account `v` it follows. With person
    /// roots, the gain of each account from its out-edges.
    fn initial_gains(&self) -> Vec<f64> {
        let n = self.offsets.len() - 1;
        if let Some(ps) = &self.persons {
            return self.initial_gains_people(ps);
        }
        let own = |a: usize| self.mass.as_ref().map_or(self.uniform, |m| m[a]);
        let mut g: Vec<f64> = (0..n).map(own).collect();
        let (inc, rule) = self.in_edges();
        for a in 0..n {
            let w = own(a);
            each_in(&inc, rule, a, |v, p| {
                if v as usize != a {
                    g[v as usize] += w * self.fall(1.0, p);
                }
            });
        }
        g
    }

    /// The in-edges the initial gains read, with the rule of their probabilities where it is
    /// a function of the target's in-degree (see [`each_in`]).
    fn in_edges(&self) -> (Csr<'g>, Option<InPerTarget>) {
        match self.probs {
            OutProbs::ByTarget(rule, _) => (self.graph.in_csr_without_probabilities(), Some(rule)),
            OutProbs::Array(_) => (self.graph.in_csr(), None),
        }
    }

    /// [`FirstHop::initial_gains`] with person roots, from the in-edges: a person `q` with one
    /// account `a` adds `q`'s mass times `p(v, a)` to each account `v` that `a` follows; a person
    /// with several adds `q`'s mass times `1 − Π (1 − p(v, a))` over the accounts `a` of `q`
    /// that `v` has an edge into, for each such `v` outside `q`.
    fn initial_gains_people(&self, ps: &Persons<'_>) -> Vec<f64> {
        let n = self.offsets.len() - 1;
        let of = ps.of;
        let (inc, rule) = self.in_edges();
        // Accounts per person, then (a counting sort) where each person's accounts start.
        let mut start = vec![0u32; ps.count + 1];
        for &q in of {
            start[q as usize + 1] += 1;
        }
        let mut several = false;
        let mut g: Vec<f64> = of.iter().map(|&q| ps.mass(q)).collect();
        for (a, &q) in of.iter().enumerate() {
            let q = q as usize;
            if start[q + 1] > 1 {
                several = true;
                continue;
            }
            let mass = ps.mass(q as u32);
            each_in(&inc, rule, a, |v, p| {
                if v as usize != a {
                    g[v as usize] += mass * p;
                }
            });
        }
        if !several {
            return g;
        }
        for q in 0..ps.count {
            start[q + 1] += start[q];
        }
        let mut next = start.clone();
        let mut accounts = vec![0u32; n];
        for (a, &q) in of.iter().enumerate() {
            accounts[next[q as usize] as usize] = a as u32;
            next[q as usize] += 1;
        }
        drop(next);
        // People with several accounts, one at a time: `keep[v]` is the chance that none of
        // `v`'s edges into the person is live (-1: `v` not touched yet).
        let mut keep = vec![-1.0f64; n];
        let mut touched = Vec::new();
        for q in 0..ps.count {
            let mine = &accounts[start[q] as usize..start[q + 1] as usize];
            if mine.len() < 2 {
                continue;
            }
            for &a in mine {
                each_in(&inc, rule, a as usize, |v, p| {
                    if of[v as usize] as usize == q {
                        return;
                    }
                    let k = &mut keep[v as usize];
                    if *k < 0.0 {
                        *k = 1.0;
                        touched.push(v);
                    }
                    *k *= 1.0 - p;
                });
            }
            let mass = ps.mass(q as u32);
            for v in touched.drain(..) {
                let k = std::mem::replace(&mut keep[v as usize], -1.0);
                g[v as usize] += mass * (1.0 - k);
            }
        }
        g
    }

    /// `v` joins the seeds.
    fn add(&self, v: u32, st: &mut Misses) {
        st.chosen[v as usize] = true;
        let own = self.persons.as_ref().map(|ps| ps.of[v as usize]);
        if let (Some(own), Some(pm)) = (own, &mut st.person) {
            pm.miss[own as usize] = 0.0;
        }
        for (a, p) in self.out(v) {
            let m = &mut st.miss[a as usize];
            let old = *m;
            *m = (old - self.fall(old, p)).max(0.0);
            if let (Some(ps), Some(pm)) = (&self.persons, &mut st.person) {
                let q = &mut pm.miss[ps.of[a as usize] as usize];
                if *q > 0.0 {
                    // The person's miss is the product of their accounts': scale it by this
                    // account's fall (IC: 1 − p exactly; LT: the ratio, or 0).
                    *q = match self.model {
                        Model::IndependentCascade => *q * (1.0 - p),
                        Model::LinearThreshold if *m > 0.0 => *q * (*m / old),
                        Model::LinearThreshold => 0.0,
                    };
                }
            }
        }
    }
}

/// Calls `f(v, p)` for each in-edge `v → a` of `a` with its probability (`rule`: the
/// probability as a function of `a`'s in-degree; else `inc`'s array).
#[inline]
fn each_in(inc: &Csr<'_>, rule: Option<InPerTarget>, a: usize, mut f: impl FnMut(u32, f64)) {
    let (lo, hi) = (inc.offsets[a], inc.offsets[a + 1]);
    let from = &inc.neighbors[lo..hi];
    match rule {
        Some(r) => {
            let p = r.of_degree(hi - lo) as f64;
            from.iter().for_each(|&v| f(v, p));
        }
        None => from
            .iter()
            .zip(&inc.probs[lo..hi])
            .for_each(|(&v, &p)| f(v, p as f64)),
    }
}

/// Score per unit of cost (a positive score at zero cost first).
fn key(score: f64, cost: f64) -> f64 {
    if cost > 0.0 {
        score / cost
    } else if score > 0.0 {
        f64::INFINITY
    } else {
        score
    }
}

/// The set counts the control-variate greedy reads, over the whole collection: one process's
/// index ([`Local`]) or the shards of every rank (the `distributed` module).
pub(crate) trait CvCounts {
    /// Sets in the collection.
    fn sets(&self) -> usize;
    /// Each candidate in some set (in `cands` order), with the sets that hold it and the first
    /// hops that hold it.
    fn initial(&mut self, cands: &Candidates) -> Result<Vec<(u32, u64, u64)>>;
    /// `A(v) − B(v)` for the seeds covered so far: the sets that hold `v` and miss the seeds,
    /// less the first hops that hold `v` and miss the seeds.
    fn now(&mut self, v: u32) -> Result<f64>;
    /// Covers the sets of `v` (and the first hops that hold it); the sets newly covered.
    fn cover(&mut self, v: u32) -> Result<u64>;
}

/// [`CvCounts`] of one process's index.
pub(crate) struct Local<'a> {
    index: &'a RrIndex,
    covered: Bitmap,
    covered1: Bitmap,
}

impl<'a> Local<'a> {
    /// Counts over `index` (which marks first hops).
    pub(crate) fn new(index: &'a RrIndex) -> Local<'a> {
        Local {
            index,
            covered: Bitmap::new(index.len()),
            covered1: Bitmap::new(index.len()),
        }
    }
}

/// `(A, B)` of `list` (see [`CvCounts::now`]): ids not covered, and marked ids whose first hop
/// is not covered.
pub(crate) fn counts_now(list: &[u32], covered: &Bitmap, covered1: &Bitmap) -> (u64, u64) {
    let (mut a, mut b) = (0u64, 0u64);
    for &id in list {
        a += !covered.get(id) as u64;
        if id & FIRST_HOP != 0 {
            b += !covered1.get(id) as u64;
        }
    }
    (a, b)
}

/// Covers the ids of `list` (first hops too, for marked ids); the ids newly covered.
pub(crate) fn cover_list(list: &[u32], covered: &mut Bitmap, covered1: &mut Bitmap) -> u64 {
    let mut g = 0u64;
    for &id in list {
        g += covered.set(id) as u64;
        if id & FIRST_HOP != 0 {
            covered1.set(id);
        }
    }
    g
}

impl CvCounts for Local<'_> {
    fn sets(&self) -> usize {
        self.index.len()
    }
    fn initial(&mut self, cands: &Candidates) -> Result<Vec<(u32, u64, u64)>> {
        let index = self.index;
        let mut counts = Vec::new();
        cover::for_each_listed(index, cands, |v, list| {
            let first = index.first_count(v).unwrap_or(0);
            counts.push((v, list.len() as u64, u64::from(first)));
        });
        Ok(counts)
    }
    fn now(&mut self, v: u32) -> Result<f64> {
        let (a, b) = counts_now(self.index.list(v), &self.covered, &self.covered1);
        Ok(a as f64 - b as f64)
    }
    fn cover(&mut self, v: u32) -> Result<u64> {
        Ok(cover_list(
            self.index.list(v),
            &mut self.covered,
            &mut self.covered1,
        ))
    }
}

/// Greedy (lazy) over `counts` ranking by the control-variate score. The answer's gains and
/// coverage are plain coverage counts, as [`cover::greedy`]'s; its `upper` is infinite (the
/// caller keeps the bound of plain greedy on the same sets, which bounds the optimum whatever
/// seeds are returned). Every float is computed from the same integers in the same order on
/// any number of ranks, so the answer is the same.
pub(crate) fn greedy(
    counts: &mut impl CvCounts,
    hop: &FirstHop<'_>,
    cands: &Candidates,
    constraint: Constraint,
    costs: &crate::attrs::Column<f64>,
) -> Result<Greedy> {
    let (capacity, unit) = match constraint {
        Constraint::Count(k) => (k as f64, true),
        Constraint::Budget(b) => (b, false),
    };
    let cost = |v: u32| if unit { 1.0 } else { costs[v as usize] };
    let theta = counts.sets() as f64;
    let mut st = hop.misses();
    let initial = counts.initial(cands)?;
    let best_single = if unit {
        None
    } else {
        let plain: Vec<Entry> = initial
            .iter()
            .filter(|&&(v, _, _)| cost(v) <= capacity)
            .map(|&(v, gain, _)| Entry {
                key: cover::ratio(gain, cost(v)),
                gain,
                node: v,
                round: 0,
            })
            .collect();
        cover::best_single(plain.iter(), &cost)
    };
    // Each account's latest first-hop gain (an upper bound on its gain now), and the counts
    // `A − B` read since the last pick (they change only when a seed joins).
    let mut first = hop.initial_gains();
    let mut now: HashMap<u32, f64> = HashMap::new();
    // Heap entries carry no gain (0): they order by score per cost, then the lower id.
    // Candidates in no set stay out, as in plain greedy (a count they must fill is filled with
    // the lowest ids after greedy): their score is the first hop's expectation alone.
    let mut entries: Vec<Entry> = initial
        .iter()
        .filter(|&&(v, _, _)| cost(v) <= capacity)
        .map(|&(v, a, b)| Entry {
            gain: 0,
            key: key(a as f64 - b as f64 + theta * first[v as usize], cost(v)),
            node: v,
            round: 0,
        })
        .collect();
    drop(initial);
    let mut reserve = Vec::new();
    let head = (64 * capacity as usize).max(4096);
    if unit && entries.len() > head {
        // The reserve's first entry is its largest.
        entries.select_nth_unstable_by(head, |a, b| b.cmp(a));
        reserve = entries.split_off(head);
    }
    let mut heap = BinaryHeap::from(entries);
    let (mut seeds, mut gains) = (Vec::new(), Vec::new());
    let (mut remaining, mut coverage, mut round) = (capacity, 0u64, 0u32);
    loop {
        if heap.is_empty() {
            heap.extend(reserve.drain(..));
        }
        let Some(top) = heap.pop() else { break };
        if unit && remaining < 1.0 {
            break;
        }
        if cost(top.node) > remaining {
            continue;
        }
        if top.round != round {
            let v = top.node;
            let ab = match now.get(&v) {
                Some(&ab) => ab,
                None => {
                    let ab = counts.now(v)?;
                    now.insert(v, ab);
                    ab
                }
            };
            // The first-hop gain only falls as seeds join, so its last value bounds it: when
            // that bound already ranks below the next entry, the out-edges need not be read
            // (the entry stays stale, with the bound as its key).
            let bounded = Entry {
                key: key(ab + theta * first[v as usize], cost(v)),
                ..top
            };
            if heap.peek().is_some_and(|next| bounded < *next) {
                heap.push(bounded);
                continue;
            }
            let g = hop.gain(v, &mut st);
            first[v as usize] = g;
            heap.push(Entry {
                key: key(ab + theta * g, cost(v)),
                round,
                ..top
            });
            continue;
        }
        if reserve.first().is_some_and(|r| top < *r) {
            heap.push(top);
            heap.extend(reserve.drain(..));
            continue;
        }
        let v = top.node;
        let g = counts.cover(v)?;
        hop.add(v, &mut st);
        now.clear();
        seeds.push(v);
        gains.push(g);
        coverage += g;
        remaining -= cost(v);
        round += 1;
    }
    cover::fill_count(constraint, cands.iter(), &mut seeds, &mut gains);
    let mut method = Method::Greedy;
    if let Some((v, g)) = best_single {
        if g > coverage {
            method = Method::BestSingle;
            seeds = vec![v];
            gains = vec![g];
            coverage = g;
        }
    }
    Ok(Greedy {
        seeds,
        gains,
        coverage,
        upper: f64::INFINITY,
        method,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::progress::NoProgress;
    use crate::rrset::{RrConfig, RrSampler};
    use crate::weights::WeightScheme;
    use crate::{GraphBuilder, GraphOptions};

    /// A 7-account graph with a cycle, a hub and uneven probabilities (LT in-weights at most 1).
    fn small(probs: bool) -> Graph {
        let mut b = GraphBuilder::new(GraphOptions::default());
        let edges = [
            (0, 1, 0.5),
            (0, 2, 0.3),
            (0, 3, 0.2),
            (1, 2, 0.4),
            (2, 3, 0.6),
            (3, 1, 0.35),
            (4, 3, 0.1),
            (4, 5, 0.9),
            (5, 6, 0.25),
            (6, 0, 0.7),
            (1, 6, 0.5),
        ];
        for (u, v, p) in edges {
            b.add_edge_ints(u, v, probs.then_some(p)).unwrap();
        }
        b.build().unwrap().0
    }

    /// The chance that root `r`'s first hop meets `seeds`, by enumerating the live in-edges of
    /// `r` (IC: each edge on its own; LT: at most one, edge `u → r` with probability `p`).
    fn meet(g: &Graph, model: Model, r: u32, seeds: &[u32]) -> f64 {
        if seeds.contains(&r) {
            return 1.0;
        }
        let inc = g.in_csr();
        let (from, ps) = (inc.neighbors(r), inc.probs(r));
        match model {
            Model::IndependentCascade => {
                let mut total = 0.0;
                for live in 0u32..1 << from.len() {
                    let mut w = 1.0;
                    let mut hit = false;
                    for (i, (&u, &p)) in from.iter().zip(ps).enumerate() {
                        if live >> i & 1 == 1 {
                            w *= p as f64;
                            hit |= seeds.contains(&u);
                        } else {
                            w *= 1.0 - p as f64;
                        }
                    }
                    if hit {
                        total += w;
                    }
                }
                total
            }
            Model::LinearThreshold => from
                .iter()
                .zip(ps)
                .filter(|(u, _)| seeds.contains(u))
                .map(|(_, &p)| p as f64)
                .sum(),
        }
    }

    /// The first-hop coverage of `seeds`: the chance a uniform root's first hop meets them.
    fn coverage(g: &Graph, model: Model, seeds: &[u32]) -> f64 {
        let n = g.node_count() as u32;
        (0..n).map(|r| meet(g, model, r, seeds)).sum::<f64>() / n as f64
    }

    /// With seeds `picks` added one by one: every other account's gain equals `coverage` with
    /// it minus without it, and with no seeds so do the initial gains.
    fn check_gains(
        hop: &FirstHop<'_>,
        n: usize,
        picks: &[u32],
        label: &str,
        coverage: impl Fn(&[u32]) -> f64,
    ) {
        let mut st = hop.misses();
        let initial = hop.initial_gains();
        let mut seeds = Vec::new();
        for &pick in picks {
            for v in (0..n as u32).filter(|v| !seeds.contains(v)) {
                let mut with = seeds.clone();
                with.push(v);
                let want = coverage(&with) - coverage(&seeds);
                let got = hop.gain(v, &mut st);
                assert!(
                    (got - want).abs() < 1e-9,
                    "{label} seeds {seeds:?} + {v}: {got} vs {want}"
                );
                if seeds.is_empty() {
                    assert!((initial[v as usize] - want).abs() < 1e-9, "{label} initial");
                }
            }
            hop.add(pick, &mut st);
            seeds.push(pick);
        }
    }

    /// Every account's exact first-hop gain, given seeds added one by one, equals the
    /// enumerated coverage with it minus without it, under IC and LT, with given probabilities
    /// and weighted cascade (the per-target path); with no seeds, the one-pass initial gains
    /// equal them too.
    #[test]
    fn first_hop_gains_are_the_enumerated_coverage_gains() {
        let given = small(true);
        let wc = small(false)
            .with_weights(&WeightScheme::WeightedCascade)
            .unwrap();
        for (g, name) in [(&given, "given"), (&wc, "wc")] {
            for model in [Model::IndependentCascade, Model::LinearThreshold] {
                let hop = FirstHop::new(g, model, RootDistribution::Uniform, 7.0);
                let label = format!("{name} {model:?}");
                check_gains(&hop, g.node_count(), &[3, 0, 5, 6], &label, |seeds| {
                    coverage(g, model, seeds)
                });
            }
        }
    }

    /// `small` with people: {0, 6}, {1, 4}, {2, 3} and {5} (an edge inside a person, 6 → 0 and
    /// 2 → 3; an account following two accounts of one person, 0 → 2 and 0 → 3), and target
    /// weights 1–4 by account label.
    fn small_people(probs: bool) -> Graph {
        use crate::attrs::{Attributes, Categorical};
        let mut g = small(probs);
        let n = g.node_count();
        let labels: Vec<String> = (0..n as u32).map(|i| g.label(i)).collect();
        let mut at = Attributes::new(n);
        at.person = Categorical::from_labels(labels.iter().map(|l| {
            Some(match l.as_str() {
                "0" | "6" => "a",
                "1" | "4" => "b",
                "2" | "3" => "c",
                _ => "d",
            })
        }));
        for (i, l) in labels.iter().enumerate() {
            at.target_weight[i] = 1.0 + (l.parse::<u32>().unwrap() % 4) as f32;
        }
        g.set_attributes(at).unwrap();
        g
    }

    /// The chance that person `q`'s first hop meets `seeds`, by enumerating the live in-edges
    /// of all of `q`'s accounts (IC: each edge on its own; LT: each account keeps at most one).
    fn meet_person(g: &Graph, model: Model, q: u32, seeds: &[u32]) -> f64 {
        let of = &g.people().of_account;
        let accounts: Vec<u32> = (0..g.node_count() as u32)
            .filter(|&a| of[a as usize] == q)
            .collect();
        if accounts.iter().any(|a| seeds.contains(a)) {
            return 1.0;
        }
        let inc = g.in_csr();
        match model {
            Model::IndependentCascade => {
                let edges: Vec<(u32, f64)> = accounts
                    .iter()
                    .flat_map(|&a| inc.neighbors(a).iter().copied().zip(inc.probs(a).iter()))
                    .map(|(u, &p)| (u, p as f64))
                    .collect();
                let mut total = 0.0;
                for live in 0u32..1 << edges.len() {
                    let (mut w, mut hit) = (1.0, false);
                    for (i, &(u, p)) in edges.iter().enumerate() {
                        if live >> i & 1 == 1 {
                            w *= p;
                            hit |= seeds.contains(&u);
                        } else {
                            w *= 1.0 - p;
                        }
                    }
                    if hit {
                        total += w;
                    }
                }
                total
            }
            Model::LinearThreshold => {
                // Every combination of one choice per account (an in-edge or none).
                let mut combos: Vec<(f64, bool)> = vec![(1.0, false)];
                for &a in &accounts {
                    let (from, ps) = (inc.neighbors(a), inc.probs(a));
                    let none = 1.0 - ps.iter().map(|&p| p as f64).sum::<f64>();
                    let mut next = Vec::new();
                    for &(w, hit) in &combos {
                        next.push((w * none, hit));
                        for (&u, &p) in from.iter().zip(ps) {
                            next.push((w * p as f64, hit || seeds.contains(&u)));
                        }
                    }
                    combos = next;
                }
                combos.iter().filter(|c| c.1).map(|c| c.0).sum()
            }
        }
    }

    /// The first-hop coverage of `seeds` over person roots drawn by `roots`.
    fn person_coverage(g: &Graph, model: Model, roots: RootDistribution, seeds: &[u32]) -> f64 {
        let people = g.people();
        let total: f64 = people.weight.iter().map(|&w| w as f64).sum();
        (0..people.count as u32)
            .map(|q| {
                let mass = match roots {
                    RootDistribution::TargetWeighted => people.weight[q as usize] as f64 / total,
                    _ => 1.0 / people.count as f64,
                };
                mass * meet_person(g, model, q, seeds)
            })
            .sum()
    }

    /// With people who hold several accounts, every account's exact first-hop gain over
    /// person roots (uniform and target-weighted), given seeds added one by one, equals the
    /// enumerated coverage with it minus without it, under IC and LT, with given probabilities
    /// and weighted cascade; so do the initial gains. Account roots on the same graph keep the
    /// one-account model.
    #[test]
    fn person_first_hop_gains_are_the_enumerated_coverage_gains() {
        let given = small_people(true);
        let wc = small_people(false)
            .with_weights(&WeightScheme::WeightedCascade)
            .unwrap();
        for (g, name) in [(&given, "given"), (&wc, "wc")] {
            assert_eq!(g.people().count, 4);
            let total: f64 = g.people().weight.iter().map(|&w| w as f64).sum();
            for model in [Model::IndependentCascade, Model::LinearThreshold] {
                for roots in [RootDistribution::People, RootDistribution::TargetWeighted] {
                    let hop = FirstHop::new(g, model, roots, total);
                    assert!(hop.persons.is_some());
                    let label = format!("{name} {model:?} {roots:?}");
                    // 3 then 2 (the same person), 5, then 6 (the person of 0 and 6).
                    check_gains(&hop, g.node_count(), &[3, 2, 5, 6], &label, |seeds| {
                        person_coverage(g, model, roots, seeds)
                    });
                }
                let accounts = FirstHop::new(g, model, RootDistribution::Uniform, 7.0);
                assert!(accounts.persons.is_none());
            }
        }
    }

    /// With person roots, the share of sampled first hops (the root person's accounts and
    /// the accounts with a live edge into any of them) that meet a seed set is the exact
    /// person first-hop coverage, within 4.5 standard errors of 200,000 sets.
    #[test]
    fn sampled_person_first_hops_meet_seeds_at_the_exact_rate() {
        let g = small_people(true);
        for model in [Model::IndependentCascade, Model::LinearThreshold] {
            let config = RrConfig::builder()
                .seed(9)
                .roots(RootDistribution::People)
                .build()
                .unwrap();
            let mut sampler = RrSampler::new(&g, model, &config).unwrap();
            sampler.record_first_hop();
            let sets = sampler.sample(200_000, &NoProgress).unwrap();
            let hops = sets.first_hops();
            for seeds in [vec![0u32], vec![3], vec![1, 5], vec![4, 6]] {
                let hits = sets
                    .iter()
                    .zip(hops)
                    .filter(|(s, &h)| s[..h as usize].iter().any(|v| seeds.contains(v)))
                    .count() as f64;
                let t = sets.len() as f64;
                let p = person_coverage(&g, model, RootDistribution::People, &seeds);
                let se = (p * (1.0 - p) / t).sqrt();
                assert!(
                    (hits / t - p).abs() <= 4.5 * se,
                    "{model:?} {seeds:?}: {} vs {p}",
                    hits / t
                );
            }
        }
    }

    /// In sampled sets, the share of first hops that meet a seed set is its exact first-hop
    /// coverage (within 4.5 standard errors, 200,000 sets), under IC and LT: the sampler's first
    /// hops are the events the exact gains are computed for, so `B` and `θ·E₁` agree in
    /// expectation. The index marks exactly the first-hop members and counts them.
    #[test]
    fn sampled_first_hops_meet_seeds_at_the_exact_rate() {
        let g = small(true);
        for model in [Model::IndependentCascade, Model::LinearThreshold] {
            let config = RrConfig::builder().seed(4).build().unwrap();
            let mut sampler = RrSampler::new(&g, model, &config).unwrap();
            sampler.record_first_hop();
            let sets = sampler.sample(200_000, &NoProgress).unwrap();
            let hops = sets.first_hops();
            assert_eq!(hops.len(), sets.len());
            for seeds in [vec![3u32], vec![0, 4], vec![1, 5, 6]] {
                let hits = sets
                    .iter()
                    .zip(hops)
                    .filter(|(s, &h)| s[..h as usize].iter().any(|v| seeds.contains(v)))
                    .count() as f64;
                let t = sets.len() as f64;
                let p = coverage(&g, model, &seeds);
                let se = (p * (1.0 - p) / t).sqrt();
                assert!(
                    (hits / t - p).abs() <= 4.5 * se,
                    "{model:?} {seeds:?}: {} vs {p}",
                    hits / t
                );
            }
            // The marks and counts of an index built in two batches, with a mask.
            let mask: Vec<bool> = (0..7).map(|v| v != 2).collect();
            let mut index = RrIndex::with_first_hop(7);
            let (a, b) = (
                sampler.sample_with_seed(1, 500, &NoProgress).unwrap(),
                sampler.sample_with_seed(2, 700, &NoProgress).unwrap(),
            );
            index.append(&a, Some(&mask));
            index.append(&b, Some(&mask));
            let all: Vec<(&[u32], u32)> = a
                .iter()
                .zip(a.first_hops().iter().copied())
                .chain(b.iter().zip(b.first_hops().iter().copied()))
                .collect();
            for v in 0..7u32 {
                let want: Vec<u32> = all
                    .iter()
                    .enumerate()
                    .filter(|(_, (s, _))| mask[v as usize] && s.contains(&v))
                    .map(|(i, (s, h))| {
                        let first = s[..*h as usize].contains(&v);
                        i as u32 | if first { FIRST_HOP } else { 0 }
                    })
                    .collect();
                assert_eq!(index.list(v), &want[..], "{model:?} account {v}");
                let marked = want.iter().filter(|&&id| id & FIRST_HOP != 0).count();
                assert_eq!(index.first_count(v).unwrap() as usize, marked);
            }
        }
    }
}
