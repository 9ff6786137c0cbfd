//! The settings every sampler shares, validated in one place, and the seed-set check.
//!
//! [`Sampling`] (master seed, threads, hop horizon, subset sampling, memory limit) is embedded
//! in [`crate::SpreadConfig`], [`crate::RrConfig`], [`crate::SelectConfig`],
//! [`crate::EvalConfig`] and [`crate::margin::MarginConfig`]. Their builders keep one setter
//! per field, spelled alike, and take a whole [`Sampling`] through `.sampling(…)`; each
//! `build()` runs [`Sampling::validate`].

use crate::error::{Error, Result};
use crate::graph::Graph;

/// Seed, threads, hop horizon, subset sampling and memory limit of one sampling run.
///
/// A plain value: fields can be set directly or with the `with_*` methods, and are checked
/// when the configuration embedding them is built ([`Sampling::validate`]).
///
/// ```
/// use reachgraph_core::{Sampling, SpreadConfig};
/// let s = Sampling::new(7).with_threads(Some(2)).with_hops(Some(3));
/// let c = SpreadConfig::builder().trials(100).sampling(s).build().unwrap();
/// assert_eq!((c.seed(), c.threads(), c.hops()), (7, Some(2), Some(3)));
/// assert!(SpreadConfig::builder().sampling(s.with_hops(Some(0))).build().is_err());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Sampling {
    /// Master seed of the random streams.
    pub seed: u64,
    /// Threads of a dedicated pool (≥ 1), or `None` for the current rayon pool. Results do not
    /// depend on it.
    pub threads: Option<usize>,
    /// Hop horizon (≥ 1): a post is reshared at most `hops` times; `None` for no horizon.
    pub hops: Option<u32>,
    /// Draw the live edges of a list whose probabilities are all equal by subset sampling or
    /// geometric skipping rather than one coin per edge (SUBSIM, Guo et al. 2020). Same
    /// distribution, different numbers for a seed; on by default, off for tests and benchmarks.
    pub subset_sampling: bool,
    /// Limit (> 0) on the bytes of a sample store (RR sets), or `None` for the default
    /// ([`crate::limits::default_memory_limit`]).
    pub memory_limit_bytes: Option<u64>,
}

impl Default for Sampling {
    /// Seed 0, the current pool, no hop horizon, subset sampling on, the default memory limit.
    fn default() -> Self {
        Sampling {
            seed: 0,
            threads: None,
            hops: None,
            subset_sampling: true,
            memory_limit_bytes: None,
        }
    }
}

impl Sampling {
    /// The defaults with master seed `seed`.
    pub fn new(seed: u64) -> Sampling {
        Sampling {
            seed,
            ..Sampling::default()
        }
    }
    /// With threads `threads` (`None`: the current pool).
    pub fn with_threads(self, threads: Option<usize>) -> Sampling {
        Sampling { threads, ..self }
    }
    /// With hop horizon `hops` (`None`: no horizon).
    pub fn with_hops(self, hops: Option<u32>) -> Sampling {
        Sampling { hops, ..self }
    }
    /// With subset sampling on or off.
    pub fn with_subset_sampling(self, on: bool) -> Sampling {
        Sampling {
            subset_sampling: on,
            ..self
        }
    }
    /// With memory limit `bytes` (`None`: the default limit).
    pub fn with_memory_limit_bytes(self, bytes: Option<u64>) -> Sampling {
        Sampling {
            memory_limit_bytes: bytes,
            ..self
        }
    }

    /// Checks the settings.
    ///
    /// # Errors
    /// [`Error::InvalidParameter`] for `threads` outside 1..=[`crate::limits::MAX_THREADS`],
    /// `hops = 0` or a zero memory limit.
    pub fn validate(&self) -> Result<()> {
        crate::limits::check_threads(self.threads)?;
        check_hops(self.hops)?;
        if self.memory_limit_bytes == Some(0) {
            return Err(Error::invalid_parameter(
                "memory_limit_bytes",
                0,
                "the memory limit must be positive (omit it for the default limit)",
            ));
        }
        Ok(())
    }

    /// The memory limit in force: the configured one or the default.
    pub fn effective_memory_limit(&self) -> u64 {
        crate::limits::memory_limit(self.memory_limit_bytes)
    }

    /// A dedicated pool of [`Sampling::threads`] threads, or `None` to run in the current pool.
    pub(crate) fn pool(&self) -> Result<Option<rayon::ThreadPool>> {
        crate::exec::build_pool(self.threads)
    }

    /// Rejects the settings named in `unused` (field names) when they differ from the
    /// defaults: `config` has no use for them, and a value passed in through `.sampling(…)`
    /// must not be dropped silently.
    pub(crate) fn reject_unused(&self, config: &str, unused: &[&str]) -> Result<()> {
        let d = Sampling::default();
        for &name in unused {
            let value = match name {
                "hops" if self.hops != d.hops => format!("{:?}", self.hops),
                "subset_sampling" if self.subset_sampling != d.subset_sampling => {
                    self.subset_sampling.to_string()
                }
                "memory_limit_bytes" if self.memory_limit_bytes != d.memory_limit_bytes => {
                    format!("{:?}", self.memory_limit_bytes)
                }
                _ => continue,
            };
            return Err(Error::invalid_parameter(
                name,
                value,
                format!("{config} does not use it (leave it at its default)"),
            ));
        }
        Ok(())
    }
}

pub(crate) fn check_hops(hops: Option<u32>) -> Result<()> {
    if hops == Some(0) {
        return Err(Error::invalid_parameter(
            "hops",
            0,
            "the hop horizon must be at least 1 (omit it for no horizon)",
        ));
    }
    Ok(())
}

/// The accessors of the [`Sampling`] embedded as field `sampling` of a configuration, and the
/// setters on its builder (which holds the configuration as field `config`), written once so
/// that every builder spells them alike. Every configuration gets `seed`, `threads` and
/// `sampling`; the optional parts are added by name.
macro_rules! sampling_settings {
    ($config:ident, $builder:ident $(, $part:ident)*) => {
        impl $config {
            /// Master seed.
            pub fn seed(&self) -> u64 {
                self.sampling.seed
            }
            /// Threads of a dedicated pool, or `None` for the current rayon pool.
            pub fn threads(&self) -> Option<usize> {
                self.sampling.threads
            }
            /// The sampling settings.
            pub fn sampling(&self) -> &$crate::sampling::Sampling {
                &self.sampling
            }
        }
        impl $builder {
            /// Master seed of the random streams.
            pub fn seed(mut self, seed: u64) -> Self {
                self.config.sampling.seed = seed;
                self
            }
            /// Run in a dedicated pool of `threads` threads (≥ 1) instead of the current rayon
            /// pool. Results do not depend on it.
            pub fn threads(mut self, threads: usize) -> Self {
                self.config.sampling.threads = Some(threads);
                self
            }
            /// Like `threads`, with `None` for the current pool.
            pub fn threads_opt(mut self, threads: Option<usize>) -> Self {
                self.config.sampling.threads = threads;
                self
            }
            /// All sampling settings at once (replacing those set before); checked by `build`.
            pub fn sampling(mut self, sampling: $crate::sampling::Sampling) -> Self {
                self.config.sampling = sampling;
                self
            }
        }
        $($crate::sampling::sampling_settings!(@$part $config, $builder);)*
    };
    (@hops $config:ident, $builder:ident) => {
        impl $config {
            /// Hop horizon, or `None` for unlimited propagation.
            pub fn hops(&self) -> Option<u32> {
                self.sampling.hops
            }
        }
        impl $builder {
            /// Hop horizon (≥ 1): a post is reshared at most `hops` times, so `hops = 1`
            /// reaches only direct followers of the seeds.
            pub fn hops(mut self, hops: u32) -> Self {
                self.config.sampling.hops = Some(hops);
                self
            }
            /// Like `hops`, with `None` for no horizon.
            pub fn hops_opt(mut self, hops: Option<u32>) -> Self {
                self.config.sampling.hops = hops;
                self
            }
        }
    };
    (@subset_sampling $config:ident, $builder:ident) => {
        impl $config {
            /// Whether subset sampling is used where it applies.
            pub fn subset_sampling(&self) -> bool {
                self.sampling.subset_sampling
            }
        }
        impl $builder {
            /// Use subset sampling where all edges of an account's list share one probability
            /// (the default): draw how many are live and then which, or skip geometrically
            /// from one live edge to the next, instead of one coin per edge (SUBSIM, Guo et al.
            /// 2020). Off draws one coin per edge: the distribution is the same, the numbers
            /// for a seed differ. For tests and benchmarks.
            pub fn subset_sampling(mut self, on: bool) -> Self {
                self.config.sampling.subset_sampling = on;
                self
            }
        }
    };
    (@memory_limit_bytes $config:ident, $builder:ident) => {
        impl $config {
            /// Memory limit of the RR sets in bytes, if any.
            pub fn memory_limit_bytes(&self) -> Option<u64> {
                self.sampling.memory_limit_bytes
            }
        }
        impl $builder {
            /// Refuse to grow the RR sets past this many bytes (> 0).
            pub fn memory_limit_bytes(mut self, bytes: u64) -> Self {
                self.config.sampling.memory_limit_bytes = Some(bytes);
                self
            }
        }
    };
}
pub(crate) use sampling_settings;

/// Checks a seed set: non-empty, dense ids in range, no repeats.
///
/// # Errors
/// [`Error::Empty`] for no seeds; [`Error::UnknownNode`] / [`Error::DuplicateNode`] for bad
/// dense ids, all naming the "seed set".
pub fn check_seed_set(graph: &Graph, seeds: &[u32]) -> Result<()> {
    if seeds.is_empty() {
        return Err(Error::Empty {
            what: "seed set".into(),
        });
    }
    graph.check_nodes(seeds, "seed set")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn validates_each_setting() {
        assert!(Sampling::default().validate().is_ok());
        assert!(Sampling::new(1).with_threads(Some(0)).validate().is_err());
        assert!(Sampling::new(1).with_hops(Some(0)).validate().is_err());
        let zero = Sampling::new(1).with_memory_limit_bytes(Some(0));
        assert!(zero.validate().is_err());
        let ok = Sampling::new(1)
            .with_threads(Some(1))
            .with_hops(Some(1))
            .with_memory_limit_bytes(Some(1))
            .with_subset_sampling(false);
        assert!(ok.validate().is_ok());
        assert!(ok.reject_unused("x", &[]).is_ok());
        assert!(Sampling::new(1).reject_unused("x", &["hops"]).is_ok());
        for name in ["hops", "subset_sampling", "memory_limit_bytes"] {
            assert!(ok.reject_unused("x", &[name]).is_err(), "{name}");
        }
    }

    #[test]
    fn every_config_validates_its_sampling_alike() {
        use crate::margin::MarginConfig;
        use crate::{EvalConfig, RrConfig, SelectConfig, SpreadConfig};
        let spread = |s| SpreadConfig::builder().sampling(s).build().map(|_| ());
        let rr = |s| RrConfig::builder().sampling(s).build().map(|_| ());
        let select = |s| SelectConfig::builder().k(1).sampling(s).build().map(|_| ());
        let eval = |s| EvalConfig::builder().sampling(s).build().map(|_| ());
        let margin = |s| MarginConfig::builder().sampling(s).build().map(|_| ());
        let all: [&dyn Fn(Sampling) -> Result<()>; 5] = [&spread, &rr, &select, &eval, &margin];
        for build in all {
            assert!(build(Sampling::new(3).with_threads(Some(2))).is_ok());
            assert!(build(Sampling::new(3).with_threads(Some(0))).is_err());
            assert!(build(Sampling::new(3).with_hops(Some(0))).is_err());
            assert!(build(Sampling::new(3).with_memory_limit_bytes(Some(0))).is_err());
        }
        // A setting a configuration has no use for is refused, not dropped.
        assert!(spread(Sampling::new(3).with_memory_limit_bytes(Some(1))).is_err());
        assert!(margin(Sampling::new(3).with_hops(Some(2))).is_err());
        assert!(margin(Sampling::new(3).with_subset_sampling(false)).is_err());
    }

    #[test]
    fn eval_config_rejects_zero_memory_limit() {
        // EvalConfig used to accept a zero memory limit that every other config rejected.
        assert!(crate::EvalConfig::builder()
            .memory_limit_bytes(0)
            .build()
            .is_err());
    }

    #[test]
    fn setters_and_sampling_agree() {
        use crate::{EvalConfig, SelectConfig};
        let s = Sampling::new(9)
            .with_threads(Some(2))
            .with_hops(Some(3))
            .with_subset_sampling(false)
            .with_memory_limit_bytes(Some(1 << 20));
        let one = SelectConfig::builder()
            .k(1)
            .seed(9)
            .threads(2)
            .hops(3)
            .subset_sampling(false)
            .memory_limit_bytes(1 << 20)
            .build()
            .unwrap();
        let two = SelectConfig::builder().k(1).sampling(s).build().unwrap();
        assert_eq!(one, two);
        assert_eq!(two.sampling(), &s);
        let e = EvalConfig::builder().sampling(s).build().unwrap();
        assert_eq!(
            (e.seed(), e.threads(), e.hops(), e.subset_sampling()),
            (9, Some(2), Some(3), false)
        );
        assert_eq!(e.memory_limit_bytes(), Some(1 << 20));
    }
}
