//! The error type of the crate: "your query is wrong" kept apart from "the store or
//! sitrep failed".

use sitrep_model::figure::Period;
use sitrep_model::ErrorClass;
use sitrep_store::StoreError;

/// Why a series, comparison or figure could not be computed.
#[derive(Debug, thiserror::Error)]
pub enum AnalysisError {
    /// A filter names an actor the registry does not know by id, name or alias.
    #[error("unknown actor `{id}`{}; use an actor id or name such as `taliban` (list: `sitrep actors list`)", suggestion(.closest))]
    UnknownActor {
        /// The id as given.
        id: String,
        /// The closest known id, if any is close.
        closest: Option<String>,
    },
    /// A distance-band filter names a band the figure's `distance_bands` do not make.
    #[error("unknown distance band `{label}`; the bands are: {}", .known.join(", "))]
    UnknownDistanceBand {
        /// The label as given.
        label: String,
        /// The labels made from the edges in force.
        known: Vec<String>,
    },
    /// A query needs a column the store's `incidents` table lacks (e.g. actor ids on a
    /// store built without places and actors).
    #[error("{needed_for} needs the column `{column}`, which this store's incidents table does not have; rebuild the store with places and actors (enrichment)")]
    MissingColumn {
        /// The column.
        column: String,
        /// What asked for it (`actor filter`, `group by province`).
        needed_for: String,
    },
    /// A comparison period has days that no selected source covers, so its rate
    /// would be understated.
    #[error("period {period} is not covered by the selected sources on {uncovered} of its {days} days ({pct:.0}%); they cover {extent}. A rate over it would be understated: choose a period inside the coverage, or add a source that covers it", pct = 100.0 * *.uncovered as f64 / (*.days).max(1) as f64)]
    PeriodNotCovered {
        /// The period asked for.
        period: Period,
        /// Days of the period with no coverage.
        uncovered: u32,
        /// Days in the period.
        days: u32,
        /// What the sources cover, for people (`complete 1989-01-01 – 2020-12-31`).
        extent: String,
    },
    /// The data has no events at all for the sources asked for.
    #[error("no events in the store{}", if .sources.is_empty() { String::new() } else { format!(" for sources {}", .sources.join(", ")) })]
    NoData {
        /// Source filter in force.
        sources: Vec<String>,
    },
    /// Civilian deaths were asked for but no selected record states them.
    #[error("no selected record states civilian deaths (UCDP's 14-column files and ACLED do not give them); use a fatality measure")]
    NoCivilianDeaths,
    /// A parameter is out of range (`smooth = 0`, `top = 0`, …).
    #[error("{0}")]
    Invalid(String),
    /// Filtering or grouping by attribution needs the claims ledger, which the store lacks.
    #[error("filtering or grouping by attribution needs attribution verdicts, which this store does not have yet (no `attribution` column): ingest a source whose mapping has [[claims]] rules, or `sitrep claims import` a claims file")]
    NoAttribution,
    /// The store failed (I/O, checksum, a query it built: each with its own class).
    #[error(transparent)]
    Store(StoreError),
    /// The registry or gazetteer could not be loaded.
    #[error(transparent)]
    Resolve(#[from] sitrep_resolve::ResolveError),
}

fn suggestion(closest: &Option<String>) -> String {
    match closest {
        Some(c) => format!(" (did you mean `{c}`?)"),
        None => String::new(),
    }
}

impl AnalysisError {
    /// True when the caller's input is at fault (unknown actor, bad band, a period
    /// outside the data, a parameter out of range): report it, don't log a bug.
    pub fn is_input(&self) -> bool {
        self.class() == ErrorClass::Input
    }

    /// What kind of failure this is, decided once: the query asked for something
    /// wrong (input), the store failed (its own class), or a query this crate built
    /// failed (a bug in sitrep, never "your input was refused").
    pub fn class(&self) -> ErrorClass {
        match self {
            AnalysisError::UnknownActor { .. }
            | AnalysisError::UnknownDistanceBand { .. }
            | AnalysisError::MissingColumn { .. }
            | AnalysisError::PeriodNotCovered { .. }
            | AnalysisError::NoData { .. }
            | AnalysisError::NoCivilianDeaths
            | AnalysisError::Invalid(_)
            | AnalysisError::NoAttribution => ErrorClass::Input,
            AnalysisError::Store(e) => e.class(),
            AnalysisError::Resolve(e) => e.class(),
        }
    }
}

impl From<StoreError> for AnalysisError {
    /// A filter the store could not compile keeps its own variant
    /// ([`AnalysisError::MissingColumn`], …); every other store error is wrapped.
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::Filter(q) => q.into(),
            other => AnalysisError::Store(other),
        }
    }
}

impl From<sitrep_store::query::QueryError> for AnalysisError {
    fn from(e: sitrep_store::query::QueryError) -> Self {
        use sitrep_store::query::QueryError;
        match e {
            QueryError::MissingColumn { column, needed_for } => {
                AnalysisError::MissingColumn { column, needed_for }
            }
            QueryError::UnknownDistanceBand { label, known } => {
                AnalysisError::UnknownDistanceBand { label, known }
            }
            QueryError::NoAttribution => AnalysisError::NoAttribution,
            other @ (QueryError::UnknownColumn { .. }
            | QueryError::NoColumns
            | QueryError::NoBandEdges) => AnalysisError::Invalid(other.to_string()),
        }
    }
}
