//! The budgeted pick on the model: which creators to hire (all their accounts, one price).
//!
//! Greedy by modelled marginal reach per price on one central parameter set (the posterior
//! mean), evaluated lazily (the model's reach is submodular in the set of creators, so a
//! creator's gain can only shrink as others are hired); then the best single affordable
//! creator is compared with the greedy set and kept when it reaches more (the fallback that
//! gives cost-benefit greedy its constant-factor guarantee, Khuller, Moss & Naor 1999). What
//! each hired creator adds is then evaluated on every parameter draw: mean and 90% interval.
//! Creators without a price cannot be hired and are listed as such.

use super::model::AudienceModel;
use super::params::ModelParams;
use super::table::CreatorTable;
use super::ReachInterval;
use crate::error::{Error, Result};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use std::cmp::Ordering;
use std::collections::BinaryHeap;

/// A creator to hire.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PickedCreator {
    /// The creator's name.
    pub creator: String,
    /// Price per creator-month.
    pub price: f64,
    /// Real people this creator adds to those before it in the list (modelled; in the target
    /// jurisdictions when targets are given).
    pub adds: ReachInterval,
    /// The creator's accounts counted.
    pub accounts: Vec<String>,
}

/// The result of a budgeted pick.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PlanPick {
    /// The budget (per month).
    pub budget: f64,
    /// Price of the creators picked.
    pub spent: f64,
    /// `greedy` (marginal reach per price) or `best_single` (one creator reaching more than
    /// the greedy set).
    pub method: String,
    /// What the pick maximises: `all people` or `eligible voters in the target jurisdictions`.
    pub objective: String,
    /// Creators to hire, in the order picked.
    pub creators: Vec<PickedCreator>,
    /// Real people the pick reaches in the objective (modelled).
    pub reach: ReachInterval,
    /// Creators that have accounts in the set but no price: they cannot be hired.
    pub unpriced: Vec<String>,
}

#[derive(PartialEq)]
struct Entry {
    ratio: f64,
    creator: usize,
    round: usize,
}
impl Eq for Entry {}
impl PartialOrd for Entry {
    fn partial_cmp(&self, o: &Self) -> Option<Ordering> {
        Some(self.cmp(o))
    }
}
impl Ord for Entry {
    fn cmp(&self, o: &Self) -> Ordering {
        // Highest ratio first; ties by lower creator index.
        self.ratio
            .total_cmp(&o.ratio)
            .then_with(|| o.creator.cmp(&self.creator))
    }
}

/// Picks creators within `budget` (see the [module docs](self)).
///
/// `groups` are the candidate creators' accounts (one group per creator, as
/// [`super::model::group_by_creator`] makes them); `mask` restricts the objective to some
/// regions (target jurisdictions); `central` ranks; `draws` give the intervals.
///
/// # Errors
/// [`Error::InvalidParameter`] for a budget that is not a finite number > 0;
/// [`Error::MissingAttribute`] when no candidate creator has a price;
/// [`Error::BudgetTooSmall`] when no priced creator fits the budget.
pub fn pick(
    table: &CreatorTable,
    groups: &[Vec<usize>],
    budget: f64,
    mask: Option<&[bool]>,
    central: &ModelParams,
    draws: &[ModelParams],
) -> Result<PlanPick> {
    crate::coverage::check_budget(budget)?;
    let creator_of = |g: &Vec<usize>| table.accounts[g[0]].creator;
    let mut unpriced = Vec::new();
    let mut priced: Vec<(usize, f64)> = Vec::new(); // (group index, price)
    for (gi, g) in groups.iter().enumerate() {
        match table.creators[creator_of(g)].price {
            Some(p) => priced.push((gi, p)),
            None => unpriced.push(table.creators[creator_of(g)].name.clone()),
        }
    }
    if priced.is_empty() {
        return Err(Error::MissingAttribute {
            column: "price".into(),
            reason: "a budgeted pick needs creators with a price; none of the creators in the \
                     set has one"
                .into(),
        });
    }
    let min_cost = priced.iter().map(|p| p.1).fold(f64::INFINITY, f64::min);
    if min_cost > budget {
        return Err(Error::BudgetTooSmall { budget, min_cost });
    }
    let model = AudienceModel::new(table, central)?;
    let mut state = model.state();
    // A free creator (price 0) is always worth hiring: rank by gain with an infinite ratio.
    let ratio = |gain: f64, price: f64| if price > 0.0 { gain / price } else { f64::MAX };
    let mut heap: BinaryHeap<Entry> = priced
        .iter()
        .filter(|&&(_, p)| p <= budget)
        .map(|&(gi, p)| Entry {
            ratio: ratio(state.gain(&groups[gi], mask), p),
            creator: gi,
            round: 0,
        })
        .collect();
    let price_of: Vec<f64> = {
        let mut v = vec![f64::NAN; groups.len()];
        for &(gi, p) in &priced {
            v[gi] = p;
        }
        v
    };
    let mut chosen: Vec<usize> = Vec::new();
    let mut spent = 0.0;
    let mut round = 0;
    let mut greedy_reach = 0.0;
    while let Some(top) = heap.pop() {
        let p = price_of[top.creator];
        if spent + p > budget * (1.0 + 1e-12) {
            continue; // no longer affordable; others may be
        }
        if top.round < round {
            let g = state.gain(&groups[top.creator], mask);
            heap.push(Entry {
                ratio: ratio(g, p),
                creator: top.creator,
                round,
            });
            continue;
        }
        let before = state.gain(&groups[top.creator], mask);
        if before <= 0.0 && p > 0.0 {
            break; // nothing left to gain
        }
        state.add(&groups[top.creator]);
        greedy_reach += before;
        spent += p;
        chosen.push(top.creator);
        round += 1;
    }
    // Best single affordable creator.
    let empty = model.state();
    let best = priced
        .iter()
        .filter(|&&(_, p)| p <= budget)
        .map(|&(gi, _)| (gi, empty.gain(&groups[gi], mask)))
        .max_by(|a, b| a.1.total_cmp(&b.1).then_with(|| b.0.cmp(&a.0)));
    let mut method = "greedy";
    if let Some((gi, g)) = best {
        if g > greedy_reach {
            chosen = vec![gi];
            spent = price_of[gi];
            method = "best_single";
        }
    }
    // What each adds, on every draw.
    let adds: Vec<Vec<f64>> = draws
        .par_iter()
        .map(|params| -> Result<Vec<f64>> {
            let m = AudienceModel::new(table, params)?;
            let mut st = m.state();
            Ok(chosen
                .iter()
                .map(|&gi| {
                    let g = st.gain(&groups[gi], mask);
                    st.add(&groups[gi]);
                    g
                })
                .collect())
        })
        .collect::<Result<_>>()?;
    let creators = chosen
        .iter()
        .enumerate()
        .map(|(k, &gi)| {
            let c = &table.creators[creator_of(&groups[gi])];
            PickedCreator {
                creator: c.name.clone(),
                price: price_of[gi],
                adds: ReachInterval::of_people(adds.iter().map(|a| a[k]).collect()),
                accounts: groups[gi]
                    .iter()
                    .map(|&i| table.accounts[i].account.clone())
                    .collect(),
            }
        })
        .collect();
    let total = ReachInterval::of_people(adds.iter().map(|a| a.iter().sum()).collect());
    Ok(PlanPick {
        budget,
        spent,
        method: method.to_string(),
        objective: if mask.is_some() {
            "eligible voters in the target jurisdictions".into()
        } else {
            "all people".into()
        },
        creators,
        reach: total,
        unpriced,
    })
}
