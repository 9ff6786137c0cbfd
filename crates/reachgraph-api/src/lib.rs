//! # reachgraph-api
//!
//! Stable JSON requests and responses for reachgraph, and [`run`], which answers one request.
//! The `reachgraph` command-line tool (crate `reachgraph-cli`) is a thin layer over this crate:
//! every subcommand builds a [`Request`], calls [`run`] and prints the [`Response`] (as JSON with
//! `--json`, as tables otherwise). This crate has no command-line, terminal or chart
//! dependencies, so the Python extension does not compile them.
//!
//! ## Wire format
//! A request is a JSON object with `"version": 1`, a `"type"` naming the request, and the
//! request's fields; the response carries the same `version` and `type`. Unknown fields are
//! rejected, so a typo is an error rather than a silently ignored option.
//!
//! ```
//! use reachgraph_api::{parse_request, run, NoProgress};
//! let req = parse_request(r#"{"version": 1, "type": "reach",
//!     "graph": {"inline": "a b\na c\nd c\n"}, "seeds": ["a", "d"]}"#).unwrap();
//! let resp = run(&req, &NoProgress).unwrap();
//! let json = serde_json::to_value(&resp).unwrap();
//! assert_eq!(json["unique_reach"], 2);
//! assert_eq!(json["summed_followers"], 3);
//! ```
//!
//! ## Modules
//! - [`compare_api`]: the compare request (seed sets on common RR sets, paired differences);
//! - [`distributed`]: `select`, `spread` and `margin` requests over the ranks of a
//!   distributed run (MPI with the `mpi` feature);
//! - [`load`]: graph specifications (files, inline text, generated scenarios) and id lists;
//! - [`margin`]: the margin request (campaign → votes → electoral outcomes);
//! - [`plan`]: the plan request (a creator table → modelled reach, fit, pick);
//! - the request handlers live in this file, one per request type.
#![deny(missing_docs)]

pub mod compare_api;
pub mod distributed;
pub mod load;
pub mod margin;
pub mod plan;
pub mod provenance;
pub mod report;
mod select_api;

pub use compare_api::{CompareDifference, CompareRequest, CompareResponse, CompareSet};
pub use select_api::{
    EvaluateRequest, EvaluateResponse, SelectRequest, SelectResponse, SelectStep,
};
pub mod sketch;

use load::{GraphSpec, IdList, LoadedGraph};
use reachgraph_core::cascade::{self, Estimate, Model, SpreadConfig};
use reachgraph_core::coverage::{self, BudgetPick, BudgetPickSummary, Ladder};
use reachgraph_core::overlap;
use reachgraph_core::reach::{self, ExpectedReach, ReachBreakdown, ReachOptions};
use reachgraph_core::scenario::{self, ScenarioConfig};
use reachgraph_core::{BuildReport, Graph};
pub use reachgraph_core::{NoProgress, Progress};
use serde::{Deserialize, Serialize};

/// The wire-format version this crate reads and writes.
pub const API_VERSION: u32 = 1;

/// An error answered instead of a response. [`ApiError::kind`] is stable; the message names
/// the file, line, node or value at fault.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// An error of the core library.
    #[error(transparent)]
    Core(#[from] reachgraph_core::Error),
    /// A core error met while combining inputs, with the inputs it concerns in front.
    #[error("{context}: {source}")]
    Context {
        /// Which inputs (for example two sketch directories).
        context: String,
        /// The core error.
        source: reachgraph_core::Error,
    },
    /// A file (or stdin) could not be opened, read or written.
    #[error("cannot {what}: {source}{hint}")]
    Io {
        /// What was being done, naming the path (`open graph.txt`).
        what: String,
        /// The underlying I/O error.
        source: std::io::Error,
        /// What to do instead (may be empty).
        hint: &'static str,
    },
    /// A request is malformed or asks for something this crate does not do.
    #[error("{0}")]
    InvalidRequest(String),
    /// A merge of sketch sets was given fewer than two.
    #[error("sketch merge needs at least two sketch sets, got {got}")]
    TooFewSketchSets {
        /// How many were given.
        got: usize,
    },
    /// A sketch directory's manifest does not describe its sketch file (written by two
    /// different builds, or edited).
    #[error(
        "{manifest} says {field} = {manifest_value}, but {file} holds {file_value}: the \
         manifest and the sketches come from different builds; rebuild the directory, or \
         pass the .rgsk file itself to read it without its manifest"
    )]
    ManifestMismatch {
        /// Path of the manifest.
        manifest: String,
        /// Path of the sketch file.
        file: String,
        /// The field that differs (`bytes`, `checksum`, `accounts`, `lg_k`, `seed`, `kind`).
        field: String,
        /// What the manifest says (`(absent)` when it lacks the field).
        manifest_value: String,
        /// What the sketch file holds.
        file_value: String,
    },
    /// A distributed run was asked of a build without MPI.
    #[error(
        "--distributed needs a reachgraph built with MPI: install an MPI library and \
         libclang (Debian: libopenmpi-dev openmpi-bin libclang-dev), build with \
         `cargo build --release --features mpi`, and run under mpirun (see \
         docs/distributed.md)"
    )]
    BuiltWithoutMpi,
}

impl ApiError {
    /// An error of kind `invalid_request`.
    pub fn invalid(message: impl Into<String>) -> Self {
        ApiError::InvalidRequest(message.into())
    }

    /// An error of kind `io`: `what` names the action and the path (`"open graph.txt"`).
    pub fn io(what: impl Into<String>, source: std::io::Error) -> Self {
        ApiError::Io {
            what: what.into(),
            source,
            hint: "",
        }
    }

    /// A short machine-readable name of the error kind (stable; the core's kinds for
    /// [`ApiError::Core`] and [`ApiError::Context`]).
    pub fn kind(&self) -> &'static str {
        match self {
            ApiError::Core(e) | ApiError::Context { source: e, .. } => e.kind(),
            ApiError::Io { .. } => "io",
            ApiError::InvalidRequest(_) => "invalid_request",
            ApiError::TooFewSketchSets { .. } => "invalid_parameter",
            ApiError::ManifestMismatch { .. } => "manifest_mismatch",
            ApiError::BuiltWithoutMpi => "built_without_mpi",
        }
    }

    /// The wire form of this error.
    pub fn to_wire(&self) -> WireError {
        WireError {
            kind: self.kind().to_string(),
            message: self.to_string(),
        }
    }
}

/// What an [`ApiError`] looks like on the wire: `{"kind": …, "message": …}`. A client reads
/// this; the typed error does not survive the trip (its sources are not data).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WireError {
    /// Stable kind (`parse`, `io`, `unknown_node`, `invalid_request`, ...).
    pub kind: String,
    /// What went wrong, naming the file, line, node or value.
    pub message: String,
}

impl Serialize for ApiError {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        self.to_wire().serialize(s)
    }
}

/// Result alias of this crate.
pub type Result<T, E = ApiError> = std::result::Result<T, E>;

/// A request. Serialized with a `"type"` tag; see the [crate docs](crate).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Request {
    /// Deduplicated reach of a seed set.
    Reach(ReachRequest),
    /// Audience overlap of a list of accounts.
    Overlap(OverlapRequest),
    /// The greedy reach ladder.
    Ladder(LadderRequest),
    /// The best accounts for a budget.
    BudgetPick(BudgetPickRequest),
    /// Monte Carlo spread of a seed set under a cascade model.
    Spread(SpreadRequest),
    /// The demo on the embedded campaign scenario.
    Demo(DemoRequest),
    /// Seed selection (influence maximization) with a certified approximation ratio.
    Select(SelectRequest),
    /// The RR estimate of a given seed set's spread.
    Evaluate(EvaluateRequest),
    /// Build per-account sketches of a graph into a directory.
    SketchBuild(sketch::SketchBuildRequest),
    /// Build sketches from a file of `account follower` pairs, read in chunks.
    SketchStream(sketch::SketchStreamRequest),
    /// Unique reach from stored sketches, with its error bound.
    SketchReach(sketch::SketchReachRequest),
    /// Overlap matrices from stored sketches, with error bounds.
    SketchOverlap(sketch::SketchOverlapRequest),
    /// The greedy reach ladder from stored sketches.
    SketchLadder(sketch::SketchLadderRequest),
    /// The budgeted pick from stored sketches and per-account costs.
    SketchPick(sketch::SketchPickRequest),
    /// Merge stored sketch sets into a new directory.
    SketchMerge(sketch::SketchMergeRequest),
    /// Sketch answers compared with exact ones on a graph.
    SketchCheck(sketch::SketchCheckRequest),
    /// The expected error for a sketch size and set size.
    SketchError(sketch::SketchErrorRequest),
    /// Reach from follower counts alone, under an explicit overlap model.
    SketchModel(sketch::SketchModelRequest),
    /// Margin simulation: a campaign's effect on vote margins and electoral outcomes (boxed:
    /// it has many more fields than the others).
    Margin(Box<margin::MarginRequest>),
    /// A campaign's own results read back: deduplicated reach, ROI, calibration, effects.
    Report(Box<report::ReportRequest>),
    /// Planning from a creator table: modelled distinct reach, fit, assumptions and pick.
    Plan(Box<plan::PlanRequest>),
    /// Two or more seed sets' spreads and paired differences on common RR sets.
    Compare(compare_api::CompareRequest),
}

/// Deduplicated reach of a seed set.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReachRequest {
    /// The graph.
    pub graph: GraphSpec,
    /// The seed accounts.
    pub seeds: IdList,
    /// Count the seeds' own persons as reached.
    #[serde(default)]
    pub include_seeds: bool,
    /// Count only people with positive target weight.
    #[serde(default)]
    pub target_only: bool,
    /// When set, also the expected reach and frequency distribution under the edge
    /// probabilities, with this many posts per seed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub posts_per_seed: Option<u32>,
}

/// Audience overlap of a list of accounts.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OverlapRequest {
    /// The graph.
    pub graph: GraphSpec,
    /// The accounts, in the order of the matrices' rows.
    pub accounts: IdList,
    /// When set, also the edges of the overlap graph with Jaccard at least this.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_jaccard: Option<f64>,
}

/// The greedy reach ladder.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LadderRequest {
    /// The graph.
    pub graph: GraphSpec,
    /// Number of steps.
    pub k: usize,
    /// Candidate accounts (all accounts when absent).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub candidates: Option<IdList>,
    /// Count the picked accounts' own persons as reached.
    #[serde(default)]
    pub include_seeds: bool,
    /// Maximize target weight rather than people.
    #[serde(default)]
    pub target_only: bool,
}

/// The best accounts for a budget.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BudgetPickRequest {
    /// The graph (costs come from its attributes).
    pub graph: GraphSpec,
    /// The budget, in the unit of the costs.
    pub budget: f64,
    /// Candidate accounts (all accounts with a cost when absent).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub candidates: Option<IdList>,
    /// Count the picked accounts' own persons as reached.
    #[serde(default)]
    pub include_seeds: bool,
    /// Maximize target weight rather than people.
    #[serde(default)]
    pub target_only: bool,
}

/// Monte Carlo spread of a seed set under Independent Cascade or Linear Threshold.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SpreadRequest {
    /// The graph (set `weights` for the edge probabilities).
    pub graph: GraphSpec,
    /// The seed accounts (active at the start).
    pub seeds: IdList,
    /// `ic` or `lt`.
    pub model: Model,
    /// Number of Monte Carlo trials (an upper bound with `target_rse`).
    #[serde(default = "default_trials")]
    pub trials: u64,
    /// Random seed: the same seed gives the same numbers on any number of threads.
    #[serde(default)]
    pub seed: u64,
    /// Threads (all cores when absent). Does not change the result.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub threads: Option<usize>,
    /// Hop horizon: at most this many reshare steps.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hops: Option<u32>,
    /// Stop once the relative standard error of the mean is below this.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target_rse: Option<f64>,
    /// Also the per-account activation probabilities (accounts with p > 0, largest first).
    #[serde(default)]
    pub node_probabilities: bool,
    /// Also the histogram of spread in accounts.
    #[serde(default)]
    pub histogram: bool,
    /// Keep the run's progress in this file, so an interrupted run resumes from it with the
    /// same answer (removed when the run completes; one process only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub checkpoint: Option<String>,
}

fn default_trials() -> u64 {
    10_000
}

impl SpreadRequest {
    /// The core configuration this request stands for: the defaults and checks every front end
    /// (JSON, CLI, Python) shares.
    ///
    /// # Errors
    /// [`reachgraph_core::Error::InvalidParameter`] naming the field out of range.
    pub fn config(&self) -> Result<SpreadConfig> {
        let sampling = reachgraph_core::Sampling::new(self.seed)
            .with_threads(self.threads)
            .with_hops(self.hops);
        let mut b = SpreadConfig::builder()
            .trials(self.trials)
            .sampling(sampling)
            .node_probabilities(self.node_probabilities)
            .histogram(self.histogram);
        if let Some(x) = self.target_rse {
            b = b.target_rse(x);
        }
        if let Some(path) = &self.checkpoint {
            b = b.checkpoint(path);
        }
        Ok(b.build()?)
    }

    /// Runs the request on a graph already in memory (the Python bindings hold one): `seeds`
    /// are dense ids of `graph`; the request's `graph` and `seeds` fields are not used. The
    /// trials are split over the ranks of `comm` (`&Local`: one process).
    ///
    /// # Errors
    /// As [`SpreadRequest::config`] and [`cascade::simulate_distributed`].
    pub fn run_loaded(
        &self,
        graph: &Graph,
        seeds: &[u32],
        progress: &dyn Progress,
        comm: &dyn reachgraph_core::comm::Comm,
    ) -> Result<cascade::SpreadResult> {
        let cfg = self.config()?;
        Ok(cascade::simulate_distributed(
            graph, seeds, self.model, &cfg, progress, comm,
        )?)
    }
}

/// The demo: a generated multi-platform campaign population. A field left out takes its value
/// from [`DemoRequest::DEFAULT`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct DemoRequest {
    /// Seed of the scenario (the embedded default when absent).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub seed: Option<u64>,
    /// Number of largest creators whose reach is compared with their summed followers.
    pub creators: usize,
    /// Monthly budget of the pick.
    pub budget: f64,
    /// Flat price of one creator-month for the main pick; the response also has a pick priced
    /// by the scenario's tier rate card.
    pub price_per_creator: f64,
    /// Steps of the reach ladder.
    pub ladder_steps: usize,
    /// Size of the overlap matrix of the largest creators.
    pub overlap_accounts: usize,
    /// Monte Carlo draws of the closing margin simulation.
    pub margin_draws: u64,
}

impl DemoRequest {
    /// The demo's defaults, the one place they are written: the wire format, the CLI's flags and
    /// the margin request's demo campaign all take them from here. The budget buys 20
    /// creator-months at the flat price, which is what one creator program paid (see the
    /// scenario's rate card).
    pub const DEFAULT: DemoRequest = DemoRequest {
        seed: None,
        creators: 200,
        budget: 160_000.0,
        price_per_creator: 8_000.0,
        ladder_steps: 20,
        overlap_accounts: 8,
        margin_draws: 10_000,
    };

    /// Checks every field, so that a bad one fails before the scenario is generated.
    fn validate(&self) -> Result<()> {
        if self.creators == 0 || self.ladder_steps == 0 || self.overlap_accounts == 0 {
            return Err(ApiError::invalid(
                "creators, ladder_steps and overlap_accounts must be at least 1",
            ));
        }
        if !(self.budget.is_finite() && self.budget > 0.0) {
            return Err(reachgraph_core::Error::invalid_parameter(
                "budget",
                self.budget,
                "must be a finite number > 0",
            )
            .into());
        }
        margin::check_price(self.price_per_creator)?;
        if self.margin_draws == 0 {
            return Err(ApiError::invalid("margin_draws must be at least 1"));
        }
        Ok(())
    }
}

impl Default for DemoRequest {
    fn default() -> Self {
        Self::DEFAULT
    }
}

/// A response; serialized with the request's `"type"` tag and `"version"`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Response {
    /// Answer to [`Request::Reach`].
    Reach(Versioned<ReachResponse>),
    /// Answer to [`Request::Overlap`].
    Overlap(Versioned<OverlapResponse>),
    /// Answer to [`Request::Ladder`].
    Ladder(Versioned<LadderResponse>),
    /// Answer to [`Request::BudgetPick`].
    BudgetPick(Versioned<BudgetPickResponse>),
    /// Answer to [`Request::Spread`].
    Spread(Versioned<SpreadResponse>),
    /// Answer to [`Request::Demo`] (boxed: it is much larger than the others).
    Demo(Box<Versioned<DemoResponse>>),
    /// Answer to [`Request::Select`].
    Select(Box<Versioned<SelectResponse>>),
    /// Answer to [`Request::Evaluate`].
    Evaluate(Versioned<EvaluateResponse>),
    /// Answer to [`Request::SketchBuild`].
    SketchBuild(Versioned<sketch::SketchBuildResponse>),
    /// Answer to [`Request::SketchStream`].
    SketchStream(Versioned<sketch::SketchStreamResponse>),
    /// Answer to [`Request::SketchReach`].
    SketchReach(Versioned<sketch::SketchReachResponse>),
    /// Answer to [`Request::SketchOverlap`].
    SketchOverlap(Versioned<sketch::SketchOverlapResponse>),
    /// Answer to [`Request::SketchLadder`].
    SketchLadder(Versioned<sketch::SketchLadderResponse>),
    /// Answer to [`Request::SketchPick`].
    SketchPick(Versioned<sketch::SketchPickResponse>),
    /// Answer to [`Request::SketchMerge`].
    SketchMerge(Versioned<sketch::SketchMergeResponse>),
    /// Answer to [`Request::SketchCheck`].
    SketchCheck(Versioned<sketch::SketchCheckResponse>),
    /// Answer to [`Request::SketchError`].
    SketchError(Versioned<reachgraph_core::sketch::ErrorReport>),
    /// Answer to [`Request::SketchModel`]: a modelled, not measured, reach.
    SketchModel(Versioned<reachgraph_core::sketch::prior::ModelledReach>),
    /// Answer to [`Request::Margin`].
    Margin(Box<Versioned<margin::MarginResponse>>),
    /// Answer to [`Request::Report`].
    Report(Box<Versioned<report::ReportResponse>>),
    /// Answer to [`Request::Plan`]: modelled, not measured, reach from a creator table.
    Plan(Box<Versioned<plan::PlanResponse>>),
    /// Answer to [`Request::Compare`].
    Compare(Box<Versioned<compare_api::CompareResponse>>),
}

/// A response body with the wire-format version in front.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Versioned<T> {
    /// Always [`API_VERSION`].
    pub version: u32,
    /// Package version, graph hash, weights, model, seed and the request's parameters (see
    /// [`provenance`]); filled by [`run`] for every response.
    #[serde(default)]
    pub provenance: provenance::Provenance,
    /// The body.
    #[serde(flatten)]
    pub body: T,
}

/// A body with the wire-format version and the provenance of the request running on this
/// thread ([`run`] sets it before answering).
fn versioned<T>(body: T) -> Versioned<T> {
    Versioned {
        version: API_VERSION,
        provenance: provenance::take(),
        body,
    }
}

/// Size of the graph a response was computed on, and what loading did.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GraphSummary {
    /// Accounts.
    pub nodes: usize,
    /// Directed follow edges.
    pub edges: usize,
    /// People (accounts merged by the person attribute).
    pub people: usize,
    /// Self-loops dropped while loading.
    pub self_loops_dropped: usize,
    /// Duplicate edges merged while loading.
    pub duplicates_merged: usize,
}

/// The unit of each number of a response, by field name: `"graph people"` (people of the
/// graph as loaded; an account without a person link is its own person), `"real people"`
/// (graph people times a stated scale), `"accounts"`, `"follows (graph)"` (follow edges of the
/// graph), `"followers (stated)"` (the attribute file's real-world follower counts), `"usd"`,
/// `"share"`, `"target weight"`. Nested fields are named with dots (`"steps.cost"`).
pub type Units = std::collections::BTreeMap<String, String>;

/// A [`Units`] map from `(field, unit)` pairs.
pub fn units(pairs: &[(&str, &str)]) -> Units {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

/// The units of the [`Step`] fields, prefixed `steps.`.
fn step_units(prefix: &str) -> Vec<(String, String)> {
    [
        (
            "followers",
            "followers (stated when the attributes give it, else follows (graph))",
        ),
        ("followers_stated", "followers (stated)"),
        ("graph_followers", "follows (graph)"),
        ("marginal_people", "graph people"),
        ("cumulative_people", "graph people"),
        ("marginal_weight", "target weight"),
        ("cumulative_weight", "target weight"),
        ("cost", "usd"),
        ("cumulative_cost", "usd"),
    ]
    .iter()
    .map(|(k, v)| (format!("{prefix}{k}"), v.to_string()))
    .collect()
}

/// Reach of a seed set.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReachResponse {
    /// The graph.
    pub graph: GraphSummary,
    /// Number of seeds.
    pub seeds: usize,
    /// Sum of the seeds' follower counts in the graph (what follower counts add up to).
    pub summed_followers: u64,
    /// Distinct people reached (accounts, when no person attribute links accounts).
    pub unique_reach: u64,
    /// Distinct accounts reached.
    pub unique_accounts: u64,
    /// Total target weight of the people reached.
    pub target_weight: f64,
    /// `unique_reach / summed_followers`: the share of follower counts that is distinct people.
    pub dedup_ratio: f64,
    /// People reached per jurisdiction.
    pub by_jurisdiction: Vec<ReachBreakdown>,
    /// People reached per platform.
    pub by_platform: Vec<ReachBreakdown>,
    /// Expected reach under the edge probabilities, when asked for.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expected: Option<ExpectedReach>,
    /// Sum of the seeds' stated (real-world) follower counts, when the attributes give a
    /// `followers` column for any seed (seeds without one count their graph followers). It
    /// differs from `summed_followers`, which counts follow edges of the graph: a sampled or
    /// scaled graph holds a fraction of a creator's real audience.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub summed_followers_stated: Option<u64>,
    /// The unit of each number above.
    #[serde(default)]
    pub units: Units,
}

/// Overlap matrices, rows and columns in the order of `accounts`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OverlapResponse {
    /// The graph.
    pub graph: GraphSummary,
    /// Account ids.
    pub accounts: Vec<String>,
    /// Distinct people following each account.
    pub audience: Vec<u64>,
    /// Shared followers (people).
    pub shared: Vec<Vec<u64>>,
    /// Jaccard similarity of the audiences.
    pub jaccard: Vec<Vec<f64>>,
    /// `containment[i][j]`: share of i's audience that also follows j.
    pub containment: Vec<Vec<f64>>,
    /// Overlap-graph edges `(a, b, jaccard)` at or above `min_jaccard`, when asked for.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub overlap_graph: Option<Vec<OverlapEdge>>,
    /// The unit of each number above.
    #[serde(default)]
    pub units: Units,
}

/// An edge of the overlap graph.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OverlapEdge {
    /// One account.
    pub a: String,
    /// The other account.
    pub b: String,
    /// Jaccard similarity of their audiences.
    pub jaccard: f64,
}

/// One step of a ladder or pick, with the account by its external id.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Step {
    /// Account id.
    pub account: String,
    /// Platform, if known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub platform: Option<String>,
    /// Tier.
    pub tier: String,
    /// Follower count: the stated one when the attributes give it, else the graph's (see
    /// `followers_stated` and `graph_followers`, which tell the two apart).
    pub followers: u64,
    /// The attribute file's (real-world) follower count, when given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub followers_stated: Option<u64>,
    /// Followers in the graph (its out-degree: follow edges, in accounts).
    #[serde(default)]
    pub graph_followers: u64,
    /// People this step adds.
    pub marginal_people: u64,
    /// People reached so far.
    pub cumulative_people: u64,
    /// Target weight this step adds.
    pub marginal_weight: f64,
    /// Target weight reached so far.
    pub cumulative_weight: f64,
    /// Cost of the account, if it has one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cost: Option<f64>,
    /// Cost so far.
    pub cumulative_cost: f64,
}

/// The greedy reach ladder.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LadderResponse {
    /// The graph.
    pub graph: GraphSummary,
    /// What the ladder maximizes (`people` or `target_weight`).
    pub objective: coverage::Objective,
    /// Steps in pick order.
    pub steps: Vec<Step>,
    /// The unit of each number above.
    #[serde(default)]
    pub units: Units,
}

/// The best accounts for a budget: the core's [`BudgetPickSummary`] beside the accounts by
/// external id.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BudgetPickResponse {
    /// The graph.
    pub graph: GraphSummary,
    /// Picked account ids in pick order.
    pub accounts: Vec<String>,
    /// Steps in pick order.
    pub steps: Vec<Step>,
    /// Budget, cost, reach, method and guarantee (readable as `response.people` through
    /// [`Deref`](std::ops::Deref)).
    #[serde(flatten)]
    pub summary: BudgetPickSummary,
    /// The unit of each number above.
    #[serde(default)]
    pub units: Units,
}

impl std::ops::Deref for BudgetPickResponse {
    type Target = BudgetPickSummary;

    fn deref(&self) -> &BudgetPickSummary {
        &self.summary
    }
}

/// Monte Carlo spread. `mean` and `stderr` are in people (accounts, when no person attribute
/// links accounts), counting the seeds themselves, as influence-maximization papers do.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SpreadResponse {
    /// The graph.
    pub graph: GraphSummary,
    /// `ic` or `lt`.
    pub model: Model,
    /// Hop horizon, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hops: Option<u32>,
    /// Number of seeds.
    pub seeds: usize,
    /// Random seed used.
    pub seed: u64,
    /// Trials run.
    pub trials: u64,
    /// True when `target_rse` stopped the run before `trials`.
    pub stopped_early: bool,
    /// Mean spread in people.
    pub mean: f64,
    /// Standard error of `mean`.
    pub stderr: f64,
    /// Spread in people with its 95% interval, min and max.
    pub people: Estimate,
    /// Spread in accounts.
    pub accounts: Estimate,
    /// Spread in target weight.
    pub target_weight: Estimate,
    /// People reached per jurisdiction.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub by_jurisdiction: Vec<reachgraph_core::cascade::JurisdictionSpread>,
    /// Activation probability per account (p > 0), largest first, when asked for.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub node_probabilities: Option<Vec<NodeProbability>>,
    /// Histogram of spread in accounts, when asked for.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub histogram: Option<reachgraph_core::cascade::Histogram>,
    /// The unit of each number above.
    #[serde(default)]
    pub units: Units,
}

/// An account's activation probability.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NodeProbability {
    /// Account id.
    pub account: String,
    /// Probability that it is active at the end.
    pub p: f64,
}

/// The demo's answers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DemoResponse {
    /// The scenario generated.
    pub scenario: ScenarioSummary,
    /// Number of creator accounts compared (the largest by follower count; one creator may
    /// hold several of them, on different platforms).
    pub creators: usize,
    /// Distinct creators (people) holding those accounts.
    #[serde(default)]
    pub distinct_creators: usize,
    /// Their summed real-world follower counts (as the scenario scales them).
    pub summed_followers: u64,
    /// Distinct real people they reach (graph people × scale).
    pub unique_reach: u64,
    /// Their summed follower counts in the graph.
    pub summed_followers_graph: u64,
    /// Distinct graph people they reach.
    pub unique_reach_graph: u64,
    /// `unique_reach / summed_followers`.
    pub dedup_ratio: f64,
    /// People reached per platform (graph people).
    pub by_platform: Vec<ReachBreakdown>,
    /// Overlap of the largest creators.
    pub overlap: OverlapResponse,
    /// The greedy reach ladder over all creators.
    pub ladder: Vec<Step>,
    /// The budgeted pick with every creator at the flat `price_per_creator`.
    pub budget_pick: BudgetPickResponse,
    /// The budgeted pick with creators priced by the scenario's tier rate card (an assumption).
    pub rate_card_pick: BudgetPickResponse,
    /// Assumptions behind the numbers, with their sources.
    pub assumptions: Vec<String>,
    /// The closing step: a margin simulation of the flat-price pick on the 2024 electorate
    /// (its own assumptions are listed inside).
    pub margin: margin::MarginResponse,
    /// The unit of each number above (the scale: `scenario.scale` real people per graph person).
    #[serde(default)]
    pub units: Units,
}

/// What the demo's scenario is.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ScenarioSummary {
    /// Seed of the generator.
    pub seed: u64,
    /// Graph people.
    pub people: usize,
    /// Accounts.
    pub accounts: usize,
    /// Follow edges.
    pub edges: usize,
    /// Creator accounts.
    pub creators: usize,
    /// Distinct creators (people) holding the creator accounts.
    #[serde(default)]
    pub creator_people: usize,
    /// Platforms.
    pub platforms: Vec<String>,
    /// Real people one graph person stands for.
    pub scale: f64,
}

/// Parses a request from JSON text: checks `version`, then the typed request.
pub fn parse_request(text: &str) -> Result<Request> {
    // A byte order mark is not JSON, but editors on Windows put one at the start of a file.
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut v: serde_json::Value = serde_json::from_str(text)
        .map_err(|e| ApiError::invalid(format!("request is not valid JSON: {e}")))?;
    let obj = v
        .as_object_mut()
        .ok_or_else(|| ApiError::invalid("request must be a JSON object"))?;
    match obj.remove("version") {
        Some(serde_json::Value::Number(n)) if n.as_u64() == Some(API_VERSION as u64) => {}
        Some(other) => {
            return Err(ApiError::invalid(format!(
                "unsupported version {other}; this build reads version {API_VERSION}"
            )))
        }
        None => {
            return Err(ApiError::invalid(format!(
                "missing \"version\": {API_VERSION}"
            )))
        }
    }
    let tag = match obj.remove("type") {
        Some(serde_json::Value::String(t)) => t,
        Some(other) => {
            return Err(ApiError::invalid(format!(
                "invalid request: type: expected a string, got {other}"
            )))
        }
        None => {
            return Err(ApiError::invalid(format!(
                "invalid request: missing \"type\", expected one of {}",
                REQUEST_TYPES.join(", ")
            )))
        }
    };
    // Each variant is deserialized on its own rather than through the derived, internally
    // tagged `Request`: serde buffers the fields of such an enum before it picks the variant,
    // and the path of the field at fault is lost on the way.
    Ok(match tag.as_str() {
        "reach" => Request::Reach(from_json_value(v)?),
        "overlap" => Request::Overlap(from_json_value(v)?),
        "ladder" => Request::Ladder(from_json_value(v)?),
        "budget_pick" => Request::BudgetPick(from_json_value(v)?),
        "spread" => Request::Spread(from_json_value(v)?),
        "demo" => Request::Demo(from_json_value(v)?),
        "select" => Request::Select(from_json_value(v)?),
        "evaluate" => Request::Evaluate(from_json_value(v)?),
        "sketch_build" => Request::SketchBuild(from_json_value(v)?),
        "sketch_stream" => Request::SketchStream(from_json_value(v)?),
        "sketch_reach" => Request::SketchReach(from_json_value(v)?),
        "sketch_overlap" => Request::SketchOverlap(from_json_value(v)?),
        "sketch_ladder" => Request::SketchLadder(from_json_value(v)?),
        "sketch_pick" => Request::SketchPick(from_json_value(v)?),
        "sketch_merge" => Request::SketchMerge(from_json_value(v)?),
        "sketch_check" => Request::SketchCheck(from_json_value(v)?),
        "sketch_error" => Request::SketchError(from_json_value(v)?),
        "sketch_model" => Request::SketchModel(from_json_value(v)?),
        "margin" => Request::Margin(Box::new(from_json_value(v)?)),
        "report" => Request::Report(Box::new(from_json_value(v)?)),
        "plan" => Request::Plan(Box::new(from_json_value(v)?)),
        "compare" => Request::Compare(from_json_value(v)?),
        other => {
            return Err(ApiError::invalid(format!(
                "invalid request: type: unknown request type {other:?}, expected one of {}",
                REQUEST_TYPES.join(", ")
            )))
        }
    })
}

/// The `"type"` of every request, as [`parse_request`] reads them.
pub const REQUEST_TYPES: [&str; 22] = [
    "reach",
    "overlap",
    "ladder",
    "budget_pick",
    "spread",
    "demo",
    "select",
    "evaluate",
    "sketch_build",
    "sketch_stream",
    "sketch_reach",
    "sketch_overlap",
    "sketch_ladder",
    "sketch_pick",
    "sketch_merge",
    "sketch_check",
    "sketch_error",
    "sketch_model",
    "margin",
    "report",
    "plan",
    "compare",
];

/// Deserializes a request part from JSON text, as [`from_json_value`] does.
///
/// # Errors
/// [`ApiError::InvalidRequest`] for text that is not JSON or does not match `T`.
pub fn parse_json<T: serde::de::DeserializeOwned>(text: &str) -> Result<T> {
    let v: serde_json::Value = serde_json::from_str(text)
        .map_err(|e| ApiError::invalid(format!("request is not valid JSON: {e}")))?;
    from_json_value(v)
}

/// Deserializes a request (or a part of one) from a JSON value; an error names the path of the
/// field at fault: `graph.scenario.edgs: unknown field `edgs`, expected `edges` or `seed``.
///
/// # Errors
/// [`ApiError::InvalidRequest`] for an unknown field at any level, a missing field or a value
/// of the wrong type.
pub fn from_json_value<T: serde::de::DeserializeOwned>(v: serde_json::Value) -> Result<T> {
    serde_path_to_error::deserialize(v).map_err(|e| {
        let path = e.path().to_string();
        let inner = e.into_inner();
        if path == "." {
            ApiError::invalid(format!("invalid request: {inner}"))
        } else {
            ApiError::invalid(format!("invalid request: {path}: {inner}"))
        }
    })
}

/// Serializes a request with its version, as [`parse_request`] reads it.
pub fn request_to_json(req: &Request) -> serde_json::Value {
    let mut v = serde_json::to_value(req).expect("requests serialize");
    if let Some(o) = v.as_object_mut() {
        o.insert("version".into(), API_VERSION.into());
    }
    v
}

/// Answers one request.
///
/// # Errors
/// An [`ApiError`] naming the file, line, node or value at fault.
pub fn run(request: &Request, progress: &dyn Progress) -> Result<Response> {
    provenance::begin(request_to_json(request));
    let response = run_request(request, progress);
    provenance::end();
    response
}

fn run_request(request: &Request, progress: &dyn Progress) -> Result<Response> {
    match request {
        Request::Reach(r) => run_reach(r, progress).map(|b| Response::Reach(versioned(b))),
        Request::Overlap(r) => run_overlap(r, progress).map(|b| Response::Overlap(versioned(b))),
        Request::Ladder(r) => run_ladder(r, progress).map(|b| Response::Ladder(versioned(b))),
        Request::BudgetPick(r) => {
            run_budget_pick(r, progress).map(|b| Response::BudgetPick(versioned(b)))
        }
        Request::Spread(r) => run_spread(r, progress).map(|b| Response::Spread(versioned(b))),
        Request::Demo(r) => run_demo(r, progress).map(|b| Response::Demo(Box::new(versioned(b)))),
        Request::Select(r) => {
            select_api::run_select(r, progress).map(|b| Response::Select(Box::new(versioned(b))))
        }
        Request::Evaluate(r) => {
            select_api::run_evaluate(r, progress).map(|b| Response::Evaluate(versioned(b)))
        }
        Request::SketchBuild(r) => {
            sketch::run_build(r, progress).map(|b| Response::SketchBuild(versioned(b)))
        }
        Request::SketchReach(r) => {
            sketch::run_reach(r).map(|b| Response::SketchReach(versioned(b)))
        }
        Request::SketchOverlap(r) => {
            sketch::run_overlap(r, progress).map(|b| Response::SketchOverlap(versioned(b)))
        }
        Request::SketchLadder(r) => {
            sketch::run_ladder(r).map(|b| Response::SketchLadder(versioned(b)))
        }
        Request::SketchStream(r) => {
            sketch::run_stream(r, progress).map(|b| Response::SketchStream(versioned(b)))
        }
        Request::SketchPick(r) => sketch::run_pick(r).map(|b| Response::SketchPick(versioned(b))),
        Request::SketchMerge(r) => {
            sketch::run_merge(r).map(|b| Response::SketchMerge(versioned(b)))
        }
        Request::SketchCheck(r) => {
            sketch::run_check(r, progress).map(|b| Response::SketchCheck(versioned(b)))
        }
        Request::SketchError(r) => {
            sketch::run_error(r).map(|b| Response::SketchError(versioned(b)))
        }
        Request::SketchModel(r) => {
            sketch::run_model(r).map(|b| Response::SketchModel(versioned(b)))
        }
        Request::Margin(r) => {
            margin::run_margin(r, progress).map(|b| Response::Margin(Box::new(versioned(b))))
        }
        Request::Report(r) => {
            report::run_report(r, progress).map(|b| Response::Report(Box::new(versioned(b))))
        }
        Request::Plan(r) => {
            plan::run_plan(r, progress).map(|b| Response::Plan(Box::new(versioned(b))))
        }
        Request::Compare(r) => {
            compare_api::run_compare(r, progress).map(|b| Response::Compare(Box::new(versioned(b))))
        }
    }
}

pub(crate) fn summary(g: &LoadedGraph) -> GraphSummary {
    summary_of(&g.graph, &g.report)
}

/// The [`GraphSummary`] of a graph and the report of its build (for front ends that hold a
/// graph in memory, as the Python bindings do).
pub fn summary_of(graph: &Graph, report: &BuildReport) -> GraphSummary {
    GraphSummary {
        nodes: graph.node_count(),
        edges: graph.edge_count(),
        people: graph.people().count,
        self_loops_dropped: report.self_loops_dropped,
        duplicates_merged: report.duplicates_merged,
    }
}

fn run_reach(r: &ReachRequest, progress: &dyn Progress) -> Result<ReachResponse> {
    let g = r.graph.load(progress)?;
    let seeds = r.seeds.resolve(&g.graph, "seed set")?;
    let opts = ReachOptions {
        include_seeds: r.include_seeds,
        target_only: r.target_only,
    };
    let res = reach::unique_reach(&g.graph, &seeds, &opts)?;
    let expected = match r.posts_per_seed {
        Some(posts) => Some(reach::expected_reach(&g.graph, &seeds, posts, &opts)?),
        None => None,
    };
    Ok(ReachResponse {
        graph: summary(&g),
        seeds: res.seeds,
        summed_followers: res.summed_followers,
        unique_reach: res.unique_people,
        unique_accounts: res.unique_accounts,
        target_weight: res.target_weight,
        dedup_ratio: ratio(res.unique_people, res.summed_followers),
        by_jurisdiction: res.by_jurisdiction,
        by_platform: res.by_platform,
        expected,
        summed_followers_stated: stated_followers(&g.graph, &seeds),
        units: units(&[
            ("seeds", "accounts"),
            ("summed_followers", "follows (graph)"),
            ("summed_followers_stated", "followers (stated)"),
            ("unique_reach", "graph people"),
            ("unique_accounts", "accounts"),
            ("target_weight", "target weight"),
            ("dedup_ratio", "share"),
            (
                "by_jurisdiction.people",
                "graph people (rows of one breakdown overlap)",
            ),
            (
                "by_platform.people",
                "graph people (rows of one breakdown overlap)",
            ),
            ("expected.expected_people", "expected graph people"),
            ("expected.frequency", "expected graph people"),
            ("graph.nodes", "accounts"),
            ("graph.people", "graph people"),
            ("graph.edges", "follows (graph)"),
        ]),
    })
}

/// The seeds' summed stated follower counts, when the attributes give any of them.
fn stated_followers(graph: &Graph, seeds: &[u32]) -> Option<u64> {
    let a = graph.attributes();
    if !seeds.iter().any(|&s| a.followers.get(s as usize).is_some()) {
        return None;
    }
    Some(seeds.iter().map(|&s| a.follower_count(s, graph)).sum())
}

fn ratio(a: u64, b: u64) -> f64 {
    if b == 0 {
        0.0
    } else {
        a as f64 / b as f64
    }
}

fn overlap_response(
    g: &LoadedGraph,
    accounts: &[u32],
    min_jaccard: Option<f64>,
    progress: &dyn Progress,
) -> Result<OverlapResponse> {
    let ov = overlap::overlap(&g.graph, accounts, progress)?;
    let rows_u = |m: &ndarray::Array2<u64>| m.outer_iter().map(|r| r.to_vec()).collect();
    let rows_f = |m: &ndarray::Array2<f64>| m.outer_iter().map(|r| r.to_vec()).collect();
    let overlap_graph = match min_jaccard {
        Some(t) => {
            let og = overlap::overlap_graph(&g.graph, &ov, t)?;
            Some(
                og.edge_indices()
                    .filter_map(|e| {
                        let (a, b) = og.edge_endpoints(e)?;
                        Some(OverlapEdge {
                            a: og[a].to_string(),
                            b: og[b].to_string(),
                            jaccard: og[e],
                        })
                    })
                    .collect(),
            )
        }
        None => None,
    };
    Ok(OverlapResponse {
        graph: summary(g),
        accounts: accounts.iter().map(|&a| g.graph.label(a)).collect(),
        audience: ov.audience.to_vec(),
        shared: rows_u(&ov.shared),
        jaccard: rows_f(&ov.jaccard),
        containment: rows_f(&ov.containment),
        overlap_graph,
        units: units(&[
            ("audience", "graph people"),
            ("shared", "graph people"),
            ("jaccard", "share"),
            ("containment", "share"),
            ("overlap_graph.jaccard", "share"),
        ]),
    })
}

fn run_overlap(r: &OverlapRequest, progress: &dyn Progress) -> Result<OverlapResponse> {
    let g = r.graph.load(progress)?;
    let accounts = r.accounts.resolve(&g.graph, "account list")?;
    if accounts.is_empty() {
        return Err(reachgraph_core::Error::Empty {
            what: "account list".into(),
        }
        .into());
    }
    overlap_response(&g, &accounts, r.min_jaccard, progress)
}

pub(crate) fn steps(graph: &Graph, steps: &[coverage::LadderStep]) -> Vec<Step> {
    let a = graph.attributes();
    steps
        .iter()
        .map(|s| Step {
            account: graph.label(s.account),
            platform: a.platform.get(s.account).map(str::to_string),
            tier: a.tier(s.account, graph).name().to_string(),
            followers: a.follower_count(s.account, graph),
            followers_stated: a.followers.get(s.account as usize),
            graph_followers: graph.out_degree(s.account) as u64,
            marginal_people: s.marginal_people,
            cumulative_people: s.cumulative_people,
            marginal_weight: s.marginal_weight,
            cumulative_weight: s.cumulative_weight,
            cost: s.cost,
            cumulative_cost: s.cumulative_cost,
        })
        .collect()
}

fn ladder_response(g: &LoadedGraph, ladder: &Ladder) -> LadderResponse {
    LadderResponse {
        graph: summary(g),
        objective: ladder.objective,
        steps: steps(&g.graph, &ladder.steps),
        units: step_units("steps.").into_iter().collect(),
    }
}

fn candidates(g: &LoadedGraph, c: &Option<IdList>) -> Result<Option<Vec<u32>>> {
    c.as_ref()
        .map(|c| c.resolve(&g.graph, "candidate list"))
        .transpose()
}

fn run_ladder(r: &LadderRequest, progress: &dyn Progress) -> Result<LadderResponse> {
    let g = r.graph.load(progress)?;
    let cands = candidates(&g, &r.candidates)?;
    let opts = ReachOptions {
        include_seeds: r.include_seeds,
        target_only: r.target_only,
    };
    let ladder = coverage::reach_ladder(&g.graph, cands.as_deref(), r.k, &opts)?;
    Ok(ladder_response(&g, &ladder))
}

fn pick_response(g: &LoadedGraph, p: &BudgetPick) -> BudgetPickResponse {
    BudgetPickResponse {
        graph: summary(g),
        accounts: p.accounts.iter().map(|&a| g.graph.label(a)).collect(),
        steps: steps(&g.graph, &p.steps),
        summary: p.summary,
        units: step_units("steps.")
            .into_iter()
            .chain(
                [
                    ("budget", "usd"),
                    ("total_cost", "usd"),
                    ("people", "graph people"),
                    ("target_weight", "target weight"),
                    ("guarantee", "share of the best possible"),
                ]
                .map(|(k, v)| (k.to_string(), v.to_string())),
            )
            .collect(),
    }
}

fn run_budget_pick(r: &BudgetPickRequest, progress: &dyn Progress) -> Result<BudgetPickResponse> {
    let g = r.graph.load(progress)?;
    let cands = candidates(&g, &r.candidates)?;
    let opts = ReachOptions {
        include_seeds: r.include_seeds,
        target_only: r.target_only,
    };
    let p = coverage::budget_pick(&g.graph, cands.as_deref(), r.budget, &opts).map_err(|e| {
        // The costs came from a file: say which, and whether it had a cost column at all.
        match (e, &r.graph.attributes) {
            (reachgraph_core::Error::MissingAttribute { column, reason }, Some(file))
                if column == "cost" =>
            {
                let header = attributes_header(file);
                reachgraph_core::Error::MissingAttribute {
                    reason: if header.iter().any(|h| h.eq_ignore_ascii_case("cost")) {
                        format!("{reason} ({file} gives none for the candidates)")
                    } else {
                        format!(
                            "{reason}; {file}:1: the header {:?} has no `cost` column",
                            reachgraph_core::error::echo(&header.join(","))
                        )
                    },
                    column,
                }
            }
            (e, _) => e,
        }
    })?;
    Ok(pick_response(&g, &p))
}

/// The header cells of an attributes CSV (empty when it cannot be read: it was read once).
fn attributes_header(file: &str) -> Vec<String> {
    let Ok(f) = std::fs::File::open(file) else {
        return Vec::new();
    };
    let Ok(r) = reachgraph_core::io::maybe_gunzip(f, file) else {
        return Vec::new();
    };
    use std::io::BufRead;
    r.lines()
        .map_while(|l| l.ok())
        .find(|l| !l.trim().is_empty() && !l.trim_start().starts_with('#'))
        .map(|l| l.split(',').map(|c| c.trim().to_string()).collect())
        .unwrap_or_default()
}

fn run_spread(r: &SpreadRequest, progress: &dyn Progress) -> Result<SpreadResponse> {
    run_spread_with(r, progress, &reachgraph_core::comm::Local)
}

/// [`run_spread`] with the trials split over the ranks of `comm` (one rank: the same run).
pub(crate) fn run_spread_with(
    r: &SpreadRequest,
    progress: &dyn Progress,
    comm: &dyn reachgraph_core::comm::Comm,
) -> Result<SpreadResponse> {
    let g = r.graph.load(progress)?;
    let seeds = r.seeds.resolve(&g.graph, "seed set")?;
    let res = r.run_loaded(&g.graph, &seeds, progress, comm)?;
    let node_probabilities = res.node_probabilities.as_ref().map(|p| {
        let mut v: Vec<(u32, f64)> = p
            .iter()
            .enumerate()
            .filter(|(_, &x)| x > 0.0)
            .map(|(i, &x)| (i as u32, x))
            .collect();
        v.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        v.into_iter()
            .map(|(i, p)| NodeProbability {
                account: g.graph.label(i),
                p,
            })
            .collect()
    });
    Ok(SpreadResponse {
        graph: summary(&g),
        model: res.model,
        hops: res.hops,
        seeds: seeds.len(),
        seed: r.seed,
        trials: res.trials,
        stopped_early: res.stopped_early,
        mean: res.people.mean,
        stderr: res.people.stderr,
        people: res.people,
        accounts: res.accounts,
        target_weight: res.target_weight,
        by_jurisdiction: if g.graph.attributes().jurisdiction.names.is_empty() {
            Vec::new()
        } else {
            res.by_jurisdiction
        },
        node_probabilities,
        histogram: res.histogram,
        units: units(&[
            ("mean", "graph people"),
            ("stderr", "graph people"),
            ("people", "graph people"),
            ("accounts", "accounts"),
            ("target_weight", "target weight"),
            ("by_jurisdiction.people", "graph people"),
            ("node_probabilities.p", "probability"),
            ("histogram", "accounts"),
        ]),
    })
}

fn run_demo(r: &DemoRequest, progress: &dyn Progress) -> Result<DemoResponse> {
    r.validate()?;
    let mut cfg = ScenarioConfig::demo();
    if let Some(seed) = r.seed {
        cfg.seed = seed;
    }
    let sc = scenario::generate(&cfg, progress)?;
    provenance::record(&sc.graph);
    let g = LoadedGraph {
        report: reachgraph_core::BuildReport {
            nodes: sc.graph.node_count(),
            edges: sc.graph.edge_count(),
            ..Default::default()
        },
        graph: sc.graph,
    };
    let top: Vec<u32> = sc.creators.iter().copied().take(r.creators).collect();
    let opts = ReachOptions::default();
    let reach = reach::unique_reach(&g.graph, &top, &opts)?;
    let a = g.graph.attributes();
    let summed_real: u64 = top.iter().map(|&c| a.follower_count(c, &g.graph)).sum();
    let people_of = |accounts: &[u32]| {
        let of = &g.graph.people().of_account;
        let mut p: Vec<u32> = accounts.iter().map(|&c| of[c as usize]).collect();
        p.sort_unstable();
        p.dedup();
        p.len()
    };
    let distinct_creators = people_of(&top);
    let creator_people = people_of(&sc.creators);
    let unique_real = (reach.unique_people as f64 * sc.scale).round() as u64;
    let ov_accounts: Vec<u32> = sc
        .creators
        .iter()
        .copied()
        .take(r.overlap_accounts)
        .collect();
    let overlap = overlap_response(&g, &ov_accounts, None, progress)?;
    let k = r.ladder_steps.min(sc.creators.len());
    let ladder = coverage::reach_ladder(&g.graph, Some(&sc.creators), k, &opts)?;
    let rate_card = coverage::budget_pick(&g.graph, Some(&sc.creators), r.budget, &opts)?;
    let rate_card_pick = pick_response(&g, &rate_card);
    // The program pick: every creator at one flat monthly price.
    let platforms = a.platform.names.to_vec();
    let mut g = g;
    margin::flat_priced(&mut g, &sc.creators, r.price_per_creator)?;
    let pick = coverage::budget_pick(&g.graph, Some(&sc.creators), r.budget, &opts)?;
    let budget_pick = pick_response(&g, &pick);
    let ladder = steps(&g.graph, &ladder.steps);
    let campaign = margin::DemoCampaign {
        budget: r.budget,
        price: r.price_per_creator,
        cost: pick.total_cost,
        scale: sc.scale,
    };
    let margin = margin::demo_margin(&mut g, &pick.accounts, campaign, r.margin_draws, progress)?;
    Ok(DemoResponse {
        scenario: ScenarioSummary {
            seed: cfg.seed,
            people: g.graph.people().count,
            accounts: g.graph.node_count(),
            edges: g.graph.edge_count(),
            creators: sc.creators.len(),
            creator_people,
            platforms,
            scale: sc.scale,
        },
        creators: top.len(),
        distinct_creators,
        summed_followers: summed_real,
        unique_reach: unique_real,
        summed_followers_graph: reach.summed_followers,
        unique_reach_graph: reach.unique_people,
        dedup_ratio: ratio(unique_real, summed_real),
        by_platform: reach.by_platform,
        overlap,
        ladder,
        budget_pick,
        rate_card_pick,
        assumptions: scenario::assumptions(),
        margin,
        units: units(&[
            ("scenario.people", "graph people"),
            ("scenario.accounts", "accounts"),
            ("scenario.edges", "follows (graph)"),
            ("scenario.creators", "accounts"),
            ("scenario.creator_people", "creators (people)"),
            ("scenario.scale", "real people per graph person"),
            ("creators", "accounts"),
            ("distinct_creators", "creators (people)"),
            ("summed_followers", "followers (stated, real people)"),
            ("unique_reach", "real people (graph people x scale)"),
            ("summed_followers_graph", "follows (graph)"),
            ("unique_reach_graph", "graph people"),
            ("dedup_ratio", "share"),
            ("by_platform.people", "graph people (rows overlap)"),
            ("overlap", "see overlap.units"),
            ("ladder.followers", "followers (stated, real people)"),
            ("ladder.graph_followers", "follows (graph)"),
            ("ladder.marginal_people", "graph people"),
            ("ladder.cumulative_people", "graph people"),
            ("ladder.cost", "usd per month (rate card, an assumption)"),
            ("budget_pick", "see budget_pick.units"),
            ("rate_card_pick", "see rate_card_pick.units"),
        ]),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Mutex;

    /// Records the stages it is told about.
    #[derive(Default)]
    struct Stages(Mutex<Vec<String>>);

    impl Progress for Stages {
        fn update(&self, stage: &str, _: u64, _: u64) -> bool {
            self.0.lock().unwrap().push(stage.to_string());
            true
        }
    }

    #[test]
    fn regression_demo_checks_every_input_before_any_work() {
        let bad = [
            DemoRequest {
                margin_draws: 0,
                ..DemoRequest::DEFAULT
            },
            DemoRequest {
                budget: f64::NAN,
                ..DemoRequest::DEFAULT
            },
            DemoRequest {
                price_per_creator: 0.0,
                ..DemoRequest::DEFAULT
            },
            DemoRequest {
                creators: 0,
                ..DemoRequest::DEFAULT
            },
        ];
        for r in bad {
            let stages = Stages::default();
            let e = run(&Request::Demo(r.clone()), &stages).unwrap_err();
            assert!(!e.to_string().is_empty(), "{r:?}");
            assert_eq!(
                *stages.0.lock().unwrap(),
                Vec::<String>::new(),
                "{r:?}: {e}"
            );
        }
    }

    #[test]
    fn demo_fields_left_out_take_the_defaults() {
        let Request::Demo(r) =
            parse_request(r#"{"version": 1, "type": "demo", "budget": 5e4}"#).unwrap()
        else {
            panic!("not a demo request")
        };
        assert_eq!(
            r,
            DemoRequest {
                budget: 50_000.0,
                ..DemoRequest::DEFAULT
            }
        );
    }
}
