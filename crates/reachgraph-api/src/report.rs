//! The `report` request: a campaign's own results read back (see `docs/margin.md`, "Reading
//! back a campaign", and [`reachgraph_core::report`]), combined either through a follower
//! graph (`graph`) or through a creators table and the planning model's audience overlap
//! (`creators`, with `audience`, `overlaps`, `population`, `population_counts`): exactly one of
//! the two.

use crate::load::GraphSpec;
use crate::plan::{load_table, resolve_targets, LoadedTable, PlanInputs};
use crate::{summary, ApiError, GraphSummary, Result};
use reachgraph_core::margin::{Prior, DEFAULT_MOBILIZATION, DEFAULT_PERSUASION};
use reachgraph_core::output::{write_atomic, write_bytes_atomic};
use reachgraph_core::plan::PlanOptions;
use reachgraph_core::report::{
    self as core_report, CampaignReport, Effects, LiftResult, Post, ReportConfig, TableModel,
};
use reachgraph_core::Progress;
use serde::{Deserialize, Serialize};

/// Read back a campaign's posts (and lift tests) against its follower graph (`graph`) or its
/// creators table (`creators`): exactly one of them.
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
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub graph: Option<GraphSpec>,
    /// The creators table (the one `plan` reads) instead of a graph: reach is deduplicated by
    /// the planning model's audience overlap, in real people.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub creators: Option<String>,
    /// The creators CSV itself, as text (instead of `creators`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub creators_csv: Option<String>,
    /// Audience geography of the creators table: `account,jurisdiction,share`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub audience: Option<String>,
    /// The audience CSV itself, as text (instead of `audience`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub audience_csv: Option<String>,
    /// Measured overlaps of the creators table's audiences: `a,b,shared` or `a,b,shared_count`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub overlaps: Option<String>,
    /// The overlaps CSV itself, as text (instead of `overlaps`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub overlaps_csv: Option<String>,
    /// Real people the creators table's audiences are drawn from (overrides the electorate's
    /// default; creators path only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub population: Option<f64>,
    /// What the creators table's population counts (creators path only): `users` (the
    /// default: a platform's users, who follow someone; zero-share prior near zero) or
    /// `everyone` (followers or not; wide zero-share prior), as `plan`'s `population_counts`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub population_counts: Option<reachgraph_core::plan::PopulationKind>,
    /// Creators path: `swing` (margin's tipping-point rule, no hindsight) or the path of a
    /// file of jurisdiction ids, one per line (instead of `targets`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target: Option<String>,
    /// The tipping-point share of `target: "swing"` (default 0.01).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tipping_share: Option<f64>,
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
    /// The graph the reach was combined on (graph path).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub graph: Option<GraphSummary>,
    /// The creators table, audience and overlaps read (creators path).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub inputs: Option<PlanInputs>,
    /// The audience model behind the reach (creators path): outside reach, reach by
    /// jurisdiction, parameters, fit, population.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub model: Option<TableModel>,
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
    let targets = (!r.targets.is_empty()).then(|| r.targets.clone());
    let mut cfg = ReportConfig {
        draws: r.draws,
        seed: r.seed,
        targets,
        posts_input: posts_name,
    };
    let has_table = r.creators.is_some() || r.creators_csv.is_some();
    let mut written = Vec::new();
    let (graph, inputs, model, report) = match (&r.graph, has_table) {
        (Some(_), true) | (None, false) => {
            return Err(ApiError::invalid(
                "report needs exactly one of graph (a follower graph) and creators or \
                 creators_csv (a creators table)",
            ))
        }
        (Some(spec), false) => {
            if r.target.is_some() || r.tipping_share.is_some() {
                return Err(ApiError::invalid(
                    "target (swing or a file) and tipping_share apply to a creators table; \
                     with a graph list the jurisdictions in targets",
                ));
            }
            for (what, given) in [
                ("audience", r.audience.is_some() || r.audience_csv.is_some()),
                ("overlaps", r.overlaps.is_some() || r.overlaps_csv.is_some()),
                ("population", r.population.is_some()),
                ("population_counts", r.population_counts.is_some()),
            ] {
                if given {
                    return Err(ApiError::invalid(format!(
                        "{what} applies to a creators table, not to a graph"
                    )));
                }
            }
            let loaded = spec.load(progress)?;
            progress.update("combining reach", 0, 1);
            let report = core_report::graph_report(&loaded.graph, &posts, &cfg)?;
            progress.update("combining reach", 1, 1);
            if let Some(path) = &r.write_creators {
                write_atomic(path, |f| {
                    core_report::write_creators_table(&loaded.graph, &report, f)
                })
                .map_err(|e| ApiError::io(format!("write {path}"), e))?;
                written.push(path.clone());
            }
            (Some(summary(&loaded)), None, None, report)
        }
        (None, true) => {
            progress.update("reading the creator table", 0, 1);
            let LoadedTable {
                table,
                overlaps,
                mut inputs,
            } = load_table(
                (&r.creators, &r.creators_csv),
                (&r.audience, &r.audience_csv),
                (&r.overlaps, &r.overlaps_csv),
            )?;
            if r.target.is_some() && !r.targets.is_empty() {
                return Err(ApiError::invalid(
                    "give target (swing or a file) or targets (a list), not both",
                ));
            }
            let list = (!r.targets.is_empty()).then(|| r.targets.clone());
            let (ids, rule) = resolve_targets(&r.target, &list, r.tipping_share, r.seed, &table)?;
            inputs.targets_rule = rule;
            cfg.targets = (!ids.is_empty()).then_some(ids);
            let opts = PlanOptions {
                population: r.population,
                population_counts: r.population_counts.unwrap_or_default(),
                ..PlanOptions::default()
            };
            progress.update("combining reach", 0, 1);
            let (report, model) =
                core_report::creators_report(&table, &overlaps, &posts, &cfg, &opts)?;
            progress.update("combining reach", 1, 1);
            if let Some(path) = &r.write_creators {
                write_atomic(path, |f| {
                    core_report::write_calibrated_table(&table, &report, f)
                })
                .map_err(|e| ApiError::io(format!("write {path}"), e))?;
                written.push(path.clone());
            }
            (None, Some(inputs), Some(model), report)
        }
    };
    let margin_command = effects
        .as_ref()
        .map(|e| format!("reachgraph margin {}", e.margin_flags()));
    if let (Some(path), Some(e)) = (&r.write_prior, &effects) {
        write_bytes_atomic(path, format!("{}\n", e.margin_flags()).as_bytes())
            .map_err(|e| ApiError::io(format!("write {path}"), e))?;
        written.push(path.clone());
    }
    Ok(ReportResponse {
        graph,
        inputs,
        model,
        report,
        effects,
        margin_command,
        written,
    })
}
