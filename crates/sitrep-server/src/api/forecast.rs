//! `GET /api/v1/forecast`: forecasts per province-month (or country-month) with the
//! back-test that chose the forecaster (`sitrep_analysis::Analysis::forecast`). The
//! defaults are lighter than the CLI's (24 back-test months, 200 samples).
//!
//! The back-test is seconds of CPU: it runs on a blocking thread
//! (`tokio::task::spawn_blocking`, driving the analysis' store queries with the
//! runtime's handle) so the request threads keep serving. The report is kept per
//! store version and query ([`report`]), shared with `/forecast` and the province
//! pages' panel, and the answer by the response cache (`crate::cache`) like every
//! `GET`: identical requests arriving meanwhile wait for the one computation, and a
//! commit to the store starts a new version.

use super::json;
use crate::error::ApiError;
use crate::params::{Kind, Param, Params};
use crate::AppState;
use axum::extract::State;
use axum::response::Response;
use sitrep_analysis::{Analysis, ForecastQuery};
use sitrep_model::figure::Measure;
use sitrep_model::forecast::{ForecastLevel, ForecastReport};
use std::sync::{Arc, Mutex, Weak};
use tokio::sync::OnceCell;

/// Reads a bounded whole number ([`Kind::Int`]: its bounds and default).
fn bounded(p: &Params, param: &Param) -> Result<u64, ApiError> {
    let Kind::Int { min, max, default } = param.kind else {
        return Err(ApiError::Internal(format!(
            "`{}` is not a number",
            param.name
        )));
    };
    let (key, max) = (param.name, max.unwrap_or(u64::MAX));
    match p.one(key)? {
        None => Ok(default.unwrap_or(min)),
        Some(v) => match v.parse::<u64>() {
            Ok(n) if (min..=max).contains(&n) => Ok(n),
            _ => Err(ApiError::BadRequest(format!(
                "`{key}={v}`: give a whole number from {min} to {max}"
            ))),
        },
    }
}

const fn int(
    name: &'static str,
    max: Option<u64>,
    default: u64,
    description: &'static str,
    example: &'static str,
) -> Param {
    let kind = Kind::Int {
        min: 1,
        max,
        default: Some(default),
    };
    Param::new(name, kind, description, example)
}

/// The parameters of `/forecast` besides the filter keys, read by [`query`].
pub(crate) const PARAMS: [Param; 7] = [
    Param::new(
        "level",
        Kind::Choice {
            choices: &["province", "country"],
            default: Some("province"),
        },
        "unit of the forecast",
        "province",
    ),
    Param::new(
        "measure",
        Kind::Choice {
            choices: &["incidents", "fatalities_best"],
            default: Some("incidents"),
        },
        "what is counted",
        "incidents",
    ),
    int("horizons", Some(6), 6, "months ahead", "3"),
    int(
        "backtest_months",
        Some(120),
        24,
        "rolling origins over the last N months",
        "24",
    ),
    int(
        "samples",
        Some(1000),
        200,
        "predictive samples per back-test cell",
        "200",
    ),
    int(
        "bootstrap",
        Some(1000),
        200,
        "bootstrap replicates for skill intervals",
        "200",
    ),
    int("seed", None, 1, "seed of every random draw", "1"),
];
const LEVEL: Param = PARAMS[0];
const MEASURE: Param = PARAMS[1];
const HORIZONS: Param = PARAMS[2];
const BACKTEST_MONTHS: Param = PARAMS[3];
const SAMPLES: Param = PARAMS[4];
const BOOTSTRAP: Param = PARAMS[5];
const SEED: Param = PARAMS[6];

/// The forecast query of a request: the filter keys plus `level`, `measure`,
/// `horizons`, `backtest_months`, `samples`, `bootstrap`, `seed`.
pub(crate) fn query(p: &Params, state: &AppState) -> Result<ForecastQuery, ApiError> {
    let filters = crate::params::filters(p, state)?;
    let level = match p.one(LEVEL.name)? {
        None => ForecastLevel::Province,
        Some(v) => ForecastLevel::parse(v).ok_or_else(|| {
            ApiError::BadRequest(format!("`level={v}`: give province or country"))
        })?,
    };
    let measure = match p.one(MEASURE.name)? {
        None | Some("incidents") => Measure::Incidents,
        Some("fatalities_best") => Measure::FatalitiesBest,
        Some(v) => {
            return Err(ApiError::BadRequest(format!(
                "`measure={v}`: give incidents or fatalities_best"
            )))
        }
    };
    Ok(ForecastQuery {
        filters,
        level,
        measure,
        horizons: bounded(p, &HORIZONS)? as usize,
        backtest_months: bounded(p, &BACKTEST_MONTHS)? as usize,
        samples: bounded(p, &SAMPLES)? as usize,
        bootstrap: bounded(p, &BOOTSTRAP)? as usize,
        seed: bounded(p, &SEED)?,
    })
}

/// `GET /api/v1/forecast?level=province|country&horizons=1..6&…filters`.
pub async fn index(State(state): State<AppState>, p: Params) -> Result<Response, ApiError> {
    let q = query(&p, &state)?;
    let report = report(&state, q).await?;
    Ok(json(
        serde_json::to_value(&*report).map_err(ApiError::internal)?,
    ))
}

/// The query of a request with no parameters: what `/forecast` and the province
/// pages show.
pub(crate) fn default_query(state: &AppState) -> Result<ForecastQuery, ApiError> {
    query(&Params::from_pairs(&[]), state)
}

/// A report being or already computed.
type Slot = Arc<OnceCell<Arc<ForecastReport>>>;

/// Reports by the snapshot's series engine (held weakly: when a commit replaces the
/// snapshot, its entries go) and the query, most recent last.
static REPORTS: Mutex<Vec<(Weak<Analysis>, String, Slot)>> = Mutex::new(Vec::new());

/// Reports kept at most (queries differ by filters, horizons, seeds…).
const KEPT: usize = 16;

/// The forecast report of `q` on the current store version: computed once per
/// version and query, on a blocking thread, and shared by the API, `/forecast` and
/// the province pages. Identical calls arriving meanwhile wait for the one
/// computation, which finishes (and is kept) even if its caller gives up.
pub(crate) async fn report(
    state: &AppState,
    q: ForecastQuery,
) -> Result<Arc<ForecastReport>, ApiError> {
    let analysis = state.analysis().await?;
    let key = format!("{q:?}");
    let slot = {
        let mut kept = REPORTS.lock().expect("forecast reports");
        kept.retain(|(a, _, _)| a.strong_count() > 0);
        let found = kept
            .iter()
            .find(|(a, k, _)| std::ptr::eq(a.as_ptr(), Arc::as_ptr(&analysis)) && *k == key)
            .map(|(_, _, s)| Arc::clone(s));
        found.unwrap_or_else(|| {
            if kept.len() >= KEPT {
                kept.remove(0);
            }
            let s = Slot::default();
            kept.push((Arc::downgrade(&analysis), key, Arc::clone(&s)));
            s
        })
    };
    if let Some(r) = slot.get() {
        return Ok(Arc::clone(r));
    }
    let failed =
        |e: tokio::task::JoinError| ApiError::internal(format!("the forecast task failed: {e}"));
    tokio::spawn(async move {
        slot.get_or_try_init(|| async move {
            let runtime = tokio::runtime::Handle::current();
            let r = tokio::task::spawn_blocking(move || runtime.block_on(analysis.forecast(&q)))
                .await
                .map_err(failed)??;
            Ok::<_, ApiError>(Arc::new(r))
        })
        .await
        .cloned()
    })
    .await
    .map_err(failed)?
}
