//! The sitrep web dashboard and HTTP API: server-rendered pages and a JSON API
//! (described by an OpenAPI 3.1 document) over one read-only [`sitrep_store::Store`].
//!
//! [`AppState`] holds the store, its DataFusion session, the place and actor
//! [`sitrep_resolve::Resolver`] and the province outlines; [`app`] builds the
//! [`axum::Router`] from the route table in `routes.rs` (read it as the API's map),
//! and [`serve`] binds it to a socket. Handlers live one module per resource under
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
    axum::serve(listener, app(state))
        .await
        .map_err(ServerError::Serve)
}
