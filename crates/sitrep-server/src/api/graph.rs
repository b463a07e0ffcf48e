//! `GET /api/v1/actors/graph`: the actor network on a day (or over all time) from
//! the registry's relations, as JSON, GraphML (for Gephi) or DOT. The graph is
//! computed by [`sitrep_resolve::Registry::graph`]; this handler parses, calls it
//! once and presents.

use super::json;
use crate::error::ApiError;
use crate::params::{Kind, Param, Params};
use crate::AppState;
use axum::extract::State;
use axum::http::{header, HeaderMap};
use axum::response::{IntoResponse, Response};

/// The media type of GraphML.
pub const GRAPHML: &str = "application/graphml+xml";

/// `at` of the graph.
pub(crate) const AT: Param = Param::new(
    "at",
    Kind::Date,
    "The day the relations hold on (YYYY-MM-DD); without it, every relation",
    "2022-01-01",
);

/// `format` of the graph.
pub(crate) const FORMAT: Param = Param::new(
    "format",
    Kind::Choice {
        choices: &["json", "graphml", "dot"],
        default: Some("json"),
    },
    "Output format",
    "graphml",
);

/// `GET /api/v1/actors/graph?at=YYYY-MM-DD&format=json|graphml|dot`; without
/// `format`, an `Accept` naming GraphML gets GraphML.
pub async fn show(
    State(state): State<AppState>,
    headers: HeaderMap,
    p: Params,
) -> Result<Response, ApiError> {
    let at = crate::params::date(&p, AT.name)?;
    let format = match p.one(FORMAT.name)? {
        Some(_) => p.choice_of(&FORMAT)?,
        None if headers
            .get(header::ACCEPT)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.contains(GRAPHML)) =>
        {
            "graphml"
        }
        None => "json",
    };
    let g = state.resolver().registry().graph(at);
    let vary = (header::VARY, "accept");
    Ok(match format {
        "graphml" => (
            [
                (
                    header::CONTENT_TYPE,
                    "application/graphml+xml; charset=utf-8",
                ),
                vary,
            ],
            sitrep_render::graph::graph_graphml(&g),
        )
            .into_response(),
        "dot" => (
            [
                (header::CONTENT_TYPE, "text/vnd.graphviz; charset=utf-8"),
                vary,
            ],
            sitrep_render::graph::graph_dot(&g),
        )
            .into_response(),
        _ => {
            let mut r = json(serde_json::to_value(&g).map_err(ApiError::internal)?);
            r.headers_mut()
                .insert(header::VARY, header::HeaderValue::from_static("accept"));
            r
        }
    })
}
