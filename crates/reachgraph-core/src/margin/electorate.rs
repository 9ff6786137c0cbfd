//! The electorate a margin simulation runs on: jurisdictions, electoral votes, baseline margins.

use crate::election::{ElectionResults, Side};
use crate::error::{echo, Error, Result};
use rustc_hash::FxHashMap;
use serde::Serialize;
use std::io::Read;

/// Turnout (votes cast / voting-eligible population) assumed where the electorate does not give
/// the eligible population: about the 2020 and 2024 national rates (UF Election Lab).
pub const DEFAULT_TURNOUT: f64 = 0.64;

/// One jurisdiction whose plurality decides electoral votes: a state (or DC), or a
/// Maine/Nebraska congressional district.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Unit {
    /// Id: the postal code (`"PA"`) or district id (`"ME-02"`).
    pub id: String,
    /// Readable name.
    pub name: String,
    /// Postal code of the state (the district's state for districts).
    pub state: String,
    /// True for a congressional district (its votes are also in its state's row).
    pub is_district: bool,
    /// Index of the state row in [`Electorate::units`] (itself for states).
    pub state_index: usize,
    /// Electoral votes of the row (the whole state's on state rows).
    pub electoral_votes: u32,
    /// Electoral votes this unit's plurality decides: at-large votes on states with district
    /// rows, all of them elsewhere, 1 on districts; a certified split without district rows
    /// (Nebraska 2020) leaves the minority votes fixed (see [`Electorate::fixed_a`]).
    pub decided_votes: u32,
    /// Baseline votes for side A.
    pub votes_a: f64,
    /// Baseline votes for side B.
    pub votes_b: f64,
    /// Baseline votes cast for anyone.
    pub total_votes: f64,
    /// Voting-eligible population, if known (districts: `None`).
    pub voting_eligible_population: Option<f64>,
    /// Standard deviation of the margin (points of the total vote) given by a forecast; `None`
    /// for certified results (the baseline error then comes from the simulation settings).
    pub margin_sd_points: Option<f64>,
    /// Side that wins when the margin is exactly zero (a certified tie-break, else side B).
    pub tie_winner_is_a: bool,
}

impl Unit {
    /// Baseline margin of side A in votes.
    pub fn margin_votes(&self) -> f64 {
        self.votes_a - self.votes_b
    }

    /// Baseline margin of side A in points (percent of all votes cast).
    pub fn margin_points(&self) -> f64 {
        if self.total_votes > 0.0 {
            100.0 * self.margin_votes() / self.total_votes
        } else {
            0.0
        }
    }

    /// Baseline turnout: votes cast over the eligible population, or [`DEFAULT_TURNOUT`].
    pub fn turnout(&self) -> f64 {
        match self.voting_eligible_population {
            Some(v) if v > 0.0 => (self.total_votes / v).clamp(0.0, 1.0),
            _ => DEFAULT_TURNOUT,
        }
    }

    /// Share of the two-party vote that side A got.
    pub fn two_party_share_a(&self) -> f64 {
        let t = self.votes_a + self.votes_b;
        if t > 0.0 {
            self.votes_a / t
        } else {
            0.5
        }
    }
}

/// Jurisdictions with electoral votes and baseline votes per side, seen from side A (the side
/// the campaign works for).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Electorate {
    /// Short name: `us-2024`, `us-2020`, or the file name.
    pub name: String,
    /// Where the numbers come from.
    pub source: String,
    /// The side the campaign works for.
    pub side_a: Side,
    /// Name of side A's candidate.
    pub candidate_a: String,
    /// Name of side B's candidate.
    pub candidate_b: String,
    /// State rows, then district rows, in file order within each.
    pub units: Vec<Unit>,
    /// Electoral votes over state rows (538 for the US).
    pub total_electoral_votes: u32,
    /// Electoral votes needed to win: more than half.
    pub majority: u32,
    /// Electoral votes fixed to side A (certified split votes of states without district rows).
    pub fixed_a: u32,
    /// Electoral votes fixed to side B.
    pub fixed_b: u32,
    /// True when the margins are a forecast (means and standard deviations).
    pub is_forecast: bool,
}

impl Electorate {
    /// The embedded certified US presidential result of `year` (2020 or 2024), seen from `side_a`.
    ///
    /// # Errors
    /// [`Error::InvalidParameter`] for a year without embedded results.
    pub fn us_president(year: u32, side_a: Side) -> Result<Self> {
        let r = ElectionResults::us_president(year)?;
        let mut e = Self::from_results(&r, side_a);
        e.name = format!("us-{year}");
        e.source = format!(
            "certified {year} US presidential results by state and district, embedded from \
             shared/data (MEDSL returns, UF Election Lab eligible population; see \
             crates/reachgraph-core/data/ELECTION_PROVENANCE.md)"
        );
        Ok(e)
    }

    /// An electorate from election results (see [`ElectionResults`]), seen from `side_a`.
    pub fn from_results(r: &ElectionResults, side_a: Side) -> Self {
        let mut units = Vec::new();
        let mut state_index: FxHashMap<String, usize> = FxHashMap::default();
        let (mut fixed_a, mut fixed_b) = (0, 0);
        let awards = r.awards();
        for (s, award) in r.states().zip(&awards) {
            state_index.insert(s.state.to_ascii_uppercase(), units.len());
            let district_ev: u32 = r
                .districts()
                .filter(|d| d.state.eq_ignore_ascii_case(&s.state))
                .map(|d| d.electoral_votes)
                .sum();
            let mut decided = s.electoral_votes - district_ev;
            if award.from_certified_split {
                // The minority share of a certified split is fixed; the plurality decides the rest.
                let (a, b) = oriented(award.dem, award.rep, side_a);
                let winner_is_a = s.winner == side_a;
                let minority = if winner_is_a { b } else { a };
                decided = s.electoral_votes - minority;
                if winner_is_a {
                    fixed_b += minority;
                } else {
                    fixed_a += minority;
                }
            }
            units.push(unit_of(s, side_a, units.len(), decided));
        }
        for d in r.districts() {
            // from_csv guarantees every district's state has a row
            let si = state_index
                .get(&d.state.to_ascii_uppercase())
                .copied()
                .unwrap_or(0);
            let mut u = unit_of(d, side_a, si, d.electoral_votes);
            u.voting_eligible_population = None;
            units.push(u);
        }
        let total = r.total_electoral_votes();
        let (ca, cb) = match side_a {
            Side::Dem => (r.dem_candidate.clone(), r.rep_candidate.clone()),
            Side::Rep => (r.rep_candidate.clone(), r.dem_candidate.clone()),
        };
        Electorate {
            name: "results".into(),
            source: "user election results".into(),
            side_a,
            candidate_a: ca,
            candidate_b: cb,
            units,
            total_electoral_votes: total,
            majority: total / 2 + 1,
            fixed_a,
            fixed_b,
            is_forecast: false,
        }
    }

    /// Reads an electorate from a CSV file: certified-style results (the layout of
    /// [`ElectionResults::from_csv`]) or, when the header has `dem_margin_mean`, a forecast.
    ///
    /// A forecast has the columns `jurisdiction`, `electoral_votes`, `total_votes` (expected
    /// votes cast), `dem_margin_mean` and `dem_margin_sd` (Democratic minus Republican share of
    /// all votes, in points), and optionally `voting_eligible_population`; any other column is
    /// an error naming it. Ids with a `-` are districts of the state before the dash. `input`
    /// names the file in errors; a UTF-8 byte order mark at the start is skipped.
    ///
    /// # Errors
    /// [`Error::Parse`] naming the line for a malformed, negative or out-of-range value, a
    /// repeated jurisdiction, a district without its state, district rows holding more
    /// electoral votes than their state; [`Error::Empty`] for no rows.
    pub fn from_csv<R: Read>(mut reader: R, input: &str, side_a: Side) -> Result<Self> {
        let mut text = String::new();
        reader
            .read_to_string(&mut text)
            .map_err(|source| Error::Io {
                input: input.to_string(),
                source,
            })?;
        let text = match text.strip_prefix('\u{feff}') {
            Some(t) => t.to_string(),
            None => text,
        };
        let header = text.lines().next().unwrap_or("").to_ascii_lowercase();
        let mut e = if header.split(',').any(|h| h.trim() == "dem_margin_mean") {
            forecast_from_csv(&text, input, side_a)?
        } else {
            Self::from_results(&ElectionResults::from_csv(text.as_bytes(), input)?, side_a)
        };
        e.name = input.rsplit('/').next().unwrap_or(input).to_string();
        e.source = format!("user file {input}");
        Ok(e)
    }

    /// Index of the unit with id `id` (case-insensitive).
    pub fn find(&self, id: &str) -> Option<usize> {
        let id = id.trim();
        self.units
            .iter()
            .position(|u| u.id.eq_ignore_ascii_case(id))
    }

    /// Why an id names no unit, for error messages (after the id): `is not in the electorate
    /// NAME (ids like AL, AK, AZ)`.
    pub(crate) fn not_found(&self) -> String {
        format!(
            "is not in the electorate {} (ids like {})",
            self.name,
            self.units
                .iter()
                .take(3)
                .map(|u| u.id.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        )
    }

    /// Indices of the state rows.
    pub fn state_indices(&self) -> Vec<usize> {
        (0..self.units.len())
            .filter(|&i| !self.units[i].is_district)
            .collect()
    }

    /// Electoral votes of side A when it wins exactly the units where `won_a[i]` is true.
    pub fn electoral_votes_a(&self, won_a: &[bool]) -> u32 {
        self.fixed_a
            + self
                .units
                .iter()
                .zip(won_a)
                .filter(|(_, &w)| w)
                .map(|(u, _)| u.decided_votes)
                .sum::<u32>()
    }
}

fn oriented(dem: u32, rep: u32, side_a: Side) -> (u32, u32) {
    match side_a {
        Side::Dem => (dem, rep),
        Side::Rep => (rep, dem),
    }
}

fn unit_of(
    r: &crate::election::JurisdictionResult,
    side_a: Side,
    state_index: usize,
    decided: u32,
) -> Unit {
    Unit {
        id: r.id.clone(),
        name: r.name.clone(),
        state: r.state.clone(),
        is_district: r.is_district,
        state_index,
        electoral_votes: r.electoral_votes,
        decided_votes: decided,
        votes_a: r.votes(side_a) as f64,
        votes_b: r.votes(side_a.other()) as f64,
        total_votes: r.total_votes as f64,
        voting_eligible_population: r.voting_eligible_population.map(|v| v as f64),
        margin_sd_points: None,
        tie_winner_is_a: r.winner == side_a,
    }
}

/// Reads a forecast CSV (see [`Electorate::from_csv`]).
fn forecast_from_csv(text: &str, input: &str, side_a: Side) -> Result<Electorate> {
    let (reader, lines) = crate::csvfile::track_lines(text.as_bytes(), false);
    let mut rdr = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .from_reader(reader);
    let headers = rdr
        .headers()
        .map_err(|e| Error::parse(input, 1, e.to_string()))?
        .clone();
    let col = |name: &str| headers.iter().position(|h| h.eq_ignore_ascii_case(name));
    let req = |name: &str| {
        col(name).ok_or_else(|| {
            Error::parse(
                input,
                1,
                format!(
                    "missing column {name}; a forecast needs jurisdiction, electoral_votes, \
                     total_votes, dem_margin_mean, dem_margin_sd"
                ),
            )
        })
    };
    let (cid, cev, ctot, cmean, csd) = (
        req("jurisdiction")?,
        req("electoral_votes")?,
        req("total_votes")?,
        req("dem_margin_mean")?,
        req("dem_margin_sd")?,
    );
    let cvep = col("voting_eligible_population");
    let known = [cid, cev, ctot, cmean, csd];
    let unknown: Vec<String> = headers
        .iter()
        .enumerate()
        .filter(|&(i, _)| !known.contains(&i) && Some(i) != cvep)
        .map(|(_, h)| format!("{:?}", echo(h)))
        .collect();
    if !unknown.is_empty() {
        return Err(Error::parse(
            input,
            1,
            format!(
                "unknown column(s) {}; a forecast has jurisdiction, electoral_votes, \
                 total_votes, dem_margin_mean, dem_margin_sd, voting_eligible_population",
                unknown.join(", ")
            ),
        ));
    }
    let sign = if side_a == Side::Dem { 1.0 } else { -1.0 };
    let mut states: Vec<(Unit, u64)> = Vec::new();
    let mut districts: Vec<(Unit, u64)> = Vec::new();
    let mut seen: FxHashMap<String, u64> = FxHashMap::default();
    for rec in rdr.records() {
        let rec = rec.map_err(|e| {
            let line = lines.line(e.position());
            Error::parse(input, line, e.to_string())
        })?;
        let line = lines.line(rec.position());
        let field = |c: usize| rec.get(c).unwrap_or("");
        let num = |c: usize, name: &str| -> Result<f64> {
            let t = field(c);
            t.parse::<f64>()
                .ok()
                .filter(|v| v.is_finite())
                .ok_or_else(|| {
                    Error::parse(
                        input,
                        line,
                        format!("column {name}: {:?} is not a number", echo(t)),
                    )
                })
        };
        let id = field(cid).to_string();
        if id.is_empty() {
            return Err(Error::parse(input, line, "column jurisdiction is empty"));
        }
        if let Some(first) = seen.insert(id.to_ascii_uppercase(), line) {
            return Err(Error::parse(
                input,
                line,
                format!("jurisdiction {id} appears again (first on line {first})"),
            ));
        }
        let ev = num(cev, "electoral_votes")?;
        if ev < 0.0 || ev.fract() != 0.0 || ev > 1e6 {
            return Err(Error::parse(
                input,
                line,
                format!("electoral_votes {ev} is not a whole number >= 0"),
            ));
        }
        let total = num(ctot, "total_votes")?;
        if total < 0.0 {
            return Err(Error::parse(
                input,
                line,
                format!("total_votes {total} is negative"),
            ));
        }
        if total == 0.0 {
            // A jurisdiction where nobody votes has no margin to move (shares are 0 / 0).
            return Err(Error::parse(
                input,
                line,
                "total_votes is 0: a jurisdiction needs votes cast",
            ));
        }
        let mean = num(cmean, "dem_margin_mean")?;
        if !(-100.0..=100.0).contains(&mean) {
            return Err(Error::parse(
                input,
                line,
                format!("dem_margin_mean {mean} is not in [-100, 100] points"),
            ));
        }
        let sd = num(csd, "dem_margin_sd")?;
        if sd < 0.0 {
            return Err(Error::parse(
                input,
                line,
                format!("dem_margin_sd {sd} is negative"),
            ));
        }
        let vep = match cvep.map(field) {
            None | Some("") => None,
            Some(_) => {
                let v = num(cvep.unwrap_or(0), "voting_eligible_population")?;
                if v < 0.0 {
                    return Err(Error::parse(
                        input,
                        line,
                        format!("voting_eligible_population {v} is negative"),
                    ));
                }
                Some(v)
            }
        };
        let m = sign * mean / 100.0 * total;
        let is_district = id.contains('-');
        let state = if is_district {
            id.split_once('-').map_or("", |(s, _)| s).to_string()
        } else {
            id.clone()
        };
        let unit = Unit {
            name: id.clone(),
            id,
            state,
            is_district,
            state_index: 0,
            electoral_votes: ev as u32,
            decided_votes: ev as u32,
            votes_a: (total + m) / 2.0,
            votes_b: (total - m) / 2.0,
            total_votes: total,
            voting_eligible_population: vep,
            margin_sd_points: Some(sd),
            tie_winner_is_a: false,
        };
        if is_district {
            districts.push((unit, line));
        } else {
            states.push((unit, line));
        }
    }
    if states.is_empty() {
        return Err(Error::Empty {
            what: format!("forecast jurisdictions in {input}"),
        });
    }
    let mut units: Vec<Unit> = states.iter().map(|(u, _)| u.clone()).collect();
    for (i, u) in units.iter_mut().enumerate() {
        u.state_index = i;
    }
    let mut district_ev = vec![0u64; units.len()];
    for (mut d, line) in districts {
        let Some(si) = units
            .iter()
            .position(|s| !s.is_district && s.state.eq_ignore_ascii_case(&d.state))
        else {
            return Err(Error::parse(
                input,
                line,
                format!("district {} has no state row for {}", d.id, d.state),
            ));
        };
        d.state_index = si;
        district_ev[si] += d.electoral_votes as u64;
        units.push(d);
    }
    for (si, &ev) in district_ev.iter().enumerate() {
        if ev > units[si].electoral_votes as u64 {
            return Err(Error::parse(
                input,
                states[si].1,
                format!(
                    "the district rows of {} hold {ev} electoral votes, more than the state's {}",
                    units[si].state, units[si].electoral_votes
                ),
            ));
        }
        units[si].decided_votes = units[si].electoral_votes - ev as u32;
    }
    let total: u32 = states.iter().map(|(u, _)| u.electoral_votes).sum();
    Ok(Electorate {
        name: String::new(),
        source: String::new(),
        side_a,
        candidate_a: format!("{side_a} candidate"),
        candidate_b: format!("{} candidate", side_a.other()),
        units,
        total_electoral_votes: total,
        majority: total / 2 + 1,
        fixed_a: 0,
        fixed_b: 0,
        is_forecast: true,
    })
}
