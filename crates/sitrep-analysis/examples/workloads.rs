//! The benchmark workloads as library calls on an open store (bench/workloads.py
//! runs this next to the CLI and the peers). Prints one JSON object per workload:
//! median/min/max milliseconds over `REPS` runs after a warm-up, and a check value
//! the harness compares with every peer's. The session holds the store's rollup in
//! memory, as `sitrep serve` does.
//!
//!     cargo run --release -p sitrep-analysis --example workloads -- STORE [REPS] [OUT_DIR]

use sitrep_analysis::{Analysis, SeriesQuery};
use sitrep_model::figure::{Bucket, Filters, GroupBy, Measure, Period};
use sitrep_store::Store;
use std::time::Instant;

/// The columns every tool's export writes (bench/workloads.py's PEER_COLUMNS).
const EXPORT_COLUMNS: [&str; 10] = [
    "record_id",
    "date_start",
    "event_type",
    "province_code",
    "actor1_id",
    "actor2_id",
    "fatalities_low",
    "fatalities_best",
    "fatalities_high",
    "capital_distance_km",
];

fn d(s: &str) -> chrono::NaiveDate {
    s.parse().expect("date")
}

fn stats(mut ms: Vec<f64>) -> (f64, f64, f64) {
    ms.sort_by(f64::total_cmp);
    (ms[ms.len() / 2], ms[0], ms[ms.len() - 1])
}

#[tokio::main(flavor = "multi_thread")]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let store_dir = args
        .get(1)
        .ok_or("usage: workloads STORE [REPS] [OUT_DIR]")?;
    let reps: usize = args.get(2).map_or(Ok(5), |r| r.parse())?;
    let out_dir = std::path::PathBuf::from(args.get(3).map_or("/tmp", String::as_str));
    let t = Instant::now();
    let store = Store::open(store_dir)?;
    // Like the server (and like the peers, which hold their frames in memory): one
    // open session with the store's rollup held in memory; "open" times that.
    let a = Analysis::new(&store).await?.hold_rollup_in_memory().await?;
    println!(
        "{}",
        serde_json::json!({"workload": "open", "median_ms": t.elapsed().as_secs_f64() * 1e3})
    );

    let by_actor = SeriesQuery {
        filters: Filters {
            from: Some(d("2015-01-01")),
            to: Some(d("2020-12-31")),
            provinces: vec!["AF-KAN".into(), "AF-HEL".into()],
            ..Filters::default()
        },
        bucket: Bucket::Week,
        by: GroupBy::Actor,
        ..SeriesQuery::default()
    };
    let by_province = SeriesQuery {
        bucket: Bucket::Month,
        measure: Measure::FatalitiesBest,
        by: GroupBy::Province,
        ..SeriesQuery::default()
    };
    let by_band = SeriesQuery {
        bucket: Bucket::Week,
        by: GroupBy::DistanceBand,
        smooth: Some(8),
        distance_bands: vec![0.0, 5.0, 25.0, 50.0, 100.0],
        ..SeriesQuery::default()
    };
    let pa: Period = "2019-08-15..2020-06-15".parse()?;
    let pb: Period = "2018-08-15..2019-06-15".parse()?;
    let export_filters = Filters {
        from: Some(d("2015-01-01")),
        to: Some(d("2020-12-31")),
        event_types: vec![sitrep_model::EventType::parse("battle").ok_or("type")?],
        ..Filters::default()
    };
    for name in [
        "weekly_by_actor",
        "fatalities_by_province_month",
        "ma8_by_distance_band",
        "compare",
        "export_parquet",
    ] {
        let mut times = Vec::new();
        let mut check = 0.0;
        for i in 0..=reps {
            let t = Instant::now();
            check = match name {
                "weekly_by_actor" => a.series(&by_actor).await?.total(),
                "fatalities_by_province_month" => a.series(&by_province).await?.total(),
                "ma8_by_distance_band" => a.series(&by_band).await?.total(),
                "compare" => {
                    a.compare(&Filters::default(), Measure::Incidents, pa, pb)
                        .await?
                        .ratio
                }
                _ => {
                    // The product's export read (`sitrep export --unordered` makes this
                    // one call): rows as stored, like the peers' exports.
                    let path = out_dir.join("sitrep-lib-export.parquet");
                    let columns = sitrep_store::ExportColumns::Only(
                        EXPORT_COLUMNS.iter().map(|c| c.to_string()).collect(),
                    );
                    a.snapshot()
                        .export_incidents(
                            &export_filters,
                            &columns,
                            sitrep_store::ExportOrder::AsStored,
                            sitrep_store::ExportFormat::Parquet,
                            &path,
                        )
                        .await?
                        .0 as f64
                }
            };
            if i > 0 {
                times.push(t.elapsed().as_secs_f64() * 1e3);
            }
        }
        let (med, lo, hi) = stats(times);
        println!(
            "{}",
            serde_json::json!({"workload": name, "median_ms": med, "min_ms": lo, "max_ms": hi, "check": check})
        );
    }
    Ok(())
}
