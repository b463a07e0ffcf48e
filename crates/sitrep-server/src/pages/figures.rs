//! `/figures` and `/figures/{id}`: the bundled figure specs drawn over the served
//! store, with their provenance and SVG, CSV, JSON and HTML-report downloads.

use super::{layout, num, Page, PageResult};
use crate::api::figures::{fallback_period, figure, links, spec, FigureQuery};
use crate::params::Params;
use crate::AppState;
use axum::extract::{Path, State};
use maud::{html, Markup, PreEscaped};
use sitrep_render::bundled;

/// The period form shared by both pages.
fn period_form(action: &str, q: &FigureQuery) -> Markup {
    html! {
        form.filters method="get" action=(action) aria-label="Period" {
            label { "From " input type="date" name="from" value=[q.from.map(|d| d.to_string())]; }
            label { "To " input type="date" name="to" value=[q.to.map(|d| d.to_string())]; }
            label.check { input type="checkbox" name="compare" value="false" checked[q.no_compare]; " Hide period comparisons" }
            button type="submit" { "Draw" }
            " " a href=(action) { "Each spec's own period" }
        }
    }
}

/// Download links of one figure.
fn downloads(id: &str, q: &FigureQuery) -> Markup {
    let l = links(id, &q.query());
    let get = |k: &str| l[k].as_str().unwrap_or_default().to_string();
    html! {
        ul.downloads aria-label="Downloads" {
            li { a href=(get("svg")) download=(format!("{id}.svg")) { "SVG" } }
            li { a href={ "/figures/" (id) ".png" @if !q.query().is_empty() { "?" (q.query()) } } download=(format!("{id}.png")) { "PNG" } }
            li { a href=(get("csv")) download=(format!("{id}.csv")) { "CSV" } }
            li { a href=(get("json")) { "JSON" } }
            li { a href=(get("html")) download=(format!("{id}.html")) { "HTML report" } }
        }
    }
}

/// The figures page: every bundled figure, drawn.
pub(crate) async fn index(State(state): State<AppState>, p: Params) -> PageResult {
    p.check(false, &["from", "to", "compare", "changes"])?;
    let q = FigureQuery::parse(&p)?;
    let range = state.data_range();
    let body = html! {
        h1 { "Figures" }
        p.muted {
            "The figures of the Crisis Group report, computed from this store. "
            @if let Some((a, b)) = range {
                "The data run from " (a) " to " (b) ". Where a figure's own period lies outside them, it is drawn over "
                @let (f, t) = fallback_period(b);
                (f) " to " (t) " and its subtitle says " em { "Period replaced" } "."
            }
        }
        (period_form("/figures", &q))
        p { a.button href={ "/api/v1/report" @if !q.query().is_empty() { "?" (q.query()) } } download="report.html" { "Download the example report (HTML)" } }
        div.figures {
            @for id in bundled::figure_ids() {
                @let s = spec(id)?;
                @let qs = q.query();
                figure.fig id=(id) {
                    a href={ "/figures/" (id) @if !qs.is_empty() { "?" (qs) } } {
                        img src={ "/api/v1/figures/" (id) "?format=svg" @if !qs.is_empty() { "&" (qs) } }
                            alt=(s.title) loading="lazy" width="800";
                    }
                    figcaption {
                        strong { (id) } " · " (s.title)
                        (downloads(id, &q))
                    }
                }
            }
        }
    };
    Ok(Page(layout("Figures", body)))
}

/// One figure: the drawing inline, its comparisons, provenance and downloads.
pub(crate) async fn show(
    State(state): State<AppState>,
    Path(id): Path<String>,
    p: Params,
) -> PageResult {
    p.check(false, &["from", "to", "compare", "changes"])?;
    let q = FigureQuery::parse(&p)?;
    let fig = figure(&state, &id, q).await?;
    let prov = &fig.data.provenance;
    let action = format!("/figures/{id}");
    let body = html! {
        p.muted { a href="/figures" { "Figures" } " › " (id) }
        h1 { (fig.spec.title) }
        @if let Some(s) = &fig.spec.subtitle { p.muted { (s) } }
        @if fig.auto_period {
            p.notice role="note" {
                "This figure's own period lies outside the store's data; it is drawn over the period named in its subtitle. Set the dates below to choose another."
            }
        }
        (period_form(&action, &q))
        div.figure-svg { (PreEscaped(&fig.svg)) }
        (downloads(&id, &q))
        @if !fig.data.comparisons.is_empty() {
            h2 { "Period comparisons" }
            ul { @for c in &fig.data.comparisons { li { (c.describe()) } } }
        }
        h2 { "Provenance" }
        dl.fields {
            dt { "Records counted" } dd { (num(prov.record_count as i64)) }
            dt { "Filters" } dd { code { (prov.filters) } }
            @for (why, n) in &prov.excluded { dt { "Excluded" } dd { (num(*n as i64)) " — " (why) } }
            @if let Some(d) = prov.data_date { dt { "Data up to" } dd { (d) } }
            @for s in &prov.sources { dt { "Source" } dd { (s.name) " — " (s.citation) } }
        }
    };
    Ok(Page(layout(&fig.spec.title, body)))
}
