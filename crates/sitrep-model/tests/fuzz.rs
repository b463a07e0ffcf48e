//! Fuzz and property tests of the readers in sitrep-model: figure and report specs
//! (TOML) and query filters (URL pairs). Seeded and deterministic; a long run with
//! `scripts/fuzz` (see `fuzz/support.rs`).
//!
//! Properties: nothing panics; a parse error names a line and column inside the text;
//! what parses writes back and reads again to the same value (specs through TOML,
//! filters through query pairs).

#[path = "../../../fuzz/support.rs"]
mod support;

use chrono::NaiveDate;
use sitrep_model::figure::{FigureSpec, ReportSpec, SpecError};
use sitrep_model::query::{ActorMatch, Attribution, Filters, Role, QUERY_KEYS, QUERY_KEY_ALIASES};
use sitrep_model::{DatePrecision, EventType, GeoPrecision};
use std::path::Path;
use support::{fuzz, mutated, Rng};

fn specs() -> Vec<(String, String)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../specs");
    let mut out = Vec::new();
    for dir in [root.clone(), root.join("reports")] {
        for e in std::fs::read_dir(&dir).unwrap() {
            let p = e.unwrap().path();
            if p.extension().is_some_and(|x| x == "toml") {
                let name = p.file_name().unwrap().to_string_lossy().into_owned();
                out.push((name, std::fs::read_to_string(&p).unwrap()));
            }
        }
    }
    out.sort();
    out
}

/// TOML pieces that reach the spec's keys and values.
const SPEC_DICT: &[&[u8]] = &[
    b"\nkind = \"points\"\n",
    b"\nkind = \"choropleth\"\n",
    b"\n[map]\nbreaks = \"manual\"\nmanual_breaks = [5, 2]\n",
    b"\n[map]\nclasses = 12\n",
    b"\ndistance_bands = [0, 5, nan]\n",
    b"\ndistance_bands = [0, inf]\n",
    b"\n[series]\nby = \"distance_band\"\n",
    b"\n[series]\nsmooth = 0\n",
    b"\nwidth = 4294967295\n",
    b"\nwidth = -1\n",
    b"\n[[lines]]\nlabel = \"\"\n",
    b"\n[[annotations]]\nkind = \"compare\"\n",
    b"\n[filters]\nfrom = 2021-02-30\n",
    b"\n[filters]\nfrom = 2021-08-15T10:00:00Z\n",
    b"\n[filters]\ncoarsest_geo = 9\n",
    b"\n[filters]\nrole = \"c\"\n",
    b"from = \"+262143-12-31\"",
    b"from = \"-0001-01-01\"",
    b"\xc3\xa9",
    b"\xe2\x80\x94",
    b"\xf0\x9f\x92\xa5",
    b"id = \"fig\xc3\xa9\"",
    b"'''",
    b"\"\"\"",
    b"\\u00e9",
    b"= {",
    b"[[sections.figure_specs]]\n",
];

fn check_error_position(src: &str, e: &SpecError) {
    let lines = src.split('\n').count();
    match e {
        SpecError::Parse { line, column, .. } => {
            assert!((1..=lines).contains(line), "line {line} of {lines}: {e}");
            assert!(*column >= 1, "{e}");
        }
        SpecError::Invalid { key, .. } => assert!(!key.is_empty(), "{e}"),
    }
    assert!(!e.to_string().is_empty());
}

/// NaN never equals itself; a spec holding one cannot compare equal after a round trip.
fn has_nan(s: &str) -> bool {
    s.to_ascii_lowercase().contains("nan")
}

#[test]
fn fuzz_figure_and_report_specs() {
    let seeds = specs();
    let (mut ok, mut err) = (0u64, 0u64);
    fuzz(
        "figure_spec",
        2000,
        |rng| {
            let (_, base) = rng.pick_ref(&seeds);
            let (_, other) = rng.pick_ref(&seeds);
            let m = mutated(rng, base.as_bytes(), other.as_bytes(), SPEC_DICT, 4);
            String::from_utf8_lossy(&m).into_owned()
        },
        |src| {
            match FigureSpec::from_toml_str(src) {
                Ok(spec) => {
                    ok += 1;
                    let text = spec.to_toml_string();
                    let back = FigureSpec::from_toml_str(&text)
                        .unwrap_or_else(|e| panic!("written spec does not read: {e}\n{text}"));
                    if !has_nan(src) {
                        assert_eq!(back, spec, "round trip changed the spec:\n{text}");
                    }
                }
                Err(e) => {
                    err += 1;
                    check_error_position(src, &e);
                }
            }
            match ReportSpec::from_toml_str(src) {
                Ok(r) => {
                    let _ = r.figure_ids();
                }
                Err(e) => check_error_position(src, &e),
            }
        },
    );
    eprintln!("figure_spec: {ok} specs read, {err} refused");
    assert!(ok > 0, "the mutations no longer leave any spec readable");
}

const KEYS_EXTRA: &[&str] = &["page", "format", "", "FROM", "from ", "x"];

const VALUES: &[&str] = &[
    "",
    " ",
    ",",
    ",,",
    "2021-08-15",
    "2021-8-5",
    "2021-02-29",
    "2020-02-29",
    "0000-01-01",
    "9999-12-31",
    "+10000-01-01",
    "10000-01-01",
    "-0001-01-01",
    "+262143-12-31",
    "262144-01-01",
    "2021-08-15T00:00",
    " 2021-08-15 ",
    "battle",
    "explosion,battle",
    "Battles",
    "violence_against_civilians",
    "a",
    "b",
    "any",
    "exact",
    "with_factions",
    "1",
    "5",
    "0",
    "6",
    "+1",
    "01",
    "256",
    "claimed",
    "attributed",
    "unattributed",
    "taliban,is-kp",
    " nrf , nrf ",
    "Afghanistan",
    "AF-KAB",
    "0–5 km",
    "' OR 1=1 --",
    "\"; DROP TABLE records; --",
    "%00",
    "\0",
    "\u{202e}",
    "💥",
];

fn gen_pairs(rng: &mut Rng) -> Vec<(String, String)> {
    (0..rng.size(10))
        .map(|_| {
            let key = match rng.below(10) {
                0 => rng.pick(KEYS_EXTRA).to_string(),
                1 => rng.pick(&QUERY_KEY_ALIASES).0.to_string(),
                _ => rng.pick(&QUERY_KEYS).to_string(),
            };
            let value = match rng.below(6) {
                0 => support::text(rng, 40, VALUES),
                1 => format!("{},{}", rng.pick(VALUES), rng.pick(VALUES)),
                _ => rng.pick(VALUES).to_string(),
            };
            (key, value)
        })
        .collect()
}

#[test]
fn fuzz_query_pairs_round_trip() {
    let (mut ok, mut err) = (0u64, 0u64);
    fuzz("query_pairs", 5000, gen_pairs, |pairs| {
        match Filters::from_query_pairs(pairs) {
            Ok(f) => {
                ok += 1;
                let written = f.to_query_pairs();
                let back = Filters::from_query_pairs(&written)
                    .unwrap_or_else(|e| panic!("written pairs do not read: {e}: {written:?}"));
                assert_eq!(back, f, "round trip through {written:?}");
                assert_eq!(back.to_query_pairs(), written);
                let _ = f.describe();
            }
            Err(e) => {
                err += 1;
                let msg = e.to_string();
                assert!(msg.starts_with('`'), "{msg}");
                // Values are clipped: a long hostile value is not echoed whole.
                assert!(msg.chars().count() < 600, "{msg}");
            }
        }
    });
    eprintln!("query_pairs: {ok} read, {err} refused");
    assert!(ok > 0 && err > 0);
}

fn name(rng: &mut Rng) -> String {
    // Names as the sources write them: anything but commas (the list separator) and
    // surrounding spaces (trimmed).
    loop {
        let s = support::text(rng, 20, &["Kabul", "Taliban", "0–5 km", "ucdp"]);
        let s = s.replace(',', ";").trim().to_string();
        if !s.is_empty() {
            return s;
        }
    }
}

fn list(rng: &mut Rng) -> Vec<String> {
    let mut v: Vec<String> = Vec::new();
    for _ in 0..rng.size(3) {
        let n = name(rng);
        if !v.contains(&n) {
            v.push(n);
        }
    }
    v
}

fn date(rng: &mut Rng) -> Option<NaiveDate> {
    if rng.one_in(3) {
        return None;
    }
    let d = match rng.below(8) {
        0 => NaiveDate::MIN,
        1 => NaiveDate::MAX,
        2 => NaiveDate::from_ymd_opt(rng.range(-300, 12000) as i32, 1, 1)?,
        _ => {
            NaiveDate::from_ymd_opt(rng.range(1989, 2030) as i32, 1, 1)?
                + chrono::Days::new(rng.below(365) as u64)
        }
    };
    Some(d)
}

fn gen_filters(rng: &mut Rng) -> Filters {
    let mut f = Filters {
        from: date(rng),
        to: date(rng),
        countries: list(rng),
        actors: list(rng),
        role: rng.pick(&[Role::Any, Role::A, Role::B]),
        actor_match: rng.pick(&[ActorMatch::WithFactions, ActorMatch::Exact]),
        event_types: Vec::new(),
        source_types: list(rng),
        provinces: list(rng),
        regions: list(rng),
        districts: list(rng),
        distance_bands: list(rng),
        coarsest_geo: rng
            .one_in(2)
            .then(|| GeoPrecision::from_code(rng.range(1, 5) as u8))
            .flatten(),
        coarsest_date: rng
            .one_in(2)
            .then(|| DatePrecision::from_code(rng.range(1, 4) as u8))
            .flatten(),
        sources: list(rng),
        attribution: Vec::new(),
    };
    for _ in 0..rng.size(3) {
        let t = rng.pick(&EventType::ALL);
        if !f.event_types.contains(&t) {
            f.event_types.push(t);
        }
    }
    for _ in 0..rng.size(3) {
        let a = rng.pick(&Attribution::ALL);
        if !f.attribution.contains(&a) {
            f.attribution.push(a);
        }
    }
    if let (Some(a), Some(b)) = (f.from, f.to) {
        if a > b {
            (f.from, f.to) = (Some(b), Some(a));
        }
    }
    f
}

#[test]
fn fuzz_filters_write_and_read_back() {
    fuzz("filters_round_trip", 3000, gen_filters, |f| {
        let pairs = f.to_query_pairs();
        let back = Filters::from_query_pairs(&pairs).unwrap_or_else(|e| panic!("{e}: {pairs:?}"));
        assert_eq!(&back, f, "through {pairs:?}");
    });
}
