//! The API's route table: every `/api/v1` endpoint declared once, in [`all`] —
//! method, path, handler, the query parameters it accepts ([`Accepts`], declared
//! as [`Param`]s beside their parsers) and its description (summary, path
//! parameters, responses, security). `routes.rs` registers the handlers from this
//! table, each behind its [`Accepts`] (any other key is a 400 before the handler
//! runs), and `openapi.rs` builds the document's `paths` from the same table. So a
//! route cannot be served undocumented or documented unserved, and cannot take a
//! query parameter the document does not list; the unit tests below hold every
//! entry to a summary, a success response, its path parameters and valid examples.
//!
//! [`Param`]: crate::params::Param

use super::{actors, check, claims, figures, forecast, graph, incidents, map, openapi};
use super::{places, png, points, series, sources, summary, watch};
use crate::params::{Accepts, BUCKET, FORMAT_INCIDENTS, FORMAT_TABLE, FROM, PAGE, PAGE_SIZE};
use crate::params::{SORT, TO};
use crate::AppState;
use axum::handler::Handler;
use axum::routing::{on, MethodFilter, MethodRouter};
use serde_json::{json, Map, Value};

/// The HTTP method of an endpoint.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Method {
    Get,
    Post,
    Patch,
    Delete,
}

impl Method {
    /// The name as an OpenAPI path item's key.
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Get => "get",
            Method::Post => "post",
            Method::Patch => "patch",
            Method::Delete => "delete",
        }
    }

    fn filter(self) -> MethodFilter {
        match self {
            Method::Get => MethodFilter::GET,
            Method::Post => MethodFilter::POST,
            Method::Patch => MethodFilter::PATCH,
            Method::Delete => MethodFilter::DELETE,
        }
    }
}

/// A `{name}` segment of a path.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct PathParam {
    pub name: &'static str,
    pub description: &'static str,
    /// A value that works on the bundled data (the tests call it).
    pub example: &'static str,
}

/// Who may call an endpoint.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Access {
    /// Anyone: a read.
    Read,
    /// Anyone, though not a `GET` (the claim checker): documented with no security.
    Open,
    /// An analyst: a Bearer token, or the session cookie with its CSRF token.
    Analyst,
}

/// One endpoint: what `routes.rs` serves and `openapi.rs` documents.
pub(crate) struct Endpoint {
    pub method: Method,
    /// Under `/api/v1`, with `{name}` segments.
    pub path: &'static str,
    pub summary: String,
    pub path_params: Vec<PathParam>,
    /// The query keys accepted (enforced by `routes.rs`).
    pub accepts: Accepts,
    pub access: Access,
    /// The OpenAPI request body object, if the endpoint reads one.
    pub request_body: Option<Value>,
    /// OpenAPI response objects by status code.
    pub responses: Map<String, Value>,
    /// Whether the handler bounds its own body (not `routes::MAX_BODY_BYTES`).
    pub own_body_limit: bool,
    /// The handler, on this method only.
    pub handler: MethodRouter<AppState>,
}

fn response_ref(name: &str) -> Value {
    json!({"$ref": format!("#/components/responses/{name}")})
}

fn schema_ref(name: &str) -> Value {
    json!({"$ref": format!("#/components/schemas/{name}")})
}

fn obj() -> Value {
    json!({"type": "object"})
}

fn string() -> Value {
    json!({"type": "string"})
}

fn array(items: Value) -> Value {
    json!({"type": "array", "items": items})
}

impl Endpoint {
    fn new<H, T>(method: Method, path: &'static str, handler: H, summary: &str) -> Endpoint
    where
        H: Handler<T, AppState>,
        T: 'static,
    {
        let mut responses = Map::new();
        if method == Method::Get {
            // Every read parses its query string: malformed, unknown or out of range
            // is a 400, too long a 414.
            responses.insert("400".into(), response_ref("BadRequest"));
            responses.insert("414".into(), response_ref("TooLong"));
        }
        Endpoint {
            method,
            path,
            summary: summary.to_string(),
            path_params: Vec::new(),
            accepts: Accepts::NONE,
            access: Access::Read,
            request_body: None,
            responses,
            own_body_limit: false,
            handler: on(method.filter(), handler),
        }
    }

    fn get<H: Handler<T, AppState>, T: 'static>(path: &'static str, h: H, summary: &str) -> Self {
        Endpoint::new(Method::Get, path, h, summary)
    }

    fn post<H: Handler<T, AppState>, T: 'static>(path: &'static str, h: H, summary: &str) -> Self {
        Endpoint::new(Method::Post, path, h, summary)
    }

    fn patch<H: Handler<T, AppState>, T: 'static>(path: &'static str, h: H, summary: &str) -> Self {
        Endpoint::new(Method::Patch, path, h, summary)
    }

    fn delete<H: Handler<T, AppState>, T: 'static>(
        path: &'static str,
        h: H,
        summary: &str,
    ) -> Self {
        Endpoint::new(Method::Delete, path, h, summary)
    }

    /// Declares a `{name}` segment of the path.
    fn path_param(
        mut self,
        name: &'static str,
        description: &'static str,
        example: &'static str,
    ) -> Self {
        self.path_params.push(PathParam {
            name,
            description,
            example,
        });
        self
    }

    /// The query parameters accepted: the handler sees no others.
    fn query(mut self, accepts: Accepts) -> Self {
        self.accepts = accepts;
        self
    }

    /// A success answer in JSON.
    fn ok(mut self, description: &str, schema: Value) -> Self {
        self.responses.insert(
            "200".into(),
            json!({"description": description,
                   "content": {"application/json": {"schema": schema}}}),
        );
        self
    }

    /// Another media type of the success answer (`format=`).
    fn also(mut self, media: &str, schema: Value) -> Self {
        self.responses["200"]["content"][media] = json!({ "schema": schema });
        self
    }

    /// The success answer in one media type only.
    fn only(mut self, media: &str, schema: Value) -> Self {
        self.responses["200"]["content"] = json!({ media: {"schema": schema} });
        self
    }

    /// 404 when the path names nothing.
    fn not_found(mut self) -> Self {
        self.responses
            .insert("404".into(), response_ref("NotFound"));
        self
    }

    fn response(mut self, code: &str, response: Value) -> Self {
        self.responses.insert(code.into(), response);
        self
    }

    /// Documented with no security: anyone may call it though it is not a read.
    fn open(mut self) -> Self {
        self.access = Access::Open;
        self
    }

    /// The request body the handler reads.
    fn body(mut self, request_body: Value) -> Self {
        self.request_body = Some(request_body);
        self
    }

    /// The handler bounds its body itself (413 beyond its own limit).
    fn own_body_limit(mut self) -> Self {
        self.own_body_limit = true;
        self
    }

    /// An analyst's write (token or session with CSRF) answering `code` with the
    /// journal entry written.
    fn analyst(mut self, code: &str, description: &str) -> Self {
        self.access = Access::Analyst;
        self.response(code, json!({ "description": description }))
            .response(
                "400",
                json!({"description": "A bad body or value (problem+json)"}),
            )
            .response("401", json!({"description": "No credentials"}))
            .response(
                "403",
                json!({"description": "Read-only server, viewer role or bad CSRF token"}),
            )
    }

    /// An analyst's write on a claim, incident or entry that may not exist.
    fn write(self, path_param: (&'static str, &'static str, &'static str)) -> Self {
        let (name, description, example) = path_param;
        self.path_param(name, description, example)
            .analyst("200", "The journal entry written")
            .response(
                "404",
                json!({"description": "No such claim, incident or entry"}),
            )
    }
}

const CLAIM_ID: (&str, &str, &str) = ("id", "claim id (see /claims)", "c1");
const INCIDENT_ID: (&str, &str, &str) = (
    "incident",
    "incident, SOURCE:EVENT_ID",
    "ucdp-ged211-subset:244657",
);

/// Every API endpoint, in the order of the document's description.
pub(crate) fn all() -> Vec<Endpoint> {
    let counts = schema_ref("Counts");
    let counted_from = json!({"type": "string", "enum": ["rollup", "incidents"],
        "description": "Where the counts came from: the store's rollup (pre-aggregated on ingest) or the incidents view (district or attribution filters); both give the same numbers"});
    let filters = Accepts::FILTERS;
    vec![
        Endpoint::get(
            "/incidents",
            incidents::index,
            "Incidents matching the filters, one page at a time",
        )
        .query(Accepts {
            filters: true,
            params: &[PAGE, PAGE_SIZE, SORT, FORMAT_INCIDENTS],
        })
        .ok(
            "A page of incidents (JSON), or the page as CSV or GeoJSON",
            schema_ref("IncidentPage"),
        )
        .also("text/csv", string())
        .also("application/geo+json", obj()),
        Endpoint::get(
            "/incidents/{record_id}",
            incidents::show,
            "One incident with every version of its source record and their provenance",
        )
        .path_param("record_id", "`source:source_event_id:version`", "ucdp:244657:1")
        .ok("The incident", schema_ref("IncidentDetail"))
        .not_found(),
        Endpoint::get("/summary", summary::show, "Headline numbers for the filters")
            .query(filters)
            .ok(
                "Counts, date range and number of sources",
                json!({"allOf": [
                    schema_ref("Summary"),
                    {"type": "object", "properties": {"filters": obj(), "records": string()}}]}),
            ),
        Endpoint::get(
            "/series",
            series::index,
            "Incidents and fatality sums per bucket, zero-filled",
        )
        .query(Accepts {
            filters: true,
            params: &[BUCKET, FORMAT_TABLE],
        })
        .ok(
            "The series",
            json!({"type": "object", "properties": {
                "bucket": string(), "filters": obj(), "counted_from": counted_from.clone(),
                "points": array(json!({"allOf": [counts.clone(), {"type": "object", "properties": {
                    "start": {"type": "string", "format": "date"},
                    "end": {"type": "string", "format": "date"}}}]}))}}),
        )
        .also("text/csv", string()),
        Endpoint::get(
            "/forecast",
            forecast::index,
            "Forecasts per province-month (or country-month), 1–6 months ahead, by the forecaster a rolling-origin back-test chose over the standard baselines; months without coverage are neither trained on nor scored. Takes every filter key of /series as well (dates bound the training data)",
        )
        .query(Accepts {
            filters: true,
            params: &forecast::PARAMS,
        })
        .ok(
            "The forecasts, the chosen forecaster and the back-test",
            json!({"type": "object", "properties": {
                "chosen": string(), "chosen_is_baseline": {"type": "boolean"}, "explanation": string(),
                "trained_from": {"type": "string", "format": "date"}, "trained_to": {"type": "string", "format": "date"},
                "cells": array(obj()), "scores": array(obj()),
                "skills": array(obj()), "warnings": array(string())}}),
        ),
        Endpoint::get(
            "/map/provinces",
            map::provinces_index,
            "Incidents and fatality sums per province (every province, zeros included)",
        )
        .query(Accepts {
            filters: true,
            params: &[FORMAT_TABLE],
        })
        .ok(
            "Per-province counts",
            json!({"type": "object", "properties": {
                "level": {"const": "province"}, "filters": obj(), "unlocated": counts,
                "counted_from": counted_from,
                "provinces": array(schema_ref("ProvinceCounts"))}}),
        )
        .also("text/csv", string()),
        Endpoint::get(
            "/map/points",
            points::index,
            "Incidents as map points for the interactive map: one compact row per incident matching the filters",
        )
        .query(filters)
        .ok(
            "Every incident matching the filters as a compact row (oldest first): record id, date, latitude, longitude (null when the record has no coordinates), event type, best fatality estimate (null when unknown), actor ids, location",
            json!({"type": "object", "properties": {
                "columns": array(string()),
                "total": {"type": "integer"}, "located": {"type": "integer"},
                "first": {"type": ["string", "null"], "format": "date"},
                "last": {"type": ["string", "null"], "format": "date"},
                "filters": obj(),
                "points": array(json!({"type": "array"}))}}),
        ),
        Endpoint::get(
            "/names",
            points::names,
            "Autocomplete: the actor names and aliases (field=actor) or province names and spellings (field=province) that the filters resolve, optionally only those containing q",
        )
        .query(Accepts {
            filters: false,
            params: &[points::FIELD, points::Q],
        })
        .ok(
            "Names and aliases a person may type, each with the id or code the filters resolve it to",
            array(json!({"type": "object", "properties": {
                "name": string(), "id": string(), "label": string()}})),
        ),
        Endpoint::get(
            "/actors",
            actors::index,
            "The actor registry, with incidents per actor under the filters",
        )
        .query(filters)
        .ok(
            "Actors",
            json!({"type": "object", "properties": {"actors": array(obj())}}),
        ),
        Endpoint::get(
            "/actors/graph",
            graph::show,
            "The actor network from the registry's relations: the links holding on a day (every relation without `at`), as JSON, GraphML (format=graphml or Accept: application/graphml+xml; for Gephi) or DOT",
        )
        .query(Accepts {
            filters: false,
            params: &[graph::AT, graph::FORMAT],
        })
        .ok(
            "Actors (nodes, with their kind on the day) and the relations holding on the day (links, with kind, direction, period and citation)",
            json!({"type": "object", "properties": {
                "at": {"type": ["string", "null"], "format": "date"},
                "nodes": array(json!({"type": "object", "properties": {
                    "id": string(), "name": string(), "kind": string(), "degree": {"type": "integer"}}})),
                "links": array(json!({"type": "object", "properties": {
                    "source": string(), "target": string(), "kind": string(),
                    "directed": {"type": "boolean"}, "from": {"type": ["string", "null"], "format": "date"},
                    "to": {"type": ["string", "null"], "format": "date"}, "citation": string(),
                    "note": string()}}))}}),
        )
        .also(graph::GRAPHML, string())
        .also("text/vnd.graphviz", string()),
        Endpoint::get(
            "/actors/{id}",
            actors::show,
            "One actor: aliases, kind, relations and leaders with citations, activity",
        )
        .path_param("id", "actor id", "taliban")
        .ok("The actor", obj())
        .not_found(),
        Endpoint::get(
            "/places",
            places::index,
            "Provinces of the gazetteer, with counts under the filters",
        )
        .query(filters)
        .ok(
            "Provinces",
            json!({"type": "object", "properties": {"places": array(obj())}}),
        ),
        Endpoint::get(
            "/places/{code}",
            places::show,
            "One province: capital, districts, activity",
        )
        .path_param(
            "code",
            "ISO 3166-2 code or any spelling of the name",
            "AF-KAB",
        )
        .ok("The province", obj())
        .not_found(),
        Endpoint::get("/sources", sources::index, "Ingested batches and sources").ok(
            "Sources and batches",
            json!({"type": "object", "properties": {
                "sources": array(obj()), "batches": array(obj())}}),
        ),
        Endpoint::get(
            "/figures",
            figures::index,
            "The bundled figure specs, with links to each drawn over the store",
        )
        .ok(
            "Figures",
            json!({"type": "object", "properties": {
                "figures": array(obj()),
                "data_range": {"type": ["object", "null"]}, "report": string()}}),
        ),
        Endpoint::get(
            "/figures/{id}",
            figures::show,
            "One bundled figure computed over the store: its data (JSON), drawing (SVG), plotted values (CSV) or a one-figure HTML report",
        )
        .path_param("id", "bundled figure id (see /figures)", "fig7")
        .query(Accepts {
            filters: false,
            params: &[
                FROM,
                TO,
                figures::COMPARE,
                figures::CHANGES,
                figures::FORMAT_FIGURE,
                png::SCALE,
            ],
        })
        .ok(
            "The figure: spec as drawn, data with provenance, links",
            json!({"type": "object", "properties": {
                "id": string(), "spec": obj(), "data": obj(), "links": obj(),
                "period_replaced": {"type": "boolean", "description": "true when the spec's own period was replaced (asked for, or outside the data)"}}}),
        )
        .also("image/svg+xml", string())
        .also("text/csv", string())
        .also("text/html", string())
        .also(
            "image/png",
            json!({"type": "string", "contentMediaType": "image/png"}),
        )
        .not_found(),
        Endpoint::get(
            "/report",
            figures::report,
            "The example report over the bundled data (specs/reports/bundled.toml) as one self-contained HTML file",
        )
        .query(Accepts {
            filters: false,
            params: &[FROM, TO, figures::COMPARE],
        })
        .ok("The report", string())
        .only("text/html", string()),
        Endpoint::get(
            "/changes",
            watch::changes,
            "Change points of the filters' count series (PELT or binary segmentation with a Poisson or negative-binomial cost and R changepoint's penalties, or Poisson-Gamma BOCPD): each break with its date interval, the rates before and after and their ratio with an exact 95% interval. Each covered stretch is segmented on its own.",
        )
        .query(Accepts {
            filters: true,
            params: &[BUCKET, watch::METHOD, watch::PENALTY, watch::COST],
        })
        .ok(
            "Breaks",
            json!({"type": "object", "properties": {
                "starts": array(string()), "values": array(json!({"type": ["number", "null"]})),
                "breaks": array(obj()), "uncovered": {"type": "integer"}, "filters": obj()}}),
        ),
        Endpoint::get(
            "/alerts",
            watch::alerts,
            "Status changes of the bundled indicators (and the store's indicators/ directory) evaluated as of today: id, indicator, bucket, from/to status, evidence, data vintage, 'incomplete' flag; with each scenario's latest status",
        )
        .ok(
            "Alerts",
            json!({"type": "object", "properties": {
                "vintage": string(), "fired": array(string()),
                "scenarios": array(obj()), "alerts": array(obj())}}),
        ),
        Endpoint::get(
            "/alerts.atom",
            watch::alerts_atom,
            "The same alerts as an Atom 1.0 feed (newest first)",
        )
        .ok("Atom feed", string())
        .only("application/atom+xml", string()),
        Endpoint::get("/openapi.json", openapi::show, "This document").ok("OpenAPI 3.1", obj()),
        Endpoint::post(
            "/check",
            check::check,
            "Check an article's claims against the store: each sentence checkable or not (with the reason), each claim with a verdict (supported, contradicted, mixed, not_enough_data), the numbers claimed and measured with intervals, coverage, query variants, the query to re-run (explore URL, `sitrep series` command), record ids and figure data. The same JSON as `sitrep check --format json`. Read-only: no token, no CSRF token.",
        )
        .open()
        .body(json!({"required": true, "content": {"application/json": {"schema": {
            "type": "object", "required": ["text"], "additionalProperties": false,
            "properties": {
                "text": {"type": "string", "maxLength": sitrep_check::MAX_TEXT_BYTES,
                    "description": "The article: plain text, Markdown or HTML"},
                "date": {"type": "string", "format": "date",
                    "description": "The article's date (relative periods and date-scoped actor names resolve against it); default today"}}},
            "example": {"text": "IS-KP attacks decreased in the first half of 2022.", "date": "2022-09-11"}}}}))
        .own_body_limit()
        .ok(
            "The check report",
            json!({"type": "object", "properties": {
                "article_date": {"type": "string", "format": "date"},
                "words": {"type": "integer"},
                "evidence": array(string()),
                "summary": obj(),
                "sentences": array(obj())}}),
        )
        .response(
            "400",
            json!({"description": "The body is not the JSON described, or a bad date (problem+json)"}),
        )
        .response(
            "413",
            json!({"description": format!(
                "The body is larger than {} bytes (problem+json, with the sizes)",
                check::MAX_CHECK_BODY_BYTES
            )}),
        )
        .response(
            "503",
            json!({"description": format!(
                "The check took longer than its time budget of {} s (problem+json)",
                check::CHECK_BUDGET.as_secs()
            )}),
        ),
        Endpoint::get(
            "/claims",
            claims::list,
            "Claims of responsibility in force (the claims ledger)",
        )
        .query(Accepts {
            filters: false,
            params: &[claims::INCIDENT, claims::AS_OF],
        })
        .ok(
            "Claims",
            json!({"type": "object", "properties": {"claims": array(obj())}}),
        ),
        Endpoint::post(
            "/claims",
            claims::add,
            "Add a claim (analyst; Bearer token, or session cookie with X-CSRF-Token). Body: incident, claimant, stance, target, date, channel, reported_by, reference, grade, statement, reason. PATCH /claims/{id} edits, DELETE /claims/{id} retracts (reason).",
        )
        .analyst("201", "The journal entry"),
        Endpoint::get(
            "/verdicts",
            claims::verdicts,
            "Attribution verdict per incident: computed (status, confidence, basis, claims) and any analyst override. POST/DELETE /verdicts/{incident}/override set or clear an override (analyst).",
        )
        .query(Accepts {
            filters: false,
            params: &[claims::STATUS, claims::SOURCE, claims::AS_OF],
        })
        .ok(
            "Verdicts",
            json!({"type": "object", "properties": {"verdicts": array(obj())}}),
        ),
        Endpoint::get(
            "/journal",
            claims::journal,
            "The analyst journal: who, when, what, why, with values before and after. POST /journal/{seq}/undo undoes an entry (analyst).",
        )
        .query(Accepts {
            filters: false,
            params: &[claims::AS_OF],
        })
        .ok(
            "Entries",
            json!({"type": "object", "properties": {"entries": array(obj())}}),
        ),
        Endpoint::patch(
            "/claims/{id}",
            claims::edit,
            "Edit a claim (analyst). Body: the fields to change and a reason.",
        )
        .write(CLAIM_ID),
        Endpoint::delete(
            "/claims/{id}",
            claims::retract,
            "Retract a claim (analyst). Body: a reason. The claim stays in the journal.",
        )
        .write(CLAIM_ID)
        .query(Accepts {
            filters: false,
            params: &[claims::REASON],
        }),
        Endpoint::get(
            "/verdicts/{incident}",
            claims::show,
            "One incident's attribution verdict: computed (status, confidence, basis, claims) and any analyst override",
        )
        .path_param(INCIDENT_ID.0, INCIDENT_ID.1, INCIDENT_ID.2)
        .query(Accepts {
            filters: false,
            params: &[claims::AS_OF],
        })
        .ok("The verdict", obj())
        .not_found(),
        Endpoint::post(
            "/verdicts/{incident}/override",
            claims::override_verdict,
            "Set an analyst's override of the verdict (analyst). Body: status, reason.",
        )
        .write(INCIDENT_ID),
        Endpoint::delete(
            "/verdicts/{incident}/override",
            claims::clear_override,
            "Clear the analyst's override (analyst). Body: a reason.",
        )
        .write(INCIDENT_ID)
        .query(Accepts {
            filters: false,
            params: &[claims::REASON],
        }),
        Endpoint::post(
            "/journal/{seq}/undo",
            claims::undo,
            "Undo a journal entry (analyst). Body: a reason. The undo is itself an entry.",
        )
        .write(("seq", "journal sequence number (see /journal)", "1"))
        .query(Accepts {
            filters: false,
            params: &[claims::REASON],
        }),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::params::{Kind, Param, Params, FILTER_PARAMS};
    use std::collections::BTreeSet;

    fn at(e: &Endpoint) -> String {
        format!("{} {}", e.method.as_str(), e.path)
    }

    /// The query parameters an endpoint accepts: the filter keys if it takes them,
    /// and its own.
    fn accepted(e: &Endpoint) -> Vec<Param> {
        let mut v = if e.accepts.filters {
            FILTER_PARAMS.to_vec()
        } else {
            Vec::new()
        };
        v.extend_from_slice(e.accepts.params);
        v
    }

    #[test]
    fn every_route_has_a_summary_a_success_and_its_path_parameters() {
        let table = all();
        // 21 reads, the claim checker and 10 claims routes.
        assert_eq!(table.len(), 32);
        let mut seen = BTreeSet::new();
        for e in &table {
            let at = at(e);
            assert!(seen.insert((e.path, e.method)), "{at} is declared twice");
            assert!(e.path.starts_with('/') && !e.path.ends_with('/'), "{at}");
            assert!(e.summary.trim().len() >= 10, "{at}: no summary");
            assert!(
                e.responses.keys().any(|c| c.starts_with('2')),
                "{at}: no success response"
            );
            for (code, r) in &e.responses {
                let described = r["description"].as_str().is_some_and(|d| !d.is_empty())
                    || r["$ref"].as_str().is_some();
                assert!(described, "{at} {code}: no description");
            }
            if e.method == Method::Get {
                let content = e.responses["200"]["content"].as_object();
                assert!(
                    content.is_some_and(|c| c.values().all(|m| m["schema"].is_object())),
                    "{at}: a read says what it answers"
                );
                assert_eq!(e.access, Access::Read, "{at}");
                assert!(e.request_body.is_none(), "{at}");
                for code in ["400", "414"] {
                    assert!(e.responses.contains_key(code), "{at}: {code}");
                }
            } else {
                assert_ne!(
                    e.access,
                    Access::Read,
                    "{at}: a write says who may call it (analyst, or open)"
                );
            }
            if e.access == Access::Analyst {
                for code in ["401", "403"] {
                    assert!(e.responses.contains_key(code), "{at}: {code}");
                }
            }
            // The path's `{name}` segments are exactly the declared path parameters.
            let segments: Vec<&str> = e
                .path
                .split('{')
                .skip(1)
                .map(|s| s.split('}').next().unwrap_or(""))
                .collect();
            let declared: Vec<&str> = e.path_params.iter().map(|p| p.name).collect();
            assert_eq!(segments, declared, "{at}");
            for p in &e.path_params {
                assert!(!p.description.is_empty() && !p.example.is_empty(), "{at}");
            }
        }
    }

    /// The parser's keys are the documented ones: every parameter a route accepts
    /// has a description and an example it takes; the route's check takes each and
    /// refuses any other key.
    #[test]
    fn every_accepted_parameter_is_documented_with_a_valid_example() {
        for e in all() {
            let at = at(&e);
            let mut names = BTreeSet::new();
            for p in accepted(&e) {
                let name = p.name;
                assert!(names.insert(name), "{at}: `{name}` declared twice");
                assert!(!p.description.trim().is_empty(), "{at}: `{name}`");
                assert!(
                    p.accepts(p.example),
                    "{at}: the example of `{name}` ({}) is not a value it takes",
                    p.example
                );
                match p.kind {
                    Kind::Choice { choices, default } => {
                        assert!(!choices.is_empty(), "{at}: `{name}`");
                        assert!(
                            default.is_none_or(|d| choices.contains(&d)),
                            "{at}: `{name}`"
                        );
                    }
                    Kind::Int { min, max, default } => {
                        assert!(max.is_none_or(|m| min <= m), "{at}: `{name}`");
                        assert!(
                            default.is_none_or(|d| p.accepts(&d.to_string())),
                            "{at}: `{name}`"
                        );
                    }
                    Kind::Positive { max, default } => {
                        assert!(default > 0.0 && default <= max, "{at}: `{name}`");
                    }
                    Kind::Text { default } => {
                        assert!(default.is_none_or(|d| !d.is_empty()), "{at}: `{name}`");
                    }
                    Kind::Date | Kind::Bool { .. } => {}
                }
                let one = Params::from_pairs(&[(name, p.example)]);
                assert!(e.accepts.check(&one).is_ok(), "{at}: `{name}` refused");
            }
            let other = Params::from_pairs(&[("undocumented", "1")]);
            assert!(e.accepts.check(&other).is_err(), "{at}");
        }
    }

    /// A key shared under `components/parameters` means one thing everywhere.
    #[test]
    fn shared_parameters_are_declared_once() {
        let table = all();
        let shared = crate::api::openapi::shared_parameters(&table).unwrap();
        assert!(shared.contains_key("format_incidents") && shared.contains_key("as_of"));
        // A second, different declaration under a shared key (here a filter key's)
        // is an error.
        let mut other = FROM;
        other.description = "something else";
        let mut twice = all();
        twice[0].accepts = Accepts {
            filters: false,
            params: Box::leak(Box::new([other])),
        };
        assert!(crate::api::openapi::shared_parameters(&twice).is_err());
    }

    /// The choices and examples the document gives are those the parsers take.
    #[test]
    fn choices_are_the_parsers() {
        use sitrep_analysis::watch::{changes::parse_penalty, CostKind, Method as Segmentation};
        let choices = |p: &Param| match p.kind {
            Kind::Choice { choices, .. } => choices,
            _ => panic!("`{}` is not a choice", p.name),
        };
        for c in choices(&watch::METHOD) {
            assert!(Segmentation::parse(c).is_some(), "{c}");
        }
        for c in choices(&watch::COST) {
            assert!(CostKind::parse(c).is_some(), "{c}");
        }
        assert!(parse_penalty(watch::PENALTY.example).is_some());
        for c in choices(&forecast::PARAMS[0]) {
            assert!(
                sitrep_model::forecast::ForecastLevel::parse(c).is_some(),
                "{c}"
            );
        }
        for c in choices(&claims::STATUS) {
            assert!(sitrep_model::figure::Attribution::parse(c).is_some(), "{c}");
        }
        assert_eq!(
            png::SCALE.kind,
            Kind::Positive {
                max: f64::from(sitrep_render::png::MAX_SCALE),
                default: 1.0
            }
        );
    }
}
