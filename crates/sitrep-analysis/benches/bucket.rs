//! Series bucketing and smoothing: the per-day work the series engine does in Rust
//! after DataFusion's aggregation. Input days are SYNTHETIC (every day of 1989–2024,
//! repeated), the shape of a long daily series.

use chrono::{Datelike, Days, NaiveDate};
use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use sitrep_analysis::{bucket_start, moving_average};
use sitrep_model::figure::{Bucket, SmoothKind};

fn bench(c: &mut Criterion) {
    let first = NaiveDate::from_ymd_opt(1989, 1, 1).unwrap();
    let days: Vec<NaiveDate> = (0..100_000u64)
        .map(|i| first + Days::new(i % 13_149))
        .collect();
    let mut g = c.benchmark_group("analysis");
    g.throughput(Throughput::Elements(days.len() as u64));
    for bucket in [
        Bucket::Week,
        Bucket::AcledWeek,
        Bucket::Month,
        Bucket::Quarter,
    ] {
        g.bench_function(format!("bucket_start {bucket:?} (100,000 days)"), |b| {
            b.iter(|| {
                days.iter()
                    .map(|d| bucket_start(*d, bucket).ordinal())
                    .sum::<u32>()
            })
        });
    }
    let weekly: Vec<f64> = (0..1_880).map(|i| ((i * 37) % 101) as f64).collect();
    g.throughput(Throughput::Elements(weekly.len() as u64));
    g.bench_function("8-week trailing moving average (1,880 weeks)", |b| {
        b.iter(|| moving_average(&weekly, 8, SmoothKind::Trailing).len())
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
