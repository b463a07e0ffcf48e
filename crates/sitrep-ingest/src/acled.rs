//! ACLED exports and deletion lists.
//!
//! The export has 31 columns in two layouts: the current one (`disorder_type`,
//! `civilian_targeting`, `tags`, dates as `YYYY-MM-DD`) and the pre-2023 one (`data_id`,
//! `event_id_no_cnty`, `iso3`, dates as `14 May 2022`). Both are read by column name.
//! `timestamp` orders versions: a row with a larger timestamp supersedes the stored
//! one. A deletion list has `event_id_cnty` and `deleted_timestamp`.
//!
//! ACLED gives one fatality figure, a conservative estimate: it becomes low = best =
//! the figure, with no stated upper bound.

use crate::adapter::{Adapter, Confidence, Header, Mapped, Row, RowMapper};
use crate::fields::Check;
use crate::{FieldError, IngestError};
use sitrep_model::{
    DatePrecision, EventType, Fatalities, GeoPrecision, Provenance, Record, VersionKind,
};

const REQUIRED: [&str; 7] = [
    "event_id_cnty",
    "event_date",
    "event_type",
    "actor1",
    "country",
    "fatalities",
    "timestamp",
];

/// The ACLED export adapter.
pub struct Acled;
/// The ACLED deletion-list adapter.
pub struct AcledDeletions;

struct Cols {
    id: usize,
    date: usize,
    etype: usize,
    actor1: usize,
    country: usize,
    fatalities: usize,
    timestamp: usize,
    time_prec: Option<usize>,
    sub: Option<usize>,
    assoc1: Option<usize>,
    actor2: Option<usize>,
    assoc2: Option<usize>,
    admin1: Option<usize>,
    admin2: Option<usize>,
    location: Option<usize>,
    lat: Option<usize>,
    lon: Option<usize>,
    geo_prec: Option<usize>,
    notes: Option<usize>,
    civ_target: Option<usize>,
    file: String,
}

fn missing_err(h: &Header, file: &str, adapter: &str, required: &[&str]) -> Option<IngestError> {
    let missing = h.missing(required);
    if missing.is_empty() {
        return None;
    }
    let hint = missing
        .iter()
        .find_map(|m| {
            h.closest(m)
                .map(|c| format!("; found `{c}`: did you mean `{m}`?"))
        })
        .unwrap_or_default();
    Some(IngestError::MissingColumns {
        file: file.into(),
        adapter: adapter.into(),
        missing: missing.join(", "),
        hint,
    })
}

impl Adapter for Acled {
    fn name(&self) -> &str {
        "acled"
    }
    fn sniff(&self, h: &Header) -> Confidence {
        if h.has_all(&REQUIRED) {
            100
        } else if h.has_all(&["event_id_cnty", "event_date"]) {
            50
        } else {
            0
        }
    }
    fn bind(&self, h: &Header, file: &str) -> Result<Box<dyn RowMapper>, IngestError> {
        if let Some(e) = missing_err(h, file, self.name(), &REQUIRED) {
            return Err(e);
        }
        let g = |n: &str| h.get(n).expect("checked");
        Ok(Box::new(Cols {
            id: g("event_id_cnty"),
            date: g("event_date"),
            etype: g("event_type"),
            actor1: g("actor1"),
            country: g("country"),
            fatalities: g("fatalities"),
            timestamp: g("timestamp"),
            time_prec: h.get("time_precision"),
            sub: h.get("sub_event_type"),
            assoc1: h.get("assoc_actor_1"),
            actor2: h.get("actor2"),
            assoc2: h.get("assoc_actor_2"),
            admin1: h.get("admin1"),
            admin2: h.get("admin2"),
            location: h.get("location"),
            lat: h.get("latitude"),
            lon: h.get("longitude"),
            geo_prec: h.get("geo_precision"),
            notes: h.get("notes"),
            civ_target: h.get("civilian_targeting"),
            file: file.into(),
        }))
    }
    fn layout_doc(&self) -> &str {
        "ACLED export, 31 columns (current layout or pre-2023 with data_id/iso3); versions ordered by `timestamp`"
    }
}

impl RowMapper for Cols {
    fn map(&self, row: &Row<'_>) -> Result<Mapped, Vec<FieldError>> {
        let mut c = Check::new(row);
        let id = c.required(self.id, "event_id_cnty");
        let date = c.date(self.date);
        let ts = c.int(Some(self.timestamp));
        if ts.is_none() && row.at(self.timestamp).is_empty() {
            c.err(
                self.timestamp,
                "timestamp is empty; ACLED rows need it to order versions",
            );
        }
        let et_raw = row.at(self.etype);
        let event_type = EventType::parse(et_raw).unwrap_or(EventType::Other);
        let date_precision = match c.int(self.time_prec) {
            None => DatePrecision::Day,
            Some(v) => DatePrecision::from_acled(v).unwrap_or_else(|| {
                c.err(
                    self.time_prec.unwrap_or(0),
                    format!("time_precision must be 1-3, found {v}"),
                );
                DatePrecision::Month
            }),
        };
        let geo_precision = match c.int(self.geo_prec) {
            None => GeoPrecision::Point,
            Some(v) => GeoPrecision::from_acled(v).unwrap_or_else(|| {
                c.err(
                    self.geo_prec.unwrap_or(0),
                    format!("geo_precision must be 1-3, found {v}"),
                );
                GeoPrecision::Country
            }),
        };
        let lat = c.coord(self.lat, 90.0, "latitude");
        let lon = c.coord(self.lon, 180.0, "longitude");
        let f = c.count(Some(self.fatalities));
        let civilian = c.text(self.civ_target).is_some();
        let record = Record {
            source: "acled".into(),
            source_event_id: id,
            version: VersionKind::Timestamp(ts.unwrap_or(0)),
            date_start: date.unwrap_or_default(),
            date_end: date.unwrap_or_default(),
            date_precision,
            latitude: lat,
            longitude: lon,
            geo_precision,
            country: c.text(Some(self.country)),
            admin1: c.text(self.admin1),
            admin2: c.text(self.admin2),
            location: c.text(self.location),
            event_type,
            sub_event_type: c.text(self.sub),
            source_event_type: et_raw.to_string(),
            actor1: c.text(Some(self.actor1)),
            actor2: c.text(self.actor2),
            assoc_actor1: c.text(self.assoc1),
            assoc_actor2: c.text(self.assoc2),
            conflict: None,
            fatalities: f
                .map(Fatalities::conservative)
                .unwrap_or(Fatalities::UNKNOWN),
            // ACLED flags civilian targeting but does not split fatalities; only a
            // civilian-targeting event's deaths are civilian deaths.
            civilian_deaths: if civilian { f } else { None },
            notes: c.text(self.notes),
            raw: row.raw_json(),
            quality: c.take_notes(),
            provenance: Provenance {
                file: self.file.clone(),
                line: row.line,
                format: "acled".into(),
            },
        };
        c.finish(Mapped::Record(Box::new(record)))
    }
}

struct DelCols {
    id: usize,
    ts: usize,
}

impl Adapter for AcledDeletions {
    fn name(&self) -> &str {
        "acled-deletions"
    }
    fn default_source(&self) -> String {
        "acled".into()
    }
    fn sniff(&self, h: &Header) -> Confidence {
        if h.has_all(&["event_id_cnty", "deleted_timestamp"]) {
            100
        } else {
            0
        }
    }
    fn bind(&self, h: &Header, file: &str) -> Result<Box<dyn RowMapper>, IngestError> {
        if let Some(e) = missing_err(
            h,
            file,
            self.name(),
            &["event_id_cnty", "deleted_timestamp"],
        ) {
            return Err(e);
        }
        Ok(Box::new(DelCols {
            id: h.get("event_id_cnty").expect("checked"),
            ts: h.get("deleted_timestamp").expect("checked"),
        }))
    }
    fn layout_doc(&self) -> &str {
        "ACLED deletion list: event_id_cnty, deleted_timestamp"
    }
}

impl RowMapper for DelCols {
    fn map(&self, row: &Row<'_>) -> Result<Mapped, Vec<FieldError>> {
        let mut c = Check::new(row);
        let id = c.required(self.id, "event_id_cnty");
        let ts = c.int(Some(self.ts));
        if ts.is_none() && row.at(self.ts).is_empty() {
            c.err(self.ts, "deleted_timestamp is empty");
        }
        c.finish(Mapped::Deletion {
            source_event_id: id,
            deleted_at: ts.unwrap_or(0),
            line: row.line,
        })
    }
}
