//! OPIM-C (Tang, Tang, Xiao, Yuan, SIGMOD 2018) and the quality mode built on its doubling.
//!
//! ## When quality mode stops
//! Past OPIM-C's guarantee, greedy's seeds still improve as the selection sets grow, because
//! greedy compares counts of random sets and takes whichever came out highest: with few sets
//! it takes near-ties by their noise. How many sets it takes until that stops mattering
//! depends on the graph (how close the choices near greedy's end are, against their noise),
//! so quality mode measures it on the sets it has, every round from the guarantee on:
//!
//! 1. Greedy runs on each half of the selection sets (even and odd positions) and each half's
//!    seeds are counted on the other half ([`CrossFit`]). A seed set's count on sets it was
//!    not chosen on is unbiased; on its own sets it runs high by greedy's *optimism*, so
//!    `own − other`, summed over the halves, estimates the optimism at half the sets. The two
//!    seed sets share most accounts, so the paired difference is precise.
//! 2. The optimism bounds the expected loss from noise from above: when greedy takes the
//!    highest of noisy counts, the taken count's excess over its true value averages at
//!    least the shortfall against the truly best candidate. Measured on soc-Epinions1,
//!    NetHEPT and wiki-Vote, the seeds lose 0.4–0.6 of it, and the optimism falls as
//!    1/(sets covered): 150–200, 450–600 and 180–320 divided by the covered sets on the three
//!    graphs, the same from 1,300 to 85,000 covered sets. So the optimism at all the sets is
//!    half the halves'.
//! 3. Quality mode stops once that optimism, one standard error above its estimate, is at
//!    most 1.5× `tolerance` ([`QUALITY_OPTIMISM_PER_TOLERANCE`]; an expected loss below the
//!    tolerance), or once greedy covers the coverage floor `0.5 / tolerance²`, whichever
//!    comes first. Otherwise it grows the sets in one step to what the out-of-sample coverage
//!    rate predicts for the smaller of the two targets (see [`quality_next`] and [`Goal`]).
//!
//! The floor stays as a cap: on NetHEPT, where the choices stay close longest, the optimism
//! rule alone asks for 25,000–30,000 covered sets, more than the 20,000 at which every
//! measured run clears 99.5% of IMM ε = 0.1's spread (IMM's own seeds lose about 0.5% there).
//! So the rule only lowers the floor, where the choices are clear: 13,700–16,700 covered sets
//! on soc-Epinions1 (seeds 1–5) and 14,700 on one wiki-Vote seed of five at the default
//! tolerance. It never stops before the guarantee, and depends only on the sets, so it is the
//! same on any number of threads or ranks. (At twice the tolerance it stopped at 10,000–12,600
//! on soc-Epinions1 and cleared 99.5% of IMM on seeds 1–5 but missed on three of seeds 6–10.)

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

/// Quality mode's coverage floor: greedy's seeds never need to cover more than `0.5 /
/// tolerance²` selection sets (20,000 at the default 0.5%), at which the coverage counts
/// greedy compares carry a relative noise near the tolerance whatever the graph; the optimism
/// rule ([`CrossFit`]) may stop earlier. Calibrated on soc-Epinions1, NetHEPT and wiki-Vote
/// (docs/BENCHMARKS.md, issue 18): at 20,000 every run of seeds 1–5 clears 99.5% of IMM
/// ε = 0.1's spread, while a floor of 15,000 (`--tolerance 0.0057735`) missed on two of
/// fifteen (NetHEPT seeds 1 and 5: 99.40% and 99.10%).
pub(super) fn coverage_floor(tolerance: f64) -> f64 {
    (0.5 / (tolerance * tolerance)).ceil()
}

/// Where quality mode stops and what its next step aims at, in covered selection sets.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) struct Goal {
    /// Stop once greedy's seeds cover this many selection sets.
    pub(super) stop: f64,
    /// Otherwise grow to the sets predicted to cover this many.
    pub(super) aim: f64,
}

impl Goal {
    /// Stop at the smaller of the coverage `floor` and what the optimism rule asks for
    /// (`need`, [`CrossFit::covered_needed`]). The step aims at the floor itself when the
    /// need is within a smallest step of it: if the step fell short of the need, the next
    /// step (at least [`QUALITY_MIN_GROWTH`]×) would pass the floor anyway.
    pub(super) fn new(floor: f64, need: f64) -> Goal {
        let stop = floor.min(need);
        let aim = if stop * QUALITY_MIN_GROWTH >= floor {
            floor
        } else {
            stop
        };
        Goal { stop, aim }
    }
}

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
    let tolerance = e.config.tolerance;
    let floor = coverage_floor(tolerance);
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
    let target = gamma - eps;
    let stop = loop {
        let round_start = Instant::now();
        s.grow_index(&mut r1, theta, STREAM_SELECT, r2.raw())?;
        // Past the guarantee the validation sets only carry the estimate (and the rate the
        // next round aims by): they grow to a quarter of the selection sets, never shrinking.
        let t2 = if guaranteed {
            (theta / QUALITY_VALIDATION_SHARE).max(r2.sets())
        } else {
            theta
        };
        s.grow_forward(&mut r2, t2, r1.raw())?;
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
        let out = s.overlapped(ahead, |s, min_len| {
            let out = (|| {
                let mut fit_s = 0.0;
                let t = Instant::now();
                let g = s.greedy(&r1, true)?;
                let greedy_s = t.elapsed().as_secs_f64();
                let t = Instant::now();
                let covered = s.forward_coverage(&r2, &g.seeds, min_len)?;
                let eval_s = t.elapsed().as_secs_f64();
                let t2 = r2.sets() as f64;
                let round = Round::new(g, covered, r1.sets(), t2, a, scale);
                // At or past the guarantee, quality mode stops at what greedy's optimism on
                // these sets asks for, or at the coverage floor if that comes first (past the
                // floor the optimism changes nothing, so it is not measured).
                let past = was_guaranteed || certified(&round, target, theta_max);
                let goal = if quality && past && (round.greedy.coverage as f64) < floor {
                    let t = Instant::now();
                    let fit = cross_fit(s, &r1)?;
                    fit_s = t.elapsed().as_secs_f64();
                    Goal::new(floor, fit.covered_needed(round.greedy.coverage, tolerance))
                } else {
                    Goal::new(floor, floor)
                };
                let verdict = judge(&round, was_guaranteed, t2, quality, target, theta_max, goal);
                Ok((round, verdict, greedy_s + fit_s, eval_s))
            })();
            let go_on = matches!(out, Ok((_, Verdict::Continue { .. }, ..)));
            (out, go_on)
        });
        let (round, verdict, greedy_s, eval_s) = out?;
        let timings = &mut s.engine_mut().timings;
        timings.greedy_s += greedy_s;
        timings.evaluation_s += eval_s;
        let next = match verdict {
            Verdict::Stop(reason) => {
                last = Some(round);
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
        if let Some(l) = memory_limit {
            // The store after a doubling, scaled to the step (exactly the doubling's figure in
            // guarantee mode).
            let bytes = s.doubled_bytes(&r1, &r2) as f64 * next as f64 / (2 * theta) as f64;
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

/// Greedy run on each half of the selection sets (the sets at even and at odd positions), and
/// each half's seeds counted on both halves: quality mode's measure of how much greedy's
/// choices on these sets still follow their sampling noise.
///
/// Greedy's coverage of its own sets runs high (it picks the accounts whose counts came out
/// high, the winner's curse); the coverage of the other half's seeds on a half does not,
/// since those seeds were chosen without it. So `own − other` on each half, summed over the
/// two halves, estimates twice greedy's *optimism* at half the sets (the two seed sets'
/// true spreads are alike by symmetry and cancel in expectation). The two seed sets share
/// most accounts, so the difference is taken over the few sets covered by one seed set and
/// not the other (`discordant`), and its standard error is small.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct CrossFit {
    /// Sets per half (even positions, odd positions).
    pub(super) sets: [u64; 2],
    /// Coverage of each half's greedy seeds on its own half.
    pub(super) own: [u64; 2],
    /// Coverage of the other half's seeds on each half.
    pub(super) other: [u64; 2],
    /// Sets of each half covered by one of the two seed sets and not by the other.
    pub(super) discordant: [u64; 2],
}

impl CrossFit {
    /// Greedy's optimism at half the sets as a fraction of its coverage, and the standard
    /// error of that fraction (each set of a half adds −1, 0 or 1 to `own − other`, nonzero
    /// only when discordant; at least one discordant set is assumed per half, so a pair of
    /// identical seed sets on few sets is not taken as proof of no noise).
    pub(super) fn optimism(&self) -> (f64, f64) {
        let m = self.sets.map(|x| x.max(1) as f64);
        let own = self.own[0] as f64 / m[0] + self.own[1] as f64 / m[1];
        if own <= 0.0 {
            return (0.0, 0.0);
        }
        let gap = (self.own[0] as f64 - self.other[0] as f64) / m[0]
            + (self.own[1] as f64 - self.other[1] as f64) / m[1];
        let var = (0..2)
            .map(|h| self.discordant[h].max(1) as f64 / (m[h] * m[h]))
            .sum::<f64>();
        (gap.max(0.0) / own, var.sqrt() / own)
    }

    /// The covered selection sets at which greedy's optimism, one standard error above its
    /// estimate, falls to `QUALITY_OPTIMISM_PER_TOLERANCE × tolerance`, given that greedy on
    /// all the sets covers `coverage` of them. The optimism falls as 1/coverage (measured in
    /// docs/BENCHMARKS.md from 1,300 to 85,000 covered sets on three graphs), and each half
    /// covers about `coverage / 2`, so at the full size it is half the half's.
    pub(super) fn covered_needed(&self, coverage: u64, tolerance: f64) -> f64 {
        let (o, se) = self.optimism();
        let at_full = (o + se) / 2.0;
        (coverage as f64 * at_full / (QUALITY_OPTIMISM_PER_TOLERANCE * tolerance)).ceil()
    }
}

/// The optimism quality mode accepts, per unit of tolerance. Greedy's optimism bounds the
/// spread it loses to sampling noise from above (picking the top of noisy counts, the pick's
/// noise exceeds the loss against the best candidate, whose own noise averages 0); measured,
/// the seeds lose 0.4–0.6 of it against the spread greedy reaches on 10× the sets
/// (docs/BENCHMARKS.md), so an optimism of 1.5× the tolerance is an expected loss below it.
pub(super) const QUALITY_OPTIMISM_PER_TOLERANCE: f64 = 1.5;

/// [`CrossFit`] of the selection sets `r1` (greedy without the bound on each half: two greedy
/// runs on half the sets each, plus six coverage counts).
///
/// # Errors
/// As the store's greedy and coverage counts (a distributed run's collectives).
pub(super) fn cross_fit<'g, S: RrStore<'g>>(s: &S, r1: &S::Index) -> Result<CrossFit> {
    let n = r1.sets() as u64;
    let g = [s.half_greedy(r1, false)?, s.half_greedy(r1, true)?];
    let both: Vec<u32> = g[0].seeds.iter().chain(&g[1].seeds).copied().collect();
    let mut fit = CrossFit {
        sets: [n.div_ceil(2), n / 2],
        own: [g[0].coverage, g[1].coverage],
        other: [0, 0],
        discordant: [0, 0],
    };
    for h in 0..2 {
        let odd = h == 1;
        fit.other[h] = s.half_coverage(r1, &g[1 - h].seeds, odd)?;
        let union = s.half_coverage(r1, &both, odd)?;
        fit.discordant[h] = 2 * union - fit.own[h] - fit.other[h];
    }
    Ok(fit)
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
/// cover at least `goal.stop` selection sets, else grow to the sets that should cover
/// `goal.aim`).
pub(super) fn judge(
    round: &Round,
    guaranteed: bool,
    t2: f64,
    quality: bool,
    target: f64,
    theta_max: f64,
    goal: Goal,
) -> Verdict {
    let alpha = ratio(round);
    let now = certified(round, target, theta_max);
    if !quality && now {
        return Verdict::Stop(if alpha >= target {
            StopReason::Guarantee
        } else {
            StopReason::MaxSets
        });
    }
    let theta = round.sets as usize;
    if quality && (guaranteed || now) {
        if round.greedy.coverage as f64 >= goal.stop {
            return Verdict::Stop(StopReason::Converged);
        }
        return Verdict::Continue {
            guaranteed: now,
            next: quality_next(theta, round.covered, t2, goal.aim),
        };
    }
    Verdict::Continue {
        guaranteed: now,
        next: 2 * theta,
    }
}

/// Whether `r` reached OPIM-C's guarantee: the certified ratio, or `θ_max` sets.
pub(super) fn certified(r: &Round, target: f64, theta_max: f64) -> bool {
    ratio(r) >= target || r.sets as f64 >= theta_max
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
    fn optimism_is_the_paired_gap_over_the_coverage() {
        // 10,000 sets per half; each half's seeds cover 1,100 of their own half and 1,000 of
        // the other's seeds cover it: an optimism of 200 / 2,200 per set.
        let fit = CrossFit {
            sets: [10_000, 10_000],
            own: [1_100, 1_100],
            other: [1_000, 1_000],
            discordant: [400, 400],
        };
        let (o, se) = fit.optimism();
        assert!((o - 200.0 / 2_200.0).abs() < 1e-12, "{o}");
        // √(400 + 400) / 10,000 per set, over 0.22.
        assert!((se - 800f64.sqrt() / 10_000.0 / 0.22).abs() < 1e-12, "{se}");
        // Greedy on all 20,000 sets covers 2,150: the optimism there is half the halves',
        // and falls as 1/coverage to 1.5 × 0.5% at this many covered sets.
        let want = (2_150.0 * (o + se) / 2.0 / (QUALITY_OPTIMISM_PER_TOLERANCE * 0.005)).ceil();
        assert_eq!(fit.covered_needed(2_150, 0.005), want);
        assert!(want > 2_150.0, "so noisy a choice needs more sets");
        // A tolerance twice as wide needs half the covered sets.
        assert!((fit.covered_needed(2_150, 0.01) - want / 2.0).abs() <= 1.0);
    }

    #[test]
    fn identical_halves_need_few_sets_but_not_none() {
        // Both halves chose the same seeds: no gap, no discordant set. The standard error
        // still counts one discordant set per half, so the need is small but positive.
        let fit = CrossFit {
            sets: [5_000, 5_000],
            own: [2_500, 2_500],
            other: [2_500, 2_500],
            discordant: [0, 0],
        };
        let (o, se) = fit.optimism();
        assert_eq!(o, 0.0);
        assert!((se - 2f64.sqrt() / 5_000.0).abs() < 1e-12, "{se}");
        let need = fit.covered_needed(5_000, 0.005);
        assert!(need > 0.0 && need < 500.0, "{need}");
        // A worse own count than the other half's is noise, not negative optimism.
        let fit = CrossFit {
            other: [2_600, 2_500],
            discordant: [100, 0],
            ..fit
        };
        assert_eq!(fit.optimism().0, 0.0);
        // Nothing covered: nothing to choose between.
        let none = CrossFit {
            sets: [100, 100],
            own: [0, 0],
            other: [0, 0],
            discordant: [0, 0],
        };
        assert_eq!(none.optimism(), (0.0, 0.0));
        assert_eq!(none.covered_needed(0, 0.005), 0.0);
    }

    #[test]
    fn the_goal_is_the_smaller_target_and_aims_past_a_step_short_of_the_floor() {
        let floor = 20_000.0;
        // Clear choices: stop and aim at the need.
        assert_eq!(
            Goal::new(floor, 12_000.0),
            Goal {
                stop: 12_000.0,
                aim: 12_000.0
            }
        );
        // Within a smallest step (1.25×) of the floor: stop at the need, aim at the floor.
        assert_eq!(
            Goal::new(floor, 17_000.0),
            Goal {
                stop: 17_000.0,
                aim: floor
            }
        );
        // Close choices: the floor caps both.
        assert_eq!(
            Goal::new(floor, 30_000.0),
            Goal {
                stop: floor,
                aim: floor
            }
        );
    }

    #[test]
    fn quality_mode_stops_at_the_need_below_the_floor() {
        let (target, theta_max) = (0.53, f64::INFINITY);
        let goal = Goal::new(1_250.0, 600.0);
        // Guarantee reached, 700 covered: past the need, below the floor.
        let r = round(8_192, 700, 650, 0.6);
        assert!(matches!(
            judge(&r, false, 8_192.0, true, target, theta_max, goal),
            Verdict::Stop(StopReason::Converged)
        ));
        // 500 covered: grow to what covers the need at the validation rate.
        let r = round(8_192, 500, 450, 0.6);
        let want = quality_next(8_192, 450, 8_192.0, 600.0);
        assert!(matches!(
            judge(&r, false, 8_192.0, true, target, theta_max, goal),
            Verdict::Continue { guaranteed: true, next } if next == want
        ));
    }

    #[test]
    fn floor_is_half_over_tolerance_squared() {
        assert_eq!(coverage_floor(0.005), 20_000.0);
        assert_eq!(coverage_floor(0.02), 1_250.0);
        // Rounded up, never below the exact value.
        assert_eq!(coverage_floor(0.003), 55_556.0);
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
        let goal = Goal::new(floor, floor);
        // Guarantee reached, floor reached: stop.
        let r = round(8_192, 1_300, 1_200, 0.6);
        assert!(matches!(
            judge(&r, false, 8_192.0, true, target, theta_max, goal),
            Verdict::Stop(StopReason::Converged)
        ));
        // Floor reached but no guarantee yet, now or before: a doubling.
        let r = round(8_192, 1_300, 1_200, 0.4);
        assert!(matches!(
            judge(&r, false, 8_192.0, true, target, theta_max, goal),
            Verdict::Continue {
                guaranteed: false,
                next: 16_384
            }
        ));
        // The guarantee of an earlier round counts even if this round's ratio dips.
        assert!(matches!(
            judge(&r, true, 8_192.0, true, target, theta_max, goal),
            Verdict::Stop(StopReason::Converged)
        ));
        // Guarantee, floor not reached: grow to what the validation rate predicts.
        let r = round(8_192, 500, 400, 0.6);
        let want = quality_next(8_192, 400, 8_192.0, floor);
        assert_eq!(want, 26_112);
        assert!(matches!(
            judge(&r, false, 8_192.0, true, target, theta_max, goal),
            Verdict::Continue { guaranteed: true, next } if next == want
        ));
        // Guarantee mode ignores the floor: it stops at the guarantee.
        assert!(matches!(
            judge(&r, false, 8_192.0, false, target, theta_max, goal),
            Verdict::Stop(StopReason::Guarantee)
        ));
    }
}
