//! `sitrep ingest`: parse the flags, one [`sitrep_workspace::Workspace::ingest`] call,
//! print what happened to each file.

use crate::args::{Cli, IngestArgs};
use crate::Failure;
use sitrep_ingest::Format;
use sitrep_workspace::{CoverageFrom, IngestInput, Workspace};
use std::process::ExitCode;

pub async fn run(cli: &Cli, a: &IngestArgs) -> anyhow::Result<ExitCode> {
    let Some(dir) = &cli.store else {
        return Err(Failure::Input(
            "ingest needs a store: pass --store DIR (created if missing) or set SITREP_STORE; the bundled data is read-only".into(),
        )
        .into());
    };
    let format: Format = a.format.parse().map_err(Failure::Input)?;
    let mut inputs = Vec::with_capacity(a.paths.len());
    for path in &a.paths {
        let mut input = IngestInput::file(path, format.clone())?;
        input.source.clone_from(&a.source);
        input.quarantine = a.quarantine;
        input.strict = a.strict;
        if let Some(c) = &a.coverage {
            input.coverage = CoverageFrom::File(c.clone());
        }
        inputs.push(input);
    }
    let mut ws = Workspace::create(dir)?;
    let user = super::claims::cli_user(&std::env::var("SITREP_USER").ok());
    let report = ws
        .ingest(inputs, &user, &super::Bar::bytes(cli.quiet))
        .await?;
    for f in &report.files {
        if let (Some((from, c)), false) = (&f.coverage, cli.quiet) {
            eprintln!("{}: coverage from {from}: {}", f.name, c.describe());
        }
        match &f.result {
            Ok(outcome) => {
                for e in &outcome.errors {
                    eprintln!("quarantined: {e}");
                }
                const SHOW: usize = 10;
                for w in outcome.warnings.iter().take(SHOW) {
                    eprintln!("warning: {w}");
                }
                if outcome.warnings.len() > SHOW {
                    eprintln!(
                        "warning: … and {} more repaired rows; list them with: sitrep query --sql \"SELECT file, line, quality FROM records WHERE quality IS NOT NULL\"",
                        outcome.warnings.len() - SHOW
                    );
                }
                let what = match outcome.batch {
                    Some(b) => format!("batch {b}"),
                    None => "nothing to commit".into(),
                };
                eprintln!(
                    "{}: {} → source {}: {} ({what})",
                    f.name, f.adapter, f.source, outcome.counts
                );
                if let Some(c) = &f.claims {
                    eprintln!(
                        "claims: {} from source {}: {} added, {} changed, {} unchanged{}",
                        c.made,
                        c.source,
                        c.added,
                        c.changed,
                        c.unchanged,
                        c.entry
                            .map(|s| format!(" (journal entry {s})"))
                            .unwrap_or_default()
                    );
                }
            }
            Err(errors) => {
                for e in errors {
                    eprintln!("{e}");
                }
                eprintln!(
                    "{}: refused: {} bad row(s); nothing from this file was stored. Fix the rows, or pass --quarantine to store the good rows and keep the bad ones in the quarantine table.",
                    f.name,
                    errors
                        .iter()
                        .map(|e| (e.file.clone(), e.line))
                        .collect::<std::collections::BTreeSet<_>>()
                        .len()
                );
            }
        }
    }
    if report.files.len() > 1 {
        eprintln!("total: {}", report.total);
    }
    if report.enriched > 0 && !cli.quiet {
        eprintln!("places and actors: {} records enriched", report.enriched);
    }
    let (records, rows) = report.rollup;
    if rows > 0 && !cli.quiet {
        eprintln!(
            "rollup: {records} incidents in {rows} rows (day × actors × province × type × precision × source × band)"
        );
    }
    Ok(if report.refused() {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}
