//! Static assets served by sitrep itself (`GET /assets/{*path}`): the vendored
//! Leaflet (see `assets/vendor/leaflet-1.9.4/README.md` for its version and
//! provenance), sitrep's own scripts for the interactive map and the actor graph,
//! and the bundled boundaries as GeoJSON for the map. Everything is compiled in, so
//! the pages work offline and the CSP can stay `script-src 'self'`.
//!
//! Pages link assets through [`url`], which appends a digest of the content
//! (`?v=…`); answers carry `Cache-Control: public, max-age=31536000, immutable`, so
//! a browser fetches each version once. A digest that is not the current one is
//! still answered (with the current content) but not marked immutable.
//!
//! The boundaries are served with coordinates rounded to 3 decimals (about 100 m,
//! finer than the simplified district outlines) and each province carries its ISO
//! code as `code` (`AF-KAN`), the code incidents carry.

use axum::extract::{Path, RawQuery};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use std::collections::HashMap;
use std::sync::LazyLock;

/// The path of the vendored Leaflet script.
pub(crate) const LEAFLET_JS: &str = "leaflet-1.9.4/leaflet.js";
/// The path of the vendored Leaflet style sheet.
pub(crate) const LEAFLET_CSS: &str = "leaflet-1.9.4/leaflet.css";
/// sitrep's map script.
pub(crate) const MAP_JS: &str = "sitrep-map.js";
/// sitrep's actor-graph script (the date slider).
pub(crate) const GRAPH_JS: &str = "sitrep-graph.js";
/// sitrep's style sheet for the map and the graph.
pub(crate) const MAP_CSS: &str = "sitrep-map.css";

const PROVINCES: &str = include_str!("../../../data/geo/afg_adm1_provinces.geojson");
const DISTRICTS: &str = include_str!("../../../data/geo/afg_adm2_districts_simplified.geojson");

struct Asset {
    body: &'static [u8],
    content_type: &'static str,
}

static FILES: LazyLock<HashMap<&'static str, Asset>> = LazyLock::new(|| {
    let mut m = HashMap::new();
    let mut add = |name, body: &'static [u8], content_type| {
        m.insert(name, Asset { body, content_type });
    };
    add(
        LEAFLET_JS,
        include_bytes!("../assets/vendor/leaflet-1.9.4/leaflet.js"),
        "text/javascript; charset=utf-8",
    );
    add(
        LEAFLET_CSS,
        include_bytes!("../assets/vendor/leaflet-1.9.4/leaflet.css"),
        "text/css; charset=utf-8",
    );
    add(
        "leaflet-1.9.4/LICENSE",
        include_bytes!("../assets/vendor/leaflet-1.9.4/LICENSE"),
        "text/plain; charset=utf-8",
    );
    add(
        MAP_JS,
        include_bytes!("../assets/sitrep-map.js"),
        "text/javascript; charset=utf-8",
    );
    add(
        GRAPH_JS,
        include_bytes!("../assets/sitrep-graph.js"),
        "text/javascript; charset=utf-8",
    );
    add(
        MAP_CSS,
        include_bytes!("../assets/sitrep-map.css"),
        "text/css; charset=utf-8",
    );
    let geo = |text: &str, provinces: bool| -> &'static [u8] {
        Box::leak(light_geojson(text, provinces).into_boxed_slice())
    };
    add(
        "geo/provinces.geojson",
        geo(PROVINCES, true),
        "application/geo+json",
    );
    add(
        "geo/districts.geojson",
        geo(DISTRICTS, false),
        "application/geo+json",
    );
    m
});

/// The GeoJSON with coordinates rounded to 3 decimals, and provinces' `code`.
fn light_geojson(text: &str, provinces: bool) -> Vec<u8> {
    fn round(v: &mut serde_json::Value) {
        match v {
            serde_json::Value::Array(a) => a.iter_mut().for_each(round),
            serde_json::Value::Number(n) => {
                if let Some(f) = n.as_f64() {
                    if let Some(r) = serde_json::Number::from_f64((f * 1000.0).round() / 1000.0) {
                        *n = r;
                    }
                }
            }
            _ => {}
        }
    }
    let Ok(mut doc) = serde_json::from_str::<serde_json::Value>(text) else {
        return text.as_bytes().to_vec();
    };
    if let Some(features) = doc["features"].as_array_mut() {
        for f in features {
            round(&mut f["geometry"]["coordinates"]);
            let props = &mut f["properties"];
            let name = props["shapeName"].clone();
            let code = props["shapeISO"]
                .as_str()
                .map(|c| c.replace('_', "-"))
                .filter(|c| !c.is_empty());
            let mut out = serde_json::json!({ "name": name });
            if provinces {
                out["code"] = code.into();
            }
            *props = out;
        }
    }
    doc.to_string().into_bytes()
}

/// A short digest of an asset's content, for cache-busting URLs.
fn digest(name: &str) -> Option<&'static str> {
    static DIGESTS: LazyLock<HashMap<&'static str, String>> = LazyLock::new(|| {
        FILES
            .iter()
            .map(|(k, a)| (*k, blake3::hash(a.body).to_hex()[..12].to_string()))
            .collect()
    });
    DIGESTS.get(name).map(String::as_str)
}

/// The URL of an asset, with its content digest (`/assets/sitrep-map.js?v=…`).
pub(crate) fn url(name: &str) -> String {
    match digest(name) {
        Some(d) => format!("/assets/{name}?v={d}"),
        None => format!("/assets/{name}"),
    }
}

/// `GET /assets/{*path}`.
pub(crate) async fn serve(Path(path): Path<String>, RawQuery(q): RawQuery) -> Response {
    let Some(a) = FILES.get(path.as_str()) else {
        return crate::pages::not_found().await.into_response();
    };
    let current = q
        .as_deref()
        .and_then(|q| q.strip_prefix("v="))
        .is_some_and(|v| Some(v) == digest(&path));
    let cache = if current {
        "public, max-age=31536000, immutable"
    } else {
        "public, max-age=3600"
    };
    (
        StatusCode::OK,
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static(a.content_type),
            ),
            (header::CACHE_CONTROL, HeaderValue::from_static(cache)),
        ],
        a.body,
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn boundaries_are_served_light_with_province_codes() {
        let p: serde_json::Value =
            serde_json::from_slice(FILES["geo/provinces.geojson"].body).unwrap();
        let features = p["features"].as_array().unwrap();
        assert_eq!(features.len(), 34);
        assert!(features.iter().any(|f| f["properties"]["code"] == "AF-KAN"));
        let d = FILES["geo/districts.geojson"].body.len();
        assert!(d < DISTRICTS.len() / 2, "{d} bytes");
        assert!(url(MAP_JS).starts_with("/assets/sitrep-map.js?v="));
    }
}
