//! Truthfulness of the creator-table audience model on real graphs (the affordable part of
//! `benches/plan_truth.rs`, built by the same `reachgraph_core::plan::truth`): wiki-Vote's and
//! nethept's own follower counts as one-platform tables over their users (people who follow
//! an account; the planning default's analogue) and over every node, the exact overlaps of 20 (and 3, and
//! 0) pairs among each set's 200 largest accounts, and modelled against exact distinct reach of the
//! top and random sets of 50 and 500 accounts. Skips with a message when ../shared/data is
//! absent.

use crate::common::shared_data;
use reachgraph_core::io::{read_graph, EdgeFormat};
use reachgraph_core::plan::truth::{
    GraphTruth, TruthOptions, TruthPopulation, TruthRow, TruthSummary,
};
use reachgraph_core::{Graph, GraphOptions};

fn load(file: &str) -> Option<Graph> {
    let Some(dir) = shared_data() else {
        eprintln!("plan_truth: ../shared/data is absent; skipped");
        return None;
    };
    let f = std::fs::File::open(dir.join(file)).expect("shared graph readable");
    Some(
        read_graph(f, file, EdgeFormat::EdgeList, GraphOptions::default())
            .unwrap()
            .0,
    )
}

/// Rows of the top and random sets of 50 and 500 accounts with `pairs` measured overlaps, the
/// population being `who` (and the model told what it counts).
fn rows_of(pairs: usize, who: TruthPopulation) -> Option<Vec<TruthRow>> {
    let options = TruthOptions {
        population: who,
        ..TruthOptions::default()
    };
    let mut out = Vec::new();
    for file in ["wiki-Vote.txt", "nethept.txt"] {
        let g = load(file)?;
        let t = GraphTruth::new(&g, file);
        for set in t.sets(&[50, 500], 7) {
            let measured = t.measured_pairs(&t.largest_of(&set.accounts, 200), 20, 2026);
            let row = t.compare(&set, &measured[..pairs], &options).unwrap();
            eprintln!(
                "{file} {} {} ({} pairs): exact {} modelled {:.0} [{:.0}, {:.0}] ({:+.1}%), independence {:+.1}%",
                row.kind.label(),
                row.accounts,
                pairs,
                row.exact,
                row.modelled.mean,
                row.modelled.low,
                row.modelled.high,
                100.0 * row.error(),
                100.0 * row.independence_error()
            );
            out.push(row);
        }
    }
    Some(out)
}

/// Rows over the default population: the graph's users (people who follow an account).
fn rows(pairs: usize) -> Option<Vec<TruthRow>> {
    rows_of(pairs, TruthPopulation::Followers)
}

/// Issue 15's targets with 20 measured overlaps, on the population the planning default is the
/// analogue of (the graph's users; docs/BENCHMARKS.md): the median absolute error is within
/// the 10% target on these 8 cases (measured 5.7%; 7.2% over the benchmark's 24, where the
/// target is met too) and below independence's (measured 11.4%). The mean is over the draws
/// without the misspecification allowance (`plan::centred_people`). Coverage: the 90% target is
/// met over the benchmark's 24 (22 inside); on these 8 a 90% interval is expected to miss 0.8,
/// and the tolerance is one miss (at least 7 of 8; measured 7: nethept's random 500 is 7% above,
/// its pairs of small accounts leaving the interval narrow). A second miss fails.
#[test]
fn with_20_overlaps_the_model_is_near_the_exact_reach_of_the_users() {
    let Some(rows) = rows(20) else {
        return;
    };
    let s = TruthSummary::of(&rows);
    assert_eq!(s.cases, 8);
    assert!(s.inside >= 7, "{} of {} inside", s.inside, s.cases);
    assert!(
        s.median_abs_error <= 0.10,
        "median |error| {:.3}",
        s.median_abs_error
    );
    assert!(
        s.median_abs_error < s.independence_median_abs_error,
        "model {:.3} vs independence {:.3}",
        s.median_abs_error,
        s.independence_median_abs_error
    );
    // Every interval lies below independence (the misspecification term's upper bound), up to
    // rounding; and the fit is not carried by a handful of prior draws (measured: 298 to 1,983
    // effective draws of 2,048 on these 8), so its means are not draw noise.
    for r in &rows {
        // (The ends are whole people rounded outward: up to the next whole number.)
        assert!(
            r.modelled.high <= (r.independence * (1.0 + 1e-9)).ceil(),
            "{r:?}"
        );
        assert!(r.effective_draws >= 50.0, "{r:?}");
    }
}

/// The same sets over every node of the graph (followers or not), the model told so (the wide
/// zero-share prior): the 10% target is **not** met there (measured 27.7% on these 8, 21.0%
/// over the benchmark's 24), so the test holds the measured level (≤ 30%), coverage
/// (measured 8 of 8) and that the model's median error is less than half of independence's
/// (measured about 100%: independence over every node ignores that most of wiki-Vote follows
/// nobody).
#[test]
fn with_20_overlaps_over_every_node_the_model_beats_independence() {
    let Some(rows) = rows_of(20, TruthPopulation::Everyone) else {
        return;
    };
    let s = TruthSummary::of(&rows);
    assert_eq!(s.cases, 8);
    assert!(s.coverage() >= 0.9, "{} of {} inside", s.inside, s.cases);
    assert!(
        s.median_abs_error <= 0.30,
        "median |error| {:.3}",
        s.median_abs_error
    );
    assert!(
        s.median_abs_error < 0.5 * s.independence_median_abs_error,
        "model {:.3} vs independence {:.3}",
        s.median_abs_error,
        s.independence_median_abs_error
    );
}

/// With no measured overlap the interval is at least as wide as with 20, set by set (the prior
/// is the widest; 3 pairs can be wider than 20 when the 20 reveal a better fit, so they are
/// not ordered here).
#[test]
fn no_measured_overlaps_give_the_widest_intervals_on_real_graphs() {
    let (Some(r0), Some(r20)) = (rows(0), rows(20)) else {
        return;
    };
    for (a, c) in r0.iter().zip(&r20) {
        let w = |r: &TruthRow| r.modelled.high - r.modelled.low;
        assert!(
            w(a) >= w(c),
            "{} {} {}: widths {} (0 pairs) {} (20 pairs)",
            a.graph,
            a.kind.label(),
            a.accounts,
            w(a),
            w(c)
        );
    }
}

/// The boundary case: ego-Facebook's whole graph (all 4,039 accounts, 20 pairs) reaches every
/// one of its 4,039 people. The interval is in whole people rounded outward, so it holds the
/// exact count, and its upper end never passes the population. Before whole-people rounding
/// the upper end was a fraction below 4,039 and this failed.
#[test]
fn a_set_reaching_everyone_has_the_population_inside_its_interval() {
    let Some(dir) = shared_data() else {
        eprintln!("plan_truth: ../shared/data is absent; skipped");
        return;
    };
    let file = "facebook_combined.txt";
    let f = std::fs::File::open(dir.join(file)).expect("shared graph readable");
    let options = GraphOptions {
        undirected: true,
        ..Default::default()
    };
    let g = read_graph(f, file, EdgeFormat::EdgeList, options)
        .unwrap()
        .0;
    let t = GraphTruth::new(&g, file);
    let sets = t.sets(&[5000], 7);
    let all = &sets[0];
    assert_eq!(all.accounts.len(), 4039);
    let measured = t.measured_pairs(&t.largest_of(&all.accounts, 200), 20, 2026);
    let options = TruthOptions {
        population: TruthPopulation::Followers,
        ..TruthOptions::default()
    };
    let row = t.compare(all, &measured, &options).unwrap();
    assert_eq!(row.exact, 4039.0);
    assert!(row.inside(), "{row:?}");
    assert_eq!(row.modelled.high, 4039.0, "{row:?}");
    assert_eq!(row.modelled.low, row.modelled.low.floor(), "{row:?}");
    assert!(row.modelled.mean < 4039.0, "{row:?}");
}
