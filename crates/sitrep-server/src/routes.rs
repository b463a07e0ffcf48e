//! The router: every page, and the API built from its route table
//! (`api/endpoints.rs`, the same table the OpenAPI document is generated from).
//!
//! ```text
//! Pages (HTML)                      API (/api/v1, JSON unless format= says otherwise)
//! GET /                 overview    GET /incidents            list: filters, page, sort, format=json|csv|geojson
//! GET /explore          filters,    GET /incidents/{record_id} one incident, its record versions, provenance
//!                       chart, map, GET /summary              headline numbers
//!                       table       GET /series               per week|month|year, zero-filled
//! GET /incidents/{id}   incident    GET /map/provinces        per province
//!                                   GET /map/points, /names   map points, autocomplete
//! GET /actors/{id}      actor       GET /actors, /actors/{id} registry and activity
//! GET /actors/graph     network     GET /actors/graph         the actor network: json|graphml|dot
//! GET /places/{code}    province    GET /places, /places/{code} gazetteer and activity
//! GET /figures          figures     GET /figures, /figures/{id} bundled figures: json|svg|csv|html
//! GET /figures/{id}     one figure  GET /report               the example report, HTML
//! GET/POST /check       claim check POST /check               claim check: {text, date} → verdicts (read-only, no token)
//!                                   GET /sources              batches
//! GET /watch           scenarios,  GET /changes              change points of a series
//!                       indicators  GET /alerts, /alerts.atom status changes (JSON, Atom)
//! GET /watch/{id}       indicator   GET /openapi.json         OpenAPI 3.1
//! GET /forecast         next month  GET /forecast             forecasts with their back-test
//! GET  /login           sign in     claims, verdicts, journal: see api/claims.rs
//! POST /login, /logout  session     (GET for all; POST/PATCH/DELETE for analysts)
//! POST /incidents/{id}/claims[/{claim}[/retract]], /incidents/{id}/override   page forms (analysts, CSRF)
//! ```
//!
//! Records are read-only. Writes (claims, overrides, undo) go to the claims journal
//! and need an analyst (auth.rs); with no users the server answers 403 to them.

use crate::api;
use crate::error::ApiError;
use crate::pages;
use crate::params::{Accepts, Params, MAX_QUERY_BYTES};
use crate::AppState;
use axum::extract::{FromRequestParts, Request, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use std::time::Duration;
use tower_http::compression::CompressionLayer;
use tower_http::limit::RequestBodyLimitLayer;

/// Largest request body accepted by every route but the claim checker's (which
/// accepts an article: `api::check::MAX_CHECK_BODY_BYTES`, 413 beyond it).
pub const MAX_BODY_BYTES: usize = 64 * 1024;

/// The application: pages, the API under `/api/v1`, limits and headers.
pub fn app(state: AppState) -> Router {
    // The API: every route of the table (api/endpoints.rs), which the OpenAPI
    // document describes too, each behind the query keys it declares.
    let (mut api, mut own_limit) = (Router::new(), Router::new());
    for e in api::endpoints::all() {
        let handler = e
            .handler
            .route_layer(middleware::from_fn_with_state(e.accepts, accepts));
        if e.own_body_limit {
            own_limit = own_limit.route(e.path, handler);
        } else {
            api = api.route(e.path, handler);
        }
    }
    let api = api
        // Every route reads at most MAX_BODY_BYTES but those bounding their own
        // body (the claim checker reads an article, with a precise 413).
        .layer(RequestBodyLimitLayer::new(MAX_BODY_BYTES))
        .merge(own_limit)
        .fallback(api_not_found);

    Router::new()
        .route("/", get(pages::overview::page))
        .route("/explore", get(pages::explore::page))
        .route("/incidents/{id}", get(pages::incident::page))
        .route("/incidents/{id}/claims", post(pages::claims::add_form))
        .route(
            "/incidents/{id}/override",
            post(pages::claims::override_form),
        )
        .route(
            "/incidents/{id}/claims/{claim}",
            post(pages::claims::edit_form),
        )
        .route(
            "/incidents/{id}/claims/{claim}/retract",
            post(pages::claims::retract_form),
        )
        .route(
            "/login",
            get(crate::auth::login_page).post(crate::auth::login),
        )
        .route("/logout", post(crate::auth::logout))
        .route("/actors/graph", get(pages::graph::page))
        .route("/actors/{id}", get(pages::actor::page))
        .route("/assets/{*path}", get(crate::assets::serve))
        .route("/places/{code}", get(pages::place::page))
        .route("/figures", get(pages::figures::index))
        .route("/figures/{id}", get(api::png::figure_or_page))
        .layer(RequestBodyLimitLayer::new(MAX_BODY_BYTES))
        .route("/check", get(pages::check::page).post(pages::check::submit))
        .route("/watch", get(pages::watch::index))
        .route("/watch/{id}", get(pages::watch::show))
        .route("/forecast", get(pages::forecast::page))
        .nest("/api/v1", api)
        .fallback(pages::not_found)
        // Layers wrap what is above them; the last added runs first on a request:
        // 1. `guard` rejects overlong query strings, bounds the request's time (its
        //    body's reading included) and sets security headers on every answer, its
        //    own and the body limits' too;
        // 2. body limits (above: MAX_BODY_BYTES on every route but the claim
        //    checker's, which bounds its own) reject oversized requests before
        //    anything reads them;
        // 3. the response cache (cache.rs) answers repeated GETs of one store version
        //    and ETag revalidations, and keeps what is below it produced;
        // 4. compression (gzip when accepted), so kept answers are kept compressed.
        .layer(CompressionLayer::new())
        .layer(middleware::from_fn_with_state(
            state.clone(),
            crate::cache::respond,
        ))
        .layer(middleware::from_fn_with_state(state.clone(), guard))
        .with_state(state)
}

/// Longest a request may take by default, reading its body included
/// ([`AppState::with_request_timeout`]).
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(60);

/// Rejects overlong query strings (414) and requests slower than the state's limit
/// (503), makes the body limit's 413 a problem+json answer, and adds headers to every
/// answer: no sniffing, no referrer, and a content security policy that allows
/// nothing from elsewhere and no framing.
async fn guard(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let len = req.uri().query().map_or(0, str::len);
    let mut res = if len > MAX_QUERY_BYTES {
        ApiError::UriTooLong {
            len,
            limit: MAX_QUERY_BYTES,
        }
        .into_response()
    } else {
        let limit = state.request_timeout();
        match tokio::time::timeout(limit, next.run(req)).await {
            Ok(res) => res,
            Err(_) => ApiError::Unavailable(format!(
                "the request took longer than {} s; narrow it or try again",
                limit.as_secs().max(1)
            ))
            .into_response(),
        }
    };
    let is_problem = |r: &Response| {
        r.headers()
            .get(header::CONTENT_TYPE)
            .is_some_and(|v| v.as_bytes().starts_with(b"application/problem+json"))
    };
    if res.status() == StatusCode::PAYLOAD_TOO_LARGE && !is_problem(&res) {
        res = ApiError::PayloadTooLarge(format!(
            "the request body is larger than {MAX_BODY_BYTES} bytes"
        ))
        .into_response();
    }
    let h = res.headers_mut();
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(
            "default-src 'none'; script-src 'self'; connect-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; form-action 'self'; base-uri 'none'; frame-ancestors 'none'",
        ),
    );
    // For browsers without CSP level 2 (`frame-ancestors`).
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    res
}

/// Answers 400 to a query string with a key the route does not accept (or a
/// malformed one), before the handler runs: an API route takes exactly the
/// parameters its table entry declares, and so documents.
async fn accepts(State(accepts): State<Accepts>, req: Request, next: Next) -> Response {
    let (mut parts, body) = req.into_parts();
    let checked = match Params::from_request_parts(&mut parts, &()).await {
        Ok(p) => accepts.check(&p),
        Err(e) => Err(e),
    };
    match checked {
        Ok(()) => next.run(Request::from_parts(parts, body)).await,
        Err(e) => e.into_response(),
    }
}

async fn api_not_found(req: Request) -> ApiError {
    ApiError::NotFound(format!(
        "no API endpoint at `{}`; see /api/v1/openapi.json",
        req.uri().path().chars().take(200).collect::<String>()
    ))
}
