//! Human-readable tables of responses (what the CLI prints without `--json`).

use reachgraph_api::margin::MarginResponse;
use reachgraph_api::{
    BudgetPickResponse, DemoResponse, EvaluateResponse, LadderResponse, OverlapResponse,
    ReachResponse, Response, SelectResponse, SpreadResponse, Step,
};
use std::fmt::Write;

/// Formats an integer with thousands separators: `1234567` → `1,234,567`.
pub fn thousands(v: u64) -> String {
    let s = v.to_string();
    let mut out = String::with_capacity(s.len() + s.len() / 3);
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

fn money(v: f64) -> String {
    format!("${}", thousands(v.round().max(0.0) as u64))
}

fn pct(v: f64) -> String {
    format!("{:.1}%", 100.0 * v)
}

/// Renders any response as text.
pub fn render(resp: &Response) -> String {
    match resp {
        Response::Reach(r) => reach(&r.body),
        Response::Overlap(r) => overlap(&r.body, usize::MAX),
        Response::Ladder(r) => ladder(&r.body),
        Response::BudgetPick(r) => budget_pick(&r.body),
        Response::Spread(r) => spread(&r.body),
        Response::Demo(r) => demo(&r.body),
        Response::Select(r) => select(&r.body),
        Response::Evaluate(r) => evaluate(&r.body),
        Response::SketchBuild(_)
        | Response::SketchReach(_)
        | Response::SketchOverlap(_)
        | Response::SketchLadder(_)
        | Response::SketchPick(_)
        | Response::SketchStream(_)
        | Response::SketchMerge(_)
        | Response::SketchCheck(_)
        | Response::SketchError(_)
        | Response::SketchModel(_) => sketch(resp),
        Response::Margin(r) => margin(&r.body, 15),
    }
}

/// Sketch responses: a short summary line, then the JSON (their matrices carry error bounds
/// that a table would hide).
fn sketch(resp: &Response) -> String {
    let json = serde_json::to_value(resp).expect("responses serialize");
    let mut s = String::new();
    if let (Some(x), Some(e), Some(c)) = (
        json["unique_reach"].as_f64(),
        json["error_bound"].as_f64(),
        json["confidence"].as_f64(),
    ) {
        let _ = writeln!(
            s,
            "unique reach ≈ {} ± {} people ({} confidence)\n",
            thousands(x.round() as u64),
            thousands(e.round() as u64),
            pct(c)
        );
    }
    s + &serde_json::to_string_pretty(&json).expect("json") + "\n"
}

/// The reach of a seed set.
pub fn reach(r: &ReachResponse) -> String {
    let mut s = String::new();
    let _ = writeln!(
        s,
        "graph: {} accounts, {} people, {} follow edges",
        thousands(r.graph.nodes as u64),
        thousands(r.graph.people as u64),
        thousands(r.graph.edges as u64)
    );
    let _ = writeln!(s, "seeds:                 {}", thousands(r.seeds as u64));
    let _ = writeln!(
        s,
        "summed followers:      {}",
        thousands(r.summed_followers)
    );
    let _ = writeln!(
        s,
        "distinct people:       {}  ({} of summed followers)",
        thousands(r.unique_reach),
        pct(r.dedup_ratio)
    );
    let _ = writeln!(s, "distinct accounts:     {}", thousands(r.unique_accounts));
    if let Some(e) = &r.expected {
        let _ = writeln!(
            s,
            "expected people seeing at least one of {} post(s) per seed: {:.1} (sd {:.1})",
            e.posts_per_seed,
            e.expected_people,
            e.variance_people.sqrt()
        );
        let _ = writeln!(s, "  expected people by number of exposures:");
        for (k, f) in e.frequency.iter().enumerate().skip(1).take(10) {
            let _ = writeln!(s, "    {k:>3}x  {f:>12.1}");
        }
    }
    breakdown(&mut s, "by platform", &r.by_platform);
    breakdown(&mut s, "by jurisdiction", &r.by_jurisdiction);
    s
}

fn breakdown(s: &mut String, title: &str, rows: &[reachgraph_core::reach::ReachBreakdown]) {
    if rows.len() <= 1 && rows.first().is_none_or(|r| r.name == "(none)") {
        return;
    }
    let _ = writeln!(s, "{title}:");
    for r in rows.iter().take(15) {
        let _ = writeln!(s, "  {:<16} {:>12}", r.name, thousands(r.people));
    }
    if rows.len() > 15 {
        let _ = writeln!(s, "  ... {} more", rows.len() - 15);
    }
}

fn short(id: &str, w: usize) -> String {
    if id.chars().count() <= w {
        id.to_string()
    } else {
        let t: String = id.chars().take(w - 1).collect();
        format!("{t}…")
    }
}

/// Overlap matrices: audiences, then Jaccard and containment (at most `max` accounts shown).
pub fn overlap(r: &OverlapResponse, max: usize) -> String {
    let n = r.accounts.len().min(max);
    let mut s = String::new();
    let _ = writeln!(s, "{:<14} {:>10}", "account", "audience");
    for i in 0..n {
        let _ = writeln!(
            s,
            "{:<14} {:>10}",
            short(&r.accounts[i], 14),
            thousands(r.audience[i])
        );
    }
    for (title, m) in [
        ("Jaccard (shared / union)", &r.jaccard),
        (
            "containment (row's audience that also follows column)",
            &r.containment,
        ),
    ] {
        let _ = writeln!(s, "\n{title}:");
        let _ = write!(s, "{:<14}", "");
        for a in &r.accounts[..n] {
            let _ = write!(s, " {:>8}", short(a, 8));
        }
        let _ = writeln!(s);
        for (a, row) in r.accounts[..n].iter().zip(m) {
            let _ = write!(s, "{:<14}", short(a, 14));
            for x in &row[..n] {
                let _ = write!(s, " {x:>8.3}");
            }
            let _ = writeln!(s);
        }
    }
    if let Some(edges) = &r.overlap_graph {
        let _ = writeln!(s, "\noverlap graph: {} edges", edges.len());
        for e in edges.iter().take(30) {
            let _ = writeln!(s, "  {} -- {}  {:.3}", e.a, e.b, e.jaccard);
        }
    }
    s
}

fn steps_table(s: &mut String, steps: &[Step]) {
    let _ = writeln!(
        s,
        "{:>3}  {:<14} {:<10} {:<6} {:>11} {:>10} {:>11} {:>10}",
        "#", "account", "platform", "tier", "followers", "+people", "people", "cost"
    );
    for (i, st) in steps.iter().enumerate() {
        let _ = writeln!(
            s,
            "{:>3}  {:<14} {:<10} {:<6} {:>11} {:>10} {:>11} {:>10}",
            i + 1,
            short(&st.account, 14),
            st.platform.as_deref().unwrap_or("-"),
            st.tier,
            thousands(st.followers),
            thousands(st.marginal_people),
            thousands(st.cumulative_people),
            st.cost.map_or("-".to_string(), money)
        );
    }
}

/// Monte Carlo spread.
pub fn spread(r: &SpreadResponse) -> String {
    let mut s = String::new();
    let _ = writeln!(
        s,
        "{} spread of {} seeds{}: {} trials (seed {}){}",
        r.model.name().to_uppercase(),
        r.seeds,
        r.hops
            .map_or(String::new(), |h| format!(", at most {h} hops")),
        thousands(r.trials),
        r.seed,
        if r.stopped_early {
            ", stopped at the target error"
        } else {
            ""
        }
    );
    for (what, e) in [
        ("people", &r.people),
        ("accounts", &r.accounts),
        ("target weight", &r.target_weight),
    ] {
        let _ = writeln!(
            s,
            "  {what:<14} mean {:>12.2}  ± {:.2} (se)   95% CI [{:.2}, {:.2}]   min {} max {}",
            e.mean, e.stderr, e.ci95_low, e.ci95_high, e.min, e.max
        );
    }
    if !r.by_jurisdiction.is_empty() {
        let _ = writeln!(s, "by jurisdiction (people):");
        for j in r.by_jurisdiction.iter().take(15) {
            let _ = writeln!(
                s,
                "  {:<8} {:>10.2} ± {:.2}",
                j.jurisdiction, j.people.mean, j.people.stderr
            );
        }
    }
    if let Some(p) = &r.node_probabilities {
        let _ = writeln!(s, "most likely activated accounts:");
        for n in p.iter().take(15) {
            let _ = writeln!(s, "  {:<16} {:.4}", n.account, n.p);
        }
    }
    s
}

/// The greedy reach ladder.
pub fn ladder(r: &LadderResponse) -> String {
    let mut s = format!("greedy reach ladder (maximizing {}):\n", r.objective);
    steps_table(&mut s, &r.steps);
    s
}

/// A budgeted pick.
pub fn budget_pick(r: &BudgetPickResponse) -> String {
    let mut s = format!(
        "budget {}: {} accounts for {}, reaching {} distinct people ({}; guaranteed ≥ {:.0}% of the best possible)\n",
        money(r.budget),
        r.accounts.len(),
        money(r.total_cost),
        thousands(r.people),
        r.method.as_str().replace('_', " "),
        100.0 * r.guarantee
    );
    steps_table(&mut s, &r.steps);
    s
}

/// The demo report.
pub fn demo(d: &DemoResponse) -> String {
    let sc = &d.scenario;
    let mut s = String::new();
    let _ = writeln!(
        s,
        "reachgraph demo: a generated campaign population (seed {})\n  {} people holding {} accounts on {} ({}), {} creators, {} follow edges;\n  one graph person stands for {} real people.\n",
        sc.seed,
        thousands(sc.people as u64),
        thousands(sc.accounts as u64),
        sc.platforms.len(),
        sc.platforms.join(", "),
        thousands(sc.creators as u64),
        thousands(sc.edges as u64),
        thousands(sc.scale.round() as u64)
    );
    let _ = writeln!(
        s,
        "1. Follower counts vs. distinct people: the {} largest creators",
        d.creators
    );
    let _ = writeln!(
        s,
        "   summed follower counts: {:>14}\n   distinct people reached: {:>13}  ({} of the summed counts)",
        thousands(d.summed_followers),
        thousands(d.unique_reach),
        pct(d.dedup_ratio)
    );
    let _ = writeln!(
        s,
        "   (in the graph: {} follows, {} distinct people)",
        thousands(d.summed_followers_graph),
        thousands(d.unique_reach_graph)
    );
    for p in &d.by_platform {
        let _ = writeln!(
            s,
            "     reached on {:<10} {:>10} graph people",
            p.name,
            thousands(p.people)
        );
    }
    let _ = writeln!(
        s,
        "\n2. Audience overlap of the {} largest creators",
        d.overlap.accounts.len()
    );
    for line in overlap(&d.overlap, 8).lines() {
        let _ = writeln!(s, "   {line}");
    }
    let _ = writeln!(
        s,
        "\n3. Reach ladder: each step adds the creator who adds the most new people"
    );
    let mut t = String::new();
    steps_table(&mut t, &d.ladder);
    for line in t.lines() {
        let _ = writeln!(s, "   {line}");
    }
    let _ = writeln!(
        s,
        "\n4. Budgeted pick, every creator at the program rate of {} per month",
        money(
            d.budget_pick
                .steps
                .first()
                .and_then(|st| st.cost)
                .unwrap_or(0.0)
        )
    );
    for line in budget_pick(&d.budget_pick).lines() {
        let _ = writeln!(s, "   {line}");
    }
    let rc = &d.rate_card_pick;
    let _ = writeln!(
        s,
        "\n   priced by the tier rate card instead (an assumption): {} accounts for {}, reaching {} distinct people;\n   the first ten picks:",
        rc.accounts.len(),
        money(rc.total_cost),
        thousands(rc.people)
    );
    let mut t = String::new();
    steps_table(&mut t, &rc.steps[..rc.steps.len().min(10)]);
    for line in t.lines() {
        let _ = writeln!(s, "   {line}");
    }
    let _ = writeln!(s, "\nAssumptions (modelled, not measured):");
    for a in &d.assumptions {
        let _ = writeln!(s, "  - {a}");
    }
    let _ = writeln!(
        s,
        "\n5. Could this pick move the 2024 result? A margin simulation of its campaign"
    );
    for line in margin(&d.margin, 10).lines() {
        let _ = writeln!(s, "   {line}");
    }
    s
}

fn signed_votes(v: f64) -> String {
    let t = thousands(v.abs().round() as u64);
    if v < 0.0 {
        format!("-{t}")
    } else {
        format!("+{t}")
    }
}

/// A margin simulation: the national outcome and the `rows` closest jurisdictions.
pub fn margin(m: &MarginResponse, rows: usize) -> String {
    let r = &m.result;
    let n = &r.national;
    let mut s = String::new();
    let _ = writeln!(
        s,
        "margin simulation on {} for {} ({}) against {}: {} draws (seed {})",
        r.electorate,
        r.candidate_a,
        r.side_a,
        r.candidate_b,
        thousands(r.draws),
        r.seed
    );
    if let Some(c) = &r.campaign {
        let _ = writeln!(
            s,
            "campaign: {} seeds{}, {} exposure{}, {} post(s) each; reaches {} graph people ({} real voters; 95% range {}-{})",
            c.seeds,
            if m.demo_campaign { " (the demo's pick)" } else { "" },
            c.exposure,
            c.hops.map_or(String::new(), |h| format!(" within {h} hops")),
            c.posts_per_creator,
            thousands(c.reached_people.mean.round() as u64),
            thousands(c.reached_voters.mean.round() as u64),
            thousands(c.reached_voters.lo.round() as u64),
            thousands(c.reached_voters.hi.round() as u64)
        );
    }
    let _ = writeln!(
        s,
        "effects per reached voter: persuasion {} ± {}, mobilization {} ± {}, backlash {} ± {}; baseline error sd {} points",
        r.effects.persuasion.mean,
        r.effects.persuasion.sd,
        r.effects.mobilization.mean,
        r.effects.mobilization.sd,
        r.effects.backlash.mean,
        r.effects.backlash.sd,
        r.baseline_error.sd
    );
    let _ = writeln!(
        s,
        "\nelectoral votes of {}: without {:.1} (90% {}-{}), with {:.1} (90% {}-{}); {} needed",
        r.candidate_a,
        n.ev_a.without.mean,
        n.ev_a.without.p05,
        n.ev_a.without.p95,
        n.ev_a.with.mean,
        n.ev_a.with.p05,
        n.ev_a.with.p95,
        n.majority
    );
    let _ = writeln!(
        s,
        "P(majority): without {}, with {}; change {:+.2} points (se {:.2})",
        pct(n.p_majority.without),
        pct(n.p_majority.with),
        100.0 * n.delta_p_majority,
        100.0 * n.delta_p_majority_stderr
    );
    let _ = writeln!(
        s,
        "net votes added to the margin: {} (95% range {} to {}){}",
        signed_votes(n.net_votes.mean),
        signed_votes(n.net_votes.lo),
        signed_votes(n.net_votes.hi),
        match (n.cost, n.cost_per_net_vote) {
            (Some(c), Some(per)) =>
                format!("; {} spent, ${per:.2} per expected net vote", money(c)),
            (Some(c), None) => format!("; {} spent, no expected net gain", money(c)),
            _ => String::new(),
        }
    );
    let mut js: Vec<_> = r.jurisdictions.iter().collect();
    js.sort_by(|a, b| {
        a.margin_points_without
            .abs()
            .total_cmp(&b.margin_points_without.abs())
            .then(a.id.cmp(&b.id))
    });
    let _ = writeln!(
        s,
        "\nthe {} closest jurisdictions (margins of {}, votes):",
        rows.min(js.len()),
        r.candidate_a
    );
    let _ = writeln!(
        s,
        "  {:<7} {:>3} {:>11} {:>8} {:>12} {:>21} {:>7} {:>7} {:>6} {:>7} {:>10}",
        "id",
        "EV",
        "margin",
        "points",
        "change",
        "95% range",
        "P(win)",
        "with",
        "flip",
        "tipping",
        "break-even"
    );
    for j in js.iter().take(rows) {
        let _ = writeln!(
            s,
            "  {:<7} {:>3} {:>11} {:>+8.2} {:>12} {:>21} {:>7} {:>7} {:>6} {:>7} {:>10}",
            j.id,
            j.electoral_votes,
            signed_votes(j.margin_a_without),
            j.margin_points_without,
            signed_votes(j.delta_votes.mean),
            format!(
                "[{}, {}]",
                signed_votes(j.delta_votes.lo),
                signed_votes(j.delta_votes.hi)
            ),
            pct(j.p_win_a_without),
            pct(j.p_win_a_with),
            pct(j.p_flip),
            pct(j.tipping_point_share),
            j.break_even_effect
                .map_or("-".into(), |b| if b.abs() > 1.0 {
                    "none".into()
                } else {
                    format!("{:+.2}%", 100.0 * b)
                })
        );
    }
    let _ = writeln!(
        s,
        "  break-even: the persuasion rate per reached voter that would flip the expected outcome\n  (\"none\": not even persuading everyone reached would)."
    );
    if !r.sensitivity.is_empty() {
        let _ = writeln!(s, "\nsensitivity (one effect at a time, the others 0):");
        let _ = writeln!(
            s,
            "  {:<13} {:>8} {:>12} {:>10} {:>12} {:>8}",
            "effect", "rate", "P(majority)", "change", "net votes", "flips"
        );
        for p in &r.sensitivity {
            let _ = writeln!(
                s,
                "  {:<13} {:>7.2}% {:>12} {:>+9.2}p {:>12} {:>8.2}",
                p.effect,
                100.0 * p.value,
                pct(p.p_majority_with),
                100.0 * p.delta_p_majority,
                signed_votes(p.net_votes_mean),
                p.expected_flips
            );
        }
    }
    if !m.budgets.is_empty() {
        let _ = writeln!(s, "\nbudget sweep (seeds by swing-state voter reach):");
        for b in &m.budgets {
            let p = &b.point;
            let _ = writeln!(
                s,
                "  {:>12}: {} seeds, {} spent, P(majority) {} ({:+.2}p), {:+.3}p per $100k",
                money(p.budget),
                p.seed_count,
                money(p.cost),
                pct(p.p_majority_with),
                100.0 * p.delta_p_majority,
                100.0 * p.marginal_p_per_dollar * 100_000.0
            );
        }
    }
    let _ = writeln!(s, "\nassumptions (modelled, not measured):");
    for a in &r.assumptions {
        let _ = writeln!(s, "  - {}: {}. {}", a.name, a.value, a.source);
    }
    s
}

fn objective_unit(o: reachgraph_core::rrset::RootDistribution) -> &'static str {
    match o {
        reachgraph_core::rrset::RootDistribution::Uniform => "accounts",
        reachgraph_core::rrset::RootDistribution::People => "people",
        reachgraph_core::rrset::RootDistribution::TargetWeighted => "target weight",
    }
}

fn estimate_line(e: &reachgraph_core::Estimate) -> String {
    format!(
        "{:.1} ± {:.1} (95% interval {:.1} – {:.1})",
        e.mean, e.stderr, e.ci95_low, e.ci95_high
    )
}

/// Chosen seeds with their estimate and certificate.
pub fn select(r: &SelectResponse) -> String {
    let mut s = String::new();
    let unit = objective_unit(r.objective);
    let _ = writeln!(
        s,
        "graph: {} accounts, {} people, {} follow edges",
        thousands(r.graph.nodes as u64),
        thousands(r.graph.people as u64),
        thousands(r.graph.edges as u64)
    );
    use reachgraph_core::select::Algorithm;
    let algo = match r.algorithm {
        Algorithm::OpimC => "OPIM-C",
        Algorithm::Imm => "IMM",
        Algorithm::Degree => "baseline: out-degree (most followers)",
        Algorithm::DegreeDiscount => "baseline: degree discount (Chen, Wang, Yang 2009)",
        Algorithm::PageRank => "baseline: PageRank on the follower graph",
        Algorithm::Random => "baseline: random accounts",
    };
    let mode = match r.mode {
        reachgraph_core::select::Mode::Guarantee => "guarantee",
        reachgraph_core::select::Mode::Quality => "quality",
    };
    let _ = writeln!(
        s,
        "{algo}, {mode} mode, {} model, epsilon {}, spread counted in {unit}",
        r.model.name().to_uppercase(),
        r.epsilon
    );
    let _ = writeln!(s);
    let _ = writeln!(
        s,
        "{:>4}  {:<24} {:>14} {:>14}{}",
        "#",
        "account",
        "marginal gain",
        "cumulative",
        if r.total_cost.is_some() {
            "           cost"
        } else {
            ""
        }
    );
    for (i, st) in r.steps.iter().enumerate() {
        let cost = st
            .cost
            .map_or(String::new(), |c| format!(" {:>14}", money(c)));
        let _ = writeln!(
            s,
            "{:>4}  {:<24} {:>14.1} {:>14.1}{cost}",
            i + 1,
            st.account.to_string(),
            st.marginal_gain,
            st.cumulative
        );
    }
    let _ = writeln!(s);
    let _ = writeln!(
        s,
        "expected spread (out of sample): {}",
        estimate_line(&r.estimate)
    );
    let _ = writeln!(
        s,
        "in-sample spread:                {:.1} ({})",
        r.in_sample,
        if r.baseline.is_some() {
            "on the certificate's sets, which did not rank the seeds"
        } else {
            "greedy's own sets; runs high"
        }
    );
    if let Some(c) = r.total_cost {
        let _ = writeln!(
            s,
            "total cost:                      {} ({})",
            money(c),
            r.method
        );
    }
    if let Some(b) = &r.baseline {
        if let Some(p) = b.discount_p {
            let _ = writeln!(
                s,
                "degree discount p:               {p:.4} (mean edge probability, assumed uniform)"
            );
        }
        if let (Some(d), Some(it), Some(tol), Some(res)) = (
            b.pagerank_damping,
            b.pagerank_iterations,
            b.pagerank_tolerance,
            b.pagerank_residual,
        ) {
            let _ = writeln!(
                s,
                "PageRank:                        damping {d}, {it} iterations, L1 change {res:.1e} (tolerance {tol:.0e})"
            );
        }
        let _ = writeln!(
            s,
            "certified approximation:         {} of the optimum (a baseline has no target; probability ≥ 1 − {:.2e})",
            pct(r.approximation),
            r.delta
        );
    } else {
        let _ = writeln!(
            s,
            "certified approximation:         {} of the optimum (target {}; probability ≥ 1 − {:.2e})",
            pct(r.approximation),
            pct(r.guarantee),
            r.delta
        );
    }
    let _ = writeln!(
        s,
        "RR sets:                         {} ({} selection, {} validation), {} rounds, stopped by {}",
        thousands(r.rr_sets),
        thousands(r.selection_sets),
        thousands(r.validation_sets),
        r.rounds,
        serde_json::to_value(r.stopped_by)
            .ok()
            .and_then(|v| v.as_str().map(str::to_string))
            .unwrap_or_default()
    );
    let t = &r.timings;
    let _ = writeln!(
        s,
        "time:                            {:.3} s (sampling {:.3}, indexing {:.3}, greedy {:.3}, evaluation {:.3})",
        r.time_s, t.sampling_s, t.indexing_s, t.greedy_s, t.evaluation_s
    );
    let _ = writeln!(
        s,
        "RR store:                        {:.1} MiB (peak {:.1} MiB)",
        r.rr_store_bytes as f64 / (1 << 20) as f64,
        r.peak_rr_bytes as f64 / (1 << 20) as f64
    );
    s
}

/// A seed set's spread estimate.
pub fn evaluate(r: &EvaluateResponse) -> String {
    let mut s = String::new();
    let _ = writeln!(
        s,
        "{} seeds, {} model, spread counted in {}",
        r.seeds.len(),
        r.model.name().to_uppercase(),
        objective_unit(r.objective)
    );
    let _ = writeln!(s, "expected spread: {}", estimate_line(&r.estimate));
    let _ = writeln!(
        s,
        "RR sets: {} (seed {}), {:.3} s",
        thousands(r.rr_sets),
        r.seed,
        r.time_s
    );
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thousands_separators() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1000), "1,000");
        assert_eq!(thousands(1234567), "1,234,567");
        assert_eq!(money(8000.4), "$8,000");
    }
}
