//! `/actors/graph` (the actor network with a date slider) and the network panel of
//! each actor page. The graph comes from one call to
//! [`sitrep_resolve::Registry::graph`] and is drawn by
//! [`sitrep_render::graph::render_graph_svg`]; the page draws every relation once
//! and `assets/sitrep-graph.js` shows the links of the slider's day. Without script,
//! the date form (`?at=`) asks the server for the drawing of that day.

use super::{layout, Page, PageResult};
use crate::assets;
use crate::links::encode;
use crate::params::Params;
use crate::AppState;
use axum::extract::State;
use chrono::NaiveDate;
use maud::{html, Markup, PreEscaped};
use sitrep_model::graph::ActorGraph;

/// The slider's range: 1979-01-01 (the registry's earliest relations) to today.
fn range() -> (NaiveDate, NaiveDate) {
    (
        NaiveDate::from_ymd_opt(1979, 1, 1).expect("a date"),
        chrono::Utc::now().date_naive(),
    )
}

/// The drawing of `graph` on `at` with its slider box.
pub(crate) fn drawing(graph: &ActorGraph, at: Option<NaiveDate>) -> Markup {
    let (from, to) = range();
    let svg = sitrep_render::graph::render_graph_svg(graph, at, &|id| {
        Some(format!("/actors/{}", encode(id)))
    });
    html! {
        link rel="stylesheet" href=(assets::url(assets::MAP_CSS));
        div.graph-live data-from=(from.to_string()) data-to=(to.to_string()) {
            figure.graph { (PreEscaped(svg)) }
        }
        script src=(assets::url(assets::GRAPH_JS)) defer {}
    }
}

/// `GET /actors/graph?at=YYYY-MM-DD`.
pub(crate) async fn page(State(state): State<AppState>, p: Params) -> PageResult {
    p.check(false, &["at"])?;
    let at = crate::params::date(&p, "at")?;
    let reg = state.resolver().registry();
    let all = reg.graph(None);
    let on_day = at.map(|d| reg.graph(Some(d)));
    let body = html! {
        h1 { "Actors and their relations" }
        p.muted {
            "Every relation of the actor registry, with its kind, period and citation (hover a line). "
            "Move the slider to see which hold on a day; click an actor to open it. "
            "The same graph as data: "
            a href={ "/api/v1/actors/graph" @if let Some(d) = at { "?at=" (d) } } { "JSON" } ", "
            a href={ "/api/v1/actors/graph?format=graphml" @if let Some(d) = at { "&at=" (d) } } download="actors.graphml" { "GraphML (Gephi)" } ", "
            a href={ "/api/v1/actors/graph?format=dot" @if let Some(d) = at { "&at=" (d) } } { "DOT" } "."
        }
        form.filters method="get" action="/actors/graph" aria-label="Day" {
            label { "On the day" input type="date" name="at" value=[at.map(|d| d.to_string())]; }
            div.actions { button type="submit" { "Show" } a href="/actors/graph" { "All relations" } }
        }
        @if let Some(g) = &on_day {
            p { (g.links.len()) " relations between " (g.nodes.len()) " actors hold on " (g.at.map(|d| d.to_string()).unwrap_or_default()) "." }
        } @else {
            p { (all.links.len()) " relations between " (all.nodes.len()) " actors over all time." }
        }
        (drawing(&all, at))
        h2 { "Relations" }
        (table(on_day.as_ref().unwrap_or(&all)))
    };
    Ok(Page(layout("Actor graph", body)))
}

/// The relations as a table (the drawing's text alternative).
pub(crate) fn table(g: &ActorGraph) -> Markup {
    let name = |id: &str| {
        g.nodes
            .iter()
            .find(|n| n.id == id)
            .map_or(id.to_string(), |n| n.name.clone())
    };
    let d = |d: Option<NaiveDate>| d.map_or("open".to_string(), |d| d.to_string());
    html! {
        div.table-wrap { table.relations {
            thead { tr { th { "Actor" } th { "Relation" } th { "With" } th { "Period" } th { "Citation" } } }
            tbody { @for l in &g.links { tr data-source=(l.source) data-target=(l.target) {
                td { a href=(format!("/actors/{}", encode(&l.source))) { (name(&l.source)) } }
                td { (l.kind.replace('_', " ")) }
                td { a href=(format!("/actors/{}", encode(&l.target))) { (name(&l.target)) } }
                td { (d(l.from)) "–" (d(l.to)) }
                td { (l.citation) }
            } } }
        } }
    }
}

/// The network panel of an actor page: its relations over time, with the slider.
pub(crate) fn panel(state: &AppState, id: &str) -> Markup {
    let g = state.resolver().registry().graph(None).around(id);
    html! {
        h2 id="network" { "Network over time" }
        @if g.links.is_empty() {
            p.muted { "No relations recorded." }
        } @else {
            p.muted { "This actor's relations; move the slider to see which hold on a day. " a href="/actors/graph" { "The whole graph" } }
            (drawing(&g, None))
        }
    }
}
