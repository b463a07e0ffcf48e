//! The domain types of sitrep, shared by every other crate: source [`Record`]s, the
//! common [`EventType`] taxonomy, [`DatePrecision`] / [`GeoPrecision`], fatality
//! uncertainty as [`Fatalities`], and the [`Enricher`] extension point through which
//! later crates (places, actors) add derived columns without the store knowing them.
//!
//! A [`Record`] is one source row as read: normalised fields plus the verbatim row
//! (`raw`), its file, line and hash. Records are never edited; a changed source row
//! becomes a new version. An *incident* is what the rest of the system counts: a
//! [`Cluster`] of records that report the same event (one record until matching links
//! it to others). Matching reads [`MatchRecord`]s and produces [`MatchPair`]s and
//! clusters; an analyst's [`Decision`] confirms or rejects a pair.
//!
//! Claims of responsibility and their attribution verdicts, journal entries and user
//! roles are in [`claims`] ([`Claim`], [`Stance`], [`Grade`], [`Verdict`],
//! [`JournalEntry`], [`Role`]); sitrep-claims computes and stores them.
//!
//! What a query counts is one [`Filters`] ([`query`]): figure specs, CLI flags and URL
//! keys all read into it; what the store's typed reads answer about incidents (a page
//! of the list, totals, counts per place, map points) is in [`incident`].
//! Every library error says what kind of failure it is with an [`ErrorClass`] (input,
//! store, I/O, bug), from which the CLI's exit code and the server's status follow.
//!
//! Out of scope: reading files (sitrep-ingest), storage and SQL (sitrep-store),
//! gazetteer and actor registry (sitrep-resolve). This crate has no I/O.
//!
//! ```
//! use sitrep_model::{Fatalities, EventType};
//! let a = Fatalities::range(2, 3, 5).unwrap();
//! let b = Fatalities::conservative(4); // ACLED: one conservative figure
//! let sum = a + b;
//! assert_eq!((sum.low, sum.best, sum.high), (Some(6), Some(7), None));
//! assert_eq!(EventType::parse("Battles"), Some(EventType::Battle));
//! ```
#![deny(missing_docs)]

pub mod claims;
pub mod counts;
pub mod coverage;
mod enrich;
mod error_class;
pub mod figure;
pub mod forecast;
pub mod graph;
pub mod incident;
mod matching;
mod precision;
pub mod query;
mod record;
mod taxonomy;
mod uncertainty;

pub use claims::{
    Action, Change, Channel, Claim, ConfidenceLevel, Credibility, Grade, IncidentRef, JournalEntry,
    Override, Reliability, Role, Stance, Verdict,
};
pub use counts::{CountPoint, Counts};
pub use coverage::{BucketCoverage, Coverage, CoverageSpan, CoverageStatus};
pub use enrich::{Enricher, Enrichment, NoEnrichment, PlaceFlag};
pub use error_class::ErrorClass;
pub use incident::{
    IncidentOrder, IncidentPage, IncidentRow, MapPoint, NameCount, PlaceCheck, PlaceCounts,
    RecordSide, SourceRow, Totals,
};
pub use matching::{
    Cluster, Decision, DecisionKind, IncidentMember, MatchPair, MatchRecord, PairStatus, RecordRef,
    ScoreParts,
};
pub use precision::{DatePrecision, GeoPrecision};
pub use query::{ActorMatch, Attribution, FilterError, Filters};
pub use record::{Provenance, QualityNote, Record, VersionKind};
pub use taxonomy::EventType;
pub use uncertainty::{Fatalities, FatalityError};

/// The date from which the Taliban's Islamic Emirate is the de facto government of
/// Afghanistan (fall of Kabul). Used by date-scoped actor aliases and default periods.
pub fn taliban_takeover() -> chrono::NaiveDate {
    chrono::NaiveDate::from_ymd_opt(2021, 8, 15).expect("valid date")
}
