use crate::common::{assert_problem, get, get_json, sql_count};

const FIG2_WHERE: &str = "date_start BETWEEN DATE '2021-09-15' AND DATE '2022-07-15' \
     AND country = 'Afghanistan' AND event_type IN ('battle', 'explosion', 'violence_against_civilians')";

#[tokio::test]
async fn figures_are_listed_with_their_links() {
    let v = get_json("/api/v1/figures").await;
    let figs = v["figures"].as_array().unwrap();
    let ids: Vec<&str> = figs.iter().map(|f| f["id"].as_str().unwrap()).collect();
    assert_eq!(
        ids,
        ["fig1", "fig2", "fig3", "fig4", "fig5", "fig6", "fig7"]
    );
    assert_eq!(figs[1]["kind"], "choropleth");
    assert_eq!(figs[1]["links"]["svg"], "/api/v1/figures/fig2?format=svg");
    assert_eq!(v["data_range"]["from"], "1989-01-01");
    assert_eq!(v["report"], "/api/v1/report");
}

#[tokio::test]
async fn a_figure_counts_what_sql_counts() {
    // fig2: incidents per province over its own period (the synthetic ACLED rows of
    // May 2022 fall in it, so the period is not replaced).
    let v = get_json("/api/v1/figures/fig2").await;
    assert_eq!(v["period_replaced"], false);
    let expected = sql_count(FIG2_WHERE).await;
    assert!(expected > 0);
    assert_eq!(
        v["data"]["provenance"]["record_count"].as_i64(),
        Some(expected)
    );
    let rows = v["data"]["areas"]["rows"].as_array().unwrap();
    assert!(rows.len() >= 34, "every province listed, zeros included");
    let total: f64 = rows.iter().map(|r| r["value"].as_f64().unwrap()).sum();
    let located = sql_count(&format!("{FIG2_WHERE} AND province_code IS NOT NULL")).await;
    assert_eq!(total as i64, located);

    // fig1 over a chosen period: weekly counts add up to the SQL count.
    let v = get_json("/api/v1/figures/fig1?from=2019-01-01&to=2019-12-31&compare=false").await;
    assert_eq!(v["period_replaced"], true);
    assert!(v["spec"]["subtitle"]
        .as_str()
        .unwrap()
        .contains("Period replaced: 2019-01-01 to 2019-12-31"));
    assert!(v["spec"]["annotations"]
        .as_array()
        .unwrap()
        .iter()
        .all(|a| a["kind"] != "compare"));
    let line = &v["data"]["series"]["lines"][0]["raw_values"];
    let sum: f64 = line
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_f64().unwrap())
        .sum();
    let expected = sql_count(
        "date_start BETWEEN DATE '2019-01-01' AND DATE '2019-12-31' AND country = 'Afghanistan' \
         AND event_type IN ('battle', 'explosion', 'violence_against_civilians')",
    )
    .await;
    assert_eq!(sum as i64, expected);
    assert!(v["links"]["csv"]
        .as_str()
        .unwrap()
        .contains("from=2019-01-01&to=2019-12-31&compare=false"));
}

#[tokio::test]
async fn figure_downloads_svg_csv_html() {
    let svg = get("/api/v1/figures/fig7?format=svg&from=2019-09-01&to=2020-12-31").await;
    assert_eq!(svg.status, 200, "{}", svg.body);
    assert_eq!(svg.content_type(), "image/svg+xml");
    assert!(svg.headers["content-disposition"]
        .to_str()
        .unwrap()
        .contains("fig7.svg"));
    assert!(
        svg.body.starts_with("<svg"),
        "{}",
        &svg.body[..100.min(svg.body.len())]
    );
    assert!(svg
        .body
        .contains("Incidents by distance to nearest provincial capital"));

    let csv = get("/api/v1/figures/fig7?format=csv&from=2019-09-01&to=2020-12-31").await;
    assert_eq!(csv.status, 200);
    // Provenance first, as `#` lines, then the header and one row per plotted value.
    let mut lines = csv.body.lines().skip_while(|l| l.starts_with('#'));
    assert_eq!(
        lines.next(),
        Some(sitrep_render::SERIES_HEADER.join(",").as_str())
    );
    assert!(csv.body.starts_with("# figure: Incidents by distance"));
    // One row per band per week: 5 bands × the weeks of the period.
    let rows = lines.count();
    assert_eq!(rows % 5, 0, "{rows} rows");

    let html = get("/api/v1/figures/fig2?format=html").await;
    assert_eq!(html.status, 200);
    assert!(html.content_type().starts_with("text/html"));
    assert!(html.body.starts_with("<!DOCTYPE html>"));
    assert!(html.body.contains("<svg") && html.body.contains("data-code=\"AF-KAB\""));

    let report = get("/api/v1/report").await;
    assert_eq!(report.status, 200, "{}", report.body);
    assert!(report.headers["content-disposition"]
        .to_str()
        .unwrap()
        .contains("report.html"));
    assert!(
        report.body.matches("<svg").count() >= 4,
        "every figure of the report is drawn"
    );
}

#[tokio::test]
async fn figure_errors_are_problems() {
    assert_problem(&get("/api/v1/figures/fig99").await, 404, "fig1, fig2");
    assert_problem(
        // png is a format now (issue 22); an unknown one is still refused.
        &get("/api/v1/figures/fig1?format=gif").await,
        400,
        "`format` must be one of",
    );
    assert_problem(
        &get("/api/v1/figures/fig1?compare=maybe").await,
        400,
        "`compare`",
    );
    assert_problem(
        &get("/api/v1/figures/fig1?from=2020-01-01&to=2019-01-01").await,
        400,
        "is after",
    );
    assert_problem(
        &get("/api/v1/figures/fig1?province=AF-KAB").await,
        400,
        "province",
    );
}

#[tokio::test]
async fn figure_pages() {
    let page = get("/figures").await;
    assert_eq!(page.status, 200, "{}", page.body);
    assert_eq!(page.body.matches("<img src=\"/api/v1/figures/").count(), 7);
    assert!(
        page.body.contains("href=\"/figures\">Figures</a>"),
        "navigation links the page"
    );
    let one = get("/figures/fig3?from=2019-09-01&to=2020-12-31").await;
    assert_eq!(one.status, 200, "{}", one.body);
    assert!(one.body.contains("<svg"), "drawn inline");
    assert!(one.body.contains("Records counted"));
    assert!(one
        .body
        .contains("/api/v1/figures/fig3?format=csv&amp;from=2019-09-01&amp;to=2020-12-31"));
    let missing = get("/figures/nope").await;
    assert_eq!(missing.status, 404);
}
