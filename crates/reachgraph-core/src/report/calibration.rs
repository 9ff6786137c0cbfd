//! Calibration: per-account and per-creator reach rates pooled across posts, written back as
//! a creators table `plan` reads (see the [module docs](super)).

use super::{CampaignReport, Post, ReportConfig, MAX_DRAWS};
use crate::error::{echo, Error, Result};
use crate::Graph;
use serde::{Deserialize, Serialize};
use std::hash::Hash;

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

/// Checks what both report paths need first: draws in 1..=[`MAX_DRAWS`] and at least one post.
pub(super) fn check_request(posts: &[Post], cfg: &ReportConfig) -> Result<()> {
    if cfg.draws == 0 || cfg.draws > MAX_DRAWS {
        return Err(Error::invalid_parameter(
            "draws",
            cfg.draws,
            format!("must be in 1..={MAX_DRAWS}"),
        ));
    }
    if posts.is_empty() {
        return Err(Error::Empty {
            what: "list of posts".into(),
        });
    }
    Ok(())
}

/// The posted accounts in order of first post, each with its posts; `account` names a post's
/// account (a graph node, a table row) or says why it cannot.
pub(super) fn posts_by_account<K: Copy + Eq + Hash>(
    posts: &[Post],
    mut account: impl FnMut(&Post) -> Result<K>,
) -> Result<Vec<(K, Vec<&Post>)>> {
    let mut index: std::collections::HashMap<K, usize> = std::collections::HashMap::new();
    let mut accounts: Vec<(K, Vec<&Post>)> = Vec::new();
    for p in posts {
        let key = account(p)?;
        let i = *index.entry(key).or_insert_with(|| {
            accounts.push((key, Vec::new()));
            accounts.len() - 1
        });
        accounts[i].1.push(p);
    }
    Ok(accounts)
}

/// One posted account's month: the largest per-post rate (the nested, `ρ = 1`, share of its
/// followers reached), `Π (1 − r)` over its posts (the independent, `ρ = 0`, share missed)
/// and its pooled reach rate.
pub(super) struct AccountMonth {
    pub(super) max_rate: f64,
    pub(super) miss_independent: f64,
    pub(super) rate: RateEstimate,
}

/// [`AccountMonth`] of an account with `followers` followers (`where_followers` says where the
/// count was read, for the error) from its posts.
///
/// # Errors
/// [`Error::Parse`] naming the posts file and line of a post whose follower reach is above the
/// follower count (or of an account with no followers).
pub(super) fn account_month(
    input: &str,
    posts: &[&Post],
    followers: u64,
    where_followers: &str,
) -> Result<AccountMonth> {
    let f = followers;
    let (mut max_rate, mut miss) = (0.0f64, 1.0);
    for p in posts {
        let y = p.follower_reach();
        if f == 0 || y > f {
            return Err(Error::parse(
                input,
                p.line,
                format!(
                    "column reach: {} followers reached (reach {} minus views_non_followers \
                     {}) is above account {:?}'s {f} followers{where_followers}",
                    y,
                    p.reach,
                    p.views_non_followers.unwrap_or(0),
                    echo(&p.account)
                ),
            ));
        }
        let r = y as f64 / f as f64;
        max_rate = max_rate.max(r);
        miss *= 1.0 - r;
    }
    let pairs: Vec<(f64, f64)> = posts
        .iter()
        .map(|p| (f as f64, p.follower_reach() as f64))
        .collect();
    Ok(AccountMonth {
        max_rate,
        miss_independent: miss,
        rate: ratio_estimate(&pairs).ok_or_else(|| Error::Empty {
            what: format!("posts of account {:?}", echo(&posts[0].account)),
        })?,
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
