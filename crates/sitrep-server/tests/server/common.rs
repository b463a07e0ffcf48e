use axum::body::Body;
use axum::http::{HeaderMap, Method, Request, StatusCode};
use serde_json::Value;
use sitrep_ingest::Format;
use sitrep_resolve::Resolver;
use sitrep_server::AppState;
use sitrep_store::{BatchOptions, InputEntry, Store};
use std::path::PathBuf;
use std::sync::{Arc, OnceLock};
use tower::ServiceExt;

const BUNDLED: &[u8] = include_bytes!("../../../../data/ucdp/ged211_afghanistan_subset.csv");
const BUNDLED_NAME: &str = "data/ucdp/ged211_afghanistan_subset.csv";

/// SYNTHETIC rows in ACLED's export layout (not ACLED data).
pub const ACLED_HEADER: &str = "event_id_cnty,event_date,year,time_precision,disorder_type,event_type,sub_event_type,actor1,assoc_actor_1,inter1,actor2,assoc_actor_2,inter2,interaction,civilian_targeting,iso,region,country,admin1,admin2,admin3,location,latitude,longitude,geo_precision,source,source_scale,notes,fatalities,tags,timestamp";

pub fn acled_csv() -> String {
    let row = |id: &str,
               date: &str,
               etype: &str,
               a1: &str,
               a2: &str,
               admin1: &str,
               lat: f64,
               lon: f64,
               fat: u32| {
        format!("{id},{date},2022,1,Political violence,{etype},Armed clash,{a1},,2,{a2},,2,22,,4,Caucasus and Central Asia,Afghanistan,{admin1},,,Somewhere,{lat},{lon},1,Synthetic,National,\"synthetic fixture, not ACLED data\",{fat},,1651500000")
    };
    [
        ACLED_HEADER.to_string(),
        row(
            "AFG001",
            "2022-05-01",
            "Battles",
            "Taliban",
            "NRF: National Resistance Front",
            "Panjshir",
            35.31,
            69.52,
            3,
        ),
        row(
            "AFG002",
            "2022-05-02",
            "Explosions/Remote violence",
            "Islamic State (Afghanistan)",
            "Civilians (Afghanistan)",
            "Kabul",
            34.52,
            69.17,
            10,
        ),
        row(
            "AFG003",
            "2022-05-03",
            "Battles",
            "Taliban",
            "Unidentified Armed Group (Afghanistan)",
            "Baghlan",
            36.13,
            68.70,
            0,
        ),
    ]
    .join("\n")
        + "\n"
}

async fn ingest(store: &mut Store, name: &str, bytes: &[u8]) {
    ingest_as(store, name, bytes, None).await
}

/// Ingests `bytes` as source `source` (default: the adapter's).
pub async fn ingest_as(store: &mut Store, name: &str, bytes: &[u8], source: Option<&str>) {
    let prepared = sitrep_ingest::prepare(name, bytes, &Format::Auto).expect("prepare");
    let opts = BatchOptions {
        source: source.unwrap_or(prepared.default_source()).to_string(),
        adapter: prepared.adapter().to_string(),
        file: name.into(),
        quarantine: false,
        strict: false,
        coverage: None,
    };
    let mut writer = store.begin(opts).await.expect("begin");
    prepared.run(&mut writer).expect("run");
    let input = InputEntry {
        file: name.into(),
        bytes: bytes.len() as u64,
        blake3: blake3::hash(bytes).to_hex().to_string(),
    };
    writer.commit(store, input).expect("commit");
}

async fn build(dir: PathBuf) -> Store {
    let mut store = Store::open_or_create(&dir).expect("create store");
    ingest(&mut store, BUNDLED_NAME, BUNDLED).await;
    let acled = acled_csv();
    ingest(&mut store, "synthetic_acled.csv", acled.as_bytes()).await;
    store.enrich(resolver().as_ref()).expect("enrich");
    drop(store);
    let _ = std::fs::remove_file(dir.join(".lock"));
    Store::open(&dir).expect("reopen")
}

pub fn resolver() -> Arc<Resolver> {
    static R: OnceLock<Arc<Resolver>> = OnceLock::new();
    Arc::clone(R.get_or_init(|| Arc::new(Resolver::bundled().expect("bundled resolver"))))
}

/// The store, built once per test run in a temporary directory.
pub fn store() -> Store {
    static S: OnceLock<(tempfile::TempDir, Store)> = OnceLock::new();
    S.get_or_init(|| {
        // Built on its own thread and runtime: tests already run inside one.
        std::thread::spawn(|| {
            let dir = tempfile::tempdir().expect("tempdir");
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap();
            let store = rt.block_on(build(dir.path().join("store")));
            (dir, store)
        })
        .join()
        .expect("store build")
    })
    .1
    .clone()
}

pub async fn state() -> AppState {
    AppState::new(store(), resolver()).await.expect("state")
}

pub struct Answer {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: String,
}

impl Answer {
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.body))
    }
    pub fn content_type(&self) -> &str {
        self.headers
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
    }
}

pub async fn request(method: Method, uri: &str, body: Body) -> Answer {
    request_to(state().await, method, uri, body).await
}

/// A request to the server over `state`.
pub async fn request_to(state: AppState, method: Method, uri: &str, body: Body) -> Answer {
    let app = sitrep_server::app(state);
    let req = Request::builder()
        .method(method)
        .uri(uri)
        .body(body)
        .unwrap();
    let res = app.oneshot(req).await.unwrap();
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

pub async fn get(uri: &str) -> Answer {
    request(Method::GET, uri, Body::empty()).await
}

/// GET that must answer 200 with JSON.
pub async fn get_json(uri: &str) -> Value {
    let a = get(uri).await;
    assert_eq!(a.status, StatusCode::OK, "GET {uri}: {}", a.body);
    a.json()
}

/// A count straight from the store.
pub async fn sql_count(where_: &str) -> i64 {
    sql_i64(&format!("SELECT count(*) FROM incidents WHERE {where_}")).await
}

pub async fn sql_i64(sql: &str) -> i64 {
    use datafusion::arrow::array::{Array, AsArray};
    use datafusion::arrow::datatypes::Int64Type;
    let batches = store().sql(sql).await.expect(sql);
    let col = batches[0].column(0);
    let col = datafusion::arrow::compute::cast(col, &datafusion::arrow::datatypes::DataType::Int64)
        .unwrap();
    let a = col.as_primitive::<Int64Type>();
    if a.is_null(0) {
        0
    } else {
        a.value(0)
    }
}

pub async fn sql_string(sql: &str) -> String {
    use datafusion::arrow::array::AsArray;
    let batches = store().sql(sql).await.expect(sql);
    let col = datafusion::arrow::compute::cast(
        batches[0].column(0),
        &datafusion::arrow::datatypes::DataType::Utf8,
    )
    .unwrap();
    col.as_string::<i32>().value(0).to_string()
}

/// Asserts a problem+json answer with the given status and a `detail` containing `needle`.
pub fn assert_problem(a: &Answer, status: u16, needle: &str) {
    assert_eq!(a.status.as_u16(), status, "{}", a.body);
    assert_eq!(a.content_type(), "application/problem+json", "{}", a.body);
    let v = a.json();
    assert_eq!(v["status"], status);
    assert!(v["type"].is_string() && v["title"].is_string(), "{v}");
    let detail = v["detail"].as_str().unwrap_or_default();
    assert!(
        detail.contains(needle),
        "detail {detail:?} lacks {needle:?}"
    );
}
