//! The `margin` request: a campaign's effect on vote margins and electoral outcomes.
//!
//! Without a graph it runs the demo campaign: the demo scenario's creators picked for the
//! demo's default budget at its flat price per creator-month ([`crate::DemoRequest::DEFAULT`],
//! as `demo` does), posting [`DEMO_POSTS`] times each, seen at the tiers' organic reach rates,
//! one graph person standing for the scenario's scale of real people.

use crate::load::{GraphSpec, IdList, LoadedGraph};
use crate::{steps, summary_of, ApiError, DemoRequest, GraphSummary, Result, Step};
use reachgraph_core::cascade::Model;
use reachgraph_core::comm::{Comm, Local};
use reachgraph_core::coverage;
use reachgraph_core::election::Side;
use reachgraph_core::error::echo;
use reachgraph_core::margin::{
    self, Assumption, BaselineError, Campaign, Correlation, EffectModel, Electorate, Exposure,
    Mapping, MarginConfig, MarginResult, PersonVoters, Prior, Simulation, TargetRule, VoterScale,
};
use reachgraph_core::reach::ReachOptions;
use reachgraph_core::scenario::{self, ScenarioConfig};
use reachgraph_core::{BuildReport, Graph, Progress, WeightScheme};
use serde::{Deserialize, Serialize};

/// Posts per creator in the demo campaign (weekly for a month).
pub const DEMO_POSTS: u32 = 4;
/// Steps of the reach ladder reported with a margin response.
pub const LADDER_STEPS: usize = 50;

/// Voters one graph person stands for: a number, or `"population"` (each state's eligible
/// population over its graph people).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum VotersPerPerson {
    /// The same number everywhere.
    Global(f64),
    /// `"population"`.
    Named(String),
    /// Per jurisdiction id, with `"default"` for the rest.
    PerJurisdiction(std::collections::BTreeMap<String, f64>),
}

/// A margin simulation. See `docs/margin.md`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MarginRequest {
    /// `us-2024` (default), `us-2020`, or a CSV path (results, or a forecast with
    /// `dem_margin_mean` and `dem_margin_sd` columns).
    #[serde(default = "default_electorate")]
    pub electorate: String,
    /// The side the campaign works for: `D` (default) or `R`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub side: Option<String>,
    /// The graph (the demo campaign when absent).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub graph: Option<GraphSpec>,
    /// Seed accounts (required with a graph).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seeds: Option<IdList>,
    /// `one_hop` (default), `ic` or `lt`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exposure: Option<String>,
    /// Hop horizon of cascade exposure.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hops: Option<u32>,
    /// Posts per creator (default 1; the demo campaign 4).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub posts_per_creator: Option<u32>,
    /// Campaign cost (default: the seeds' summed costs, when all have one).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cost: Option<f64>,
    /// Voters per graph person (default 1; the demo campaign its scenario's scale).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub voters_per_person: Option<VotersPerPerson>,
    /// `auto` (default), `attribute` or `drawn`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mapping: Option<Mapping>,
    /// Persuasion prior (net switch rate per reached voter).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub persuasion: Option<Prior>,
    /// Mobilization prior (rate per reached non-voter).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mobilization: Option<Prior>,
    /// Backlash prior (rate per reached side-A voter).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub backlash: Option<Prior>,
    /// Saturation with frequency, in [0, 1).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub saturation: Option<f64>,
    /// Total sd of a state's margin error, points (0: none).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub baseline_error: Option<f64>,
    /// Share of that variance that is national.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub national_share: Option<f64>,
    /// Pairwise correlation of the state errors.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub state_correlation: Option<f64>,
    /// A CSV of the full state correlation matrix (one row per state row, electorate order).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub correlation_matrix: Option<String>,
    /// Monte Carlo draws.
    #[serde(default = "default_draws")]
    pub draws: u64,
    /// Random seed: the same seed gives the same numbers on any number of threads.
    #[serde(default)]
    pub seed: u64,
    /// Threads (all cores when absent).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub threads: Option<usize>,
    /// Exposure realizations, reused by the draws in turn (default 1,000).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exposure_trials: Option<u64>,
    /// Memory limit in bytes of the draws' outcomes and the exposure realizations (the
    /// default limit when absent).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub memory_limit_bytes: Option<u64>,
    /// Also the sensitivity sweep over effect sizes.
    #[serde(default)]
    pub sensitivity: bool,
    /// Budgets for the budget sweep (ascending); seeds picked by exact reach of the voters of
    /// the target jurisdictions (`tipping_share`, `targets`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub budgets: Vec<f64>,
    /// Candidate accounts of the budget sweep (all accounts with a cost when absent).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub candidates: Option<IdList>,
    /// Withdrawn: it chose targets by the certified margin of the simulated election
    /// (hindsight). Refused with a message pointing at `tipping_share` and `targets`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub swing_margin: Option<f64>,
    /// Target jurisdictions of the budget sweep: those that are the tipping point in at least
    /// this share of the baseline's draws (default 0.01).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tipping_share: Option<f64>,
    /// Target jurisdictions of the budget sweep listed by id (instead of `tipping_share`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub targets: Option<Vec<String>>,
    /// A creators table (path; see `docs/plan.md`): the simulation runs on an ensemble of
    /// synthetic follower graphs drawn from it (instead of `graph`), all its accounts the
    /// campaign, people's lean and eligibility from its `lean_a` and `eligible` columns.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub creators: Option<String>,
    /// Audience geography of the creators table (`account,jurisdiction,share`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub audience: Option<String>,
    /// Measured overlaps of the creators table: the graphs' parameters are fitted to them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub overlaps: Option<String>,
    /// Synthetic graphs drawn from the creators table (default 5).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ensemble: Option<usize>,
    /// Real people per graph person of the synthetic graphs (default: about two million
    /// edges per graph).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scale: Option<f64>,
    /// Per graph person: probability that the person votes for side A when voting, in
    /// [0, 1]; one entry per person in person order (see [`PERSON_ORDER`]), `null` where not
    /// given (the graph's `lean` attribute, else a draw around the jurisdiction's share).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lean: Option<Vec<Option<f64>>>,
    /// Per graph person: probability that the person votes, in [0, 1] (as `lean`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub turnout: Option<Vec<Option<f64>>>,
    /// Per graph person: share of the voters the person stands for who are eligible, in
    /// [0, 1] (0 or 1 for one voter); as `lean`, default 1.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub eligible: Option<Vec<Option<f64>>>,
    /// Per account (in the graph's account order): effect multiplier of its posts, a finite
    /// number >= 0 (an assumption, default 1); `null` where not given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub effect_multiplier: Option<Vec<Option<f64>>>,
}

/// The order of the per-person arrays of a [`MarginRequest`] (`lean`, `turnout`,
/// `eligible`): graph people in the order of their first account in the graph's account
/// order (the order in which the edge reader first meets the accounts; Python's
/// `Graph.ids()`, and `Graph.people()` for the people); without a `person` column every
/// account is its own person.
pub const PERSON_ORDER: &str = "person order (people in the order of their first account; \
                                accounts in the order the edge reader first meets them)";

fn default_electorate() -> String {
    "us-2024".into()
}
fn default_draws() -> u64 {
    margin::DEFAULT_DRAWS
}

impl Default for MarginRequest {
    fn default() -> Self {
        MarginRequest {
            electorate: default_electorate(),
            side: None,
            graph: None,
            seeds: None,
            exposure: None,
            hops: None,
            posts_per_creator: None,
            cost: None,
            voters_per_person: None,
            mapping: None,
            persuasion: None,
            mobilization: None,
            backlash: None,
            saturation: None,
            baseline_error: None,
            national_share: None,
            state_correlation: None,
            correlation_matrix: None,
            draws: default_draws(),
            seed: 0,
            threads: None,
            exposure_trials: None,
            memory_limit_bytes: None,
            sensitivity: false,
            budgets: Vec::new(),
            candidates: None,
            swing_margin: None,
            tipping_share: None,
            targets: None,
            creators: None,
            audience: None,
            overlaps: None,
            ensemble: None,
            scale: None,
            lean: None,
            turnout: None,
            eligible: None,
            effect_multiplier: None,
        }
    }
}

/// A budget-sweep point with its seeds by external id.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BudgetRow {
    /// The point.
    #[serde(flatten)]
    pub point: margin::BudgetPoint,
    /// Seeds chosen, by id.
    pub seeds: Vec<String>,
}

/// The answer to a margin request: the core [`MarginResult`] plus the graph, the seeds by id
/// and the reach ladder of the seeds.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MarginResponse {
    /// The graph.
    pub graph: GraphSummary,
    /// True when the demo campaign ran (no graph given).
    pub demo_campaign: bool,
    /// Seed accounts by id.
    pub seeds: Vec<String>,
    /// The greedy reach ladder over the seeds (at most [`LADDER_STEPS`] steps).
    pub ladder: Vec<Step>,
    /// The simulation.
    #[serde(flatten)]
    pub result: MarginResult,
    /// Budget sweep, with seeds by id.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub budgets: Vec<BudgetRow>,
    /// With a creators table: the simulation summarised across the ensemble of synthetic
    /// graphs (the fields above are its first realization's).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ensemble: Option<MarginEnsemble>,
}

/// Default number of synthetic graphs of a margin run on a creators table.
pub const DEFAULT_TABLE_ENSEMBLE: usize = 5;

/// One outcome of the margin simulation across an ensemble of synthetic graphs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EnsembleQuantity {
    /// What it is (a field of the margin response).
    pub name: String,
    /// Its unit.
    pub unit: String,
    /// Mean over the realizations.
    pub mean: f64,
    /// 5th percentile over the realizations.
    pub low: f64,
    /// 95th percentile over the realizations.
    pub high: f64,
    /// Root mean square of the within-realization Monte Carlo standard errors (the part of
    /// the spread the simulation's own draws make), when the simulation reports one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mc_stderr: Option<f64>,
    /// With `mc_stderr`: whether the mean is distinguishable from zero, `|mean| > 2 ·
    /// mc_stderr` (the rule the graph-based `cost_per_net_vote` and cost curve apply); `false`
    /// means the figure is Monte Carlo noise around zero and must not be read as an effect.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub distinguishable_from_zero: Option<bool>,
}

/// `|mean| > 2 · stderr`: a figure clear of its Monte Carlo error (see
/// [`EnsembleQuantity::distinguishable_from_zero`]).
pub fn distinguishable_from_zero(mean: f64, stderr: f64) -> bool {
    mean.abs() > 2.0 * stderr
}

/// The margin simulation on an ensemble of synthetic graphs drawn from a creators table.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MarginEnsemble {
    /// Realizations (synthetic graphs), one parameter draw each.
    pub realizations: usize,
    /// `fitted` (parameters resampled by weight from the fit to the measured overlaps),
    /// `prior` (no overlaps) or `independence`.
    pub parameters: reachgraph_core::plan::FitStatus,
    /// Real people per graph person of each realization (the voters one graph person
    /// stands for).
    pub scale: Vec<f64>,
    /// The outcomes: mean and 90% interval over the realizations, with the Monte Carlo error.
    pub quantities: Vec<EnsembleQuantity>,
    /// What the spread is.
    pub note: String,
}

fn parse_side(s: &Option<String>) -> Result<Side> {
    match s {
        None => Ok(Side::Dem),
        Some(t) => Side::parse(t)
            .ok_or_else(|| ApiError::invalid(format!("side {:?} is neither D nor R", echo(t)))),
    }
}

/// Loads the electorate named by a request (`us-2024`, `us-2020` or a CSV path).
pub fn load_electorate(spec: &str, side: Side) -> Result<Electorate> {
    match spec.trim().to_ascii_lowercase().as_str() {
        "us-2024" | "us2024" | "2024" => Ok(Electorate::us_president(2024, side)?),
        "us-2020" | "us2020" | "2020" => Ok(Electorate::us_president(2020, side)?),
        _ => {
            let f = std::fs::File::open(spec).map_err(|e| ApiError::Io {
                what: format!("open electorate {spec}"),
                source: e,
                hint: " (or use us-2024 / us-2020)",
            })?;
            Ok(Electorate::from_csv(f, spec, side)?)
        }
    }
}

/// Reads a correlation matrix CSV file (see [`parse_correlation_matrix`]).
fn read_matrix(path: &str, e: &Electorate) -> Result<Vec<Vec<f64>>> {
    let text =
        std::fs::read_to_string(path).map_err(|err| ApiError::io(format!("read {path}"), err))?;
    parse_correlation_matrix(&text, path, e)
}

/// Parses a correlation matrix CSV: one row of comma-separated numbers per line (`#` comments
/// allowed), optionally after a header row of jurisdiction ids, which must then name the state
/// rows of `e` in its order (a matrix written for another electorate, or in another order,
/// would silently pair the wrong states). `input` names the text in errors; the size of the
/// rows is checked against the electorate when the simulation is set up.
///
/// # Errors
/// [`reachgraph_core::Error::Parse`] naming the line and value of a cell that is not a finite
/// number, or of a header that does not name the electorate's states in order.
pub fn parse_correlation_matrix(text: &str, input: &str, e: &Electorate) -> Result<Vec<Vec<f64>>> {
    let path = input;
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let bad = |line: usize, msg: String| -> ApiError {
        reachgraph_core::Error::parse(path, line as u64 + 1, msg).into()
    };
    let states: Vec<&str> = e
        .state_indices()
        .into_iter()
        .map(|i| e.units[i].id.as_str())
        .collect();
    let mut rows = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let l = line.trim();
        if l.is_empty() || l.starts_with('#') {
            continue;
        }
        let cells: Vec<&str> = l.split(',').map(str::trim).collect();
        let parsed: Option<Vec<f64>> = cells.iter().map(|c| c.parse().ok()).collect();
        match parsed {
            Some(r) => {
                if let Some(c) = cells.iter().zip(&r).find(|(_, v)| !v.is_finite()) {
                    return Err(bad(i, format!("{:?} is not a finite number", echo(c.0))));
                }
                rows.push(r)
            }
            None if rows.is_empty() => {
                if cells.len() != states.len() {
                    return Err(bad(
                        i,
                        format!(
                            "the header names {} jurisdictions; the electorate {} has {} states \
                             ({})",
                            cells.len(),
                            e.name,
                            states.len(),
                            states.join(",")
                        ),
                    ));
                }
                for (k, (c, want)) in cells.iter().zip(&states).enumerate() {
                    if !c.eq_ignore_ascii_case(want) {
                        let why = if e.find(c).is_some_and(|u| !e.units[u].is_district) {
                            "is out of the electorate's order".to_string()
                        } else {
                            format!("is not a state of the electorate {}", e.name)
                        };
                        return Err(bad(
                            i,
                            format!(
                                "column {} of the header, {:?}, {why}; expected {want:?} there \
                                 (the order is {})",
                                k + 1,
                                echo(c),
                                states.join(",")
                            ),
                        ));
                    }
                }
            }
            None => {
                let cell = cells.iter().find(|c| c.parse::<f64>().is_err());
                return Err(bad(
                    i,
                    format!(
                        "a row of numbers expected; {:?} is not a number",
                        echo(cell.copied().unwrap_or(""))
                    ),
                ));
            }
        }
    }
    Ok(rows)
}

/// The per-person (and per-account) arrays of a request, checked against the graph: one
/// entry per person (`lean`, `turnout`, `eligible`) or per account (`effect_multiplier`),
/// each `null` or in range. `null` entries become NaN ("not given") for the core.
///
/// # Errors
/// [`ApiError::InvalidRequest`] naming the field, and for a value out of range its index,
/// the value and the person or account it belongs to.
pub fn person_voters(r: &MarginRequest, graph: &Graph) -> Result<PersonVoters> {
    let people = graph.people();
    let prob = |x: f64| (0.0..=1.0).contains(&x);
    let per_person = |name: &str, col: &Option<Vec<Option<f64>>>, want: &str| {
        column(name, col, people.count, "people", &prob, want, |i| {
            format!("person {:?}", echo(&people.name(i as u32, graph)))
        })
    };
    Ok(PersonVoters {
        lean: per_person("lean", &r.lean, "a probability in [0, 1]")?,
        turnout: per_person("turnout", &r.turnout, "a probability in [0, 1]")?,
        eligible: per_person("eligible", &r.eligible, "a share in [0, 1]")?,
        effect_multiplier: column(
            "effect_multiplier",
            &r.effect_multiplier,
            graph.node_count(),
            "accounts",
            &|x: f64| x.is_finite() && x >= 0.0,
            "a finite number >= 0",
            |i| format!("account {:?}", echo(&graph.label(i as u32))),
        )?,
    })
}

/// One checked column of [`person_voters`].
fn column(
    name: &str,
    col: &Option<Vec<Option<f64>>>,
    n: usize,
    unit: &str,
    ok: &dyn Fn(f64) -> bool,
    want: &str,
    who: impl Fn(usize) -> String,
) -> Result<Option<Vec<f64>>> {
    let Some(col) = col else { return Ok(None) };
    if col.len() != n {
        let order = if unit == "people" {
            PERSON_ORDER
        } else {
            "account order (the order the edge reader first meets the accounts)"
        };
        return Err(ApiError::invalid(format!(
            "{name} has {} values; the graph has {n} {unit}: give one value (or null) for each, \
             in the order of {order}",
            col.len()
        )));
    }
    if let Some((i, v)) = col
        .iter()
        .enumerate()
        .find_map(|(i, v)| v.filter(|&x| !ok(x)).map(|x| (i, x)))
    {
        return Err(ApiError::invalid(format!(
            "{name}[{i}] = {v} ({}) is not {want}",
            who(i)
        )));
    }
    Ok(Some(col.iter().map(|v| v.unwrap_or(f64::NAN)).collect()))
}

fn config(
    r: &MarginRequest,
    demo_scale: Option<f64>,
    e: &Electorate,
    people: PersonVoters,
) -> Result<MarginConfig> {
    let d = EffectModel::default();
    let effects = EffectModel {
        persuasion: r.persuasion.unwrap_or(d.persuasion),
        mobilization: r.mobilization.unwrap_or(d.mobilization),
        backlash: r.backlash.unwrap_or(d.backlash),
        saturation: r.saturation.unwrap_or(d.saturation),
    };
    let de = BaselineError::default();
    let correlation = match (&r.correlation_matrix, r.state_correlation) {
        (Some(_), Some(_)) => {
            return Err(ApiError::invalid(
                "give either state_correlation or correlation_matrix, not both",
            ))
        }
        (Some(p), None) => Correlation::Matrix(read_matrix(p, e)?),
        (None, Some(c)) => Correlation::Uniform(c),
        (None, None) => de.correlation,
    };
    let error = BaselineError {
        sd: r.baseline_error.unwrap_or(de.sd),
        national_share: r.national_share.unwrap_or(de.national_share),
        correlation,
    };
    let scale = match &r.voters_per_person {
        None => VoterScale::Global(demo_scale.unwrap_or(1.0)),
        Some(VotersPerPerson::Global(s)) => VoterScale::Global(*s),
        Some(VotersPerPerson::Named(n)) if n.eq_ignore_ascii_case("population") => {
            VoterScale::Population
        }
        Some(VotersPerPerson::Named(n)) => {
            return Err(ApiError::invalid(format!(
                "voters_per_person {:?}: give a number, \"population\" or a map of jurisdictions",
                echo(n)
            )))
        }
        Some(VotersPerPerson::PerJurisdiction(m)) => VoterScale::PerJurisdiction {
            default: m.get("default").copied().unwrap_or(1.0),
            scales: m
                .iter()
                .filter(|(k, _)| k.as_str() != "default")
                .map(|(k, v)| (k.clone(), *v))
                .collect(),
        },
    };
    let mut b = MarginConfig::builder()
        .draws(r.draws)
        .sampling(
            reachgraph_core::Sampling::new(r.seed)
                .with_threads(r.threads)
                .with_memory_limit_bytes(r.memory_limit_bytes),
        )
        .effects(effects)
        .error(error)
        .mapping(r.mapping.unwrap_or_default())
        .scale(scale)
        .people(people);
    if let Some(t) = r.exposure_trials {
        b = b.exposure_trials(t);
    }
    if let Some(m) = r.swing_margin {
        return Err(ApiError::invalid(format!(
            "swing_margin {m} is withdrawn: it chose the budget sweep's targets from the \
             certified result of the election being simulated (hindsight). Use tipping_share \
             (targets: the states that are the tipping point in at least that share of the \
             baseline's draws; default 0.01) or targets (a list of jurisdiction ids), e.g. from \
             a forecast"
        )));
    }
    match (r.tipping_share, &r.targets) {
        (Some(_), Some(_)) => {
            return Err(ApiError::invalid(
                "give either tipping_share or targets, not both",
            ))
        }
        (Some(t), None) => b = b.targets(TargetRule::TippingPoint { min_share: t }),
        (None, Some(ids)) => b = b.targets(TargetRule::List(ids.clone())),
        (None, None) => {}
    }
    Ok(b.build()?)
}

fn exposure(r: &MarginRequest) -> Result<Exposure> {
    let name = r.exposure.as_deref().unwrap_or("one_hop");
    match name.trim().to_ascii_lowercase().replace('-', "_").as_str() {
        "one_hop" | "onehop" => {
            if r.hops.is_some() {
                return Err(ApiError::invalid(
                    "hops applies to cascade exposure (ic or lt), not one_hop",
                ));
            }
            Ok(Exposure::OneHop)
        }
        other => {
            let model: Model = other.parse().map_err(|_| {
                ApiError::invalid(format!(
                    "exposure {:?}: expected one_hop, ic or lt",
                    echo(name)
                ))
            })?;
            Ok(Exposure::Cascade {
                model,
                hops: r.hops,
            })
        }
    }
}

/// The error of a flat price per creator that is not a positive number.
pub(crate) fn check_price(price: f64) -> Result<()> {
    if price.is_finite() && price > 0.0 {
        Ok(())
    } else {
        Err(ApiError::invalid(format!(
            "price_per_creator must be a positive number, not {price}"
        )))
    }
}

/// Sets every creator's cost to one flat price (the demo's program pick).
pub(crate) fn flat_priced(g: &mut LoadedGraph, creators: &[u32], price: f64) -> Result<()> {
    check_price(price)?;
    let mut flat = g.graph.attributes().clone();
    for &c in creators {
        flat.cost[c as usize] = price;
    }
    g.graph.set_attributes(flat)?;
    Ok(())
}

/// The demo campaign's graph (with tier reach rates), seeds, and what it costs.
fn demo_campaign(progress: &dyn Progress) -> Result<(LoadedGraph, Vec<u32>, DemoCampaign)> {
    let DemoRequest {
        budget,
        price_per_creator: price,
        ..
    } = DemoRequest::DEFAULT;
    let sc = scenario::generate(&ScenarioConfig::demo(), progress)?;
    let mut g = LoadedGraph {
        report: reachgraph_core::BuildReport {
            nodes: sc.graph.node_count(),
            edges: sc.graph.edge_count(),
            ..Default::default()
        },
        graph: sc.graph,
    };
    flat_priced(&mut g, &sc.creators, price)?;
    let pick = coverage::budget_pick(
        &g.graph,
        Some(&sc.creators),
        budget,
        &ReachOptions::default(),
    )?;
    g.graph.set_weights(&WeightScheme::TierRates {
        rates: Default::default(),
    })?;
    let campaign = DemoCampaign {
        budget,
        price,
        cost: pick.total_cost,
        scale: sc.scale,
    };
    Ok((g, pick.accounts, campaign))
}

/// The demo's closing step: the margin simulation of its pick on the 2024 electorate.
pub(crate) fn demo_margin(
    g: &mut LoadedGraph,
    seeds: &[u32],
    campaign: DemoCampaign,
    draws: u64,
    progress: &dyn Progress,
) -> Result<MarginResponse> {
    g.graph.set_weights(&WeightScheme::TierRates {
        rates: Default::default(),
    })?;
    let req = MarginRequest {
        draws,
        sensitivity: true,
        ..Default::default()
    };
    simulate(
        &req,
        &g.graph,
        &g.report,
        seeds.to_vec(),
        Some(campaign),
        progress,
        &Local,
    )
}

/// The demo campaign, when it is the demo that runs: what it was bought with, what it cost and
/// how many real voters one graph person stands for.
#[derive(Debug, Clone, Copy)]
pub(crate) struct DemoCampaign {
    /// The budget of the pick.
    pub budget: f64,
    /// The flat price of a creator-month.
    pub price: f64,
    /// What the pick cost.
    pub cost: f64,
    /// Real voters per graph person.
    pub scale: f64,
}

/// Whole dollars with thousands separators: `160000.0` → `$160,000`.
fn dollars(v: f64) -> String {
    let digits = (v.round().max(0.0) as u64).to_string();
    let mut out = String::from("$");
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

fn simulate(
    r: &MarginRequest,
    graph: &Graph,
    report: &BuildReport,
    seeds: Vec<u32>,
    demo: Option<DemoCampaign>,
    progress: &dyn Progress,
    comm: &dyn Comm,
) -> Result<MarginResponse> {
    let side = parse_side(&r.side)?;
    let e = load_electorate(&r.electorate, side)?;
    let cfg = config(r, demo.map(|d| d.scale), &e, person_voters(r, graph)?)?;
    let campaign = Campaign {
        seeds: seeds.clone(),
        exposure: exposure(r)?,
        posts_per_creator: r.posts_per_creator.unwrap_or(if demo.is_some() {
            DEMO_POSTS
        } else {
            1
        }),
        cost: r.cost.or(demo.map(|d| d.cost)),
    };
    let sim = Simulation::new(graph, &e, &cfg)?;
    let sweep: &[f64] = if r.sensitivity {
        &margin::DEFAULT_SENSITIVITY
    } else {
        &[]
    };
    let mut result = sim.run_distributed(Some(&campaign), sweep, progress, comm)?;
    if let Some(d) = demo {
        result.assumptions.push(Assumption {
            name: "demo campaign".into(),
            value: format!(
                "the demo's pick for {} at {} a creator-month, {DEMO_POSTS} posts per creator, \
                 seen at the tiers' organic reach rates; one graph person stands for {:.0} real \
                 people",
                dollars(d.budget),
                dollars(d.price),
                d.scale
            ),
            source: "assumptions of the demo scenario (see the demo's own list); 4 posts: one \
                     a week for the month the program pays for (assumption)."
                .into(),
        });
    }
    let budgets = if r.budgets.is_empty() {
        Vec::new()
    } else {
        let cands = match &r.candidates {
            Some(c) => Some(c.resolve(graph, "candidate list")?),
            None => None,
        };
        let mut sel = margin::CoverageSelector::new(&sim, cands)?;
        let pts = sim.budget_sweep_distributed(&campaign, &r.budgets, &mut sel, progress, comm)?;
        pts.into_iter()
            .map(|p| BudgetRow {
                seeds: p.seeds.iter().map(|&s| graph.label(s)).collect(),
                point: p,
            })
            .collect()
    };
    let k = seeds.len().min(LADDER_STEPS);
    let ladder = coverage::reach_ladder(graph, Some(&seeds), k, &ReachOptions::default())?;
    Ok(MarginResponse {
        graph: summary_of(graph, report),
        demo_campaign: demo.is_some(),
        seeds: seeds.iter().map(|&s| graph.label(s)).collect(),
        ladder: steps(graph, &ladder.steps),
        result,
        budgets,
        ensemble: None,
    })
}

/// A margin request on a graph already in memory (the Python bindings): `seeds` are dense ids
/// of `graph` (built as `report` says), and the request's `graph` and `seeds` fields are not used.
///
/// # Errors
/// As [`run_margin`]; an empty seed set is [`reachgraph_core::Error::Empty`].
pub fn run_margin_with(
    r: &MarginRequest,
    graph: &Graph,
    report: &BuildReport,
    seeds: Vec<u32>,
    progress: &dyn Progress,
) -> Result<MarginResponse> {
    reachgraph_core::sampling::check_seed_set(graph, &seeds)?;
    simulate(r, graph, report, seeds, None, progress, &Local)
}

/// Answers a margin request: the demo campaign without a graph, else the given seeds on the
/// graph.
///
/// # Errors
/// An [`ApiError`] naming the file, line, node or value at fault.
pub fn run_margin(r: &MarginRequest, progress: &dyn Progress) -> Result<MarginResponse> {
    run_margin_on(r, progress, &Local)
}

/// [`run_margin`] with the exposure realizations and draws split over the ranks of `comm`
/// (the same response on every rank, and for any number of ranks).
///
/// # Errors
/// As [`run_margin`], plus the distributed errors (`rank_failed`, `rank_mismatch`,
/// `communication`).
pub fn run_margin_on(
    r: &MarginRequest,
    progress: &dyn Progress,
    comm: &dyn Comm,
) -> Result<MarginResponse> {
    if r.creators.is_some() {
        return run_margin_on_table(r, progress, comm);
    }
    if r.audience.is_some() || r.overlaps.is_some() || r.ensemble.is_some() || r.scale.is_some() {
        return Err(ApiError::invalid(
            "audience, overlaps, ensemble and scale describe a creators table: give creators",
        ));
    }
    match &r.graph {
        None => {
            if r.seeds.is_some() || r.candidates.is_some() {
                return Err(ApiError::invalid(
                    "seeds and candidates need a graph; without one the demo campaign runs",
                ));
            }
            if r.lean.is_some()
                || r.turnout.is_some()
                || r.eligible.is_some()
                || r.effect_multiplier.is_some()
            {
                return Err(ApiError::invalid(
                    "lean, turnout, eligible and effect_multiplier are per person of a graph; \
                     give the graph (without one the demo campaign runs)",
                ));
            }
            let (g, seeds, campaign) = demo_campaign(progress)?;
            simulate(
                r,
                &g.graph,
                &g.report,
                seeds,
                Some(campaign),
                progress,
                comm,
            )
        }
        Some(spec) => {
            let g = spec.load(progress)?;
            let seeds = r
                .seeds
                .as_ref()
                .ok_or_else(|| ApiError::invalid("a margin request with a graph needs seeds"))?
                .resolve(&g.graph, "seed set")?;
            simulate(r, &g.graph, &g.report, seeds, None, progress, comm)
        }
    }
}

/// The margin simulation on an ensemble of synthetic graphs drawn from a creators table:
/// every account of the table is the campaign; each graph person's lean is the mean `lean_a`
/// of the creators they follow (an assumption) and eligibility 1 in a jurisdiction, 0 outside;
/// one graph person stands for the realization's scale in voters. The response is the first
/// realization's, with the summary across all of them in `ensemble`.
fn run_margin_on_table(
    r: &MarginRequest,
    progress: &dyn Progress,
    comm: &dyn Comm,
) -> Result<MarginResponse> {
    use reachgraph_core::margin::PersonVoters;
    use reachgraph_core::plan::ensemble::{self, EnsembleOptions, Summary};
    use reachgraph_core::plan::materialize::MaterializeOptions;
    use reachgraph_core::plan::{table_parameter_draws, FitStatus, PlanOptions};
    if r.lean.is_some()
        || r.turnout.is_some()
        || r.eligible.is_some()
        || r.effect_multiplier.is_some()
    {
        return Err(ApiError::invalid(
            "creators: the synthetic graphs' people take lean and eligibility from the table's \
             lean_a and eligible columns; per-person lean, turnout, eligible and \
             effect_multiplier arrays need a graph",
        ));
    }
    if r.graph.is_some() || r.seeds.is_some() || r.candidates.is_some() {
        return Err(ApiError::invalid(
            "creators replaces graph, seeds and candidates: the campaign is the table's accounts \
             on synthetic graphs drawn from it",
        ));
    }
    if !r.budgets.is_empty() || r.voters_per_person.is_some() {
        return Err(ApiError::invalid(
            "budgets and voters_per_person do not apply to a creators table (one graph person \
             stands for the realization's scale in voters)",
        ));
    }
    let n = r.ensemble.unwrap_or(DEFAULT_TABLE_ENSEMBLE);
    if n == 0 || n > ensemble::MAX_ENSEMBLE {
        return Err(reachgraph_core::Error::invalid_parameter(
            "ensemble",
            n,
            format!("must be 1 to {}", ensemble::MAX_ENSEMBLE),
        )
        .into());
    }
    let loaded = crate::plan::load_table(
        (&r.creators, &None),
        (&r.audience, &None),
        (&r.overlaps, &None),
    )?;
    let (table, overlaps) = (loaded.table, loaded.overlaps);
    let opts = PlanOptions {
        seed: r.seed,
        ..Default::default()
    };
    let (params, status) = table_parameter_draws(&table, &overlaps, &opts, n)?;
    let models = ensemble::models_of_table(&table, &params)?;
    let eopts = EnsembleOptions {
        materialize: MaterializeOptions {
            scale: r.scale,
            ..Default::default()
        },
        seed: r.seed,
    };
    let side = parse_side(&r.side)?;
    let e = load_electorate(&r.electorate, side)?;
    let base = config(r, None, &e, PersonVoters::default())?;
    let exposure = exposure(r)?;
    let cost: f64 = table.creators.iter().filter_map(|c| c.price).sum();
    let any_price = table.creators.iter().any(|c| c.price.is_some());
    let mut first: Option<MarginResponse> = None;
    let runs = ensemble::run(&models, &eopts, |i, real| {
        progress.update("margin on synthetic graphs", i as u64, n as u64);
        let g = &real.graph;
        let people = g.people();
        let rows: std::collections::HashMap<&str, &reachgraph_core::plan::materialize::PersonRow> =
            real.people.iter().map(|p| (p.person.as_str(), p)).collect();
        let mut lean = vec![f64::NAN; people.count];
        let mut eligible = vec![f64::NAN; people.count];
        for p in 0..people.count {
            if let Some(row) = rows.get(people.name(p as u32, g).as_str()) {
                lean[p] = row.lean.unwrap_or(f64::NAN);
                eligible[p] = f64::from(row.eligible);
            }
        }
        let cfg = base.with_people(
            PersonVoters {
                lean: Some(lean),
                turnout: None,
                eligible: Some(eligible),
                effect_multiplier: None,
            },
            VoterScale::Global(real.scale),
        );
        let campaign = Campaign {
            seeds: real.account_nodes.clone(),
            exposure,
            posts_per_creator: r.posts_per_creator.unwrap_or(1),
            cost: r.cost.or(any_price.then_some(cost)),
        };
        let sim = Simulation::new(g, &e, &cfg)?;
        let sweep: &[f64] = if r.sensitivity && i == 0 {
            &margin::DEFAULT_SENSITIVITY
        } else {
            &[]
        };
        let result = sim.run_distributed(Some(&campaign), sweep, progress, comm)?;
        let nat = &result.national;
        let reached = result.campaign.as_ref().map(|c| c.reached_voters.mean);
        let row = [
            (nat.delta_p_majority, Some(nat.delta_p_majority_stderr)),
            (nat.ev_change.mean, None),
            (nat.net_votes.mean, Some(nat.net_votes_mc_stderr)),
            (reached.unwrap_or(f64::NAN), None),
        ];
        if first.is_none() {
            let k = campaign.seeds.len().min(LADDER_STEPS);
            let ladder =
                coverage::reach_ladder(g, Some(&campaign.seeds), k, &ReachOptions::default())?;
            first = Some(MarginResponse {
                graph: summary_of(g, &reachgraph_core::BuildReport::default()),
                demo_campaign: false,
                seeds: campaign.seeds.iter().map(|&s| g.label(s)).collect(),
                ladder: steps(g, &ladder.steps),
                result,
                budgets: Vec::new(),
                ensemble: None,
            });
        }
        Ok((real.scale, row))
    })?;
    progress.update("margin on synthetic graphs", n as u64, n as u64);
    // Name, unit, and whether the quantity counts people (whole-people interval ends; the
    // probabilities, electoral votes and net votes of a margin keep their interpolated ends).
    let names = [
        (
            "national.delta_p_majority",
            "probability (change in P(side A wins a majority of electoral votes))",
            false,
        ),
        (
            "national.ev_change.mean",
            "electoral votes (expected change for side A)",
            false,
        ),
        (
            "national.net_votes.mean",
            "votes (expected net votes added to side A's margin, all states)",
            false,
        ),
        (
            "campaign.reached_voters.mean",
            "voters (eligible voters reached, expected)",
            true,
        ),
    ];
    let mut quantities = Vec::new();
    for (q, &(name, unit, people)) in names.iter().enumerate() {
        let vals: Vec<f64> = runs.iter().map(|x| x.1[q].0).collect();
        if vals.iter().any(|v| v.is_nan()) {
            continue;
        }
        let s = if people {
            Summary::of_people(&vals)?
        } else {
            Summary::of(&vals)?
        };
        let mc = runs
            .iter()
            .map(|x| x.1[q].1)
            .collect::<Option<Vec<f64>>>()
            .map(|v| (v.iter().map(|x| x * x).sum::<f64>() / v.len() as f64).sqrt());
        quantities.push(EnsembleQuantity {
            name: name.into(),
            unit: unit.into(),
            mean: s.mean,
            low: s.low,
            high: s.high,
            mc_stderr: mc,
            distinguishable_from_zero: mc.map(|se| distinguishable_from_zero(s.mean, se)),
        });
    }
    let mut resp = first.expect("an ensemble has at least one realization");
    resp.ensemble = Some(MarginEnsemble {
        realizations: n,
        parameters: status,
        scale: runs.iter().map(|x| x.0).collect(),
        quantities,
        note: format!(
            "the margin simulation on {n} synthetic follower graph(s) drawn from {} (modelled: \
             parameters {}); the 90% interval spans the realizations (parameter uncertainty \
             and each graph's randomness); mc_stderr is the simulation's own Monte Carlo error \
             within one realization: a spread much wider than it comes from the table's model, \
             not from too few draws{}. People's lean: the mean lean_a of the creators they \
             follow (assumption); eligible: 1 in a jurisdiction, 0 outside.",
            loaded.inputs.creators,
            match status {
                FitStatus::Fitted => "resampled by weight from the fit to the measured overlaps",
                FitStatus::Prior => "drawn from the prior (no overlaps were measured)",
                FitStatus::Independence => "the named independence assumption",
            },
            if n < 20 {
                "; with fewer than 20 realizations the interval's ends are rough"
            } else {
                ""
            }
        ),
    });
    Ok(resp)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn matrix_path(name: &str) -> String {
        let p = std::env::temp_dir().join(format!("rg-{}-{name}", std::process::id()));
        p.to_string_lossy().into_owned()
    }

    fn matrix_file(name: &str, text: &str) -> String {
        let p = matrix_path(name);
        std::fs::write(&p, text).unwrap();
        p
    }

    #[test]
    fn correlation_matrix_header_must_name_the_electorate_states_in_order() {
        let e = Electorate::us_president(2024, Side::Dem).unwrap();
        let states: Vec<String> = e
            .state_indices()
            .into_iter()
            .map(|i| e.units[i].id.clone())
            .collect();
        let n = states.len();
        let identity: String = (0..n)
            .map(|i| {
                let row: Vec<&str> = (0..n).map(|j| if i == j { "1" } else { "0" }).collect();
                row.join(",") + "\n"
            })
            .collect();
        // With the right header (and a byte order mark), it reads.
        let good = matrix_file(
            "good.csv",
            &format!("\u{feff}{}\n{identity}", states.join(",")),
        );
        assert_eq!(read_matrix(&good, &e).unwrap().len(), n);
        // Another electorate's states: named with file, line and value.
        let mut other = states.clone();
        other[3] = "ZZ".into();
        let p = matrix_file("other.csv", &format!("{}\n{identity}", other.join(",")));
        let msg = read_matrix(&p, &e).unwrap_err().to_string();
        assert!(
            msg.contains(&format!(
                "{p}:1: column 4 of the header, \"ZZ\", is not a state"
            )),
            "{msg}"
        );
        // The right states in another order.
        let mut swapped = states.clone();
        swapped.swap(0, 1);
        let p = matrix_file("swapped.csv", &format!("{}\n{identity}", swapped.join(",")));
        let msg = read_matrix(&p, &e).unwrap_err().to_string();
        assert!(msg.contains("is out of the electorate's order"), "{msg}");
        // Fewer columns than states.
        let p = matrix_file("short.csv", "AL,AK\n1,0\n0,1\n");
        let msg = read_matrix(&p, &e).unwrap_err().to_string();
        assert!(
            msg.contains(":1: the header names 2 jurisdictions"),
            "{msg}"
        );
        // Non-finite cells and words in the rows name their line and value.
        let p = matrix_file("nan.csv", "1,NaN\nNaN,1\n");
        let msg = read_matrix(&p, &e).unwrap_err().to_string();
        assert!(msg.contains(":1: \"NaN\" is not a finite number"), "{msg}");
        let p = matrix_file("word.csv", "1,0\n0,x\n");
        let msg = read_matrix(&p, &e).unwrap_err().to_string();
        assert!(
            msg.contains(":2: a row of numbers expected; \"x\""),
            "{msg}"
        );
        for name in ["good", "other", "swapped", "short", "nan", "word"] {
            let _ = std::fs::remove_file(matrix_path(&format!("{name}.csv")));
        }
    }
}
