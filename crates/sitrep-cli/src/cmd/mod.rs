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

/// Matches two sources of the bundled store into incidents (quietly).
pub(crate) async fn bundle_match(
    store: &mut sitrep_store::Store,
    sources: &[&str],
) -> anyhow::Result<()> {
    matching::match_sources(store, sources, true).await
}

/// Imports the claims of a bundled source read through a bundled mapping of the same
/// name.
pub(crate) async fn bundle_claims(
    store: &sitrep_store::Store,
    mapping: &str,
    file: &str,
) -> anyhow::Result<()> {
    let m = sitrep_ingest::bundled_mappings()
        .into_iter()
        .find(|m| m.name == mapping)
        .ok_or_else(|| anyhow::anyhow!("no bundled mapping {mapping}"))?;
    let rules =
        sitrep_claims::ClaimRules::from_tables(&m.claims, mapping).map_err(claims::ledger_err)?;
    let source = m.source.clone().unwrap_or_else(|| m.name.clone());
    claims::import_mapped_quiet(store, &source, &rules, file, mapping, true).await
}

/// Opens the store named by `--store`, or the bundled one, and brings its enrichment
/// (places, actors) up to date with this binary's gazetteer and registry.
pub async fn read_store(
    cli_store: &Option<std::path::PathBuf>,
) -> anyhow::Result<sitrep_store::Store> {
    let mut store = match cli_store {
        Some(dir) => sitrep_store::Store::open(dir)?,
        None => crate::bundled::open().await?,
    };
    let resolver = resolver()?;
    if store.enrichment_stale(&sitrep_model::Enricher::version(resolver)) {
        match store.enrich(resolver) {
            Ok(_) => {}
            // Another process is writing: read what is there; enrichment catches up later.
            Err(sitrep_store::StoreError::Locked { .. }) => {}
            Err(e) => return Err(e.into()),
        }
    }
    // The rollup follows the store; rebuilt here when something made it stale.
    if !store.rollup_current() {
        match store.build_rollup().await {
            Ok(_) | Err(sitrep_store::StoreError::Locked { .. }) => {}
            Err(e) => return Err(e.into()),
        }
    }
    attach_claims(&mut store, sitrep_claims::AsOf::Now).await?;
    Ok(store)
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

/// The store whose journal's actor aliases [`resolver`] adds (set once by [`dispatch`]).
static STORE: std::sync::OnceLock<Option<std::path::PathBuf>> = std::sync::OnceLock::new();

/// The bundled gazetteer and actor registry, plus the actor aliases analysts added to
/// the store's journal (loaded once).
pub fn resolver() -> anyhow::Result<&'static sitrep_resolve::Resolver> {
    static R: std::sync::OnceLock<sitrep_resolve::Resolver> = std::sync::OnceLock::new();
    if let Some(r) = R.get() {
        return Ok(r);
    }
    let r = build_resolver(STORE.get().and_then(|s| s.as_deref()))?;
    Ok(R.get_or_init(|| r))
}

/// The resolver for a store: bundled, plus its journal's `alias:` entries as a registry
/// file of `[[alias]]` tables (so they change the registry's version, and with it the
/// store's enrichment, which is rebuilt on the next read).
pub fn build_resolver(store: Option<&std::path::Path>) -> anyhow::Result<sitrep_resolve::Resolver> {
    let aliases = match store {
        Some(root) => {
            let ledger = sitrep_claims::Ledger::for_store(root);
            if ledger.exists() {
                ledger
                    .view(sitrep_claims::AsOf::Now)
                    .map_err(claims::ledger_err)?
                    .aliases()
            } else {
                Vec::new()
            }
        }
        None => Vec::new(),
    };
    match store {
        Some(root) if !aliases.is_empty() => {
            let file = root.join("ledger").join("journal.log#aliases");
            let registry = sitrep_resolve::Registry::bundled_with(vec![(
                file,
                sitrep_claims::aliases_toml(&aliases),
            )])
            .map_err(|e| {
                crate::Failure::Input(format!(
                    "the actor aliases in the journal no longer fit the registry: {e}\n  undo the alias's entry (`sitrep journal list`, then `sitrep journal undo N --reason ...`)"
                ))
            })?;
            Ok(sitrep_resolve::Resolver::new(
                sitrep_resolve::Gazetteer::bundled()?,
                registry,
            ))
        }
        _ => Ok(sitrep_resolve::Resolver::bundled()?),
    }
}

/// Runs the chosen command.
pub async fn dispatch(cli: Cli) -> anyhow::Result<ExitCode> {
    let _ = STORE.set(cli.store.clone());
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
