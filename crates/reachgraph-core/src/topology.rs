//! The shape of the follower graph: who follows whom, without probabilities or attributes.
//!
//! [`Topology`] holds the compressed-sparse-row arrays of both directions and the external-id
//! map. It is what [`Attributes`](crate::Attributes) (tiers from out-degrees, names in errors)
//! and [`WeightScheme`](crate::WeightScheme) (probabilities from degrees and endpoints) need,
//! so neither depends on [`Graph`](crate::Graph), which composes all three.
//!
//! The arrays never change after a build and sit behind [`Arc`]s: cloning a topology, or a
//! graph, copies pointers, and a re-weighted graph shares its arrays with the original.
//!
//! The in → out slot map ([`Topology::in_to_out`], 4 bytes per edge) is read only by given
//! per-edge probabilities in in-edge order, so it is held only when a graph has them (built
//! with them, or read from a `.rgraph` file that stores the map); otherwise it is built from
//! the two CSR directions on its first use and then shared by every clone.

use crate::buf::Buf;
use crate::ids::NodeIds;
use std::sync::{Arc, OnceLock};

/// Both directions of the adjacency, in CSR form, and the external-id map. See the
/// [module docs](self).
#[derive(Debug, Clone)]
pub struct Topology {
    out_offsets: Buf<usize>,
    out_targets: Buf<u32>,
    in_offsets: Buf<usize>,
    in_sources: Buf<u32>,
    /// For each in-edge slot, the index of the same edge in out-edge order: held when the
    /// graph was built or read with it, else built on first use (shared by clones).
    in_to_out: Arc<OnceLock<Buf<u32>>>,
    ids: Arc<NodeIds>,
}

impl Topology {
    /// Freezes CSR arrays built by the graph builder.
    ///
    /// The in-arrays must describe the same edges as the out-arrays (`in_to_out`, when given,
    /// maps each in-edge to its out-edge slot; `None`: built on first use) and `ids` must
    /// name `out_offsets.len() - 1` nodes.
    pub(crate) fn new(
        out_offsets: Vec<usize>,
        out_targets: Vec<u32>,
        in_offsets: Vec<usize>,
        in_sources: Vec<u32>,
        in_to_out: Option<Vec<u32>>,
        ids: NodeIds,
    ) -> Topology {
        debug_assert_eq!(out_offsets.len(), in_offsets.len());
        debug_assert_eq!(out_offsets.len(), ids.len() + 1);
        debug_assert_eq!(out_targets.len(), in_sources.len());
        debug_assert!(in_to_out
            .as_ref()
            .is_none_or(|map| map.len() == out_targets.len()));
        Topology {
            out_offsets: out_offsets.into(),
            out_targets: out_targets.into(),
            in_offsets: in_offsets.into(),
            in_sources: in_sources.into(),
            in_to_out: Arc::new(held(in_to_out.map(Buf::from))),
            ids: Arc::new(ids),
        }
    }

    /// Freezes CSR arrays read from a `.rgraph` file (checked by the reader as [`Topology::new`]
    /// requires).
    pub(crate) fn from_bufs(
        out_offsets: Buf<usize>,
        out_targets: Buf<u32>,
        in_offsets: Buf<usize>,
        in_sources: Buf<u32>,
        in_to_out: Option<Buf<u32>>,
        ids: NodeIds,
    ) -> Topology {
        Topology {
            out_offsets,
            out_targets,
            in_offsets,
            in_sources,
            in_to_out: Arc::new(held(in_to_out)),
            ids: Arc::new(ids),
        }
    }

    /// True when the CSR arrays are sections of a mapped `.rgraph` file.
    pub fn is_mapped(&self) -> bool {
        self.out_targets.is_mapped()
    }

    /// Number of accounts.
    #[inline]
    pub fn node_count(&self) -> usize {
        self.out_offsets.len() - 1
    }

    /// Number of directed edges.
    #[inline]
    pub fn edge_count(&self) -> usize {
        self.out_targets.len()
    }

    /// `out_offsets[u]..out_offsets[u + 1]` indexes `u`'s out-edges; length `n + 1`.
    #[inline]
    pub fn out_offsets(&self) -> &[usize] {
        &self.out_offsets
    }

    /// Out-edge targets (followers), grouped by source.
    #[inline]
    pub fn out_targets(&self) -> &[u32] {
        &self.out_targets
    }

    /// `in_offsets[v]..in_offsets[v + 1]` indexes `v`'s in-edges; length `n + 1`.
    #[inline]
    pub fn in_offsets(&self) -> &[usize] {
        &self.in_offsets
    }

    /// In-edge sources (followed accounts), grouped by target, each group sorted.
    #[inline]
    pub fn in_sources(&self) -> &[u32] {
        &self.in_sources
    }

    /// For each in-edge slot, the index of the same edge in out-edge order.
    ///
    /// Held when the graph has given per-edge probabilities (the only probabilities read
    /// through it); otherwise built here on the first call, from the two CSR directions, in
    /// one pass over the edges (4 bytes per edge plus a cursor per account while it runs),
    /// and kept for later calls and every clone of this topology.
    pub fn in_to_out(&self) -> &[u32] {
        self.in_to_out.get_or_init(|| self.build_in_to_out().into())
    }

    /// The in → out map when it is held (built, read from a file, or built by an earlier
    /// [`Topology::in_to_out`] call), without building it.
    pub fn in_to_out_if_held(&self) -> Option<&[u32]> {
        self.in_to_out.get().map(|b| &b[..])
    }

    /// The in → out map from the CSR arrays. The in-lists are walked by target in increasing
    /// order and each out-list is sorted by target, so the `i`-th in-edge met with source `u`
    /// is `u`'s `i`-th out-edge: a cursor per source gives every slot in one pass.
    fn build_in_to_out(&self) -> Vec<u32> {
        let mut cursor: Vec<u32> = self.out_offsets[..self.node_count()]
            .iter()
            .map(|&o| o as u32)
            .collect();
        self.in_sources
            .iter()
            .map(|&u| {
                let c = &mut cursor[u as usize];
                let slot = *c;
                *c += 1;
                slot
            })
            .collect()
    }

    /// Followers of `u` (accounts `v` with an edge `u → v`).
    #[inline]
    pub fn followers(&self, u: u32) -> &[u32] {
        &self.out_targets[self.out_offsets[u as usize]..self.out_offsets[u as usize + 1]]
    }

    /// Number of followers of `u` (out-degree).
    #[inline]
    pub fn out_degree(&self, u: u32) -> usize {
        self.out_offsets[u as usize + 1] - self.out_offsets[u as usize]
    }

    /// Number of accounts `v` follows (in-degree).
    #[inline]
    pub fn in_degree(&self, v: u32) -> usize {
        self.in_offsets[v as usize + 1] - self.in_offsets[v as usize]
    }

    /// The external-id map.
    #[inline]
    pub fn ids(&self) -> &NodeIds {
        &self.ids
    }

    /// External id of dense id `i` as text.
    pub fn label(&self, i: u32) -> String {
        self.ids.label(i)
    }

    /// True when both topologies are one set of arrays (a graph and its re-weighted or
    /// re-attributed copies), not merely equal ones.
    pub fn shares_arrays(&self, other: &Topology) -> bool {
        Buf::ptr_eq(&self.out_offsets, &other.out_offsets)
            && Buf::ptr_eq(&self.out_targets, &other.out_targets)
            && Buf::ptr_eq(&self.in_offsets, &other.in_offsets)
            && Buf::ptr_eq(&self.in_sources, &other.in_sources)
            && Arc::ptr_eq(&self.in_to_out, &other.in_to_out)
            && Arc::ptr_eq(&self.ids, &other.ids)
    }
}

/// A map already held, or an empty cell to build it in on first use.
fn held(map: Option<Buf<u32>>) -> OnceLock<Buf<u32>> {
    let cell = OnceLock::new();
    if let Some(map) = map {
        let _ = cell.set(map);
    }
    cell
}

impl AsRef<Topology> for Topology {
    fn as_ref(&self) -> &Topology {
        self
    }
}

/// Splits `0..n` into contiguous node ranges with roughly equal edge counts.
pub(crate) fn balanced_ranges(offsets: &[usize], parts: usize) -> Vec<(usize, usize)> {
    let n = offsets.len() - 1;
    let m = offsets[n];
    let parts = parts.max(1);
    let mut out = Vec::with_capacity(parts);
    let mut start = 0;
    for p in 1..=parts {
        let end = if p == parts {
            n
        } else {
            let goal = m / parts * p;
            offsets.partition_point(|&o| o < goal).clamp(start, n)
        };
        if end > start {
            out.push((start, end));
        }
        start = end;
    }
    out
}
