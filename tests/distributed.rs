//! Distributed runs on thread ranks ([`Threads`]) equal the single-process runs bit for bit:
//! Monte Carlo spread, margin simulation (exposures, draws, budget sweep) and seed selection on
//! soc-Epinions1. The MPI runs under `mpirun` are in `crates/reachgraph-api/tests/mpi.rs`.

use crate::common::shared_data;
use reachgraph_core::cascade::{simulate, simulate_distributed, Model, SpreadConfig};
use reachgraph_core::comm::{Local, Threads, DEFAULT_TIMEOUT};
use reachgraph_core::election::Side;
use reachgraph_core::io::{read_graph, EdgeFormat};
use reachgraph_core::margin::{
    Campaign, CoverageSelector, EffectModel, Electorate, Exposure, MarginConfig, Prior, Simulation,
    VoterScale,
};
use reachgraph_core::scenario::{generate, ScenarioConfig};
use reachgraph_core::select::{select, select_distributed, SelectConfig, Selection};
use reachgraph_core::{Graph, GraphOptions, NoProgress, WeightScheme};

/// JSON of `x`: equal strings mean equal values bit for bit (floats round-trip).
fn json<T: serde::Serialize>(x: &T) -> String {
    serde_json::to_string(x).unwrap()
}

/// `f` on 2, 3 and 4 thread ranks: every rank's JSON.
fn on_ranks<T: serde::Serialize + Send>(
    f: impl Fn(&Threads) -> reachgraph_core::Result<T> + Sync,
) -> Vec<(usize, String)> {
    let mut out = Vec::new();
    for ranks in 2..=4 {
        for r in Threads::run(ranks, DEFAULT_TIMEOUT, &f).unwrap() {
            out.push((ranks, json(&r.unwrap().unwrap())));
        }
    }
    out
}

fn scenario() -> (Graph, Vec<u32>) {
    let sc = generate(&ScenarioConfig::with_edges(40_000, 8), &NoProgress).unwrap();
    let seeds = sc.creators.iter().copied().take(12).collect();
    let mut g = sc.graph;
    g.set_weights(&WeightScheme::WeightedCascade).unwrap();
    (g, seeds)
}

#[test]
fn spread_on_ranks_equals_one_process() {
    let (g, seeds) = scenario();
    for (model, config) in [
        (
            Model::IndependentCascade,
            SpreadConfig::builder()
                .trials(3_000)
                .seed(5)
                .histogram(true)
                .node_probabilities(true),
        ),
        // The stopping rule sees the same merged statistics on every rank.
        (
            Model::LinearThreshold,
            SpreadConfig::builder()
                .trials(50_000)
                .seed(6)
                .hops(3)
                .target_rse(0.02),
        ),
    ] {
        let config = config.build().unwrap();
        let one = simulate(&g, &seeds, model, &config, &NoProgress).unwrap();
        assert!(!one.by_jurisdiction.is_empty());
        let want = json(&one);
        assert_eq!(
            json(&simulate_distributed(&g, &seeds, model, &config, &NoProgress, &Local).unwrap()),
            want
        );
        for (ranks, got) in
            on_ranks(|c| simulate_distributed(&g, &seeds, model, &config, &NoProgress, c))
        {
            assert_eq!(got, want, "{ranks} ranks, {model:?}");
        }
    }
}

#[test]
fn margin_on_ranks_equals_one_process() {
    let (g, seeds) = scenario();
    let e = Electorate::us_president(2024, Side::Dem).unwrap();
    let cfg = MarginConfig::builder()
        .draws(700)
        .exposure_trials(90)
        .seed(3)
        .effects(EffectModel {
            persuasion: Prior {
                mean: 0.01,
                sd: 0.01,
            },
            ..Default::default()
        })
        .scale(VoterScale::Population)
        .build()
        .unwrap();
    let campaign = Campaign {
        seeds: seeds.clone(),
        exposure: Exposure::Cascade {
            model: Model::IndependentCascade,
            hops: Some(3),
        },
        posts_per_creator: 2,
        cost: Some(50_000.0),
    };
    let sim = Simulation::new(&g, &e, &cfg).unwrap();
    let one = sim.run(Some(&campaign), &[0.0, 0.01], &NoProgress).unwrap();
    assert!(
        one.national.net_votes.mean != 0.0,
        "the campaign moves votes"
    );
    let want = json(&one);
    for (ranks, got) in
        on_ranks(|c| sim.run_distributed(Some(&campaign), &[0.0, 0.01], &NoProgress, c))
    {
        assert_eq!(got, want, "{ranks} ranks");
    }
    // A budget sweep: every budget's run is split the same way.
    let budgets = [20_000.0, 60_000.0];
    let sweep = |c: &dyn reachgraph_core::comm::Comm| {
        let mut sel = CoverageSelector::new(&sim, None)?;
        sim.budget_sweep_distributed(&campaign, &budgets, &mut sel, &NoProgress, c)
    };
    let want = json(&sweep(&Local).unwrap());
    for (ranks, got) in on_ranks(|c| sweep(c)) {
        assert_eq!(got, want, "budget sweep, {ranks} ranks");
    }
}

/// A selection without its time figures (its memory figures are the store's raw size, the
/// same on any number of ranks).
fn answer(s: &Selection) -> String {
    let mut s = s.clone();
    s.summary.timings = Default::default();
    json(&s)
}

#[test]
fn selection_on_soc_epinions1_equals_one_process() {
    let Some(dir) = shared_data() else { return };
    let path = dir.join("soc-Epinions1.txt");
    let f = std::fs::File::open(&path).unwrap();
    let (mut g, _) = read_graph(
        f,
        "soc-Epinions1",
        EdgeFormat::EdgeList,
        GraphOptions::default(),
    )
    .unwrap();
    g.set_weights(&WeightScheme::WeightedCascade).unwrap();
    let config = SelectConfig::builder().k(50).seed(7).build().unwrap();
    let one = select(&g, Model::IndependentCascade, &config, &NoProgress).unwrap();
    assert_eq!(one.seeds.len(), 50);
    let want = answer(&one);
    for ranks in [2, 3] {
        let out = Threads::run(ranks, DEFAULT_TIMEOUT, |c| {
            select_distributed(&g, Model::IndependentCascade, &config, &NoProgress, c)
        })
        .unwrap();
        for (r, s) in out.into_iter().enumerate() {
            assert_eq!(answer(&s.unwrap().unwrap()), want, "rank {r} of {ranks}");
        }
    }
}

#[test]
fn a_range_of_rr_sets_is_that_range_of_the_whole_collection() {
    use reachgraph_core::rrset::{RrConfig, RrSampler, RR_CHUNK_SETS};
    let (g, _) = scenario();
    for model in [Model::IndependentCascade, Model::LinearThreshold] {
        let sampler =
            RrSampler::new(&g, model, &RrConfig::builder().seed(4).build().unwrap()).unwrap();
        let all = sampler.sample_with_seed(77, 1_500, &NoProgress).unwrap();
        // Chunk-aligned, mid-chunk, one set, to the end.
        for (start, count) in [
            (RR_CHUNK_SETS as usize, 300),
            (300, 555),
            (1_000, 1),
            (1_100, 400),
        ] {
            let part = sampler
                .sample_range(77, start as u64, count, &NoProgress)
                .unwrap();
            assert_eq!(part.len(), count);
            for i in 0..count {
                assert_eq!(
                    part.set(i),
                    all.set(start + i),
                    "{model:?} set {}",
                    start + i
                );
                assert_eq!(part.roots()[i], all.roots()[start + i]);
            }
            // A range is not a prefix: extending it would misplace the sets.
            let mut p = part.clone();
            assert!(sampler.extend(&mut p, 10, &NoProgress).is_err());
        }
    }
}
