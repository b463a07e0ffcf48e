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
    let sql = "SELECT b.batch, b.source, b.adapter, b.file, substr(b.input_blake3, 1, 16) AS input_blake3, b.committed_at, \
               b.read, b.new, b.updated, b.unchanged, b.folded, b.rejected, b.deleted, \
               s.current_incidents, s.first_date, s.last_date, b.coverage \
               FROM batches b LEFT JOIN (SELECT batch, count(*) AS current_incidents, min(date_start) AS first_date, max(date_start) AS last_date \
               FROM incidents GROUP BY batch) s ON s.batch = b.batch ORDER BY b.batch";
    let batches = store.sql(sql).await?;
    print(&batches, a.format)?;
    if !cli.quiet {
        eprintln!("store: {}", store.root().display());
    }
    Ok(ExitCode::SUCCESS)
}
