//! The scenario generator: determinism, the population it models, sizing, and bad configs.

use reachgraph_core::attrs::NONE;
use reachgraph_core::election::ElectionResults;
use reachgraph_core::scenario::{self, generate, IdScheme, Scenario, ScenarioConfig};
use reachgraph_core::{Error, Graph, NoProgress, Tier};
use std::collections::{HashMap, HashSet};

fn demo() -> Scenario {
    generate(&ScenarioConfig::demo(), &NoProgress).unwrap()
}

fn small(seed: u64) -> ScenarioConfig {
    ScenarioConfig {
        people: 5_000,
        creators: 80,
        seed,
        ..ScenarioConfig::demo()
    }
}

/// Everything that makes two graphs the same: structure, probabilities, ids and attributes
/// (costs compared bit for bit, since NaN marks "not for hire").
fn fingerprint(g: &Graph) -> (Vec<usize>, Vec<u32>, Vec<u32>, Vec<String>, String) {
    let out = g.out_csr();
    let a = g.attributes();
    let labels = (0..g.node_count() as u32).map(|u| g.label(u)).collect();
    let costs: Vec<u64> = a.cost.iter().map(|c| c.to_bits()).collect();
    let attrs = format!(
        "{:?}{:?}{:?}{:?}{:?}{:?}",
        a.platform, a.person, a.jurisdiction, a.followers, a.target_weight, costs
    );
    (
        out.offsets.to_vec(),
        out.neighbors.to_vec(),
        g.in_csr().neighbors.to_vec(),
        labels,
        attrs,
    )
}

#[test]
fn same_seed_same_graph_other_seed_other_graph() {
    let a = generate(&small(7), &NoProgress).unwrap();
    let b = generate(&small(7), &NoProgress).unwrap();
    let c = generate(&small(8), &NoProgress).unwrap();
    assert_eq!(fingerprint(&a.graph), fingerprint(&b.graph));
    assert_eq!(a.creators, b.creators);
    assert_ne!(fingerprint(&a.graph), fingerprint(&c.graph));
}

#[test]
fn identical_on_one_and_two_threads() {
    // the demo spans several people and account chunks, so chunking is exercised
    let run = |threads| {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap();
        pool.install(demo)
    };
    let one = run(1);
    let two = run(2);
    assert!(one.stats.accounts > 2 * scenario::CHUNK);
    assert_eq!(fingerprint(&one.graph), fingerprint(&two.graph));
    assert_eq!(one.creators, two.creators);
    assert_eq!(one.stats, two.stats);
}

#[test]
fn people_follow_voting_eligible_population() {
    let sc = demo();
    let g = &sc.graph;
    let people = g.people();
    let names = &g.attributes().jurisdiction.names;
    assert_eq!(names.len(), 51);
    let e = ElectionResults::us_president(2024).unwrap();
    let total_vep = e.voting_eligible_population().unwrap() as f64;
    let mut count = vec![0usize; names.len()];
    for &j in &people.jurisdiction {
        assert_ne!(j, NONE);
        count[j as usize] += 1;
    }
    assert_eq!(people.count, sc.config.people);
    for (j, name) in names.iter().enumerate() {
        let vep = e.get(name).unwrap().voting_eligible_population.unwrap() as f64;
        let want = vep / total_vep;
        let got = count[j] as f64 / people.count as f64;
        // apportioned by largest remainders: off by at most one person
        assert!(
            (got - want).abs() <= 1.0 / people.count as f64,
            "{name}: {got} vs {want}"
        );
    }
    // the default scale makes the graph stand for the national VEP
    assert!((sc.scale * people.count as f64 - total_vep).abs() < 1.0);
}

#[test]
fn demo_has_every_tier_priced_by_the_rate_card() {
    let sc = demo();
    let g = &sc.graph;
    let a = g.attributes();
    let mut by_tier: HashMap<Tier, Vec<f64>> = HashMap::new();
    for &c in &sc.creators {
        by_tier
            .entry(a.tier(c, g))
            .or_default()
            .push(a.cost[c as usize]);
    }
    for t in Tier::ALL {
        assert!(by_tier.contains_key(&t), "no {t} creator in the demo");
    }
    // mid tier priced around the $8,000 anchor (log-normal noise around it)
    let mid = by_tier.get_mut(&Tier::Mid).unwrap();
    mid.sort_by(f64::total_cmp);
    let median = mid[mid.len() / 2];
    assert!((4_000.0..16_000.0).contains(&median), "{median}");
    // ordinary accounts are not for hire and carry no follower count
    let creators: HashSet<u32> = sc.creators.iter().copied().collect();
    for u in 0..g.node_count() as u32 {
        let hired = !a.cost[u as usize].is_nan();
        assert_eq!(hired, creators.contains(&u), "{}", g.label(u));
        assert_eq!(a.followers.get(u as usize).is_some(), hired);
        assert_eq!(a.target_weight[u as usize], 1.0);
    }
    assert_eq!(sc.creators.len(), sc.config.creators);
    assert_eq!(sc.creator_niches.len(), sc.creators.len());
    assert!(sc
        .creator_niches
        .iter()
        .all(|&t| (t as usize) < sc.niches.len()));
}

#[test]
fn creators_sorted_with_followers_from_their_graph_audience() {
    let sc = demo();
    let g = &sc.graph;
    let a = g.attributes();
    let f = |u: u32| a.followers.get(u as usize).unwrap();
    for w in sc.creators.windows(2) {
        assert!(f(w[0]) > f(w[1]) || (f(w[0]) == f(w[1]) && w[0] < w[1]));
    }
    for &c in &sc.creators {
        assert_eq!(f(c), (g.out_degree(c) as f64 * sc.scale).round() as u64);
        assert!(g.out_degree(c) >= 1);
    }
    // a given scale is used as is
    let cfg = ScenarioConfig {
        scale: Some(1_000.0),
        ..small(3)
    };
    let sc = generate(&cfg, &NoProgress).unwrap();
    assert_eq!(sc.scale, 1_000.0);
    let c = sc.creators[0];
    assert_eq!(
        sc.graph.attributes().followers.get(c as usize),
        Some(sc.graph.out_degree(c) as u64 * 1_000)
    );
}

#[test]
fn people_hold_at_most_one_account_per_platform() {
    let sc = demo();
    let g = &sc.graph;
    let a = g.attributes();
    let people = g.people();
    let creators: HashSet<u32> = sc.creators.iter().copied().collect();
    let mut accounts: HashMap<u32, Vec<u32>> = HashMap::new();
    for u in 0..g.node_count() as u32 {
        accounts
            .entry(people.of_account[u as usize])
            .or_default()
            .push(u);
    }
    let mut multi = 0;
    for list in accounts.values() {
        let platforms: HashSet<u32> = list.iter().map(|&u| a.platform.codes[u as usize]).collect();
        assert_eq!(platforms.len(), list.len(), "two accounts on one platform");
        assert!((1..=3).contains(&list.len()));
        let js: HashSet<u32> = list
            .iter()
            .map(|&u| a.jurisdiction.codes[u as usize])
            .collect();
        assert_eq!(js.len(), 1);
        // a creator person's accounts are all creator accounts, with one id suffix
        let is_c: HashSet<bool> = list.iter().map(|u| creators.contains(u)).collect();
        assert_eq!(is_c.len(), 1);
        let suffixes: HashSet<String> = list
            .iter()
            .map(|&u| g.label(u).split_once(':').unwrap().1.to_string())
            .collect();
        assert_eq!(suffixes.len(), 1);
        if list.len() > 1 {
            multi += 1;
        }
    }
    assert_eq!(accounts.len(), sc.config.people);
    assert!(
        multi > sc.config.people / 5,
        "{multi} people with several accounts"
    );
    // some creators run accounts on several platforms
    let creator_people: HashSet<u32> = sc
        .creators
        .iter()
        .map(|&c| people.of_account[c as usize])
        .collect();
    assert!(creator_people.len() < sc.creators.len());
    assert_eq!(creator_people.len(), sc.stats.creator_people);
    assert_eq!(
        a.platform.names,
        vec!["instagram".to_string(), "tiktok".into(), "x".into()]
    );
    // edges stay on one platform and never loop
    for u in 0..g.node_count() as u32 {
        for &v in g.followers(u) {
            assert_ne!(u, v);
            assert_eq!(a.platform.codes[u as usize], a.platform.codes[v as usize]);
        }
    }
}

#[test]
fn creator_audiences_overlap() {
    let sc = demo();
    let g = &sc.graph;
    let a = g.attributes();
    let people = g.people();
    let top = &sc.creators[..50];
    let summed_graph: usize = top.iter().map(|&c| g.out_degree(c)).sum();
    let summed_real: u64 = top
        .iter()
        .map(|&c| a.followers.get(c as usize).unwrap())
        .sum();
    let distinct: HashSet<u32> = top
        .iter()
        .flat_map(|&c| g.followers(c))
        .map(|&v| people.of_account[v as usize])
        .collect();
    assert!(
        summed_graph > distinct.len(),
        "{summed_graph} vs {}",
        distinct.len()
    );
    assert!(summed_real as f64 > distinct.len() as f64 * sc.scale);
    // audiences of local-sized creators cluster in their home state (big ones spill out of it
    // by design: no pool gives more than half of itself)
    let j = &a.jurisdiction.codes;
    let (mut home, mut all) = (0usize, 0usize);
    for &c in &sc.creators {
        if (5..=60).contains(&g.out_degree(c)) {
            for &v in g.followers(c) {
                all += 1;
                home += (j[v as usize] == j[c as usize]) as usize;
            }
        }
    }
    // far above the share a random draw would give (the largest state holds about 12%)
    assert!(
        all > 300 && home as f64 > 0.35 * all as f64,
        "{home} of {all}"
    );
}

#[test]
fn with_edges_hits_its_target() {
    for target in [10_000usize, 100_000, 1_000_000] {
        let cfg = ScenarioConfig::with_edges(target, 42);
        cfg.validate().unwrap();
        let sc = generate(&cfg, &NoProgress).unwrap();
        let m = sc.graph.edge_count() as f64;
        let err = (m - target as f64).abs() / target as f64;
        assert!(err < 0.15, "{target}: {m} edges");
        assert_eq!(
            sc.stats.creator_edges + sc.stats.follow_edges,
            sc.graph.edge_count()
        );
    }
    for target in [0usize, 1, 50] {
        let cfg = ScenarioConfig::with_edges(target, 1);
        generate(&cfg, &NoProgress).unwrap();
    }
    assert_eq!(
        ScenarioConfig::with_edges(100_000, 1).ids,
        IdScheme::Readable
    );
    assert_eq!(
        ScenarioConfig::with_edges(20_000_000, 1).ids,
        IdScheme::Dense
    );
}

#[test]
fn id_scheme_changes_names_only() {
    let readable = generate(&small(11), &NoProgress).unwrap();
    let dense = generate(
        &ScenarioConfig {
            ids: IdScheme::Dense,
            ..small(11)
        },
        &NoProgress,
    )
    .unwrap();
    let (r, d) = (&readable.graph, &dense.graph);
    assert_eq!(r.out_csr().neighbors, d.out_csr().neighbors);
    assert_eq!(readable.creators, dense.creators);
    let c = readable.creators[0];
    assert!(r.label(c).contains(":c"), "{}", r.label(c));
    assert_eq!(d.label(c), c.to_string());
    assert_eq!(r.node(&r.label(c)).unwrap(), c);
    let ordinary = (0..r.node_count() as u32)
        .find(|u| !readable.creators.contains(u))
        .unwrap();
    let label = r.label(ordinary);
    let (prefix, person) = label.split_once(':').unwrap();
    assert!(["ig", "tt", "x"].contains(&prefix), "{label}");
    assert!(person.starts_with('p'), "{label}");
}

#[test]
fn bad_configs_are_typed_errors() {
    fn bad(cfg: ScenarioConfig, field: &str) {
        let e = cfg.validate().unwrap_err();
        match &e {
            Error::InvalidParameter { name, .. } => assert!(name.contains(field), "{e}"),
            _ => panic!("{field}: {e:?}"),
        }
        assert!(matches!(
            generate(&cfg, &NoProgress),
            Err(Error::InvalidParameter { .. })
        ));
    }
    let d = ScenarioConfig::demo;
    bad(ScenarioConfig { people: 0, ..d() }, "people");
    bad(
        ScenarioConfig {
            people: 10,
            creators: 11,
            ..d()
        },
        "creators",
    );
    bad(
        ScenarioConfig {
            home_state_share: 1.5,
            ..d()
        },
        "home_state_share",
    );
    bad(
        ScenarioConfig {
            niche_share: -0.1,
            ..d()
        },
        "niche_share",
    );
    bad(
        ScenarioConfig {
            same_state_follow_share: f64::NAN,
            ..d()
        },
        "same_state_follow_share",
    );
    bad(ScenarioConfig { niches: 0, ..d() }, "niches");
    bad(
        ScenarioConfig {
            mean_follows: -1.0,
            ..d()
        },
        "mean_follows",
    );
    bad(
        ScenarioConfig {
            scale: Some(0.0),
            ..d()
        },
        "scale",
    );
    bad(
        ScenarioConfig {
            max_audience_share: 0.0,
            ..d()
        },
        "max_audience_share",
    );
    bad(
        ScenarioConfig {
            platforms: vec![],
            ..d()
        },
        "platforms",
    );
    let mut c = d();
    c.platforms[1].prefix = "ig".into();
    bad(c, "platforms[1]");
    let mut c = d();
    c.platforms[2].adoption = 1.2;
    bad(c, "platforms[2].adoption");
    let mut c = d();
    c.platforms.iter_mut().for_each(|p| p.adoption = 0.0);
    bad(c, "platforms");
    let mut c = d();
    c.audience.max_followers = c.audience.min_followers;
    bad(c, "audience.max_followers");
    let mut c = d();
    c.audience.alpha = 0.0;
    bad(c, "audience.alpha");
    let mut c = d();
    c.rate_card[2] = -1.0;
    bad(c, "rate_card.mid");
    let mut c = d();
    c.cross_platform.shared_followers = 2.0;
    bad(c, "cross_platform.shared_followers");
    // edge cases that are valid
    ScenarioConfig {
        people: 1,
        creators: 1,
        ..d()
    }
    .validate()
    .unwrap();
    generate(
        &ScenarioConfig {
            people: 3,
            creators: 3,
            ..d()
        },
        &NoProgress,
    )
    .unwrap();
    generate(
        &ScenarioConfig {
            creators: 0,
            mean_follows: 0.0,
            ..small(1)
        },
        &NoProgress,
    )
    .unwrap();
}

#[test]
fn config_round_trips_through_json_and_assumptions_are_stated() {
    let c = ScenarioConfig::with_edges(50_000, 9);
    let json = serde_json::to_string(&c).unwrap();
    let back: ScenarioConfig = serde_json::from_str(&json).unwrap();
    assert_eq!(back, c);
    let a = scenario::assumptions();
    assert!(a.iter().any(|s| s.contains("$8,000")));
    assert!(a.iter().any(|s| s.contains("Pew")));
    assert!(a.iter().all(|s| !s.is_empty()));
}
