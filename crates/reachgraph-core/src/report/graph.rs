//! Deduplicated reach on a follower graph (see the [module docs](super)).

use super::calibration::{account_month, check_request, posts_by_account};
use super::roi::{campaign_roi, CostTally, CreatorPosts};
use super::{ratio, summarize, AccountCalibration, CampaignReport, Post, ReportConfig};
use crate::error::{Error, Result};
use crate::Graph;
use rand_distr::{Distribution, StandardNormal};

/// Per-account inputs of the reach computation.
pub(super) struct Posted {
    pub(super) node: u32,
    /// Largest per-post rate (the nested, `ρ = 1`, account reach).
    pub(super) max_rate: f64,
    /// `Π (1 − r)` over posts (the independent, `ρ = 0`, account miss probability).
    pub(super) miss_independent: f64,
}

/// Follower edges of posted accounts as (person, posted index), sorted by person.
pub(super) fn entries(
    graph: &Graph,
    posted: &[Posted],
    which: impl Fn(usize) -> bool,
) -> Vec<(u32, u32)> {
    let people = graph.people();
    let mut out = Vec::new();
    for (i, p) in posted.iter().enumerate() {
        if !which(i) {
            continue;
        }
        for &v in graph.followers(p.node) {
            out.push((people.of_account[v as usize], i as u32));
        }
    }
    out.sort_unstable();
    out
}

/// The eligible share of each graph person and the assumption it rests on: the per-person
/// `eligible` attribute (a share, or 0/1) where given; for people without one, 1 if they have
/// a jurisdiction and 0 otherwise (stated as an assumption).
///
/// # Errors
/// [`Error::InvalidAttribute`] when the accounts of one person give two eligible values.
pub(super) fn eligible_shares(graph: &Graph) -> Result<(Vec<f64>, String)> {
    let people = graph.people();
    let (given, any) = crate::margin::population::person_column(
        graph,
        "eligible",
        None,
        &graph.attributes().eligible.as_slice(),
        |x| (0.0..=1.0).contains(&x),
        "a share in [0, 1]",
    )?;
    let by_jurisdiction = |p: usize| {
        if people.jurisdiction[p] != crate::attrs::NONE {
            1.0
        } else {
            0.0
        }
    };
    let shares: Vec<f64> = (0..people.count)
        .map(|p| {
            if given[p].is_nan() {
                by_jurisdiction(p)
            } else {
                given[p]
            }
        })
        .collect();
    let missing = given.iter().filter(|x| x.is_nan()).count();
    let basis = if !any {
        "eligible = graph people with a jurisdiction (assumption: no eligible attribute was \
         given, so every person placed in a jurisdiction counts as one eligible voter and \
         nobody else does)"
            .to_string()
    } else if missing == 0 {
        "eligible people = the sum over reached people of their eligible attribute (measured \
         or supplied per person: a share of the voters the person stands for, or 0/1)"
            .to_string()
    } else {
        format!(
            "eligible people = the sum over reached people of their eligible attribute (a \
             share, or 0/1); the {missing} people without one count as eligible if they have \
             a jurisdiction (assumption)"
        )
    };
    Ok((shares, basis))
}

/// Reach draws: for each `(ρ, z)` the modelled totals (all, eligible, target) with sampling
/// noise `z·sd` added, kept within 0 and the people the posts can reach at all. A person
/// counts `eligible[p]` (a share) towards the eligible total and `eligible[p]·target[p]`
/// towards the target total.
pub(super) fn reach_draws(
    entries: &[(u32, u32)],
    posted: &[Posted],
    eligible: &[f64],
    target: &[f64],
    draws: &[(f64, [f64; 3])],
) -> [Vec<f64>; 3] {
    let mut out = [Vec::new(), Vec::new(), Vec::new()];
    let mut pa = vec![0.0; posted.len()];
    for &(rho, z) in draws {
        for (p, a) in pa.iter_mut().zip(posted) {
            *p = rho * a.max_rate + (1.0 - rho) * (1.0 - a.miss_independent);
        }
        let mut m = [0.0f64; 3];
        let mut v = [0.0f64; 3];
        // Most people the draw can reach: the noisy total stays within [0, cap].
        let mut cap = [0.0f64; 3];
        let mut i = 0;
        while i < entries.len() {
            let person = entries[i].0;
            let mut miss = 1.0;
            while i < entries.len() && entries[i].0 == person {
                miss *= 1.0 - pa[entries[i].1 as usize];
                i += 1;
            }
            let q = 1.0 - miss;
            let var = q * (1.0 - q);
            m[0] += q;
            v[0] += var;
            cap[0] += 1.0;
            let e = eligible[person as usize];
            if e > 0.0 {
                m[1] += e * q;
                v[1] += e * e * var;
                cap[1] += e;
                let w = e * target[person as usize];
                m[2] += w * q;
                v[2] += w * w * var;
                cap[2] += w;
            }
        }
        for k in 0..3 {
            out[k].push((m[k] + z[k] * v[k].sqrt()).clamp(0.0, cap[k]));
        }
    }
    out
}

/// The campaign report on a follower graph (see the [module docs](crate::report)).
///
/// Each posted account's follower count is its `followers` attribute when given, else its
/// followers in the graph; its per-post rates are applied to its graph followers. A creator is
/// the account's person (its `person` attribute), else the account. Costs: a creator's posts'
/// `cost` cells when any is given, else the summed `cost` attribute of its posted accounts.
/// Eligible people: the sum over reached people of their `eligible` attribute (a share, or
/// 0/1); people without one count if they have a jurisdiction (an assumption, stated). Target:
/// eligible people in `cfg.targets`, else eligible people weighted by their target weight.
///
/// # Errors
/// [`Error::UnknownNode`] naming the posts file and line for an account not in the graph;
/// [`Error::Parse`] for a post whose follower reach is above the account's follower count
/// (or an account with no followers); [`Error::InvalidParameter`] for draws outside
/// 1..=[`MAX_DRAWS`](super::MAX_DRAWS) or a target jurisdiction no graph person has.
///
/// # Complexity
/// `O(draws · E_S)` for `E_S` follower edges of the posted accounts (twice: campaign and per
/// creator), serial, so the same seed gives the same answer whatever the thread count.
pub fn graph_report(graph: &Graph, posts: &[Post], cfg: &ReportConfig) -> Result<CampaignReport> {
    check_request(posts, cfg)?;
    let input = &cfg.posts_input;
    let attrs = graph.attributes();
    let people = graph.people();

    // Accounts in order of first post, with their posts.
    let accounts = posts_by_account(posts, |p| {
        graph
            .ids()
            .lookup(&p.account)
            .ok_or_else(|| Error::UnknownNode {
                id: p.account.clone(),
                context: format!(" ({input} line {}: not an account of the graph)", p.line),
            })
    })?;
    let mut posted = Vec::with_capacity(accounts.len());
    let mut calib = Vec::with_capacity(accounts.len());
    let creator_of = |node: u32| people.name(people.of_account[node as usize], graph);
    for (node, ps) in &accounts {
        let f = attrs.follower_count(*node, graph);
        let month = account_month(input, ps, f, "")?;
        posted.push(Posted {
            node: *node,
            max_rate: month.max_rate,
            miss_independent: month.miss_independent,
        });
        calib.push(AccountCalibration {
            account: graph.label(*node),
            creator: creator_of(*node),
            followers: f,
            rate: month.rate,
        });
    }

    // People: eligible share and target weight.
    let jur = &attrs.jurisdiction;
    let (eligible, eligible_basis) = eligible_shares(graph)?;
    let (target, target_basis) = match &cfg.targets {
        Some(list) => {
            let mut codes = Vec::new();
            for t in list {
                let code = (0..jur.names.len() as u32).find(|&c| jur.names[c as usize] == *t);
                match code {
                    Some(c) => codes.push(c),
                    None => {
                        return Err(Error::invalid_parameter(
                            "target",
                            t,
                            "no account of the graph has this jurisdiction",
                        ))
                    }
                }
            }
            let w: Vec<f64> = people
                .jurisdiction
                .iter()
                .map(|j| if codes.contains(j) { 1.0 } else { 0.0 })
                .collect();
            (w, format!("eligible people in {}", list.join(", ")))
        }
        None => (
            people.weight.iter().map(|&w| w as f64).collect(),
            "eligible people weighted by their target weight (no target list given)".into(),
        ),
    };

    // Draws: rho ~ U(0, 1), three standard normals for the sampling noise.
    let mut rng = crate::rng::stream(cfg.seed, 0);
    let draws: Vec<(f64, [f64; 3])> = (0..cfg.draws)
        .map(|_| {
            let rho = crate::rng::unit_f64(&mut rng);
            let mut z = [0.0; 3];
            for x in &mut z {
                *x = StandardNormal.sample(&mut rng);
            }
            (rho, z)
        })
        .collect();
    let all = entries(graph, &posted, |_| true);
    let [r_all, r_elig, r_target] = reach_draws(&all, &posted, &eligible, &target, &draws);
    let unique_reach = summarize(r_all);
    let eligible_reach = summarize(r_elig);
    let target_reach = summarize(r_target);

    // Creators: group posted accounts by creator.
    let mut creator_names: Vec<String> = Vec::new();
    let mut creator_accounts: Vec<Vec<usize>> = Vec::new();
    for (i, c) in calib.iter().enumerate() {
        match creator_names.iter().position(|n| *n == c.creator) {
            Some(k) => creator_accounts[k].push(i),
            None => {
                creator_names.push(c.creator.clone());
                creator_accounts.push(vec![i]);
            }
        }
    }
    let mut costs = CostTally::default();
    let mut creators = Vec::new();
    for (name, idx) in creator_names.iter().zip(&creator_accounts) {
        let gathered = CreatorPosts::gather(
            idx.iter()
                .map(|&i| (calib[i].followers, accounts[i].1.as_slice())),
        )
        .expect("posted accounts have posts and followers");
        let cost = gathered.cost(|| {
            let costs: Vec<f64> = idx
                .iter()
                .map(|&i| attrs.cost[accounts[i].0 as usize])
                .collect();
            if costs.iter().all(|c| !c.is_nan()) {
                (Some(costs.iter().sum()), "cost attribute")
            } else {
                (None, "none")
            }
        });
        costs.add(cost);
        let own = entries(graph, &posted, |i| idx.contains(&i));
        let [c_all, _, c_target] = reach_draws(&own, &posted, &eligible, &target, &draws);
        creators.push(gathered.report(
            name.clone(),
            idx.iter().map(|&i| calib[i].account.clone()).collect(),
            summarize(c_all),
            summarize(c_target),
            cost,
        ));
    }
    let impressions: u64 = posts.iter().map(|p| p.impressions).sum();
    let engagements: u64 = posts.iter().map(|p| p.engagements).sum();
    let campaign_roi = campaign_roi(
        &mut creators,
        &costs,
        impressions,
        engagements,
        unique_reach,
        target_reach,
    );
    Ok(CampaignReport {
        posts: posts.len(),
        impressions,
        summed_reach: posts.iter().map(|p| p.reach).sum(),
        engagements,
        non_follower_views: posts.iter().filter_map(|p| p.views_non_followers).sum(),
        unique_reach,
        eligible_reach,
        target_reach,
        target_basis,
        frequency: ratio(impressions as f64, unique_reach.mean),
        roi: campaign_roi,
        creators,
        accounts: calib,
        assumptions: vec![
            "each follower of an account sees each of its posts with the post's measured reach \
             rate (followers reached / follower count); who sees a post is otherwise unmeasured"
                .into(),
            "repeat audience rho ~ Uniform(0, 1) (no measurement pins it): a follower is reached \
             by an account with rho*max_post_rate + (1-rho)*(1 - prod(1 - post_rate)); rho = 1 \
             means every post reaches a nested set of the same fans, rho = 0 independent posts"
                .into(),
            "different accounts reach a person independently (closed-form exposure reach over \
             the follower graph)"
                .into(),
            eligible_basis,
            format!(
                "interval: 5th-95th percentiles of {} seeded draws of rho plus the normal \
                 sampling noise of who is reached (variance sum q(1-q))",
                cfg.draws
            ),
        ],
        units: "reach in graph people (distinct people of the follower graph); impressions, \
                engagements and reach per post as measured by the platforms; money in the \
                posts' and costs' currency"
            .into(),
    })
}
