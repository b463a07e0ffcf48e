//! Axis scales: "nice" value ticks and calendar-aligned date ticks.

use chrono::{Datelike, Duration, NaiveDate};
use sitrep_model::figure::Bucket;

/// Ticks from 0 to at least `max`, about `target` of them, on 1/2/2.5/5 × 10ᵏ steps.
/// Returns (ticks, step); the last tick is the axis top.
pub fn nice_ticks(max: f64, target: usize) -> (Vec<f64>, f64) {
    let max = if max.is_finite() && max > 0.0 {
        max
    } else {
        1.0
    };
    let raw = max / target.max(1) as f64;
    let mag = 10f64.powf(raw.log10().floor());
    let step = [1.0, 2.0, 2.5, 5.0, 10.0]
        .iter()
        .map(|m| m * mag)
        .find(|s| *s >= raw)
        .unwrap_or(10.0 * mag);
    let count = (max / step - 1e-9).ceil().max(1.0) as usize;
    ((0..=count).map(|i| i as f64 * step).collect(), step)
}

/// A tick value as text, with as many decimals as the step needs.
pub fn tick_label(v: f64, step: f64) -> String {
    if step >= 1.0 && (step - step.round()).abs() < 1e-9 {
        let i = v.round() as i64;
        if i.abs() >= 10_000 {
            crate::layout::thousands(i.unsigned_abs())
        } else {
            i.to_string()
        }
    } else {
        let decimals = (-step.log10().floor()).max(1.0) as usize;
        let decimals = if (step * 10f64.powi(decimals as i32)).fract().abs() > 1e-6 {
            decimals + 1
        } else {
            decimals
        };
        format!("{v:.decimals$}")
    }
}

/// Days since 0001-01-01, as a continuous x value.
pub fn day_number(d: NaiveDate) -> f64 {
    d.num_days_from_ce() as f64
}

/// The day after a bucket starting on `start` ends.
pub fn bucket_end(bucket: Bucket, start: NaiveDate) -> NaiveDate {
    let add_months = |d: NaiveDate, m: u32| {
        let total = d.year() * 12 + d.month0() as i32 + m as i32;
        NaiveDate::from_ymd_opt(total.div_euclid(12), total.rem_euclid(12) as u32 + 1, 1)
            .unwrap_or(d)
    };
    match bucket {
        Bucket::Day => start + Duration::days(1),
        Bucket::Week | Bucket::AcledWeek => start + Duration::days(7),
        Bucket::Month => add_months(start, 1),
        Bucket::Quarter => add_months(start, 3),
        Bucket::Year => {
            NaiveDate::from_ymd_opt(start.year() + 1, start.month(), 1).unwrap_or(start)
        }
    }
}

/// Calendar-aligned date ticks between `from` and `to`, at most about `max_ticks`.
pub fn date_ticks(from: NaiveDate, to: NaiveDate, max_ticks: usize) -> Vec<(NaiveDate, String)> {
    let span = (to - from).num_days().max(1);
    let max_ticks = max_ticks.max(2) as i64;
    // Day and week steps for short spans.
    for step in [1i64, 7, 14] {
        if span / step <= max_ticks {
            let mut d = from;
            if step >= 7 {
                // Mondays
                while d.weekday().num_days_from_monday() != 0 {
                    d += Duration::days(1);
                }
            }
            let mut out = Vec::new();
            while d <= to {
                out.push((d, d.format("%-d %b").to_string()));
                d += Duration::days(step);
            }
            return out;
        }
    }
    for months in [1u32, 2, 3, 6, 12, 24, 60, 120, 240] {
        let count = span / (months as i64 * 30);
        if count > max_ticks {
            continue;
        }
        let mut out = Vec::new();
        let (mut y, mut m) = (from.year(), from.month0());
        // First month boundary on or after `from`, aligned to the step.
        if from.day() != 1 {
            m += 1;
        }
        loop {
            if m >= 12 {
                y += (m / 12) as i32;
                m %= 12;
            }
            let aligned = if months >= 12 {
                m == 0 && y.rem_euclid((months / 12) as i32) == 0
            } else {
                m % months == 0
            };
            if let Some(d) = NaiveDate::from_ymd_opt(y, m + 1, 1) {
                if d > to {
                    break;
                }
                if aligned {
                    let label = if months >= 12 {
                        d.format("%Y").to_string()
                    } else {
                        d.format("%b %Y").to_string()
                    };
                    out.push((d, label));
                }
            }
            m += 1;
        }
        return out;
    }
    Vec::new()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn nice_steps() {
        assert_eq!(
            nice_ticks(87.0, 5),
            (vec![0.0, 20.0, 40.0, 60.0, 80.0, 100.0], 20.0)
        );
        assert_eq!(nice_ticks(0.0, 5).0.last(), Some(&1.0));
        let (t, s) = nice_ticks(0.37, 4);
        assert_eq!(s, 0.1);
        assert!(*t.last().unwrap() >= 0.37);
        assert_eq!(tick_label(0.25, 0.05), "0.25");
        assert_eq!(tick_label(12.5, 2.5), "12.5");
        assert_eq!(tick_label(40.0, 20.0), "40");
    }

    #[test]
    fn month_ticks_are_aligned() {
        let t = date_ticks(d("2020-09-01"), d("2022-07-25"), 10);
        assert!(t.len() <= 10 && t.len() >= 4, "{t:?}");
        assert!(t.iter().all(|(d, _)| d.day() == 1));
        assert_eq!(t[0].1, "Oct 2020");
        let t = date_ticks(d("1989-01-01"), d("2020-12-31"), 10);
        assert!(t.iter().all(|(d, _)| d.month() == 1), "{t:?}");
        assert_eq!(bucket_end(Bucket::Month, d("2021-12-01")), d("2022-01-01"));
        assert_eq!(
            bucket_end(Bucket::Quarter, d("2021-10-01")),
            d("2022-01-01")
        );
    }
}
