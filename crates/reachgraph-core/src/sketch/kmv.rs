//! The bottom-k (KMV) sketch and its estimators.

use super::{check_confidence, z_of, SketchParams};
use crate::error::{Error, Result};
use crate::ids::NodeKey;
use serde::{Deserialize, Serialize};

/// 2^64 as a float: hashes divided by it are uniform on [0, 1).
pub(crate) const TWO64: f64 = 18_446_744_073_709_551_616.0;

/// A bottom-k sketch: the `k` smallest distinct 64-bit hashes of a set, sorted.
///
/// Below `k` distinct items it holds them all and is exact. Merging two sketches of the same
/// [`SketchParams`] gives the sketch of the union (exactly, not approximately), so merges are
/// associative and commutative.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "KmvRepr")]
pub struct Kmv {
    params: SketchParams,
    hashes: Vec<u64>,
}

#[derive(Deserialize)]
struct KmvRepr {
    params: SketchParams,
    hashes: Vec<u64>,
}

impl TryFrom<KmvRepr> for Kmv {
    type Error = Error;
    fn try_from(r: KmvRepr) -> Result<Self> {
        Kmv::from_sorted(r.params, r.hashes, "serde")
    }
}

/// A cardinality estimate with its interval.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct CardinalityEstimate {
    /// The estimate.
    pub estimate: f64,
    /// Lower end of the interval.
    pub lower: f64,
    /// Upper end of the interval.
    pub upper: f64,
    /// Confidence of the interval.
    pub confidence: f64,
    /// True when the sketch held every item (no sampling error).
    pub exact: bool,
    /// Hashes the estimate rests on.
    pub samples: usize,
}

impl CardinalityEstimate {
    /// Largest distance from the estimate to an end of the interval.
    pub fn error_bound(&self) -> f64 {
        (self.upper - self.estimate).max(self.estimate - self.lower)
    }
}

/// Keeps the `k` smallest distinct values of `v`, sorted.
pub(crate) fn bottom_k(v: &mut Vec<u64>, k: usize) {
    if v.len() > k {
        v.select_nth_unstable(k - 1);
        let mut head: Vec<u64> = v[..k].to_vec();
        head.sort_unstable();
        head.dedup();
        if head.len() == k {
            *v = head;
            return;
        }
        // Duplicates among the k smallest: the next distinct values may be beyond k.
    }
    v.sort_unstable();
    v.dedup();
    v.truncate(k);
}

/// Merges two sorted distinct lists, keeping the `k` smallest distinct values.
pub(crate) fn merge_bottom_k(a: &[u64], b: &[u64], k: usize, out: &mut Vec<u64>) {
    out.clear();
    let (mut i, mut j) = (0, 0);
    while out.len() < k && (i < a.len() || j < b.len()) {
        let x = match (a.get(i), b.get(j)) {
            (Some(&x), Some(&y)) if x == y => {
                i += 1;
                j += 1;
                x
            }
            (Some(&x), Some(&y)) if x < y => {
                i += 1;
                x
            }
            (_, Some(&y)) => {
                j += 1;
                y
            }
            (Some(&x), None) => {
                i += 1;
                x
            }
            (None, None) => break,
        };
        out.push(x);
    }
}

/// Quantile of Gamma(shape, 1) at probability `p` (Wilson–Hilferty; accurate to a fraction of
/// a percent for shape ≥ 10, the smallest sketch here has 16).
fn gamma_quantile(shape: f64, z: f64) -> f64 {
    let c = 1.0 / (9.0 * shape);
    shape * (1.0 - c + z * c.sqrt()).powi(3).max(0.0)
}

/// Estimate of `|set|` from its bottom-k list `h` (sorted, distinct) of capacity `k`.
pub(crate) fn estimate_of(h: &[u64], k: usize, confidence: f64) -> CardinalityEstimate {
    if h.len() < k {
        let n = h.len() as f64;
        return CardinalityEstimate {
            estimate: n,
            lower: n,
            upper: n,
            confidence,
            exact: true,
            samples: h.len(),
        };
    }
    kth_estimate(h[k - 1], k, confidence)
}

/// Estimate of a set size from its k-th smallest hash: `(k − 1) / U`, interval from
/// `N·U ~ Gamma(k, 1)`.
///
/// The Gamma quantiles are centred on the median `≈ k − 1/3`, not on the unbiased estimate
/// `k − 1`, so at a low confidence the bare quantile interval shrinks onto the median and
/// excludes the estimate; each end is therefore widened to reach the estimate. A full sketch
/// proves `k` distinct items, so neither the estimate nor the lower end goes below `k`.
pub(crate) fn kth_estimate(kth: u64, k: usize, confidence: f64) -> CardinalityEstimate {
    let u = (kth as f64 + 1.0) / TWO64;
    let z = z_of(confidence);
    let kf = k as f64;
    let estimate = ((kf - 1.0) / u).max(kf);
    CardinalityEstimate {
        estimate,
        lower: (gamma_quantile(kf, -z) / u).max(kf).min(estimate),
        upper: (gamma_quantile(kf, z) / u).max(estimate),
        confidence,
        exact: false,
        samples: k,
    }
}

/// Wilson score interval of a proportion `x / n`, as `(estimate, lower, upper)`.
pub(crate) fn wilson(x: f64, n: f64, z: f64) -> (f64, f64, f64) {
    if n <= 0.0 {
        return (0.0, 0.0, 1.0);
    }
    let p = x / n;
    let z2 = z * z;
    let denom = 1.0 + z2 / n;
    let center = (p + z2 / (2.0 * n)) / denom;
    let half = z * (p * (1.0 - p) / n + z2 / (4.0 * n * n)).sqrt() / denom;
    // The score interval holds `p` in exact arithmetic; rounding can leave it an ulp outside
    // when the interval is narrow (low confidence, many samples).
    (
        p,
        (center - half).max(0.0).min(p),
        (center + half).min(1.0).max(p),
    )
}

impl Kmv {
    /// An empty sketch.
    pub fn new(params: SketchParams) -> Self {
        Kmv {
            params,
            hashes: Vec::new(),
        }
    }

    /// The sketch of a set of hashes (any order, repeats allowed).
    pub fn from_hashes(params: SketchParams, mut hashes: Vec<u64>) -> Self {
        bottom_k(&mut hashes, params.k());
        Kmv { params, hashes }
    }

    /// A sketch from stored hashes, checked: strictly increasing and at most `k` of them.
    ///
    /// # Errors
    /// [`Error::InvalidParameter`] for bad parameters; [`Error::CorruptSketch`] (naming
    /// `input`) for unsorted, repeated or too many hashes.
    pub fn from_sorted(params: SketchParams, hashes: Vec<u64>, input: &str) -> Result<Self> {
        params.validate()?;
        check_list(&hashes, params.k(), input, &|| "sketch".into(), 0)?;
        Ok(Kmv { params, hashes })
    }

    /// Adds a person id.
    pub fn update(&mut self, key: &NodeKey) {
        self.update_hash(super::hash_key(self.params.seed, key));
    }

    /// Adds an already hashed person id (hashed with this sketch's seed).
    pub fn update_hash(&mut self, h: u64) {
        let k = self.params.k();
        if self.hashes.len() == k && h >= self.hashes[k - 1] {
            return;
        }
        if let Err(pos) = self.hashes.binary_search(&h) {
            self.hashes.insert(pos, h);
            self.hashes.truncate(k);
        }
    }

    /// Merges `other` into `self`: the sketch of the union.
    ///
    /// # Errors
    /// [`Error::IncompatibleSketches`] when the parameters differ.
    pub fn merge(&mut self, other: &Kmv) -> Result<()> {
        self.params.check_compatible(&other.params)?;
        let mut out =
            Vec::with_capacity(self.params.k().min(self.hashes.len() + other.hashes.len()));
        merge_bottom_k(&self.hashes, &other.hashes, self.params.k(), &mut out);
        self.hashes = out;
        Ok(())
    }

    /// This sketch reduced to a smaller `lg_k` (to combine with sketches built smaller).
    ///
    /// # Errors
    /// [`Error::InvalidParameter`] when `lg_k` is larger than this sketch's or out of range.
    pub fn downsample(&self, lg_k: u8) -> Result<Kmv> {
        if lg_k > self.params.lg_k {
            return Err(Error::invalid_parameter(
                "lg_k",
                lg_k,
                format!("cannot grow a sketch of lg_k {}", self.params.lg_k),
            ));
        }
        let params = SketchParams::new(lg_k, self.params.seed)?;
        let mut hashes = self.hashes.clone();
        hashes.truncate(params.k());
        Ok(Kmv { params, hashes })
    }

    /// The parameters.
    pub fn params(&self) -> SketchParams {
        self.params
    }

    /// The retained hashes, ascending.
    pub fn hashes(&self) -> &[u64] {
        &self.hashes
    }

    /// True when the sketch holds every item of its set.
    pub fn is_exact(&self) -> bool {
        self.hashes.len() < self.params.k()
    }

    /// Estimated number of distinct items, with its interval at `confidence`.
    ///
    /// # Errors
    /// [`Error::InvalidParameter`] when `confidence` is not in (0, 1).
    pub fn estimate(&self, confidence: f64) -> Result<CardinalityEstimate> {
        check_confidence(confidence)?;
        Ok(estimate_of(&self.hashes, self.params.k(), confidence))
    }
}

/// Checks a stored hash list.
/// `what` names the sketch in the message (called only on error).
pub(crate) fn check_list(
    h: &[u64],
    k: usize,
    input: &str,
    what: &dyn Fn() -> String,
    offset: u64,
) -> Result<()> {
    if h.len() > k {
        return Err(Error::CorruptSketch {
            input: input.to_string(),
            offset,
            reason: format!("{} holds {} hashes, more than k = {k}", what(), h.len()),
        });
    }
    if let Some(i) = h.windows(2).position(|w| w[0] >= w[1]) {
        return Err(Error::CorruptSketch {
            input: input.to_string(),
            offset: offset + 8 * (i as u64 + 1),
            reason: format!(
                "{}: hashes are not strictly increasing at position {}",
                what(),
                i + 1
            ),
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(lg_k: u8) -> SketchParams {
        SketchParams::new(lg_k, 1).unwrap()
    }

    #[test]
    fn bottom_k_handles_duplicates_at_the_cut() {
        let mut v = vec![5, 1, 1, 1, 3, 2, 9, 7];
        bottom_k(&mut v, 4);
        assert_eq!(v, vec![1, 2, 3, 5]);
        let mut v = vec![3, 1, 2];
        bottom_k(&mut v, 4);
        assert_eq!(v, vec![1, 2, 3]);
    }

    #[test]
    fn merge_is_the_sketch_of_the_union() {
        let a: Vec<u64> = (0..100).map(|i| i * 3).collect();
        let b: Vec<u64> = (0..100).map(|i| i * 5).collect();
        let mut m = Kmv::from_hashes(p(4), a.clone());
        m.merge(&Kmv::from_hashes(p(4), b.clone())).unwrap();
        let mut u = a;
        u.extend(b);
        assert_eq!(m, Kmv::from_hashes(p(4), u));
        assert!(m.merge(&Kmv::new(p(5))).is_err());
    }

    #[test]
    fn update_keeps_the_smallest() {
        let mut s = Kmv::new(p(4));
        for h in (0..100u64).rev() {
            s.update_hash(h * 7);
            s.update_hash(h * 7);
        }
        assert_eq!(s.hashes(), &(0..16).map(|h| h * 7).collect::<Vec<_>>()[..]);
    }

    #[test]
    fn estimate_interval_covers() {
        // One large set: the interval at 95% covers the truth for nearly all seeds.
        let mut covered = 0;
        for seed in 0..200u64 {
            let hashes: Vec<u64> = (0..20_000)
                .map(|i| super::super::hash_int(seed, i))
                .collect();
            let e = Kmv::from_hashes(SketchParams::new(8, seed).unwrap(), hashes)
                .estimate(0.95)
                .unwrap();
            assert!(!e.exact);
            if e.lower <= 20_000.0 && 20_000.0 <= e.upper {
                covered += 1;
            }
        }
        assert!((180..=200).contains(&covered), "covered {covered}/200");
    }

    #[test]
    fn regression_issue14_intervals_hold_their_estimate_at_every_confidence() {
        let confidences = [
            1e-12, 1e-6, 0.01, 0.05, 0.1, 0.2, 0.3, 0.5, 0.68, 0.9, 0.95, 0.99,
        ];
        let mut tried = 0;
        for c in confidences
            .into_iter()
            .chain([1.0 - 1e-9, 1.0 - f64::EPSILON])
        {
            let z = z_of(c);
            assert!(z.is_finite() && z >= 0.0, "z({c}) = {z}");
            for lg_k in super::super::MIN_LG_K..=super::super::MAX_LG_K {
                let k = 1usize << lg_k;
                for kth in [
                    0,
                    1,
                    k as u64,
                    u64::MAX >> 40,
                    u64::MAX >> 8,
                    u64::MAX / 3,
                    u64::MAX - 1,
                    u64::MAX,
                ] {
                    let e = kth_estimate(kth, k, c);
                    tried += 1;
                    assert!(
                        e.lower <= e.estimate && e.estimate <= e.upper,
                        "confidence {c}, k {k}, kth {kth}: {e:?}"
                    );
                    assert!(e.lower >= k as f64, "{e:?}");
                }
                for (x, n) in [
                    (0.0, 1.0),
                    (1.0, 3.0),
                    (7.0, 10.0),
                    (5.0, 5.0),
                    (123_456.0, 1e6),
                ] {
                    let (p, lo, hi) = wilson(x, n, z);
                    assert!(
                        lo <= p && p <= hi,
                        "wilson({x}, {n}, {z}) = ({p}, {lo}, {hi})"
                    );
                }
            }
        }
        assert!(tried > 1000);
        // Intervals do get narrower as the confidence drops, down to the estimate itself.
        let k = 1 << 10;
        let wide = kth_estimate(u64::MAX >> 12, k, 0.99);
        let narrow = kth_estimate(u64::MAX >> 12, k, 1e-9);
        assert!(narrow.upper - narrow.lower < (wide.upper - wide.lower) / 100.0);
    }

    #[test]
    fn confidences_outside_zero_one_are_refused() {
        let s = Kmv::new(p(4));
        for c in [0.0, 1.0, -0.5, 1.5, f64::NAN, f64::INFINITY] {
            let e = s.estimate(c).unwrap_err();
            assert_eq!(e.kind(), "invalid_parameter", "{c}");
            assert!(e.to_string().contains("confidence"), "{e}");
        }
    }

    #[test]
    fn wilson_interval() {
        let (p, lo, hi) = wilson(0.0, 100.0, 1.96);
        assert_eq!(p, 0.0);
        assert_eq!(lo, 0.0);
        assert!(hi > 0.03 && hi < 0.05);
        let (p, lo, hi) = wilson(50.0, 100.0, 1.96);
        assert!((p - 0.5).abs() < 1e-12 && lo > 0.39 && hi < 0.61);
    }
}
