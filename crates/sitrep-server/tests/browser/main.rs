//! Browser tests: the real pages in headless Chromium, driven through chromedriver
//! (Debian's `chromium` and `chromium-driver`, installed by `scripts/install-browser`,
//! which `scripts/test` runs first). The server runs in-process on 127.0.0.1 over the
//! same real store as the API tests (bundled UCDP GED Afghanistan rows plus three
//! SYNTHETIC ACLED-layout rows). Screenshots of every step are written under the
//! test target directory (`browser-screenshots/`) for a person to look at.

mod analyst; // issue 22: the live map, the actor graph slider, autocomplete, PNG
#[allow(dead_code)]
#[path = "../server/common.rs"]
mod common;
mod webdriver;

use std::path::PathBuf;
use std::time::{Duration, Instant};
use webdriver::{Driver, Session};

/// Starts the server on a free loopback port in a background runtime; its base URL.
fn serve() -> String {
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap();
        rt.block_on(async move {
            let state = common::state().await;
            let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
            tx.send(listener.local_addr().unwrap()).unwrap();
            axum::serve(listener, sitrep_server::app(state))
                .await
                .unwrap();
        });
    });
    let addr = rx
        .recv_timeout(Duration::from_secs(600))
        .expect("server started");
    format!("http://{addr}")
}

fn shots() -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("browser-screenshots");
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Waits until `cond` holds (pages load after clicks), failing with `what`.
fn wait_for(what: &str, mut cond: impl FnMut() -> bool) {
    let until = Instant::now() + Duration::from_secs(30);
    while !cond() {
        assert!(Instant::now() < until, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// The first number in `text` ("1,298 incidents; page 1 of 26" → 1298).
fn n(text: &str) -> i64 {
    text.split_whitespace()
        .next()
        .unwrap_or_default()
        .chars()
        .filter(char::is_ascii_digit)
        .collect::<String>()
        .parse()
        .unwrap_or(-1)
}

/// Sum of the incidents shaded on the Explore map, and the provinces with any.
fn map_values(s: &Session) -> (f64, Vec<String>) {
    let v = s.script(
        "const a=[...document.querySelectorAll('figure.map [data-code][data-value]')];\
         return [a.reduce((t,e)=>t+Number(e.dataset.value),0), a.filter(e=>Number(e.dataset.value)>0).map(e=>e.dataset.code)];",
    );
    let codes = v[1]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c.as_str().unwrap().to_string())
        .collect();
    (v[0].as_f64().unwrap(), codes)
}

#[test]
fn an_analyst_explores_follows_records_and_downloads_a_figure() {
    let base = serve();
    let shots = shots();
    let downloads = tempfile::tempdir().unwrap();
    let driver = Driver::start();
    let s = driver.session(downloads.path(), 1280, 900);

    // Overview: headline numbers, the weekly trend and the province map.
    s.goto(&format!("{base}/"));
    assert!(s.title().starts_with("Overview"), "{}", s.title());
    assert!(s.find_all("section.cards .card").len() >= 3);
    assert!(s.find_all("svg").len() >= 2, "trend and map drawn");
    // Keyboard: the first Tab reaches the skip link.
    s.keys("\u{E004}");
    let focused = s.script("return document.activeElement.textContent");
    assert_eq!(focused, "Skip to content");
    // The period comparison says why it gives no ratio: in this store (GED to 2020,
    // three ACLED days in 2022) most of the last two covered years have no source.
    let main = s.text(&s.find("main"));
    assert!(main.contains("Last 365 days of covered data"), "{main}");
    assert!(main.contains("no rate ratio"), "{main}");
    assert!(main.contains("What the sources cover"), "{main}");
    s.screenshot(&shots.join("01-overview.png"));

    // Explore, then a province filter typed into the form.
    s.goto(&format!("{base}/explore"));
    let total_before = n(&s.text(&s.find("#incidents + p")));
    let trend_before = s.script("return document.querySelector('figure.trend, svg').outerHTML");
    let (map_before, provinces_before) = map_values(&s);
    assert!(provinces_before.len() > 20, "{provinces_before:?}");
    s.type_into(&s.find("input[name=province]"), "AF-KAN");
    s.click(&s.find("form.filters button[type=submit]"));
    wait_for("the filtered page", || s.url().contains("province=AF-KAN"));
    let total_after = n(&s.text(&s.find("#incidents + p")));
    let expected = tokio::runtime::Runtime::new()
        .unwrap()
        .block_on(common::sql_count("province_code = 'AF-KAN'"));
    assert_eq!(
        total_after, expected,
        "table total = SQL count for Kandahar"
    );
    assert!(total_after < total_before);
    // Table: every row on the page is in Kandahar.
    let cells = s.find_all("table.wide tbody tr td:nth-child(3)");
    assert!(!cells.is_empty());
    for c in &cells {
        assert_eq!(s.text(c), "Kandahar");
    }
    // Chart and map changed with the filter.
    let trend_after = s.script("return document.querySelector('figure.trend, svg').outerHTML");
    assert_ne!(trend_before, trend_after, "the trend is redrawn");
    let (map_after, provinces_after) = map_values(&s);
    assert_eq!(provinces_after, ["AF-KAN"], "only Kandahar is shaded");
    assert_eq!(map_after as i64, expected);
    assert!(map_after < map_before);
    // The URL holds the state: reloading it gives the same page.
    let url = s.url();
    s.goto(&url);
    assert_eq!(n(&s.text(&s.find("#incidents + p"))), total_after);
    s.screenshot(&shots.join("02-explore-kandahar.png"));

    // An incident, then its actor.
    let first = s.find("table.wide tbody tr td:first-child a");
    let href = s.attr(&first, "href").unwrap();
    s.click(&first);
    wait_for("the incident page", || s.url().contains("/incidents/"));
    assert!(
        s.url().ends_with(&href) || href.starts_with("http"),
        "{} vs {href}",
        s.url()
    );
    let body = s.text(&s.find("main"));
    assert!(
        body.contains("Kandahar"),
        "the incident page names its province"
    );
    assert!(
        body.contains("ged211_afghanistan_subset.csv") || body.contains("synthetic"),
        "provenance shown"
    );
    s.screenshot(&shots.join("03-incident.png"));
    let actor = s.find("main a[href^='/actors/']");
    let actor_href = s.attr(&actor, "href").unwrap();
    s.click(&actor);
    wait_for("the actor page", || s.url().contains("/actors/"));
    assert!(actor_href.contains("/actors/"));
    assert!(!s.text(&s.find("main h1")).is_empty());
    s.screenshot(&shots.join("04-actor.png"));

    // Figures: every bundled figure drawn; download one as SVG.
    s.goto(&format!("{base}/figures"));
    let imgs = s.find_all("figure.fig img");
    assert_eq!(imgs.len(), 7);
    wait_for("figure images to load", || {
        s.script("return [...document.images].every(i => i.complete && i.naturalWidth > 0)") == true
    });
    s.screenshot(&shots.join("05-figures.png"));
    s.click(&s.find("#fig7 a[download='fig7.svg']"));
    let file = downloads.path().join("fig7.svg");
    wait_for("fig7.svg in the downloads folder", || {
        std::fs::read_to_string(&file).is_ok_and(|t| t.trim_end().ends_with("</svg>"))
    });
    let svg = std::fs::read_to_string(&file).unwrap();
    assert!(
        svg.starts_with("<svg")
            && svg.contains("Incidents by distance to nearest provincial capital")
    );
    s.goto(&format!("{base}/figures/fig2"));
    assert!(s.find_all("main svg [data-code]").len() >= 34);
    s.screenshot(&shots.join("06-figure-fig2.png"));
    drop(s);

    // A phone-sized window: nothing wider than the screen.
    // Chrome's headless window is at least 500 px wide: emulate the phone's viewport.
    let phone = driver.session(downloads.path(), 390, 844);
    phone.cdp(
        "Emulation.setDeviceMetricsOverride",
        serde_json::json!({"width": 390, "height": 844, "deviceScaleFactor": 1, "mobile": true}),
    );
    for (i, path) in ["/", "/explore?province=AF-KAN", "/figures"]
        .iter()
        .enumerate()
    {
        phone.goto(&format!("{base}{path}"));
        let fits =
            phone.script("return document.documentElement.scrollWidth <= window.innerWidth + 1");
        phone.screenshot(&shots.join(format!(
            "{:02}-phone{}.png",
            7 + i,
            path.replace(['/', '?', '='], "-")
        )));
        assert_eq!(fits, true, "{path} scrolls sideways on a phone");
    }
    eprintln!("screenshots in {}", shots.display());
}
