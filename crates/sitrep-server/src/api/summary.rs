//! `GET /api/v1/summary`: headline numbers for a filter.

use super::{counts_from, json, Counts};
use crate::error::ApiError;
use crate::params::{Filters, FiltersExt, Params};
use crate::table::s;
use crate::AppState;
use axum::extract::State;
use axum::response::Response;

/// Headline numbers.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct Summary {
    /// Counts and fatality sums.
    #[serde(flatten)]
    pub counts: Counts,
    /// First `date_start`.
    pub first: Option<String>,
    /// Last `date_start`.
    pub last: Option<String>,
    /// Number of distinct sources.
    pub sources: i64,
}

pub(crate) async fn summary(state: &AppState, f: &Filters) -> Result<Summary, ApiError> {
    let (table, aggregates) = counts_from(state, f);
    let rows = state
        .rows(&format!(
            "SELECT {aggregates}, CAST(min(date_start) AS VARCHAR) AS first, \
             CAST(max(date_start) AS VARCHAR) AS last, count(DISTINCT source) AS sources \
             FROM {table} WHERE {}",
            f.to_sql()
        ))
        .await?;
    let Some(r) = rows.first() else {
        return Ok(Summary::default());
    };
    Ok(Summary {
        counts: super::counts_from_row(r),
        first: s(r, "first").map(str::to_string),
        last: s(r, "last").map(str::to_string),
        sources: crate::table::i(r, "sources"),
    })
}

/// `GET /api/v1/summary?…filters`.
pub async fn show(State(state): State<AppState>, p: Params) -> Result<Response, ApiError> {
    p.check(true, &[])?;
    let f = crate::params::filters(&p, &state)?;
    let sm = summary(&state, &f).await?;
    let mut v = serde_json::to_value(&sm).map_err(ApiError::internal)?;
    v["filters"] = f.to_json();
    v["records"] = format!("/api/v1/incidents?{}", f.query()).into();
    Ok(json(v))
}
