//! Paired comparison of seed sets on common RR sets (`select::compare`) and the multi-seed
//! stability summary: exact expected spreads by enumerating live-edge worlds, identical sets,
//! paired against unpaired errors, thread-count determinism, the adaptive rule, bad input.

use crate::cascade_core::{exact, graph};
use reachgraph_core::cascade::Model;
use reachgraph_core::select::{compare, CompareConfig, Comparison, SetsRule};
use reachgraph_core::{Error, Graph, NoProgress};

/// Seven accounts, eleven uncertain edges (2¹¹ worlds): two hubs with shared followers. In-weights
/// sum to at most 0.9 per account, so the same graph serves LT.
fn small() -> Graph {
    graph(
        7,
        &[
            (0, 1, 0.6),
            (0, 2, 0.4),
            (0, 3, 0.4),
            (4, 2, 0.5),
            (4, 3, 0.3),
            (4, 5, 0.5),
            (1, 6, 0.3),
            (2, 6, 0.3),
            (3, 5, 0.2),
            (5, 6, 0.3),
            (6, 0, 0.1),
        ],
    )
}

fn run(g: &Graph, model: Model, sets: &[Vec<u32>], config: &CompareConfig) -> Comparison {
    compare(g, model, sets, config, &NoProgress).unwrap()
}

fn fixed(n: u64, seed: u64) -> CompareConfig {
    CompareConfig::builder()
        .rr_sets(n)
        .seed(seed)
        .build()
        .unwrap()
}

#[test]
fn estimates_and_paired_differences_agree_with_enumerated_worlds() {
    let g = small();
    let sets = vec![vec![0], vec![4], vec![0, 4], vec![1, 5]];
    for model in [Model::IndependentCascade, Model::LinearThreshold] {
        let c = run(&g, model, &sets, &fixed(200_000, 7));
        let truth: Vec<f64> = sets
            .iter()
            .map(|s| exact(&g, s, model, None).people)
            .collect();
        for (s, t) in c.sets.iter().zip(&truth) {
            let e = &s.estimate;
            assert!(
                (e.mean - t).abs() < 4.0 * e.stderr,
                "{model:?} {:?}: {} ± {} vs exact {t}",
                s.seeds,
                e.mean,
                e.stderr
            );
        }
        assert_eq!(c.differences.len(), 3);
        for d in &c.differences {
            let want = truth[d.second] - truth[0];
            assert_eq!(d.first, 0);
            assert!(
                (d.mean - want).abs() < 4.0 * d.stderr,
                "{model:?} set {} minus set 0: {} ± {} vs exact {want}",
                d.second,
                d.mean,
                d.stderr
            );
            // The difference is the difference of the two estimates, to rounding.
            let direct = c.sets[d.second].estimate.mean - c.sets[0].estimate.mean;
            assert!((d.mean - direct).abs() < 1e-9);
        }
    }
}

#[test]
fn identical_sets_differ_by_exactly_zero_with_zero_error() {
    let g = small();
    let c = run(
        &g,
        Model::IndependentCascade,
        &[vec![0, 4], vec![4, 0]],
        &fixed(20_000, 1),
    );
    let d = &c.differences[0];
    assert_eq!(d.mean, 0.0);
    assert_eq!(d.stderr, 0.0);
    assert_eq!((d.only_first, d.only_second), (0, 0));
    assert!(d.unpaired_stderr > 0.0);
    assert_eq!(c.sets[0].estimate, c.sets[1].estimate);
}

#[test]
fn paired_stderr_is_below_unpaired_for_overlapping_sets() {
    let g = small();
    let c = run(
        &g,
        Model::IndependentCascade,
        &[vec![0, 4], vec![0, 5], vec![4, 1]],
        &fixed(50_000, 2),
    );
    for d in &c.differences {
        assert!(
            d.stderr < 0.9 * d.unpaired_stderr,
            "set {}: paired {} unpaired {}",
            d.second,
            d.stderr,
            d.unpaired_stderr
        );
    }
}

#[test]
fn same_seed_same_numbers_on_one_and_three_threads() {
    let g = crate::cascade_core::random_graph(400, 2400, 5);
    let sets = vec![vec![1, 2, 3], vec![1, 2, 40], vec![7, 8]];
    for config in [
        CompareConfig::builder().rr_sets(70_001).seed(4),
        CompareConfig::builder().relative_stderr(0.02).seed(4),
    ] {
        let one = run(
            &g,
            Model::IndependentCascade,
            &sets,
            &config.clone().threads(1).build().unwrap(),
        );
        let three = run(
            &g,
            Model::IndependentCascade,
            &sets,
            &config.threads(3).build().unwrap(),
        );
        assert_eq!(one.sets, three.sets);
        assert_eq!(one.differences, three.differences);
        assert_eq!(one.rr_sets, three.rr_sets);
    }
}

#[test]
fn adaptive_rule_meets_its_target_or_says_it_stopped_at_the_cap() {
    let g = small();
    let sets = vec![vec![0], vec![4]];
    let c = run(
        &g,
        Model::IndependentCascade,
        &sets,
        &CompareConfig::builder()
            .relative_stderr(0.01)
            .seed(3)
            .build()
            .unwrap(),
    );
    assert_eq!(c.rule, SetsRule::AdaptiveTarget);
    assert_eq!(c.target_relative_stderr, Some(0.01));
    let d = &c.differences[0];
    let size = c.sets[0].estimate.mean.max(c.sets[1].estimate.mean);
    assert!(d.stderr <= 0.01 * size, "{} vs {size}", d.stderr);
    // Doubling from 2^17: the number of sets is 2^17 times a power of two.
    assert!(c.rr_sets >= 1 << 17 && (c.rr_sets / (1 << 17)).is_power_of_two());
    // A cap below what the target needs stops there and says so.
    let c = run(
        &g,
        Model::IndependentCascade,
        &sets,
        &CompareConfig::builder()
            .relative_stderr(0.0001)
            .max_rr_sets(300_000)
            .seed(3)
            .build()
            .unwrap(),
    );
    assert_eq!(c.rule, SetsRule::AdaptiveCap);
    assert_eq!(c.rr_sets, 300_000);
}

#[test]
fn bad_seed_sets_are_typed_errors() {
    let g = small();
    let c = fixed(1000, 1);
    let one = compare(&g, Model::IndependentCascade, &[vec![0]], &c, &NoProgress);
    assert!(
        matches!(one, Err(Error::InvalidParameter { .. })),
        "{one:?}"
    );
    let unknown = compare(
        &g,
        Model::IndependentCascade,
        &[vec![0], vec![99]],
        &c,
        &NoProgress,
    );
    assert!(
        matches!(unknown, Err(Error::UnknownNode { .. })),
        "{unknown:?}"
    );
    let twice = compare(
        &g,
        Model::IndependentCascade,
        &[vec![0], vec![1, 1]],
        &c,
        &NoProgress,
    );
    assert!(
        matches!(twice, Err(Error::DuplicateNode { .. })),
        "{twice:?}"
    );
    let too_many: Vec<Vec<u32>> = (0..65).map(|i| vec![i % 7]).collect();
    let e = compare(&g, Model::IndependentCascade, &too_many, &c, &NoProgress);
    assert!(matches!(e, Err(Error::InvalidParameter { .. })), "{e:?}");
}
