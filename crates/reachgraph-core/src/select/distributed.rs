//! Seed selection over the ranks of a distributed run ([`select_distributed`]).
//!
//! The Ripples scheme (Minutoli, Halappanavar, Kalyanaraman, Sathanur, McClure, McDermott,
//! ICS 2019): every rank holds the graph and samples its share of each collection of RR sets;
//! greedy reduces the coverage counts over the ranks once per pick, every rank picks the same
//! account from the global counts, and each rank removes the sets it holds that the pick
//! covers.
//!
//! ## Why the answer is the single-process one
//! - **The same sets.** A collection is a sequence of fixed-size chunks, chunk `c` drawn from
//!   `rng::stream(seed, c)` (see [`crate::rrset`]); ranks split each batch's chunks into
//!   contiguous blocks ([`crate::comm::chunk_share`]) and sample exactly those positions
//!   ([`RrSampler::sample_range`](crate::rrset::RrSampler::sample_range)). The union over
//!   ranks is the single-process collection, set for set; no stream depends on a rank.
//! - **The same picks.** Coverage counts are integers, so their sum over ranks is exact. Each
//!   round picks the affordable, unchosen candidate with the largest (gain per cost, gain,
//!   lower id) from the exact global gains. Lazy greedy (the `cover` module) picks exactly that
//!   account: stale gains only overestimate, an entry is taken only when its exact gain tops
//!   every bound, and ties go to the lower id in both. The best-single fallback, the count
//!   fill-up and the knapsack bounds are computed from the same global integer gains by the
//!   same functions, so the floats come out bit for bit.
//! - **The same bounds.** OPIM-C's and IMM's bounds and the out-of-sample estimate are
//!   functions of global set counts and global coverage counts.
//! - **The same loops.** `opim::run` and `imm::run` are generic over the RR store
//!   (`store::RrStore`); a rank's store (`Dist`) answers every count with the global one, and
//!   agrees on the limits that a rank judges on its own store (memory, time).
//!
//! So on 1, 2, 3 or 4 ranks the seeds, gains, estimate, bounds, ratio, rounds and RR counts
//! equal those of [`super::select`] for the same configuration, and so do the RR-store figures,
//! which count the store's raw size from global counts (what one process holds; a rank holds
//! its share of an inverted index plus the forward sets it needs to update counts). Only the
//! time figures differ, and only a time limit can change the answer, as in one process.

use super::cover::{self, Bitmap, Entry, Greedy, Method, RrIndex, EXACT, FIRST_HOP};
use super::cv::{self, CvCounts};
use super::store::{Collection, RrStore};
use super::{
    forward_coverage, forward_raw, imm, index_raw_bytes, opim, Algorithm, Constraint, Engine,
    SelectConfig, Selection,
};
use crate::cascade::Model;
use crate::comm::{agree, check_inputs, chunk_share, Comm, CommStats, Timed};
use crate::error::{Error, Result};
use crate::graph::Graph;
use crate::progress::Progress;
use crate::rrset::{RrSets, RR_CHUNK_SETS};
use std::collections::BinaryHeap;
use std::time::Instant;

/// Seed selection on the ranks of `comm`, with the answer of [`super::select`]. Every rank
/// must call it with the same graph and configuration (both are checked) and gets the same
/// [`Selection`]; rank 0 usually reports it.
///
/// Ranks sample contiguous blocks of each batch's chunks of RR sets (streams keyed by the
/// chunk's global index, never the rank), and each greedy pick all-reduces the integer
/// coverage counts, so every rank picks what lazy greedy picks on the union of the sets: on
/// 1, 2, 3 or 4 ranks the seeds, gains, estimate, bounds, ratio and RR counts equal those of
/// [`super::select`], bit for bit (the Ripples scheme, Minutoli et al., ICS 2019; the
/// argument in full is in `docs/distributed.md`). The RR-store figures are the raw size one
/// process would hold, from global counts; only the time figures differ.
///
/// # Errors
/// As [`super::select`], on every rank when any rank fails (the others get
/// [`Error::RankFailed`]); [`Error::RankMismatch`] when the ranks' graphs or configurations
/// differ; [`Error::Communication`] when a collective fails or times out.
///
/// # Complexity
/// Sampling and indexing are split over the ranks; each greedy pick all-reduces a 32-bit count
/// per candidate with a gain (`O(k · candidates)` bytes per rank in total) and updates counts
/// in `O(members of the newly covered local sets)`.
///
/// # Example
/// ```
/// use reachgraph_core::{comm::Local, GraphBuilder, GraphOptions, NoProgress};
/// use reachgraph_core::cascade::Model;
/// use reachgraph_core::select::{select, select_distributed, SelectConfig};
/// let mut b = GraphBuilder::new(GraphOptions::default());
/// for (u, v) in [("hub", "a"), ("hub", "b"), ("a", "c"), ("x", "y")] {
///     b.add_edge(u, v, Some(0.6)).unwrap();
/// }
/// let (g, _) = b.build().unwrap();
/// let config = SelectConfig::builder().k(2).seed(3).build().unwrap();
/// let one = select(&g, Model::IndependentCascade, &config, &NoProgress).unwrap();
/// let d = select_distributed(&g, Model::IndependentCascade, &config, &NoProgress, &Local)
///     .unwrap();
/// assert_eq!((&d.seeds, d.estimate), (&one.seeds, one.estimate));
/// ```
pub fn select_distributed(
    graph: &Graph,
    model: Model,
    config: &SelectConfig,
    progress: &dyn Progress,
    comm: &dyn Comm,
) -> Result<Selection> {
    select_distributed_stats(graph, model, config, progress, comm).map(|(s, _)| s)
}

/// [`select_distributed`], with the time and volume of this rank's collectives.
///
/// # Errors
/// As [`select_distributed`].
pub fn select_distributed_stats(
    graph: &Graph,
    model: Model,
    config: &SelectConfig,
    progress: &dyn Progress,
    comm: &dyn Comm,
) -> Result<(Selection, CommStats)> {
    let start = Instant::now();
    let timed = Timed::new(comm);
    // Threads do not change the answer: ranks may use different counts.
    let same = SelectConfig {
        sampling: config.sampling.with_threads(None),
        ..config.clone()
    };
    check_inputs(&timed, Some(graph), &format!("select {model:?} {same:?}"))?;
    let e = agree(&timed, Engine::new(graph, model, config, progress, start))?;
    let d = Dist::new(e, &timed);
    let s = match config.algorithm {
        Algorithm::OpimC => opim::run(d),
        Algorithm::Imm => imm::run(d),
        _ => super::baseline::run(d),
    }?;
    Ok((s, timed.stats()))
}

/// [`CvCounts`] over the shards of all ranks: local counts, summed.
struct RankCounts<'a, 'c> {
    s: &'a Shard,
    covered: Bitmap,
    covered1: Bitmap,
    comm: &'c Timed<'c>,
}

impl CvCounts for RankCounts<'_, '_> {
    fn sets(&self) -> usize {
        self.s.global
    }
    fn initial(&mut self, cands: &super::Candidates) -> Result<Vec<(u32, u64, u64)>> {
        let index = &self.s.index;
        if !index.marks_first_hops() {
            return Err(Error::invalid_parameter(
                "mode",
                "quality",
                "a shard kept no first hops",
            ));
        }
        let a: Vec<u64> = cands
            .iter()
            .map(|v| self.s.index.list(v).len() as u64)
            .collect();
        let b: Vec<u64> = cands
            .iter()
            .map(|v| u64::from(index.first_count(v).unwrap_or(0)))
            .collect();
        let (a, b) = (reduce(&a, self.comm)?, reduce(&b, self.comm)?);
        Ok(cands
            .iter()
            .zip(a.into_iter().zip(b))
            .filter(|&(_, (a, _))| a > 0)
            .map(|(v, (a, b))| (v, a, b))
            .collect())
    }
    fn now(&mut self, v: u32) -> Result<f64> {
        let (a, b) = cv::counts_now(self.s.index.list(v), &self.covered, &self.covered1);
        let mut w = [a, b];
        self.comm.all_reduce_sum_u64(&mut w)?;
        Ok(w[0] as f64 - w[1] as f64)
    }
    fn cover(&mut self, v: u32) -> Result<u64> {
        let g = cv::cover_list(self.s.index.list(v), &mut self.covered, &mut self.covered1);
        let mut w = [g];
        self.comm.all_reduce_sum_u64(&mut w)?;
        Ok(w[0])
    }
}

/// Candidate position of accounts that are not candidates.
const NOT_CANDIDATE: u32 = u32::MAX;

/// One rank's part of a selection collection: its sets of each batch, forward (to update
/// counts) and as an inverted index (to find the sets of a pick).
struct Shard {
    index: RrIndex,
    batches: Vec<RrSets>,
    /// Local id of each batch's first set.
    starts: Vec<usize>,
    /// Sets of the whole collection, over all ranks.
    global: usize,
    /// Set ids of the whole collection's index, over all ranks.
    ids_global: u64,
    accounts: usize,
}

impl Shard {
    /// An empty shard over `n` accounts, marking first hops when `first_hop` (quality mode).
    fn new(n: usize, first_hop: bool) -> Shard {
        Shard {
            index: if first_hop {
                RrIndex::with_first_hop(n)
            } else {
                RrIndex::new(n)
            },
            batches: Vec::new(),
            starts: Vec::new(),
            global: 0,
            ids_global: 0,
            accounts: n,
        }
    }
    fn members(&self, id: u32) -> &[u32] {
        let id = id as usize;
        let b = self.starts.partition_point(|&s| s <= id) - 1;
        self.batches[b].set(id - self.starts[b])
    }
    fn bytes(&self) -> u64 {
        self.index.bytes() + self.batches.iter().map(RrSets::memory_bytes).sum::<u64>()
    }
}

/// One rank's pieces of a forward collection (the validation sets).
struct Pieces {
    seed: u64,
    pieces: Vec<RrSets>,
    global: usize,
    /// Members of the whole collection, over all ranks.
    members_global: u64,
}

impl Collection for Shard {
    fn sets(&self) -> usize {
        self.global
    }
    fn raw(&self) -> u64 {
        // As one process's index: its first-hop counts too, 4 bytes per account.
        let first = if self.index.marks_first_hops() {
            self.accounts as u64 * 4
        } else {
            0
        };
        index_raw_bytes(self.ids_global, self.accounts) + first
    }
}

impl Collection for Pieces {
    fn sets(&self) -> usize {
        self.global
    }
    fn raw(&self) -> u64 {
        forward_raw(self.global as u64, self.members_global)
    }
}

impl Pieces {
    fn bytes(&self) -> u64 {
        self.pieces.iter().map(RrSets::memory_bytes).sum()
    }
}

/// A rank's RR store: its shards of the collections, and the collectives that make every
/// count the whole collection's.
struct Dist<'g, 'c> {
    e: Engine<'g>,
    comm: &'c Timed<'c>,
    /// Candidate position of each account, or [`NOT_CANDIDATE`].
    pos: Vec<u32>,
    /// The candidates as a list (greedy reads them by position).
    cands: Vec<u32>,
}

impl<'g, 'c> Dist<'g, 'c> {
    fn new(e: Engine<'g>, comm: &'c Timed<'c>) -> Self {
        let mut pos = vec![NOT_CANDIDATE; e.graph.node_count()];
        let cands = e.cands.clone().into_list();
        for (i, &c) in cands.iter().enumerate() {
            pos[c as usize] = i as u32;
        }
        Dist {
            e,
            comm,
            pos,
            cands,
        }
    }

    /// Integer sums over ranks.
    fn sum<const N: usize>(&self, mut v: [u64; N]) -> Result<[u64; N]> {
        self.comm.all_reduce_sum_u64(&mut v)?;
        Ok(v)
    }

    /// [`Engine::grow_index`] on this rank's chunks of each batch: the batch schedule, seeds
    /// and set positions are the single-process ones.
    fn grow_shard(&mut self, s: &mut Shard, target: usize, stream: u64, other: u64) -> Result<()> {
        while s.global < target {
            let (seed, count) = self.e.next_batch(s.global, target, stream);
            let mine = chunk_share(0, count as u64, RR_CHUNK_SETS, self.comm);
            let t = Instant::now();
            let local = self
                .check_memory(s, mine.end - mine.start, other)
                .and_then(|()| {
                    self.e.sampler.sample_range(
                        seed,
                        mine.start,
                        (mine.end - mine.start) as usize,
                        self.e.progress,
                    )
                });
            let batch = agree(self.comm, local)?;
            self.e.timings.sampling_s += t.elapsed().as_secs_f64();
            self.e.sampled += count as u64;
            let t = Instant::now();
            let ids_before = s.index.ids();
            s.starts.push(s.index.len());
            s.index.append(&batch, self.e.mask.as_deref());
            self.e.timings.indexing_s += t.elapsed().as_secs_f64();
            // The store's size is counted as one process holds it, from global counts.
            let added = (s.index.ids() - ids_before) as u64;
            let [ids, members] = self.sum([added, batch.members().len() as u64])?;
            s.batches.push(batch);
            s.global += count;
            s.ids_global += ids;
            self.e.peak = self
                .e
                .peak
                .max(s.raw() + forward_raw(count as u64, members) + other);
        }
        Ok(())
    }

    /// The single-process memory check of a batch, on this rank's store.
    fn check_memory(&self, s: &Shard, count: u64, other: u64) -> Result<()> {
        let (limit, true) = (
            self.e.config.sampling().effective_memory_limit(),
            s.index.len() > 0,
        ) else {
            return Ok(());
        };
        let mean = self.e.mean_size(&s.index, 0, 0);
        let need = s.index.bytes_after((count as f64 * mean) as usize)
            + (count as f64 * (mean * 8.0 + 12.0)) as u64
            + s.bytes()
            - s.index.bytes()
            + other;
        if need > limit {
            return Err(Error::MemoryLimit {
                what: format!(
                    "{} RR sets on rank {}",
                    s.index.len() as u64 + count,
                    self.comm.rank()
                ),
                estimate_bytes: need,
                limit_bytes: limit,
            });
        }
        Ok(())
    }

    /// [`Engine::grow_forward`] on this rank's chunks of the new positions.
    fn grow_pieces(&mut self, p: &mut Pieces, target: usize, other: u64) -> Result<()> {
        if p.global >= target {
            return Ok(());
        }
        let t = Instant::now();
        let mine = chunk_share(p.global as u64, target as u64, RR_CHUNK_SETS, self.comm);
        let local = self.e.sampler.sample_range(
            p.seed,
            mine.start,
            (mine.end - mine.start) as usize,
            self.e.progress,
        );
        let piece = agree(self.comm, local)?;
        self.e.timings.sampling_s += t.elapsed().as_secs_f64();
        self.e.sampled += (target - p.global) as u64;
        let [members] = self.sum([piece.members().len() as u64])?;
        p.global = target;
        p.members_global += members;
        if !piece.is_empty() {
            p.pieces.push(piece);
        }
        self.e.peak = self.e.peak.max(p.raw() + other);
        Ok(())
    }
}

impl<'g> RrStore<'g> for Dist<'g, '_> {
    type Index = Shard;
    type Forward = Pieces;

    fn engine(&self) -> &Engine<'g> {
        &self.e
    }
    fn engine_mut(&mut self) -> &mut Engine<'g> {
        &mut self.e
    }
    fn into_engine(self) -> Engine<'g> {
        self.e
    }

    fn new_index(&self) -> Shard {
        Shard::new(self.e.graph.node_count(), self.e.first_hop.is_some())
    }
    fn new_forward(&self, seed: u64) -> Pieces {
        Pieces {
            seed,
            pieces: Vec::new(),
            global: 0,
            members_global: 0,
        }
    }

    fn grow_index(&mut self, s: &mut Shard, target: usize, stream: u64, other: u64) -> Result<()> {
        self.grow_shard(s, target, stream, other)
    }
    fn grow_forward(&mut self, p: &mut Pieces, target: usize, other: u64) -> Result<()> {
        self.grow_pieces(p, target, other)
    }

    /// Greedy on the shards of all ranks.
    fn greedy(&self, s: &Shard, bound: bool) -> Result<Greedy> {
        let costs = &self.e.graph.attributes().cost;
        greedy(
            s,
            &self.cands,
            &self.pos,
            self.e.constraint,
            costs,
            bound,
            self.comm,
        )
    }
    /// The control-variate greedy on the shards of all ranks: each count it reads is summed
    /// over the ranks, so every rank makes the single-process picks.
    fn greedy_cv(&self, s: &Shard) -> Result<Option<Greedy>> {
        let Some(hop) = &self.e.first_hop else {
            return Ok(None);
        };
        // The whole collection's size decides, the same on every rank and in one process
        // (whose index stops marking first hops at `FIRST_HOP` sets).
        if s.global as u64 >= u64::from(FIRST_HOP) || !self.e.cv_ready() {
            return Ok(None);
        }
        let costs = &self.e.graph.attributes().cost;
        let mut counts = RankCounts {
            s,
            covered: Bitmap::new(s.index.len()),
            covered1: Bitmap::new(s.index.len()),
            comm: self.comm,
        };
        cv::greedy(&mut counts, hop, &self.e.cands, self.e.constraint, costs).map(Some)
    }
    fn index_coverage(&self, s: &Shard, seeds: &[u32]) -> Result<u64> {
        let [c] = self.sum([s.index.coverage(seeds)])?;
        Ok(c)
    }
    fn forward_coverage(&self, p: &Pieces, seeds: &[u32], min_len: usize) -> Result<u64> {
        let local = p
            .pieces
            .iter()
            .map(|s| forward_coverage(s, seeds, min_len))
            .sum();
        let [c] = self.sum([local])?;
        Ok(c)
    }
    fn grown_bytes(&self, s: &Shard, p: &Pieces, growth: f64) -> u64 {
        let index = s.index.bytes();
        let rest = s.bytes() - index + p.bytes();
        super::store::grown_bytes(index, s.index.account_bytes(), rest, growth)
    }
    /// True on every rank when `local` is true on any.
    fn any(&self, local: bool) -> Result<bool> {
        let mut v = [u64::from(local)];
        self.comm.all_reduce_max_u64(&mut v)?;
        Ok(v[0] != 0)
    }
}

/// Global gains of the candidates at `positions` (all when `None`) from this rank's `local`
/// counts, into the same positions of `out`; timed as a greedy round.
///
/// Two counts travel in one `u64` word: a count is at most the sets of one collection
/// (`u32::MAX`), and so is every partial sum over ranks of it, so the low halves never carry
/// into the high ones and the word-wise sum is exact.
fn reduce_into(
    local: &[u64],
    positions: Option<&[usize]>,
    out: &mut [u64],
    comm: &Timed<'_>,
) -> Result<()> {
    let t = Instant::now();
    let at = |j: usize| positions.map_or(j, |p| p[j]);
    let len = positions.map_or(local.len(), <[usize]>::len);
    let mut words: Vec<u64> = (0..len.div_ceil(2))
        .map(|w| {
            let lo = local[at(2 * w)];
            let hi = if 2 * w + 1 < len {
                local[at(2 * w + 1)]
            } else {
                0
            };
            lo | hi << 32
        })
        .collect();
    comm.all_reduce_sum_u64(&mut words)?;
    for (w, &x) in words.iter().enumerate() {
        out[at(2 * w)] = x & u64::from(u32::MAX);
        if 2 * w + 1 < len {
            out[at(2 * w + 1)] = x >> 32;
        }
    }
    comm.greedy_round(t.elapsed().as_secs_f64());
    Ok(())
}

/// [`reduce_into`] of all candidates, into a new vector.
fn reduce(local: &[u64], comm: &Timed<'_>) -> Result<Vec<u64>> {
    let mut out = vec![0; local.len()];
    reduce_into(local, None, &mut out, comm)?;
    Ok(out)
}

/// Removes the local sets of `v` not yet covered from the counts of their members; marks
/// them covered.
fn cover_sets(s: &Shard, v: u32, pos: &[u32], covered: &mut Bitmap, counts: &mut [u64]) {
    for &id in s.index.list(v) {
        if covered.set(id) {
            for &m in s.members(id & !FIRST_HOP) {
                let p = pos[m as usize];
                if p != NOT_CANDIDATE {
                    counts[p as usize] -= 1;
                }
            }
        }
    }
}

/// Eager greedy on global counts, with the answer of `cover::greedy` on the union of the
/// shards (see the module docs for why).
fn greedy(
    s: &Shard,
    cands: &[u32],
    pos: &[u32],
    constraint: Constraint,
    costs: &crate::attrs::Column<f64>,
    bound: bool,
    comm: &Timed<'_>,
) -> Result<Greedy> {
    let (capacity, unit) = match constraint {
        Constraint::Count(k) => (k as f64, true),
        Constraint::Budget(b) => (b, false),
    };
    let cost = |v: u32| if unit { 1.0 } else { costs[v as usize] };
    let singles: Vec<u64> = cands
        .iter()
        .map(|&v| s.index.list(v).len() as u64)
        .collect();
    let mut local = singles.clone();
    let mut gain = reduce(&local, comm)?;
    let entries: Vec<Entry> = cands
        .iter()
        .zip(&gain)
        .filter(|&(&v, &g)| cost(v) <= capacity && g > 0)
        .map(|(&v, &g)| Entry {
            key: cover::ratio(g, cost(v)),
            gain: g,
            node: v,
            round: 0,
        })
        .collect();
    let upper0 = if bound {
        cover::initial_knapsack(&entries, capacity, &cost)
    } else {
        f64::INFINITY
    };
    let best_single = if unit {
        None
    } else {
        cover::best_single(entries.iter(), &cost)
    };
    // Eligible: an entry not chosen and (so far) affordable; chosen: picked by greedy.
    let mut eligible = vec![false; cands.len()];
    for e in &entries {
        eligible[pos[e.node as usize] as usize] = true;
    }
    // Later rounds reduce only the entries: a gain of 0 stays 0.
    let active: Vec<usize> = entries
        .iter()
        .map(|e| pos[e.node as usize] as usize)
        .collect();
    let mut chosen = vec![false; cands.len()];
    let mut covered = Bitmap::new(s.index.len());
    let (mut seeds, mut gains) = (Vec::new(), Vec::new());
    let (mut remaining, mut coverage) = (capacity, 0u64);
    loop {
        if unit && remaining < 1.0 {
            break;
        }
        let mut best: Option<Entry> = None;
        if unit {
            // Key = gain (cost 1, so every candidate fits): the first largest gain in
            // ascending ids is the heap's pick; no float keys needed.
            let mut top = (0u64, usize::MAX);
            for (i, (&g, &e)) in gain.iter().zip(&eligible).enumerate() {
                if e && g > top.0 {
                    top = (g, i);
                }
            }
            best = (top.1 != usize::MAX).then(|| Entry {
                key: cover::ratio(top.0, 1.0),
                gain: top.0,
                node: cands[top.1],
                round: 0,
            });
        } else {
            for (i, &v) in cands.iter().enumerate() {
                if !eligible[i] {
                    continue;
                }
                if cost(v) > remaining {
                    eligible[i] = false;
                    continue;
                }
                let e = Entry {
                    key: cover::ratio(gain[i], cost(v)),
                    gain: gain[i],
                    node: v,
                    round: 0,
                };
                if best.is_none_or(|b| e > b) {
                    best = Some(e);
                }
            }
        }
        let Some(top) = best.filter(|b| b.gain > 0) else {
            break;
        };
        let i = pos[top.node as usize] as usize;
        cover_sets(s, top.node, pos, &mut covered, &mut local);
        (eligible[i], chosen[i]) = (false, true);
        seeds.push(top.node);
        gains.push(top.gain);
        coverage += top.gain;
        remaining -= cost(top.node);
        // The bound needs the gains after the last pick; greedy alone does not.
        if bound || !(unit && remaining < 1.0) {
            reduce_into(&local, Some(&active), &mut gain, comm)?;
        }
    }
    cover::fill_count(constraint, cands.iter().copied(), &mut seeds, &mut gains);
    let mut method = Method::Greedy;
    if let Some((v, g)) = best_single {
        if g > coverage {
            method = Method::BestSingle;
            (seeds, gains, coverage) = (vec![v], vec![g], g);
        }
    }
    let upper = if bound {
        let exact = |v: u32, g: u64| Entry {
            key: cover::ratio(g, cost(v)),
            gain: g,
            node: v,
            round: EXACT,
        };
        // The lazy bound refreshes every gain it uses; here all are exact already.
        let rest: BinaryHeap<Entry> = if method == Method::Greedy {
            entries
                .iter()
                .filter(|e| !chosen[pos[e.node as usize] as usize])
                .map(|e| exact(e.node, gain[pos[e.node as usize] as usize]))
                .collect()
        } else {
            let mut wrt = singles;
            cover_sets(s, seeds[0], pos, &mut Bitmap::new(s.index.len()), &mut wrt);
            let wrt = reduce(&wrt, comm)?;
            cands
                .iter()
                .zip(&wrt)
                .filter(|&(&v, _)| cost(v) <= capacity && v != seeds[0])
                .map(|(&v, &g)| exact(v, g))
                .collect()
        };
        let at_end = coverage as f64 + cover::knapsack(rest, Vec::new(), capacity, &cost, |_| 0);
        upper0.min(at_end)
    } else {
        f64::INFINITY
    };
    Ok(Greedy {
        seeds,
        gains,
        coverage,
        upper,
        method,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::comm::{Local, Threads};
    use crate::progress::NoProgress;
    use crate::rrset::RootDistribution;
    use crate::scenario::{generate, ScenarioConfig};
    use std::time::Duration;

    /// The JSON of a selection without its time figures (which differ by design).
    fn answer(s: &Selection) -> String {
        let mut s = s.clone();
        s.summary.timings = Default::default();
        serde_json::to_string(&s).unwrap()
    }

    fn graph() -> Graph {
        generate(&ScenarioConfig::with_edges(12_000, 5), &NoProgress)
            .unwrap()
            .graph
    }

    /// Asserts that quality mode's answer on `g` comes from the control variate: the graph's
    /// passes are at most twice the store's peak (`Engine::cv_ready`; `weight` 8 where people
    /// hold several accounts).
    fn assert_variate_runs(g: &Graph, config: &SelectConfig, weight: u64) {
        let s = select(g, Model::IndependentCascade, config, &NoProgress).unwrap();
        let graph = 4 * (g.edge_count() + g.node_count()) as u64 * weight;
        assert!(
            graph <= 2 * s.summary.peak_rr_bytes,
            "{graph} bytes of graph passes, peak {}",
            s.summary.peak_rr_bytes
        );
    }

    /// `select_distributed` on 1 to 4 thread ranks equals `select`, on every rank.
    fn same_on_ranks(g: &Graph, config: &SelectConfig) {
        let one = select(g, Model::IndependentCascade, config, &NoProgress).unwrap();
        let want = answer(&one);
        let local =
            select_distributed(g, Model::IndependentCascade, config, &NoProgress, &Local).unwrap();
        assert_eq!(answer(&local), want, "one local rank");
        for ranks in 2..=4 {
            let out = Threads::run(ranks, Duration::from_secs(120), |c| {
                select_distributed_stats(g, Model::IndependentCascade, config, &NoProgress, c)
            })
            .unwrap();
            for (r, s) in out.into_iter().enumerate() {
                let (s, stats) = s.unwrap().unwrap();
                assert_eq!(answer(&s), want, "rank {r} of {ranks}");
                assert_eq!(stats.ranks, ranks);
                // One all-reduce of the gains per pick with a gain, plus the first.
                let picks = s.marginal_gains.iter().filter(|&&x| x > 0.0).count() as u64;
                assert!(
                    stats.greedy_rounds > picks,
                    "{stats:?} {:?}",
                    s.marginal_gains
                );
            }
        }
    }

    use super::super::{select, Mode};

    #[test]
    fn opim_c_matches_one_process() {
        let g = graph();
        let c = SelectConfig::builder().k(8).epsilon(0.2).seed(11);
        same_on_ranks(&g, &c.build().unwrap());
    }

    #[test]
    fn imm_matches_one_process() {
        let g = graph();
        let c = SelectConfig::builder()
            .k(5)
            .epsilon(0.3)
            .seed(2)
            .algorithm(Algorithm::Imm)
            .objective(RootDistribution::Uniform);
        same_on_ranks(&g, &c.build().unwrap());
    }

    /// Quality mode on the scenario, where people hold several accounts: the control
    /// variate's person first hops, for people and for target weight.
    #[test]
    fn quality_mode_and_targets_match_one_process() {
        let g = graph();
        assert!(
            g.people().count < g.node_count(),
            "people with several accounts"
        );
        for objective in [RootDistribution::TargetWeighted, RootDistribution::People] {
            let c = SelectConfig::builder()
                .k(4)
                .epsilon(0.3)
                .seed(9)
                .mode(Mode::Quality)
                .tolerance(0.02)
                .objective(objective);
            assert_variate_runs(&g, &c.clone().build().unwrap(), 8);
            same_on_ranks(&g, &c.build().unwrap());
        }
    }

    /// Quality mode's final greedy with the first-hop control variate (one account per person)
    /// reads every count summed over the ranks: the same picks on 1 to 4 ranks,
    /// for all accounts and for a candidate list.
    #[test]
    fn quality_mode_with_the_control_variate_matches_one_process() {
        let g = super::super::random_graph(600, 4_000, 0.15, 7);
        assert_eq!(g.people().count, g.node_count(), "one account per person");
        let c = SelectConfig::builder()
            .k(6)
            .epsilon(0.3)
            .seed(3)
            .mode(Mode::Quality)
            .tolerance(0.03)
            .objective(RootDistribution::Uniform);
        assert_variate_runs(&g, &c.clone().build().unwrap(), 1);
        same_on_ranks(&g, &c.clone().build().unwrap());
        let cands: Vec<u32> = (0..600).filter(|v| v % 3 != 0).collect();
        same_on_ranks(&g, &c.candidates(cands).build().unwrap());
    }

    #[test]
    fn budgets_and_candidates_match_one_process() {
        let g = graph();
        let cands: Vec<u32> = (0..g.node_count() as u32)
            .filter(|&v| !g.attributes().cost[v as usize].is_nan())
            .collect();
        assert!(cands.len() > 10, "the scenario has hireable accounts");
        let costs: Vec<f64> = cands
            .iter()
            .map(|&v| g.attributes().cost[v as usize])
            .collect();
        let budget = 3.0 * costs.iter().copied().fold(0.0, f64::max);
        let c = SelectConfig::builder()
            .budget(budget)
            .epsilon(0.3)
            .seed(4)
            .candidates(cands);
        same_on_ranks(&g, &c.build().unwrap());
    }

    #[test]
    fn more_seeds_than_gains_fill_like_one_process() {
        // Two tiny components: k = 6 exceeds the accounts with any gain after a few picks.
        let mut b = crate::GraphBuilder::new(crate::GraphOptions::default());
        for (u, v) in [("a", "b"), ("a", "c"), ("d", "e"), ("f", "g"), ("h", "i")] {
            b.add_edge(u, v, Some(1.0)).unwrap();
        }
        let (g, _) = b.build().unwrap();
        let c = SelectConfig::builder()
            .k(8)
            .epsilon(0.3)
            .seed(1)
            .objective(RootDistribution::Uniform);
        same_on_ranks(&g, &c.build().unwrap());
    }

    #[test]
    fn best_single_fallback_matches_one_process() {
        // One expensive hub beats cost-effective greedy's cheap leaves under this budget.
        let mut b = crate::GraphBuilder::new(crate::GraphOptions::default());
        for i in 0..40 {
            b.add_edge("hub", format!("f{i}"), Some(1.0)).unwrap();
        }
        for i in 0..6 {
            b.add_edge(format!("c{i}"), format!("g{i}"), Some(1.0))
                .unwrap();
        }
        let (mut g, _) = b.build().unwrap();
        let mut a = g.attributes().clone();
        for v in 0..g.node_count() {
            let label = g.label(v as u32).to_string();
            a.cost[v] = if label == "hub" {
                10.0
            } else if label.starts_with('c') {
                0.4
            } else {
                f64::NAN
            };
        }
        g.set_attributes(a).unwrap();
        let c = SelectConfig::builder()
            .budget(10.0)
            .epsilon(0.3)
            .seed(6)
            .objective(RootDistribution::Uniform);
        let config = c.build().unwrap();
        let s = select(&g, Model::IndependentCascade, &config, &NoProgress).unwrap();
        assert_eq!(s.method, crate::coverage::PickMethod::BestSingle);
        same_on_ranks(&g, &config);
    }

    #[test]
    fn ranks_with_different_graphs_or_configs_fail_on_every_rank() {
        let g = graph();
        let other = generate(&ScenarioConfig::with_edges(12_000, 6), &NoProgress)
            .unwrap()
            .graph;
        let config = SelectConfig::builder().k(3).build().unwrap();
        let out = Threads::run(3, Duration::from_secs(60), |c| {
            let mine = if c.rank() == 1 { &other } else { &g };
            select_distributed(mine, Model::IndependentCascade, &config, &NoProgress, c)
        })
        .unwrap();
        for r in out {
            match r.unwrap().unwrap_err() {
                Error::RankMismatch { what, rank, .. } => {
                    assert_eq!((what.as_str(), rank), ("graph", 1))
                }
                e => panic!("{e}"),
            }
        }
        let out = Threads::run(2, Duration::from_secs(60), |c| {
            let k = 3 + c.rank();
            let config = SelectConfig::builder().k(k).build().unwrap();
            select_distributed(&g, Model::IndependentCascade, &config, &NoProgress, c)
        })
        .unwrap();
        for r in out {
            let e = r.unwrap().unwrap_err();
            assert!(
                e.to_string()
                    .contains("rank 1 has a different configuration"),
                "{e}"
            );
        }
        // Thread counts may differ: they do not change the answer.
        let config = SelectConfig::builder().k(3).build().unwrap();
        let one = select(&g, Model::IndependentCascade, &config, &NoProgress).unwrap();
        let out = Threads::run(2, Duration::from_secs(60), |c| {
            let config = SelectConfig::builder()
                .k(3)
                .threads(1 + c.rank())
                .build()
                .unwrap();
            select_distributed(&g, Model::IndependentCascade, &config, &NoProgress, c)
        })
        .unwrap();
        for r in out {
            assert_eq!(answer(&r.unwrap().unwrap()), answer(&one));
        }
    }

    #[test]
    fn a_bad_request_fails_on_every_rank() {
        let g = graph();
        let n = g.node_count();
        let config = SelectConfig::builder().k(n + 1).build().unwrap();
        let out = Threads::run(2, Duration::from_secs(60), |c| {
            select_distributed(&g, Model::IndependentCascade, &config, &NoProgress, c)
        })
        .unwrap();
        for r in out {
            assert_eq!(r.unwrap().unwrap_err().kind(), "k_too_large");
        }
    }
}
