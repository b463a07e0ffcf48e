//! Issue 22, the analyst's map and network: the actor graph (JSON, GraphML, the
//! page), map points, names for autocomplete, static assets and PNG figures.
//!
//! Expected graphs come from an independent reading of the registry's TOML files
//! (a line scanner written here, not sitrep-resolve); expected counts from SQL.

use crate::common::{get, get_json, sql_count, state};
use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use serde_json::Value;
use std::collections::BTreeSet;
use tower::ServiceExt;

/// One `[[actor.relation]]` of the bundled registry, read line by line.
#[derive(Debug, Clone)]
struct Rel {
    source: String,
    target: String,
    kind: String,
    from: Option<String>,
    to: Option<String>,
}

fn registry_relations() -> Vec<Rel> {
    let mut out = Vec::new();
    for text in [
        include_str!("../../../../data/actors/afghanistan.toml"),
        include_str!("../../../../data/actors/regional.toml"),
        include_str!("../../../../data/actors/global.toml"),
    ] {
        let mut actor = String::new();
        let mut cur: Option<Rel> = None;
        let value = |l: &str| {
            l.split_once('=')
                .map(|(_, v)| v.trim().trim_matches('"').to_string())
        };
        for line in text.lines().map(str::trim) {
            if line.starts_with("[[") {
                if let Some(r) = cur.take() {
                    out.push(r);
                }
                if line == "[[actor.relation]]" {
                    cur = Some(Rel {
                        source: actor.clone(),
                        target: String::new(),
                        kind: String::new(),
                        from: None,
                        to: None,
                    });
                }
                continue;
            }
            match (&mut cur, line.split_once('=').map(|(k, _)| k.trim())) {
                (None, Some("id")) => actor = value(line).unwrap(),
                (Some(r), Some("kind")) => r.kind = value(line).unwrap(),
                (Some(r), Some("with")) => r.target = value(line).unwrap(),
                (Some(r), Some("from")) => r.from = value(line),
                (Some(r), Some("to")) => r.to = value(line),
                _ => {}
            }
        }
        if let Some(r) = cur.take() {
            out.push(r);
        }
    }
    out
}

/// The links holding on `day` (ISO dates compare as strings), symmetric
/// relations stated by both sides with one period counted once.
fn expected_links(day: &str) -> BTreeSet<(String, String, String)> {
    let symmetric = |k: &str| ["ally", "rival", "cooperates"].contains(&k);
    let mut out = BTreeSet::new();
    for r in registry_relations() {
        let holds =
            r.from.as_deref().is_none_or(|f| f <= day) && r.to.as_deref().is_none_or(|t| day <= t);
        if !holds {
            continue;
        }
        let twin = (r.target.clone(), r.source.clone(), r.kind.clone());
        if symmetric(&r.kind) && out.contains(&twin) {
            continue;
        }
        out.insert((r.source, r.target, r.kind));
    }
    out
}

fn links_of(g: &Value) -> BTreeSet<(String, String, String)> {
    g["links"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| {
            (
                l["source"].as_str().unwrap().to_string(),
                l["target"].as_str().unwrap().to_string(),
                l["kind"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

fn has(s: &BTreeSet<(String, String, String)>, a: &str, b: &str, k: &str) -> bool {
    s.contains(&(a.into(), b.into(), k.into())) || s.contains(&(b.into(), a.into(), k.into()))
}

#[tokio::test]
async fn the_graph_on_a_day_holds_the_relations_the_registry_dates_to_it() {
    let scanned = registry_relations();
    assert!(scanned.len() > 60, "{} relations scanned", scanned.len());
    let mut seen = Vec::new();
    for day in ["2020-01-01", "2022-01-01"] {
        let g = get_json(&format!("/api/v1/actors/graph?at={day}")).await;
        assert_eq!(g["at"], day);
        let got = links_of(&g);
        assert_eq!(got, expected_links(day), "links on {day}");
        // Every link's citation is there; every end is a node.
        let nodes: BTreeSet<&str> = g["nodes"]
            .as_array()
            .unwrap()
            .iter()
            .map(|n| n["id"].as_str().unwrap())
            .collect();
        for l in g["links"].as_array().unwrap() {
            assert!(!l["citation"].as_str().unwrap().is_empty(), "{l}");
            assert!(nodes.contains(l["source"].as_str().unwrap()));
            assert!(nodes.contains(l["target"].as_str().unwrap()));
        }
        seen.push(got);
    }
    let (before, after) = (&seen[0], &seen[1]);
    // Under the Republic: its war with the Taliban and with IS-KP.
    assert!(has(before, "afg-republic", "taliban", "rival"));
    assert!(has(before, "is-kp", "afg-republic", "rival"));
    assert!(!has(before, "nrf", "taliban", "rival"));
    assert!(!has(before, "taliban", "ttp", "hosts"));
    // After 15 August 2021: the NRF's war, the TTP's sanctuary; the Republic is gone.
    assert!(has(after, "nrf", "taliban", "rival"));
    assert!(has(after, "taliban", "ttp", "hosts"));
    assert!(has(after, "taliban", "is-kp", "rival"));
    assert!(has(after, "taliban", "al-qaeda", "hosts"));
    assert!(!has(after, "afg-republic", "taliban", "rival"));
    assert_ne!(before, after);
    // The Taliban's kind on each day: a rebel group under the Republic, the state after.
    let kind = |g: &Value| {
        g["nodes"]
            .as_array()
            .unwrap()
            .iter()
            .find(|n| n["id"] == "taliban")
            .unwrap()["kind"]
            .clone()
    };
    assert_eq!(
        kind(&get_json("/api/v1/actors/graph?at=2020-01-01").await),
        "rebel"
    );
    assert_eq!(
        kind(&get_json("/api/v1/actors/graph?at=2022-01-01").await),
        "state"
    );
    // Without a day: every relation.
    let all = get_json("/api/v1/actors/graph").await;
    assert!(all["at"].is_null());
    assert!(links_of(&all).len() >= expected_links("2022-01-01").len());
    // A bad day is a 400 naming the key.
    let bad = get("/api/v1/actors/graph?at=2022-13-01").await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    assert!(bad.body.contains("`at`"), "{}", bad.body);
}

#[tokio::test]
async fn the_graph_as_graphml_parses_and_matches_the_json() {
    let json = get_json("/api/v1/actors/graph?at=2022-01-01").await;
    for (uri, accept) in [
        ("/api/v1/actors/graph?at=2022-01-01&format=graphml", None),
        (
            "/api/v1/actors/graph?at=2022-01-01",
            Some("application/graphml+xml"),
        ),
    ] {
        let mut req = Request::builder().uri(uri);
        if let Some(a) = accept {
            req = req.header(header::ACCEPT, a);
        }
        let res = sitrep_server::app(state().await)
            .oneshot(req.body(Body::empty()).unwrap())
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::OK);
        let ct = res.headers()[header::CONTENT_TYPE]
            .to_str()
            .unwrap()
            .to_string();
        assert!(ct.starts_with("application/graphml+xml"), "{uri}: {ct}");
        let body = axum::body::to_bytes(res.into_body(), usize::MAX)
            .await
            .unwrap();
        let text = String::from_utf8(body.to_vec()).unwrap();
        let doc = roxmltree::Document::parse(&text).unwrap();
        let graph = doc
            .descendants()
            .find(|n| n.has_tag_name("graph"))
            .expect("a graph element");
        let edges: BTreeSet<(String, String, String)> = graph
            .children()
            .filter(|n| n.has_tag_name("edge"))
            .map(|e| {
                let kind = e
                    .children()
                    .find(|d| d.attribute("key") == Some("relation"))
                    .and_then(|d| d.text())
                    .unwrap()
                    .to_string();
                (
                    e.attribute("source").unwrap().to_string(),
                    e.attribute("target").unwrap().to_string(),
                    kind,
                )
            })
            .collect();
        assert_eq!(edges, links_of(&json), "{uri}");
        let nodes = graph.children().filter(|n| n.has_tag_name("node")).count();
        assert_eq!(nodes, json["nodes"].as_array().unwrap().len());
    }
    // The JSON answer after a GraphML one is still JSON (the cache keys on Accept).
    let again = get("/api/v1/actors/graph?at=2022-01-01").await;
    assert!(again.content_type().starts_with("application/json"));
    let dot = get("/api/v1/actors/graph?at=2022-01-01&format=dot").await;
    assert!(dot.body.starts_with("digraph actors {"), "{}", dot.body);
    assert_eq!(
        dot.body.matches(" -> ").count(),
        json["links"].as_array().unwrap().len()
    );
}

#[tokio::test]
async fn the_graph_page_draws_every_relation_and_shows_the_day() {
    let day = "2022-01-01";
    let page = get(&format!("/actors/graph?at={day}")).await;
    assert_eq!(page.status, StatusCode::OK);
    let all = links_of(&get_json("/api/v1/actors/graph").await).len();
    let on_day = expected_links(day).len();
    assert_eq!(page.body.matches("<line class=\"link").count(), all);
    assert_eq!(page.body.matches("<line class=\"link\"").count(), on_day);
    assert!(page.body.contains("href=\"/actors/is-kp\""));
    assert!(page.body.contains("/assets/sitrep-graph.js?v="));
    // The actor page has its network panel.
    let actor = get("/actors/nrf").await;
    assert!(actor.body.contains("Network over time"));
    assert!(
        actor.body.contains("data-target=\"taliban\"")
            || actor.body.contains("data-source=\"taliban\"")
    );
}

#[tokio::test]
async fn map_points_are_every_incident_of_the_filters() {
    for (q, sql) in [
        ("province=AF-KAN", "province_code = 'AF-KAN'"),
        (
            "province=Kandahar&from=2010-01-01&to=2012-12-31",
            "province_code = 'AF-KAN' AND date_start BETWEEN DATE '2010-01-01' AND DATE '2012-12-31'",
        ),
    ] {
        let v = get_json(&format!("/api/v1/map/points?{q}")).await;
        let expected = sql_count(sql).await;
        assert!(expected > 0);
        assert_eq!(v["total"], expected, "{q}");
        let points = v["points"].as_array().unwrap();
        assert_eq!(points.len() as i64, expected);
        let located = sql_count(&format!("{sql} AND latitude IS NOT NULL AND longitude IS NOT NULL")).await;
        assert_eq!(v["located"], located);
        let cols: Vec<&str> = v["columns"].as_array().unwrap().iter().map(|c| c.as_str().unwrap()).collect();
        assert_eq!(cols[..4], ["record_id", "date", "lat", "lon"]);
        // Oldest first, within the filter's dates.
        let dates: Vec<&str> = points.iter().map(|p| p[1].as_str().unwrap()).collect();
        assert!(dates.windows(2).all(|w| w[0] <= w[1]));
    }
}

#[tokio::test]
async fn typed_names_resolve_like_the_registry_says() {
    let names = get_json("/api/v1/names?field=actor&q=daesh%20khorasan").await;
    let items = names.as_array().unwrap();
    assert!(
        items
            .iter()
            .any(|n| n["name"] == "Daesh-Khorasan" && n["id"] == "is-kp"),
        "{names}"
    );
    assert!(items.iter().all(|n| n["id"] == "is-kp"), "{names}");
    let provinces = get_json("/api/v1/names?field=province&q=kandahar").await;
    assert!(provinces
        .as_array()
        .unwrap()
        .iter()
        .any(|n| n["id"] == "AF-KAN"));
    // The name typed with a space filters as IS-KP does.
    let typed = get_json("/api/v1/incidents?actor=Daesh%20Khorasan&page_size=1").await;
    let by_id = get_json("/api/v1/incidents?actor=is-kp&page_size=1").await;
    let sql = sql_count(
        "actor1_id = 'is-kp' OR actor2_id = 'is-kp' OR actor1_root = 'is-kp' OR actor2_root = 'is-kp'",
    )
    .await;
    assert!(sql > 0);
    assert_eq!(typed["total"], sql);
    assert_eq!(by_id["total"], sql);
    // The explore page offers names (not ids) and says what the typed name is.
    let page = get("/explore?actor=Daesh%20Khorasan").await;
    assert!(
        page.body.contains("<option value=\"Daesh-Khorasan\""),
        "names offered"
    );
    assert!(
        page.body.contains("data-actor=\"is-kp\""),
        "the resolution is shown"
    );
}

#[tokio::test]
async fn assets_are_served_from_sitrep_with_long_caching() {
    let page = get("/explore?province=AF-KAN").await;
    let csp = page.headers[header::CONTENT_SECURITY_POLICY]
        .to_str()
        .unwrap()
        .to_string();
    let script_src = csp
        .split(';')
        .map(str::trim)
        .find(|d| d.starts_with("script-src"))
        .unwrap();
    assert_eq!(script_src, "script-src 'self'", "{csp}");
    let url = |name: &str| {
        let at = page
            .body
            .find(&format!("/assets/{name}?v="))
            .unwrap_or_else(|| panic!("{name} linked"));
        page.body[at..].split('"').next().unwrap().to_string()
    };
    for (name, ct, bytes) in [
        (
            "leaflet-1.9.4/leaflet.js",
            "text/javascript",
            include_bytes!("../../assets/vendor/leaflet-1.9.4/leaflet.js").len(),
        ),
        (
            "leaflet-1.9.4/leaflet.css",
            "text/css",
            include_bytes!("../../assets/vendor/leaflet-1.9.4/leaflet.css").len(),
        ),
        (
            "sitrep-map.js",
            "text/javascript",
            include_bytes!("../../assets/sitrep-map.js").len(),
        ),
    ] {
        let a = get(&url(name)).await;
        assert_eq!(a.status, StatusCode::OK, "{name}");
        assert!(
            a.content_type().starts_with(ct),
            "{name}: {}",
            a.content_type()
        );
        assert_eq!(a.body.len(), bytes, "{name}");
        let cc = a.headers[header::CACHE_CONTROL].to_str().unwrap();
        assert!(
            cc.contains("max-age=31536000") && cc.contains("immutable"),
            "{name}: {cc}"
        );
    }
    let geo = get_json(&url("geo/provinces.geojson")).await;
    assert_eq!(geo["features"].as_array().unwrap().len(), 34);
    assert_eq!(
        get("/assets/nothing.js").await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        get("/assets/../Cargo.toml").await.status,
        StatusCode::NOT_FOUND
    );
    // The interactive map is on the explore, province and incident pages, over the SVG.
    assert!(
        page.body.contains("class=\"imap-wrap\"") && page.body.contains("figure class=\"map\"")
    );
    assert!(page
        .body
        .contains("data-points=\"/api/v1/map/points?province=AF-KAN\""));
    assert!(get("/places/AF-KAN")
        .await
        .body
        .contains("data-fit=\"AF-KAN\""));
}

/// A PNG's width and height, decoded.
fn png_size(bytes: &[u8]) -> (u32, u32) {
    let mut reader = png::Decoder::new(std::io::Cursor::new(bytes))
        .read_info()
        .unwrap();
    let mut buf = vec![0; reader.output_buffer_size()];
    let info = reader.next_frame(&mut buf).unwrap();
    (info.width, info.height)
}

async fn bytes(uri: &str) -> (StatusCode, String, Vec<u8>) {
    let res = sitrep_server::app(state().await)
        .oneshot(Request::builder().uri(uri).body(Body::empty()).unwrap())
        .await
        .unwrap();
    let ct = res
        .headers()
        .get(header::CONTENT_TYPE)
        .map(|v| v.to_str().unwrap().to_string())
        .unwrap_or_default();
    let status = res.status();
    let body = axum::body::to_bytes(res.into_body(), usize::MAX)
        .await
        .unwrap();
    (status, ct, body.to_vec())
}

#[tokio::test]
async fn figures_download_as_png_of_the_figures_size() {
    let period = "from=2019-09-01&to=2020-12-31";
    let svg = get(&format!("/api/v1/figures/fig7?format=svg&{period}"))
        .await
        .body;
    let attr = |name: &str| -> u32 {
        let at = svg.find(&format!(" {name}=\"")).unwrap() + name.len() + 3;
        svg[at..].split('"').next().unwrap().parse().unwrap()
    };
    let (w, h) = (attr("width"), attr("height"));
    let started = std::time::Instant::now();
    let (status, ct, png) = bytes(&format!("/figures/fig7.png?{period}")).await;
    eprintln!(
        "fig7.png: {} bytes, {:?} (figure computed and drawn too)",
        png.len(),
        started.elapsed()
    );
    assert_eq!(status, StatusCode::OK);
    assert_eq!(ct, "image/png");
    assert_eq!(png_size(&png), (w, h));
    let (_, _, png2) = bytes(&format!("/api/v1/figures/fig7?format=png&scale=2&{period}")).await;
    assert_eq!(png_size(&png2), (2 * w, 2 * h));
    let (status, _, _) = bytes("/api/v1/figures/fig7?format=png&scale=9").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let (status, _, _) = bytes("/figures/nope.png").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    // The figures page offers the PNG beside the SVG.
    assert!(get("/figures").await.body.contains("download=\"fig7.png\""));
}
