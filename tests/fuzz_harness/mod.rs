//! The bodies of the `cargo fuzz` targets, one plain function per target.
//!
//! The fuzz crate (`fuzz/`, nightly) includes this file with `#[path]`, and the stable test
//! `tests/fuzz_regressions.rs` replays the committed corpus and every crash found through the
//! same functions, so a crash fixed once stays fixed without a nightly toolchain.
//!
//! Every function takes arbitrary bytes and must return without panicking, aborting or
//! running long: a typed error is a fine outcome. Where a reader's answer can be checked
//! cheaply (a graph written and read back, a sketch set serialized and parsed again) the
//! function asserts it, so silent wrong answers fail too. Inputs that combine two files
//! separate them with the first NUL byte.
#![allow(dead_code)] // each fuzz target uses one function

use reachgraph_api::load::{GraphSpec, IdList};
use reachgraph_api::{parse_request, request_to_json, Request};
use reachgraph_core::election::ElectionResults;
use reachgraph_core::io::{self, EdgeFormat};
use reachgraph_core::margin::{BaselineError, Correlation, Electorate, MarginConfig, Simulation};
use reachgraph_core::sketch::{DsSketchSet, SketchParams, SketchSet, StreamBuilder};
use reachgraph_core::{DuplicatePolicy, Graph, GraphOptions, NoProgress, NodeKey, Side};

/// A target's body: bytes in, a panic on failure.
pub type Target = fn(&[u8]);

/// The targets, by the name of their `fuzz/fuzz_targets/<name>.rs` and corpus directory.
pub const TARGETS: &[(&str, Target)] = &[
    ("edge_list", edge_list),
    ("csv_edges", csv_edges),
    ("id_list", id_list),
    ("attributes", attributes),
    ("sketch_costs", sketch_costs),
    ("sketch_pairs", sketch_pairs),
    ("sketch_container", sketch_container),
    ("json_request", json_request),
    ("margin_inputs", margin_inputs),
    ("rgraph_file", rgraph_file),
];

/// Graph options chosen by one byte, so every duplicate policy and direction is reached.
fn options(b: u8) -> GraphOptions {
    let duplicates = match b % 5 {
        0 => DuplicatePolicy::Max,
        1 => DuplicatePolicy::First,
        2 => DuplicatePolicy::Last,
        3 => DuplicatePolicy::NoisyOr,
        _ => DuplicatePolicy::Error,
    };
    GraphOptions {
        undirected: b & 0x80 != 0,
        duplicates,
    }
}

/// Splits at the first NUL byte: (first, Some(rest)) or (all, None).
fn split_nul(data: &[u8]) -> (&[u8], Option<&[u8]>) {
    match data.iter().position(|&c| c == 0) {
        Some(p) => (&data[..p], Some(&data[p + 1..])),
        None => (data, None),
    }
}

/// A small graph with integer and string ids, for the readers keyed by account id.
fn tiny_graph() -> Graph {
    let text = "1 2 0.5\n2 3 0.25\n3 1 1\n007 alice 0.5\nalice bob 0.1\nbob 1 0.9\n";
    io::read_graph(
        text.as_bytes(),
        "tiny",
        EdgeFormat::EdgeList,
        GraphOptions::default(),
    )
    .expect("the embedded graph reads")
    .0
}

/// Asserts that a graph written as an edge list reads back with the same nodes and edges.
fn assert_round_trip(g: &Graph) {
    let mut text = Vec::new();
    if let Err(e) = io::write_edge_list(g, &mut text) {
        // An id an edge list cannot carry is refused by name, not written as another id.
        assert_eq!(e.kind(), std::io::ErrorKind::InvalidData, "{e}");
        return;
    }
    let (back, _) = io::read_graph(
        &text[..],
        "written",
        EdgeFormat::EdgeList,
        GraphOptions::default(),
    )
    .unwrap_or_else(|e| panic!("a written edge list does not read back: {e}"));
    assert_eq!(
        back.edge_count(),
        g.edge_count(),
        "edges after a round trip"
    );
    for u in 0..g.node_count() as u32 {
        let label = g.label(u);
        if g.out_csr().neighbors(u).is_empty() && g.in_csr().neighbors(u).is_empty() {
            continue; // isolated accounts are not written
        }
        assert!(
            back.ids().lookup(&label).is_some(),
            "account {label:?} lost in a round trip"
        );
    }
}

/// Target `edge_list`: a whitespace edge list (gzip detected), first byte picks the options.
pub fn edge_list(data: &[u8]) {
    let Some((&opt, rest)) = data.split_first() else {
        return;
    };
    if let Ok((g, _)) = io::read_graph(rest, "fuzz", EdgeFormat::EdgeList, options(opt)) {
        assert_round_trip(&g);
    }
}

/// Target `csv_edges`: a CSV edge file with a header, first byte picks the options.
pub fn csv_edges(data: &[u8]) {
    let Some((&opt, rest)) = data.split_first() else {
        return;
    };
    if let Ok((g, _)) = io::read_graph(rest, "fuzz", EdgeFormat::Csv, options(opt)) {
        assert_round_trip(&g);
    }
}

/// Target `id_list`: a seed/candidate/account list, resolved against a small graph.
pub fn id_list(data: &[u8]) {
    let g = tiny_graph();
    if let Ok(ids) = io::read_id_list(data, "fuzz") {
        if let Ok(dense) = io::resolve_listed(&g, &ids, "fuzz") {
            assert_eq!(dense.len(), ids.len());
            for (d, l) in dense.iter().zip(&ids) {
                assert_eq!(g.ids().lookup(&l.id), Some(*d));
            }
        }
    }
}

/// Target `attributes`: a node-attribute CSV for a graph; before the first NUL byte an edge
/// list for that graph, else a small embedded graph.
pub fn attributes(data: &[u8]) {
    let (g, attrs) = match split_nul(data) {
        (edges, Some(attrs)) => {
            match io::read_graph(edges, "edges", EdgeFormat::EdgeList, options(0)) {
                Ok((g, _)) => (g, attrs),
                Err(_) => return,
            }
        }
        (attrs, None) => (tiny_graph(), attrs),
    };
    if let Ok(a) = io::read_attributes(attrs, "fuzz", &g) {
        assert_eq!(a.len(), g.node_count());
        for &c in &a.cost {
            assert!(c.is_nan() || c >= 0.0, "cost {c} accepted");
        }
    }
}

/// A small sketch set: accounts `a`..`e` with a few followers each.
pub fn tiny_sketches() -> SketchSet {
    let mut b = StreamBuilder::new(SketchParams::new(4, 7).expect("valid parameters"))
        .expect("valid parameters");
    for (i, acc) in ["a", "b", "c", "d", "e"].iter().enumerate() {
        for f in 0..(3 + 5 * i as i64) {
            b.add(acc, &NodeKey::Int(f));
        }
    }
    b.finish()
}

/// Target `sketch_costs`: a costs CSV for the accounts of a small sketch set.
pub fn sketch_costs(data: &[u8]) {
    let set = tiny_sketches();
    if let Ok(costs) = set.read_costs(data, "fuzz") {
        assert_eq!(costs.len(), set.len());
        for c in costs {
            assert!(
                c.is_nan() || (c.is_finite() && c >= 0.0),
                "cost {c} accepted"
            );
        }
    }
}

/// Target `sketch_pairs`: an `account follower` stream, read in the smallest chunks so lines
/// cross chunk boundaries.
pub fn sketch_pairs(data: &[u8]) {
    let Some((&lg, rest)) = data.split_first() else {
        return;
    };
    let Ok(params) = SketchParams::new(4 + lg % 8, 1) else {
        return;
    };
    let mut b = StreamBuilder::new(params).expect("valid parameters");
    if b.read_pairs(rest, "fuzz", 1, &NoProgress).is_ok() {
        let set = b.finish();
        let back = SketchSet::from_bytes(&set.to_bytes(), "written")
            .unwrap_or_else(|e| panic!("a written sketch set does not read back: {e}"));
        assert_same_sketches(&back, &set);
    }
}

/// Asserts two sketch sets hold the same parameters, accounts, counts and hashes.
fn assert_same_sketches(a: &SketchSet, b: &SketchSet) {
    assert_eq!(a.params(), b.params());
    assert_eq!(a.len(), b.len(), "accounts after a round trip");
    for i in 0..a.len() as u32 {
        assert_eq!(a.account(i), b.account(i));
        assert_eq!(a.records(i), b.records(i), "records of account {i}");
        assert_eq!(a.hashes(i), b.hashes(i), "hashes of account {i}");
    }
}

/// Target `sketch_container`: bytes as a sketch file (KMV and DataSketches), and every query
/// a reader runs on an accepted set. The bytes are read as they are and once more with the
/// header's length field and the trailing CRC-32 made to match: a fuzzer cannot guess a
/// checksum, and without this it would never reach the entry parser behind it.
pub fn sketch_container(data: &[u8]) {
    sketch_file(data);
    if data.len() >= 44 {
        let mut fixed = data.to_vec();
        let total = fixed.len();
        fixed[32..40].copy_from_slice(&(total as u64).to_le_bytes());
        let crc = crc32(&fixed[..total - 4]);
        fixed[total - 4..].copy_from_slice(&crc.to_le_bytes());
        sketch_file(&fixed);
    }
}

/// CRC-32 (IEEE, reflected), as the sketch format stores it; bitwise, inputs are small.
pub fn crc32(bytes: &[u8]) -> u32 {
    let mut crc = !0u32;
    for &b in bytes {
        crc ^= b as u32;
        for _ in 0..8 {
            crc = if crc & 1 != 0 {
                (crc >> 1) ^ 0xEDB8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

fn sketch_file(data: &[u8]) {
    if let Ok(set) = SketchSet::from_bytes(data, "fuzz") {
        let back = SketchSet::from_bytes(&set.to_bytes(), "written")
            .unwrap_or_else(|e| panic!("a written sketch set does not read back: {e}"));
        assert_same_sketches(&back, &set);
        let all: Vec<u32> = (0..set.len() as u32).collect();
        for i in 0..set.len().min(64) as u32 {
            let _ = set.audience(i, 0.9);
        }
        let _ = reachgraph_core::sketch::union_reach(&set, &all, 0.9);
        let _ = set.merge(&set);
    }
    if let Ok(set) = DsSketchSet::from_bytes(data, "fuzz") {
        let all: Vec<u32> = (0..set.len() as u32).collect();
        let _ = set.union_reach(&all, 0.9);
        let _ = set.to_bytes();
    }
}

/// Whether a graph spec stays in memory and small: inline text only, no files, no generator.
fn inline_only(g: &GraphSpec) -> bool {
    g.inline.is_some() && g.path.is_none() && g.scenario.is_none() && g.attributes.is_none()
}

fn inline_ids(l: &IdList) -> bool {
    matches!(l, IdList::Inline(_))
}

/// Target `json_request`: a JSON request parsed, serialized and parsed again, then its
/// configuration checked. Requests on an inline graph that do no sampling are run whole (the
/// graph is as small as the input); the others stop at their configuration, so no file is
/// read and no large work starts.
pub fn json_request(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(req) = parse_request(text) else {
        return;
    };
    let again = parse_request(&request_to_json(&req).to_string())
        .unwrap_or_else(|e| panic!("a serialized request does not parse: {e}"));
    assert_eq!(again, req, "request changed in a round trip");
    let run = match &req {
        Request::Reach(r) => inline_only(&r.graph) && inline_ids(&r.seeds),
        Request::Overlap(r) => inline_only(&r.graph) && inline_ids(&r.accounts),
        Request::Ladder(r) => inline_only(&r.graph) && r.candidates.as_ref().is_none_or(inline_ids),
        Request::BudgetPick(r) => {
            inline_only(&r.graph) && r.candidates.as_ref().is_none_or(inline_ids)
        }
        Request::Spread(r) => {
            let _ = r.config();
            false
        }
        Request::Select(r) => {
            let _ = r.config(None);
            false
        }
        Request::Evaluate(r) => {
            let _ = r.config();
            false
        }
        _ => false,
    };
    if run {
        let _ = reachgraph_api::run(&req, &NoProgress);
    }
}

/// Target `margin_inputs`: an electorate CSV (certified results or a forecast); after the
/// first NUL byte, a correlation matrix CSV for its states. An accepted pair runs a baseline
/// simulation of a few draws.
pub fn margin_inputs(data: &[u8]) {
    let (electorate, matrix) = split_nul(data);
    let _ = ElectionResults::from_csv(electorate, "fuzz");
    let Ok(e) = Electorate::from_csv(electorate, "fuzz", Side::Dem) else {
        return;
    };
    let mut error = BaselineError::default();
    if let Some(m) = matrix {
        let Ok(text) = std::str::from_utf8(m) else {
            return;
        };
        match reachgraph_api::margin::parse_correlation_matrix(text, "fuzz", &e) {
            Ok(rows) => error.correlation = Correlation::Matrix(rows),
            Err(_) => return,
        }
    }
    let Ok(config) = MarginConfig::builder()
        .draws(16)
        .seed(1)
        .error(error)
        .build()
    else {
        return;
    };
    if let Ok(sim) = Simulation::baseline(&e, &config) {
        let _ = sim.run(None, &[], &NoProgress);
    }
}

/// Target `rgraph_file`: bytes as a `.rgraph` file, read with checksums verified and without
/// (a fuzzer cannot guess a CRC-32; without checksums every mutation reaches the structural
/// checks behind them). An accepted graph is written and read back: the same bytes again.
pub fn rgraph_file(data: &[u8]) {
    use reachgraph_core::rgraph::{from_bytes, to_bytes, ReadOptions};
    for verify_checksums in [true, false] {
        let options = ReadOptions {
            verify_checksums,
            weights: None,
        };
        if let Ok(g) = from_bytes(data, "fuzz", &options) {
            let bytes = to_bytes(&g);
            let back = from_bytes(&bytes, "fuzz (written back)", &ReadOptions::default())
                .expect("a graph written is read back");
            assert_eq!(to_bytes(&back), bytes, "write, read, write is stable");
            assert_eq!(back.edge_count(), g.edge_count());
            assert_eq!(back.node_count(), g.node_count());
        }
    }
}
