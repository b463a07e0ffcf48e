//! A fatality figure over the shared store: the bundled UCDP rows (low, best and high
//! given) up to 2020 and the SYNTHETIC ACLED-layout rows of May 2022 (one conservative
//! figure, no high). Golden SVG and CSV under `tests/golden/`; after checking a diff by
//! eye, rewrite them with `SITREP_BLESS=1 cargo test --workspace --test server fatalit`.

use sitrep_model::figure::FigureSpec;
use std::path::Path;

const SPEC: &str = r#"
id = "fatalities-acled"
title = "Fatalities, best estimate, with the low–high range"
subtitle = "UCDP rows to 2020; synthetic ACLED-layout rows in May 2022 (no high estimate)"
kind = "line"

[filters]
from = 2020-07-01
to = 2022-07-31

[series]
bucket = "month"
measure = "fatalities_best"
"#;

/// Compares `actual` with the golden file `name`, or writes it under `SITREP_BLESS=1`.
/// The days the test store's batches were committed (which the figure cites as
/// "ingested" and as ACLED's access date) are written `{ingest day}`, so the files do
/// not change from one day to the next.
fn golden(name: &str, actual: &str) {
    let mut actual = actual.to_string();
    for b in &crate::common::store().manifest().batches {
        let day = b.committed_at.get(..10).expect("an RFC 3339 timestamp");
        actual = actual.replace(day, "{ingest day}");
    }
    let actual = actual.as_str();
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/golden")
        .join(name);
    if std::env::var("SITREP_BLESS").as_deref() == Ok("1") {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, actual).unwrap();
        return;
    }
    let expected = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("{}: {e} (SITREP_BLESS=1 writes it)", path.display()));
    if let Some((n, (e, a))) = expected
        .lines()
        .zip(actual.lines())
        .enumerate()
        .find(|(_, (e, a))| e != a)
    {
        panic!("{name}: line {} differs\n- {e}\n+ {a}", n + 1);
    }
    assert_eq!(expected, actual, "{name}: differs in length");
}

#[tokio::test]
async fn fatality_figure_over_acled_rows_has_no_nan_and_a_band_only_where_known() {
    let spec = FigureSpec::from_toml_str(SPEC).unwrap();
    let data = sitrep_analysis::figure_data(&crate::common::store(), &spec)
        .await
        .unwrap();
    let svg = sitrep_render::render_svg(&spec, &data, None).unwrap();
    let csv = sitrep_render::render_csv(&spec, &data);
    assert!(!svg.contains("NaN"), "NaN in the SVG");
    assert!(!csv.contains("NaN"), "NaN in the CSV");

    // bucket_start,line,value,raw_value,low,high,coverage: May 2022 (the ACLED rows,
    // 3 + 10 + 0 deaths on 1–3 May) has a best and a low but an empty high, and is
    // partly covered (3 of 31 days); the UCDP months to Dec 2020 have a high; the
    // months no source covers (Jan 2021 – Apr 2022, Jun – Jul 2022) have no value.
    let rows: Vec<Vec<&str>> = csv
        .lines()
        .filter(|l| !l.starts_with('#'))
        .skip(1)
        .map(|l| l.split(',').collect())
        .collect();
    assert_eq!(rows.len(), 25, "Jul 2020 – Jul 2022");
    let may = rows
        .iter()
        .find(|r| r[0] == "2022-05-01")
        .expect("May 2022");
    assert_eq!(
        (may[2], may[4], may[5], may[6]),
        ("13", "13", "", "partial 0.10"),
        "{may:?}"
    );
    let uncovered: Vec<&str> = rows
        .iter()
        .filter(|r| r[6] == "none")
        .map(|r| r[0])
        .collect();
    assert_eq!(uncovered.len(), 18, "{uncovered:?}");
    assert_eq!(uncovered.first(), Some(&"2021-01-01"));
    assert_eq!(uncovered.last(), Some(&"2022-07-01"));
    for r in rows.iter().filter(|r| r[6] == "none") {
        assert_eq!(&r[2..6], ["", "", "", ""], "no value, never 0: {r:?}");
    }
    let covered: Vec<&Vec<&str>> = rows.iter().filter(|r| r[6] != "none").collect();
    assert_eq!(
        covered.iter().filter(|r| r[5].is_empty()).count(),
        1,
        "{csv}"
    );
    let spread = rows.iter().any(|r| !r[5].is_empty() && r[4] != r[5]);
    assert!(spread, "some UCDP month has a low–high spread: {csv}");

    // One band piece per run of months with a known high (Jul – Dec 2020): nothing is
    // drawn to 0 or NaN in the gap or in May 2022, which has no high.
    let known: Vec<bool> = rows.iter().map(|r| !r[5].is_empty()).collect();
    let runs = known
        .iter()
        .enumerate()
        .filter(|(i, k)| **k && (*i == 0 || !known[i - 1]))
        .count();
    assert_eq!(runs, 1);
    assert_eq!(svg.matches("class=\"band\"").count(), runs, "{svg}");
    assert_eq!(
        svg.matches("class=\"no-data\"").count(),
        2,
        "two uncovered runs"
    );

    golden("fatalities-acled.svg", &svg);
    golden("fatalities-acled.csv", &csv);
}
