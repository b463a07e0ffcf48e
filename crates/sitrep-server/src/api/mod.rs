//! The JSON API, one module per resource, and the queries the pages share with it.

pub mod actors;
pub mod check;
pub mod claims;
pub mod figures;
pub mod forecast;
pub mod graph;
pub mod incidents;
pub mod map;
pub mod openapi;
pub mod places;
pub mod png;
pub mod points;
pub mod series;
pub mod sources;
pub mod summary;
pub mod watch;

use crate::error::ApiError;
use crate::table::Row;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use sitrep_store::query::{fatality_totals, Table};

/// A JSON answer.
pub(crate) fn json(v: serde_json::Value) -> Response {
    ([(header::CONTENT_TYPE, "application/json")], v.to_string()).into_response()
}

/// A CSV answer, offered as a download named `name`.
pub(crate) fn csv(body: String, name: &str) -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("inline; filename=\"{name}\""),
            ),
        ],
        body,
    )
        .into_response()
}

/// A GeoJSON answer.
pub(crate) fn geojson(v: serde_json::Value) -> Response {
    (
        [(header::CONTENT_TYPE, "application/geo+json")],
        v.to_string(),
    )
        .into_response()
}

/// The aggregate columns every count query selects over `incidents`: the store's one
/// definition of fatality totals ([`sitrep_store::query::fatality_totals`]), so the
/// API counts as the analysis layer does.
pub(crate) fn aggregates() -> &'static str {
    static S: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
        format!(
            "count(*) AS incidents, {}, \
             sum(CASE WHEN fatalities_best IS NULL THEN 1 ELSE 0 END) AS fatalities_unknown",
            fatality_totals(Table::Incidents)
        )
    });
    &S
}

/// [`aggregates`] over the store's `rollup` (pre-aggregated counts: same results).
pub(crate) fn rollup_aggregates() -> &'static str {
    static S: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
        format!(
            "sum(n) AS incidents, {}, sum(n) - sum(best_known) AS fatalities_unknown",
            fatality_totals(Table::Rollup)
        )
    });
    &S
}

/// Where counts for `f` come from: the store's rollup (pre-aggregated by day, place,
/// actors, type, precision and source; built on ingest) when it is current and `f`
/// filters only on its dimensions, else the `incidents` view. Returns the table and
/// the aggregate expressions. Both give the same counts (tested).
pub(crate) fn counts_from(
    state: &crate::AppState,
    f: &crate::params::Filters,
) -> (&'static str, &'static str) {
    if state.serve_rollup()
        && f.districts.is_empty()
        && f.attribution.is_empty()
        && f.source_types.is_empty()
        && f.distance_bands.is_empty()
    {
        ("rollup", rollup_aggregates())
    } else {
        ("incidents", aggregates())
    }
}

/// Counts and fatality sums of one group, added as [`sitrep_model::Fatalities`] says.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct Counts {
    /// Incidents.
    pub incidents: i64,
    /// Sum of low estimates (a missing low counts 0).
    pub fatalities_low: i64,
    /// Sum of best estimates (a missing best counts as the record's low, then 0).
    pub fatalities_best: i64,
    /// Sum of high estimates; `None` (null in JSON, empty in CSV) when a counted
    /// incident has no high estimate (ACLED gives none), as no upper bound can then be
    /// stated.
    pub fatalities_high: Option<i64>,
    /// Incidents with no best estimate (counted in the best sum by their low).
    pub fatalities_unknown: i64,
}

impl Default for Counts {
    /// Nothing counted: every sum 0, the high included (no incident lacks one).
    fn default() -> Counts {
        Counts {
            incidents: 0,
            fatalities_low: 0,
            fatalities_best: 0,
            fatalities_high: Some(0),
            fatalities_unknown: 0,
        }
    }
}

impl std::ops::AddAssign for Counts {
    fn add_assign(&mut self, o: Counts) {
        self.incidents += o.incidents;
        self.fatalities_low += o.fatalities_low;
        self.fatalities_best += o.fatalities_best;
        self.fatalities_high = self
            .fatalities_high
            .zip(o.fatalities_high)
            .map(|(a, b)| a + b);
        self.fatalities_unknown += o.fatalities_unknown;
    }
}

impl Counts {
    pub(crate) fn from_row(r: &Row) -> Counts {
        use crate::table::i;
        Counts {
            incidents: i(r, "incidents"),
            fatalities_low: i(r, "fatalities_low"),
            fatalities_best: i(r, "fatalities_best"),
            fatalities_high: r.get("fatalities_high").and_then(serde_json::Value::as_i64),
            fatalities_unknown: i(r, "fatalities_unknown"),
        }
    }

    /// The high sum as a CSV cell: empty when unknown.
    pub(crate) fn high_cell(&self) -> String {
        self.fatalities_high
            .map(|h| h.to_string())
            .unwrap_or_default()
    }
}

/// Fails with 404 naming what was not found.
pub(crate) fn not_found(what: &str, id: &str, list: &str) -> ApiError {
    let id: String = id.chars().take(80).collect();
    ApiError::NotFound(format!("no {what} `{id}`; see {list}"))
}
