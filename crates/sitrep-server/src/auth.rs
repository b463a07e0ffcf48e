//! Who may write: users and roles from the store's ledger (`sitrep users`), API
//! tokens, web sessions with CSRF tokens, and a limit on failed sign-ins.
//!
//! * The server is **read-only unless users exist**: with no users every write
//!   endpoint answers 403.
//! * Scripts send `Authorization: Bearer srt_…` (`sitrep users token NAME`). A token
//!   is not an ambient credential, so token requests need no CSRF token.
//! * Browsers sign in with `POST /login` (form or JSON `name`, `password`) and get an
//!   `HttpOnly; SameSite=Strict` session cookie and a CSRF token. Every write made
//!   with the cookie must carry the token: header `X-CSRF-Token` (API) or form field
//!   `csrf` (pages). A missing or wrong token is refused (403).
//! * Five failed sign-ins for one name within 15 minutes block that name for the
//!   rest of the window (429 with `Retry-After`), even with the right password.
//! * Every write endpoint takes an [`Analyst`]: no credentials → 401, a viewer → 403.
//!   The journal records the authenticated user's name.

use crate::error::ApiError;
use crate::AppState;
use axum::body::Bytes;
use axum::extract::{FromRequestParts, State};
use axum::http::request::Parts;
use axum::http::{header, HeaderMap, Method};
use axum::response::{IntoResponse, Response};
use maud::html;
use sitrep_claims::{Ledger, RecordActor};
use sitrep_model::{IncidentRef, Role};
use std::collections::{BTreeMap, HashMap};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Name of the session cookie.
pub const SESSION_COOKIE: &str = "sitrep_session";
/// How long a session lasts.
const SESSION_TTL: Duration = Duration::from_secs(8 * 3600);
/// Failed sign-ins allowed per name and window.
const MAX_FAILURES: usize = 5;
/// Failed sign-ins allowed per client address and window, whatever the names tried
/// (password spraying).
const MAX_CLIENT_FAILURES: usize = 20;
/// The failure window.
const FAILURE_WINDOW: Duration = Duration::from_secs(15 * 60);
/// Names with failures kept before old ones are swept.
const MAX_TRACKED_NAMES: usize = 10_000;

/// One signed-in browser.
#[derive(Debug, Clone)]
struct Session {
    user: String,
    role: Role,
    csrf: String,
    expires: Instant,
}

/// The ledger and what authentication keeps in memory.
pub struct ClaimsState {
    /// The store's claims ledger (journal and users).
    pub ledger: Ledger,
    /// The store the evidence is read from (read-only while served).
    store: sitrep_store::Store,
    /// The actors each incident's records name: read on the first claims request,
    /// not at start-up (on a 10M-record store it is most of a start).
    evidence: tokio::sync::OnceCell<BTreeMap<IncidentRef, Vec<RecordActor>>>,
    sessions: Mutex<HashMap<String, Session>>,
    failures: Mutex<HashMap<String, Vec<Instant>>>,
}

impl std::fmt::Debug for ClaimsState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ClaimsState")
            .field("ledger", &self.ledger.dir())
            .finish_non_exhaustive()
    }
}

impl ClaimsState {
    /// The ledger of `store`; the store's record evidence is read when first needed.
    pub fn new(ledger: Ledger, store: sitrep_store::Store) -> Self {
        ClaimsState {
            ledger,
            store,
            evidence: tokio::sync::OnceCell::new(),
            sessions: Mutex::new(HashMap::new()),
            failures: Mutex::new(HashMap::new()),
        }
    }

    /// The actors each incident's records name, read from the store once.
    pub async fn evidence(
        &self,
    ) -> Result<&BTreeMap<IncidentRef, Vec<RecordActor>>, crate::error::ApiError> {
        self.evidence
            .get_or_try_init(|| async {
                sitrep_claims::evidence(&self.store)
                    .await
                    .map_err(crate::error::ApiError::internal)
            })
            .await
    }

    fn session(&self, id: &str) -> Option<Session> {
        let mut s = self.sessions.lock().expect("not poisoned");
        let now = Instant::now();
        s.retain(|_, v| v.expires > now);
        s.get(id).cloned()
    }

    /// Seconds until `name` may try again, if it is blocked.
    fn blocked(&self, name: &str) -> Option<u64> {
        self.blocked_key(&format!("name:{name}"), MAX_FAILURES)
    }

    /// Seconds until the client at `addr` may try again, if it is blocked.
    fn client_blocked(&self, addr: std::net::IpAddr) -> Option<u64> {
        self.blocked_key(&format!("client:{addr}"), MAX_CLIENT_FAILURES)
    }

    fn blocked_key(&self, key: &str, max: usize) -> Option<u64> {
        let mut f = self.failures.lock().expect("not poisoned");
        let now = Instant::now();
        let list = f.entry(key.to_string()).or_default();
        list.retain(|t| now.duration_since(*t) < FAILURE_WINDOW);
        (list.len() >= max).then(|| {
            let oldest = list.iter().min().copied().unwrap_or(now);
            (FAILURE_WINDOW.saturating_sub(now.duration_since(oldest))).as_secs() + 1
        })
    }

    fn fail(&self, name: &str, client: Option<std::net::IpAddr>) {
        self.fail_key(&format!("name:{name}"));
        if let Some(addr) = client {
            self.fail_key(&format!("client:{addr}"));
        }
    }

    fn fail_key(&self, key: &str) {
        let mut f = self.failures.lock().expect("not poisoned");
        let now = Instant::now();
        // Names tried at random must not grow the map without bound: forget
        // failures outside the window once it holds many names.
        if f.len() >= MAX_TRACKED_NAMES {
            f.retain(|_, v| {
                v.retain(|t| now.duration_since(*t) < FAILURE_WINDOW);
                !v.is_empty()
            });
        }
        f.entry(key.to_string()).or_default().push(now);
    }
}

/// An authenticated user.
#[derive(Debug, Clone)]
pub struct Authed {
    /// Login name (what the journal records).
    pub name: String,
    /// Role.
    pub role: Role,
    /// Signed in with a browser session (then writes need the CSRF token).
    pub session_csrf: Option<String>,
}

fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.to_string())
}

/// Compares secrets without leaking where they differ.
pub(crate) fn same_secret(a: &str, b: &str) -> bool {
    blake3::hash(a.as_bytes()) == blake3::hash(b.as_bytes())
}

fn internal(e: impl std::fmt::Display) -> ApiError {
    ApiError::Internal(e.to_string())
}

/// Who the request comes from, if anyone: a Bearer token or a session cookie.
/// Fails with 401 for a bad token; `Ok(None)` when no credentials are sent.
pub(crate) fn identify(headers: &HeaderMap, state: &AppState) -> Result<Option<Authed>, ApiError> {
    let cs = state.claims();
    if let Some(auth) = headers.get(header::AUTHORIZATION) {
        let v = auth.to_str().unwrap_or("");
        let Some(token) = v.strip_prefix("Bearer ") else {
            return Err(ApiError::Unauthorized(
                "unsupported Authorization scheme; send `Authorization: Bearer TOKEN`".into(),
            ));
        };
        return match cs.ledger.users().check_token(token).map_err(internal)? {
            Some(u) => Ok(Some(Authed {
                name: u.name,
                role: u.role,
                session_csrf: None,
            })),
            None => Err(ApiError::Unauthorized(
                "invalid or revoked API token".into(),
            )),
        };
    }
    if let Some(id) = cookie(headers, SESSION_COOKIE) {
        if let Some(s) = cs.session(&id) {
            // The user may have been removed since signing in.
            let still = cs
                .ledger
                .users()
                .list()
                .map_err(internal)?
                .into_iter()
                .find(|u| u.name == s.user);
            if let Some(u) = still {
                return Ok(Some(Authed {
                    name: u.name,
                    role: u.role.min(s.role),
                    session_csrf: Some(s.csrf),
                }));
            }
        }
    }
    Ok(None)
}

/// A user allowed to write (analyst or admin), authenticated and, for browser
/// sessions, with the CSRF token in `X-CSRF-Token`. Form handlers check the `csrf`
/// field themselves through [`FormWriter`].
#[derive(Debug, Clone)]
pub struct Analyst(pub Authed);

fn require(state: &AppState, who: Option<Authed>, needed: Role) -> Result<Authed, ApiError> {
    if !state.claims().ledger.users().any().map_err(internal)? {
        return Err(ApiError::Forbidden(
            "this server is read-only: it has no users (add one with `sitrep users add NAME --role analyst`)".into(),
        ));
    }
    let Some(a) = who else {
        return Err(ApiError::Unauthorized(
            "sign in (POST /login) or send `Authorization: Bearer TOKEN` (sitrep users token NAME)"
                .into(),
        ));
    };
    if !a.role.allows(needed) {
        return Err(ApiError::Forbidden(format!(
            "user {} is a {}; this needs the {} role",
            a.name,
            a.role.as_str(),
            needed.as_str()
        )));
    }
    Ok(a)
}

impl FromRequestParts<AppState> for Analyst {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let who = identify(&parts.headers, state)?;
        let a = require(state, who, Role::Analyst)?;
        if let Some(csrf) = &a.session_csrf {
            if !matches!(parts.method, Method::GET | Method::HEAD) {
                let given = parts
                    .headers
                    .get("x-csrf-token")
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or("");
                if !same_secret(given, csrf) {
                    return Err(ApiError::Forbidden(
                        "CSRF token missing or wrong: send the session's token in X-CSRF-Token"
                            .into(),
                    ));
                }
            }
        }
        Ok(Analyst(a))
    }
}

/// A signed-in analyst posting a page form; [`FormWriter::check`] verifies the
/// form's `csrf` field.
#[derive(Debug, Clone)]
pub struct FormWriter(pub Authed);

impl FromRequestParts<AppState> for FormWriter {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let who = identify(&parts.headers, state)?;
        Ok(FormWriter(require(state, who, Role::Analyst)?))
    }
}

impl FormWriter {
    /// Checks the form's CSRF token (token-authenticated requests need none).
    pub fn check(&self, form: &HashMap<String, String>) -> Result<(), ApiError> {
        match &self.0.session_csrf {
            None => Ok(()),
            Some(csrf) => {
                let given = form.get("csrf").map(String::as_str).unwrap_or("");
                if same_secret(given, csrf) {
                    Ok(())
                } else {
                    Err(ApiError::Forbidden("CSRF token missing or wrong".into()))
                }
            }
        }
    }
}

/// Whoever is signed in, if anyone (pages use it to offer forms).
#[derive(Debug, Clone)]
pub struct MaybeUser(pub Option<Authed>);

impl FromRequestParts<AppState> for MaybeUser {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        Ok(MaybeUser(identify(&parts.headers, state).unwrap_or(None)))
    }
}

/// Parses a form (`application/x-www-form-urlencoded`) or JSON object body.
pub(crate) fn form_or_json(
    headers: &HeaderMap,
    body: &Bytes,
) -> Result<HashMap<String, String>, ApiError> {
    let ct = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    if ct.starts_with("application/json") {
        let v: serde_json::Value = serde_json::from_slice(body)
            .map_err(|e| ApiError::BadRequest(format!("the body is not valid JSON: {e}")))?;
        let obj = v
            .as_object()
            .ok_or_else(|| ApiError::BadRequest("the body must be a JSON object".into()))?;
        return Ok(obj
            .iter()
            .map(|(k, v)| {
                (
                    k.clone(),
                    v.as_str()
                        .map(String::from)
                        .unwrap_or_else(|| v.to_string()),
                )
            })
            .collect());
    }
    serde_urlencoded::from_bytes(body)
        .map_err(|e| ApiError::BadRequest(format!("the form is not valid: {e}")))
}

/// `POST /login`: name and password → a session cookie and its CSRF token.
pub(crate) async fn login(
    State(state): State<AppState>,
    client: Option<axum::Extension<crate::ClientAddr>>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    let form = form_or_json(&headers, &body)?;
    let name = form.get("name").cloned().unwrap_or_default();
    let password = form.get("password").cloned().unwrap_or_default();
    let cs = state.claims_arc();
    let client = client.map(|c| c.0 .0);
    if let Some(retry_after) = client.and_then(|c| cs.client_blocked(c)) {
        return Err(ApiError::TooManyRequests { retry_after });
    }
    if let Some(retry_after) = cs.blocked(&name) {
        return Err(ApiError::TooManyRequests { retry_after });
    }
    let users = cs.ledger.users().clone();
    let n = name.clone();
    // argon2 is deliberately slow: keep it off the async workers.
    let user = tokio::task::spawn_blocking(move || users.check_password(&n, &password))
        .await
        .map_err(internal)?
        .map_err(internal)?;
    let Some(user) = user else {
        cs.fail(&name, client);
        return Err(ApiError::Unauthorized("wrong name or password".into()));
    };
    let id = sitrep_claims::random_token().map_err(internal)?;
    let csrf = sitrep_claims::random_token().map_err(internal)?;
    cs.sessions.lock().expect("not poisoned").insert(
        id.clone(),
        Session {
            user: user.name.clone(),
            role: user.role,
            csrf: csrf.clone(),
            expires: Instant::now() + SESSION_TTL,
        },
    );
    let set = format!(
        "{SESSION_COOKIE}={id}; HttpOnly; SameSite=Strict; Path=/; Max-Age={}",
        SESSION_TTL.as_secs()
    );
    let wants_json = headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|a| a.contains("application/json"));
    if wants_json {
        let body = serde_json::json!({ "user": user.name, "role": user.role, "csrf": csrf });
        return Ok((
            [
                (header::SET_COOKIE, set),
                (header::CONTENT_TYPE, "application/json".to_string()),
            ],
            body.to_string(),
        )
            .into_response());
    }
    Ok((
        axum::http::StatusCode::SEE_OTHER,
        [
            (header::SET_COOKIE, set),
            (header::LOCATION, "/".to_string()),
        ],
    )
        .into_response())
}

/// `POST /logout`: ends the session.
pub(crate) async fn logout(State(state): State<AppState>, headers: HeaderMap) -> Response {
    if let Some(id) = cookie(&headers, SESSION_COOKIE) {
        state
            .claims()
            .sessions
            .lock()
            .expect("not poisoned")
            .remove(&id);
    }
    (
        axum::http::StatusCode::SEE_OTHER,
        [
            (
                header::SET_COOKIE,
                format!("{SESSION_COOKIE}=; HttpOnly; SameSite=Strict; Path=/; Max-Age=0"),
            ),
            (header::LOCATION, "/".to_string()),
        ],
    )
        .into_response()
}

/// `GET /login`: the sign-in form.
pub(crate) async fn login_page(MaybeUser(who): MaybeUser) -> crate::pages::Page {
    crate::pages::Page(crate::pages::layout(
        "Sign in",
        html! {
            h1 { "Sign in" }
            @if let Some(a) = &who {
                p { "Signed in as " strong { (a.name) } " (" (a.role.as_str()) ")." }
                form method="post" action="/logout" { button type="submit" { "Sign out" } }
            } @else {
                p.muted { "Analysts sign in to add claims and override verdicts. Users are made with " code { "sitrep users add" } "." }
                form method="post" action="/login" {
                    label { "Name " input type="text" name="name" autocomplete="username" required; }
                    " "
                    label { "Password " input type="password" name="password" autocomplete="current-password" required; }
                    " "
                    button type="submit" { "Sign in" }
                }
            }
        },
    ))
}
