//! The response cache: finished `GET` answers kept by snapshot and request, so a
//! dashboard under load runs its SQL and draws its SVG once per store version rather
//! than once per request.
//!
//! * **Key.** The snapshot's generation (see `state.rs`: a new snapshot is built, and
//!   the generation goes up, whenever the store's `manifest.json` or the claims journal
//!   changes — every commit of `sitrep ingest`, `match`, a match decision, and every
//!   claim, verdict or undo written by the server or the CLI), whether the answer is
//!   gzip-compressed, the path, and the query with its pairs sorted by key (repeated
//!   keys keep their order; the pairs themselves stay as sent), and the `Accept`
//!   header (an answer may be negotiated by it).
//! * **Freshness.** The key is made after `AppState::live` has looked at the two
//!   files again, so a request made after a write sees the write; an entry is never
//!   served for a generation other than its own, and the cache empties when a new one
//!   appears.
//! * **Bound.** Bodies, headers and keys are counted in bytes; past the bound the least
//!   recently used entries go. One answer larger than a quarter of the bound is not
//!   kept.
//! * **Single flight.** Identical misses arriving together run the handler once; the
//!   others wait for its answer.
//! * **Validation.** A kept answer carries a strong `ETag` (a BLAKE3 digest of the body
//!   as sent, so gzip and identity answers differ) and `Cache-Control: no-cache`
//!   (clients revalidate; `If-None-Match` gets 304 with no body) and
//!   `Vary: Accept-Encoding`. An answer that sets its own `Cache-Control` keeps it:
//!   the static assets (`assets.rs`, versioned URLs) are `immutable`.
//! * **Not cached.** Anything but `GET`; requests with `Authorization` or the session
//!   cookie (pages differ per user and must never be shared: they pass through and are
//!   marked `Cache-Control: private, no-cache`); answers other than 200 or that set a
//!   cookie.
//!
//! Every answer that passes through says what happened in `x-sitrep-cache`: `hit`,
//! `miss` or `bypass`.

use crate::AppState;
use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, HeaderName, HeaderValue, Method, StatusCode, Uri};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use std::collections::{BTreeMap, HashMap};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use tokio::sync::OnceCell;

/// The default bound of the response cache: 64 MiB.
pub const DEFAULT_CACHE_BYTES: usize = 64 << 20;

/// Bytes counted for an entry besides its body and headers (key, map slots).
const ENTRY_OVERHEAD: usize = 256;

/// The header saying whether an answer came from the cache.
pub const CACHE_HEADER: &str = "x-sitrep-cache";

/// What the cache did since the server started.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct CacheStats {
    /// Answers served from the cache (including requests that waited for an
    /// identical one in flight).
    pub hits: u64,
    /// Of the hits, requests that waited for an identical request in flight.
    pub coalesced: u64,
    /// Requests that ran the handler.
    pub misses: u64,
    /// Requests not eligible (not `GET`, or made by a signed-in user or token).
    pub bypassed: u64,
    /// Answers of 304 Not Modified.
    pub not_modified: u64,
    /// Entries dropped to stay within the bound.
    pub evictions: u64,
    /// Entries held now.
    pub entries: usize,
    /// Bytes held now (bodies, headers, keys and a fixed overhead per entry).
    pub bytes: usize,
    /// The bound.
    pub max_bytes: usize,
}

/// The cache: entries with their last use, and the requests in flight.
pub(crate) struct ResponseCache {
    max_bytes: usize,
    inner: Mutex<Inner>,
    inflight: Mutex<HashMap<Key, Arc<Flight>>>,
    hits: AtomicU64,
    coalesced: AtomicU64,
    misses: AtomicU64,
    bypassed: AtomicU64,
    not_modified: AtomicU64,
}

/// One computation shared by identical concurrent misses: `None` when its answer
/// could not be kept (the others then run the handler themselves).
type Flight = OnceCell<Option<Arc<Entry>>>;

#[derive(Default)]
struct Inner {
    /// The newest snapshot generation seen; entries are all of it.
    generation: u64,
    entries: HashMap<Key, (Arc<Entry>, u64)>,
    /// Entries by last use (a counter), oldest first.
    lru: BTreeMap<u64, Key>,
    clock: u64,
    bytes: usize,
    evictions: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
struct Key {
    generation: u64,
    gzip: bool,
    /// Path and normalised query.
    target: String,
}

/// A kept answer (status 200).
pub(crate) struct Entry {
    headers: HeaderMap,
    body: Bytes,
    etag: HeaderValue,
    size: usize,
}

impl ResponseCache {
    /// An empty cache holding at most `max_bytes`.
    pub(crate) fn new(max_bytes: usize) -> Self {
        ResponseCache {
            max_bytes,
            inner: Mutex::default(),
            inflight: Mutex::default(),
            hits: AtomicU64::new(0),
            coalesced: AtomicU64::new(0),
            misses: AtomicU64::new(0),
            bypassed: AtomicU64::new(0),
            not_modified: AtomicU64::new(0),
        }
    }

    pub(crate) fn stats(&self) -> CacheStats {
        let g = self.inner.lock().expect("response cache");
        CacheStats {
            hits: self.hits.load(Ordering::Relaxed),
            coalesced: self.coalesced.load(Ordering::Relaxed),
            misses: self.misses.load(Ordering::Relaxed),
            bypassed: self.bypassed.load(Ordering::Relaxed),
            not_modified: self.not_modified.load(Ordering::Relaxed),
            evictions: g.evictions,
            entries: g.entries.len(),
            bytes: g.bytes,
            max_bytes: self.max_bytes,
        }
    }

    /// The bound.
    pub(crate) fn max_bytes(&self) -> usize {
        self.max_bytes
    }

    /// The largest entry kept.
    fn max_entry(&self) -> usize {
        self.max_bytes / 4
    }

    fn get(&self, key: &Key) -> Option<Arc<Entry>> {
        let mut g = self.inner.lock().expect("response cache");
        g.advance(key.generation);
        g.clock += 1;
        let now = g.clock;
        let (entry, used) = g.entries.get_mut(key)?;
        let (entry, old) = (Arc::clone(entry), std::mem::replace(used, now));
        g.lru.remove(&old);
        g.lru.insert(now, key.clone());
        Some(entry)
    }

    fn insert(&self, key: Key, entry: Arc<Entry>) {
        if entry.size > self.max_entry() {
            return;
        }
        let mut g = self.inner.lock().expect("response cache");
        g.advance(key.generation);
        if key.generation != g.generation {
            return; // made from a snapshot already replaced
        }
        if let Some((old, used)) = g.entries.remove(&key) {
            g.lru.remove(&used);
            g.bytes -= old.size;
        }
        g.clock += 1;
        let now = g.clock;
        g.bytes += entry.size;
        g.lru.insert(now, key.clone());
        g.entries.insert(key, (entry, now));
        while g.bytes > self.max_bytes {
            let Some((_, oldest)) = g.lru.pop_first() else {
                break;
            };
            if let Some((e, _)) = g.entries.remove(&oldest) {
                g.bytes -= e.size;
                g.evictions += 1;
            }
        }
    }

    /// The flight for `key`, joined or started.
    fn flight(&self, key: &Key) -> Arc<Flight> {
        let mut f = self.inflight.lock().expect("response cache flights");
        Arc::clone(f.entry(key.clone()).or_default())
    }

    /// Forgets `flight` once no request but the caller holds it.
    fn land(&self, key: &Key, flight: &Arc<Flight>) {
        let mut f = self.inflight.lock().expect("response cache flights");
        if f.get(key).is_some_and(|x| Arc::ptr_eq(x, flight)) && Arc::strong_count(flight) <= 2 {
            f.remove(key);
        }
    }
}

impl Inner {
    /// Empties the cache when a newer snapshot appears.
    fn advance(&mut self, generation: u64) {
        if generation > self.generation {
            self.generation = generation;
            self.entries.clear();
            self.lru.clear();
            self.bytes = 0;
        }
    }
}

impl Entry {
    /// The kept answer, or 304 when `if_none_match` names its ETag.
    fn answer(&self, if_none_match: Option<&HeaderValue>, how: &'static str) -> Response {
        let fresh = if_none_match.is_some_and(|v| etag_matches(v, &self.etag));
        let mut res = if fresh {
            let mut r = Response::new(Body::empty());
            *r.status_mut() = StatusCode::NOT_MODIFIED;
            for name in [header::CACHE_CONTROL, header::VARY] {
                for v in self.headers.get_all(&name) {
                    r.headers_mut().append(name.clone(), v.clone());
                }
            }
            r.headers_mut().insert(header::ETAG, self.etag.clone());
            r
        } else {
            let mut r = Response::new(Body::from(self.body.clone()));
            *r.headers_mut() = self.headers.clone();
            r
        };
        res.headers_mut().insert(
            HeaderName::from_static(CACHE_HEADER),
            HeaderValue::from_static(how),
        );
        res
    }
}

/// True when an `If-None-Match` value names `etag` (weak comparison, as RFC 9110
/// asks for this header) or is `*`.
fn etag_matches(v: &HeaderValue, etag: &HeaderValue) -> bool {
    let Ok(v) = v.to_str() else {
        return false;
    };
    let ours = etag.to_str().unwrap_or("");
    v.split(',')
        .map(str::trim)
        .any(|t| t == "*" || t.strip_prefix("W/").unwrap_or(t) == ours)
}

/// Path and query with the pairs sorted by (decoded) key; pairs with the same key
/// keep their order, and every pair stays as sent (`a+b` and `a%20b` are two keys).
fn normalise(uri: &Uri) -> String {
    let path = uri.path();
    let Some(q) = uri.query() else {
        return path.to_string();
    };
    let mut pairs: Vec<(String, &str)> = q
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let raw_key = p.split_once('=').map_or(p, |(k, _)| k);
            let key = serde_urlencoded::from_str::<Vec<(String, String)>>(raw_key)
                .ok()
                .and_then(|v| v.into_iter().next())
                .map_or_else(|| raw_key.to_string(), |(k, _)| k);
            (key, p)
        })
        .collect();
    pairs.sort_by(|a, b| a.0.cmp(&b.0)); // stable
    let q: Vec<&str> = pairs.into_iter().map(|(_, p)| p).collect();
    format!("{path}?{}", q.join("&"))
}

/// True when the client accepts gzip (`q` above 0).
fn accepts_gzip(headers: &HeaderMap) -> bool {
    headers
        .get_all(header::ACCEPT_ENCODING)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .any(|item| {
            let mut parts = item.split(';').map(str::trim);
            let coding = parts.next().unwrap_or("");
            let q = parts
                .find_map(|p| p.strip_prefix("q="))
                .and_then(|q| q.trim().parse::<f32>().ok())
                .unwrap_or(1.0);
            (coding.eq_ignore_ascii_case("gzip") || coding == "*") && q > 0.0
        })
}

/// True when the answer may depend on who asks: a token or a session cookie.
fn personal(headers: &HeaderMap) -> bool {
    headers.contains_key(header::AUTHORIZATION)
        || headers
            .get_all(header::COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(';'))
            .any(|kv| {
                kv.trim()
                    .starts_with(&format!("{}=", crate::auth::SESSION_COOKIE))
            })
}

fn mark(res: &mut Response, how: &'static str) {
    res.headers_mut().insert(
        HeaderName::from_static(CACHE_HEADER),
        HeaderValue::from_static(how),
    );
}

/// The middleware (see the module doc). Runs inside the guard (which adds security
/// headers to every answer, kept or not) and outside compression (so kept bodies are
/// already compressed).
pub(crate) async fn respond(
    State(state): State<AppState>,
    mut req: Request,
    next: Next,
) -> Response {
    let Some(cache) = state.cache().map(Arc::clone) else {
        return next.run(req).await;
    };
    let is_personal = personal(req.headers());
    if req.method() != Method::GET || is_personal {
        cache.bypassed.fetch_add(1, Ordering::Relaxed);
        let mut res = next.run(req).await;
        if is_personal && !res.headers().contains_key(header::CACHE_CONTROL) {
            res.headers_mut().insert(
                header::CACHE_CONTROL,
                HeaderValue::from_static("private, no-cache"),
            );
        }
        mark(&mut res, "bypass");
        return res;
    }
    // A fresh look at the manifest and the journal: a write made before this request
    // started gives a new generation here.
    let generation = match state.live().await {
        Ok(live) => live.generation(),
        Err(_) => return next.run(req).await, // the handler reports it
    };
    let gzip = accepts_gzip(req.headers());
    let key = Key {
        generation,
        gzip,
        // The Accept header is part of the request: /api/v1/actors/graph answers
        // GraphML to a client that asks for it.
        target: match req.headers().get(header::ACCEPT).map(HeaderValue::as_bytes) {
            Some(a) => format!(
                "{}\naccept: {}",
                normalise(req.uri()),
                String::from_utf8_lossy(a)
            ),
            None => normalise(req.uri()),
        },
    };
    // The compression layer inside decides exactly as the key says.
    let h = req.headers_mut();
    h.remove(header::ACCEPT_ENCODING);
    if gzip {
        h.insert(header::ACCEPT_ENCODING, HeaderValue::from_static("gzip"));
    }
    let if_none_match = req.headers().get(header::IF_NONE_MATCH).cloned();
    let answered = |cache: &ResponseCache, e: &Entry, how| {
        let res = e.answer(if_none_match.as_ref(), how);
        if res.status() == StatusCode::NOT_MODIFIED {
            cache.not_modified.fetch_add(1, Ordering::Relaxed);
        }
        res
    };
    if let Some(e) = cache.get(&key) {
        cache.hits.fetch_add(1, Ordering::Relaxed);
        return answered(&cache, &e, "hit");
    }
    let flight = cache.flight(&key);
    let mut work = Some((req, next));
    let mut own: Option<Response> = None;
    {
        let (work, own) = (&mut work, &mut own);
        let cache = &cache;
        let key = &key;
        flight
            .get_or_init(|| async move {
                let (req, next) = work.take().expect("runs once");
                cache.misses.fetch_add(1, Ordering::Relaxed);
                match fill(cache, req, next).await {
                    Ok(entry) => {
                        cache.insert(key.clone(), Arc::clone(&entry));
                        Some(entry)
                    }
                    Err(res) => {
                        *own = Some(res);
                        None
                    }
                }
            })
            .await;
    }
    cache.land(&key, &flight);
    if let Some(mut res) = own {
        mark(&mut res, "miss");
        return res;
    }
    match (flight.get().cloned().flatten(), work) {
        // This request ran the handler: its answer is the entry.
        (Some(e), None) => answered(&cache, &e, "miss"),
        // Another identical request ran it.
        (Some(e), Some(_)) => {
            cache.hits.fetch_add(1, Ordering::Relaxed);
            cache.coalesced.fetch_add(1, Ordering::Relaxed);
            answered(&cache, &e, "hit")
        }
        // Its answer could not be kept: run this one too.
        (None, Some((req, next))) => {
            cache.misses.fetch_add(1, Ordering::Relaxed);
            let mut res = next.run(req).await;
            mark(&mut res, "miss");
            res
        }
        (None, None) => unreachable!("a request that ran the handler has its answer"),
    }
}

/// Runs the handler and makes its answer an entry, or gives the answer back when it
/// cannot be kept (not 200, sets a cookie, says `no-store` or `private`, too large).
async fn fill(cache: &ResponseCache, req: Request, next: Next) -> Result<Arc<Entry>, Response> {
    let res = next.run(req).await;
    let keepable = res.status() == StatusCode::OK
        && !res.headers().contains_key(header::SET_COOKIE)
        && !res
            .headers()
            .get_all(header::CACHE_CONTROL)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .any(|v| v.contains("no-store") || v.contains("private"));
    if !keepable {
        return Err(res);
    }
    let (mut parts, body) = res.into_parts();
    let body = match axum::body::to_bytes(body, usize::MAX).await {
        Ok(b) => b,
        Err(e) => {
            return Err(
                crate::ApiError::Internal(format!("reading an answer to cache it: {e}"))
                    .into_response(),
            )
        }
    };
    let h = &mut parts.headers;
    let etag = HeaderValue::from_str(&format!("\"{}\"", &blake3::hash(&body).to_hex()[..32]))
        .expect("hex is a valid header");
    h.insert(header::ETAG, etag.clone());
    if !h.contains_key(header::CACHE_CONTROL) {
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    }
    if !h.get_all(header::VARY).iter().any(|v| {
        v.to_str()
            .is_ok_and(|v| v.to_ascii_lowercase().contains("accept-encoding"))
    }) {
        h.append(header::VARY, HeaderValue::from_static("accept-encoding"));
    }
    h.remove(header::CONTENT_LENGTH); // set again from the body when sent
    let size = body.len()
        + h.iter()
            .map(|(k, v)| k.as_str().len() + v.len())
            .sum::<usize>()
        + ENTRY_OVERHEAD;
    let entry = Entry {
        headers: parts.headers.clone(),
        body: body.clone(),
        etag,
        size,
    };
    if size > cache.max_entry() {
        // Too large to keep: send it as it is.
        return Err(Response::from_parts(parts, Body::from(body)));
    }
    Ok(Arc::new(entry))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn queries_are_sorted_by_key_keeping_repeats_in_order() {
        let u: Uri =
            "/api/v1/series?to=2020&province=AF-KAB&from=2019&province=AF-HEL&&bucket=week"
                .parse()
                .unwrap();
        assert_eq!(
            normalise(&u),
            "/api/v1/series?bucket=week&from=2019&province=AF-KAB&province=AF-HEL&to=2020"
        );
        let a: Uri = "/x?b=1&a=2".parse().unwrap();
        let b: Uri = "/x?a=2&b=1".parse().unwrap();
        assert_eq!(normalise(&a), normalise(&b));
        let c: Uri = "/x?a=1&a=2".parse().unwrap();
        let d: Uri = "/x?a=2&a=1".parse().unwrap();
        assert_ne!(normalise(&c), normalise(&d));
        assert_eq!(normalise(&"/x".parse().unwrap()), "/x");
    }

    #[test]
    fn accept_encoding_and_if_none_match_are_read_as_rfc_9110_says() {
        let h = |v: &str| {
            let mut m = HeaderMap::new();
            m.insert(header::ACCEPT_ENCODING, HeaderValue::from_str(v).unwrap());
            m
        };
        assert!(accepts_gzip(&h("gzip, deflate, br")));
        assert!(accepts_gzip(&h("br;q=1.0, gzip;q=0.8")));
        assert!(!accepts_gzip(&h("gzip;q=0")));
        assert!(!accepts_gzip(&h("br")));
        assert!(!accepts_gzip(&HeaderMap::new()));
        let tag = HeaderValue::from_static("\"abc\"");
        assert!(etag_matches(
            &HeaderValue::from_static("\"x\", \"abc\""),
            &tag
        ));
        assert!(etag_matches(&HeaderValue::from_static("W/\"abc\""), &tag));
        assert!(etag_matches(&HeaderValue::from_static("*"), &tag));
        assert!(!etag_matches(&HeaderValue::from_static("\"abcd\""), &tag));
    }

    fn entry(n: usize) -> Arc<Entry> {
        Arc::new(Entry {
            headers: HeaderMap::new(),
            body: Bytes::from(vec![b'x'; n]),
            etag: HeaderValue::from_static("\"e\""),
            size: n + ENTRY_OVERHEAD,
        })
    }

    fn key(generation: u64, t: &str) -> Key {
        Key {
            generation,
            gzip: false,
            target: t.into(),
        }
    }

    #[test]
    fn the_least_recently_used_go_first_and_the_bound_holds() {
        let c = ResponseCache::new(4 * (1000 + ENTRY_OVERHEAD));
        for t in ["a", "b", "c", "d"] {
            c.insert(key(0, t), entry(1000));
        }
        assert!(c.get(&key(0, "a")).is_some()); // a is now the newest
        c.insert(key(0, "e"), entry(1000));
        let s = c.stats();
        assert_eq!((s.entries, s.evictions), (4, 1));
        assert!(s.bytes <= s.max_bytes);
        assert!(
            c.get(&key(0, "b")).is_none(),
            "b was the least recently used"
        );
        assert!(c.get(&key(0, "a")).is_some());
        // Too large for the bound: not kept.
        c.insert(key(0, "big"), entry(3000));
        assert!(c.get(&key(0, "big")).is_none());
        // A newer generation empties the cache; an older one is not kept.
        assert!(c.get(&key(1, "a")).is_none());
        assert_eq!(c.stats().entries, 0);
        c.insert(key(0, "a"), entry(10));
        assert_eq!(c.stats().entries, 0);
    }
}
