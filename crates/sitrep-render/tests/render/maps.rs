use crate::common::*;
use sitrep_model::figure::*;
use sitrep_render::{render_svg, render_svg_linked, MapGeometry, RenderError};
use std::collections::BTreeSet;

#[test]
fn provinces_file_has_34_iso_codes() {
    let geo = provinces();
    assert_eq!(geo.areas.len(), 34);
    let codes: BTreeSet<_> = geo.areas.iter().map(|a| a.code.as_str()).collect();
    assert_eq!(codes.len(), 34);
    assert!(
        codes.iter().all(|c| c.len() == 6 && c.starts_with("AF-")),
        "{codes:?}"
    );
    // geoBoundaries writes Kandahar as AF_KAN.
    assert!(codes.contains("AF-KAN"));
    let (x0, y0, x1, y1) = geo.bbox().unwrap();
    assert!(
        x0 > 60.0 && x1 < 75.5 && y0 > 29.0 && y1 < 38.6,
        "{:?}",
        geo.bbox()
    );
}

#[test]
fn choropleth_has_34_coded_areas_with_hover_titles() {
    let geo = provinces();
    let (_, text) = bundled_specs()
        .into_iter()
        .find(|(n, _)| n == "fig2")
        .unwrap();
    let s = FigureSpec::from_toml_str(&text).unwrap();
    let data = data_for(&s, &geo);
    let svg = render_svg(&s, &data, Some(&geo)).unwrap();
    let doc = roxmltree::Document::parse(&svg).unwrap();
    let coded: Vec<_> = doc
        .descendants()
        .filter(|n| n.has_tag_name("path") && n.has_attribute("data-code"))
        .collect();
    assert_eq!(coded.len(), 34);
    let kabul = coded
        .iter()
        .find(|n| n.attribute("data-code") == Some("AF-KAB"))
        .unwrap();
    let title = kabul
        .children()
        .find(|c| c.has_tag_name("title"))
        .and_then(|t| t.text())
        .unwrap();
    let value = data
        .areas
        .as_ref()
        .unwrap()
        .rows
        .iter()
        .find(|r| r.code == "AF-KAB")
        .unwrap()
        .value
        .unwrap();
    assert_eq!(title, format!("Kabul: {} incidents", value as i64));
    // Fills come from the class colours; a legend of classes is drawn.
    let fills: BTreeSet<_> = coded.iter().filter_map(|n| n.attribute("fill")).collect();
    assert!(fills.len() >= 3, "{fills:?}");
    let texts = svg_texts(&svg);
    assert_text(&texts, "Incidents");
    assert_text(&texts, "quantile classes");
    assert_text(&texts, &s.title);
}

#[test]
fn a_link_callback_wraps_the_areas_it_names_and_nothing_else() {
    let geo = provinces();
    let (_, text) = bundled_specs()
        .into_iter()
        .find(|(n, _)| n == "fig2")
        .unwrap();
    let s = FigureSpec::from_toml_str(&text).unwrap();
    let data = data_for(&s, &geo);
    // Link the provinces whose code sorts before AF-G, with a query needing escapes.
    let link =
        |code: &str| (code < "AF-G").then(|| format!("/explore?province={code}&type=battle"));
    let svg = render_svg_linked(&s, &data, Some(&geo), Some(&link)).unwrap();
    let doc = roxmltree::Document::parse(&svg).unwrap();
    let linked: BTreeSet<(String, String)> = doc
        .descendants()
        .filter(|n| n.has_tag_name("a"))
        .map(|a| {
            let path = a.children().find(|c| c.has_tag_name("path")).unwrap();
            (
                a.attribute("href").unwrap().to_string(),
                path.attribute("data-code").unwrap().to_string(),
            )
        })
        .collect();
    let expected: BTreeSet<(String, String)> = geo
        .areas
        .iter()
        .filter(|a| a.code.as_str() < "AF-G")
        .map(|a| {
            (
                format!("/explore?province={}&type=battle", a.code),
                a.code.clone(),
            )
        })
        .collect();
    assert_eq!(linked, expected);
    // 8 of the 34 codes sort before AF-G (AF-BAL … AF-FYB); the rest are plain paths.
    assert_eq!(linked.len(), 8);
    assert!(svg.contains("&amp;type=battle"), "the href is escaped");
    // Without a callback the SVG is byte-for-byte the unlinked one.
    assert_eq!(
        render_svg_linked(&s, &data, Some(&geo), None).unwrap(),
        render_svg(&s, &data, Some(&geo)).unwrap()
    );
}

#[test]
fn missing_areas_are_marked_no_data() {
    let geo = provinces();
    let (_, text) = bundled_specs()
        .into_iter()
        .find(|(n, _)| n == "fig2")
        .unwrap();
    let s = FigureSpec::from_toml_str(&text).unwrap();
    let mut data = data_for(&s, &geo);
    data.areas
        .as_mut()
        .unwrap()
        .rows
        .retain(|r| r.code != "AF-PAN");
    let svg = render_svg(&s, &data, Some(&geo)).unwrap();
    assert!(svg.contains("<title>Panjshir: no data</title>"));
    assert_text(&svg_texts(&svg), "No data");
}

#[test]
fn points_are_sized_by_square_root() {
    let geo = provinces();
    let (_, text) = bundled_specs()
        .into_iter()
        .find(|(n, _)| n == "fig4")
        .unwrap();
    let s = FigureSpec::from_toml_str(&text).unwrap();
    let mut data = data_for(&s, &geo);
    data.points = vec![
        MapPoint {
            lat: 34.5,
            lon: 69.2,
            value: 100.0,
            label: "big".into(),
        },
        MapPoint {
            lat: 34.4,
            lon: 70.4,
            value: 25.0,
            label: "quarter".into(),
        },
    ];
    let svg = render_svg(&s, &data, Some(&geo)).unwrap();
    let doc = roxmltree::Document::parse(&svg).unwrap();
    let r = |label: &str| -> f64 {
        let c = doc
            .descendants()
            .find(|n| {
                n.has_tag_name("circle")
                    && n.children()
                        .any(|t| t.text().is_some_and(|x| x.starts_with(label)))
            })
            .unwrap();
        c.attribute("r").unwrap().parse().unwrap()
    };
    let ratio = r("big") / r("quarter");
    assert!(
        (ratio - 2.0).abs() < 0.05,
        "area ∝ value: radius ratio {ratio}"
    );
    assert_eq!(
        doc.descendants()
            .filter(|n| n.has_attribute("data-code"))
            .count(),
        34
    );
    assert_text(&svg_texts(&svg), "Fatalities (best estimate)");
}

#[test]
fn geometry_errors_are_clear() {
    assert!(matches!(
        MapGeometry::from_geojson("{", "a", "b"),
        Err(RenderError::GeoJson(_))
    ));
    let one = r#"{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"iso":"AF-X"},"geometry":{"type":"Polygon","coordinates":[[[60,30],[61,30],[61,31],[60,30]]]}}]}"#;
    let e = MapGeometry::from_geojson(one, "iso", "shapeName").unwrap_err();
    assert!(e.to_string().contains("shapeName"), "{e}");
    assert!(e.is_input());
    let s =
        FigureSpec::from_toml_str("id = \"m\"\ntitle = \"M\"\nkind = \"choropleth\"\n").unwrap();
    let e = render_svg(&s, &FigureData::default(), None).unwrap_err();
    assert!(matches!(e, RenderError::MissingGeometry { .. }), "{e}");
}

#[test]
fn district_choropleth_draws_every_district() {
    let path = workspace().join("data/geo/afg_adm2_districts_simplified.geojson");
    let text = std::fs::read_to_string(&path).unwrap();
    let geo = MapGeometry::from_geojson(&text, "shapeISO", "shapeName").unwrap();
    assert!(geo.areas.len() > 300, "{} districts", geo.areas.len());
    let s = FigureSpec::from_toml_str(
        "id = \"d\"\ntitle = \"Incidents by district\"\nkind = \"choropleth\"\nheight = 640\n[map]\nlevel = \"district\"\nbreaks = \"jenks-lite\"\nclasses = 6\n",
    )
    .unwrap();
    let mut data = data_for(&s, &geo);
    data.areas.as_mut().unwrap().level = MapLevel::District;
    let svg = render_svg(&s, &data, Some(&geo)).unwrap();
    keep("districts.svg", &svg);
    let doc = roxmltree::Document::parse(&svg).unwrap();
    let coded = doc
        .descendants()
        .filter(|n| n.has_attribute("data-code"))
        .count();
    assert_eq!(coded, geo.areas.len());
    assert!(
        !svg.contains(": no data</title>"),
        "every district has a value (codes fall back to names)"
    );
    // Vertices closer than half a pixel are dropped: the map stays small.
    assert!(svg.len() < 1_500_000, "{} bytes", svg.len());
    assert_text(&svg_texts(&svg), "natural-break classes");
}

#[test]
fn points_map_without_outlines_still_draws() {
    let geo = provinces();
    let (_, text) = bundled_specs()
        .into_iter()
        .find(|(n, _)| n == "fig6")
        .unwrap();
    let s = FigureSpec::from_toml_str(&text).unwrap();
    let data = data_for(&s, &geo);
    let svg = render_svg(&s, &data, None).unwrap();
    let doc = roxmltree::Document::parse(&svg).unwrap();
    assert_eq!(
        doc.descendants()
            .filter(|n| n.has_tag_name("circle") && n.children().any(|c| c.has_tag_name("title")))
            .count(),
        data.points.len()
    );
    assert!(
        !svg.contains("quantile classes") && !svg.contains("natural-break classes"),
        "no class legend without areas"
    );
}

#[test]
fn a_period_without_coverage_is_grey_no_data_never_the_zero_class() {
    let geo = provinces();
    let (_, text) = bundled_specs()
        .into_iter()
        .find(|(n, _)| n == "fig2")
        .unwrap();
    let s = FigureSpec::from_toml_str(&text).unwrap();
    let mut data = data_for(&s, &geo);
    // Synthetic: the analysis layer's answer for an uncovered period.
    let areas = data.areas.as_mut().unwrap();
    areas.coverage = sitrep_model::BucketCoverage {
        status: sitrep_model::CoverageStatus::None,
        share: Some(0.0),
        days: 334,
        complete_days: 0,
        partial_days: 0,
    };
    for r in &mut areas.rows {
        r.value = None;
    }
    let svg = render_svg(&s, &data, Some(&geo)).unwrap();
    keep("map-no-coverage.svg", &svg);
    let doc = roxmltree::Document::parse(&svg).unwrap();
    let coded: Vec<_> = doc
        .descendants()
        .filter(|n| n.has_tag_name("path") && n.has_attribute("data-code"))
        .collect();
    assert_eq!(coded.len(), 34);
    let classes = sitrep_render::class_colours(5);
    for n in &coded {
        let fill = n.attribute("fill").unwrap();
        assert_eq!(
            fill,
            sitrep_render::NO_DATA,
            "{:?}",
            n.attribute("data-code")
        );
        assert!(!classes.contains(&fill));
        assert!(!n.has_attribute("data-value"));
        let title = n
            .children()
            .find(|c| c.has_tag_name("title"))
            .and_then(|t| t.text())
            .unwrap();
        assert!(
            title.ends_with(": no data (no selected source covers this period)"),
            "{title}"
        );
    }
    assert_text(&svg_texts(&svg), "No data (not covered)");
    let csv = sitrep_render::render_csv(&s, &data);
    let kabul = csv.lines().find(|l| l.starts_with("area,AF-KAB,")).unwrap();
    assert_eq!(kabul, "area,AF-KAB,Kabul,,,,,,,,none");
}
