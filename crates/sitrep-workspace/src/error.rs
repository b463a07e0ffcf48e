//! [`WorkspaceError`]: what a workflow can fail with, each variant classed once.

use sitrep_model::ErrorClass;

/// What can go wrong in a workflow.
#[derive(Debug, thiserror::Error)]
pub enum WorkspaceError {
    /// The user's request was refused (a flag, a name, a record that does not
    /// exist); the message says what and how to fix it.
    #[error("{0}")]
    Input(String),
    /// The store refused or failed.
    #[error(transparent)]
    Store(#[from] sitrep_store::StoreError),
    /// A file could not be read as records.
    #[error(transparent)]
    Ingest(#[from] sitrep_ingest::IngestError),
    /// The claims ledger (journal, users) refused or is damaged.
    #[error(transparent)]
    Claims(#[from] sitrep_claims::ClaimsError),
    /// The gazetteer or registry could not be loaded.
    #[error(transparent)]
    Resolve(#[from] sitrep_resolve::ResolveError),
    /// Reading or writing a file failed.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: String,
        /// The cause.
        source: std::io::Error,
    },
    /// An invariant of sitrep's own failed (a bug; report it).
    #[error("internal error: {0}")]
    Internal(String),
}

impl WorkspaceError {
    /// The kind of failure (decides the CLI's exit code and the server's status).
    pub fn class(&self) -> ErrorClass {
        match self {
            WorkspaceError::Input(_) => ErrorClass::Input,
            WorkspaceError::Store(e) => e.class(),
            WorkspaceError::Ingest(e) => e.class(),
            WorkspaceError::Claims(e) => e.class(),
            WorkspaceError::Resolve(e) => e.class(),
            WorkspaceError::Io { .. } => ErrorClass::Io,
            WorkspaceError::Internal(_) => ErrorClass::Bug,
        }
    }

    pub(crate) fn io(path: impl std::fmt::Display, source: std::io::Error) -> Self {
        WorkspaceError::Io {
            path: path.to_string(),
            source,
        }
    }
}
