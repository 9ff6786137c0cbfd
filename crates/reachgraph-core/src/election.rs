//! Certified US presidential results by state, embedded, and a reader for files like them.
//!
//! The margin simulation needs a baseline electorate: electoral votes and votes per side in
//! every jurisdiction. Two are compiled in, [`ElectionResults::us_president`]`(2024)` and
//! `(2020)`, copied unmodified from the project's shared data folder (see `data/README.md` and
//! `data/ELECTION_PROVENANCE.md` beside this crate for sources, checks and caveats). Users can
//! read their own with [`ElectionResults::from_csv`].
//!
//! ## Rows
//! Each file has one row per state (50 states and DC: 51 *state rows*) and, for Maine and
//! Nebraska, which award electoral votes by congressional district, *district rows* such as
//! `ME-02`. District votes are already counted in their state's row, so national totals and
//! electoral-vote sums use state rows only ([`ElectionResults::states`]).
//!
//! ## Electoral votes
//! A state row carries the whole state's electoral votes. [`ElectionResults::awards`] gives its
//! at-large votes (state votes minus one per district row) to the state's plurality winner and
//! each district's vote to that district's winner. The 2020 file has no Nebraska district rows
//! (the provenance explains why), so for a state without district rows whose certified award
//! (`electoral_votes_won_dem` / `_rep` columns) is split, the certified split is used: that is
//! how Nebraska 2020 gives 1 vote (NE-02) to Biden and the count comes to the certified 306–232.

use crate::error::{echo, Error, Result};
use rustc_hash::FxHashMap;
use serde::{Deserialize, Serialize};
use std::fmt;
use std::io::Read;

const US_PRESIDENT_2024: &str = include_str!("../data/us_president_2024_by_state.csv");
const US_PRESIDENT_2020: &str = include_str!("../data/us_president_2020_by_state.csv");

/// Years for which [`ElectionResults::us_president`] has embedded results.
pub const EMBEDDED_YEARS: [u32; 2] = [2020, 2024];

/// A side of a two-candidate race.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Side {
    /// The Democratic candidate.
    #[serde(rename = "D")]
    Dem,
    /// The Republican candidate.
    #[serde(rename = "R")]
    Rep,
}

impl Side {
    /// The other side.
    pub fn other(self) -> Side {
        match self {
            Side::Dem => Side::Rep,
            Side::Rep => Side::Dem,
        }
    }

    /// One-letter code, as in the files: `"D"` or `"R"`.
    pub fn code(self) -> &'static str {
        match self {
            Side::Dem => "D",
            Side::Rep => "R",
        }
    }

    /// Parses `D`/`R`, `dem`/`rep`, `democratic`/`republican` (case-insensitive).
    pub fn parse(s: &str) -> Option<Side> {
        match s.trim().to_ascii_lowercase().as_str() {
            "d" | "dem" | "democrat" | "democratic" => Some(Side::Dem),
            "r" | "rep" | "gop" | "republican" => Some(Side::Rep),
            _ => None,
        }
    }
}

impl fmt::Display for Side {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// The result in one jurisdiction: a state (or DC), or a Maine/Nebraska congressional district.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct JurisdictionResult {
    /// Jurisdiction id: the postal code for state rows (`"PA"`), `"ME-02"` for districts.
    pub id: String,
    /// Postal code of the state (the district's state for district rows).
    pub state: String,
    /// Readable name: `"Pennsylvania"`, `"Maine district 02"`.
    pub name: String,
    /// True for a congressional-district row (its votes are also in its state's row).
    pub is_district: bool,
    /// Electoral votes: the whole state's on state rows (at-large plus districts), 1 on districts.
    pub electoral_votes: u32,
    /// Votes for the Democratic candidate (all ballot lines).
    pub dem_votes: u64,
    /// Votes for the Republican candidate (all ballot lines).
    pub rep_votes: u64,
    /// Votes for everyone else (`total_votes − dem_votes − rep_votes`).
    pub other_votes: u64,
    /// All votes for presidential candidates.
    pub total_votes: u64,
    /// Voting-age population, where the file gives it (state rows only in the embedded files).
    pub voting_age_population: Option<u64>,
    /// Voting-eligible population, where the file gives it (state rows only in the embedded files).
    pub voting_eligible_population: Option<u64>,
    /// The plurality winner of this row.
    pub winner: Side,
    /// Electoral votes actually awarded to the Democratic candidate, as the file certifies
    /// (state rows carry the whole state's award, districts included); `None` when not given.
    pub electoral_votes_won_dem: Option<u32>,
    /// Electoral votes actually awarded to the Republican candidate, as the file certifies.
    pub electoral_votes_won_rep: Option<u32>,
}

impl JurisdictionResult {
    /// Democratic minus Republican votes (negative where the Republican led).
    pub fn margin_dem(&self) -> i64 {
        self.dem_votes as i64 - self.rep_votes as i64
    }

    /// Votes of one side.
    pub fn votes(&self, side: Side) -> u64 {
        match side {
            Side::Dem => self.dem_votes,
            Side::Rep => self.rep_votes,
        }
    }
}

/// How one state's electoral votes were awarded (see the [module docs](self)).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Award {
    /// Postal code of the state.
    pub state: String,
    /// Electoral votes to the Democratic candidate.
    pub dem: u32,
    /// Electoral votes to the Republican candidate.
    pub rep: u32,
    /// Electoral votes awarded statewide (all of them outside Maine and Nebraska); `None` when
    /// the award comes from a certified split without district rows, which does not say.
    pub at_large: Option<u32>,
    /// True when the file has no district rows for a split state and the certified split was used.
    pub from_certified_split: bool,
}

/// Results of one presidential election, one row per jurisdiction.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ElectionResults {
    /// Election year (`None` for a user file, which does not say).
    pub year: Option<u32>,
    /// Name of the Democratic candidate.
    pub dem_candidate: String,
    /// Name of the Republican candidate.
    pub rep_candidate: String,
    /// State rows and district rows, in file order.
    pub rows: Vec<JurisdictionResult>,
}

impl ElectionResults {
    /// The embedded certified results of the US presidential election of `year` (2020 or 2024).
    ///
    /// # Errors
    /// [`Error::InvalidParameter`] for any other year.
    ///
    /// ```
    /// use reachgraph_core::election::ElectionResults;
    /// let r = ElectionResults::us_president(2024).unwrap();
    /// assert_eq!(r.states().count(), 51);
    /// assert_eq!(r.electoral_votes_won(), (226, 312));
    /// assert_eq!(r.get("ne-02").unwrap().winner.code(), "D");
    /// ```
    pub fn us_president(year: u32) -> Result<Self> {
        let (text, name) = match year {
            2024 => (US_PRESIDENT_2024, "embedded us_president_2024_by_state.csv"),
            2020 => (US_PRESIDENT_2020, "embedded us_president_2020_by_state.csv"),
            _ => {
                return Err(Error::invalid_parameter(
                    "year",
                    year,
                    "embedded US presidential results exist for 2020 and 2024",
                ))
            }
        };
        let mut r = Self::from_csv(text.as_bytes(), name)?;
        r.year = Some(year);
        Ok(r)
    }

    /// Reads results from a CSV file with a header, in the layout of the embedded files.
    ///
    /// Required columns: `jurisdiction` (or `abbr` when there are no district rows),
    /// `electoral_votes`, `dem_votes`, `rep_votes`, `total_votes`. Optional: `state` (name),
    /// `abbr`, `row_type` (`state` or `congressional_district`; otherwise ids with a `-` are
    /// districts), `other_votes`, `winner` (`D`/`R`), `dem_candidate`, `rep_candidate`,
    /// `voting_age_population`, `voting_eligible_population`, `electoral_votes_won_dem`,
    /// `electoral_votes_won_rep`. Other columns are ignored. `input` names the file in errors.
    ///
    /// # Errors
    /// [`Error::Parse`] with the line for a missing column (line 1), a malformed or negative
    /// count, `dem + rep + other ≠ total`, a winner that contradicts the votes, a tie with no
    /// winner given, a repeated jurisdiction, a district whose state has no row, district rows
    /// holding more electoral votes than their state, or a certified award above the state's
    /// electoral votes; [`Error::Empty`] for a file with no rows; [`Error::Io`] for read errors.
    pub fn from_csv<R: Read>(reader: R, input: &str) -> Result<Self> {
        let (reader, rec_lines) = crate::csvfile::track_lines(reader, false);
        let mut rdr = csv::ReaderBuilder::new()
            .trim(csv::Trim::All)
            .flexible(false)
            .from_reader(reader);
        let headers = rdr
            .headers()
            .map_err(|e| csv_error(input, e, &rec_lines))?
            .clone();
        let cols = Columns::find(&headers, input)?;
        let mut rows = Vec::new();
        let mut lines = Vec::new();
        let mut seen: FxHashMap<String, u64> = FxHashMap::default();
        let mut dem_candidate = None;
        let mut rep_candidate = None;
        for rec in rdr.records() {
            let rec = rec.map_err(|e| csv_error(input, e, &rec_lines))?;
            let line = rec_lines.line(rec.position());
            let row = cols.row(&rec, input, line)?;
            if let Some(first) = seen.insert(row.id.to_ascii_uppercase(), line) {
                return Err(Error::parse(
                    input,
                    line,
                    format!(
                        "jurisdiction {} appears again (first on line {first})",
                        row.id
                    ),
                ));
            }
            if dem_candidate.is_none() {
                dem_candidate = cols.text(&rec, cols.dem_candidate);
            }
            if rep_candidate.is_none() {
                rep_candidate = cols.text(&rec, cols.rep_candidate);
            }
            rows.push(row);
            lines.push(line);
        }
        if rows.is_empty() {
            return Err(Error::Empty {
                what: format!("election results in {input}"),
            });
        }
        check_districts(&rows, &lines, input)?;
        Ok(ElectionResults {
            year: None,
            dem_candidate: dem_candidate.unwrap_or_else(|| "Democratic candidate".into()),
            rep_candidate: rep_candidate.unwrap_or_else(|| "Republican candidate".into()),
            rows,
        })
    }

    /// State rows (50 states and DC in the embedded files), in file order.
    pub fn states(&self) -> impl Iterator<Item = &JurisdictionResult> + '_ {
        self.rows.iter().filter(|r| !r.is_district)
    }

    /// District rows (Maine and Nebraska), in file order.
    pub fn districts(&self) -> impl Iterator<Item = &JurisdictionResult> + '_ {
        self.rows.iter().filter(|r| r.is_district)
    }

    /// The row of a jurisdiction id (`"PA"`, `"ME-02"`; case-insensitive).
    pub fn get(&self, id: &str) -> Option<&JurisdictionResult> {
        let id = id.trim();
        self.rows.iter().find(|r| r.id.eq_ignore_ascii_case(id))
    }

    /// Electoral votes over state rows (538 in the embedded files).
    pub fn total_electoral_votes(&self) -> u32 {
        self.states().map(|r| r.electoral_votes).sum()
    }

    /// Electoral votes needed to win: more than half of [`Self::total_electoral_votes`] (270).
    pub fn majority(&self) -> u32 {
        self.total_electoral_votes() / 2 + 1
    }

    /// Sum of the state rows' voting-eligible population, if every state row gives one.
    pub fn voting_eligible_population(&self) -> Option<u64> {
        self.states().map(|r| r.voting_eligible_population).sum()
    }

    /// How each state's electoral votes go, computed from the rows (see the
    /// [module docs](self)), in the order of the state rows.
    pub fn awards(&self) -> Vec<Award> {
        self.states()
            .map(|s| {
                let mut dem = 0;
                let mut rep = 0;
                let mut district_ev = 0;
                let mut n_districts = 0;
                for d in self
                    .districts()
                    .filter(|d| d.state.eq_ignore_ascii_case(&s.state))
                {
                    n_districts += 1;
                    district_ev += d.electoral_votes;
                    match d.winner {
                        Side::Dem => dem += d.electoral_votes,
                        Side::Rep => rep += d.electoral_votes,
                    }
                }
                // checked by from_csv: district votes never exceed the state's
                let at_large = s.electoral_votes - district_ev;
                match s.winner {
                    Side::Dem => dem += at_large,
                    Side::Rep => rep += at_large,
                }
                let certified_split = match (s.electoral_votes_won_dem, s.electoral_votes_won_rep) {
                    (Some(d), Some(r)) if d > 0 && r > 0 => Some((d, r)),
                    _ => None,
                };
                match certified_split {
                    Some((d, r)) if n_districts == 0 => Award {
                        state: s.state.clone(),
                        dem: d,
                        rep: r,
                        at_large: None,
                        from_certified_split: true,
                    },
                    _ => Award {
                        state: s.state.clone(),
                        dem,
                        rep,
                        at_large: Some(at_large),
                        from_certified_split: false,
                    },
                }
            })
            .collect()
    }

    /// Electoral votes won by (Democratic, Republican) candidates, from [`Self::awards`].
    pub fn electoral_votes_won(&self) -> (u32, u32) {
        self.awards()
            .iter()
            .fold((0, 0), |(d, r), a| (d + a.dem, r + a.rep))
    }
}

/// Column positions of an election CSV.
struct Columns {
    id: usize,
    abbr: Option<usize>,
    name: Option<usize>,
    row_type: Option<usize>,
    ev: usize,
    dem: usize,
    rep: usize,
    other: Option<usize>,
    total: usize,
    winner: Option<usize>,
    dem_candidate: Option<usize>,
    rep_candidate: Option<usize>,
    vap: Option<usize>,
    vep: Option<usize>,
    won_dem: Option<usize>,
    won_rep: Option<usize>,
}

const REQUIRED: &str = "jurisdiction, electoral_votes, dem_votes, rep_votes, total_votes";

impl Columns {
    fn find(headers: &csv::StringRecord, input: &str) -> Result<Self> {
        let opt = |name: &str| headers.iter().position(|h| h.eq_ignore_ascii_case(name));
        let req = |name: &str| {
            opt(name).ok_or_else(|| {
                Error::parse(
                    input,
                    1,
                    format!("missing column {name:?} (required columns: {REQUIRED})"),
                )
            })
        };
        let abbr = opt("abbr");
        let id = match (opt("jurisdiction"), abbr) {
            (Some(i), _) | (None, Some(i)) => i,
            (None, None) => req("jurisdiction")?,
        };
        Ok(Columns {
            id,
            abbr,
            name: opt("state"),
            row_type: opt("row_type"),
            ev: req("electoral_votes")?,
            dem: req("dem_votes")?,
            rep: req("rep_votes")?,
            other: opt("other_votes"),
            total: req("total_votes")?,
            winner: opt("winner"),
            dem_candidate: opt("dem_candidate"),
            rep_candidate: opt("rep_candidate"),
            vap: opt("voting_age_population"),
            vep: opt("voting_eligible_population"),
            won_dem: opt("electoral_votes_won_dem"),
            won_rep: opt("electoral_votes_won_rep"),
        })
    }

    fn text(&self, rec: &csv::StringRecord, col: Option<usize>) -> Option<String> {
        col.and_then(|c| rec.get(c))
            .filter(|s| !s.is_empty())
            .map(str::to_string)
    }

    fn row(&self, rec: &csv::StringRecord, input: &str, line: u64) -> Result<JurisdictionResult> {
        let field = |c: usize| rec.get(c).unwrap_or("");
        let err = |msg: String| Error::parse(input, line, msg);
        let count = |c: usize, name: &str| parse_count(field(c), name).map_err(err);
        let opt_count = |c: Option<usize>, name: &str| -> Result<Option<u64>> {
            match c.map(field) {
                None | Some("") => Ok(None),
                Some(t) => parse_count(t, name).map(Some).map_err(err),
            }
        };
        let id = field(self.id).to_string();
        if id.is_empty() {
            return Err(err("the jurisdiction id is empty".into()));
        }
        let is_district = match self.row_type.map(field) {
            None | Some("") => id.contains('-'),
            Some(t) if t.eq_ignore_ascii_case("state") => false,
            Some(t)
                if t.eq_ignore_ascii_case("congressional_district")
                    || t.eq_ignore_ascii_case("district") =>
            {
                true
            }
            Some(t) => {
                return Err(err(format!(
                    "row_type {:?} is neither \"state\" nor \"congressional_district\"",
                    echo(t)
                )))
            }
        };
        let state = match self.abbr.map(field) {
            Some(a) if !a.is_empty() => a.to_string(),
            _ if is_district => match id.split_once('-') {
                Some((s, _)) if !s.is_empty() => s.to_string(),
                _ => {
                    return Err(err(format!(
                        "district {:?} names no state: give an abbr column or an id like \"ME-02\"",
                        echo(&id)
                    )))
                }
            },
            _ => id.clone(),
        };
        let base_name = match self.name.map(field) {
            Some(n) if !n.is_empty() => n.to_string(),
            _ => state.clone(),
        };
        let name = if is_district {
            let number = id.split_once('-').map_or(id.as_str(), |(_, d)| d);
            format!("{base_name} district {number}")
        } else {
            base_name
        };
        let ev = count(self.ev, "electoral_votes")?;
        let electoral_votes =
            u32::try_from(ev).map_err(|_| err(format!("electoral_votes {ev} is too large")))?;
        let dem_votes = count(self.dem, "dem_votes")?;
        let rep_votes = count(self.rep, "rep_votes")?;
        let total_votes = count(self.total, "total_votes")?;
        if dem_votes == 0 && rep_votes == 0 {
            // The two-party share, which every margin and swing is measured in, is 0 / 0.
            return Err(err(
                "dem_votes and rep_votes are both 0: the two-party share is undefined".into(),
            ));
        }
        let other_votes = match opt_count(self.other, "other_votes")? {
            Some(o) => {
                if dem_votes.checked_add(rep_votes).and_then(|s| s.checked_add(o))
                    != Some(total_votes)
                {
                    return Err(err(format!(
                        "dem_votes + rep_votes + other_votes = {dem_votes} + {rep_votes} + {o} \
                         does not equal total_votes {total_votes}"
                    )));
                }
                o
            }
            None => total_votes
                .checked_sub(dem_votes)
                .and_then(|t| t.checked_sub(rep_votes))
                .ok_or_else(|| {
                    err(format!(
                        "dem_votes + rep_votes = {dem_votes} + {rep_votes} exceeds total_votes {total_votes}"
                    ))
                })?,
        };
        let by_votes = match dem_votes.cmp(&rep_votes) {
            std::cmp::Ordering::Greater => Some(Side::Dem),
            std::cmp::Ordering::Less => Some(Side::Rep),
            std::cmp::Ordering::Equal => None,
        };
        let winner = match self.winner.map(field) {
            None | Some("") => by_votes.ok_or_else(|| {
                err(format!(
                    "dem_votes and rep_votes tie at {dem_votes}; give the winner in a winner column"
                ))
            })?,
            Some(t) => {
                let w = Side::parse(t)
                    .ok_or_else(|| err(format!("winner {:?} is neither D nor R", echo(t))))?;
                if by_votes.is_some_and(|b| b != w) {
                    return Err(err(format!(
                        "winner {w} contradicts the votes ({dem_votes} D, {rep_votes} R)"
                    )));
                }
                w
            }
        };
        let won = |c: Option<usize>, name: &str| -> Result<Option<u32>> {
            opt_count(c, name)?
                .map(|v| u32::try_from(v).map_err(|_| err(format!("{name} {v} is too large"))))
                .transpose()
        };
        let electoral_votes_won_dem = won(self.won_dem, "electoral_votes_won_dem")?;
        let electoral_votes_won_rep = won(self.won_rep, "electoral_votes_won_rep")?;
        let awarded = electoral_votes_won_dem.unwrap_or(0) as u64
            + electoral_votes_won_rep.unwrap_or(0) as u64;
        if awarded > electoral_votes as u64 {
            return Err(err(format!(
                "electoral_votes_won_dem + electoral_votes_won_rep = {awarded} exceeds electoral_votes {electoral_votes}"
            )));
        }
        Ok(JurisdictionResult {
            id,
            state,
            name,
            is_district,
            electoral_votes,
            dem_votes,
            rep_votes,
            other_votes,
            total_votes,
            voting_age_population: opt_count(self.vap, "voting_age_population")?,
            voting_eligible_population: opt_count(self.vep, "voting_eligible_population")?,
            winner,
            electoral_votes_won_dem,
            electoral_votes_won_rep,
        })
    }
}

/// Parses a non-negative whole number, saying what is wrong otherwise.
fn parse_count(text: &str, column: &str) -> std::result::Result<u64, String> {
    if text.is_empty() {
        return Err(format!("column {column} is empty"));
    }
    text.parse::<u64>().map_err(|_| {
        if text.starts_with('-') && text[1..].parse::<u64>().is_ok() {
            format!(
                "column {column}: {} is negative; counts must be 0 or more",
                echo(text)
            )
        } else {
            format!("column {column}: {:?} is not a whole number", echo(text))
        }
    })
}

/// Every district row has a state row, and districts hold no more votes than their state.
fn check_districts(rows: &[JurisdictionResult], lines: &[u64], input: &str) -> Result<()> {
    let mut state_line: FxHashMap<String, usize> = FxHashMap::default();
    for (i, r) in rows.iter().enumerate() {
        if !r.is_district {
            state_line.insert(r.state.to_ascii_uppercase(), i);
        }
    }
    let mut district_ev: FxHashMap<usize, u64> = FxHashMap::default();
    for (i, r) in rows.iter().enumerate().filter(|(_, r)| r.is_district) {
        let Some(&s) = state_line.get(&r.state.to_ascii_uppercase()) else {
            return Err(Error::parse(
                input,
                lines[i],
                format!("district {} has no state row for {}", r.id, r.state),
            ));
        };
        *district_ev.entry(s).or_default() += r.electoral_votes as u64;
    }
    let mut states: Vec<_> = district_ev.into_iter().collect();
    states.sort_unstable();
    for (s, ev) in states {
        if ev > rows[s].electoral_votes as u64 {
            return Err(Error::parse(
                input,
                lines[s],
                format!(
                    "the district rows of {} hold {ev} electoral votes, more than the state's {}",
                    rows[s].state, rows[s].electoral_votes
                ),
            ));
        }
    }
    Ok(())
}

fn csv_error(input: &str, e: csv::Error, lines: &crate::csvfile::RecordLines) -> Error {
    let line = lines.line(e.position());
    match e.into_kind() {
        csv::ErrorKind::Io(source) => Error::Io {
            input: input.to_string(),
            source,
        },
        csv::ErrorKind::UnequalLengths {
            expected_len, len, ..
        } => Error::parse(
            input,
            line,
            format!("{len} fields where the header has {expected_len}"),
        ),
        other => Error::parse(input, line, format!("{other:?}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn us_2024_rows_and_outcome() {
        let r = ElectionResults::us_president(2024).unwrap();
        assert_eq!(r.year, Some(2024));
        assert_eq!(r.dem_candidate, "Kamala Harris");
        assert_eq!(r.rep_candidate, "Donald Trump");
        assert_eq!(r.states().count(), 51);
        assert_eq!(r.districts().count(), 5);
        assert_eq!(r.total_electoral_votes(), 538);
        assert_eq!(r.majority(), 270);
        assert_eq!(r.electoral_votes_won(), (226, 312));
        assert!(r.awards().iter().all(|a| !a.from_certified_split));
        let pa = r.get("PA").unwrap();
        assert_eq!((pa.dem_votes, pa.rep_votes), (3_423_042, 3_543_308));
        assert_eq!(pa.winner, Side::Rep);
        assert_eq!(pa.margin_dem(), -120_266);
        assert_eq!(pa.voting_eligible_population, Some(9_904_635));
        assert_eq!(r.get("me-02").unwrap().winner, Side::Rep);
        assert_eq!(r.get("NE-02").unwrap().winner, Side::Dem);
        let me2 = r.get("ME-02").unwrap();
        assert!(me2.is_district);
        assert_eq!(me2.state, "ME");
        assert_eq!(me2.name, "Maine district 02");
        assert_eq!(me2.voting_eligible_population, None);
        let awards = r.awards();
        let me = awards.iter().find(|a| a.state == "ME").unwrap();
        assert_eq!((me.dem, me.rep, me.at_large), (3, 1, Some(2)));
        let ne = awards.iter().find(|a| a.state == "NE").unwrap();
        assert_eq!((ne.dem, ne.rep, ne.at_large), (1, 4, Some(2)));
        // every state's computed award equals the certified one
        for (a, s) in awards.iter().zip(r.states()) {
            assert_eq!(Some(a.dem), s.electoral_votes_won_dem, "{}", s.id);
            assert_eq!(Some(a.rep), s.electoral_votes_won_rep, "{}", s.id);
        }
        assert_eq!(r.voting_eligible_population(), Some(241_585_482));
        let (d, rep): (u64, u64) = r
            .states()
            .fold((0, 0), |(d, x), s| (d + s.dem_votes, x + s.rep_votes));
        assert_eq!((d, rep), (75_017_613, 77_302_580));
    }

    #[test]
    fn us_2020_rows_and_outcome() {
        let r = ElectionResults::us_president(2020).unwrap();
        assert_eq!(r.dem_candidate, "Joe Biden");
        assert_eq!(r.states().count(), 51);
        assert_eq!(r.districts().count(), 2);
        assert_eq!(r.total_electoral_votes(), 538);
        assert_eq!(r.electoral_votes_won(), (306, 232));
        assert_eq!(r.get("ME-02").unwrap().winner, Side::Rep);
        // NE has no district rows in 2020: its certified split (NE-02 to Biden) is used.
        let awards = r.awards();
        let ne = awards.iter().find(|a| a.state == "NE").unwrap();
        assert_eq!((ne.dem, ne.rep), (1, 4));
        assert!(ne.from_certified_split);
        for (a, s) in awards.iter().zip(r.states()) {
            assert_eq!(Some(a.dem), s.electoral_votes_won_dem, "{}", s.id);
        }
        let (d, rep): (u64, u64) = r
            .states()
            .fold((0, 0), |(d, x), s| (d + s.dem_votes, x + s.rep_votes));
        assert_eq!((d, rep), (81_282_809, 74_223_345));
    }

    #[test]
    fn other_years_are_invalid() {
        let e = ElectionResults::us_president(2016).unwrap_err();
        assert!(matches!(e, Error::InvalidParameter { ref name, .. } if name == "year"));
    }

    #[test]
    fn embedded_text_reads_as_a_user_file() {
        let r = ElectionResults::from_csv(US_PRESIDENT_2024.as_bytes(), "x.csv").unwrap();
        assert_eq!(r.year, None);
        let mut e = ElectionResults::us_president(2024).unwrap();
        e.year = None;
        assert_eq!(r, e);
    }

    const SMALL: &str = "\
jurisdiction,electoral_votes,dem_votes,rep_votes,other_votes,total_votes
AA,5,100,90,10,200
AA-01,1,60,40,0,100
AA-02,1,40,50,10,100
BB,3,10,20,0,30
";

    #[test]
    fn minimal_user_file_with_districts() {
        let r = ElectionResults::from_csv(SMALL.as_bytes(), "small.csv").unwrap();
        assert_eq!(r.states().count(), 2);
        assert_eq!(r.districts().count(), 2);
        let d2 = r.get("aa-02").unwrap();
        assert!(d2.is_district);
        assert_eq!(d2.state, "AA");
        assert_eq!(d2.winner, Side::Rep);
        // AA: 3 at-large D + AA-01 D + AA-02 R; BB: 3 R
        assert_eq!(r.electoral_votes_won(), (4, 4));
        assert_eq!(r.total_electoral_votes(), 8);
        assert_eq!(r.voting_eligible_population(), None);
        let json = serde_json::to_string(&r.rows[0]).unwrap();
        assert!(json.contains("\"winner\":\"D\""), "{json}");
    }

    fn parse_err(text: &str) -> (u64, String) {
        match ElectionResults::from_csv(text.as_bytes(), "bad.csv").unwrap_err() {
            Error::Parse {
                input,
                line,
                message,
            } => {
                assert_eq!(input, "bad.csv");
                (line, message)
            }
            e => panic!("expected a parse error, got {e:?}"),
        }
    }

    #[test]
    fn bad_files_name_the_line() {
        let h = "jurisdiction,electoral_votes,dem_votes,rep_votes,other_votes,total_votes\n";
        let (line, msg) = parse_err(&format!("{h}AA,3,1,2,0,3\nBB,3,1x,2,0,3\n"));
        assert_eq!(line, 3);
        assert!(msg.contains("dem_votes") && msg.contains("1x"), "{msg}");

        let (line, msg) = parse_err(&format!("{h}AA,3,1,-2,0,3\n"));
        assert_eq!(line, 2);
        assert!(msg.contains("negative"), "{msg}");

        let (line, msg) = parse_err(&format!("{h}AA,3,1,2,1,3\n"));
        assert_eq!(line, 2);
        assert!(msg.contains("does not equal total_votes"), "{msg}");

        let (line, msg) =
            parse_err("jurisdiction,electoral_votes,dem_votes,total_votes\nAA,3,1,2\n");
        assert_eq!(line, 1);
        assert!(msg.contains("rep_votes"), "{msg}");

        let (line, msg) = parse_err(&format!("{h}AA,3,1,2,0,3\naa,3,1,2,0,3\n"));
        assert_eq!(line, 3);
        assert!(msg.contains("first on line 2"), "{msg}");

        let (line, msg) = parse_err(&format!("{h}AA,3,1,2,0,3\nBB-01,1,1,2,0,3\n"));
        assert_eq!(line, 3);
        assert!(msg.contains("no state row"), "{msg}");

        let (line, msg) = parse_err(&format!(
            "{h}AA,1,1,2,0,3\nAA-01,1,1,2,0,3\nAA-02,1,1,2,0,3\n"
        ));
        assert_eq!(line, 2);
        assert!(msg.contains("more than the state's 1"), "{msg}");

        let (line, msg) = parse_err(&format!("{h}AA,3,1,2,0,3\nBB,3,2,2,0,4\n"));
        assert_eq!(line, 3);
        assert!(msg.contains("tie"), "{msg}");

        let (line, msg) = parse_err(&format!("{h}AA,3,1,2\n"));
        assert_eq!(line, 2);
        assert!(msg.contains("4 fields"), "{msg}");

        let (line, msg) = parse_err(&format!("{h}AA,3,1,2,0,3,\n"));
        assert_eq!(line, 2, "{msg}");

        let w = "jurisdiction,electoral_votes,dem_votes,rep_votes,total_votes,winner\n";
        let (line, msg) = parse_err(&format!("{w}AA,3,1,2,3,R\nBB,3,1,2,3,D\n"));
        assert_eq!(line, 3);
        assert!(msg.contains("contradicts"), "{msg}");
        let (line, msg) = parse_err(&format!("{w}AA,3,1,2,3,X\n"));
        assert_eq!(line, 2);
        assert!(msg.contains("neither D nor R"), "{msg}");

        let c = "jurisdiction,electoral_votes,dem_votes,rep_votes,total_votes,electoral_votes_won_dem,electoral_votes_won_rep\n";
        let (line, msg) = parse_err(&format!("{c}AA,3,1,2,3,0,3\nBB,3,1,2,3,2,2\n"));
        assert_eq!(line, 3);
        assert!(msg.contains("exceeds electoral_votes 3"), "{msg}");

        let (line, msg) = parse_err(&format!("{h}AA,3,1,2,0,3\n,3,1,2,0,3\n"));
        assert_eq!(line, 3);
        assert!(msg.contains("empty"), "{msg}");

        // a tie resolved by the winner column is fine
        let r = ElectionResults::from_csv(format!("{w}AA,3,2,2,4,R\n").as_bytes(), "ok").unwrap();
        assert_eq!(r.rows[0].winner, Side::Rep);

        let e = ElectionResults::from_csv(h.as_bytes(), "empty.csv").unwrap_err();
        assert!(matches!(e, Error::Empty { .. }), "{e:?}");

        // no two-party votes: shares would be 0 / 0 (even with a winner to break the tie)
        let (line, msg) = parse_err(&format!(
            "{w}AA,3,2,2,4,R
BB,3,0,0,0,D
"
        ));
        assert_eq!(line, 3);
        assert!(msg.contains("dem_votes and rep_votes are both 0"), "{msg}");
    }
}
