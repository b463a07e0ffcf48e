//! One module per command; each turns its arguments into one library call.

mod export;
mod ingest;
mod query;

use crate::args::{Cli, Command};
use std::process::ExitCode;

/// Opens the store named by `--store`, or the bundled one.
pub async fn read_store(
    cli_store: &Option<std::path::PathBuf>,
) -> anyhow::Result<sitrep_store::Store> {
    match cli_store {
        Some(dir) => Ok(sitrep_store::Store::open(dir)?),
        None => crate::bundled::open().await,
    }
}

/// Runs the chosen command.
pub async fn dispatch(cli: Cli) -> anyhow::Result<ExitCode> {
    match &cli.command {
        Command::Ingest(a) => ingest::run(&cli, a).await,
        Command::Sources(a) => query::sources(&cli, a).await,
        Command::Query(a) => query::query(&cli, a).await,
        Command::Export(a) => export::run(&cli, a).await,
    }
}
