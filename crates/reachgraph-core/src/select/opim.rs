//! OPIM-C (Tang, Tang, Xiao, Yuan, SIGMOD 2018) and the quality mode built on its doubling.

use super::cover::Greedy;
use super::store::{Collection, RrStore};
use super::{
    optimum_upper, spread_lower, Engine, Mode, Paired, Selection, StopReason,
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
    pub(super) greedy: Greedy,
    /// Coverage of the seeds on the validation sets as they were in this round.
    pub(super) covered: u64,
    pub(super) lower: f64,
    pub(super) upper: f64,
    /// Selection sets greedy ran on.
    pub(super) sets: u64,
}

impl Round {
    /// Greedy's answer `greedy` on `sets` selection sets, covering `covered` of the `t2`
    /// validation sets, with OPIM-C's bounds at `a` (Eq. 7 and 8 of the paper).
    pub(super) fn new(
        greedy: Greedy,
        covered: u64,
        sets: usize,
        t2: f64,
        a: f64,
        scale: f64,
    ) -> Round {
        Round {
            lower: spread_lower(covered as f64, t2, a, scale),
            upper: optimum_upper(greedy.upper, sets as f64, a, scale),
            greedy,
            covered,
            sets: sets as u64,
        }
    }
}

/// OPIM-C's schedule: first collection size, worst-case size, set cap, the bounds' `a`.
pub(super) struct Plan {
    pub(super) theta0: f64,
    pub(super) theta_max: f64,
    pub(super) cap: f64,
    pub(super) a: f64,
}

/// OPIM-C's schedule for `e` (the distributed run's too).
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
    let a = (3.0 * i_max as f64 / delta).ln();
    Ok(Plan {
        theta0,
        theta_max,
        cap,
        a,
    })
}

/// The certified ratio of the final round: at θ_max the guarantee holds by OPIM-C's worst-case
/// analysis (Theorem 4.2).
pub(super) fn approximation(r: &Round, theta_max: f64, target: f64) -> f64 {
    let alpha = ratio(r);
    if r.sets as f64 >= theta_max {
        alpha.max(target)
    } else {
        alpha
    }
}

/// OPIM-C (and quality mode) on the sets of `s`: one process or the ranks of a distributed
/// run, with the same answer.
pub(super) fn run<'g, S: RrStore<'g>>(mut s: S) -> Result<Selection> {
    let e = s.engine();
    let (eps, gamma, scale) = (e.config.epsilon, e.gamma, e.scale);
    let quality = e.config.mode == Mode::Quality;
    let tolerance = e.config.tolerance;
    let (memory_limit, time_limit) = (
        Some(e.config.sampling().effective_memory_limit()),
        e.config.time_limit_s,
    );
    let Plan {
        theta0,
        theta_max,
        cap,
        a,
    } = plan(e)?;
    let mut r1 = s.new_index();
    let mut r2 = s.new_forward(rng::derive(e.config.seed(), STREAM_VALIDATE));
    let mut theta = theta0 as usize;
    let mut rounds = 0u32;
    // The latest answer (the fallback when a limit stops the doubling).
    let mut last: Option<Round> = None;
    // Quality mode: the guarantee was reached in an earlier round.
    let mut guaranteed = false;
    let target = gamma - eps;
    let stop = loop {
        let round_start = Instant::now();
        s.grow_index(&mut r1, theta, STREAM_SELECT, r2.raw())?;
        s.grow_forward(&mut r2, theta, r1.raw())?;
        rounds += 1;
        // The limits a doubling must pass that do not depend on this round's answer; the
        // memory is judged on each rank's store and agreed.
        let next = 2 * theta;
        let limit = if next as f64 > cap {
            Some(StopReason::SetLimit)
        } else {
            let over = memory_limit.is_some_and(|l| s.doubled_bytes(&r1, &r2) > l);
            (memory_limit.is_some() && s.any(over)?).then_some(StopReason::MemoryLimit)
        };
        let prev = last.take();
        let ahead = limit
            .is_none()
            .then(|| s.engine().next_batch(r1.sets(), next, STREAM_SELECT));
        let out = s.overlapped(ahead, |s, min_len| {
            let out = (|| {
                let t = Instant::now();
                let g = s.greedy(&r1, true)?;
                let greedy_s = t.elapsed().as_secs_f64();
                let t = Instant::now();
                // Past the guarantee the new seeds are compared with the previous ones on the
                // same (grown) validation sets, in the same pass that counts their coverage.
                let paired = match prev.as_ref().filter(|_| guaranteed) {
                    Some(p) => Some(s.paired(&r2, &p.greedy.seeds, &g.seeds, min_len)?),
                    None => None,
                };
                let covered = match paired {
                    Some(c) => c.covered_b,
                    None => s.forward_coverage(&r2, &g.seeds, min_len)?,
                };
                let eval_s = t.elapsed().as_secs_f64();
                let t2 = r2.sets() as f64;
                let round = Round::new(g, covered, r1.sets(), t2, a, scale);
                let verdict = judge(&round, paired, t2, quality, target, theta_max, tolerance);
                Ok((round, verdict, greedy_s, eval_s))
            })();
            let go_on = limit.is_none() && matches!(out, Ok((_, Verdict::Continue { .. }, ..)));
            (out, go_on)
        });
        let (round, verdict, greedy_s, eval_s) = out?;
        let timings = &mut s.engine_mut().timings;
        timings.greedy_s += greedy_s;
        timings.evaluation_s += eval_s;
        let t2 = r2.sets() as f64;
        if let Some(reason) = settle(
            verdict,
            round,
            prev,
            &mut guaranteed,
            &mut last,
            t2,
            a,
            scale,
        )? {
            break reason;
        }
        if let Some(reason) = limit {
            break reason;
        }
        if let Some(limit) = time_limit {
            let late = s.engine().elapsed() + 2.2 * round_start.elapsed().as_secs_f64() > limit;
            if s.any(late)? {
                break StopReason::TimeLimit;
            }
        }
        theta = next;
    };
    let r = last.ok_or_else(|| Error::invalid_parameter("rounds", 0, "no round ran"))?;
    let approximation = approximation(&r, theta_max, target);
    let estimate = s.engine().estimate(r.covered, r2.sets() as u64);
    let store = r1.raw() + r2.raw();
    let validation = r2.sets() as u64;
    Ok(s.into_engine().finish(
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

/// Keeps in `last` the answer a round's `verdict` leaves (for a converged quality mode, the
/// better of this round's and the previous round's seeds, judged on the `t2` validation sets)
/// and says whether the doubling stops, and why.
///
/// # Errors
/// [`Error::InvalidParameter`] for a convergence without a previous round (not reached: a
/// paired comparison needs one).
#[allow(clippy::too_many_arguments)]
pub(super) fn settle(
    verdict: Verdict,
    round: Round,
    prev: Option<Round>,
    guaranteed: &mut bool,
    last: &mut Option<Round>,
    t2: f64,
    a: f64,
    scale: f64,
) -> Result<Option<StopReason>> {
    match verdict {
        Verdict::Stop(reason) => {
            *last = Some(round);
            Ok(Some(reason))
        }
        Verdict::Converged { prev_cov } => {
            let prev = prev.ok_or_else(|| {
                Error::invalid_parameter("mode", "quality", "no previous round to compare")
            })?;
            *last = Some(if prev_cov > round.covered {
                Round {
                    lower: spread_lower(prev_cov as f64, t2, a, scale),
                    covered: prev_cov,
                    upper: round.upper,
                    ..prev
                }
            } else {
                round
            });
            Ok(Some(StopReason::Converged))
        }
        Verdict::Continue { guaranteed: now } => {
            *guaranteed |= now;
            *last = Some(round);
            Ok(None)
        }
    }
}

/// What one round's answer means for the doubling.
pub(super) enum Verdict {
    /// Stop with this answer.
    Stop(StopReason),
    /// Quality mode: the gain over the previous round's seeds is within the tolerance; the
    /// previous seeds cover `prev_cov` validation sets.
    Converged { prev_cov: u64 },
    /// Double again; `guaranteed` when this round reached the guarantee.
    Continue { guaranteed: bool },
}

/// The stopping rules of OPIM-C (ratio reached or `θ_max`) and of quality mode (a paired
/// comparison with the previous round's seeds: stop once even gain + 2 standard errors, about
/// 97.5% one-sided, is within the tolerance).
pub(super) fn judge(
    round: &Round,
    paired: Option<Paired>,
    t2: f64,
    quality: bool,
    target: f64,
    theta_max: f64,
    tolerance: f64,
) -> Verdict {
    let alpha = ratio(round);
    let at_max = round.sets as f64 >= theta_max;
    if !quality && (alpha >= target || at_max) {
        return Verdict::Stop(if alpha >= target {
            StopReason::Guarantee
        } else {
            StopReason::MaxSets
        });
    }
    if let Some(p) = paired {
        let prev_cov = round.covered + p.only_a - p.only_b;
        let gain = p.only_b as f64 - p.only_a as f64;
        let var = (p.only_b + p.only_a) as f64 - gain * gain / t2;
        let se = var.max(0.0).sqrt();
        if gain + 2.0 * se <= tolerance * prev_cov as f64 {
            return Verdict::Converged { prev_cov };
        }
    }
    Verdict::Continue {
        guaranteed: alpha >= target || at_max,
    }
}

pub(super) fn ratio(r: &Round) -> f64 {
    if r.upper > 0.0 {
        (r.lower / r.upper).min(1.0)
    } else {
        1.0
    }
}
