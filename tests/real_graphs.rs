//! Each shared real graph loads with the node and edge counts its provenance records.

use crate::common::shared_data;
use reachgraph_core::io::{read_graph, EdgeFormat};
use reachgraph_core::GraphOptions;
use std::fs::File;

fn check(file: &str, undirected: bool, nodes: usize, edges: usize, records: usize) {
    let Some(dir) = shared_data() else { return };
    let path = dir.join(file);
    let (g, report) = read_graph(
        File::open(&path).unwrap(),
        file,
        EdgeFormat::EdgeList,
        GraphOptions {
            undirected,
            ..Default::default()
        },
    )
    .unwrap();
    assert_eq!(g.node_count(), nodes, "{file} nodes");
    assert_eq!(g.edge_count(), edges, "{file} edges");
    assert_eq!(report.records, records, "{file} edge lines");
    assert_eq!(report.self_loops_dropped, 0, "{file} self-loops");
    // In-degrees and out-degrees count the same edges.
    let out: usize = (0..g.node_count() as u32).map(|u| g.out_degree(u)).sum();
    let inn: usize = (0..g.node_count() as u32).map(|u| g.in_degree(u)).sum();
    assert_eq!((out, inn), (edges, edges));
}

#[test]
fn nethept_loads() {
    // Listed in both directions already: 62,752 arcs, all distinct.
    check("nethept.txt", false, 15_229, 62_752, 62_752);
}

#[test]
fn wiki_vote_loads() {
    check("wiki-Vote.txt", false, 7_115, 103_689, 103_689);
}

#[test]
fn soc_epinions1_loads_with_crlf_and_header() {
    check("soc-Epinions1.txt", false, 75_879, 508_837, 508_837);
}

#[test]
fn ego_facebook_loads_undirected() {
    // Each friendship listed once; undirected adds the reverse arcs: 2 × 88,234.
    check("facebook_combined.txt", true, 4_039, 176_468, 88_234);
}
