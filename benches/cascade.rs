//! Cascade benchmarks: forward Monte Carlo (IC, LT) and RR-set sampling, on soc-Epinions1 with
//! weighted-cascade probabilities (50 top out-degree seeds, as the reference C++ simulator is
//! measured) and on a generated graph with 1M edges (20M with `REACHGRAPH_BENCH_LARGE=1`).
//!
//! Throughput is reported per cascade (`ic`, `lt`) and per RR set (`rr`).
//! Run: `cargo bench --bench cascade` (set `REACHGRAPH_DATA` if the shared data folder is not
//! at `../shared/data`).

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use reachgraph_core::cascade::{Model, Simulator, SpreadConfig};
use reachgraph_core::rrset::{RrConfig, RrSampler};
use reachgraph_core::{Graph, NoProgress};
use std::time::Duration;

mod common;

fn graphs() -> Vec<(String, Graph)> {
    let mut out = Vec::new();
    if let Some(g) = common::real("soc-Epinions1.txt", false) {
        out.push(("epinions_wc".to_string(), common::wc(g)));
    }
    // The size cynetdiff's published timing uses (10k accounts, 100k edges).
    out.push((
        "gen_10k_100k_wc".to_string(),
        common::wc(common::generated(10_000, 100_000, 3)),
    ));
    out.push((
        "gen_100k_1m_wc".to_string(),
        common::wc(common::generated(100_000, 1_000_000, 1)),
    ));
    if std::env::var_os("REACHGRAPH_BENCH_LARGE").is_some() {
        out.push((
            "gen_2m_20m_wc".to_string(),
            common::wc(common::generated(2_000_000, 20_000_000, 2)),
        ));
    }
    out
}

fn forward(c: &mut Criterion, model: Model, group_name: &str) {
    let mut group = c.benchmark_group(group_name);
    group
        .sample_size(10)
        .warm_up_time(Duration::from_millis(500));
    for (name, g) in graphs() {
        let seeds = common::top_by_out_degree(&g, 50);
        // Fewer trials on the big graphs keep the run short; throughput is per cascade.
        // (at least two chunks of 32 trials, so two threads have work).
        let trials = if g.edge_count() < 600_000 { 256 } else { 64 };
        group.throughput(Throughput::Elements(trials));
        for threads in [1usize, 2] {
            let config = SpreadConfig::builder()
                .trials(trials)
                .seed(1)
                .threads(threads)
                .build()
                .expect("valid config");
            let sim = Simulator::new(&g, model, &config).expect("valid graph");
            group.bench_function(BenchmarkId::new(&name, format!("{threads}_threads")), |b| {
                b.iter(|| sim.run(&seeds, &NoProgress).expect("simulation runs"))
            });
        }
    }
    group.finish();
}

fn ic(c: &mut Criterion) {
    forward(c, Model::IndependentCascade, "ic");
}

fn lt(c: &mut Criterion) {
    forward(c, Model::LinearThreshold, "lt");
}

fn rr(c: &mut Criterion) {
    let mut group = c.benchmark_group("rr");
    group
        .sample_size(10)
        .warm_up_time(Duration::from_millis(500));
    for (name, g) in graphs() {
        let count: usize = if g.edge_count() < 5_000_000 {
            200_000
        } else {
            20_000
        };
        group.throughput(Throughput::Elements(count as u64));
        for model in [Model::IndependentCascade, Model::LinearThreshold] {
            for threads in [1usize, 2] {
                let config = RrConfig::builder()
                    .seed(1)
                    .threads(threads)
                    .build()
                    .expect("valid config");
                let sampler = RrSampler::new(&g, model, &config).expect("sampler builds");
                group.bench_function(
                    BenchmarkId::new(format!("{name}_{model}"), format!("{threads}_threads")),
                    |b| b.iter(|| sampler.sample(count, &NoProgress).expect("sampling runs")),
                );
            }
        }
    }
    group.finish();
}

criterion_group!(benches, ic, lt, rr);
criterion_main!(benches);
