//! Scenario status over time: the weighted share of a scenario's indicators that
//! fired, per month, with the weight that had no data counted apart.

use super::eval::{IndicatorRun, WatchStatus};
use super::spec::ScenarioSpec;
use chrono::NaiveDate;
use serde::Serialize;
use sitrep_model::bucket::{bucket_end, bucket_start, next_bucket};
use sitrep_model::figure::Bucket;

/// One period of a scenario.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ScenarioBucket {
    /// First day.
    pub start: NaiveDate,
    /// Last day.
    pub end: NaiveDate,
    /// `fired` (the scenario is *elevated*) when the month's test — the `when`
    /// condition, else the fired share reaching the threshold — has held `persist`
    /// months in a row; `no_data` when the data cannot decide it (see the module
    /// doc for runs shorter than `persist`); `quiet` otherwise.
    pub status: WatchStatus,
    /// Weight of the indicators that fired / weight of those with data (`None` when
    /// none had data).
    pub fired_share: Option<f64>,
    /// Weight of indicators that fired.
    pub fired_weight: f64,
    /// Weight of indicators evaluated on data (fired, quiet or ineligible).
    pub data_weight: f64,
    /// Weight of indicators without data in this period.
    pub no_data_weight: f64,
    /// Ids of the indicators that fired (after their own persistence).
    pub fired: Vec<String>,
    /// The month's test (the `when` condition, else share ≥ threshold): `None` when
    /// the data cannot decide it.
    pub condition: Option<bool>,
    /// Months in a row, up to this one, the test has held.
    pub held: usize,
}

/// A scenario evaluated over time.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ScenarioRun {
    /// The scenario.
    pub spec: ScenarioSpec,
    /// Per month, oldest first.
    pub buckets: Vec<ScenarioBucket>,
}

impl ScenarioRun {
    /// The latest period.
    pub fn latest(&self) -> Option<&ScenarioBucket> {
        self.buckets.last()
    }
}

/// An indicator's status over `start..=end`: fired if any of its buckets overlapping
/// the period fired, else quiet, else ineligible, else no data.
pub fn status_in(run: &IndicatorRun, start: NaiveDate, end: NaiveDate) -> WatchStatus {
    let mut out = WatchStatus::NoData;
    for b in run
        .buckets
        .iter()
        .filter(|b| b.start <= end && b.end >= start)
    {
        out = match (out, b.status) {
            (WatchStatus::Fired, _) | (_, WatchStatus::Fired) => WatchStatus::Fired,
            (WatchStatus::Quiet, _) | (_, WatchStatus::Quiet) => WatchStatus::Quiet,
            (WatchStatus::Ineligible, _) | (_, WatchStatus::Ineligible) => WatchStatus::Ineligible,
            _ => WatchStatus::NoData,
        };
    }
    out
}

/// A bucket's first and last day and its status.
pub type BucketSpan = (NaiveDate, NaiveDate, WatchStatus);

/// An indicator's buckets with persistence applied: a bucket counts as fired only
/// when it and the `persist - 1` before it fired; a shorter run is quiet when a quiet
/// or ineligible bucket ends it, no data when it reaches back to a bucket without data
/// or to the first bucket.
pub fn persisted(run: &IndicatorRun, persist: usize) -> Vec<BucketSpan> {
    let mut out = Vec::with_capacity(run.buckets.len());
    let mut held = 0usize;
    for (i, b) in run.buckets.iter().enumerate() {
        held = if b.status == WatchStatus::Fired {
            held + 1
        } else {
            0
        };
        let st = if b.status != WatchStatus::Fired || held >= persist {
            b.status
        } else {
            let before = i + 1 - held;
            match before.checked_sub(1).map(|j| run.buckets[j].status) {
                Some(WatchStatus::Quiet) | Some(WatchStatus::Ineligible) => WatchStatus::Quiet,
                _ => WatchStatus::NoData,
            }
        };
        out.push((b.start, b.end, st));
    }
    out
}

/// [`status_in`] over buckets with persistence applied.
fn status_in_persisted(buckets: &[BucketSpan], start: NaiveDate, end: NaiveDate) -> WatchStatus {
    let mut out = WatchStatus::NoData;
    for (_, _, st) in buckets.iter().filter(|b| b.0 <= end && b.1 >= start) {
        out = match (out, *st) {
            (WatchStatus::Fired, _) | (_, WatchStatus::Fired) => WatchStatus::Fired,
            (WatchStatus::Quiet, _) | (_, WatchStatus::Quiet) => WatchStatus::Quiet,
            (WatchStatus::Ineligible, _) | (_, WatchStatus::Ineligible) => WatchStatus::Ineligible,
            _ => WatchStatus::NoData,
        };
    }
    out
}

/// Evaluates a scenario per `bucket` over the span of its indicators' buckets.
/// An indicator counts with its status in each period ([`status_in`], after its
/// entry's `persist`); the period's test is the `when` condition or the weighted
/// share against the threshold, and must hold `persist` periods in a row.
pub fn evaluate_scenario(
    spec: &ScenarioSpec,
    runs: &[IndicatorRun],
    bucket: Bucket,
) -> ScenarioRun {
    let mine: Vec<(&IndicatorRun, f64, Vec<BucketSpan>)> = spec
        .indicators
        .iter()
        .filter_map(|i| {
            runs.iter()
                .find(|r| r.spec.id == i.id)
                .map(|r| (r, i.weight, persisted(r, i.persist.max(1))))
        })
        .collect();
    let condition = spec.condition();
    // From the month holding the first indicator bucket's end to the month holding the
    // last bucket's start (a week straddling a month end does not add a month).
    let first = mine
        .iter()
        .filter_map(|(r, _, _)| r.buckets.first())
        .map(|b| b.end)
        .min();
    let last = mine
        .iter()
        .filter_map(|(r, _, _)| r.buckets.last())
        .map(|b| b.start)
        .max();
    let mut buckets: Vec<ScenarioBucket> = Vec::new();
    if let (Some(first), Some(last)) = (first, last) {
        let mut s = bucket_start(first, bucket);
        while s <= last {
            let e = bucket_end(s, bucket);
            let (mut fired_w, mut data_w, mut none_w) = (0.0, 0.0, 0.0);
            let mut fired = Vec::new();
            let mut value: Vec<(&str, Option<bool>)> = Vec::new();
            for (r, w, p) in &mine {
                match status_in_persisted(p, s, e) {
                    WatchStatus::NoData => {
                        none_w += w;
                        value.push((&r.spec.id, None));
                    }
                    st => {
                        data_w += w;
                        value.push((&r.spec.id, Some(st == WatchStatus::Fired)));
                        if st == WatchStatus::Fired {
                            fired_w += w;
                            fired.push(r.spec.id.clone());
                        }
                    }
                }
            }
            let share = (data_w > 0.0).then(|| fired_w / data_w);
            let test = match &condition {
                Some(c) => c.eval(&|id| value.iter().find(|(k, _)| *k == id).and_then(|(_, v)| *v)),
                None => share.map(|x| x >= spec.threshold),
            };
            let prev = buckets.last();
            let held = match test {
                Some(true) => 1 + prev.map_or(0, |p| p.held),
                _ => 0,
            };
            let persist = spec.persist.max(1);
            let status = match test {
                None => WatchStatus::NoData,
                Some(false) => WatchStatus::Quiet,
                Some(true) if held >= persist => WatchStatus::Fired,
                // Shorter than `persist`: what ended the run before it decides.
                Some(true) => {
                    let before = buckets.len() + 1 - held;
                    match before.checked_sub(1).map(|j| buckets[j].condition) {
                        Some(Some(false)) => WatchStatus::Quiet,
                        _ => WatchStatus::NoData,
                    }
                }
            };
            buckets.push(ScenarioBucket {
                start: s,
                end: e,
                status,
                fired_share: share,
                fired_weight: fired_w,
                data_weight: data_w,
                no_data_weight: none_w,
                fired,
                condition: test,
                held,
            });
            s = next_bucket(s, bucket);
        }
    }
    ScenarioRun {
        spec: spec.clone(),
        buckets,
    }
}
