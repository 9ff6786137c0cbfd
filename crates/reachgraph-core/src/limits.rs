//! The ranges of the parameters that size work, the default memory limit and the memory check,
//! in one place so that the CLI, the JSON API and Python refuse the same values the same way.
//!
//! Every parameter that decides how much memory or time a run takes (trials, draws, RR sets,
//! chunk sizes, threads, posts, sample-count accuracy settings) is checked before any work
//! starts: against a documented range ([`check_range`] with the `MAX_*` and `MIN_*` constants
//! here), and, where it sizes an allocation, against the memory limit ([`check_memory`]).
//! The errors are [`Error::InvalidParameter`] and [`Error::MemoryLimit`], naming the parameter
//! as its caller spells it.
//!
//! ## Memory limit
//! When no limit is configured, [`default_memory_limit`] applies: half of the smaller of the
//! machine's physical memory (`MemTotal` in `/proc/meminfo`), the process's address-space
//! limit (`ulimit -v`, from `/proc/self/limits`) and its cgroup's `memory.max`, or
//! [`FALLBACK_MEMORY_LIMIT`] where none of them can be read. Half leaves room for the graph
//! and for the allocator's slack, so a run refused by the estimate is refused before it
//! allocates, not killed after.
//!
//! ## Threads
//! At most [`MAX_THREADS`] may be asked for. A dedicated pool gets at most
//! [`POOL_OVERSUBSCRIPTION`] threads per available core ([`pool_threads`]): results do not
//! depend on the thread count, and every idle worker of a work-stealing pool scans every other
//! worker's queue, so threads far beyond the cores cost time quadratic in their number
//! without adding any parallelism.

use crate::error::{Error, Result};
use std::fmt::Display;
use std::sync::OnceLock;

/// Largest thread count accepted.
pub const MAX_THREADS: usize = 1024;

/// Threads of a dedicated pool per available core, at most.
pub const POOL_OVERSUBSCRIPTION: usize = 4;

/// Largest number of Monte Carlo spread trials (the relative error of a mean falls as
/// `1/√trials`; a billion trials already resolve it to about 3·10⁻⁵).
pub const MAX_TRIALS: u64 = 1_000_000_000;

/// Largest number of margin-simulation draws.
pub const MAX_DRAWS: u64 = 100_000_000;

/// Largest number of RR sets one call may be asked for (the memory check usually refuses far
/// fewer: each set takes at least [`MIN_RR_SET_BYTES`]).
pub const MAX_RR_SETS: u64 = 1 << 36;

/// Bytes an RR set takes at the least: its offset, its root and one member.
pub const MIN_RR_SET_BYTES: u64 =
    (std::mem::size_of::<usize>() + 2 * std::mem::size_of::<u32>()) as u64;

/// Largest number of posts per creator or per seed (each post is simulated).
pub const MAX_POSTS: u32 = 10_000;

/// Smallest chunk read at a time from a stream (bytes): any positive size works (a line longer
/// than the chunk is read whole), only zero is nonsense.
pub const MIN_CHUNK_BYTES: u64 = 1;

/// Largest chunk read at a time from a stream (bytes): 1 GiB.
pub const MAX_CHUNK_BYTES: u64 = 1 << 30;

/// Smallest accuracy `epsilon` of seed selection: RR-set counts grow as `1/epsilon²`.
pub const MIN_EPSILON: f64 = 1e-4;

/// Smallest quality-mode `tolerance`: below it doublings would go on until the memory limit.
pub const MIN_TOLERANCE: f64 = 1e-6;

/// Peak bytes per edge of generating a scenario ([`crate::scenario::generate`]: measured 0.9 GB
/// for 20M edges, 4.6 GB for 100M).
pub const SCENARIO_BYTES_PER_EDGE: u64 = 48;

/// The default memory limit where none of the sources of [`default_memory_limit`] can be read.
pub const FALLBACK_MEMORY_LIMIT: u64 = 4 << 30;

/// Checks that `value` of the parameter `name` lies in `min..=max`.
///
/// # Errors
/// [`Error::InvalidParameter`] naming `name`, the value and the range.
///
/// ```
/// use reachgraph_core::limits::check_range;
/// assert!(check_range("trials", 5u64, 1, 10).is_ok());
/// let e = check_range("trials", 0u64, 1, 10).unwrap_err().to_string();
/// assert!(e.contains("trials") && e.contains("between 1 and 10"), "{e}");
/// ```
pub fn check_range<T: PartialOrd + Display>(name: &str, value: T, min: T, max: T) -> Result<()> {
    if value < min || value > max {
        return Err(Error::invalid_parameter(
            name,
            &value,
            format!("must be between {min} and {max}"),
        ));
    }
    Ok(())
}

/// Checks a float setting lies in `[min, max)` (and is not NaN).
///
/// # Errors
/// [`Error::InvalidParameter`] naming `name`.
pub fn check_unit_range(name: &str, value: f64, min: f64, max: f64) -> Result<()> {
    if !(value >= min && value < max) {
        return Err(Error::invalid_parameter(
            name,
            value,
            format!("must be at least {min} and below {max}"),
        ));
    }
    Ok(())
}

/// Checks the requested thread count: at least 1, at most [`MAX_THREADS`].
///
/// # Errors
/// [`Error::InvalidParameter`] naming `threads`.
pub fn check_threads(threads: Option<usize>) -> Result<()> {
    match threads {
        Some(0) => Err(Error::invalid_parameter(
            "threads",
            0,
            "need at least 1 thread (omit it to use the current pool)",
        )),
        Some(t) if t > MAX_THREADS => Err(Error::invalid_parameter(
            "threads",
            t,
            format!("at most {MAX_THREADS} threads"),
        )),
        _ => Ok(()),
    }
}

/// The threads a dedicated pool gets for a request of `requested`: at most
/// [`POOL_OVERSUBSCRIPTION`] per available core (results do not depend on it).
pub fn pool_threads(requested: usize) -> usize {
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    requested.clamp(1, cores.saturating_mul(POOL_OVERSUBSCRIPTION))
}

/// `count × each` bytes, saturating (an estimate past `u64::MAX` is over every limit anyway).
pub fn bytes_of(count: u64, each: u64) -> u64 {
    count.saturating_mul(each)
}

/// The memory limit in force: `configured`, or [`default_memory_limit`] when unset.
pub fn memory_limit(configured: Option<u64>) -> u64 {
    configured.unwrap_or_else(default_memory_limit)
}

/// Checks that `estimate_bytes` (for `what`, as the user would recognise it: "200000 RR sets",
/// "chunk_mb = 20000") fits the memory limit in force (`configured`, or the default).
///
/// # Errors
/// [`Error::MemoryLimit`] with the estimate and the limit.
///
/// ```
/// use reachgraph_core::limits::check_memory;
/// assert!(check_memory("small", 1 << 10, Some(1 << 20)).is_ok());
/// assert!(check_memory("huge", u64::MAX, None).is_err());
/// ```
pub fn check_memory(
    what: impl Into<String>,
    estimate_bytes: u64,
    configured: Option<u64>,
) -> Result<()> {
    let limit = memory_limit(configured);
    if estimate_bytes > limit {
        return Err(Error::MemoryLimit {
            what: what.into(),
            estimate_bytes,
            limit_bytes: limit,
        });
    }
    Ok(())
}

/// The memory limit used when none is configured: half of the smallest of the physical memory,
/// the address-space limit and the cgroup limit, or [`FALLBACK_MEMORY_LIMIT`] when none is
/// known. Read once per process.
pub fn default_memory_limit() -> u64 {
    static LIMIT: OnceLock<u64> = OnceLock::new();
    *LIMIT.get_or_init(|| {
        let read = |p: &str| std::fs::read_to_string(p).ok();
        let sources = [
            read("/proc/meminfo").and_then(|s| parse_meminfo(&s)),
            read("/proc/self/limits").and_then(|s| parse_address_limit(&s)),
            read("/sys/fs/cgroup/memory.max").and_then(|s| s.trim().parse::<u64>().ok()),
        ];
        sources
            .into_iter()
            .flatten()
            .min()
            .map_or(FALLBACK_MEMORY_LIMIT, |b| (b / 2).max(1))
    })
}

/// `MemTotal` of `/proc/meminfo`, in bytes.
fn parse_meminfo(text: &str) -> Option<u64> {
    let line = text.lines().find(|l| l.starts_with("MemTotal:"))?;
    let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    kib.checked_mul(1024)
}

/// The soft "Max address space" of `/proc/self/limits`, in bytes; `None` when unlimited.
fn parse_address_limit(text: &str) -> Option<u64> {
    let line = text.lines().find(|l| l.starts_with("Max address space"))?;
    line["Max address space".len()..]
        .split_whitespace()
        .next()?
        .parse()
        .ok()
}

/// Parses a memory size as the CLI and Python accept it: bytes, or a number with a binary
/// suffix `K`, `M`, `G` or `T` (optionally followed by `iB` or `B`): `512M`, `4GiB`, `1.5G`.
///
/// # Errors
/// [`Error::InvalidParameter`] naming `name` for anything else, a zero size or one past
/// `u64::MAX` bytes.
///
/// ```
/// use reachgraph_core::limits::parse_memory_size;
/// assert_eq!(parse_memory_size("memory_limit", "4G").unwrap(), 4 << 30);
/// assert_eq!(parse_memory_size("memory_limit", "1536").unwrap(), 1536);
/// assert!(parse_memory_size("memory_limit", "0").is_err());
/// ```
pub fn parse_memory_size(name: &str, text: &str) -> Result<u64> {
    let bad = || {
        Error::invalid_parameter(
            name,
            text,
            "give a positive size in bytes, or with a suffix K, M, G or T (e.g. 4G)",
        )
    };
    let t = text.trim();
    let t = t
        .strip_suffix("iB")
        .or_else(|| t.strip_suffix('B'))
        .unwrap_or(t);
    let (num, shift) = match t.char_indices().last() {
        Some((i, c)) if c.is_ascii_alphabetic() => {
            let shift = match c.to_ascii_uppercase() {
                'K' => 10,
                'M' => 20,
                'G' => 30,
                'T' => 40,
                _ => return Err(bad()),
            };
            (&t[..i], shift)
        }
        _ => (t, 0),
    };
    let bytes = if let Ok(v) = num.parse::<u64>() {
        v.checked_mul(1u64 << shift).ok_or_else(bad)?
    } else {
        let v: f64 = num.parse().map_err(|_| bad())?;
        let b = v * (1u64 << shift) as f64;
        if !(b.is_finite() && b >= 1.0 && b < u64::MAX as f64) {
            return Err(bad());
        }
        b as u64
    };
    if bytes == 0 {
        return Err(bad());
    }
    Ok(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_name_the_parameter() {
        assert!(check_range("draws", 1u64, 1, MAX_DRAWS).is_ok());
        for v in [0, MAX_DRAWS + 1, u64::MAX] {
            let e = check_range("draws", v, 1, MAX_DRAWS).unwrap_err();
            assert!(
                matches!(&e, Error::InvalidParameter { name, .. } if name == "draws"),
                "{e}"
            );
        }
        assert!(check_unit_range("tolerance", 0.0, MIN_TOLERANCE, 1.0).is_err());
        assert!(check_unit_range("tolerance", f64::NAN, MIN_TOLERANCE, 1.0).is_err());
        assert!(check_unit_range("tolerance", 1.0, MIN_TOLERANCE, 1.0).is_err());
        assert!(check_unit_range("tolerance", 0.01, MIN_TOLERANCE, 1.0).is_ok());
    }

    #[test]
    fn threads_are_bounded_and_pools_capped() {
        assert!(check_threads(None).is_ok());
        assert!(check_threads(Some(MAX_THREADS)).is_ok());
        assert!(check_threads(Some(0)).is_err());
        assert!(check_threads(Some(MAX_THREADS + 1)).is_err());
        assert!(check_threads(Some(usize::MAX)).is_err());
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
        assert_eq!(pool_threads(1), 1);
        assert_eq!(
            pool_threads(10_000),
            (cores * POOL_OVERSUBSCRIPTION).min(10_000)
        );
    }

    #[test]
    fn memory_check_uses_the_configured_or_default_limit() {
        assert!(check_memory("x", 10, Some(10)).is_ok());
        let e = check_memory("x", 11, Some(10)).unwrap_err();
        assert!(matches!(
            e,
            Error::MemoryLimit {
                estimate_bytes: 11,
                limit_bytes: 10,
                ..
            }
        ));
        let d = default_memory_limit();
        assert!(d > 0);
        assert!(check_memory("x", d, None).is_ok());
        assert!(check_memory("x", d + 1, None).is_err());
        assert_eq!(bytes_of(u64::MAX, 2), u64::MAX);
    }

    #[test]
    fn parses_proc_files() {
        let meminfo = "MemTotal:       24576000 kB\nMemFree:  100 kB\n";
        assert_eq!(parse_meminfo(meminfo), Some(24_576_000 * 1024));
        assert_eq!(parse_meminfo("nothing"), None);
        let limits = "Limit                     Soft Limit           Hard Limit           Units\n\
                      Max address space         2147483648           unlimited            bytes\n";
        assert_eq!(parse_address_limit(limits), Some(2_147_483_648));
        let unlimited =
            "Max address space         unlimited            unlimited            bytes\n";
        assert_eq!(parse_address_limit(unlimited), None);
    }

    #[test]
    fn parses_memory_sizes() {
        let p = |s| parse_memory_size("memory_limit", s);
        assert_eq!(p("1024").unwrap(), 1024);
        assert_eq!(p("2K").unwrap(), 2048);
        assert_eq!(p("512MiB").unwrap(), 512 << 20);
        assert_eq!(p("1.5G").unwrap(), 3 << 29);
        assert_eq!(p("1TB").unwrap(), 1 << 40);
        for bad in [
            "",
            "0",
            "-1",
            "G",
            "4X",
            "nan",
            "1e30",
            "18446744073709551615T",
        ] {
            assert!(p(bad).is_err(), "{bad}");
        }
    }

    // The regressions of issue 14 class 2, each through the configuration a front end builds.

    fn named(e: Error, want: &str) -> bool {
        matches!(&e, Error::InvalidParameter { name, .. } if name == want)
    }

    #[test]
    fn every_config_refuses_its_sizing_extremes() {
        use crate::margin::MarginConfig;
        use crate::{EvalConfig, SelectConfig, SpreadConfig};
        let spread = |t| SpreadConfig::builder().trials(t).build().unwrap_err();
        assert!(named(spread(u64::MAX), "trials"));
        assert!(named(spread(MAX_TRIALS + 1), "trials"));
        assert!(SpreadConfig::builder().trials(MAX_TRIALS).build().is_ok());
        let threads = SpreadConfig::builder().threads(10_000).build().unwrap_err();
        assert!(named(threads, "threads"));
        let eval = EvalConfig::builder()
            .rr_sets(usize::MAX)
            .build()
            .unwrap_err();
        assert!(named(eval, "rr_sets"));
        let select = |b: crate::select::SelectConfigBuilder| b.k(2).build().unwrap_err();
        assert!(named(
            select(SelectConfig::builder().epsilon(1e-9)),
            "epsilon"
        ));
        assert!(named(
            select(SelectConfig::builder().tolerance(0.0)),
            "tolerance"
        ));
        assert!(named(
            select(SelectConfig::builder().tolerance(1e-12)),
            "tolerance"
        ));
        let draws = MarginConfig::builder().draws(u64::MAX).build().unwrap_err();
        assert!(named(draws, "draws"));
    }

    #[test]
    fn rr_sampling_refuses_before_allocating() {
        use crate::{Model, NoProgress, RrConfig, RrSampler};
        let g = crate::select::random_graph(50, 200, 0.2, 1);
        let c = RrConfig::builder().build().unwrap();
        let s = RrSampler::new(&g, Model::IndependentCascade, &c).unwrap();
        // Used to ask the allocator for exabytes of job descriptions and abort.
        let e = s.sample(usize::MAX, &NoProgress).unwrap_err();
        assert!(matches!(e, Error::MemoryLimit { .. }), "{e}");
        let c = RrConfig::builder()
            .memory_limit_bytes(1 << 10)
            .build()
            .unwrap();
        let s = RrSampler::new(&g, Model::IndependentCascade, &c).unwrap();
        let e = s.sample(1_000, &NoProgress).unwrap_err();
        assert!(
            matches!(
                e,
                Error::MemoryLimit {
                    limit_bytes: 1024,
                    ..
                }
            ),
            "{e}"
        );
        assert!(s.sample(10, &NoProgress).is_ok());
    }

    #[test]
    fn a_long_rr_chunk_looks_for_cancellation_inside_it() {
        use crate::{Model, Progress, RrConfig, RrSampler};
        use std::sync::atomic::{AtomicU64, Ordering};
        struct Count(AtomicU64);
        impl Progress for Count {
            fn update(&self, _: &str, _: u64, _: u64) -> bool {
                self.0.fetch_add(1, Ordering::Relaxed) < 2
            }
        }
        // Dense, with probability 0.9: nearly every RR set holds most of the 1,500 accounts,
        // so the chunk is long (a chunk of 256 small sets is not looked into: the looks come
        // by members drawn, `rrset::CANCEL_CHECK_WORK`).
        let g = crate::select::random_graph(1_500, 15_000, 0.9, 1);
        let c = RrConfig::builder().threads(1).build().unwrap();
        let s = RrSampler::new(&g, Model::IndependentCascade, &c).unwrap();
        // One chunk of 256 sets: asked at the start and again within the chunk, not only
        // after it; it stops at the first refusal.
        let p = Count(AtomicU64::new(0));
        let e = s
            .sample(crate::rrset::RR_CHUNK_SETS as usize, &p)
            .unwrap_err();
        assert!(matches!(e, Error::Cancelled), "{e}");
        // The start, a poll that goes on, a poll that refuses (a set later, not 255), and
        // the report of the partial chunk; looking only between chunks made it 2.
        assert_eq!(p.0.load(Ordering::Relaxed), 4);
    }

    #[test]
    fn a_pool_never_outgrows_the_cores() {
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
        let pool = crate::exec::build_pool(Some(MAX_THREADS)).unwrap().unwrap();
        assert!(pool.current_num_threads() <= cores * POOL_OVERSUBSCRIPTION);
        assert!(crate::exec::build_pool(Some(MAX_THREADS + 1)).is_err());
    }

    #[test]
    fn stream_chunks_are_bounded() {
        use crate::sketch::{SketchParams, StreamBuilder};
        let text = "a x\nb y\n";
        let read = |chunk: usize, limit: Option<u64>| {
            let mut b = StreamBuilder::new(SketchParams::default()).unwrap();
            b.read_pairs_limited(text.as_bytes(), "t", chunk, limit, &crate::NoProgress)
        };
        // Zero used to be raised silently to 1 KiB; 20 GB used to be allocated for 8 bytes.
        assert!(named(read(0, None).unwrap_err(), "chunk_bytes"));
        assert!(named(read(usize::MAX, None).unwrap_err(), "chunk_bytes"));
        let e = read(1 << 20, Some(1 << 20)).unwrap_err();
        assert!(matches!(e, Error::MemoryLimit { .. }), "{e}");
        assert_eq!(read(1 << 10, None).unwrap(), 2);
    }
}
