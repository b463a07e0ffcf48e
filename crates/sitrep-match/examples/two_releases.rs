//! Matches two UCDP releases of Mexico and shows what matching produces: clusters by
//! size, reconciled incidents with their disagreements, and uncertain links for review.

use sitrep_ingest::{read_file, CollectSink, Format};
use sitrep_match::{is_uncertain, reconcile, run, Config, NoProgress};
use sitrep_model::MatchRecord;
use std::path::Path;

fn main() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../data/ucdp");
    let mut records = Vec::new();
    for (file, source) in [
        ("ged241_mexico.csv.gz", "ged241"),
        ("ged211_global_subset.csv.gz", "ged211"),
    ] {
        let mut sink = CollectSink::default();
        read_file(&dir.join(file), &Format::Auto, &mut sink).expect("reads");
        for mut r in sink.records {
            if r.country.as_deref() == Some("Mexico") {
                r.source = source.into();
                records.push(MatchRecord::from_record(&r));
            }
        }
    }
    let cfg = Config::default();
    let out = run(&records, &[], &cfg, &NoProgress);
    println!(
        "{} records, {} candidate pairs, {} links",
        records.len(),
        out.considered,
        out.links().count()
    );
    println!("clusters by size: {:?}", out.sizes(records.len()));
    for c in out
        .clusters
        .iter()
        .map(|c| reconcile(&records, c))
        .filter(|c| !c.disagreements.is_empty())
        .take(3)
    {
        println!(
            "{} ({} to {}, deaths {:?}-{:?}): {}",
            c.id,
            c.date_start,
            c.date_end,
            c.fatalities.low,
            c.fatalities.high,
            c.disagreements.join("; ")
        );
    }
    let pairs = out.model_pairs(&records);
    let review: Vec<_> = pairs.iter().filter(|p| is_uncertain(p, &cfg)).collect();
    println!("{} uncertain pairs, e.g.:", review.len());
    for p in review.iter().take(3) {
        println!(
            "  {} ~ {}: {:.3} (runner-up {:?}, {})",
            p.a,
            p.b,
            p.score,
            p.runner_up,
            p.status.as_str()
        );
    }
}
