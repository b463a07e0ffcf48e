//! Series, period comparisons and figure data computed from the store: the numbers
//! behind every chart, map and sentence of a situation report, each traceable to the
//! records that make it.
//!
//! A [`SeriesQuery`] says which incidents count ([`Filters`]), how they are bucketed
//! ([`Bucket`]: day, ISO week, ACLED week, month, quarter, year), what is summed
//! ([`Measure`]: incidents, fatalities low/best/high, civilian deaths), how they are
//! split ([`GroupBy`]) and transformed (moving average, running total, share);
//! [`series`] answers it with a [`SeriesFrame`]. [`compare`] gives the weekly rate in
//! one [`Period`] against another with a 95% interval. [`figure_data`] computes
//! everything a [`FigureSpec`] asks for — series, area values, map points,
//! comparisons and [`FigureProvenance`] — as a [`FigureData`] for sitrep-render.
//! [`trace`] lists the record ids behind any plotted value. An [`Analysis`] is a
//! session over one store for running several of these; the free functions open one
//! per call.
//!
//! Out of scope: drawing (sitrep-render), reading files and storage (sitrep-ingest,
//! sitrep-store), placing records and resolving actor names (sitrep-resolve: this
//! crate reads the columns it adds — `province_code`, `region`,
//! `capital_distance_km`, `actor1_id`, … — and uses its registry and gazetteer only
//! to make filter names canonical and to list map areas). No SQL and no I/O: every
//! number is a typed read of a [`sitrep_store::Snapshot`] (sums per day and group,
//! date ranges, the records behind a group, area sums, located records, counts),
//! which compiles the filters with the store's one compiler; this crate buckets,
//! groups, transforms, compares and forecasts.
//!
//! **Decisions worth knowing.**
//! * *Buckets are made in Rust, not SQL.* The store sums per day and group;
//!   [`bucket_start`] (sitrep-model's one definition) assigns days to buckets, so series, traces and tests share one definition.
//!   ACLED's week runs Saturday–Friday (bucket start = the Saturday on or before);
//!   the ISO week Monday–Sunday. Every bucket between the range's ends is present:
//!   empty buckets are zeros, not gaps. The range is the filters' `from`/`to`, or the
//!   selection's first/last day when open; the first and last buckets may be partial.
//! * *Fatalities add as [`sitrep_model::Fatalities`] says*: a missing low counts 0, a
//!   missing best falls back to the low then 0, and one missing high makes the
//!   bucket's high unknown: `None` in the band's `high`, NaN in `values` when the
//!   high itself is plotted (renderers draw a gap and write an empty cell). The sums
//!   are the model's [`sitrep_model::Sums`], computed by the store's one definition
//!   ([`sitrep_store::query::fatality_sums`]).
//!   Fatality lines carry `low`/`high` bands when they differ anywhere.
//! * *Grouping by actor counts an incident once for each distinct actor id among
//!   `actor1_id`/`actor2_id`* (only side A or B when the filters' role says so; the
//!   `_root` columns when `rollup`); a side whose name did not resolve counts under
//!   `(unresolved)`. Lines by actor therefore do not sum to the incident total.
//! * *Transforms run in this order*: share (numerator and denominator cumulated first
//!   when `cumulative`), running total, then moving average; `raw_values` hold the
//!   values before smoothing. Moving averages near the ends average the buckets that
//!   exist (the first trailing value is the first raw value).
//! * *The rate-ratio interval is exact*: conditional on the total, Clopper–Pearson on
//!   `count_a / (count_a + count_b)`, mapped to the rate ratio (as R's
//!   `poisson.test`). It assumes Poisson counts, so for fatality sums it is too narrow.
//!
//! ```no_run
//! use sitrep_analysis::{series, SeriesQuery};
//! use sitrep_model::figure::{Bucket, Filters, Measure};
//! # async fn demo(store: &sitrep_store::Store) -> Result<(), sitrep_analysis::AnalysisError> {
//! let q = SeriesQuery {
//!     filters: Filters {
//!         from: "2019-01-01".parse().ok(),
//!         to: "2020-12-31".parse().ok(),
//!         actors: vec!["taliban".into()],
//!         ..Filters::default()
//!     },
//!     bucket: Bucket::Month,
//!     measure: Measure::FatalitiesBest,
//!     smooth: Some(3),
//!     ..SeriesQuery::default()
//! };
//! let frame = series(store, &q).await?;
//! assert_eq!(frame.starts.len(), 24); // every month, empty or not
//! # Ok(()) }
//! ```
#![deny(missing_docs)]

mod canonical;
mod coverage;
mod engine;
mod error;
mod figure;
mod forecast;
mod stats;
mod transform;
pub mod watch;

pub use coverage::{coverage_note, PeriodCoverage, SourceCoverage};
pub use engine::{Analysis, SeriesQuery, OTHER};
pub use error::AnalysisError;
pub use forecast::ForecastQuery;
pub use sitrep_model::bucket::{bucket_end, bucket_start, bucket_starts, next_bucket};
pub use stats::{clopper_pearson, rate_ratio};
pub use transform::{cumulative, cumulative_known, moving_average, moving_average_known};

use chrono::NaiveDate;
#[cfg(doc)]
use sitrep_model::figure::{Bucket, FigureProvenance, GroupBy};
use sitrep_model::figure::{
    Comparison, FigureData, FigureSpec, Filters, Measure, Period, SeriesFrame,
};
use sitrep_store::Store;

/// The series `q` asks for: one line per group (or one line), one value per bucket.
pub async fn series(store: &Store, q: &SeriesQuery) -> Result<SeriesFrame, AnalysisError> {
    Analysis::new(store).await?.series(q).await
}

/// The weekly rate of incidents in period `a` against period `b` (`a` is the period
/// of interest), counting records matching `filters` except their date range.
///
/// The rate is count / (days / 7); the ratio is rate_a / rate_b with an exact 95%
/// interval (see [`rate_ratio`]). Zero counts do not fail: `a` empty gives 0, `b`
/// empty an infinite ratio. A period reaching outside the dates the data covers (for
/// the filters' sources) is an input error, [`AnalysisError::PeriodNotCovered`]:
/// its rate would be understated.
pub async fn compare(
    store: &Store,
    filters: &Filters,
    a: Period,
    b: Period,
) -> Result<Comparison, AnalysisError> {
    Analysis::new(store)
        .await?
        .compare(filters, Measure::Incidents, a, b)
        .await
}

/// Everything `spec` asks for: see [`Analysis::figure_data`].
pub async fn figure_data(store: &Store, spec: &FigureSpec) -> Result<FigureData, AnalysisError> {
    Analysis::new(store).await?.figure_data(spec).await
}

/// The ids of the records behind the value of `q` in the bucket containing `day`, for
/// the line labelled `group` (`None`: every line). Under `top`, the `Other` line's
/// records are those in no kept group. For smoothed lines, trace each bucket of the
/// window; for shares, this is the numerator. Ids are sorted and distinct.
pub async fn trace(
    store: &Store,
    q: &SeriesQuery,
    day: NaiveDate,
    group: Option<&str>,
) -> Result<Vec<String>, AnalysisError> {
    Analysis::new(store).await?.trace(q, day, group).await
}
