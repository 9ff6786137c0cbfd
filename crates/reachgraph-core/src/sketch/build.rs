//! Building sketches: one parallel pass over a graph, or a stream of `(account, follower)`
//! pairs read in chunks.

use super::kmv::bottom_k;
use super::set::SketchSet;
use super::{hash_key, hash_token, SketchParams};
use crate::attrs::NONE;
use crate::error::{Error, Result};
use crate::graph::Graph;
use crate::ids::NodeKey;
use crate::live_edge::prefetch;
use crate::progress::Progress;
use rayon::prelude::*;
use rustc_hash::FxHashMap;
use std::io::{BufRead, Read};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering::Relaxed};

/// Accounts per parallel work item when building from a graph.
const BUILD_CHUNK: usize = 1024;

/// How many followers ahead the build prefetches their person hashes.
const PREFETCH_AHEAD: usize = 64;

/// One chunk's output: account ids concatenated, their lengths, sketch lengths, and the
/// hashes it wrote at the start of its slice of the shared buffer.
type ChunkOut = (String, Vec<usize>, Vec<usize>, usize);

/// Progress across the parts of one build: accounts done so far, of `total`.
pub(crate) struct Tally<'a> {
    done: AtomicU64,
    total: u64,
    progress: &'a dyn Progress,
}

impl<'a> Tally<'a> {
    /// Tells `progress` that a build of `total` accounts starts (`("sketch", 0, total)`).
    ///
    /// # Errors
    /// [`Error::Cancelled`] when `progress` returns `false`.
    pub(crate) fn start(total: u64, progress: &'a dyn Progress) -> Result<Tally<'a>> {
        if !progress.update("sketch", 0, total) {
            return Err(Error::Cancelled);
        }
        Ok(Tally {
            done: AtomicU64::new(0),
            total,
            progress,
        })
    }
}

/// Removes repeats from a sorted slice in place; returns the number of distinct values, which
/// are then at its front.
fn dedup_sorted(v: &mut [u64]) -> usize {
    if v.is_empty() {
        return 0;
    }
    let mut w = 1;
    for r in 1..v.len() {
        if v[r] != v[w - 1] {
            v[w] = v[r];
            w += 1;
        }
    }
    w
}

/// Default bytes per chunk when reading a pair stream (the reader holds one chunk at a time).
pub const DEFAULT_STREAM_CHUNK: usize = 16 << 20;

/// Appends the decimal digits of `v` (the ids of large generated graphs are integers; this
/// is several times faster than `write!`).
fn push_int(s: &mut String, v: i64) {
    let mut buf = [0u8; 20];
    let mut i = buf.len();
    let mut u = v.unsigned_abs();
    loop {
        i -= 1;
        buf[i] = b'0' + (u % 10) as u8;
        u /= 10;
        if u == 0 {
            break;
        }
    }
    if v < 0 {
        s.push('-');
    }
    s.push_str(std::str::from_utf8(&buf[i..]).expect("ASCII digits"));
}

/// The person hash of every account of `graph`: the hash of its person label when it has one,
/// else of its own id ([`hash_key`]). Accounts of one person hash alike.
///
/// # Complexity
/// O(n) hashes, in parallel.
pub fn person_hashes(graph: &Graph, seed: u64) -> Vec<u64> {
    let person = &graph.attributes().person;
    let names = &person.names;
    let code_hash: Vec<u64> = (0..names.len())
        .into_par_iter()
        .with_min_len(4096)
        .map(|i| hash_token(seed, &names[i]))
        .collect();
    let ids = graph.ids();
    (0..graph.node_count() as u32)
        .into_par_iter()
        .with_min_len(4096)
        .map(|u| match person.codes[u as usize] {
            NONE => hash_key(seed, &ids.key(u)),
            c => code_hash[c as usize],
        })
        .collect()
}

/// The accounts to sketch: the given ones (checked) or every account.
pub(crate) fn account_list<'a>(
    graph: &Graph,
    accounts: Option<&'a [u32]>,
) -> Result<std::borrow::Cow<'a, [u32]>> {
    Ok(match accounts {
        Some(a) => {
            graph.check_nodes(a, "account list")?;
            std::borrow::Cow::Borrowed(a)
        }
        None => std::borrow::Cow::Owned((0..graph.node_count() as u32).collect()),
    })
}

impl SketchSet {
    /// Sketches of the people following each account of `graph`, in one parallel pass.
    ///
    /// # Arguments
    /// - `graph`: the follower graph (edge `u → v`: `v` follows `u`); followers are mapped to
    ///   their people ([`person_hashes`]), so an account's sketch counts people;
    /// - `accounts`: the accounts to sketch (distinct), or `None` for every account;
    /// - `params`: sketch size and hash seed;
    /// - `progress`: receives `("sketch", accounts done, accounts)`; returning `false` cancels.
    ///
    /// # Returns
    /// A [`SketchSet`] with the accounts in the order given (graph order for `None`), each with
    /// its out-degree as `records`.
    ///
    /// # Errors
    /// [`Error::InvalidParameter`] for bad `params`; [`Error::UnknownNode`] /
    /// [`Error::DuplicateNode`] for a bad account; [`Error::Cancelled`].
    ///
    /// # Complexity
    /// O(n + E + Σ_a d_a log min(d_a, k)) for n accounts and E follow edges of the sketched
    /// accounts, in parallel over fixed chunks of accounts; the result does not depend on the
    /// number of threads. Memory O(n) for the person hashes plus the sketches.
    pub fn from_graph(
        graph: &Graph,
        accounts: Option<&[u32]>,
        params: SketchParams,
        progress: &dyn Progress,
    ) -> Result<SketchSet> {
        params.validate()?;
        let accounts = account_list(graph, accounts)?;
        let accounts = &accounts[..];
        let ph = person_hashes(graph, params.seed);
        let tally = Tally::start(accounts.len() as u64, progress)?;
        SketchSet::from_graph_part(graph, accounts, &ph, params, &tally)
    }

    /// The sketches of `accounts` (checked, distinct) given every account's person hash `ph`:
    /// the work of [`SketchSet::from_graph`] for one part of the accounts. Reports progress
    /// through `tally`, whose count runs across parts.
    pub(crate) fn from_graph_part(
        graph: &Graph,
        accounts: &[u32],
        ph: &[u64],
        params: SketchParams,
        tally: &Tally<'_>,
    ) -> Result<SketchSet> {
        let k = params.k();
        let (done, total, progress) = (&tally.done, tally.total, tally.progress);
        let cancelled = AtomicBool::new(false);
        let ids = graph.ids();
        // Each account keeps at most min(followers, k) hashes: give every chunk a slice of
        // one buffer that size and let it write its sketches there, so no hash is copied
        // twice and no per-chunk vector grows (page faults and copies were most of the
        // assembly's time). Only where a sketch lost repeats to dedup is a chunk shifted down.
        let bound = |a: u32| graph.out_degree(a).min(k);
        let chunk_bound: Vec<usize> = accounts
            .par_chunks(BUILD_CHUNK)
            .map(|c| c.iter().map(|&a| bound(a)).sum())
            .collect();
        let mut hashes = vec![0u64; chunk_bound.iter().sum()];
        let mut slices = Vec::with_capacity(chunk_bound.len());
        let mut rest = &mut hashes[..];
        for &b in &chunk_bound {
            let (head, tail) = rest.split_at_mut(b);
            slices.push(head);
            rest = tail;
        }
        let parts: Vec<ChunkOut> = accounts
            .par_chunks(BUILD_CHUNK)
            .zip(slices)
            .map(|(chunk, dst)| {
                let mut names = String::new();
                let mut name_len = Vec::with_capacity(chunk.len());
                let mut lens = Vec::with_capacity(chunk.len());
                if cancelled.load(Relaxed) {
                    return (names, name_len, lens, 0);
                }
                let mut scratch = Vec::new();
                let mut pos = 0;
                // The gather of person hashes is random access into an array far larger than
                // the caches and most of the build's time: prefetch a fixed distance ahead,
                // across account boundaries (most accounts have a handful of followers).
                let mut ahead = chunk.iter().flat_map(|&a| graph.followers(a));
                for &v in ahead.by_ref().take(PREFETCH_AHEAD) {
                    prefetch(&ph[v as usize]);
                }
                let mut gather = |v: u32| {
                    if let Some(&w) = ahead.next() {
                        prefetch(&ph[w as usize]);
                    }
                    ph[v as usize]
                };
                for &a in chunk {
                    let f = graph.followers(a);
                    let len = if f.len() <= k {
                        let out = &mut dst[pos..pos + f.len()];
                        for (o, &v) in out.iter_mut().zip(f) {
                            *o = gather(v);
                        }
                        out.sort_unstable();
                        dedup_sorted(out)
                    } else {
                        scratch.clear();
                        scratch.extend(f.iter().map(|&v| gather(v)));
                        bottom_k(&mut scratch, k);
                        dst[pos..pos + scratch.len()].copy_from_slice(&scratch);
                        scratch.len()
                    };
                    lens.push(len);
                    pos += len;
                    let before = names.len();
                    match ids.key(a) {
                        NodeKey::Int(v) => push_int(&mut names, v),
                        NodeKey::UInt(v) => names.push_str(&v.to_string()),
                        NodeKey::Str(s) => names.push_str(&s),
                    }
                    name_len.push(names.len() - before);
                }
                let d = done.fetch_add(chunk.len() as u64, Relaxed) + chunk.len() as u64;
                if !progress.update("sketch", d, total) {
                    cancelled.store(true, Relaxed);
                }
                (names, name_len, lens, pos)
            })
            .collect();
        if cancelled.load(Relaxed) {
            return Err(Error::Cancelled);
        }
        let mut hash_base = Vec::with_capacity(parts.len());
        let mut name_base = Vec::with_capacity(parts.len());
        let (mut hb, mut nb, mut src) = (0usize, 0usize, 0usize);
        for (p, &b) in parts.iter().zip(&chunk_bound) {
            if src != hb {
                hashes.copy_within(src..src + p.3, hb);
            }
            hash_base.push(hb);
            name_base.push(nb);
            hb += p.3;
            src += b;
            nb += p.0.len();
        }
        hashes.truncate(hb);
        let offsets: Vec<usize> = std::iter::once(0)
            .chain(
                parts
                    .par_iter()
                    .zip(&hash_base)
                    .flat_map_iter(|(p, &b)| {
                        p.2.iter().scan(b, |acc, &l| {
                            *acc += l;
                            Some(*acc)
                        })
                    })
                    .collect::<Vec<usize>>(),
            )
            .collect();
        let name_off: Vec<usize> = std::iter::once(0)
            .chain(
                parts
                    .par_iter()
                    .zip(&name_base)
                    .flat_map_iter(|(p, &b)| {
                        p.1.iter().scan(b, |acc, &l| {
                            *acc += l;
                            Some(*acc)
                        })
                    })
                    .collect::<Vec<usize>>(),
            )
            .collect();
        let mut names = String::with_capacity(nb);
        for p in &parts {
            names.push_str(&p.0);
        }
        drop(parts);
        let records = accounts
            .par_iter()
            .map(|&a| graph.out_degree(a) as u64)
            .collect();
        Ok(SketchSet::from_parts(
            params, names, name_off, records, offsets, hashes,
        ))
    }
}

impl SketchSet {
    /// Sketches from two aligned integer arrays: `followers[i]` follows `accounts[i]`
    /// (followers are person ids, hashed as integers with [`hash_key`]).
    ///
    /// # Returns
    /// A [`SketchSet`] of every account that appears, in ascending id order (ids written in
    /// decimal), each with its number of pairs as `records`.
    ///
    /// # Errors
    /// [`Error::InvalidParameter`] for bad `params`; [`Error::LengthMismatch`] when the arrays
    /// differ in length.
    ///
    /// # Complexity
    /// O(P log P) for P pairs (one parallel sort), 16 bytes per pair of working memory.
    pub fn from_id_pairs(
        accounts: &[i64],
        followers: &[i64],
        params: SketchParams,
    ) -> Result<SketchSet> {
        params.validate()?;
        if accounts.len() != followers.len() {
            return Err(Error::LengthMismatch {
                column: "followers".into(),
                got: followers.len(),
                expected: accounts.len(),
            });
        }
        let seed = params.seed;
        let mut pairs: Vec<(i64, u64)> = accounts
            .par_iter()
            .zip(followers.par_iter())
            .map(|(&a, &f)| (a, super::hash_int(seed, f)))
            .collect();
        pairs.par_sort_unstable();
        let mut starts: Vec<usize> = (0..pairs.len())
            .into_par_iter()
            .with_min_len(1 << 16)
            .filter(|&i| i == 0 || pairs[i - 1].0 != pairs[i].0)
            .collect();
        starts.push(pairs.len());
        let k = params.k();
        let runs: Vec<(i64, u64, Vec<u64>)> = starts
            .par_windows(2)
            .with_min_len(256)
            .map(|w| {
                let run = &pairs[w[0]..w[1]];
                let mut h: Vec<u64> = run.iter().map(|p| p.1).collect();
                // Sorted already: the k smallest distinct values are a dedup of the front.
                h.dedup();
                h.truncate(k);
                (run[0].0, run.len() as u64, h)
            })
            .collect();
        drop(pairs);
        let mut names = String::new();
        let mut name_off = Vec::with_capacity(runs.len() + 1);
        let mut records = Vec::with_capacity(runs.len());
        let mut offsets = Vec::with_capacity(runs.len() + 1);
        let mut hashes = Vec::with_capacity(runs.iter().map(|r| r.2.len()).sum());
        name_off.push(0);
        offsets.push(0);
        for (a, n, h) in runs {
            push_int(&mut names, a);
            name_off.push(names.len());
            records.push(n);
            hashes.extend_from_slice(&h);
            offsets.push(hashes.len());
        }
        Ok(SketchSet::from_parts(
            params, names, name_off, records, offsets, hashes,
        ))
    }
}

/// Builds sketches from `(account, follower)` pairs that arrive in any order, in bounded
/// memory: each account keeps at most `2k` hashes between compactions.
///
/// The follower is a **person** id (or an account id standing for its own person): hash
/// consistently with the graph side by giving person labels where accounts are linked.
///
/// ```
/// use reachgraph_core::sketch::{SketchParams, StreamBuilder, union_reach};
/// let mut b = StreamBuilder::new(SketchParams::default()).unwrap();
/// b.read_pairs("a x\na y\nb y\n# comment\nb z\n".as_bytes(), "inline", 1 << 20,
///              &reachgraph_core::NoProgress).unwrap();
/// let set = b.finish();
/// let ab = set.resolve(&["a", "b"], "accounts").unwrap();
/// assert_eq!(union_reach(&set, &ab, 0.95).unwrap().unique_reach, 3.0);
/// ```
#[derive(Debug, Clone)]
pub struct StreamBuilder {
    params: SketchParams,
    names: Vec<String>,
    index: FxHashMap<String, u32>,
    bufs: Vec<Vec<u64>>,
    records: Vec<u64>,
    lines: u64,
}

impl StreamBuilder {
    /// An empty builder.
    ///
    /// # Errors
    /// [`Error::InvalidParameter`] for bad `params`.
    pub fn new(params: SketchParams) -> Result<Self> {
        params.validate()?;
        Ok(StreamBuilder {
            params,
            names: Vec::new(),
            index: FxHashMap::default(),
            bufs: Vec::new(),
            records: Vec::new(),
            lines: 0,
        })
    }

    fn intern(&mut self, account: &str) -> usize {
        if let Some(&i) = self.index.get(account) {
            return i as usize;
        }
        let i = self.names.len();
        self.names.push(account.to_string());
        self.index.insert(account.to_string(), i as u32);
        self.bufs.push(Vec::new());
        self.records.push(0);
        i
    }

    /// Adds one follower (already hashed with this builder's seed) of `account`.
    pub fn add_hash(&mut self, account: &str, hash: u64) {
        let i = self.intern(account);
        self.records[i] += 1;
        let k = self.params.k();
        let b = &mut self.bufs[i];
        b.push(hash);
        if b.len() >= 2 * k {
            bottom_k(b, k);
        }
    }

    /// Adds one follower of `account`.
    pub fn add(&mut self, account: &str, follower: &NodeKey) {
        self.add_hash(account, hash_key(self.params.seed, follower));
    }

    /// Reads `account follower` lines as [`StreamBuilder::read_pairs_limited`] does, under the
    /// default memory limit.
    ///
    /// # Errors
    /// As [`StreamBuilder::read_pairs_limited`].
    pub fn read_pairs<R: Read>(
        &mut self,
        reader: R,
        input: &str,
        chunk_bytes: usize,
        progress: &dyn Progress,
    ) -> Result<u64> {
        self.read_pairs_limited(reader, input, chunk_bytes, None, progress)
    }

    /// Reads `account follower` lines (whitespace or comma separated; `#`/`%` comments and
    /// blank lines skipped; gzip detected) in chunks of about `chunk_bytes`, parsing each chunk
    /// in parallel. Returns the number of pairs read. `chunk_bytes` lies in
    /// [`crate::limits::MIN_CHUNK_BYTES`]..=[`crate::limits::MAX_CHUNK_BYTES`]; twice it must fit
    /// `memory_limit` (`None`: the default limit).
    ///
    /// # Errors
    /// [`Error::InvalidParameter`] naming `chunk_bytes` out of range; [`Error::MemoryLimit`];
    /// [`Error::Parse`] naming the line for a line without exactly two fields;
    /// [`Error::Io`] when reading fails (a truncated gzip stream included);
    /// [`Error::Cancelled`] when `progress` (called with `("sketch stream", bytes, 0)`)
    /// returns `false`.
    pub fn read_pairs_limited<R: Read>(
        &mut self,
        reader: R,
        input: &str,
        chunk_bytes: usize,
        memory_limit: Option<u64>,
        progress: &dyn Progress,
    ) -> Result<u64> {
        crate::limits::check_range(
            "chunk_bytes",
            chunk_bytes as u64,
            crate::limits::MIN_CHUNK_BYTES,
            crate::limits::MAX_CHUNK_BYTES,
        )?;
        // A chunk is held with its parsed pairs (about as large again) at a time.
        crate::limits::check_memory(
            format!("a read chunk of {chunk_bytes} bytes"),
            (chunk_bytes as u64).saturating_mul(2),
            memory_limit,
        )?;
        let mut r = crate::io::maybe_gunzip(reader, input)?;
        let mut carry: Vec<u8> = Vec::new();
        let mut pairs = 0u64;
        let mut bytes = 0u64;
        let io_err = |e| Error::Io {
            input: input.to_string(),
            source: e,
        };
        loop {
            let mut block = std::mem::take(&mut carry);
            let start = block.len();
            // Grown as bytes arrive, so a small input never costs a whole chunk.
            let filled = start
                + Read::take(&mut r, chunk_bytes as u64)
                    .read_to_end(&mut block)
                    .map_err(io_err)?;
            let eof = filled < start + chunk_bytes;
            if !eof {
                // Complete lines only; the partial last line goes to the next block.
                match block.iter().rposition(|&c| c == b'\n') {
                    Some(p) => carry = block.split_off(p + 1),
                    None => {
                        // One line longer than the chunk: read the rest of it.
                        r.read_until(b'\n', &mut block).map_err(io_err)?;
                    }
                }
            }
            bytes += block.len() as u64;
            pairs += self.add_block(&block, input)?;
            if !progress.update("sketch stream", bytes, 0) {
                return Err(Error::Cancelled);
            }
            if eof {
                return Ok(pairs);
            }
        }
    }

    /// Parses one block of complete lines in parallel and adds its pairs in order.
    fn add_block(&mut self, block: &[u8], input: &str) -> Result<u64> {
        let mut starts = vec![0usize];
        starts.extend(
            block
                .iter()
                .enumerate()
                .filter(|(_, &c)| c == b'\n')
                .map(|(i, _)| i + 1),
        );
        if *starts.last().expect("one start") < block.len() {
            starts.push(block.len());
        }
        let first_line = self.lines;
        let n_lines = starts.len() - 1;
        self.lines += n_lines as u64;
        let seed = self.params.seed;
        let per = n_lines
            .div_ceil(rayon::current_num_threads().max(1) * 4)
            .max(1024);
        let parsed: Vec<Result<Vec<(&str, u64)>>> = (0..n_lines)
            .step_by(per)
            .collect::<Vec<_>>()
            .into_par_iter()
            .map(|from| {
                let to = (from + per).min(n_lines);
                let mut out = Vec::with_capacity(to - from);
                for l in from..to {
                    let line = &block[starts[l]..starts[l + 1]];
                    let lineno = first_line + l as u64 + 1;
                    if let Some(p) = parse_pair(line, input, lineno, seed)? {
                        out.push(p);
                    }
                }
                Ok(out)
            })
            .collect();
        let mut n = 0;
        for part in parsed {
            for (account, h) in part? {
                self.add_hash(account, h);
                n += 1;
            }
        }
        Ok(n)
    }

    /// The sketches of every account seen, in order of first appearance.
    pub fn finish(self) -> SketchSet {
        let k = self.params.k();
        let mut bufs = self.bufs;
        bufs.par_iter_mut().for_each(|b| bottom_k(b, k));
        let mut names = String::new();
        let mut name_off = vec![0];
        for n in &self.names {
            names.push_str(n);
            name_off.push(names.len());
        }
        let mut offsets = vec![0];
        let mut hashes = Vec::with_capacity(bufs.iter().map(Vec::len).sum());
        for b in bufs {
            hashes.extend_from_slice(&b);
            offsets.push(hashes.len());
        }
        SketchSet::from_parts(self.params, names, name_off, self.records, offsets, hashes)
    }
}

/// One `account follower` line: `None` for a blank or comment line.
fn parse_pair<'a>(
    line: &'a [u8],
    input: &str,
    lineno: u64,
    seed: u64,
) -> Result<Option<(&'a str, u64)>> {
    let mut toks = line
        .split(|c| matches!(c, b' ' | b'\t' | b'\r' | b'\n' | b','))
        .filter(|t| !t.is_empty());
    let Some(first) = toks.next() else {
        return Ok(None);
    };
    if first[0] == b'#' || first[0] == b'%' {
        return Ok(None);
    }
    let utf8 = |t: &'a [u8]| {
        std::str::from_utf8(t).map_err(|_| Error::parse(input, lineno, "id is not UTF-8"))
    };
    let account = utf8(first)?;
    let Some(second) = toks.next() else {
        return Err(Error::parse(
            input,
            lineno,
            format!("expected `account follower`, found one field {account:?}"),
        ));
    };
    if toks.next().is_some() {
        return Err(Error::parse(
            input,
            lineno,
            "more than two fields; expected `account follower`",
        ));
    }
    Ok(Some((account, hash_token(seed, utf8(second)?))))
}

#[cfg(test)]
mod tests {
    use super::{dedup_sorted, push_int};

    #[test]
    fn dedup_in_place() {
        for (mut v, want) in [
            (vec![], vec![]),
            (vec![1u64], vec![1]),
            (vec![1, 1, 2, 3, 3, 3, 9], vec![1, 2, 3, 9]),
        ] {
            let n = dedup_sorted(&mut v);
            assert_eq!(&v[..n], &want[..]);
        }
    }

    #[test]
    fn integers_format_like_display() {
        for v in [0i64, 7, -7, 10, 1_234_567_890, i64::MAX, i64::MIN] {
            let mut s = String::from("x");
            push_int(&mut s, v);
            assert_eq!(s, format!("x{v}"));
        }
    }
}
