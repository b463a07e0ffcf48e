//! `GET /api/v1/series`: incidents and fatality sums per week, month or year: a
//! `date_trunc` count over the store's rollup when it can answer, else over
//! `incidents`. A bucket the selected sources cover is zero-filled; one they do not
//! cover has null counts and `coverage.status = "none"` (the analysis layer's
//! coverage rule), never zeros.

use super::{counts_from, csv, json, Counts};
use crate::error::ApiError;
use crate::params::{Bucket, Filters, FiltersExt, Format, Params};
use crate::table::s;
use crate::AppState;
use axum::extract::State;
use axum::response::Response;
use chrono::NaiveDate;
use sitrep_model::BucketCoverage;
use std::collections::HashMap;

/// Most buckets one answer may hold (a century of weeks is about 5,200).
pub const MAX_BUCKETS: usize = 10_000;

/// One bucket.
#[derive(Debug, Clone)]
pub struct Point {
    /// First day.
    pub start: NaiveDate,
    /// Last day.
    pub end: NaiveDate,
    /// Counts; `None` when no selected source covers the bucket.
    pub counts: Option<Counts>,
    /// How the selected sources cover the bucket.
    pub coverage: BucketCoverage,
}

impl serde::Serialize for Point {
    /// `{start, end, incidents, fatalities_low, …, coverage}`: the counts are `null`
    /// in a bucket without coverage.
    fn serialize<S: serde::Serializer>(&self, ser: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut m = ser.serialize_map(Some(8))?;
        m.serialize_entry("start", &self.start)?;
        m.serialize_entry("end", &self.end)?;
        let c = self.counts;
        m.serialize_entry("incidents", &c.map(|c| c.incidents))?;
        m.serialize_entry("fatalities_low", &c.map(|c| c.fatalities_low))?;
        m.serialize_entry("fatalities_best", &c.map(|c| c.fatalities_best))?;
        m.serialize_entry("fatalities_high", &c.and_then(|c| c.fatalities_high))?;
        m.serialize_entry("fatalities_unknown", &c.map(|c| c.fatalities_unknown))?;
        m.serialize_entry("coverage", &self.coverage)?;
        m.end()
    }
}

pub(crate) async fn series(
    state: &AppState,
    f: &Filters,
    bucket: Bucket,
) -> Result<Vec<Point>, ApiError> {
    let unit = bucket.as_str();
    let (table, aggregates) = counts_from(state, f);
    let rows = state
        .rows(&format!(
            "SELECT CAST(CAST(date_trunc('{unit}', CAST(date_start AS TIMESTAMP)) AS DATE) AS VARCHAR) AS start, \
             {aggregates} FROM {table} WHERE {} GROUP BY 1 ORDER BY 1",
            f.to_sql()
        ))
        .await?;
    let mut by_start: HashMap<NaiveDate, Counts> = HashMap::new();
    let (mut lo, mut hi): (Option<NaiveDate>, Option<NaiveDate>) = (None, None);
    for r in &rows {
        let start: NaiveDate = s(r, "start")
            .and_then(|d| d.parse().ok())
            .ok_or_else(|| ApiError::internal(format!("bad bucket start in {r:?}")))?;
        if start != bucket.start_of(start) {
            return Err(ApiError::internal(format!(
                "date_trunc('{unit}') gave {start}, which is not a bucket start"
            )));
        }
        by_start.insert(start, super::Counts::from_row(r));
        lo = Some(lo.map_or(start, |l| l.min(start)));
        hi = Some(hi.map_or(start, |h| h.max(start)));
    }
    // The range asked for wins over the data's: a quiet period shows as zeros.
    let lo = f.from.map(|d| bucket.start_of(d)).or(lo);
    let hi = f.to.map(|d| bucket.start_of(d)).or(hi);
    let (Some(lo), Some(hi)) = (lo, hi) else {
        return Ok(Vec::new());
    };
    let mut out = Vec::new();
    let mut d = lo;
    while d <= hi {
        if out.len() >= MAX_BUCKETS {
            return Err(ApiError::BadRequest(format!(
                "the range from {lo} to {hi} has more than {MAX_BUCKETS} {unit}s; narrow `from`/`to` or use a longer `bucket`"
            )));
        }
        out.push(Point {
            start: d,
            end: bucket.end(d),
            counts: Some(by_start.get(&d).copied().unwrap_or_default()),
            coverage: BucketCoverage::default(),
        });
        d = bucket.next(d);
    }
    // The analysis layer's coverage rule: a bucket no selected source covers has no
    // counts (null), not zeros.
    let analysis = state.analysis().await?;
    let idx = analysis.coverage_index(f, lo, bucket.end(hi)).await?;
    for p in &mut out {
        p.coverage = idx.bucket(p.start, p.end + chrono::Days::new(1));
        if !p.coverage.is_covered() {
            p.counts = None;
        }
    }
    Ok(out)
}

/// `GET /api/v1/series?bucket=week|month|year&format=json|csv&…filters`.
pub async fn index(State(state): State<AppState>, p: Params) -> Result<Response, ApiError> {
    p.check(true, &["bucket", "format"])?;
    let f = crate::params::filters(&p, &state)?;
    let bucket = Bucket::parse(&p, Bucket::Month)?;
    let format = Format::parse(&p, &["json", "csv"])?;
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
        "counted_from": counts_from(&state, &f).0,
        "points": points,
    })))
}
