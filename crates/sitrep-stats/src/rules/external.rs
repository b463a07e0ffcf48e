//! Rules other systems publish: OCHA HDX Signals' conflict "N-year high" and
//! ForecastBench's two ACLED questions.

use super::{percent, ratio, window, Evaluation, Evidence, Status};

/// HDX Signals alert level.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum HdxLevel {
    /// The 30-day sum is at its highest in a year (366-day rolling max) and ≥ 100.
    OneYearHigh,
    /// The same over three years (1096-day rolling max).
    ThreeYearHigh,
}

/// HDX detail: the level reached, and whether the 3-year level could be evaluated.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct HdxDetail {
    /// The highest level reached (only the highest fires), `None` if none.
    pub level: Option<HdxLevel>,
    /// Whether the 1096-day window was fully covered; when it was not, only the 1-year
    /// level was tested.
    pub three_year_evaluated: bool,
}

/// The minimum 30-day sum for an HDX conflict alert.
pub const HDX_MIN_FATALITIES: f64 = 100.0;

/// OCHA HDX Signals' conflict alert on a **daily** fatalities series.
///
/// `f30[t]` = sum of the 30 days ending at `t`. Level 1 when `f30[t] ≥` the max of
/// `f30` over the 366 days ending at `t` (R `zoo::rollmax(k = 366)`, right-aligned, so
/// it includes `t`) and `f30[t] ≥ 100`; level 2 the same with 1096 days. Only the
/// highest level fires. `NoData` when the 1-year window (30 + 365 days back) is not
/// fully covered. Evidence: value = `f30[t]`, baseline = the rolling max of the
/// highest level tested, threshold = 100.
pub fn hdx_n_year_high(daily: &[Option<f64>]) -> Vec<Evaluation<HdxDetail>> {
    // f30 where its 30 days are covered
    let f30: Vec<Option<f64>> = (0..daily.len())
        .map(|t| window(daily, t as isize - 29, t + 1).map(|v| v.iter().sum()))
        .collect();
    (0..daily.len())
        .map(|t| {
            let Some(year) = window(&f30, t as isize - 365, t + 1) else {
                return Evaluation::no_data();
            };
            let value = year[365];
            let max1 = year.iter().copied().fold(f64::NEG_INFINITY, f64::max);
            let three = window(&f30, t as isize - 1095, t + 1);
            let max3 = three
                .as_ref()
                .map(|v| v.iter().copied().fold(f64::NEG_INFINITY, f64::max));
            let big = value >= HDX_MIN_FATALITIES;
            let level = match max3 {
                Some(m3) if big && value >= m3 => Some(HdxLevel::ThreeYearHigh),
                _ if big && value >= max1 => Some(HdxLevel::OneYearHigh),
                _ => None,
            };
            let base = match (level, max3) {
                (Some(HdxLevel::OneYearHigh), _) | (None, None) => max1,
                (_, Some(m3)) => m3,
                (Some(HdxLevel::ThreeYearHigh), None) => max1,
            };
            Evaluation {
                status: if level.is_some() {
                    Status::Fired
                } else {
                    Status::Quiet
                },
                evidence: Evidence {
                    value: Some(value),
                    baseline: Some(base),
                    ratio: Some(ratio(value, base)),
                    percent_change: Some(percent(value, base)),
                    threshold: Some(HDX_MIN_FATALITIES),
                    ..Default::default()
                },
                detail: HdxDetail {
                    level,
                    three_year_evaluated: max3.is_some(),
                },
            }
        })
        .collect()
}

/// ForecastBench's two ACLED question types.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ForecastBenchQuestion {
    /// `last30Days.gt.30DayAvgOverPast360Days`: 30-day sum before resolution `>` the
    /// 30-day average over the 360 days before the forecast due date.
    Last30DaysGtAvg,
    /// `last30DaysTimes10.gt.30DayAvgOverPast360DaysPlus1`: 30-day sum `>`
    /// `10 · (1 + that average)`.
    Last30DaysGtTenTimesAvgPlusOne,
}

/// ForecastBench detail: the smallest 30-day count that resolves the question "yes".
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ForecastBenchDetail {
    /// `floor(threshold) + 1`: the comparison is strict.
    pub events_needed: u64,
}

/// Resolves a ForecastBench ACLED question on a **daily** event series.
///
/// * average = sum over the 360 days ending at `due` (inclusive, `due − 359 ..= due`)
///   divided by 12 (ForecastBench: "(1+2)/12 = 0.25");
/// * threshold = average, or `10 · (1 + average)`;
/// * value = sum over the 30 days ending at `resolution` (inclusive);
/// * fires ("resolves yes") when value `>` threshold.
///
/// `NoData` when either window reaches before the series or touches a `None`; the
/// evidence still carries the threshold when only the resolution window is missing,
/// so "13 needed" can be shown before resolution.
pub fn forecastbench(
    daily: &[Option<f64>],
    due: usize,
    resolution: usize,
    question: ForecastBenchQuestion,
) -> Evaluation<ForecastBenchDetail> {
    let Some(base) = window(daily, due as isize - 359, due + 1) else {
        return Evaluation::no_data();
    };
    let avg = base.iter().sum::<f64>() / 12.0;
    let threshold = match question {
        ForecastBenchQuestion::Last30DaysGtAvg => avg,
        ForecastBenchQuestion::Last30DaysGtTenTimesAvgPlusOne => 10.0 * (1.0 + avg),
    };
    let detail = ForecastBenchDetail {
        events_needed: threshold.floor() as u64 + 1,
    };
    let mut evidence = Evidence {
        baseline: Some(avg),
        threshold: Some(threshold),
        ..Default::default()
    };
    let Some(last) = window(daily, resolution as isize - 29, resolution + 1) else {
        return Evaluation {
            status: Status::NoData,
            evidence,
            detail,
        };
    };
    let value: f64 = last.iter().sum();
    evidence.value = Some(value);
    evidence.ratio = Some(ratio(value, threshold));
    Evaluation {
        status: if value > threshold {
            Status::Fired
        } else {
            Status::Quiet
        },
        evidence,
        detail,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Days from 2023-01-01 (2023 is not a leap year).
    fn day_2023(month: usize, day: usize) -> usize {
        const CUM: [usize; 12] = [0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334];
        CUM[month - 1] + day - 1
    }

    #[test]
    fn forecastbench_worked_example() {
        // daily series 2023-01-01 ..= 2024-03-31, zeros except 2023-11-11: 1, 2023-10-10: 2
        let due = 365; // 2024-01-01
        let mut d = vec![Some(0.0); 365 + 91];
        d[day_2023(11, 11)] = Some(1.0);
        d[day_2023(10, 10)] = Some(2.0);
        let res = due + 60;
        let q = ForecastBenchQuestion::Last30DaysGtTenTimesAvgPlusOne;
        let e = forecastbench(&d, due, res, q);
        assert_eq!(e.evidence.baseline, Some(0.25));
        assert_eq!(e.evidence.threshold, Some(12.5));
        assert_eq!(e.detail.events_needed, 13);
        assert_eq!(e.status, Status::Quiet);
        // 13 events in the 30 days before resolution → yes; 12 → no
        for (k, want) in [(12.0, Status::Quiet), (13.0, Status::Fired)] {
            let mut d2 = d.clone();
            d2[res] = Some(k);
            assert_eq!(forecastbench(&d2, due, res, q).status, want);
        }
        // the first question: > 0.25, so a single event resolves yes
        let q0 = ForecastBenchQuestion::Last30DaysGtAvg;
        assert_eq!(forecastbench(&d, due, res, q0).detail.events_needed, 1);
        let mut d3 = d.clone();
        d3[res - 29] = Some(1.0);
        assert_eq!(forecastbench(&d3, due, res, q0).status, Status::Fired);
        // an event 30 days before resolution is outside the window
        let mut d4 = d.clone();
        d4[res - 30] = Some(1.0);
        assert_eq!(forecastbench(&d4, due, res, q0).status, Status::Quiet);
        // resolution beyond the data → NoData, threshold still shown
        let e = forecastbench(&d, due, d.len() + 5, q);
        assert_eq!(e.status, Status::NoData);
        assert_eq!(e.evidence.threshold, Some(12.5));
        // a gap in the baseline year → NoData
        let mut d5 = d.clone();
        d5[100] = None;
        assert_eq!(forecastbench(&d5, due, res, q).evidence.threshold, None);
    }

    #[test]
    fn hdx_one_and_three_year_highs() {
        // 400 days at 3/day (f30 = 90), then 4/day: f30 climbs to 120 → 1-year high
        let mut d = vec![Some(3.0); 400];
        d.extend(vec![Some(4.0); 40]);
        let ev = hdx_n_year_high(&d);
        assert!(ev[..394].iter().all(|e| e.status == Status::NoData));
        assert_eq!(ev[395].status, Status::Quiet); // f30 = 90 < 100
        let t = 400 + 29; // f30 = 120
        assert_eq!(ev[t].status, Status::Fired);
        assert_eq!(ev[t].detail.level, Some(HdxLevel::OneYearHigh));
        assert!(!ev[t].detail.three_year_evaluated);
        assert_eq!(ev[t].evidence.value, Some(120.0));
        // 30-day sum exactly 100 and a new high fires (≥); 99 does not
        let mut e = vec![Some(0.0); 400];
        e[399] = Some(100.0);
        assert_eq!(hdx_n_year_high(&e)[399].status, Status::Fired);
        e[399] = Some(99.0);
        assert_eq!(hdx_n_year_high(&e)[399].status, Status::Quiet);
        // three years: a big month long ago blocks the 3-year level but not the 1-year
        let mut l = vec![Some(0.0); 1200];
        l[200] = Some(500.0);
        l[1199] = Some(300.0);
        let ev = hdx_n_year_high(&l);
        assert_eq!(ev[1199].detail.level, Some(HdxLevel::OneYearHigh));
        assert!(ev[1199].detail.three_year_evaluated);
        l[200] = Some(200.0);
        assert_eq!(
            hdx_n_year_high(&l)[1199].detail.level,
            Some(HdxLevel::ThreeYearHigh)
        );
        // a gap in the third year only: the 1-year level is still tested
        l[500] = None;
        let e = &hdx_n_year_high(&l)[1199];
        assert_eq!(e.status, Status::Fired);
        assert_eq!(e.detail.level, Some(HdxLevel::OneYearHigh));
        assert!(!e.detail.three_year_evaluated);
        // a gap in the last year → NoData
        l[1190] = None;
        assert_eq!(hdx_n_year_high(&l)[1199].status, Status::NoData);
    }
}
