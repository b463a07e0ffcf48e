//! The sitrep web dashboard and HTTP API: server-rendered pages and a JSON API
//! (described by an OpenAPI 3.1 document) over one read-only [`sitrep_store::Store`].
//!
//! [`AppState`] holds the store, its DataFusion session, the place and actor
//! [`sitrep_resolve::Resolver`] and the province outlines; [`app`] builds the
//! [`axum::Router`] in `routes.rs` (read it as the map of pages and API), the API
//! from its route table `api/endpoints.rs` — each route with the query parameters it
//! accepts, declared as [`params::Param`]s beside their parsers — from which the
//! OpenAPI document is generated too; [`serve`] binds it to a socket. Handlers live one module per resource under
//! `api/` (JSON, CSV, GeoJSON) and `pages/` (HTML rendered with maud, CSS compiled
//! in). Every query parameter is parsed into a typed [`params::Filters`] and
//! reaches SQL only as a quoted literal, a validated enum or a number. Failures are
//! one [`ApiError`], answered as RFC 9457 `application/problem+json`.
//!
//! **Licence-aware serving.** ACLED's terms forbid re-serving its rows publicly, so
//! for records of a source ingested with an ACLED adapter the API leaves out the
//! verbatim `raw` row and the `notes` text and says why in a `licence` field;
//! aggregates (counts, sums, series, maps) are served for every source.
//!
//! **Caching.** Answers to `GET` are kept by store version and normalised request,
//! with ETags, and compressed when the client accepts gzip: see [`cache`] (and
//! [`AppState::with_cache`]). A commit to the store or a write to the claims journal
//! starts a new version, so the next request sees it.
//!
//! Figures (`/figures`, `/api/v1/figures`) are the bundled specs computed by
//! sitrep-analysis and drawn by sitrep-render, cached per spec and period.
//!
//! **Writes.** Claims, verdict overrides and undo go to the store's claims journal
//! (sitrep-claims), never to its records. The server is read-only unless users exist;
//! [`auth`] explains tokens, sessions, CSRF and the sign-in limit.
//!
//! Out of scope: writing records to the store, the series
//! engine (sitrep-analysis; `/api/v1/series` here is a plain `date_trunc` count),
//! the `sitrep serve` command line (sitrep-cli).
//!
//! ```no_run
//! # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
//! use std::sync::Arc;
//! let store = sitrep_store::Store::open("my-store")?;
//! let resolver = Arc::new(sitrep_resolve::Resolver::bundled()?);
//! let state = sitrep_server::AppState::new(store, resolver).await?;
//! sitrep_server::serve(state, "127.0.0.1:8080".parse()?).await?;
//! # Ok(()) }
//! ```
#![recursion_limit = "256"]
#![deny(missing_docs)]

mod api;
mod assets;
pub mod auth;
pub mod cache;
mod error;
mod links;
mod pages;
pub mod params;
mod routes;
mod state;
mod table;

pub use cache::CacheStats;
pub use error::{ApiError, ServerError};
pub use routes::app;
pub use state::AppState;

use std::net::SocketAddr;

/// Serves [`app`] on `bind` until the process is stopped, printing where it listens.
pub async fn serve(state: AppState, bind: SocketAddr) -> Result<(), ServerError> {
    let listener = tokio::net::TcpListener::bind(bind)
        .await
        .map_err(|source| ServerError::Bind { addr: bind, source })?;
    let addr = listener
        .local_addr()
        .map_err(|source| ServerError::Bind { addr: bind, source })?;
    println!("sitrep: serving on http://{addr}/ (API at http://{addr}/api/v1/openapi.json)");
    serve_listener(listener, app(state), HEADER_READ_TIMEOUT).await
}

/// How long a client may take to send a request's headers, and how long a kept-alive
/// connection may sit idle before its next request: past it the connection is closed
/// (slow-header "slowloris" clients and idle sockets cannot hold the server's tasks).
pub const HEADER_READ_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(10);

/// Serves `app` on `listener` over HTTP/1.1, one task per connection, each with a
/// header-read timer of `header_timeout` (see [`HEADER_READ_TIMEOUT`]); bodies are
/// bounded by the app's own request time limit. Runs until the listener fails.
pub async fn serve_listener(
    listener: tokio::net::TcpListener,
    app: axum::Router,
    header_timeout: std::time::Duration,
) -> Result<(), ServerError> {
    loop {
        let (stream, peer) = match listener.accept().await {
            Ok(c) => c,
            // Out of file descriptors or a connection reset before accept: keep serving.
            Err(e) if is_transient(&e) => {
                tokio::time::sleep(std::time::Duration::from_millis(50)).await;
                continue;
            }
            Err(e) => return Err(ServerError::Serve(e)),
        };
        // Each request knows its client's address (for the per-client sign-in limit).
        let with_peer = tower::ServiceExt::map_request(
            app.clone(),
            move |mut req: axum::http::Request<hyper::body::Incoming>| {
                req.extensions_mut().insert(ClientAddr(peer.ip()));
                req
            },
        );
        let service = hyper_util::service::TowerToHyperService::new(with_peer);
        tokio::spawn(async move {
            let mut b = hyper::server::conn::http1::Builder::new();
            b.timer(hyper_util::rt::TokioTimer::new())
                .header_read_timeout(header_timeout)
                .keep_alive(true);
            // A client that goes away or times out ends its own connection only.
            let _ = b
                .serve_connection(hyper_util::rt::TokioIo::new(stream), service)
                .with_upgrades()
                .await;
        });
    }
}

/// The address of the client a request came from, when served by [`serve_listener`]
/// (absent in tests that call the router directly).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ClientAddr(pub std::net::IpAddr);

fn is_transient(e: &std::io::Error) -> bool {
    use std::io::ErrorKind as K;
    matches!(
        e.kind(),
        K::ConnectionAborted | K::ConnectionReset | K::Interrupted | K::WouldBlock
    ) || e.raw_os_error() == Some(24) // EMFILE: too many open files
        || e.raw_os_error() == Some(23) // ENFILE
}
