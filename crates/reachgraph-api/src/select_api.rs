//! The `select` and `evaluate` requests: seed selection and the spread estimate of a seed set.

use crate::load::{GraphSpec, IdList, LoadedGraph};
use crate::{summary, ApiError, GraphSummary, Result};
use reachgraph_core::cascade::Model;
use reachgraph_core::io;
use reachgraph_core::rrset::RootDistribution;
use reachgraph_core::select::{self, Algorithm, EvalConfig, Mode, SelectConfig};
use reachgraph_core::{NodeKey, Progress};
use serde::{Deserialize, Serialize};
use std::io::BufRead;
use std::time::Instant;

fn default_epsilon() -> f64 {
    0.1
}

fn default_eval_sets() -> usize {
    200_000
}

/// Seed selection: the accounts that maximize expected spread for `k` or a `budget`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SelectRequest {
    /// The graph (set `weights` for the edge probabilities).
    pub graph: GraphSpec,
    /// `ic` or `lt`.
    pub model: Model,
    /// Number of accounts (give `k` or `budget`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub k: Option<usize>,
    /// Budget in the unit of the costs (give `k` or `budget`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub budget: Option<f64>,
    /// A CSV with `id,cost` (layered over the graph's attributes).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub costs: Option<String>,
    /// Who counts: ids of target accounts (weight 1, all others 0), or `{"file": PATH}` with
    /// such ids one per line, or a CSV with `id,target_weight`. Selects target-weighted roots.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target: Option<IdList>,
    /// What the spread counts: `uniform` (accounts), `people` (default), `target_weighted`
    /// (default with `target`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub objective: Option<RootDistribution>,
    /// Accounts the seeds may come from (all when absent).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub candidates: Option<IdList>,
    /// ε: the guarantee is `1 − 1/e − ε` (`1 − 1/√e − ε` with a budget).
    #[serde(default = "default_epsilon")]
    pub epsilon: f64,
    /// Failure probability (default `1/n`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub delta: Option<f64>,
    /// `guarantee` (default) or `quality`.
    #[serde(default)]
    pub mode: Mode,
    /// `opim_c` (default) or `imm`.
    #[serde(default)]
    pub algorithm: Algorithm,
    /// Random seed: the same seed gives the same seeds on any number of threads.
    #[serde(default)]
    pub seed: u64,
    /// Threads (all cores when absent). Does not change the result.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub threads: Option<usize>,
    /// Hop horizon.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hops: Option<u32>,
    /// Quality mode's relative improvement threshold (default 0.005).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tolerance: Option<f64>,
    /// Limit on RR sets drawn.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_rr_sets: Option<u64>,
    /// Time limit in seconds (makes the answer machine-dependent).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub time_limit_s: Option<f64>,
    /// Memory limit of the RR store in bytes (the default limit when absent).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub memory_limit_bytes: Option<u64>,
    /// Run the selection with seeds `seed`, `seed + 1`, ..., `seed + runs − 1` (2 to 64) and
    /// add a `stability` summary; the response's seeds are those of `seed` (absent: one run).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub runs: Option<usize>,
}

/// The spread estimate of a given seed set, on fresh RR sets.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EvaluateRequest {
    /// The graph (set `weights`).
    pub graph: GraphSpec,
    /// `ic` or `lt`.
    pub model: Model,
    /// The seed accounts.
    pub seeds: IdList,
    /// Who counts (as in [`SelectRequest::target`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target: Option<IdList>,
    /// What the spread counts (as in [`SelectRequest::objective`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub objective: Option<RootDistribution>,
    /// RR sets to estimate on (default 200,000).
    #[serde(default = "default_eval_sets")]
    pub rr_sets: usize,
    /// Random seed.
    #[serde(default)]
    pub seed: u64,
    /// Threads.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub threads: Option<usize>,
    /// Hop horizon.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hops: Option<u32>,
    /// Memory limit of the RR sets in bytes (the default limit when absent).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub memory_limit_bytes: Option<u64>,
}

/// One chosen seed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SelectStep {
    /// Account id as in the input.
    pub account: NodeKey,
    /// What it adds to the seeds before it (in-sample, objective unit).
    pub marginal_gain: f64,
    /// In-sample spread of it and the seeds before it.
    pub cumulative: f64,
    /// Its cost (budgeted selection).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cost: Option<f64>,
}

/// Chosen seeds with their estimate, certificate and work: the core's
/// [`SelectionSummary`](select::SelectionSummary) beside the seeds by external id.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SelectResponse {
    /// The graph.
    pub graph: GraphSummary,
    /// Seeds in pick order, ids as in the input.
    pub seeds: Vec<NodeKey>,
    /// Per seed: marginal gain, cumulative in-sample spread, cost.
    pub steps: Vec<SelectStep>,
    /// Estimate, certificate, configuration and work, as the core reports them (readable as
    /// `response.estimate` through [`Deref`](std::ops::Deref)).
    #[serde(flatten)]
    pub summary: select::SelectionSummary,
    /// Seconds from the request's graph being loaded to the answer.
    // Absent from stored responses, which leave out what measures time.
    #[serde(default)]
    pub time_s: f64,
    /// The unit of each number above (spread in the objective's unit).
    #[serde(default)]
    pub units: crate::Units,
    /// With `runs` ≥ 2: how the answer moves with the random seed (each run's seed set
    /// evaluated on one common collection of RR sets; see [`select::stability`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stability: Option<select::Stability>,
}

impl std::ops::Deref for SelectResponse {
    type Target = select::SelectionSummary;

    fn deref(&self) -> &select::SelectionSummary {
        &self.summary
    }
}

/// A seed set's spread estimate: the core's [`EvaluationSummary`](select::EvaluationSummary)
/// beside the seeds and the request's random seed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EvaluateResponse {
    /// The graph.
    pub graph: GraphSummary,
    /// The seeds, ids as in the input.
    pub seeds: Vec<NodeKey>,
    /// Model, objective, estimate (seeds included) and RR sets used (readable as
    /// `response.estimate` through [`Deref`](std::ops::Deref)).
    #[serde(flatten)]
    pub summary: select::EvaluationSummary,
    /// Random seed.
    pub seed: u64,
    /// Seconds from the graph being loaded to the answer.
    // Absent from stored responses, which leave out what measures time.
    #[serde(default)]
    pub time_s: f64,
    /// The unit of each number above (spread in the objective's unit).
    #[serde(default)]
    pub units: crate::Units,
}

impl std::ops::Deref for EvaluateResponse {
    type Target = select::EvaluationSummary;

    fn deref(&self) -> &select::EvaluationSummary {
        &self.summary
    }
}

impl SelectRequest {
    /// The core configuration this request stands for, with `candidates` as dense ids: the
    /// defaults and checks every front end (JSON, CLI, Python) shares.
    ///
    /// # Errors
    /// [`ApiError::InvalidRequest`] unless exactly one of `k` and `budget` is given;
    /// [`reachgraph_core::Error::InvalidParameter`] naming a field out of range.
    pub fn config(&self, candidates: Option<Vec<u32>>) -> Result<SelectConfig> {
        let mut b = SelectConfig::builder()
            .epsilon(self.epsilon)
            .mode(self.mode)
            .algorithm(self.algorithm)
            .objective(objective(self.objective, self.target.is_some()))
            .candidates_opt(candidates)
            .sampling(
                reachgraph_core::Sampling::new(self.seed)
                    .with_threads(self.threads)
                    .with_hops(self.hops)
                    .with_memory_limit_bytes(self.memory_limit_bytes),
            );
        b = match (self.k, self.budget) {
            (Some(k), None) => b.k(k),
            (None, Some(budget)) => b.budget(budget),
            _ => {
                return Err(ApiError::invalid(
                    "give exactly one of \"k\" (a number of accounts) or \"budget\"",
                ))
            }
        };
        if let Some(d) = self.delta {
            b = b.delta(d);
        }
        if let Some(t) = self.tolerance {
            b = b.tolerance(t);
        }
        if let Some(m) = self.max_rr_sets {
            b = b.max_rr_sets(m);
        }
        if let Some(t) = self.time_limit_s {
            b = b.time_limit_s(t);
        }
        Ok(b.build()?)
    }

    /// Runs the request on a graph already in memory (the Python bindings hold one), with the
    /// graph's own costs and target weights: `candidates` are dense ids of `graph`; the
    /// request's `graph`, `costs`, `target` and `candidates` fields are not used.
    ///
    /// # Errors
    /// As [`SelectRequest::config`] and [`select::select`].
    pub fn run_loaded(
        &self,
        graph: &reachgraph_core::Graph,
        candidates: Option<Vec<u32>>,
        progress: &dyn Progress,
    ) -> Result<select::Selection> {
        let config = self.config(candidates)?;
        Ok(select::select(graph, self.model, &config, progress)?)
    }
}

impl SelectRequest {
    /// With `runs` ≥ 2, the runs with seeds `seed + 1`, ..., `seed + runs − 1` after the first
    /// (whose seeds are `first`), and the [`select::stability`] summary of all of them; `None`
    /// for one run. `candidates` are dense ids of `graph` (as [`SelectRequest::run_loaded`]).
    ///
    /// # Errors
    /// [`reachgraph_core::Error::InvalidParameter`] for `runs` outside 1 to 64 or a seed that
    /// overflows; as [`select::select`] and [`select::stability`].
    pub fn run_stability(
        &self,
        graph: &reachgraph_core::Graph,
        candidates: Option<Vec<u32>>,
        first: &[u32],
        progress: &dyn Progress,
    ) -> Result<Option<select::Stability>> {
        self.stability_with(
            graph,
            candidates,
            first,
            progress,
            &|g, model, config, p| select::select(g, model, config, p),
        )
    }

    /// Checks `runs` (1 to [`select::MAX_COMPARED_SETS`], `seed + runs − 1` in range).
    ///
    /// # Errors
    /// [`reachgraph_core::Error::InvalidParameter`] naming `runs` or `seed`.
    pub fn check_runs(&self) -> Result<usize> {
        let runs = self.runs.unwrap_or(1);
        if !(1..=select::MAX_COMPARED_SETS).contains(&runs) {
            return Err(reachgraph_core::Error::invalid_parameter(
                "runs",
                runs,
                format!("must be 1 to {}", select::MAX_COMPARED_SETS),
            )
            .into());
        }
        if self.seed.checked_add(runs as u64 - 1).is_none() {
            return Err(reachgraph_core::Error::invalid_parameter(
                "seed",
                self.seed,
                format!("seed + runs − 1 must fit in 64 bits for {runs} runs"),
            )
            .into());
        }
        Ok(runs)
    }

    fn stability_with(
        &self,
        graph: &reachgraph_core::Graph,
        candidates: Option<Vec<u32>>,
        first: &[u32],
        progress: &dyn Progress,
        selector: &Selector<'_>,
    ) -> Result<Option<select::Stability>> {
        let runs = self.check_runs()?;
        if runs == 1 {
            return Ok(None);
        }
        let config = self.config(candidates.clone())?;
        let seeds: Vec<u64> = (0..runs as u64).map(|i| self.seed + i).collect();
        let mut sets = vec![first.to_vec()];
        for &seed in &seeds[1..] {
            let mut ri = self.clone();
            ri.seed = seed;
            let c = ri.config(candidates.clone())?;
            sets.push(selector(graph, self.model, &c, progress)?.seeds);
        }
        let common = select::CompareConfig::builder()
            .objective(config.objective())
            .sampling(*config.sampling())
            .build()?;
        Ok(Some(select::stability(
            graph, self.model, &sets, &seeds, &common, progress,
        )?))
    }
}

impl EvaluateRequest {
    /// The core configuration this request stands for: the defaults and checks every front end
    /// (JSON, CLI, Python) shares.
    ///
    /// # Errors
    /// [`reachgraph_core::Error::InvalidParameter`] naming a field out of range.
    pub fn config(&self) -> Result<EvalConfig> {
        Ok(EvalConfig::builder()
            .rr_sets(self.rr_sets)
            .sampling(
                reachgraph_core::Sampling::new(self.seed)
                    .with_threads(self.threads)
                    .with_hops(self.hops)
                    .with_memory_limit_bytes(self.memory_limit_bytes),
            )
            .objective(objective(self.objective, self.target.is_some()))
            .build()?)
    }

    /// Runs the request on a graph already in memory (the Python bindings hold one): `seeds`
    /// are dense ids of `graph`; the request's `graph`, `seeds` and `target` fields are not used.
    ///
    /// # Errors
    /// As [`EvaluateRequest::config`] and [`select::evaluate`].
    pub fn run_loaded(
        &self,
        graph: &reachgraph_core::Graph,
        seeds: &[u32],
        progress: &dyn Progress,
    ) -> Result<select::Evaluation> {
        let config = self.config()?;
        Ok(select::evaluate(
            graph, self.model, seeds, &config, progress,
        )?)
    }
}

/// Sets target weights: listed accounts 1, all others 0; or a CSV's `target_weight` column.
fn apply_target(g: &mut LoadedGraph, target: &IdList) -> Result<()> {
    let mut attrs = g.graph.attributes().clone();
    let listed = match target {
        IdList::File { file } if is_csv(file)? => {
            let f =
                std::fs::File::open(file).map_err(|e| ApiError::io(format!("open {file}"), e))?;
            // Accounts the file does not list count 0.
            attrs.target_weight = reachgraph_core::Column::filled(0.0, attrs.len());
            g.graph.set_attributes(attrs)?;
            attrs = io::read_attributes(f, file, &g.graph)?;
            None
        }
        other => Some(other.resolve(&g.graph, "target list")?),
    };
    if let Some(ids) = listed {
        if ids.is_empty() {
            return Err(reachgraph_core::Error::Empty {
                what: "target list".into(),
            }
            .into());
        }
        attrs.target_weight = reachgraph_core::Column::filled(0.0, attrs.len());
        for a in ids {
            attrs.target_weight[a as usize] = 1.0;
        }
    }
    g.graph.set_attributes(attrs)?;
    Ok(())
}

/// A target file is a CSV when its first line that is not a comment has a comma and names a
/// `target_weight` (or `target`) column.
fn is_csv(file: &str) -> Result<bool> {
    let f = std::fs::File::open(file).map_err(|e| ApiError::io(format!("open {file}"), e))?;
    let r = io::maybe_gunzip(f, file)?;
    for line in r.lines() {
        let line = line.map_err(|e| ApiError::io(format!("read {file}"), e))?;
        let t = line.trim();
        if t.is_empty() || t.starts_with('#') {
            continue;
        }
        if !t.contains(',') {
            return Ok(false);
        }
        let cols: Vec<String> = t
            .split(',')
            .map(|c| c.trim().to_ascii_lowercase())
            .collect();
        if cols.iter().any(|c| c == "target_weight" || c == "target") {
            return Ok(true);
        }
        return Err(ApiError::invalid(format!(
            "{file}:1: a target CSV needs an `id` and a `target_weight` column; for a list of \
             target accounts write one id per line"
        )));
    }
    Ok(false)
}

pub(crate) fn objective(explicit: Option<RootDistribution>, target: bool) -> RootDistribution {
    explicit.unwrap_or(if target {
        RootDistribution::TargetWeighted
    } else {
        RootDistribution::People
    })
}

pub(crate) fn load_with(
    graph: &GraphSpec,
    costs: Option<&String>,
    target: Option<&IdList>,
    progress: &dyn Progress,
) -> Result<LoadedGraph> {
    let mut g = graph.load(progress)?;
    if let Some(path) = costs {
        let f = std::fs::File::open(path).map_err(|e| ApiError::io(format!("open {path}"), e))?;
        let attrs = io::read_attribute_column(f, path, &g.graph, "cost")?;
        g.graph.set_attributes(attrs)?;
    }
    if let Some(t) = target {
        apply_target(&mut g, t)?;
    }
    Ok(g)
}

pub(crate) fn run_select(r: &SelectRequest, progress: &dyn Progress) -> Result<SelectResponse> {
    run_select_with(r, progress, &|g, model, config, progress| {
        select::select(g, model, config, progress)
    })
}

/// How a select request's seeds are chosen: [`select::select`], or its distributed form.
pub(crate) type Selector<'a> = dyn Fn(
        &reachgraph_core::Graph,
        Model,
        &SelectConfig,
        &dyn Progress,
    ) -> reachgraph_core::Result<select::Selection>
    + 'a;

pub(crate) fn run_select_with(
    r: &SelectRequest,
    progress: &dyn Progress,
    selector: &Selector<'_>,
) -> Result<SelectResponse> {
    // Checked before the graph loads and the first run: a bad count should not wait for them.
    r.check_runs()?;
    let g = load_with(&r.graph, r.costs.as_ref(), r.target.as_ref(), progress)?;
    let start = Instant::now();
    let candidates = r
        .candidates
        .as_ref()
        .map(|c| c.resolve(&g.graph, "candidate list"))
        .transpose()?;
    let config = r.config(candidates.clone())?;
    let s = selector(&g.graph, r.model, &config, progress)?;
    let stability = r.stability_with(&g.graph, candidates, &s.seeds, progress, selector)?;
    let mut cum = 0.0;
    let steps = s
        .keys
        .iter()
        .zip(&s.marginal_gains)
        .enumerate()
        .map(|(i, (k, &m))| {
            cum += m;
            SelectStep {
                account: k.clone(),
                marginal_gain: m,
                cumulative: cum,
                cost: s.costs.as_ref().map(|c| c[i]),
            }
        })
        .collect();
    Ok(SelectResponse {
        graph: summary(&g),
        seeds: s.keys,
        steps,
        units: spread_units(s.summary.objective, true, stability.is_some()),
        summary: s.summary,
        time_s: start.elapsed().as_secs_f64(),
        stability,
    })
}

pub(crate) fn run_evaluate(
    r: &EvaluateRequest,
    progress: &dyn Progress,
) -> Result<EvaluateResponse> {
    let g = load_with(&r.graph, None, r.target.as_ref(), progress)?;
    let start = Instant::now();
    let seeds = r.seeds.resolve(&g.graph, "seed set")?;
    let e = r.run_loaded(&g.graph, &seeds, progress)?;
    Ok(EvaluateResponse {
        graph: summary(&g),
        seeds: e.keys,
        units: spread_units(e.summary.objective, false, false),
        summary: e.summary,
        seed: r.seed,
        time_s: start.elapsed().as_secs_f64(),
    })
}

/// The unit spread is counted in for an RR-set objective: every account, every person, or
/// target weight.
pub fn objective_unit(o: reachgraph_core::rrset::RootDistribution) -> &'static str {
    match o {
        reachgraph_core::rrset::RootDistribution::Uniform => "accounts",
        reachgraph_core::rrset::RootDistribution::People => "graph people",
        reachgraph_core::rrset::RootDistribution::TargetWeighted => "target weight",
    }
}

fn spread_units(
    o: reachgraph_core::rrset::RootDistribution,
    select: bool,
    stability: bool,
) -> crate::Units {
    let u = objective_unit(o);
    let mut pairs = vec![
        ("estimate", u),
        ("seeds", "accounts"),
        ("rr_sets", "RR sets"),
        ("time_s", "seconds"),
    ];
    if select {
        pairs.extend([
            ("in_sample", u),
            ("steps.marginal_gain", u),
            ("steps.cumulative", u),
            ("steps.cost", "usd"),
            ("total_cost", "usd"),
            ("approximation", "share of the optimum"),
        ]);
    }
    if stability {
        pairs.extend([
            ("stability.run_spreads", u),
            ("stability.spread", u),
            ("stability.jaccard", "share of the union of two runs' seeds"),
            ("stability.frequency.share", "share of runs"),
            ("stability.rr_sets", "RR sets"),
        ]);
    }
    crate::units(&pairs)
}
