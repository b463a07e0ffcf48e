//! Field parsing shared by the adapters: every failure names its column.

use crate::{FieldError, Row};
use chrono::NaiveDate;
use sitrep_model::{Fatalities, QualityNote};

/// Reads fields of one row and collects every problem instead of stopping at the first.
pub(crate) struct Check<'r, 'a> {
    pub row: &'r Row<'a>,
    pub errors: Vec<FieldError>,
    pub notes: Vec<QualityNote>,
}

fn show(v: Option<u64>) -> String {
    v.map(|v| v.to_string()).unwrap_or_else(|| "-".into())
}

impl<'r, 'a> Check<'r, 'a> {
    pub fn new(row: &'r Row<'a>) -> Self {
        Check {
            row,
            errors: Vec::new(),
            notes: Vec::new(),
        }
    }

    pub fn err(&mut self, col: usize, message: impl Into<String>) {
        let name = self.row.header.names.get(col).cloned().unwrap_or_default();
        self.errors
            .push(FieldError::at(&name, Some(col + 1), message));
    }

    pub fn text(&self, col: Option<usize>) -> Option<String> {
        let s = self.row.opt(col);
        (!s.is_empty()).then(|| s.to_string())
    }

    pub fn required(&mut self, col: usize, what: &str) -> String {
        let s = self.row.at(col);
        if s.is_empty() {
            self.err(col, format!("{what} is empty; every row needs one"));
        }
        s.to_string()
    }

    pub fn date(&mut self, col: usize) -> Option<NaiveDate> {
        let s = self.row.at(col);
        if s.is_empty() {
            self.err(col, "date is empty; expected YYYY-MM-DD");
            return None;
        }
        match parse_date(s) {
            Some(d) => Some(d),
            None => {
                self.err(
                    col,
                    format!("expected a date (YYYY-MM-DD or `14 May 2022`), found {s:?}"),
                );
                None
            }
        }
    }

    pub fn int(&mut self, col: Option<usize>) -> Option<i64> {
        let col = col?;
        let s = self.row.at(col);
        if s.is_empty() {
            return None;
        }
        match parse_int(s) {
            Some(v) => Some(v),
            None => {
                self.err(col, format!("expected an integer, found {s:?}"));
                None
            }
        }
    }

    pub fn count(&mut self, col: Option<usize>) -> Option<u64> {
        let v = self.int(col)?;
        if v < 0 {
            self.err(
                col.unwrap_or(0),
                format!("expected a count of zero or more, found {v}"),
            );
            return None;
        }
        Some(v as u64)
    }

    pub fn coord(&mut self, col: Option<usize>, limit: f64, what: &str) -> Option<f64> {
        let col = col?;
        let s = self.row.at(col);
        if s.is_empty() {
            return None;
        }
        match s.parse::<f64>() {
            Ok(v) if v.is_finite() && v.abs() <= limit => Some(v),
            Ok(v) => {
                self.err(col, format!("{what} {v} is out of range (-{limit}..{limit}); are latitude and longitude swapped?"));
                None
            }
            Err(_) => {
                self.err(col, format!("expected a decimal {what}, found {s:?}"));
                None
            }
        }
    }

    /// Checks the order of a fatality range. Real releases break it (UCDP GED has rows
    /// with best one above high), so a disordered range is repaired, not refused: low
    /// becomes the smallest and high the largest of the three, best is kept, and a
    /// [`QualityNote`] names the column. The verbatim values stay in the raw row.
    pub fn fatalities(
        &mut self,
        low: Option<u64>,
        best: Option<u64>,
        high: Option<u64>,
        cols: [Option<usize>; 3],
    ) -> Fatalities {
        match Fatalities::new(low, best, high) {
            Ok(f) => f,
            Err(e) => {
                let col = match e {
                    sitrep_model::FatalityError::LowAboveBest { .. } => cols[0].or(cols[1]),
                    _ => cols[2].or(cols[1]),
                };
                let known = [low, best, high];
                let min = known.iter().flatten().min().copied();
                let max = known.iter().flatten().max().copied();
                let repaired = Fatalities {
                    low: low.and(min),
                    best,
                    high: high.and(max),
                };
                let col = col.unwrap_or(0);
                self.notes.push(QualityNote {
                    column: self.row.header.names.get(col).cloned().unwrap_or_default(),
                    column_index: col + 1,
                    message: format!(
                        "{e}; expected low <= best <= high; stored as low {} best {} high {}",
                        show(repaired.low),
                        show(repaired.best),
                        show(repaired.high)
                    ),
                });
                repaired
            }
        }
    }

    /// Takes the repair notes (to put on the record).
    pub fn take_notes(&mut self) -> Vec<QualityNote> {
        std::mem::take(&mut self.notes)
    }

    pub fn finish<T>(self, value: T) -> Result<T, Vec<FieldError>> {
        if self.errors.is_empty() {
            Ok(value)
        } else {
            Err(self.errors)
        }
    }
}

/// Integers as sources write them (`12`, `12.0`).
pub(crate) fn parse_int(s: &str) -> Option<i64> {
    let s = s.trim();
    s.parse::<i64>().ok().or_else(|| {
        let f: f64 = s.parse().ok()?;
        (f.fract() == 0.0 && f.abs() < 9e15).then_some(f as i64)
    })
}

/// A date written as four digits, `-`, one or two digits, `-`, one or two digits
/// (`2017-07-31`, `2017-7-31`), read without chrono's format interpreter. `None` for
/// anything else, including impossible dates; callers then ask chrono with the same
/// format (`%Y-%m-%d`), which accepts every string this does, with the same result.
pub(crate) fn parse_ymd(s: &[u8]) -> Option<NaiveDate> {
    fn num(d: &[u8]) -> Option<u32> {
        if d.is_empty() || d.len() > 4 {
            return None;
        }
        d.iter().try_fold(0u32, |n, &b| {
            b.is_ascii_digit().then(|| n * 10 + u32::from(b - b'0'))
        })
    }
    let mut parts = s.splitn(3, |&b| b == b'-');
    let (y, m, d) = (parts.next()?, parts.next()?, parts.next()?);
    if y.len() != 4 || !(1..=2).contains(&m.len()) || !(1..=2).contains(&d.len()) {
        return None;
    }
    NaiveDate::from_ymd_opt(num(y)? as i32, num(m)?, num(d)?)
}

/// Dates as sources write them: `2022-05-14`, `2022-05-14 00:00:00.000`, `14 May 2022`,
/// `14-May-2022`.
pub(crate) fn parse_date(s: &str) -> Option<NaiveDate> {
    let s = s.trim();
    // `get`, not `[..10]`: byte 10 may fall inside a character (found by fuzzing:
    // `2021-227 ` and a right-to-left mark panicked).
    if let Some(head) = s.get(..10).filter(|h| h.as_bytes()[4] == b'-') {
        if let Some(d) = parse_ymd(head.as_bytes()) {
            return Some(d);
        }
        if let Ok(d) = NaiveDate::parse_from_str(head, "%Y-%m-%d") {
            return Some(d);
        }
    }
    for f in ["%d %B %Y", "%d %b %Y", "%d-%b-%Y", "%d/%m/%Y", "%Y/%m/%d"] {
        if let Ok(d) = NaiveDate::parse_from_str(s, f) {
            return Some(d);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    #[test]
    fn ymd_fast_path_agrees_with_chrono() {
        for s in [
            "2017-07-31",
            "2017-7-31",
            "2017-7-3",
            "1989-01-01",
            "2020-02-29",
            "2019-02-29",
            "2017-13-01",
            "2017-00-10",
            "2017-1-32",
            "0000-01-01",
            "217-01-01",
            "2017-123-1",
            "2017-1-",
            "2017--1",
            "-2017-1-1",
            "+2017-1-1",
            "2017-1-1-",
            "2017-01-01 ",
            " 2017-1-1",
            "2017/01/01",
            "2017-0a-01",
            "20170-1-1",
            "9999-12-31",
            "2017-1-1x",
            "",
        ] {
            let chrono = NaiveDate::parse_from_str(s, "%Y-%m-%d").ok();
            if let Some(d) = parse_ymd(s.as_bytes()) {
                assert_eq!(Some(d), chrono, "{s:?}");
            }
            if chrono.is_some() && s.len() == s.trim().len() && s.as_bytes()[4] == b'-' {
                assert_eq!(
                    parse_ymd(s.as_bytes()),
                    chrono,
                    "{s:?}: fast path misses it"
                );
            }
        }
    }

    #[test]
    fn dates_in_source_forms() {
        let d = NaiveDate::from_ymd_opt(2022, 5, 14).unwrap();
        for s in [
            "2022-05-14",
            "2022-05-14 00:00:00.000",
            "14 May 2022",
            "14-May-2022",
        ] {
            assert_eq!(parse_date(s), Some(d), "{s}");
        }
        assert_eq!(parse_date("2022-13-01"), None);
        // A multi-byte character across byte 10 is no date, and no panic.
        for s in ["2021-227 \u{202e}", "2021-08-1\u{e9}", "2021-08-\u{1f4a5}x"] {
            assert_eq!(parse_date(s), None, "{s}");
        }
        assert_eq!(parse_int("12.0"), Some(12));
        assert_eq!(parse_int("12?"), None);
    }
}
