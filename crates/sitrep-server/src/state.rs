//! [`AppState`]: what every handler shares.

use crate::api::figures::Figure;
use crate::error::{ApiError, ServerError};
use crate::table::{json_rows, Row};
use chrono::NaiveDate;
use sitrep_analysis::Analysis;
use sitrep_render::MapGeometry;
use sitrep_resolve::Resolver;
use sitrep_store::arrow::array::RecordBatch;
use sitrep_store::datafusion::execution::context::SessionContext;
use sitrep_store::Store;
use std::collections::{BTreeSet, HashMap};
use std::sync::{Arc, Mutex, RwLock};

/// Shared, cheaply cloned state: the resolver (for gazetteer and actor registry
/// lookups and validation), the claims ledger and derived lookups, and a [`Live`]
/// snapshot of the store that is replaced whenever the claims journal changes.
#[derive(Clone)]
pub struct AppState {
    resolver: Arc<Resolver>,
    geometry: Arc<MapGeometry>,
    /// Sources ingested through an ACLED adapter: their raw rows are not served.
    acled_sources: Arc<BTreeSet<String>>,
    /// The current snapshot.
    live: Arc<RwLock<Arc<Live>>>,
    /// Held while a new snapshot is built (one rebuild at a time).
    refreshing: Arc<tokio::sync::Mutex<()>>,
    /// The claims ledger, users and sessions.
    claims: Arc<crate::auth::ClaimsState>,
    /// Counts may come from the rollup.
    rollup: bool,
}

/// What depends on the claims journal: the store with its `attribution` verdicts, one
/// DataFusion session over it (a session is safe to query from many requests at
/// once), the series engine and the figures computed from them. Requests take the
/// snapshot current when they start; an analyst's write (through the server or the
/// CLI) makes the next request build a new one, so series split by attribution, the
/// explore table and figures follow the journal without a restart.
pub(crate) struct Live {
    store: Arc<Store>,
    ctx: SessionContext,
    /// The series engine (figures), on its own session over the same store.
    analysis: Arc<Analysis>,
    /// First and last day of the store's data.
    data_range: Option<(NaiveDate, NaiveDate)>,
    /// Figures already computed, by spec id and period.
    figures: Mutex<HashMap<String, Arc<Figure>>>,
    /// The journal's length and modification time when this snapshot was built.
    stamp: Option<(u64, std::time::SystemTime)>,
}

impl Live {
    async fn build(store: &Store, ledger: &sitrep_claims::Ledger) -> Result<Live, ServerError> {
        let mut store = store.clone();
        // Read the stamp first: a write racing with the build makes the next request
        // build again rather than be missed.
        let stamp = journal_stamp(ledger);
        if ledger.exists() {
            sitrep_claims::attach_attribution(&mut store, ledger, sitrep_claims::AsOf::Now).await?;
        }
        let ctx = store.context().await?;
        // A server answers many requests: its counts read the rollup from memory.
        sitrep_store::hold_rollup_in_memory(&ctx).await?;
        let analysis = Analysis::new(&store)
            .await
            .map_err(|e| ServerError::Analysis(e.to_string()))?
            .hold_rollup_in_memory()
            .await
            .map_err(|e| ServerError::Analysis(e.to_string()))?;
        let data_range = analysis
            .data_range(&[])
            .await
            .map_err(|e| ServerError::Analysis(e.to_string()))?;
        Ok(Live {
            store: Arc::new(store),
            ctx,
            analysis: Arc::new(analysis),
            data_range,
            figures: Mutex::default(),
            stamp,
        })
    }
}

/// The journal file's length and modification time (`None` when there is none).
fn journal_stamp(ledger: &sitrep_claims::Ledger) -> Option<(u64, std::time::SystemTime)> {
    let m = std::fs::metadata(ledger.journal().path()).ok()?;
    Some((m.len(), m.modified().ok()?))
}

/// Most figures kept computed at once.
const FIGURE_CACHE: usize = 128;

impl std::fmt::Debug for AppState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AppState")
            .field("store", &self.store().root())
            .field("acled_sources", &self.acled_sources)
            .finish_non_exhaustive()
    }
}

impl AppState {
    /// Opens a DataFusion session over `store` and reads which sources are ACLED's.
    /// The store is only read; it must not be written while it is served.
    pub async fn new(store: Store, resolver: Arc<Resolver>) -> Result<AppState, ServerError> {
        // The claims ledger: verdicts become the `attribution` column of `incidents`.
        let ledger = sitrep_claims::Ledger::for_store(store.root());
        let live = Live::build(&store, &ledger).await?;
        let claims = Arc::new(crate::auth::ClaimsState::new(ledger, store.clone()));
        let acled_sources = store
            .manifest()
            .batches
            .iter()
            .filter(|b| b.adapter.starts_with("acled"))
            .map(|b| b.source.clone())
            .collect();
        // Outlines carry the gazetteer's codes (geoBoundaries writes Badakhshan `AF-BDN`).
        let g = resolver.gazetteer();
        let geometry = sitrep_render::bundled::afghanistan_provinces(|name, code| {
            g.province_index(name)
                .or_else(|| g.province_index(code))
                .map(|i| g.provinces()[i].code.clone())
        })?;
        Ok(AppState {
            live: Arc::new(RwLock::new(Arc::new(live))),
            refreshing: Arc::default(),
            rollup: true,
            resolver,
            geometry: Arc::new(geometry),
            acled_sources: Arc::new(acled_sources),
            claims,
        })
    }

    /// The claims ledger, users and sessions.
    pub(crate) fn claims(&self) -> &crate::auth::ClaimsState {
        &self.claims
    }

    pub(crate) fn claims_arc(&self) -> Arc<crate::auth::ClaimsState> {
        Arc::clone(&self.claims)
    }

    /// The current snapshot; builds a new one first when the claims journal changed
    /// since the last (a verdict, claim or undo written by the server or the CLI).
    pub(crate) async fn live(&self) -> Result<Arc<Live>, ApiError> {
        let current = self.snapshot();
        let ledger = &self.claims.ledger;
        if journal_stamp(ledger) == current.stamp {
            return Ok(current);
        }
        let _guard = self.refreshing.lock().await;
        let current = self.snapshot();
        if journal_stamp(ledger) == current.stamp {
            return Ok(current); // another request rebuilt it meanwhile
        }
        let next =
            Arc::new(Live::build(&current.store, ledger).await.map_err(|e| {
                ApiError::Internal(format!("rebuilding after a journal change: {e}"))
            })?);
        *self.live.write().expect("live snapshot") = Arc::clone(&next);
        Ok(next)
    }

    fn snapshot(&self) -> Arc<Live> {
        Arc::clone(&self.live.read().expect("live snapshot"))
    }

    /// True when counts may come from the store's rollup (current, so registered as
    /// table `rollup` in the session, and not turned off by [`AppState::with_rollup`]).
    pub(crate) fn serve_rollup(&self) -> bool {
        self.rollup && self.snapshot().store.rollup_current()
    }

    /// Whether counts (series, map, summary) may come from the store's rollup (on by
    /// default; off, every count scans `incidents`, for comparison).
    pub fn with_rollup(mut self, on: bool) -> Self {
        self.rollup = on;
        self
    }

    /// The store (as of the current snapshot).
    pub fn store(&self) -> Arc<Store> {
        Arc::clone(&self.snapshot().store)
    }

    /// The resolver (gazetteer and actor registry).
    pub fn resolver(&self) -> &Resolver {
        &self.resolver
    }

    pub(crate) fn geometry(&self) -> &MapGeometry {
        &self.geometry
    }

    /// The series engine (current).
    pub(crate) async fn analysis(&self) -> Result<Arc<Analysis>, ApiError> {
        Ok(Arc::clone(&self.live().await?.analysis))
    }

    /// First and last day of the store's data (`None` when empty).
    pub(crate) fn data_range(&self) -> Option<(NaiveDate, NaiveDate)> {
        self.snapshot().data_range
    }

    /// A computed figure from the cache, or computes it with `make` and keeps it.
    pub(crate) async fn figure<F, Fut>(&self, key: String, make: F) -> Result<Arc<Figure>, ApiError>
    where
        F: FnOnce() -> Fut,
        Fut: std::future::Future<Output = Result<Figure, ApiError>>,
    {
        let live = self.live().await?;
        if let Some(f) = live.figures.lock().expect("figure cache").get(&key) {
            return Ok(Arc::clone(f));
        }
        let fig = Arc::new(make().await?);
        let mut cache = live.figures.lock().expect("figure cache");
        if cache.len() >= FIGURE_CACHE {
            cache.clear();
        }
        cache.insert(key, Arc::clone(&fig));
        Ok(fig)
    }

    /// True when `source` was ingested through an ACLED adapter.
    pub fn is_acled(&self, source: &str) -> bool {
        self.acled_sources.contains(source)
    }

    /// Runs one read-only statement on the shared session.
    pub(crate) async fn sql(&self, sql: &str) -> Result<Vec<RecordBatch>, ApiError> {
        Store::sql_on(&self.live().await?.ctx, sql)
            .await
            .map_err(|e| ApiError::Internal(format!("{e}\n  query: {sql}")))
    }

    /// Runs a query and returns its rows as JSON objects.
    pub(crate) async fn rows(&self, sql: &str) -> Result<Vec<Row>, ApiError> {
        json_rows(&self.sql(sql).await?)
    }

    /// Runs a `SELECT count(*) AS n ...`-style query and returns its first column.
    pub(crate) async fn count(&self, sql: &str) -> Result<i64, ApiError> {
        let rows = self.rows(sql).await?;
        Ok(rows
            .first()
            .and_then(|r| r.values().next())
            .and_then(|v| v.as_i64())
            .unwrap_or(0))
    }
}
