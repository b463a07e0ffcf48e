//! Watching: indicators, scenarios, change points and alerts.
//!
//! * [`spec`]: indicator and scenario files (TOML; the bundled ones under
//!   `specs/indicators/` and `specs/scenarios/` are compiled in), checked with errors
//!   that name file, line, column, key and a fix.
//! * [`eval`]: an indicator over history, one [`WatchStatus`] per bucket with the
//!   numbers that decided it (rules from `sitrep_stats::rules`) and the records behind
//!   the deciding bucket ([`Analysis::trace`]). A bucket no selected source covers is
//!   `no_data`, never `quiet`.
//! * [`scenario`]: a scenario's weighted share of fired indicators per month, with the
//!   weight without data counted apart, or its `when` condition ([`condition`]:
//!   `and`/`or`, three-valued); `persist` makes a scenario (or an indicator within it)
//!   elevated only after N buckets in a row (specs/scenarios/README.md).
//! * [`alerts`]: status changes as [`Alert`]s with stable ids, data vintage and the
//!   "latest bucket incomplete" flag; webhook delivery (HTTP/1.1 POST, retries with
//!   exponential back-off, at least once) with a delivery log in the store directory
//!   checked before each send.
//! * [`changes`]: change points of a query's series (PELT, BinSeg, BOCPD from
//!   `sitrep_stats::changepoint`) with date intervals and rates either side.
//! * [`atom`]: alerts as an Atom 1.0 feed.

pub mod alerts;
pub mod atom;
pub mod changes;
pub mod condition;
pub mod eval;
pub mod scenario;
pub mod spec;

pub use alerts::{derive_alerts, Alert, Delivery, RetryPolicy};
pub use changes::{changes, ChangeBreak, Changes, ChangesQuery, CostKind, Method};
pub use eval::{evaluate, BucketStatus, EvalOptions, IndicatorRun, WatchEvidence, WatchStatus};
pub use scenario::{evaluate_scenario, ScenarioBucket, ScenarioRun};
pub use spec::{IndicatorSpec, RuleSpec, ScenarioSpec, WatchSet};

use crate::{Analysis, AnalysisError};
use serde::Serialize;
use sitrep_model::figure::Bucket;
use sitrep_model::ErrorClass;

/// Why watching failed.
#[derive(Debug, thiserror::Error)]
pub enum WatchError {
    /// An indicator, scenario or webhooks file is wrong.
    #[error("{file}:{line}:{column}: {}{message}\n  fix: {hint}", key.as_deref().map(|k| format!("`{k}`: ")).unwrap_or_default())]
    Spec {
        /// The file.
        file: String,
        /// 1-based line.
        line: usize,
        /// 1-based column.
        column: usize,
        /// Dotted key, when known.
        key: Option<String>,
        /// What is wrong.
        message: String,
        /// How to fix it.
        hint: String,
    },
    /// A scenario names an indicator that is not loaded.
    #[error("scenario `{scenario}` names indicator `{id}`, which is neither bundled nor in --indicators")]
    UnknownIndicator {
        /// The indicator id.
        id: String,
        /// The scenario.
        scenario: String,
    },
    /// `--scenario` names no loaded scenario.
    #[error("no scenario `{id}`; known: {}", known.join(", "))]
    UnknownScenario {
        /// As given.
        id: String,
        /// Loaded ids.
        known: Vec<String>,
    },
    /// A file could not be read or written.
    #[error("{path}: {message}")]
    Io {
        /// The path.
        path: String,
        /// The OS's message.
        message: String,
    },
    /// A webhook URL is unusable.
    #[error("webhook {url}: {message}")]
    Webhook {
        /// The URL.
        url: String,
        /// Why.
        message: String,
    },
    /// Counting failed.
    #[error(transparent)]
    Analysis(#[from] AnalysisError),
}

impl WatchError {
    /// What kind of failure this is (the CLI's exit code follows it).
    pub fn class(&self) -> ErrorClass {
        match self {
            WatchError::Spec { .. }
            | WatchError::UnknownIndicator { .. }
            | WatchError::UnknownScenario { .. }
            | WatchError::Webhook { .. } => ErrorClass::Input,
            WatchError::Io { .. } => ErrorClass::Io,
            WatchError::Analysis(e) => e.class(),
        }
    }
}

/// Everything one evaluation found.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct WatchReport {
    /// The period asked for.
    pub from: Option<chrono::NaiveDate>,
    /// End of the period (or "now").
    pub to: Option<chrono::NaiveDate>,
    /// When the data were committed (latest batch).
    pub vintage: String,
    /// Every indicator, evaluated.
    pub indicators: Vec<IndicatorRun>,
    /// Every scenario, per month.
    pub scenarios: Vec<ScenarioRun>,
    /// Status changes, oldest first.
    pub alerts: Vec<Alert>,
    /// Ids of the indicators whose latest bucket fired.
    pub fired: Vec<String>,
}

impl WatchReport {
    /// The indicator run with this id.
    pub fn indicator(&self, id: &str) -> Option<&IndicatorRun> {
        self.indicators.iter().find(|r| r.spec.id == id)
    }
    /// Alerts of the latest buckets (what "now" changed).
    pub fn current_alerts(&self) -> Vec<&Alert> {
        self.alerts.iter().filter(|a| a.latest).collect()
    }
}

/// Adds the indicator and scenario files of `<store>/indicators/`, if it exists.
pub fn add_store_indicators(
    set: &mut WatchSet,
    store_root: &std::path::Path,
) -> Result<(), WatchError> {
    let dir = store_root.join("indicators");
    if dir.is_dir() {
        set.add_dir(&dir)?;
    }
    Ok(())
}

/// The store's data vintage: the commit time of its latest batch.
pub fn vintage(store: &sitrep_store::Store) -> String {
    store
        .manifest()
        .batches
        .iter()
        .map(|b| b.committed_at.clone())
        .max()
        .unwrap_or_default()
}

/// Evaluates every indicator and scenario of `set`, and the alerts.
pub async fn watch(
    analysis: &Analysis,
    vintage: &str,
    set: &WatchSet,
    opts: &EvalOptions,
) -> Result<WatchReport, WatchError> {
    set.check()?;
    let mut runs = Vec::with_capacity(set.indicators.len());
    for spec in &set.indicators {
        runs.push(evaluate(analysis, spec, opts).await?);
    }
    let scenarios: Vec<ScenarioRun> = set
        .scenarios
        .iter()
        .map(|s| evaluate_scenario(s, &runs, Bucket::Month))
        .collect();
    let mut alerts = Vec::new();
    for r in &runs {
        let of: Vec<String> = set
            .scenarios
            .iter()
            .filter(|s| s.indicators.iter().any(|i| i.id == r.spec.id))
            .map(|s| s.id.clone())
            .collect();
        alerts.extend(derive_alerts(r, &of, vintage));
    }
    alerts.sort_by(|a, b| {
        a.bucket_start
            .cmp(&b.bucket_start)
            .then(a.indicator.cmp(&b.indicator))
    });
    let fired = runs
        .iter()
        .filter(|r| r.latest().is_some_and(|b| b.status == WatchStatus::Fired))
        .map(|r| r.spec.id.clone())
        .collect();
    Ok(WatchReport {
        from: opts.from,
        to: opts.to.or(opts.as_of),
        vintage: vintage.to_string(),
        indicators: runs,
        scenarios,
        alerts,
        fired,
    })
}
