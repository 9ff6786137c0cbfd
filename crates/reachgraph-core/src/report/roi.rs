//! The ROI table: cost per thousand impressions, per distinct person, per target person and
//! per engagement.

use super::calibration::{ratio_estimate, RateEstimate};
use super::{ratio, CreatorReport, Interval, Post};
use serde::{Deserialize, Serialize};

/// Money spent, by where it was read.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Roi {
    /// Total money spent (`None`: no cost given anywhere).
    pub total_cost: Option<f64>,
    /// Where the costs came from.
    pub cost_source: String,
    /// Cost per thousand impressions (measured impressions).
    pub cpm: Option<f64>,
    /// Cost per distinct person reached (modelled reach, its mean).
    pub cost_per_person: Option<f64>,
    /// Cost per distinct person over the reach interval: `[cost / high, cost / low]`.
    pub cost_per_person_range: Option<[f64; 2]>,
    /// Cost per distinct eligible person in the target jurisdictions (modelled reach, its mean).
    pub cost_per_target_person: Option<f64>,
    /// Cost per engagement (measured engagements).
    pub cost_per_engagement: Option<f64>,
    /// Why a figure is missing, when one is.
    pub notes: Vec<String>,
}

pub(super) fn roi(
    cost: Option<f64>,
    cost_source: &str,
    impressions: u64,
    engagements: u64,
    reach: Interval,
    target: Interval,
) -> Roi {
    let mut notes = Vec::new();
    let Some(c) = cost else {
        notes.push("no cost given (posts.csv cost column, or the account's cost attribute / the creator's price)".into());
        return Roi {
            total_cost: None,
            cost_source: cost_source.into(),
            cpm: None,
            cost_per_person: None,
            cost_per_person_range: None,
            cost_per_target_person: None,
            cost_per_engagement: None,
            notes,
        };
    };
    let mut note = |what: &str, den: &str| notes.push(format!("{what}: no {den}"));
    let cpm = ratio(c * 1000.0, impressions as f64);
    if cpm.is_none() {
        note("cpm", "impressions");
    }
    let cpe = ratio(c, engagements as f64);
    if cpe.is_none() {
        note("cost_per_engagement", "engagements");
    }
    let cpp = ratio(c, reach.mean);
    if cpp.is_none() {
        note("cost_per_person", "modelled reach");
    }
    let cpt = ratio(c, target.mean);
    if cpt.is_none() {
        note("cost_per_target_person", "modelled reach in the target");
    }
    let range = match (ratio(c, reach.high), ratio(c, reach.low)) {
        (Some(a), Some(b)) => Some([a, b]),
        _ => None,
    };
    Roi {
        total_cost: Some(c),
        cost_source: cost_source.into(),
        cpm,
        cost_per_person: cpp,
        cost_per_person_range: range,
        cost_per_target_person: cpt,
        cost_per_engagement: cpe,
        notes,
    }
}

/// One creator's posts over its posted accounts, summed: the measured half of a
/// [`CreatorReport`], gathered the same way on the graph and the creators-table paths.
pub(super) struct CreatorPosts<'a> {
    posts: Vec<&'a Post>,
    impressions: u64,
    engagements: u64,
    rate: RateEstimate,
}

impl<'a> CreatorPosts<'a> {
    /// Gathers the posts of a creator's accounts, each given with its follower count (the
    /// pooled reach rate weighs every post by its account's followers).
    ///
    /// Returns `None` when the accounts have no post or no follower (the callers only pass
    /// posted accounts with followers, which the post readers check).
    pub(super) fn gather<'b>(
        accounts: impl IntoIterator<Item = (u64, &'b [&'a Post])>,
    ) -> Option<CreatorPosts<'a>>
    where
        'a: 'b,
    {
        let mut posts = Vec::new();
        let mut pairs = Vec::new();
        for (followers, ps) in accounts {
            for &p in ps {
                pairs.push((followers as f64, p.follower_reach() as f64));
                posts.push(p);
            }
        }
        let rate = ratio_estimate(&pairs)?;
        Some(CreatorPosts {
            impressions: posts.iter().map(|p| p.impressions).sum(),
            engagements: posts.iter().map(|p| p.engagements).sum(),
            posts,
            rate,
        })
    }

    /// The creator's cost and where it was read: the sum of its posts' `cost` cells when any
    /// post gives one, else `otherwise()` (the graph's cost attribute or the table's price).
    pub(super) fn cost(
        &self,
        otherwise: impl FnOnce() -> (Option<f64>, &'static str),
    ) -> (Option<f64>, &'static str) {
        if self.posts.iter().any(|p| p.cost.is_some()) {
            (
                Some(self.posts.iter().filter_map(|p| p.cost).sum::<f64>()),
                "posts",
            )
        } else {
            otherwise()
        }
    }

    /// The creator's row: its posts, its modelled reach (overall and in the target) and its
    /// cost as [`Self::cost`] gave it.
    pub(super) fn report(
        &self,
        creator: String,
        accounts: Vec<String>,
        reach: Interval,
        target: Interval,
        (cost, source): (Option<f64>, &str),
    ) -> CreatorReport {
        CreatorReport {
            creator,
            accounts,
            posts: self.posts.len(),
            impressions: self.impressions,
            engagements: self.engagements,
            reach_rate: self.rate.reach_rate,
            reach_rate_se: self.rate.reach_rate_se,
            se_basis: self.rate.se_basis.clone(),
            unique_reach: reach,
            roi: roi(
                cost,
                source,
                self.impressions,
                self.engagements,
                reach,
                target,
            ),
        }
    }
}

/// The creators' costs added up, with the places they were read from (in first-seen order).
#[derive(Debug, Default)]
pub(super) struct CostTally {
    total: f64,
    any: bool,
    sources: Vec<&'static str>,
}

impl CostTally {
    /// Counts one creator's cost (`None`: no cost given for it).
    pub(super) fn add(&mut self, (cost, source): (Option<f64>, &'static str)) {
        if let Some(c) = cost {
            self.any = true;
            self.total += c;
            if !self.sources.contains(&source) {
                self.sources.push(source);
            }
        }
    }
}

/// The campaign's ROI from the creators' rows: the total cost (`None` when no cost was given
/// anywhere), where the costs came from, a note naming the creators without a cost when some
/// have one; sorts the creators by impressions (then name).
pub(super) fn campaign_roi(
    creators: &mut [CreatorReport],
    costs: &CostTally,
    impressions: u64,
    engagements: u64,
    reach: Interval,
    target: Interval,
) -> Roi {
    let total_cost = costs.any.then_some(costs.total);
    let sources = &costs.sources;
    let uncosted: Vec<&str> = creators
        .iter()
        .filter(|c| c.roi.total_cost.is_none())
        .map(|c| c.creator.as_str())
        .collect();
    let source = if sources.is_empty() {
        "none".to_string()
    } else {
        sources.join(" and ")
    };
    let mut r = roi(total_cost, &source, impressions, engagements, reach, target);
    if total_cost.is_some() && !uncosted.is_empty() {
        r.notes.push(format!(
            "no cost for {} creator(s) ({}): the totals count only the costs given",
            uncosted.len(),
            uncosted.join(", ")
        ));
    }
    creators.sort_by(|a, b| {
        b.impressions
            .cmp(&a.impressions)
            .then_with(|| a.creator.cmp(&b.creator))
    });
    r
}
