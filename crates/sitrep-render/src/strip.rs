//! The coverage strip: one row per source along a time axis, complete spans solid,
//! partial ones hatched, the rest empty — what each source covers, at a glance.

use crate::svg::{esc, n, text_width, Anchor, Font, Svg};
use chrono::{Datelike, NaiveDate};
use sitrep_model::coverage::{Coverage, CoverageStatus};

/// One row of the strip.
pub struct StripRow<'a> {
    /// Source name.
    pub source: &'a str,
    /// Its coverage.
    pub coverage: &'a Coverage,
}

/// Draws the strip over `from..=to` (`width` px wide) as an SVG with id `id`.
pub fn coverage_strip(
    id: &str,
    rows: &[StripRow<'_>],
    from: NaiveDate,
    to: NaiveDate,
    width: f64,
) -> String {
    let row_h = 18.0;
    let label_w = rows
        .iter()
        .map(|r| text_width(r.source, 12.0))
        .fold(0.0, f64::max)
        + 12.0;
    let (x0, x1) = (label_w, width - 8.0);
    let height = 24.0 + row_h * rows.len() as f64 + 22.0;
    let span = ((to - from).num_days().max(1)) as f64;
    let fx = |d: NaiveDate| x0 + ((d - from).num_days() as f64 / span).clamp(0.0, 1.0) * (x1 - x0);
    let mut svg = Svg::new(
        id,
        width,
        height,
        "Coverage by source",
        "What each source covers: solid complete, hatched partial, empty not covered",
    );
    let hatch = format!("{id}-hatch");
    svg.raw(&format!(
        "\n<defs><pattern id=\"{hatch}\" width=\"5\" height=\"5\" patternUnits=\"userSpaceOnUse\" patternTransform=\"rotate(45)\"><line x1=\"0\" y1=\"0\" x2=\"0\" y2=\"5\" stroke=\"#2b6cb0\" stroke-width=\"2\"/></pattern></defs>"
    ));
    for (i, r) in rows.iter().enumerate() {
        let y = 8.0 + row_h * i as f64;
        svg.text(
            x0 - 8.0,
            y + 12.0,
            Font::new(12.0).fill("#333").anchor(Anchor::End),
            r.source,
        );
        svg.rect(x0, y + 2.0, x1 - x0, row_h - 5.0, "#f3f3f3", "");
        for s in &r.coverage.spans {
            if s.status == CoverageStatus::None || s.to < from || s.from > to {
                continue;
            }
            let (xa, xb) = (fx(s.from.max(from)), fx(s.to.min(to)));
            let (fill, class) = match s.status {
                CoverageStatus::Complete => ("#2b6cb0".to_string(), "complete"),
                _ => (format!("url(#{hatch})"), "partial"),
            };
            let mut title = format!("{}: {} {} – {}", r.source, s.status, s.from, s.to);
            if let Some(sc) = &s.scope {
                title.push_str(&format!(" (only: {sc})"));
            }
            if let Some(note) = &s.note {
                title.push_str(&format!("; {note}"));
            }
            svg.raw(&format!(
                "\n<rect class=\"{class}\" x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"{fill}\"><title>{}</title></rect>",
                n(xa),
                n(y + 2.0),
                n((xb - xa).max(1.0)),
                n(row_h - 5.0),
                esc(&title)
            ));
        }
    }
    // Year ticks, at most about ten.
    let y_axis = 8.0 + row_h * rows.len() as f64 + 4.0;
    let years = (to.year() - from.year()).max(1);
    let step = [1, 2, 5, 10, 20]
        .into_iter()
        .find(|s| years / s <= 10)
        .unwrap_or(50);
    let mut year = from.year() + (step - from.year().rem_euclid(step)) % step;
    while year <= to.year() {
        if let Some(d) = NaiveDate::from_ymd_opt(year, 1, 1) {
            let x = fx(d);
            svg.line(x, y_axis - 2.0, x, y_axis + 3.0, "#666", 1.0, "");
            svg.text(
                x,
                y_axis + 15.0,
                Font::new(11.0).fill("#444").anchor(Anchor::Middle),
                &year.to_string(),
            );
        }
        year += step;
    }
    svg.finish()
}

#[cfg(test)]
mod tests {
    use super::*;
    use sitrep_model::coverage::{CoverageOrigin, CoverageSpan};

    #[test]
    fn complete_solid_partial_hatched_with_titles() {
        let d = |s: &str| s.parse::<NaiveDate>().unwrap();
        let span = |a: &str, b: &str, status| CoverageSpan {
            from: d(a),
            to: d(b),
            countries: vec![],
            status,
            share: None,
            note: None,
            citation: None,
            scope: None,
        };
        let c = Coverage {
            origin: CoverageOrigin::File,
            spans: vec![
                span("2020-01-01", "2020-12-31", CoverageStatus::Complete),
                span("2021-01-04", "2021-01-10", CoverageStatus::Partial),
            ],
        };
        let svg = coverage_strip(
            "s",
            &[StripRow {
                source: "ucdp-ged231",
                coverage: &c,
            }],
            d("2018-01-01"),
            d("2022-12-31"),
            600.0,
        );
        assert_eq!(svg.matches("class=\"complete\"").count(), 1);
        assert_eq!(svg.matches("class=\"partial\"").count(), 1);
        assert!(svg.contains("ucdp-ged231: complete 2020-01-01 – 2020-12-31"));
        for y in ["2018", "2019", "2020", "2021", "2022"] {
            assert!(svg.contains(&format!(">{y}<")), "{y}");
        }
        roxmltree::Document::parse(&svg).unwrap();
    }
}
