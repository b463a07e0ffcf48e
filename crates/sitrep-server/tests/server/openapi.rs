use crate::common::{get, get_json, request, sql_string};
use axum::body::Body;
use axum::http::Method;
use serde_json::Value;

#[tokio::test]
async fn openapi_document_matches_the_server() {
    let doc = get_json("/api/v1/openapi.json").await;
    assert_eq!(doc["openapi"], "3.1.0");
    assert!(doc["info"]["title"].is_string() && doc["info"]["version"].is_string());
    let params = doc["components"]["parameters"].as_object().unwrap().clone();
    let record = sql_string("SELECT min(record_id) FROM incidents").await;
    let paths = doc["paths"].as_object().unwrap();
    assert!(paths.len() >= 11);
    for (path, item) in paths {
        let op = &item["get"];
        if !op.is_object() {
            // A write-only path (analysts): documented with its security; the route
            // table test below proves the router has it.
            assert!(
                item.as_object()
                    .unwrap()
                    .values()
                    .all(|o| o["security"].is_array()),
                "{path}"
            );
            continue;
        }
        assert!(op["responses"]["200"].is_object(), "{path}");
        let mut url = format!("/api/v1{path}");
        let mut query = Vec::new();
        for p in op["parameters"].as_array().unwrap() {
            // /forecast takes every filter key of /series (the same components,
            // whose examples are called on /series and the other lists); a back-test
            // per filter example is minutes of CPU in a debug build, so only its own
            // parameters are called here.
            if path == "/forecast" && p["$ref"].is_string() {
                continue;
            }
            let p: &Value = match p["$ref"].as_str() {
                Some(r) => &params[r.rsplit('/').next().unwrap()],
                None => p,
            };
            let name = p["name"].as_str().unwrap();
            // Examples are values; a client percent-encodes them in a URL.
            let example = match &p["example"] {
                Value::String(s) => encode(s),
                v => v.to_string(),
            };
            match p["in"].as_str() {
                Some("path") => {
                    let value = if name == "record_id" {
                        record.clone()
                    } else {
                        example
                    };
                    url = url.replace(&format!("{{{name}}}"), &value);
                }
                _ => {
                    // Each documented query parameter alone with its example…
                    let one = format!("{url}?{name}={example}");
                    let a = get(&one).await;
                    if p["description"]
                        .as_str()
                        .unwrap()
                        .contains("Needs a claims ledger")
                    {
                        // The bundled store has none: refused, saying what to do.
                        assert_eq!(a.status, 400, "GET {one}: {}", a.body);
                        assert!(a.body.contains("sitrep claims import"), "{}", a.body);
                        continue;
                    }
                    assert_eq!(a.status, 200, "GET {one}: {}", a.body);
                    query.push(format!("{name}={example}"));
                }
            }
        }
        assert_eq!(get(&url).await.status, 200, "GET {url}");
        // …and the filter examples together (they are chosen to be compatible).
        if !query.is_empty() {
            let all = format!("{url}?{}", query.join("&"));
            let a = get(&all).await;
            assert_eq!(a.status, 200, "GET {all}: {}", a.body);
        }
        for code in ["400", "404", "414"] {
            if let Some(r) = op["responses"][code]["$ref"].as_str() {
                let name = r.rsplit('/').next().unwrap();
                assert!(doc["components"]["responses"][name].is_object(), "{r}");
            }
        }
    }
}

/// Percent-encodes a query value (unreserved characters kept).
fn encode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// Structural rules of OpenAPI 3.1 the document must keep: every `$ref` resolves,
/// every `{name}` in a path is declared as a required path parameter, every response
/// has a description, parameters have a name, a location and a schema.
#[tokio::test]
async fn openapi_document_is_well_formed() {
    let doc = get_json("/api/v1/openapi.json").await;
    fn refs(v: &Value, out: &mut Vec<String>) {
        match v {
            Value::Object(m) => {
                if let Some(Value::String(r)) = m.get("$ref") {
                    out.push(r.clone());
                }
                m.values().for_each(|x| refs(x, out));
            }
            Value::Array(a) => a.iter().for_each(|x| refs(x, out)),
            _ => {}
        }
    }
    let mut all = Vec::new();
    refs(&doc, &mut all);
    assert!(all.len() > 20);
    for r in &all {
        let ptr = r
            .strip_prefix('#')
            .unwrap_or_else(|| panic!("external ref {r}"));
        assert!(doc.pointer(ptr).is_some(), "unresolved $ref {r}");
    }
    let resolve = |p: &Value| -> Value {
        match p["$ref"].as_str() {
            Some(r) => doc.pointer(r.trim_start_matches('#')).unwrap().clone(),
            None => p.clone(),
        }
    };
    // Every operation of every path (reads and analysts' writes).
    let ops = doc["paths"]
        .as_object()
        .unwrap()
        .iter()
        .flat_map(|(path, item)| {
            item.as_object()
                .unwrap()
                .values()
                .map(move |op| (path.clone(), op.clone()))
        });
    for (path, op) in ops {
        let params: Vec<Value> = op["parameters"]
            .as_array()
            .map(|a| a.iter().map(resolve).collect())
            .unwrap_or_default();
        for p in &params {
            assert!(
                p["name"].is_string() && p["schema"].is_object(),
                "{path}: {p}"
            );
            assert!(
                ["query", "path", "header", "cookie"].contains(&p["in"].as_str().unwrap()),
                "{path}: {p}"
            );
        }
        for name in path
            .split('{')
            .skip(1)
            .map(|s| s.split('}').next().unwrap())
        {
            assert!(
                params
                    .iter()
                    .any(|p| p["name"] == name && p["in"] == "path" && p["required"] == true),
                "{path}: path parameter {name} is not declared"
            );
        }
        for (code, r) in op["responses"].as_object().unwrap() {
            let r = resolve(r);
            assert!(
                r["description"].is_string(),
                "{path} {code} has no description"
            );
        }
    }
}

/// Every documented operation with its URL: `{name}` segments replaced by their
/// examples (a real record id for `record_id`), and its documented query keys.
async fn documented_operations(doc: &Value) -> Vec<(Method, String, String, Vec<String>)> {
    let record = sql_string("SELECT min(record_id) FROM incidents").await;
    let mut out = Vec::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            let mut url = format!("/api/v1{path}");
            let mut keys = Vec::new();
            for p in op["parameters"].as_array().unwrap() {
                let p = match p["$ref"].as_str() {
                    Some(r) => doc.pointer(r.trim_start_matches('#')).unwrap(),
                    None => p,
                };
                let name = p["name"].as_str().unwrap();
                match p["in"].as_str().unwrap() {
                    "path" if name == "record_id" => url = url.replace("{record_id}", &record),
                    "path" => {
                        let example = p["example"].as_str().unwrap();
                        url = url.replace(&format!("{{{name}}}"), &encode(example));
                    }
                    _ => keys.push(name.to_string()),
                }
            }
            let m = Method::from_bytes(method.to_uppercase().as_bytes()).unwrap();
            out.push((m, path.clone(), url, keys));
        }
    }
    out
}

/// The router serves exactly the documented operations: each documented method of
/// a documented path reaches a handler (never the API's 404 or a 405), every other
/// method of that path is 405, and the API routes are registered only from the one
/// table the document is generated from (none of routes.rs's own `.route(` calls
/// is under `/api/v1`).
#[tokio::test]
async fn every_route_is_documented_and_every_documented_route_exists() {
    let doc = get_json("/api/v1/openapi.json").await;
    let ops = documented_operations(&doc).await;
    // 21 reads, the claim checker and 10 claims routes.
    assert_eq!(
        ops.len(),
        32,
        "{:?}",
        ops.iter().map(|o| (&o.0, &o.1)).collect::<Vec<_>>()
    );
    let all = [
        Method::GET,
        Method::POST,
        Method::PUT,
        Method::PATCH,
        Method::DELETE,
    ];
    let mut paths: Vec<(&str, &str)> = ops.iter().map(|o| (o.1.as_str(), o.2.as_str())).collect();
    paths.dedup();
    for (path, url) in paths {
        for m in &all {
            let documented = ops.iter().any(|o| o.1 == path && o.0 == *m);
            let a = request(m.clone(), url, Body::empty()).await;
            if documented {
                assert_ne!(a.status, 405, "{m} {url}: documented but not routed");
                assert!(
                    !a.body.contains("no API endpoint"),
                    "{m} {url}: documented but not routed: {}",
                    a.body
                );
            } else {
                assert_eq!(
                    a.status, 405,
                    "{m} {url}: routed but not documented: {}",
                    a.body
                );
            }
        }
    }
    // The API router is the table's: routes.rs registers no API route of its own.
    let routes = include_str!("../../src/routes.rs");
    let api = &routes[routes.find("let (mut api, mut own_limit)").unwrap()
        ..routes.find(".fallback(api_not_found)").unwrap()];
    assert!(api.contains("api::endpoints::all()"), "{api}");
    assert!(
        !api.contains(".route(\""),
        "an API route outside the table: {api}"
    );
    assert!(
        !routes.contains(".nest(\"/api/v1/"),
        "an API router outside the table"
    );
    let claims = include_str!("../../src/api/claims.rs");
    assert!(
        !claims.contains("Router::new()"),
        "claims routes outside the table"
    );
}

/// Every operation, reads and writes, refuses a query key it does not document
/// (400 before its handler runs) and names exactly the keys it documents: the
/// parser's accepted keys are the document's.
#[tokio::test]
async fn every_operation_takes_exactly_its_documented_parameters() {
    let doc = get_json("/api/v1/openapi.json").await;
    for (m, path, url, keys) in documented_operations(&doc).await {
        let a = request(
            m.clone(),
            &format!("{url}?undocumented_key=1"),
            Body::empty(),
        )
        .await;
        assert_eq!(a.status, 400, "{m} {path}: {}", a.body);
        let detail = a.json()["detail"].as_str().unwrap().to_string();
        assert!(
            detail.contains("unknown parameter `undocumented_key`"),
            "{m} {path}: {detail}"
        );
        let named: Vec<String> = match detail.split_once("expected one of: ") {
            Some((_, list)) => list.split(", ").map(String::from).collect(),
            None => {
                assert!(
                    detail.contains("takes no parameters"),
                    "{m} {path}: {detail}"
                );
                Vec::new()
            }
        };
        let (mut named, mut keys) = (named, keys);
        named.sort();
        keys.sort();
        assert_eq!(named, keys, "{m} {path}: accepted vs documented");
    }
}

/// The property names a schema allows, through `$ref` and `allOf` (how the document
/// writes `#[serde(flatten)]` counts), and those it requires.
fn schema_keys(doc: &Value, schema: &Value) -> (Vec<String>, Vec<String>) {
    let schema = match schema["$ref"].as_str() {
        Some(r) => doc
            .pointer(r.trim_start_matches('#'))
            .unwrap_or_else(|| panic!("unresolved {r}")),
        None => schema,
    };
    let mut props: Vec<String> = schema["properties"]
        .as_object()
        .map(|m| m.keys().cloned().collect())
        .unwrap_or_default();
    let mut required: Vec<String> = schema["required"]
        .as_array()
        .map(|a| a.iter().map(|v| v.as_str().unwrap().to_string()).collect())
        .unwrap_or_default();
    for part in schema["allOf"].as_array().into_iter().flatten() {
        let (p, r) = schema_keys(doc, part);
        props.extend(p);
        required.extend(r);
    }
    props.sort();
    props.dedup();
    required.sort();
    required.dedup();
    (props, required)
}

/// Issue 15: the schemas of the typed answers are generated from the types the
/// handlers serialise, so a served object has exactly the documented keys, every
/// required one among them — checked on real answers over the bundled data.
#[tokio::test]
async fn generated_schemas_match_what_the_handlers_serve() {
    let doc = get_json("/api/v1/openapi.json").await;
    let schema = |name: &str| json_ref(name);
    let page = get_json("/api/v1/incidents?page_size=5&actor=taliban").await;
    let summary = get_json("/api/v1/summary?type=battle").await;
    let map = get_json("/api/v1/map/provinces?from=2019-01-01").await;
    let cases: Vec<(&str, Value)> = vec![
        ("Incident", page["items"][0].clone()),
        ("Incident", page["items"][4].clone()),
        ("ProvinceCounts", map["provinces"][0].clone()),
        ("Counts", map["unlocated"].clone()),
    ];
    for (name, served) in cases {
        let (props, required) = schema_keys(&doc, &schema(name));
        let mut keys: Vec<String> = served
            .as_object()
            .unwrap_or_else(|| panic!("{name}: {served}"))
            .keys()
            .cloned()
            .collect();
        keys.sort();
        assert_eq!(keys, props, "{name}: served keys vs documented properties");
        for r in &required {
            assert!(keys.contains(r), "{name}: required {r} not served");
        }
    }
    // The Incident schema is the list's 34 columns, the dates typed as dates.
    let (props, _) = schema_keys(&doc, &schema("Incident"));
    assert_eq!(props.len(), 34);
    let incident = &doc["components"]["schemas"]["Incident"];
    assert_eq!(incident["properties"]["date_start"]["format"], "date");
    // Summary = Totals: the counts flattened with first, last and sources.
    let (props, _) = schema_keys(&doc, &schema("Summary"));
    let mut served: Vec<String> = summary
        .as_object()
        .unwrap()
        .keys()
        .filter(|k| !["filters", "records"].contains(&k.as_str()))
        .cloned()
        .collect();
    served.sort();
    assert_eq!(served, props);
}

fn json_ref(name: &str) -> Value {
    serde_json::json!({ "$ref": format!("#/components/schemas/{name}") })
}
