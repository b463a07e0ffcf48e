//! [`Workspace`]: one store, its claims ledger and the resolver that places its
//! records and names their actors — opened once per command or server, passed to
//! every workflow, never held in a global.

use crate::WorkspaceError;
use sitrep_claims::{AsOf, Ledger};
use sitrep_model::Enricher;
use sitrep_resolve::{Gazetteer, Registry, Resolver};
use sitrep_store::{Store, StoreError};
use std::path::Path;
use std::sync::Arc;

/// A store with its claims ledger and resolver. Read workflows open it with
/// [`Workspace::open`] (enrichment and rollup brought up to date, verdicts attached);
/// write workflows with [`Workspace::create`].
#[derive(Debug)]
pub struct Workspace {
    pub(crate) store: Store,
    pub(crate) resolver: Arc<Resolver>,
    pub(crate) ledger: Ledger,
}

/// What [`Workspace::refresh`] brought up to date.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Refreshed {
    /// Records whose places and actors were (re)computed.
    pub enriched: u64,
    /// Rows of the rebuilt rollup (0 when it was current).
    pub rollup_rows: u64,
    /// Another process held the store's lock: what is stored was read as it is.
    pub locked: bool,
}

impl Workspace {
    /// Opens the store in `dir` for reading: its resolver (the bundled gazetteer and
    /// registry plus the journal's actor aliases), enrichment and rollup brought up to
    /// date when stale (skipped while another process writes), and the claims
    /// ledger's verdicts attached as the `attribution` column (as of now).
    pub async fn open(dir: &Path) -> Result<Workspace, WorkspaceError> {
        Workspace::read(Store::open(dir)?).await
    }

    /// [`Workspace::open`] over a store already opened.
    pub async fn read(store: Store) -> Result<Workspace, WorkspaceError> {
        let mut ws = Workspace::with_store(store)?;
        ws.refresh().await?;
        ws.attach_claims(AsOf::Now).await?;
        Ok(ws)
    }

    /// Opens the store in `dir` for writing, creating it when missing; nothing is
    /// refreshed (the write workflows do it when they commit).
    pub fn create(dir: &Path) -> Result<Workspace, WorkspaceError> {
        Workspace::with_store(Store::open_or_create(dir)?)
    }

    /// Opens the existing store in `dir` for writing (it must exist).
    pub fn open_for_write(dir: &Path) -> Result<Workspace, WorkspaceError> {
        Workspace::with_store(Store::open(dir)?)
    }

    fn with_store(store: Store) -> Result<Workspace, WorkspaceError> {
        let resolver = Arc::new(resolver_for(Some(store.root()))?);
        let ledger = Ledger::for_store(store.root());
        Ok(Workspace {
            store,
            resolver,
            ledger,
        })
    }

    /// The store.
    pub fn store(&self) -> &Store {
        &self.store
    }

    /// The store, to hand to readers that take it by value.
    pub fn into_store(self) -> Store {
        self.store
    }

    /// The resolver (places and actors) this store's records are enriched with.
    pub fn resolver(&self) -> &Arc<Resolver> {
        &self.resolver
    }

    /// The claims ledger of the store (it may not exist yet).
    pub fn ledger(&self) -> &Ledger {
        &self.ledger
    }

    /// Brings the store's enrichment (places, actors) up to date with the resolver,
    /// and its rollup with its records. Another process writing (the store's lock
    /// taken) is not an error: what is stored is read as it is and catches up later.
    pub async fn refresh(&mut self) -> Result<Refreshed, WorkspaceError> {
        let mut out = Refreshed::default();
        if self
            .store
            .enrichment_stale(&Enricher::version(self.resolver.as_ref()))
        {
            match self.store.enrich(self.resolver.as_ref()) {
                Ok(e) => out.enriched = e.rows,
                Err(StoreError::Locked { .. }) => out.locked = true,
                Err(e) => return Err(e.into()),
            }
        }
        if !self.store.rollup_current() {
            match self.store.build_rollup().await {
                Ok(r) => out.rollup_rows = r.rows,
                Err(StoreError::Locked { .. }) => out.locked = true,
                Err(e) => return Err(e.into()),
            }
        }
        Ok(out)
    }

    /// When the store has a claims journal: verifies it (and the users file) and
    /// gives the store its `attribution` column, verdicts as of `as_of`.
    pub async fn attach_claims(&mut self, as_of: AsOf) -> Result<(), WorkspaceError> {
        if self.ledger.users().path().exists() {
            // A damaged users file is refused like a damaged journal.
            self.ledger.users().list()?;
        }
        if self.ledger.exists() {
            sitrep_claims::attach_attribution(&mut self.store, &self.ledger, as_of).await?;
        }
        Ok(())
    }
}

/// The resolver for a store: the bundled gazetteer and registry, plus the actor
/// aliases analysts added to the store's journal, as a registry file of `[[alias]]`
/// tables (so they change the registry's version, and with it the store's
/// enrichment, which is rebuilt on the next read). `None`: the bundled resolver.
pub fn resolver_for(store_root: Option<&Path>) -> Result<Resolver, WorkspaceError> {
    let Some(root) = store_root else {
        return Ok(Resolver::bundled()?);
    };
    let ledger = Ledger::for_store(root);
    let aliases = if ledger.exists() {
        ledger.view(AsOf::Now)?.aliases()
    } else {
        Vec::new()
    };
    if aliases.is_empty() {
        return Ok(Resolver::bundled()?);
    }
    let file = root.join("ledger").join("journal.log#aliases");
    let registry = Registry::bundled_with(vec![(file, sitrep_claims::aliases_toml(&aliases))])
        .map_err(|e| {
            WorkspaceError::Input(format!(
                "the actor aliases in the journal no longer fit the registry: {e}\n  undo the alias's entry (`sitrep journal list`, then `sitrep journal undo N --reason ...`)"
            ))
        })?;
    Ok(Resolver::new(Gazetteer::bundled()?, registry))
}
