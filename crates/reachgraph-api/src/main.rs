//! `reachgraph`: the command-line tool. JSON goes to stdout, progress and errors to stderr.

use clap::{Args, Parser, Subcommand};
use indicatif::{ProgressBar, ProgressStyle};
use reachgraph_api::load::{GraphSpec, IdList, ScenarioSpec};
use reachgraph_api::margin::{MarginRequest, VotersPerPerson};
use reachgraph_api::{
    parse_request, plot, render, run, sketch, ApiError, BudgetPickRequest, DemoRequest,
    LadderRequest, OverlapRequest, ReachRequest, Request, Response, SpreadRequest,
};
use reachgraph_api::{EvaluateRequest, SelectRequest};
use reachgraph_core::cascade::Model;
use reachgraph_core::io::EdgeFormat;
use reachgraph_core::margin::{Mapping, Prior};
use reachgraph_core::select::{Algorithm, Mode};
use reachgraph_core::Progress;
use std::io::Write;
use std::process::ExitCode;
use std::sync::Mutex;

#[derive(Parser)]
#[command(
    name = "reachgraph",
    version,
    about = "Social-graph reach analytics: deduplicated reach, audience overlap, budgeted creator picks.",
    long_about = "Social-graph reach analytics. An edge line `u v [p]` means v follows u (what u posts can reach v). \
                  Ids are the file's own. JSON goes to stdout with --json; progress and errors go to stderr."
)]
struct Cli {
    /// Hide progress bars.
    #[arg(long, global = true)]
    quiet: bool,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run the demo on the embedded campaign scenario.
    Demo {
        /// Print JSON instead of tables.
        #[arg(long)]
        json: bool,
        /// Scenario seed (the embedded default when absent).
        #[arg(long)]
        seed: Option<u64>,
        /// Monthly budget of the pick (20 creator-months at $8,000).
        #[arg(long, default_value_t = 160_000.0)]
        budget: f64,
        /// Number of largest creators to compare.
        #[arg(long, default_value_t = 200)]
        creators: usize,
        /// Flat price of one creator-month for the main pick.
        #[arg(long, default_value_t = 8_000.0)]
        price_per_creator: f64,
    },
    /// Distinct people reached by a seed set.
    Reach {
        #[command(flatten)]
        graph: GraphArgs,
        /// File with one seed id per line.
        #[arg(long)]
        seeds: String,
        /// Count the seeds' own persons as reached.
        #[arg(long)]
        include_seeds: bool,
        /// Count only people with positive target weight.
        #[arg(long)]
        target_only: bool,
        /// Also the expected reach and exposure frequencies with this many posts per seed.
        #[arg(long)]
        posts_per_seed: Option<u32>,
        /// Print JSON instead of tables.
        #[arg(long)]
        json: bool,
    },
    /// Audience overlap (shared followers, Jaccard, containment) of a list of accounts.
    Overlap {
        #[command(flatten)]
        graph: GraphArgs,
        /// File with one account id per line.
        #[arg(long)]
        accounts: String,
        /// Also list overlap-graph edges with Jaccard at least this.
        #[arg(long)]
        min_jaccard: Option<f64>,
        /// Print JSON instead of tables.
        #[arg(long)]
        json: bool,
    },
    /// The greedy reach ladder: k accounts, each adding the most new people.
    Ladder {
        #[command(flatten)]
        graph: GraphArgs,
        /// Number of accounts.
        #[arg(short = 'k', long)]
        k: usize,
        /// File of candidate ids (all accounts when absent).
        #[arg(long)]
        candidates: Option<String>,
        /// Maximize target weight rather than people.
        #[arg(long)]
        target_only: bool,
        /// Print JSON instead of tables.
        #[arg(long)]
        json: bool,
    },
    /// The accounts that reach the most distinct people for a budget.
    Pick {
        #[command(flatten)]
        graph: GraphArgs,
        /// The budget.
        #[arg(long)]
        budget: f64,
        /// CSV with `id,cost` (or any attribute CSV with a cost column).
        #[arg(long)]
        costs: Option<String>,
        /// File of candidate ids (all accounts with a cost when absent).
        #[arg(long)]
        candidates: Option<String>,
        /// Maximize target weight rather than people.
        #[arg(long)]
        target_only: bool,
        /// Print JSON instead of tables.
        #[arg(long)]
        json: bool,
    },
    /// Monte Carlo spread of a seed set under Independent Cascade or Linear Threshold.
    Spread {
        #[command(flatten)]
        cascade: CascadeArgs,
        /// File with one seed id per line.
        #[arg(long)]
        seeds: String,
        /// Monte Carlo trials.
        #[arg(long, default_value_t = 10_000)]
        trials: u64,
        /// Random seed (same seed, same numbers, on any number of threads).
        #[arg(long, default_value_t = 0)]
        seed: u64,
        /// Threads (all cores by default).
        #[arg(long)]
        threads: Option<usize>,
        /// Hop horizon: at most this many reshare steps.
        #[arg(long)]
        hops: Option<u32>,
        /// Stop early once the relative standard error is below this.
        #[arg(long)]
        target_rse: Option<f64>,
        /// Also per-account activation probabilities.
        #[arg(long)]
        node_probabilities: bool,
        /// Also the histogram of spread in accounts.
        #[arg(long)]
        histogram: bool,
        /// Run on the ranks of an MPI job (under mpirun; needs a build with --features mpi);
        /// rank 0 prints the result, which equals the single-process one.
        #[arg(long)]
        distributed: bool,
        /// Print JSON instead of tables.
        #[arg(long)]
        json: bool,
    },
    /// Choose seeds that maximize expected spread (IMM / OPIM-C), for k accounts or a budget.
    Select {
        #[command(flatten)]
        cascade: CascadeArgs,
        /// Number of seeds (or give --budget and --costs).
        #[arg(short = 'k', long)]
        k: Option<usize>,
        /// Budget, in the unit of the costs.
        #[arg(long)]
        budget: Option<f64>,
        /// CSV with `id,cost` (accounts without a cost are not for hire).
        #[arg(long)]
        costs: Option<String>,
        /// Target accounts (one id per line) or a CSV `id,target_weight`: spread counts only them.
        #[arg(long)]
        target: Option<String>,
        /// File of candidate ids (all accounts when absent).
        #[arg(long)]
        candidates: Option<String>,
        /// Epsilon: the guarantee is 1 − 1/e − epsilon (1 − 1/√e − epsilon with a budget).
        #[arg(long, default_value_t = 0.1)]
        epsilon: f64,
        /// Failure probability of the guarantee (default 1/n).
        #[arg(long)]
        delta: Option<f64>,
        /// guarantee: stop once certified; quality: keep improving past it.
        #[arg(long, default_value = "guarantee", value_parser = ["guarantee", "quality"])]
        mode: String,
        /// opim-c (certified ratio, stops early) or imm (Chen's corrected IMM).
        #[arg(long, default_value = "opim-c", value_parser = ["opim-c", "imm"])]
        algorithm: String,
        /// Quality mode: stop when a doubling improves the estimate by at most this fraction.
        #[arg(long)]
        tolerance: Option<f64>,
        /// Random seed (same seed, same seeds, on any number of threads).
        #[arg(long, default_value_t = 0)]
        seed: u64,
        /// Threads (all cores by default).
        #[arg(long)]
        threads: Option<usize>,
        /// Hop horizon: at most this many reshare steps.
        #[arg(long)]
        hops: Option<u32>,
        /// Limit on RR sets drawn.
        #[arg(long)]
        max_rr_sets: Option<u64>,
        /// Time limit in seconds (OPIM-C stops doubling; answer then depends on the machine).
        #[arg(long)]
        time_limit: Option<f64>,
        /// Run on the ranks of an MPI job (under mpirun; needs a build with --features mpi);
        /// rank 0 prints the result, which equals the single-process one.
        #[arg(long)]
        distributed: bool,
        /// Print JSON instead of tables.
        #[arg(long)]
        json: bool,
    },
    /// Estimate the expected spread of a seed set on fresh RR sets (as select reports it).
    Evaluate {
        #[command(flatten)]
        cascade: CascadeArgs,
        /// File with one seed id per line.
        #[arg(long)]
        seeds: String,
        /// Target accounts or a CSV `id,target_weight` (as for select).
        #[arg(long)]
        target: Option<String>,
        /// RR sets to estimate on.
        #[arg(long, default_value_t = 200_000)]
        rr_sets: usize,
        /// Random seed.
        #[arg(long, default_value_t = 0)]
        seed: u64,
        /// Threads (all cores by default).
        #[arg(long)]
        threads: Option<usize>,
        /// Hop horizon.
        #[arg(long)]
        hops: Option<u32>,
        /// Print JSON instead of tables.
        #[arg(long)]
        json: bool,
    },
    /// Could a campaign move the margin where it matters? Monte Carlo of vote margins and electoral votes.
    ///
    /// Without --graph it simulates the demo campaign on the chosen electorate.
    Margin(Box<MarginArgs>),
    /// Answer a JSON request file (`-` for stdin) and print the JSON response.
    Run {
        /// The request file.
        request: String,
    },
    /// Mergeable per-account audience sketches: reach and overlap at scale, with error bounds.
    Sketch {
        #[command(subcommand)]
        command: SketchCommand,
    },
    /// Write a generated campaign population as an edge list and an attribute CSV.
    Generate {
        /// Approximate number of follow edges (the demo scenario when absent).
        #[arg(long)]
        edges: Option<usize>,
        /// Generator seed.
        #[arg(long)]
        seed: Option<u64>,
        /// Output edge list path (the attributes go beside it as PATH.attrs.csv).
        #[arg(long)]
        out: String,
    },
}

#[derive(Subcommand)]
enum SketchCommand {
    /// Sketch every account's audience (people) into a directory.
    Build {
        #[command(flatten)]
        graph: GraphArgs,
        /// Output directory (sketches.rgsk and manifest.json).
        #[arg(long)]
        out: String,
        /// log2 of the hashes kept per account (4..=20; the default 14 keeps 16,384, reach within 2% at 95%).
        #[arg(long)]
        lg_k: Option<u8>,
        /// Hash seed; sketches combine only with the same seed.
        #[arg(long)]
        seed: Option<u64>,
        /// File of account ids to sketch (all accounts when absent).
        #[arg(long)]
        accounts: Option<String>,
        /// Print JSON instead of a summary.
        #[arg(long)]
        json: bool,
    },
    /// Sketch from a file of `account follower` pairs (person ids), read in chunks: for files
    /// too large to load as a graph.
    Stream {
        /// The pair file (whitespace or comma separated, `#` comments, gzip detected).
        #[arg(long)]
        pairs: String,
        /// Output directory (sketches.rgsk and manifest.json).
        #[arg(long)]
        out: String,
        /// log2 of the hashes kept per account (default 14).
        #[arg(long)]
        lg_k: Option<u8>,
        /// Hash seed; sketches combine only with the same seed.
        #[arg(long)]
        seed: Option<u64>,
        /// MiB read per chunk (default 16).
        #[arg(long)]
        chunk_mb: Option<usize>,
        /// Print JSON instead of a summary.
        #[arg(long)]
        json: bool,
    },
    /// Unique reach of a set of accounts from sketches, with its error bound.
    Reach {
        /// Sketch directory (or .rgsk file).
        #[arg(long)]
        sketches: String,
        /// File with one account id per line.
        #[arg(long)]
        accounts: String,
        /// Confidence of the error bound.
        #[arg(long, default_value_t = 0.95)]
        confidence: f64,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Overlap matrices (shared, Jaccard, containment) from sketches, with error bounds.
    Overlap {
        /// Sketch directory (or .rgsk file).
        #[arg(long)]
        sketches: String,
        /// File with one account id per line.
        #[arg(long)]
        accounts: String,
        /// Confidence of the error bounds.
        #[arg(long, default_value_t = 0.95)]
        confidence: f64,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// The greedy reach ladder from sketches.
    Ladder {
        /// Sketch directory (or .rgsk file).
        #[arg(long)]
        sketches: String,
        /// Number of accounts.
        #[arg(short = 'k', long)]
        k: usize,
        /// File of candidate ids (all sketched accounts when absent).
        #[arg(long)]
        candidates: Option<String>,
        /// Confidence of the error bounds.
        #[arg(long, default_value_t = 0.95)]
        confidence: f64,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// The accounts reaching the most (estimated) people for a budget, from sketches.
    Pick {
        /// Sketch directory (or .rgsk file).
        #[arg(long)]
        sketches: String,
        /// CSV with `id,cost` (or any attribute CSV with a cost column).
        #[arg(long)]
        costs: String,
        /// The budget, in the unit of the costs.
        #[arg(long)]
        budget: f64,
        /// File of candidate ids (all accounts with a cost when absent).
        #[arg(long)]
        candidates: Option<String>,
        /// Confidence of the error bounds.
        #[arg(long, default_value_t = 0.95)]
        confidence: f64,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Merge sketch directories (same lg_k and seed) into a new one.
    Merge {
        /// Output directory (sketches.rgsk and manifest.json).
        #[arg(long)]
        out: String,
        /// The sketch directories (or .rgsk files) to merge, at least two.
        #[arg(required = true, num_args = 2..)]
        inputs: Vec<String>,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Compare sketch answers with exact ones on a graph.
    Check {
        #[command(flatten)]
        graph: GraphArgs,
        /// File with one account id per line.
        #[arg(long)]
        accounts: String,
        /// log2 of the hashes kept per account.
        #[arg(long)]
        lg_k: Option<u8>,
        /// Confidence of the bounds.
        #[arg(long, default_value_t = 0.95)]
        confidence: f64,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Expected error for a sketch size (and a set size).
    Error {
        /// log2 of the hashes kept per account.
        #[arg(long)]
        lg_k: u8,
        /// People in the set.
        #[arg(long)]
        set_size: Option<u64>,
        /// Confidence of the bounds.
        #[arg(long, default_value_t = 0.95)]
        confidence: f64,
    },
}

#[derive(Args)]
struct MarginArgs {
    /// Electorate: us-2024, us-2020, or a CSV (certified-style results, or a forecast with dem_margin_mean and dem_margin_sd).
    #[arg(long, default_value = "us-2024")]
    electorate: String,
    /// The side the campaign works for: D or R.
    #[arg(long, default_value = "D")]
    side: String,
    /// Edge file of the campaign's graph (the demo campaign when absent).
    #[arg(long)]
    graph: Option<String>,
    /// Add both directions of every edge.
    #[arg(long)]
    undirected: bool,
    /// Node attributes CSV (jurisdiction, person, cost, ...).
    #[arg(long)]
    attributes: Option<String>,
    /// Edge probabilities: given, wc, const:P, trivalency or trivalency:SEED, tier.
    #[arg(long)]
    weights: Option<String>,
    /// File with one seed id per line (required with --graph).
    #[arg(long)]
    seeds: Option<String>,
    /// Exposure model: one-hop, ic or lt.
    #[arg(long, default_value = "one-hop")]
    exposure: String,
    /// Hop horizon of cascade exposure.
    #[arg(long)]
    hops: Option<u32>,
    /// Posts per creator (default 1; the demo campaign 4).
    #[arg(long)]
    posts: Option<u32>,
    /// Campaign cost (default: the seeds' summed costs).
    #[arg(long)]
    cost: Option<f64>,
    /// Real voters per graph person: a number, or "population" (each state's eligible population / its graph people).
    #[arg(long)]
    voters_per_person: Option<String>,
    /// People to jurisdictions: auto, attribute or drawn (in proportion to eligible population).
    #[arg(long, value_parser = ["auto", "attribute", "drawn"])]
    mapping: Option<String>,
    /// Persuasion prior, net switch rate per reached voter: MEAN or MEAN:SD (default 0:0.005).
    #[arg(long, allow_hyphen_values = true)]
    persuasion: Option<String>,
    /// Mobilization prior, rate per reached non-voter: MEAN or MEAN:SD (default 0.001:0.002).
    #[arg(long, allow_hyphen_values = true)]
    mobilization: Option<String>,
    /// Backlash prior, rate per reached side-A voter: MEAN or MEAN:SD (default 0).
    #[arg(long)]
    backlash: Option<String>,
    /// Saturation in [0, 1): after k exposures a person gets 1 - saturation^k of the effect.
    #[arg(long)]
    saturation: Option<f64>,
    /// Total sd of each state's margin error, points (0: none; default 4).
    #[arg(long)]
    baseline_error: Option<f64>,
    /// Share of the error variance that is national (default 0.5).
    #[arg(long)]
    national_share: Option<f64>,
    /// Pairwise correlation of the state errors (default 0.3).
    #[arg(long)]
    state_correlation: Option<f64>,
    /// CSV of the full state correlation matrix (state rows in electorate order).
    #[arg(long)]
    correlation_matrix: Option<String>,
    /// Monte Carlo draws.
    #[arg(long, default_value_t = 10_000)]
    draws: u64,
    /// Random seed (same seed, same numbers, on any number of threads).
    #[arg(long, default_value_t = 0)]
    seed: u64,
    /// Threads (all cores by default).
    #[arg(long)]
    threads: Option<usize>,
    /// Exposure realizations, reused by the draws in turn (default 1,000).
    #[arg(long)]
    exposure_trials: Option<u64>,
    /// Also a sensitivity sweep over effect sizes.
    #[arg(long)]
    sensitivity: bool,
    /// Budget sweep: comma-separated ascending budgets (seeds picked by swing-state voter reach).
    #[arg(long, value_delimiter = ',')]
    budgets: Vec<f64>,
    /// Candidate accounts of the budget sweep.
    #[arg(long)]
    candidates: Option<String>,
    /// Jurisdictions within this many points are swing (default 5).
    #[arg(long)]
    swing_margin: Option<f64>,
    /// Write SVG charts (EV distribution, margin shift, reach ladder) into this directory.
    #[arg(long)]
    plot: Option<String>,
    /// Rows of the closest-jurisdictions table.
    #[arg(long, default_value_t = 15)]
    rows: usize,
    /// Run on the ranks of an MPI job (under mpirun; needs a build with --features mpi);
    /// rank 0 prints the result, which equals the single-process one.
    #[arg(long)]
    distributed: bool,
    /// Print JSON instead of tables.
    #[arg(long)]
    json: bool,
}

fn prior(flag: &str, v: &Option<String>) -> Result<Option<Prior>, ApiError> {
    let Some(t) = v else { return Ok(None) };
    let (m, sd) = match t.split_once(':') {
        Some((m, sd)) => (m, sd),
        None => (t.as_str(), "0"),
    };
    match (m.trim().parse::<f64>(), sd.trim().parse::<f64>()) {
        (Ok(mean), Ok(sd)) => Ok(Some(Prior { mean, sd })),
        _ => Err(ApiError::invalid(format!(
            "--{flag} {t:?}: expected MEAN or MEAN:SD, e.g. 0.002:0.001"
        ))),
    }
}

impl MarginArgs {
    fn request(&self) -> Result<MarginRequest, ApiError> {
        let graph = self.graph.as_ref().map(|g| GraphSpec {
            path: Some(g.clone()),
            undirected: self.undirected,
            attributes: self.attributes.clone(),
            weights: self.weights.clone(),
            ..Default::default()
        });
        if graph.is_none()
            && (self.attributes.is_some() || self.weights.is_some() || self.undirected)
        {
            return Err(ApiError::invalid(
                "--attributes, --weights and --undirected describe --graph; give --graph too",
            ));
        }
        let voters_per_person = self.voters_per_person.as_ref().map(|v| match v.parse() {
            Ok(x) => VotersPerPerson::Global(x),
            Err(_) => VotersPerPerson::Named(v.clone()),
        });
        let list = |f: &Option<String>| f.clone().map(|file| IdList::File { file });
        Ok(MarginRequest {
            electorate: self.electorate.clone(),
            side: Some(self.side.clone()),
            graph,
            seeds: list(&self.seeds),
            exposure: Some(self.exposure.clone()),
            hops: self.hops,
            posts_per_creator: self.posts,
            cost: self.cost,
            voters_per_person,
            mapping: match self.mapping.as_deref() {
                Some("attribute") => Some(Mapping::Attribute),
                Some("drawn") => Some(Mapping::Drawn),
                Some(_) => Some(Mapping::Auto),
                None => None,
            },
            persuasion: prior("persuasion", &self.persuasion)?,
            mobilization: prior("mobilization", &self.mobilization)?,
            backlash: prior("backlash", &self.backlash)?,
            saturation: self.saturation,
            baseline_error: self.baseline_error,
            national_share: self.national_share,
            state_correlation: self.state_correlation,
            correlation_matrix: self.correlation_matrix.clone(),
            draws: self.draws,
            seed: self.seed,
            threads: self.threads,
            exposure_trials: self.exposure_trials,
            sensitivity: self.sensitivity,
            budgets: self.budgets.clone(),
            candidates: list(&self.candidates),
            swing_margin: self.swing_margin,
        })
    }
}

/// The graph flags plus the edge probabilities and cascade model (spread, select, evaluate).
#[derive(Args)]
struct CascadeArgs {
    #[command(flatten)]
    graph: GraphArgs,
    /// Edge probabilities: wc (1/in-degree), const:P, trivalency or trivalency:SEED, tier, or file (the third column).
    #[arg(long)]
    weights: String,
    /// Cascade model: ic or lt.
    #[arg(long, default_value = "ic")]
    model: String,
}

impl CascadeArgs {
    /// The graph spec with the weights set, and the parsed model.
    fn resolve(self) -> Result<(GraphSpec, Model), ApiError> {
        let mut spec = self.graph.spec();
        spec.weights = Some(self.weights);
        let model = self.model.parse().map_err(ApiError::from)?;
        Ok((spec, model))
    }
}

#[derive(Args)]
struct GraphArgs {
    /// Edge file: `u v [p]` lines (v follows u), or CSV `source,target[,p]`; gzip detected.
    #[arg(long)]
    graph: String,
    /// Add both directions of every edge.
    #[arg(long)]
    undirected: bool,
    /// File format (by default from the extension).
    #[arg(long, value_parser = ["edgelist", "csv"])]
    format: Option<String>,
    /// Node attributes CSV keyed by id (platform, person, jurisdiction, target_weight, cost, followers, tier).
    #[arg(long)]
    attributes: Option<String>,
    /// Duplicate-edge rule: max (default), first, last, noisy-or, error.
    #[arg(long, default_value = "max", value_parser = ["max", "first", "last", "noisy-or", "error"])]
    duplicates: String,
}

impl GraphArgs {
    fn spec(&self) -> GraphSpec {
        GraphSpec {
            path: Some(self.graph.clone()),
            format: self.format.as_deref().map(|f| match f {
                "csv" => EdgeFormat::Csv,
                _ => EdgeFormat::EdgeList,
            }),
            undirected: self.undirected,
            // clap admits only the spellings `DuplicatePolicy` parses.
            duplicates: self.duplicates.parse().unwrap_or_default(),
            attributes: self.attributes.clone(),
            ..Default::default()
        }
    }
}

/// Draws progress on stderr (hidden when stderr is not a terminal or with --quiet).
struct Bar {
    bar: ProgressBar,
    stage: Mutex<String>,
    /// --quiet (the distributed summary line obeys it too).
    #[cfg_attr(not(feature = "mpi"), allow(dead_code))]
    quiet: bool,
}

impl Bar {
    fn new(quiet: bool) -> Self {
        let bar = if quiet {
            ProgressBar::hidden()
        } else {
            ProgressBar::new(0)
        };
        bar.set_style(
            ProgressStyle::with_template("{msg:>20} [{bar:30}] {pos}/{len} ({elapsed})")
                .expect("static template")
                .progress_chars("=> "),
        );
        Bar {
            bar,
            stage: Mutex::new(String::new()),
            quiet,
        }
    }
}

impl Progress for Bar {
    fn update(&self, stage: &str, done: u64, total: u64) -> bool {
        if let Ok(mut s) = self.stage.lock() {
            if *s != stage {
                *s = stage.to_string();
                self.bar.set_message(stage.to_string());
                self.bar.reset();
            }
        }
        self.bar.set_length(total);
        self.bar.set_position(done);
        true
    }
}

fn request_of(command: Command) -> Result<(Request, bool), ApiError> {
    let list = |f: String| IdList::File { file: f };
    Ok(match command {
        Command::Demo {
            json,
            seed,
            budget,
            creators,
            price_per_creator,
        } => (
            Request::Demo(DemoRequest {
                seed,
                budget,
                creators,
                price_per_creator,
                ..Default::default()
            }),
            json,
        ),
        Command::Reach {
            graph,
            seeds,
            include_seeds,
            target_only,
            posts_per_seed,
            json,
        } => (
            Request::Reach(ReachRequest {
                graph: graph.spec(),
                seeds: list(seeds),
                include_seeds,
                target_only,
                posts_per_seed,
            }),
            json,
        ),
        Command::Overlap {
            graph,
            accounts,
            min_jaccard,
            json,
        } => (
            Request::Overlap(OverlapRequest {
                graph: graph.spec(),
                accounts: list(accounts),
                min_jaccard,
            }),
            json,
        ),
        Command::Ladder {
            graph,
            k,
            candidates,
            target_only,
            json,
        } => (
            Request::Ladder(LadderRequest {
                graph: graph.spec(),
                k,
                candidates: candidates.map(list),
                include_seeds: false,
                target_only,
            }),
            json,
        ),
        Command::Pick {
            graph,
            budget,
            costs,
            candidates,
            target_only,
            json,
        } => {
            let mut spec = graph.spec();
            if let Some(c) = costs {
                if spec.attributes.is_some() {
                    return Err(ApiError::invalid(
                        "give costs either with --costs or in --attributes, not both",
                    ));
                }
                spec.attributes = Some(c);
            }
            (
                Request::BudgetPick(BudgetPickRequest {
                    graph: spec,
                    budget,
                    candidates: candidates.map(list),
                    include_seeds: false,
                    target_only,
                }),
                json,
            )
        }
        Command::Spread {
            cascade,
            seeds,
            trials,
            seed,
            threads,
            hops,
            target_rse,
            node_probabilities,
            histogram,
            distributed: _,
            json,
        } => {
            let (spec, model) = cascade.resolve()?;
            (
                Request::Spread(SpreadRequest {
                    graph: spec,
                    seeds: list(seeds),
                    model,
                    trials,
                    seed,
                    threads,
                    hops,
                    target_rse,
                    node_probabilities,
                    histogram,
                }),
                json,
            )
        }
        Command::Select {
            cascade,
            k,
            budget,
            costs,
            target,
            candidates,
            epsilon,
            delta,
            mode,
            algorithm,
            tolerance,
            seed,
            threads,
            hops,
            max_rr_sets,
            time_limit,
            distributed: _,
            json,
        } => {
            let (spec, model) = cascade.resolve()?;
            if budget.is_some() && costs.is_none() && spec.attributes.is_none() {
                return Err(ApiError::invalid(
                    "--budget needs account costs: give --costs PATH (a CSV id,cost)",
                ));
            }
            (
                Request::Select(SelectRequest {
                    graph: spec,
                    model,
                    k,
                    budget,
                    costs,
                    target: target.map(list),
                    objective: None,
                    candidates: candidates.map(list),
                    epsilon,
                    delta,
                    mode: if mode == "quality" {
                        Mode::Quality
                    } else {
                        Mode::Guarantee
                    },
                    algorithm: if algorithm == "imm" {
                        Algorithm::Imm
                    } else {
                        Algorithm::OpimC
                    },
                    seed,
                    threads,
                    hops,
                    tolerance,
                    max_rr_sets,
                    time_limit_s: time_limit,
                    memory_limit_bytes: None,
                }),
                json,
            )
        }
        Command::Evaluate {
            cascade,
            seeds,
            target,
            rr_sets,
            seed,
            threads,
            hops,
            json,
        } => {
            let (spec, model) = cascade.resolve()?;
            (
                Request::Evaluate(EvaluateRequest {
                    graph: spec,
                    model,
                    seeds: list(seeds),
                    target: target.map(list),
                    objective: None,
                    rr_sets,
                    seed,
                    threads,
                    hops,
                }),
                json,
            )
        }
        Command::Run { request } => {
            let text = if request == "-" {
                let mut s = String::new();
                std::io::Read::read_to_string(&mut std::io::stdin(), &mut s)
                    .map_err(|e| ApiError::io("read the request from stdin", e))?;
                s
            } else {
                std::fs::read_to_string(&request)
                    .map_err(|e| ApiError::io(format!("read {request}"), e))?
            };
            (parse_request(&text)?, true)
        }
        Command::Sketch { command } => sketch_request(command),
        Command::Margin(m) => (Request::Margin(Box::new(m.request()?)), m.json),
        Command::Generate { .. } => {
            return Err(ApiError::invalid(
                "generate writes files; it is not a request",
            ))
        }
    })
}

fn sketch_request(command: SketchCommand) -> (Request, bool) {
    let list = |f: String| IdList::File { file: f };
    match command {
        SketchCommand::Build {
            graph,
            out,
            lg_k,
            seed,
            accounts,
            json,
        } => (
            Request::SketchBuild(sketch::SketchBuildRequest {
                graph: graph.spec(),
                out,
                lg_k,
                seed,
                accounts: accounts.map(list),
            }),
            json,
        ),
        SketchCommand::Reach {
            sketches,
            accounts,
            confidence,
            json,
        } => (
            Request::SketchReach(sketch::SketchReachRequest {
                sketches,
                accounts: list(accounts),
                confidence,
            }),
            json,
        ),
        SketchCommand::Overlap {
            sketches,
            accounts,
            confidence,
            json,
        } => (
            Request::SketchOverlap(sketch::SketchOverlapRequest {
                sketches,
                accounts: list(accounts),
                confidence,
            }),
            json,
        ),
        SketchCommand::Ladder {
            sketches,
            k,
            candidates,
            confidence,
            json,
        } => (
            Request::SketchLadder(sketch::SketchLadderRequest {
                sketches,
                k,
                candidates: candidates.map(list),
                confidence,
            }),
            json,
        ),
        SketchCommand::Stream {
            pairs,
            out,
            lg_k,
            seed,
            chunk_mb,
            json,
        } => (
            Request::SketchStream(sketch::SketchStreamRequest {
                pairs,
                out,
                lg_k,
                seed,
                chunk_bytes: chunk_mb.map(|m| m.saturating_mul(1 << 20)),
            }),
            json,
        ),
        SketchCommand::Pick {
            sketches,
            costs,
            budget,
            candidates,
            confidence,
            json,
        } => (
            Request::SketchPick(sketch::SketchPickRequest {
                sketches,
                costs: sketch::CostList::File { file: costs },
                budget,
                candidates: candidates.map(list),
                confidence,
            }),
            json,
        ),
        SketchCommand::Merge { out, inputs, json } => (
            Request::SketchMerge(sketch::SketchMergeRequest { inputs, out }),
            json,
        ),
        SketchCommand::Check {
            graph,
            accounts,
            lg_k,
            confidence,
            json,
        } => (
            Request::SketchCheck(sketch::SketchCheckRequest {
                graph: graph.spec(),
                accounts: list(accounts),
                lg_k,
                seed: None,
                confidence,
            }),
            json,
        ),
        SketchCommand::Error {
            lg_k,
            set_size,
            confidence,
        } => (
            Request::SketchError(sketch::SketchErrorRequest {
                lg_k,
                set_size,
                confidence,
            }),
            true,
        ),
    }
}

fn generate(
    edges: Option<usize>,
    seed: Option<u64>,
    out: &str,
    bar: &Bar,
) -> Result<String, ApiError> {
    let spec = ScenarioSpec { edges, seed };
    let sc = reachgraph_core::scenario::generate(&spec.config(), bar)?;
    let io_err = |path: &str, e: std::io::Error| ApiError::io(format!("write {path}"), e);
    let attrs_path = format!("{out}.attrs.csv");
    let f = std::fs::File::create(out).map_err(|e| io_err(out, e))?;
    reachgraph_core::io::write_edge_list(&sc.graph, std::io::BufWriter::new(f))
        .map_err(|e| io_err(out, e))?;
    let f = std::fs::File::create(&attrs_path).map_err(|e| io_err(&attrs_path, e))?;
    let isolated =
        reachgraph_core::io::write_edge_list_attributes(&sc.graph, std::io::BufWriter::new(f))
            .map_err(|e| io_err(&attrs_path, e))?;
    let left_out = if isolated > 0 {
        format!(
            "; {isolated} generated accounts without edges are left out of both (an edge list \
             cannot hold them)"
        )
    } else {
        String::new()
    };
    Ok(format!(
        "wrote {} ({} accounts, {} edges) and {attrs_path}{left_out}",
        out,
        sc.graph.node_count() - isolated,
        sc.graph.edge_count()
    ))
}

/// Answers `req` on the ranks of the MPI job this process belongs to (one rank without a
/// launcher); `None` on ranks other than 0.
#[cfg(feature = "mpi")]
fn run_mpi(req: &Request, bar: &Bar) -> Result<Option<Response>, CliError> {
    use reachgraph_core::comm::{Comm, Mpi, DEFAULT_TIMEOUT};
    let timeout = match std::env::var("REACHGRAPH_COMM_TIMEOUT_S") {
        Err(_) => DEFAULT_TIMEOUT,
        Ok(v) => match v.parse::<f64>() {
            Ok(s) if s > 0.0 && s.is_finite() => std::time::Duration::from_secs_f64(s),
            _ => {
                return Err(ApiError::invalid(format!(
                    "REACHGRAPH_COMM_TIMEOUT_S = {v:?}: give a number of seconds > 0"
                ))
                .into())
            }
        },
    };
    let mpi = Mpi::init(timeout).map_err(ApiError::from)?;
    let (rank, size) = (mpi.rank(), mpi.size());
    let quiet = reachgraph_core::NoProgress;
    let progress: &dyn reachgraph_core::Progress = if rank == 0 { bar } else { &quiet };
    match reachgraph_api::distributed::run_distributed_stats(req, progress, &mpi) {
        Ok((resp, stats)) => {
            if rank == 0 && !bar.quiet {
                bar.bar.finish_and_clear();
                let per_round = if stats.greedy_rounds > 0 {
                    format!(
                        "; {} greedy rounds, {:.3} s ({:.2} ms per round)",
                        stats.greedy_rounds,
                        stats.greedy_seconds,
                        1e3 * stats.greedy_seconds / stats.greedy_rounds as f64
                    )
                } else {
                    String::new()
                };
                eprintln!(
                    "reachgraph: {size} ranks; rank 0: {} collectives, {} bytes sent, {:.3} s in \
                     collectives{per_round}",
                    stats.collectives, stats.bytes, stats.seconds
                );
            }
            Ok((rank == 0).then_some(resp))
        }
        Err(e) => {
            bar.bar.finish_and_clear();
            eprintln!("reachgraph: error: rank {rank} of {size}: {e}");
            if e.kind() == "communication" {
                // Other ranks may be stuck in a collective: end the whole job.
                mpi.abort(2);
            }
            // The ranks agreed on the failure; each reports it before any exits, since mpirun
            // ends the job (and the ranks' unwritten reports) when the first one exits non-zero.
            let _ = mpi.barrier();
            Err(CliError::Reported)
        }
    }
}

/// Why a command failed.
#[derive(Debug, thiserror::Error)]
enum CliError {
    #[error(transparent)]
    Api(#[from] ApiError),
    #[error(transparent)]
    Plot(#[from] plot::PlotError),
    /// A rank of a distributed run has printed its error already.
    #[cfg(feature = "mpi")]
    #[error("reported")]
    Reported,
}

/// Without MPI, `--distributed` is a clear error.
#[cfg(not(feature = "mpi"))]
fn run_mpi(_: &Request, _: &Bar) -> Result<Option<Response>, CliError> {
    Err(reachgraph_api::distributed::built_without_mpi().into())
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let bar = Bar::new(cli.quiet);
    let result = match cli.command {
        Command::Generate { edges, seed, out } => generate(edges, seed, &out, &bar)
            .map(|msg| {
                bar.bar.finish_and_clear();
                eprintln!("{msg}");
            })
            .map_err(CliError::from),
        command => {
            let (plot_dir, rows) = match &command {
                Command::Margin(m) => (m.plot.clone(), m.rows),
                _ => (None, 15),
            };
            let distributed = match &command {
                Command::Select { distributed, .. } | Command::Spread { distributed, .. } => {
                    *distributed
                }
                Command::Margin(m) => m.distributed,
                _ => false,
            };
            let request: Result<_, CliError> = request_of(command).map_err(Into::into);
            request.and_then(|(req, json)| {
                let resp: Response = if distributed {
                    match run_mpi(&req, &bar)? {
                        Some(resp) => resp,
                        // Rank 0 alone writes the result.
                        None => return Ok(()),
                    }
                } else {
                    run(&req, &bar)?
                };
                bar.bar.finish_and_clear();
                if let (Some(dir), Response::Margin(m)) = (&plot_dir, &resp) {
                    for path in plot::write_charts(&m.body, std::path::Path::new(dir))? {
                        eprintln!("wrote {path}");
                    }
                }
                let text = if json {
                    serde_json::to_string_pretty(&resp).expect("responses serialize") + "\n"
                } else if let Response::Margin(m) = &resp {
                    render::margin(&m.body, rows)
                } else {
                    render::render(&resp)
                };
                let mut out = std::io::stdout().lock();
                // A closed pipe (e.g. `| head`) is not an error worth reporting.
                let _ = out.write_all(text.as_bytes());
                Ok(())
            })
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            bar.bar.finish_and_clear();
            #[cfg(feature = "mpi")]
            let reported = matches!(e, CliError::Reported);
            #[cfg(not(feature = "mpi"))]
            let reported = false;
            if !reported {
                eprintln!("reachgraph: error: {e}");
            }
            ExitCode::from(2)
        }
    }
}
