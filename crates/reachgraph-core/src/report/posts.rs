//! posts.csv: per-post counts as the platforms report them (see the [module docs](super)).

use crate::csvfile::read_csv;
use crate::error::{echo, Error, Result};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::io::Read;

/// One row of posts.csv.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Post {
    /// The account that posted (an id of the graph or of the creators table).
    pub account: String,
    /// The post's id (unique within its account).
    pub post: String,
    /// Posting date, `YYYY-MM-DD`.
    pub date: String,
    /// Impressions (views, counting repeats), measured.
    pub impressions: u64,
    /// Distinct people reached, measured by the platform.
    pub reach: u64,
    /// Engagements (likes, comments, shares, saves), measured.
    pub engagements: u64,
    /// Reached people who do not follow the account, when reported.
    pub views_non_followers: Option<u64>,
    /// Money paid for the post, when given per post.
    pub cost: Option<f64>,
    /// 1-based line in its file.
    pub line: u64,
}

impl Post {
    /// Followers reached: `reach − views_non_followers` (all of `reach` without the column).
    pub fn follower_reach(&self) -> u64 {
        self.reach - self.views_non_followers.unwrap_or(0)
    }
}

/// Days since 1970-01-01 of an ISO date, or `None` when it is not a valid `YYYY-MM-DD`.
pub(super) fn parse_date(s: &str) -> Option<i64> {
    let b = s.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let num = |r: std::ops::Range<usize>| -> Option<i64> {
        let t = &s[r];
        t.bytes()
            .all(|c| c.is_ascii_digit())
            .then(|| t.parse().ok())?
    };
    let (y, m, d) = (num(0..4)?, num(5..7)?, num(8..10)?);
    let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    let days_in = [
        31,
        if leap { 29 } else { 28 },
        31,
        30,
        31,
        30,
        31,
        31,
        30,
        31,
        30,
        31,
    ];
    if !(1..=12).contains(&m) || d < 1 || d > days_in[(m - 1) as usize] {
        return None;
    }
    // Days from civil (Howard Hinnant's algorithm).
    let y2 = if m <= 2 { y - 1 } else { y };
    let era = y2.div_euclid(400);
    let yoe = y2 - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    Some(era * 146_097 + doe - 719_468)
}

/// A CSV file read by the shared reader ([`crate::csvfile`]; `#` comment lines allowed) with
/// the positions of its `required` and `optional` columns; unknown, repeated and missing
/// columns are reported on the header's line.
pub(super) struct Table {
    /// The rows with their 1-based lines.
    pub(super) rows: Vec<(u64, Vec<String>)>,
    cols: HashMap<&'static str, usize>,
}

impl Table {
    pub(super) fn open(
        reader: impl Read,
        input: &str,
        required: &[&'static str],
        optional: &[&'static str],
    ) -> Result<Self> {
        let csv = read_csv(reader, input, true)?;
        let hl = csv.header_line;
        let mut cols = HashMap::new();
        for (i, h) in csv.header.iter().enumerate() {
            let Some(name) = required.iter().chain(optional).find(|c| **c == h) else {
                return Err(Error::parse(
                    input,
                    hl,
                    format!(
                        "unknown column {:?} (the columns are {}{}{})",
                        echo(h),
                        required.join(","),
                        if optional.is_empty() {
                            ""
                        } else {
                            " and optionally "
                        },
                        optional.join(",")
                    ),
                ));
            };
            if cols.insert(*name, i).is_some() {
                return Err(Error::parse(
                    input,
                    hl,
                    format!("column {name} appears twice"),
                ));
            }
        }
        if let Some(missing) = required.iter().find(|c| !cols.contains_key(*c)) {
            return Err(Error::parse(
                input,
                hl,
                format!(
                    "missing column {missing} (required: {})",
                    required.join(",")
                ),
            ));
        }
        Ok(Table {
            rows: csv.rows,
            cols,
        })
    }

    /// A cell's text by column name (empty when the column is absent).
    pub(super) fn cell<'r>(&self, row: &'r [String], c: &str) -> &'r str {
        self.cols
            .get(c)
            .and_then(|&i| row.get(i))
            .map_or("", String::as_str)
    }
}

fn count(input: &str, line: u64, column: &str, v: &str) -> Result<u64> {
    if v.is_empty() {
        return Err(Error::parse(
            input,
            line,
            format!("column {column} is empty"),
        ));
    }
    if let Some(rest) = v.strip_prefix('-') {
        if rest.parse::<f64>().is_ok() {
            return Err(Error::parse(
                input,
                line,
                format!("column {column}: negative count {}", echo(v)),
            ));
        }
    }
    v.parse::<u64>().map_err(|_| {
        Error::parse(
            input,
            line,
            format!(
                "column {column}: {:?} is not a non-negative integer",
                echo(v)
            ),
        )
    })
}

/// Reads posts.csv (see the [module docs](crate::report) for its columns and rules).
///
/// # Errors
/// [`Error::Parse`] naming `input`, the line, the column and the value for an unknown or
/// missing column, an empty id, a negative or non-integer count, reach above impressions,
/// non-follower views above reach, a negative or non-finite cost, an invalid date, a date
/// earlier than the account's previous post, or a post id repeated within an account;
/// [`Error::Empty`] for a file without posts.
pub fn read_posts<R: Read>(reader: R, input: &str) -> Result<Vec<Post>> {
    let t = Table::open(
        reader,
        input,
        &[
            "account",
            "post",
            "date",
            "impressions",
            "reach",
            "engagements",
        ],
        &["views_non_followers", "cost"],
    )?;
    let mut posts = Vec::new();
    // account -> (last date, its text, its line); (account, post) -> line
    let mut last: HashMap<String, (i64, String, u64)> = HashMap::new();
    let mut ids: HashMap<(String, String), u64> = HashMap::new();
    for (line, rec) in &t.rows {
        let line = *line;
        let c = |name: &str| t.cell(rec, name);
        let account = c("account").to_string();
        let post = c("post").to_string();
        for (name, v) in [("account", &account), ("post", &post)] {
            if v.is_empty() {
                return Err(Error::parse(input, line, format!("column {name} is empty")));
            }
        }
        let date = c("date").to_string();
        let day = parse_date(&date).ok_or_else(|| {
            Error::parse(
                input,
                line,
                format!("column date: {:?} is not a date YYYY-MM-DD", echo(&date)),
            )
        })?;
        if let Some((prev, prev_text, prev_line)) = last.get(&account) {
            if day < *prev {
                return Err(Error::parse(
                    input,
                    line,
                    format!(
                        "column date: {} is before {} on line {prev_line}, the previous post of \
                         account {:?} (an account's posts must be listed in date order)",
                        echo(&date),
                        echo(prev_text),
                        echo(&account)
                    ),
                ));
            }
        }
        last.insert(account.clone(), (day, date.clone(), line));
        if let Some(first) = ids.insert((account.clone(), post.clone()), line) {
            return Err(Error::parse(
                input,
                line,
                format!(
                    "post {:?} of account {:?} already appears on line {first}",
                    echo(&post),
                    echo(&account)
                ),
            ));
        }
        let impressions = count(input, line, "impressions", c("impressions"))?;
        let reach = count(input, line, "reach", c("reach"))?;
        let engagements = count(input, line, "engagements", c("engagements"))?;
        if reach > impressions {
            return Err(Error::parse(
                input,
                line,
                format!("column reach: {reach} is above impressions {impressions} (a reached person saw the post at least once)"),
            ));
        }
        let views_non_followers = match c("views_non_followers") {
            "" => None,
            v => Some(count(input, line, "views_non_followers", v)?),
        };
        if let Some(v) = views_non_followers {
            if v > reach {
                return Err(Error::parse(
                    input,
                    line,
                    format!("column views_non_followers: {v} is above reach {reach} (they are the reached people who do not follow the account)"),
                ));
            }
        }
        let cost = match c("cost") {
            "" => None,
            v => {
                let x: f64 = v.parse().map_err(|_| {
                    Error::parse(
                        input,
                        line,
                        format!("column cost: {:?} is not a number", echo(v)),
                    )
                })?;
                if !(x.is_finite() && x >= 0.0) {
                    return Err(Error::parse(
                        input,
                        line,
                        format!(
                            "column cost: {} must be a non-negative amount of money",
                            echo(v)
                        ),
                    ));
                }
                Some(x)
            }
        };
        posts.push(Post {
            account,
            post,
            date,
            impressions,
            reach,
            engagements,
            views_non_followers,
            cost,
            line,
        });
    }
    if posts.is_empty() {
        return Err(Error::Empty {
            what: format!("list of posts in {input}"),
        });
    }
    Ok(posts)
}
