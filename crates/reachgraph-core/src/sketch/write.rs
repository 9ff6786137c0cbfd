//! Building a graph's sketches straight into a file, one part of the accounts at a time, so
//! the memory held is the person hashes plus one part, not the whole set and its bytes.
//!
//! The file is byte for byte the one [`SketchSet::to_bytes`] gives for
//! [`SketchSet::from_graph`] on the same graph, accounts and parameters: the entries are
//! written in order as each part is built, the header (whose total length is known only at
//! the end) is written last over a placeholder, and the CRC-32 of the header and the entries
//! is the combination of the header's CRC with the CRC of the entries computed as they went.

use super::build::{account_list, person_hashes, Tally};
use super::format::{self, Header, CRC_BYTES, HEADER_BYTES, KIND_KMV};
use super::{SketchParams, SketchSet};
use crate::error::{Error, Result};
use crate::graph::Graph;
use crate::progress::Progress;
use std::io::{Seek, SeekFrom, Write};

/// Smallest working memory of one part (bytes), whatever the memory limit.
pub const MIN_PART_BYTES: u64 = 16 << 20;
/// Largest working memory of one part (bytes): larger parts save nothing measurable.
pub const MAX_PART_BYTES: u64 = 256 << 20;
/// Bytes per account of a part besides its hashes: its id and the part's per-account vectors
/// (an estimate: ids of generated graphs take 5-10 bytes).
const PART_BYTES_PER_ACCOUNT: u64 = 64;

/// What [`SketchSet::write_from_graph`] wrote.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WrittenSketches {
    /// Accounts sketched.
    pub accounts: u64,
    /// Accounts whose sketch holds fewer than `k` hashes (their whole audience, exact).
    pub exact_accounts: u64,
    /// Hashes stored, all accounts together.
    pub total_hashes: u64,
    /// Bytes of the file.
    pub bytes: u64,
    /// The file's CRC-32 (its last four bytes).
    pub checksum: u32,
}

/// The working memory of one part under the memory limit `limit`: a sixteenth of it, within
/// [`MIN_PART_BYTES`]..=[`MAX_PART_BYTES`].
pub fn part_bytes(limit: u64) -> u64 {
    (limit / 16).clamp(MIN_PART_BYTES, MAX_PART_BYTES)
}

impl SketchSet {
    /// Builds the sketches of `graph`'s accounts as [`SketchSet::from_graph`] does and writes
    /// them to `out` in the format of [`super::format`], one part of the accounts at a time.
    ///
    /// # Arguments
    /// - `accounts`, `params`, `progress`: as for [`SketchSet::from_graph`];
    /// - `memory_limit`: the limit in force (`None`: the default); a part is sized to
    ///   [`part_bytes`] of it;
    /// - `out`: where the file goes (written from its start; it must allow seeking back to
    ///   the start to write the header last); `output` names it in errors.
    ///
    /// # Returns
    /// What was written. The bytes equal `from_graph(..)?.to_bytes()` whatever the memory
    /// limit and the number of threads.
    ///
    /// # Errors
    /// As [`SketchSet::from_graph`]; [`Error::MemoryLimit`] when the person hashes (8 bytes
    /// per account of the graph) and one part do not fit the limit; [`Error::Io`] naming
    /// `output` when writing fails.
    ///
    /// # Complexity
    /// Time as [`SketchSet::from_graph`] plus one pass over the bytes written. Memory: 8 bytes
    /// per account of the graph, 4 per account sketched, and one part (the larger of
    /// [`part_bytes`] and one account's sketch); the graph as loaded is the caller's.
    pub fn write_from_graph<W: Write + Seek>(
        graph: &Graph,
        accounts: Option<&[u32]>,
        params: SketchParams,
        memory_limit: Option<u64>,
        out: W,
        output: &str,
        progress: &dyn Progress,
    ) -> Result<WrittenSketches> {
        params.validate()?;
        let part = part_bytes(crate::limits::memory_limit(memory_limit));
        write_parts(
            graph,
            accounts,
            params,
            memory_limit,
            part,
            out,
            output,
            progress,
        )
    }
}

/// [`SketchSet::write_from_graph`] with the part size given (tests use tiny parts).
#[allow(clippy::too_many_arguments)]
pub(crate) fn write_parts<W: Write + Seek>(
    graph: &Graph,
    accounts: Option<&[u32]>,
    params: SketchParams,
    memory_limit: Option<u64>,
    part: u64,
    out: W,
    output: &str,
    progress: &dyn Progress,
) -> Result<WrittenSketches> {
    params.validate()?;
    let accounts = account_list(graph, accounts)?;
    let accounts = &accounts[..];
    let n = graph.node_count() as u64;
    let fixed = crate::limits::bytes_of(n, 8)
        .saturating_add(crate::limits::bytes_of(accounts.len() as u64, 4))
        .saturating_add(part);
    crate::limits::check_memory(
        format!(
            "sketch build: the person hashes of {n} accounts and a part of {part} bytes \
             ({} accounts sketched)",
            accounts.len()
        ),
        fixed,
        memory_limit,
    )?;
    let io = |e: std::io::Error| Error::Io {
        input: output.to_string(),
        source: e,
    };
    let k = params.k();
    let ph = person_hashes(graph, params.seed);
    let total = accounts.len() as u64;
    let tally = Tally::start(total, progress)?;
    let header = Header {
        kind: KIND_KMV,
        lg_k: params.lg_k,
        seed: params.seed,
        accounts: total,
    };
    let mut w = std::io::BufWriter::with_capacity(1 << 20, out);
    // A placeholder until the total length is known; the checksum below does not cover it.
    w.write_all(&[0u8; HEADER_BYTES]).map_err(io)?;
    let mut body_crc = crc32fast::Hasher::new();
    let mut body_len = 0u64;
    let (mut exact, mut hashes) = (0u64, 0u64);
    let mut buf = Vec::new();
    // Each account costs its bound of hashes twice (built, then serialized) and a little more.
    let cost = |a: u32| 16 * graph.out_degree(a).min(k) as u64 + PART_BYTES_PER_ACCOUNT;
    let mut pos = 0;
    while pos < accounts.len() {
        let mut end = pos + 1;
        let mut used = cost(accounts[pos]);
        while end < accounts.len() {
            let c = cost(accounts[end]);
            if used + c > part {
                break;
            }
            used += c;
            end += 1;
        }
        let set = SketchSet::from_graph_part(graph, &accounts[pos..end], &ph, params, &tally)?;
        buf.clear();
        for i in 0..set.len() as u32 {
            let h = set.hashes(i);
            format::push_kmv_entry(&mut buf, set.account(i), set.records(i), h);
            hashes += h.len() as u64;
            exact += u64::from(h.len() < k);
        }
        drop(set);
        body_crc.update(&buf);
        w.write_all(&buf).map_err(io)?;
        body_len += buf.len() as u64;
        pos = end;
    }
    let bytes = (HEADER_BYTES + CRC_BYTES) as u64 + body_len;
    let head = format::header_bytes(header, bytes);
    let mut crc = crc32fast::Hasher::new();
    crc.update(&head);
    crc.combine(&body_crc);
    let checksum = crc.finalize();
    w.write_all(&checksum.to_le_bytes()).map_err(io)?;
    let mut out = w.into_inner().map_err(|e| io(e.into_error()))?;
    out.seek(SeekFrom::Start(0)).map_err(io)?;
    out.write_all(&head).map_err(io)?;
    out.seek(SeekFrom::End(0)).map_err(io)?;
    out.flush().map_err(io)?;
    Ok(WrittenSketches {
        accounts: total,
        exact_accounts: exact,
        total_hashes: hashes,
        bytes,
        checksum,
    })
}

#[cfg(test)]
mod tests {
    use super::{part_bytes, write_parts, MAX_PART_BYTES, MIN_PART_BYTES};
    use crate::sketch::{SketchParams, SketchSet};
    use crate::{Error, Graph, GraphBuilder, GraphOptions, NoProgress, Progress};
    use std::io::Cursor;

    /// A graph whose follower lists cross `k = 16` (lg_k 4) in both directions, with person
    /// labels linking accounts and repeated people among followers.
    fn graph(n: u32, seed: u64) -> Graph {
        let mut b = GraphBuilder::new(GraphOptions::default());
        let mut x = seed;
        let mut next = || {
            x = crate::rng::splitmix64(x);
            x
        };
        for u in 0..n {
            // Degrees 0..=40: some below k, some above, a few accounts with none.
            let d = next() % 41;
            for _ in 0..d {
                let v = next() % u64::from(n);
                if v != u64::from(u) {
                    b.add_edge(format!("a{u}").as_str(), format!("a{v}").as_str(), None)
                        .unwrap();
                }
            }
        }
        let (g, _) = b.build().unwrap();
        g
    }

    fn streamed(g: &Graph, accounts: Option<&[u32]>, p: SketchParams, part: u64) -> Vec<u8> {
        let mut out = Cursor::new(Vec::new());
        let w = write_parts(g, accounts, p, None, part, &mut out, "mem", &NoProgress).unwrap();
        let bytes = out.into_inner();
        assert_eq!(w.bytes, bytes.len() as u64);
        assert_eq!(w.checksum.to_le_bytes(), bytes[bytes.len() - 4..]);
        bytes
    }

    #[test]
    fn parts_write_the_bytes_of_the_whole_set() {
        let g = graph(300, 7);
        for lg_k in [4u8, 6, 14] {
            let p = SketchParams::new(lg_k, 11).unwrap();
            let whole = SketchSet::from_graph(&g, None, p, &NoProgress).unwrap();
            let want = whole.to_bytes();
            // One account per part, a few per part, everything in one part.
            for part in [1u64, 700, 5000, 1 << 30] {
                assert_eq!(streamed(&g, None, p, part), want, "lg_k {lg_k} part {part}");
            }
            let back = SketchSet::from_bytes(&want, "mem").unwrap();
            assert_eq!(back, whole);
        }
    }

    #[test]
    fn summary_counts_what_the_file_holds() {
        let g = graph(200, 3);
        let p = SketchParams::new(4, 5).unwrap();
        let mut out = Cursor::new(Vec::new());
        let w = write_parts(&g, None, p, None, 900, &mut out, "mem", &NoProgress).unwrap();
        let set = SketchSet::from_bytes(&out.into_inner(), "mem").unwrap();
        assert_eq!(w.accounts, set.len() as u64);
        assert_eq!(w.total_hashes, set.total_hashes() as u64);
        let exact = (0..set.len() as u32)
            .filter(|&i| set.hashes(i).len() < p.k())
            .count() as u64;
        assert_eq!(w.exact_accounts, exact);
        // The graph has accounts both above and below k, so both counts are informative.
        assert!(exact > 0 && exact < w.accounts, "{exact} of {}", w.accounts);
    }

    #[test]
    fn listed_accounts_in_their_order() {
        let g = graph(120, 9);
        let p = SketchParams::new(4, 1).unwrap();
        let list: Vec<u32> = (0..g.node_count() as u32).rev().step_by(3).collect();
        let want = SketchSet::from_graph(&g, Some(&list), p, &NoProgress)
            .unwrap()
            .to_bytes();
        assert_eq!(streamed(&g, Some(&list), p, 300), want);
        let dup = [list[0], list[0]];
        let e = write_parts(
            &g,
            Some(&dup),
            p,
            None,
            300,
            Cursor::new(Vec::new()),
            "m",
            &NoProgress,
        );
        assert!(matches!(e, Err(Error::DuplicateNode { .. })), "{e:?}");
    }

    #[test]
    fn same_bytes_on_one_and_two_threads() {
        let g = graph(400, 13);
        let p = SketchParams::new(5, 2).unwrap();
        let run = |threads: usize| {
            rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .unwrap()
                .install(|| streamed(&g, None, p, 2000))
        };
        assert_eq!(run(1), run(2));
    }

    #[test]
    fn a_limit_below_the_person_hashes_is_refused() {
        let g = graph(50, 1);
        let p = SketchParams::new(4, 1).unwrap();
        let mut out = Cursor::new(Vec::new());
        let e = SketchSet::write_from_graph(&g, None, p, Some(1 << 20), &mut out, "m", &NoProgress);
        assert!(matches!(e, Err(Error::MemoryLimit { .. })), "{e:?}");
        assert!(
            out.into_inner().is_empty(),
            "nothing written before the check"
        );
    }

    #[test]
    fn cancelling_stops_the_build() {
        struct StopAt(u64);
        impl Progress for StopAt {
            fn update(&self, _: &str, done: u64, _: u64) -> bool {
                done < self.0
            }
        }
        let g = graph(3000, 4);
        let p = SketchParams::new(4, 1).unwrap();
        let e = write_parts(
            &g,
            None,
            p,
            None,
            1000,
            Cursor::new(Vec::new()),
            "m",
            &StopAt(1),
        );
        assert!(matches!(e, Err(Error::Cancelled)), "{e:?}");
    }

    #[test]
    fn part_size_follows_the_limit_within_bounds() {
        assert_eq!(part_bytes(0), MIN_PART_BYTES);
        assert_eq!(part_bytes(u64::MAX), MAX_PART_BYTES);
        assert_eq!(part_bytes(1 << 30), 64 << 20);
    }
}
