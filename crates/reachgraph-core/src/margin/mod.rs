//! Margin simulation: from reach to votes to electoral outcomes.
//!
//! The question: *could these creators move the margin where it matters?* A Monte Carlo draw
//! combines three sources of randomness, and the answer is the distribution over draws.
//!
//! 1. **Exposure.** Who the campaign reaches in one random world: one-hop (each follower of a
//!    seed sees each of its `posts_per_creator` posts with the edge probability) or a cascade
//!    (IC or LT, with an optional hop horizon; each post is one cascade from all seeds, and
//!    the accounts it activates are reached). A person's exposure count `k` is the number of
//!    posts that reached them; the seeds' own persons are the senders and are not counted.
//! 2. **Effect sizes**, drawn once per draw for the whole electorate from their priors
//!    ([`EffectModel`]): net persuasion `θp` per reached voter (positive moves side-B voters to
//!    A, +2 on the margin each; negative the reverse), mobilization `θm` per reached
//!    non-voter (a mobilized person votes A with probability `lean`: `2·lean − 1` on the
//!    margin), and optional backlash `θb` (A voters switching to B). A person exposed `k`
//!    times gets the share `1 − saturation^k` of the full effect. Votes are the expected votes
//!    given the exposure (individual vote noise, of order √n, is left out).
//! 3. **Baseline error** ([`BaselineError`]): a national error plus correlated state errors on
//!    every jurisdiction's margin, as election forecasters model polling error.
//!
//! For jurisdiction `j` in a draw with exposure realization `r`, with per-person voters `s`,
//! lean `L` and turnout `T` summed over the reached people `i` of `j`
//! (`h_i = 1 − saturation^k_i`):
//!
//! ```text
//! Δ_j = 2·max(θp, 0)·Σ h·s·T·(1−L) − 2·(max(−θp, 0) + θb)·Σ h·s·T·L
//!       + max(θm, 0)·Σ h·s·(1−T)·(2L−1) − max(−θm, 0)·Σ h·s·T·(2L−1)
//! margin_j = (votes_A − votes_B) + e_j/100 · total_votes_j,   with: margin_j + Δ_j
//! ```
//!
//! A person in a Maine or Nebraska district counts in the district and in the state. Side A
//! wins a unit when its margin is positive; electoral votes follow [`Electorate`].
//!
//! Persuasion and backlash act on the persuadable share `π(L) = 1 − |2L − 1|` of each voter.
//! Lean and turnout not given per person are integrated out over their jurisdiction's laws
//! (independent Betas): the sums take `E[T]`, `E[2L − 1]` and `E[(1 − L)·π(L)]`, `E[L·π(L)]`
//! in closed form. A person whose place is not known exactly (the drawn mapping; a person of a
//! state with district rows and no district) counts in every possible place with its
//! probability. So no per-run draw moves the expected votes: they vary with the seed only by
//! the Monte Carlo error stated with them.
//!
//! Outputs ([`MarginResult`]): per jurisdiction the baseline margin, the change in margin (votes
//! and points) with its 95% range over draws, P(win) without and with the campaign, P(flip),
//! the tipping-point share and the **break-even effect size** (the persuasion or mobilization
//! rate per reached voter that would flip the expected outcome); nationally the
//! electoral-vote distributions, P(majority), the change in win probability, expected net votes
//! and cost per net vote. [`Simulation::run`] can add a sensitivity sweep over effect sizes,
//! and [`Simulation::budget_sweep`] asks a [`SeedSelector`] for the seeds of each budget.
//!
//! Every default is an assumption with a source, listed in [`MarginResult::assumptions`] and
//! in `docs/margin.md`.
//!
//! ## Determinism
//! Exposure realization `r` draws from [`crate::rng::stream`]`(derive(seed, ·), r)` (cascades: the
//! cascade chunk `r` of [`crate::cascade::Simulator::trial_runner`]); outcome draws run in
//! chunks of [`DRAW_CHUNK`] with one stream per chunk; results are combined in order. The same
//! seed gives the same result on any number of threads.
//!
//! ## Example
//! ```
//! use reachgraph_core::margin::{self, Electorate, MarginConfig, BaselineError};
//! use reachgraph_core::{election::Side, NoProgress};
//! let e = Electorate::us_president(2020, Side::Dem).unwrap();
//! let cfg = MarginConfig::builder().draws(16).error(BaselineError::none()).build().unwrap();
//! let r = margin::simulate_baseline(&e, &cfg, &NoProgress).unwrap();
//! assert_eq!(r.national.ev_a.without.mean, 306.0);
//! ```

use crate::comm::{self, Comm};

mod config;
mod electorate;
mod exposure;
mod outcome;
pub(crate) mod population;

pub use config::{
    BaselineError, Campaign, Correlation, EffectModel, Exposure, Mapping, MarginConfig,
    MarginConfigBuilder, PersonVoters, Prior, TargetRule, VoterScale, VoterStates,
    DEFAULT_BACKLASH, DEFAULT_DRAWS, DEFAULT_ERROR_SD, DEFAULT_EXPOSURE_TRIALS,
    DEFAULT_LEAN_CONCENTRATION, DEFAULT_MOBILIZATION, DEFAULT_NATIONAL_SHARE, DEFAULT_PERSUASION,
    DEFAULT_STATE_CORRELATION, DEFAULT_TIPPING_SHARE, DEFAULT_TURNOUT_CONCENTRATION,
};
pub use electorate::{Electorate, Unit, DEFAULT_TURNOUT};
pub use outcome::{normal_cdf, EvDistribution, Interval, WithWithout, DRAW_CHUNK};

use crate::coverage;
use crate::error::{Error, Result};
use crate::graph::Graph;
use crate::progress::Progress;
use crate::reach::ReachOptions;
use crate::sampling::check_seed_set;
use exposure::Exposures;
use outcome::{Engine, Outcomes};
use population::{Population, C_MMINUS, C_MPLUS, C_PA, C_PB, C_VOTERS};
use serde::{Deserialize, Serialize};

/// Default grid of the sensitivity sweep: effect rates per reached voter.
pub const DEFAULT_SENSITIVITY: [f64; 7] = [0.0, 0.001, 0.0025, 0.005, 0.01, 0.02, 0.05];

/// A modelled quantity, its value in this run, and where it comes from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Assumption {
    /// What is assumed.
    pub name: String,
    /// The value used.
    pub value: String,
    /// The evidence or reasoning behind the default (and whether the user overrode it).
    pub source: String,
}

/// One jurisdiction's outcome over the draws.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct JurisdictionOutcome {
    /// Postal code or district id.
    pub id: String,
    /// Readable name.
    pub name: String,
    /// True for a congressional district.
    pub is_district: bool,
    /// Electoral votes its plurality decides.
    pub electoral_votes: u32,
    /// Baseline margin of side A, in votes (no baseline error, no campaign).
    pub margin_a_without: f64,
    /// Baseline margin plus the mean change the campaign makes, in votes.
    pub margin_a_with: f64,
    /// Baseline margin in points of the votes cast.
    pub margin_points_without: f64,
    /// Margin with the campaign, in points.
    pub margin_points_with: f64,
    /// Change in margin, votes: mean, sd and 95% range over draws.
    pub delta_votes: Interval,
    /// Change in margin, points of the votes cast.
    pub delta_points: Interval,
    /// P(side A wins) without the campaign.
    pub p_win_a_without: f64,
    /// P(side A wins) with the campaign.
    pub p_win_a_with: f64,
    /// Monte Carlo standard error of the P(win) figures (at most `0.5/√draws`).
    pub p_win_stderr: f64,
    /// P(the campaign changes the winner): share of draws whose winner differs with it.
    pub p_flip: f64,
    /// Share of draws (with the campaign) in which this unit gives the winner its majority.
    pub tipping_point_share: f64,
    /// Mean graph people reached here per exposure realization.
    pub reached_people: f64,
    /// Mean real voters they stand for.
    pub reached_voters: f64,
    /// Persuasion rate per reached voter that would flip the expected (baseline) outcome:
    /// positive for a unit side A trails (switches to A), negative for one it leads (the net
    /// backlash that would lose it); above 1 in size means no rate could; `None` when nobody
    /// here is reached.
    pub break_even_effect: Option<f64>,
    /// Mobilization rate per reached non-voter that would flip it (negative: demobilization);
    /// `None` when no rate of either sign could.
    pub break_even_mobilization: Option<f64>,
    /// 95% range of `break_even_effect` over the exposure realizations (the random worlds of
    /// who is reached), over those where some rate could; `None` when none could.
    pub break_even_effect_range: Option<[f64; 2]>,
    /// 95% range of `break_even_mobilization` over the exposure realizations.
    pub break_even_mobilization_range: Option<[f64; 2]>,
    /// A target of the budget sweep, by [`MarginResult::target_rule`].
    pub target: bool,
}

/// National outcome over the draws.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct National {
    /// Electoral votes in all.
    pub total_electoral_votes: u32,
    /// Electoral votes needed to win.
    pub majority: u32,
    /// Side A's electoral votes.
    pub ev_a: WithWithout<EvDistribution>,
    /// P(side A reaches a majority).
    pub p_majority: WithWithout<f64>,
    /// Monte Carlo standard errors of `p_majority`.
    pub p_majority_stderr: WithWithout<f64>,
    /// Change in P(majority) the campaign makes (paired over draws).
    pub delta_p_majority: f64,
    /// Standard error of `delta_p_majority`.
    pub delta_p_majority_stderr: f64,
    /// P(electoral-vote tie).
    pub p_tie: WithWithout<f64>,
    /// Change in side A's electoral votes.
    pub ev_change: Interval,
    /// Net votes the campaign adds to side A's margin over all states.
    pub net_votes: Interval,
    /// Cost of the campaign, when known.
    pub cost: Option<f64>,
    /// Monte Carlo standard error of `net_votes.mean` (the sd over draws / √draws; the
    /// draws with and without the campaign share their baseline error, common random numbers).
    pub net_votes_mc_stderr: f64,
    /// Cost over expected net votes, only when the expected net gain is positive beyond its
    /// Monte Carlo error (`mean − 2·stderr > 0`); `None` otherwise, with the reason in
    /// `cost_per_net_vote_reason`.
    pub cost_per_net_vote: Option<f64>,
    /// Why `cost_per_net_vote` is `None`, in words (`None` when there is a price).
    pub cost_per_net_vote_reason: Option<String>,
    /// Cost per net vote as a function of an assumed fixed effect rate (one effect at a time,
    /// the others 0): expected net votes from the mean exposure, with their Monte Carlo error
    /// over exposure realizations. Empty without a campaign.
    pub cost_curve: Vec<CostPoint>,
}

/// One point of the cost curve: at an assumed fixed rate, what the campaign buys.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CostPoint {
    /// `persuasion` or `mobilization`.
    pub effect: String,
    /// The assumed rate per reached (persuadable) voter or non-voter.
    pub rate: f64,
    /// Expected net votes added to side A's margin over all states (modelled).
    pub net_votes: f64,
    /// Its Monte Carlo standard error over exposure realizations.
    pub net_votes_mc_stderr: f64,
    /// Cost per expected net vote, when there is a cost and the gain is positive beyond
    /// twice its error.
    pub cost_per_net_vote: Option<f64>,
}

/// The rates of the cost curve: per reached voter (persuasion) or non-voter (mobilization).
pub const COST_CURVE_RATES: [f64; 6] = [0.001, 0.0025, 0.005, 0.01, 0.02, 0.05];

/// What the campaign was and whom it reached.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CampaignSummary {
    /// Seed accounts.
    pub seeds: usize,
    /// `one_hop`, `ic` or `lt`.
    pub exposure: String,
    /// Hop horizon of cascades.
    pub hops: Option<u32>,
    /// Posts per creator.
    pub posts_per_creator: u32,
    /// Graph people.
    pub people: usize,
    /// Graph people placed in a jurisdiction.
    pub people_mapped: u64,
    /// `attribute` or `drawn`.
    pub mapping: Mapping,
    /// Graph people reached in the electorate, per realization.
    pub reached_people: Interval,
    /// Real voters they stand for.
    pub reached_voters: Interval,
}

/// One point of the sensitivity sweep: the outcome at a fixed effect size.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SensitivityPoint {
    /// `persuasion` or `mobilization` (the other effects are 0).
    pub effect: String,
    /// Its rate per reached voter (non-voter for mobilization).
    pub value: f64,
    /// P(side A reaches a majority) with the campaign.
    pub p_majority_with: f64,
    /// Change in P(majority).
    pub delta_p_majority: f64,
    /// Mean electoral votes of side A with the campaign.
    pub ev_a_with_mean: f64,
    /// Expected net votes.
    pub net_votes_mean: f64,
    /// Expected number of units whose winner the campaign changes.
    pub expected_flips: f64,
}

/// One point of the budget sweep.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BudgetPoint {
    /// The budget.
    pub budget: f64,
    /// Seeds chosen (dense ids; not serialized: callers print them by external id).
    #[serde(skip)]
    pub seeds: Vec<u32>,
    /// Number of seeds chosen.
    pub seed_count: usize,
    /// Their cost.
    pub cost: f64,
    /// P(majority) with the campaign.
    pub p_majority_with: f64,
    /// Change in P(majority) against no campaign.
    pub delta_p_majority: f64,
    /// Its standard error.
    pub delta_p_majority_stderr: f64,
    /// Expected net votes.
    pub net_votes_mean: f64,
    /// Cost per expected net vote.
    pub cost_per_net_vote: Option<f64>,
    /// Change in `delta_p_majority` per dollar against the previous budget (the first against
    /// no campaign).
    pub marginal_p_per_dollar: f64,
}

/// The answer of a margin simulation. See the [module docs](self).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MarginResult {
    /// The side the campaign works for (`D` or `R`).
    pub side_a: crate::election::Side,
    /// Its candidate.
    pub candidate_a: String,
    /// The other side's candidate.
    pub candidate_b: String,
    /// Electorate name.
    pub electorate: String,
    /// Where its numbers come from.
    pub electorate_source: String,
    /// Monte Carlo draws.
    pub draws: u64,
    /// Exposure realizations (draw `d` uses `d mod` this).
    pub exposure_trials: u64,
    /// Master seed.
    pub seed: u64,
    /// The campaign, when there is one.
    pub campaign: Option<CampaignSummary>,
    /// Effect priors used.
    pub effects: EffectModel,
    /// Baseline error used.
    pub baseline_error: BaselineError,
    /// National outcome.
    pub national: National,
    /// Per jurisdiction, in electorate order (states, then districts).
    pub jurisdictions: Vec<JurisdictionOutcome>,
    /// Sensitivity sweep, when asked for.
    pub sensitivity: Vec<SensitivityPoint>,
    /// Budget sweep, when asked for.
    pub budget_sweep: Vec<BudgetPoint>,
    /// Every modelled quantity with its source.
    pub assumptions: Vec<Assumption>,
    /// How the target jurisdictions (`jurisdictions[].target`) were chosen, in words.
    pub target_rule: String,
}

/// Chooses seeds for a budget (the budget sweep's selector).
pub trait SeedSelector {
    /// Seeds (dense ids) and their total cost for `budget`.
    ///
    /// # Errors
    /// Whatever the selection reports (for example a budget below every cost).
    fn select(&mut self, budget: f64) -> Result<Selection>;
}

/// Seeds chosen for a budget.
#[derive(Debug, Clone, PartialEq)]
pub struct Selection {
    /// Seed accounts.
    pub seeds: Vec<u32>,
    /// Their total cost.
    pub cost: f64,
}

impl<F: FnMut(f64) -> Result<Selection>> SeedSelector for F {
    fn select(&mut self, budget: f64) -> Result<Selection> {
        self(budget)
    }
}

/// The default selector: a budgeted pick on exact one-hop reach ([`coverage::budget_pick`]),
/// counting only people in swing jurisdictions, weighted by the voters they stand for.
#[derive(Debug, Clone)]
pub struct CoverageSelector {
    graph: Graph,
    candidates: Option<Vec<u32>>,
}

impl CoverageSelector {
    /// A selector over `sim`'s graph with the voters of its target jurisdictions
    /// ([`Simulation::target_units`]) as the target.
    ///
    /// # Errors
    /// [`Error::InvalidParameter`] when the simulation has no graph or a listed target is not
    /// in the electorate.
    pub fn new(sim: &Simulation<'_>, candidates: Option<Vec<u32>>) -> Result<Self> {
        let (Some(graph), Some(pop)) = (sim.graph, sim.population.as_ref()) else {
            return Err(Error::invalid_parameter(
                "budget sweep",
                "no graph",
                "a budget sweep needs a graph to pick seeds from",
            ));
        };
        let swing = sim.target_units(&crate::NoProgress)?;
        let mut attrs = graph.attributes().clone();
        let of_account = &graph.people().of_account;
        let none = crate::attrs::NONE;
        // voters in a target jurisdiction one person at (s, d) stands for
        let at = |s: u32, d: u32| -> f64 {
            if s != none && (swing[s as usize] || (d != none && swing[d as usize])) {
                pop.scale_of_state[s as usize]
            } else {
                0.0
            }
        };
        for (a, w) in attrs.target_weight.make_mut().iter_mut().enumerate() {
            let p = of_account[a] as usize;
            *w = match pop.place.get(p) {
                // a person whose place is not known: the expectation over the places
                Some(population::Place::Spread { set, .. }) => pop.spreads[*set as usize]
                    .places
                    .iter()
                    .map(|&(s, d, prob)| prob * at(s, d))
                    .sum::<f64>()
                    as f32,
                _ => at(pop.state[p], pop.district[p]) as f32,
            };
        }
        let mut g = graph.clone();
        g.set_attributes(attrs)?;
        Ok(CoverageSelector {
            graph: g,
            candidates,
        })
    }
}

impl SeedSelector for CoverageSelector {
    fn select(&mut self, budget: f64) -> Result<Selection> {
        let opts = ReachOptions {
            include_seeds: false,
            target_only: true,
        };
        let p = coverage::budget_pick(&self.graph, self.candidates.as_deref(), budget, &opts)?;
        Ok(Selection {
            cost: p.total_cost,
            seeds: p.accounts,
        })
    }
}

/// A prepared margin simulation: electorate, voters and error structure, reusable for many
/// campaigns (budget sweeps, what-ifs).
pub struct Simulation<'g> {
    graph: Option<&'g Graph>,
    electorate: Electorate,
    config: MarginConfig,
    engine: Engine,
    population: Option<Population>,
    pool: Option<rayon::ThreadPool>,
    tipping: std::sync::OnceLock<Vec<f64>>,
}

impl std::fmt::Debug for Simulation<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Simulation")
            .field("electorate", &self.electorate.name)
            .field("config", &self.config)
            .finish_non_exhaustive()
    }
}

/// Campaign exposure of one run, kept for sweeps.
struct Realized {
    exposures: Exposures,
    summary: CampaignSummary,
    cost: Option<f64>,
}

impl<'g> Simulation<'g> {
    /// Prepares a simulation of campaigns on `graph` over `electorate`: maps people to
    /// jurisdictions, sets their voters, lean and turnout, and factors the error correlation.
    ///
    /// # Errors
    /// [`Error::InvalidAttribute`] for a person mapped to a jurisdiction the electorate lacks or
    /// a given lean/turnout outside [0, 1]; [`Error::MissingAttribute`] for attribute mapping
    /// without a jurisdiction column; [`Error::LengthMismatch`] for given voter states of the
    /// wrong length; [`Error::InvalidParameter`] for a bad correlation matrix, voter scale or
    /// thread count; [`Error::MemoryLimit`] when the draws' outcomes would not fit the memory
    /// limit.
    ///
    /// # Complexity
    /// O(people + states³).
    pub fn new(graph: &'g Graph, electorate: &Electorate, config: &MarginConfig) -> Result<Self> {
        let mut s = Self::baseline(electorate, config)?;
        let pop = match &s.pool {
            Some(p) => p.install(|| Population::new(graph, electorate, config)),
            None => Population::new(graph, electorate, config),
        }?;
        s.graph = Some(graph);
        s.population = Some(pop);
        Ok(s)
    }

    /// A simulation without a graph: the baseline alone (no campaign can be run).
    ///
    /// # Errors
    /// As [`Simulation::new`] for the error structure and threads.
    pub fn baseline(electorate: &Electorate, config: &MarginConfig) -> Result<Self> {
        if electorate.units.is_empty() || electorate.total_electoral_votes == 0 {
            return Err(Error::invalid_parameter(
                "electorate",
                &electorate.name,
                "has no jurisdiction with electoral votes",
            ));
        }
        // Every draw keeps its per-jurisdiction shifts and five totals for the quantiles.
        let per_draw = (electorate.units.len() as u64 + 5) * 8;
        crate::limits::check_memory(
            format!("draws = {}", config.draws),
            crate::limits::bytes_of(config.draws, per_draw),
            config.sampling.memory_limit_bytes,
        )?;
        let engine = Engine::new(electorate, &config.error)?;
        Ok(Simulation {
            graph: None,
            electorate: electorate.clone(),
            config: config.clone(),
            engine,
            population: None,
            pool: config.sampling.pool()?,
            tipping: std::sync::OnceLock::new(),
        })
    }

    /// The electorate.
    pub fn electorate(&self) -> &Electorate {
        &self.electorate
    }

    /// The configuration.
    pub fn config(&self) -> &MarginConfig {
        &self.config
    }

    fn install<T: Send>(&self, f: impl FnOnce() -> T + Send) -> T {
        match &self.pool {
            Some(p) => p.install(f),
            None => f(),
        }
    }

    /// Share of the baseline's draws (no campaign) in which each unit is the tipping point,
    /// computed once per simulation.
    fn baseline_tipping(&self, progress: &dyn Progress, comm: &dyn Comm) -> Result<&[f64]> {
        if let Some(t) = self.tipping.get() {
            return Ok(t);
        }
        let none = Exposures::none(self.electorate.units.len());
        let o = self.outcomes(&none, &EffectModel::zero(), progress, comm)?;
        let d = o.draws as f64;
        let shares = o.units.iter().map(|u| u.tipping as f64 / d).collect();
        Ok(self.tipping.get_or_init(|| shares))
    }

    /// The target units of [`MarginConfig::targets`]: by the baseline's own tipping-point
    /// shares, or the user's list. Never by the certified margin of the simulated election.
    ///
    /// # Errors
    /// [`Error::InvalidParameter`] for a listed id the electorate lacks; [`Error::Cancelled`].
    pub fn target_units(&self, progress: &dyn Progress) -> Result<Vec<bool>> {
        self.target_units_on(progress, &comm::Local)
    }

    fn target_units_on(&self, progress: &dyn Progress, comm: &dyn Comm) -> Result<Vec<bool>> {
        let e = &self.electorate;
        match &self.config.targets {
            TargetRule::TippingPoint { min_share } => Ok(self
                .baseline_tipping(progress, comm)?
                .iter()
                .map(|&t| t >= *min_share)
                .collect()),
            TargetRule::List(ids) => {
                let mut v = vec![false; e.units.len()];
                for id in ids {
                    let ui = e.find(id).ok_or_else(|| {
                        Error::invalid_parameter("target jurisdiction", id, e.not_found())
                    })?;
                    v[ui] = true;
                }
                Ok(v)
            }
        }
    }

    fn realize(
        &self,
        campaign: &Campaign,
        progress: &dyn Progress,
        comm: &dyn Comm,
    ) -> Result<Realized> {
        config::check_campaign(campaign)?;
        let (Some(graph), Some(pop)) = (self.graph, self.population.as_ref()) else {
            return Err(Error::invalid_parameter(
                "campaign",
                "no graph",
                "this simulation was prepared without a graph; use Simulation::new",
            ));
        };
        check_seed_set(graph, &campaign.seeds)?;
        let trials = self.config.exposure_trials();
        let units = self.electorate.units.len();
        // Each realization keeps K coefficients per jurisdiction.
        crate::limits::check_memory(
            format!("exposure_trials = {trials}"),
            crate::limits::bytes_of(trials, (units * population::K * 8) as u64),
            self.config.sampling.memory_limit_bytes,
        )?;
        let share = (comm.rank(), comm.size());
        let tasks = self.install(|| {
            exposure::realize(
                graph,
                pop,
                units,
                campaign,
                self.config.effects.saturation,
                trials,
                self.config.sampling.seed,
                progress,
                share,
            )
        });
        let tasks = comm::exchange_parts(
            comm,
            comm::agree(comm, tasks)?,
            |t, out| comm::put_all(out, t.iter().map(|x| x.to_bits())),
            |w| w.vec(|w| w.f64()),
        )?;
        let exposures = Exposures::from_tasks(trials, units, tasks);
        let cost = campaign.cost.or_else(|| {
            let c = &graph.attributes().cost;
            campaign
                .seeds
                .iter()
                .map(|&s| c[s as usize])
                .try_fold(0.0, |acc, x| (!x.is_nan()).then_some(acc + x))
        });
        let states = self.electorate.state_indices();
        let per_real = |c: usize| -> Vec<f64> {
            (0..exposures.realizations)
                .map(|r| states.iter().map(|&u| exposures.get(r, u)[c]).sum())
                .collect()
        };
        let summary = CampaignSummary {
            seeds: campaign.seeds.len(),
            exposure: campaign.exposure.name().to_string(),
            hops: match campaign.exposure {
                Exposure::Cascade { hops, .. } => hops,
                Exposure::OneHop => None,
            },
            posts_per_creator: campaign.posts_per_creator,
            people: graph.people().count,
            people_mapped: pop.mapped,
            mapping: pop.mapping,
            reached_people: Interval::of(&per_real(population::C_PEOPLE)),
            reached_voters: Interval::of(&per_real(C_VOTERS)),
        };
        Ok(Realized {
            exposures,
            summary,
            cost,
        })
    }

    fn outcomes(
        &self,
        x: &Exposures,
        effects: &EffectModel,
        progress: &dyn Progress,
        comm: &dyn Comm,
    ) -> Result<Outcomes> {
        let share = (comm.rank(), comm.size());
        let parts = self.install(|| {
            self.engine.run(
                &self.electorate,
                x,
                effects,
                self.config.draws,
                self.config.sampling.seed,
                progress,
                share,
            )
        });
        let parts = comm::exchange_parts(
            comm,
            comm::agree(comm, parts)?,
            outcome::Chunk::encode,
            outcome::Chunk::decode,
        )?;
        Ok(outcome::Engine::combine(parts, x, self.config.draws))
    }

    /// Runs the simulation of `campaign` (or of the baseline alone with `None`), with a
    /// sensitivity sweep over the effect rates in `sensitivity` (none when empty).
    ///
    /// # Errors
    /// [`Error::Empty`] / [`Error::UnknownNode`] / [`Error::DuplicateNode`] for a bad seed
    /// set; [`Error::InvalidParameter`] for a campaign on a simulation without a graph, or bad
    /// campaign settings (posts, hops, cost, a sweep value outside [−1, 1]); the cascade
    /// engine's errors for bad probabilities; [`Error::Cancelled`].
    ///
    /// # Complexity
    /// O(R · exposure work + draws · (jurisdictions + states²)), with R the exposure trials.
    pub fn run(
        &self,
        campaign: Option<&Campaign>,
        sensitivity: &[f64],
        progress: &dyn Progress,
    ) -> Result<MarginResult> {
        self.run_on(campaign, sensitivity, progress, &comm::Local)
    }

    /// [`Simulation::run`] over the ranks of `comm`: exposure realizations and outcome draws
    /// are split by chunk index and their per-chunk results combined in chunk order, so every
    /// rank returns exactly the [`MarginResult`] of [`Simulation::run`], on any number of
    /// ranks.
    ///
    /// # Errors
    /// As [`Simulation::run`], on every rank when one fails ([`Error::RankFailed`]);
    /// [`Error::RankMismatch`] when the ranks' graphs, electorates, configurations or
    /// campaigns differ; [`Error::Communication`].
    pub fn run_distributed(
        &self,
        campaign: Option<&Campaign>,
        sensitivity: &[f64],
        progress: &dyn Progress,
        comm: &dyn Comm,
    ) -> Result<MarginResult> {
        self.check_ranks(comm, &format!("{campaign:?} {sensitivity:?}"))?;
        self.run_on(campaign, sensitivity, progress, comm)
    }

    /// Checks that every rank holds this simulation's graph, electorate and configuration,
    /// and `extra`.
    fn check_ranks(&self, comm: &dyn Comm, extra: &str) -> Result<()> {
        comm::check_inputs(
            comm,
            self.graph,
            &format!(
                "margin {:?} {:?} {extra}",
                self.electorate,
                // Threads do not change the answer: ranks may use different counts.
                MarginConfig {
                    sampling: self.config.sampling.with_threads(None),
                    ..self.config.clone()
                }
            ),
        )
    }

    fn run_on(
        &self,
        campaign: Option<&Campaign>,
        sensitivity: &[f64],
        progress: &dyn Progress,
        comm: &dyn Comm,
    ) -> Result<MarginResult> {
        if let Some(v) = sensitivity
            .iter()
            .find(|v| !(v.is_finite() && (-1.0..=1.0).contains(*v)))
        {
            return Err(Error::invalid_parameter(
                "sensitivity value",
                v,
                "effect rates are in [-1, 1]",
            ));
        }
        let realized = match campaign {
            Some(c) => Some(self.realize(c, progress, comm)?),
            None => None,
        };
        let none = Exposures::none(self.electorate.units.len());
        let x = realized.as_ref().map_or(&none, |r| &r.exposures);
        let o = self.outcomes(x, &self.config.effects, progress, comm)?;
        if realized.is_none() {
            // no campaign: these draws are the baseline's own
            let d = o.draws as f64;
            let _ = self
                .tipping
                .set(o.units.iter().map(|u| u.tipping as f64 / d).collect());
        }
        let targets = self.target_units_on(progress, comm)?;
        let mut result = self.summarize(&o, x, realized.as_ref(), &targets);
        for (effect, make) in [
            (
                "persuasion",
                (|v| EffectModel {
                    persuasion: Prior::fixed(v),
                    ..EffectModel::zero()
                }) as fn(f64) -> EffectModel,
            ),
            ("mobilization", |v| EffectModel {
                mobilization: Prior::fixed(v),
                ..EffectModel::zero()
            }),
        ] {
            if realized.is_none() {
                break;
            }
            for &v in sensitivity {
                let mut eff = make(v);
                eff.saturation = self.config.effects.saturation;
                let s = self.outcomes(x, &eff, progress, comm)?;
                let p_with = share(s.ev_with.iter().map(|&e| e >= self.electorate.majority));
                let p_without = share(s.ev_without.iter().map(|&e| e >= self.electorate.majority));
                result.sensitivity.push(SensitivityPoint {
                    effect: effect.into(),
                    value: v,
                    p_majority_with: p_with,
                    delta_p_majority: p_with - p_without,
                    ev_a_with_mean: mean_u32(&s.ev_with),
                    net_votes_mean: mean(&s.net_votes),
                    expected_flips: s
                        .units
                        .iter()
                        .map(|u| u.flips as f64 / s.draws as f64)
                        .sum(),
                });
            }
        }
        Ok(result)
    }

    /// For each budget (ascending), asks `selector` for seeds, simulates the campaign made of
    /// `template` with those seeds and that cost, and reports the change in P(majority) and its
    /// marginal gain per dollar. Draws share their baseline error across budgets (same seed),
    /// so differences between budgets are not blurred by it.
    ///
    /// # Errors
    /// [`Error::InvalidParameter`] for budgets that are not positive and ascending; the
    /// selector's and [`Simulation::run`]'s errors.
    pub fn budget_sweep(
        &self,
        template: &Campaign,
        budgets: &[f64],
        selector: &mut dyn SeedSelector,
        progress: &dyn Progress,
    ) -> Result<Vec<BudgetPoint>> {
        self.budget_sweep_on(template, budgets, selector, progress, &comm::Local)
    }

    /// [`Simulation::budget_sweep`] with each budget's run over the ranks of `comm` (the
    /// selector runs on every rank and must be deterministic, as [`CoverageSelector`] is).
    ///
    /// # Errors
    /// As [`Simulation::budget_sweep`] and [`Simulation::run_distributed`].
    pub fn budget_sweep_distributed(
        &self,
        template: &Campaign,
        budgets: &[f64],
        selector: &mut dyn SeedSelector,
        progress: &dyn Progress,
        comm: &dyn Comm,
    ) -> Result<Vec<BudgetPoint>> {
        self.check_ranks(comm, &format!("{template:?} {budgets:?}"))?;
        self.budget_sweep_on(template, budgets, selector, progress, comm)
    }

    fn budget_sweep_on(
        &self,
        template: &Campaign,
        budgets: &[f64],
        selector: &mut dyn SeedSelector,
        progress: &dyn Progress,
        comm: &dyn Comm,
    ) -> Result<Vec<BudgetPoint>> {
        if budgets.is_empty() {
            return Err(Error::Empty {
                what: "budget list".into(),
            });
        }
        for w in budgets.windows(2) {
            if w[1] <= w[0] {
                return Err(Error::invalid_parameter(
                    "budgets",
                    w[1],
                    "must be strictly ascending",
                ));
            }
        }
        if let Some(b) = budgets.iter().find(|b| !(b.is_finite() && **b > 0.0)) {
            return Err(Error::invalid_parameter(
                "budget",
                b,
                "must be a finite number > 0",
            ));
        }
        let mut out: Vec<BudgetPoint> = Vec::new();
        for &b in budgets {
            let sel = selector.select(b)?;
            let campaign = Campaign {
                seeds: sel.seeds.clone(),
                cost: Some(sel.cost),
                ..template.clone()
            };
            let r = self.run_on(Some(&campaign), &[], progress, comm)?;
            let (prev_b, prev_d) = out
                .last()
                .map_or((0.0, 0.0), |p| (p.budget, p.delta_p_majority));
            out.push(BudgetPoint {
                budget: b,
                seed_count: sel.seeds.len(),
                seeds: sel.seeds,
                cost: sel.cost,
                p_majority_with: r.national.p_majority.with,
                delta_p_majority: r.national.delta_p_majority,
                delta_p_majority_stderr: r.national.delta_p_majority_stderr,
                net_votes_mean: r.national.net_votes.mean,
                cost_per_net_vote: r.national.cost_per_net_vote,
                marginal_p_per_dollar: (r.national.delta_p_majority - prev_d) / (b - prev_b),
            });
        }
        Ok(out)
    }

    /// The cost curve of [`National::cost_curve`]: net votes at each of [`COST_CURVE_RATES`]
    /// are linear in the rate, `2θ·Σ persuadable B voters reached` (persuasion) or `θ·Σ
    /// non-voters' net lean` (mobilization) over the state rows, averaged over realizations.
    fn cost_curve(&self, x: &Exposures, cost: Option<f64>) -> Vec<CostPoint> {
        let states = self.electorate.state_indices();
        let per_real = |c: usize, f: f64| -> Vec<f64> {
            (0..x.realizations)
                .map(|r| f * states.iter().map(|&u| x.get(r, u)[c]).sum::<f64>())
                .collect()
        };
        let mut out = Vec::new();
        for (effect, v) in [
            ("persuasion", per_real(C_PA, 2.0)),
            ("mobilization", per_real(C_MPLUS, 1.0)),
        ] {
            let iv = Interval::of(&v);
            let se = iv.sd / (v.len() as f64).sqrt();
            for rate in COST_CURVE_RATES {
                let (net, net_se) = (rate * iv.mean, rate * se);
                out.push(CostPoint {
                    effect: effect.into(),
                    rate,
                    net_votes: net,
                    net_votes_mc_stderr: net_se,
                    cost_per_net_vote: price(cost, net, net_se, String::new).0,
                });
            }
        }
        out
    }

    fn summarize(
        &self,
        o: &Outcomes,
        x: &Exposures,
        realized: Option<&Realized>,
        targets: &[bool],
    ) -> MarginResult {
        let e = &self.electorate;
        let d = o.draws as f64;
        let jurisdictions = e
            .units
            .iter()
            .enumerate()
            .map(|(ui, u)| {
                let st = &o.units[ui];
                let m = x.mean(ui);
                let base = u.margin_votes();
                let pts = |v: f64| {
                    if u.total_votes > 0.0 {
                        100.0 * v / u.total_votes
                    } else {
                        0.0
                    }
                };
                let dv = st.delta;
                let f = pts(1.0);
                JurisdictionOutcome {
                    id: u.id.clone(),
                    name: u.name.clone(),
                    is_district: u.is_district,
                    electoral_votes: u.decided_votes,
                    margin_a_without: base,
                    margin_a_with: base + dv.mean,
                    margin_points_without: pts(base),
                    margin_points_with: pts(base + dv.mean),
                    delta_votes: dv,
                    delta_points: Interval {
                        mean: dv.mean * f,
                        sd: dv.sd * f,
                        lo: dv.lo * f,
                        hi: dv.hi * f,
                    },
                    p_win_a_without: st.wins_without as f64 / d,
                    p_win_a_with: st.wins_with as f64 / d,
                    p_win_stderr: (0.25 / d).sqrt(),
                    p_flip: st.flips as f64 / d,
                    tipping_point_share: st.tipping as f64 / d,
                    reached_people: st.reached_people,
                    reached_voters: st.reached_voters,
                    break_even_effect: break_even_persuasion(base, &m),
                    break_even_mobilization: break_even_mobilization(base, &m),
                    break_even_effect_range: realized
                        .and_then(|_| range_over(x, ui, |k| break_even_persuasion(base, k))),
                    break_even_mobilization_range: realized
                        .and_then(|_| range_over(x, ui, |k| break_even_mobilization(base, k))),
                    target: targets[ui],
                }
            })
            .collect();
        let maj = e.majority;
        let with: Vec<bool> = o.ev_with.iter().map(|&v| v >= maj).collect();
        let without: Vec<bool> = o.ev_without.iter().map(|&v| v >= maj).collect();
        let p_with = share(with.iter().copied());
        let p_without = share(without.iter().copied());
        let diffs: Vec<f64> = with
            .iter()
            .zip(&without)
            .map(|(&a, &b)| a as u8 as f64 - b as u8 as f64)
            .collect();
        let diff_iv = Interval::of(&diffs);
        let tie = |v: &[u32]| share(v.iter().map(|&x| 2 * x == e.total_electoral_votes));
        let ev_change: Vec<f64> = o
            .ev_with
            .iter()
            .zip(&o.ev_without)
            .map(|(&a, &b)| a as f64 - b as f64)
            .collect();
        let net_votes = Interval::of(&o.net_votes);
        let net_votes_mc_stderr = net_votes.sd / d.sqrt();
        let cost = realized.and_then(|r| r.cost);
        let eff = &self.config.effects;
        let (cost_per_net_vote, cost_per_net_vote_reason) =
            price(cost, net_votes.mean, net_votes_mc_stderr, || {
                if realized.is_none() {
                    return "no campaign".to_string();
                }
                let centred = eff.persuasion.mean == 0.0
                    && eff.mobilization.mean == 0.0
                    && eff.backlash.mean == 0.0;
                if centred {
                    "the effect priors are centred on zero: the expected net gain is zero by \
                     construction; read the cost curve for the price at an assumed rate"
                        .to_string()
                } else {
                    format!(
                        "the expected net gain, {:.1} votes (Monte Carlo s.e. {:.1}), is not \
                         positive beyond twice its error under these effect priors; read the \
                         cost curve for the price at an assumed rate",
                        net_votes.mean, net_votes_mc_stderr
                    )
                }
            });
        let cost_curve = match realized {
            None => Vec::new(),
            Some(_) => self.cost_curve(x, cost),
        };
        let national = National {
            total_electoral_votes: e.total_electoral_votes,
            majority: maj,
            ev_a: WithWithout {
                without: EvDistribution::of(&o.ev_without, e.total_electoral_votes),
                with: EvDistribution::of(&o.ev_with, e.total_electoral_votes),
            },
            p_majority: WithWithout {
                without: p_without,
                with: p_with,
            },
            p_majority_stderr: WithWithout {
                without: (p_without * (1.0 - p_without) / d).sqrt(),
                with: (p_with * (1.0 - p_with) / d).sqrt(),
            },
            delta_p_majority: p_with - p_without,
            delta_p_majority_stderr: diff_iv.sd / d.sqrt(),
            p_tie: WithWithout {
                without: tie(&o.ev_without),
                with: tie(&o.ev_with),
            },
            ev_change: Interval::of(&ev_change),
            net_votes,
            net_votes_mc_stderr,
            cost,
            cost_per_net_vote,
            cost_per_net_vote_reason,
            cost_curve,
        };
        MarginResult {
            side_a: e.side_a,
            candidate_a: e.candidate_a.clone(),
            candidate_b: e.candidate_b.clone(),
            electorate: e.name.clone(),
            electorate_source: e.source.clone(),
            draws: o.draws,
            exposure_trials: x.realizations as u64,
            seed: self.config.sampling.seed,
            campaign: realized.map(|r| r.summary.clone()),
            effects: self.config.effects,
            baseline_error: self.config.error.clone(),
            national,
            jurisdictions,
            sensitivity: Vec::new(),
            budget_sweep: Vec::new(),
            assumptions: {
                let mut a = assumptions(&self.config, e);
                if let Some(pop) = &self.population {
                    a.push(given_columns(pop));
                }
                a
            },
            target_rule: self.config.targets.describe(),
        }
    }
}

/// A price per net vote only when the gain is positive beyond twice its Monte Carlo error;
/// else `None` and the reason (`why` when the gain is not distinguishable from zero).
fn price(
    cost: Option<f64>,
    mean: f64,
    stderr: f64,
    why: impl FnOnce() -> String,
) -> (Option<f64>, Option<String>) {
    match cost {
        None => (None, Some("the campaign has no cost".into())),
        Some(c) if mean - 2.0 * stderr > 0.0 => (Some(c / mean), None),
        Some(_) => (None, Some(why())),
    }
}

/// The 95% range over exposure realizations of `f` on unit `u`'s coefficients, over the
/// realizations where it has a value.
fn range_over(x: &Exposures, u: usize, f: impl Fn(&[f64]) -> Option<f64>) -> Option<[f64; 2]> {
    let mut v: Vec<f64> = (0..x.realizations).filter_map(|r| f(x.get(r, u))).collect();
    if v.is_empty() {
        return None;
    }
    v.sort_unstable_by(f64::total_cmp);
    Some([outcome::quantile(&v, 0.025), outcome::quantile(&v, 0.975)])
}

fn share(it: impl Iterator<Item = bool>) -> f64 {
    let (mut n, mut k) = (0u64, 0u64);
    for b in it {
        n += 1;
        k += b as u64;
    }
    if n == 0 {
        0.0
    } else {
        k as f64 / n as f64
    }
}

fn mean(v: &[f64]) -> f64 {
    if v.is_empty() {
        0.0
    } else {
        v.iter().sum::<f64>() / v.len() as f64
    }
}

fn mean_u32(v: &[u32]) -> f64 {
    if v.is_empty() {
        0.0
    } else {
        v.iter().map(|&x| x as f64).sum::<f64>() / v.len() as f64
    }
}

/// The persuasion rate that moves the expected margin `base` to zero (see
/// [`JurisdictionOutcome::break_even_effect`]).
fn break_even_persuasion(base: f64, m: &[f64]) -> Option<f64> {
    if base == 0.0 {
        return Some(0.0);
    }
    if base < 0.0 {
        // A trails: switch B voters, +2 each
        (m[C_PA] > 0.0).then(|| -base / (2.0 * m[C_PA]))
    } else {
        // A leads: the net backlash that would lose it
        (m[C_PB] > 0.0).then(|| -base / (2.0 * m[C_PB]))
    }
}

/// The mobilization rate that moves the expected margin `base` to zero: positive rates act
/// through non-voters' net lean, negative through voters' (see
/// [`JurisdictionOutcome::break_even_mobilization`]).
fn break_even_mobilization(base: f64, m: &[f64]) -> Option<f64> {
    if base == 0.0 {
        return Some(0.0);
    }
    // positive θ: Δ = θ·M+ = −base
    let pos = (m[C_MPLUS] != 0.0)
        .then(|| -base / m[C_MPLUS])
        .filter(|&t| t > 0.0);
    // negative θ: Δ = −|θ|·M− = −base
    let neg = (m[C_MMINUS] != 0.0)
        .then(|| base / m[C_MMINUS])
        .filter(|&a| a > 0.0)
        .map(|a| -a);
    match (pos, neg) {
        (Some(p), Some(n)) => Some(if p <= -n { p } else { n }),
        (p, n) => p.or(n),
    }
}

/// Simulates `campaign` on `graph` over `electorate`: [`Simulation::new`] then
/// [`Simulation::run`] without a sensitivity sweep.
///
/// # Errors
/// See [`Simulation::new`] and [`Simulation::run`].
pub fn simulate(
    graph: &Graph,
    electorate: &Electorate,
    campaign: &Campaign,
    config: &MarginConfig,
    progress: &dyn Progress,
) -> Result<MarginResult> {
    Simulation::new(graph, electorate, config)?.run(Some(campaign), &[], progress)
}

/// The baseline alone: electoral outcomes under the baseline error, no campaign.
///
/// # Errors
/// See [`Simulation::baseline`].
pub fn simulate_baseline(
    electorate: &Electorate,
    config: &MarginConfig,
    progress: &dyn Progress,
) -> Result<MarginResult> {
    Simulation::baseline(electorate, config)?.run(None, &[], progress)
}

/// The target jurisdictions of a campaign chosen without hindsight: the ids (electorate order)
/// of the units that are the tipping point in at least `min_share` of the baseline's simulated
/// draws under `config`'s baseline error and seed (no campaign). With a forecast electorate
/// these are the forecast's tipping-point probabilities. `config`'s own target rule is not
/// used.
///
/// # Errors
/// [`Error::InvalidParameter`] for `min_share` outside (0, 1] and as
/// [`Simulation::baseline`]; [`Error::Cancelled`].
///
/// # Example
/// ```
/// use reachgraph_core::margin::{self, Electorate, MarginConfig, BaselineError};
/// use reachgraph_core::election::Side;
/// let e = Electorate::us_president(2020, Side::Dem).unwrap();
/// let cfg = MarginConfig::builder().draws(16).error(BaselineError::none()).build().unwrap();
/// // without baseline error one state decides every draw: Wisconsin in 2020
/// assert_eq!(margin::tipping_point_targets(&e, &cfg, 0.01).unwrap(), vec!["WI".to_string()]);
/// ```
pub fn tipping_point_targets(
    electorate: &Electorate,
    config: &MarginConfig,
    min_share: f64,
) -> Result<Vec<String>> {
    let rule = TargetRule::TippingPoint { min_share };
    rule.validate()?;
    let cfg = MarginConfig {
        targets: rule,
        ..config.clone()
    };
    let sim = Simulation::baseline(electorate, &cfg)?;
    let t = sim.target_units(&crate::NoProgress)?;
    Ok(electorate
        .units
        .iter()
        .zip(t)
        .filter(|(_, t)| *t)
        .map(|(u, _)| u.id.clone())
        .collect())
}

/// Which per-person columns the run had, and the defaults of the rest.
fn given_columns(pop: &Population) -> Assumption {
    let names = ["lean", "turnout", "eligible", "effect_multiplier"];
    let given: Vec<&str> = names
        .iter()
        .zip(pop.given)
        .filter(|(_, g)| *g)
        .map(|(n, _)| *n)
        .collect();
    Assumption {
        name: "per-person voter columns".into(),
        value: if given.is_empty() {
            "none given".into()
        } else {
            format!("given: {}", given.join(", "))
        },
        source: "the request's per-person arrays, else the graph's attribute columns; people \
                 without a value take the default: lean and turnout integrated over the \
                 jurisdiction's laws below, eligible 1, effect multiplier 1 (assumption: every \
                 creator's post has the same effect)."
            .into(),
    }
}

/// The modelled quantities of a run, each with its value and source.
pub fn assumptions(c: &MarginConfig, e: &Electorate) -> Vec<Assumption> {
    let eff = &c.effects;
    let given = |is_default: bool| {
        if is_default {
            "default"
        } else {
            "set by the user; the default is"
        }
    };
    let prior = |p: &Prior| format!("Normal(mean {}, sd {}), clipped to its range", p.mean, p.sd);
    let err = &c.error;
    let mut v = vec![
        Assumption {
            name: "baseline electorate".into(),
            value: e.name.clone(),
            source: format!(
                "{}. The baseline margin of each jurisdiction is this result; the baseline error \
                 below stands for how different the simulated election could be.",
                e.source
            ),
        },
        Assumption {
            name: "persuasion per reached voter (net switch rate toward side A)".into(),
            value: prior(&eff.persuasion),
            source: format!(
                "{} centred on zero: Kalla & Broockman 2018 (APSR 112(1), 49 field experiments): \
                 the best estimate of the persuasive effect of campaign contact and advertising in \
                 US general elections is zero; Coppock, Hill & Vavreck 2020 (Science Advances 6(36), \
                 59 real-time experiments on 2016 ads): average effect on vote choice 0.7 points \
                 (s.e. 0.7) under forced exposure, an upper bound for a post scrolled past. sd 0.005 \
                 spans that range.",
                given(eff.persuasion == DEFAULT_PERSUASION)
            ),
        },
        Assumption {
            name: "mobilization per reached non-voter".into(),
            value: prior(&eff.mobilization),
            source: format!(
                "{} small and positive: Aggarwal et al. 2023 (Nature Human Behaviour 7, an $8.9M \
                 social-media ad programme, 2 million voters, 2020): no average turnout effect, \
                 +0.4 points (s.e. 0.2) among Biden leaners and -0.3 (s.e. 0.3) among Trump \
                 leaners; Green & Gerber, Get Out the Vote (4th ed., 2019): impersonal contact \
                 (mail, robocalls, online ads) moves turnout by a fraction of a point at most. A \
                 mobilized person votes for side A with probability equal to their lean.",
                given(eff.mobilization == DEFAULT_MOBILIZATION)
            ),
        },
        Assumption {
            name: "backlash per reached side-A voter".into(),
            value: prior(&eff.backlash),
            source: format!(
                "{} off: a negative persuasion draw already is net backlash; set it to model an \
                 asymmetric risk (modelling choice, no field estimate).",
                given(eff.backlash == DEFAULT_BACKLASH)
            ),
        },
        Assumption {
            name: "saturation with frequency".into(),
            value: format!(
                "share 1 - {}^k of the full effect after k exposures",
                eff.saturation
            ),
            source: format!(
                "{} 0 (one exposure gives the full effect, so rates are per reached voter): a \
                 modelling assumption; no field estimate of the frequency response of creator \
                 posts exists.",
                given(eff.saturation == 0.0)
            ),
        },
        Assumption {
            name: "effect sizes are common to all jurisdictions within a draw".into(),
            value: "one draw of each rate per Monte Carlo draw".into(),
            source: "modelling choice: the uncertainty is about the true effect of the \
                     campaign, which moves every state together."
                .into(),
        },
        Assumption {
            name: "baseline error".into(),
            value: format!(
                "sd {} points of margin per state ({}% of the variance national), state \
                 components correlated {}",
                err.sd,
                100.0 * err.national_share,
                match &err.correlation {
                    Correlation::Uniform(r) => format!("{r} pairwise"),
                    Correlation::Matrix(_) => "by the given matrix".into(),
                }
            ),
            source: format!(
                "{} sd {DEFAULT_ERROR_SD}, national share {DEFAULT_NATIONAL_SHARE}, correlation \
                 {DEFAULT_STATE_CORRELATION}: the size of state polling errors on the margin in \
                 recent presidential elections (AAPOR task-force reports on the 2016 and 2020 \
                 pre-election polls), and the structure forecasters use, a national error plus \
                 correlated state errors (Heidemanns, Gelman & Morris 2020, Harvard Data Science \
                 Review 2(4)). Forecast files give their own sd per jurisdiction. District rows \
                 swing with their state.",
                given(
                    err.sd == DEFAULT_ERROR_SD
                        && err.national_share == DEFAULT_NATIONAL_SHARE
                        && err.correlation == Correlation::Uniform(DEFAULT_STATE_CORRELATION)
                )
            ),
        },
    ];
    v.push(Assumption {
        name: "people to jurisdictions".into(),
        value: format!("{:?}", c.mapping).to_lowercase(),
        source: "the jurisdiction attribute when the graph has one (people without one carry \
                 no votes), else spread over the states in proportion to voting-eligible \
                 population (UF Election Lab): each such person counts in every state with that \
                 probability, so no per-run draw moves the expected votes; people of a state with \
                 district rows count in its districts in proportion to their votes."
            .into(),
    });
    v.push(Assumption {
        name: "voters per graph person".into(),
        value: match &c.scale {
            VoterScale::Global(s) => format!("{s} everywhere"),
            VoterScale::PerJurisdiction { scales, default } => {
                format!("{} jurisdictions set, {default} elsewhere", scales.len())
            }
            VoterScale::Population => "each state's eligible population / its graph people".into(),
        },
        source: "user setting (default 1: the graph is the real audience); a sampled graph \
                 speaks for a real electorate only through this scale."
            .into(),
    });
    v.push(Assumption {
        name: "voter lean and turnout".into(),
        value: match &c.voters {
            VoterStates::Drawn {
                lean_concentration,
                turnout_concentration,
            } => format!(
                "integrated over each person's laws (not drawn): lean ~ Beta(mean = side A's \
                 two-party share, concentration {lean_concentration}), turnout ~ Beta(mean = \
                 votes cast / eligible population, concentration {turnout_concentration}), \
                 independent; the expected votes use E[turnout], E[2 lean - 1] and the lean's \
                 persuadable moments in closed form, so the turnout concentration does not \
                 change them"
            ),
            VoterStates::Given { .. } => "given per person".into(),
        },
        source: format!(
            "modelling assumption: concentration 1 makes lean strongly polarized (most people \
             nearly certain of their vote); turnout means from the electorate's votes cast and \
             eligible population ({} where that is unknown).",
            DEFAULT_TURNOUT
        ),
    });
    v.push(Assumption {
        name: "persuadable voters".into(),
        value: "persuasion and backlash act on the persuadable share 1 - |2 lean - 1| of each \
                reached voter (1 at lean 0.5, 0 at lean 0 or 1); mobilization on every reached \
                eligible non-voter, who votes A with their own lean; ineligible voters carry no \
                vote"
            .into(),
        source: "modelling choice after Hillygus & Shields, The Persuadable Voter (Princeton UP, \
                 2008): persuasion works on cross-pressured and undecided voters, not on \
                 committed partisans."
            .into(),
    });
    v.push(Assumption {
        name: "effect multiplier per creator".into(),
        value: "each account's given multiplier scales the effect rates for the people its \
                posts reach (one-hop: exposure-weighted mean over the posting accounts; \
                cascades: the seeds' mean); 1 where not given"
            .into(),
        source: "assumption, default 1: no field estimate separates the persuasive effect of \
                 one creator's post from another's; a non-default (e.g. trust in \
                 micro-influencers) must be documented by whoever sets it."
            .into(),
    });
    v.push(Assumption {
        name: "votes from exposure".into(),
        value: "expected votes given each exposure realization; the seeds' own persons are not \
                counted"
            .into(),
        source: "modelling choice: individual vote noise is of order sqrt(n) votes and far \
                 below the uncertainty of the effect sizes."
            .into(),
    });
    v
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn break_even_by_hand() {
        // A trails by 100; 1,000 switchable B voters reached: 5% switching gives +100.
        let m = [1000.0, 500.0, 50.0, 200.0, 0.0, 0.0];
        assert_eq!(break_even_persuasion(-100.0, &m), Some(0.05));
        // A leads by 100; 500 A voters: 10% net backlash loses it.
        assert_eq!(break_even_persuasion(100.0, &m), Some(-0.1));
        assert_eq!(break_even_persuasion(-1.0, &[0.0; 6]), None);
        // mobilization: +50 net lean among non-voters → rate 2
        assert_eq!(break_even_mobilization(-100.0, &m), Some(2.0));
        // leads by 100: demobilizing voters with net lean 200 → −0.5
        assert_eq!(break_even_mobilization(100.0, &m), Some(-0.5));
    }

    #[test]
    fn targets_come_from_the_baselines_tipping_points() {
        use crate::election::Side;
        let e = Electorate::us_president(2024, Side::Dem).unwrap();
        let cfg = MarginConfig::builder().draws(4000).build().unwrap();
        let t = tipping_point_targets(&e, &cfg, 0.01).unwrap();
        // Arizona (-5.53 points certified) is a target: the old 5-point rule left it out
        for id in ["AZ", "GA", "MI", "NV", "NC", "PA", "WI"] {
            assert!(t.iter().any(|x| x == id), "{id} missing from {t:?}");
        }
        for id in ["CA", "TX", "NY"] {
            assert!(!t.iter().any(|x| x == id), "{id} in {t:?}");
        }
        // the same seed gives the same targets; a higher bar gives a subset
        assert_eq!(tipping_point_targets(&e, &cfg, 0.01).unwrap(), t);
        let high = tipping_point_targets(&e, &cfg, 0.2).unwrap();
        assert!(high.len() < t.len() && high.iter().all(|h| t.contains(h)));
        // bad shares and lists are refused
        for bad in [0.0, -0.1, 1.5, f64::NAN] {
            assert!(matches!(
                tipping_point_targets(&e, &cfg, bad),
                Err(Error::InvalidParameter { .. })
            ));
        }
        let listed = MarginConfig::builder()
            .draws(16)
            .targets(TargetRule::List(vec!["PA".into(), "ZZ".into()]))
            .build()
            .unwrap();
        let sim = Simulation::baseline(&e, &listed).unwrap();
        let err = sim.target_units(&crate::NoProgress).unwrap_err();
        assert!(err.to_string().contains("ZZ"), "{err}");
        assert!(MarginConfig::builder()
            .targets(TargetRule::List(vec![]))
            .build()
            .is_err());
        let ok = MarginConfig::builder()
            .draws(16)
            .targets(TargetRule::List(vec!["PA".into(), "ME-02".into()]))
            .build()
            .unwrap();
        let sim = Simulation::baseline(&e, &ok).unwrap();
        let u = sim.target_units(&crate::NoProgress).unwrap();
        assert_eq!(u.iter().filter(|&&b| b).count(), 2);
        let r = sim.run(None, &[], &crate::NoProgress).unwrap();
        assert!(r.target_rule.contains("PA, ME-02"));
    }
}
