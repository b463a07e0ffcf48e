//! Matched incidents: a record's page and JSON list every record of its incident.
//! The store holds the real GED 23.1 sample twice, as two sources, so every record
//! has an exact twin in the other source and the matcher links each pair.

use crate::common::{ingest_as, request_to, resolver};
use axum::body::Body;
use axum::http::{Method, StatusCode};
use sitrep_server::AppState;
use sitrep_store::{MatchingRun, Store};

const SAMPLE: &[u8] = include_bytes!("../../../../data/ucdp/ged231_sample1000.csv");

async fn matched() -> (tempfile::TempDir, AppState) {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("store");
    let mut store = Store::open_or_create(&root).unwrap();
    ingest_as(&mut store, "ged231_sample1000.csv", SAMPLE, Some("one")).await;
    ingest_as(&mut store, "ged231_sample1000.csv", SAMPLE, Some("two")).await;
    store.enrich(resolver().as_ref()).unwrap();
    let records = store.match_records(&[]).await.unwrap();
    let cfg = sitrep_match::Config::default();
    let out = sitrep_match::run(&records, &[], &cfg, &sitrep_match::NoProgress);
    let run = MatchingRun {
        settings: "{}".into(),
        considered: out.considered,
        pairs: out.model_pairs(&records),
        clusters: out
            .clusters
            .iter()
            .map(|c| sitrep_match::reconcile(&records, c))
            .collect(),
    };
    store.commit_matching(&run).unwrap();
    drop(store);
    let _ = std::fs::remove_file(root.join(".lock"));
    let state = AppState::new(Store::open(&root).unwrap(), resolver())
        .await
        .unwrap();
    (dir, state)
}

#[tokio::test]
async fn a_matched_record_lists_every_record_of_its_incident() {
    let (_dir, state) = matched().await;
    let get = |uri: String| {
        let state = state.clone();
        async move { request_to(state, Method::GET, &uri, Body::empty()).await }
    };
    // Any incident with two records.
    let list = get("/api/v1/incidents?page_size=5&sort=date_start".into()).await;
    assert_eq!(list.status, StatusCode::OK, "{}", list.body);
    let items = list.json()["items"].as_array().unwrap().clone();
    assert!(
        items.iter().all(|i| i["source"] == "one"),
        "each incident is listed once, under its primary record: {items:?}"
    );
    let record = items[0]["record_id"].as_str().unwrap();
    let event = items[0]["source_event_id"].as_str().unwrap();
    let j = get(format!("/api/v1/incidents/{record}")).await.json();
    let members = j["members"].as_array().unwrap();
    assert_eq!(members.len(), 2, "{j}");
    assert_eq!(j["incident"]["n_records"], 2, "{j}");
    let mut sources: Vec<&str> = members
        .iter()
        .map(|m| m["source"].as_str().unwrap())
        .collect();
    sources.sort();
    assert_eq!(sources, ["one", "two"]);
    assert!(members.iter().all(|m| m["source_event_id"] == event));
    assert_eq!(
        members.iter().filter(|m| m["is_primary"] == true).count(),
        1
    );
    // The other member's page shows the same incident and links back.
    let other = members.iter().find(|m| m["record_id"] != record).unwrap()["record_id"]
        .as_str()
        .unwrap()
        .to_string();
    let page = get(format!("/incidents/{other}")).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(
        page.body.contains("Records in this incident"),
        "{}",
        page.body
    );
    assert!(
        page.body.contains("2 records from 2 sources"),
        "{}",
        page.body
    );
    assert!(
        page.body.contains(&format!("href=\"/incidents/{record}\""))
            || page.body.contains(&format!(
                "href=\"/incidents/{}\"",
                record.replace(':', "%3A")
            ))
    );
}
