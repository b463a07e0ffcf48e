//! Issue 19: `sitrep forecast` and `/api/v1/forecast` on the GED 21.1 file: a
//! rolling-origin back-test over covered months only, the forecast from the last
//! covered month, the CLI and the API agreeing.

use crate::common::{data, Env, Server};
use std::collections::BTreeMap;

const SMALL: [&str; 10] = [
    "--level",
    "country",
    "--horizons",
    "2",
    "--backtest-months",
    "12",
    "--samples",
    "100",
    "--bootstrap",
    "50",
];

fn json_out(out: std::process::Output) -> serde_json::Value {
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

/// Pooled and horizon-1 cell counts per forecaster.
fn scored(r: &serde_json::Value) -> BTreeMap<String, (u64, u64)> {
    let mut m: BTreeMap<String, (u64, u64)> = BTreeMap::new();
    for s in r["scores"].as_array().unwrap() {
        let e = m
            .entry(s["forecaster"].as_str().unwrap().to_string())
            .or_default();
        match s["horizon"].as_u64() {
            None => e.0 = s["n"].as_u64().unwrap(),
            Some(1) => e.1 = s["n"].as_u64().unwrap(),
            _ => {}
        }
    }
    m
}

#[test]
fn forecast_backtests_covered_months_and_the_api_agrees() {
    let env = Env::new();
    let mut args = vec!["forecast"];
    args.extend(SMALL);
    args.extend(["--format", "json"]);
    let r = json_out(env.ged211(&args).output().unwrap());
    // The file's first and last event months, counted from the CSV.
    let text = std::fs::read_to_string(data("ucdp/ged211_afghanistan_subset.csv")).unwrap();
    let mut months: Vec<(i32, u32)> = csv::Reader::from_reader(text.as_bytes())
        .records()
        .map(|r| {
            let r = r.unwrap();
            (r[1].parse().unwrap(), r[2].parse().unwrap())
        })
        .collect();
    months.sort();
    let (first, last) = (months[0], *months.last().unwrap());
    assert_eq!(r["trained_from"], format!("{}-{:02}-01", first.0, first.1));
    assert_eq!(r["trained_to"], format!("{}-{:02}-01", last.0, last.1));
    let n_months = ((last.0 - first.0) * 12 + last.1 as i32 - first.1 as i32 + 1) as u64;
    assert_eq!(r["months"].as_u64(), Some(n_months));
    assert_eq!(
        r["backtest_origins"],
        serde_json::json!(["2020-01-01", "2020-12-01"])
    );
    // One unit, two months ahead, after the last month of data.
    let cells = r["cells"].as_array().unwrap();
    assert_eq!(cells.len(), 2);
    assert_eq!(cells[0]["month"], "2021-01-01");
    assert_eq!(cells[1]["month"], "2021-02-01");
    for c in cells {
        let (lo, med, hi) = (
            c["q05"].as_f64().unwrap(),
            c["median"].as_f64().unwrap(),
            c["q95"].as_f64().unwrap(),
        );
        assert!(lo <= med && med <= hi, "{c}");
    }
    // Twelve origins: 12 cells at horizon 1, 11 at horizon 2 (the last origin's second
    // month is after the data), for each of the nine forecasters.
    let s = scored(&r);
    assert_eq!(s.len(), 9, "{s:?}");
    for (name, (pooled, h1)) in &s {
        assert_eq!((*pooled, *h1), (23, 12), "{name}");
    }
    let chosen = r["chosen"].as_str().unwrap();
    assert!(s.contains_key(chosen));
    assert_eq!(
        r["chosen_is_baseline"].as_bool().unwrap(),
        !chosen.starts_with("glm"),
        "{}",
        r["explanation"]
    );

    // The API answers the same query with the same numbers.
    let server = Server::start_ged211(&env);
    let api: serde_json::Value = serde_json::from_str(&server.get(
        "/api/v1/forecast?level=country&horizons=2&backtest_months=12&samples=100&bootstrap=50",
    ))
    .unwrap();
    for key in ["cells", "chosen", "scores", "skills", "trained_to"] {
        assert_eq!(api[key], r[key], "{key}");
    }
    let bad = server.get_raw("/api/v1/forecast?horizons=9");
    assert!(bad.starts_with("HTTP/1.1 400"), "{bad}");
    assert!(
        bad.contains("`horizons=9`: give a whole number from 1 to 6"),
        "{bad}"
    );
}

#[test]
fn months_without_coverage_are_neither_trained_on_nor_scored() {
    let env = Env::new();
    // The GED 21.1 file ingested with a coverage statement that leaves out June –
    // August 2019: those three months have data but no coverage.
    let cov = env.path("gap.coverage.toml");
    std::fs::write(
        &cov,
        "[coverage]\ncountries = [\"Afghanistan\"]\n[[coverage.spans]]\nfrom = \"1989-01-01\"\nto = \"2019-05-31\"\nstatus = \"complete\"\n[[coverage.spans]]\nfrom = \"2019-09-01\"\nto = \"2020-12-31\"\nstatus = \"complete\"\n",
    )
    .unwrap();
    env.ok(&[
        "ingest",
        "--coverage",
        cov.to_str().unwrap(),
        data("ucdp/ged211_afghanistan_subset.csv").to_str().unwrap(),
    ]);
    let mut args = vec!["forecast"];
    args.extend(SMALL);
    args[6] = "24"; // --backtest-months
    args.extend(["--format", "json"]);
    let r = json_out(env.run(&args));
    // Origins Jan 2019 – Dec 2020 (24); horizon-1 targets are the origins' months,
    // three of which are not covered.
    assert_eq!(
        r["backtest_origins"],
        serde_json::json!(["2019-01-01", "2020-12-01"])
    );
    for (name, (_, h1)) in scored(&r) {
        assert_eq!(h1, 21, "{name}");
    }
    assert_eq!(
        r["covered_months"].as_u64().unwrap() + 3,
        r["months"].as_u64().unwrap()
    );
}
