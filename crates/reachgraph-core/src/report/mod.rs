//! A campaign's own results read back: deduplicated reach, ROI, calibration and effect evidence.
//!
//! After a month a campaign holds, per post, the platform's counts (impressions, reach,
//! engagements, sometimes views by non-followers and the money paid) and perhaps a lift test.
//! This module turns them into what the next plan needs:
//!
//! - **Deduplicated reach** ([`graph_report`]). Post `j` of account `a` reached
//!   `y_aj` of `a`'s `F_a` followers (measured), a *reach rate* `r_aj = y_aj / F_a`. On the
//!   follower graph, each follower of `a` is taken to have seen post `j` with probability
//!   `r_aj`. Which followers saw several posts of one account is not measured: with the
//!   *repeat-audience* parameter `ρ` in [0, 1], a follower is reached by account `a` with
//!   `P_a(ρ) = ρ·max_j r_aj + (1 − ρ)·(1 − Π_j (1 − r_aj))` (`ρ = 1`: every post reaches a
//!   nested subset of the same fans; `ρ = 0`: posts reach followers independently). Across
//!   accounts a person is reached with `1 − Π_a (1 − P_a)` over the posted accounts they
//!   follow (through any of their accounts), the closed-form exposure reach of the design.
//!   The interval combines the parameter's uncertainty (`ρ` drawn uniformly: no measurement
//!   pins it; a platform's "accounts reached in 30 days" would) with the sampling of who is
//!   reached (people independent given the rates: a normal with variance `Σ q(1 − q)`): the
//!   5th and 95th percentiles of `S` seeded draws. Units: graph people.
//! - **Deduplicated reach without a follower graph** ([`creators_report`]): the same
//!   per-account month reach `F_a·P_a(ρ)` of the followers in a creators table, deduplicated
//!   across accounts by the planning model's audience overlap ([`crate::plan`]), its
//!   parameters fitted to the measured overlaps (or their prior). Units: real people; eligible
//!   voters of the electorate in the jurisdiction rows. See [`creators`].
//! - **ROI** ([`Roi`]): cost per thousand impressions and per engagement (measured counts),
//!   per distinct person and per target person (modelled reach), total and per creator.
//! - **Calibration** ([`ratio_estimate`]): each account's and creator's reach rate pooled
//!   across posts by the ratio estimator `R = Σ y / Σ x` (y: followers reached, x: followers
//!   at posting), with the linearization (between-post) standard error
//!   `se = sqrt(Σ (y − R x)² / (n (n − 1))) / x̄`; with one post there is no between-post
//!   variance and the binomial `sqrt(R (1 − R) / x)` is given instead, flagged as a lower
//!   bound.
//! - **Effects** ([`update_effects`]): lift results update the margin simulation's normal
//!   priors by the normal–normal conjugate update: posterior precision
//!   `1/sd₀² + Σ 1/seᵢ²`, posterior mean the precision-weighted mean of the prior mean and the
//!   estimates.
//!
//! posts.csv columns: `account,post,date,impressions,reach,engagements` and optionally
//! `views_non_followers`, `cost`. Within one account, rows must come in date order (ISO
//! `YYYY-MM-DD`, non-decreasing in file order; equal dates are allowed) and a post id may
//! appear once. Counts are non-negative integers; `reach ≤ impressions`;
//! `views_non_followers ≤ reach` (the reached people who do not follow the account; the rest
//! are followers); `cost` is money per post, non-negative. Every violation is an
//! [`Error::Parse`](crate::Error::Parse) naming the file, line, column and value.

mod calibration;
pub mod creators;
mod effects;
mod graph;
mod posts;
mod roi;

pub use calibration::{ratio_estimate, write_creators_table, RateEstimate};
pub use creators::{creators_report, write_calibrated_table, TableModel};
pub use effects::{
    normal_update, read_lift, update_effects, EffectKind, EffectUpdate, Effects, Evidence,
    LiftResult,
};
pub use graph::graph_report;
pub use posts::{read_posts, Post};
pub use roi::Roi;

use serde::{Deserialize, Serialize};

/// Default number of parameter draws behind a reach interval.
pub const DEFAULT_DRAWS: usize = 400;
/// Most draws a report accepts (each costs one pass over the posted accounts' follower edges).
pub const MAX_DRAWS: usize = 100_000;

/// A modelled count with its 90% interval.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Interval {
    /// Mean over the draws. For the campaign's reach on a creators table (overall, eligible,
    /// target, outside, per jurisdiction), the draws without the misspecification allowance,
    /// whose interval is drawn with it ([`crate::plan::centred_people`]).
    pub mean: f64,
    /// 5th percentile.
    pub low: f64,
    /// 95th percentile.
    pub high: f64,
}

/// Settings of [`graph_report`] and [`creators_report`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReportConfig {
    /// Parameter draws behind each interval (1 to [`MAX_DRAWS`]).
    pub draws: usize,
    /// Seed of the draws.
    pub seed: u64,
    /// Target jurisdictions; `None`: people with a jurisdiction and positive target weight.
    pub targets: Option<Vec<String>>,
    /// Name of the posts input, for error messages.
    pub posts_input: String,
}

impl Default for ReportConfig {
    fn default() -> Self {
        ReportConfig {
            draws: DEFAULT_DRAWS,
            seed: 0,
            targets: None,
            posts_input: "posts".into(),
        }
    }
}

/// Campaign totals for one creator (or the campaign).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CreatorReport {
    /// The creator: the graph person of the account (the account itself when it has none) or
    /// the creators table's creator.
    pub creator: String,
    /// Accounts of this creator that posted.
    pub accounts: Vec<String>,
    /// Posts (measured).
    pub posts: usize,
    /// Impressions (measured).
    pub impressions: u64,
    /// Engagements (measured).
    pub engagements: u64,
    /// Reach rate pooled across posts (share of followers a post reaches).
    pub reach_rate: f64,
    /// Its standard error.
    pub reach_rate_se: f64,
    /// How the se was formed.
    pub se_basis: String,
    /// This creator's own distinct reach (modelled, graph people).
    pub unique_reach: Interval,
    /// ROI of this creator alone (target figures use the creator's own target reach).
    pub roi: Roi,
}

/// Calibration of one account: its pooled reach rate.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AccountCalibration {
    /// The account.
    pub account: String,
    /// Its creator.
    pub creator: String,
    /// Its follower count (the `followers` attribute, else its graph followers).
    pub followers: u64,
    /// Reach rate pooled across its posts.
    pub rate: RateEstimate,
}

/// The answer of [`graph_report`] and [`creators_report`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CampaignReport {
    /// Posts read (measured).
    pub posts: usize,
    /// Summed impressions (measured).
    pub impressions: u64,
    /// Summed per-post reach (measured): what adding up the platform's numbers claims.
    pub summed_reach: u64,
    /// Summed engagements (measured).
    pub engagements: u64,
    /// Summed reached non-followers (measured, not deduplicated: outside the follower graph, so
    /// not in `unique_reach`).
    pub non_follower_views: u64,
    /// Distinct people reached through the follower graph (modelled; graph people).
    pub unique_reach: Interval,
    /// Distinct eligible people reached (modelled): the sum over reached people of their
    /// `eligible` attribute (a share, or 0/1), and for people without one, those with a
    /// jurisdiction (an assumption stated in `assumptions`).
    pub eligible_reach: Interval,
    /// Distinct eligible people reached in the target jurisdictions (modelled).
    pub target_reach: Interval,
    /// What the target is.
    pub target_basis: String,
    /// Impressions per distinct person: `impressions / unique_reach.mean` (measured over
    /// modelled; impressions include non-follower views).
    pub frequency: Option<f64>,
    /// The campaign's ROI.
    pub roi: Roi,
    /// Per creator, by decreasing impressions then name.
    pub creators: Vec<CreatorReport>,
    /// Per account calibration, in order of first post.
    pub accounts: Vec<AccountCalibration>,
    /// Assumptions behind the modelled figures, with their sources.
    pub assumptions: Vec<String>,
    /// Units of the counts.
    pub units: String,
}

fn summarize(xs: Vec<f64>) -> Interval {
    let (mean, low, high) = crate::stats::interval_90(&xs);
    Interval { mean, low, high }
}

/// [`summarize`] for a count of people: the ends rounded outward to whole people
/// ([`crate::plan::people_bounds`]), the mean (an expectation) kept.
fn summarize_people(xs: Vec<f64>) -> Interval {
    let i = summarize(xs);
    let (low, high) = crate::plan::people_bounds(i.low, i.high);
    Interval { low, high, ..i }
}

/// A count of people modelled with the misspecification allowance: the mean over `point` (the
/// draws without it), the ends over `spread` (with it), as `plan` reports its reach
/// ([`crate::plan::centred_people`]).
fn summarize_people_centred(point: &[f64], spread: &[f64]) -> Interval {
    let (mean, low, high) = crate::plan::centred_people(point, spread);
    Interval { mean, low, high }
}

fn ratio(num: f64, den: f64) -> Option<f64> {
    (den > 0.0).then(|| num / den)
}

#[cfg(test)]
mod tests;
