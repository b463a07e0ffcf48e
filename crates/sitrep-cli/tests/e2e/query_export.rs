//! Query, sources and export, on the bundled data and on a store.

use crate::common::{data, Env};

#[test]
fn the_ged211_file_answers_sql_as_counted_from_the_csv() {
    let env = Env::new();
    let out = env.ged211(&["query", "--sql", "SELECT count(*) AS n, min(date_start) AS first, max(date_start) AS last FROM incidents", "--format", "csv"]).output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "n,first,last\n16038,1989-01-01,2020-12-31\n"
    );
    // Incidents per year for side_b = Taleban equal an independent count over the raw CSV.
    let raw = std::fs::read_to_string(data("ucdp/ged211_afghanistan_subset.csv")).unwrap();
    let mut rdr = csv::Reader::from_reader(raw.as_bytes());
    let mut expected = std::collections::BTreeMap::new();
    for r in rdr.records() {
        let r = r.unwrap();
        if &r[8] == "Taleban" && r[1].parse::<i32>().unwrap() >= 2009 {
            *expected.entry(r[1].to_string()).or_insert(0i64) += 1;
        }
    }
    let out = env
        .ged211(&["query", "--format", "json", "--sql", "SELECT CAST(date_part('year', date_start) AS VARCHAR) AS y, count(*) AS n FROM incidents WHERE actor2 = 'Taleban' AND date_start >= DATE '2009-01-01' GROUP BY 1 ORDER BY 1"])
        .output()
        .unwrap();
    let rows: Vec<serde_json::Value> = serde_json::from_slice(&out.stdout).unwrap();
    let got: std::collections::BTreeMap<String, i64> = rows
        .iter()
        .map(|r| {
            (
                r["y"].as_str().unwrap().to_string(),
                r["n"].as_i64().unwrap(),
            )
        })
        .collect();
    assert_eq!(got, expected);
    assert_eq!(got.len(), 12);
}

#[test]
fn sql_is_read_only_and_errors_are_clear() {
    let env = Env::new();
    env.ok(&[
        "ingest",
        data("ucdp/hdx_conflict_data_bgd.csv").to_str().unwrap(),
    ]);
    for sql in [
        "DROP TABLE records",
        "INSERT INTO records SELECT * FROM records",
        "CREATE TABLE x AS SELECT 1",
    ] {
        let out = env.run(&["query", "--sql", sql]);
        assert_eq!(out.status.code(), Some(1), "{sql}");
    }
    let out = env.run(&["query", "--sql", "SELECT nope FROM incidents"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("nope"));
    assert_eq!(env.count("SELECT count(*) FROM incidents"), 601);
}

#[test]
fn export_csv_parquet_geojson_with_filters() {
    let env = Env::new();
    env.ok(&[
        "ingest",
        data("ucdp/ged241_myanmar.csv.gz").to_str().unwrap(),
    ]);
    let expected = env.count("SELECT count(*) FROM incidents WHERE date_start >= DATE '2021-02-01' AND event_type = 'violence_against_civilians'");
    assert!(expected > 100, "{expected}");
    let filters = [
        "--from",
        "2021-02-01",
        "--type",
        "violence_against_civilians",
    ];
    let csv_out = env.path("o.csv");
    let mut args = vec!["export", "--format", "csv", "-o", csv_out.to_str().unwrap()];
    args.extend_from_slice(&filters);
    env.ok(&args);
    let n = csv::Reader::from_path(&csv_out).unwrap().records().count() as i64;
    assert_eq!(n, expected);
    // Oldest first by default; `--unordered` writes the same rows without the sort.
    let lines = |p: &std::path::Path| -> (Vec<String>, Vec<String>) {
        let mut r = csv::Reader::from_path(p).unwrap();
        let day = r
            .headers()
            .unwrap()
            .iter()
            .position(|h| h == "date_start")
            .unwrap();
        let rows: Vec<csv::StringRecord> = r.records().map(|x| x.unwrap()).collect();
        let days = rows.iter().map(|x| x[day].to_string()).collect();
        let all = rows
            .iter()
            .map(|x| x.iter().collect::<Vec<_>>().join("\u{1f}"))
            .collect();
        (days, all)
    };
    let (days, mut ordered) = lines(&csv_out);
    assert!(days.windows(2).all(|w| w[0] <= w[1]), "oldest first");
    let unordered_out = env.path("u.csv");
    let mut args = vec!["export", "--format", "csv", "--unordered", "-o"];
    args.push(unordered_out.to_str().unwrap());
    args.extend_from_slice(&filters);
    env.ok(&args);
    let (_, mut unordered) = lines(&unordered_out);
    assert_eq!(unordered.len() as i64, expected);
    ordered.sort();
    unordered.sort();
    assert_eq!(ordered, unordered, "the same rows");

    let gj = env.path("o.geojson");
    let mut args = vec!["export", "--format", "geojson", "-o", gj.to_str().unwrap()];
    args.extend_from_slice(&filters);
    env.ok(&args);
    let v: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&gj).unwrap()).unwrap();
    let feats = v["features"].as_array().unwrap();
    assert_eq!(feats.len() as i64, expected);
    let c = feats[0]["geometry"]["coordinates"].as_array().unwrap();
    assert!(
        (92.0..102.0).contains(&c[0].as_f64().unwrap()),
        "lon first, in Myanmar: {c:?}"
    );

    let pq = env.path("o.parquet");
    let mut args = vec![
        "export",
        "--format",
        "parquet",
        "--raw",
        "-o",
        pq.to_str().unwrap(),
    ];
    args.extend_from_slice(&filters);
    env.ok(&args);
    assert!(std::fs::metadata(&pq).unwrap().len() > 1000);
    let out = env.run(&["export", "--format", "xlsx", "-o", "x"]);
    assert_eq!(out.status.code(), Some(1));
    let out = env.run(&["export", "--format", "csv", "--type", "bombing", "-o", "x"]);
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("--type bombing: not a common event type")
    );
}

/// Every filter flag reaches an export (provinces, actors, regions, not only dates and
/// types), lists may be comma-separated, and an unknown province is an error rather
/// than an empty result.
#[test]
fn export_and_series_honour_every_filter() {
    let env = Env::new();
    let q = |sql: &str| -> i64 {
        let out = env
            .ged211(&["query", "--format", "json", "--sql", sql])
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        v[0]["n"].as_i64().unwrap()
    };
    let expected = q("SELECT count(*) AS n FROM incidents WHERE province_code IN ('AF-KAN', 'AF-HEL') \
         AND (actor1_root = 'taliban' OR actor2_root = 'taliban') AND date_start BETWEEN DATE '2015-01-01' AND DATE '2016-12-31'");
    assert!(expected > 100, "{expected}");
    let out_csv = env.path("kh.csv");
    let filters = [
        "--province",
        "AF-KAN,Helmand",
        "--actor",
        "taliban",
        "--from",
        "2015-01-01",
        "--to",
        "2016-12-31",
    ];
    let mut args = vec!["export", "--format", "csv", "-o", out_csv.to_str().unwrap()];
    args.extend_from_slice(&filters);
    let out = env.ged211(&args).output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let mut rdr = csv::Reader::from_path(&out_csv).unwrap();
    let col = rdr
        .headers()
        .unwrap()
        .iter()
        .position(|h| h == "province_code")
        .unwrap();
    let rows: Vec<csv::StringRecord> = rdr.records().map(Result::unwrap).collect();
    assert_eq!(rows.len() as i64, expected);
    assert!(rows.iter().all(|r| ["AF-KAN", "AF-HEL"].contains(&&r[col])));

    // The same filters in a series count the same records.
    let mut args = vec!["series", "--bucket", "year", "--format", "json"];
    args.extend_from_slice(&filters);
    let out = env.ged211(&args).output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let total: f64 = v
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["raw_value"].as_f64().unwrap())
        .sum();
    assert_eq!(total as i64, expected);

    // An unknown province is refused with a pointer to the list.
    let out = env
        .ged211(&["series", "--province", "AF-KAN,Atlantis"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("unknown province `Atlantis`") && err.contains("sitrep places list"),
        "{err}"
    );
}

/// `--columns` exports only the named columns, in that order, with the same rows;
/// an unknown column is refused with the list of columns and writes nothing.
#[test]
fn export_only_the_columns_asked_for() {
    let env = Env::new();
    env.ok(&[
        "ingest",
        data("ucdp/ged241_myanmar.csv.gz").to_str().unwrap(),
    ]);
    let expected = env.count(
        "SELECT count(*) FROM incidents WHERE date_start >= DATE '2021-02-01' AND event_type = 'battle'",
    );
    assert!(expected > 100, "{expected}");
    let out = env.path("cols.csv");
    env.ok(&[
        "export",
        "--format",
        "csv",
        "--from",
        "2021-02-01",
        "--type",
        "battle",
        "--columns",
        "date_start,record_id",
        "--columns",
        "fatalities_best",
        "-o",
        out.to_str().unwrap(),
    ]);
    let mut rdr = csv::Reader::from_path(&out).unwrap();
    let headers: Vec<String> = rdr.headers().unwrap().iter().map(String::from).collect();
    assert_eq!(headers, ["date_start", "record_id", "fatalities_best"]);
    assert_eq!(rdr.records().count() as i64, expected);

    let gj = env.path("cols.geojson");
    env.ok(&[
        "export",
        "--format",
        "geojson",
        "--columns",
        "record_id",
        "-o",
        gj.to_str().unwrap(),
    ]);
    let v: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&gj).unwrap()).unwrap();
    let f = &v["features"][0];
    assert!(f["geometry"]["coordinates"].is_array(), "{f}");
    assert!(f["properties"]["record_id"].is_string(), "{f}");
    assert!(f["properties"].get("event_type").is_none(), "{f}");

    let bad = env.path("bad.csv");
    let o = env.run(&[
        "export",
        "--format",
        "csv",
        "--columns",
        "record_id,provnce_code",
        "-o",
        bad.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(1));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("--columns provnce_code") && err.contains("province_code"),
        "{err}"
    );
    assert!(!bad.exists());
}
