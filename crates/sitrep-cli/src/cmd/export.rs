//! `sitrep export`.

use super::read_store;
use crate::args::{Cli, ExportArgs};
use crate::Failure;
use sitrep_store::ExportFormat;
use std::process::ExitCode;

pub async fn run(cli: &Cli, a: &ExportArgs) -> anyhow::Result<ExitCode> {
    let format: ExportFormat = a.format.parse().map_err(Failure::Input)?;
    a.filter.to_filter()?; // checks event types and the date range
    let filters = a.filter.to_filters()?;
    let store = read_store(&cli.store).await?;
    // Every filter flag counts (actors, provinces, regions too), compiled as the
    // series are, so an export holds exactly the records a series counts.
    let predicate = sitrep_analysis::Analysis::new(&store)
        .await
        .and_then(|a| a.predicate(&filters))
        .map_err(super::series::input_or)?;
    let cols = if a.raw {
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
