//! The forecast map: next month's expected counts per province, with the forecaster
//! and its back-test skill said under the title.

use crate::{render_svg, MapGeometry, RenderError};
use sitrep_model::figure::{
    AreaValue, AreaValues, FigureData, FigureProvenance, FigureSpec, MapLevel, SourceRef,
};
use sitrep_model::forecast::ForecastReport;
use sitrep_model::BucketCoverage;

/// The spec and data of the map of `report`'s forecasts `horizon` months ahead.
pub fn forecast_figure(report: &ForecastReport, horizon: usize) -> (FigureSpec, FigureData) {
    let cells: Vec<_> = report
        .cells
        .iter()
        .filter(|c| c.horizon == horizon)
        .collect();
    let month = cells
        .first()
        .map(|c| c.month.format("%B %Y").to_string())
        .unwrap_or_default();
    let what = if report.measure == "incidents" {
        "incidents"
    } else {
        "fatalities (best estimate)"
    };
    let mut spec = FigureSpec::from_toml_str(
        "id = \"forecast\"\ntitle = \"t\"\nkind = \"choropleth\"\nwidth = 900\nheight = 600\n",
    )
    .expect("a constant spec parses");
    spec.title = format!("Expected {what}, {month} (forecast)");
    let pooled = report
        .skills
        .iter()
        .filter(|s| s.horizon.is_none() && s.model == report.chosen)
        .map(|s| format!("{:+.1}% vs {}", 100.0 * s.skill, s.baseline))
        .collect::<Vec<_>>();
    spec.subtitle = Some(if report.chosen_is_baseline {
        format!(
            "By the {} baseline: no model beat it in the back-test. Hover a province for its 90% interval.",
            report.chosen
        )
    } else {
        format!(
            "By {} (back-test CRPS skill {}). Hover a province for its 90% interval.",
            report.chosen,
            pooled.join(", ")
        )
    });
    let rows = cells
        .iter()
        .map(|c| AreaValue {
            code: c.unit.clone(),
            name: format!("{} (90%: {}–{})", c.name, c.q05, c.q95),
            value: Some((c.mean * 10.0).round() / 10.0),
            incidents: 0,
            fatalities_low: None,
            fatalities_best: None,
            fatalities_high: None,
        })
        .collect();
    let data = FigureData {
        areas: Some(AreaValues {
            level: MapLevel::Province,
            rows,
            coverage: BucketCoverage::default(),
        }),
        provenance: FigureProvenance {
            sources: report
                .sources
                .iter()
                .map(|s| SourceRef {
                    name: s.clone(),
                    citation: SourceRef::standard_citation(s, None),
                    version: None,
                    ingested_at: None,
                })
                .collect(),
            filters: format!(
                "{}; trained on {} – {} ({} of {} months covered)",
                report.filters,
                report.trained_from.format("%Y-%m"),
                report.trained_to.format("%Y-%m"),
                report.covered_months,
                report.months
            ),
            ..Default::default()
        },
        ..FigureData::default()
    };
    (spec, data)
}

/// The forecast map as SVG.
pub fn render_forecast_map(
    report: &ForecastReport,
    horizon: usize,
    geometry: &MapGeometry,
) -> Result<String, RenderError> {
    let (spec, data) = forecast_figure(report, horizon);
    render_svg(&spec, &data, Some(geometry))
}
