//! The store's series reads (`sitrep_store::Snapshot::day_sums` and the rest), which
//! this crate's every number goes through, checked against counts made here from the
//! raw CSV — on the three paths a read can take: `incidents`, the `rollup` table,
//! and the rollup held in memory and scanned natively.

use crate::common::{day, rows, store};
use sitrep_model::figure::{Bucket, Filters, GroupBy, MapLevel};
use sitrep_store::{Condition, CountedFrom, Snapshot};
use std::collections::BTreeMap;

/// (n, low, best, high) per key, from the CSV.
type Tally = BTreeMap<(chrono::NaiveDate, String), (u64, u64, u64, u64)>;

fn csv_by_day_and_type(keep: impl Fn(&crate::common::Row) -> bool) -> Tally {
    let mut t = Tally::new();
    for r in rows().iter().filter(|r| keep(r)) {
        let e = t.entry((r.date, r.event_type().to_string())).or_default();
        e.0 += 1;
        e.1 += r.low_repaired();
        e.2 += r.best;
        e.3 += r.high_repaired();
    }
    t
}

/// The three snapshots: raw `incidents`, the rollup table, the rollup in memory.
async fn paths() -> Vec<(&'static str, Snapshot)> {
    let s = store();
    let table = s.snapshot().await.unwrap();
    let raw = table.clone().with_rollup(false);
    let mut held = table.clone();
    held.hold_rollup_in_memory().await.unwrap();
    assert!(held.scans_rollup_natively() && !table.scans_rollup_natively());
    vec![("incidents", raw), ("rollup", table), ("held", held)]
}

#[tokio::test]
async fn sums_per_day_and_type_equal_the_csv_on_every_path() {
    let f = Filters {
        from: Some(day("2016-01-01")),
        to: Some(day("2018-12-31")),
        ..Filters::default()
    };
    let want = csv_by_day_and_type(|r| r.date >= day("2016-01-01") && r.date <= day("2018-12-31"));
    assert!(
        want.len() > 100,
        "the CSV has events on many days of 2016–2018"
    );
    for (name, snap) in paths().await {
        let expect_from = if name == "incidents" {
            CountedFrom::Incidents
        } else {
            CountedFrom::Rollup
        };
        assert_eq!(snap.sums_from(&f, GroupBy::EventType, &[]), expect_from);
        let got: Tally = snap
            .day_sums(&f, GroupBy::EventType, &[], Bucket::Day)
            .await
            .unwrap()
            .into_iter()
            .map(|d| {
                let s = d.sums;
                assert_eq!(s.high_missing, 0, "GED gives every high");
                ((d.day, d.group.unwrap()), (s.n, s.low, s.best, s.high))
            })
            .collect();
        assert_eq!(got, want, "{name}");
    }
}

#[tokio::test]
async fn ranges_unions_and_sources_equal_the_csv() {
    let first = rows().iter().map(|r| r.date).min().unwrap();
    let last = rows().iter().map(|r| r.date).max().unwrap();
    let year = |y: i32| Filters {
        from: Some(day(&format!("{y}-01-01"))),
        to: Some(day(&format!("{y}-12-31"))),
        ..Filters::default()
    };
    use chrono::Datelike;
    let in_year = |y: i32| rows().iter().filter(|r| r.date.year() == y).count() as u64;
    for (name, snap) in paths().await {
        assert_eq!(
            snap.date_range(&Filters::default()).await.unwrap(),
            Some((first, last)),
            "{name}"
        );
        // A union of overlapping selections counts each record once.
        let both = [year(2019), year(2020), year(2020)];
        assert_eq!(
            snap.count_where(&both, &[], &[]).await.unwrap(),
            in_year(2019) + in_year(2020),
            "{name}"
        );
        // Every GED event has coordinates.
        assert_eq!(
            snap.count_where(&both, &[], &[Condition::NoCoordinates])
                .await
                .unwrap(),
            0
        );
        let located = snap.located_records(&both, &[], 7).await.unwrap();
        assert_eq!(located.len() as u64, in_year(2019) + in_year(2020));
        assert!(located.windows(2).all(|w| w[0].day <= w[1].day), "by day");
        assert_eq!(
            snap.sources_of(&both, &[]).await.unwrap(),
            vec![snap.batch_entries()[0].source.clone()]
        );
        assert_eq!(
            snap.sources_of(&[], &[]).await.unwrap(),
            Vec::<String>::new()
        );
    }
}

#[tokio::test]
async fn areas_and_the_records_behind_a_group_add_up_to_the_csv() {
    let snap = store().snapshot().await.unwrap();
    let f = Filters {
        from: Some(day("2020-03-01")),
        to: Some(day("2020-03-31")),
        ..Filters::default()
    };
    let march: Vec<_> = rows()
        .iter()
        .filter(|r| r.date >= day("2020-03-01") && r.date <= day("2020-03-31"))
        .collect();
    let areas = snap
        .area_sums(std::slice::from_ref(&f), &[], MapLevel::Province)
        .await
        .unwrap();
    assert_eq!(
        areas.iter().map(|a| a.sums.n).sum::<u64>(),
        march.len() as u64
    );
    assert_eq!(
        areas.iter().map(|a| a.sums.best).sum::<u64>(),
        march.iter().map(|r| r.best).sum::<u64>()
    );
    let groups = snap
        .record_groups(&f, GroupBy::EventType, &[])
        .await
        .unwrap();
    let mut per_type: BTreeMap<String, usize> = BTreeMap::new();
    for (_, g) in &groups {
        *per_type.entry(g.clone().unwrap()).or_default() += 1;
    }
    let mut want: BTreeMap<String, usize> = BTreeMap::new();
    for r in &march {
        *want.entry(r.event_type().to_string()).or_default() += 1;
    }
    assert_eq!(per_type, want);
    let mut ids: Vec<_> = groups.iter().map(|(id, _)| id.clone()).collect();
    ids.sort();
    ids.dedup();
    assert_eq!(
        ids.len(),
        march.len(),
        "one row per record when grouped by type"
    );
}

#[tokio::test]
async fn a_distance_band_filter_means_the_same_in_a_forecast_panel_as_in_a_series() {
    use sitrep_analysis::{Analysis, ForecastQuery, SeriesQuery};
    use sitrep_model::figure::Measure;
    use sitrep_model::forecast::ForecastLevel;
    let a = Analysis::new(&store()).await.unwrap();
    let filters = Filters {
        distance_bands: vec!["0–5 km".into()],
        from: Some(day("2015-01-01")),
        to: Some(day("2020-12-31")),
        ..Filters::default()
    };
    let q = ForecastQuery {
        filters: filters.clone(),
        level: ForecastLevel::Country,
        measure: Measure::Incidents,
        ..ForecastQuery::default()
    };
    let csv = a.forecast_panel_csv(&q).await.unwrap();
    // One unit: its row's month cells, summed.
    let row = csv.lines().nth(1).unwrap();
    let panel: f64 = row.split(',').filter_map(|c| c.parse::<f64>().ok()).sum();
    let series = a
        .series(&SeriesQuery {
            filters,
            bucket: Bucket::Month,
            distance_bands: sitrep_store::ROLLUP_BAND_EDGES.to_vec(),
            ..SeriesQuery::default()
        })
        .await
        .unwrap();
    assert!(series.total() > 0.0, "incidents within 5 km of a capital");
    assert_eq!(panel, series.total(), "{}", &csv[..csv.len().min(300)]);
}
