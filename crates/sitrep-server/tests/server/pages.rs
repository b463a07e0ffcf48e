use crate::common::{get, sql_string};

fn assert_page(uri: &str, status: u16, body: &str, title: &str) {
    assert_eq!(status, 200, "GET {uri}: {body}");
    assert!(body.starts_with("<!DOCTYPE html>"), "{uri}");
    assert!(
        body.contains(&format!("<title>{title}")),
        "{uri} lacks title {title:?}"
    );
    assert!(body.contains("name=\"viewport\""), "{uri}");
    for bad in [
        "src=\"http://",
        "src=\"https://",
        "href=\"http://",
        "href=\"https://",
        "@import",
        "url(http",
    ] {
        assert!(!body.contains(bad), "{uri} loads from elsewhere: {bad}");
    }
}

#[tokio::test]
async fn pages_render_without_external_resources() {
    let record = sql_string("SELECT min(record_id) FROM incidents WHERE source <> 'acled'").await;
    let acled = sql_string("SELECT min(record_id) FROM incidents WHERE source = 'acled'").await;
    let pages = [
        ("/".to_string(), "Overview"),
        ("/explore".to_string(), "Explore"),
        ("/explore?province=AF-KAB&type=battle&sort=-fatalities_best&page=2&page_size=20&bucket=year".to_string(), "Explore"),
        ("/explore?actor=taliban,is-kp&from=2015-01-01&to=2020-12-31&min_geo_precision=2".to_string(), "Explore"),
        ("/explore?from=2030-01-01".to_string(), "Explore"),
        (format!("/incidents/{record}"), ""),
        (format!("/incidents/{acled}"), ""),
        ("/actors/taliban".to_string(), "Taliban"),
        ("/places/AF-KAB".to_string(), "Kabul province"),
    ];
    for (uri, title) in pages {
        let a = get(&uri).await;
        assert_page(&uri, a.status.as_u16(), &a.body, title);
    }
}

#[tokio::test]
async fn explore_state_lives_in_the_url_and_numbers_link_to_records() {
    let a = get("/explore?province=AF-KAB").await;
    assert_eq!(a.status, 200);
    // The form keeps the filter; counts and map areas link back to Explore with it.
    assert!(a.body.contains("value=\"AF-KAB\""));
    assert!(a.body.contains("href=\"/explore?province=AF-KAB\""));
    assert!(
        a.body.contains("<a href=\"/explore?province=AF-NAN\">"),
        "map areas link to their province"
    );
    assert!(
        a.body.contains("href=\"/incidents/"),
        "table rows link to incidents"
    );
    assert!(a.body.contains("rel=\"next\""));
    let bad = get("/explore?from=2020-13-01").await;
    assert_eq!(bad.status, 400);
    assert!(bad.body.contains("must be a date"));

    let acled = sql_string("SELECT min(record_id) FROM incidents WHERE source = 'acled'").await;
    let page = get(&format!("/incidents/{acled}")).await;
    assert!(page.body.contains("terms of use"));
    assert!(
        !page.body.contains("synthetic fixture"),
        "ACLED notes shown on the page"
    );
    let overview = get("/").await;
    assert!(
        overview.body.contains("<svg"),
        "trend and map are inline SVG"
    );
    assert!(overview.body.contains("href=\"/actors/taliban\""));

    // An actor page shows where the actor operates: a map and its busiest provinces,
    // each count linking to those records.
    let actor = get("/actors/is-kp").await;
    assert!(actor.body.contains("Where it operates"));
    let nangarhar = crate::common::sql_count(
        "province_code = 'AF-NAN' AND (actor1_id = 'is-kp' OR actor2_id = 'is-kp' OR actor1_root = 'is-kp' OR actor2_root = 'is-kp')",
    )
    .await;
    assert!(nangarhar > 0);
    let shown = nangarhar
        .to_string()
        .as_bytes()
        .rchunks(3)
        .rev()
        .map(|c| std::str::from_utf8(c).unwrap())
        .collect::<Vec<_>>()
        .join(",");
    assert!(
        actor.body.contains(&format!(
            "href=\"/explore?province=AF-NAN&amp;actor=is-kp\">{shown}</a>"
        )),
        "Nangarhar's IS-KP count links to its records"
    );
}

#[tokio::test]
async fn overview_says_what_each_source_covers_and_gives_no_ratio_over_gaps() {
    let a = get("/").await;
    assert_eq!(a.status, 200);
    let body = &a.body;
    // The shared store: the GED 21.1 subset (default coverage: its first to last
    // event) and the synthetic ACLED-layout rows of 1–3 May 2022.
    let last_ucdp = crate::common::sql_string(
        "SELECT CAST(max(date_start) AS VARCHAR) FROM incidents WHERE source <> 'acled'",
    )
    .await;
    assert!(body.contains("What the sources cover — "), "{body}");
    assert!(
        body.contains(&format!("complete 1989-01-01 – {last_ucdp} (Afghanistan)")),
        "{body}"
    );
    assert!(
        body.contains("acled: complete 2022-05-01 – 2022-05-03"),
        "{body}"
    );
    // The strip: one solid span per source.
    assert_eq!(body.matches("class=\"complete\"").count(), 2, "{body}");
    // The last 365 days of covered data end on 3 May 2022; of those 730 days, the
    // ones no source covers: 4 May 2021 – 30 Apr 2022 (362) and the days after the
    // GED subset's last event up to 3 May 2021.
    let last: chrono::NaiveDate = last_ucdp.parse().unwrap();
    let b_from: chrono::NaiveDate = "2020-05-04".parse().unwrap();
    let b_to: chrono::NaiveDate = "2021-05-03".parse().unwrap();
    let covered_b = (last.min(b_to) - b_from).num_days() + 1;
    let gaps = 362 + (365 - covered_b);
    assert!(
        body.contains(&format!(
            "(no rate ratio: {gaps} of these 730 days have no source covering them)"
        )),
        "{body}"
    );
}
