//! The bundled default store (issue 16): five real files, each with its coverage; no
//! false zeros in series, maps, comparisons and CSVs. Expected values are counted
//! here from the raw files, independently of sitrep.

use crate::common::{data, Env};
use chrono::{Datelike, Duration, NaiveDate, Weekday};
use std::collections::{BTreeMap, BTreeSet};

fn csv_rows(rel: &str) -> Vec<csv::StringRecord> {
    let text = std::fs::read_to_string(data(rel)).unwrap();
    csv::Reader::from_reader(text.as_bytes())
        .records()
        .map(|r| r.unwrap())
        .collect()
}

fn stdout(out: &std::process::Output) -> String {
    assert!(
        out.status.success(),
        "exit {:?}: {}",
        out.status.code(),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout.clone()).unwrap()
}

fn d(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

#[test]
fn bundled_store_holds_every_source_with_its_coverage() {
    let env = Env::new();
    let out = env
        .bundled(&[
            "query",
            "--format",
            "json",
            "--sql",
            "SELECT source, count(*) AS n FROM records GROUP BY source ORDER BY source",
        ])
        .output()
        .unwrap();
    let got: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    let got: BTreeMap<String, i64> = got
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["source"].as_str().unwrap().to_string(),
                r["n"].as_i64().unwrap(),
            )
        })
        .collect();
    // Insecurity Insight lists one incident in several thematic datasets: one record
    // per distinct id (the repeats are quarantined).
    let ii = csv_rows("insecurity_insight/afg_incidents_2016_2024.csv");
    let ii_ids: BTreeSet<&str> = ii.iter().map(|r| r.get(1).unwrap()).collect();
    let want: BTreeMap<String, i64> = [
        (
            "curated-afg",
            csv_rows("curated/afg_incidents_2021_2023.csv").len(),
        ),
        ("insecurity-insight", ii_ids.len()),
        (
            "ucdp-ged211-subset",
            csv_rows("ucdp/ged211_afghanistan_subset.csv").len(),
        ),
        (
            "ucdp-ged231",
            csv_rows("ucdp/ged231_afg_2020_tableau.csv").len()
                + csv_rows("ucdp/ged231_afg_2018_2022_partial.csv").len(),
        ),
    ]
    .into_iter()
    .map(|(s, n)| (s.to_string(), n as i64))
    .collect();
    assert_eq!(got, want);
    let quarantined = env
        .bundled(&[
            "query",
            "--format",
            "csv",
            "--sql",
            "SELECT count(*) AS n FROM quarantine",
        ])
        .output()
        .unwrap();
    assert_eq!(
        stdout(&quarantined),
        format!("n\n{}\n", ii.len() - ii_ids.len())
    );

    // Coverage per batch, as `sitrep sources` shows it.
    let out = env
        .bundled(&["sources", "--format", "json"])
        .output()
        .unwrap();
    let batches: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    let cov: Vec<String> = batches
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["coverage"].as_str().unwrap().to_string())
        .collect();
    let weeks = csv_rows("ucdp/ged231_afg_2018_2022_partial_weeks.csv");
    let complete = weeks.iter().filter(|w| &w[3] == "True").count();
    let partial = weeks.len() - complete;
    assert_eq!(
        cov[0], "partial 1989-01-01 – 2020-12-31 (Afghanistan)",
        "GED 21.1 subset, from its coverage file"
    );
    assert_eq!(cov[1], "complete 2020-01-01 – 2020-12-31 (Afghanistan)");
    assert!(
        cov[2].starts_with("complete 2021-")
            && cov[2].contains(&format!("in {complete} spans"))
            && cov[2].contains(&format!("in {partial} spans")),
        "the partial GED 23.1 file's week list: {}",
        cov[2]
    );
    assert!(
        cov[3].contains("[only: attacks on health care"),
        "{}",
        cov[3]
    );
    assert!(cov[4].contains("[only: notable incidents"), "{}", cov[4]);
}

/// Coverage of one day in the bundle, from the raw files: 2020 complete (the GED 23.1
/// Tableau extract), the partial GED 23.1 file's listed ISO weeks complete or cut
/// short, the GED 21.1 subset partial to 2020; thematic sources cover nothing when
/// all sources are counted.
fn day_status(day: NaiveDate, weeks: &BTreeMap<(i32, u32), bool>) -> &'static str {
    if day.year() == 2020 {
        return "complete";
    }
    let w = day.iso_week();
    match weeks.get(&(w.year(), w.week())) {
        Some(true) => "complete",
        Some(false) => "partial",
        None if day.year() < 2020 => "partial",
        None => "none",
    }
}

#[test]
fn bundled_figure_1_has_gaps_not_zeros_where_no_source_covers() {
    let env = Env::new();
    let (svg, csv_path) = (env.path("fig1.svg"), env.path("fig1.csv"));
    let out = env
        .bundled(&[
            "figure",
            "fig1",
            "-o",
            svg.to_str().unwrap(),
            "--csv",
            csv_path.to_str().unwrap(),
        ])
        .output()
        .unwrap();
    stdout(&out);
    let weeks: BTreeMap<(i32, u32), bool> = csv_rows("ucdp/ged231_afg_2018_2022_partial_weeks.csv")
        .iter()
        .map(|r| {
            (
                (r[0].parse().unwrap(), r[1].parse().unwrap()),
                &r[3] == "True",
            )
        })
        .collect();
    let text = std::fs::read_to_string(&csv_path).unwrap();
    let mut rdr = csv::ReaderBuilder::new()
        .comment(Some(b'#'))
        .from_reader(text.as_bytes());
    let (mut none, mut covered) = (0, 0);
    for r in rdr.records() {
        let r = r.unwrap();
        let start = d(&r[0]);
        assert_eq!(start.weekday(), Weekday::Mon);
        // The figure runs 1 Sep 2020 – 31 Jul 2022: its first and last weeks are cut by
        // the range, whose days outside are not part of the bucket's question.
        let days: Vec<NaiveDate> = (0..7).map(|i| start + Duration::days(i)).collect();
        let statuses: BTreeSet<&str> = days.iter().map(|x| day_status(*x, &weeks)).collect();
        let want = match (statuses.len(), statuses.iter().next()) {
            (1, Some(s)) => *s,
            _ => "partial",
        };
        let cell = &r[6];
        assert_eq!(
            cell.split(' ').next().unwrap(),
            want,
            "week of {start}: {r:?}"
        );
        if want == "none" {
            none += 1;
            assert_eq!(&r[2], "", "no value, never 0, in the week of {start}");
        } else {
            covered += 1;
            assert_ne!(&r[2], "", "a covered week has a value: {start}");
        }
    }
    assert!(
        none > 0 && covered > 0,
        "{none} uncovered, {covered} covered"
    );
    let svg = std::fs::read_to_string(&svg).unwrap();
    assert!(
        svg.contains("class=\"no-data\""),
        "the 'no data' band is drawn"
    );
    assert!(svg.contains("No data: no selected source covers these dates"));
    assert!(!svg.contains("NaN"));
}

#[test]
fn a_province_map_over_a_period_without_coverage_has_no_zero_class() {
    let env = Env::new();
    let (svg, csv_path) = (env.path("fig2.svg"), env.path("fig2.csv"));
    // 2023: the GED files end in 2022; Insecurity Insight and the curated log are
    // thematic, so with the general sources counted they cover nothing.
    stdout(
        &env.bundled(&[
            "figure",
            "fig2",
            "--from",
            "2023-02-01",
            "--to",
            "2023-06-30",
            "-o",
            svg.to_str().unwrap(),
            "--csv",
            csv_path.to_str().unwrap(),
        ])
        .output()
        .unwrap(),
    );
    let svg = std::fs::read_to_string(&svg).unwrap();
    let doc = roxmltree::Document::parse(&svg).unwrap();
    let areas: Vec<_> = doc
        .descendants()
        .filter(|n| n.has_tag_name("path") && n.has_attribute("data-code"))
        .collect();
    assert_eq!(areas.len(), 34);
    for a in &areas {
        assert_eq!(
            a.attribute("fill"),
            Some(sitrep_render::NO_DATA),
            "{:?}",
            a.attribute("data-code")
        );
        assert!(!a.has_attribute("data-value"));
    }
    let text = std::fs::read_to_string(&csv_path).unwrap();
    let areas: Vec<&str> = text.lines().filter(|l| l.starts_with("area,")).collect();
    assert_eq!(areas.len(), 34);
    for l in areas {
        let cells: Vec<&str> = l.split(',').collect();
        assert_eq!(cells[5], "", "no value: {l}");
        assert_eq!(cells[10], "none", "{l}");
    }
}

#[test]
fn compare_refuses_an_uncovered_period_and_warns_on_a_partial_one() {
    let env = Env::new();
    let out = env
        .bundled(&[
            "compare",
            "--a",
            "2023-01-01..2023-03-31",
            "--b",
            "2020-01-01..2020-03-31",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "input error");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("period 2023-01-01..2023-03-31 is not covered by the selected sources on 90 of its 90 days (100%)"),
        "{err}"
    );
    // Q1 2019: the GED 21.1 subset is partial, and every 2019 week of the partial GED
    // 23.1 file was cut short: 90 days partly covered.
    let weeks = csv_rows("ucdp/ged231_afg_2018_2022_partial_weeks.csv");
    assert!(weeks
        .iter()
        .filter(|w| &w[0] == "2019")
        .all(|w| &w[3] == "False"));
    let out = env
        .bundled(&[
            "compare",
            "--a",
            "2019-01-01..2019-03-31",
            "--b",
            "2020-01-01..2020-03-31",
        ])
        .output()
        .unwrap();
    let table = stdout(&out);
    assert!(table.contains("Weekly rate"), "{table}");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains(
            "warning: period 2019-01-01..2019-03-31 is only partly covered: 90 of its 90 days"
        ),
        "{err}"
    );
}

#[test]
fn ingest_reads_a_coverage_file_and_refuses_a_bad_one_precisely() {
    let env = Env::new();
    // The week list beside the partial GED 23.1 file is found by its name.
    let dir = env.path("in");
    std::fs::create_dir_all(&dir).unwrap();
    for f in [
        "ged231_afg_2018_2022_partial.csv",
        "ged231_afg_2018_2022_partial_weeks.csv",
    ] {
        std::fs::copy(data(&format!("ucdp/{f}")), dir.join(f)).unwrap();
    }
    let file = dir.join("ged231_afg_2018_2022_partial.csv");
    let bad = env.path("bad.csv");
    std::fs::write(&bad, "year,week,complete\n2021,1,True\n2021,54,False\n").unwrap();
    let out = env
        .cmd(&[
            "ingest",
            "--coverage",
            bad.to_str().unwrap(),
            file.to_str().unwrap(),
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains(&format!(
            "coverage {}:3: 2021 has no ISO week 54",
            bad.display()
        )),
        "{err}"
    );
    assert_eq!(
        env.count("SELECT count(*) FROM records"),
        0,
        "nothing stored"
    );
    env.ok(&["ingest", file.to_str().unwrap()]);
    let out = env.run(&["sources", "--format", "json"]);
    let v: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    let cov = v[0]["coverage"].as_str().unwrap();
    let weeks = csv_rows("ucdp/ged231_afg_2018_2022_partial_weeks.csv");
    let complete = weeks.iter().filter(|w| &w[3] == "True").count();
    assert!(cov.contains(&format!("in {complete} spans")), "{cov}");
}
