use crate::common::*;
use sitrep_model::figure::*;
use sitrep_render::{axis_titles, display_label, render_svg, RenderError};

fn spec(kind: &str, extra: &str) -> FigureSpec {
    FigureSpec::from_toml_str(&format!(
        "id = \"t-{kind}\"\ntitle = \"Synthetic {kind} chart\"\nsubtitle = \"Test data\"\nkind = \"{kind}\"\n{extra}\n[filters]\nfrom = 2020-09-01\nto = 2022-07-31\n"
    ))
    .unwrap()
}

const THREE_LINES: &str = "[[lines]]\nlabel = \"NRF\"\nfilters = { actors = [\"nrf\"] }\n[[lines]]\nlabel = \"IS-KP\"\nfilters = { actors = [\"is-kp\"] }\n[[lines]]\nlabel = \"Unattributed\"\nfilters = { attribution = [\"unattributed\"] }\n[[annotations]]\nkind = \"vline\"\ndate = 2021-08-15\nlabel = \"Taliban takeover\"\n";

#[test]
fn every_chart_kind_draws_title_axes_legend_and_marker() {
    let geo = provinces();
    for kind in ["line", "stacked_area", "bars", "small_multiples"] {
        let s = spec(kind, THREE_LINES);
        let data = data_for(&s, &geo);
        let svg = render_svg(&s, &data, None).unwrap();
        keep(&format!("chart-{kind}.svg"), &svg);
        let texts = svg_texts(&svg);
        assert_text(&texts, "Synthetic");
        assert_text(&texts, "Test data");
        let (x, y) = axis_titles(&s, &data).unwrap();
        assert_eq!(y, "Incidents per week");
        assert_text(&texts, &x);
        assert_text(&texts, &y);
        for label in ["NRF", "IS-KP", "Unattributed"] {
            assert_text(&texts, label);
        }
        assert_text(&texts, "Taliban takeover");
        assert!(svg.contains("class=\"vline\""), "{kind}: marker drawn");
        // Provenance footer.
        assert_text(&texts, "Sundberg, Ralph and Erik Melander (2013)");
        assert_text(&texts, "4,321 records counted");
        assert_text(&texts, "imprecise location (geo precision > 3) 57");
        assert_text(&texts, "Data to 2022-07-31");
        // Date ticks on x.
        assert!(
            texts.iter().any(|t| t.ends_with("2021")),
            "{kind}: year labels on x: {texts:?}"
        );
    }
}

#[test]
fn bars_are_stacked_per_bucket() {
    let s = spec(
        "bars",
        "[series]\nbucket = \"month\"\nby = \"event_type\"\n",
    );
    let data = data_for(&s, &provinces());
    let svg = render_svg(&s, &data, None).unwrap();
    let frame = data.series.as_ref().unwrap();
    let nonzero = frame
        .lines
        .iter()
        .flat_map(|l| l.values.iter().flatten())
        .filter(|v| **v > 0.0)
        .count();
    let doc = roxmltree::Document::parse(&svg).unwrap();
    let bars = doc
        .descendants()
        .filter(|n| n.has_tag_name("rect") && n.children().any(|c| c.has_tag_name("title")))
        .count();
    assert_eq!(bars, nonzero, "one rect per non-zero value");
    assert!(axis_titles(&s, &data)
        .unwrap()
        .1
        .starts_with("Incidents per month"));
}

#[test]
fn comparison_sentence_is_drawn() {
    let (_, text) = bundled_specs().into_iter().next().unwrap();
    let s = FigureSpec::from_toml_str(&text).unwrap();
    let data = data_for(&s, &provinces());
    let svg = render_svg(&s, &data, None).unwrap();
    let texts = svg_texts(&svg);
    assert_text(
        &texts,
        "Weekly rate 15 Aug 2021–15 Jun 2022 vs a year earlier: 0.21× (95% CI 0.19–0.23)",
    );
}

#[test]
fn fatality_ranges_are_bands_only_where_low_differs_from_high() {
    let s = spec("line", "[series]\nmeasure = \"fatalities_best\"\n");
    let mut data = data_for(&s, &provinces());
    let frame = data.series.as_mut().unwrap();
    let line = &mut frame.lines[0];
    line.low = Some(line.values.iter().map(|v| v.map(|v| v * 0.5)).collect());
    line.high = Some(line.values.iter().map(|v| v.map(|v| v * 2.0)).collect());
    let svg = render_svg(&s, &data, None).unwrap();
    keep("chart-band.svg", &svg);
    assert_eq!(svg.matches("class=\"band\"").count(), 1);
    assert_text(&svg_texts(&svg), "low–high fatality estimates");
    assert_text(&svg_texts(&svg), "Fatalities (best estimate) per week");

    let line = &mut data.series.as_mut().unwrap().lines[0];
    line.low = Some(line.values.clone());
    line.high = Some(line.values.clone());
    let svg = render_svg(&s, &data, None).unwrap();
    assert_eq!(svg.matches("class=\"band\"").count(), 0);
}

#[test]
fn smoothing_is_named_on_the_axis() {
    let (_, text) = bundled_specs()
        .into_iter()
        .find(|(n, _)| n == "fig7")
        .unwrap();
    let s = FigureSpec::from_toml_str(&text).unwrap();
    let data = data_for(&s, &provinces());
    let svg = render_svg(&s, &data, None).unwrap();
    let texts = svg_texts(&svg);
    assert_text(&texts, "Incidents per week, 8-week trailing average");
    for band in ["0–5 km", "5–25 km", "25–50 km", "50–100 km", "100+ km"] {
        assert_text(&texts, band);
    }
}

#[test]
fn text_is_escaped() {
    let mut s = spec("line", "");
    s.title = "Attacks <script>alert(1)</script> & \"claims\"".into();
    let mut data = data_for(&s, &provinces());
    data.series.as_mut().unwrap().lines[0].label = "A&B <x>".into();
    let svg = render_svg(&s, &data, None).unwrap();
    let texts = svg_texts(&svg);
    assert_text(&texts, "Attacks <script>alert(1)</script> & \"claims\"");
    assert_text(&texts, "A&B <x>");
    assert!(!svg.contains("<script>"));
}

#[test]
fn mismatched_data_is_an_error_not_a_panic() {
    let s = spec("line", "");
    let mut data = data_for(&s, &provinces());
    data.series.as_mut().unwrap().lines[0].values.pop();
    let e = render_svg(&s, &data, None).unwrap_err();
    assert!(
        matches!(e, RenderError::Shape { what: "values", .. }),
        "{e}"
    );
    let e = render_svg(&s, &FigureData::default(), None).unwrap_err();
    assert!(
        matches!(
            e,
            RenderError::MissingData {
                needed: "series",
                ..
            }
        ),
        "{e}"
    );
    // An empty range still draws a valid figure.
    let empty = FigureData {
        series: Some(SeriesFrame {
            bucket: Bucket::Week,
            measure: Measure::Incidents,
            starts: vec![],
            lines: vec![],
            coverage: vec![],
        }),
        ..FigureData::default()
    };
    assert_text(
        &svg_texts(&render_svg(&s, &empty, None).unwrap()),
        "No data in range",
    );
}

#[test]
fn every_bundled_spec_renders() {
    let geo = provinces();
    for (name, text) in bundled_specs() {
        let s = FigureSpec::from_toml_str(&text).unwrap();
        let data = data_for(&s, &geo);
        let svg = render_svg(&s, &data, Some(&geo)).unwrap_or_else(|e| panic!("{name}: {e}"));
        keep(&format!("{name}.svg"), &svg);
        let texts = svg_texts(&svg);
        let first_words: String = s
            .title
            .split_whitespace()
            .take(4)
            .collect::<Vec<_>>()
            .join(" ");
        assert_text(&texts, &first_words);
        if let Some(frame) = &data.series {
            for l in &frame.lines {
                assert_text(&texts, &display_label(&s, &l.label));
            }
        }
    }
}

/// Synthetic frame (labelled so): the last `n` buckets not covered, the `p` before
/// them partly covered.
fn with_coverage_gap(data: &mut FigureData, p: usize, n: usize) {
    let frame = data.series.as_mut().unwrap();
    let len = frame.starts.len();
    for i in len - n - p..len {
        let none = i >= len - n;
        frame.coverage[i] = sitrep_model::BucketCoverage {
            status: if none {
                sitrep_model::CoverageStatus::None
            } else {
                sitrep_model::CoverageStatus::Partial
            },
            share: Some(if none { 0.0 } else { 0.25 }),
            days: 7,
            complete_days: 0,
            partial_days: if none { 0 } else { 7 },
        };
        if none {
            for l in &mut frame.lines {
                l.values[i] = None;
                l.raw_values[i] = None;
            }
        }
    }
}

#[test]
fn uncovered_buckets_are_a_shaded_gap_with_a_legend_never_a_fall_to_zero() {
    let geo = provinces();
    for kind in ["line", "stacked_area", "bars", "small_multiples"] {
        let s = spec(kind, THREE_LINES);
        let mut data = data_for(&s, &geo);
        with_coverage_gap(&mut data, 4, 30);
        let svg = render_svg(&s, &data, None).unwrap();
        keep(&format!("chart-{kind}-gap.svg"), &svg);
        let doc = roxmltree::Document::parse(&svg).unwrap();
        let no_data: Vec<_> = doc
            .descendants()
            .filter(|n| n.attribute("class") == Some("no-data"))
            .collect();
        // One band per panel (small multiples draw three panels).
        let panels = if kind == "small_multiples" { 3 } else { 1 };
        assert_eq!(no_data.len(), panels, "{kind}");
        let title = no_data[0]
            .children()
            .find(|c| c.has_tag_name("title"))
            .and_then(|t| t.text())
            .unwrap();
        let frame = data.series.as_ref().unwrap();
        let first_gap = frame.starts[frame.starts.len() - 30];
        assert!(
            title.starts_with(&format!(
                "No data: no selected source covers {}",
                first_gap.format("%-d %b %Y")
            )),
            "{kind}: {title}"
        );
        assert_eq!(
            doc.descendants()
                .filter(|n| n.attribute("class") == Some("partial-coverage"))
                .count(),
            panels,
            "{kind}"
        );
        let texts = svg_texts(&svg);
        assert_text(&texts, "No data: no selected source covers these dates");
        assert_text(&texts, "Hatched: partly covered (values are lower bounds)");
        assert!(!svg.contains("NaN"), "{kind}");
        // No drawn point of a line sits in the gap: every line path ends before it.
        if kind == "line" {
            let gap_x: f64 = no_data[0].attribute("x").unwrap().parse().unwrap();
            for n in doc
                .descendants()
                .filter(|n| n.attribute("class") == Some("line"))
            {
                let d = n.attribute("d").unwrap();
                for xy in d.split(['M', 'L']).filter(|s| !s.trim().is_empty()) {
                    let x: f64 = xy.trim().split([',', ' ']).next().unwrap().parse().unwrap();
                    assert!(
                        x <= gap_x + 1e-6,
                        "line point at {x} inside the gap at {gap_x}"
                    );
                }
            }
        }
    }
}

#[test]
fn coverage_note_is_under_the_title_and_in_the_footer() {
    let s = spec("line", "");
    let mut data = data_for(&s, &provinces());
    data.provenance.coverage_note =
        Some("Sources cover 40% of this period; no data after 31 Dec 2020.".into());
    let svg = render_svg(&s, &data, None).unwrap();
    let texts = svg_texts(&svg);
    assert_text(
        &texts,
        "Sources cover 40% of this period; no data after 31 Dec 2020.",
    );
    assert_text(&texts, "Coverage: Sources cover 40% of this period");
    assert!(svg.contains("class=\"coverage-note\""));
}
