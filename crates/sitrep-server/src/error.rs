//! One error type for every handler, answered as RFC 9457 problem details.

use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use std::net::SocketAddr;

/// Why a request failed. Client errors carry a message for the client; internal
/// errors are logged in full and the client gets a plain 500.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// A query parameter is malformed, unknown or out of range (400).
    #[error("{0}")]
    BadRequest(String),
    /// The requested item does not exist (404).
    #[error("{0}")]
    NotFound(String),
    /// The query string is longer than the server accepts (414).
    #[error("the query string is {len} bytes; the limit is {limit}")]
    UriTooLong {
        /// Length found.
        len: usize,
        /// Limit.
        limit: usize,
    },
    /// A failure inside sitrep (a query or rendering error); never the client's fault.
    #[error("internal error: {0}")]
    Internal(String),
    /// No valid credentials: sign in or send an API token (401).
    #[error("{0}")]
    Unauthorized(String),
    /// Authenticated but not allowed, a read-only server, or a bad CSRF token (403).
    #[error("{0}")]
    Forbidden(String),
    /// The change conflicts with the current state (409).
    #[error("{0}")]
    Conflict(String),
    /// The request body is larger than the endpoint accepts (413).
    #[error("{0}")]
    PayloadTooLarge(String),
    /// The server could not answer in its time budget (503).
    #[error("{0}")]
    Unavailable(String),
    /// Too many failed sign-ins; retry after this many seconds (429).
    #[error("too many failed sign-ins for this name; try again in {retry_after} s")]
    TooManyRequests {
        /// Seconds until the next attempt is accepted.
        retry_after: u64,
    },
}

impl ApiError {
    /// The answer for a library error of `class`: the client's input is a 400;
    /// anything else (a damaged store, I/O, a bug) is logged in full and a plain 500.
    pub(crate) fn classed(class: sitrep_model::ErrorClass, message: String) -> ApiError {
        match class {
            sitrep_model::ErrorClass::Input => ApiError::BadRequest(message),
            _ => ApiError::Internal(format!("[{}] {message}", class.as_str())),
        }
    }
}

impl From<sitrep_analysis::AnalysisError> for ApiError {
    /// Input errors (an unknown actor id, a column the store lacks) are the
    /// client's; everything else is internal.
    fn from(e: sitrep_analysis::AnalysisError) -> Self {
        ApiError::classed(e.class(), e.to_string())
    }
}

impl From<sitrep_render::RenderError> for ApiError {
    fn from(e: sitrep_render::RenderError) -> Self {
        ApiError::classed(e.class(), e.to_string())
    }
}

impl ApiError {
    /// The HTTP status.
    pub fn status(&self) -> StatusCode {
        match self {
            ApiError::BadRequest(_) => StatusCode::BAD_REQUEST,
            ApiError::NotFound(_) => StatusCode::NOT_FOUND,
            ApiError::UriTooLong { .. } => StatusCode::URI_TOO_LONG,
            ApiError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
            ApiError::Unauthorized(_) => StatusCode::UNAUTHORIZED,
            ApiError::Forbidden(_) => StatusCode::FORBIDDEN,
            ApiError::Conflict(_) => StatusCode::CONFLICT,
            ApiError::TooManyRequests { .. } => StatusCode::TOO_MANY_REQUESTS,
            ApiError::PayloadTooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            ApiError::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
        }
    }

    /// A short, stable title for the problem type.
    pub fn title(&self) -> &'static str {
        match self {
            ApiError::BadRequest(_) => "Bad request parameter",
            ApiError::NotFound(_) => "Not found",
            ApiError::UriTooLong { .. } => "Query string too long",
            ApiError::Internal(_) => "Internal server error",
            ApiError::Unauthorized(_) => "Authentication required",
            ApiError::Forbidden(_) => "Forbidden",
            ApiError::Conflict(_) => "Conflict",
            ApiError::TooManyRequests { .. } => "Too many requests",
            ApiError::PayloadTooLarge(_) => "Request body too large",
            ApiError::Unavailable(_) => "Time budget exceeded",
        }
    }

    /// True for failures the client caused (4xx).
    pub fn is_client(&self) -> bool {
        !matches!(self, ApiError::Internal(_))
    }

    /// The `detail` shown to clients: the message for client errors, a plain
    /// sentence for internal ones (their text stays in the log).
    pub fn detail(&self) -> String {
        match self {
            ApiError::Internal(_) => {
                "sitrep failed to answer this request; the cause is in the server log".into()
            }
            e => e.to_string(),
        }
    }

    pub(crate) fn internal(e: impl std::fmt::Display) -> ApiError {
        ApiError::Internal(e.to_string())
    }

    /// Logs internal errors (in full) once, where the response is made.
    pub(crate) fn log(&self) {
        if let ApiError::Internal(msg) = self {
            eprintln!("sitrep-server: internal error: {msg}");
        }
    }
}

impl From<sitrep_store::StoreError> for ApiError {
    fn from(e: sitrep_store::StoreError) -> Self {
        ApiError::classed(e.class(), e.to_string())
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        self.log();
        let status = self.status();
        if !self.is_client() {
            return (
                status,
                [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
                "internal server error\n",
            )
                .into_response();
        }
        let kind = match self {
            ApiError::BadRequest(_) => "bad-parameter",
            ApiError::NotFound(_) => "not-found",
            ApiError::UriTooLong { .. } => "query-too-long",
            ApiError::Internal(_) => "internal",
            ApiError::Unauthorized(_) => "unauthorized",
            ApiError::Forbidden(_) => "forbidden",
            ApiError::Conflict(_) => "conflict",
            ApiError::TooManyRequests { .. } => "too-many-requests",
            ApiError::PayloadTooLarge(_) => "payload-too-large",
            ApiError::Unavailable(_) => "time-budget",
        };
        let extra: Vec<(header::HeaderName, String)> = match &self {
            ApiError::Unauthorized(_) => vec![(
                header::WWW_AUTHENTICATE,
                "Bearer realm=\"sitrep\"".to_string(),
            )],
            ApiError::TooManyRequests { retry_after } => {
                vec![(header::RETRY_AFTER, retry_after.to_string())]
            }
            _ => Vec::new(),
        };
        let body = serde_json::json!({
            "type": format!("/api/v1/problems/{kind}"),
            "title": self.title(),
            "status": status.as_u16(),
            "detail": self.detail(),
        });
        let mut res = (
            status,
            [(header::CONTENT_TYPE, "application/problem+json")],
            body.to_string(),
        )
            .into_response();
        for (k, v) in extra {
            if let Ok(v) = header::HeaderValue::from_str(&v) {
                res.headers_mut().insert(k, v);
            }
        }
        res
    }
}

/// Why the server could not start or stopped.
#[derive(Debug, thiserror::Error)]
pub enum ServerError {
    /// The address could not be bound (in use, not permitted).
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        /// The address asked for.
        addr: SocketAddr,
        /// The cause.
        source: std::io::Error,
    },
    /// The server failed while running.
    #[error("server stopped: {0}")]
    Serve(std::io::Error),
    /// The store could not be queried when starting.
    #[error(transparent)]
    Store(#[from] sitrep_store::StoreError),
    /// Bundled map outlines could not be read (a build defect).
    #[error("province outlines: {0}")]
    Geometry(#[from] sitrep_render::RenderError),
    /// The series engine could not open a session on the store.
    #[error("series engine: {0}")]
    Analysis(String),
    /// The claims ledger could not be read (damaged journal, unreadable users file).
    #[error(transparent)]
    Claims(#[from] sitrep_claims::ClaimsError),
}
