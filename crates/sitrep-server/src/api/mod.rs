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

pub use sitrep_model::Counts;

/// [`Counts`] from a row of the [`aggregates`] columns.
pub(crate) fn counts_from_row(r: &Row) -> Counts {
    use crate::table::i;
    Counts {
        incidents: i(r, "incidents"),
        fatalities_low: i(r, "fatalities_low"),
        fatalities_best: i(r, "fatalities_best"),
        fatalities_high: r.get("fatalities_high").and_then(serde_json::Value::as_i64),
        fatalities_unknown: i(r, "fatalities_unknown"),
    }
}

/// Fails with 404 naming what was not found.
pub(crate) fn not_found(what: &str, id: &str, list: &str) -> ApiError {
    let id: String = id.chars().take(80).collect();
    ApiError::NotFound(format!("no {what} `{id}`; see {list}"))
}
