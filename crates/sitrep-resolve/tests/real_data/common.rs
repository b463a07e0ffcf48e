use chrono::NaiveDate;
use sitrep_model::{
    DatePrecision, EventType, Fatalities, GeoPrecision, Provenance, Record, VersionKind,
};
use sitrep_resolve::{Gazetteer, Registry, Resolver};
use std::path::PathBuf;
use std::sync::OnceLock;

/// The workspace root (two levels above this crate).
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

pub fn resolver() -> &'static Resolver {
    static R: OnceLock<Resolver> = OnceLock::new();
    R.get_or_init(|| Resolver::bundled().expect("bundled gazetteer and registry load"))
}

pub fn gazetteer() -> &'static Gazetteer {
    resolver().gazetteer()
}

pub fn registry() -> &'static Registry {
    resolver().registry()
}

pub fn date(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("test date")
}

/// A record with the fields places and actors use; the rest neutral.
#[allow(clippy::too_many_arguments)]
pub fn record(
    id: &str,
    day: NaiveDate,
    lat: Option<f64>,
    lon: Option<f64>,
    geo: GeoPrecision,
    country: &str,
    admin1: Option<&str>,
    a1: &str,
    a2: &str,
) -> Record {
    Record {
        source: "test".into(),
        source_event_id: id.into(),
        version: VersionKind::Sequence,
        date_start: day,
        date_end: day,
        date_precision: DatePrecision::Day,
        latitude: lat,
        longitude: lon,
        geo_precision: geo,
        country: Some(country.into()),
        admin1: admin1.map(str::to_string),
        admin2: None,
        location: None,
        event_type: EventType::parse("Battles").expect("event type"),
        sub_event_type: None,
        source_event_type: "test".into(),
        actor1: Some(a1.into()),
        actor2: Some(a2.into()),
        assoc_actor1: None,
        assoc_actor2: None,
        conflict: None,
        fatalities: Fatalities::default(),
        civilian_deaths: None,
        notes: None,
        raw: String::new(),
        quality: Vec::new(),
        provenance: Provenance {
            file: "test".into(),
            line: 0,
            format: "test".into(),
        },
    }
}

/// The 16,038 events of data/ucdp/ged211_afghanistan_subset.csv (1989-2020) as
/// records. The subset has no admin1 and no precision columns: precision is Point.
pub fn ged211() -> &'static [Record] {
    static ROWS: OnceLock<Vec<Record>> = OnceLock::new();
    ROWS.get_or_init(|| {
        let path = root().join("data/ucdp/ged211_afghanistan_subset.csv");
        let mut rd =
            csv::Reader::from_path(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let h = rd.headers().expect("header").clone();
        let col = |n: &str| {
            h.iter()
                .position(|x| x == n)
                .unwrap_or_else(|| panic!("no column {n}"))
        };
        let (id, y, m, d, c, a, b, la, lo) = (
            col("id"),
            col("year"),
            col("month"),
            col("day"),
            col("country"),
            col("side_a"),
            col("side_b"),
            col("latitude"),
            col("longitude"),
        );
        rd.records()
            .map(|r| {
                let r = r.expect("csv row");
                let num = |i: usize| r[i].parse::<i32>().expect("int");
                let day =
                    NaiveDate::from_ymd_opt(num(y), num(m) as u32, num(d) as u32).expect("date");
                record(
                    &r[id],
                    day,
                    r[la].parse().ok(),
                    r[lo].parse().ok(),
                    GeoPrecision::Point,
                    &r[c],
                    None,
                    &r[a],
                    &r[b],
                )
            })
            .collect()
    })
}

/// The 135 Afghanistan rows of the UCDP GED 23.1 random sample (full layout, with
/// adm_1 and where_prec): tests/data/ged231_sample_afghanistan.csv.
pub fn ged231() -> Vec<Record> {
    let path =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/data/ged231_sample_afghanistan.csv");
    let mut rd =
        csv::Reader::from_path(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let h = rd.headers().expect("header").clone();
    let col = |n: &str| {
        h.iter()
            .position(|x| x == n)
            .unwrap_or_else(|| panic!("no column {n}"))
    };
    let (id, ds, wp, adm1, c, a, b, la, lo) = (
        col("id"),
        col("date_start"),
        col("where_prec"),
        col("adm_1"),
        col("country"),
        col("side_a"),
        col("side_b"),
        col("latitude"),
        col("longitude"),
    );
    rd.records()
        .map(|r| {
            let r = r.expect("csv row");
            let day = date(&r[ds][..10]);
            let geo = GeoPrecision::from_ucdp(r[wp].parse().expect("where_prec"))
                .expect("known where_prec");
            let admin1 = Some(&r[adm1]).filter(|s| !s.is_empty());
            record(
                &r[id],
                day,
                r[la].parse().ok(),
                r[lo].parse().ok(),
                geo,
                &r[c],
                admin1,
                &r[a],
                &r[b],
            )
        })
        .collect()
}
