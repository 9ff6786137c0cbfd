//! A seeded generator of a realistic multi-platform campaign population.
//!
//! The demo (`reachgraph demo`), the tests and the benchmarks need a graph that has what a real
//! campaign meets: people spread over the states like the electorate, several accounts per
//! person on different platforms, creators of every tier whose audiences overlap and cluster by
//! state and interest, and ordinary follows along which a reshared post can travel. This module
//! builds one from a [`ScenarioConfig`], the same for a given seed on any number of threads.
//!
//! ```
//! use reachgraph_core::scenario::{generate, ScenarioConfig};
//! use reachgraph_core::NoProgress;
//! let config = ScenarioConfig { people: 3_000, creators: 40, ..ScenarioConfig::demo() };
//! let sc = generate(&config, &NoProgress).unwrap();
//! let top = sc.creators[0];
//! assert!(sc.graph.label(top).contains(":c"));                // e.g. "ig:c12"
//! assert!(sc.graph.attributes().cost[top as usize] > 0.0);     // creators have a price
//! assert_eq!(sc.graph.attributes().jurisdiction.names.len(), 51);
//! ```
//!
//! ## The model
//! 1. **People and states.** `people` graph people are apportioned to the 51 state
//!    jurisdictions (50 states and DC) in proportion to the 2024 voting-eligible population
//!    ([`crate::election`], McDonald / UF Election Lab), by largest remainders, so the shares are
//!    exact up to rounding. One graph person stands for `scale` real people (default: national
//!    VEP / people), so the graph speaks for the whole electorate.
//! 2. **Platforms.** Each person holds an account on each platform independently with the
//!    platform's adoption rate, redrawn until they hold at least one (so 1–3 accounts with the
//!    default three platforms). Accounts of one person share the person and jurisdiction columns.
//! 3. **Interests.** Each person has one niche (uniform over `niches` topics) and, with
//!    probability `second_niche_share`, a second, different one.
//! 4. **Creators.** Creator *people* are drawn at random from the population (so their home
//!    states follow the electorate too); their first niche is their topic. Each has a real-world
//!    audience drawn from a truncated Pareto tail ([`AudienceTail`]); bigger creators more often
//!    run accounts on two or three platforms ([`CrossPlatform`]), with smaller audiences on the
//!    extra ones. `creators` counts creator *accounts*.
//! 5. **Audiences.** A creator account on platform *k* with a real audience *F* gets
//!    `d ≈ F / scale` followers in the graph (rounded at random, at least 1), all accounts on
//!    *k*: a share `home_state_share × niche_share` from its home state and niche, the rest of the
//!    home-state share from its state, the rest of the niche share from its niche nationwide, and
//!    the remainder from the whole platform. A pool never gives more than `max_audience_share` of
//!    itself; the excess spills to the wider pool, so big creators reach past their state. An
//!    extra-platform account first takes `shared_followers` of its audience from the people who
//!    already follow the creator's main account (on their account on this platform): the same
//!    person following one creator twice is exactly what summed follower counts double-count.
//! 6. **Ordinary follows.** Every ordinary (non-creator) account is followed by a geometric
//!    number (mean `mean_follows`) of accounts on its own platform, a share
//!    `same_state_follow_share` of them from its own state; so each account follows a
//!    Poisson-like number (same mean) of ordinary accounts, while follower counts are more
//!    spread, as they are in life. These give cascades paths beyond the first hop.
//! 7. **Attributes.** `followers` of a creator account is its graph audience × `scale` (the
//!    real-world count it stands for), so tiers come out of realistic counts; `cost` is the
//!    monthly price from the tier rate card times lognormal noise; ordinary accounts have no
//!    follower count (their tier is nano) and no price (NaN). Target weight is 1 everywhere.
//!
//! Every edge is `u → v` with `v` following `u` on the same platform, no self-loops, no
//! duplicates; probabilities are 1 (apply a [`crate::WeightScheme`] for cascades).
//!
//! ## Assumptions and their basis
//! Every modelled quantity is an **assumption**; the defaults and their basis are listed by
//! [`assumptions`] (the demo prints them) and on each field of [`ScenarioConfig`].
//!
//! ## External ids
//! With [`IdScheme::Readable`] (the default) account ids read `"{platform prefix}:{person}"`:
//! `"ig:c12"` is creator person 12's Instagram account, `"tt:p3456"` the TikTok account of
//! ordinary person 3456 (person numbers are positions in the population, which is ordered by
//! state); accounts of one person share the person part, which is also the person label.
//! [`IdScheme::Dense`] names accounts by their dense index instead, which saves about 155 bytes
//! per account on very large graphs. Dense account ids are laid out platform by platform, each
//! platform's accounts in person order.
//!
//! ## Determinism and speed
//! People and follows are drawn in fixed chunks of [`CHUNK`] items, creator audiences one
//! creator at a time, each from its own [`rng::stream`]; results are combined in order, so the
//! graph is identical on any number of threads. Work is O(people + edges) and runs in parallel
//! in the caller's rayon pool.

use crate::attrs::{Attributes, Categorical, Tier, NONE};
use crate::election::ElectionResults;
use crate::error::{Error, Result};
use crate::graph::{Graph, GraphOptions};
use crate::ids::NodeIds;
use crate::progress::Progress;
use crate::rng::{self, Rng};
use rand::Rng as _;
use rand_distr::StandardNormal;
use rayon::prelude::*;
use rustc_hash::{FxHashMap, FxHashSet};
use serde::{Deserialize, Serialize};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

/// People (or accounts) per random-stream chunk: fixed, so output does not depend on threads.
pub const CHUNK: usize = 1 << 14;

/// National voting-eligible population of the 51 state rows of the embedded 2024 file; the
/// fallback of [`national_vep`] (a test checks that they agree).
const VEP_2024: u64 = 241_585_482;

/// **Assumption:** log-normal spread (σ of the log) of an extra-platform audience around
/// [`CrossPlatform::audience_ratio`] × the main audience. Basis: creators' audiences differ a
/// lot across platforms; σ = 0.5 keeps most ratios within a factor of about 2.7.
const SECONDARY_SIGMA: f64 = 0.5;

/// With [`ScenarioConfig::with_edges`], the share of edges meant to come from creator audiences.
const CREATOR_EDGE_SHARE: f64 = 0.3;

/// With [`ScenarioConfig::with_edges`], at most one creator account per this many people.
const PEOPLE_PER_CREATOR_MIN: usize = 40;

/// With [`ScenarioConfig::with_edges`], readable ids up to this many expected accounts; dense
/// ids above, where strings would cost more memory than they are worth.
const READABLE_MAX_ACCOUNTS: f64 = 1.0e6;

// Purposes for `rng::derive`: each part of the model draws from its own streams, so changing
// how much one part draws leaves the others as they were.
const PURPOSE_PEOPLE: u64 = 1;
const PURPOSE_CREATORS: u64 = 2;
const PURPOSE_CREATOR_PEOPLE: u64 = 3;
const PURPOSE_AUDIENCE: u64 = 4;
const PURPOSE_FOLLOWS: u64 = 5;
const PURPOSE_COSTS: u64 = 6;

const NO_NICHE: u16 = u16::MAX;
const MAX_NICHES: usize = 4096;
const MAX_PLATFORMS: usize = 8;
const MAX_MEAN_FOLLOWS: f64 = 1000.0;

/// Names of the default interest niches.
const NICHE_NAMES: [&str; 20] = [
    "news",
    "comedy",
    "music",
    "sports",
    "gaming",
    "beauty",
    "fashion",
    "fitness",
    "food",
    "travel",
    "parenting",
    "tech",
    "finance",
    "faith",
    "outdoors",
    "cars",
    "pets",
    "education",
    "lifestyle",
    "politics",
];

/// One platform of the scenario.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Platform {
    /// Name, used in the `platform` column (`"instagram"`).
    pub name: String,
    /// Short prefix of account ids (`"ig"`).
    pub prefix: String,
    /// **Assumption:** share of people with an account here, before conditioning on holding at
    /// least one account. Defaults: Pew Research Center, "Americans' Social Media Use" (survey of
    /// 5,733 US adults, May–Sept 2023, published Jan 2024): Instagram 47%, TikTok 33%, X 22%.
    pub adoption: f64,
}

/// **Assumption:** the tail of creators' real-world audiences, a Pareto law truncated to
/// `[min_followers, max_followers)`: `P(F > x) ∝ x^−alpha`.
///
/// Basis for the defaults (1,000 to 50M, `alpha = 0.6`): industry tallies put roughly three
/// quarters of Instagram creators in the nano tier (1k–10k; one often-quoted figure is 75.9%,
/// Statista 2025), which `alpha ≈ 0.6` reproduces (`1 − 10^−0.6 ≈ 0.75`); the shares of the
/// higher tiers then fall by about 4× per decade of followers, and the largest US creators have
/// tens of millions of followers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AudienceTail {
    /// Smallest real-world audience of a creator's main account.
    pub min_followers: f64,
    /// Upper bound of real-world audiences (exclusive).
    pub max_followers: f64,
    /// Tail index: smaller means heavier (more mega creators).
    pub alpha: f64,
}

/// **Assumption:** how creators spread over platforms.
///
/// Basis: large creators commonly syndicate to several platforms and small ones rarely do; no
/// single published rate was at hand, so the defaults are round numbers that give about one
/// creator in six on two or more platforms and about half of the mega creators.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CrossPlatform {
    /// Chance of running extra platforms grows by this much per decade of main audience above
    /// [`AudienceTail::min_followers`] (default 0.15: 15% at 10×, 45% at 1,000×).
    pub share_per_decade: f64,
    /// Cap on that chance (default 0.8).
    pub max_share: f64,
    /// Given one extra platform, chance of each further one (default 0.4).
    pub extra_platform_share: f64,
    /// Median extra-platform audience as a share of the main audience (default 0.5; spread by a
    /// log-normal factor with σ = 0.5).
    pub audience_ratio: f64,
    /// Share of an extra-platform audience drawn from people who already follow the main
    /// account (default 0.5).
    pub shared_followers: f64,
}

/// How generated accounts are named. See the [module docs](self#external-ids).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum IdScheme {
    /// `"ig:c12"`, `"tt:p3456"`.
    #[default]
    Readable,
    /// Dense indices `0..n` (cheap for very large graphs).
    Dense,
}

/// Everything that shapes a generated population. Start from [`ScenarioConfig::demo`] or
/// [`ScenarioConfig::with_edges`] and change fields; [`generate`] validates.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ScenarioConfig {
    /// Graph people (voters); each holds 1 to `platforms.len()` accounts.
    pub people: usize,
    /// Creator accounts (a creator person holds one to several).
    pub creators: usize,
    /// Seed of every random draw.
    pub seed: u64,
    /// Platforms and their adoption rates (1 to 8).
    pub platforms: Vec<Platform>,
    /// Number of interest niches (default 20; the first 20 have names such as `"fitness"`).
    pub niches: usize,
    /// **Assumption:** share of people with a second niche (default 0.5: people follow more than
    /// one topic; a round number).
    pub second_niche_share: f64,
    /// **Assumption:** share of a creator's audience from its home state (default 0.5). Basis:
    /// local creators' audiences are concentrated near them, big ones' national; the spill rule
    /// (`max_audience_share`) makes large audiences national on its own.
    pub home_state_share: f64,
    /// **Assumption:** share of a creator's audience from its niche (default 0.7): audiences
    /// form around topics.
    pub niche_share: f64,
    /// Largest share of any pool (a state, a niche, a platform) one creator may take as followers
    /// (default 0.5); beyond it audiences spill to the wider pool.
    pub max_audience_share: f64,
    /// **Assumption:** mean number of ordinary accounts each account follows in the graph
    /// (default 5; equal to the mean follower count of an ordinary account, which is geometric,
    /// so many have few followers and some many). A graph-scale quantity: it sets how far
    /// cascades travel, not real follow counts.
    pub mean_follows: f64,
    /// **Assumption:** share of ordinary follows within the follower's own state (default 0.7:
    /// offline ties are local).
    pub same_state_follow_share: f64,
    /// Tail of creators' real-world audiences.
    pub audience: AudienceTail,
    /// Creators on several platforms.
    pub cross_platform: CrossPlatform,
    /// **Assumption:** median price of one creator account for one month of campaign posts, in
    /// US dollars, by tier (nano, micro, mid, macro, mega). Default `[160, 1_100, 8_000, 36_000,
    /// 100_000]`. Basis: the mid tier is anchored at $8,000 a month, what one program paid
    /// creators ("one program paid creators $8,000 a month": the Chorus Creator Incubator
    /// Program, as reported by WIRED in 2025); the other tiers keep the ratios of the geometric
    /// midpoints of commonly published Instagram per-post rate ranges (nano $10–100, micro
    /// $100–500, mid $500–5,000, macro $5,000–10,000, mega $10,000+ taken as $10,000–40,000).
    pub rate_card: [f64; 5],
    /// **Assumption:** σ of the log-normal factor on each creator's price (default 0.35: two
    /// creators of one tier often differ in price by 2×).
    pub cost_sigma: f64,
    /// Real people one graph person stands for; `None`: national 2024 VEP / `people`.
    pub scale: Option<f64>,
    /// How accounts are named.
    pub ids: IdScheme,
}

impl ScenarioConfig {
    /// The embedded default of `reachgraph demo`: 30,000 people (about 42,000 accounts, 217,000
    /// edges), 500 creator accounts in all five tiers, seed 2024. Generates in about 0.05 s.
    pub fn demo() -> Self {
        ScenarioConfig {
            people: 30_000,
            creators: 500,
            seed: 2024,
            platforms: vec![
                Platform {
                    name: "instagram".into(),
                    prefix: "ig".into(),
                    adoption: 0.47,
                },
                Platform {
                    name: "tiktok".into(),
                    prefix: "tt".into(),
                    adoption: 0.33,
                },
                Platform {
                    name: "x".into(),
                    prefix: "x".into(),
                    adoption: 0.22,
                },
            ],
            niches: 20,
            second_niche_share: 0.5,
            home_state_share: 0.5,
            niche_share: 0.7,
            max_audience_share: 0.5,
            mean_follows: 5.0,
            same_state_follow_share: 0.7,
            audience: AudienceTail {
                min_followers: 1_000.0,
                max_followers: 50_000_000.0,
                alpha: 0.6,
            },
            cross_platform: CrossPlatform {
                share_per_decade: 0.15,
                max_share: 0.8,
                extra_platform_share: 0.4,
                audience_ratio: 0.5,
                shared_followers: 0.5,
            },
            rate_card: [160.0, 1_100.0, 8_000.0, 36_000.0, 100_000.0],
            cost_sigma: 0.35,
            scale: None,
            ids: IdScheme::Readable,
        }
    }

    /// The demo's model sized so that the graph has about `target_edges` edges (within a few
    /// percent for 10,000 edges and more).
    ///
    /// About 30% of the edges come from creator audiences and the rest from ordinary follows,
    /// with at most one creator account per 40 people (small graphs have few creators, so their
    /// edges are nearly all ordinary follows). Above about a million accounts (7M edges) ids are
    /// [`IdScheme::Dense`]: readable ids cost about 155 bytes per account, more than the
    /// account's share of the graph.
    pub fn with_edges(target_edges: usize, seed: u64) -> Self {
        let mut c = ScenarioConfig {
            seed,
            ..ScenarioConfig::demo()
        };
        let target = target_edges.max(1) as f64;
        let (accounts_per_person, shares) = adoption_stats(&c.platforms);
        let per_person = accounts_per_person * c.mean_follows;
        let vep = national_vep() as f64;
        // Mean real audience per creator account, from a long run of the creator plan.
        let sample = plan_creators(&c, 20_000);
        let mean_real =
            sample.accounts.iter().map(|a| a.real).sum::<f64>() / sample.accounts.len() as f64;
        let mut people = (target / per_person).max(1.0);
        for _ in 0..12 {
            let p = (people.round() as usize).max(1);
            let scale = vep / p as f64;
            let per_creator = (mean_real / scale).max(1.0);
            let max_creators = (p / PEOPLE_PER_CREATOR_MIN).max(1);
            c.people = p;
            c.creators = ((CREATOR_EDGE_SHARE * target / per_creator).round() as usize)
                .clamp(1, max_creators);
            let plan = plan_creators(&c, c.creators);
            let pools: Vec<usize> = shares.iter().map(|s| (s * p as f64) as usize).collect();
            let creator_edges: usize = audience_sizes(&c, &plan, &pools, scale).iter().sum();
            // creator accounts get no ordinary followers
            let ordinary = (target - creator_edges as f64).max(0.1 * target);
            let next =
                ((ordinary / c.mean_follows + c.creators as f64) / accounts_per_person).max(1.0);
            if (next - people).abs() < 0.5 {
                break;
            }
            people = next;
        }
        if c.people as f64 * accounts_per_person > READABLE_MAX_ACCOUNTS {
            c.ids = IdScheme::Dense;
        }
        c
    }

    /// Checks every field.
    ///
    /// # Errors
    /// [`Error::InvalidParameter`] naming the field: zero people, more people than `u32` ids
    /// allow, more creator accounts than people, no platform or more than 8, empty or repeated
    /// platform names or prefixes, no platform with positive adoption, zero niches or more than
    /// 4096, any share or rate outside [0, 1], a mean follow count outside [0, 1000], an
    /// audience tail that is not `0 < min < max` with `alpha > 0`, negative or non-finite
    /// prices, or a scale that is not a positive number.
    pub fn validate(&self) -> Result<()> {
        let k = self.platforms.len();
        if self.people == 0 {
            return Err(Error::invalid_parameter(
                "people",
                0,
                "at least one person is needed",
            ));
        }
        if k == 0 || k > MAX_PLATFORMS {
            return Err(Error::invalid_parameter(
                "platforms",
                k,
                format!("give 1 to {MAX_PLATFORMS} platforms"),
            ));
        }
        let max_people = (u32::MAX as usize - 1) / k;
        if self.people > max_people {
            return Err(Error::invalid_parameter(
                "people",
                self.people,
                format!("with {k} platforms the accounts must fit u32 ids: at most {max_people}"),
            ));
        }
        if self.creators > self.people {
            return Err(Error::invalid_parameter(
                "creators",
                self.creators,
                format!(
                    "at most the number of people ({}): each creator account belongs to one of them",
                    self.people
                ),
            ));
        }
        for (i, p) in self.platforms.iter().enumerate() {
            if p.name.trim().is_empty() || p.prefix.trim().is_empty() {
                return Err(Error::invalid_parameter(
                    format!("platforms[{i}]"),
                    format!("{:?}/{:?}", p.name, p.prefix),
                    "name and prefix must not be empty",
                ));
            }
            if self.platforms[..i]
                .iter()
                .any(|q| q.name == p.name || q.prefix == p.prefix)
            {
                return Err(Error::invalid_parameter(
                    format!("platforms[{i}]"),
                    &p.name,
                    "platform names and prefixes must be distinct",
                ));
            }
            unit_share(&format!("platforms[{i}].adoption"), p.adoption)?;
        }
        if self.platforms.iter().all(|p| p.adoption == 0.0) {
            return Err(Error::invalid_parameter(
                "platforms",
                "all adoption 0",
                "at least one platform needs a positive adoption rate",
            ));
        }
        if self.niches == 0 || self.niches > MAX_NICHES {
            return Err(Error::invalid_parameter(
                "niches",
                self.niches,
                format!("give 1 to {MAX_NICHES} niches"),
            ));
        }
        for (name, v) in [
            ("second_niche_share", self.second_niche_share),
            ("home_state_share", self.home_state_share),
            ("niche_share", self.niche_share),
            ("same_state_follow_share", self.same_state_follow_share),
            ("cross_platform.max_share", self.cross_platform.max_share),
            (
                "cross_platform.extra_platform_share",
                self.cross_platform.extra_platform_share,
            ),
            (
                "cross_platform.shared_followers",
                self.cross_platform.shared_followers,
            ),
        ] {
            unit_share(name, v)?;
        }
        if !(self.max_audience_share > 0.0 && self.max_audience_share <= 1.0) {
            return Err(Error::invalid_parameter(
                "max_audience_share",
                self.max_audience_share,
                "must be in (0, 1]",
            ));
        }
        if !(0.0..=MAX_MEAN_FOLLOWS).contains(&self.mean_follows) {
            return Err(Error::invalid_parameter(
                "mean_follows",
                self.mean_follows,
                format!("must be in [0, {MAX_MEAN_FOLLOWS}]"),
            ));
        }
        let a = &self.audience;
        if !(a.min_followers.is_finite() && a.min_followers > 0.0) {
            return Err(Error::invalid_parameter(
                "audience.min_followers",
                a.min_followers,
                "must be a positive number",
            ));
        }
        if !(a.max_followers.is_finite() && a.max_followers > a.min_followers) {
            return Err(Error::invalid_parameter(
                "audience.max_followers",
                a.max_followers,
                "must be a number above audience.min_followers",
            ));
        }
        if !(a.alpha.is_finite() && a.alpha > 0.0) {
            return Err(Error::invalid_parameter(
                "audience.alpha",
                a.alpha,
                "must be a positive number",
            ));
        }
        let cp = &self.cross_platform;
        if !(cp.share_per_decade.is_finite() && cp.share_per_decade >= 0.0) {
            return Err(Error::invalid_parameter(
                "cross_platform.share_per_decade",
                cp.share_per_decade,
                "must be a number >= 0",
            ));
        }
        if !(cp.audience_ratio.is_finite() && cp.audience_ratio > 0.0) {
            return Err(Error::invalid_parameter(
                "cross_platform.audience_ratio",
                cp.audience_ratio,
                "must be a positive number",
            ));
        }
        for (tier, &r) in Tier::ALL.iter().zip(&self.rate_card) {
            if !(r.is_finite() && r >= 0.0) {
                return Err(Error::invalid_parameter(
                    format!("rate_card.{tier}"),
                    r,
                    "must be a number >= 0",
                ));
            }
        }
        if !(self.cost_sigma.is_finite() && (0.0..=5.0).contains(&self.cost_sigma)) {
            return Err(Error::invalid_parameter(
                "cost_sigma",
                self.cost_sigma,
                "must be in [0, 5]",
            ));
        }
        if let Some(s) = self.scale {
            if !(s.is_finite() && s > 0.0) {
                return Err(Error::invalid_parameter(
                    "scale",
                    s,
                    "must be a positive number",
                ));
            }
        }
        Ok(())
    }
}

fn unit_share(name: &str, v: f64) -> Result<()> {
    if (0.0..=1.0).contains(&v) {
        Ok(())
    } else {
        Err(Error::invalid_parameter(name, v, "must be in [0, 1]"))
    }
}

/// Counts of what was generated.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScenarioStats {
    /// Graph people.
    pub people: usize,
    /// Accounts (graph nodes).
    pub accounts: usize,
    /// Accounts per platform, in the order of [`ScenarioConfig::platforms`].
    pub accounts_per_platform: Vec<usize>,
    /// People who are creators.
    pub creator_people: usize,
    /// Creator accounts.
    pub creator_accounts: usize,
    /// Edges from creators to their audiences.
    pub creator_edges: usize,
    /// Ordinary follow edges.
    pub follow_edges: usize,
}

/// A generated population: the graph with its attributes, and who the creators are.
#[derive(Debug, Clone)]
pub struct Scenario {
    /// The follower graph, with platform, person, jurisdiction, target weight, cost and
    /// follower-count attributes set.
    pub graph: Graph,
    /// Creator accounts, largest real-world follower count first (ties by id).
    pub creators: Vec<u32>,
    /// Niche of each creator in [`Scenario::creators`] (an index into [`Scenario::niches`]).
    pub creator_niches: Vec<u16>,
    /// Names of the niches.
    pub niches: Vec<String>,
    /// Real people one graph person stands for.
    pub scale: f64,
    /// The configuration that made it.
    pub config: ScenarioConfig,
    /// What was generated.
    pub stats: ScenarioStats,
}

/// The assumptions behind the default scenario, each with its basis, one per line (the demo
/// prints them next to its numbers).
pub fn assumptions() -> Vec<String> {
    let d = ScenarioConfig::demo();
    let rc = d.rate_card;
    vec![
        format!(
            "Graph people are spread over the 50 states and DC in proportion to the 2024 \
             voting-eligible population (McDonald / UF Election Lab, v0.3); one graph person \
             stands for (national VEP of {VEP_2024} real people) / (number of graph people) \
             real people."
        ),
        "Platform adoption (assumption): Instagram 47%, TikTok 33%, X 22% of adults, drawn \
         independently per person and conditioned on at least one account (Pew Research \
         Center, Americans' Social Media Use, survey May-Sept 2023)."
            .to_string(),
        format!(
            "Creator audiences (assumption): truncated Pareto, {}-{} real followers, alpha {}, \
             which puts about three quarters of creators in the nano tier as industry tallies do \
             (e.g. 75.9% of Instagram creators, Statista 2025).",
            d.audience.min_followers, d.audience.max_followers, d.audience.alpha
        ),
        format!(
            "Cross-platform creators (assumption): chance of extra platforms {}/decade of \
             audience (max {}), extra audiences about {}x the main one, {}% of them people who \
             already follow the main account.",
            d.cross_platform.share_per_decade,
            d.cross_platform.max_share,
            d.cross_platform.audience_ratio,
            d.cross_platform.shared_followers * 100.0
        ),
        format!(
            "Audience clustering (assumption): {}% of a creator's followers from its home state, \
             {}% from its niche (of {} niches), each pool capped at {}% of itself.",
            d.home_state_share * 100.0,
            d.niche_share * 100.0,
            d.niches,
            d.max_audience_share * 100.0
        ),
        format!(
            "Ordinary follows (assumption): mean {} per account (geometric follower counts), \
             {}% within the state, same platform only.",
            d.mean_follows,
            d.same_state_follow_share * 100.0
        ),
        format!(
            "Rate card per creator account-month (assumption): nano ${}, micro ${}, mid ${}, \
             macro ${}, mega ${}, times log-normal noise (sigma {}). Mid anchored on one program \
             that paid creators $8,000 a month (Chorus Creator Incubator Program, WIRED 2025); \
             other tiers scaled by published Instagram per-post rate ranges.",
            rc[0], rc[1], rc[2], rc[3], rc[4], d.cost_sigma
        ),
    ]
}

#[path = "scenario_stream.rs"]
mod stream;
pub use stream::{generate_rgraph, StreamedScenario};

/// What the edge stages share: the people, the creator plan and the account layout (steps
/// 1-4 of [`generate`] before any edge is drawn).
struct Prepared {
    states: Vec<String>,
    n_people: usize,
    scale: f64,
    people: People,
    plan: CreatorPlan,
    creator_people: Vec<u32>,
    creator_slot: FxHashMap<u32, u32>,
    layout: Layout,
    n: usize,
    is_creator: Vec<bool>,
    creator_account: Vec<u32>,
    pools: Vec<usize>,
    sizes: Vec<usize>,
}

fn prepare(config: &ScenarioConfig, track: &Tracker) -> Result<Prepared> {
    config.validate()?;
    let election = ElectionResults::us_president(2024)?;
    let states: Vec<_> = election.states().collect();
    let vep: Vec<u64> = states
        .iter()
        .map(|s| s.voting_eligible_population.unwrap_or(0))
        .collect();
    let total_vep: u64 = vep.iter().sum();
    let n_people = config.people;
    let state_start = prefix(&apportion(n_people, &vep));
    let scale = config.scale.unwrap_or(total_vep as f64 / n_people as f64);

    // 1. People: state, niches, platforms.
    let mut people = draw_people(config, &state_start, track)?;

    // 2. Creators: audiences and platforms (serial: it is short), then who they are.
    let plan = plan_creators(config, config.creators);
    let creator_people = choose_people(config.seed, plan.people(), n_people);
    let mut creator_slot: FxHashMap<u32, u32> = FxHashMap::default();
    for (slot, &q) in creator_people.iter().enumerate() {
        let mask = plan
            .of_slot(slot)
            .iter()
            .fold(0u8, |m, a| m | 1 << a.platform);
        people.mask[q as usize] = mask;
        creator_slot.insert(q, slot as u32);
    }

    // 3. Accounts: platform by platform, each in person order.
    let layout = Layout::build(config, &people, &state_start);
    let n = layout.person_of.len();
    let mut is_creator = vec![false; n];
    let creator_account: Vec<u32> = plan
        .accounts
        .iter()
        .map(|a| {
            let q = creator_people[a.slot as usize];
            // the person's platform mask was set from this plan before the layout was built
            let u = layout
                .account_of(q, a.platform)
                .expect("a creator person holds an account on each planned platform");
            is_creator[u as usize] = true;
            u
        })
        .collect();

    // 4. Creator audiences.
    let pools: Vec<usize> = (0..config.platforms.len())
        .map(|k| layout.platform_range(k).len())
        .collect();
    let sizes = audience_sizes(config, &plan, &pools, scale);
    Ok(Prepared {
        states: states.iter().map(|s| s.id.clone()).collect(),
        n_people,
        scale,
        people,
        plan,
        creator_people,
        creator_slot,
        layout,
        n,
        is_creator,
        creator_account,
        pools,
        sizes,
    })
}

/// Generates the population described by `config`.
///
/// # Arguments
/// `progress` receives the stages `scenario: people`, `scenario: audiences`,
/// `scenario: follows`, `scenario: edges`, `scenario: graph`, `scenario: attributes` and may
/// cancel between chunks.
///
/// # Errors
/// [`ScenarioConfig::validate`]'s errors; [`Error::Cancelled`] when `progress` cancels.
///
/// # Complexity
/// O(people + accounts + edges) time, parallel in the caller's rayon pool. Peak memory is about
/// 45 bytes per edge (measured: 0.9 GB for 20M edges, 4.6 GB for 100M; the edge lists and the
/// CSR being built), plus about 155 bytes per account with readable ids.
pub fn generate(config: &ScenarioConfig, progress: &dyn Progress) -> Result<Scenario> {
    let track = Tracker::new(progress);
    let Prepared {
        states,
        n_people,
        scale,
        people,
        plan,
        creator_people,
        creator_slot,
        layout,
        n,
        is_creator,
        creator_account,
        pools,
        sizes,
    } = prepare(config, &track)?;
    let ctx = Ctx {
        config,
        people: &people,
        layout: &layout,
        is_creator: &is_creator,
    };
    track.stage("scenario: audiences", plan.people() as u64);
    let words = n.div_ceil(64);
    let audiences: Vec<Vec<Vec<u32>>> = (0..plan.people())
        .into_par_iter()
        .map_init(
            || vec![0u64; words],
            |seen, slot| {
                if track.cancelled() {
                    return Vec::new();
                }
                let range = plan.slot_range(slot);
                let out = ctx.audiences(
                    slot,
                    &creator_account[range.clone()],
                    &plan.accounts[range.clone()],
                    &sizes[range],
                    creator_people[slot],
                    seen,
                );
                track.tick(1);
                out
            },
        )
        .collect();
    track.check()?;

    // Real-world follower counts (graph audience × scale) and prices, in plan order. A creator's
    // out-degree is its audience: audiences are distinct and ordinary follows skip creators.
    let mut cost_rng = rng::stream(rng::derive(config.seed, PURPOSE_COSTS), 0);
    let (creator_followers, creator_cost): (Vec<u64>, Vec<f64>) = audiences
        .iter()
        .flatten()
        .map(|aud| {
            let followers = (aud.len() as f64 * scale).round() as u64;
            let tier = Tier::from_followers(followers);
            let noise: f64 = cost_rng.sample(StandardNormal);
            let cost =
                (config.rate_card[tier as usize] * (config.cost_sigma * noise).exp()).round();
            (followers, cost)
        })
        .unzip();

    // 5. Ordinary follows.
    let n_chunks = n.div_ceil(CHUNK);
    track.stage("scenario: follows", n_chunks as u64);
    let follows: Vec<(Vec<u32>, Vec<u32>)> = (0..n_chunks)
        .into_par_iter()
        .map(|c| {
            if track.cancelled() {
                return Default::default();
            }
            let out = ctx.follows(c);
            track.tick(1);
            out
        })
        .collect();
    track.check()?;

    // 6. The graph.
    track.stage("scenario: edges", 1);
    let creator_edges: usize = audiences.iter().flatten().map(Vec::len).sum();
    let follow_edges: usize = follows.iter().map(|(s, _)| s.len()).sum();
    let m = creator_edges + follow_edges;
    let mut src = Vec::with_capacity(m);
    let mut dst = Vec::with_capacity(m);
    let flat = audiences.iter().flatten();
    for (&u, followers) in creator_account.iter().zip(flat) {
        src.extend(std::iter::repeat_n(u, followers.len()));
        dst.extend_from_slice(followers);
    }
    drop(audiences);
    for (s, d) in follows {
        src.extend_from_slice(&s);
        dst.extend_from_slice(&d);
    }
    let ids = match config.ids {
        IdScheme::Dense => NodeIds::identity(n as u32),
        IdScheme::Readable => readable_ids(config, &layout, &creator_slot),
    };
    track.tick(1);
    track.stage("scenario: graph", 1);
    let (mut graph, _) =
        Graph::from_edges(n as u32, &src, &dst, None, ids, GraphOptions::default())?;
    drop((src, dst));
    track.tick(1);
    track.check()?;

    // 7. Attributes.
    track.stage("scenario: attributes", 1);
    let mut attrs = attributes(config, &people, &layout, &creator_slot, &states);
    for ((&u, &f), &c) in creator_account
        .iter()
        .zip(&creator_followers)
        .zip(&creator_cost)
    {
        attrs.followers.set(u as usize, Some(f));
        attrs.cost[u as usize] = c;
    }
    graph.set_attributes(attrs)?;
    track.tick(1);
    track.check()?;

    let mut order: Vec<usize> = (0..creator_account.len()).collect();
    order.sort_by_key(|&i| (std::cmp::Reverse(creator_followers[i]), creator_account[i]));
    let creators: Vec<u32> = order.iter().map(|&i| creator_account[i]).collect();
    let creator_niches = order
        .iter()
        .map(|&i| people.niche[creator_people[plan.accounts[i].slot as usize] as usize][0])
        .collect();
    let stats = ScenarioStats {
        people: n_people,
        accounts: n,
        accounts_per_platform: pools,
        creator_people: plan.people(),
        creator_accounts: creator_account.len(),
        creator_edges,
        follow_edges,
    };
    Ok(Scenario {
        graph,
        creators,
        creator_niches,
        niches: niche_names(config.niches),
        scale,
        config: config.clone(),
        stats,
    })
}

/// National voting-eligible population (sum of the 2024 state rows).
fn national_vep() -> u64 {
    ElectionResults::us_president(2024)
        .ok()
        .and_then(|r| r.voting_eligible_population())
        .unwrap_or(VEP_2024)
}

fn niche_names(n: usize) -> Vec<String> {
    (0..n)
        .map(|i| match NICHE_NAMES.get(i) {
            Some(s) => s.to_string(),
            None => format!("niche{}", i + 1),
        })
        .collect()
}

/// Mean accounts per person and the share of people on each platform, for independent
/// adoption conditioned on at least one account.
fn adoption_stats(platforms: &[Platform]) -> (f64, Vec<f64>) {
    let none: f64 = platforms.iter().map(|p| 1.0 - p.adoption).product();
    let any = (1.0 - none).max(f64::MIN_POSITIVE);
    let shares: Vec<f64> = platforms.iter().map(|p| p.adoption / any).collect();
    (shares.iter().sum(), shares)
}

/// Splits `total` in proportion to `weights` by largest remainders (ties to the lower index).
fn apportion(total: usize, weights: &[u64]) -> Vec<usize> {
    let w: u128 = weights.iter().map(|&x| x as u128).sum();
    if w == 0 {
        let mut out = vec![total / weights.len(); weights.len()];
        for x in out.iter_mut().take(total % weights.len()) {
            *x += 1;
        }
        return out;
    }
    let t = total as u128;
    let mut out: Vec<usize> = weights
        .iter()
        .map(|&x| (t * x as u128 / w) as usize)
        .collect();
    let mut rest: Vec<(u128, usize)> = weights
        .iter()
        .enumerate()
        .map(|(i, &x)| (t * x as u128 % w, i))
        .collect();
    rest.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    let left = total - out.iter().sum::<usize>();
    for &(_, i) in rest.iter().take(left) {
        out[i] += 1;
    }
    out
}

fn prefix(counts: &[usize]) -> Vec<usize> {
    let mut out = Vec::with_capacity(counts.len() + 1);
    out.push(0);
    for c in counts {
        out.push(out.last().copied().unwrap_or(0) + c);
    }
    out
}

/// Progress and cancellation shared by parallel workers.
struct Tracker<'a> {
    progress: &'a dyn Progress,
    cancelled: AtomicBool,
    done: AtomicU64,
    total: AtomicU64,
    stage: std::sync::Mutex<&'static str>,
}

impl<'a> Tracker<'a> {
    fn new(progress: &'a dyn Progress) -> Self {
        Tracker {
            progress,
            cancelled: AtomicBool::new(false),
            done: AtomicU64::new(0),
            total: AtomicU64::new(0),
            stage: std::sync::Mutex::new(""),
        }
    }

    fn stage(&self, name: &'static str, total: u64) {
        if let Ok(mut s) = self.stage.lock() {
            *s = name;
        }
        self.done.store(0, Ordering::Relaxed);
        self.total.store(total, Ordering::Relaxed);
        self.tick(0);
    }

    fn tick(&self, n: u64) {
        let done = self.done.fetch_add(n, Ordering::Relaxed) + n;
        let stage = self.stage.lock().map(|s| *s).unwrap_or("scenario");
        if !self
            .progress
            .update(stage, done, self.total.load(Ordering::Relaxed))
        {
            self.cancelled.store(true, Ordering::Relaxed);
        }
    }

    fn cancelled(&self) -> bool {
        self.cancelled.load(Ordering::Relaxed)
    }

    fn check(&self) -> Result<()> {
        if self.cancelled() {
            Err(Error::Cancelled)
        } else {
            Ok(())
        }
    }
}

/// Per-person columns of the population.
struct People {
    /// State index (into the election's state rows) of each person; people are in state order.
    state: Vec<u8>,
    /// First niche and second niche ([`NO_NICHE`] for none).
    niche: Vec<[u16; 2]>,
    /// Bit `k` set when the person has an account on platform `k`.
    mask: Vec<u8>,
}

fn draw_people(config: &ScenarioConfig, state_start: &[usize], track: &Tracker) -> Result<People> {
    let n = config.people;
    let mut state = vec![0u8; n];
    for s in 0..state_start.len() - 1 {
        state[state_start[s]..state_start[s + 1]].fill(s as u8);
    }
    let mut niche = vec![[0u16; 2]; n];
    let mut mask = vec![0u8; n];
    let seed = rng::derive(config.seed, PURPOSE_PEOPLE);
    let t = config.niches as u64;
    track.stage("scenario: people", n.div_ceil(CHUNK) as u64);
    niche
        .par_chunks_mut(CHUNK)
        .zip(mask.par_chunks_mut(CHUNK))
        .enumerate()
        .for_each(|(c, (ns, ms))| {
            if track.cancelled() {
                return;
            }
            let mut r = rng::stream(seed, c as u64);
            for (nc, m) in ns.iter_mut().zip(ms) {
                let first = rng::below(&mut r, t) as u16;
                let mut second = NO_NICHE;
                if t > 1 && rng::unit_f64(&mut r) < config.second_niche_share {
                    let x = rng::below(&mut r, t - 1) as u16;
                    second = if x >= first { x + 1 } else { x };
                }
                *nc = [first, second];
                *m = loop {
                    let mut bits = 0u8;
                    for (k, p) in config.platforms.iter().enumerate() {
                        if rng::unit_f64(&mut r) < p.adoption {
                            bits |= 1 << k;
                        }
                    }
                    if bits != 0 {
                        break bits;
                    }
                };
            }
            track.tick(1);
        });
    track.check()?;
    Ok(People { state, niche, mask })
}

/// One planned creator account.
#[derive(Debug, Clone)]
struct PlannedAccount {
    /// Creator person (slot) it belongs to.
    slot: u32,
    /// Platform index.
    platform: u8,
    /// Real-world audience drawn for it.
    real: f64,
    /// Uniform draw that rounds `real / scale` up or down.
    round_u: f64,
}

/// The creator plan: accounts grouped by creator person, main account first.
struct CreatorPlan {
    accounts: Vec<PlannedAccount>,
    /// `slot_start[s]..slot_start[s + 1]` are the accounts of creator person `s`.
    slot_start: Vec<usize>,
}

impl CreatorPlan {
    fn people(&self) -> usize {
        self.slot_start.len() - 1
    }
    fn slot_range(&self, slot: usize) -> std::ops::Range<usize> {
        self.slot_start[slot]..self.slot_start[slot + 1]
    }
    fn of_slot(&self, slot: usize) -> &[PlannedAccount] {
        &self.accounts[self.slot_range(slot)]
    }
}

/// Draws creators' audiences and platforms until there are `creators` accounts. A prefix of a
/// longer plan is the plan of fewer creators, and it does not depend on the number of people.
fn plan_creators(config: &ScenarioConfig, creators: usize) -> CreatorPlan {
    let mut r = rng::stream(rng::derive(config.seed, PURPOSE_CREATORS), 0);
    let a = &config.audience;
    let cp = &config.cross_platform;
    let weights: Vec<f64> = config.platforms.iter().map(|p| p.adoption).collect();
    let k = weights.len();
    let tail = (a.min_followers / a.max_followers).powf(a.alpha);
    let mut accounts = Vec::with_capacity(creators);
    let mut slot_start = vec![0];
    while accounts.len() < creators {
        let slot = (slot_start.len() - 1) as u32;
        let u = rng::unit_f64(&mut r);
        let main = a.min_followers * (1.0 - u * (1.0 - tail)).powf(-1.0 / a.alpha);
        let first = pick_weighted(&mut r, &weights, 0);
        let p_more =
            (cp.share_per_decade * (main / a.min_followers).log10()).clamp(0.0, cp.max_share);
        let mut extra = 0;
        if k > 1 && rng::unit_f64(&mut r) < p_more {
            extra = 1;
            while extra < k - 1 && rng::unit_f64(&mut r) < cp.extra_platform_share {
                extra += 1;
            }
        }
        let extra = extra.min(creators - accounts.len() - 1);
        let mut used = 1u8 << first;
        accounts.push(PlannedAccount {
            slot,
            platform: first as u8,
            real: main,
            round_u: rng::unit_f64(&mut r),
        });
        for _ in 0..extra {
            let p = pick_weighted(&mut r, &weights, used);
            used |= 1 << p;
            let z: f64 = r.sample(StandardNormal);
            let ratio = (cp.audience_ratio.ln() + SECONDARY_SIGMA * z).exp();
            accounts.push(PlannedAccount {
                slot,
                platform: p as u8,
                real: main * ratio,
                round_u: rng::unit_f64(&mut r),
            });
        }
        slot_start.push(accounts.len());
    }
    CreatorPlan {
        accounts,
        slot_start,
    }
}

/// An index drawn in proportion to `weights`, skipping those whose bit is set in `exclude`
/// (uniform over the rest when their weights are all zero).
fn pick_weighted(r: &mut Rng, weights: &[f64], exclude: u8) -> usize {
    let ok = |i: usize| exclude >> i & 1 == 0;
    let total: f64 = (0..weights.len())
        .filter(|&i| ok(i))
        .map(|i| weights[i])
        .sum();
    let eligible: Vec<usize> = (0..weights.len()).filter(|&i| ok(i)).collect();
    if total <= 0.0 {
        return eligible[rng::below(r, eligible.len() as u64) as usize];
    }
    let mut x = rng::unit_f64(r) * total;
    for &i in &eligible {
        if x < weights[i] {
            return i;
        }
        x -= weights[i];
    }
    // rounding left x just past the last weight
    *eligible
        .iter()
        .rev()
        .find(|&&i| weights[i] > 0.0)
        .unwrap_or(&eligible[0])
}

/// Graph audience of each planned account: `real / scale` rounded at random, at least 1, at
/// most `max_audience_share` of the other accounts on its platform.
fn audience_sizes(
    config: &ScenarioConfig,
    plan: &CreatorPlan,
    platform_accounts: &[usize],
    scale: f64,
) -> Vec<usize> {
    plan.accounts
        .iter()
        .map(|a| {
            let x = a.real / scale;
            let d = x.floor() + if a.round_u < x.fract() { 1.0 } else { 0.0 };
            let others = platform_accounts[a.platform as usize].saturating_sub(1);
            let cap = (config.max_audience_share * others as f64).floor() as usize;
            (d.max(1.0) as usize).min(cap)
        })
        .collect()
}

/// `k` distinct people out of `n`, in draw order.
fn choose_people(seed: u64, k: usize, n: usize) -> Vec<u32> {
    let mut r = rng::stream(rng::derive(seed, PURPOSE_CREATOR_PEOPLE), 0);
    if k * 2 <= n {
        let mut seen = FxHashSet::default();
        let mut out = Vec::with_capacity(k);
        while out.len() < k {
            let q = rng::below(&mut r, n as u64) as u32;
            if seen.insert(q) {
                out.push(q);
            }
        }
        out
    } else {
        let mut all: Vec<u32> = (0..n as u32).collect();
        for i in 0..k {
            let j = i + rng::below(&mut r, (n - i) as u64) as usize;
            all.swap(i, j);
        }
        all.truncate(k);
        all
    }
}

/// Where accounts are: platform ranges, account → person, and the pools audiences draw from.
struct Layout {
    /// Platform `k`'s accounts are `base[k]..base[k + 1]`.
    base: Vec<u32>,
    /// Person of each account (ascending within a platform).
    person_of: Vec<u32>,
    /// Number of states (51).
    states: usize,
    /// Accounts of platform `k` in state `s`: `by_state[k * (S + 1) + s]..[.. + s + 1]`.
    by_state: Vec<u32>,
    /// Accounts of platform `k` with niche `t` (either of its person's niches), in account
    /// order: `niche_accounts[niche_start[k * T + t]..niche_start[k * T + t + 1]]`.
    niche_start: Vec<u32>,
    niche_accounts: Vec<u32>,
    /// Within list `(k, t)`, state `s` starts at `niche_by_state[(k * T + t) * (S + 1) + s]`
    /// (an index into `niche_accounts`).
    niche_by_state: Vec<u32>,
    niches: usize,
}

impl Layout {
    fn build(config: &ScenarioConfig, people: &People, state_start: &[usize]) -> Layout {
        let kk = config.platforms.len();
        let tt = config.niches;
        let ss = state_start.len() - 1;
        let mut person_of: Vec<u32> = Vec::new();
        let mut base = vec![0u32];
        for k in 0..kk {
            let parts: Vec<Vec<u32>> = people
                .mask
                .par_chunks(CHUNK)
                .enumerate()
                .map(|(c, ms)| {
                    ms.iter()
                        .enumerate()
                        .filter(|(_, &m)| m >> k & 1 == 1)
                        .map(|(i, _)| (c * CHUNK + i) as u32)
                        .collect()
                })
                .collect();
            for p in parts {
                person_of.extend_from_slice(&p);
            }
            base.push(person_of.len() as u32);
        }
        let mut by_state = Vec::with_capacity(kk * (ss + 1));
        for k in 0..kk {
            let (lo, hi) = (base[k] as usize, base[k + 1] as usize);
            let persons = &person_of[lo..hi];
            for &start in state_start {
                by_state.push((lo + persons.partition_point(|&q| (q as usize) < start)) as u32);
            }
        }
        let mut niche_start = vec![0u32];
        let mut niche_accounts: Vec<u32> = Vec::new();
        let mut niche_by_state = Vec::with_capacity(kk * tt * (ss + 1));
        for k in 0..kk {
            let (lo, hi) = (base[k] as usize, base[k + 1] as usize);
            let parts: Vec<Vec<Vec<u32>>> = (lo..hi)
                .into_par_iter()
                .chunks(CHUNK)
                .map(|accounts| {
                    let mut lists = vec![Vec::new(); tt];
                    for a in accounts {
                        for &t in &people.niche[person_of[a] as usize] {
                            if t != NO_NICHE {
                                lists[t as usize].push(a as u32);
                            }
                        }
                    }
                    lists
                })
                .collect();
            for t in 0..tt {
                let list_start = niche_accounts.len();
                for p in &parts {
                    niche_accounts.extend_from_slice(&p[t]);
                }
                let list = &niche_accounts[list_start..];
                for s in 0..=ss {
                    let at = list.partition_point(|&a| {
                        (people.state[person_of[a as usize] as usize] as usize) < s
                    });
                    niche_by_state.push((list_start + at) as u32);
                }
                niche_start.push(niche_accounts.len() as u32);
            }
        }
        Layout {
            base,
            person_of,
            states: ss,
            by_state,
            niche_start,
            niche_accounts,
            niche_by_state,
            niches: tt,
        }
    }

    fn platform_range(&self, k: usize) -> std::ops::Range<u32> {
        self.base[k]..self.base[k + 1]
    }

    fn platform_of(&self, a: u32) -> usize {
        self.base.partition_point(|&b| b <= a) - 1
    }

    /// The account of person `q` on platform `k`, if any.
    fn account_of(&self, q: u32, k: u8) -> Option<u32> {
        let r = self.platform_range(k as usize);
        self.person_of[r.start as usize..r.end as usize]
            .binary_search(&q)
            .ok()
            .map(|i| r.start + i as u32)
    }

    fn state_range(&self, k: usize, s: usize) -> Pool<'_> {
        let i = k * (self.states + 1) + s;
        Pool::Range(self.by_state[i], self.by_state[i + 1])
    }

    fn niche_list(&self, k: usize, t: usize) -> Pool<'_> {
        let i = k * self.niches + t;
        Pool::List(
            &self.niche_accounts[self.niche_start[i] as usize..self.niche_start[i + 1] as usize],
        )
    }

    fn niche_state_list(&self, k: usize, t: usize, s: usize) -> Pool<'_> {
        let i = (k * self.niches + t) * (self.states + 1) + s;
        Pool::List(
            &self.niche_accounts
                [self.niche_by_state[i] as usize..self.niche_by_state[i + 1] as usize],
        )
    }
}

/// A set of accounts to draw from uniformly.
#[derive(Clone, Copy)]
enum Pool<'a> {
    /// Accounts `lo..hi`.
    Range(u32, u32),
    /// The accounts listed.
    List(&'a [u32]),
}

impl Pool<'_> {
    fn len(&self) -> usize {
        match self {
            Pool::Range(lo, hi) => (hi - lo) as usize,
            Pool::List(l) => l.len(),
        }
    }

    fn pick(&self, r: &mut Rng) -> u32 {
        match self {
            Pool::Range(lo, hi) => lo + rng::below(r, (hi - lo) as u64) as u32,
            Pool::List(l) => l[rng::below(r, l.len() as u64) as usize],
        }
    }
}

/// What the parallel workers share.
struct Ctx<'a> {
    config: &'a ScenarioConfig,
    people: &'a People,
    layout: &'a Layout,
    is_creator: &'a [bool],
}

/// Followers of one creator account being drawn: distinct, never the account itself. `seen`
/// is a bitmap over all accounts, reused from account to account (cleared by [`Self::finish`]),
/// which is much cheaper than a hash set for big audiences.
struct Audience<'s> {
    me: u32,
    seen: &'s mut [u64],
    out: Vec<u32>,
}

impl<'s> Audience<'s> {
    fn new(me: u32, d: usize, seen: &'s mut [u64]) -> Self {
        Audience {
            me,
            seen,
            out: Vec::with_capacity(d),
        }
    }

    fn add(&mut self, a: u32) -> bool {
        let (w, b) = (a as usize / 64, 1u64 << (a % 64));
        if a != self.me && self.seen[w] & b == 0 {
            self.seen[w] |= b;
            self.out.push(a);
            true
        } else {
            false
        }
    }

    /// Adds up to `n` new followers drawn from `pool`; returns how many were added. Callers keep
    /// `n` well below the pool's free size, so a bounded number of attempts suffices.
    fn fill(&mut self, pool: Pool<'_>, n: usize, r: &mut Rng) -> usize {
        if n == 0 || pool.len() == 0 {
            return 0;
        }
        let mut added = 0;
        let mut attempts = 8 * n + 64;
        while added < n && attempts > 0 {
            attempts -= 1;
            if self.add(pool.pick(r)) {
                added += 1;
            }
        }
        added
    }

    /// The followers drawn, with the bitmap cleared for the next account.
    fn finish(self) -> Vec<u32> {
        for &a in &self.out {
            self.seen[a as usize / 64] = 0;
        }
        self.out
    }
}

impl Ctx<'_> {
    /// Followers of each account of creator person `slot`, main account first.
    fn audiences(
        &self,
        slot: usize,
        accounts: &[u32],
        plan: &[PlannedAccount],
        sizes: &[usize],
        person: u32,
        seen: &mut [u64],
    ) -> Vec<Vec<u32>> {
        let c = self.config;
        let l = self.layout;
        let mut r = rng::stream(rng::derive(c.seed, PURPOSE_AUDIENCE), slot as u64);
        let s = self.people.state[person as usize] as usize;
        let t = self.people.niche[person as usize][0] as usize;
        let mut result: Vec<Vec<u32>> = Vec::with_capacity(accounts.len());
        for (i, (&me, (pa, &d))) in accounts.iter().zip(plan.iter().zip(sizes)).enumerate() {
            let k = pa.platform as usize;
            let mut aud = Audience::new(me, d, seen);
            if i > 0 {
                // people who already follow the main account, on this platform
                let want = (d as f64 * c.cross_platform.shared_followers).round() as usize;
                for &f in &result[0] {
                    if aud.out.len() >= want {
                        break;
                    }
                    let q = l.person_of[f as usize];
                    if self.people.mask[q as usize] >> k & 1 == 1 {
                        if let Some(b) = l.account_of(q, k as u8) {
                            aud.add(b);
                        }
                    }
                }
            }
            let rest = d.saturating_sub(aud.out.len());
            let (h, v) = (c.home_state_share, c.niche_share);
            // cumulative rounding keeps the four parts summing to `rest`
            let cum = |x: f64| ((rest as f64 * x).round() as usize).min(rest);
            let c1 = cum(h * v);
            let c2 = cum(h).max(c1);
            let c3 = cum(h + (1.0 - h) * v).max(c2);
            let (n_st, n_s, n_t, n_all) = (c1, c2 - c1, c3 - c2, rest - c3);
            let cap = |p: Pool<'_>| (c.max_audience_share * p.len() as f64).floor() as usize;
            let p_st = l.niche_state_list(k, t, s);
            let p_t = l.niche_list(k, t);
            let p_s = l.state_range(k, s);
            let p_all = Pool::Range(l.base[k], l.base[k + 1]);
            let got_st = aud.fill(p_st, n_st.min(cap(p_st)), &mut r);
            let want_t = n_t + (n_st - got_st);
            let got_t = aud.fill(p_t, want_t.min(cap(p_t).saturating_sub(got_st)), &mut r);
            let got_s = aud.fill(p_s, n_s.min(cap(p_s).saturating_sub(got_st)), &mut r);
            let spill = (want_t - got_t) + (n_s - got_s);
            aud.fill(p_all, n_all + spill, &mut r);
            result.push(aud.finish());
        }
        result
    }

    /// Ordinary follows onto the accounts of chunk `c`: (followed, follower) lists, grouped by
    /// the followed account, which lets the CSR builder write each list in one sweep.
    fn follows(&self, c: usize) -> (Vec<u32>, Vec<u32>) {
        let cfg = self.config;
        let l = self.layout;
        let n = l.person_of.len();
        let lo = c * CHUNK;
        let hi = (lo + CHUNK).min(n);
        let mut r = rng::stream(rng::derive(cfg.seed, PURPOSE_FOLLOWS), c as u64);
        let mu = cfg.mean_follows;
        // geometric on {0, 1, ...} with mean mu: P(k) = (1 − q) q^k
        let ln_q = (mu / (1.0 + mu)).ln();
        let expect = ((hi - lo) as f64 * mu * 1.05) as usize;
        let (mut src, mut dst) = (Vec::with_capacity(expect), Vec::with_capacity(expect));
        let mut picked: Vec<u32> = Vec::new();
        let mut k = l.platform_of(lo as u32);
        for u in lo as u32..hi as u32 {
            while u >= l.base[k + 1] {
                k += 1;
            }
            if self.is_creator[u as usize] || mu == 0.0 {
                continue;
            }
            let x = 1.0 - rng::unit_f64(&mut r);
            let count = (x.ln() / ln_q).floor().min(MAX_MEAN_FOLLOWS * 10.0) as usize;
            if count == 0 {
                continue;
            }
            let s = self.people.state[l.person_of[u as usize] as usize] as usize;
            let local = l.state_range(k, s);
            let national = Pool::Range(l.base[k], l.base[k + 1]);
            picked.clear();
            for _ in 0..count {
                let pool = if rng::unit_f64(&mut r) < cfg.same_state_follow_share {
                    local
                } else {
                    national
                };
                // a few tries in the chosen pool, then nationally; tiny pools may give up
                for attempt in 0..16 {
                    let p = if attempt < 8 { pool } else { national };
                    if p.len() == 0 {
                        continue;
                    }
                    let v = p.pick(&mut r);
                    if v != u && !picked.contains(&v) {
                        picked.push(v);
                        src.push(u);
                        dst.push(v);
                        break;
                    }
                }
            }
        }
        (src, dst)
    }
}

fn readable_ids(
    config: &ScenarioConfig,
    layout: &Layout,
    creator_slot: &FxHashMap<u32, u32>,
) -> NodeIds {
    let mut ids = NodeIds::new();
    let mut label = String::new();
    for k in 0..config.platforms.len() {
        let prefix = &config.platforms[k].prefix;
        for a in layout.platform_range(k) {
            let q = layout.person_of[a as usize];
            label.clear();
            person_label(&mut label, prefix, q, creator_slot);
            ids.intern_str(&label);
        }
    }
    ids
}

/// `"{prefix}:c{slot}"` for creators, `"{prefix}:p{person}"` for others; without a prefix just
/// the person part.
fn person_label(out: &mut String, prefix: &str, q: u32, creator_slot: &FxHashMap<u32, u32>) {
    use std::fmt::Write;
    if !prefix.is_empty() {
        out.push_str(prefix);
        out.push(':');
    }
    // writing to a String cannot fail
    let _ = match creator_slot.get(&q) {
        Some(slot) => write!(out, "c{slot}"),
        None => write!(out, "p{q}"),
    };
}

fn attributes(
    config: &ScenarioConfig,
    people: &People,
    layout: &Layout,
    creator_slot: &FxHashMap<u32, u32>,
    state_ids: &[String],
) -> Attributes {
    let n = layout.person_of.len();
    let mut attrs = Attributes::new(n);
    let mut platform = vec![0u32; n];
    for k in 0..config.platforms.len() {
        let r = layout.platform_range(k);
        platform[r.start as usize..r.end as usize].fill(k as u32);
    }
    attrs.platform = Categorical {
        codes: platform.into(),
        names: config.platforms.iter().map(|p| p.name.clone()).collect(),
    };
    // Only people with two or more accounts need a person code: an account with none is its
    // own person, which saves a string per single-account person.
    let mut code_of = vec![NONE; config.people];
    let mut names = Vec::new();
    for (q, &m) in people.mask.iter().enumerate() {
        if m.count_ones() >= 2 {
            code_of[q] = names.len() as u32;
            let mut s = String::new();
            person_label(&mut s, "", q as u32, creator_slot);
            names.push(s);
        }
    }
    attrs.person = Categorical {
        codes: layout
            .person_of
            .par_iter()
            .map(|&q| code_of[q as usize])
            .collect(),
        names: names.into(),
    };
    attrs.jurisdiction = Categorical {
        codes: layout
            .person_of
            .par_iter()
            .map(|&q| people.state[q as usize] as u32)
            .collect(),
        names: state_ids.to_vec().into(),
    };
    attrs
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::progress::NoProgress;

    fn small() -> ScenarioConfig {
        ScenarioConfig {
            people: 4_000,
            creators: 60,
            ..ScenarioConfig::demo()
        }
    }

    #[test]
    fn apportion_is_exact_and_proportional() {
        assert_eq!(apportion(10, &[1, 1, 1]), vec![4, 3, 3]);
        assert_eq!(apportion(7, &[0, 0]), vec![4, 3]);
        let a = apportion(1000, &[500, 300, 200]);
        assert_eq!(a, vec![500, 300, 200]);
        assert_eq!(apportion(0, &[3, 4]), vec![0, 0]);
    }

    #[test]
    fn vep_constant_matches_the_embedded_file() {
        assert_eq!(national_vep(), VEP_2024);
    }

    #[test]
    fn plan_prefix_is_stable() {
        let c = small();
        let long = plan_creators(&c, 200);
        let short = plan_creators(&c, 50);
        for (a, b) in short.accounts.iter().zip(&long.accounts).take(45) {
            assert_eq!((a.slot, a.platform, a.real), (b.slot, b.platform, b.real));
        }
        assert_eq!(long.accounts.len(), 200);
    }

    #[test]
    fn small_scenario_invariants() {
        let sc = generate(&small(), &NoProgress).unwrap();
        let g = &sc.graph;
        let a = g.attributes();
        assert_eq!(sc.creators.len(), 60);
        assert_eq!(sc.stats.creator_accounts, 60);
        assert_eq!(
            sc.stats.creator_edges + sc.stats.follow_edges,
            g.edge_count()
        );
        // every edge stays on one platform
        for u in 0..g.node_count() as u32 {
            for &v in g.followers(u) {
                assert_eq!(a.platform.codes[u as usize], a.platform.codes[v as usize]);
            }
        }
        // creators followed by nobody through ordinary follows: out-degree is the audience
        for &c in &sc.creators {
            let f = a.followers.get(c as usize).unwrap();
            assert_eq!(f, (g.out_degree(c) as f64 * sc.scale).round() as u64);
            assert!(a.cost[c as usize] >= 0.0);
        }
        let hired = a.cost.iter().filter(|c| !c.is_nan()).count();
        assert_eq!(hired, 60);
    }

    #[test]
    fn cancellation_is_an_error() {
        let stop = |_: &str, _: u64, _: u64| false;
        let e = generate(&small(), &stop).unwrap_err();
        assert!(matches!(e, Error::Cancelled));
    }

    #[test]
    fn pick_weighted_respects_exclusions() {
        let mut r = rng::stream(1, 1);
        for _ in 0..1000 {
            let i = pick_weighted(&mut r, &[0.5, 0.3, 0.2], 0b001);
            assert!(i == 1 || i == 2);
            assert_eq!(pick_weighted(&mut r, &[0.0, 0.0, 0.0], 0b011), 2);
        }
    }
}
