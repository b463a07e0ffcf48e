//! `sitrep export`.

use super::read_store;
use crate::args::{Cli, ExportArgs};
use crate::Failure;
use sitrep_store::ExportFormat;
use std::process::ExitCode;

pub async fn run(cli: &Cli, a: &ExportArgs) -> anyhow::Result<ExitCode> {
    let format: ExportFormat = a.format.parse().map_err(Failure::Input)?;
    let filters = a.filter.to_filters()?;
    let store = read_store(&cli.store).await?;
    // Every filter flag counts (actors, provinces, regions too), compiled as the
    // series are, so an export holds exactly the records a series counts.
    let predicate = sitrep_analysis::Analysis::new(&store)
        .await
        .and_then(|a| a.predicate(&filters))
        .map_err(super::series::input_or)?;
    let cols = if !a.columns.is_empty() {
        select_list(&store, &a.columns, format).await?
    } else if a.raw {
        "*".to_string()
    } else {
        "* EXCLUDE (raw)".to_string()
    };
    let sql = format!(
        "SELECT {cols} FROM incidents WHERE {predicate} ORDER BY date_start, source, source_event_id"
    );
    let batches = store.sql(&sql).await?;
    let (n, skipped) = sitrep_store::export(&batches, format, &a.output)?;
    if !cli.quiet {
        let extra = if skipped > 0 {
            format!(" ({skipped} without coordinates left out)")
        } else {
            String::new()
        };
        eprintln!(
            "wrote {n} incidents to {}{extra}; filter: {}",
            a.output.display(),
            filters.describe()
        );
    }
    Ok(ExitCode::SUCCESS)
}

/// The SELECT list for `--columns`: each name checked against `incidents` (an unknown
/// one is an input error naming the columns there are), quoted, and for GeoJSON the
/// coordinates added when missing.
async fn select_list(
    store: &sitrep_store::Store,
    wanted: &[String],
    format: ExportFormat,
) -> anyhow::Result<String> {
    let ctx = store.context().await?;
    let schema = ctx.table("incidents").await?.schema().as_arrow().clone();
    let have: Vec<&str> = schema.fields().iter().map(|f| f.name().as_str()).collect();
    let mut cols: Vec<String> = Vec::new();
    for w in wanted.iter().map(|w| w.trim()).filter(|w| !w.is_empty()) {
        if !have.contains(&w) {
            return Err(Failure::Input(format!(
                "--columns {w}: `incidents` has no such column; it has {}",
                have.join(", ")
            ))
            .into());
        }
        if !cols.iter().any(|c| c == w) {
            cols.push(w.to_string());
        }
    }
    if cols.is_empty() {
        return Err(Failure::Input("--columns: name at least one column".into()).into());
    }
    if format == ExportFormat::GeoJson {
        for c in ["latitude", "longitude"] {
            if !cols.iter().any(|x| x == c) {
                cols.push(c.to_string());
            }
        }
    }
    Ok(cols
        .iter()
        .map(|c| format!("\"{}\"", c.replace('"', "\"\"")))
        .collect::<Vec<_>>()
        .join(", "))
}
