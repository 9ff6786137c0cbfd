//! Execution helpers of the parallel kernels: the dedicated thread pool, per-worker scratch
//! reuse and chunked progress with cancellation.

use crate::error::{Error, Result};
use crate::progress::Progress;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Mutex;

/// A dedicated pool of `threads` threads (at most [`crate::limits::pool_threads`]), or `None`
/// to run in the current pool. `threads` is checked as every config checks it.
///
/// # Errors
/// [`Error::InvalidParameter`] for a thread count out of range, or a pool that cannot start.
pub fn build_pool(threads: Option<usize>) -> Result<Option<rayon::ThreadPool>> {
    crate::limits::check_threads(threads)?;
    threads
        .map(|t| {
            rayon::ThreadPoolBuilder::new()
                .num_threads(crate::limits::pool_threads(t))
                .build()
                .map_err(|e| Error::invalid_parameter("threads", t, e.to_string()))
        })
        .transpose()
}

/// A pool of reusable scratch buffers shared by the chunks of a parallel loop, so each worker
/// allocates its `O(n)` buffers once rather than once per chunk.
pub(crate) struct ScratchPool<T> {
    free: Mutex<Vec<T>>,
}

impl<T> ScratchPool<T> {
    pub(crate) fn new() -> Self {
        ScratchPool {
            free: Mutex::new(Vec::new()),
        }
    }
    pub(crate) fn take(&self, make: impl FnOnce() -> T) -> T {
        let got = self.free.lock().ok().and_then(|mut f| f.pop());
        got.unwrap_or_else(make)
    }
    pub(crate) fn give(&self, t: T) {
        if let Ok(mut f) = self.free.lock() {
            f.push(t);
        }
    }
    /// Calls `f` on every buffer given back (none is taken while it runs).
    pub(crate) fn for_each(&self, mut f: impl FnMut(&T)) {
        if let Ok(free) = self.free.lock() {
            free.iter().for_each(&mut f);
        }
    }
}

/// Serialises progress reports of parallel chunks so `done` only grows, and turns a `false`
/// answer into a cancellation flag the chunks check.
pub(crate) struct ChunkProgress<'a> {
    progress: &'a dyn Progress,
    stage: &'static str,
    total: u64,
    done: Mutex<u64>,
    cancelled: AtomicBool,
}

impl<'a> ChunkProgress<'a> {
    pub(crate) fn new(progress: &'a dyn Progress, stage: &'static str, total: u64) -> Self {
        ChunkProgress {
            progress,
            stage,
            total,
            done: Mutex::new(0),
            cancelled: AtomicBool::new(false),
        }
    }
    /// Reports the start; false when cancelled already.
    pub(crate) fn start(&self, done: u64) -> bool {
        if let Ok(mut d) = self.done.lock() {
            *d = done;
        }
        let ok = self.progress.update(self.stage, done, self.total);
        if !ok {
            self.cancelled.store(true, Ordering::Relaxed);
        }
        ok
    }
    pub(crate) fn cancelled(&self) -> bool {
        self.cancelled.load(Ordering::Relaxed)
    }
    /// Asks the progress sink whether to go on, from inside a unit of work (without adding
    /// to `done`); false once cancelled. Lets a long chunk stop in the middle.
    pub(crate) fn poll(&self) -> bool {
        if self.cancelled() {
            return false;
        }
        if let Ok(d) = self.done.try_lock() {
            if !self.progress.update(self.stage, *d, self.total) {
                self.cancelled.store(true, Ordering::Relaxed);
            }
        }
        !self.cancelled()
    }
    pub(crate) fn add(&self, units: u64) {
        if let Ok(mut d) = self.done.lock() {
            *d += units;
            if !self.progress.update(self.stage, *d, self.total) {
                self.cancelled.store(true, Ordering::Relaxed);
            }
        }
    }
}
