//! `GET /api/v1/openapi.json`: the OpenAPI 3.1 description of the API. The schemas
//! of the typed answers (counts, an incident of the list, a summary, a province's or
//! district's counts) are generated from the types the handlers serialise
//! ([`sitrep_model::schema`]: names, types, descriptions from doc comments, required
//! fields); paths and parameters are described here next to the handlers. Tests hold
//! the document to the router in both directions (every route documented, every
//! documented path served), call every documented example, and compare served
//! objects' keys with the schemas.

use super::json;
use crate::error::ApiError;
use crate::params::{Params, Sort, EVENT_TYPES, MAX_PAGE_SIZE, MAX_QUERY_BYTES};
use axum::response::Response;
use serde_json::{json, Value};
use sitrep_model::schema::Schema;

fn param(name: &str, schema: Value, description: &str, example: Value) -> Value {
    json!({"name": name, "in": "query", "required": false, "schema": schema,
           "description": description, "example": example})
}

/// An analyst's write: token or session (with CSRF), the journal entry on success.
fn write_op(summary: &str, parameters: Value) -> Value {
    json!({"summary": summary, "parameters": parameters,
           "security": [{"bearer": []}, {"session": []}],
           "responses": {
               "200": {"description": "The journal entry written"},
               "400": {"description": "A bad body or value (problem+json)"},
               "401": {"description": "No credentials"},
               "403": {"description": "Read-only server, viewer role or bad CSRF token"},
               "404": {"description": "No such claim, incident or entry"}}})
}

fn path_param(name: &str, description: &str, example: &str) -> Value {
    json!({"name": name, "in": "path", "required": true, "schema": {"type": "string"},
           "description": description, "example": example})
}

fn filter_refs() -> Vec<Value> {
    crate::params::FILTER_KEYS
        .iter()
        .map(|k| json!({"$ref": format!("#/components/parameters/{k}")}))
        .collect()
}

fn with(mut base: Vec<Value>, extra: &[&str]) -> Value {
    base.extend(
        extra
            .iter()
            .map(|k| json!({"$ref": format!("#/components/parameters/{k}")})),
    );
    Value::Array(base)
}

fn ok(description: &str, schema: Value) -> Value {
    json!({
        "200": {"description": description, "content": {"application/json": {"schema": schema}}},
        "400": {"$ref": "#/components/responses/BadRequest"},
        "414": {"$ref": "#/components/responses/TooLong"},
    })
}

fn ok_404(description: &str, schema: Value) -> Value {
    let mut v = ok(description, schema);
    v["404"] = json!({"$ref": "#/components/responses/NotFound"});
    v
}

fn get(summary: &str, params: Value, responses: Value) -> Value {
    json!({"get": {"summary": summary, "parameters": params, "responses": responses}})
}

fn changes_params() -> Value {
    let mut v = filter_refs();
    v.push(json!({"$ref": "#/components/parameters/bucket"}));
    v.push(param(
        "method",
        json!({"type": "string", "enum": ["pelt", "binseg", "bocpd"], "default": "pelt"}),
        "Segmentation method",
        json!("binseg"),
    ));
    v.push(param(
        "penalty",
        json!({"type": "string", "default": "mbic"}),
        "Penalty per change point: mbic, bic, aic, hq or a number",
        json!("bic"),
    ));
    v.push(param(
        "cost",
        json!({"type": "string", "enum": ["poisson", "negbin"], "default": "poisson"}),
        "Segment cost",
        json!("negbin"),
    ));
    Value::Array(v)
}

/// The document.
pub fn document() -> Value {
    let list = |t: &str| json!({"type": "array", "items": {"type": t}});
    let counts = json!({"$ref": "#/components/schemas/Counts"});
    let obj = json!({"type": "object"});
    let mut incidents = get(
        "Incidents matching the filters, one page at a time",
        with(
            filter_refs(),
            &["page", "page_size", "sort", "format_incidents"],
        ),
        ok(
            "A page of incidents (JSON), or the page as CSV or GeoJSON",
            json!({"$ref": "#/components/schemas/IncidentPage"}),
        ),
    );
    incidents["get"]["responses"]["200"]["content"]["text/csv"] =
        json!({"schema": {"type": "string"}});
    incidents["get"]["responses"]["200"]["content"]["application/geo+json"] =
        json!({"schema": obj});
    let counted_from = json!({"type": "string", "enum": ["rollup", "incidents"],
        "description": "Where the counts came from: the store's rollup (pre-aggregated on ingest) or the incidents view (district or attribution filters); both give the same numbers"});
    let mut series = get(
        "Incidents and fatality sums per bucket, zero-filled",
        with(filter_refs(), &["bucket", "format_table"]),
        ok(
            "The series",
            json!({"type": "object", "properties": {
            "bucket": {"type": "string"}, "filters": obj, "counted_from": counted_from.clone(),
            "points": {"type": "array", "items": {"allOf": [counts, {"type": "object", "properties": {
                "start": {"type": "string", "format": "date"}, "end": {"type": "string", "format": "date"}}}]}}}}),
        ),
    );
    series["get"]["responses"]["200"]["content"]["text/csv"] =
        json!({"schema": {"type": "string"}});
    let mut map = get(
        "Incidents and fatality sums per province (every province, zeros included)",
        with(filter_refs(), &["format_table"]),
        ok(
            "Per-province counts",
            json!({"type": "object", "properties": {
            "level": {"const": "province"}, "filters": obj, "unlocated": counts, "counted_from": counted_from,
            "provinces": {"type": "array", "items": {"$ref": "#/components/schemas/ProvinceCounts"}}}}),
        ),
    );
    map["get"]["responses"]["200"]["content"]["text/csv"] = json!({"schema": {"type": "string"}});
    let mut figure = get(
        "One bundled figure computed over the store: its data (JSON), drawing (SVG), plotted values (CSV) or a one-figure HTML report",
        json!([path_param("id", "bundled figure id (see /figures)", "fig7"),
               {"$ref": "#/components/parameters/from"}, {"$ref": "#/components/parameters/to"},
               {"$ref": "#/components/parameters/compare"}, {"$ref": "#/components/parameters/changes"},
               {"$ref": "#/components/parameters/format_figure"},
               param("scale", json!({"type": "number", "exclusiveMinimum": 0, "maximum": 4, "default": 1}), "format=png only: multiplies the figure's size in pixels", json!(2))]),
        ok_404(
            "The figure: spec as drawn, data with provenance, links",
            json!({"type": "object", "properties": {
                "id": {"type": "string"}, "spec": obj, "data": obj, "links": obj,
                "period_replaced": {"type": "boolean", "description": "true when the spec's own period was replaced (asked for, or outside the data)"}}}),
        ),
    );
    figure["get"]["responses"]["200"]["content"]["image/svg+xml"] =
        json!({"schema": {"type": "string"}});
    figure["get"]["responses"]["200"]["content"]["text/csv"] =
        json!({"schema": {"type": "string"}});
    figure["get"]["responses"]["200"]["content"]["text/html"] =
        json!({"schema": {"type": "string"}});
    figure["get"]["responses"]["200"]["content"]["image/png"] =
        json!({"schema": {"type": "string", "contentMediaType": "image/png"}});
    let mut report = get(
        "The example report over the bundled data (specs/reports/bundled.toml) as one self-contained HTML file",
        json!([{"$ref": "#/components/parameters/from"}, {"$ref": "#/components/parameters/to"},
               {"$ref": "#/components/parameters/compare"}]),
        ok("The report", json!({"type": "string"})),
    );
    report["get"]["responses"]["200"]["content"] =
        json!({"text/html": {"schema": {"type": "string"}}});

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
        "paths": {
            "/incidents": incidents,
            "/incidents/{record_id}": get(
                "One incident with every version of its source record and their provenance",
                json!([path_param("record_id", "`source:source_event_id:version`", "ucdp:244657:1")]),
                ok_404("The incident", json!({"$ref": "#/components/schemas/IncidentDetail"})),
            ),
            "/summary": get("Headline numbers for the filters", with(filter_refs(), &[]),
                ok("Counts, date range and number of sources", json!({"allOf": [
                    {"$ref": "#/components/schemas/Summary"},
                    {"type": "object", "properties": {"filters": obj, "records": {"type": "string"}}}]}))),
            "/series": series,
            "/forecast": get("Forecasts per province-month (or country-month), 1–6 months ahead, by the forecaster a rolling-origin back-test chose over the standard baselines; months without coverage are neither trained on nor scored. Takes every filter key of /series as well (dates bound the training data)",
                {
                    let mut a: Vec<Value> = Vec::new();
                    {
                        a.push(param("level", json!({"enum": ["province", "country"]}), "unit of the forecast", json!("province")));
                        a.push(param("measure", json!({"enum": ["incidents", "fatalities_best"]}), "what is counted", json!("incidents")));
                        a.push(param("horizons", json!({"type": "integer", "minimum": 1, "maximum": 6}), "months ahead", json!(3)));
                        a.push(param("backtest_months", json!({"type": "integer", "minimum": 1, "maximum": 120}), "rolling origins over the last N months", json!(24)));
                        a.push(param("samples", json!({"type": "integer", "minimum": 1, "maximum": 1000}), "predictive samples per back-test cell", json!(200)));
                        a.push(param("bootstrap", json!({"type": "integer", "minimum": 1, "maximum": 1000}), "bootstrap replicates for skill intervals", json!(200)));
                        a.push(param("seed", json!({"type": "integer", "minimum": 1}), "seed of every random draw", json!(1)));
                    }
                    Value::Array(a)
                },
                ok("The forecasts, the chosen forecaster and the back-test", json!({"type": "object", "properties": {
                    "chosen": {"type": "string"}, "chosen_is_baseline": {"type": "boolean"}, "explanation": {"type": "string"},
                    "trained_from": {"type": "string", "format": "date"}, "trained_to": {"type": "string", "format": "date"},
                    "cells": {"type": "array", "items": obj}, "scores": {"type": "array", "items": obj},
                    "skills": {"type": "array", "items": obj}, "warnings": {"type": "array", "items": {"type": "string"}}}}))),
            "/map/provinces": map,
            "/actors": get("The actor registry, with incidents per actor under the filters",
                with(filter_refs(), &[]),
                ok("Actors", json!({"type": "object", "properties": {"actors": {"type": "array", "items": obj}}}))),
            "/actors/{id}": get("One actor: aliases, kind, relations and leaders with citations, activity",
                json!([path_param("id", "actor id", "taliban")]),
                ok_404("The actor", obj.clone())),
            "/places": get("Provinces of the gazetteer, with counts under the filters",
                with(filter_refs(), &[]),
                ok("Provinces", json!({"type": "object", "properties": {"places": {"type": "array", "items": obj}}}))),
            "/places/{code}": get("One province: capital, districts, activity",
                json!([path_param("code", "ISO 3166-2 code or any spelling of the name", "AF-KAB")]),
                ok_404("The province", obj.clone())),
            "/sources": get("Ingested batches and sources", json!([]),
                ok("Sources and batches", json!({"type": "object", "properties": {
                    "sources": {"type": "array", "items": obj}, "batches": {"type": "array", "items": obj}}}))),
            "/figures": get("The bundled figure specs, with links to each drawn over the store", json!([]),
                ok("Figures", json!({"type": "object", "properties": {
                    "figures": {"type": "array", "items": obj},
                    "data_range": {"type": ["object", "null"]}, "report": {"type": "string"}}}))),
            "/figures/{id}": figure,
            "/report": report,
            "/changes": get("Change points of the filters' count series (PELT or binary segmentation with a Poisson or negative-binomial cost and R changepoint's penalties, or Poisson-Gamma BOCPD): each break with its date interval, the rates before and after and their ratio with an exact 95% interval. Each covered stretch is segmented on its own.",
                changes_params(),
                ok("Breaks", json!({"type": "object", "properties": {
                    "starts": list("string"), "values": {"type": "array", "items": {"type": ["number", "null"]}},
                    "breaks": {"type": "array", "items": obj}, "uncovered": {"type": "integer"}, "filters": obj}}))),
            "/alerts": get("Status changes of the bundled indicators (and the store's indicators/ directory) evaluated as of today: id, indicator, bucket, from/to status, evidence, data vintage, 'incomplete' flag; with each scenario's latest status",
                json!([]),
                ok("Alerts", json!({"type": "object", "properties": {
                    "vintage": {"type": "string"}, "fired": list("string"),
                    "scenarios": {"type": "array", "items": obj}, "alerts": {"type": "array", "items": obj}}}))),
            "/alerts.atom": {"get": {"summary": "The same alerts as an Atom 1.0 feed (newest first)", "parameters": [],
                "responses": {"200": {"description": "Atom feed", "content": {"application/atom+xml": {"schema": {"type": "string"}}}},
                    "400": {"$ref": "#/components/responses/BadRequest"}}}},
            "/openapi.json": get("This document", json!([]), ok("OpenAPI 3.1", obj.clone())),
            "/check": {
                "post": {"summary": "Check an article's claims against the store: each sentence checkable or not (with the reason), each claim with a verdict (supported, contradicted, mixed, not_enough_data), the numbers claimed and measured with intervals, coverage, query variants, the query to re-run (explore URL, `sitrep series` command), record ids and figure data. The same JSON as `sitrep check --format json`. Read-only: no token, no CSRF token.",
                    "security": [],
                    "requestBody": {"required": true, "content": {"application/json": {"schema": {
                        "type": "object", "required": ["text"], "additionalProperties": false,
                        "properties": {
                            "text": {"type": "string", "maxLength": sitrep_check::MAX_TEXT_BYTES,
                                "description": "The article: plain text, Markdown or HTML"},
                            "date": {"type": "string", "format": "date",
                                "description": "The article's date (relative periods and date-scoped actor names resolve against it); default today"}}},
                        "example": {"text": "IS-KP attacks decreased in the first half of 2022.", "date": "2022-09-11"}}}},
                    "responses": {
                        "200": {"description": "The check report", "content": {"application/json": {"schema": {"type": "object", "properties": {
                            "article_date": {"type": "string", "format": "date"},
                            "words": {"type": "integer"},
                            "evidence": {"type": "array", "items": {"type": "string"}},
                            "summary": obj.clone(),
                            "sentences": {"type": "array", "items": obj.clone()}}}}}},
                        "400": {"description": "The body is not the JSON described, or a bad date (problem+json)"},
                        "413": {"description": format!("The body is larger than {} bytes (problem+json, with the sizes)", crate::api::check::MAX_CHECK_BODY_BYTES)},
                        "503": {"description": format!("The check took longer than its time budget of {} s (problem+json)", crate::api::check::CHECK_BUDGET.as_secs())}}},
            },
            "/claims": {
                "get": {"summary": "Claims of responsibility in force (the claims ledger)",
                    "parameters": [
                        param("incident", json!({"type": "string"}), "Only this incident, SOURCE:EVENT_ID", json!("ucdp:244657")),
                        {"$ref": "#/components/parameters/as_of"}],
                    "responses": ok("Claims", json!({"type": "object", "properties": {"claims": {"type": "array", "items": obj}}}))},
                "post": {"summary": "Add a claim (analyst; Bearer token, or session cookie with X-CSRF-Token). Body: incident, claimant, stance, target, date, channel, reported_by, reference, grade, statement, reason. PATCH /claims/{id} edits, DELETE /claims/{id} retracts (reason).",
                    "security": [{"bearer": []}, {"session": []}],
                    "responses": {"201": {"description": "The journal entry"}, "401": {"description": "No credentials"},
                        "403": {"description": "Read-only server, viewer role or bad CSRF token"}}},
            },
            "/verdicts": get("Attribution verdict per incident: computed (status, confidence, basis, claims) and any analyst override. POST/DELETE /verdicts/{incident}/override set or clear an override (analyst).",
                json!([
                    param("status", json!({"type": "string", "enum": ["attributed", "claimed", "contested", "unattributed"]}), "Only this verdict (the one in force)", json!("unattributed")),
                    param("source", json!({"type": "string"}), "Only incidents of this source", json!("ucdp")),
                    {"$ref": "#/components/parameters/as_of"}]),
                ok("Verdicts", json!({"type": "object", "properties": {"verdicts": {"type": "array", "items": obj}}}))),
            "/journal": get("The analyst journal: who, when, what, why, with values before and after. POST /journal/{seq}/undo undoes an entry (analyst).",
                json!([{"$ref": "#/components/parameters/as_of"}]),
                ok("Entries", json!({"type": "object", "properties": {"entries": {"type": "array", "items": obj}}}))),
            "/claims/{id}": {
                "patch": write_op("Edit a claim (analyst). Body: the fields to change and a reason.",
                    json!([path_param("id", "claim id (see /claims)", "c1")])),
                "delete": write_op("Retract a claim (analyst). Body: a reason. The claim stays in the journal.",
                    json!([path_param("id", "claim id (see /claims)", "c1")])),
            },
            "/verdicts/{incident}": get("One incident's attribution verdict: computed (status, confidence, basis, claims) and any analyst override",
                json!([path_param("incident", "incident, SOURCE:EVENT_ID", "ucdp-ged211-subset:244657"),
                       {"$ref": "#/components/parameters/as_of"}]),
                ok_404("The verdict", obj.clone())),
            "/verdicts/{incident}/override": {
                "post": write_op("Set an analyst's override of the verdict (analyst). Body: status, reason.",
                    json!([path_param("incident", "incident, SOURCE:EVENT_ID", "ucdp-ged211-subset:244657")])),
                "delete": write_op("Clear the analyst's override (analyst). Body: a reason.",
                    json!([path_param("incident", "incident, SOURCE:EVENT_ID", "ucdp-ged211-subset:244657")])),
            },
            "/journal/{seq}/undo": {
                "post": write_op("Undo a journal entry (analyst). Body: a reason. The undo is itself an entry.",
                    json!([path_param("seq", "journal sequence number (see /journal)", "1")])),
            },
        },
        "components": {
            "parameters": {
                "from": param("from", json!({"type": "string", "format": "date"}), "First day included (by date_start)", json!("2019-01-01")),
                "to": param("to", json!({"type": "string", "format": "date"}), "Last day included (by date_start)", json!("2020-12-31")),
                "source": param("source", json!({"type": "string"}), "Source names (see /sources)", json!("ucdp")),
                "country": param("country", json!({"type": "string"}), "Countries as the source writes them", json!("Afghanistan")),
                "type": param("type", json!({"type": "string", "enum": EVENT_TYPES}), "Common event types", json!("battle")),
                "province": param("province", json!({"type": "string"}), "Provinces: ISO 3166-2 codes (or names)", json!("AF-KAB")),
                "region": param("region", json!({"type": "string"}), "Regions of the gazetteer's grouping (see /places)", json!("Capital")),
                "district": param("district", json!({"type": "string"}), "District names (see /places/{code})", json!("Kabul")),
                "actor": param("actor", json!({"type": "string"}), "Actor ids or names; matches either side, factions included unless actor_match=exact (see /actors)", json!("taliban")),
                "source_type": param("source_type", json!({"type": "string"}), "The source's own event types, verbatim", json!("State-based")),
                "distance_band": param("distance_band", json!({"type": "string"}), "Distance bands to the nearest provincial capital (the rollup's: 0–5 km, 5–25 km, 25–50 km, 50–100 km, 100+ km)", json!("0–5 km")),
                "role": param("role", json!({"type": "string", "enum": ["any", "a", "b"], "default": "any"}), "Which side the actors must be on (a: side A / actor 1)", json!("a")),
                "actor_match": param("actor_match", json!({"type": "string", "enum": ["with_factions", "exact"], "default": "with_factions"}), "Whether a faction's incidents count for its parent (the Haqqani network for the Taliban); the same rule as the CLI and figures", json!("exact")),
                "coarsest_geo": param("coarsest_geo", json!({"type": "integer", "minimum": 1, "maximum": 5}), "Coarsest location kept (1 point … 5 country); `min_geo_precision` is read too", json!(3)),
                "coarsest_date": param("coarsest_date", json!({"type": "integer", "minimum": 1, "maximum": 4}), "Coarsest date kept (1 day … 4 longer than a month); `min_date_precision` is read too", json!(2)),
                "attribution": param("attribution", json!({"type": "string", "enum": crate::params::ATTRIBUTIONS}), "Attribution verdicts, comma-separated. Needs a claims ledger (400 without one); follows the journal as analysts write to it", json!("contested")),
                "page": param("page", json!({"type": "integer", "minimum": 1, "default": 1}), "1-based page", json!(1)),
                "page_size": param("page_size", json!({"type": "integer", "minimum": 1, "maximum": MAX_PAGE_SIZE, "default": crate::params::DEFAULT_PAGE_SIZE}), "Rows per page", json!(20)),
                "sort": param("sort", json!({"type": "string", "enum": Sort::NAMES, "default": "-date_start"}), "Order; `-` for descending", json!("-fatalities_best")),
                "format_incidents": param("format", json!({"type": "string", "enum": ["json", "csv", "geojson"], "default": "json"}), "Output format", json!("json")),
                "format_table": param("format", json!({"type": "string", "enum": ["json", "csv"], "default": "json"}), "Output format", json!("json")),
                "compare": param("compare", json!({"type": "boolean", "default": true}), "Draw the spec's period comparisons", json!(false)),
                "changes": param("changes", json!({"type": "boolean", "default": false}), "Mark each line's change points (Poisson PELT, MBIC), labelled with the rate ratio", json!(true)),
                "format_figure": param("format", json!({"type": "string", "enum": ["json", "svg", "csv", "html", "png"], "default": "json"}), "Output format (png: the SVG rasterised, fonts bundled; `scale` multiplies its size)", json!("svg")),
                "as_of": param("as_of", json!({"type": "string"}), "State as of YYYY-MM-DD (end of day, UTC), an RFC 3339 time, or #N (after journal entry N)", json!("2026-01-01")),
                "bucket": param("bucket", json!({"type": "string", "enum": crate::params::Bucket::NAMES, "default": "month"}), "Time bucket (weeks start on Monday)", json!("year")),
            },
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

/// The document with the paths documented beside their handlers (actor graph, map
/// points, names).
fn with_module_paths(mut doc: Value) -> Value {
    for (path, item) in crate::api::graph::openapi_paths() {
        doc["paths"][path] = item;
    }
    doc
}

/// `GET /api/v1/openapi.json`.
pub async fn show(p: Params) -> Result<Response, ApiError> {
    p.check(false, &[])?;
    Ok(json(with_module_paths(document())))
}
