//! Claims on pages: the incident page's claims, verdict, basis and history (with
//! forms for signed-in analysts), and the actor page's claims, denials and blame.

use crate::api::claims::{add_claim, incident, set_override, view};
use crate::auth::{form_or_json, Authed, FormWriter};
use crate::error::ApiError;
use crate::AppState;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use maud::{html, Markup};
use sitrep_claims::AsOf;
use sitrep_model::{IncidentRef, Stance};

/// The incident a record id (`source:event_id:version`) belongs to.
pub(crate) fn incident_of_record(record_id: &str) -> Option<IncidentRef> {
    let (rest, _version) = record_id.rsplit_once(':')?;
    IncidentRef::parse(rest)
}

/// The claims section of an incident page.
pub(crate) async fn incident_section(
    state: &AppState,
    record_id: &str,
    who: Option<&Authed>,
) -> Result<Markup, ApiError> {
    let Some(r) = incident_of_record(record_id) else {
        return Ok(html! {});
    };
    let (v, claims, history) = incident(state, &r, AsOf::Now).await?;
    let can_write = who.is_some_and(|a| a.role.allows(sitrep_model::Role::Analyst));
    let csrf = who.and_then(|a| a.session_csrf.clone()).unwrap_or_default();
    let action = |what: &str| format!("/incidents/{}/{what}", crate::links::encode(record_id));
    Ok(html! {
        section.claims {
            h2 { "Attribution" }
            @if let Some(o) = &v.overridden {
                p { strong { (o.status.as_str()) } " — set by " (o.user) " on " (o.at.format("%Y-%m-%d %H:%M UTC")) ": " (o.reason) }
                p.muted { "Computed: " strong { (v.computed.status.as_str()) } ", confidence " (super::human::percent(v.computed.confidence)) " (" (v.computed.level.as_str()) ")" }
            } @else {
                p { strong { (v.computed.status.as_str()) } @if let Some(a) = &v.computed.actor { " (" (a) ")" } ", confidence " (super::human::percent(v.computed.confidence)) " (" (v.computed.level.as_str()) ")" }
            }
            p.basis { "Basis: " (v.computed.basis) }
            h3 { "Claims (" (claims.len()) ")" }
            @if claims.is_empty() {
                p.muted { "No claims recorded." }
            } @else {
                table {
                    thead { tr { th { "stance" } th { "claimant" } th { "target" } th { "channel" } th { "grade" } th { "date" } th { "statement" } th { "reference" } @if can_write { th { "edit" } } } }
                    tbody {
                        @for c in &claims {
                            tr {
                                td { (c.stance.as_str()) }
                                td { (c.claimant) @for j in &c.joint { " + " (j) } }
                                td { (c.target.as_deref().unwrap_or("")) }
                                td { (c.channel.as_str()) @if !c.channel_text.is_empty() { " (" (c.channel_text) ")" } }
                                td { (c.grade.to_string()) }
                                td { (c.date.map(|d| d.to_string()).unwrap_or_default()) }
                                td { (c.statement) }
                                td.ref { (c.reference.chars().take(120).collect::<String>()) }
                                @if can_write {
                                    td {
                                        form method="post" action=(action(&format!("claims/{}", c.id))) {
                                            input type="hidden" name="csrf" value=(csrf);
                                            select name="stance" { @for s in Stance::ALL { option value=(s.as_str()) selected[s == c.stance] { (s.as_str()) } } }
                                            input type="text" name="grade" size="2" value=(c.grade.to_string());
                                            input type="text" name="reason" placeholder="reason" required;
                                            button type="submit" { "Save" }
                                        }
                                        form method="post" action=(action(&format!("claims/{}/retract", c.id))) {
                                            input type="hidden" name="csrf" value=(csrf);
                                            input type="text" name="reason" placeholder="reason" required;
                                            button type="submit" { "Retract" }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
            h3 { "History" }
            ol.history {
                @for e in &history {
                    li { "#" (e.seq) " " (e.at.format("%Y-%m-%d %H:%M:%S UTC")) " · " (e.user) " · " (e.action.as_str()) @if !e.reason.is_empty() { " — " (e.reason) } }
                }
            }
            @if can_write {
                h3 { "Add a claim" }
                form method="post" action=(action("claims")) {
                    input type="hidden" name="csrf" value=(csrf);
                    label { "Claimant " input type="text" name="claimant"; } " "
                    label { "Stance " select name="stance" { @for s in Stance::ALL { option value=(s.as_str()) { (s.as_str()) } } } } " "
                    label { "Target " input type="text" name="target"; } " "
                    label { "Channel " input type="text" name="channel"; } " "
                    label { "Grade " input type="text" name="grade" size="2" placeholder="B2"; } " "
                    label { "Reference " input type="text" name="reference"; } " "
                    label { "Statement " input type="text" name="statement"; } " "
                    label { "Reason " input type="text" name="reason" required; } " "
                    button type="submit" { "Add claim" }
                }
                h3 { "Override the verdict" }
                form method="post" action=(action("override")) {
                    input type="hidden" name="csrf" value=(csrf);
                    label { "Verdict " select name="status" { @for s in ["attributed", "claimed", "contested", "unattributed"] { option value=(s) { (s) } } } } " "
                    label { "Actor " input type="text" name="actor"; } " "
                    label { "Reason " input type="text" name="reason" required; } " "
                    button type="submit" { "Override" }
                }
            } @else {
                p.muted { a href="/login" { "Sign in" } " as an analyst to add claims or override the verdict." }
            }
        }
    })
}

/// The claims section of an actor page: what it claimed, denied, and was blamed for.
pub(crate) async fn actor_section(state: &AppState, actor: &str) -> Result<Markup, ApiError> {
    let v = view(state, AsOf::Now).await?;
    let claims = v.claims();
    let by = |st: Stance| {
        claims
            .iter()
            .filter(|c| c.stance == st && c.claimant_id.as_deref() == Some(actor))
            .collect::<Vec<_>>()
    };
    let claimed = by(Stance::Claims);
    let denied = by(Stance::Denies);
    let blamed: Vec<_> = claims
        .iter()
        .filter(|c| c.stance == Stance::Attributes && c.target_id.as_deref() == Some(actor))
        .collect();
    let all = sitrep_claims::verdicts(&v, state.claims().evidence().await?);
    let held: Vec<_> = all
        .iter()
        .filter(|(_, iv)| {
            iv.overridden
                .as_ref()
                .and_then(|o| o.actor.as_deref())
                .or(iv.computed.actor.as_deref())
                == Some(actor)
        })
        .collect();
    let list = |title: &str, cs: &[&sitrep_model::Claim]| {
        html! {
            h3 { (title) " (" (cs.len()) ")" }
            @if !cs.is_empty() {
                ul { @for c in cs { li { code { (c.incident.to_string()) } " — " (c.channel.as_str()) ", " (c.grade.to_string()) @if !c.statement.is_empty() { ": " (c.statement.chars().take(140).collect::<String>()) } } } }
            }
        }
    };
    Ok(html! {
        section.claims {
            h2 { "Claims and attribution" }
            (list("Claimed", &claimed))
            (list("Denied", &denied))
            (list("Blamed for (attributed by others)", &blamed))
            h3 { "Verdicts naming it (" (held.len()) ")" }
            @if !held.is_empty() {
                ul { @for (k, iv) in &held { li { code { (k.to_string()) } " — " (iv.status().as_str()) ": " (iv.computed.basis) } } }
            }
        }
    })
}

fn back(record_id: &str) -> Response {
    (
        StatusCode::SEE_OTHER,
        [(
            header::LOCATION,
            format!("/incidents/{}", crate::links::encode(record_id)),
        )],
    )
        .into_response()
}

/// `POST /incidents/{id}/claims`: the add-claim form.
pub(crate) async fn add_form(
    State(state): State<AppState>,
    w: FormWriter,
    Path(record_id): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    let mut f = form_or_json(&headers, &body)?;
    w.check(&f)?;
    let r = incident_of_record(&record_id)
        .ok_or_else(|| ApiError::NotFound(format!("no incident {record_id}")))?;
    f.insert("incident".into(), r.to_string());
    add_claim(&state, &w.0.name, &f).await?;
    Ok(back(&record_id))
}

/// `POST /incidents/{id}/claims/{claim}`: the edit-claim form.
pub(crate) async fn edit_form(
    State(state): State<AppState>,
    w: FormWriter,
    Path((record_id, claim)): Path<(String, String)>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    let f = form_or_json(&headers, &body)?;
    w.check(&f)?;
    let ledger = state.claims().ledger.clone();
    let reason = f.get("reason").cloned().unwrap_or_default();
    let st = state.clone();
    crate::api::claims::blocking(move || {
        ledger.edit_claim(
            &claim,
            |c| {
                crate::api::claims::apply_fields(&st, c, &f)
                    .map_err(|e| sitrep_claims::ClaimsError::Invalid(e.to_string()))
            },
            &w.0.name,
            &reason,
        )
    })
    .await?;
    Ok(back(&record_id))
}

/// `POST /incidents/{id}/claims/{claim}/retract`: the retract form.
pub(crate) async fn retract_form(
    State(state): State<AppState>,
    w: FormWriter,
    Path((record_id, claim)): Path<(String, String)>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    let f = form_or_json(&headers, &body)?;
    w.check(&f)?;
    let ledger = state.claims().ledger.clone();
    let reason = f.get("reason").cloned().unwrap_or_default();
    crate::api::claims::blocking(move || ledger.retract_claim(&claim, &w.0.name, &reason)).await?;
    Ok(back(&record_id))
}

/// `POST /incidents/{id}/override`: the override form.
pub(crate) async fn override_form(
    State(state): State<AppState>,
    w: FormWriter,
    Path(record_id): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    let f = form_or_json(&headers, &body)?;
    w.check(&f)?;
    let r = incident_of_record(&record_id)
        .ok_or_else(|| ApiError::NotFound(format!("no incident {record_id}")))?;
    set_override(&state, &w.0.name, r, &f).await?;
    Ok(back(&record_id))
}
