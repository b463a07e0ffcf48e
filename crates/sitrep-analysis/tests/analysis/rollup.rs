use crate::common::store;
use sitrep_analysis::{Analysis, SeriesQuery};
use sitrep_model::figure::{Bucket, Filters, GroupBy, Measure, Role, SmoothKind};
use sitrep_model::{DatePrecision, EventType, GeoPrecision};

fn d(s: &str) -> chrono::NaiveDate {
    s.parse().unwrap()
}

fn queries(source: &str) -> Vec<SeriesQuery> {
    let bands = vec![0.0, 5.0, 25.0, 50.0, 100.0];
    let base = |filters: Filters, bucket, measure, by| SeriesQuery {
        filters,
        bucket,
        measure,
        by,
        distance_bands: bands.clone(),
        ..SeriesQuery::default()
    };
    let recent = Filters {
        from: Some(d("2015-01-01")),
        to: Some(d("2020-12-31")),
        ..Filters::default()
    };
    let mut qs = vec![
        base(
            Filters::default(),
            Bucket::Week,
            Measure::Incidents,
            GroupBy::None,
        ),
        base(
            recent.clone(),
            Bucket::Week,
            Measure::Incidents,
            GroupBy::Actor,
        ),
        base(
            Filters::default(),
            Bucket::Month,
            Measure::FatalitiesBest,
            GroupBy::Province,
        ),
        base(
            Filters::default(),
            Bucket::Month,
            Measure::FatalitiesLow,
            GroupBy::Region,
        ),
        base(
            Filters::default(),
            Bucket::Year,
            Measure::FatalitiesHigh,
            GroupBy::EventType,
        ),
        base(
            Filters::default(),
            Bucket::AcledWeek,
            Measure::Incidents,
            GroupBy::DistanceBand,
        ),
        base(
            Filters::default(),
            Bucket::Quarter,
            Measure::Incidents,
            GroupBy::Source,
        ),
        base(
            Filters {
                provinces: vec!["AF-KAN".into(), "Helmand".into()],
                actors: vec!["taliban".into()],
                role: Role::B,
                event_types: vec![EventType::parse("battle").unwrap()],
                coarsest_geo: GeoPrecision::from_code(3),
                coarsest_date: DatePrecision::from_code(1),
                ..recent.clone()
            },
            Bucket::Week,
            Measure::FatalitiesBest,
            GroupBy::Actor,
        ),
        base(
            Filters {
                regions: vec!["Eastern".into()],
                distance_bands: vec!["5–25 km".into(), "100+ km".into()],
                countries: vec!["Afghanistan".into()],
                ..recent.clone()
            },
            Bucket::Month,
            Measure::Incidents,
            GroupBy::DistanceBand,
        ),
    ];
    let mut smoothed = base(
        recent,
        Bucket::Week,
        Measure::Incidents,
        GroupBy::DistanceBand,
    );
    smoothed.smooth = Some(8);
    smoothed.smooth_kind = SmoothKind::Trailing;
    qs.push(smoothed);
    let mut top = base(
        Filters::default(),
        Bucket::Year,
        Measure::Incidents,
        GroupBy::Actor,
    );
    top.top = Some(3);
    top.cumulative = true;
    qs.push(top);
    // Daily buckets over the whole range (the held cube's sparse path), actors on
    // side A, a source and an actor filter on either side, a share.
    qs.push(base(
        Filters::default(),
        Bucket::Day,
        Measure::FatalitiesBest,
        GroupBy::EventType,
    ));
    qs.push(base(
        Filters {
            role: Role::A,
            ..Filters::default()
        },
        Bucket::Quarter,
        Measure::FatalitiesHigh,
        GroupBy::Actor,
    ));
    qs.push(base(
        Filters {
            coarsest_geo: GeoPrecision::from_code(2),
            coarsest_date: DatePrecision::from_code(2),
            ..Filters::default()
        },
        Bucket::Month,
        Measure::FatalitiesBest,
        GroupBy::Province,
    ));
    let mut share = base(
        Filters {
            actors: vec!["taliban".into(), "afg-republic".into()],
            sources: vec![source.to_string()],
            ..Filters::default()
        },
        Bucket::Month,
        Measure::Incidents,
        GroupBy::Province,
    );
    share.share_of = Some(Filters::default());
    qs.push(share);
    qs
}

/// A session holding the rollup in memory, as the server holds it.
async fn held(s: &sitrep_store::Store) -> Analysis {
    Analysis::new(s)
        .await
        .unwrap()
        .hold_rollup_in_memory()
        .await
        .unwrap()
}

#[tokio::test]
async fn rollup_and_raw_paths_give_the_same_series() {
    let s = store();
    assert!(s.rollup_current(), "the test store has a current rollup");
    let fast = Analysis::new(&s).await.unwrap();
    assert!(fast.uses_rollup());
    let raw = Analysis::new(&s).await.unwrap().with_rollup(false);
    assert!(!raw.uses_rollup());
    // The rollup held in memory (as the server holds it) answers the same.
    let held = held(&s).await;
    assert!(held.uses_rollup() && held.scans_rollup_natively());
    assert!(!fast.scans_rollup_natively());
    let source = {
        let b = s.sql("SELECT MIN(source) FROM incidents").await.unwrap();
        use datafusion::arrow::array::AsArray;
        let c = datafusion::arrow::compute::cast(
            b[0].column(0),
            &datafusion::arrow::datatypes::DataType::Utf8,
        )
        .unwrap();
        c.as_string::<i32>().value(0).to_string()
    };
    for (i, q) in queries(&source).iter().enumerate() {
        let a = raw.series(q).await.unwrap();
        let b = fast.series(q).await.unwrap();
        assert!(a.total() > 0.0, "query {i} counts something");
        assert_eq!(a, b, "query {i}: {q:?}");
        assert_eq!(a, held.series(q).await.unwrap(), "held, query {i}: {q:?}");
    }
    // The rollup holds every incident once.
    let rows = s.sql("SELECT SUM(n) FROM rollup").await.unwrap();
    let n = datafusion::arrow::compute::cast(
        rows[0].column(0),
        &datafusion::arrow::datatypes::DataType::Int64,
    )
    .unwrap();
    use datafusion::arrow::array::AsArray;
    assert_eq!(
        n.as_primitive::<datafusion::arrow::datatypes::Int64Type>()
            .value(0),
        16_038
    );
}

#[tokio::test]
async fn queries_the_rollup_cannot_answer_take_the_raw_path() {
    let s = store();
    let fast = Analysis::new(&s).await.unwrap();
    let raw = Analysis::new(&s).await.unwrap().with_rollup(false);
    // Other band edges than the rollup's, and a filter on the source's own type.
    let mut q = SeriesQuery {
        by: GroupBy::DistanceBand,
        distance_bands: vec![0.0, 10.0, 30.0],
        bucket: Bucket::Year,
        ..SeriesQuery::default()
    };
    assert_eq!(
        raw.series(&q).await.unwrap(),
        fast.series(&q).await.unwrap()
    );
    q.by = GroupBy::None;
    q.filters.source_types = vec!["State-based violence".into()];
    let a = raw.series(&q).await.unwrap();
    assert!(a.total() > 0.0);
    assert_eq!(a, fast.series(&q).await.unwrap());
}

#[tokio::test]
async fn comparisons_and_data_ranges_agree_on_both_paths() {
    let s = store();
    let fast = Analysis::new(&s).await.unwrap();
    let raw = Analysis::new(&s).await.unwrap().with_rollup(false);
    assert_eq!(
        raw.data_range(&[]).await.unwrap(),
        fast.data_range(&[]).await.unwrap()
    );
    let a = "2019-08-15..2020-06-15".parse().unwrap();
    let b = "2018-08-15..2019-06-15".parse().unwrap();
    let f = Filters {
        provinces: vec!["AF-NAN".into()],
        ..Filters::default()
    };
    let x = raw.compare(&f, Measure::Incidents, a, b).await.unwrap();
    let y = fast.compare(&f, Measure::Incidents, a, b).await.unwrap();
    assert!(x.count_a > 0.0);
    assert_eq!(x, y);
    // And from the rollup held in memory, scanned natively.
    let held = held(&s).await;
    assert!(held.scans_rollup_natively());
    assert_eq!(x, held.compare(&f, Measure::Incidents, a, b).await.unwrap());
    assert_eq!(
        raw.data_range(&[]).await.unwrap(),
        held.data_range(&[]).await.unwrap()
    );
    let sources = vec!["no such source".to_string()];
    assert_eq!(held.data_range(&sources).await.unwrap(), None);
    assert_eq!(raw.data_range(&sources).await.unwrap(), None);
}

/// A store without clusters reads `incidents` without the cluster joins: the same
/// rows, columns and types as the full view over its (empty) cluster tables.
#[tokio::test]
async fn the_unclustered_view_equals_the_full_one() {
    let s = store();
    let ctx = s.context().await.unwrap();
    let full = sitrep_store::incidents_view_sql(false, true).replacen(
        "CREATE VIEW incidents ",
        "CREATE VIEW incidents_full ",
        1,
    );
    assert!(full.contains("match_clusters"));
    assert!(!sitrep_store::incidents_view_sql(false, false).contains("match_clusters"));
    ctx.sql(&full).await.unwrap();
    let read = |table: &str| {
        let ctx = ctx.clone();
        let sql = format!("SELECT * FROM {table} ORDER BY record_id");
        async move {
            let b = ctx.sql(&sql).await.unwrap().collect().await.unwrap();
            datafusion::arrow::compute::concat_batches(&b[0].schema(), &b).unwrap()
        }
    };
    let (a, b) = (read("incidents").await, read("incidents_full").await);
    assert_eq!(a.num_rows(), 16_038);
    assert_eq!(a.num_columns(), b.num_columns());
    for (i, f) in a.schema().fields().iter().enumerate() {
        let g = b.schema().field(i).clone();
        assert_eq!(f.name(), g.name());
        assert_eq!(f.data_type(), g.data_type(), "{}", f.name());
        assert!(
            a.column(i).as_ref() == b.column(i).as_ref(),
            "column {} differs",
            f.name()
        );
    }
}
