//! Change points on a count series of the query model: PELT, binary segmentation
//! (Poisson or negative-binomial cost, R `changepoint` penalties) or Poisson–Gamma
//! BOCPD from `sitrep-stats`, each break with its date interval and the rates either
//! side.

use super::WatchError;
use crate::{Analysis, SeriesQuery};
use chrono::NaiveDate;
use serde::Serialize;
use sitrep_model::bucket::bucket_end;
use sitrep_model::figure::{Bucket, Filters, Measure};
pub use sitrep_stats::changepoint::Penalty;
use sitrep_stats::changepoint::{
    binseg, describe_breaks, pelt, Bocpd, Break, Cost, NegBinomialCost, PoissonCost,
    DEFAULT_MAX_CPS, DEFAULT_MIN_SEG_LEN, DEFAULT_PROFILE_DELTA,
};

/// The segmentation method.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Method {
    /// Exact optimal partition (Killick et al. 2012).
    #[default]
    Pelt,
    /// Binary segmentation as R `changepoint` runs it (at most `max_cps` splits).
    Binseg,
    /// Bayesian online change-point detection, Poisson–Gamma, MAP run lengths.
    Bocpd,
}

impl Method {
    /// Reads `pelt`, `binseg`, `bocpd`.
    pub fn parse(s: &str) -> Option<Method> {
        Some(match s {
            "pelt" => Method::Pelt,
            "binseg" => Method::Binseg,
            "bocpd" => Method::Bocpd,
            _ => return None,
        })
    }
    /// The name.
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Pelt => "pelt",
            Method::Binseg => "binseg",
            Method::Bocpd => "bocpd",
        }
    }
}

/// The segment cost.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CostKind {
    /// Poisson (R `cpt.meanvar(test.stat = "Poisson")`).
    #[default]
    Poisson,
    /// Negative binomial with one size fitted on the whole series.
    Negbin,
}

impl CostKind {
    /// Reads `poisson`, `negbin`.
    pub fn parse(s: &str) -> Option<CostKind> {
        Some(match s {
            "poisson" => CostKind::Poisson,
            "negbin" | "nb" => CostKind::Negbin,
            _ => return None,
        })
    }
}

/// Reads a penalty: `mbic`, `bic`, `aic`, `hq` or a number ≥ 0.
pub fn parse_penalty(s: &str) -> Option<Penalty> {
    Some(match s.to_ascii_lowercase().as_str() {
        "mbic" => Penalty::Mbic,
        "bic" | "sic" => Penalty::Bic,
        "aic" => Penalty::Aic,
        "hq" | "hannan-quinn" => Penalty::HannanQuinn,
        n => match n.parse::<f64>() {
            Ok(v) if v >= 0.0 && v.is_finite() => Penalty::Manual(v),
            _ => return None,
        },
    })
}

/// The name of a penalty.
pub fn penalty_name(p: &Penalty) -> String {
    match p {
        Penalty::Mbic => "mbic".into(),
        Penalty::Bic => "bic".into(),
        Penalty::Aic => "aic".into(),
        Penalty::HannanQuinn => "hq".into(),
        Penalty::Manual(v) => format!("{v}"),
    }
}

/// What to segment and how.
#[derive(Debug, Clone, PartialEq)]
pub struct ChangesQuery {
    /// Which incidents count.
    pub filters: Filters,
    /// Bucket.
    pub bucket: Bucket,
    /// Measure.
    pub measure: Measure,
    /// Method.
    pub method: Method,
    /// Penalty per change point (PELT, BinSeg).
    pub penalty: Penalty,
    /// Cost (PELT, BinSeg).
    pub cost: CostKind,
    /// Shortest segment in buckets (default 2, R's).
    pub min_seg_len: usize,
    /// At most this many splits (BinSeg; default 5, R's `Q`).
    pub max_cps: usize,
    /// BOCPD expected run length in buckets (hazard 1/λ).
    pub lambda: f64,
    /// Distance-band edges in km, for distance-band filters (default: the rollup's).
    pub distance_bands: Vec<f64>,
}

impl Default for ChangesQuery {
    fn default() -> Self {
        ChangesQuery {
            filters: Filters::default(),
            bucket: Bucket::Month,
            measure: Measure::Incidents,
            method: Method::Pelt,
            penalty: Penalty::Mbic,
            cost: CostKind::Poisson,
            min_seg_len: DEFAULT_MIN_SEG_LEN,
            max_cps: DEFAULT_MAX_CPS,
            lambda: 24.0,
            distance_bands: sitrep_store::ROLLUP_BAND_EDGES.to_vec(),
        }
    }
}

/// One side of a break.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Segment {
    /// First day.
    pub from: NaiveDate,
    /// Last day.
    pub to: NaiveDate,
    /// Buckets.
    pub buckets: usize,
    /// Sum of the measure.
    pub total: f64,
    /// Mean per bucket.
    pub rate: f64,
    /// Exact 95 % interval for the rate.
    pub rate_lo: f64,
    /// Upper end.
    pub rate_hi: f64,
}

/// One change point.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ChangeBreak {
    /// First bucket of the new segment.
    pub date: NaiveDate,
    /// Earliest plausible first day of the new segment.
    pub lo: NaiveDate,
    /// Latest plausible first day of the new segment.
    pub hi: NaiveDate,
    /// Bucket index in the series.
    pub index: usize,
    /// Before the break.
    pub before: Segment,
    /// After it.
    pub after: Segment,
    /// after.rate / before.rate (null when infinite).
    pub ratio: Option<f64>,
    /// Exact 95 % interval for the ratio.
    pub ratio_lo: Option<f64>,
    /// Upper end.
    pub ratio_hi: Option<f64>,
}

/// A segmented series.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Changes {
    /// Bucket.
    pub bucket: Bucket,
    /// Measure.
    pub measure: Measure,
    /// Method.
    pub method: Method,
    /// Penalty (PELT, BinSeg).
    pub penalty: String,
    /// Cost.
    pub cost: CostKind,
    /// Bucket starts.
    pub starts: Vec<NaiveDate>,
    /// Values (`None` where not covered: each covered stretch is segmented on its own).
    pub values: Vec<Option<f64>>,
    /// The breaks, oldest first.
    pub breaks: Vec<ChangeBreak>,
    /// Buckets not covered by any selected source (left out).
    pub uncovered: usize,
}

fn finite(v: f64) -> Option<f64> {
    v.is_finite().then_some(v)
}

/// Change points of the series `q` describes.
pub async fn changes(analysis: &Analysis, q: &ChangesQuery) -> Result<Changes, WatchError> {
    let frame = analysis
        .series(&SeriesQuery {
            filters: q.filters.clone(),
            bucket: q.bucket,
            measure: q.measure,
            distance_bands: q.distance_bands.clone(),
            ..SeriesQuery::default()
        })
        .await?;
    let values = frame
        .lines
        .first()
        .map(|l| l.values.clone())
        .unwrap_or_default();
    Ok(segment(q, frame.starts, values))
}

/// Segments `values` (one per `starts`); pure, for tests and charts.
pub fn segment(q: &ChangesQuery, starts: Vec<NaiveDate>, values: Vec<Option<f64>>) -> Changes {
    let mut breaks = Vec::new();
    let mut i = 0;
    while i < values.len() {
        if values[i].is_none() {
            i += 1;
            continue;
        }
        let j = (i..values.len())
            .find(|&j| values[j].is_none())
            .unwrap_or(values.len());
        let xs: Vec<f64> = values[i..j].iter().map(|v| v.unwrap_or(0.0)).collect();
        for b in run_breaks(q, &xs) {
            breaks.push(to_break(q.bucket, &starts[i..j], i, &b));
        }
        i = j;
    }
    Changes {
        bucket: q.bucket,
        measure: q.measure,
        method: q.method,
        penalty: penalty_name(&q.penalty),
        cost: q.cost,
        uncovered: values.iter().filter(|v| v.is_none()).count(),
        starts,
        values,
        breaks,
    }
}

/// The breaks of one covered stretch.
pub fn run_breaks(q: &ChangesQuery, xs: &[f64]) -> Vec<Break> {
    match q.method {
        Method::Bocpd => {
            let mean = xs.iter().sum::<f64>() / xs.len().max(1) as f64;
            // A weak Gamma(1, 1/mean) prior: its mean is the series' mean.
            let rate = if mean > 0.0 { 1.0 / mean } else { 1.0 };
            Bocpd::new(q.lambda.max(1.0 + 1e-9), 1.0, rate)
                .run(xs)
                .breaks()
        }
        Method::Pelt | Method::Binseg => {
            let m = q.min_seg_len.max(1);
            let find = |c: &dyn Cost| match q.method {
                Method::Binseg => binseg(c, &q.penalty, m, q.max_cps),
                _ => pelt(c, &q.penalty, m),
            };
            match q.cost {
                CostKind::Poisson => {
                    let c = PoissonCost::new(xs);
                    let cps = find(&c);
                    describe_breaks(&c, &cps, m, DEFAULT_PROFILE_DELTA)
                }
                CostKind::Negbin => {
                    let c = NegBinomialCost::new(xs);
                    let cps = find(&c);
                    describe_breaks(&c, &cps, m, DEFAULT_PROFILE_DELTA)
                }
            }
        }
    }
}

fn to_break(bucket: Bucket, starts: &[NaiveDate], offset: usize, b: &Break) -> ChangeBreak {
    let seg = |s: &sitrep_stats::changepoint::SegmentRate| Segment {
        from: starts[s.start],
        to: bucket_end(starts[s.end - 1], bucket),
        buckets: s.end - s.start,
        total: s.total,
        rate: s.rate,
        rate_lo: s.rate_lo,
        rate_hi: s.rate_hi,
    };
    ChangeBreak {
        date: starts[b.index],
        lo: starts[b.lo.min(starts.len() - 1)],
        hi: starts[b.hi.min(starts.len() - 1)],
        index: offset + b.index,
        before: seg(&b.before),
        after: seg(&b.after),
        ratio: finite(b.ratio),
        ratio_lo: finite(b.ratio_lo),
        ratio_hi: finite(b.ratio_hi),
    }
}
