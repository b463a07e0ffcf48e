//! Errors: one for the whole file ([`IngestError`]) and one per bad row ([`RowError`]).

use std::fmt;

/// One field of one row that could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    /// Column name (as in the header), if the problem is in one column.
    pub column: Option<String>,
    /// 1-based column number, if known.
    pub column_index: Option<usize>,
    /// What is wrong and, where it helps, how to fix it.
    pub message: String,
}

impl FieldError {
    /// A problem with a named column.
    pub fn at(column: &str, index: Option<usize>, message: impl Into<String>) -> Self {
        FieldError {
            column: Some(column.to_string()),
            column_index: index,
            message: message.into(),
        }
    }
    /// A problem with the whole row.
    pub fn row(message: impl Into<String>) -> Self {
        FieldError {
            column: None,
            column_index: None,
            message: message.into(),
        }
    }
}

/// A row that could not be turned into a record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowError {
    /// The file as named on the command line.
    pub file: String,
    /// 1-based physical line where the row starts (the header is line 1; a line ends at
    /// `\n`, `\r\n` or a lone `\r`, inside quoted fields too).
    pub line: u64,
    /// The field problem.
    pub field: FieldError,
    /// The row as read (fields joined with the delimiter), for quarantine.
    pub raw: String,
}

impl fmt::Display for RowError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.file, self.line)?;
        match (&self.field.column_index, &self.field.column) {
            (Some(i), Some(c)) => write!(f, ":{i} ({c})")?,
            (None, Some(c)) => write!(f, " ({c})")?,
            _ => {}
        }
        write!(f, ": {}", self.field.message)
    }
}

/// Why a file could not be read at all.
#[derive(Debug, thiserror::Error)]
pub enum IngestError {
    /// The file could not be opened or read.
    #[error("{file}: {source}")]
    Io {
        /// The file.
        file: String,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },
    /// The file is empty.
    #[error("{file}: the file is empty; expected a header line or data rows")]
    Empty {
        /// The file.
        file: String,
    },
    /// The file is not UTF-8.
    #[error("{file}:{line}: the file is not valid UTF-8 ({detail}); convert it first, e.g. `iconv -f WINDOWS-1252 -t UTF-8 {file} > fixed.csv`")]
    Encoding {
        /// The file.
        file: String,
        /// 1-based line of the first invalid byte.
        line: u64,
        /// What was found.
        detail: String,
    },
    /// The header splits into one column but contains another delimiter.
    #[error("{file}:1: the header has a single column but contains {found:?} {count} times; sitrep reads comma-separated files: convert it, e.g. `tr '{found}' ','` when no field contains commas")]
    Delimiter {
        /// The file.
        file: String,
        /// The delimiter found instead of a comma.
        found: char,
        /// How often it occurs in the header.
        count: usize,
    },
    /// No adapter recognises the header.
    #[error("{file}:1: unknown layout: no adapter recognises this header ({preview}); {hint}")]
    UnknownLayout {
        /// The file.
        file: String,
        /// The first columns of the header.
        preview: String,
        /// What to do, e.g. which mapping or format to pass.
        hint: String,
    },
    /// The named adapter lacks columns it needs.
    #[error("{file}:1: not a {adapter} file: missing column(s) {missing}{hint}")]
    MissingColumns {
        /// The file.
        file: String,
        /// The adapter that was asked for.
        adapter: String,
        /// The missing columns, comma-separated.
        missing: String,
        /// A suggestion (e.g. a close column name).
        hint: String,
    },
    /// A mapping file is invalid.
    #[error("{file}: invalid mapping: {message}")]
    Mapping {
        /// The mapping file.
        file: String,
        /// What is wrong.
        message: String,
    },
    /// A coverage statement (a mapping's `[coverage]` or a coverage file) is wrong.
    #[error("coverage {file}: {message}")]
    Coverage {
        /// The file (and line, for week lists).
        file: String,
        /// What is wrong and how to fix it.
        message: String,
    },
    /// A CSV syntax error the reader could not get past.
    #[error("{file}:{line}: {message}")]
    Syntax {
        /// The file.
        file: String,
        /// 1-based line.
        line: u64,
        /// What is wrong.
        message: String,
    },
}

impl IngestError {
    /// True when the problem is in reading the file (not its content).
    pub fn is_io(&self) -> bool {
        matches!(self, IngestError::Io { .. })
    }

    /// What kind of failure this is: reading the file is I/O; everything else is in
    /// the file's content, the user's input.
    pub fn class(&self) -> sitrep_model::ErrorClass {
        if self.is_io() {
            sitrep_model::ErrorClass::Io
        } else {
            sitrep_model::ErrorClass::Input
        }
    }
}
