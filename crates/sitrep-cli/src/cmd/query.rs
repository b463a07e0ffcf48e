//! `sitrep query` and `sitrep sources`.

use super::read_store;
use crate::args::{Cli, QueryArgs, SourcesArgs};
use crate::output::print;
use std::process::ExitCode;

pub async fn query(cli: &Cli, a: &QueryArgs) -> anyhow::Result<ExitCode> {
    let store = read_store(&cli.store).await?;
    let batches = store.user_sql(&a.sql).await?;
    print(&batches, a.format)?;
    Ok(ExitCode::SUCCESS)
}

/// `sitrep verify`: every file hashed, whatever the verification cache says.
pub async fn verify(cli: &Cli) -> anyhow::Result<ExitCode> {
    let store = match &cli.store {
        Some(dir) => sitrep_store::Store::open(dir)?,
        None => sitrep_workspace::bundled::open().await?.into_store(),
    };
    let files = store.verify()?;
    let bytes: u64 = store.manifest().all_files().map(|f| f.bytes).sum();
    println!(
        "{files} files ({:.1} MB) match their checksums in {}",
        bytes as f64 / 1e6,
        store.root().join("manifest.json").display()
    );
    Ok(ExitCode::SUCCESS)
}

pub async fn sources(cli: &Cli, a: &SourcesArgs) -> anyhow::Result<ExitCode> {
    let store = read_store(&cli.store).await?;
    let batches = store.snapshot().await?.sources_report().await?;
    print(&batches, a.format)?;
    if !cli.quiet {
        eprintln!("store: {}", store.root().display());
    }
    Ok(ExitCode::SUCCESS)
}
