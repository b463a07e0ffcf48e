//! Server-rendered pages (maud). Each page is a function from state and parameters
//! to [`Markup`], wrapped by [`layout`]; failures become an HTML error page with the
//! same status the API would give. No page loads anything from elsewhere: the CSS
//! is compiled in and charts and maps are inline SVG.

pub mod actor;
pub mod check;
pub mod claims;
pub mod explore;
pub mod figures;
pub mod forecast;
pub mod graph;
pub mod human;
pub mod imap;
pub mod incident;
pub mod overview;
pub mod place;
pub mod watch;

use crate::api::map::ProvinceCounts;
use crate::api::Counts;
use crate::error::ApiError;
use crate::params::{Bucket, Filters, FiltersExt};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use maud::{html, Markup, PreEscaped, DOCTYPE};
use sitrep_analysis::PeriodCoverage;
use sitrep_model::figure::{
    AreaValue, AreaValues, FigureData, FigureKind, FigureSpec, MapLevel, Measure, SeriesFrame,
    SeriesLine,
};
use sitrep_model::BucketCoverage;
use sitrep_model::CountPoint as Point;
use sitrep_render::MapGeometry;

const CSS: &str = include_str!("style.css");

/// A page answer: HTML, or an error page.
pub(crate) struct Page(pub Markup);

impl IntoResponse for Page {
    fn into_response(self) -> Response {
        (
            [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
            self.0.into_string(),
        )
            .into_response()
    }
}

/// An error shown as a page; internal errors are logged and shown plainly.
pub(crate) struct PageError(pub ApiError);

impl From<ApiError> for PageError {
    fn from(e: ApiError) -> Self {
        PageError(e)
    }
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        self.0.log();
        let status = self.0.status();
        let body = layout(
            self.0.title(),
            html! {
                h1 { (self.0.title()) }
                p.problem { (self.0.detail()) }
                p { a href="/" { "Back to the overview" } }
            },
        );
        (
            status,
            [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
            body.into_string(),
        )
            .into_response()
    }
}

pub(crate) type PageResult = Result<Page, PageError>;

/// The page frame: head (viewport, embedded CSS), skip link, navigation, main.
pub(crate) fn layout(title: &str, main: Markup) -> Markup {
    html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (title) " · sitrep" }
                style { (PreEscaped(CSS)) }
            }
            body {
                a.skip href="#main" { "Skip to content" }
                header.top {
                    nav aria-label="Main" {
                        a.brand href="/" { "sitrep" }
                        a href="/" { "Overview" }
                        a href="/explore" { "Explore" }
                        a href="/figures" { "Figures" }
                        a href="/check" { "Check claims" }
                        a href="/watch" { "Watch" }
                        a href="/forecast" { "Forecast" }
                        a href="/api/v1/openapi.json" { "API" }
                    }
                }
                main id="main" tabindex="-1" { (main) }
                footer.bottom {
                    "Read-only view of the store. Every number links to the records behind it."
                }
            }
        }
    }
}

/// 404 for unknown pages.
pub(crate) async fn not_found() -> PageError {
    PageError(ApiError::NotFound(
        "there is no page here; start from the overview".into(),
    ))
}

/// An integer with thin thousands separators.
pub(crate) fn num(n: i64) -> String {
    let s = n.unsigned_abs().to_string();
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    if n < 0 {
        format!("-{out}")
    } else {
        out
    }
}

/// The Explore URL for a filter.
pub(crate) fn explore_url(f: &Filters) -> String {
    let q = f.query();
    if q.is_empty() {
        "/explore".into()
    } else {
        format!("/explore?{q}")
    }
}

/// A number linking to the records behind it.
pub(crate) fn linked(n: i64, f: &Filters) -> Markup {
    html! { a.num href=(explore_url(f)) { (num(n)) } }
}

/// The summed high estimate, or "unknown" when a counted incident states none (never 0).
pub(crate) fn high(c: &Counts) -> String {
    c.fatalities_high.map_or_else(|| "unknown".to_string(), num)
}

/// The fatality range `low–high (best N)`, each part linking to the records.
pub(crate) fn fatalities(c: &Counts, f: &Filters) -> Markup {
    html! {
        a.num href=(explore_url(f)) title="best estimate" { (num(c.fatalities_best)) }
        span.range { " (" (num(c.fatalities_low)) "–" (high(c)) ")" }
    }
}

/// Picks a bucket for a span of days: weeks up to three years, months to thirty,
/// years beyond, so a chart has between about 30 and 400 points.
pub(crate) fn auto_bucket(first: Option<&str>, last: Option<&str>) -> Bucket {
    let parse = |d: Option<&str>| d.and_then(|d| d.parse::<chrono::NaiveDate>().ok());
    match (parse(first), parse(last)) {
        (Some(a), Some(b)) => {
            let days = (b - a).num_days();
            if days <= 3 * 366 {
                Bucket::Week
            } else if days <= 30 * 366 {
                Bucket::Month
            } else {
                Bucket::Year
            }
        }
        _ => Bucket::Month,
    }
}

fn spec(
    id: &str,
    title: &str,
    kind: FigureKind,
    width: u32,
    height: u32,
) -> Result<FigureSpec, ApiError> {
    FigureSpec::builder(id, title, kind)
        .size(width, height)
        .build()
        .map_err(ApiError::internal)
}

/// An incidents-per-bucket line chart as inline SVG.
/// Where a dashboard chart's numbers come from: the store's sources (those the
/// filter names, or all), the filters in words, and how many records were counted.
pub(crate) fn provenance(
    state: &crate::AppState,
    f: &Filters,
    records: i64,
) -> sitrep_model::figure::FigureProvenance {
    use sitrep_model::figure::SourceRef;
    let mut names: Vec<String> = state
        .store()
        .manifest()
        .batches
        .iter()
        .map(|b| b.source.clone())
        .filter(|s| f.sources.is_empty() || f.sources.contains(s))
        .collect();
    names.sort();
    names.dedup();
    let q = f.query();
    sitrep_model::figure::FigureProvenance {
        sources: names
            .into_iter()
            .map(|name| SourceRef {
                citation: SourceRef::standard_citation(&name, None),
                name,
                version: None,
                ingested_at: None,
            })
            .collect(),
        filters: if q.is_empty() {
            "none".into()
        } else {
            q.replace('&', "; ")
        },
        record_count: records.max(0) as u64,
        ..Default::default()
    }
}

/// How the selected sources cover the filters' period (for map shading and notes).
pub(crate) async fn coverage(
    state: &crate::AppState,
    f: &Filters,
) -> Result<Option<PeriodCoverage>, ApiError> {
    Ok(state.analysis().await?.filters_coverage(f).await?)
}

pub(crate) fn trend_svg(
    id: &str,
    title: &str,
    points: &[Point],
    bucket: Bucket,
    provenance: sitrep_model::figure::FigureProvenance,
) -> Result<Markup, ApiError> {
    if points.is_empty() {
        return Ok(html! { p.empty { "No incidents match these filters." } });
    }
    let mut spec = spec(id, title, FigureKind::Line, 900, 360)?;
    spec.series.bucket = bucket.model();
    // Buckets no selected source covers are gaps with a "no data" band.
    let values: Vec<Option<f64>> = points
        .iter()
        .map(|p| p.counts.map(|c| c.incidents as f64))
        .collect();
    let coverage: Vec<BucketCoverage> = points.iter().map(|p| p.coverage).collect();
    let overall = BucketCoverage::combine(&coverage);
    let last = points
        .iter()
        .rev()
        .find(|p| p.coverage.is_covered())
        .map(|p| p.end)
        .filter(|d| points.last().is_some_and(|l| *d < l.end));
    let mut provenance = provenance;
    provenance.coverage_note = sitrep_analysis::coverage_note(&overall, last);
    provenance.coverage = Some(overall);
    let data = FigureData {
        series: Some(SeriesFrame {
            bucket: bucket.model(),
            measure: Measure::Incidents,
            starts: points.iter().map(|p| p.start).collect(),
            lines: vec![SeriesLine {
                label: "Incidents".into(),
                raw_values: values.clone(),
                values,
                low: None,
                high: None,
            }],
            coverage,
        }),
        provenance,
        ..FigureData::default()
    };
    let svg = sitrep_render::render_svg(&spec, &data, None).map_err(ApiError::internal)?;
    Ok(html! { figure.chart { (PreEscaped(svg)) } })
}

/// A province choropleth of incidents as inline SVG; each province links to
/// Explore with the filter narrowed to it.
pub(crate) fn map_svg(
    id: &str,
    title: &str,
    rows: &[ProvinceCounts],
    geometry: &MapGeometry,
    f: &Filters,
    provenance: sitrep_model::figure::FigureProvenance,
    pc: Option<&PeriodCoverage>,
) -> Result<Markup, ApiError> {
    let spec = spec(id, title, FigureKind::Choropleth, 900, 560)?;
    // A period no selected source covers is "no data" in every province.
    let covered = pc.is_none_or(|p| p.coverage.is_covered());
    let mut provenance = provenance;
    if let Some(p) = pc {
        provenance.coverage = Some(p.coverage);
        provenance.coverage_note.clone_from(&p.note);
    }
    let data = FigureData {
        areas: Some(AreaValues {
            level: MapLevel::Province,
            coverage: pc.map(|p| p.coverage).unwrap_or_default(),
            rows: rows
                .iter()
                .map(|r| AreaValue {
                    code: r.code.clone(),
                    name: r.name.clone(),
                    value: covered.then_some(r.counts.incidents as f64),
                    incidents: r.counts.incidents as u64,
                    fatalities_low: Some(r.counts.fatalities_low as u64),
                    fatalities_best: Some(r.counts.fatalities_best as u64),
                    fatalities_high: r.counts.fatalities_high.map(|h| h as u64),
                })
                .collect(),
        }),
        provenance,
        ..FigureData::default()
    };
    // Each province opens Explore with the filters narrowed to it.
    let link = |code: &str| {
        let mut g = f.clone();
        g.provinces = vec![code.to_string()];
        Some(explore_url(&g))
    };
    let svg = sitrep_render::render_svg_linked(&spec, &data, Some(geometry), Some(&link))
        .map_err(ApiError::internal)?;
    Ok(html! { figure.map { (PreEscaped(svg)) } })
}

/// A map of one incident: its province shaded, a point where it is located.
pub(crate) fn point_map_svg(
    state: &crate::AppState,
    incident: &crate::table::Row,
) -> Result<Markup, ApiError> {
    use crate::table::s;
    let f = |k: &str| incident.get(k).and_then(serde_json::Value::as_f64);
    let mut spec = spec(
        "incident-map",
        "Where it happened",
        FigureKind::Points,
        640,
        420,
    )?;
    spec.subtitle = Some(match s(incident, "province_name") {
        Some(p) => format!("{p} province shaded; the point is the record's coordinates"),
        None => "The point is the record's coordinates".into(),
    });
    let areas = s(incident, "province_code").map(|code| AreaValues {
        level: MapLevel::Province,
        coverage: BucketCoverage::default(),
        rows: vec![AreaValue {
            code: code.to_string(),
            name: s(incident, "province_name").unwrap_or(code).to_string(),
            value: Some(1.0),
            incidents: 1,
            fatalities_low: None,
            fatalities_best: None,
            fatalities_high: None,
        }],
    });
    let points = match (f("latitude"), f("longitude")) {
        (Some(lat), Some(lon)) => vec![sitrep_model::figure::MapPoint {
            lat,
            lon,
            value: incident
                .get("fatalities_best")
                .and_then(serde_json::Value::as_f64)
                .unwrap_or(0.0),
            label: s(incident, "location").unwrap_or("incident").to_string(),
        }],
        _ => Vec::new(),
    };
    let source = s(incident, "source").unwrap_or("unknown source");
    let data = FigureData {
        areas,
        points,
        provenance: sitrep_model::figure::FigureProvenance {
            sources: vec![sitrep_model::figure::SourceRef {
                name: source.to_string(),
                citation: sitrep_model::figure::SourceRef::standard_citation(source, None),
                version: None,
                ingested_at: None,
            }],
            filters: format!("record {}", s(incident, "record_id").unwrap_or("?")),
            record_count: 1,
            ..Default::default()
        },
        ..FigureData::default()
    };
    let svg = sitrep_render::render_svg(&spec, &data, Some(state.geometry()))
        .map_err(ApiError::internal)?;
    Ok(html! { figure.map { (PreEscaped(svg)) } })
}
