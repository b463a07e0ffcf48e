//! Coverage statements read with the data: a mapping's `[coverage]` table, or a
//! coverage file beside the data (`--coverage FILE`): the same table in TOML, or a
//! week list in CSV (`year,week[,complete][,share]`, the layout of the partial GED
//! 23.1 extract's `…_weeks.csv`).
//!
//! ```toml
//! [coverage]
//! countries = ["Afghanistan"]          # default for every span
//! citation = "Insecurity Insight, SiND"
//! [[coverage.spans]]
//! from = "2016-01-01"
//! to = "2024-12-31"
//! status = "partial"                   # complete | partial | none
//! share = 0.1                          # partial only, when known
//! scope = "attacks on health care, education and aid"  # thematic sources
//! note = "only incidents of these kinds are recorded"
//! ```

use crate::IngestError;
use chrono::NaiveDate;
use serde::Deserialize;
use sitrep_model::coverage::{Coverage, CoverageOrigin, CoverageSpan, CoverageStatus};
use std::path::{Path, PathBuf};

/// The `[coverage]` table as written.
#[derive(Debug, Clone, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct CoverageTable {
    /// Countries every span speaks for unless it names its own.
    #[serde(default)]
    pub countries: Vec<String>,
    /// A note for every span without one.
    pub note: Option<String>,
    /// A citation for every span without one.
    pub citation: Option<String>,
    /// The statements.
    #[serde(default)]
    pub spans: Vec<SpanTable>,
}

/// One `[[coverage.spans]]` entry.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SpanTable {
    /// First day (`YYYY-MM-DD`, quoted or as a TOML date).
    #[serde(deserialize_with = "date")]
    pub from: NaiveDate,
    /// Last day, included.
    #[serde(deserialize_with = "date")]
    pub to: NaiveDate,
    /// `complete`, `partial` or `none`.
    pub status: String,
    /// Share of events recorded, for partial spans.
    pub share: Option<f64>,
    /// Countries (default: the table's).
    #[serde(default)]
    pub countries: Vec<String>,
    /// Why.
    pub note: Option<String>,
    /// Source of the statement.
    pub citation: Option<String>,
    /// For thematic or curated sources: what kinds of events they record (see
    /// [`CoverageSpan::scope`]).
    pub scope: Option<String>,
}

/// A day written as a string or a TOML date.
fn date<'de, D: serde::Deserializer<'de>>(d: D) -> Result<NaiveDate, D::Error> {
    let v = toml::Value::deserialize(d)?;
    let text = match &v {
        toml::Value::String(s) => s.clone(),
        toml::Value::Datetime(dt) => dt.to_string(),
        other => {
            return Err(serde::de::Error::custom(format!(
                "expected a date like \"2021-08-15\", found {other}"
            )))
        }
    };
    text.parse()
        .map_err(|_| serde::de::Error::custom(format!("`{text}` is not a date like 2021-08-15")))
}

impl CoverageTable {
    /// The statement, checked; `file` names where it was read for errors.
    pub fn to_coverage(&self, file: &str, origin: CoverageOrigin) -> Result<Coverage, IngestError> {
        let err = |message: String| IngestError::Coverage {
            file: file.to_string(),
            message,
        };
        if self.spans.is_empty() {
            return Err(err(
                "[coverage] has no spans; add `[[coverage.spans]]` with from, to and status".into(),
            ));
        }
        let mut spans = Vec::new();
        for (i, s) in self.spans.iter().enumerate() {
            let status = CoverageStatus::parse(&s.status).ok_or_else(|| {
                err(format!(
                    "span {i}: status `{}` is not one of complete, partial, none",
                    s.status
                ))
            })?;
            spans.push(CoverageSpan {
                from: s.from,
                to: s.to,
                countries: if s.countries.is_empty() {
                    self.countries.clone()
                } else {
                    s.countries.clone()
                },
                status,
                share: s.share,
                note: s.note.clone().or_else(|| self.note.clone()),
                citation: s.citation.clone().or_else(|| self.citation.clone()),
                scope: s.scope.clone(),
            });
        }
        let c = Coverage { origin, spans };
        c.validate().map_err(|e| err(e.to_string()))?;
        Ok(c)
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CoverageFile {
    coverage: CoverageTable,
}

/// Reads a coverage file: TOML with a `[coverage]` table, or a CSV week list.
pub fn read_coverage_file(path: &Path) -> Result<Coverage, IngestError> {
    let file = path.display().to_string();
    let text = std::fs::read_to_string(path).map_err(|source| IngestError::Io {
        file: file.clone(),
        source,
    })?;
    parse_coverage(&file, &text)
}

/// Parses coverage text named `file` (`.toml` → table, otherwise a week list).
pub fn parse_coverage(file: &str, text: &str) -> Result<Coverage, IngestError> {
    if file.ends_with(".toml") {
        let f: CoverageFile = toml::from_str(text).map_err(|e| IngestError::Coverage {
            file: file.to_string(),
            message: e.to_string(),
        })?;
        return f.coverage.to_coverage(file, CoverageOrigin::File);
    }
    week_list(file, text)
}

/// A CSV week list: columns `year` and `week` (ISO), optionally `complete` /
/// `complete_cell` (true = every event of the week is in the file, false = the week
/// was cut short: partial) and `share`. Weeks not listed are not covered.
fn week_list(file: &str, text: &str) -> Result<Coverage, IngestError> {
    let err = |line: usize, message: String| IngestError::Coverage {
        file: format!("{file}:{line}"),
        message,
    };
    let mut rdr = csv::ReaderBuilder::new()
        .has_headers(true)
        .from_reader(crate::LineTracker::new(text.as_bytes()));
    let header: Vec<String> = rdr
        .headers()
        .map_err(|e| err(1, e.to_string()))?
        .iter()
        .map(|h| h.trim().trim_start_matches('\u{feff}').to_ascii_lowercase())
        .collect();
    let col = |names: &[&str]| header.iter().position(|h| names.contains(&h.as_str()));
    let (Some(yc), Some(wc)) = (col(&["year"]), col(&["week", "iso_week"])) else {
        return Err(err(
            1,
            format!(
                "a coverage week list needs `year` and `week` columns; found {}. A coverage table goes in a .toml file",
                header.join(", ")
            ),
        ));
    };
    let cc = col(&["complete", "complete_cell"]);
    let sc = col(&["share"]);
    let mut spans = Vec::new();
    let mut rec = csv::StringRecord::new();
    loop {
        match rdr.read_record(&mut rec) {
            Ok(true) => {}
            Ok(false) => break,
            Err(e) => {
                let line = e.position().map_or(0, |p| rdr.get_mut().line_at(p.byte()));
                return Err(err(line as usize, e.to_string()));
            }
        }
        // The physical line the row starts on (not the record's number: blank lines,
        // `\r\n` ends and line ends inside quotes count; see [`crate::LineTracker`]).
        let line = rec
            .position()
            .map_or(0, |p| rdr.get_mut().line_at(p.byte())) as usize;
        let get = |c: usize| rec.get(c).unwrap_or("").trim();
        let year: i32 = get(yc)
            .parse()
            .map_err(|_| err(line, format!("year `{}` is not a number", get(yc))))?;
        let week: u32 = get(wc)
            .parse()
            .map_err(|_| err(line, format!("week `{}` is not a number", get(wc))))?;
        let complete = match cc.map(get) {
            None => true,
            Some(v) => match v.to_ascii_lowercase().as_str() {
                "true" | "1" | "yes" | "complete" => true,
                "false" | "0" | "no" | "partial" => false,
                other => {
                    return Err(err(
                        line,
                        format!("complete `{other}` is not true or false"),
                    ))
                }
            },
        };
        let status = if complete {
            CoverageStatus::Complete
        } else {
            CoverageStatus::Partial
        };
        let mut span = CoverageSpan::iso_week(year, week, status)
            .ok_or_else(|| err(line, format!("{year} has no ISO week {week}")))?;
        if !complete {
            span.share = match sc.map(get).filter(|s| !s.is_empty()) {
                Some(s) => Some(
                    s.parse()
                        .map_err(|_| err(line, format!("share `{s}` is not a number")))?,
                ),
                None => None,
            };
            span.note = Some("week cut short in this extract".into());
        }
        spans.push(span);
    }
    let c = Coverage {
        origin: CoverageOrigin::File,
        spans,
    };
    c.validate().map_err(|e| err(0, e.to_string()))?;
    Ok(c)
}

/// A coverage file beside `data` by convention: `<data>.coverage.toml`, or
/// `<stem>_weeks.csv` (the partial GED extract's week list).
pub fn beside(data: &Path) -> Option<PathBuf> {
    let name = data.file_name()?.to_string_lossy().to_string();
    let stem = name
        .trim_end_matches(".gz")
        .trim_end_matches(".csv")
        .to_string();
    [
        data.with_file_name(format!("{name}.coverage.toml")),
        data.with_file_name(format!("{stem}.coverage.toml")),
        data.with_file_name(format!("{stem}_weeks.csv")),
    ]
    .into_iter()
    .find(|p| p.is_file())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn week_list_complete_and_partial() {
        let c = parse_coverage(
            "w.csv",
            "Year,Week,cell_len,complete_cell,records_parsed\n2021,1,10,True,3\n2021,2,32767,False,21\n",
        )
        .unwrap();
        assert_eq!(c.spans.len(), 2);
        assert_eq!(c.spans[0].from.to_string(), "2021-01-04");
        assert_eq!(c.spans[0].status, CoverageStatus::Complete);
        assert_eq!(c.spans[1].to.to_string(), "2021-01-17");
        assert_eq!(c.spans[1].status, CoverageStatus::Partial);
    }

    #[test]
    fn errors_name_the_line_and_the_fix() {
        let e = parse_coverage("w.csv", "year,week\n2021,1\n2021,54\n").unwrap_err();
        assert_eq!(e.to_string(), "coverage w.csv:3: 2021 has no ISO week 54");
        // Blank lines and `\r\n` ends count: the line is the file's, not the record's
        // number (found by fuzzing: blank lines shifted the line named).
        let e =
            parse_coverage("w.csv", "year,week\r\n\r\n2021,1\r\n\r\n\r\n2021,54\r\n").unwrap_err();
        assert_eq!(e.to_string(), "coverage w.csv:6: 2021 has no ISO week 54");
        let e = parse_coverage("w.csv", "year,week\n2021,1\n\n2021,1,x\n").unwrap_err();
        assert!(e.to_string().starts_with("coverage w.csv:4: "), "{e}");
        let e = parse_coverage("w.csv", "yr,wk\n2021,1\n").unwrap_err();
        assert!(e.to_string().contains("needs `year` and `week`"), "{e}");
        let e = parse_coverage(
            "c.toml",
            "[coverage]\n[[coverage.spans]]\nfrom = 2021-02-01\nto = 2021-01-01\nstatus = \"complete\"\n",
        )
        .unwrap_err();
        assert!(e.to_string().contains("is before `from`"), "{e}");
        let e = parse_coverage(
            "c.toml",
            "[coverage]\n[[coverage.spans]]\nfrom = 2021-01-01\nto = 2021-02-01\nstatus = \"most\"\n",
        )
        .unwrap_err();
        assert!(
            e.to_string().contains("not one of complete, partial, none"),
            "{e}"
        );
    }
}
