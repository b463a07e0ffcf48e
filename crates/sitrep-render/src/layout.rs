//! The parts every figure shares: title block, legend, comparison notes and the
//! provenance footer. Legends sit in the header, outside the plot, so they never cover
//! data.

use crate::svg::{n, text_width, wrap, Anchor, Font, Svg, BOLD};
use sitrep_model::figure::{Comparison, FigureProvenance, FigureSpec};
use std::fmt::Write;

/// Outer padding in px.
pub const PAD: f64 = 16.0;

/// Colours for categories (Tableau 10, distinguishable and print-safe).
pub const PALETTE: [&str; 10] = [
    "#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f",
    "#bcbd22", "#17becf",
];

/// Colour of the `i`th line or group.
pub fn colour(i: usize) -> &'static str {
    PALETTE[i % PALETTE.len()]
}

/// How a legend entry is drawn.
pub enum Swatch {
    /// A line of this colour.
    Line(&'static str),
    /// A filled box with this colour and opacity.
    Fill(String, f64),
    /// A circle of this radius.
    Circle(f64),
}

/// One legend entry.
pub struct LegendItem {
    pub label: String,
    pub swatch: Swatch,
}

/// Draws title, subtitle, comparison notes and a flowing legend; returns the y below.
pub fn header(
    svg: &mut Svg,
    spec: &FigureSpec,
    comparisons: &[Comparison],
    legend: &[LegendItem],
    coverage_note: Option<&str>,
) -> f64 {
    let w = spec.width as f64 - 2.0 * PAD;
    let mut y = PAD;
    for line in wrap(&spec.title, 18.0 * BOLD, w).iter().take(2) {
        y += 20.0;
        svg.text(PAD, y, Font::new(18.0).bold().fill("#111"), line);
    }
    if let Some(sub) = &spec.subtitle {
        for line in wrap(sub, 13.0, w).iter().take(3) {
            y += 17.0;
            svg.text(PAD, y, Font::new(13.0).fill("#555"), line);
        }
    }
    // A period the sources do not fully cover is said under the title, where a
    // reader looks first.
    if let Some(note) = coverage_note {
        svg.raw("\n<g class=\"coverage-note\">");
        for line in wrap(note, 12.5, w).iter().take(2) {
            y += 16.0;
            svg.text(PAD, y, Font::new(12.5).fill("#8a4b00"), line);
        }
        svg.raw("\n</g>");
    }
    if !comparisons.is_empty() {
        y += 4.0;
    }
    for c in comparisons {
        let text = format!("{}: {}", c.label, c.describe());
        for line in wrap(&text, 12.5 * BOLD, w) {
            y += 16.0;
            svg.text(PAD, y, Font::new(12.5).bold().fill("#7a1f1f"), &line);
        }
    }
    if !legend.is_empty() {
        y += 10.0;
        y = draw_legend(svg, legend, PAD, y, w);
    }
    y
}

/// A legend flowing left to right in rows; returns the y below it.
pub fn draw_legend(svg: &mut Svg, items: &[LegendItem], x0: f64, y0: f64, width: f64) -> f64 {
    let size = 12.0;
    let row_h = 18.0;
    let mut x = x0;
    let mut y = y0 + 12.0;
    for item in items {
        let item_w = 22.0 + text_width(&item.label, size) + 18.0;
        if x > x0 && x + item_w > x0 + width {
            x = x0;
            y += row_h;
        }
        swatch(svg, &item.swatch, x, y - 4.0);
        svg.text(x + 22.0, y, Font::new(size).fill("#222"), &item.label);
        x += item_w;
    }
    y + 6.0
}

/// Draws a swatch whose vertical centre is `cy`, 16 px wide from `x`.
pub fn swatch(svg: &mut Svg, s: &Swatch, x: f64, cy: f64) {
    match s {
        Swatch::Line(c) => svg.line(x, cy, x + 16.0, cy, c, 2.5, ""),
        Swatch::Fill(c, op) => {
            let extra = if *op < 1.0 {
                format!(r#" fill-opacity="{op}""#)
            } else {
                String::new()
            };
            svg.rect(
                x,
                cy - 5.0,
                16.0,
                10.0,
                c,
                &format!(r##"{extra} stroke="#999" stroke-width="0.5""##),
            );
        }
        Swatch::Circle(r) => {
            let _ = write!(
                svg.out,
                "\n<circle cx=\"{}\" cy=\"{}\" r=\"{}\" fill=\"#b2182b\" fill-opacity=\"0.55\" stroke=\"#67001f\" stroke-width=\"0.6\"/>",
                n(x + 8.0),
                n(cy),
                n(*r)
            );
        }
    }
}

/// The provenance footer's lines (sources, filters, counts, data date).
pub fn footer_lines(prov: &FigureProvenance, width: f64, size: f64) -> Vec<String> {
    let sources = if prov.sources.is_empty() {
        "Sources: not recorded".to_string()
    } else {
        let parts: Vec<String> = prov
            .sources
            .iter()
            .map(|s| {
                let mut p = s.name.clone();
                if let Some(v) = &s.version {
                    let _ = write!(p, " {v}");
                }
                if !s.citation.is_empty() && s.citation != s.name {
                    let _ = write!(p, " ({})", s.citation);
                }
                if let Some(t) = s.ingested_at {
                    let _ = write!(p, ", ingested {}", t.format("%Y-%m-%d"));
                }
                p
            })
            .collect();
        format!("Sources: {}", parts.join("; "))
    };
    let mut counts = format!("{} records counted", thousands(prov.record_count));
    if !prov.excluded.is_empty() {
        let ex: Vec<String> = prov
            .excluded
            .iter()
            .map(|(why, k)| format!("{why} {}", thousands(*k)))
            .collect();
        let _ = write!(counts, "; excluded: {}", ex.join(", "));
    }
    let filters = if prov.filters.is_empty() {
        "none".to_string()
    } else {
        prov.filters.clone()
    };
    let mut second = format!("Filters: {filters}. {counts}.");
    if let Some(d) = prov.data_date {
        let _ = write!(second, " Data to {d}.");
    }
    if let Some(note) = &prov.coverage_note {
        let _ = write!(second, " Coverage: {note}");
    }
    if let Some(g) = prov.generated_at {
        let _ = write!(second, " Generated {}.", g.format("%Y-%m-%d"));
    }
    let mut lines = wrap(&sources, size, width);
    lines.extend(wrap(&second, size, width));
    lines
}

/// Draws the footer at the bottom; returns the y of its top edge.
pub fn footer(svg: &mut Svg, spec: &FigureSpec, prov: &FigureProvenance) -> f64 {
    let size = 10.0;
    let w = spec.width as f64 - 2.0 * PAD;
    let lines = footer_lines(prov, w, size);
    let line_h = 13.0;
    let top = spec.height as f64 - PAD + 2.0 - line_h * lines.len() as f64;
    svg.raw("\n<g class=\"provenance\">");
    svg.line(
        PAD,
        top - 4.0,
        spec.width as f64 - PAD,
        top - 4.0,
        "#cccccc",
        0.8,
        "",
    );
    for (i, line) in lines.iter().enumerate() {
        svg.text(
            PAD,
            top + 10.0 + line_h * i as f64,
            Font::new(size).fill("#555").anchor(Anchor::Start),
            line,
        );
    }
    svg.raw("\n</g>");
    top - 8.0
}

/// `12345` as `12,345`.
pub fn thousands(v: u64) -> String {
    let s = v.to_string();
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    #[test]
    fn groups_thousands() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1000), "1,000");
        assert_eq!(thousands(1234567), "1,234,567");
    }
}
