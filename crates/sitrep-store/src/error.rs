//! Store errors.

use sitrep_ingest::RowError;
use std::path::PathBuf;

/// What went wrong in the store.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// A file of the store could not be read or written.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },
    /// The directory is not a sitrep store.
    #[error("{path}: not a sitrep store (no manifest.json); create one with `sitrep ingest --store {path} FILE`")]
    NotAStore {
        /// The directory.
        path: PathBuf,
    },
    /// The manifest cannot be parsed.
    #[error("{path}: the manifest is damaged: {message}")]
    BadManifest {
        /// The manifest file.
        path: PathBuf,
        /// What is wrong.
        message: String,
    },
    /// A data file does not match its checksum.
    #[error("{path}: checksum mismatch (manifest says {expected}, file has {found}); the file was changed or damaged after it was committed: restore it from a backup, or re-ingest its source into a new store")]
    Checksum {
        /// The data file.
        path: PathBuf,
        /// The checksum in the manifest.
        expected: String,
        /// The checksum of the file.
        found: String,
    },
    /// Another process is writing to the store.
    #[error("{path}: another sitrep process is writing to this store; wait for it to finish")]
    Locked {
        /// The store.
        path: PathBuf,
    },
    /// The batch had bad rows and was refused; nothing was written.
    #[error("{} bad row(s); the batch was refused and the store is unchanged (use --quarantine to commit the good rows and keep the bad ones in the quarantine table)", .errors.len())]
    Rejected {
        /// Every bad row.
        errors: Vec<RowError>,
    },
    /// A query failed (bad SQL, unknown column, …).
    #[error("query: {0}")]
    Query(String),
    /// An error inside DataFusion or Arrow.
    #[error("engine: {0}")]
    Engine(#[from] datafusion::error::DataFusionError),
    /// An error inside Arrow.
    #[error("arrow: {0}")]
    Arrow(#[from] datafusion::arrow::error::ArrowError),
    /// An error inside Parquet.
    #[error("parquet: {0}")]
    Parquet(#[from] datafusion::parquet::errors::ParquetError),
}

impl StoreError {
    pub(crate) fn io(path: impl Into<PathBuf>) -> impl FnOnce(std::io::Error) -> StoreError {
        let path = path.into();
        move |source| StoreError::Io { path, source }
    }
    /// True when the user's input (rows, query) is at fault, not the store.
    pub fn is_user_error(&self) -> bool {
        matches!(
            self,
            StoreError::Rejected { .. }
                | StoreError::Query(_)
                | StoreError::NotAStore { .. }
                | StoreError::Locked { .. }
        )
    }
}
