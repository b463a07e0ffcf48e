//! `GET /api/v1/figures`, `/api/v1/figures/{id}` and `/api/v1/report`: the bundled
//! figure specs computed by the series engine over the served store and drawn by
//! sitrep-render — as figure data (JSON), SVG, the CSV of every plotted value, or a
//! self-contained HTML report.
//!
//! The specs carry the report's own periods (2020–2022). When the store's data do not
//! reach a spec's period and no `from`/`to` is given, the figure is drawn over the
//! last sixteen months of data instead and its subtitle says "Period replaced", so it
//! never shows an empty chart that looks like a quiet period.

use super::{csv, json};
use crate::error::ApiError;
use crate::params::{date, Kind, Param, Params};
use crate::AppState;
use axum::extract::{Path, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use chrono::{Datelike, Months, NaiveDate};
use sitrep_model::figure::{FigureData, FigureSpec, ReportSpec, SectionSpec};
use sitrep_render::{bundled, Methods};
use std::sync::Arc;

/// One computed figure.
#[derive(Debug)]
pub(crate) struct Figure {
    /// The spec as drawn (period replaced when asked or needed).
    pub spec: FigureSpec,
    /// The numbers behind it.
    pub data: FigureData,
    /// The drawing.
    pub svg: String,
    /// True when the period was replaced because the spec's own lies outside the data.
    pub auto_period: bool,
}

/// What a figure request asks for besides the spec.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct FigureQuery {
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
    pub no_compare: bool,
    /// Mark change points on the series (`changes=true`).
    pub changes: bool,
}

/// `compare` of a figure or the report (read by [`FigureQuery::parse`]).
pub(crate) const COMPARE: Param = Param::new(
    "compare",
    Kind::Bool { default: true },
    "Draw the spec's period comparisons",
    "false",
)
.shared("compare");

/// `changes` of a figure (read by [`FigureQuery::parse`]).
pub(crate) const CHANGES: Param = Param::new(
    "changes",
    Kind::Bool { default: false },
    "Mark each line's change points (Poisson PELT, MBIC), labelled with the rate ratio",
    "true",
)
.shared("changes");

/// `format` of a figure.
pub(crate) const FORMAT_FIGURE: Param = Param::new(
    "format",
    Kind::Choice {
        choices: &["json", "svg", "csv", "html", "png"],
        default: Some("json"),
    },
    "Output format (png: the SVG rasterised, fonts bundled; `scale` multiplies its size)",
    "svg",
)
.shared("format_figure");

impl FigureQuery {
    /// Reads `from`, `to` and `compare=false`.
    pub fn parse(p: &Params) -> Result<FigureQuery, ApiError> {
        let from = date(p, "from")?;
        let to = date(p, "to")?;
        if let (Some(a), Some(b)) = (from, to) {
            if a > b {
                return Err(ApiError::BadRequest(format!(
                    "`from` ({a}) is after `to` ({b})"
                )));
            }
        }
        let no_compare = match p.one("compare")? {
            None | Some("true") => false,
            Some("false") => true,
            Some(v) => {
                return Err(ApiError::BadRequest(format!(
                    "`compare` must be `true` or `false`, found `{}`",
                    v.chars().take(40).collect::<String>()
                )))
            }
        };
        let changes = match p.one("changes")? {
            None | Some("false") => false,
            Some("true") => true,
            Some(v) => {
                return Err(ApiError::BadRequest(format!(
                    "`changes` must be `true` or `false`, found `{}`",
                    v.chars().take(40).collect::<String>()
                )))
            }
        };
        Ok(FigureQuery {
            from,
            to,
            no_compare,
            changes,
        })
    }

    /// The query string that reproduces this request (no leading `?`).
    pub fn query(&self) -> String {
        let mut out = Vec::new();
        if let Some(d) = self.from {
            out.push(format!("from={d}"));
        }
        if let Some(d) = self.to {
            out.push(format!("to={d}"));
        }
        if self.no_compare {
            out.push("compare=false".into());
        }
        if self.changes {
            out.push("changes=true".into());
        }
        out.join("&")
    }
}

/// The bundled spec `id`, or 404 listing the ids.
pub(crate) fn spec(id: &str) -> Result<FigureSpec, ApiError> {
    match bundled::figure(id) {
        Some(Ok(spec)) => Ok(spec),
        Some(Err(e)) => Err(ApiError::Internal(format!("bundled spec {id}: {e}"))),
        None => Err(ApiError::NotFound(format!(
            "no figure `{}`; the bundled figures are {} (list: /api/v1/figures)",
            id.chars().take(40).collect::<String>(),
            bundled::figure_ids().join(", ")
        ))),
    }
}

/// The period drawn when the spec's own lies outside the data: the last sixteen
/// months of data, from the first of a month.
pub(crate) fn fallback_period(last: NaiveDate) -> (NaiveDate, NaiveDate) {
    let back = last.checked_sub_months(Months::new(15)).unwrap_or(last);
    let from = back.with_day(1).unwrap_or(back);
    (from, last)
}

/// Computes (or takes from the cache) figure `id` for `q`.
pub(crate) async fn figure(
    state: &AppState,
    id: &str,
    q: FigureQuery,
) -> Result<Arc<Figure>, ApiError> {
    let mut spec = spec(id)?;
    let key = format!("{id}?{}", q.query());
    let state2 = state.clone();
    state
        .figure(key, || async move {
            let mut auto_period = false;
            if q.from.is_some() || q.to.is_some() {
                spec.replace_period(q.from, q.to);
            } else if let Some((first, last)) = state2.data_range() {
                let outside = spec.filters.from.is_some_and(|f| f > last)
                    || spec.filters.to.is_some_and(|t| t < first);
                if outside {
                    let (from, to) = fallback_period(last);
                    spec.replace_period(Some(from), Some(to));
                    auto_period = true;
                }
            }
            if q.no_compare {
                spec.drop_comparisons();
            }
            if q.changes {
                spec.series.changes = true;
            }
            let data = state2.analysis().await?.figure_data(&spec).await?;
            let svg = sitrep_render::render_svg(&spec, &data, Some(state2.geometry()))?;
            Ok(Figure {
                spec,
                data,
                svg,
                auto_period,
            })
        })
        .await
}

/// An attachment download.
fn download(body: String, content_type: &str, name: &str) -> Response {
    (
        [
            (header::CONTENT_TYPE, content_type.to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{name}\""),
            ),
        ],
        body,
    )
        .into_response()
}

/// The report's methods section for figures drawn by the server.
fn methods(state: &AppState, figures: &[(FigureSpec, FigureData, String)]) -> Methods {
    Methods {
        sources: Methods::sources_of(figures),
        notes: vec![format!(
            "Data: store {} ({} batches).",
            state.store().root().display(),
            state.store().manifest().batches.len()
        )],
        generated_at: Some(chrono::Utc::now()),
        generator: Some(format!("sitrep {}", env!("CARGO_PKG_VERSION"))),
    }
}

/// `GET /api/v1/figures`: the bundled figures with their links.
pub async fn index(State(state): State<AppState>) -> Result<Response, ApiError> {
    let mut out = Vec::new();
    for id in bundled::figure_ids() {
        let s = spec(id)?;
        out.push(serde_json::json!({
            "id": id,
            "title": s.title,
            "subtitle": s.subtitle,
            "kind": s.kind,
            "period": { "from": s.filters.from, "to": s.filters.to },
            "links": links(id, ""),
        }));
    }
    Ok(json(serde_json::json!({
        "figures": out,
        "data_range": state.data_range().map(|(a, b)| serde_json::json!({"from": a, "to": b})),
        "report": "/api/v1/report",
    })))
}

/// The links of one figure, each carrying `query` (a figure query string).
pub(crate) fn links(id: &str, query: &str) -> serde_json::Value {
    let with = |format: &str| {
        if query.is_empty() {
            format!("/api/v1/figures/{id}?format={format}")
        } else {
            format!("/api/v1/figures/{id}?format={format}&{query}")
        }
    };
    serde_json::json!({
        "page": if query.is_empty() { format!("/figures/{id}") } else { format!("/figures/{id}?{query}") },
        "json": with("json"),
        "svg": with("svg"),
        "csv": with("csv"),
        "html": with("html"),
    })
}

/// `GET /api/v1/figures/{id}?format=json|svg|csv|html&from&to&compare`.
pub async fn show(
    State(state): State<AppState>,
    Path(id): Path<String>,
    p: Params,
) -> Result<Response, ApiError> {
    let format = p.choice_of(&FORMAT_FIGURE)?;
    let q = FigureQuery::parse(&p)?;
    let fig = figure(&state, &id, q).await?;
    Ok(match format {
        "svg" => download(fig.svg.clone(), "image/svg+xml", &format!("{id}.svg")),
        "png" => super::png::respond(&fig.svg, &id, &p).await?,
        "csv" => csv(
            sitrep_render::render_csv(&fig.spec, &fig.data),
            &format!("{id}.csv"),
        ),
        "html" => {
            let report = ReportSpec {
                title: fig.spec.title.clone(),
                author: None,
                date: None,
                filters: Default::default(),
                sections: vec![SectionSpec {
                    heading: fig.spec.title.clone(),
                    figures: vec![id.clone()],
                    tables: vec![id.clone()],
                    ..SectionSpec::default()
                }],
            };
            let figs = vec![(fig.spec.clone(), fig.data.clone(), fig.svg.clone())];
            let html = sitrep_render::render_report(&report, &figs, &methods(&state, &figs));
            download(html, "text/html; charset=utf-8", &format!("{id}.html"))
        }
        _ => json(serde_json::json!({
            "id": id,
            "spec": fig.spec,
            "period_replaced": fig.auto_period || q.from.is_some() || q.to.is_some(),
            "data": fig.data,
            "links": links(&id, &q.query()),
        })),
    })
}

/// `GET /api/v1/report?from&to&compare`: the bundled report (specs/reports/bundled.toml)
/// as one self-contained HTML file.
pub async fn report(State(state): State<AppState>, p: Params) -> Result<Response, ApiError> {
    let q = FigureQuery::parse(&p)?;
    let report =
        bundled::report().map_err(|e| ApiError::Internal(format!("bundled report: {e}")))?;
    let mut figs = Vec::new();
    for section in &report.sections {
        for id in &section.figures {
            let mut spec = spec(id)?;
            // The report's filters are laid over every figure's, as `sitrep report` does.
            spec.filters = spec.filters.merged(&report.filters);
            spec.replace_period(q.from, q.to);
            if q.no_compare {
                spec.drop_comparisons();
            }
            if q.changes {
                spec.series.changes = true;
            }
            let data = state.analysis().await?.figure_data(&spec).await?;
            let svg = sitrep_render::render_svg(&spec, &data, Some(state.geometry()))?;
            figs.push((spec, data, svg));
        }
    }
    let html = sitrep_render::render_report(&report, &figs, &methods(&state, &figs));
    Ok(download(html, "text/html; charset=utf-8", "report.html"))
}
