//! The error type of this crate: bad gazetteer or registry files, with where and why.

use std::path::PathBuf;

/// Everything that can go wrong while loading a gazetteer, a grouping or an actor
/// registry. Every variant is about *input* (a file a user wrote or supplied); this
/// crate does no I/O after loading, so lookups never fail, they answer "not found".
#[derive(Debug, thiserror::Error)]
pub enum ResolveError {
    /// A file could not be read.
    #[error("{}: cannot read: {source}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },
    /// A TOML file does not parse or does not have the expected shape.
    #[error("{}:{line}:{column}: {message}", file.display())]
    Toml {
        /// The file (or the name of the bundled file).
        file: PathBuf,
        /// 1-based line of the problem (1 when the parser gives no position).
        line: usize,
        /// 1-based column.
        column: usize,
        /// The parser's message.
        message: String,
    },
    /// A GeoJSON file does not parse, or a feature lacks a property or a polygon.
    #[error("{}: {message}", file.display())]
    GeoJson {
        /// The file.
        file: PathBuf,
        /// What is wrong, naming the feature where there is one.
        message: String,
    },
    /// The files parse but say something inconsistent (an unknown parent id, a
    /// duplicate id, a province with no polygon). `line` is given when known.
    #[error("{}{}: {message}", file.display(), line.map(|l| format!(":{l}")).unwrap_or_default())]
    Invalid {
        /// The file.
        file: PathBuf,
        /// 1-based line, when known.
        line: Option<usize>,
        /// What is wrong and, where possible, how to fix it.
        message: String,
    },
    /// Several problems; all are listed so a user can fix them in one pass.
    #[error("{} problems:\n{}", .0.len(), .0.iter().map(|e| format!("  {e}")).collect::<Vec<_>>().join("\n"))]
    Many(Vec<ResolveError>),
}

impl ResolveError {
    /// True when the error is an unreadable file rather than bad content.
    pub fn is_io(&self) -> bool {
        matches!(self, ResolveError::Io { .. })
    }

    /// What kind of failure this is: an unreadable file is I/O; bad content (TOML,
    /// GeoJSON, an invalid registry or gazetteer entry) is the user's input.
    pub fn class(&self) -> sitrep_model::ErrorClass {
        match self {
            ResolveError::Io { .. } => sitrep_model::ErrorClass::Io,
            ResolveError::Many(v) if v.iter().all(|e| e.is_io()) && !v.is_empty() => {
                sitrep_model::ErrorClass::Io
            }
            _ => sitrep_model::ErrorClass::Input,
        }
    }

    /// The file the error is about (the first one for [`ResolveError::Many`]).
    pub fn file(&self) -> Option<&std::path::Path> {
        match self {
            ResolveError::Io { path, .. } => Some(path),
            ResolveError::Toml { file, .. }
            | ResolveError::GeoJson { file, .. }
            | ResolveError::Invalid { file, .. } => Some(file),
            ResolveError::Many(v) => v.first().and_then(|e| e.file()),
        }
    }

    /// The 1-based line the error is about, when known.
    pub fn line(&self) -> Option<usize> {
        match self {
            ResolveError::Toml { line, .. } => Some(*line),
            ResolveError::Invalid { line, .. } => *line,
            ResolveError::Many(v) => v.first().and_then(|e| e.line()),
            _ => None,
        }
    }

    /// A TOML parse error with its position computed from the source text.
    pub(crate) fn toml(file: impl Into<PathBuf>, text: &str, err: &toml::de::Error) -> Self {
        let (line, column) = err
            .span()
            .map(|s| line_col(text, s.start))
            .unwrap_or((1, 1));
        ResolveError::Toml {
            file: file.into(),
            line,
            column,
            message: err.message().to_string(),
        }
    }

    /// An inconsistency at a byte offset of a file's text.
    pub(crate) fn invalid_at(
        file: impl Into<PathBuf>,
        text: &str,
        offset: Option<usize>,
        message: impl Into<String>,
    ) -> Self {
        ResolveError::Invalid {
            file: file.into(),
            line: offset.map(|o| line_col(text, o).0),
            message: message.into(),
        }
    }

    /// `Ok(())` for no errors, the error itself for one, [`ResolveError::Many`] otherwise.
    pub(crate) fn collect(mut errors: Vec<ResolveError>) -> Result<(), ResolveError> {
        match errors.len() {
            0 => Ok(()),
            1 => Err(errors.remove(0)),
            _ => Err(ResolveError::Many(errors)),
        }
    }
}

/// 1-based (line, column) of a byte offset.
fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(text.len());
    let before = &text[..offset];
    let line = before.matches('\n').count() + 1;
    let column = before.rfind('\n').map_or(offset, |i| offset - i - 1) + 1;
    (line, column)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn toml_errors_carry_line_and_column() {
        let text = "a = 1\nb = = 2\n";
        let err = toml::from_str::<toml::Value>(text).unwrap_err();
        let e = ResolveError::toml("x.toml", text, &err);
        assert_eq!(e.line(), Some(2));
        assert!(e.to_string().starts_with("x.toml:2:"), "{e}");
    }

    #[test]
    fn many_lists_every_problem() {
        let e = ResolveError::collect(vec![
            ResolveError::invalid_at("a.toml", "x\ny", Some(2), "first"),
            ResolveError::invalid_at("a.toml", "x\ny", None, "second"),
        ])
        .unwrap_err();
        let s = e.to_string();
        assert!(
            s.contains("a.toml:2: first") && s.contains("a.toml: second"),
            "{s}"
        );
    }
}
