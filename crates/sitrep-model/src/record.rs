//! One source row as read.

use crate::{DatePrecision, EventType, Fatalities, GeoPrecision};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// How versions of one source event are ordered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum VersionKind {
    /// The store numbers versions 1, 2, 3… as changed rows arrive (UCDP, mapped CSV).
    Sequence,
    /// The source stamps each version (ACLED's `timestamp`); a larger stamp supersedes.
    Timestamp(i64),
}

/// Where a record came from: file, line and the adapter that read it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Provenance {
    /// The file as named on the command line (`-` for standard input).
    pub file: String,
    /// 1-based physical line where the row starts.
    pub line: u64,
    /// The adapter that read it, e.g. `ucdp-ged`.
    pub format: String,
}

/// A repaired inconsistency in one column of a source row.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct QualityNote {
    /// Column name as in the source header.
    pub column: String,
    /// 1-based column number.
    pub column_index: usize,
    /// What was wrong and what sitrep did about it.
    pub message: String,
}

/// One source row, normalised, with the verbatim row kept beside it.
///
/// Text fields are `None` when the source leaves them empty. Coordinates are `None`
/// when the source gives none (the curated log, ACLED rows without points).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Record {
    /// The source's name as given at ingest (`--source`), e.g. `ucdp-ged241`.
    pub source: String,
    /// The source's own event id (UCDP `id`, ACLED `event_id_cnty`).
    pub source_event_id: String,
    /// How this record's version is ordered against earlier ones.
    pub version: VersionKind,
    /// First day of the event.
    pub date_start: NaiveDate,
    /// Last day of the event (equal to `date_start` for one-day events).
    pub date_end: NaiveDate,
    /// How precisely the date is known.
    pub date_precision: DatePrecision,
    /// WGS84 latitude.
    pub latitude: Option<f64>,
    /// WGS84 longitude.
    pub longitude: Option<f64>,
    /// How precisely the place is known.
    pub geo_precision: GeoPrecision,
    /// Country name as the source writes it.
    pub country: Option<String>,
    /// First-level administrative unit as the source writes it.
    pub admin1: Option<String>,
    /// Second-level administrative unit as the source writes it.
    pub admin2: Option<String>,
    /// Place description.
    pub location: Option<String>,
    /// Common event type.
    pub event_type: EventType,
    /// The source's subtype (ACLED `sub_event_type`; UCDP violence class).
    pub sub_event_type: Option<String>,
    /// The source's own event type, verbatim.
    pub source_event_type: String,
    /// First actor (UCDP `side_a`, ACLED `actor1`), verbatim.
    pub actor1: Option<String>,
    /// Second actor (UCDP `side_b`, ACLED `actor2`), verbatim.
    pub actor2: Option<String>,
    /// Actors associated with actor 1 (ACLED), verbatim.
    pub assoc_actor1: Option<String>,
    /// Actors associated with actor 2 (ACLED), verbatim.
    pub assoc_actor2: Option<String>,
    /// Conflict or dyad name where the source has one (UCDP `conflict_name`).
    pub conflict: Option<String>,
    /// Deaths, with their range.
    pub fatalities: Fatalities,
    /// Civilian deaths where the source counts them (UCDP `deaths_civilians`).
    pub civilian_deaths: Option<u64>,
    /// The source's free-text notes, if any.
    pub notes: Option<String>,
    /// The whole source row as a JSON object (header → value), verbatim.
    pub raw: String,
    /// Problems sitrep repaired in normalised fields (the verbatim values stay in `raw`),
    /// e.g. a fatality range with low above best. Empty for clean rows.
    pub quality: Vec<QualityNote>,
    /// File, line and adapter.
    pub provenance: Provenance,
}

impl Record {
    /// A content hash of the verbatim row and source identity (hex BLAKE3 is computed by
    /// the store; this is the canonical byte string it hashes).
    pub fn hash_input(&self) -> Vec<u8> {
        let mut v = Vec::with_capacity(self.raw.len() + self.source.len() + 2);
        v.extend_from_slice(self.source.as_bytes());
        v.push(0);
        v.extend_from_slice(self.raw.as_bytes());
        v
    }
}
