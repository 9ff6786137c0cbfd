//! Issue 18: `sketch build --graph` writes its file part by part (bounded memory). The file is
//! byte for byte the one the whole in-memory set gives, the directory holds the usual pair
//! (sketches and manifest) and nothing else, and the memory limit is checked up front.

use reachgraph_api::load::GraphSpec;
use reachgraph_api::sketch::{load_sketches, SketchBuildRequest};
use reachgraph_api::{run, Request};
use reachgraph_core::sketch::{SketchParams, SketchSet};
use reachgraph_core::NoProgress;

fn scratch(name: &str) -> std::path::PathBuf {
    let d = std::env::temp_dir().join(format!("rg-skbuild-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    d
}

fn campaign() -> GraphSpec {
    serde_json::from_value(serde_json::json!({
        "path": "tests/fixtures/graphs/campaign.txt",
        "attributes": "tests/fixtures/graphs/campaign.attrs.csv"
    }))
    .unwrap()
}

/// A graph of 600 accounts whose follower lists cross k = 16 both ways, with people shared.
fn generated() -> GraphSpec {
    let mut text = String::new();
    let mut x = 17u64;
    for u in 0..600u64 {
        x = x
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        for j in 0..(x >> 58) {
            let v = (u * 31 + j * 7 + (x >> 40)) % 600;
            if v != u {
                text.push_str(&format!("u{u} u{v}\n"));
            }
        }
    }
    serde_json::from_value(serde_json::json!({ "inline": text })).unwrap()
}

fn request(graph: GraphSpec, out: &str, lg_k: u8, limit: Option<u64>) -> Request {
    Request::SketchBuild(SketchBuildRequest {
        graph,
        out: out.into(),
        lg_k: Some(lg_k),
        seed: Some(77),
        accounts: None,
        memory_limit_bytes: limit,
    })
}

fn names(dir: &std::path::Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}

#[test]
fn built_file_equals_the_in_memory_set() {
    for (name, spec) in [("campaign", campaign()), ("generated", generated())] {
        for lg_k in [4u8, 14] {
            let dir = scratch(&format!("{name}-{lg_k}"));
            let d = dir.to_str().unwrap();
            run(&request(spec.clone(), d, lg_k, None), &NoProgress).unwrap();
            let g = spec.load(&NoProgress).unwrap();
            let p = SketchParams::new(lg_k, 77).unwrap();
            let want = SketchSet::from_graph(&g.graph, None, p, &NoProgress).unwrap();
            let got = std::fs::read(dir.join("sketches.rgsk")).unwrap();
            assert!(got == want.to_bytes(), "{name} lg_k {lg_k}: bytes differ");
            assert_eq!(load_sketches(d).unwrap(), want);
            let m: serde_json::Value =
                serde_json::from_slice(&std::fs::read(dir.join("manifest.json")).unwrap()).unwrap();
            assert_eq!(m["bytes"], got.len());
            assert_eq!(m["total_hashes"], want.total_hashes());
            assert_eq!(
                names(&dir),
                ["manifest.json", "sketches.rgsk"],
                "no build file left"
            );
            let _ = std::fs::remove_dir_all(&dir);
        }
    }
}

#[test]
fn a_limit_too_small_is_a_typed_error_and_writes_nothing() {
    let dir = scratch("limit");
    let d = dir.to_str().unwrap();
    let e = run(&request(generated(), d, 4, Some(1 << 20)), &NoProgress).unwrap_err();
    assert_eq!(e.kind(), "memory_limit", "{e}");
    assert!(e.to_string().contains("person hashes"), "{e}");
    assert!(names(&dir).is_empty(), "{:?}", names(&dir));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn racing_graph_builds_leave_one_whole_pair() {
    let dir = scratch("race");
    let d = dir.to_str().unwrap().to_string();
    let specs = [campaign(), generated()];
    let wants: Vec<SketchSet> = specs
        .iter()
        .map(|s| {
            let g = s.load(&NoProgress).unwrap();
            let p = SketchParams::new(4, 77).unwrap();
            SketchSet::from_graph(&g.graph, None, p, &NoProgress).unwrap()
        })
        .collect();
    std::thread::scope(|s| {
        for spec in &specs {
            let d = d.clone();
            s.spawn(move || {
                for _ in 0..15 {
                    run(&request(spec.clone(), &d, 4, None), &NoProgress).unwrap();
                }
            });
        }
    });
    let last = load_sketches(&d).unwrap();
    assert!(last == wants[0] || last == wants[1]);
    assert_eq!(names(&dir), ["manifest.json", "sketches.rgsk"]);
    let _ = std::fs::remove_dir_all(&dir);
}
