//! Calibration: per-account and per-creator reach rates pooled across posts, written back as
//! a creators table `plan` reads (see the [module docs](super)).

use super::CampaignReport;
use crate::Graph;
use serde::{Deserialize, Serialize};

/// A reach rate pooled across posts (see [`ratio_estimate`]).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RateEstimate {
    /// `Σ followers reached / Σ followers at posting`, the share of followers a post reaches.
    pub reach_rate: f64,
    /// Its standard error.
    pub reach_rate_se: f64,
    /// How the se was formed: `between-post` (ratio-estimator linearization over the posts)
    /// or `binomial (one post; a lower bound)`.
    pub se_basis: String,
    /// Posts pooled.
    pub posts: usize,
}

/// The ratio estimator of a reach rate over posts `(x, y)` = (followers, followers reached).
///
/// `R = Σy / Σx`; with `n ≥ 2` posts `se = sqrt(Σ (y − R x)² / (n (n − 1))) / x̄` (the
/// linearization variance of a ratio estimator, which carries the between-post variation);
/// with one post `se = sqrt(R (1 − R) / x)`, the binomial sampling error only, flagged as a lower
/// bound. `None` when there are no posts or `Σx = 0`.
pub fn ratio_estimate(pairs: &[(f64, f64)]) -> Option<RateEstimate> {
    let n = pairs.len();
    let sx: f64 = pairs.iter().map(|p| p.0).sum();
    let sy: f64 = pairs.iter().map(|p| p.1).sum();
    if n == 0 || sx <= 0.0 {
        return None;
    }
    let r = sy / sx;
    let (se, basis) = if n == 1 {
        (
            (r * (1.0 - r) / sx).max(0.0).sqrt(),
            "binomial (one post; a lower bound)",
        )
    } else {
        let ss: f64 = pairs.iter().map(|(x, y)| (y - r * x).powi(2)).sum();
        let xbar = sx / n as f64;
        (
            (ss / (n as f64 * (n as f64 - 1.0))).sqrt() / xbar,
            "between-post",
        )
    };
    Some(RateEstimate {
        reach_rate: r,
        reach_rate_se: se,
        se_basis: basis.into(),
        posts: n,
    })
}

/// Writes a creators table (`creator,platform,account,followers,price,state,reach_rate`) from
/// the graph report's calibration, the form `plan` reads: one row per posted account, the
/// price the creator's cost this month, the state the account's jurisdiction.
///
/// # Errors
/// The writer's I/O error.
pub fn write_creators_table<W: std::io::Write>(
    graph: &Graph,
    report: &CampaignReport,
    w: W,
) -> std::io::Result<()> {
    let attrs = graph.attributes();
    let mut out = csv::Writer::from_writer(w);
    out.write_record([
        "creator",
        "platform",
        "account",
        "followers",
        "price",
        "state",
        "reach_rate",
    ])?;
    for a in &report.accounts {
        let node = graph.ids().lookup(&a.account);
        let get = |col: &crate::Categorical| {
            node.and_then(|n| col.get(n).map(str::to_string))
                .unwrap_or_default()
        };
        let price = report
            .creators
            .iter()
            .find(|c| c.creator == a.creator)
            .and_then(|c| c.roi.total_cost)
            .map(|c| c.to_string())
            .unwrap_or_default();
        let platform = get(&attrs.platform);
        out.write_record([
            a.creator.as_str(),
            if platform.is_empty() {
                "unknown"
            } else {
                platform.as_str()
            },
            a.account.as_str(),
            &a.followers.to_string(),
            &price,
            &get(&attrs.jurisdiction),
            &format!("{:.6}", a.rate.reach_rate),
        ])?;
    }
    out.flush()
}
