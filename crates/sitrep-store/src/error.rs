//! Store errors.

use sitrep_ingest::RowError;
use sitrep_model::ErrorClass;

/// An engine error caused by file access (a data file vanished or could not be read).
fn is_io_engine(e: &datafusion::error::DataFusionError) -> bool {
    use datafusion::error::DataFusionError as D;
    match e {
        D::IoError(_) | D::ObjectStore(_) => true,
        D::Context(_, inner) | D::Diagnostic(_, inner) => is_io_engine(inner),
        D::Shared(inner) => is_io_engine(inner),
        _ => false,
    }
}
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
    /// The user's own query failed (bad SQL, unknown column, …).
    #[error("query: {0}")]
    Query(String),
    /// Filters that cannot be compiled against this store (a column it lacks, an
    /// unknown distance band): the caller's input to change.
    #[error(transparent)]
    Filter(#[from] crate::query::QueryError),
    /// A query sitrep built failed: a bug in sitrep, not in the input.
    #[error("internal query failed (a bug in sitrep; please report it): {message}\n  SQL: {sql}")]
    Internal {
        /// The engine's message.
        message: String,
        /// The statement.
        sql: String,
    },
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

/// The operating-system error inside a Parquet error, if one caused it (a full disk,
/// a vanished directory), found along its chain of sources.
fn io_in(e: &(dyn std::error::Error + 'static)) -> Option<std::io::Error> {
    let mut cur: Option<&(dyn std::error::Error + 'static)> = Some(e);
    while let Some(c) = cur {
        if let Some(io) = c.downcast_ref::<std::io::Error>() {
            return Some(match io.raw_os_error() {
                Some(code) => std::io::Error::from_raw_os_error(code),
                None => std::io::Error::new(io.kind(), io.to_string()),
            });
        }
        cur = c.source();
    }
    // Some Parquet paths keep only the text of the OS error ("fail to get inner
    // writer: \"No space left on device (os error 28)\""): read its code back.
    let text = e.to_string();
    let code = text
        .split("(os error ")
        .nth(1)?
        .split(')')
        .next()?
        .parse()
        .ok()?;
    Some(std::io::Error::from_raw_os_error(code))
}

impl StoreError {
    pub(crate) fn io(path: impl Into<PathBuf>) -> impl FnOnce(std::io::Error) -> StoreError {
        let path = path.into();
        move |source| StoreError::Io { path, source }
    }

    /// A failure writing the Parquet file at `path`: an I/O failure inside the
    /// encoder becomes [`StoreError::Io`] naming the file (so a full disk reads
    /// `batches/.b000003-records.parquet.tmp: No space left on device`); anything
    /// else stays a Parquet error.
    pub(crate) fn parquet_at(
        path: impl Into<PathBuf>,
    ) -> impl Fn(datafusion::parquet::errors::ParquetError) -> StoreError {
        let path = path.into();
        move |e| match io_in(&e) {
            Some(source) => StoreError::Io {
                path: path.clone(),
                source,
            },
            None => StoreError::Parquet(e),
        }
    }
    /// True when the user's input (rows, query, store path) is at fault, not the store.
    pub fn is_user_error(&self) -> bool {
        self.class() == ErrorClass::Input
    }

    /// What kind of failure this is, decided once: refused rows, a refused query and
    /// a directory that is no store are input; a damaged manifest, a checksum mismatch
    /// and another writer's lock are the store's; file access is I/O; an error inside
    /// the engine on a query sitrep built is a bug (a user's own SQL, `sitrep query`,
    /// comes back as [`StoreError::Query`]).
    pub fn class(&self) -> ErrorClass {
        match self {
            StoreError::Rejected { .. }
            | StoreError::Query(_)
            | StoreError::Filter(_)
            | StoreError::NotAStore { .. } => ErrorClass::Input,
            StoreError::BadManifest { .. }
            | StoreError::Checksum { .. }
            | StoreError::Locked { .. } => ErrorClass::Store,
            StoreError::Io { .. } => ErrorClass::Io,
            StoreError::Engine(e) if is_io_engine(e) => ErrorClass::Io,
            StoreError::Parquet(e) if io_in(e).is_some() => ErrorClass::Io,
            StoreError::Arrow(e) if io_in(e).is_some() => ErrorClass::Io,
            StoreError::Internal { .. }
            | StoreError::Engine(_)
            | StoreError::Arrow(_)
            | StoreError::Parquet(_) => ErrorClass::Bug,
        }
    }
}
