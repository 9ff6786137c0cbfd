//! [`Comm`] over MPI (the `mpi` crate), with a deadline on every collective.
//!
//! Collectives are MPI's non-blocking ones (`MPI_Iallreduce`, `MPI_Ibcast`, `MPI_Ibarrier`)
//! polled until they complete or the timeout passes. Their buffers are heap copies handed to
//! MPI for the whole operation (a [`Lent`] buffer): on completion they are copied back and
//! freed; on a timeout they are deliberately leaked (MPI may still write to them), the request
//! is abandoned and the call returns [`Error::Communication`]. After such an error the caller
//! should end the run with [`Mpi::abort`], which stops every rank.

use super::Comm;
use crate::error::{Error, Result};
use mpi::collective::SystemOperation;
use mpi::datatype::Equivalence;
use mpi::environment::{Threading, Universe};
use mpi::request::{Request, StaticScope};
use mpi::topology::SimpleCommunicator;
use mpi::traits::*;
use std::time::{Duration, Instant};

/// A heap buffer lent to one non-blocking MPI operation for as long as MPI needs it.
///
/// The buffer is owned through the pointer `Box::into_raw` returned, and the `'static`
/// reference MPI gets is derived from that pointer, so freeing it afterwards goes through the
/// original unique pointer, not through a reference MPI was given. Dropping a `Lent` without
/// [`Lent::reclaim`] leaks the buffer: that is what a timed-out operation needs.
struct Lent<T> {
    ptr: *mut [T],
    lent: bool,
}

impl<T> Lent<T> {
    fn new(data: Box<[T]>) -> Self {
        Lent {
            ptr: Box::into_raw(data),
            lent: false,
        }
    }

    /// The buffer, for handing to one MPI operation.
    ///
    /// # Safety
    /// Call at most once, and use the returned reference only for that operation: it is the
    /// only access to the buffer until [`Lent::reclaim`] or forever (a leak).
    unsafe fn lend(&mut self) -> &'static mut [T] {
        debug_assert!(!self.lent, "a buffer lent twice");
        self.lent = true;
        // SAFETY: `ptr` came from `Box::into_raw`, so it is valid and aligned for the rest of
        // the program unless reclaimed; the caller makes this the only reference.
        unsafe { &mut *self.ptr }
    }

    /// Takes the buffer back.
    ///
    /// # Safety
    /// The operation it was lent to has completed and its request is gone, so no reference
    /// from [`Lent::lend`] is used again and MPI no longer accesses the memory.
    unsafe fn reclaim(self) -> Box<[T]> {
        debug_assert!(self.lent, "reclaiming a buffer that was never lent");
        // SAFETY: `ptr` came from `Box::into_raw` and is freed only here (`self` is consumed);
        // the caller ends every use of the lent reference first.
        unsafe { Box::from_raw(self.ptr) }
    }
}

/// The MPI world communicator of this process. Create one per process with [`Mpi::init`];
/// MPI is finalized when it is dropped.
pub struct Mpi {
    world: SimpleCommunicator,
    timeout: Duration,
    // Dropped last: finalizes MPI.
    _universe: Universe,
}

impl std::fmt::Debug for Mpi {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Mpi")
            .field("rank", &self.rank())
            .field("size", &self.size())
            .field("timeout", &self.timeout)
            .finish()
    }
}

impl Mpi {
    /// Initializes MPI (only the calling thread makes MPI calls; rayon's threads do not).
    /// Without a launcher this is a single-rank world (MPI's singleton mode).
    ///
    /// # Errors
    /// [`Error::Communication`] when MPI was already initialized in this process or does not
    /// provide the thread level.
    pub fn init(timeout: Duration) -> Result<Mpi> {
        let fail = |reason: &str| Error::Communication {
            operation: "init".into(),
            rank: 0,
            reason: reason.into(),
        };
        let (universe, level) = mpi::initialize_with_threading(Threading::Funneled)
            .ok_or_else(|| fail("MPI was already initialized in this process"))?;
        if level < Threading::Funneled {
            return Err(fail("the MPI library does not support MPI_THREAD_FUNNELED"));
        }
        let world = universe.world();
        Ok(Mpi {
            world,
            timeout,
            _universe: universe,
        })
    }

    /// Ends the whole run (every rank) with `code`, as `MPI_Abort`. For use after a
    /// communication error, when the other ranks may be waiting in a collective.
    pub fn abort(&self, code: i32) -> ! {
        self.world.abort(code)
    }

    /// The processor name MPI reports for this rank.
    pub fn processor_name(&self) -> String {
        mpi::environment::processor_name().unwrap_or_else(|_| "unknown".into())
    }

    /// Polls `req` until it completes or the timeout passes. `Ok` means the operation
    /// completed and the request was consumed: its buffers may be reclaimed.
    fn wait<D: ?Sized>(
        &self,
        operation: &str,
        mut req: Request<'static, D, StaticScope>,
    ) -> Result<()> {
        let start = Instant::now();
        let mut pause = Duration::from_micros(5);
        loop {
            match req.test() {
                Ok(_) => return Ok(()),
                Err(r) => req = r,
            }
            if start.elapsed() > self.timeout {
                // The buffers stay leaked and the request is abandoned: the caller aborts.
                std::mem::forget(req);
                return Err(Error::Communication {
                    operation: operation.into(),
                    rank: self.rank(),
                    reason: format!(
                        "the other ranks did not complete it within {:.0} s (a rank failed, \
                         hangs, or is much slower); raise the timeout or check the other \
                         ranks' messages",
                        self.timeout.as_secs_f64()
                    ),
                });
            }
            std::thread::sleep(pause);
            pause = (pause * 2).min(Duration::from_millis(2));
        }
    }

    fn all_reduce<T: Equivalence + Copy + Default + 'static>(
        &self,
        data: &mut [T],
        op: SystemOperation,
    ) -> Result<()> {
        if self.size() == 1 || data.is_empty() {
            return Ok(());
        }
        let mut send = Lent::new(Box::<[T]>::from(&*data));
        let mut recv = Lent::new(vec![T::default(); data.len()].into_boxed_slice());
        // SAFETY: each buffer is lent once, to this operation only.
        let (s, r) = unsafe { (send.lend(), recv.lend()) };
        let req = self
            .world
            .immediate_all_reduce_into(StaticScope, &*s, r, op);
        self.wait("all-reduce", req)?;
        // SAFETY: `wait` returned `Ok`: the operation completed and consumed its request,
        // the only holder of the lent references.
        let (send, recv) = unsafe { (send.reclaim(), recv.reclaim()) };
        debug_assert_eq!(recv.len(), data.len());
        data.copy_from_slice(&recv);
        drop(send);
        Ok(())
    }
}

impl Comm for Mpi {
    fn rank(&self) -> usize {
        self.world.rank() as usize
    }
    fn size(&self) -> usize {
        self.world.size() as usize
    }
    fn all_reduce_sum_u64(&self, data: &mut [u64]) -> Result<()> {
        self.all_reduce(data, SystemOperation::sum())
    }
    fn all_reduce_sum_i64(&self, data: &mut [i64]) -> Result<()> {
        self.all_reduce(data, SystemOperation::sum())
    }
    fn all_reduce_max_u64(&self, data: &mut [u64]) -> Result<()> {
        self.all_reduce(data, SystemOperation::max())
    }
    fn broadcast_bytes(&self, root: usize, data: &mut [u8]) -> Result<()> {
        if root >= self.size() {
            return Err(Error::Communication {
                operation: "broadcast".into(),
                rank: self.rank(),
                reason: format!("root {root} is not a rank of {}", self.size()),
            });
        }
        if self.size() == 1 || data.is_empty() {
            return Ok(());
        }
        let mut buf = Lent::new(Box::<[u8]>::from(&*data));
        // SAFETY: the buffer is lent once, to this operation only.
        let b = unsafe { buf.lend() };
        let req = self
            .world
            .process_at_rank(root as i32)
            .immediate_broadcast_into(StaticScope, b);
        self.wait("broadcast", req)?;
        // SAFETY: `wait` returned `Ok`: the operation completed and consumed its request,
        // the only holder of the lent reference.
        let buf = unsafe { buf.reclaim() };
        debug_assert_eq!(buf.len(), data.len());
        data.copy_from_slice(&buf);
        Ok(())
    }
    fn barrier(&self) -> Result<()> {
        if self.size() == 1 {
            return Ok(());
        }
        self.wait("barrier", self.world.immediate_barrier())
    }
}
