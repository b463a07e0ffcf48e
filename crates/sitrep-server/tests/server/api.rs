use crate::common::{get, get_json, sql_count, sql_i64, sql_string};
use serde_json::Value;

const ACTOR_OR: &str = "(actor1_id = 'taliban' OR actor2_id = 'taliban' OR actor1_root = 'taliban' OR actor2_root = 'taliban')";

#[tokio::test]
async fn incident_filters_give_the_same_counts_as_sql() {
    let cases: Vec<(&str, String)> = vec![
        ("", "TRUE".into()),
        ("province=AF-KAB", "province_code = 'AF-KAB'".into()),
        ("province=Kandahar", "province_code = 'AF-KAN'".into()),
        (
            "province=AF-KAB,AF-NAN",
            "province_code IN ('AF-KAB', 'AF-NAN')".into(),
        ),
        (
            "from=2015-01-01&to=2016-12-31",
            "date_start BETWEEN DATE '2015-01-01' AND DATE '2016-12-31'".into(),
        ),
        ("type=battle", "event_type = 'battle'".into()),
        ("actor=taliban", ACTOR_OR.into()),
        (
            "actor=taliban&province=AF-HEL&from=2010-01-01",
            format!("{ACTOR_OR} AND province_code = 'AF-HEL' AND date_start >= DATE '2010-01-01'"),
        ),
        ("min_geo_precision=2", "geo_precision <= 2".into()),
        ("region=Western", "region = 'Western'".into()),
        ("source=acled", "source = 'acled'".into()),
        (
            "country=Afghanistan&min_date_precision=1",
            "country = 'Afghanistan' AND date_precision <= 1".into(),
        ),
    ];
    for (q, w) in cases {
        let expected = sql_count(&w).await;
        let v = get_json(&format!("/api/v1/incidents?{q}&page_size=1")).await;
        assert_eq!(
            v["total"].as_i64(),
            Some(expected),
            "incidents?{q} vs WHERE {w}"
        );
        let sm = get_json(&format!("/api/v1/summary?{q}")).await;
        assert_eq!(sm["incidents"].as_i64(), Some(expected), "summary?{q}");
        assert!(
            expected > 0 || q.contains("nothing"),
            "case {q} matches nothing; pick another"
        );
    }
}

#[tokio::test]
async fn incidents_page_and_sort() {
    let total = sql_count("TRUE").await;
    let v = get_json("/api/v1/incidents?page_size=7&sort=-fatalities_best").await;
    assert_eq!(v["items"].as_array().unwrap().len(), 7);
    assert_eq!(v["pages"].as_i64(), Some((total + 6) / 7));
    let max = sql_i64("SELECT max(fatalities_best) FROM incidents").await;
    assert_eq!(v["items"][0]["fatalities_best"].as_i64(), Some(max));
    assert!(
        v["items"][0].get("raw").is_none(),
        "lists never carry raw rows"
    );
    let next = v["links"]["next"].as_str().unwrap().to_string();
    assert!(v["links"]["prev"].is_null());
    let p2 = get_json(&next).await;
    assert_eq!(p2["page"], 2);
    assert_ne!(p2["items"][0]["record_id"], v["items"][0]["record_id"]);

    let asc = get_json("/api/v1/incidents?page_size=3&sort=date_start").await;
    let first = sql_string("SELECT min(date_start) FROM incidents").await;
    assert_eq!(asc["items"][0]["date_start"].as_str(), Some(first.as_str()));
    let by_prov = get_json("/api/v1/incidents?page_size=3&sort=province_name").await;
    let first_prov = sql_string("SELECT min(province_name) FROM incidents").await;
    assert_eq!(
        by_prov["items"][0]["province_name"].as_str(),
        Some(first_prov.as_str())
    );

    // Past the end: an empty page, not an error.
    let far = get_json("/api/v1/incidents?page=100000&page_size=500").await;
    assert_eq!(far["items"].as_array().unwrap().len(), 0);
}

#[tokio::test]
async fn incidents_as_csv_and_geojson() {
    let a = get("/api/v1/incidents?province=AF-KAB&page_size=25&format=csv").await;
    assert_eq!(a.status, 200);
    assert!(a.content_type().starts_with("text/csv"));
    let mut lines = a.body.lines();
    assert!(lines
        .next()
        .unwrap()
        .starts_with("record_id,source,source_event_id"));
    assert_eq!(lines.count(), 25);

    let g = get("/api/v1/incidents?province=AF-KAB&page_size=25&format=geojson").await;
    assert_eq!(g.content_type(), "application/geo+json");
    let v = g.json();
    assert_eq!(v["type"], "FeatureCollection");
    let n = v["features"].as_array().unwrap().len() as u64
        + v["sitrep:skipped_without_coordinates"].as_u64().unwrap();
    assert_eq!(n, 25);
    assert_eq!(v["features"][0]["geometry"]["type"], "Point");
}

#[tokio::test]
async fn one_incident_with_its_records_and_provenance() {
    let id = sql_string("SELECT min(record_id) FROM incidents WHERE source <> 'acled'").await;
    let v = get_json(&format!("/api/v1/incidents/{id}")).await;
    assert_eq!(v["incident"]["record_id"].as_str(), Some(id.as_str()));
    assert_eq!(v["current"], true);
    assert!(v["licence"].is_null());
    let versions = v["versions"].as_array().unwrap();
    assert!(!versions.is_empty());
    let raw = versions[0]["raw"].as_str().expect("raw served verbatim");
    let stored = sql_string(&format!("SELECT raw FROM records WHERE record_id = '{id}'")).await;
    assert_eq!(raw, stored);
    assert_eq!(
        versions[0]["file"],
        "data/ucdp/ged211_afghanistan_subset.csv"
    );
    assert!(versions[0]["line"].as_i64().unwrap() >= 2);
    assert!(versions[0]["adapter"].is_string() && versions[0]["committed_at"].is_string());
}

#[tokio::test]
async fn acled_records_are_served_without_raw_rows() {
    let id = sql_string("SELECT min(record_id) FROM incidents WHERE source = 'acled'").await;
    let v = get_json(&format!("/api/v1/incidents/{id}")).await;
    assert!(v["licence"].as_str().unwrap().contains("ACLED"));
    assert!(v["incident"].get("raw").is_none() && v["incident"].get("notes").is_none());
    for ver in v["versions"].as_array().unwrap() {
        assert!(ver.get("raw").is_none(), "{ver}");
    }
    assert!(
        !v.to_string().contains("synthetic fixture"),
        "ACLED notes leaked"
    );
    // Aggregates are fine.
    let s = get_json("/api/v1/summary?source=acled").await;
    assert_eq!(s["incidents"], 3);
    let src = get_json("/api/v1/sources").await;
    let acled = src["sources"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["source"] == "acled")
        .unwrap();
    assert_eq!(acled["raw_rows_served"], false);
}

#[tokio::test]
async fn series_is_zero_filled_and_adds_up() {
    let v = get_json("/api/v1/series?bucket=year&province=AF-KAB").await;
    let points = v["points"].as_array().unwrap();
    // Years no source covers (2021: UCDP ends in 2020, the ACLED rows cover three
    // days of May 2022) have null counts, never zeros; the rest add up.
    let mut sum = 0;
    for p in points {
        let year = &p["start"].as_str().unwrap()[..4];
        let covered = p["coverage"]["status"] != "none";
        assert_eq!(p["incidents"].is_null(), !covered, "{p}");
        if covered {
            sum += p["incidents"].as_i64().unwrap();
        }
        assert_eq!(covered, year != "2021", "{p}");
    }
    assert_eq!(sum, sql_count("province_code = 'AF-KAB'").await);
    for w in points.windows(2) {
        let a: i32 = w[0]["start"].as_str().unwrap()[..4].parse().unwrap();
        let b: i32 = w[1]["start"].as_str().unwrap()[..4].parse().unwrap();
        assert_eq!(b, a + 1, "years are contiguous");
    }
    let y2015 = points.iter().find(|p| p["start"] == "2015-01-01").unwrap();
    let expected = sql_count(
        "province_code = 'AF-KAB' AND date_start BETWEEN DATE '2015-01-01' AND DATE '2015-12-31'",
    )
    .await;
    assert_eq!(y2015["incidents"].as_i64(), Some(expected));
    let best = sql_i64("SELECT sum(fatalities_best) FROM incidents WHERE province_code = 'AF-KAB' AND date_start BETWEEN DATE '2015-01-01' AND DATE '2015-12-31'").await;
    assert_eq!(y2015["fatalities_best"].as_i64(), Some(best));

    // Weeks start on Monday and a requested range is filled even where nothing happened.
    let w = get_json("/api/v1/series?bucket=week&from=2021-01-01&to=2021-03-31&source=ucdp").await;
    let pts = w["points"].as_array().unwrap();
    assert_eq!(pts[0]["start"], "2020-12-28");
    assert_eq!(pts.len(), 14);
    let m = get_json("/api/v1/series?bucket=month&from=2019-01-01&to=2019-12-31").await;
    assert_eq!(m["points"].as_array().unwrap().len(), 12);
    let sum: i64 = m["points"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["incidents"].as_i64().unwrap())
        .sum();
    assert_eq!(
        sum,
        sql_count("date_start BETWEEN DATE '2019-01-01' AND DATE '2019-12-31'").await
    );

    let csv = get("/api/v1/series?bucket=year&format=csv").await;
    assert!(csv.body.starts_with("start,end,incidents,"));
}

#[tokio::test]
async fn province_map_matches_sql() {
    let v = get_json("/api/v1/map/provinces?type=battle").await;
    let rows = v["provinces"].as_array().unwrap();
    assert_eq!(rows.len(), 34);
    let sum: i64 = rows
        .iter()
        .map(|r| r["incidents"].as_i64().unwrap())
        .sum::<i64>()
        + v["unlocated"]["incidents"].as_i64().unwrap();
    assert_eq!(sum, sql_count("event_type = 'battle'").await);
    let hel = rows.iter().find(|r| r["code"] == "AF-HEL").unwrap();
    assert_eq!(
        hel["incidents"].as_i64(),
        Some(sql_count("event_type = 'battle' AND province_code = 'AF-HEL'").await)
    );
    let csv = get("/api/v1/map/provinces?format=csv").await;
    assert_eq!(csv.body.lines().count(), 35);
}

#[tokio::test]
async fn actors_and_places() {
    let v = get_json("/api/v1/actors").await;
    let actors = v["actors"].as_array().unwrap();
    let tal = actors.iter().find(|a| a["id"] == "taliban").unwrap();
    assert_eq!(tal["incidents"].as_i64(), Some(sql_count(ACTOR_OR).await));
    let one = get_json("/api/v1/actors/taliban").await;
    assert_eq!(
        one["name"].as_str().map(|s| s.contains("Taliban")),
        Some(true)
    );
    assert!(!one["aliases"].as_array().unwrap().is_empty());
    assert_eq!(
        one["activity"]["summary"]["incidents"].as_i64(),
        Some(sql_count(ACTOR_OR).await)
    );

    let places = get_json("/api/v1/places").await;
    assert_eq!(places["places"].as_array().unwrap().len(), 34);
    let kab = get_json("/api/v1/places/AF-KAB").await;
    assert_eq!(kab["code"], "AF-KAB");
    assert_eq!(
        kab["activity"]["summary"]["incidents"].as_i64(),
        Some(sql_count("province_code = 'AF-KAB'").await)
    );
    let district_sum: i64 = kab["activity"]["districts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["incidents"].as_i64().unwrap())
        .sum();
    assert_eq!(district_sum, sql_count("province_code = 'AF-KAB'").await);
    // Any spelling of a province finds it.
    let by_name = get_json("/api/v1/places/Kabul").await;
    assert_eq!(by_name["code"], "AF-KAB");
}

#[tokio::test]
async fn sources_list_batches() {
    let v = get_json("/api/v1/sources").await;
    let batches = v["batches"].as_array().unwrap();
    assert_eq!(batches.len(), 2);
    let ucdp = v["sources"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["source"] != "acled")
        .unwrap();
    let name = ucdp["source"].as_str().unwrap();
    assert_eq!(
        ucdp["incidents"].as_i64(),
        Some(sql_count(&format!("source = '{name}'")).await)
    );
    assert_eq!(ucdp["raw_rows_served"], Value::Bool(true));
}

/// The API's series and the analysis engine behind `sitrep series` give the same
/// numbers for the same filters.
#[tokio::test]
async fn series_agrees_with_the_cli_engine() {
    use sitrep_model::figure::{Bucket, Filters, Measure};
    use sitrep_model::EventType;
    let cases: [(&str, Filters); 3] = [
        (
            "province=AF-KAB&type=battle",
            Filters {
                from: Some("2010-01-01".parse().unwrap()),
                to: Some("2014-12-31".parse().unwrap()),
                provinces: vec!["AF-KAB".into()],
                event_types: vec![EventType::parse("battle").unwrap()],
                ..Filters::default()
            },
        ),
        (
            "actor=taliban",
            Filters {
                from: Some("2010-01-01".parse().unwrap()),
                to: Some("2014-12-31".parse().unwrap()),
                actors: vec!["taliban".into()],
                ..Filters::default()
            },
        ),
        (
            "region=Capital&min_geo_precision=2",
            Filters {
                from: Some("2010-01-01".parse().unwrap()),
                to: Some("2014-12-31".parse().unwrap()),
                regions: vec!["Capital".into()],
                coarsest_geo: sitrep_model::GeoPrecision::from_code(2),
                ..Filters::default()
            },
        ),
    ];
    let store = crate::common::store();
    for (q, filters) in cases {
        let api = get_json(&format!(
            "/api/v1/series?bucket=month&from=2010-01-01&to=2014-12-31&{q}"
        ))
        .await;
        let points = api["points"].as_array().unwrap();
        for measure in [Measure::Incidents, Measure::FatalitiesBest] {
            let frame = sitrep_analysis::series(
                &store,
                &sitrep_analysis::SeriesQuery {
                    filters: filters.clone(),
                    bucket: Bucket::Month,
                    measure,
                    ..Default::default()
                },
            )
            .await
            .unwrap();
            assert_eq!(frame.starts.len(), points.len(), "{q}: months");
            let key = match measure {
                Measure::Incidents => "incidents",
                _ => "fatalities_best",
            };
            for (i, p) in points.iter().enumerate() {
                assert_eq!(p["start"], frame.starts[i].to_string(), "{q}");
                assert_eq!(
                    p[key].as_f64(),
                    frame.lines[0].values[i],
                    "{q} {key} in {}",
                    frame.starts[i]
                );
            }
            assert!(frame.total() > 0.0, "{q}: the case counts something");
        }
    }
}

/// Issue 6: a record matched into another record's cluster is served as that cluster's
/// incident (with its members), not as a superseded record. The matching run here is a
/// hand-made cluster of one UCDP record and one synthetic ACLED record, committed to a
/// copy of the test store.
#[tokio::test]
async fn a_matched_record_is_served_as_its_cluster() {
    use sitrep_model::{Cluster, Fatalities};
    let from = crate::common::store().root().to_path_buf();
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("store");
    std::fs::create_dir_all(root.join("batches")).unwrap();
    std::fs::copy(from.join("manifest.json"), root.join("manifest.json")).unwrap();
    for e in std::fs::read_dir(from.join("batches")).unwrap() {
        let e = e.unwrap();
        std::fs::copy(e.path(), root.join("batches").join(e.file_name())).unwrap();
    }
    let mut store = sitrep_store::Store::open(&root).unwrap();
    let ucdp = sql_string("SELECT min(record_id) FROM incidents WHERE source <> 'acled'").await;
    let acled = sql_string("SELECT min(record_id) FROM incidents WHERE source = 'acled'").await;
    let day = chrono::NaiveDate::from_ymd_opt(2022, 5, 1).unwrap();
    let cluster = Cluster {
        id: "test-cluster".into(),
        primary: ucdp.clone(),
        members: vec![ucdp.clone(), acled.clone()],
        corroboration: 2,
        date_start: day,
        date_end: day,
        fatalities: Fatalities::range(1, 2, 3).unwrap(),
        best_range: Some((2, 3)),
        disagreements: vec!["actor1: a=x | b=y".into()],
    };
    store
        .commit_matching(&sitrep_store::MatchingRun {
            clusters: vec![cluster],
            ..Default::default()
        })
        .unwrap();
    let state = sitrep_server::AppState::new(store, crate::common::resolver())
        .await
        .unwrap();
    let res = tower::ServiceExt::oneshot(
        sitrep_server::app(state),
        axum::http::Request::builder()
            .uri(format!("/api/v1/incidents/{acled}"))
            .body(axum::body::Body::empty())
            .unwrap(),
    )
    .await
    .unwrap();
    assert_eq!(res.status(), axum::http::StatusCode::OK);
    let bytes = axum::body::to_bytes(res.into_body(), usize::MAX)
        .await
        .unwrap();
    let v: serde_json::Value = serde_json::from_slice(&bytes).unwrap();
    assert_eq!(v["current"], true);
    assert_eq!(v["incident"]["record_id"].as_str(), Some(ucdp.as_str()));
    assert_eq!(v["incident"]["corroboration"], 2);
    assert_eq!(v["incident"]["incident_id"], "test-cluster");
    let members = v["incident"]["members"].as_str().unwrap();
    assert!(
        members.contains(&acled) && members.contains(&ucdp),
        "{members}"
    );
    // The versions listed are the requested record's own.
    assert_eq!(v["versions"][0]["record_id"].as_str(), Some(acled.as_str()));
}

/// Copies a store directory (a store is files only).
fn copy_dir(from: &std::path::Path, to: &std::path::Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let dest = to.join(e.file_name());
        if e.file_type().unwrap().is_dir() {
            copy_dir(&e.path(), &dest);
        } else {
            std::fs::copy(e.path(), dest).unwrap();
        }
    }
}

#[tokio::test]
async fn counts_from_the_rollup_equal_counts_from_incidents() {
    use axum::body::Body;
    use axum::http::Method;
    // The shared store has no rollup; a copy gets one.
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("store");
    copy_dir(crate::common::store().root(), &root);
    let _ = std::fs::remove_file(root.join(".lock"));
    let mut store = sitrep_store::Store::open(&root).unwrap();
    let built = store.build_rollup().await.unwrap();
    assert!(built.rows > 0 && store.rollup_current());
    let on = sitrep_server::AppState::new(store, crate::common::resolver())
        .await
        .unwrap();
    let off = on.clone().with_rollup(false);
    let get = |state: &sitrep_server::AppState, uri: String| {
        let state = state.clone();
        async move {
            let a = crate::common::request_to(state, Method::GET, &uri, Body::empty()).await;
            assert_eq!(a.status, 200, "GET {uri}: {}", a.body);
            a.json()
        }
    };
    let filters = [
        "",
        "province=AF-KAN",
        "actor=taliban",
        "actor=hizb-i-islami",
        "type=battle&from=2010-01-01&to=2012-12-31",
        "region=Eastern&min_geo_precision=2",
        "source=acled&country=Afghanistan",
        "min_date_precision=1&province=AF-HEL,AF-KAN",
    ];
    for f in filters {
        for (path, bucket) in [
            ("series", "&bucket=week"),
            ("series", "&bucket=month"),
            ("series", "&bucket=year"),
            ("map/provinces", ""),
            ("summary", ""),
        ] {
            let uri = format!("/api/v1/{path}?{f}{bucket}");
            let (mut a, mut b) = (get(&on, uri.clone()).await, get(&off, uri.clone()).await);
            if path != "summary" {
                // The map and series say where their counts came from.
                assert_eq!(a["counted_from"], "rollup", "{uri}");
                assert_eq!(b["counted_from"], "incidents", "{uri}");
                a.as_object_mut().unwrap().remove("counted_from");
                b.as_object_mut().unwrap().remove("counted_from");
            }
            assert_eq!(a, b, "{uri}");
        }
    }
    // A district is not a rollup dimension: such filters count from `incidents`.
    let a = get(&on, "/api/v1/series?district=Kandahar".into()).await;
    assert_eq!(a["counted_from"], "incidents");
}

/// The SYNTHETIC ACLED-layout fixture (`common::acled_csv`, not ACLED data) states one
/// conservative figure per event and no high: 3 + 10 + 0 deaths in May 2022. The high
/// total is unknown (null, empty CSV cell), never the 0 that summing NULLs gives, and
/// the best total is the one the analysis layer computes on the same filters.
#[tokio::test]
async fn acled_fatalities_have_an_unknown_high_and_the_analysis_best() {
    let fixture_best = 3 + 10;
    let q = "source=acled&from=2022-05-01&to=2022-05-31";
    let s = get_json(&format!("/api/v1/summary?{q}")).await;
    assert_eq!(s["incidents"], 3, "{s}");
    assert_eq!(s["fatalities_low"], fixture_best, "{s}");
    assert_eq!(s["fatalities_best"], fixture_best, "{s}");
    assert!(s["fatalities_high"].is_null(), "unknown high: {s}");

    let v = get_json(&format!("/api/v1/series?{q}&bucket=month")).await;
    let points = v["points"].as_array().unwrap();
    assert_eq!(points.len(), 1, "{v}");
    assert_eq!(points[0]["fatalities_best"], fixture_best, "{v}");
    assert!(points[0]["fatalities_high"].is_null(), "unknown high: {v}");
    let csv = get(&format!("/api/v1/series?{q}&bucket=month&format=csv"))
        .await
        .body;
    assert_eq!(
        csv.lines().nth(1),
        // The ACLED rows' default coverage is 1–3 May: 3 of May's 31 days.
        Some("2022-05-01,2022-05-31,3,13,13,,0,partial 0.10"),
        "empty high cell: {csv}"
    );

    // The same filters through the analysis layer: the same best, no high.
    let query = sitrep_analysis::SeriesQuery {
        filters: sitrep_model::Filters {
            sources: vec!["acled".into()],
            from: Some("2022-05-01".parse().unwrap()),
            to: Some("2022-05-31".parse().unwrap()),
            ..Default::default()
        },
        bucket: sitrep_model::figure::Bucket::Month,
        measure: sitrep_model::figure::Measure::FatalitiesBest,
        ..Default::default()
    };
    let frame = sitrep_analysis::series(&crate::common::store(), &query)
        .await
        .unwrap();
    assert_eq!(frame.total(), fixture_best as f64);
    assert_eq!(s["fatalities_best"].as_f64(), Some(frame.total()));
    let high = frame.lines[0].high.as_ref().expect("fatality band");
    assert_eq!(high, &vec![None], "analysis: unknown high too");
}
