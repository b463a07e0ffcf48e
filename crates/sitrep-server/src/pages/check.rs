//! `/check`: paste an article, get each checkable claim with a verdict, a small
//! figure (the series with its periods shaded) and links to the records. `GET` shows
//! the form; `POST` (form fields `text`, `date`) renders the verdicts.
//!
//! **No CSRF token.** The form is read-only: posting it changes nothing on the
//! server (no journal entry, no session), so a forged post can only make the server
//! compute an answer for the forger's own browser; it carries no credential either
//! way. Body size and time are bounded as for `POST /api/v1/check`.

use super::{layout, Page, PageResult};
use crate::api::check::{parse_date, read_body, run, MAX_CHECK_BODY_BYTES};
use crate::error::ApiError;
use crate::AppState;
use axum::body::Body;
use axum::extract::State;
use axum::http::HeaderMap;
use maud::{html, Markup, PreEscaped};
use std::collections::HashMap;

fn form(text: &str, date: &str) -> Markup {
    html! {
        h1 { "Claim check" }
        p { "Paste an article (plain text, Markdown or HTML, up to "
            (MAX_CHECK_BODY_BYTES / 1024) " KiB). Each sentence that carries a number, a trend or a comparison is checked against the store; the verdict rules are in "
            code { "crates/sitrep-check/src/rules.rs" } "." }
        form method="post" action="/check" {
            p {
                label for="text" { "Article text" } br;
                textarea id="text" name="text" rows="12" cols="100" required { (text) }
            }
            p {
                label for="date" { "Article date " }
                input id="date" type="date" name="date" value=(date);
                " "
                button type="submit" { "Check" }
            }
        }
    }
}

/// `GET /check`: the form.
pub(crate) async fn page() -> PageResult {
    let today = chrono::Local::now().date_naive().to_string();
    Ok(Page(layout("Claim check", form("", &today))))
}

/// `POST /check`: the verdicts.
pub(crate) async fn submit(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Body,
) -> PageResult {
    let bytes = read_body(&headers, body).await?;
    let fields: HashMap<String, String> = serde_urlencoded::from_bytes(&bytes)
        .map_err(|e| ApiError::BadRequest(format!("the form could not be read: {e}")))?;
    let text = fields.get("text").map(String::as_str).unwrap_or("");
    if text.trim().is_empty() {
        return Err(ApiError::BadRequest("paste the article's text into the form".into()).into());
    }
    let date_s = fields.get("date").map(String::as_str).unwrap_or("");
    let date = if date_s.trim().is_empty() {
        None
    } else {
        Some(parse_date(date_s)?)
    };
    let report = run(&state, text, date).await?;
    let main = html! {
        style { (PreEscaped(sitrep_check::present::CSS)) }
        (form(text, &report.article_date.to_string()))
        h2 { "Verdicts" }
        p { (sitrep_check::present::summary_line(&report)) "." }
        p { "Evidence: " (report.evidence.join("; ")) "." }
        (PreEscaped(sitrep_check::present::claims_html(&report, "")))
    };
    Ok(Page(layout("Claim check", main)))
}
