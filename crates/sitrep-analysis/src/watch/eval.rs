//! Evaluating an indicator over history: its series from the analysis layer, the rule
//! from `sitrep-stats`, a status per bucket with the numbers that decided it, and the
//! records behind the deciding bucket.

use super::spec::{AnomalyModel, IndicatorSpec, RuleSpec, ShareIntervalSpec};
use super::WatchError;
use crate::{Analysis, AnalysisError, SeriesQuery};
use chrono::{Days, NaiveDate};
use serde::Serialize;
use sitrep_model::bucket::{bucket_end, bucket_start};
use sitrep_model::figure::{Bucket, Filters, GroupBy};
use sitrep_model::{BucketCoverage, CoverageStatus};
use sitrep_stats::rules::{acled, generic, Evaluation, Evidence, Status};

/// A rule's verdict for one bucket (`sitrep_stats::rules::Status`, serialisable).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum WatchStatus {
    /// The condition holds.
    Fired,
    /// Evaluated on covered data; the condition does not hold.
    Quiet,
    /// The rule does not apply (a gate is not met, a zero denominator).
    Ineligible,
    /// Some bucket the rule needs is not covered by any selected source.
    NoData,
}

impl WatchStatus {
    /// `fired`, `quiet`, `ineligible`, `no_data`.
    pub fn as_str(self) -> &'static str {
        match self {
            WatchStatus::Fired => "fired",
            WatchStatus::Quiet => "quiet",
            WatchStatus::Ineligible => "ineligible",
            WatchStatus::NoData => "no_data",
        }
    }
}

impl From<Status> for WatchStatus {
    fn from(s: Status) -> Self {
        match s {
            Status::Fired => WatchStatus::Fired,
            Status::Quiet => WatchStatus::Quiet,
            Status::Ineligible => WatchStatus::Ineligible,
            Status::NoData => WatchStatus::NoData,
        }
    }
}

/// The numbers behind a status (`sitrep_stats::rules::Evidence`, serialisable).
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize)]
pub struct WatchEvidence {
    /// The value tested.
    pub value: Option<f64>,
    /// What it was compared with.
    pub baseline: Option<f64>,
    /// value / baseline.
    pub ratio: Option<f64>,
    /// Percent change of value over baseline.
    pub percent_change: Option<f64>,
    /// A p-value.
    pub p_value: Option<f64>,
    /// The threshold.
    pub threshold: Option<f64>,
    /// Interval for the value, low end.
    pub lo: Option<f64>,
    /// High end.
    pub hi: Option<f64>,
}

fn finite(v: Option<f64>) -> Option<f64> {
    v.filter(|x| x.is_finite())
}

impl From<Evidence> for WatchEvidence {
    fn from(e: Evidence) -> Self {
        WatchEvidence {
            value: finite(e.value),
            baseline: finite(e.baseline),
            ratio: finite(e.ratio),
            percent_change: finite(e.percent_change),
            p_value: finite(e.p_value),
            threshold: finite(e.threshold),
            lo: finite(e.lo),
            hi: finite(e.hi),
        }
    }
}

/// One bucket's verdict.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BucketStatus {
    /// First day of the bucket.
    pub start: NaiveDate,
    /// Last day.
    pub end: NaiveDate,
    /// The verdict.
    pub status: WatchStatus,
    /// The numbers that decided it.
    pub evidence: WatchEvidence,
    /// The rule's words for it (`large increase: 12 vs 4.0 (+200 %)`).
    pub note: String,
    /// How the selected sources cover the bucket: `complete`, `partial [share]`, `none`.
    pub coverage: String,
    /// The bucket runs past the last day of data, or is only partly covered: its
    /// value may still rise.
    pub incomplete: bool,
}

/// One plotted series of an indicator.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RunLine {
    /// Legend label.
    pub label: String,
    /// One value per bucket; `None` where not covered.
    pub values: Vec<Option<f64>>,
}

/// An indicator evaluated over its period.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct IndicatorRun {
    /// The indicator.
    pub spec: IndicatorSpec,
    /// The filters the (first) series was counted with, dates included: the explore
    /// link of the evidence.
    pub filters: Filters,
    /// The series the rule read.
    pub lines: Vec<RunLine>,
    /// One verdict per bucket, oldest first.
    pub buckets: Vec<BucketStatus>,
    /// Index of the deciding bucket: the latest that fired, else the latest with data.
    pub deciding: Option<usize>,
    /// Record ids behind the deciding bucket's value (numerator, series `a`).
    pub records: Vec<String>,
    /// Last day the selected sources cover (the data's vintage for this indicator).
    pub data_through: Option<NaiveDate>,
    /// Why the indicator could not be counted, when it could not (every bucket is
    /// then `no_data`): e.g. the store has no claims ledger.
    pub unavailable: Option<String>,
}

impl IndicatorRun {
    /// The latest bucket's verdict.
    pub fn latest(&self) -> Option<&BucketStatus> {
        self.buckets.last()
    }
}

/// The period an evaluation covers, overriding the indicators' own dates.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct EvalOptions {
    /// First day shown (history before it is read for windows).
    pub from: Option<NaiveDate>,
    /// Last day (default: the indicator's `to`, else `as_of`, else the data's last day).
    pub to: Option<NaiveDate>,
    /// "Now": the default end of open indicators.
    pub as_of: Option<NaiveDate>,
}

/// How many buckets of history a rule reads before the bucket it judges.
fn lookback(rule: &RuleSpec) -> Option<usize> {
    Some(match rule {
        RuleSpec::Threshold { .. } | RuleSpec::Share { .. } => 0,
        RuleSpec::Crossing => 1,
        RuleSpec::Trend { k, .. } => k.saturating_sub(1),
        RuleSpec::Anomaly { window, .. } => *window,
        RuleSpec::AcledChange { reference } => *reference as usize,
        RuleSpec::AcledSurge => 4,
        RuleSpec::AcledThreat => 55,
        RuleSpec::EmergingActor { lookback } => return lookback.map(|l| l.max(12)),
    })
}

fn days_per(bucket: Bucket) -> u64 {
    match bucket {
        Bucket::Day => 1,
        Bucket::Week | Bucket::AcledWeek => 7,
        Bucket::Month => 31,
        Bucket::Quarter => 92,
        Bucket::Year => 366,
    }
}

/// Evaluates one indicator.
pub async fn evaluate(
    analysis: &Analysis,
    spec: &IndicatorSpec,
    opts: &EvalOptions,
) -> Result<IndicatorRun, WatchError> {
    let q = &spec.query;
    let base = &q.filters;
    let range = analysis.data_range(&base.sources).await?;
    let shown_from = opts.from.or(base.from).or(range.map(|r| r.0));
    let to = opts.to.or(base.to).or(opts.as_of).or(range.map(|r| r.1));
    let (Some(shown_from), Some(to)) = (shown_from, to) else {
        return Ok(empty_run(
            spec,
            base,
            "the store holds no data for these sources",
        ));
    };
    let shown_from = bucket_start(shown_from, q.bucket);
    let data_through = {
        let lo = range.map_or(shown_from, |r| r.0.min(shown_from));
        let hi = range.map_or(to, |r| r.1.max(to));
        match analysis.coverage_index(base, lo, hi).await {
            Ok(idx) => idx.last_covered().or(range.map(|r| r.1)),
            Err(_) => range.map(|r| r.1),
        }
    };
    let read_from = match lookback(&spec.rule) {
        Some(n) => bucket_start(
            shown_from
                .checked_sub_days(Days::new(days_per(q.bucket) * n as u64))
                .unwrap_or(shown_from),
            q.bucket,
        ),
        None => range.map_or(shown_from, |r| bucket_start(r.0.min(shown_from), q.bucket)),
    };
    let dated = |f: &Filters| Filters {
        from: Some(read_from),
        to: Some(to),
        ..base.merged(f)
    };
    let frame = |filters: Filters, by: GroupBy| SeriesQuery {
        filters,
        bucket: q.bucket,
        measure: q.measure,
        by,
        distance_bands: sitrep_store::ROLLUP_BAND_EDGES.to_vec(),
        ..SeriesQuery::default()
    };
    let main_filters = match &spec.rule {
        RuleSpec::Crossing => dated(q.a.as_ref().unwrap_or(&Filters::default())),
        RuleSpec::Share { .. } => dated(q.numerator.as_ref().unwrap_or(&Filters::default())),
        _ => dated(&Filters::default()),
    };
    let main_q = frame(main_filters.clone(), GroupBy::None);
    let one = |f: sitrep_model::figure::SeriesFrame| -> (Vec<NaiveDate>, Vec<Option<f64>>, Vec<BucketCoverage>) {
        let values = f
            .lines
            .first()
            .map(|l| l.values.clone())
            .unwrap_or_else(|| vec![None; f.starts.len()]);
        (f.starts, values, f.coverage)
    };
    let result = async {
        let (starts, values, coverage) = one(analysis.series(&main_q).await?);
        let mut lines = vec![RunLine {
            label: spec.title.clone(),
            values: values.clone(),
        }];
        let evals: Vec<(Evaluation<()>, String)> = match &spec.rule {
            RuleSpec::Threshold { at_least, at_most } => {
                let (cmp, t) = match (at_least, at_most) {
                    (Some(t), _) => (generic::Comparator::AtLeast, *t),
                    (_, Some(t)) => (generic::Comparator::AtMost, *t),
                    _ => unreachable!("validated"),
                };
                let sign = if cmp == generic::Comparator::AtLeast { "≥" } else { "≤" };
                generic::threshold(&values, cmp, t)
                    .into_iter()
                    .map(|e| {
                        let n = match e.evidence.value {
                            Some(v) => format!("{} {sign} {}? {}", fmt(v), fmt(t), yes(e.status)),
                            None => String::new(),
                        };
                        (e, n)
                    })
                    .collect()
            }
            RuleSpec::Crossing => {
                let bq = frame(dated(q.b.as_ref().unwrap_or(&Filters::default())), GroupBy::None);
                let (_, b, _) = one(analysis.series(&bq).await?);
                lines[0].label = label_of(q.a.as_ref(), "a");
                lines.push(RunLine {
                    label: label_of(q.b.as_ref(), "b"),
                    values: b.clone(),
                });
                generic::crossing(&values, &b)
                    .into_iter()
                    .map(|e| {
                        let n = match (e.evidence.value, e.evidence.baseline) {
                            (Some(a), Some(b)) if e.status == Status::Fired => {
                                format!("{} overtakes: {} > {}", lines[0].label, fmt(a), fmt(b))
                            }
                            (Some(a), Some(b)) => format!("{} vs {}", fmt(a), fmt(b)),
                            _ => String::new(),
                        };
                        (e, n)
                    })
                    .collect()
            }
            RuleSpec::Trend { k, alpha } => generic::trend(&values, *k, *alpha)
                .into_iter()
                .map(|e| {
                    let n = match e.detail {
                        Some(t) => format!(
                            "×{:.3} per {} over {k} (LR p = {:.3})",
                            t.rate_ratio,
                            q.bucket.noun(),
                            t.p_lr
                        ),
                        None if e.status == Status::NoData => String::new(),
                        None => "no events in the window".into(),
                    };
                    (strip(e), n)
                })
                .collect(),
            RuleSpec::Anomaly {
                window,
                model,
                alpha,
            } => generic::anomaly(&values, *window, *alpha)
                .into_iter()
                .map(|mut e| {
                    if let (AnomalyModel::Poisson, Some(d)) = (model, e.detail) {
                        e.evidence.p_value = Some(d.p_poisson);
                        e.status = if d.p_poisson < *alpha {
                            Status::Fired
                        } else {
                            Status::Quiet
                        };
                    }
                    let n = match (e.evidence.value, e.evidence.baseline, e.evidence.p_value) {
                        (Some(v), Some(b), Some(p)) => format!(
                            "{} against a {window}-{} mean of {:.2}: P(X ≥ {}) = {:.4}",
                            fmt(v),
                            q.bucket.noun(),
                            b,
                            fmt(v),
                            p
                        ),
                        _ => String::new(),
                    };
                    (strip(e), n)
                })
                .collect(),
            RuleSpec::AcledChange { reference } => {
                let r = if *reference == 4 {
                    acled::Reference::PreviousMonth
                } else {
                    acled::Reference::PreviousYear
                };
                acled::change_level(&values, r)
                    .into_iter()
                    .map(|e| {
                        let n = match (e.detail, e.evidence.value, e.evidence.baseline) {
                            (Some(l), Some(v), Some(b)) => format!(
                                "{}: {} vs {reference}-week average {:.2} ({})",
                                level_name(l),
                                fmt(v),
                                b,
                                pct(e.evidence.percent_change)
                            ),
                            _ => String::new(),
                        };
                        (strip(e), n)
                    })
                    .collect()
            }
            RuleSpec::AcledSurge | RuleSpec::AcledThreat => {
                let surge = matches!(spec.rule, RuleSpec::AcledSurge);
                let ev = if surge {
                    acled::surge_tracker(&values)
                } else {
                    acled::threat_tracker(&values)
                };
                ev.into_iter()
                    .map(|e| {
                        let n = match (e.evidence.value, e.evidence.baseline) {
                            (Some(v), Some(b)) if e.status == Status::Ineligible => format!(
                                "not eligible: 4-week average below 1 event ({} vs {:.2})",
                                fmt(v),
                                b
                            ),
                            (Some(v), Some(b)) => format!(
                                "{} {:.2} vs {} {:.2} ({})",
                                if surge { "week" } else { "4-week rate" },
                                v,
                                if surge { "4-week average" } else { "52-week rate" },
                                b,
                                pct(e.evidence.percent_change)
                            ),
                            _ => String::new(),
                        };
                        (e, n)
                    })
                    .collect()
            }
            RuleSpec::EmergingActor { lookback } => {
                let by = analysis.series(&frame(main_filters.clone(), GroupBy::Actor)).await?;
                let registry = analysis.registry.clone();
                let buckets: Vec<Option<acled::ActorBucket<String>>> = (0..by.starts.len())
                    .map(|i| {
                        if !by.coverage.get(i).is_none_or(|c| c.is_covered()) {
                            return None;
                        }
                        let mut b = acled::ActorBucket::default();
                        for l in &by.lines {
                            if l.values.get(i).copied().flatten().unwrap_or(0.0) > 0.0
                                && !l.label.starts_with('(')
                            {
                                let kind = registry
                                    .as_ref()
                                    .and_then(|r| r.get(&l.label))
                                    .map(|a| a.kind_on(by.starts[i]));
                                use sitrep_resolve::actors::ActorKind as K;
                                let k = match kind {
                                    Some(K::State) | Some(K::ForeignState) => acled::ActorKind::State,
                                    Some(K::Civilians) => acled::ActorKind::Civilian,
                                    _ => acled::ActorKind::NonState,
                                };
                                b.violent.push((l.label.clone(), k));
                            }
                        }
                        Some(b)
                    })
                    .collect();
                acled::emerging_actors(&buckets, *lookback)
                    .into_iter()
                    .map(|e| {
                        let n = match (e.evidence.value, e.evidence.baseline) {
                            (Some(v), Some(b)) => {
                                let mut s = format!(
                                    "{} violent non-state actors vs 12-month average {:.2}",
                                    fmt(v),
                                    b
                                );
                                if !e.detail.is_empty() {
                                    s.push_str(&format!("; emerged: {}", e.detail.join(", ")));
                                }
                                s
                            }
                            _ => String::new(),
                        };
                        (strip(e), n)
                    })
                    .collect()
            }
            RuleSpec::Share {
                threshold,
                interval,
            } => {
                let dq = frame(
                    dated(q.denominator.as_ref().unwrap_or(&Filters::default())),
                    GroupBy::None,
                );
                let (_, d, _) = one(analysis.series(&dq).await?);
                lines[0].label = "numerator".into();
                lines.push(RunLine {
                    label: "denominator".into(),
                    values: d.clone(),
                });
                let iv = match interval {
                    ShareIntervalSpec::Wilson => generic::ShareInterval::Wilson,
                    ShareIntervalSpec::Exact => generic::ShareInterval::Exact,
                };
                generic::share(&values, &d, *threshold, iv)
                    .into_iter()
                    .map(|e| {
                        let n = match (e.evidence.value, e.evidence.lo, e.evidence.hi) {
                            (Some(v), Some(lo), Some(hi)) => format!(
                                "share {:.1} % (95 % CI {:.1}–{:.1} %); fires when the low end ≥ {:.0} %",
                                100.0 * v,
                                100.0 * lo,
                                100.0 * hi,
                                100.0 * threshold
                            ),
                            _ if e.status == Status::Ineligible => "no events to share".into(),
                            _ => String::new(),
                        };
                        (e, n)
                    })
                    .collect()
            }
        };
        Ok::<_, AnalysisError>((starts, lines, coverage, evals))
    }
    .await;
    let (starts, mut lines, coverage, evals) = match result {
        Ok(r) => r,
        Err(e @ (AnalysisError::NoAttribution | AnalysisError::MissingColumn { .. })) => {
            let mut run = empty_run(spec, &main_filters, &e.to_string());
            let starts = sitrep_model::bucket::bucket_starts(shown_from, to, q.bucket);
            run.buckets = starts
                .iter()
                .map(|&s| BucketStatus {
                    start: s,
                    end: bucket_end(s, q.bucket),
                    status: WatchStatus::NoData,
                    evidence: WatchEvidence::default(),
                    note: "not counted: see `unavailable`".into(),
                    coverage: "none".into(),
                    incomplete: false,
                })
                .collect();
            run.data_through = data_through;
            return Ok(run);
        }
        Err(e) => return Err(e.into()),
    };
    // Keep the buckets from `shown_from` on; earlier ones were history for windows.
    let keep = starts
        .iter()
        .position(|&s| s >= shown_from)
        .unwrap_or(starts.len());
    let mut buckets: Vec<BucketStatus> = Vec::new();
    for (i, (e, note)) in evals.into_iter().enumerate().skip(keep) {
        let start = starts[i];
        let end = bucket_end(start, q.bucket);
        let cov = coverage.get(i).cloned().unwrap_or_default();
        let status: WatchStatus = e.status.into();
        let note = if status == WatchStatus::NoData {
            if cov.status == CoverageStatus::None {
                "no selected source covers this bucket".into()
            } else {
                "a bucket the rule reads is not covered (or lies before the data)".into()
            }
        } else {
            note
        };
        buckets.push(BucketStatus {
            start,
            end,
            status,
            evidence: e.evidence.into(),
            note,
            coverage: cov.cell(),
            incomplete: cov.status == CoverageStatus::Partial
                || data_through.is_some_and(|d| end > d),
        });
    }
    for l in &mut lines {
        l.values = l.values.split_off(keep.min(l.values.len()));
    }
    let deciding = buckets
        .iter()
        .rposition(|b| b.status == WatchStatus::Fired)
        .or_else(|| {
            buckets
                .iter()
                .rposition(|b| b.status != WatchStatus::NoData)
        });
    let records = match deciding {
        Some(i) => analysis.trace(&main_q, buckets[i].start, None).await?,
        None => Vec::new(),
    };
    Ok(IndicatorRun {
        spec: spec.clone(),
        filters: Filters {
            from: Some(shown_from),
            ..main_filters
        },
        lines,
        buckets,
        deciding,
        records,
        data_through,
        unavailable: None,
    })
}

fn empty_run(spec: &IndicatorSpec, filters: &Filters, why: &str) -> IndicatorRun {
    IndicatorRun {
        spec: spec.clone(),
        filters: filters.clone(),
        lines: Vec::new(),
        buckets: Vec::new(),
        deciding: None,
        records: Vec::new(),
        data_through: None,
        unavailable: Some(why.to_string()),
    }
}

fn strip<D>(e: Evaluation<D>) -> Evaluation<()> {
    Evaluation {
        status: e.status,
        evidence: e.evidence,
        detail: (),
    }
}

fn label_of(f: Option<&Filters>, fallback: &str) -> String {
    match f {
        Some(f) if !f.actors.is_empty() => f.actors.join(", "),
        Some(f) if !f.provinces.is_empty() => f.provinces.join(", "),
        Some(f) if !f.event_types.is_empty() => f
            .event_types
            .iter()
            .map(|t| t.as_str())
            .collect::<Vec<_>>()
            .join(", "),
        _ => fallback.to_string(),
    }
}

fn level_name(l: acled::ChangeLevel) -> &'static str {
    match l {
        acled::ChangeLevel::LargeIncrease => "large increase",
        acled::ChangeLevel::ModerateIncrease => "moderate increase",
        acled::ChangeLevel::LimitedChange => "limited change",
        acled::ChangeLevel::LargeDecrease => "large decrease",
    }
}

fn yes(s: Status) -> &'static str {
    if s == Status::Fired {
        "yes"
    } else {
        "no"
    }
}

/// A count without a needless `.0`.
pub(crate) fn fmt(v: f64) -> String {
    if v.fract() == 0.0 && v.abs() < 1e15 {
        format!("{}", v as i64)
    } else {
        format!("{v:.2}")
    }
}

fn pct(p: Option<f64>) -> String {
    match p {
        Some(p) if p.is_finite() => format!("{p:+.0} %"),
        Some(_) => "from zero".into(),
        None => "n/a".into(),
    }
}
