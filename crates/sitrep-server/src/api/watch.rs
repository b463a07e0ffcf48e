//! `GET /api/v1/changes` (change points of a series), `GET /api/v1/alerts` (JSON) and
//! `GET /api/v1/alerts.atom` (Atom 1.0): the watch layer of sitrep-analysis over the
//! served store, with the bundled indicators and scenarios plus `<store>/indicators/`.

use super::json;
use crate::error::ApiError;
use crate::params::{Bucket, FiltersExt, Kind, Param, Params};
use crate::AppState;
use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use sitrep_analysis::watch::{self, ChangesQuery, EvalOptions, WatchReport, WatchSet};

/// Evaluates every indicator and scenario as of today.
pub(crate) async fn report(state: &AppState) -> Result<WatchReport, ApiError> {
    let store = state.store();
    let mut set = WatchSet::bundled().map_err(|e| ApiError::internal(e.to_string()))?;
    watch::add_store_indicators(&mut set, store.root())
        .map_err(|e| ApiError::BadRequest(format!("the store's indicators/ directory: {e}")))?;
    set.check()
        .map_err(|e| ApiError::BadRequest(e.to_string()))?;
    let analysis = state.analysis().await?;
    let opts = EvalOptions {
        as_of: Some(chrono::Utc::now().date_naive()),
        ..Default::default()
    };
    watch::watch(&analysis, &watch::vintage(&store), &set, &opts)
        .await
        .map_err(watch_err)
}

pub(crate) fn watch_err(e: watch::WatchError) -> ApiError {
    if e.class() == sitrep_model::ErrorClass::Input {
        ApiError::BadRequest(e.to_string())
    } else {
        ApiError::internal(e.to_string())
    }
}

/// `method` of `/changes`.
pub(crate) const METHOD: Param = Param::new(
    "method",
    Kind::Choice {
        choices: &["pelt", "binseg", "bocpd"],
        default: Some("pelt"),
    },
    "Segmentation method",
    "binseg",
);

/// `penalty` of `/changes`.
pub(crate) const PENALTY: Param = Param::new(
    "penalty",
    Kind::Text {
        default: Some("mbic"),
    },
    "Penalty per change point: mbic, bic, aic, hq or a number",
    "bic",
);

/// `cost` of `/changes`.
pub(crate) const COST: Param = Param::new(
    "cost",
    Kind::Choice {
        choices: &["poisson", "negbin"],
        default: Some("poisson"),
    },
    "Segment cost",
    "negbin",
);

/// `GET /api/v1/changes?bucket=&method=&penalty=&cost=&…filters`.
pub async fn changes(State(state): State<AppState>, p: Params) -> Result<Response, ApiError> {
    let f = crate::params::filters(&p, &state)?;
    let bucket = Bucket::parse(&p, Bucket::Month)?;
    let method = watch::Method::parse(p.choice_of(&METHOD)?).unwrap_or_default();
    let cost = watch::CostKind::parse(p.choice_of(&COST)?).unwrap_or_default();
    let penalty = match p.one(PENALTY.name)? {
        None => watch::changes::Penalty::Mbic,
        Some(v) => watch::changes::parse_penalty(v).ok_or_else(|| {
            ApiError::BadRequest(format!(
                "`penalty` must be mbic, bic, aic, hq or a number ≥ 0, found `{}`",
                v.chars().take(40).collect::<String>()
            ))
        })?,
    };
    let q = ChangesQuery {
        filters: f.clone(),
        bucket: bucket.model(),
        method,
        cost,
        penalty,
        ..ChangesQuery::default()
    };
    let analysis = state.analysis().await?;
    let c = watch::changes(&analysis, &q).await.map_err(watch_err)?;
    let mut v = serde_json::to_value(&c).map_err(|e| ApiError::internal(e.to_string()))?;
    v["filters"] = f.to_json();
    Ok(json(v))
}

/// `GET /api/v1/alerts`: every alert (status change) of every indicator, and the
/// scenarios' latest status.
pub async fn alerts(State(state): State<AppState>) -> Result<Response, ApiError> {
    let r = report(&state).await?;
    let scenarios: Vec<serde_json::Value> = r
        .scenarios
        .iter()
        .map(|s| {
            serde_json::json!({
                "id": s.spec.id, "title": s.spec.title,
                "latest": s.latest(),
            })
        })
        .collect();
    Ok(json(serde_json::json!({
        "vintage": r.vintage,
        "fired": r.fired,
        "scenarios": scenarios,
        "alerts": r.alerts,
    })))
}

/// `GET /api/v1/alerts.atom`: the same alerts as an Atom 1.0 feed.
pub async fn alerts_atom(State(state): State<AppState>) -> Result<Response, ApiError> {
    let r = report(&state).await?;
    let all: Vec<&watch::Alert> = r.alerts.iter().collect();
    let updated = if r.vintage.is_empty() {
        String::new()
    } else {
        r.vintage.clone()
    };
    let body = watch::atom::feed(&all, "", &updated);
    Ok((
        [(header::CONTENT_TYPE, "application/atom+xml; charset=utf-8")],
        body,
    )
        .into_response())
}
