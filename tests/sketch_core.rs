//! Sketches against exact answers: exact on small graphs, within their stated bounds at their
//! stated confidence on generated graphs, merges associative and commutative, files and serde
//! exact, typed errors for bad input, and the same sketches on any number of threads.

use reachgraph_core::coverage::{budget_pick as exact_pick, reach_ladder};
use reachgraph_core::reach::{unique_reach, ReachOptions};
use reachgraph_core::scenario::{generate, Scenario, ScenarioConfig};
use reachgraph_core::sketch::prior::{fit_lift, mixed_reach, modelled_reach, OverlapPrior};
use reachgraph_core::sketch::{
    budget_pick, check, expected_error, hash_token, ladder, overlap, union_reach, DsKind,
    DsSketchSet, Kmv, SketchParams, SketchSet, StreamBuilder,
};
use reachgraph_core::{
    overlap as exact_overlap, Attributes, Categorical, Error, Graph, GraphBuilder, GraphOptions,
    NoProgress,
};

fn graph(edges: &[(&str, &str)]) -> Graph {
    let mut b = GraphBuilder::new(GraphOptions::default());
    for &(u, v) in edges {
        b.add_edge(u, v, None).unwrap();
    }
    b.build().unwrap().0
}

fn params(lg_k: u8, seed: u64) -> SketchParams {
    SketchParams::new(lg_k, seed).unwrap()
}

fn scenario(seed: u64) -> Scenario {
    // One graph person per 200 real people: creator audiences of a few hundred to a few
    // thousand graph people, so sketches of 64–128 hashes are in estimation mode.
    let cfg = ScenarioConfig {
        people: 20_000,
        creators: 60,
        seed,
        scale: Some(200.0),
        ..ScenarioConfig::demo()
    };
    generate(&cfg, &NoProgress).unwrap()
}

/// Labels of graph accounts → indexes in a set.
fn idx(set: &SketchSet, g: &Graph, ids: &[u32]) -> Vec<u32> {
    let labels: Vec<String> = ids.iter().map(|&a| g.label(a)).collect();
    set.resolve(&labels, "accounts").unwrap()
}

#[test]
fn exact_sketches_give_exact_reach_and_overlap_with_person_dedup() {
    // x1 and x2 are one person: following a and b through two accounts counts once.
    let mut g = graph(&[
        ("a", "x1"),
        ("a", "y"),
        ("b", "x2"),
        ("b", "z"),
        ("b", "w"),
        ("c", "w"),
    ]);
    let n = g.node_count();
    let mut at = Attributes::new(n);
    let labels: Vec<Option<&str>> = (0..n as u32)
        .map(|i| match g.label(i).as_str() {
            "x1" | "x2" => Some("px"),
            _ => None,
        })
        .collect();
    at.person = Categorical::from_labels(labels);
    g.set_attributes(at).unwrap();
    let set = SketchSet::from_graph(&g, None, SketchParams::default(), &NoProgress).unwrap();
    let ids = g.resolve(&["a", "b", "c"], "s").unwrap();
    let si = idx(&set, &g, &ids);
    let r = union_reach(&set, &si, 0.95).unwrap();
    let ex = unique_reach(&g, &ids, &ReachOptions::default()).unwrap();
    assert_eq!(ex.unique_people, 4); // px, y, z, w
    assert_eq!(r.unique_reach, 4.0);
    assert!(r.exact && r.error_bound == 0.0);
    assert_eq!(r.summed_followers, 6);
    let ov = overlap(&set, &si, 0.95, &NoProgress).unwrap();
    let eo = exact_overlap(&g, &ids, &NoProgress).unwrap();
    assert!(ov.exact);
    for i in 0..3 {
        for j in 0..3 {
            assert_eq!(
                ov.shared[[i, j]],
                eo.shared[[i, j]] as f64,
                "shared {i} {j}"
            );
            assert_eq!(ov.jaccard[[i, j]], eo.jaccard[[i, j]], "jaccard {i} {j}");
            assert_eq!(ov.containment[[i, j]], eo.containment[[i, j]]);
            assert_eq!(ov.jaccard_error[[i, j]], 0.0);
        }
    }
    // a and b share person px: Jaccard 1 / 4 ({px, y} vs {px, z, w}).
    assert_eq!(ov.jaccard[[0, 1]], 0.25);
}

#[test]
fn sketches_of_two_platforms_dedup_people_when_hashed_consistently() {
    // Platform A's export and platform B's export, built apart, name followers by person.
    let mut a = StreamBuilder::new(params(8, 5)).unwrap();
    a.read_pairs(
        "ig:c1 alice\nig:c1 bob\n".as_bytes(),
        "ig.txt",
        1 << 20,
        &NoProgress,
    )
    .unwrap();
    let mut b = StreamBuilder::new(params(8, 5)).unwrap();
    b.read_pairs(
        "tt:c1 bob\ntt:c1 carol\n".as_bytes(),
        "tt.txt",
        1 << 20,
        &NoProgress,
    )
    .unwrap();
    let set = a.finish().merge(&b.finish()).unwrap();
    let both = set.resolve(&["ig:c1", "tt:c1"], "accounts").unwrap();
    assert_eq!(union_reach(&set, &both, 0.95).unwrap().unique_reach, 3.0);
    assert_eq!(set.hashes(set.index_of("tt:c1").unwrap()).len(), 2);
    assert!(set
        .hashes(set.index_of("ig:c1").unwrap())
        .contains(&hash_token(5, "bob")));
}

/// Share of `hits` out of `n` must be at least `conf − 3σ` (and the test fails, rather than
/// passes vacuously, when the bounds are too narrow).
fn assert_coverage(hits: usize, n: usize, conf: f64, what: &str) {
    let sigma = (conf * (1.0 - conf) / n as f64).sqrt();
    let rate = hits as f64 / n as f64;
    assert!(
        rate >= conf - 3.0 * sigma,
        "{what}: {hits}/{n} = {rate:.3} within bounds, below {conf} − 3σ"
    );
}

#[test]
fn reach_estimates_are_within_their_bounds_at_the_stated_confidence() {
    let sc = scenario(21);
    let g = &sc.graph;
    let sets: Vec<Vec<u32>> = vec![
        sc.creators[..5].to_vec(),
        sc.creators[5..25].to_vec(),
        sc.creators.clone(),
        sc.creators.iter().copied().step_by(3).collect(),
    ];
    let exact: Vec<f64> = sets
        .iter()
        .map(|s| {
            unique_reach(g, s, &ReachOptions::default())
                .unwrap()
                .unique_people as f64
        })
        .collect();
    let (lg_k, conf) = (6u8, 0.95);
    let k = 1usize << lg_k;
    let (mut hits, mut n, mut rel_sum, mut inexact) = (0, 0, 0.0, 0);
    for seed in 0..100u64 {
        let set =
            SketchSet::from_graph(g, Some(&sc.creators), params(lg_k, seed), &NoProgress).unwrap();
        for (s, &x) in sets.iter().zip(&exact) {
            let r = union_reach(&set, &idx(&set, g, s), conf).unwrap();
            n += 1;
            if (r.unique_reach - x).abs() <= r.error_bound {
                hits += 1;
            }
            if !r.exact {
                inexact += 1;
                rel_sum += r.relative_error;
                assert!(r.lower <= r.unique_reach && r.unique_reach <= r.upper);
            }
        }
    }
    assert!(
        inexact > n / 2,
        "the test must exercise estimation ({inexact}/{n})"
    );
    assert_coverage(hits, n, conf, "reach");
    // The bounds are not vacuous: about z/√k relative.
    let mean_rel = rel_sum / inexact as f64;
    assert!(
        mean_rel < 1.3 * 1.96 / (k as f64).sqrt(),
        "mean relative bound {mean_rel}"
    );
}

#[test]
fn pairwise_estimates_are_within_their_bounds_at_the_stated_confidence() {
    let sc = scenario(22);
    let g = &sc.graph;
    let acc: Vec<u32> = sc.creators[..12].to_vec();
    let ex = exact_overlap(g, &acc, &NoProgress).unwrap();
    let conf = 0.95;
    let (mut hits_j, mut hits_c, mut hits_s, mut n) = (0, 0, 0, 0);
    for seed in 0..40u64 {
        let set =
            SketchSet::from_graph(g, Some(&acc), params(6, 1000 + seed), &NoProgress).unwrap();
        let ov = overlap(&set, &idx(&set, g, &acc), conf, &NoProgress).unwrap();
        assert!(!ov.exact);
        for i in 0..acc.len() {
            for j in 0..acc.len() {
                if i == j {
                    continue;
                }
                n += 1;
                if (ov.jaccard[[i, j]] - ex.jaccard[[i, j]]).abs()
                    <= ov.jaccard_error[[i, j]] + 1e-12
                {
                    hits_j += 1;
                }
                if (ov.containment[[i, j]] - ex.containment[[i, j]]).abs()
                    <= ov.containment_error[[i, j]] + 1e-12
                {
                    hits_c += 1;
                }
                if (ov.shared[[i, j]] - ex.shared[[i, j]] as f64).abs()
                    <= ov.shared_error[[i, j]] + 1e-9
                {
                    hits_s += 1;
                }
            }
        }
    }
    assert_coverage(hits_j, n, conf, "jaccard");
    assert_coverage(hits_c, n, conf, "containment");
    assert_coverage(hits_s, n, conf, "shared");
}

#[test]
fn check_mode_compares_with_exact_answers() {
    let sc = scenario(23);
    let g = &sc.graph;
    let acc: Vec<u32> = sc.creators[..10].to_vec();
    let set = SketchSet::from_graph(g, Some(&sc.creators), params(7, 3), &NoProgress).unwrap();
    let rep = check(
        g,
        &set,
        &[acc.clone(), sc.creators.clone()],
        0.95,
        &NoProgress,
    )
    .unwrap();
    assert_eq!(rep.rows.len(), 2 + 45);
    let ex = unique_reach(g, &acc, &ReachOptions::default()).unwrap();
    assert_eq!(rep.rows[0].exact, ex.unique_people as f64);
    assert!(rep.within as f64 >= 0.8 * rep.rows.len() as f64, "{rep:?}");
    assert!(rep.max_reach_error < 0.5);
}

#[test]
fn error_report_matches_the_kmv_error() {
    let e = expected_error(12, Some(1_000_000), 0.95).unwrap();
    assert_eq!(e.k, 4096);
    assert!((e.relative_standard_error - 1.0 / 4094f64.sqrt()).abs() < 1e-12);
    assert!(
        e.relative_error_bound > 0.029 && e.relative_error_bound < 0.033,
        "{e:?}"
    );
    assert_eq!(e.lg_k_for_2_percent, 14);
    assert!(expected_error(12, Some(100), 0.95).unwrap().exact);
    assert!(expected_error(30, None, 0.95).is_err());
}

/// Splits a graph's follow records into three streams of `account follower` lines.
fn three_streams(g: &Graph) -> [String; 3] {
    let mut out = [String::new(), String::new(), String::new()];
    let mut e = 0usize;
    for u in 0..g.node_count() as u32 {
        for &v in g.followers(u) {
            out[e % 3].push_str(&format!("{} {}\n", g.label(u), g.label(v)));
            e += 1;
        }
    }
    out
}

fn stream(text: &str, p: SketchParams) -> SketchSet {
    let mut b = StreamBuilder::new(p).unwrap();
    b.read_pairs(text.as_bytes(), "s", 1 << 10, &NoProgress)
        .unwrap();
    b.finish()
}

#[test]
fn merges_are_associative_commutative_and_equal_the_whole() {
    let sc = scenario(24);
    let g = &sc.graph;
    let p = params(5, 8);
    let [a, b, c] = three_streams(g);
    let (a, b, c) = (stream(&a, p), stream(&b, p), stream(&c, p));
    let ab_c = a.merge(&b).unwrap().merge(&c).unwrap();
    let a_bc = a.merge(&b.merge(&c).unwrap()).unwrap();
    let cb_a = c.merge(&b).unwrap().merge(&a).unwrap();
    assert_eq!(ab_c, a_bc);
    assert_eq!(ab_c, cb_a);
    // Merging is the sketch of the union: equal to one stream of everything, and to the graph
    // build (accounts are their own people here: the scenario's person links are ignored by the
    // streams, so compare with a copy without them).
    let whole = stream(&three_streams(g).concat(), p);
    let whole_sorted = whole.merge(&stream("", p)).unwrap();
    assert_eq!(ab_c, whole_sorted);
    let mut plain = g.clone();
    plain
        .set_attributes(Attributes::new(g.node_count()))
        .unwrap();
    let from_graph = SketchSet::from_graph(&plain, None, p, &NoProgress).unwrap();
    for i in 0..whole.len() as u32 {
        let j = from_graph.index_of(whole.account(i)).unwrap();
        assert_eq!(whole.hashes(i), from_graph.hashes(j));
        assert_eq!(whole.records(i), from_graph.records(j));
    }
    // Idempotent: merging a set with itself counts its records once (issue 14).
    let aa = a.merge(&a).unwrap();
    let a0 = a.merge(&stream("", p)).unwrap();
    assert_eq!(aa, a0);
}

#[test]
fn files_and_serde_round_trip_exactly() {
    let sc = scenario(25);
    let set = SketchSet::from_graph(&sc.graph, None, params(6, 4), &NoProgress).unwrap();
    let bytes = set.to_bytes();
    let back = SketchSet::from_bytes(&bytes, "mem").unwrap();
    assert_eq!(back, set);
    let mut w = Vec::new();
    set.write(&mut w, "mem").unwrap();
    assert_eq!(w, bytes);
    assert_eq!(SketchSet::read(&w[..], "mem").unwrap(), set);
    let json = serde_json::to_string(&set).unwrap();
    let back: SketchSet = serde_json::from_str(&json).unwrap();
    assert_eq!(back, set);
    let one = set.kmv(3);
    let back: Kmv = serde_json::from_str(&serde_json::to_string(&one).unwrap()).unwrap();
    assert_eq!(back, one);
    for kind in [DsKind::Cpc, DsKind::Hll, DsKind::Theta] {
        let ds = DsSketchSet::from_graph(
            &sc.graph,
            Some(&sc.creators),
            kind,
            params(10, 4),
            &NoProgress,
        )
        .unwrap();
        let b = ds.to_bytes();
        let back = DsSketchSet::from_bytes(&b, "mem").unwrap();
        // HLL's list mode serializes coupons in table order, which a reload may change; its
        // estimates are what must survive.
        if kind != DsKind::Hll {
            assert_eq!(back.to_bytes(), b, "{kind:?}");
        }
        let all: Vec<u32> = (0..ds.len() as u32).collect();
        assert_eq!(
            back.union_reach(&all, 0.95).unwrap(),
            ds.union_reach(&all, 0.95).unwrap()
        );
    }
}

#[test]
fn datasketches_unions_agree_with_exact_reach() {
    let sc = scenario(26);
    let exact = unique_reach(&sc.graph, &sc.creators, &ReachOptions::default())
        .unwrap()
        .unique_people as f64;
    for kind in [DsKind::Cpc, DsKind::Hll, DsKind::Theta] {
        let ds = DsSketchSet::from_graph(
            &sc.graph,
            Some(&sc.creators),
            kind,
            params(8, 1),
            &NoProgress,
        )
        .unwrap();
        let all: Vec<u32> = (0..ds.len() as u32).collect();
        let r = ds.union_reach(&all, 0.99).unwrap();
        assert!(
            r.lower <= exact && exact <= r.upper,
            "{kind:?}: {exact} not in [{}, {}]",
            r.lower,
            r.upper
        );
        assert!((r.unique_reach - exact).abs() / exact < 0.25);
    }
    let th = DsSketchSet::from_graph(
        &sc.graph,
        Some(&sc.creators[..2]),
        DsKind::Theta,
        params(12, 1),
        &NoProgress,
    )
    .unwrap();
    let ex = exact_overlap(&sc.graph, &sc.creators[..2], &NoProgress).unwrap();
    let (lo, _, hi) = th.jaccard(0, 1).unwrap();
    assert!(lo - 1e-9 <= ex.jaccard[[0, 1]] && ex.jaccard[[0, 1]] <= hi + 1e-9);
}

#[test]
fn bad_input_gives_typed_errors() {
    let g = graph(&[("a", "x"), ("a", "y"), ("b", "y")]);
    let set = SketchSet::from_graph(&g, None, params(4, 1), &NoProgress).unwrap();
    // Incompatible parameters.
    let other_seed = SketchSet::from_graph(&g, None, params(4, 2), &NoProgress).unwrap();
    let e = set.merge(&other_seed).unwrap_err();
    assert!(matches!(e, Error::IncompatibleSketches { ref what, .. } if what == "hash seed"));
    let other_k = SketchSet::from_graph(&g, None, params(5, 1), &NoProgress).unwrap();
    assert_eq!(
        set.merge(&other_k).unwrap_err().kind(),
        "incompatible_sketches"
    );
    assert_eq!(
        other_k.downsample(4).unwrap().merge(&set).unwrap().len(),
        set.len()
    );
    assert!(SketchParams::new(2, 0).is_err());

    let bytes = set.to_bytes();
    // Truncated.
    for cut in [0, 10, 39, 40, bytes.len() / 2, bytes.len() - 1] {
        let e = SketchSet::from_bytes(&bytes[..cut], "t.rgsk").unwrap_err();
        assert_eq!(e.kind(), "truncated_sketch", "cut at {cut}: {e}");
        assert!(e.to_string().contains("t.rgsk"));
    }
    // Corrupt: bad magic, trailing bytes, a flipped bit (checksum).
    let mut bad = bytes.clone();
    bad[0] = b'X';
    assert_eq!(
        SketchSet::from_bytes(&bad, "m").unwrap_err().kind(),
        "corrupt_sketch"
    );
    let mut long = bytes.clone();
    long.push(0);
    assert_eq!(
        SketchSet::from_bytes(&long, "m").unwrap_err().kind(),
        "corrupt_sketch"
    );
    for pos in [45, bytes.len() - 12, bytes.len() - 2] {
        let mut flip = bytes.clone();
        flip[pos] ^= 0x10;
        let e = SketchSet::from_bytes(&flip, "m").unwrap_err();
        assert_eq!(e.kind(), "corrupt_sketch", "flip at {pos}");
        assert!(e.to_string().contains("checksum"), "{e}");
    }
    // Unsorted hashes under a valid checksum: the entry check catches them.
    let mut swapped = bytes.clone();
    let a = set.index_of("a").unwrap();
    let off = find_entry_payload(&bytes, "a");
    assert_eq!(set.hashes(a).len(), 2);
    let (x, y) = (off, off + 8);
    let tmp: Vec<u8> = swapped[x..x + 8].to_vec();
    swapped.copy_within(y..y + 8, x);
    swapped[y..y + 8].copy_from_slice(&tmp);
    let n = swapped.len();
    let crc = crc32(&swapped[..n - 4]);
    swapped[n - 4..].copy_from_slice(&crc.to_le_bytes());
    let e = SketchSet::from_bytes(&swapped, "m").unwrap_err();
    assert!(e.to_string().contains("strictly increasing"), "{e}");
    // A DataSketches file is not a bottom-k file.
    let cpc = DsSketchSet::from_graph(&g, None, DsKind::Cpc, params(4, 1), &NoProgress).unwrap();
    assert_eq!(
        SketchSet::from_bytes(&cpc.to_bytes(), "c")
            .unwrap_err()
            .kind(),
        "incompatible_sketches"
    );
    // Bad account lists.
    assert_eq!(union_reach(&set, &[], 0.95).unwrap_err().kind(), "empty");
    assert_eq!(
        union_reach(&set, &[0, 0], 0.95).unwrap_err().kind(),
        "duplicate_node"
    );
    assert_eq!(
        union_reach(&set, &[99], 0.95).unwrap_err().kind(),
        "unknown_node"
    );
    assert_eq!(
        union_reach(&set, &[0], 1.5).unwrap_err().kind(),
        "invalid_parameter"
    );
    assert_eq!(
        set.resolve(&["nobody"], "x").unwrap_err().kind(),
        "unknown_node"
    );
    // Bad stream lines name the line.
    let mut b = StreamBuilder::new(params(4, 1)).unwrap();
    let e = b
        .read_pairs("a x\n\nb\n".as_bytes(), "pairs.txt", 1 << 10, &NoProgress)
        .unwrap_err();
    assert!(e.to_string().starts_with("pairs.txt:3:"), "{e}");
    let e = b
        .read_pairs("a x y\n".as_bytes(), "p2", 1 << 10, &NoProgress)
        .unwrap_err();
    assert_eq!(e.kind(), "parse");
    // A truncated gzip stream is an I/O error, not a silent short read.
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    std::io::Write::write_all(&mut gz, "a x\nb y\n".repeat(1000).as_bytes()).unwrap();
    let gz = gz.finish().unwrap();
    let e = StreamBuilder::new(params(4, 1))
        .unwrap()
        .read_pairs(&gz[..gz.len() / 2], "p.gz", 1 << 10, &NoProgress)
        .unwrap_err();
    assert_eq!(e.kind(), "io", "{e}");
}

/// Byte offset of the payload of the entry named `name` (walks the format).
fn find_entry_payload(bytes: &[u8], name: &str) -> usize {
    let n = u64::from_le_bytes(bytes[24..32].try_into().unwrap());
    let mut p = 40;
    for _ in 0..n {
        let len = u32::from_le_bytes(bytes[p..p + 4].try_into().unwrap()) as usize;
        let nm = std::str::from_utf8(&bytes[p + 4..p + 4 + len]).unwrap();
        p += 4 + len + 8;
        let plen = u32::from_le_bytes(bytes[p..p + 4].try_into().unwrap()) as usize;
        p += 4;
        if nm == name {
            return p;
        }
        p += plen;
    }
    panic!("no entry {name}");
}

/// CRC-32 (IEEE), bit by bit: an independent check of the format's checksum.
fn crc32(data: &[u8]) -> u32 {
    let mut c = !0u32;
    for &b in data {
        c ^= b as u32;
        for _ in 0..8 {
            c = if c & 1 != 0 {
                (c >> 1) ^ 0xEDB8_8320
            } else {
                c >> 1
            };
        }
    }
    !c
}

#[test]
fn same_sketches_and_answers_on_any_number_of_threads() {
    let sc = scenario(27);
    let run = |threads: usize| {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap();
        pool.install(|| {
            let set = SketchSet::from_graph(&sc.graph, None, params(6, 9), &NoProgress).unwrap();
            let acc = idx(&set, &sc.graph, &sc.creators);
            let ov = overlap(&set, &acc, 0.95, &NoProgress).unwrap();
            let r = union_reach(&set, &acc, 0.95).unwrap();
            let l = ladder(&set, Some(&acc), 10, 0.95).unwrap();
            let mut st = StreamBuilder::new(params(6, 9)).unwrap();
            st.read_pairs(
                three_streams(&sc.graph).concat().as_bytes(),
                "s",
                4096,
                &NoProgress,
            )
            .unwrap();
            (set, ov, r, l, st.finish())
        })
    };
    let one = run(1);
    for t in [2, 3] {
        assert_eq!(run(t), one, "{t} threads");
    }
}

#[test]
fn ladder_and_pick_on_exact_sketches_equal_the_exact_greedy() {
    let sc = scenario(28);
    let g = &sc.graph;
    // Both greedy break ties by position: the exact one by dense id, so list by dense id.
    let mut creators = sc.creators.clone();
    creators.sort_unstable();
    let set = SketchSet::from_graph(g, Some(&creators), params(16, 1), &NoProgress).unwrap();
    let acc = idx(&set, g, &creators);
    let sl = ladder(&set, Some(&acc), 8, 0.95).unwrap();
    let el = reach_ladder(g, Some(&sc.creators), 8, &ReachOptions::default()).unwrap();
    assert!(sl.exact);
    for (s, e) in sl.steps.iter().zip(&el.steps) {
        assert_eq!(set.account(s.account), g.label(e.account));
        assert_eq!(s.cumulative_reach, e.cumulative_people as f64);
        assert_eq!(s.marginal_reach, e.marginal_people as f64);
    }
    let costs: Vec<f64> = (0..set.len() as u32)
        .map(|i| g.attributes().cost[g.node(set.account(i)).unwrap() as usize])
        .collect();
    let sp = budget_pick(&set, None, &costs, 20_000.0, 0.95).unwrap();
    let ep = exact_pick(g, Some(&sc.creators), 20_000.0, &ReachOptions::default()).unwrap();
    let names: Vec<String> = sp
        .accounts
        .iter()
        .map(|&a| set.account(a).to_string())
        .collect();
    let enames: Vec<String> = ep.accounts.iter().map(|&a| g.label(a)).collect();
    assert_eq!(names, enames);
    assert_eq!(sp.unique_reach, ep.people as f64);
    assert_eq!(sp.method, ep.method);
}

#[test]
fn ladder_on_sampled_sketches_stays_within_bounds() {
    let sc = scenario(29);
    let g = &sc.graph;
    let (mut hits, mut n) = (0, 0);
    for seed in 0..30u64 {
        let set = SketchSet::from_graph(g, Some(&sc.creators), params(7, 50 + seed), &NoProgress)
            .unwrap();
        let acc = idx(&set, g, &sc.creators);
        let l = ladder(&set, Some(&acc), 6, 0.95).unwrap();
        assert!(!l.exact && l.sample_rate < 1.0);
        let mut chosen = Vec::new();
        for s in &l.steps {
            chosen.push(g.node(set.account(s.account)).unwrap());
            let x = unique_reach(g, &chosen, &ReachOptions::default())
                .unwrap()
                .unique_people as f64;
            n += 1;
            if (s.cumulative_reach - x).abs() <= s.cumulative_error {
                hits += 1;
            }
        }
    }
    assert_coverage(hits, n, 0.95, "ladder cumulative reach");
}

#[test]
fn count_only_reach_is_a_labelled_model() {
    let r = modelled_reach(&[300, 200], 1000.0, OverlapPrior::Independence).unwrap();
    assert!((r.unique_reach - 1000.0 * (1.0 - 0.7 * 0.8)).abs() < 1e-9);
    assert_eq!(r.kind, "model");
    assert!(r.assumptions.iter().any(|a| a.contains("independence")));
    // More overlap, less reach; lift 1 is (the Poisson form of) independence.
    let c1 = modelled_reach(&[300, 200], 1000.0, OverlapPrior::Correlated { lift: 1.0 }).unwrap();
    let c2 = modelled_reach(&[300, 200], 1000.0, OverlapPrior::Correlated { lift: 2.0 }).unwrap();
    assert!((c1.unique_reach - 1000.0 * (1.0 - (-0.5f64).exp())).abs() < 1e-9);
    assert!(c2.unique_reach < c1.unique_reach);
    // κ = 1: N (1 − 1/(1 + S/N)).
    assert!((c2.unique_reach - 1000.0 * (1.0 - 1.0 / 1.5)).abs() < 1e-9);
    for bad in [0.5, f64::NAN] {
        assert!(modelled_reach(&[1], 10.0, OverlapPrior::Correlated { lift: bad }).is_err());
    }
    assert!(modelled_reach(&[100], 10.0, OverlapPrior::Independence).is_err());
    assert!(modelled_reach(&[], 10.0, OverlapPrior::Independence).is_err());
    // A lift fitted from measured overlap of clustered audiences is above 1; the mixed result
    // keeps measured and modelled parts apart.
    let sc = scenario(30);
    let set =
        SketchSet::from_graph(&sc.graph, Some(&sc.creators), params(12, 1), &NoProgress).unwrap();
    let acc: Vec<u32> = (0..20).collect();
    let ov = overlap(&set, &acc, 0.95, &NoProgress).unwrap();
    let fit = fit_lift(&ov, sc.graph.people().count as f64).unwrap();
    assert!(fit.lift > 1.0, "{fit:?}");
    let measured = union_reach(&set, &acc[..10], 0.95).unwrap();
    let m = mixed_reach(
        measured.clone(),
        &[100, 200],
        sc.graph.people().count as f64,
        OverlapPrior::Correlated { lift: fit.lift },
    )
    .unwrap();
    assert_eq!(m.measured, measured);
    assert!(m.total > measured.unique_reach && m.kind == "measured + model");
}

#[test]
fn build_with_repeated_people_across_many_chunks_equals_the_stream_build() {
    // 5,000 creators (several build chunks), each followed by two accounts of one person and
    // by one account of its own: every sketch loses a repeat to dedup, so the build closes the
    // gaps it left in its buffer. The stream of the same (creator, person) pairs must agree.
    let mut edges = Vec::new();
    for c in 0..5000 {
        edges.push((format!("c{c}"), format!("a{c}")));
        edges.push((format!("c{c}"), format!("b{c}")));
        edges.push((format!("c{c}"), format!("o{c}")));
    }
    let mut b = GraphBuilder::new(GraphOptions::default());
    for (u, v) in &edges {
        b.add_edge(u.as_str(), v.as_str(), None).unwrap();
    }
    let mut g = b.build().unwrap().0;
    let n = g.node_count();
    let mut at = Attributes::new(n);
    let person: Vec<Option<String>> = (0..n as u32)
        .map(|i| {
            let l = g.label(i);
            l.strip_prefix('a')
                .or_else(|| l.strip_prefix('b'))
                .map(|c| format!("p{c}"))
        })
        .collect();
    at.person = Categorical::from_labels(person.iter().map(|p| p.as_deref()));
    g.set_attributes(at).unwrap();
    let p = params(6, 3);
    let creators: Vec<u32> = (0..5000)
        .map(|c| g.ids().lookup(&format!("c{c}")).unwrap())
        .collect();
    let built = SketchSet::from_graph(&g, Some(&creators), p, &NoProgress).unwrap();
    let text: String = (0..5000)
        .map(|c| format!("c{c} p{c}\nc{c} p{c}\nc{c} o{c}\n"))
        .collect();
    let streamed = stream(&text, p);
    assert_eq!(built.total_hashes(), 2 * 5000);
    for c in 0..5000u32 {
        assert_eq!(built.account(c), format!("c{c}"));
        let s = streamed.index_of(&format!("c{c}")).unwrap();
        assert_eq!(built.hashes(c), streamed.hashes(s), "c{c}");
        assert_eq!(built.records(c), 3);
    }
}

#[test]
fn integer_pairs_build_the_same_sketches_as_a_stream() {
    let accounts: Vec<i64> = (0..20_000).map(|i| (i * 7919) % 300).collect();
    let followers: Vec<i64> = (0..20_000).map(|i| (i * 104_729) % 5000 - 17).collect();
    let p = params(7, 5);
    let set = SketchSet::from_id_pairs(&accounts, &followers, p).unwrap();
    let text: String = accounts
        .iter()
        .zip(&followers)
        .map(|(a, f)| format!("{a} {f}\n"))
        .collect();
    let streamed = stream(&text, p);
    assert_eq!(set.len(), 300);
    for i in 0..set.len() as u32 {
        assert_eq!(set.account(i), i.to_string(), "ascending id order");
        let s = streamed.index_of(set.account(i)).unwrap();
        assert_eq!(set.hashes(i), streamed.hashes(s));
        assert_eq!(set.records(i), streamed.records(s));
    }
    let e = SketchSet::from_id_pairs(&accounts, &followers[1..], p).unwrap_err();
    assert_eq!(e.kind(), "length_mismatch");
    assert!(SketchSet::from_id_pairs(&[], &[], p).unwrap().is_empty());
}
