//! Times the series engine on the bundled UCDP GED Afghanistan file (16,038 events):
//! builds and enriches a store in a temporary directory, then runs a weekly series
//! over all years, the same by actor and by distance band, and the bundled figures.
//!
//!     cargo run -p sitrep-analysis --example weekly_timing [--release]
use sitrep_analysis::{Analysis, SeriesQuery};
use sitrep_model::figure::{Bucket, FigureSpec, Filters, GroupBy};
use sitrep_store::{BatchOptions, InputEntry, Store};
use std::time::Instant;

const CSV: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../data/ucdp/ged211_afghanistan_subset.csv"
);

#[tokio::main]
async fn main() {
    let dir = tempfile::tempdir().unwrap();
    let bytes = std::fs::read(CSV).unwrap();
    let mut store = Store::open_or_create(dir.path()).unwrap();
    let prepared =
        sitrep_ingest::prepare("ged211.csv", bytes.as_slice(), &sitrep_ingest::Format::Auto)
            .unwrap();
    let opts = BatchOptions {
        source: prepared.default_source().to_string(),
        adapter: prepared.adapter().to_string(),
        file: "ged211.csv".into(),
        quarantine: false,
        strict: false,
        coverage: None,
    };
    let mut w = store.begin(opts).await.unwrap();
    prepared.run(&mut w).unwrap();
    let input = InputEntry {
        file: "ged211.csv".into(),
        bytes: bytes.len() as u64,
        blake3: blake3::hash(&bytes).to_hex().to_string(),
    };
    w.commit(&mut store, input).unwrap();
    store
        .enrich(&sitrep_resolve::Resolver::bundled().unwrap())
        .unwrap();

    let t = Instant::now();
    let an = Analysis::new(&store).await.unwrap();
    println!("session: {:.1} ms", t.elapsed().as_secs_f64() * 1e3);
    let cases = [
        ("weekly, all 1989-2020", GroupBy::None, Bucket::Week),
        ("weekly by actor", GroupBy::Actor, Bucket::Week),
        (
            "weekly by distance band",
            GroupBy::DistanceBand,
            Bucket::Week,
        ),
        ("daily", GroupBy::None, Bucket::Day),
    ];
    for (name, by, bucket) in cases {
        let q = SeriesQuery {
            filters: Filters::default(),
            bucket,
            by,
            smooth: Some(8),
            distance_bands: vec![0.0, 5.0, 25.0, 50.0, 100.0],
            ..SeriesQuery::default()
        };
        let mut best = f64::MAX;
        let mut n = 0;
        for _ in 0..5 {
            let t = Instant::now();
            let f = an.series(&q).await.unwrap();
            best = best.min(t.elapsed().as_secs_f64() * 1e3);
            n = f.starts.len() * f.lines.len();
        }
        println!("{name}: {best:.1} ms (best of 5), {n} values");
    }
    for i in 1..=7 {
        let path = format!("{}/../../specs/fig{i}.toml", env!("CARGO_MANIFEST_DIR"));
        let mut spec = FigureSpec::from_toml_str(&std::fs::read_to_string(path).unwrap()).unwrap();
        spec.filters.from = "2019-09-01".parse().ok();
        spec.filters.to = "2020-12-31".parse().ok();
        let t = Instant::now();
        an.figure_data(&spec).await.unwrap();
        println!(
            "figure_data fig{i}: {:.1} ms",
            t.elapsed().as_secs_f64() * 1e3
        );
    }
}
