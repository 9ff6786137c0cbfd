//! The creator table: `creators.csv`, `audience.csv` and `overlaps.csv`, parsed and validated.
//!
//! Every malformed cell is an [`Error::Table`] naming the file, the 1-based line (the header is
//! line 1), the column and the value as written; two rows that conflict (a repeated account, a
//! creator with two prices or two home states, a repeated overlap pair) name both lines. Nothing
//! is clamped. A UTF-8 byte order mark at the start of a file is skipped, blank lines are
//! skipped and every cell is trimmed (ids follow the one rule of [`crate::ids`]: an id is its
//! trimmed text).

use super::params::Population;
use crate::csvfile::{read_csv, Csv};
use crate::error::{Error, Result};
use crate::margin::Electorate;
use rustc_hash::FxHashMap;
use serde::Serialize;
use std::io::Read;

/// The columns `creators.csv` may have.
pub const CREATOR_COLUMNS: [&str; 10] = [
    "creator",
    "platform",
    "account",
    "followers",
    "price",
    "state",
    "lean_a",
    "eligible",
    "posts",
    "reach_rate",
];

/// Tolerance on the sum of one account's audience shares above 1 (rounding in exported shares).
pub const SHARE_SUM_TOLERANCE: f64 = 1e-9;

/// A creator table: accounts (one row of `creators.csv` each), the creators who own them, the
/// platforms they are on and the jurisdictions audiences can live in.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CreatorTable {
    /// One row per account, in file order.
    pub accounts: Vec<AccountRow>,
    /// The creators (people or organisations hired), in order of first appearance.
    pub creators: Vec<Creator>,
    /// Platform names (lower-cased, trimmed), in order of first appearance.
    pub platforms: Vec<String>,
    /// Jurisdiction ids of the electorate (its state rows, e.g. `"PA"`), in electorate order.
    pub jurisdictions: Vec<String>,
    /// The default population of the electorate the table was read with (eligible voters by
    /// jurisdiction, people outside the electorate), with its source.
    pub population: Population,
}

/// One account (a row of `creators.csv`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AccountRow {
    /// The account id (handle); `creator:platform` when the column is absent or empty.
    pub account: String,
    /// Index of its creator in [`CreatorTable::creators`].
    pub creator: usize,
    /// Index of its platform in [`CreatorTable::platforms`].
    pub platform: usize,
    /// Follower count (measured input; followers, not people).
    pub followers: u64,
    /// Posts per month, if given.
    pub posts: Option<f64>,
    /// Share of followers who see a typical post, if given.
    pub reach_rate: Option<f64>,
    /// Share of the audience leaning to side A, if given.
    pub lean_a: Option<f64>,
    /// Share of followers who are eligible voters of the electorate, if given.
    pub eligible: Option<f64>,
    /// Audience geography from `audience.csv`: (jurisdiction index, share of followers); the
    /// rest of the audience is outside the electorate. `None` until read.
    pub geography: Option<Vec<(usize, f64)>>,
    /// Line of the row in `creators.csv`.
    pub line: usize,
}

/// A creator: hired as a whole (all their accounts, one price).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Creator {
    /// The creator's name as written.
    pub name: String,
    /// Price per creator-month, if given (a creator without a price cannot be hired).
    pub price: Option<f64>,
    /// Home jurisdiction (index into [`CreatorTable::jurisdictions`]), if given.
    pub state: Option<usize>,
    /// Indices of the creator's accounts in [`CreatorTable::accounts`].
    pub accounts: Vec<usize>,
}

/// A measured audience overlap of two accounts.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MeasuredOverlap {
    /// Index of account `a`.
    pub a: usize,
    /// Index of account `b`.
    pub b: usize,
    /// Share of `a`'s followers who also follow `b` (measured, in [0, 1]).
    pub shared_fraction: f64,
    /// Line in the overlaps file.
    pub line: usize,
}

impl MeasuredOverlap {
    /// Followers shared by `a` and `b` (measured): `shared_fraction · followers(a)`.
    pub fn shared_followers(&self, table: &CreatorTable) -> f64 {
        self.shared_fraction * table.accounts[self.a].followers as f64
    }
}

fn cell_err(file: &str, line: u64, column: &str, value: &str, reason: impl Into<String>) -> Error {
    Error::Table {
        file: file.into(),
        line,
        column: column.into(),
        value: value.to_string(),
        reason: reason.into(),
    }
}

/// Column positions of a header, checking every name against `allowed` and for repeats.
fn columns(csv: &Csv, file: &str, allowed: &[&str]) -> Result<FxHashMap<String, usize>> {
    let mut map = FxHashMap::default();
    for (i, h) in csv.header.iter().enumerate() {
        if !allowed.contains(&h.as_str()) {
            return Err(cell_err(
                file,
                1,
                "header",
                h,
                format!("unknown column; the columns are {}", allowed.join(", ")),
            ));
        }
        if map.insert(h.clone(), i).is_some() {
            return Err(cell_err(file, 1, "header", h, "column given twice"));
        }
    }
    Ok(map)
}

fn require(map: &FxHashMap<String, usize>, file: &str, name: &str) -> Result<usize> {
    map.get(name).copied().ok_or_else(|| {
        cell_err(
            file,
            1,
            "header",
            name,
            format!("required column {name} is missing"),
        )
    })
}

/// A non-negative integer count (`followers`, `shared_count`).
fn parse_count(file: &str, line: u64, column: &str, v: &str) -> Result<u64> {
    if v.is_empty() {
        return Err(cell_err(file, line, column, v, "missing (required)"));
    }
    if v.starts_with('-') && v[1..].parse::<f64>().is_ok() {
        return Err(cell_err(file, line, column, v, "negative; must be >= 0"));
    }
    if !v.bytes().all(|b| b.is_ascii_digit()) {
        return Err(cell_err(
            file,
            line,
            column,
            v,
            "not a non-negative integer",
        ));
    }
    v.parse::<u64>()
        .map_err(|_| cell_err(file, line, column, v, "too large for a count"))
}

/// A finite number, optionally bounded to [0, 1] or to >= 0.
fn parse_num(file: &str, line: u64, column: &str, v: &str, unit: bool) -> Result<f64> {
    let x: f64 = v
        .parse()
        .map_err(|_| cell_err(file, line, column, v, "not a number"))?;
    if !x.is_finite() {
        return Err(cell_err(file, line, column, v, "not a finite number"));
    }
    if unit && !(0.0..=1.0).contains(&x) {
        return Err(cell_err(file, line, column, v, "must be in [0, 1]"));
    }
    if x < 0.0 {
        return Err(cell_err(file, line, column, v, "negative; must be >= 0"));
    }
    Ok(x)
}

fn opt_num(
    cells: &[String],
    col: Option<usize>,
    file: &str,
    line: u64,
    name: &str,
    unit: bool,
) -> Result<Option<f64>> {
    match col.map(|c| cells[c].as_str()) {
        None | Some("") => Ok(None),
        Some(v) => parse_num(file, line, name, v, unit).map(Some),
    }
}

impl CreatorTable {
    /// Reads `creators.csv` (see the [module docs](self) and `docs/plan.md`): columns
    /// `creator`, `platform`, `followers` (required), `account`, `price`, `state`, `lean_a`,
    /// `eligible`, `posts`, `reach_rate` (optional). Jurisdictions are the state rows of
    /// `electorate`; `state` must name one of them (case-insensitive).
    ///
    /// # Errors
    /// [`Error::Table`] naming file, line, column and value for an unknown or missing column, a
    /// missing, negative or non-integer follower count, a share outside [0, 1], a negative
    /// price or post rate, an unknown state, a repeated account, or a creator whose rows give
    /// two prices or two home states (naming both lines); [`Error::Empty`] for no rows;
    /// [`Error::Parse`] for malformed CSV.
    pub fn read(creators: impl Read, file: &str, electorate: &Electorate) -> Result<Self> {
        let csv = read_csv(creators, file, false)?;
        let cols = columns(&csv, file, &CREATOR_COLUMNS)?;
        let c_creator = require(&cols, file, "creator")?;
        let c_platform = require(&cols, file, "platform")?;
        let c_followers = require(&cols, file, "followers")?;
        let c_account = cols.get("account").copied();
        let c_price = cols.get("price").copied();
        let c_state = cols.get("state").copied();
        let jurisdictions = electorate_jurisdictions(electorate);
        let mut table = CreatorTable {
            accounts: Vec::new(),
            creators: Vec::new(),
            platforms: Vec::new(),
            jurisdictions,
            population: Population::from_electorate(electorate),
        };
        let mut creator_index: FxHashMap<String, usize> = FxHashMap::default();
        // Per creator: the line that set its price and its state.
        let mut price_line: Vec<u64> = Vec::new();
        let mut state_line: Vec<u64> = Vec::new();
        let mut account_line: FxHashMap<String, u64> = FxHashMap::default();
        for (line, cells) in &csv.rows {
            let line = *line;
            let name = cells[c_creator].as_str();
            if name.is_empty() {
                return Err(cell_err(file, line, "creator", name, "missing (required)"));
            }
            let platform = cells[c_platform].to_ascii_lowercase();
            if platform.is_empty() {
                return Err(cell_err(
                    file,
                    line,
                    "platform",
                    &platform,
                    "missing (required)",
                ));
            }
            let followers = parse_count(file, line, "followers", &cells[c_followers])?;
            let account = match c_account.map(|c| cells[c].as_str()) {
                None | Some("") => format!("{name}:{platform}"),
                Some(a) => a.to_string(),
            };
            if let Some(&first) = account_line.get(&account) {
                let col = if c_account.is_some() {
                    "account"
                } else {
                    "creator"
                };
                return Err(cell_err(
                    file,
                    line,
                    col,
                    &account,
                    format!("account given twice (also on line {first})"),
                ));
            }
            account_line.insert(account.clone(), line);
            let price = opt_num(cells, c_price, file, line, "price", false)?;
            let state = match c_state.map(|c| cells[c].as_str()) {
                None | Some("") => None,
                Some(s) => Some(table.jurisdiction(s).ok_or_else(|| {
                    cell_err(
                        file,
                        line,
                        "state",
                        s,
                        format!(
                            "not a state of the electorate {} (give a state id such as PA)",
                            electorate.name
                        ),
                    )
                })?),
            };
            let ci = match creator_index.get(name) {
                Some(&ci) => ci,
                None => {
                    creator_index.insert(name.to_string(), table.creators.len());
                    table.creators.push(Creator {
                        name: name.to_string(),
                        price: None,
                        state: None,
                        accounts: Vec::new(),
                    });
                    price_line.push(0);
                    state_line.push(0);
                    table.creators.len() - 1
                }
            };
            let c = &mut table.creators[ci];
            if let Some(p) = price {
                match c.price {
                    Some(q) if q != p => {
                        return Err(cell_err(
                            file,
                            line,
                            "price",
                            &cells[c_price.unwrap_or(0)],
                            format!(
                                "creator {name:?} has price {q} on line {} and {p} here; one \
                                 price covers all of a creator's accounts",
                                price_line[ci]
                            ),
                        ))
                    }
                    Some(_) => {}
                    None => {
                        c.price = Some(p);
                        price_line[ci] = line;
                    }
                }
            }
            if let Some(s) = state {
                match c.state {
                    Some(t) if t != s => {
                        return Err(cell_err(
                            file,
                            line,
                            "state",
                            &cells[c_state.unwrap_or(0)],
                            format!(
                                "creator {name:?} has home state {} on line {}; a creator has \
                                 one home state",
                                table.jurisdictions[t], state_line[ci]
                            ),
                        ))
                    }
                    Some(_) => {}
                    None => {
                        c.state = Some(s);
                        state_line[ci] = line;
                    }
                }
            }
            let pi = match table.platforms.iter().position(|p| *p == platform) {
                Some(p) => p,
                None => {
                    table.platforms.push(platform.clone());
                    table.platforms.len() - 1
                }
            };
            let ai = table.accounts.len();
            table.creators[ci].accounts.push(ai);
            table.accounts.push(AccountRow {
                account,
                creator: ci,
                platform: pi,
                followers,
                posts: opt_num(
                    cells,
                    cols.get("posts").copied(),
                    file,
                    line,
                    "posts",
                    false,
                )?,
                reach_rate: opt_num(
                    cells,
                    cols.get("reach_rate").copied(),
                    file,
                    line,
                    "reach_rate",
                    true,
                )?,
                lean_a: opt_num(
                    cells,
                    cols.get("lean_a").copied(),
                    file,
                    line,
                    "lean_a",
                    true,
                )?,
                eligible: opt_num(
                    cells,
                    cols.get("eligible").copied(),
                    file,
                    line,
                    "eligible",
                    true,
                )?,
                geography: None,
                line: line as usize,
            });
        }
        if table.accounts.is_empty() {
            return Err(Error::Empty {
                what: format!("creators table {file}"),
            });
        }
        Ok(table)
    }

    /// A table built in memory from follower counts: one creator per account (named as the
    /// account), on the given platform, no price, state or geography, drawn from `population`
    /// (whose jurisdictions become the table's). Used by benchmarks and tests that build a
    /// table from a graph's own counts.
    pub fn from_counts(
        accounts: impl IntoIterator<Item = (String, u64)>,
        platform: &str,
        population: Population,
    ) -> Self {
        let mut t = CreatorTable {
            accounts: Vec::new(),
            creators: Vec::new(),
            platforms: vec![platform.to_ascii_lowercase()],
            jurisdictions: population.jurisdictions.clone(),
            population,
        };
        for (i, (name, followers)) in accounts.into_iter().enumerate() {
            t.creators.push(Creator {
                name: name.clone(),
                price: None,
                state: None,
                accounts: vec![i],
            });
            t.accounts.push(AccountRow {
                account: name,
                creator: i,
                platform: 0,
                followers,
                posts: None,
                reach_rate: None,
                lean_a: None,
                eligible: None,
                geography: None,
                line: i + 2,
            });
        }
        t
    }

    /// Index of jurisdiction `id` (case-insensitive, trimmed).
    pub fn jurisdiction(&self, id: &str) -> Option<usize> {
        let id = id.trim();
        self.jurisdictions
            .iter()
            .position(|j| j.eq_ignore_ascii_case(id))
    }

    /// Index of account `id` (the id rule: trimmed text, compared exactly).
    pub fn account(&self, id: &str) -> Option<usize> {
        let id = id.trim();
        self.accounts.iter().position(|a| a.account == id)
    }

    fn account_map(&self) -> FxHashMap<&str, usize> {
        self.accounts
            .iter()
            .enumerate()
            .map(|(i, a)| (a.account.as_str(), i))
            .collect()
    }

    /// Reads audience geography, `account,jurisdiction,share` (long format): the share of the
    /// account's followers who live in the jurisdiction. The shares of one account sum to at
    /// most 1 (+[`SHARE_SUM_TOLERANCE`]); the rest of its audience is outside the electorate.
    /// Accounts absent from the file keep the default (national) geography of the model.
    ///
    /// # Errors
    /// [`Error::Table`] naming file, line, column and value for an unknown or missing column, an
    /// unknown account or jurisdiction, a share outside [0, 1], a repeated
    /// (account, jurisdiction) pair (naming both lines), or shares of one account summing above
    /// 1 (at the line that passes 1).
    pub fn read_audience(&mut self, r: impl Read, file: &str) -> Result<()> {
        let csv = read_csv(r, file, false)?;
        let cols = columns(&csv, file, &["account", "jurisdiction", "share"])?;
        let (ca, cj, cs) = (
            require(&cols, file, "account")?,
            require(&cols, file, "jurisdiction")?,
            require(&cols, file, "share")?,
        );
        let index = self.account_map();
        let mut geo: FxHashMap<usize, Vec<(usize, f64)>> = FxHashMap::default();
        let mut sums: FxHashMap<usize, f64> = FxHashMap::default();
        let mut seen: FxHashMap<(usize, usize), u64> = FxHashMap::default();
        for (line, cells) in &csv.rows {
            let line = *line;
            let a = &cells[ca];
            let ai = *index.get(a.as_str()).ok_or_else(|| {
                cell_err(
                    file,
                    line,
                    "account",
                    a,
                    "not an account of the creators table",
                )
            })?;
            let j = &cells[cj];
            let ji = self.jurisdiction(j).ok_or_else(|| {
                cell_err(
                    file,
                    line,
                    "jurisdiction",
                    j,
                    "not a jurisdiction of the electorate (give a state id such as PA)",
                )
            })?;
            let v = &cells[cs];
            if v.is_empty() {
                return Err(cell_err(file, line, "share", v, "missing (required)"));
            }
            let share = parse_num(file, line, "share", v, true)?;
            if let Some(first) = seen.insert((ai, ji), line) {
                return Err(cell_err(
                    file,
                    line,
                    "jurisdiction",
                    j,
                    format!("account {a:?} already has a share here on line {first}"),
                ));
            }
            let sum = sums.entry(ai).or_insert(0.0);
            *sum += share;
            if *sum > 1.0 + SHARE_SUM_TOLERANCE {
                return Err(cell_err(
                    file,
                    line,
                    "share",
                    v,
                    format!(
                        "the shares of account {a:?} sum to {:.6} with this row, more than 1",
                        *sum
                    ),
                ));
            }
            geo.entry(ai).or_default().push((ji, share));
        }
        for (ai, mut g) in geo {
            g.sort_by_key(|&(j, _)| j);
            self.accounts[ai].geography = Some(g);
        }
        Ok(())
    }

    /// Reads measured overlaps, `a,b,shared` (the fraction of `a`'s followers who also follow
    /// `b`) or `a,b,shared_count` (the number of followers they share).
    ///
    /// # Errors
    /// [`Error::Table`] naming file, line, column and value for an unknown or missing column,
    /// an unknown account, an account paired with itself, a fraction outside [0, 1], a count
    /// that is not a non-negative integer, an overlap larger than either audience, an overlap
    /// of an account with no followers, or a pair given twice (naming both lines).
    pub fn read_overlaps(&self, r: impl Read, file: &str) -> Result<Vec<MeasuredOverlap>> {
        let csv = read_csv(r, file, false)?;
        let cols = columns(&csv, file, &["a", "b", "shared", "shared_count"])?;
        let (ca, cb) = (require(&cols, file, "a")?, require(&cols, file, "b")?);
        let (cs, is_count) = match (cols.get("shared"), cols.get("shared_count")) {
            (Some(&c), None) => (c, false),
            (None, Some(&c)) => (c, true),
            (Some(_), Some(_)) => {
                return Err(cell_err(
                    file,
                    1,
                    "header",
                    "shared_count",
                    "give shared (a fraction) or shared_count (a count), not both",
                ))
            }
            (None, None) => {
                return Err(cell_err(
                    file,
                    1,
                    "header",
                    "shared",
                    "required column shared (or shared_count) is missing",
                ))
            }
        };
        let scol = if is_count { "shared_count" } else { "shared" };
        let index = self.account_map();
        let mut seen: FxHashMap<(usize, usize), u64> = FxHashMap::default();
        let mut out = Vec::new();
        for (line, cells) in &csv.rows {
            let line = *line;
            let find = |col: usize, name: &str| -> Result<usize> {
                let id = &cells[col];
                index.get(id.as_str()).copied().ok_or_else(|| {
                    cell_err(file, line, name, id, "not an account of the creators table")
                })
            };
            let a = find(ca, "a")?;
            let b = find(cb, "b")?;
            if a == b {
                return Err(cell_err(
                    file,
                    line,
                    "b",
                    &cells[cb],
                    "an account's overlap with itself is not a measurement",
                ));
            }
            let key = (a.min(b), a.max(b));
            if let Some(first) = seen.insert(key, line) {
                return Err(cell_err(
                    file,
                    line,
                    "b",
                    &cells[cb],
                    format!("this pair is already measured on line {first}"),
                ));
            }
            let (fa, fb) = (self.accounts[a].followers, self.accounts[b].followers);
            let v = &cells[cs];
            if fa == 0 {
                return Err(cell_err(
                    file,
                    line,
                    "a",
                    &cells[ca],
                    "account has 0 followers; its overlap is not defined",
                ));
            }
            let shared = if is_count {
                let n = parse_count(file, line, scol, v)?;
                if n > fa.min(fb) {
                    return Err(cell_err(
                        file,
                        line,
                        scol,
                        v,
                        format!(
                            "larger than an audience ({} has {fa} followers, {} has {fb})",
                            cells[ca], cells[cb]
                        ),
                    ));
                }
                n as f64
            } else {
                if v.is_empty() {
                    return Err(cell_err(file, line, scol, v, "missing (required)"));
                }
                let f = parse_num(file, line, scol, v, true)?;
                let n = f * fa as f64;
                // Rounded fractions of a large audience may pass b's count by a follower.
                if n > fb as f64 + 0.5 + 1e-9 * n {
                    return Err(cell_err(
                        file,
                        line,
                        scol,
                        v,
                        format!(
                            "{n:.0} shared followers is larger than {}'s audience of {fb}",
                            cells[cb]
                        ),
                    ));
                }
                n
            };
            out.push(MeasuredOverlap {
                a,
                b,
                shared_fraction: shared / fa as f64,
                line: line as usize,
            });
        }
        Ok(out)
    }
}

/// The jurisdictions an electorate gives the plan: its state rows (districts are parts of
/// their states).
pub fn electorate_jurisdictions(e: &Electorate) -> Vec<String> {
    e.state_indices()
        .into_iter()
        .map(|i| e.units[i].id.clone())
        .collect()
}
