//! The parameters of the audience model, their defaults and their prior ranges, with sources.
//!
//! See the [module docs](super) for the model itself. Every default here is an assumption and
//! is reported as one (with its source) by [`super::plan`].

use crate::error::{Error, Result};
use crate::margin::{Electorate, DEFAULT_TURNOUT};
use serde::Serialize;

/// US resident population, July 1 2024 (US Census Bureau, Vintage 2024 population estimates).
pub const US_RESIDENT_POPULATION_2024: f64 = 340_110_988.0;

/// People outside the electorate per eligible voter when the electorate is not the embedded US
/// one: the US ratio of residents who are not eligible voters (minors, non-citizens) to the
/// voting-eligible population, about 0.39 in 2024.
pub const DEFAULT_OUTSIDE_RATIO: f64 = 0.39;

/// Share of adults using a platform when the platform is not in [`PEW_2024_ADOPTION`]: about
/// the median of that list (an assumption, reported as one).
pub const UNKNOWN_PLATFORM_ADOPTION: f64 = 0.30;

/// Source of [`PEW_2024_ADOPTION`].
pub const PEW_SOURCE: &str = "Pew Research Center, \"Americans' Social Media Use\", January 2024 \
                              (share of US adults who say they ever use the platform)";

/// Share of US adults using each platform (see [`PEW_SOURCE`]); names are matched
/// case-insensitively, `x` and `twitter` are one platform.
pub const PEW_2024_ADOPTION: [(&str, f64); 11] = [
    ("youtube", 0.83),
    ("facebook", 0.68),
    ("instagram", 0.47),
    ("pinterest", 0.35),
    ("tiktok", 0.33),
    ("linkedin", 0.30),
    ("whatsapp", 0.29),
    ("snapchat", 0.27),
    ("x", 0.22),
    ("twitter", 0.22),
    ("reddit", 0.22),
];

/// The default adoption of a platform and whether it came from [`PEW_2024_ADOPTION`].
pub fn default_adoption(platform: &str) -> (f64, bool) {
    let p = platform.trim().to_ascii_lowercase();
    match PEW_2024_ADOPTION.iter().find(|(n, _)| *n == p) {
        Some(&(_, a)) => (a, true),
        None => (UNKNOWN_PLATFORM_ADOPTION, false),
    }
}

/// The people audiences are drawn from: eligible voters by jurisdiction, and people outside
/// the electorate (platform users who are not eligible voters: minors, non-citizens, people
/// abroad).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Population {
    /// Jurisdiction ids, as in [`super::CreatorTable::jurisdictions`].
    pub jurisdictions: Vec<String>,
    /// Eligible voters of each jurisdiction (real people).
    pub people: Vec<f64>,
    /// People outside the electorate (real people).
    pub outside: f64,
    /// Where the numbers come from.
    pub source: String,
}

impl Population {
    /// The default population of an electorate's state rows: each state's voting-eligible
    /// population (or, where the electorate does not give it, its votes cast over
    /// [`DEFAULT_TURNOUT`]); outside people = US residents minus eligible voters for the
    /// embedded US electorates, else [`DEFAULT_OUTSIDE_RATIO`] times the eligible voters.
    pub fn from_electorate(e: &Electorate) -> Population {
        let idx = e.state_indices();
        let mut estimated = 0usize;
        let people: Vec<f64> = idx
            .iter()
            .map(|&i| {
                let u = &e.units[i];
                match u.voting_eligible_population {
                    Some(v) if v > 0.0 => v,
                    _ => {
                        estimated += 1;
                        u.total_votes / DEFAULT_TURNOUT
                    }
                }
            })
            .collect();
        let eligible: f64 = people.iter().sum();
        let us = e.name.starts_with("us-");
        let outside = if us && US_RESIDENT_POPULATION_2024 > eligible {
            US_RESIDENT_POPULATION_2024 - eligible
        } else {
            DEFAULT_OUTSIDE_RATIO * eligible
        };
        let mut source = format!("eligible voters: {}", e.source);
        if estimated > 0 {
            source.push_str(&format!(
                "; {estimated} jurisdictions without an eligible population use votes cast / \
                 {DEFAULT_TURNOUT} turnout"
            ));
        }
        if us {
            source.push_str(
                "; outside the electorate: US resident population (Census Bureau Vintage 2024, \
                 340.1M) minus eligible voters (minors, non-citizens)",
            );
        } else {
            source.push_str(&format!(
                "; outside the electorate: {DEFAULT_OUTSIDE_RATIO} per eligible voter (the US \
                 2024 ratio of non-eligible residents to eligible voters)"
            ));
        }
        Population {
            jurisdictions: idx.iter().map(|&i| e.units[i].id.clone()).collect(),
            people,
            outside,
            source,
        }
    }

    /// A population without geography: `people` people, all "outside" any jurisdiction (used
    /// when the table has no electorate, e.g. a graph's own people).
    pub fn uniform(people: f64, source: &str) -> Population {
        Population {
            jurisdictions: Vec::new(),
            people: Vec::new(),
            outside: people,
            source: source.to_string(),
        }
    }

    /// Everyone: eligible voters plus outside people.
    pub fn total(&self) -> f64 {
        self.people.iter().sum::<f64>() + self.outside
    }

    /// The same population scaled to `total` people (jurisdictions and outside in proportion).
    ///
    /// # Errors
    /// [`Error::InvalidParameter`] when `total` is not a finite number > 0.
    pub fn with_total(&self, total: f64) -> Result<Population> {
        if !(total.is_finite() && total > 0.0) {
            return Err(Error::invalid_parameter(
                "population",
                total,
                "must be a finite number of people > 0",
            ));
        }
        let f = total / self.total();
        Ok(Population {
            jurisdictions: self.jurisdictions.clone(),
            people: self.people.iter().map(|p| p * f).collect(),
            outside: self.outside * f,
            source: format!(
                "{} (scaled to a total of {total} people by --population)",
                self.source
            ),
        })
    }
}

/// Activity classes: a mixture of Dirac deltas. A person is in class `k` with probability
/// `weights[k]` and then follows accounts at `levels[k]` times the average rate; the mean
/// level is 1 (`Σ w_k a_k = 1`). A class at level 0 is people who follow nobody.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ActivityMixture {
    /// Class weights (sum 1).
    pub weights: Vec<f64>,
    /// Class activity levels (≥ 0, weighted mean 1).
    pub levels: Vec<f64>,
}

/// Probability cut points of the Gamma discretisation: finer in the upper tail, where heavy
/// users carry the overlaps.
const GAMMA_CUTS: [f64; 15] = [
    0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 0.98, 0.99, 0.995, 0.999, 0.9999,
];

impl ActivityMixture {
    /// One class at level 1: everyone equally active (the independence assumption).
    pub fn independence() -> ActivityMixture {
        ActivityMixture {
            weights: vec![1.0],
            levels: vec![1.0],
        }
    }

    /// The model's activity family: a share `zero` of people follow nobody; the others have a
    /// Gamma-distributed activity of shape `shape` (smaller = more unequal), discretised into 16
    /// classes by probability (finer in the upper tail), each at the Gamma's conditional mean
    /// in its slice, so the mixture's mean is exactly 1.
    ///
    /// # Errors
    /// [`Error::InvalidParameter`] for `zero` outside [0, 1) or `shape` not finite and > 0.
    pub fn zero_gamma(zero: f64, shape: f64) -> Result<ActivityMixture> {
        if !(0.0..1.0).contains(&zero) {
            return Err(Error::invalid_parameter(
                "zero_share",
                zero,
                "must be in [0, 1)",
            ));
        }
        if !(shape.is_finite() && shape > 0.0) {
            return Err(Error::invalid_parameter(
                "activity_shape",
                shape,
                "must be a finite number > 0",
            ));
        }
        // Gamma(shape, scale 1/shape) has mean 1; E[X; X < x] = P(shape + 1, shape·x).
        let mut cuts = vec![0.0];
        cuts.extend(GAMMA_CUTS);
        cuts.push(1.0);
        let xs: Vec<f64> = cuts
            .iter()
            .map(|&p| {
                if p <= 0.0 {
                    0.0
                } else if p >= 1.0 {
                    f64::INFINITY
                } else {
                    gamma_p_inv(shape, p)
                }
            })
            .collect();
        let mean_upto = |x: f64| {
            if x.is_infinite() {
                1.0
            } else {
                gamma_p(shape + 1.0, x)
            }
        };
        let scale = 1.0 / (1.0 - zero);
        let mut weights = Vec::with_capacity(cuts.len());
        let mut levels = Vec::with_capacity(cuts.len());
        if zero > 0.0 {
            weights.push(zero);
            levels.push(0.0);
        }
        for w in 0..cuts.len() - 1 {
            let p = cuts[w + 1] - cuts[w];
            let m = mean_upto(xs[w + 1]) - mean_upto(xs[w]);
            if p > 0.0 {
                weights.push(p * (1.0 - zero));
                levels.push(scale * m / p);
            }
        }
        let mut a = ActivityMixture { weights, levels };
        a.normalise();
        Ok(a)
    }

    /// Rescales levels so the weighted mean is exactly 1 (removes rounding drift).
    fn normalise(&mut self) {
        let wsum: f64 = self.weights.iter().sum();
        for w in &mut self.weights {
            *w /= wsum;
        }
        let mean: f64 = self
            .weights
            .iter()
            .zip(&self.levels)
            .map(|(w, a)| w * a)
            .sum();
        if mean > 0.0 {
            for a in &mut self.levels {
                *a /= mean;
            }
        }
    }

    /// `E[a²]`: the factor by which pairwise overlaps exceed independence (before clipping).
    pub fn second_moment(&self) -> f64 {
        self.weights
            .iter()
            .zip(&self.levels)
            .map(|(w, a)| w * a * a)
            .sum()
    }
}

/// Regularized lower incomplete gamma function `P(s, x)` (series for `x < s + 1`, continued
/// fraction otherwise).
pub(crate) fn gamma_p(s: f64, x: f64) -> f64 {
    if x <= 0.0 {
        return 0.0;
    }
    let lg = ln_gamma(s);
    if x < s + 1.0 {
        let (mut sum, mut term, mut n) = (1.0 / s, 1.0 / s, s);
        for _ in 0..10_000 {
            n += 1.0;
            term *= x / n;
            sum += term;
            if term.abs() < sum.abs() * 1e-15 {
                break;
            }
        }
        (sum.ln() - x + s * x.ln() - lg).exp().min(1.0)
    } else {
        // Lentz's continued fraction for Q(s, x).
        let tiny = 1e-300;
        let mut b = x + 1.0 - s;
        let mut c = 1.0 / tiny;
        let mut d = 1.0 / b;
        let mut h = d;
        for i in 1..10_000 {
            let an = -(i as f64) * (i as f64 - s);
            b += 2.0;
            d = an * d + b;
            if d.abs() < tiny {
                d = tiny;
            }
            c = b + an / c;
            if c.abs() < tiny {
                c = tiny;
            }
            d = 1.0 / d;
            let del = d * c;
            h *= del;
            if (del - 1.0).abs() < 1e-15 {
                break;
            }
        }
        let q = (-x + s * x.ln() - lg).exp() * h;
        (1.0 - q).clamp(0.0, 1.0)
    }
}

/// `x` with `P(s, x) = p`, for `p` in (0, 1), by bracketing and bisection on a log scale.
pub(crate) fn gamma_p_inv(s: f64, p: f64) -> f64 {
    let (mut lo, mut hi) = (1e-300f64, s.max(1.0));
    while gamma_p(s, hi) < p {
        hi *= 2.0;
    }
    for _ in 0..200 {
        let mid = if lo < 1e-200 {
            hi * 1e-3
        } else {
            (lo * hi).sqrt()
        };
        let mid = if mid <= lo || mid >= hi {
            0.5 * (lo + hi)
        } else {
            mid
        };
        if gamma_p(s, mid) < p {
            lo = mid;
        } else {
            hi = mid;
        }
        if hi - lo <= 1e-13 * hi {
            break;
        }
    }
    0.5 * (lo + hi)
}

/// ln Γ(x) for x > 0 (Lanczos approximation, g = 7, 9 terms).
pub(crate) fn ln_gamma(x: f64) -> f64 {
    const C: [f64; 9] = [
        0.999_999_999_999_809_9,
        676.520_368_121_885_1,
        -1_259.139_216_722_402_8,
        771.323_428_777_653_1,
        -176.615_029_162_140_6,
        12.507_343_278_686_905,
        -0.138_571_095_265_720_12,
        9.984_369_578_019_572e-6,
        1.505_632_735_149_311_6e-7,
    ];
    if x < 0.5 {
        let pi = std::f64::consts::PI;
        return (pi / (pi * x).sin()).ln() - ln_gamma(1.0 - x);
    }
    let x = x - 1.0;
    let mut a = C[0];
    let t = x + 7.5;
    for (i, c) in C.iter().enumerate().skip(1) {
        a += c / (x + i as f64);
    }
    0.5 * (2.0 * std::f64::consts::PI).ln() + (x + 0.5) * t.ln() - t + a.ln()
}

/// One full set of model parameters (one draw of the posterior, or a fixed assumption).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ModelParams {
    /// People's activity classes.
    pub activity: ActivityMixture,
    /// Shared fandom `rho`: the probability that a person's follows of one creator's accounts
    /// are driven by one draw (the same fans on every platform) rather than independent ones.
    pub identity: f64,
    /// Share of people on each platform of the table (same order as its `platforms`).
    pub adoption: Vec<f64>,
    /// Share of an account's followers outside the electorate when its row gives neither
    /// geography nor `eligible`.
    pub outside_share_default: f64,
    /// Tilt of an account without geography towards its creator's home state: the home state's
    /// share is this many times its population share (1 = a national audience).
    pub home_factor: f64,
    /// The people audiences are drawn from.
    pub population: Population,
    /// Share of people who follow nobody (the zero class of [`Self::activity`]).
    pub zero_share: f64,
    /// Gamma shape of the active people's activity (`f64::INFINITY` = all equally active).
    pub activity_shape: f64,
}

impl ModelParams {
    /// Parameters from the continuous values: zero share, activity shape (`INFINITY` = one
    /// class), identity, home factor.
    ///
    /// # Errors
    /// [`Error::InvalidParameter`] for a value out of range.
    pub fn from_values(
        values: &ParamValues,
        adoption: Vec<f64>,
        population: Population,
    ) -> Result<ModelParams> {
        for (name, v, lo, hi) in [
            ("identity", values.identity, 0.0, 1.0),
            ("home_factor", values.home_factor, 1.0, 1e6),
        ] {
            if !(v.is_finite() && (lo..=hi).contains(&v)) {
                return Err(Error::invalid_parameter(
                    name,
                    v,
                    format!("must be in [{lo}, {hi}]"),
                ));
            }
        }
        let activity = if values.activity_shape.is_infinite() && values.zero_share == 0.0 {
            ActivityMixture::independence()
        } else if values.activity_shape.is_infinite() {
            let z = values.zero_share;
            if !(0.0..1.0).contains(&z) {
                return Err(Error::invalid_parameter(
                    "zero_share",
                    z,
                    "must be in [0, 1)",
                ));
            }
            ActivityMixture {
                weights: vec![z, 1.0 - z],
                levels: vec![0.0, 1.0 / (1.0 - z)],
            }
        } else {
            ActivityMixture::zero_gamma(values.zero_share, values.activity_shape)?
        };
        let outside_share_default = if population.total() > 0.0 {
            population.outside / population.total()
        } else {
            0.0
        };
        Ok(ModelParams {
            activity,
            identity: values.identity,
            adoption,
            outside_share_default,
            home_factor: values.home_factor,
            population,
            zero_share: values.zero_share,
            activity_shape: values.activity_shape,
        })
    }

    /// The continuous values these parameters were built from.
    pub fn values(&self) -> ParamValues {
        ParamValues {
            zero_share: self.zero_share,
            activity_shape: self.activity_shape,
            identity: self.identity,
            home_factor: self.home_factor,
        }
    }
}

/// The fitted (continuous) parameters of the model.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct ParamValues {
    /// Share of people who follow nobody, in [0, 1).
    pub zero_share: f64,
    /// Gamma shape of active people's activity (> 0; `INFINITY` = equal activity).
    pub activity_shape: f64,
    /// Shared fandom of one creator's accounts, in [0, 1].
    pub identity: f64,
    /// Home-state tilt of audiences without geography, ≥ 1.
    pub home_factor: f64,
}

impl ParamValues {
    /// The named independence assumption: everyone equally active, nobody inactive, no shared
    /// fandom, national audiences.
    pub const INDEPENDENCE: ParamValues = ParamValues {
        zero_share: 0.0,
        activity_shape: f64::INFINITY,
        identity: 0.0,
        home_factor: 1.0,
    };
}

/// What the population a platform's adoption picks out counts, which decides the prior of the
/// share of it who follow none of the accounts (the zero class).
///
/// The planning default population is adults times each platform's adoption (Pew: people who
/// use the platform), i.e. the platform's **users**; a user of a platform follows someone, so
/// few of them belong to the zero class. A population of **everyone** (all the people of a
/// graph or a country, whether they follow anyone or not) can have most of its people in it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PopulationKind {
    /// The platform's users (the default: adults × adoption); zero share prior U[0, 0.1].
    #[default]
    Users,
    /// Everyone, followers or not; zero share prior U[0, 0.7].
    Everyone,
}

impl PopulationKind {
    /// `users` or `everyone`.
    pub fn label(self) -> &'static str {
        match self {
            PopulationKind::Users => "users",
            PopulationKind::Everyone => "everyone",
        }
    }

    /// Parses `users` (also `followers`) or `everyone` (also `people`).
    ///
    /// # Errors
    /// [`Error::InvalidParameter`] naming the value otherwise.
    pub fn parse(s: &str) -> Result<PopulationKind> {
        match s.trim().to_ascii_lowercase().as_str() {
            "users" | "followers" => Ok(PopulationKind::Users),
            "everyone" | "people" => Ok(PopulationKind::Everyone),
            _ => Err(Error::invalid_parameter(
                "population_counts",
                s,
                "must be users (the platform's users: people who follow someone) or everyone \
                 (all people, followers or not)",
            )),
        }
    }
}

/// A prior range of one parameter: uniform on `[low, high]`, or on `[ln low, ln high]` when
/// `log` is set.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PriorRange {
    /// Parameter name.
    pub name: &'static str,
    /// Lower end.
    pub low: f64,
    /// Upper end.
    pub high: f64,
    /// Uniform on a log scale.
    pub log: bool,
    /// Why this range.
    pub source: String,
}

impl PriorRange {
    /// The value at quantile `u` in [0, 1].
    pub fn at(&self, u: f64) -> f64 {
        if self.log {
            (self.low.ln() + u * (self.high.ln() - self.low.ln())).exp()
        } else {
            self.low + u * (self.high - self.low)
        }
    }
}

/// Upper end of the zero-share prior when the population counts a platform's users.
pub const USERS_ZERO_SHARE_HIGH: f64 = 0.1;

/// Upper end of the zero-share prior when the population counts everyone.
pub const EVERYONE_ZERO_SHARE_HIGH: f64 = 0.7;

/// The zero-share prior for a population of `kind`.
pub fn zero_share_prior(kind: PopulationKind) -> PriorRange {
    match kind {
        PopulationKind::Users => PriorRange {
            name: "zero_share",
            low: 0.0,
            high: USERS_ZERO_SHARE_HIGH,
            log: false,
            source: "assumption: the population counts a platform's users (adults × the \
                     platform's adoption, Pew's share of adults who use it), and a user follows \
                     someone: near zero, up to 0.1 for users who follow none of the accounts' \
                     kind (passive users; no public measurement)"
                .into(),
        },
        PopulationKind::Everyone => PriorRange {
            name: "zero_share",
            low: 0.0,
            high: EVERYONE_ZERO_SHARE_HIGH,
            log: false,
            source: "assumption: the population counts everyone, followers or not; wide range \
                     covering the real follower graphs of the benchmarks (from none to most \
                     people passive: two thirds of wiki-Vote's people follow nobody)"
                .into(),
        },
    }
}

/// The activity-shape prior (the same for both kinds of population).
pub fn activity_shape_prior() -> PriorRange {
    PriorRange {
        name: "activity_shape",
        low: ACTIVITY_SHAPE_LOW,
        high: ACTIVITY_SHAPE_HIGH,
        log: true,
        source: format!(
            "assumption: Gamma shape of active people's follow activity; shape \
             {ACTIVITY_SHAPE_LOW} is very unequal (heavy users dominate), {ACTIVITY_SHAPE_HIGH} \
             nearly equal; the activity-distribution reach models of Koehler, Skvortsov et al. \
             (2016) and Skvortsov & Koehler (2019) fit such mixtures to panel data"
        ),
    }
}

/// Lower end of the activity-shape prior (log-uniform).
pub const ACTIVITY_SHAPE_LOW: f64 = 0.15;

/// Upper end of the activity-shape prior (log-uniform).
pub const ACTIVITY_SHAPE_HIGH: f64 = 6.0;

/// The documented prior ranges of the four parameters (zero share, activity shape, identity,
/// home factor) for a population of `kind`. They are wide on purpose: with no measured
/// overlaps the answer's interval shows how little the counts alone say.
pub fn prior_ranges_for(kind: PopulationKind) -> [PriorRange; 4] {
    [
        zero_share_prior(kind),
        activity_shape_prior(),
        PriorRange {
            name: "identity",
            low: 0.2,
            high: 0.9,
            log: false,
            source: "assumption: a creator's accounts on several platforms share most of their \
                     fans; no public measurement, so a wide range"
                .into(),
        },
        PriorRange {
            name: "home_factor",
            low: 1.0,
            high: 4.0,
            log: true,
            source: "assumption: creators' audiences lean to their home state (local news, \
                     local fans); 1 = purely national, 4 = four times the home state's \
                     population share; used only for accounts without audience geography"
                .into(),
        },
    ]
}

/// The prior ranges for the default population (a platform's users,
/// [`PopulationKind::Users`]).
pub fn prior_ranges() -> [PriorRange; 4] {
    prior_ranges_for(PopulationKind::default())
}

/// The central (prior median) values for the default population, used where one set of
/// parameters is needed before any fit.
pub fn prior_medians() -> ParamValues {
    let r = prior_ranges();
    ParamValues {
        zero_share: r[0].at(0.5),
        activity_shape: r[1].at(0.5),
        identity: r[2].at(0.5),
        home_factor: r[3].at(0.5),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gamma_p_matches_known_values() {
        // P(1, x) = 1 - e^-x; P(0.5, x) = erf(sqrt x).
        for x in [0.01, 0.5, 1.0, 3.0, 10.0] {
            assert!((gamma_p(1.0, x) - (1.0 - (-x).exp())).abs() < 1e-12, "{x}");
        }
        assert!((gamma_p(0.5, 1.0) - 0.842_700_792_949_714_9).abs() < 1e-10);
        assert!((gamma_p(3.0, 2.0) - 0.323_323_583_816_936_5).abs() < 1e-10);
        for (s, p) in [(0.2, 0.3), (1.0, 0.999), (4.0, 0.05)] {
            assert!((gamma_p(s, gamma_p_inv(s, p)) - p).abs() < 1e-9);
        }
    }

    #[test]
    fn zero_gamma_has_mean_one_and_the_gamma_second_moment() {
        for (z, k) in [(0.0, 1.0), (0.3, 0.5), (0.6, 3.0)] {
            let a = ActivityMixture::zero_gamma(z, k).unwrap();
            let w: f64 = a.weights.iter().sum();
            let m: f64 = a.weights.iter().zip(&a.levels).map(|(w, a)| w * a).sum();
            assert!((w - 1.0).abs() < 1e-12 && (m - 1.0).abs() < 1e-12);
            // Discretising by conditional means loses a little of E[a^2] = (1 + 1/k)/(1 - z).
            let exact = (1.0 + 1.0 / k) / (1.0 - z);
            let got = a.second_moment();
            assert!(
                got <= exact + 1e-9 && got > 0.85 * exact,
                "{z} {k}: {got} vs {exact}"
            );
        }
        assert!(ActivityMixture::zero_gamma(1.0, 1.0).is_err());
        assert!(ActivityMixture::zero_gamma(0.1, 0.0).is_err());
    }

    #[test]
    fn zero_share_prior_depends_on_what_the_population_counts() {
        let users = prior_ranges_for(PopulationKind::Users);
        let everyone = prior_ranges_for(PopulationKind::Everyone);
        assert_eq!(
            (users[0].name, everyone[0].name),
            ("zero_share", "zero_share")
        );
        assert_eq!((users[0].low, users[0].high), (0.0, USERS_ZERO_SHARE_HIGH));
        assert_eq!(
            (everyone[0].low, everyone[0].high),
            (0.0, EVERYONE_ZERO_SHARE_HIGH)
        );
        assert!(users[0].high < everyone[0].high);
        assert_ne!(users[0].source, everyone[0].source);
        // The other three priors do not depend on it.
        assert_eq!(users[1..], everyone[1..]);
        // The default is the users' (the default population is adults × adoption).
        assert_eq!(prior_ranges(), users);
        assert!((prior_medians().zero_share - 0.05).abs() < 1e-12);
        assert_eq!(
            PopulationKind::parse(" Users").unwrap(),
            PopulationKind::Users
        );
        assert_eq!(
            PopulationKind::parse("people").unwrap(),
            PopulationKind::Everyone
        );
        let e = PopulationKind::parse("adults").unwrap_err().to_string();
        assert!(
            e.contains("population_counts") && e.contains("adults"),
            "{e}"
        );
    }

    #[test]
    fn population_scales_in_proportion() {
        let e = Electorate::us_president(2024, crate::Side::Dem).unwrap();
        let p = Population::from_electorate(&e);
        assert_eq!(p.jurisdictions.len(), 51);
        assert!((p.total() - US_RESIDENT_POPULATION_2024).abs() < 1.0);
        let q = p.with_total(1e6).unwrap();
        assert!((q.total() - 1e6).abs() < 1e-6);
        assert!((q.outside / q.total() - p.outside / p.total()).abs() < 1e-12);
        assert!(p.with_total(-1.0).is_err());
    }
}
