//! UCDP GED in every published layout, read by column name.
//!
//! * current (GED 20.1 onwards): 49 columns with `relid`, `code_status`, `best`/`high`/`low`;
//! * GED 19.1 and earlier: 42 columns (`low`, `best`, `high` last; no `relid`);
//! * HDX extracts: the GED 19.1 layout plus `iso3` (43 columns) and an HXL tag row;
//! * candidate files published without a header: the current 49-column order.
//!
//! Column names, not positions, drive the mapping, so a layout that adds or reorders
//! columns still reads; only the required columns must be present.

use crate::adapter::{Adapter, Confidence, Header, Mapped, Row, RowMapper};
use crate::fields::Check;
use crate::{FieldError, IngestError};
use sitrep_model::{DatePrecision, EventType, GeoPrecision, Provenance, Record, VersionKind};

/// Column order of the current 49-column GED layout (used for header-less files).
pub const GED_49: [&str; 49] = [
    "id",
    "relid",
    "year",
    "active_year",
    "code_status",
    "type_of_violence",
    "conflict_dset_id",
    "conflict_new_id",
    "conflict_name",
    "dyad_dset_id",
    "dyad_new_id",
    "dyad_name",
    "side_a_dset_id",
    "side_a_new_id",
    "side_a",
    "side_b_dset_id",
    "side_b_new_id",
    "side_b",
    "number_of_sources",
    "source_article",
    "source_office",
    "source_date",
    "source_headline",
    "source_original",
    "where_prec",
    "where_coordinates",
    "where_description",
    "adm_1",
    "adm_2",
    "latitude",
    "longitude",
    "geom_wkt",
    "priogrid_gid",
    "country",
    "country_id",
    "region",
    "event_clarity",
    "date_prec",
    "date_start",
    "date_end",
    "deaths_a",
    "deaths_b",
    "deaths_civilians",
    "deaths_unknown",
    "best",
    "high",
    "low",
    "gwnoa",
    "gwnob",
];

const REQUIRED: [&str; 8] = [
    "id",
    "type_of_violence",
    "side_a",
    "side_b",
    "latitude",
    "longitude",
    "date_start",
    "date_end",
];

/// The UCDP GED adapter.
pub struct UcdpGed;

struct Cols {
    id: usize,
    tov: usize,
    side_a: usize,
    side_b: usize,
    lat: usize,
    lon: usize,
    start: usize,
    end: usize,
    date_prec: Option<usize>,
    where_prec: Option<usize>,
    country: Option<usize>,
    adm1: Option<usize>,
    adm2: Option<usize>,
    location: Option<usize>,
    conflict: Option<usize>,
    low: Option<usize>,
    best: Option<usize>,
    high: Option<usize>,
    civ: Option<usize>,
    source: String,
    file: String,
}

impl Adapter for UcdpGed {
    fn name(&self) -> &str {
        "ucdp-ged"
    }
    fn default_source(&self) -> String {
        "ucdp".into()
    }
    fn sniff(&self, h: &Header) -> Confidence {
        if h.has_all(&REQUIRED) && (h.has_all(&["best"]) || h.has_all(&["best_est"])) {
            if h.has_all(&["relid", "where_prec"]) {
                100
            } else {
                90
            }
        } else {
            0
        }
    }
    fn bind(&self, h: &Header, file: &str) -> Result<Box<dyn RowMapper>, IngestError> {
        let mut missing = h.missing(&REQUIRED);
        if h.get("best").is_none() && h.get("best_est").is_none() {
            missing.push("best");
        }
        if !missing.is_empty() {
            let hint = missing
                .iter()
                .find_map(|m| {
                    h.closest(m)
                        .map(|c| format!("; found `{c}`: did you mean `{m}`?"))
                })
                .unwrap_or_else(|| "; is this a UCDP GED file? try --format auto".into());
            return Err(IngestError::MissingColumns {
                file: file.into(),
                adapter: self.name().into(),
                missing: missing.join(", "),
                hint,
            });
        }
        let g = |n: &str| h.get(n).expect("checked");
        Ok(Box::new(Cols {
            id: g("id"),
            tov: g("type_of_violence"),
            side_a: g("side_a"),
            side_b: g("side_b"),
            lat: g("latitude"),
            lon: g("longitude"),
            start: g("date_start"),
            end: g("date_end"),
            date_prec: h.get("date_prec"),
            where_prec: h.get("where_prec"),
            country: h.get("country"),
            adm1: h.get("adm_1"),
            adm2: h.get("adm_2"),
            location: h.get("where_coordinates"),
            conflict: h.get("conflict_name"),
            low: h.get("low").or(h.get("low_est")),
            best: h.get("best").or(h.get("best_est")),
            high: h.get("high").or(h.get("high_est")),
            civ: h.get("deaths_civilians"),
            source: self.default_source(),
            file: file.into(),
        }))
    }
    fn headerless(&self, first: &[&str]) -> Option<Vec<String>> {
        let numeric_id = !first.is_empty()
            && !first[0].is_empty()
            && first[0].trim().bytes().all(|b| b.is_ascii_digit());
        (first.len() == GED_49.len() && numeric_id)
            .then(|| GED_49.iter().map(|s| s.to_string()).collect())
    }
    fn layout_doc(&self) -> &str {
        "UCDP Georeferenced Event Dataset: 49-column current layout, 42-column GED 19.1, 43-column HDX with HXL row, header-less candidate files"
    }
}

impl RowMapper for Cols {
    fn map(&self, row: &Row<'_>) -> Result<Mapped, Vec<FieldError>> {
        let mut c = Check::new(row);
        let id = c.required(self.id, "event id");
        let start = c.date(self.start);
        let end = c.date(self.end);
        if let (Some(s), Some(e)) = (start, end) {
            if e < s {
                c.err(self.end, format!("date_end {e} is before date_start {s}"));
            }
        }
        let tov_raw = row.at(self.tov);
        let tov = EventType::from_ucdp(tov_raw);
        if tov.is_none() {
            c.err(
                self.tov,
                format!(
                    "expected 1, 2 or 3 (state-based, non-state, one-sided), found {tov_raw:?}"
                ),
            );
        }
        let lat = c.coord(Some(self.lat), 90.0, "latitude");
        let lon = c.coord(Some(self.lon), 180.0, "longitude");
        let date_precision = match c.int(self.date_prec) {
            None => DatePrecision::Day,
            Some(v) => DatePrecision::from_ucdp(v).unwrap_or_else(|| {
                c.err(
                    self.date_prec.unwrap_or(0),
                    format!("date_prec must be 1-5, found {v}"),
                );
                DatePrecision::Longer
            }),
        };
        let geo_precision = match c.int(self.where_prec) {
            None => GeoPrecision::Point,
            Some(v) => GeoPrecision::from_ucdp(v).unwrap_or_else(|| {
                c.err(
                    self.where_prec.unwrap_or(0),
                    format!("where_prec must be 1-7, found {v}"),
                );
                GeoPrecision::Country
            }),
        };
        let low = c.count(self.low);
        let best = c.count(self.best);
        let high = c.count(self.high);
        let fatalities = c.fatalities(low, best, high, [self.low, self.best, self.high]);
        let civilian_deaths = c.count(self.civ);
        let (event_type, sub) = tov.unwrap_or((EventType::Other, ""));
        let record = Record {
            source: self.source.clone(),
            source_event_id: id,
            version: VersionKind::Sequence,
            date_start: start.unwrap_or_default(),
            date_end: end.unwrap_or_default(),
            date_precision,
            latitude: lat,
            longitude: lon,
            geo_precision,
            country: c.text(self.country),
            admin1: c.text(self.adm1),
            admin2: c.text(self.adm2),
            location: c.text(self.location),
            event_type,
            sub_event_type: (!sub.is_empty()).then(|| sub.to_string()),
            source_event_type: tov_raw.to_string(),
            actor1: c.text(Some(self.side_a)),
            actor2: c.text(Some(self.side_b)),
            assoc_actor1: None,
            assoc_actor2: None,
            conflict: c.text(self.conflict),
            fatalities,
            civilian_deaths,
            notes: None,
            raw: row.raw_json(),
            quality: c.take_notes(),
            provenance: Provenance {
                file: self.file.clone(),
                line: row.line,
                format: "ucdp-ged".into(),
            },
        };
        c.finish(Mapped::Record(Box::new(record)))
    }
}
