//! Claims, verdicts and the journal: read endpoints for everyone, write endpoints
//! for analysts (see `auth.rs`). Every write goes through the store's journal and
//! records the authenticated user.
//!
//! ```text
//! GET    /claims?incident=SRC:ID            claims in force
//! GET    /verdicts?status=&source=&as_of=   verdict per incident (computed, override, in force)
//! GET    /verdicts/{incident}?as_of=        one incident: verdict, basis, claims, history
//! GET    /journal?as_of=                    journal entries
//! POST   /claims                            add a claim           (analyst)
//! PATCH  /claims/{id}                       edit a claim          (analyst)
//! DELETE /claims/{id}                       retract a claim       (analyst; reason)
//! POST   /verdicts/{incident}/override      override a verdict    (analyst; status, reason)
//! DELETE /verdicts/{incident}/override      clear an override     (analyst; reason)
//! POST   /journal/{seq}/undo                undo an entry         (analyst; reason)
//! ```
//!
//! Write bodies are JSON objects (or forms) of strings; `reason` is recorded in the
//! journal. The routes, their query parameters (declared here) and their
//! documentation are entries of the API's route table (`api/endpoints.rs`).

use crate::api::json;
use crate::auth::{form_or_json, Analyst};
use crate::error::ApiError;
use crate::params::{Kind, Param};
use crate::AppState;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use sitrep_claims::{AsOf, ClaimsError, IncidentVerdict, View};
use sitrep_model::figure::Attribution;
use sitrep_model::{Channel, Claim, Grade, IncidentRef, JournalEntry, Stance};
use std::collections::HashMap;

/// `as_of` of the claims, verdicts and journal: their state at a point.
pub(crate) const AS_OF: Param = Param::new(
    "as_of",
    Kind::Text { default: None },
    "State as of YYYY-MM-DD (end of day, UTC), an RFC 3339 time, or #N (after journal entry N)",
    "2026-01-01",
)
.shared("as_of");

/// `incident` of `/claims`.
pub(crate) const INCIDENT: Param = Param::new(
    "incident",
    Kind::Text { default: None },
    "Only this incident, SOURCE:EVENT_ID",
    "ucdp:244657",
);

/// `status` of `/verdicts`.
pub(crate) const STATUS: Param = Param::new(
    "status",
    Kind::Choice {
        choices: &crate::params::ATTRIBUTIONS,
        default: None,
    },
    "Only this verdict (the one in force)",
    "unattributed",
);

/// `source` of `/verdicts`.
pub(crate) const SOURCE: Param = Param::new(
    "source",
    Kind::Text { default: None },
    "Only incidents of this source",
    "ucdp",
);

/// `reason` of a retraction, a cleared override or an undo (the body's wins).
pub(crate) const REASON: Param = Param::new(
    "reason",
    Kind::Text { default: None },
    "Why, recorded in the journal (a `reason` in the body takes precedence)",
    "duplicate",
);

pub(crate) fn claims_error(e: ClaimsError) -> ApiError {
    match e {
        ClaimsError::NotFound(m) => ApiError::NotFound(m),
        ClaimsError::Conflict(m) => ApiError::Conflict(m),
        e if e.is_input() => ApiError::BadRequest(e.to_string()),
        e => ApiError::Internal(e.to_string()),
    }
}

fn incident_ref(s: &str) -> Result<IncidentRef, ApiError> {
    IncidentRef::parse(s).ok_or_else(|| {
        ApiError::BadRequest(format!(
            "expected an incident as SOURCE:EVENT_ID (e.g. curated-afg:AFG-CUR-0006), found {s:?}"
        ))
    })
}

fn as_of(q: &HashMap<String, String>) -> Result<AsOf, ApiError> {
    match q.get(AS_OF.name) {
        None => Ok(AsOf::Now),
        Some(s) => AsOf::parse(s).map_err(ApiError::BadRequest),
    }
}

/// Runs blocking ledger work off the async workers.
/// Runs a ledger call (file I/O, fsync) off the async workers.
pub(crate) async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> Result<T, ClaimsError> + Send + 'static,
) -> Result<T, ApiError> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|e| ApiError::Internal(e.to_string()))?
        .map_err(claims_error)
}

/// The view as of a point.
pub(crate) async fn view(state: &AppState, at: AsOf) -> Result<View, ApiError> {
    let ledger = state.claims().ledger.clone();
    blocking(move || ledger.view(at)).await
}

/// One incident's verdict, claims and history as of a point.
pub(crate) async fn incident(
    state: &AppState,
    r: &IncidentRef,
    at: AsOf,
) -> Result<(IncidentVerdict, Vec<Claim>, Vec<JournalEntry>), ApiError> {
    let v = view(state, at).await?;
    let claims: Vec<Claim> = v
        .claims()
        .into_iter()
        .filter(|c| &c.incident == r)
        .collect();
    let records = state
        .claims()
        .evidence()
        .await?
        .get(r)
        .map(Vec::as_slice)
        .unwrap_or(&[]);
    let verdict = IncidentVerdict {
        computed: sitrep_claims::compute(r, &claims, records),
        overridden: v.overrides().remove(r),
    };
    let ledger = state.claims().ledger.clone();
    let rr = r.clone();
    let history: Vec<JournalEntry> = blocking(move || ledger.history(&rr))
        .await?
        .into_iter()
        .filter(|e| at.includes(e))
        .collect();
    Ok((verdict, claims, history))
}

pub(crate) async fn list(
    State(state): State<AppState>,
    Query(q): Query<HashMap<String, String>>,
) -> Result<Response, ApiError> {
    let filter = q.get(INCIDENT.name).map(|s| incident_ref(s)).transpose()?;
    let v = view(&state, as_of(&q)?).await?;
    let claims: Vec<Claim> = v
        .claims()
        .into_iter()
        .filter(|c| filter.as_ref().is_none_or(|f| &c.incident == f))
        .collect();
    Ok(json(serde_json::json!({ "claims": claims })))
}

pub(crate) async fn verdicts(
    State(state): State<AppState>,
    Query(q): Query<HashMap<String, String>>,
) -> Result<Response, ApiError> {
    let status: Option<Attribution> = q
        .get(STATUS.name)
        .map(|s| {
            serde_json::from_value(serde_json::Value::String(s.clone())).map_err(|_| {
                ApiError::BadRequest(format!(
                    "status {s:?}: expected attributed, claimed, contested or unattributed"
                ))
            })
        })
        .transpose()?;
    let v = view(&state, as_of(&q)?).await?;
    let all = sitrep_claims::verdicts(&v, state.claims().evidence().await?);
    let rows: Vec<serde_json::Value> = all
        .iter()
        .filter(|(k, _)| q.get(SOURCE.name).is_none_or(|s| &k.source == s))
        .filter(|(_, iv)| status.is_none_or(|s| iv.status() == s))
        .map(|(k, iv)| {
            serde_json::json!({
                "incident": k.to_string(),
                "status": iv.status(),
                "computed": iv.computed,
                "overridden": iv.overridden,
            })
        })
        .collect();
    Ok(json(serde_json::json!({ "verdicts": rows })))
}

pub(crate) async fn show(
    State(state): State<AppState>,
    Path(inc): Path<String>,
    Query(q): Query<HashMap<String, String>>,
) -> Result<Response, ApiError> {
    let r = incident_ref(&inc)?;
    let (verdict, claims, history) = incident(&state, &r, as_of(&q)?).await?;
    if claims.is_empty() && !state.claims().evidence().await?.contains_key(&r) {
        return Err(ApiError::NotFound(format!(
            "no incident {r} in the store and no claim about it"
        )));
    }
    Ok(json(serde_json::json!({
        "incident": r.to_string(),
        "status": verdict.status(),
        "verdict": verdict,
        "claims": claims,
        "history": history,
    })))
}

pub(crate) async fn journal(
    State(state): State<AppState>,
    Query(q): Query<HashMap<String, String>>,
) -> Result<Response, ApiError> {
    let at = as_of(&q)?;
    let ledger = state.claims().ledger.clone();
    let entries: Vec<JournalEntry> = blocking(move || ledger.entries())
        .await?
        .into_iter()
        .filter(|e| at.includes(e))
        .collect();
    Ok(json(serde_json::json!({ "entries": entries })))
}

fn field<'a>(f: &'a HashMap<String, String>, k: &str) -> Option<&'a str> {
    f.get(k).map(|s| s.trim()).filter(|s| !s.is_empty())
}

/// Applies the claim fields of a request to a claim.
pub(crate) fn apply_fields(
    state: &AppState,
    c: &mut Claim,
    f: &HashMap<String, String>,
) -> Result<(), ApiError> {
    let reg = state.resolver().registry();
    if let Some(s) = field(f, "stance") {
        c.stance = Stance::parse(s).ok_or_else(|| {
            ApiError::BadRequest(format!(
                "stance {s:?}: expected claims, denies, attributes, disputes or frames"
            ))
        })?;
    }
    if let Some(d) = field(f, "date") {
        c.date = Some(
            chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d")
                .map_err(|_| ApiError::BadRequest(format!("date {d:?}: expected YYYY-MM-DD")))?,
        );
    }
    if let Some(s) = f.get("claimant") {
        c.claimant = s.trim().to_string();
        c.claimant_id = sitrep_claims::text::resolve_name(reg, &c.claimant, None, c.date);
    }
    if let Some(s) = f.get("target") {
        let t = s.trim().to_string();
        c.target_id = sitrep_claims::text::resolve_name(reg, &t, None, c.date);
        c.target = (!t.is_empty()).then_some(t);
    }
    if let Some(s) = f.get("channel") {
        c.channel = Channel::guess(s);
        c.channel_text = s.trim().to_string();
    }
    if let Some(s) = f.get("reported_by") {
        c.reported_by = s.trim().to_string();
    }
    if let Some(s) = f.get("reference") {
        c.reference = s.trim().to_string();
    }
    if let Some(g) = field(f, "grade") {
        c.grade = Grade::parse(g).ok_or_else(|| {
            ApiError::BadRequest(format!(
                "grade {g:?}: expected an Admiralty grade such as B2"
            ))
        })?;
    }
    if let Some(s) = f.get("statement") {
        c.statement = s.trim().to_string();
    }
    // What a claim must say is the ledger's rule (`Claim::validate`), checked on write.
    Ok(())
}

/// Adds a claim from request fields; returns the journal entry.
pub(crate) async fn add_claim(
    state: &AppState,
    user: &str,
    f: &HashMap<String, String>,
) -> Result<JournalEntry, ApiError> {
    let incident = incident_ref(field(f, "incident").unwrap_or(""))?;
    if field(f, "stance").is_none() {
        return Err(ApiError::BadRequest("a claim needs a stance".into()));
    }
    let mut c = Claim {
        id: String::new(),
        incident,
        claimant: String::new(),
        claimant_id: None,
        joint: Vec::new(),
        stance: Stance::Frames,
        target: None,
        target_id: None,
        date: None,
        channel: Channel::Unknown,
        channel_text: String::new(),
        reported_by: String::new(),
        reference: String::new(),
        grade: Grade::UNGRADED,
        statement: String::new(),
    };
    apply_fields(state, &mut c, f)?;
    let ledger = state.claims().ledger.clone();
    let (user, reason) = (
        user.to_string(),
        f.get("reason").cloned().unwrap_or_default(),
    );
    blocking(move || ledger.add_claim(c, &user, &reason)).await
}

fn written(e: &JournalEntry, status: StatusCode) -> Response {
    (
        status,
        json(serde_json::json!({ "entry": e.seq, "user": e.user, "action": e.action, "changes": e.changes })),
    )
        .into_response()
}

pub(crate) async fn add(
    State(state): State<AppState>,
    Analyst(who): Analyst,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    let f = form_or_json(&headers, &body)?;
    let e = add_claim(&state, &who.name, &f).await?;
    Ok(written(&e, StatusCode::CREATED))
}

pub(crate) async fn edit(
    State(state): State<AppState>,
    Analyst(who): Analyst,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    let f = form_or_json(&headers, &body)?;
    let ledger = state.claims().ledger.clone();
    let reason = f.get("reason").cloned().unwrap_or_default();
    let st = state.clone();
    let e = blocking(move || {
        ledger.edit_claim(
            &id,
            |c| apply_fields(&st, c, &f).map_err(|e| ClaimsError::Invalid(e.to_string())),
            &who.name,
            &reason,
        )
    })
    .await?;
    Ok(written(&e, StatusCode::OK))
}

fn reason_of(
    headers: &HeaderMap,
    body: &Bytes,
    q: &HashMap<String, String>,
) -> Result<String, ApiError> {
    let from_body = if body.is_empty() {
        None
    } else {
        form_or_json(headers, body)?.get("reason").cloned()
    };
    Ok(from_body
        .or_else(|| q.get(REASON.name).cloned())
        .unwrap_or_default())
}

pub(crate) async fn retract(
    State(state): State<AppState>,
    Analyst(who): Analyst,
    Path(id): Path<String>,
    Query(q): Query<HashMap<String, String>>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    let reason = reason_of(&headers, &body, &q)?;
    let ledger = state.claims().ledger.clone();
    let e = blocking(move || ledger.retract_claim(&id, &who.name, &reason)).await?;
    Ok(written(&e, StatusCode::OK))
}

/// Overrides a verdict from request fields.
pub(crate) async fn set_override(
    state: &AppState,
    user: &str,
    r: IncidentRef,
    f: &HashMap<String, String>,
) -> Result<JournalEntry, ApiError> {
    let s = field(f, "status").unwrap_or("");
    let status: Attribution = serde_json::from_value(serde_json::Value::String(s.to_string()))
        .map_err(|_| {
            ApiError::BadRequest(format!(
                "status {s:?}: expected attributed, claimed, contested or unattributed"
            ))
        })?;
    let actor = field(f, "actor").map(String::from);
    let reason = f.get("reason").cloned().unwrap_or_default();
    let ledger = state.claims().ledger.clone();
    let user = user.to_string();
    blocking(move || ledger.override_verdict(&r, status, actor, &user, &reason)).await
}

pub(crate) async fn override_verdict(
    State(state): State<AppState>,
    Analyst(who): Analyst,
    Path(inc): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    let r = incident_ref(&inc)?;
    let f = form_or_json(&headers, &body)?;
    let e = set_override(&state, &who.name, r, &f).await?;
    Ok(written(&e, StatusCode::OK))
}

pub(crate) async fn clear_override(
    State(state): State<AppState>,
    Analyst(who): Analyst,
    Path(inc): Path<String>,
    Query(q): Query<HashMap<String, String>>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    let r = incident_ref(&inc)?;
    let reason = reason_of(&headers, &body, &q)?;
    let ledger = state.claims().ledger.clone();
    let e = blocking(move || ledger.clear_override(&r, &who.name, &reason)).await?;
    Ok(written(&e, StatusCode::OK))
}

pub(crate) async fn undo(
    State(state): State<AppState>,
    Analyst(who): Analyst,
    Path(seq): Path<u64>,
    Query(q): Query<HashMap<String, String>>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    let reason = reason_of(&headers, &body, &q)?;
    let ledger = state.claims().ledger.clone();
    let e = blocking(move || ledger.undo(seq, &who.name, &reason)).await?;
    Ok(written(&e, StatusCode::OK))
}
