use crate::common::{day, rows, store, Known};
use sitrep_analysis::{figure_data, Analysis};
use sitrep_model::figure::{FigureKind, FigureSpec, Filters, GroupBy};

const SPECS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../specs");

fn spec(name: &str) -> FigureSpec {
    let text = std::fs::read_to_string(format!("{SPECS}/{name}.toml")).unwrap();
    let mut s = FigureSpec::from_toml_str(&text).unwrap();
    // The bundled data end in 2020: the README's override.
    s.filters = s.filters.merged(&Filters {
        from: Some(day("2019-09-01")),
        to: Some(day("2020-12-31")),
        ..Filters::default()
    });
    s
}

/// Incidents in the override window for the spec's actors, counted from the CSV
/// (event types: all three violent types, so every UCDP row).
fn csv_count(actor_names: &[&str]) -> u64 {
    rows()
        .iter()
        .filter(|r| r.date >= day("2019-09-01") && r.date <= day("2020-12-31"))
        .filter(|r| {
            actor_names.is_empty()
                || actor_names.contains(&r.side_a.as_str())
                || actor_names.contains(&r.side_b.as_str())
        })
        .count() as u64
}

#[tokio::test]
async fn every_bundled_spec_runs_and_adds_up() {
    let st = store();
    let an = Analysis::new(&st).await.unwrap();
    let mut names: Vec<String> = std::fs::read_dir(SPECS)
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().to_string())
        .filter(|n| n.starts_with("fig") && n.ends_with(".toml"))
        .map(|n| n.trim_end_matches(".toml").to_string())
        .collect();
    names.sort();
    assert_eq!(names.len(), 7, "{names:?}");
    for name in &names {
        let s = spec(name);
        let t = std::time::Instant::now();
        let data = an
            .figure_data(&s)
            .await
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        let p = &data.provenance;
        eprintln!(
            "{name}: {} records, {:?} excluded, {:.0} ms",
            p.record_count,
            p.excluded,
            t.elapsed().as_secs_f64() * 1000.0
        );
        assert_eq!(p.data_date, Some(day("2020-12-31")), "{name}");
        // Sources of the counted records; with none counted, the store's sources.
        assert_eq!(p.sources.len(), 1, "{name}");
        if let Some(src) = p.sources.first() {
            assert!(src.citation.contains("Sundberg"), "{name}");
            assert_eq!(src.version.as_deref(), Some("21.1"));
            assert!(src.ingested_at.is_some());
        }
        assert!(
            p.filters.contains("2019-09-01 to 2020-12-31"),
            "{name}: {}",
            p.filters
        );
        let is_names: &[&str] = if s.filters.actors == ["is-kp"] {
            &["IS"]
        } else {
            &[]
        };
        let nrf = s.filters.actors == ["nrf"];
        let expected = if nrf { 0 } else { csv_count(is_names) };
        match s.kind {
            FigureKind::Choropleth | FigureKind::Points => {
                let areas = data.areas.as_ref().unwrap();
                assert_eq!(
                    areas.rows.len(),
                    34,
                    "{name}: every province, zeros included"
                );
                let shaded: u64 = areas.rows.iter().map(|r| r.incidents).sum();
                let missing = p
                    .excluded
                    .iter()
                    .find(|(why, _)| why.starts_with("no province"))
                    .map_or(0, |(_, n)| *n);
                assert_eq!(shaded + missing, expected, "{name}");
                assert_eq!(p.record_count, expected, "{name}");
                if s.kind == FigureKind::Points {
                    // UCDP's 14-column rows all have coordinates.
                    let coarse = p
                        .excluded
                        .iter()
                        .find(|(why, _)| why.starts_with("located only to province"))
                        .map_or(0, |(_, n)| *n);
                    assert_eq!(data.points.len() as u64 + coarse, expected, "{name}");
                    let best: f64 = data.points.iter().map(|p| p.value).sum();
                    let csv_best: u64 = rows()
                        .iter()
                        .filter(|r| r.date >= day("2019-09-01") && r.date <= day("2020-12-31"))
                        .filter(|r| is_names.iter().any(|n| r.side_a == *n || r.side_b == *n))
                        .map(|r| r.best)
                        .sum();
                    if coarse == 0 && !nrf {
                        assert_eq!(best, csv_best as f64, "{name}: points sized by best");
                        let mut got: Vec<(f64, f64)> =
                            data.points.iter().map(|p| (p.lat, p.lon)).collect();
                        let mut want: Vec<(f64, f64)> = rows()
                            .iter()
                            .filter(|r| r.date >= day("2019-09-01") && r.date <= day("2020-12-31"))
                            .filter(|r| is_names.iter().any(|n| r.side_a == *n || r.side_b == *n))
                            .map(|r| (r.lat, r.lon))
                            .collect();
                        got.sort_by(|a, b| a.partial_cmp(b).unwrap());
                        want.sort_by(|a, b| a.partial_cmp(b).unwrap());
                        assert_eq!(got, want, "{name}: point coordinates");
                    }
                }
            }
            _ => {
                let f = data.series.as_ref().unwrap();
                assert!(!f.starts.is_empty(), "{name}");
                for l in &f.lines {
                    assert_eq!(l.values.known().len(), f.starts.len(), "{name}");
                    assert_eq!(l.raw_values.known().len(), f.starts.len(), "{name}");
                }
                let raw_total: f64 = f.lines.iter().flat_map(|l| l.raw_values.known()).sum();
                if s.series.by == GroupBy::DistanceBand {
                    // Bands hold the records with a distance; the rest are excluded.
                    let no_dist: u64 = p
                        .excluded
                        .iter()
                        .filter(|(why, _)| why.contains("distance"))
                        .map(|(_, n)| n)
                        .sum();
                    assert_eq!(raw_total as u64 + no_dist, expected, "{name}");
                } else if s.lines.is_empty() {
                    assert_eq!(raw_total as u64, expected, "{name}");
                    assert_eq!(f.total() as u64, expected, "{name}");
                } else {
                    // fig3: NRF has no UCDP rows before 2021; IS-KP is "IS".
                    let is = f.lines.iter().find(|l| l.label == "IS-KP").unwrap();
                    let nrf = f.lines.iter().find(|l| l.label == "NRF").unwrap();
                    assert_eq!(
                        is.values.known().iter().sum::<f64>() as u64,
                        csv_count(&["IS"])
                    );
                    assert!(nrf.values.known().iter().all(|v| *v == 0.0));
                }
            }
        }
        if name == "fig1" {
            // The report's periods are after the data: left out, with the reason.
            assert!(data.comparisons.is_empty());
            assert!(p
                .excluded
                .iter()
                .any(|(why, _)| why.contains("not computed")));
        }
    }
}

#[tokio::test]
async fn fig1_comparison_on_bundled_periods() {
    // The README's edit: compare 2020 with 2019 inside the bundled data.
    let text = std::fs::read_to_string(format!("{SPECS}/fig1.toml"))
        .unwrap()
        .replace("2021-08-15..2022-06-15", "2020-03-01..2020-12-31")
        .replace("2020-08-15..2021-06-15", "2019-03-01..2019-12-31");
    let mut s = FigureSpec::from_toml_str(&text).unwrap();
    s.filters.from = Some(day("2019-09-01"));
    s.filters.to = Some(day("2020-12-31"));
    let data = figure_data(&store(), &s).await.unwrap();
    assert_eq!(data.comparisons.len(), 1);
    let c = &data.comparisons[0];
    let n = |from: &str, to: &str| {
        rows()
            .iter()
            .filter(|r| r.date >= day(from) && r.date <= day(to))
            .count() as f64
    };
    assert_eq!(c.count_a, n("2020-03-01", "2020-12-31"));
    assert_eq!(c.count_b, n("2019-03-01", "2019-12-31"));
    assert_eq!(c.label, "First ten months of Taliban rule");
    // Weekly series of fig1: the ISO weeks from 2019-08-26 to 2020-12-28.
    let f = data.series.unwrap();
    assert_eq!(f.starts[0], day("2019-08-26"));
    assert_eq!(*f.starts.last().unwrap(), day("2020-12-28"));
    assert_eq!(f.total(), n("2019-09-01", "2020-12-31"));
}

/// Issue 17: `changes = true` marks each line's change points, by the same rule as
/// `sitrep changes` (Poisson PELT, MBIC): the chart's breaks equal the segmenter's on
/// the line's own raw values (the drawing is tested end to end).
#[tokio::test]
async fn change_points_on_a_chart_are_the_segmenters() {
    let st = store();
    let spec = sitrep_model::figure::FigureSpec::from_toml_str(
        "id = \"cp\"\ntitle = \"t\"\nkind = \"line\"\n[filters]\nfrom = 2001-01-01\nto = 2020-12-31\n[series]\nbucket = \"year\"\nchanges = true\n",
    )
    .unwrap();
    let data = sitrep_analysis::figure_data(&st, &spec).await.unwrap();
    let frame = data.series.as_ref().unwrap();
    // Yearly counts straight from the CSV, then the segmenter on them.
    let mut per_year = std::collections::BTreeMap::new();
    for r in rows() {
        let y = chrono::Datelike::year(&r.date);
        if (2001..=2020).contains(&y) {
            *per_year.entry(y).or_insert(0.0) += 1.0;
        }
    }
    let values: Vec<Option<f64>> = (2001..=2020)
        .map(|y| Some(*per_year.get(&y).unwrap_or(&0.0)))
        .collect();
    assert_eq!(frame.lines[0].raw_values, values);
    let want = sitrep_analysis::watch::changes::segment(
        &sitrep_analysis::watch::changes::ChangesQuery {
            bucket: frame.bucket,
            ..Default::default()
        },
        frame.starts.clone(),
        values,
    );
    assert!(!want.breaks.is_empty());
    let got: Vec<_> = data.breaks.iter().map(|b| (b.date, b.ratio)).collect();
    let expected: Vec<_> = want.breaks.iter().map(|b| (b.date, b.ratio)).collect();
    assert_eq!(got, expected);
}
