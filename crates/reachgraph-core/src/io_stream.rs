//! [`convert_edge_list`]: a whitespace edge list (integer or text ids) written to a `.rgraph`
//! file in bounded memory, through [`crate::rgraph_build`], instead of building the graph.
//!
//! The lines are read under the rules and with the error messages of [`read_graph`] (the
//! same fields, comments, probability checks and line numbers). Ids are interned as they are
//! met (source then target, line by line: the order [`Graph::from_id_arrays`] uses), by a
//! direct table while they are small non-negative integers and a hash map otherwise. The file
//! is byte for byte the one [`rgraph::write`](crate::rgraph::write) writes for the graph the
//! in-memory reader builds.
//!
//! An attribute CSV is read by [`read_attributes`]'s rules against the ids alone, not a
//! graph: each id is looked up in the direct table the edges filled (when integer ids were
//! interned by hash, a binary search of the dense ids sorted by id; text ids, their own
//! index), and the columns go to
//! the file from where they were read. Beside the columns the file gives, it holds 4 bytes per
//! account and per row (to name the lines of errors) and each distinct name once (measured
//! at 100M and 1B edges in `docs/BENCHMARKS.md`).
//!
//! Integer ids that are not increasing get their order as well (`ids_int_order`, so that a
//! load neither sorts them nor builds a hash map): the direct table walked in id order, a block
//! at a time, or the dense ids sorted by id that the lookups hold already; no more memory.
//!
//! Text ids are streamed too: from the first id that is not an integer, every id is interned
//! by its text (the integers met before by their decimal spelling, as the in-memory reader
//! keeps them), each distinct id held once in one buffer ([`Names`]) with a hash index of the
//! dense ids ([`NameIndex`]), and the file gets the text id sections.
//!
//! Inputs this path does not take, answered [`Streamed::NotStreamable`] with the reason (the
//! caller then reads them in memory): an integer id beyond the 64-bit range while every id so
//! far is an integer (the in-memory reader keeps those as wide integers), `duplicates = error`
//! (whose error names the line of the second copy, which needs every edge seen so far), and
//! the trivalency and tier-rate schemes.

use super::*;
use crate::names::{NameIndex, Names};
use crate::rgraph_build::{self, EdgeSpill, StreamOptions, TailSection};
use crate::weights::WeightScheme;
use rayon::prelude::*;
use rustc_hash::FxHashMap;
use std::path::Path;

/// What [`convert_edge_list`] did.
#[derive(Debug)]
pub enum Streamed {
    /// The file was written: what reading did, and the scheme in force.
    Written(BuildReport, WeightScheme),
    /// Nothing was written; the reason this input needs the in-memory reader.
    NotStreamable(&'static str),
}

/// Integer ids in the order met: a direct table for small non-negative ids, a hash map once an
/// id is negative or far above the count so far.
struct IntIds {
    labels: Vec<i64>,
    table: Vec<u32>,
    map: Option<FxHashMap<i64, u32>>,
}

impl IntIds {
    fn intern(&mut self, v: i64) -> u32 {
        if let Some(map) = &mut self.map {
            let next = self.labels.len() as u32;
            let id = *map.entry(v).or_insert(next);
            if id == next {
                self.labels.push(v);
            }
            return id;
        }
        // Up to 4 slots per id (16 bytes), no more than the hash map's 16-20 bytes per id.
        let limit = (4 * (self.labels.len() as u64 + 1)).max(1 << 26);
        if v < 0 || v as u64 >= limit.min(u32::MAX as u64) {
            let mut map = FxHashMap::default();
            map.reserve(self.labels.len());
            for (i, &l) in self.labels.iter().enumerate() {
                map.insert(l, i as u32);
            }
            self.map = Some(map);
            self.table = Vec::new();
            return self.intern(v);
        }
        let i = v as usize;
        if i >= self.table.len() {
            self.table
                .resize((i + 1).next_power_of_two().max(1 << 16), u32::MAX);
        }
        if self.table[i] == u32::MAX {
            self.table[i] = self.labels.len() as u32;
            self.labels.push(v);
        }
        self.table[i]
    }
}

/// The ids met so far: integers, or text from the first id that is not one.
enum Ids {
    Int(IntIds),
    Text { names: Names, index: NameIndex },
}

impl Ids {
    fn len(&self) -> usize {
        match self {
            Ids::Int(ids) => ids.labels.len(),
            Ids::Text { names, .. } => names.len(),
        }
    }

    /// Text ids from here on: the integers so far become their decimal spelling, keeping their
    /// dense ids (the in-memory reader's rule).
    fn switch_to_text(&mut self) {
        if let Ids::Int(ids) = self {
            let mut names = Names::new();
            for &l in &ids.labels {
                names.push(l.to_string());
            }
            let index = NameIndex::of(&names);
            *self = Ids::Text { names, index };
        }
    }
}

/// The ids once all are read: their labels and the dense id of each, for the sort's errors,
/// the attribute reader and the id sections. Integer ids keep the direct table while they were
/// small, else the dense ids sorted by id (4 bytes per account, a binary search per lookup) in
/// place of the hash map; text ids keep the index they were interned with.
enum IdIndex {
    Table { labels: Vec<i64>, table: Vec<u32> },
    Sorted { labels: Vec<i64>, sorted: Vec<u32> },
    Text { names: Names, index: NameIndex },
}

impl IdIndex {
    fn of(ids: Ids) -> IdIndex {
        let IntIds { labels, table, map } = match ids {
            Ids::Int(ids) => ids,
            Ids::Text { names, index } => return IdIndex::Text { names, index },
        };
        if map.is_none() {
            return IdIndex::Table { labels, table };
        }
        drop(map);
        let mut sorted: Vec<u32> = (0..labels.len() as u32).collect();
        sorted.par_sort_unstable_by_key(|&i| labels[i as usize]);
        IdIndex::Sorted { labels, sorted }
    }

    /// The id of dense id `i` as the errors print it.
    fn label(&self, i: u32) -> String {
        match self {
            IdIndex::Table { labels, .. } | IdIndex::Sorted { labels, .. } => {
                labels[i as usize].to_string()
            }
            IdIndex::Text { names, .. } => names[i as usize].to_string(),
        }
    }

    /// The dense id of `token` (trimmed; as [`crate::ids::NodeIds::lookup`] reads ids).
    fn lookup(&self, token: &str) -> Option<u32> {
        let token = token.trim();
        match self {
            IdIndex::Text { names, index } => index.get(names, token),
            IdIndex::Table { table, .. } => {
                let v = crate::ids::parse_i64_id(token.as_bytes())?;
                usize::try_from(v)
                    .ok()
                    .and_then(|v| table.get(v))
                    .copied()
                    .filter(|&i| i != u32::MAX)
            }
            IdIndex::Sorted { labels, sorted } => {
                let v = crate::ids::parse_i64_id(token.as_bytes())?;
                let k = sorted.partition_point(|&i| labels[i as usize] < v);
                sorted.get(k).copied().filter(|&i| labels[i as usize] == v)
            }
        }
    }

    /// The id sections of the file: the integers (with the dense ids in increasing id order
    /// when the integers are not increasing: the table walked in order, a block at a time, or
    /// the sorted dense ids), or the text ids a block at a time.
    fn sections(&self) -> Vec<TailSection<'_>> {
        use crate::rgraph::SectionKind;
        let (labels, order) = match self {
            IdIndex::Text { names, .. } => return text_id_sections(names),
            IdIndex::Table { labels, table } => (labels, Order::Table(table)),
            IdIndex::Sorted { labels, sorted } => (labels, Order::Sorted(sorted)),
        };
        let mut s = vec![TailSection::bytes(
            SectionKind::IdsInt,
            8,
            rgraph_build::bytes_of(labels).into(),
        )];
        if labels.windows(2).any(|w| w[0] >= w[1]) {
            let len = 4 * labels.len() as u64;
            s.push(match order {
                Order::Sorted(sorted) => TailSection::bytes(
                    SectionKind::IdsIntOrder,
                    4,
                    rgraph_build::bytes_of(sorted).into(),
                ),
                Order::Table(table) => TailSection::new(SectionKind::IdsIntOrder, 4, len, |sink| {
                    let mut block = Vec::with_capacity(1 << 16);
                    for &d in table.iter().filter(|&&d| d != u32::MAX) {
                        block.push(d);
                        if block.len() == block.capacity() {
                            sink(rgraph_build::bytes_of(&block))?;
                            block.clear();
                        }
                    }
                    sink(rgraph_build::bytes_of(&block))
                }),
            });
        }
        s
    }
}

/// Where the dense ids in increasing id order come from.
enum Order<'a> {
    /// The direct table (indexed by id): its entries in order.
    Table(&'a [u32]),
    /// The dense ids sorted by id.
    Sorted(&'a [u32]),
}

/// Reads the edge list `reader` (gzip detected; `input` names it in errors) and writes it to
/// `out` as a `.rgraph` file, with the attributes CSV at `attributes` (keyed by id, as
/// [`read_attributes`] reads it) and `weights` in force (default: the given probabilities,
/// else constant 1, as read). See the module docs for what it does not take.
///
/// # Errors
/// The errors of [`read_graph`] for the same lines ([`Error::Parse`] with the line), of
/// [`read_attributes`] and [`Graph::set_attributes`] for the attributes, [`Error::Io`] naming
/// the file that could not be read or written.
pub fn convert_edge_list<R: Read>(
    reader: R,
    input: &str,
    graph: GraphOptions,
    attributes: Option<&str>,
    weights: Option<&WeightScheme>,
    out: &Path,
    options: StreamOptions,
) -> Result<Streamed> {
    if graph.duplicates == DuplicatePolicy::Error {
        return Ok(Streamed::NotStreamable(
            "duplicates = error names the line of a duplicate, which needs every edge read so far",
        ));
    }
    if matches!(
        weights,
        Some(WeightScheme::Trivalency { .. } | WeightScheme::TierRates { .. })
    ) {
        return Ok(Streamed::NotStreamable(
            "trivalency and tier-rate probabilities are computed on the built graph",
        ));
    }
    let options = StreamOptions { graph, ..options };
    let mut reader = maybe_gunzip(reader, input)?;
    let mut ids = Ids::Int(IntIds {
        labels: Vec::new(),
        table: Vec::new(),
        map: None,
    });
    let mut spill: Option<EdgeSpill> = None;
    let mut with_probs: Option<bool> = None;
    let mut buf = Vec::with_capacity(256);
    let mut line = 0u64;
    loop {
        buf.clear();
        let got = reader
            .read_until(b'\n', &mut buf)
            .map_err(|e| io_err(input, e))?;
        if got == 0 {
            break;
        }
        line += 1;
        let Some((first, second, p)) = edge_fields(&buf, input, line)? else {
            continue;
        };
        let (du, dv) = match (&mut ids, parse_i64_id(first), parse_i64_id(second)) {
            (Ids::Int(int), Some(u), Some(v)) => {
                check_edge_probability(&mut with_probs, u, v, p, input, line)?;
                (int.intern(u), int.intern(v))
            }
            (Ids::Int(_), ..)
                if [first, second].iter().any(|t| {
                    parse_i64_id(t).is_none() && crate::ids::parse_int_id(t).is_some()
                }) =>
            {
                return Ok(Streamed::NotStreamable(
                    "an integer id beyond 64 bits among integer ids: read in memory as a wide \
                     integer",
                ));
            }
            _ => {
                let utf8 = |t| {
                    std::str::from_utf8(t).map_err(|_| Error::parse(input, line, "id is not UTF-8"))
                };
                let (u, v) = (utf8(first)?, utf8(second)?);
                ids.switch_to_text();
                let Ids::Text { names, index } = &mut ids else {
                    unreachable!("made text above")
                };
                let (du, dv) = (index.code_of(names, u), index.code_of(names, v));
                check_edge_probability(&mut with_probs, u, v, p, input, line)?;
                (du, dv)
            }
        };
        let s = match &mut spill {
            Some(s) => s,
            None => spill.insert(EdgeSpill::new(u32::MAX, p.is_some(), out, options.clone())?),
        };
        s.push(du, dv, p.map(|p| p as f32))
            .map_err(|e| with_line(e, input, line))?;
    }
    let n = ids.len();
    if n as u64 >= u32::MAX as u64 {
        return Err(Error::invalid_parameter(
            "accounts",
            n,
            "graphs over 4,294,967,294 accounts are not supported",
        ));
    }
    let mut spill = match spill {
        Some(s) => s,
        None => EdgeSpill::new(0, false, out, options)?,
    };
    spill.set_node_count(n as u32)?;
    // Before the merge: an integer id hash map is dropped here, not held through it.
    let index = IdIndex::of(ids);
    let sorted = spill.sort(&|i| index.label(i))?;
    let given = with_probs == Some(true);
    let scheme = match weights {
        Some(w) => w.clone(),
        None if given => WeightScheme::Given,
        None => WeightScheme::Constant { p: 1.0 },
    };
    if matches!(scheme, WeightScheme::Given) && !given {
        return Err(Error::invalid_parameter(
            "weights",
            "given",
            "the input gave no probabilities",
        ));
    }
    // The attribute CSV read against the ids (no graph is built): its columns, 4 bytes per
    // account and per row to name error lines, the person names once each.
    let attrs = match attributes {
        Some(path) => {
            let f = std::fs::File::open(path).map_err(|e| io_err(path, e))?;
            let lookup = |id: &str| index.lookup(id);
            let a = read_attributes_by(f, path, &lookup, Attributes::new(n), None)?;
            // The checks setting them on a graph runs (the reader has checked each value as
            // read; these keep the two paths' errors the same should either change).
            a.validate_values(&|i| index.label(i))?;
            Some(a)
        }
        None => None,
    };
    let mut tail = index.sections();
    if let Some(a) = &attrs {
        tail.extend(rgraph_build::attribute_sections(a));
    }
    sorted.write(out, &scheme, tail)?;
    Ok(Streamed::Written(sorted.report().clone(), scheme))
}

/// The text id sections of `names` (as [`rgraph_build::id_sections`] writes them for text
/// ids: `n + 1` byte offsets, then the ids' bytes back to back), written a block at a time
/// from the names as held, not built whole.
fn text_id_sections(names: &Names) -> Vec<TailSection<'_>> {
    const BLOCK: usize = 1 << 16;
    let total: u64 = names.iter().map(|s| s.len() as u64).sum();
    let offsets = TailSection::new(
        crate::rgraph::SectionKind::IdsTextOffsets,
        8,
        8 * (names.len() as u64 + 1),
        move |sink| {
            let mut block: Vec<u64> = Vec::with_capacity(BLOCK);
            let mut at = 0u64;
            block.push(0);
            for s in names.iter() {
                at += s.len() as u64;
                block.push(at);
                if block.len() == BLOCK {
                    sink(rgraph_build::bytes_of(&block))?;
                    block.clear();
                }
            }
            sink(rgraph_build::bytes_of(&block))
        },
    );
    let text = TailSection::new(crate::rgraph::SectionKind::IdsText, 1, total, move |sink| {
        let mut block: Vec<u8> = Vec::with_capacity(8 * BLOCK);
        for s in names.iter() {
            block.extend_from_slice(s.as_bytes());
            if block.len() >= 8 * BLOCK {
                sink(&block)?;
                block.clear();
            }
        }
        sink(&block)
    });
    vec![offsets, text]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dir(name: &str) -> std::path::PathBuf {
        let d = std::env::temp_dir().join(format!("rg-conv-{name}-{}", std::process::id()));
        std::fs::create_dir_all(&d).unwrap();
        d
    }

    /// The streamed file equals `rgraph::write` of the graph the in-memory reader builds
    /// (attributes and weights applied as `convert` applies them).
    #[test]
    fn streamed_convert_writes_the_file_of_the_in_memory_reader() {
        let d = dir("same");
        let attrs_path = d.join("a.csv");
        std::fs::write(
            &attrs_path,
            "id,platform,cost,followers\n7,ig,12.5,1000\n-3,tt,,\n100000000,ig,3,\n",
        )
        .unwrap();
        let attrs_str = attrs_path.to_str().unwrap();
        // Keyed by text ids, and by an integer met before the first text id (" 9 ": trimmed).
        let text_attrs_path = d.join("t.csv");
        std::fs::write(
            &text_attrs_path,
            "id,platform,person,jurisdiction\nig:a,ig,p,PA\n 9 ,tt,p,PA\n007,x,,\n",
        )
        .unwrap();
        let text_attrs_str = text_attrs_path.to_str().unwrap();
        let texts = [
            // small dense ids, a comment, a self-loop and a duplicate
            "# header\n0 1\n1 2\n2 0\n1 2\n3 3\n2 5\n",
            // probabilities, duplicates merged by the policy
            "0 1 0.5\n0 1 0.25\n1 0 1\n2 1 0\n",
            // negative and huge ids (the hash map path), tabs and CRLF
            "7\t-3\r\n-3 100000000\r\n100000000 7\n7 -3\n",
            "",
            // text ids from the third line: the integers before keep their dense ids and are
            // spelled as text; "007" and "-0" are text; a 20-digit integer among text ids
            "5 9\n9 5\n9 ig:a\nig:a tt:b\n5 -0\n007 5\ntt:b 12345678901234567890\nig:a tt:b\n",
            // text ids with probabilities, duplicates merged
            "a b 0.5\nb c 1\na b 0.75\nc a 0\n",
            // one probability on every edge (what `generate` writes), with a duplicate and a
            // self-loop: stored once, without a column or the in -> out map
            "0 1 1\n1 2 1\n2 0 1\n1 2 1\n3 3 1\n2 5 1\n",
            "ig:p4 ig:p9 1\nig:p9 ig:p1 1\nig:p1 ig:p4 1\nig:p4 ig:p9 1\n",
            "0 1 0.5\n1 2 0.5\n0 1 0.5\n",
            // equal until the last edge: still a column
            "0 1 1\n1 2 1\n2 3 1\n3 4 0.5\n",
        ];
        let mut checked = 0;
        for (t, text) in texts.iter().enumerate() {
            for undirected in [false, true] {
                for duplicates in [DuplicatePolicy::Max, DuplicatePolicy::Last] {
                    for weights in [None, Some(WeightScheme::WeightedCascade)] {
                        for with_attrs in [false, true] {
                            let attrs_for = match t {
                                2 => attrs_str,
                                4 => text_attrs_str,
                                _ => "",
                            };
                            if with_attrs && attrs_for.is_empty() {
                                continue;
                            }
                            let options = GraphOptions {
                                undirected,
                                duplicates,
                            };
                            let (mut g, report) =
                                read_graph(text.as_bytes(), "in", EdgeFormat::EdgeList, options)
                                    .unwrap();
                            if with_attrs {
                                let a = read_attributes(
                                    std::fs::File::open(attrs_for).unwrap(),
                                    attrs_for,
                                    &g,
                                )
                                .unwrap();
                                g.set_attributes(a).unwrap();
                            }
                            if let Some(w) = &weights {
                                g.set_weights(w).unwrap();
                            }
                            let want = crate::rgraph::to_bytes(&g);
                            let back = crate::rgraph::from_bytes(
                                &want,
                                "in",
                                &crate::rgraph::ReadOptions::default(),
                            )
                            .unwrap();
                            assert_eq!(
                                back.has_per_edge_given_probabilities(),
                                [1, 5, 9].contains(&t),
                                "text {t}"
                            );
                            assert_eq!(
                                back.has_given_probabilities(),
                                [1, 5, 6, 7, 8, 9].contains(&t)
                            );
                            let out = d.join("o.rgraph");
                            for memory in [rgraph_build::DEFAULT_MEMORY, 40] {
                                let done = convert_edge_list(
                                    text.as_bytes(),
                                    "in",
                                    options,
                                    with_attrs.then_some(attrs_for),
                                    weights.as_ref(),
                                    &out,
                                    StreamOptions {
                                        memory,
                                        ..StreamOptions::default()
                                    },
                                )
                                .unwrap();
                                let Streamed::Written(r, scheme) = done else {
                                    panic!("not streamed")
                                };
                                assert_eq!(r, report);
                                assert_eq!(&scheme, g.weight_scheme());
                                let got = std::fs::read(&out).unwrap();
                                assert!(got == want, "text {t} {options:?} {weights:?}");
                                checked += 1;
                            }
                        }
                    }
                }
            }
        }
        assert_eq!(checked, 10 * 2 * 2 * 2 * 2 + 2 * 2 * 2 * 2 * 2);
        std::fs::remove_file(d.join("o.rgraph")).unwrap();
        std::fs::remove_file(&attrs_path).unwrap();
        std::fs::remove_file(&text_attrs_path).unwrap();
        assert_eq!(std::fs::read_dir(&d).unwrap().count(), 0);
        std::fs::remove_dir(&d).unwrap();
    }

    #[test]
    fn bad_lines_give_the_in_memory_readers_errors_and_leave_nothing() {
        let d = dir("bad");
        let out = d.join("o.rgraph");
        for text in [
            "0 1\n1\n",
            "0 1\n1 2 x\n",
            "0 1 0.5\n1 2\n",
            "0 1 1.5\n",
            "0 1 0.5 7\n",
            // text ids: the same rules, the ids printed as given
            "a b\nc\n",
            "a b 0.5\nb c\n",
            "0 1\n1 z 0.5\n",
            "x y 2\n",
            "x 7 0.5\n7 9 -1\n",
        ]
        .map(str::as_bytes)
        .into_iter()
        // an id that is not UTF-8, after text ids
        .chain([&b"a b\nc \xff\n"[..]])
        {
            let want = read_graph(text, "in", EdgeFormat::EdgeList, GraphOptions::default())
                .unwrap_err()
                .to_string();
            let got = convert_edge_list(
                text,
                "in",
                GraphOptions::default(),
                None,
                None,
                &out,
                StreamOptions::default(),
            )
            .unwrap_err()
            .to_string();
            assert_eq!(got, want);
        }
        for (text, options) in [
            ("1 12345678901234567890\n", GraphOptions::default()),
            (
                "0 1\n",
                GraphOptions {
                    undirected: false,
                    duplicates: DuplicatePolicy::Error,
                },
            ),
        ] {
            let r = convert_edge_list(
                text.as_bytes(),
                "in",
                options,
                None,
                None,
                &out,
                StreamOptions::default(),
            )
            .unwrap();
            assert!(matches!(r, Streamed::NotStreamable(_)));
        }
        assert_eq!(std::fs::read_dir(&d).unwrap().count(), 0);
        std::fs::remove_dir(&d).unwrap();
    }

    /// A bad attribute CSV gives the error the in-memory reader and `set_attributes` give (the
    /// same line, account and value), on both id indexes (direct table and sorted), and
    /// leaves no file behind.
    #[test]
    fn bad_attribute_rows_give_the_in_memory_errors_and_leave_nothing() {
        let d = dir("badattrs");
        let out = d.join("o.rgraph");
        let attrs = d.join("a.csv");
        let attrs_str = attrs.to_str().unwrap();
        let mut checked = 0;
        for edges in ["0 1\n1 2\n2 3\n", "10 -1\n-1 9000000000\n9000000000 7\n"] {
            let ids: Vec<&str> = edges.split_whitespace().collect();
            let (a, b, c) = (ids[0], ids[1], ids[3]);
            for csv in [
                format!("id,cost\n{a},1\n# c\n\n{b},2\n{a},3\n"),
                format!("id,cost\n{a},1\n77777,2\n"),
                format!("id,cost\n {a} ,1\n{b},-2\n"),
                format!("id,person,jurisdiction\n{b},p,PA\n\n{a},q,GA\n{c},p,MI\n"),
                format!("id,target_weight\n{a},1\n{c},1e300\n"),
                format!("id,tier\n{b},huge\n"),
                format!("id,costs\n{b},1\n"),
                format!("id,cost\n{a},1,2\n"),
            ] {
                std::fs::write(&attrs, &csv).unwrap();
                let (mut g, _) = read_graph(
                    edges.as_bytes(),
                    "in",
                    EdgeFormat::EdgeList,
                    GraphOptions::default(),
                )
                .unwrap();
                let want = read_attributes(csv.as_bytes(), attrs_str, &g)
                    .and_then(|x| g.set_attributes(x))
                    .unwrap_err()
                    .to_string();
                let got = convert_edge_list(
                    edges.as_bytes(),
                    "in",
                    GraphOptions::default(),
                    Some(attrs_str),
                    None,
                    &out,
                    StreamOptions::default(),
                )
                .unwrap_err()
                .to_string();
                assert_eq!(got, want, "{csv}");
                assert!(!out.exists());
                checked += 1;
            }
        }
        assert_eq!(checked, 16);
        std::fs::remove_file(&attrs).unwrap();
        assert_eq!(std::fs::read_dir(&d).unwrap().count(), 0);
        std::fs::remove_dir(&d).unwrap();
    }
}
