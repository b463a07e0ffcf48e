//! Builders of synthetic figure data (hand-made numbers, marked as such) and helpers.

use chrono::{DateTime, Datelike, Duration, NaiveDate, Utc};
use sitrep_model::figure::*;
use sitrep_model::{BucketCoverage, CoverageStatus};
use sitrep_render::MapGeometry;
use std::path::PathBuf;

pub fn d(s: &str) -> NaiveDate {
    s.parse().expect("date")
}

pub fn workspace() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// The real Afghanistan provinces (geoBoundaries ADM1), from the workspace's data.
pub fn provinces() -> MapGeometry {
    let path = workspace().join("data/geo/afg_adm1_provinces.geojson");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    MapGeometry::from_geojson(&text, "shapeISO", "shapeName").expect("provinces parse")
}

/// Every bundled spec, by file name.
pub fn bundled_specs() -> Vec<(String, String)> {
    let dir = workspace().join("specs");
    let mut out: Vec<(String, String)> = std::fs::read_dir(&dir)
        .expect("specs dir")
        .filter_map(|e| e.ok())
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .map(|p| {
            (
                p.file_stem().unwrap().to_string_lossy().into_owned(),
                std::fs::read_to_string(&p).unwrap(),
            )
        })
        .collect();
    out.sort();
    out
}

/// Deterministic pseudo-random numbers in [0, 1) (synthetic data only).
pub struct Lcg(pub u64);
impl Lcg {
    pub fn next(&mut self) -> f64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (self.0 >> 11) as f64 / (1u64 << 53) as f64
    }
}

pub fn provenance(filters: &str) -> FigureProvenance {
    let at: DateTime<Utc> = "2026-11-20T09:30:00Z".parse().unwrap();
    FigureProvenance {
        sources: vec![SourceRef {
            name: "ucdp-ged251".into(),
            citation: SourceRef::standard_citation("ucdp-ged251", None),
            version: Some("25.1".into()),
            ingested_at: Some(at),
        }],
        filters: filters.into(),
        record_count: 4321,
        excluded: vec![
            ("imprecise location (geo precision > 3)".into(), 57),
            ("date known only to the year".into(), 4),
        ],
        data_date: Some(d("2022-07-31")),
        coverage: None,
        coverage_note: None,
        generated_at: Some("2026-11-22T10:00:00Z".parse().unwrap()),
    }
}

/// Bucket starts from `from` to `to` for week (Mondays) or month buckets.
pub fn starts(bucket: Bucket, from: NaiveDate, to: NaiveDate) -> Vec<NaiveDate> {
    let mut out = Vec::new();
    match bucket {
        Bucket::Month => {
            let mut cur = NaiveDate::from_ymd_opt(from.year(), from.month(), 1).unwrap();
            while cur <= to {
                out.push(cur);
                cur = if cur.month() == 12 {
                    NaiveDate::from_ymd_opt(cur.year() + 1, 1, 1).unwrap()
                } else {
                    NaiveDate::from_ymd_opt(cur.year(), cur.month() + 1, 1).unwrap()
                };
            }
        }
        _ => {
            let mut cur = from - Duration::days(from.weekday().num_days_from_monday() as i64);
            while cur <= to {
                out.push(cur);
                cur += Duration::days(7);
            }
        }
    }
    out
}

/// Line labels a spec would produce.
pub fn labels(spec: &FigureSpec) -> Vec<String> {
    if !spec.lines.is_empty() {
        return spec.lines.iter().map(|l| l.label.clone()).collect();
    }
    match spec.series.by {
        GroupBy::DistanceBand => spec.distance_band_labels(),
        GroupBy::EventType => vec![
            "battle".into(),
            "explosion".into(),
            "violence_against_civilians".into(),
        ],
        GroupBy::Actor => vec!["Taliban".into(), "IS-KP".into(), "NRF".into()],
        _ => vec!["All violent incidents".into()],
    }
}

fn trailing(v: &[f64], k: usize) -> Vec<f64> {
    (0..v.len())
        .map(|i| {
            let a = (i + 1).saturating_sub(k);
            v[a..=i].iter().sum::<f64>() / (i + 1 - a) as f64
        })
        .collect()
}

/// A synthetic series shaped like the report's: high before 15 Aug 2021, far lower after.
pub fn series_for(spec: &FigureSpec, seed: u64) -> SeriesFrame {
    let from = spec.filters.from.unwrap_or(d("2020-09-01"));
    let to = spec.filters.to.unwrap_or(d("2022-07-31"));
    let starts = starts(spec.series.bucket, from, to);
    let mut rng = Lcg(seed);
    let per = if spec.series.bucket == Bucket::Month {
        4.3
    } else {
        1.0
    };
    let lines = labels(spec)
        .into_iter()
        .enumerate()
        .map(|(i, label)| {
            let raw: Vec<f64> = starts
                .iter()
                .map(|s| {
                    let level = if *s < d("2021-08-15") { 40.0 } else { 8.0 } / (i as f64 + 1.0);
                    (level * per * (0.6 + 0.8 * rng.next())).round()
                })
                .collect();
            let values = match spec.series.smooth {
                Some(k) if k > 1 => trailing(&raw, k),
                _ => raw.clone(),
            };
            SeriesLine {
                label,
                values: values.into_iter().map(Some).collect(),
                low: None,
                high: None,
                raw_values: raw.into_iter().map(Some).collect(),
            }
        })
        .collect();
    SeriesFrame {
        bucket: spec.series.bucket,
        measure: spec.series.measure,
        coverage: starts.iter().map(|_| complete_bucket()).collect(),
        starts,
        lines,
    }
}

/// Coverage of a synthetic bucket: complete.
pub fn complete_bucket() -> BucketCoverage {
    BucketCoverage {
        status: CoverageStatus::Complete,
        share: Some(1.0),
        days: 7,
        complete_days: 7,
        partial_days: 0,
    }
}

pub fn comparisons(spec: &FigureSpec) -> Vec<Comparison> {
    spec.comparisons()
        .map(|(a, b, label)| Comparison {
            label: label.to_string(),
            a: *a,
            b: *b,
            rate_a: 8.1,
            rate_b: 38.9,
            ratio: 0.2082,
            ci_low: 0.1902,
            ci_high: 0.2279,
            count_a: 353.0,
            count_b: 1695.0,
            weeks_a: 43.57,
            weeks_b: 43.57,
            coverage_a: complete_bucket(),
            coverage_b: complete_bucket(),
            warnings: Vec::new(),
        })
        .collect()
}

/// Synthetic data for any spec: series for charts, areas and points for maps.
pub fn data_for(spec: &FigureSpec, geo: &MapGeometry) -> FigureData {
    let prov = provenance(&spec.filters.describe());
    if spec.kind.is_map() {
        let mut rng = Lcg(7);
        let rows = geo
            .areas
            .iter()
            .enumerate()
            .map(|(i, a)| {
                let v = if i % 5 == 0 {
                    0.0
                } else {
                    (rng.next() * rng.next() * 120.0).round()
                };
                AreaValue {
                    code: a.code.clone(),
                    name: a.name.clone(),
                    value: Some(v),
                    incidents: v as u64,
                    fatalities_low: Some(v as u64),
                    fatalities_best: Some((v * 1.5) as u64),
                    fatalities_high: None,
                }
            })
            .collect();
        let points = (0..40)
            .map(|i| MapPoint {
                lat: 31.0 + rng.next() * 6.0,
                lon: 63.0 + rng.next() * 8.0,
                value: (rng.next().powi(3) * 60.0).round(),
                label: format!("synthetic point {i}"),
            })
            .collect();
        FigureData {
            series: None,
            areas: Some(AreaValues {
                level: MapLevel::Province,
                rows,
                coverage: complete_bucket(),
            }),
            points,
            comparisons: Vec::new(),
            breaks: Vec::new(),
            provenance: prov,
        }
    } else {
        FigureData {
            series: Some(series_for(spec, 42)),
            areas: None,
            points: Vec::new(),
            comparisons: comparisons(spec),
            breaks: Vec::new(),
            provenance: prov,
        }
    }
}

/// All text of `<text>` elements in an SVG, and the document (which must parse).
pub fn svg_texts(svg: &str) -> Vec<String> {
    let doc =
        roxmltree::Document::parse(svg).unwrap_or_else(|e| panic!("SVG is not XML: {e}\n{svg}"));
    assert_eq!(doc.root_element().tag_name().name(), "svg");
    doc.descendants()
        .filter(|n| n.has_tag_name("text"))
        .map(|n| n.text().unwrap_or("").to_string())
        .collect()
}

/// Asserts `needle` is among the SVG's texts, or spread across wrapped lines.
pub fn assert_text(texts: &[String], needle: &str) {
    let joined = texts.join(" ");
    assert!(
        texts.iter().any(|t| t == needle || t.contains(needle)) || joined.contains(needle),
        "{needle:?} not drawn; texts: {texts:#?}"
    );
}

/// Writes a rendered output under $SITREP_RENDER_OUT, for looking at by eye.
pub fn keep(name: &str, content: &str) {
    if let Ok(dir) = std::env::var("SITREP_RENDER_OUT") {
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(std::path::Path::new(&dir).join(name), content).unwrap();
    }
}
