//! Mergeable per-account audience sketches: reach and overlap at scale, with stated error.
//!
//! Exact reach ([`crate::reach`], [`crate::overlap`](mod@crate::overlap)) needs every follower list in memory.
//! Campaigns tracking thousands of creators often have only per-creator exports, or lists too
//! large to hold together. This module keeps, per account, a compact **sketch** of the set of
//! people following it and answers the reach and overlap questions from the sketches alone.
//!
//! ## The sketches
//! - **Bottom-k (KMV)** ([`Kmv`], [`SketchSet`]): the `k = 2^lg_k` smallest 64-bit hashes of
//!   the account's followers' people. Every sketch hashes with one seeded hash ([`hash_key`]),
//!   so the sketches of two accounts are coordinated samples of the same hash order: unions,
//!   intersections, Jaccard and containment come from merging sorted lists (Bar-Yossef et al.
//!   2002; Cohen & Kaplan 2007; Beyer et al. 2007). This is the fast path for everything here.
//! - **Apache DataSketches** CPC, HLL and Theta ([`DsSketchSet`]) through the `datasketches`
//!   crate, fed the same person hashes, for union cardinality by the reference implementations
//!   (and as a yardstick in the benchmarks).
//!
//! ## People, and dedup across platforms
//! A sketch holds hashes of **people**, not accounts: a follower account's person is its person
//! label (attribute `person`) when it has one, else the account id itself ([`person_hashes`]).
//! Two accounts of one person hash alike, so a person following a creator on two platforms, or
//! two creators, counts once in every union. Sketches built on different machines or days, from
//! graphs or from streams of `(account, follower)` pairs, combine exactly when the people ids
//! are the same strings and the hash seed and `lg_k` agree ([`SketchParams`]).
//!
//! ## Error
//! A bottom-k sketch of a set with fewer than `k` people is exact. Above that, the union
//! estimate `(k − 1) / U_(k)` (the k-th smallest union hash as a fraction of 2^64) has relative
//! standard error about `1/√(k − 2)`; its interval comes from `N·U_(k) ~ Gamma(k, 1)`. Pairwise
//! estimates use the samples below the smaller of the two thresholds: Jaccard and containment
//! are proportions of those samples (Wilson intervals), shared counts are scaled counts.
//! [`expected_error`] states the error for a set size and sketch size; [`check`] compares
//! sketch answers with exact ones on the same graph.
//!
//! ## Counts only
//! Where an account has no follower list at all, only a count, [`prior`] estimates reach under
//! an explicit overlap model (independence, or a fitted correlation), always labelled as a
//! model and kept apart from measured values.
//!
//! ## Files
//! [`SketchSet::write`] / [`SketchSet::read`] use a versioned binary format (see [`format`](mod@format)):
//! a header with the kind, `lg_k`, hash seed and sizes, the per-account sketches, and a CRC-32
//! of everything before it. Sketch sets also derive serde (`Serialize`/`Deserialize`).
//!
//! ```
//! use reachgraph_core::{GraphBuilder, GraphOptions, NoProgress};
//! use reachgraph_core::sketch::{SketchParams, SketchSet, union_reach};
//! let mut b = GraphBuilder::new(GraphOptions::default());
//! for (u, v) in [("a", "x"), ("a", "y"), ("b", "y"), ("b", "z")] {
//!     b.add_edge(u, v, None).unwrap(); // v follows u
//! }
//! let (g, _) = b.build().unwrap();
//! let set = SketchSet::from_graph(&g, None, SketchParams::default(), &NoProgress).unwrap();
//! let ab = set.resolve(&["a", "b"], "account list").unwrap();
//! let r = union_reach(&set, &ab, 0.95).unwrap();
//! assert_eq!((r.unique_reach, r.error_bound, r.exact), (3.0, 0.0, true)); // small sets are exact
//! ```

mod build;
mod costs;
mod ds;
pub mod format;
mod kmv;
pub mod prior;
mod query;
mod set;
mod write;

pub use build::{person_hashes, StreamBuilder, DEFAULT_STREAM_CHUNK};
pub use ds::{DsKind, DsReach, DsSketchSet};
pub use kmv::{CardinalityEstimate, Kmv};
pub use query::{
    budget_pick, check, expected_error, ladder, overlap, union_reach, CheckReport, CheckRow,
    ErrorReport, SketchBudgetPick, SketchLadder, SketchLadderSummary, SketchOverlap,
    SketchPickSummary, SketchReach, SketchStep,
};
pub use set::SketchSet;
pub use write::{part_bytes, WrittenSketches, MAX_PART_BYTES, MIN_PART_BYTES};

use crate::error::{Error, Result};
use crate::ids::NodeKey;
use crate::rng::splitmix64;
use serde::{Deserialize, Serialize};

/// Default `lg_k`: 16,384 hashes per sketch, the smallest size whose union (reach) error
/// bound at 95% confidence is under 2% (about 1.5%; [`expected_error`] states it). Full
/// sketches take 128 KiB; accounts with fewer than `k` people keep only their own hashes.
pub const DEFAULT_LG_K: u8 = 14;
/// Smallest `lg_k` accepted (16 hashes).
pub const MIN_LG_K: u8 = 4;
/// Largest `lg_k` accepted (about a million hashes, 8 MiB per full sketch).
pub const MAX_LG_K: u8 = 20;
/// Default hash seed (the DataSketches default update seed, 9001).
pub const DEFAULT_SEED: u64 = 9001;

/// The parameters every sketch of a set shares; sketches combine only when they agree.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct SketchParams {
    /// `log2` of the sketch size `k` (hashes kept per account), in
    /// [`MIN_LG_K`]..=[`MAX_LG_K`].
    pub lg_k: u8,
    /// Seed of the people hash ([`hash_key`]).
    pub seed: u64,
}

impl Default for SketchParams {
    fn default() -> Self {
        SketchParams {
            lg_k: DEFAULT_LG_K,
            seed: DEFAULT_SEED,
        }
    }
}

impl SketchParams {
    /// Parameters with a checked `lg_k`.
    ///
    /// # Errors
    /// [`Error::InvalidParameter`] when `lg_k` is outside [`MIN_LG_K`]..=[`MAX_LG_K`].
    pub fn new(lg_k: u8, seed: u64) -> Result<Self> {
        let p = SketchParams { lg_k, seed };
        p.validate()?;
        Ok(p)
    }

    /// Checks `lg_k`.
    ///
    /// # Errors
    /// [`Error::InvalidParameter`] when `lg_k` is outside [`MIN_LG_K`]..=[`MAX_LG_K`].
    pub fn validate(&self) -> Result<()> {
        if !(MIN_LG_K..=MAX_LG_K).contains(&self.lg_k) {
            return Err(Error::invalid_parameter(
                "lg_k",
                self.lg_k,
                format!("must be in {MIN_LG_K}..={MAX_LG_K}"),
            ));
        }
        Ok(())
    }

    /// The sketch size `k = 2^lg_k`.
    pub fn k(&self) -> usize {
        1usize << self.lg_k
    }

    /// Checks that sketches with `self` and `other` can be combined.
    ///
    /// # Errors
    /// [`Error::IncompatibleSketches`] naming the parameter that differs.
    pub fn check_compatible(&self, other: &SketchParams) -> Result<()> {
        if self.seed != other.seed {
            return Err(Error::IncompatibleSketches {
                what: "hash seed".into(),
                left: self.seed.to_string(),
                right: other.seed.to_string(),
            });
        }
        if self.lg_k != other.lg_k {
            return Err(Error::IncompatibleSketches {
                what: "lg_k".into(),
                left: self.lg_k.to_string(),
                right: other.lg_k.to_string(),
            });
        }
        Ok(())
    }
}

const INT_TAG: u64 = 0x1A7E_6E55_0000_0001;
const STR_TAG: u64 = 0x57A1_6E55_0000_0002;

/// The seeded 64-bit hash of a person id, shared by every sketch.
///
/// Integer ids hash as `splitmix64(splitmix64(seed ^ T_int) ^ id)`; string ids as a chain
/// `h ← splitmix64(h ^ w)` over their UTF-8 bytes in 8-byte little-endian words (the last
/// zero-padded), starting from `splitmix64(seed ^ T_str ^ len)`. A token is an integer when
/// [`NodeKey::parse`] reads it as one, so `"42"` in a file and `42` in an array hash alike. The
/// definition is part of the file format: it never changes within format version 1.
pub fn hash_key(seed: u64, key: &NodeKey) -> u64 {
    match key {
        NodeKey::Int(v) => hash_int(seed, *v),
        // Above i64::MAX a token never read as an integer here, so its text is what hashes.
        NodeKey::UInt(v) => hash_str(seed, &v.to_string()),
        NodeKey::Str(s) => hash_token(seed, s),
    }
}

/// [`hash_key`] of an integer id.
#[inline]
pub fn hash_int(seed: u64, id: i64) -> u64 {
    splitmix64(splitmix64(seed ^ INT_TAG) ^ id as u64)
}

/// The string branch of [`hash_key`], for a string that does not parse as an integer.
pub fn hash_str(seed: u64, s: &str) -> u64 {
    let b = s.as_bytes();
    let mut h = splitmix64(seed ^ STR_TAG ^ b.len() as u64);
    let mut chunks = b.chunks_exact(8);
    for c in &mut chunks {
        h = splitmix64(h ^ u64::from_le_bytes(c.try_into().expect("8 bytes")));
    }
    let rest = chunks.remainder();
    if !rest.is_empty() {
        let mut w = [0u8; 8];
        w[..rest.len()].copy_from_slice(rest);
        h = splitmix64(h ^ u64::from_le_bytes(w));
    }
    h
}

/// [`hash_key`] of a token as written in a file.
pub fn hash_token(seed: u64, token: &str) -> u64 {
    match crate::ids::parse_i64(token.as_bytes()) {
        Some(v) => hash_int(seed, v),
        None => hash_str(seed, token),
    }
}

/// Normal quantile `z` with `P(|Z| ≤ z) = confidence` (Acklam's rational approximation,
/// relative error below 1.2e-9).
pub(crate) fn z_of(confidence: f64) -> f64 {
    // From the upper tail `(1 − c)/2`, which is exact near c = 1; `0.5 + c/2` rounds to 1
    // for c within an ulp of 1 and the quantile of 1 is NaN.
    -normal_quantile((1.0 - confidence) / 2.0).min(0.0)
}

fn normal_quantile(p: f64) -> f64 {
    const A: [f64; 6] = [
        -3.969_683_028_665_376e1,
        2.209_460_984_245_205e2,
        -2.759_285_104_469_687e2,
        1.383_577_518_672_69e2,
        -3.066_479_806_614_716e1,
        2.506_628_277_459_239,
    ];
    const B: [f64; 5] = [
        -5.447_609_879_822_406e1,
        1.615_858_368_580_409e2,
        -1.556_989_798_598_866e2,
        6.680_131_188_771_972e1,
        -1.328_068_155_288_572e1,
    ];
    const C: [f64; 6] = [
        -7.784_894_002_430_293e-3,
        -3.223_964_580_411_365e-1,
        -2.400_758_277_161_838,
        -2.549_732_539_343_734,
        4.374_664_141_464_968,
        2.938_163_982_698_783,
    ];
    const D: [f64; 4] = [
        7.784_695_709_041_462e-3,
        3.224_671_290_700_398e-1,
        2.445_134_137_142_996,
        3.754_408_661_907_416,
    ];
    let lo = 0.02425;
    if p < lo {
        let q = (-2.0 * p.ln()).sqrt();
        (((((C[0] * q + C[1]) * q + C[2]) * q + C[3]) * q + C[4]) * q + C[5])
            / ((((D[0] * q + D[1]) * q + D[2]) * q + D[3]) * q + 1.0)
    } else if p <= 1.0 - lo {
        let q = p - 0.5;
        let r = q * q;
        (((((A[0] * r + A[1]) * r + A[2]) * r + A[3]) * r + A[4]) * r + A[5]) * q
            / (((((B[0] * r + B[1]) * r + B[2]) * r + B[3]) * r + B[4]) * r + 1.0)
    } else {
        -normal_quantile(1.0 - p)
    }
}

/// Checks a confidence level.
pub(crate) fn check_confidence(confidence: f64) -> Result<()> {
    if !(confidence > 0.0 && confidence < 1.0) {
        return Err(Error::invalid_parameter(
            "confidence",
            confidence,
            "must be in (0, 1), for example 0.95",
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hash_is_fixed_and_typed_by_token() {
        assert_eq!(hash_token(7, "42"), hash_key(7, &NodeKey::Int(42)));
        assert_eq!(hash_token(7, "ab"), hash_key(7, &NodeKey::Str("ab".into())));
        assert_ne!(hash_token(7, "42"), hash_token(8, "42"));
        assert_ne!(hash_str(7, "abcdefgh"), hash_str(7, "abcdefgh\0"));
        // Pinned values (from an independent implementation of the definition above): the
        // hash is part of the file format.
        assert_eq!(hash_int(DEFAULT_SEED, 0), 0x56b3_948d_aa8a_de29);
        assert_eq!(hash_int(DEFAULT_SEED, -5), 0x3f9f_0020_71e4_f2b0);
        assert_eq!(hash_token(DEFAULT_SEED, "alice"), 0xd6c3_6f61_3996_d59a);
        assert_eq!(hash_token(DEFAULT_SEED, "ig:c12345"), 0x157f_1b92_30f0_a034);
        let mut h: Vec<u64> = (0..10_000).map(|i| hash_int(1, i) >> 60).collect();
        h.sort_unstable();
        h.dedup();
        assert_eq!(h.len(), 16, "top bits cover all 16 values");
    }

    #[test]
    fn normal_quantiles() {
        assert!((z_of(0.95) - 1.959_963_985).abs() < 1e-8);
        assert!((z_of(0.99) - 2.575_829_304).abs() < 1e-8);
        assert!((z_of(0.6826894921) - 1.0).abs() < 1e-7);
    }

    #[test]
    fn params_are_checked() {
        assert!(SketchParams::new(3, 1).is_err());
        assert!(SketchParams::new(21, 1).is_err());
        let a = SketchParams::new(12, 1).unwrap();
        let e = a
            .check_compatible(&SketchParams::new(12, 2).unwrap())
            .unwrap_err();
        assert_eq!(e.kind(), "incompatible_sketches");
        assert!(a
            .check_compatible(&SketchParams::new(13, 1).unwrap())
            .is_err());
    }
}
