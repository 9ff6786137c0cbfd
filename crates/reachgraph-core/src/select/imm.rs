//! IMM (Tang, Shi, Xiao, SIGMOD 2015) with Chen's correction (arXiv 1808.09363).

use super::store::{Collection, RrStore};
use super::{optimum_upper, spread_lower, Engine, Selection, StopReason, MAX_SETS_PER_COLLECTION};
use crate::error::{Error, Result};
use std::time::Instant;

pub(super) const STREAM_SAMPLING: u64 = 0x1AA_5A31;
pub(super) const STREAM_FINAL: u64 = 0x1AA_F1A1;

/// IMM's constants: `ln(2/δ)`, `ε₁`, the floor of the optimum's estimate, the sampling
/// phase's iterations, `λ′` and `λ*`.
pub(super) struct Plan {
    pub(super) lnd: f64,
    pub(super) eps1: f64,
    pub(super) floor: f64,
    pub(super) iterations: f64,
    pub(super) lambda1: f64,
    pub(super) lambda_star: f64,
}

/// IMM's constants for `e` (also the distributed run's).
pub(super) fn plan(e: &Engine<'_>) -> Plan {
    let (eps, delta, gamma, scale) = (e.config.epsilon, e.delta, e.gamma, e.scale);
    // Each phase fails with probability at most δ/2 (IMM's ℓ ← ℓ + ln 2 / ln n).
    let lnd = (2.0 / delta).ln();
    let eps1 = std::f64::consts::SQRT_2 * eps;
    let floor = if e.opt_lower > 0.0 {
        e.opt_lower
    } else {
        scale / MAX_SETS_PER_COLLECTION as f64
    };
    let iterations = (scale / floor).log2().ceil().max(2.0);
    let lambda1 =
        (2.0 + 2.0 * eps1 / 3.0) * (e.ln_sets + lnd + iterations.ln()) * scale / (eps1 * eps1);
    let alpha = (lnd + std::f64::consts::LN_2).sqrt();
    let beta = (gamma * (e.ln_sets + lnd + std::f64::consts::LN_2)).sqrt();
    let lambda_star = 2.0 * scale * (gamma * alpha + beta).powi(2) / (eps * eps);
    Plan {
        lnd,
        eps1,
        floor,
        iterations,
        lambda1,
        lambda_star,
    }
}

/// IMM on the sets of `s`: one process or the ranks of a distributed run, with the same
/// answer.
pub(super) fn run<'g, S: RrStore<'g>>(mut s: S) -> Result<Selection> {
    let e = s.engine();
    let (eps, gamma, scale) = (e.config.epsilon, e.gamma, e.scale);
    let Plan {
        lnd,
        eps1,
        floor,
        iterations,
        lambda1,
        lambda_star,
    } = plan(e);
    // Sampling phase: find a lower bound LB of the optimum.
    let mut r = s.new_index();
    let mut lb = floor;
    let mut rounds = 0u32;
    let mut i = 1.0f64;
    while i < iterations {
        let x = scale / 2f64.powf(i);
        let theta_i = check_sets(s.engine(), (lambda1 / x).ceil(), r.sets() as u64)?;
        s.grow_index(&mut r, theta_i, STREAM_SAMPLING, 0)?;
        rounds += 1;
        let g = s.greedy_timed(&r, false)?;
        let spread = scale * g.coverage as f64 / r.sets() as f64;
        if spread >= (1.0 + eps1) * x {
            lb = spread / (1.0 + eps1);
            break;
        }
        i += 1.0;
    }
    // Node selection on θ fresh sets (Chen's correction: independent of LB's sets).
    let theta = check_sets(s.engine(), (lambda_star / lb).ceil(), 0)?;
    let mut fin = s.new_index();
    s.grow_index(&mut fin, theta, STREAM_FINAL, r.raw())?;
    rounds += 1;
    let g = s.greedy_timed(&fin, true)?;
    // Out-of-sample: the sampling phase's sets are independent of the final ones.
    let t = Instant::now();
    let covered = s.index_coverage(&r, &g.seeds)?;
    s.engine_mut().timings.evaluation_s += t.elapsed().as_secs_f64();
    let estimate = s.engine().estimate(covered, r.sets() as u64);
    let lower = spread_lower(covered as f64, r.sets() as f64, lnd, scale);
    let upper = optimum_upper(g.upper, fin.sets() as f64, lnd, scale);
    let store = r.raw() + fin.raw();
    let validation = r.sets() as u64;
    Ok(s.into_engine().finish(
        &g,
        fin.sets() as u64,
        estimate,
        validation,
        gamma - eps,
        (lower, upper),
        rounds,
        StopReason::Guarantee,
        store,
    ))
}

/// IMM needs exactly its θ: more than a collection can hold or the configured limit allows is
/// an error.
pub(super) fn check_sets(e: &Engine<'_>, theta: f64, held: u64) -> Result<usize> {
    let more = (theta - held as f64).max(0.0);
    if theta > MAX_SETS_PER_COLLECTION as f64 || more > e.sets_left() as f64 {
        return Err(Error::invalid_parameter(
            "max_rr_sets",
            e.config
                .max_rr_sets
                .map_or_else(|| "none".to_string(), |m| m.to_string()),
            format!(
                "IMM needs {theta:.0} RR sets for epsilon = {}; raise the limit or epsilon, or \
                 use OPIM-C, which stops with the ratio it reached",
                e.config.epsilon
            ),
        ));
    }
    Ok(theta.max(1.0) as usize)
}
