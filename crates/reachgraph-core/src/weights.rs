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

impl WeightScheme {
    /// The probability of every edge in out-edge order.
    ///
    /// `attrs` describes the accounts of `topo` (tiers); `given` holds the probabilities of the
    /// input in out-edge order, if it had any. The result is `given` itself (arrays are never
    /// written once shared) or a new array.
    pub(crate) fn out_probabilities(
        &self,
        topo: &Topology,
        attrs: &Attributes,
        given: Option<&Buf<f32>>,
    ) -> Result<Buf<f32>> {
        let offsets = topo.out_offsets();
        let n = topo.node_count();
        let per_source = |f: &(dyn Fn(u32, u32) -> f32 + Sync)| -> Buf<f32> {
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
            slices.into_par_iter().for_each(|(a, b, chunk)| {
                let base = offsets[a];
                for u in a..b {
                    let u = u as u32;
                    let lo = offsets[u as usize] - base;
                    for (k, &v) in topo.followers(u).iter().enumerate() {
                        chunk[lo + k] = f(u, v);
                    }
                }
            });
            probs.into()
        };
        match self {
            WeightScheme::Given => given.cloned().ok_or_else(|| {
                Error::invalid_parameter(
                    "weights",
                    "given",
                    "the input gave no edge probabilities; choose wc, const:P, trivalency or tier",
                )
            }),
            WeightScheme::Constant { p } => {
                if !(0.0..=1.0).contains(p) {
                    return Err(Error::invalid_parameter(
                        "weights",
                        format!("const:{p}"),
                        "P must be in [0, 1]",
                    ));
                }
                Ok(vec![*p; topo.edge_count()].into())
            }
            WeightScheme::WeightedCascade => Ok(per_source(&|_, v| 1.0 / topo.in_degree(v) as f32)),
            WeightScheme::Trivalency { seed } => Ok(per_source(&|u, v| {
                let h = splitmix64(seed ^ splitmix64(((u as u64) << 32) | v as u64));
                TRIVALENCY[(h % 3) as usize]
            })),
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
                let tiers: Vec<f32> = (0..n as u32)
                    .map(|u| rates.rate(attrs.tier(u, topo)))
                    .collect();
                Ok(per_source(&|u, _| tiers[u as usize]))
            }
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
