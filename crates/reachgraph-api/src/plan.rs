//! The `plan` request: planning from a creator table (follower counts, audience geography,
//! measured overlaps) without follower lists — modelled distinct reach with 90% intervals,
//! reach by jurisdiction and in the targets, the fit, the assumptions, a budgeted pick of
//! creators, and optionally an ensemble of synthetic follower graphs (see `docs/plan.md` and
//! [`reachgraph_core::plan`]).

use crate::load::IdList;
use crate::{ApiError, Result};
use reachgraph_core::margin::{self, Electorate, MarginConfig};
use reachgraph_core::plan::ensemble::{self, EnsembleOptions, Summary};
use reachgraph_core::plan::materialize::MaterializeOptions;
use reachgraph_core::plan::{
    self as core_plan, CreatorTable, FitStatus, MeasuredOverlap, PlanOptions, PlanReport,
};
use reachgraph_core::reach::ReachOptions;
use reachgraph_core::{Error, Progress, Sampling};
use serde::{Deserialize, Serialize};

/// Tipping-point share the `swing` targets use when the request gives none (the margin
/// request's default).
pub const DEFAULT_TIPPING_SHARE: f64 = 0.01;

/// Plan from a creator table. Each table is given as a path or as inline CSV text
/// (`NAME_csv`), not both.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PlanRequest {
    /// creators.csv: `creator,platform[,account],followers[,price][,state][,lean_a][,eligible][,posts][,reach_rate]`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub creators: Option<String>,
    /// The creators CSV itself, as text (instead of `creators`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub creators_csv: Option<String>,
    /// Audience geography: `account,jurisdiction,share`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub audience: Option<String>,
    /// The audience CSV itself, as text (instead of `audience`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub audience_csv: Option<String>,
    /// Measured overlaps: `a,b,shared` (fraction of a's followers) or `a,b,shared_count`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub overlaps: Option<String>,
    /// The overlaps CSV itself, as text (instead of `overlaps`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub overlaps_csv: Option<String>,
    /// Only these accounts count (ids inline, or `{"file": PATH}` one per line); all of the
    /// table's when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub accounts: Option<IdList>,
    /// Real people the audiences are drawn from (overrides the electorate's default).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub population: Option<f64>,
    /// What the population counts: `users` (the default: a platform's users, who follow
    /// someone; zero-share prior near zero) or `everyone` (followers or not; wide prior).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub population_counts: Option<core_plan::PopulationKind>,
    /// Budget per month: pick the creators to hire (all their accounts, one price).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub budget: Option<f64>,
    /// `swing` (the jurisdictions that are the tipping point in at least `tipping_share` of
    /// the margin simulation's baseline draws: margin's rule, no hindsight) or the path of a
    /// file of jurisdiction ids, one per line.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target: Option<String>,
    /// Target jurisdiction ids listed inline (instead of `target`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub targets: Option<Vec<String>>,
    /// The tipping-point share of `target: "swing"` (default 0.01).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tipping_share: Option<f64>,
    /// Parameter draws behind each interval.
    #[serde(default = "default_draws")]
    pub draws: usize,
    /// Seed of every draw.
    #[serde(default)]
    pub seed: u64,
    /// Use the named independence assumption instead of the fitted model.
    #[serde(default)]
    pub independence: bool,
    /// Also draw this many synthetic follower graphs (one parameter draw each: fitted when
    /// overlaps are given, the prior otherwise) and summarise the exact reach (and pick) on
    /// them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ensemble: Option<usize>,
    /// Real people per graph person of the ensemble's graphs (default: the smallest whole
    /// number keeping about two million edges per graph).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scale: Option<f64>,
}

fn default_draws() -> usize {
    core_plan::DEFAULT_DRAWS
}

impl Default for PlanRequest {
    fn default() -> Self {
        PlanRequest {
            creators: None,
            creators_csv: None,
            audience: None,
            audience_csv: None,
            overlaps: None,
            overlaps_csv: None,
            accounts: None,
            population: None,
            population_counts: None,
            budget: None,
            target: None,
            targets: None,
            tipping_share: None,
            draws: default_draws(),
            seed: 0,
            independence: false,
            ensemble: None,
            scale: None,
        }
    }
}

/// Which inputs the answer was computed from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PlanInputs {
    /// The creators table (path, or `<creators_csv>`).
    pub creators: String,
    /// The audience geography, when given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub audience: Option<String>,
    /// The measured overlaps, when given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub overlaps: Option<String>,
    /// Measured overlap pairs read (pairs of accounts).
    pub measured_overlaps: usize,
    /// How the target jurisdictions were chosen, when targets are given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub targets_rule: Option<String>,
}

/// A creator's share of an ensemble's picks.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PickShare {
    /// The creator.
    pub creator: String,
    /// Share of realizations whose pick hired the creator (0 to 1).
    pub share: f64,
}

/// Exact answers on an ensemble of synthetic follower graphs drawn from the table.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PlanEnsemble {
    /// Realizations drawn.
    pub realizations: usize,
    /// Where each realization's parameters come from: `fitted` (resampled by weight from the
    /// fit to the measured overlaps), `prior` (no overlaps measured) or `independence`.
    pub parameters: FitStatus,
    /// Real people per graph person of each realization.
    pub scale: Vec<f64>,
    /// Distinct real people the accounts reach (drawn graphs, scaled): mean and 90% interval
    /// over the realizations.
    pub unique_reach: Summary,
    /// Of them, eligible voters (people in a jurisdiction).
    pub eligible_reach: Summary,
    /// Eligible voters reached in the target jurisdictions, when targets are given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target_reach: Option<Summary>,
    /// Real people the person-level budgeted pick of each realization reaches (all people:
    /// the realizations carry no target weights), with a budget.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pick_reach: Option<Summary>,
    /// How often each creator was hired across the realizations' picks, most often first.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub pick_frequency: Vec<PickShare>,
    /// What the numbers are.
    pub note: String,
}

/// The answer to a [`PlanRequest`]: the inputs, the [`PlanReport`] (flattened: the fields
/// `summed_followers`, `unique_reach`, `jurisdictions`, `target`, `pick`, `parameters`,
/// `fit`, `assumptions`, `units`, …) and the ensemble when asked.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PlanResponse {
    /// The inputs read.
    pub inputs: PlanInputs,
    /// Modelled reach, fit, assumptions and pick.
    #[serde(flatten)]
    pub report: PlanReport,
    /// The ensemble of synthetic graphs, when asked.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ensemble: Option<PlanEnsemble>,
}

/// Exactly one of a path and inline text, read whole: `(name, text)`.
pub(crate) fn source(
    what: &str,
    path: &Option<String>,
    inline: &Option<String>,
) -> Result<Option<(String, String)>> {
    match (path, inline) {
        (Some(_), Some(_)) => Err(ApiError::invalid(format!(
            "give {what} or {what}_csv, not both"
        ))),
        (Some(p), None) => {
            let text =
                std::fs::read_to_string(p).map_err(|e| ApiError::io(format!("read {p}"), e))?;
            Ok(Some((p.clone(), text)))
        }
        (None, Some(t)) => Ok(Some((format!("<{what}_csv>"), t.clone()))),
        (None, None) => Ok(None),
    }
}

/// The electorate a creator table is read against (jurisdictions and population).
pub fn table_electorate() -> Result<Electorate> {
    Ok(Electorate::us_president(2024, reachgraph_core::Side::Dem)?)
}

/// A creator table with its audience geography and measured overlaps, read from paths or
/// inline text.
pub struct LoadedTable {
    /// The table (with audience geography applied).
    pub table: CreatorTable,
    /// Measured overlaps.
    pub overlaps: Vec<MeasuredOverlap>,
    /// What was read.
    pub inputs: PlanInputs,
}

/// Reads the creators table (required), the audience geography and the overlaps.
///
/// # Errors
/// [`ApiError::InvalidRequest`] without a creators table or with a path and text of one
/// table; [`ApiError::Io`] for an unreadable file; the table readers' errors naming file,
/// line, column and value.
pub fn load_table(
    creators: (&Option<String>, &Option<String>),
    audience: (&Option<String>, &Option<String>),
    overlaps: (&Option<String>, &Option<String>),
) -> Result<LoadedTable> {
    let electorate = table_electorate()?;
    let (cname, ctext) = source("creators", creators.0, creators.1)?
        .ok_or_else(|| ApiError::invalid("plan needs creators (a path) or creators_csv (text)"))?;
    let mut table = CreatorTable::read(ctext.as_bytes(), &cname, &electorate)?;
    let mut inputs = PlanInputs {
        creators: cname,
        audience: None,
        overlaps: None,
        measured_overlaps: 0,
        targets_rule: None,
    };
    if let Some((name, text)) = source("audience", audience.0, audience.1)? {
        table.read_audience(text.as_bytes(), &name)?;
        inputs.audience = Some(name);
    }
    let mut measured = Vec::new();
    if let Some((name, text)) = source("overlaps", overlaps.0, overlaps.1)? {
        measured = table.read_overlaps(text.as_bytes(), &name)?;
        inputs.overlaps = Some(name);
        inputs.measured_overlaps = measured.len();
    }
    Ok(LoadedTable {
        table,
        overlaps: measured,
        inputs,
    })
}

/// The account ids of `list`, each checked against the table (a file's unknown or repeated
/// id is an error naming the file and line).
fn account_ids(list: &IdList, table: &CreatorTable) -> Result<Vec<String>> {
    match list {
        IdList::Inline(keys) => Ok(keys.iter().map(|k| k.to_string()).collect()),
        IdList::File { file } => {
            let f =
                std::fs::File::open(file).map_err(|e| ApiError::io(format!("open {file}"), e))?;
            let ids = reachgraph_core::io::read_id_list(f, file)?;
            let mut seen = std::collections::HashMap::new();
            for l in &ids {
                if table.account(&l.id).is_none() {
                    return Err(Error::parse(
                        file,
                        l.line,
                        format!("unknown account {:?}: not in the creators table", l.id),
                    )
                    .into());
                }
                if let Some(first) = seen.insert(l.id.clone(), l.line) {
                    return Err(Error::parse(
                        file,
                        l.line,
                        format!("account {:?} listed twice (first on line {first})", l.id),
                    )
                    .into());
                }
            }
            if ids.is_empty() {
                return Err(Error::Empty {
                    what: format!("accounts list {file}"),
                }
                .into());
            }
            Ok(ids.into_iter().map(|l| l.id).collect())
        }
    }
}

/// The target jurisdictions and how they were chosen.
///
/// `swing`: margin's tipping-point rule on the 2024 electorate's baseline with its default
/// baseline error (`tipping_share` of `seed`'s draws); a path: one jurisdiction id per line,
/// each checked against the table's electorate.
pub fn resolve_targets(
    target: &Option<String>,
    targets: &Option<Vec<String>>,
    tipping_share: Option<f64>,
    seed: u64,
    table: &CreatorTable,
) -> Result<(Vec<String>, Option<String>)> {
    if tipping_share.is_some() && target.as_deref() != Some("swing") {
        return Err(ApiError::invalid(
            "tipping_share applies to target \"swing\" only",
        ));
    }
    match (target, targets) {
        (Some(_), Some(_)) => Err(ApiError::invalid(
            "give target (swing or a file) or targets (a list), not both",
        )),
        (None, None) => Ok((Vec::new(), None)),
        (None, Some(ids)) => {
            for id in ids {
                if table.jurisdiction(id).is_none() {
                    return Err(Error::invalid_parameter(
                        "targets",
                        id,
                        "not a jurisdiction of the table's electorate (2024 US states and DC)",
                    )
                    .into());
                }
            }
            if ids.is_empty() {
                return Err(ApiError::invalid("targets: the list is empty"));
            }
            Ok((ids.clone(), Some("listed in the request".into())))
        }
        (Some(t), None) if t == "swing" => {
            let share = tipping_share.unwrap_or(DEFAULT_TIPPING_SHARE);
            let e = table_electorate()?;
            let cfg = MarginConfig::builder()
                .sampling(Sampling::new(seed))
                .build()?;
            let ids = margin::tipping_point_targets(&e, &cfg, share)?;
            let rule = format!(
                "swing: the jurisdictions that are the tipping point in at least {share} of the \
                 margin simulation's baseline draws (margin's rule: {} with its default baseline \
                 error, {} draws, seed {seed}); chosen before the election from the baseline's \
                 uncertainty, not from the certified result of the election (no hindsight)",
                e.name,
                margin::DEFAULT_DRAWS
            );
            Ok((ids, Some(rule)))
        }
        (Some(path), None) => {
            let f =
                std::fs::File::open(path).map_err(|e| ApiError::io(format!("open {path}"), e))?;
            let ids = reachgraph_core::io::read_id_list(f, path)?;
            for l in &ids {
                if table.jurisdiction(&l.id).is_none() {
                    return Err(Error::parse(
                        path,
                        l.line,
                        format!(
                            "unknown jurisdiction {:?}: not in the table's electorate (2024 US \
                             states and DC)",
                            l.id
                        ),
                    )
                    .into());
                }
            }
            if ids.is_empty() {
                return Err(Error::Empty {
                    what: format!("target list {path}"),
                }
                .into());
            }
            Ok((
                ids.into_iter().map(|l| l.id).collect(),
                Some(format!("listed in {path}")),
            ))
        }
    }
}

pub(crate) fn run_plan(r: &PlanRequest, progress: &dyn Progress) -> Result<PlanResponse> {
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
    let accounts = match &r.accounts {
        Some(l) => Some(account_ids(l, &table)?),
        None => None,
    };
    let (targets, rule) = resolve_targets(&r.target, &r.targets, r.tipping_share, r.seed, &table)?;
    inputs.targets_rule = rule;
    if let Some(b) = r.budget {
        if !(b.is_finite() && b > 0.0) {
            return Err(Error::invalid_parameter(
                "budget",
                b,
                "must be a positive amount per month",
            )
            .into());
        }
    }
    let opts = PlanOptions {
        population: r.population,
        population_counts: r.population_counts.unwrap_or_default(),
        accounts: accounts.clone(),
        budget: r.budget,
        targets: targets.clone(),
        draws: r.draws,
        seed: r.seed,
        independence: r.independence,
        ..Default::default()
    };
    progress.update("fitting and modelling reach", 0, 1);
    let report = core_plan::plan(&table, &overlaps, &opts)?;
    progress.update("fitting and modelling reach", 1, 1);
    let ensemble = match r.ensemble {
        None => None,
        Some(n) => Some(run_ensemble(r, n, &table, &overlaps, &opts, progress)?),
    };
    Ok(PlanResponse {
        inputs,
        report,
        ensemble,
    })
}

fn run_ensemble(
    r: &PlanRequest,
    n: usize,
    table: &CreatorTable,
    overlaps: &[MeasuredOverlap],
    opts: &PlanOptions,
    progress: &dyn Progress,
) -> Result<PlanEnsemble> {
    if n == 0 || n > ensemble::MAX_ENSEMBLE {
        return Err(Error::invalid_parameter(
            "ensemble",
            n,
            format!("must be 1 to {}", ensemble::MAX_ENSEMBLE),
        )
        .into());
    }
    let (params, status) = core_plan::table_parameter_draws(table, overlaps, opts, n)?;
    let models = ensemble::models_of_table(table, &params)?;
    let eopts = EnsembleOptions {
        materialize: MaterializeOptions {
            scale: r.scale,
            ..Default::default()
        },
        seed: r.seed,
    };
    let accounts: Vec<usize> = match &opts.accounts {
        None => (0..table.accounts.len()).collect(),
        Some(ids) => ids.iter().filter_map(|id| table.account(id)).collect(),
    };
    let nj = table.jurisdictions.len();
    let target_idx: Vec<usize> = opts
        .targets
        .iter()
        .filter_map(|t| table.jurisdiction(t))
        .collect();
    let runs = ensemble::run(&models, &eopts, |i, real| {
        progress.update("synthetic graphs", i as u64, n as u64);
        let reach = ensemble::realized_reach(real, &accounts, nj);
        let pick = match r.budget {
            Some(b) => Some(ensemble::realized_pick(
                real,
                Some(&accounts),
                b,
                &ReachOptions::default(),
            )?),
            None => None,
        };
        Ok((real.scale, reach, pick))
    })?;
    progress.update("synthetic graphs", n as u64, n as u64);
    // Every summary here counts people (real people or eligible voters): whole-people ends.
    let s = |f: &dyn Fn(&ensemble::RealizedReach) -> f64| -> Result<Summary> {
        Ok(Summary::of_people(
            &runs.iter().map(|x| f(&x.1)).collect::<Vec<_>>(),
        )?)
    };
    let picks: Vec<ensemble::RealizedPick> = runs.iter().filter_map(|x| x.2.clone()).collect();
    Ok(PlanEnsemble {
        realizations: n,
        parameters: status,
        scale: runs.iter().map(|x| x.0).collect(),
        unique_reach: s(&|x| x.total)?,
        eligible_reach: s(&|x| x.eligible)?,
        target_reach: if target_idx.is_empty() {
            None
        } else {
            Some(s(&|x| {
                target_idx.iter().map(|&j| x.by_jurisdiction[j]).sum()
            })?)
        },
        pick_reach: if picks.is_empty() {
            None
        } else {
            Some(Summary::of_people(
                &picks.iter().map(|p| p.people).collect::<Vec<_>>(),
            )?)
        },
        pick_frequency: ensemble::pick_frequency(&picks)
            .into_iter()
            .map(|(creator, share)| PickShare { creator, share })
            .collect(),
        note: format!(
            "exact answers on {n} synthetic follower graph(s) drawn from the table (modelled: \
             each graph person stands for `scale` real people; parameters {}); the interval \
             carries parameter uncertainty and each graph's own randomness{}",
            match status {
                FitStatus::Fitted => "resampled by weight from the fit to the measured overlaps",
                FitStatus::Prior => "drawn from the prior (no overlaps were measured)",
                FitStatus::Independence => "the named independence assumption",
            },
            if n < 20 {
                "; with fewer than 20 realizations its ends are rough"
            } else {
                ""
            }
        ),
    })
}
