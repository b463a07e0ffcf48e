use crate::common::{get, get_json, sql_string};
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

/// The API's routes as the router defines them: every `.route("PATH", get(..).post(..))`
/// in the API section of routes.rs and in the claims routes, read from the source.
fn router_routes() -> std::collections::BTreeSet<(String, String)> {
    let routes = include_str!("../../src/routes.rs");
    let api = &routes[routes.find("let api = Router::new()").unwrap()
        ..routes.find(".fallback(api_not_found)").unwrap()];
    let claims = include_str!("../../src/api/claims.rs");
    let claims = &claims[claims.find("pub fn routes()").unwrap()..];
    let claims = &claims[..claims.find("\n}").unwrap()];
    let mut out = std::collections::BTreeSet::new();
    for text in [api, claims] {
        for part in text.split(".route(").skip(1) {
            let path = part.split('"').nth(1).unwrap();
            // The handler chain ends at the call's closing parenthesis.
            let mut depth = 1;
            let mut end = part.len();
            for (i, c) in part.char_indices() {
                match c {
                    '(' => depth += 1,
                    ')' => {
                        depth -= 1;
                        if depth == 0 {
                            end = i;
                            break;
                        }
                    }
                    _ => {}
                }
            }
            let chain = &part[..end];
            for m in ["get", "post", "patch", "put", "delete"] {
                let called = chain.contains(&format!(" {m}("))
                    || chain.contains(&format!(".{m}("))
                    || chain.contains(&format!("\n{m}("));
                if called {
                    out.insert((m.to_string(), path.to_string()));
                }
            }
        }
    }
    out
}

#[tokio::test]
async fn every_route_is_documented_and_every_documented_route_exists() {
    let doc = get_json("/api/v1/openapi.json").await;
    let mut documented = std::collections::BTreeSet::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for m in item.as_object().unwrap().keys() {
            documented.insert((m.clone(), path.clone()));
        }
    }
    let routed = router_routes();
    // The source reading must find the routes it is meant to (a sanity floor that
    // fails if the parsing breaks): 21 reads, the claim checker and 10 claims routes.
    assert_eq!(routed.len(), 32, "{routed:?}");
    let undocumented: Vec<_> = routed.difference(&documented).collect();
    let unrouted: Vec<_> = documented.difference(&routed).collect();
    assert!(
        undocumented.is_empty(),
        "routes missing from the OpenAPI document: {undocumented:?}"
    );
    assert!(
        unrouted.is_empty(),
        "documented but not routed: {unrouted:?}"
    );
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
