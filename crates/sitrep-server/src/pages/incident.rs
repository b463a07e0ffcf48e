//! `/incidents/{id}`: a summary (when, where, who, how many died, each with its
//! precision or range), a map, every field, and the verbatim source records with
//! their provenance.

use super::{layout, Page, PageResult};
use crate::api::incidents::{detail, ACLED_LICENCE};
use crate::links::encode;
use crate::params::Params;
use crate::table::{s, Row};
use crate::AppState;
use axum::extract::{Path, State};
use maud::{html, Markup};
use serde_json::Value;

/// The live map of an incident page: the incidents of its province (those of its
/// day when it has no province), centred on its point.
fn near(incident: &Row) -> crate::params::Filters {
    match s(incident, "province_code") {
        Some(c) => crate::params::Filters {
            provinces: vec![c.to_string()],
            ..Default::default()
        },
        None => {
            let day = s(incident, "date_start").and_then(|d| d.parse().ok());
            crate::params::Filters {
                from: day,
                to: day,
                ..Default::default()
            }
        }
    }
}

fn focus(incident: &Row) -> super::imap::Focus<'static> {
    let f = |k: &str| incident.get(k).and_then(Value::as_f64);
    match (f("latitude"), f("longitude")) {
        (Some(lat), Some(lon)) => super::imap::Focus::Point(lat, lon),
        _ => super::imap::Focus::Country,
    }
}

fn value(v: &Value) -> String {
    match v {
        Value::Null => "–".into(),
        Value::String(s) => s.clone(),
        // Coordinates and distances: more digits than this are noise.
        Value::Number(n) if n.is_f64() => {
            let x = n.as_f64().unwrap_or(f64::NAN);
            let t = format!("{x:.4}");
            t.trim_end_matches('0').trim_end_matches('.').to_string()
        }
        other => other.to_string(),
    }
}

/// How precisely the record is dated, in words (common codes 1–4).
fn date_precision(code: Option<i64>) -> &'static str {
    match code {
        Some(1) => "exact day",
        Some(2) => "within about two weeks",
        Some(3) => "within a month",
        Some(4) => "known only to a longer period",
        _ => "precision not recorded",
    }
}

/// How precisely the record is located, in words (common codes 1–5).
fn geo_precision(code: Option<i64>) -> &'static str {
    match code {
        Some(1) => "exact place",
        Some(2) => "near a known place (within ~25 km)",
        Some(3) => "district only",
        Some(4) => "province only (coordinates are a stand-in)",
        Some(5) => "country only",
        _ => "precision not recorded",
    }
}

/// The summary: when, where, who, fatalities with their range.
fn summary(i: &Row) -> Markup {
    let n = |k: &str| i.get(k).and_then(Value::as_i64);
    let f = |k: &str| i.get(k).and_then(Value::as_f64);
    let date = match (s(i, "date_start"), s(i, "date_end")) {
        (Some(a), Some(b)) if a != b => format!("{a} to {b}"),
        (Some(a), _) => a.to_string(),
        _ => "unknown".into(),
    };
    let fat = match (
        n("fatalities_best"),
        n("fatalities_low"),
        n("fatalities_high"),
    ) {
        (Some(b), Some(l), Some(h)) if l != h => format!("{b} (range {l}–{h})"),
        (Some(b), _, None) => format!("{b} (no high estimate given)"),
        (Some(b), _, _) => format!("{b} (low = best = high)"),
        _ => "unknown".into(),
    };
    let actor = |k: &str| -> Markup {
        let id = s(i, &format!("{k}_id"));
        html! { @match (s(i, k), id) {
            (Some(name), Some(id)) => { a href=(format!("/actors/{}", encode(id))) { (name) } }
            (Some(name), None) => { (name) " " span.muted { "(not in the registry)" } }
            _ => { span.muted { "–" } }
        } }
    };
    html! {
        dl.summary {
            dt { "When" } dd { (date) " " span.muted { "(" (date_precision(n("date_precision"))) ")" } }
            dt { "Where" } dd {
                @let place = [s(i, "location").map(str::to_string), s(i, "district").map(|d| format!("{d} district"))];
                @let place: Vec<String> = place.into_iter().flatten().collect();
                (place.join(", "))
                @if let (Some(code), Some(name)) = (s(i, "province_code"), s(i, "province_name")) { @if !place.is_empty() { ", " } a href=(format!("/places/{code}")) { (name) } " province" }
                br;
                span.muted {
                    @if let (Some(lat), Some(lon)) = (f("latitude"), f("longitude")) { (format!("{lat:.4}, {lon:.4}")) " · " }
                    (geo_precision(n("geo_precision")))
                    @if let (Some(km), Some(cap)) = (f("capital_distance_km"), s(i, "capital_name")) { " · " (format!("{km:.1}")) " km from " (cap) }
                }
            }
            dt { "Who" } dd { (actor("actor1")) " – " (actor("actor2")) }
            dt { "Type" } dd { (s(i, "event_type").unwrap_or("–").replace('_', " ")) @if let Some(t) = s(i, "source_event_type") { " " span.muted { "(source: " (t) ")" } } }
            dt { "Fatalities, best" } dd { (fat) }
            dt { "Source" } dd { (s(i, "source").unwrap_or("–")) " · event " code { (s(i, "source_event_id").unwrap_or("–")) } }
        }
    }
}

fn field(key: &str, v: &Value) -> Markup {
    let link = match (key, v.as_str()) {
        ("actor1_id" | "actor2_id" | "actor1_root" | "actor2_root", Some(id)) => {
            Some(format!("/actors/{}", encode(id)))
        }
        ("province_code", Some(code)) => Some(format!("/places/{code}")),
        _ => None,
    };
    html! {
        dt { (key) }
        dd { @match link { Some(href) => { a href=(href) { (value(v)) } } None => { (value(v)) } } }
    }
}

/// The incident page.
pub(crate) async fn page(
    State(state): State<AppState>,
    Path(id): Path<String>,
    crate::auth::MaybeUser(who): crate::auth::MaybeUser,
    p: Params,
) -> PageResult {
    p.check(false, &[])?;
    let d = detail(&state, &id).await?;
    let claims = super::claims::incident_section(&state, &id, who.as_ref()).await?;
    let title = format!(
        "{} {} in {}",
        s(&d.incident, "date_start").unwrap_or("?"),
        s(&d.incident, "event_type")
            .unwrap_or("incident")
            .replace('_', " "),
        s(&d.incident, "province_name")
            .or(s(&d.incident, "country"))
            .unwrap_or("unknown place"),
    );
    let body = html! {
        h1 { (title) }
        p.muted { "Record " code { (id) } @if !d.current { " — this version has been superseded or deleted" } "." }
        @if d.acled { p.licence { (ACLED_LICENCE) } }
        div.grid2 {
            div { (summary(&d.incident)) }
            div { (super::imap::interactive(&near(&d.incident), focus(&d.incident), super::point_map_svg(&state, &d.incident)?)) }
        }
        @if !d.members.is_empty() { (members(&d.incident, &d.members)) }
        h2 { "Fields" }
        dl.fields { @for (k, v) in d.incident.iter().filter(|(k, _)| k.as_str() != "raw") { (field(k, v)) } }
        h2 { "Source records" }
        p.muted { "Every version of this source event, oldest first, as stored: the file and line it was read from, the batch that ingested it, and the row verbatim." }
        @for v in &d.versions { (version(v)) }
        (claims)
        p { a href=(format!("/api/v1/incidents/{}", encode(&id))) { "This incident as JSON" } }
    };
    Ok(Page(layout(&title, body)))
}

/// The records matched into this incident, side by side, with what they disagree on.
fn members(incident: &Row, rows: &[Row]) -> Markup {
    let n = |r: &Row, k: &str| r.get(k).map(value).unwrap_or_default();
    let corroboration = incident
        .get("corroboration")
        .and_then(Value::as_i64)
        .unwrap_or(1);
    html! {
        h2 { "Records in this incident" }
        p.muted {
            (rows.len()) " records from " (corroboration) " source" @if corroboration != 1 { "s" }
            " were matched as one incident; the summary above reconciles them (dates and fatality ranges span all of them). "
            "An analyst can split a record out or merge others in with "
            code { "sitrep incidents split|merge" } "."
        }
        @if let Some(d) = s(incident, "disagreements").filter(|d| !d.is_empty()) {
            p { strong { "Sources disagree on: " } (d) }
        }
        div.table-wrap {
            table {
                thead { tr { th { "Record" } th { "Date" } th { "Province" } th { "Type" } th { "Side A" } th { "Side B" } th.num { "Deaths low–best–high" } } }
                tbody {
                    @for r in rows {
                        tr {
                            td {
                                a href=(format!("/incidents/{}", encode(s(r, "record_id").unwrap_or_default()))) {
                                    (s(r, "source").unwrap_or_default()) ":" (s(r, "source_event_id").unwrap_or_default())
                                }
                                @if r.get("is_primary").and_then(Value::as_bool) == Some(true) { " " span.muted { "(primary)" } }
                            }
                            td { (n(r, "date_start")) @if s(r, "date_end") != s(r, "date_start") { "–" (n(r, "date_end")) } }
                            td { (n(r, "province_name")) }
                            td { (n(r, "event_type").replace('_', " ")) }
                            td { (n(r, "actor1")) }
                            td { (n(r, "actor2")) }
                            td.num { (n(r, "fatalities_low")) "–" (n(r, "fatalities_best")) "–" (n(r, "fatalities_high")) }
                        }
                    }
                }
            }
        }
    }
}

fn version(v: &Row) -> Markup {
    let raw = s(v, "raw").map(|r| {
        serde_json::from_str::<Value>(r)
            .ok()
            .and_then(|j| serde_json::to_string_pretty(&j).ok())
            .unwrap_or_else(|| r.to_string())
    });
    html! {
        section {
            h3 { "Version " (value(v.get("version").unwrap_or(&Value::Null))) " · " code { (s(v, "record_id").unwrap_or("")) } }
            dl.fields {
                @for k in ["version_kind", "file", "line", "format", "row_hash", "batch", "adapter", "batch_file", "input_blake3", "committed_at", "change", "change_batch", "change_at", "notes"] {
                    @if let Some(x) = v.get(k) { (field(k, x)) }
                }
            }
            @if let Some(raw) = raw { pre.raw { (raw) } }
        }
    }
}
