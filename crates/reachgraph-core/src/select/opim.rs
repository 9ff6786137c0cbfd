//! OPIM-C (Tang, Tang, Xiao, Yuan, SIGMOD 2018) and the quality mode built on its doubling.

use super::cover::Greedy;
use super::store::{Collection, RrStore};
use super::{
    optimum_upper, spread_lower, Engine, Mode, Selection, StopReason, MAX_SETS_PER_COLLECTION,
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
    // Quality mode grows by at least `QUALITY_MIN_GROWTH` per round past the guarantee.
    let horizon = if quality { cap } else { theta_max.min(cap) };
    let steps = if quality {
        (horizon / theta0).ln() / QUALITY_MIN_GROWTH.ln()
    } else {
        (horizon / theta0).log2()
    };
    let i_max = (steps.ceil().max(0.0) as u32) + 1;
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

/// Quality mode's floor: greedy's seeds must cover at least `QUALITY_FLOOR / tolerance²`
/// selection sets (45,000 at the default 0.5%), so that the coverage counts greedy compares
/// carry a relative noise near the tolerance whatever the graph. Calibrated on soc-Epinions1,
/// NetHEPT and wiki-Vote (docs/BENCHMARKS.md, issue 18) against IMM ε = 0.1's spread, measured
/// on common RR sets: the first constant, 0.5 (20,000 sets), fell short of 99.5% of IMM's
/// spread in 2 of 60 runs (NetHEPT seed 8 and wiki-Vote seed 11: 99.35% and 99.34%, 9 and 16
/// standard errors below); 1.125 is the smallest of the floors tried (20,000 to
/// 60,000 sets) at which every graph's seeds 1–10 clear the bar by 2.5 standard deviations
/// of their spread, and seeds 11–40, held out, all clear it (lowest 99.71%; the old floor
/// missed in 8 of 80 runs of seeds 1–40 on NetHEPT and wiki-Vote).
///
/// With the first-hop control variate (`control_variate`: the final greedy of the `cv`
/// module, where each root's first hop is one account's and `Engine::cv_ready` holds) the
/// constant is [`QUALITY_FLOOR_CV`]: the variate cuts the noise of the gains greedy compares,
/// and 0.75 (30,000 sets) passed where 1.125 had, on the same 120 runs (docs/BENCHMARKS.md,
/// issue 18). Where people hold several accounts the variate still picks, at 1.125: on
/// NetHEPT with accounts grouped into people, 0.75 fell below 99.5% of the reference spread
/// in 5 of 20 runs, plain greedy at 1.125 in 2, the variate at 1.125 in none.
pub(super) fn coverage_floor(tolerance: f64, control_variate: bool) -> f64 {
    let c = if control_variate {
        QUALITY_FLOOR_CV
    } else {
        QUALITY_FLOOR
    };
    (c / (tolerance * tolerance)).ceil()
}

/// Quality mode's coverage floor times the tolerance squared (see [`coverage_floor`]).
pub(super) const QUALITY_FLOOR: f64 = 1.125;

/// [`QUALITY_FLOOR`] with the first-hop control variate.
pub(super) const QUALITY_FLOOR_CV: f64 = 0.75;

/// Quality mode's smallest growth per round past the guarantee (the rounds the failure
/// probability is split over are counted at this rate).
pub(super) const QUALITY_MIN_GROWTH: f64 = 1.25;

/// Past the guarantee, quality mode draws one validation set per this many selection sets.
pub(super) const QUALITY_VALIDATION_SHARE: usize = 4;

/// Quality mode's margin on the sets a top-up round aims at, over what the out-of-sample
/// coverage rate predicts (greedy's in-sample coverage only exceeds it).
const QUALITY_MARGIN: f64 = 1.02;

/// The selection sets quality mode grows to after a round past the guarantee on `theta` sets
/// whose seeds cover `covered` of `t2` validation sets: enough for the floor at the
/// out-of-sample coverage rate (with a margin), and at least `QUALITY_MIN_GROWTH` times more.
pub(super) fn quality_next(theta: usize, covered: u64, t2: f64, floor: f64) -> usize {
    let min = (theta as f64 * QUALITY_MIN_GROWTH).ceil();
    if covered == 0 {
        return 2 * theta;
    }
    let need = (QUALITY_MARGIN * floor * t2 / covered as f64).ceil();
    need.max(min) as usize
}

/// OPIM-C (and quality mode) on the sets of `s`: one process or the ranks of a distributed
/// run, with the same answer.
pub(super) fn run<'g, S: RrStore<'g>>(mut s: S) -> Result<Selection> {
    let e = s.engine();
    let (eps, gamma, scale) = (e.config.epsilon, e.gamma, e.scale);
    let quality = e.config.mode == Mode::Quality;
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
    // The latest answer (the fallback when a limit stops the growth); every way out of the
    // loop sets it first.
    let mut last: Option<Round>;
    // Quality mode: the guarantee was reached in an earlier round.
    let mut guaranteed = false;
    // Quality mode: this round's size was aimed at the floor, so it is expected to be the last.
    let mut expect_last = false;
    // The variate's greedy run beside the last round's plain greedy, with its seconds.
    let mut early_cv = None;
    let target = gamma - eps;
    let stop = loop {
        let round_start = Instant::now();
        // Past the guarantee the validation sets only carry the estimate (and the rate the
        // next round aims by): they grow to a quarter of the selection sets, never shrinking.
        let t2 = if guaranteed {
            (theta / QUALITY_VALIDATION_SHARE).max(r2.sets())
        } else {
            theta
        };
        s.grow_both(&mut r1, theta, STREAM_SELECT, &mut r2, t2)?;
        rounds += 1;
        // The next round's size is known only after this round's answer; the batch drawn
        // ahead is the first of the likely next round (a doubling before the guarantee, the
        // smallest top-up after it) and is dropped if the next round differs.
        let guess = if guaranteed {
            (theta as f64 * QUALITY_MIN_GROWTH).ceil() as usize
        } else {
            2 * theta
        };
        let ahead =
            (guess as f64 <= cap).then(|| s.engine().next_batch(r1.sets(), guess, STREAM_SELECT));
        let was_guaranteed = guaranteed;
        // The control variate's floor holds where it was calibrated, one account per root's
        // first hop, and only if its greedy will answer (`Engine::cv_ready`, on the sets held
        // now; else plain greedy answers, at the plain floor).
        let e = s.engine();
        let cv_answers = e.first_hop.is_some() && e.cv_ready();
        let cv = cv_answers && e.first_hop.as_ref().is_some_and(|h| h.one_account_roots());
        let floor = coverage_floor(e.config.tolerance, cv);
        let work = |s: &S, min_len: usize| {
            let out = (|| {
                let t = Instant::now();
                let g = s.greedy(&r1, true)?;
                let greedy_s = t.elapsed().as_secs_f64();
                let t = Instant::now();
                let covered = s.forward_coverage(&r2, &g.seeds, min_len)?;
                let eval_s = t.elapsed().as_secs_f64();
                let t2 = r2.sets() as f64;
                let round = Round::new(g, covered, r1.sets(), t2, a, scale);
                let verdict = judge(
                    &round,
                    was_guaranteed,
                    t2,
                    quality,
                    target,
                    theta_max,
                    floor,
                );
                Ok((round, verdict, greedy_s, eval_s))
            })();
            let go_on = matches!(out, Ok((_, Verdict::Continue { .. }, ..)));
            (out, go_on)
        };
        // On a round expected to be the last, the other core runs the variate's greedy (the
        // answer's, where it answers: with people of several accounts too) instead of drawing
        // ahead; if the growth goes on, it is dropped and the next round draws its first batch
        // in turn. Either way the answer is the same.
        let (out, cv_beside) = if cv_answers && expect_last {
            s.overlapped_cv(&r1, work)
        } else {
            (s.overlapped(ahead, work), None)
        };
        let (round, verdict, greedy_s, eval_s) = out?;
        let timings = &mut s.engine_mut().timings;
        timings.greedy_s += greedy_s;
        timings.evaluation_s += eval_s;
        let next = match verdict {
            Verdict::Stop(reason) => {
                last = Some(round);
                early_cv = cv_beside;
                break reason;
            }
            Verdict::Continue {
                guaranteed: now,
                next,
            } => {
                guaranteed |= now;
                last = Some(round);
                next
            }
        };
        // The limits the next round must pass. Guarantee mode doubles and stops at the set
        // cap; quality mode's larger steps are cut to the cap.
        let next = if quality {
            next.min(cap as usize)
        } else {
            next
        };
        if next as f64 > cap || next <= theta {
            break StopReason::SetLimit;
        }
        // Past the guarantee, a step larger than the smallest was aimed at the floor.
        expect_last =
            quality && guaranteed && next as f64 > (theta as f64 * QUALITY_MIN_GROWTH).ceil();
        if let Some(l) = memory_limit {
            // The store after the step (a doubling in guarantee mode; quality mode's steps
            // scale only what grows with the sets).
            let bytes = s.grown_bytes(&r1, &r2, next as f64 / theta as f64) as f64;
            if s.any(bytes > l as f64)? {
                break StopReason::MemoryLimit;
            }
        }
        if let Some(limit) = time_limit {
            let grow = next as f64 / theta as f64;
            let late =
                s.engine().elapsed() + 1.1 * grow * round_start.elapsed().as_secs_f64() > limit;
            if s.any(late)? {
                break StopReason::TimeLimit;
            }
        }
        theta = next;
    };
    let mut r = last.ok_or_else(|| Error::invalid_parameter("rounds", 0, "no round ran"))?;
    if quality {
        // The answer: greedy with the first-hop control variate on the last round's sets (the
        // rounds above judged the growth by plain greedy).
        let (cv, greedy_s) = match early_cv {
            Some((g, seconds)) => (g?, seconds),
            None => {
                let t = Instant::now();
                (s.greedy_cv(&r1)?, t.elapsed().as_secs_f64())
            }
        };
        if let Some(mut g) = cv {
            // Plain greedy's bound on these sets bounds the optimum whatever seeds are returned
            // (Lemma 4.2 of OPIM-C's paper holds for any seed set).
            g.upper = r.greedy.upper;
            let t = Instant::now();
            let covered = s.forward_coverage(&r2, &g.seeds, super::store::PAR_MIN_LEN)?;
            let timings = &mut s.engine_mut().timings;
            timings.greedy_s += greedy_s;
            timings.evaluation_s += t.elapsed().as_secs_f64();
            r = Round::new(g, covered, r1.sets(), r2.sets() as f64, a, scale);
        }
    }
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

/// What one round's answer means for the growth of the sets.
pub(super) enum Verdict {
    /// Stop with this answer.
    Stop(StopReason),
    /// Grow the selection and validation sets to `next`; `guaranteed` when this round
    /// reached the guarantee.
    Continue { guaranteed: bool, next: usize },
}

/// The stopping rules of OPIM-C (ratio reached or `θ_max`: stop) and of quality mode (once
/// the guarantee was reached, in this round or `guaranteed` before: stop when greedy's seeds
/// cover at least `floor` selection sets, else grow to the sets that should reach it).
pub(super) fn judge(
    round: &Round,
    guaranteed: bool,
    t2: f64,
    quality: bool,
    target: f64,
    theta_max: f64,
    floor: f64,
) -> Verdict {
    let alpha = ratio(round);
    let at_max = round.sets as f64 >= theta_max;
    let now = alpha >= target || at_max;
    if !quality && now {
        return Verdict::Stop(if alpha >= target {
            StopReason::Guarantee
        } else {
            StopReason::MaxSets
        });
    }
    let theta = round.sets as usize;
    if quality && (guaranteed || now) {
        if round.greedy.coverage as f64 >= floor {
            return Verdict::Stop(StopReason::Converged);
        }
        return Verdict::Continue {
            guaranteed: now,
            next: quality_next(theta, round.covered, t2, floor),
        };
    }
    Verdict::Continue {
        guaranteed: now,
        next: 2 * theta,
    }
}

pub(super) fn ratio(r: &Round) -> f64 {
    if r.upper > 0.0 {
        (r.lower / r.upper).min(1.0)
    } else {
        1.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::select::cover::Method;

    /// A round on `sets` selection sets whose seeds cover `coverage` of them and `covered` of
    /// as many validation sets, with bounds that certify a ratio of `ratio` (scale 1, a 0).
    fn round(sets: usize, coverage: u64, covered: u64, ratio: f64) -> Round {
        let greedy = Greedy {
            seeds: vec![0],
            gains: vec![coverage],
            coverage,
            upper: covered as f64 / ratio,
            method: Method::Greedy,
        };
        let mut r = Round::new(greedy, covered, sets, sets as f64, 0.0, 1.0);
        // With a = 0 the bounds are the plain fractions; pin them to the ratio wanted.
        r.lower = ratio;
        r.upper = 1.0;
        r
    }

    #[test]
    fn floor_is_its_constant_over_tolerance_squared() {
        assert_eq!(coverage_floor(0.005, false), 45_000.0);
        assert_eq!(coverage_floor(0.02, false), 2_813.0);
        // Rounded up, never below the exact value.
        assert_eq!(coverage_floor(0.003, false), 125_000.0);
        assert_eq!(coverage_floor(0.007, false), 22_960.0);
        assert_eq!(coverage_floor(0.005, true), 30_000.0);
        assert_eq!(coverage_floor(0.007, true), 15_307.0);
    }

    #[test]
    fn next_round_aims_at_the_floor_at_the_out_of_sample_rate() {
        // 1,000 of 10,000 validation sets covered: 20,000 covered needs 200,000 sets, +2%.
        assert_eq!(quality_next(10_000, 1_000, 10_000.0, 20_000.0), 204_000);
        // Nearly there: at least a quarter more sets.
        assert_eq!(quality_next(100_000, 19_900, 100_000.0, 20_000.0), 125_000);
        // Nothing covered: no rate to go by, so a doubling.
        assert_eq!(quality_next(4_096, 0, 4_096.0, 20_000.0), 8_192);
    }

    #[test]
    fn quality_mode_stops_only_past_the_guarantee_and_the_floor() {
        let (target, theta_max, floor) = (0.53, f64::INFINITY, 1_250.0);
        // Guarantee reached, floor reached: stop.
        let r = round(8_192, 1_300, 1_200, 0.6);
        assert!(matches!(
            judge(&r, false, 8_192.0, true, target, theta_max, floor),
            Verdict::Stop(StopReason::Converged)
        ));
        // Floor reached but no guarantee yet, now or before: a doubling.
        let r = round(8_192, 1_300, 1_200, 0.4);
        assert!(matches!(
            judge(&r, false, 8_192.0, true, target, theta_max, floor),
            Verdict::Continue {
                guaranteed: false,
                next: 16_384
            }
        ));
        // The guarantee of an earlier round counts even if this round's ratio dips.
        assert!(matches!(
            judge(&r, true, 8_192.0, true, target, theta_max, floor),
            Verdict::Stop(StopReason::Converged)
        ));
        // Guarantee, floor not reached: grow to what the validation rate predicts.
        let r = round(8_192, 500, 400, 0.6);
        let want = quality_next(8_192, 400, 8_192.0, floor);
        assert_eq!(want, 26_112);
        assert!(matches!(
            judge(&r, false, 8_192.0, true, target, theta_max, floor),
            Verdict::Continue { guaranteed: true, next } if next == want
        ));
        // Guarantee mode ignores the floor: it stops at the guarantee.
        assert!(matches!(
            judge(&r, false, 8_192.0, false, target, theta_max, floor),
            Verdict::Stop(StopReason::Guarantee)
        ));
    }
}
