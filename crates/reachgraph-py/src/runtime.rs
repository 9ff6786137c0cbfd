//! Running heavy work without the GIL, on a chosen number of threads, stoppable with Ctrl-C.
//!
//! The work runs on a helper thread with the GIL released. The calling thread (the one Python
//! delivers signals to) waits for it and, every few milliseconds, checks for Ctrl-C and reports
//! progress to an optional Python callback. A pending signal or a callback that raises sets a
//! cancel flag, which the work sees through its [`Progress`] and stops with `Cancelled`; the
//! Python exception (KeyboardInterrupt, or the callback's own) is then raised.

use pyo3::prelude::*;
use reachgraph_core::Progress;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{mpsc, Mutex};
use std::time::Duration;

struct Shared {
    cancel: AtomicBool,
    latest: Mutex<Option<(String, u64, u64)>>,
}

impl Progress for Shared {
    fn update(&self, stage: &str, done: u64, total: u64) -> bool {
        if let Ok(mut l) = self.latest.lock() {
            *l = Some((stage.to_string(), done, total));
        }
        !self.cancel.load(Ordering::Relaxed)
    }
}

fn pool(threads: Option<usize>) -> PyResult<Option<rayon::ThreadPool>> {
    // The core's pool, so that `threads=0` fails here as it does in a JSON request.
    reachgraph_core::build_pool(threads).map_err(crate::error::core_err)
}

/// Runs `work` with the GIL released, on `threads` threads (the global pool when `None`).
///
/// `work` returns the core's errors as `PyErr` already converted. Panics inside `work` become a
/// `ReachgraphError` rather than crashing the interpreter.
pub fn run<T, F>(
    py: Python<'_>,
    threads: Option<usize>,
    callback: Option<Py<PyAny>>,
    work: F,
) -> PyResult<T>
where
    T: Send,
    F: FnOnce(&dyn Progress) -> PyResult<T> + Send,
{
    let pool = pool(threads)?;
    let shared = Shared {
        cancel: AtomicBool::new(false),
        latest: Mutex::new(None),
    };
    let mut interrupt: Option<PyErr> = None;
    let result = py.detach(|| {
        std::thread::scope(|s| {
            let (tx, rx) = mpsc::channel();
            let shared_ref = &shared;
            s.spawn(move || {
                let job = move || {
                    std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| work(shared_ref)))
                };
                let out = match &pool {
                    Some(p) => p.install(job),
                    None => job(),
                };
                let _ = tx.send(out);
            });
            let mut last: Option<(String, u64, u64)> = None;
            loop {
                match rx.recv_timeout(Duration::from_millis(20)) {
                    Ok(out) => return out,
                    Err(mpsc::RecvTimeoutError::Disconnected) => {
                        return Err(Box::new("worker thread ended without a result")
                            as Box<dyn std::any::Any + Send>)
                    }
                    Err(mpsc::RecvTimeoutError::Timeout) => {}
                }
                if interrupt.is_some() {
                    continue;
                }
                let now = shared.latest.lock().ok().and_then(|l| l.clone());
                Python::attach(|py| {
                    if let Err(e) = py.check_signals() {
                        interrupt = Some(e);
                    } else if let (Some(cb), Some(n)) = (&callback, &now) {
                        if last.as_ref() != Some(n) {
                            if let Err(e) = cb.call1(py, (n.0.as_str(), n.1, n.2)) {
                                interrupt = Some(e);
                            }
                        }
                    }
                });
                if interrupt.is_some() {
                    shared.cancel.store(true, Ordering::Relaxed);
                }
                last = now;
            }
        })
    });
    match result {
        Ok(r) => match interrupt {
            // Ctrl-C or a raising callback wins even over work that finished before it noticed
            // the cancel flag: the user asked to stop, and Python would raise at its next check.
            Some(e) => Err(e),
            None => r,
        },
        Err(panic) => {
            let msg = panic
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| panic.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "unknown panic".into());
            Err(crate::error::ReachgraphError::new_err(format!(
                "internal error (please report): {msg}"
            )))
        }
    }
}

/// Runs short work with the GIL released, in the calling thread (no polling: for calls that
/// take microseconds to milliseconds, where a helper thread would cost more than the work).
pub fn quick<T, F>(py: Python<'_>, work: F) -> PyResult<T>
where
    T: Send,
    F: FnOnce() -> PyResult<T> + Send,
{
    py.detach(|| {
        std::panic::catch_unwind(std::panic::AssertUnwindSafe(work)).unwrap_or_else(|_| {
            Err(crate::error::ReachgraphError::new_err(
                "internal error (please report): panic in reachgraph",
            ))
        })
    })
}
