//! What kind of failure an error is, decided once per error type.
//!
//! Every library error of sitrep answers `class()` with an [`ErrorClass`]; entry points
//! map the class, not the message, to what the user sees: the CLI's exit code
//! ([`ErrorClass::exit_code`]) and the server's status. The classes keep "your input
//! was refused" apart from "the store is damaged", "the machine failed" and "sitrep
//! has a bug": an internal query sitrep built that fails is a bug, never the user's.

/// The kind of a failure.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ErrorClass {
    /// The user's input was refused: a bad file, row, flag, query or name. Fix the input.
    Input,
    /// The store (or ledger) is damaged — a checksum mismatch, a corrupt manifest or
    /// journal — or is locked by another writer.
    Store,
    /// Reading or writing a file failed (disk full, permissions, a missing file).
    Io,
    /// sitrep itself failed (a query it built, an invariant it keeps): report it.
    Bug,
}

impl ErrorClass {
    /// The CLI's exit code: 1 input, 3 store, 4 I/O, 5 a bug in sitrep (2 is clap's
    /// usage error).
    pub fn exit_code(self) -> u8 {
        match self {
            ErrorClass::Input => 1,
            ErrorClass::Store => 3,
            ErrorClass::Io => 4,
            ErrorClass::Bug => 5,
        }
    }

    /// A short name for logs and messages.
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorClass::Input => "input",
            ErrorClass::Store => "store",
            ErrorClass::Io => "io",
            ErrorClass::Bug => "bug",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    #[test]
    fn exit_codes_are_distinct_and_skip_usage() {
        let codes: Vec<u8> = [
            ErrorClass::Input,
            ErrorClass::Store,
            ErrorClass::Io,
            ErrorClass::Bug,
        ]
        .map(ErrorClass::exit_code)
        .to_vec();
        assert_eq!(codes, [1, 3, 4, 5]);
    }
}
