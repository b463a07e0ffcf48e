//! Cross-source matching: what a matcher reads ([`MatchRecord`]), what it decides
//! ([`MatchPair`], [`Cluster`]) and what an analyst decides ([`Decision`]).
//!
//! Records are named across versions by a [`RecordRef`] (`source:source_event_id`), not
//! by `record_id`: an analyst's decision about two events must survive a re-ingest that
//! creates new versions of them, and a re-run of the matcher.

use crate::{DatePrecision, EventType, Fatalities, GeoPrecision};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// A source event, across its versions: `source:source_event_id`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct RecordRef {
    /// Source name (`--source` at ingest).
    pub source: String,
    /// The source's own event id.
    pub source_event_id: String,
}

impl RecordRef {
    /// A reference from its two parts.
    pub fn new(source: impl Into<String>, source_event_id: impl Into<String>) -> Self {
        RecordRef {
            source: source.into(),
            source_event_id: source_event_id.into(),
        }
    }

    /// Parses `source:event_id`, or a store `record_id` (`source:event_id:version`, the
    /// version is dropped). `None` when there is no `:`.
    pub fn parse(s: &str) -> Option<RecordRef> {
        let parts: Vec<&str> = s.trim().split(':').collect();
        match parts.as_slice() {
            [src, id] | [src, id, _] if !src.is_empty() && !id.is_empty() => {
                Some(RecordRef::new(*src, *id))
            }
            _ => None,
        }
    }
}

impl std::fmt::Display for RecordRef {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}", self.source, self.source_event_id)
    }
}

/// The fields of one current record version that matching looks at.
#[derive(Debug, Clone, PartialEq)]
pub struct MatchRecord {
    /// The store's `record_id` of this version.
    pub record_id: String,
    /// Which source event it is.
    pub event: RecordRef,
    /// First day.
    pub date_start: NaiveDate,
    /// Last day.
    pub date_end: NaiveDate,
    /// How precisely it is dated.
    pub date_precision: DatePrecision,
    /// WGS84 latitude.
    pub latitude: Option<f64>,
    /// WGS84 longitude.
    pub longitude: Option<f64>,
    /// How precisely it is located.
    pub geo_precision: GeoPrecision,
    /// Country as the source writes it.
    pub country: Option<String>,
    /// The province: the gazetteer's ISO code where known, else the source's admin1.
    pub province: Option<String>,
    /// Common event type.
    pub event_type: EventType,
    /// The source's subtype (the finer level of the taxonomy score).
    pub sub_event_type: Option<String>,
    /// Actor names as the source writes them (actor1, actor2).
    pub actors: [Option<String>; 2],
    /// Resolved canonical actor ids (actor1_id, actor2_id).
    pub actor_ids: [Option<String>; 2],
    /// Deaths.
    pub fatalities: Fatalities,
    /// Where the source lists the record (its line in the source file). Only breaks
    /// exact ties: records identical in every compared field are paired in the order
    /// their sources list them.
    pub order: u64,
}

impl MatchRecord {
    /// The matching view of a record as read (no resolved actor ids; the province is
    /// the source's admin1). The store builds richer ones from `incidents`.
    pub fn from_record(r: &crate::Record) -> MatchRecord {
        MatchRecord {
            record_id: format!("{}:{}:1", r.source, r.source_event_id),
            event: RecordRef::new(&r.source, &r.source_event_id),
            date_start: r.date_start,
            date_end: r.date_end,
            date_precision: r.date_precision,
            latitude: r.latitude,
            longitude: r.longitude,
            geo_precision: r.geo_precision,
            country: r.country.clone(),
            province: r.admin1.clone(),
            event_type: r.event_type,
            sub_event_type: r.sub_event_type.clone(),
            actors: [r.actor1.clone(), r.actor2.clone()],
            actor_ids: [None, None],
            fatalities: r.fatalities,
            order: r.provenance.line,
        }
    }
}

/// The parts of a pair's score, each in 0..=1 (1 = agree). `None`: not comparable
/// (a record has no actors, no fatality figure); such parts are left out of the score.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
pub struct ScoreParts {
    /// Closeness of the dates within the day window, lowered for coarse dates.
    pub date: f32,
    /// Closeness of the places within the km window (0.5 for a shared province only).
    pub space: f32,
    /// Event-type agreement through the common taxonomy (or MELTT's level score).
    pub event_type: f32,
    /// Actor agreement: resolved ids, else name similarity.
    pub actor: Option<f32>,
    /// Fatality compatibility: ranges overlapping, best figures close.
    pub fatalities: Option<f32>,
}

/// How a pair came to be linked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PairStatus {
    /// Chosen by the matcher.
    Matched,
    /// Confirmed by an analyst (kept whatever its score).
    Confirmed,
    /// A candidate the matcher did not choose (listed for review only).
    Unselected,
}

impl PairStatus {
    /// The snake_case name.
    pub fn as_str(self) -> &'static str {
        match self {
            PairStatus::Matched => "matched",
            PairStatus::Confirmed => "confirmed",
            PairStatus::Unselected => "unselected",
        }
    }
}

/// Two records the matcher linked (or considered), with the score and its parts.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MatchPair {
    /// First record (the smaller reference).
    pub a: RecordRef,
    /// Second record.
    pub b: RecordRef,
    /// Weighted score in 0..=1.
    pub score: f32,
    /// Its parts.
    pub parts: ScoreParts,
    /// The best competing candidate's score for either record against the other's source.
    pub runner_up: Option<f32>,
    /// How the pair came to be linked.
    pub status: PairStatus,
}

/// An incident as a cluster of records from one or more sources, reconciled.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Cluster {
    /// Stable id: the primary member's reference, `source:source_event_id`.
    pub id: String,
    /// The member whose fields represent the cluster (finest precision first), a record_id.
    pub primary: String,
    /// Every member's record_id, primary first.
    pub members: Vec<String>,
    /// Number of distinct sources among the members.
    pub corroboration: u32,
    /// Earliest first day across members.
    pub date_start: NaiveDate,
    /// Latest last day across members.
    pub date_end: NaiveDate,
    /// Deaths across members: lowest low, primary's best, highest high.
    pub fatalities: Fatalities,
    /// Smallest and largest best figure across members.
    pub best_range: Option<(u64, u64)>,
    /// Where members disagree, e.g. `actor1: ged241=Sinaloa Cartel | ged211=Gulf Cartel`.
    pub disagreements: Vec<String>,
}

/// What an analyst decided about a pair.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DecisionKind {
    /// The two records report the same event: always link them.
    Confirm,
    /// They do not: never link them.
    Reject,
}

/// An analyst's decision about a pair of records: who, when, why. Decisions are
/// append-only; the latest decision about a pair wins.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Decision {
    /// Confirm or reject.
    pub kind: DecisionKind,
    /// First record.
    pub a: RecordRef,
    /// Second record.
    pub b: RecordRef,
    /// Who decided.
    pub by: String,
    /// When (RFC 3339, UTC).
    pub at: String,
    /// Why.
    pub why: String,
}

impl Decision {
    /// The pair as an unordered key (smaller reference first).
    pub fn key(&self) -> (RecordRef, RecordRef) {
        if self.a <= self.b {
            (self.a.clone(), self.b.clone())
        } else {
            (self.b.clone(), self.a.clone())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    #[test]
    fn refs_parse_from_both_forms() {
        let r = RecordRef::parse("ged241:182027").unwrap();
        assert_eq!(r, RecordRef::new("ged241", "182027"));
        assert_eq!(RecordRef::parse("ged241:182027:3").unwrap(), r);
        assert_eq!(r.to_string(), "ged241:182027");
        assert_eq!(RecordRef::parse("no-colon"), None);
        assert_eq!(RecordRef::parse(":1"), None);
    }
}

/// One record of an incident (a cluster of matched records), as `incidents show`
/// lists it: the primary record first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IncidentMember {
    /// The incident (`source:event_id` of an unmatched record).
    pub incident_id: String,
    /// Source.
    pub source: String,
    /// The source's event id.
    pub source_event_id: String,
    /// True for the record the incident takes its values from.
    pub primary: bool,
    /// First day (ISO date).
    pub date: String,
    /// Province name ('' when unplaced).
    pub province: String,
    /// Side A as the source wrote it.
    pub side_a: String,
    /// Side B as the source wrote it.
    pub side_b: String,
    /// Best fatality estimate ('' when none).
    pub deaths_best: String,
}
