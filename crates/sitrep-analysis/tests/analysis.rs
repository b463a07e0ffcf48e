//! End-to-end tests of sitrep-analysis on the bundled UCDP GED Afghanistan file
//! (16,038 events, 1989–2020), each number checked against a count made here from the
//! raw CSV.

#[path = "analysis/common.rs"]
mod common; // builds the enriched store once per binary; reads the raw CSV
#[path = "analysis/compare.rs"]
mod compare; // period comparisons against counts from the CSV
#[path = "analysis/figures.rs"]
mod figures; // every bundled spec, dates overridden, totals against the CSV
#[path = "analysis/reads.rs"]
mod reads; // the store's series reads against the CSV, on all three paths
#[path = "analysis/rollup.rs"]
mod rollup; // the store's rollup and the raw path give the same series
#[path = "analysis/series.rs"]
mod series; // filters, buckets, measures, groups, transforms, tracing
#[path = "analysis/watch.rs"]
mod watch; // issue 17: indicators, change points, scenarios, alerts (oracle: watch_oracle.py)
