//! Lift results and the normal–normal update of the effect priors (see the
//! [module docs](super)).

use super::posts::Table;
use crate::error::{echo, Error, Result};
use crate::margin::Prior;
use serde::{Deserialize, Serialize};
use std::io::Read;

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
    let t = Table::open(reader, input, &["effect", "estimate", "se"], &[])?;
    let mut out = Vec::new();
    for (line, rec) in &t.rows {
        let line = *line;
        let c = |name: &str| t.cell(rec, name);
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
