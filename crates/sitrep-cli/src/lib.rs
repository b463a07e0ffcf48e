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
//!  sitrep-check (after sitrep-analysis): the claim checker — article text through
//!  sitrep-extract (pure) into queries, verdicts by its rules, evidence and figures.
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
//! | 4 | reading or writing a file failed (I/O) |
//! | 5 | a bug in sitrep (a query it built failed); please report it |
//! | 6 | `sitrep check` only: the check ran and at least one claim is contradicted |
//! | 7 | `sitrep watch` only: an indicator fired in its latest bucket |
//!
//! Every library error answers `class()` ([`sitrep_model::ErrorClass`]); [`exit_code_for`]
//! maps the class, decided once per error type, to the code.
//!
//! With no `--store` (and no `SITREP_STORE`), read-only commands use the bundled
//! Afghanistan data (`sitrep_workspace::bundled`: UCDP GED 21.1 and 23.1, Insecurity
//! Insight and the curated log, each with its coverage), built once into a cache
//! directory.
//!
//! Commands parse their arguments, make one library call (workflows that change a
//! store live in `sitrep_workspace`, numbers in `sitrep_analysis`) and present the
//! result; nothing here is a global.
//!
//! Weeks: `--bucket week` is the ISO week (Monday–Sunday); `acled_week` is ACLED's
//! Saturday–Friday week, so that series line up with ACLED's own weekly files.

mod args;
mod cmd;
mod output;

pub use args::{Cli, Command};
use sitrep_model::ErrorClass;
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

/// The class of an error that reached `main`: the first error in its chain that
/// knows its class (every library error does) decides it; an error of unknown kind
/// is a bug in sitrep.
pub fn class_of(err: &anyhow::Error) -> ErrorClass {
    for cause in err.chain() {
        let class = if let Some(f) = cause.downcast_ref::<Failure>() {
            Some(match f {
                Failure::Input(_) => ErrorClass::Input,
                Failure::Store(_) => ErrorClass::Store,
            })
        } else if let Some(e) = cause.downcast_ref::<sitrep_workspace::WorkspaceError>() {
            Some(e.class())
        } else if let Some(e) = cause.downcast_ref::<sitrep_store::StoreError>() {
            Some(e.class())
        } else if let Some(e) = cause.downcast_ref::<sitrep_ingest::IngestError>() {
            Some(e.class())
        } else if let Some(e) = cause.downcast_ref::<sitrep_analysis::watch::WatchError>() {
            Some(e.class())
        } else if let Some(e) = cause.downcast_ref::<sitrep_analysis::AnalysisError>() {
            Some(e.class())
        } else if let Some(e) = cause.downcast_ref::<sitrep_check::CheckError>() {
            Some(e.class())
        } else if let Some(e) = cause.downcast_ref::<sitrep_claims::ClaimsError>() {
            Some(e.class())
        } else if let Some(e) = cause.downcast_ref::<sitrep_resolve::ResolveError>() {
            Some(e.class())
        } else if let Some(e) = cause.downcast_ref::<sitrep_render::RenderError>() {
            Some(e.class())
        } else if cause.downcast_ref::<std::io::Error>().is_some() {
            Some(ErrorClass::Io)
        } else {
            None
        };
        if let Some(c) = class {
            return c;
        }
    }
    ErrorClass::Bug
}

/// The exit code for an error that reached `main` (see the table above).
pub fn exit_code_for(err: &anyhow::Error) -> u8 {
    class_of(err).exit_code()
}

/// Runs one command.
pub fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    rt.block_on(cmd::dispatch(cli))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_class_has_its_exit_code_whatever_the_wrapping() {
        let internal: anyhow::Error =
            sitrep_analysis::AnalysisError::Store(sitrep_store::StoreError::Internal {
                message: "no field".into(),
                sql: "SELECT x".into(),
            })
            .into();
        assert_eq!(
            exit_code_for(&internal),
            5,
            "sitrep's own SQL failing is a bug"
        );
        let wrapped = internal.context("drawing fig1");
        assert_eq!(exit_code_for(&wrapped), 5);
        let user: anyhow::Error = sitrep_store::StoreError::Query("no column".into()).into();
        assert_eq!(exit_code_for(&user), 1);
        let own: anyhow::Error = sitrep_store::StoreError::Internal {
            message: "no column".into(),
            sql: "SELECT x".into(),
        }
        .into();
        assert_eq!(exit_code_for(&own), 5);
        let damaged: anyhow::Error =
            sitrep_analysis::AnalysisError::Store(sitrep_store::StoreError::Checksum {
                path: "a".into(),
                expected: "1".into(),
                found: "2".into(),
            })
            .into();
        assert_eq!(exit_code_for(&damaged), 3);
        let io: anyhow::Error = sitrep_store::StoreError::Io {
            path: "a".into(),
            source: std::io::Error::other("disk full"),
        }
        .into();
        assert_eq!(exit_code_for(&io), 4);
        let input: anyhow::Error = Failure::Input("--from after --to".into()).into();
        assert_eq!(exit_code_for(&input), 1);
        assert_eq!(exit_code_for(&anyhow::anyhow!("unexpected")), 5);
    }
}
