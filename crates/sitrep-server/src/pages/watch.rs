//! `/watch`: the scenarios and indicators with a status strip over time;
//! `/watch/{id}`: one indicator's series (gaps where not covered), its change points
//! and threshold, and the evidence with a link to the records in Explore.

use super::{explore_url, layout, Page, PageResult};
use crate::error::ApiError;
use crate::AppState;
use axum::extract::{Path, State};
use maud::{html, Markup, PreEscaped};
use sitrep_analysis::watch::{self, ChangesQuery, IndicatorRun, WatchStatus};

fn colour(s: WatchStatus) -> &'static str {
    match s {
        WatchStatus::Fired => "#c0392b",
        WatchStatus::Quiet => "#7fb3a0",
        WatchStatus::Ineligible => "#c8c8c8",
        WatchStatus::NoData => "#ffffff",
    }
}

/// A row of cells, one per bucket, coloured by status; no-data cells are hatched
/// white with a border so they never read as "quiet".
fn strip<'a>(cells: impl Iterator<Item = (String, WatchStatus, &'a str)>) -> Markup {
    html! {
        div.strip style="display:flex;gap:1px;flex-wrap:nowrap;overflow-x:auto" role="img" aria-label="status per bucket" {
            @for (label, s, note) in cells {
                span title=(format!("{label}: {} {note}", s.as_str()))
                    style=(format!("display:inline-block;width:6px;height:16px;background:{};border:1px solid {}", colour(s), if s == WatchStatus::NoData { "#999" } else { colour(s) })) {}
            }
        }
    }
}

fn legend() -> Markup {
    html! {
        p.legend {
            @for s in [WatchStatus::Fired, WatchStatus::Quiet, WatchStatus::Ineligible, WatchStatus::NoData] {
                span style=(format!("display:inline-block;width:10px;height:10px;background:{};border:1px solid #999;margin:0 4px 0 12px", colour(s))) {}
                (s.as_str())
            }
        }
    }
}

/// `GET /watch`.
pub(crate) async fn index(State(state): State<AppState>) -> PageResult {
    let r = crate::api::watch::report(&state).await?;
    Ok(Page(layout(
        "Watch",
        html! {
            h1 { "Watch: scenarios and indicators" }
            p { "Data committed " (r.vintage) ". Alerts: "
                a href="/api/v1/alerts" { "JSON" } ", " a href="/api/v1/alerts.atom" { "Atom feed" } "." }
            (legend())
            h2 { "Scenarios (Crisis Group 2022, §V)" }
            @for s in &r.scenarios {
                section.scenario id=(s.spec.id) {
                    h3 { (s.spec.title) " " small { code { (s.spec.id) } } }
                    p { (s.spec.narrative.trim()) }
                    @if let Some(l) = s.latest() {
                        p { "Latest month " (l.start.format("%Y-%m")) ": " strong { (l.status.as_str()) }
                            @if let Some(x) = l.fired_share { " — " (super::human::percent(x)) " of the weight with data fired" }
                            @if l.no_data_weight > 0.0 { "; weight without data: " (l.no_data_weight) } }
                    }
                    (strip(s.buckets.iter().map(|b| (b.start.format("%Y-%m").to_string(), b.status, ""))))
                    ul {
                        @for i in &s.spec.indicators {
                            li { a href=(format!("/watch/{}", i.id)) { (i.id) } " (weight " (i.weight) "; " (i.citation) ")" }
                        }
                    }
                    details { summary { "Citations" } ul { @for c in &s.spec.citations { li { (c) } } } }
                }
            }
            h2 { "Indicators" }
            table {
                thead { tr { th { "Indicator" } th { "Rule" } th { "Latest" } th { "Status over time" } } }
                tbody {
                    @for run in &r.indicators {
                        tr {
                            td { a href=(format!("/watch/{}", run.spec.id)) { (run.spec.id) } br; small { (run.spec.title) } }
                            td { (run.spec.rule.kind()) }
                            td { (run.latest().map_or("no_data", |b| b.status.as_str())) }
                            td { (strip(run.buckets.iter().map(|b| (b.start.to_string(), b.status, b.note.as_str())))) }
                        }
                    }
                }
            }
        },
    )))
}

/// The indicator's first series as an SVG line with gaps, breaks and threshold.
fn chart(run: &IndicatorRun, breaks: &[watch::ChangeBreak]) -> Markup {
    let (w, h, pad) = (860.0, 260.0, 36.0);
    let n = run.buckets.len().max(1);
    let max = run
        .lines
        .iter()
        .flat_map(|l| l.values.iter().flatten())
        .chain(
            run.buckets
                .iter()
                .filter_map(|b| b.evidence.threshold)
                .filter(|_| matches!(run.spec.rule, watch::RuleSpec::Threshold { .. }))
                .collect::<Vec<_>>()
                .iter(),
        )
        .fold(1.0_f64, |a, b| a.max(*b));
    let x = |i: usize| pad + (w - 2.0 * pad) * (i as f64 + 0.5) / n as f64;
    let y = |v: f64| h - pad - (h - 2.0 * pad) * v / max;
    let mut svg = format!("<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {w} {h}\" width=\"100%\" role=\"img\" aria-label=\"series\">");
    svg.push_str(&format!(
        "<line x1=\"{pad}\" y1=\"{}\" x2=\"{}\" y2=\"{}\" stroke=\"#333\"/>",
        h - pad,
        w - pad,
        h - pad
    ));
    svg.push_str(&format!(
        "<text x=\"4\" y=\"{}\" font-size=\"11\">{}</text>",
        pad,
        watch::atom::xml_escape(&format!("{max:.0}"))
    ));
    for (i, b) in run.buckets.iter().enumerate() {
        if b.coverage == "none" {
            svg.push_str(&format!("<rect x=\"{:.1}\" y=\"{pad}\" width=\"{:.1}\" height=\"{}\" fill=\"#eee\"><title>no data</title></rect>", x(i) - (w - 2.0 * pad) / n as f64 / 2.0, (w - 2.0 * pad) / n as f64, h - 2.0 * pad));
        }
    }
    for (k, line) in run.lines.iter().enumerate() {
        let mut d = String::new();
        let mut pen_down = false;
        for (i, v) in line.values.iter().enumerate() {
            match v {
                Some(v) => {
                    d.push_str(&format!(
                        "{}{:.1},{:.1} ",
                        if pen_down { "L" } else { "M" },
                        x(i),
                        y(*v)
                    ));
                    pen_down = true;
                }
                None => pen_down = false,
            }
        }
        let c = ["#1f5f8b", "#b9770e"][k % 2];
        svg.push_str(&format!("<path d=\"{d}\" fill=\"none\" stroke=\"{c}\" stroke-width=\"1.5\"><title>{}</title></path>", watch::atom::xml_escape(&line.label)));
    }
    if let watch::RuleSpec::Threshold { at_least, at_most } = &run.spec.rule {
        if let Some(t) = at_least.or(*at_most) {
            svg.push_str(&format!("<line x1=\"{pad}\" x2=\"{}\" y1=\"{:.1}\" y2=\"{:.1}\" stroke=\"#c0392b\" stroke-dasharray=\"2 3\"><title>threshold {t}</title></line>", w - pad, y(t), y(t)));
        }
    }
    for b in breaks {
        if let Some(i) = run.buckets.iter().position(|x| x.start == b.date) {
            let xi = x(i) - (w - 2.0 * pad) / n as f64 / 2.0;
            let label = b.ratio.map_or("from 0".to_string(), |r| format!("×{r:.2}"));
            svg.push_str(&format!("<line x1=\"{xi:.1}\" x2=\"{xi:.1}\" y1=\"{pad}\" y2=\"{}\" stroke=\"#555\" stroke-dasharray=\"5 4\"/><text x=\"{:.1}\" y=\"{}\" font-size=\"11\">{}</text>", h - pad, xi + 3.0, pad - 4.0, watch::atom::xml_escape(&label)));
        }
    }
    svg.push_str("</svg>");
    html! { figure { (PreEscaped(svg)) figcaption { "Series the rule reads; grey: no selected source covers the bucket; dashed: change points (Poisson PELT, MBIC) with the rate ratio" } } }
}

/// `GET /watch/{id}`.
pub(crate) async fn show(State(state): State<AppState>, Path(id): Path<String>) -> PageResult {
    let r = crate::api::watch::report(&state).await?;
    let Some(run) = r.indicator(&id) else {
        return Err(ApiError::NotFound(format!(
            "no indicator `{}`; see /watch",
            id.chars().take(60).collect::<String>()
        ))
        .into());
    };
    let starts: Vec<chrono::NaiveDate> = run.buckets.iter().map(|b| b.start).collect();
    let breaks = match run.lines.first() {
        Some(l) => {
            watch::changes::segment(
                &ChangesQuery {
                    bucket: run.spec.query.bucket,
                    ..ChangesQuery::default()
                },
                starts,
                l.values.clone(),
            )
            .breaks
        }
        None => Vec::new(),
    };
    let deciding = run.deciding.map(|i| &run.buckets[i]);
    let mut explore = run.filters.clone();
    if let Some(b) = deciding {
        explore.from = Some(b.start);
        explore.to = Some(b.end);
    }
    Ok(Page(layout(
        &run.spec.title,
        html! {
            h1 { (run.spec.title) }
            p { (run.spec.description) }
            p { small { "Source: " (run.spec.citation) } }
            p { "Rule: " code { (run.spec.rule.kind()) } "; bucket: " (run.spec.query.bucket.as_str()) "; data through "
                (run.data_through.map(|d| d.to_string()).unwrap_or_else(|| "—".into())) "." }
            @if let Some(u) = &run.unavailable { p.problem { "Not counted: " (u) } }
            (legend())
            (strip(run.buckets.iter().map(|b| (b.start.to_string(), b.status, b.note.as_str()))))
            (chart(run, &breaks))
            @if let Some(b) = deciding {
                h2 { "Evidence: " (b.start) " – " (b.end) ", " (b.status.as_str()) }
                p { (b.note) @if b.incomplete { " (bucket incomplete: counts may still rise)" } }
                table {
                    tbody {
                        @for (k, v) in [("value", b.evidence.value), ("baseline", b.evidence.baseline), ("ratio", b.evidence.ratio),
                                        ("percent change", b.evidence.percent_change), ("p-value", b.evidence.p_value),
                                        ("threshold", b.evidence.threshold), ("low", b.evidence.lo), ("high", b.evidence.hi)] {
                            @if let Some(v) = v { tr { th { (k) } td { (format!("{v:.4}")) } } }
                        }
                    }
                }
                p { a href=(explore_url(&explore)) { (run.records.len()) " records behind this bucket in Explore" } }
            }
            h2 { "Change points" }
            @if breaks.is_empty() { p { "None found." } }
            ul { @for b in &breaks { li { (b.date) " (between " (b.lo) " and " (b.hi) "): "
                (format!("{:.2}", b.before.rate)) " → " (format!("{:.2}", b.after.rate)) " per " (run.spec.query.bucket.noun())
                @if let (Some(r), Some(lo), Some(hi)) = (b.ratio, b.ratio_lo, b.ratio_hi) { (format!(", ×{r:.2} (95 % CI {lo:.2}–{hi:.2})")) } } } }
            h2 { "Status changes" }
            ul { @for a in r.alerts.iter().filter(|a| a.indicator == run.spec.id) {
                li { (a.bucket_start) ": " (a.from.as_str()) " → " (a.to.as_str()) " — " (a.note) } } }
        },
    )))
}
