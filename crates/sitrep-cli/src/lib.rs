//! The sitrep command line. This crate's doc is the map of the whole system.
//!
//! ```text
//!  files ──► sitrep-ingest ──► sitrep-store ──► sitrep-resolve ──► sitrep-analysis ──► sitrep-render ──► CLI / server
//!  (UCDP,     adapters:         Parquet batches,  places, actors,    series, compare,    SVG, CSV,
//!   ACLED,    ucdp-ged, acled,  manifest, SQL     matching, claims   figures data        HTML report
//!   mapped)   mapping:FILE      (DataFusion)
//!                  ▲                 ▲
//!           sitrep-model: Record, EventType, precision, Fatalities, Enricher, Claim, Verdict — used by all
//!
//!  sitrep-claims (beside sitrep-resolve): claims, attribution verdicts, the journal of
//!  analyst actions (<store>/ledger/journal.log) and users; it hands verdicts to the
//!  store as the `attribution` column that series, figures and SQL read.
//! ```
//!
//! Each crate uses only crates to its left. The CLI parses arguments ([`Cli`]), calls
//! one library function per command and maps the result to an exit code:
//!
//! | code | meaning |
//! |---|---|
//! | 0 | success |
//! | 1 | the input was refused: bad rows, bad file, bad query, unknown name |
//! | 2 | usage error (unknown flag, missing argument) |
//! | 3 | the store is damaged (checksum mismatch) or locked by another writer |
//! | 4 | an internal or I/O error |
//!
//! With no `--store` (and no `SITREP_STORE`), read-only commands use the bundled
//! Afghanistan data: UCDP GED 21.1's Afghanistan subset, 16,038 events 1989–2020,
//! built once into a cache directory.
//!
//! Weeks: `--bucket week` is the ISO week (Monday–Sunday); `acled_week` is ACLED's
//! Saturday–Friday week, so that series line up with ACLED's own weekly files.

mod args;
mod bundled;
mod cmd;
mod output;

pub use args::{Cli, Command};
use std::process::ExitCode;

/// Typed failure classes, so `main` can choose an exit code without parsing text.
#[derive(Debug)]
pub enum Failure {
    /// The user's input was refused.
    Input(String),
    /// The store is damaged or locked.
    Store(String),
}

impl std::fmt::Display for Failure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Failure::Input(s) | Failure::Store(s) => f.write_str(s),
        }
    }
}

impl std::error::Error for Failure {}

/// The exit code for an error that reached `main`.
pub fn exit_code_for(err: &anyhow::Error) -> u8 {
    if let Some(f) = err.downcast_ref::<Failure>() {
        return match f {
            Failure::Input(_) => 1,
            Failure::Store(_) => 3,
        };
    }
    if let Some(e) = err.downcast_ref::<sitrep_store::StoreError>() {
        return match e {
            sitrep_store::StoreError::Checksum { .. }
            | sitrep_store::StoreError::BadManifest { .. }
            | sitrep_store::StoreError::Locked { .. } => 3,
            e if e.is_user_error() => 1,
            _ => 4,
        };
    }
    if let Some(e) = err.downcast_ref::<sitrep_ingest::IngestError>() {
        return if e.is_io() { 4 } else { 1 };
    }
    4
}

/// Runs one command.
pub fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    rt.block_on(cmd::dispatch(cli))
}
