//! Rows (JSON objects) as CSV and GeoJSON, and field access on them.

use serde_json::Value;

/// One result row: column name → value (nulls kept as `null`).
pub(crate) type Row = sitrep_store::Fields;

/// Rows as CSV with the given columns as header (values in that order).
pub(crate) fn csv(columns: &[&str], rows: &[Row]) -> String {
    let mut out = String::new();
    out.push_str(&columns.join(","));
    out.push('\n');
    for r in rows {
        let cells: Vec<String> = columns
            .iter()
            .map(|c| csv_cell(r.get(*c).unwrap_or(&Value::Null)))
            .collect();
        out.push_str(&cells.join(","));
        out.push('\n');
    }
    out
}

fn csv_cell(v: &Value) -> String {
    let s = match v {
        Value::Null => return String::new(),
        Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s
    }
}

/// Rows with `latitude`/`longitude` as a GeoJSON FeatureCollection of points; rows
/// without coordinates are left out and counted in `sitrep:skipped`.
pub(crate) fn geojson(rows: &[Row]) -> Value {
    let mut skipped = 0u64;
    let features: Vec<Value> = rows
        .iter()
        .filter_map(|r| {
            let lat = r.get("latitude").and_then(Value::as_f64);
            let lon = r.get("longitude").and_then(Value::as_f64);
            let (Some(lat), Some(lon)) = (lat, lon) else {
                skipped += 1;
                return None;
            };
            let mut props = r.clone();
            props.remove("latitude");
            props.remove("longitude");
            Some(serde_json::json!({
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [lon, lat]},
                "properties": props,
            }))
        })
        .collect();
    serde_json::json!({
        "type": "FeatureCollection",
        "features": features,
        "sitrep:skipped_without_coordinates": skipped,
    })
}

/// A string field of a row, if present and not null.
pub(crate) fn s<'a>(r: &'a Row, key: &str) -> Option<&'a str> {
    r.get(key).and_then(Value::as_str)
}
