//! `GET /api/v1/summary`: headline numbers for a filter.

use super::json;
use crate::error::ApiError;
use crate::params::{Filters, FiltersExt, Params};
use crate::AppState;
use axum::extract::State;
use axum::response::Response;

/// Headline numbers.
/// The headline numbers of a filter (the store's typed read).
pub type Summary = sitrep_model::Totals;

pub(crate) async fn summary(state: &AppState, f: &Filters) -> Result<Summary, ApiError> {
    Ok(state.reads().await?.totals(f).await?)
}

pub async fn show(State(state): State<AppState>, p: Params) -> Result<Response, ApiError> {
    let f = crate::params::filters(&p, &state)?;
    let sm = summary(&state, &f).await?;
    let mut v = serde_json::to_value(&sm).map_err(ApiError::internal)?;
    v["filters"] = f.to_json();
    v["records"] = format!("/api/v1/incidents?{}", f.query()).into();
    Ok(json(v))
}
