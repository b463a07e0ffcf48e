//! `/incidents/{id}`: every field, the verbatim source records and their provenance.

use super::{layout, Page, PageResult};
use crate::api::incidents::{detail, ACLED_LICENCE};
use crate::links::encode;
use crate::params::Params;
use crate::table::{s, Row};
use crate::AppState;
use axum::extract::{Path, State};
use maud::{html, Markup};
use serde_json::Value;

fn value(v: &Value) -> String {
    match v {
        Value::Null => "–".into(),
        Value::String(s) => s.clone(),
        other => other.to_string(),
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
