//! `--csv`: a response's table as RFC 4180 CSV for spreadsheets (one header row, each column
//! named with its unit or a `unit` column beside the values, quoting by the `csv` crate, CRLF
//! line ends).
//!
//! Units in the names: `graph_people` (people of the graph as loaded; an account without a
//! person link is its own person), `accounts`, `follows` (follow edges of the graph),
//! `followers_stated` (the attribute file's follower counts, real-world, when given), `usd`
//! (the unit of the costs), `share` (a ratio in [0, 1]), `votes`, `margin_points`
//! (percentage points of vote margin) and `probability`.

use reachgraph_api::margin::MarginResponse;
use reachgraph_api::{
    ApiError, BudgetPickResponse, EvaluateResponse, LadderResponse, OverlapResponse, ReachResponse,
    Response, SelectResponse, SpreadResponse, Step,
};

/// A CSV table being written: rows of strings, checked against the header's width.
struct Table {
    w: csv::Writer<Vec<u8>>,
}

impl Table {
    fn new(header: &[&str]) -> Self {
        let mut w = csv::WriterBuilder::new()
            .terminator(csv::Terminator::CRLF)
            .from_writer(Vec::new());
        // Writing to memory cannot fail.
        w.write_record(header).expect("csv to memory");
        Table { w }
    }

    fn row<I: IntoIterator<Item = String>>(&mut self, cells: I) {
        self.w
            .write_record(cells.into_iter().collect::<Vec<_>>())
            .expect("csv to memory");
    }

    fn finish(self) -> String {
        let bytes = self.w.into_inner().expect("csv to memory");
        String::from_utf8(bytes).expect("csv of strings is UTF-8")
    }
}

/// A float as CSV wants it: shortest round-trip text, empty for "not applicable".
fn num(v: f64) -> String {
    if v.is_finite() {
        v.to_string()
    } else {
        String::new()
    }
}

fn opt(v: Option<f64>) -> String {
    v.map_or(String::new(), num)
}

/// The table of `resp` as CSV, or an error naming the command that prints no single table.
pub fn render(resp: &Response) -> Result<String, ApiError> {
    Ok(match resp {
        Response::Reach(r) => reach(&r.body),
        Response::Overlap(r) => overlap(&r.body),
        Response::Ladder(r) => ladder(&r.body),
        Response::BudgetPick(r) => pick(&r.body),
        Response::Spread(r) => spread(&r.body),
        Response::Select(r) => select(&r.body),
        Response::Evaluate(r) => evaluate(&r.body),
        Response::Margin(r) => margin(&r.body),
        Response::Plan(r) => plan(&r.body),
        Response::Compare(r) => compare(&r.body),
        Response::Demo(_) => {
            return Err(ApiError::invalid(
                "--csv: `demo` prints several different tables; use --json, or run reach, \
                 overlap, ladder or pick with --csv on a generated population",
            ))
        }
        _ => {
            return Err(ApiError::invalid(
                "--csv: sketch commands print JSON (their answers carry error bounds per \
                 number); use --json",
            ))
        }
    })
}

/// Reach as `section,name,value,unit` rows: the totals, then the platform and jurisdiction
/// breakdowns (which overlap: one person reached on two platforms counts in both rows), then
/// the expected exposure frequencies when asked for.
pub fn reach(r: &ReachResponse) -> String {
    let mut t = Table::new(&["section", "name", "value", "unit"]);
    let mut total = |name: &str, value: String, unit: &str| {
        t.row(["total".into(), name.into(), value, unit.into()]);
    };
    total("seeds", r.seeds.to_string(), "accounts");
    total(
        "summed_followers",
        r.summed_followers.to_string(),
        "follows (graph)",
    );
    if let Some(stated) = r.summed_followers_stated {
        total(
            "summed_followers_stated",
            stated.to_string(),
            "followers (stated in the attributes)",
        );
    }
    total(
        "distinct_people",
        r.unique_reach.to_string(),
        "graph people",
    );
    total(
        "distinct_accounts",
        r.unique_accounts.to_string(),
        "accounts",
    );
    total("target_weight", num(r.target_weight), "target weight");
    total(
        "distinct_share_of_summed_followers",
        num(r.dedup_ratio),
        "share",
    );
    for (section, rows) in [
        ("by_platform", &r.by_platform),
        ("by_jurisdiction", &r.by_jurisdiction),
    ] {
        for b in rows.iter() {
            t.row([
                section.into(),
                b.name.clone(),
                b.people.to_string(),
                "graph people (rows overlap)".into(),
            ]);
        }
    }
    if let Some(e) = &r.expected {
        t.row([
            "expected".into(),
            format!("people_seeing_at_least_one_of_{}_posts", e.posts_per_seed),
            num(e.expected_people),
            "expected graph people".into(),
        ]);
        t.row([
            "expected".into(),
            "sd_people".into(),
            num(e.variance_people.sqrt()),
            "graph people".into(),
        ]);
        for (k, f) in e.frequency.iter().enumerate().skip(1) {
            t.row([
                "exposures".into(),
                format!("exactly_{k}"),
                num(*f),
                "expected graph people".into(),
            ]);
        }
    }
    t.finish()
}

/// Overlap, one row per ordered pair of accounts (the diagonal included).
pub fn overlap(r: &OverlapResponse) -> String {
    let mut t = Table::new(&[
        "account_a",
        "account_b",
        "audience_a_graph_people",
        "audience_b_graph_people",
        "shared_graph_people",
        "jaccard_share",
        "containment_a_in_b_share",
    ]);
    for (i, a) in r.accounts.iter().enumerate() {
        for (j, b) in r.accounts.iter().enumerate() {
            t.row([
                a.clone(),
                b.clone(),
                r.audience[i].to_string(),
                r.audience[j].to_string(),
                r.shared[i][j].to_string(),
                num(r.jaccard[i][j]),
                num(r.containment[i][j]),
            ]);
        }
    }
    t.finish()
}

fn steps(steps: &[Step]) -> String {
    let mut t = Table::new(&[
        "rank",
        "account",
        "platform",
        "tier",
        "followers_stated",
        "followers_graph_accounts",
        "added_graph_people",
        "cumulative_graph_people",
        "added_target_weight",
        "cumulative_target_weight",
        "cost_usd",
        "cumulative_cost_usd",
    ]);
    for (i, s) in steps.iter().enumerate() {
        t.row([
            (i + 1).to_string(),
            s.account.clone(),
            s.platform.clone().unwrap_or_default(),
            s.tier.clone(),
            s.followers_stated.map_or(String::new(), |f| f.to_string()),
            s.graph_followers.to_string(),
            s.marginal_people.to_string(),
            s.cumulative_people.to_string(),
            num(s.marginal_weight),
            num(s.cumulative_weight),
            opt(s.cost),
            num(s.cumulative_cost),
        ]);
    }
    t.finish()
}

/// The ladder's steps.
pub fn ladder(r: &LadderResponse) -> String {
    steps(&r.steps)
}

/// The pick's steps.
pub fn pick(r: &BudgetPickResponse) -> String {
    steps(&r.steps)
}

/// Spread estimates: people, accounts and target weight, then per jurisdiction (people).
pub fn spread(r: &SpreadResponse) -> String {
    let mut t = Table::new(&[
        "scope",
        "quantity",
        "unit",
        "mean",
        "stderr",
        "ci95_low",
        "ci95_high",
        "min",
        "max",
    ]);
    for (q, unit, e) in [
        ("people", "graph people", &r.people),
        ("accounts", "accounts", &r.accounts),
        ("target_weight", "target weight", &r.target_weight),
    ] {
        t.row([
            "all".into(),
            q.into(),
            unit.into(),
            num(e.mean),
            num(e.stderr),
            num(e.ci95_low),
            num(e.ci95_high),
            num(e.min),
            num(e.max),
        ]);
    }
    for j in &r.by_jurisdiction {
        let e = &j.people;
        t.row([
            j.jurisdiction.clone(),
            "people".into(),
            "graph people".into(),
            num(e.mean),
            num(e.stderr),
            num(e.ci95_low),
            num(e.ci95_high),
            num(e.min),
            num(e.max),
        ]);
    }
    t.finish()
}

/// The chosen seeds in pick order.
pub fn select(r: &SelectResponse) -> String {
    let unit = crate::render::objective_unit(r.objective).replace(' ', "_");
    let gain = format!("marginal_gain_in_sample_{unit}");
    let cum = format!("cumulative_in_sample_{unit}");
    let mut t = Table::new(&["rank", "account", &gain, &cum, "cost_usd"]);
    for (i, s) in r.steps.iter().enumerate() {
        t.row([
            (i + 1).to_string(),
            s.account.to_string(),
            num(s.marginal_gain),
            num(s.cumulative),
            opt(s.cost),
        ]);
    }
    t.finish()
}

/// One row per seed set, then one per paired difference (`kind` says which; a difference's
/// `seed_set` is its `B minus A` label).
pub fn compare(r: &reachgraph_api::CompareResponse) -> String {
    let mut t = Table::new(&[
        "kind",
        "seed_set",
        "seeds_accounts",
        "unit",
        "mean",
        "stderr",
        "ci95_low",
        "ci95_high",
        "unpaired_stderr",
        "rr_sets",
        "seed",
    ]);
    let unit = crate::render::objective_unit(r.objective);
    for x in &r.sets {
        let e = &x.estimate;
        t.row([
            "set".into(),
            x.label.clone(),
            x.seeds.len().to_string(),
            unit.into(),
            num(e.mean),
            num(e.stderr),
            num(e.ci95_low),
            num(e.ci95_high),
            String::new(),
            r.rr_sets.to_string(),
            r.seed.to_string(),
        ]);
    }
    for d in &r.differences {
        t.row([
            "difference".into(),
            d.label.clone(),
            String::new(),
            unit.into(),
            num(d.paired.mean),
            num(d.paired.stderr),
            num(d.paired.ci95_low),
            num(d.paired.ci95_high),
            num(d.paired.unpaired_stderr),
            r.rr_sets.to_string(),
            r.seed.to_string(),
        ]);
    }
    t.finish()
}

/// The estimate, one row.
pub fn evaluate(r: &EvaluateResponse) -> String {
    let mut t = Table::new(&[
        "seeds_accounts",
        "unit",
        "mean",
        "stderr",
        "ci95_low",
        "ci95_high",
        "rr_sets",
        "seed",
    ]);
    let e = &r.estimate;
    t.row([
        r.seeds.len().to_string(),
        crate::render::objective_unit(r.objective).into(),
        num(e.mean),
        num(e.stderr),
        num(e.ci95_low),
        num(e.ci95_high),
        r.rr_sets.to_string(),
        r.seed.to_string(),
    ]);
    t.finish()
}

/// Every jurisdiction, closest first (by the baseline margin in points).
pub fn margin(m: &MarginResponse) -> String {
    let r = &m.result;
    let mut t = Table::new(&[
        "id",
        "electoral_votes",
        "margin_without_votes",
        "margin_without_margin_points",
        "change_mean_votes",
        "change_95_low_votes",
        "change_95_high_votes",
        "p_win_without_probability",
        "p_win_with_probability",
        "p_flip_probability",
        "tipping_point_share",
        "break_even_persuasion_rate_noisy",
    ]);
    for j in crate::render::closest_first(r) {
        t.row([
            j.id.clone(),
            j.electoral_votes.to_string(),
            num(j.margin_a_without),
            num(j.margin_points_without),
            num(j.delta_votes.mean),
            num(j.delta_votes.lo),
            num(j.delta_votes.hi),
            num(j.p_win_a_without),
            num(j.p_win_a_with),
            num(j.p_flip),
            num(j.tipping_point_share),
            opt(j.break_even_effect),
        ]);
    }
    t.finish()
}

/// A plan as one row per jurisdiction (`eligible_voters_*`, modelled) followed by the
/// `TARGETS`, `OUTSIDE` and `TOTAL` rows (`real_people_*`, modelled).
pub fn plan(r: &reachgraph_api::plan::PlanResponse) -> String {
    let p = &r.report;
    let mut t = Table::new(&["jurisdiction", "mean", "low", "high", "unit"]);
    for j in &p.jurisdictions {
        t.row([
            j.id.clone(),
            num(j.unique_reach.mean),
            num(j.unique_reach.low),
            num(j.unique_reach.high),
            "eligible voters (modelled)".into(),
        ]);
    }
    if let Some(x) = &p.target {
        t.row([
            "TARGETS".into(),
            num(x.unique_reach.mean),
            num(x.unique_reach.low),
            num(x.unique_reach.high),
            "eligible voters of the targets (modelled)".into(),
        ]);
    }
    for (name, x) in [("OUTSIDE", &p.outside_reach), ("TOTAL", &p.unique_reach)] {
        t.row([
            name.into(),
            num(x.mean),
            num(x.low),
            num(x.high),
            "real people (modelled)".into(),
        ]);
    }
    t.finish()
}

/// The cost curve (`margin --csv --table cost-curve`): at each assumed effect rate, the
/// modelled net votes with their Monte Carlo standard error and the cost per net vote, with
/// its interval over ±2 standard errors (empty where the gain is not positive beyond them).
pub fn margin_cost_curve(m: &MarginResponse) -> String {
    let n = &m.result.national;
    let mut t = Table::new(&[
        "effect",
        "assumed_rate_share",
        "net_votes_modelled_votes",
        "net_votes_mc_stderr_votes",
        "cost_usd",
        "cost_per_net_vote_usd",
        "cost_per_net_vote_low_usd",
        "cost_per_net_vote_high_usd",
        "reading",
    ]);
    for c in &n.cost_curve {
        let (lo, hi) = (
            c.net_votes - 2.0 * c.net_votes_mc_stderr,
            c.net_votes + 2.0 * c.net_votes_mc_stderr,
        );
        let priced = n.cost.filter(|_| lo > 0.0);
        t.row([
            c.effect.clone(),
            num(c.rate),
            num(c.net_votes),
            num(c.net_votes_mc_stderr),
            opt(n.cost),
            opt(c.cost_per_net_vote),
            opt(priced.map(|k| k / hi)),
            opt(priced.map(|k| k / lo)),
            crate::render::cost_reading(n.cost, c.net_votes, c.net_votes_mc_stderr).to_string(),
        ]);
    }
    t.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_with_commas_and_quotes_are_quoted() {
        let mut t = Table::new(&["a", "b"]);
        t.row(["x,y".to_string(), "say \"hi\"".to_string()]);
        assert_eq!(t.finish(), "a,b\r\n\"x,y\",\"say \"\"hi\"\"\"\r\n");
        assert_eq!(num(f64::NAN), "");
        assert_eq!(num(0.25), "0.25");
    }
}
