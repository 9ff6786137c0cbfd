//! Requests answered by the ranks of a distributed run (`reachgraph … --distributed` under
//! `mpirun`); see `docs/distributed.md`.
//!
//! Every rank loads the graph itself and answers the same request on its share of the RR sets
//! or trials; every rank gets the same response, equal to [`crate::run`]'s apart from timing
//! and memory fields, and the CLI prints it on rank 0 only.

use crate::{run_spread_with, select_api, versioned, ApiError, Request, Response, Result};
use reachgraph_core::comm::{agree, Comm, CommStats, Timed};
use reachgraph_core::select;
use reachgraph_core::Progress;
use std::cell::Cell;

/// Whether this build can run on MPI (`--features mpi`).
pub const MPI_ENABLED: bool = cfg!(feature = "mpi");

/// The error of `--distributed` in a build without MPI.
pub fn built_without_mpi() -> ApiError {
    ApiError::BuiltWithoutMpi
}

/// Answers `request` on the ranks of `comm`: `select`, `spread` and `margin` requests.
///
/// # Errors
/// [`ApiError`] of kind `invalid_request` for a request type that does not run distributed;
/// otherwise as [`crate::run`], plus `rank_failed`, `rank_mismatch` and `communication`
/// (every rank returns an error when one fails).
pub fn run_distributed(
    request: &Request,
    progress: &dyn Progress,
    comm: &dyn Comm,
) -> Result<Response> {
    run_distributed_stats(request, progress, comm).map(|(r, _)| r)
}

/// [`run_distributed`], with the time and volume of this rank's collectives.
///
/// # Errors
/// As [`run_distributed`].
pub fn run_distributed_stats(
    request: &Request,
    progress: &dyn Progress,
    comm: &dyn Comm,
) -> Result<(Response, CommStats)> {
    let timed = Timed::new(comm);
    let gate = Gate {
        inner: &timed,
        open: Cell::new(false),
    };
    let greedy = Cell::new(None);
    // The same provenance as a single-process run of this request (`crate::run`).
    crate::provenance::begin(crate::request_to_json(request));
    let answered = answer(request, progress, &gate, &greedy);
    crate::provenance::end();
    let r = match answered {
        // Failed before talking to the others (a file missing on this rank's machine): meet
        // them at the gate, so they stop with this error instead of waiting.
        Err(e) if !gate.open.get() => {
            reachgraph_core::comm::report_failure(comm, e.kind(), &e.to_string())?;
            Err(e)
        }
        other => other,
    }?;
    let mut stats = timed.stats();
    if let Some(g) = greedy.get() {
        let g: CommStats = g;
        (stats.greedy_rounds, stats.greedy_seconds) = (g.greedy_rounds, g.greedy_seconds);
    }
    Ok((r, stats))
}

/// A comm whose first collective on each rank is an [`agree`]: ranks that fail before any
/// collective join it with their error (see [`run_distributed`]).
struct Gate<'a> {
    inner: &'a dyn Comm,
    open: Cell<bool>,
}

impl Gate<'_> {
    fn pass(&self) -> reachgraph_core::Result<()> {
        if !self.open.replace(true) {
            agree(self.inner, Ok(()))?;
        }
        Ok(())
    }
}

impl Comm for Gate<'_> {
    fn rank(&self) -> usize {
        self.inner.rank()
    }
    fn size(&self) -> usize {
        self.inner.size()
    }
    fn all_reduce_sum_u64(&self, data: &mut [u64]) -> reachgraph_core::Result<()> {
        self.pass()?;
        self.inner.all_reduce_sum_u64(data)
    }
    fn all_reduce_sum_i64(&self, data: &mut [i64]) -> reachgraph_core::Result<()> {
        self.pass()?;
        self.inner.all_reduce_sum_i64(data)
    }
    fn all_reduce_max_u64(&self, data: &mut [u64]) -> reachgraph_core::Result<()> {
        self.pass()?;
        self.inner.all_reduce_max_u64(data)
    }
    fn broadcast_bytes(&self, root: usize, data: &mut [u8]) -> reachgraph_core::Result<()> {
        self.pass()?;
        self.inner.broadcast_bytes(root, data)
    }
    fn barrier(&self) -> reachgraph_core::Result<()> {
        self.pass()?;
        self.inner.barrier()
    }
}

fn answer(
    request: &Request,
    progress: &dyn Progress,
    comm: &dyn Comm,
    greedy: &Cell<Option<CommStats>>,
) -> Result<Response> {
    match request {
        Request::Select(r) => select_api::run_select_with(r, progress, &|g, model, config, p| {
            let (s, stats) = select::select_distributed_stats(g, model, config, p, comm)?;
            greedy.set(Some(stats));
            Ok(s)
        })
        .map(|b| Response::Select(Box::new(versioned(b)))),
        Request::Spread(r) => {
            run_spread_with(r, progress, comm).map(|b| Response::Spread(versioned(b)))
        }
        Request::Margin(r) => crate::margin::run_margin_on(r, progress, comm)
            .map(|b| Response::Margin(Box::new(versioned(b)))),
        other => Err(ApiError::invalid(format!(
            "{} requests do not run distributed; only select, spread and margin do",
            request_type(other)
        ))),
    }
}

fn request_type(r: &Request) -> String {
    serde_json::to_value(r)
        .ok()
        .and_then(|v| v.get("type").and_then(|t| t.as_str()).map(String::from))
        .unwrap_or_else(|| "these".into())
}
