//! Costs of sketched accounts, for the budgeted pick on sketches.

use super::set::SketchSet;
use crate::error::{echo, Error, Result};
use std::io::Read;

impl SketchSet {
    /// Reads per-account costs from a CSV with a header: an id column (`id`, `account` or
    /// `node`) and a `cost` column; other columns are ignored, so a node-attribute CSV works
    /// as it is. Accounts without a row, or with an empty cost, get NaN (not for hire).
    ///
    /// # Returns
    /// One cost per account of the set, in set order (the `costs` of [`super::budget_pick`]).
    ///
    /// # Errors
    /// [`Error::Parse`] naming the line for a missing header column, an id without a sketch,
    /// an id listed twice, or a cost that is not a finite number ≥ 0; [`Error::Io`] when
    /// reading fails.
    pub fn read_costs<R: Read>(&self, reader: R, input: &str) -> Result<Vec<f64>> {
        let r = crate::io::maybe_gunzip(reader, input)?;
        let (r, lines) = crate::csvfile::track_lines(r, true);
        let mut rdr = csv::ReaderBuilder::new()
            .trim(csv::Trim::All)
            .comment(Some(b'#'))
            .from_reader(r);
        let csv_err = |e: csv::Error| {
            let line = lines.line(e.position());
            match e.into_kind() {
                csv::ErrorKind::Io(source) => Error::Io {
                    input: input.to_string(),
                    source,
                },
                other => Error::parse(input, line, format!("{other:?}")),
            }
        };
        let headers = rdr.headers().map_err(csv_err)?.clone();
        let col = |names: &[&str]| {
            headers
                .iter()
                .position(|h| names.iter().any(|n| h.eq_ignore_ascii_case(n)))
        };
        let (Some(idc), Some(costc)) = (col(&["id", "account", "node"]), col(&["cost"])) else {
            return Err(Error::parse(
                input,
                1,
                "header must have an `id` and a `cost` column",
            ));
        };
        let mut costs = vec![f64::NAN; self.len()];
        let mut seen = vec![false; self.len()];
        let mut rec = csv::StringRecord::new();
        while rdr.read_record(&mut rec).map_err(csv_err)? {
            let line = lines.line(rec.position());
            let (id, cell) = (&rec[idc], rec.get(costc).unwrap_or(""));
            let Some(i) = self.index_of(id) else {
                return Err(Error::parse(
                    input,
                    line,
                    format!("account id {:?} has no sketch", echo(id)),
                ));
            };
            if std::mem::replace(&mut seen[i as usize], true) {
                return Err(Error::parse(
                    input,
                    line,
                    format!("account id {:?} has a second row", echo(id)),
                ));
            }
            if cell.is_empty() {
                continue;
            }
            match cell.parse::<f64>() {
                Ok(c) if c.is_finite() && c >= 0.0 => costs[i as usize] = c,
                _ => {
                    return Err(Error::parse(
                        input,
                        line,
                        format!(
                            "cost {:?} of {:?} is not a finite number >= 0",
                            echo(cell),
                            echo(id)
                        ),
                    ))
                }
            }
        }
        Ok(costs)
    }
}

#[cfg(test)]
mod tests {
    use crate::sketch::{SketchParams, StreamBuilder};

    fn set() -> crate::sketch::SketchSet {
        let mut b = StreamBuilder::new(SketchParams::default()).unwrap();
        b.read_pairs(
            "a x\nb y\nc z\n".as_bytes(),
            "t",
            1 << 10,
            &crate::NoProgress,
        )
        .unwrap();
        b.finish()
    }

    #[test]
    fn costs_by_id_with_gaps() {
        let s = set();
        let c = s
            .read_costs("id,platform,cost\nb,x,5\na,x,\n".as_bytes(), "c.csv")
            .unwrap();
        let at = |id: &str| c[s.index_of(id).unwrap() as usize];
        assert_eq!(at("b"), 5.0);
        assert!(at("a").is_nan() && at("c").is_nan());
    }

    #[test]
    fn bad_cost_files_name_the_line() {
        let s = set();
        for (text, want) in [
            ("id,cost\nq,1\n", "c.csv:2: account id \"q\" has no sketch"),
            (
                "id,cost\na,1\na,2\n",
                "c.csv:3: account id \"a\" has a second row",
            ),
            ("id,cost\na,-1\n", "c.csv:2: cost \"-1\""),
            ("id,price\na,1\n", "c.csv:1: header must have"),
        ] {
            let e = s.read_costs(text.as_bytes(), "c.csv").unwrap_err();
            assert_eq!(e.kind(), "parse");
            assert!(e.to_string().contains(want), "{e} / {want}");
        }
    }
}
