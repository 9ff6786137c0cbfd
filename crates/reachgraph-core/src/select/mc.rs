//! The Monte Carlo CELF greedy: the small-graph baseline the RR algorithms are tested against.

use crate::cascade::{Model, Simulator, SpreadConfig, SpreadResult};
use crate::error::{Error, Result};
use crate::graph::Graph;
use crate::progress::{NoProgress, Progress};
use crate::rrset::RootDistribution;
use crate::Estimate;
use serde::Serialize;
use std::cmp::Ordering;
use std::collections::BinaryHeap;

/// The answer of [`mc_greedy`].
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct McGreedy {
    /// Seeds in pick order.
    pub seeds: Vec<u32>,
    /// Monte Carlo marginal gain of each seed when it was picked.
    pub marginal_gains: Vec<f64>,
    /// Monte Carlo spread of the seeds (objective unit, seeds included).
    pub spread: Estimate,
    /// Spread evaluations (each `config.trials()` cascades).
    pub evaluations: u64,
}

#[derive(Debug, Clone, Copy)]
struct Entry {
    gain: f64,
    node: u32,
    round: usize,
}
impl PartialEq for Entry {
    fn eq(&self, o: &Self) -> bool {
        self.cmp(o) == Ordering::Equal
    }
}
impl Eq for Entry {}
impl PartialOrd for Entry {
    fn partial_cmp(&self, o: &Self) -> Option<Ordering> {
        Some(self.cmp(o))
    }
}
impl Ord for Entry {
    fn cmp(&self, o: &Self) -> Ordering {
        self.gain.total_cmp(&o.gain).then(o.node.cmp(&self.node))
    }
}

/// Greedy seed selection with Monte Carlo spread estimates and lazy evaluation (CELF;
/// Kempe, Kleinberg, Tardos 2003; Leskovec et al. 2007).
///
/// Every spread is a [`Simulator`] run with `config` (same seed for every evaluation, so
/// comparisons between seed sets share random streams as far as their cascades agree). The
/// spread counts what `objective` says: accounts, people or target weight.
///
/// Cost: `O(candidates × trials)` cascades for the first pick and a few evaluations per later
/// pick: for small graphs and tests, not for production use.
///
/// # Errors
/// [`Error::InvalidParameter`] for `k = 0`; [`Error::KTooLarge`]; [`Error::Empty`],
/// [`Error::UnknownNode`], [`Error::DuplicateNode`] for bad candidates; errors of
/// [`Simulator::new`]; [`Error::Cancelled`] when `progress` returns `false`
/// (reported as `("mc_greedy", evaluations, 0)`).
pub fn mc_greedy(
    graph: &Graph,
    model: Model,
    k: usize,
    candidates: Option<&[u32]>,
    objective: RootDistribution,
    config: &SpreadConfig,
    progress: &dyn Progress,
) -> Result<McGreedy> {
    if k == 0 {
        return Err(Error::invalid_parameter("k", 0, "must be at least 1"));
    }
    let cands: Vec<u32> = match candidates {
        None => (0..graph.node_count() as u32).collect(),
        Some(c) => {
            if c.is_empty() {
                return Err(Error::Empty {
                    what: "candidate set".into(),
                });
            }
            graph.check_nodes(c, "candidate set")?;
            c.to_vec()
        }
    };
    if k > cands.len() {
        return Err(Error::KTooLarge {
            k,
            candidates: cands.len(),
        });
    }
    let sim = Simulator::new(graph, model, config)?;
    let pick = |r: &SpreadResult| match objective {
        RootDistribution::Uniform => r.accounts,
        RootDistribution::People => r.people,
        RootDistribution::TargetWeighted => r.target_weight,
    };
    let mut evaluations = 0u64;
    let mut eval = |set: &[u32]| -> Result<Estimate> {
        evaluations += 1;
        if !progress.update("mc_greedy", evaluations, 0) {
            return Err(Error::Cancelled);
        }
        Ok(pick(&sim.run(set, &NoProgress)?))
    };
    let mut heap = BinaryHeap::with_capacity(cands.len());
    for &v in &cands {
        heap.push(Entry {
            gain: eval(&[v])?.mean,
            node: v,
            round: 0,
        });
    }
    let mut seeds: Vec<u32> = Vec::with_capacity(k);
    let mut gains = Vec::with_capacity(k);
    let mut current = 0.0;
    while seeds.len() < k {
        let Some(top) = heap.pop() else { break };
        if top.round == seeds.len() {
            seeds.push(top.node);
            gains.push(top.gain);
            current += top.gain;
            continue;
        }
        seeds.push(top.node);
        let est = eval(&seeds)?;
        seeds.pop();
        heap.push(Entry {
            gain: est.mean - current,
            node: top.node,
            round: seeds.len(),
        });
    }
    let spread = eval(&seeds)?;
    Ok(McGreedy {
        seeds,
        marginal_gains: gains,
        spread,
        evaluations,
    })
}
