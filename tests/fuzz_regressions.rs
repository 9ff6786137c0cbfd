//! Replays the fuzz corpus and every crash the fuzzers found through the fuzz targets'
//! bodies (`tests/fuzz_harness`), on stable: each file must go through without a panic.
//!
//! The files live in `fuzz/corpus/<target>/` (a small seed corpus, minimised with
//! `cargo fuzz cmin`) and `fuzz/regressions/<target>/` (one file per crash, named after its
//! cause). Reproducers of crashes not yet fixed wait in `fuzz/regressions-pending/`, which is
//! not replayed.

use crate::fuzz_harness::TARGETS;
use std::path::{Path, PathBuf};

fn fuzz_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz")
}

/// The files of `dir`, sorted; none when it does not exist.
fn files(dir: &Path) -> Vec<PathBuf> {
    let Ok(rd) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut out: Vec<PathBuf> = rd
        .map(|e| e.expect("directory entry").path())
        .filter(|p| p.is_file())
        .collect();
    out.sort();
    out
}

/// Runs every file of `<kind>/<target>/` through its target; returns how many ran.
fn replay(kind: &str) -> usize {
    let mut failed = Vec::new();
    let mut ran = 0;
    for (name, body) in TARGETS {
        for file in files(&fuzz_dir().join(kind).join(name)) {
            let data = std::fs::read(&file).expect("read a corpus file");
            ran += 1;
            if std::panic::catch_unwind(|| body(&data)).is_err() {
                failed.push(file.display().to_string());
            }
        }
    }
    assert!(failed.is_empty(), "inputs that panic: {failed:#?}");
    ran
}

#[test]
fn fuzz_corpus_replays_without_panic() {
    // Every target has a seed corpus: an empty one would make this test pass vacuously.
    for (name, _) in TARGETS {
        let n = files(&fuzz_dir().join("corpus").join(name)).len();
        assert!(n > 0, "fuzz/corpus/{name} is empty");
    }
    assert!(replay("corpus") >= TARGETS.len());
}

#[test]
fn fuzz_regressions_replay_without_panic() {
    replay("regressions");
}

#[test]
fn every_fuzz_target_has_a_harness_function() {
    // A target file without a harness entry would be fuzzed but never replayed on stable.
    let mut on_disk: Vec<String> = files(&fuzz_dir().join("fuzz_targets"))
        .iter()
        .filter_map(|p| Some(p.file_stem()?.to_str()?.to_string()))
        .collect();
    on_disk.sort();
    let mut listed: Vec<String> = TARGETS.iter().map(|(n, _)| n.to_string()).collect();
    listed.sort();
    assert_eq!(on_disk, listed);
}

#[test]
fn the_harness_checksum_is_the_sketch_formats() {
    // sketch_container repairs checksums with it; a different CRC would stop every repaired
    // input at the checksum check and leave the entry parser unfuzzed.
    let bytes = crate::fuzz_harness::tiny_sketches().to_bytes();
    let (body, stored) = bytes.split_at(bytes.len() - 4);
    assert_eq!(
        crate::fuzz_harness::crc32(body).to_le_bytes(),
        stored,
        "CRC-32 of a written sketch file"
    );
}
