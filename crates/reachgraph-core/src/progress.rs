//! Progress reporting and cancellation for long computations.
//!
//! Long kernels (Monte Carlo, RR sampling, overlap matrices, scenario generation) call
//! [`Progress::update`] between chunks of work. Returning `false` cancels the computation, which
//! then returns [`crate::Error::Cancelled`]. The CLI draws a progress bar through it; the Python
//! bindings check for Ctrl-C through it.

/// Receives progress of a long computation and may cancel it.
pub trait Progress: Sync {
    /// `done` of `total` units of `stage` are finished. Return `false` to cancel.
    fn update(&self, stage: &str, done: u64, total: u64) -> bool;
}

/// A [`Progress`] that ignores updates and never cancels.
#[derive(Debug, Clone, Copy, Default)]
pub struct NoProgress;

impl Progress for NoProgress {
    fn update(&self, _stage: &str, _done: u64, _total: u64) -> bool {
        true
    }
}

impl<F: Fn(&str, u64, u64) -> bool + Sync> Progress for F {
    fn update(&self, stage: &str, done: u64, total: u64) -> bool {
        self(stage, done, total)
    }
}
