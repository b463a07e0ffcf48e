//! Issue 19: `sitrep forecast` and `/api/v1/forecast` on the GED 21.1 file: a
//! rolling-origin back-test over covered months only, the forecast from the last
//! covered month, the CLI and the API agreeing; the province panel and the models'
//! sanity on it.

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
    // month is after the data), for each of the eleven forecasters (four models,
    // seven baselines).
    let s = scored(&r);
    assert_eq!(s.len(), 11, "{s:?}");
    for (name, (pooled, h1)) in &s {
        assert_eq!((*pooled, *h1), (23, 12), "{name}");
    }
    let chosen = r["chosen"].as_str().unwrap();
    assert!(s.contains_key(chosen));
    assert_eq!(
        r["chosen_is_baseline"].as_bool().unwrap(),
        !sitrep_stats::forecast::MODELS.contains(&chosen),
        "chosen {chosen}: {}",
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
    // Computed once per store version: the same request again is the cached answer.
    let again = server.get_raw(
        "/api/v1/forecast?level=country&horizons=2&backtest_months=12&samples=100&bootstrap=50",
    );
    assert!(
        again.to_ascii_lowercase().contains("x-sitrep-cache: hit"),
        "{}",
        &again[..again.len().min(600)]
    );
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

#[test]
fn province_panel_export_and_model_sanity_on_real_data() {
    let env = Env::new();
    let panel = env.path("panel.csv");
    let out = env
        .ged211(&[
            "forecast",
            "--horizons",
            "1",
            "--backtest-months",
            "12",
            "--samples",
            "200",
            "--bootstrap",
            "50",
            "--scores",
            "--format",
            "json",
            "--panel-out",
            panel.to_str().unwrap(),
        ])
        .output()
        .unwrap();
    let scores = json_out(out);
    // The panel: 34 provinces × 384 months (1989-01 … 2020-12), every GED 21.1 row
    // counted once (each has a province), neighbours on every row.
    let text = std::fs::read_to_string(&panel).unwrap();
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    assert_eq!(header.len(), 2 + 384);
    assert_eq!((header[2], header[385]), ("1989-01", "2020-12"));
    let rows: Vec<Vec<&str>> = lines.map(|l| l.split(',').collect()).collect();
    assert_eq!(rows.len(), 34);
    assert!(
        rows.iter().all(|r| !r[1].is_empty()),
        "a province without neighbours"
    );
    let total: f64 = rows
        .iter()
        .flat_map(|r| r[2..].iter().map(|v| v.parse::<f64>().unwrap()))
        .sum();
    let csv_rows = csv::Reader::from_path(data("ucdp/ged211_afghanistan_subset.csv"))
        .unwrap()
        .records()
        .count();
    assert_eq!(total, csv_rows as f64);
    // The models are sane against each other at horizon 1 (2020, 34 provinces × 12
    // origins): the NB GLM is not far worse than the Poisson GLM (1.23 times here: its
    // likelihood weighs the many small cells more; with the Pearson size estimate,
    // which collapsed, it was 1.6 times over 2015-2020), and every model beats
    // always-zero.
    let crps = |name: &str| -> f64 {
        scores["scores"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["forecaster"] == name && s["horizon"] == 1)
            .unwrap_or_else(|| panic!("no {name}"))["crps"]
            .as_f64()
            .unwrap()
    };
    assert!(crps("glm-nb") < 1.3 * crps("glm-poisson"), "{scores}");
    for m in sitrep_stats::forecast::MODELS {
        assert!(crps(m) < crps("zero"), "{m}: {scores}");
    }
    // The skills beside them are 1 − CRPS(model) / CRPS(baseline), each inside its
    // bootstrap interval, for every model against every baseline at horizon 1.
    let skills = scores["skills"].as_array().unwrap();
    for m in sitrep_stats::forecast::MODELS {
        for b in ["no-change", "conflictology-12", "zero"] {
            let s = skills
                .iter()
                .find(|s| s["model"] == m && s["baseline"] == b && s["horizon"] == 1)
                .unwrap_or_else(|| panic!("no skill {m} over {b}: {scores}"));
            let v = s["skill"].as_f64().unwrap();
            assert!((v - (1.0 - crps(m) / crps(b))).abs() < 1e-6, "{s}");
            assert!(
                s["lo"].as_f64().unwrap() <= v && v <= s["hi"].as_f64().unwrap(),
                "{s}"
            );
        }
    }
    assert_eq!(
        scores["chosen_is_baseline"].as_bool().unwrap(),
        !sitrep_stats::forecast::MODELS.contains(&scores["chosen"].as_str().unwrap())
    );
}
