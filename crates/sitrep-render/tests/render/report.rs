use crate::common::*;
use sitrep_model::figure::*;
use sitrep_render::{render_report, render_svg, Methods};

fn figures() -> Vec<(FigureSpec, FigureData, String)> {
    let geo = provinces();
    bundled_specs()
        .into_iter()
        .map(|(_, text)| {
            let s = FigureSpec::from_toml_str(&text).unwrap();
            let data = data_for(&s, &geo);
            let svg = render_svg(&s, &data, Some(&geo)).unwrap();
            (s, data, svg)
        })
        .collect()
}

const REPORT: &str = r#"
title = "Afghanistan: security after the Taliban takeover"
author = "Synthetic test <unit>"
date = 2022-08-01

[[sections]]
heading = "Violence fell, then rose"
prose = """
The rate fell **fivefold** & more <b>really</b>.

- one point
- another point
"""
figures = ["fig1", "fig3"]
tables = ["fig3"]

[[sections]]
heading = "Where"
prose = "Maps follow."
figures = ["fig2", "fig4"]
"#;

#[test]
fn report_is_self_contained_and_embeds_every_figure() {
    let report = ReportSpec::from_toml_str(REPORT).unwrap();
    let figs = figures();
    let methods = Methods {
        notes: vec!["Counts are *synthetic* in this test.".into()],
        ..Methods::default()
    };
    let html = render_report(&report, &figs, &methods);
    keep("report.html", &html);

    // Well-formed: the report is also valid XML (XHTML-style void elements).
    let opts = roxmltree::ParsingOptions {
        allow_dtd: true,
        ..Default::default()
    };
    let doc = roxmltree::Document::parse_with_options(&html, opts)
        .unwrap_or_else(|e| panic!("report is not well-formed: {e}"));
    // No external requests: no src at all, href only to in-page anchors, no @import/url().
    for n in doc.descendants().filter(|n| n.is_element()) {
        assert!(
            n.attribute("src").is_none(),
            "src on <{}>",
            n.tag_name().name()
        );
        if let Some(h) = n.attribute("href") {
            assert!(h.starts_with('#'), "external href {h}");
        }
        for a in n.attributes() {
            assert!(
                !a.value().starts_with("http://") && !a.value().starts_with("https://")
                    || a.name() == "xmlns",
                "{}={}",
                a.name(),
                a.value()
            );
        }
    }
    assert!(!html.contains("@import") && !html.contains("url(http"));
    assert!(!html.contains("<script"));

    // Element ids are unique across the inlined SVGs (clip paths, titles).
    let mut ids: Vec<&str> = doc
        .descendants()
        .filter_map(|n| n.attribute("id"))
        .collect();
    let count = ids.len();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), count, "duplicate ids");
    assert!(
        html.contains("July 2022. The rate of violent incidents"),
        "caption follows the title"
    );
    // All seven SVGs inline, numbered; unplaced figures follow in a last section.
    let svgs = doc.descendants().filter(|n| n.has_tag_name("svg")).count();
    assert_eq!(svgs, 7);
    for k in 1..=7 {
        assert!(
            html.contains(&format!("<strong>Figure {k}.</strong>")),
            "figure {k}"
        );
    }
    assert!(html.contains("<h2>Figures</h2>"));
    // Prose is escaped and formatted.
    assert!(html.contains("<strong>fivefold</strong> &amp; more &lt;b&gt;really&lt;/b&gt;."));
    assert!(html.contains("<li>one point</li>"));
    assert!(html.contains("Synthetic test &lt;unit&gt; · 1 August 2022"));
    // Data tables: collapsible, fig3's open.
    assert_eq!(
        doc.descendants()
            .filter(|n| n.has_tag_name("details"))
            .count(),
        7
    );
    assert_eq!(
        doc.descendants()
            .filter(|n| n.has_tag_name("details") && n.has_attribute("open"))
            .count(),
        1
    );
    // Methods: citations, ingest dates, filters, exclusions, comparisons.
    assert!(html.contains("Sundberg, Ralph and Erik Melander (2013) Introducing the UCDP Georeferenced Event Dataset, Journal of Peace Research 50(4)"));
    assert!(html.contains("Ingested 2026-11-20 09:30 UTC"));
    assert!(html.contains("imprecise location (geo precision &gt; 3): 57"));
    assert!(html.contains("Weekly rate 15 Aug 2021–15 Jun 2022 vs a year earlier"));
    assert!(html.contains("Counts are <em>synthetic</em> in this test."));
}

#[test]
fn acled_sources_are_cited_with_access_date_and_aggregates_note() {
    let report = ReportSpec::from_toml_str("title = \"R\"").unwrap();
    let mut figs = figures();
    figs.truncate(1);
    let at = "2022-07-20T08:00:00Z".parse().unwrap();
    let methods = Methods {
        sources: vec![SourceRef {
            name: "acled".into(),
            citation: String::new(),
            version: None,
            ingested_at: Some(at),
        }],
        ..Methods::default()
    };
    let html = render_report(&report, &figs, &methods);
    assert!(
        html.contains("ACLED data, accessed 2022-07-20; aggregates only"),
        "citation"
    );
    assert!(html.contains("aggregates, not raw rows"));
}
