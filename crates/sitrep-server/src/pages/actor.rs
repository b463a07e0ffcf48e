//! `/actors/{id}`: aliases, kind, relations and leaders with citations, activity and
//! where it operates.

use super::{fatalities, layout, linked, num, trend_svg, Page, PageResult};
use crate::api::actors::actor_activity;
use crate::api::not_found;
use crate::links::encode;
use crate::params::{Bucket, Filters, Params};
use crate::AppState;
use axum::extract::{Path, State};
use maud::html;

fn d(x: Option<chrono::NaiveDate>) -> String {
    x.map(|d| d.to_string()).unwrap_or_else(|| "…".into())
}

/// The actor page.
pub(crate) async fn page(
    State(state): State<AppState>,
    Path(id): Path<String>,
    p: Params,
) -> PageResult {
    p.check(false, &[])?;
    let claims = super::claims::actor_section(&state, &id).await?;
    let reg = state.resolver().registry();
    let Some(a) = reg
        .get(&id)
        .and_then(|a| sitrep_resolve::views::actor_show(reg, &a.id))
    else {
        return Err(not_found("actor", &id, "/api/v1/actors").into());
    };
    let (sm, by_year) = actor_activity(&state, &a.id).await?;
    let where_f = Filters {
        actors: vec![a.id.clone()],
        ..Filters::default()
    };
    let (provinces, unlocated) = crate::api::map::provinces(&state, &where_f).await?;
    let mut most: Vec<&crate::api::map::ProvinceCounts> = provinces
        .iter()
        .filter(|r| r.counts.incidents > 0)
        .collect();
    most.sort_by(|x, y| {
        y.counts
            .incidents
            .cmp(&x.counts.incidents)
            .then_with(|| x.name.cmp(&y.name))
    });
    let f = Filters {
        actors: vec![a.id.clone()],
        ..Filters::default()
    };
    let actor_link = |id: &str| html! { a href=(format!("/actors/{}", encode(id))) { (reg.get(id).map_or(id, |x| x.name.as_str())) } };
    let pc = super::coverage(&state, &where_f).await?;
    let body = html! {
        h1 { (a.name) }
        p.muted { code { (a.id) } " · " (a.kind.as_str()) " · registry file " (a.file)
            @if let Some(parent) = &a.parent { " · faction of " (actor_link(parent)) } }
        @if let Some(desc) = &a.description { p { (desc) } }
        section.cards aria-label="Activity" {
            div.card { span.label { "Incidents (either side, factions included)" } span.value { (linked(sm.counts.incidents, &f)) } }
            div.card { span.label { "Fatalities, best (low–high)" } span.value { (fatalities(&sm.counts, &f)) } }
            div.card { span.label { "Active" } span.value { (sm.first.as_deref().unwrap_or("–")) } br; span.muted { "to " (sm.last.as_deref().unwrap_or("–")) } }
        }
        (trend_svg("actor-trend", &format!("Incidents involving {} per year", a.name), &by_year, Bucket::Year, super::provenance(&state, &f, sm.counts.incidents))?)
        h2 { "Where it operates" }
        (super::map_svg("actor-map", &format!("Incidents involving {} by province", a.name), &provinces, state.geometry(), &where_f, super::provenance(&state, &where_f, sm.counts.incidents), pc.as_ref())?)
        @if unlocated.incidents > 0 { p.muted { (num(unlocated.incidents)) " incidents are not placed in a province." } }
        div.table-wrap { table {
            thead { tr { th { "Province" } th.n { "Incidents" } th.n { "Fatalities (best)" } } }
            tbody { @for r in most.iter().take(10) {
                @let g = Filters { provinces: vec![r.code.clone()], ..where_f.clone() };
                tr { td { a href=(format!("/places/{}", r.code)) { (r.name) } }
                     td.n { (linked(r.counts.incidents, &g)) } td.n { (num(r.counts.fatalities_best)) } }
            } }
        } }
        @if !a.kind_history.is_empty() {
            h2 { "Kind over time" }
            ul { @for k in &a.kind_history { li { (k.kind.as_str()) ": " (d(k.from)) " – " (d(k.to)) } } }
        }
        @if !a.factions.is_empty() {
            h2 { "Factions" }
            ul { @for x in &a.factions { li { (actor_link(x)) } } }
        }
        h2 { "Aliases" }
        div.table-wrap { table {
            thead { tr { th { "Name" } th { "Country" } th { "From" } th { "To" } th { "Note" } } }
            tbody { @for al in &a.aliases { tr {
                td { (al.name) } td { (al.country.as_deref().unwrap_or("any")) }
                td { (d(al.from)) } td { (d(al.to)) } td { (al.note.as_deref().unwrap_or("")) }
            } } }
        } }
        h2 { "Relations" }
        @if a.relations.is_empty() { p.muted { "None recorded." } } @else {
            div.table-wrap { table {
                thead { tr { th { "Relation" } th { "With" } th { "Period" } th { "Citation" } } }
                tbody { @for r in &a.relations { tr {
                    td { (r.kind.as_str()) @if r.direction == "incoming" { " (of this actor)" } }
                    td { a href=(format!("/actors/{}", encode(&r.other_id))) { (r.other_name) } }
                    td { (d(r.from)) " – " (d(r.to)) }
                    td { (r.citation) }
                } } }
            } }
        }
        (super::graph::panel(&state, &a.id))
        h2 { "Leaders" }
        @if a.leaders.is_empty() { p.muted { "None recorded." } } @else {
            div.table-wrap { table {
                thead { tr { th { "Name" } th { "Role" } th { "Period" } th { "Citation" } } }
                tbody { @for l in &a.leaders { tr {
                    td { (l.name) @if !l.aliases.is_empty() { span.muted { " (" (l.aliases.join(", ")) ")" } } }
                    td { (l.role) }
                    td { (d(l.from)) " – " (d(l.to)) }
                    td { (l.citation.as_deref().unwrap_or("–")) }
                } } }
            } }
        }
        @if !a.ucdp_ids.is_empty() { p.muted { "UCDP actor ids: " (a.ucdp_ids.iter().map(|n| num(i64::from(*n))).collect::<Vec<_>>().join(", ")) } }
        (claims)
        p { a href=(format!("/api/v1/actors/{}", encode(&a.id))) { "This actor as JSON" } }
    };
    Ok(Page(layout(&a.name, body)))
}
