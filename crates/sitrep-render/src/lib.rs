//! Draws sitrep figures: a [`FigureSpec`] plus its computed [`FigureData`] become an
//! SVG chart or map ([`render_svg`]), the CSV of every plotted value ([`render_csv`]),
//! and, together, a self-contained HTML report ([`render_report`]).
//!
//! Charts (line, stacked area, stacked bars, small multiples) and maps (choropleth,
//! points over outlines from a [`MapGeometry`]) share one layout: title and subtitle,
//! period-comparison sentences, a legend above the plot (never over the data), the
//! plot with labelled axes and annotations, and a provenance footer (sources, filters,
//! record and exclusion counts, data date). Fatality ranges are translucent bands
//! where low ≠ high. Coverage is drawn, never hidden: buckets no selected source
//! covers are gaps over a grey "no data" band, partly covered ones are hatched, areas
//! without coverage are grey "no data" (never the 0 class), a period not fully covered
//! is said under the title and in the footer, and CSVs carry a `coverage` column.
//! [`coverage_strip`] draws what each source covers along a time axis.
//!
//! The SVG is written by hand rather than through a plotting library: every element
//! is ours to annotate (`data-code` on map areas, `<title>` hover text), output is
//! byte-for-byte deterministic (golden tests), and no font library is needed. Text
//! widths are estimated from average glyph widths.
//!
//! [`bundled`] holds what ships compiled in: the report's figure specs, the example
//! report and the province outlines.
//!
//! Out of scope: computing the data (sitrep-analysis), reading spec files from disk
//! (sitrep-cli).
//!
//! ```
//! use sitrep_model::figure::{FigureData, FigureSpec, SeriesFrame, SeriesLine, Bucket, Measure};
//! let spec = FigureSpec::from_toml_str(
//!     "id = \"demo\"\ntitle = \"Incidents per week\"\nkind = \"line\"\n",
//! ).unwrap();
//! // Synthetic numbers, for illustration only.
//! let starts = vec!["2021-08-02".parse().unwrap(), "2021-08-09".parse().unwrap()];
//! let line = SeriesLine { label: "All".into(), values: vec![Some(3.0), Some(5.0)], raw_values: vec![Some(3.0), Some(5.0)], ..Default::default() };
//! let data = FigureData {
//!     series: Some(SeriesFrame { bucket: Bucket::Week, measure: Measure::Incidents, starts, lines: vec![line], coverage: vec![] }),
//!     ..Default::default()
//! };
//! let svg = sitrep_render::render_svg(&spec, &data, None).unwrap();
//! assert!(svg.contains("Incidents per week"));
//! assert!(sitrep_render::render_csv(&spec, &data).contains("2021-08-09,All,5,5,,"));
//! ```
#![deny(missing_docs)]

pub mod bundled;
mod chart;
mod csv_out;
mod forecast;
pub mod graph;
mod layout;
mod map;
pub mod png;
mod report;
mod scale;
mod strip;
mod svg;

pub use chart::display_label;
pub use csv_out::{render_csv, MAP_HEADER, SERIES_HEADER};
pub use forecast::{forecast_figure, render_forecast_map};
pub use map::{class_breaks, class_colours, normalise_code, MapArea, MapGeometry, NO_DATA};
pub use report::{prose_html, render_report, Methods};
use sitrep_model::figure::{FigureData, FigureKind, FigureSpec};
pub use strip::{coverage_strip, StripRow};

/// Why a figure could not be drawn.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RenderError {
    /// The data lacks what this kind of figure draws (a chart without a series, a
    /// choropleth without area values): analysis and spec disagree.
    #[error("figure `{figure}`: the data has no {needed}, which this kind of figure draws")]
    MissingData {
        /// Figure id.
        figure: String,
        /// What is missing: `series`, `areas`.
        needed: &'static str,
    },
    /// A choropleth needs area outlines and none were given.
    #[error("figure `{figure}`: a choropleth needs area outlines (a GeoJSON file of provinces or districts)")]
    MissingGeometry {
        /// Figure id.
        figure: String,
    },
    /// A series line has the wrong number of values.
    #[error("figure `{figure}`, line `{line}`: {what} has {found} values for {expected} buckets")]
    Shape {
        /// Figure id.
        figure: String,
        /// Line label.
        line: String,
        /// Which vector: `values`, `low`, `high`, `raw_values`.
        what: &'static str,
        /// Number of buckets.
        expected: usize,
        /// Number of values found.
        found: usize,
    },
    /// A PNG could not be made from the SVG (bad scale, unreadable SVG).
    #[error("PNG: {0}")]
    Png(String),
    /// The GeoJSON text could not be read.
    #[error("GeoJSON: {0}")]
    GeoJson(String),
    /// A GeoJSON feature lacks the property naming it.
    #[error("GeoJSON feature {feature} has no property `{property}`; pass the property that holds the area name (geoBoundaries: `shapeName`)")]
    GeometryProperty {
        /// 0-based feature index.
        feature: usize,
        /// The missing property.
        property: String,
    },
}

impl RenderError {
    /// True when the fault is in the user's input (GeoJSON file) rather than a
    /// mismatch between spec and computed data.
    pub fn is_input(&self) -> bool {
        self.class() == sitrep_model::ErrorClass::Input
    }

    /// What kind of failure this is: a bad GeoJSON file or a missing area is the
    /// user's input; computed data that does not fit its spec is a bug in sitrep.
    pub fn class(&self) -> sitrep_model::ErrorClass {
        match self {
            RenderError::GeoJson(_)
            | RenderError::Png(_)
            | RenderError::GeometryProperty { .. }
            | RenderError::MissingGeometry { .. } => sitrep_model::ErrorClass::Input,
            _ => sitrep_model::ErrorClass::Bug,
        }
    }
}

/// Draws a figure as an SVG document (valid XML, no XML declaration, so it can be
/// written to a `.svg` file or inlined in HTML as is). `geometry` is needed for
/// choropleths and drawn under points when given.
pub fn render_svg(
    spec: &FigureSpec,
    data: &FigureData,
    geometry: Option<&MapGeometry>,
) -> Result<String, RenderError> {
    render_svg_linked(spec, data, geometry, None)
}

/// Where a map area links to: given the area's code (`AF-KAN`, a district code), the
/// URL its shape opens, or `None` for no link. Callers (the dashboard) decide the
/// URLs; the renderer only wraps the area in `<a href>` (escaped).
pub type AreaLink<'a> = &'a dyn Fn(&str) -> Option<String>;

/// [`render_svg`], with each map area linked where `link` gives a URL.
pub fn render_svg_linked(
    spec: &FigureSpec,
    data: &FigureData,
    geometry: Option<&MapGeometry>,
    link: Option<AreaLink<'_>>,
) -> Result<String, RenderError> {
    match spec.kind {
        FigureKind::Choropleth | FigureKind::Points => map::render(spec, data, geometry, link),
        FigureKind::Line
        | FigureKind::StackedArea
        | FigureKind::Bars
        | FigureKind::SmallMultiples => chart::render(spec, data),
    }
}

/// The y-axis title a chart of this spec and data gets (`Incidents per week, 8-week
/// trailing average`); useful for captions and tests.
pub fn axis_titles(spec: &FigureSpec, data: &FigureData) -> Option<(String, String)> {
    let frame = data.series.as_ref()?;
    Some((
        chart::x_title(frame.bucket).to_string(),
        chart::y_title(spec, frame),
    ))
}
