use crate::common::*;
use sitrep_model::figure::*;
use sitrep_render::{render_csv, MAP_HEADER, SERIES_HEADER};

fn rows(csv_text: &str) -> (Vec<String>, Vec<csv::StringRecord>) {
    let body: String = csv_text
        .lines()
        .filter(|l| !l.starts_with('#'))
        .map(|l| format!("{l}\n"))
        .collect();
    let mut r = csv::Reader::from_reader(body.as_bytes());
    let header = r.headers().unwrap().iter().map(String::from).collect();
    (header, r.records().map(Result::unwrap).collect())
}

#[test]
fn series_csv_sums_to_the_series_total() {
    let geo = provinces();
    for (name, text) in bundled_specs() {
        let s = FigureSpec::from_toml_str(&text).unwrap();
        if s.kind.is_map() {
            continue;
        }
        let data = data_for(&s, &geo);
        let out = render_csv(&s, &data);
        keep(&format!("{name}.csv"), &out);
        assert!(out.starts_with("# figure: "), "{name}: provenance first");
        assert!(
            out.contains("# Sources: ucdp-ged251 25.1 (Sundberg"),
            "{name}"
        );
        let (header, records) = rows(&out);
        assert_eq!(header, SERIES_HEADER);
        let frame = data.series.as_ref().unwrap();
        assert_eq!(
            records.len(),
            frame.starts.len() * frame.lines.len(),
            "{name}: one row per bucket and line"
        );
        let sum: f64 = records.iter().map(|r| r[2].parse::<f64>().unwrap()).sum();
        assert!(
            (sum - frame.total()).abs() < 1e-6,
            "{name}: {sum} vs {}",
            frame.total()
        );
        let raw: f64 = records.iter().map(|r| r[3].parse::<f64>().unwrap()).sum();
        let raw_total: f64 = frame
            .lines
            .iter()
            .flat_map(|l| l.raw_values.iter().flatten())
            .sum();
        assert!((raw - raw_total).abs() < 1e-6, "{name}: raw values");
    }
}

#[test]
fn map_csv_has_every_area_and_point() {
    let geo = provinces();
    let (_, text) = bundled_specs()
        .into_iter()
        .find(|(n, _)| n == "fig4")
        .unwrap();
    let s = FigureSpec::from_toml_str(&text).unwrap();
    let data = data_for(&s, &geo);
    let out = render_csv(&s, &data);
    let (header, records) = rows(&out);
    assert_eq!(header, MAP_HEADER);
    let areas: Vec<_> = records.iter().filter(|r| &r[0] == "area").collect();
    assert_eq!(areas.len(), 34);
    let total: f64 = areas.iter().map(|r| r[5].parse::<f64>().unwrap()).sum();
    let expected: f64 = data
        .areas
        .as_ref()
        .unwrap()
        .rows
        .iter()
        .filter_map(|r| r.value)
        .sum();
    assert_eq!(total, expected);
    assert_eq!(
        records.iter().filter(|r| &r[0] == "point").count(),
        data.points.len()
    );
    // Unknown high estimate stays empty, not 0.
    assert_eq!(&areas[1][9], "");
}

#[test]
fn choropleth_csv_has_no_points_unless_asked() {
    let geo = provinces();
    let (_, text) = bundled_specs()
        .into_iter()
        .find(|(n, _)| n == "fig2")
        .unwrap();
    let s = FigureSpec::from_toml_str(&text).unwrap();
    let data = data_for(&s, &geo);
    assert!(!data.points.is_empty());
    let (_, records) = rows(&render_csv(&s, &data));
    assert_eq!(records.len(), 34);
    assert!(records.iter().all(|r| &r[0] == "area"));
}
