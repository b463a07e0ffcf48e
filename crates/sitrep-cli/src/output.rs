//! Printing query results as a table, CSV or JSON.

use crate::args::OutFormat;
use sitrep_store::QueryResult;
use std::io::Write;

/// Prints a query's rows to standard output.
pub fn print(rows: &QueryResult, format: OutFormat) -> anyhow::Result<()> {
    let mut out = buffered();
    match format {
        OutFormat::Table => writeln!(out, "{}", rows.to_table()?)?,
        OutFormat::Csv => {
            rows.write_csv(&mut out)?;
        }
        OutFormat::Json => {
            rows.write_json(&mut out)?;
            writeln!(out)?;
        }
    }
    out.flush()?;
    Ok(())
}

/// Standard output behind one large buffer: results are written in a few system
/// calls rather than one per line (a weekly series by actor is thousands of lines).
fn buffered() -> std::io::BufWriter<std::io::StdoutLock<'static>> {
    std::io::BufWriter::with_capacity(1 << 16, std::io::stdout().lock())
}

/// Prints serialisable rows (objects with the same keys) as a table, CSV or JSON.
pub fn print_rows<T: serde::Serialize>(rows: &[T], format: OutFormat) -> anyhow::Result<()> {
    let values: Vec<serde_json::Value> = rows
        .iter()
        .map(serde_json::to_value)
        .collect::<Result<_, _>>()?;
    let mut out = buffered();
    if format == OutFormat::Json {
        serde_json::to_writer_pretty(&mut out, &values)?;
        writeln!(out)?;
        out.flush()?;
        return Ok(());
    }
    let keys: Vec<String> = values
        .first()
        .and_then(|v| v.as_object())
        .map(|o| o.keys().cloned().collect())
        .unwrap_or_default();
    let table_format = format == OutFormat::Table;
    let cell = |v: &serde_json::Value| match v {
        serde_json::Value::Null => String::new(),
        // Tables are for people: a fraction shows 2 decimals (3 significant digits
        // below 1), never 15; CSV and JSON keep the raw value.
        serde_json::Value::Number(n) if table_format && n.is_f64() => {
            n.as_f64().map(human).unwrap_or_else(|| n.to_string())
        }
        serde_json::Value::String(s) => s.clone(),
        serde_json::Value::Array(a) => a
            .iter()
            .map(|x| {
                x.as_str()
                    .map(String::from)
                    .unwrap_or_else(|| x.to_string())
            })
            .collect::<Vec<_>>()
            .join("; "),
        other => other.to_string(),
    };
    let table: Vec<Vec<String>> = values
        .iter()
        .map(|v| keys.iter().map(|k| cell(&v[k])).collect())
        .collect();
    if format == OutFormat::Csv {
        let mut w = csv_line(&keys);
        for r in &table {
            w.push_str(&csv_line(r));
        }
        out.write_all(w.as_bytes())?;
        out.flush()?;
        return Ok(());
    }
    let widths: Vec<usize> = keys
        .iter()
        .enumerate()
        .map(|(i, k)| {
            table
                .iter()
                .map(|r| r[i].chars().count().min(60))
                .chain([k.len()])
                .max()
                .unwrap_or(0)
        })
        .collect();
    let line = |cells: &[String]| {
        cells
            .iter()
            .zip(&widths)
            .map(|(c, w)| {
                let c: String = c.chars().take(60).collect();
                format!("{c:<w$}")
            })
            .collect::<Vec<_>>()
            .join("  ")
    };
    writeln!(out, "{}", line(&keys).trim_end())?;
    for r in &table {
        writeln!(out, "{}", line(r).trim_end())?;
    }
    out.flush()?;
    Ok(())
}

/// Prints one serialisable value as pretty JSON (table and CSV formats print JSON too:
/// nested detail does not fit a table).
pub fn print_one<T: serde::Serialize>(value: &T) -> anyhow::Result<()> {
    println!("{}", serde_json::to_string_pretty(value)?);
    Ok(())
}

/// A float for a table: integers as they are, otherwise 2 decimals from 1 up and 3
/// significant digits below (0.0294811 → 0.0295), trailing zeros dropped.
fn human(x: f64) -> String {
    if !x.is_finite() {
        return String::new();
    }
    if x.fract() == 0.0 && x.abs() < 1e15 {
        return format!("{x:.0}");
    }
    let decimals = if x.abs() >= 1.0 {
        2
    } else {
        // Digits after the point up to the third significant one.
        (2 - x.abs().log10().floor() as i32).clamp(3, 12) as usize
    };
    let s = format!("{x:.decimals$}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    if s == "-0" {
        "0".into()
    } else {
        s.to_string()
    }
}

fn csv_line(cells: &[String]) -> String {
    let q: Vec<String> = cells
        .iter()
        .map(|c| {
            if c.contains([',', '"', '\n']) {
                format!("\"{}\"", c.replace('"', "\"\""))
            } else {
                c.clone()
            }
        })
        .collect();
    q.join(",") + "\n"
}

#[cfg(test)]
mod tests {
    use super::human;

    #[test]
    fn table_numbers_are_for_people() {
        assert_eq!(human(24.323124722592098), "24.32");
        assert_eq!(human(97.78891509433963), "97.79");
        assert_eq!(human(0.0294811320754717), "0.0295");
        assert_eq!(human(0.5), "0.5");
        assert_eq!(human(3.0), "3");
        assert_eq!(human(16038.0), "16038");
        assert_eq!(human(-1.005), "-1");
        assert_eq!(human(f64::NAN), "");
    }
}
