//! `/places/{code}`: a province's series, next month's forecast, the actors active in
//! it, its districts.

use super::{fatalities, layout, linked, num, trend_svg, Page, PageResult};
use crate::api::{actors, map, not_found, places, series, summary};
use crate::links::encode;
use crate::params::{Bucket, Filters, Params};
use crate::AppState;
use axum::extract::{Path, State};
use maud::html;

/// The province page.
pub(crate) async fn page(
    State(state): State<AppState>,
    Path(code): Path<String>,
    p: Params,
) -> PageResult {
    p.check(false, &[])?;
    let g = state.resolver().gazetteer();
    let Some(pl) = sitrep_resolve::views::place_show(g, &code) else {
        return Err(not_found("place", &code, "/api/v1/places").into());
    };
    let f = Filters {
        provinces: vec![pl.code.clone()],
        ..Filters::default()
    };
    let sm = summary::summary(&state, &f).await?;
    let by_year = series::series(&state, &f, Bucket::Year).await?;
    let mut active: Vec<(String, i64)> = actors::activity(&state, &f).await?.into_iter().collect();
    active.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    active.truncate(15);
    let districts = places::districts(&state, &pl.code).await?;
    let (by_province, _) = map::provinces(&state, &f).await?;
    let pc = super::coverage(&state, &f).await?;
    let map_svg = super::map_svg(
        "place-map",
        &format!("Incidents in {}", pl.name),
        &by_province,
        state.geometry(),
        &f,
        super::provenance(&state, &f, sm.counts.incidents),
        pc.as_ref(),
    )?;
    let next_month = super::forecast::province_panel(&state, &pl.code).await;
    let reg = state.resolver().registry();
    let body = html! {
        h1 { (pl.name) " province" }
        p.muted { code { (pl.code) }
            @if let Some(r) = &pl.region { " · " (pl.grouping) ": " a href=(format!("/explore?region={}", encode(r))) { (r) } }
            @if let Some(c) = &pl.capital { " · capital " (c.name) " (" (format!("{:.3}, {:.3}", c.lat, c.lon)) ")" } }
        @if !pl.variants.is_empty() { p.muted { "Also written: " (pl.variants.join(", ")) } }
        section.cards aria-label="Activity" {
            div.card { span.label { "Incidents" } span.value { (linked(sm.counts.incidents, &f)) } }
            div.card { span.label { "Fatalities, best (low–high)" } span.value { (fatalities(&sm.counts, &f)) } }
            div.card { span.label { "Dates" } span.value { (sm.first.as_deref().unwrap_or("–")) } br; span.muted { "to " (sm.last.as_deref().unwrap_or("–")) } }
        }
        (next_month)
        (trend_svg("place-trend", &format!("Incidents in {} per year", pl.name), &by_year, Bucket::Year, super::provenance(&state, &f, sm.counts.incidents))?)
        h2 { "Map" }
        (super::imap::interactive(&f, super::imap::Focus::Province(&pl.code), map_svg))
        div.grid2 {
            div {
                h2 { "Actors active" }
                div.table-wrap { table {
                    thead { tr { th { "Actor" } th.n { "Incidents" } } }
                    tbody { @for (id, n) in &active {
                        @let g2 = Filters { actors: vec![id.clone()], ..f.clone() };
                        tr { td { a href=(format!("/actors/{}", encode(id))) { (reg.get(id).map_or(id.as_str(), |a| a.name.as_str())) } }
                             td.n { (linked(*n, &g2)) } }
                    } }
                } }
            }
            div {
                h2 { "Districts" }
                div.table-wrap { table {
                    thead { tr { th { "District" } th.n { "Incidents" } th.n { "Fatalities (best)" } } }
                    tbody {
                        @for dc in &districts {
                            tr {
                                @if let Some(name) = &dc.district {
                                    @let g2 = Filters { districts: vec![name.clone()], ..f.clone() };
                                    td { (name) } td.n { (linked(dc.counts.incidents, &g2)) } td.n { (num(dc.counts.fatalities_best)) }
                                } @else {
                                    td.muted { "no district (located to the province only)" } td.n { (num(dc.counts.incidents)) } td.n { (num(dc.counts.fatalities_best)) }
                                }
                            }
                        }
                        @for dv in pl.districts.iter().filter(|dv| !districts.iter().any(|dc| dc.district.as_deref() == Some(dv.name.as_str()))) {
                            tr { td { (dv.name) } td.n { "0" } td.n { "0" } }
                        }
                    }
                } }
            }
        }
        p { a href=(format!("/api/v1/places/{}", pl.code)) { "This province as JSON" } }
    };
    Ok(Page(layout(&format!("{} province", pl.name), body)))
}
