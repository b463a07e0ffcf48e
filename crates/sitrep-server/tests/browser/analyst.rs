//! Issue 22 in the browser: the interactive map (pan, zoom, clusters, a point opens
//! its incident, the date slider's count equals the API's), the actor graph's
//! slider against the API, a typed alias resolved by the server, PNG downloads.

use super::webdriver::Session;
use super::{serve, shots, wait_for};
use serde_json::Value;

/// The JSON a URL answers, read through the browser (which shows it as text).
fn api(s: &Session, url: &str) -> Value {
    s.goto(url);
    let text = s.script("return document.body.innerText");
    serde_json::from_str(text.as_str().unwrap()).unwrap_or_else(|e| panic!("{url}: {e}: {text}"))
}

fn map_js(s: &Session, expr: &str) -> Value {
    s.script(&format!(
        "const m = window.sitrepMaps[0].map; return {expr};"
    ))
}

#[test]
fn the_live_map_pans_zooms_filters_by_date_and_opens_incidents() {
    let base = serve();
    let shots = shots();
    let downloads = tempfile::tempdir().unwrap();
    let driver = super::webdriver::Driver::start();
    let s = driver.session(downloads.path(), 1280, 900);
    let filters = "province=AF-KAN&from=2015-01-01&to=2020-12-31";
    s.goto(&format!("{base}/explore?{filters}"));
    wait_for("the live map's points", || {
        s.script("const b = document.querySelector('.imap'); return !!(b && b.dataset.loaded)")
            == true
    });
    // The static SVG stays in the page, hidden; Leaflet draws the live map.
    assert_eq!(
        s.script("return getComputedStyle(document.querySelector('figure.map')).display"),
        "none"
    );
    assert!(!s
        .find_all(".leaflet-container .leaflet-overlay-pane path")
        .is_empty());
    // All incidents of the filters at first: the API's total.
    let count = |s: &Session| -> i64 {
        s.script("return Number(document.querySelector('.imap-count').dataset.count)")
            .as_i64()
            .unwrap()
    };
    let total_all = count(&s);
    s.screenshot(&shots.join("20-map-explore.png"));

    // Zoom in with the control, pan with the keyboard.
    // The map first fits the page's incidents (animated): zoom once it is still, and
    // click again if a click landed while it was moving (as a user would).
    wait_for("the map to settle", || {
        map_js(
            &s,
            "!m._animatingZoom && !(m._panAnim && m._panAnim._inProgress)",
        ) == true
    });
    let z0 = map_js(&s, "m.getZoom()").as_f64().unwrap();
    let mut clicks = 0;
    wait_for("the zoom", || {
        if map_js(&s, "m.getZoom()").as_f64().unwrap() > z0 {
            return true;
        }
        if clicks % 20 == 0 {
            s.click(&s.find(".leaflet-control-zoom-in"));
        }
        clicks += 1;
        false
    });
    let c0 = map_js(&s, "[m.getCenter().lat, m.getCenter().lng]");
    s.script("document.querySelector('.leaflet-container').focus()");
    for _ in 0..4 {
        s.keys("\u{E014}"); // arrow right
    }
    wait_for("the pan", || {
        map_js(&s, "[m.getCenter().lat, m.getCenter().lng]") != c0
    });
    let c1 = map_js(&s, "[m.getCenter().lat, m.getCenter().lng]");
    assert!(
        c1[1].as_f64().unwrap() > c0[1].as_f64().unwrap(),
        "panned east: {c0} → {c1}"
    );
    s.screenshot(&shots.join("21-map-zoomed-panned.png"));

    // The slider: move it to 2017-12-31, then to the middle of 2019.
    let mut seen = Vec::new();
    for day in ["2017-12-31", "2019-06-30"] {
        s.script(&format!(
            "const sl = document.querySelector('.imap-slider');\
             const first = Date.parse(document.querySelector('.imap').dataset.from + 'T00:00:00Z') / 864e5;\
             sl.value = String(Date.parse('{day}T00:00:00Z') / 864e5 - first);\
             sl.dispatchEvent(new Event('input'));"
        ));
        assert_eq!(s.text(&s.find(".imap-date")), day);
        seen.push((day, count(&s)));
    }
    assert!(
        seen[0].1 < seen[1].1 && seen[1].1 < total_all,
        "{seen:?} of {total_all}"
    );
    s.screenshot(&shots.join("22-map-slider.png"));

    // A point: zoom into clusters until single points show, then click the topmost.
    for _ in 0..8 {
        if !s.find_all("path.imap-point").is_empty() {
            break;
        }
        let z = map_js(&s, "m.getZoom()").as_f64().unwrap();
        s.click(&s.find(".imap-cluster"));
        wait_for("the zoom into a cluster", || {
            map_js(&s, "m.getZoom()").as_f64().unwrap() > z
        });
    }
    let id = s.script(
        "const p = [...document.querySelectorAll('path.imap-point')].find(e => {\
           const r = e.getBoundingClientRect();\
           return r.width > 0 && r.top > 0 && r.left > 0 && r.bottom < innerHeight && r.right < innerWidth; });\
         const r = p.getBoundingClientRect();\
         const top = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);\
         top.setAttribute('data-pick', '1');\
         return top.dataset.id;",
    );
    let id = id
        .as_str()
        .expect("a point under its own centre")
        .to_string();
    s.screenshot(&shots.join("23-map-point.png"));
    s.click(&s.find("path[data-pick]"));
    wait_for("the incident page", || s.url().contains("/incidents/"));
    let path = s.script("return decodeURIComponent(location.pathname)");
    assert_eq!(
        path.as_str().unwrap(),
        format!("/incidents/{id}"),
        "{}",
        s.url()
    );
    assert!(s.text(&s.find("main h1")).contains("Kandahar"));
    // The incident page has its live map too, centred on the incident.
    wait_for("the incident's map", || {
        s.script("const b = document.querySelector('.imap'); return !!(b && b.dataset.loaded)")
            == true
    });
    s.screenshot(&shots.join("24-incident-map.png"));

    // Each slider count is what the API counts for the same filters up to that day.
    for (day, n) in &seen {
        let v = api(
            &s,
            &format!(
                "{base}/api/v1/incidents?province=AF-KAN&from=2015-01-01&to={day}&page_size=1"
            ),
        );
        assert_eq!(v["total"].as_i64().unwrap(), *n, "up to {day}");
    }
    let v = api(
        &s,
        &format!("{base}/api/v1/incidents?{filters}&page_size=1"),
    );
    assert_eq!(v["total"].as_i64().unwrap(), total_all);
}

#[test]
fn the_actor_graph_slider_shows_the_relations_of_the_day() {
    let base = serve();
    let shots = shots();
    let downloads = tempfile::tempdir().unwrap();
    let driver = super::webdriver::Driver::start();
    let s = driver.session(downloads.path(), 1280, 1000);
    let mut shown = Vec::new();
    for day in ["2020-01-01", "2022-01-01"] {
        s.goto(&format!("{base}/actors/graph"));
        wait_for("the slider", || !s.find_all(".graph-slider").is_empty());
        s.script(&format!(
            "const sl = document.querySelector('.graph-slider');\
             const first = Date.parse(document.querySelector('.graph-live').dataset.from + 'T00:00:00Z') / 864e5;\
             sl.value = String(Date.parse('{day}T00:00:00Z') / 864e5 - first);\
             sl.dispatchEvent(new Event('input'));"
        ));
        assert_eq!(s.text(&s.find(".graph-date")), day);
        let visible = s.script(
            "return [...document.querySelectorAll('svg.actor-graph line.link')]\
               .filter(l => getComputedStyle(l).display !== 'none')\
               .map(l => [l.dataset.source, l.dataset.target, l.dataset.kind].join(' ')).sort()",
        );
        let n = s.script("return Number(document.querySelector('.graph-count').dataset.links)");
        s.screenshot(&shots.join(format!("25-graph-{day}.png")));
        let g = api(&s, &format!("{base}/api/v1/actors/graph?at={day}"));
        let mut want: Vec<String> = g["links"]
            .as_array()
            .unwrap()
            .iter()
            .map(|l| {
                format!(
                    "{} {} {}",
                    l["source"].as_str().unwrap(),
                    l["target"].as_str().unwrap(),
                    l["kind"].as_str().unwrap()
                )
            })
            .collect();
        want.sort();
        let got: Vec<String> = visible
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_str().unwrap().to_string())
            .collect();
        assert_eq!(got, want, "links shown on {day}");
        assert_eq!(n.as_u64().unwrap() as usize, want.len());
        shown.push(got);
    }
    assert_ne!(
        shown[0], shown[1],
        "the network changed between 2020 and 2022"
    );
    assert!(shown[0].iter().any(|l| l == "afg-republic taliban rival"));
    assert!(!shown[1].iter().any(|l| l == "afg-republic taliban rival"));
    assert!(shown[1].iter().any(|l| l == "nrf taliban rival"));
    // Clicking an actor opens it.
    s.goto(&format!("{base}/actors/graph"));
    s.click(&s.find("svg.actor-graph g.node[data-id='is-kp'] circle"));
    wait_for("the actor page", || s.url().ends_with("/actors/is-kp"));
    assert!(s.text(&s.find("main h1")).contains("Khorasan"));
    assert!(!s
        .find_all("#network + p + link + .graph-live svg, .graph-live svg")
        .is_empty());
}

#[test]
fn a_typed_alias_resolves_and_figures_download_as_png() {
    let base = serve();
    let shots = shots();
    let downloads = tempfile::tempdir().unwrap();
    let driver = super::webdriver::Driver::start();
    let s = driver.session(downloads.path(), 1280, 900);
    s.goto(&format!("{base}/explore"));
    // The field offers names and aliases, not ids.
    let offered =
        s.script("return [...document.querySelectorAll('#actors option')].map(o => o.value)");
    let offered: Vec<&str> = offered
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    assert!(
        offered.contains(&"Daesh-Khorasan") && offered.contains(&"Islamic State Khorasan Province")
    );
    assert!(!offered.contains(&"is-kp"));
    s.type_into(&s.find("input[name=actor]"), "Daesh Khorasan");
    s.click(&s.find("form.filters button[type=submit]"));
    wait_for("the filtered page", || s.url().contains("actor=Daesh"));
    let resolved = s
        .attr(&s.find("p.resolved a[data-actor]"), "data-actor")
        .unwrap();
    assert_eq!(resolved, "is-kp");
    let total = super::n(&s.text(&s.find("#incidents + p")));
    s.screenshot(&shots.join("26-autocomplete-resolved.png"));
    let v = api(
        &s,
        &format!("{base}/api/v1/incidents?actor=is-kp&page_size=1"),
    );
    assert_eq!(total, v["total"].as_i64().unwrap());
    assert!(total > 0);

    // PNG beside SVG on the figures page; it decodes and has the figure's size.
    s.goto(&format!("{base}/figures"));
    s.click(&s.find("#fig7 a[download='fig7.svg']"));
    s.click(&s.find("#fig7 a[download='fig7.png']"));
    let (svg, png) = (
        downloads.path().join("fig7.svg"),
        downloads.path().join("fig7.png"),
    );
    wait_for("both downloads", || {
        std::fs::read_to_string(&svg).is_ok_and(|t| t.trim_end().ends_with("</svg>"))
            && std::fs::read(&png).is_ok_and(|b| b.ends_with(b"IEND\xaeB`\x82"))
    });
    let svg = std::fs::read_to_string(&svg).unwrap();
    let attr = |name: &str| -> u32 {
        let at = svg.find(&format!(" {name}=\"")).unwrap() + name.len() + 3;
        svg[at..].split('"').next().unwrap().parse().unwrap()
    };
    let bytes = std::fs::read(&png).unwrap();
    let mut reader = png::Decoder::new(std::io::Cursor::new(&bytes))
        .read_info()
        .unwrap();
    let mut buf = vec![0; reader.output_buffer_size()];
    let info = reader.next_frame(&mut buf).unwrap();
    assert_eq!((info.width, info.height), (attr("width"), attr("height")));
    std::fs::copy(downloads.path().join("fig7.png"), shots.join("27-fig7.png")).unwrap();
}
