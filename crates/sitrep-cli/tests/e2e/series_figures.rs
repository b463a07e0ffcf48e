//! Series, comparisons, figures and reports from the command line, on the bundled data.

use crate::common::{data, Env};

#[test]
fn series_matches_an_independent_count_and_compare_reports_a_ratio() {
    let env = Env::new();
    let out = env
        .ged211(&[
            "series",
            "--bucket",
            "year",
            "--from",
            "2009-01-01",
            "--to",
            "2020-12-31",
            "--measure",
            "fatalities_best",
            "--format",
            "json",
        ])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let rows: Vec<serde_json::Value> = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(rows.len(), 12);
    let mut expected = std::collections::BTreeMap::new();
    for r in csv::Reader::from_path(data("ucdp/ged211_afghanistan_subset.csv"))
        .unwrap()
        .records()
    {
        let r = r.unwrap();
        let y: i32 = r[1].parse().unwrap();
        if y >= 2009 {
            *expected.entry(format!("{y}-01-01")).or_insert(0.0) += r[12].parse::<f64>().unwrap();
        }
    }
    for row in &rows {
        assert_eq!(
            row["value"].as_f64().unwrap(),
            expected[row["bucket_start"].as_str().unwrap()],
            "{row}"
        );
    }

    let out = env
        .ged211(&[
            "compare",
            "--a",
            "2020-01-01..2020-06-30",
            "--b",
            "2019-01-01..2019-06-30",
            "--format",
            "json",
        ])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let c: Vec<serde_json::Value> = serde_json::from_slice(&out.stdout).unwrap();
    let (a, b) = (
        c[0]["count_a"].as_f64().unwrap(),
        c[0]["count_b"].as_f64().unwrap(),
    );
    let ra = a / (182.0 / 7.0);
    let rb = b / (181.0 / 7.0);
    assert!((c[0]["ratio"].as_f64().unwrap() - ra / rb).abs() < 1e-9);
    assert!(
        c[0]["ci_low"].as_f64().unwrap() < ra / rb && ra / rb < c[0]["ci_high"].as_f64().unwrap()
    );

    let out = env
        .ged211(&["series", "--actor", "no-such-group"])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = env
        .ged211(&["series", "--bucket", "fortnight"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn every_bundled_figure_renders_with_its_csv() {
    let env = Env::new();
    for id in ["fig1", "fig2", "fig3", "fig4", "fig5", "fig6", "fig7"] {
        let svg = env.path(&format!("{id}.svg"));
        let csv = env.path(&format!("{id}.csv"));
        let out = env
            .ged211(&[
                "figure",
                id,
                "--from",
                "2019-09-01",
                "--to",
                "2020-12-31",
                "--no-compare",
                "-o",
                svg.to_str().unwrap(),
                "--csv",
                csv.to_str().unwrap(),
            ])
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{id}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let text = std::fs::read_to_string(&svg).unwrap();
        assert!(
            text.starts_with("<svg") || text.starts_with("<?xml"),
            "{id}"
        );
        assert!(text.contains("</svg>"));
        assert!(
            std::fs::read_to_string(&csv).unwrap().lines().count() > 2,
            "{id}: CSV has values"
        );
    }
    // Fig. 1 plots weekly counts: its CSV sums to the number of incidents in the period.
    let csv = std::fs::read_to_string(env.path("fig1.csv")).unwrap();
    let mut rdr = csv::ReaderBuilder::new()
        .comment(Some(b'#'))
        .from_reader(csv.as_bytes());
    let headers = rdr.headers().unwrap().clone();
    let raw_i = headers
        .iter()
        .position(|h| h == "raw_value")
        .expect("raw_value column");
    let total: f64 = rdr
        .records()
        .map(|r| r.unwrap()[raw_i].parse::<f64>().unwrap_or(0.0))
        .sum();
    let out = env
        .ged211(&["query", "--format", "csv", "--sql", "SELECT count(*) FROM incidents WHERE date_start BETWEEN DATE '2019-09-01' AND DATE '2020-12-31' AND country = 'Afghanistan'"])
        .output()
        .unwrap();
    let n: f64 = String::from_utf8_lossy(&out.stdout)
        .lines()
        .nth(1)
        .unwrap()
        .parse()
        .unwrap();
    assert_eq!(total, n);

    let out = env.ged211(&["figure", "fig9"]).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("bundled specs: fig1"));
}

#[test]
fn report_is_one_self_contained_html_file() {
    let env = Env::new();
    let out_path = env.path("report.html");
    let spec =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../specs/reports/bundled.toml");
    let out = env
        .ged211(&[
            "report",
            spec.to_str().unwrap(),
            "-o",
            out_path.to_str().unwrap(),
        ])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    let html = std::fs::read_to_string(&out_path).unwrap();
    assert!(html.contains("Afghanistan: violence in the year before the Taliban takeover"));
    assert!(html.matches("<svg").count() >= 4, "four figures inline");
    assert!(html.contains("Sundberg"), "methods cite UCDP");
    for attr in ["src=\"http", "href=\"http", "src='http", "url(http"] {
        assert!(!html.contains(attr), "external reference {attr}");
    }
    let bad = env.path("bad.toml");
    std::fs::write(
        &bad,
        "title = \"x\"\n[[sections]]\nheading = \"h\"\nprose = \"p\"\nfigures = [\"fig99\"]\n",
    )
    .unwrap();
    let out = env
        .ged211(&[
            "report",
            bad.to_str().unwrap(),
            "-o",
            env.path("x.html").to_str().unwrap(),
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(!env.path("x.html").exists(), "nothing written on error");
}

#[test]
fn serve_answers_on_loopback() {
    let env = Env::new();
    let server = crate::common::Server::start_ged211(&env);
    assert!(server.addr.starts_with("127.0.0.1:"), "{}", server.addr);
    let get = |path: &str| server.get_raw(path);
    let api = get("/api/v1/openapi.json");
    let home = get("/");
    let bad = get("/api/v1/incidents?from=2020-13-01");
    // The bundled data end in 2020: fig2's own period (2021-22) is replaced by the
    // last sixteen months of data, and the figure says so.
    let fig2 = get("/api/v1/figures/fig2");
    drop(server);
    assert!(
        api.starts_with("HTTP/1.1 200"),
        "{}",
        &api[..api.len().min(200)]
    );
    assert!(api.contains("\"openapi\""));
    assert!(
        home.starts_with("HTTP/1.1 200") && home.contains("<html"),
        "{}",
        &home[..home.len().min(200)]
    );
    assert!(
        bad.starts_with("HTTP/1.1 400") && bad.contains("application/problem+json"),
        "{}",
        &bad[..bad.len().min(300)]
    );
    assert!(
        fig2.starts_with("HTTP/1.1 200"),
        "{}",
        &fig2[..fig2.len().min(300)]
    );
    assert!(fig2.contains("\"period_replaced\":true"));
    assert!(fig2.contains("Period replaced: 2019-09-01 to 2020-12-31"));
    assert!(
        !fig2.contains("\"record_count\":0"),
        "the replaced period has data"
    );
}

#[test]
fn choropleth_areas_carry_the_gazetteer_codes_incidents_use() {
    let env = Env::new();
    let svg = env.path("fig2.svg");
    let out = env
        .ged211(&[
            "figure",
            "fig2",
            "--from",
            "2019-09-01",
            "--to",
            "2020-12-31",
            "-o",
            svg.to_str().unwrap(),
        ])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = std::fs::read_to_string(&svg).unwrap();
    // geoBoundaries writes Badakhshan as AF-BDN; incidents carry ISO's AF-BDS.
    assert!(
        text.contains("data-code=\"AF-BDS\""),
        "Badakhshan keeps the ISO code"
    );
    assert!(!text.contains("data-code=\"AF-BDN\""));
    assert_eq!(text.matches("data-code=").count(), 34);
}

/// Issue 17: a figure spec with `changes = true` draws one dotted line per change
/// point, as many as `sitrep changes` finds on the same series, with its ratio.
#[test]
fn change_points_are_drawn_on_a_chart_as_sitrep_changes_finds_them() {
    let env = Env::new();
    let spec = env.path("cp.toml");
    std::fs::write(
        &spec,
        "id = \"cp\"\ntitle = \"Incidents per year\"\nkind = \"line\"\n[filters]\nfrom = 2001-01-01\nto = 2020-12-31\n[series]\nbucket = \"year\"\nchanges = true\n",
    )
    .unwrap();
    let svg = env.path("cp.svg");
    let out = env
        .ged211(&[
            "figure",
            spec.to_str().unwrap(),
            "-o",
            svg.to_str().unwrap(),
        ])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = env
        .ged211(&[
            "changes",
            "--bucket",
            "year",
            "--from",
            "2001-01-01",
            "--to",
            "2020-12-31",
            "--format",
            "json",
        ])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let breaks = v["breaks"].as_array().unwrap();
    assert!(!breaks.is_empty());
    let svg = std::fs::read_to_string(svg).unwrap();
    assert_eq!(svg.matches("class=\"change-point\"").count(), breaks.len());
    for b in breaks {
        let r = b["ratio"].as_f64().unwrap();
        assert!(svg.contains(&format!("×{r:.2}")), "{r}");
    }
}
