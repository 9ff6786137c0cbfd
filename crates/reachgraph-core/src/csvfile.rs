//! The one reader behind the library's small CSV inputs (the creators table, audience
//! geography, measured overlaps, posts and lift results): a header and rows of trimmed cells,
//! each row with its 1-based line in the file, so every caller can name file, line, column and
//! value in its errors.
//!
//! Rules shared by every such file: the input must be UTF-8 (an error names the line of the
//! first invalid byte); a byte order mark at the start is skipped; cells are trimmed; blank
//! lines are skipped; header names are lower-cased; every row has as many cells as the
//! header (an error names the line and both counts). Lines are the file's own: blank and
//! comment lines count. Comment lines (starting with `#`) are
//! skipped only where the caller allows them; otherwise the header must be line 1.

use crate::error::{Error, Result};
use std::io::Read;

/// A CSV file as a header and rows of trimmed cells.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Csv {
    /// Column names, trimmed and lower-cased.
    pub header: Vec<String>,
    /// The header's line (1 unless comments or blank lines come first).
    pub header_line: u64,
    /// The rows (not blank, not comments) with their 1-based lines.
    pub rows: Vec<(u64, Vec<String>)>,
}

/// Reads a whole CSV file (see the [module docs](self)). With `comments`, lines starting with
/// `#` are skipped and the header is the first other line; without, the header is line 1.
///
/// # Errors
/// [`Error::Io`] for a read failure; [`Error::Parse`] naming `file` and the line for text that
/// is not UTF-8, malformed CSV (an unclosed quote), a header that is not on line 1 (without
/// `comments`) or a row whose cell count is not the header's; [`Error::Empty`] for a file
/// without a header.
pub(crate) fn read_csv(mut r: impl Read, file: &str, comments: bool) -> Result<Csv> {
    let mut bytes = Vec::new();
    r.read_to_end(&mut bytes).map_err(|source| Error::Io {
        input: file.to_string(),
        source,
    })?;
    let text = match String::from_utf8(bytes) {
        Ok(t) => t,
        Err(e) => {
            let upto = &e.as_bytes()[..e.utf8_error().valid_up_to()];
            let line = 1 + upto.iter().filter(|&&b| b == b'\n').count() as u64;
            return Err(Error::parse(file, line, "not valid UTF-8 text"));
        }
    };
    let text = text.strip_prefix('\u{feff}').unwrap_or(&text);
    let mut rdr = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .trim(csv::Trim::All)
        .comment(comments.then_some(b'#'))
        .from_reader(text.as_bytes());
    let mut header: Option<Vec<String>> = None;
    let mut header_line = 1;
    let mut rows = Vec::new();
    // Lines are counted from byte offsets: the csv crate's own line counter skips blank
    // lines, which would make every later line number wrong.
    let bytes = text.as_bytes();
    let (mut seen, mut newlines) = (0usize, 0u64);
    let mut line_at = |byte: u64| -> u64 {
        // A record's position is where the parser began: before the blank and comment
        // lines it skipped on the way to the record.
        let mut b = (byte as usize).min(bytes.len());
        loop {
            match bytes.get(b) {
                Some(b'\n' | b'\r') => b += 1,
                Some(b'#') if comments => {
                    b += bytes[b..]
                        .iter()
                        .position(|&c| c == b'\n')
                        .map_or(bytes.len() - b, |k| k + 1);
                }
                _ => break,
            }
        }
        if b > seen {
            newlines += bytes[seen..b].iter().filter(|&&c| c == b'\n').count() as u64;
            seen = b;
        }
        newlines + 1
    };
    for rec in rdr.records() {
        let rec = rec.map_err(|e| {
            let line = e.position().map(|p| p.line()).unwrap_or(0);
            Error::parse(file, line, format!("malformed CSV: {e}"))
        })?;
        let line = rec.position().map_or(0, |p| line_at(p.byte()));
        if rec.iter().all(|c| c.is_empty()) {
            continue; // a blank line
        }
        let cells: Vec<String> = rec.iter().map(str::to_string).collect();
        match &header {
            None => {
                if line != 1 && !comments {
                    return Err(Error::parse(
                        file,
                        line,
                        "the header must be the first line",
                    ));
                }
                header = Some(cells.iter().map(|c| c.to_ascii_lowercase()).collect());
                header_line = line;
            }
            Some(h) => {
                if cells.len() != h.len() {
                    return Err(Error::parse(
                        file,
                        line,
                        format!("{} cells, the header has {} columns", cells.len(), h.len()),
                    ));
                }
                rows.push((line, cells));
            }
        }
    }
    let header = header.ok_or_else(|| Error::Empty {
        what: format!("{file} (no header)"),
    })?;
    Ok(Csv {
        header,
        header_line,
        rows,
    })
}

/// A stream read by the `csv` crate, noting where each line that can begin a record starts, so
/// a record's line can be found from its byte offset ([`RecordLines::line`]): the crate's own
/// line counter is wrong for the record after a blank or comment line (it gives the skipped
/// line's number, and the error then names the wrong line).
///
/// A record's position is where the parser began, just after the previous record: before the
/// blank and comment lines it skipped on the way. So its line is that of the first line at or
/// after that position which is neither blank nor (with `comments`) a `#` comment. Only such
/// lines are noted, and each is dropped once a record is asked for past it: what is held is
/// the lines the parser has read ahead (its buffer) and those of the record being read, never
/// a run of skipped lines, however long.
pub(crate) fn track_lines<R: Read>(inner: R, comments: bool) -> (Tracked<R>, RecordLines) {
    let seen = std::rc::Rc::new(std::cell::RefCell::new(Seen {
        starts: std::collections::VecDeque::new(),
        offset: 0,
        line: 1,
        at_start: true,
        comments,
    }));
    let lines = RecordLines {
        seen: std::rc::Rc::clone(&seen),
    };
    (Tracked { inner, seen }, lines)
}

/// The reader of [`track_lines`], to give the `csv` reader.
pub(crate) struct Tracked<R> {
    inner: R,
    seen: std::rc::Rc<std::cell::RefCell<Seen>>,
}

/// The lines of [`track_lines`]'s records.
pub(crate) struct RecordLines {
    seen: std::rc::Rc<std::cell::RefCell<Seen>>,
}

struct Seen {
    /// (byte offset, line) of each line read that can begin a record, not yet passed.
    starts: std::collections::VecDeque<(u64, u64)>,
    /// Bytes read so far, and the line of the next one.
    offset: u64,
    line: u64,
    /// The next byte begins a line.
    at_start: bool,
    comments: bool,
}

impl<R: Read> Read for Tracked<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        let mut s = self.seen.borrow_mut();
        let mut i = 0;
        while i < n {
            if s.at_start {
                let c = buf[i];
                if !(c == b'\n' || c == b'\r' || (s.comments && c == b'#')) {
                    let at = (s.offset + i as u64, s.line);
                    s.starts.push_back(at);
                }
            }
            match buf[i..n].iter().position(|&c| c == b'\n') {
                Some(k) => {
                    i += k + 1;
                    s.line += 1;
                    s.at_start = true;
                }
                None => {
                    i = n;
                    s.at_start = false;
                }
            }
        }
        s.offset += n as u64;
        Ok(n)
    }
}

impl RecordLines {
    /// The 1-based line of a record (or error) at `pos`, 0 without one. Records are asked in
    /// order: the lines before `pos` are dropped.
    pub(crate) fn line(&self, pos: Option<&csv::Position>) -> u64 {
        let Some(pos) = pos else { return 0 };
        let mut s = self.seen.borrow_mut();
        while s.starts.front().is_some_and(|&(at, _)| at < pos.byte()) {
            s.starts.pop_front();
        }
        s.starts.front().map_or(s.line, |&(_, line)| line)
    }

    /// Lines held (for the test that a long run of skipped lines holds none).
    #[cfg(test)]
    fn held(&self) -> usize {
        self.seen.borrow().starts.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Each record's line (first cell) as [`RecordLines`] counts it, by brute force over a
    /// file with blank lines, comments, CRLF, quoted line breaks and enough rows to drop
    /// counted bytes (over 64 KiB).
    #[test]
    fn tracked_lines_are_the_file_lines_of_the_records() {
        let mut text = String::from("# lead comment\nid,x\n");
        let mut want = Vec::new();
        for i in 0..6000u32 {
            let line = text.matches('\n').count() as u64 + 1;
            match i % 7 {
                0 => text.push_str(&format!("r{i},\"a\nb\"\n")),
                1 => text.push_str(&format!("r{i},y\r\n")),
                _ => text.push_str(&format!("r{i},{}\n", "z".repeat(i as usize % 30))),
            }
            want.push(line);
            match i % 5 {
                0 => text.push('\n'),
                1 => text.push_str("# a comment, with \"a quote\n"),
                2 => text.push_str("\r\n\n#\n"),
                _ => {}
            }
        }
        assert!(text.len() > 1 << 17);
        for by_one in [false, true] {
            // Read in small pieces too: the record is then often cut across reads.
            let src: Box<dyn Read> = match by_one {
                false => Box::new(text.as_bytes()),
                true => Box::new(std::io::BufReader::with_capacity(7, text.as_bytes())),
            };
            let (r, lines) = track_lines(src, true);
            let mut rdr = csv::ReaderBuilder::new().comment(Some(b'#')).from_reader(r);
            let got: Vec<u64> = rdr
                .records()
                .map(|rec| lines.line(rec.unwrap().position()))
                .collect();
            assert_eq!(got, want);
        }
        // The crate's own counter is wrong here (the reason for the tracker).
        let mut rdr = csv::ReaderBuilder::new()
            .comment(Some(b'#'))
            .from_reader(text.as_bytes());
        let theirs: Vec<u64> = rdr
            .records()
            .map(|rec| rec.unwrap().position().unwrap().line())
            .collect();
        assert_ne!(theirs, want);
        // A long run of comment and blank lines between records holds no lines.
        let mut text = String::from("id,x\na,1\n");
        for _ in 0..100_000 {
            text.push_str("# skipped, \"quoted\"\n\n");
        }
        text.push_str("b,2\n");
        let (r, lines) = track_lines(text.as_bytes(), true);
        let mut rdr = csv::ReaderBuilder::new().comment(Some(b'#')).from_reader(r);
        let mut rec = csv::StringRecord::new();
        assert!(rdr.read_record(&mut rec).unwrap());
        assert_eq!(lines.line(rec.position()), 2);
        assert!(rdr.read_record(&mut rec).unwrap());
        // Held: the line of `a` (not yet passed) and that of `b`, none of the 200,000 between.
        assert_eq!(lines.held(), 2);
        assert_eq!(lines.line(rec.position()), 200_003);
    }

    #[test]
    fn rows_carry_their_lines_and_trimmed_cells() {
        let text = "\u{feff}A , b\n\n 1, x \n# note\n2,y\n";
        let c = read_csv(text.as_bytes(), "f.csv", true).unwrap();
        assert_eq!(c.header, vec!["a", "b"]);
        assert_eq!(
            c.rows,
            vec![
                (3, vec!["1".to_string(), "x".to_string()]),
                (5, vec!["2".to_string(), "y".to_string()])
            ]
        );
        // Without comments the `#` line is a row with the wrong cell count.
        let e = read_csv(text.as_bytes(), "f.csv", false).unwrap_err();
        assert_eq!(e.to_string(), "f.csv:4: 1 cells, the header has 2 columns");
        // A comment before the header is allowed only with comments.
        let text = "# invented\na,b\n1,2\n";
        assert_eq!(
            read_csv(text.as_bytes(), "f.csv", true).unwrap().rows,
            vec![(3, vec!["1".to_string(), "2".to_string()])]
        );
        let e = read_csv("\n\na,b\n".as_bytes(), "f.csv", false).unwrap_err();
        assert_eq!(e.to_string(), "f.csv:3: the header must be the first line");
        let e = read_csv(&b"a,b\n1,\xff\n"[..], "f.csv", false).unwrap_err();
        assert_eq!(e.to_string(), "f.csv:2: not valid UTF-8 text");
        assert!(matches!(
            read_csv("".as_bytes(), "f.csv", false),
            Err(Error::Empty { .. })
        ));
    }
}
