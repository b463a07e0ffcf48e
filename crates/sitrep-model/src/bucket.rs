//! Time buckets: which bucket a day falls in, and the full run of buckets between two
//! days. Bucketing is done here, in Rust, not in SQL, so that every series, trace and
//! test uses one definition.

use crate::figure::Bucket;
use chrono::{Datelike, Days, Months, NaiveDate};

/// First day of the bucket `day` falls in.
///
/// * `Day`: the day itself.
/// * `Week`: the ISO week's Monday (2021-01-03, a Sunday, is in the week of Monday
///   2020-12-28, ISO week 53 of 2020).
/// * `AcledWeek`: the Saturday on or before the day (ACLED's weeks run Saturday to
///   Friday, so 2021-01-01, a Friday, is in the week of Saturday 2020-12-26).
/// * `Month`, `Quarter`, `Year`: the first day of the calendar month, quarter, year.
///
/// ```
/// use chrono::NaiveDate;
/// use sitrep_model::figure::Bucket;
/// let d = |s: &str| s.parse::<NaiveDate>().unwrap();
/// assert_eq!(sitrep_model::bucket::bucket_start(d("2021-01-03"), Bucket::Week), d("2020-12-28"));
/// assert_eq!(sitrep_model::bucket::bucket_start(d("2021-01-03"), Bucket::AcledWeek), d("2021-01-02"));
/// ```
pub fn bucket_start(day: NaiveDate, bucket: Bucket) -> NaiveDate {
    let back = |n: u32| day - Days::new(u64::from(n));
    match bucket {
        Bucket::Day => day,
        Bucket::Week => back(day.weekday().num_days_from_monday()),
        // Monday = 0 … Saturday = 5, Sunday = 6: days since Saturday.
        Bucket::AcledWeek => back((day.weekday().num_days_from_monday() + 2) % 7),
        Bucket::Month => day.with_day(1).expect("day 1 exists"),
        Bucket::Quarter => {
            NaiveDate::from_ymd_opt(day.year(), (day.month() - 1) / 3 * 3 + 1, 1).expect("valid")
        }
        Bucket::Year => NaiveDate::from_ymd_opt(day.year(), 1, 1).expect("valid"),
    }
}

/// First day of the bucket after the one starting at `start` (a bucket start).
pub fn next_bucket(start: NaiveDate, bucket: Bucket) -> NaiveDate {
    match bucket {
        Bucket::Day => start + Days::new(1),
        Bucket::Week | Bucket::AcledWeek => start + Days::new(7),
        Bucket::Month => start + Months::new(1),
        Bucket::Quarter => start + Months::new(3),
        Bucket::Year => start + Months::new(12),
    }
}

/// Last day of the bucket starting at `start`.
pub fn bucket_end(start: NaiveDate, bucket: Bucket) -> NaiveDate {
    next_bucket(start, bucket) - Days::new(1)
}

/// Every bucket start from the bucket of `from` to the bucket of `to`, both included,
/// with no gaps. Empty when `to` is before `from`. The first and last buckets may be
/// partial (a range starting on a Sunday begins with a one-day ISO week).
pub fn bucket_starts(from: NaiveDate, to: NaiveDate, bucket: Bucket) -> Vec<NaiveDate> {
    let mut out = Vec::new();
    if to < from {
        return out;
    }
    let last = bucket_start(to, bucket);
    let mut s = bucket_start(from, bucket);
    while s <= last {
        out.push(s);
        s = next_bucket(s, bucket);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn year_edges_iso_and_acled_weeks() {
        // 2020-12-31 Thu, 2021-01-01 Fri, 2021-01-02 Sat, 2021-01-03 Sun, 2021-01-04 Mon.
        let cases = [
            ("2020-12-26", "2020-12-21", "2020-12-26"), // Saturday: starts an ACLED week
            ("2020-12-27", "2020-12-21", "2020-12-26"),
            ("2020-12-28", "2020-12-28", "2020-12-26"), // Monday: starts ISO week 53
            ("2020-12-31", "2020-12-28", "2020-12-26"),
            ("2021-01-01", "2020-12-28", "2020-12-26"), // Friday: ends an ACLED week
            ("2021-01-02", "2020-12-28", "2021-01-02"),
            ("2021-01-03", "2020-12-28", "2021-01-02"), // Sunday: ends ISO 2020-W53
            ("2021-01-04", "2021-01-04", "2021-01-02"), // ISO 2021-W01
            ("2021-01-08", "2021-01-04", "2021-01-02"),
            ("2021-01-09", "2021-01-04", "2021-01-09"),
        ];
        for (day, iso, acled) in cases {
            assert_eq!(
                bucket_start(d(day), Bucket::Week),
                d(iso),
                "ISO week of {day}"
            );
            assert_eq!(
                bucket_start(d(day), Bucket::AcledWeek),
                d(acled),
                "ACLED week of {day}"
            );
        }
        // The ISO week of 2021-01-03 is 2020-W53, by chrono's own reckoning too.
        let w = d("2021-01-03").iso_week();
        assert_eq!((w.year(), w.week()), (2020, 53));
        assert_eq!(
            bucket_start(d("2021-01-03"), Bucket::Week)
                .iso_week()
                .week(),
            53
        );
        for day in ["2020-12-26", "2021-01-02", "2021-01-09"] {
            assert_eq!(d(day).weekday(), chrono::Weekday::Sat);
        }
    }

    #[test]
    fn calendar_buckets() {
        assert_eq!(
            bucket_start(d("2020-12-31"), Bucket::Month),
            d("2020-12-01")
        );
        assert_eq!(
            bucket_start(d("2020-12-31"), Bucket::Quarter),
            d("2020-10-01")
        );
        assert_eq!(
            bucket_start(d("2021-01-01"), Bucket::Quarter),
            d("2021-01-01")
        );
        assert_eq!(
            bucket_start(d("2021-06-30"), Bucket::Quarter),
            d("2021-04-01")
        );
        assert_eq!(bucket_start(d("2020-12-31"), Bucket::Year), d("2020-01-01"));
        assert_eq!(bucket_start(d("2020-12-31"), Bucket::Day), d("2020-12-31"));
        assert_eq!(bucket_end(d("2020-02-01"), Bucket::Month), d("2020-02-29"));
        assert_eq!(
            bucket_end(d("2020-10-01"), Bucket::Quarter),
            d("2020-12-31")
        );
        assert_eq!(
            bucket_end(d("2020-12-26"), Bucket::AcledWeek),
            d("2021-01-01")
        );
    }

    #[test]
    fn ranges_have_no_gaps() {
        let w = bucket_starts(d("2020-12-31"), d("2021-01-11"), Bucket::Week);
        assert_eq!(w, [d("2020-12-28"), d("2021-01-04"), d("2021-01-11")]);
        let a = bucket_starts(d("2020-12-31"), d("2021-01-11"), Bucket::AcledWeek);
        assert_eq!(a, [d("2020-12-26"), d("2021-01-02"), d("2021-01-09")]);
        let m = bucket_starts(d("2019-11-15"), d("2020-02-01"), Bucket::Month);
        assert_eq!(m.len(), 4);
        assert_eq!(
            bucket_starts(d("2020-01-01"), d("2020-12-31"), Bucket::Day).len(),
            366
        );
        assert!(bucket_starts(d("2021-01-02"), d("2021-01-01"), Bucket::Day).is_empty());
    }
}
