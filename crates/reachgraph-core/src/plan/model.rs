//! The closed form of the audience model: expected distinct people reached by a set of
//! accounts (overall, per jurisdiction, in target jurisdictions) and expected pairwise overlaps.
//!
//! People are grouped into *cells*: a region (a jurisdiction, or outside the electorate), an
//! activity class and a platform-membership pattern. Within a cell people are exchangeable, and
//! given the cell, different creators reach a person independently; so the expected reach is
//! `Σ_cells N_cell · (1 − Π_c (1 − P_c))`, exactly, with `P_c` the probability that creator `c`'s
//! accounts in the set reach a person of the cell (see [`super`] for the model).

use super::params::ModelParams;
use super::table::CreatorTable;
use crate::error::{Error, Result};

/// Most platforms a table may have: membership patterns are enumerated (2^platforms).
pub const MAX_PLATFORMS: usize = 12;

/// One cell of people.
#[derive(Debug, Clone, Copy)]
struct Cell {
    /// Region: a jurisdiction index, or `jurisdictions.len()` for outside.
    region: usize,
    /// Bit set of the platforms people of the cell are on.
    pattern: u32,
    /// Activity level of the class.
    level: f64,
    /// Expected number of people in the cell.
    people: f64,
}

/// The audience model for one parameter set over one table: the cells and each account's
/// follow-rate coefficients by region.
#[derive(Debug, Clone)]
pub struct AudienceModel<'t> {
    table: &'t CreatorTable,
    identity: f64,
    regions: usize,
    cells: Vec<Cell>,
    /// Per account, per region: `F_i s_ir / (N_r adopt_p)`; the follow probability in a cell
    /// on the account's platform is `min(1, level · coef)`.
    coef: Vec<Vec<f64>>,
}

/// The share of an account's followers in each region (jurisdictions, then outside).
pub(crate) fn account_shares(table: &CreatorTable, params: &ModelParams, i: usize) -> Vec<f64> {
    let pop = &params.population;
    let j = pop.people.len();
    let a = &table.accounts[i];
    let mut s = vec![0.0; j + 1];
    if let Some(g) = &a.geography {
        let mut sum = 0.0;
        for &(r, share) in g {
            s[r] += share;
            sum += share;
        }
        s[j] = (1.0 - sum).max(0.0);
        return s;
    }
    let eligible_total: f64 = pop.people.iter().sum();
    let inside = if j == 0 || eligible_total <= 0.0 {
        0.0
    } else {
        a.eligible.unwrap_or(1.0 - params.outside_share_default)
    };
    s[j] = 1.0 - inside;
    if inside > 0.0 {
        let home = table.creators[a.creator].state;
        let w: Vec<f64> = (0..j)
            .map(|r| {
                pop.people[r]
                    * if Some(r) == home {
                        params.home_factor
                    } else {
                        1.0
                    }
            })
            .collect();
        let ws: f64 = w.iter().sum();
        for r in 0..j {
            s[r] = inside * w[r] / ws;
        }
    }
    s
}

impl<'t> AudienceModel<'t> {
    /// Builds the model of `table` under `params`.
    ///
    /// # Errors
    /// [`Error::InvalidParameter`] when the population does not match the table's
    /// jurisdictions, the table has more than [`MAX_PLATFORMS`] platforms, an adoption share is
    /// not in (0, 1], or an account's followers in a region exceed the people of that region
    /// on its platform (the counts cannot come from this population: raise `--population` or
    /// fix the geography).
    pub fn new(table: &'t CreatorTable, params: &ModelParams) -> Result<Self> {
        let pop = &params.population;
        if pop.jurisdictions != table.jurisdictions || pop.people.len() != pop.jurisdictions.len() {
            return Err(Error::invalid_parameter(
                "population",
                format!("{} jurisdictions", pop.jurisdictions.len()),
                format!(
                    "must give the table's {} jurisdictions, in its order",
                    table.jurisdictions.len()
                ),
            ));
        }
        let np = table.platforms.len();
        if np > MAX_PLATFORMS {
            return Err(Error::invalid_parameter(
                "platforms",
                np,
                format!("at most {MAX_PLATFORMS} platforms in one table"),
            ));
        }
        if params.adoption.len() != np {
            return Err(Error::invalid_parameter(
                "adoption",
                params.adoption.len(),
                format!("needs one share per platform ({np})"),
            ));
        }
        for (p, &a) in params.adoption.iter().enumerate() {
            if !(a > 0.0 && a <= 1.0) {
                return Err(Error::invalid_parameter(
                    format!("adoption of {}", table.platforms[p]),
                    a,
                    "must be in (0, 1]",
                ));
            }
        }
        let regions = pop.people.len() + 1;
        let region_people: Vec<f64> = pop
            .people
            .iter()
            .copied()
            .chain(std::iter::once(pop.outside))
            .collect();
        let mut coef = Vec::with_capacity(table.accounts.len());
        for (i, a) in table.accounts.iter().enumerate() {
            let s = account_shares(table, params, i);
            let adopt = params.adoption[a.platform];
            let mut c = vec![0.0; regions];
            for r in 0..regions {
                let followers = a.followers as f64 * s[r];
                if followers <= 0.0 {
                    continue;
                }
                let on_platform = region_people[r] * adopt;
                if followers > on_platform * (1.0 + 1e-9) {
                    let name = if r + 1 == regions {
                        "outside the electorate".to_string()
                    } else {
                        pop.jurisdictions[r].clone()
                    };
                    return Err(Error::invalid_parameter(
                        format!("followers of account {}", a.account),
                        a.followers,
                        format!(
                            "{followers:.0} of them are modelled in {name}, which has only \
                             {on_platform:.0} people on {} (population {:.0} × adoption {adopt}); \
                             raise the population or fix the geography",
                            table.platforms[a.platform], region_people[r]
                        ),
                    ));
                }
                c[r] = followers / on_platform;
            }
            coef.push(c);
        }
        let mut cells = Vec::new();
        for (r, &n) in region_people.iter().enumerate() {
            if n <= 0.0 {
                continue;
            }
            for pattern in 0u32..(1u32 << np) {
                let mut pm = 1.0;
                for (p, &a) in params.adoption.iter().enumerate() {
                    pm *= if pattern & (1 << p) != 0 { a } else { 1.0 - a };
                }
                if pm <= 0.0 || pattern == 0 {
                    continue; // people on no platform are never reached
                }
                for (&w, &level) in params.activity.weights.iter().zip(&params.activity.levels) {
                    if w > 0.0 && level > 0.0 {
                        cells.push(Cell {
                            region: r,
                            pattern,
                            level,
                            people: n * pm * w,
                        });
                    }
                }
            }
        }
        Ok(AudienceModel {
            table,
            identity: params.identity,
            regions,
            cells,
            coef,
        })
    }

    /// Number of regions: jurisdictions plus one for outside.
    pub fn regions(&self) -> usize {
        self.regions
    }

    #[inline]
    fn q(&self, i: usize, cell: &Cell) -> f64 {
        let p = self.table.accounts[i].platform;
        if cell.pattern & (1 << p) == 0 {
            return 0.0;
        }
        (cell.level * self.coef[i][cell.region]).min(1.0)
    }

    /// Probability that `accounts` (all of one creator) reach a person of `cell`.
    #[inline]
    fn creator_prob(&self, accounts: &[usize], cell: &Cell) -> f64 {
        let (mut max, mut miss) = (0.0f64, 1.0f64);
        for &i in accounts {
            let q = self.q(i, cell);
            max = max.max(q);
            miss *= 1.0 - q;
        }
        self.identity * max + (1.0 - self.identity) * (1.0 - miss)
    }

    /// Expected followers of account `i` under the model (real people who follow it): its
    /// count, less what clipping follow probabilities at 1 removes.
    pub fn expected_followers(&self, i: usize) -> f64 {
        self.cells.iter().map(|c| c.people * self.q(i, c)).sum()
    }

    /// Expected number of people who follow both `a` and `b`.
    pub fn expected_shared(&self, a: usize, b: usize) -> f64 {
        let same = self.table.accounts[a].creator == self.table.accounts[b].creator;
        self.cells
            .iter()
            .map(|c| {
                let (qa, qb) = (self.q(a, c), self.q(b, c));
                let both = if same {
                    self.identity * qa.min(qb) + (1.0 - self.identity) * qa * qb
                } else {
                    qa * qb
                };
                c.people * both
            })
            .sum()
    }

    /// An empty reach state (nobody reached yet).
    pub fn state(&self) -> ReachState<'_, 't> {
        ReachState {
            model: self,
            miss: vec![1.0; self.cells.len()],
        }
    }

    /// Expected distinct people reached by `accounts` (indices into the table), per region
    /// (jurisdictions, then outside). Accounts are grouped by creator.
    pub fn reach_by_region(&self, accounts: &[usize]) -> Vec<f64> {
        let mut st = self.state();
        for group in group_by_creator(self.table, accounts) {
            st.add(&group);
        }
        st.by_region()
    }

    /// Expected distinct people reached by `accounts`, over all regions.
    pub fn reach(&self, accounts: &[usize]) -> f64 {
        self.reach_by_region(accounts).iter().sum()
    }
}

/// `accounts` grouped by creator (creators in order of first appearance).
pub fn group_by_creator(table: &CreatorTable, accounts: &[usize]) -> Vec<Vec<usize>> {
    let mut slot = vec![usize::MAX; table.creators.len()];
    let mut groups: Vec<Vec<usize>> = Vec::new();
    for &i in accounts {
        let c = table.accounts[i].creator;
        if slot[c] == usize::MAX {
            slot[c] = groups.len();
            groups.push(Vec::new());
        }
        groups[slot[c]].push(i);
    }
    groups
}

/// Who has been reached so far, per cell: the probability of not being reached yet.
#[derive(Debug, Clone)]
pub struct ReachState<'m, 't> {
    model: &'m AudienceModel<'t>,
    miss: Vec<f64>,
}

impl ReachState<'_, '_> {
    /// Expected people the accounts of one creator would add, counting only regions where
    /// `mask` is true (all regions when `None`).
    pub fn gain(&self, creator_accounts: &[usize], mask: Option<&[bool]>) -> f64 {
        let m = self.model;
        m.cells
            .iter()
            .zip(&self.miss)
            .filter(|(c, _)| mask.is_none_or(|k| k[c.region]))
            .map(|(c, &miss)| c.people * miss * m.creator_prob(creator_accounts, c))
            .sum()
    }

    /// Adds the accounts of one creator (they are treated as one creator's accounts: give
    /// accounts of different creators in separate calls); returns the expected people added.
    pub fn add(&mut self, creator_accounts: &[usize]) -> f64 {
        let m = self.model;
        let mut added = 0.0;
        for (c, miss) in m.cells.iter().zip(self.miss.iter_mut()) {
            let p = m.creator_prob(creator_accounts, c);
            added += c.people * *miss * p;
            *miss *= 1.0 - p;
        }
        added
    }

    /// Expected people reached so far, per region (jurisdictions, then outside).
    pub fn by_region(&self) -> Vec<f64> {
        let mut out = vec![0.0; self.model.regions];
        for (c, &miss) in self.model.cells.iter().zip(&self.miss) {
            out[c.region] += c.people * (1.0 - miss);
        }
        out
    }
}
