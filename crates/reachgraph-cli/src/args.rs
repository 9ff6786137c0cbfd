//! The command line as clap parses it: one struct or enum per level of subcommand, with the
//! flags and their help text.

use clap::{Args, Parser, Subcommand};
use reachgraph_api::DemoRequest;

#[derive(Parser)]
#[command(
    name = "reachgraph",
    version,
    about = "Social-graph reach analytics: deduplicated reach, audience overlap, budgeted creator picks.",
    long_about = "Social-graph reach analytics. An edge line `u v [p]` means v follows u (what u posts can reach v). \
                  Ids are the file's own. JSON goes to stdout with --json; progress and errors go to stderr."
)]
pub struct Cli {
    /// Hide progress: the bar on a terminal, and the periodic progress lines written when
    /// stderr is not one (every 5 s; REACHGRAPH_PROGRESS_SECONDS sets another interval).
    #[arg(long, global = true)]
    pub quiet: bool,
    /// Print the table as CSV (RFC 4180, one header row, units in the column names) instead of
    /// text: reach, overlap, ladder, pick, spread, select, evaluate, compare, margin.
    #[arg(long, global = true)]
    pub csv: bool,
    /// Memory limit of select, evaluate, compare, margin, sketch build, sketch stream and generate: bytes, or with a
    /// suffix K, M, G or T (e.g. 4G). Default: half the machine's memory (or of `ulimit -v`).
    #[arg(long, global = true)]
    pub memory_limit: Option<String>,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand)]
pub enum Command {
    /// Run the demo on the embedded campaign scenario.
    Demo {
        /// Print JSON instead of tables.
        #[arg(long)]
        json: bool,
        /// Scenario seed (the embedded default when absent).
        #[arg(long)]
        seed: Option<u64>,
        /// Monthly budget of the pick.
        #[arg(long, default_value_t = DemoRequest::DEFAULT.budget)]
        budget: f64,
        /// Number of largest creators to compare.
        #[arg(long, default_value_t = DemoRequest::DEFAULT.creators)]
        creators: usize,
        /// Flat price of one creator-month for the main pick.
        #[arg(long, default_value_t = DemoRequest::DEFAULT.price_per_creator)]
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
        /// Keep the run's progress in this file (written at least once a minute): run the same
        /// command again after an interruption and it resumes, with the same answer. Removed
        /// when the run completes. Not with --distributed.
        #[arg(long, value_name = "PATH")]
        checkpoint: Option<String>,
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
        /// opim-c (certified ratio, stops early), imm (Chen's corrected IMM), or a baseline
        /// evaluated the same way: degree (most followers), degree-discount (Chen, Wang, Yang
        /// 2009), pagerank (on the follower graph), random (seeded).
        #[arg(long, default_value = "opim-c", value_parser = ["opim-c", "imm", "degree", "degree-discount", "pagerank", "random"])]
        algorithm: String,
        /// Quality mode: stop once greedy's seeds cover 0.75 / tolerance² selection sets (default 0.005: 30,000; 1.125 / tolerance², 45,000, where people hold several accounts and the spread counts people, or on graphs too large for the control variate to pay).
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
        /// Also run with seeds seed+1 ... seed+R-1 (R from 2 to 64) and summarise how the answer
        /// moves: spread of every run on common RR sets, seed-set overlap, accounts in every run.
        #[arg(long)]
        runs: Option<usize>,
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
    /// Compare seed sets on common RR sets: each set's expected spread and the paired difference
    /// to the first (B minus A), with a standard error far tighter than two separate estimates.
    Compare {
        #[command(flatten)]
        cascade: CascadeArgs,
        /// A file of seed ids, one per line; give it two or more times (differences are taken
        /// against the first).
        #[arg(long, required = true)]
        seeds: Vec<String>,
        /// Target accounts or a CSV `id,target_weight` (as for select).
        #[arg(long)]
        target: Option<String>,
        /// A fixed number of common RR sets (default: the adaptive rule, doubling from 131,072
        /// sets until every difference's standard error is at most --relative-stderr of the
        /// larger spread, at most 8,388,608 sets).
        #[arg(long)]
        samples: Option<u64>,
        /// The adaptive rule's target relative standard error of the differences.
        #[arg(long)]
        relative_stderr: Option<f64>,
        /// The adaptive rule's cap on RR sets.
        #[arg(long)]
        max_samples: Option<u64>,
        /// Random seed (same seed, same numbers, on any number of threads).
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
    /// Read back a campaign's results: deduplicated reach, ROI, reach-rate calibration, effect evidence.
    ///
    /// Per-post counts (posts.csv) are combined through the follower graph's audience overlap
    /// (--graph) or through the creators table's audience model, in real people (--creators).
    Report(Box<ReportArgs>),
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
    /// Plan from a creator table: summed followers, modelled distinct people (90% interval),
    /// reach by jurisdiction and in the targets, the fit, the assumptions, the creators to hire.
    ///
    /// With --materialize DIR it instead draws synthetic follower graphs from the table: edges,
    /// attributes and people files every command reads, with a README saying what they are.
    Plan(Box<PlanArgs>),
    /// Write a generated campaign population as an edge list and an attribute CSV.
    Generate {
        /// Approximate number of follow edges (the demo scenario when absent).
        #[arg(long)]
        edges: Option<usize>,
        /// Generator seed.
        #[arg(long)]
        seed: Option<u64>,
        /// Output edge list path (the attributes go beside it as PATH.attrs.csv); a path
        /// ending in `.rgraph` gets one `.rgraph` file holding edges and attributes.
        #[arg(long)]
        out: String,
        /// Weight scheme whose probabilities a `.rgraph` output stores (`wc`, `const:P`,
        /// `trivalency[:SEED]`, `tier`); loading with the same `weights` then maps them.
        #[arg(long)]
        weights: Option<String>,
        /// Memory for the edge buffers when a `.rgraph` output is streamed (e.g. 2G, the
        /// default): less means more temporary runs and passes, never a different file.
        #[arg(long)]
        memory: Option<String>,
    },
    /// Convert a graph (edge list, CSV, gzip, or `.rgraph`) to a `.rgraph` file that every
    /// command maps instead of parsing.
    Convert {
        /// Input graph file.
        input: String,
        /// Output `.rgraph` path (written whole or not at all).
        output: String,
        /// Add both directions of every edge.
        #[arg(long)]
        undirected: bool,
        /// File format (by default from the extension).
        #[arg(long, value_parser = ["edgelist", "csv"])]
        format: Option<String>,
        /// Node attributes CSV keyed by id, stored in the file (read beside a streamed
        /// whitespace edge list without building a graph: the columns it gives, 4 bytes per
        /// account and per row, and each distinct name once).
        #[arg(long)]
        attributes: Option<String>,
        /// Duplicate-edge rule: max (default), first, last, noisy-or, error.
        #[arg(long, default_value = "max", value_parser = ["max", "first", "last", "noisy-or", "error"])]
        duplicates: String,
        /// Weight scheme whose probabilities the file stores (`given`, `wc`, `const:P`,
        /// `trivalency[:SEED]`, `tier`; default: as read).
        #[arg(long)]
        weights: Option<String>,
        /// Memory for the edge buffers when a whitespace edge list is streamed to the file
        /// (e.g. 2G, the default): less means more temporary runs and passes, never a
        /// different file.
        #[arg(long)]
        memory: Option<String>,
    },
}

#[derive(Subcommand)]
pub enum SketchCommand {
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
        /// MiB read per chunk (default 16; 1 to 1024).
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
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
}

#[derive(Args)]
pub struct MarginArgs {
    /// Electorate: us-2024, us-2020, or a CSV (certified-style results, or a forecast with dem_margin_mean and dem_margin_sd).
    #[arg(long, default_value = "us-2024")]
    pub electorate: String,
    /// The side the campaign works for: D or R.
    #[arg(long, default_value = "D")]
    pub side: String,
    /// Edge file of the campaign's graph (the demo campaign when absent).
    #[arg(long)]
    pub graph: Option<String>,
    /// Add both directions of every edge.
    #[arg(long)]
    pub undirected: bool,
    /// Node attributes CSV (jurisdiction, person, cost, ...).
    #[arg(long)]
    pub attributes: Option<String>,
    /// Edge probabilities: given, wc, const:P, trivalency or trivalency:SEED, tier.
    #[arg(long)]
    pub weights: Option<String>,
    /// File with one seed id per line (required with --graph).
    #[arg(long)]
    pub seeds: Option<String>,
    /// Exposure model: one-hop, ic or lt.
    #[arg(long, default_value = "one-hop")]
    pub exposure: String,
    /// Hop horizon of cascade exposure.
    #[arg(long)]
    pub hops: Option<u32>,
    /// Posts per creator (default 1; the demo campaign 4).
    #[arg(long)]
    pub posts: Option<u32>,
    /// Campaign cost (default: the seeds' summed costs).
    #[arg(long)]
    pub cost: Option<f64>,
    /// Real voters per graph person: a number, or "population" (each state's eligible population / its graph people).
    #[arg(long)]
    pub voters_per_person: Option<String>,
    /// People to jurisdictions: auto, attribute or drawn (in proportion to eligible population).
    #[arg(long, value_parser = ["auto", "attribute", "drawn"])]
    pub mapping: Option<String>,
    /// Persuasion prior, net switch rate per reached voter: MEAN or MEAN:SD (default 0:0.005).
    #[arg(long, allow_hyphen_values = true)]
    pub persuasion: Option<String>,
    /// Mobilization prior, rate per reached non-voter: MEAN or MEAN:SD (default 0.001:0.002).
    #[arg(long, allow_hyphen_values = true)]
    pub mobilization: Option<String>,
    /// Backlash prior, rate per reached side-A voter: MEAN or MEAN:SD (default 0).
    #[arg(long)]
    pub backlash: Option<String>,
    /// Saturation in [0, 1): after k exposures a person gets 1 - saturation^k of the effect.
    #[arg(long)]
    pub saturation: Option<f64>,
    /// Total sd of each state's margin error, points (0: none; default 4).
    #[arg(long)]
    pub baseline_error: Option<f64>,
    /// Share of the error variance that is national (default 0.5).
    #[arg(long)]
    pub national_share: Option<f64>,
    /// Pairwise correlation of the state errors (default 0.3).
    #[arg(long)]
    pub state_correlation: Option<f64>,
    /// CSV of the full state correlation matrix (state rows in electorate order).
    #[arg(long)]
    pub correlation_matrix: Option<String>,
    /// Monte Carlo draws.
    #[arg(long, default_value_t = 10_000)]
    pub draws: u64,
    /// Random seed (same seed, same numbers, on any number of threads).
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
    /// Threads (all cores by default).
    #[arg(long)]
    pub threads: Option<usize>,
    /// Exposure realizations, reused by the draws in turn (default 1,000).
    #[arg(long)]
    pub exposure_trials: Option<u64>,
    /// Also a sensitivity sweep over effect sizes.
    #[arg(long)]
    pub sensitivity: bool,
    /// Budget sweep: comma-separated ascending budgets (seeds picked by target-state voter reach).
    #[arg(long, value_delimiter = ',')]
    pub budgets: Vec<f64>,
    /// Candidate accounts of the budget sweep.
    #[arg(long)]
    pub candidates: Option<String>,
    /// Withdrawn (chose targets by the certified result: hindsight); use --tipping-share or --targets.
    #[arg(long, hide = true)]
    pub swing_margin: Option<f64>,
    /// Budget-sweep targets: states that are the tipping point in at least this share of the baseline's draws (default 0.01).
    #[arg(long)]
    pub tipping_share: Option<f64>,
    /// Budget-sweep targets listed by id, comma-separated (e.g. from a forecast), instead of --tipping-share.
    #[arg(long, value_delimiter = ',')]
    pub targets: Vec<String>,
    /// Write SVG charts (EV distribution, margin shift, reach ladder, cost curve) into this directory.
    #[arg(long)]
    pub plot: Option<String>,
    /// Rows of the closest-jurisdictions table.
    #[arg(long, default_value_t = 15)]
    pub rows: usize,
    /// With --csv, which table: jurisdictions (default; every jurisdiction, closest first) or
    /// cost-curve (cost per net vote at each assumed effect rate).
    #[arg(long, value_parser = ["jurisdictions", "cost-curve"])]
    pub table: Option<String>,
    /// Run on the ranks of an MPI job (under mpirun; needs a build with --features mpi);
    /// rank 0 prints the result, which equals the single-process one.
    #[arg(long)]
    pub distributed: bool,
    /// A creators table (see docs/plan.md): run on synthetic graphs drawn from it instead of
    /// --graph; every account is the campaign, people's lean from its lean_a column.
    #[arg(long)]
    pub creators: Option<String>,
    /// Audience geography of --creators (account, jurisdiction, share).
    #[arg(long)]
    pub audience: Option<String>,
    /// Measured overlaps of --creators: the graphs' parameters are fitted to them.
    #[arg(long)]
    pub overlaps: Option<String>,
    /// Synthetic graphs drawn from --creators (default 5).
    #[arg(long)]
    pub ensemble: Option<usize>,
    /// Real people per graph person of the synthetic graphs (default: about two million edges each).
    #[arg(long)]
    pub scale: Option<f64>,
    /// Print JSON instead of tables.
    #[arg(long)]
    pub json: bool,
}

/// The graph flags plus the edge probabilities and cascade model (spread, select, evaluate).
#[derive(Args)]
pub struct CascadeArgs {
    #[command(flatten)]
    pub graph: GraphArgs,
    /// Edge probabilities: wc (1/in-degree), const:P, trivalency or trivalency:SEED, tier, or file (the third column).
    #[arg(long)]
    pub weights: String,
    /// Cascade model: ic or lt.
    #[arg(long, default_value = "ic")]
    pub model: String,
}

#[derive(Args)]
pub struct GraphArgs {
    /// Edge file: `u v [p]` lines (v follows u), or CSV `source,target[,p]`; gzip detected.
    #[arg(long)]
    pub graph: String,
    /// Add both directions of every edge.
    #[arg(long)]
    pub undirected: bool,
    /// File format (by default from the extension).
    #[arg(long, value_parser = ["edgelist", "csv"])]
    pub format: Option<String>,
    /// Node attributes CSV keyed by id (platform, person, jurisdiction, target_weight, cost, followers, tier).
    #[arg(long)]
    pub attributes: Option<String>,
    /// Duplicate-edge rule: max (default), first, last, noisy-or, error.
    #[arg(long, default_value = "max", value_parser = ["max", "first", "last", "noisy-or", "error"])]
    pub duplicates: String,
}

#[derive(Args)]
#[command(group(
    clap::ArgGroup::new("audience_source")
        .required(true)
        .args(["graph", "creators"])
))]
pub struct ReportArgs {
    /// posts.csv: `account,post,date,impressions,reach,engagements[,views_non_followers][,cost]`.
    #[arg(long)]
    pub posts: String,
    /// Edge file of the campaign's follower graph (v follows u); or give --creators.
    #[arg(long)]
    pub graph: Option<String>,
    /// Add both directions of every edge (with --graph).
    #[arg(long)]
    pub undirected: bool,
    /// Node attributes CSV of --graph (followers, person, jurisdiction, cost, platform, ...).
    #[arg(long)]
    pub attributes: Option<String>,
    #[command(flatten)]
    pub table: ReportTableArgs,
    /// Real people the creators table's audiences are drawn from (overrides the electorate's
    /// default; with --creators).
    #[arg(long)]
    pub population: Option<f64>,
    /// lift.csv: effect,estimate,se with effect persuasion or mobilization (rates, e.g. 0.004).
    #[arg(long)]
    pub lift: Option<String>,
    /// Target jurisdictions: comma-separated ids (e.g. PA,MI,WI); with --creators also `swing`
    /// (margin's tipping-point rule, no hindsight) or a file of ids. Default: target weights
    /// (graph), every jurisdiction (creators).
    #[arg(long)]
    pub target: Option<String>,
    /// Tipping-point share of `--target swing` (default 0.01, as margin's; with --creators).
    #[arg(long)]
    pub tipping_share: Option<f64>,
    /// Persuasion prior the lift updates: MEAN:SD (default the margin simulation's 0:0.005).
    #[arg(long, allow_hyphen_values = true)]
    pub persuasion: Option<String>,
    /// Mobilization prior the lift updates: MEAN:SD (default 0.001:0.002).
    #[arg(long, allow_hyphen_values = true)]
    pub mobilization: Option<String>,
    /// Parameter draws behind each interval.
    #[arg(long, default_value_t = reachgraph_core::report::DEFAULT_DRAWS)]
    pub draws: usize,
    /// Seed of the draws.
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
    /// Write the calibrated creators table (with reach_rate) here, for `plan`.
    #[arg(long)]
    pub write_creators: Option<String>,
    /// Write the posterior effect flags for `reachgraph margin` here (needs --lift).
    #[arg(long)]
    pub write_prior: Option<String>,
    /// Print JSON instead of tables.
    #[arg(long)]
    pub json: bool,
}

/// The creators table flags of `report` (the table `plan` reads, instead of a graph).
#[derive(Args)]
pub struct ReportTableArgs {
    /// The creators CSV (creator, platform, followers, …; see docs/plan.md): combine reach
    /// through the planning model's audience overlap instead of a follower graph.
    #[arg(long)]
    pub creators: Option<String>,
    /// Audience geography CSV of --creators (account, jurisdiction, share).
    #[arg(long)]
    pub audience: Option<String>,
    /// Measured overlaps CSV of --creators (a, b, shared or shared_count): the model is fitted to them.
    #[arg(long)]
    pub overlaps: Option<String>,
    /// What the population of --creators counts: `users` (default: a platform's users, who
    /// follow someone; zero-share prior U[0, 0.1]) or `everyone` (followers or not; prior
    /// U[0, 0.7]), as plan's --population-counts.
    #[arg(long, value_parser = ["users", "everyone"])]
    pub population_counts: Option<String>,
}

#[derive(Args)]
pub struct PlanArgs {
    /// The creators CSV (creator, platform, followers, …; see docs/plan.md).
    #[arg(long)]
    pub creators: String,
    /// Audience geography CSV (account, jurisdiction, share).
    #[arg(long)]
    pub audience: Option<String>,
    /// Measured overlaps CSV (a, b, shared or shared_count): the model is fitted to them.
    #[arg(long)]
    pub overlaps: Option<String>,
    /// Only these accounts count (one id per line); default all of the table's.
    #[arg(long)]
    pub accounts: Option<String>,
    /// Real people the audiences are drawn from (overrides the electorate's default).
    #[arg(long)]
    pub population: Option<f64>,
    /// What the population counts: `users` (default: a platform's users, who follow someone;
    /// zero-share prior U[0, 0.1]) or `everyone` (followers or not; prior U[0, 0.7]).
    #[arg(long, value_parser = ["users", "everyone"])]
    pub population_counts: Option<String>,
    /// Budget per month: the creators to hire (all their accounts, one price) and what they add.
    #[arg(long)]
    pub budget: Option<f64>,
    /// Target jurisdictions: `swing` (margin's tipping-point rule, no hindsight) or a file of ids.
    #[arg(long)]
    pub target: Option<String>,
    /// Tipping-point share of `--target swing` (default 0.01, as margin's).
    #[arg(long)]
    pub tipping_share: Option<f64>,
    /// Parameter draws behind each interval.
    #[arg(long, default_value_t = reachgraph_core::plan::DEFAULT_DRAWS)]
    pub draws: usize,
    /// Number of synthetic graphs (one parameter draw each: fitted with --overlaps, else the
    /// prior); with --materialize default 1, without it none.
    #[arg(long)]
    pub ensemble: Option<usize>,
    /// Seed.
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
    /// Real people per graph person of synthetic graphs (default: the smallest whole number
    /// keeping the expected edges at or below two million).
    #[arg(long)]
    pub scale: Option<f64>,
    /// Use the named independence assumption instead of the fitted model.
    #[arg(long)]
    pub independence: bool,
    /// Write synthetic graphs: the directory (one realization), or the parent of r000, r001, …
    #[arg(long)]
    pub materialize: Option<String>,
    /// Print JSON instead of tables.
    #[arg(long)]
    pub json: bool,
}
