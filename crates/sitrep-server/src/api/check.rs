//! `POST /api/v1/check`: the claim checker over the store. Read-only (it changes
//! nothing, so it needs no token and no CSRF token), with a bounded body
//! ([`MAX_CHECK_BODY_BYTES`], 413 beyond it) and a time budget ([`CHECK_BUDGET`], 503
//! when spent). Body: `{"text": "...", "date": "YYYY-MM-DD"}` (date optional: today).
//! The answer is the same JSON as `sitrep check --format json`.

use crate::error::ApiError;
use crate::AppState;
use axum::body::Body;
use axum::extract::State;
use axum::http::{header, HeaderMap};
use axum::response::{IntoResponse, Response};
use chrono::NaiveDate;
use std::time::Duration;

/// Largest request body `/api/v1/check` and the `/check` page accept (256 KiB of text
/// plus room for the JSON or form around it).
pub const MAX_CHECK_BODY_BYTES: usize = sitrep_check::MAX_TEXT_BYTES + 4 * 1024;

/// Time a check may take before the server gives up (503).
pub const CHECK_BUDGET: Duration = Duration::from_secs(20);

/// Reads a request body of at most [`MAX_CHECK_BODY_BYTES`], refusing a larger one
/// (by its `Content-Length`, or while reading) with 413 and the sizes.
pub(crate) async fn read_body(headers: &HeaderMap, body: Body) -> Result<Vec<u8>, ApiError> {
    let too_large = |len: Option<usize>| {
        ApiError::PayloadTooLarge(format!(
            "the request body is {} bytes; the claim checker accepts at most {} bytes ({} KiB of text plus the JSON or form around it): send a shorter article or check it in parts",
            len.map_or_else(|| format!("more than {MAX_CHECK_BODY_BYTES}"), |l| l.to_string()),
            MAX_CHECK_BODY_BYTES,
            sitrep_check::MAX_TEXT_BYTES / 1024
        ))
    };
    let declared = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok());
    if declared.is_some_and(|l| l > MAX_CHECK_BODY_BYTES) {
        return Err(too_large(declared));
    }
    axum::body::to_bytes(body, MAX_CHECK_BODY_BYTES)
        .await
        .map(|b| b.to_vec())
        .map_err(|_| too_large(None))
}

/// Runs the checker on `text` as of `date` within the budget.
pub(crate) async fn run(
    state: &AppState,
    text: &str,
    date: Option<NaiveDate>,
) -> Result<sitrep_check::CheckReport, ApiError> {
    if text.len() > sitrep_check::MAX_TEXT_BYTES {
        return Err(ApiError::PayloadTooLarge(format!(
            "the text is {} bytes; the claim checker accepts at most {} bytes",
            text.len(),
            sitrep_check::MAX_TEXT_BYTES
        )));
    }
    let analysis = state.analysis().await?;
    let r = state.resolver();
    let opts = sitrep_check::CheckOptions {
        article_date: date.unwrap_or_else(|| chrono::Local::now().date_naive()),
        time_budget: Some(CHECK_BUDGET),
    };
    let fut = sitrep_check::check(&analysis, r.registry(), r.gazetteer(), text, &opts);
    match tokio::time::timeout(CHECK_BUDGET + Duration::from_secs(5), fut).await {
        Ok(Ok(report)) => Ok(report),
        Ok(Err(e @ sitrep_check::CheckError::TimeBudget { .. })) => {
            Err(ApiError::Unavailable(e.to_string()))
        }
        Ok(Err(e)) => Err(ApiError::classed(e.class(), e.to_string())),
        Err(_) => Err(ApiError::Unavailable(format!(
            "the check took longer than its time budget of {} s; send a shorter text",
            CHECK_BUDGET.as_secs()
        ))),
    }
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct CheckBody {
    text: String,
    #[serde(default)]
    date: Option<String>,
}

/// Parses `YYYY-MM-DD`, saying what is wrong.
pub(crate) fn parse_date(s: &str) -> Result<NaiveDate, ApiError> {
    s.trim().parse().map_err(|_| {
        ApiError::BadRequest(format!(
            "`date` must be the article's date as YYYY-MM-DD, not `{}`",
            s.chars().take(40).collect::<String>()
        ))
    })
}

/// `POST /api/v1/check`.
pub async fn check(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, ApiError> {
    let bytes = read_body(&headers, body).await?;
    let b: CheckBody = serde_json::from_slice(&bytes).map_err(|e| {
        ApiError::BadRequest(format!(
            "the body must be JSON {{\"text\": \"...\", \"date\": \"YYYY-MM-DD\"}}: {e}"
        ))
    })?;
    let date = b.date.as_deref().map(parse_date).transpose()?;
    let report = run(&state, &b.text, date).await?;
    let json = serde_json::to_string(&report).map_err(ApiError::internal)?;
    Ok(([(header::CONTENT_TYPE, "application/json")], json).into_response())
}
