use crate::common::*;
use sitrep_model::figure::*;

#[test]
fn every_bundled_spec_parses() {
    let specs = bundled_specs();
    let names: Vec<&str> = specs.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(
        names,
        ["fig1", "fig2", "fig3", "fig4", "fig5", "fig6", "fig7"]
    );
    for (name, text) in &specs {
        let spec =
            FigureSpec::from_toml_str(text).unwrap_or_else(|e| panic!("specs/{name}.toml: {e}"));
        assert_eq!(&spec.id, name, "id matches the file name");
        assert_eq!(spec.filters.countries, ["Afghanistan"], "{name}");
    }
}

#[test]
fn bundled_specs_say_what_the_report_shows() {
    let get = |n: &str| {
        let (_, text) = bundled_specs()
            .into_iter()
            .find(|(name, _)| name == n)
            .unwrap();
        FigureSpec::from_toml_str(&text).unwrap()
    };
    let f1 = get("fig1");
    assert_eq!(f1.kind, FigureKind::Line);
    assert_eq!(f1.series.bucket, Bucket::Week);
    assert!(f1.annotations.contains(&Annotation::Vline {
        date: d("2021-08-15"),
        label: "Taliban takeover".into()
    }));
    let (a, b, _) = f1.comparisons().next().expect("fig1 compares periods");
    assert_eq!(
        (a.to_string(), b.to_string()),
        (
            "2021-08-15..2022-06-15".into(),
            "2020-08-15..2021-06-15".into()
        )
    );
    assert_eq!(
        (f1.filters.from, f1.filters.to),
        (Some(d("2020-09-01")), Some(d("2022-07-31")))
    );

    let f2 = get("fig2");
    assert_eq!(f2.kind, FigureKind::Choropleth);
    assert_eq!(
        (f2.filters.from, f2.filters.to),
        (Some(d("2021-09-15")), Some(d("2022-07-15")))
    );

    let f3 = get("fig3");
    let actors: Vec<_> = f3.lines.iter().map(|l| l.filters.actors.clone()).collect();
    assert_eq!(actors, [vec!["nrf".to_string()], vec!["is-kp".to_string()]]);

    for (n, actor) in [("fig4", "is-kp"), ("fig6", "nrf")] {
        let f = get(n);
        assert_eq!(f.kind, FigureKind::Points);
        assert_eq!(f.filters.actors, [actor]);
        assert_eq!(f.map_or_default().points, Some(Measure::FatalitiesBest));
        assert!(f.map_or_default().shade);
    }

    let f5 = get("fig5");
    assert_eq!(
        (f5.kind, f5.series.by, f5.series.bucket),
        (FigureKind::Bars, GroupBy::EventType, Bucket::Month)
    );
    assert_eq!(f5.filters.actors, ["is-kp"]);

    let f7 = get("fig7");
    assert_eq!(f7.series.by, GroupBy::DistanceBand);
    assert_eq!(
        (f7.series.smooth, f7.series.smooth_kind),
        (Some(8), SmoothKind::Trailing)
    );
    assert_eq!(
        f7.distance_band_labels().last().map(String::as_str),
        Some("100+ km")
    );
}

#[test]
fn bad_specs_name_the_key() {
    let good = &bundled_specs()[0].1;
    let unknown_kind = good.replace("kind = \"line\"", "kind = \"pie\"");
    let e = FigureSpec::from_toml_str(&unknown_kind).unwrap_err();
    assert_eq!(e.key(), Some("kind"), "{e}");
    assert!(
        e.to_string().contains("`kind`") && e.to_string().contains("pie"),
        "{e}"
    );

    let bad_date = good.replace("from = 2020-09-01", "from = \"2020-09-31\"");
    let e = FigureSpec::from_toml_str(&bad_date).unwrap_err();
    assert_eq!(e.key(), Some("filters.from"), "{e}");
    assert!(e.to_string().contains("2020-09-31"), "{e}");

    let bad_period = good.replace(
        "a = \"2021-08-15..2022-06-15\"",
        "a = \"2021-08-15/2022-06-15\"",
    );
    let e = FigureSpec::from_toml_str(&bad_period).unwrap_err();
    assert!(
        e.key().unwrap_or_default().starts_with("annotations"),
        "{e}"
    );
    assert!(e.to_string().contains("YYYY-MM-DD..YYYY-MM-DD"), "{e}");

    let typo = good.replace("[series]", "[seires]");
    let e = FigureSpec::from_toml_str(&typo).unwrap_err();
    assert!(e.to_string().contains("seires"), "{e}");
}
