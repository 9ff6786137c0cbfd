//! The project's benchmark runner: prints the tables of `docs/BENCHMARKS.md` against their
//! targets, measured on this machine in one run.
//!
//! `cargo bench --bench runner` (all sections), or `cargo bench --bench runner -- reach`
//! for sections whose name contains `reach` (sections: load, reach, cascade, sketch, margin, select,
//! select_scaling; `-- scaling` runs only the last; `-- rgraph` only, with
//! `REACHGRAPH_BENCH_RGRAPH=PATH`, times a `.rgraph` file at scale). `--reps N` sets repetitions (median reported).

mod common;

use reachgraph_core::coverage::{budget_pick, reach_ladder};
use reachgraph_core::io::{read_graph, EdgeFormat};
use reachgraph_core::overlap::overlap;
use reachgraph_core::reach::{expected_reach, unique_reach, ReachOptions};
use reachgraph_core::rng::splitmix64;
use reachgraph_core::{Graph, GraphOptions, NoProgress};
use std::time::Instant;

/// Median wall time in seconds of `reps` runs of `f` (after one warm-up run).
fn time<T>(reps: usize, mut f: impl FnMut() -> T) -> f64 {
    std::hint::black_box(f());
    let mut t: Vec<f64> = (0..reps.max(1))
        .map(|_| {
            let s = Instant::now();
            std::hint::black_box(f());
            s.elapsed().as_secs_f64()
        })
        .collect();
    t.sort_by(f64::total_cmp);
    t[t.len() / 2]
}

/// A memory line of `/proc/self/status` (`VmHWM:`, `VmRSS:`) in MiB.
fn status_mib(field: &str) -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with(field))
                .and_then(|l| l.split_whitespace().nth(1)?.parse::<f64>().ok())
        })
        .map_or(f64::NAN, |kb| kb / 1024.0)
}

fn peak_rss_mib() -> f64 {
    status_mib("VmHWM:")
}

fn fmt_s(s: f64) -> String {
    if s < 1e-3 {
        format!("{:.1} µs", s * 1e6)
    } else if s < 1.0 {
        format!("{:.2} ms", s * 1e3)
    } else {
        format!("{s:.2} s")
    }
}

struct Table {
    title: String,
    rows: Vec<[String; 4]>,
}

impl Table {
    fn new(title: &str) -> Self {
        Table {
            title: title.to_string(),
            rows: Vec::new(),
        }
    }
    fn row(&mut self, what: impl Into<String>, measured: String, target: &str, ok: Option<bool>) {
        let verdict = match ok {
            Some(true) => "met",
            Some(false) => "MISSED",
            None => "",
        };
        self.rows.push([
            what.into(),
            measured,
            target.to_string(),
            verdict.to_string(),
        ]);
        let r = self.rows.last().unwrap();
        eprintln!("  {} | {} | {} | {}", r[0], r[1], r[2], r[3]);
    }
    fn print(&self) {
        println!("\n### {}\n", self.title);
        println!("| what | measured | target | |");
        println!("|---|---:|---|---|");
        for r in &self.rows {
            println!("| {} | {} | {} | {} |", r[0], r[1], r[2], r[3]);
        }
    }
}

fn section_load(reps: usize) -> Table {
    let mut t = Table::new("Loading the shared graphs (edge list → frozen CSR, both directions)");
    let Some(dir) = common::shared_data() else {
        return t;
    };
    for (file, undirected) in [
        ("soc-Epinions1.txt", false),
        ("wiki-Vote.txt", false),
        ("nethept.txt", false),
        ("facebook_combined.txt", true),
    ] {
        let bytes = std::fs::read(dir.join(file)).unwrap();
        let opts = GraphOptions {
            undirected,
            ..Default::default()
        };
        let s = time(reps, || {
            read_graph(&bytes[..], file, EdgeFormat::EdgeList, opts).unwrap()
        });
        let mbs = bytes.len() as f64 / s / 1e6;
        let (target, ok) = if file == "soc-Epinions1.txt" {
            ("< 0.1 s", Some(s < 0.1))
        } else {
            ("", None)
        };
        t.row(
            format!("load {file}"),
            format!("{} ({mbs:.0} MB/s)", fmt_s(s)),
            target,
            ok,
        );
    }
    // The Rust side of `Graph.from_arrays` (issue 6): 20M random int64 edges over 2M ids,
    // already in memory, interned in reader order and built into both CSRs.
    let (src, dst) = random_id_arrays(20_000_000, 2_000_000, 42);
    let s = time(reps.min(3), || {
        Graph::from_id_arrays(&src, &dst, None, GraphOptions::default()).unwrap()
    });
    t.row(
        "from_id_arrays, 20M random int64 edges over 2M ids (in memory)",
        fmt_s(s),
        "reference for Python's `from_arrays` (within 1.3×, < 2 s)",
        None,
    );
    t
}

/// `m` random edges over ids `0..n`: `src[i] = splitmix64(seed + 2i) mod n`,
/// `dst[i] = splitmix64(seed + 2i + 1) mod n` (`rng::splitmix64`), so
/// `benches/python_build.py` builds the same arrays.
fn random_id_arrays(m: usize, n: u64, seed: u64) -> (Vec<i64>, Vec<i64>) {
    let at = |i: usize, k: u64| (splitmix64(seed.wrapping_add(2 * i as u64 + k)) % n) as i64;
    (
        (0..m).map(|i| at(i, 0)).collect(),
        (0..m).map(|i| at(i, 1)).collect(),
    )
}

fn section_reach(reps: usize) -> Vec<Table> {
    let mut out = Vec::new();
    for edges in [1_000_000usize, 20_000_000] {
        let s0 = Instant::now();
        let sc = common::scenario(edges);
        let gen = s0.elapsed().as_secs_f64();
        let g = &sc.graph;
        let mut t = Table::new(&format!(
            "Reach on a generated campaign population: {} accounts, {} people, {} edges (generated in {})",
            g.node_count(),
            g.people().count,
            g.edge_count(),
            fmt_s(gen)
        ));
        let opts = ReachOptions::default();
        for (label, seeds) in [
            (
                "5,000 seeds spread over the ids",
                common::spread_ids(g, 5000),
            ),
            ("5,000 largest accounts", common::top_by_out_degree(g, 5000)),
        ] {
            let touched: usize = seeds.iter().map(|&s| g.out_degree(s)).sum();
            let s = time(reps, || unique_reach(g, &seeds, &opts).unwrap());
            let (target, ok) = if edges == 20_000_000 {
                ("< 0.1 s", Some(s < 0.1))
            } else {
                ("", None)
            };
            t.row(
                format!("unique reach, {label} ({touched} follows)"),
                format!("{} ({:.0} M follows/s)", fmt_s(s), touched as f64 / s / 1e6),
                target,
                ok,
            );
        }
        let seeds = common::top_by_out_degree(g, 200);
        let s = time(reps, || expected_reach(g, &seeds, 1, &opts).unwrap());
        t.row(
            "expected reach + frequency distribution, 200 largest",
            fmt_s(s),
            "",
            None,
        );
        let top = common::top_by_out_degree(g, 1000);
        let s = time(reps.min(3), || overlap(g, &top, &NoProgress).unwrap());
        let (target, ok) = if edges == 20_000_000 {
            ("< 10 s", Some(s < 10.0))
        } else {
            ("", None)
        };
        t.row(
            "exact overlap matrix, 1,000 largest accounts",
            fmt_s(s),
            target,
            ok,
        );
        let s = time(reps.min(3), || {
            reach_ladder(g, Some(&sc.creators), 50, &opts).unwrap()
        });
        t.row(
            format!(
                "greedy reach ladder, k = 50 of {} creators",
                sc.creators.len()
            ),
            fmt_s(s),
            "",
            None,
        );
        let s = time(reps.min(3), || {
            budget_pick(g, Some(&sc.creators), 160_000.0, &opts).unwrap()
        });
        t.row("budgeted pick, $160,000", fmt_s(s), "", None);
        t.row(
            "graph arrays in memory",
            format!("{:.0} MiB", g.memory_bytes() as f64 / (1 << 20) as f64),
            "",
            None,
        );
        out.push(t);
    }
    out
}

fn section_cascade(reps: usize) -> Table {
    use reachgraph_core::cascade::{simulate, Model, SpreadConfig};
    use reachgraph_core::rrset::{RrConfig, RrSampler};
    use reachgraph_core::WeightScheme;
    let mut t = Table::new(
        "Cascades on soc-Epinions1, weighted cascade (p = 1/indeg), 50 accounts with the most followers as seeds",
    );
    let Some(mut g) = common::real("soc-Epinions1.txt", false) else {
        return t;
    };
    g.set_weights(&WeightScheme::WeightedCascade).unwrap();
    let seeds = common::top_by_out_degree(&g, 50);
    let trials = 4_000u64;
    let mut one = 0.0;
    for (model, label) in [
        (Model::IndependentCascade, "IC"),
        (Model::LinearThreshold, "LT"),
    ] {
        for threads in [1usize, 2] {
            let cfg = SpreadConfig::builder()
                .trials(trials)
                .seed(1)
                .threads(threads)
                .build()
                .unwrap();
            let mut mean = 0.0;
            let s = time(reps.min(3), || {
                let r = simulate(&g, &seeds, model, &cfg, &NoProgress).unwrap();
                mean = r.people.mean;
            });
            let per = s / trials as f64;
            if threads == 1 {
                one = per;
            }
            let (target, ok) = match (model, threads) {
                (Model::IndependentCascade, 1) => {
                    ("≤ 1.0 ms (reference C++: 2.5 ms)", Some(per <= 1.0e-3))
                }
                (Model::IndependentCascade, _) => ("≥ 1.8× one thread", Some(one / per >= 1.8)),
                _ => ("", None),
            };
            t.row(
                format!("{label} Monte Carlo, {threads} thread(s), spread {mean:.0}"),
                format!("{} per cascade ({:.2}× one thread)", fmt_s(per), one / per),
                target,
                ok,
            );
        }
    }
    for threads in [1usize, 2] {
        let cfg = RrConfig::builder()
            .seed(1)
            .threads(threads)
            .build()
            .unwrap();
        let sampler = RrSampler::new(&g, Model::IndependentCascade, &cfg).unwrap();
        let count = 1_000_000usize;
        let mut mean_size = 0.0;
        let s = time(reps.min(3), || {
            let sets = sampler.sample(count, &NoProgress).unwrap();
            mean_size = sets.mean_size();
        });
        let rate = count as f64 / s;
        let (target, ok) = if threads == 2 {
            ("≥ 1.5 M/s on two threads", Some(rate >= 1.5e6))
        } else {
            ("", None)
        };
        t.row(
            format!("IC RR sets, {threads} thread(s) (mean size {mean_size:.1})"),
            format!("{:.2} M sets/s", rate / 1e6),
            target,
            ok,
        );
    }
    t
}

/// Sketches at scale: build on a generated population (`REACHGRAPH_SKETCH_EDGES` edges,
/// default 200M), reach of 5,000-account sets, the 5,000 × 5,000 overlap matrix, and the
/// DataSketches families on the same accounts.
fn section_sketch(reps: usize) -> Vec<Table> {
    use reachgraph_core::sketch::{self, DsKind, DsSketchSet, SketchParams, SketchSet};
    let edges: usize = std::env::var("REACHGRAPH_SKETCH_EDGES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(200_000_000);
    let s0 = Instant::now();
    let sc = common::scenario(edges);
    let gen = s0.elapsed().as_secs_f64();
    let g = &sc.graph;
    let mut t = Table::new(&format!(
        "Sketches on a generated population: {} accounts, {} people, {} follows (generated in {})",
        g.node_count(),
        g.people().count,
        g.edge_count(),
        fmt_s(gen)
    ));
    let lg_k = 14u8;
    let p = SketchParams::new(lg_k, 1).unwrap();
    let build_reps = reps.min(3);
    let s = time(build_reps, || {
        SketchSet::from_graph(g, None, p, &NoProgress).unwrap()
    });
    let set = SketchSet::from_graph(g, None, p, &NoProgress).unwrap();
    t.row(
        format!(
            "build bottom-k sketches (lg_k {lg_k}) of all {} accounts ({} hashes kept)",
            set.len(),
            set.total_hashes()
        ),
        format!(
            "{} ({:.0} M follows/s)",
            fmt_s(s),
            g.edge_count() as f64 / s / 1e6
        ),
        "< 10 s",
        Some(s < 10.0),
    );
    let s = time(1, || set.to_bytes().len());
    t.row(
        format!("serialize ({} MB)", set.to_bytes().len() / 1_000_000),
        fmt_s(s),
        "",
        None,
    );
    let opts = ReachOptions::default();
    let top = common::top_by_out_degree(g, 5000);
    let spread = common::spread_ids(g, 5000);
    for (label, acc) in [
        ("5,000 largest accounts", &top),
        ("5,000 spread over the ids", &spread),
    ] {
        let idx: Vec<u32> = acc.to_vec(); // graph order = set order for a full build
        let s = time(reps, || sketch::union_reach(&set, &idx, 0.95).unwrap());
        let r = sketch::union_reach(&set, &idx, 0.95).unwrap();
        let exact = unique_reach(g, acc, &opts).unwrap().unique_people as f64;
        t.row(
            format!("unique reach from sketches, {label}"),
            format!(
                "{} (estimate {:.0} ± {:.0}, exact {exact:.0}, error {:.2}%)",
                fmt_s(s),
                r.unique_reach,
                r.error_bound,
                100.0 * (r.unique_reach - exact).abs() / exact
            ),
            "< 50 ms",
            Some(s < 0.05),
        );
    }
    // Error over hash seeds: sketches of the 5,000 largest only, rebuilt per seed.
    let exact_top = unique_reach(g, &top, &opts).unwrap().unique_people as f64;
    let seeds = 20u64;
    let mut within = 0;
    let mut worst: f64 = 0.0;
    let all: Vec<u32> = (0..top.len() as u32).collect();
    for seed in 0..seeds {
        let ps = SketchParams::new(lg_k, 100 + seed).unwrap();
        let sub = SketchSet::from_graph(g, Some(&top), ps, &NoProgress).unwrap();
        let r = sketch::union_reach(&sub, &all, 0.95).unwrap();
        let e = (r.unique_reach - exact_top).abs() / exact_top;
        worst = worst.max(e);
        within += usize::from(e <= 0.02);
    }
    t.row(
        format!("reach error ≤ 2%, 5,000 largest, {seeds} hash seeds"),
        format!("{within}/{seeds} runs (worst {:.2}%)", 100.0 * worst),
        "≥ 95% of runs",
        Some(within as f64 >= 0.95 * seeds as f64),
    );
    // The full overlap matrix of the 5,000 largest.
    let sub = SketchSet::from_graph(g, Some(&top), p, &NoProgress).unwrap();
    let s0 = Instant::now();
    let ov = sketch::overlap(&sub, &all, 0.95, &NoProgress).unwrap();
    let s = s0.elapsed().as_secs_f64();
    let ov_secs = s;
    t.row(
        "overlap matrix (shared, Jaccard, containment, error bounds), 5,000 × 5,000",
        fmt_s(s),
        "< 2 min",
        Some(s < 120.0),
    );
    // Accuracy on the 300 largest against the exact kernel.
    let m = 300;
    let ex = overlap(g, &top[..m], &NoProgress).unwrap();
    let (mut ok, mut n, mut worst_j, mut in_bound) = (0, 0, 0f64, 0);
    for i in 0..m {
        for j in i + 1..m {
            let e = (ov.jaccard[[i, j]] - ex.jaccard[[i, j]]).abs();
            worst_j = worst_j.max(e);
            ok += usize::from(e <= 0.02);
            in_bound += usize::from(e <= ov.jaccard_error[[i, j]] + 1e-12);
            n += 1;
        }
    }
    t.row(
        format!("Jaccard |error| ≤ 0.02, pairs of the {m} largest"),
        format!(
            "{:.2}% of {n} pairs (worst {worst_j:.4}; {:.1}% within their 95% bound)",
            100.0 * ok as f64 / n as f64,
            100.0 * in_bound as f64 / n as f64
        ),
        "≥ 95% of pairs",
        Some(ok as f64 >= 0.95 * n as f64),
    );
    // Ladder, budgeted pick and merge on the sketches of the 5,000 largest.
    let s = time(reps, || sketch::ladder(&sub, None, 50, 0.95).unwrap());
    let l = sketch::ladder(&sub, None, 50, 0.95).unwrap();
    let last = l.steps.last().unwrap();
    t.row(
        "reach ladder on sketches, 50 steps over the 5,000 largest",
        format!(
            "{} (reach {:.0} ± {:.0}, sample rate {:.4})",
            fmt_s(s),
            last.cumulative_reach,
            last.cumulative_error,
            l.sample_rate
        ),
        "",
        None,
    );
    // Costs grow with audience (a rate card: $1 per 100 followers, at least $100).
    let costs: Vec<f64> = (0..sub.len() as u32)
        .map(|i| (sub.records(i) as f64 / 100.0).max(100.0))
        .collect();
    let budget = costs.iter().sum::<f64>() / 100.0;
    let s = time(reps, || {
        sketch::budget_pick(&sub, None, &costs, budget, 0.95).unwrap()
    });
    let bp = sketch::budget_pick(&sub, None, &costs, budget, 0.95).unwrap();
    t.row(
        format!("budgeted pick on sketches, 5,000 largest, budget {budget:.0}"),
        format!(
            "{} ({} accounts, reach {:.0} ± {:.0})",
            fmt_s(s),
            bp.accounts.len(),
            bp.unique_reach,
            bp.error_bound
        ),
        "",
        None,
    );
    let s = time(reps, || sub.merge(&sub).unwrap());
    t.row(
        format!(
            "merge two sketch sets of the 5,000 largest ({} hashes each)",
            sub.total_hashes()
        ),
        fmt_s(s),
        "",
        None,
    );
    let mut out = vec![t];

    // The DataSketches families on the same 5,000 accounts.
    let mut d = Table::new(
        "Apache DataSketches (Rust crate) against bottom-k on the 5,000 largest accounts",
    );
    let follows: usize = top.iter().map(|&a| g.out_degree(a)).sum();
    let s = time(1, || {
        SketchSet::from_graph(g, Some(&top), p, &NoProgress).unwrap()
    });
    d.row(
        format!("bottom-k lg_k {lg_k}: build ({follows} follows)"),
        format!("{} ({:.1} ns/update)", fmt_s(s), s * 1e9 / follows as f64),
        "",
        None,
    );
    let r = sketch::union_reach(&sub, &all, 0.95).unwrap();
    let s = time(reps, || sketch::union_reach(&sub, &all, 0.95).unwrap());
    d.row(
        "bottom-k: union of 5,000",
        format!(
            "{} (error {:.2}%)",
            fmt_s(s),
            100.0 * (r.unique_reach - exact_top).abs() / exact_top
        ),
        "",
        None,
    );
    let s = time(reps, || {
        for i in 0..200u32 {
            std::hint::black_box(sketch::overlap(&sub, &[i, i + 200], 0.95, &NoProgress).unwrap());
        }
    });
    d.row(
        "bottom-k: one pair's overlap on its own (incl. grouping)",
        fmt_s(s / 200.0),
        "",
        None,
    );
    d.row(
        "bottom-k: per pair inside the 5,000 × 5,000 matrix",
        fmt_s(ov_secs / (all.len() * (all.len() - 1) / 2) as f64),
        "",
        None,
    );
    for (kind, lg) in [
        (DsKind::Cpc, 12u8),
        (DsKind::Hll, 12),
        (DsKind::Theta, 12),
        (DsKind::Theta, 14),
    ] {
        let params = SketchParams::new(lg, 1).unwrap();
        let s0 = Instant::now();
        let ds = DsSketchSet::from_graph(g, Some(&top), kind, params, &NoProgress).unwrap();
        let b = s0.elapsed().as_secs_f64();
        let r = ds.union_reach(&all, 0.95).unwrap();
        let su = time(reps, || ds.union_reach(&all, 0.95).unwrap());
        let mut row = format!(
            "build {} ({:.1} ns/update), {} serialized; union of 5,000 {} (error {:.2}%)",
            fmt_s(b),
            b * 1e9 / follows as f64,
            ds.serialized_bytes() / 1000,
            fmt_s(su),
            100.0 * (r.unique_reach - exact_top).abs() / exact_top
        );
        row = row.replace(" serialized", " kB serialized");
        if kind == DsKind::Theta {
            let sj = time(reps, || {
                for i in 0..200u32 {
                    std::hint::black_box(ds.jaccard(i, i + 200).unwrap());
                }
            }) / 200.0;
            row.push_str(&format!(
                "; Jaccard of a pair {} (5,000 × 5,000: {:.0} s on one core)",
                fmt_s(sj),
                sj * 12_497_500.0
            ));
        }
        d.row(format!("{kind:?} lg_k {lg}"), row, "", None);
    }
    out.push(d);
    out
}

fn section_margin(reps: usize) -> Table {
    use reachgraph_core::cascade::Model;
    use reachgraph_core::election::Side;
    use reachgraph_core::margin::{Campaign, Electorate, Exposure, MarginConfig, Simulation};
    use reachgraph_core::WeightScheme;
    let mut t = Table::new(
        "Margin simulation: 10,000 draws on a generated 1M-edge population (51 jurisdictions), 100 largest creators as seeds, us-2024",
    );
    let sc = common::scenario(1_000_000);
    let seeds: Vec<u32> = sc.creators.iter().copied().take(100).collect();
    let e = Electorate::us_president(2024, Side::Dem).unwrap();
    let mut tiers = sc.graph.clone();
    tiers
        .set_weights(&WeightScheme::TierRates {
            rates: Default::default(),
        })
        .unwrap();
    let wc = common::wc(sc.graph);
    for (label, g, exposure, limit) in [
        (
            "one-hop exposure (tier reach rates)",
            &tiers,
            Exposure::OneHop,
            5.0,
        ),
        (
            "IC cascade, hop horizon 3 (weighted cascade)",
            &wc,
            Exposure::Cascade {
                model: Model::IndependentCascade,
                hops: Some(3),
            },
            30.0,
        ),
    ] {
        let c = Campaign {
            seeds: seeds.clone(),
            exposure,
            posts_per_creator: 1,
            cost: None,
        };
        for threads in [1usize, 2] {
            let cfg = MarginConfig::builder()
                .draws(10_000)
                .seed(1)
                .threads(threads)
                .build()
                .unwrap();
            let mut reached = 0.0;
            let s = time(reps.min(3), || {
                let sim = Simulation::new(g, &e, &cfg).unwrap();
                let r = sim.run(Some(&c), &[], &NoProgress).unwrap();
                reached = r.campaign.unwrap().reached_people.mean;
            });
            let (target, ok) = if threads == 2 {
                (format!("< {limit} s on two threads"), Some(s < limit))
            } else {
                (String::new(), None)
            };
            t.row(
                format!("{label}, {threads} thread(s), {reached:.0} people reached per draw"),
                fmt_s(s),
                &target,
                ok,
            );
        }
    }
    t
}

/// Resets the process's peak RSS (Linux `clear_refs`), so `peak_rss_mib` measures what follows.
fn reset_peak_rss() -> bool {
    std::fs::write("/proc/self/clear_refs", "5").is_ok()
}

fn rss_mib() -> f64 {
    status_mib("VmRSS:")
}

fn section_select(reps: usize) -> Vec<Table> {
    use reachgraph_core::cascade::{simulate, Model, SpreadConfig};
    use reachgraph_core::select::{select, Algorithm, Mode, SelectConfig, Selection};
    let mut out = Vec::new();
    let mc = |g: &reachgraph_core::Graph, s: &Selection, model: Model| {
        let cfg = SpreadConfig::builder()
            .trials(10_000)
            .seed(12_345)
            .build()
            .unwrap();
        simulate(g, &s.seeds, model, &cfg, &NoProgress)
            .unwrap()
            .people
    };
    // Reference codes on this machine (issue 4): IMM ε=0.1, IMM ε=0.5, OPIM-C ε=0.1, one thread.
    let refs = [
        (
            "soc-Epinions1.txt",
            (1.65, 12_073.0),
            Some((0.11, 11_996.0)),
            (0.064, 11_678.0),
            16_286.0,
        ),
        ("nethept.txt", (0.85, 967.0), None, (0.066, 912.0), 1_301.0),
        ("wiki-Vote.txt", (0.41, 673.0), None, (0.014, 644.0), 849.0),
    ];
    for (file, imm1, imm5, opim, lt_ref) in refs {
        let Some(g) = common::real(file, false) else {
            continue;
        };
        let g = common::wc(g);
        let mut t = Table::new(&format!(
            "Seed selection on {file}, IC, weighted cascade, k = 50, two threads (time: median of {reps}; spread: independent 10,000-run Monte Carlo ± s.e.)"
        ));
        let base = || SelectConfig::builder().k(50).seed(1).threads(2);
        let cases = [
            (
                "IMM ε = 0.1",
                base().algorithm(Algorithm::Imm).epsilon(0.1),
                Model::IndependentCascade,
            ),
            (
                "IMM ε = 0.5",
                base().algorithm(Algorithm::Imm).epsilon(0.5),
                Model::IndependentCascade,
            ),
            (
                "OPIM-C ε = 0.1 (guarantee mode)",
                base().epsilon(0.1),
                Model::IndependentCascade,
            ),
            (
                "quality mode (ε = 0.1, tolerance 0.5%)",
                base().mode(Mode::Quality),
                Model::IndependentCascade,
            ),
            (
                "LT, IMM ε = 0.1",
                base().algorithm(Algorithm::Imm).epsilon(0.1),
                Model::LinearThreshold,
            ),
            (
                "LT, quality mode",
                base().mode(Mode::Quality),
                Model::LinearThreshold,
            ),
        ];
        let mut imm_spread = imm1.1;
        for (label, b, model) in cases {
            let config = b.build().unwrap();
            let mut s = None;
            let secs = time(reps, || {
                s = Some(select(&g, model, &config, &NoProgress).unwrap());
            });
            let s = s.unwrap();
            let spread = mc(&g, &s, model);
            // Percentages are of the same model's IMM ε = 0.1 row (measured first).
            if label.ends_with("IMM ε = 0.1") {
                imm_spread = spread.mean;
            }
            let (target, ok) = match label {
                "IMM ε = 0.1" => (
                    format!("reference IMM: {:.2} s, {:.0}", imm1.0, imm1.1),
                    None,
                ),
                "IMM ε = 0.5" => (
                    imm5.map_or(String::new(), |r| {
                        format!("reference IMM: {:.2} s, {:.0}", r.0, r.1)
                    }),
                    None,
                ),
                "OPIM-C ε = 0.1 (guarantee mode)" => (
                    format!("≥ OPIM-C's {:.0} in ≤ {:.3} s", opim.1, opim.0),
                    Some(spread.mean >= opim.1 && secs <= opim.0),
                ),
                "quality mode (ε = 0.1, tolerance 0.5%)" => (
                    format!(
                        "≥ 99.5% of IMM ε = 0.1 ({:.0}) in ≤ {:.3} s",
                        0.995 * imm1.1,
                        opim.0
                    ),
                    Some(spread.mean >= 0.995 * imm1.1 && secs <= opim.0),
                ),
                "LT, IMM ε = 0.1" => (format!("reference IMM: {lt_ref:.0}"), None),
                _ => (
                    format!("≥ 99.5% of {lt_ref:.0}"),
                    Some(spread.mean >= 0.995 * lt_ref),
                ),
            };
            t.row(
                format!(
                    "{label}: {} sets, ratio {:.3}, estimate {:.0} ± {:.0}",
                    s.rr_sets, s.approximation, s.estimate.mean, s.estimate.stderr
                ),
                format!(
                    "{}, spread {:.0} ± {:.0} ({:.1}% of IMM ε = 0.1 here)",
                    fmt_s(secs),
                    spread.mean,
                    spread.stderr,
                    100.0 * spread.mean / imm_spread
                ),
                &target,
                ok,
            );
        }
        out.push(t);
    }
    out
}

/// Scaling of seed selection on generated graphs: time and memory.
fn section_select_scaling() -> Table {
    use reachgraph_core::cascade::Model;
    use reachgraph_core::select::{select, Mode, SelectConfig};
    let mut t = Table::new(
        "Seed selection scaling on generated graphs (n = m/10, weighted cascade, IC, k = 50, OPIM-C ε = 0.1, two threads)",
    );
    let mut sizes = vec![1_000_000usize, 20_000_000];
    if std::env::var_os("REACHGRAPH_BENCH_LARGE").is_some() {
        sizes.push(100_000_000);
    }
    for m in sizes {
        let g = common::wc(common::generated((m / 10) as u32, m, 7));
        for mode in [Mode::Guarantee, Mode::Quality] {
            let config = SelectConfig::builder()
                .k(50)
                .seed(1)
                .threads(2)
                .mode(mode)
                .build()
                .unwrap();
            let before = rss_mib();
            let measured = reset_peak_rss();
            let s = select(&g, Model::IndependentCascade, &config, &NoProgress).unwrap();
            let peak = peak_rss_mib() - before;
            let mib = |b: u64| b as f64 / (1 << 20) as f64;
            let ratio = s.peak_rr_bytes as f64 / s.rr_store_bytes as f64;
            t.row(
                format!(
                    "{} edges, {:?} mode: {} sets ({} selection), ratio {:.3}, estimate {:.0}",
                    m, mode, s.rr_sets, s.selection_sets, s.approximation, s.estimate.mean
                ),
                format!(
                    "{} (sampling {}, index {}, greedy {}); RR store {:.1} MiB, peak {:.1} MiB ({ratio:.2}×){}",
                    fmt_s(s.timings.total_s),
                    fmt_s(s.timings.sampling_s),
                    fmt_s(s.timings.indexing_s),
                    fmt_s(s.timings.greedy_s),
                    mib(s.rr_store_bytes),
                    mib(s.peak_rr_bytes),
                    if measured {
                        format!(", process peak +{peak:.0} MiB")
                    } else {
                        String::new()
                    }
                ),
                "peak ≤ 1.5× the RR store",
                Some(ratio <= 1.5),
            );
        }
    }
    t
}

/// User and system CPU seconds of this process so far (`/proc/self/stat`, clock ticks of
/// 1/100 s), NaN where the file is unreadable.
fn cpu_s() -> (f64, f64) {
    let ticks = |i: usize| -> f64 {
        std::fs::read_to_string("/proc/self/stat")
            .ok()
            .and_then(|s| {
                // Fields after the command name (which is in parentheses and may hold spaces).
                let rest = s.rsplit_once(')')?.1.to_string();
                rest.split_whitespace().nth(i)?.parse::<f64>().ok()
            })
            .map_or(f64::NAN, |t| t / 100.0)
    };
    // utime and stime are fields 14 and 15 of the line: 11 and 12 after the command name.
    (ticks(11), ticks(12))
}

/// A `.rgraph` file at scale (`REACHGRAPH_BENCH_RGRAPH=PATH`, issue 18): the load twice (the
/// second from whatever the first left in the page cache), exact reach of the 5,000 accounts
/// with the most followers apart from the load, and select in guarantee mode (k = 50,
/// ε = 0.1, two threads) apart from the load, each against issue 18's 1B targets.
fn section_rgraph(reps: usize) -> Table {
    use reachgraph_core::cascade::Model;
    use reachgraph_core::rgraph::{read, ReadOptions};
    use reachgraph_core::select::{select, Mode, SelectConfig};
    use reachgraph_core::weights::WeightScheme;
    let mut t = Table::new(
        "A `.rgraph` file at scale: load, exact reach of the 5,000 largest, select guarantee",
    );
    let Some(path) = std::env::var_os("REACHGRAPH_BENCH_RGRAPH") else {
        eprintln!("rgraph: REACHGRAPH_BENCH_RGRAPH is not set; section skipped");
        return t;
    };
    let path = std::path::PathBuf::from(path);
    let options = ReadOptions {
        weights: Some(WeightScheme::WeightedCascade),
        ..ReadOptions::default()
    };
    // The targets are issue 18's for a billion edges: a verdict is printed only at that scale.
    let mut at_scale = false;
    let mut graph = None;
    for pass in ["first", "second"] {
        drop(graph.take());
        let (u0, s0) = cpu_s();
        let start = Instant::now();
        let g = read(&path, &options).unwrap();
        let wall = start.elapsed().as_secs_f64();
        at_scale = g.edge_count() >= 900_000_000;
        let (u1, s1) = cpu_s();
        t.row(
            format!(
                "load, {pass} run ({} accounts, {} edges)",
                g.node_count(),
                g.edge_count()
            ),
            format!(
                "{} wall, {:.1} s user + {:.1} s system CPU; RSS after {:.0} MiB",
                fmt_s(wall),
                u1 - u0,
                s1 - s0,
                rss_mib()
            ),
            "under 10 s from a warm page cache (1B edges)",
            at_scale.then_some(wall < 10.0),
        );
        graph = Some(g);
    }
    let g = graph.unwrap();
    // The 5,000 accounts with the most followers (out-edges), ties by dense id.
    let mut ids: Vec<u32> = (0..g.node_count() as u32).collect();
    ids.sort_by_key(|&u| (std::cmp::Reverse(g.out_degree(u)), u));
    ids.truncate(5_000);
    ids.shrink_to_fit();
    let mut reach = None;
    let s = time(reps, || {
        reach = Some(unique_reach(&g, &ids, &ReachOptions::default()).unwrap());
    });
    let r = reach.unwrap();
    t.row(
        format!(
            "exact reach of the 5,000 largest: {} distinct graph people, {} summed followers",
            r.unique_people, r.summed_followers
        ),
        format!("{} (load excluded; median of {reps})", fmt_s(s)),
        "under 5 s (1B edges)",
        at_scale.then_some(s < 5.0),
    );
    let config = SelectConfig::builder()
        .k(50)
        .seed(1)
        .epsilon(0.1)
        .threads(2)
        .mode(Mode::Guarantee)
        .build()
        .unwrap();
    // What reach left behind is given back, and the peak is counted from here: the select
    // row's peak is the load's resident set plus select's, as in a process doing only both.
    drop(r);
    drop(ids);
    let load_rss = rss_mib();
    let measured = reset_peak_rss();
    let start = Instant::now();
    let sel = select(&g, Model::IndependentCascade, &config, &NoProgress).unwrap();
    let wall = start.elapsed().as_secs_f64();
    let peak = if measured { peak_rss_mib() } else { f64::NAN };
    t.row(
        format!(
            "select guarantee, k = 50, ε = 0.1, two threads: {} RR sets, estimate {:.0} graph people, approximation {:.3}",
            sel.rr_sets, sel.estimate.mean, sel.approximation
        ),
        format!(
            "{} (load excluded); peak RSS {peak:.0} MiB from the loaded graph's {load_rss:.0} MiB",
            fmt_s(wall),
        ),
        "under 2 min; peak RSS of load + select at most 16 GiB (1B edges)",
        at_scale.then_some(wall < 120.0 && peak <= 16.0 * 1024.0),
    );
    t
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mut reps = 5;
    let mut filters = Vec::new();
    let mut i = 0;
    while i < args.len() {
        match args[i].as_str() {
            "--reps" => {
                reps = args.get(i + 1).and_then(|s| s.parse().ok()).unwrap_or(5);
                i += 1;
            }
            "--bench" => {}
            a if a.starts_with("--") => {}
            a => filters.push(a.to_string()),
        }
        i += 1;
    }
    let want = |name: &str| filters.is_empty() || filters.iter().any(|f| name.contains(f.as_str()));
    println!(
        "## reachgraph benchmark runner\n\nmachine: {} cores ({}), rayon threads {}; median of {reps} runs after a warm-up",
        std::thread::available_parallelism().map_or(0, |n| n.get()),
        std::fs::read_to_string("/proc/cpuinfo")
            .ok()
            .and_then(|s| s
                .lines()
                .find(|l| l.starts_with("model name"))
                .map(|l| l.split(':').nth(1).unwrap_or("").trim().to_string()))
            .unwrap_or_default(),
        rayon::current_num_threads()
    );
    let mut tables = Vec::new();
    if want("load") {
        tables.push(section_load(reps));
    }
    if want("reach") {
        tables.extend(section_reach(reps));
    }
    if want("cascade") {
        tables.push(section_cascade(reps));
    }
    if want("sketch") {
        tables.extend(section_sketch(reps));
    }
    if want("margin") {
        tables.push(section_margin(reps));
    }
    if want("select") {
        tables.extend(section_select(reps));
    }
    if want("select_scaling") {
        tables.push(section_select_scaling());
    }
    if filters.iter().any(|f| f == "rgraph") {
        tables.push(section_rgraph(reps));
    }
    for t in &tables {
        t.print();
    }
    println!("\npeak RSS of the runner: {:.0} MiB", peak_rss_mib());
}
