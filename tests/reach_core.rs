//! Reach, overlap and coverage against brute force on small graphs, their properties, typed
//! errors, and independence from the thread count.

use proptest::prelude::*;
use reachgraph_core::coverage::{budget_pick, incremental_reach, reach_ladder, BUDGET_GUARANTEE};
use reachgraph_core::reach::{expected_reach, unique_reach, ReachOptions, NONE_LABEL};
use reachgraph_core::{
    overlap, overlap_graph, rng, Attributes, Categorical, Error, Graph, GraphBuilder, GraphOptions,
    NoProgress, NodeIds,
};
use std::collections::{BTreeMap, BTreeSet};

/// A small random campaign: accounts with edges, people, platforms, jurisdictions, weights,
/// costs and probabilities.
#[derive(Debug, Clone)]
struct Spec {
    n: u32,
    edges: Vec<(u32, u32, f32)>,
    /// Person label of each account (`None`: its own person).
    person: Vec<Option<u8>>,
    platform: Vec<Option<u8>>,
    /// Jurisdiction of each person label.
    juris_of_person: Vec<Option<u8>>,
    /// Jurisdiction of unlinked accounts.
    juris: Vec<Option<u8>>,
    weight: Vec<u8>,
    cost: Vec<Option<u8>>,
}

/// Probabilities exactly representable in `f32`, so brute force sees the same numbers.
const PROBS: [f32; 6] = [0.0, 0.125, 0.25, 0.5, 0.75, 1.0];

fn spec(max_n: u32, max_edges: usize) -> impl Strategy<Value = Spec> {
    (2..=max_n).prop_flat_map(move |n| {
        let nn = n as usize;
        (
            prop::collection::vec((0..n, 0..n, 0..PROBS.len()), 0..=max_edges),
            prop::collection::vec(prop::option::weighted(0.5, 0..3u8), nn),
            prop::collection::vec(prop::option::weighted(0.7, 0..2u8), nn),
            prop::collection::vec(prop::option::weighted(0.7, 0..3u8), 3),
            prop::collection::vec(prop::option::weighted(0.7, 0..3u8), nn),
            prop::collection::vec(0..3u8, nn),
            prop::collection::vec(prop::option::weighted(0.8, 0..5u8), nn),
        )
            .prop_map(
                move |(e, person, platform, juris_of_person, juris, weight, cost)| Spec {
                    n,
                    edges: e.into_iter().map(|(u, v, p)| (u, v, PROBS[p])).collect(),
                    person,
                    platform,
                    juris_of_person,
                    juris,
                    weight,
                    cost,
                },
            )
    })
}

fn build(s: &Spec) -> Graph {
    let src: Vec<u32> = s.edges.iter().map(|e| e.0).collect();
    let dst: Vec<u32> = s.edges.iter().map(|e| e.1).collect();
    let probs: Vec<f32> = s.edges.iter().map(|e| e.2).collect();
    let (mut g, _) = Graph::from_edges(
        s.n,
        &src,
        &dst,
        Some(&probs),
        NodeIds::identity(s.n),
        GraphOptions::default(),
    )
    .unwrap();
    let nn = s.n as usize;
    let mut a = Attributes::new(nn);
    let pnames = ["ann", "bob", "cy"];
    let plat = ["x", "tiktok"];
    let jur = ["PA", "MI", "WI"];
    a.person = Categorical::from_labels(s.person.iter().map(|p| p.map(|p| pnames[p as usize])));
    a.platform = Categorical::from_labels(s.platform.iter().map(|p| p.map(|p| plat[p as usize])));
    a.jurisdiction = Categorical::from_labels((0..nn).map(|i| {
        match s.person[i] {
            Some(p) => s.juris_of_person[p as usize],
            None => s.juris[i],
        }
        .map(|j| jur[j as usize])
    }));
    a.target_weight = s
        .weight
        .iter()
        .map(|&w| w as f32)
        .collect::<Vec<_>>()
        .into();
    a.cost = s
        .cost
        .iter()
        .map(|c| c.map_or(f64::NAN, |c| c as f64))
        .collect();
    g.set_attributes(a).unwrap();
    g
}

fn counted(g: &Graph, p: u32, o: &ReachOptions) -> bool {
    !o.target_only || g.people().weight[p as usize] > 0.0
}

/// Accounts reached by `seeds` (followers, plus seeds with `include_seeds`).
fn reached_accounts(g: &Graph, seeds: &[u32], o: &ReachOptions) -> BTreeSet<u32> {
    let mut acc = BTreeSet::new();
    for &s in seeds {
        acc.extend(g.followers(s).iter().copied());
        if o.include_seeds {
            acc.insert(s);
        }
    }
    acc
}

/// People reached, by brute force over sets.
fn brute_people(g: &Graph, seeds: &[u32], o: &ReachOptions) -> BTreeSet<u32> {
    reached_accounts(g, seeds, o)
        .into_iter()
        .map(|v| g.people().of_account[v as usize])
        .filter(|&p| counted(g, p, o))
        .collect()
}

fn weight_of(g: &Graph, people: &BTreeSet<u32>) -> f64 {
    people
        .iter()
        .map(|&p| g.people().weight[p as usize] as f64)
        .sum()
}

fn reach_value(g: &Graph, seeds: &[u32], o: &ReachOptions) -> f64 {
    let p = brute_people(g, seeds, o);
    if o.target_only {
        weight_of(g, &p)
    } else {
        p.len() as f64
    }
}

fn options() -> impl Strategy<Value = ReachOptions> {
    (any::<bool>(), any::<bool>()).prop_map(|(include_seeds, target_only)| ReachOptions {
        include_seeds,
        target_only,
    })
}

/// Distinct seeds from a list of random indices.
fn seeds_of(n: u32, raw: &[u32]) -> Vec<u32> {
    let mut seen = BTreeSet::new();
    raw.iter()
        .map(|&x| x % n)
        .filter(|x| seen.insert(*x))
        .collect()
}

fn subsets(n: u32) -> impl Iterator<Item = Vec<u32>> {
    (0u32..1 << n).map(move |m| (0..n).filter(|&i| m >> i & 1 == 1).collect())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(192))]

    #[test]
    fn unique_reach_equals_brute_force(
        s in spec(9, 30),
        raw in prop::collection::vec(0u32..64, 1..6),
        o in options(),
    ) {
        let g = build(&s);
        let seeds = seeds_of(s.n, &raw);
        let r = unique_reach(&g, &seeds, &o).unwrap();
        let people = brute_people(&g, &seeds, &o);
        let accounts: Vec<u32> = reached_accounts(&g, &seeds, &o)
            .into_iter()
            .filter(|&v| counted(&g, g.people().of_account[v as usize], &o))
            .collect();
        prop_assert_eq!(r.seeds, seeds.len());
        prop_assert_eq!(
            r.summed_followers,
            seeds.iter().map(|&u| g.out_degree(u) as u64).sum::<u64>()
        );
        prop_assert_eq!(r.unique_people, people.len() as u64);
        prop_assert_eq!(r.unique_accounts, accounts.len() as u64);
        prop_assert!((r.target_weight - weight_of(&g, &people)).abs() < 1e-9);
        prop_assert!(r.unique_people as usize <= g.people().count);

        // Jurisdiction breakdown.
        let attrs = g.attributes();
        let mut by_j: BTreeMap<String, (u64, f64)> = BTreeMap::new();
        for &p in &people {
            let name = match g.people().jurisdiction[p as usize] {
                reachgraph_core::attrs::NONE => NONE_LABEL.to_string(),
                j => attrs.jurisdiction.names[j as usize].to_string(),
            };
            let e = by_j.entry(name).or_default();
            e.0 += 1;
            e.1 += g.people().weight[p as usize] as f64;
        }
        prop_assert_eq!(r.by_jurisdiction.len(), by_j.len());
        for row in &r.by_jurisdiction {
            let (n, w) = by_j[&row.name];
            prop_assert_eq!(row.people, n);
            prop_assert!((row.target_weight - w).abs() < 1e-9);
        }
        // Platform breakdown: (platform, person) pairs over reached accounts.
        let mut by_p: BTreeMap<String, BTreeSet<u32>> = BTreeMap::new();
        for &v in &accounts {
            let name = attrs.platform.get(v).unwrap_or(NONE_LABEL).to_string();
            by_p.entry(name).or_default().insert(g.people().of_account[v as usize]);
        }
        prop_assert_eq!(r.by_platform.len(), by_p.len());
        for row in &r.by_platform {
            prop_assert_eq!(row.people, by_p[&row.name].len() as u64);
            prop_assert!((row.target_weight - weight_of(&g, &by_p[&row.name])).abs() < 1e-9);
        }
        // Rows sorted by people, then name.
        for w in r.by_jurisdiction.windows(2).chain(r.by_platform.windows(2)) {
            prop_assert!(
                w[0].people > w[1].people || (w[0].people == w[1].people && w[0].name < w[1].name)
            );
        }
    }

    #[test]
    fn unique_reach_is_monotone_and_submodular(
        s in spec(9, 30),
        small in prop::collection::vec(0u32..64, 0..3),
        extra in prop::collection::vec(0u32..64, 0..4),
        x in 0u32..64,
        o in options(),
    ) {
        let g = build(&s);
        let x = x % s.n;
        let a: Vec<u32> = seeds_of(s.n, &small).into_iter().filter(|&v| v != x).collect();
        let mut b = a.clone();
        for v in seeds_of(s.n, &extra) {
            if v != x && !b.contains(&v) {
                b.push(v);
            }
        }
        let f = |set: &[u32]| -> u64 {
            if set.is_empty() {
                0
            } else {
                unique_reach(&g, set, &o).unwrap().unique_people
            }
        };
        let with = |set: &[u32]| -> Vec<u32> { set.iter().copied().chain([x]).collect() };
        prop_assert!(f(&a) <= f(&b));
        prop_assert!(f(&with(&a)) - f(&a) >= f(&with(&b)) - f(&b));
        // The incremental step agrees with the difference of reaches.
        let step = incremental_reach(&g, &b, x, &o).unwrap();
        prop_assert_eq!(step.marginal_people, f(&with(&b)) - f(&b));
        prop_assert_eq!(step.cumulative_people, f(&with(&b)));
    }

    #[test]
    fn expected_reach_equals_enumeration_of_edge_coins(
        s in spec(7, 12),
        raw in prop::collection::vec(0u32..64, 1..4),
        posts in 1u32..=3,
        o in options(),
    ) {
        let g = build(&s);
        let seeds = seeds_of(s.n, &raw);
        let people = g.people();
        // Random trials: one per (seed edge with 0 < p < 1, post). Certain ones are added
        // directly.
        let mut trials: Vec<(u32, f64)> = Vec::new();
        let mut certain = vec![0usize; people.count];
        for &u in &seeds {
            let out = g.out_csr();
            for (&v, &p) in out.neighbors(u).iter().zip(out.probs(u)) {
                let person = people.of_account[v as usize];
                for _ in 0..posts {
                    if p >= 1.0 {
                        certain[person as usize] += 1;
                    } else if p > 0.0 {
                        trials.push((person, p as f64));
                    }
                }
            }
            if o.include_seeds {
                certain[people.of_account[u as usize] as usize] += posts as usize;
            }
        }
        prop_assume!(trials.len() <= 12);
        let counted_people: Vec<u32> =
            (0..people.count as u32).filter(|&p| counted(&g, p, &o)).collect();
        let mut freq = vec![0f64; 64];
        let (mut e_people, mut e_weight, mut e_sq) = (0f64, 0f64, 0f64);
        for mask in 0u32..1 << trials.len() {
            let mut prob = 1f64;
            let mut hits = certain.clone();
            for (t, &(person, p)) in trials.iter().enumerate() {
                if mask >> t & 1 == 1 {
                    prob *= p;
                    hits[person as usize] += 1;
                } else {
                    prob *= 1.0 - p;
                }
            }
            let mut reached = 0f64;
            for &p in &counted_people {
                let h = hits[p as usize];
                freq[h] += prob;
                if h > 0 {
                    reached += 1.0;
                    e_weight += prob * people.weight[p as usize] as f64;
                }
            }
            e_people += prob * reached;
            e_sq += prob * reached * reached;
        }
        let r = expected_reach(&g, &seeds, posts, &o).unwrap();
        prop_assert_eq!(r.people_counted, counted_people.len() as u64);
        prop_assert!((r.expected_people - e_people).abs() < 1e-9, "{} vs {}", r.expected_people, e_people);
        prop_assert!((r.expected_target_weight - e_weight).abs() < 1e-9);
        prop_assert!((r.variance_people - (e_sq - e_people * e_people)).abs() < 1e-9);
        prop_assert!(r.frequency.len() <= freq.len());
        for (k, &want) in freq.iter().enumerate() {
            let got = r.frequency.get(k).copied().unwrap_or(0.0);
            prop_assert!((got - want).abs() < 1e-9, "frequency[{}]: {} vs {}", k, got, want);
        }
        let exposures: f64 = freq.iter().enumerate().map(|(k, f)| k as f64 * f).sum();
        let reached: f64 = freq[1..].iter().sum();
        let mean = if reached > 0.0 { exposures / reached } else { 0.0 };
        prop_assert!((r.mean_frequency_among_reached - mean).abs() < 1e-9);
        // Expected reach never exceeds unique reach (edges with p = 0 reach nobody).
        let u = unique_reach(&g, &seeds, &o).unwrap();
        prop_assert!(r.expected_people <= u.unique_people as f64 + 1e-9);
    }

    #[test]
    fn overlap_equals_pairwise_intersections(
        s in spec(10, 40),
        raw in prop::collection::vec(0u32..64, 1..7),
    ) {
        let g = build(&s);
        let acc = seeds_of(s.n, &raw);
        let ov = overlap(&g, &acc, &NoProgress).unwrap();
        let sets: Vec<BTreeSet<u32>> = acc
            .iter()
            .map(|&a| {
                g.followers(a)
                    .iter()
                    .map(|&v| g.people().of_account[v as usize])
                    .collect()
            })
            .collect();
        for i in 0..acc.len() {
            prop_assert_eq!(ov.audience[i], sets[i].len() as u64);
            for j in 0..acc.len() {
                let s = sets[i].intersection(&sets[j]).count() as u64;
                let u = sets[i].union(&sets[j]).count() as u64;
                prop_assert_eq!(ov.shared[[i, j]], s);
                prop_assert_eq!(ov.jaccard[[i, j]], if u == 0 { 0.0 } else { s as f64 / u as f64 });
                let c = if sets[i].is_empty() { 0.0 } else { s as f64 / sets[i].len() as f64 };
                prop_assert_eq!(ov.containment[[i, j]], c);
            }
        }
        let og = overlap_graph(&g, &ov, 0.25).unwrap();
        let want = (0..acc.len())
            .flat_map(|i| (i + 1..acc.len()).map(move |j| (i, j)))
            .filter(|&(i, j)| ov.jaccard[[i, j]] >= 0.25)
            .count();
        prop_assert_eq!(og.edge_count(), want);
        prop_assert_eq!(og.node_count(), acc.len());
    }

    #[test]
    fn ladder_is_greedy_and_near_optimal(
        s in spec(8, 24),
        k in 1usize..=3,
        o in options(),
    ) {
        let g = build(&s);
        let k = k.min(s.n as usize);
        let l = reach_ladder(&g, None, k, &o).unwrap();
        prop_assert_eq!(l.steps.len(), k);
        let value = |st: &reachgraph_core::LadderStep| {
            if o.target_only { st.marginal_weight } else { st.marginal_people as f64 }
        };
        for w in l.steps.windows(2) {
            prop_assert!(value(&w[0]) >= value(&w[1]));
        }
        // Plain (non-lazy) greedy with lower-id ties picks the same accounts.
        let mut chosen: Vec<u32> = Vec::new();
        for _ in 0..k {
            let mut best: Option<(f64, u32)> = None;
            for a in 0..s.n {
                if chosen.contains(&a) {
                    continue;
                }
                let st = incremental_reach(&g, &chosen, a, &o).unwrap();
                let v = value(&st);
                if best.is_none_or(|(bv, _)| v > bv) {
                    best = Some((v, a));
                }
            }
            chosen.push(best.unwrap().1);
        }
        let ladder_accounts: Vec<u32> = l.steps.iter().map(|s| s.account).collect();
        prop_assert_eq!(&ladder_accounts, &chosen);
        // Cumulative numbers are the reach of the prefix.
        let last = l.steps.last().unwrap();
        let cumulative =
            if o.target_only { last.cumulative_weight } else { last.cumulative_people as f64 };
        let brute = reach_value(&g, &ladder_accounts, &o);
        prop_assert!((brute - cumulative).abs() < 1e-9);
        // Within 1 − 1/e of the best k accounts.
        let opt = subsets(s.n)
            .filter(|set| set.len() == k)
            .map(|set| reach_value(&g, &set, &o))
            .fold(0.0, f64::max);
        let got = reach_value(&g, &ladder_accounts, &o);
        prop_assert!(got >= (1.0 - (-1f64).exp()) * opt - 1e-9, "{} vs opt {}", got, opt);
    }

    #[test]
    fn budget_pick_is_affordable_and_near_optimal(
        s in spec(8, 24),
        budget in 1u8..12,
        o in options(),
    ) {
        let g = build(&s);
        let budget = budget as f64;
        let costs = &g.attributes().cost;
        let priced: Vec<u32> = (0..s.n).filter(|&a| !costs[a as usize].is_nan()).collect();
        let r = budget_pick(&g, None, budget, &o);
        if priced.is_empty() {
            let is_missing = matches!(r, Err(Error::MissingAttribute { .. }));
            prop_assert!(is_missing);
            return Ok(());
        }
        let min_cost = priced.iter().map(|&a| costs[a as usize]).fold(f64::INFINITY, f64::min);
        if min_cost > budget {
            let is_budget_too_small = matches!(r, Err(Error::BudgetTooSmall { .. }));
            prop_assert!(is_budget_too_small);
            return Ok(());
        }
        let p = r.unwrap();
        prop_assert!(p.total_cost <= budget);
        let spent: f64 = p.accounts.iter().map(|&a| costs[a as usize]).sum();
        prop_assert!((spent - p.total_cost).abs() < 1e-9);
        let got = reach_value(&g, &p.accounts, &o);
        let want = if o.target_only { p.target_weight } else { p.people as f64 };
        prop_assert!((got - want).abs() < 1e-9);
        prop_assert_eq!(p.steps.len(), p.accounts.len());
        let opt = subsets(s.n)
            .filter(|set| set.iter().all(|&a| !costs[a as usize].is_nan()))
            .filter(|set| set.iter().map(|&a| costs[a as usize]).sum::<f64>() <= budget)
            .map(|set| reach_value(&g, &set, &o))
            .fold(0.0, f64::max);
        prop_assert!(got >= BUDGET_GUARANTEE * opt - 1e-9, "{} vs opt {}", got, opt);
    }
}

/// A medium random graph with probabilities, for Monte Carlo and determinism checks.
fn medium(n: u32, m: usize, seed: u64) -> Graph {
    let mut r = rng::stream(seed, 0);
    let mut src = Vec::with_capacity(m);
    let mut dst = Vec::with_capacity(m);
    let mut probs = Vec::with_capacity(m);
    for _ in 0..m {
        // Skewed sources make a few large accounts, as in follower graphs.
        let u = (n as f64 * rng::unit_f64(&mut r).powi(3)) as u32;
        src.push(u.min(n - 1));
        dst.push(rng::below(&mut r, n as u64) as u32);
        probs.push([0.05f32, 0.1, 0.3, 0.6][rng::below(&mut r, 4) as usize]);
    }
    let (mut g, _) = Graph::from_edges(
        n,
        &src,
        &dst,
        Some(&probs),
        NodeIds::identity(n),
        GraphOptions::default(),
    )
    .unwrap();
    let mut a = Attributes::new(n as usize);
    let names: Vec<String> = (0..n).map(|i| format!("p{}", i / 3)).collect();
    a.person = Categorical::from_labels(names.iter().map(|s| Some(s.as_str())));
    a.platform =
        Categorical::from_labels((0..n).map(|i| Some(["x", "tiktok", "ig"][i as usize % 3])));
    let jur: Vec<String> = (0..7).map(|j| format!("J{j}")).collect();
    a.jurisdiction =
        Categorical::from_labels((0..n).map(|i| Some(jur[(i as usize / 3) % 7].as_str())));
    a.target_weight = (0..n)
        .map(|i| (i % 4) as f32 * 0.5)
        .collect::<Vec<_>>()
        .into();
    a.cost = (0..n)
        .map(|i| {
            if i % 5 == 0 {
                1.0 + (i % 7) as f64
            } else {
                f64::NAN
            }
        })
        .collect();
    g.set_attributes(a).unwrap();
    g
}

#[test]
fn expected_reach_matches_monte_carlo() {
    let g = medium(400, 4_000, 11);
    let seeds: Vec<u32> = (0..25).map(|i| i * 3).collect();
    let posts = 2u32;
    let o = ReachOptions {
        include_seeds: false,
        target_only: true,
    };
    let e = expected_reach(&g, &seeds, posts, &o).unwrap();
    let people = g.people();
    let trials = 4_000u64;
    let mut r = rng::stream(2024, 0);
    let (mut sum, mut sum_sq) = (0f64, 0f64);
    let mut seen = vec![u64::MAX; people.count];
    for t in 0..trials {
        let mut reached = 0f64;
        for &u in &seeds {
            let out = g.out_csr();
            for (&v, &p) in out.neighbors(u).iter().zip(out.probs(u)) {
                let person = people.of_account[v as usize] as usize;
                if people.weight[person] <= 0.0 {
                    continue;
                }
                for _ in 0..posts {
                    if rng::unit_f64(&mut r) < p as f64 && seen[person] != t {
                        seen[person] = t;
                        reached += 1.0;
                    }
                }
            }
        }
        sum += reached;
        sum_sq += reached * reached;
    }
    let mean = sum / trials as f64;
    let var = sum_sq / trials as f64 - mean * mean;
    let stderr = (var / trials as f64).sqrt();
    assert!(
        (mean - e.expected_people).abs() < 4.0 * stderr,
        "Monte Carlo {mean} ± {stderr} vs closed form {}",
        e.expected_people
    );
    // The sample variance agrees with Σ q(1 − q) to within a loose relative margin.
    assert!(
        (var / e.variance_people - 1.0).abs() < 0.2,
        "{var} vs {}",
        e.variance_people
    );
    let total: f64 = e.frequency.iter().sum();
    assert!((total - e.people_counted as f64).abs() < 1e-6);
}

#[test]
fn results_do_not_depend_on_thread_count() {
    // Large enough to take the parallel paths (over 2^17 seed edges).
    let g = medium(60_000, 600_000, 5);
    let mut by_deg: Vec<u32> = (0..60_000).collect();
    by_deg.sort_by_key(|&u| std::cmp::Reverse(g.out_degree(u)));
    let seeds = &by_deg[..1000];
    let o = ReachOptions {
        include_seeds: true,
        target_only: false,
    };
    let run = |threads: usize| {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap();
        pool.install(|| {
            let r = unique_reach(&g, seeds, &o).unwrap();
            let e = expected_reach(&g, seeds, 3, &o).unwrap();
            let ov = overlap(&g, &by_deg[..120], &NoProgress).unwrap();
            let l = reach_ladder(&g, None, 20, &o).unwrap();
            let b = budget_pick(&g, None, 40.0, &o).unwrap();
            (r, e, ov, l, b)
        })
    };
    let one = run(1);
    let three = run(3);
    assert!(one.0.summed_followers >= 1 << 17);
    assert_eq!(one.0, three.0);
    assert_eq!(one.1, three.1);
    assert_eq!(one.2, three.2);
    assert_eq!(one.3, three.3);
    assert_eq!(one.4, three.4);
}

#[test]
fn hand_worked_multi_platform_campaign() {
    // Creators c1 and c2; ann follows c1 on X and c2 on TikTok; bob follows both on X;
    // cy follows c2 on TikTok. ann and bob are in PA, cy in MI.
    let mut b = GraphBuilder::new(GraphOptions::default());
    for (u, v) in [
        ("c1", "ann_x"),
        ("c2", "ann_tt"),
        ("c1", "bob_x"),
        ("c2", "bob_x"),
        ("c2", "cy_tt"),
    ] {
        b.add_edge(u, v, None).unwrap();
    }
    let (mut g, _) = b.build().unwrap();
    let n = g.node_count();
    let mut a = Attributes::new(n);
    let label = |i: usize| g.label(i as u32);
    let person: Vec<Option<String>> = (0..n)
        .map(|i| label(i).split_once('_').map(|(p, _)| p.to_string()))
        .collect();
    a.person = Categorical::from_labels(person.iter().map(|p| p.as_deref()));
    let platform: Vec<Option<&str>> = (0..n)
        .map(|i| match label(i).rsplit('_').next() {
            Some("x") => Some("x"),
            Some("tt") => Some("tiktok"),
            _ => None,
        })
        .collect();
    a.platform = Categorical::from_labels(platform);
    let juris: Vec<Option<&str>> = (0..n)
        .map(|i| match label(i).split('_').next() {
            Some("ann") | Some("bob") => Some("PA"),
            Some("cy") => Some("MI"),
            _ => None,
        })
        .collect();
    a.jurisdiction = Categorical::from_labels(juris);
    a.target_weight = (0..n)
        .map(|i| {
            if label(i).starts_with("bob") {
                0.0
            } else {
                1.0
            }
        })
        .collect::<Vec<_>>()
        .into();
    g.set_attributes(a).unwrap();
    let seeds = g.resolve(&["c1", "c2"], "seed set").unwrap();

    let r = unique_reach(&g, &seeds, &ReachOptions::default()).unwrap();
    assert_eq!(r.summed_followers, 5);
    assert_eq!(r.unique_accounts, 4);
    assert_eq!(r.unique_people, 3);
    assert_eq!(r.target_weight, 2.0);
    let rows = |v: &[reachgraph_core::ReachBreakdown]| -> Vec<(String, u64)> {
        v.iter().map(|r| (r.name.clone(), r.people)).collect()
    };
    assert_eq!(
        rows(&r.by_jurisdiction),
        vec![("PA".into(), 2), ("MI".into(), 1)]
    );
    assert_eq!(
        rows(&r.by_platform),
        vec![("tiktok".into(), 2), ("x".into(), 2)]
    );

    let t = unique_reach(
        &g,
        &seeds,
        &ReachOptions {
            include_seeds: true,
            target_only: true,
        },
    )
    .unwrap();
    // bob weighs 0; c1 and c2 count themselves.
    assert_eq!(t.unique_people, 4);
    assert_eq!(
        rows(&t.by_jurisdiction),
        vec![("(none)".into(), 2), ("MI".into(), 1), ("PA".into(), 1)]
    );
    assert_eq!(
        rows(&t.by_platform),
        vec![("(none)".into(), 2), ("tiktok".into(), 2), ("x".into(), 1)]
    );

    let ov = overlap(&g, &seeds, &NoProgress).unwrap();
    assert_eq!(ov.audience.to_vec(), vec![2, 3]);
    assert_eq!(ov.shared[[0, 1]], 2);
    assert_eq!(ov.containment[[0, 1]], 1.0);
    assert!((ov.containment[[1, 0]] - 2.0 / 3.0).abs() < 1e-15);
    assert!((ov.jaccard[[0, 1]] - 2.0 / 3.0).abs() < 1e-15);
}

#[test]
fn every_bad_input_has_its_typed_error() {
    let mut g = medium(50, 300, 3);
    let o = ReachOptions::default();
    let kind = |e: Error| e.kind();
    // Seed sets.
    assert_eq!(kind(unique_reach(&g, &[], &o).unwrap_err()), "empty");
    assert_eq!(
        kind(unique_reach(&g, &[50], &o).unwrap_err()),
        "unknown_node"
    );
    assert_eq!(
        kind(unique_reach(&g, &[3, 4, 3], &o).unwrap_err()),
        "duplicate_node"
    );
    assert_eq!(kind(expected_reach(&g, &[], 1, &o).unwrap_err()), "empty");
    assert_eq!(
        kind(expected_reach(&g, &[99], 1, &o).unwrap_err()),
        "unknown_node"
    );
    assert_eq!(
        kind(expected_reach(&g, &[1, 1], 1, &o).unwrap_err()),
        "duplicate_node"
    );
    assert_eq!(
        kind(expected_reach(&g, &[1], 0, &o).unwrap_err()),
        "invalid_parameter"
    );
    assert_eq!(
        kind(expected_reach(&g, &[0, 1, 2], u32::MAX, &o).unwrap_err()),
        "invalid_parameter"
    );
    // Overlap.
    assert_eq!(kind(overlap(&g, &[], &NoProgress).unwrap_err()), "empty");
    assert_eq!(
        kind(overlap(&g, &[0, 77], &NoProgress).unwrap_err()),
        "unknown_node"
    );
    assert_eq!(
        kind(overlap(&g, &[2, 2], &NoProgress).unwrap_err()),
        "duplicate_node"
    );
    let stop = |_: &str, _: u64, _: u64| false;
    assert_eq!(kind(overlap(&g, &[0, 1], &stop).unwrap_err()), "cancelled");
    let ov = overlap(&g, &[0, 1], &NoProgress).unwrap();
    for bad in [-0.5, 1.01, f64::NAN, f64::INFINITY] {
        assert_eq!(
            kind(overlap_graph(&g, &ov, bad).unwrap_err()),
            "invalid_parameter"
        );
    }
    // Incremental reach.
    assert_eq!(
        kind(incremental_reach(&g, &[0], 50, &o).unwrap_err()),
        "unknown_node"
    );
    assert_eq!(
        kind(incremental_reach(&g, &[51], 0, &o).unwrap_err()),
        "unknown_node"
    );
    assert_eq!(
        kind(incremental_reach(&g, &[1, 1], 0, &o).unwrap_err()),
        "duplicate_node"
    );
    // Ladder.
    assert_eq!(
        kind(reach_ladder(&g, None, 0, &o).unwrap_err()),
        "invalid_parameter"
    );
    assert_eq!(
        kind(reach_ladder(&g, None, 51, &o).unwrap_err()),
        "k_too_large"
    );
    assert_eq!(
        kind(reach_ladder(&g, Some(&[1, 2]), 3, &o).unwrap_err()),
        "k_too_large"
    );
    assert_eq!(
        kind(reach_ladder(&g, Some(&[]), 1, &o).unwrap_err()),
        "empty"
    );
    assert_eq!(
        kind(reach_ladder(&g, Some(&[1, 90]), 1, &o).unwrap_err()),
        "unknown_node"
    );
    assert_eq!(
        kind(reach_ladder(&g, Some(&[1, 1]), 1, &o).unwrap_err()),
        "duplicate_node"
    );
    // Budget.
    for bad in [0.0, -3.0, f64::NAN, f64::INFINITY] {
        assert_eq!(
            kind(budget_pick(&g, None, bad, &o).unwrap_err()),
            "invalid_parameter"
        );
    }
    assert_eq!(
        kind(budget_pick(&g, None, 0.5, &o).unwrap_err()),
        "budget_too_small"
    );
    assert_eq!(
        kind(budget_pick(&g, Some(&[]), 5.0, &o).unwrap_err()),
        "empty"
    );
    assert_eq!(
        kind(budget_pick(&g, Some(&[1, 2]), 5.0, &o).unwrap_err()),
        "missing_attribute"
    );
    let mut a = g.attributes().clone();
    a.cost = vec![f64::NAN; 50].into();
    g.set_attributes(a).unwrap();
    assert_eq!(
        kind(budget_pick(&g, None, 5.0, &o).unwrap_err()),
        "missing_attribute"
    );
}

/// Exact reach, coverage and the budgeted pick read who follows whom only: under a computed
/// scheme (weighted cascade) they leave the graph without its out-order probability array
/// (4 bytes per edge), while expected reach, which reads the probabilities, builds it.
#[test]
fn exact_reach_and_coverage_do_not_build_the_probability_array() {
    let mut b = GraphBuilder::new(GraphOptions::default());
    for (u, v) in [("a", "x"), ("a", "y"), ("b", "y"), ("b", "z"), ("c", "a")] {
        b.add_edge(u, v, None).unwrap();
    }
    let (mut g, _) = b.build().unwrap();
    g.set_weights(&reachgraph_core::WeightScheme::WeightedCascade)
        .unwrap();
    let seeds = g.resolve(&["a", "b"], "seed set").unwrap();
    let o = ReachOptions::default();
    let r = unique_reach(&g, &seeds, &o).unwrap();
    assert_eq!((r.summed_followers, r.unique_people), (4, 3));
    let ladder = reach_ladder(&g, Some(&seeds), 2, &o).unwrap();
    assert_eq!(ladder.steps.len(), 2);
    assert_eq!(ladder.steps[1].cumulative_people, 3);
    assert_eq!(g.probabilities_held(), (false, false));
    expected_reach(&g, &seeds, 1, &o).unwrap();
    assert!(g.probabilities_held().0);
}
