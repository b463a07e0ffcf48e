//! The response cache (src/cache.rs): a repeated GET is a hit, ETags revalidate to
//! 304, gzip is negotiated, and every kind of write — a claim or verdict through the
//! API, a journal write and a match decision through the CLI's path, an ingest commit
//! — is seen by the very next request. The bound holds; signed-in users are never
//! served a shared answer.

use crate::claims::{fixture, login, Fixture, INC, RECORD};
use crate::common::{acled_csv, ingest_as, request_to, resolver, state, store, Answer};
use axum::body::Body;
use axum::http::{header, Method, Request, StatusCode};
use sitrep_model::Role;
use sitrep_server::AppState;
use std::io::Read;
use tower::ServiceExt;

const CACHE: &str = "x-sitrep-cache";

fn how(a: &Answer) -> &str {
    a.headers
        .get(CACHE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("none")
}

/// A GET with extra headers; the body as raw bytes.
async fn get_with(
    state: &AppState,
    uri: &str,
    headers: &[(&str, &str)],
) -> (StatusCode, axum::http::HeaderMap, Vec<u8>) {
    let mut b = Request::builder().method(Method::GET).uri(uri);
    for (k, v) in headers {
        b = b.header(*k, *v);
    }
    let res = sitrep_server::app(state.clone())
        .oneshot(b.body(Body::empty()).unwrap())
        .await
        .unwrap();
    let (status, headers) = (res.status(), res.headers().clone());
    let bytes = axum::body::to_bytes(res.into_body(), usize::MAX)
        .await
        .unwrap();
    (status, headers, bytes.to_vec())
}

async fn get(state: &AppState, uri: &str) -> Answer {
    request_to(state.clone(), Method::GET, uri, Body::empty()).await
}

#[tokio::test]
async fn a_second_identical_get_is_served_from_the_cache() {
    let st = state().await;
    let uri = "/api/v1/series?bucket=year&type=battle&province=AF-KAB&province=AF-HEL";
    let first = get(&st, uri).await;
    assert_eq!(first.status, StatusCode::OK, "{}", first.body);
    assert_eq!(how(&first), "miss");
    let second = get(&st, uri).await;
    assert_eq!(how(&second), "hit");
    assert_eq!(second.body, first.body);
    assert_eq!(second.content_type(), first.content_type());
    // The same parameters in another order are the same request…
    let reordered = get(
        &st,
        "/api/v1/series?province=AF-KAB&type=battle&province=AF-HEL&bucket=year",
    )
    .await;
    assert_eq!(how(&reordered), "hit");
    assert_eq!(reordered.body, first.body);
    // …but repeated values in another order are not.
    let swapped = get(
        &st,
        "/api/v1/series?bucket=year&type=battle&province=AF-HEL&province=AF-KAB",
    )
    .await;
    assert_eq!(how(&swapped), "miss");
    let s = st.cache_stats().unwrap();
    assert_eq!((s.hits, s.misses, s.entries), (2, 2, 2), "{s:?}");
    // Headers: a strong ETag, revalidation, and the guard's headers on hits too.
    let etag = second.headers[header::ETAG].to_str().unwrap();
    assert!(etag.starts_with('"') && etag.len() == 34, "{etag}");
    assert_eq!(etag, first.headers[header::ETAG].to_str().unwrap());
    assert_eq!(second.headers[header::CACHE_CONTROL], "no-cache");
    assert_eq!(second.headers[header::X_CONTENT_TYPE_OPTIONS], "nosniff");
    // Pages are cached too; errors are not.
    assert_eq!(how(&get(&st, "/").await), "miss");
    let page = get(&st, "/").await;
    assert_eq!((page.status, how(&page)), (StatusCode::OK, "hit"));
    assert!(page.body.contains("<html"), "{}", &page.body[..200]);
    for _ in 0..2 {
        let bad = get(&st, "/api/v1/series?bucket=fortnight").await;
        assert_eq!((bad.status, how(&bad)), (StatusCode::BAD_REQUEST, "miss"));
    }
    // Off: every request runs the handler, with no cache header.
    let off = state().await.with_cache(None);
    let a = get(&off, uri).await;
    assert_eq!(a.body, first.body);
    assert!(a.headers.get(CACHE).is_none() && a.headers.get(header::ETAG).is_none());
    assert!(off.cache_stats().is_none());
}

#[tokio::test]
async fn identical_concurrent_misses_run_the_handler_once() {
    let st = state().await;
    let uri = "/api/v1/map/provinces?type=battle";
    let (a, b, c, d) = tokio::join!(get(&st, uri), get(&st, uri), get(&st, uri), get(&st, uri));
    for x in [&b, &c, &d] {
        assert_eq!(x.body, a.body);
    }
    let s = st.cache_stats().unwrap();
    assert_eq!((s.misses, s.hits, s.coalesced), (1, 3, 3), "{s:?}");
}

#[tokio::test]
async fn if_none_match_gives_304_and_gzip_has_its_own_etag() {
    let st = state().await;
    let uri = "/api/v1/summary?province=AF-KAN";
    let (status, h, plain) = get_with(&st, uri, &[]).await;
    assert_eq!(status, StatusCode::OK);
    let etag = h[header::ETAG].to_str().unwrap().to_string();
    // Revalidation: 304, no body, the same tag; on a hit and after eviction alike.
    let (status, h304, body) = get_with(&st, uri, &[("if-none-match", &etag)]).await;
    assert_eq!(status, StatusCode::NOT_MODIFIED);
    assert!(body.is_empty());
    assert_eq!(h304[header::ETAG].to_str().unwrap(), etag);
    assert_eq!(h304[CACHE], "hit");
    let list = format!("\"0000\", W/{etag}");
    let (status, _, _) = get_with(&st, uri, &[("if-none-match", &list)]).await;
    assert_eq!(status, StatusCode::NOT_MODIFIED);
    let fresh = state().await; // empty cache: the answer is made, then compared
    let (status, _, body) = get_with(&fresh, uri, &[("if-none-match", &etag)]).await;
    assert_eq!((status, body.len()), (StatusCode::NOT_MODIFIED, 0));
    // Another tag: the full answer.
    let (status, _, body) = get_with(&st, uri, &[("if-none-match", "\"other\"")]).await;
    assert_eq!((status, body), (StatusCode::OK, plain.clone()));
    // gzip when accepted: the same JSON, another tag, Vary set on both.
    let (status, hz, zipped) = get_with(&st, uri, &[("accept-encoding", "br, gzip")]).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(hz[header::CONTENT_ENCODING], "gzip");
    assert_ne!(hz[header::ETAG].to_str().unwrap(), etag);
    let mut unzipped = Vec::new();
    flate2::read::GzDecoder::new(&zipped[..])
        .read_to_end(&mut unzipped)
        .unwrap();
    assert_eq!(unzipped, plain);
    for x in [&h, &hz] {
        assert!(
            x.get_all(header::VARY)
                .iter()
                .any(|v| v.to_str().unwrap().contains("accept-encoding")),
            "{x:?}"
        );
    }
    // The gzip tag does not validate the identity answer.
    let gz_tag = hz[header::ETAG].to_str().unwrap().to_string();
    let (status, _, _) = get_with(&st, uri, &[("if-none-match", &gz_tag)]).await;
    assert_eq!(status, StatusCode::OK);
    let (status, hz2, _) = get_with(
        &st,
        uri,
        &[("accept-encoding", "gzip"), ("if-none-match", &gz_tag)],
    )
    .await;
    assert_eq!(status, StatusCode::NOT_MODIFIED);
    assert_eq!(hz2[CACHE], "hit");
    // `gzip;q=0` refuses gzip.
    let (_, h0, body0) = get_with(&st, uri, &[("accept-encoding", "gzip;q=0")]).await;
    assert!(h0.get(header::CONTENT_ENCODING).is_none());
    assert_eq!(body0, plain);
    assert_eq!(st.cache_stats().unwrap().not_modified, 3);
}

/// Incidents with `verdict`, in the whole store, through `/api/v1/series` (each call
/// twice: the second must be a hit and agree).
async fn with_verdict(f: &Fixture, verdict: &str) -> i64 {
    let uri = format!("/api/v1/series?bucket=year&attribution={verdict}");
    let a = f.get(&uri).await;
    let b = f.get(&uri).await;
    assert_eq!(b.headers[CACHE], "hit");
    assert_eq!(a.body, b.body);
    a.json()["points"]
        .as_array()
        .unwrap_or_else(|| panic!("{}", a.body))
        .iter()
        .map(|p| p["incidents"].as_i64().unwrap())
        .sum()
}

async fn override_status(f: &Fixture) -> serde_json::Value {
    let uri = format!("/api/v1/verdicts/{INC}");
    let a = f.get(&uri).await;
    assert_eq!(f.get(&uri).await.headers[CACHE], "hit");
    a.json()["verdict"]["overridden"]["status"].clone()
}

#[tokio::test]
async fn api_and_cli_journal_writes_are_seen_by_the_next_get() {
    let f = fixture().await;
    let users = f.users();
    users.add("ana", Role::Analyst, "analyst password").unwrap();
    let analyst = format!("Bearer {}", users.new_token("ana").unwrap());
    let computed = f.get(&format!("/api/v1/verdicts/{INC}")).await.json()["verdict"]["computed"]
        ["status"]
        .as_str()
        .unwrap()
        .to_string();
    let target = if computed == "contested" {
        "attributed"
    } else {
        "contested"
    };
    let (t0, c0) = (
        with_verdict(&f, target).await,
        with_verdict(&f, &computed).await,
    );
    assert_eq!(override_status(&f).await, serde_json::Value::Null);
    let journal = f.get("/api/v1/journal").await.json()["entries"]
        .as_array()
        .unwrap()
        .len();
    // A verdict override through the API (itself never cached).
    let a = f
        .call(
            Method::POST,
            &format!("/api/v1/verdicts/{INC}/override"),
            &[
                ("content-type", "application/json"),
                ("authorization", &analyst),
            ],
            &format!(r#"{{"status":"{target}","reason":"cache test"}}"#),
        )
        .await;
    assert!(a.status.is_success(), "{} {}", a.status, a.body);
    assert_eq!(a.headers[CACHE], "bypass");
    assert_eq!(override_status(&f).await, target);
    assert_eq!(with_verdict(&f, target).await, t0 + 1);
    assert_eq!(with_verdict(&f, &computed).await, c0 - 1);
    let after = f.get("/api/v1/journal").await;
    assert_eq!(after.headers[CACHE], "miss");
    assert_eq!(
        after.json()["entries"].as_array().unwrap().len(),
        journal + 1
    );
    // The CLI's path (the ledger, outside the server): clearing the override.
    let ledger = sitrep_claims::Ledger::for_store(&f.root);
    let r = sitrep_model::IncidentRef::parse(INC).unwrap();
    ledger
        .clear_override(&r, "cli-user", "second look")
        .unwrap();
    assert_eq!(override_status(&f).await, serde_json::Value::Null);
    assert_eq!(with_verdict(&f, target).await, t0);
    assert_eq!(with_verdict(&f, &computed).await, c0);
    // A claim through the API: the incident's claims list grows by exactly one.
    let claims_uri = format!("/api/v1/claims?incident={INC}");
    let n0 = f.get(&claims_uri).await.json()["claims"]
        .as_array()
        .unwrap()
        .len();
    assert_eq!(f.get(&claims_uri).await.headers[CACHE], "hit");
    let a = f
        .call(
            Method::POST,
            "/api/v1/claims",
            &[
                ("content-type", "application/json"),
                ("authorization", &analyst),
            ],
            &format!(
                r#"{{"incident":"{INC}","claimant":"NRF","stance":"claims","grade":"E5","reason":"cache test"}}"#
            ),
        )
        .await;
    assert_eq!(a.status, StatusCode::CREATED, "{}", a.body);
    let claims = f.get(&claims_uri).await;
    assert_eq!(claims.headers[CACHE], "miss");
    let list = claims.json()["claims"].as_array().unwrap().clone();
    assert_eq!(list.len(), n0 + 1);
    assert!(list
        .iter()
        .any(|c| c["claimant"] == "NRF" && c["grade"] == "E5"));
}

async fn summary(f: &Fixture) -> crate::claims::Answer {
    let a = f.get("/api/v1/summary").await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.body);
    a
}

#[tokio::test]
async fn store_commits_are_seen_by_the_next_get() {
    let f = fixture().await;
    let before = summary(&f).await;
    assert_eq!(summary(&f).await.headers[CACHE], "hit");
    let (n0, s0) = (
        before.json()["incidents"].as_i64().unwrap(),
        before.json()["sources"].as_i64().unwrap(),
    );
    // An ingest commit (as `sitrep ingest` makes it, from outside the server): three
    // SYNTHETIC rows in ACLED's layout.
    let mut store = sitrep_store::Store::open(&f.root).unwrap();
    let acled = acled_csv();
    ingest_as(&mut store, "synthetic_acled.csv", acled.as_bytes(), None).await;
    store.enrich(resolver().as_ref()).unwrap();
    let after = summary(&f).await;
    assert_eq!(after.headers[CACHE], "miss");
    assert_eq!(after.json()["incidents"].as_i64().unwrap(), n0 + 3);
    assert_eq!(after.json()["sources"].as_i64().unwrap(), s0 + 1);
    assert_eq!(summary(&f).await.headers[CACHE], "hit");
    // The new source is ACLED's: its raw rows are withheld from the first answer on.
    let page = f
        .get("/api/v1/incidents?source=acled&page_size=5")
        .await
        .json();
    assert_eq!(page["total"], 3, "{page}");
    let id = page["items"][0]["record_id"].as_str().unwrap().to_string();
    let one = f.get(&format!("/api/v1/incidents/{id}")).await.json();
    assert!(one["licence"].as_str().unwrap().contains("ACLED"), "{one}");
    assert!(!one.to_string().contains("synthetic fixture"));
}

#[tokio::test]
async fn the_bound_holds_and_the_least_recently_used_go() {
    let uris: Vec<String> = (1..=10)
        .map(|p| format!("/api/v1/incidents?page_size=20&sort=date_start&page={p}"))
        .collect();
    // Sizes first, uncached.
    let off = AppState::new(store(), resolver())
        .await
        .unwrap()
        .with_cache(None);
    let mut largest = 0;
    for u in &uris {
        let a = get(&off, u).await;
        assert_eq!(a.status, StatusCode::OK, "{}", a.body);
        largest = largest.max(a.body.len());
    }
    // Room for four of the largest (headers and overhead counted too).
    let bound = 4 * (largest + 1024);
    let st = AppState::new(store(), resolver())
        .await
        .unwrap()
        .with_cache(Some(bound));
    for u in &uris {
        assert_eq!(how(&get(&st, u).await), "miss");
        let s = st.cache_stats().unwrap();
        assert!(s.bytes <= bound, "{s:?}");
    }
    let s = st.cache_stats().unwrap();
    assert!(s.entries >= 3 && s.entries < uris.len(), "{s:?}");
    assert_eq!(s.evictions as usize, uris.len() - s.entries, "{s:?}");
    assert_eq!(how(&get(&st, &uris[9]).await), "hit");
    assert_eq!(how(&get(&st, &uris[0]).await), "miss");
    assert!(st.cache_stats().unwrap().bytes <= bound);
}

#[tokio::test]
async fn signed_in_users_are_never_served_a_shared_answer() {
    let f = fixture().await;
    let users = f.users();
    users.add("ana", Role::Analyst, "analyst password").unwrap();
    let token = format!("Bearer {}", users.new_token("ana").unwrap());
    let ok = login(&f, "ana", "analyst password").await;
    assert_eq!(ok.status, StatusCode::OK, "{}", ok.body);
    let cookie = ok.headers[header::SET_COOKIE]
        .to_str()
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_string();
    let csrf = ok.json()["csrf"].as_str().unwrap().to_string();
    let page = format!("/incidents/{RECORD}");
    // Anonymous first: kept.
    let anon = f.get(&page).await;
    assert_eq!((anon.status, how_c(&anon)), (StatusCode::OK, "miss".into()));
    assert!(!anon.body.contains(&csrf));
    // The analyst gets their own page (with the forms and token), never the kept one.
    for _ in 0..2 {
        let mine = f.call(Method::GET, &page, &[("cookie", &cookie)], "").await;
        assert_eq!(mine.status, StatusCode::OK);
        assert_eq!(mine.headers[CACHE], "bypass");
        assert_eq!(mine.headers[header::CACHE_CONTROL], "private, no-cache");
        assert!(mine.body.contains(&format!("value=\"{csrf}\"")));
        assert!(mine.headers.get(header::ETAG).is_none());
    }
    // …and their page is not kept for anyone else.
    let anon2 = f.get(&page).await;
    assert_eq!(how_c(&anon2), "hit");
    assert_eq!(anon2.body, anon.body);
    assert!(!anon2.body.contains(&csrf));
    // Tokens bypass too.
    let a = f
        .call(
            Method::GET,
            "/api/v1/summary",
            &[("authorization", &token)],
            "",
        )
        .await;
    assert_eq!(a.status, StatusCode::OK);
    assert_eq!(a.headers[CACHE], "bypass");
    let s = f.state.cache_stats().unwrap();
    assert_eq!(s.bypassed, 3 + 1, "{s:?}"); // login POST, two pages, one token GET
}

fn how_c(a: &crate::claims::Answer) -> String {
    a.headers
        .get(CACHE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("none")
        .to_string()
}

const SAMPLE: &[u8] = include_bytes!("../../../../data/ucdp/ged231_sample1000.csv");

/// Matches the store's records as `sitrep match` does, honouring its decisions.
async fn rematch(root: &std::path::Path) {
    let mut store = sitrep_store::Store::open(root).unwrap();
    let records = store.match_records(&[]).await.unwrap();
    let decisions = store.decisions().unwrap();
    let out = sitrep_match::run(
        &records,
        &decisions,
        &sitrep_match::Config::default(),
        &sitrep_match::NoProgress,
    );
    let run = sitrep_store::MatchingRun {
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
}

/// Incidents in the store, counted by a session of its own (not the server's).
async fn incidents_in(root: &std::path::Path) -> i64 {
    let store = sitrep_store::Store::open(root).unwrap();
    let b = store
        .sql("SELECT count(*) AS n FROM incidents")
        .await
        .unwrap();
    use datafusion::arrow::array::AsArray;
    b[0].column(0)
        .as_primitive::<datafusion::arrow::datatypes::Int64Type>()
        .value(0)
}

#[tokio::test]
async fn matching_and_match_decisions_are_seen_by_the_next_get() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("store");
    let mut store = sitrep_store::Store::open_or_create(&root).unwrap();
    ingest_as(&mut store, "ged231_sample1000.csv", SAMPLE, Some("one")).await;
    ingest_as(&mut store, "ged231_sample1000.csv", SAMPLE, Some("two")).await;
    store.enrich(resolver().as_ref()).unwrap();
    drop(store);
    let st = AppState::new(sitrep_store::Store::open(&root).unwrap(), resolver())
        .await
        .unwrap();
    let total = |st: AppState| async move {
        let a = get(&st, "/api/v1/incidents?page_size=1").await;
        assert_eq!(a.status, StatusCode::OK, "{}", a.body);
        (a.json()["total"].as_i64().unwrap(), how(&a).to_string())
    };
    let unmatched = incidents_in(&root).await;
    assert_eq!(total(st.clone()).await, (unmatched, "miss".into()));
    assert_eq!(total(st.clone()).await, (unmatched, "hit".into()));
    // `sitrep match`, from outside the server: twins become one incident each.
    rematch(&root).await;
    let matched = incidents_in(&root).await;
    assert!(matched < unmatched, "{matched} < {unmatched}");
    assert_eq!(total(st.clone()).await, (matched, "miss".into()));
    assert_eq!(total(st.clone()).await, (matched, "hit".into()));
    // A decision that two linked records differ, then the re-match `sitrep match
    // decide` runs: one incident more, at once.
    let list = get(&st, "/api/v1/incidents?page_size=1&sort=date_start").await;
    let first = list.json()["items"][0]["record_id"]
        .as_str()
        .unwrap()
        .to_string();
    let one = get(&st, &format!("/api/v1/incidents/{first}")).await.json();
    let members = one["members"].as_array().unwrap();
    assert_eq!(members.len(), 2, "{one}");
    let mut store = sitrep_store::Store::open(&root).unwrap();
    store
        .append_decision(&sitrep_model::Decision {
            kind: sitrep_model::DecisionKind::Reject,
            a: sitrep_model::RecordRef::parse(members[0]["record_id"].as_str().unwrap()).unwrap(),
            b: sitrep_model::RecordRef::parse(members[1]["record_id"].as_str().unwrap()).unwrap(),
            by: "cli-user".into(),
            at: "2026-12-02T12:00:00Z".into(),
            why: "cache test".into(),
        })
        .unwrap();
    drop(store);
    rematch(&root).await;
    assert_eq!(incidents_in(&root).await, matched + 1);
    assert_eq!(total(st.clone()).await, (matched + 1, "miss".into()));
    let one = get(&st, &format!("/api/v1/incidents/{first}")).await.json();
    // On its own now: no member list.
    assert_eq!(one["members"].as_array().map(Vec::len), Some(0), "{one}");
}
