//! `/`: headline numbers with a period comparison, the trend, the province map and
//! the most active actors.

use super::{
    auto_bucket, explore_url, fatalities, layout, linked, map_svg, num, trend_svg, Page, PageResult,
};
use crate::api::{actors, map, series, summary};
use crate::params::{Filters, Params};
use crate::AppState;
use axum::extract::State;
use chrono::NaiveDate;
use maud::html;

/// The overview page.
pub(crate) async fn page(State(state): State<AppState>, p: Params) -> PageResult {
    p.check(false, &[])?;
    let all = Filters::default();
    let sm = summary::summary(&state, &all).await?;
    let bucket = auto_bucket(sm.first.as_deref(), sm.last.as_deref());
    let points = series::series(&state, &all, bucket).await?;
    let (provinces, unlocated) = map::provinces(&state, &all).await?;
    let mut active: Vec<(String, i64)> =
        actors::activity(&state, &all).await?.into_iter().collect();
    active.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    active.truncate(12);
    let mut top_provinces = provinces.clone();
    top_provinces.sort_by_key(|p| std::cmp::Reverse(p.counts.incidents));
    top_provinces.truncate(10);

    // The last year of covered data against the year before it; no ratio when a day
    // of either year has no coverage (its rate would be understated).
    let analysis = state.analysis().await?;
    let first: Option<NaiveDate> = sm.first.as_deref().and_then(|d| d.parse().ok());
    let last: Option<NaiveDate> = sm.last.as_deref().and_then(|d| d.parse().ok());
    let mut comparison = None;
    let mut strip = None;
    let mut covers: Vec<String> = Vec::new();
    if let (Some(first), Some(last)) = (first, last) {
        let idx = analysis
            .coverage_index(&all, first, last)
            .await
            .map_err(crate::error::ApiError::from)?;
        if let Some(last) = idx.last_covered() {
            let a_from = last - chrono::Days::new(364);
            let b_to = a_from - chrono::Days::new(1);
            let b_from = b_to - chrono::Days::new(364);
            let fa = Filters {
                from: Some(a_from),
                to: Some(last),
                ..Filters::default()
            };
            let fb = Filters {
                from: Some(b_from),
                to: Some(b_to),
                ..Filters::default()
            };
            let a = summary::summary(&state, &fa).await?;
            let b = summary::summary(&state, &fb).await?;
            let ca = idx.bucket(a_from, last + chrono::Days::new(1));
            let cb = idx.bucket(b_from, b_to + chrono::Days::new(1));
            comparison = Some((fa, a, ca, fb, b, cb));
        }
        // What each source covers on its own, in words and as a strip.
        let mut names: Vec<String> = state
            .store()
            .manifest()
            .batches
            .iter()
            .map(|b| b.source.clone())
            .collect();
        names.dedup();
        let mut seen = std::collections::BTreeSet::new();
        names.retain(|n| seen.insert(n.clone()));
        let mut rows = Vec::new();
        for n in &names {
            let f = Filters {
                sources: vec![n.clone()],
                ..Filters::default()
            };
            for c in analysis
                .source_coverage(&f)
                .await
                .map_err(crate::error::ApiError::from)?
            {
                covers.push(format!("{}: {}", c.source, c.coverage.describe()));
                rows.push(c);
            }
        }
        let strip_rows: Vec<sitrep_render::StripRow<'_>> = rows
            .iter()
            .map(|c| sitrep_render::StripRow {
                source: &c.source,
                coverage: &c.coverage,
            })
            .collect();
        strip = Some(sitrep_render::coverage_strip(
            "overview-coverage",
            &strip_rows,
            first,
            last,
            900.0,
        ));
    }
    let reg = state.resolver().registry();
    let pc = super::coverage(&state, &all).await?;
    let body = html! {
        h1 { "Overview" }
        p.muted {
            "All records in the store"
            @if let (Some(a), Some(b)) = (&sm.first, &sm.last) { ", " (a) " to " (b) }
            "."
        }
        section.cards aria-label="Headline numbers" {
            div.card { span.label { "Incidents" } span.value { (linked(sm.counts.incidents, &all)) } }
            div.card { span.label { "Fatalities, best (low–high)" } span.value { (fatalities(&sm.counts, &all)) } }
            div.card { span.label { "Date range" } span.value { (sm.first.as_deref().unwrap_or("–")) } br; span.muted { "to " (sm.last.as_deref().unwrap_or("–")) } }
            div.card { span.label { "Sources" } span.value { a.num href="/api/v1/sources" { (num(sm.sources)) } } }
        }
        @if let Some(strip) = &strip {
            section aria-label="Coverage" {
                p { "What the sources cover — " (covers.join("; ")) ". A period no general source covers is shown as no data, never as zero." }
                figure.strip { (maud::PreEscaped(strip)) }
            }
        }
        @if let Some((fa, a, ca, fb, b, cb)) = &comparison {
            @let gaps = (ca.days - ca.complete_days - ca.partial_days) + (cb.days - cb.complete_days - cb.partial_days);
            p {
                "Last 365 days of covered data (" (fa.from.map(|d| d.to_string()).unwrap_or_default()) " to " (fa.to.map(|d| d.to_string()).unwrap_or_default()) "): "
                (linked(a.counts.incidents, fa)) " incidents against "
                (linked(b.counts.incidents, fb)) " in the 365 days before"
                @if gaps > 0 {
                    " (no rate ratio: " (gaps) " of these 730 days have no source covering them)"
                } @else if b.counts.incidents > 0 {
                    @let (r, lo, hi) = sitrep_analysis::rate_ratio(a.counts.incidents as u64, 365.0, b.counts.incidents as u64, 365.0);
                    " (rate ratio " (sig(r)) ", 95% CI " (sig(lo)) "–" (sig(hi))
                    @if ca.status != sitrep_model::CoverageStatus::Complete || cb.status != sitrep_model::CoverageStatus::Complete {
                        "; partly covered, counts are lower bounds"
                    }
                    ")"
                }
                "."
            }
        }
        h2 { "Trend" }
        (trend_svg("overview-trend", &format!("Incidents per {}", bucket.as_str()), &points, bucket, super::provenance(&state, &all, sm.counts.incidents))?)
        p { a href=(format!("/api/v1/series?bucket={}", bucket.as_str())) { "Series data (JSON)" } " · "
            a href=(format!("/api/v1/series?bucket={}&format=csv", bucket.as_str())) { "CSV" } }
        h2 { "Where" }
        (map_svg("overview-map", "Incidents by province", &provinces, state.geometry(), &all, super::provenance(&state, &all, sm.counts.incidents), pc.as_ref())?)
        div.grid2 {
            div {
                h3 { "Most affected provinces" }
                div.table-wrap { table {
                    thead { tr { th { "Province" } th.n { "Incidents" } th.n { "Fatalities (best)" } } }
                    tbody {
                        @for r in &top_provinces {
                            @let f = Filters { provinces: vec![r.code.clone()], ..Filters::default() };
                            tr { td { a href=(format!("/places/{}", r.code)) { (r.name) } }
                                 td.n { (linked(r.counts.incidents, &f)) }
                                 td.n { (linked(r.counts.fatalities_best, &f)) } }
                        }
                        tr { td.muted { "No province" } td.n { (num(unlocated.incidents)) } td.n { (num(unlocated.fatalities_best)) } }
                    }
                } }
            }
            div {
                h3 { "Most active actors" }
                div.table-wrap { table {
                    thead { tr { th { "Actor" } th.n { "Incidents" } } }
                    tbody {
                        @for (id, n) in &active {
                            @let f = Filters { actors: vec![id.clone()], ..Filters::default() };
                            tr { td { a href=(format!("/actors/{}", crate::links::encode(id))) { (reg.get(id).map_or(id.as_str(), |a| a.name.as_str())) } }
                                 td.n { (linked(*n, &f)) } }
                        }
                    }
                } }
                p.muted { "An incident counts for an actor when either side is the actor or one of its factions." }
            }
        }
        p { a href=(explore_url(&all)) { "Explore all records →" } }
    };
    Ok(Page(layout("Overview", body)))
}

/// A ratio to three significant digits (0.00256, 0.912, 1.05, 12.3).
fn sig(x: f64) -> String {
    if !x.is_finite() {
        return "∞".into();
    }
    if x == 0.0 {
        return "0".into();
    }
    let digits = (2 - x.abs().log10().floor() as i32).max(0) as usize;
    format!("{x:.digits$}")
}
