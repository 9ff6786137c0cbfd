//! Statistics of Monte Carlo and RR-set estimates: [`Estimate`] (mean, standard error, 95%
//! interval, range), the running moments behind it, and the spread [`Histogram`].
//!
//! Moments are merged strictly in chunk order, never summed in parallel, so an estimate is the
//! same on any number of threads or ranks.

use crate::comm::{self, Words};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The mean of `values` (summed in the order given, so the same on any thread count) and their
/// 5th and 95th percentiles, linearly interpolated between order statistics: the mean and 90%
/// interval of a set of draws. `values` must be non-empty and hold no NaN.
pub fn interval_90(values: &[f64]) -> (f64, f64, f64) {
    let mean = values.iter().sum::<f64>() / values.len() as f64;
    let mut v = values.to_vec();
    v.sort_by(f64::total_cmp);
    let q = |p: f64| {
        let x = p * (v.len() - 1) as f64;
        let (i, f) = (x.floor() as usize, x - x.floor());
        match v.get(i + 1) {
            Some(&next) => v[i] + f * (next - v[i]),
            None => v[i],
        }
    };
    (mean, q(0.05), q(0.95))
}

/// A Monte Carlo (or RR-set) estimate of an expected value.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Estimate {
    /// Sample mean.
    pub mean: f64,
    /// Standard error of the mean (sample standard deviation / √trials; 0 for one trial).
    pub stderr: f64,
    /// Lower end of the normal-approximation 95% interval, `mean − 1.96 · stderr`.
    pub ci95_low: f64,
    /// Upper end of the 95% interval, `mean + 1.96 · stderr`.
    pub ci95_high: f64,
    /// Smallest value seen in one trial.
    pub min: f64,
    /// Largest value seen in one trial.
    pub max: f64,
}

impl Estimate {
    /// `stderr / mean` (0 when the mean is 0).
    pub fn relative_stderr(&self) -> f64 {
        if self.mean == 0.0 {
            0.0
        } else {
            self.stderr / self.mean.abs()
        }
    }

    /// An estimate from its mean, standard error and observed range.
    pub(crate) fn new(mean: f64, stderr: f64, min: f64, max: f64) -> Estimate {
        Estimate {
            mean,
            stderr,
            ci95_low: mean - 1.96 * stderr,
            ci95_high: mean + 1.96 * stderr,
            min,
            max,
        }
    }
}

/// Running moments: Welford within a chunk, Chan et al.'s pairwise merge across chunks.
///
/// Merging is done strictly in chunk order, so results do not depend on thread count.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Moments {
    n: u64,
    mean: f64,
    m2: f64,
    min: f64,
    max: f64,
}

impl Default for Moments {
    fn default() -> Self {
        Moments {
            n: 0,
            mean: 0.0,
            m2: 0.0,
            min: f64::INFINITY,
            max: f64::NEG_INFINITY,
        }
    }
}

impl Moments {
    #[inline]
    pub(crate) fn push(&mut self, x: f64) {
        self.n += 1;
        let d = x - self.mean;
        self.mean += d / self.n as f64;
        self.m2 += d * (x - self.mean);
        self.min = self.min.min(x);
        self.max = self.max.max(x);
    }

    /// Number of values pushed.
    pub(crate) fn count(&self) -> u64 {
        self.n
    }

    pub(crate) fn merge(&mut self, o: &Moments) {
        if o.n == 0 {
            return;
        }
        if self.n == 0 {
            *self = *o;
            return;
        }
        let n = self.n + o.n;
        let d = o.mean - self.mean;
        self.mean += d * (o.n as f64 / n as f64);
        self.m2 += o.m2 + d * d * (self.n as f64 * o.n as f64 / n as f64);
        self.n = n;
        self.min = self.min.min(o.min);
        self.max = self.max.max(o.max);
    }

    pub(crate) fn estimate(&self) -> Estimate {
        if self.n == 0 {
            return Estimate::new(0.0, 0.0, 0.0, 0.0);
        }
        let stderr = if self.n > 1 {
            (self.m2.max(0.0) / (self.n - 1) as f64 / self.n as f64).sqrt()
        } else {
            0.0
        };
        Estimate::new(self.mean, stderr, self.min, self.max)
    }
}
impl Moments {
    /// The moments as bytes, for another rank ([`Moments::decode`] reads them).
    pub(crate) fn encode(&self, out: &mut Vec<u8>) {
        comm::put(out, self.n);
        for x in [self.mean, self.m2, self.min, self.max] {
            comm::put(out, x.to_bits());
        }
    }
    pub(crate) fn decode(b: &mut Words<'_>) -> Option<Moments> {
        Some(Moments {
            n: b.next()?,
            mean: b.f64()?,
            m2: b.f64()?,
            min: b.f64()?,
            max: b.f64()?,
        })
    }
}

/// Histogram of the account spread over trials.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Histogram {
    /// Lower end of the first bin (the smallest spread seen).
    pub start: u64,
    /// Width of each bin: bin `i` counts trials with spread in
    /// `start + i·bin_width .. start + (i + 1)·bin_width`. 1 when there are at most
    /// [`Histogram::MAX_BINS`] distinct spread values between min and max.
    pub bin_width: u64,
    /// Number of trials per bin.
    pub counts: Vec<u64>,
}

impl Histogram {
    /// Maximum number of bins.
    pub const MAX_BINS: u64 = 100;

    /// Bins the number of trials per spread value.
    pub(crate) fn from_counts(counts: &BTreeMap<u32, u64>) -> Histogram {
        let (Some((&lo, _)), Some((&hi, _))) = (counts.first_key_value(), counts.last_key_value())
        else {
            return Histogram {
                start: 0,
                bin_width: 1,
                counts: Vec::new(),
            };
        };
        let range = (hi - lo) as u64 + 1;
        let bin_width = range.div_ceil(Histogram::MAX_BINS).max(1);
        let mut bins = vec![0u64; range.div_ceil(bin_width) as usize];
        for (&v, &c) in counts {
            bins[((v - lo) as u64 / bin_width) as usize] += c;
        }
        Histogram {
            start: lo as u64,
            bin_width,
            counts: bins,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn moments_merge_equals_sequential() {
        let xs: Vec<f64> = (0..100).map(|i| ((i * 37) % 11) as f64).collect();
        let mut all = Moments::default();
        xs.iter().for_each(|&x| all.push(x));
        let mut a = Moments::default();
        let mut b = Moments::default();
        xs[..40].iter().for_each(|&x| a.push(x));
        xs[40..].iter().for_each(|&x| b.push(x));
        a.merge(&b);
        assert_eq!(a.n, all.n);
        assert!((a.mean - all.mean).abs() < 1e-12);
        assert!((a.m2 - all.m2).abs() < 1e-9);
        let mean = xs.iter().sum::<f64>() / 100.0;
        let var = xs.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / 99.0;
        let e = all.estimate();
        assert!((e.stderr - (var / 100.0).sqrt()).abs() < 1e-12);
        assert_eq!((e.min, e.max), (0.0, 10.0));
    }

    #[test]
    fn histogram_bins() {
        let counts = |v: &[u32]| {
            let mut m = BTreeMap::new();
            v.iter().for_each(|&x| *m.entry(x).or_insert(0) += 1);
            m
        };
        let h = Histogram::from_counts(&counts(&[3, 3, 5]));
        assert_eq!(
            (h.start, h.bin_width, h.counts.clone()),
            (3, 1, vec![2, 0, 1])
        );
        let v: Vec<u32> = (0..1000).collect();
        let h = Histogram::from_counts(&counts(&v));
        assert_eq!(h.bin_width, 10);
        assert_eq!(h.counts.len(), 100);
        assert!(h.counts.iter().all(|&c| c == 10));
    }
}
