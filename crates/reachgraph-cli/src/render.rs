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
        Response::Report(r) => report(&r.body),
        Response::Plan(r) => plan(&r.body),
        Response::Compare(r) => compare(&r.body),
    }
}

/// Sketch responses as text: a headline for a reach estimate, then each field of the response
/// as `name: value`, lists of records as tables and matrices as account-by-account tables
/// (each estimate's `*_error` table follows it). `--json` prints the same fields as JSON.
fn sketch(resp: &Response) -> String {
    let json = serde_json::to_value(resp).expect("responses serialize");
    let mut s = String::new();
    if let Some(r) = json.get("reach").filter(|r| r.is_object()) {
        headline(&mut s, r);
    }
    headline(&mut s, &json);
    let labels: Vec<String> = json["accounts"]
        .as_array()
        .map(|a| a.iter().map(scalar).collect())
        .unwrap_or_default();
    sketch_fields(&mut s, "", &json, &labels);
    s
}

fn headline(s: &mut String, json: &serde_json::Value) {
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
}

/// A JSON scalar as text: integers with thousands separators, other numbers to 4 significant
/// digits, strings as they are.
fn scalar(v: &serde_json::Value) -> String {
    match v {
        serde_json::Value::Null => "-".to_string(),
        serde_json::Value::Bool(b) => b.to_string(),
        serde_json::Value::String(t) => t.clone(),
        serde_json::Value::Number(n) => match (n.as_u64(), n.as_f64()) {
            (Some(u), _) => thousands(u),
            (None, Some(x)) if x.fract() == 0.0 && x.abs() < 1e15 => {
                let t = thousands(x.abs() as u64);
                if x < 0.0 {
                    format!("-{t}")
                } else {
                    t
                }
            }
            (None, Some(x)) if x != 0.0 && (x.abs() >= 1e6 || x.abs() < 1e-3) => format!("{x:.3e}"),
            (None, Some(x)) => {
                let digits = (4 - (x.abs().log10().floor() as i32 + 1)).clamp(0, 6) as usize;
                format!("{x:.digits$}")
            }
            (None, None) => n.to_string(),
        },
        other => other.to_string(),
    }
}

fn is_scalar(v: &serde_json::Value) -> bool {
    !v.is_array() && !v.is_object()
}

fn sketch_fields(s: &mut String, prefix: &str, v: &serde_json::Value, labels: &[String]) {
    let Some(map) = v.as_object() else { return };
    // Scalars first, then nested objects, then lists and tables.
    for (k, x) in map.iter().filter(|(_, x)| is_scalar(x)) {
        let _ = writeln!(s, "{prefix}{k}: {}", scalar(x));
    }
    for (k, x) in map.iter().filter(|(_, x)| x.is_object()) {
        sketch_fields(s, &format!("{prefix}{k}."), x, labels);
    }
    for (k, x) in map.iter() {
        let Some(items) = x.as_array() else { continue };
        let name = format!("{prefix}{k}");
        if items.iter().all(is_scalar) {
            let shown: Vec<String> = items.iter().take(20).map(scalar).collect();
            let more = if items.len() > 20 {
                format!(", ... {} more", items.len() - 20)
            } else {
                String::new()
            };
            let _ = writeln!(s, "{name}: {}{more}", shown.join(", "));
        } else if items.iter().all(|r| r.is_array()) {
            matrix(s, &name, items, labels);
        } else if items.iter().all(|r| r.is_object()) {
            records(s, &name, items);
        }
    }
}

/// A list of records as a table: one column per scalar field of the first record.
fn records(s: &mut String, name: &str, items: &[serde_json::Value]) {
    let Some(first) = items.first().and_then(|r| r.as_object()) else {
        let _ = writeln!(s, "{name}: (none)");
        return;
    };
    let cols: Vec<&String> = first
        .iter()
        .filter(|(_, x)| is_scalar(x))
        .map(|(k, _)| k)
        .collect();
    let rows: Vec<Vec<String>> = items
        .iter()
        .map(|r| cols.iter().map(|c| scalar(&r[c.as_str()])).collect())
        .collect();
    let widths: Vec<usize> = cols
        .iter()
        .enumerate()
        .map(|(i, c)| {
            rows.iter()
                .map(|r| r[i].chars().count())
                .chain([c.chars().count()])
                .max()
                .unwrap_or(0)
        })
        .collect();
    let _ = writeln!(s, "\n{name}:");
    let line = |cells: Vec<String>| {
        let mut l = String::from(" ");
        for (c, w) in cells.iter().zip(&widths) {
            let _ = write!(l, " {c:>w$}");
        }
        l
    };
    let _ = writeln!(s, "{}", line(cols.iter().map(|c| c.to_string()).collect()));
    for r in rows {
        let _ = writeln!(s, "{}", line(r));
    }
}

/// A matrix as a table, rows and columns named by the response's accounts (when it has as many).
fn matrix(s: &mut String, name: &str, rows: &[serde_json::Value], labels: &[String]) {
    const MAX: usize = 12;
    let n = rows.len();
    let label = |i: usize| {
        if labels.len() == n {
            short(&labels[i], 12)
        } else {
            format!("#{}", i + 1)
        }
    };
    let _ = writeln!(s, "\n{name}:");
    let mut head = format!("  {:<12}", "");
    for j in 0..n.min(MAX) {
        let _ = write!(head, " {:>12}", label(j));
    }
    let _ = writeln!(s, "{head}");
    for (i, r) in rows.iter().enumerate().take(MAX) {
        let mut l = format!("  {:<12}", label(i));
        for x in r.as_array().into_iter().flatten().take(MAX) {
            let _ = write!(l, " {:>12}", scalar(x));
        }
        let _ = writeln!(s, "{l}");
    }
    if n > MAX {
        let _ = writeln!(
            s,
            "  ... {} more rows and columns (--json for all)",
            n - MAX
        );
    }
}

/// The reach of a seed set.
pub fn reach(r: &ReachResponse) -> String {
    let mut s = String::new();
    graph_line(&mut s, &r.graph);
    let _ = writeln!(
        s,
        "seeds:                 {} accounts",
        thousands(r.seeds as u64)
    );
    let _ = writeln!(
        s,
        "summed followers:      {} follows in the graph (a person following two seeds counts twice)",
        thousands(r.summed_followers)
    );
    if let Some(stated) = r.summed_followers_stated {
        let _ = writeln!(
            s,
            "stated followers:      {} followers (the attributes' real-world counts, summed; not\n                       comparable with the graph's follows)",
            thousands(stated)
        );
    }
    let _ = writeln!(
        s,
        "distinct people:       {} graph people  ({} of the summed graph follows)",
        thousands(r.unique_reach),
        pct(r.dedup_ratio)
    );
    let _ = writeln!(
        s,
        "distinct accounts:     {} accounts",
        thousands(r.unique_accounts)
    );
    if let Some(e) = &r.expected {
        let _ = writeln!(
            s,
            "expected graph people seeing at least one of {} post(s) per seed: {:.1} (sd {:.1})",
            e.posts_per_seed,
            e.expected_people,
            e.variance_people.sqrt()
        );
        let _ = writeln!(s, "  expected graph people by number of exposures:");
        for (k, f) in e.frequency.iter().enumerate().skip(1).take(10) {
            let _ = writeln!(s, "    {k:>3}x  {f:>12.1}");
        }
    }
    breakdown(&mut s, "by platform", &r.by_platform);
    breakdown(&mut s, "by jurisdiction", &r.by_jurisdiction);
    s
}

/// `graph: N accounts, M graph people, E follow edges`.
fn graph_line(s: &mut String, g: &reachgraph_api::GraphSummary) {
    let _ = writeln!(
        s,
        "graph: {} accounts, {} graph people, {} follow edges",
        thousands(g.nodes as u64),
        thousands(g.people as u64),
        thousands(g.edges as u64)
    );
}

fn breakdown(s: &mut String, title: &str, rows: &[reachgraph_core::reach::ReachBreakdown]) {
    if rows.len() <= 1 && rows.first().is_none_or(|r| r.name == "(none)") {
        return;
    }
    let sum: u64 = rows.iter().map(|r| r.people).sum();
    let _ = writeln!(
        s,
        "{title} (graph people; rows sum to {}: a person reached in two rows counts in both):",
        thousands(sum)
    );
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
    let _ = writeln!(
        s,
        "{:<14} {:>10}  (audience: distinct graph people following the account)",
        "account", "audience"
    );
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
        let _ = writeln!(s, "\noverlap graph: {} edges (Jaccard)", edges.len());
        for e in edges.iter().take(30) {
            let _ = writeln!(s, "  {} -- {}  {:.3}", e.a, e.b, e.jaccard);
        }
    }
    s
}

fn steps_table(s: &mut String, steps: &[Step]) {
    let _ = writeln!(
        s,
        "{:>3}  {:<14} {:<10} {:<6} {:>11} {:>10} {:>10} {:>11} {:>10}",
        "#", "account", "platform", "tier", "followers", "graph fol.", "+people", "people", "cost"
    );
    for (i, st) in steps.iter().enumerate() {
        let _ = writeln!(
            s,
            "{:>3}  {:<14} {:<10} {:<6} {:>11} {:>10} {:>10} {:>11} {:>10}",
            i + 1,
            short(&st.account, 14),
            st.platform.as_deref().unwrap_or("-"),
            st.tier,
            st.followers_stated.map_or("-".to_string(), thousands),
            thousands(st.graph_followers),
            thousands(st.marginal_people),
            thousands(st.cumulative_people),
            st.cost.map_or("-".to_string(), money)
        );
    }
    let _ = writeln!(
        s,
        "  followers: stated (real-world) count from the attributes (- when none is given); graph fol.:\n  follow edges in the graph; +people, people: graph people added, and reached so far; cost: USD"
    );
}

/// Monte Carlo spread.
pub fn spread(r: &SpreadResponse) -> String {
    let mut s = String::new();
    let _ = writeln!(
        s,
        "{} spread of {} seed accounts{}: {} trials (seed {}){}",
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
        ("graph people", &r.people),
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
        let _ = writeln!(s, "by jurisdiction (graph people, mean ± se):");
        for j in r.by_jurisdiction.iter().take(15) {
            let _ = writeln!(
                s,
                "  {:<8} {:>10.2} ± {:.2}",
                j.jurisdiction, j.people.mean, j.people.stderr
            );
        }
    }
    if let Some(p) = &r.node_probabilities {
        let _ = writeln!(s, "most likely activated accounts (probability):");
        for n in p.iter().take(15) {
            let _ = writeln!(s, "  {:<16} {:.4}", n.account, n.p);
        }
    }
    s
}

/// The greedy reach ladder.
pub fn ladder(r: &LadderResponse) -> String {
    let mut s = String::new();
    graph_line(&mut s, &r.graph);
    let _ = writeln!(
        s,
        "greedy reach ladder (maximizing {}):",
        match r.objective {
            reachgraph_core::coverage::Objective::People => "distinct graph people",
            reachgraph_core::coverage::Objective::TargetWeight => "target weight",
        }
    );
    steps_table(&mut s, &r.steps);
    s
}

/// A budgeted pick.
pub fn budget_pick(r: &BudgetPickResponse) -> String {
    let mut s = format!(
        "budget {}: {} accounts for {}, reaching {} distinct graph people ({}; guaranteed ≥ {:.0}% of the best possible)\n",
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
    let scale = thousands(sc.scale.round() as u64);
    let _ = writeln!(
        s,
        "reachgraph demo: a generated campaign population (seed {})\n  {} graph people holding {} accounts on {} platforms ({}); {} creator accounts held by {} creators; {} follow edges.\n  Scale: each graph person stands for {} real people (national voting-eligible population / graph people).\n  Units below: \"graph people\" are people of the generated graph; \"real people\" are graph people x {}.\n",
        sc.seed,
        thousands(sc.people as u64),
        thousands(sc.accounts as u64),
        sc.platforms.len(),
        sc.platforms.join(", "),
        thousands(sc.creators as u64),
        thousands(sc.creator_people as u64),
        thousands(sc.edges as u64),
        scale,
        scale
    );
    let _ = writeln!(
        s,
        "1. Follower counts vs. distinct people: the {} largest creator accounts ({} creators; one creator may hold accounts on several platforms)",
        d.creators, d.distinct_creators
    );
    let _ = writeln!(
        s,
        "   summed follower counts:  {:>14} real followers (stated; a person following two of the accounts counts twice)\n   distinct people reached: {:>14} real people  ({} of the summed counts)",
        thousands(d.summed_followers),
        thousands(d.unique_reach),
        pct(d.dedup_ratio)
    );
    let _ = writeln!(
        s,
        "   (in the graph: {} follows, {} distinct graph people)",
        thousands(d.summed_followers_graph),
        thousands(d.unique_reach_graph)
    );
    let platform_sum: u64 = d.by_platform.iter().map(|p| p.people).sum();
    for p in &d.by_platform {
        let _ = writeln!(
            s,
            "     reached on {:<10} {:>10} graph people",
            p.name,
            thousands(p.people)
        );
    }
    if !d.by_platform.is_empty() {
        let _ = writeln!(
            s,
            "     (platform rows overlap: a person reached on two platforms counts in both, so they sum to\n      {} graph people against {} distinct)",
            thousands(platform_sum),
            thousands(d.unique_reach_graph)
        );
    }
    let _ = writeln!(
        s,
        "\n2. Audience overlap of the {} largest creator accounts (audiences in graph people)",
        d.overlap.accounts.len()
    );
    for line in overlap(&d.overlap, 8).lines() {
        let _ = writeln!(s, "   {line}");
    }
    let _ = writeln!(
        s,
        "\n3. Reach ladder: each step adds the creator account that adds the most new graph people\n   (followers: stated real followers; graph fol.: the account's follows in the graph; cost: rate card, an assumption)"
    );
    let mut t = String::new();
    steps_table(&mut t, &d.ladder);
    for line in t.lines() {
        let _ = writeln!(s, "   {line}");
    }
    let _ = writeln!(
        s,
        "\n4. Budgeted pick, every creator account at the program rate of {} per month",
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
    let _ = writeln!(
        s,
        "   = about {} real people at {} real people per graph person",
        thousands((d.budget_pick.people as f64 * sc.scale).round() as u64),
        scale
    );
    let rc = &d.rate_card_pick;
    let _ = writeln!(
        s,
        "\n   priced by the tier rate card instead (an assumption): {} accounts for {}, reaching {} distinct graph people\n   (about {} real people); the first ten picks:",
        rc.accounts.len(),
        money(rc.total_cost),
        thousands(rc.people),
        thousands((rc.people as f64 * sc.scale).round() as u64)
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
        "\n5. Could this pick move the 2024 result? A margin simulation of its campaign\n   (its reach counts graph people who see at least one post at the tiers' organic reach rates,\n   fewer than the {} graph people who follow a picked account)",
        thousands(d.budget_pick.people)
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
    if let Some(e) = &m.ensemble {
        let _ = writeln!(
            s,
            "margin simulation on {} synthetic graphs drawn from a creator table (parameters {}; scale {} real people per graph person):",
            e.realizations,
            fit_status(e.parameters),
            e.scale
                .iter()
                .map(|x| x.to_string())
                .collect::<Vec<_>>()
                .join(",")
        );
        for q in &e.quantities {
            let _ = writeln!(
                s,
                "  {:<30} mean {:.6}, 90% interval {:.6} to {:.6}{}  [{}]",
                q.name,
                q.mean,
                q.low,
                q.high,
                q.mc_stderr
                    .map(|x| format!(" (Monte Carlo error within a realization ±{x:.6})"))
                    .unwrap_or_default(),
                q.unit
            );
            if q.distinguishable_from_zero == Some(false) {
                let _ = writeln!(
                    s,
                    "  {:<30} not distinguishable from zero: |mean| is within twice its Monte Carlo error",
                    ""
                );
            }
        }
        let _ = writeln!(s, "  {}", e.note);
        let _ = writeln!(s, "\nthe first realization in detail:");
    }
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
            "campaign: {} seed accounts{}, {} exposure{}, {} post(s) each; reaches {} graph people (expected) = {} real\n  eligible voters (modelled; 95% range {}-{})",
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
        "effects per reached voter (rates): persuasion {} ± {}, mobilization {} ± {}, backlash {} ± {}; baseline error sd {} margin points",
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
        "P(majority): without {}, with {}; change {:+.2} percentage points of probability (se {:.2})",
        pct(n.p_majority.without),
        pct(n.p_majority.with),
        100.0 * n.delta_p_majority,
        100.0 * n.delta_p_majority_stderr
    );
    let _ = writeln!(
        s,
        "net real votes added to the margin (modelled): {} (95% range {} to {}){}",
        signed_votes(n.net_votes.mean),
        signed_votes(n.net_votes.lo),
        signed_votes(n.net_votes.hi),
        match (n.cost, n.cost_per_net_vote) {
            (Some(c), Some(per)) => format!(
                "; {} spent, {} per expected net vote\n  (Monte Carlo interval {} over the draws; {})",
                money(c),
                per_vote(per),
                price_interval(c, n.net_votes.mean, n.net_votes_mc_stderr),
                cost_per_vote_range(c, n.net_votes.lo, n.net_votes.hi)
            ),
            (Some(c), None) => format!("; {} spent", money(c)),
            _ => String::new(),
        }
    );
    let _ = writeln!(
        s,
        "  expected net votes {} with Monte Carlo s.e. {:.1} (common random numbers: the same baseline draws with and without the campaign)",
        signed_votes(n.net_votes.mean),
        n.net_votes_mc_stderr
    );
    if let Some(why) = &n.cost_per_net_vote_reason {
        let _ = writeln!(s, "  no cost per net vote: {why}");
    }
    if !n.cost_curve.is_empty() {
        s.push_str(&cost_curve_table(n));
    }
    let js = closest_first(r);
    let _ = writeln!(
        s,
        "\nthe {} closest jurisdictions (margins of {} in real votes and margin points):",
        rows.min(js.len()),
        r.candidate_a
    );
    let _ = writeln!(
        s,
        "  {:<7} {:>3} {:>11} {:>8} {:>12} {:>21} {:>7} {:>7} {:>6} {:>7}",
        "id", "EV", "margin", "mrg pts", "change", "95% range", "P(win)", "with", "flip", "tipping"
    );
    for j in js.iter().take(rows) {
        let _ = writeln!(
            s,
            "  {:<7} {:>3} {:>11} {:>+8.2} {:>12} {:>21} {:>7} {:>7} {:>6} {:>7}",
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
            pct(j.tipping_point_share)
        );
    }
    let _ = writeln!(
        s,
        "  change and 95% range: real votes; P(win), with, flip, tipping: probabilities."
    );
    s.push_str(&break_even_table(r, &js[..rows.min(js.len())]));
    if !r.sensitivity.is_empty() {
        let _ = writeln!(s, "\nsensitivity (one effect at a time, the others 0):");
        let _ = writeln!(
            s,
            "  {:<13} {:>8} {:>12} {:>10} {:>12} {:>8}",
            "effect", "rate", "P(majority)", "change", "net votes", "flips"
        );
        let _ = writeln!(
            s,
            "  (change: percentage points of probability; net votes: real votes; flips: expected jurisdictions)"
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
        let _ = writeln!(
            s,
            "\nbudget sweep (seeds by voter reach in the target jurisdictions: {}; p: percentage points of probability):",
            r.target_rule
        );
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

/// Dollars per vote: cents below $100, whole dollars with separators above.
fn per_vote(v: f64) -> String {
    if v < 100.0 {
        format!("${v:.2}")
    } else {
        money(v)
    }
}

/// A rate per reached voter as a signed percentage (`+0.42%`), `none` beyond ±100% (no rate
/// could), `-` when there is none (nobody reached).
fn rate_pct(v: Option<f64>) -> String {
    match v {
        None => "-".into(),
        Some(b) if b.abs() > 1.0 => "none".into(),
        Some(b) => format!("{:+.2}%", 100.0 * b),
    }
}

/// The Monte Carlo interval of a cost per net vote: cost over expected net votes ± 2 standard
/// errors, or why it has no upper end.
fn price_interval(cost: f64, net: f64, se: f64) -> String {
    let (lo, hi) = (net - 2.0 * se, net + 2.0 * se);
    if lo > 0.0 {
        format!("{} to {}", per_vote(cost / hi), per_vote(cost / lo))
    } else {
        format!("{} and up", per_vote(cost / hi.max(f64::MIN_POSITIVE)))
    }
}

/// How to read the net votes an assumed rate buys (± 2 standard errors): `priced`, `no cost
/// given`, `not distinguishable from zero` or `loses votes`.
pub(crate) fn cost_reading(cost: Option<f64>, net: f64, se: f64) -> &'static str {
    if net + 2.0 * se < 0.0 {
        "loses votes (the reached audience leans to the other side)"
    } else if net - 2.0 * se <= 0.0 {
        "not distinguishable from zero"
    } else if cost.is_none() {
        "no cost given (--cost, or seed costs)"
    } else {
        "priced"
    }
}

/// What an assumed rate buys, in words: a price with its interval, or why there is none.
fn cost_cell(cost: Option<f64>, net: f64, se: f64) -> String {
    match (cost_reading(cost, net, se), cost) {
        ("priced", Some(c)) => format!("{} [{}]", per_vote(c / net), price_interval(c, net, se)),
        (why, _) => why.to_string(),
    }
}

/// The cost curve as a table: at each assumed rate, net votes (± 2 Monte Carlo standard
/// errors) and the cost per net vote with its interval.
fn cost_curve_table(n: &reachgraph_core::margin::National) -> String {
    let mut s = String::new();
    let _ = writeln!(
        s,
        "\ncost per net vote at an assumed effect rate (modelled: one effect at a time at a fixed rate, the others 0;\n  net votes in real votes with ±2 Monte Carlo standard errors over exposure realizations; price [interval]):"
    );
    let _ = writeln!(
        s,
        "  {:<13} {:>9} {:>26}   cost per net vote",
        "effect", "rate", "net votes"
    );
    for c in &n.cost_curve {
        let _ = writeln!(
            s,
            "  {:<13} {:>8.2}% {:>26}   {}",
            c.effect,
            100.0 * c.rate,
            format!(
                "{} ± {}",
                signed_votes(c.net_votes),
                thousands((2.0 * c.net_votes_mc_stderr).round() as u64)
            ),
            cost_cell(n.cost, c.net_votes, c.net_votes_mc_stderr)
        );
    }
    let _ = writeln!(
        s,
        "  rates: persuasion, the net switch rate per reached voter (acting on the persuadable share);\n  mobilization, per reached non-voter. Read \"at 0.5% persuasion this costs $X a vote\" against the field\n  evidence in the assumptions below."
    );
    s
}

/// The effect needed to flip each of the given jurisdictions (break-even), with its 95% range
/// over exposure realizations, and the legend of negative values.
fn break_even_table(
    r: &reachgraph_core::margin::MarginResult,
    js: &[&reachgraph_core::margin::JurisdictionOutcome],
) -> String {
    let mut s = String::new();
    let range = |v: Option<[f64; 2]>| {
        v.map_or(String::new(), |[a, b]| {
            format!("[{}, {}]", rate_pct(Some(a)), rate_pct(Some(b)))
        })
    };
    let _ = writeln!(
        s,
        "\neffect needed to flip the expected outcome (break-even rate per reached voter; 95% range over exposure\n  realizations, a Monte Carlo figure):"
    );
    let _ = writeln!(
        s,
        "  {:<7} {:>8} {:>11} {:>22} {:>12} {:>22}",
        "id", "mrg pts", "persuasion", "95% range", "mobilization", "95% range"
    );
    for j in js {
        let _ = writeln!(
            s,
            "  {:<7} {:>+8.2} {:>11} {:>22} {:>12} {:>22}",
            j.id,
            j.margin_points_without,
            rate_pct(j.break_even_effect),
            range(j.break_even_effect_range),
            rate_pct(j.break_even_mobilization),
            range(j.break_even_mobilization_range)
        );
    }
    let (a, b) = (&r.candidate_a, &r.candidate_b);
    let _ = writeln!(
        s,
        "  positive: the rate that would flip a state where {a} trails (persuasion: reached\n  {b} voters switching; mobilization: reached non-voters turning out). \"none\": no rate\n  up to 100% could; \"-\": nobody reached there.\n  negative where {a} trails: the campaign's reached audience leans to the other side ({b}),\n  so mobilising it costs {a} votes; the figure is the demobilisation that would flip it,\n  which no campaign aims for: only persuasion or a different audience helps.\n  negative where {a} leads: the net backlash or demobilisation that would lose it."
    );
    s
}

/// The range of cost per net vote over the 95% range of net votes, or why there is none.
fn cost_per_vote_range(cost: f64, lo: f64, hi: f64) -> String {
    if lo > 0.0 {
        format!(
            "${:.2} to ${:.2} per net vote over the 95% range of net votes",
            cost / hi,
            cost / lo
        )
    } else {
        "the 95% range of net votes reaches zero or below, so the cost per net vote is unbounded"
            .to_string()
    }
}

/// Jurisdictions by the size of their baseline margin in points, closest first (ties by id).
pub(crate) fn closest_first(
    r: &reachgraph_core::margin::MarginResult,
) -> Vec<&reachgraph_core::margin::JurisdictionOutcome> {
    let mut js: Vec<_> = r.jurisdictions.iter().collect();
    js.sort_by(|a, b| {
        a.margin_points_without
            .abs()
            .total_cmp(&b.margin_points_without.abs())
            .then(a.id.cmp(&b.id))
    });
    js
}

/// The unit spread is counted in.
pub(crate) fn objective_unit(o: reachgraph_core::rrset::RootDistribution) -> &'static str {
    match o {
        reachgraph_core::rrset::RootDistribution::Uniform => "accounts",
        reachgraph_core::rrset::RootDistribution::People => "graph people",
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
    graph_line(&mut s, &r.graph);
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
        "expected spread (out of sample): {} {unit}",
        estimate_line(&r.estimate)
    );
    let _ = writeln!(
        s,
        "in-sample spread:                {:.1} {unit} ({})",
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
    if let Some(st) = &r.stability {
        stability(&mut s, st, unit);
    }
    s
}

/// The `--runs` section: how the answer moves with the random seed.
fn stability(s: &mut String, st: &reachgraph_core::select::Stability, unit: &str) {
    let _ = writeln!(s);
    let _ = writeln!(
        s,
        "stability over {} runs (seeds {} to {}), each run's seeds estimated on the same {} RR sets:",
        st.runs,
        st.seeds.first().copied().unwrap_or_default(),
        st.seeds.last().copied().unwrap_or_default(),
        thousands(st.rr_sets)
    );
    let sp = &st.spread;
    let _ = writeln!(
        s,
        "  expected spread:   mean {:.1}, sd {:.1}, min {:.1}, max {:.1} {unit} (each ± at most {:.1} RR sampling error)",
        sp.mean, sp.sd, sp.min, sp.max, sp.max_stderr
    );
    let _ = writeln!(
        s,
        "  seed-set overlap:  Jaccard mean {:.3}, min {:.3} (over every pair of runs)",
        st.jaccard.mean, st.jaccard.min
    );
    let every: Vec<String> = st.in_every_run.iter().map(|k| k.to_string()).collect();
    let _ = writeln!(
        s,
        "  in every run:      {} accounts{}{}",
        every.len(),
        if every.is_empty() { "" } else { ": " },
        every.join(", ")
    );
    // Accounts of one run only are counted, not listed (the JSON lists every account).
    let several: Vec<_> = st.frequency.iter().filter(|f| f.runs > 1).collect();
    let single = st.frequency.len() - several.len();
    if !several.is_empty() {
        let _ = writeln!(
            s,
            "  {:<24} {:>6} {:>8}",
            "account", "runs", "share of runs"
        );
    }
    for f in several {
        let _ = writeln!(
            s,
            "  {:<24} {:>6} {:>8}",
            f.account.to_string(),
            f.runs,
            pct(f.share)
        );
    }
    if single > 0 {
        let _ = writeln!(
            s,
            "  and {single} accounts chosen by one run each (all in --json: stability.frequency)"
        );
    }
}

/// Seed sets compared on common RR sets.
pub fn compare(r: &reachgraph_api::CompareResponse) -> String {
    let mut s = String::new();
    let unit = objective_unit(r.objective);
    graph_line(&mut s, &r.graph);
    let _ = writeln!(
        s,
        "{} model, expected spread counted in {unit} (modelled: RR-set estimate, seeds included)",
        r.model.name().to_uppercase()
    );
    let _ = writeln!(s);
    let w = r
        .sets
        .iter()
        .map(|x| x.label.chars().count())
        .chain(r.differences.iter().map(|d| d.label.chars().count()))
        .max()
        .unwrap_or(0)
        .max(8);
    let _ = writeln!(
        s,
        "{:<w$}  {:>6}  {:>12}  {:>10}  {:>25}",
        "seed set", "seeds", "spread", "stderr", "95% interval"
    );
    for x in &r.sets {
        let e = &x.estimate;
        let _ = writeln!(
            s,
            "{:<w$}  {:>6}  {:>12.1}  {:>10.2}  {:>25}",
            x.label,
            x.seeds.len(),
            e.mean,
            e.stderr,
            format!("{:.1} – {:.1}", e.ci95_low, e.ci95_high)
        );
    }
    let _ = writeln!(s);
    let _ = writeln!(
        s,
        "{:<w$}  {:>12}  {:>14}  {:>16}  {:>25}",
        "difference (paired)", "mean", "paired stderr", "unpaired stderr", "95% interval"
    );
    for d in &r.differences {
        let _ = writeln!(
            s,
            "{:<w$}  {:>+12.1}  {:>14.2}  {:>16.2}  {:>25}",
            d.label,
            d.paired.mean,
            d.paired.stderr,
            d.paired.unpaired_stderr,
            format!("{:.1} – {:.1}", d.paired.ci95_low, d.paired.ci95_high)
        );
    }
    let _ = writeln!(s);
    let rule = match r.rule {
        reachgraph_core::select::SetsRule::Fixed => "fixed (--samples)".to_string(),
        reachgraph_core::select::SetsRule::AdaptiveTarget => format!(
            "adaptive: every paired stderr ≤ {} of the larger spread",
            pct(r.target_relative_stderr.unwrap_or_default())
        ),
        reachgraph_core::select::SetsRule::AdaptiveCap => format!(
            "adaptive: stopped at the cap before every paired stderr reached {} of the larger spread",
            pct(r.target_relative_stderr.unwrap_or_default())
        ),
    };
    let _ = writeln!(
        s,
        "common RR sets: {} ({rule}), seed {}, {:.3} s",
        thousands(r.rr_sets),
        r.seed,
        r.time_s
    );
    let _ = writeln!(
        s,
        "paired: every set is estimated on the same RR sets, so only sets met by exactly one of two seed sets add to the difference's error"
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
    let _ = writeln!(
        s,
        "expected spread: {} {}",
        estimate_line(&r.estimate),
        objective_unit(r.objective)
    );
    let _ = writeln!(
        s,
        "RR sets: {} (seed {}), {:.3} s",
        thousands(r.rr_sets),
        r.seed,
        r.time_s
    );
    s
}

fn opt_money(v: Option<f64>, cents: bool) -> String {
    match v {
        Some(x) if cents => format!("${x:.2}"),
        Some(x) => money(x),
        None => "n/a".into(),
    }
}

fn people(i: &reachgraph_core::report::Interval) -> String {
    format!(
        "{} (90% interval {} to {})",
        thousands(i.mean.round() as u64),
        thousands(i.low.round() as u64),
        thousands(i.high.round() as u64)
    )
}

/// The campaign read back: reach, ROI, per creator, calibration and effects.
pub fn report(r: &reachgraph_api::report::ReportResponse) -> String {
    let c = &r.report;
    let mut s = String::new();
    let _ = writeln!(
        s,
        "{} posts: {} impressions, {} engagements, {} summed per-post reach (measured)",
        c.posts,
        thousands(c.impressions),
        thousands(c.engagements),
        thousands(c.summed_reach)
    );
    if let Some(m) = &r.model {
        let _ = writeln!(
            s,
            "distinct people reached (modelled, real people): {}",
            people(&c.unique_reach)
        );
        let _ = writeln!(
            s,
            "  eligible voters:                 {}",
            people(&c.eligible_reach)
        );
        let _ = writeln!(
            s,
            "  outside the electorate:          {}",
            people(&m.outside_reach)
        );
    } else {
        let _ = writeln!(
            s,
            "distinct people reached (modelled, graph people): {}",
            people(&c.unique_reach)
        );
        let _ = writeln!(
            s,
            "  eligible (with a jurisdiction):  {}",
            people(&c.eligible_reach)
        );
    }
    let _ = writeln!(
        s,
        "  target ({}): {}",
        c.target_basis,
        people(&c.target_reach)
    );
    if c.non_follower_views > 0 {
        let _ = writeln!(
            s,
            "  plus {} non-follower views (measured, not deduplicated, {})",
            thousands(c.non_follower_views),
            if r.model.is_some() {
                "outside the followers the model places"
            } else {
                "outside the graph"
            }
        );
    }
    if let Some(m) = &r.model {
        if !m.jurisdictions.is_empty() {
            let _ = writeln!(
                s,
                "  eligible voters reached, largest jurisdictions (modelled):"
            );
            for (id, i) in m.jurisdictions.iter().take(8) {
                let _ = writeln!(s, "    {id:<4} {}", people(i));
            }
        }
        let _ = writeln!(
            s,
            "  audience model: {} ({}); population {}",
            fit_status(m.fit.status),
            m.parameters
                .iter()
                .map(|p| format!("{} {:.3} [{:.3}, {:.3}]", p.name, p.value, p.low, p.high))
                .collect::<Vec<_>>()
                .join(", "),
            m.population
        );
    }
    if let Some(f) = c.frequency {
        let _ = writeln!(s, "frequency: {f:.2} impressions per distinct person");
    }
    let roi = &c.roi;
    let _ = writeln!(
        s,
        "\nROI (cost from {}): total {}, CPM {}, per person {}{}, per target person {}, per engagement {}",
        roi.cost_source,
        opt_money(roi.total_cost, false),
        opt_money(roi.cpm, true),
        opt_money(roi.cost_per_person, true),
        roi.cost_per_person_range
            .map(|[a, b]| format!(" (${a:.2} to ${b:.2})"))
            .unwrap_or_default(),
        opt_money(roi.cost_per_target_person, true),
        opt_money(roi.cost_per_engagement, true),
    );
    for n in &roi.notes {
        let _ = writeln!(s, "  note: {n}");
    }
    let _ = writeln!(
        s,
        "\n{:<20} {:>5} {:>12} {:>10} {:>16} {:>10} {:>10} {:>10}",
        "creator", "posts", "impressions", "cost", "reach rate ± se", "reach", "CPM", "per person"
    );
    for cr in &c.creators {
        let _ = writeln!(
            s,
            "{:<20} {:>5} {:>12} {:>10} {:>16} {:>10} {:>10} {:>10}",
            short(&cr.creator, 20),
            cr.posts,
            thousands(cr.impressions),
            opt_money(cr.roi.total_cost, false),
            format!("{:.3} ± {:.3}", cr.reach_rate, cr.reach_rate_se),
            thousands(cr.unique_reach.mean.round() as u64),
            opt_money(cr.roi.cpm, true),
            opt_money(cr.roi.cost_per_person, true),
        );
    }
    if let Some(e) = &r.effects {
        let _ = writeln!(s, "\neffects ({}):", e.method);
        for (name, u) in [
            ("persuasion", &e.persuasion),
            ("mobilization", &e.mobilization),
        ] {
            let ev = u
                .evidence
                .as_ref()
                .map(|v| format!("{:.5} ± {:.5} ({} results)", v.estimate, v.se, v.results))
                .unwrap_or_else(|| "none".into());
            let _ = writeln!(
                s,
                "  {name:<13} prior {:.5} ± {:.5}   evidence {ev}   posterior {:.5} ± {:.5}",
                u.prior.mean, u.prior.sd, u.posterior.mean, u.posterior.sd
            );
        }
    }
    if let Some(cmd) = &r.margin_command {
        let _ = writeln!(s, "\nnext margin run: {cmd}");
    }
    for w in &r.written {
        let _ = writeln!(s, "wrote {w}");
    }
    let _ = writeln!(s, "\nassumptions:");
    for a in &c.assumptions {
        let _ = writeln!(s, "  - {a}");
    }
    let _ = writeln!(s, "units: {}", c.units);
    s
}

/// How a plan's parameters were set, in words.
fn fit_status(s: reachgraph_core::plan::FitStatus) -> &'static str {
    match s {
        reachgraph_core::plan::FitStatus::Fitted => "fitted to the measured overlaps",
        reachgraph_core::plan::FitStatus::Prior => "prior: no overlaps measured",
        reachgraph_core::plan::FitStatus::Independence => "the independence assumption",
    }
}

fn interval(i: &reachgraph_core::plan::ReachInterval) -> String {
    format!(
        "{} (90% interval {} to {})",
        thousands(i.mean.max(0.0).round() as u64),
        thousands(i.low.max(0.0).round() as u64),
        thousands(i.high.max(0.0).round() as u64)
    )
}

fn summary(i: &reachgraph_core::plan::ensemble::Summary) -> String {
    if i.n == 1 {
        format!(
            "{} (one realization: no interval)",
            thousands(i.mean.max(0.0).round() as u64)
        )
    } else {
        format!(
            "{} (90% interval {} to {} over {} realizations)",
            thousands(i.mean.max(0.0).round() as u64),
            thousands(i.low.max(0.0).round() as u64),
            thousands(i.high.max(0.0).round() as u64),
            i.n
        )
    }
}

/// A plan from a creator table: followers, modelled distinct people, jurisdictions, targets,
/// the pick, the parameters with their fit, the ensemble and the assumptions.
pub fn plan(r: &reachgraph_api::plan::PlanResponse) -> String {
    let p = &r.report;
    let mut s = String::new();
    let _ = writeln!(
        s,
        "creator table {}: {} accounts of {} creators{}{}",
        r.inputs.creators,
        p.accounts,
        p.creators,
        r.inputs
            .audience
            .as_ref()
            .map(|a| format!("; audience geography {a}"))
            .unwrap_or_default(),
        r.inputs
            .overlaps
            .as_ref()
            .map(|o| format!("; {} measured overlaps {o}", r.inputs.measured_overlaps))
            .unwrap_or_default(),
    );
    let _ = writeln!(
        s,
        "summed followers (measured; one person following two accounts counts twice): {}",
        thousands(p.summed_followers)
    );
    let _ = writeln!(
        s,
        "distinct real people reached (modelled):  {}",
        interval(&p.unique_reach)
    );
    let _ = writeln!(
        s,
        "  of them outside the electorate (real people, modelled): {}",
        interval(&p.outside_reach)
    );
    if let Some(t) = &p.target {
        let _ = writeln!(
            s,
            "eligible voters reached in the targets {} (modelled): {}",
            t.ids.join(","),
            interval(&t.unique_reach)
        );
        if let Some(rule) = &r.inputs.targets_rule {
            let _ = writeln!(s, "  targets: {rule}");
        }
    }
    let mut rows: Vec<&reachgraph_core::plan::JurisdictionReach> = p
        .jurisdictions
        .iter()
        .filter(|j| j.unique_reach.high > 0.0)
        .collect();
    rows.sort_by(|a, b| b.unique_reach.mean.total_cmp(&a.unique_reach.mean));
    let _ = writeln!(
        s,
        "
eligible voters reached by jurisdiction (modelled; mean and 90% interval):"
    );
    let _ = writeln!(s, "{:<6} {:>12} {:>12} {:>12}", "id", "mean", "low", "high");
    for j in rows {
        let _ = writeln!(
            s,
            "{:<6} {:>12} {:>12} {:>12}",
            j.id,
            thousands(j.unique_reach.mean.round() as u64),
            thousands(j.unique_reach.low.round() as u64),
            thousands(j.unique_reach.high.round() as u64)
        );
    }
    if let Some(k) = &p.pick {
        let _ = writeln!(
            s,
            "
budget {} per month: hire {} creators for {} ({} pick; objective: {})",
            money(k.budget),
            k.creators.len(),
            money(k.spent),
            k.method,
            k.objective
        );
        let _ = writeln!(
            s,
            "{:<24} {:>9} {:>9}  {}",
            "creator",
            "price",
            "accounts",
            if p.target.is_some() {
                "adds (eligible voters of the targets, modelled; mean and 90% interval)"
            } else {
                "adds (real people, modelled; mean and 90% interval)"
            }
        );
        for c in &k.creators {
            let _ = writeln!(
                s,
                "{:<24} {:>9} {:>9}  {}",
                short(&c.creator, 24),
                money(c.price),
                c.accounts.len(),
                interval(&c.adds)
            );
        }
        let _ = writeln!(
            s,
            "the pick reaches ({}, modelled): {}",
            if p.target.is_some() {
                "eligible voters of the targets"
            } else {
                "real people"
            },
            interval(&k.reach)
        );
        if !k.unpriced.is_empty() {
            let _ = writeln!(
                s,
                "{} creators have no price and cannot be hired: {}",
                k.unpriced.len(),
                k.unpriced.join(", ")
            );
        }
    }
    let _ = writeln!(
        s,
        "
parameters ({}; {} prior draws, {:.0} effective{}):",
        fit_status(p.fit.status),
        p.fit.prior_draws,
        p.fit.effective_draws,
        if p.fit.pairs.is_empty() {
            String::new()
        } else {
            format!(
                "; RMS log error over {} measured pairs {:.3}",
                p.fit.pairs.len(),
                p.fit.rms_log_error
            )
        }
    );
    for q in &p.parameters {
        let _ = writeln!(
            s,
            "  {:<16} {:>9.4}  90% {:.4} to {:.4}  ({}; {})",
            q.name,
            q.value,
            q.low,
            q.high,
            fit_status(q.status),
            q.source
        );
    }
    if !p.fit.pairs.is_empty() {
        let _ = writeln!(
            s,
            "measured vs modelled shared followers (worst five by |log ratio|):"
        );
        let mut pairs: Vec<_> = p.fit.pairs.iter().collect();
        pairs.sort_by(|a, b| b.log_ratio.abs().total_cmp(&a.log_ratio.abs()));
        for f in pairs.iter().take(5) {
            let _ = writeln!(
                s,
                "  line {:>3} {} / {}: measured {} followers, modelled {} real people (log ratio {:+.2})",
                f.line,
                f.a,
                f.b,
                thousands(f.measured.round() as u64),
                thousands(f.modelled.max(0.0).round() as u64),
                f.log_ratio
            );
        }
    }
    if let Some(e) = &r.ensemble {
        let _ = writeln!(
            s,
            "
synthetic graphs ({} realizations, parameters {}, scale {}):",
            e.realizations,
            fit_status(e.parameters),
            e.scale
                .iter()
                .map(|x| x.to_string())
                .collect::<Vec<_>>()
                .join(",")
        );
        let _ = writeln!(
            s,
            "  distinct real people reached: {}",
            summary(&e.unique_reach)
        );
        let _ = writeln!(
            s,
            "  of them eligible voters:      {}",
            summary(&e.eligible_reach)
        );
        if let Some(t) = &e.target_reach {
            let _ = writeln!(s, "  eligible voters in targets:   {}", summary(t));
        }
        if let Some(t) = &e.pick_reach {
            let _ = writeln!(
                s,
                "  the realizations' own picks reach (real people): {}",
                summary(t)
            );
            for f in e.pick_frequency.iter().take(10) {
                let _ = writeln!(
                    s,
                    "    {:<24} hired in {:.0}% of realizations",
                    short(&f.creator, 24),
                    100.0 * f.share
                );
            }
        }
        let _ = writeln!(s, "  {}", e.note);
    }
    let _ = writeln!(
        s,
        "
assumptions:"
    );
    for a in &p.assumptions {
        let _ = writeln!(s, "  - {a}");
    }
    let _ = writeln!(
        s,
        "units: summed followers = {}; distinct reach = {}; jurisdiction rows = {}; pick adds = {}",
        p.units.summed_followers, p.units.unique_reach, p.units.jurisdictions, p.units.pick_adds
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

    /// The ensemble summary of `margin --creators` marks a figure within twice its Monte
    /// Carlo error as not distinguishable from zero, and only such a figure.
    #[test]
    fn creators_ensemble_marks_noise_around_zero() {
        use reachgraph_api::margin::{
            distinguishable_from_zero, run_margin, EnsembleQuantity, MarginEnsemble, MarginRequest,
        };
        let req: MarginRequest = reachgraph_api::parse_json(
            r#"{"graph": {"inline": "a b\nb c\n"},
                "seeds": ["a"], "draws": 16, "seed": 1}"#,
        )
        .unwrap();
        let mut m = run_margin(&req, &reachgraph_api::NoProgress).unwrap();
        let q = |name: &str, mean: f64, se: f64| EnsembleQuantity {
            name: name.into(),
            unit: "votes".into(),
            mean,
            low: mean - 1.0,
            high: mean + 1.0,
            mc_stderr: Some(se),
            distinguishable_from_zero: Some(distinguishable_from_zero(mean, se)),
        };
        m.ensemble = Some(MarginEnsemble {
            realizations: 2,
            parameters: reachgraph_core::plan::FitStatus::Prior,
            scale: vec![10.0, 10.0],
            quantities: vec![
                q("national.net_votes.mean", -425.0, 434.0),
                q("national.delta_p_majority", 0.003, 0.001),
                q("national.ev_change.mean", -0.3, 0.15),
            ],
            note: "note".into(),
        });
        let text = margin(&m, 3);
        let lines: Vec<&str> = text.lines().collect();
        let marked = |name: &str| {
            let i = lines.iter().position(|l| l.contains(name)).unwrap();
            lines[i + 1].contains("not distinguishable from zero")
        };
        assert!(marked("national.net_votes.mean"), "{text}");
        assert!(!marked("national.delta_p_majority"), "{text}");
        // exactly twice the error is not clear of it (the price rule: mean - 2 se > 0)
        assert!(marked("national.ev_change.mean"), "{text}");
        assert!(distinguishable_from_zero(-0.31, 0.15));
    }
}
