//! OPIM-C (Tang, Tang, Xiao, Yuan, SIGMOD 2018) and the quality mode built on its doubling.

use super::cover::RrIndex;
use super::{
    optimum_upper, paired_coverage, spread_lower, Engine, Mode, Selection, StopReason,
    MAX_SETS_PER_COLLECTION,
};
use crate::error::{Error, Result};
use crate::rng;
use std::time::Instant;

/// Stream tags of the two collections.
pub(super) const STREAM_SELECT: u64 = 0x005E_1EC7;
pub(super) const STREAM_VALIDATE: u64 = 0x7A11_DA7E;

/// Smallest first collection (a few chunks, so both threads have work from the start).
pub(super) const MIN_THETA: f64 = 2048.0;

/// One round's answer.
pub(super) struct Round {
    pub(super) greedy: super::cover::Greedy,
    /// Coverage of the seeds on the validation sets as they were in this round.
    pub(super) covered: u64,
    pub(super) lower: f64,
    pub(super) upper: f64,
    /// Selection sets greedy ran on.
    pub(super) sets: u64,
}

/// OPIM-C's schedule: first collection size, worst-case size, set cap, the bounds' `a` and the
/// target ratio.
pub(super) struct Plan {
    pub(super) theta0: f64,
    pub(super) theta_max: f64,
    pub(super) cap: f64,
    pub(super) a: f64,
    pub(super) target: f64,
}

/// OPIM-C's schedule for `e` (also the distributed run's).
///
/// # Errors
/// [`Error::InvalidParameter`] when the set limit is below the first round's sets.
pub(super) fn plan(e: &Engine<'_>) -> Result<Plan> {
    let (eps, delta, gamma, scale) = (e.config.epsilon, e.delta, e.gamma, e.scale);
    let quality = e.config.mode == Mode::Quality;
    // θ_max = 2Γ(γ√ln(6/δ) + √(γ(ln C + ln(6/δ))))² / (ε² OPTˡ), θ₀ = θ_max ε² OPTˡ / Γ.
    let a0 = (6.0 / delta).ln();
    let root = gamma * a0.sqrt() + (gamma * (e.ln_sets + a0)).sqrt();
    let theta0 = (2.0 * root * root).max(MIN_THETA).ceil();
    let theta_max = if e.opt_lower > 0.0 {
        2.0 * scale * root * root / (eps * eps * e.opt_lower)
    } else {
        f64::INFINITY
    };
    let cap = ((e.sets_left() / 2).min(MAX_SETS_PER_COLLECTION)) as f64;
    if cap < theta0 {
        return Err(Error::invalid_parameter(
            "max_rr_sets",
            e.config.max_rr_sets.unwrap_or(0),
            format!(
                "OPIM-C's first round needs {} RR sets (two collections of {theta0})",
                2.0 * theta0
            ),
        ));
    }
    // The rounds the failure probability is split over: up to θ_max, or up to the set cap in
    // quality mode (which may go past θ_max).
    let horizon = if quality { cap } else { theta_max.min(cap) };
    let i_max = ((horizon / theta0).log2().ceil().max(0.0) as u32) + 1;
    Ok(Plan {
        theta0,
        theta_max,
        cap,
        a: (3.0 * i_max as f64 / delta).ln(),
        target: gamma - eps,
    })
}

/// Quality mode past the guarantee: `prev` and `round`'s seeds compared on the same (grown)
/// validation sets of `t2` sets, where only `prev`'s cover `only_prev` and only `round`'s
/// `only_new`. `Ok(answer)` once the gain is within the tolerance, else `Err(round)` to go on.
pub(super) fn converged(
    prev: Round,
    round: Round,
    (only_prev, only_new): (u64, u64),
    t2: f64,
    (a, scale, tolerance): (f64, f64, f64),
) -> std::result::Result<Round, Round> {
    let prev_cov = round.covered + only_prev - only_new;
    // Gain of the new seeds over the previous ones, in sets, and its paired standard
    // error: stop once even gain + 2 s.e. (about 97.5% one-sided) is within the
    // tolerance.
    let gain = only_new as f64 - only_prev as f64;
    let var = (only_new + only_prev) as f64 - gain * gain / t2;
    let se = var.max(0.0).sqrt();
    if gain + 2.0 * se > tolerance * prev_cov as f64 {
        return Err(round);
    }
    Ok(if prev_cov > round.covered {
        Round {
            lower: spread_lower(prev_cov as f64, t2, a, scale),
            covered: prev_cov,
            upper: round.upper,
            ..prev
        }
    } else {
        round
    })
}

/// The certified ratio of the final round: at θ_max the guarantee holds by OPIM-C's worst-case
/// analysis (Theorem 4.2).
pub(super) fn approximation(r: &Round, plan: &Plan) -> f64 {
    let alpha = ratio(r);
    if r.sets as f64 >= plan.theta_max {
        alpha.max(plan.target)
    } else {
        alpha
    }
}

pub(crate) fn run(mut e: Engine<'_>) -> Result<Selection> {
    let scale = e.scale;
    let quality = e.config.mode == Mode::Quality;
    let plan = plan(&e)?;
    let (theta0, theta_max, cap, a, target) =
        (plan.theta0, plan.theta_max, plan.cap, plan.a, plan.target);
    let n = e.graph.node_count();
    let mut r1 = RrIndex::new(n);
    let mut r2 = e.sampler.empty(rng::derive(e.config.seed, STREAM_VALIDATE));
    let mut theta = theta0 as usize;
    let mut rounds = 0u32;
    // The latest answer (the fallback when a limit stops the doubling).
    let mut last: Option<Round> = None;
    // Quality mode: the guarantee was reached in an earlier round.
    let mut guaranteed = false;
    let stop = loop {
        let round_start = Instant::now();
        e.grow_index(&mut r1, theta, STREAM_SELECT, r2.memory_bytes())?;
        e.grow_forward(&mut r2, theta, r1.bytes())?;
        rounds += 1;
        let g = e.greedy(&r1, true);
        let covered = e.cover_forward(&r2, &g.seeds);
        let (t1, t2) = (r1.len() as f64, r2.len() as f64);
        let mut round = Round {
            lower: spread_lower(covered as f64, t2, a, scale),
            upper: optimum_upper(g.upper, t1, a, scale),
            greedy: g,
            covered,
            sets: r1.len() as u64,
        };
        let alpha = ratio(&round);
        let at_max = t1 >= theta_max;
        if !quality && (alpha >= target || at_max) {
            last = Some(round);
            break if alpha >= target {
                StopReason::Guarantee
            } else {
                StopReason::MaxSets
            };
        }
        if guaranteed {
            // Past the guarantee: compare the new seeds with the previous ones on the same
            // (grown) validation sets; stop when the gain is within the tolerance.
            let prev = last.take().expect("a previous round");
            let t = Instant::now();
            let (only_prev, only_new) =
                paired_coverage(&r2, &prev.greedy.seeds, &round.greedy.seeds);
            e.timings.evaluation_s += t.elapsed().as_secs_f64();
            let tolerance = e.config.tolerance;
            match converged(
                prev,
                round,
                (only_prev, only_new),
                t2,
                (a, scale, tolerance),
            ) {
                Ok(r) => {
                    last = Some(r);
                    break StopReason::Converged;
                }
                Err(r) => round = r,
            }
        }
        guaranteed |= alpha >= target || at_max;
        last = Some(round);
        // Limits: the next round doubles both collections.
        let round_s = round_start.elapsed().as_secs_f64();
        let next = 2 * theta;
        if next as f64 > cap {
            break StopReason::SetLimit;
        }
        if let Some(limit) = e.config.time_limit_s {
            if e.elapsed() + 2.2 * round_s > limit {
                break StopReason::TimeLimit;
            }
        }
        if let Some(limit) = e.config.memory_limit_bytes {
            // Both collections double; a batch being indexed adds a quarter of the index.
            let need = 2 * (r1.bytes() + r2.memory_bytes()) + r1.bytes() / 2;
            if need > limit {
                break StopReason::MemoryLimit;
            }
        }
        theta = next;
    };
    let r = last.expect("at least one round ran");
    let approximation = approximation(&r, &plan);
    let estimate = e.estimate(r.covered, r2.len() as u64);
    let store = r1.bytes() + r2.memory_bytes();
    let validation = r2.len() as u64;
    Ok(e.finish(
        &r.greedy,
        r.sets,
        estimate,
        validation,
        approximation,
        (r.lower, r.upper),
        rounds,
        stop,
        store,
    ))
}

pub(super) fn ratio(r: &Round) -> f64 {
    if r.upper > 0.0 {
        (r.lower / r.upper).min(1.0)
    } else {
        1.0
    }
}
