//! `/forecast`: next month's expected counts per province on a map and in a table,
//! under what the back-test said about the forecaster that made them; and the
//! "Next month" panel of the province page. Both read the report of
//! `GET /api/v1/forecast` with its default query, through the same per-version
//! cache ([`crate::api::forecast::report`]), so page, panel and API agree.

use super::{layout, num, Page, PageResult};
use crate::api::forecast::{default_query, report};
use crate::api::map;
use crate::error::ApiError;
use crate::params::Params;
use crate::AppState;
use axum::extract::State;
use chrono::{Months, NaiveDate};
use maud::{html, Markup, PreEscaped};
use sitrep_model::forecast::{ForecastCell, ForecastReport, ForecastScore, ForecastSkill};
use std::collections::HashMap;
use std::sync::Arc;

/// A forecast number as pages show it: one decimal.
pub(crate) fn fc_num(x: f64) -> String {
    format!("{x:.1}")
}

/// A 90 % interval as pages show it: `low–high`.
pub(crate) fn fc_interval(c: &ForecastCell) -> String {
    format!("{}–{}", fc_num(c.q05), fc_num(c.q95))
}

/// A share as a percentage with one decimal.
fn pct(x: f64) -> String {
    if x.is_finite() {
        format!("{:.1} %", 100.0 * x)
    } else {
        "–".into()
    }
}

/// A skill with its sign, as a percentage.
fn signed_pct(x: f64) -> String {
    format!("{:+.1} %", 100.0 * x)
}

/// What the measure counts, in words.
fn what(r: &ForecastReport) -> &'static str {
    if r.measure == "incidents" {
        "incidents"
    } else {
        "fatalities (best estimate)"
    }
}

/// The page's facts: the report and each province's count in the last month of
/// training data.
pub(crate) struct ForecastView {
    report: Arc<ForecastReport>,
    /// Counts of the last month trained on, per province; `None` when no selected
    /// source covers that month (no data, not zero).
    last: Option<HashMap<String, i64>>,
}

/// Computes (or takes from the cache) the default forecast and the last month's
/// counts.
pub(crate) async fn view(state: &AppState) -> Result<ForecastView, ApiError> {
    let q = default_query(state)?;
    let mut f = q.filters.clone();
    let report = report(state, q).await?;
    // The last month trained on, with the filters of the forecast.
    let start = report.trained_to;
    let end = start + Months::new(1) - chrono::Days::new(1);
    f.from = Some(f.from.map_or(start, |d| d.max(start)));
    f.to = Some(f.to.map_or(end, |d| d.min(end)));
    // A month no selected source covers has no count: it reads "no data", never 0.
    let uncovered = super::coverage(state, &f)
        .await?
        .is_some_and(|pc| pc.coverage.status == sitrep_model::CoverageStatus::None);
    if uncovered {
        return Ok(ForecastView { report, last: None });
    }
    let (rows, _) = map::provinces(state, &f).await?;
    let fatalities = report.measure != "incidents";
    let last = rows
        .into_iter()
        .map(|r| {
            let n = if fatalities {
                r.counts.fatalities_best
            } else {
                r.counts.incidents
            };
            (r.code, n)
        })
        .collect();
    Ok(ForecastView {
        report,
        last: Some(last),
    })
}

/// The pooled back-test score of `name`.
fn pooled<'a>(r: &'a ForecastReport, name: &str) -> Option<&'a ForecastScore> {
    r.scores
        .iter()
        .find(|s| s.horizon.is_none() && s.forecaster == name)
}

/// The baseline with the lowest pooled CRPS.
fn best_baseline(r: &ForecastReport) -> Option<&ForecastScore> {
    r.scores
        .iter()
        .filter(|s| s.horizon.is_none() && s.baseline)
        .min_by(|a, b| a.crps.total_cmp(&b.crps))
}

/// The skill that speaks for the choice, pooled over horizons: the chosen model's
/// over the best baseline, or (a baseline chosen) the best model's over it.
fn deciding_skill(r: &ForecastReport) -> Option<&ForecastSkill> {
    let mut pooled = r.skills.iter().filter(|s| s.horizon.is_none());
    if r.chosen_is_baseline {
        pooled
            .filter(|s| s.baseline == r.chosen)
            .max_by(|a, b| a.skill.total_cmp(&b.skill))
    } else {
        let best = best_baseline(r)?;
        pooled.find(|s| s.model == r.chosen && s.baseline == best.forecaster)
    }
}

/// A skill with its bootstrap interval, in words.
fn skill_words(s: &ForecastSkill) -> String {
    format!(
        "CRPS skill of {} over {}: {} (95 % bootstrap interval {} to {})",
        s.model,
        s.baseline,
        signed_pct(s.skill),
        signed_pct(s.lo),
        signed_pct(s.hi)
    )
}

/// The verdict in plain words.
fn verdict(r: &ForecastReport) -> Markup {
    let skill = deciding_skill(r);
    let cover = pooled(r, &r.chosen);
    html! {
        @if r.chosen_is_baseline {
            p.notice #verdict {
                "No model beat the " strong { (r.chosen) } " baseline in the back-test: showing the baseline."
            }
        } @else {
            p.notice #verdict {
                "The " strong { (r.chosen) } " model beat the best baseline"
                @if let Some(b) = best_baseline(r) { " (" (b.forecaster) ")" }
                " in the back-test: it makes this forecast."
            }
        }
        dl.summary {
            dt { "Why" } dd #explanation { (r.explanation) }
            dt { "Back-test skill" }
            dd #skill {
                @match skill {
                    Some(s) => { (skill_words(s)) " (pooled over horizons; positive means the model scores better)." }
                    None => "no back-test skill (see the warnings)",
                }
            }
            dt { "90 % intervals" }
            dd #coverage {
                @match cover {
                    Some(c) => {
                        "In the back-test, " (r.chosen) "'s 90 % intervals held " strong { (pct(c.coverage90)) }
                        " of " (num(c.n as i64)) " province-months (" (pct(c.coverage90_active)) " of the "
                        (num(c.n_active as i64)) " with at least one event), " (fc_num(c.width90)) " wide on average."
                    }
                    None => "not back-tested",
                }
            }
            dt { "Trained on" }
            dd #trained {
                (what(r)) " per " (match r.level { sitrep_model::forecast::ForecastLevel::Province => "province", sitrep_model::forecast::ForecastLevel::Country => "country" })
                "-month from " (month(r.trained_from)) " to " (month(r.trained_to)) " ("
                (r.covered_months) " of " (r.months) " months covered by a source; the others are neither trained on nor scored)"
                @if !r.sources.is_empty() { "; sources: " (r.sources.join(", ")) }
                "; filters: " (r.filters) "."
                @if let Some((a, b)) = r.backtest_origins { " Back-test origins " (month(a)) " to " (month(b)) "." }
            }
        }
        @if !r.warnings.is_empty() {
            details { summary { "Warnings (" (r.warnings.len()) ")" }
                ul { @for w in &r.warnings { li { (w) } } } }
        }
    }
}

fn month(d: NaiveDate) -> String {
    d.format("%B %Y").to_string()
}

/// The page body.
fn present(v: &ForecastView, state: &AppState) -> Result<Markup, ApiError> {
    let r = &v.report;
    let link = |code: &str| Some(format!("/places/{code}"));
    // The render crate's forecast map (as `sitrep forecast --map`), provinces linked.
    let (spec, data) = sitrep_render::forecast_figure(r, 1);
    let svg = sitrep_render::render_svg_linked(&spec, &data, Some(state.geometry()), Some(&link))
        .map_err(ApiError::internal)?;
    let mut cells: Vec<&ForecastCell> = r.cells.iter().filter(|c| c.horizon == 1).collect();
    cells.sort_by(|a, b| b.mean.total_cmp(&a.mean).then_with(|| a.name.cmp(&b.name)));
    let mut scores: Vec<&ForecastScore> = r.scores.iter().filter(|s| s.horizon.is_none()).collect();
    scores.sort_by(|a, b| a.crps.total_cmp(&b.crps));
    let last = month(r.trained_to);
    Ok(html! {
        h1 { "Forecast: next month" }
        (verdict(r))
        figure.map { (PreEscaped(svg)) }
        h2 { "Expected " (what(r)) " per province" }
        div.table-wrap { table #forecast-table {
            thead { tr {
                th { "Province" } th { "Month forecast" } th.n { "Expected" } th.n { "90 % interval" }
                th.n { (last) " (last observed)" }
            } }
            tbody { @for c in &cells {
                tr id=(format!("fc-{}", c.unit)) {
                    td { a href=(format!("/places/{}", c.unit)) { (c.name) } }
                    td { (month(c.month)) }
                    td.n.expected { (fc_num(c.mean)) }
                    td.n.interval { (fc_interval(c)) }
                    td.n.last { @match &v.last {
                        Some(m) => { (m.get(&c.unit).copied().map_or_else(|| "0".into(), num)) }
                        None => { span.muted title="no source covers this month" { "no data" } }
                    } }
                }
            } }
        } }
        h2 { "Back-test scores" }
        p.muted { "Pooled over horizons; lower CRPS is better." }
        div.table-wrap { table {
            thead { tr { th { "Forecaster" } th { "Kind" } th.n { "CRPS" } th.n { "90 % coverage" } th.n { "Mean 90 % width" } } }
            tbody { @for s in &scores {
                tr {
                    td { (s.forecaster) @if s.forecaster == r.chosen { " (chosen)" } }
                    td { @if s.baseline { "baseline" } @else { "model" } }
                    td.n { (format!("{:.3}", s.crps)) }
                    td.n { (pct(s.coverage90)) }
                    td.n { (fc_num(s.width90)) }
                }
            } }
        } }
        p { a href="/api/v1/forecast" { "This forecast as JSON" } " (" code { "GET /api/v1/forecast" } ")" }
    })
}

/// `GET /forecast`.
pub(crate) async fn page(State(state): State<AppState>, p: Params) -> PageResult {
    p.check(false, &[])?;
    let v = view(&state).await?;
    Ok(Page(layout("Forecast", present(&v, &state)?)))
}

/// The province page's "Next month" panel; a failed forecast shows its reason
/// rather than failing the page.
pub(crate) async fn province_panel(state: &AppState, code: &str) -> Markup {
    let r = match default_query(state) {
        Ok(q) => report(state, q).await,
        Err(e) => Err(e),
    };
    let body = match &r {
        Err(e) => {
            e.log();
            html! { p.muted.forecast-failed { "No forecast: " (e.detail()) } }
        }
        Ok(r) => match r.cells.iter().find(|c| c.horizon == 1 && c.unit == code) {
            None => html! { p.muted { "No forecast for this province." } },
            Some(c) => html! {
                div.cards {
                    div.card { span.label { "Expected " (what(r)) ", " (month(c.month)) } span.value.expected { (fc_num(c.mean)) } }
                    div.card { span.label { "90 % interval" } span.value.interval { (fc_interval(c)) } }
                    div.card { span.label { "Forecaster" } span.value.forecaster { (r.chosen) }
                        @if r.chosen_is_baseline { br; span.muted { "a baseline: no model beat it" } } }
                }
                p.muted {
                    @if let Some(s) = deciding_skill(r) { "Back-test " (skill_words(s)) ". " }
                    "Trained on " (month(r.trained_from)) " to " (month(r.trained_to)) ". "
                    a href="/forecast" { "How far to trust it: the back-test and every province" } }
            },
        },
    };
    html! { section #next-month { h2 { "Next month" } (body) } }
}
