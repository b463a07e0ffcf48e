//! `GET /api/v1/openapi.json`: the OpenAPI 3.1 description of the API, generated.
//! Its `paths` come from the route table the router serves ([`endpoints::all`]):
//! every operation's summary, path parameters, request body, responses and
//! security, and its query parameters from the [`Param`]s the handlers parse
//! (shared ones under `components/parameters`). The schemas of the typed answers
//! (counts, an incident of the list, a summary, a province's or district's counts)
//! are generated from the types the handlers serialise ([`sitrep_model::schema`]:
//! names, types, descriptions from doc comments, required fields). Tests call every
//! documented operation and example, check that every route refuses a key it does
//! not document, and compare served objects' keys with the schemas.

use super::endpoints::{self, Access, Endpoint};
use super::json;
use crate::params::{Kind, Param, FILTER_PARAMS, MAX_QUERY_BYTES};
use axum::response::Response;
use serde_json::{json, Map, Value};
use sitrep_model::schema::Schema;
use std::collections::BTreeMap;

/// The JSON Schema of what a parameter takes.
fn schema(kind: &Kind) -> Value {
    let mut s = match *kind {
        Kind::Text { default } => json!({"type": "string", "default": default}),
        Kind::Date => json!({"type": "string", "format": "date"}),
        Kind::Choice { choices, default } => {
            json!({"type": "string", "enum": choices, "default": default})
        }
        Kind::Int { min, max, default } => {
            json!({"type": "integer", "minimum": min, "maximum": max, "default": default})
        }
        Kind::Bool { default } => json!({"type": "boolean", "default": default}),
        Kind::Positive { max, default } => {
            json!({"type": "number", "exclusiveMinimum": 0, "maximum": max, "default": default})
        }
    };
    // No default or bound: no key.
    if let Value::Object(m) = &mut s {
        m.retain(|_, v| !v.is_null());
    }
    s
}

/// A parameter's example as a JSON value of its type.
fn example(p: &Param) -> Value {
    let number = |v: &str| {
        v.parse::<u64>()
            .map(Value::from)
            .or_else(|_| v.parse::<f64>().map(Value::from))
            .unwrap_or_else(|_| Value::from(v))
    };
    match p.kind {
        Kind::Int { .. } | Kind::Positive { .. } => number(p.example),
        Kind::Bool { .. } => Value::Bool(p.example == "true"),
        _ => Value::from(p.example),
    }
}

/// The OpenAPI parameter object of a query parameter.
fn parameter(p: &Param) -> Value {
    json!({"name": p.name, "in": "query", "required": false, "schema": schema(&p.kind),
           "description": p.description, "example": example(p)})
}

/// A query parameter in an operation: a reference when it is shared.
fn parameter_in_operation(p: &Param) -> Value {
    match p.component {
        Some(key) => json!({"$ref": format!("#/components/parameters/{key}")}),
        None => parameter(p),
    }
}

/// The shared parameters by component key: the filter keys and every shared
/// parameter of a route. A key declared twice differently is an error.
pub(crate) fn shared_parameters(
    table: &[Endpoint],
) -> Result<BTreeMap<&'static str, Param>, String> {
    let mut out: BTreeMap<&'static str, Param> = BTreeMap::new();
    let own = table.iter().flat_map(|e| e.accepts.params.iter());
    for p in FILTER_PARAMS.iter().chain(own) {
        let Some(key) = p.component else { continue };
        match out.get(key) {
            Some(q) if q != p => {
                return Err(format!(
                    "components/parameters/{key} is declared twice, differently"
                ))
            }
            _ => {
                out.insert(key, *p);
            }
        }
    }
    Ok(out)
}

/// The OpenAPI operation object of an endpoint.
fn operation(e: &Endpoint) -> Value {
    let mut parameters: Vec<Value> = e
        .path_params
        .iter()
        .map(|p| {
            json!({"name": p.name, "in": "path", "required": true, "schema": {"type": "string"},
                   "description": p.description, "example": p.example})
        })
        .collect();
    if e.accepts.filters {
        parameters.extend(FILTER_PARAMS.iter().map(parameter_in_operation));
    }
    parameters.extend(e.accepts.params.iter().map(parameter_in_operation));
    let mut op = json!({"summary": e.summary, "parameters": parameters, "responses": e.responses});
    match e.access {
        Access::Read => {}
        Access::Open => op["security"] = json!([]),
        Access::Analyst => op["security"] = json!([{"bearer": []}, {"session": []}]),
    }
    if let Some(body) = &e.request_body {
        op["requestBody"] = body.clone();
    }
    op
}

/// The document's `paths`: every endpoint of the route table, by path and method.
fn paths(table: &[Endpoint]) -> Value {
    let mut paths = Map::new();
    for e in table {
        let item = paths.entry(e.path).or_insert_with(|| json!({}));
        item[e.method.as_str()] = operation(e);
    }
    Value::Object(paths)
}

/// The document.
pub fn document() -> Value {
    let list = |t: &str| json!({"type": "array", "items": {"type": t}});
    let obj = json!({"type": "object"});
    let table = endpoints::all();
    let parameters: Map<String, Value> = shared_parameters(&table)
        .unwrap_or_default()
        .iter()
        .map(|(key, p)| (key.to_string(), parameter(p)))
        .collect();
    json!({
        "openapi": "3.1.0",
        "info": {
            "title": "sitrep API",
            "version": env!("CARGO_PKG_VERSION"),
            "summary": "Violent-incident records, aggregates, actors and places, read-only.",
            "description": format!(
                "Every list filter takes repeated keys or comma-separated values. Unknown parameters are \
                 rejected. Errors are RFC 9457 problem details. Query strings longer than {MAX_QUERY_BYTES} \
                 bytes get 414. Records of ACLED-sourced data are served without the verbatim row (licence)."),
            "license": {"name": "Apache-2.0", "identifier": "Apache-2.0"},
        },
        "servers": [{"url": "/api/v1"}],
        "paths": paths(&table),
        "components": {
            "parameters": parameters,
            "securitySchemes": {
                "bearer": {"type": "http", "scheme": "bearer", "description": "API token from `sitrep users token NAME`"},
                "session": {"type": "apiKey", "in": "cookie", "name": "sitrep_session", "description": "From POST /login; writes also need the X-CSRF-Token header"},
            },
            "responses": {
                "BadRequest": {"description": "A parameter is malformed, unknown or out of range",
                    "content": {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}},
                "NotFound": {"description": "No such item",
                    "content": {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}},
                "TooLong": {"description": "Query string too long",
                    "content": {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}},
            },
            "schemas": {
                "Problem": {"type": "object", "required": ["type", "title", "status", "detail"], "properties": {
                    "type": {"type": "string"}, "title": {"type": "string"},
                    "status": {"type": "integer"}, "detail": {"type": "string"}}},
                "Counts": sitrep_model::Counts::schema(),
                "Incident": sitrep_model::IncidentRow::schema(),
                "Summary": sitrep_model::Totals::schema(),
                "ProvinceCounts": crate::api::map::ProvinceCounts::schema(),
                "DistrictCounts": crate::api::places::DistrictCounts::schema(),
                "PlaceCheck": sitrep_model::PlaceCheck::schema(),
                "IncidentPage": {"type": "object", "properties": {
                    "total": {"type": "integer"}, "page": {"type": "integer"}, "page_size": {"type": "integer"},
                    "pages": {"type": "integer"}, "sort": {"type": "string"}, "filters": obj,
                    "links": {"type": "object", "properties": {"next": {"type": ["string", "null"]}, "prev": {"type": ["string", "null"]}}},
                    "items": {"type": "array", "items": {"$ref": "#/components/schemas/Incident"}}}},
                "IncidentDetail": {"type": "object", "properties": {
                    "record_id": {"type": "string"}, "current": {"type": "boolean"}, "incident": obj,
                    "versions": {"type": "array", "items": obj, "description": "every version: file, line, batch, row_hash, verbatim raw (withheld for ACLED)"},
                    "licence": {"type": ["string", "null"]}, "citation": {"type": "string"}}},
                "StringList": list("string"),
            },
        },
    })
}

/// `GET /api/v1/openapi.json`.
pub async fn show() -> Response {
    json(document())
}
