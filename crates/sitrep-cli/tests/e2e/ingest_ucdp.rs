use crate::common::{data, summary, Env};
use serde_json::Value;

fn one(env: &Env, source: &str, id: &str) -> serde_json::Map<String, Value> {
    let rows = env.query(&format!(
        "SELECT source_event_id, CAST(date_start AS VARCHAR) AS ds, CAST(date_end AS VARCHAR) AS de, date_precision, \
         latitude, longitude, geo_precision, actor1, actor2, fatalities_low, fatalities_best, fatalities_high, event_type, \
         sub_event_type, country, admin1, civilian_deaths, line, raw FROM incidents WHERE source = '{source}' AND source_event_id = '{id}'"
    ));
    assert_eq!(rows.len(), 1, "exactly one current row for {source}:{id}");
    rows[0].as_object().unwrap().clone()
}

#[test]
fn every_ucdp_file_ingests_with_its_exact_row_count() {
    let env = Env::new();
    for (file, source, rows) in [
        ("ucdp/ged231_sample1000.csv", "ged231", 1000),
        ("ucdp/ged241_mexico.csv.gz", "ged241-mex", 18_957),
        ("ucdp/ged241_myanmar.csv.gz", "ged241-mmr", 7_374),
        ("ucdp/hdx_conflict_data_bgd.csv", "hdx-bgd", 601),
        ("ucdp/ged211_afghanistan_subset.csv", "ged211-afg", 16_038),
        ("ucdp/ged211_global_subset.csv.gz", "ged211-global", 176_579),
    ] {
        let err = env.ok(&["ingest", "--source", source, data(file).to_str().unwrap()]);
        assert_eq!(summary(&err), [rows, rows, 0, 0, 0], "{file}: {err}");
        assert_eq!(
            env.count(&format!(
                "SELECT count(*) FROM incidents WHERE source = '{source}'"
            )),
            rows as i64,
            "{file}"
        );
    }
    // Named rows come back with the right values (checked against the CSV by eye and below).
    let r = one(&env, "ged231", "300380");
    assert_eq!(r["ds"], "2013-01-03");
    assert_eq!(r["latitude"], 35.763369);
    assert_eq!(r["longitude"], 36.558974);
    assert_eq!(r["actor1"], "Government of Syria");
    assert_eq!(r["actor2"], "Syrian insurgents");
    assert_eq!(
        (
            r["fatalities_low"].as_i64(),
            r["fatalities_best"].as_i64(),
            r["fatalities_high"].as_i64()
        ),
        (Some(2), Some(2), Some(2))
    );
    assert_eq!(r["event_type"], "battle");
    assert_eq!(r["sub_event_type"], "state-based");
    assert_eq!(r["admin1"], "Idlib governorate");
    assert_eq!(r["line"], 2);

    let r = one(&env, "ged241-mex", "182027");
    assert_eq!(
        (r["ds"].as_str(), r["de"].as_str()),
        (Some("1992-09-01"), Some("1992-09-30"))
    );
    assert_eq!(r["date_precision"], 3, "UCDP date_prec 4 is a month");
    assert_eq!(r["actor1"], "Sinaloa Cartel");
    assert_eq!(r["actor2"], "Tijuana Cartel");
    assert_eq!(r["sub_event_type"], "non-state");
    assert_eq!(r["fatalities_best"], 9);
    assert_eq!(
        (r["latitude"].as_f64(), r["longitude"].as_f64()),
        (Some(19.42847), Some(-99.12766))
    );

    let r = one(&env, "hdx-bgd", "71663");
    assert_eq!(
        (r["ds"].as_str(), r["de"].as_str()),
        (Some("2013-12-13"), Some("2013-12-14"))
    );
    assert_eq!(r["actor1"], "Supporters of Awami League");
    assert_eq!(r["country"], "Bangladesh");
    assert_eq!(r["line"], 3, "line 2 is the HXL tag row");
    assert_eq!(r["date_precision"], 2);

    let r = one(&env, "ged211-afg", "244657");
    assert_eq!(r["ds"], "2017-07-31");
    assert_eq!(r["actor1"], "Government of Iraq");
    assert_eq!(r["actor2"], "IS");
    assert_eq!(r["fatalities_best"], 6);
    assert_eq!(r["event_type"], "battle");
    let raw: Value = serde_json::from_str(r["raw"].as_str().unwrap()).unwrap();
    assert_eq!(
        raw["conflict_name"], "Iraq: Government",
        "the verbatim row is kept"
    );
    assert_eq!(raw["type_of_violence"], "State-based violence");

    // Deaths per source equal an independent sum over the raw files.
    let afg_best: i64 = std::fs::read_to_string(data("ucdp/ged211_afghanistan_subset.csv"))
        .unwrap()
        .lines()
        .skip(1)
        .map(|l| l.rsplit(',').nth(1).unwrap().parse::<i64>().unwrap())
        .sum();
    assert_eq!(
        env.count("SELECT sum(fatalities_best) FROM incidents WHERE source = 'ged211-afg'"),
        afg_best
    );
}

#[test]
fn headerless_candidate_file_and_the_42_column_layout_read() {
    let env = Env::new();
    // Real GED 23.1 rows with the header line removed, as candidate files are published.
    let text = std::fs::read_to_string(data("ucdp/ged231_sample1000.csv")).unwrap();
    let body = &text[text.find('\n').unwrap() + 1..];
    std::fs::write(env.path("candidate.csv"), body).unwrap();
    let err = env.ok(&[
        "ingest",
        "--source",
        "cand",
        env.path("candidate.csv").to_str().unwrap(),
    ]);
    assert_eq!(summary(&err), [1000, 1000, 0, 0, 0], "{err}");
    assert!(err.contains("ucdp-ged"), "{err}");
    assert_eq!(env.count("SELECT fatalities_best FROM incidents WHERE source = 'cand' AND source_event_id = '300380'"), 2);

    // Real HDX rows reshaped to the GED 19.1 layout: the iso3 column and the HXL row removed (42 columns).
    let mut rdr = csv::ReaderBuilder::new()
        .has_headers(false)
        .from_path(data("ucdp/hdx_conflict_data_bgd.csv"))
        .unwrap();
    let mut w = csv::Writer::from_path(env.path("ged191.csv")).unwrap();
    for (i, rec) in rdr.records().enumerate() {
        let rec = rec.unwrap();
        if i == 1 {
            continue;
        }
        let fields: Vec<&str> = rec
            .iter()
            .enumerate()
            .filter(|(j, _)| *j != 29)
            .map(|(_, f)| f)
            .collect();
        assert_eq!(fields.len(), 42);
        w.write_record(&fields).unwrap();
    }
    w.flush().unwrap();
    let err = env.ok(&[
        "ingest",
        "--source",
        "ged191",
        env.path("ged191.csv").to_str().unwrap(),
    ]);
    assert_eq!(summary(&err), [601, 601, 0, 0, 0], "{err}");
}

#[test]
fn reingest_is_a_noop_and_stdin_and_mapping_by_name_work() {
    let env = Env::new();
    let f = data("ucdp/ged231_sample1000.csv");
    env.ok(&["ingest", f.to_str().unwrap()]);
    let before = env.manifest();
    let err = env.ok(&["ingest", f.to_str().unwrap()]);
    assert_eq!(summary(&err), [1000, 0, 0, 1000, 0]);
    assert!(err.contains("nothing to commit"), "{err}");
    assert_eq!(env.manifest(), before, "re-ingest must not touch the store");
    assert_eq!(env.count("SELECT count(*) FROM records"), 1000);

    // Standard input, gzip detected by magic bytes, and an explicit bundled mapping.
    let gz = std::fs::read(data("ucdp/ged211_global_subset.csv.gz")).unwrap();
    let mut child = env
        .cmd(&[
            "ingest",
            "--format",
            "mapping:ucdp-ged-subset14",
            "--source",
            "g",
            "-",
        ])
        .stdin(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    use std::io::Write;
    child.stdin.take().unwrap().write_all(&gz).unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(summary(&String::from_utf8_lossy(&out.stderr))[1], 176_579);
}
