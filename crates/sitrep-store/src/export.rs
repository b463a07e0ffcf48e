//! Writing query results to CSV, Parquet or GeoJSON, atomically.

use crate::StoreError;
use datafusion::arrow::array::{Array, AsArray, RecordBatch};
use datafusion::arrow::datatypes::{DataType, Float64Type};
use datafusion::arrow::util::display::{ArrayFormatter, FormatOptions};
use datafusion::parquet::arrow::ArrowWriter;
use std::io::Write;
use std::path::Path;

/// Output formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExportFormat {
    /// Comma-separated, with a header.
    Csv,
    /// Apache Parquet (zstd).
    Parquet,
    /// A GeoJSON FeatureCollection of points (`latitude`/`longitude` columns); rows
    /// without coordinates are counted and left out.
    GeoJson,
    /// JSON array of objects.
    Json,
}

impl std::str::FromStr for ExportFormat {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        Ok(match s {
            "csv" => ExportFormat::Csv,
            "parquet" => ExportFormat::Parquet,
            "geojson" => ExportFormat::GeoJson,
            "json" => ExportFormat::Json,
            _ => {
                return Err(format!(
                    "unknown export format `{s}`; expected csv, parquet, geojson or json"
                ))
            }
        })
    }
}

/// Writes batches to `out` in `format`, through a temporary file renamed into place.
/// Returns (rows written, rows left out for lack of coordinates).
pub fn export(
    batches: &[RecordBatch],
    format: ExportFormat,
    out: &Path,
) -> Result<(u64, u64), StoreError> {
    let dir = out
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let tmp = dir.join(format!(
        ".{}.{}.tmp",
        out.file_name().and_then(|n| n.to_str()).unwrap_or("export"),
        std::process::id()
    ));
    let file = std::fs::File::create(&tmp).map_err(StoreError::io(&tmp))?;
    let result = write_to(batches, format, file);
    match result {
        Ok((n, skipped, f)) => {
            f.sync_all().map_err(StoreError::io(&tmp))?;
            std::fs::rename(&tmp, out).map_err(StoreError::io(out))?;
            Ok((n, skipped))
        }
        Err(e) => {
            let _ = std::fs::remove_file(&tmp);
            Err(e)
        }
    }
}

/// Writes batches as CSV text to any writer.
pub fn write_csv<W: Write>(batches: &[RecordBatch], w: W) -> Result<W, StoreError> {
    let mut writer = datafusion::arrow::csv::WriterBuilder::new()
        .with_header(true)
        .build(w);
    for b in batches {
        writer.write(b)?;
    }
    Ok(writer.into_inner())
}

fn write_to(
    batches: &[RecordBatch],
    format: ExportFormat,
    file: std::fs::File,
) -> Result<(u64, u64, std::fs::File), StoreError> {
    let rows: u64 = batches.iter().map(|b| b.num_rows() as u64).sum();
    match format {
        ExportFormat::Csv => {
            let f = write_csv(batches, std::io::BufWriter::new(file))?;
            Ok((
                rows,
                0,
                f.into_inner()
                    .map_err(|e| StoreError::Query(e.to_string()))?,
            ))
        }
        ExportFormat::Json => {
            let mut w = datafusion::arrow::json::ArrayWriter::new(std::io::BufWriter::new(file));
            for b in batches {
                w.write(b)?;
            }
            w.finish()?;
            let f = w
                .into_inner()
                .into_inner()
                .map_err(|e| StoreError::Query(e.to_string()))?;
            Ok((rows, 0, f))
        }
        ExportFormat::Parquet => {
            let schema = batches
                .first()
                .map(|b| b.schema())
                .unwrap_or_else(crate::schema::records);
            let mut w = ArrowWriter::try_new(file, schema, None)?;
            for b in batches {
                w.write(b)?;
            }
            Ok((rows, 0, w.into_inner()?))
        }
        ExportFormat::GeoJson => {
            let mut w = std::io::BufWriter::new(file);
            let (n, skipped) = write_geojson(batches, &mut w)?;
            let f = w
                .into_inner()
                .map_err(|e| StoreError::Query(e.to_string()))?;
            Ok((n, skipped, f))
        }
    }
}

fn write_geojson<W: Write>(batches: &[RecordBatch], w: &mut W) -> Result<(u64, u64), StoreError> {
    let io = |e| StoreError::Io {
        path: "export".into(),
        source: e,
    };
    w.write_all(b"{\"type\":\"FeatureCollection\",\"features\":[")
        .map_err(io)?;
    let (mut n, mut skipped, mut first) = (0u64, 0u64, true);
    let opts = FormatOptions::default();
    for b in batches {
        let schema = b.schema();
        let (Ok(lat_i), Ok(lon_i)) = (schema.index_of("latitude"), schema.index_of("longitude"))
        else {
            return Err(StoreError::Query(
                "GeoJSON export needs `latitude` and `longitude` columns".into(),
            ));
        };
        let lat = b.column(lat_i).as_primitive::<Float64Type>();
        let lon = b.column(lon_i).as_primitive::<Float64Type>();
        let fmts: Vec<ArrayFormatter> = b
            .columns()
            .iter()
            .map(|c| ArrayFormatter::try_new(c.as_ref(), &opts))
            .collect::<Result<_, _>>()?;
        for row in 0..b.num_rows() {
            if lat.is_null(row) || lon.is_null(row) {
                skipped += 1;
                continue;
            }
            let mut props = serde_json::Map::new();
            for (i, f) in schema.fields().iter().enumerate() {
                if i == lat_i || i == lon_i || f.name() == "raw" {
                    continue;
                }
                let col = b.column(i);
                let v = if col.is_null(row) {
                    serde_json::Value::Null
                } else {
                    match col.data_type() {
                        DataType::Int64 | DataType::Int32 | DataType::Float64 => {
                            serde_json::from_str(&fmts[i].value(row).to_string())
                                .unwrap_or(serde_json::Value::Null)
                        }
                        _ => serde_json::Value::String(fmts[i].value(row).to_string()),
                    }
                };
                props.insert(f.name().clone(), v);
            }
            let feature = serde_json::json!({
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [lon.value(row), lat.value(row)]},
                "properties": props,
            });
            if !first {
                w.write_all(b",").map_err(io)?;
            }
            first = false;
            serde_json::to_writer(&mut *w, &feature)
                .map_err(|e| StoreError::Query(e.to_string()))?;
            n += 1;
        }
    }
    w.write_all(b"]}\n").map_err(io)?;
    Ok((n, skipped))
}
