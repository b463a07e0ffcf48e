//! CSV row parsing: the bundled REAL UCDP GED Afghanistan file (16,038 rows, the
//! 14-column subset read through its bundled mapping) and the REAL GED 23.1 sample
//! (1,000 rows, 49 columns, the UCDP adapter) read into records by the auto-detected
//! adapter, nothing written; the Afghanistan file also with parsing on a second thread
//! (`run_pipelined`, what `sitrep ingest` uses).

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use sitrep_ingest::{prepare, Format, Mapped, RecordSink, RowError};

const FILE: &[u8] = include_bytes!("../../../data/ucdp/ged211_afghanistan_subset.csv");
const GED231: &[u8] = include_bytes!("../../../data/ucdp/ged231_sample1000.csv");

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
    g.bench_function("parse ucdp-ged csv pipelined (16,038 rows)", |b| {
        b.iter(|| {
            let p = prepare("ged211_afghanistan_subset.csv", FILE, &Format::Auto).unwrap();
            let mut sink = Count::default();
            p.run_pipelined(&mut sink).unwrap();
            assert_eq!(sink.1, 0);
            sink.0
        })
    });
    g.throughput(Throughput::Elements(1_000));
    g.bench_function("parse ucdp-ged 49-column csv (1,000 rows)", |b| {
        b.iter(|| {
            let p = prepare("ged231_sample1000.csv", GED231, &Format::Auto).unwrap();
            let mut sink = Count::default();
            p.run(&mut sink).unwrap();
            sink.0 + sink.1
        })
    });
    g.finish();
}

criterion_group!(benches, parse);
criterion_main!(benches);
