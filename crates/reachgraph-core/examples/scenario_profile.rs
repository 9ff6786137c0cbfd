//! Generates a scenario and prints what it holds and how long it took.
//!
//! `cargo run --release -p reachgraph-core --example scenario_profile -- [EDGES|demo] [SEED]
//! [readable|dense]`
use reachgraph_core::scenario::{generate, IdScheme, ScenarioConfig};
use reachgraph_core::Tier;
use std::time::Instant;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let seed = args.get(2).and_then(|s| s.parse().ok()).unwrap_or(42);
    let mut config = match args.get(1).map(String::as_str) {
        None | Some("demo") => ScenarioConfig::demo(),
        Some(e) => ScenarioConfig::with_edges(e.parse().expect("EDGES is a number"), seed),
    };
    match args.get(3).map(String::as_str) {
        Some("readable") => config.ids = IdScheme::Readable,
        Some("dense") => config.ids = IdScheme::Dense,
        _ => {}
    }
    println!(
        "config: people {} creators {} ids {:?} threads {}",
        config.people,
        config.creators,
        config.ids,
        rayon::current_num_threads()
    );
    let t = Instant::now();
    // print when each stage starts
    let last = std::sync::Mutex::new(String::new());
    let stages = |stage: &str, _done: u64, _total: u64| {
        let mut l = last.lock().unwrap();
        if *l != stage {
            eprintln!("  {:>8.3} s  {stage}", t.elapsed().as_secs_f64());
            *l = stage.to_string();
        }
        true
    };
    let sc = generate(&config, &stages).expect("valid config");
    let secs = t.elapsed().as_secs_f64();
    let g = &sc.graph;
    let a = g.attributes();
    println!(
        "generated in {secs:.3} s: {} accounts, {} edges ({} creator, {} follow), {} people, scale {:.1}",
        g.node_count(),
        g.edge_count(),
        sc.stats.creator_edges,
        sc.stats.follow_edges,
        g.people().count,
        sc.scale
    );
    println!("per platform: {:?}", sc.stats.accounts_per_platform);
    let mut tiers = [0usize; 5];
    let mut cost = [0f64; 5];
    for &c in &sc.creators {
        let t = a.tier(c, g);
        tiers[t as usize] += 1;
        cost[t as usize] += a.cost[c as usize];
    }
    for t in Tier::ALL {
        let i = t as usize;
        println!(
            "  {t:>5}: {:>6} creators, mean cost ${:.0}",
            tiers[i],
            cost[i] / tiers[i].max(1) as f64
        );
    }
    println!("creator people: {}", sc.stats.creator_people);
    for &c in sc.creators.iter().take(8) {
        println!(
            "  {} followers {} (graph {}), cost {}, {}",
            g.label(c),
            a.followers[c as usize].unwrap(),
            g.out_degree(c),
            a.cost[c as usize],
            a.jurisdiction.get(c).unwrap_or("-")
        );
    }
    // summed vs distinct over the top 50
    let top: Vec<u32> = sc.creators.iter().copied().take(50).collect();
    let summed: usize = top.iter().map(|&c| g.out_degree(c)).sum();
    let mut seen = vec![false; g.people().count];
    let mut distinct = 0;
    for &c in &top {
        for &v in g.followers(c) {
            let p = g.people().of_account[v as usize] as usize;
            if !seen[p] {
                seen[p] = true;
                distinct += 1;
            }
        }
    }
    println!("top 50: summed graph followers {summed}, distinct people {distinct}");
    let max_in = (0..g.node_count() as u32)
        .map(|v| g.in_degree(v))
        .max()
        .unwrap_or(0);
    println!("max in-degree {max_in}; graph bytes {}", g.memory_bytes());
}
