//! The crate's error type.

use crate::import::RowError;
use crate::journal::JournalError;
use sitrep_model::ErrorClass;
use std::path::{Path, PathBuf};

/// What can go wrong in the claims ledger.
#[derive(Debug, thiserror::Error)]
pub enum ClaimsError {
    /// The journal file is damaged or unreadable.
    #[error(transparent)]
    Journal(#[from] JournalError),
    /// A ledger file other than the journal is damaged.
    #[error("{path}: {what}")]
    Damaged {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        what: String,
    },
    /// Reading or writing a file failed.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// An input file is refused as a whole (bad header, wrong layout).
    #[error("{file}:{line}{}: {message}", if column.is_empty() { String::new() } else { format!(" ({column})") })]
    Input {
        /// The file.
        file: String,
        /// 1-based line (0: unknown).
        line: u64,
        /// Column name, if one.
        column: String,
        /// What is wrong and how to fix it.
        message: String,
    },
    /// Rows of an input file are bad; nothing was imported.
    #[error("{file}: {} bad row(s), nothing imported:\n{}", errors.len(), errors.iter().map(|e| format!("{file}:{}{}: {}", e.line, if e.column.is_empty() { String::new() } else { format!(" ({})", e.column) }, e.message)).collect::<Vec<_>>().join("\n"))]
    Rows {
        /// The file.
        file: String,
        /// Every bad row.
        errors: Vec<RowError>,
    },
    /// A mapping's `[[claims]]` rules are invalid.
    #[error("{file}: [[claims]] rule {rule}: {message}")]
    Rules {
        /// The mapping file.
        file: String,
        /// 1-based rule number.
        rule: usize,
        /// What is wrong.
        message: String,
    },
    /// A request is invalid (bad value, missing reason).
    #[error("{0}")]
    Invalid(String),
    /// A claim, user, entry or incident does not exist.
    #[error("{0}")]
    NotFound(String),
    /// The change conflicts with a later one (undo of a subject changed since).
    #[error("{0}")]
    Conflict(String),
    /// The store failed.
    #[error(transparent)]
    Store(#[from] sitrep_store::StoreError),
    /// A bug in sitrep.
    #[error("internal error: {0}")]
    Internal(String),
}

impl ClaimsError {
    pub(crate) fn io(path: &Path, source: std::io::Error) -> ClaimsError {
        ClaimsError::Io {
            path: path.to_path_buf(),
            source,
        }
    }

    pub(crate) fn input(file: &str, line: u64, column: &str, message: String) -> ClaimsError {
        ClaimsError::Input {
            file: file.to_string(),
            line,
            column: column.to_string(),
            message,
        }
    }

    /// True when the user's input caused it (bad file, bad value, unknown id).
    pub fn is_input(&self) -> bool {
        self.class() == ErrorClass::Input
    }

    /// True when a ledger file is damaged.
    pub fn is_damaged(&self) -> bool {
        matches!(
            self,
            ClaimsError::Damaged { .. } | ClaimsError::Journal(JournalError::Corrupt { .. })
        )
    }

    /// What kind of failure this is, decided once.
    pub fn class(&self) -> ErrorClass {
        match self {
            ClaimsError::Input { .. }
            | ClaimsError::Rows { .. }
            | ClaimsError::Rules { .. }
            | ClaimsError::Invalid(_)
            | ClaimsError::NotFound(_)
            | ClaimsError::Conflict(_) => ErrorClass::Input,
            e if e.is_damaged() => ErrorClass::Store,
            ClaimsError::Io { .. } | ClaimsError::Journal(JournalError::Io { .. }) => {
                ErrorClass::Io
            }
            ClaimsError::Store(e) => e.class(),
            _ => ErrorClass::Bug,
        }
    }
}
