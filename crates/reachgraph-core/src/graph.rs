//! The frozen follower graph: compressed sparse rows, forward and reverse.
//!
//! An edge `u → v` means *v follows u*: what `u` posts can reach `v`. Accounts have dense
//! `u32` ids `0..n`; [`NodeIds`] maps them to the ids of the input. Each edge carries an `f32`
//! probability, stored twice: in out-edge order (for forward cascades and reach) and in in-edge
//! order (for reverse-reachable sampling), so no kernel chases pointers.
//!
//! ## Building
//! - [`Graph::from_edges`] takes dense ids (numpy arrays, generators);
//! - [`GraphBuilder`] interns external ids edge by edge (readers, small hand-made graphs);
//! - [`Graph::from_petgraph`] and [`Graph::to_petgraph`] convert both ways.
//!
//! Self-loops are dropped (an account does not follow itself) and counted in the
//! [`BuildReport`]. Duplicate edges are merged by a [`DuplicatePolicy`]; the default keeps one
//! edge with the largest given probability (a follow listed twice is still one follow).
//!
//! When the input gives no probabilities every edge gets probability 1 ("a follower sees the
//! post"); apply a [`WeightScheme`] for cascades.

use crate::attrs::{Attributes, People};
use crate::error::{Error, Result};
use crate::ids::{NodeIds, NodeKey};
use crate::weights::WeightScheme;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

/// How duplicate edges `u → v` are merged.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DuplicatePolicy {
    /// Keep one edge with the largest probability given for it (the default).
    #[default]
    Max,
    /// Keep the first occurrence's probability.
    First,
    /// Keep the last occurrence's probability.
    Last,
    /// Treat duplicates as independent chances: `p = 1 − Π(1 − p_i)`.
    NoisyOr,
    /// Reject the input with [`Error::DuplicateEdge`].
    Error,
}

impl std::str::FromStr for DuplicatePolicy {
    type Err = Error;

    /// Parses `max`, `first`, `last`, `noisy-or` or `error` (any case, `-` or `_`): the
    /// command line's spellings, the JSON API's and Python's.
    fn from_str(s: &str) -> Result<DuplicatePolicy> {
        match s.trim().to_ascii_lowercase().replace('-', "_").as_str() {
            "max" => Ok(DuplicatePolicy::Max),
            "first" => Ok(DuplicatePolicy::First),
            "last" => Ok(DuplicatePolicy::Last),
            "noisy_or" => Ok(DuplicatePolicy::NoisyOr),
            "error" => Ok(DuplicatePolicy::Error),
            _ => Err(Error::invalid_parameter(
                "duplicates",
                s,
                "expected max, first, last, noisy-or or error",
            )),
        }
    }
}

/// Options for building a graph.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct GraphOptions {
    /// Add both directions of every edge (for undirected inputs such as friendships).
    pub undirected: bool,
    /// How duplicate edges are merged.
    pub duplicates: DuplicatePolicy,
}

/// What building a graph did to its input.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct BuildReport {
    /// Number of accounts (nodes).
    pub nodes: usize,
    /// Number of distinct directed edges kept.
    pub edges: usize,
    /// Edge records read (before `undirected` doubling, self-loop and duplicate removal).
    pub records: usize,
    /// Self-loops dropped.
    pub self_loops_dropped: usize,
    /// Duplicate directed edges merged into another.
    pub duplicates_merged: usize,
}

/// One direction of the adjacency in CSR form.
#[derive(Debug, Clone, Copy)]
pub struct Csr<'a> {
    /// `offsets[u]..offsets[u + 1]` indexes the neighbours of `u`; length `n + 1`.
    pub offsets: &'a [usize],
    /// Neighbour ids.
    pub neighbors: &'a [u32],
    /// Edge probabilities, aligned with `neighbors`.
    pub probs: &'a [f32],
}

impl<'a> Csr<'a> {
    /// Neighbours of `u`.
    #[inline]
    pub fn neighbors(&self, u: u32) -> &'a [u32] {
        &self.neighbors[self.offsets[u as usize]..self.offsets[u as usize + 1]]
    }
    /// Probabilities of `u`'s edges, aligned with [`Csr::neighbors`].
    #[inline]
    pub fn probs(&self, u: u32) -> &'a [f32] {
        &self.probs[self.offsets[u as usize]..self.offsets[u as usize + 1]]
    }
    /// Degree of `u` in this direction.
    #[inline]
    pub fn degree(&self, u: u32) -> usize {
        self.offsets[u as usize + 1] - self.offsets[u as usize]
    }
}

/// The frozen follower graph. See the [module docs](self).
#[derive(Debug, Clone)]
pub struct Graph {
    out_offsets: Vec<usize>,
    out_targets: Vec<u32>,
    out_probs: Vec<f32>,
    in_offsets: Vec<usize>,
    in_sources: Vec<u32>,
    in_probs: Vec<f32>,
    /// For each in-edge slot, the index of the same edge in out-edge order.
    in_to_out: Vec<u32>,
    /// Probabilities as given in the input (out-edge order), kept so schemes can be undone.
    given_probs: Option<Vec<f32>>,
    weights: WeightScheme,
    ids: NodeIds,
    attrs: Attributes,
    people: People,
}

/// Edges of the input, in dense ids, before CSR construction.
struct RawEdges<'a> {
    src: &'a [u32],
    dst: &'a [u32],
    probs: Option<&'a [f32]>,
}

impl Graph {
    /// Builds a graph from dense ids `0..n`.
    ///
    /// `src[i] → dst[i]` is an edge (`dst` follows `src`), with optional probability
    /// `probs[i]`. `ids` names the dense ids; pass [`NodeIds::identity`] when the dense ids
    /// are the external ids.
    ///
    /// # Errors
    /// [`Error::LengthMismatch`] for arrays of different lengths, [`Error::UnknownNode`] for an id
    /// `>= n`, [`Error::InvalidProbability`] for NaN or out-of-range probabilities,
    /// [`Error::DuplicateEdge`] under [`DuplicatePolicy::Error`].
    ///
    /// # Complexity
    /// O(n + m log d) time (a counting sort plus a sort within each adjacency list), O(n + m)
    /// memory; parallel over nodes.
    pub fn from_edges(
        n: u32,
        src: &[u32],
        dst: &[u32],
        probs: Option<&[f32]>,
        ids: NodeIds,
        options: GraphOptions,
    ) -> Result<(Graph, BuildReport)> {
        if src.len() != dst.len() {
            return Err(Error::LengthMismatch {
                column: "dst".into(),
                got: dst.len(),
                expected: src.len(),
            });
        }
        if let Some(p) = probs {
            if p.len() != src.len() {
                return Err(Error::LengthMismatch {
                    column: "probabilities".into(),
                    got: p.len(),
                    expected: src.len(),
                });
            }
        }
        if ids.len() != n as usize {
            return Err(Error::LengthMismatch {
                column: "ids".into(),
                got: ids.len(),
                expected: n as usize,
            });
        }
        let label = |i: u32| {
            if (i as usize) < ids.len() {
                ids.label(i)
            } else {
                i.to_string()
            }
        };
        // Validate ids and probabilities before allocating anything large.
        // A maximum is a cheap streaming pass; only a failing input pays to find the culprit.
        let max_id = src.par_iter().chain(dst.par_iter()).copied().max();
        let bad_id = match max_id {
            Some(v) if v >= n => src.iter().chain(dst).copied().find(|&v| v >= n),
            _ => None,
        };
        if let Some(v) = bad_id {
            return Err(Error::UnknownNode {
                id: v.to_string(),
                context: format!(" (edge endpoint; the graph has {n} nodes)"),
            });
        }
        if let Some(p) = probs {
            if let Some(i) = p.par_iter().position_first(|&x| !(0.0..=1.0).contains(&x)) {
                return Err(Error::InvalidProbability {
                    from: label(src[i]),
                    to: label(dst[i]),
                    value: p[i] as f64,
                });
            }
        }
        let raw = RawEdges { src, dst, probs };
        build_csr(n, raw, ids, options)
    }

    /// Builds a graph from integer external ids (numpy arrays, pandas columns): edge
    /// `src[i] → dst[i]` with optional probability `probs[i]`.
    ///
    /// Ids are interned in the order an edge-list reader meets them, so the graph (and every
    /// seeded result on it) is identical to reading the same edges from a file.
    ///
    /// # Errors
    /// As [`Graph::from_edges`].
    pub fn from_id_arrays(
        src: &[i64],
        dst: &[i64],
        probs: Option<&[f32]>,
        options: GraphOptions,
    ) -> Result<(Graph, BuildReport)> {
        if src.len() != dst.len() {
            return Err(Error::LengthMismatch {
                column: "dst".into(),
                got: dst.len(),
                expected: src.len(),
            });
        }
        let mut ids = NodeIds::new();
        let (s, d) = ids.intern_int_pairs(src, dst);
        let n = ids.len() as u32;
        Graph::from_edges(n, &s, &d, probs, ids, options)
    }

    /// Builds a graph from a petgraph graph; node `i` gets external id `i` (its index).
    ///
    /// `prob` maps an edge weight to its probability (`None`: not given). Undirected petgraph
    /// graphs add both directions.
    pub fn from_petgraph<N, E, Ty, Ix>(
        g: &petgraph::Graph<N, E, Ty, Ix>,
        prob: impl Fn(&E) -> Option<f64>,
        duplicates: DuplicatePolicy,
    ) -> Result<(Graph, BuildReport)>
    where
        Ty: petgraph::EdgeType,
        Ix: petgraph::graph::IndexType,
    {
        use petgraph::visit::EdgeRef;
        let n = g.node_count() as u32;
        let mut src = Vec::with_capacity(g.edge_count());
        let mut dst = Vec::with_capacity(g.edge_count());
        let mut probs = Vec::with_capacity(g.edge_count());
        let mut any_prob = false;
        for e in g.edge_references() {
            src.push(e.source().index() as u32);
            dst.push(e.target().index() as u32);
            match prob(e.weight()) {
                Some(p) => {
                    any_prob = true;
                    probs.push(p as f32);
                    if !(0.0..=1.0).contains(&p) {
                        return Err(Error::InvalidProbability {
                            from: e.source().index().to_string(),
                            to: e.target().index().to_string(),
                            value: p,
                        });
                    }
                }
                None => probs.push(f32::NAN),
            }
        }
        if any_prob && probs.iter().any(|p| p.is_nan()) {
            return Err(Error::invalid_parameter(
                "probabilities",
                "partial",
                "either every edge or no edge must carry a probability",
            ));
        }
        let options = GraphOptions {
            undirected: !g.is_directed(),
            duplicates,
        };
        let raw = RawEdges {
            src: &src,
            dst: &dst,
            probs: any_prob.then_some(&probs[..]),
        };
        build_csr(n, raw, NodeIds::identity(n), options)
    }

    /// The graph as a petgraph `DiGraph`: node weights are external ids, edge weights the
    /// current probabilities. Node `i` of the result is dense id `i`.
    pub fn to_petgraph(&self) -> petgraph::Graph<NodeKey, f32> {
        let mut g = petgraph::Graph::with_capacity(self.node_count(), self.edge_count());
        for i in 0..self.node_count() as u32 {
            g.add_node(self.ids.key(i));
        }
        for u in 0..self.node_count() as u32 {
            let out = self.out_csr();
            for (&v, &p) in out.neighbors(u).iter().zip(out.probs(u)) {
                g.add_edge(
                    petgraph::graph::NodeIndex::new(u as usize),
                    petgraph::graph::NodeIndex::new(v as usize),
                    p,
                );
            }
        }
        g
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

    /// Out-edges (followers) in CSR form.
    #[inline]
    pub fn out_csr(&self) -> Csr<'_> {
        Csr {
            offsets: &self.out_offsets,
            neighbors: &self.out_targets,
            probs: &self.out_probs,
        }
    }

    /// In-edges (followed accounts) in CSR form.
    #[inline]
    pub fn in_csr(&self) -> Csr<'_> {
        Csr {
            offsets: &self.in_offsets,
            neighbors: &self.in_sources,
            probs: &self.in_probs,
        }
    }

    /// Followers of `u` (accounts `v` with an edge `u → v`).
    #[inline]
    pub fn followers(&self, u: u32) -> &[u32] {
        self.out_csr().neighbors(u)
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
    pub fn ids(&self) -> &NodeIds {
        &self.ids
    }

    /// External id of dense id `i` as text.
    pub fn label(&self, i: u32) -> String {
        self.ids.label(i)
    }

    /// Dense id of an external id written as text.
    ///
    /// # Errors
    /// [`Error::UnknownNode`] when the graph has no such account.
    pub fn node(&self, token: &str) -> Result<u32> {
        self.ids.lookup(token).ok_or_else(|| Error::UnknownNode {
            id: token.trim().to_string(),
            context: String::new(),
        })
    }

    /// Dense ids of a list of external ids, rejecting unknown and repeated ids.
    ///
    /// `what` names the list in errors (for example `"seed set"`).
    pub fn resolve<S: AsRef<str>>(&self, tokens: &[S], what: &str) -> Result<Vec<u32>> {
        let mut out = Vec::with_capacity(tokens.len());
        for (i, t) in tokens.iter().enumerate() {
            let id = self
                .ids
                .lookup(t.as_ref())
                .ok_or_else(|| Error::UnknownNode {
                    id: t.as_ref().trim().to_string(),
                    context: format!(" ({what}, entry {})", i + 1),
                })?;
            out.push(id);
        }
        if let Some(i) = first_repeat(&out, self.node_count()) {
            return Err(Error::DuplicateNode {
                id: tokens[i].as_ref().trim().to_string(),
                what: what.to_string(),
            });
        }
        Ok(out)
    }

    /// Checks that dense ids are in range and distinct; `what` names the list in errors.
    pub fn check_nodes(&self, nodes: &[u32], what: &str) -> Result<()> {
        if let Some(&v) = nodes.iter().find(|&&v| v as usize >= self.node_count()) {
            return Err(Error::UnknownNode {
                id: v.to_string(),
                context: format!(" ({what}; dense ids run 0..{})", self.node_count()),
            });
        }
        if let Some(i) = first_repeat(nodes, self.node_count()) {
            return Err(Error::DuplicateNode {
                id: self.label(nodes[i]),
                what: what.to_string(),
            });
        }
        Ok(())
    }

    /// Node attributes (platform, person, jurisdiction, target weight, cost, tier).
    pub fn attributes(&self) -> &Attributes {
        &self.attrs
    }

    /// Replaces the node attributes (validated against this graph).
    pub fn set_attributes(&mut self, attrs: Attributes) -> Result<()> {
        attrs.check_len(self.node_count())?;
        let people = People::derive(&attrs, self)?;
        self.attrs = attrs;
        self.people = people;
        Ok(())
    }

    /// The account → person mapping and per-person columns derived from the attributes.
    pub fn people(&self) -> &People {
        &self.people
    }

    /// The weight scheme in force.
    pub fn weight_scheme(&self) -> &WeightScheme {
        &self.weights
    }

    /// True when the input gave edge probabilities.
    pub fn has_given_probabilities(&self) -> bool {
        self.given_probs.is_some()
    }

    /// Sets every edge probability by `scheme` (in both directions).
    ///
    /// # Errors
    /// [`Error::InvalidParameter`] for a constant outside [0, 1] or [`WeightScheme::Given`] on
    /// a graph whose input gave no probabilities; [`Error::MissingAttribute`] for tier rates
    /// without tiers.
    pub fn set_weights(&mut self, scheme: &WeightScheme) -> Result<()> {
        let probs = scheme.out_probabilities(self)?;
        self.out_probs = probs;
        self.weights = scheme.clone();
        self.sync_in_probs();
        Ok(())
    }

    /// Replaces the probabilities with given ones in out-edge order (as [`Graph::out_csr`]).
    pub fn set_probabilities(&mut self, probs: Vec<f32>) -> Result<()> {
        if probs.len() != self.edge_count() {
            return Err(Error::LengthMismatch {
                column: "probabilities".into(),
                got: probs.len(),
                expected: self.edge_count(),
            });
        }
        self.check_probabilities(&probs)?;
        self.given_probs = Some(probs.clone());
        self.out_probs = probs;
        self.weights = WeightScheme::Given;
        self.sync_in_probs();
        Ok(())
    }

    pub(crate) fn given_probabilities(&self) -> Option<&[f32]> {
        self.given_probs.as_deref()
    }

    fn check_probabilities(&self, probs: &[f32]) -> Result<()> {
        if let Some(e) = probs
            .par_iter()
            .position_first(|p| !(0.0..=1.0).contains(p))
        {
            let u = self.out_offsets.partition_point(|&o| o <= e) - 1;
            return Err(Error::InvalidProbability {
                from: self.label(u as u32),
                to: self.label(self.out_targets[e]),
                value: probs[e] as f64,
            });
        }
        Ok(())
    }

    /// Rewrites the in-order probabilities from the out-order ones (a parallel gather).
    fn sync_in_probs(&mut self) {
        let out = &self.out_probs;
        self.in_probs
            .par_iter_mut()
            .zip(self.in_to_out.par_iter())
            .for_each(|(p, &e)| *p = out[e as usize]);
    }

    /// Bytes held by the graph's arrays (not counting ids and attributes).
    pub fn memory_bytes(&self) -> usize {
        let n = self.node_count() + 1;
        let m = self.edge_count();
        2 * n * std::mem::size_of::<usize>()
            + 2 * m * (4 + 4)
            + m * 4
            + self.given_probs.as_ref().map_or(0, |g| g.len() * 4)
    }
}

/// Index of the first entry of `ids` (all `< n`) that repeats an earlier one.
///
/// Short lists are checked by sorting a copy, so a call on a big graph costs
/// O(len log len), not an O(n) mark array (this keeps small API calls in microseconds).
fn first_repeat(ids: &[u32], n: usize) -> Option<usize> {
    if ids.len() < n / 64 {
        let mut sorted: Vec<(u32, usize)> = ids.iter().copied().zip(0..).collect();
        sorted.sort_unstable();
        sorted
            .windows(2)
            .filter(|w| w[0].0 == w[1].0)
            .map(|w| w[0].1.max(w[1].1))
            .min()
    } else {
        let mut seen = vec![false; n];
        ids.iter()
            .position(|&v| std::mem::replace(&mut seen[v as usize], true))
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

/// A raw pointer that may be shared between threads writing disjoint slots.
#[derive(Clone, Copy)]
struct SharedSlots<T>(*mut T);
// SAFETY: `bucket_scatter` gives every (part, bucket) pair its own range of slots, so no two
// threads ever write the same slot, and the vector outlives the parallel section.
unsafe impl<T: Send> Send for SharedSlots<T> {}
unsafe impl<T: Send> Sync for SharedSlots<T> {}

impl<T> SharedSlots<T> {
    /// Writes slot `i`.
    ///
    /// # Safety
    /// `i` is in bounds and no other thread reads or writes slot `i` concurrently.
    unsafe fn write(&self, i: usize, v: T) {
        // SAFETY: guaranteed by the caller.
        unsafe { self.0.add(i).write(v) }
    }
}

/// A stable, parallel counting sort.
///
/// `emit(i, sink)` calls `sink(bucket, value)` for the values item `i` contributes (zero or
/// more). Items are processed in `parts` (contiguous item ranges, in order). Returns bucket
/// offsets (`buckets + 1` entries) and the values grouped by bucket, each bucket in item order:
/// exactly what a sequential counting sort gives, for any number of threads.
///
/// With many buckets a one-pass scatter writes to a random place for every value (a cache and
/// TLB miss each), so above [`DIRECT_BUCKETS`] it sorts in two passes instead: first by the
/// high bits of the bucket into at most [`COARSE_BUCKETS`] coarse ranges (few write streams,
/// which the caches absorb), then each coarse range by the low bits on its own, in cache.
fn bucket_scatter<T, E>(parts: &[(usize, usize)], buckets: usize, emit: E) -> (Vec<usize>, Vec<T>)
where
    T: Copy + Default + Send + Sync,
    E: Fn(usize, &mut dyn FnMut(usize, T)) + Sync,
{
    if buckets <= DIRECT_BUCKETS {
        return scatter_pass(parts, buckets, emit);
    }
    // Pass 1: group (bucket, value) by the bucket's high bits, stably.
    let shift = (usize::BITS - (buckets - 1).leading_zeros())
        .saturating_sub(COARSE_BUCKETS.trailing_zeros());
    let coarse = ((buckets - 1) >> shift) + 1;
    let (coarse_offsets, pairs): (Vec<usize>, Vec<(u32, T)>) =
        scatter_pass(parts, coarse, |i, sink| {
            emit(i, &mut |k, v| sink(k >> shift, (k as u32, v)))
        });
    // Pass 2: each coarse range by the low bits, in parallel over ranges; each range writes its
    // own slice of the output and its own run of bucket offsets.
    let fine = 1usize << shift;
    let mut offsets = vec![0usize; buckets + 1];
    let mut out = vec![T::default(); pairs.len()];
    {
        let mut out_rest: &mut [T] = &mut out;
        let mut off_rest: &mut [usize] = &mut offsets[..buckets];
        let mut jobs = Vec::with_capacity(coarse);
        for c in 0..coarse {
            let (lo, hi) = (coarse_offsets[c], coarse_offsets[c + 1]);
            let (o, rest) = std::mem::take(&mut out_rest).split_at_mut(hi - lo);
            out_rest = rest;
            let width = fine.min(buckets - c * fine);
            let (f, rest) = std::mem::take(&mut off_rest).split_at_mut(width);
            off_rest = rest;
            jobs.push((&pairs[lo..hi], o, f, lo));
        }
        jobs.into_par_iter().for_each(|(src, dst, offs, base)| {
            let mask = fine - 1;
            let mut count = vec![0usize; offs.len()];
            for &(k, _) in src {
                count[k as usize & mask] += 1;
            }
            let mut at = 0;
            for (c, o) in count.iter_mut().zip(offs.iter_mut()) {
                *o = base + at;
                let n = *c;
                *c = at;
                at += n;
            }
            for &(k, v) in src {
                let c = &mut count[k as usize & mask];
                dst[*c] = v;
                *c += 1;
            }
        });
    }
    offsets[buckets] = out.len();
    (offsets, out)
}

/// Up to this many buckets, [`bucket_scatter`] sorts in one pass.
const DIRECT_BUCKETS: usize = 1 << 16;
/// The most coarse ranges [`bucket_scatter`]'s first pass writes to at once.
const COARSE_BUCKETS: usize = 1 << 11;

/// One stable counting-sort pass of [`bucket_scatter`]: `emit` yields `(bucket, value)` pairs,
/// stored grouped by bucket, each bucket in item order.
fn scatter_pass<T, E>(parts: &[(usize, usize)], buckets: usize, emit: E) -> (Vec<usize>, Vec<T>)
where
    T: Copy + Default + Send + Sync,
    E: Fn(usize, &mut dyn FnMut(usize, T)) + Sync,
{
    // Count per part.
    let mut cursors: Vec<Vec<usize>> = parts
        .par_iter()
        .map(|&(a, b)| {
            let mut c = vec![0usize; buckets];
            for i in a..b {
                emit(i, &mut |k, _| c[k] += 1);
            }
            c
        })
        .collect();
    // Offsets, then each part's first slot in each bucket (parts in order keep it stable).
    let mut offsets = vec![0usize; buckets + 1];
    for k in 0..buckets {
        let mut at = offsets[k];
        for c in cursors.iter_mut() {
            let n = c[k];
            c[k] = at;
            at += n;
        }
        offsets[k + 1] = at;
    }
    let mut out = vec![T::default(); offsets[buckets]];
    let slots = SharedSlots(out.as_mut_ptr());
    // Every part writes its own slots.
    parts
        .par_iter()
        .zip(cursors.par_iter_mut())
        .for_each(|(&(a, b), cur)| {
            for i in a..b {
                emit(i, &mut |k, v| {
                    // SAFETY: slot `cur[k]` lies in this part's range of bucket `k`, which the
                    // count sized exactly, so it is in bounds and written by no other part.
                    unsafe { slots.write(cur[k], v) };
                    cur[k] += 1;
                });
            }
        });
    (offsets, out)
}

/// `0..len` cut into one contiguous range per thread (at least 64k items each).
fn even_parts(len: usize) -> Vec<(usize, usize)> {
    let parts = rayon::current_num_threads()
        .min(len.div_ceil(1 << 16))
        .max(1);
    let step = len.div_ceil(parts).max(1);
    (0..parts)
        .map(|p| (p * step, ((p + 1) * step).min(len)))
        .filter(|(a, b)| a < b)
        .collect()
}

fn build_csr(
    n: u32,
    raw: RawEdges<'_>,
    ids: NodeIds,
    options: GraphOptions,
) -> Result<(Graph, BuildReport)> {
    let nn = n as usize;
    let records = raw.src.len();
    let given = raw.probs.is_some();
    if (records as u64) * if options.undirected { 2 } else { 1 } > u32::MAX as u64 {
        return Err(Error::invalid_parameter(
            "edges",
            records,
            "graphs over 4,294,967,295 directed edges are not supported",
        ));
    }
    // 1-2. Group (target, probability) pairs by source, packed into u64 so one sort orders
    //      both; a stable parallel counting sort keeps input order within each source.
    let pack = |v: u32, p: f32| ((v as u64) << 32) | p.to_bits() as u64;
    let self_loops = raw
        .src
        .par_iter()
        .zip(raw.dst.par_iter())
        .filter(|(u, v)| u == v)
        .count();
    let (offsets, mut packed) = bucket_scatter(&even_parts(records), nn, |i, sink| {
        let (u, v) = (raw.src[i], raw.dst[i]);
        if u == v {
            return;
        }
        let p = raw.probs.map_or(f32::NAN, |p| p[i]);
        sink(u as usize, pack(v, p));
        if options.undirected {
            sink(v as usize, pack(u, p));
        }
    });
    // 3. Sort each list by target (stable, so First/Last keep input order), merge duplicates.
    let ranges = balanced_ranges(&offsets, rayon::current_num_threads() * 4);
    let mut slices: Vec<(usize, usize, &mut [u64])> = Vec::with_capacity(ranges.len());
    {
        let mut rest: &mut [u64] = &mut packed;
        let mut consumed = 0;
        for &(a, b) in &ranges {
            let len = offsets[b] - offsets[a];
            let (head, tail) = std::mem::take(&mut rest).split_at_mut(len);
            debug_assert_eq!(consumed, offsets[a]);
            consumed += len;
            slices.push((a, b, head));
            rest = tail;
        }
    }
    let policy = options.duplicates;
    let results: Vec<Result<(Vec<usize>, usize)>> = slices
        .into_par_iter()
        .map(|(a, b, chunk)| {
            let base = offsets[a];
            let mut new_len = Vec::with_capacity(b - a);
            let mut merged = 0usize;
            for u in a..b {
                let seg = &mut chunk[offsets[u] - base..offsets[u + 1] - base];
                seg.sort_by_key(|x| x >> 32);
                let mut w = 0usize;
                let mut r = 0usize;
                while r < seg.len() {
                    let t = seg[r] >> 32;
                    let mut p = f32::from_bits(seg[r] as u32);
                    let mut q = r + 1;
                    while q < seg.len() && seg[q] >> 32 == t {
                        let pq = f32::from_bits(seg[q] as u32);
                        p = match policy {
                            DuplicatePolicy::Max => {
                                if pq > p {
                                    pq
                                } else {
                                    p
                                }
                            }
                            DuplicatePolicy::First => p,
                            DuplicatePolicy::Last => pq,
                            DuplicatePolicy::NoisyOr => 1.0 - (1.0 - p) * (1.0 - pq),
                            DuplicatePolicy::Error => {
                                return Err(Error::DuplicateEdge {
                                    from: ids.label(u as u32),
                                    to: ids.label(t as u32),
                                })
                            }
                        };
                        q += 1;
                    }
                    merged += q - r - 1;
                    seg[w] = pack(t as u32, p);
                    w += 1;
                    r = q;
                }
                new_len.push(w);
            }
            Ok((new_len, merged))
        })
        .collect();
    // 4. Compact the merged lists.
    let mut duplicates_merged = 0;
    let mut new_deg = Vec::with_capacity(nn);
    for r in results {
        let (lens, merged) = r?;
        duplicates_merged += merged;
        new_deg.extend(lens);
    }
    let mut out_offsets = vec![0usize; nn + 1];
    for u in 0..nn {
        out_offsets[u + 1] = out_offsets[u] + new_deg[u];
    }
    let m = out_offsets[nn];
    let mut out_targets = vec![0u32; m];
    let mut out_probs = vec![0f32; m];
    out_targets
        .par_chunks_mut(1 << 16)
        .zip(out_probs.par_chunks_mut(1 << 16))
        .enumerate()
        .for_each(|(c, (ts, ps))| {
            let start = c << 16;
            let mut u = out_offsets.partition_point(|&o| o <= start) - 1;
            for (k, (t, p)) in ts.iter_mut().zip(ps.iter_mut()).enumerate() {
                let e = start + k;
                while out_offsets[u + 1] <= e {
                    u += 1;
                }
                let x = packed[offsets[u] + (e - out_offsets[u])];
                *t = (x >> 32) as u32;
                *p = f32::from_bits(x as u32);
            }
        });
    drop(packed);
    // 5. Reverse adjacency: a stable counting sort of out-edges by target, walking sources in
    //    order, so each in-list is sorted by source; remember each in-edge's out-edge index.
    let (in_offsets, rev) = bucket_scatter(
        &balanced_ranges(&out_offsets, rayon::current_num_threads()),
        nn,
        |u, sink| {
            let (lo, hi) = (out_offsets[u], out_offsets[u + 1]);
            for (e, &v) in (lo..hi).zip(&out_targets[lo..hi]) {
                sink(v as usize, ((u as u64) << 32) | e as u64);
            }
        },
    );
    let (in_sources, in_to_out): (Vec<u32>, Vec<u32>) = rev
        .par_iter()
        .map(|&x| ((x >> 32) as u32, x as u32))
        .unzip();
    drop(rev);
    let given_probs = if given {
        Some(out_probs.clone())
    } else {
        out_probs.iter_mut().for_each(|p| *p = 1.0);
        None
    };
    let report = BuildReport {
        nodes: nn,
        edges: m,
        records,
        self_loops_dropped: self_loops,
        duplicates_merged,
    };
    let mut graph = Graph {
        out_offsets,
        out_targets,
        out_probs,
        in_offsets,
        in_sources,
        in_probs: vec![0.0; m],
        in_to_out,
        given_probs,
        weights: if given {
            WeightScheme::Given
        } else {
            WeightScheme::Constant { p: 1.0 }
        },
        ids,
        attrs: Attributes::new(nn),
        people: People::identity(nn),
    };
    graph.sync_in_probs();
    Ok((graph, report))
}

/// Builds a graph edge by edge from external ids.
///
/// ```
/// use reachgraph_core::{GraphBuilder, GraphOptions};
/// let mut b = GraphBuilder::new(GraphOptions::default());
/// b.add_edge("alice", "bob", None).unwrap();   // bob follows alice
/// b.add_edge("alice", "carol", None).unwrap();
/// let (g, report) = b.build().unwrap();
/// assert_eq!((g.node_count(), g.edge_count()), (3, 2));
/// assert_eq!(g.out_degree(g.node("alice").unwrap()), 2);
/// assert_eq!(report.self_loops_dropped, 0);
/// ```
#[derive(Debug, Default)]
pub struct GraphBuilder {
    options: GraphOptions,
    ids: NodeIds,
    src: Vec<u32>,
    dst: Vec<u32>,
    probs: Vec<f32>,
    /// `Some(true)` once an edge with a probability was added, `Some(false)` once one without.
    with_probs: Option<bool>,
}

impl GraphBuilder {
    /// A builder with the given options.
    pub fn new(options: GraphOptions) -> Self {
        GraphBuilder {
            options,
            ..Default::default()
        }
    }

    /// Adds an account with no edges (or returns the id of a known one).
    pub fn add_node(&mut self, key: impl Into<NodeKey>) -> u32 {
        self.ids.intern(&key.into())
    }

    /// Adds an account named by a text token (integers stay integers).
    pub fn add_node_token(&mut self, token: &str) -> u32 {
        self.ids.intern_token(token)
    }

    /// Adds an edge `from → to` (`to` follows `from`) with an optional probability.
    ///
    /// # Errors
    /// [`Error::InvalidProbability`] for NaN or out-of-range `p`;
    /// [`Error::InvalidParameter`] when some edges carry probabilities and others do not.
    pub fn add_edge(
        &mut self,
        from: impl Into<NodeKey>,
        to: impl Into<NodeKey>,
        p: Option<f64>,
    ) -> Result<()> {
        let (from, to) = (from.into(), to.into());
        let u = self.ids.intern(&from);
        let v = self.ids.intern(&to);
        self.add_dense(u, v, p)
    }

    /// Adds an edge between two text tokens (the readers' fast path).
    pub fn add_edge_tokens(&mut self, from: &str, to: &str, p: Option<f64>) -> Result<()> {
        let u = self.ids.intern_token(from);
        let v = self.ids.intern_token(to);
        self.add_dense(u, v, p)
    }

    /// Adds an edge between integer ids.
    pub fn add_edge_ints(&mut self, from: i64, to: i64, p: Option<f64>) -> Result<()> {
        let u = self.ids.intern_int(from);
        let v = self.ids.intern_int(to);
        self.add_dense(u, v, p)
    }

    fn add_dense(&mut self, u: u32, v: u32, p: Option<f64>) -> Result<()> {
        let has = p.is_some();
        match self.with_probs {
            None => self.with_probs = Some(has),
            Some(w) if w != has => {
                return Err(Error::invalid_parameter(
                    "probability",
                    p.map_or("none".to_string(), |x| x.to_string()),
                    format!(
                        "edge {} -> {} {} a probability but earlier edges {}; give all or none",
                        self.ids.label(u),
                        self.ids.label(v),
                        if has { "has" } else { "lacks" },
                        if w { "have one" } else { "do not" },
                    ),
                ))
            }
            _ => {}
        }
        if let Some(p) = p {
            if !(0.0..=1.0).contains(&p) {
                return Err(Error::InvalidProbability {
                    from: self.ids.label(u),
                    to: self.ids.label(v),
                    value: p,
                });
            }
            self.probs.push(p as f32);
        }
        self.src.push(u);
        self.dst.push(v);
        Ok(())
    }

    /// Number of edge records added so far.
    pub fn records(&self) -> usize {
        self.src.len()
    }

    /// Number of distinct accounts seen so far.
    pub fn node_count(&self) -> usize {
        self.ids.len()
    }

    /// Freezes the graph.
    pub fn build(self) -> Result<(Graph, BuildReport)> {
        let n = self.ids.len() as u32;
        let raw = RawEdges {
            src: &self.src,
            dst: &self.dst,
            probs: (self.with_probs == Some(true)).then_some(&self.probs[..]),
        };
        build_csr(n, raw, self.ids, self.options)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn duplicate_policy_reads_the_cli_json_and_python_spellings() {
        for s in ["noisy-or", "noisy_or", "Noisy-Or"] {
            assert_eq!(
                s.parse::<DuplicatePolicy>().unwrap(),
                DuplicatePolicy::NoisyOr
            );
        }
        assert_eq!(
            "max".parse::<DuplicatePolicy>().unwrap(),
            DuplicatePolicy::Max
        );
        assert_eq!(
            "error".parse::<DuplicatePolicy>().unwrap(),
            DuplicatePolicy::Error
        );
        let e = "sometimes".parse::<DuplicatePolicy>().unwrap_err();
        assert_eq!(e.kind(), "invalid_parameter");
    }

    fn tiny(opts: GraphOptions) -> (Graph, BuildReport) {
        let mut b = GraphBuilder::new(opts);
        b.add_edge_ints(1, 2, Some(0.5)).unwrap();
        b.add_edge_ints(1, 3, Some(0.25)).unwrap();
        b.add_edge_ints(1, 2, Some(0.75)).unwrap();
        b.add_edge_ints(3, 3, Some(0.1)).unwrap();
        b.add_edge_ints(2, 3, Some(1.0)).unwrap();
        b.build().unwrap()
    }

    #[test]
    fn csr_both_directions_and_report() {
        let (g, r) = tiny(GraphOptions::default());
        assert_eq!(r.nodes, 3);
        assert_eq!(r.edges, 3);
        assert_eq!(r.records, 5);
        assert_eq!(r.self_loops_dropped, 1);
        assert_eq!(r.duplicates_merged, 1);
        let one = g.node("1").unwrap();
        let two = g.node("2").unwrap();
        let three = g.node("3").unwrap();
        assert_eq!(g.followers(one), &[two, three]);
        assert_eq!(g.out_csr().probs(one), &[0.75, 0.25]);
        assert_eq!(g.in_csr().neighbors(three), &[one, two]);
        assert_eq!(g.in_csr().probs(three), &[0.25, 1.0]);
        assert_eq!(g.in_degree(two), 1);
    }

    #[test]
    fn duplicate_policies() {
        let p = |policy| {
            let (g, _) = tiny(GraphOptions {
                duplicates: policy,
                undirected: false,
            });
            g.out_csr().probs(0)[0]
        };
        assert_eq!(p(DuplicatePolicy::Max), 0.75);
        assert_eq!(p(DuplicatePolicy::First), 0.5);
        assert_eq!(p(DuplicatePolicy::Last), 0.75);
        assert!((p(DuplicatePolicy::NoisyOr) - 0.875).abs() < 1e-6);
        let mut b = GraphBuilder::new(GraphOptions {
            duplicates: DuplicatePolicy::Error,
            undirected: false,
        });
        b.add_edge_ints(1, 2, None).unwrap();
        b.add_edge_ints(1, 2, None).unwrap();
        let e = b.build().unwrap_err();
        assert!(matches!(e, Error::DuplicateEdge { ref from, ref to } if from == "1" && to == "2"));
    }

    #[test]
    fn undirected_adds_both_directions_and_merges_reciprocal_pairs() {
        let mut b = GraphBuilder::new(GraphOptions {
            undirected: true,
            ..Default::default()
        });
        b.add_edge_ints(0, 1, None).unwrap();
        b.add_edge_ints(1, 0, None).unwrap();
        b.add_edge_ints(1, 2, None).unwrap();
        let (g, r) = b.build().unwrap();
        assert_eq!(g.edge_count(), 4);
        assert_eq!(r.duplicates_merged, 2);
        assert_eq!(g.out_csr().probs(0), &[1.0]);
    }

    #[test]
    fn bad_probability_names_the_edge() {
        let mut b = GraphBuilder::new(GraphOptions::default());
        let e = b.add_edge("a", "b", Some(f64::NAN)).unwrap_err();
        assert!(e.to_string().contains("a -> b"), "{e}");
        let e = b.add_edge("a", "b", Some(1.5)).unwrap_err();
        assert!(matches!(e, Error::InvalidProbability { value, .. } if value == 1.5));
        b.add_edge("a", "b", Some(0.5)).unwrap();
        let e = b.add_edge("a", "c", None).unwrap_err();
        assert!(e.to_string().contains("give all or none"), "{e}");
    }

    #[test]
    fn from_edges_validates() {
        let e = Graph::from_edges(
            2,
            &[0, 1],
            &[1, 2],
            None,
            NodeIds::identity(2),
            GraphOptions::default(),
        )
        .unwrap_err();
        assert!(matches!(e, Error::UnknownNode { ref id, .. } if id == "2"));
        let e = Graph::from_edges(
            3,
            &[0, 1],
            &[1, 2],
            Some(&[0.5, -0.1]),
            NodeIds::identity(3),
            GraphOptions::default(),
        )
        .unwrap_err();
        assert!(matches!(e, Error::InvalidProbability { ref from, .. } if from == "1"));
    }

    #[test]
    fn petgraph_round_trip() {
        let (g, _) = tiny(GraphOptions::default());
        let pg = g.to_petgraph();
        assert_eq!(pg.node_count(), 3);
        assert_eq!(pg.edge_count(), 3);
        let (h, _) = Graph::from_petgraph(&pg, |&p| Some(p as f64), DuplicatePolicy::Max).unwrap();
        assert_eq!(h.out_csr().neighbors, g.out_csr().neighbors);
        assert_eq!(h.out_csr().probs, g.out_csr().probs);
        assert_eq!(h.in_csr().probs, g.in_csr().probs);
    }

    #[test]
    fn parallel_build_is_identical_on_any_thread_count() {
        // Enough records for several parts, with duplicates, self-loops and hubs.
        let n = 5_000u32;
        let mut rng = crate::rng::stream(7, 0);
        let mut src = Vec::new();
        let mut dst = Vec::new();
        let mut probs = Vec::new();
        for i in 0..300_000u64 {
            let u = (crate::rng::below(&mut rng, n as u64) as u32) % (1 + (i % 50) as u32 * 100);
            src.push(u.min(n - 1));
            dst.push(crate::rng::below(&mut rng, n as u64) as u32);
            probs.push((i % 7) as f32 / 7.0);
        }
        let build = |threads: usize, undirected: bool, duplicates: DuplicatePolicy| {
            rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .unwrap()
                .install(|| {
                    Graph::from_edges(
                        n,
                        &src,
                        &dst,
                        Some(&probs),
                        NodeIds::identity(n),
                        GraphOptions {
                            undirected,
                            duplicates,
                        },
                    )
                    .unwrap()
                })
        };
        for (undirected, policy) in [
            (false, DuplicatePolicy::First),
            (true, DuplicatePolicy::Last),
            (false, DuplicatePolicy::NoisyOr),
        ] {
            let (a, ra) = build(1, undirected, policy);
            let (b, rb) = build(3, undirected, policy);
            assert_eq!(ra, rb);
            assert_eq!(a.out_offsets, b.out_offsets);
            assert_eq!(a.out_targets, b.out_targets);
            assert_eq!(a.out_probs, b.out_probs);
            assert_eq!(a.in_offsets, b.in_offsets);
            assert_eq!(a.in_sources, b.in_sources);
            assert_eq!(a.in_probs, b.in_probs);
            // In-lists are sorted by source and carry the probability of the same edge.
            for v in 0..n {
                let inn = a.in_csr();
                assert!(inn.neighbors(v).windows(2).all(|w| w[0] < w[1]));
                for (&u, &p) in inn.neighbors(v).iter().zip(inn.probs(v)) {
                    let out = a.out_csr();
                    let k = out.neighbors(u).binary_search(&v).unwrap();
                    assert_eq!(out.probs(u)[k], p);
                }
            }
        }
    }

    #[test]
    fn two_pass_scatter_equals_a_sequential_counting_sort() {
        // More buckets than DIRECT_BUCKETS (and not a power of two), so the two-pass path runs,
        // with items that emit zero, one or two values.
        let buckets = DIRECT_BUCKETS * 3 + 12_345;
        let mut rng = crate::rng::stream(11, 0);
        let items: Vec<(usize, usize)> = (0..400_000)
            .map(|_| {
                let a = crate::rng::below(&mut rng, buckets as u64) as usize;
                let b = crate::rng::below(&mut rng, 64) as usize;
                (a, b)
            })
            .collect();
        let emit = |i: usize, sink: &mut dyn FnMut(usize, u64)| {
            let (a, b) = items[i];
            if b == 0 {
                return;
            }
            sink(a, i as u64);
            if b < 8 {
                sink(buckets - 1 - (a % 1000), (i as u64) << 20);
            }
        };
        // The reference: a plain sequential stable counting sort.
        let mut lists: Vec<Vec<u64>> = vec![Vec::new(); buckets];
        for i in 0..items.len() {
            emit(i, &mut |k, v| lists[k].push(v));
        }
        let mut want_offsets = vec![0usize];
        let mut want = Vec::new();
        for l in &lists {
            want.extend_from_slice(l);
            want_offsets.push(want.len());
        }
        for threads in [1, 3] {
            let (offsets, got) = rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .unwrap()
                .install(|| bucket_scatter(&even_parts(items.len()), buckets, emit));
            assert_eq!(offsets, want_offsets, "{threads} threads");
            assert_eq!(got, want, "{threads} threads");
        }
    }

    #[test]
    fn first_repeat_finds_the_earliest_second_occurrence() {
        for n in [10usize, 100_000] {
            assert_eq!(first_repeat(&[3, 1, 4, 1, 5, 3], n), Some(3));
            assert_eq!(first_repeat(&[3, 1, 4], n), None);
            assert_eq!(first_repeat(&[], n), None);
            assert_eq!(first_repeat(&[7, 7], n), Some(1));
        }
    }

    #[test]
    fn balanced_ranges_cover_all_nodes() {
        let offsets = [0, 5, 5, 6, 20, 21];
        let r = balanced_ranges(&offsets, 3);
        assert_eq!(r.first().unwrap().0, 0);
        assert_eq!(r.last().unwrap().1, 5);
        for w in r.windows(2) {
            assert_eq!(w[0].1, w[1].0);
        }
    }
}
