//! Settings of a margin simulation: effects, baseline error, voters, exposure, draws.

use crate::cascade::Model;
use crate::error::{Error, Result};
use crate::sampling::{check_hops, Sampling};
use serde::{Deserialize, Serialize};

/// A prior on an effect size: a normal distribution with this mean and standard deviation,
/// clipped to the effect's range (sd 0 makes the effect deterministic).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Prior {
    /// Mean of the normal.
    pub mean: f64,
    /// Standard deviation of the normal (0: always the mean).
    pub sd: f64,
}

impl Prior {
    /// A deterministic effect.
    pub fn fixed(value: f64) -> Prior {
        Prior {
            mean: value,
            sd: 0.0,
        }
    }

    fn check(&self, name: &str, lo: f64, hi: f64) -> Result<()> {
        if !(self.mean.is_finite() && (lo..=hi).contains(&self.mean)) {
            return Err(Error::invalid_parameter(
                format!("{name} mean"),
                self.mean,
                format!("must be a probability rate in [{lo}, {hi}]"),
            ));
        }
        if !(self.sd.is_finite() && (0.0..=1.0).contains(&self.sd)) {
            return Err(Error::invalid_parameter(
                format!("{name} sd"),
                self.sd,
                "must be in [0, 1]",
            ));
        }
        Ok(())
    }
}

/// Default persuasion prior: net switch rate per reached voter, centred on zero.
pub const DEFAULT_PERSUASION: Prior = Prior {
    mean: 0.0,
    sd: 0.005,
};
/// Default mobilization prior: turnout rate per reached non-voter, small and positive.
pub const DEFAULT_MOBILIZATION: Prior = Prior {
    mean: 0.001,
    sd: 0.002,
};
/// Default backlash prior: off.
pub const DEFAULT_BACKLASH: Prior = Prior { mean: 0.0, sd: 0.0 };

/// How exposure turns into votes. See the [module docs](super).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct EffectModel {
    /// Net persuasion rate per reached voter, in [−1, 1]: positive moves side-B voters to A
    /// (margin +2 each), negative moves A voters to B (−2 each).
    pub persuasion: Prior,
    /// Mobilization rate per reached non-voter, in [−1, 1]: positive turns non-voters out
    /// (margin `2·lean − 1` each), negative keeps voters home (`−(2·lean − 1)` each).
    pub mobilization: Prior,
    /// Backlash rate per reached side-A voter, in [0, 1]: switches to B (−2 each), on top of
    /// persuasion.
    pub backlash: Prior,
    /// Saturation with frequency, in [0, 1): after `k` exposures a person gets the share
    /// `1 − saturation^k` of the full effect. 0: one exposure gives it all (rates are per
    /// reached voter); near 1: each extra exposure adds almost as much as the first.
    pub saturation: f64,
}

impl Default for EffectModel {
    /// Priors centred on the field evidence (see [`super::assumptions`]).
    fn default() -> Self {
        EffectModel {
            persuasion: DEFAULT_PERSUASION,
            mobilization: DEFAULT_MOBILIZATION,
            backlash: DEFAULT_BACKLASH,
            saturation: 0.0,
        }
    }
}

impl EffectModel {
    /// No effect at all.
    pub fn zero() -> Self {
        EffectModel {
            persuasion: Prior::fixed(0.0),
            mobilization: Prior::fixed(0.0),
            backlash: Prior::fixed(0.0),
            saturation: 0.0,
        }
    }

    /// Checks the ranges.
    ///
    /// # Errors
    /// [`Error::InvalidParameter`] naming the effect.
    pub fn validate(&self) -> Result<()> {
        self.persuasion.check("persuasion", -1.0, 1.0)?;
        self.mobilization.check("mobilization", -1.0, 1.0)?;
        self.backlash.check("backlash", 0.0, 1.0)?;
        if !(self.saturation.is_finite() && (0.0..1.0).contains(&self.saturation)) {
            return Err(Error::invalid_parameter(
                "saturation",
                self.saturation,
                "must be in [0, 1)",
            ));
        }
        Ok(())
    }
}

/// Correlation of the state components of the baseline error.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Correlation {
    /// Every pair of states correlates with this coefficient, in [0, 1].
    Uniform(f64),
    /// A full correlation matrix over the state rows, in electorate order (symmetric, unit
    /// diagonal, positive semi-definite).
    Matrix(Vec<Vec<f64>>),
}

/// Default total standard deviation of a state's margin error, in points.
pub const DEFAULT_ERROR_SD: f64 = 4.0;
/// Default share of that variance common to all states (the national error).
pub const DEFAULT_NATIONAL_SHARE: f64 = 0.5;
/// Largest number of real voters one graph person may stand for.
const MAX_VOTERS_PER_PERSON: f64 = 1e9;

/// Default correlation of the state components.
pub const DEFAULT_STATE_CORRELATION: f64 = 0.3;

/// Baseline uncertainty: the margin of jurisdiction `j` in a draw is its baseline margin plus
/// `sd_j · (√s · Z + √(1 − s) · X_state(j))` points, with `Z` the national error, `X` the
/// correlated state errors (standard normal each), `s` the national share and `sd_j` the
/// forecast's standard deviation or [`BaselineError::sd`]. District rows swing with their state.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BaselineError {
    /// Total standard deviation of a state's margin error, in points (for jurisdictions
    /// without a forecast standard deviation). 0: no error.
    pub sd: f64,
    /// Share of the variance that is national (common to every state), in [0, 1].
    pub national_share: f64,
    /// Correlation of the state components.
    pub correlation: Correlation,
}

impl Default for BaselineError {
    fn default() -> Self {
        BaselineError {
            sd: DEFAULT_ERROR_SD,
            national_share: DEFAULT_NATIONAL_SHARE,
            correlation: Correlation::Uniform(DEFAULT_STATE_CORRELATION),
        }
    }
}

impl BaselineError {
    /// No baseline error: every draw has the baseline margins.
    pub fn none() -> Self {
        BaselineError {
            sd: 0.0,
            ..Default::default()
        }
    }

    /// Checks ranges (the matrix is checked against the electorate when the simulation is set up).
    ///
    /// # Errors
    /// [`Error::InvalidParameter`].
    pub fn validate(&self) -> Result<()> {
        if !(self.sd.is_finite() && self.sd >= 0.0 && self.sd <= 100.0) {
            return Err(Error::invalid_parameter(
                "baseline error sd",
                self.sd,
                "must be in [0, 100] points",
            ));
        }
        if !(self.national_share.is_finite() && (0.0..=1.0).contains(&self.national_share)) {
            return Err(Error::invalid_parameter(
                "national share",
                self.national_share,
                "must be in [0, 1]",
            ));
        }
        if let Correlation::Uniform(r) = self.correlation {
            if !(r.is_finite() && (0.0..=1.0).contains(&r)) {
                return Err(Error::invalid_parameter(
                    "state correlation",
                    r,
                    "must be in [0, 1]",
                ));
            }
        }
        Ok(())
    }
}

/// How graph people are placed in jurisdictions.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Mapping {
    /// The jurisdiction attribute when the graph has one, else `Drawn`.
    #[default]
    Auto,
    /// The jurisdiction attribute; people without one carry no votes.
    Attribute,
    /// In proportion to voting-eligible population: each person counts in every state with
    /// that probability (and in a state's districts in proportion to their votes); not a
    /// per-run draw, so no seed moves the expected votes.
    Drawn,
}

/// How many real voters one graph person stands for.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum VoterScale {
    /// The same number everywhere.
    Global(f64),
    /// Per jurisdiction id (state rows; districts take their state's), with a default for the
    /// rest.
    PerJurisdiction {
        /// `(jurisdiction id, voters per person)`.
        scales: Vec<(String, f64)>,
        /// For jurisdictions not listed.
        default: f64,
    },
    /// Each state's graph people stand for its whole eligible population.
    Population,
}

impl Default for VoterScale {
    fn default() -> Self {
        VoterScale::Global(1.0)
    }
}

/// Lean (probability of voting for side A if voting) and turnout propensity of each person.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum VoterStates {
    /// From the jurisdiction's baseline: lean ~ Beta with mean the two-party share of side A,
    /// turnout ~ Beta with mean the turnout rate, each with the given concentration (`α + β`;
    /// small means polarized), independent. Not drawn per run: the expected votes are
    /// integrated over both laws (closed form), so no seed moves them; the turnout
    /// concentration does not change them (they are linear in turnout).
    Drawn {
        /// Concentration of the lean Beta.
        lean_concentration: f64,
        /// Concentration of the turnout Beta.
        turnout_concentration: f64,
    },
    /// Given per person (dense person ids), each in [0, 1].
    Given {
        /// Lean of each person.
        lean: Vec<f64>,
        /// Turnout propensity of each person.
        turnout: Vec<f64>,
    },
}

/// Per-person voter columns (dense person ids) and per-account effect multipliers, each
/// optional. A column given here overrides the graph's attribute column of the same name
/// (`lean`, `turnout`, `eligible`, `effect_multiplier`); a NaN entry means "not given" for that
/// person, who then takes the graph's value or else the default: lean and turnout from
/// [`VoterStates`] (the jurisdiction's laws, integrated out), eligible 1, multiplier 1.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct PersonVoters {
    /// Probability that the person votes for side A when voting, in [0, 1] (per person).
    pub lean: Option<Vec<f64>>,
    /// Probability that the person votes, in [0, 1] (per person).
    pub turnout: Option<Vec<f64>>,
    /// Share of the voters the person stands for who are eligible to vote, in [0, 1]: 0 or 1
    /// for one voter, a share for a person standing for many (per person).
    pub eligible: Option<Vec<f64>>,
    /// Effect multiplier of each account's posts, >= 0 (per account; an assumption, default 1):
    /// scales the persuasion, mobilization and backlash rates of the people the account's
    /// posts reach, e.g. for the trust attributed to a micro-influencer.
    pub effect_multiplier: Option<Vec<f64>>,
}

/// Default concentration of the lean Beta (1: strongly polarized, most people nearly certain).
pub const DEFAULT_LEAN_CONCENTRATION: f64 = 1.0;
/// Default concentration of the turnout Beta.
pub const DEFAULT_TURNOUT_CONCENTRATION: f64 = 2.0;

impl Default for VoterStates {
    fn default() -> Self {
        VoterStates::Drawn {
            lean_concentration: DEFAULT_LEAN_CONCENTRATION,
            turnout_concentration: DEFAULT_TURNOUT_CONCENTRATION,
        }
    }
}

/// How the campaign's posts reach people.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Exposure {
    /// The seeds' followers see each post with the edge probability (no resharing).
    OneHop,
    /// Each post spreads as a cascade; the accounts it activates are reached.
    Cascade {
        /// IC or LT.
        model: Model,
        /// Hop horizon (reshare steps), unbounded when absent.
        hops: Option<u32>,
    },
}

impl Exposure {
    /// `one_hop`, `ic` or `lt`.
    pub fn name(&self) -> &'static str {
        match self {
            Exposure::OneHop => "one_hop",
            Exposure::Cascade { model, .. } => model.name(),
        }
    }
}

/// A campaign: who posts, how the posts travel, what it costs.
#[derive(Debug, Clone, PartialEq)]
pub struct Campaign {
    /// Seed accounts (dense ids).
    pub seeds: Vec<u32>,
    /// Exposure model.
    pub exposure: Exposure,
    /// Posts per creator (each an independent chance of exposure; cascades: at most 32).
    pub posts_per_creator: u32,
    /// Cost of the campaign, for the cost per net vote (the seeds' summed costs when `None`
    /// and every seed has one).
    pub cost: Option<f64>,
}

impl Campaign {
    /// One post per creator, one-hop exposure.
    pub fn one_hop(seeds: Vec<u32>) -> Self {
        Campaign {
            seeds,
            exposure: Exposure::OneHop,
            posts_per_creator: 1,
            cost: None,
        }
    }
}

/// Configuration of a margin simulation; build with [`MarginConfig::builder`].
#[derive(Debug, Clone, PartialEq)]
pub struct MarginConfig {
    pub(crate) draws: u64,
    pub(crate) sampling: Sampling,
    pub(crate) exposure_trials: Option<u64>,
    pub(crate) effects: EffectModel,
    pub(crate) error: BaselineError,
    pub(crate) mapping: Mapping,
    pub(crate) scale: VoterScale,
    pub(crate) voters: VoterStates,
    pub(crate) targets: TargetRule,
    pub(crate) people: PersonVoters,
}

/// Default number of Monte Carlo draws.
pub const DEFAULT_DRAWS: u64 = 10_000;
/// Default number of exposure realizations, reused by the draws in turn. Reach varies little
/// between realizations (about 1% on the benchmark population) next to the effect-size and
/// baseline uncertainty, and realizations are most of the cost (measured: 10,000 one-hop
/// realizations of 100 creators on a 1M-edge population take 19 s on one core).
pub const DEFAULT_EXPOSURE_TRIALS: u64 = 1_000;
/// Default tipping-point share above which a jurisdiction is a target of the budget sweep and
/// of `--target swing`: 1% of the baseline's draws.
pub const DEFAULT_TIPPING_SHARE: f64 = 0.01;

/// How the target jurisdictions of the budget sweep (and of a planner's `--target swing`) are
/// chosen. Never from the certified margin of the election being simulated: a state that came
/// out close was not known to be close beforehand (that rule left Arizona, at -5.53 points in
/// 2024, out of a 5-point band it was forecast inside).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TargetRule {
    /// Jurisdictions whose share of the baseline's draws in which they are the tipping point
    /// (the unit that gives the winner its majority, ordered by margin) is at least
    /// `min_share`. The draws are those of the baseline error, so with a forecast electorate
    /// (per-jurisdiction `dem_margin_sd`) these are the forecast's own tipping-point
    /// probabilities.
    TippingPoint {
        /// Smallest share, in (0, 1].
        min_share: f64,
    },
    /// Jurisdiction ids the user lists.
    List(Vec<String>),
}

impl Default for TargetRule {
    fn default() -> Self {
        TargetRule::TippingPoint {
            min_share: DEFAULT_TIPPING_SHARE,
        }
    }
}

impl TargetRule {
    /// The rule in words, for the output.
    pub fn describe(&self) -> String {
        match self {
            TargetRule::TippingPoint { min_share } => format!(
                "tipping point in at least {}% of the baseline's simulated draws (no campaign)",
                100.0 * min_share
            ),
            TargetRule::List(ids) => format!("listed by the user: {}", ids.join(", ")),
        }
    }

    pub(crate) fn validate(&self) -> Result<()> {
        match self {
            TargetRule::TippingPoint { min_share } => {
                if !(min_share.is_finite() && *min_share > 0.0 && *min_share <= 1.0) {
                    return Err(Error::invalid_parameter(
                        "tipping-point share",
                        min_share,
                        "must be a share in (0, 1], e.g. 0.01 for 1% of the draws",
                    ));
                }
            }
            TargetRule::List(ids) => {
                if ids.is_empty() {
                    return Err(Error::Empty {
                        what: "target jurisdiction list".into(),
                    });
                }
            }
        }
        Ok(())
    }
}

impl MarginConfig {
    /// A builder with the defaults: 10,000 draws, seed 0, all threads, the field-evidence
    /// effect priors, the default baseline error, automatic mapping, one voter per person,
    /// voter states from the jurisdictions' laws ([`VoterStates::Drawn`], integrated out).
    pub fn builder() -> MarginConfigBuilder {
        MarginConfigBuilder {
            config: MarginConfig {
                draws: DEFAULT_DRAWS,
                sampling: Sampling::default(),
                exposure_trials: None,
                effects: EffectModel::default(),
                error: BaselineError::default(),
                mapping: Mapping::Auto,
                scale: VoterScale::default(),
                voters: VoterStates::default(),
                targets: TargetRule::default(),
                people: PersonVoters::default(),
            },
        }
    }
    /// Monte Carlo draws.
    pub fn draws(&self) -> u64 {
        self.draws
    }
    /// Exposure realizations (draw `d` uses realization `d mod R`); by default
    /// [`DEFAULT_EXPOSURE_TRIALS`], at most one per draw.
    pub fn exposure_trials(&self) -> u64 {
        self.exposure_trials
            .unwrap_or(DEFAULT_EXPOSURE_TRIALS)
            .min(self.draws)
    }
    /// The effect model.
    pub fn effects(&self) -> &EffectModel {
        &self.effects
    }
    /// The baseline error.
    pub fn error(&self) -> &BaselineError {
        &self.error
    }
    /// The mapping of people to jurisdictions.
    pub fn mapping(&self) -> Mapping {
        self.mapping
    }
    /// Voters per graph person.
    pub fn scale(&self) -> &VoterScale {
        &self.scale
    }
    /// Voter states.
    pub fn voters(&self) -> &VoterStates {
        &self.voters
    }
    /// How target jurisdictions are chosen.
    pub fn targets(&self) -> &TargetRule {
        &self.targets
    }
    /// Per-person voter columns and per-account effect multipliers.
    pub fn people(&self) -> &PersonVoters {
        &self.people
    }
    /// A copy with other effects (for sweeps).
    pub fn with_effects(&self, effects: EffectModel) -> MarginConfig {
        MarginConfig {
            effects,
            ..self.clone()
        }
    }
    /// A copy with other per-person voter columns and voters per person (a synthetic graph
    /// of a creator table: its people's lean and eligibility, its scale).
    pub fn with_people(&self, people: PersonVoters, scale: VoterScale) -> MarginConfig {
        MarginConfig {
            people,
            scale,
            ..self.clone()
        }
    }
}

/// Builder of [`MarginConfig`].
#[derive(Debug, Clone)]
pub struct MarginConfigBuilder {
    config: MarginConfig,
}

// Hops belong to the campaign's exposure, and the exposure cascades run with the default
// sampling: only the seed and threads apply.
crate::sampling::sampling_settings!(MarginConfig, MarginConfigBuilder, memory_limit_bytes);

impl MarginConfigBuilder {
    /// Monte Carlo draws (at least 1).
    pub fn draws(mut self, n: u64) -> Self {
        self.config.draws = n;
        self
    }
    /// Exposure realizations (at most the draws; fewer is faster, draws reuse them in turn).
    pub fn exposure_trials(mut self, n: u64) -> Self {
        self.config.exposure_trials = Some(n);
        self
    }
    /// The effect model.
    pub fn effects(mut self, e: EffectModel) -> Self {
        self.config.effects = e;
        self
    }
    /// The baseline error.
    pub fn error(mut self, e: BaselineError) -> Self {
        self.config.error = e;
        self
    }
    /// The mapping of people to jurisdictions.
    pub fn mapping(mut self, m: Mapping) -> Self {
        self.config.mapping = m;
        self
    }
    /// Voters per graph person.
    pub fn scale(mut self, s: VoterScale) -> Self {
        self.config.scale = s;
        self
    }
    /// Voter states.
    pub fn voters(mut self, v: VoterStates) -> Self {
        self.config.voters = v;
        self
    }
    /// How target jurisdictions are chosen (budget sweep; default: tipping point in at least
    /// [`DEFAULT_TIPPING_SHARE`] of the baseline's draws).
    pub fn targets(mut self, t: TargetRule) -> Self {
        self.config.targets = t;
        self
    }
    /// Per-person lean, turnout and eligibility, and per-account effect multipliers (each
    /// overrides the graph's attribute column of the same name).
    pub fn people(mut self, p: PersonVoters) -> Self {
        self.config.people = p;
        self
    }

    /// Validates and builds.
    ///
    /// # Errors
    /// [`Error::InvalidParameter`] naming the setting out of range, including invalid sampling
    /// settings ([`Sampling::validate`]) and settings a margin simulation does not use (hops,
    /// set on the campaign's [`Exposure::Cascade`]; subset sampling). Draws are at most
    /// [`crate::limits::MAX_DRAWS`]; their memory is checked by [`super::Simulation::new`].
    pub fn build(self) -> Result<MarginConfig> {
        let c = self.config;
        crate::limits::check_range("draws", c.draws, 1, crate::limits::MAX_DRAWS)?;
        if c.exposure_trials == Some(0) {
            return Err(Error::invalid_parameter(
                "exposure_trials",
                0,
                "need at least 1 exposure realization",
            ));
        }
        c.sampling.validate()?;
        c.sampling.reject_unused(
            "margin simulation (hops are set on the campaign's exposure)",
            &["hops", "subset_sampling"],
        )?;
        c.effects.validate()?;
        c.error.validate()?;
        let positive = |name: &str, v: f64| -> Result<()> {
            if v.is_finite() && v > 0.0 {
                Ok(())
            } else {
                Err(Error::invalid_parameter(
                    name,
                    v,
                    "must be a finite number > 0",
                ))
            }
        };
        // Finite is not enough: 1e300 voters per person overflows the vote counts to inf, and
        // inf - inf makes every margin NaN. A billion (an eighth of humanity) is the cap.
        let scale = |name: &str, v: f64| -> Result<()> {
            positive(name, v)?;
            if v > MAX_VOTERS_PER_PERSON {
                return Err(Error::invalid_parameter(
                    name,
                    format!("{v:e}"),
                    format!("must be at most {MAX_VOTERS_PER_PERSON:e}"),
                ));
            }
            Ok(())
        };
        match &c.scale {
            VoterScale::Global(s) => scale("voters per person", *s)?,
            VoterScale::PerJurisdiction { scales, default } => {
                scale("voters per person default", *default)?;
                for (id, s) in scales {
                    scale(&format!("voters per person of {id}"), *s)?;
                }
            }
            VoterScale::Population => {}
        }
        if let VoterStates::Drawn {
            lean_concentration,
            turnout_concentration,
        } = c.voters
        {
            positive("lean concentration", lean_concentration)?;
            positive("turnout concentration", turnout_concentration)?;
        }
        c.targets.validate()?;
        Ok(c)
    }
}

/// Checks a campaign's settings that do not need the graph.
pub(crate) fn check_campaign(c: &Campaign) -> Result<()> {
    if c.posts_per_creator == 0 {
        return Err(Error::invalid_parameter(
            "posts per creator",
            0,
            "need at least 1 post",
        ));
    }
    // Each post of each creator is simulated for every follower and realization.
    crate::limits::check_range(
        "posts per creator",
        c.posts_per_creator,
        1,
        crate::limits::MAX_POSTS,
    )?;
    if let Exposure::Cascade { hops, .. } = c.exposure {
        check_hops(hops)?;
        if c.posts_per_creator as u64 > crate::cascade::CHUNK_TRIALS {
            return Err(Error::invalid_parameter(
                "posts per creator",
                c.posts_per_creator,
                format!(
                    "cascade exposure simulates each post as a cascade; at most {}",
                    crate::cascade::CHUNK_TRIALS
                ),
            ));
        }
    }
    if let Some(cost) = c.cost {
        if !(cost.is_finite() && cost >= 0.0) {
            return Err(Error::invalid_parameter(
                "campaign cost",
                cost,
                "must be a finite number >= 0",
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn posts_per_creator_is_bounded() {
        // u32::MAX posts used to be accepted and simulated one by one for about an hour.
        let mut c = Campaign::one_hop(vec![0]);
        for (posts, ok) in [(1, true), (crate::limits::MAX_POSTS, true), (0, false)] {
            c.posts_per_creator = posts;
            assert_eq!(check_campaign(&c).is_ok(), ok, "{posts}");
        }
        c.posts_per_creator = u32::MAX;
        let e = check_campaign(&c).unwrap_err();
        assert!(
            matches!(&e, Error::InvalidParameter { name, .. } if name == "posts per creator"),
            "{e}"
        );
    }
}
