use chrono::NaiveDate;
use sitrep_ingest::Format;
use sitrep_store::{BatchOptions, InputEntry, Store};
use std::path::PathBuf;
use std::sync::OnceLock;

pub const CSV: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../data/ucdp/ged211_afghanistan_subset.csv"
);

/// One row of the raw file, as the test reads it (independently of sitrep-ingest).
#[derive(Debug, Clone)]
pub struct Row {
    pub id: String,
    pub date: NaiveDate,
    pub violence: String,
    pub side_a: String,
    pub side_b: String,
    pub lat: f64,
    pub lon: f64,
    /// Low, best, high as published.
    pub low: u64,
    pub best: u64,
    pub high: u64,
}

impl Row {
    /// Low as stored: the smallest of the three (the store repairs disordered ranges).
    pub fn low_repaired(&self) -> u64 {
        self.low.min(self.best).min(self.high)
    }
    /// High as stored: the largest of the three.
    pub fn high_repaired(&self) -> u64 {
        self.low.max(self.best).max(self.high)
    }
    /// The common event type UCDP's type of violence maps to.
    pub fn event_type(&self) -> &'static str {
        match self.violence.as_str() {
            "One-sided violence" => "violence_against_civilians",
            _ => "battle",
        }
    }
}

pub fn rows() -> &'static [Row] {
    static ROWS: OnceLock<Vec<Row>> = OnceLock::new();
    ROWS.get_or_init(|| {
        let mut r = csv::Reader::from_path(CSV).unwrap();
        let h = r.headers().unwrap().clone();
        let col = |n: &str| h.iter().position(|x| x == n).unwrap();
        let (id, y, m, d, v, a, b, la, lo, l, be, hi) = (
            col("id"),
            col("year"),
            col("month"),
            col("day"),
            col("type_of_violence"),
            col("side_a"),
            col("side_b"),
            col("latitude"),
            col("longitude"),
            col("low_death"),
            col("best_death"),
            col("high_death"),
        );
        r.records()
            .map(|rec| {
                let rec = rec.unwrap();
                let n = |i: usize| rec[i].trim().parse::<u64>().unwrap();
                Row {
                    id: rec[id].to_string(),
                    date: NaiveDate::from_ymd_opt(
                        rec[y].parse().unwrap(),
                        rec[m].parse().unwrap(),
                        rec[d].parse().unwrap(),
                    )
                    .unwrap(),
                    violence: rec[v].to_string(),
                    side_a: rec[a].to_string(),
                    side_b: rec[b].to_string(),
                    lat: rec[la].parse().unwrap(),
                    lon: rec[lo].parse().unwrap(),
                    low: n(l),
                    best: n(be),
                    high: n(hi),
                }
            })
            .collect()
    })
}

pub fn day(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

fn build(dir: PathBuf) {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let bytes = std::fs::read(CSV).unwrap();
        let name = "data/ucdp/ged211_afghanistan_subset.csv";
        let mut store = Store::open_or_create(&dir).unwrap();
        let prepared = sitrep_ingest::prepare(name, bytes.as_slice(), &Format::Auto).unwrap();
        let opts = BatchOptions {
            source: prepared.default_source().to_string(),
            adapter: prepared.adapter().to_string(),
            file: name.into(),
            quarantine: false,
            strict: false,
            coverage: None,
        };
        let mut writer = store.begin(opts).await.unwrap();
        prepared.run(&mut writer).unwrap();
        let input = InputEntry {
            file: name.into(),
            bytes: bytes.len() as u64,
            blake3: blake3::hash(&bytes).to_hex().to_string(),
        };
        writer.commit(&mut store, input).unwrap();
        let resolver = sitrep_resolve::Resolver::bundled().unwrap();
        store.enrich(&resolver).unwrap();
        // With the rollup every eligible query in these tests takes the rollup path;
        // rollup.rs proves both paths equal.
        store.build_rollup().await.unwrap();
    });
}

/// The bundled file ingested and enriched into a store, built once per test binary
/// under the target's temporary directory (earlier runs' stores are removed).
pub fn store() -> Store {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    let dir = DIR.get_or_init(|| {
        let base = PathBuf::from(env!("CARGO_TARGET_TMPDIR"));
        if let Ok(entries) = base.read_dir() {
            for e in entries.flatten() {
                if e.file_name()
                    .to_string_lossy()
                    .starts_with("analysis-store-")
                {
                    let _ = std::fs::remove_dir_all(e.path());
                }
            }
        }
        let dir = base.join(format!("analysis-store-{}", std::process::id()));
        let d = dir.clone();
        std::thread::spawn(move || build(d)).join().unwrap();
        dir
    });
    Store::open(dir).unwrap()
}

/// Prints both blocks when they differ.
#[track_caller]
pub fn assert_same<T: PartialEq + std::fmt::Debug>(what: &str, expected: &[T], actual: &[T]) {
    if expected != actual {
        panic!("{what}\n--- expected ---\n{expected:?}\n--- actual ---\n{actual:?}");
    }
}

/// Values of a fully covered series: every bucket must have one.
pub trait Known {
    /// The values, panicking at the first bucket without coverage (`None`).
    fn known(&self) -> Vec<f64>;
}

impl Known for [Option<f64>] {
    fn known(&self) -> Vec<f64> {
        self.iter()
            .enumerate()
            .map(|(i, v)| v.unwrap_or_else(|| panic!("bucket {i} has no value (not covered)")))
            .collect()
    }
}

impl Known for Vec<Option<f64>> {
    fn known(&self) -> Vec<f64> {
        self.as_slice().known()
    }
}
