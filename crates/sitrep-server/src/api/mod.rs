//! The JSON API, one module per resource, and the queries the pages share with it.
//! [`endpoints`] is the route table: every `/api/v1` route, the query parameters it
//! accepts and its description, from which `routes.rs` builds the router and
//! [`openapi`] the document.

pub mod actors;
pub mod check;
pub mod claims;
pub(crate) mod endpoints;
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

pub use sitrep_model::Counts;

/// Fails with 404 naming what was not found.
pub(crate) fn not_found(what: &str, id: &str, list: &str) -> ApiError {
    let id: String = id.chars().take(80).collect();
    ApiError::NotFound(format!("no {what} `{id}`; see {list}"))
}
