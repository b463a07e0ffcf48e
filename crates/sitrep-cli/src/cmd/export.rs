//! `sitrep export`.

use super::{read_store, resolver};
use crate::args::{Cli, ExportArgs};
use crate::Failure;
use sitrep_store::query::QueryError;
use sitrep_store::{ExportColumns, ExportFormat, ExportOrder, StoreError};
use std::process::ExitCode;

pub async fn run(cli: &Cli, a: &ExportArgs) -> anyhow::Result<ExitCode> {
    let format: ExportFormat = a.format.parse().map_err(Failure::Input)?;
    let filters = a.filter.to_filters()?;
    // Names become registry ids and province codes as for series, so an export
    // holds exactly the records a series counts (one compiler, in the store).
    let r = resolver(&cli.store)?;
    let canonical =
        sitrep_resolve::filters::canonical(&filters, Some(r.registry()), Some(r.gazetteer()))
            .map_err(|e| Failure::Input(e.to_string()))?;
    let columns = if !a.columns.is_empty() {
        ExportColumns::Only(a.columns.clone())
    } else if a.raw {
        ExportColumns::All
    } else {
        ExportColumns::AllButRaw
    };
    let order = if a.unordered {
        ExportOrder::AsStored
    } else {
        ExportOrder::OldestFirst
    };
    let store = read_store(&cli.store).await?;
    let (n, skipped) = store
        .snapshot()
        .await?
        .export_incidents(&canonical, &columns, order, format, &a.output)
        .await
        .map_err(columns_flag)?;
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

/// A column error names the flag it came from.
fn columns_flag(e: StoreError) -> anyhow::Error {
    match e {
        StoreError::Filter(QueryError::UnknownColumn { column, known }) => Failure::Input(format!(
            "--columns {column}: `incidents` has no such column; it has {}",
            known.join(", ")
        ))
        .into(),
        StoreError::Filter(QueryError::NoColumns) => {
            Failure::Input("--columns: name at least one column".into()).into()
        }
        other => other.into(),
    }
}
