//! The Arrow schemas of the store's tables. This is the canonical model on disk.
//!
//! `records` — one row per source record version:
//!
//! | column | type | meaning |
//! |---|---|---|
//! | `record_id` | utf8 | `source:source_event_id:version`, unique |
//! | `source` | utf8 | the source name given at ingest (`--source`) |
//! | `source_event_id` | utf8 | the source's own id (UCDP `id`, ACLED `event_id_cnty`) |
//! | `version` | int64 | 1, 2, 3… for sequenced sources; ACLED's `timestamp` |
//! | `version_kind` | utf8 | `sequence` or `timestamp` |
//! | `batch` | int64 | the batch that stored it (see `batches`) |
//! | `file`, `line` | utf8, int64 | where the row was read |
//! | `format` | utf8 | the adapter that read it |
//! | `row_hash` | utf8 | BLAKE3 (128-bit, hex) of source and verbatim row |
//! | `date_start`, `date_end` | date32 | first and last day |
//! | `date_precision` | int32 | 1 day, 2 week, 3 month, 4 longer (see `sitrep_model::DatePrecision`) |
//! | `latitude`, `longitude` | float64 | WGS84; null when the source gives none |
//! | `geo_precision` | int32 | 1 point … 5 country (see `sitrep_model::GeoPrecision`) |
//! | `country`, `admin1`, `admin2`, `location` | utf8 | as the source writes them |
//! | `event_type` | utf8 | common taxonomy (see `sitrep_model::EventType`) |
//! | `sub_event_type`, `source_event_type` | utf8 | the source's subtype and its own type, verbatim |
//! | `actor1`, `actor2`, `assoc_actor1`, `assoc_actor2` | utf8 | actor names, verbatim |
//! | `conflict` | utf8 | UCDP conflict name |
//! | `fatalities_low`, `fatalities_best`, `fatalities_high` | int64 | the range; null = not stated |
//! | `civilian_deaths` | int64 | where the source counts them |
//! | `notes` | utf8 | the source's notes |
//! | `quality` | utf8 | repairs made to normalised fields (`column: what`; `; `-separated), null if none |
//! | `raw` | utf8 | the whole source row as a JSON object, verbatim |
//!
//! `changes` — `record_id`, `batch`, `change` (`superseded` or `deleted`), `at` (the
//! superseding version or the deletion timestamp). `quarantine` — `batch`, `file`,
//! `line`, `column`, `reason`, `raw`.

use datafusion::arrow::datatypes::{DataType, Field, Schema, SchemaRef};
use std::sync::{Arc, OnceLock};

fn utf8(name: &str, nullable: bool) -> Field {
    Field::new(name, DataType::Utf8, nullable)
}

/// Schema of the `records` table.
pub fn records() -> SchemaRef {
    static S: OnceLock<SchemaRef> = OnceLock::new();
    Arc::clone(S.get_or_init(|| {
        Arc::new(Schema::new(vec![
            utf8("record_id", false),
            utf8("source", false),
            utf8("source_event_id", false),
            Field::new("version", DataType::Int64, false),
            utf8("version_kind", false),
            Field::new("batch", DataType::Int64, false),
            utf8("file", false),
            Field::new("line", DataType::Int64, false),
            utf8("format", false),
            utf8("row_hash", false),
            Field::new("date_start", DataType::Date32, false),
            Field::new("date_end", DataType::Date32, false),
            Field::new("date_precision", DataType::Int32, false),
            Field::new("latitude", DataType::Float64, true),
            Field::new("longitude", DataType::Float64, true),
            Field::new("geo_precision", DataType::Int32, false),
            utf8("country", true),
            utf8("admin1", true),
            utf8("admin2", true),
            utf8("location", true),
            utf8("event_type", false),
            utf8("sub_event_type", true),
            utf8("source_event_type", false),
            utf8("actor1", true),
            utf8("actor2", true),
            utf8("assoc_actor1", true),
            utf8("assoc_actor2", true),
            utf8("conflict", true),
            Field::new("fatalities_low", DataType::Int64, true),
            Field::new("fatalities_best", DataType::Int64, true),
            Field::new("fatalities_high", DataType::Int64, true),
            Field::new("civilian_deaths", DataType::Int64, true),
            utf8("notes", true),
            utf8("quality", true),
            utf8("raw", false),
        ]))
    }))
}

/// Schema of the `changes` table.
pub fn changes() -> SchemaRef {
    static S: OnceLock<SchemaRef> = OnceLock::new();
    Arc::clone(S.get_or_init(|| {
        Arc::new(Schema::new(vec![
            utf8("record_id", false),
            Field::new("batch", DataType::Int64, false),
            utf8("change", false),
            Field::new("at", DataType::Int64, false),
        ]))
    }))
}

/// Schema of the `quarantine` table.
pub fn quarantine() -> SchemaRef {
    static S: OnceLock<SchemaRef> = OnceLock::new();
    Arc::clone(S.get_or_init(|| {
        Arc::new(Schema::new(vec![
            Field::new("batch", DataType::Int64, false),
            utf8("file", false),
            Field::new("line", DataType::Int64, false),
            utf8("column", true),
            utf8("reason", false),
            utf8("raw", false),
        ]))
    }))
}

/// Schema of the `enrichment` table (derived; joined into `incidents` by `record_id`).
///
/// | column | meaning |
/// |---|---|
/// | `province_code`, `province_name` | ISO 3166-2 province of the point (or of the source's admin1 when there is no point) |
/// | `district`, `region` | district from the gazetteer; region of the default grouping |
/// | `capital_name`, `capital_distance_km` | nearest provincial capital, great-circle km; null when located only to province or coarser |
/// | `place_flag` | `inside`, `snapped`, `outside`, `no_point`, `not_checked` |
/// | `admin1_agrees` | false when the source's own admin1 names another province than the point |
/// | `actor1_id`, `actor2_id` | canonical actor ids (null: unresolved) |
/// | `actor1_root`, `actor2_root` | the same, factions rolled up to their parent |
pub fn enrichment() -> SchemaRef {
    static S: OnceLock<SchemaRef> = OnceLock::new();
    Arc::clone(S.get_or_init(|| {
        let fields = std::iter::once(utf8("record_id", false)).chain(
            ENRICHMENT_FIELDS
                .iter()
                .map(|(name, t, nullable)| Field::new(*name, t.data_type(), *nullable)),
        );
        Arc::new(Schema::new(fields.collect::<Vec<_>>()))
    }))
}

/// The type of an enrichment column (a `Copy` stand-in for Arrow's, so that the
/// column names can be listed at compile time).
#[derive(Clone, Copy)]
enum Kind {
    Text,
    Km,
    Flag,
}

impl Kind {
    fn data_type(self) -> DataType {
        match self {
            Kind::Text => DataType::Utf8,
            Kind::Km => DataType::Float64,
            Kind::Flag => DataType::Boolean,
        }
    }
}

/// The enrichment columns after `record_id`: name, type, nullable.
const ENRICHMENT_FIELDS: [(&str, Kind, bool); 12] = [
    ("province_code", Kind::Text, true),
    ("province_name", Kind::Text, true),
    ("district", Kind::Text, true),
    ("region", Kind::Text, true),
    ("capital_name", Kind::Text, true),
    ("capital_distance_km", Kind::Km, true),
    ("place_flag", Kind::Text, false),
    ("admin1_agrees", Kind::Flag, true),
    ("actor1_id", Kind::Text, true),
    ("actor2_id", Kind::Text, true),
    ("actor1_root", Kind::Text, true),
    ("actor2_root", Kind::Text, true),
];

/// The enrichment columns that `incidents` adds to `records`.
pub const ENRICHMENT_COLUMNS: [&str; 12] = {
    let mut out = [""; 12];
    let mut i = 0;
    while i < ENRICHMENT_FIELDS.len() {
        out[i] = ENRICHMENT_FIELDS[i].0;
        i += 1;
    }
    out
};
