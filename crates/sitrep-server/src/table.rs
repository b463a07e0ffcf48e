//! Arrow batches as JSON rows, CSV and GeoJSON.

use crate::error::ApiError;
use serde_json::{Map, Value};
use sitrep_store::arrow::array::RecordBatch;
use sitrep_store::arrow::json::{writer::JsonArray, WriterBuilder};

/// One result row: column name → value (nulls kept as `null`).
pub(crate) type Row = Map<String, Value>;

/// Converts batches to JSON objects, dates as `YYYY-MM-DD`, nulls explicit.
pub(crate) fn json_rows(batches: &[RecordBatch]) -> Result<Vec<Row>, ApiError> {
    if batches.iter().all(|b| b.num_rows() == 0) {
        return Ok(Vec::new());
    }
    let mut w = WriterBuilder::new()
        .with_explicit_nulls(true)
        .build::<_, JsonArray>(Vec::new());
    for b in batches {
        w.write(b).map_err(ApiError::internal)?;
    }
    w.finish().map_err(ApiError::internal)?;
    let bytes = w.into_inner();
    serde_json::from_slice(&bytes).map_err(ApiError::internal)
}

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

/// An integer field of a row (0 when null or absent).
pub(crate) fn i(r: &Row, key: &str) -> i64 {
    r.get(key).and_then(Value::as_i64).unwrap_or(0)
}
