//! Truthfulness of the creator-table audience model (issue 15): on every shared real graph,
//! build a creator table from the graph's own follower counts (one platform, population = the
//! graph's people, no geography), give the exact overlaps of 20 pairs, hide the follower lists,
//! and compare the modelled distinct reach (mean, 90% interval) with the exact reach of sets of
//! 50, 500 and 5,000 accounts (top by followers, and random), next to independence and the
//! `sketch_model` lift model fitted to the same pairs.
//!
//! `cargo bench --bench plan_truth` (skips with a message when ../shared/data is absent).
//! Pairs: 20 distinct pairs drawn uniformly (seed 2026) among the 200 accounts with the most
//! followers. Random sets: seed 7 per graph and size. Parameter draws: 200; prior draws: 2048.

mod common;

use reachgraph_core::plan::{plan, CreatorTable, MeasuredOverlap, PlanOptions, Population};
use reachgraph_core::reach::{unique_reach, ReachOptions};
use reachgraph_core::rng;
use reachgraph_core::sketch::prior::{modelled_reach, OverlapPrior};
use reachgraph_core::Graph;
use std::collections::HashSet;

/// The measured pairs: `count` distinct pairs among the `pool` largest accounts.
fn pairs(
    graph: &Graph,
    order: &[u32],
    pool: usize,
    count: usize,
    seed: u64,
) -> Vec<(u32, u32, u64)> {
    let pool = pool.min(order.len());
    let mut r = rng::stream(seed, 0);
    let mut seen = HashSet::new();
    let mut out = Vec::new();
    while out.len() < count && seen.len() < pool * (pool - 1) / 2 {
        let a = order[rng::below(&mut r, pool as u64) as usize];
        let b = order[rng::below(&mut r, pool as u64) as usize];
        if a == b || !seen.insert((a.min(b), a.max(b))) {
            continue;
        }
        let fa: HashSet<u32> = graph.followers(a).iter().copied().collect();
        let shared = graph.followers(b).iter().filter(|v| fa.contains(v)).count() as u64;
        out.push((a, b, shared));
    }
    out
}

fn main() {
    if common::shared_data().is_none() {
        eprintln!("plan_truth: ../shared/data is absent; nothing to compare");
        return;
    }
    let graphs = [
        ("wiki-Vote.txt", false),
        ("nethept.txt", false),
        ("facebook_combined.txt", true),
        ("soc-Epinions1.txt", false),
    ];
    println!("| graph | set | accounts | exact people | modelled mean | 90% interval | error | in interval | independence (error) | sketch_model lift (error) |");
    println!("|---|---|---:|---:|---:|---|---:|:-:|---:|---:|");
    let (mut errs, mut hits, mut ind_errs, mut sk_errs) =
        (Vec::new(), 0usize, Vec::new(), Vec::new());
    for (file, undirected) in graphs {
        let Some(graph) = common::real(file, undirected) else {
            eprintln!("plan_truth: cannot read {file}; skipped");
            continue;
        };
        let n = graph.node_count();
        let counts: Vec<u64> = (0..n as u32)
            .map(|u| graph.followers(u).len() as u64)
            .collect();
        let population = Population::uniform(n as f64, &format!("the {n} people of {file}"));
        let table = CreatorTable::from_counts(
            (0..n).map(|u| (format!("{u}"), counts[u])),
            "graph",
            population.clone(),
        );
        let mut order: Vec<u32> = (0..n as u32).collect();
        order.sort_by(|&a, &b| counts[b as usize].cmp(&counts[a as usize]).then(a.cmp(&b)));
        let measured = pairs(&graph, &order, 200, 20, 2026);
        let overlaps: Vec<MeasuredOverlap> = measured
            .iter()
            .enumerate()
            .map(|(k, &(a, b, s))| MeasuredOverlap {
                a: a as usize,
                b: b as usize,
                shared_fraction: s as f64 / counts[a as usize] as f64,
                line: k + 2,
            })
            .collect();
        // sketch_model's lift from the same pairs: Σ shared / Σ F_a F_b / N.
        let lift = measured.iter().map(|p| p.2 as f64).sum::<f64>()
            / measured
                .iter()
                .map(|&(a, b, _)| counts[a as usize] as f64 * counts[b as usize] as f64 / n as f64)
                .sum::<f64>();
        let mut last = None;
        for k in [50usize, 500, 5000] {
            let k = k.min(n);
            let mut r = rng::stream(7, k as u64);
            let mut random: Vec<u32> = (0..n as u32).collect();
            for i in 0..k {
                let j = i + rng::below(&mut r, (n - i) as u64) as usize;
                random.swap(i, j);
            }
            for (label, set) in [
                ("top", order[..k].to_vec()),
                ("random", random[..k].to_vec()),
            ] {
                let exact = unique_reach(&graph, &set, &ReachOptions::default())
                    .unwrap()
                    .unique_people as f64;
                let options = PlanOptions {
                    base_population: Some(population.clone()),
                    adoption: vec![("graph".into(), 1.0)],
                    accounts: Some(set.iter().map(|u| u.to_string()).collect()),
                    seed: 1,
                    ..Default::default()
                };
                let rep = plan(&table, &overlaps, &options).unwrap();
                let u = rep.unique_reach;
                let set_counts: Vec<u64> = set.iter().map(|&v| counts[v as usize]).collect();
                let nn = n as f64;
                let ind = nn
                    * (1.0
                        - set_counts
                            .iter()
                            .map(|&f| 1.0 - f as f64 / nn)
                            .product::<f64>());
                let sk = modelled_reach(
                    &set_counts,
                    nn,
                    OverlapPrior::Correlated {
                        lift: lift.max(1.0),
                    },
                )
                .map(|m| m.unique_reach)
                .unwrap_or(f64::NAN);
                let rel = |x: f64| {
                    if exact > 0.0 {
                        (x - exact) / exact
                    } else {
                        0.0
                    }
                };
                let inside = u.low <= exact && exact <= u.high;
                errs.push(rel(u.mean).abs());
                ind_errs.push(rel(ind).abs());
                sk_errs.push(rel(sk).abs());
                hits += inside as usize;
                last = Some(rep.clone());
                println!(
                    "| {file} | {label} | {k} | {exact:.0} | {:.0} | {:.0} – {:.0} | {:+.1}% | {} | {ind:.0} ({:+.1}%) | {sk:.0} ({:+.1}%) |",
                    u.mean, u.low, u.high, 100.0 * rel(u.mean), if inside { "yes" } else { "no" }, 100.0 * rel(ind), 100.0 * rel(sk)
                );
            }
        }
        if let Some(rep) = &last {
            let p: Vec<String> = rep
                .parameters
                .iter()
                .map(|p| format!("{} {:.3} [{:.3}, {:.3}]", p.name, p.value, p.low, p.high))
                .collect();
            println!(
                "\n{file}: {n} people; {} pairs, RMS log error {:.2}, {:.0} effective draws; {}; sketch lift {lift:.2}\n",
                rep.fit.pairs.len(),
                rep.fit.rms_log_error,
                rep.fit.effective_draws,
                p.join(", ")
            );
        }
    }
    let median = |mut v: Vec<f64>| {
        v.sort_by(f64::total_cmp);
        if v.is_empty() {
            f64::NAN
        } else {
            v[v.len() / 2] * 0.5 + v[(v.len() - 1) / 2] * 0.5
        }
    };
    let cases = errs.len();
    println!();
    println!(
        "model: median |error| {:.1}%, exact inside the 90% interval in {hits}/{cases} cases; independence median |error| {:.1}%; sketch_model median |error| {:.1}%",
        100.0 * median(errs),
        100.0 * median(ind_errs),
        100.0 * median(sk_errs)
    );
}
