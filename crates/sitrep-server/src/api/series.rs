//! `GET /api/v1/series`: incidents and fatality sums per week, month or year, from
//! the analysis engine behind `sitrep series` and every figure
//! ([`sitrep_analysis::Analysis::count_series`]): one definition of buckets, of the
//! fatality arithmetic and of coverage. A bucket the selected sources cover is
//! zero-filled; one they do not cover has null counts and `coverage.status = "none"`,
//! never zeros.

use super::{csv, json};
use crate::error::ApiError;
use crate::params::{Bucket, Filters, FiltersExt, Format, Params};
use crate::AppState;
use axum::extract::State;
use axum::response::Response;
use chrono::Datelike;
use sitrep_model::CountPoint;

/// Most buckets one answer may hold (a century of weeks is about 5,200).
pub const MAX_BUCKETS: usize = 10_000;

/// At least how many buckets the range from `from` to `to` spans.
fn buckets_between(from: chrono::NaiveDate, to: chrono::NaiveDate, bucket: Bucket) -> i64 {
    let months =
        i64::from(to.year() - from.year()) * 12 + i64::from(to.month0()) - i64::from(from.month0());
    match bucket {
        Bucket::Week => (to - from).num_days() / 7,
        Bucket::Month => months,
        Bucket::Year => i64::from(to.year() - from.year()),
    }
}

pub(crate) async fn series(
    state: &AppState,
    f: &Filters,
    bucket: Bucket,
) -> Result<Vec<CountPoint>, ApiError> {
    if let (Some(lo), Some(hi)) = (f.from, f.to) {
        if buckets_between(lo, hi, bucket) >= MAX_BUCKETS as i64 {
            return Err(ApiError::BadRequest(format!(
                "the range from {lo} to {hi} has more than {MAX_BUCKETS} {unit}s; narrow `from`/`to` or use a longer `bucket`",
                unit = bucket.as_str()
            )));
        }
    }
    let analysis = state.analysis().await?;
    Ok(analysis.count_series(f, bucket.model()).await?)
}

/// One bucket as JSON: `{start, end, incidents, fatalities_low, …, coverage}`, the
/// counts `null` in a bucket without coverage.
fn point_json(p: &CountPoint) -> serde_json::Value {
    let c = p.counts;
    serde_json::json!({
        "start": p.start,
        "end": p.end,
        "incidents": c.map(|c| c.incidents),
        "fatalities_low": c.map(|c| c.fatalities_low),
        "fatalities_best": c.map(|c| c.fatalities_best),
        "fatalities_high": c.and_then(|c| c.fatalities_high),
        "fatalities_unknown": c.map(|c| c.fatalities_unknown),
        "coverage": p.coverage,
    })
}

/// `GET /api/v1/series?bucket=week|month|year&format=json|csv&…filters`.
pub async fn index(State(state): State<AppState>, p: Params) -> Result<Response, ApiError> {
    let f = crate::params::filters(&p, &state)?;
    let bucket = Bucket::parse(&p, Bucket::Month)?;
    let format = Format::parse(&p, &crate::params::FORMAT_TABLE)?;
    let points = series(&state, &f, bucket).await?;
    if format == Format::Csv {
        let mut out = String::from(
            "start,end,incidents,fatalities_low,fatalities_best,fatalities_high,fatalities_unknown,coverage\n",
        );
        for p in &points {
            let cells = match p.counts {
                Some(c) => format!(
                    "{},{},{},{},{}",
                    c.incidents,
                    c.fatalities_low,
                    c.fatalities_best,
                    c.high_cell(),
                    c.fatalities_unknown
                ),
                None => ",,,,".to_string(),
            };
            out.push_str(&format!(
                "{},{},{cells},{}\n",
                p.start,
                p.end,
                p.coverage.cell()
            ));
        }
        return Ok(csv(out, "series.csv"));
    }
    Ok(json(serde_json::json!({
        "bucket": bucket.as_str(),
        "filters": f.to_json(),
        "counted_from": if state.analysis().await?.counts_from_rollup(&f) { "rollup" } else { "incidents" },
        "points": points.iter().map(point_json).collect::<Vec<_>>(),
    })))
}
