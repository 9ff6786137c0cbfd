//! Communication between the ranks of a distributed run.
//!
//! Distributed selection ([`crate::select::select_distributed`]), Monte Carlo spread
//! ([`crate::cascade::simulate_distributed`]) and margin draws
//! ([`crate::margin::Simulation::run_distributed`]) need only a few collectives: an element-wise
//! sum of integer count vectors, a maximum of small integer vectors, a broadcast of bytes and a
//! barrier. [`Comm`] is that set. Three implementations:
//! - [`Local`]: one rank, every collective a no-op; a distributed call on it is the
//!   single-process run;
//! - [`Threads`]: ranks as threads of one process (for tests and for checking that a result
//!   does not depend on the number of ranks without an MPI launcher);
//! - `Mpi` (cargo feature `mpi`): MPI through the `mpi` crate, for `mpirun`.
//!
//! Every collective returns a [`Result`]: a rank that leaves, or a collective that does not
//! complete within the timeout, is an [`Error::Communication`], never a hang or a panic.
//! [`agree`] turns one rank's failure into an error on every rank ([`Error::RankFailed`]), and
//! [`check_same`] compares checksums of the inputs ([`Error::RankMismatch`]).
//!
//! Floating-point values are never summed across ranks: ranks reduce integers, or send their
//! per-chunk partials ([`all_gather_bytes`]) for every rank to combine in chunk order, so a
//! result does not depend on the number of ranks.

use crate::error::{Error, Result};
use crate::graph::Graph;
use crate::rng::splitmix64;
use crate::weights::WeightScheme;
use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, Instant};

#[cfg(feature = "mpi")]
mod mpi_comm;
#[cfg(feature = "mpi")]
pub use mpi_comm::Mpi;

/// Default time a rank waits for the others in one collective before giving up.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(600);

/// The collectives a distributed algorithm uses. All ranks must call the same collectives in
/// the same order with buffers of the same length.
pub trait Comm {
    /// This rank, in `0..size()`.
    fn rank(&self) -> usize;
    /// Number of ranks.
    fn size(&self) -> usize;
    /// Element-wise sum over ranks, in place on every rank.
    ///
    /// # Errors
    /// [`Error::Communication`] when a rank left or the collective timed out.
    fn all_reduce_sum_u64(&self, data: &mut [u64]) -> Result<()>;
    /// Element-wise sum over ranks of signed counts, in place on every rank.
    ///
    /// # Errors
    /// As [`Comm::all_reduce_sum_u64`].
    fn all_reduce_sum_i64(&self, data: &mut [i64]) -> Result<()>;
    /// Element-wise maximum over ranks, in place on every rank.
    ///
    /// # Errors
    /// As [`Comm::all_reduce_sum_u64`].
    fn all_reduce_max_u64(&self, data: &mut [u64]) -> Result<()>;
    /// Copies `data` of rank `root` to every rank (all ranks pass buffers of the same length).
    ///
    /// # Errors
    /// As [`Comm::all_reduce_sum_u64`].
    fn broadcast_bytes(&self, root: usize, data: &mut [u8]) -> Result<()>;
    /// Waits until every rank has arrived.
    ///
    /// # Errors
    /// As [`Comm::all_reduce_sum_u64`].
    fn barrier(&self) -> Result<()>;
}

/// The comm of a single-process run: rank 0 of 1; every collective returns its input.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Local;

impl Comm for Local {
    fn rank(&self) -> usize {
        0
    }
    fn size(&self) -> usize {
        1
    }
    fn all_reduce_sum_u64(&self, _: &mut [u64]) -> Result<()> {
        Ok(())
    }
    fn all_reduce_sum_i64(&self, _: &mut [i64]) -> Result<()> {
        Ok(())
    }
    fn all_reduce_max_u64(&self, _: &mut [u64]) -> Result<()> {
        Ok(())
    }
    fn broadcast_bytes(&self, _: usize, _: &mut [u8]) -> Result<()> {
        Ok(())
    }
    fn barrier(&self) -> Result<()> {
        Ok(())
    }
}

/// The part of `0..len` that rank `rank` of `size` owns when `len` units are split into
/// contiguous blocks (the first `len % size` ranks get one more).
pub fn block(len: u64, rank: usize, size: usize) -> std::ops::Range<u64> {
    let (size, rank) = (size.max(1) as u64, rank as u64);
    let (q, r) = (len / size, len % size);
    let lo = rank * q + rank.min(r);
    lo..lo + q + u64::from(rank < r)
}

/// The positions of `start..end` this rank owns when the chunks of `chunk` positions that
/// meet the range are split into contiguous blocks of chunks over the ranks. The union over
/// ranks is the whole range, and which rank owns a position depends only on its chunk index.
pub fn chunk_share(start: u64, end: u64, chunk: u64, comm: &dyn Comm) -> std::ops::Range<u64> {
    if end <= start {
        return start..start;
    }
    let (first, last) = (start / chunk, end.div_ceil(chunk));
    let b = block(last - first, comm.rank(), comm.size());
    let lo = ((first + b.start) * chunk).clamp(start, end);
    let hi = ((first + b.end) * chunk).clamp(start, end);
    lo..hi.max(lo)
}

/// Every rank's `x`, in rank order.
///
/// # Errors
/// As [`Comm::all_reduce_sum_u64`].
pub fn all_gather_u64(comm: &dyn Comm, x: u64) -> Result<Vec<u64>> {
    let mut v = vec![0u64; comm.size()];
    v[comm.rank()] = x;
    comm.all_reduce_sum_u64(&mut v)?;
    Ok(v)
}

/// Every rank's bytes, in rank order (lengths first, then one broadcast per rank). For small
/// results: per-chunk partials that every rank combines in chunk order.
///
/// # Errors
/// As [`Comm::all_reduce_sum_u64`].
pub fn all_gather_bytes(comm: &dyn Comm, data: &[u8]) -> Result<Vec<Vec<u8>>> {
    let lens = all_gather_u64(comm, data.len() as u64)?;
    let mut out = Vec::with_capacity(lens.len());
    for (r, &len) in lens.iter().enumerate() {
        let mut buf = if r == comm.rank() {
            data.to_vec()
        } else {
            vec![0u8; len as usize]
        };
        if comm.size() > 1 {
            comm.broadcast_bytes(r, &mut buf)?;
        }
        out.push(buf);
    }
    Ok(out)
}

/// Little-endian `u64` words of a byte buffer, for decoding what another rank sent.
pub(crate) struct Words<'a>(std::slice::ChunksExact<'a, u8>);

impl<'a> Words<'a> {
    pub(crate) fn new(bytes: &'a [u8]) -> Self {
        Words(bytes.chunks_exact(8))
    }
    /// The next word as an `f64`.
    pub(crate) fn f64(&mut self) -> Option<f64> {
        self.next().map(f64::from_bits)
    }
    /// A length-prefixed vector.
    pub(crate) fn vec<T>(&mut self, f: impl Fn(&mut Self) -> Option<T>) -> Option<Vec<T>> {
        let len = usize::try_from(self.next()?).ok()?;
        (0..len).map(|_| f(self)).collect()
    }
}

impl Iterator for Words<'_> {
    type Item = u64;
    fn next(&mut self) -> Option<u64> {
        let w = self.0.next()?;
        Some(u64::from_le_bytes(w.try_into().ok()?))
    }
}

/// Appends `x` as a little-endian word.
pub(crate) fn put(out: &mut Vec<u8>, x: u64) {
    out.extend_from_slice(&x.to_le_bytes());
}

/// Appends a length-prefixed vector of words.
pub(crate) fn put_all(out: &mut Vec<u8>, xs: impl ExactSizeIterator<Item = u64>) {
    put(out, xs.len() as u64);
    for x in xs {
        put(out, x);
    }
}

/// The parts of every rank, in rank order: with contiguous blocks of chunks per rank
/// ([`block`]), that is chunk order. Each rank keeps its own parts on one rank.
///
/// # Errors
/// [`Error::Communication`] for a failed collective or parts that do not decode.
pub(crate) fn exchange_parts<T>(
    comm: &dyn Comm,
    local: Vec<T>,
    encode: impl Fn(&T, &mut Vec<u8>),
    decode: impl Fn(&mut Words<'_>) -> Option<T>,
) -> Result<Vec<T>> {
    if comm.size() == 1 {
        return Ok(local);
    }
    let mut bytes = Vec::new();
    for part in &local {
        encode(part, &mut bytes);
    }
    drop(local);
    let mut out = Vec::new();
    for (rank, b) in all_gather_bytes(comm, &bytes)?.iter().enumerate() {
        let mut words = Words::new(b);
        while words.0.len() > 0 {
            out.push(decode(&mut words).ok_or_else(|| Error::Communication {
                operation: "gather".into(),
                rank: comm.rank(),
                reason: format!("rank {rank} sent parts that do not decode"),
            })?);
        }
    }
    Ok(out)
}

/// Makes one rank's failure every rank's: each rank passes the outcome of its part of a phase;
/// when any failed, the first failing rank sends its error (kind and message) to all, which
/// return [`Error::RankFailed`] (a failing rank returns its own error). One small all-reduce
/// when all succeeded.
///
/// # Errors
/// The local error, [`Error::RankFailed`], or a communication error.
pub fn agree<T>(comm: &dyn Comm, local: Result<T>) -> Result<T> {
    if comm.size() == 1 {
        return local;
    }
    let mine = local.as_ref().err().map(|e| (e.kind(), e.to_string()));
    match first_failure(comm, mine.as_ref().map(|(k, m)| (*k, m.as_str())))? {
        None => local,
        Some(failed) => local.and(Err(failed)),
    }
}

/// The failing side of [`agree`] for an error that is not an [`Error`] (e.g. the API's):
/// tells the other ranks, which are in [`agree`], that this rank failed with `kind` and
/// `message`.
///
/// # Errors
/// A communication error; otherwise returns `Ok` once the others were told.
pub fn report_failure(comm: &dyn Comm, kind: &str, message: &str) -> Result<()> {
    if comm.size() > 1 {
        first_failure(comm, Some((kind, message)))?;
    }
    Ok(())
}

/// The first failing rank's error as [`Error::RankFailed`], if any rank failed.
fn first_failure(comm: &dyn Comm, mine: Option<(&str, &str)>) -> Result<Option<Error>> {
    let failed = all_gather_u64(comm, u64::from(mine.is_some()))?;
    let Some(first) = failed.iter().position(|&f| f != 0) else {
        return Ok(None);
    };
    let mut text = match mine {
        Some((kind, message)) if comm.rank() == first => format!("{kind}\n{message}").into_bytes(),
        _ => Vec::new(),
    };
    let len = all_gather_u64(comm, text.len() as u64)?[first];
    text.resize(len as usize, 0);
    comm.broadcast_bytes(first, &mut text)?;
    let text = String::from_utf8_lossy(&text);
    let (kind, message) = text.split_once('\n').unwrap_or(("unknown", &text));
    Ok(Some(Error::RankFailed {
        rank: first,
        kind: kind.to_string(),
        message: message.to_string(),
    }))
}

/// Checks that every rank holds the same `what` (e.g. `"graph"`) by its checksum; the first
/// rank that differs from rank 0 is named on every rank.
///
/// # Errors
/// [`Error::RankMismatch`], or a communication error.
pub fn check_same(comm: &dyn Comm, what: &str, checksum: u64) -> Result<()> {
    let all = all_gather_u64(comm, checksum)?;
    match all.iter().position(|&c| c != all[0]) {
        None => Ok(()),
        Some(rank) => Err(Error::RankMismatch {
            what: what.to_string(),
            rank,
            found: all[rank],
            expected: all[0],
        }),
    }
}

/// A 64-bit checksum of a stream of words (splitmix64-mixed, order-sensitive).
#[derive(Debug, Clone, Copy)]
pub struct Checksum(u64);

impl Default for Checksum {
    fn default() -> Self {
        Checksum(0x0C0F_FEE0_D15C_0DE5)
    }
}

impl Checksum {
    /// Adds one word.
    #[inline]
    pub fn word(&mut self, x: u64) {
        self.0 = splitmix64(self.0 ^ x).rotate_left(17);
    }
    /// Adds a length and then the words.
    pub fn words(&mut self, xs: impl ExactSizeIterator<Item = u64>) {
        self.word(xs.len() as u64);
        for x in xs {
            self.word(x);
        }
    }
    /// Adds a string's bytes.
    pub fn text(&mut self, s: &str) {
        self.words(s.bytes().map(u64::from));
    }
    /// The checksum.
    pub fn value(self) -> u64 {
        self.0
    }
}

/// A checksum of everything of `graph` that a result depends on: both CSR directions with
/// their probabilities, people, target weights, jurisdictions and costs.
///
/// # Complexity
/// O(n + m).
pub fn graph_checksum(graph: &Graph) -> u64 {
    let mut h = Checksum::default();
    out_topology(&mut h, graph);
    let topo = graph.topology();
    // The probabilities are streamed: a graph that does not hold them is not made to. As
    // `words`: the length, then each value (the same however the pieces fall).
    h.word(graph.edge_count() as u64);
    graph.visit_out_probabilities(|p| p.iter().for_each(|&p| h.word(u64::from(p.to_bits()))));
    h.words(topo.in_offsets().iter().map(|&o| o as u64));
    h.words(topo.in_sources().iter().map(|&v| u64::from(v)));
    h.word(graph.edge_count() as u64);
    graph.visit_in_probabilities(|p| p.iter().for_each(|&p| h.word(u64::from(p.to_bits()))));
    people_and_attributes(&mut h, graph);
    h.value()
}

/// A checksum of the same things as [`graph_checksum`], read from the out-edges only: they
/// and their probabilities determine the in-edges. Under weighted cascade and constants the
/// probabilities are a function of the topology, so the scheme is hashed instead of every
/// edge's value. Lighter at scale: no pass over the in-edge arrays (at a billion edges, 5 GB
/// of the mapped file) and no probability computed. Not equal to [`graph_checksum`].
///
/// # Complexity
/// O(n + m), sequential reads only.
pub(crate) fn forward_checksum(graph: &Graph) -> u64 {
    let mut h = Checksum::default();
    h.text("out-edges");
    out_topology(&mut h, graph);
    match graph.weight_scheme() {
        s @ (WeightScheme::WeightedCascade | WeightScheme::Constant { .. }) => {
            h.text(&format!("{s:?}"));
        }
        _ => {
            h.word(graph.edge_count() as u64);
            graph.visit_out_probabilities(|p| {
                p.iter().for_each(|&p| h.word(u64::from(p.to_bits())));
            });
        }
    }
    people_and_attributes(&mut h, graph);
    h.value()
}

/// Adds the account count and the out-edge CSR of `graph` to `h`.
fn out_topology(h: &mut Checksum, graph: &Graph) {
    h.word(graph.node_count() as u64);
    let topo = graph.topology();
    h.words(topo.out_offsets().iter().map(|&o| o as u64));
    h.words(topo.out_targets().iter().map(|&v| u64::from(v)));
}

/// Adds the people, target weights, jurisdictions and costs of `graph` to `h`.
fn people_and_attributes(h: &mut Checksum, graph: &Graph) {
    let people = graph.people();
    h.words(people.of_account.iter().map(|&p| u64::from(p)));
    h.words(people.weight.iter().map(|&w| u64::from(w.to_bits())));
    h.words(people.jurisdiction.iter().map(|&j| u64::from(j)));
    let attrs = graph.attributes();
    h.words(attrs.cost.iter().map(|c| c.to_bits()));
    for name in &attrs.jurisdiction.names {
        h.text(name);
    }
}

/// Checks that every rank loaded the same graph and the same configuration (`config`, any
/// text that fixes the result, e.g. its `Debug` form), the start of every distributed call.
///
/// # Errors
/// [`Error::RankMismatch`] naming the first rank that differs, or a communication error.
pub fn check_inputs(comm: &dyn Comm, graph: Option<&Graph>, config: &str) -> Result<()> {
    if comm.size() == 1 {
        return Ok(());
    }
    if let Some(g) = graph {
        check_same(comm, "graph", graph_checksum(g))?;
    }
    let mut h = Checksum::default();
    h.text(config);
    check_same(comm, "configuration", h.value())
}

/// Time and volume of the collectives of one distributed call, on one rank.
#[derive(Debug, Clone, Copy, PartialEq, Default, serde::Serialize)]
pub struct CommStats {
    /// Number of ranks.
    pub ranks: usize,
    /// Collectives called.
    pub collectives: u64,
    /// Bytes this rank contributed to them.
    pub bytes: u64,
    /// Seconds spent in them (waiting for slower ranks included).
    pub seconds: f64,
    /// Greedy rounds (one count-vector all-reduce each), for selection.
    pub greedy_rounds: u64,
    /// Seconds of those rounds' all-reduces.
    pub greedy_seconds: f64,
}

/// A [`Comm`] that counts and times the collectives of another.
#[derive(Debug)]
pub struct Timed<'a> {
    inner: &'a dyn Comm,
    stats: std::cell::Cell<CommStats>,
}

impl std::fmt::Debug for dyn Comm + '_ {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Comm(rank {} of {})", self.rank(), self.size())
    }
}

impl<'a> Timed<'a> {
    /// Wraps `inner`.
    pub fn new(inner: &'a dyn Comm) -> Self {
        Timed {
            inner,
            stats: std::cell::Cell::new(CommStats {
                ranks: inner.size(),
                ..CommStats::default()
            }),
        }
    }
    /// The counts so far.
    pub fn stats(&self) -> CommStats {
        self.stats.get()
    }
    /// Records the last collective as a greedy round.
    pub(crate) fn greedy_round(&self, seconds: f64) {
        let mut s = self.stats.get();
        s.greedy_rounds += 1;
        s.greedy_seconds += seconds;
        self.stats.set(s);
    }
    fn time<T>(&self, bytes: usize, f: impl FnOnce() -> T) -> T {
        let t = Instant::now();
        let out = f();
        let mut s = self.stats.get();
        s.collectives += 1;
        s.bytes += bytes as u64;
        s.seconds += t.elapsed().as_secs_f64();
        self.stats.set(s);
        out
    }
}

impl Comm for Timed<'_> {
    fn rank(&self) -> usize {
        self.inner.rank()
    }
    fn size(&self) -> usize {
        self.inner.size()
    }
    fn all_reduce_sum_u64(&self, data: &mut [u64]) -> Result<()> {
        self.time(data.len() * 8, || self.inner.all_reduce_sum_u64(data))
    }
    fn all_reduce_sum_i64(&self, data: &mut [i64]) -> Result<()> {
        self.time(data.len() * 8, || self.inner.all_reduce_sum_i64(data))
    }
    fn all_reduce_max_u64(&self, data: &mut [u64]) -> Result<()> {
        self.time(data.len() * 8, || self.inner.all_reduce_max_u64(data))
    }
    fn broadcast_bytes(&self, root: usize, data: &mut [u8]) -> Result<()> {
        self.time(data.len(), || self.inner.broadcast_bytes(root, data))
    }
    fn barrier(&self) -> Result<()> {
        self.time(0, || self.inner.barrier())
    }
}

/// Ranks as threads of one process; see [`Threads::run`].
#[derive(Debug)]
pub struct Threads {
    rank: usize,
    shared: Arc<Shared>,
}

#[derive(Debug)]
struct Shared {
    size: usize,
    timeout: Duration,
    state: Mutex<Round>,
    wake: Condvar,
}

/// One collective in progress: the contributions so far, and the last completed one's.
#[derive(Debug, Default)]
struct Round {
    generation: u64,
    slots: Vec<Option<Vec<u8>>>,
    done: Arc<Vec<Vec<u8>>>,
    /// Ranks whose comm was dropped (their thread finished or failed).
    gone: Vec<bool>,
}

impl Threads {
    /// Runs `f` on `size` ranks, each a thread with its own [`Threads`] comm, and returns
    /// their results in rank order. A collective waits at most `timeout` for the others; a
    /// rank that returns (or panics) early makes the collectives of the others fail at once.
    ///
    /// # Errors
    /// [`Error::InvalidParameter`] for `size = 0`; a rank's panic becomes
    /// [`Error::Communication`] in its slot.
    pub fn run<T: Send>(
        size: usize,
        timeout: Duration,
        f: impl Fn(&Threads) -> T + Sync,
    ) -> Result<Vec<Result<T>>> {
        if size == 0 {
            return Err(Error::invalid_parameter("ranks", 0, "need at least 1 rank"));
        }
        let shared = Arc::new(Shared {
            size,
            timeout,
            state: Mutex::new(Round {
                slots: vec![None; size],
                gone: vec![false; size],
                ..Round::default()
            }),
            wake: Condvar::new(),
        });
        let f = &f;
        Ok(std::thread::scope(|s| {
            let handles: Vec<_> = (0..size)
                .map(|rank| {
                    let comm = Threads {
                        rank,
                        shared: shared.clone(),
                    };
                    s.spawn(move || f(&comm))
                })
                .collect();
            handles
                .into_iter()
                .enumerate()
                .map(|(rank, h)| {
                    h.join().map_err(|_| Error::Communication {
                        operation: "thread".into(),
                        rank,
                        reason: "the rank panicked".into(),
                    })
                })
                .collect()
        }))
    }

    fn err(&self, operation: &str, reason: String) -> Error {
        Error::Communication {
            operation: operation.into(),
            rank: self.rank,
            reason,
        }
    }

    /// Every rank's `data`, in rank order: the one primitive the others are built on.
    fn exchange(&self, operation: &str, data: Vec<u8>) -> Result<Arc<Vec<Vec<u8>>>> {
        let sh = &*self.shared;
        let deadline = Instant::now() + sh.timeout;
        let mut st = sh
            .state
            .lock()
            .map_err(|_| self.err(operation, "a rank panicked".into()))?;
        let generation = st.generation;
        st.slots[self.rank] = Some(data);
        if st.slots.iter().all(Option::is_some) {
            let all: Vec<Vec<u8>> = st.slots.iter_mut().filter_map(Option::take).collect();
            st.done = Arc::new(all);
            st.generation += 1;
            sh.wake.notify_all();
            return Ok(st.done.clone());
        }
        loop {
            if st.generation != generation {
                return Ok(st.done.clone());
            }
            if let Some(r) = (0..sh.size).find(|&r| st.gone[r] && st.slots[r].is_none()) {
                return Err(self.err(operation, format!("rank {r} left the run")));
            }
            let now = Instant::now();
            if now >= deadline {
                return Err(self.err(
                    operation,
                    format!(
                        "the other ranks did not arrive within {:.1} s",
                        sh.timeout.as_secs_f64()
                    ),
                ));
            }
            st = sh
                .wake
                .wait_timeout(st, deadline - now)
                .map_err(|_| self.err(operation, "a rank panicked".into()))?
                .0;
        }
    }

    fn reduce<T: Copy, const W: usize>(
        &self,
        operation: &str,
        data: &mut [T],
        to: fn(T) -> [u8; W],
        from: fn([u8; W]) -> T,
        op: fn(T, T) -> T,
    ) -> Result<()> {
        let bytes: Vec<u8> = data.iter().flat_map(|&x| to(x)).collect();
        let all = self.exchange(operation, bytes)?;
        for (r, b) in all.iter().enumerate() {
            if b.len() != data.len() * W {
                return Err(self.err(
                    operation,
                    format!("rank {r} passed {} values, not {}", b.len() / W, data.len()),
                ));
            }
        }
        for (i, x) in data.iter_mut().enumerate() {
            let mut acc: Option<T> = None;
            for b in all.iter() {
                let mut w = [0u8; W];
                w.copy_from_slice(&b[i * W..(i + 1) * W]);
                let v = from(w);
                acc = Some(acc.map_or(v, |a| op(a, v)));
            }
            *x = acc.unwrap_or(*x);
        }
        Ok(())
    }
}

impl Drop for Threads {
    fn drop(&mut self) {
        if let Ok(mut st) = self.shared.state.lock() {
            st.gone[self.rank] = true;
        }
        self.shared.wake.notify_all();
    }
}

impl Comm for Threads {
    fn rank(&self) -> usize {
        self.rank
    }
    fn size(&self) -> usize {
        self.shared.size
    }
    fn all_reduce_sum_u64(&self, data: &mut [u64]) -> Result<()> {
        self.reduce(
            "all-reduce",
            data,
            u64::to_le_bytes,
            u64::from_le_bytes,
            u64::wrapping_add,
        )
    }
    fn all_reduce_sum_i64(&self, data: &mut [i64]) -> Result<()> {
        self.reduce(
            "all-reduce",
            data,
            i64::to_le_bytes,
            i64::from_le_bytes,
            i64::wrapping_add,
        )
    }
    fn all_reduce_max_u64(&self, data: &mut [u64]) -> Result<()> {
        self.reduce(
            "all-reduce",
            data,
            u64::to_le_bytes,
            u64::from_le_bytes,
            u64::max,
        )
    }
    fn broadcast_bytes(&self, root: usize, data: &mut [u8]) -> Result<()> {
        if root >= self.size() {
            return Err(self.err("broadcast", format!("root {root} is not a rank")));
        }
        let all = self.exchange("broadcast", data.to_vec())?;
        if all[root].len() != data.len() {
            return Err(self.err(
                "broadcast",
                format!(
                    "root sent {} bytes, this rank expected {}",
                    all[root].len(),
                    data.len()
                ),
            ));
        }
        data.copy_from_slice(&all[root]);
        Ok(())
    }
    fn barrier(&self) -> Result<()> {
        self.exchange("barrier", Vec::new()).map(|_| ())
    }
}

#[cfg(test)]
mod tests {
    /// The out-edge checksum tells graphs apart by edges, given probabilities, weight scheme
    /// and people, and is the same for the same graph built twice.
    #[test]
    fn forward_checksum_sees_edges_probabilities_scheme_and_people() {
        use crate::weights::WeightScheme;
        let build = |dst: &[u32], probs: &[f32]| {
            crate::Graph::from_edges(
                4,
                &[0, 1, 2, 3],
                dst,
                Some(probs),
                crate::ids::NodeIds::identity(4),
                crate::GraphOptions::default(),
            )
            .unwrap()
            .0
        };
        let sum = super::forward_checksum;
        let a = build(&[1, 2, 0, 0], &[0.5; 4]);
        assert_eq!(sum(&a), sum(&build(&[1, 2, 0, 0], &[0.5; 4])));
        assert_ne!(
            sum(&a),
            sum(&build(&[1, 2, 0, 1], &[0.5; 4])),
            "an edge moved"
        );
        assert_ne!(
            sum(&a),
            sum(&build(&[1, 2, 0, 0], &[0.5, 0.5, 0.25, 0.5])),
            "a given probability"
        );
        let wc = a.with_weights(&WeightScheme::WeightedCascade).unwrap();
        let half = a.with_weights(&WeightScheme::Constant { p: 0.5 }).unwrap();
        let third = a.with_weights(&WeightScheme::Constant { p: 0.3 }).unwrap();
        let sums = [sum(&a), sum(&wc), sum(&half), sum(&third)];
        for i in 0..sums.len() {
            for j in 0..i {
                assert_ne!(sums[i], sums[j], "schemes {i} and {j}");
            }
        }
        let mut people = a.clone();
        let mut attrs = people.attributes().clone();
        attrs.cost = crate::attrs::Column::from(vec![1.0, 2.0, 3.0, 4.0]);
        people.set_attributes(attrs).unwrap();
        assert_ne!(sum(&a), sum(&people), "costs");
        assert_eq!(
            sum(&wc),
            sum(&a.with_weights(&WeightScheme::WeightedCascade).unwrap())
        );
    }

    use super::*;

    const T: Duration = Duration::from_secs(30);

    #[test]
    fn local_is_one_rank_and_leaves_data_alone() {
        let c = Local;
        let mut v = vec![3u64, 4];
        c.all_reduce_sum_u64(&mut v).unwrap();
        c.all_reduce_max_u64(&mut v).unwrap();
        assert_eq!(v, [3, 4]);
        assert_eq!((c.rank(), c.size()), (0, 1));
        assert_eq!(all_gather_u64(&c, 9).unwrap(), [9]);
        assert_eq!(all_gather_bytes(&c, b"ab").unwrap(), [b"ab".to_vec()]);
        c.barrier().unwrap();
        assert!(agree(&c, Ok::<_, Error>(5)).is_ok());
    }

    #[test]
    fn blocks_partition_and_follow_chunks() {
        for size in 1..6 {
            for len in [0u64, 1, 5, 17, 256] {
                let mut next = 0;
                for r in 0..size {
                    let b = block(len, r, size);
                    assert_eq!(b.start, next);
                    next = b.end;
                }
                assert_eq!(next, len);
            }
        }
        // 300..1000 in chunks of 256 meets chunks 1, 2, 3: one each on three ranks.
        let shares = Threads::run(3, T, |c| chunk_share(300, 1000, 256, c)).unwrap();
        let shares: Vec<_> = shares.into_iter().map(Result::unwrap).collect();
        assert_eq!(shares, [300..512, 512..768, 768..1000]);
        let shares = Threads::run(4, T, |c| chunk_share(0, 300, 256, c)).unwrap();
        let shares: Vec<_> = shares.into_iter().map(Result::unwrap).collect();
        assert_eq!(shares, [0..256, 256..300, 300..300, 300..300]);
    }

    #[test]
    fn threads_reduce_broadcast_and_gather() {
        let out = Threads::run(3, T, |c| {
            let r = c.rank() as u64;
            let mut s = vec![r, 10 * r];
            c.all_reduce_sum_u64(&mut s)?;
            let mut m = vec![r, 5 - r];
            c.all_reduce_max_u64(&mut m)?;
            let mut i = vec![-(r as i64)];
            c.all_reduce_sum_i64(&mut i)?;
            let mut b = if c.rank() == 2 {
                b"hey".to_vec()
            } else {
                vec![0; 3]
            };
            c.broadcast_bytes(2, &mut b)?;
            let g = all_gather_bytes(c, &vec![r as u8; c.rank()])?;
            c.barrier()?;
            Ok::<_, Error>((s, m, i, b, g))
        })
        .unwrap();
        for o in out {
            let (s, m, i, b, g) = o.unwrap().unwrap();
            assert_eq!(s, [3, 30]);
            assert_eq!(m, [2, 5]);
            assert_eq!(i, [-3]);
            assert_eq!(b, b"hey");
            assert_eq!(g, [vec![], vec![1], vec![2, 2]]);
        }
    }

    #[test]
    fn one_failing_rank_fails_every_rank() {
        let out = Threads::run(3, T, |c| {
            let mine: Result<u32> = if c.rank() == 1 {
                Err(Error::invalid_parameter("k", 0, "must be at least 1"))
            } else {
                Ok(7)
            };
            agree(c, mine)
        })
        .unwrap();
        let errs: Vec<Error> = out.into_iter().map(|r| r.unwrap().unwrap_err()).collect();
        assert_eq!(errs[1].kind(), "invalid_parameter");
        for e in [&errs[0], &errs[2]] {
            match e {
                Error::RankFailed {
                    rank,
                    kind,
                    message,
                } => {
                    assert_eq!((*rank, kind.as_str()), (1, "invalid_parameter"));
                    assert!(message.contains("must be at least 1"), "{message}");
                }
                other => panic!("expected RankFailed, got {other}"),
            }
        }
    }

    #[test]
    fn a_rank_that_leaves_is_an_error_not_a_hang() {
        let out = Threads::run(3, T, |c| {
            if c.rank() == 0 {
                return Ok(());
            }
            let mut v = vec![1u64];
            c.all_reduce_sum_u64(&mut v)
        })
        .unwrap();
        for r in &out[1..] {
            let e = r.as_ref().unwrap().as_ref().unwrap_err();
            assert_eq!(e.kind(), "communication");
            assert!(e.to_string().contains("rank 0 left"), "{e}");
        }
    }

    #[test]
    fn a_rank_that_never_arrives_times_out() {
        let (tx, rx) = std::sync::mpsc::channel::<()>();
        let rx = Mutex::new(rx);
        let out = Threads::run(2, Duration::from_millis(200), |c| {
            if c.rank() == 1 {
                // Stays alive, but never joins the collective, until rank 0 gave up.
                let _ = rx.lock().unwrap().recv();
                return Ok(());
            }
            let r = c.barrier();
            tx.send(()).unwrap();
            r
        })
        .unwrap();
        let e = out[0].as_ref().unwrap().as_ref().unwrap_err();
        assert!(e.to_string().contains("did not arrive within 0.2 s"), "{e}");
    }

    #[test]
    fn mismatched_inputs_are_named() {
        let out = Threads::run(3, T, |c| {
            check_same(c, "graph", if c.rank() == 2 { 8 } else { 5 })
        })
        .unwrap();
        for r in out {
            match r.unwrap().unwrap_err() {
                Error::RankMismatch {
                    what,
                    rank,
                    found,
                    expected,
                } => assert_eq!((what.as_str(), rank, found, expected), ("graph", 2, 8, 5)),
                other => panic!("{other}"),
            }
        }
    }
}
