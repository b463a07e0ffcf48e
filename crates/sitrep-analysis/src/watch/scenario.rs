//! Scenario status over time: the weighted share of a scenario's indicators that
//! fired, per month, with the weight that had no data counted apart.

use super::eval::{IndicatorRun, WatchStatus};
use super::spec::ScenarioSpec;
use crate::bucket::{bucket_end, bucket_start, next_bucket};
use chrono::NaiveDate;
use serde::Serialize;
use sitrep_model::figure::Bucket;

/// One period of a scenario.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ScenarioBucket {
    /// First day.
    pub start: NaiveDate,
    /// Last day.
    pub end: NaiveDate,
    /// `fired` when the fired share reaches the threshold, `no_data` when no
    /// indicator had data, `quiet` otherwise.
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
    /// Ids of the indicators that fired.
    pub fired: Vec<String>,
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

/// Evaluates a scenario per `bucket` over the span of its indicators' buckets.
/// An indicator counts with its status in each period ([`status_in`]).
pub fn evaluate_scenario(
    spec: &ScenarioSpec,
    runs: &[IndicatorRun],
    bucket: Bucket,
) -> ScenarioRun {
    let mine: Vec<(&IndicatorRun, f64)> = spec
        .indicators
        .iter()
        .filter_map(|i| {
            runs.iter()
                .find(|r| r.spec.id == i.id)
                .map(|r| (r, i.weight))
        })
        .collect();
    // From the month holding the first indicator bucket's end to the month holding the
    // last bucket's start (a week straddling a month end does not add a month).
    let first = mine
        .iter()
        .filter_map(|(r, _)| r.buckets.first())
        .map(|b| b.end)
        .min();
    let last = mine
        .iter()
        .filter_map(|(r, _)| r.buckets.last())
        .map(|b| b.start)
        .max();
    let mut buckets = Vec::new();
    if let (Some(first), Some(last)) = (first, last) {
        let mut s = bucket_start(first, bucket);
        while s <= last {
            let e = bucket_end(s, bucket);
            let (mut fired_w, mut data_w, mut none_w) = (0.0, 0.0, 0.0);
            let mut fired = Vec::new();
            for (r, w) in &mine {
                match status_in(r, s, e) {
                    WatchStatus::NoData => none_w += w,
                    st => {
                        data_w += w;
                        if st == WatchStatus::Fired {
                            fired_w += w;
                            fired.push(r.spec.id.clone());
                        }
                    }
                }
            }
            let share = (data_w > 0.0).then(|| fired_w / data_w);
            buckets.push(ScenarioBucket {
                start: s,
                end: e,
                status: match share {
                    None => WatchStatus::NoData,
                    Some(x) if x >= spec.threshold => WatchStatus::Fired,
                    Some(_) => WatchStatus::Quiet,
                },
                fired_share: share,
                fired_weight: fired_w,
                data_weight: data_w,
                no_data_weight: none_w,
                fired,
            });
            s = next_bucket(s, bucket);
        }
    }
    ScenarioRun {
        spec: spec.clone(),
        buckets,
    }
}
