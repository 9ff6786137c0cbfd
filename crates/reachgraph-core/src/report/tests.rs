//! Tests of the graph path, the readers, ROI, calibration and the effect update.

use super::graph::{eligible_shares, entries, reach_draws, Posted};
use super::posts::parse_date;
use super::*;
use crate::error::Error;
use crate::margin::Prior;
use crate::Graph;
use crate::{GraphBuilder, GraphOptions};

/// `a` is followed by x and y, `b` by y and z.
fn tiny() -> Graph {
    let mut b = GraphBuilder::new(GraphOptions::default());
    for (u, v) in [("a", "x"), ("a", "y"), ("b", "y"), ("b", "z")] {
        b.add_edge(u, v, None).unwrap();
    }
    b.build().unwrap().0
}

const POSTS: &str = "account,post,date,impressions,reach,engagements,cost\n\
                     a,1,2026-11-02,3,1,2,60\n\
                     b,1,2026-11-03,2,1,1,40\n\
                     a,2,2026-11-09,5,1,0,\n";

fn posts() -> Vec<Post> {
    read_posts(POSTS.as_bytes(), "posts.csv").unwrap()
}

#[test]
fn reads_posts() {
    let p = posts();
    assert_eq!(p.len(), 3);
    assert_eq!(p[2].line, 4);
    assert_eq!(p[0].cost, Some(60.0));
    assert_eq!(p[2].cost, None);
    assert_eq!(parse_date("1970-01-01"), Some(0));
    assert_eq!(
        parse_date("2024-03-01").unwrap() - parse_date("2024-02-28").unwrap(),
        2
    );
    assert_eq!(parse_date("2023-02-29"), None);
}

fn hand_reach(rho: f64) -> (f64, f64) {
    // a: rates .5, .5; b: rate .5.
    let pa = rho * 0.5 + (1.0 - rho) * 0.75;
    let pb = 0.5;
    let q = [pa, 1.0 - (1.0 - pa) * (1.0 - pb), pb];
    (q.iter().sum(), q.iter().map(|q| q * (1.0 - q)).sum())
}

#[test]
fn dedup_reach_matches_hand_computation() {
    let g = tiny();
    let p = posts();
    let posted = vec![
        Posted {
            node: g.node("a").unwrap(),
            max_rate: 0.5,
            miss_independent: 0.25,
        },
        Posted {
            node: g.node("b").unwrap(),
            max_rate: 0.5,
            miss_independent: 0.5,
        },
    ];
    let e = entries(&g, &posted, |_| true);
    let n = g.people().count;
    for rho in [0.0, 0.3, 1.0] {
        let (m, v) = hand_reach(rho);
        let r = reach_draws(
            &e,
            &posted,
            &vec![1.0; n],
            &vec![1.0; n],
            &[(rho, [0.0; 3])],
        );
        assert!((r[0][0] - m).abs() < 1e-12, "rho {rho}: {} vs {m}", r[0][0]);
        let r = reach_draws(
            &e,
            &posted,
            &vec![1.0; n],
            &vec![1.0; n],
            &[(rho, [1.0; 3])],
        );
        assert!((r[0][0] - m - v.sqrt()).abs() < 1e-12);
    }
    assert!((hand_reach(0.0).0 - 2.125).abs() < 1e-12);
    assert!((hand_reach(1.0).0 - 1.75).abs() < 1e-12);
    // The report's mean over rho ~ U(0, 1) is 2.125 − 0.375/2 = 1.9375; with 20,000
    // draws its Monte Carlo error is about 0.006 (sd ≈ 0.8 of one draw).
    let cfg = ReportConfig {
        draws: 20_000,
        seed: 7,
        ..ReportConfig::default()
    };
    let r = graph_report(&g, &p, &cfg).unwrap();
    // Each draw is clamped to [0, 3] (no fewer than nobody, no more than the 3 followers),
    // which cuts the normal noise's upper tail and pulls the mean down by a few hundredths.
    assert!(
        (r.unique_reach.mean - 1.9375).abs() < 0.06,
        "{:?}",
        r.unique_reach
    );
    assert!(r.unique_reach.low < 1.75 && r.unique_reach.high > 2.125);
    assert!(r.unique_reach.high <= 3.0, "at most the 3 followers");
    // No person has a jurisdiction: nobody is eligible.
    assert_eq!(r.eligible_reach.mean, 0.0);
    assert_eq!(r.summed_reach, 3);
    // Same seed, same answer.
    assert_eq!(graph_report(&g, &p, &cfg).unwrap(), r);
}

#[test]
fn eligible_reach_sums_the_eligible_attribute_over_reached_people() {
    let mut g = tiny();
    let n = g.people().count;
    // No eligible attribute, no jurisdiction: nobody is eligible, and the rule is stated
    // as an assumption.
    let (e, basis) = eligible_shares(&g).unwrap();
    assert_eq!(e, vec![0.0; n]);
    assert!(
        basis.contains("assumption: no eligible attribute"),
        "{basis}"
    );
    // x eligible, y half (a person standing for voters of whom half are eligible), z with
    // no value but a jurisdiction, a and b with neither.
    let node = |id: &str| g.node(id).unwrap() as usize;
    let (x, y, z) = (node("x"), node("y"), node("z"));
    let mut a = g.attributes().clone();
    a.eligible[x] = 1.0;
    a.eligible[y] = 0.5;
    a.jurisdiction =
        crate::attrs::Categorical::from_labels((0..n).map(|i| (i == z).then_some("PA")));
    g.set_attributes(a).unwrap();
    let (e, basis) = eligible_shares(&g).unwrap();
    let mut want = vec![0.0; n];
    want[x] = 1.0;
    want[y] = 0.5;
    want[z] = 1.0;
    assert_eq!(e, want);
    assert!(
        basis.contains("the 3 people without one count as eligible if they have a jurisdiction"),
        "{basis}"
    );
    // rho = 0, no noise: q_x = 0.75, q_y = 1 − 0.25·0.5 = 0.875, q_z = 0.5; expected
    // eligible people 1·0.75 + 0.5·0.875 + 1·0.5 = 1.6875 (not 3 reached, nor 2.125).
    let posted = vec![
        Posted {
            node: g.node("a").unwrap(),
            max_rate: 0.5,
            miss_independent: 0.25,
        },
        Posted {
            node: g.node("b").unwrap(),
            max_rate: 0.5,
            miss_independent: 0.5,
        },
    ];
    let ent = entries(&g, &posted, |_| true);
    let r = reach_draws(&ent, &posted, &e, &vec![1.0; n], &[(0.0, [0.0; 3])]);
    assert!((r[1][0] - 1.6875).abs() < 1e-12, "{}", r[1][0]);
    assert!((r[2][0] - 1.6875).abs() < 1e-12, "{}", r[2][0]);
    assert!((r[0][0] - 2.125).abs() < 1e-12);
    // One sd of sampling noise: sqrt(Σ e²·q(1−q)).
    let sd = (0.75f64 * 0.25 + 0.25 * 0.875 * 0.125 + 0.5 * 0.5).sqrt();
    let r = reach_draws(&ent, &posted, &e, &vec![1.0; n], &[(0.0, [0.0, 1.0, 0.0])]);
    assert!((r[1][0] - 1.6875 - sd).abs() < 1e-12);
    // The report: over rho ~ U(0, 1), E[q_x] = 0.625, E[q_y] = 0.8125, q_z = 0.5, so
    // 0.625 + 0.5·0.8125 + 0.5 = 1.53125 eligible people (Monte Carlo error ~0.006 with
    // 20,000 draws; the clamp at 0 and at the 2.5 eligible people the posts can reach
    // moves the mean by a few hundredths).
    let cfg = ReportConfig {
        draws: 20_000,
        seed: 7,
        ..ReportConfig::default()
    };
    let rep = graph_report(&g, &posts(), &cfg).unwrap();
    assert!(
        (rep.eligible_reach.mean - 1.53125).abs() < 0.06,
        "{:?}",
        rep.eligible_reach
    );
    assert!(rep.eligible_reach.high <= 2.5);
    assert!(rep.assumptions.iter().any(|a| a == &basis));
}

#[test]
fn roi_arithmetic() {
    let g = tiny();
    let r = graph_report(&g, &posts(), &ReportConfig::default()).unwrap();
    let roi = &r.roi;
    assert_eq!(roi.total_cost, Some(100.0));
    assert_eq!(roi.cost_source, "posts");
    assert!((roi.cpm.unwrap() - 100.0 * 1000.0 / 10.0).abs() < 1e-9);
    assert!((roi.cost_per_engagement.unwrap() - 100.0 / 3.0).abs() < 1e-9);
    assert!((roi.cost_per_person.unwrap() - 100.0 / r.unique_reach.mean).abs() < 1e-9);
    let [lo, hi] = roi.cost_per_person_range.unwrap();
    assert!((lo - 100.0 / r.unique_reach.high).abs() < 1e-9);
    assert!((hi - 100.0 / r.unique_reach.low).abs() < 1e-9);
    // Nobody eligible: no cost per target person, and the note says why.
    assert_eq!(roi.cost_per_target_person, None);
    assert!(roi
        .notes
        .iter()
        .any(|n| n.contains("cost_per_target_person")));
    let a = r.creators.iter().find(|c| c.creator == "a").unwrap();
    assert_eq!(a.roi.total_cost, Some(60.0));
    assert_eq!(a.impressions, 8);
    assert!((a.roi.cpm.unwrap() - 60.0 * 1000.0 / 8.0).abs() < 1e-9);
    assert!((r.frequency.unwrap() - 10.0 / r.unique_reach.mean).abs() < 1e-12);
    // a alone: x and y, each reached with P_a; mean over rho of 2·P_a = 2·0.625.
    assert!(
        (a.unique_reach.mean - 1.25).abs() < 0.15,
        "{:?}",
        a.unique_reach
    );
}

#[test]
fn calibration_is_the_ratio_estimator() {
    let r = ratio_estimate(&[(100.0, 10.0), (300.0, 90.0)]).unwrap();
    assert!((r.reach_rate - 0.25).abs() < 1e-12);
    // residuals −15, +15: sqrt(450 / 2) / 200
    assert!((r.reach_rate_se - 0.075).abs() < 1e-12);
    assert_eq!(r.se_basis, "between-post");
    let one = ratio_estimate(&[(100.0, 20.0)]).unwrap();
    assert!((one.reach_rate_se - 0.04).abs() < 1e-12);
    assert!(one.se_basis.starts_with("binomial"));
    assert!(ratio_estimate(&[]).is_none());
    // The report's per-account rates: a reached 1 of 2 followers twice.
    let rep = graph_report(&tiny(), &posts(), &ReportConfig::default()).unwrap();
    assert_eq!(rep.accounts[0].account, "a");
    assert_eq!(rep.accounts[0].rate.reach_rate, 0.5);
    assert_eq!(rep.accounts[0].rate.reach_rate_se, 0.0);
    let mut buf = Vec::new();
    write_creators_table(&tiny(), &rep, &mut buf).unwrap();
    let text = String::from_utf8(buf).unwrap();
    assert_eq!(
        text,
        "creator,platform,account,followers,price,state,reach_rate\n\
         a,unknown,a,2,60,,0.500000\nb,unknown,b,2,40,,0.500000\n"
    );
}

#[test]
fn normal_normal_update_is_exact() {
    let prior = Prior {
        mean: 0.0,
        sd: 0.005,
    };
    let (ev, post) = normal_update(prior, &[(0.004, 0.002)]);
    let ev = ev.unwrap();
    assert_eq!((ev.estimate, ev.se), (0.004, 0.002));
    // precisions 40,000 and 250,000
    assert!((post.mean - 0.004 * 250_000.0 / 290_000.0).abs() < 1e-15);
    assert!((post.sd - 1.0 / 290_000f64.sqrt()).abs() < 1e-15);
    // Two results pool like one with their combined precision.
    let (ev2, post2) = normal_update(prior, &[(0.002, 0.004), (0.006, 0.004)]);
    assert!((ev2.unwrap().estimate - 0.004).abs() < 1e-15);
    let (_, post3) = normal_update(prior, &[(0.004, 0.004 / 2f64.sqrt())]);
    assert!((post2.mean - post3.mean).abs() < 1e-15 && (post2.sd - post3.sd).abs() < 1e-15);
    // A point prior does not move; no evidence leaves the prior.
    let fixed = Prior::fixed(0.001);
    assert_eq!(normal_update(fixed, &[(0.5, 0.1)]).1, fixed);
    assert_eq!(normal_update(prior, &[]), (None, prior));
    let lift = read_lift(
        "effect,estimate,se\npersuasion,0.004,0.002\n".as_bytes(),
        "lift.csv",
    )
    .unwrap();
    let e = update_effects(prior, crate::margin::DEFAULT_MOBILIZATION, &lift).unwrap();
    assert_eq!(e.persuasion.posterior, post);
    assert_eq!(e.mobilization.evidence, None);
    assert!(e.margin_flags().starts_with("--persuasion 0.00344"));
}

fn post_err(body: &str) -> String {
    let text =
        format!("account,post,date,impressions,reach,engagements,views_non_followers,cost\n{body}");
    read_posts(text.as_bytes(), "posts.csv")
        .unwrap_err()
        .to_string()
}

#[test]
fn bad_posts_name_file_line_and_value() {
    let ok = "a,1,2026-11-02,3,1,2,,\n";
    let cases = [
        (
            "a,1,2026-11-02,3,-4,2,,\n",
            "posts.csv:2: column reach: negative count -4",
        ),
        (
            "a,1,2026-11-02,3,4,2,,\n",
            "posts.csv:2: column reach: 4 is above impressions 3",
        ),
        (
            "a,1,2026-11-02,3,1,1.5,,\n",
            "posts.csv:2: column engagements: \"1.5\" is not",
        ),
        (
            "a,1,2026-11-02,-3,1,1,,\n",
            "posts.csv:2: column impressions: negative count -3",
        ),
        (
            "a,1,2026-11-02,3,1,1,2,\n",
            "posts.csv:2: column views_non_followers: 2 is above reach 1",
        ),
        (
            "a,1,2026-11-02,3,1,1,,-5\n",
            "posts.csv:2: column cost: -5 must be",
        ),
        (
            "a,1,2026-13-02,3,1,1,,\n",
            "posts.csv:2: column date: \"2026-13-02\" is not a date",
        ),
        (
            ",1,2026-11-02,3,1,1,,\n",
            "posts.csv:2: column account is empty",
        ),
    ];
    for (body, want) in cases {
        let got = post_err(body);
        assert!(got.starts_with(want), "{got}");
    }
    let got = post_err(&format!(
        "{ok}b,1,2026-10-01,1,1,1,,\na,2,2026-11-01,1,1,1,,\n"
    ));
    assert_eq!(
        got,
        "posts.csv:4: column date: 2026-11-01 is before 2026-11-02 on line 2, the previous \
         post of account \"a\" (an account's posts must be listed in date order)"
    );
    let got = post_err(&format!("{ok}a,1,2026-11-03,1,1,1,,\n"));
    assert_eq!(
        got,
        "posts.csv:3: post \"1\" of account \"a\" already appears on line 2"
    );
    let got = read_posts(
        "account,post,date,impressions,reach,engagements,likes\n".as_bytes(),
        "p.csv",
    )
    .unwrap_err()
    .to_string();
    assert!(
        got.starts_with("p.csv:1: unknown column \"likes\""),
        "{got}"
    );
    let got = read_posts("account,post,date,impressions,reach\n".as_bytes(), "p.csv")
        .unwrap_err()
        .to_string();
    assert!(
        got.starts_with("p.csv:1: missing column engagements"),
        "{got}"
    );
    let e = read_posts(
        "account,post,date,impressions,reach,engagements\n".as_bytes(),
        "p.csv",
    );
    assert!(matches!(e, Err(Error::Empty { .. })));
    // A BOM and blank lines are fine.
    let p = read_posts(format!("\u{feff}{POSTS}\n\n").as_bytes(), "posts.csv").unwrap();
    assert_eq!(p.len(), 3);
}

#[test]
fn bad_graph_posts_name_file_line_and_value() {
    let g = tiny();
    let cfg = ReportConfig {
        posts_input: "posts.csv".into(),
        ..ReportConfig::default()
    };
    let p = read_posts(
        "account,post,date,impressions,reach,engagements\na,1,2026-11-02,3,1,2\nq,1,2026-11-02,3,1,2\n".as_bytes(),
        "posts.csv",
    )
    .unwrap();
    let e = graph_report(&g, &p, &cfg).unwrap_err();
    assert_eq!(e.kind(), "unknown_node");
    assert!(e.to_string().contains("\"q\" (posts.csv line 3"), "{e}");
    let p = read_posts(
        "account,post,date,impressions,reach,engagements\nb,1,2026-11-02,3,3,2\n".as_bytes(),
        "posts.csv",
    )
    .unwrap();
    let e = graph_report(&g, &p, &cfg).unwrap_err().to_string();
    assert!(
        e.starts_with("posts.csv:2: column reach: 3 followers reached"),
        "{e}"
    );
    let e = graph_report(
        &g,
        &posts(),
        &ReportConfig {
            draws: 0,
            ..cfg.clone()
        },
    )
    .unwrap_err();
    assert_eq!(e.kind(), "invalid_parameter");
    let e = graph_report(
        &g,
        &posts(),
        &ReportConfig {
            targets: Some(vec!["PA".into()]),
            ..cfg
        },
    )
    .unwrap_err()
    .to_string();
    assert!(e.contains("PA"), "{e}");
}

#[test]
fn bad_lift_names_file_line_and_value() {
    let cases = [
        (
            "persuasion,0.004,0\n",
            "lift.csv:2: column se: 0 must be above 0",
        ),
        (
            "persuasion,0.004,-0.1\n",
            "lift.csv:2: column se: -0.1 must be above 0",
        ),
        (
            "persuasion,0.004,NaN\n",
            "lift.csv:2: column se: \"NaN\" is not a finite number",
        ),
        (
            "turnout,0.004,0.1\n",
            "lift.csv:2: column effect: \"turnout\" is not",
        ),
        (
            "persuasion,4,0.1\n",
            "lift.csv:2: column estimate: 4 is not a rate",
        ),
    ];
    for (body, want) in cases {
        let text = format!("effect,estimate,se\n{body}");
        let got = read_lift(text.as_bytes(), "lift.csv")
            .unwrap_err()
            .to_string();
        assert!(got.starts_with(want), "{got}");
    }
    let bad = [LiftResult {
        effect: EffectKind::Mobilization,
        estimate: 0.01,
        se: 0.0,
        line: 0,
    }];
    let e = update_effects(Prior::fixed(0.0), Prior::fixed(0.0), &bad).unwrap_err();
    assert_eq!(e.kind(), "invalid_parameter");
}
