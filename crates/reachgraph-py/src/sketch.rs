//! `reachgraph.Sketches`: mergeable per-account audience sketches (the core's `SketchSet`).
//!
//! Inputs are extracted with the GIL held; building, reading, writing, merging, overlap,
//! ladder, pick and check run with it released (`runtime.rs`).

use crate::convert::{
    check_len, py_key, resolve_ids, sketch_costs, sketch_ids, sketch_labels, sketch_steps, to_py,
};
use crate::error::{api_err, core_err};
use crate::runtime;
use crate::PyGraph;
use numpy::{PyArray1, PyArray2, PyReadonlyArray1, ToPyArray};
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDict};
use reachgraph_core::sketch::{
    self, SketchParams, SketchSet, StreamBuilder, DEFAULT_LG_K, DEFAULT_SEED, DEFAULT_STREAM_CHUNK,
};
use std::sync::Arc;

// The signatures below spell the core's defaults as literals (so Python and the stubs show
// them); keep them in step.
const _: () = assert!(DEFAULT_LG_K == 14 && DEFAULT_SEED == 9001);
const _: () = assert!(DEFAULT_STREAM_CHUNK == 16_777_216);

/// Per-account bottom-k sketches (wrapped by `reachgraph.Sketches`).
#[pyclass(module = "reachgraph._reachgraph", name = "Sketches", frozen)]
pub struct PySketches {
    inner: Arc<SketchSet>,
}

impl PySketches {
    fn new(set: SketchSet) -> Self {
        PySketches {
            inner: Arc::new(set),
        }
    }

    fn candidates(&self, c: Option<&Bound<'_, PyAny>>) -> PyResult<Option<Vec<u32>>> {
        c.map(|c| sketch_ids(&self.inner, c, "candidate list"))
            .transpose()
    }
}

fn params(lg_k: u8, seed: u64) -> PyResult<SketchParams> {
    SketchParams::new(lg_k, seed).map_err(core_err)
}

#[pymethods]
impl PySketches {
    /// Sketches of the people following each account of a graph (all accounts, or the listed ones).
    #[staticmethod]
    #[pyo3(signature = (graph, lg_k=14, seed=9001, accounts=None, threads=None, progress=None))]
    fn build_from_graph(
        py: Python<'_>,
        graph: PyRef<'_, PyGraph>,
        lg_k: u8,
        seed: u64,
        accounts: Option<&Bound<'_, PyAny>>,
        threads: Option<usize>,
        progress: Option<Py<PyAny>>,
    ) -> PyResult<Self> {
        let p = params(lg_k, seed)?;
        let g = graph.snapshot();
        let acc = accounts
            .map(|a| resolve_ids(&g, a, "account list"))
            .transpose()?;
        let set = runtime::run(py, threads, progress, move |pr| {
            SketchSet::from_graph(&g, acc.as_deref(), p, pr).map_err(core_err)
        })?;
        Ok(PySketches::new(set))
    }

    /// Sketches from aligned `(account, follower)` pairs: int64 numpy arrays (fast path) or
    /// lists of ints/strs. Followers are person ids.
    #[staticmethod]
    #[pyo3(signature = (accounts, followers, lg_k=14, seed=9001, threads=None))]
    fn from_pairs(
        py: Python<'_>,
        accounts: &Bound<'_, PyAny>,
        followers: &Bound<'_, PyAny>,
        lg_k: u8,
        seed: u64,
        threads: Option<usize>,
    ) -> PyResult<Self> {
        let p = params(lg_k, seed)?;
        if let (Ok(a), Ok(f)) = (
            accounts.extract::<PyReadonlyArray1<'_, i64>>(),
            followers.extract::<PyReadonlyArray1<'_, i64>>(),
        ) {
            check_len("followers", f.len()?, a.len()?)?;
            let (a, f) = (a.as_slice()?, f.as_slice()?);
            let set = runtime::run(py, threads, None, move |_| {
                SketchSet::from_id_pairs(a, f, p).map_err(core_err)
            })?;
            return Ok(PySketches::new(set));
        }
        let a: Vec<Bound<'_, PyAny>> = accounts.try_iter()?.collect::<PyResult<_>>()?;
        let f: Vec<Bound<'_, PyAny>> = followers.try_iter()?.collect::<PyResult<_>>()?;
        check_len("followers", f.len(), a.len())?;
        let mut b = StreamBuilder::new(p).map_err(core_err)?;
        for i in 0..a.len() {
            let acc = py_key(&a[i], "accounts", i)?.to_string();
            b.add(&acc, &py_key(&f[i], "followers", i)?);
        }
        Ok(PySketches::new(b.finish()))
    }

    /// Sketches from a file of `account follower` lines (gzip detected), read in chunks of
    /// `chunk_bytes` so the file never has to fit in memory.
    #[staticmethod]
    #[pyo3(signature = (path, lg_k=14, seed=9001, chunk_bytes=16_777_216, threads=None, progress=None, memory_limit_bytes=None))]
    #[allow(clippy::too_many_arguments)]
    fn from_stream(
        py: Python<'_>,
        path: String,
        lg_k: u8,
        seed: u64,
        chunk_bytes: usize,
        threads: Option<usize>,
        progress: Option<Py<PyAny>>,
        memory_limit_bytes: Option<u64>,
    ) -> PyResult<Self> {
        let p = params(lg_k, seed)?;
        let set = runtime::run(py, threads, progress, move |pr| {
            let f = std::fs::File::open(&path).map_err(|e| {
                crate::error::ReachgraphIOError::new_err(format!("cannot open {path}: {e}"))
            })?;
            let mut b = StreamBuilder::new(p).map_err(core_err)?;
            b.read_pairs_limited(f, &path, chunk_bytes, memory_limit_bytes, pr)
                .map_err(core_err)?;
            Ok(b.finish())
        })?;
        Ok(PySketches::new(set))
    }

    /// Reads a sketch directory written by `save` or `reachgraph sketch build` (or a `.rgsk` file).
    #[staticmethod]
    fn load(py: Python<'_>, path: String) -> PyResult<Self> {
        let set = runtime::run(py, None, None, move |_| {
            reachgraph_api::sketch::load_sketches(&path).map_err(api_err)
        })?;
        Ok(PySketches::new(set))
    }

    /// Writes `sketches.rgsk` and `manifest.json` into a directory; returns what was written.
    fn save<'py>(&self, py: Python<'py>, dir: String) -> PyResult<Bound<'py, PyAny>> {
        let set = self.inner.clone();
        let r = runtime::run(py, None, None, move |_| {
            reachgraph_api::sketch::save_sketches(
                &set,
                &dir,
                serde_json::json!({ "source": "python" }),
            )
            .map_err(api_err)
        })?;
        to_py(py, &r)
    }

    /// Parses the binary format (as `to_bytes` writes it).
    #[staticmethod]
    #[pyo3(signature = (data, name="<bytes>"))]
    fn from_bytes(py: Python<'_>, data: &Bound<'_, PyBytes>, name: &str) -> PyResult<Self> {
        let bytes = data.as_bytes();
        let set = runtime::quick(py, || SketchSet::from_bytes(bytes, name).map_err(core_err))?;
        Ok(PySketches::new(set))
    }

    /// The set in the binary format (versioned, checksummed).
    fn to_bytes<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyBytes>> {
        let set = &self.inner;
        let b = runtime::quick(py, || Ok(set.to_bytes()))?;
        Ok(PyBytes::new(py, &b))
    }

    /// The union of two sets: accounts in both get the sketch of the union of their followers.
    fn merge(&self, py: Python<'_>, other: PyRef<'_, PySketches>) -> PyResult<Self> {
        let (a, b) = (self.inner.clone(), other.inner.clone());
        let set = runtime::run(py, None, None, move |_| a.merge(&b).map_err(core_err))?;
        Ok(PySketches::new(set))
    }

    /// This set with every sketch reduced to a smaller `lg_k`.
    fn downsample(&self, py: Python<'_>, lg_k: u8) -> PyResult<Self> {
        let a = self.inner.clone();
        let set = runtime::run(py, None, None, move |_| {
            a.downsample(lg_k).map_err(core_err)
        })?;
        Ok(PySketches::new(set))
    }

    /// `log2` of the hashes kept per account.
    #[getter]
    fn lg_k(&self) -> u8 {
        self.inner.params().lg_k
    }

    /// Hash seed.
    #[getter]
    fn seed(&self) -> u64 {
        self.inner.params().seed
    }

    /// Hashes retained over all accounts.
    #[getter]
    fn total_hashes(&self) -> usize {
        self.inner.total_hashes()
    }

    fn __len__(&self) -> usize {
        self.inner.len()
    }

    fn __eq__(&self, other: &Bound<'_, PyAny>) -> bool {
        other
            .cast::<PySketches>()
            .is_ok_and(|o| *o.get().inner == *self.inner)
    }

    fn __repr__(&self) -> String {
        let p = self.inner.params();
        format!(
            "<reachgraph.Sketches: {} accounts, lg_k {}, seed {}, {} hashes>",
            self.inner.len(),
            p.lg_k,
            p.seed,
            self.inner.total_hashes()
        )
    }

    /// Account ids, in set order.
    fn accounts<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, pyo3::types::PyList>> {
        let all: Vec<u32> = (0..self.inner.len() as u32).collect();
        sketch_labels(py, &self.inner, &all)
    }

    /// Follow records seen per account (follower counts, repeats included), in set order.
    fn records<'py>(&self, py: Python<'py>) -> Bound<'py, PyArray1<u64>> {
        let r: Vec<u64> = (0..self.inner.len() as u32)
            .map(|i| self.inner.records(i))
            .collect();
        PyArray1::from_vec(py, r)
    }

    /// Unique reach of a set of accounts with its error bound at `confidence`.
    #[pyo3(signature = (accounts, confidence=0.95))]
    fn reach<'py>(
        &self,
        py: Python<'py>,
        accounts: &Bound<'py, PyAny>,
        confidence: f64,
    ) -> PyResult<Bound<'py, PyAny>> {
        let idx = sketch_ids(&self.inner, accounts, "account list")?;
        let set = &self.inner;
        let r = runtime::quick(py, || {
            sketch::union_reach(set, &idx, confidence).map_err(core_err)
        })?;
        to_py(py, &r)
    }

    /// Overlap matrices (numpy) with error bounds: shared, Jaccard, containment.
    #[pyo3(signature = (accounts, confidence=0.95, threads=None, progress=None))]
    fn overlap<'py>(
        &self,
        py: Python<'py>,
        accounts: &Bound<'py, PyAny>,
        confidence: f64,
        threads: Option<usize>,
        progress: Option<Py<PyAny>>,
    ) -> PyResult<Bound<'py, PyDict>> {
        let idx = sketch_ids(&self.inner, accounts, "account list")?;
        let set = self.inner.clone();
        let ov = runtime::run(py, threads, progress, move |p| {
            sketch::overlap(&set, &idx, confidence, p).map_err(core_err)
        })?;
        let d = PyDict::new(py);
        d.set_item("accounts", sketch_labels(py, &self.inner, &ov.accounts)?)?;
        d.set_item("audience", ov.audience.to_pyarray(py))?;
        d.set_item("audience_error", ov.audience_error.to_pyarray(py))?;
        for (name, m) in [
            ("shared", ov.shared),
            ("shared_error", ov.shared_error),
            ("jaccard", ov.jaccard),
            ("jaccard_error", ov.jaccard_error),
            ("containment", ov.containment),
            ("containment_error", ov.containment_error),
        ] {
            d.set_item(name, PyArray2::from_owned_array(py, m))?;
        }
        d.set_item("confidence", ov.confidence)?;
        d.set_item("exact", ov.exact)?;
        Ok(d)
    }

    /// The greedy reach ladder on sketches: `k` accounts, each adding the most people.
    #[pyo3(signature = (k, candidates=None, confidence=0.95))]
    fn ladder<'py>(
        &self,
        py: Python<'py>,
        k: usize,
        candidates: Option<&Bound<'py, PyAny>>,
        confidence: f64,
    ) -> PyResult<Bound<'py, PyAny>> {
        let c = self.candidates(candidates)?;
        let set = self.inner.clone();
        let l = runtime::run(py, None, None, move |_| {
            sketch::ladder(&set, c.as_deref(), k, confidence).map_err(core_err)
        })?;
        let d = to_py(py, &l)?;
        d.set_item("steps", sketch_steps(py, &self.inner, &l.steps)?)?;
        let idx: Vec<u32> = l.steps.iter().map(|s| s.account).collect();
        d.set_item("accounts", sketch_labels(py, &self.inner, &idx)?)?;
        Ok(d)
    }

    /// Budgeted pick on sketches; `costs` is a dict `{id: cost}`, a float array aligned with
    /// `accounts()` (NaN: not for hire) or the path of a CSV with `id` and `cost` columns.
    #[pyo3(signature = (budget, costs, candidates=None, confidence=0.95))]
    fn budget_pick<'py>(
        &self,
        py: Python<'py>,
        budget: f64,
        costs: &Bound<'py, PyAny>,
        candidates: Option<&Bound<'py, PyAny>>,
        confidence: f64,
    ) -> PyResult<Bound<'py, PyAny>> {
        let costs = sketch_costs(&self.inner, costs)?;
        let c = self.candidates(candidates)?;
        let set = self.inner.clone();
        let p = runtime::run(py, None, None, move |_| {
            sketch::budget_pick(&set, c.as_deref(), &costs, budget, confidence).map_err(core_err)
        })?;
        let d = to_py(py, &p)?;
        d.set_item("steps", sketch_steps(py, &self.inner, &p.steps)?)?;
        d.set_item("accounts", sketch_labels(py, &self.inner, &p.accounts)?)?;
        Ok(d)
    }

    /// Sketch answers against exact ones on `graph` (the reach of `accounts` and the Jaccard
    /// of each pair).
    #[pyo3(signature = (graph, accounts, confidence=0.95, threads=None, progress=None))]
    fn check<'py>(
        &self,
        py: Python<'py>,
        graph: PyRef<'py, PyGraph>,
        accounts: &Bound<'py, PyAny>,
        confidence: f64,
        threads: Option<usize>,
        progress: Option<Py<PyAny>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let g = graph.snapshot();
        let ids = resolve_ids(&g, accounts, "account list")?;
        let set = self.inner.clone();
        let r = runtime::run(py, threads, progress, move |p| {
            sketch::check(&g, &set, &[ids], confidence, p).map_err(core_err)
        })?;
        to_py(py, &r)
    }
}

/// The expected error of sketch answers for a sketch size (and a set size).
#[pyfunction]
#[pyo3(signature = (lg_k=14, set_size=None, confidence=0.95))]
pub fn sketch_error<'py>(
    py: Python<'py>,
    lg_k: u8,
    set_size: Option<u64>,
    confidence: f64,
) -> PyResult<Bound<'py, PyAny>> {
    to_py(
        py,
        &sketch::expected_error(lg_k, set_size, confidence).map_err(core_err)?,
    )
}
