//! The `compare` request: two or more seed sets' expected spreads and their paired
//! differences, all estimated on common RR sets (see [`reachgraph_core::select::compare`]).

use crate::load::{GraphSpec, IdList};
use crate::select_api::{load_with, objective, objective_unit};
use crate::{summary, ApiError, GraphSummary, Result};
use reachgraph_core::cascade::Model;
use reachgraph_core::rrset::RootDistribution;
use reachgraph_core::select::{self, CompareConfig, SetsRule};
use reachgraph_core::stats::Estimate;
use reachgraph_core::{NodeKey, Progress};
use serde::{Deserialize, Serialize};
use std::time::Instant;

/// Compare seed sets on common RR sets: each set's spread and every later set minus the first.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CompareRequest {
    /// The graph (set `weights`).
    pub graph: GraphSpec,
    /// `ic` or `lt`.
    pub model: Model,
    /// Two or more seed sets (each a list of ids or `{"file": PATH}`); differences are taken
    /// against the first.
    pub seed_sets: Vec<IdList>,
    /// A name per seed set (default: the file path, or `set 1`, `set 2`, ... for inline lists).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub labels: Option<Vec<String>>,
    /// Who counts (as in [`crate::SelectRequest::target`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target: Option<IdList>,
    /// What the spread counts (as in [`crate::SelectRequest::objective`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub objective: Option<RootDistribution>,
    /// A fixed number of common RR sets; absent for the adaptive rule (doubling from 2¹⁷ sets
    /// until every difference's paired standard error is at most `relative_stderr` of the larger
    /// spread, at most `max_rr_sets`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rr_sets: Option<u64>,
    /// The adaptive rule's cap (default 2²³ = 8,388,608 sets).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_rr_sets: Option<u64>,
    /// The adaptive rule's target relative standard error (default 0.002).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub relative_stderr: Option<f64>,
    /// Random seed: the same seed gives the same numbers on any number of threads.
    #[serde(default)]
    pub seed: u64,
    /// Threads.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub threads: Option<usize>,
    /// Hop horizon.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hops: Option<u32>,
    /// Memory limit of one batch of RR sets in bytes (the default limit when absent).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub memory_limit_bytes: Option<u64>,
}

/// One seed set's spread on the common RR sets.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CompareSet {
    /// The set's name.
    pub label: String,
    /// The seeds, ids as in the input.
    pub seeds: Vec<NodeKey>,
    /// Expected spread (objective unit, seeds included): `mean`, `stderr`, 95% interval.
    #[serde(flatten)]
    pub estimate: Estimate,
    /// Common RR sets this seed set meets.
    pub covered_sets: u64,
}

/// A paired difference: `second` minus `first`, with the sets' labels.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CompareDifference {
    /// `"B minus A"` with the sets' labels.
    pub label: String,
    /// The difference itself (objective unit; indices into `sets`, paired and unpaired
    /// standard errors, RR sets met by one set only), as [`select::compare`] gives it.
    #[serde(flatten)]
    pub paired: select::Difference,
}

/// The answer to a [`CompareRequest`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CompareResponse {
    /// The graph.
    pub graph: GraphSummary,
    /// Each seed set's spread, in the order given.
    pub sets: Vec<CompareSet>,
    /// The second set minus the first (the same as `differences[0]`).
    pub difference: CompareDifference,
    /// Every later set minus the first.
    pub differences: Vec<CompareDifference>,
    /// The model.
    pub model: Model,
    /// What the spread counts.
    pub objective: RootDistribution,
    /// Common RR sets every estimate is taken on.
    pub rr_sets: u64,
    /// How that number was chosen: `fixed`, `adaptive_target` (target met) or `adaptive_cap`
    /// (stopped at the cap first).
    pub rule: SetsRule,
    /// The adaptive rule's target relative standard error (absent for a fixed number).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target_relative_stderr: Option<f64>,
    /// Random seed.
    pub seed: u64,
    /// Seconds from the graph being loaded to the answer.
    // Absent from stored responses, which leave out what measures time.
    #[serde(default)]
    pub time_s: f64,
    /// The unit of each number above.
    #[serde(default)]
    pub units: crate::Units,
}

impl CompareRequest {
    /// The core configuration this request stands for: the defaults and checks every front end
    /// (JSON, CLI, Python) shares.
    ///
    /// # Errors
    /// [`reachgraph_core::Error::InvalidParameter`] naming a field out of range.
    pub fn config(&self) -> Result<CompareConfig> {
        let mut b = CompareConfig::builder()
            .rr_sets_opt(self.rr_sets)
            .objective(objective(self.objective, self.target.is_some()))
            .sampling(
                reachgraph_core::Sampling::new(self.seed)
                    .with_threads(self.threads)
                    .with_hops(self.hops)
                    .with_memory_limit_bytes(self.memory_limit_bytes),
            );
        if let Some(m) = self.max_rr_sets {
            b = b.max_rr_sets(m);
        }
        if let Some(r) = self.relative_stderr {
            b = b.relative_stderr(r);
        }
        Ok(b.build()?)
    }

    /// The label of each seed set: the request's, or the file path, or `set i`.
    ///
    /// # Errors
    /// [`ApiError::InvalidRequest`] when `labels` does not have one entry per seed set.
    pub fn labels(&self) -> Result<Vec<String>> {
        match &self.labels {
            Some(l) if l.len() != self.seed_sets.len() => Err(ApiError::invalid(format!(
                "labels: {} labels for {} seed sets; give one per set",
                l.len(),
                self.seed_sets.len()
            ))),
            Some(l) => Ok(l.clone()),
            None => Ok(self
                .seed_sets
                .iter()
                .enumerate()
                .map(|(i, s)| match s {
                    IdList::File { file } => file.clone(),
                    IdList::Inline(_) => format!("set {}", i + 1),
                })
                .collect()),
        }
    }

    /// Runs the request on a graph already in memory (the Python bindings hold one): `sets`
    /// are dense ids of `graph`; the request's `graph`, `seed_sets` and `target` are not used.
    ///
    /// # Errors
    /// As [`CompareRequest::config`] and [`select::compare`].
    pub fn run_loaded(
        &self,
        graph: &reachgraph_core::Graph,
        sets: &[Vec<u32>],
        progress: &dyn Progress,
    ) -> Result<select::Comparison> {
        let config = self.config()?;
        Ok(select::compare(graph, self.model, sets, &config, progress)?)
    }
}

/// Builds the response from a core comparison, its labels and the graph's summary.
pub fn compare_response(
    graph: GraphSummary,
    labels: &[String],
    c: select::Comparison,
) -> CompareResponse {
    let differences: Vec<CompareDifference> = c
        .differences
        .iter()
        .map(|d| CompareDifference {
            label: format!("{} minus {}", labels[d.second], labels[d.first]),
            paired: d.clone(),
        })
        .collect();
    let u = objective_unit(c.objective);
    CompareResponse {
        graph,
        sets: c
            .sets
            .into_iter()
            .zip(labels)
            .map(|(s, l)| CompareSet {
                label: l.clone(),
                seeds: s.seeds,
                estimate: s.estimate,
                covered_sets: s.covered_sets,
            })
            .collect(),
        difference: differences[0].clone(),
        differences,
        model: c.model,
        objective: c.objective,
        rr_sets: c.rr_sets,
        rule: c.rule,
        target_relative_stderr: c.target_relative_stderr,
        seed: c.seed,
        time_s: c.time_s,
        units: crate::units(&[
            ("sets.mean", u),
            ("sets.stderr", u),
            ("sets.ci95_low", u),
            ("sets.ci95_high", u),
            ("sets.min", u),
            ("sets.max", u),
            ("sets.seeds", "accounts"),
            ("sets.covered_sets", "RR sets"),
            ("difference.mean", u),
            ("difference.stderr", u),
            ("difference.unpaired_stderr", u),
            ("differences.mean", u),
            ("differences.stderr", u),
            ("differences.unpaired_stderr", u),
            ("differences.only_first", "RR sets"),
            ("differences.only_second", "RR sets"),
            ("rr_sets", "RR sets"),
            ("time_s", "seconds"),
        ]),
    }
}

pub(crate) fn run_compare(r: &CompareRequest, progress: &dyn Progress) -> Result<CompareResponse> {
    if r.seed_sets.len() < 2 {
        return Err(ApiError::invalid(format!(
            "seed_sets: {} seed set(s); compare needs at least 2 (--seeds A.txt --seeds B.txt)",
            r.seed_sets.len()
        )));
    }
    // Checked before the graph loads: a wrong count of labels should not wait for it.
    r.labels()?;
    r.config()?;
    let g = load_with(&r.graph, None, r.target.as_ref(), progress)?;
    let start = Instant::now();
    let sets = r
        .seed_sets
        .iter()
        .enumerate()
        .map(|(i, s)| s.resolve(&g.graph, &format!("seed set {}", i + 1)))
        .collect::<Result<Vec<_>>>()?;
    let labels = r.labels()?;
    let c = r.run_loaded(&g.graph, &sets, progress)?;
    let mut resp = compare_response(summary(&g), &labels, c);
    resp.time_s = start.elapsed().as_secs_f64();
    Ok(resp)
}
