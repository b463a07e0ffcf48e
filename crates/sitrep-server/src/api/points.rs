//! `GET /api/v1/map/points` (incidents as compact map points, for the interactive
//! map) and `GET /api/v1/names` (names and aliases for autocomplete).

use super::json;
use crate::error::ApiError;
use crate::params::{FiltersExt, Kind, Param, Params};
use crate::AppState;
use axum::extract::State;
use axum::response::Response;
use serde_json::{json, Value};

/// The columns of a point row, in order.
/// The fields of a map point, in the order each point's array holds them.
pub const POINT_COLUMNS: [&str; 9] = sitrep_model::MapPoint::COLUMNS;

pub async fn index(State(state): State<AppState>, p: Params) -> Result<Response, ApiError> {
    let f = crate::params::filters(&p, &state)?;
    let rows = state.reads().await?.map_points(&f).await?;
    let located = rows
        .iter()
        .filter(|r| r.lat.is_some() && r.lon.is_some())
        .count();
    let points: Vec<Value> = rows
        .iter()
        .map(|r| {
            json!([
                r.record_id,
                r.date,
                r.lat,
                r.lon,
                r.event_type,
                r.fatalities_best,
                r.actor1_id,
                r.actor2_id,
                r.location,
            ])
        })
        .collect();
    let first = rows.first().map(|r| r.date);
    let last = rows.last().map(|r| r.date);
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

/// `field` of `/names`.
pub(crate) const FIELD: Param = Param::new(
    "field",
    Kind::Choice {
        choices: &["actor", "province"],
        default: Some("actor"),
    },
    "Which names",
    "actor",
);

/// `q` of `/names`.
pub(crate) const Q: Param = Param::new(
    "q",
    Kind::Text { default: None },
    "Only names containing this text (case and punctuation ignored)",
    "daesh",
);

/// `GET /api/v1/names?field=actor|province&q=`.
pub async fn names(State(state): State<AppState>, p: Params) -> Result<Response, ApiError> {
    let field = p.choice_of(&FIELD)?;
    let r = state.resolver();
    let all = match field {
        "province" => sitrep_resolve::names::province_names(r.gazetteer()),
        _ => sitrep_resolve::names::actor_names(r.registry()),
    };
    let q = p
        .one(Q.name)?
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
