//! ACLED Early Warning Dashboard ("Trendfinder") rules, from ACLED's published
//! definitions (see the anchors file, section 1). Where a definition leaves a
//! boundary open, the choice made here is stated on the function.

use std::collections::BTreeSet;

use super::{mean, percent, ratio, window, Evaluation, Evidence, Status};

/// ACLED's change-level categories.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ChangeLevel {
    /// More than +25 %.
    LargeIncrease,
    /// More than +10 % and at most +25 %.
    ModerateIncrease,
    /// From −25 % to +10 %, both included (and every low-baseline case).
    LimitedChange,
    /// Less than −25 %.
    LargeDecrease,
}

/// ACLED's two reference windows for the change level.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reference {
    /// The previous 4 buckets (weeks): ACLED's "previous month".
    PreviousMonth,
    /// The previous 52 buckets: ACLED's "previous year".
    PreviousYear,
}

impl Reference {
    /// Number of buckets in the reference window.
    pub fn len(self) -> usize {
        match self {
            Reference::PreviousMonth => 4,
            Reference::PreviousYear => 52,
        }
    }
    /// Never empty (for clippy's `len_without_is_empty`).
    pub fn is_empty(self) -> bool {
        false
    }
}

/// Classifies a percent change, with the low-baseline override.
///
/// Boundaries: `> 25` large increase; `(10, 25]` moderate increase; `[−25, 10]` limited
/// change; `< −25` large decrease ("> +25 %" and "< −25 %" are strict as ACLED writes
/// them; +10 % exactly is read as limited). Low baseline: `average ≤ 2` **and**
/// `latest ≤ 5` → limited change, whatever the percentage.
pub fn classify_change(latest: f64, average: f64) -> ChangeLevel {
    if average <= 2.0 && latest <= 5.0 {
        return ChangeLevel::LimitedChange;
    }
    let p = percent(latest, average);
    if p > 25.0 {
        ChangeLevel::LargeIncrease
    } else if p > 10.0 {
        ChangeLevel::ModerateIncrease
    } else if p >= -25.0 {
        ChangeLevel::LimitedChange
    } else {
        ChangeLevel::LargeDecrease
    }
}

/// ACLED change level of each bucket against the average of the `reference` buckets
/// before it. Fires on [`ChangeLevel::LargeIncrease`] (ACLED's watchlist). Evidence:
/// value = latest, baseline = average, percent change, ratio, threshold = 25.
pub fn change_level(
    xs: &[Option<f64>],
    reference: Reference,
) -> Vec<Evaluation<Option<ChangeLevel>>> {
    let w = reference.len();
    (0..xs.len())
        .map(|t| {
            let Some(v) = window(xs, t as isize - w as isize, t + 1) else {
                return Evaluation::no_data();
            };
            let (latest, avg) = (v[w], mean(&v[..w]));
            let level = classify_change(latest, avg);
            Evaluation {
                status: if level == ChangeLevel::LargeIncrease {
                    Status::Fired
                } else {
                    Status::Quiet
                },
                evidence: Evidence {
                    value: Some(latest),
                    baseline: Some(avg),
                    ratio: Some(ratio(latest, avg)),
                    percent_change: Some(percent(latest, avg)),
                    threshold: Some(25.0),
                    ..Default::default()
                },
                detail: Some(level),
            }
        })
        .collect()
}

/// ACLED Subnational Surge Tracker on weekly buckets: fires when the latest week is at
/// least +100 % over the average weekly count of the 4 weeks before it
/// (`latest ≥ 2 · average`). Only buckets whose 4-week average is ≥ 1 are considered;
/// below that the status is [`Status::Ineligible`] (an average of exactly 1 is
/// eligible). Evidence: value = latest, baseline = 4-week average, threshold = 100 (%).
pub fn surge_tracker(weekly: &[Option<f64>]) -> Vec<Evaluation> {
    (0..weekly.len())
        .map(|t| {
            let Some(v) = window(weekly, t as isize - 4, t + 1) else {
                return Evaluation::no_data();
            };
            let (latest, avg) = (v[4], mean(&v[..4]));
            tracker(latest, avg, avg)
        })
        .collect()
}

/// ACLED Subnational Threat Tracker on weekly buckets: fires when the latest "month"
/// (the last 4 weeks) is at least +100 % over the average month of the year before it
/// (the 52 weeks before those 4), compared as weekly rates:
/// `mean(last 4) ≥ 2 · mean(previous 52)`.
///
/// The gate is the one the anchors give for both trackers, a 4-week average ≥ 1 event;
/// it is read here as for the surge tracker — the average of the 4 weeks before the
/// latest week — so that both trackers share one eligibility list. Evidence: value =
/// weekly rate of the last 4 weeks, baseline = weekly rate of the previous 52.
pub fn threat_tracker(weekly: &[Option<f64>]) -> Vec<Evaluation> {
    (0..weekly.len())
        .map(|t| {
            let Some(v) = window(weekly, t as isize - 55, t + 1) else {
                return Evaluation::no_data();
            };
            // v[0..52] year, v[52..56] month, gate = v[51..55]
            let year = mean(&v[..52]);
            let month = mean(&v[52..]);
            let gate = mean(&v[51..55]);
            tracker(month, year, gate)
        })
        .collect()
}

fn tracker(value: f64, base: f64, gate: f64) -> Evaluation {
    let evidence = Evidence {
        value: Some(value),
        baseline: Some(base),
        ratio: Some(ratio(value, base)),
        percent_change: Some(percent(value, base)),
        threshold: Some(100.0),
        ..Default::default()
    };
    let status = if gate < 1.0 {
        Status::Ineligible
    } else if value >= 2.0 * base {
        Status::Fired
    } else {
        Status::Quiet
    };
    Evaluation {
        status,
        evidence,
        detail: (),
    }
}

/// Who an actor is, for the emerging-actor rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ActorKind {
    /// A non-state armed actor: the only kind that can "emerge".
    NonState,
    /// State forces.
    State,
    /// Civilians: never emerging actors.
    Civilian,
}

/// The actors seen in one bucket (month) of one country.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ActorBucket<Id: Ord> {
    /// Actors involved in violent events this bucket, with their kind.
    pub violent: Vec<(Id, ActorKind)>,
    /// Every other actor active this bucket (in any event type, any role); violent
    /// actors count as active without being listed here.
    pub active: BTreeSet<Id>,
}

/// ACLED Emerging Actor Tracker on monthly buckets.
///
/// For bucket `t`: the violent non-state actors of `t`; an actor *emerges* when it was
/// not active (in any role) in the `lookback` buckets before `t` — 12 for ACLED's "the
/// past year"; `None` means "never before" (all earlier buckets). Fires when at least
/// one actor emerges **and** the number of violent non-state actors this bucket is above
/// (strictly) the average over the previous 12 buckets. Civilians and state forces never
/// emerge. `NoData` when any bucket of the look-back (at least 12) is missing.
/// Evidence: value = violent non-state actors this bucket, baseline = their 12-bucket
/// average; detail = the emerged actors.
pub fn emerging_actors<Id: Ord + Clone>(
    buckets: &[Option<ActorBucket<Id>>],
    lookback: Option<usize>,
) -> Vec<Evaluation<Vec<Id>>> {
    (0..buckets.len())
        .map(|t| {
            let back = lookback.unwrap_or(t).max(12);
            if t < back || buckets[t - back..=t].iter().any(Option::is_none) {
                return Evaluation::no_data();
            }
            let non_state = |b: &ActorBucket<Id>| -> BTreeSet<Id> {
                b.violent
                    .iter()
                    .filter(|(_, k)| *k == ActorKind::NonState)
                    .map(|(id, _)| id.clone())
                    .collect()
            };
            let now = buckets[t].as_ref().map(non_state).unwrap_or_default();
            let mut seen: BTreeSet<Id> = BTreeSet::new();
            let seen_from = match lookback {
                Some(l) => t - l,
                None => 0,
            };
            for b in buckets[seen_from..t].iter().flatten() {
                seen.extend(b.active.iter().cloned());
                seen.extend(b.violent.iter().map(|(id, _)| id.clone()));
            }
            let emerged: Vec<Id> = now.iter().filter(|a| !seen.contains(a)).cloned().collect();
            let counts: Vec<f64> = buckets[t - 12..t]
                .iter()
                .flatten()
                .map(|b| non_state(b).len() as f64)
                .collect();
            let avg = mean(&counts);
            let value = now.len() as f64;
            let status = if !emerged.is_empty() && value > avg {
                Status::Fired
            } else {
                Status::Quiet
            };
            Evaluation {
                status,
                evidence: Evidence {
                    value: Some(value),
                    baseline: Some(avg),
                    ratio: Some(ratio(value, avg)),
                    percent_change: Some(percent(value, avg)),
                    ..Default::default()
                },
                detail: emerged,
            }
        })
        .collect()
}

/// ACLED Volatility & Risk Predictability Index categories.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RiskCategory {
    /// Low baseline, low volatility.
    LowRisk,
    /// High baseline, low volatility.
    ConsistentRisk,
    /// Low baseline, high volatility. (The source's name for it was cut off.)
    LowBaselineVolatile,
    /// High baseline, high volatility: ACLED's watchlist.
    ExtremeRisk,
}

/// Volatility & risk numbers for one bucket.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Volatility {
    /// Weeks in the past year at or above `baseline + 2·sd`.
    pub volatile_weeks: usize,
    /// Sample standard deviation of the past year's weekly counts.
    pub sd: f64,
    /// The category, `None` when there is no data.
    pub category: Option<RiskCategory>,
}

/// ACLED Volatility & Risk Predictability Index on weekly buckets, for the year (52
/// weeks) ending at each bucket, inclusive.
///
/// Baseline = mean weekly count: high when `> 1.5` (1.5 exactly is low). Volatility:
/// weeks with a count `≥ baseline + 2·sd` and above the baseline (so a flat series has
/// none), `sd` the sample standard deviation (`n − 1`; ACLED does not say which); high
/// when there are `≥ 6`. Which high-volatility
/// category ACLED calls "Extreme risk" is not fully visible in the source; here it is
/// high baseline + high volatility. Fires on [`RiskCategory::ExtremeRisk`]. Evidence:
/// value = volatile weeks, baseline = mean, threshold = 6.
pub fn volatility_risk(weekly: &[Option<f64>]) -> Vec<Evaluation<Volatility>> {
    (0..weekly.len())
        .map(|t| {
            let Some(v) = window(weekly, t as isize - 51, t + 1) else {
                return Evaluation::no_data();
            };
            let m = mean(&v);
            let sd = (v.iter().map(|x| (x - m).powi(2)).sum::<f64>() / (v.len() - 1) as f64).sqrt();
            let volatile_weeks = v.iter().filter(|&&x| x > m && x >= m + 2.0 * sd).count();
            let high_base = m > 1.5;
            let high_vol = volatile_weeks >= 6;
            let category = match (high_base, high_vol) {
                (false, false) => RiskCategory::LowRisk,
                (true, false) => RiskCategory::ConsistentRisk,
                (false, true) => RiskCategory::LowBaselineVolatile,
                (true, true) => RiskCategory::ExtremeRisk,
            };
            Evaluation {
                status: if category == RiskCategory::ExtremeRisk {
                    Status::Fired
                } else {
                    Status::Quiet
                },
                evidence: Evidence {
                    value: Some(volatile_weeks as f64),
                    baseline: Some(m),
                    threshold: Some(6.0),
                    ..Default::default()
                },
                detail: Volatility {
                    volatile_weeks,
                    sd,
                    category: Some(category),
                },
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(v: &[f64]) -> Vec<Option<f64>> {
        v.iter().map(|&x| Some(x)).collect()
    }

    #[test]
    fn change_level_bands_and_boundaries() {
        use ChangeLevel::*;
        // average 10: +25 % exactly is moderate, +26 % large, +10 % limited, +11 % moderate
        assert_eq!(classify_change(12.5, 10.0), ModerateIncrease);
        assert_eq!(classify_change(12.6, 10.0), LargeIncrease);
        assert_eq!(classify_change(11.0, 10.0), LimitedChange);
        assert_eq!(classify_change(11.1, 10.0), ModerateIncrease);
        assert_eq!(classify_change(7.5, 10.0), LimitedChange);
        assert_eq!(classify_change(7.4, 10.0), LargeDecrease);
        // low baseline: average exactly 2 and latest exactly 5 → limited (+150 %)
        assert_eq!(classify_change(5.0, 2.0), LimitedChange);
        // latest 6 breaks the override: +200 % → large increase
        assert_eq!(classify_change(6.0, 2.0), LargeIncrease);
        // average just above 2 breaks it too
        assert_eq!(classify_change(5.0, 2.25), LargeIncrease);
        // zero baseline, small latest → limited; zero baseline, big latest → large
        assert_eq!(classify_change(0.0, 0.0), LimitedChange);
        assert_eq!(classify_change(9.0, 0.0), LargeIncrease);
    }

    #[test]
    fn change_level_series_and_no_data() {
        let xs = s(&[2.0, 2.0, 2.0, 2.0, 5.0, 6.0]);
        let ev = change_level(&xs, Reference::PreviousMonth);
        assert!(ev[..4].iter().all(|e| e.status == Status::NoData));
        assert_eq!(ev[4].detail, Some(ChangeLevel::LimitedChange));
        assert_eq!(ev[4].status, Status::Quiet);
        assert_eq!(ev[4].evidence.baseline, Some(2.0));
        assert_eq!(ev[4].evidence.percent_change, Some(150.0));
        // bucket 5: average of 2,2,2,5 = 2.75, latest 6: +118 % → large increase
        assert_eq!(ev[5].detail, Some(ChangeLevel::LargeIncrease));
        assert_eq!(ev[5].status, Status::Fired);
        // a None inside the window → NoData, not quiet
        let mut xs = xs.clone();
        xs[2] = None;
        let ev = change_level(&xs, Reference::PreviousMonth);
        assert_eq!(ev[5].status, Status::NoData);
        assert_eq!(ev[5].detail, None);
        assert_eq!(
            change_level(&s(&[1.0; 60]), Reference::PreviousYear)[52].detail,
            Some(ChangeLevel::LimitedChange)
        );
        assert_eq!(
            change_level(&s(&[1.0; 60]), Reference::PreviousYear)[51].status,
            Status::NoData
        );
    }

    #[test]
    fn surge_gate_at_exactly_one() {
        // average exactly 1, latest 2 = +100 % → fires
        let ev = surge_tracker(&s(&[1.0, 1.0, 1.0, 1.0, 2.0]));
        assert_eq!(ev[4].status, Status::Fired);
        assert_eq!(ev[4].evidence.percent_change, Some(100.0));
        // latest 1.9... as a count: 1 → quiet
        assert_eq!(
            surge_tracker(&s(&[1.0, 1.0, 1.0, 1.0, 1.0]))[4].status,
            Status::Quiet
        );
        // average 0.75 < 1 → ineligible even though +300 %
        let ev = surge_tracker(&s(&[1.0, 1.0, 1.0, 0.0, 3.0]));
        assert_eq!(ev[4].status, Status::Ineligible);
        // average 2.5, latest 5 → exactly +100 % fires; 4 doesn't
        assert_eq!(
            surge_tracker(&s(&[2.0, 3.0, 2.0, 3.0, 5.0]))[4].status,
            Status::Fired
        );
        assert_eq!(
            surge_tracker(&s(&[2.0, 3.0, 2.0, 3.0, 4.0]))[4].status,
            Status::Quiet
        );
        // None in the window
        let ev = surge_tracker(&[Some(2.0), None, Some(2.0), Some(2.0), Some(9.0)]);
        assert_eq!(ev[4].status, Status::NoData);
        assert!(ev[..4].iter().all(|e| e.status == Status::NoData));
    }

    #[test]
    fn threat_tracker_month_vs_year() {
        // 52 weeks at 1, then 4 weeks at 2: month rate 2 = 2 × year rate 1 → fires.
        let mut v = vec![1.0; 52];
        v.extend([2.0; 4]);
        let ev = threat_tracker(&s(&v));
        assert_eq!(ev[55].status, Status::Fired);
        assert_eq!(ev[55].evidence.value, Some(2.0));
        assert_eq!(ev[55].evidence.baseline, Some(1.0));
        assert!(ev[..55].iter().all(|e| e.status == Status::NoData));
        // gate: weeks 51..55 = 1,2,2,2 → 1.75 ≥ 1 eligible; make them small → ineligible
        let mut low = vec![0.5; 52];
        low.extend([0.0, 0.0, 0.0, 3.0]);
        assert_eq!(threat_tracker(&s(&low))[55].status, Status::Ineligible);
        let mut w = s(&v);
        w[10] = None;
        assert_eq!(threat_tracker(&w)[55].status, Status::NoData);
    }

    #[test]
    fn emerging_actor_rule() {
        use ActorKind::*;
        let quiet = |ids: &[u32]| ActorBucket {
            violent: ids.iter().map(|&i| (i, NonState)).collect(),
            active: BTreeSet::new(),
        };
        // 12 months with actor 1 violent, actor 2 active (peacefully) in month 3
        let mut b: Vec<Option<ActorBucket<u32>>> = (0..12).map(|_| Some(quiet(&[1]))).collect();
        b[3].as_mut().unwrap().active.insert(2);
        // month 12: actors 1, 2 (was active → not emerging), 3 (new), civilians 9, state 8
        let mut now = quiet(&[1, 2, 3]);
        now.violent.push((9, Civilian));
        now.violent.push((8, State));
        b.push(Some(now));
        let ev = emerging_actors(&b, Some(12));
        assert!(ev[..12].iter().all(|e| e.status == Status::NoData));
        assert_eq!(ev[12].status, Status::Fired);
        assert_eq!(ev[12].detail, vec![3]);
        assert_eq!(ev[12].evidence.value, Some(3.0));
        assert_eq!(ev[12].evidence.baseline, Some(1.0));
        // new actor but not above average (average 1, this month 1) → quiet
        let mut b2: Vec<_> = (0..12).map(|_| Some(quiet(&[1]))).collect();
        b2.push(Some(quiet(&[5])));
        let ev = emerging_actors(&b2, Some(12));
        assert_eq!(ev[12].status, Status::Quiet);
        assert_eq!(ev[12].detail, vec![5]);
        // a missing month in the look-back → NoData
        b[4] = None;
        assert_eq!(emerging_actors(&b, Some(12))[12].status, Status::NoData);
    }

    #[test]
    fn volatility_categories() {
        // flat at 1: sd 0, no week above the baseline → low risk
        let flat_low = volatility_risk(&s(&[1.0; 52]));
        assert_eq!(flat_low[51].detail.volatile_weeks, 0);
        assert_eq!(flat_low[51].detail.category, Some(RiskCategory::LowRisk));
        // 1.5 exactly is a low baseline
        let mut half = vec![1.0; 26];
        half.extend([2.0; 26]);
        assert_eq!(
            volatility_risk(&s(&half))[51].detail.category,
            Some(RiskCategory::LowRisk)
        );
        // six spikes of 30 over 3/week: mean 6.12, sd 8.71, threshold 23.5 → extreme
        let mut x = vec![3.0; 52];
        for i in [5, 12, 20, 28, 36, 44] {
            x[i] = 30.0;
        }
        let ev = volatility_risk(&s(&x));
        assert_eq!(ev[51].detail.volatile_weeks, 6);
        assert_eq!(ev[51].detail.category, Some(RiskCategory::ExtremeRisk));
        assert_eq!(ev[51].status, Status::Fired);
        // a low base with six spikes: 46 zeros and six 1s → mean 0.115, sd 0.32
        let mut y = vec![0.0; 52];
        for i in [5, 12, 20, 28, 36, 44] {
            y[i] = 1.0;
        }
        assert_eq!(
            volatility_risk(&s(&y))[51].detail.category,
            Some(RiskCategory::LowBaselineVolatile)
        );
        // steady 3/week with 2 spikes → consistent risk
        let mut v = vec![3.0; 52];
        v[10] = 12.0;
        v[30] = 12.0;
        let ev = volatility_risk(&s(&v));
        assert_eq!(ev[51].detail.volatile_weeks, 2);
        assert_eq!(ev[51].detail.category, Some(RiskCategory::ConsistentRisk));
        assert_eq!(ev[51].status, Status::Quiet);
        assert!(ev[50].status == Status::NoData);
    }
}
