//! `--distributed`: joins the MPI job this process was started in and answers on its ranks.

use crate::progress::Bar;
use crate::CliError;
use reachgraph_api::{Request, Response};

/// Answers `req` on the ranks of the MPI job this process belongs to (one rank without a
/// launcher); `None` on ranks other than 0.
#[cfg(feature = "mpi")]
pub fn run_mpi(req: &Request, bar: &Bar) -> Result<Option<Response>, CliError> {
    use reachgraph_api::ApiError;
    use reachgraph_core::comm::{Comm, Mpi, DEFAULT_TIMEOUT};
    let timeout = match std::env::var("REACHGRAPH_COMM_TIMEOUT_S") {
        Err(_) => DEFAULT_TIMEOUT,
        Ok(v) => match v.parse::<f64>() {
            Ok(s) if s > 0.0 && s.is_finite() => std::time::Duration::from_secs_f64(s),
            _ => {
                return Err(ApiError::invalid(format!(
                    "REACHGRAPH_COMM_TIMEOUT_S = {v:?}: give a number of seconds > 0"
                ))
                .into())
            }
        },
    };
    let mpi = Mpi::init(timeout).map_err(ApiError::from)?;
    let (rank, size) = (mpi.rank(), mpi.size());
    let quiet = reachgraph_core::NoProgress;
    let progress: &dyn reachgraph_core::Progress = if rank == 0 { bar } else { &quiet };
    match reachgraph_api::distributed::run_distributed_stats(req, progress, &mpi) {
        Ok((resp, stats)) => {
            if rank == 0 && !bar.is_quiet() {
                bar.finish();
                let per_round = if stats.greedy_rounds > 0 {
                    format!(
                        "; {} greedy rounds, {:.3} s ({:.2} ms per round)",
                        stats.greedy_rounds,
                        stats.greedy_seconds,
                        1e3 * stats.greedy_seconds / stats.greedy_rounds as f64
                    )
                } else {
                    String::new()
                };
                crate::report_line(&format!(
                    "reachgraph: {size} ranks; rank 0: {} collectives, {} bytes sent, {:.3} s in \
                     collectives{per_round}",
                    stats.collectives, stats.bytes, stats.seconds
                ));
            }
            Ok((rank == 0).then_some(resp))
        }
        Err(e) => {
            bar.finish();
            crate::report_line(&format!("reachgraph: error: rank {rank} of {size}: {e}"));
            if e.kind() == "communication" {
                // Other ranks may be stuck in a collective: end the whole job.
                mpi.abort(2);
            }
            // The ranks agreed on the failure; each reports it before any exits, since mpirun
            // ends the job (and the ranks' unwritten reports) when the first one exits non-zero.
            let _ = mpi.barrier();
            Err(CliError::Reported)
        }
    }
}

/// Without MPI, `--distributed` is a clear error.
#[cfg(not(feature = "mpi"))]
pub fn run_mpi(_: &Request, _: &Bar) -> Result<Option<Response>, CliError> {
    Err(reachgraph_api::distributed::built_without_mpi().into())
}
