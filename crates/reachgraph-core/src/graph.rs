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
//! post"); apply a [`WeightScheme`] for cascades. Given probabilities that are all one value
//! (an edge list whose third column is a constant) are held as that value, not per edge: under
//! [`WeightScheme::Given`] the kernels then read it as they read a constant scheme, with the
//! same answers, and neither a per-edge array nor the in → out map is held for it.
//!
//! ## Sharing
//! A graph is its [`Topology`] (the CSR arrays and ids), its probabilities and its attributes,
//! each behind an `Arc`: cloning a graph copies pointers, and [`Graph::with_weights`] or
//! [`Graph::set_weights`] allocate only the new probability arrays.
//!
//! ## Probabilities on demand
//! Setting a scheme validates it and computes nothing: each direction's probability array is
//! computed from the scheme the first time a kernel asks for it ([`Graph::out_csr`],
//! [`Graph::in_csr`]) and then kept (shared by the clones made since the scheme was set). A
//! reverse-reachable sampler therefore holds only the in-edge probabilities (4 bytes per edge)
//! and forward reach only the out-edge ones. Both are computed from the edge's endpoints by
//! the same expression, so they equal what a gather through [`Topology::in_to_out`] gives, bit
//! for bit; only given probabilities are gathered. An input without probabilities holds no
//! probability array at all until one is asked for.

use crate::attrs::{Attributes, People};
use crate::buf::Buf;
use crate::error::{Error, Result};
use crate::ids::{NodeIds, NodeKey};
use crate::topology::{balanced_ranges, Topology};
use crate::weights::WeightScheme;
use crate::weights::{EdgeOrder, Given, InPerTarget};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use std::marker::PhantomData;
use std::sync::{Arc, OnceLock};

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

impl DuplicatePolicy {
    /// The probability of an edge given twice: `kept` (the copy kept so far) merged with
    /// `next` (the next copy in input order); `None` under [`DuplicatePolicy::Error`].
    pub(crate) fn combine(self, kept: f32, next: f32) -> Option<f32> {
        match self {
            DuplicatePolicy::Max => Some(if next > kept { next } else { kept }),
            DuplicatePolicy::First => Some(kept),
            DuplicatePolicy::Last => Some(next),
            DuplicatePolicy::NoisyOr => Some(1.0 - (1.0 - kept) * (1.0 - next)),
            DuplicatePolicy::Error => None,
        }
    }
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
    topo: Topology,
    /// The probabilities in force, per edge order, computed when first asked for.
    probs: Arc<LazyProbs>,
    /// Probabilities as given in the input (out-edge order, or one value for every edge), kept
    /// so schemes can be undone.
    given_probs: Option<Given>,
    weights: WeightScheme,
    attrs: Arc<Attributes>,
    people: Arc<People>,
}

/// The probability arrays of one weight scheme, each computed on first use.
#[derive(Debug)]
struct LazyProbs {
    /// The attributes as they were when the scheme was set (tier rates read them).
    attrs: Arc<Attributes>,
    /// Out-edge order.
    out: OnceLock<Buf<f32>>,
    /// In-edge order.
    inn: OnceLock<Buf<f32>>,
}

impl LazyProbs {
    fn empty(attrs: &Arc<Attributes>) -> Arc<LazyProbs> {
        Arc::new(LazyProbs {
            attrs: Arc::clone(attrs),
            out: OnceLock::new(),
            inn: OnceLock::new(),
        })
    }

    fn cell(&self, order: EdgeOrder) -> &OnceLock<Buf<f32>> {
        match order {
            EdgeOrder::Out => &self.out,
            EdgeOrder::In => &self.inn,
        }
    }
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
            g.add_node(self.ids().key(i));
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
        self.topo.node_count()
    }

    /// Number of directed edges.
    #[inline]
    pub fn edge_count(&self) -> usize {
        self.topo.edge_count()
    }

    /// The graph without probabilities and attributes: CSR arrays and ids.
    #[inline]
    pub fn topology(&self) -> &Topology {
        &self.topo
    }

    /// The probabilities in force in `order`, computed on the first call (see the
    /// [module docs](self#probabilities-on-demand)).
    ///
    /// Two threads asking at once may both compute the array (the first one stored wins and
    /// the other is dropped): no thread ever blocks, so a rayon task that asks from inside a
    /// parallel loop cannot deadlock on a computation that itself runs in parallel.
    fn probs_in(&self, order: EdgeOrder) -> &[f32] {
        let cell = self.probs.cell(order);
        if let Some(b) = cell.get() {
            return b;
        }
        let computed = self.weights.probabilities(
            &self.topo,
            &self.probs.attrs,
            self.given_probs.as_ref(),
            order,
        );
        // A concurrent caller may have stored first: the values are equal either way.
        let _ = cell.set(computed);
        cell.get().expect("set above")
    }

    /// Calls `f` with the out-order probabilities in force, in edge order, in consecutive
    /// pieces: the held array as one piece, or, when it is not held, computed about a million
    /// edges at a time into one reused buffer. A caller that only reads the probabilities once
    /// (a content hash) thereby never makes the graph hold them.
    pub fn visit_out_probabilities(&self, f: impl FnMut(&[f32])) {
        self.visit_probabilities(EdgeOrder::Out, f)
    }

    /// As [`Graph::visit_out_probabilities`], in in-edge order.
    pub fn visit_in_probabilities(&self, f: impl FnMut(&[f32])) {
        self.visit_probabilities(EdgeOrder::In, f)
    }

    fn visit_probabilities(&self, order: EdgeOrder, mut f: impl FnMut(&[f32])) {
        if let Some(b) = self.probs.cell(order).get() {
            f(b);
            return;
        }
        let rule = crate::weights::EdgeProbs::new(
            &self.weights,
            &self.topo,
            &self.probs.attrs,
            self.given_probs.as_ref(),
            order,
        );
        let offsets = rule.offsets;
        let mut buf = Vec::new();
        for (a, b) in balanced_ranges(offsets, (self.edge_count() >> 20).max(1)) {
            buf.clear();
            buf.resize(offsets[b] - offsets[a], 0f32);
            rule.fill(a, b, &mut buf);
            f(&buf);
        }
    }

    /// The in-edge probabilities as one value per target account, when the scheme in force
    /// gives them so (weighted cascade, constants, given probabilities that are one value; see
    /// [`InPerTarget`]) and the in-order array is not already held (computed or stored in a
    /// file: then reading it costs nothing more). Reverse-reachable sampling then reads `p(v)`
    /// and the graph never holds the array.
    pub(crate) fn in_per_target(&self) -> Option<InPerTarget> {
        if self.probs.inn.get().is_some() {
            return None;
        }
        self.per_target_rule()
    }

    /// The one-value-per-target rule of the probabilities in force, when they have one: that
    /// of the scheme ([`InPerTarget::of_scheme`]), or, under [`WeightScheme::Given`], the one
    /// value the input gave every edge ([`Given::Same`]).
    fn per_target_rule(&self) -> Option<InPerTarget> {
        match (&self.weights, &self.given_probs) {
            (WeightScheme::Given, Some(Given::Same(p))) => Some(InPerTarget::Constant(*p)),
            (scheme, _) => InPerTarget::of_scheme(scheme),
        }
    }

    /// The out-edge CSR arrays with an empty probability slice: for kernels that read only who
    /// follows whom (exact reach, coverage, hashing), so that the graph is not made to compute
    /// and hold the out-order probabilities (4 bytes per edge) it would otherwise build on the
    /// first [`Graph::out_csr`]. Its `probs` slice is empty: never call [`Csr::probs`] on it.
    pub(crate) fn out_csr_without_probabilities(&self) -> Csr<'_> {
        Csr {
            offsets: self.topo.out_offsets(),
            neighbors: self.topo.out_targets(),
            probs: &[],
        }
    }

    /// The out-edge probabilities as one value per *target* account (the same value
    /// [`Graph::in_per_target`] gives for its in-edges), when the scheme in force gives them so
    /// and the out-order array is not already held. Forward cascades then read `p(v)` from a
    /// table of 4 bytes per account (weighted cascade) or the one constant instead of making the
    /// graph hold 4 bytes per edge.
    pub(crate) fn out_per_target(&self) -> Option<InPerTarget> {
        if self.probs.out.get().is_some() {
            return None;
        }
        self.per_target_rule()
    }

    /// The in-edge CSR arrays with an empty probability slice: for kernels that read the
    /// probabilities from [`Graph::in_per_target`].
    pub(crate) fn in_csr_without_probabilities(&self) -> Csr<'_> {
        Csr {
            offsets: self.topo.in_offsets(),
            neighbors: self.topo.in_sources(),
            probs: &[],
        }
    }

    /// True when the probabilities of the given direction are held in memory or mapped (not
    /// to be computed on the next [`Graph::out_csr`] or [`Graph::in_csr`]): `(out, in)`.
    pub fn probabilities_held(&self) -> (bool, bool) {
        (
            self.probs.out.get().is_some(),
            self.probs.inn.get().is_some(),
        )
    }

    /// Out-edges (followers) in CSR form. The first call under a weight scheme computes the
    /// out-order probabilities (4 bytes per edge) unless a `.rgraph` file stored them.
    #[inline]
    pub fn out_csr(&self) -> Csr<'_> {
        Csr {
            offsets: self.topo.out_offsets(),
            neighbors: self.topo.out_targets(),
            probs: self.probs_in(EdgeOrder::Out),
        }
    }

    /// In-edges (followed accounts) in CSR form. The first call under a weight scheme computes
    /// the in-order probabilities (4 bytes per edge) unless a `.rgraph` file stored them.
    #[inline]
    pub fn in_csr(&self) -> Csr<'_> {
        Csr {
            offsets: self.topo.in_offsets(),
            neighbors: self.topo.in_sources(),
            probs: self.probs_in(EdgeOrder::In),
        }
    }

    /// Followers of `u` (accounts `v` with an edge `u → v`).
    #[inline]
    pub fn followers(&self, u: u32) -> &[u32] {
        self.topo.followers(u)
    }

    /// Number of followers of `u` (out-degree).
    #[inline]
    pub fn out_degree(&self, u: u32) -> usize {
        self.topo.out_degree(u)
    }

    /// Number of accounts `v` follows (in-degree).
    #[inline]
    pub fn in_degree(&self, v: u32) -> usize {
        self.topo.in_degree(v)
    }

    /// The external-id map.
    #[inline]
    pub fn ids(&self) -> &NodeIds {
        self.topo.ids()
    }

    /// External id of dense id `i` as text.
    pub fn label(&self, i: u32) -> String {
        self.topo.label(i)
    }

    /// Dense id of an external id written as text.
    ///
    /// # Errors
    /// [`Error::UnknownNode`] when the graph has no such account.
    pub fn node(&self, token: &str) -> Result<u32> {
        self.ids().lookup(token).ok_or_else(|| Error::UnknownNode {
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
                .ids()
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

    /// The attributes behind their shared pointer (the people read person names from it).
    #[cfg(test)]
    pub(crate) fn attributes_arc(&self) -> Arc<Attributes> {
        Arc::clone(&self.attrs)
    }

    /// Replaces the node attributes (validated against this graph).
    pub fn set_attributes(&mut self, attrs: Attributes) -> Result<()> {
        attrs.check_len(self.node_count())?;
        let attrs = Arc::new(attrs);
        let people = People::derive(&attrs, &self.topo)?;
        self.attrs = attrs;
        self.people = Arc::new(people);
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

    /// True when the given probabilities are held one per edge (4 bytes per edge, and the
    /// in → out map to gather them in in-edge order); false without given probabilities or
    /// when the input gave every edge the same one, which is then held once.
    pub fn has_per_edge_given_probabilities(&self) -> bool {
        matches!(self.given_probs, Some(Given::PerEdge(_)))
    }

    /// Sets every edge probability by `scheme` (in both directions).
    ///
    /// # Errors
    /// [`Error::InvalidParameter`] for a constant outside [0, 1] or [`WeightScheme::Given`] on
    /// a graph whose input gave no probabilities; [`Error::MissingAttribute`] for tier rates
    /// without tiers.
    ///
    /// Nothing is computed here: each direction's probabilities are computed when a kernel
    /// first asks for them (see the [module docs](self#probabilities-on-demand)), from the
    /// attributes as they are now.
    pub fn set_weights(&mut self, scheme: &WeightScheme) -> Result<()> {
        scheme.validate(self.given_probs.as_ref())?;
        // The old arrays go first (they may be shared with another graph, which keeps them).
        self.probs = LazyProbs::empty(&self.attrs);
        if let (WeightScheme::Given, Some(Given::PerEdge(g))) = (scheme, &self.given_probs) {
            // The given array is the out-order array in force: no copy.
            let _ = self.probs.out.set(g.clone());
        }
        self.weights = scheme.clone();
        Ok(())
    }

    /// This graph with every edge probability set by `scheme`; it shares the topology and
    /// attributes of `self`, so only the probability arrays are new.
    ///
    /// # Errors
    /// As [`Graph::set_weights`].
    pub fn with_weights(&self, scheme: &WeightScheme) -> Result<Graph> {
        let mut g = self.clone();
        g.set_weights(scheme)?;
        Ok(g)
    }

    /// Replaces the probabilities with given ones in out-edge order (as [`Graph::out_csr`]).
    /// Probabilities that are all one value are held as that value (see
    /// [`Graph::has_per_edge_given_probabilities`]).
    pub fn set_probabilities(&mut self, probs: Vec<f32>) -> Result<()> {
        if probs.len() != self.edge_count() {
            return Err(Error::LengthMismatch {
                column: "probabilities".into(),
                got: probs.len(),
                expected: self.edge_count(),
            });
        }
        self.check_probabilities(&probs)?;
        self.given_probs = Some(Given::of(probs.into()));
        self.set_weights(&WeightScheme::Given)
    }

    fn check_probabilities(&self, probs: &[f32]) -> Result<()> {
        if let Some(e) = probs
            .par_iter()
            .position_first(|p| !(0.0..=1.0).contains(p))
        {
            let u = self.topo.out_offsets().partition_point(|&o| o <= e) - 1;
            return Err(Error::InvalidProbability {
                from: self.label(u as u32),
                to: self.label(self.topo.out_targets()[e]),
                value: probs[e] as f64,
            });
        }
        Ok(())
    }

    /// A graph from parts read from a `.rgraph` file. `probs` are the stored probabilities in
    /// force (out order, in order); when `None`, they are computed from `weights` when first
    /// used (the caller has checked that `weights` applies: a stored scheme without stored
    /// probabilities is a constant). `attrs`: the file's attribute columns (checked and their
    /// people derived here; [`Error::LengthMismatch`] or the errors of
    /// [`Graph::set_attributes`]), or `None` for the defaults.
    pub(crate) fn from_parts(
        topo: Topology,
        probs: Option<(Buf<f32>, Buf<f32>)>,
        given: Option<Given>,
        weights: WeightScheme,
        attrs: Option<Attributes>,
    ) -> Result<Graph> {
        let n = topo.node_count();
        // Given attributes are checked and their people derived before the graph holds them:
        // no default columns or identity people are built first only to be replaced.
        let (attrs, people) = match attrs {
            Some(a) => {
                a.check_len(n)?;
                let a = Arc::new(a);
                let people = People::derive(&a, &topo)?;
                (a, people)
            }
            None => (Arc::new(Attributes::new(n)), People::identity(n)),
        };
        let lazy = LazyProbs::empty(&attrs);
        if let Some((out, inn)) = probs {
            let _ = lazy.out.set(out);
            let _ = lazy.inn.set(inn);
        }
        Ok(Graph {
            topo,
            probs: lazy,
            given_probs: given,
            weights,
            attrs,
            people: Arc::new(people),
        })
    }

    /// The probability arrays in force (out order, in order; computed if not yet held).
    pub(crate) fn probability_arrays(&self) -> (&[f32], &[f32]) {
        (self.probs_in(EdgeOrder::Out), self.probs_in(EdgeOrder::In))
    }

    /// The probabilities as the input gave them.
    pub(crate) fn given(&self) -> Option<&Given> {
        self.given_probs.as_ref()
    }

    /// Bytes held by the graph's arrays now (not counting ids and attributes): the CSR arrays
    /// (16 bytes per account, 8 per edge, and 4 per edge for the in → out map when it is held:
    /// with per-edge given probabilities, or after [`Topology::in_to_out`] built it) and the
    /// probability arrays held so far (4 bytes per edge and direction; none before a kernel
    /// asks). Arrays shared with other graphs or mapped from a file count in full; the given
    /// probabilities count once when they are also the probabilities in force, and not at all
    /// when they are one value.
    pub fn memory_bytes(&self) -> usize {
        let n = self.node_count() + 1;
        let m = self.edge_count();
        let out = self.probs.out.get();
        let held = out.map_or(0, |b| b.len() * 4) + self.probs.inn.get().map_or(0, |b| b.len() * 4);
        let given = match (&self.given_probs, out) {
            (Some(Given::PerEdge(g)), Some(o)) if Buf::ptr_eq(g, o) => 0,
            (Some(Given::PerEdge(g)), _) => g.len() * 4,
            (Some(Given::Same(_)) | None, _) => 0,
        };
        let map = self.topo.in_to_out_if_held().map_or(0, |t| t.len() * 4);
        2 * n * std::mem::size_of::<usize>() + m * 2 * 4 + map + held + given
    }
}

impl AsRef<Topology> for Graph {
    fn as_ref(&self) -> &Topology {
        &self.topo
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

/// Where one part writes the values of one bucket: its next slot and the end of its range.
#[derive(Debug, Clone, Copy, Default)]
struct Cursor {
    next: usize,
    end: usize,
}

/// The output of a scatter pass, written by several threads at once through a raw pointer,
/// each into its own ranges of slots. It borrows the output mutably, so nothing else touches
/// the output while it exists.
struct SharedSlots<'a, T> {
    ptr: *mut T,
    len: usize,
    _out: PhantomData<&'a mut [T]>,
}
// SAFETY: the slots are only written through `push`, whose contract gives every thread its
// own slots, and `T: Send` lets values written on one thread be read on another.
unsafe impl<T: Send> Send for SharedSlots<'_, T> {}
// SAFETY: as for `Send`: sharing `&SharedSlots` only allows `push`.
unsafe impl<T: Send> Sync for SharedSlots<'_, T> {}

impl<'a, T: Copy> SharedSlots<'a, T> {
    fn new(out: &'a mut [T]) -> Self {
        SharedSlots {
            ptr: out.as_mut_ptr(),
            len: out.len(),
            _out: PhantomData,
        }
    }

    /// Writes `v` at the cursor and advances it.
    ///
    /// # Panics
    /// When the cursor's range is full: the items yielded more values for this bucket than
    /// they did when counted.
    ///
    /// # Safety
    /// `cur.end` is at most the output's length, and no other thread writes any slot of
    /// `cur.next..cur.end` while this cursor is in use.
    #[inline]
    unsafe fn push(&self, cur: &mut Cursor, v: T) {
        debug_assert!(cur.end <= self.len, "cursor range ends past the output");
        // A real check, not a debug one: it is all that keeps a miscounting `emit` inside
        // this cursor's range, and it costs a compare on a line the write loads anyway.
        assert!(
            cur.next < cur.end,
            "scatter: an item yielded more values for a bucket than when counted"
        );
        // SAFETY: `cur.next < cur.end <= len` keeps the write inside the output, which `self`
        // borrows mutably; no other thread writes this slot (the caller's promise). `T: Copy`,
        // so overwriting the initialized value drops nothing.
        unsafe { self.ptr.add(cur.next).write(v) }
        cur.next += 1;
    }
}

/// A stable, parallel counting sort.
///
/// `emit(i, sink)` calls `sink(bucket, value)` for the values item `i` contributes (zero or
/// more, each `bucket < buckets`). Items are processed in `parts` (contiguous item ranges, in
/// order). Returns bucket offsets (`buckets + 1` entries) and the values grouped by bucket,
/// each bucket in item order: exactly what a sequential counting sort gives, for any number
/// of threads.
///
/// `emit` runs twice per item (once to count, once to write) and must yield the same pairs
/// both times; if it does not, this panics (it never writes outside the counted slots).
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
    let (coarse_offsets, pairs): (Vec<usize>, Vec<(usize, T)>) =
        scatter_pass(parts, coarse, |i, sink| {
            emit(i, &mut |k, v| sink(k >> shift, (k, v)))
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
        for_each_parallel(jobs, |(src, dst, offs, base)| {
            let mask = fine - 1;
            let mut count = vec![0usize; offs.len()];
            for &(k, _) in src {
                count[k & mask] += 1;
            }
            let mut at = 0;
            for (c, o) in count.iter_mut().zip(offs.iter_mut()) {
                *o = base + at;
                let n = *c;
                *c = at;
                at += n;
            }
            for &(k, v) in src {
                let c = &mut count[k & mask];
                dst[*c] = v;
                *c += 1;
            }
        });
    }
    offsets[buckets] = out.len();
    (offsets, out)
}

/// Up to this many buckets, [`bucket_scatter`] sorts in one pass. Miri runs the two-pass path
/// on small inputs.
const DIRECT_BUCKETS: usize = if cfg!(miri) { 1 << 6 } else { 1 << 16 };
/// The most coarse ranges [`bucket_scatter`]'s first pass writes to at once.
const COARSE_BUCKETS: usize = if cfg!(miri) { 1 << 3 } else { 1 << 11 };

/// One stable counting-sort pass of [`bucket_scatter`]: `emit` yields `(bucket, value)` pairs,
/// stored grouped by bucket, each bucket in item order.
///
/// # Panics
/// When `emit` yields a bucket `>= buckets`, or different pairs when writing than when
/// counting.
fn scatter_pass<T, E>(parts: &[(usize, usize)], buckets: usize, emit: E) -> (Vec<usize>, Vec<T>)
where
    T: Copy + Default + Send + Sync,
    E: Fn(usize, &mut dyn FnMut(usize, T)) + Sync,
{
    // Count per part.
    let mut counts: Vec<Vec<usize>> = vec![Vec::new(); parts.len()];
    for_each_parallel(
        parts.iter().zip(counts.iter_mut()).collect(),
        |(&(a, b), c)| {
            *c = vec![0usize; buckets];
            for i in a..b {
                emit(i, &mut |k, _| c[k] += 1);
            }
        },
    );
    // Offsets, then each part's range in each bucket (parts in order keep it stable). The
    // ranges tile `0..total` without overlap; checked sums keep that true for any counts.
    let mut offsets = vec![0usize; buckets + 1];
    let mut cursors: Vec<Vec<Cursor>> = vec![vec![Cursor::default(); buckets]; parts.len()];
    for k in 0..buckets {
        let mut at = offsets[k];
        for (c, cur) in counts.iter().zip(cursors.iter_mut()) {
            let end = at
                .checked_add(c[k])
                .expect("scatter: value count overflows usize");
            cur[k] = Cursor { next: at, end };
            at = end;
        }
        offsets[k + 1] = at;
    }
    drop(counts);
    let mut out = vec![T::default(); offsets[buckets]];
    let slots = SharedSlots::new(&mut out);
    // Every part writes its own slots.
    for_each_parallel(
        parts.iter().zip(cursors.iter_mut()).collect(),
        |(&(a, b), cur)| {
            for i in a..b {
                emit(i, &mut |k, v| {
                    // SAFETY: `cur[k]` is this part's range of bucket `k`, built above: the
                    // ranges of all (part, bucket) pairs are disjoint and end at most at
                    // `out.len()`, and only this closure (one thread) holds this part's
                    // cursors, so no other thread writes into the range.
                    unsafe { slots.push(&mut cur[k], v) }
                });
            }
        },
    );
    // A part that yielded fewer values than it counted left default values behind.
    assert!(
        cursors.iter().flatten().all(|c| c.next == c.end),
        "scatter: an item yielded fewer values for a bucket than when counted"
    );
    (offsets, out)
}

/// Runs `f` on every job, in parallel: on rayon's pool, or under Miri on one scoped thread
/// per job (Miri's Stacked Borrows check trips over crossbeam-epoch inside rayon, and real
/// threads keep its data-race check on the scatter's shared writes).
fn for_each_parallel<J: Send>(jobs: Vec<J>, f: impl Fn(J) + Sync) {
    let f = &f;
    if cfg!(miri) {
        std::thread::scope(|s| {
            let threads: Vec<_> = jobs.into_iter().map(|j| s.spawn(move || f(j))).collect();
            for t in threads {
                // Rethrow a job's own panic, as rayon does, not the scope's generic one.
                if let Err(e) = t.join() {
                    std::panic::resume_unwind(e);
                }
            }
        });
    } else {
        jobs.into_par_iter().for_each(f);
    }
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
                        p = policy.combine(p, pq).ok_or_else(|| Error::DuplicateEdge {
                            from: ids.label(u as u32),
                            to: ids.label(t as u32),
                            at: None,
                        })?;
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
    // Probabilities only when the input gave them: without, the graph holds none until a
    // kernel asks (then computed from the scheme).
    let mut out_probs = if given { vec![0f32; m] } else { Vec::new() };
    let fill = |c: usize, ts: &mut [u32], mut ps: Option<&mut [f32]>| {
        let start = c << 16;
        let mut u = out_offsets.partition_point(|&o| o <= start) - 1;
        for (k, t) in ts.iter_mut().enumerate() {
            let e = start + k;
            while out_offsets[u + 1] <= e {
                u += 1;
            }
            let x = packed[offsets[u] + (e - out_offsets[u])];
            *t = (x >> 32) as u32;
            if let Some(ps) = ps.as_deref_mut() {
                ps[k] = f32::from_bits(x as u32);
            }
        }
    };
    if given {
        out_targets
            .par_chunks_mut(1 << 16)
            .zip(out_probs.par_chunks_mut(1 << 16))
            .enumerate()
            .for_each(|(c, (ts, ps))| fill(c, ts, Some(ps)));
    } else {
        out_targets
            .par_chunks_mut(1 << 16)
            .enumerate()
            .for_each(|(c, ts)| fill(c, ts, None));
    }
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
    // Given probabilities that are all one value are held as that value, without the array.
    let given = given.then(|| Given::of(out_probs.into()));
    // The in -> out map is kept only for per-edge given probabilities, the one use of it (see
    // `Topology::in_to_out`, which builds it on demand otherwise).
    let (in_sources, in_to_out): (Vec<u32>, Option<Vec<u32>>) =
        if matches!(given, Some(Given::PerEdge(_))) {
            let (s, map) = rev
                .par_iter()
                .map(|&x| ((x >> 32) as u32, x as u32))
                .unzip();
            (s, Some(map))
        } else {
            (rev.par_iter().map(|&x| (x >> 32) as u32).collect(), None)
        };
    drop(rev);
    let report = BuildReport {
        nodes: nn,
        edges: m,
        records,
        self_loops_dropped: self_loops,
        duplicates_merged,
    };
    let attrs = Arc::new(Attributes::new(nn));
    let graph = Graph {
        topo: Topology::new(
            out_offsets,
            out_targets,
            in_offsets,
            in_sources,
            in_to_out,
            ids,
        ),
        probs: LazyProbs::empty(&attrs),
        // The input's probabilities are those in force until a scheme replaces them.
        weights: if given.is_some() {
            WeightScheme::Given
        } else {
            WeightScheme::Constant { p: 1.0 }
        },
        given_probs: given,
        attrs,
        people: Arc::new(People::identity(nn)),
    };
    if let Some(Given::PerEdge(g)) = &graph.given_probs {
        let _ = graph.probs.out.set(g.clone());
    }
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

/// Miri: `cargo +nightly miri test -p reachgraph-core --lib graph::` runs the scatter tests
/// (all of this module's `unsafe`, on real threads). Tests that build graphs go through rayon,
/// whose crossbeam-epoch fails Miri's default Stacked Borrows check; they pass under
/// `MIRIFLAGS="-Zmiri-tree-borrows -Zmiri-permissive-provenance -Zmiri-ignore-leaks"` (rayon's
/// pool outlives the tests) with `-- --include-ignored` (the two big tests take hours there).
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
    #[cfg_attr(miri, ignore = "rayon: needs MIRIFLAGS=-Zmiri-tree-borrows")]
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
    #[cfg_attr(miri, ignore = "rayon: needs MIRIFLAGS=-Zmiri-tree-borrows")]
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
        assert!(
            matches!(e, Error::DuplicateEdge { ref from, ref to, .. } if from == "1" && to == "2")
        );
    }

    #[test]
    #[cfg_attr(miri, ignore = "rayon: needs MIRIFLAGS=-Zmiri-tree-borrows")]
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
    #[cfg_attr(miri, ignore = "rayon: needs MIRIFLAGS=-Zmiri-tree-borrows")]
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
    #[cfg_attr(miri, ignore = "rayon: needs MIRIFLAGS=-Zmiri-tree-borrows")]
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
    #[cfg_attr(miri, ignore)] // 300k records: minutes under Miri; the small tests below cover it
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
            assert_same_arrays(&a, &b);
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

    fn assert_same_arrays(a: &Graph, b: &Graph) {
        let (ta, tb) = (a.topology(), b.topology());
        assert_eq!(ta.out_offsets(), tb.out_offsets());
        assert_eq!(ta.out_targets(), tb.out_targets());
        assert_eq!(ta.in_offsets(), tb.in_offsets());
        assert_eq!(ta.in_sources(), tb.in_sources());
        assert_eq!(ta.in_to_out(), tb.in_to_out());
        assert_eq!(a.out_csr().probs, b.out_csr().probs);
        assert_eq!(a.in_csr().probs, b.in_csr().probs);
    }

    /// A sequential stable counting sort: what [`bucket_scatter`] must return.
    fn counting_sort(
        items: usize,
        buckets: usize,
        emit: impl Fn(usize, &mut dyn FnMut(usize, u64)),
    ) -> (Vec<usize>, Vec<u64>) {
        let mut lists: Vec<Vec<u64>> = vec![Vec::new(); buckets];
        for i in 0..items {
            emit(i, &mut |k, v| lists[k].push(v));
        }
        let mut offsets = vec![0usize];
        let mut values = Vec::new();
        for l in &lists {
            values.extend_from_slice(l);
            offsets.push(values.len());
        }
        (offsets, values)
    }

    /// `0..len` in `parts` contiguous ranges, some of them empty.
    fn ragged_parts(len: usize, parts: usize) -> Vec<(usize, usize)> {
        (0..parts)
            .map(|p| (len * p / parts, len * (p + 1) / parts))
            .collect()
    }

    fn pool(threads: usize) -> rayon::ThreadPool {
        rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap()
    }

    /// `f` in a pool of `threads` (Miri: on this thread; the scatter spawns its own).
    fn in_pool<R: Send>(threads: usize, f: impl FnOnce() -> R + Send) -> R {
        if cfg!(miri) {
            f()
        } else {
            pool(threads).install(f)
        }
    }

    #[test]
    fn small_scatters_equal_a_sequential_counting_sort() {
        // Small enough for Miri; bucket counts on both sides of DIRECT_BUCKETS as Miri sets it.
        for (items, buckets) in [
            (0, 1),
            (1, 1),
            (40, 7),
            (300, 70),
            (500, DIRECT_BUCKETS * 3 + 5),
        ] {
            let emit = |i: usize, sink: &mut dyn FnMut(usize, u64)| {
                let h = crate::rng::splitmix64(i as u64);
                for j in 0..h % 3 {
                    sink((h >> (8 * j)) as usize % buckets, (i as u64) << 8 | j);
                }
            };
            let want = counting_sort(items, buckets, emit);
            for (threads, parts) in [(1, 1), (2, 3), (3, 5)] {
                let got = in_pool(threads, || {
                    bucket_scatter(&ragged_parts(items, parts), buckets, emit)
                });
                assert_eq!(got, want, "{items} items, {buckets} buckets, {parts} parts");
            }
        }
    }

    #[test]
    #[should_panic(expected = "more values for a bucket than when counted")]
    fn an_emit_that_yields_more_when_writing_panics() {
        let calls = std::sync::atomic::AtomicUsize::new(0);
        bucket_scatter::<u64, _>(&[(0, 2), (2, 4)], 3, |i, sink| {
            sink(i % 3, i as u64);
            // The second call of the last item (the write pass) adds a value the count missed.
            if i == 3 && calls.fetch_add(1, std::sync::atomic::Ordering::Relaxed) == 1 {
                sink(2, 99);
            }
        });
    }

    #[test]
    #[should_panic(expected = "fewer values for a bucket than when counted")]
    fn an_emit_that_yields_fewer_when_writing_panics() {
        let calls = std::sync::atomic::AtomicUsize::new(0);
        bucket_scatter::<u64, _>(&[(0, 2), (2, 4)], 3, |i, sink| {
            let skip = i == 3 && calls.fetch_add(1, std::sync::atomic::Ordering::Relaxed) == 1;
            if !skip {
                sink(i % 3, i as u64);
            }
        });
    }

    #[test]
    #[cfg_attr(miri, ignore = "rayon: needs MIRIFLAGS=-Zmiri-tree-borrows")]
    fn small_builds_are_identical_on_any_thread_count() {
        // A Miri-sized `parallel_build_is_identical_on_any_thread_count`: more nodes than
        // DIRECT_BUCKETS under Miri, so both scatter paths run.
        let n = 150u32;
        let mut rng = crate::rng::stream(5, 0);
        let mut src = Vec::new();
        let mut dst = Vec::new();
        for _ in 0..600 {
            src.push(crate::rng::below(&mut rng, n as u64 / 4) as u32);
            dst.push(crate::rng::below(&mut rng, n as u64) as u32);
        }
        let build = |threads: usize| {
            pool(threads).install(|| {
                Graph::from_edges(
                    n,
                    &src,
                    &dst,
                    None,
                    NodeIds::identity(n),
                    GraphOptions {
                        undirected: true,
                        duplicates: DuplicatePolicy::Max,
                    },
                )
                .unwrap()
            })
        };
        let (a, ra) = build(1);
        let (b, rb) = build(3);
        assert_eq!(ra, rb);
        assert_same_arrays(&a, &b);
    }

    #[test]
    #[cfg_attr(miri, ignore = "rayon: needs MIRIFLAGS=-Zmiri-tree-borrows")]
    fn a_reweighted_graph_shares_its_topology_and_answers_the_same() {
        let (g, _) = tiny(GraphOptions::default());
        let wc = g.with_weights(&WeightScheme::WeightedCascade).unwrap();
        assert!(wc.topology().shares_arrays(g.topology()));
        assert!(std::ptr::eq(wc.attributes(), g.attributes()));
        assert_eq!(wc.out_csr().neighbors, g.out_csr().neighbors);
        assert_eq!(wc.in_csr().neighbors, g.in_csr().neighbors);
        assert_eq!(wc.followers(0), g.followers(0));
        assert_eq!(wc.label(2), g.label(2));
        // Only the probabilities differ, and the original keeps its own.
        assert_eq!(g.out_csr().probs, &[0.75, 0.25, 1.0]);
        assert_eq!(wc.out_csr().probs, &[1.0, 0.5, 0.5]);
        assert_eq!(wc.in_csr().probs, &[1.0, 0.5, 0.5]);
        // Setting weights in place on a clone shares too, and back to the input's
        // probabilities gives the original graph's arrays.
        let mut h = wc.clone();
        h.set_weights(&WeightScheme::Given).unwrap();
        assert!(h.topology().shares_arrays(g.topology()));
        assert_same_arrays(&h, &g);
        let other = tiny(GraphOptions::default()).0;
        assert!(!other.topology().shares_arrays(g.topology()));
    }

    #[test]
    #[cfg_attr(miri, ignore)] // 400k items over 200k buckets: too slow under Miri
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
        let (want_offsets, want) = counting_sort(items.len(), buckets, emit);
        for threads in [1, 3] {
            let (offsets, got) =
                pool(threads).install(|| bucket_scatter(&even_parts(items.len()), buckets, emit));
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
