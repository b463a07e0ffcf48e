//! One module per command; each turns its arguments into one library call.

mod check;
pub mod claims;
mod export;
mod figure;
mod forecast;
mod graph;
mod ingest;
mod matching;
mod places;
mod query;
mod series;
mod serve;
pub mod users;
mod watch;

use crate::args::{Cli, Command};
use std::process::ExitCode;

/// Opens the workspace of `--store`, or the bundled one, for reading: enrichment
/// (places, actors) and rollup brought up to date with this binary's gazetteer and
/// registry, verdicts attached.
pub async fn workspace(
    cli_store: &Option<std::path::PathBuf>,
) -> anyhow::Result<sitrep_workspace::Workspace> {
    Ok(match cli_store {
        Some(dir) => sitrep_workspace::Workspace::open(dir).await?,
        None => sitrep_workspace::bundled::open().await?,
    })
}

/// The store of [`workspace`], for commands that only read it.
pub async fn read_store(
    cli_store: &Option<std::path::PathBuf>,
) -> anyhow::Result<sitrep_store::Store> {
    Ok(workspace(cli_store).await?.into_store())
}

/// When the store has a claims journal: verifies it and gives the store its
/// `attribution` column (verdicts as of `as_of`).
pub async fn attach_claims(
    store: &mut sitrep_store::Store,
    as_of: sitrep_claims::AsOf,
) -> anyhow::Result<()> {
    let ledger = sitrep_claims::Ledger::for_store(store.root());
    if ledger.users().path().exists() {
        // A damaged users file is refused like a damaged journal (exit code 3).
        ledger.users().list().map_err(claims::ledger_err)?;
    }
    if ledger.exists() {
        sitrep_claims::attach_attribution(store, &ledger, as_of)
            .await
            .map_err(claims::ledger_err)?;
    }
    Ok(())
}

/// The resolver for `--store` (bundled gazetteer and registry plus the journal's
/// actor aliases), built for this command.
pub fn resolver(
    cli_store: &Option<std::path::PathBuf>,
) -> anyhow::Result<sitrep_resolve::Resolver> {
    Ok(sitrep_workspace::resolver_for(cli_store.as_deref())?)
}

/// Draws a long job's progress on standard error (hidden when quiet, or for small
/// inputs): the CLI's [`sitrep_workspace::Progress`].
pub(crate) struct Bar {
    bar: indicatif::ProgressBar,
    template: &'static str,
    min: u64,
}

impl Bar {
    /// A bar for bytes read (shown for inputs of 8 MiB or more).
    pub(crate) fn bytes(quiet: bool) -> Bar {
        Bar::new(
            quiet,
            "{msg} [{bar:30}] {bytes}/{total_bytes} {bytes_per_sec} eta {eta}",
            8 << 20,
        )
    }
    /// A bar for records matched.
    pub(crate) fn records(quiet: bool) -> Bar {
        Bar::new(quiet, "{msg} [{bar:30}] {pos}/{len} records, eta {eta}", 1)
    }
    fn new(quiet: bool, template: &'static str, min: u64) -> Bar {
        let bar = if quiet {
            indicatif::ProgressBar::hidden()
        } else {
            indicatif::ProgressBar::new(0)
        };
        Bar { bar, template, min }
    }
}

impl sitrep_workspace::Progress for Bar {
    fn start(&self, what: &str, total: u64) {
        if total < self.min {
            self.bar
                .set_draw_target(indicatif::ProgressDrawTarget::hidden());
        }
        self.bar.reset();
        self.bar.set_length(total);
        self.bar.set_style(
            indicatif::ProgressStyle::with_template(self.template).expect("valid template"),
        );
        self.bar.set_message(what.to_string());
    }
    fn advance(&self, n: u64) {
        self.bar.inc(n);
    }
    fn finish(&self) {
        self.bar.finish_and_clear();
    }
}

/// Runs the chosen command.
pub async fn dispatch(cli: Cli) -> anyhow::Result<ExitCode> {
    match &cli.command {
        Command::Ingest(a) => ingest::run(&cli, a).await,
        Command::Sources(a) => query::sources(&cli, a).await,
        Command::Verify => query::verify(&cli).await,
        Command::Query(a) => query::query(&cli, a).await,
        Command::Export(a) => export::run(&cli, a).await,
        Command::Places(a) => places::places(&cli, a).await,
        Command::Actors(a) => places::actors(&cli, a).await,
        Command::Series(a) => series::series(&cli, a).await,
        Command::Compare(a) => series::compare(&cli, a).await,
        Command::Forecast(a) => forecast::run(&cli, a).await,
        Command::Figure(a) => figure::figure(&cli, a).await,
        Command::Report(a) => figure::report(&cli, a).await,
        Command::Serve(a) => serve::serve(&cli, a).await,
        Command::Claims(a) => claims::claims(&cli, a).await,
        Command::Journal(a) => claims::journal(&cli, a).await,
        Command::Users(a) => users::users(&cli, a).await,
        Command::Check(a) => check::run(&cli, a).await,
        Command::Match(a) => matching::run(&cli, a).await,
        Command::Incidents(a) => matching::incidents(&cli, a).await,
        Command::Changes(a) => watch::changes(&cli, a).await,
        Command::Watch(a) => watch::watch(&cli, a).await,
    }
}
