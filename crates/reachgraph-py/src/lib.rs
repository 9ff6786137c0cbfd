//! Python bindings for reachgraph: the private module `reachgraph._reachgraph`.
//!
//! A thin layer over `reachgraph-core`: inputs are extracted while holding the GIL (numpy
//! arrays read in place), the work runs with the GIL released (`runtime.rs`), and results come
//! back as numpy arrays and plain dicts that the Python package wraps in result classes.
//! Conversions live in `convert.rs`, error mapping in `error.rs`.
//!
//! `spread`, `select`, `evaluate` and `margin` take one route: their arguments become the JSON
//! API's request (`SpreadRequest`, `SelectRequest`, `EvaluateRequest`, `MarginRequest`), which
//! runs on the graph in memory (`run_loaded`, `margin::run_margin_with`), so defaults and
//! checks are the JSON API's and the CLI's. Core configs are never built here.

mod convert;
mod error;
mod runtime;
mod sketch;

use convert::{
    check_len, id_array_keys, in_memory, labels, named, passed_apart, policy, py_key, resolve_ids,
    to_py,
};
use error::{api_err, core_err, invalid};
use numpy::{PyArray1, PyArray2, PyReadonlyArray1, ToPyArray};
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList};
use reachgraph_api::compare_api::compare_response;
use reachgraph_api::load::{GraphSpec, ScenarioSpec};
use reachgraph_api::margin::{self, MarginRequest};
use reachgraph_api::{summary_of, CompareRequest, EvaluateRequest, SelectRequest, SpreadRequest};
use reachgraph_core::attrs::{Categorical, Tier};
use reachgraph_core::cascade::Model;
use reachgraph_core::comm::Local;
use reachgraph_core::coverage;
use reachgraph_core::io::EdgeFormat;
use reachgraph_core::reach::{self, ReachOptions};
use reachgraph_core::select::Selection;
use reachgraph_core::{BuildReport, Graph, GraphBuilder, GraphOptions, WeightScheme};
use std::sync::{Arc, RwLock};

/// A selection as a dict: the core's fields, seeds as external ids, and `mean`/`stderr` of the
/// out-of-sample estimate.
/// What a `compare` on an in-memory graph ran on, as a JSON `compare` response records it:
/// the package version, the graph's content hash and weights, model, seed, and the request
/// with the seed sets by id (no graph path: the graph was built in Python).
fn compare_provenance(
    g: &Graph,
    r: &CompareRequest,
    c: &reachgraph_core::select::Comparison,
) -> reachgraph_api::provenance::Provenance {
    use reachgraph_api::provenance::{graph_hash, Provenance, PACKAGE_VERSION};
    let mut rr = r.clone();
    rr.seed_sets = c
        .sets
        .iter()
        .map(|s| reachgraph_api::load::IdList::Inline(s.seeds.clone()))
        .collect();
    let mut parameters = serde_json::to_value(&rr).unwrap_or_default();
    if let Some(o) = parameters.as_object_mut() {
        for k in ["graph", "threads", "memory_limit_bytes"] {
            o.remove(k);
        }
        o.insert("type".into(), "compare".into());
    }
    Provenance {
        version: PACKAGE_VERSION.to_string(),
        graph_hash: Some(graph_hash(g)),
        weights: serde_json::to_value(g.weight_scheme()).ok(),
        model: serde_json::to_value(r.model).ok(),
        seed: Some(r.seed.into()),
        parameters,
    }
}

fn selection_dict<'py>(py: Python<'py>, s: &Selection) -> PyResult<Bound<'py, PyAny>> {
    let d = to_py(py, s)?;
    d.set_item("seeds", to_py(py, &s.keys)?)?;
    d.set_item("mean", s.estimate.mean)?;
    d.set_item("stderr", s.estimate.stderr)?;
    Ok(d)
}

/// Source indexes, target indexes and probabilities of every edge.
type EdgeArrays<'py> = (
    Bound<'py, PyArray1<u32>>,
    Bound<'py, PyArray1<u32>>,
    Bound<'py, PyArray1<f32>>,
);

/// The frozen follower graph (wrapped by `reachgraph.Graph`).
///
/// `frozen`: every method takes `&self`, so threads sharing one Graph never meet pyo3's
/// borrow flag ("Already borrowed"). Readers take a snapshot of the `Arc` and work on it with
/// the GIL released; the few calls that change the graph (weights, attributes) swap in a new
/// version under the write lock (copy-on-write, so a snapshot in use is never changed).
#[pyclass(module = "reachgraph._reachgraph", name = "Graph", frozen)]
pub struct PyGraph {
    inner: RwLock<Arc<Graph>>,
    report: BuildReport,
    /// [`graph_hash`](reachgraph_api::provenance::graph_hash) of the graph it was computed
    /// on, kept while that graph is the current one (a changed graph is a new allocation or,
    /// changed in place, disassociated from this weak pointer by `Arc::make_mut`).
    hash: std::sync::Mutex<Option<(std::sync::Weak<Graph>, String)>>,
}

impl PyGraph {
    fn new(graph: Graph, report: BuildReport) -> Self {
        Self::shared(Arc::new(graph), report)
    }

    fn shared(graph: Arc<Graph>, report: BuildReport) -> Self {
        PyGraph {
            inner: RwLock::new(graph),
            report,
            hash: std::sync::Mutex::new(None),
        }
    }

    /// The graph as it is now; later changes to this Graph do not reach the snapshot.
    pub(crate) fn snapshot(&self) -> Arc<Graph> {
        // A poisoned lock means a setter panicked (already reported as an internal error);
        // later calls get the graph as it was left rather than a second, unrelated error.
        self.inner
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone()
    }

    /// Changes the graph with the GIL released, under the write lock.
    fn update<F>(&self, py: Python<'_>, change: F) -> PyResult<()>
    where
        F: FnOnce(&mut Graph) -> PyResult<()> + Send,
    {
        runtime::quick(py, || {
            let mut g = self
                .inner
                .write()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            change(Arc::make_mut(&mut g))
        })
    }

    /// Dense ids of an optional candidate list.
    fn candidate_ids(
        g: &Graph,
        candidates: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Option<Vec<u32>>> {
        candidates
            .map(|c| resolve_ids(g, c, "candidate list"))
            .transpose()
    }

    /// Sets the weight scheme when one is given and differs from the one in force, and
    /// returns the graph to run on, taken under the same write lock so that a concurrent call
    /// asking for another scheme cannot slip in between.
    fn apply_weights(&self, py: Python<'_>, weights: Option<&str>) -> PyResult<Arc<Graph>> {
        let Some(w) = weights else {
            return Ok(self.snapshot());
        };
        let scheme: WeightScheme = w.parse().map_err(core_err)?;
        runtime::quick(py, || {
            let mut g = self
                .inner
                .write()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            if &scheme != g.weight_scheme() {
                Arc::make_mut(&mut g)
                    .set_weights(&scheme)
                    .map_err(core_err)?;
            }
            Ok(g.clone())
        })
    }
}

fn opts(include_seeds: bool, target_only: bool) -> ReachOptions {
    ReachOptions {
        include_seeds,
        target_only,
    }
}

#[pymethods]
impl PyGraph {
    /// Builds a graph from two integer id arrays (int64, read in place, or uint64) and
    /// optional probabilities (float32).
    #[staticmethod]
    #[pyo3(signature = (src, dst, probabilities=None, undirected=false, duplicates="max"))]
    fn from_arrays(
        py: Python<'_>,
        src: &Bound<'_, PyAny>,
        dst: &Bound<'_, PyAny>,
        probabilities: Option<PyReadonlyArray1<'_, f32>>,
        undirected: bool,
        duplicates: &str,
    ) -> PyResult<Self> {
        let options = GraphOptions {
            undirected,
            duplicates: policy(duplicates)?,
        };
        let p = match &probabilities {
            Some(p) => Some(p.as_slice()?),
            None => None,
        };
        if let (Ok(src), Ok(dst)) = (
            src.extract::<PyReadonlyArray1<'_, i64>>(),
            dst.extract::<PyReadonlyArray1<'_, i64>>(),
        ) {
            check_len("dst", dst.len()?, src.len()?)?;
            if let Some(p) = p {
                check_len("probabilities", p.len(), src.len()?)?;
            }
            let (s, d) = (src.as_slice()?, dst.as_slice()?);
            let (g, r) = runtime::quick(py, || {
                Graph::from_id_arrays(s, d, p, options).map_err(core_err)
            })?;
            return Ok(PyGraph::new(g, r));
        }
        let s = id_array_keys(src, "src")?;
        let d = id_array_keys(dst, "dst")?;
        check_len("dst", d.len(), s.len())?;
        if let Some(p) = p {
            check_len("probabilities", p.len(), s.len())?;
        }
        let mut b = GraphBuilder::new(options);
        for (i, (u, v)) in s.into_iter().zip(d).enumerate() {
            b.add_edge(u, v, p.map(|p| p[i] as f64)).map_err(core_err)?;
        }
        let (g, r) = b.build().map_err(core_err)?;
        Ok(PyGraph::new(g, r))
    }

    /// Builds a graph from two lists of ids (ints or strs) and optional probabilities.
    #[staticmethod]
    #[pyo3(signature = (src, dst, probabilities=None, undirected=false, duplicates="max"))]
    fn from_id_lists(
        src: Vec<Bound<'_, PyAny>>,
        dst: Vec<Bound<'_, PyAny>>,
        probabilities: Option<Vec<f64>>,
        undirected: bool,
        duplicates: &str,
    ) -> PyResult<Self> {
        check_len("dst", dst.len(), src.len())?;
        if let Some(p) = &probabilities {
            check_len("probabilities", p.len(), src.len())?;
        }
        let key = |o: &Bound<'_, PyAny>, i: usize| py_key(o, "node id", i);
        let mut b = GraphBuilder::new(GraphOptions {
            undirected,
            duplicates: policy(duplicates)?,
        });
        for i in 0..src.len() {
            b.add_edge(
                key(&src[i], i)?,
                key(&dst[i], i)?,
                probabilities.as_ref().map(|p| p[i]),
            )
            .map_err(core_err)?;
        }
        let (g, r) = b.build().map_err(core_err)?;
        Ok(PyGraph::new(g, r))
    }

    /// Number of accounts.
    #[getter]
    fn node_count(&self) -> usize {
        self.snapshot().node_count()
    }

    /// Number of directed follow edges.
    #[getter]
    fn edge_count(&self) -> usize {
        self.snapshot().edge_count()
    }

    /// Number of people (accounts merged by the person attribute).
    #[getter]
    fn people_count(&self) -> usize {
        self.snapshot().people().count
    }

    /// What building the graph did: records, self-loops dropped, duplicates merged.
    #[getter]
    fn build_report<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        to_py(py, &self.report)
    }

    /// Content hash of the graph as it is now: the `provenance.graph_hash` a JSON response
    /// records for the same graph (structure and probabilities), computed once per version of
    /// the graph.
    #[getter]
    fn content_hash(&self, py: Python<'_>) -> PyResult<String> {
        let g = self.snapshot();
        let cached = |c: &Option<(std::sync::Weak<Graph>, String)>| {
            c.as_ref()
                .filter(|(w, _)| std::ptr::eq(w.as_ptr(), Arc::as_ptr(&g)))
                .map(|(_, h)| h.clone())
        };
        // The lock is never held across the GIL release (that could deadlock with a thread
        // waiting for it while holding the GIL): look, hash unlocked, then store.
        if let Some(h) = cached(
            &self
                .hash
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner),
        ) {
            return Ok(h);
        }
        let h = runtime::quick(py, || Ok(reachgraph_api::provenance::graph_hash(&g)))?;
        *self
            .hash
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner) =
            Some((Arc::downgrade(&g), h.clone()));
        Ok(h)
    }

    /// The weight scheme in force, as a dict.
    #[getter]
    fn weights<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        to_py(py, self.snapshot().weight_scheme())
    }

    /// External ids of all accounts, in dense-id order.
    fn ids<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyList>> {
        let g = self.snapshot();
        let all: Vec<u32> = (0..g.node_count() as u32).collect();
        labels(py, &g, &all)
    }

    /// Names of the people in person order (the order of the margin request's per-person
    /// arrays): the person attribute, or the account id of an unlinked account.
    fn people(&self) -> Vec<String> {
        let g = self.snapshot();
        let people = g.people();
        (0..people.count as u32)
            .map(|p| people.name(p, &*g))
            .collect()
    }

    /// Edges as three arrays: source dense ids, target dense ids, probabilities.
    fn edge_arrays<'py>(&self, py: Python<'py>) -> EdgeArrays<'py> {
        let g = self.snapshot();
        let out = g.out_csr();
        let mut src = Vec::with_capacity(g.edge_count());
        for u in 0..g.node_count() {
            src.extend(std::iter::repeat_n(u as u32, out.degree(u as u32)));
        }
        (
            PyArray1::from_vec(py, src),
            out.neighbors.to_pyarray(py),
            out.probs.to_pyarray(py),
        )
    }

    /// Follower counts (out-degrees) of the given accounts.
    fn out_degrees<'py>(
        &self,
        py: Python<'py>,
        accounts: &Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, PyArray1<u64>>> {
        let g = self.snapshot();
        let ids = resolve_ids(&g, accounts, "account list")?;
        Ok(PyArray1::from_vec(
            py,
            ids.iter().map(|&u| g.out_degree(u) as u64).collect(),
        ))
    }

    /// Sets every edge probability by a scheme: 'given', 'wc', 'const:P', 'trivalency[:SEED]', 'tier'.
    fn set_weights(&self, py: Python<'_>, scheme: &str) -> PyResult<()> {
        let s: WeightScheme = scheme.parse().map_err(core_err)?;
        self.update(py, |g| g.set_weights(&s).map_err(core_err))
    }

    /// Reads node attributes from a CSV keyed by account id.
    fn read_attributes(&self, py: Python<'_>, path: &str) -> PyResult<()> {
        let f = std::fs::File::open(path)
            .map_err(|e| error::ReachgraphIOError::new_err(format!("cannot open {path}: {e}")))?;
        let g = self.snapshot();
        let a = runtime::quick(py, || {
            reachgraph_core::io::read_attributes(f, path, &g).map_err(core_err)
        })?;
        self.update(py, |g| g.set_attributes(a).map_err(core_err))
    }

    /// Sets node attributes for the listed accounts; each column is a list aligned with `ids`
    /// (None entries are missing values). Accounts not listed keep their attributes.
    #[pyo3(signature = (ids, platform=None, person=None, jurisdiction=None, target_weight=None, cost=None, followers=None, tier=None))]
    #[allow(clippy::too_many_arguments)]
    fn set_attributes(
        &self,
        py: Python<'_>,
        ids: &Bound<'_, PyAny>,
        platform: Option<Vec<Option<String>>>,
        person: Option<Vec<Option<String>>>,
        jurisdiction: Option<Vec<Option<String>>>,
        target_weight: Option<Vec<Option<f64>>>,
        cost: Option<Vec<Option<f64>>>,
        followers: Option<Vec<Option<u64>>>,
        tier: Option<Vec<Option<String>>>,
    ) -> PyResult<()> {
        let dense = resolve_ids(&self.snapshot(), ids, "attribute ids")?;
        let n = dense.len();
        // Read, changed and written back under one write lock: a concurrent change to other
        // accounts' attributes is not lost.
        self.update(py, |g| {
            let mut a = g.attributes().clone();
            let cat = |col: &mut Categorical, vals: &Option<Vec<Option<String>>>, name: &str| {
                if let Some(v) = vals {
                    check_len(name, v.len(), n)?;
                    if let Some(long) = v.iter().flatten().find(|x| x.len() > u32::MAX as usize) {
                        return Err(crate::error::invalid(format!(
                            "{name}: a name of {} bytes; a name must be under 4 GiB",
                            long.len()
                        )));
                    }
                    let mut col = col.interner();
                    for (&u, x) in dense.iter().zip(v) {
                        col.set(u as usize, x.as_deref());
                    }
                }
                PyResult::Ok(())
            };
            cat(&mut a.platform, &platform, "platform")?;
            cat(&mut a.person, &person, "person")?;
            cat(&mut a.jurisdiction, &jurisdiction, "jurisdiction")?;
            if let Some(v) = &target_weight {
                check_len("target_weight", v.len(), n)?;
                for (&u, x) in dense.iter().zip(v) {
                    a.target_weight[u as usize] = x.unwrap_or(1.0) as f32;
                }
            }
            if let Some(v) = &cost {
                check_len("cost", v.len(), n)?;
                for (&u, x) in dense.iter().zip(v) {
                    a.cost[u as usize] = x.unwrap_or(f64::NAN);
                }
            }
            if let Some(v) = &followers {
                check_len("followers", v.len(), n)?;
                for (&u, x) in dense.iter().zip(v) {
                    a.followers.set(u as usize, *x);
                }
            }
            if let Some(v) = &tier {
                check_len("tier", v.len(), n)?;
                for (&u, x) in dense.iter().zip(v) {
                    let t = match x {
                        None => None,
                        Some(s) => Some(Tier::parse(s).ok_or_else(|| {
                            invalid(format!(
                                "tier {s:?} is not one of nano, micro, mid, macro, mega"
                            ))
                        })?),
                    };
                    a.tier.set(u as usize, t);
                }
            }
            g.set_attributes(a).map_err(core_err)
        })
    }

    /// The node attribute columns as a dict of lists, in dense-id order.
    fn attributes<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let g = self.snapshot();
        let a = g.attributes();
        let d = PyDict::new(py);
        let all: Vec<u32> = (0..g.node_count() as u32).collect();
        d.set_item("id", labels(py, &g, &all)?)?;
        for (name, col) in [
            ("platform", &a.platform),
            ("person", &a.person),
            ("jurisdiction", &a.jurisdiction),
        ] {
            let v: Vec<Option<&str>> = all.iter().map(|&u| col.get(u)).collect();
            d.set_item(name, v)?;
        }
        d.set_item("target_weight", a.target_weight.as_slice().to_pyarray(py))?;
        d.set_item("cost", a.cost.as_slice().to_pyarray(py))?;
        let f: Vec<u64> = all
            .iter()
            .map(|&u| a.follower_count(u, g.topology()))
            .collect();
        d.set_item("followers", PyArray1::from_vec(py, f))?;
        let t: Vec<&str> = all
            .iter()
            .map(|&u| a.tier(u, g.topology()).name())
            .collect();
        d.set_item("tier", t)?;
        Ok(d)
    }

    /// Distinct people reached by the seeds.
    #[pyo3(signature = (seeds, include_seeds=false, target_only=false))]
    fn unique_reach(
        &self,
        py: Python<'_>,
        seeds: &Bound<'_, PyAny>,
        include_seeds: bool,
        target_only: bool,
    ) -> PyResult<u64> {
        let g = self.snapshot();
        let s = resolve_ids(&g, seeds, "seed set")?;
        let g = &g;
        runtime::quick(py, || {
            reach::unique_reach(g, &s, &opts(include_seeds, target_only))
                .map(|r| r.unique_people)
                .map_err(core_err)
        })
    }

    /// Reach of the seeds with breakdowns, as a dict.
    #[pyo3(signature = (seeds, include_seeds=false, target_only=false))]
    fn reach<'py>(
        &self,
        py: Python<'py>,
        seeds: &Bound<'py, PyAny>,
        include_seeds: bool,
        target_only: bool,
    ) -> PyResult<Bound<'py, PyAny>> {
        let g = self.snapshot();
        let s = resolve_ids(&g, seeds, "seed set")?;
        let g = &g;
        let r = runtime::quick(py, || {
            reach::unique_reach(g, &s, &opts(include_seeds, target_only)).map_err(core_err)
        })?;
        to_py(py, &r)
    }

    /// Expected reach and the exposure-frequency distribution under the edge probabilities.
    #[pyo3(signature = (seeds, posts_per_seed=1, include_seeds=false, target_only=false))]
    fn expected_reach<'py>(
        &self,
        py: Python<'py>,
        seeds: &Bound<'py, PyAny>,
        posts_per_seed: u32,
        include_seeds: bool,
        target_only: bool,
    ) -> PyResult<Bound<'py, PyAny>> {
        let g = self.snapshot();
        let s = resolve_ids(&g, seeds, "seed set")?;
        let g = &g;
        let r = runtime::quick(py, || {
            reach::expected_reach(g, &s, posts_per_seed, &opts(include_seeds, target_only))
                .map_err(core_err)
        })?;
        let d = to_py(py, &r)?;
        d.set_item("frequency", r.frequency.to_pyarray(py))?;
        Ok(d)
    }

    /// Overlap matrices of a list of accounts, as numpy arrays.
    #[pyo3(signature = (accounts, min_jaccard=None, threads=None, progress=None))]
    fn overlap<'py>(
        &self,
        py: Python<'py>,
        accounts: &Bound<'py, PyAny>,
        min_jaccard: Option<f64>,
        threads: Option<usize>,
        progress: Option<Py<PyAny>>,
    ) -> PyResult<Bound<'py, PyDict>> {
        let g = self.snapshot();
        let a = resolve_ids(&g, accounts, "account list")?;
        if a.is_empty() {
            return Err(core_err(reachgraph_core::Error::Empty {
                what: "account list".into(),
            }));
        }
        let (ov, edges) = runtime::run(py, threads, progress, |p| {
            let ov = reachgraph_core::overlap::overlap(&g, &a, p).map_err(core_err)?;
            let edges = match min_jaccard {
                Some(t) => {
                    let og =
                        reachgraph_core::overlap::overlap_graph(&g, &ov, t).map_err(core_err)?;
                    Some(
                        og.edge_indices()
                            .filter_map(|e| {
                                let (x, y) = og.edge_endpoints(e)?;
                                Some((x.index() as u32, y.index() as u32, og[e]))
                            })
                            .collect::<Vec<_>>(),
                    )
                }
                None => None,
            };
            Ok((ov, edges))
        })?;
        let d = PyDict::new(py);
        d.set_item("accounts", labels(py, &g, &ov.accounts)?)?;
        d.set_item("audience", ov.audience.to_pyarray(py))?;
        d.set_item("shared", PyArray2::from_owned_array(py, ov.shared))?;
        d.set_item("jaccard", PyArray2::from_owned_array(py, ov.jaccard))?;
        d.set_item(
            "containment",
            PyArray2::from_owned_array(py, ov.containment),
        )?;
        if let Some(edges) = edges {
            let l = PyList::empty(py);
            for (i, j, w) in edges {
                l.append((i, j, w))?;
            }
            d.set_item("overlap_edges", l)?;
        }
        Ok(d)
    }

    /// The greedy reach ladder over candidates (all accounts when None).
    #[pyo3(signature = (k, candidates=None, include_seeds=false, target_only=false))]
    fn reach_ladder<'py>(
        &self,
        py: Python<'py>,
        k: usize,
        candidates: Option<&Bound<'py, PyAny>>,
        include_seeds: bool,
        target_only: bool,
    ) -> PyResult<Bound<'py, PyAny>> {
        let g = self.snapshot();
        let c = Self::candidate_ids(&g, candidates)?;
        let g = &g;
        // On the helper thread that watches for Ctrl-C: the greedy can run for seconds.
        let l = runtime::run(py, None, None, |_| {
            coverage::reach_ladder(g, c.as_deref(), k, &opts(include_seeds, target_only))
                .map_err(core_err)
        })?;
        let d = to_py(py, &l)?;
        let accounts: Vec<u32> = l.steps.iter().map(|s| s.account).collect();
        d.set_item("accounts", labels(py, g, &accounts)?)?;
        Ok(d)
    }

    /// The best accounts for a budget: cost-effective greedy with the best-single fallback.
    #[pyo3(signature = (budget, candidates=None, include_seeds=false, target_only=false))]
    fn budget_pick<'py>(
        &self,
        py: Python<'py>,
        budget: f64,
        candidates: Option<&Bound<'py, PyAny>>,
        include_seeds: bool,
        target_only: bool,
    ) -> PyResult<Bound<'py, PyAny>> {
        let g = self.snapshot();
        let c = Self::candidate_ids(&g, candidates)?;
        let g = &g;
        let p = runtime::run(py, None, None, |_| {
            coverage::budget_pick(g, c.as_deref(), budget, &opts(include_seeds, target_only))
                .map_err(core_err)
        })?;
        let d = to_py(py, &p)?;
        d.set_item("accounts", labels(py, g, &p.accounts)?)?;
        Ok(d)
    }

    /// Monte Carlo spread under IC or LT (see `reachgraph.Graph.spread`).
    #[pyo3(signature = (seeds, model="ic", weights=None, trials=10_000, seed=0, threads=None, hops=None, target_rse=None, node_probabilities=false, histogram=false, progress=None, checkpoint=None))]
    #[allow(clippy::too_many_arguments)]
    fn spread<'py>(
        &self,
        py: Python<'py>,
        seeds: &Bound<'py, PyAny>,
        model: &str,
        weights: Option<&str>,
        trials: u64,
        seed: u64,
        threads: Option<usize>,
        hops: Option<u32>,
        target_rse: Option<f64>,
        node_probabilities: bool,
        histogram: bool,
        progress: Option<Py<PyAny>>,
        checkpoint: Option<String>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let g = self.apply_weights(py, weights)?;
        let s = resolve_ids(&g, seeds, "seed set")?;
        let r = SpreadRequest {
            graph: in_memory(),
            seeds: passed_apart(),
            model: model.parse().map_err(core_err)?,
            trials,
            seed,
            // Sizes the runtime pool instead, which every phase (not only sampling) runs in.
            threads: None,
            hops,
            target_rse,
            node_probabilities,
            histogram,
            checkpoint,
        };
        let r = runtime::run(py, threads, progress, |p| {
            r.run_loaded(&g, &s, p, &Local).map_err(api_err)
        })?;
        let d = to_py(py, &r)?;
        d.set_item("mean", r.people.mean)?;
        d.set_item("stderr", r.people.stderr)?;
        if let Some(np) = r.node_probabilities {
            d.set_item("node_probabilities", PyArray1::from_owned_array(py, np))?;
        }
        Ok(d)
    }

    /// Seed selection (influence maximization): OPIM-C or IMM with a certified ratio.
    #[pyo3(signature = (k=None, budget=None, model="ic", weights=None, epsilon=0.1, delta=None, mode="guarantee", algorithm="opim_c", objective=None, candidates=None, seed=0, threads=None, hops=None, tolerance=None, max_rr_sets=None, time_limit_s=None, memory_limit_bytes=None, progress=None, runs=None))]
    #[allow(clippy::too_many_arguments)]
    fn select<'py>(
        &self,
        py: Python<'py>,
        k: Option<usize>,
        budget: Option<f64>,
        model: &str,
        weights: Option<&str>,
        epsilon: f64,
        delta: Option<f64>,
        mode: &str,
        algorithm: &str,
        objective: Option<&str>,
        candidates: Option<&Bound<'py, PyAny>>,
        seed: u64,
        threads: Option<usize>,
        hops: Option<u32>,
        tolerance: Option<f64>,
        max_rr_sets: Option<u64>,
        time_limit_s: Option<f64>,
        memory_limit_bytes: Option<u64>,
        progress: Option<Py<PyAny>>,
        runs: Option<usize>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let g = self.apply_weights(py, weights)?;
        let model: Model = model.parse().map_err(core_err)?;
        let candidates = Self::candidate_ids(&g, candidates)?;
        let r = SelectRequest {
            graph: in_memory(),
            model,
            mode: named(mode, "mode")?,
            algorithm: named(algorithm, "algorithm")?,
            objective: objective.map(|o| named(o, "objective")).transpose()?,
            k,
            budget,
            costs: None,
            target: None,
            candidates: None,
            epsilon,
            delta,
            seed,
            // Sizes the runtime pool instead, which every phase (not only sampling) runs in.
            threads: None,
            hops,
            tolerance,
            max_rr_sets,
            time_limit_s,
            memory_limit_bytes,
            runs,
        };
        if k.is_some() == budget.is_some() {
            // Checked here rather than by the request, whose message names the JSON fields.
            return Err(invalid(
                "give exactly one of k= (a number of accounts) or budget=",
            ));
        }
        r.check_runs().map_err(api_err)?;
        let (sel, stability) = runtime::run(py, threads, progress, |p| {
            let s = r.run_loaded(&g, candidates.clone(), p).map_err(api_err)?;
            let st = r
                .run_stability(&g, candidates, &s.seeds, p)
                .map_err(api_err)?;
            Ok((s, st))
        })?;
        let d = selection_dict(py, &sel)?;
        if let Some(st) = stability {
            d.set_item("stability", to_py(py, &st)?)?;
        }
        Ok(d)
    }

    /// Seed sets compared on common RR sets (see `reachgraph.Graph.compare`).
    #[pyo3(signature = (sets, model="ic", weights=None, objective=None, samples=None, relative_stderr=None, max_samples=None, seed=0, threads=None, hops=None, labels=None, progress=None, memory_limit_bytes=None))]
    #[allow(clippy::too_many_arguments)]
    fn compare<'py>(
        &self,
        py: Python<'py>,
        sets: Vec<Bound<'py, PyAny>>,
        model: &str,
        weights: Option<&str>,
        objective: Option<&str>,
        samples: Option<u64>,
        relative_stderr: Option<f64>,
        max_samples: Option<u64>,
        seed: u64,
        threads: Option<usize>,
        hops: Option<u32>,
        labels: Option<Vec<String>>,
        progress: Option<Py<PyAny>>,
        memory_limit_bytes: Option<u64>,
    ) -> PyResult<Bound<'py, PyAny>> {
        if sets.len() < 2 {
            return Err(invalid(format!(
                "compare needs at least 2 seed sets, got {}",
                sets.len()
            )));
        }
        let g = self.apply_weights(py, weights)?;
        let ids = sets
            .iter()
            .enumerate()
            .map(|(i, s)| resolve_ids(&g, s, &format!("seed set {}", i + 1)))
            .collect::<PyResult<Vec<_>>>()?;
        let r = CompareRequest {
            graph: in_memory(),
            model: model.parse().map_err(core_err)?,
            seed_sets: vec![passed_apart(); sets.len()],
            labels,
            target: None,
            objective: objective.map(|o| named(o, "objective")).transpose()?,
            rr_sets: samples,
            max_rr_sets: max_samples,
            relative_stderr,
            seed,
            // Sizes the runtime pool instead, which every phase (not only sampling) runs in.
            threads: None,
            hops,
            memory_limit_bytes,
        };
        let labels = r.labels().map_err(api_err)?;
        r.config().map_err(api_err)?;
        let c = runtime::run(py, threads, progress, |p| {
            r.run_loaded(&g, &ids, p).map_err(api_err)
        })?;
        let provenance = compare_provenance(&g, &r, &c);
        let resp = compare_response(summary_of(&g, &self.report), &labels, c);
        let d = to_py(py, &resp)?;
        d.set_item("provenance", to_py(py, &provenance)?)?;
        Ok(d)
    }

    /// The spread estimate of a seed set on fresh RR sets (as `reachgraph evaluate`).
    #[pyo3(signature = (seeds, model="ic", weights=None, objective=None, rr_sets=200_000, seed=0, threads=None, hops=None, progress=None, memory_limit_bytes=None))]
    #[allow(clippy::too_many_arguments)]
    fn evaluate<'py>(
        &self,
        py: Python<'py>,
        seeds: &Bound<'py, PyAny>,
        model: &str,
        weights: Option<&str>,
        objective: Option<&str>,
        rr_sets: usize,
        seed: u64,
        threads: Option<usize>,
        hops: Option<u32>,
        progress: Option<Py<PyAny>>,
        memory_limit_bytes: Option<u64>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let g = self.apply_weights(py, weights)?;
        let s = resolve_ids(&g, seeds, "seed set")?;
        let r = EvaluateRequest {
            graph: in_memory(),
            model: model.parse().map_err(core_err)?,
            seeds: passed_apart(),
            target: None,
            objective: objective.map(|o| named(o, "objective")).transpose()?,
            rr_sets,
            seed,
            // Sizes the runtime pool instead, which every phase (not only sampling) runs in.
            threads: None,
            hops,
            memory_limit_bytes,
        };
        let r = runtime::run(py, threads, progress, |p| {
            r.run_loaded(&g, &s, p).map_err(api_err)
        })?;
        let d = to_py(py, &r)?;
        d.set_item("seeds", to_py(py, &r.keys)?)?;
        d.set_item("mean", r.estimate.mean)?;
        d.set_item("stderr", r.estimate.stderr)?;
        Ok(d)
    }

    /// Margin simulation of the seeds as a campaign (options as the JSON `margin` request).
    #[pyo3(signature = (seeds, options, threads=None, progress=None))]
    fn margin<'py>(
        &self,
        py: Python<'py>,
        seeds: &Bound<'py, PyAny>,
        options: &str,
        threads: Option<usize>,
        progress: Option<Py<PyAny>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let g = self.snapshot();
        let s = resolve_ids(&g, seeds, "seed set")?;
        // Through the API's reader, so that an unknown option at any depth is refused with its
        // path (`persuasion.sdd: unknown field …`).
        let r: MarginRequest = reachgraph_api::parse_json(options)
            .map_err(|e| invalid(format!("margin options: {e}")))?;
        if r.graph.is_some() || r.seeds.is_some() {
            return Err(invalid(
                "margin options: pass seeds as the first argument; the graph is this one",
            ));
        }
        let report = &self.report;
        let resp = runtime::run(py, threads, progress, |p| {
            margin::run_margin_with(&r, &g, report, s, p).map_err(api_err)
        })?;
        to_py(py, &resp)
    }

    /// A Graph of its own: shares the graph until either side changes weights or attributes.
    fn __copy__(&self) -> Self {
        PyGraph::shared(self.snapshot(), self.report.clone())
    }

    /// As `__copy__`: the copy-on-write graph makes a shallow copy as independent as a deep one.
    fn __deepcopy__(&self, _memo: &Bound<'_, PyAny>) -> Self {
        self.__copy__()
    }

    fn __repr__(&self) -> String {
        let g = self.snapshot();
        format!(
            "<reachgraph.Graph: {} accounts, {} people, {} edges>",
            g.node_count(),
            g.people().count,
            g.edge_count()
        )
    }
}

/// Reads an edge file (edge list or CSV; gzip detected), as the CLI does.
#[pyfunction]
#[pyo3(signature = (path, undirected=false, format=None, duplicates="max", attributes=None, weights=None))]
fn read_edgelist(
    py: Python<'_>,
    path: &str,
    undirected: bool,
    format: Option<&str>,
    duplicates: &str,
    attributes: Option<String>,
    weights: Option<String>,
) -> PyResult<PyGraph> {
    let format = match format {
        None => None,
        Some("edgelist") => Some(EdgeFormat::EdgeList),
        Some("csv") => Some(EdgeFormat::Csv),
        Some(f) => {
            return Err(invalid(format!(
                "format={f:?}: expected 'edgelist' or 'csv'"
            )))
        }
    };
    let spec = GraphSpec {
        path: Some(path.to_string()),
        format,
        undirected,
        duplicates: policy(duplicates)?,
        attributes,
        weights,
        ..Default::default()
    };
    // Reading a large file takes minutes: on the helper thread, stoppable with Ctrl-C.
    let loaded = runtime::run(py, None, None, |p| spec.load(p).map_err(api_err))?;
    Ok(PyGraph::new(loaded.graph, loaded.report))
}

/// Generates a campaign population: returns the graph and its creator accounts (largest first).
#[pyfunction]
#[pyo3(signature = (edges=None, seed=None, memory_limit_bytes=None))]
fn generate_scenario<'py>(
    py: Python<'py>,
    edges: Option<usize>,
    seed: Option<u64>,
    memory_limit_bytes: Option<u64>,
) -> PyResult<(PyGraph, Bound<'py, PyList>, f64)> {
    let cfg = ScenarioSpec { edges, seed }
        .config(memory_limit_bytes)
        .map_err(api_err)?;
    let sc = runtime::run(py, None, None, |p| {
        reachgraph_core::scenario::generate(&cfg, p).map_err(core_err)
    })?;
    let creators = labels(py, &sc.graph, &sc.creators)?;
    let report = BuildReport {
        nodes: sc.graph.node_count(),
        edges: sc.graph.edge_count(),
        records: sc.graph.edge_count(),
        ..Default::default()
    };
    Ok((PyGraph::new(sc.graph, report), creators, sc.scale))
}

/// Answers a JSON request (the same wire format as `reachgraph run`) with a JSON response,
/// reporting progress to an optional callback.
#[pyfunction]
#[pyo3(signature = (request, progress=None))]
fn run_request(py: Python<'_>, request: &str, progress: Option<Py<PyAny>>) -> PyResult<String> {
    let req = reachgraph_api::parse_request(request).map_err(api_err)?;
    let resp = runtime::run(py, None, progress, move |p| {
        reachgraph_api::run(&req, p).map_err(api_err)
    })?;
    serde_json::to_string(&resp).map_err(|e| error::ReachgraphError::new_err(e.to_string()))
}

/// The private extension module of the `reachgraph` package.
#[pymodule]
fn _reachgraph(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<PyGraph>()?;
    m.add_class::<sketch::PySketches>()?;
    m.add_function(wrap_pyfunction!(sketch::sketch_error, m)?)?;
    m.add_function(wrap_pyfunction!(read_edgelist, m)?)?;
    m.add_function(wrap_pyfunction!(generate_scenario, m)?)?;
    m.add_function(wrap_pyfunction!(run_request, m)?)?;
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    error::register(m)?;
    Ok(())
}
