//! `GET /api/v1/map/points` (incidents as compact map points, for the interactive
//! map) and `GET /api/v1/names` (names and aliases for autocomplete).

use super::json;
use crate::error::ApiError;
use crate::params::{FiltersExt, Params};
use crate::table::s;
use crate::AppState;
use axum::extract::State;
use axum::response::Response;
use serde_json::{json, Value};

/// The columns of a point row, in order.
pub const POINT_COLUMNS: [&str; 9] = [
    "record_id",
    "date",
    "lat",
    "lon",
    "event_type",
    "fatalities_best",
    "actor1_id",
    "actor2_id",
    "location",
];

/// `GET /api/v1/map/points?…filters`.
pub async fn index(State(state): State<AppState>, p: Params) -> Result<Response, ApiError> {
    p.check(true, &[])?;
    let f = crate::params::filters(&p, &state)?;
    let rows = state
        .rows(&format!(
            "SELECT record_id, CAST(date_start AS VARCHAR) AS date, latitude, longitude, event_type, \
             fatalities_best, actor1_id, actor2_id, location FROM incidents WHERE {} \
             ORDER BY date_start, record_id",
            f.to_sql()
        ))
        .await?;
    let mut located = 0;
    let points: Vec<Value> = rows
        .iter()
        .map(|r| {
            let lat = r.get("latitude").and_then(Value::as_f64);
            let lon = r.get("longitude").and_then(Value::as_f64);
            if lat.is_some() && lon.is_some() {
                located += 1;
            }
            json!([
                s(r, "record_id"),
                s(r, "date"),
                lat,
                lon,
                s(r, "event_type"),
                r.get("fatalities_best").and_then(Value::as_i64),
                s(r, "actor1_id"),
                s(r, "actor2_id"),
                s(r, "location"),
            ])
        })
        .collect();
    let first = rows.first().and_then(|r| s(r, "date"));
    let last = rows.last().and_then(|r| s(r, "date"));
    Ok(json(json!({
        "columns": POINT_COLUMNS,
        "total": points.len(),
        "located": located,
        "first": first,
        "last": last,
        "filters": f.to_json(),
        "points": points,
    })))
}

/// `GET /api/v1/names?field=actor|province&q=`.
pub async fn names(State(state): State<AppState>, p: Params) -> Result<Response, ApiError> {
    p.check(false, &["field", "q"])?;
    let field = p.choice("field", &["actor", "province"], "actor")?;
    let r = state.resolver();
    let all = match field {
        "province" => sitrep_resolve::names::province_names(r.gazetteer()),
        _ => sitrep_resolve::names::actor_names(r.registry()),
    };
    let q = p
        .one("q")?
        .map(sitrep_resolve::text::loose)
        .unwrap_or_default();
    let items: Vec<_> = all
        .into_iter()
        .filter(|n| q.is_empty() || sitrep_resolve::text::loose(&n.name).contains(&q))
        .collect();
    Ok(json(
        serde_json::to_value(items).map_err(ApiError::internal)?,
    ))
}
