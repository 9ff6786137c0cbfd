//! Readers: edge lists, CSV edges, node attributes, id lists. All read from `Read`.
//!
//! - **Edge lists** (SNAP style): one edge `u v [p]` per line, separated by spaces or tabs;
//!   `#` and `%` start comment lines; blank lines and CRLF endings are fine. `u v` means *v
//!   follows u* (what `u` posts can reach `v`), the convention of the influence-maximization
//!   benchmark files. The optional third column is the edge probability: every line or none.
//! - **CSV edges**: a header naming `source` and `target` (aliases `src`/`from`/`u`,
//!   `dst`/`to`/`v`) and optionally `p` (aliases `prob`, `probability`).
//!   Any other column is an error naming it.
//! - **Attributes CSV**: a header with `id` (aliases `account`, `node`) and any of `platform`,
//!   `person` (alias `person_id`), `jurisdiction` (alias `state`), `target_weight` (alias
//!   `target`), `cost`, `followers` (alias `follower_count`), `tier`. Any other column is an
//!   error naming it. Empty cells are missing values.
//! - **Id lists** (seeds, candidates, accounts): one id per line, `#` comments.
//!
//! Ids follow the one rule of [`crate::ids`]: an id is its trimmed text. Gzip input is
//! detected by its magic bytes ([`maybe_gunzip`]); a UTF-8 byte order mark at the start of a
//! file (after decompression) is skipped, once, by every reader. Every error names the input
//! and the 1-based line, and echoes input values through [`crate::error::echo`].

use crate::attrs::{Attributes, Tier, NONE};
use crate::error::{echo, Error, Result};
use crate::graph::{BuildReport, DuplicatePolicy, Graph, GraphBuilder, GraphOptions};
use crate::ids::parse_i64_id;
use rustc_hash::FxHashSet;
use serde::{Deserialize, Serialize};
use std::io::{BufRead, BufReader, Read};

const BOM: &[u8] = b"\xEF\xBB\xBF";

/// Skips a UTF-8 byte order mark at the start of `r` (editors on Windows write one).
fn skip_bom<R: BufRead + ?Sized>(r: &mut R, input: &str) -> Result<()> {
    let head = r.fill_buf().map_err(|e| io_err(input, e))?;
    if head.starts_with(BOM) {
        r.consume(BOM.len());
    }
    Ok(())
}

/// An edge as the text of its two ids.
type EdgeText = (Box<[u8]>, Box<[u8]>);

/// Under [`DuplicatePolicy::Error`], the edges read so far, by the text of their ids (which is
/// what makes ids equal), so that the second copy of an edge is reported at its own line: the
/// graph builder only finds it after the whole file is read.
struct SeenEdges {
    set: Option<FxHashSet<EdgeText>>,
    undirected: bool,
}

impl SeenEdges {
    fn new(options: GraphOptions) -> Self {
        SeenEdges {
            set: (options.duplicates == DuplicatePolicy::Error).then(FxHashSet::default),
            undirected: options.undirected,
        }
    }

    fn check(&mut self, u: &[u8], v: &[u8], input: &str, line: u64) -> Result<()> {
        let Some(set) = &mut self.set else {
            return Ok(());
        };
        if u == v {
            return Ok(()); // self-loops are dropped, never duplicates
        }
        let (a, b) = if self.undirected && u > v {
            (v, u)
        } else {
            (u, v)
        };
        if set.insert((a.into(), b.into())) {
            return Ok(());
        }
        Err(Error::DuplicateEdge {
            from: String::from_utf8_lossy(u).into_owned(),
            to: String::from_utf8_lossy(v).into_owned(),
            at: Some(format!("{input}:{line}: ")),
        })
    }
}

#[path = "io_stream.rs"]
mod stream;
pub use stream::{convert_edge_list, Streamed};

/// The format of an edge file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EdgeFormat {
    /// Whitespace-separated `u v [p]` lines.
    #[default]
    EdgeList,
    /// CSV with a header.
    Csv,
}

impl EdgeFormat {
    /// The format a file name suggests: `.csv` or `.csv.gz` is CSV, anything else an edge list.
    pub fn from_path(path: &str) -> EdgeFormat {
        let p = path.to_ascii_lowercase();
        if p.ends_with(".csv") || p.ends_with(".csv.gz") {
            EdgeFormat::Csv
        } else {
            EdgeFormat::EdgeList
        }
    }
}

/// Wraps a reader so that gzip input (magic bytes `1f 8b`) is decompressed transparently.
pub fn maybe_gunzip<'a, R: Read + 'a>(reader: R, input: &str) -> Result<Box<dyn BufRead + 'a>> {
    let mut r = BufReader::with_capacity(1 << 16, reader);
    let head = r.fill_buf().map_err(|e| io_err(input, e))?;
    let mut out: Box<dyn BufRead + 'a> = if head.len() >= 2 && head[0] == 0x1f && head[1] == 0x8b {
        Box::new(BufReader::with_capacity(
            1 << 16,
            flate2::bufread::MultiGzDecoder::new(r),
        ))
    } else {
        Box::new(r)
    };
    skip_bom(&mut out, input)?;
    Ok(out)
}

fn io_err(input: &str, source: std::io::Error) -> Error {
    Error::Io {
        input: input.to_string(),
        source,
    }
}

/// Reads a graph in `format` from `reader` (gzip detected). `input` names it in errors.
pub fn read_graph<R: Read>(
    reader: R,
    input: &str,
    format: EdgeFormat,
    options: GraphOptions,
) -> Result<(Graph, BuildReport)> {
    let r = maybe_gunzip(reader, input)?;
    match format {
        EdgeFormat::EdgeList => edge_list(r, input, options),
        EdgeFormat::Csv => read_csv_edges(r, input, options),
    }
}

fn with_line(e: Error, input: &str, line: u64) -> Error {
    match e {
        Error::InvalidProbability { from, to, value } => Error::parse(
            input,
            line,
            format!("edge {from} -> {to}: probability {value} is not in [0, 1]"),
        ),
        Error::InvalidParameter { reason, .. } => Error::parse(input, line, reason),
        other => other.at_line(input, line),
    }
}

/// An edge line's source and target tokens and its probability when given.
type EdgeFields<'b> = (&'b [u8], &'b [u8], Option<f64>);

/// The fields of one edge-list line (fields split by spaces or tabs): `None` for a blank
/// line or a comment (`#` or `%`), else the source and target tokens and the probability
/// when the line gives one.
///
/// # Errors
/// [`Error::Parse`] naming the line for one field, more than three, or a bad probability.
fn edge_fields<'b>(buf: &'b [u8], input: &str, line: u64) -> Result<Option<EdgeFields<'b>>> {
    let mut toks = buf
        .split(|c| matches!(c, b' ' | b'\t' | b'\r' | b'\n'))
        .filter(|t| !t.is_empty());
    let Some(first) = toks.next() else {
        return Ok(None);
    };
    if first[0] == b'#' || first[0] == b'%' {
        return Ok(None);
    }
    let Some(second) = toks.next() else {
        return Err(Error::parse(
            input,
            line,
            format!(
                "expected `source target [probability]`, found one field {:?}",
                echo(&String::from_utf8_lossy(first))
            ),
        ));
    };
    let p = match toks.next() {
        Some(t) => Some(parse_prob(t, input, line)?),
        None => None,
    };
    if toks.next().is_some() {
        return Err(Error::parse(
            input,
            line,
            "more than three fields; expected `source target [probability]`",
        ));
    }
    Ok(Some((first, second, p)))
}

/// Checks an edge's probability (`u`, `v`: its ids as the errors print them) against the
/// edges before it: all edges give one or none (`with_probs` records which, from the first
/// edge), and a given one is in [0, 1].
///
/// # Errors
/// [`Error::Parse`] naming the line.
fn check_edge_probability(
    with_probs: &mut Option<bool>,
    u: impl std::fmt::Display,
    v: impl std::fmt::Display,
    p: Option<f64>,
    input: &str,
    line: u64,
) -> Result<()> {
    match (*with_probs, p) {
        (None, _) => *with_probs = Some(p.is_some()),
        (Some(w), p) if w != p.is_some() => {
            return Err(Error::parse(
                input,
                line,
                format!(
                    "edge {u} -> {v} {} a probability but earlier edges {}; give all or none",
                    if p.is_some() { "has" } else { "lacks" },
                    if w { "have one" } else { "do not" },
                ),
            ))
        }
        _ => {}
    }
    match p {
        Some(p) if !(0.0..=1.0).contains(&p) => Err(Error::parse(
            input,
            line,
            format!("edge {u} -> {v}: probability {p} is not in [0, 1]"),
        )),
        _ => Ok(()),
    }
}

fn parse_prob(tok: &[u8], input: &str, line: u64) -> Result<f64> {
    let s = std::str::from_utf8(tok).map_err(|_| Error::parse(input, line, "not UTF-8"))?;
    let p: f64 = s.parse().map_err(|_| {
        Error::parse(
            input,
            line,
            format!("probability {:?} is not a number", echo(s)),
        )
    })?;
    Ok(p)
}

/// Collects edges: integer ids into flat arrays (bulk-interned at the end, the fast path),
/// switching to a [`GraphBuilder`] at the first non-integer id.
enum Sink {
    Ints {
        src: Vec<i64>,
        dst: Vec<i64>,
        probs: Vec<f32>,
        with_probs: Option<bool>,
    },
    Builder(GraphBuilder),
}

impl Sink {
    fn add_ints(&mut self, u: i64, v: i64, p: Option<f64>, input: &str, line: u64) -> Result<()> {
        match self {
            Sink::Ints {
                src,
                dst,
                probs,
                with_probs,
            } => {
                check_edge_probability(with_probs, u, v, p, input, line)?;
                if let Some(p) = p {
                    probs.push(p as f32);
                }
                src.push(u);
                dst.push(v);
                Ok(())
            }
            Sink::Builder(b) => b
                .add_edge_ints(u, v, p)
                .map_err(|e| with_line(e, input, line)),
        }
    }

    fn builder(&mut self, options: GraphOptions) -> Result<&mut GraphBuilder> {
        if let Sink::Ints {
            src, dst, probs, ..
        } = self
        {
            let mut b = GraphBuilder::new(options);
            let with = !probs.is_empty();
            for i in 0..src.len() {
                b.add_edge_ints(src[i], dst[i], with.then(|| probs[i] as f64))?;
            }
            *self = Sink::Builder(b);
        }
        match self {
            Sink::Builder(b) => Ok(b),
            Sink::Ints { .. } => unreachable!("replaced above"),
        }
    }
}

/// Reads a whitespace-separated edge list (SNAP style). See the [module docs](self).
pub fn read_edge_list<R: BufRead>(
    mut reader: R,
    input: &str,
    options: GraphOptions,
) -> Result<(Graph, BuildReport)> {
    skip_bom(&mut reader, input)?;
    edge_list(reader, input, options)
}

/// [`read_edge_list`] after the byte order mark.
fn edge_list<R: BufRead>(
    mut reader: R,
    input: &str,
    options: GraphOptions,
) -> Result<(Graph, BuildReport)> {
    let mut seen = SeenEdges::new(options);
    let mut sink = Sink::Ints {
        src: Vec::new(),
        dst: Vec::new(),
        probs: Vec::new(),
        with_probs: None,
    };
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
        seen.check(first, second, input, line)?;
        match (parse_i64_id(first), parse_i64_id(second)) {
            (Some(u), Some(v)) => sink.add_ints(u, v, p, input, line)?,
            _ => {
                let u = std::str::from_utf8(first)
                    .map_err(|_| Error::parse(input, line, "id is not UTF-8"))?;
                let v = std::str::from_utf8(second)
                    .map_err(|_| Error::parse(input, line, "id is not UTF-8"))?;
                sink.builder(options)?
                    .add_edge_tokens(u, v, p)
                    .map_err(|e| with_line(e, input, line))?;
            }
        }
    }
    match sink {
        Sink::Ints {
            src, dst, probs, ..
        } => Graph::from_id_arrays(
            &src,
            &dst,
            (!probs.is_empty()).then_some(&probs[..]),
            options,
        ),
        Sink::Builder(b) => b.build(),
    }
}

/// The error of a CSV read, naming `input` and the line `lines` counts for it.
fn csv_err(input: &str, e: csv::Error, lines: &crate::csvfile::RecordLines) -> Error {
    let line = lines.line(e.position());
    match e.into_kind() {
        csv::ErrorKind::Io(source) => io_err(input, source),
        csv::ErrorKind::UnequalLengths {
            expected_len, len, ..
        } => Error::parse(
            input,
            line,
            format!("{len} fields where the header has {expected_len}"),
        ),
        csv::ErrorKind::Utf8 { .. } => Error::parse(input, line, "not UTF-8"),
        other => Error::parse(input, line, format!("{other:?}")),
    }
}

fn find_col(headers: &csv::StringRecord, names: &[&str]) -> Option<usize> {
    headers
        .iter()
        .position(|h| names.iter().any(|n| h.trim().eq_ignore_ascii_case(n)))
}

/// Rejects header columns that none of `used` claims, naming them and the known ones: a
/// misspelt `cots` would otherwise leave every cost missing without a word.
fn unknown_columns(
    headers: &csv::StringRecord,
    used: &[Option<usize>],
    input: &str,
    known: &str,
) -> Result<()> {
    let unknown: Vec<String> = headers
        .iter()
        .enumerate()
        .filter(|(i, _)| !used.contains(&Some(*i)))
        .map(|(_, h)| format!("{:?}", echo(h)))
        .collect();
    if unknown.is_empty() {
        return Ok(());
    }
    Err(Error::parse(
        input,
        1,
        format!(
            "unknown column{} {}; the columns are {known}",
            if unknown.len() > 1 { "s" } else { "" },
            unknown.join(", ")
        ),
    ))
}

/// Reads CSV edges with a header. See the [module docs](self).
pub fn read_csv_edges<R: Read>(
    reader: R,
    input: &str,
    options: GraphOptions,
) -> Result<(Graph, BuildReport)> {
    let (reader, lines) = crate::csvfile::track_lines(reader, true);
    let mut rdr = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .comment(Some(b'#'))
        .from_reader(reader);
    let headers = rdr
        .headers()
        .map_err(|e| csv_err(input, e, &lines))?
        .clone();
    let s = find_col(&headers, &["source", "src", "from", "u"]);
    let t = find_col(&headers, &["target", "dst", "to", "v"]);
    let (Some(s), Some(t)) = (s, t) else {
        return Err(Error::parse(
            input,
            1,
            format!(
                "header {:?} must name a source and a target column (source,target[,p])",
                echo(&headers.iter().collect::<Vec<_>>().join(","))
            ),
        ));
    };
    let pc = find_col(&headers, &["p", "prob", "probability"]);
    unknown_columns(
        &headers,
        &[Some(s), Some(t), pc],
        input,
        "source, target, p",
    )?;
    let mut seen = SeenEdges::new(options);
    let mut b = GraphBuilder::new(options);
    let mut rec = csv::StringRecord::new();
    while rdr
        .read_record(&mut rec)
        .map_err(|e| csv_err(input, e, &lines))?
    {
        let line = lines.line(rec.position());
        let (u, v) = (&rec[s], &rec[t]);
        if u.is_empty() || v.is_empty() {
            return Err(Error::parse(input, line, "empty source or target"));
        }
        let p = match pc.map(|c| &rec[c]) {
            Some(x) if !x.is_empty() => Some(parse_prob(x.as_bytes(), input, line)?),
            _ => None,
        };
        seen.check(u.as_bytes(), v.as_bytes(), input, line)?;
        b.add_edge_tokens(u, v, p)
            .map_err(|e| with_line(e, input, line))?;
    }
    b.build()
}

/// One entry of an id list: the id and the line it came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListedId {
    /// The id as written.
    pub id: String,
    /// 1-based line.
    pub line: u64,
}

/// Reads an id list: one id per line (the first field of a CSV-like line is accepted when the
/// line has a single field), `#` comments and blank lines skipped.
pub fn read_id_list<R: Read>(reader: R, input: &str) -> Result<Vec<ListedId>> {
    let r = maybe_gunzip(reader, input)?;
    let mut out = Vec::new();
    for (i, l) in r.lines().enumerate() {
        let l = l.map_err(|e| match e.kind() {
            std::io::ErrorKind::InvalidData => Error::parse(input, i as u64 + 1, "not UTF-8"),
            _ => io_err(input, e),
        })?;
        let t = l.trim();
        if t.is_empty() || t.starts_with('#') {
            continue;
        }
        if t.split_whitespace().count() > 1 {
            return Err(Error::parse(
                input,
                i as u64 + 1,
                format!("expected one id per line, found {:?}", echo(t)),
            ));
        }
        out.push(ListedId {
            id: t.to_string(),
            line: i as u64 + 1,
        });
    }
    Ok(out)
}

/// Resolves a read id list to dense ids, naming the input and line of an unknown or repeated id.
pub fn resolve_listed(graph: &Graph, ids: &[ListedId], input: &str) -> Result<Vec<u32>> {
    let mut seen = vec![false; graph.node_count()];
    let mut out = Vec::with_capacity(ids.len());
    for l in ids {
        let Some(d) = graph.ids().lookup(&l.id) else {
            return Err(Error::parse(
                input,
                l.line,
                format!("unknown account id {:?}: not in the graph", echo(&l.id)),
            ));
        };
        if std::mem::replace(&mut seen[d as usize], true) {
            return Err(Error::parse(
                input,
                l.line,
                format!("account id {:?} is listed twice", echo(&l.id)),
            ));
        }
        out.push(d);
    }
    Ok(out)
}

/// Reads node attributes from a CSV keyed by account id. See the [module docs](self).
///
/// Starts from `graph`'s current attributes, so columns the file lacks keep their values.
pub fn read_attributes<R: Read>(reader: R, input: &str, graph: &Graph) -> Result<Attributes> {
    let lookup = |id: &str| graph.ids().lookup(id);
    read_attributes_by(reader, input, &lookup, graph.attributes().clone(), None)
}

/// [`read_attributes`] for a file given for one column, such as a costs file for `cost`: a
/// header without that column is an error naming the file, where [`read_attributes`] would
/// leave the column as it was and the run would fail later without saying which file lacked it.
pub fn read_attribute_column<R: Read>(
    reader: R,
    input: &str,
    graph: &Graph,
    column: &str,
) -> Result<Attributes> {
    let lookup = |id: &str| graph.ids().lookup(id);
    read_attributes_by(
        reader,
        input,
        &lookup,
        graph.attributes().clone(),
        Some(column),
    )
}

/// [`read_attributes`] over accounts known by `lookup` (an id as written in the file, to its
/// dense id below `base.len()`), starting from `base`; `required` names a column the header
/// must have ([`read_attribute_column`]). Besides the columns, it holds 4 bytes per account
/// and 4 per row to name the lines of the errors, and 8 per person name (streamed `convert`
/// reads a billion-edge population's CSV with it, without a graph).
pub(crate) fn read_attributes_by<R: Read>(
    reader: R,
    input: &str,
    lookup: &dyn Fn(&str) -> Option<u32>,
    base: Attributes,
    required: Option<&str>,
) -> Result<Attributes> {
    let r = maybe_gunzip(reader, input)?;
    let (r, lines) = crate::csvfile::track_lines(r, true);
    let mut rdr = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .comment(Some(b'#'))
        .from_reader(r);
    let headers = rdr
        .headers()
        .map_err(|e| csv_err(input, e, &lines))?
        .clone();
    let Some(idc) = find_col(&headers, &["id", "account", "node"]) else {
        return Err(Error::parse(input, 1, "header must have an `id` column"));
    };
    let platform = find_col(&headers, &["platform"]);
    let person = find_col(&headers, &["person", "person_id"]);
    let juris = find_col(&headers, &["jurisdiction", "state"]);
    let weight = find_col(&headers, &["target_weight", "target"]);
    let cost = find_col(&headers, &["cost"]);
    let followers = find_col(&headers, &["followers", "follower_count"]);
    let tier = find_col(&headers, &["tier"]);
    let lean = find_col(&headers, &["lean"]);
    let turnout = find_col(&headers, &["turnout"]);
    let eligible = find_col(&headers, &["eligible"]);
    let multiplier = find_col(&headers, &["effect_multiplier"]);
    unknown_columns(
        &headers,
        &[
            Some(idc),
            platform,
            person,
            juris,
            weight,
            cost,
            followers,
            tier,
            lean,
            turnout,
            eligible,
            multiplier,
        ],
        input,
        "id, platform, person, jurisdiction, target_weight, cost, followers, tier, lean, \
         turnout, eligible, effect_multiplier",
    )?;
    if let Some(want) = required {
        let cols = [
            platform, person, juris, weight, cost, followers, tier, lean, turnout, eligible,
            multiplier,
        ];
        if !ATTRIBUTE_COLUMNS[1..]
            .iter()
            .zip(cols)
            .any(|(n, c)| *n == want && c.is_some())
        {
            return Err(Error::parse(
                input,
                1,
                format!(
                    "the header {:?} has no `{want}` column, which this file was given for",
                    echo(&headers.iter().collect::<Vec<_>>().join(","))
                ),
            ));
        }
    }
    let mut a = base;
    // Each account's row and each row's line, to name where a conflict comes from.
    let mut rows = Rows::new(a.len());
    let mut rec = csv::StringRecord::new();
    // Hash-map coding of the categorical columns the file has: a linear name search per row
    // made a file with many persons quadratic to load.
    let mut platforms = platform.map(|_| a.platform.interner());
    let mut persons = person.map(|_| a.person.interner());
    let mut jurisdictions = juris.map(|_| a.jurisdiction.interner());
    while rdr
        .read_record(&mut rec)
        .map_err(|e| csv_err(input, e, &lines))?
    {
        let line = lines.line(rec.position());
        let id = &rec[idc];
        let Some(u) = lookup(id) else {
            return Err(Error::parse(
                input,
                line,
                format!("unknown account id {:?}: not in the graph", echo(id)),
            ));
        };
        if let Some(first) = rows.add(u, line) {
            return Err(Error::parse(
                input,
                line,
                format!(
                    "account id {:?} has a second row (first on line {first})",
                    echo(id)
                ),
            ));
        }
        let i = u as usize;
        let cell = |c: Option<usize>| c.map(|c| &rec[c]).filter(|s| !s.is_empty());
        let num = |c: Option<usize>, name: &str| -> Result<Option<f64>> {
            match cell(c) {
                None => Ok(None),
                Some(s) => match s.parse::<f64>() {
                    Ok(x) if x.is_finite() && x >= 0.0 => Ok(Some(x)),
                    _ => Err(Error::parse(
                        input,
                        line,
                        format!("{name} {:?} is not a finite number >= 0", echo(s)),
                    )),
                },
            }
        };
        for (col, cat) in [
            (platform, &mut platforms),
            (person, &mut persons),
            (juris, &mut jurisdictions),
        ] {
            if let Some(cat) = cat {
                let value = cell(col);
                if value.is_some_and(|v| v.len() > u32::MAX as usize) {
                    return Err(Error::parse(
                        input,
                        line,
                        "a name of 4 GiB or more, which a `.rgraph` file cannot hold",
                    ));
                }
                cat.set(i, value);
            }
        }
        if let Some(w) = num(weight, "target_weight")? {
            if !(w as f32).is_finite() {
                return Err(Error::parse(
                    input,
                    line,
                    format!(
                        "target_weight {:?} is too large (weights are held as 32-bit floats)",
                        echo(cell(weight).unwrap_or_default())
                    ),
                ));
            }
            // Writing only a changed value keeps a column of 1s (the default) unallocated.
            if (w as f32).to_bits() != a.target_weight[i].to_bits() {
                a.target_weight[i] = w as f32;
            }
        }
        if let Some(c) = num(cost, "cost")? {
            a.cost[i] = c;
        }
        if let Some(f) = num(followers, "followers")? {
            a.followers.set(i, Some(f as u64));
        }
        for (col, name, out) in [
            (lean, "lean", &mut a.lean),
            (turnout, "turnout", &mut a.turnout),
            (eligible, "eligible", &mut a.eligible),
        ] {
            if let Some(x) = num(col, name)? {
                if x > 1.0 {
                    return Err(Error::parse(
                        input,
                        line,
                        format!("{name} {x} is not a probability in [0, 1]"),
                    ));
                }
                out[i] = x;
            }
        }
        if let Some(m) = num(multiplier, "effect_multiplier")? {
            a.effect_multiplier[i] = m;
        }
        if let Some(s) = cell(tier) {
            a.tier.set(
                i,
                Some(Tier::parse(s).ok_or_else(|| {
                    Error::parse(
                        input,
                        line,
                        format!(
                            "tier {:?} is not one of nano, micro, mid, macro, mega",
                            echo(s)
                        ),
                    )
                })?),
            );
        }
    }
    check_person_jurisdictions(&a, &rows, input)?;
    Ok(a)
}

/// The rows of an attribute file as read: each account's row, the accounts in file order, and
/// each row's line, held as runs (a row's line is its run's first line plus its place in the
/// run: lines follow rows one to one between comments, blank lines and quoted line breaks).
struct Rows {
    of_account: Vec<u32>,
    accounts: Vec<u32>,
    /// (first row, its line) of each run of rows on consecutive lines.
    runs: Vec<(u32, u64)>,
}

impl Rows {
    /// [`Rows::of_account`]'s mark of an account without a row.
    const NO_ROW: u32 = u32::MAX;

    fn new(n: usize) -> Self {
        Rows {
            of_account: vec![Self::NO_ROW; n],
            accounts: Vec::new(),
            runs: Vec::new(),
        }
    }

    /// Records account `u`'s row at `line`; if it had one, its line instead.
    fn add(&mut self, u: u32, line: u64) -> Option<u64> {
        let first = self.of_account[u as usize];
        if first != Self::NO_ROW {
            return Some(self.line(first));
        }
        // At most one row per account, so the rows number below u32::MAX.
        let r = self.accounts.len() as u32;
        if self
            .runs
            .last()
            .is_none_or(|&(r0, l0)| l0 + (r - r0) as u64 != line)
        {
            self.runs.push((r, line));
        }
        self.accounts.push(u);
        self.of_account[u as usize] = r;
        None
    }

    /// The line of row `r`.
    fn line(&self, r: u32) -> u64 {
        let k = self.runs.partition_point(|&(r0, _)| r0 <= r) - 1;
        let (r0, l0) = self.runs[k];
        l0 + (r - r0) as u64
    }
}

/// Finds a person whose accounts name two jurisdictions, as the graph would when the
/// attributes are set, but names the row of the file that brings the second one: the
/// accounts without a row come first (they held their values before this file), then the
/// rows in file order; the first account to name a person's jurisdiction sets it.
fn check_person_jurisdictions(a: &Attributes, rows: &Rows, input: &str) -> Result<()> {
    let (person, jur) = (&a.person, &a.jurisdiction);
    if person.names.is_empty() || jur.names.is_empty() {
        return Ok(()); // no account names both
    }
    // Per person code: the jurisdiction code and the row of the account that named it first.
    let mut first = vec![(NONE, Rows::NO_ROW); person.names.len()];
    let line_of = |r: u32| if r == Rows::NO_ROW { 0 } else { rows.line(r) };
    let mut visit = |i: usize, row: u32| -> Result<()> {
        let (p, j) = (person.codes[i], jur.codes[i]);
        if p == NONE || j == NONE {
            return Ok(());
        }
        let (j0, row0) = &mut first[p as usize];
        if *j0 == NONE {
            (*j0, *row0) = (j, row);
            return Ok(());
        }
        if *j0 == j {
            return Ok(());
        }
        let was = match *row0 {
            Rows::NO_ROW => "before this file".to_string(),
            r => format!("on line {}", rows.line(r)),
        };
        Err(Error::parse(
            input,
            line_of(row),
            format!(
                "person {:?} is in jurisdiction {:?} here but in {:?} {was}; a person votes \
                 in one jurisdiction",
                echo(&person.names[p as usize]),
                echo(&jur.names[j as usize]),
                echo(&jur.names[*j0 as usize]),
            ),
        ))
    };
    for (i, &r) in rows.of_account.iter().enumerate() {
        if r == Rows::NO_ROW {
            visit(i, Rows::NO_ROW)?;
        }
    }
    for (r, &i) in rows.accounts.iter().enumerate() {
        visit(i as usize, r as u32)?;
    }
    Ok(())
}

/// Writes the graph as an edge list `u v p` (external ids, current probabilities), one edge per
/// line, after a `#` header; [`read_graph`] reads it back to the same graph.
pub fn write_edge_list<W: std::io::Write>(graph: &Graph, mut w: W) -> std::io::Result<()> {
    let out = graph.out_csr();
    // Accounts without edges cannot be written, so the header counts the ones that are.
    let accounts = (0..graph.node_count() as u32)
        .filter(|&u| graph.out_degree(u) + graph.in_degree(u) > 0)
        .count();
    writeln!(
        w,
        "# reachgraph edge list: `u v p` means v follows u; {} accounts, {} edges",
        accounts,
        graph.edge_count()
    )?;
    for u in 0..graph.node_count() as u32 {
        let neighbors = out.neighbors(u);
        if neighbors.is_empty() {
            continue;
        }
        let lu = graph.label(u);
        check_writable_id(&lu)?;
        for (&v, &p) in neighbors.iter().zip(out.probs(u)) {
            let lv = graph.label(v);
            check_writable_id(&lv)?;
            writeln!(w, "{lu} {lv} {p}")?;
        }
    }
    w.flush()
}

/// Refuses an id that an edge list cannot carry: one the reader would split, trim, or take
/// for a comment would come back as another account, and the written graph would silently
/// differ from the one in memory (found by the `edge_list` and `csv_edges` fuzz targets).
fn check_writable_id(id: &str) -> std::io::Result<()> {
    let bad = id.is_empty()
        || id.starts_with(['#', '%'])
        || id.chars().any(|c| c.is_whitespace() || c.is_control());
    if bad {
        return Err(std::io::Error::new(
            std::io::ErrorKind::InvalidData,
            format!(
                "account id {:?} cannot be written to an edge list (it is empty, starts with a \
                 comment character, or holds whitespace or control characters)",
                echo(id)
            ),
        ));
    }
    Ok(())
}

/// The columns of an attribute CSV, in the order [`write_attributes`] writes them.
const ATTRIBUTE_COLUMNS: [&str; 12] = [
    "id",
    "platform",
    "person",
    "jurisdiction",
    "target_weight",
    "cost",
    "followers",
    "tier",
    "lean",
    "turnout",
    "eligible",
    "effect_multiplier",
];

/// Writes the node attributes as a CSV that [`read_attributes`] reads back.
pub fn write_attributes<W: std::io::Write>(graph: &Graph, w: W) -> std::io::Result<()> {
    write_attributes_where(graph, w, |_| true)
}

/// Writes the attribute rows of the accounts that have at least one edge: the ones an edge list
/// written by [`write_edge_list`] holds, so that [`read_attributes`] accepts the file on the
/// graph read back from it (an account without edges is not in that graph, and naming it would
/// be an unknown-account error). Returns the number of accounts left out.
pub fn write_edge_list_attributes<W: std::io::Write>(
    graph: &Graph,
    w: W,
) -> std::io::Result<usize> {
    let has_edges = |u: u32| graph.out_degree(u) + graph.in_degree(u) > 0;
    write_attributes_where(graph, w, has_edges)?;
    Ok((0..graph.node_count() as u32)
        .filter(|&u| !has_edges(u))
        .count())
}

fn write_attributes_where<W: std::io::Write>(
    graph: &Graph,
    w: W,
    keep: impl Fn(u32) -> bool,
) -> std::io::Result<()> {
    let a = graph.attributes();
    let opt = |x: f64| {
        if x.is_nan() {
            String::new()
        } else {
            x.to_string()
        }
    };
    let mut wr = csv::Writer::from_writer(w);
    wr.write_record(ATTRIBUTE_COLUMNS)?;
    for u in (0..graph.node_count() as u32).filter(|&u| keep(u)) {
        let i = u as usize;
        let cost = if a.cost[i].is_nan() {
            String::new()
        } else {
            a.cost[i].to_string()
        };
        wr.write_record([
            graph.label(u),
            a.platform.get(u).unwrap_or_default().to_string(),
            a.person.get(u).unwrap_or_default().to_string(),
            a.jurisdiction.get(u).unwrap_or_default().to_string(),
            a.target_weight[i].to_string(),
            cost,
            a.followers.get(i).map_or(String::new(), |f| f.to_string()),
            a.tier
                .get(i)
                .map_or(String::new(), |t| t.name().to_string()),
            opt(a.lean[i]),
            opt(a.turnout[i]),
            opt(a.eligible[i]),
            opt(a.effect_multiplier[i]),
        ])?;
    }
    wr.flush()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn snap_style_with_comments_crlf_and_probabilities() {
        let text = "# comment\r\n1\t2\t0.5\r\n\r\n2 3 0.25\r\n% other comment\n3 3 1\n";
        let (g, r) = read_graph(
            text.as_bytes(),
            "x.txt",
            EdgeFormat::EdgeList,
            Default::default(),
        )
        .unwrap();
        assert_eq!((g.node_count(), g.edge_count()), (3, 2));
        assert_eq!(r.self_loops_dropped, 1);
        assert_eq!(g.out_csr().probs(g.node("1").unwrap()), &[0.5]);
        assert!(g.has_given_probabilities());
    }

    #[test]
    fn malformed_lines_name_input_and_line() {
        let cases = [
            ("1 2\n3\n", "g.txt:2:", "one field"),
            ("1 2 0.5\n3 4 1.5\n", "g.txt:2:", "not in [0, 1]"),
            ("1 2 0.5\n3 4\n", "g.txt:2:", "give all or none"),
            ("a b 0.5\nc d\n", "g.txt:2:", "give all or none"),
            ("1 2 x\n", "g.txt:1:", "not a number"),
            ("1 2 0.5 9\n", "g.txt:1:", "more than three fields"),
        ];
        for (text, prefix, needle) in cases {
            let e = read_graph(
                text.as_bytes(),
                "g.txt",
                EdgeFormat::EdgeList,
                Default::default(),
            )
            .unwrap_err();
            let msg = e.to_string();
            assert!(
                msg.starts_with(prefix) && msg.contains(needle),
                "{text:?}: {msg}"
            );
        }
    }

    #[test]
    fn gzip_is_detected() {
        use flate2::write::GzEncoder;
        use std::io::Write;
        let mut enc = GzEncoder::new(Vec::new(), flate2::Compression::fast());
        enc.write_all(b"a b\nb c\n").unwrap();
        let gz = enc.finish().unwrap();
        let (g, _) = read_graph(
            &gz[..],
            "g.txt.gz",
            EdgeFormat::EdgeList,
            Default::default(),
        )
        .unwrap();
        assert_eq!(g.edge_count(), 2);
        assert_eq!(g.label(0), "a");
    }

    #[test]
    fn csv_edges() {
        let text = "source,target,p\nalice,bob,0.5\nbob,carol,0.1\n";
        let (g, _) = read_graph(
            text.as_bytes(),
            "e.csv",
            EdgeFormat::Csv,
            Default::default(),
        )
        .unwrap();
        assert_eq!(g.edge_count(), 2);
        let e = read_graph(
            "from,to\na,b\nc\n".as_bytes(),
            "e.csv",
            EdgeFormat::Csv,
            Default::default(),
        )
        .unwrap_err();
        assert!(e.to_string().starts_with("e.csv:3:"), "{e}");
        let e = read_graph(
            "x,y\n".as_bytes(),
            "e.csv",
            EdgeFormat::Csv,
            Default::default(),
        )
        .unwrap_err();
        assert!(e.to_string().starts_with("e.csv:1:"), "{e}");
    }

    #[test]
    fn id_lists_and_attributes() {
        let (g, _) = read_graph(
            "a b\nb c\nc a\n".as_bytes(),
            "g",
            EdgeFormat::EdgeList,
            Default::default(),
        )
        .unwrap();
        let ids = read_id_list("# seeds\na\n\nc\n".as_bytes(), "s.txt").unwrap();
        assert_eq!(resolve_listed(&g, &ids, "s.txt").unwrap(), vec![0, 2]);
        let ids = read_id_list("a\nzz\n".as_bytes(), "s.txt").unwrap();
        let e = resolve_listed(&g, &ids, "s.txt").unwrap_err();
        assert!(e.to_string().starts_with("s.txt:2:"), "{e}");
        let ids = read_id_list("a\na\n".as_bytes(), "s.txt").unwrap();
        assert!(resolve_listed(&g, &ids, "s.txt").is_err());
        let e = read_attributes("id,cost,extra\na,1,?\n".as_bytes(), "attrs.csv", &g).unwrap_err();
        assert!(
            e.to_string()
                .starts_with("attrs.csv:1: unknown column \"extra\""),
            "{e}"
        );
        let csv = "id,platform,person,jurisdiction,cost,tier\na,x,p1,PA,100,mega\nb,tiktok,p1,,,\n";
        let a = read_attributes(csv.as_bytes(), "attrs.csv", &g).unwrap();
        assert_eq!(a.platform.get(0), Some("x"));
        assert_eq!(a.person.codes[0], a.person.codes[1]);
        assert_eq!(a.cost[0], 100.0);
        assert!(a.cost[1].is_nan());
        assert_eq!(a.tier.get(0), Some(Tier::Mega));
        let e = read_attributes("id,cost\na,-1\n".as_bytes(), "attrs.csv", &g).unwrap_err();
        assert!(e.to_string().starts_with("attrs.csv:2:"), "{e}");
        let e = read_attributes("id,tier\nq,nano\n".as_bytes(), "attrs.csv", &g).unwrap_err();
        assert!(e.to_string().contains("unknown account id"), "{e}");
        // Finite as read, infinite as the 32-bit weight it is held as.
        let e = read_attributes(
            "id,target_weight\na,2\nb,1e300\n".as_bytes(),
            "attrs.csv",
            &g,
        )
        .unwrap_err();
        assert_eq!(
            e.to_string(),
            "attrs.csv:3: target_weight \"1e300\" is too large (weights are held as 32-bit floats)"
        );
    }

    #[test]
    fn writers_round_trip() {
        let (mut g, _) = read_graph(
            "a b 0.5\nb c 0.25\nc a 1\n".as_bytes(),
            "g",
            EdgeFormat::EdgeList,
            Default::default(),
        )
        .unwrap();
        let csv = "id,platform,person,jurisdiction,cost,tier\na,x,p1,PA,100,mega\nb,tiktok,p1,,,\n";
        let a = read_attributes(csv.as_bytes(), "attrs.csv", &g).unwrap();
        g.set_attributes(a).unwrap();
        let mut edges = Vec::new();
        write_edge_list(&g, &mut edges).unwrap();
        let (h, _) = read_graph(&edges[..], "w", EdgeFormat::EdgeList, Default::default()).unwrap();
        assert_eq!(h.out_csr().neighbors, g.out_csr().neighbors);
        assert_eq!(h.out_csr().probs, g.out_csr().probs);
        let mut attrs = Vec::new();
        write_attributes(&g, &mut attrs).unwrap();
        let b = read_attributes(&attrs[..], "w.csv", &h).unwrap();
        // NaN costs compare unequal, so compare the printed columns.
        assert_eq!(format!("{b:?}"), format!("{:?}", g.attributes()));
    }

    fn graph_of(text: &str, format: EdgeFormat, options: GraphOptions) -> Result<Graph> {
        read_graph(text.as_bytes(), "g", format, options).map(|(g, _)| g)
    }

    /// Edges as sorted `(from, to)` label pairs: the graph whatever its dense numbering.
    fn edge_set(g: &Graph) -> Vec<(String, String)> {
        let out = g.out_csr();
        let mut e: Vec<(String, String)> = (0..g.node_count() as u32)
            .flat_map(|u| {
                out.neighbors(u)
                    .iter()
                    .map(move |&v| (g.label(u), g.label(v)))
            })
            .collect();
        e.sort();
        e
    }

    #[test]
    fn id_rule_holds_whatever_the_order_of_lines() {
        let lines = [
            "007 7",
            "7 x",
            "+7 7",
            "-0 0",
            "0 -7",
            "9223372036854775808 18446744073709551615",
            "18446744073709551616 -9223372036854775808",
            "x 007",
        ];
        let mut want = None;
        for r in 0..lines.len() {
            let mut v = lines.to_vec();
            v.rotate_left(r);
            if r % 2 == 1 {
                v.reverse();
            }
            for format in [EdgeFormat::EdgeList, EdgeFormat::Csv] {
                let text = match format {
                    EdgeFormat::EdgeList => v.join("\n"),
                    EdgeFormat::Csv => format!("source,target\n{}", v.join("\n").replace(' ', ",")),
                };
                let g = graph_of(&text, format, Default::default()).unwrap();
                // 007, 7, x, +7, -0, 0, -7, 2^63, 2^64-1, 2^64, -2^63: eleven accounts.
                assert_eq!(g.node_count(), 11, "{v:?}");
                let e = edge_set(&g);
                assert!(e.contains(&("007".into(), "7".into())));
                assert_eq!(&e, want.get_or_insert_with(|| e.clone()), "{v:?}");
            }
        }
        // Integers only: ids at 2^63 and 2^64-1 stay integers with their value.
        let g = graph_of(
            "9223372036854775808 18446744073709551615\n-1 9223372036854775808\n",
            EdgeFormat::EdgeList,
            Default::default(),
        )
        .unwrap();
        assert!(!g.ids().is_string());
        let big = g.node("18446744073709551615").unwrap();
        assert_eq!(g.ids().key(big), crate::NodeKey::UInt(u64::MAX));
        assert_eq!(
            g.node("-1").unwrap(),
            g.ids().get(&crate::NodeKey::Int(-1)).unwrap()
        );
        // "007" in a seeds file is not 7.
        let g = graph_of("7 8\n", EdgeFormat::EdgeList, Default::default()).unwrap();
        let ids = read_id_list("007\n".as_bytes(), "s.txt").unwrap();
        let e = resolve_listed(&g, &ids, "s.txt").unwrap_err();
        assert!(
            e.to_string()
                .starts_with("s.txt:1: unknown account id \"007\""),
            "{e}"
        );
    }

    #[test]
    fn byte_order_mark_is_skipped_once_by_every_reader() {
        let bom = "\u{feff}";
        for format in [EdgeFormat::EdgeList, EdgeFormat::Csv] {
            let body = match format {
                EdgeFormat::EdgeList => "1 2\n2 3\n",
                EdgeFormat::Csv => "source,target\n1,2\n2,3\n",
            };
            let g = graph_of(&format!("{bom}{body}"), format, Default::default()).unwrap();
            assert_eq!(g.label(0), "1", "{format:?}");
            assert!(!g.ids().is_string());
        }
        let (g, _) =
            read_edge_list(format!("{bom}1 2\n").as_bytes(), "g", Default::default()).unwrap();
        assert_eq!(g.label(0), "1");
        let ids = read_id_list(format!("{bom}2\n").as_bytes(), "s").unwrap();
        assert_eq!(ids[0].id, "2");
        let a = read_attributes(format!("{bom}id,cost\n2,5\n").as_bytes(), "a.csv", &g).unwrap();
        assert_eq!(a.cost[g.node("2").unwrap() as usize], 5.0);
        // Only one, only at the start.
        let g = graph_of(
            &format!("{bom}{bom}1 2\n"),
            EdgeFormat::EdgeList,
            Default::default(),
        )
        .unwrap();
        assert_eq!(g.label(0), format!("{bom}1"));
    }

    #[test]
    fn duplicate_edges_name_the_line_of_the_second_copy() {
        let opts = GraphOptions {
            duplicates: DuplicatePolicy::Error,
            ..Default::default()
        };
        for (text, format, line) in [
            ("1 2\n# c\n2 3\n1 2\n", EdgeFormat::EdgeList, 4),
            ("a b\n\nb a\na b\n", EdgeFormat::EdgeList, 4),
            ("source,target\n1,2\n2,3\n1,2\n", EdgeFormat::Csv, 4),
        ] {
            let e = read_graph(text.as_bytes(), "g.txt", format, opts).unwrap_err();
            assert!(matches!(e, Error::DuplicateEdge { .. }), "{e}");
            assert!(
                e.to_string()
                    .starts_with(&format!("g.txt:{line}: duplicate edge")),
                "{e}"
            );
        }
        let undirected = GraphOptions {
            undirected: true,
            ..opts
        };
        let e = read_graph(
            "1 2\n2 1\n".as_bytes(),
            "g",
            EdgeFormat::EdgeList,
            undirected,
        )
        .unwrap_err();
        assert!(
            e.to_string().starts_with("g:2: duplicate edge 2 -> 1"),
            "{e}"
        );
        // Self-loops are dropped, not duplicates; other policies merge as before.
        assert!(read_graph("1 1\n1 1\n".as_bytes(), "g", EdgeFormat::EdgeList, opts).is_ok());
        assert!(graph_of("1 2\n1 2\n", EdgeFormat::EdgeList, Default::default()).is_ok());
    }

    #[test]
    fn unknown_csv_columns_are_named() {
        let e = graph_of(
            "source,target,weight\n1,2,3\n",
            EdgeFormat::Csv,
            Default::default(),
        )
        .unwrap_err();
        assert!(
            e.to_string()
                .starts_with("g:1: unknown column \"weight\"; the columns are source, target, p"),
            "{e}"
        );
        let g = graph_of("1 2\n", EdgeFormat::EdgeList, Default::default()).unwrap();
        let e = read_attributes("id,cots,tire\n1,5,nano\n".as_bytes(), "a.csv", &g).unwrap_err();
        assert!(
            e.to_string().contains("unknown columns \"cots\", \"tire\""),
            "{e}"
        );
    }

    #[test]
    fn costs_file_without_a_cost_column_is_named() {
        let g = graph_of("a b\n", EdgeFormat::EdgeList, Default::default()).unwrap();
        let e = read_attribute_column("id,platform\na,x\n".as_bytes(), "c.csv", &g, "cost")
            .unwrap_err();
        assert!(
            e.to_string()
                .starts_with("c.csv:1: the header \"id,platform\" has no `cost`"),
            "{e}"
        );
        let a = read_attribute_column("id,cost\na,3\n".as_bytes(), "c.csv", &g, "cost").unwrap();
        assert_eq!(a.cost[0], 3.0);
    }

    #[test]
    fn person_in_two_jurisdictions_names_the_row() {
        let g = graph_of("a b\nb c\n", EdgeFormat::EdgeList, Default::default()).unwrap();
        let csv = "id,person,jurisdiction\na,p1,PA\nc,p2,GA\nb,p1,MI\n";
        let e = read_attributes(csv.as_bytes(), "a.csv", &g).unwrap_err();
        assert!(
            e.to_string().starts_with(
                "a.csv:4: person \"p1\" is in jurisdiction \"MI\" here but in \"PA\" on line 2"
            ),
            "{e}"
        );
    }

    #[test]
    fn attribute_errors_name_lines_across_comments_blank_lines_and_quoted_breaks() {
        let g = graph_of(
            "a b\nb c\nc d\nd e\n",
            EdgeFormat::EdgeList,
            Default::default(),
        )
        .unwrap();
        // Rows on lines 2, 5 (after a comment and a blank line), 6 (its cell runs to line 7),
        // 8, then `a` again on line 10.
        let head = "id,person,jurisdiction\na,p1,PA\n# note\n\nb,p2,GA\nc,\"p\n3\",MI\nd,,\n";
        let twice = format!("{head}# again\na,p1,PA\n");
        let e = read_attributes(twice.as_bytes(), "a.csv", &g).unwrap_err();
        assert_eq!(
            e.to_string(),
            "a.csv:10: account id \"a\" has a second row (first on line 2)"
        );
        let e = read_attributes(format!("{head}e,p2,\nb,,\n").as_bytes(), "a.csv", &g).unwrap_err();
        assert_eq!(
            e.to_string(),
            "a.csv:10: account id \"b\" has a second row (first on line 5)"
        );
        let a = read_attributes(head.as_bytes(), "a.csv", &g).unwrap();
        assert_eq!(a.person.get(2), Some("p\n3"));
        // The first claim is the earliest row, whatever the account order: `e` (line 9)
        // conflicts with `c`'s "p\n3" in MI from line 6.
        let e =
            read_attributes(format!("{head}e,\"p\n3\",GA\n").as_bytes(), "a.csv", &g).unwrap_err();
        assert!(
            e.to_string().starts_with(
                "a.csv:9: person \"p\\n3\" is in jurisdiction \"GA\" here but in \"MI\" on line 6"
            ),
            "{e}"
        );
        // A claim held before this file (an account without a row) comes first.
        let mut g = g;
        g.set_attributes(a).unwrap();
        let e = read_attributes("id,person\ne,p1\n".as_bytes(), "b.csv", &g).unwrap();
        assert_eq!(e.person.get(4), Some("p1"));
        let e = read_attributes(
            "id,jurisdiction,person\nd,GA,x\ne,MI,p1\n".as_bytes(),
            "b.csv",
            &g,
        )
        .unwrap_err();
        assert!(
            e.to_string().starts_with(
                "b.csv:3: person \"p1\" is in jurisdiction \"MI\" here but in \"PA\" before \
                 this file"
            ),
            "{e}"
        );
    }

    #[test]
    fn huge_values_are_echoed_cut_with_their_length() {
        let huge = "x".repeat(50 << 20);
        let g = graph_of("1 2\n", EdgeFormat::EdgeList, Default::default()).unwrap();
        let ids = read_id_list(format!("{huge}\n").as_bytes(), "s").unwrap();
        let msg = resolve_listed(&g, &ids, "s").unwrap_err().to_string();
        assert!(msg.len() < 300, "{} bytes", msg.len());
        assert!(msg.contains(&format!("… ({} bytes)", 50 << 20)), "{msg}");
        let msg = graph_of(
            &format!("{huge}\n"),
            EdgeFormat::EdgeList,
            Default::default(),
        )
        .unwrap_err()
        .to_string();
        assert!(
            msg.len() < 300 && msg.contains("bytes)"),
            "{}",
            &msg[..300.min(msg.len())]
        );
        let e = Error::UnknownNode {
            id: huge.clone(),
            context: String::new(),
        };
        assert!(e.to_string().len() < 300);
        // Multi-byte text is cut at a character boundary.
        let s = format!("{}", crate::error::echo(&"é".repeat(200)));
        assert!(
            s.starts_with(&"é".repeat(50)) && s.ends_with("… (400 bytes)"),
            "{s}"
        );
    }
}
