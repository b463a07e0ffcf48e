//! `GET /api/v1/actors/graph`: the actor network on a day (or over all time) from
//! the registry's relations, as JSON, GraphML (for Gephi) or DOT. The graph is
//! computed by [`sitrep_resolve::Registry::graph`]; this handler parses, calls it
//! once and presents.

use super::json;
use crate::error::ApiError;
use crate::params::Params;
use crate::AppState;
use axum::extract::State;
use axum::http::{header, HeaderMap};
use axum::response::{IntoResponse, Response};
use serde_json::{json, Value};

/// The media type of GraphML.
pub const GRAPHML: &str = "application/graphml+xml";

/// `GET /api/v1/actors/graph?at=YYYY-MM-DD&format=json|graphml|dot`; without
/// `format`, an `Accept` naming GraphML gets GraphML.
pub async fn show(
    State(state): State<AppState>,
    headers: HeaderMap,
    p: Params,
) -> Result<Response, ApiError> {
    p.check(false, &["at", "format"])?;
    let at = crate::params::date(&p, "at")?;
    let format = match p.one("format")? {
        Some(_) => p.choice("format", &["json", "graphml", "dot"], "json")?,
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

/// The OpenAPI path items of this module and of the map points and names.
pub(crate) fn openapi_paths() -> Vec<(&'static str, Value)> {
    let q = |name: &str, schema: Value, description: &str, example: Value| {
        json!({"name": name, "in": "query", "required": false, "schema": schema,
               "description": description, "example": example})
    };
    let errors = json!({
        "400": {"$ref": "#/components/responses/BadRequest"},
        "414": {"$ref": "#/components/responses/TooLong"}});
    let filters: Vec<Value> = crate::params::FILTER_KEYS
        .iter()
        .map(|k| json!({"$ref": format!("#/components/parameters/{k}")}))
        .collect();
    let mut graph_responses = errors.clone();
    graph_responses["200"] = json!({
        "description": "Actors (nodes, with their kind on the day) and the relations holding on the day (links, with kind, direction, period and citation)",
        "content": {
            "application/json": {"schema": {"type": "object", "properties": {
                "at": {"type": ["string", "null"], "format": "date"},
                "nodes": {"type": "array", "items": {"type": "object", "properties": {
                    "id": {"type": "string"}, "name": {"type": "string"}, "kind": {"type": "string"}, "degree": {"type": "integer"}}}},
                "links": {"type": "array", "items": {"type": "object", "properties": {
                    "source": {"type": "string"}, "target": {"type": "string"}, "kind": {"type": "string"},
                    "directed": {"type": "boolean"}, "from": {"type": ["string", "null"], "format": "date"},
                    "to": {"type": ["string", "null"], "format": "date"}, "citation": {"type": "string"},
                    "note": {"type": "string"}}}}}}},
            "application/graphml+xml": {"schema": {"type": "string"}},
            "text/vnd.graphviz": {"schema": {"type": "string"}}}});
    let mut points_responses = errors.clone();
    points_responses["200"] = json!({
        "description": "Every incident matching the filters as a compact row (oldest first): record id, date, latitude, longitude (null when the record has no coordinates), event type, best fatality estimate (null when unknown), actor ids, location",
        "content": {"application/json": {"schema": {"type": "object", "properties": {
            "columns": {"type": "array", "items": {"type": "string"}},
            "total": {"type": "integer"}, "located": {"type": "integer"},
            "first": {"type": ["string", "null"], "format": "date"}, "last": {"type": ["string", "null"], "format": "date"},
            "filters": {"type": "object"},
            "points": {"type": "array", "items": {"type": "array"}}}}}}});
    let mut names_responses = errors;
    names_responses["200"] = json!({
        "description": "Names and aliases a person may type, each with the id or code the filters resolve it to",
        "content": {"application/json": {"schema": {"type": "array", "items": {"type": "object", "properties": {
            "name": {"type": "string"}, "id": {"type": "string"}, "label": {"type": "string"}}}}}}});
    vec![
        (
            "/actors/graph",
            json!({"get": {
                "summary": "The actor network from the registry's relations: the links holding on a day (every relation without `at`), as JSON, GraphML (format=graphml or Accept: application/graphml+xml; for Gephi) or DOT",
                "parameters": [
                    q("at", json!({"type": "string", "format": "date"}), "The day the relations hold on (YYYY-MM-DD); without it, every relation", json!("2022-01-01")),
                    q("format", json!({"type": "string", "enum": ["json", "graphml", "dot"], "default": "json"}), "Output format", json!("graphml")),
                ],
                "responses": graph_responses}}),
        ),
        (
            "/map/points",
            json!({"get": {
                "summary": "Incidents as map points for the interactive map: one compact row per incident matching the filters",
                "parameters": filters,
                "responses": points_responses}}),
        ),
        (
            "/names",
            json!({"get": {
                "summary": "Autocomplete: the actor names and aliases (field=actor) or province names and spellings (field=province) that the filters resolve, optionally only those containing q",
                "parameters": [
                    q("field", json!({"type": "string", "enum": ["actor", "province"], "default": "actor"}), "Which names", json!("actor")),
                    q("q", json!({"type": "string"}), "Only names containing this text (case and punctuation ignored)", json!("daesh")),
                ],
                "responses": names_responses}}),
        ),
    ]
}
