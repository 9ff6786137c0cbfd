//! Criterion group for seed selection: OPIM-C, quality mode and IMM (k = 50, weighted cascade,
//! two threads) on soc-Epinions1 and a generated graph with 1M edges.
//!
//! `cargo bench --bench select` (set `REACHGRAPH_DATA` if the shared data folder is not at
//! `../shared/data`). `cargo bench --bench runner -- select` prints the quality table.

mod common;

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion};
use reachgraph_core::cascade::Model;
use reachgraph_core::select::{select, Algorithm, Mode, SelectConfig};
use reachgraph_core::NoProgress;
use std::time::Duration;

fn selection(c: &mut Criterion) {
    let mut graphs = Vec::new();
    if let Some(g) = common::real("soc-Epinions1.txt", false) {
        graphs.push(("epinions_wc", common::wc(g)));
    }
    graphs.push((
        "gen_100k_1m_wc",
        common::wc(common::generated(100_000, 1_000_000, 1)),
    ));
    let mut group = c.benchmark_group("select");
    group
        .sample_size(10)
        .warm_up_time(Duration::from_millis(500));
    for (name, g) in &graphs {
        let base = || SelectConfig::builder().k(50).seed(1).threads(2);
        for (label, config) in [
            ("opim_c_eps0.1", base().build().unwrap()),
            ("quality", base().mode(Mode::Quality).build().unwrap()),
            (
                "imm_eps0.5",
                base()
                    .algorithm(Algorithm::Imm)
                    .epsilon(0.5)
                    .build()
                    .unwrap(),
            ),
        ] {
            group.bench_function(BenchmarkId::new(*name, label), |b| {
                b.iter(|| select(g, Model::IndependentCascade, &config, &NoProgress).unwrap())
            });
        }
    }
    group.finish();
}

criterion_group!(benches, selection);
criterion_main!(benches);
