//! Time-series charts: line, stacked area, stacked bars and small multiples.

use crate::layout::{colour, footer, header, LegendItem, Swatch, PAD};
use crate::scale::{bucket_end, date_ticks, day_number, nice_ticks, tick_label};
use crate::svg::{n, polygon, polyline, text_width, Anchor, Font, Svg};
use crate::RenderError;
use chrono::NaiveDate;
use sitrep_model::figure::{
    Annotation, Bucket, FigureData, FigureKind, FigureSpec, GroupBy, SeriesFrame, SmoothKind,
};
use sitrep_model::{CoverageStatus, EventType};

/// The y-axis title: measure, bucket and transforms, e.g. `Incidents per week,
/// 8-week trailing average`.
pub fn y_title(spec: &FigureSpec, frame: &SeriesFrame) -> String {
    let measure = frame.measure.human();
    let noun = frame.bucket.noun();
    let base = if spec.series.share_of.is_some() {
        format!("Share of {} (%)", measure.to_lowercase())
    } else if spec.series.cumulative {
        format!("Cumulative {}", measure.to_lowercase())
    } else {
        format!("{measure} per {noun}")
    };
    match spec.series.smooth {
        Some(k) if k > 1 => {
            let how = match spec.series.smooth_kind {
                SmoothKind::Trailing => "trailing",
                SmoothKind::Centred => "centred",
            };
            format!("{base}, {k}-{noun} {how} average")
        }
        _ => base,
    }
}

/// The x-axis title for a bucket.
pub fn x_title(bucket: Bucket) -> &'static str {
    match bucket {
        Bucket::Day => "Day",
        Bucket::Week => "Week (ISO, Monday–Sunday)",
        Bucket::AcledWeek => "Week (ACLED, Saturday–Friday)",
        Bucket::Month => "Month",
        Bucket::Quarter => "Quarter",
        Bucket::Year => "Year",
    }
}

/// The label a line is drawn with: event-type groups get their human names
/// (`violence_against_civilians` → `Violence against civilians`); other labels are
/// drawn as analysis wrote them. The CSV keeps the label verbatim.
pub fn display_label(spec: &FigureSpec, label: &str) -> String {
    if spec.series.by != GroupBy::EventType {
        return label.to_string();
    }
    match EventType::parse(label) {
        Some(EventType::Battle) => "Battles",
        Some(EventType::Explosion) => "Explosions/remote violence",
        Some(EventType::ViolenceAgainstCivilians) => "Violence against civilians",
        Some(EventType::Protest) => "Protests",
        Some(EventType::Riot) => "Riots",
        Some(EventType::StrategicDevelopment) => "Strategic developments",
        Some(EventType::Other) => "Other",
        None => label,
    }
    .to_string()
}

/// Checks that every line has one value per bucket.
pub fn check_shape(spec: &FigureSpec, frame: &SeriesFrame) -> Result<(), RenderError> {
    let expected = frame.starts.len();
    for line in &frame.lines {
        let lens = [
            ("values", Some(line.values.len())),
            ("low", line.low.as_ref().map(Vec::len)),
            ("high", line.high.as_ref().map(Vec::len)),
            (
                "raw_values",
                (!line.raw_values.is_empty()).then_some(line.raw_values.len()),
            ),
        ];
        for (what, len) in lens {
            if let Some(found) = len {
                if found != expected {
                    return Err(RenderError::Shape {
                        figure: spec.id.clone(),
                        line: line.label.clone(),
                        what,
                        expected,
                        found,
                    });
                }
            }
        }
    }
    Ok(())
}

/// True when some line's band has width somewhere both its ends are known.
fn has_band(frame: &SeriesFrame) -> bool {
    frame.lines.iter().any(|l| match (&l.low, &l.high) {
        (Some(lo), Some(hi)) => band_differs(lo, hi),
        _ => false,
    })
}

/// True when some line has a band but no stated high in some bucket.
fn band_has_unknown_high(frame: &SeriesFrame) -> bool {
    frame.lines.iter().any(|l| {
        l.low.is_some()
            && l.high
                .iter()
                .flatten()
                .zip(&frame.coverage)
                .any(|(h, c)| c.is_covered() && !known(*h))
    })
}

fn band_differs(lo: &[Option<f64>], hi: &[Option<f64>]) -> bool {
    lo.iter()
        .zip(hi)
        .any(|(a, b)| matches!((a, b), (Some(a), Some(b)) if (a - b).abs() > 1e-9))
}

/// A drawable value: known and finite.
fn known(v: Option<f64>) -> bool {
    v.is_some_and(f64::is_finite)
}

/// The maximal runs of consecutive indices below `len` where `ok` holds: the pieces
/// of a line or band between its gaps.
fn runs(len: usize, ok: impl Fn(usize) -> bool) -> Vec<std::ops::Range<usize>> {
    let mut out = Vec::new();
    let mut start = None;
    for i in 0..=len {
        match (start, i < len && ok(i)) {
            (None, true) => start = Some(i),
            (Some(a), false) => {
                out.push(a..i);
                start = None;
            }
            _ => {}
        }
    }
    out
}

/// Draws a line, stacked-area, bars or small-multiples chart.
pub fn render(spec: &FigureSpec, data: &FigureData) -> Result<String, RenderError> {
    let frame = data
        .series
        .as_ref()
        .ok_or_else(|| RenderError::MissingData {
            figure: spec.id.clone(),
            needed: "series",
        })?;
    check_shape(spec, frame)?;
    let mut shown = frame.clone();
    for line in &mut shown.lines {
        line.label = display_label(spec, &line.label);
    }
    let frame = &shown;
    let (w, h) = (spec.width as f64, spec.height as f64);
    let desc = format!(
        "{} chart of {}",
        spec.kind.as_str().replace('_', " "),
        y_title(spec, frame).to_lowercase()
    );
    let mut svg = Svg::new(&spec.id, w, h, &spec.title, &desc);

    let band =
        has_band(frame) && matches!(spec.kind, FigureKind::Line | FigureKind::SmallMultiples);
    let mut legend: Vec<LegendItem> = Vec::new();
    if spec.kind != FigureKind::SmallMultiples {
        for (i, line) in frame.lines.iter().enumerate() {
            let swatch = match spec.kind {
                FigureKind::Line => Swatch::Line(colour(i)),
                _ => Swatch::Fill(colour(i).to_string(), 0.85),
            };
            legend.push(LegendItem {
                label: line.label.clone(),
                swatch,
            });
        }
    }
    if band {
        let label = if band_has_unknown_high(frame) {
            "Shaded: low–high fatality estimates (none where a record gives no high)"
        } else {
            "Shaded: low–high fatality estimates"
        };
        legend.push(LegendItem {
            label: label.to_string(),
            swatch: Swatch::Fill("#777777".to_string(), 0.25),
        });
    }
    if frame
        .coverage
        .iter()
        .any(|c| c.status == CoverageStatus::None)
    {
        legend.push(LegendItem {
            label: "No data: no selected source covers these dates".to_string(),
            swatch: Swatch::Fill(NO_DATA_FILL.to_string(), 0.7),
        });
    }
    if frame
        .coverage
        .iter()
        .any(|c| c.status == CoverageStatus::Partial)
    {
        legend.push(LegendItem {
            label: "Hatched: partly covered (values are lower bounds)".to_string(),
            swatch: Swatch::Fill(PARTIAL_FILL.to_string(), 0.5),
        });
    }
    let top = header(
        &mut svg,
        spec,
        &data.comparisons,
        &legend,
        data.provenance.coverage_note.as_deref(),
    ) + 8.0;
    let bottom = footer(&mut svg, spec, &data.provenance);

    if frame.starts.is_empty() {
        svg.text(
            w / 2.0,
            (top + bottom) / 2.0,
            Font::new(14.0).fill("#777").anchor(Anchor::Middle),
            "No data in range",
        );
        return Ok(svg.finish());
    }
    match spec.kind {
        FigureKind::SmallMultiples => {
            small_multiples(&mut svg, spec, frame, &data.breaks, top, bottom)
        }
        _ => single(&mut svg, spec, frame, &data.breaks, top, bottom),
    }
    Ok(svg.finish())
}

/// A plot rectangle with its scales.
struct Plot {
    x0: f64,
    x1: f64,
    y0: f64,
    y1: f64,
    d0: f64,
    d1: f64,
    ymax: f64,
}

impl Plot {
    fn fx(&self, d: NaiveDate) -> f64 {
        let span = (self.d1 - self.d0).max(1.0);
        self.x0 + (day_number(d) - self.d0) / span * (self.x1 - self.x0)
    }
    fn fy(&self, v: f64) -> f64 {
        self.y1 - (v / self.ymax).clamp(0.0, 1.05) * (self.y1 - self.y0)
    }
    fn contains_day(&self, d: NaiveDate) -> bool {
        let x = day_number(d);
        x >= self.d0 && x <= self.d1
    }
}

fn domain(kind: FigureKind, frame: &SeriesFrame) -> (f64, f64) {
    let first = frame.starts[0];
    let last = *frame.starts.last().expect("non-empty");
    if kind == FigureKind::Bars || frame.starts.len() == 1 {
        (
            day_number(first),
            day_number(bucket_end(frame.bucket, last)),
        )
    } else {
        (day_number(first), day_number(last))
    }
}

fn ymax(kind: FigureKind, frame: &SeriesFrame) -> f64 {
    match kind {
        FigureKind::StackedArea | FigureKind::Bars => (0..frame.starts.len())
            .map(|i| {
                frame
                    .lines
                    .iter()
                    .map(|l| l.values[i].unwrap_or(0.0).max(0.0))
                    .sum::<f64>()
            })
            .fold(0.0, f64::max),
        _ => frame
            .lines
            .iter()
            .flat_map(|l| {
                l.values
                    .iter()
                    .flatten()
                    .copied()
                    .chain(l.high.iter().flatten().flatten().copied())
            })
            .filter(|v| v.is_finite())
            .fold(0.0, f64::max),
    }
}

/// Axes, grid, ticks and titles; returns the plot with its top set to the last tick.
#[allow(clippy::too_many_arguments)]
fn axes(
    svg: &mut Svg,
    frame: &SeriesFrame,
    kind: FigureKind,
    rect: (f64, f64, f64, f64),
    ymax_data: f64,
    y_ticks_target: usize,
    tick_size: f64,
    clip_id: &str,
) -> Plot {
    let (x0, y0, x1, y1) = rect;
    let (ticks, step) = nice_ticks(ymax_data, y_ticks_target);
    let labels: Vec<String> = ticks.iter().map(|t| tick_label(*t, step)).collect();
    let label_w = labels
        .iter()
        .map(|l| text_width(l, tick_size))
        .fold(0.0, f64::max);
    let x0 = x0 + label_w + 8.0;
    let (d0, d1) = domain(kind, frame);
    let plot = Plot {
        x0,
        x1,
        y0,
        y1,
        d0,
        d1,
        ymax: *ticks.last().unwrap_or(&1.0),
    };

    svg.raw(&format!(
        "\n<defs><clipPath id=\"{clip_id}\"><rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\"/></clipPath></defs>",
        n(plot.x0),
        n(plot.y0 - 2.0),
        n(plot.x1 - plot.x0),
        n(plot.y1 - plot.y0 + 4.0)
    ));
    svg.raw("\n<g class=\"axes\">");
    for (t, label) in ticks.iter().zip(&labels) {
        let y = plot.fy(*t);
        svg.line(plot.x0, y, plot.x1, y, "#e3e3e3", 1.0, "");
        svg.text(
            plot.x0 - 6.0,
            y + tick_size * 0.35,
            Font::new(tick_size).fill("#444").anchor(Anchor::End),
            label,
        );
    }
    let max_ticks =
        ((plot.x1 - plot.x0) / (text_width("Sep 2020", tick_size) + 22.0)).floor() as usize;
    let first = frame.starts[0];
    let last_day = NaiveDate::from_num_days_from_ce_opt(plot.d1 as i32).unwrap_or(first);
    for (d, label) in date_ticks(first, last_day, max_ticks) {
        let x = plot.fx(d);
        svg.line(x, plot.y1, x, plot.y1 + 4.0, "#666", 1.0, "");
        svg.text(
            x,
            plot.y1 + 6.0 + tick_size,
            Font::new(tick_size).fill("#444").anchor(Anchor::Middle),
            &label,
        );
    }
    svg.line(plot.x0, plot.y1, plot.x1, plot.y1, "#666", 1.0, "");
    svg.line(plot.x0, plot.y0, plot.x0, plot.y1, "#666", 1.0, "");
    svg.raw("\n</g>");
    plot
}

fn single(
    svg: &mut Svg,
    spec: &FigureSpec,
    frame: &SeriesFrame,
    breaks: &[sitrep_model::figure::ChartBreak],
    top: f64,
    bottom: f64,
) {
    let w = spec.width as f64;
    let tick = 11.5;
    let ytitle = y_title(spec, frame);
    let rect = (PAD + 20.0, top, w - PAD - 10.0, bottom - 40.0);
    let target = (((rect.3 - rect.1) / 55.0).round() as usize).clamp(3, 8);
    let clip = format!("clip-{}", spec.id);
    let plot = axes(
        svg,
        frame,
        spec.kind,
        rect,
        ymax(spec.kind, frame),
        target,
        tick,
        &clip,
    );

    // Axis titles.
    let ym = (plot.y0 + plot.y1) / 2.0;
    let ytitle_size = if text_width(&ytitle, 12.0) > plot.y1 - plot.y0 {
        10.5
    } else {
        12.0
    };
    svg.text_attrs(
        PAD + 10.0,
        ym,
        Font::new(ytitle_size).fill("#333").anchor(Anchor::Middle),
        &ytitle,
        &format!(r#" transform="rotate(-90 {} {})""#, n(PAD + 10.0), n(ym)),
    );
    svg.text(
        (plot.x0 + plot.x1) / 2.0,
        plot.y1 + 34.0,
        Font::new(12.0).fill("#333").anchor(Anchor::Middle),
        x_title(frame.bucket),
    );

    draw_coverage(svg, frame, &plot, spec.kind == FigureKind::Bars, &clip);
    svg.raw(&format!("\n<g class=\"data\" clip-path=\"url(#{clip})\">"));
    match spec.kind {
        FigureKind::StackedArea => stacked_area(svg, frame, &plot),
        FigureKind::Bars => bars(svg, frame, &plot),
        _ => {
            for (i, line) in frame.lines.iter().enumerate() {
                draw_band(svg, frame, line, &plot, colour(i));
            }
            for (i, line) in frame.lines.iter().enumerate() {
                draw_line(svg, frame, &line.values, &line.label, &plot, colour(i));
            }
        }
    }
    svg.raw("\n</g>");
    vlines(svg, spec, &plot, true);
    change_points(svg, frame, breaks, &plot, None);
}

/// Dotted vertical lines at change points, in their line's colour, labelled with the
/// rate ratio (after / before); `only` keeps one line's (small multiples).
fn change_points(
    svg: &mut Svg,
    frame: &SeriesFrame,
    breaks: &[sitrep_model::figure::ChartBreak],
    plot: &Plot,
    only: Option<&str>,
) {
    for b in breaks.iter().filter(|b| only.is_none_or(|l| l == b.line)) {
        if !plot.contains_day(b.date) {
            continue;
        }
        let i = frame
            .lines
            .iter()
            .position(|l| l.label == b.line)
            .unwrap_or(0);
        let c = colour(i);
        let x = plot.fx(b.date);
        let label = match b.ratio {
            Some(r) => format!("×{r:.2}"),
            None => "from 0".to_string(),
        };
        svg.raw(&format!(
            "\n<line class=\"change-point\" x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\" stroke=\"{c}\" stroke-width=\"1.2\" stroke-dasharray=\"2 3\"><title>{}</title></line>",
            n(x),
            n(plot.y0),
            n(x),
            n(plot.y1),
            crate::svg::esc(&format!(
                "{}: change point at {} ({label} the rate before)",
                b.line,
                b.date.format("%-d %b %Y")
            ))
        ));
        svg.text(
            x + 3.0,
            plot.y1 - 4.0,
            Font::new(10.0).fill("#333").halo(),
            &label,
        );
    }
}

fn draw_band(
    svg: &mut Svg,
    frame: &SeriesFrame,
    line: &sitrep_model::figure::SeriesLine,
    plot: &Plot,
    c: &str,
) {
    let (Some(lo), Some(hi)) = (&line.low, &line.high) else {
        return;
    };
    if !band_differs(lo, hi) {
        return;
    }
    // Only where both ends are known: a bucket without a stated high is a gap in the
    // band, not an edge drawn to zero.
    let both =
        |i: usize| known(lo.get(i).copied().flatten()) && known(hi.get(i).copied().flatten());
    let title = format!("{}: low–high range", line.label);
    for run in runs(frame.starts.len(), both) {
        let x = |i: usize| plot.fx(frame.starts[i]);
        let top = run
            .clone()
            .map(|i| (x(i), plot.fy(hi[i].unwrap_or_default())));
        let bottom = run
            .clone()
            .rev()
            .map(|i| (x(i), plot.fy(lo[i].unwrap_or_default())));
        let pts: Vec<(f64, f64)> = top.chain(bottom).collect();
        // A lone bucket has no width to fill: its range is a stroke.
        let style = if run.len() == 1 {
            format!(
                r#" fill="none" stroke="{c}" stroke-opacity="0.35" stroke-width="4" class="band""#
            )
        } else {
            format!(r#" fill="{c}" fill-opacity="0.2" stroke="none" class="band""#)
        };
        svg.path(&polygon(&pts), &style, Some(&title));
    }
}

fn draw_line(
    svg: &mut Svg,
    frame: &SeriesFrame,
    values: &[Option<f64>],
    label: &str,
    plot: &Plot,
    c: &str,
) {
    let pts: Vec<(f64, f64)> = frame
        .starts
        .iter()
        .zip(values)
        .map(|(d, v)| (plot.fx(*d), plot.fy(v.unwrap_or_default())))
        .collect();
    // An unknown value (not covered, or an unknown high) is a gap in the line.
    let pieces = runs(pts.len(), |i| known(values[i]));
    for run in pieces {
        if run.len() == 1 {
            let (x, y) = pts[run.start];
            svg.raw(&format!(
                "\n<circle cx=\"{}\" cy=\"{}\" r=\"3\" fill=\"{c}\"><title>{}</title></circle>",
                n(x),
                n(y),
                crate::svg::esc(label)
            ));
            continue;
        }
        svg.path(
            &polyline(&pts[run]),
            &format!(
                r#" fill="none" stroke="{c}" stroke-width="2" stroke-linejoin="round" class="line""#
            ),
            Some(label),
        );
    }
}

fn stacked_area(svg: &mut Svg, frame: &SeriesFrame, plot: &Plot) {
    // Areas are drawn only over runs of buckets where every line has a value: a
    // bucket without coverage is a gap, not a fall to zero.
    let all_known = |i: usize| frame.lines.iter().all(|l| known(l.values[i]));
    let pieces = runs(frame.starts.len(), all_known);
    let mut base = vec![0.0; frame.starts.len()];
    for (i, line) in frame.lines.iter().enumerate() {
        let topv: Vec<f64> = base
            .iter()
            .zip(&line.values)
            .map(|(b, v)| b + v.unwrap_or(0.0).max(0.0))
            .collect();
        for run in &pieces {
            let mut pts: Vec<(f64, f64)> = run
                .clone()
                .map(|j| (plot.fx(frame.starts[j]), plot.fy(topv[j])))
                .collect();
            pts.extend(
                run.clone()
                    .rev()
                    .map(|j| (plot.fx(frame.starts[j]), plot.fy(base[j]))),
            );
            svg.path(
                &polygon(&pts),
                &format!(
                    r##" fill="{}" fill-opacity="0.85" stroke="#ffffff" stroke-width="0.5""##,
                    colour(i)
                ),
                Some(&line.label),
            );
        }
        base = topv;
    }
}

/// Fill of buckets no selected source covers, and of partly covered ones.
const NO_DATA_FILL: &str = "#cfcfcf";
const PARTIAL_FILL: &str = "#b0b0b0";

/// Shades the buckets no selected source covers ("no data") and hatches the partly
/// covered ones, behind the data.
fn draw_coverage(svg: &mut Svg, frame: &SeriesFrame, plot: &Plot, bars: bool, clip: &str) {
    let len = frame.starts.len();
    if frame.coverage.len() != len
        || frame
            .coverage
            .iter()
            .all(|c| c.status == CoverageStatus::Complete)
    {
        return;
    }
    // Where a run of buckets begins and ends on the x axis: bars fill their bucket;
    // lines put a value at its bucket's start, so a run reaches halfway to the
    // neighbouring values.
    let left = |i: usize| {
        if bars {
            plot.fx(frame.starts[i])
        } else if i == 0 {
            plot.x0
        } else {
            (plot.fx(frame.starts[i - 1]) + plot.fx(frame.starts[i])) / 2.0
        }
    };
    let right = |i: usize| {
        if bars {
            plot.fx(bucket_end(frame.bucket, frame.starts[i]))
        } else if i + 1 >= len {
            plot.x1
        } else {
            (plot.fx(frame.starts[i]) + plot.fx(frame.starts[i + 1])) / 2.0
        }
    };
    let hatch = format!("hatch-{clip}");
    svg.raw(&format!(
        "\n<defs><pattern id=\"{hatch}\" width=\"6\" height=\"6\" patternUnits=\"userSpaceOnUse\" patternTransform=\"rotate(45)\"><line x1=\"0\" y1=\"0\" x2=\"0\" y2=\"6\" stroke=\"{PARTIAL_FILL}\" stroke-width=\"2\"/></pattern></defs>"
    ));
    svg.raw(&format!(
        "\n<g class=\"coverage\" clip-path=\"url(#{clip})\">"
    ));
    let day = |i: usize| frame.starts[i].format("%-d %b %Y").to_string();
    let last_day = |i: usize| {
        bucket_end(frame.bucket, frame.starts[i])
            .format("%-d %b %Y")
            .to_string()
    };
    for run in runs(len, |i| frame.coverage[i].status == CoverageStatus::None) {
        let (xa, xb) = (
            left(run.start).max(plot.x0),
            right(run.end - 1).min(plot.x1),
        );
        let title = format!(
            "No data: no selected source covers {} – {}",
            day(run.start),
            last_day(run.end - 1)
        );
        band(svg, plot, (xa, xb), "no-data", NO_DATA_FILL, "0.7", &title);
        if xb - xa > 60.0 {
            svg.text(
                (xa + xb) / 2.0,
                (plot.y0 + plot.y1) / 2.0,
                Font::new(12.0).fill("#555").anchor(Anchor::Middle),
                "no data",
            );
        }
    }
    for run in runs(len, |i| frame.coverage[i].status == CoverageStatus::Partial) {
        let (xa, xb) = (
            left(run.start).max(plot.x0),
            right(run.end - 1).min(plot.x1),
        );
        let shares: Vec<f64> = frame.coverage[run.clone()]
            .iter()
            .filter_map(|c| c.share)
            .collect();
        let share = if shares.len() == run.len() && !shares.is_empty() {
            format!(
                ", about {:.0}% of events recorded",
                100.0 * shares.iter().sum::<f64>() / shares.len() as f64
            )
        } else {
            ", share of events recorded unknown".to_string()
        };
        let title = format!(
            "Partly covered {} – {}{share}: values are lower bounds",
            day(run.start),
            last_day(run.end - 1)
        );
        let fill = format!("url(#{hatch})");
        band(
            svg,
            plot,
            (xa, xb),
            "partial-coverage",
            &fill,
            "0.6",
            &title,
        );
    }
    svg.raw("\n</g>");
}

/// A full-height band from `xa` to `xb` with hover text.
fn band(
    svg: &mut Svg,
    plot: &Plot,
    (xa, xb): (f64, f64),
    class: &str,
    fill: &str,
    opacity: &str,
    title: &str,
) {
    svg.raw(&format!(
        "\n<rect class=\"{class}\" x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"{fill}\" fill-opacity=\"{opacity}\"><title>{}</title></rect>",
        n(xa),
        n(plot.y0),
        n((xb - xa).max(0.5)),
        n(plot.y1 - plot.y0),
        crate::svg::esc(title)
    ));
}

fn bars(svg: &mut Svg, frame: &SeriesFrame, plot: &Plot) {
    for (j, start) in frame.starts.iter().enumerate() {
        let xa = plot.fx(*start);
        let xb = plot.fx(bucket_end(frame.bucket, *start));
        let gap = ((xb - xa) * 0.15).min(6.0);
        let mut base = 0.0;
        for (i, line) in frame.lines.iter().enumerate() {
            let v = line.values[j].unwrap_or(0.0).max(0.0);
            if v <= 0.0 {
                continue;
            }
            let (ya, yb) = (plot.fy(base + v), plot.fy(base));
            let title = format!("{} {}: {}", line.label, start, fmt_value(v));
            svg.raw(&format!(
                "\n<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"{}\"><title>{}</title></rect>",
                n(xa + gap / 2.0),
                n(ya),
                n((xb - xa - gap).max(0.5)),
                n((yb - ya).max(0.0)),
                colour(i),
                crate::svg::esc(&title)
            ));
            base += v;
        }
    }
}

/// A value for hover text: integers plainly, others with two decimals.
pub fn fmt_value(v: f64) -> String {
    if v.fract() == 0.0 {
        format!("{}", v as i64)
    } else {
        format!("{v:.2}")
    }
}

fn vlines(svg: &mut Svg, spec: &FigureSpec, plot: &Plot, with_labels: bool) {
    for a in &spec.annotations {
        if let Annotation::Vline { date, label } = a {
            if !plot.contains_day(*date) {
                continue;
            }
            let x = plot.fx(*date);
            svg.line(
                x,
                plot.y0,
                x,
                plot.y1,
                "#333",
                1.2,
                r#" stroke-dasharray="5 4" class="vline""#,
            );
            if with_labels {
                let size = 11.5;
                let tw = text_width(label, size);
                let (tx, anchor) = if x + 5.0 + tw > plot.x1 {
                    (x - 5.0, Anchor::End)
                } else {
                    (x + 5.0, Anchor::Start)
                };
                let y = plot.y0 + 12.0;
                svg.text(
                    tx,
                    y,
                    Font::new(size).bold().fill("#222").anchor(anchor).halo(),
                    label,
                );
                svg.text(
                    tx,
                    y + 14.0,
                    Font::new(10.5).fill("#444").anchor(anchor).halo(),
                    &date.format("%-d %b %Y").to_string(),
                );
            }
        }
    }
}

fn small_multiples(
    svg: &mut Svg,
    spec: &FigureSpec,
    frame: &SeriesFrame,
    breaks: &[sitrep_model::figure::ChartBreak],
    top: f64,
    bottom: f64,
) {
    let w = spec.width as f64;
    let k = frame.lines.len().max(1);
    let cols = match k {
        1..=3 => k,
        4 => 2,
        _ => 3,
    };
    let rows = k.div_ceil(cols);
    let (gx0, gx1) = (PAD + 20.0, w - PAD);
    let (gy0, gy1) = (top, bottom - 20.0);
    let cw = (gx1 - gx0) / cols as f64;
    let ch = (gy1 - gy0) / rows as f64;
    let ymax_all = ymax(FigureKind::Line, frame);
    let ytitle = y_title(spec, frame);
    let ym = (gy0 + gy1) / 2.0;
    svg.text_attrs(
        PAD + 8.0,
        ym,
        Font::new(11.5).fill("#333").anchor(Anchor::Middle),
        &ytitle,
        &format!(r#" transform="rotate(-90 {} {})""#, n(PAD + 8.0), n(ym)),
    );
    svg.text(
        (gx0 + gx1) / 2.0,
        bottom - 4.0,
        Font::new(12.0).fill("#333").anchor(Anchor::Middle),
        x_title(frame.bucket),
    );
    for (i, line) in frame.lines.iter().enumerate() {
        let (r, c) = (i / cols, i % cols);
        let (cx0, cy0) = (gx0 + c as f64 * cw, gy0 + r as f64 * ch);
        svg.text(
            cx0 + 4.0,
            cy0 + 13.0,
            Font::new(13.0).bold().fill(colour(i)),
            &line.label,
        );
        let rect = (cx0, cy0 + 22.0, cx0 + cw - 14.0, cy0 + ch - 22.0);
        let target = (((rect.3 - rect.1) / 40.0).round() as usize).clamp(2, 5);
        let clip = format!("clip-{}-{i}", spec.id);
        // Every panel shares the y scale so panels compare at a glance.
        let plot = axes(
            svg,
            frame,
            FigureKind::Line,
            rect,
            ymax_all,
            target,
            10.0,
            &clip,
        );
        draw_coverage(svg, frame, &plot, false, &clip);
        svg.raw(&format!("\n<g class=\"data\" clip-path=\"url(#{clip})\">"));
        draw_band(svg, frame, line, &plot, colour(i));
        draw_line(svg, frame, &line.values, &line.label, &plot, colour(i));
        svg.raw("\n</g>");
        vlines(svg, spec, &plot, i == 0);
        change_points(svg, frame, breaks, &plot, Some(&line.label));
    }
}
