//! The embedded columnar store: a directory of Parquet files and a manifest, queried
//! with Apache DataFusion. It owns the on-disk layout, atomic commits, versioning of
//! source records, checksums and read-only SQL.
//!
//! A [`Store`] is opened on a directory; [`Store::begin`] returns a [`BatchWriter`], the
//! [`sitrep_ingest::RecordSink`] that classifies each incoming record against what is
//! stored (new, updated, unchanged, stale; folded when a file repeats a row exactly) and
//! writes new versions; [`BatchWriter::commit`]
//! makes the batch visible atomically by renaming a new `manifest.json` into place,
//! after every data file is written and synced. A crash at any point before that rename
//! leaves the store as it was; files not named by the manifest are ignored and swept.
//! Given [`BatchWriter::enrich_inline`], the writer also takes each record's places and
//! actors (computed while parsing) and commits them with the batch as its enrichment
//! file, in the records' row order; [`Store::enrich`] (re)builds that file for batches
//! that lack it. Parquet is encoded on a thread of its own and hashed as it is written.
//!
//! Tables (see [`schema`]): `records` (every version of every source row, verbatim
//! `raw` included), `changes` (which record versions were superseded or deleted, by
//! which batch), `quarantine` (rejected rows with their reasons), `batches` (the
//! manifest as a table), the matching tables (`match_pairs`, `match_clusters`,
//! `match_members`, `match_decisions`; see `matching.rs`) and the view `incidents`: one
//! row per incident, i.e. per cluster of matched records, every unmatched current record
//! version being its own cluster. `rollup` (when current) holds counts and fatality
//! sums of `incidents` per day × actors × province × type × precision × source ×
//! distance band, built by [`Store::build_rollup`] for fast dashboard queries (in one
//! native pass over row-aligned records and enrichment files when the store has no
//! clusters, by SQL otherwise); readers fall back to `incidents` when it is stale.
//!
//! Typed reads: [`Store::source_names`], [`Store::has_record`],
//! [`Store::incident_members`] (`reads.rs`), and a [`Snapshot`] (`snapshot.rs`, one
//! read session, what the server holds between commits) with the dashboard's reads —
//! a page of incidents, totals, counts per province or district, incidents per actor
//! and source, map points, one incident with its versions — and the series engine's
//! (`series.rs`: sums per day and group as [`sitrep_model::Sums`], date ranges, the
//! records behind a group, area sums, located records, counts under a
//! [`Condition`]), answered as model values for callers that must not write SQL.
//! A snapshot that holds the rollup in memory decodes it into a columnar cube
//! (`cube.rs`) and sums series from it natively, with no SQL per call.
//!
//! DataFusion is this crate's engine and is not re-exported: callers ask typed reads,
//! and `sitrep query` gets a [`QueryResult`] to print. No crate above this one
//! writes SQL.
//!
//! Queries: [`query`] is the one compiler from the query model
//! ([`sitrep_model::Filters`]) to SQL over `incidents` or `rollup`; every typed read
//! compiles its filters there.
//!
//! Out of scope: parsing files (sitrep-ingest), places and actors (sitrep-resolve, plugged
//! in through [`sitrep_model::Enricher`]), series and figures (sitrep-analysis).
//!
//! ```no_run
//! # async fn demo() -> Result<(), sitrep_store::StoreError> {
//! let store = sitrep_store::Store::open("my-store")?;
//! let batches = store.sql("SELECT count(*) FROM incidents").await?;
//! # Ok(()) }
//! ```
#![deny(missing_docs)]

mod cube;
mod enrich;
mod error;
mod export;
mod manifest;
mod matching;
pub mod query;
mod reads;
mod rollup;
mod rollup_native;
pub mod schema;
mod series;
mod snapshot;
mod store;
mod verified;
mod writer;

pub use enrich::EnrichOutcome;
pub use error::StoreError;
pub use export::{export, write_csv, ExportFormat};
pub use manifest::{BatchEntry, Counts, DerivedEntry, FileEntry, InputEntry, Manifest};
pub use matching::{
    incidents_view_sql, match_clusters_schema, match_decisions_schema, match_members_schema,
    match_pairs_schema, MatchingEntry, MatchingRun,
};
pub use query::quote;
pub use rollup::{RollupEntry, RollupOutcome, ROLLUP_BAND_EDGES, ROLLUP_DIMS, ROLLUP_MEASURES};
pub use series::{AreaSums, Condition, DaySums, LocatedRecord};
pub use snapshot::{
    CountedFrom, ExportColumns, ExportOrder, Fields, IncidentDetail, QueryResult, Snapshot,
};
pub use store::Store;
pub use writer::{BatchOptions, BatchWriter, Outcome};
