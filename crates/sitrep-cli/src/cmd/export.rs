//! `sitrep export`.

use super::read_store;
use crate::args::{Cli, ExportArgs};
use crate::Failure;
use sitrep_store::ExportFormat;
use std::process::ExitCode;

pub async fn run(cli: &Cli, a: &ExportArgs) -> anyhow::Result<ExitCode> {
    let format: ExportFormat = a.format.parse().map_err(Failure::Input)?;
    let filter = a.filter.to_filter()?;
    let store = read_store(&cli.store).await?;
    let cols = if a.raw {
        "*".to_string()
    } else {
        "* EXCLUDE (raw)".to_string()
    };
    let mut pred = filter.to_sql();
    if !a.filter.attribution.is_empty() {
        if !store.has_attribution() {
            return Err(Failure::Input(
                "--attribution needs attribution verdicts: this store has no claims journal".into(),
            )
            .into());
        }
        let list: Vec<String> = a
            .filter
            .attribution
            .iter()
            .map(|s| format!("'{}'", s.as_str()))
            .collect();
        pred = format!("({pred}) AND attribution IN ({})", list.join(", "));
    }
    let sql = format!(
        "SELECT {cols} FROM incidents WHERE {pred} ORDER BY date_start, source, source_event_id"
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
            filter.describe()
        );
    }
    Ok(ExitCode::SUCCESS)
}
