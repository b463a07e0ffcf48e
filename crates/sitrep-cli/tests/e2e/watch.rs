use crate::common::{data, Env, Server};
use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

const GED: &str = "ucdp/ged211_afghanistan_subset.csv";

/// A store with the GED 21.1 subset (data end 2020-12-31).
fn env() -> Env {
    let env = Env::new();
    env.ok(&["ingest", data(GED).to_str().unwrap()]);
    env
}

/// Monthly incident counts of 2020, from the CSV.
fn months_2020() -> BTreeMap<u32, u64> {
    let mut r = csv::Reader::from_path(data(GED)).unwrap();
    let mut out = BTreeMap::new();
    for rec in r.records() {
        let rec = rec.unwrap();
        if &rec[1] == "2020" {
            *out.entry(rec[2].parse::<u32>().unwrap()).or_insert(0) += 1;
        }
    }
    out
}

/// An indicator whose latest bucket fires for the first time: the first month of
/// 2020 with the year's highest count, watched up to that month with that count as
/// the threshold (the month before is lower, so its status changes).
fn firing_indicator() -> (String, String) {
    let m = months_2020();
    let max = *m.values().max().unwrap();
    let month = *m.iter().find(|(_, v)| **v == max).unwrap().0;
    let last = chrono::NaiveDate::from_ymd_opt(2020, month + 1, 1)
        .unwrap_or(chrono::NaiveDate::from_ymd_opt(2021, 1, 1).unwrap())
        - chrono::Days::new(1);
    let toml = format!(
        "id = \"peak-2020\"\ntitle = \"The 2020 peak month\"\ncitation = \"test\"\n[query]\nbucket = \"month\"\n[query.filters]\nfrom = 2020-01-01\nto = {last}\n[rule]\nkind = \"threshold\"\nat_least = {max}\n"
    );
    (toml, format!("2020-{month:02}-01"))
}

fn write(env: &Env, name: &str, text: &str) -> String {
    let p = env.path(name);
    std::fs::write(&p, text).unwrap();
    p.to_str().unwrap().to_string()
}

#[test]
fn watch_exit_code_says_whether_anything_fired() {
    let env = env();
    // Bundled indicators watch from the takeover: beyond these data, nothing fires.
    let out = env.run(&["watch", "--as-of", "2022-12-31"]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let quiet = write(
        &env,
        "quiet.toml",
        "id = \"never\"\ntitle = \"t\"\n[query]\nbucket = \"month\"\n[query.filters]\nfrom = 2020-01-01\nto = 2020-12-31\n[rule]\nkind = \"threshold\"\nat_least = 100000\n",
    );
    let out = env.run(&["watch", "--indicators", &quiet]);
    assert_eq!(out.status.code(), Some(0));
    let (firing, month) = firing_indicator();
    let f = write(&env, "fire.toml", &firing);
    let out = env.run(&["watch", "--indicators", &f, "--format", "json"]);
    assert_eq!(
        out.status.code(),
        Some(7),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["fired"], serde_json::json!(["peak-2020"]));
    let alerts = v["alerts"].as_array().unwrap();
    let latest: Vec<&serde_json::Value> = alerts
        .iter()
        .filter(|a| a["indicator"] == "peak-2020" && a["latest"] == true)
        .collect();
    assert_eq!(latest.len(), 1, "{alerts:?}");
    assert_eq!(latest[0]["bucket_start"], month);
    assert_eq!(latest[0]["kind"], "fired");
    assert_eq!(latest[0]["data_through"], "2020-12-31");
    assert!(!latest[0]["vintage"].as_str().unwrap().is_empty());
    assert!(!latest[0]["records"].as_array().unwrap().is_empty());
    // --help documents the exit codes.
    let help = env.run(&["watch", "--help"]);
    assert!(String::from_utf8_lossy(&help.stdout).contains("7 at least one indicator fired"));
}

#[test]
fn a_bad_indicator_file_is_refused_with_its_line_and_column() {
    let env = env();
    let bad = write(
        &env,
        "bad.toml",
        "id = \"x\"\ntitle = \"t\"\n[query]\nbucket = \"month\"\n[rule]\nkind = \"treshold\"\nat_least = 3\n",
    );
    let out = env.run(&["watch", "--indicators", &bad]);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("bad.toml:6:8: `rule.kind`"), "{err}");
    assert!(err.contains("unknown variant `treshold`"), "{err}");
    assert!(err.contains("fix: "), "{err}");
}

/// A loopback HTTP receiver: answers 500 to the first `fail` requests, 200 after;
/// keeps the bodies it accepted.
struct Receiver {
    url: String,
    hits: Arc<AtomicUsize>,
    accepted: Arc<Mutex<Vec<String>>>,
}

fn receiver(fail: usize) -> Receiver {
    let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/hook", l.local_addr().unwrap());
    let hits = Arc::new(AtomicUsize::new(0));
    let accepted = Arc::new(Mutex::new(Vec::new()));
    let (h, a) = (Arc::clone(&hits), Arc::clone(&accepted));
    std::thread::spawn(move || {
        for s in l.incoming() {
            let Ok(mut s) = s else { continue };
            let mut buf = Vec::new();
            let mut chunk = [0u8; 4096];
            // Read the head, then Content-Length bytes of body.
            let body = loop {
                let n = s.read(&mut chunk).unwrap_or(0);
                if n == 0 {
                    break None;
                }
                buf.extend_from_slice(&chunk[..n]);
                let text = String::from_utf8_lossy(&buf).to_string();
                if let Some((head, body)) = text.split_once("\r\n\r\n") {
                    let len: usize = head
                        .lines()
                        .find_map(|l| {
                            l.to_ascii_lowercase()
                                .strip_prefix("content-length:")
                                .map(|v| v.trim().parse().unwrap())
                        })
                        .unwrap_or(0);
                    if body.len() >= len {
                        break Some(body.to_string());
                    }
                }
            };
            let n = h.fetch_add(1, Ordering::SeqCst);
            let status = if n < fail {
                "500 Internal Server Error"
            } else {
                "200 OK"
            };
            if n >= fail {
                if let Some(b) = body {
                    a.lock().unwrap().push(b);
                }
            }
            let _ = write!(
                s,
                "HTTP/1.1 {status}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
            );
        }
    });
    Receiver {
        url,
        hits,
        accepted,
    }
}

#[test]
fn webhook_retries_delivers_once_and_not_again_after_a_restart() {
    let env = env();
    let (firing, month) = firing_indicator();
    std::fs::create_dir_all(env.store().join("indicators")).unwrap();
    std::fs::write(env.store().join("indicators/peak.toml"), &firing).unwrap();
    let r = receiver(2);
    // The store's indicators/ directory is read without --indicators.
    let out = env.run(&["watch", "--webhook", &r.url, "--webhook-backoff-ms", "50"]);
    assert_eq!(
        out.status.code(),
        Some(7),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        r.hits.load(Ordering::SeqCst),
        3,
        "two failures, then success"
    );
    let got = r.accepted.lock().unwrap().clone();
    assert_eq!(got.len(), 1);
    let alert: serde_json::Value = serde_json::from_str(&got[0]).unwrap();
    assert_eq!(alert["indicator"], "peak-2020");
    assert_eq!(alert["bucket_start"], month);
    let log = std::fs::read_to_string(env.store().join("watch/deliveries.jsonl")).unwrap();
    let lines: Vec<serde_json::Value> = log
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 1, "{log}");
    assert_eq!(lines[0]["outcome"], "delivered");
    assert_eq!(lines[0]["attempts"], 3);
    assert_eq!(lines[0]["alert"], alert["id"]);
    // A restart: a new process, the same alerts; the log says delivered, nothing is sent.
    std::fs::write(
        env.store().join("webhooks.toml"),
        format!("urls = [\"{}\"]\n", r.url),
    )
    .unwrap();
    let out = env.run(&["watch"]);
    assert_eq!(out.status.code(), Some(7));
    assert_eq!(r.hits.load(Ordering::SeqCst), 3, "no second delivery");
    let log2 = std::fs::read_to_string(env.store().join("watch/deliveries.jsonl")).unwrap();
    assert_eq!(log, log2);
}

#[test]
fn changes_lists_breaks_with_dates_and_rates() {
    let env = env();
    let out = env.run(&[
        "changes",
        "--bucket",
        "year",
        "--from",
        "1989-01-01",
        "--to",
        "2020-12-31",
        "--format",
        "json",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let years: Vec<String> = v["breaks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["date"].as_str().unwrap()[..4].to_string())
        .collect();
    // watch_oracle.py (crates/sitrep-analysis/tests/analysis): Poisson PELT, MBIC.
    assert_eq!(
        years,
        [
            "1992", "1994", "1997", "2000", "2002", "2004", "2006", "2009", "2012", "2014", "2016",
            "2018"
        ]
    );
    let out = env.run(&["changes", "--bucket", "year", "--penalty", "nonsense"]);
    assert_eq!(out.status.code(), Some(2), "a usage error");
    let csv = env.run(&[
        "changes", "--bucket", "year", "--cost", "negbin", "--format", "csv",
    ]);
    assert!(csv.status.success());
    let text = String::from_utf8_lossy(&csv.stdout);
    assert!(
        text.starts_with(
            "after,before,date,interval,rate_after,rate_before,ratio,ratio_hi,ratio_lo"
        ),
        "{text}"
    );
    assert!(text.contains("2006-01-01"), "{text}");
}

#[test]
fn alerts_json_and_atom_from_the_server() {
    let env = env();
    let (firing, month) = firing_indicator();
    std::fs::create_dir_all(env.store().join("indicators")).unwrap();
    std::fs::write(env.store().join("indicators/peak.toml"), &firing).unwrap();
    let server = Server::start_store(&env);
    let json: serde_json::Value = serde_json::from_str(&server.get("/api/v1/alerts")).unwrap();
    let alerts = json["alerts"].as_array().unwrap();
    let peak: Vec<&serde_json::Value> = alerts
        .iter()
        .filter(|a| a["indicator"] == "peak-2020")
        .collect();
    assert!(!peak.is_empty(), "{json}");
    let atom = server.get("/api/v1/alerts.atom");
    let doc = roxmltree::Document::parse(&atom).unwrap_or_else(|e| panic!("{e}: {atom}"));
    let root = doc.root_element();
    assert_eq!(root.tag_name().name(), "feed");
    assert_eq!(
        root.tag_name().namespace(),
        Some("http://www.w3.org/2005/Atom")
    );
    for req in ["id", "title", "updated"] {
        assert!(
            root.children().any(|c| c.tag_name().name() == req),
            "feed lacks {req}"
        );
    }
    let entries: Vec<_> = root
        .children()
        .filter(|c| c.tag_name().name() == "entry")
        .collect();
    assert_eq!(entries.len(), alerts.len());
    let ids: Vec<String> = entries
        .iter()
        .map(|e| {
            e.children()
                .find(|c| c.tag_name().name() == "id")
                .unwrap()
                .text()
                .unwrap()
                .to_string()
        })
        .collect();
    for a in &peak {
        assert!(ids.contains(&format!("urn:sitrep:alert:{}", a["id"].as_str().unwrap())));
    }
    assert!(atom.contains(&format!("({month} – ")), "{atom}");
    let page = server.get("/watch");
    assert!(page.contains("peak-2020") && page.contains("taliban-fragmentation"));
    let page = server.get("/watch/peak-2020");
    assert!(page.contains("/explore?"), "links to the records");
    let changes: serde_json::Value = serde_json::from_str(
        &server.get("/api/v1/changes?bucket=year&from=1989-01-01&to=2020-12-31"),
    )
    .unwrap();
    assert_eq!(changes["breaks"].as_array().unwrap().len(), 12);
}

/// The monthly counts `bundled_ged_monthly.csv` holds (exported once by `sitrep series
/// --bucket month --source ucdp-ged211-subset --source ucdp-ged231 --format csv` on the
/// bundled store), as (month, count).
fn committed_bundled_months() -> Vec<(String, f64)> {
    let p = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/e2e/bundled_ged_monthly.csv");
    let mut r = csv::Reader::from_path(p).unwrap();
    r.deserialize::<BTreeMap<String, String>>()
        .map(|row| {
            let row = row.unwrap();
            (
                row["bucket_start"][..7].to_string(),
                row["value"].parse().unwrap(),
            )
        })
        .collect()
}

fn break_months(v: &serde_json::Value) -> Vec<String> {
    v["breaks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["date"].as_str().unwrap()[..7].to_string())
        .collect()
}

/// Issue 17: on the coverage-aware bundle (no --store), Poisson PELT with the MBIC
/// penalty on the monthly incident series of the two bundled GED releases finds the
/// August 2021 drop (the Taliban takeover, 15 Aug 2021). Tolerance: a downward break
/// dated 2021-08 or 2021-09 (the takeover month or the month after), with the rate
/// after below 0.7 of the rate before. The exact dates are ruptures' Pelt with R
/// changepoint's Poisson/MBIC cost on the same counts, cross-checked by an exact
/// optimal partition (bundled_changes_oracle.py).
#[test]
fn changes_on_the_bundle_find_the_august_2021_drop() {
    let env = Env::new();
    let ged = ["--source", "ucdp-ged211-subset", "--source", "ucdp-ged231"];
    // The oracle's input is what sitrep exports now.
    let out = env
        .bundled(
            &[
                &["series", "--bucket", "month", "--format", "csv"][..],
                &ged[..],
            ]
            .concat(),
        )
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let mut r = csv::Reader::from_reader(&out.stdout[..]);
    let now: Vec<(String, f64)> = r
        .deserialize::<BTreeMap<String, String>>()
        .map(|row| {
            let row = row.unwrap();
            (
                row["bucket_start"][..7].to_string(),
                row["value"].parse().unwrap(),
            )
        })
        .collect();
    let committed = committed_bundled_months();
    assert_eq!(now.len(), 408, "1989-01 .. 2022-12");
    assert_eq!(
        now, committed,
        "the bundle's monthly GED counts changed: re-run the oracle"
    );
    let months = |m: &str| committed.iter().find(|(k, _)| k == m).unwrap().1;
    assert_eq!(
        [
            months("2021-07"),
            months("2021-08"),
            months("2021-09"),
            months("2021-10")
        ],
        [83.0, 56.0, 41.0, 21.0]
    );

    let run = |extra: &[&str]| -> serde_json::Value {
        let args = [
            &["changes", "--bucket", "month", "--format", "json"][..],
            &ged[..],
            extra,
        ]
        .concat();
        let out = env.bundled(&args).output().unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        serde_json::from_slice(&out.stdout).unwrap()
    };
    let takeover = |v: &serde_json::Value| -> serde_json::Value {
        let b: Vec<&serde_json::Value> = v["breaks"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|b| ["2021-08-01", "2021-09-01"].contains(&b["date"].as_str().unwrap()))
            .collect();
        assert_eq!(b.len(), 1, "one break at the takeover: {b:?}");
        assert!(b[0]["ratio"].as_f64().unwrap() < 0.7, "a drop: {}", b[0]);
        assert!(
            b[0]["ratio_hi"].as_f64().unwrap() < 1.0,
            "significant: {}",
            b[0]
        );
        b[0].clone()
    };

    // The whole bundled span, as `sitrep changes` segments it by default.
    let all = run(&[]);
    assert_eq!(all["uncovered"], 0);
    assert_eq!(all["starts"].as_array().unwrap().len(), 408);
    assert_eq!(
        break_months(&all),
        [
            "1989-08", "1992-04", "1992-10", "1993-01", "1993-03", "1994-01", "1994-10", "1995-10",
            "1996-11", "1997-05", "1997-11", "1998-07", "1998-10", "2000-07", "2000-10", "2001-10",
            "2001-12", "2002-02", "2003-03", "2005-06", "2006-05", "2007-12", "2008-04", "2009-04",
            "2010-05", "2010-11", "2011-04", "2011-10", "2012-01", "2012-04", "2012-10", "2013-05",
            "2013-12", "2014-03", "2015-08", "2016-01", "2016-11", "2017-03", "2017-10", "2018-01",
            "2018-03", "2019-03", "2019-11", "2020-01", "2020-03", "2020-07", "2021-01", "2021-09",
            "2021-12", "2022-04", "2022-11"
        ]
    );
    let b = takeover(&all);
    assert_eq!(b["date"], "2021-09-01");
    // Jan–Aug 2021 (611 incidents over 8 months) before, Sep–Nov 2021 (87 over 3) after.
    assert_eq!(b["before"]["total"], 611.0);
    assert_eq!(b["after"]["total"], 87.0);

    // 2018–2022 (the years the GED 23.1 partial file spans).
    let recent = run(&["--from", "2018-01-01", "--to", "2022-12-31"]);
    assert_eq!(
        break_months(&recent),
        [
            "2018-03", "2019-03", "2019-11", "2020-01", "2020-03", "2020-07", "2021-01", "2021-08",
            "2021-10", "2021-12", "2022-04", "2022-11"
        ]
    );
    let b = takeover(&recent);
    assert_eq!(b["date"], "2021-08-01");
    assert_eq!(b["before"]["total"], 555.0, "Jan–Jul 2021");
    assert_eq!(b["after"]["total"], 97.0, "Aug–Sep 2021");
}
