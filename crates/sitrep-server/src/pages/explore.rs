//! `/explore`: a GET form of filters driving a chart, a map and a paginated,
//! sortable incident table. The URL holds the whole state.

use super::{auto_bucket, fatalities, layout, linked, map_svg, num, trend_svg, Page, PageResult};
use crate::api::{incidents, map, series, summary};
use crate::links::encode;
use crate::params::{Bucket, Filters, FiltersExt, Page as Paging, Params, Sort, EVENT_TYPES};
use crate::AppState;
use axum::extract::State;
use maud::{html, Markup};
use sitrep_model::IncidentRow;

/// The explore page.
pub(crate) async fn page(State(state): State<AppState>, p: Params) -> PageResult {
    p.check(true, &["page", "page_size", "sort", "bucket"])?;
    let f = crate::params::filters(&p, &state)?;
    let paging = Paging::parse(&p)?;
    let sort = crate::params::sort(&p)?;
    let sm = summary::summary(&state, &f).await?;
    let bucket = match p.one("bucket")? {
        Some(_) => Bucket::parse(&p, Bucket::Month)?,
        None => auto_bucket(
            f.from
                .map(|d| d.to_string())
                .or(sm.first.clone())
                .as_deref(),
            f.to.map(|d| d.to_string()).or(sm.last.clone()).as_deref(),
        ),
    };
    let points = series::series(&state, &f, bucket).await?;
    let (provinces, _) = map::provinces(&state, &f).await?;
    let list = incidents::list(&state, &f, paging, sort).await?;

    // Links keep every filter and change one thing.
    let fq = f.query();
    let url = |page: u64, sort: Sort| -> String {
        let mut parts = vec![];
        if !fq.is_empty() {
            parts.push(fq.clone());
        }
        if p.one("bucket").ok().flatten().is_some() {
            parts.push(format!("bucket={}", bucket.as_str()));
        }
        if sort != Sort::DateDesc {
            parts.push(format!("sort={}", sort.as_str()));
        }
        if paging.size != crate::params::DEFAULT_PAGE_SIZE {
            parts.push(format!("page_size={}", paging.size));
        }
        if page > 1 {
            parts.push(format!("page={page}"));
        }
        format!(
            "/explore{}",
            crate::links::qs(&parts.iter().map(String::as_str).collect::<Vec<_>>())
        )
    };
    let sort_link = |label: &str, asc: Sort, desc: Sort| -> Markup {
        let next = if sort == desc { asc } else { desc };
        let mark = if sort == desc {
            " ▼"
        } else if sort == asc {
            " ▲"
        } else {
            ""
        };
        html! { a href=(url(1, next)) { (label) (mark) } }
    };
    let pages = list.pages();
    let reg = state.resolver().registry();
    let pc = super::coverage(&state, &f).await?;
    let body = html! {
        h1 { "Explore" }
        (form(&state, &f, bucket, sort, paging))
        section.cards aria-label="Totals for these filters" {
            div.card { span.label { "Incidents" } span.value { (linked(sm.counts.incidents, &f)) } }
            div.card { span.label { "Fatalities, best (low–high)" } span.value { (fatalities(&sm.counts, &f)) } }
            div.card { span.label { "Unknown fatalities" } span.value { (num(sm.counts.fatalities_unknown)) } }
            div.card { span.label { "Dates" } span.value { (sm.first.as_deref().unwrap_or("–")) } br; span.muted { "to " (sm.last.as_deref().unwrap_or("–")) } }
        }
        p.muted { "Filters: " (if fq.is_empty() { "none (all records)".to_string() } else { f.to_sql() }) }
        @let typed: Vec<(String, String)> = p.list("actor").into_iter()
            .filter_map(|n| { let id = sitrep_resolve::filters::actor_id(reg, &n).ok()?; (id != n).then_some((n, id)) }).collect();
        @if !typed.is_empty() {
            p.resolved { @for (n, id) in &typed {
                "“" (n) "” is " a href=(format!("/actors/{}", encode(id))) data-actor=(id) { (reg.get(id).map_or(id.as_str(), |a| a.name.as_str())) } " (" code { (id) } "). "
            } }
        }
        h2 { "Trend" }
        (trend_svg("explore-trend", &format!("Incidents per {}", bucket.as_str()), &points, bucket, super::provenance(&state, &f, sm.counts.incidents))?)
        h2 { "Map" }
        (super::imap::interactive(&f, super::imap::Focus::Country, map_svg("explore-map", "Incidents by province", &provinces, state.geometry(), &f, super::provenance(&state, &f, sm.counts.incidents), pc.as_ref())?))
        details {
            summary { "Provinces as a table" }
            div.table-wrap { table {
                thead { tr { th { "Province" } th.n { "Incidents" } th.n { "Fatalities (best)" } } }
                tbody { @for r in provinces.iter().filter(|r| r.counts.incidents > 0) {
                    @let g = Filters { provinces: vec![r.code.clone()], ..f.clone() };
                    tr { td { a href=(format!("/places/{}", r.code)) { (r.name) } }
                         td.n { (linked(r.counts.incidents, &g)) } td.n { (num(r.counts.fatalities_best)) } }
                } }
            } }
        }
        h2 id="incidents" { "Incidents" }
        p {
            (num(list.total)) " incidents; page " (paging.page) " of " (pages.max(1)) ". "
            a href=(format!("/api/v1/incidents?{fq}{}format=csv&page_size={}&page={}&sort={}", if fq.is_empty() { "" } else { "&" }, paging.size, paging.page, sort.as_str())) { "This page as CSV" }
            " · "
            a href=(format!("/api/v1/incidents?{fq}{}format=geojson&page_size={}&page={}&sort={}", if fq.is_empty() { "" } else { "&" }, paging.size, paging.page, sort.as_str())) { "GeoJSON" }
        }
        div.table-wrap { table.wide {
            thead { tr {
                th { (sort_link("Date", Sort::DateAsc, Sort::DateDesc)) }
                th { "Type" }
                th { (sort_link("Province", Sort::Province, Sort::Province)) }
                th.opt { "Location" }
                th { "Actors" }
                th.n { (sort_link("Fatalities", Sort::FatalitiesAsc, Sort::FatalitiesDesc)) }
                th.opt { "Source" }
            } }
            tbody { @for r in &list.rows { (row(r, reg)) } }
        } }
        nav.pager aria-label="Pages" {
            @if paging.page > 1 { a href=(url(1, sort)) { "« First" } a href=(url(paging.page - 1, sort)) rel="prev" { "‹ Previous" } }
            span { "Page " (paging.page) " of " (pages.max(1)) }
            @if paging.page < pages { a href=(url(paging.page + 1, sort)) rel="next" { "Next ›" } a href=(url(pages, sort)) { "Last »" } }
        }
    };
    Ok(Page(layout("Explore", body)))
}

fn actor_cell(name: Option<&str>, id: Option<&str>, reg: &sitrep_resolve::Registry) -> Markup {
    html! {
        @match (name, id) {
            (Some(n), Some(id)) => { a href=(format!("/actors/{}", encode(id))) title=(reg.get(id).map_or("", |a| a.name.as_str())) { (n) } }
            (Some(n), None) => { span { (n) } }
            _ => { span.muted { "–" } }
        }
    }
}

fn row(r: &IncidentRow, reg: &sitrep_resolve::Registry) -> Markup {
    let id = r.record_id.as_str();
    let fat = match (r.fatalities_best, r.fatalities_low, r.fatalities_high) {
        (Some(b), Some(l), h) => super::human::best_with_range(b, l, h),
        (Some(b), _, _) => super::num(b),
        _ => "unknown".into(),
    };
    html! {
        tr {
            td { a href=(format!("/incidents/{}", encode(id))) { (r.date_start) } }
            td { (r.event_type) }
            td { @match &r.province_code {
                Some(code) => { a href=(format!("/places/{code}")) { (r.province_name.as_deref().unwrap_or(code)) } }
                None => { span.muted { "–" } }
            } }
            td.opt { (r.location.as_deref().or(r.district.as_deref()).unwrap_or("")) }
            td { (actor_cell(r.actor1.as_deref(), r.actor1_id.as_deref(), reg)) " – " (actor_cell(r.actor2.as_deref(), r.actor2_id.as_deref(), reg)) }
            td.n { a href=(format!("/incidents/{}", encode(id))) { (fat) } }
            td.opt { (r.source) }
        }
    }
}

fn form(state: &AppState, f: &Filters, bucket: Bucket, sort: Sort, paging: Paging) -> Markup {
    let reg = state.resolver().registry();
    let g = state.resolver().gazetteer();
    let regions = crate::params::regions(state);
    let sources: Vec<String> = {
        let mut v: Vec<String> = state
            .store()
            .manifest()
            .batches
            .iter()
            .map(|b| b.source.clone())
            .collect();
        v.sort();
        v.dedup();
        v
    };
    let date = |d: Option<chrono::NaiveDate>| d.map(|d| d.to_string()).unwrap_or_default();
    let one = |v: &Vec<String>| v.join(",");
    let types: Vec<String> = f
        .event_types
        .iter()
        .map(|t| t.as_str().to_string())
        .collect();
    let atts: Vec<String> = f
        .attribution
        .iter()
        .map(|a| a.as_str().to_string())
        .collect();
    html! {
        form.filters method="get" action="/explore" aria-label="Filters" {
            label { "From" input type="date" name="from" value=(date(f.from)); }
            label { "To" input type="date" name="to" value=(date(f.to)); }
            label { "Actor (name, alias or id; comma for several)"
                input type="text" name="actor" list="actors" value=(one(&f.actors)) autocomplete="off";
                datalist id="actors" { @for n in sitrep_resolve::names::actor_names(reg) { option value=(n.name) label=(format!("{} → {}", n.name, n.label)) {} } }
            }
            label { "Event type"
                select name="type" {
                    option value="" { "any" }
                    @if types.len() > 1 { option value=(one(&types)) selected { (one(&types)) } }
                    @for t in EVENT_TYPES { option value=(t) selected[types.len() == 1 && types[0] == t] { (t.replace('_', " ")) } }
                }
            }
            label { "Province (name or code)"
                input type="text" name="province" list="provinces" value=(one(&f.provinces)) autocomplete="off";
                datalist id="provinces" { @for n in sitrep_resolve::names::province_names(g) { option value=(n.name) label=(format!("{} ({})", n.label, n.id)) {} } }
            }
            label { "Region"
                select name="region" {
                    option value="" { "any" }
                    @if f.regions.len() > 1 { option value=(one(&f.regions)) selected { (one(&f.regions)) } }
                    @for r in &regions { option value=(r) selected[f.regions.len() == 1 && &f.regions[0] == r] { (r) } }
                }
            }
            label { "Location precision"
                select name="coarsest_geo" {
                    option value="" { "any" }
                    @for (n, l) in [(1, "exact point"), (2, "near a place or finer"), (3, "district or finer"), (4, "province or finer")] {
                        option value=(n) selected[f.coarsest_geo.map(|p| p.code()) == Some(n)] { (l) }
                    }
                }
            }
            label { "Source"
                select name="source" {
                    option value="" { "any" }
                    @if f.sources.len() > 1 || (f.sources.len() == 1 && !sources.contains(&f.sources[0])) { option value=(one(&f.sources)) selected { (one(&f.sources)) } }
                    @for s in &sources { option value=(s) selected[f.sources.len() == 1 && &f.sources[0] == s] { (s) } }
                }
            }
            @if state.store().has_attribution() {
                label { "Attribution"
                    select name="attribution" {
                        option value="" { "any" }
                        @if atts.len() > 1 { option value=(one(&atts)) selected { (one(&atts)) } }
                        @for a in crate::params::ATTRIBUTIONS { option value=(a) selected[atts.len() == 1 && atts[0] == a] { (a) } }
                    }
                }
            }
            label { "Chart by"
                select name="bucket" {
                    @for b in Bucket::NAMES { option value=(b) selected[bucket.as_str() == b] { (b) } }
                }
            }
            label { "Sort"
                select name="sort" {
                    @for s in Sort::NAMES { option value=(s) selected[sort.as_str() == s] { (s) } }
                }
            }
            label { "Rows per page" input type="number" name="page_size" min="1" max=(crate::params::MAX_PAGE_SIZE) value=(paging.size); }
            @for c in &f.countries { input type="hidden" name="country" value=(c); }
            @for d in &f.districts { input type="hidden" name="district" value=(d); }
            @for t in &f.source_types { input type="hidden" name="source_type" value=(t); }
            @for b in &f.distance_bands { input type="hidden" name="distance_band" value=(b); }
            @if f.role != sitrep_model::query::Role::Any { input type="hidden" name="role" value=(f.role.as_str()); }
            @if f.actor_match != sitrep_model::ActorMatch::default() { input type="hidden" name="actor_match" value=(f.actor_match.as_str()); }
            @if let Some(n) = f.coarsest_date { input type="hidden" name="coarsest_date" value=(n.code()); }
            div.actions { button type="submit" { "Apply" } a href="/explore" { "Reset" } }
        }
    }
}
