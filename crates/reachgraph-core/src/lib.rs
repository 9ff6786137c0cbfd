//! # reachgraph-core
//!
//! Social-graph reach analytics: how many distinct people a set of accounts reaches, how far a
//! message travels once it is reshared, which creators to pick for a budget, and how much that
//! could move a vote margin.
//!
//! ## Quickstart
//!
//! ```
//! use reachgraph_core::{io, GraphOptions, EdgeFormat};
//! // "u v" means v follows u: what u posts can reach v.
//! let text = "alice bob\nalice carol\ndave carol\ndave erin\n";
//! let (graph, report) = io::read_graph(text.as_bytes(), "inline", EdgeFormat::EdgeList,
//!                                      GraphOptions::default()).unwrap();
//! assert_eq!(report.edges, 4);
//! let seeds = graph.resolve(&["alice", "dave"], "seed set").unwrap();
//! assert_eq!(graph.followers(seeds[0]).len() + graph.followers(seeds[1]).len(), 4);
//! ```
//!
//! ## Modules
//! - [`graph`]: the frozen CSR follower graph and its builders;
//! - [`ids`]: external ids (integers or strings) ↔ dense `u32` ids;
//! - [`topology`]: the graph's CSR arrays and ids, shared by a graph and its re-weighted copies;
//! - [`attrs`]: node attribute columns and the account → person mapping;
//! - [`weights`]: edge-probability schemes (constant, weighted cascade, trivalency, tiers);
//! - [`reach`]: unique reach in people (with jurisdiction and platform breakdowns) and expected
//!   reach with its exposure-frequency distribution;
//! - [`overlap`](mod@overlap): audience overlap matrices (shared, Jaccard, containment) and the
//!   overlap graph;
//! - [`coverage`]: incremental reach, the greedy reach ladder and budgeted picks on exact reach;
//! - [`cascade`]: the Independent Cascade and Linear Threshold models and the Monte Carlo of
//!   their spread;
//! - [`rrset`]: reverse-reachable set sampling and RR estimates of spread;
//! - [`sampling`]: the settings every sampler shares (seed, threads, hop horizon, subset
//!   sampling, memory limit), validated once, and the seed-set check;
//! - [`stats`]: estimates with standard errors, their running moments, spread histograms;
//! - [`comm`]: the collectives of distributed runs (one process, threads, or MPI with the
//!   `mpi` feature) that distributed selection and Monte Carlo use;
//! - [`select`](mod@select): seed selection (influence maximization): IMM, OPIM-C, quality mode, budgeted and
//!   targeted selection with certified approximation ratios;
//! - [`io`]: readers for edge lists, CSV, attributes and id lists;
//! - [`election`]: embedded certified US presidential results (2020, 2024) by state and district,
//!   and a reader for files like them;
//! - [`margin`]: margin simulation, from reach to votes to electoral outcomes, on the
//!   certified results or a forecast;
//! - [`report`]: a campaign's own results read back (posts, lift tests): deduplicated reach,
//!   ROI, reach-rate calibration and the effect-prior update;
//! - [`plan`]: planning from a creator table (follower counts, audience geography, measured
//!   overlaps): modelled distinct reach with intervals and budgeted creator picks;
//! - [`scenario`]: a seeded generator of a realistic multi-platform campaign population (the demo,
//!   tests and benchmarks run on it);
//! - [`sketch`]: mergeable per-account audience sketches (bottom-k, and DataSketches CPC/HLL/
//!   Theta) for reach and overlap at scale, with stated error;
//! - [`progress`]: progress callbacks and cancellation;
//! - [`rng`]: seeded random streams that give the same answer on any number of threads;
//! - [`error`]: the error type;
//! - internal: `live_edge`, the live-edge sampling kernel that [`cascade`] and [`rrset`] share
//!   (per-list draw rules, visited stamps, fast uniform draws, prefetch), and `exec`, the
//!   execution helpers of the parallel loops (thread pool, scratch reuse, chunked progress);
//! - [`guide`]: the user guide (`docs/guide.md`), whose examples run as doctests.
#![deny(missing_docs)]

pub mod attrs;
mod bits;
pub mod buf;
pub mod cascade;
pub mod comm;
pub mod coverage;
mod csvfile;
pub mod election;
pub mod error;
mod exec;
pub mod graph;
#[doc = include_str!("../../../docs/guide.md")]
pub mod guide {}
pub mod ids;
pub mod io;
pub mod limits;
mod live_edge;
pub mod margin;
pub mod names;
pub mod output;
pub mod overlap;
mod pages;
pub mod plan;
pub mod progress;
pub mod reach;
pub mod report;
pub mod rgraph;
pub mod rgraph_build;
pub mod rng;
pub mod rrset;
pub mod sampling;
pub mod scenario;
pub mod select;
pub mod sketch;
pub mod stats;
pub mod topology;
pub mod weights;

pub use attrs::{Attributes, Categorical, Column, Counts, Interner, People, Tier};
pub use cascade::{simulate, Model, Simulator, SpreadConfig, SpreadResult};
pub use coverage::{
    budget_pick, budget_pick_people, incremental_reach, reach_ladder, BudgetPick,
    BudgetPickSummary, Ladder, LadderStep, Objective, PickMethod,
};
pub use election::{ElectionResults, JurisdictionResult, Side};
pub use error::{Error, Result};
pub use exec::build_pool;
pub use graph::{BuildReport, Csr, DuplicatePolicy, Graph, GraphBuilder, GraphOptions};
pub use ids::{NodeIds, NodeKey};
pub use io::EdgeFormat;
pub use overlap::{overlap, overlap_graph, Overlap};
pub use progress::{NoProgress, Progress};
pub use reach::{
    expected_reach, unique_reach, ExpectedReach, ReachBreakdown, ReachOptions, ReachResult,
};
pub use rrset::{rr_estimate, sample_rr_sets, RootDistribution, RrConfig, RrSampler, RrSets};
pub use sampling::Sampling;
pub use scenario::{Scenario, ScenarioConfig};
pub use select::{
    evaluate, select, EvalConfig, Evaluation, EvaluationSummary, SelectConfig, Selection,
    SelectionSummary,
};
pub use stats::Estimate;
pub use topology::Topology;
pub use weights::{TierRates, WeightScheme};

/// The petgraph version reachgraph builds on, re-exported so users get a matching one.
pub use petgraph;
