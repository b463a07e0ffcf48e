//! The analyst's workspace: a store with its claims ledger and resolver, and the
//! workflows that change them. Entry points (the CLI's commands, the server's
//! handlers) parse their input, make one call here, and present the report.
//!
//! Map:
//! - [`Workspace`] (`workspace.rs`): open a store for reading ([`Workspace::open`]:
//!   enrichment and rollup brought up to date, verdicts attached) or writing
//!   ([`Workspace::create`]); its [`resolver_for`] (bundled gazetteer and registry plus
//!   the journal's actor aliases). No global state: a process may hold several.
//! - Ingest (`ingest.rs`): [`Workspace::ingest`] reads [`IngestInput`]s into atomic
//!   batches with their coverage, places and actors and their mapping's claims, then
//!   enriches older batches and rebuilds the rollup; an [`IngestReport`] says what
//!   happened to each file.
//! - Matching (`matching.rs`): [`Workspace::run_matching`] with [`MatchSettings`]
//!   (the whole matcher configuration, persisted with the run),
//!   [`Workspace::rematch`], [`Workspace::decide`] (analysts' decisions to the store
//!   and the journal, then re-applied), [`Workspace::decisions_in_force`],
//!   [`Workspace::review_queue`].
//! - Claims (`claims.rs`): [`Workspace::import_claims`] from a mapping's rules.
//! - [`bundled`]: the default store built from the real files compiled in.
//! - [`Progress`]: the one extension point for long work (the CLI draws bars).
//! - [`WorkspaceError`]: every failure with its [`sitrep_model::ErrorClass`].
//!
//! Out of scope: reading and computing numbers (sitrep-analysis reads the store this
//! crate keeps), drawing (sitrep-render), HTTP and the command line (sitrep-server,
//! sitrep-cli). This crate sits after sitrep-match and sitrep-claims on the data's
//! path and never depends on analysis, render, server or CLI.
//!
//! ```no_run
//! # async fn demo() -> Result<(), sitrep_workspace::WorkspaceError> {
//! use sitrep_workspace::{IngestInput, NoProgress, Workspace};
//! let mut ws = Workspace::create(std::path::Path::new("my-store"))?;
//! let input = IngestInput::file("ged.csv".as_ref(), sitrep_ingest::Format::Auto)?;
//! let report = ws.ingest(vec![input], "analyst", &NoProgress).await?;
//! assert!(!report.refused());
//! # Ok(()) }
//! ```
#![deny(missing_docs)]

pub mod bundled;
mod claims;
mod error;
mod ingest;
mod matching;
mod workspace;

pub use claims::{mapping_claim_rules, ClaimImport};
pub use error::WorkspaceError;
pub use ingest::{CoverageFrom, FileReport, IngestInput, IngestReport};
pub use matching::{Decided, MatchModel, MatchReport, MatchSettings, ReviewItem, ReviewQueue};
pub use workspace::{resolver_for, Refreshed, Workspace};

/// Receives progress of long work (an ingest's bytes, a matching's records). The CLI
/// draws progress bars with it; servers and tests pass [`NoProgress`].
pub trait Progress: Sync {
    /// Work named `what` starts, with `total` units (bytes, records; 0 if unknown).
    fn start(&self, what: &str, total: u64);
    /// `n` more units are done.
    fn advance(&self, n: u64);
    /// The work is done (clear the bar).
    fn finish(&self) {}
}

/// Reports nothing.
#[derive(Debug, Clone, Copy, Default)]
pub struct NoProgress;

impl Progress for NoProgress {
    fn start(&self, _what: &str, _total: u64) {}
    fn advance(&self, _n: u64) {}
}
