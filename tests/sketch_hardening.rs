//! Issue 14 for sketches: malformed sketch files (class 1), counts that would wrap and merges
//! that would count an account twice (class 4), and intervals that must hold their own
//! estimate (class 6).
//!
//! The malformed-file test is a seeded, bounded fuzz: truncations, bit flips, random values in
//! every field with the checksum repaired (so the entry parser sees them, not only the
//! checksum), and random bytes, fed to both readers. Every outcome must be `Ok` or a typed
//! sketch error naming the input; a panic fails the test as it is (no `catch_unwind`).

use reachgraph_core::sketch::{
    expected_error, union_reach, DsKind, DsSketchSet, Kmv, SketchParams, SketchSet, StreamBuilder,
};
use reachgraph_core::{GraphBuilder, GraphOptions, NoProgress};

/// CRC-32 (IEEE) with a table: an independent check of the format's checksum.
fn crc32(data: &[u8]) -> u32 {
    static TABLE: std::sync::OnceLock<[u32; 256]> = std::sync::OnceLock::new();
    let t = TABLE.get_or_init(|| {
        let mut t = [0u32; 256];
        for (i, e) in t.iter_mut().enumerate() {
            let mut c = i as u32;
            for _ in 0..8 {
                c = if c & 1 != 0 {
                    (c >> 1) ^ 0xEDB8_8320
                } else {
                    c >> 1
                };
            }
            *e = c;
        }
        t
    });
    let mut c = !0u32;
    for &b in data {
        c = t[((c ^ b as u32) & 0xff) as usize] ^ (c >> 8);
    }
    !c
}

/// A seeded generator (splitmix64), so every run tries the same inputs.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

/// Sets the total length field to the buffer's length and the trailing checksum to match, so
/// a mutation reaches the checks after them.
fn repair(b: &mut [u8]) {
    if b.len() < 44 {
        return;
    }
    let n = b.len();
    b[32..40].copy_from_slice(&(n as u64).to_le_bytes());
    let crc = crc32(&b[..n - 4]);
    b[n - 4..].copy_from_slice(&crc.to_le_bytes());
}

/// Changes the four bytes at `at` so that the CRC-32 of `b[..end]` is `target`. CRC-32 is
/// affine over GF(2) in its input, so this solves a 32×32 linear system.
fn force_crc(b: &mut [u8], end: usize, at: usize, target: u32) {
    let base = crc32(&b[..end]);
    let mut rows: Vec<(u32, u32)> = (0..32)
        .map(|bit| {
            b[at + bit / 8] ^= 1 << (bit % 8);
            let d = crc32(&b[..end]) ^ base;
            b[at + bit / 8] ^= 1 << (bit % 8);
            (d, 1u32 << bit)
        })
        .collect();
    let mut want = base ^ target;
    let mut flips = 0u32;
    for col in (0..32).rev() {
        let Some(p) = rows.iter().position(|r| r.0 >> col & 1 == 1) else {
            continue;
        };
        let pivot = rows.swap_remove(p);
        for r in rows.iter_mut() {
            if r.0 >> col & 1 == 1 {
                r.0 ^= pivot.0;
                r.1 ^= pivot.1;
            }
        }
        if want >> col & 1 == 1 {
            want ^= pivot.0;
            flips ^= pivot.1;
        }
    }
    assert_eq!(want, 0, "CRC-32 is onto from any four consecutive bytes");
    for bit in 0..32 {
        if flips >> bit & 1 == 1 {
            b[at + bit / 8] ^= 1 << (bit % 8);
        }
    }
    assert_eq!(crc32(&b[..end]), target);
}

/// The 40-byte files of the issue: a header stating `accounts` accounts and a total length
/// of 40, whose last four bytes (the high half of the length field) are a matching checksum.
fn forty_byte_file(accounts: u64) -> Vec<u8> {
    let mut b = Vec::with_capacity(40);
    b.extend_from_slice(b"RGSKETCH");
    b.extend_from_slice(&1u16.to_le_bytes());
    b.extend_from_slice(&[1, 4, 1, 0, 0, 0]);
    b.extend_from_slice(&0u64.to_le_bytes());
    b.extend_from_slice(&accounts.to_le_bytes());
    b.extend_from_slice(&40u64.to_le_bytes());
    // The seed field is free: choose it so the checksum of the first 36 bytes is 0, the
    // value of bytes 36..40.
    force_crc(&mut b, 36, 16, 0);
    b
}

#[test]
fn regression_issue14_forty_byte_file_with_matching_checksum() {
    for accounts in [0, 1, u64::MAX] {
        let b = forty_byte_file(accounts);
        assert_eq!(crc32(&b[..36]).to_le_bytes(), b[36..40]);
        let e = SketchSet::from_bytes(&b, "forty.rgsk").unwrap_err();
        assert_eq!(e.kind(), "corrupt_sketch", "{e}");
        let m = e.to_string();
        assert!(
            m.contains("forty.rgsk") && m.contains("total length 40"),
            "{m}"
        );
        assert!(!m.contains("18446744073709551612"), "{m}");
        let e = DsSketchSet::from_bytes(&b, "forty.rgsk").unwrap_err();
        assert_eq!(e.kind(), "corrupt_sketch", "{e}");
    }
}

#[test]
fn regression_issue14_account_count_beyond_the_body_is_refused_before_allocating() {
    let g = graph(&[("a", "x"), ("b", "y")]);
    let set =
        SketchSet::from_graph(&g, None, SketchParams::new(4, 1).unwrap(), &NoProgress).unwrap();
    let mut b = set.to_bytes();
    b[24..32].copy_from_slice(&u64::MAX.to_le_bytes());
    repair(&mut b);
    let e = SketchSet::from_bytes(&b, "many.rgsk").unwrap_err();
    assert_eq!(e.kind(), "corrupt_sketch");
    assert!(
        e.to_string().contains("account count 18446744073709551615"),
        "{e}"
    );
    // An entry whose id length runs past the end names the entry and the field.
    let mut b = set.to_bytes();
    b[40..44].copy_from_slice(&u32::MAX.to_le_bytes());
    repair(&mut b);
    let e = SketchSet::from_bytes(&b, "long.rgsk").unwrap_err();
    assert!(
        e.to_string()
            .contains("entry 0: the account id (4294967295 bytes)"),
        "{e}"
    );
}

fn graph(edges: &[(&str, &str)]) -> reachgraph_core::Graph {
    let mut b = GraphBuilder::new(GraphOptions::default());
    for &(u, v) in edges {
        b.add_edge(u, v, None).unwrap();
    }
    b.build().unwrap().0
}

/// Valid files of every kind, small enough to mutate exhaustively in places.
fn valid_files() -> Vec<Vec<u8>> {
    let mut edges = Vec::new();
    for a in 0..6 {
        for p in 0..(3 + 9 * a) {
            edges.push((format!("acct{a}"), format!("p{}", (p * 7 + a) % 40)));
        }
    }
    let edges: Vec<(&str, &str)> = edges.iter().map(|(a, b)| (&a[..], &b[..])).collect();
    let g = graph(&edges);
    let mut out = Vec::new();
    for lg_k in [4, 5] {
        let p = SketchParams::new(lg_k, 3).unwrap();
        out.push(
            SketchSet::from_graph(&g, None, p, &NoProgress)
                .unwrap()
                .to_bytes(),
        );
    }
    let mut empty = StreamBuilder::new(SketchParams::new(4, 3).unwrap()).unwrap();
    empty
        .read_pairs("".as_bytes(), "empty", 1 << 10, &NoProgress)
        .unwrap();
    out.push(empty.finish().to_bytes());
    let accounts = [0, 1, 2];
    for kind in [DsKind::Cpc, DsKind::Hll, DsKind::Theta] {
        let p = SketchParams::new(5, 3).unwrap();
        let ds = DsSketchSet::from_graph(&g, Some(&accounts), kind, p, &NoProgress).unwrap();
        out.push(ds.to_bytes());
    }
    out
}

/// Feeds one input to both readers; a parsed set must also answer and round-trip.
fn try_both(bytes: &[u8], tally: &mut [usize; 2]) {
    const NAME: &str = "fuzz.rgsk";
    let kinds = [
        "corrupt_sketch",
        "truncated_sketch",
        "incompatible_sketches",
    ];
    match SketchSet::from_bytes(bytes, NAME) {
        Ok(set) => {
            tally[0] += 1;
            assert_eq!(SketchSet::from_bytes(&set.to_bytes(), NAME).unwrap(), set);
            let all: Vec<u32> = (0..set.len() as u32).collect();
            if !all.is_empty() {
                // Records summing past u64::MAX are a typed error too.
                match union_reach(&set, &all, 0.9) {
                    Ok(r) => assert!(r.lower <= r.unique_reach && r.unique_reach <= r.upper),
                    Err(e) => assert_eq!(e.kind(), "invalid_attribute", "{e}"),
                }
            }
        }
        Err(e) => {
            tally[1] += 1;
            assert!(kinds.contains(&e.kind()), "{e}");
            if e.kind() != "incompatible_sketches" {
                assert!(e.to_string().contains(NAME), "{e}");
            }
        }
    }
    match DsSketchSet::from_bytes(bytes, NAME) {
        Ok(set) => {
            tally[0] += 1;
            let all: Vec<u32> = (0..set.len() as u32).collect();
            if !all.is_empty() {
                // Errors are fine (a payload of another lg_k); panics are not.
                let _ = set.union_reach(&all, 0.9);
            }
        }
        Err(e) => {
            tally[1] += 1;
            assert!(kinds.contains(&e.kind()), "{e}");
        }
    }
}

#[test]
fn regression_issue14_malformed_sketch_files_never_panic() {
    let mut rng = Rng(14);
    let mut tally = [0usize; 2];
    let mut inputs = 0usize;
    let mut run = |b: &[u8], tally: &mut [usize; 2]| {
        inputs += 1;
        try_both(b, tally);
    };
    for file in valid_files() {
        let n = file.len();
        // Every truncation.
        for cut in 0..n {
            run(&file[..cut], &mut tally);
        }
        // Bit flips: in the header and the first entries every bit, elsewhere a sample; as
        // they are (the checksum catches them) and repaired (the field checks must).
        for bit in 0..8 * n {
            if bit >= 8 * 120 && rng.below(8) != 0 {
                continue;
            }
            let mut b = file.clone();
            b[bit / 8] ^= 1 << (bit % 8);
            run(&b, &mut tally);
            repair(&mut b);
            run(&b, &mut tally);
        }
        // Random values written over the fields an entry parser reads, repaired.
        for _ in 0..1500 {
            let mut b = file.clone();
            let at = rng.below(n.saturating_sub(12)) & !3;
            let width = [1usize, 2, 4, 8][rng.below(4)];
            let v = match rng.below(4) {
                0 => u64::MAX,
                1 => rng.next() % 64,
                2 => 1u64 << rng.below(64),
                _ => rng.next(),
            };
            b[at..at + width].copy_from_slice(&v.to_le_bytes()[..width]);
            repair(&mut b);
            run(&b, &mut tally);
        }
        // Bytes inserted or removed inside the body, repaired.
        for _ in 0..300 {
            let mut b = file.clone();
            let at = 40 + rng.below(n - 44);
            if rng.below(2) == 0 {
                let k = 1 + rng.below(16);
                let junk: Vec<u8> = (0..k).map(|_| rng.next() as u8).collect();
                b.splice(at..at, junk);
            } else {
                let k = (1 + rng.below(16)).min(b.len() - 4 - at);
                b.drain(at..at + k);
            }
            repair(&mut b);
            run(&b, &mut tally);
        }
    }
    // Random bytes: raw, and behind a valid header with a repaired checksum.
    for _ in 0..3000 {
        let len = rng.below(300);
        let mut b: Vec<u8> = (0..len).map(|_| rng.next() as u8).collect();
        run(&b, &mut tally);
        if len >= 44 {
            b[..8].copy_from_slice(b"RGSKETCH");
            b[8..10].copy_from_slice(&1u16.to_le_bytes());
            b[10] = 1 + rng.below(4) as u8;
            b[11] = 4 + rng.below(3) as u8;
            b[12] = 1;
            b[13..16].fill(0);
            b[24..32].copy_from_slice(&(rng.next() % 8).to_le_bytes());
            repair(&mut b);
            run(&b, &mut tally);
        }
    }
    for accounts in [0, 1, 2, u64::MAX] {
        run(&forty_byte_file(accounts), &mut tally);
    }
    eprintln!(
        "malformed sketch inputs: {inputs} byte strings, {} reader calls: {} parsed, {} typed errors",
        tally[0] + tally[1],
        tally[0],
        tally[1]
    );
    assert!(inputs > 20_000, "{inputs}");
    assert_eq!(tally[0] + tally[1], 2 * inputs);
}

#[test]
fn readers_still_accept_every_valid_file() {
    for b in valid_files() {
        let a = SketchSet::from_bytes(&b, "v").map(|s| s.to_bytes());
        let d = DsSketchSet::from_bytes(&b, "v").map(|s| s.len());
        assert!(a.is_ok() != d.is_ok(), "exactly one reader takes each kind");
        if let Ok(again) = a {
            assert_eq!(again, b);
        }
    }
}

fn set_from_json(json: &str) -> SketchSet {
    serde_json::from_str(json).unwrap()
}

#[test]
fn regression_issue14_record_counts_never_wrap() {
    // A record count of u64::MAX survives a file round trip.
    let big = set_from_json(
        r#"{"params": {"lg_k": 4, "seed": 1}, "accounts": [
            {"account": "a", "records": 18446744073709551615, "hashes": [1, 2]},
            {"account": "b", "records": 1, "hashes": [3]}]}"#,
    );
    let back = SketchSet::from_bytes(&big.to_bytes(), "big.rgsk").unwrap();
    assert_eq!(back.records(back.index_of("a").unwrap()), u64::MAX);
    let a = back.resolve(&["a"], "accounts").unwrap();
    assert_eq!(
        union_reach(&back, &a, 0.95).unwrap().summed_followers,
        u64::MAX
    );
    // Summing it with another account is an error naming the account, not a wrapped 0.
    let ab = back.resolve(&["a", "b"], "accounts").unwrap();
    let e = union_reach(&back, &ab, 0.95).unwrap_err();
    assert_eq!(e.kind(), "invalid_attribute");
    assert!(e.to_string().contains("18446744073709551615"), "{e}");

    // Two counts of 2^63 + 5 for one account merge to an error, not 10.
    let half = |h: u64| {
        set_from_json(&format!(
            r#"{{"params": {{"lg_k": 4, "seed": 1}}, "accounts": [
                {{"account": "c", "records": 9223372036854775813, "hashes": [{h}]}}]}}"#
        ))
    };
    let e = half(1).merge(&half(2)).unwrap_err();
    assert_eq!(e.kind(), "invalid_attribute");
    let m = e.to_string();
    assert!(
        m.contains("\"c\"") || m.contains("node c"),
        "names the account: {m}"
    );
    assert!(m.contains("9223372036854775813"), "{m}");

    // sketch_model with two counts of 2^64 − 1: an error naming the count, not 2^64 − 2.
    let r = reachgraph_api::parse_request(
        r#"{"version": 1, "type": "sketch_model", "counts": [18446744073709551615,
            18446744073709551615], "population": 1e30}"#,
    )
    .unwrap();
    let e = reachgraph_api::run(&r, &NoProgress).unwrap_err();
    assert_eq!(e.kind(), "invalid_parameter");
    assert!(e.to_string().contains("counts[1]"), "{e}");
}

#[test]
fn regression_issue14_merging_the_same_data_twice_counts_it_once() {
    let a = set_from_json(
        r#"{"params": {"lg_k": 4, "seed": 1}, "accounts": [
            {"account": "x", "records": 3, "hashes": [10, 20, 30]},
            {"account": "y", "records": 0, "hashes": []}]}"#,
    );
    // The same set twice (a directory listed twice, a copy of itself): unchanged.
    assert_eq!(a.merge(&a).unwrap(), a);
    assert_eq!(a.merge(&a.clone()).unwrap().merge(&a).unwrap(), a);
    // Disjoint data for the same account: the sketches unite and the records add.
    let later = set_from_json(
        r#"{"params": {"lg_k": 4, "seed": 1}, "accounts": [
            {"account": "x", "records": 2, "hashes": [10, 40]}]}"#,
    );
    let m = a.merge(&later).unwrap();
    let x = m.index_of("x").unwrap();
    assert_eq!((m.records(x), m.hashes(x)), (5, &[10, 20, 30, 40][..]));
    assert_eq!(later.merge(&a).unwrap(), m);
}

#[test]
fn regression_issue14_intervals_hold_their_estimate_for_every_confidence_and_size() {
    let mut edges = Vec::new();
    for a in 0..4u32 {
        for p in 0..(50 + 400 * a) {
            edges.push((format!("acct{a}"), format!("p{}", p * 3 + a)));
        }
    }
    let edges: Vec<(&str, &str)> = edges.iter().map(|(a, b)| (&a[..], &b[..])).collect();
    let g = graph(&edges);
    let mut checked = 0;
    for lg_k in [4, 6, 8, 10] {
        let set = SketchSet::from_graph(&g, None, SketchParams::new(lg_k, 7).unwrap(), &NoProgress)
            .unwrap();
        let all: Vec<u32> = (0..set.len() as u32).collect();
        let p = SketchParams::new(lg_k.max(5), 7).unwrap();
        let ds = DsSketchSet::from_graph(&g, None, DsKind::Theta, p, &NoProgress).unwrap();
        for c in [1e-9, 0.001, 0.05, 0.2, 0.5, 0.8, 0.95, 0.999, 1.0 - 1e-12] {
            for accounts in [&all[..1], &all[..2], &all[..]] {
                let r = union_reach(&set, accounts, c).unwrap();
                assert!(
                    r.lower <= r.unique_reach && r.unique_reach <= r.upper,
                    "lg_k {lg_k}, confidence {c}: {r:?}"
                );
                assert!(r.error_bound.is_finite());
                checked += 1;
            }
            for i in 0..set.len() as u32 {
                let e = set.audience(i, c).unwrap();
                assert!(e.lower <= e.estimate && e.estimate <= e.upper, "{e:?}");
                checked += 1;
            }
            let ov = reachgraph_core::sketch::overlap(&set, &all, c, &NoProgress).unwrap();
            assert!(ov.jaccard_error.iter().all(|e| e.is_finite() && *e >= 0.0));
            let d = ds.union_reach(&all, c).unwrap();
            assert!(
                d.lower <= d.unique_reach && d.unique_reach <= d.upper,
                "{d:?}"
            );
        }
        for c in [0.0, 1.0, -1.0, 2.0, f64::NAN] {
            let e = union_reach(&set, &all, c).unwrap_err();
            assert_eq!(e.kind(), "invalid_parameter", "{c}");
            assert!(e.to_string().contains("confidence"), "{e}");
            assert!(expected_error(lg_k, None, c).is_err());
        }
    }
    assert!(checked > 200);
}

#[test]
fn kmv_estimate_is_fine_for_any_stored_list() {
    // A full sketch whose k-th hash is the largest value still estimates at least k.
    let p = SketchParams::new(4, 1).unwrap();
    let mut h: Vec<u64> = (0..15).collect();
    h.push(u64::MAX);
    let e = Kmv::from_sorted(p, h, "t").unwrap().estimate(0.5).unwrap();
    assert!(e.lower <= e.estimate && e.estimate <= e.upper, "{e:?}");
    assert!(e.estimate >= 16.0, "{e:?}");
    assert!(expected_error(4, None, 0.5).is_ok());
}

fn scratch(name: &str) -> std::path::PathBuf {
    let d = std::env::temp_dir().join(format!("rg-sketch-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    d
}

fn small_set(seed: u64, accounts: usize) -> SketchSet {
    let mut b = StreamBuilder::new(SketchParams::new(4, seed).unwrap()).unwrap();
    let text: String = (0..accounts)
        .flat_map(|a| (0..5 + a).map(move |p| format!("acct{a} p{p}\n")))
        .collect();
    b.read_pairs(text.as_bytes(), "pairs", 1 << 16, &NoProgress)
        .unwrap();
    b.finish()
}

#[test]
fn regression_issue14_manifest_is_checked_against_the_sketches() {
    use reachgraph_api::sketch::{load_sketches, save_sketches};
    let dir = scratch("manifest");
    let d = dir.to_str().unwrap();
    let a = small_set(1, 3);
    save_sketches(&a, d, serde_json::json!({"source": "test"})).unwrap();
    assert_eq!(load_sketches(d).unwrap(), a);
    let manifest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.join("manifest.json")).unwrap()).unwrap();
    let bytes = a.to_bytes();
    assert_eq!(manifest["bytes"], bytes.len());
    assert_eq!(manifest["accounts"], 3);
    assert_eq!(manifest["file"], "sketches.rgsk");
    let crc = u32::from_le_bytes(bytes[bytes.len() - 4..].try_into().unwrap());
    assert_eq!(manifest["checksum"], format!("crc32:{crc:08x}"));
    // Another build's sketches under this manifest: an error naming both files.
    let b = small_set(1, 4);
    std::fs::write(dir.join("sketches.rgsk"), b.to_bytes()).unwrap();
    let e = load_sketches(d).unwrap_err();
    assert_eq!(e.kind(), "manifest_mismatch");
    let m = e.to_string();
    assert!(
        m.contains("manifest.json") && m.contains("sketches.rgsk"),
        "{m}"
    );
    // The file itself still reads when named directly.
    assert_eq!(
        load_sketches(dir.join("sketches.rgsk").to_str().unwrap()).unwrap(),
        b
    );
    // A manifest that lacks what the file holds, or a directory without one, is refused.
    let mut old = manifest.clone();
    old.as_object_mut().unwrap().remove("checksum");
    std::fs::write(dir.join("sketches.rgsk"), &bytes).unwrap();
    std::fs::write(dir.join("manifest.json"), old.to_string()).unwrap();
    let e = load_sketches(d).unwrap_err();
    assert!(e.to_string().contains("checksum = (absent)"), "{e}");
    std::fs::remove_file(dir.join("manifest.json")).unwrap();
    assert_eq!(load_sketches(d).unwrap_err().kind(), "io");
    // An empty output directory is refused, not the working directory.
    assert_eq!(
        save_sketches(&a, "", serde_json::Value::Null)
            .unwrap_err()
            .kind(),
        "invalid_request"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn regression_issue14_racing_builders_leave_a_consistent_pair() {
    use reachgraph_api::sketch::{load_sketches, save_sketches};
    let dir = scratch("race");
    let d = dir.to_str().unwrap().to_string();
    let sets = [small_set(1, 3), small_set(1, 40)];
    let done = std::sync::atomic::AtomicBool::new(false);
    let mut reads = 0usize;
    std::thread::scope(|s| {
        let writers: Vec<_> = sets
            .iter()
            .map(|set| {
                let d = d.clone();
                s.spawn(move || {
                    for _ in 0..40 {
                        save_sketches(set, &d, serde_json::json!({})).unwrap();
                    }
                })
            })
            .collect();
        // A reader meanwhile: whatever it reads is one writer's whole set, never a mixture.
        let reader = s.spawn(|| {
            let mut n = 0;
            while !done.load(std::sync::atomic::Ordering::Relaxed) {
                match load_sketches(&d) {
                    Ok(got) => {
                        assert!(got == sets[0] || got == sets[1]);
                        n += 1;
                    }
                    Err(e) => assert!(["manifest_mismatch", "io"].contains(&e.kind()), "{e}"),
                }
            }
            n
        });
        for w in writers {
            w.join().unwrap();
        }
        done.store(true, std::sync::atomic::Ordering::Relaxed);
        reads = reader.join().unwrap();
    });
    let last = load_sketches(&d).unwrap();
    assert!(last == sets[0] || last == sets[1]);
    // No temporary files are left behind.
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(names, ["manifest.json", "sketches.rgsk"]);
    eprintln!("racing builders: {reads} consistent reads during the race");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn datasketches_files_with_a_bad_lg_k_or_repeated_account_are_refused_on_reading() {
    let files = valid_files();
    let hll = files.last().unwrap();
    let mut b = hll.clone();
    b[11] = 30;
    repair(&mut b);
    let e = DsSketchSet::from_bytes(&b, "ds.rgsk").unwrap_err();
    assert_eq!(e.kind(), "corrupt_sketch", "{e}");
    assert!(e.to_string().contains("lg_k 30"), "{e}");
    // Long account ids are cut short in messages.
    let long = "x".repeat(10_000);
    let json = format!(
        r#"{{"params": {{"lg_k": 4, "seed": 1}}, "accounts": [
            {{"account": "{long}", "records": 1, "hashes": [2, 1]}}]}}"#
    );
    let e = serde_json::from_str::<SketchSet>(&json).unwrap_err();
    assert!(e.to_string().len() < 400, "{e}");
}
