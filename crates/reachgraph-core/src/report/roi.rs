//! The ROI table: cost per thousand impressions, per distinct person, per target person and
//! per engagement.

use super::{ratio, CreatorReport, Interval};
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

/// The campaign's ROI from the creators' rows: the total cost (`None` when no cost was given
/// anywhere), where the costs came from, a note naming the creators without a cost when some
/// have one; sorts the creators by impressions (then name).
pub(super) fn campaign_roi(
    creators: &mut [CreatorReport],
    total_cost: Option<f64>,
    sources: &[impl AsRef<str>],
    impressions: u64,
    engagements: u64,
    reach: Interval,
    target: Interval,
) -> Roi {
    let uncosted: Vec<&str> = creators
        .iter()
        .filter(|c| c.roi.total_cost.is_none())
        .map(|c| c.creator.as_str())
        .collect();
    let source = if sources.is_empty() {
        "none".to_string()
    } else {
        sources
            .iter()
            .map(|s| s.as_ref())
            .collect::<Vec<_>>()
            .join(" and ")
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
