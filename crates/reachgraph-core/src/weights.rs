//! Edge-probability schemes.
//!
//! `p(u, v)` is the chance that one post of `u` is seen (and, in cascades, acted on) by `v`.
//!
//! | scheme | `p(u, v)` | source |
//! |---|---|---|
//! | [`WeightScheme::Given`] | from the input | the user |
//! | [`WeightScheme::Constant`] | `p` | Kempe, Kleinberg, Tardos 2003 |
//! | [`WeightScheme::WeightedCascade`] | `1 / indeg(v)` | Kempe et al. 2003; IMM, OPIM, SUBSIM benchmarks |
//! | [`WeightScheme::Trivalency`] | uniform from {0.1, 0.01, 0.001}, seeded per edge | Chen, Wang, Wang KDD 2010 |
//! | [`WeightScheme::TierRates`] | organic reach rate of `u`'s tier | an assumption: see [`TierRates`] |

use crate::attrs::{Attributes, Tier};
use crate::buf::Buf;
use crate::error::{Error, Result};
use crate::rng::splitmix64;
use crate::topology::{balanced_ranges, Topology};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use std::str::FromStr;
use std::sync::Arc;

/// Organic reach rate by the posting account's tier: the share of followers who see one post.
///
/// **Assumption, not a measurement.** The defaults are illustrative values that fall with
/// audience size, in the range that industry reports of organic reach give for image and
/// video platforms (a few percent to about ten percent of followers per post). Replace them with
/// rates measured for your platforms and creators.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct TierRates {
    /// Rates for nano, micro, mid, macro, mega, in that order.
    pub rates: [f32; 5],
}

impl Default for TierRates {
    fn default() -> Self {
        TierRates {
            rates: [0.10, 0.07, 0.05, 0.04, 0.03],
        }
    }
}

impl TierRates {
    /// Rate of one tier.
    pub fn rate(&self, tier: Tier) -> f32 {
        self.rates[tier as usize]
    }
}

/// How edge probabilities are set. See the [module docs](self).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "scheme", rename_all = "snake_case")]
pub enum WeightScheme {
    /// The probabilities given in the input.
    Given,
    /// One probability for every edge.
    Constant {
        /// The probability, in [0, 1].
        p: f32,
    },
    /// `p(u, v) = 1 / indeg(v)`.
    WeightedCascade,
    /// Uniform draw from {0.1, 0.01, 0.001} per edge, a function of `(seed, u, v)`.
    Trivalency {
        /// Seed of the draw.
        seed: u64,
    },
    /// The organic reach rate of the posting account's tier.
    TierRates {
        /// Rates by tier.
        rates: TierRates,
    },
}

impl FromStr for WeightScheme {
    type Err = Error;

    /// Parses `given` (or `file`), `wc`, `const:P`, `trivalency[:SEED]`, `tier`.
    fn from_str(s: &str) -> Result<Self> {
        let s = s.trim();
        let bad = |reason: &str| Error::invalid_parameter("weights", s, reason);
        let (head, arg) = match s.split_once(':') {
            Some((h, a)) => (h, Some(a)),
            None => (s, None),
        };
        match (head.to_ascii_lowercase().as_str(), arg) {
            ("given" | "file", None) => Ok(WeightScheme::Given),
            ("wc" | "weighted_cascade" | "weighted-cascade", None) => {
                Ok(WeightScheme::WeightedCascade)
            }
            ("const" | "constant", Some(a)) => {
                let p: f32 = a
                    .parse()
                    .map_err(|_| bad("const:P needs a number P in [0, 1]"))?;
                if !(0.0..=1.0).contains(&p) {
                    return Err(bad("const:P needs P in [0, 1]"));
                }
                Ok(WeightScheme::Constant { p })
            }
            ("trivalency" | "tv", a) => {
                let seed = match a {
                    Some(a) => a
                        .parse()
                        .map_err(|_| bad("trivalency:SEED needs an integer seed"))?,
                    None => 0,
                };
                Ok(WeightScheme::Trivalency { seed })
            }
            ("tier" | "tiers" | "tier_rates", None) => Ok(WeightScheme::TierRates {
                rates: TierRates::default(),
            }),
            _ => Err(bad(
                "expected one of: given, file, wc, const:P, trivalency[:SEED], tier",
            )),
        }
    }
}

const TRIVALENCY: [f32; 3] = [0.1, 0.01, 0.001];

/// The probabilities an input gave, in out-edge order: one per edge, or one value for every
/// edge (an edge list whose third column is a constant, such as the `1` that `generate`
/// writes). The value is held once: neither a per-edge array nor the in → out map it would be
/// gathered through is needed, and under [`WeightScheme::Given`] the kernels read it as
/// [`InPerTarget::Constant`], as under [`WeightScheme::Constant`].
#[derive(Debug, Clone)]
pub(crate) enum Given {
    /// One probability per edge, out-edge order.
    PerEdge(Buf<f32>),
    /// The same probability (bit for bit) on every edge of a graph with at least one edge.
    Same(f32),
}

impl Given {
    /// `probs` as one value when every edge has the same one, bit for bit (a graph without
    /// edges keeps its empty array), else as given.
    pub(crate) fn of(probs: Buf<f32>) -> Given {
        match uniform(&probs) {
            Some(p) => Given::Same(p),
            None => Given::PerEdge(probs),
        }
    }

    /// The one probability of every edge, when there is one: [`Given::Same`]'s, or that of a
    /// per-edge array whose values are all equal bit for bit (one pass).
    pub(crate) fn uniform(&self) -> Option<f32> {
        match self {
            Given::Same(p) => Some(*p),
            Given::PerEdge(b) => uniform(b),
        }
    }
}

/// The value of every entry of `probs`, when there is at least one and all are equal bit for
/// bit (so that `-0.0` beside `0.0` is not folded into one value).
fn uniform(probs: &[f32]) -> Option<f32> {
    let first = *probs.first()?;
    probs
        .par_iter()
        .all(|p| p.to_bits() == first.to_bits())
        .then_some(first)
}

/// The probability of every in-edge of an account, for the schemes that give one value per
/// target computed from the target alone: weighted cascade (`1 / indeg(v)`) and constants.
/// Reverse-reachable sampling reads it instead of making the graph hold the in-order array
/// (4 bytes per edge: 4 GB at a billion edges); [`InPerTarget::of`] is the expression
/// [`WeightScheme::probabilities`] fills the array with, so the values are equal bit for bit.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum InPerTarget {
    /// Every edge has this probability.
    Constant(f32),
    /// `1 / indeg(v)` for every in-edge of `v`.
    WeightedCascade,
}

impl InPerTarget {
    /// The rule of `scheme`, when it has one.
    pub(crate) fn of_scheme(scheme: &WeightScheme) -> Option<InPerTarget> {
        match scheme {
            WeightScheme::Constant { p } => Some(InPerTarget::Constant(*p)),
            WeightScheme::WeightedCascade => Some(InPerTarget::WeightedCascade),
            _ => None,
        }
    }

    /// The probability of each in-edge of `v` (meaningless when `v` has none).
    #[inline]
    pub(crate) fn of(self, topo: &Topology, v: u32) -> f32 {
        self.of_degree(topo.in_degree(v))
    }

    /// The probability of each in-edge of an account with `in_degree` in-edges: both schemes
    /// depend on the account through its in-degree alone, so the sampling rule of an account is
    /// a function of its in-degree (what the RR sampler's rule table by degree relies on).
    #[inline]
    pub(crate) fn of_degree(self, in_degree: usize) -> f32 {
        match self {
            InPerTarget::Constant(p) => p,
            InPerTarget::WeightedCascade => 1.0 / in_degree as f32,
        }
    }
}

/// Which edge order a probability array follows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum EdgeOrder {
    /// Grouped by source, as [`Topology::out_targets`].
    Out,
    /// Grouped by target, as [`Topology::in_sources`].
    In,
}

impl WeightScheme {
    /// Checks that the scheme can set probabilities on a graph whose input gave `given`
    /// (probabilities in out-edge order, if any): what [`WeightScheme::probabilities`] assumes.
    ///
    /// # Errors
    /// [`Error::InvalidParameter`] for [`WeightScheme::Given`] without given probabilities, a
    /// constant or a tier rate outside [0, 1].
    pub(crate) fn validate(&self, given: Option<&Given>) -> Result<()> {
        match self {
            WeightScheme::Given if given.is_none() => Err(Error::invalid_parameter(
                "weights",
                "given",
                "the input gave no edge probabilities; choose wc, const:P, trivalency or tier",
            )),
            WeightScheme::Constant { p } if !(0.0..=1.0).contains(p) => Err(
                Error::invalid_parameter("weights", format!("const:{p}"), "P must be in [0, 1]"),
            ),
            WeightScheme::TierRates { rates } => {
                for (i, r) in rates.rates.iter().enumerate() {
                    if !(0.0..=1.0).contains(r) {
                        return Err(Error::invalid_parameter(
                            "tier rate",
                            r,
                            format!("rate of {} must be in [0, 1]", Tier::ALL[i].name()),
                        ));
                    }
                }
                Ok(())
            }
            _ => Ok(()),
        }
    }

    /// The probability of every edge in `order`, for a scheme that passed
    /// [`WeightScheme::validate`] with the same `given`.
    ///
    /// Each probability is computed from the edge's endpoints by the same expression in either
    /// order, so the in-order array equals the out-order one gathered through
    /// [`Topology::in_to_out`] bit for bit; only [`WeightScheme::Given`] reads that map.
    ///
    /// # Panics
    /// When the scheme did not pass [`WeightScheme::validate`] (given probabilities missing).
    pub(crate) fn probabilities(
        &self,
        topo: &Topology,
        attrs: &Attributes,
        given: Option<&Given>,
        order: EdgeOrder,
    ) -> Buf<f32> {
        match (self, order, given) {
            (WeightScheme::Given, EdgeOrder::Out, Some(Given::PerEdge(g))) => return g.clone(),
            (WeightScheme::Given, _, Some(Given::Same(p)))
            | (WeightScheme::Constant { p }, _, _) => return vec![*p; topo.edge_count()].into(),
            _ => {}
        }
        let rule = EdgeProbs::new(self, topo, attrs, given, order);
        let offsets = rule.offsets;
        let mut probs: Arc<[f32]> = std::iter::repeat_n(0f32, topo.edge_count()).collect();
        // Fill per node range; each range owns a contiguous slice of `probs`.
        let ranges = balanced_ranges(offsets, rayon::current_num_threads() * 4);
        let mut slices = Vec::with_capacity(ranges.len());
        let mut rest: &mut [f32] = Arc::get_mut(&mut probs).expect("a new Arc is unique");
        for &(a, b) in &ranges {
            let (head, tail) = std::mem::take(&mut rest).split_at_mut(offsets[b] - offsets[a]);
            slices.push((a, b, head));
            rest = tail;
        }
        slices
            .into_par_iter()
            .for_each(|(a, b, chunk)| rule.fill(a, b, chunk));
        probs.into()
    }
}

/// The probabilities of a validated scheme in one edge order, computed for any range of
/// accounts: what [`WeightScheme::probabilities`] fills in parallel, and what
/// [`Graph::visit_out_probabilities`](crate::Graph::visit_out_probabilities) streams without
/// holding the array.
pub(crate) struct EdgeProbs<'a> {
    scheme: &'a WeightScheme,
    topo: &'a Topology,
    given: Option<&'a Given>,
    order: EdgeOrder,
    /// Offsets of `order`.
    pub(crate) offsets: &'a [usize],
    ends: &'a [u32],
    /// Tier rate per account (tier rates only).
    tiers: Vec<f32>,
}

impl<'a> EdgeProbs<'a> {
    /// The rule of `scheme` (validated with `given`) in `order`.
    pub(crate) fn new(
        scheme: &'a WeightScheme,
        topo: &'a Topology,
        attrs: &Attributes,
        given: Option<&'a Given>,
        order: EdgeOrder,
    ) -> EdgeProbs<'a> {
        let (offsets, ends) = match order {
            EdgeOrder::Out => (topo.out_offsets(), topo.out_targets()),
            EdgeOrder::In => (topo.in_offsets(), topo.in_sources()),
        };
        let tiers = match scheme {
            WeightScheme::TierRates { rates } => (0..topo.node_count() as u32)
                .map(|u| rates.rate(attrs.tier(u, topo)))
                .collect(),
            _ => Vec::new(),
        };
        EdgeProbs {
            scheme,
            topo,
            given,
            order,
            offsets,
            ends,
            tiers,
        }
    }

    /// Writes the probabilities of the edges of accounts `a..b` (in this order) to `out`,
    /// whose length is `offsets[b] - offsets[a]`.
    ///
    /// # Panics
    /// When `out` has another length, or the scheme was not validated.
    pub(crate) fn fill(&self, a: usize, b: usize, out: &mut [f32]) {
        let (offsets, ends, base) = (self.offsets, self.ends, self.offsets[a]);
        assert_eq!(
            out.len(),
            offsets[b] - base,
            "one slot per edge of the range"
        );
        let each = |f: &dyn Fn(u32, u32, usize) -> f32, out: &mut [f32]| {
            for w in a..b {
                let (lo, hi) = (offsets[w], offsets[w + 1]);
                for (slot, &x) in (lo..hi).zip(&ends[lo..hi]) {
                    let (u, v) = match self.order {
                        EdgeOrder::Out => (w as u32, x),
                        EdgeOrder::In => (x, w as u32),
                    };
                    out[slot - base] = f(u, v, slot);
                }
            }
        };
        let topo = self.topo;
        match self.scheme {
            WeightScheme::Given => {
                match (
                    self.given.expect("validated: the input gave probabilities"),
                    self.order,
                ) {
                    (Given::Same(p), _) => out.fill(*p),
                    (Given::PerEdge(given), EdgeOrder::Out) => {
                        out.copy_from_slice(&given[base..offsets[b]])
                    }
                    (Given::PerEdge(given), EdgeOrder::In) => {
                        let in_to_out = topo.in_to_out();
                        each(&|_, _, slot| given[in_to_out[slot] as usize], out)
                    }
                }
            }
            WeightScheme::Constant { p } => out.fill(*p),
            WeightScheme::WeightedCascade => each(&|_, v, _| 1.0 / topo.in_degree(v) as f32, out),
            WeightScheme::Trivalency { seed } => each(
                &|u, v, _| {
                    let h = splitmix64(seed ^ splitmix64(((u as u64) << 32) | v as u64));
                    TRIVALENCY[(h % 3) as usize]
                },
                out,
            ),
            WeightScheme::TierRates { .. } => each(&|u, _, _| self.tiers[u as usize], out),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::graph::{Graph, GraphBuilder, GraphOptions};

    fn star_in() -> Graph {
        // 0 -> 2, 1 -> 2, 2 -> 3
        let mut b = GraphBuilder::new(GraphOptions::default());
        for (u, v) in [(0, 2), (1, 2), (2, 3)] {
            b.add_edge_ints(u, v, None).unwrap();
        }
        b.build().unwrap().0
    }

    #[test]
    fn parse_schemes() {
        assert_eq!(
            "wc".parse::<WeightScheme>().unwrap(),
            WeightScheme::WeightedCascade
        );
        assert_eq!(
            "const:0.25".parse::<WeightScheme>().unwrap(),
            WeightScheme::Constant { p: 0.25 }
        );
        assert_eq!(
            "trivalency:7".parse::<WeightScheme>().unwrap(),
            WeightScheme::Trivalency { seed: 7 }
        );
        assert!("const:1.5".parse::<WeightScheme>().is_err());
        assert!("const:nan".parse::<WeightScheme>().is_err());
        assert!("bogus".parse::<WeightScheme>().is_err());
    }

    #[test]
    fn weighted_cascade_is_one_over_indegree_in_both_directions() {
        let mut g = star_in();
        g.set_weights(&WeightScheme::WeightedCascade).unwrap();
        let id = |s: &str| g.node(s).unwrap();
        assert_eq!(g.out_csr().probs(id("0")), &[0.5]);
        assert_eq!(g.out_csr().probs(id("2")), &[1.0]);
        assert_eq!(g.in_csr().probs(id("2")), &[0.5, 0.5]);
        assert_eq!(g.in_csr().probs(id("3")), &[1.0]);
    }

    #[test]
    fn given_without_probabilities_is_an_error() {
        let mut g = star_in();
        assert!(g.set_weights(&WeightScheme::Given).is_err());
        assert!(g
            .set_weights(&WeightScheme::Constant { p: f32::NAN })
            .is_err());
    }

    #[test]
    fn trivalency_is_seeded_and_three_valued() {
        let mut g = star_in();
        g.set_weights(&WeightScheme::Trivalency { seed: 3 })
            .unwrap();
        let a = g.out_csr().probs.to_vec();
        g.set_weights(&WeightScheme::Trivalency { seed: 3 })
            .unwrap();
        assert_eq!(a, g.out_csr().probs);
        assert!(a.iter().all(|p| TRIVALENCY.contains(p)));
    }
}
