//! Figure and report specs, and the computed data behind a figure: the contract
//! between `sitrep-analysis` (which computes a [`FigureData`] from a [`FigureSpec`])
//! and `sitrep-render` (which draws it as SVG, CSV and HTML).
//!
//! A [`FigureSpec`] is a small, reviewable TOML file: what to count ([`Filters`],
//! [`SeriesSpec`], optional [`LineSpec`]s), how to draw it ([`FigureKind`], [`MapSpec`],
//! [`Annotation`]s) and at what size. A [`ReportSpec`] strings figures together with
//! the analyst's prose. Parsing never guesses: an unknown key, kind or bad date is a
//! [`SpecError`] naming the key, its line and column.
//!
//! ```
//! use sitrep_model::figure::{FigureSpec, FigureKind, Bucket, Annotation};
//! let spec = FigureSpec::from_toml_str(r#"
//!     id = "fig1"
//!     title = "Total violent incidents per week"
//!     kind = "line"
//!
//!     [filters]
//!     from = 2020-09-01          # TOML dates and "2020-09-01" strings both work
//!     to = "2022-07-31"
//!     countries = ["Afghanistan"]
//!
//!     [series]
//!     bucket = "week"
//!     measure = "incidents"
//!
//!     [[annotations]]
//!     kind = "vline"
//!     date = "2021-08-15"
//!     label = "Taliban takeover"
//! "#).unwrap();
//! assert_eq!(spec.kind, FigureKind::Line);
//! assert_eq!(spec.series.bucket, Bucket::Week);
//! assert!(matches!(spec.annotations[0], Annotation::Vline { .. }));
//! assert_eq!((spec.width, spec.height), (900, 500));
//!
//! let err = FigureSpec::from_toml_str("id = \"x\"\ntitle = \"t\"\nkind = \"pie\"\n").unwrap_err();
//! assert_eq!(err.key(), Some("kind"));
//! ```

use crate::coverage::BucketCoverage;
pub use crate::query::{ActorMatch, Attribution, Filters, Role};
use chrono::{DateTime, Datelike, NaiveDate, Utc};
use serde::de::{self, Deserializer, MapAccess, Visitor};
use serde::{Deserialize, Serialize, Serializer};
use std::fmt;
use std::str::FromStr;

// ---------------------------------------------------------------------------------
// Errors
// ---------------------------------------------------------------------------------

/// Why a figure or report spec was rejected. Every variant names the offending key.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SpecError {
    /// The TOML could not be read into a spec: bad syntax, an unknown key, a value of
    /// the wrong type, an unknown kind, a malformed date.
    #[error("line {line}, column {column}: {}{message}", key_prefix(key))]
    Parse {
        /// Dotted path of the key the error is at (`filters.from`, `lines[1].label`),
        /// when it can be told; `None` for errors before any key (syntax at the top).
        key: Option<String>,
        /// 1-based line.
        line: usize,
        /// 1-based column.
        column: usize,
        /// What is wrong, as the TOML reader says it.
        message: String,
    },
    /// The TOML was read but a value makes no sense (dates reversed, too few classes).
    #[error("`{key}`: {message}")]
    Invalid {
        /// Dotted path of the key.
        key: String,
        /// What is wrong and how to fix it.
        message: String,
    },
}

fn key_prefix(key: &Option<String>) -> String {
    match key {
        Some(k) if !k.is_empty() => format!("`{k}`: "),
        _ => String::new(),
    }
}

impl SpecError {
    /// The dotted key the error is about, if known.
    pub fn key(&self) -> Option<&str> {
        match self {
            SpecError::Parse { key, .. } => key.as_deref(),
            SpecError::Invalid { key, .. } => Some(key),
        }
    }

    pub(crate) fn invalid(key: impl Into<String>, message: impl Into<String>) -> Self {
        SpecError::Invalid {
            key: key.into(),
            message: message.into(),
        }
    }

    /// The error `err` of reading `src` as TOML, located by line and column and named
    /// by its dotted key (used by every spec reader: figures, reports, indicators).
    pub fn from_toml(src: &str, err: toml::de::Error) -> Self {
        let message = err.message().trim().to_string();
        match err.span() {
            Some(span) => {
                let (line, column) = line_col(src, span.start);
                let mut key = key_at(src, span.start);
                // "unknown field `x`" / "missing field `x`": the message names the leaf.
                if let Some(field) = backticked_after(&message, "unknown field ")
                    .or_else(|| backticked_after(&message, "missing field "))
                {
                    let mut table = table_path_at(src, span.start);
                    let line_start = src[..span.start.min(src.len())]
                        .rfind('\n')
                        .map_or(0, |i| i + 1);
                    if src[line_start..].trim_start().starts_with('[') {
                        // The unknown key is a table header: name it under its parent.
                        table = match table.rfind('.') {
                            Some(i) => table[..i].to_string(),
                            None => String::new(),
                        };
                    }
                    key = Some(join_key(&table, &field));
                }
                SpecError::Parse {
                    key,
                    line,
                    column,
                    message,
                }
            }
            None => SpecError::Parse {
                key: backticked_after(&message, "missing field "),
                line: 1,
                column: 1,
                message,
            },
        }
    }
}

fn backticked_after(message: &str, marker: &str) -> Option<String> {
    let rest = &message[message.find(marker)? + marker.len()..];
    let rest = rest.strip_prefix('`')?;
    Some(rest[..rest.find('`')?].to_string())
}

pub(crate) fn join_key(table: &str, leaf: &str) -> String {
    if table.is_empty() {
        leaf.to_string()
    } else {
        format!("{table}.{leaf}")
    }
}

fn line_col(src: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(src.len());
    let before = &src[..offset];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    (line, before[line_start..].chars().count() + 1)
}

/// The `[table]` / `[[array]]` path in force at `offset`, with array indexes.
fn table_path_at(src: &str, offset: usize) -> String {
    let mut path = String::new();
    let mut counts: std::collections::HashMap<String, usize> = Default::default();
    let mut pos = 0;
    for line in src.split_inclusive('\n') {
        if pos > offset {
            break;
        }
        let t = line.trim();
        if let Some(inner) = t.strip_prefix("[[").and_then(|r| r.split("]]").next()) {
            let name = inner.trim().to_string();
            let n = counts.entry(name.clone()).or_insert(0);
            path = format!("{name}[{n}]");
            *n += 1;
        } else if let Some(inner) = t.strip_prefix('[').and_then(|r| r.split(']').next()) {
            path = inner.trim().to_string();
        }
        pos += line.len();
    }
    path
}

fn is_key_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_' || c == '-'
}

/// Best effort: the dotted key whose value contains `offset`.
fn key_at(src: &str, offset: usize) -> Option<String> {
    let offset = offset.min(src.len());
    let table = table_path_at(src, offset);
    let line_start = src[..offset].rfind('\n').map_or(0, |i| i + 1);
    let line = &src[line_start..];
    let line = &line[..line.find('\n').unwrap_or(line.len())];
    let prefix = &src[line_start..offset];
    if line.trim_start().starts_with('[') && !prefix.contains('=') {
        return Some(table);
    }
    // Walk the prefix: `key = {` opens an inline table; the last `key =` is the leaf.
    let mut stack: Vec<String> = Vec::new();
    let mut last: Option<String> = None;
    let mut word = String::new();
    let mut word_done = false;
    let mut pending: Option<String> = None;
    let mut in_str = false;
    for c in prefix.chars() {
        if in_str {
            if c == '"' {
                in_str = false;
            }
            continue;
        }
        match c {
            '"' => in_str = true,
            '=' => {
                if !word.is_empty() {
                    pending = Some(std::mem::take(&mut word));
                    last = pending.clone();
                }
                word_done = false;
            }
            '{' => {
                if let Some(k) = pending.take() {
                    stack.push(k);
                    last = None;
                }
            }
            '}' => {
                stack.pop();
                last = None;
            }
            c if is_key_char(c) || c == '.' => {
                if word_done {
                    word.clear();
                    word_done = false;
                }
                word.push(c);
            }
            c if c.is_whitespace() => word_done = true,
            _ => word.clear(),
        }
    }
    let leaf = match last {
        Some(k) => k,
        None if !prefix.contains('=') => {
            // The key itself (unknown field) or a continuation line of a multi-line
            // array: the key is at the offset, or on an earlier line.
            let here: String = src[offset..]
                .chars()
                .take_while(|c| is_key_char(*c))
                .collect();
            if !here.is_empty()
                && src[offset..]
                    .trim_start_matches(is_key_char)
                    .trim_start()
                    .starts_with('=')
            {
                here
            } else {
                let earlier = src[..line_start].lines().rev().find_map(|l| {
                    let t = l.trim();
                    if t.starts_with('[') {
                        return Some(None);
                    }
                    let eq = t.find('=')?;
                    let k = t[..eq].trim();
                    (!k.is_empty() && k.chars().all(|c| is_key_char(c) || c == '.'))
                        .then(|| Some(k.to_string()))
                });
                earlier.flatten()?
            }
        }
        None => return Some(table),
    };
    let mut path = table;
    for k in stack.iter().chain(std::iter::once(&leaf)) {
        path = join_key(&path, k);
    }
    Some(path)
}

// ---------------------------------------------------------------------------------
// Dates and periods
// ---------------------------------------------------------------------------------

fn parse_date(s: &str) -> Result<NaiveDate, String> {
    NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d")
        .map_err(|_| format!("expected a date as YYYY-MM-DD, found {s:?}"))
}

/// Accepts a TOML date (`2021-08-15`) or a string (`"2021-08-15"`).
struct DateVisitor;

impl<'de> Visitor<'de> for DateVisitor {
    type Value = NaiveDate;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a date as YYYY-MM-DD")
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<NaiveDate, E> {
        parse_date(v).map_err(E::custom)
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<NaiveDate, A::Error> {
        // The TOML reader hands its native dates over as a one-entry map.
        let (_, v): (String, String) = map
            .next_entry()?
            .ok_or_else(|| de::Error::custom("expected a date as YYYY-MM-DD"))?;
        if v.len() != 10 {
            return Err(de::Error::custom(format!(
                "expected a date without time, found {v}"
            )));
        }
        parse_date(&v).map_err(de::Error::custom)
    }
}

pub(crate) mod opt_date {
    use super::*;
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<NaiveDate>, D::Error> {
        d.deserialize_any(DateVisitor).map(Some)
    }
    pub fn serialize<S: Serializer>(v: &Option<NaiveDate>, s: S) -> Result<S::Ok, S::Error> {
        match v {
            Some(d) => s.serialize_str(&d.to_string()),
            None => s.serialize_none(),
        }
    }
}

mod date {
    use super::*;
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<NaiveDate, D::Error> {
        d.deserialize_any(DateVisitor)
    }
    pub fn serialize<S: Serializer>(v: &NaiveDate, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&v.to_string())
    }
}

/// A closed range of days, both ends included, written `"2021-08-15..2022-06-15"`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Period {
    /// First day, included.
    pub from: NaiveDate,
    /// Last day, included.
    pub to: NaiveDate,
}

impl Period {
    /// A period; `None` if `to` is before `from`.
    pub fn new(from: NaiveDate, to: NaiveDate) -> Option<Period> {
        (from <= to).then_some(Period { from, to })
    }
    /// Number of days, both ends counted.
    pub fn days(&self) -> i64 {
        (self.to - self.from).num_days() + 1
    }
    /// Length in weeks (days / 7), the denominator of a weekly rate.
    pub fn weeks(&self) -> f64 {
        self.days() as f64 / 7.0
    }
    /// True when `day` falls inside.
    pub fn contains(&self, day: NaiveDate) -> bool {
        self.from <= day && day <= self.to
    }
    /// The same period `years` earlier (negative: later), clamping 29 February.
    pub fn shifted_years(&self, years: i32) -> Period {
        let shift = |d: NaiveDate| {
            let y = d.year() - years;
            NaiveDate::from_ymd_opt(y, d.month(), d.day())
                .or_else(|| NaiveDate::from_ymd_opt(y, d.month(), 28))
                .expect("valid date")
        };
        Period {
            from: shift(self.from),
            to: shift(self.to),
        }
    }
    /// Human form: `15 Aug 2021–15 Jun 2022`.
    pub fn human(&self) -> String {
        format!(
            "{}–{}",
            self.from.format("%-d %b %Y"),
            self.to.format("%-d %b %Y")
        )
    }
}

impl fmt::Display for Period {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}..{}", self.from, self.to)
    }
}

impl FromStr for Period {
    type Err = String;
    fn from_str(s: &str) -> Result<Period, String> {
        let (a, b) = s
            .split_once("..")
            .ok_or_else(|| format!("expected a period as YYYY-MM-DD..YYYY-MM-DD, found {s:?}"))?;
        let (from, to) = (parse_date(a)?, parse_date(b)?);
        Period::new(from, to).ok_or_else(|| format!("period {s:?} ends before it starts"))
    }
}

impl Serialize for Period {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.to_string())
    }
}

impl<'de> Deserialize<'de> for Period {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Period, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(de::Error::custom)
    }
}

// ---------------------------------------------------------------------------------
// The spec
// ---------------------------------------------------------------------------------

/// How a figure is drawn.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FigureKind {
    /// One line per series line, with fatality bands where low ≠ high.
    Line,
    /// Lines stacked on each other as filled areas.
    StackedArea,
    /// Vertical bars per bucket, stacked by group.
    Bars,
    /// One small panel per line, on a shared y scale.
    SmallMultiples,
    /// Areas (provinces or districts) shaded by value in classes.
    Choropleth,
    /// Points sized by value over the area outlines.
    Points,
}

impl FigureKind {
    /// True for the two map kinds.
    pub fn is_map(self) -> bool {
        matches!(self, FigureKind::Choropleth | FigureKind::Points)
    }
    /// The name used in spec files.
    pub fn as_str(self) -> &'static str {
        match self {
            FigureKind::Line => "line",
            FigureKind::StackedArea => "stacked_area",
            FigureKind::Bars => "bars",
            FigureKind::SmallMultiples => "small_multiples",
            FigureKind::Choropleth => "choropleth",
            FigureKind::Points => "points",
        }
    }
}

/// Time bucket of a series.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Bucket {
    /// Calendar day.
    Day,
    /// ISO week, Monday–Sunday.
    #[default]
    Week,
    /// ACLED's week, Saturday–Friday.
    AcledWeek,
    /// Calendar month.
    Month,
    /// Calendar quarter.
    Quarter,
    /// Calendar year.
    Year,
}

impl Bucket {
    /// The noun for axis titles: `day`, `week`, `month`, …
    pub fn noun(self) -> &'static str {
        match self {
            Bucket::Day => "day",
            Bucket::Week | Bucket::AcledWeek => "week",
            Bucket::Month => "month",
            Bucket::Quarter => "quarter",
            Bucket::Year => "year",
        }
    }
    /// The name used in spec files.
    pub fn as_str(self) -> &'static str {
        match self {
            Bucket::Day => "day",
            Bucket::Week => "week",
            Bucket::AcledWeek => "acled_week",
            Bucket::Month => "month",
            Bucket::Quarter => "quarter",
            Bucket::Year => "year",
        }
    }
}

/// What a series counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Measure {
    /// Number of incidents.
    #[default]
    Incidents,
    /// Sum of best fatality estimates.
    FatalitiesBest,
    /// Sum of low fatality estimates.
    FatalitiesLow,
    /// Sum of high fatality estimates.
    FatalitiesHigh,
    /// Civilian deaths where the source gives them (UCDP `deaths_civilians`).
    CivilianDeaths,
}

impl Measure {
    /// Human name for axis titles: `Incidents`, `Fatalities (best estimate)`, …
    pub fn human(self) -> &'static str {
        match self {
            Measure::Incidents => "Incidents",
            Measure::FatalitiesBest => "Fatalities (best estimate)",
            Measure::FatalitiesLow => "Fatalities (low estimate)",
            Measure::FatalitiesHigh => "Fatalities (high estimate)",
            Measure::CivilianDeaths => "Civilian deaths",
        }
    }
    /// The name used in spec files.
    pub fn as_str(self) -> &'static str {
        match self {
            Measure::Incidents => "incidents",
            Measure::FatalitiesBest => "fatalities_best",
            Measure::FatalitiesLow => "fatalities_low",
            Measure::FatalitiesHigh => "fatalities_high",
            Measure::CivilianDeaths => "civilian_deaths",
        }
    }
}

/// What a series is split by; each group becomes one line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum GroupBy {
    /// One line (or one per [`LineSpec`]).
    #[default]
    None,
    /// Canonical actor.
    Actor,
    /// Common event type.
    EventType,
    /// Province.
    Province,
    /// Region.
    Region,
    /// Distance band to the nearest provincial capital ([`FigureSpec::distance_bands`]).
    DistanceBand,
    /// Source name.
    Source,
    /// Attribution verdict (attributed, claimed, contested, unattributed); needs the
    /// claims ledger.
    Attribution,
}

/// Which buckets a moving average covers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SmoothKind {
    /// The bucket and the k−1 before it (the report's "eight-week moving average").
    #[default]
    Trailing,
    /// k buckets centred on the bucket (k odd; even k leans one bucket back).
    Centred,
}

/// How the counted records become a time series.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct SeriesSpec {
    /// Time bucket (default `week`).
    pub bucket: Bucket,
    /// What is counted (default `incidents`).
    pub measure: Measure,
    /// Split into one line per group (default `none`).
    pub by: GroupBy,
    /// Keep the N largest groups; the rest are summed into "Other".
    #[serde(skip_serializing_if = "Option::is_none")]
    pub top: Option<usize>,
    /// Moving average over k buckets (absent or 1: none).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub smooth: Option<usize>,
    /// Trailing (default) or centred moving average.
    pub smooth_kind: SmoothKind,
    /// Running totals instead of per-bucket values.
    pub cumulative: bool,
    /// Show each value as a percentage of the same measure over records matching these
    /// filters (a complete filter set, not laid over the figure's; the date range and
    /// buckets are the figure's). E.g. the share of unattributed attacks on the
    /// Taliban: figure filters add `attribution = ["unattributed"]`, `share_of` has
    /// the same filters without it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub share_of: Option<Filters>,
    /// Mark each line's change points on the chart (Poisson PELT with R's MBIC
    /// penalty over each covered stretch of raw values), labelled with the rate ratio.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub changes: bool,
}

/// A change point drawn on a chart.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChartBreak {
    /// The line it belongs to.
    pub line: String,
    /// First bucket of the new segment.
    pub date: NaiveDate,
    /// Rate after / rate before (`None` when the rate before is 0).
    pub ratio: Option<f64>,
}

/// One named line of a figure: the figure's filters with these laid over them
/// ([`Filters::merged`]).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LineSpec {
    /// Legend label (`NRF`).
    pub label: String,
    /// Extra filters for this line (`{ actors = ["nrf"] }`).
    #[serde(default)]
    pub filters: Filters,
}

/// Something drawn over a chart.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum Annotation {
    /// A vertical marker on a date.
    Vline {
        /// The day marked.
        #[serde(with = "date")]
        date: NaiveDate,
        /// Text beside the marker.
        label: String,
    },
    /// A period comparison: weekly rate in period `a` against period `b`, as a ratio
    /// with a 95% interval. Analysis computes it into [`FigureData::comparisons`],
    /// counting with the figure's filters except its date range (the periods may
    /// reach outside the plotted range: the report's baseline starts 15 Aug 2020,
    /// its chart in September).
    Compare {
        /// The period of interest.
        a: Period,
        /// The baseline period.
        b: Period,
        /// Short label (`Fivefold fall`).
        label: String,
    },
}

/// Map level.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MapLevel {
    /// First-level units (34 provinces).
    #[default]
    Province,
    /// Second-level units (~400 districts).
    District,
}

impl MapLevel {
    /// The name used in spec files.
    pub fn as_str(self) -> &'static str {
        match self {
            MapLevel::Province => "province",
            MapLevel::District => "district",
        }
    }
}

/// How a choropleth's class breaks are chosen.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Breaks {
    /// Equal numbers of areas per class.
    #[default]
    Quantile,
    /// Classes of equal width between minimum and maximum.
    Equal,
    /// Natural breaks (Fisher–Jenks: least squared deviation within classes).
    JenksLite,
    /// Breaks given in `manual_breaks`.
    Manual,
}

/// How a map figure is drawn.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct MapSpec {
    /// Province or district areas (default province).
    pub level: MapLevel,
    /// Number of classes, 2–9 (default 5). Ignored for `manual` breaks.
    pub classes: usize,
    /// How breaks are chosen (default quantile).
    pub breaks: Breaks,
    /// For `manual`: upper bounds of every class but the last, ascending. `[5, 20, 50]`
    /// gives four classes: ≤ 5, 5–20, 20–50, > 50.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub manual_breaks: Vec<f64>,
    /// What points are sized by. For `points` figures the default is best fatalities;
    /// on a `choropleth`, setting it overlays points.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub points: Option<Measure>,
    /// For `points` figures: also shade areas by the series measure.
    pub shade: bool,
}

impl Default for MapSpec {
    fn default() -> Self {
        MapSpec {
            level: MapLevel::Province,
            classes: 5,
            breaks: Breaks::Quantile,
            manual_breaks: Vec::new(),
            points: None,
            shade: false,
        }
    }
}

fn default_width() -> u32 {
    900
}
fn default_height() -> u32 {
    500
}

/// A figure: what to count and how to draw it. See `specs/README.md` for the format.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FigureSpec {
    /// Short name (`fig1`), unique in a report; letters, digits, `-` and `_`.
    pub id: String,
    /// Title drawn at the top.
    pub title: String,
    /// Line under the title.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subtitle: Option<String>,
    /// Caption under the figure in reports.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub caption: Option<String>,
    /// Chart or map kind.
    pub kind: FigureKind,
    /// Which records are counted.
    #[serde(default)]
    pub filters: Filters,
    /// How they become a series.
    #[serde(default)]
    pub series: SeriesSpec,
    /// Named lines, each with extra filters; empty means one line (or one per group).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub lines: Vec<LineSpec>,
    /// Edges in km of the distance bands, ascending from 0: `[0, 5, 25, 50, 100]`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub distance_bands: Vec<f64>,
    /// Markers and comparisons drawn over the chart.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub annotations: Vec<Annotation>,
    /// Map settings for `choropleth` and `points`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub map: Option<MapSpec>,
    /// Width in px (default 900).
    #[serde(default = "default_width")]
    pub width: u32,
    /// Height in px (default 500).
    #[serde(default = "default_height")]
    pub height: u32,
}

impl FigureSpec {
    /// Parses and checks a spec. Errors name the key, line and column.
    pub fn from_toml_str(src: &str) -> Result<FigureSpec, SpecError> {
        let spec: FigureSpec = toml::from_str(src).map_err(|e| SpecError::from_toml(src, e))?;
        spec.validate("")?;
        Ok(spec)
    }

    /// Starts a spec in code (the dashboard's own charts, tests): `id`, `title` and
    /// `kind`, every other field at its spec-file default (900 × 500 px, no filters,
    /// incidents per week). [`FigureSpecBuilder::build`] validates it as
    /// [`FigureSpec::from_toml_str`] does.
    ///
    /// ```
    /// use sitrep_model::figure::{FigureKind, FigureSpec};
    /// let s = FigureSpec::builder("trend", "Incidents per month", FigureKind::Line)
    ///     .size(900, 360)
    ///     .subtitle("All sources")
    ///     .build()
    ///     .unwrap();
    /// assert_eq!((s.width, s.height), (900, 360));
    /// assert!(FigureSpec::builder("", "t", FigureKind::Line).build().is_err());
    /// ```
    pub fn builder(
        id: impl Into<String>,
        title: impl Into<String>,
        kind: FigureKind,
    ) -> FigureSpecBuilder {
        FigureSpecBuilder {
            spec: FigureSpec {
                id: id.into(),
                title: title.into(),
                subtitle: None,
                caption: None,
                kind,
                filters: Filters::default(),
                series: SeriesSpec::default(),
                lines: Vec::new(),
                distance_bands: Vec::new(),
                annotations: Vec::new(),
                map: None,
                width: default_width(),
                height: default_height(),
            },
        }
    }

    /// The spec as TOML (round-trips through [`FigureSpec::from_toml_str`]).
    pub fn to_toml_string(&self) -> String {
        toml::to_string(self).expect("a figure spec always serialises")
    }

    /// Replaces the spec's date range where `from` / `to` are given and, when either
    /// is, says so in the subtitle (the title may name the spec's own period, and a
    /// reader must not take the figure for it).
    pub fn replace_period(&mut self, from: Option<NaiveDate>, to: Option<NaiveDate>) {
        if from.is_none() && to.is_none() {
            return;
        }
        if from.is_some() {
            self.filters.from = from;
        }
        if to.is_some() {
            self.filters.to = to;
        }
        let day = |d: Option<NaiveDate>, open: &str| d.map_or(open.to_string(), |d| d.to_string());
        let span = format!(
            "Period replaced: {} to {}",
            day(self.filters.from, "start"),
            day(self.filters.to, "end")
        );
        self.subtitle = Some(match self.subtitle.take() {
            Some(s) => format!("{s} — {span}"),
            None => span,
        });
    }

    /// Drops the period-comparison annotations.
    pub fn drop_comparisons(&mut self) {
        self.annotations
            .retain(|a| !matches!(a, Annotation::Compare { .. }));
    }

    /// The map settings, or the defaults when the spec gives none.
    pub fn map_or_default(&self) -> MapSpec {
        self.map.clone().unwrap_or_default()
    }

    /// Labels of [`FigureSpec::distance_bands`]: `0–5 km`, …, `100+ km`.
    pub fn distance_band_labels(&self) -> Vec<String> {
        distance_band_labels(&self.distance_bands)
    }

    /// The comparisons among the annotations.
    pub fn comparisons(&self) -> impl Iterator<Item = (&Period, &Period, &str)> {
        self.annotations.iter().filter_map(|a| match a {
            Annotation::Compare { a, b, label } => Some((a, b, label.as_str())),
            Annotation::Vline { .. } => None,
        })
    }

    /// Checks values the TOML reader cannot; `prefix` is the key path of the spec
    /// itself (empty at the top of a file, `sections[0].figure_specs[1]` in a report).
    pub fn validate(&self, prefix: &str) -> Result<(), SpecError> {
        let k = |leaf: &str| join_key(prefix, leaf);
        if self.id.is_empty()
            || !self
                .id
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        {
            return Err(SpecError::invalid(
                k("id"),
                format!(
                    "{:?} must be non-empty letters, digits, `-` or `_`",
                    self.id
                ),
            ));
        }
        if self.title.trim().is_empty() {
            return Err(SpecError::invalid(k("title"), "must not be empty"));
        }
        self.filters.validate(&k("filters"))?;
        if let Some(s) = &self.series.share_of {
            s.validate(&k("series.share_of"))?;
        }
        if self.series.smooth == Some(0) {
            return Err(SpecError::invalid(
                k("series.smooth"),
                "must be 1 or more buckets",
            ));
        }
        if self.series.top == Some(0) {
            return Err(SpecError::invalid(
                k("series.top"),
                "must be 1 or more groups",
            ));
        }
        for (i, line) in self.lines.iter().enumerate() {
            if line.label.trim().is_empty() {
                return Err(SpecError::invalid(
                    k(&format!("lines[{i}].label")),
                    "must not be empty",
                ));
            }
            line.filters.validate(&k(&format!("lines[{i}].filters")))?;
        }
        if !self.lines.is_empty() && self.series.by != GroupBy::None {
            return Err(SpecError::invalid(
                k("series.by"),
                "use either `lines` or `series.by`, not both",
            ));
        }
        let edges = &self.distance_bands;
        if edges.iter().any(|e| !e.is_finite() || *e < 0.0)
            || edges.windows(2).any(|w| w[1] <= w[0])
        {
            return Err(SpecError::invalid(
                k("distance_bands"),
                "edges must be non-negative km in strictly ascending order, e.g. [0, 5, 25, 50, 100]",
            ));
        }
        if self.series.by == GroupBy::DistanceBand && edges.is_empty() {
            return Err(SpecError::invalid(
                k("distance_bands"),
                "`series.by = \"distance_band\"` needs band edges, e.g. distance_bands = [0, 5, 25, 50, 100]",
            ));
        }
        if let Some(m) = &self.map {
            if m.breaks == Breaks::Manual {
                if m.manual_breaks.is_empty() || m.manual_breaks.windows(2).any(|w| w[1] <= w[0]) {
                    return Err(SpecError::invalid(
                        k("map.manual_breaks"),
                        "`breaks = \"manual\"` needs ascending upper bounds, e.g. [5, 20, 50]",
                    ));
                }
                if m.manual_breaks.len() > 8 {
                    return Err(SpecError::invalid(
                        k("map.manual_breaks"),
                        "at most 8 breaks (9 classes)",
                    ));
                }
            } else if !(2..=9).contains(&m.classes) {
                return Err(SpecError::invalid(
                    k("map.classes"),
                    format!("must be 2–9, found {}", m.classes),
                ));
            }
        }
        if !(300..=4000).contains(&self.width) {
            return Err(SpecError::invalid(
                k("width"),
                format!("must be 300–4000 px, found {}", self.width),
            ));
        }
        if !(200..=4000).contains(&self.height) {
            return Err(SpecError::invalid(
                k("height"),
                format!("must be 200–4000 px, found {}", self.height),
            ));
        }
        for (i, a) in self.annotations.iter().enumerate() {
            let (Annotation::Vline { label, .. } | Annotation::Compare { label, .. }) = a;
            if label.trim().is_empty() {
                return Err(SpecError::invalid(
                    k(&format!("annotations[{i}].label")),
                    "must not be empty",
                ));
            }
        }
        Ok(())
    }
}

/// Labels for distance-band edges in km: `[0, 5, 25]` gives `0–5 km`, `5–25 km`,
/// `25+ km`.
pub fn distance_band_labels(edges: &[f64]) -> Vec<String> {
    let n = |v: f64| {
        if v.fract() == 0.0 {
            format!("{}", v as i64)
        } else {
            format!("{v}")
        }
    };
    edges
        .iter()
        .enumerate()
        .map(|(i, e)| match edges.get(i + 1) {
            Some(next) => format!("{}–{} km", n(*e), n(*next)),
            None => format!("{}+ km", n(*e)),
        })
        .collect()
}

/// Index of the band a distance falls in (lower edge included), `None` below the
/// first edge or for a missing distance.
pub fn distance_band_of(edges: &[f64], km: f64) -> Option<usize> {
    if !km.is_finite() {
        return None;
    }
    edges.iter().rposition(|e| km >= *e)
}

// ---------------------------------------------------------------------------------
// Reports
// ---------------------------------------------------------------------------------

/// One section of a report.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct SectionSpec {
    /// Section heading.
    pub heading: String,
    /// The analyst's text: paragraphs separated by blank lines, `- ` lists,
    /// `**bold**`, `*italic*`.
    pub prose: String,
    /// Figures by id (bundled spec name such as `fig1`, or a spec file path), in order.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub figures: Vec<String>,
    /// Figures defined inline (`[[sections.figure_specs]]`), after `figures`.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub figure_specs: Vec<FigureSpec>,
    /// Ids of figures whose data is shown as an open table (other figures' data sits
    /// in a collapsed table under the figure).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub tables: Vec<String>,
}

/// A report: prose sections with figures and tables, and a methods section.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReportSpec {
    /// Report title.
    pub title: String,
    /// Author line.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub author: Option<String>,
    /// Date of the report.
    #[serde(default, with = "opt_date", skip_serializing_if = "Option::is_none")]
    pub date: Option<NaiveDate>,
    /// Filters laid over every figure's ([`Filters::merged`]), e.g. a date range.
    #[serde(default)]
    pub filters: Filters,
    /// Sections in order.
    #[serde(default)]
    pub sections: Vec<SectionSpec>,
}

impl ReportSpec {
    /// Parses and checks a report spec, including its inline figures.
    pub fn from_toml_str(src: &str) -> Result<ReportSpec, SpecError> {
        let spec: ReportSpec = toml::from_str(src).map_err(|e| SpecError::from_toml(src, e))?;
        if spec.title.trim().is_empty() {
            return Err(SpecError::invalid("title", "must not be empty"));
        }
        spec.filters.validate("filters")?;
        for (i, s) in spec.sections.iter().enumerate() {
            for (j, f) in s.figure_specs.iter().enumerate() {
                f.validate(&format!("sections[{i}].figure_specs[{j}]"))?;
            }
        }
        Ok(spec)
    }

    /// Every figure id the report refers to, in order of appearance.
    pub fn figure_ids(&self) -> Vec<String> {
        let mut ids = Vec::new();
        for s in &self.sections {
            for id in s
                .figures
                .iter()
                .cloned()
                .chain(s.figure_specs.iter().map(|f| f.id.clone()))
            {
                if !ids.contains(&id) {
                    ids.push(id);
                }
            }
        }
        ids
    }
}

// ---------------------------------------------------------------------------------
// Computed data
// ---------------------------------------------------------------------------------

/// Everything a renderer needs to draw one figure; computed by analysis.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct FigureData {
    /// The time series, for chart kinds.
    pub series: Option<SeriesFrame>,
    /// Values per area, for choropleths (and shaded point maps).
    pub areas: Option<AreaValues>,
    /// Points, for point maps.
    pub points: Vec<MapPoint>,
    /// The computed `compare` annotations, in spec order.
    pub comparisons: Vec<Comparison>,
    /// Change points of the series' lines, when `series.changes` asks.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub breaks: Vec<ChartBreak>,
    /// Where the numbers come from.
    pub provenance: FigureProvenance,
}

/// Builds a [`FigureSpec`] in code; see [`FigureSpec::builder`].
#[derive(Debug, Clone)]
#[must_use]
pub struct FigureSpecBuilder {
    spec: FigureSpec,
}

impl FigureSpecBuilder {
    /// Width and height in px.
    pub fn size(mut self, width: u32, height: u32) -> Self {
        self.spec.width = width;
        self.spec.height = height;
        self
    }
    /// The line under the title.
    pub fn subtitle(mut self, s: impl Into<String>) -> Self {
        self.spec.subtitle = Some(s.into());
        self
    }
    /// The caption under the figure.
    pub fn caption(mut self, s: impl Into<String>) -> Self {
        self.spec.caption = Some(s.into());
        self
    }
    /// Which incidents count.
    pub fn filters(mut self, f: Filters) -> Self {
        self.spec.filters = f;
        self
    }
    /// How the series is bucketed, measured and grouped.
    pub fn series(mut self, s: SeriesSpec) -> Self {
        self.spec.series = s;
        self
    }
    /// Map options.
    pub fn map(mut self, m: MapSpec) -> Self {
        self.spec.map = Some(m);
        self
    }
    /// The spec, validated as a spec file is.
    pub fn build(self) -> Result<FigureSpec, SpecError> {
        self.spec.validate("")?;
        Ok(self.spec)
    }
}

/// Series lines on shared buckets.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct SeriesFrame {
    /// The bucket.
    pub bucket: Bucket,
    /// The measure.
    pub measure: Measure,
    /// First day of each bucket; every line has one value per start. A covered
    /// bucket with no events is 0; a bucket no selected source covers is `None`.
    pub starts: Vec<NaiveDate>,
    /// The lines (one per [`LineSpec`] or group).
    pub lines: Vec<SeriesLine>,
    /// How each bucket is covered by the selected sources (one per start).
    #[serde(default)]
    pub coverage: Vec<BucketCoverage>,
}

impl SeriesFrame {
    /// Sum of every plotted value of every line (buckets without coverage add
    /// nothing).
    pub fn total(&self) -> f64 {
        self.lines
            .iter()
            .flat_map(|l| l.values.iter().flatten())
            .sum()
    }

    /// How the whole frame is covered: complete when every bucket is, none when no
    /// bucket is, partial otherwise (share weighted by days).
    pub fn overall_coverage(&self) -> BucketCoverage {
        BucketCoverage::combine(&self.coverage)
    }
}

/// One line of a series.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct SeriesLine {
    /// Legend label.
    pub label: String,
    /// Plotted values (after smoothing, cumulation, shares); `None` where no
    /// selected source covers the bucket (a gap, never a zero).
    pub values: Vec<Option<f64>>,
    /// Lower edge of the fatality band, for fatality measures (`None` where not
    /// covered).
    pub low: Option<Vec<Option<f64>>>,
    /// Upper edge of the fatality band, per bucket; `None` in a bucket where a
    /// counted record has no high estimate (ACLED gives none), so no upper bound can
    /// be stated there.
    pub high: Option<Vec<Option<f64>>>,
    /// Values before smoothing (equal to `values` when not smoothed).
    pub raw_values: Vec<Option<f64>>,
}

/// Values per map area.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct AreaValues {
    /// Province or district.
    pub level: MapLevel,
    /// One row per area (areas with nothing counted are present with zeros when the
    /// period is covered, with `None` when it is not).
    pub rows: Vec<AreaValue>,
    /// How the period is covered by the selected sources.
    #[serde(default)]
    pub coverage: BucketCoverage,
}

/// One area's numbers.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct AreaValue {
    /// ISO 3166-2 code (`AF-KAB`) or district code.
    pub code: String,
    /// Name.
    pub name: String,
    /// The value shaded (the series measure); `None` when no selected source covers
    /// the period there ("no data", never the 0 class).
    pub value: Option<f64>,
    /// Incidents counted.
    pub incidents: u64,
    /// Sum of low fatality estimates, if known.
    pub fatalities_low: Option<u64>,
    /// Sum of best fatality estimates, if known.
    pub fatalities_best: Option<u64>,
    /// Sum of high fatality estimates, if known (unknown if any record lacks one).
    pub fatalities_high: Option<u64>,
}

/// One point on a map (an incident or a place's total).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct MapPoint {
    /// WGS84 latitude.
    pub lat: f64,
    /// WGS84 longitude.
    pub lon: f64,
    /// The value the point is sized by.
    pub value: f64,
    /// Hover text (place, date).
    pub label: String,
}

/// A computed period comparison: weekly rate in `a` against `b`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Comparison {
    /// The spec's label.
    pub label: String,
    /// Period of interest.
    pub a: Period,
    /// Baseline period.
    pub b: Period,
    /// Weekly rate in `a`.
    pub rate_a: f64,
    /// Weekly rate in `b`.
    pub rate_b: f64,
    /// `rate_a / rate_b`.
    pub ratio: f64,
    /// Lower end of the 95% interval of the ratio.
    pub ci_low: f64,
    /// Upper end of the 95% interval of the ratio.
    pub ci_high: f64,
    /// Measure total in `a`.
    pub count_a: f64,
    /// Measure total in `b`.
    pub count_b: f64,
    /// Weeks in `a`.
    pub weeks_a: f64,
    /// Weeks in `b`.
    pub weeks_b: f64,
    /// How `a` is covered by the selected sources.
    #[serde(default)]
    pub coverage_a: BucketCoverage,
    /// How `b` is covered.
    #[serde(default)]
    pub coverage_b: BucketCoverage,
    /// What a reader must know before trusting the ratio (partial coverage).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<String>,
}

impl Comparison {
    /// One sentence: `Weekly rate 15 Aug 2021–15 Jun 2022 vs a year earlier: 0.21×
    /// (95% CI 0.19–0.23)`.
    pub fn describe(&self) -> String {
        let base = if self.a.shifted_years(1) == self.b {
            "a year earlier".to_string()
        } else {
            self.b.human()
        };
        format!(
            "Weekly rate {} vs {base}: {:.2}× (95% CI {:.2}–{:.2})",
            self.a.human(),
            self.ratio,
            self.ci_low,
            self.ci_high
        )
    }
}

/// A source behind a figure.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct SourceRef {
    /// Name given at ingest (`ucdp-ged251`).
    pub name: String,
    /// Full citation.
    pub citation: String,
    /// Dataset version (`25.1`), if known.
    pub version: Option<String>,
    /// When it was ingested.
    pub ingested_at: Option<DateTime<Utc>>,
}

impl SourceRef {
    /// The citation a known source asks for: UCDP GED's article, or ACLED's access
    /// note (ACLED's terms allow publishing aggregates with the access date).
    /// Other sources get their name.
    pub fn standard_citation(name: &str, accessed: Option<NaiveDate>) -> String {
        let n = name.to_ascii_lowercase();
        if n.contains("ucdp") || n.contains("ged") {
            "Sundberg, Ralph and Erik Melander (2013) Introducing the UCDP Georeferenced Event \
             Dataset, Journal of Peace Research 50(4)"
                .to_string()
        } else if n.contains("acled") {
            match accessed {
                Some(d) => format!("ACLED data, accessed {d}; aggregates only"),
                None => "ACLED data, access date unknown; aggregates only".to_string(),
            }
        } else {
            name.to_string()
        }
    }
}

/// Where a figure's numbers come from.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct FigureProvenance {
    /// Sources with citations and versions.
    pub sources: Vec<SourceRef>,
    /// The filters applied, human-readable ([`Filters::describe`]).
    pub filters: String,
    /// Records counted.
    pub record_count: u64,
    /// Records left out, by reason (`imprecise location`, count).
    pub excluded: Vec<(String, u64)>,
    /// Date of the latest event in the data.
    pub data_date: Option<NaiveDate>,
    /// How the figure's period is covered by the selected sources.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub coverage: Option<BucketCoverage>,
    /// When the period is not fully covered: one sentence saying so, for the
    /// subtitle and footer ("Sources cover 15% of this period; no data after
    /// 31 Dec 2020.").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub coverage_note: Option<String>,
    /// When the figure data was computed.
    pub generated_at: Option<DateTime<Utc>>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn err(src: &str) -> SpecError {
        FigureSpec::from_toml_str(src).unwrap_err()
    }

    const HEAD: &str = "id = \"f\"\ntitle = \"T\"\nkind = \"line\"\n";

    #[test]
    fn errors_name_the_key() {
        let e = err("id = \"f\"\ntitle = \"T\"\nkind = \"pie\"\n");
        assert_eq!(e.key(), Some("kind"), "{e}");
        assert!(e.to_string().contains("line 3"), "{e}");

        let e = err(&format!("{HEAD}[filters]\nfrom = \"2021-13-01\"\n"));
        assert_eq!(e.key(), Some("filters.from"), "{e}");

        let e = err(&format!("{HEAD}[filters]\nto = 2021-08-15T10:00:00\n"));
        assert_eq!(e.key(), Some("filters.to"), "{e}");

        let e = err(&format!("{HEAD}[series]\nbucket = \"fortnight\"\n"));
        assert_eq!(e.key(), Some("series.bucket"), "{e}");

        let e = err(&format!("{HEAD}colour = \"red\"\n"));
        assert_eq!(e.key(), Some("colour"), "{e}");

        let e = err(&format!("{HEAD}[seires]\nbucket = \"week\"\n"));
        assert_eq!(e.key(), Some("seires"), "{e}");

        let e = err(&format!("{HEAD}[filters]\nactor = [\"nrf\"]\n"));
        assert_eq!(e.key(), Some("filters.actor"), "{e}");

        let e = err(&format!("{HEAD}[[lines]]\nlabel = \"a\"\n[[lines]]\nlabel = \"b\"\nfilters = {{ actors = [\"x\"], role = \"c\" }}\n"));
        assert_eq!(e.key(), Some("lines[1].filters.role"), "{e}");

        let e = err(&format!(
            "{HEAD}[filters]\nevent_types = [\n  \"battle\",\n  \"bombing\",\n]\n"
        ));
        assert_eq!(e.key(), Some("filters.event_types"), "{e}");

        let e = err("title = \"T\"\nkind = \"line\"\n");
        assert_eq!(e.key(), Some("id"), "{e}");

        let e = err(&format!("{HEAD}[[annotations]]\nkind = \"compare\"\na = \"2021-08-15..2020-06-15\"\nb = \"2020-08-15..2021-06-15\"\nlabel = \"x\"\n"));
        assert!(e.to_string().contains("ends before it starts"), "{e}");
        assert!(e.key().unwrap_or("").starts_with("annotations"), "{e}");

        let e = err(&format!(
            "{HEAD}[filters]\nfrom = 2022-01-01\nto = 2021-01-01\n"
        ));
        assert_eq!(e.key(), Some("filters.to"), "{e}");

        let e = err(&format!("{HEAD}[filters]\nmin_geo_precision = 7\n"));
        assert_eq!(e.key(), Some("filters.min_geo_precision"), "{e}");

        let e = err(&format!("{HEAD}[series]\nby = \"distance_band\"\n"));
        assert_eq!(e.key(), Some("distance_bands"), "{e}");
    }

    #[test]
    fn round_trips_and_merges() {
        let spec = FigureSpec::from_toml_str(&format!(
            "{HEAD}distance_bands = [0, 5, 25]\n[filters]\nfrom = 2020-09-01\nactors = [\"nrf\"]\n[[annotations]]\nkind = \"compare\"\na = \"2021-08-15..2022-06-15\"\nb = \"2020-08-15..2021-06-15\"\nlabel = \"fall\"\n"
        ))
        .unwrap();
        let again = FigureSpec::from_toml_str(&spec.to_toml_string()).unwrap();
        assert_eq!(spec, again);
        assert_eq!(spec.distance_band_labels(), ["0–5 km", "5–25 km", "25+ km"]);
        assert_eq!(distance_band_of(&spec.distance_bands, 5.0), Some(1));
        assert_eq!(distance_band_of(&spec.distance_bands, 400.0), Some(2));
        let over = Filters {
            actors: vec!["is-kp".into()],
            ..Filters::default()
        };
        let m = spec.filters.merged(&over);
        assert_eq!(m.actors, ["is-kp"]);
        assert_eq!(m.from, spec.filters.from);
        assert_eq!(
            m.describe(),
            "from 2020-09-01; actors: is-kp (either side, with factions)"
        );
        let (a, b, _) = spec.comparisons().next().unwrap();
        assert_eq!(a.shifted_years(1), *b);
        assert_eq!(a.days(), 305);
    }

    #[test]
    fn comparison_sentence() {
        let c = Comparison {
            label: "x".into(),
            a: "2021-08-15..2022-06-15".parse().unwrap(),
            b: "2020-08-15..2021-06-15".parse().unwrap(),
            rate_a: 1.0,
            rate_b: 4.8,
            ratio: 0.2083,
            ci_low: 0.19,
            ci_high: 0.234,
            count_a: 43.0,
            count_b: 209.0,
            weeks_a: 43.6,
            weeks_b: 43.6,
            coverage_a: BucketCoverage::default(),
            coverage_b: BucketCoverage::default(),
            warnings: Vec::new(),
        };
        assert_eq!(
            c.describe(),
            "Weekly rate 15 Aug 2021–15 Jun 2022 vs a year earlier: 0.21× (95% CI 0.19–0.23)"
        );
    }

    #[test]
    fn no_input_panics() {
        // Every one-character deletion and a few insertions of a full spec: parsing
        // either succeeds or returns an error; finding the key never panics.
        let src = "id = \"fig3\"\ntitle = \"NRF – IS-KP\"\nkind = \"line\"\n[filters]\nfrom = 2021-08-15\nevent_types = [\n  \"battle\",\n]\n[[lines]]\nlabel = \"NRF\"\nfilters = { actors = [\"nrf\"], role = \"a\" }\n[[annotations]]\nkind = \"compare\"\na = \"2021-08-15..2022-06-15\"\nb = \"2020-08-15..2021-06-15\"\nlabel = \"x\"\n[map]\nclasses = 5\n";
        FigureSpec::from_toml_str(src).unwrap();
        for (i, c) in src.char_indices() {
            let mut cut = src.to_string();
            cut.replace_range(i..i + c.len_utf8(), "");
            let _ = FigureSpec::from_toml_str(&cut).map_err(|e| e.to_string());
            for ins in ["\"", "=", "[", "{", "\n", "é"] {
                let mut more = src.to_string();
                more.insert_str(i, ins);
                let _ = FigureSpec::from_toml_str(&more).map_err(|e| e.to_string());
            }
        }
    }

    #[test]
    fn report_spec_parses() {
        let r = ReportSpec::from_toml_str(
            "title = \"R\"\ndate = 2022-07-20\n[filters]\nfrom = 2019-09-01\n[[sections]]\nheading = \"A\"\nprose = \"x\"\nfigures = [\"fig1\"]\n[[sections.figure_specs]]\nid = \"own\"\ntitle = \"Own\"\nkind = \"bars\"\n",
        )
        .unwrap();
        assert_eq!(r.figure_ids(), ["fig1", "own"]);
        let e = ReportSpec::from_toml_str(
            "title = \"R\"\n[[sections]]\nheading = \"A\"\n[[sections.figure_specs]]\nid = \"own\"\ntitle = \"Own\"\nkind = \"bars\"\nwidth = 10\n",
        )
        .unwrap_err();
        assert_eq!(e.key(), Some("sections[0].figure_specs[0].width"), "{e}");
    }
}
