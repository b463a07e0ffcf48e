//! `/forecast` and the province page's "Next month" panel against
//! `GET /api/v1/forecast` on the bundled data (issue 19 item 4): the numbers shown
//! are the API's, formatted here independently of the page's code.

use crate::common::{request_to, resolver, state, Answer};
use axum::body::Body;
use axum::http::{Method, StatusCode};
use serde_json::Value;
use sitrep_server::AppState;

async fn get_on(s: &AppState, uri: &str) -> Answer {
    request_to(s.clone(), Method::GET, uri, Body::empty()).await
}

/// A forecast number as the page shows it: one decimal.
fn one_decimal(v: &Value) -> String {
    format!("{:.1}", v.as_f64().expect("a number"))
}

/// Text as maud escapes it.
fn escaped(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// The part of `body` from `start` to the next `end`.
fn between<'a>(body: &'a str, start: &str, end: &str) -> &'a str {
    let i = body
        .find(start)
        .unwrap_or_else(|| panic!("no {start:?} in the page"));
    let j = body[i..].find(end).map_or(body.len(), |j| i + j);
    &body[i..j]
}

#[tokio::test]
async fn forecast_page_and_province_panel_show_the_api_numbers() {
    let s = state().await;
    let api = get_on(&s, "/api/v1/forecast").await;
    assert_eq!(api.status, StatusCode::OK, "{}", api.body);
    let j = api.json();
    let chosen = j["chosen"].as_str().expect("chosen");
    let mut next: Vec<&Value> = j["cells"]
        .as_array()
        .expect("cells")
        .iter()
        .filter(|c| c["horizon"] == 1)
        .collect();
    assert!(next.len() >= 30, "one cell per province: {}", next.len());
    // The two provinces expected to be most violent, and Kabul.
    next.sort_by(|a, b| {
        b["mean"]
            .as_f64()
            .unwrap()
            .total_cmp(&a["mean"].as_f64().unwrap())
    });
    let mut picks: Vec<&Value> = next[..2].to_vec();
    if let Some(kabul) = next[2..].iter().find(|c| c["unit"] == "AF-KAB") {
        picks.push(kabul);
    }

    let page = get_on(&s, "/forecast").await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    let body = &page.body;
    assert!(body.contains("<title>Forecast"), "title");
    assert!(
        body.contains("<a href=\"/forecast\">Forecast</a>"),
        "nav link"
    );
    let verdict = between(body, "id=\"verdict\"", "</p>");
    assert!(
        verdict.contains(chosen),
        "the chosen forecaster {chosen}: {verdict}"
    );
    if j["chosen_is_baseline"] == true {
        assert!(
            verdict.contains("No model beat the"),
            "a baseline is said to be one: {verdict}"
        );
    }
    let explanation = j["explanation"].as_str().expect("explanation");
    assert!(
        body.contains(&escaped(explanation)),
        "the verdict's explanation"
    );
    // The skill that decided, with its bootstrap interval: the chosen model's over
    // the best baseline, or the best model's over the chosen baseline.
    let pooled = |k: &str| -> Vec<&Value> {
        j[k].as_array()
            .expect(k)
            .iter()
            .filter(|s| s["horizon"].is_null())
            .collect()
    };
    let f = |v: &Value| v.as_f64().expect("a number");
    let best_baseline = pooled("scores")
        .into_iter()
        .filter(|s| s["baseline"] == true)
        .min_by(|a, b| f(&a["crps"]).total_cmp(&f(&b["crps"])))
        .expect("a baseline scored");
    let skill = pooled("skills")
        .into_iter()
        .filter(|s| {
            if j["chosen_is_baseline"] == true {
                s["baseline"] == chosen
            } else {
                s["model"] == chosen && s["baseline"] == best_baseline["forecaster"]
            }
        })
        .max_by(|a, b| f(&a["skill"]).total_cmp(&f(&b["skill"])))
        .expect("a skill");
    let pct = |v: &Value| format!("{:+.1} %", 100.0 * f(v));
    let skill_text = between(body, "id=\"skill\"", "</dd>");
    for k in ["skill", "lo", "hi"] {
        assert!(
            skill_text.contains(&pct(&skill[k])),
            "skill {k}: {skill_text}"
        );
    }
    let cover = pooled("scores")
        .into_iter()
        .find(|s| s["forecaster"] == chosen)
        .expect("the chosen forecaster scored");
    let coverage_text = between(body, "id=\"coverage\"", "</dd>");
    let share = format!("{:.1} %", 100.0 * f(&cover["coverage90"]));
    assert!(
        coverage_text.contains(&share),
        "coverage {share}: {coverage_text}"
    );
    let trained = between(body, "id=\"trained\"", "</dd>");
    for k in ["trained_from", "trained_to"] {
        let d: chrono::NaiveDate = j[k].as_str().unwrap().parse().unwrap();
        assert!(
            trained.contains(&d.format("%B %Y").to_string()),
            "{k}: {trained}"
        );
    }
    assert!(
        body.contains("href=\"/api/v1/forecast\""),
        "link to the JSON"
    );
    // The last month trained on: the series API says whether any source covers it
    // (counts null = no data); the page then shows "no data", never 0, or the count.
    let trained_to: chrono::NaiveDate = j["trained_to"].as_str().unwrap().parse().unwrap();
    let month_end = trained_to + chrono::Months::new(1) - chrono::Days::new(1);
    for c in &picks {
        let unit = c["unit"].as_str().unwrap();
        let row = between(body, &format!("<tr id=\"fc-{unit}\">"), "</tr>");
        let last = between(row, "class=\"n last\"", "</td>");
        let series = get_on(
            &s,
            &format!(
                "/api/v1/series?bucket=month&province={unit}&from={trained_to}&to={month_end}"
            ),
        )
        .await
        .json();
        let point = &series["points"][0];
        match point["incidents"].as_i64() {
            None => assert!(last.contains("no data"), "{unit}: uncovered month: {last}"),
            Some(n) if j["measure"] == "incidents" => {
                assert!(last.contains(&format!(">{n}<")), "{unit}: {n} in {last}")
            }
            Some(_) => assert!(!last.contains("no data"), "{unit}: {last}"),
        }
        let mean = one_decimal(&c["mean"]);
        let interval = format!("{}–{}", one_decimal(&c["q05"]), one_decimal(&c["q95"]));
        assert!(
            row.contains(&format!(">{mean}<")),
            "{unit}: mean {mean} in {row}"
        );
        assert!(
            row.contains(&format!(">{interval}<")),
            "{unit}: {interval} in {row}"
        );
        assert!(
            row.contains(&format!("href=\"/places/{unit}\"")),
            "{unit}: link"
        );
        let month: chrono::NaiveDate = c["month"].as_str().unwrap().parse().unwrap();
        assert!(
            row.contains(&month.format("%B %Y").to_string()),
            "{unit}: month"
        );
    }
    // The map: an SVG whose provinces open their pages.
    let map = between(body, "<figure class=\"map\">", "</figure>");
    assert!(map.contains("<svg"), "map SVG");
    let links = map.matches("<a href=\"/places/AF-").count();
    assert!(links >= 30, "province links on the map: {links}");
    assert!(map.contains(&format!(
        "<a href=\"/places/{}\">",
        picks[0]["unit"].as_str().unwrap()
    )));

    // The province panel shows the same numbers and the forecaster.
    for c in &picks {
        let unit = c["unit"].as_str().unwrap();
        let place = get_on(&s, &format!("/places/{unit}")).await;
        assert_eq!(place.status, StatusCode::OK, "{unit}: {}", place.body);
        let panel = between(&place.body, "<section id=\"next-month\">", "</section>");
        let mean = one_decimal(&c["mean"]);
        let interval = format!("{}–{}", one_decimal(&c["q05"]), one_decimal(&c["q95"]));
        assert!(
            panel.contains(&format!(">{mean}<")),
            "{unit}: mean {mean} in {panel}"
        );
        assert!(
            panel.contains(&format!(">{interval}<")),
            "{unit}: {interval} in {panel}"
        );
        assert!(panel.contains(chosen), "{unit}: forecaster in {panel}");
        assert!(
            panel.contains("href=\"/forecast\""),
            "{unit}: link to the page"
        );
    }
}

#[tokio::test]
async fn province_page_survives_a_failed_forecast() {
    // An empty store: nothing to forecast from.
    let dir = tempfile::tempdir().expect("tempdir");
    let store = sitrep_store::Store::open_or_create(dir.path().join("store")).expect("store");
    let s = AppState::new(store, resolver()).await.expect("state");
    let place = get_on(&s, "/places/AF-KAB").await;
    assert_eq!(place.status, StatusCode::OK, "{}", place.body);
    let panel = between(&place.body, "<section id=\"next-month\">", "</section>");
    assert!(panel.contains("No forecast"), "{panel}");
}
