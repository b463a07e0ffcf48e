//! The CSV behind a figure: every plotted value, provenance as leading `#` lines.

use crate::layout::footer_lines;
use sitrep_model::figure::{FigureData, FigureKind, FigureSpec};

/// Column names of a series CSV.
pub const SERIES_HEADER: [&str; 7] = [
    "bucket_start",
    "line",
    "value",
    "raw_value",
    "low",
    "high",
    "coverage",
];
/// Column names of a map CSV (`layer` is `area` or `point`).
pub const MAP_HEADER: [&str; 11] = [
    "layer",
    "code",
    "name",
    "lat",
    "lon",
    "value",
    "incidents",
    "fatalities_low",
    "fatalities_best",
    "fatalities_high",
    "coverage",
];

fn opt<T: ToString>(v: Option<T>) -> String {
    v.map(|v| v.to_string()).unwrap_or_default()
}

/// A number cell: empty when not given or not a number (an unknown high), never `NaN`.
fn number(v: Option<f64>) -> String {
    v.filter(|v| v.is_finite())
        .map(|v| v.to_string())
        .unwrap_or_default()
}

/// Leading comment lines: figure, provenance, comparisons. Newlines in text are
/// flattened so every comment stays one line.
pub fn comment_lines(spec: &FigureSpec, data: &FigureData) -> Vec<String> {
    let flat = |s: &str| s.replace(['\n', '\r'], " ");
    let mut lines = vec![format!("figure: {} ({})", flat(&spec.title), spec.id)];
    // Same text as the SVG footer, without wrapping.
    lines.extend(
        footer_lines(&data.provenance, f64::INFINITY, 10.0)
            .iter()
            .map(|l| flat(l)),
    );
    for c in &data.comparisons {
        lines.push(format!(
            "comparison: {}: {} (count_a={}, weeks_a={:.2}, rate_a={:.4}; count_b={}, weeks_b={:.2}, rate_b={:.4})",
            flat(&c.label),
            c.describe(),
            c.count_a,
            c.weeks_a,
            c.rate_a,
            c.count_b,
            c.weeks_b,
            c.rate_b
        ));
    }
    lines
}

/// Renders the CSV of every plotted value of a figure.
///
/// Series: one row per bucket and line (`bucket_start,line,value,raw_value,low,high,
/// coverage`). Maps: one row per area and per point (`layer,code,name,lat,lon,value,
/// incidents,fatalities_low,fatalities_best,fatalities_high,coverage`). A figure with
/// both has the series rows first, then a blank line and the map rows. Empty cells
/// mean "not given"; `coverage` is `complete`, `partial`, `partial 0.42` (the share
/// of events the sources are expected to hold) or `none` (no source covers the
/// bucket or period: its value is empty, never 0).
pub fn render_csv(spec: &FigureSpec, data: &FigureData) -> String {
    let mut out = String::new();
    for line in comment_lines(spec, data) {
        out.push_str("# ");
        out.push_str(&line);
        out.push('\n');
    }
    // Only what is drawn: a choropleth shows points only when `map.points` asks.
    let points: &[sitrep_model::figure::MapPoint] = if spec.kind == FigureKind::Points
        || spec.map.as_ref().is_some_and(|m| m.points.is_some())
    {
        &data.points
    } else {
        &[]
    };
    let map_rows = data.areas.is_some() || !points.is_empty();
    if let Some(frame) = &data.series {
        if !spec.kind.is_map() || !map_rows {
            let mut w = csv::Writer::from_writer(Vec::new());
            let _ = w.write_record(SERIES_HEADER);
            for line in &frame.lines {
                for (i, start) in frame.starts.iter().enumerate() {
                    let value = line.values.get(i).copied().flatten();
                    let raw = if line.raw_values.is_empty() {
                        value
                    } else {
                        line.raw_values.get(i).copied().flatten()
                    };
                    let _ = w.write_record([
                        start.to_string(),
                        line.label.clone(),
                        number(value),
                        number(raw),
                        number(line.low.as_ref().and_then(|v| v.get(i)).copied().flatten()),
                        number(line.high.as_ref().and_then(|v| v.get(i)).copied().flatten()),
                        frame.coverage.get(i).map(|c| c.cell()).unwrap_or_default(),
                    ]);
                }
            }
            out.push_str(
                &String::from_utf8(w.into_inner().unwrap_or_default()).unwrap_or_default(),
            );
            if map_rows {
                out.push('\n');
            }
        }
    }
    if map_rows {
        let mut w = csv::Writer::from_writer(Vec::new());
        let _ = w.write_record(MAP_HEADER);
        if let Some(a) = &data.areas {
            // A period no selected source covers has no counts at all: empty cells.
            let covered = a.coverage.is_covered() || a.coverage.days == 0;
            let cell = if a.coverage.days == 0 {
                String::new()
            } else {
                a.coverage.cell()
            };
            for r in &a.rows {
                let known = |v: String| if covered { v } else { String::new() };
                let _ = w.write_record([
                    "area".to_string(),
                    r.code.clone(),
                    r.name.clone(),
                    String::new(),
                    String::new(),
                    number(r.value),
                    known(r.incidents.to_string()),
                    known(opt(r.fatalities_low)),
                    known(opt(r.fatalities_best)),
                    known(opt(r.fatalities_high)),
                    cell.clone(),
                ]);
            }
        }
        for p in points {
            let _ = w.write_record([
                "point".to_string(),
                String::new(),
                p.label.clone(),
                p.lat.to_string(),
                p.lon.to_string(),
                number(Some(p.value)),
                String::new(),
                String::new(),
                String::new(),
                String::new(),
                String::new(),
            ]);
        }
        out.push_str(&String::from_utf8(w.into_inner().unwrap_or_default()).unwrap_or_default());
    }
    out
}
