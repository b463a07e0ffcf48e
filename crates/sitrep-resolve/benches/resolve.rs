//! Point-in-province and actor resolution over the bundled REAL UCDP GED Afghanistan
//! records (16,038 points, 32,076 side names), as enrichment runs them.

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use sitrep_ingest::{prepare, CollectSink, Format};
use sitrep_resolve::{Gazetteer, Registry};

const FILE: &[u8] = include_bytes!("../../../data/ucdp/ged211_afghanistan_subset.csv");

fn records() -> Vec<sitrep_model::Record> {
    let p = prepare("ged211_afghanistan_subset.csv", FILE, &Format::Auto).unwrap();
    let mut sink = CollectSink::default();
    p.run(&mut sink).unwrap();
    sink.records
}

fn bench(c: &mut Criterion) {
    let recs = records();
    let points: Vec<(f64, f64)> = recs
        .iter()
        .filter_map(|r| Some((r.latitude?, r.longitude?)))
        .collect();
    let g = Gazetteer::bundled().unwrap();
    let reg = Registry::bundled().unwrap();
    let mut group = c.benchmark_group("resolve");
    group.sample_size(20);
    group.throughput(Throughput::Elements(points.len() as u64));
    group.bench_function("point in province (16,038 real points)", |b| {
        b.iter(|| {
            points
                .iter()
                .filter(|(lat, lon)| g.locate(*lat, *lon).province.is_some())
                .count()
        })
    });
    let names: Vec<(&str, Option<&str>, chrono::NaiveDate)> = recs
        .iter()
        .flat_map(|r| {
            [r.actor1.as_deref(), r.actor2.as_deref()]
                .into_iter()
                .flatten()
                .map(move |n| (n, r.country.as_deref(), r.date_start))
        })
        .collect();
    group.throughput(Throughput::Elements(names.len() as u64));
    group.bench_function("actor resolution (32,076 real side names)", |b| {
        b.iter(|| {
            names
                .iter()
                .filter(|(n, c, d)| reg.resolve_ids(n, *c, Some(*d)).is_some())
                .count()
        })
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
