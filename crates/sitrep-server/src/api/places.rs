//! `GET /api/v1/places` (provinces with incident counts) and
//! `GET /api/v1/places/{code}` (one province: districts, capital, activity).

use super::{json, map, not_found, Counts};
use crate::error::ApiError;
use crate::params::{Bucket, Filters, FiltersExt, Params};
use crate::AppState;
use axum::extract::{Path, State};
use axum::response::Response;
use std::collections::HashMap;

/// `GET /api/v1/places?…filters`.
pub async fn index(State(state): State<AppState>, p: Params) -> Result<Response, ApiError> {
    let f = crate::params::filters(&p, &state)?;
    let (counts, _) = map::provinces(&state, &f).await?;
    let by_code: HashMap<&str, &map::ProvinceCounts> =
        counts.iter().map(|c| (c.code.as_str(), c)).collect();
    let items: Vec<serde_json::Value> =
        sitrep_resolve::views::place_list(state.resolver().gazetteer())
            .into_iter()
            .map(|pl| {
                let mut v = serde_json::to_value(&pl).unwrap_or_default();
                let c = by_code
                    .get(pl.code.as_str())
                    .map(|c| c.counts)
                    .unwrap_or_default();
                v["counts"] = serde_json::to_value(c).unwrap_or_default();
                v
            })
            .collect();
    Ok(json(serde_json::json!({
        "grouping": state.resolver().gazetteer().grouping_name(),
        "filters": f.to_json(),
        "places": items,
    })))
}

sitrep_model::answer_struct! {
    /// A district's numbers within a province.
    #[derive(Debug, Clone, serde::Serialize)]
    pub struct DistrictCounts {
        /// District name (null: located to the province only).
        pub district: Option<String>,
        /// Counts.
        #[serde(flatten)]
        pub counts: Counts,
    }
}

/// Counts by district of one province.
pub(crate) async fn districts(
    state: &AppState,
    code: &str,
) -> Result<Vec<DistrictCounts>, ApiError> {
    let f = Filters {
        provinces: vec![code.to_string()],
        ..Filters::default()
    };
    Ok(state
        .reads()
        .await?
        .counts_by_district(&f)
        .await?
        .into_iter()
        .map(|p| DistrictCounts {
            district: p.place,
            counts: p.counts,
        })
        .collect())
}

pub async fn show(
    State(state): State<AppState>,
    Path(code): Path<String>,
) -> Result<Response, ApiError> {
    let g = state.resolver().gazetteer();
    let Some(place) = sitrep_resolve::views::place_show(g, &code) else {
        return Err(not_found("place", &code, "/api/v1/places"));
    };
    let f = Filters {
        provinces: vec![place.code.clone()],
        ..Filters::default()
    };
    let sm = super::summary::summary(&state, &f).await?;
    let series = super::series::series(&state, &f, Bucket::Year).await?;
    let counts = super::actors::activity(&state, &f).await?;
    let mut actors: Vec<(String, i64)> = counts.into_iter().collect();
    actors.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    let actors: Vec<serde_json::Value> = actors
        .into_iter()
        .map(|(id, n)| serde_json::json!({"id": id, "incidents": n}))
        .collect();
    let mut v = serde_json::to_value(&place).map_err(ApiError::internal)?;
    v["activity"] = serde_json::json!({
        "summary": sm,
        "by_year": series,
        "actors": actors,
        "districts": districts(&state, &place.code).await?,
        "records": format!("/api/v1/incidents?province={}", place.code),
    });
    Ok(json(v))
}
