//! `GET /api/v1/actors` (the registry with incident counts) and
//! `GET /api/v1/actors/{id}` (aliases, kind, relations, leaders with citations,
//! activity).

use super::{json, not_found};
use crate::error::ApiError;
use crate::params::{Bucket, Filters, FiltersExt, Params};
use crate::AppState;
use axum::extract::{Path, State};
use axum::response::Response;
use sitrep_model::CountPoint as Point;
use std::collections::BTreeMap;

/// Incidents per actor id under a filter, counting an incident for an actor when
/// either side is that actor or one of its factions: the same rule as the `actor`
/// filter, so a count and the list behind it agree.
pub(crate) async fn activity(
    state: &AppState,
    f: &Filters,
) -> Result<BTreeMap<String, i64>, ApiError> {
    Ok(state.reads().await?.incidents_per_actor(f).await?)
}

pub async fn index(State(state): State<AppState>, p: Params) -> Result<Response, ApiError> {
    let f = crate::params::filters(&p, &state)?;
    let counts = activity(&state, &f).await?;
    let fq = f.query();
    let sep = if fq.is_empty() { "" } else { "&" };
    let items: Vec<serde_json::Value> =
        sitrep_resolve::views::actor_list(state.resolver().registry())
            .into_iter()
            .map(|a| {
                let mut v = serde_json::to_value(&a).unwrap_or_default();
                v["incidents"] = counts.get(&a.id).copied().unwrap_or(0).into();
                v["records"] = format!(
                    "/api/v1/incidents?{fq}{sep}actor={}",
                    crate::links::encode(&a.id)
                )
                .into();
                v
            })
            .collect();
    Ok(json(
        serde_json::json!({ "filters": f.to_json(), "actors": items }),
    ))
}

/// An actor's activity: totals and a yearly series of incidents involving it.
pub(crate) async fn actor_activity(
    state: &AppState,
    id: &str,
) -> Result<(super::summary::Summary, Vec<Point>), ApiError> {
    let f = Filters {
        actors: vec![id.to_string()],
        ..Filters::default()
    };
    let sm = super::summary::summary(state, &f).await?;
    let series = super::series::series(state, &f, Bucket::Year).await?;
    Ok((sm, series))
}

/// `GET /api/v1/actors/{id}`.
pub async fn show(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let reg = state.resolver().registry();
    let Some(actor) = reg
        .get(&id)
        .and_then(|a| sitrep_resolve::views::actor_show(reg, &a.id))
    else {
        return Err(not_found("actor", &id, "/api/v1/actors"));
    };
    let (sm, series) = actor_activity(&state, &actor.id).await?;
    let mut v = serde_json::to_value(&actor).map_err(ApiError::internal)?;
    v["activity"] = serde_json::json!({
        "summary": sm,
        "by_year": series,
        "records": format!("/api/v1/incidents?actor={}", crate::links::encode(&actor.id)),
    });
    Ok(json(v))
}
