//! Where a response came from: the package version, a content hash of the graph as loaded,
//! the weight scheme, the model, the random seed and the request's parameters, so a figure
//! can be traced back and re-run.
//!
//! Every [`crate::Response`] carries a [`Provenance`] (in [`crate::Versioned`]), filled by
//! [`crate::run`] for any request: the parameters are the request as JSON; the graph hash and
//! weight scheme are those of each graph [`crate::GraphSpec::load`] built while the request
//! ran (recorded per thread, so concurrent requests on other threads do not mix).
//!
//! The hash ([`graph_hash`]) is a 128-bit hash, in hex, of the graph as loaded: account count,
//! the out-edge CSR (offsets and neighbours), the edge probabilities (their `f32` bits), the
//! external ids, and the attribute columns (platform, person, jurisdiction, target weight,
//! cost, followers, tier). It is computed sequentially over integers, so it is the same on
//! every platform and thread count; it changes when any edge, probability, id or attribute
//! does. Files layered on top of the loaded graph by a request (a `costs` CSV, a `target`
//! list) are named in `parameters`. Fields that never change the answer (`threads`,
//! `memory_limit_bytes`) are left out of it.

use reachgraph_core::rng::splitmix64;
use reachgraph_core::Graph;
use serde::{Deserialize, Serialize};
use std::cell::RefCell;

/// The package version that wrote a response.
pub const PACKAGE_VERSION: &str = env!("CARGO_PKG_VERSION");

/// Where a response came from. See the [module docs](self).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Provenance {
    /// The reachgraph package version.
    pub version: String,
    /// [`graph_hash`] of the graph the request loaded (several graphs: their hashes in load
    /// order, joined by `+`); absent when the request loads no graph (e.g. sketches).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub graph_hash: Option<String>,
    /// The weight scheme applied to the loaded graph (e.g. `{"scheme": "weighted_cascade"}`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub weights: Option<serde_json::Value>,
    /// The cascade model (`ic`, `lt`), when the request names one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub model: Option<serde_json::Value>,
    /// The random seed, when the request has one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seed: Option<serde_json::Value>,
    /// The request as JSON, defaults filled in: what re-runs it.
    #[serde(default)]
    pub parameters: serde_json::Value,
}

/// One graph built while a request ran: its hash and weight scheme.
#[derive(Debug, Clone)]
struct Loaded {
    hash: String,
    weights: serde_json::Value,
}

thread_local! {
    static LOADED: RefCell<Vec<Loaded>> = const { RefCell::new(Vec::new()) };
    static PARAMETERS: RefCell<serde_json::Value> = const { RefCell::new(serde_json::Value::Null) };
}

/// Records a graph built for the request running on this thread.
pub(crate) fn record(graph: &Graph) {
    let loaded = Loaded {
        hash: graph_hash(graph),
        weights: serde_json::to_value(graph.weight_scheme()).unwrap_or_default(),
    };
    LOADED.with(|l| l.borrow_mut().push(loaded));
}

/// Request fields that size the work but never change the answer: left out of `parameters`,
/// so the same request gives the same response on any thread count and memory limit.
const NOT_PARAMETERS: [&str; 2] = ["threads", "memory_limit_bytes"];

/// Starts a request on this thread: its JSON (less [`NOT_PARAMETERS`]), and no graphs yet.
pub(crate) fn begin(mut parameters: serde_json::Value) {
    if let Some(o) = parameters.as_object_mut() {
        for k in NOT_PARAMETERS {
            o.remove(k);
        }
    }
    LOADED.with(|l| l.borrow_mut().clear());
    PARAMETERS.with(|p| *p.borrow_mut() = parameters);
}

/// Ends the request on this thread (forgets its parameters and graphs).
pub(crate) fn end() {
    begin(serde_json::Value::Null);
}

/// The provenance of the request running on this thread, from its JSON and the graphs it
/// recorded so far. Outside [`crate::run`], only the version.
pub(crate) fn take() -> Provenance {
    let parameters = PARAMETERS.with(|p| p.borrow().clone());
    let loaded = LOADED.with(|l| l.borrow().clone());
    let mut hashes: Vec<&str> = Vec::new();
    for l in &loaded {
        if !hashes.contains(&l.hash.as_str()) {
            hashes.push(&l.hash);
        }
    }
    let field = |name: &str| parameters.get(name).filter(|v| !v.is_null()).cloned();
    Provenance {
        version: PACKAGE_VERSION.to_string(),
        graph_hash: (!hashes.is_empty()).then(|| hashes.join("+")),
        weights: loaded.first().map(|l| l.weights.clone()),
        model: field("model"),
        seed: field("seed"),
        parameters,
    }
}

/// A 128-bit hash of a byte-free word stream: two lanes of multiply–rotate mixing, finalized
/// with SplitMix64.
#[derive(Debug, Clone)]
struct Hasher {
    a: u64,
    b: u64,
    words: u64,
}

impl Hasher {
    fn new() -> Self {
        Hasher {
            a: 0x7265_6163_6867_7261,
            b: 0x7068_2d68_6173_6831,
            words: 0,
        }
    }
    fn word(&mut self, w: u64) {
        let x = splitmix64(w ^ self.words.wrapping_mul(0x9E37_79B9_7F4A_7C15));
        self.a = (self.a ^ x)
            .wrapping_mul(0xA076_1D64_78BD_642F)
            .rotate_left(29);
        self.b = (self.b ^ x.rotate_left(32))
            .wrapping_mul(0xE703_7ED1_A0B4_28DB)
            .rotate_left(31);
        self.words += 1;
    }
    fn bytes(&mut self, s: &[u8]) {
        self.word(s.len() as u64);
        for c in s.chunks(8) {
            let mut w = [0u8; 8];
            w[..c.len()].copy_from_slice(c);
            self.word(u64::from_le_bytes(w));
        }
    }
    fn finish(&self) -> String {
        let a = splitmix64(self.a ^ self.words);
        let b = splitmix64(self.b ^ a);
        format!("{a:016x}{b:016x}")
    }
}

/// The content hash of `graph` as loaded: 32 hex digits. See the [module docs](self).
///
/// # Example
/// ```
/// use reachgraph_core::{GraphBuilder, GraphOptions};
/// let build = |p| {
///     let mut b = GraphBuilder::new(GraphOptions::default());
///     b.add_edge("a", "b", Some(p)).unwrap();
///     b.build().unwrap().0
/// };
/// let h = reachgraph_api::provenance::graph_hash(&build(0.5));
/// assert_eq!(h.len(), 32);
/// assert_eq!(h, reachgraph_api::provenance::graph_hash(&build(0.5)));
/// assert_ne!(h, reachgraph_api::provenance::graph_hash(&build(0.25)));
/// ```
pub fn graph_hash(graph: &Graph) -> String {
    let mut h = Hasher::new();
    let n = graph.node_count();
    h.word(n as u64);
    h.word(graph.edge_count() as u64);
    // The topology alone: `Graph::out_csr` would compute and keep the out-order probability
    // array (4 bytes per edge) that the streamed visit below avoids.
    let topo = graph.topology();
    for &o in topo.out_offsets() {
        h.word(o as u64);
    }
    for &v in topo.out_targets() {
        h.word(v as u64);
    }
    // Streamed: a graph that does not hold its out-order probabilities is not made to.
    graph.visit_out_probabilities(|piece| {
        for &p in piece {
            h.word(p.to_bits() as u64);
        }
    });
    for i in 0..n as u32 {
        h.bytes(graph.label(i).as_bytes());
    }
    let a = graph.attributes();
    for c in [&a.platform, &a.person, &a.jurisdiction] {
        for &code in &c.codes {
            h.word(code as u64);
        }
        for name in &c.names {
            h.bytes(name.as_bytes());
        }
    }
    for &w in a.target_weight.iter() {
        h.word(w.to_bits() as u64);
    }
    for &c in a.cost.iter() {
        h.word(c.to_bits());
    }
    for f in a.followers.iter() {
        h.word(f.map_or(u64::MAX, |x| x));
    }
    for t in a.tier.iter() {
        h.bytes(serde_json::to_string(&t).unwrap_or_default().as_bytes());
    }
    h.finish()
}

#[cfg(test)]
mod tests {
    use super::*;
    use reachgraph_core::{GraphBuilder, GraphOptions};

    fn graph(edges: &[(&str, &str, f64)]) -> Graph {
        let mut b = GraphBuilder::new(GraphOptions::default());
        for &(u, v, p) in edges {
            b.add_edge(u, v, Some(p)).unwrap();
        }
        b.build().unwrap().0
    }

    #[test]
    fn the_hash_sees_every_edge_probability_and_id() {
        let base = graph(&[("a", "b", 0.5), ("b", "c", 0.25)]);
        let h = graph_hash(&base);
        assert_eq!(h, graph_hash(&base.clone()));
        // The same graph built again hashes the same (the goldens pin the fixtures' hashes).
        assert_eq!(h, graph_hash(&graph(&[("a", "b", 0.5), ("b", "c", 0.25)])));
        for other in [
            graph(&[("a", "b", 0.5), ("b", "c", 0.3)]),
            graph(&[("a", "b", 0.5), ("c", "b", 0.25)]),
            graph(&[("a", "b", 0.5), ("b", "d", 0.25)]),
            graph(&[("a", "b", 0.5)]),
        ] {
            assert_ne!(h, graph_hash(&other));
        }
        let mut attrs = base.attributes().clone();
        attrs.cost[0] = 10.0;
        let mut costed = base.clone();
        costed.set_attributes(attrs).unwrap();
        assert_ne!(h, graph_hash(&costed));
    }

    #[test]
    fn a_request_takes_what_its_thread_recorded() {
        begin(serde_json::json!({"model": "ic", "seed": 4, "type": "select"}));
        let g = graph(&[("a", "b", 0.5)]);
        record(&g);
        record(&g);
        let p = take();
        assert_eq!(p.graph_hash.as_deref(), Some(graph_hash(&g).as_str()));
        assert_eq!(p.model, Some(serde_json::json!("ic")));
        assert_eq!(p.seed, Some(serde_json::json!(4)));
        assert_eq!(p.version, PACKAGE_VERSION);
        // Ended: the next request starts empty.
        end();
        assert_eq!(take().graph_hash, None);
        assert_eq!(take().parameters, serde_json::Value::Null);
    }
}
