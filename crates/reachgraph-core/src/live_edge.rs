//! The live-edge sampling kernel shared by forward Monte Carlo ([`crate::cascade`]) and
//! reverse-reachable sets ([`crate::rrset`]): how one adjacency list's live edges are drawn
//! ([`ListRule`], [`RuleTag`], [`expand`]) with its probabilities read from wherever they are
//! held ([`EdgeProbs`]: per edge, one per list, one per target account), the visited marks and
//! queue of one trial (a cascade's [`Stamps`]; an RR set's bits, [`RrScratch`] and
//! [`Frontier`]), the fast uniform draws ([`Draws`]) and the prefetch hint.
//!
//! Everything here runs inside the trial loops: keep the `#[inline(always)]` marks, so moving
//! the code between modules never costs a call.

use crate::bits::word_bit;
use crate::rng::{self, Rng};
use rand::RngCore;

/// Cost of one geometric skip (a logarithm and a 64-bit draw) in units of one coin (a 24-bit
/// draw, a compare and a visited check). A list of `d` edges sharing probability `p` takes
/// about `1 + d·p` skips or `d` coins; skipping is used when it is cheaper. Measured on
/// soc-Epinions1 RR sampling under weighted cascade, where 2 to 4 were best.
const SKIP_COST: f64 = 3.0;

/// Largest expected number of live edges `d·p` for which a list is sampled as a binomial count
/// plus a uniform subset (Floyd's method is quadratic in the count).
pub(crate) const SUBSET_MAX_MEAN: f64 = 8.0;

/// Most lanes for which [`Draws::lanes_below`] draws one uniform per lane rather than comparing
/// them bit-sliced (one uniform costs half a generator output, a bit-sliced step a whole one).
pub(crate) const LANE_COINS_MAX: u32 = 4;

/// The integer threshold of probability `p` (in [0, 1]) for 24-bit uniforms: `x < ⌈p · 2^24⌉`
/// exactly when `x · 2^-24 < p`, the coin of [`Draws::unit_f32`].
#[inline(always)]
pub(crate) fn coin_threshold(p: f32) -> u32 {
    // p · 2^24 is exact in f32 (a power-of-two scaling of a value in [0, 1]); rounding up by
    // hand avoids a call to `ceilf`.
    let x = p * 16_777_216.0;
    let t = x as u32;
    t + u32::from((t as f32) < x)
}

/// Shortest list sampled by a shortcut rather than coins (measured: from 2 on, subset sampling
/// is as fast or faster on soc-Epinions1 weighted cascade).
pub(crate) const SUBSET_MIN_LEN: usize = 2;

/// How the live out-edges (or in-edges) of one account are drawn.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum ListRule {
    /// One coin per edge against its own probability.
    Coins,
    /// All `d` edges share one probability `p` and few are live (`d·p ≤`
    /// [`SUBSET_MAX_MEAN`]): draw the number of live edges `k ~ Binomial(d, p)` by inversion
    /// (`q0 = (1 − p)^d`, `ratio = p / (1 − p)`), then a uniform `k`-subset (Floyd's method).
    /// No logarithms, and `O(1 + k)` work.
    Subset {
        /// `P(k = 0) = (1 − p)^d`.
        q0: f64,
        /// `p / (1 − p)`, for the recurrence `P(k + 1) = P(k) · (d − k)/(k + 1) · ratio`.
        ratio: f64,
    },
    /// All edges share one probability `p` and many are live: geometric skipping, with the
    /// payload `1 / ln(1 − p)`.
    Skip(f64),
    /// Every edge is live (all probabilities 1).
    All,
    /// No edge is live (no edges, or all probabilities 0).
    Dead,
}

/// The rule of the list whose far ends are `ends`, with probabilities from `probs`.
/// `shortcuts = false` forces coins wherever probabilities are fractional (the reference the
/// shortcuts are tested against).
pub(crate) fn list_rule(ends: &[u32], probs: impl EdgeProbs, shortcuts: bool) -> ListRule {
    let mut edges = probs.edges(ends);
    let len = edges.len();
    let Some((_, p)) = edges.next() else {
        return ListRule::Dead;
    };
    if edges.any(|(_, q)| q != p) {
        return ListRule::Coins;
    }
    uniform_rule(p, len, shortcuts)
}

/// The rule of a list of `len` edges that all have probability `p`: [`list_rule`] with
/// [`Same`]`(p)`, without the list.
pub(crate) fn uniform_rule(p: f32, len: usize, shortcuts: bool) -> ListRule {
    if len == 0 {
        return ListRule::Dead;
    }
    let (d, pf) = (len as f64, p as f64);
    if p <= 0.0 {
        ListRule::Dead
    } else if p >= 1.0 {
        ListRule::All
    } else if !shortcuts || len < SUBSET_MIN_LEN {
        ListRule::Coins
    } else if d * pf <= SUBSET_MAX_MEAN {
        ListRule::Subset {
            q0: (d * (-pf).ln_1p()).exp(),
            ratio: pf / (1.0 - pf),
        }
    } else if (1.0 + d * pf) * SKIP_COST < d {
        ListRule::Skip(1.0 / (-pf).ln_1p())
    } else {
        ListRule::Coins
    }
}

/// Where the probabilities of an adjacency list's edges come from. [`expand`], [`list_rule`]
/// and [`RuleTag::rule`] are generic over it: each source compiles to its own loop, with
/// nothing decided per edge.
pub(crate) trait EdgeProbs: Copy {
    /// The edges of the list whose far ends are `ends`, in list order: far end and
    /// probability.
    fn edges<'e>(self, ends: &'e [u32]) -> impl ExactSizeIterator<Item = (u32, f32)> + 'e
    where
        Self: 'e;

    /// Hints the CPU to fetch the probability of the edge into account `v`, when it is read
    /// from a table by account (no effect on results).
    #[inline(always)]
    fn prefetch(self, v: u32) {
        let _ = v;
    }
}

/// One probability per edge, aligned with the far ends (a slice of a graph's probability
/// array).
impl EdgeProbs for &[f32] {
    #[inline(always)]
    fn edges<'e>(self, ends: &'e [u32]) -> impl ExactSizeIterator<Item = (u32, f32)> + 'e
    where
        Self: 'e,
    {
        ends.iter().copied().zip(self.iter().copied())
    }
}

/// Every edge of the list has this probability (a constant scheme; the in-edges of one account
/// under weighted cascade).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Same(pub(crate) f32);

impl EdgeProbs for Same {
    #[inline(always)]
    fn edges<'e>(self, ends: &'e [u32]) -> impl ExactSizeIterator<Item = (u32, f32)> + 'e
    where
        Self: 'e,
    {
        let p = self.0;
        ends.iter().map(move |&v| (v, p))
    }
}

/// The edge into account `v` has probability `.0[v]`, one value per target account (forward
/// cascades under weighted cascade without the out-order array).
#[derive(Debug, Clone, Copy)]
pub(crate) struct ByTarget<'a>(pub(crate) &'a [f32]);

impl EdgeProbs for ByTarget<'_> {
    #[inline(always)]
    fn edges<'e>(self, ends: &'e [u32]) -> impl ExactSizeIterator<Item = (u32, f32)> + 'e
    where
        Self: 'e,
    {
        let t = self.0;
        ends.iter().map(move |&v| (v, t[v as usize]))
    }

    #[inline(always)]
    fn prefetch(self, v: u32) {
        if let Some(x) = self.0.get(v as usize) {
            prefetch(x);
        }
    }
}

/// A [`ListRule`] in one byte, for lists whose probabilities are not held per edge
/// ([`ByTarget`]): a shortcut rule's payload is recomputed from the list on each visit
/// ([`RuleTag::rule`]) instead of stored (a [`ListRule`] takes 24 bytes).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum RuleTag {
    /// [`ListRule::Dead`].
    Dead,
    /// [`ListRule::All`].
    All,
    /// [`ListRule::Coins`].
    Coins,
    /// [`ListRule::Subset`] or [`ListRule::Skip`]: every edge has the same probability.
    Uniform,
}

impl RuleTag {
    /// The tag of `rule`.
    pub(crate) fn of(rule: ListRule) -> RuleTag {
        match rule {
            ListRule::Dead => RuleTag::Dead,
            ListRule::All => RuleTag::All,
            ListRule::Coins => RuleTag::Coins,
            ListRule::Subset { .. } | ListRule::Skip(_) => RuleTag::Uniform,
        }
    }

    /// The rule this tag stands for on the list `ends` with probabilities `probs`: the
    /// [`list_rule`] of the list the tag was made from, without storing it.
    #[inline(always)]
    pub(crate) fn rule(self, ends: &[u32], probs: impl EdgeProbs, shortcuts: bool) -> ListRule {
        match self {
            RuleTag::Dead => ListRule::Dead,
            RuleTag::All => ListRule::All,
            RuleTag::Coins => ListRule::Coins,
            RuleTag::Uniform => {
                let mut edges = probs.edges(ends);
                let len = edges.len();
                match edges.next() {
                    Some((_, p)) => uniform_rule(p, len, shortcuts),
                    None => ListRule::Dead,
                }
            }
        }
    }
}

/// The accounts reached so far in one RR set: a bit per account and the BFS queue.
pub(crate) struct Frontier<'a> {
    pub(crate) seen: &'a mut [u64],
    pub(crate) queue: &'a mut Vec<u32>,
}

impl Frontier<'_> {
    #[inline(always)]
    fn is_new(&self, v: u32) -> bool {
        let (w, b) = word_bit(v as usize);
        self.seen[w] & b == 0
    }
    #[inline(always)]
    fn add(&mut self, v: u32) {
        let (w, b) = word_bit(v as usize);
        self.seen[w] |= b;
        self.queue.push(v);
    }
    #[inline(always)]
    pub(crate) fn offer(&mut self, v: u32) {
        if self.is_new(v) {
            self.add(v);
        }
    }
}

/// Adds to `f` the far ends of the live edges of one adjacency list (far ends `ends`,
/// probabilities from `probs`), drawn under `rule`; `picked` is scratch. Only coins read the
/// probabilities; the other rules carry what they need.
///
/// Coins are drawn for every edge, even into accounts already reached: the combined "live and
/// new" branch is then rarely taken and well predicted, which on soc-Epinions1 is faster than
/// checking the account first and saving the draw.
#[inline(always)]
pub(crate) fn expand(
    rule: ListRule,
    ends: &[u32],
    probs: impl EdgeProbs,
    d: &mut Draws,
    picked: &mut Vec<usize>,
    f: &mut Frontier<'_>,
) {
    match rule {
        ListRule::Dead => {}
        ListRule::All => ends.iter().for_each(|&v| f.offer(v)),
        ListRule::Coins => {
            for (v, p) in probs.edges(ends) {
                if (d.unit_f32() < p) & f.is_new(v) {
                    f.add(v);
                }
            }
        }
        ListRule::Subset { q0, ratio } => {
            live_subset(ends.len(), q0, ratio, d, picked, |x| f.offer(ends[x]))
        }
        ListRule::Skip(inv_log) => live_skip(ends.len(), inv_log, d, |x| f.offer(ends[x])),
    }
}

/// The live places of a list of `n` edges under [`ListRule::Subset`]: a binomial count, then a
/// uniform subset of that size (Floyd's method), each place handed to `emit` once.
#[inline(always)]
pub(crate) fn live_subset(
    n: usize,
    q0: f64,
    ratio: f64,
    d: &mut Draws,
    picked: &mut Vec<usize>,
    mut emit: impl FnMut(usize),
) {
    match d.binomial(n, q0, ratio) {
        0 => {}
        1 => emit(d.below(n as u64) as usize),
        k => {
            // Floyd: for j in n−k..n take a uniform t ≤ j, or j if t is taken already.
            picked.clear();
            for j in n - k..n {
                let t = d.below(j as u64 + 1) as usize;
                let x = if picked.contains(&t) { j } else { t };
                picked.push(x);
                emit(x);
            }
        }
    }
}

/// The live places of a list of `n` edges under [`ListRule::Skip`]`(inv_log)`, in order, by
/// geometric skipping.
#[inline(always)]
pub(crate) fn live_skip(n: usize, inv_log: f64, d: &mut Draws, mut emit: impl FnMut(usize)) {
    let n = n as f64;
    let mut i = d.skip(inv_log);
    while i < n {
        emit(i as usize);
        i += 1.0 + d.skip(inv_log);
    }
}

/// Fast uniform draws from one random stream.
#[derive(Debug, Clone)]
pub(crate) struct Draws {
    rng: Rng,
    buf: u64,
    left: u32,
}

impl Draws {
    pub(crate) fn new(rng: Rng) -> Draws {
        Draws {
            rng,
            buf: 0,
            left: 0,
        }
    }

    /// A uniform in [0, 1) with 24 random bits; two per generator output.
    ///
    /// Compared with `p` as `u < p`, this is exactly `P = ⌈p · 2^24⌉ / 2^24`: `p = 0` never and
    /// `p = 1` always succeeds, and other probabilities are off by less than 6·10⁻⁸.
    #[inline(always)]
    pub(crate) fn unit_f32(&mut self) -> f32 {
        (self.word32() >> 8) as f32 * (1.0 / 16_777_216.0)
    }

    /// 32 random bits; two per generator output (the draws [`Draws::unit_f32`] takes its 24
    /// high bits from).
    #[inline(always)]
    pub(crate) fn word32(&mut self) -> u32 {
        if self.left == 0 {
            self.buf = self.rng.next_u64();
            self.left = 2;
        }
        self.left -= 1;
        let x = (self.buf >> 32) as u32;
        self.buf <<= 32;
        x
    }

    /// One coin per lane of `lanes` (a bit mask, a lane per trial), each live with probability
    /// `threshold / 2^24`: the lanes whose 24-bit uniform is below `threshold` (see
    /// [`coin_threshold`]), so a lane's coin is exactly a [`Draws::unit_f32`]` < p` coin.
    ///
    /// Up to [`LANE_COINS_MAX`] lanes draw one 24-bit uniform each. More lanes are compared
    /// bit-sliced, most significant bit first: each 64-bit draw gives every undecided lane its
    /// next bit, a lane whose bit is below the threshold's is live, one above it is dead, and the
    /// rest stay undecided; about half leave at each step, so `k` lanes take about
    /// `log₂ k + 2` draws instead of `k / 2`, and the loop ends early when the threshold's
    /// remaining bits are zero (no undecided lane can then fall below it).
    #[inline(always)]
    pub(crate) fn lanes_below(&mut self, lanes: u64, threshold: u32) -> u64 {
        if threshold == 0 || lanes == 0 {
            return 0;
        }
        if threshold >= 1 << 24 {
            return lanes;
        }
        if lanes.count_ones() <= LANE_COINS_MAX {
            let mut live = 0;
            each_lane(lanes, |bit| {
                if self.word32() >> 8 < threshold {
                    live |= bit;
                }
            });
            return live;
        }
        let (mut live, mut undecided) = (0u64, lanes);
        for b in (0..24).rev() {
            if threshold & ((2u32 << b) - 1) == 0 {
                break;
            }
            // All ones where the threshold's bit b is 1.
            let t = 0u64.wrapping_sub(u64::from((threshold >> b) & 1));
            let r = self.rng.next_u64();
            live |= undecided & !r & t;
            undecided &= !(r ^ t);
            if undecided == 0 {
                break;
            }
        }
        live
    }

    /// A uniform in (0, 1] with 53 random bits (for logarithms).
    #[inline(always)]
    pub(crate) fn open_unit_f64(&mut self) -> f64 {
        ((self.rng.next_u64() >> 11) + 1) as f64 * (1.0 / (1u64 << 53) as f64)
    }

    /// A uniform in [0, 1) with 53 random bits.
    #[inline(always)]
    pub(crate) fn unit_f64(&mut self) -> f64 {
        rng::unit_f64(&mut self.rng)
    }

    /// A uniform integer in `0..n` (`n > 0`).
    #[inline(always)]
    pub(crate) fn below(&mut self, n: u64) -> u64 {
        rng::below(&mut self.rng, n)
    }

    /// `k ~ Binomial(n, p)` by inversion from `q0 = (1 − p)^n` and `ratio = p / (1 − p)`;
    /// expected work `1 + n·p` steps.
    #[inline(always)]
    pub(crate) fn binomial(&mut self, n: usize, q0: f64, ratio: f64) -> usize {
        let u = self.unit_f64();
        let (mut k, mut pk, mut cum) = (0usize, q0, q0);
        while u >= cum && k < n {
            pk *= (n - k) as f64 / (k + 1) as f64 * ratio;
            k += 1;
            cum += pk;
        }
        k
    }

    /// Number of failures before the next success of coins with `inv_log = 1 / ln(1 − p)`,
    /// as `f64` (possibly huge): ⌊ln U / ln(1 − p)⌋ with U uniform in (0, 1] is geometric,
    /// `P(K ≥ k) = (1 − p)^k` (the skipping of Guo et al. 2020).
    #[inline(always)]
    pub(crate) fn skip(&mut self, inv_log: f64) -> f64 {
        (self.open_unit_f64().ln() * inv_log).floor()
    }
}

/// Calls `f` with each set bit of the lane mask `m` (a bit per trial), lowest first.
#[inline(always)]
pub(crate) fn each_lane(mut m: u64, mut f: impl FnMut(u64)) {
    while m != 0 {
        let bit = m & m.wrapping_neg();
        m ^= bit;
        f(bit);
    }
}

/// Hints the CPU to fetch the cache line holding `x` (no effect on results).
#[inline(always)]
pub(crate) fn prefetch<T>(x: &T) {
    #[cfg(target_arch = "x86_64")]
    // SAFETY: a prefetch never faults and reads nothing the program sees; `x` is a valid reference.
    unsafe {
        core::arch::x86_64::_mm_prefetch::<{ core::arch::x86_64::_MM_HINT_T0 }>(
            x as *const T as *const i8,
        );
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = x;
}

/// Reusable per-worker buffers of a cascade trial: a stamp per account and a queue.
pub(crate) struct Stamps {
    pub(crate) stamp: Vec<u32>,
    pub(crate) epoch: u32,
    pub(crate) queue: Vec<u32>,
}

impl Stamps {
    pub(crate) fn new(n: usize) -> Stamps {
        Stamps {
            stamp: vec![0; n],
            epoch: 0,
            queue: Vec::with_capacity(n.min(1 << 16)),
        }
    }

    /// Starts a new trial; stamps equal to the returned epoch mean "visited in this trial".
    #[inline]
    pub(crate) fn next_epoch(&mut self) -> u32 {
        if self.epoch == u32::MAX {
            self.stamp.iter_mut().for_each(|s| *s = 0);
            self.epoch = 0;
        }
        self.epoch += 1;
        self.queue.clear();
        self.epoch
    }
}

/// Reusable per-worker buffers of RR sampling: a bit per account, set while the account is
/// in the set being drawn, and the set's members in BFS order.
///
/// A bit, not a stamp: the array is 32 times smaller than a `u32` per account (17 MB per
/// worker at 133M accounts instead of 533 MB), so the random reads of a reverse BFS mostly
/// hit the cache and the TLB. The bits are cleared through the members when the next set
/// starts, a cost the set's own visits already paid.
pub(crate) struct RrScratch {
    seen: Vec<u64>,
    pub(crate) queue: Vec<u32>,
    /// Scratch of [`expand`].
    pub(crate) picked: Vec<usize>,
    /// The members of the last set that are its roots and their first reverse hop.
    pub(crate) first_hop: u32,
}

impl RrScratch {
    pub(crate) fn new(n: usize) -> RrScratch {
        RrScratch {
            seen: crate::pages::huge(vec![0; n.div_ceil(64)]),
            queue: Vec::with_capacity(n.min(1 << 16)),
            picked: Vec::new(),
            first_hop: 0,
        }
    }

    /// Starts a new set: forgets the last one.
    #[inline]
    pub(crate) fn start(&mut self) {
        for &v in &self.queue {
            let (w, b) = word_bit(v as usize);
            self.seen[w] &= !b;
        }
        self.queue.clear();
    }

    /// Adds a root `v` of the set (not yet in it).
    #[inline]
    pub(crate) fn add_root(&mut self, v: u32) {
        self.frontier().offer(v);
    }

    /// The set being drawn, to grow.
    #[inline(always)]
    pub(crate) fn frontier(&mut self) -> Frontier<'_> {
        Frontier {
            seen: &mut self.seen,
            queue: &mut self.queue,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// [`list_rule`] of a list given edge by edge (the far ends do not matter).
    fn rule_of(probs: &[f32], shortcuts: bool) -> ListRule {
        list_rule(&vec![0; probs.len()], probs, shortcuts)
    }

    #[test]
    fn list_rules() {
        assert_eq!(rule_of(&[], true), ListRule::Dead);
        assert_eq!(rule_of(&[0.0, 0.0], true), ListRule::Dead);
        assert_eq!(rule_of(&[1.0, 1.0], true), ListRule::All);
        assert_eq!(rule_of(&[0.1, 0.2], true), ListRule::Coins);
        assert_eq!(rule_of(&[0.3], true), ListRule::Coins);
        assert_eq!(rule_of(&[0.1; 10], false), ListRule::Coins);
        // Weighted cascade: one live edge expected, a binomial count and a uniform subset.
        let ListRule::Subset { q0, ratio } = rule_of(&[0.25; 4], true) else {
            panic!("expected subset sampling")
        };
        assert!((q0 - 0.75f64.powi(4)).abs() < 1e-12 && (ratio - 1.0 / 3.0).abs() < 1e-12);
        // Many live edges expected: geometric skipping, or coins when p is large.
        assert!(matches!(rule_of(&[0.1; 100], true), ListRule::Skip(x) if x < 0.0));
        assert_eq!(rule_of(&[0.5; 100], true), ListRule::Coins);
    }

    /// Lists whose far ends are random accounts of 40, of every length from 0 to 300, with
    /// probabilities `table[v]` for a table of one value per account: one distinct value
    /// (in turn 0, 1, 0.3, 0.01 and 1/12), or 40 random ones.
    fn lists() -> Vec<(Vec<u32>, Vec<f32>)> {
        let mut r = rng::stream(9, 1);
        let mut out = Vec::new();
        for len in 0..300usize {
            let ends: Vec<u32> = (0..len).map(|_| rng::below(&mut r, 40) as u32).collect();
            let table: Vec<f32> = match len % 6 {
                5 => (0..40).map(|_| rng::unit_f64(&mut r) as f32).collect(),
                i => vec![[0.0, 1.0, 0.3, 0.01, 1.0 / 12.0][i]; 40],
            };
            out.push((ends, table));
        }
        out
    }

    /// The three probability sources give a list the same rule and the same live edges from
    /// the same draws, leaving the stream at the same place: the trials of a cascade do not
    /// depend on where its probabilities are read from. Tags give back the rule they were
    /// made from.
    #[test]
    fn probability_sources_give_the_same_rules_and_draws() {
        let mut kinds = Vec::new();
        for (i, (ends, table)) in lists().into_iter().enumerate() {
            let per_edge: Vec<f32> = ends.iter().map(|&v| table[v as usize]).collect();
            let uniform = table.iter().all(|&q| q == table[0]);
            for shortcuts in [true, false] {
                let rule = list_rule(&ends, &per_edge[..], shortcuts);
                assert_eq!(rule, list_rule(&ends, ByTarget(&table), shortcuts), "{i}");
                let tag = RuleTag::of(rule);
                assert_eq!(tag.rule(&ends, ByTarget(&table), shortcuts), rule, "{i}");
                if uniform {
                    let same = Same(table[0]);
                    assert_eq!(list_rule(&ends, same, shortcuts), rule, "{i}");
                    assert_eq!(uniform_rule(table[0], ends.len(), shortcuts), rule, "{i}");
                    assert_eq!(tag.rule(&ends, same, shortcuts), rule, "{i}");
                }
                kinds.push(std::mem::discriminant(&rule));
                let run = |source: &dyn Fn(&mut Draws, &mut Vec<usize>, &mut Frontier<'_>)| {
                    let mut seen = vec![0u64; 1];
                    let mut queue = Vec::new();
                    let mut d = Draws::new(rng::stream(i as u64, 7));
                    let mut picked = Vec::new();
                    let mut f = Frontier {
                        seen: &mut seen,
                        queue: &mut queue,
                    };
                    source(&mut d, &mut picked, &mut f);
                    (queue, d.unit_f64())
                };
                let want = run(&|d, picked, f| expand(rule, &ends, &per_edge[..], d, picked, f));
                let by_target =
                    run(&|d, picked, f| expand(rule, &ends, ByTarget(&table), d, picked, f));
                assert_eq!(by_target, want, "{i} {rule:?}");
                if uniform {
                    let same =
                        run(&|d, picked, f| expand(rule, &ends, Same(table[0]), d, picked, f));
                    assert_eq!(same, want, "{i} {rule:?}");
                }
                // Coins are the rule of every list with shortcuts off: never fewer live edges
                // than probability 1 gives, never more than the list's distinct accounts.
                let mut distinct = ends.clone();
                distinct.sort_unstable();
                distinct.dedup();
                assert!(want.0.len() <= distinct.len(), "{i}");
                if table.iter().all(|&q| q == 1.0) {
                    assert_eq!(want.0.len(), distinct.len(), "{i}");
                }
            }
        }
        kinds.sort_by_key(|k| format!("{k:?}"));
        kinds.dedup();
        assert_eq!(
            kinds.len(),
            5,
            "dead, all, coins, subset and skip were all drawn"
        );
    }

    #[test]
    fn binomial_counts_by_inversion() {
        let (n, p) = (12usize, 0.2f64);
        let q0 = (1.0 - p).powi(n as i32);
        let mut d = Draws::new(rng::stream(4, 4));
        let k = 100_000;
        let mut hist = [0u32; 13];
        for _ in 0..k {
            hist[d.binomial(n, q0, p / (1.0 - p))] += 1;
        }
        let mut pk = q0;
        for (i, &h) in hist.iter().enumerate() {
            let sd = (k as f64 * pk * (1.0 - pk)).sqrt();
            assert!(
                (h as f64 - k as f64 * pk).abs() <= 4.0 * sd + 1.0,
                "{i}: {h}"
            );
            pk *= (n - i) as f64 / (i + 1) as f64 * p / (1.0 - p);
        }
    }

    #[test]
    fn geometric_skip_has_the_right_mean() {
        let p = 0.1f64;
        let inv = 1.0 / (-p).ln_1p();
        let mut d = Draws::new(rng::stream(1, 2));
        let k = 200_000;
        let mean = (0..k).map(|_| d.skip(inv)).sum::<f64>() / k as f64;
        // Geometric failures before success: mean (1 − p) / p = 9, sd ≈ 9.5.
        assert!((mean - 9.0).abs() < 4.0 * 9.5 / (k as f64).sqrt(), "{mean}");
    }
}
