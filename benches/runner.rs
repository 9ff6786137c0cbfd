//! The project's benchmark runner: prints the tables of `docs/BENCHMARKS.md` against their
//! targets, measured on this machine in one run.
//!
//! `cargo bench --bench runner` (all sections), or `cargo bench --bench runner -- reach`
//! for sections whose name contains `reach`. `--reps N` sets repetitions (median reported).

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

fn peak_rss_mib() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1)?.parse::<f64>().ok())
        })
        .map_or(f64::NAN, |kb| kb / 1024.0)
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
    if want("margin") {
        tables.push(section_margin(reps));
    }
    for t in &tables {
        t.print();
    }
    println!("\npeak RSS of the runner: {:.0} MiB", peak_rss_mib());
}
