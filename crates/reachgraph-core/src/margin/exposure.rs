//! Exposure realizations: who the campaign reaches in one random world, and what that is worth
//! per unit of each effect rate, summed per jurisdiction.

use super::config::{Campaign, Exposure};
use super::population::{Place, Population, C_VOTERS, K};
use crate::attrs::NONE;
use crate::cascade::{Simulator, SpreadConfig};
use crate::error::{Error, Result};
use crate::exec::{ChunkProgress, ScratchPool};
use crate::graph::Graph;
use crate::live_edge::Draws;
use crate::progress::Progress;
use crate::rng;
use rayon::prelude::*;

/// Realizations per parallel task.
const TASK_REALIZATIONS: u64 = 16;

const PURPOSE_ONE_HOP: u64 = 0x1_4057;
const PURPOSE_CASCADE: u64 = 0x0CA5_CADE;

/// Per-realization coefficients: `coef[(r · units + u) · K + c]`.
#[derive(Debug, Clone)]
pub(crate) struct Exposures {
    pub realizations: usize,
    pub units: usize,
    pub coef: Vec<f64>,
}

impl Exposures {
    /// No campaign: every coefficient 0, one realization.
    pub(crate) fn none(units: usize) -> Self {
        Exposures {
            realizations: 1,
            units,
            coef: vec![0.0; units * K],
        }
    }

    #[inline]
    pub(crate) fn get(&self, r: usize, u: usize) -> &[f64] {
        let o = (r * self.units + u) * K;
        &self.coef[o..o + K]
    }

    /// Mean over realizations of unit `u`'s coefficients.
    pub(crate) fn mean(&self, u: usize) -> [f64; K] {
        let mut m = [0.0; K];
        for r in 0..self.realizations {
            for (a, b) in m.iter_mut().zip(self.get(r, u)) {
                *a += b;
            }
        }
        m.iter_mut().for_each(|a| *a /= self.realizations as f64);
        m
    }
}

/// Per-worker scratch: exposure counts per person with epoch stamps.
struct Scratch {
    stamp: Vec<u32>,
    count: Vec<u32>,
    /// Sum over the person's exposures of the posting account's effect multiplier.
    weight: Vec<f64>,
    post_stamp: Vec<u32>,
    epoch: u32,
    post_epoch: u32,
    touched: Vec<u32>,
}

impl Scratch {
    fn new(people: usize) -> Self {
        Scratch {
            stamp: vec![0; people],
            count: vec![0; people],
            weight: vec![0.0; people],
            post_stamp: vec![0; people],
            epoch: 0,
            post_epoch: 0,
            touched: Vec::new(),
        }
    }
    fn next_epoch(&mut self) {
        if self.epoch == u32::MAX {
            self.stamp.iter_mut().for_each(|s| *s = 0);
            self.epoch = 0;
        }
        self.epoch += 1;
        self.touched.clear();
    }
    fn next_post(&mut self) {
        if self.post_epoch == u32::MAX {
            self.post_stamp.iter_mut().for_each(|s| *s = 0);
            self.post_epoch = 0;
        }
        self.post_epoch += 1;
    }
    #[inline]
    fn expose(&mut self, p: u32, times: u32, multiplier: f64) {
        let i = p as usize;
        if self.stamp[i] != self.epoch {
            self.stamp[i] = self.epoch;
            self.count[i] = 0;
            self.weight[i] = 0.0;
            self.touched.push(p);
        }
        self.count[i] += times;
        self.weight[i] += times as f64 * multiplier;
    }
}

/// Samples `realizations` exposure worlds of `campaign` and sums their coefficients per unit.
#[allow(clippy::too_many_arguments)] // one internal call site; a struct would only rename them
pub(crate) fn realize(
    graph: &Graph,
    pop: &Population,
    units: usize,
    campaign: &Campaign,
    saturation: f64,
    realizations: u64,
    seed: u64,
    progress: &dyn Progress,
    share: (usize, usize),
) -> Result<Vec<Vec<f64>>> {
    let people = graph.people();
    let of_account = &people.of_account;
    // the seeds' own persons are the senders, not the audience
    let mut is_seed_person = vec![false; people.count];
    for &s in &campaign.seeds {
        is_seed_person[of_account[s as usize] as usize] = true;
    }
    let cascade_sim = match campaign.exposure {
        Exposure::OneHop => None,
        Exposure::Cascade { model, hops } => {
            let cfg = SpreadConfig::builder()
                .trials(1)
                .seed(rng::derive(seed, PURPOSE_CASCADE))
                .hops_opt(hops)
                .build()?;
            Some(Simulator::new(graph, model, &cfg)?)
        }
    };
    let posts = campaign.posts_per_creator;
    // A cascade does not say which seed's post reached whom: its people take the seeds' mean
    // multiplier. One-hop exposure knows the poster of each exposure.
    let mean_multiplier = if campaign.seeds.is_empty() {
        1.0
    } else {
        campaign
            .seeds
            .iter()
            .map(|&s| pop.multiplier[s as usize])
            .sum::<f64>()
            / campaign.seeds.len() as f64
    };
    let out = graph.out_csr();
    let one_hop_seed = rng::derive(seed, PURPOSE_ONE_HOP);
    let h: Vec<f64> = (0..=64).map(|k| 1.0 - saturation.powi(k)).collect();
    let response = |k: u32| -> f64 {
        if (k as usize) < h.len() {
            h[k as usize]
        } else {
            1.0 - saturation.powf(k as f64)
        }
    };
    let tasks = realizations.div_ceil(TASK_REALIZATIONS);
    let pool = ScratchPool::new();
    let report = ChunkProgress::new(progress, "margin: exposure", realizations);
    if !report.start(0) {
        return Err(Error::Cancelled);
    }
    // This rank's block of tasks (`share` = (rank, ranks); all of them on one rank).
    let mine = crate::comm::block(tasks, share.0, share.1);
    let chunks: Vec<Result<Vec<f64>>> = mine
        .into_par_iter()
        .map(|task| {
            if report.cancelled() {
                return Err(Error::Cancelled);
            }
            let lo = task * TASK_REALIZATIONS;
            let hi = (lo + TASK_REALIZATIONS).min(realizations);
            let mut s = pool.take(|| Scratch::new(people.count));
            let mut runner = match &cascade_sim {
                Some(sim) => Some(sim.trial_runner(&campaign.seeds)?),
                None => None,
            };
            let mut coef = vec![0.0; (hi - lo) as usize * units * K];
            let mut spread_acc = vec![[0.0f64; 3]; pop.spreads.len()];
            for r in lo..hi {
                s.next_epoch();
                match runner.as_mut() {
                    None => {
                        let mut d = Draws::new(rng::stream(one_hop_seed, r));
                        for &u in &campaign.seeds {
                            let m = pop.multiplier[u as usize];
                            let (vs, ps) = (out.neighbors(u), out.probs(u));
                            for (&v, &p) in vs.iter().zip(ps) {
                                let mut times = 0;
                                for _ in 0..posts {
                                    times += (d.unit_f32() < p) as u32;
                                }
                                let person = of_account[v as usize];
                                if times > 0 && !is_seed_person[person as usize] {
                                    s.expose(person, times, m);
                                }
                            }
                        }
                    }
                    Some(run) => {
                        // realization r: the first `posts` trials of cascade chunk r
                        run.run_chunk(r, posts as u64, |_, active| {
                            s.next_post();
                            for &v in active {
                                let person = of_account[v as usize];
                                let i = person as usize;
                                if is_seed_person[i] || s.post_stamp[i] == s.post_epoch {
                                    continue;
                                }
                                s.post_stamp[i] = s.post_epoch;
                                s.expose(person, 1, mean_multiplier);
                            }
                        })?;
                    }
                }
                let base_off = (r - lo) as usize * units * K;
                let coef_r = &mut coef[base_off..base_off + units * K];
                // spread people of the places' laws, per place set: Σ response · eligible,
                // Σ eligible, people
                spread_acc.iter_mut().for_each(|a| *a = [0.0; 3]);
                for &person in &s.touched {
                    let p = person as usize;
                    // the response to k exposures, times the exposure-weighted mean multiplier
                    let w = response(s.count[p]) * s.weight[p] / s.count[p] as f64;
                    let st = pop.state[p];
                    if st != NONE {
                        add(coef_r, st, pop.district[p], 1.0, w, &pop.base[p]);
                        continue;
                    }
                    match pop.place.get(p) {
                        Some(&Place::Spread { set, eligible, own }) if own == NONE => {
                            let a = &mut spread_acc[set as usize];
                            a[0] += w * eligible;
                            a[1] += eligible;
                            a[2] += 1.0;
                        }
                        Some(&Place::Spread { set, own, .. }) => {
                            let sp = &pop.spreads[set as usize];
                            let own = &pop.own_base[own as usize..][..sp.places.len()];
                            for (&(st, di, prob), b) in sp.places.iter().zip(own) {
                                add(coef_r, st, di, prob, w, b);
                            }
                        }
                        _ => {}
                    }
                }
                for (sp, a) in pop.spreads.iter().zip(&spread_acc) {
                    if a[2] == 0.0 {
                        continue;
                    }
                    for (&(st, di, prob), u) in sp.places.iter().zip(&sp.unit) {
                        let mut b = *u;
                        for (c, x) in b.iter_mut().enumerate() {
                            // response-weighted effect coefficients, eligible voters, people
                            *x *= if c < C_VOTERS {
                                a[0]
                            } else if c == C_VOTERS {
                                a[1]
                            } else {
                                a[2]
                            };
                        }
                        add(coef_r, st, di, prob, 1.0, &b);
                    }
                }
            }
            pool.give(s);
            report.add(hi - lo);
            Ok(coef)
        })
        .collect();
    if report.cancelled() {
        return Err(Error::Cancelled);
    }
    chunks.into_iter().collect()
}

/// Adds `prob` times one reached person's coefficients `b` to state unit `st` and district
/// unit `di` (NONE: none) of one realization's `coef`: the effect coefficients scaled by the
/// response `w`, reach counts not.
#[inline]
fn add(coef: &mut [f64], st: u32, di: u32, prob: f64, w: f64, b: &[f64; K]) {
    for unit in [st, di] {
        if unit == NONE {
            continue;
        }
        let o = unit as usize * K;
        for c in 0..K {
            coef[o + c] += prob * if c < C_VOTERS { w * b[c] } else { b[c] };
        }
    }
}

impl Exposures {
    /// The exposures of `realizations` from the coefficients of all tasks, in task order.
    pub(crate) fn from_tasks(realizations: u64, units: usize, tasks: Vec<Vec<f64>>) -> Self {
        let mut coef = Vec::with_capacity(realizations as usize * units * K);
        for c in tasks {
            coef.extend(c);
        }
        Exposures {
            realizations: realizations as usize,
            units,
            coef,
        }
    }
}
