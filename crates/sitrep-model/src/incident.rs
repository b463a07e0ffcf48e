//! What a reader of the store gets back about incidents, as values rather than rows:
//! one incident as the incident list shows it ([`IncidentRow`]), the orders that list
//! can be sorted in ([`IncidentOrder`]), a page of it ([`IncidentPage`]), the headline
//! numbers of a filter ([`Totals`]), counts per place ([`PlaceCounts`]) and compact
//! map points ([`MapPoint`]). The store's typed reads answer with these; the server
//! and the CLI present them.

use crate::counts::Counts;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

crate::answer_struct! {
    /// One incident as the incident list shows it: every column of the store's
    /// `incidents` view but the verbatim `raw` row and the source's `notes`. Fields are in
    /// the view's column order ([`IncidentRow::COLUMNS`]).
    #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
    pub struct IncidentRow {
        /// The record the incident takes its values from (its primary record).
        pub record_id: String,
        /// Source (e.g. `ucdp-ged`).
        pub source: String,
        /// The source's own event id.
        pub source_event_id: String,
        /// Version of the source record (1 = first seen).
        pub version: i64,
        /// First day.
        pub date_start: NaiveDate,
        /// Last day.
        pub date_end: NaiveDate,
        /// Date precision code (1 = day … 5 = year).
        pub date_precision: i32,
        /// Latitude (WGS 84), when the source gives a point.
        pub latitude: Option<f64>,
        /// Longitude (WGS 84).
        pub longitude: Option<f64>,
        /// Geographic precision code (1 = exact … 6 = country).
        pub geo_precision: i32,
        /// Country as the source names it.
        pub country: Option<String>,
        /// The source's first-level administrative unit.
        pub admin1: Option<String>,
        /// The source's second-level administrative unit.
        pub admin2: Option<String>,
        /// The source's place name.
        pub location: Option<String>,
        /// Event type of sitrep's common taxonomy.
        pub event_type: String,
        /// The source's sub-event type, where it has one.
        pub sub_event_type: Option<String>,
        /// The source's own event type.
        pub source_event_type: String,
        /// Side A as the source wrote it.
        pub actor1: Option<String>,
        /// Side B as the source wrote it.
        pub actor2: Option<String>,
        /// The source's conflict or dyad name.
        pub conflict: Option<String>,
        /// Low fatality estimate.
        pub fatalities_low: Option<i64>,
        /// Best fatality estimate.
        pub fatalities_best: Option<i64>,
        /// High fatality estimate (ACLED gives none).
        pub fatalities_high: Option<i64>,
        /// Civilian deaths, where the source counts them.
        pub civilian_deaths: Option<i64>,
        /// ISO 3166-2 province code (sitrep's geocoding).
        pub province_code: Option<String>,
        /// Province name.
        pub province_name: Option<String>,
        /// District.
        pub district: Option<String>,
        /// Region of the gazetteer's default grouping.
        pub region: Option<String>,
        /// Nearest provincial capital.
        pub capital_name: Option<String>,
        /// Great-circle distance to it, km.
        pub capital_distance_km: Option<f64>,
        /// Side A's actor registry id (None: unresolved).
        pub actor1_id: Option<String>,
        /// Side B's actor registry id.
        pub actor2_id: Option<String>,
        /// Side A's id with factions rolled up to their parent.
        pub actor1_root: Option<String>,
        /// Side B's id with factions rolled up to their parent.
        pub actor2_root: Option<String>,
    }
}

impl IncidentRow {
    /// The columns, in order (the CSV header of the incident list).
    pub const COLUMNS: [&'static str; 34] = [
        "record_id",
        "source",
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
        "conflict",
        "fatalities_low",
        "fatalities_best",
        "fatalities_high",
        "civilian_deaths",
        "province_code",
        "province_name",
        "district",
        "region",
        "capital_name",
        "capital_distance_km",
        "actor1_id",
        "actor2_id",
        "actor1_root",
        "actor2_root",
    ];
}

/// The orders of the incident list; the record id breaks ties so pages are stable.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum IncidentOrder {
    /// Oldest first.
    #[serde(rename = "date_start")]
    DateAsc,
    /// Newest first (the default).
    #[default]
    #[serde(rename = "-date_start")]
    DateDesc,
    /// Fewest fatalities (best estimate) first, unknown last.
    #[serde(rename = "fatalities_best")]
    FatalitiesAsc,
    /// Most fatalities first, unknown last.
    #[serde(rename = "-fatalities_best")]
    FatalitiesDesc,
    /// By province name (unplaced last), then newest first.
    #[serde(rename = "province_name")]
    Province,
}

impl IncidentOrder {
    /// Every order's name, as URLs and `--sort` spell it (`-` = descending).
    pub const NAMES: [&'static str; 5] = [
        "date_start",
        "-date_start",
        "fatalities_best",
        "-fatalities_best",
        "province_name",
    ];

    /// The order named `name` (one of [`IncidentOrder::NAMES`]).
    pub fn from_name(name: &str) -> Option<IncidentOrder> {
        Some(match name {
            "date_start" => IncidentOrder::DateAsc,
            "-date_start" => IncidentOrder::DateDesc,
            "fatalities_best" => IncidentOrder::FatalitiesAsc,
            "-fatalities_best" => IncidentOrder::FatalitiesDesc,
            "province_name" => IncidentOrder::Province,
            _ => return None,
        })
    }

    /// The name (one of [`IncidentOrder::NAMES`]).
    pub fn as_str(self) -> &'static str {
        match self {
            IncidentOrder::DateAsc => "date_start",
            IncidentOrder::DateDesc => "-date_start",
            IncidentOrder::FatalitiesAsc => "fatalities_best",
            IncidentOrder::FatalitiesDesc => "-fatalities_best",
            IncidentOrder::Province => "province_name",
        }
    }
}

/// One page of the incident list.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IncidentPage {
    /// Incidents the filter selects (all pages).
    pub total: i64,
    /// This page's incidents.
    pub rows: Vec<IncidentRow>,
}

crate::answer_struct! {
    /// The headline numbers of a filter.
    #[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
    pub struct Totals {
        /// Counts and fatality sums.
        #[serde(flatten)]
        pub counts: Counts,
        /// First day of a selected incident (`YYYY-MM-DD`).
        pub first: Option<String>,
        /// Last first-day of a selected incident.
        pub last: Option<String>,
        /// Sources among the selected incidents.
        pub sources: i64,
    }
}

crate::answer_struct! {
    /// Counts of one place (a province code or a district name; `None`: the incidents
    /// not placed at that level).
    #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
    pub struct PlaceCounts {
        /// The place.
        pub place: Option<String>,
        /// Its counts.
        pub counts: Counts,
    }
}

crate::answer_struct! {
    /// One incident as a point of the interactive map.
    #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
    pub struct MapPoint {
        /// Primary record id.
        pub record_id: String,
        /// First day.
        pub date: NaiveDate,
        /// Latitude, when located.
        pub lat: Option<f64>,
        /// Longitude, when located.
        pub lon: Option<f64>,
        /// Event type.
        pub event_type: String,
        /// Best fatality estimate.
        pub fatalities_best: Option<i64>,
        /// Side A's registry id.
        pub actor1_id: Option<String>,
        /// Side B's registry id.
        pub actor2_id: Option<String>,
        /// The source's place name.
        pub location: Option<String>,
    }
}

impl MapPoint {
    /// The fields, in order (the map API sends points as arrays in this order).
    pub const COLUMNS: [&'static str; 9] = [
        "record_id",
        "date",
        "lat",
        "lon",
        "event_type",
        "fatalities_best",
        "actor1_id",
        "actor2_id",
        "location",
    ];
}

crate::answer_struct! {
    /// One actor name as the records write it, with how often it occurs (e.g. the names
    /// that do not resolve to a registry actor).
    #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
    pub struct NameCount {
        /// The name as the source writes it.
        pub name: String,
        /// The records' country.
        pub country: Option<String>,
        /// A date the name occurs on (the first; for date-scoped aliases).
        pub date: Option<NaiveDate>,
        /// Number of records.
        pub count: u64,
    }
}

crate::answer_struct! {
    /// How well the store's incidents are placed (`sitrep places check`).
    #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
    pub struct PlaceCheck {
        /// Incidents.
        pub incidents: i64,
        /// With a province.
        pub with_province: i64,
        /// Percentage with a province (2 decimals).
        pub pct_with_province: f64,
        /// Points inside their province's outline.
        pub inside: i64,
        /// Points snapped to the nearest province (just outside every outline).
        pub snapped: i64,
        /// Points outside the country.
        pub outside: i64,
        /// Records without a point.
        pub no_point: i64,
        /// Records whose source admin1 could be compared with the point's province.
        pub admin1_comparable: i64,
        /// Of those, how many name another province.
        pub admin1_disagrees: i64,
        /// With a distance to the nearest provincial capital.
        pub with_capital_distance: i64,
    }
}

/// One current record's verbatim source row, for rules that read a source's own
/// columns (e.g. claims of responsibility in ACLED's notes).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SourceRow {
    /// The source's event id.
    pub source_event_id: String,
    /// The row as stored: a JSON object of the file's columns, as text.
    pub raw: String,
    /// First day.
    pub date: Option<NaiveDate>,
    /// Country as the source names it.
    pub country: Option<String>,
}

/// Side A of one current record, by registry id (None: unresolved).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RecordSide {
    /// Source.
    pub source: String,
    /// The source's event id.
    pub source_event_id: String,
    /// Side A's registry id.
    pub actor1_id: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn orders_round_trip_by_name_and_serde() {
        for n in IncidentOrder::NAMES {
            let o = IncidentOrder::from_name(n).unwrap();
            assert_eq!(o.as_str(), n);
            assert_eq!(serde_json::to_value(o).unwrap(), serde_json::json!(n));
        }
        assert_eq!(IncidentOrder::from_name("date"), None);
        assert_eq!(IncidentOrder::default(), IncidentOrder::DateDesc);
    }

    #[test]
    fn row_columns_are_the_serialized_field_order() {
        let row = IncidentRow {
            record_id: "r".into(),
            source: "s".into(),
            source_event_id: "1".into(),
            version: 1,
            date_start: NaiveDate::from_ymd_opt(2020, 1, 2).unwrap(),
            date_end: NaiveDate::from_ymd_opt(2020, 1, 2).unwrap(),
            date_precision: 1,
            latitude: None,
            longitude: None,
            geo_precision: 1,
            country: None,
            admin1: None,
            admin2: None,
            location: None,
            event_type: "battle".into(),
            sub_event_type: None,
            source_event_type: "1".into(),
            actor1: None,
            actor2: None,
            conflict: None,
            fatalities_low: None,
            fatalities_best: None,
            fatalities_high: None,
            civilian_deaths: None,
            province_code: None,
            province_name: None,
            district: None,
            region: None,
            capital_name: None,
            capital_distance_km: None,
            actor1_id: None,
            actor2_id: None,
            actor1_root: None,
            actor2_root: None,
        };
        let v = serde_json::to_value(&row).unwrap();
        let keys: Vec<&str> = v.as_object().unwrap().keys().map(String::as_str).collect();
        let mut want = IncidentRow::COLUMNS.to_vec();
        // serde_json's map is sorted unless `preserve_order` is on; compare as sets
        // and check the count, the order is checked by the API's golden files.
        let mut got = keys.clone();
        got.sort_unstable();
        want.sort_unstable();
        assert_eq!(got, want);
        assert_eq!(v["date_start"], "2020-01-02");
    }
}
