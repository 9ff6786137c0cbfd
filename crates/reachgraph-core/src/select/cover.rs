//! Greedy maximum coverage over RR sets, on an inverted index (account → ids of the sets that
//! contain it).
//!
//! The index is the only form in which selection sets are kept: a batch of freshly sampled sets
//! is transposed into it by a counting sort and then dropped. The index grows in place (the
//! existing lists are moved up, back to front, to make room for the new ids), so growing a
//! collection of `θ` sets by `Δ` needs the index of `θ + Δ` sets plus the `Δ` forward sets, never
//! two copies of everything.
//!
//! Greedy keeps a bitmap of covered sets and evaluates an account's marginal gain by counting
//! the uncovered ids of its list. Gains only fall as sets are covered (coverage is submodular),
//! so a stale gain is an upper bound and lazy evaluation (CELF; Leskovec et al., KDD 2007)
//! re-evaluates only the accounts that reach the top of the heap. No forward copy of the sets
//! and no per-account decrements are needed.

use super::{Candidates, Constraint};
use crate::bits::{high_to_low, low_to_high, word_bit};
use crate::rrset::RrSets;
use std::cmp::Ordering;
use std::collections::BinaryHeap;

/// An inverted index of RR sets: per account, the ids (in increasing order) of the sets that
/// contain it. Only candidate accounts are indexed.
///
/// Only accounts in some set hold a slot: slots are numbered in account order, and
/// `sets[offsets[s]..offsets[s + 1]]` is the list of slot `s`. An account's slot is its rank
/// among the accounts that have one (a bit per account and a count per 64 of them), so the
/// index holds 16 bytes per account in some set and 3/8 of a byte per account. At 1B follows
/// quality mode's 107,115 sets hold 1.4M of the 133M accounts: a dense index's offsets (8 bytes
/// per account) took seconds to fault in and 1 GB to hold.
///
/// An index made [`RrIndex::with_first_hop`] also marks, in each id's top bit
/// ([`FIRST_HOP`]), that `v` is in the set's first hop (its roots and the accounts their live
/// in-edges reach in one reverse step), and counts per account the first hops that hold it:
/// quality mode's control variate (the `cv` module). [`Bitmap`] ignores the mark.
#[derive(Debug, Clone)]
pub(crate) struct RrIndex {
    /// Accounts indexed over.
    n: usize,
    /// One bit per account: it has a slot.
    present: Vec<u64>,
    /// Per word of `present`, the slots of the accounts before it.
    rank: Vec<usize>,
    /// Every account has a slot, its own id: set once an eighth of them would
    /// ([`DENSE_FROM`]), after which the index is a dense one (16 bytes per account) and a
    /// lookup is an index.
    dense: bool,
    /// Per slot, where its ids start in `sets`; one more, the end.
    offsets: Vec<usize>,
    sets: Vec<u32>,
    len: usize,
    /// Per slot, the first hops that hold it (first-hop indexes only).
    first_counts: Option<Vec<u32>>,
    /// Scratch of [`RrIndex::append`], all zero between calls.
    scratch: AppendScratch,
}

/// What [`RrIndex::append`] counts a batch in, kept between batches (all zero between them):
/// - per account, a bit if the batch gives it its first ids (it needs a slot);
/// - per slot, the ids the batch adds (counted back down to zero as they are written) and a
///   bit if it adds any, so that only the touched slots are visited.
#[derive(Debug, Clone)]
struct AppendScratch {
    fresh: Vec<u64>,
    counts: Vec<u32>,
    touched: Vec<u64>,
}

impl AppendScratch {
    fn bytes(&self) -> usize {
        self.fresh.capacity() * 8 + self.counts.capacity() * 4 + self.touched.capacity() * 8
    }
}

/// The mark of an id whose set holds the account in its first hop.
pub(crate) const FIRST_HOP: u32 = 1 << 31;

/// An index turns dense once `1 / DENSE_FROM` of the accounts would have slots. A sparse
/// lookup (a rank and a population count) costs about 2 ns more than a dense one, and greedy
/// looks up every candidate: at 100M follows, where quality mode's sets hold fewer than an
/// eighth of the accounts, the sparse index saved 80 ms of indexing and 180 MiB but cost 86 ms
/// of greedy. Below an eighth the memory saved (15 of 16 bytes per account without a slot) is
/// worth the lookups.
const DENSE_FROM: usize = 8;

/// Indexes over at most this many accounts are dense from the start (16 MiB of per-account
/// arrays at most): the graphs quality mode is compared with SUBSIM on keep the plain lookups
/// of the index before it had slots.
const DENSE_BELOW: usize = 1 << 20;

/// The slot of account `v`, which has one (its rank among the accounts with a slot; its id in
/// a dense index).
#[inline(always)]
fn slot_of(dense: bool, present: &[u64], rank: &[usize], v: u32) -> usize {
    if dense {
        return v as usize;
    }
    let (w, b) = word_bit(v as usize);
    debug_assert!(present[w] & b != 0, "account {v} has no slot");
    rank[w] + (present[w] & (b - 1)).count_ones() as usize
}

impl RrIndex {
    /// An empty index over `n` accounts.
    pub(crate) fn new(n: usize) -> RrIndex {
        RrIndex::starting(n, n <= DENSE_BELOW)
    }

    /// An empty index over `n` accounts that marks first hops (the batches appended must
    /// record them: [`crate::rrset::RrSampler::record_first_hop`]).
    pub(crate) fn with_first_hop(n: usize) -> RrIndex {
        let index = RrIndex::new(n);
        RrIndex {
            first_counts: Some(vec![0; index.offsets.len() - 1]),
            ..index
        }
    }

    /// An empty index over `n` accounts, dense (a slot per account) or sparse from the start.
    fn starting(n: usize, dense: bool) -> RrIndex {
        let words = if dense { 0 } else { n.div_ceil(64) };
        RrIndex {
            n,
            present: vec![0; words],
            rank: vec![0; words],
            dense,
            offsets: if dense {
                crate::pages::huge(vec![0; n + 1])
            } else {
                vec![0]
            },
            sets: Vec::new(),
            len: 0,
            first_counts: None,
            scratch: AppendScratch {
                fresh: vec![0; words],
                counts: Vec::new(),
                touched: Vec::new(),
            },
        }
    }

    /// True when the index marks first hops and counts them per account.
    pub(crate) fn marks_first_hops(&self) -> bool {
        self.first_counts.is_some()
    }

    /// The number of sets whose first hop holds `v`, when first hops are marked.
    #[inline]
    pub(crate) fn first_count(&self, v: u32) -> Option<u32> {
        let counts = self.first_counts.as_ref()?;
        Some(self.slot(v).map_or(0, |s| counts[s]))
    }

    /// Number of sets indexed.
    pub(crate) fn len(&self) -> usize {
        self.len
    }

    /// The slot of account `v`, if it is in some set.
    #[inline(always)]
    fn slot(&self, v: u32) -> Option<usize> {
        if self.dense {
            return ((v as usize) < self.n).then_some(v as usize);
        }
        let (w, b) = word_bit(v as usize);
        let p = *self.present.get(w)?;
        (p & b != 0).then(|| slot_of(false, &self.present, &self.rank, v))
    }

    /// Ids of the sets containing `v` (with the [`FIRST_HOP`] mark in a first-hop index).
    #[inline]
    pub(crate) fn list(&self, v: u32) -> &[u32] {
        let s = if self.dense {
            v as usize
        } else {
            match self.slot(v) {
                Some(s) => s,
                None => return &[],
            }
        };
        &self.sets[self.offsets[s]..self.offsets[s + 1]]
    }

    /// Calls `f` with each account that has a slot and its list, in increasing account order
    /// (every account of a dense index): the only accounts whose lists may hold ids.
    fn for_each_slot(&self, mut f: impl FnMut(u32, &[u32])) {
        let list = |s: usize| &self.sets[self.offsets[s]..self.offsets[s + 1]];
        if self.dense {
            for v in 0..self.n {
                f(v as u32, list(v));
            }
            return;
        }
        let mut s = 0;
        for (w, &p) in self.present.iter().enumerate() {
            for b in low_to_high(p) {
                f((w * 64 + b) as u32, list(s));
                s += 1;
            }
        }
    }

    /// Bytes held (capacity of the id array, the per-slot arrays and the per-account bits).
    pub(crate) fn bytes(&self) -> u64 {
        self.sets.capacity() as u64 * 4 + self.account_bytes()
    }

    /// The part of [`RrIndex::bytes`] that does not grow with the sets' ids: per account its
    /// bits and ranks, per slot its offset, first-hop count and batch count (16 bytes per
    /// account in some set at most), and the scratch of [`RrIndex::append`].
    pub(crate) fn account_bytes(&self) -> u64 {
        (self.present.capacity() * 8
            + self.rank.capacity() * std::mem::size_of::<usize>()
            + self.offsets.capacity() * std::mem::size_of::<usize>()
            + self.first_counts.as_ref().map_or(0, |c| c.capacity() * 4)
            + self.scratch.bytes()) as u64
    }

    /// Raw bytes of the index as a dense one over every account ([`super::index_raw_bytes`] of
    /// its ids, and 4 bytes per account of first-hop counts): the figure reported as the
    /// peak, the same in one process and across ranks.
    pub(crate) fn raw_bytes(&self) -> u64 {
        super::index_raw_bytes(self.sets.len() as u64, self.n)
            + if self.marks_first_hops() {
                self.n as u64 * 4
            } else {
                0
            }
    }

    /// Number of set ids held (memberships of candidate accounts).
    pub(crate) fn ids(&self) -> usize {
        self.sets.len()
    }

    /// Bytes the index will hold after appending `members` more ids (in-place growth).
    pub(crate) fn bytes_after(&self, members: usize) -> u64 {
        (self.sets.len() + members) as u64 * 4 + self.account_bytes()
    }

    /// Gives the accounts marked in `scratch.fresh` their slots (and clears the marks): the
    /// per-slot arrays grow in place from the top down, each new slot with an empty list. Once
    /// an eighth of the accounts would have slots, every account gets one and the index turns
    /// dense.
    fn add_slots(&mut self) {
        let words = self.present.len();
        let fresh = &mut self.scratch.fresh;
        let old = self.offsets.len() - 1;
        let mut added: usize = fresh.iter().map(|w| w.count_ones() as usize).sum();
        if (old + added) * DENSE_FROM >= self.n {
            for (w, (f, &p)) in fresh.iter_mut().zip(&self.present).enumerate() {
                let valid = match self.n - 64 * w {
                    r if r >= 64 => u64::MAX,
                    r => (1u64 << r) - 1,
                };
                *f = !p & valid;
            }
            added = self.n - old;
        }
        let slots = old + added;
        if slots == self.n {
            // Turning dense: the offsets move to an array on huge pages (greedy and the
            // batches after this one read and write them at random places), the first
            // `old + 1` copied and the rest untouched until placed below.
            let mut dense = crate::pages::huge(vec![0; slots + 1]);
            dense[..=old].copy_from_slice(&self.offsets);
            self.offsets = dense;
        }
        let off = &mut self.offsets;
        off.resize(slots + 1, 0);
        let mut first = self.first_counts.as_mut();
        if let Some(f) = first.as_deref_mut() {
            f.resize(slots, 0);
        }
        // From the top: `s` old slots and `t` slots in all are still to place (t ≥ s, so no
        // old entry is overwritten before it is read).
        let (mut s, mut t) = (old, slots);
        off[t] = off[s];
        for w in (0..words).rev() {
            let (had, new) = (self.present[w], std::mem::take(&mut fresh[w]));
            if new == 0 {
                let c = had.count_ones() as usize;
                if c > 0 && t != s {
                    off.copy_within(s - c..s, t - c);
                    if let Some(f) = first.as_deref_mut() {
                        f.copy_within(s - c..s, t - c);
                    }
                }
                (s, t) = (s - c, t - c);
                continue;
            }
            for b in high_to_low(had | new).map(|b| 1u64 << b) {
                t -= 1;
                if had & b != 0 {
                    s -= 1;
                    off[t] = off[s];
                    if let Some(f) = first.as_deref_mut() {
                        f[t] = f[s];
                    }
                } else {
                    // An empty list, which starts where the next slot's does.
                    off[t] = off[t + 1];
                    if let Some(f) = first.as_deref_mut() {
                        f[t] = 0;
                    }
                }
            }
            self.present[w] = had | new;
        }
        debug_assert_eq!((s, t), (0, 0));
        self.dense = slots == self.n;
        let mut before = 0;
        for (r, &p) in self.rank.iter_mut().zip(&self.present) {
            *r = before;
            before += p.count_ones() as usize;
        }
    }

    /// Appends the sets of `batch` as sets `len()..len() + batch.len()`, indexing only accounts
    /// with `mask[v]` (all when `None`).
    ///
    /// # Complexity
    /// O(total ids) for the ids; a pass over one bit per account (3/8 of a byte each) when the
    /// batch brings accounts into the index; and a streaming pass over the offsets of the slots
    /// above the lowest one the batch touches. No allocation but the grown arrays.
    pub(crate) fn append(&mut self, batch: &RrSets, mask: Option<&[bool]>) {
        let keep = |v: u32| mask.is_none_or(|m| m[v as usize]);
        // First hops are marked while every id fits below the mark.
        if self.first_counts.is_some() && (self.len + batch.len()) as u64 >= u64::from(FIRST_HOP) {
            self.first_counts = None;
        }
        // A batch drawn without first hops (never by quality mode's sampler) ends the marks.
        if self.first_counts.is_some() && batch.first_hops().len() != batch.len() {
            debug_assert!(false, "a batch without first hops");
            self.first_counts = None;
        }
        let hops = match &self.first_counts {
            Some(_) => batch.first_hops(),
            None => &[],
        };
        // Accounts new to the index get their slots first.
        let mut fresh = false;
        if !self.dense {
            for &v in batch.members() {
                let (w, b) = word_bit(v as usize);
                if self.present[w] & b == 0 && keep(v) {
                    self.scratch.fresh[w] |= b;
                    fresh = true;
                }
            }
        }
        if fresh {
            self.add_slots();
        }
        let slots = self.offsets.len() - 1;
        let (dense, present, rank) = (self.dense, &self.present, &self.rank);
        let AppendScratch {
            counts, touched, ..
        } = &mut self.scratch;
        counts.resize(slots, 0);
        touched.resize(slots.div_ceil(64), 0);
        // New ids per slot: at most one per set, and set ids are `u32`.
        let mut added = 0usize;
        for &v in batch.members() {
            if keep(v) {
                let s = slot_of(dense, present, rank, v);
                counts[s] += 1;
                let (w, b) = word_bit(s);
                touched[w] |= b;
                added += 1;
            }
        }
        if let Some(first) = &mut self.first_counts {
            for (set, &h) in batch.iter().zip(hops) {
                for &v in &set[..h as usize] {
                    if keep(v) {
                        first[slot_of(dense, present, rank, v)] += 1;
                    }
                }
            }
        }
        let old_total = self.sets.len();
        self.sets.resize(old_total + added, 0);
        // Each list moves up by the new ids of the slots before it. Between two touched slots
        // that shift is the same, so the touched slots are taken from the top down, and the
        // untouched slots above each move as one block (no list is overwritten before it has
        // moved). Below the lowest touched slot nothing moves.
        let sets = &mut self.sets;
        let off = &mut self.offsets;
        // `top`: the lowest slot placed (its offset new), `old_top` its old offset, and
        // `shift` the new ids of the slots below it.
        let (mut top, mut old_top, mut shift) = (slots, off[slots], added);
        off[slots] += added;
        for w in (0..touched.len()).rev() {
            for b in high_to_low(std::mem::take(&mut touched[w])) {
                let u = w * 64 + b;
                // Slots u + 1 .. top are untouched and shift by `shift`; u by its own new
                // ids less. (When u + 1 is `top`, its offset is already the new one.)
                let lo = off[u];
                let mid = if u + 1 == top { old_top } else { off[u + 1] };
                if shift > 0 && old_top > mid {
                    sets.copy_within(mid..old_top, mid + shift);
                }
                off[u + 1..top].iter_mut().for_each(|o| *o += shift);
                shift -= counts[u] as usize;
                if shift > 0 && mid > lo {
                    sets.copy_within(lo..mid, lo + shift);
                }
                off[u] = lo + shift;
                (top, old_top) = (u, lo);
            }
        }
        debug_assert_eq!(shift, 0);
        // A slot's new ids end its list: the next goes `counts[s]` (the ids left) before its
        // end.
        let base = self.len as u32;
        for (j, set) in batch.iter().enumerate() {
            let id = base + j as u32;
            let h = hops.get(j).map_or(0, |&h| h as usize);
            for (i, &v) in set.iter().enumerate() {
                if keep(v) {
                    let s = slot_of(dense, present, rank, v);
                    let left = &mut counts[s];
                    sets[off[s + 1] - *left as usize] = if i < h { id | FIRST_HOP } else { id };
                    *left -= 1;
                }
            }
        }
        self.len += batch.len();
    }

    /// Number of sets containing at least one of `seeds`.
    pub(crate) fn coverage(&self, seeds: &[u32]) -> u64 {
        let mut covered = Bitmap::new(self.len);
        let mut c = 0u64;
        for &s in seeds {
            for &id in self.list(s) {
                c += covered.set(id) as u64;
            }
        }
        c
    }
}

/// A bitmap over set ids.
pub(super) struct Bitmap(Vec<u64>);

impl Bitmap {
    pub(super) fn new(len: usize) -> Bitmap {
        Bitmap(vec![0; len.div_ceil(64)])
    }
    /// Sets bit `i`; true when it was clear.
    #[inline]
    pub(super) fn set(&mut self, i: u32) -> bool {
        let (w, b) = word_bit((i & !FIRST_HOP) as usize);
        let was = self.0[w] & b;
        self.0[w] |= b;
        was == 0
    }
    /// Number of ids in `list` whose bit is clear.
    #[inline]
    pub(super) fn count_clear(&self, list: &[u32]) -> u64 {
        list.iter()
            .map(|&i| {
                let (w, b) = word_bit((i & !FIRST_HOP) as usize);
                u64::from(self.0[w] & b == 0)
            })
            .sum()
    }

    /// True when id `i` (its mark ignored) is set.
    #[inline]
    pub(super) fn get(&self, i: u32) -> bool {
        let (w, b) = word_bit((i & !FIRST_HOP) as usize);
        self.0[w] & b != 0
    }
}

/// How the returned seed set was chosen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Method {
    /// (Cost-effective) greedy.
    Greedy,
    /// The best single affordable account beat cost-effective greedy (budgets only).
    BestSingle,
}

/// Greedy's answer on one index, in sets.
#[derive(Debug, Clone)]
pub(crate) struct Greedy {
    /// Seeds in pick order.
    pub(crate) seeds: Vec<u32>,
    /// Sets each seed newly covers.
    pub(crate) gains: Vec<u64>,
    /// Sets covered by all seeds.
    pub(crate) coverage: u64,
    /// Upper bound on the coverage of any feasible seed set (Tang et al. 2018, Lemma 4.2,
    /// with a fractional knapsack for budgets).
    pub(crate) upper: f64,
    /// How the seeds were chosen.
    pub(crate) method: Method,
}

/// A heap entry: ratio key (gain per cost; the gain itself for unit costs), the gain, the
/// account, and the round its gain was computed in.
#[derive(Debug, Clone, Copy)]
pub(super) struct Entry {
    pub(super) key: f64,
    pub(super) gain: u64,
    pub(super) node: u32,
    pub(super) round: u32,
}

impl PartialEq for Entry {
    fn eq(&self, o: &Self) -> bool {
        self.cmp(o) == Ordering::Equal
    }
}
impl Eq for Entry {}
impl PartialOrd for Entry {
    fn partial_cmp(&self, o: &Self) -> Option<Ordering> {
        Some(self.cmp(o))
    }
}
impl Ord for Entry {
    /// Larger key first, then larger gain, then the lower account id.
    fn cmp(&self, o: &Self) -> Ordering {
        self.key
            .total_cmp(&o.key)
            .then(self.gain.cmp(&o.gain))
            .then(o.node.cmp(&self.node))
    }
}

/// Gain per unit of cost: a positive gain at zero cost ranks first, no gain ranks last.
#[inline]
pub(super) fn ratio(gain: u64, cost: f64) -> f64 {
    if gain == 0 {
        0.0
    } else if cost > 0.0 {
        gain as f64 / cost
    } else {
        f64::INFINITY
    }
}

/// Calls `f` with each candidate whose list in `index` holds ids, and its list, in the order of
/// `cands`. For every account ([`Candidates::All`]) only the accounts with a slot are visited:
/// at 1B follows quality mode's sets hold 1.4M of the 133M accounts, and looking up the rest
/// took most of greedy's first pass.
pub(crate) fn for_each_listed(index: &RrIndex, cands: &Candidates, mut f: impl FnMut(u32, &[u32])) {
    let mut listed = |v: u32, list: &[u32]| {
        if !list.is_empty() {
            f(v, list);
        }
    };
    match cands {
        Candidates::All(n) => {
            debug_assert_eq!(*n as usize, index.n, "candidates over another graph");
            index.for_each_slot(listed);
        }
        Candidates::List(l) => l.iter().for_each(|&v| listed(v, index.list(v))),
    }
}

/// Lazy greedy maximum coverage of `index` by `cands` under `constraint` (`costs` per account
/// for a budget).
///
/// Cardinality: the `k` accounts of standard greedy (within `1 − 1/e` of the best coverage;
/// Nemhauser, Wolsey, Fisher 1978). Budget: the better of cost-effective greedy and the best
/// single affordable account (within `1 − 1/√e`; Khuller, Moss, Naor 1999). Ties go to the
/// lower account id, so the answer is a function of the index alone.
///
/// With `bound`, also an upper bound on the best feasible coverage: the smaller of the
/// fractional-knapsack bound on singleton coverages and the coverage of greedy's answer plus
/// the fractional-knapsack bound on the marginal gains with respect to it (exact gains, found
/// by refreshing the heap lazily). For unit costs and capacity `k` the knapsack is the sum of
/// the `k` largest gains: OPIM-C's bound (Tang, Tang, Xiao, Yuan, SIGMOD 2018).
pub(crate) fn greedy(
    index: &RrIndex,
    cands: &Candidates,
    constraint: Constraint,
    costs: &crate::attrs::Column<f64>,
    bound: bool,
) -> Greedy {
    let head = match constraint {
        Constraint::Count(k) => (HEAD_PER_SEED * k).max(MIN_HEAD),
        Constraint::Budget(_) => usize::MAX,
    };
    greedy_with_head(index, cands, constraint, costs, bound, head)
}

/// [`greedy`] with at most `head` entries in the heap at first (counts only).
fn greedy_with_head(
    index: &RrIndex,
    cands: &Candidates,
    constraint: Constraint,
    costs: &crate::attrs::Column<f64>,
    bound: bool,
    head: usize,
) -> Greedy {
    let (capacity, unit) = match constraint {
        Constraint::Count(k) => (k as f64, true),
        Constraint::Budget(b) => (b, false),
    };
    let cost = |v: u32| if unit { 1.0 } else { costs[v as usize] };
    // Accounts in no set gain nothing now or later: they stay out of the heap (a count that
    // accounts with gains cannot fill is filled with the lowest ids after greedy).
    let mut entries: Vec<Entry> = Vec::new();
    for_each_listed(index, cands, |v, list| {
        if cost(v) <= capacity {
            let gain = list.len() as u64;
            entries.push(Entry {
                key: ratio(gain, cost(v)),
                gain,
                node: v,
                round: 0,
            });
        }
    });
    // For a count, only the accounts with the largest singleton gains go into the heap; the
    // rest wait in `reserve` (largest first), and join the heap only if an answer ever ranks
    // below the largest of them. Until then every pick and bound equals the full heap's, so
    // the answer is the same, without building a heap over every account in a set.
    let mut reserve = Vec::new();
    // The bound's first term needs the `k` largest singletons in the heap.
    let head = head.max(capacity as usize + 1);
    if unit && entries.len() > head {
        entries.select_nth_unstable_by(head, |a, b| b.cmp(a));
        reserve = entries.split_off(head);
    }
    let upper0 = if bound {
        initial_knapsack(&entries, capacity, &cost)
    } else {
        f64::INFINITY
    };
    let mut heap = BinaryHeap::from(entries);
    let best_single = if unit {
        None
    } else {
        best_single(heap.iter(), &cost)
    };
    let mut covered = Bitmap::new(index.len());
    let mut seeds = Vec::new();
    let mut gains = Vec::new();
    let mut remaining = capacity;
    let mut coverage = 0u64;
    let mut round = 0u32;
    // Entries dropped for not fitting the remaining budget still bound the optimum.
    let mut dropped: Vec<Entry> = Vec::new();
    loop {
        if heap.is_empty() {
            heap.extend(reserve.drain(..));
        }
        let Some(top) = heap.pop() else { break };
        if remaining < 1.0 && unit {
            heap.push(top);
            break;
        }
        if cost(top.node) > remaining {
            dropped.push(top);
            continue;
        }
        if top.round != round {
            let gain = covered.count_clear(index.list(top.node));
            heap.push(Entry {
                key: ratio(gain, cost(top.node)),
                gain,
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
        if top.gain == 0 {
            // Everything left adds nothing (zero-gain accounts fill a count below).
            heap.push(top);
            break;
        }
        let mut g = 0u64;
        for &id in index.list(top.node) {
            g += covered.set(id) as u64;
        }
        debug_assert_eq!(g, top.gain);
        seeds.push(top.node);
        gains.push(g);
        coverage += g;
        remaining -= cost(top.node);
        round += 1;
    }
    fill_count(constraint, cands.iter(), &mut seeds, &mut gains);
    let mut method = Method::Greedy;
    if let Some((v, g)) = best_single {
        if g > coverage {
            method = Method::BestSingle;
            seeds = vec![v];
            gains = vec![g];
            coverage = g;
            covered = Bitmap::new(index.len());
            for &id in index.list(v) {
                covered.set(id);
            }
        }
    }
    let upper = if bound {
        // Gains with respect to the returned seeds. After greedy, the entries left in the heap
        // or dropped are exactly the affordable candidates not chosen, each with a gain that
        // is exact when computed in the last round and an upper bound otherwise. After a best
        // single answer only the singleton coverages are known bounds.
        let rest: BinaryHeap<Entry> = if method == Method::Greedy {
            heap.into_iter()
                .chain(dropped)
                .map(|e| Entry {
                    round: if e.round == round { EXACT } else { 0 },
                    ..e
                })
                .collect()
        } else {
            cands
                .iter()
                .filter(|&v| cost(v) <= capacity && v != seeds[0])
                .map(|v| {
                    let gain = index.list(v).len() as u64;
                    Entry {
                        key: ratio(gain, cost(v)),
                        gain,
                        node: v,
                        round: 0,
                    }
                })
                .collect()
        };
        let at_end = coverage as f64
            + knapsack(rest, reserve, capacity, &cost, |v| {
                covered.count_clear(index.list(v))
            });
        upper0.min(at_end)
    } else {
        f64::INFINITY
    };
    Greedy {
        seeds,
        gains,
        coverage,
        upper,
        method,
    }
}

/// Heap entries per seed of a count (the rest wait in a reserve; see [`greedy`]).
const HEAD_PER_SEED: usize = 64;
/// Fewest heap entries for a count.
const MIN_HEAD: usize = 4096;

/// A count that accounts with gains did not fill: every account left adds nothing, so the
/// lowest ids not chosen fill it, with gain 0.
pub(super) fn fill_count(
    constraint: Constraint,
    cands: impl Iterator<Item = u32>,
    seeds: &mut Vec<u32>,
    gains: &mut Vec<u64>,
) {
    if let Constraint::Count(k) = constraint {
        if seeds.len() < k {
            let chosen: rustc_hash::FxHashSet<u32> = seeds.iter().copied().collect();
            for v in cands {
                if seeds.len() == k {
                    break;
                }
                if !chosen.contains(&v) {
                    seeds.push(v);
                    gains.push(0);
                }
            }
        }
    }
}

/// Best single affordable account (budgets): largest coverage, then cheaper, then lower id.
pub(super) fn best_single<'a>(
    entries: impl Iterator<Item = &'a Entry>,
    cost: &dyn Fn(u32) -> f64,
) -> Option<(u32, u64)> {
    entries
        .max_by(|a, b| {
            a.gain
                .cmp(&b.gain)
                .then(cost(b.node).total_cmp(&cost(a.node)))
                .then(b.node.cmp(&a.node))
        })
        .map(|e| (e.node, e.gain))
}

/// [`knapsack`] of exact singleton gains, by sorting rather than a heap.
pub(super) fn initial_knapsack(entries: &[Entry], capacity: f64, cost: &dyn Fn(u32) -> f64) -> f64 {
    let mut e: Vec<(f64, u64, u32)> = entries.iter().map(|e| (e.key, e.gain, e.node)).collect();
    // Only the best few can fit in a count; sort just those.
    let unit_count = capacity.floor() as usize;
    let all_unit = e.iter().all(|x| cost(x.2) == 1.0);
    let desc = |a: &(f64, u64, u32), b: &(f64, u64, u32)| b.0.total_cmp(&a.0).then(b.1.cmp(&a.1));
    if all_unit && unit_count < e.len() {
        e.select_nth_unstable_by(unit_count, desc);
        e.truncate(unit_count + 1);
    }
    e.sort_by(desc);
    let mut left = capacity;
    let mut total = 0.0;
    for (_, gain, v) in e {
        let c = cost(v);
        if left <= 0.0 {
            break;
        }
        if c <= left {
            total += gain as f64;
            left -= c;
        } else {
            total += gain as f64 * (left / c);
            break;
        }
    }
    total
}

/// Marks a heap entry whose gain is exact in [`knapsack`].
pub(super) const EXACT: u32 = u32::MAX;

/// Fractional-knapsack bound: the largest total gain of items of total cost at most
/// `capacity`, items divisible. Pops `heap` in ratio order; an entry not marked [`EXACT`] holds
/// an upper bound of its gain and is re-evaluated by `eval` and pushed back before it counts.
///
/// `reserve` holds further items (largest first, gains not exact) that join the heap only when
/// its top ranks below the largest of them.
pub(super) fn knapsack(
    mut heap: BinaryHeap<Entry>,
    mut reserve: Vec<Entry>,
    capacity: f64,
    cost: &dyn Fn(u32) -> f64,
    mut eval: impl FnMut(u32) -> u64,
) -> f64 {
    let mut left = capacity;
    let mut total = 0.0;
    loop {
        if heap.is_empty() {
            heap.extend(reserve.drain(..));
        }
        let Some(e) = heap.pop() else { break };
        if left <= 0.0 {
            break;
        }
        if reserve.first().is_some_and(|r| e < *r) {
            heap.push(e);
            heap.extend(reserve.drain(..));
            continue;
        }
        if e.gain == 0 {
            break;
        }
        if e.round != EXACT {
            let gain = eval(e.node);
            heap.push(Entry {
                key: ratio(gain, cost(e.node)),
                gain,
                round: EXACT,
                ..e
            });
            continue;
        }
        let c = cost(e.node);
        if c <= left {
            total += e.gain as f64;
            left -= c;
        } else {
            total += e.gain as f64 * (left / c);
            break;
        }
    }
    total
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cascade::Model;
    use crate::rrset::{sample_rr_sets, RrConfig};

    /// Appends batches of `sizes` sets of `g` (with and without a mask) and checks after each
    /// that every account holds the ids of the sets that hold it, in increasing order: the
    /// inverted index read off the sets directly. Returns the sets and, per batch, whether the
    /// index without a mask was dense after it.
    fn check_appends(g: &crate::Graph, sizes: &[usize]) -> (RrSets, Vec<bool>) {
        let n = g.node_count() as u32;
        let total = sizes.iter().sum();
        let config = RrConfig::builder().seed(2).build().unwrap();
        let sets = sample_rr_sets(g, Model::IndependentCascade, total, &config).unwrap();
        let mask: Vec<bool> = (0..n).map(|v| v % 3 != 1).collect();
        let mut dense = Vec::new();
        let starts = [
            (None, false),
            (Some(&mask[..]), false),
            (None, true),
            (Some(&mask[..]), true),
        ];
        for (mask, start_dense) in starts {
            let mut index = RrIndex::starting(n as usize, start_dense);
            let mut want = vec![Vec::new(); n as usize];
            let mut done = 0;
            for &size in sizes {
                let sampler =
                    crate::rrset::RrSampler::new(g, Model::IndependentCascade, &config).unwrap();
                let batch = sampler
                    .sample_range(2, done as u64, size, &crate::progress::NoProgress)
                    .unwrap();
                index.append(&batch, mask);
                for j in 0..size {
                    for &v in sets.set(done + j) {
                        if mask.is_none_or(|m| m[v as usize]) {
                            want[v as usize].push((done + j) as u32);
                        }
                    }
                }
                done += size;
                assert_eq!(index.len(), done);
                for v in 0..n {
                    assert_eq!(
                        index.list(v),
                        &want[v as usize][..],
                        "account {v} after {done}"
                    );
                }
                assert_eq!(index.ids(), want.iter().map(Vec::len).sum::<usize>());
                if mask.is_none() && !start_dense {
                    dense.push(index.dense);
                }
            }
            // The scratch is all zero again.
            assert!(index.scratch.counts.iter().all(|&c| c == 0));
            assert!(index.scratch.touched.iter().all(|&w| w == 0));
            assert!(index.scratch.fresh.iter().all(|&w| w == 0));
        }
        (sets, dense)
    }

    #[test]
    fn appended_batches_are_the_inverted_index_of_their_sets() {
        let sizes = [1, 7, 700, 1, 292, 999];
        let g = super::super::random_graph(300, 1_500, 0.3, 9);
        check_appends(&g, &sizes);
        // Sets that touch runs of neighbouring accounts, up to the last: a chain of certain
        // edges `v → v + 1`, whose set from root `r` is every account up to `r`. And sets of
        // one account each: no edges. 130 accounts: two full words of bits and two more.
        let n = 130u32;
        let (src, dst): (Vec<u32>, Vec<u32>) = (0..n - 1).map(|v| (v, v + 1)).unzip();
        let ids = crate::ids::NodeIds::identity(n);
        let options = crate::GraphOptions::default();
        let chain =
            crate::Graph::from_edges(n, &src, &dst, Some(&vec![1.0; src.len()]), ids, options)
                .unwrap()
                .0;
        let empty = crate::Graph::from_edges(
            n,
            &[],
            &[],
            None,
            crate::ids::NodeIds::identity(n),
            crate::GraphOptions::default(),
        )
        .unwrap()
        .0;
        let sizes = [1, 1, 2, 3, 64, 1, 130, 5, 1, 400];
        let (runs, _) = check_appends(&chain, &sizes);
        let (singles, dense) = check_appends(&empty, &sizes);
        // The cases the runs must get right were drawn: a batch of one set that touches the
        // first account alone, and one that touches every account up to the last.
        assert!(runs.iter().any(|s| s.len() == 1 && s[0] == 0));
        assert!(runs.iter().any(|s| s.len() == n as usize));
        assert!(singles.iter().all(|s| s.len() == 1));
        // The index of single accounts grew sparse over several batches, then turned dense.
        assert_eq!(&dense[..4], &[false; 4]);
        assert!(dense[dense.len() - 1]);
    }

    /// A few sets over many accounts hold slots for their accounts only: well under a byte per
    /// account (a dense index holds 8 to 16), with the lists and first-hop counts of the dense
    /// one.
    #[test]
    fn few_sets_over_many_accounts_hold_few_bytes() {
        let n = 200_000u32;
        let g = super::super::random_graph(n, 200_000, 0.5, 4);
        let config = RrConfig::builder().seed(8).build().unwrap();
        let mut sampler =
            crate::rrset::RrSampler::new(&g, Model::IndependentCascade, &config).unwrap();
        sampler.record_first_hop();
        let mut index = RrIndex {
            first_counts: Some(Vec::new()),
            ..RrIndex::starting(n as usize, false)
        };
        let mut want = std::collections::BTreeMap::<u32, (Vec<u32>, u32)>::new();
        let mut done = 0;
        for size in [5, 20, 75] {
            let batch = sampler
                .sample_range(8, done as u64, size, &crate::progress::NoProgress)
                .unwrap();
            index.append(&batch, None);
            for (j, (set, &h)) in batch.iter().zip(batch.first_hops()).enumerate() {
                for (i, &v) in set.iter().enumerate() {
                    let e = want.entry(v).or_default();
                    let first = i < h as usize;
                    e.0.push((done + j) as u32 | if first { FIRST_HOP } else { 0 });
                    e.1 += first as u32;
                }
            }
            done += size;
        }
        assert!(!index.dense);
        assert!(want.len() > 100, "{} accounts in sets", want.len());
        for v in 0..n {
            let (list, first) = want.get(&v).cloned().unwrap_or_default();
            assert_eq!(index.list(v), &list[..], "account {v}");
            assert_eq!(index.first_count(v), Some(first), "account {v}");
        }
        assert!(
            index.account_bytes() < u64::from(n),
            "{} bytes for {n} accounts",
            index.account_bytes()
        );
        // Every account as candidates walks the slots: exactly the accounts in some set, in
        // increasing order with their lists; a list of every account looks each one up and
        // meets the same ones; a list of some accounts meets those of them in some set.
        let walked = |cands: &Candidates| {
            let mut out = Vec::new();
            for_each_listed(&index, cands, |v, list| out.push((v, list.to_vec())));
            out
        };
        let brute: Vec<(u32, Vec<u32>)> = want.iter().map(|(&v, (l, _))| (v, l.clone())).collect();
        assert_eq!(walked(&Candidates::All(n)), brute);
        assert_eq!(walked(&Candidates::List((0..n).collect())), brute);
        let odd: Vec<u32> = (0..n).filter(|v| v % 2 == 1).collect();
        let brute_odd: Vec<_> = brute.iter().filter(|(v, _)| v % 2 == 1).cloned().collect();
        assert_eq!(walked(&Candidates::List(odd)), brute_odd);
        // So greedy over every account gives the answer of greedy over the list of them, and
        // each seed covers the sets a brute-force count gives it.
        let costs = crate::attrs::Column::from(vec![f64::NAN; n as usize]);
        for k in [1, 3, 10] {
            let all = greedy(
                &index,
                &Candidates::All(n),
                Constraint::Count(k),
                &costs,
                true,
            );
            let listed = greedy(
                &index,
                &Candidates::List((0..n).collect()),
                Constraint::Count(k),
                &costs,
                true,
            );
            assert_eq!(all.seeds, listed.seeds, "k = {k}");
            assert_eq!(all.gains, listed.gains, "k = {k}");
            assert_eq!(all.upper, listed.upper, "k = {k}");
            let (best, best_gain) = brute
                .iter()
                .map(|(v, l)| (*v, l.len() as u64))
                .max_by(|a, b| a.1.cmp(&b.1).then(b.0.cmp(&a.0)))
                .unwrap();
            assert_eq!((all.seeds[0], all.gains[0]), (best, best_gain), "k = {k}");
        }
    }

    #[test]
    fn a_small_heap_with_a_reserve_gives_the_full_heaps_answer() {
        // A random graph whose RR sets give many accounts similar gains, so that small heads
        // run out and the reserve has to join (and large ones never need it).
        let n = 400u32;
        let g = super::super::random_graph(n, 2_400, 0.2, 3);
        let config = RrConfig::builder().seed(5).build().unwrap();
        let sets = sample_rr_sets(&g, Model::IndependentCascade, 20_000, &config).unwrap();
        let mut index = RrIndex::new(n as usize);
        index.append(&sets, None);
        let cands = Candidates::All(n);
        let list = Candidates::List((0..n).collect());
        for k in [1, 5, 40, 300] {
            let c = Constraint::Count(k);
            let full = greedy_with_head(
                &index,
                &cands,
                c,
                &crate::attrs::Column::filled(f64::NAN, 0),
                true,
                usize::MAX,
            );
            // Every account, listed or not: the same answer.
            let listed = greedy_with_head(
                &index,
                &list,
                c,
                &crate::attrs::Column::filled(f64::NAN, 0),
                true,
                usize::MAX,
            );
            assert_eq!(
                (&listed.seeds, &listed.gains, listed.upper.to_bits()),
                (&full.seeds, &full.gains, full.upper.to_bits())
            );
            for head in [1, 2, k, 2 * k + 3, 350] {
                let g = greedy_with_head(
                    &index,
                    &cands,
                    c,
                    &crate::attrs::Column::filled(f64::NAN, 0),
                    true,
                    head,
                );
                assert_eq!(g.seeds, full.seeds, "k {k} head {head}");
                assert_eq!(g.gains, full.gains, "k {k} head {head}");
                assert_eq!(g.upper, full.upper, "k {k} head {head}");
            }
            assert_eq!(full.coverage, index.coverage(&full.seeds));
        }
    }
}
