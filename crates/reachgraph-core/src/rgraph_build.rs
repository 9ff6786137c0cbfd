//! Writing a `.rgraph` file from a stream of edges in bounded memory.
//!
//! [`rgraph::write`] writes a [`Graph`] that is already built in memory:
//! about 28 bytes per edge while it is built, so a billion edges do not fit a 24 GiB machine.
//! This module writes the same file, byte for byte, from edges that arrive in any order, with
//! a memory budget ([`StreamOptions::memory`]) for the edge buffers:
//!
//! 1. [`EdgeSpill::push`] buffers edges `(source, target, probability)`; a full buffer is
//!    sorted by `(source, target)` (stably: duplicates keep their input order) and written to a
//!    temporary run file.
//! 2. [`EdgeSpill::sort`] merges the runs (ties by run, so input order again), drops
//!    self-loops and merges duplicates by the [`DuplicatePolicy`](crate::DuplicatePolicy) exactly as
//!    [`Graph::from_edges`] does, and writes the out-edge targets (and given probabilities) to
//!    temporary files, counting degrees as it goes and noting whether every merged probability
//!    is the first one (then the file stores that value once, `given_same`, and the temporary
//!    column is left unread).
//! 3. [`SortedEdges::write`] writes the file: the in-edge arrays are built by a counting sort
//!    over target ranges whose edges fit the budget (one pass over the out-edge targets per
//!    range), each section's CRC-32 is computed while it is written, and the header and
//!    section table go in last.
//!
//! Beyond the budget, the writer holds 8 bytes per account (out- and in-offsets as `u32`,
//! which is enough since a file holds at most `u32::MAX` edges), plus what the caller gives
//! for ids and attributes. Temporary files live in a folder next to the output (or in
//! [`StreamOptions::temp_dir`]) that is removed on success, on error and on a panic unwind.
//!
//! Weight schemes: the probabilities of `given`, constants and weighted cascade are written
//! (as [`Graph::set_weights`] computes them); trivalency and tier rates are not supported here
//! ([`Error::InvalidParameter`]): build the graph in memory for those.

use crate::attrs::Attributes;
use crate::error::{Error, Result};
#[cfg(doc)]
use crate::graph::Graph;
use crate::graph::{BuildReport, GraphOptions};
use crate::ids::{NodeIds, NodeKey};
use crate::rgraph::{self, SectionKind, ALIGN, ENTRY_LEN, HEADER_LEN, MAGIC, VERSION};
use crate::weights::WeightScheme;
use rayon::prelude::*;
use std::collections::BinaryHeap;
use std::fs::File;
use std::io::{BufReader, BufWriter, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

/// The default memory budget for the edge buffers: 2 GiB.
pub const DEFAULT_MEMORY: usize = 2 << 30;

/// How a streamed build runs.
#[derive(Debug, Clone)]
pub struct StreamOptions {
    /// Bytes the edge buffers may hold (run buffer while edges arrive, one target range
    /// while the in-edge arrays are built). Smaller budgets mean more runs and more passes,
    /// not a different file.
    pub memory: usize,
    /// Folder for the temporary files (default: the output's folder).
    pub temp_dir: Option<PathBuf>,
    /// Undirected input and the duplicate policy, as for [`Graph::from_edges`].
    pub graph: GraphOptions,
}

impl Default for StreamOptions {
    fn default() -> Self {
        StreamOptions {
            memory: DEFAULT_MEMORY,
            temp_dir: None,
            graph: GraphOptions::default(),
        }
    }
}

static NEXT_TMP: AtomicUsize = AtomicUsize::new(0);

/// A temporary folder removed when dropped.
#[derive(Debug)]
struct TempDir {
    path: PathBuf,
}

impl TempDir {
    fn new(out: &Path, options: &StreamOptions) -> Result<TempDir> {
        let parent = match &options.temp_dir {
            Some(d) => d.clone(),
            None => match out.parent() {
                Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
                _ => PathBuf::from("."),
            },
        };
        let name = out
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let path = parent.join(format!(
            ".{name}.{}.{}.build",
            std::process::id(),
            NEXT_TMP.fetch_add(1, Ordering::Relaxed)
        ));
        std::fs::create_dir(&path).map_err(|e| io_error(&path, e))?;
        Ok(TempDir { path })
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.path);
    }
}

fn io_error(path: &Path, source: std::io::Error) -> Error {
    Error::Io {
        input: path.display().to_string(),
        source,
    }
}

pub(crate) fn bytes_of<T: crate::buf::Pod>(s: &[T]) -> &[u8] {
    // SAFETY: `T` is a plain number type without padding; any initialised `T` is valid bytes.
    unsafe { std::slice::from_raw_parts(s.as_ptr().cast::<u8>(), std::mem::size_of_val(s)) }
}

/// Reads little-endian `u32`s (or `f32` bits) from a temporary file, a block at a time.
struct WordReader {
    r: BufReader<File>,
    path: PathBuf,
    buf: Vec<u8>,
    at: usize,
    len: usize,
}

impl WordReader {
    fn open(path: &Path) -> Result<WordReader> {
        let f = File::open(path).map_err(|e| io_error(path, e))?;
        let size = f.metadata().map_err(|e| io_error(path, e))?.len();
        Ok(WordReader {
            r: BufReader::with_capacity(64 << 10, f),
            path: path.to_path_buf(),
            buf: vec![0u8; (size as usize).clamp(4, 4 << 20).next_multiple_of(4)],
            at: 0,
            len: 0,
        })
    }

    /// The next block of words (empty at the end of the file).
    fn block(&mut self) -> Result<&[u8]> {
        if self.at == self.len {
            self.len = fill(&mut self.r, &mut self.buf).map_err(|e| io_error(&self.path, e))?;
            self.at = 0;
            if self.len % 4 != 0 {
                return Err(io_error(
                    &self.path,
                    std::io::Error::new(
                        std::io::ErrorKind::UnexpectedEof,
                        "temporary file shorter than written",
                    ),
                ));
            }
        }
        let b = &self.buf[self.at..self.len];
        self.at = self.len;
        Ok(b)
    }
}

/// Fills `buf` as far as the reader allows; returns the bytes read.
fn fill(r: &mut impl Read, buf: &mut [u8]) -> std::io::Result<usize> {
    let mut got = 0;
    while got < buf.len() {
        match r.read(&mut buf[got..]) {
            Ok(0) => break,
            Ok(k) => got += k,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(got)
}

fn le32(b: &[u8], i: usize) -> u32 {
    u32::from_le_bytes(b[4 * i..4 * i + 4].try_into().expect("4 bytes"))
}

/// One sorted run: on disk (records of `key u64` [+ `prob f32`]) or the last buffer, in memory.
enum Run {
    File {
        r: BufReader<File>,
        path: PathBuf,
        left: usize,
    },
    Mem {
        keys: Vec<u64>,
        probs: Vec<f32>,
        at: usize,
    },
}

impl Run {
    fn open(path: &Path, left: usize, with_probs: bool) -> Result<Run> {
        let f = File::open(path).map_err(|e| io_error(path, e))?;
        let rec = if with_probs { 12 } else { 8 };
        Ok(Run::File {
            r: BufReader::with_capacity((left * rec).clamp(64, 1 << 20), f),
            path: path.to_path_buf(),
            left,
        })
    }

    fn next(&mut self, with_probs: bool) -> Result<Option<(u64, f32)>> {
        match self {
            Run::Mem { keys, probs, at } => {
                if *at == keys.len() {
                    return Ok(None);
                }
                let p = if with_probs { probs[*at] } else { f32::NAN };
                *at += 1;
                Ok(Some((keys[*at - 1], p)))
            }
            Run::File { r, path, left } => {
                if *left == 0 {
                    return Ok(None);
                }
                *left -= 1;
                let mut rec = [0u8; 12];
                let len = if with_probs { 12 } else { 8 };
                r.read_exact(&mut rec[..len])
                    .map_err(|e| io_error(path, e))?;
                let key = u64::from_le_bytes(rec[..8].try_into().expect("8 bytes"));
                let p = if with_probs {
                    f32::from_le_bytes(rec[8..12].try_into().expect("4 bytes"))
                } else {
                    f32::NAN
                };
                Ok(Some((key, p)))
            }
        }
    }
}

/// Runs merged at once (open files and read buffers); more runs are merged in groups first.
const FAN_IN: usize = 64;

/// Merges sorted runs into one sorted sequence, ties by run index (so records with equal
/// keys come in input order when the runs are in input order).
fn merge(
    mut runs: Vec<Run>,
    with_probs: bool,
    mut f: impl FnMut(u64, f32) -> Result<()>,
) -> Result<()> {
    let mut heap = BinaryHeap::with_capacity(runs.len());
    let mut heads: Vec<f32> = vec![0.0; runs.len()];
    for (i, r) in runs.iter_mut().enumerate() {
        if let Some((k, p)) = r.next(with_probs)? {
            heads[i] = p;
            heap.push(std::cmp::Reverse((k, i)));
        }
    }
    while let Some(std::cmp::Reverse((k, i))) = heap.pop() {
        let p = heads[i];
        if let Some((nk, np)) = runs[i].next(with_probs)? {
            heads[i] = np;
            heap.push(std::cmp::Reverse((nk, i)));
        }
        f(k, p)?;
    }
    Ok(())
}

/// Edges arriving in any order, buffered and spilled to sorted runs (step 1 of the module
/// docs).
pub struct EdgeSpill {
    n: u32,
    with_probs: bool,
    options: StreamOptions,
    temp: TempDir,
    cap: usize,
    keys: Vec<u64>,
    probs: Vec<f32>,
    runs: Vec<(PathBuf, usize)>,
    merged: usize,
    max_id: Option<u32>,
    records: usize,
    self_loops: usize,
}

impl EdgeSpill {
    /// A spill for a graph of `n` accounts whose output will be `out` (temporary files go
    /// next to it, or to `options.temp_dir`). `with_probs`: every edge carries a probability.
    ///
    /// # Errors
    /// [`Error::Io`] naming the temporary folder when it cannot be created.
    pub fn new(n: u32, with_probs: bool, out: &Path, options: StreamOptions) -> Result<EdgeSpill> {
        let temp = TempDir::new(out, &options)?;
        // a stable sort of (key, prob) pairs needs a second buffer of the same size
        let per_edge = if with_probs { 32 } else { 8 };
        let cap = (options.memory / per_edge).max(1);
        Ok(EdgeSpill {
            n,
            with_probs,
            options,
            temp,
            cap,
            keys: Vec::new(),
            probs: Vec::new(),
            runs: Vec::new(),
            merged: 0,
            max_id: None,
            records: 0,
            self_loops: 0,
        })
    }

    /// Accounts in the graph.
    pub fn node_count(&self) -> u32 {
        self.n
    }

    /// Sets the number of accounts, for inputs that learn it only at their end (made with
    /// `n = u32::MAX`, say).
    ///
    /// # Errors
    /// [`Error::UnknownNode`] when an edge already pushed names an account `≥ n`.
    pub fn set_node_count(&mut self, n: u32) -> Result<()> {
        if let Some(x) = self.max_id.filter(|&x| x >= n) {
            return Err(Error::UnknownNode {
                id: x.to_string(),
                context: format!(" (edge endpoint; the graph has {n} nodes)"),
            });
        }
        self.n = n;
        Ok(())
    }

    /// Adds edge record `u → v` (v follows u) with probability `p` (given exactly when the
    /// spill was made `with_probs`). Self-loops are counted and dropped; an undirected build
    /// adds `v → u` too.
    ///
    /// # Errors
    /// [`Error::UnknownNode`] for an endpoint `≥ n`, [`Error::InvalidProbability`] for a
    /// probability outside [0, 1] (both naming dense ids: callers with external ids check
    /// first), [`Error::InvalidParameter`] past `u32::MAX` edges, [`Error::Io`] naming a
    /// temporary file that cannot be written (a full disk, say).
    pub fn push(&mut self, u: u32, v: u32, p: Option<f32>) -> Result<()> {
        for x in [u, v] {
            if x >= self.n {
                return Err(Error::UnknownNode {
                    id: x.to_string(),
                    context: format!(" (edge endpoint; the graph has {} nodes)", self.n),
                });
            }
        }
        let p = match (self.with_probs, p) {
            (true, Some(p)) if (0.0..=1.0).contains(&p) => p,
            (true, Some(p)) => {
                return Err(Error::InvalidProbability {
                    from: u.to_string(),
                    to: v.to_string(),
                    value: p as f64,
                })
            }
            (false, None) => f32::NAN,
            (want, _) => {
                return Err(Error::invalid_parameter(
                    "probability",
                    format!("{u} -> {v}"),
                    if want {
                        "every edge of this input needs a probability"
                    } else {
                        "this input's edges carry no probabilities"
                    },
                ))
            }
        };
        self.records += 1;
        self.max_id = self.max_id.max(Some(u.max(v)));
        if u == v {
            self.self_loops += 1;
            return Ok(());
        }
        let directions = if self.options.graph.undirected { 2 } else { 1 };
        if self.records as u64 * directions > u32::MAX as u64 {
            return Err(Error::invalid_parameter(
                "edges",
                self.records,
                "graphs over 4,294,967,295 directed edges are not supported",
            ));
        }
        self.add(u, v, p)?;
        if self.options.graph.undirected {
            self.add(v, u, p)?;
        }
        Ok(())
    }

    fn add(&mut self, u: u32, v: u32, p: f32) -> Result<()> {
        self.keys.push((u as u64) << 32 | v as u64);
        if self.with_probs {
            self.probs.push(p);
        }
        if self.keys.len() >= self.cap {
            self.spill()?;
        }
        Ok(())
    }

    /// Adds `src[i] → dst[i]` (with `probs[i]`) for every `i`, as [`Self::push`] one by one.
    ///
    /// # Errors
    /// As [`Self::push`].
    pub fn push_slices(&mut self, src: &[u32], dst: &[u32], probs: Option<&[f32]>) -> Result<()> {
        for (i, (&u, &v)) in src.iter().zip(dst).enumerate() {
            self.push(u, v, probs.map(|p| p[i]))?;
        }
        Ok(())
    }

    /// Sorts the buffer (stably) and writes it as a run.
    fn sort_buffer(&mut self) {
        if self.with_probs {
            let mut pairs: Vec<(u64, f32)> =
                self.keys.drain(..).zip(self.probs.drain(..)).collect();
            pairs.par_sort_by_key(|x| x.0);
            let (k, p): (Vec<u64>, Vec<f32>) = pairs.into_iter().unzip();
            self.keys = k;
            self.probs = p;
        } else {
            // equal keys are equal records: an unstable sort gives the same sequence
            self.keys.par_sort_unstable();
        }
    }

    fn spill(&mut self) -> Result<()> {
        self.sort_buffer();
        let path = self.temp.path.join(format!("run{}.bin", self.runs.len()));
        let f = File::create(&path).map_err(|e| io_error(&path, e))?;
        let mut w = BufWriter::with_capacity(1 << 20, f);
        let write = |w: &mut BufWriter<File>| -> std::io::Result<()> {
            for (i, k) in self.keys.iter().enumerate() {
                w.write_all(&k.to_le_bytes())?;
                if self.with_probs {
                    w.write_all(&self.probs[i].to_le_bytes())?;
                }
            }
            w.flush()
        };
        write(&mut w).map_err(|e| io_error(&path, e))?;
        self.runs.push((path, self.keys.len()));
        self.keys.clear();
        self.probs.clear();
        Ok(())
    }

    /// Merges the runs into out-edge order, merging duplicates (step 2 of the module docs).
    ///
    /// `label` names a dense id in errors ([`DuplicatePolicy::Error`](crate::DuplicatePolicy::Error)).
    ///
    /// # Errors
    /// [`Error::DuplicateEdge`] under [`DuplicatePolicy::Error`](crate::DuplicatePolicy::Error); [`Error::Io`] naming a
    /// temporary file.
    pub fn sort(mut self, label: &dyn Fn(u32) -> String) -> Result<SortedEdges> {
        self.sort_buffer();
        let with_probs = self.with_probs;
        // at most FAN_IN runs open at once: merge the oldest ones first (input order kept)
        while self.runs.len() > FAN_IN {
            let group: Vec<(PathBuf, usize)> = self.runs.drain(..FAN_IN).collect();
            let path = self.temp.path.join(format!("merged{}.bin", self.merged));
            self.merged += 1;
            let mut sink = Sink::create(&path)?;
            let mut runs = Vec::with_capacity(group.len());
            for (p, left) in &group {
                runs.push(Run::open(p, *left, with_probs)?);
            }
            let mut count = 0;
            merge(runs, with_probs, |k, p| {
                count += 1;
                sink.put(&k.to_le_bytes())?;
                if with_probs {
                    sink.put(&p.to_le_bytes())?;
                }
                Ok(())
            })?;
            sink.finish()?;
            for (p, _) in &group {
                let _ = std::fs::remove_file(p);
            }
            self.runs.insert(0, (path, count));
        }
        let mut runs: Vec<Run> = Vec::with_capacity(self.runs.len() + 1);
        for (path, left) in &self.runs {
            runs.push(Run::open(path, *left, with_probs)?);
        }
        runs.push(Run::Mem {
            keys: std::mem::take(&mut self.keys),
            probs: std::mem::take(&mut self.probs),
            at: 0,
        });
        let targets_path = self.temp.path.join("out_targets.bin");
        let probs_path = self.temp.path.join("out_probs.bin");
        let mut targets = Sink::create(&targets_path)?;
        let mut probs = if with_probs {
            Some(Sink::create(&probs_path)?)
        } else {
            None
        };
        let nn = self.n as usize;
        let mut out_offsets = vec![0u32; nn + 1];
        let mut in_deg = vec![0u32; nn + 1];
        let mut m: u32 = 0;
        let mut duplicates = 0usize;
        let policy = self.options.graph.duplicates;
        let mut cur: Option<(u64, f32)> = None;
        // Whether every kept edge's probability (after merging duplicates) is the first one's,
        // bit for bit: then the file stores that value once instead of the column, which is
        // still written here (it is known only at the end) and then left unread.
        let mut first: Option<u32> = None;
        let mut all_same = true;
        let mut emit = |key: u64, p: f32, m: &mut u32| -> Result<()> {
            let (u, v) = ((key >> 32) as usize, key as u32);
            out_offsets[u + 1] += 1;
            in_deg[v as usize] += 1;
            targets.put(&v.to_le_bytes())?;
            if let Some(s) = probs.as_mut() {
                s.put(&p.to_le_bytes())?;
                all_same &= *first.get_or_insert(p.to_bits()) == p.to_bits();
            }
            *m += 1;
            Ok(())
        };
        merge(runs, with_probs, |k, pq| {
            cur = match cur {
                Some((ck, p)) if ck == k => {
                    duplicates += 1;
                    let p = policy.combine(p, pq).ok_or_else(|| Error::DuplicateEdge {
                        from: label((k >> 32) as u32),
                        to: label(k as u32),
                        at: None,
                    })?;
                    Some((ck, p))
                }
                Some((ck, p)) => {
                    emit(ck, p, &mut m)?;
                    Some((k, pq))
                }
                None => Some((k, pq)),
            };
            Ok(())
        })?;
        if let Some((ck, p)) = cur {
            emit(ck, p, &mut m)?;
        }
        for (path, _) in &self.runs {
            let _ = std::fs::remove_file(path);
        }
        targets.finish()?;
        if let Some(s) = probs {
            s.finish()?;
        }
        for u in 0..nn {
            out_offsets[u + 1] += out_offsets[u];
        }
        // in-degrees become offsets in place
        let mut acc = 0u32;
        for d in in_deg.iter_mut() {
            let x = *d;
            *d = acc;
            acc += x;
        }
        let report = BuildReport {
            nodes: nn,
            edges: m as usize,
            records: self.records,
            self_loops_dropped: self.self_loops,
            duplicates_merged: duplicates,
        };
        let given_same = first.filter(|_| all_same).map(f32::from_bits);
        Ok(SortedEdges {
            n: self.n,
            m,
            with_probs,
            given_same,
            out_offsets,
            in_offsets: in_deg,
            targets_path,
            probs_path,
            memory: self.options.memory,
            report,
            _temp: self.temp,
        })
    }
}

/// A buffered temporary file being written.
struct Sink {
    w: BufWriter<File>,
    path: PathBuf,
}

impl Sink {
    fn create(path: &Path) -> Result<Sink> {
        let f = File::create(path).map_err(|e| io_error(path, e))?;
        Ok(Sink {
            w: BufWriter::with_capacity(1 << 20, f),
            path: path.to_path_buf(),
        })
    }
    fn put(&mut self, b: &[u8]) -> Result<()> {
        self.w.write_all(b).map_err(|e| io_error(&self.path, e))
    }
    fn finish(mut self) -> Result<()> {
        self.w.flush().map_err(|e| io_error(&self.path, e))
    }
}

/// Edges merged into out-edge order, with their degrees; [`Self::write`] writes the file.
pub struct SortedEdges {
    n: u32,
    m: u32,
    with_probs: bool,
    /// The one probability of every edge, when the input gave every kept edge the same one
    /// (bit for bit; at least one edge): stored once, as [`rgraph::write`] stores it.
    given_same: Option<f32>,
    out_offsets: Vec<u32>,
    in_offsets: Vec<u32>,
    targets_path: PathBuf,
    probs_path: PathBuf,
    memory: usize,
    report: BuildReport,
    _temp: TempDir,
}

/// A section after the graph's arrays (ids, attributes): its kind, element size, byte length
/// and a function writing exactly that many bytes, in order, to the sink it is given.
pub struct TailSection<'a> {
    kind: SectionKind,
    elem: u32,
    len: u64,
    #[allow(clippy::type_complexity)]
    fill: Box<dyn FnOnce(&mut dyn FnMut(&[u8]) -> Result<()>) -> Result<()> + 'a>,
}

impl<'a> TailSection<'a> {
    /// A section of `len` bytes of `kind` (elements of `elem` bytes) written by `fill`.
    pub(crate) fn new(
        kind: SectionKind,
        elem: u32,
        len: u64,
        fill: impl FnOnce(&mut dyn FnMut(&[u8]) -> Result<()>) -> Result<()> + 'a,
    ) -> Self {
        TailSection {
            kind,
            elem,
            len,
            fill: Box::new(fill),
        }
    }

    /// A section whose bytes are at hand.
    pub(crate) fn bytes(kind: SectionKind, elem: u32, bytes: std::borrow::Cow<'a, [u8]>) -> Self {
        TailSection::new(kind, elem, bytes.len() as u64, move |sink| sink(&bytes))
    }
}

/// The id sections of `ids`, as [`rgraph::write`] writes them: none for `0..n`, `i64`s when
/// every id is an integer (with their order when they are not increasing), else text with
/// offsets.
pub fn id_sections(ids: &NodeIds) -> Vec<TailSection<'static>> {
    let n = ids.len();
    if ids.is_identity() {
        return Vec::new();
    }
    let keys: Vec<NodeKey> = (0..n as u32).map(|i| ids.key(i)).collect();
    if keys.iter().all(|k| matches!(k, NodeKey::Int(_))) {
        let ints: Vec<i64> = keys
            .iter()
            .map(|k| match k {
                NodeKey::Int(v) => *v,
                _ => unreachable!("checked above"),
            })
            .collect();
        let order = rgraph::int_id_order(&ints);
        let mut s = vec![TailSection::bytes(
            SectionKind::IdsInt,
            8,
            bytes_of(&ints).to_vec().into(),
        )];
        if let Some(order) = order {
            s.push(TailSection::bytes(
                SectionKind::IdsIntOrder,
                4,
                bytes_of(&order).to_vec().into(),
            ));
        }
        return s;
    }
    let mut offsets = Vec::with_capacity(n + 1);
    let mut text = Vec::new();
    offsets.push(0u64);
    for k in &keys {
        text.extend_from_slice(k.to_string().as_bytes());
        offsets.push(text.len() as u64);
    }
    vec![
        TailSection::bytes(
            SectionKind::IdsTextOffsets,
            8,
            bytes_of(&offsets).to_vec().into(),
        ),
        TailSection::bytes(SectionKind::IdsText, 1, text.into()),
    ]
}

/// The attribute sections of `a` (the columns that differ from their defaults), as
/// [`rgraph::write`] writes them.
pub fn attribute_sections(a: &Attributes) -> Vec<TailSection<'_>> {
    let mut s = Vec::new();
    rgraph::attribute_sections(a, &mut s);
    s.into_iter()
        .map(|(kind, elem, bytes)| TailSection::bytes(kind, elem, bytes))
        .collect()
}

/// A section of the output: where it goes, and its checksum so far.
struct Placed {
    kind: SectionKind,
    elem: u32,
    start: u64,
    len: u64,
    written: u64,
    crc: crc32fast::Hasher,
}

/// The output file, written at positions, removed unless committed.
struct Out {
    w: BufWriter<File>,
    tmp: PathBuf,
    dest: PathBuf,
    pos: u64,
    done: bool,
}

impl Out {
    fn create(dest: &Path) -> Result<Out> {
        let (dest, tmp) = crate::output::temporary_beside(dest).map_err(|e| io_error(dest, e))?;
        let f = File::options()
            .write(true)
            .create_new(true)
            .open(&tmp)
            .map_err(|e| io_error(&tmp, e))?;
        Ok(Out {
            w: BufWriter::with_capacity(8 << 20, f),
            tmp,
            dest,
            pos: 0,
            done: false,
        })
    }

    fn write_at(&mut self, at: u64, b: &[u8]) -> Result<()> {
        if at != self.pos {
            self.w
                .seek(SeekFrom::Start(at))
                .map_err(|e| io_error(&self.tmp, e))?;
        }
        self.w.write_all(b).map_err(|e| io_error(&self.tmp, e))?;
        self.pos = at + b.len() as u64;
        Ok(())
    }

    fn put(&mut self, s: &mut Placed, b: &[u8]) -> Result<()> {
        debug_assert!(s.written + b.len() as u64 <= s.len);
        self.write_at(s.start + s.written, b)?;
        s.crc.update(b);
        s.written += b.len() as u64;
        Ok(())
    }

    fn commit(mut self, total: u64) -> Result<()> {
        self.w.flush().map_err(|e| io_error(&self.tmp, e))?;
        let f = self.w.get_ref();
        f.set_len(total).map_err(|e| io_error(&self.tmp, e))?;
        f.sync_all().map_err(|e| io_error(&self.tmp, e))?;
        std::fs::rename(&self.tmp, &self.dest).map_err(|e| io_error(&self.dest, e))?;
        self.done = true;
        if let Some(dir) = self.dest.parent().filter(|p| !p.as_os_str().is_empty()) {
            if let Ok(d) = File::open(dir) {
                let _ = d.sync_all();
            }
        }
        Ok(())
    }
}

impl Drop for Out {
    fn drop(&mut self) {
        if !self.done {
            let _ = std::fs::remove_file(&self.tmp);
        }
    }
}

fn find(placed: &[Placed], k: SectionKind) -> Option<usize> {
    placed.iter().position(|s| s.kind == k)
}

/// Elements converted and written per block.
const BLOCK: usize = 1 << 20;

impl SortedEdges {
    /// Accounts.
    pub fn node_count(&self) -> usize {
        self.n as usize
    }
    /// Distinct directed edges kept.
    pub fn edge_count(&self) -> usize {
        self.m as usize
    }
    /// Out-degree (followers) of `u`.
    pub fn out_degree(&self, u: u32) -> u32 {
        self.out_offsets[u as usize + 1] - self.out_offsets[u as usize]
    }
    /// In-degree (accounts followed) of `v`.
    pub fn in_degree(&self, v: u32) -> u32 {
        self.in_offsets[v as usize + 1] - self.in_offsets[v as usize]
    }
    /// What building did to the input (records, self-loops, duplicates), as
    /// [`Graph::from_edges`] reports it.
    pub fn report(&self) -> &BuildReport {
        &self.report
    }

    /// Writes the `.rgraph` file to `path` (whole or not at all: a temporary file renamed into
    /// place), with `scheme` in force and `tail` (ids, then attributes: [`id_sections`],
    /// [`attribute_sections`]) after the graph's arrays. For the same graph the bytes are
    /// those of [`rgraph::write`].
    ///
    /// # Errors
    /// [`Error::InvalidParameter`] for `given` without probabilities or a scheme this writer
    /// does not compute (trivalency, tier rates); [`Error::Io`] naming the file that could not
    /// be read or written.
    pub fn write(&self, path: &Path, scheme: &WeightScheme, tail: Vec<TailSection>) -> Result<()> {
        if cfg!(target_endian = "big") {
            return Err(Error::invalid_parameter(
                "output",
                path.display(),
                ".rgraph files are written on little-endian machines only",
            ));
        }
        match scheme {
            WeightScheme::Given if !self.with_probs => {
                return Err(Error::invalid_parameter(
                    "weights",
                    "given",
                    "the input gave no probabilities",
                ))
            }
            WeightScheme::Trivalency { .. } | WeightScheme::TierRates { .. } => {
                return Err(Error::invalid_parameter(
                    "weights",
                    rgraph::scheme_text(scheme),
                    "a streamed .rgraph write computes given, constant and wc probabilities \
                     only; build the graph in memory for this scheme",
                ))
            }
            _ => {}
        }
        let (n, m) = (self.n as u64, self.m as u64);
        let scheme_bytes = rgraph::scheme_text(scheme).into_bytes();
        let mut layout: Vec<(SectionKind, u32, u64)> = vec![
            (SectionKind::OutOffsets, 8, 8 * (n + 1)),
            (SectionKind::OutTargets, 4, 4 * m),
            (SectionKind::InOffsets, 8, 8 * (n + 1)),
            (SectionKind::InSources, 4, 4 * m),
        ];
        // As `rgraph::write` lays it out: the in -> out map only with per-edge given
        // probabilities; given probabilities that are one value stored as that value.
        let per_edge_given = self.with_probs && self.given_same.is_none();
        let given_in_force = matches!(scheme, WeightScheme::Given);
        if per_edge_given {
            layout.push((SectionKind::InToOut, 4, 4 * m));
        }
        layout.push((SectionKind::Scheme, 1, scheme_bytes.len() as u64));
        let stored = rgraph::stores_probabilities(scheme, self.given_same.is_some());
        if stored {
            layout.push((SectionKind::OutProbs, 4, 4 * m));
            layout.push((SectionKind::InProbs, 4, 4 * m));
        }
        let mut flags = 0u32;
        if per_edge_given && given_in_force {
            flags |= rgraph::FLAG_GIVEN_IN_FORCE;
        }
        if per_edge_given && !given_in_force {
            layout.push((SectionKind::GivenProbs, 4, 4 * m));
        }
        if self.given_same.is_some() {
            layout.push((SectionKind::GivenSame, 4, 4));
        }
        for t in &tail {
            layout.push((t.kind, t.elem, t.len));
        }
        let table_end = (HEADER_LEN + ENTRY_LEN * layout.len()) as u64;
        let mut pos = table_end.next_multiple_of(ALIGN as u64);
        let mut placed: Vec<Placed> = Vec::with_capacity(layout.len());
        for &(kind, elem, len) in &layout {
            placed.push(Placed {
                kind,
                elem,
                start: pos,
                len,
                written: 0,
                crc: crc32fast::Hasher::new(),
            });
            pos = (pos + len).next_multiple_of(ALIGN as u64);
        }
        let total = placed.last().map_or(table_end, |s| s.start + s.len);
        let mut out = Out::create(path)?;

        // offsets
        for (kind, offs) in [
            (SectionKind::OutOffsets, &self.out_offsets),
            (SectionKind::InOffsets, &self.in_offsets),
        ] {
            let i = find(&placed, kind).expect("always laid out");
            let s = &mut placed[i];
            for c in offs.chunks(BLOCK) {
                let wide: Vec<u64> = c.iter().map(|&x| x as u64).collect();
                out.put(s, bytes_of(&wide))?;
            }
        }
        // out targets, and out-order probabilities
        let in_deg = |v: u32| self.in_offsets[v as usize + 1] - self.in_offsets[v as usize];
        {
            let i_t = find(&placed, SectionKind::OutTargets).expect("always laid out");
            let i_p = find(&placed, SectionKind::OutProbs);
            let i_g = find(&placed, SectionKind::GivenProbs);
            let mut r = WordReader::open(&self.targets_path)?;
            loop {
                let b = r.block()?;
                if b.is_empty() {
                    break;
                }
                out.put(&mut placed[i_t], b)?;
                if let (Some(ip), WeightScheme::WeightedCascade) = (i_p, scheme) {
                    let p: Vec<f32> = (0..b.len() / 4)
                        .map(|i| 1.0 / in_deg(le32(b, i)) as f32)
                        .collect();
                    out.put(&mut placed[ip], bytes_of(&p))?;
                }
            }
            if per_edge_given {
                let mut r = WordReader::open(&self.probs_path)?;
                loop {
                    let b = r.block()?;
                    if b.is_empty() {
                        break;
                    }
                    if matches!(scheme, WeightScheme::Given) {
                        out.put(&mut placed[i_p.expect("given is stored")], b)?;
                    }
                    if let Some(ig) = i_g {
                        out.put(&mut placed[ig], b)?;
                    }
                }
            }
        }
        // scheme
        {
            let i = find(&placed, SectionKind::Scheme).expect("always laid out");
            let s = &mut placed[i];
            out.put(s, &scheme_bytes)?;
        }
        if let (Some(i), Some(p)) = (find(&placed, SectionKind::GivenSame), self.given_same) {
            out.put(&mut placed[i], &p.to_le_bytes())?;
        }
        self.write_in_edges(&mut out, &mut placed, scheme)?;
        // ids, attributes
        let first_tail = placed.len() - tail.len();
        for (k, t) in tail.into_iter().enumerate() {
            let s = &mut placed[first_tail + k];
            let out = &mut out;
            (t.fill)(&mut |b: &[u8]| {
                if s.written + b.len() as u64 > s.len {
                    return Err(Error::invalid_parameter(
                        "section",
                        s.kind as u32,
                        "more bytes written than laid out",
                    ));
                }
                out.put(s, b)
            })?;
        }
        for s in &placed {
            if s.written != s.len {
                return Err(io_error(
                    &out.tmp,
                    std::io::Error::other(format!(
                        "section {} got {} of its {} bytes",
                        s.kind as u32, s.written, s.len
                    )),
                ));
            }
        }
        let mut table = Vec::with_capacity(ENTRY_LEN * placed.len());
        for s in &placed {
            table.extend_from_slice(&(s.kind as u32).to_le_bytes());
            table.extend_from_slice(&s.elem.to_le_bytes());
            table.extend_from_slice(&s.start.to_le_bytes());
            table.extend_from_slice(&s.len.to_le_bytes());
            table.extend_from_slice(&s.crc.clone().finalize().to_le_bytes());
            table.extend_from_slice(&0u32.to_le_bytes());
        }
        let mut header = [0u8; HEADER_LEN];
        header[0..8].copy_from_slice(&MAGIC);
        header[8..12].copy_from_slice(&VERSION.to_le_bytes());
        header[12..16].copy_from_slice(&flags.to_le_bytes());
        header[16..24].copy_from_slice(&n.to_le_bytes());
        header[24..32].copy_from_slice(&m.to_le_bytes());
        header[32..36].copy_from_slice(&(placed.len() as u32).to_le_bytes());
        let crc = rgraph::header_crc(&header, &table);
        header[36..40].copy_from_slice(&crc.to_le_bytes());
        out.write_at(0, &header)?;
        out.write_at(HEADER_LEN as u64, &table)?;
        out.commit(total)
    }

    /// In-edge sources, the in → out slot map (with per-edge given probabilities only) and
    /// in-order probabilities (when stored): a stable counting sort of the out-edges by target, one range of targets
    /// (whose edges fit the budget) per pass over the out-edge targets.
    fn write_in_edges(
        &self,
        out: &mut Out,
        placed: &mut [Placed],
        scheme: &WeightScheme,
    ) -> Result<()> {
        let i_src = find(placed, SectionKind::InSources).expect("always laid out");
        let i_map = find(placed, SectionKind::InToOut);
        let i_prob = find(placed, SectionKind::InProbs);
        // Per-edge given probabilities in force are gathered into in-edge order.
        let given_in_force = matches!(scheme, WeightScheme::Given) && i_prob.is_some();
        let per_edge = 4 + 4 * (i_map.is_some() as usize) + 4 * (given_in_force as usize);
        let cap = (self.memory / per_edge).max(1) as u64;
        let nn = self.n as usize;
        let mut d0 = 0usize;
        while d0 < nn {
            // the longest run of targets whose in-edges fit (at least one target)
            let base = self.in_offsets[d0] as u64;
            let limit = base + cap;
            let mut d1 = self.in_offsets[d0 + 1..].partition_point(|&o| o as u64 <= limit) + d0;
            d1 = d1.max(d0 + 1).min(nn);
            let len = (self.in_offsets[d1] as u64 - base) as usize;
            if len > 0 {
                let mut src = vec![0u32; len];
                let mut map = if i_map.is_some() {
                    vec![0u32; len]
                } else {
                    Vec::new()
                };
                let mut prob = if given_in_force {
                    vec![0f32; len]
                } else {
                    Vec::new()
                };
                let mut cursor: Vec<u32> = self.in_offsets[d0..d1]
                    .iter()
                    .map(|&o| o - base as u32)
                    .collect();
                let mut r = WordReader::open(&self.targets_path)?;
                let mut pr = if given_in_force {
                    Some(WordReader::open(&self.probs_path)?)
                } else {
                    None
                };
                let mut pbuf: Vec<u8> = Vec::new();
                let mut e = 0u32;
                let mut u = 0usize;
                loop {
                    let b = r.block()?;
                    if b.is_empty() {
                        break;
                    }
                    let words = b.len() / 4;
                    if let Some(pr) = pr.as_mut() {
                        while pbuf.len() < b.len() {
                            let pb = pr.block()?;
                            if pb.is_empty() {
                                return Err(io_error(
                                    &self.probs_path,
                                    std::io::Error::new(
                                        std::io::ErrorKind::UnexpectedEof,
                                        "temporary file shorter than written",
                                    ),
                                ));
                            }
                            pbuf.extend_from_slice(pb);
                        }
                    }
                    for i in 0..words {
                        let v = le32(b, i) as usize;
                        while self.out_offsets[u + 1] <= e {
                            u += 1;
                        }
                        if (d0..d1).contains(&v) {
                            let c = &mut cursor[v - d0];
                            let at = *c as usize;
                            *c += 1;
                            src[at] = u as u32;
                            if let Some(m) = map.get_mut(at) {
                                *m = e;
                            }
                            if given_in_force {
                                prob[at] = f32::from_bits(le32(&pbuf, i));
                            }
                        }
                        e += 1;
                    }
                    if given_in_force {
                        pbuf.drain(..b.len());
                    }
                }
                out.put(&mut placed[i_src], bytes_of(&src))?;
                drop(src);
                if let Some(im) = i_map {
                    out.put(&mut placed[im], bytes_of(&map))?;
                }
                drop(map);
                if let Some(ip) = i_prob {
                    match scheme {
                        WeightScheme::Given => out.put(&mut placed[ip], bytes_of(&prob))?,
                        WeightScheme::WeightedCascade => {
                            let mut p = Vec::with_capacity(len);
                            for v in d0..d1 {
                                let d = self.in_offsets[v + 1] - self.in_offsets[v];
                                p.extend(std::iter::repeat_n(1.0 / d as f32, d as usize));
                            }
                            out.put(&mut placed[ip], bytes_of(&p))?;
                        }
                        _ => unreachable!("other stored schemes are rejected above"),
                    }
                }
            }
            d0 = d1;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::attrs::Categorical;
    use crate::graph::{DuplicatePolicy, Graph};
    use crate::rng::{self, Rng};

    struct Case {
        n: u32,
        src: Vec<u32>,
        dst: Vec<u32>,
        probs: Option<Vec<f32>>,
        ids: NodeIds,
    }

    /// `probs`: 0 none, 1 a few distinct values, 2 one value for every record (0.5 or 1, so
    /// that noisy-or merging of duplicates makes 0.5 uneven and keeps 1).
    fn random_case(seed: u64, n: u32, m: usize, probs_kind: u8, ids: u8) -> Case {
        let mut r: Rng = rng::stream(seed, 0);
        let mut src = Vec::new();
        let mut dst = Vec::new();
        let mut probs = Vec::new();
        for _ in 0..m {
            // skewed sources and repeated pairs, so duplicates and self-loops occur
            let u = (rng::below(&mut r, n as u64) * rng::below(&mut r, n as u64) / n as u64) as u32;
            let v = rng::below(&mut r, (n as u64).min(12)) as u32 * (n / 12).max(1)
                + rng::below(&mut r, 2) as u32;
            src.push(u);
            dst.push(v.min(n - 1));
            // few distinct values, so max/first/last differ and ties occur
            let mixed = [0.0f32, 0.25, 0.5, 1.0, 0.1][rng::below(&mut r, 5) as usize];
            probs.push(if probs_kind == 2 {
                [0.5, 1.0][seed as usize % 2]
            } else {
                mixed
            });
        }
        let ids = match ids {
            0 => NodeIds::identity(n),
            1 => {
                let mut x = NodeIds::new();
                for i in 0..n {
                    x.intern_int(1000 - 7 * i as i64);
                }
                x
            }
            _ => {
                let mut x = NodeIds::new();
                for i in 0..n {
                    x.intern_str(&format!("acct-{}", (i * 37) % 1009));
                }
                x
            }
        };
        Case {
            n,
            src,
            dst,
            probs: (probs_kind > 0).then_some(probs),
            ids,
        }
    }

    fn attributes_for(n: usize) -> Attributes {
        let mut a = Attributes::new(n);
        a.platform = Categorical {
            codes: (0..n as u32).map(|i| i % 3).collect(),
            names: vec!["x".to_string(), "ig".into(), "tt".into()].into(),
        };
        for u in 0..n {
            if u % 4 == 0 {
                a.cost[u] = 10.0 + u as f64;
                a.followers.set(u, Some(u as u64 * 1000));
            }
            a.target_weight[u] = if u % 5 == 0 { 0.5 } else { 1.0 };
        }
        a
    }

    /// Writes the case streamed with `memory` bytes and returns the file's bytes.
    fn streamed(
        c: &Case,
        g: &Graph,
        options: GraphOptions,
        scheme: &WeightScheme,
        memory: usize,
        dir: &Path,
    ) -> Result<Vec<u8>> {
        let path = dir.join(format!("s{memory}.rgraph"));
        let opts = StreamOptions {
            memory,
            temp_dir: None,
            graph: options,
        };
        let mut spill = EdgeSpill::new(c.n, c.probs.is_some(), &path, opts)?;
        spill.push_slices(&c.src, &c.dst, c.probs.as_deref())?;
        let sorted = spill.sort(&|i| c.ids.label(i))?;
        assert_eq!(sorted.edge_count(), g.edge_count());
        let mut tail = id_sections(g.ids());
        tail.extend(attribute_sections(g.attributes()));
        sorted.write(&path, scheme, tail)?;
        let bytes = std::fs::read(&path).unwrap();
        std::fs::remove_file(&path).unwrap();
        Ok(bytes)
    }

    fn temp_dir(name: &str) -> PathBuf {
        let d = std::env::temp_dir().join(format!("rgb-{name}-{}", std::process::id()));
        std::fs::create_dir_all(&d).unwrap();
        d
    }

    #[test]
    fn streamed_file_is_byte_identical_to_the_in_memory_write() {
        let dir = temp_dir("same");
        let mut cases = 0;
        let mut same = 0;
        for seed in 0..6u64 {
            for probs_kind in 0..3u8 {
                let with_probs = probs_kind > 0;
                for ids in 0..3u8 {
                    let n = [1u32, 2, 7, 40, 300, 1000][seed as usize];
                    let m = [3usize, 5, 40, 400, 1500, 3000][seed as usize];
                    let c = random_case(seed * 10 + ids as u64, n, m, probs_kind, ids);
                    let policies = [
                        DuplicatePolicy::Max,
                        DuplicatePolicy::First,
                        DuplicatePolicy::Last,
                        DuplicatePolicy::NoisyOr,
                    ];
                    let policy = policies[(seed as usize + ids as usize) % 4];
                    let options = GraphOptions {
                        undirected: seed % 3 == 1,
                        duplicates: policy,
                    };
                    let (mut g, report) = Graph::from_edges(
                        c.n,
                        &c.src,
                        &c.dst,
                        c.probs.as_deref(),
                        c.ids.clone(),
                        options,
                    )
                    .unwrap();
                    if seed % 2 == 0 {
                        g.set_attributes(attributes_for(n as usize)).unwrap();
                    }
                    // One value on every kept edge (after duplicates merged) is held once, and
                    // a mixed list (a few distinct values over hundreds of edges) per edge.
                    let kept = g.out_csr().probs.to_vec();
                    let uniform = with_probs
                        && !kept.is_empty()
                        && kept.iter().all(|p| p.to_bits() == kept[0].to_bits());
                    assert_eq!(g.has_per_edge_given_probabilities(), with_probs && !uniform);
                    if probs_kind == 1 && m >= 40 {
                        assert!(
                            !uniform,
                            "seed {seed} ids {ids}: a mixed list came out even"
                        );
                    }
                    same += usize::from(uniform);
                    let mut schemes = vec![
                        WeightScheme::WeightedCascade,
                        WeightScheme::Constant { p: 0.3 },
                    ];
                    if with_probs {
                        schemes.push(WeightScheme::Given);
                    } else {
                        schemes.push(WeightScheme::Constant { p: 1.0 });
                    }
                    for scheme in &schemes {
                        g.set_weights(scheme).unwrap();
                        let want = rgraph::to_bytes(&g);
                        // a budget for everything at once, and one forcing many runs and
                        // many target ranges (a few edges each)
                        for memory in [DEFAULT_MEMORY, 400, 8] {
                            if memory == 8 && m > 400 {
                                continue;
                            }
                            let got = streamed(&c, &g, options, scheme, memory, &dir).unwrap();
                            assert!(
                                got == want,
                                "seed {seed} probs {with_probs} ids {ids} {scheme:?} memory {memory}: \
                                 {} vs {} bytes",
                                got.len(),
                                want.len()
                            );
                            cases += 1;
                        }
                        // The layout: one `given_same` value without the map and without a
                        // column, or the column with the map; no probabilities in force stored
                        // under given probabilities that are one value.
                        let has = |k: SectionKind| {
                            let count = u32::from_le_bytes(want[32..36].try_into().unwrap());
                            (0..count as usize).any(|i| {
                                let e = HEADER_LEN + ENTRY_LEN * i;
                                u32::from_le_bytes(want[e..e + 4].try_into().unwrap()) == k as u32
                            })
                        };
                        assert_eq!(has(SectionKind::GivenSame), uniform);
                        assert_eq!(has(SectionKind::InToOut), with_probs && !uniform);
                        let given_in_force = matches!(scheme, WeightScheme::Given);
                        assert_eq!(
                            has(SectionKind::GivenProbs),
                            with_probs && !uniform && !given_in_force
                        );
                        assert_eq!(
                            has(SectionKind::OutProbs),
                            !(matches!(scheme, WeightScheme::Constant { .. })
                                || given_in_force && uniform)
                        );
                        if uniform {
                            let back =
                                rgraph::from_bytes(&want, "t", &rgraph::ReadOptions::default())
                                    .unwrap();
                            g.set_weights(&WeightScheme::Given).unwrap();
                            let given = g.out_csr().probs.to_vec();
                            let mut b = back.with_weights(&WeightScheme::Given).unwrap();
                            assert_eq!(b.out_csr().probs, &given[..]);
                            assert_eq!(b.in_csr().probs, &given[..]);
                            b.set_weights(scheme).unwrap();
                            g.set_weights(scheme).unwrap();
                            assert_eq!(b.out_csr().probs, g.out_csr().probs);
                            assert_eq!(b.in_csr().probs, g.in_csr().probs);
                        }
                    }
                    // the report counts as the in-memory build does
                    let path = dir.join("report.rgraph");
                    let opts = StreamOptions {
                        memory: 64,
                        temp_dir: None,
                        graph: options,
                    };
                    let mut spill = EdgeSpill::new(c.n, with_probs, &path, opts).unwrap();
                    spill
                        .push_slices(&c.src, &c.dst, c.probs.as_deref())
                        .unwrap();
                    let sorted = spill.sort(&|i| i.to_string()).unwrap();
                    assert_eq!(sorted.report(), &report);
                    for u in 0..n {
                        assert_eq!(sorted.out_degree(u) as usize, g.out_degree(u));
                        assert_eq!(sorted.in_degree(u) as usize, g.in_degree(u));
                    }
                }
            }
        }
        assert_eq!(cases, 4 * 27 * 3 + 2 * 27 * 2);
        // Most of the 18 constant-probability cases are held as one value (not those without
        // edges, nor those whose 0.5 duplicates noisy-or merged): the path was exercised.
        assert!(same >= 12, "{same} cases held one value");
        // nothing left behind: no temporary files or folders
        assert_eq!(std::fs::read_dir(&dir).unwrap().count(), 0);
        std::fs::remove_dir(&dir).unwrap();
    }

    #[test]
    fn duplicates_under_the_error_policy_and_bad_edges_are_typed_errors() {
        let dir = temp_dir("errors");
        let path = dir.join("e.rgraph");
        let opts = |duplicates| StreamOptions {
            memory: 16,
            temp_dir: None,
            graph: GraphOptions {
                undirected: false,
                duplicates,
            },
        };
        let mut s = EdgeSpill::new(5, false, &path, opts(DuplicatePolicy::Error)).unwrap();
        s.push_slices(&[0, 1, 2, 3, 0], &[1, 2, 3, 4, 1], None)
            .unwrap();
        match s.sort(&|i| format!("id{i}")) {
            Err(Error::DuplicateEdge { from, to, .. }) => {
                assert_eq!((from, to), ("id0".into(), "id1".into()))
            }
            Err(e) => panic!("{e}"),
            Ok(_) => panic!("duplicate accepted"),
        }
        let mut s = EdgeSpill::new(5, true, &path, opts(DuplicatePolicy::Max)).unwrap();
        assert!(matches!(
            s.push(0, 5, Some(0.5)),
            Err(Error::UnknownNode { .. })
        ));
        assert!(matches!(
            s.push(0, 1, Some(1.5)),
            Err(Error::InvalidProbability { .. })
        ));
        assert!(matches!(
            s.push(0, 1, Some(f32::NAN)),
            Err(Error::InvalidProbability { .. })
        ));
        assert!(matches!(
            s.push(0, 1, None),
            Err(Error::InvalidParameter { .. })
        ));
        drop(s);
        // given without probabilities, and schemes the writer does not compute
        let mut s = EdgeSpill::new(3, false, &path, opts(DuplicatePolicy::Max)).unwrap();
        s.push(0, 1, None).unwrap();
        let sorted = s.sort(&|i| i.to_string()).unwrap();
        for scheme in [WeightScheme::Given, WeightScheme::Trivalency { seed: 1 }] {
            assert!(matches!(
                sorted.write(&path, &scheme, Vec::new()),
                Err(Error::InvalidParameter { .. })
            ));
        }
        assert!(!path.exists());
        // an unwritable output names it, and leaves nothing behind
        let bad = dir.join("no-such-folder").join("x.rgraph");
        match sorted.write(&bad, &WeightScheme::WeightedCascade, Vec::new()) {
            Err(Error::Io { input, .. }) => assert!(input.contains("no-such-folder"), "{input}"),
            other => panic!("{:?}", other.err()),
        }
        drop(sorted);
        assert_eq!(std::fs::read_dir(&dir).unwrap().count(), 0);
        std::fs::remove_dir(&dir).unwrap();
    }
}
