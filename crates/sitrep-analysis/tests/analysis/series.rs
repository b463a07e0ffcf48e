use crate::common::{assert_same, day, rows, store, Known};
use chrono::{Datelike, NaiveDate};
use sitrep_analysis::{
    bucket_start, moving_average, series, trace, Analysis, AnalysisError, SeriesQuery,
};
use sitrep_model::figure::{Bucket, Filters, GroupBy, Measure, Role, SmoothKind};
use sitrep_model::{CoverageStatus, EventType};
use std::collections::BTreeMap;

fn range(from: &str, to: &str) -> Filters {
    Filters {
        from: Some(day(from)),
        to: Some(day(to)),
        ..Filters::default()
    }
}

fn years(from: i32, to: i32, pick: impl Fn(&crate::common::Row) -> bool) -> Vec<f64> {
    (from..=to)
        .map(|y| {
            rows()
                .iter()
                .filter(|r| r.date.year() == y && pick(r))
                .count() as f64
        })
        .collect()
}

#[tokio::test]
async fn taleban_on_side_b_per_year_2009_2020() {
    let q = SeriesQuery {
        filters: Filters {
            actors: vec!["taliban".into()],
            role: Role::B,
            ..range("2009-01-01", "2020-12-31")
        },
        bucket: Bucket::Year,
        ..SeriesQuery::default()
    };
    let f = series(&store(), &q).await.unwrap();
    assert_eq!(f.starts.len(), 12);
    assert_eq!(f.starts[0], day("2009-01-01"));
    assert_eq!(f.lines.len(), 1);
    let expected = years(2009, 2020, |r| r.side_b == "Taleban");
    assert_same(
        "incidents per year, side_b = Taleban",
        &expected,
        &f.lines[0].values.known(),
    );
    assert!(expected.iter().sum::<f64>() > 10_000.0);

    // Either side: side_a is Taleban in non-state fighting (against IS) too.
    let any = SeriesQuery {
        filters: Filters {
            role: Role::Any,
            ..q.filters.clone()
        },
        ..q.clone()
    };
    let f = series(&store(), &any).await.unwrap();
    let expected = years(2009, 2020, |r| {
        r.side_b == "Taleban" || r.side_a == "Taleban"
    });
    assert_same(
        "incidents per year, Taleban on either side",
        &expected,
        &f.lines[0].values.known(),
    );

    // Side A only.
    let a = SeriesQuery {
        filters: Filters {
            role: Role::A,
            ..q.filters.clone()
        },
        ..q.clone()
    };
    let f = series(&store(), &a).await.unwrap();
    let expected = years(2009, 2020, |r| r.side_a == "Taleban");
    assert_same(
        "incidents per year, side_a = Taleban",
        &expected,
        &f.lines[0].values.known(),
    );
}

#[tokio::test]
async fn monthly_fatalities_low_best_high_2019_2020() {
    let starts: Vec<NaiveDate> = (0..24)
        .map(|i| NaiveDate::from_ymd_opt(2019 + i / 12, (i % 12 + 1) as u32, 1).unwrap())
        .collect();
    let by_month = |f: &dyn Fn(&crate::common::Row) -> u64| -> Vec<f64> {
        starts
            .iter()
            .map(|s| {
                rows()
                    .iter()
                    .filter(|r| r.date.year() == s.year() && r.date.month() == s.month())
                    .map(f)
                    .sum::<u64>() as f64
            })
            .collect()
    };
    let best = by_month(&|r| r.best);
    let low = by_month(&|r| r.low_repaired());
    let high = by_month(&|r| r.high_repaired());
    // The repair matters in these months: the raw lows differ from the stored ones.
    assert_ne!(
        by_month(&|r| r.low),
        low,
        "no disordered ranges in 2019-2020?"
    );
    let st = store();
    for (m, expected) in [
        (Measure::FatalitiesBest, &best),
        (Measure::FatalitiesLow, &low),
        (Measure::FatalitiesHigh, &high),
    ] {
        let q = SeriesQuery {
            filters: range("2019-01-01", "2020-12-31"),
            bucket: Bucket::Month,
            measure: m,
            ..SeriesQuery::default()
        };
        let f = series(&st, &q).await.unwrap();
        assert_same("month starts", &starts, &f.starts);
        assert_same(m.as_str(), expected, &f.lines[0].values.known());
        // Bands: low and high of the range, on every fatality measure.
        assert_same("band low", &low, &f.lines[0].low.as_ref().unwrap().known());
        let band_high: Vec<f64> = f.lines[0]
            .high
            .as_ref()
            .unwrap()
            .iter()
            .map(|h| h.expect("UCDP states every high"))
            .collect();
        assert_same("band high", &high, &band_high);
    }
}

#[tokio::test]
async fn event_types_by_quarter_and_grouped_by_type() {
    let st = store();
    // One-sided violence per quarter, 2015-2020.
    let q = SeriesQuery {
        filters: Filters {
            event_types: vec![EventType::ViolenceAgainstCivilians],
            ..range("2015-01-01", "2020-12-31")
        },
        bucket: Bucket::Quarter,
        ..SeriesQuery::default()
    };
    let f = series(&st, &q).await.unwrap();
    assert_eq!(f.starts.len(), 24);
    let expected: Vec<f64> = f
        .starts
        .iter()
        .map(|s| {
            rows()
                .iter()
                .filter(|r| r.violence == "One-sided violence")
                .filter(|r| bucket_start(r.date, Bucket::Quarter) == *s)
                .count() as f64
        })
        .collect();
    assert_same(
        "one-sided violence per quarter",
        &expected,
        &f.lines[0].values.known(),
    );

    // Grouped by type, per year: battles then violence against civilians.
    let q = SeriesQuery {
        filters: range("2001-01-01", "2020-12-31"),
        bucket: Bucket::Year,
        by: GroupBy::EventType,
        ..SeriesQuery::default()
    };
    let f = series(&st, &q).await.unwrap();
    let labels: Vec<&str> = f.lines.iter().map(|l| l.label.as_str()).collect();
    assert_eq!(labels, ["battle", "violence_against_civilians"]);
    for line in &f.lines {
        let expected = years(2001, 2020, |r| r.event_type() == line.label);
        assert_same(&line.label, &expected, &line.values.known());
    }
}

#[tokio::test]
async fn weeks_iso_and_acled_and_days() {
    let st = store();
    for bucket in [Bucket::Week, Bucket::AcledWeek, Bucket::Day] {
        let q = SeriesQuery {
            filters: range("2020-01-01", "2020-12-31"),
            bucket,
            ..SeriesQuery::default()
        };
        let f = series(&st, &q).await.unwrap();
        // Independent bucketing: count back to the week's first weekday.
        let first = |d: NaiveDate| -> NaiveDate {
            let mut d = d;
            let start = match bucket {
                Bucket::Week => chrono::Weekday::Mon,
                Bucket::AcledWeek => chrono::Weekday::Sat,
                _ => return d,
            };
            while d.weekday() != start {
                d = d.pred_opt().unwrap();
            }
            d
        };
        let mut counts: BTreeMap<NaiveDate, f64> = BTreeMap::new();
        for r in rows().iter().filter(|r| r.date.year() == 2020) {
            *counts.entry(first(r.date)).or_default() += 1.0;
        }
        let expected: Vec<f64> = f
            .starts
            .iter()
            .map(|s| counts.get(s).copied().unwrap_or(0.0))
            .collect();
        assert_same(bucket.as_str(), &expected, &f.lines[0].values.known());
        assert_eq!(
            f.lines[0].values.known().iter().sum::<f64>(),
            counts.values().sum::<f64>()
        );
        // Consecutive, gap-free buckets.
        let step = if bucket == Bucket::Day { 1 } else { 7 };
        assert!(f
            .starts
            .windows(2)
            .all(|w| (w[1] - w[0]).num_days() == step));
        match bucket {
            Bucket::Week => assert_eq!(
                (f.starts[0], *f.starts.last().unwrap()),
                (day("2019-12-30"), day("2020-12-28"))
            ),
            Bucket::AcledWeek => assert_eq!(
                (f.starts[0], *f.starts.last().unwrap()),
                (day("2019-12-28"), day("2020-12-26"))
            ),
            _ => assert_eq!(f.starts.len(), 366),
        }
    }
}

#[tokio::test]
async fn uncovered_buckets_are_gaps_and_covered_empty_days_zeros() {
    let st = store();
    // The data end in 2020 (default coverage: first to last event date): January to
    // March 2021 are present, with no value (no data), never zeros.
    let q = SeriesQuery {
        filters: range("2020-11-01", "2021-03-31"),
        bucket: Bucket::Month,
        ..SeriesQuery::default()
    };
    let f = series(&st, &q).await.unwrap();
    assert_eq!(f.starts.len(), 5);
    assert_eq!(&f.lines[0].values[2..], [None, None, None]);
    let statuses: Vec<CoverageStatus> = f.coverage.iter().map(|c| c.status).collect();
    let last = rows().iter().map(|r| r.date).max().unwrap();
    let december = if last == day("2020-12-31") {
        CoverageStatus::Complete
    } else {
        CoverageStatus::Partial
    };
    assert_eq!(
        statuses,
        [
            CoverageStatus::Complete,
            december,
            CoverageStatus::None,
            CoverageStatus::None,
            CoverageStatus::None
        ]
    );
    let nov = rows()
        .iter()
        .filter(|r| r.date >= day("2020-11-01") && r.date <= day("2020-11-30"))
        .count() as f64;
    assert_eq!(f.lines[0].values[0], Some(nov));
    // A sparse selection by day: days without events are zeros, not gaps.
    let q = SeriesQuery {
        filters: Filters {
            event_types: vec![EventType::ViolenceAgainstCivilians],
            ..range("2018-01-01", "2018-03-31")
        },
        bucket: Bucket::Day,
        ..SeriesQuery::default()
    };
    let f = series(&st, &q).await.unwrap();
    assert_eq!(f.starts.len(), 90);
    let with_events: std::collections::HashSet<NaiveDate> = rows()
        .iter()
        .filter(|r| r.violence == "One-sided violence")
        .filter(|r| r.date >= day("2018-01-01") && r.date <= day("2018-03-31"))
        .map(|r| r.date)
        .collect();
    let zeros = f.lines[0]
        .values
        .known()
        .iter()
        .filter(|v| **v == 0.0)
        .count();
    assert_eq!(zeros, 90 - with_events.len());
    assert!(zeros > 0 && !with_events.is_empty());
    // Open dates: the range is the selection's own first and last day.
    let q = SeriesQuery {
        filters: Filters {
            actors: vec!["is-kp".into()],
            ..Filters::default()
        },
        bucket: Bucket::Year,
        ..SeriesQuery::default()
    };
    let f = series(&st, &q).await.unwrap();
    let is_years: Vec<i32> = rows()
        .iter()
        .filter(|r| r.side_a == "IS" || r.side_b == "IS")
        .map(|r| r.date.year())
        .collect();
    let (lo, hi) = (
        *is_years.iter().min().unwrap(),
        *is_years.iter().max().unwrap(),
    );
    assert_eq!(f.starts.len(), (hi - lo + 1) as usize);
    assert_eq!(
        f.lines[0].values.known().iter().sum::<f64>(),
        is_years.len() as f64
    );
}

#[tokio::test]
async fn smoothing_and_running_totals_on_real_data() {
    let st = store();
    let base = SeriesQuery {
        filters: range("2019-09-01", "2020-12-31"),
        bucket: Bucket::Week,
        ..SeriesQuery::default()
    };
    let raw = series(&st, &base).await.unwrap().lines[0]
        .values
        .known()
        .clone();
    for kind in [SmoothKind::Trailing, SmoothKind::Centred] {
        let q = SeriesQuery {
            smooth: Some(8),
            smooth_kind: kind,
            ..base.clone()
        };
        let f = series(&st, &q).await.unwrap();
        assert_same("raw values kept", &raw, &f.lines[0].raw_values.known());
        assert_same(
            "smoothed",
            &moving_average(&raw, 8, kind),
            &f.lines[0].values.known(),
        );
    }
    // Trailing 8 at week 10, by hand from the raw weekly counts.
    let q = SeriesQuery {
        smooth: Some(8),
        ..base.clone()
    };
    let f = series(&st, &q).await.unwrap();
    let by_hand = raw[3..=10].iter().sum::<f64>() / 8.0;
    assert!((f.lines[0].values.known()[10] - by_hand).abs() < 1e-9);
    // Running totals end at the total.
    let q = SeriesQuery {
        cumulative: true,
        ..base.clone()
    };
    let f = series(&st, &q).await.unwrap();
    let total: f64 = raw.iter().sum();
    assert_eq!(*f.lines[0].values.known().last().unwrap(), total);
    let n = rows()
        .iter()
        .filter(|r| r.date >= day("2019-09-01") && r.date <= day("2020-12-31"))
        .count();
    assert_eq!(total, n as f64);
}

#[tokio::test]
async fn share_by_actor_top_and_trace() {
    let st = store();
    let an = Analysis::new(&st).await.unwrap();
    // Share of incidents with Taleban on side B among all incidents, per year.
    let q = SeriesQuery {
        filters: Filters {
            actors: vec!["taliban".into()],
            role: Role::B,
            ..range("2015-01-01", "2020-12-31")
        },
        bucket: Bucket::Year,
        share_of: Some(Filters::default()),
        ..SeriesQuery::default()
    };
    let f = an.series(&q).await.unwrap();
    let num = years(2015, 2020, |r| r.side_b == "Taleban");
    let den = years(2015, 2020, |_| true);
    let expected: Vec<f64> = num.iter().zip(&den).map(|(n, d)| 100.0 * n / d).collect();
    for (e, v) in expected.iter().zip(&f.lines[0].values.known()) {
        assert!(
            (e - v).abs() < 1e-9,
            "{expected:?} vs {:?}",
            f.lines[0].values.known()
        );
    }

    // By actor, top 2: taliban and the government, the rest as Other.
    let q = SeriesQuery {
        filters: range("2017-01-01", "2020-12-31"),
        bucket: Bucket::Year,
        by: GroupBy::Actor,
        top: Some(2),
        ..SeriesQuery::default()
    };
    let f = an.series(&q).await.unwrap();
    let labels: Vec<&str> = f.lines.iter().map(|l| l.label.as_str()).collect();
    assert_eq!(labels.len(), 3, "{labels:?}");
    assert!(labels.contains(&"taliban"), "{labels:?}");
    assert_eq!(labels[2], sitrep_analysis::OTHER);
    let tal = f.lines.iter().find(|l| l.label == "taliban").unwrap();
    let expected = years(2017, 2020, |r| {
        r.side_a == "Taleban" || r.side_b == "Taleban"
    });
    assert_same("taliban line", &expected, &tal.values.known());

    // Trace: the records behind the taliban line in 2019 are exactly the CSV's.
    let ids = an
        .trace(&q, day("2019-06-15"), Some("taliban"))
        .await
        .unwrap();
    let mut expected: Vec<String> = rows()
        .iter()
        .filter(|r| r.date.year() == 2019 && (r.side_a == "Taleban" || r.side_b == "Taleban"))
        .map(|r| r.id.clone())
        .collect();
    expected.sort();
    let mut got: Vec<String> = ids
        .iter()
        .map(|id| id.split(':').nth(1).unwrap().to_string())
        .collect();
    got.sort();
    assert_same("traced source ids", &expected, &got);
    assert_eq!(ids.len() as f64, tal.values.known()[2]);
    // Every line's trace has as many records as its value (Other included).
    for (i, line) in f.lines.iter().enumerate() {
        let n = an
            .trace(&q, f.starts[1], Some(&line.label))
            .await
            .unwrap()
            .len() as f64;
        if line.label == sitrep_analysis::OTHER {
            // An incident between two minor actors counts once per actor in the line.
            assert!(
                n <= line.values.known()[1] && n > 0.0,
                "Other: {n} vs {}",
                line.values.known()[1]
            );
        } else {
            assert_eq!(n, line.values.known()[1], "line {i} {}", line.label);
        }
    }
    // The free function agrees.
    let ids2 = trace(&st, &q, day("2019-01-01"), Some("taliban"))
        .await
        .unwrap();
    assert_eq!(ids, ids2);
}

#[tokio::test]
async fn grouped_by_province_region_and_source() {
    let st = store();
    let total = rows().iter().filter(|r| r.date.year() == 2020).count() as f64;
    for by in [GroupBy::Province, GroupBy::Region, GroupBy::Source] {
        let q = SeriesQuery {
            filters: range("2020-01-01", "2020-12-31"),
            bucket: Bucket::Quarter,
            by,
            ..SeriesQuery::default()
        };
        let f = series(&st, &q).await.unwrap();
        let sum: f64 = f.lines.iter().flat_map(|l| l.values.known()).sum();
        assert_eq!(sum, total, "{by:?}: every record in exactly one group");
        if by == GroupBy::Province {
            assert!(f.lines.len() > 25, "{}", f.lines.len());
            assert!(f.lines.iter().any(|l| l.label == "Kabul"));
        }
        if by == GroupBy::Source {
            assert!(f.lines[0].label.starts_with("ucdp"), "{}", f.lines[0].label);
        }
    }
    // A province filter agrees with the province group.
    let q = SeriesQuery {
        filters: Filters {
            provinces: vec!["AF-KAB".into()],
            ..range("2020-01-01", "2020-12-31")
        },
        bucket: Bucket::Quarter,
        ..SeriesQuery::default()
    };
    let kabul = series(&st, &q).await.unwrap();
    let grouped = series(
        &st,
        &SeriesQuery {
            filters: range("2020-01-01", "2020-12-31"),
            by: GroupBy::Province,
            bucket: Bucket::Quarter,
            ..SeriesQuery::default()
        },
    )
    .await
    .unwrap();
    let line = grouped.lines.iter().find(|l| l.label == "Kabul").unwrap();
    assert_same(
        "Kabul",
        &line.values.known(),
        &kabul.lines[0].values.known(),
    );
}

#[tokio::test]
async fn distance_bands_partition_the_located_records() {
    let st = store();
    let edges = vec![0.0, 5.0, 25.0, 50.0, 100.0];
    let q = SeriesQuery {
        filters: range("2019-01-01", "2020-12-31"),
        bucket: Bucket::Month,
        by: GroupBy::DistanceBand,
        distance_bands: edges.clone(),
        ..SeriesQuery::default()
    };
    let f = series(&st, &q).await.unwrap();
    let labels: Vec<&str> = f.lines.iter().map(|l| l.label.as_str()).collect();
    assert!(labels.len() >= 4, "{labels:?}");
    assert!(
        labels.windows(2).all(|w| {
            let km = |s: &str| {
                s.split('–')
                    .next()
                    .unwrap()
                    .trim_end_matches("+ km")
                    .parse::<f64>()
                    .unwrap()
            };
            km(w[0]) < km(w[1])
        }),
        "{labels:?}"
    );
    // Each band's filter gives the band's line.
    let mut sum = 0.0;
    for line in &f.lines {
        let one = SeriesQuery {
            filters: Filters {
                distance_bands: vec![line.label.clone()],
                ..q.filters.clone()
            },
            by: GroupBy::None,
            ..q.clone()
        };
        let g = series(&st, &one).await.unwrap();
        assert_same(
            &line.label,
            &line.values.known(),
            &g.lines[0].values.known(),
        );
        sum += line.values.known().iter().sum::<f64>();
    }
    let n = rows()
        .iter()
        .filter(|r| r.date.year() >= 2019 && r.date.year() <= 2020)
        .count() as f64;
    assert!(sum <= n && sum > 0.5 * n, "{sum} of {n}");
}

#[tokio::test]
async fn user_errors_say_so() {
    let st = store();
    let q = SeriesQuery::new(Filters {
        // Not an id, name or spelling the registry resolves ("talibn" now resolves, as
        // transliteration-aware names do everywhere).
        actors: vec!["taliban-x".into()],
        ..Filters::default()
    });
    let e = series(&st, &q).await.unwrap_err();
    assert!(e.is_input(), "{e}");
    assert!(matches!(e, AnalysisError::UnknownActor { .. }));
    assert!(e.to_string().contains("did you mean `taliban`"), "{e}");
    let q = SeriesQuery {
        filters: Filters {
            distance_bands: vec!["3–7 km".into()],
            ..Filters::default()
        },
        distance_bands: vec![0.0, 5.0],
        ..SeriesQuery::default()
    };
    let e = series(&st, &q).await.unwrap_err();
    assert!(e.is_input() && e.to_string().contains("0–5 km"), "{e}");
    let q = SeriesQuery {
        measure: Measure::CivilianDeaths,
        ..SeriesQuery::default()
    };
    let e = series(&st, &q).await.unwrap_err();
    assert!(matches!(e, AnalysisError::NoCivilianDeaths), "{e}");
    let q = SeriesQuery {
        smooth: Some(0),
        ..SeriesQuery::default()
    };
    assert!(series(&st, &q).await.unwrap_err().is_input());
}
