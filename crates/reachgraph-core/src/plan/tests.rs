//! Tests of the plan module: brute force, independence, properties, fit, pick, bad input.
#![allow(clippy::needless_range_loop)]

use super::*;
use crate::election::Side;
use crate::margin::Electorate;

/// A two-jurisdiction forecast electorate (AA: 2000 eligible, BB: 3000).
fn tiny_electorate() -> Electorate {
    let csv = "jurisdiction,electoral_votes,total_votes,dem_margin_mean,dem_margin_sd,voting_eligible_population\n\
               AA,3,1200,1,3,2000\nBB,5,1800,-2,3,3000\n";
    Electorate::from_csv(csv.as_bytes(), "tiny.csv", Side::Dem).unwrap()
}

const CREATORS: &str = "creator,platform,account,followers,price,state\n\
    ann,tiktok,ann_t,300,100,AA\nann,youtube,ann_y,500,,AA\nbob,tiktok,bob_t,400,80,BB\ncat,youtube,cat_y,200,50,\n";
const AUDIENCE: &str = "account,jurisdiction,share\n\
    ann_t,AA,0.5\nann_t,BB,0.2\nann_y,AA,0.3\nann_y,BB,0.4\nbob_t,AA,0.1\nbob_t,BB,0.8\ncat_y,AA,0.25\ncat_y,BB,0.25\n";

fn tiny_table() -> CreatorTable {
    let mut t =
        CreatorTable::read(CREATORS.as_bytes(), "creators.csv", &tiny_electorate()).unwrap();
    t.read_audience(AUDIENCE.as_bytes(), "audience.csv")
        .unwrap();
    t
}

fn tiny_params(t: &CreatorTable, rho: f64) -> ModelParams {
    let v = ParamValues {
        zero_share: 0.0,
        activity_shape: 1.0,
        identity: rho,
        home_factor: 1.0,
    };
    let mut p = ModelParams::from_values(&v, vec![0.6, 0.8], t.population.clone()).unwrap();
    p.activity = ActivityMixture {
        weights: vec![0.5, 0.5],
        levels: vec![0.4, 1.6],
    };
    p
}

/// Enumerates every follow pattern of the 4 accounts for each person type and sums the
/// probability that a subset is reached: an independent computation of the model's reach.
fn brute_force(t: &CreatorTable, p: &ModelParams, subset: &[usize]) -> f64 {
    let pop = &p.population;
    let region_people: Vec<f64> = pop.people.iter().copied().chain([pop.outside]).collect();
    let shares = |i: usize| -> Vec<f64> {
        let g = t.accounts[i].geography.as_ref().unwrap();
        let mut s = vec![0.0; 3];
        for &(j, x) in g {
            s[j] = x;
        }
        s[2] = 1.0 - s[0] - s[1];
        s
    };
    let mut total = 0.0;
    for r in 0..3 {
        for m in 0u32..4 {
            let pm: f64 = (0..2)
                .map(|q| {
                    if m & (1 << q) != 0 {
                        p.adoption[q]
                    } else {
                        1.0 - p.adoption[q]
                    }
                })
                .product();
            for (&w, &a) in p.activity.weights.iter().zip(&p.activity.levels) {
                let q: Vec<f64> = (0..4)
                    .map(|i| {
                        let acc = &t.accounts[i];
                        if m & (1 << acc.platform) == 0 {
                            0.0
                        } else {
                            (a * acc.followers as f64 * shares(i)[r]
                                / (region_people[r] * p.adoption[acc.platform]))
                                .min(1.0)
                        }
                    })
                    .collect();
                // Joint distribution of ann's two accounts (0, 1): shared U with prob rho.
                let (q0, q1) = (q[0], q[1]);
                let mut ann = [[0.0f64; 2]; 2]; // [follows 0][follows 1]
                let rho = p.identity;
                let (lo, hi) = (q0.min(q1), q0.max(q1));
                ann[1][1] += rho * lo;
                if q0 >= q1 {
                    ann[1][0] += rho * (hi - lo);
                } else {
                    ann[0][1] += rho * (hi - lo);
                }
                ann[0][0] += rho * (1.0 - hi);
                for f0 in 0..2 {
                    for f1 in 0..2 {
                        let p0 = if f0 == 1 { q0 } else { 1.0 - q0 };
                        let p1 = if f1 == 1 { q1 } else { 1.0 - q1 };
                        ann[f0][f1] += (1.0 - rho) * p0 * p1;
                    }
                }
                let mut reached = 0.0;
                for pattern in 0u32..16 {
                    let f = |i: usize| (pattern >> i) & 1;
                    let mut pr = ann[f(0) as usize][f(1) as usize];
                    for i in 2..4 {
                        pr *= if f(i) == 1 { q[i] } else { 1.0 - q[i] };
                    }
                    if subset.iter().any(|&i| f(i) == 1) {
                        reached += pr;
                    }
                }
                total += region_people[r] * pm * w * reached;
            }
        }
    }
    total
}

#[test]
fn closed_form_matches_brute_force_enumeration() {
    let t = tiny_table();
    for rho in [0.0, 0.6, 1.0] {
        let p = tiny_params(&t, rho);
        let m = AudienceModel::new(&t, &p).unwrap();
        for mask in 1u32..16 {
            let subset: Vec<usize> = (0..4).filter(|i| mask & (1 << i) != 0).collect();
            let (got, want) = (m.reach(&subset), brute_force(&t, &p, &subset));
            assert!(
                (got - want).abs() < 1e-9 * want.max(1.0),
                "rho {rho} {subset:?}: {got} vs {want}"
            );
        }
        // Pairwise overlap = reach(a) + reach(b) - reach({a, b}).
        for (a, b) in [(0, 1), (0, 2), (2, 3)] {
            let want = brute_force(&t, &p, &[a]) + brute_force(&t, &p, &[b])
                - brute_force(&t, &p, &[a, b]);
            assert!((m.expected_shared(a, b) - want).abs() < 1e-9 * want.max(1.0));
        }
    }
}

#[test]
fn reduces_to_independence_when_dependence_is_off() {
    let n = 10_000.0;
    let counts = [
        ("a", 3000u64),
        ("b", 2500),
        ("c", 700),
        ("d", 10),
        ("e", 9000),
    ];
    let t = CreatorTable::from_counts(
        counts.iter().map(|(s, f)| (s.to_string(), *f)),
        "g",
        Population::uniform(n, "test"),
    );
    let p = ModelParams::from_values(&ParamValues::INDEPENDENCE, vec![1.0], t.population.clone())
        .unwrap();
    let m = AudienceModel::new(&t, &p).unwrap();
    let all: Vec<usize> = (0..5).collect();
    let want = n
        * (1.0
            - counts
                .iter()
                .map(|(_, f)| 1.0 - *f as f64 / n)
                .product::<f64>());
    assert!(
        (m.reach(&all) - want).abs() < 1e-6,
        "{} vs {want}",
        m.reach(&all)
    );
    for i in 0..5 {
        assert!((m.expected_followers(i) - counts[i].1 as f64).abs() < 1e-6);
    }
    // plan() with the named assumption gives the same, with a zero-width interval.
    let o = PlanOptions {
        independence: true,
        base_population: Some(t.population.clone()),
        adoption: vec![("g".into(), 1.0)],
        ..Default::default()
    };
    let r = plan(&t, &[], &o).unwrap();
    // Zero width over the draws; the ends are the whole numbers of people bracketing it.
    assert!((r.unique_reach.mean - want).abs() < 1e-6);
    assert_eq!(
        (r.unique_reach.low, r.unique_reach.high),
        (want.floor(), want.ceil()),
        "{want}"
    );
    assert_eq!(r.fit.status, FitStatus::Independence);
}

#[test]
fn reach_is_monotone_and_submodular() {
    let t = tiny_table();
    let p = tiny_params(&t, 0.5);
    let m = AudienceModel::new(&t, &p).unwrap();
    for small in 0u32..16 {
        for big in 0u32..16 {
            if small & !big != 0 {
                continue; // small must be a subset of big
            }
            let set =
                |mask: u32| -> Vec<usize> { (0..4).filter(|i| mask & (1 << i) != 0).collect() };
            assert!(m.reach(&set(small)) <= m.reach(&set(big)) + 1e-9);
            for x in 0..4 {
                if big & (1 << x) != 0 {
                    continue;
                }
                let gs = m.reach(&set(small | 1 << x)) - m.reach(&set(small));
                let gb = m.reach(&set(big | 1 << x)) - m.reach(&set(big));
                assert!(gb <= gs + 1e-9, "{small:b} {big:b} {x}: {gb} > {gs}");
            }
        }
    }
}

/// A table of 60 accounts whose overlaps are drawn from the model with known parameters.
fn synthetic(pairs: usize) -> (CreatorTable, Vec<MeasuredOverlap>) {
    let n = 50_000.0;
    let counts: Vec<(String, u64)> = (0..60)
        .map(|i| {
            (
                format!("acc{i}"),
                200 + 37 * (i as u64 % 17) * (i as u64 + 3),
            )
        })
        .collect();
    let t = CreatorTable::from_counts(counts, "g", Population::uniform(n, "test"));
    let truth = ParamValues {
        zero_share: 0.4,
        activity_shape: 0.5,
        identity: 0.5,
        home_factor: 1.0,
    };
    let p = ModelParams::from_values(&truth, vec![1.0], t.population.clone()).unwrap();
    let m = AudienceModel::new(&t, &p).unwrap();
    // Scatter the measured overlaps around the model by ±30% (fixed pattern).
    let ov = (0..pairs)
        .map(|k| {
            let (a, b) = (k, 59 - k);
            let s = m.expected_shared(a, b) * (1.0 + 0.3 * if k % 2 == 0 { 1.0 } else { -1.0 });
            MeasuredOverlap {
                a,
                b,
                shared_fraction: s / t.accounts[a].followers as f64,
                line: k + 2,
            }
        })
        .collect();
    (t, ov)
}

fn width(pairs: usize) -> (ReachInterval, FitStatus) {
    let (t, ov) = synthetic(pairs);
    let o = PlanOptions {
        base_population: Some(t.population.clone()),
        adoption: vec![("g".into(), 1.0)],
        seed: 7,
        ..Default::default()
    };
    let r = plan(&t, &ov, &o).unwrap();
    (r.unique_reach, r.fit.status)
}

#[test]
fn intervals_widen_with_fewer_overlaps() {
    let (r20, s20) = width(20);
    let (r3, _) = width(3);
    let (r0, s0) = width(0);
    assert_eq!((s20, s0), (FitStatus::Fitted, FitStatus::Prior));
    let w = |r: ReachInterval| r.high - r.low;
    assert!(w(r20) < w(r3) && w(r3) < w(r0), "{r20:?} {r3:?} {r0:?}");
    assert!(r0.low < r0.mean && r0.mean < r0.high);
}

/// What the population counts sets the zero-share prior the answer reports and carries: near
/// zero for a platform's users (the default), wide for everyone; with no pairs the parameter's
/// 90% range is the prior's. A given range replaces it; a range outside [0, 1) is an error.
#[test]
fn population_counts_set_the_zero_share_prior() {
    let (t, _) = synthetic(0);
    let run = |o: PlanOptions| {
        plan(
            &t,
            &[],
            &PlanOptions {
                base_population: Some(t.population.clone()),
                adoption: vec![("g".into(), 1.0)],
                seed: 3,
                prior_draws: 256,
                draws: 50,
                ..o
            },
        )
    };
    let zero = |r: &PlanReport| {
        r.parameters
            .iter()
            .find(|p| p.name == "zero_share")
            .unwrap()
            .clone()
    };
    let users = run(PlanOptions::default()).unwrap();
    let everyone = run(PlanOptions {
        population_counts: PopulationKind::Everyone,
        ..Default::default()
    })
    .unwrap();
    let (zu, ze) = (zero(&users), zero(&everyone));
    assert!(zu.high <= 0.1 && zu.high > 0.08, "{zu:?}");
    assert!(ze.high > 0.6 && ze.high <= 0.7, "{ze:?}");
    assert!(
        zu.source.contains("users") && ze.source.contains("everyone"),
        "{zu:?} {ze:?}"
    );
    assert!(users
        .assumptions
        .iter()
        .any(|a| a.contains("population counts a platform's users")));
    assert!(everyone
        .assumptions
        .iter()
        .any(|a| a.contains("population counts everyone")));
    // More people in the zero class concentrate audiences: the prior of everyone reaches fewer.
    assert!(
        everyone.unique_reach.mean < users.unique_reach.mean,
        "{everyone:?} {users:?}"
    );
    let given = run(PlanOptions {
        zero_share_prior: Some((0.3, 0.4)),
        ..Default::default()
    })
    .unwrap();
    let zg = zero(&given);
    assert!(
        zg.low >= 0.3 && zg.high <= 0.4 && zg.source.contains("given"),
        "{zg:?}"
    );
    for bad in [(0.5, 0.2), (0.0, 1.0), (-0.1, 0.2), (f64::NAN, 0.2)] {
        let e = run(PlanOptions {
            zero_share_prior: Some(bad),
            ..Default::default()
        })
        .unwrap_err()
        .to_string();
        assert!(e.contains("zero_share prior"), "{bad:?}: {e}");
    }
    assert!(run(PlanOptions {
        activity_shape_prior: Some((0.0, 2.0)),
        ..Default::default()
    })
    .is_err());
}

/// The misspecification exponents: off at scale 0 and for independence, reproducible, with a
/// log-spread near the pairs' RMS log error for 20 pairs (±30% scatter: σ ≈ 0.3, so the spread
/// of ln g at scale 1 lies in 0.2..0.6) and heavier with no pairs (prior: one pseudo-pair).
#[test]
fn misspecification_term_follows_the_pairs_scatter() {
    let (t, ov) = synthetic(20);
    let fit = |ov: &[MeasuredOverlap], independence: bool| {
        Posterior::fit(
            &t,
            ov,
            vec![1.0],
            t.population.clone(),
            256,
            5,
            independence,
        )
        .unwrap()
    };
    let p20 = fit(&ov, false);
    assert!(p20
        .misspecification_draws(50, 1, 0.0)
        .iter()
        .all(|&g| g == 1.0));
    assert!(fit(&ov, true)
        .misspecification_draws(50, 1, 1.5)
        .iter()
        .all(|&g| g == 1.0));
    assert_eq!(
        p20.misspecification_draws(50, 1, 1.0),
        p20.misspecification_draws(50, 1, 1.0)
    );
    let sd = |v: Vec<f64>| {
        let l: Vec<f64> = v.iter().map(|g| g.ln()).collect();
        let m = l.iter().sum::<f64>() / l.len() as f64;
        (l.iter().map(|x| (x - m).powi(2)).sum::<f64>() / l.len() as f64).sqrt()
    };
    let s20 = sd(p20.misspecification_draws(2000, 1, 1.0));
    let s0 = sd(fit(&[], false).misspecification_draws(2000, 1, 1.0));
    assert!((0.2..0.6).contains(&s20), "{s20}");
    assert!(s0 > s20, "{s0} vs {s20}");
}

#[test]
fn same_seed_same_answer() {
    let (t, ov) = synthetic(10);
    let o = PlanOptions {
        base_population: Some(t.population.clone()),
        adoption: vec![("g".into(), 1.0)],
        seed: 3,
        draws: 50,
        ..Default::default()
    };
    assert_eq!(plan(&t, &ov, &o).unwrap(), plan(&t, &ov, &o).unwrap());
}

#[test]
fn report_has_jurisdictions_targets_and_pick() {
    let t = tiny_table();
    let o = PlanOptions {
        budget: Some(150.0),
        targets: vec!["aa".into()],
        draws: 40,
        prior_draws: 256,
        ..Default::default()
    };
    let r = plan(&t, &[], &o).unwrap();
    assert_eq!(r.summed_followers, 1400);
    assert_eq!(r.jurisdictions.len(), 2);
    let sum: f64 = r
        .jurisdictions
        .iter()
        .map(|j| j.unique_reach.mean)
        .sum::<f64>()
        + r.outside_reach.mean;
    assert!((sum - r.unique_reach.mean).abs() < 1e-6 * sum);
    let target = r.target.as_ref().unwrap();
    assert_eq!(target.ids, vec!["AA".to_string()]);
    assert!((target.unique_reach.mean - r.jurisdictions[0].unique_reach.mean).abs() < 1e-9);
    let pick = r.pick.unwrap();
    assert!(pick.spent <= 150.0);
    assert!(pick.unpriced.is_empty()); // ann's price is on one of her rows
                                       // Within 150: ann (100) + cat (50), or bob (80) + cat (50): the pick names whole creators.
    for c in &pick.creators {
        assert!(c.adds.low <= c.adds.mean && c.adds.mean <= c.adds.high);
        if c.creator == "ann" {
            assert_eq!(c.accounts, vec!["ann_t".to_string(), "ann_y".to_string()]);
        }
    }
    let adds: f64 = pick.creators.iter().map(|c| c.adds.mean).sum();
    assert!((adds - pick.reach.mean).abs() < 1e-6 * adds.max(1.0));
}

#[test]
fn pick_skips_unpriced_creators_and_checks_the_budget() {
    let csv = "creator,platform,followers,price\nbig,x,9000,\nsmall,x,100,10\nmid,x,1000,40\n";
    let mut t = CreatorTable::read(csv.as_bytes(), "c.csv", &tiny_electorate()).unwrap();
    t.population = Population {
        outside: 100_000.0,
        ..t.population.clone()
    };
    let o = PlanOptions {
        budget: Some(45.0),
        draws: 20,
        prior_draws: 128,
        ..Default::default()
    };
    let p = plan(&t, &[], &o).unwrap().pick.unwrap();
    assert_eq!(p.unpriced, vec!["big".to_string()]);
    assert_eq!(
        p.creators
            .iter()
            .map(|c| c.creator.as_str())
            .collect::<Vec<_>>(),
        vec!["mid"]
    );
    let o = PlanOptions {
        budget: Some(5.0),
        ..o
    };
    assert!(matches!(
        plan(&t, &[], &o),
        Err(Error::BudgetTooSmall { .. })
    ));
}

fn table_err(creators: &str) -> Error {
    CreatorTable::read(creators.as_bytes(), "creators.csv", &tiny_electorate()).unwrap_err()
}

fn assert_table(e: Error, line: u64, value: &str, reason: &str) {
    match &e {
        Error::Table {
            file,
            line: l,
            value: v,
            reason: r,
            ..
        } => {
            assert!(file.ends_with(".csv"), "{e}");
            assert_eq!((*l, v.as_str()), (line, value), "{e}");
            assert!(r.contains(reason), "{e}");
        }
        _ => panic!("not a table error: {e}"),
    }
}

#[test]
fn every_bad_input_row_is_a_typed_error_with_file_line_and_value() {
    let h = "creator,platform,followers,state,price\n";
    assert_table(table_err(&format!("{h}a,x,-5,,\n")), 2, "-5", "negative");
    assert_table(
        table_err(&format!("{h}a,x,10,,\nb,x,2.5,,\n")),
        3,
        "2.5",
        "integer",
    );
    assert_table(
        table_err(&format!("{h}a,x,10,AA,\na,y,10,BB,\n")),
        3,
        "BB",
        "line 2",
    );
    assert_table(
        table_err(&format!("{h}a,x,10,,5\na,y,10,,6\n")),
        3,
        "6",
        "line 2",
    );
    assert_table(
        table_err(&format!("{h}a,x,10,,\na,x,10,,\n")),
        3,
        "a:x",
        "line 2",
    );
    assert_table(
        table_err(&format!("{h}a,x,10,ZZ,\n")),
        2,
        "ZZ",
        "not a state",
    );
    assert_table(
        table_err("creator,platform,followers,colour\na,x,1,red\n"),
        1,
        "colour",
        "unknown column",
    );
    assert_table(
        table_err("creator,platform,followers,eligible\na,x,1,1.5\n"),
        2,
        "1.5",
        "[0, 1]",
    );
    // BOM and blank lines are fine.
    assert!(CreatorTable::read(
        "\u{feff}creator,platform,followers\n\n a ,x, 3 \n".as_bytes(),
        "c.csv",
        &tiny_electorate()
    )
    .is_ok());

    let mut t = tiny_table();
    let aud = |s: &str| {
        t.clone()
            .read_audience(
                format!("account,jurisdiction,share\n{s}").as_bytes(),
                "audience.csv",
            )
            .unwrap_err()
    };
    assert_table(aud("ann_t,AA,1.2\n"), 2, "1.2", "[0, 1]");
    assert_table(aud("ann_t,AA,0.7\nann_t,BB,0.4\n"), 3, "0.4", "sum to");
    assert_table(aud("nobody,AA,0.1\n"), 2, "nobody", "not an account");
    assert_table(aud("ann_t,QQ,0.1\n"), 2, "QQ", "not a jurisdiction");
    t.read_audience("account,jurisdiction,share\n".as_bytes(), "a.csv")
        .unwrap();

    let ov = |s: &str| t.read_overlaps(s.as_bytes(), "overlaps.csv").unwrap_err();
    assert_table(
        ov("a,b,shared_count\nann_t,cat_y,250\n"),
        2,
        "250",
        "larger than an audience",
    );
    assert_table(ov("a,b,shared\nann_y,cat_y,0.5\n"), 2, "0.5", "larger than");
    assert_table(
        ov("a,b,shared\nann_t,ghost,0.1\n"),
        2,
        "ghost",
        "not an account",
    );
    assert_table(ov("a,b,shared\nann_t,bob_t,1.1\n"), 2, "1.1", "[0, 1]");
    assert_table(
        ov("a,b,shared\nann_t,bob_t,0.1\nbob_t,ann_t,0.1\n"),
        3,
        "ann_t",
        "line 2",
    );
    let ok = t
        .read_overlaps("a,b,shared_count\nann_t,bob_t,30\n".as_bytes(), "o.csv")
        .unwrap();
    assert!((ok[0].shared_fraction - 0.1).abs() < 1e-12 && ok[0].line == 2);
}

#[test]
fn misspecified_reach_stays_within_the_counts() {
    // The example table (audiences concentrated in home states) with the misspecification term
    // on: one account never reaches more people than its followers, and a set never more than
    // its summed followers. A regression: the term once compared each region with national
    // independence, and comedy_ben23@youtube (11,810 followers) came out at 11,917 people.
    let e = Electorate::us_president(2024, Side::Dem).unwrap();
    let csv = include_str!("../../../../docs/examples/creators.csv");
    let t = CreatorTable::read(csv.as_bytes(), "creators.csv", &e).unwrap();
    for id in ["comedy_ben23@youtube", "comedy_ben23@tiktok"] {
        let Some(a) = t.account(id) else { continue };
        let o = PlanOptions {
            accounts: Some(vec![id.to_string()]),
            draws: 200,
            seed: 4,
            ..Default::default()
        };
        let r = plan(&t, &[], &o).unwrap().unique_reach;
        let f = t.accounts[a].followers as f64;
        for v in [r.mean, r.low, r.high] {
            assert!(v <= f * (1.0 + 1e-9), "{id}: {v} people vs {f} followers");
        }
    }
    let first: Vec<String> = t.accounts[..40].iter().map(|a| a.account.clone()).collect();
    let summed: f64 = t.accounts[..40].iter().map(|a| a.followers as f64).sum();
    let o = PlanOptions {
        accounts: Some(first),
        draws: 200,
        seed: 4,
        ..Default::default()
    };
    let r = plan(&t, &[], &o).unwrap().unique_reach;
    assert!(r.high <= summed * (1.0 + 1e-9), "{r:?} vs {summed}");
}

#[test]
fn people_intervals_are_whole_people_rounded_outward() {
    // 100 draws 4,000.0, 4,000.4, ..., 4,039.6: the 5th and
    // 95th percentiles are interpolated (4,001.98 and 4,037.62), then rounded outward; the mean
    // (an expectation) is kept as is.
    let values: Vec<f64> = (0..100).map(|k| 4000.0 + 0.4 * k as f64).collect();
    let raw = ReachInterval::of(values.clone());
    let people = ReachInterval::of_people(values);
    assert!(
        (raw.low - 4001.98).abs() < 1e-9 && (raw.high - 4037.62).abs() < 1e-9,
        "{raw:?}"
    );
    assert_eq!((people.low, people.high), (4001.0, 4038.0));
    assert_eq!(people.mean, raw.mean);
    // Whole ends stay; a population reached in full stays inside (strictly: an expectation a
    // fraction short of it, the case of ego-Facebook's whole-graph sets).
    let whole = ReachInterval::of_people(vec![7.0; 10]);
    assert_eq!((whole.low, whole.high), (7.0, 7.0));
    let near = ReachInterval::of_people(vec![4038.2, 4038.6, 4038.99]);
    assert!(near.low <= 4039.0 && 4039.0 <= near.high, "{near:?}");
    assert!(near.high <= 4039.0);
    // Never below zero.
    assert_eq!(ReachInterval::of_people(vec![0.0, 0.3]).low, 0.0);
}

#[test]
fn centred_people_takes_the_mean_from_one_view_and_the_ends_from_the_other() {
    // Point draws 100, 110, ..., 190 (mean 145); spread draws 0, 10, ..., 990 (percentiles
    // 49.5 and 940.5 by linear interpolation, rounded outward to 49 and 941).
    let point: Vec<f64> = (0..10).map(|k| 100.0 + 10.0 * k as f64).collect();
    let spread: Vec<f64> = (0..100).map(|k| 10.0 * k as f64).collect();
    assert_eq!(centred_people(&point, &spread), (145.0, 49.0, 941.0));
    // A mean outside the spread's interval widens it to hold the mean (to whole people).
    assert_eq!(centred_people(&[1000.4], &spread), (1000.4, 49.0, 1001.0));
    assert_eq!(centred_people(&[20.5], &spread), (20.5, 20.0, 941.0));
    // The same draws in both views: exactly `of_people`.
    let same = ReachInterval::of_people_centred(&spread, &spread);
    assert_eq!(same, ReachInterval::of_people(spread.clone()));
    assert_eq!(centred_people(&[], &spread), (0.0, 0.0, 0.0));
}

#[test]
fn the_point_estimate_does_not_move_with_the_misspecification_allowance() {
    // The allowance widens the interval only: `plan`'s means are the same at scales 0, 1.5
    // and 3 (the same parameter draws: same seed), the mean lies inside every interval, and
    // most intervals are wider at scale 1.5 than at 0.
    let e = Electorate::us_president(2024, Side::Dem).unwrap();
    let csv = include_str!("../../../../docs/examples/creators.csv");
    let t = CreatorTable::read(csv.as_bytes(), "creators.csv", &e).unwrap();
    let ov = include_str!("../../../../docs/examples/overlaps.csv");
    let overlaps = t.read_overlaps(ov.as_bytes(), "overlaps.csv").unwrap();
    let run = |scale: f64| {
        let o = PlanOptions {
            draws: 60,
            seed: 3,
            prior_draws: 256,
            misspecification_scale: scale,
            targets: vec!["PA".into(), "GA".into()],
            ..Default::default()
        };
        plan(&t, &overlaps, &o).unwrap()
    };
    let (r0, r15, r3) = (run(0.0), run(1.5), run(3.0));
    let pairs = |r: &PlanReport| {
        let mut v = vec![
            r.unique_reach,
            r.outside_reach,
            r.target.as_ref().unwrap().unique_reach,
        ];
        v.extend(r.jurisdictions.iter().map(|j| j.unique_reach));
        v
    };
    let (a, b, c) = (pairs(&r0), pairs(&r15), pairs(&r3));
    let mut wider = 0;
    for ((x, y), z) in a.iter().zip(&b).zip(&c) {
        assert_eq!(x.mean, y.mean);
        assert_eq!(x.mean, z.mean);
        for r in [x, y, z] {
            assert!(r.low <= r.mean && r.mean <= r.high, "{r:?}");
        }
        wider += usize::from(y.high - y.low > x.high - x.low);
    }
    // The allowance is on (the example's pairs scatter around the model): it widens.
    assert!(wider > a.len() / 2, "{wider} of {} wider", a.len());
}
