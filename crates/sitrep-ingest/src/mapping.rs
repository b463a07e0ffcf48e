//! Any CSV through a mapping file (TOML): column → field, date formats, constants and
//! value maps. The format is documented in `mappings/README.md`.
//!
//! A mapping without `source_event_id` reads files that have no event ids: each row's id
//! is then derived from its content, a BLAKE3 hash of its verbatim field values, and its
//! occurrence among identical rows of the file (`row-<24 hex digits>-1` for the first
//! copy, `-2` for the second, ...). Re-reading a file gives the same ids, so re-ingesting
//! it changes nothing, and two identical rows stay two events: a file without ids cannot
//! say they are one. A row edited in a later copy of the file is a new event (its id
//! changes) and the old row stays; only a source's own ids can express an update.

use crate::adapter::{Adapter, Confidence, Header, Mapped, Row, RowMapper};
use crate::fields::{parse_date, parse_int, Check};
use crate::{FieldError, IngestError};
use chrono::NaiveDate;
use serde::Deserialize;
use sitrep_model::{DatePrecision, EventType, GeoPrecision, Provenance, Record, VersionKind};
use std::borrow::Cow;
use std::cell::RefCell;
use std::collections::{BTreeMap, HashMap};
use std::path::Path;

/// Mappings shipped with sitrep, by file name.
const BUNDLED: [(&str, &str); 4] = [
    (
        "ucdp-ged-subset14",
        include_str!("../../../mappings/ucdp-ged-subset14.toml"),
    ),
    (
        "curated-afg",
        include_str!("../../../mappings/curated-afg.toml"),
    ),
    (
        "ucdp-ged231-tableau",
        include_str!("../../../mappings/ucdp-ged231-tableau.toml"),
    ),
    (
        "insecurity-insight-afg",
        include_str!("../../../mappings/insecurity-insight-afg.toml"),
    ),
];

/// The fields a mapping may fill.
const FIELDS: [&str; 25] = [
    "source_event_id",
    "version",
    "date_start",
    "date_end",
    "date_precision",
    "latitude",
    "longitude",
    "geo_precision",
    "country",
    "admin1",
    "admin2",
    "location",
    "event_type",
    "sub_event_type",
    "source_event_type",
    "actor1",
    "actor2",
    "assoc_actor1",
    "assoc_actor2",
    "conflict",
    "fatalities_low",
    "fatalities_best",
    "fatalities_high",
    "civilian_deaths",
    "notes",
];

/// Positions in [`FIELDS`]: a bound mapping keeps its fields in an array, so a row
/// reads a field without looking its name up.
mod f {
    pub const SOURCE_EVENT_ID: usize = 0;
    pub const VERSION: usize = 1;
    pub const DATE_START: usize = 2;
    pub const DATE_END: usize = 3;
    pub const DATE_PRECISION: usize = 4;
    pub const LATITUDE: usize = 5;
    pub const LONGITUDE: usize = 6;
    pub const GEO_PRECISION: usize = 7;
    pub const COUNTRY: usize = 8;
    pub const ADMIN1: usize = 9;
    pub const ADMIN2: usize = 10;
    pub const LOCATION: usize = 11;
    pub const EVENT_TYPE: usize = 12;
    pub const SUB_EVENT_TYPE: usize = 13;
    pub const SOURCE_EVENT_TYPE: usize = 14;
    pub const ACTOR1: usize = 15;
    pub const ACTOR2: usize = 16;
    pub const ASSOC_ACTOR1: usize = 17;
    pub const ASSOC_ACTOR2: usize = 18;
    pub const CONFLICT: usize = 19;
    pub const FATALITIES_LOW: usize = 20;
    pub const FATALITIES_BEST: usize = 21;
    pub const FATALITIES_HIGH: usize = 22;
    pub const CIVILIAN_DEATHS: usize = 23;
    pub const NOTES: usize = 24;
}

/// How one field is filled.
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub enum FieldSpec {
    /// The value of one column, verbatim.
    Column(String),
    /// A fuller description.
    Spec {
        /// One column.
        column: Option<String>,
        /// Several columns joined with `sep` (default `-`), e.g. year, month, day.
        columns: Option<Vec<String>>,
        /// Separator for `columns`.
        sep: Option<String>,
        /// A fixed value for every row.
        constant: Option<String>,
        /// chrono format for dates (default: ISO and common forms).
        format: Option<String>,
        /// Value map: source value → field value (exact, then case-insensitive).
        map: Option<BTreeMap<String, String>>,
        /// Value used when the map has no entry (otherwise the row is rejected).
        default: Option<String>,
    },
}

/// A mapping file: how the columns of some CSV become record fields.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Mapping {
    /// Short name (`mapping:NAME`).
    pub name: String,
    /// What the mapped files are.
    #[serde(default)]
    pub description: String,
    /// Default `--source` for records read through this mapping.
    pub source: Option<String>,
    /// Columns whose presence identifies this layout for `--format auto`.
    #[serde(default)]
    pub detect: Vec<String>,
    /// Field → how to fill it.
    pub fields: BTreeMap<String, FieldSpec>,
    /// `[[claims]]` rules: how claim columns become claims. Read by sitrep-claims
    /// after the records are stored; kept opaque here.
    #[serde(default)]
    pub claims: Vec<toml::Table>,
    /// `[coverage]`: what files of this layout cover (see [`crate::coverage`]).
    pub coverage: Option<crate::coverage::CoverageTable>,
    /// The checked coverage statement.
    #[serde(skip)]
    checked_coverage: Option<sitrep_model::Coverage>,
    #[serde(skip)]
    adapter_label: String,
}

/// The mappings compiled into sitrep.
pub fn bundled_mappings() -> Vec<Mapping> {
    BUNDLED
        .iter()
        .map(|(name, text)| {
            Mapping::from_toml(text, &format!("<bundled {name}>")).expect("bundled mapping parses")
        })
        .collect()
}

impl Mapping {
    /// Parses a mapping and checks its field names.
    pub fn from_toml(text: &str, file: &str) -> Result<Mapping, IngestError> {
        let merr = |message: String| IngestError::Mapping {
            file: file.to_string(),
            message,
        };
        let mut m: Mapping = toml::from_str(text).map_err(|e| merr(e.to_string()))?;
        for (field, spec) in &m.fields {
            if !FIELDS.contains(&field.as_str()) {
                return Err(merr(format!(
                    "unknown field `{field}` in [fields]; known fields: {}",
                    FIELDS.join(", ")
                )));
            }
            if let FieldSpec::Spec {
                column,
                columns,
                constant,
                ..
            } = spec
            {
                let n = usize::from(column.is_some())
                    + usize::from(columns.is_some())
                    + usize::from(constant.is_some());
                if n != 1 {
                    return Err(merr(format!(
                        "field `{field}` needs exactly one of `column`, `columns` or `constant`"
                    )));
                }
            }
        }
        if !m.fields.contains_key("date_start") {
            let id = if m.fields.contains_key("source_event_id") {
                ""
            } else {
                " (`source_event_id` may be left out: ids are then derived from each row's content)"
            };
            return Err(merr(format!(
                "[fields] has no `date_start`, and every record needs the day its event began; add e.g. `date_start = \"date\"` (a column in YYYY-MM-DD), `date_start = {{ column = \"when\", format = \"%d/%m/%Y\" }}` or `date_start = {{ columns = [\"year\", \"month\", \"day\"] }}`{id}"
            )));
        }
        if let Some(c) = &m.coverage {
            m.checked_coverage =
                Some(c.to_coverage(file, sitrep_model::coverage::CoverageOrigin::Mapping)?);
        }
        m.adapter_label = format!("mapping:{}", m.name);
        Ok(m)
    }

    /// Loads a mapping from a file, or a bundled one by name.
    pub fn resolve(path: &Path) -> Result<Mapping, IngestError> {
        let label = path.display().to_string();
        match std::fs::read_to_string(path) {
            Ok(text) => Mapping::from_toml(&text, &label),
            Err(e) => {
                let stem = label.trim_end_matches(".toml");
                if let Some(m) = bundled_mappings().into_iter().find(|m| m.name == stem) {
                    return Ok(m);
                }
                let names: Vec<String> = bundled_mappings().into_iter().map(|m| m.name).collect();
                Err(IngestError::Mapping {
                    file: label,
                    message: format!(
                        "cannot read it ({e}); bundled mappings: {}",
                        names.join(", ")
                    ),
                })
            }
        }
    }
}

enum Src {
    Col(usize),
    Cols(Vec<usize>, String),
    Const(String),
}

struct Bound {
    src: Src,
    /// The first column used, for error positions.
    col: Option<usize>,
    format: Option<String>,
    map: Option<BTreeMap<String, String>>,
    default: Option<String>,
}

struct MappingRows {
    name: String,
    source: String,
    file: String,
    /// Indexed by position in [`FIELDS`] (see [`f`]).
    fields: Vec<Option<Bound>>,
    /// Without a `source_event_id` field: how often each row content (its hash) has
    /// been read so far in this file. Rows are mapped one at a time in file order, so
    /// occurrence numbers follow the file.
    derived: Option<RefCell<HashMap<[u8; DERIVED_BYTES], u32>>>,
}

/// Bytes of the content hash in a derived id (96 bits: no collision is expected below
/// ~10^14 distinct rows).
const DERIVED_BYTES: usize = 12;

/// The id of a row without a source id: `row-<hash of its field values>-<occurrence>`.
fn derived_id(fields: &[&str], seen: &RefCell<HashMap<[u8; DERIVED_BYTES], u32>>) -> String {
    let mut h = blake3::Hasher::new();
    for v in fields {
        // Length-prefixed, so that no two different rows hash the same bytes.
        h.update(&(v.len() as u64).to_le_bytes());
        h.update(v.as_bytes());
    }
    let mut key = [0u8; DERIVED_BYTES];
    key.copy_from_slice(&h.finalize().as_bytes()[..DERIVED_BYTES]);
    let mut seen = seen.borrow_mut();
    let n = seen.entry(key).or_insert(0);
    *n += 1;
    let mut id = String::with_capacity(4 + 2 * DERIVED_BYTES + 11);
    id.push_str("row-");
    for b in key {
        id.push(char::from_digit(u32::from(b >> 4), 16).expect("a hex digit"));
        id.push(char::from_digit(u32::from(b & 0xf), 16).expect("a hex digit"));
    }
    id.push('-');
    id.push_str(&n.to_string());
    id
}

impl Adapter for Mapping {
    // The adapter's name is `mapping:NAME`, deliberately not the mapping's own `name`.
    #[allow(clippy::misnamed_getters)]
    fn name(&self) -> &str {
        &self.adapter_label
    }
    fn default_source(&self) -> String {
        self.source.clone().unwrap_or_else(|| self.name.clone())
    }
    fn coverage(&self) -> Option<sitrep_model::Coverage> {
        self.checked_coverage.clone()
    }
    fn sniff(&self, h: &Header) -> Confidence {
        let cols: Vec<&str> = self.detect.iter().map(String::as_str).collect();
        if !cols.is_empty() && h.has_all(&cols) {
            95
        } else {
            0
        }
    }
    fn bind(&self, h: &Header, file: &str) -> Result<Box<dyn RowMapper>, IngestError> {
        let mut fields: Vec<Option<Bound>> = FIELDS.iter().map(|_| None).collect();
        let mut missing = Vec::new();
        for (field, spec) in &self.fields {
            let mut col_of = |name: &str| match h.get(name) {
                Some(i) => Some(i),
                None => {
                    let hint = h
                        .closest(name)
                        .map(|c| format!(" (did you mean `{c}`?)"))
                        .unwrap_or_default();
                    missing.push(format!("`{name}` for {field}{hint}"));
                    None
                }
            };
            let bound = match spec {
                FieldSpec::Column(c) => col_of(c).map(|i| Bound {
                    src: Src::Col(i),
                    col: Some(i),
                    format: None,
                    map: None,
                    default: None,
                }),
                FieldSpec::Spec {
                    column,
                    columns,
                    sep,
                    constant,
                    format,
                    map,
                    default,
                } => {
                    let src = if let Some(c) = column {
                        col_of(c).map(Src::Col)
                    } else if let Some(cs) = columns {
                        let idx: Vec<Option<usize>> = cs.iter().map(|c| col_of(c)).collect();
                        idx.into_iter()
                            .collect::<Option<Vec<_>>>()
                            .map(|v| Src::Cols(v, sep.clone().unwrap_or_else(|| "-".into())))
                    } else {
                        constant.clone().map(Src::Const)
                    };
                    src.map(|src| {
                        let col = match &src {
                            Src::Col(i) => Some(*i),
                            Src::Cols(v, _) => v.first().copied(),
                            Src::Const(_) => None,
                        };
                        Bound {
                            src,
                            col,
                            format: format.clone(),
                            map: map.clone(),
                            default: default.clone(),
                        }
                    })
                }
            };
            if let Some(b) = bound {
                let at = FIELDS
                    .iter()
                    .position(|n| n == field)
                    .expect("field names are checked when the mapping is read");
                fields[at] = Some(b);
            }
        }
        if !missing.is_empty() {
            return Err(IngestError::MissingColumns {
                file: file.into(),
                adapter: self.adapter_label.clone(),
                missing: missing.join(", "),
                hint: String::new(),
            });
        }
        Ok(Box::new(MappingRows {
            name: self.adapter_label.clone(),
            source: self.default_source(),
            file: file.into(),
            derived: fields[f::SOURCE_EVENT_ID]
                .is_none()
                .then(|| RefCell::new(HashMap::new())),
            fields,
        }))
    }
    fn layout_doc(&self) -> &str {
        &self.description
    }
}

impl MappingRows {
    fn bound(&self, field: usize) -> Option<&Bound> {
        self.fields[field].as_ref()
    }

    /// The mapped string value of a field; `None` when absent or empty. Borrowed from
    /// the row or the mapping unless columns are joined.
    fn value<'x>(&'x self, c: &mut Check<'_, 'x>, field: usize) -> Option<Cow<'x, str>> {
        let b = self.bound(field)?;
        let v: Cow<'x, str> = match &b.src {
            Src::Col(i) => Cow::Borrowed(c.row.at(*i)),
            Src::Cols(cols, sep) => Cow::Owned(
                cols.iter()
                    .map(|i| c.row.at(*i))
                    .collect::<Vec<_>>()
                    .join(sep),
            ),
            Src::Const(s) => Cow::Borrowed(s.as_str()),
        };
        let v = match &b.map {
            None => v,
            Some(map) => match map.get(v.as_ref()).or_else(|| {
                map.iter()
                    .find(|(k, _)| k.eq_ignore_ascii_case(&v))
                    .map(|(_, x)| x)
            }) {
                Some(x) => Cow::Borrowed(x.as_str()),
                None => match &b.default {
                    Some(d) => Cow::Borrowed(d.as_str()),
                    None => {
                        let name = FIELDS[field];
                        c.err(b.col.unwrap_or(0), format!("value {v:?} has no entry in the mapping's [fields.{name}.map]; add it or set `default`"));
                        return None;
                    }
                },
            },
        };
        let v = match v {
            Cow::Borrowed(s) => Cow::Borrowed(s.trim()),
            Cow::Owned(s) if s.trim().len() == s.len() => Cow::Owned(s),
            Cow::Owned(s) => Cow::Owned(s.trim().to_string()),
        };
        (!v.is_empty()).then_some(v)
    }

    /// [`MappingRows::value`] as an owned string (for a record field).
    fn text<'x>(&'x self, c: &mut Check<'_, 'x>, field: usize) -> Option<String> {
        self.value(c, field).map(Cow::into_owned)
    }

    fn col(&self, field: usize) -> Option<usize> {
        self.bound(field).and_then(|b| b.col)
    }

    fn date<'x>(&'x self, c: &mut Check<'_, 'x>, field: usize) -> Option<NaiveDate> {
        let v = self.value(c, field)?;
        let fmt = self.bound(field).and_then(|b| b.format.as_deref());
        let parsed = match fmt {
            Some("%Y-%m-%d") => crate::fields::parse_ymd(v.as_bytes())
                .or_else(|| NaiveDate::parse_from_str(&v, "%Y-%m-%d").ok()),
            Some(f) => NaiveDate::parse_from_str(&v, f).ok(),
            None => parse_date(&v),
        };
        if parsed.is_none() {
            let want = fmt.unwrap_or("YYYY-MM-DD");
            let name = FIELDS[field];
            c.err(
                self.col(field).unwrap_or(0),
                format!("{name}: expected a date as {want}, found {v:?}"),
            );
        }
        parsed
    }

    fn int<'x>(&'x self, c: &mut Check<'_, 'x>, field: usize) -> Option<i64> {
        let v = self.value(c, field)?;
        let p = parse_int(&v);
        if p.is_none() {
            let name = FIELDS[field];
            c.err(
                self.col(field).unwrap_or(0),
                format!("{name}: expected an integer, found {v:?}"),
            );
        }
        p
    }

    fn count<'x>(&'x self, c: &mut Check<'_, 'x>, field: usize) -> Option<u64> {
        let v = self.int(c, field)?;
        if v < 0 {
            let name = FIELDS[field];
            c.err(
                self.col(field).unwrap_or(0),
                format!("{name}: expected zero or more, found {v}"),
            );
            return None;
        }
        Some(v as u64)
    }

    fn coord<'x>(&'x self, c: &mut Check<'_, 'x>, field: usize, limit: f64) -> Option<f64> {
        let v = self.value(c, field)?;
        match v.parse::<f64>() {
            Ok(x) if x.is_finite() && x.abs() <= limit => Some(x),
            _ => {
                let name = FIELDS[field];
                c.err(
                    self.col(field).unwrap_or(0),
                    format!("{name}: expected a decimal within -{limit}..{limit}, found {v:?}"),
                );
                None
            }
        }
    }
}

impl RowMapper for MappingRows {
    fn map(&self, row: &Row<'_>) -> Result<Mapped, Vec<FieldError>> {
        self.map_row(row)
    }
}

impl MappingRows {
    /// [`RowMapper::map`], with the row and the mapping at one lifetime so that field
    /// values can borrow from either.
    fn map_row<'x>(&'x self, row: &'x Row<'x>) -> Result<Mapped, Vec<FieldError>> {
        let mut c = Check::new(row);
        let id = match &self.derived {
            Some(seen) => Some(derived_id(row.fields, seen)),
            None => self.text(&mut c, f::SOURCE_EVENT_ID),
        };
        if id.is_none() {
            c.err(
                self.col(f::SOURCE_EVENT_ID).unwrap_or(0),
                "source_event_id is empty; every row needs one",
            );
        }
        let start = self.date(&mut c, f::DATE_START);
        if start.is_none() && c.errors.is_empty() {
            c.err(self.col(f::DATE_START).unwrap_or(0), "date_start is empty");
        }
        // An empty end date is the start date (a one-day event), as when the mapping
        // has no `date_end`; never the default day (1970-01-01), before the start.
        let end = if self.bound(f::DATE_END).is_some() {
            self.date(&mut c, f::DATE_END).or(start)
        } else {
            start
        };
        if let (Some(s), Some(e)) = (start, end) {
            if e < s {
                c.err(
                    self.col(f::DATE_END).unwrap_or(0),
                    format!("date_end {e} is before date_start {s}"),
                );
            }
        }
        let date_precision = match self.value(&mut c, f::DATE_PRECISION) {
            None => DatePrecision::Day,
            Some(v) => DatePrecision::parse(&v).unwrap_or_else(|| {
                c.err(
                    self.col(f::DATE_PRECISION).unwrap_or(0),
                    format!("date_precision: expected day, week, month or year (1-4), found {v:?}"),
                );
                DatePrecision::Longer
            }),
        };
        let geo_precision = match self.value(&mut c, f::GEO_PRECISION) {
            None => GeoPrecision::Point,
            Some(v) => v
                .parse::<u8>()
                .ok()
                .and_then(GeoPrecision::from_code)
                .unwrap_or_else(|| {
                    c.err(
                        self.col(f::GEO_PRECISION).unwrap_or(0),
                        format!("geo_precision: expected 1-5, found {v:?}"),
                    );
                    GeoPrecision::Country
                }),
        };
        let et = self.value(&mut c, f::EVENT_TYPE);
        let event_type = match &et {
            None => EventType::Other,
            Some(v) => EventType::parse(v).unwrap_or_else(|| {
                c.err(self.col(f::EVENT_TYPE).unwrap_or(0), format!("event_type: {v:?} is not a common type; map it with [fields.event_type.map] to one of battle, explosion, violence_against_civilians, protest, riot, strategic_development, other"));
                EventType::Other
            }),
        };
        let lat = self.coord(&mut c, f::LATITUDE, 90.0);
        let lon = self.coord(&mut c, f::LONGITUDE, 180.0);
        let low = self.count(&mut c, f::FATALITIES_LOW);
        let best = self.count(&mut c, f::FATALITIES_BEST);
        let high = self.count(&mut c, f::FATALITIES_HIGH);
        let fatalities = c.fatalities(
            low,
            best,
            high,
            [
                self.col(f::FATALITIES_LOW),
                self.col(f::FATALITIES_BEST),
                self.col(f::FATALITIES_HIGH),
            ],
        );
        let version = match self.int(&mut c, f::VERSION) {
            Some(ts) => VersionKind::Timestamp(ts),
            None => VersionKind::Sequence,
        };
        let source_event_type = self
            .text(&mut c, f::SOURCE_EVENT_TYPE)
            .or_else(|| {
                self.bound(f::EVENT_TYPE).and_then(|b| match b.src {
                    Src::Col(i) => Some(row.at(i).to_string()),
                    _ => None,
                })
            })
            .unwrap_or_default();
        let record = Record {
            source: self.source.clone(),
            source_event_id: id.unwrap_or_default(),
            version,
            date_start: start.unwrap_or_default(),
            date_end: end.unwrap_or_default(),
            date_precision,
            latitude: lat,
            longitude: lon,
            geo_precision,
            country: self.text(&mut c, f::COUNTRY),
            admin1: self.text(&mut c, f::ADMIN1),
            admin2: self.text(&mut c, f::ADMIN2),
            location: self.text(&mut c, f::LOCATION),
            event_type,
            sub_event_type: self.text(&mut c, f::SUB_EVENT_TYPE),
            source_event_type,
            actor1: self.text(&mut c, f::ACTOR1),
            actor2: self.text(&mut c, f::ACTOR2),
            assoc_actor1: self.text(&mut c, f::ASSOC_ACTOR1),
            assoc_actor2: self.text(&mut c, f::ASSOC_ACTOR2),
            conflict: self.text(&mut c, f::CONFLICT),
            fatalities,
            civilian_deaths: self.count(&mut c, f::CIVILIAN_DEATHS),
            notes: self.text(&mut c, f::NOTES),
            raw: row.raw_json(),
            quality: c.take_notes(),
            provenance: Provenance {
                file: self.file.clone(),
                line: row.line,
                format: self.name.clone(),
            },
        };
        c.finish(Mapped::Record(Box::new(record)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{read_file, CollectSink, Format, Summary};
    use std::collections::HashSet;
    use std::path::PathBuf;

    fn repo(rel: &str) -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../..")
            .join(rel)
    }

    /// A file in a directory of this test run's own.
    fn scratch(test: &str, name: &str, text: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("sitrep-ingest-{}-{test}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let p = dir.join(name);
        std::fs::write(&p, text).unwrap();
        p
    }

    fn read(data: &Path, mapping: &Path) -> (Summary, CollectSink) {
        let mut sink = CollectSink::default();
        let s = read_file(data, &Format::Mapping(mapping.to_path_buf()), &mut sink).unwrap();
        (s, sink)
    }

    #[test]
    fn issue16_rows_without_ids_keep_every_row_with_stable_ids() {
        // REAL rows: the GED 21.1 Afghanistan subset with its `id` column cut off, read
        // through the bundled subset mapping without `source_event_id`. Without ids,
        // some real rows are identical (same day, place, sides and deaths); one row is
        // also repeated right after itself.
        let text =
            std::fs::read_to_string(repo("data/ucdp/ged211_afghanistan_subset.csv")).unwrap();
        // No field of the subset spans lines and `id` (first) is digits, so cutting each
        // line at its first comma drops the column.
        let mut lines: Vec<&str> = text
            .lines()
            .map(|l| {
                let (id, rest) = l.split_once(',').unwrap();
                assert!(id == "id" || id.bytes().all(|b| b.is_ascii_digit()), "{l}");
                rest
            })
            .collect();
        let twice = lines[100]; // physical line 101
        lines.insert(101, twice); // line 102
        let data = scratch("no-ids", "ged211_no_id.csv", &(lines.join("\n") + "\n"));
        let mapping_text = BUNDLED[0]
            .1
            .replace("source_event_id = \"id\"\n", "")
            .replace("detect = [\"id\", ", "detect = [");
        assert!(!mapping_text.contains("source_event_id"));
        let mapping = scratch("no-ids", "no-ids.toml", &mapping_text);

        // Independently: data rows are the lines after the header; a line equal to an
        // earlier one is a repeat.
        let data_rows = lines.len() - 1;
        let mut copies: HashMap<&str, usize> = HashMap::new();
        let mut repeats = 0;
        for l in &lines[1..] {
            let n = copies.entry(l).or_insert(0);
            *n += 1;
            if *n > 1 {
                repeats += 1;
            }
        }
        // The added copy and the real rows that are alike without their ids.
        assert_eq!(repeats, 50);

        let (s, first) = read(&data, &mapping);
        assert!(first.errors.is_empty(), "{:?}", first.errors.first());
        assert_eq!(s.rows, data_rows as u64);
        assert_eq!(first.records.len(), data_rows, "every row is kept");
        let ids: Vec<&str> = first
            .records
            .iter()
            .map(|r| r.source_event_id.as_str())
            .collect();
        assert_eq!(
            ids.iter().collect::<HashSet<_>>().len(),
            data_rows,
            "ids are distinct"
        );
        assert_eq!(
            ids.iter().filter(|id| !id.ends_with("-1")).count(),
            repeats,
            "a later copy of a row gets the next occurrence number"
        );

        // The repeated row: lines 101 and 102, the same content hash, the next number.
        let at = |line: u64| {
            first
                .records
                .iter()
                .find(|r| r.provenance.line == line)
                .unwrap()
                .source_event_id
                .clone()
        };
        let earlier = lines[1..100].iter().filter(|l| **l == twice).count();
        let (a, b) = (at(101), at(102));
        let (hash_a, n_a) = a.rsplit_once('-').unwrap();
        let (hash_b, n_b) = b.rsplit_once('-').unwrap();
        assert_eq!(hash_a, hash_b);
        assert_eq!(hash_a.len(), "row-".len() + 24);
        assert_eq!(n_a, (earlier + 1).to_string());
        assert_eq!(n_b, (earlier + 2).to_string());

        // Read again: the same ids, row for row.
        let (_, second) = read(&data, &mapping);
        let again: Vec<&str> = second
            .records
            .iter()
            .map(|r| r.source_event_id.as_str())
            .collect();
        assert_eq!(again, ids);
        std::fs::remove_dir_all(data.parent().unwrap()).unwrap();
    }

    #[test]
    fn an_empty_end_date_is_the_start_date() {
        // Found by fuzzing (tests/fuzz.rs, quarantine): a row whose `date_end` column
        // was empty was stored ending on 1970-01-01, before its start.
        let m = Mapping::from_toml(
            "name = \"x\"\n[fields]\nsource_event_id = \"id\"\ndate_start = \"from\"\ndate_end = \"to\"\n",
            "x.toml",
        )
        .unwrap();
        let mut sink = CollectSink::default();
        let csv = "id,from,to\n1,2021-08-15,\n2,2021-08-15,  \n3,2021-08-15,2021-08-17\n";
        let mut rdr = crate::prepare("d.csv", csv.as_bytes(), &Format::Auto).err();
        assert!(
            rdr.take().is_some(),
            "no adapter detects it without the mapping"
        );
        let header = Header::new(vec!["id".into(), "from".into(), "to".into()]);
        let mapper = m.bind(&header, "d.csv").unwrap();
        for (line, fields) in csv.lines().skip(1).enumerate() {
            let fields: Vec<&str> = fields.split(',').collect();
            let row = Row {
                file: "d.csv",
                line: line as u64 + 2,
                fields: &fields,
                header: &header,
            };
            match mapper.map(&row) {
                Ok(Mapped::Record(r)) => sink.records.push(*r),
                other => panic!("{other:?}"),
            }
        }
        let ends: Vec<String> = sink
            .records
            .iter()
            .map(|r| r.date_end.to_string())
            .collect();
        assert_eq!(ends, ["2021-08-15", "2021-08-15", "2021-08-17"]);
    }

    #[test]
    fn a_mapping_without_a_start_date_says_what_to_add() {
        let e = Mapping::from_toml("name = \"x\"\n[fields]\nlatitude = \"lat\"\n", "x.toml")
            .unwrap_err();
        assert_eq!(
            e.to_string(),
            "x.toml: invalid mapping: [fields] has no `date_start`, and every record needs the day its event began; add e.g. `date_start = \"date\"` (a column in YYYY-MM-DD), `date_start = { column = \"when\", format = \"%d/%m/%Y\" }` or `date_start = { columns = [\"year\", \"month\", \"day\"] }` (`source_event_id` may be left out: ids are then derived from each row's content)"
        );
        let e = Mapping::from_toml(
            "name = \"x\"\n[fields]\nsource_event_id = \"id\"\n",
            "x.toml",
        )
        .unwrap_err();
        assert!(
            e.to_string()
                .ends_with("`date_start = { columns = [\"year\", \"month\", \"day\"] }`"),
            "{e}"
        );
        // Without source_event_id but with a start date, the mapping is valid.
        Mapping::from_toml("name = \"x\"\n[fields]\ndate_start = \"d\"\n", "x.toml").unwrap();
    }
}
