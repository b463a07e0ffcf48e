//! Places and actors through the CLI, and the enrichment columns of `incidents`.

use crate::common::{data, Env};

fn json(out: std::process::Output) -> serde_json::Value {
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stdout)))
}

#[test]
fn locate_and_resolve_from_the_command_line() {
    let env = Env::new();
    let v = json(
        env.bundled(&["places", "locate", "34.528", "69.172"])
            .output()
            .unwrap(),
    );
    assert_eq!(v["province"]["code"], "AF-KAB");
    assert_eq!(v["region"], "Capital");
    let v = json(
        env.bundled(&["places", "locate", "34.01", "71.58"])
            .output()
            .unwrap(),
    );
    assert_eq!(v["flag"], "outside", "Peshawar is in Pakistan: {v}");
    let v = json(
        env.bundled(&["places", "show", "Panjsher"])
            .output()
            .unwrap(),
    );
    assert_eq!(v["code"], "AF-PAN");
    let out = env
        .bundled(&["places", "show", "Atlantis"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));

    let v = json(
        env.bundled(&[
            "actors",
            "resolve",
            "Government of Afghanistan",
            "--country",
            "Afghanistan",
            "--date",
            "2022-05-01",
        ])
        .output()
        .unwrap(),
    );
    assert_eq!(v["actor_id"], "taliban");
    let v = json(
        env.bundled(&[
            "actors",
            "resolve",
            "Government of Afghanistan",
            "--country",
            "Afghanistan",
            "--date",
            "2020-05-01",
        ])
        .output()
        .unwrap(),
    );
    assert_ne!(v["actor_id"], "taliban");
    let v = json(
        env.bundled(&["actors", "resolve", "Taleban"])
            .output()
            .unwrap(),
    );
    assert_eq!(v["actor_id"], "taliban");
    let rows = json(
        env.bundled(&["actors", "list", "--format", "json"])
            .output()
            .unwrap(),
    );
    assert!(rows.as_array().unwrap().iter().any(|a| a["id"] == "nrf"));
}

#[test]
fn incidents_carry_province_region_distance_and_actor_ids() {
    let env = Env::new();
    // Bundled data: every event gets a province; the share is reported by `places check`.
    let out = env
        .bundled(&["places", "check", "--format", "json"])
        .output()
        .unwrap();
    let v = json(out);
    // One row, each figure equal to an independent count over the same store, and
    // every incident inside an outline, snapped to one, outside, or without a point.
    let n = |k: &str| v[0][k].as_i64().unwrap_or_else(|| panic!("{k}: {v}"));
    let count = |sql: &str| -> i64 {
        let out = env
            .bundled(&["query", "--format", "json", "--sql", sql])
            .output()
            .unwrap();
        json(out)[0]["n"].as_i64().unwrap()
    };
    assert_eq!(
        n("incidents"),
        count("SELECT count(*) AS n FROM incidents"),
        "{v}"
    );
    assert_eq!(
        n("with_province"),
        count("SELECT count(*) AS n FROM incidents WHERE province_code IS NOT NULL"),
        "{v}"
    );
    assert_eq!(
        n("snapped"),
        count("SELECT count(*) AS n FROM incidents WHERE place_flag = 'snapped'"),
        "{v}"
    );
    assert_eq!(
        n("admin1_disagrees"),
        count("SELECT count(*) AS n FROM incidents WHERE admin1_agrees = false"),
        "{v}"
    );
    assert_eq!(
        n("inside") + n("snapped") + n("outside") + n("no_point"),
        n("incidents"),
        "{v}"
    );
    let pct = (10_000 * n("with_province") / n("incidents")) as f64 / 100.0;
    assert!(
        (v[0]["pct_with_province"].as_f64().unwrap() - pct).abs() < 0.011,
        "{v}"
    );
    assert!(pct > 99.0, "{v}");
    let out = env.ged211(&["query", "--format", "json", "--sql", "SELECT province_code, region, actor1_id, actor2_id, capital_name, capital_distance_km FROM incidents WHERE source_event_id = '244657'"]).output().unwrap();
    let v = json(out);
    assert_eq!(v[0]["province_code"], "AF-KAB");
    assert_eq!(
        v[0]["actor2_id"], "is-kp",
        "UCDP's \"IS\" in Afghanistan is IS-KP"
    );
    assert!(v[0]["capital_distance_km"].as_f64().unwrap() < 10.0);

    // A store with the 59-country GED 23.1 sample: Afghan rows are compared with their admin1.
    env.ok(&[
        "ingest",
        data("ucdp/ged231_sample1000.csv").to_str().unwrap(),
    ]);
    let afg = env.count("SELECT count(*) FROM incidents WHERE country = 'Afghanistan'");
    let placed =
        env.count("SELECT count(province_code) FROM incidents WHERE country = 'Afghanistan'");
    assert_eq!((afg, placed), (135, 135));
    let compared =
        env.count("SELECT count(admin1_agrees) FROM incidents WHERE country = 'Afghanistan'");
    let disagree = env.count("SELECT count(*) FROM incidents WHERE admin1_agrees = false");
    assert!(
        compared >= 130 && disagree <= 6,
        "compared {compared}, disagree {disagree}"
    );
    // Province-level records keep their province but get no capital distance.
    assert_eq!(env.count("SELECT count(capital_distance_km) FROM incidents WHERE country = 'Afghanistan' AND geo_precision >= 4"), 0);
    // Names from other countries that the registry does not know are reported with suggestions.
    let v = json(env.run(&["actors", "unresolved"]));
    assert!(v["records_unresolved"].as_u64().unwrap() > 0);
}

#[test]
fn an_alias_added_to_the_journal_resolves_records_and_can_be_undone() {
    let env = Env::new();
    env.ok(&[
        "ingest",
        data("ucdp/ged231_sample1000.csv").to_str().unwrap(),
    ]);
    let unresolved = |env: &Env| -> Vec<(String, u64)> {
        json(env.run(&["actors", "unresolved", "--format", "json"]))["unresolved"]
            .as_array()
            .unwrap()
            .iter()
            .map(|u| {
                (
                    u["name"].as_str().unwrap().to_string(),
                    u["count"].as_u64().unwrap(),
                )
            })
            .collect()
    };
    let before = unresolved(&env);
    let name = before
        .first()
        .map(|(x, _)| x.clone())
        .expect("the global sample has names the Afghan registry lacks");
    // The same name may be listed once per country.
    let n: u64 = before
        .iter()
        .filter(|(x, _)| *x == name)
        .map(|(_, k)| k)
        .sum();
    let with_id = |env: &Env| {
        env.count(&format!(
            "SELECT count(*) FROM incidents WHERE (actor1 = '{0}' AND actor1_id = 'is') OR (actor2 = '{0}' AND actor2_id = 'is')",
            name.replace('\'', "''")
        ))
    };
    assert_eq!(with_id(&env), 0);
    // Teach the store the name (for the test's sake, as the Islamic State).
    env.ok(&[
        "actors",
        "alias",
        "add",
        &name,
        "--actor",
        "is",
        "--reason",
        "analyst review",
        "--as",
        "ana",
    ]);
    assert_eq!(with_id(&env) as u64, n, "{name}: every record re-resolved");
    assert!(!unresolved(&env).iter().any(|(x, _)| *x == name));
    let list = json(env.run(&["actors", "alias", "list", "--format", "json"]));
    assert_eq!(list[0]["name"], name.as_str(), "{list}");
    assert_eq!(list[0]["actor"], "is");
    assert_eq!(list[0]["by"], "ana");
    let entry = list[0]["entry"].as_u64().unwrap().to_string();
    // An alias that clashes with the registry is refused and nothing is written.
    let out = env.run(&[
        "actors", "alias", "add", "Taliban", "--actor", "is-kp", "--reason", "wrong",
    ]);
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("same scope"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = env.run(&[
        "actors",
        "alias",
        "add",
        "X",
        "--actor",
        "nobody-at-all",
        "--reason",
        "r",
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        json(env.run(&["actors", "alias", "list", "--format", "json"]))
            .as_array()
            .unwrap()
            .len(),
        1
    );
    // Undo: the name is unresolved again.
    env.ok(&["journal", "undo", &entry, "--reason", "wrong actor"]);
    assert_eq!(with_id(&env), 0);
    assert!(unresolved(&env).iter().any(|(x, _)| *x == name));
}

#[test]
fn enrichment_written_while_ingesting_equals_the_rebuilt_one() {
    // `ingest` enriches rows on its parsing thread and commits the enrichment with the
    // batch; a new registry version (here an alias no record uses) makes the store
    // rebuild it from the stored records. Both must give every record the same places
    // and actors.
    let env = Env::new();
    for f in [
        "ucdp/ged211_afghanistan_subset.csv",
        "ucdp/ged231_sample1000.csv",
    ] {
        let out = env.run(&["ingest", data(f).to_str().unwrap()]);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let derived = |env: &Env| -> Vec<String> {
        let m: serde_json::Value = serde_json::from_str(&env.manifest()).unwrap();
        m["derived"]
            .as_array()
            .unwrap()
            .iter()
            .map(|d| d["file"]["path"].as_str().unwrap().to_string())
            .collect()
    };
    let inline = derived(&env);
    assert_eq!(inline.len(), 2, "one enrichment file per batch: {inline:?}");
    let sql = "SELECT record_id, province_code, province_name, district, region, capital_name, \
               capital_distance_km, place_flag, admin1_agrees, actor1_id, actor2_id, actor1_root, \
               actor2_root FROM incidents ORDER BY record_id";
    let before = env.query(sql);
    assert_eq!(before.len(), 16_038 + 1_000);
    assert!(
        before
            .iter()
            .filter(|r| r["province_code"].is_string())
            .count()
            > 16_000
    );
    env.ok(&[
        "actors",
        "alias",
        "add",
        "A name no record uses",
        "--actor",
        "is",
        "--reason",
        "test",
    ]);
    let after = env.query(sql);
    let rebuilt = derived(&env);
    assert_eq!(rebuilt.len(), 2);
    assert!(
        rebuilt.iter().all(|p| !inline.contains(p)),
        "the rebuild replaced every file: {inline:?} → {rebuilt:?}"
    );
    assert_eq!(before.len(), after.len());
    for (a, b) in before.iter().zip(&after) {
        assert_eq!(a, b);
    }
}
