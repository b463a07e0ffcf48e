//! [`AppState`]: what every handler shares.

use crate::api::figures::Figure;
use crate::error::{ApiError, ServerError};
use chrono::NaiveDate;
use sitrep_analysis::Analysis;
use sitrep_render::MapGeometry;
use sitrep_resolve::Resolver;
use sitrep_store::{Snapshot, Store};
use std::collections::{BTreeSet, HashMap};
use std::sync::{Arc, Mutex, RwLock};

/// Shared, cheaply cloned state: the resolver (for gazetteer and actor registry
/// lookups and validation), the claims ledger and derived lookups, and a `Live`
/// snapshot of the store that is replaced whenever the store commits or the claims
/// journal changes, and the response cache.
#[derive(Clone)]
pub struct AppState {
    resolver: Arc<Resolver>,
    geometry: Arc<MapGeometry>,
    /// The current snapshot.
    live: Arc<RwLock<Arc<Live>>>,
    /// Held while a new snapshot is built (one rebuild at a time).
    refreshing: Arc<tokio::sync::Mutex<()>>,
    /// The claims ledger, users and sessions.
    claims: Arc<crate::auth::ClaimsState>,
    /// Counts may come from the rollup.
    rollup: bool,
    /// Finished GET responses by snapshot and request (see cache.rs); `None` when off.
    cache: Option<Arc<crate::cache::ResponseCache>>,
    /// Longest a request may take, reading its body included (see routes.rs).
    request_timeout: std::time::Duration,
}

/// What depends on the store's manifest and the claims journal: the store with its
/// `attribution` verdicts, one DataFusion session over it (a session is safe to query
/// from many requests at once), the series engine and the figures computed from them. Requests take the
/// snapshot current when they start; an analyst's write (through the server or the
/// CLI) makes the next request build a new one, so series split by attribution, the
/// explore table and figures follow the journal without a restart. A commit to the
/// store (ingest, enrich, rollup, match, match decision) replaces `manifest.json`;
/// the next request then reopens the store and builds a new snapshot too.
pub(crate) struct Live {
    store: Arc<Store>,
    /// The store's typed reads, on one session over it.
    reads: Snapshot,
    /// The series engine (figures), on its own session over the same store.
    analysis: Arc<Analysis>,
    /// First and last day of the store's data.
    data_range: Option<(NaiveDate, NaiveDate)>,
    /// Figures already computed, by spec id and period.
    figures: Mutex<HashMap<String, Arc<Figure>>>,
    /// The manifest's and the journal's stamps, read before this snapshot was built.
    stamps: Stamps,
    /// Counts snapshots: the first is 0, each rebuild adds one (the cache's version).
    generation: u64,
    /// Sources ingested through an ACLED adapter: their raw rows are not served.
    acled_sources: BTreeSet<String>,
}

impl Live {
    /// Builds a snapshot of `store`; `stamps` must have been read before `store` was
    /// (a commit or write racing with the build makes the next request build again
    /// rather than be missed).
    async fn build(
        store: &Store,
        ledger: &sitrep_claims::Ledger,
        stamps: Stamps,
        generation: u64,
        previous: Option<&Live>,
    ) -> Result<Live, ServerError> {
        let mut store = store.clone();
        if ledger.exists() {
            sitrep_claims::attach_attribution(&mut store, ledger, sitrep_claims::AsOf::Now).await?;
        }
        let mut reads = store.snapshot().await?;
        // Only the journal changed (a claim, a verdict): records, matching and rollup
        // are as in the previous snapshot, so its in-memory rollup, decoded cube and
        // data range are shared rather than read again.
        let same_store = previous.filter(|p| p.stamps.manifest == stamps.manifest);
        let data_range = match same_store {
            Some(p) => {
                reads.share_rollup_of(&p.reads).await?;
                p.data_range
            }
            None => {
                // A server answers many requests: its reads use the rollup in memory.
                reads.hold_rollup_in_memory().await?;
                reads.date_range(&sitrep_model::Filters::default()).await?
            }
        };
        // The series engine reads the same snapshot: one session per store version.
        let analysis = Analysis::on(reads.clone());
        let acled_sources = store
            .manifest()
            .batches
            .iter()
            .filter(|b| b.adapter.starts_with("acled"))
            .map(|b| b.source.clone())
            .collect();
        Ok(Live {
            store: Arc::new(store),
            reads,
            analysis: Arc::new(analysis),
            data_range,
            figures: Mutex::default(),
            stamps,
            generation,
            acled_sources,
        })
    }

    /// This snapshot's number (see [`crate::cache`]: the cache keys responses by it).
    pub(crate) fn generation(&self) -> u64 {
        self.generation
    }
}

/// What every answer depends on besides the request, as file stamps cheap enough to
/// read on every request: the store's `manifest.json` (every commit renames a new one
/// into place) and the claims journal (append-only: every write makes it longer).
#[derive(Debug, Clone, PartialEq, Eq)]
struct Stamps {
    manifest: Option<FileStamp>,
    journal: Option<FileStamp>,
}

/// A file's length, modification time and (on Unix) inode.
type FileStamp = (u64, std::time::SystemTime, u64);

impl Stamps {
    fn read(root: &std::path::Path, ledger: &sitrep_claims::Ledger) -> Stamps {
        Stamps {
            manifest: file_stamp(&root.join("manifest.json")),
            journal: file_stamp(ledger.journal().path()),
        }
    }
}

/// `None` when the file does not exist (or cannot be read).
fn file_stamp(path: &std::path::Path) -> Option<FileStamp> {
    let m = std::fs::metadata(path).ok()?;
    #[cfg(unix)]
    let ino = std::os::unix::fs::MetadataExt::ino(&m);
    #[cfg(not(unix))]
    let ino = 0;
    Some((m.len(), m.modified().ok()?, ino))
}

/// Most figures kept computed at once.
const FIGURE_CACHE: usize = 128;

impl std::fmt::Debug for AppState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AppState")
            .field("store", &self.store().root())
            .field("acled_sources", &self.snapshot().acled_sources)
            .finish_non_exhaustive()
    }
}

impl AppState {
    /// Opens a DataFusion session over `store` and reads which sources are ACLED's.
    /// The server only reads the store; commits made meanwhile by `sitrep` (ingest,
    /// match, decisions) are picked up by the next request.
    pub async fn new(store: Store, resolver: Arc<Resolver>) -> Result<AppState, ServerError> {
        // The claims ledger: verdicts become the `attribution` column of `incidents`.
        let ledger = sitrep_claims::Ledger::for_store(store.root());
        let stamps = Stamps::read(store.root(), &ledger);
        let live = Live::build(&store, &ledger, stamps, 0, None).await?;
        let claims = Arc::new(crate::auth::ClaimsState::new(ledger, store.clone()));
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
            claims,
            request_timeout: crate::routes::REQUEST_TIMEOUT,
            cache: Some(Arc::new(crate::cache::ResponseCache::new(
                crate::cache::DEFAULT_CACHE_BYTES,
            ))),
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
    /// since the last (a verdict, claim or undo written by the server or the CLI), or
    /// the store's manifest did (a commit by `sitrep`: the store is opened again).
    pub(crate) async fn live(&self) -> Result<Arc<Live>, ApiError> {
        let current = self.snapshot();
        let ledger = &self.claims.ledger;
        let root = current.store.root().to_path_buf();
        if Stamps::read(&root, ledger) == current.stamps {
            return Ok(current);
        }
        let _guard = self.refreshing.lock().await;
        let current = self.snapshot();
        let stamps = Stamps::read(&root, ledger);
        if stamps == current.stamps {
            return Ok(current); // another request rebuilt it meanwhile
        }
        let store = if stamps.manifest == current.stamps.manifest {
            (*current.store).clone()
        } else {
            // Opening verifies files not hashed before: off the async workers.
            tokio::task::spawn_blocking(move || Store::open(root))
                .await
                .map_err(ApiError::internal)?
                .map_err(|e| {
                    ApiError::Internal(format!("reopening the store after a commit: {e}"))
                })?
        };
        let next = Arc::new(
            Live::build(
                &store,
                ledger,
                stamps,
                current.generation + 1,
                Some(&current),
            )
            .await
            .map_err(|e| {
                ApiError::Internal(format!("rebuilding after a store or journal change: {e}"))
            })?,
        );
        *self.live.write().expect("live snapshot") = Arc::clone(&next);
        Ok(next)
    }

    fn snapshot(&self) -> Arc<Live> {
        Arc::clone(&self.live.read().expect("live snapshot"))
    }

    /// Whether counts (series, map, summary) may come from the store's rollup (on by
    /// default; off, every count scans `incidents`, for comparison). The answers say
    /// where they counted from, so the state gets a response cache of its own.
    pub fn with_rollup(mut self, on: bool) -> Self {
        self.rollup = on;
        self.cache = self
            .cache
            .as_ref()
            .map(|c| Arc::new(crate::cache::ResponseCache::new(c.max_bytes())));
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
        let held = Arc::clone(&self.live().await?.analysis);
        Ok(if self.rollup {
            held
        } else {
            Arc::new(held.as_ref().clone().with_rollup(false))
        })
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
        self.snapshot().acled_sources.contains(source)
    }

    // ---- response cache hooks (cache.rs) ----

    /// Sets the response cache's bound in bytes (default
    /// [`crate::cache::DEFAULT_CACHE_BYTES`]); `None` or 0 turns it off, so every
    /// request is answered afresh (to measure the difference).
    pub fn with_cache(mut self, max_bytes: Option<usize>) -> Self {
        self.cache = max_bytes
            .filter(|&b| b > 0)
            .map(|b| Arc::new(crate::cache::ResponseCache::new(b)));
        self
    }

    /// Sets the longest a request may take, reading its body included (default
    /// [`crate::routes::REQUEST_TIMEOUT`]); a slower one is answered 503.
    pub fn with_request_timeout(mut self, limit: std::time::Duration) -> Self {
        self.request_timeout = limit;
        self
    }

    pub(crate) fn request_timeout(&self) -> std::time::Duration {
        self.request_timeout
    }

    /// What the response cache did so far (`None` when it is off).
    pub fn cache_stats(&self) -> Option<crate::cache::CacheStats> {
        self.cache.as_ref().map(|c| c.stats())
    }

    pub(crate) fn cache(&self) -> Option<&Arc<crate::cache::ResponseCache>> {
        self.cache.as_ref()
    }

    /// The store's typed reads on the current snapshot (counts from the rollup
    /// unless [`AppState::with_rollup`] turned it off).
    pub(crate) async fn reads(&self) -> Result<Snapshot, ApiError> {
        Ok(self.live().await?.reads.clone().with_rollup(self.rollup))
    }
}
