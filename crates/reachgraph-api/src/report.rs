//! The `report` request: a campaign's own results read back (see `docs/margin.md`, "Reading
//! back a campaign", and [`reachgraph_core::report`]).

use crate::load::GraphSpec;
use crate::{summary, ApiError, GraphSummary, Result};
use reachgraph_core::margin::{Prior, DEFAULT_MOBILIZATION, DEFAULT_PERSUASION};
use reachgraph_core::output::{write_atomic, write_bytes_atomic};
use reachgraph_core::report::{
    self as core_report, CampaignReport, Effects, LiftResult, Post, ReportConfig,
};
use reachgraph_core::Progress;
use serde::{Deserialize, Serialize};

/// Read back a campaign's posts (and lift tests) against its follower graph.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReportRequest {
    /// posts.csv: `account,post,date,impressions,reach,engagements[,views_non_followers][,cost]`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub posts: Option<String>,
    /// The posts CSV itself, as text (instead of `posts`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub posts_csv: Option<String>,
    /// The follower graph with its attributes (`followers`, `person`, `jurisdiction`, `cost`).
    pub graph: GraphSpec,
    /// lift.csv: `effect,estimate,se` (`persuasion` or `mobilization`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lift: Option<String>,
    /// The lift CSV itself, as text (instead of `lift`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lift_csv: Option<String>,
    /// Target jurisdictions (default: eligible people weighted by their target weight).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub targets: Vec<String>,
    /// Persuasion prior the lift updates (default the margin simulation's).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub persuasion: Option<Prior>,
    /// Mobilization prior the lift updates (default the margin simulation's).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mobilization: Option<Prior>,
    /// Parameter draws behind each interval.
    #[serde(default = "default_draws")]
    pub draws: usize,
    /// Seed of the draws.
    #[serde(default)]
    pub seed: u64,
    /// Write the calibrated creators table here (the form `plan` reads).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub write_creators: Option<String>,
    /// Write the posterior effect flags for `reachgraph margin` here.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub write_prior: Option<String>,
}

fn default_draws() -> usize {
    core_report::DEFAULT_DRAWS
}

/// The answer to a [`ReportRequest`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReportResponse {
    /// The graph the reach was combined on.
    pub graph: GraphSummary,
    /// Reach, ROI, per-creator figures and calibration.
    #[serde(flatten)]
    pub report: CampaignReport,
    /// Prior, evidence and posterior of each effect (with lift results).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub effects: Option<Effects>,
    /// The `reachgraph margin` command line that uses the posterior (with lift results).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub margin_command: Option<String>,
    /// Files written.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub written: Vec<String>,
}

pub(crate) fn run_report(r: &ReportRequest, progress: &dyn Progress) -> Result<ReportResponse> {
    let (posts_name, posts_text) = crate::plan::source("posts", &r.posts, &r.posts_csv)?
        .ok_or_else(|| ApiError::invalid("report needs posts (a path) or posts_csv (text)"))?;
    let posts: Vec<Post> = core_report::read_posts(posts_text.as_bytes(), &posts_name)?;
    let lift: Option<Vec<LiftResult>> = match crate::plan::source("lift", &r.lift, &r.lift_csv)? {
        Some((name, text)) => Some(core_report::read_lift(text.as_bytes(), &name)?),
        None => None,
    };
    let effects = match &lift {
        Some(l) => Some(core_report::update_effects(
            r.persuasion.unwrap_or(DEFAULT_PERSUASION),
            r.mobilization.unwrap_or(DEFAULT_MOBILIZATION),
            l,
        )?),
        None => None,
    };
    if r.write_prior.is_some() && effects.is_none() {
        return Err(ApiError::invalid(
            "write_prior needs lift results (lift or lift_csv) to update the prior",
        ));
    }
    let loaded = r.graph.load(progress)?;
    let cfg = ReportConfig {
        draws: r.draws,
        seed: r.seed,
        targets: (!r.targets.is_empty()).then(|| r.targets.clone()),
        posts_input: posts_name,
    };
    progress.update("combining reach", 0, 1);
    let report = core_report::graph_report(&loaded.graph, &posts, &cfg)?;
    progress.update("combining reach", 1, 1);
    let mut written = Vec::new();
    if let Some(path) = &r.write_creators {
        write_atomic(path, |f| {
            core_report::write_creators_table(&loaded.graph, &report, f)
        })
        .map_err(|e| ApiError::io(format!("write {path}"), e))?;
        written.push(path.clone());
    }
    let margin_command = effects
        .as_ref()
        .map(|e| format!("reachgraph margin {}", e.margin_flags()));
    if let (Some(path), Some(e)) = (&r.write_prior, &effects) {
        write_bytes_atomic(path, format!("{}\n", e.margin_flags()).as_bytes())
            .map_err(|e| ApiError::io(format!("write {path}"), e))?;
        written.push(path.clone());
    }
    Ok(ReportResponse {
        graph: summary(&loaded),
        report,
        effects,
        margin_command,
        written,
    })
}
