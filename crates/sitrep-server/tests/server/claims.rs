//! Claims through the server, on the real curated Afghanistan log: read endpoints,
//! pages, and who may write (tokens, roles, sessions, CSRF, sign-in limit).

use crate::common::resolver;
use axum::body::Body;
use axum::http::{header, HeaderMap, Method, Request, StatusCode};
use serde_json::Value;
use sitrep_ingest::Format;
use sitrep_model::Role;
use sitrep_server::AppState;
use sitrep_store::{BatchOptions, InputEntry, Store};
use tower::ServiceExt;

const CURATED: &[u8] = include_bytes!("../../../../data/curated/afg_incidents_2021_2023.csv");

/// A fresh store with the curated log and its claims, and its state.
pub(crate) struct Fixture {
    _dir: tempfile::TempDir,
    pub(crate) root: std::path::PathBuf,
    pub(crate) state: AppState,
}

pub(crate) async fn fixture() -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("store");
    let mut store = Store::open_or_create(&root).unwrap();
    let name = "data/curated/afg_incidents_2021_2023.csv";
    let prepared = sitrep_ingest::prepare(name, CURATED, &Format::Auto).unwrap();
    assert_eq!(prepared.adapter(), "mapping:curated-afg");
    let opts = BatchOptions {
        source: prepared.default_source().to_string(),
        adapter: prepared.adapter().to_string(),
        file: name.into(),
        quarantine: false,
        strict: false,
        coverage: None,
    };
    let mut w = store.begin(opts).await.unwrap();
    prepared.run(&mut w).unwrap();
    let input = InputEntry {
        file: name.into(),
        bytes: CURATED.len() as u64,
        blake3: blake3::hash(CURATED).to_hex().to_string(),
    };
    w.commit(&mut store, input).unwrap();
    store.enrich(resolver().as_ref()).unwrap();
    let mapping = sitrep_ingest::bundled_mappings()
        .into_iter()
        .find(|m| m.name == "curated-afg")
        .unwrap();
    let rules = sitrep_claims::ClaimRules::from_tables(&mapping.claims, "curated-afg").unwrap();
    let claims =
        sitrep_claims::claims_from_records(&store, "curated-afg", &rules, resolver().registry())
            .await
            .unwrap();
    let ledger = sitrep_claims::Ledger::for_store(&root);
    ledger.import(claims, "ingest", "test fixture").unwrap();
    drop(store);
    let _ = std::fs::remove_file(root.join(".lock"));
    let store = Store::open(&root).unwrap();
    let state = AppState::new(store, resolver()).await.unwrap();
    Fixture {
        _dir: dir,
        root,
        state,
    }
}

pub(crate) struct Answer {
    pub(crate) status: StatusCode,
    pub(crate) headers: HeaderMap,
    pub(crate) body: String,
}

impl Answer {
    pub(crate) fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("{e}: {}", self.body))
    }
}

impl Fixture {
    pub(crate) fn users(&self) -> sitrep_claims::Users {
        sitrep_claims::Ledger::for_store(&self.root).users().clone()
    }

    pub(crate) async fn call(
        &self,
        method: Method,
        uri: &str,
        headers: &[(&str, &str)],
        body: &str,
    ) -> Answer {
        let mut b = Request::builder().method(method).uri(uri);
        for (k, v) in headers {
            b = b.header(*k, *v);
        }
        let res = sitrep_server::app(self.state.clone())
            .oneshot(b.body(Body::from(body.to_string())).unwrap())
            .await
            .unwrap();
        let status = res.status();
        let headers = res.headers().clone();
        let bytes = axum::body::to_bytes(res.into_body(), usize::MAX)
            .await
            .unwrap();
        Answer {
            status,
            headers,
            body: String::from_utf8_lossy(&bytes).into_owned(),
        }
    }

    pub(crate) async fn get(&self, uri: &str) -> Answer {
        self.call(Method::GET, uri, &[], "").await
    }

    pub(crate) async fn last_entry(&self) -> Value {
        let j = self.get("/api/v1/journal").await.json();
        j["entries"].as_array().unwrap().last().unwrap().clone()
    }
}

const JSON: (&str, &str) = ("content-type", "application/json");
pub(crate) const INC: &str = "curated-afg:AFG-CUR-0006";
pub(crate) const RECORD: &str = "curated-afg:AFG-CUR-0006:1";

/// Every write endpoint with a valid body for the analyst case.
pub(crate) fn writes(
    claim_id: &str,
    other_id: &str,
) -> Vec<(Method, String, String, &'static str)> {
    let form = "application/x-www-form-urlencoded";
    vec![
        (
            Method::POST,
            "/api/v1/claims".into(),
            format!(
                r#"{{"incident":"{INC}","claimant":"NRF","stance":"claims","grade":"E5","reason":"api test"}}"#
            ),
            "application/json",
        ),
        (
            Method::PATCH,
            format!("/api/v1/claims/{claim_id}"),
            r#"{"grade":"C3","reason":"regrade"}"#.into(),
            "application/json",
        ),
        (
            Method::POST,
            format!("/api/v1/verdicts/{INC}/override"),
            r#"{"status":"contested","reason":"api test"}"#.into(),
            "application/json",
        ),
        (
            Method::DELETE,
            format!("/api/v1/verdicts/{INC}/override"),
            r#"{"reason":"api test"}"#.into(),
            "application/json",
        ),
        (
            Method::POST,
            "/api/v1/journal/2/undo".into(),
            r#"{"reason":"api test"}"#.into(),
            "application/json",
        ),
        (
            Method::DELETE,
            format!("/api/v1/claims/{claim_id}"),
            r#"{"reason":"api test"}"#.into(),
            "application/json",
        ),
        (
            Method::POST,
            format!("/incidents/{RECORD}/claims"),
            "claimant=Taliban&stance=denies&reason=form+test".into(),
            form,
        ),
        (
            Method::POST,
            format!("/incidents/{RECORD}/claims/{other_id}"),
            "grade=D4&reason=form+test".into(),
            form,
        ),
        (
            Method::POST,
            format!("/incidents/{RECORD}/claims/{other_id}/retract"),
            "reason=form+test".into(),
            form,
        ),
        (
            Method::POST,
            format!("/incidents/{RECORD}/override"),
            "status=claimed&reason=form+test".into(),
            form,
        ),
    ]
}

pub(crate) async fn claim_id(f: &Fixture, stance: &str) -> String {
    let j = f
        .get(&format!("/api/v1/claims?incident={INC}"))
        .await
        .json();
    j["claims"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["stance"] == stance)
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string()
}

#[tokio::test]
async fn write_endpoints_check_users_tokens_and_roles() {
    let f = fixture().await;
    let id = claim_id(&f, "claims").await;
    let framing = claim_id(&f, "frames").await;
    // No users: the server is read-only.
    for (m, uri, body, ct) in writes(&id, &framing) {
        let a = f
            .call(m.clone(), &uri, &[("content-type", ct)], &body)
            .await;
        assert_eq!(a.status, StatusCode::FORBIDDEN, "{m} {uri}: {}", a.body);
        assert!(a.body.contains("read-only"), "{}", a.body);
    }
    let users = f.users();
    users.add("vera", Role::Viewer, "viewer password").unwrap();
    users.add("ana", Role::Analyst, "analyst password").unwrap();
    let viewer = format!("Bearer {}", users.new_token("vera").unwrap());
    let analyst = format!("Bearer {}", users.new_token("ana").unwrap());
    for (m, uri, body, ct) in writes(&id, &framing) {
        let a = f
            .call(m.clone(), &uri, &[("content-type", ct)], &body)
            .await;
        assert_eq!(a.status, StatusCode::UNAUTHORIZED, "{m} {uri}: {}", a.body);
        assert!(a.headers.contains_key(header::WWW_AUTHENTICATE));
        let a = f
            .call(
                m.clone(),
                &uri,
                &[
                    ("content-type", ct),
                    ("authorization", "Bearer srt_0_forged"),
                ],
                &body,
            )
            .await;
        assert_eq!(a.status, StatusCode::UNAUTHORIZED, "{m} {uri}: {}", a.body);
        let a = f
            .call(
                m.clone(),
                &uri,
                &[("content-type", ct), ("authorization", &viewer)],
                &body,
            )
            .await;
        assert_eq!(a.status, StatusCode::FORBIDDEN, "{m} {uri}: {}", a.body);
    }
    // The analyst succeeds on each, and the journal names them.
    for (m, uri, body, ct) in writes(&id, &framing) {
        let before = f.last_entry().await["seq"].as_u64().unwrap();
        let a = f
            .call(
                m.clone(),
                &uri,
                &[("content-type", ct), ("authorization", &analyst)],
                &body,
            )
            .await;
        assert!(
            a.status.is_success() || a.status == StatusCode::SEE_OTHER,
            "{m} {uri}: {} {}",
            a.status,
            a.body
        );
        let e = f.last_entry().await;
        assert_eq!(e["seq"].as_u64().unwrap(), before + 1, "{m} {uri}");
        assert_eq!(e["user"], "ana", "{m} {uri}");
    }
    let v = f.get(&format!("/api/v1/verdicts/{INC}")).await.json();
    assert_eq!(v["verdict"]["overridden"]["status"], "claimed", "{v}");
    assert_eq!(v["verdict"]["overridden"]["user"], "ana");
    // Bad input from an analyst: 400 with our problem format, nothing appended.
    let before = f.last_entry().await["seq"].clone();
    let a = f
        .call(
            Method::POST,
            "/api/v1/claims",
            &[JSON, ("authorization", &analyst)],
            r#"{"incident":"nocolon","stance":"claims","claimant":"x"}"#,
        )
        .await;
    assert_eq!(a.status, StatusCode::BAD_REQUEST, "{}", a.body);
    assert_eq!(f.last_entry().await["seq"], before);
}

pub(crate) async fn login(f: &Fixture, name: &str, password: &str) -> Answer {
    f.call(
        Method::POST,
        "/login",
        &[
            ("content-type", "application/x-www-form-urlencoded"),
            ("accept", "application/json"),
        ],
        &format!("name={name}&password={}", password.replace(' ', "+")),
    )
    .await
}

#[tokio::test]
async fn sessions_need_the_csrf_token_and_sign_ins_are_limited() {
    let f = fixture().await;
    f.users()
        .add("ana", Role::Analyst, "analyst password")
        .unwrap();
    assert_eq!(
        login(&f, "ana", "wrong password").await.status,
        StatusCode::UNAUTHORIZED
    );
    let ok = login(&f, "ana", "analyst password").await;
    assert_eq!(ok.status, StatusCode::OK, "{}", ok.body);
    let set = ok.headers[header::SET_COOKIE].to_str().unwrap().to_string();
    assert!(
        set.contains("HttpOnly") && set.contains("SameSite=Strict"),
        "{set}"
    );
    let cookie = set.split(';').next().unwrap().to_string();
    let csrf = ok.json()["csrf"].as_str().unwrap().to_string();
    let body =
        format!(r#"{{"incident":"{INC}","claimant":"NRF","stance":"claims","reason":"session"}}"#);
    // Cookie without, or with a forged, CSRF token: refused.
    let a = f
        .call(
            Method::POST,
            "/api/v1/claims",
            &[JSON, ("cookie", &cookie)],
            &body,
        )
        .await;
    assert_eq!(a.status, StatusCode::FORBIDDEN, "{}", a.body);
    let a = f
        .call(
            Method::POST,
            "/api/v1/claims",
            &[JSON, ("cookie", &cookie), ("x-csrf-token", "0000forged")],
            &body,
        )
        .await;
    assert_eq!(a.status, StatusCode::FORBIDDEN, "{}", a.body);
    assert!(a.body.contains("CSRF"));
    let form = "csrf=forged&status=contested&reason=x".to_string();
    let a = f
        .call(
            Method::POST,
            &format!("/incidents/{RECORD}/override"),
            &[
                ("content-type", "application/x-www-form-urlencoded"),
                ("cookie", &cookie),
            ],
            &form,
        )
        .await;
    assert_eq!(a.status, StatusCode::FORBIDDEN, "{}", a.body);
    // With the right token: accepted, and journaled under the user.
    let a = f
        .call(
            Method::POST,
            "/api/v1/claims",
            &[JSON, ("cookie", &cookie), ("x-csrf-token", &csrf)],
            &body,
        )
        .await;
    assert_eq!(a.status, StatusCode::CREATED, "{}", a.body);
    assert_eq!(f.last_entry().await["user"], "ana");
    let form = format!("csrf={csrf}&status=contested&reason=form");
    let a = f
        .call(
            Method::POST,
            &format!("/incidents/{RECORD}/override"),
            &[
                ("content-type", "application/x-www-form-urlencoded"),
                ("cookie", &cookie),
            ],
            &form,
        )
        .await;
    assert_eq!(a.status, StatusCode::SEE_OTHER, "{}", a.body);
    // The page shows the forms, with the token, to the signed-in analyst.
    let page = f
        .call(
            Method::GET,
            &format!("/incidents/{RECORD}"),
            &[("cookie", &cookie)],
            "",
        )
        .await;
    assert!(
        page.body.contains(&format!("value=\"{csrf}\"")),
        "no csrf field in the form"
    );
    // Sign-in limit: after five failures even the right password is refused.
    for _ in 0..4 {
        assert_eq!(
            login(&f, "ana", "guess").await.status,
            StatusCode::UNAUTHORIZED
        );
    }
    let blocked = login(&f, "ana", "analyst password").await;
    assert_eq!(
        blocked.status,
        StatusCode::TOO_MANY_REQUESTS,
        "{}",
        blocked.body
    );
    assert!(blocked.headers.contains_key(header::RETRY_AFTER));
    // Another name is not blocked.
    f.users()
        .add("ben", Role::Analyst, "another password")
        .unwrap();
    assert_eq!(
        login(&f, "ben", "another password").await.status,
        StatusCode::OK
    );
}

#[tokio::test]
async fn incident_and_actor_pages_show_claims_verdicts_and_history() {
    let f = fixture().await;
    let page = f.get(&format!("/incidents/{RECORD}")).await;
    assert_eq!(page.status, StatusCode::OK);
    for want in [
        "Attribution",
        "claimed",
        "Basis: claimed by is-kp",
        "Amaq",
        "claims_imported",
        "Sign in",
    ] {
        assert!(page.body.contains(want), "incident page lacks {want:?}");
    }
    // A denied incident reads as contested, with the denial.
    let v = f
        .get("/api/v1/verdicts/curated-afg:AFG-CUR-0009")
        .await
        .json();
    assert_eq!(v["status"], "contested");
    assert!(v["claims"]
        .as_array()
        .unwrap()
        .iter()
        .any(|c| c["stance"] == "denies"));
    let all = f
        .get("/api/v1/verdicts?source=curated-afg&status=unattributed")
        .await
        .json();
    assert_eq!(all["verdicts"].as_array().unwrap().len(), 20);
    let actor = f.get("/actors/is-kp").await;
    assert_eq!(actor.status, StatusCode::OK);
    assert!(
        actor.body.contains("Claimed (38)"),
        "actor page: claimed count"
    );
    let taliban = f.get("/actors/taliban").await;
    assert!(
        taliban.body.contains("Denied (2)"),
        "taliban page: denied count"
    );
    assert!(taliban.body.contains("Blamed for"), "taliban page");
    assert_eq!(
        f.get("/api/v1/verdicts/curated-afg:NOPE").await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        f.get("/api/v1/verdicts/nocolon").await.status,
        StatusCode::BAD_REQUEST
    );
}

/// Incidents of `verdict` in the whole store, through `/api/v1/series`.
async fn with_verdict(f: &Fixture, verdict: &str) -> i64 {
    let j = f
        .get(&format!("/api/v1/series?bucket=year&attribution={verdict}"))
        .await
        .json();
    j["points"]
        .as_array()
        .unwrap_or_else(|| panic!("{j}"))
        .iter()
        .map(|p| p["incidents"].as_i64().unwrap())
        .sum()
}

#[tokio::test]
async fn the_attribution_filter_follows_writes_made_while_serving() {
    let f = fixture().await;
    let users = f.users();
    users.add("ana", Role::Analyst, "analyst password").unwrap();
    let analyst = format!("Bearer {}", users.new_token("ana").unwrap());
    let v = f.get(&format!("/api/v1/verdicts/{INC}")).await.json();
    let computed = v["verdict"]["computed"]["status"]
        .as_str()
        .unwrap()
        .to_string();
    // Move the incident to a verdict it does not have.
    let target = if computed == "contested" {
        "attributed"
    } else {
        "contested"
    };
    let (t0, c0) = (
        with_verdict(&f, target).await,
        with_verdict(&f, &computed).await,
    );
    assert!(c0 >= 1, "{INC} is {computed}, so at least one incident is");
    // Every incident has exactly one verdict: the four filters partition the store.
    let mut all = 0;
    for a in ["attributed", "claimed", "contested", "unattributed"] {
        all += with_verdict(&f, a).await;
    }
    let total: i64 = f.get("/api/v1/series?bucket=year").await.json()["points"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["incidents"].as_i64().unwrap())
        .sum();
    assert_eq!(all, total);
    // Through the server's API: the next request sees the override.
    let a = f
        .call(
            Method::POST,
            &format!("/api/v1/verdicts/{INC}/override"),
            &[JSON, ("authorization", &analyst)],
            &format!(r#"{{"status":"{target}","reason":"reviewed the statements"}}"#),
        )
        .await;
    assert!(a.status.is_success(), "{} {}", a.status, a.body);
    assert_eq!(with_verdict(&f, target).await, t0 + 1);
    assert_eq!(with_verdict(&f, &computed).await, c0 - 1);
    // Through the CLI's path (the ledger, outside the server): clearing it is seen too.
    let ledger = sitrep_claims::Ledger::for_store(&f.root);
    let r = sitrep_model::IncidentRef::parse(INC).unwrap();
    ledger
        .clear_override(&r, "cli-user", "second look")
        .unwrap();
    assert_eq!(with_verdict(&f, target).await, t0);
    assert_eq!(with_verdict(&f, &computed).await, c0);
    // The explore page offers the filter and keeps the choice.
    let page = f.get("/explore?attribution=contested").await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(
        page.body.contains(r#"<option value="contested" selected>"#),
        "{}",
        page.body
    );
    // A verdict that does not exist is refused with the accepted ones named.
    let a = f.get("/api/v1/series?attribution=maybe").await;
    assert_eq!(a.status, StatusCode::BAD_REQUEST);
    assert!(a.body.contains("unattributed"), "{}", a.body);
}
