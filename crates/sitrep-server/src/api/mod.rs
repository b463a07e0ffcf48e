//! The JSON API, one module per resource, and the queries the pages share with it.

pub mod actors;
pub mod claims;
pub mod figures;
pub mod incidents;
pub mod map;
pub mod openapi;
pub mod places;
pub mod series;
pub mod sources;
pub mod summary;

use crate::error::ApiError;
use crate::table::Row;
use axum::http::header;
use axum::response::{IntoResponse, Response};

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

/// The aggregate columns every count query selects.
pub(crate) const AGGREGATES: &str = "count(*) AS incidents, \
     sum(fatalities_low) AS fatalities_low, sum(fatalities_best) AS fatalities_best, \
     sum(fatalities_high) AS fatalities_high, \
     sum(CASE WHEN fatalities_best IS NULL THEN 1 ELSE 0 END) AS fatalities_unknown";

/// [`AGGREGATES`] over the store's `rollup` (pre-aggregated counts: same results).
pub(crate) const ROLLUP_AGGREGATES: &str = "sum(n) AS incidents, \
     sum(lo) AS fatalities_low, sum(best_given) AS fatalities_best, \
     sum(hi) AS fatalities_high, \
     sum(n) - sum(best_known) AS fatalities_unknown";

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
        ("rollup", ROLLUP_AGGREGATES)
    } else {
        ("incidents", AGGREGATES)
    }
}

/// Counts and fatality sums of one group.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct Counts {
    /// Incidents.
    pub incidents: i64,
    /// Sum of low estimates.
    pub fatalities_low: i64,
    /// Sum of best estimates.
    pub fatalities_best: i64,
    /// Sum of high estimates.
    pub fatalities_high: i64,
    /// Incidents with no best estimate (not in the sums).
    pub fatalities_unknown: i64,
}

impl Counts {
    pub(crate) fn from_row(r: &Row) -> Counts {
        use crate::table::i;
        Counts {
            incidents: i(r, "incidents"),
            fatalities_low: i(r, "fatalities_low"),
            fatalities_best: i(r, "fatalities_best"),
            fatalities_high: i(r, "fatalities_high"),
            fatalities_unknown: i(r, "fatalities_unknown"),
        }
    }
}

/// Fails with 404 naming what was not found.
pub(crate) fn not_found(what: &str, id: &str, list: &str) -> ApiError {
    let id: String = id.chars().take(80).collect();
    ApiError::NotFound(format!("no {what} `{id}`; see {list}"))
}
