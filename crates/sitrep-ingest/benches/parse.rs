//! CSV row parsing: the bundled REAL UCDP GED Afghanistan file (16,038 rows) read into
//! records by the auto-detected adapter, nothing written.

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use sitrep_ingest::{prepare, Format, Mapped, RecordSink, RowError};

const FILE: &[u8] = include_bytes!("../../../data/ucdp/ged211_afghanistan_subset.csv");

#[derive(Default)]
struct Count(u64, u64);

impl RecordSink for Count {
    fn accept(&mut self, item: Mapped) {
        if let Mapped::Record(r) = item {
            self.0 += r.fatalities.best.unwrap_or(0) + 1;
        }
    }
    fn reject(&mut self, _: RowError) {
        self.1 += 1;
    }
}

fn parse(c: &mut Criterion) {
    let mut g = c.benchmark_group("ingest");
    g.throughput(Throughput::Elements(16_038));
    g.sample_size(20);
    g.bench_function("parse ucdp-ged csv (16,038 rows)", |b| {
        b.iter(|| {
            let p = prepare("ged211_afghanistan_subset.csv", FILE, &Format::Auto).unwrap();
            let mut sink = Count::default();
            p.run(&mut sink).unwrap();
            assert_eq!(sink.1, 0);
            sink.0
        })
    });
    g.finish();
}

criterion_group!(benches, parse);
criterion_main!(benches);
