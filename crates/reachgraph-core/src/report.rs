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
//! [`Error::Parse`] naming the file, line, column and value.

use crate::error::{echo, Error, Result};
use crate::margin::Prior;
use crate::Graph;
use rand_distr::{Distribution, StandardNormal};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::io::Read;

/// Default number of parameter draws behind a reach interval.
pub const DEFAULT_DRAWS: usize = 400;
/// Most draws a report accepts (each costs one pass over the posted accounts' follower edges).
pub const MAX_DRAWS: usize = 100_000;

/// One row of posts.csv.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Post {
    /// The account that posted (an id of the graph or of the creators table).
    pub account: String,
    /// The post's id (unique within its account).
    pub post: String,
    /// Posting date, `YYYY-MM-DD`.
    pub date: String,
    /// Impressions (views, counting repeats), measured.
    pub impressions: u64,
    /// Distinct people reached, measured by the platform.
    pub reach: u64,
    /// Engagements (likes, comments, shares, saves), measured.
    pub engagements: u64,
    /// Reached people who do not follow the account, when reported.
    pub views_non_followers: Option<u64>,
    /// Money paid for the post, when given per post.
    pub cost: Option<f64>,
    /// 1-based line in its file.
    pub line: u64,
}

impl Post {
    /// Followers reached: `reach − views_non_followers` (all of `reach` without the column).
    pub fn follower_reach(&self) -> u64 {
        self.reach - self.views_non_followers.unwrap_or(0)
    }
}

/// Days since 1970-01-01 of an ISO date, or `None` when it is not a valid `YYYY-MM-DD`.
fn parse_date(s: &str) -> Option<i64> {
    let b = s.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let num = |r: std::ops::Range<usize>| -> Option<i64> {
        let t = &s[r];
        t.bytes()
            .all(|c| c.is_ascii_digit())
            .then(|| t.parse().ok())?
    };
    let (y, m, d) = (num(0..4)?, num(5..7)?, num(8..10)?);
    let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    let days_in = [
        31,
        if leap { 29 } else { 28 },
        31,
        30,
        31,
        30,
        31,
        31,
        30,
        31,
        30,
        31,
    ];
    if !(1..=12).contains(&m) || d < 1 || d > days_in[(m - 1) as usize] {
        return None;
    }
    // Days from civil (Howard Hinnant's algorithm).
    let y2 = if m <= 2 { y - 1 } else { y };
    let era = y2.div_euclid(400);
    let yoe = y2 - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    Some(era * 146_097 + doe - 719_468)
}

fn csv_error(input: &str, e: csv::Error) -> Error {
    let line = e.position().map_or(0, |p| p.line());
    match e.into_kind() {
        csv::ErrorKind::Io(source) => Error::Io {
            input: input.to_string(),
            source,
        },
        other => Error::parse(input, line, format!("{other:?}")),
    }
}

/// A CSV reader over `reader` and the positions of `required` and `optional` columns, with
/// unknown and missing columns reported on line 1.
struct Table<R: Read> {
    rdr: csv::Reader<R>,
    cols: HashMap<&'static str, usize>,
}

impl<R: Read> Table<R> {
    fn open(
        reader: R,
        input: &str,
        required: &[&'static str],
        optional: &[&'static str],
    ) -> Result<Self> {
        let mut rdr = csv::ReaderBuilder::new()
            .trim(csv::Trim::All)
            .comment(Some(b'#'))
            .from_reader(reader);
        let headers = rdr.headers().map_err(|e| csv_error(input, e))?.clone();
        let mut cols = HashMap::new();
        for (i, h) in headers.iter().enumerate() {
            let h = h.trim_start_matches('\u{feff}');
            let Some(name) = required.iter().chain(optional).find(|c| **c == h) else {
                return Err(Error::parse(
                    input,
                    1,
                    format!(
                        "unknown column {:?} (the columns are {}{}{})",
                        echo(h),
                        required.join(","),
                        if optional.is_empty() {
                            ""
                        } else {
                            " and optionally "
                        },
                        optional.join(",")
                    ),
                ));
            };
            if cols.insert(*name, i).is_some() {
                return Err(Error::parse(
                    input,
                    1,
                    format!("column {name} appears twice"),
                ));
            }
        }
        if let Some(missing) = required.iter().find(|c| !cols.contains_key(*c)) {
            return Err(Error::parse(
                input,
                1,
                format!(
                    "missing column {missing} (required: {})",
                    required.join(",")
                ),
            ));
        }
        Ok(Table { rdr, cols })
    }
}

/// A cell's text by column name (empty when the column is absent).
fn cell<'r>(rec: &'r csv::StringRecord, cols: &HashMap<&'static str, usize>, c: &str) -> &'r str {
    cols.get(c).and_then(|&i| rec.get(i)).unwrap_or("")
}

fn count(input: &str, line: u64, column: &str, v: &str) -> Result<u64> {
    if v.is_empty() {
        return Err(Error::parse(
            input,
            line,
            format!("column {column} is empty"),
        ));
    }
    if let Some(rest) = v.strip_prefix('-') {
        if rest.parse::<f64>().is_ok() {
            return Err(Error::parse(
                input,
                line,
                format!("column {column}: negative count {}", echo(v)),
            ));
        }
    }
    v.parse::<u64>().map_err(|_| {
        Error::parse(
            input,
            line,
            format!(
                "column {column}: {:?} is not a non-negative integer",
                echo(v)
            ),
        )
    })
}

/// Reads posts.csv (see the [module docs](self) for its columns and rules).
///
/// # Errors
/// [`Error::Parse`] naming `input`, the line, the column and the value for an unknown or
/// missing column, an empty id, a negative or non-integer count, reach above impressions,
/// non-follower views above reach, a negative or non-finite cost, an invalid date, a date
/// earlier than the account's previous post, or a post id repeated within an account;
/// [`Error::Empty`] for a file without posts.
pub fn read_posts<R: Read>(reader: R, input: &str) -> Result<Vec<Post>> {
    let mut t = Table::open(
        reader,
        input,
        &[
            "account",
            "post",
            "date",
            "impressions",
            "reach",
            "engagements",
        ],
        &["views_non_followers", "cost"],
    )?;
    let mut posts = Vec::new();
    // account -> (last date, its text, its line); (account, post) -> line
    let mut last: HashMap<String, (i64, String, u64)> = HashMap::new();
    let mut ids: HashMap<(String, String), u64> = HashMap::new();
    let mut rec = csv::StringRecord::new();
    while t
        .rdr
        .read_record(&mut rec)
        .map_err(|e| csv_error(input, e))?
    {
        let line = rec.position().map_or(0, |p| p.line());
        let c = |name: &str| cell(&rec, &t.cols, name);
        if rec.iter().all(str::is_empty) {
            continue;
        }
        let account = c("account").to_string();
        let post = c("post").to_string();
        for (name, v) in [("account", &account), ("post", &post)] {
            if v.is_empty() {
                return Err(Error::parse(input, line, format!("column {name} is empty")));
            }
        }
        let date = c("date").to_string();
        let day = parse_date(&date).ok_or_else(|| {
            Error::parse(
                input,
                line,
                format!("column date: {:?} is not a date YYYY-MM-DD", echo(&date)),
            )
        })?;
        if let Some((prev, prev_text, prev_line)) = last.get(&account) {
            if day < *prev {
                return Err(Error::parse(
                    input,
                    line,
                    format!(
                        "column date: {} is before {} on line {prev_line}, the previous post of \
                         account {:?} (an account's posts must be listed in date order)",
                        echo(&date),
                        echo(prev_text),
                        echo(&account)
                    ),
                ));
            }
        }
        last.insert(account.clone(), (day, date.clone(), line));
        if let Some(first) = ids.insert((account.clone(), post.clone()), line) {
            return Err(Error::parse(
                input,
                line,
                format!(
                    "post {:?} of account {:?} already appears on line {first}",
                    echo(&post),
                    echo(&account)
                ),
            ));
        }
        let impressions = count(input, line, "impressions", c("impressions"))?;
        let reach = count(input, line, "reach", c("reach"))?;
        let engagements = count(input, line, "engagements", c("engagements"))?;
        if reach > impressions {
            return Err(Error::parse(
                input,
                line,
                format!("column reach: {reach} is above impressions {impressions} (a reached person saw the post at least once)"),
            ));
        }
        let views_non_followers = match c("views_non_followers") {
            "" => None,
            v => Some(count(input, line, "views_non_followers", v)?),
        };
        if let Some(v) = views_non_followers {
            if v > reach {
                return Err(Error::parse(
                    input,
                    line,
                    format!("column views_non_followers: {v} is above reach {reach} (they are the reached people who do not follow the account)"),
                ));
            }
        }
        let cost = match c("cost") {
            "" => None,
            v => {
                let x: f64 = v.parse().map_err(|_| {
                    Error::parse(
                        input,
                        line,
                        format!("column cost: {:?} is not a number", echo(v)),
                    )
                })?;
                if !(x.is_finite() && x >= 0.0) {
                    return Err(Error::parse(
                        input,
                        line,
                        format!(
                            "column cost: {} must be a non-negative amount of money",
                            echo(v)
                        ),
                    ));
                }
                Some(x)
            }
        };
        posts.push(Post {
            account,
            post,
            date,
            impressions,
            reach,
            engagements,
            views_non_followers,
            cost,
            line,
        });
    }
    if posts.is_empty() {
        return Err(Error::Empty {
            what: format!("list of posts in {input}"),
        });
    }
    Ok(posts)
}

/// Which effect a lift result measures.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EffectKind {
    /// Net persuasion rate per reached voter (the margin simulation's `persuasion`).
    Persuasion,
    /// Mobilization rate per reached non-voter (the margin simulation's `mobilization`).
    Mobilization,
}

impl EffectKind {
    /// The name used in files and flags.
    pub fn name(self) -> &'static str {
        match self {
            EffectKind::Persuasion => "persuasion",
            EffectKind::Mobilization => "mobilization",
        }
    }
}

/// One row of lift.csv: a lift test's or holdout's estimate of an effect, as a rate (0.004 =
/// 0.4 points) per reached voter (persuasion) or per reached non-voter (mobilization).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LiftResult {
    /// The effect measured.
    pub effect: EffectKind,
    /// The estimate (a rate).
    pub estimate: f64,
    /// Its standard error (> 0).
    pub se: f64,
    /// 1-based line in its file (0 for results given in memory).
    pub line: u64,
}

/// Reads lift.csv: `effect,estimate,se` with `effect` `persuasion` or `mobilization`.
///
/// # Errors
/// [`Error::Parse`] naming `input`, line, column and value for an unknown effect, an estimate
/// that is not a finite number in [−1, 1], or an se that is not a finite number above 0;
/// [`Error::Empty`] for a file without results.
pub fn read_lift<R: Read>(reader: R, input: &str) -> Result<Vec<LiftResult>> {
    let mut t = Table::open(reader, input, &["effect", "estimate", "se"], &[])?;
    let mut out = Vec::new();
    let mut rec = csv::StringRecord::new();
    while t
        .rdr
        .read_record(&mut rec)
        .map_err(|e| csv_error(input, e))?
    {
        let line = rec.position().map_or(0, |p| p.line());
        if rec.iter().all(str::is_empty) {
            continue;
        }
        let c = |name: &str| cell(&rec, &t.cols, name);
        let effect = match c("effect") {
            "persuasion" => EffectKind::Persuasion,
            "mobilization" | "mobilisation" => EffectKind::Mobilization,
            v => {
                return Err(Error::parse(
                    input,
                    line,
                    format!(
                        "column effect: {:?} is not persuasion or mobilization",
                        echo(v)
                    ),
                ))
            }
        };
        let num = |name: &str| -> Result<f64> {
            let v = c(name);
            v.parse::<f64>()
                .ok()
                .filter(|x| x.is_finite())
                .ok_or_else(|| {
                    Error::parse(
                        input,
                        line,
                        format!("column {name}: {:?} is not a finite number", echo(v)),
                    )
                })
        };
        let estimate = num("estimate")?;
        if !(-1.0..=1.0).contains(&estimate) {
            return Err(Error::parse(
                input,
                line,
                format!(
                    "column estimate: {} is not a rate in [-1, 1] (give 0.004 for 0.4 points)",
                    echo(c("estimate"))
                ),
            ));
        }
        let se = num("se")?;
        if se <= 0.0 {
            return Err(Error::parse(
                input,
                line,
                format!(
                    "column se: {} must be above 0 (a standard error of 0 claims certainty)",
                    echo(c("se"))
                ),
            ));
        }
        out.push(LiftResult {
            effect,
            estimate,
            se,
            line,
        });
    }
    if out.is_empty() {
        return Err(Error::Empty {
            what: format!("list of lift results in {input}"),
        });
    }
    Ok(out)
}

/// The pooled evidence on one effect.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Evidence {
    /// Precision-weighted mean of the results.
    pub estimate: f64,
    /// Its standard error, `1 / sqrt(Σ 1/seᵢ²)`.
    pub se: f64,
    /// Number of results pooled.
    pub results: usize,
}

/// Prior, evidence and posterior of one effect, side by side.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EffectUpdate {
    /// The prior (normal mean and sd) the campaign planned with.
    pub prior: Prior,
    /// The lift evidence (absent when no result measured this effect).
    pub evidence: Option<Evidence>,
    /// The normal–normal posterior (the prior itself without evidence, or when the prior's sd
    /// is 0, which no evidence can move).
    pub posterior: Prior,
}

/// The effect update of [`update_effects`], per effect.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Effects {
    /// Net persuasion rate per reached voter.
    pub persuasion: EffectUpdate,
    /// Mobilization rate per reached non-voter.
    pub mobilization: EffectUpdate,
    /// How the posterior was formed.
    pub method: String,
}

impl Effects {
    /// The flags that make `reachgraph margin` use the posterior.
    pub fn margin_flags(&self) -> String {
        format!(
            "--persuasion {}:{} --mobilization {}:{}",
            self.persuasion.posterior.mean,
            self.persuasion.posterior.sd,
            self.mobilization.posterior.mean,
            self.mobilization.posterior.sd
        )
    }
}

/// Normal–normal conjugate update of one prior by results `(estimate, se)`.
///
/// # Returns
/// The pooled evidence and the posterior. With no results, no evidence and the prior; with a
/// prior sd of 0 the posterior is the prior (a point prior cannot move).
pub fn normal_update(prior: Prior, results: &[(f64, f64)]) -> (Option<Evidence>, Prior) {
    if results.is_empty() {
        return (None, prior);
    }
    let precision: f64 = results.iter().map(|(_, se)| 1.0 / (se * se)).sum();
    let weighted: f64 = results.iter().map(|(e, se)| e / (se * se)).sum();
    let evidence = Evidence {
        estimate: weighted / precision,
        se: precision.sqrt().recip(),
        results: results.len(),
    };
    if prior.sd == 0.0 {
        return (Some(evidence), prior);
    }
    let p0 = 1.0 / (prior.sd * prior.sd);
    let post_precision = p0 + precision;
    let posterior = Prior {
        mean: (prior.mean * p0 + weighted) / post_precision,
        sd: post_precision.sqrt().recip(),
    };
    (Some(evidence), posterior)
}

/// Updates the persuasion and mobilization priors by lift results (see [`normal_update`]).
///
/// # Errors
/// [`Error::InvalidParameter`] for a result with a non-finite estimate or an se ≤ 0 (results
/// read by [`read_lift`] are already checked), or a prior with a negative or non-finite sd.
pub fn update_effects(
    persuasion: Prior,
    mobilization: Prior,
    lift: &[LiftResult],
) -> Result<Effects> {
    for (name, p) in [("persuasion", persuasion), ("mobilization", mobilization)] {
        if !(p.mean.is_finite() && p.sd.is_finite() && p.sd >= 0.0) {
            return Err(Error::invalid_parameter(
                format!("{name} prior"),
                format!("{}:{}", p.mean, p.sd),
                "needs a finite mean and a finite sd >= 0",
            ));
        }
    }
    for r in lift {
        if !(r.estimate.is_finite() && r.se.is_finite() && r.se > 0.0) {
            return Err(Error::invalid_parameter(
                format!("{} lift result (line {})", r.effect.name(), r.line),
                format!("{}:{}", r.estimate, r.se),
                "needs a finite estimate and a finite se above 0",
            ));
        }
    }
    let of = |k: EffectKind| -> Vec<(f64, f64)> {
        lift.iter()
            .filter(|r| r.effect == k)
            .map(|r| (r.estimate, r.se))
            .collect()
    };
    let update = |prior: Prior, k: EffectKind| {
        let (evidence, posterior) = normal_update(prior, &of(k));
        EffectUpdate {
            prior,
            evidence,
            posterior,
        }
    };
    Ok(Effects {
        persuasion: update(persuasion, EffectKind::Persuasion),
        mobilization: update(mobilization, EffectKind::Mobilization),
        method: "normal-normal conjugate update: posterior precision = 1/prior_sd^2 + sum 1/se^2, \
                 posterior mean = precision-weighted mean of the prior mean and the estimates \
                 (effects treated as normal, results as independent)"
            .into(),
    })
}

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

/// A modelled count with its 90% interval.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Interval {
    /// Mean over the draws.
    pub mean: f64,
    /// 5th percentile.
    pub low: f64,
    /// 95th percentile.
    pub high: f64,
}

/// Settings of [`graph_report`].
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

/// The answer of [`graph_report`].
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

/// Per-account inputs of the reach computation.
struct Posted {
    node: u32,
    /// Largest per-post rate (the nested, `ρ = 1`, account reach).
    max_rate: f64,
    /// `Π (1 − r)` over posts (the independent, `ρ = 0`, account miss probability).
    miss_independent: f64,
}

/// Follower edges of posted accounts as (person, posted index), sorted by person.
fn entries(graph: &Graph, posted: &[Posted], which: impl Fn(usize) -> bool) -> Vec<(u32, u32)> {
    let people = graph.people();
    let mut out = Vec::new();
    for (i, p) in posted.iter().enumerate() {
        if !which(i) {
            continue;
        }
        for &v in graph.followers(p.node) {
            out.push((people.of_account[v as usize], i as u32));
        }
    }
    out.sort_unstable();
    out
}

/// The eligible share of each graph person and the assumption it rests on: the per-person
/// `eligible` attribute (a share, or 0/1) where given; for people without one, 1 if they have
/// a jurisdiction and 0 otherwise (stated as an assumption).
///
/// # Errors
/// [`Error::InvalidAttribute`] when the accounts of one person give two eligible values.
fn eligible_shares(graph: &Graph) -> Result<(Vec<f64>, String)> {
    let people = graph.people();
    let (given, any) = crate::margin::population::person_column(
        graph,
        "eligible",
        None,
        &graph.attributes().eligible,
        |x| (0.0..=1.0).contains(&x),
        "a share in [0, 1]",
    )?;
    let by_jurisdiction = |p: usize| {
        if people.jurisdiction[p] != crate::attrs::NONE {
            1.0
        } else {
            0.0
        }
    };
    let shares: Vec<f64> = (0..people.count)
        .map(|p| {
            if given[p].is_nan() {
                by_jurisdiction(p)
            } else {
                given[p]
            }
        })
        .collect();
    let missing = given.iter().filter(|x| x.is_nan()).count();
    let basis = if !any {
        "eligible = graph people with a jurisdiction (assumption: no eligible attribute was \
         given, so every person placed in a jurisdiction counts as one eligible voter and \
         nobody else does)"
            .to_string()
    } else if missing == 0 {
        "eligible people = the sum over reached people of their eligible attribute (measured \
         or supplied per person: a share of the voters the person stands for, or 0/1)"
            .to_string()
    } else {
        format!(
            "eligible people = the sum over reached people of their eligible attribute (a \
             share, or 0/1); the {missing} people without one count as eligible if they have \
             a jurisdiction (assumption)"
        )
    };
    Ok((shares, basis))
}

/// Reach draws: for each `(ρ, z)` the modelled totals (all, eligible, target) with sampling
/// noise `z·sd` added, kept within 0 and the people the posts can reach at all. A person
/// counts `eligible[p]` (a share) towards the eligible total and `eligible[p]·target[p]`
/// towards the target total.
fn reach_draws(
    entries: &[(u32, u32)],
    posted: &[Posted],
    eligible: &[f64],
    target: &[f64],
    draws: &[(f64, [f64; 3])],
) -> [Vec<f64>; 3] {
    let mut out = [Vec::new(), Vec::new(), Vec::new()];
    let mut pa = vec![0.0; posted.len()];
    for &(rho, z) in draws {
        for (p, a) in pa.iter_mut().zip(posted) {
            *p = rho * a.max_rate + (1.0 - rho) * (1.0 - a.miss_independent);
        }
        let mut m = [0.0f64; 3];
        let mut v = [0.0f64; 3];
        // Most people the draw can reach: the noisy total stays within [0, cap].
        let mut cap = [0.0f64; 3];
        let mut i = 0;
        while i < entries.len() {
            let person = entries[i].0;
            let mut miss = 1.0;
            while i < entries.len() && entries[i].0 == person {
                miss *= 1.0 - pa[entries[i].1 as usize];
                i += 1;
            }
            let q = 1.0 - miss;
            let var = q * (1.0 - q);
            m[0] += q;
            v[0] += var;
            cap[0] += 1.0;
            let e = eligible[person as usize];
            if e > 0.0 {
                m[1] += e * q;
                v[1] += e * e * var;
                cap[1] += e;
                let w = e * target[person as usize];
                m[2] += w * q;
                v[2] += w * w * var;
                cap[2] += w;
            }
        }
        for k in 0..3 {
            out[k].push((m[k] + z[k] * v[k].sqrt()).clamp(0.0, cap[k]));
        }
    }
    out
}

fn summarize(xs: Vec<f64>) -> Interval {
    let (mean, low, high) = crate::stats::interval_90(&xs);
    Interval { mean, low, high }
}

fn ratio(num: f64, den: f64) -> Option<f64> {
    (den > 0.0).then(|| num / den)
}

fn roi(
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

/// The campaign report on a follower graph (see the [module docs](self)).
///
/// Each posted account's follower count is its `followers` attribute when given, else its
/// followers in the graph; its per-post rates are applied to its graph followers. A creator is
/// the account's person (its `person` attribute), else the account. Costs: a creator's posts'
/// `cost` cells when any is given, else the summed `cost` attribute of its posted accounts.
/// Eligible people: the sum over reached people of their `eligible` attribute (a share, or
/// 0/1); people without one count if they have a jurisdiction (an assumption, stated). Target:
/// eligible people in `cfg.targets`, else eligible people weighted by their target weight.
///
/// # Errors
/// [`Error::UnknownNode`] naming the posts file and line for an account not in the graph;
/// [`Error::Parse`] for a post whose follower reach is above the account's follower count
/// (or an account with no followers); [`Error::InvalidParameter`] for draws outside
/// 1..=[`MAX_DRAWS`] or a target jurisdiction no graph person has.
///
/// # Complexity
/// `O(draws · E_S)` for `E_S` follower edges of the posted accounts (twice: campaign and per
/// creator), serial, so the same seed gives the same answer whatever the thread count.
pub fn graph_report(graph: &Graph, posts: &[Post], cfg: &ReportConfig) -> Result<CampaignReport> {
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
    let input = &cfg.posts_input;
    let attrs = graph.attributes();
    let people = graph.people();

    // Accounts in order of first post; their posts' (followers, followers reached).
    let mut index: HashMap<u32, usize> = HashMap::new();
    let mut accounts: Vec<(u32, Vec<&Post>)> = Vec::new();
    for p in posts {
        let node = graph
            .ids()
            .lookup(&p.account)
            .ok_or_else(|| Error::UnknownNode {
                id: p.account.clone(),
                context: format!(" ({input} line {}: not an account of the graph)", p.line),
            })?;
        let i = *index.entry(node).or_insert_with(|| {
            accounts.push((node, Vec::new()));
            accounts.len() - 1
        });
        accounts[i].1.push(p);
    }
    let mut posted = Vec::with_capacity(accounts.len());
    let mut calib = Vec::with_capacity(accounts.len());
    let creator_of = |node: u32| people.name(people.of_account[node as usize], graph);
    for (node, ps) in &accounts {
        let f = attrs.follower_count(*node, graph);
        let mut max_rate: f64 = 0.0;
        let mut miss = 1.0;
        for p in ps {
            let y = p.follower_reach();
            if f == 0 || y > f {
                return Err(Error::parse(
                    input,
                    p.line,
                    format!(
                        "column reach: {} followers reached (reach {} minus views_non_followers \
                         {}) is above account {:?}'s {f} followers",
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
        posted.push(Posted {
            node: *node,
            max_rate,
            miss_independent: miss,
        });
        let pairs: Vec<(f64, f64)> = ps
            .iter()
            .map(|p| (f as f64, p.follower_reach() as f64))
            .collect();
        calib.push(AccountCalibration {
            account: graph.label(*node),
            creator: creator_of(*node),
            followers: f,
            rate: ratio_estimate(&pairs).expect("an account has at least one post and followers"),
        });
    }

    // People: eligible share and target weight.
    let jur = &attrs.jurisdiction;
    let (eligible, eligible_basis) = eligible_shares(graph)?;
    let (target, target_basis) = match &cfg.targets {
        Some(list) => {
            let mut codes = Vec::new();
            for t in list {
                let code = (0..jur.names.len() as u32).find(|&c| jur.names[c as usize] == *t);
                match code {
                    Some(c) => codes.push(c),
                    None => {
                        return Err(Error::invalid_parameter(
                            "target",
                            t,
                            "no account of the graph has this jurisdiction",
                        ))
                    }
                }
            }
            let w: Vec<f64> = people
                .jurisdiction
                .iter()
                .map(|j| if codes.contains(j) { 1.0 } else { 0.0 })
                .collect();
            (w, format!("eligible people in {}", list.join(", ")))
        }
        None => (
            people.weight.iter().map(|&w| w as f64).collect(),
            "eligible people weighted by their target weight (no target list given)".into(),
        ),
    };

    // Draws: rho ~ U(0, 1), three standard normals for the sampling noise.
    let mut rng = crate::rng::stream(cfg.seed, 0);
    let draws: Vec<(f64, [f64; 3])> = (0..cfg.draws)
        .map(|_| {
            let rho = crate::rng::unit_f64(&mut rng);
            let mut z = [0.0; 3];
            for x in &mut z {
                *x = StandardNormal.sample(&mut rng);
            }
            (rho, z)
        })
        .collect();
    let all = entries(graph, &posted, |_| true);
    let [r_all, r_elig, r_target] = reach_draws(&all, &posted, &eligible, &target, &draws);
    let unique_reach = summarize(r_all);
    let eligible_reach = summarize(r_elig);
    let target_reach = summarize(r_target);

    // Creators: group posted accounts by creator.
    let mut creator_names: Vec<String> = Vec::new();
    let mut creator_accounts: Vec<Vec<usize>> = Vec::new();
    for (i, c) in calib.iter().enumerate() {
        match creator_names.iter().position(|n| *n == c.creator) {
            Some(k) => creator_accounts[k].push(i),
            None => {
                creator_names.push(c.creator.clone());
                creator_accounts.push(vec![i]);
            }
        }
    }
    let mut any_cost = false;
    let mut sources = Vec::new();
    let mut total_cost = 0.0;
    let mut creators = Vec::new();
    for (name, idx) in creator_names.iter().zip(&creator_accounts) {
        let ps: Vec<&Post> = idx.iter().flat_map(|&i| accounts[i].1.clone()).collect();
        let impressions = ps.iter().map(|p| p.impressions).sum();
        let engagements = ps.iter().map(|p| p.engagements).sum();
        let pairs: Vec<(f64, f64)> = idx
            .iter()
            .flat_map(|&i| {
                let f = calib[i].followers as f64;
                accounts[i]
                    .1
                    .iter()
                    .map(move |p| (f, p.follower_reach() as f64))
            })
            .collect();
        let rate = ratio_estimate(&pairs).expect("posted accounts have followers");
        let (cost, source) = if ps.iter().any(|p| p.cost.is_some()) {
            (Some(ps.iter().filter_map(|p| p.cost).sum::<f64>()), "posts")
        } else {
            let costs: Vec<f64> = idx
                .iter()
                .map(|&i| attrs.cost[accounts[i].0 as usize])
                .collect();
            if costs.iter().all(|c| !c.is_nan()) {
                (Some(costs.iter().sum()), "cost attribute")
            } else {
                (None, "none")
            }
        };
        if let Some(c) = cost {
            any_cost = true;
            total_cost += c;
            if !sources.contains(&source) {
                sources.push(source);
            }
        }
        let own = entries(graph, &posted, |i| idx.contains(&i));
        let [c_all, _, c_target] = reach_draws(&own, &posted, &eligible, &target, &draws);
        let reach = summarize(c_all);
        let treach = summarize(c_target);
        creators.push(CreatorReport {
            creator: name.clone(),
            accounts: idx.iter().map(|&i| calib[i].account.clone()).collect(),
            posts: ps.len(),
            impressions,
            engagements,
            reach_rate: rate.reach_rate,
            reach_rate_se: rate.reach_rate_se,
            se_basis: rate.se_basis,
            unique_reach: reach,
            roi: roi(cost, source, impressions, engagements, reach, treach),
        });
    }
    let uncosted: Vec<&str> = creators
        .iter()
        .filter(|c| c.roi.total_cost.is_none())
        .map(|c| c.creator.as_str())
        .collect();
    let impressions: u64 = posts.iter().map(|p| p.impressions).sum();
    let engagements: u64 = posts.iter().map(|p| p.engagements).sum();
    let mut campaign_roi = roi(
        any_cost.then_some(total_cost),
        &if sources.is_empty() {
            "none".to_string()
        } else {
            sources.join(" and ")
        },
        impressions,
        engagements,
        unique_reach,
        target_reach,
    );
    if any_cost && !uncosted.is_empty() {
        campaign_roi.notes.push(format!(
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
    Ok(CampaignReport {
        posts: posts.len(),
        impressions,
        summed_reach: posts.iter().map(|p| p.reach).sum(),
        engagements,
        non_follower_views: posts.iter().filter_map(|p| p.views_non_followers).sum(),
        unique_reach,
        eligible_reach,
        target_reach,
        target_basis,
        frequency: ratio(impressions as f64, unique_reach.mean),
        roi: campaign_roi,
        creators,
        accounts: calib,
        assumptions: vec![
            "each follower of an account sees each of its posts with the post's measured reach \
             rate (followers reached / follower count); who sees a post is otherwise unmeasured"
                .into(),
            "repeat audience rho ~ Uniform(0, 1) (no measurement pins it): a follower is reached \
             by an account with rho*max_post_rate + (1-rho)*(1 - prod(1 - post_rate)); rho = 1 \
             means every post reaches a nested set of the same fans, rho = 0 independent posts"
                .into(),
            "different accounts reach a person independently (closed-form exposure reach over \
             the follower graph)"
                .into(),
            eligible_basis,
            format!(
                "interval: 5th-95th percentiles of {} seeded draws of rho plus the normal \
                 sampling noise of who is reached (variance sum q(1-q))",
                cfg.draws
            ),
        ],
        units: "reach in graph people (distinct people of the follower graph); impressions, \
                engagements and reach per post as measured by the platforms; money in the \
                posts' and costs' currency"
            .into(),
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{GraphBuilder, GraphOptions};

    /// `a` is followed by x and y, `b` by y and z.
    fn tiny() -> Graph {
        let mut b = GraphBuilder::new(GraphOptions::default());
        for (u, v) in [("a", "x"), ("a", "y"), ("b", "y"), ("b", "z")] {
            b.add_edge(u, v, None).unwrap();
        }
        b.build().unwrap().0
    }

    const POSTS: &str = "account,post,date,impressions,reach,engagements,cost\n\
                         a,1,2026-11-02,3,1,2,60\n\
                         b,1,2026-11-03,2,1,1,40\n\
                         a,2,2026-11-09,5,1,0,\n";

    fn posts() -> Vec<Post> {
        read_posts(POSTS.as_bytes(), "posts.csv").unwrap()
    }

    #[test]
    fn reads_posts() {
        let p = posts();
        assert_eq!(p.len(), 3);
        assert_eq!(p[2].line, 4);
        assert_eq!(p[0].cost, Some(60.0));
        assert_eq!(p[2].cost, None);
        assert_eq!(parse_date("1970-01-01"), Some(0));
        assert_eq!(
            parse_date("2024-03-01").unwrap() - parse_date("2024-02-28").unwrap(),
            2
        );
        assert_eq!(parse_date("2023-02-29"), None);
    }

    fn hand_reach(rho: f64) -> (f64, f64) {
        // a: rates .5, .5; b: rate .5.
        let pa = rho * 0.5 + (1.0 - rho) * 0.75;
        let pb = 0.5;
        let q = [pa, 1.0 - (1.0 - pa) * (1.0 - pb), pb];
        (q.iter().sum(), q.iter().map(|q| q * (1.0 - q)).sum())
    }

    #[test]
    fn dedup_reach_matches_hand_computation() {
        let g = tiny();
        let p = posts();
        let posted = vec![
            Posted {
                node: g.node("a").unwrap(),
                max_rate: 0.5,
                miss_independent: 0.25,
            },
            Posted {
                node: g.node("b").unwrap(),
                max_rate: 0.5,
                miss_independent: 0.5,
            },
        ];
        let e = entries(&g, &posted, |_| true);
        let n = g.people().count;
        for rho in [0.0, 0.3, 1.0] {
            let (m, v) = hand_reach(rho);
            let r = reach_draws(
                &e,
                &posted,
                &vec![1.0; n],
                &vec![1.0; n],
                &[(rho, [0.0; 3])],
            );
            assert!((r[0][0] - m).abs() < 1e-12, "rho {rho}: {} vs {m}", r[0][0]);
            let r = reach_draws(
                &e,
                &posted,
                &vec![1.0; n],
                &vec![1.0; n],
                &[(rho, [1.0; 3])],
            );
            assert!((r[0][0] - m - v.sqrt()).abs() < 1e-12);
        }
        assert!((hand_reach(0.0).0 - 2.125).abs() < 1e-12);
        assert!((hand_reach(1.0).0 - 1.75).abs() < 1e-12);
        // The report's mean over rho ~ U(0, 1) is 2.125 − 0.375/2 = 1.9375; with 20,000
        // draws its Monte Carlo error is about 0.006 (sd ≈ 0.8 of one draw).
        let cfg = ReportConfig {
            draws: 20_000,
            seed: 7,
            ..ReportConfig::default()
        };
        let r = graph_report(&g, &p, &cfg).unwrap();
        // Each draw is clamped to [0, 3] (no fewer than nobody, no more than the 3 followers),
        // which cuts the normal noise's upper tail and pulls the mean down by a few hundredths.
        assert!(
            (r.unique_reach.mean - 1.9375).abs() < 0.06,
            "{:?}",
            r.unique_reach
        );
        assert!(r.unique_reach.low < 1.75 && r.unique_reach.high > 2.125);
        assert!(r.unique_reach.high <= 3.0, "at most the 3 followers");
        // No person has a jurisdiction: nobody is eligible.
        assert_eq!(r.eligible_reach.mean, 0.0);
        assert_eq!(r.summed_reach, 3);
        // Same seed, same answer.
        assert_eq!(graph_report(&g, &p, &cfg).unwrap(), r);
    }

    #[test]
    fn eligible_reach_sums_the_eligible_attribute_over_reached_people() {
        let mut g = tiny();
        let n = g.people().count;
        // No eligible attribute, no jurisdiction: nobody is eligible, and the rule is stated
        // as an assumption.
        let (e, basis) = eligible_shares(&g).unwrap();
        assert_eq!(e, vec![0.0; n]);
        assert!(
            basis.contains("assumption: no eligible attribute"),
            "{basis}"
        );
        // x eligible, y half (a person standing for voters of whom half are eligible), z with
        // no value but a jurisdiction, a and b with neither.
        let node = |id: &str| g.node(id).unwrap() as usize;
        let (x, y, z) = (node("x"), node("y"), node("z"));
        let mut a = g.attributes().clone();
        a.eligible[x] = 1.0;
        a.eligible[y] = 0.5;
        a.jurisdiction =
            crate::attrs::Categorical::from_labels((0..n).map(|i| (i == z).then_some("PA")));
        g.set_attributes(a).unwrap();
        let (e, basis) = eligible_shares(&g).unwrap();
        let mut want = vec![0.0; n];
        want[x] = 1.0;
        want[y] = 0.5;
        want[z] = 1.0;
        assert_eq!(e, want);
        assert!(
            basis
                .contains("the 3 people without one count as eligible if they have a jurisdiction"),
            "{basis}"
        );
        // rho = 0, no noise: q_x = 0.75, q_y = 1 − 0.25·0.5 = 0.875, q_z = 0.5; expected
        // eligible people 1·0.75 + 0.5·0.875 + 1·0.5 = 1.6875 (not 3 reached, nor 2.125).
        let posted = vec![
            Posted {
                node: g.node("a").unwrap(),
                max_rate: 0.5,
                miss_independent: 0.25,
            },
            Posted {
                node: g.node("b").unwrap(),
                max_rate: 0.5,
                miss_independent: 0.5,
            },
        ];
        let ent = entries(&g, &posted, |_| true);
        let r = reach_draws(&ent, &posted, &e, &vec![1.0; n], &[(0.0, [0.0; 3])]);
        assert!((r[1][0] - 1.6875).abs() < 1e-12, "{}", r[1][0]);
        assert!((r[2][0] - 1.6875).abs() < 1e-12, "{}", r[2][0]);
        assert!((r[0][0] - 2.125).abs() < 1e-12);
        // One sd of sampling noise: sqrt(Σ e²·q(1−q)).
        let sd = (0.75f64 * 0.25 + 0.25 * 0.875 * 0.125 + 0.5 * 0.5).sqrt();
        let r = reach_draws(&ent, &posted, &e, &vec![1.0; n], &[(0.0, [0.0, 1.0, 0.0])]);
        assert!((r[1][0] - 1.6875 - sd).abs() < 1e-12);
        // The report: over rho ~ U(0, 1), E[q_x] = 0.625, E[q_y] = 0.8125, q_z = 0.5, so
        // 0.625 + 0.5·0.8125 + 0.5 = 1.53125 eligible people (Monte Carlo error ~0.006 with
        // 20,000 draws; the clamp at 0 and at the 2.5 eligible people the posts can reach
        // moves the mean by a few hundredths).
        let cfg = ReportConfig {
            draws: 20_000,
            seed: 7,
            ..ReportConfig::default()
        };
        let rep = graph_report(&g, &posts(), &cfg).unwrap();
        assert!(
            (rep.eligible_reach.mean - 1.53125).abs() < 0.06,
            "{:?}",
            rep.eligible_reach
        );
        assert!(rep.eligible_reach.high <= 2.5);
        assert!(rep.assumptions.iter().any(|a| a == &basis));
    }

    #[test]
    fn roi_arithmetic() {
        let g = tiny();
        let r = graph_report(&g, &posts(), &ReportConfig::default()).unwrap();
        let roi = &r.roi;
        assert_eq!(roi.total_cost, Some(100.0));
        assert_eq!(roi.cost_source, "posts");
        assert!((roi.cpm.unwrap() - 100.0 * 1000.0 / 10.0).abs() < 1e-9);
        assert!((roi.cost_per_engagement.unwrap() - 100.0 / 3.0).abs() < 1e-9);
        assert!((roi.cost_per_person.unwrap() - 100.0 / r.unique_reach.mean).abs() < 1e-9);
        let [lo, hi] = roi.cost_per_person_range.unwrap();
        assert!((lo - 100.0 / r.unique_reach.high).abs() < 1e-9);
        assert!((hi - 100.0 / r.unique_reach.low).abs() < 1e-9);
        // Nobody eligible: no cost per target person, and the note says why.
        assert_eq!(roi.cost_per_target_person, None);
        assert!(roi
            .notes
            .iter()
            .any(|n| n.contains("cost_per_target_person")));
        let a = r.creators.iter().find(|c| c.creator == "a").unwrap();
        assert_eq!(a.roi.total_cost, Some(60.0));
        assert_eq!(a.impressions, 8);
        assert!((a.roi.cpm.unwrap() - 60.0 * 1000.0 / 8.0).abs() < 1e-9);
        assert!((r.frequency.unwrap() - 10.0 / r.unique_reach.mean).abs() < 1e-12);
        // a alone: x and y, each reached with P_a; mean over rho of 2·P_a = 2·0.625.
        assert!(
            (a.unique_reach.mean - 1.25).abs() < 0.15,
            "{:?}",
            a.unique_reach
        );
    }

    #[test]
    fn calibration_is_the_ratio_estimator() {
        let r = ratio_estimate(&[(100.0, 10.0), (300.0, 90.0)]).unwrap();
        assert!((r.reach_rate - 0.25).abs() < 1e-12);
        // residuals −15, +15: sqrt(450 / 2) / 200
        assert!((r.reach_rate_se - 0.075).abs() < 1e-12);
        assert_eq!(r.se_basis, "between-post");
        let one = ratio_estimate(&[(100.0, 20.0)]).unwrap();
        assert!((one.reach_rate_se - 0.04).abs() < 1e-12);
        assert!(one.se_basis.starts_with("binomial"));
        assert!(ratio_estimate(&[]).is_none());
        // The report's per-account rates: a reached 1 of 2 followers twice.
        let rep = graph_report(&tiny(), &posts(), &ReportConfig::default()).unwrap();
        assert_eq!(rep.accounts[0].account, "a");
        assert_eq!(rep.accounts[0].rate.reach_rate, 0.5);
        assert_eq!(rep.accounts[0].rate.reach_rate_se, 0.0);
        let mut buf = Vec::new();
        write_creators_table(&tiny(), &rep, &mut buf).unwrap();
        let text = String::from_utf8(buf).unwrap();
        assert_eq!(
            text,
            "creator,platform,account,followers,price,state,reach_rate\n\
             a,unknown,a,2,60,,0.500000\nb,unknown,b,2,40,,0.500000\n"
        );
    }

    #[test]
    fn normal_normal_update_is_exact() {
        let prior = Prior {
            mean: 0.0,
            sd: 0.005,
        };
        let (ev, post) = normal_update(prior, &[(0.004, 0.002)]);
        let ev = ev.unwrap();
        assert_eq!((ev.estimate, ev.se), (0.004, 0.002));
        // precisions 40,000 and 250,000
        assert!((post.mean - 0.004 * 250_000.0 / 290_000.0).abs() < 1e-15);
        assert!((post.sd - 1.0 / 290_000f64.sqrt()).abs() < 1e-15);
        // Two results pool like one with their combined precision.
        let (ev2, post2) = normal_update(prior, &[(0.002, 0.004), (0.006, 0.004)]);
        assert!((ev2.unwrap().estimate - 0.004).abs() < 1e-15);
        let (_, post3) = normal_update(prior, &[(0.004, 0.004 / 2f64.sqrt())]);
        assert!((post2.mean - post3.mean).abs() < 1e-15 && (post2.sd - post3.sd).abs() < 1e-15);
        // A point prior does not move; no evidence leaves the prior.
        let fixed = Prior::fixed(0.001);
        assert_eq!(normal_update(fixed, &[(0.5, 0.1)]).1, fixed);
        assert_eq!(normal_update(prior, &[]), (None, prior));
        let lift = read_lift(
            "effect,estimate,se\npersuasion,0.004,0.002\n".as_bytes(),
            "lift.csv",
        )
        .unwrap();
        let e = update_effects(prior, crate::margin::DEFAULT_MOBILIZATION, &lift).unwrap();
        assert_eq!(e.persuasion.posterior, post);
        assert_eq!(e.mobilization.evidence, None);
        assert!(e.margin_flags().starts_with("--persuasion 0.00344"));
    }

    fn post_err(body: &str) -> String {
        let text = format!(
            "account,post,date,impressions,reach,engagements,views_non_followers,cost\n{body}"
        );
        read_posts(text.as_bytes(), "posts.csv")
            .unwrap_err()
            .to_string()
    }

    #[test]
    fn bad_posts_name_file_line_and_value() {
        let ok = "a,1,2026-11-02,3,1,2,,\n";
        let cases = [
            (
                "a,1,2026-11-02,3,-4,2,,\n",
                "posts.csv:2: column reach: negative count -4",
            ),
            (
                "a,1,2026-11-02,3,4,2,,\n",
                "posts.csv:2: column reach: 4 is above impressions 3",
            ),
            (
                "a,1,2026-11-02,3,1,1.5,,\n",
                "posts.csv:2: column engagements: \"1.5\" is not",
            ),
            (
                "a,1,2026-11-02,-3,1,1,,\n",
                "posts.csv:2: column impressions: negative count -3",
            ),
            (
                "a,1,2026-11-02,3,1,1,2,\n",
                "posts.csv:2: column views_non_followers: 2 is above reach 1",
            ),
            (
                "a,1,2026-11-02,3,1,1,,-5\n",
                "posts.csv:2: column cost: -5 must be",
            ),
            (
                "a,1,2026-13-02,3,1,1,,\n",
                "posts.csv:2: column date: \"2026-13-02\" is not a date",
            ),
            (
                ",1,2026-11-02,3,1,1,,\n",
                "posts.csv:2: column account is empty",
            ),
        ];
        for (body, want) in cases {
            let got = post_err(body);
            assert!(got.starts_with(want), "{got}");
        }
        let got = post_err(&format!(
            "{ok}b,1,2026-10-01,1,1,1,,\na,2,2026-11-01,1,1,1,,\n"
        ));
        assert_eq!(
            got,
            "posts.csv:4: column date: 2026-11-01 is before 2026-11-02 on line 2, the previous \
             post of account \"a\" (an account's posts must be listed in date order)"
        );
        let got = post_err(&format!("{ok}a,1,2026-11-03,1,1,1,,\n"));
        assert_eq!(
            got,
            "posts.csv:3: post \"1\" of account \"a\" already appears on line 2"
        );
        let got = read_posts(
            "account,post,date,impressions,reach,engagements,likes\n".as_bytes(),
            "p.csv",
        )
        .unwrap_err()
        .to_string();
        assert!(
            got.starts_with("p.csv:1: unknown column \"likes\""),
            "{got}"
        );
        let got = read_posts("account,post,date,impressions,reach\n".as_bytes(), "p.csv")
            .unwrap_err()
            .to_string();
        assert!(
            got.starts_with("p.csv:1: missing column engagements"),
            "{got}"
        );
        let e = read_posts(
            "account,post,date,impressions,reach,engagements\n".as_bytes(),
            "p.csv",
        );
        assert!(matches!(e, Err(Error::Empty { .. })));
        // A BOM and blank lines are fine.
        let p = read_posts(format!("\u{feff}{POSTS}\n\n").as_bytes(), "posts.csv").unwrap();
        assert_eq!(p.len(), 3);
    }

    #[test]
    fn bad_graph_posts_name_file_line_and_value() {
        let g = tiny();
        let cfg = ReportConfig {
            posts_input: "posts.csv".into(),
            ..ReportConfig::default()
        };
        let p = read_posts(
            "account,post,date,impressions,reach,engagements\na,1,2026-11-02,3,1,2\nq,1,2026-11-02,3,1,2\n".as_bytes(),
            "posts.csv",
        )
        .unwrap();
        let e = graph_report(&g, &p, &cfg).unwrap_err();
        assert_eq!(e.kind(), "unknown_node");
        assert!(e.to_string().contains("\"q\" (posts.csv line 3"), "{e}");
        let p = read_posts(
            "account,post,date,impressions,reach,engagements\nb,1,2026-11-02,3,3,2\n".as_bytes(),
            "posts.csv",
        )
        .unwrap();
        let e = graph_report(&g, &p, &cfg).unwrap_err().to_string();
        assert!(
            e.starts_with("posts.csv:2: column reach: 3 followers reached"),
            "{e}"
        );
        let e = graph_report(
            &g,
            &posts(),
            &ReportConfig {
                draws: 0,
                ..cfg.clone()
            },
        )
        .unwrap_err();
        assert_eq!(e.kind(), "invalid_parameter");
        let e = graph_report(
            &g,
            &posts(),
            &ReportConfig {
                targets: Some(vec!["PA".into()]),
                ..cfg
            },
        )
        .unwrap_err()
        .to_string();
        assert!(e.contains("PA"), "{e}");
    }

    #[test]
    fn bad_lift_names_file_line_and_value() {
        let cases = [
            (
                "persuasion,0.004,0\n",
                "lift.csv:2: column se: 0 must be above 0",
            ),
            (
                "persuasion,0.004,-0.1\n",
                "lift.csv:2: column se: -0.1 must be above 0",
            ),
            (
                "persuasion,0.004,NaN\n",
                "lift.csv:2: column se: \"NaN\" is not a finite number",
            ),
            (
                "turnout,0.004,0.1\n",
                "lift.csv:2: column effect: \"turnout\" is not",
            ),
            (
                "persuasion,4,0.1\n",
                "lift.csv:2: column estimate: 4 is not a rate",
            ),
        ];
        for (body, want) in cases {
            let text = format!("effect,estimate,se\n{body}");
            let got = read_lift(text.as_bytes(), "lift.csv")
                .unwrap_err()
                .to_string();
            assert!(got.starts_with(want), "{got}");
        }
        let bad = [LiftResult {
            effect: EffectKind::Mobilization,
            estimate: 0.01,
            se: 0.0,
            line: 0,
        }];
        let e = update_effects(Prior::fixed(0.0), Prior::fixed(0.0), &bad).unwrap_err();
        assert_eq!(e.kind(), "invalid_parameter");
    }
}
