//! Where a selection's RR sets live: in one process ([`OneProcess`]) or split over the ranks of
//! a distributed run (`distributed::Dist`).
//!
//! IMM's and OPIM-C's loops (`imm::run`, `opim::run`) are written once, generic over
//! [`RrStore`]; each store is a monomorphised instance, so the one-process path pays nothing
//! for the distributed one. The counts a loop decides on (sets, coverage, gains) are those of
//! the whole collection, over all ranks, so both stores give the same answer bit for bit.

use super::cover::{Greedy, RrIndex};
use super::{forward_coverage, forward_raw_bytes, Engine, Prefetched};
use crate::error::Result;
use crate::rrset::RrSets;
use std::time::Instant;

/// Smallest block of sets per parallel task when counting coverage.
pub(super) const PAR_MIN_LEN: usize = 8192;

/// A collection of RR sets as the loops see it: the whole collection, over all ranks.
pub(super) trait Collection {
    /// Number of sets.
    fn sets(&self) -> usize;
    /// Raw bytes one process holding the whole collection would use (the reported figure).
    fn raw(&self) -> u64;
}

impl Collection for RrIndex {
    fn sets(&self) -> usize {
        self.len()
    }
    fn raw(&self) -> u64 {
        self.raw_bytes()
    }
}

impl Collection for RrSets {
    fn sets(&self) -> usize {
        self.len()
    }
    fn raw(&self) -> u64 {
        forward_raw_bytes(self)
    }
}

/// The RR-set operations IMM and OPIM-C need, on one process or over ranks.
///
/// Every method that returns a count returns the whole collection's count, agreed on every
/// rank; methods that take `&self` may run while the store draws ahead (see
/// [`RrStore::overlapped`]).
pub(super) trait RrStore<'g> {
    /// A selection collection (greedy's input), as an inverted index.
    type Index: Collection;
    /// A validation collection (out-of-sample coverage), as forward sets.
    type Forward: Collection;

    /// The state shared by the algorithms.
    fn engine(&self) -> &Engine<'g>;
    /// The state shared by the algorithms, for its accounting.
    fn engine_mut(&mut self) -> &mut Engine<'g>;
    /// The state, to assemble the answer.
    fn into_engine(self) -> Engine<'g>;

    /// An empty selection collection.
    fn new_index(&self) -> Self::Index;
    /// An empty validation collection drawn from the stream `seed`.
    fn new_forward(&self, seed: u64) -> Self::Forward;

    /// Grows `index` to `target` sets of stream `stream` ([`Engine::grow_index`]'s batches);
    /// `other` is the raw bytes of the rest of the store.
    fn grow_index(
        &mut self,
        index: &mut Self::Index,
        target: usize,
        stream: u64,
        other: u64,
    ) -> Result<()>;
    /// Extends `sets` to `target` sets (the same sequence, so a doubling keeps them).
    fn grow_forward(&mut self, sets: &mut Self::Forward, target: usize, other: u64) -> Result<()>;

    /// [`RrStore::grow_index`] to `target` (beside the bytes of `sets`), then
    /// [`RrStore::grow_forward`] of `sets` to `forward_target` (beside the grown index). One
    /// process overlaps the index's last batch with the drawing of `sets`
    /// ([`Engine::grow_both`]); the answer is that of the two in turn.
    fn grow_both(
        &mut self,
        index: &mut Self::Index,
        target: usize,
        stream: u64,
        sets: &mut Self::Forward,
        forward_target: usize,
    ) -> Result<()> {
        self.grow_index(index, target, stream, sets.raw())?;
        self.grow_forward(sets, forward_target, index.raw())
    }

    /// Greedy on `index`, with the optimum's upper bound when `bound`.
    fn greedy(&self, index: &Self::Index, bound: bool) -> Result<Greedy>;
    /// Quality mode's final greedy with the first-hop control variate, when the store keeps
    /// first hops (its `upper` is infinite).
    fn greedy_cv(&self, index: &Self::Index) -> Result<Option<Greedy>> {
        let _ = index;
        Ok(None)
    }
    /// Sets of `index` that contain a seed.
    fn index_coverage(&self, index: &Self::Index, seeds: &[u32]) -> Result<u64>;
    /// Sets of `sets` that contain a seed, in parallel blocks of at least `min_len` sets.
    fn forward_coverage(&self, sets: &Self::Forward, seeds: &[u32], min_len: usize) -> Result<u64>;

    /// Bytes this process would hold once both collections grow `growth`-fold (2: a doubling),
    /// with a batch being indexed, for the memory limit ([`grown_bytes`]).
    fn grown_bytes(&self, index: &Self::Index, sets: &Self::Forward, growth: f64) -> u64;
    /// True everywhere when `local` is true on any rank.
    fn any(&self, local: bool) -> Result<bool>;

    /// Runs `work` (given a `min_len` for coverage counts) while the store may draw the
    /// selection batch `ahead` (seed and size, from [`Engine::next_batch`]) for the next
    /// [`RrStore::grow_index`]; `work` also says whether the doubling goes on (if not, the
    /// batch is dropped). The answer does not depend on whether the batch was drawn ahead.
    fn overlapped<T>(
        &mut self,
        ahead: Option<(u64, usize)>,
        work: impl FnOnce(&Self, usize) -> (T, bool),
    ) -> T {
        let _ = ahead;
        work(self, PAR_MIN_LEN).0
    }

    /// Runs `work` as [`RrStore::overlapped`] does without a batch drawn ahead, while
    /// [`RrStore::greedy_cv`] on `index` runs beside it where the store can (one process: on a
    /// thread of its own); returns `work`'s answer and, where it ran, the variate's greedy
    /// with the seconds it took. Quality mode calls it on the round it expects to be its last,
    /// whose answer is that greedy's. The answers are those of the two run one after the other.
    fn overlapped_cv<T>(
        &mut self,
        index: &Self::Index,
        work: impl FnOnce(&Self, usize) -> (T, bool),
    ) -> (T, Option<CvBeside>) {
        let _ = index;
        (work(self, PAR_MIN_LEN).0, None)
    }

    /// [`RrStore::greedy`], timed.
    fn greedy_timed(&mut self, index: &Self::Index, bound: bool) -> Result<Greedy> {
        let t = Instant::now();
        let g = self.greedy(index, bound);
        self.engine_mut().timings.greedy_s += t.elapsed().as_secs_f64();
        g
    }
}

/// The variate's greedy run beside a round ([`RrStore::overlapped_cv`]) and its seconds.
pub(super) type CvBeside = (Result<Option<Greedy>>, f64);

/// All sets in this process; the pool draws the next round's first batch while greedy runs.
pub(super) struct OneProcess<'g> {
    e: Engine<'g>,
    /// The batch drawn during the last [`RrStore::overlapped`], if the doubling goes on.
    ahead: Option<Prefetched>,
}

impl<'g> OneProcess<'g> {
    pub(super) fn new(e: Engine<'g>) -> Self {
        OneProcess { e, ahead: None }
    }
}

impl<'g> RrStore<'g> for OneProcess<'g> {
    type Index = RrIndex;
    type Forward = RrSets;

    fn engine(&self) -> &Engine<'g> {
        &self.e
    }
    fn engine_mut(&mut self) -> &mut Engine<'g> {
        &mut self.e
    }
    fn into_engine(self) -> Engine<'g> {
        self.e
    }

    fn new_index(&self) -> RrIndex {
        let n = self.e.graph.node_count();
        if self.e.first_hop.is_some() {
            RrIndex::with_first_hop(n)
        } else {
            RrIndex::new(n)
        }
    }
    fn new_forward(&self, seed: u64) -> RrSets {
        self.e.sampler.empty(seed)
    }

    fn grow_index(
        &mut self,
        index: &mut RrIndex,
        target: usize,
        stream: u64,
        other: u64,
    ) -> Result<()> {
        let ahead = self.ahead.take();
        self.e.grow_index(index, target, stream, other, ahead)
    }
    fn grow_forward(&mut self, sets: &mut RrSets, target: usize, other: u64) -> Result<()> {
        self.e.grow_forward(sets, target, other)
    }
    fn grow_both(
        &mut self,
        index: &mut RrIndex,
        target: usize,
        stream: u64,
        sets: &mut RrSets,
        forward_target: usize,
    ) -> Result<()> {
        let ahead = self.ahead.take();
        self.e
            .grow_both(index, target, stream, ahead, sets, forward_target)
    }

    fn greedy(&self, index: &RrIndex, bound: bool) -> Result<Greedy> {
        Ok(self.e.greedy(index, bound))
    }
    fn greedy_cv(&self, index: &RrIndex) -> Result<Option<Greedy>> {
        self.e.greedy_cv(index)
    }
    fn index_coverage(&self, index: &RrIndex, seeds: &[u32]) -> Result<u64> {
        Ok(index.coverage(seeds))
    }
    fn forward_coverage(&self, sets: &RrSets, seeds: &[u32], min_len: usize) -> Result<u64> {
        Ok(forward_coverage(sets, seeds, min_len))
    }

    fn grown_bytes(&self, index: &RrIndex, sets: &RrSets, growth: f64) -> u64 {
        grown_bytes(
            index.bytes(),
            index.account_bytes(),
            sets.memory_bytes(),
            growth,
        )
    }
    fn any(&self, local: bool) -> Result<bool> {
        Ok(local)
    }

    fn overlapped<T>(
        &mut self,
        ahead: Option<(u64, usize)>,
        work: impl FnOnce(&Self, usize) -> (T, bool),
    ) -> T {
        // While the pool draws ahead, the evaluation stays on this thread.
        let min_len = if ahead.is_some() {
            usize::MAX
        } else {
            PAR_MIN_LEN
        };
        let this = &*self;
        let (out, drawn) = this.e.overlapped(ahead, |_| work(this, min_len));
        self.ahead = drawn;
        out
    }

    fn overlapped_cv<T>(
        &mut self,
        index: &RrIndex,
        work: impl FnOnce(&Self, usize) -> (T, bool),
    ) -> (T, Option<CvBeside>) {
        let this = &*self;
        std::thread::scope(|scope| {
            let cv = scope.spawn(|| {
                let t = Instant::now();
                let g = this.e.greedy_cv(index);
                (g, t.elapsed().as_secs_f64())
            });
            // The evaluation stays on this thread: the other core runs the variate's greedy.
            let (out, _) = work(this, usize::MAX);
            let cv = cv.join().unwrap_or_else(|p| std::panic::resume_unwind(p));
            (out, Some(cv))
        })
    }
}

/// The bytes of a store whose index holds `index` bytes, `accounts` of them per account (the
/// offsets, first-hop counts and the batch counts, which do not grow with the sets), and whose
/// other sets hold
/// `rest`, once its sets grow `growth`-fold while a batch is being indexed.
///
/// - What grows with the sets, the index's ids and the other sets, is scaled by `growth`; a
///   batch being indexed adds a quarter of the grown ids (a doubling: `2.5 × ids + 2 × rest`).
/// - The per-account arrays are counted once: the index keeps its per-account batch counts
///   between batches, so they are among them.
///
/// Before, the per-account arrays were scaled with the sets. At 1B follows (133M accounts, 1.6
/// GB of them) quality mode's step from 4,096 sets to the floor's size then projected about 50
/// GB, and it stopped at its first 4,096 sets.
pub(super) fn grown_bytes(index: u64, accounts: u64, rest: u64, growth: f64) -> u64 {
    let accounts = accounts.min(index);
    let grows = (index - accounts) as f64 * 2.5 + rest as f64 * 2.0;
    (accounts as f64 + grows * growth / 2.0) as u64
}

#[cfg(test)]
mod tests {
    use super::{grown_bytes, OneProcess, RrStore};
    use crate::select::{random_graph, test_engine, Mode, SelectConfig};

    /// The variate's greedy run beside other work gives what it gives run alone, and the work
    /// runs on this thread with its answer passed back (evaluation kept serial: `usize::MAX`).
    #[test]
    fn the_variate_greedy_beside_the_round_is_the_one_run_after_it() {
        let g = random_graph(300, 1_500, 0.2, 4);
        for threads in [1, 2] {
            let config = SelectConfig::builder()
                .k(8)
                .seed(5)
                .mode(Mode::Quality)
                .threads(threads)
                .build()
                .unwrap();
            let mut s = OneProcess::new(test_engine(&g, &config));
            let mut index = s.new_index();
            s.grow_index(&mut index, 30_000, 0xC0FFEE, 0).unwrap();
            let alone = s.greedy_cv(&index).unwrap().expect("the variate runs");
            let plain = s.greedy(&index, true).unwrap();
            let (out, beside) = s.overlapped_cv(&index, |s, min_len| {
                ((s.greedy(&index, true).unwrap().seeds, min_len), true)
            });
            assert_eq!(out, (plain.seeds.clone(), usize::MAX));
            let (cv, _) = beside.expect("one process runs it beside");
            let cv = cv.unwrap().unwrap();
            assert_eq!((&cv.seeds, &cv.gains), (&alone.seeds, &alone.gains));
            assert_eq!(cv.coverage, alone.coverage);
            // The variate's picks are not plain greedy's here, so the two are told apart.
            assert_ne!(cv.gains, plain.gains, "{threads} threads");
        }
    }

    #[test]
    fn grown_bytes_scale_the_sets_and_not_the_per_account_arrays() {
        // No per-account part: a doubling is both collections twice and a quarter more index.
        assert_eq!(
            grown_bytes(1_000, 0, 400, 2.0),
            2 * (1_000 + 400) + 1_000 / 2
        );
        // The per-account part is counted once whatever the growth.
        for accounts in [0u64, 600, 1_000_000] {
            let index = accounts + 1_000;
            let step = |g| grown_bytes(index, accounts, 400, g) as f64;
            assert_eq!(step(2.0), accounts as f64 + 2_500.0 + 800.0);
            assert_eq!(step(20.0) - step(2.0), 9.0 * (2_500.0 + 800.0));
        }
        // The case that stopped quality mode at 1B: 133M accounts (16 bytes each), 4,096 sets
        // of about 3,000 ids each, grown 25-fold, fits 12 GB; scaling the whole index did not.
        let (accounts, ids, rest) = (133_191_423 * 16, 4_096 * 3_000 * 4, 1_024 * 3_000 * 4);
        let now = grown_bytes(accounts + ids, accounts, rest, 25.0);
        let before = (2.5 * (accounts + ids) as f64 + 2.0 * rest as f64) * 12.5;
        assert!(now < 12 << 30, "{now}");
        assert!(before > (12u64 << 30) as f64, "{before}");
    }
}
