//! The project's benchmark runner: prints the tables of `docs/BENCHMARKS.md` against their
//! targets, measured on this machine in one run.
//!
//! `cargo bench --bench runner` (all sections), or `cargo bench --bench runner -- reach`
//! for sections whose name contains `reach` (sections: load, reach, cascade, select). `--reps N` sets repetitions (median reported).

mod common;

use reachgraph_core::coverage::{budget_pick, reach_ladder};
use reachgraph_core::io::{read_graph, EdgeFormat};
use reachgraph_core::overlap::overlap;
use reachgraph_core::reach::{expected_reach, unique_reach, ReachOptions};
use reachgraph_core::{GraphOptions, NoProgress};
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
    t
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
                format!(
                    "{} per cascade ({:.2}× one thread)",
                    fmt_s(per),
                    if model == Model::IndependentCascade {
                        one / per
                    } else {
                        f64::NAN
                    }
                ),
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
    // Scaling on generated graphs: time and memory.
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
    out.push(t);
    out
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
    if want("select") {
        tables.extend(section_select(reps));
    }
    for t in &tables {
        t.print();
    }
    println!("\npeak RSS of the runner: {:.0} MiB", peak_rss_mib());
}
