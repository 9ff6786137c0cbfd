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

    /// Bytes this process would hold once both collections double (for the memory limit).
    fn doubled_bytes(&self, index: &Self::Index, sets: &Self::Forward) -> u64;
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

    /// [`RrStore::greedy`], timed.
    fn greedy_timed(&mut self, index: &Self::Index, bound: bool) -> Result<Greedy> {
        let t = Instant::now();
        let g = self.greedy(index, bound);
        self.engine_mut().timings.greedy_s += t.elapsed().as_secs_f64();
        g
    }
}

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

    fn doubled_bytes(&self, index: &RrIndex, sets: &RrSets) -> u64 {
        // A batch being indexed adds a quarter of the index.
        2 * (index.bytes() + sets.memory_bytes()) + index.bytes() / 2
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
}
