//! Bit-parallel Independent Cascade: the trials of one chunk run together, one bit lane of a
//! `u64` per trial.
//!
//! Every account holds the lanes (trials) in which it is active. The cascade advances one hop
//! at a time for all lanes at once: an account that became active in lanes `m` at the last hop
//! draws, for each out-edge, one coin per lane of `m` ([`Draws::lanes_below`]), and its
//! follower becomes active in the live lanes it was not active in yet. Each lane is an
//! independent IC trial: a lane of an account becomes new exactly once, so each edge's coin is
//! drawn at most once per lane, and hop `h` of a lane holds exactly the accounts at live-edge
//! distance `h` from the seeds (the hop horizon is exact).
//!
//! The saving is memory traffic. An account reached in most of the chunk's trials, at one or
//! two hops, reads its out-list, and each follower's probability and state, once or twice per
//! chunk instead of once per trial; on graphs that do not fit the cache those reads are most
//! of a trial's time.
//!
//! Two more things keep those reads few and overlapped. A hop is expanded in account-id order
//! (its list sorted, or found by a scan of the masks when it is large), so the out-lists and
//! offsets are read front to back. And a live edge's far end is not written at once: its state
//! is prefetched and the edge waits in a short ring ([`Front`]) while the next live edges are
//! drawn, so only live edges fetch a far end's state and many of those misses are in flight at
//! once. Neither changes a draw's meaning: the order is fixed by the ids, and applying an edge
//! is an OR into its far end's masks.

use super::{OutProbs, Sim};
use crate::live_edge::{
    coin_threshold, each_lane, live_skip, live_subset, prefetch, uniform_rule, ByTarget, Draws,
    EdgeProbs, ListRule, Same,
};

/// How many edges ahead in an out-list the far end's probability is prefetched (where it is
/// held per account).
const PREFETCH_AHEAD: usize = 6;

/// How many live edges wait, their far end's state being fetched, before they are applied.
const PENDING: usize = 16;

/// Per-worker state of the bit-parallel trials; all-zero between chunks.
pub(super) struct Lanes {
    /// Per account: the lanes in which it is active, and those in which it became active at
    /// the hop being built (side by side: one cache line per visit).
    pub(super) state: Vec<[u64; 2]>,
    /// The accounts active in some lane, in order of first activation (seeds first), until
    /// there are `touched_cap` of them; past that `overflow` is set and the active accounts
    /// are found by a scan of `state` instead.
    touched: Vec<u32>,
    touched_cap: usize,
    overflow: bool,
    /// The accounts with bits in `state[_][1]` (the next hop), until there are `queued_cap`
    /// of them; past that `queued_over` is set and the next hop is found by a scan of `state`.
    queued: Vec<u32>,
    queued_cap: usize,
    queued_over: bool,
    /// The accounts that became active at the current hop, and the lanes they did.
    hop_ids: Vec<u32>,
    hop_masks: Vec<u64>,
    /// Scratch of subset sampling.
    picked: Vec<usize>,
}

impl Lanes {
    pub(super) fn new(n: usize) -> Lanes {
        Lanes {
            state: crate::pages::huge(vec![[0; 2]; n]),
            touched: Vec::new(),
            // A sixteenth of the accounts: past that a scan of the masks (16 bytes each) costs
            // little beside the cascade that reached them, and the list no longer grows with
            // the graph (0.5 GB per worker at a billion follows).
            touched_cap: (n / 16).max(4096),
            overflow: false,
            queued: Vec::new(),
            // A thirty-second of the accounts: a hop that large has a few edges per account of
            // the graph, each a likely cache miss, beside which a scan of 16 bytes per account
            // is cheap; below it the list is sorted.
            queued_cap: (n / 32).max(4096),
            queued_over: false,
            hop_ids: Vec::new(),
            hop_masks: Vec::new(),
            picked: Vec::new(),
        }
    }

    /// Calls `f(v, lanes)` for every account active in some lane, with the lanes it is active
    /// in: `seeds` first (in their order), then the others in order of first activation, or in
    /// id order when the touched list overflowed.
    pub(super) fn for_each_active(&mut self, seeds: &[u32], mut f: impl FnMut(u32, u64)) {
        if !self.overflow {
            for &v in &self.touched {
                f(v, self.state[v as usize][0]);
            }
            return;
        }
        // Seeds first, then a scan that skips them (their masks cleared for it, then put back:
        // a seed is active in every lane of the chunk, so all seeds share one mask).
        let Some(&first) = seeds.first() else {
            return;
        };
        let all = self.state[first as usize][0];
        for &v in seeds {
            f(v, all);
            self.state[v as usize][0] = 0;
        }
        for (v, st) in self.state.iter().enumerate() {
            if st[0] != 0 {
                f(v as u32, st[0]);
            }
        }
        for &v in seeds {
            self.state[v as usize][0] = all;
        }
    }

    /// Where the live edges of a hop are written.
    fn front(&mut self) -> Front<'_> {
        Front {
            state: &mut self.state,
            touched: &mut self.touched,
            touched_cap: self.touched_cap,
            overflow: &mut self.overflow,
            queued: &mut self.queued,
            queued_cap: self.queued_cap,
            queued_over: &mut self.queued_over,
            pending: [(0, 0); PENDING],
            waiting: 0,
        }
    }

    /// Makes the queued accounts the hop, in id order, with the lanes each gained, taken out of
    /// `state`. In id order the hop's out-lists and offsets are read front to back, not at
    /// random; the order does not depend on how the hop was found.
    fn next_hop(&mut self) {
        self.hop_masks.clear();
        if self.queued_over {
            self.hop_ids.clear();
            for (v, st) in self.state.iter_mut().enumerate() {
                if st[1] != 0 {
                    self.hop_ids.push(v as u32);
                    self.hop_masks.push(std::mem::take(&mut st[1]));
                }
            }
            self.queued_over = false;
        } else {
            // The list becomes the hop's, with no copy.
            std::mem::swap(&mut self.hop_ids, &mut self.queued);
            self.hop_ids.sort_unstable();
            for &v in &self.hop_ids {
                self.hop_masks
                    .push(std::mem::take(&mut self.state[v as usize][1]));
            }
        }
        self.queued.clear();
    }

    /// Clears the active lanes, ready for the next chunk.
    pub(super) fn reset(&mut self) {
        if self.overflow {
            self.state.iter_mut().for_each(|st| st[0] = 0);
        } else {
            for &v in &self.touched {
                self.state[v as usize][0] = 0;
            }
        }
        self.touched.clear();
        self.overflow = false;
    }
}

/// What the live edges of one hop write to.
///
/// A live edge is not applied at once: its far end's state is prefetched and the edge waits
/// in a ring of [`PENDING`] until that many more have come, so that many misses are in flight
/// and only live edges fetch a state. Applying an edge is an OR into the far end's masks, so
/// the delay changes no mask and no draw; [`Front::finish`] applies the edges still waiting.
struct Front<'a> {
    state: &'a mut [[u64; 2]],
    touched: &'a mut Vec<u32>,
    touched_cap: usize,
    overflow: &'a mut bool,
    queued: &'a mut Vec<u32>,
    queued_cap: usize,
    queued_over: &'a mut bool,
    /// The ring of waiting edges (far end, live lanes); slot `k % PENDING` holds the `k`-th.
    pending: [(u32, u64); PENDING],
    /// How many edges were offered since the front was made.
    waiting: usize,
}

impl Front<'_> {
    /// Account `v` is reached in lanes `live` (applied after [`PENDING`] more offers or at
    /// [`Front::finish`]).
    #[inline(always)]
    fn offer(&mut self, v: u32, live: u64) {
        prefetch(&self.state[v as usize]);
        let slot = &mut self.pending[self.waiting % PENDING];
        let (w, l) = std::mem::replace(slot, (v, live));
        if self.waiting >= PENDING {
            self.apply(w, l);
        }
        self.waiting += 1;
    }

    /// Applies the edges still waiting, oldest first.
    fn finish(mut self) {
        let held = self.waiting.min(PENDING);
        for k in self.waiting - held..self.waiting {
            let (v, live) = self.pending[k % PENDING];
            self.apply(v, live);
        }
    }

    /// Account `v` is reached in lanes `live`; the lanes new to it join the next hop.
    #[inline(always)]
    fn apply(&mut self, v: u32, live: u64) {
        let [a, nx] = &mut self.state[v as usize];
        let add = live & !*a;
        if add != 0 {
            if *a == 0 {
                push_capped(self.touched, self.touched_cap, self.overflow, v);
            }
            *a |= add;
            if *nx == 0 {
                push_capped(self.queued, self.queued_cap, self.queued_over, v);
            }
            *nx |= add;
        }
    }
}

/// Pushes `v` onto `list` while it holds fewer than `cap` ids; past that sets `over` instead
/// (the caller then finds the accounts by a scan of the masks).
#[inline(always)]
fn push_capped(list: &mut Vec<u32>, cap: usize, over: &mut bool, v: u32) {
    if list.len() < cap {
        list.push(v);
    } else {
        *over = true;
    }
}

/// The live edges of one out-list in lanes `m`, drawn under `rule`: per edge one coin per lane
/// for coins, the list's own shortcut once per lane for a shared probability.
#[inline(always)]
fn expand_lanes(
    rule: ListRule,
    ends: &[u32],
    probs: impl EdgeProbs,
    m: u64,
    d: &mut Draws,
    picked: &mut Vec<usize>,
    f: &mut Front<'_>,
) {
    match rule {
        ListRule::Dead => {}
        ListRule::All => ends.iter().for_each(|&v| f.offer(v, m)),
        ListRule::Coins => {
            for (i, (v, p)) in probs.edges(ends).enumerate() {
                // The far ends' probability a few edges ahead, where it is held per account:
                // in a graph larger than the cache each is a miss.
                if let Some(&w) = ends.get(i + PREFETCH_AHEAD) {
                    probs.prefetch(w);
                }
                let live = d.lanes_below(m, coin_threshold(p));
                if live != 0 {
                    f.offer(v, live);
                }
            }
        }
        ListRule::Subset { q0, ratio } => each_lane(m, |bit| {
            live_subset(ends.len(), q0, ratio, d, picked, |x| f.offer(ends[x], bit))
        }),
        ListRule::Skip(inv_log) => each_lane(m, |bit| {
            live_skip(ends.len(), inv_log, d, |x| f.offer(ends[x], bit))
        }),
    }
}

/// Per-lane counts of many lane masks, kept bit-sliced: plane `j` holds bit `j` of every lane's
/// count, so adding a mask is a ripple of carries (two steps on average) instead of one
/// increment per set bit.
#[derive(Debug, Clone)]
pub(super) struct LaneCounts {
    planes: [u64; 48],
}

impl Default for LaneCounts {
    fn default() -> LaneCounts {
        LaneCounts { planes: [0; 48] }
    }
}

impl LaneCounts {
    /// Adds one to the count of every lane set in `x`.
    #[inline(always)]
    pub(super) fn add(&mut self, mut x: u64) {
        for p in &mut self.planes {
            if x == 0 {
                return;
            }
            let carry = *p & x;
            *p ^= x;
            x = carry;
        }
    }

    /// The count of lane `l`.
    pub(super) fn get(&self, l: usize) -> u64 {
        self.planes
            .iter()
            .enumerate()
            .map(|(j, p)| (p >> l & 1) << j)
            .sum()
    }
}

impl Sim<'_> {
    /// The IC trials of lanes `all` (the low bits, one per trial) together; leaves each
    /// account's active lanes in `s.state` (read them with [`Lanes::for_each_active`]).
    pub(super) fn ic_lanes(&self, all: u64, s: &mut Lanes, d: &mut Draws) {
        debug_assert!(s.touched.is_empty() && s.queued.is_empty() && !s.overflow);
        let out = self.out;
        // The seeds are reached in every lane, as the first hop.
        let mut f = s.front();
        for &v in self.seeds {
            f.offer(v, all);
        }
        f.finish();
        let mut level = 0u32;
        loop {
            s.next_hop();
            if s.hop_ids.is_empty() || level >= self.max_level {
                break;
            }
            // Out of `s` while its front is written (moved, not copied).
            let (hop_ids, hop_masks) = (
                std::mem::take(&mut s.hop_ids),
                std::mem::take(&mut s.hop_masks),
            );
            let mut picked = std::mem::take(&mut s.picked);
            let mut f = s.front();
            let hop = &hop_ids[..];
            for (i, (&u, &m)) in hop.iter().zip(&hop_masks).enumerate() {
                // Prefetch the adjacency of accounts a few places ahead: each one otherwise
                // waits on several cache misses in turn.
                if let Some(&w) = hop.get(i + 16) {
                    prefetch(&out.offsets[w as usize]);
                    self.probs.prefetch_rule(w);
                }
                if let Some(&w) = hop.get(i + 8) {
                    super::prefetch_list(out, w);
                }
                // The far ends' probability of the first edges of an account nearer ahead,
                // where it is held per account (the coin loop fetches the rest as it goes).
                if self.probs.per_target() {
                    if let Some(&w) = hop.get(i + 4) {
                        let lo = out.offsets[w as usize];
                        let hi = out.offsets[w as usize + 1].min(lo + PREFETCH_AHEAD);
                        for &x in &out.neighbors[lo..hi] {
                            self.probs.prefetch_target(x);
                        }
                    }
                }
                let u = u as usize;
                let (lo, hi) = (out.offsets[u], out.offsets[u + 1]);
                let ends = &out.neighbors[lo..hi];
                let picked = &mut picked;
                match self.probs {
                    OutProbs::Array(rules) => {
                        expand_lanes(rules[u], ends, &out.probs[lo..hi], m, d, picked, &mut f)
                    }
                    OutProbs::ByTarget(t, tags) => {
                        let t = ByTarget(t);
                        let rule = tags[u].rule(ends, t, self.shortcuts);
                        expand_lanes(rule, ends, t, m, d, picked, &mut f)
                    }
                    OutProbs::Same(p) => {
                        let rule = uniform_rule(p, ends.len(), self.shortcuts);
                        expand_lanes(rule, ends, Same(p), m, d, picked, &mut f)
                    }
                }
            }
            f.finish();
            (s.hop_ids, s.hop_masks, s.picked) = (hop_ids, hop_masks, picked);
            level += 1;
        }
        s.hop_ids.clear();
        s.hop_masks.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::super::{simulate, Model, SpreadConfig, SpreadResult, CHUNK_TRIALS};
    use crate::live_edge::{coin_threshold, Draws};
    use crate::progress::NoProgress;
    use crate::{rng, Graph, GraphOptions};

    /// Exact activation probability of every account and exact mean and variance of the
    /// account spread, by enumerating every live-edge subgraph of `g` (few edges), with the
    /// hop horizon `hops`.
    fn exact(g: &Graph, seeds: &[u32], hops: u32) -> (Vec<f64>, f64, f64) {
        let out = g.out_csr();
        let n = g.node_count();
        let edges: Vec<(u32, u32, f64)> = (0..n as u32)
            .flat_map(|u| {
                let ps = out.probs(u);
                out.neighbors(u)
                    .iter()
                    .zip(ps)
                    .map(move |(&v, &p)| (u, v, p as f64))
            })
            .collect();
        let m = edges.len();
        assert!(m <= 16);
        let (mut prob, mut mean, mut sq) = (vec![0.0; n], 0.0, 0.0);
        for live in 0u32..1 << m {
            let w: f64 = (0..m)
                .map(|i| {
                    let p = edges[i].2;
                    if live >> i & 1 == 1 {
                        p
                    } else {
                        1.0 - p
                    }
                })
                .product();
            if w == 0.0 {
                continue;
            }
            let mut dist = vec![u32::MAX; n];
            let mut frontier: Vec<u32> = seeds.to_vec();
            seeds.iter().for_each(|&s| dist[s as usize] = 0);
            for h in 1..=hops {
                let mut next = Vec::new();
                for (i, &(u, v, _)) in edges.iter().enumerate() {
                    if live >> i & 1 == 1 && frontier.contains(&u) && dist[v as usize] == u32::MAX {
                        dist[v as usize] = h;
                        next.push(v);
                    }
                }
                frontier = next;
            }
            let reached = dist.iter().filter(|&&d| d != u32::MAX).count() as f64;
            for (x, &d) in prob.iter_mut().zip(&dist) {
                if d != u32::MAX {
                    *x += w;
                }
            }
            mean += w * reached;
            sq += w * reached * reached;
        }
        (prob, mean, sq - mean * mean)
    }

    fn run(
        g: &Graph,
        seeds: &[u32],
        trials: u64,
        hops: Option<u32>,
        threads: usize,
    ) -> SpreadResult {
        let mut b = SpreadConfig::builder()
            .trials(trials)
            .seed(11)
            .threads(threads)
            .node_probabilities(true)
            .histogram(true);
        if let Some(h) = hops {
            b = b.hops(h);
        }
        simulate(
            g,
            seeds,
            Model::IndependentCascade,
            &b.build().unwrap(),
            &NoProgress,
        )
        .unwrap()
    }

    /// Checks a run against exact activation probabilities and spread moments: every account
    /// within 4.5 binomial standard deviations, the mean within 4.5 standard errors, and the
    /// reported standard error within 10% of the exact one.
    fn check(r: &SpreadResult, prob: &[f64], mean: f64, var: f64, what: &str) {
        let t = r.trials as f64;
        let got = r.node_probabilities.as_ref().unwrap();
        for (v, (&p, &q)) in prob.iter().zip(got.iter()).enumerate() {
            let p = p.clamp(0.0, 1.0);
            let sd = (p * (1.0 - p) / t).sqrt();
            assert!(
                (q - p).abs() <= 4.5 * sd + 1e-9,
                "{what}: account {v}: {q} vs {p}"
            );
        }
        let se = (var / t).sqrt();
        assert!(
            (r.accounts.mean - mean).abs() <= 4.5 * se + 1e-12,
            "{what}: mean {} vs {mean} ± {se}",
            r.accounts.mean
        );
        if se > 0.0 {
            let ratio = r.accounts.stderr / se;
            assert!((0.9..1.1).contains(&ratio), "{what}: stderr ratio {ratio}");
        }
    }

    /// The bit-parallel trials follow the IC live-edge distribution exactly: activation
    /// probabilities and spread moments agree with enumeration of all 2^14 live-edge graphs,
    /// with and without a hop horizon, for lists drawn by coins (many and few lanes), subset
    /// sampling, certainty and impossibility, a cycle, and trial counts that leave the last
    /// chunk's lanes partly empty; and the same seed gives the same result on 1 and 2 threads.
    #[test]
    fn lanes_follow_the_exact_live_edge_distribution() {
        // 0 -> {1, 2, 3} at 0.3 each (subset sampling); 1 -> 4 (0.5), 1 -> 5 (0.7) (coins);
        // 2 -> 4 (1, certain); 3 -> 5 (0, never); 4 -> 6 (0.2), 4 -> 0 (0.9) (a cycle back to
        // the seed); 5 -> 6 (1/3), 5 -> 7 (0.25); 6 -> 7 (0.6), 6 -> 1 (0.45); 7 -> 2 (0.05);
        // 8 -> 7 (0.8), 8 is reached by nobody.
        let src = [0i64, 0, 0, 1, 1, 2, 3, 4, 4, 5, 5, 6, 6, 7, 8];
        let dst = [1i64, 2, 3, 4, 5, 4, 5, 6, 0, 6, 7, 7, 1, 2, 7];
        let probs = [
            0.3f32,
            0.3,
            0.3,
            0.5,
            0.7,
            1.0,
            0.0,
            0.2,
            0.9,
            1.0 / 3.0,
            0.25,
            0.6,
            0.45,
            0.05,
            0.8,
        ];
        let (g, _) =
            Graph::from_id_arrays(&src, &dst, Some(&probs), GraphOptions::default()).unwrap();
        let node = |x: &str| g.node(x).unwrap();
        let seeds = [node("0")];
        for (hops, trials) in [(None, 64 * 400), (Some(1), 25_601), (Some(2), 25_000)] {
            let (prob, mean, var) = exact(&g, &seeds, hops.unwrap_or(u32::MAX).min(20));
            let one = run(&g, &seeds, trials, hops, 1);
            assert_eq!(one.trials, trials);
            check(&one, &prob, mean, var, &format!("hops {hops:?}"));
            assert_eq!(
                one,
                run(&g, &seeds, trials, hops, 2),
                "threads, hops {hops:?}"
            );
        }
        // Two seeds sharing followers.
        let seeds = [node("0"), node("8")];
        let (prob, mean, var) = exact(&g, &seeds, 20);
        check(
            &run(&g, &seeds, 20_000, None, 2),
            &prob,
            mean,
            var,
            "two seeds",
        );
    }

    /// Long lists drawn by geometric skipping and by subset sampling, once per lane: a seed
    /// with 60 followers at 0.25 (skipping) and one with 6 at 0.3 (subset); every follower is
    /// reached with its own probability, independently.
    #[test]
    fn skipped_and_subset_lists_reach_each_follower_with_its_probability() {
        let (mut src, mut dst, mut probs) = (Vec::new(), Vec::new(), Vec::new());
        for v in 0..60 {
            src.push(-1i64);
            dst.push(v);
            probs.push(0.25f32);
        }
        for v in 100..106 {
            src.push(-2);
            dst.push(v);
            probs.push(0.3);
        }
        let (g, _) =
            Graph::from_id_arrays(&src, &dst, Some(&probs), GraphOptions::default()).unwrap();
        let seeds = [g.node("-1").unwrap(), g.node("-2").unwrap()];
        let mut prob = vec![0.0; g.node_count()];
        for &s in &seeds {
            prob[s as usize] = 1.0;
        }
        for v in 0..60 {
            prob[g.node(&v.to_string()).unwrap() as usize] = 0.25;
        }
        for v in 100..106 {
            prob[g.node(&v.to_string()).unwrap() as usize] = 0.3;
        }
        let var = 60.0 * 0.25 * 0.75 + 6.0 * 0.3 * 0.7;
        let r = run(&g, &seeds, 30_000, None, 2);
        check(&r, &prob, 2.0 + 15.0 + 1.8, var, "star");
    }

    /// [`Draws::lanes_below`] gives every lane of the mask its own coin with the threshold's
    /// probability, independently of the others, and never sets a lane outside the mask; both
    /// the lane-by-lane path (few lanes) and the bit-sliced one (many) are covered.
    #[test]
    fn lane_coins_are_independent_with_the_threshold_probability() {
        let k = 40_000u32;
        for (case, &(mask, p)) in [
            (0b1u64, 0.3f32),
            (0b1011, 0.3),
            (0b1_0110_1101, 0.3),
            (u64::MAX, 1.0 / 3.0),
            (u64::MAX, 0.5),
            (0xF0F0_F0F0_F0F0_F0F0, 0.01),
            (u64::MAX, 0.99),
            (u64::MAX, 5.0 / 16_777_216.0),
        ]
        .iter()
        .enumerate()
        {
            let t = coin_threshold(p);
            let q = t as f64 / 16_777_216.0;
            let mut d = Draws::new(rng::stream(5, case as u64));
            let mut ones = [0u32; 64];
            let mut pairs = 0u32;
            for _ in 0..k {
                let live = d.lanes_below(mask, t);
                assert_eq!(live & !mask, 0, "{case}");
                for (l, c) in ones.iter_mut().enumerate() {
                    *c += (live >> l & 1) as u32;
                }
                let lo = mask.trailing_zeros();
                let hi = 63 - mask.leading_zeros();
                if lo != hi {
                    pairs += (live >> lo & live >> hi & 1) as u32;
                }
            }
            // Counts within 4.5 binomial standard deviations, plus 3 for rare coins (a few
            // hits in 40,000 draws is then a Poisson count, not a normal one).
            let within = |c: u32, q: f64| {
                let (mean, sd) = (k as f64 * q, (k as f64 * q * (1.0 - q)).sqrt());
                (c as f64 - mean).abs() <= 4.5 * sd + 3.0
            };
            for (l, &c) in ones.iter().enumerate() {
                if mask >> l & 1 == 1 {
                    assert!(within(c, q), "{case} lane {l}: {c} of {k} vs {q}");
                } else {
                    assert_eq!(c, 0, "{case} lane {l}");
                }
            }
            if mask.count_ones() > 1 {
                assert!(
                    within(pairs, q * q),
                    "{case} pair: {pairs} of {k} vs {}",
                    q * q
                );
            }
        }
        // Certain and impossible coins, exactly.
        let mut d = Draws::new(rng::stream(5, 99));
        assert_eq!(d.lanes_below(0xFF, coin_threshold(1.0)), 0xFF);
        assert_eq!(d.lanes_below(0xFF, coin_threshold(0.0)), 0);
        assert_eq!(d.lanes_below(0, coin_threshold(0.5)), 0);
        // The integer threshold is the scalar coin's: x·2^-24 < p exactly when x < threshold.
        for p in [0.3f32, 1.0 / 3.0, 1e-7, 0.999_999_9, 0.5] {
            let t = coin_threshold(p);
            assert!(((t - 1) as f32 * (1.0 / 16_777_216.0)) < p, "{p}");
            assert!((t as f32 * (1.0 / 16_777_216.0)) >= p, "{p}");
        }
        assert_eq!(CHUNK_TRIALS, 64);
    }
}

#[cfg(test)]
mod tally_tests {
    use super::super::{Model, Simulator, SpreadConfig, CHUNK_TRIALS};
    use crate::progress::NoProgress;
    use crate::{rng, Graph, GraphOptions};
    use std::collections::HashSet;

    /// The per-lane tallies (accounts, people counted once across their accounts, target
    /// weight, jurisdictions, per-account activation counts and the histogram) equal a plain
    /// recount of every trial's activated accounts, which [`Simulator::trial_runner`] hands out
    /// for the same trials, on a random graph with people of several accounts, non-unit
    /// weights and jurisdictions, and on 1 and 2 threads.
    #[test]
    fn lane_tallies_equal_a_recount_of_each_trial() {
        let n = 300i64;
        let mut r = rng::stream(21, 0);
        let (mut src, mut dst, mut probs) = (Vec::new(), Vec::new(), Vec::new());
        for _ in 0..1_500 {
            src.push(rng::below(&mut r, n as u64) as i64);
            dst.push(rng::below(&mut r, n as u64) as i64);
            probs.push(0.05 + 0.3 * rng::unit_f64(&mut r) as f32);
        }
        let (mut g, _) =
            Graph::from_id_arrays(&src, &dst, Some(&probs), GraphOptions::default()).unwrap();
        // Person p owns accounts 3p, 3p+1, 3p+2 (those in the graph); jurisdictions by person;
        // weights 0.5 + person mod 4; every seventh person has no jurisdiction.
        let mut csv = String::from("id,person,jurisdiction,target_weight\n");
        for v in 0..n {
            if g.node(&v.to_string()).is_err() {
                continue;
            }
            let p = v / 3;
            let jur = if p % 7 == 0 {
                String::new()
            } else {
                format!("J{}", p % 5)
            };
            csv += &format!("{v},p{p},{jur},{}\n", 0.5 + (p % 4) as f64);
        }
        let attrs = crate::io::read_attributes(csv.as_bytes(), "t.csv", &g).unwrap();
        g.set_attributes(attrs).unwrap();
        let people = g.people().clone();
        let jurs = g.attributes().jurisdiction.names.len();
        assert_eq!(jurs, 5);
        let seeds: Vec<u32> = (0..4)
            .map(|i| g.node(&(i * 41).to_string()).unwrap())
            .collect();
        let trials = 3 * CHUNK_TRIALS + 17;
        for threads in [1, 2] {
            let c = SpreadConfig::builder()
                .trials(trials)
                .seed(4)
                .threads(threads)
                .node_probabilities(true)
                .histogram(true)
                .build()
                .unwrap();
            let sim = Simulator::new(&g, Model::IndependentCascade, &c).unwrap();
            let got = sim.run(&seeds, &NoProgress).unwrap();
            // The recount, trial by trial.
            let mut runner = sim.trial_runner(&seeds).unwrap();
            let (mut accounts, mut ppl, mut weight) = (Vec::new(), Vec::new(), Vec::new());
            let mut jur_people = vec![Vec::new(); jurs];
            let mut counts = vec![0u64; g.node_count()];
            let mut next = 0;
            for chunk in 0..trials.div_ceil(CHUNK_TRIALS) {
                let t = CHUNK_TRIALS.min(trials - chunk * CHUNK_TRIALS);
                runner
                    .run_chunk(chunk, t, |i, active| {
                        assert_eq!(i, next);
                        next += 1;
                        assert_eq!(&active[..seeds.len()], &seeds[..], "seeds first");
                        let set: HashSet<u32> = active.iter().copied().collect();
                        assert_eq!(set.len(), active.len());
                        active.iter().for_each(|&v| counts[v as usize] += 1);
                        let persons: HashSet<u32> = active
                            .iter()
                            .map(|&v| people.of_account[v as usize])
                            .collect();
                        accounts.push(active.len() as f64);
                        ppl.push(persons.len() as f64);
                        let mut order: Vec<u32> = persons.iter().copied().collect();
                        order.sort_unstable();
                        weight.push(
                            order
                                .iter()
                                .map(|&p| people.weight[p as usize] as f64)
                                .sum(),
                        );
                        for (j, x) in jur_people.iter_mut().enumerate() {
                            let k = order
                                .iter()
                                .filter(|&&p| people.jurisdiction[p as usize] == j as u32)
                                .count();
                            x.push(k as f64);
                        }
                    })
                    .unwrap();
            }
            let mean = |x: &[f64]| x.iter().sum::<f64>() / x.len() as f64;
            let close = |a: f64, b: f64| (a - b).abs() <= 1e-9 * b.abs().max(1.0);
            assert_eq!(got.trials, trials);
            assert!(close(got.accounts.mean, mean(&accounts)), "{threads}");
            assert!(close(got.people.mean, mean(&ppl)), "{threads}");
            assert!(close(got.target_weight.mean, mean(&weight)), "{threads}");
            assert!(got.people.mean < got.accounts.mean);
            for (j, x) in jur_people.iter().enumerate() {
                assert!(
                    close(got.by_jurisdiction[j].people.mean, mean(x)),
                    "{threads} {j}"
                );
            }
            let probs = got.node_probabilities.as_ref().unwrap();
            for (v, &c) in counts.iter().enumerate() {
                assert_eq!(probs[v], c as f64 / trials as f64, "{threads} account {v}");
            }
            let h = got.histogram.as_ref().unwrap();
            assert_eq!(h.counts.iter().sum::<u64>(), trials);
            let lo = accounts.iter().copied().fold(f64::INFINITY, f64::min);
            assert_eq!(h.start as f64, lo, "{threads}");
        }
    }

    /// Past the touched list's cap the active accounts are found by a scan, and past the
    /// queued list's cap each hop is: the same accounts with the same lanes, seeds first, and
    /// a reset that leaves every mask zero, with and without a hop horizon.
    #[test]
    fn overflowing_touched_and_queued_lists_give_the_same_accounts() {
        use super::super::super::live_edge::Draws;
        use super::Lanes;
        let n = 400i64;
        let mut r = rng::stream(3, 3);
        let (mut src, mut dst) = (Vec::new(), Vec::new());
        for _ in 0..2_400 {
            src.push(rng::below(&mut r, n as u64) as i64);
            dst.push(rng::below(&mut r, n as u64) as i64);
        }
        let probs = vec![0.2f32; src.len()];
        let (g, _) =
            Graph::from_id_arrays(&src, &dst, Some(&probs), GraphOptions::default()).unwrap();
        let seeds: Vec<u32> = [7u32, 3, 250].to_vec();
        // Touched cap, queued cap, hop horizon.
        let run = |cap: usize, qcap: usize, hops: Option<u32>| {
            let mut b = SpreadConfig::builder().trials(64);
            if let Some(h) = hops {
                b = b.hops(h);
            }
            let c = b.build().unwrap();
            let sim = Simulator::new(&g, Model::IndependentCascade, &c).unwrap();
            let sim = sim.sim(&seeds);
            let mut lanes = Lanes::new(g.node_count());
            lanes.touched_cap = cap;
            lanes.queued_cap = qcap;
            let mut seen = Vec::new();
            for chunk in 0..3 {
                let mut d = Draws::new(rng::stream(9, chunk));
                sim.ic_lanes(u64::MAX >> (chunk * 20), &mut lanes, &mut d);
                let mut got = Vec::new();
                lanes.for_each_active(&seeds, |v, a| got.push((v, a)));
                assert_eq!(lanes.overflow, got.len() > cap, "{cap} {chunk}");
                assert_eq!(got[..3].iter().map(|x| x.0).collect::<Vec<_>>(), seeds);
                assert!(!lanes.queued_over && lanes.queued.is_empty());
                lanes.reset();
                assert!(lanes.state.iter().all(|st| *st == [0, 0]), "{cap} {chunk}");
                got.sort_unstable();
                seen.push(got);
            }
            seen
        };
        for hops in [None, Some(2)] {
            let whole = run(usize::MAX, usize::MAX, hops);
            assert!(
                whole.iter().all(|g| g.len() > 40),
                "cascades reach beyond the caps below"
            );
            assert_eq!(run(2, usize::MAX, hops), whole);
            assert_eq!(run(40, usize::MAX, hops), whole);
            // A queued list that overflows finds the hop by a scan, in the same (id) order:
            // the same draws, so the same accounts in the same lanes.
            assert_eq!(run(usize::MAX, 0, hops), whole);
            assert_eq!(run(40, 5, hops), whole);
        }
        let capped = run(usize::MAX, usize::MAX, Some(2));
        assert_ne!(
            capped,
            run(usize::MAX, usize::MAX, None),
            "the horizon cuts"
        );
    }
}
