//! Hostile requests: the OWASP ASVS level-1 checks of SECURITY.md, one test per row
//! (the rows already proved elsewhere name their tests there). Security headers on
//! every kind of answer, body size and time limits (over a real socket too), path
//! traversal on every id route, hostile values in every documented parameter, CSRF on
//! every form, session fixation, error bodies without internals.

use crate::claims::{claim_id, fixture, login, writes, RECORD};
use crate::common::{get, request, request_to, state, Answer};
use axum::body::Body;
use axum::http::{header, Method, StatusCode};
use sitrep_model::Role;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

fn assert_security_headers(what: &str, h: &axum::http::HeaderMap) {
    let get = |k: header::HeaderName| {
        h.get(&k)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_else(|| panic!("{what}: no {k}"))
            .to_string()
    };
    assert_eq!(get(header::X_CONTENT_TYPE_OPTIONS), "nosniff", "{what}");
    let csp = get(header::CONTENT_SECURITY_POLICY);
    for d in [
        "default-src 'none'",
        "frame-ancestors 'none'",
        "base-uri 'none'",
        "form-action 'self'",
    ] {
        assert!(csp.contains(d), "{what}: CSP {csp:?} lacks {d}");
    }
    // Scripts only from sitrep itself (the map and graph assets): no inline script.
    let script_src = csp
        .split(';')
        .map(str::trim)
        .find(|d| d.starts_with("script-src"));
    assert_eq!(script_src, Some("script-src 'self'"), "{what}: {csp}");
    assert_eq!(get(header::X_FRAME_OPTIONS), "DENY", "{what}");
    assert_eq!(get(header::REFERRER_POLICY), "no-referrer", "{what}");
}

/// Text that must never reach a client: SQL, engine messages, paths, panics.
fn assert_no_internals(what: &str, body: &str) {
    for needle in ["SELECT ", " FROM ", "WHERE "] {
        assert!(
            !body.contains(needle),
            "{what}: body leaks {needle:?}: {body}"
        );
    }
    let lower = body.to_ascii_lowercase();
    for needle in [
        "from incidents",
        "datafusion",
        "arrow error",
        "sqlparser",
        "error during planning",
        "schema error",
        "/tmp/",
        "/work/",
        "/root/",
        "/home/",
        ".parquet",
        "panicked",
        "stack backtrace",
        "internal error:",
    ] {
        assert!(
            !lower.contains(needle),
            "{what}: body leaks {needle:?}: {body}"
        );
    }
}

#[tokio::test]
async fn security_headers_on_every_kind_of_answer() {
    let long = format!("/api/v1/incidents?country={}", "a".repeat(3000));
    let mut answers: Vec<(String, Answer)> = Vec::new();
    for uri in [
        "/",
        "/explore",
        "/login",
        "/figures",
        "/api/v1/summary",
        "/api/v1/incidents?format=csv",
        "/api/v1/incidents?format=geojson",
        "/api/v1/figures/fig1?format=svg",
        "/api/v1/openapi.json",
        "/api/v1/incidents?from=nope",
        "/api/v1/nothing",
        "/no/such/page",
        long.as_str(),
    ] {
        answers.push((format!("GET {uri}"), get(uri).await));
    }
    answers.push(("POST 100 KB".into(), post_sized("/login", 100 * 1024).await));
    answers.push((
        "DELETE".into(),
        request(Method::DELETE, "/api/v1/sources", Body::empty()).await,
    ));
    answers.push((
        "POST without users".into(),
        request(Method::POST, "/api/v1/claims", Body::from("{}")).await,
    ));
    for (what, a) in &answers {
        assert_security_headers(what, &a.headers);
        if !a.body.is_empty() {
            assert!(
                a.headers.contains_key(header::CONTENT_TYPE),
                "{what}: no type"
            );
        }
    }
    // The refusals are our problem+json, not a framework's plain text.
    for (what, a) in &answers[9..] {
        if a.status != StatusCode::METHOD_NOT_ALLOWED && a.status.as_u16() != 404 {
            assert_eq!(
                a.content_type(),
                "application/problem+json",
                "{what}: {} {}",
                a.status,
                a.body
            );
        }
    }
}

#[tokio::test]
async fn oversized_bodies_are_413_problems_on_every_post_route() {
    for uri in [
        "/login",
        "/logout",
        "/api/v1/claims",
        &format!("/incidents/{RECORD}/claims"),
        &format!("/incidents/{RECORD}/override"),
    ] {
        let a = post_sized(uri, 65 * 1024).await;
        assert_eq!(a.status, StatusCode::PAYLOAD_TOO_LARGE, "{uri}: {}", a.body);
        assert_eq!(a.content_type(), "application/problem+json", "{uri}");
        assert!(a.body.contains("larger than 65536 bytes"), "{}", a.body);
    }
}

/// A POST with a body of `n` bytes and its Content-Length, as clients send it.
async fn post_sized(uri: &str, n: usize) -> Answer {
    use tower::ServiceExt;
    let req = axum::http::Request::builder()
        .method(Method::POST)
        .uri(uri)
        .header(header::CONTENT_LENGTH, n)
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Body::from(vec![b'a'; n]))
        .unwrap();
    let res = sitrep_server::app(state().await)
        .oneshot(req)
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

/// A server on a real socket, with a short request time limit.
async fn serve(timeout: Duration) -> std::net::SocketAddr {
    let app = sitrep_server::app(state().await.with_request_timeout(timeout));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await });
    addr
}

async fn read_answer(s: &mut tokio::net::TcpStream) -> String {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 4096];
    while let Ok(Ok(n)) = tokio::time::timeout(Duration::from_secs(10), s.read(&mut chunk)).await {
        if n == 0 {
            break;
        }
        buf.extend_from_slice(&chunk[..n]);
        if String::from_utf8_lossy(&buf).contains("\r\n\r\n{") && buf.ends_with(b"}") {
            break;
        }
    }
    String::from_utf8_lossy(&buf).into_owned()
}

#[tokio::test]
async fn slow_bodies_time_out_and_chunked_bodies_are_bounded() {
    let addr = serve(Duration::from_secs(1)).await;
    // A client that announces a body and then sends it too slowly: 503 after the
    // limit, not a connection held open for ever.
    let mut s = tokio::net::TcpStream::connect(addr).await.unwrap();
    s.write_all(b"POST /login HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 1000\r\n\r\nname=a")
        .await
        .unwrap();
    let t0 = std::time::Instant::now();
    let answer = read_answer(&mut s).await;
    assert!(answer.starts_with("HTTP/1.1 503"), "{answer}");
    assert!(answer.contains("longer than 1 s"), "{answer}");
    assert!(t0.elapsed() < Duration::from_secs(5), "{:?}", t0.elapsed());

    // A chunked body (no Content-Length) past the limit: 413.
    let mut s = tokio::net::TcpStream::connect(addr).await.unwrap();
    s.write_all(b"POST /login HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nTransfer-Encoding: chunked\r\n\r\n")
        .await
        .unwrap();
    let chunk = vec![b'a'; 8192];
    for _ in 0..10 {
        let _ = s
            .write_all(format!("{:x}\r\n", chunk.len()).as_bytes())
            .await;
        let _ = s.write_all(&chunk).await;
        let _ = s.write_all(b"\r\n").await;
    }
    let _ = s.write_all(b"0\r\n\r\n").await;
    let answer = read_answer(&mut s).await;
    assert!(answer.starts_with("HTTP/1.1 413"), "{answer}");
    assert!(answer.contains("application/problem+json"), "{answer}");
}

/// Reads until the server closes the connection (EOF or reset), or `limit` passes;
/// what was read and how long it took.
async fn until_closed(s: &mut tokio::net::TcpStream, limit: Duration) -> (String, Duration, bool) {
    let t0 = std::time::Instant::now();
    let mut buf = Vec::new();
    let mut chunk = [0u8; 4096];
    loop {
        let left = limit.saturating_sub(t0.elapsed());
        match tokio::time::timeout(left, s.read(&mut chunk)).await {
            Ok(Ok(0)) | Ok(Err(_)) => {
                return (
                    String::from_utf8_lossy(&buf).into_owned(),
                    t0.elapsed(),
                    true,
                )
            }
            Ok(Ok(n)) => buf.extend_from_slice(&chunk[..n]),
            Err(_) => {
                return (
                    String::from_utf8_lossy(&buf).into_owned(),
                    t0.elapsed(),
                    false,
                )
            }
        }
    }
}

#[tokio::test]
async fn slow_headers_and_idle_connections_are_closed() {
    let app = sitrep_server::app(state().await);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(sitrep_server::serve_listener(
        listener,
        app,
        Duration::from_secs(1),
    ));
    // Slowloris: headers one byte at a time, never finished.
    let mut s = tokio::net::TcpStream::connect(addr).await.unwrap();
    let writer = {
        let (mut r, mut w) = s.into_split();
        let h = tokio::spawn(async move {
            for b in b"GET /api/v1/summary HTTP/1.1\r\nHost: x\r\nX-Slow: "
                .iter()
                .chain(b"a".repeat(200).iter())
            {
                if w.write_all(&[*b]).await.is_err() {
                    return true; // the server closed its side
                }
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
            false
        });
        let mut buf = [0u8; 1024];
        let t0 = std::time::Instant::now();
        let closed = loop {
            match tokio::time::timeout(Duration::from_secs(8), r.read(&mut buf)).await {
                Ok(Ok(0)) | Ok(Err(_)) => break true,
                Ok(Ok(_)) => continue, // a 408 answer, then EOF
                Err(_) => break false,
            }
        };
        assert!(
            closed,
            "a client sending headers byte by byte must be cut off"
        );
        assert!(t0.elapsed() < Duration::from_secs(5), "{:?}", t0.elapsed());
        h
    };
    writer.abort();
    // Idle keep-alive: one answered request, then silence; the server hangs up.
    s = tokio::net::TcpStream::connect(addr).await.unwrap();
    s.write_all(b"GET /api/v1/openapi.json HTTP/1.1\r\nHost: x\r\n\r\n")
        .await
        .unwrap();
    let (answer, spent, closed) = until_closed(&mut s, Duration::from_secs(8)).await;
    assert!(
        answer.starts_with("HTTP/1.1 200"),
        "{}",
        &answer[..answer.len().min(200)]
    );
    assert!(closed, "an idle kept-alive connection must be closed");
    assert!(spent < Duration::from_secs(5), "{spent:?}");
    // A well-behaved client is served as before.
    let mut s = tokio::net::TcpStream::connect(addr).await.unwrap();
    s.write_all(b"GET /api/v1/openapi.json HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        .await
        .unwrap();
    let (answer, _, closed) = until_closed(&mut s, Duration::from_secs(8)).await;
    assert!(
        answer.starts_with("HTTP/1.1 200") && closed,
        "{}",
        &answer[..answer.len().min(200)]
    );
}

#[tokio::test]
async fn path_traversal_on_every_id_route_finds_nothing() {
    let ids = [
        "..%2F..%2F..%2FCargo.toml",
        "..%2f..%2f..%2f..%2fetc%2fpasswd",
        "%2e%2e%2f%2e%2e%2fCargo.toml",
        "....%2F%2F....%2F%2Fetc%2Fpasswd",
        "fig1%00.toml",
        "%5C..%5C..%5CCargo.toml",
        "specs%2Ffig1.toml",
    ];
    let routes = [
        "/figures/{}",
        "/api/v1/figures/{}",
        "/api/v1/figures/{}?format=svg",
        "/incidents/{}",
        "/api/v1/incidents/{}",
        "/actors/{}",
        "/api/v1/actors/{}",
        "/places/{}",
        "/api/v1/places/{}",
    ];
    for r in routes {
        for id in ids {
            let uri = r.replace("{}", id);
            let a = get(&uri).await;
            assert!(
                a.status == StatusCode::NOT_FOUND || a.status == StatusCode::BAD_REQUEST,
                "{uri}: {} {}",
                a.status,
                a.body
            );
            for leak in ["[package]", "[workspace]", "root:x:", "kind = "] {
                assert!(!a.body.contains(leak), "{uri} served a file: {}", a.body);
            }
            assert_no_internals(&uri, &a.body);
        }
    }
    // Plain `..` segments are normalised away by no one: the router matches them
    // literally, so they name no route.
    let a = get("/figures/../../Cargo.toml").await;
    assert_eq!(a.status, StatusCode::NOT_FOUND);
}

const HOSTILE: [&str; 6] = [
    "x'%20OR%20'1'='1",
    "')%3B%20DROP%20TABLE%20records%3B--",
    "%5C'%22",
    "%3Cscript%3Ealert(1)%3C%2Fscript%3E",
    "..%2F..%2Fetc%2Fpasswd",
    "%00%E2%80%AE1e999",
];

/// Every GET route of the OpenAPI document, with each of its parameters (and path
/// parameters) set to hostile values, and the pages with every filter key: 200, 400
/// or 404, never a 500, a framework rejection or a leak; pages never reflect markup.
#[tokio::test]
async fn hostile_values_in_every_documented_parameter() {
    let doc = crate::common::get_json("/api/v1/openapi.json").await;
    let params = &doc["components"]["parameters"];
    let mut uris: Vec<String> = Vec::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        let Some(op) = item.get("get") else { continue };
        let names: Vec<String> = op["parameters"]
            .as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|p| {
                        let p = match p["$ref"].as_str() {
                            Some(r) => &params[r.rsplit('/').next().unwrap()],
                            None => p,
                        };
                        (p["in"] == "query").then(|| p["name"].as_str().unwrap().to_string())
                    })
                    .collect()
            })
            .unwrap_or_default();
        for (i, v) in HOSTILE.iter().enumerate() {
            // Path parameters take the hostile value too.
            let base = path
                .split('/')
                .map(|seg| if seg.starts_with('{') { *v } else { seg })
                .collect::<Vec<_>>()
                .join("/");
            let base = format!("/api/v1{base}");
            if names.is_empty() {
                uris.push(base.clone());
            }
            // Each parameter alone (one value per request keeps the cause plain), and
            // all of them together once.
            for n in names.iter().skip(i % 2).step_by(2) {
                uris.push(format!("{base}?{n}={v}"));
            }
            if !names.is_empty() && i == 0 {
                let all: Vec<String> = names.iter().map(|n| format!("{n}={v}")).collect();
                uris.push(format!("{base}?{}", all.join("&")));
            }
        }
    }
    for key in sitrep_server::params::FILTER_KEYS {
        for v in HOSTILE {
            uris.push(format!("/explore?{key}={v}"));
            uris.push(format!("/?{key}={v}"));
        }
    }
    assert!(uris.len() > 200, "{}", uris.len());
    for uri in &uris {
        let a = get(uri).await;
        assert!(
            matches!(a.status.as_u16(), 200 | 400 | 404),
            "{uri}: {} {}",
            a.status,
            a.body
        );
        if a.status != StatusCode::OK && uri.starts_with("/api/") {
            assert_eq!(a.content_type(), "application/problem+json", "{uri}");
        }
        assert_no_internals(uri, &a.body);
        if a.content_type().starts_with("text/html") || a.content_type().starts_with("image/svg") {
            assert!(
                !a.body.contains("<script>alert(1)</script>"),
                "{uri} reflects markup"
            );
        }
    }
}

/// Every page form refuses a session's write without its CSRF token or with a forged
/// one, and the journal is unchanged.
#[tokio::test]
async fn csrf_on_every_form() {
    let f = fixture().await;
    f.users()
        .add("ana", Role::Analyst, "analyst password")
        .unwrap();
    let ok = login(&f, "ana", "analyst password").await;
    assert_eq!(ok.status, StatusCode::OK, "{}", ok.body);
    let cookie = ok.headers[header::SET_COOKIE]
        .to_str()
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_string();
    let id = claim_id(&f, "claims").await;
    let framing = claim_id(&f, "frames").await;
    let before = f.last_entry().await["seq"].clone();
    let mut forms = 0;
    for (m, uri, body, ct) in writes(&id, &framing) {
        let form = ct == "application/x-www-form-urlencoded";
        for csrf in ["", "&csrf=forged", "&csrf="] {
            let headers: Vec<(&str, &str)> = vec![("content-type", ct), ("cookie", &cookie)];
            let body = if form {
                format!("{body}{csrf}")
            } else {
                body.clone()
            };
            let a = f.call(m.clone(), &uri, &headers, &body).await;
            assert_eq!(a.status, StatusCode::FORBIDDEN, "{m} {uri}: {}", a.body);
            assert!(a.body.contains("CSRF"), "{}", a.body);
        }
        forms += usize::from(form);
    }
    assert_eq!(forms, 4, "every page form is covered");
    assert_eq!(
        f.last_entry().await["seq"],
        before,
        "a refused write was journaled"
    );
}

/// Signing in never adopts a session id the client brought, and signing out ends the
/// session on the server, not only in the browser.
#[tokio::test]
async fn session_fixation_and_logout() {
    let f = fixture().await;
    f.users()
        .add("ana", Role::Analyst, "analyst password")
        .unwrap();
    let planted = "sitrep_session=attacker-chosen-id";
    let a = f
        .call(
            Method::POST,
            "/login",
            &[
                ("content-type", "application/x-www-form-urlencoded"),
                ("accept", "application/json"),
                ("cookie", planted),
            ],
            "name=ana&password=analyst+password",
        )
        .await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.body);
    let set = a.headers[header::SET_COOKIE].to_str().unwrap().to_string();
    let cookie = set.split(';').next().unwrap().to_string();
    assert_ne!(cookie, planted);
    assert!(cookie.len() > "sitrep_session=".len() + 20, "{cookie}");
    let csrf = a.json()["csrf"].as_str().unwrap().to_string();
    let body = r#"{"incident":"curated-afg:AFG-CUR-0006","claimant":"NRF","stance":"claims","reason":"s"}"#;
    let json = ("content-type", "application/json");
    // The planted id is nobody's session.
    let a = f
        .call(
            Method::POST,
            "/api/v1/claims",
            &[json, ("cookie", planted), ("x-csrf-token", &csrf)],
            body,
        )
        .await;
    assert_eq!(a.status, StatusCode::UNAUTHORIZED, "{}", a.body);
    // Signing in twice gives two different ids.
    let again = login(&f, "ana", "analyst password").await;
    let cookie2 = again.headers[header::SET_COOKIE].to_str().unwrap();
    assert_ne!(cookie2.split(';').next().unwrap(), cookie);
    // Signed out: the old cookie and token no longer write.
    let out = f
        .call(Method::POST, "/logout", &[("cookie", &cookie)], "")
        .await;
    assert_eq!(out.status, StatusCode::SEE_OTHER);
    let a = f
        .call(
            Method::POST,
            "/api/v1/claims",
            &[json, ("cookie", &cookie), ("x-csrf-token", &csrf)],
            body,
        )
        .await;
    assert_eq!(a.status, StatusCode::UNAUTHORIZED, "{}", a.body);
}

/// Sign-in refusals say nothing about which of name or password was wrong, and a
/// malformed sign-in is a 400 problem without internals.
#[tokio::test]
async fn sign_in_refusals_leak_nothing() {
    let f = fixture().await;
    f.users()
        .add("ana", Role::Analyst, "analyst password")
        .unwrap();
    let wrong_pw = login(&f, "ana", "nope").await;
    let no_user = login(&f, "nobody", "nope").await;
    assert_eq!(wrong_pw.status, StatusCode::UNAUTHORIZED);
    assert_eq!(no_user.status, StatusCode::UNAUTHORIZED);
    assert_eq!(wrong_pw.json()["detail"], no_user.json()["detail"]);
    for (ct, body) in [
        ("application/json", "{not json"),
        ("application/json", "[1,2]"),
        ("application/x-www-form-urlencoded", "%ZZ=%"),
    ] {
        let a = f
            .call(Method::POST, "/login", &[("content-type", ct)], body)
            .await;
        assert!(
            a.status == StatusCode::BAD_REQUEST || a.status == StatusCode::UNAUTHORIZED,
            "{ct} {body}: {} {}",
            a.status,
            a.body
        );
        assert_no_internals(body, &a.body);
    }
}

/// Password spraying: one client trying many names is stopped after 20 failures in
/// the window (429 with Retry-After), even for a name it has not tried; the right
/// password from another client still works.
#[tokio::test]
async fn one_client_spraying_many_names_is_limited() {
    let f = fixture().await;
    f.users()
        .add("ana", Role::Analyst, "analyst password")
        .unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(sitrep_server::serve_listener(
        listener,
        sitrep_server::app(f.state.clone()),
        Duration::from_secs(10),
    ));
    let attempt = |name: String, password: &'static str| async move {
        let body = format!("name={name}&password={}", password.replace(' ', "+"));
        let mut s = tokio::net::TcpStream::connect(addr).await.unwrap();
        s.write_all(
            format!(
                "POST /login HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                body.len()
            )
            .as_bytes(),
        )
        .await
        .unwrap();
        until_closed(&mut s, Duration::from_secs(30)).await.0
    };
    for i in 0..20 {
        let a = attempt(format!("sprayed{i}"), "guess").await;
        assert!(
            a.starts_with("HTTP/1.1 401"),
            "attempt {i}: {}",
            &a[..a.len().min(120)]
        );
    }
    let a = attempt("ana".into(), "analyst password").await;
    assert!(a.starts_with("HTTP/1.1 429"), "{}", &a[..a.len().min(200)]);
    assert!(a.to_ascii_lowercase().contains("retry-after: "), "{a}");
    // The same name from a client without a record (the router called directly).
    assert_eq!(
        crate::claims::login(&f, "ana", "analyst password")
            .await
            .status,
        StatusCode::OK
    );
}

/// With no users, every write is refused and no form is offered; reads still work.
#[tokio::test]
async fn read_only_without_users_offers_no_forms() {
    let f = fixture().await;
    let page = f.get(&format!("/incidents/{RECORD}")).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(!page.body.contains("method=\"post\""), "a form is offered");
    let a = request_to(
        f.state.clone(),
        Method::POST,
        &format!("/incidents/{RECORD}/override"),
        Body::from("status=claimed&reason=x"),
    )
    .await;
    assert_eq!(a.status, StatusCode::FORBIDDEN, "{}", a.body);
    assert!(a.body.contains("read-only"), "{}", a.body);
}
