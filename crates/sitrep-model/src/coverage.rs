//! Coverage: for which days and countries a source claims to record every event
//! (complete), some events (partial, with an estimated share when known) or none.
//!
//! Coverage is what separates *zero events* from *not covered*. A source's coverage
//! is a list of [`CoverageSpan`]s; it comes from the adapter or mapping (a
//! `[coverage]` table), from a coverage file beside the data (the week list of a
//! partial extract), or defaults to "complete between the batch's first and last
//! event date, for the countries it has events in, none outside"
//! ([`Coverage::default_for`]). Spans of several sources combine day by day, the best
//! status winning ([`CoverageIndex`]); a bucket of a series then gets a
//! [`BucketCoverage`]: complete, partial (with the share of its days covered) or none.
//! A bucket with none is `null`, never `0`.
//!
//! ```
//! use sitrep_model::coverage::{Coverage, CoverageIndex, CoverageStatus};
//! let d = |s: &str| s.parse().unwrap();
//! let cov = Coverage::default_for(d("2020-01-01"), d("2020-12-31"), vec!["Afghanistan".into()]);
//! let idx = CoverageIndex::new(cov.spans.iter(), &[], d("2020-12-01"), d("2021-01-31"));
//! assert_eq!(idx.bucket(d("2020-12-01"), d("2021-01-01")).status, CoverageStatus::Complete);
//! assert_eq!(idx.bucket(d("2021-01-01"), d("2021-02-01")).status, CoverageStatus::None);
//! let half = idx.bucket(d("2020-12-17"), d("2021-01-16")); // 15 of 30 days covered
//! assert_eq!((half.status, half.share), (CoverageStatus::Partial, Some(0.5)));
//! ```

use chrono::{Duration, NaiveDate, Weekday};
use serde::{Deserialize, Serialize};
use std::fmt;

/// How completely a source records events on a day.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, Default,
)]
#[serde(rename_all = "snake_case")]
pub enum CoverageStatus {
    /// The source records no events here: a count would be a false zero.
    #[default]
    None,
    /// Some events are recorded (a sector-specific source, a truncated extract).
    Partial,
    /// Every event the source's method would record is recorded.
    Complete,
}

impl CoverageStatus {
    /// `complete`, `partial` or `none`.
    pub fn as_str(self) -> &'static str {
        match self {
            CoverageStatus::None => "none",
            CoverageStatus::Partial => "partial",
            CoverageStatus::Complete => "complete",
        }
    }

    /// Parses `complete`, `partial`, `none` (case-insensitive).
    pub fn parse(s: &str) -> Option<Self> {
        match s.trim().to_ascii_lowercase().as_str() {
            "complete" | "full" => Some(CoverageStatus::Complete),
            "partial" => Some(CoverageStatus::Partial),
            "none" | "no" => Some(CoverageStatus::None),
            _ => None,
        }
    }
}

impl fmt::Display for CoverageStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Where a coverage statement came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum CoverageOrigin {
    /// The default: complete between the batch's first and last event date.
    #[default]
    Default,
    /// A mapping's `[coverage]` table.
    Mapping,
    /// A coverage file given with the data (`--coverage`).
    File,
}

/// One period (both ends inclusive) with one status.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CoverageSpan {
    /// First day covered by this statement.
    pub from: NaiveDate,
    /// Last day (inclusive).
    pub to: NaiveDate,
    /// Countries it speaks for (names as in records); empty = every country.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub countries: Vec<String>,
    /// Complete, partial or none.
    pub status: CoverageStatus,
    /// For partial spans: the estimated share of events recorded (0–1), when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub share: Option<f64>,
    /// Why (e.g. "only weeks with a health-care attack; busy weeks cut short").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// Where the statement comes from (a codebook, a README).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub citation: Option<String>,
    /// For a thematic or curated source: what kinds of events it records ("attacks
    /// on health care, education and aid workers"). A scoped span speaks only for
    /// that source counted on its own: counting all sources, it neither covers a
    /// period nor fills another source's gap.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scope: Option<String>,
}

impl CoverageSpan {
    /// Whether it speaks for any of `countries` (every country when either is empty).
    pub fn applies_to(&self, countries: &[String]) -> bool {
        self.countries.is_empty()
            || countries.is_empty()
            || self
                .countries
                .iter()
                .any(|c| countries.iter().any(|f| f.eq_ignore_ascii_case(c)))
    }

    /// The days of ISO week `week` of `year` (Monday–Sunday).
    pub fn iso_week(year: i32, week: u32, status: CoverageStatus) -> Option<CoverageSpan> {
        let from = NaiveDate::from_isoywd_opt(year, week, Weekday::Mon)?;
        Some(CoverageSpan {
            from,
            to: from + Duration::days(6),
            countries: Vec::new(),
            status,
            share: None,
            note: None,
            citation: None,
            scope: None,
        })
    }
}

/// A source's (or batch's) coverage.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct Coverage {
    /// Where it came from.
    pub origin: CoverageOrigin,
    /// The statements; days no span names are not covered.
    pub spans: Vec<CoverageSpan>,
}

/// A coverage statement that cannot be right.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CoverageError {
    /// A span ends before it starts.
    #[error("coverage span {index}: `to` ({to}) is before `from` ({from}); swap them")]
    Reversed {
        /// Index of the span (from 0).
        index: usize,
        /// Its start.
        from: NaiveDate,
        /// Its end.
        to: NaiveDate,
    },
    /// A share outside 0–1, or a share on a span that is not partial.
    #[error("coverage span {index}: `share` {share} {why}")]
    Share {
        /// Index of the span.
        index: usize,
        /// The value given.
        share: String,
        /// What is wrong.
        why: &'static str,
    },
}

impl Coverage {
    /// The default statement: complete from `first` to `last` (the batch's event
    /// dates) for `countries`, none outside.
    pub fn default_for(first: NaiveDate, last: NaiveDate, countries: Vec<String>) -> Coverage {
        Coverage {
            origin: CoverageOrigin::Default,
            spans: vec![CoverageSpan {
                from: first.min(last),
                to: last.max(first),
                countries,
                status: CoverageStatus::Complete,
                share: None,
                note: Some("default: complete between the first and last event date".into()),
                citation: None,
                scope: None,
            }],
        }
    }

    /// Checks every span; the first problem is the error.
    pub fn validate(&self) -> Result<(), CoverageError> {
        for (index, s) in self.spans.iter().enumerate() {
            if s.to < s.from {
                return Err(CoverageError::Reversed {
                    index,
                    from: s.from,
                    to: s.to,
                });
            }
            if let Some(share) = s.share {
                if !(0.0..=1.0).contains(&share) || share.is_nan() {
                    return Err(CoverageError::Share {
                        index,
                        share: share.to_string(),
                        why: "must be between 0 and 1 (a share of events, not a percentage)",
                    });
                }
                if s.status != CoverageStatus::Partial {
                    return Err(CoverageError::Share {
                        index,
                        share: share.to_string(),
                        why: "is only meaningful on a `partial` span",
                    });
                }
            }
        }
        Ok(())
    }

    /// First and last day with any coverage.
    pub fn extent(&self) -> Option<(NaiveDate, NaiveDate)> {
        let covered = self
            .spans
            .iter()
            .filter(|s| s.status != CoverageStatus::None);
        let from = covered.clone().map(|s| s.from).min()?;
        let to = covered.map(|s| s.to).max()?;
        Some((from, to))
    }

    /// Days per status over the extent (for `sitrep sources`): complete, partial.
    pub fn days(&self) -> (u64, u64) {
        let Some((a, b)) = self.extent() else {
            return (0, 0);
        };
        let idx = CoverageIndex::new(self.spans.iter(), &[], a, b);
        let c = idx.bucket(a, b + Duration::days(1));
        (c.complete_days as u64, c.partial_days as u64)
    }

    /// One line for people: "complete 1989-01-01 – 2020-12-31 (Afghanistan)".
    pub fn describe(&self) -> String {
        if self.spans.is_empty() {
            return "none".into();
        }
        let mut by_status: Vec<String> = Vec::new();
        for status in [CoverageStatus::Complete, CoverageStatus::Partial] {
            let spans: Vec<&CoverageSpan> =
                self.spans.iter().filter(|s| s.status == status).collect();
            if spans.is_empty() {
                continue;
            }
            let from = spans.iter().map(|s| s.from).min().expect("non-empty");
            let to = spans.iter().map(|s| s.to).max().expect("non-empty");
            let mut countries: Vec<&str> = spans
                .iter()
                .flat_map(|s| s.countries.iter().map(String::as_str))
                .collect();
            countries.sort_unstable();
            countries.dedup();
            let place = match countries.len() {
                0 => String::new(),
                1..=3 => format!(" ({})", countries.join(", ")),
                n => format!(" ({n} countries)"),
            };
            let pieces = if spans.len() > 1 {
                format!(" in {} spans", spans.len())
            } else {
                String::new()
            };
            let scope = spans
                .iter()
                .find_map(|s| s.scope.as_deref())
                .map(|s| format!(" [only: {s}]"))
                .unwrap_or_default();
            by_status.push(format!("{status} {from} – {to}{pieces}{place}{scope}"));
        }
        if by_status.is_empty() {
            "none".into()
        } else {
            by_status.join("; ")
        }
    }
}

/// How one bucket (or period) is covered.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, Default)]
pub struct BucketCoverage {
    /// Complete when every day is complete, none when no day has any coverage,
    /// partial otherwise.
    pub status: CoverageStatus,
    /// Share of the bucket's events the data are expected to hold: complete days
    /// count 1, partial days their span's share; `None` when a partial day's share
    /// is unknown.
    pub share: Option<f64>,
    /// Days in the bucket.
    pub days: u32,
    /// Days with complete coverage.
    pub complete_days: u32,
    /// Days with partial coverage only.
    pub partial_days: u32,
}

impl BucketCoverage {
    /// Whether a value can be stated at all (complete or partial).
    pub fn is_covered(&self) -> bool {
        self.status != CoverageStatus::None
    }

    /// Several buckets (or periods) as one: days add up; the share is the
    /// day-weighted mean, unknown if any part's is.
    pub fn combine(parts: &[BucketCoverage]) -> BucketCoverage {
        let mut c = BucketCoverage::default();
        let mut weight = Some(0.0);
        for p in parts {
            c.days += p.days;
            c.complete_days += p.complete_days;
            c.partial_days += p.partial_days;
            weight = match (weight, p.share) {
                (Some(w), Some(s)) => Some(w + s * p.days as f64),
                _ => None,
            };
        }
        c.status = if c.days > 0 && c.complete_days == c.days {
            CoverageStatus::Complete
        } else if c.complete_days + c.partial_days == 0 {
            CoverageStatus::None
        } else {
            CoverageStatus::Partial
        };
        c.share = match c.status {
            CoverageStatus::Complete => Some(1.0),
            CoverageStatus::None => Some(0.0),
            CoverageStatus::Partial => {
                weight.map(|w| (w / c.days.max(1) as f64 * 1e6).round() / 1e6)
            }
        };
        c
    }

    /// Share of days with any coverage (complete or partial), 0–1.
    pub fn covered_fraction(&self) -> f64 {
        if self.days == 0 {
            return 0.0;
        }
        (self.complete_days + self.partial_days) as f64 / self.days as f64
    }

    /// The CSV cell: `complete`, `none`, `partial` or `partial 0.42`.
    pub fn cell(&self) -> String {
        match (self.status, self.share) {
            (CoverageStatus::Partial, Some(s)) => format!("partial {s:.2}"),
            (s, _) => s.as_str().to_string(),
        }
    }
}

/// Day-by-day coverage over a date range, combined over several sources' spans.
#[derive(Debug, Clone)]
pub struct CoverageIndex {
    first: NaiveDate,
    /// Per day: the best status, and the largest known share among partial spans
    /// (`None` = unknown).
    days: Vec<(CoverageStatus, Option<f64>)>,
}

impl CoverageIndex {
    /// Combines `spans` that apply to `countries` over `first..=last`.
    pub fn new<'a>(
        spans: impl IntoIterator<Item = &'a CoverageSpan>,
        countries: &[String],
        first: NaiveDate,
        last: NaiveDate,
    ) -> CoverageIndex {
        let n = ((last - first).num_days() + 1).max(0) as usize;
        let mut days = vec![(CoverageStatus::None, None); n];
        for s in spans.into_iter().filter(|s| s.applies_to(countries)) {
            let a = s.from.max(first);
            let b = s.to.min(last);
            if a > b {
                continue;
            }
            let (i, j) = (
                (a - first).num_days() as usize,
                (b - first).num_days() as usize,
            );
            for d in &mut days[i..=j] {
                match (s.status, d.0) {
                    (new, old) if new > old => *d = (new, s.share),
                    (CoverageStatus::Partial, CoverageStatus::Partial) => {
                        d.1 = match (d.1, s.share) {
                            (Some(x), Some(y)) => Some(x.max(y)),
                            _ => None,
                        }
                    }
                    _ => {}
                }
            }
        }
        CoverageIndex { first, days }
    }

    /// Coverage of the days `start..end` (end exclusive); days outside the index's
    /// range count as not covered.
    pub fn bucket(&self, start: NaiveDate, end: NaiveDate) -> BucketCoverage {
        let total = (end - start).num_days().max(0) as u32;
        let mut c = BucketCoverage {
            days: total,
            ..BucketCoverage::default()
        };
        let mut weight = 0.0;
        let mut share_known = true;
        let mut d = start;
        while d < end {
            let i = (d - self.first).num_days();
            if i >= 0 && (i as usize) < self.days.len() {
                match self.days[i as usize] {
                    (CoverageStatus::Complete, _) => {
                        c.complete_days += 1;
                        weight += 1.0;
                    }
                    (CoverageStatus::Partial, s) => {
                        c.partial_days += 1;
                        match s {
                            Some(s) => weight += s,
                            None => share_known = false,
                        }
                    }
                    (CoverageStatus::None, _) => {}
                }
            }
            d += Duration::days(1);
        }
        c.status = if total > 0 && c.complete_days == total {
            CoverageStatus::Complete
        } else if c.complete_days + c.partial_days == 0 {
            CoverageStatus::None
        } else {
            CoverageStatus::Partial
        };
        c.share = match c.status {
            CoverageStatus::Complete => Some(1.0),
            CoverageStatus::None => Some(0.0),
            CoverageStatus::Partial if share_known && total > 0 => {
                Some((weight / total as f64 * 1e6).round() / 1e6)
            }
            CoverageStatus::Partial => None,
        };
        c
    }

    /// The last day with complete or partial coverage, if any.
    pub fn last_covered(&self) -> Option<NaiveDate> {
        self.days
            .iter()
            .rposition(|d| d.0 != CoverageStatus::None)
            .map(|i| self.first + Duration::days(i as i64))
    }

    /// The first day with any coverage, if any.
    pub fn first_covered(&self) -> Option<NaiveDate> {
        self.days
            .iter()
            .position(|d| d.0 != CoverageStatus::None)
            .map(|i| self.first + Duration::days(i as i64))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn span(from: &str, to: &str, status: CoverageStatus, share: Option<f64>) -> CoverageSpan {
        CoverageSpan {
            from: d(from),
            to: d(to),
            countries: vec!["Afghanistan".into()],
            status,
            share,
            note: None,
            citation: None,
            scope: None,
        }
    }

    #[test]
    fn best_status_wins_day_by_day() {
        let spans = [
            span(
                "2021-01-01",
                "2021-01-10",
                CoverageStatus::Partial,
                Some(0.25),
            ),
            span("2021-01-06", "2021-01-20", CoverageStatus::Complete, None),
        ];
        let idx = CoverageIndex::new(spans.iter(), &[], d("2021-01-01"), d("2021-01-31"));
        let b = idx.bucket(d("2021-01-01"), d("2021-01-11"));
        // 5 partial days at 0.25 + 5 complete days = 6.25 / 10.
        assert_eq!(b.partial_days, 5);
        assert_eq!(b.complete_days, 5);
        assert_eq!(b.share, Some(0.625));
        assert_eq!(b.status, CoverageStatus::Partial);
        let none = idx.bucket(d("2021-01-21"), d("2021-01-31"));
        assert_eq!((none.status, none.share), (CoverageStatus::None, Some(0.0)));
        assert_eq!(idx.last_covered(), Some(d("2021-01-20")));
    }

    #[test]
    fn unknown_share_stays_unknown_and_countries_filter() {
        let spans = [span(
            "2021-01-01",
            "2021-01-31",
            CoverageStatus::Partial,
            None,
        )];
        let idx = CoverageIndex::new(spans.iter(), &[], d("2021-01-01"), d("2021-01-31"));
        assert_eq!(idx.bucket(d("2021-01-01"), d("2021-01-08")).share, None);
        let pak = CoverageIndex::new(
            spans.iter(),
            &["Pakistan".into()],
            d("2021-01-01"),
            d("2021-01-31"),
        );
        assert_eq!(
            pak.bucket(d("2021-01-01"), d("2021-01-08")).status,
            CoverageStatus::None
        );
    }

    #[test]
    fn iso_weeks_and_validation() {
        let w = CoverageSpan::iso_week(2021, 1, CoverageStatus::Complete).unwrap();
        assert_eq!((w.from, w.to), (d("2021-01-04"), d("2021-01-10")));
        let bad = Coverage {
            origin: CoverageOrigin::Mapping,
            spans: vec![span(
                "2021-02-01",
                "2021-01-01",
                CoverageStatus::Complete,
                None,
            )],
        };
        assert!(matches!(
            bad.validate(),
            Err(CoverageError::Reversed { index: 0, .. })
        ));
        let pct = Coverage {
            origin: CoverageOrigin::Mapping,
            spans: vec![span(
                "2021-01-01",
                "2021-02-01",
                CoverageStatus::Partial,
                Some(16.0),
            )],
        };
        assert!(pct
            .validate()
            .unwrap_err()
            .to_string()
            .contains("not a percentage"));
    }
}
