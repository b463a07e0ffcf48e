//! Issue 7: the claims ledger on the curated Afghanistan log (real data), verdicts,
//! overrides, undo, `--as-of`, the journal under SIGKILL, GTD claim fields (a
//! SYNTHETIC fixture in GTD's layout), users.

use crate::common::{data, Env};
use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Write};
use std::process::Stdio;
use std::time::{Duration, Instant};

const CURATED: &str = "curated/afg_incidents_2021_2023.csv";

/// The curated log's rows: incident id → (claim_status, claimant, date_start).
fn curated_rows() -> BTreeMap<String, (String, String, String)> {
    let mut r = csv::Reader::from_path(data(CURATED)).unwrap();
    let h = r.headers().unwrap().clone();
    let col = |n: &str| h.iter().position(|x| x == n).unwrap();
    let (id, st, cl, ds) = (
        col("incident_id"),
        col("claim_status"),
        col("claimant"),
        col("date_start"),
    );
    r.records()
        .map(|x| {
            let x = x.unwrap();
            (
                x[id].to_string(),
                (x[st].to_string(), x[cl].to_string(), x[ds].to_string()),
            )
        })
        .collect()
}

fn ingest_curated(env: &Env) -> String {
    env.ok(&["ingest", data(CURATED).to_str().unwrap()])
}

fn json(env: &Env, args: &[&str]) -> serde_json::Value {
    let out = env.run(args);
    assert!(
        out.status.success(),
        "sitrep {args:?} failed:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stdout)))
}

fn verdicts(env: &Env, extra: &[&str]) -> BTreeMap<String, serde_json::Value> {
    let mut args = vec!["claims", "verdicts", "--format", "json"];
    args.extend_from_slice(extra);
    json(env, &args)
        .as_array()
        .unwrap()
        .iter()
        .map(|v| (v["incident"].as_str().unwrap().to_string(), v.clone()))
        .collect()
}

fn show(env: &Env, incident: &str, extra: &[&str]) -> serde_json::Value {
    let mut args = vec!["claims", "show", incident, "--format", "json"];
    args.extend_from_slice(extra);
    json(env, &args)
}

#[test]
fn curated_log_ingests_with_all_incidents_and_claims() {
    let env = Env::new();
    let err = ingest_curated(&env);
    assert!(err.contains("read 113, new 113"), "{err}");
    assert!(
        err.contains("claims: 167 from source curated-afg: 167 added"),
        "{err}"
    );
    assert_eq!(
        env.count("SELECT count(*) FROM incidents WHERE source = 'curated-afg'"),
        113
    );
    let claims = json(&env, &["claims", "list", "--format", "json"]);
    let claims = claims.as_array().unwrap();
    assert_eq!(claims.len(), 167);
    // Every row with a claimant has a `claims` claim naming it (joint claims split).
    let rows = curated_rows();
    for (id, (status, claimant, _)) in &rows {
        if claimant.is_empty() || !matches!(status.as_str(), "claimed" | "disputed") {
            continue;
        }
        let first = claimant.split(" + ").next().unwrap();
        assert!(
            claims
                .iter()
                .any(|c| c["incident"] == format!("curated-afg:{id}")
                    && c["stance"] == "claims"
                    && c["claimant"].as_str().unwrap().starts_with(first)),
            "{id}: no claim by {claimant}"
        );
    }
    // Re-ingesting changes nothing, in the store or the ledger.
    let again = ingest_curated(&env);
    assert!(
        again.contains("0 added, 0 changed, 167 unchanged"),
        "{again}"
    );
    let entries = json(&env, &["journal", "list", "--format", "json"]);
    assert_eq!(entries.as_array().unwrap().len(), 1);
}

#[test]
fn curated_verdicts_are_what_the_rows_imply() {
    let env = Env::new();
    ingest_curated(&env);
    let v = verdicts(&env, &["--source", "curated-afg"]);
    assert_eq!(v.len(), 113);
    let rows = curated_rows();
    let mut iskp = 0;
    for (id, (status, claimant, _)) in &rows {
        let got = &v[&format!("curated-afg:{id}")];
        let want = match status.as_str() {
            "claimed" => "claimed",
            "disputed" | "denied" => "contested",
            "suspected" => "attributed",
            "unclaimed" => "unattributed",
            other => panic!("unknown status {other}"),
        };
        assert_eq!(got["status"], want, "{id} ({status}): {got}");
        assert!(!got["basis"].as_str().unwrap().is_empty());
        if claimant == "IS-KP" && status == "claimed" {
            iskp += 1;
            assert_eq!(got["actor"], "is-kp", "{id}: {got}");
        }
    }
    assert_eq!(iskp, 37);
    // SQL and export see the verdicts as the `attribution` column.
    assert_eq!(
        env.count("SELECT count(*) FROM incidents WHERE attribution = 'contested'"),
        20
    );
    let out = env.path("unattributed.csv");
    env.ok(&[
        "export",
        "--format",
        "csv",
        "--attribution",
        "unattributed",
        "-o",
        out.to_str().unwrap(),
    ]);
    let n = csv::Reader::from_path(&out).unwrap().records().count();
    assert_eq!(n, 20);
    let denied = &v["curated-afg:AFG-CUR-0009"];
    assert!(
        denied["basis"]
            .as_str()
            .unwrap()
            .contains("denied by Taliban"),
        "{denied}"
    );
}

#[test]
fn share_unclaimed_per_quarter_is_one_series_command() {
    let env = Env::new();
    ingest_curated(&env);
    let out = json(
        &env,
        &[
            "series",
            "--bucket",
            "quarter",
            "--attribution",
            "unattributed",
            "--share",
            "--from",
            "2021-07-01",
            "--to",
            "2023-12-31",
            "--format",
            "json",
        ],
    );
    // Expected from the CSV itself: unclaimed rows / all rows, per calendar quarter.
    let mut want: BTreeMap<String, (f64, f64)> = BTreeMap::new();
    for (status, _, date) in curated_rows().values() {
        let (y, m) = (&date[..4], date[5..7].parse::<u32>().unwrap());
        let q = format!("{y}-{:02}-01", (m - 1) / 3 * 3 + 1);
        let e = want.entry(q).or_default();
        e.1 += 1.0;
        if status == "unclaimed" {
            e.0 += 1.0;
        }
    }
    let points = out.as_array().unwrap();
    assert_eq!(points.len(), 10, "{out}");
    for p in points {
        let q = p["bucket_start"].as_str().unwrap();
        let (n, d) = want[q];
        let got = p["value"].as_f64().unwrap();
        assert!((got - 100.0 * n / d).abs() < 1e-9, "{q}: {got} vs {n}/{d}");
    }
    // Grouping by verdict sums to every incident.
    let by = json(
        &env,
        &[
            "series",
            "--bucket",
            "year",
            "--by",
            "attribution",
            "--format",
            "json",
        ],
    );
    let total: f64 = by
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["value"].as_f64().unwrap())
        .sum();
    assert_eq!(total, 113.0);
}

#[test]
fn a_store_without_claims_refuses_attribution_filters() {
    let env = Env::new();
    env.ok(&[
        "ingest",
        data("ucdp/hdx_conflict_data_bgd.csv").to_str().unwrap(),
    ]);
    let out = env.run(&["series", "--attribution", "unattributed"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("[[claims]]"));
}

/// A contested incident: two claimants and one denial, all listed.
#[test]
fn two_claimants_and_a_denial_are_contested_then_override_undo_and_as_of() {
    let env = Env::new();
    ingest_curated(&env);
    let inc = "curated-afg:AFG-CUR-0006"; // Kabul airport, claimed by IS-KP (Amaq)
    assert_eq!(
        show(&env, inc, &[])["verdict"]["computed"]["status"],
        "claimed"
    );
    let add = |args: &[&str]| {
        let mut a = vec!["claims", "add", "--incident", inc, "--as", "ana"];
        a.extend_from_slice(args);
        env.ok(&a);
    };
    add(&[
        "--claimant",
        "NRF",
        "--stance",
        "claims",
        "--channel",
        "social media",
        "--grade",
        "E5",
        "--reason",
        "test: a competing claim",
    ]);
    add(&[
        "--claimant",
        "Taliban",
        "--stance",
        "denies",
        "--grade",
        "B2",
        "--statement",
        "not us",
        "--reason",
        "test: a denial",
    ]);
    let s = show(&env, inc, &[]);
    let computed = &s["verdict"]["computed"];
    assert_eq!(computed["status"], "contested", "{s}");
    assert_eq!(s["claims"].as_array().unwrap().len(), 4, "{s}"); // Amaq, NRF, denial, framing
    assert_eq!(computed["claims"].as_array().unwrap().len(), 3, "{s}");
    let basis = computed["basis"].as_str().unwrap();
    assert!(
        basis.contains("claimed by 2 parties") && basis.contains("denied by Taliban"),
        "{basis}"
    );

    // Override: both verdicts visible.
    let before_override = json(&env, &["journal", "list", "--format", "json"]);
    let last_at = before_override.as_array().unwrap().last().unwrap()["at"]
        .as_str()
        .unwrap()
        .to_string();
    std::thread::sleep(Duration::from_millis(20));
    env.ok(&[
        "claims",
        "override",
        inc,
        "--status",
        "attributed",
        "--actor",
        "is-kp",
        "--reason",
        "NRF claim is not credible",
        "--as",
        "ana",
    ]);
    let s = show(&env, inc, &[]);
    assert_eq!(s["verdict"]["computed"]["status"], "contested");
    assert_eq!(s["verdict"]["overridden"]["status"], "attributed");
    assert_eq!(s["verdict"]["overridden"]["user"], "ana");
    let text = env.cmd(&["claims", "show", inc]).output().unwrap();
    let text = String::from_utf8_lossy(&text.stdout);
    assert!(
        text.contains("verdict   attributed (override by ana"),
        "{text}"
    );
    assert!(text.contains("computed  contested"), "{text}");
    let v = verdicts(&env, &[]);
    assert_eq!(v[inc]["status"], "attributed");
    assert_eq!(v[inc]["computed"], "contested");

    // --as-of the moment before the override reproduces the state then.
    let then = show(&env, inc, &["--as-of", &last_at]);
    assert!(then["verdict"]["overridden"].is_null(), "{then}");
    assert_eq!(then["verdict"]["computed"]["status"], "contested");
    let earlier = show(&env, inc, &["--as-of", "#1"]);
    assert_eq!(earlier["verdict"]["computed"]["status"], "claimed");
    assert_eq!(earlier["claims"].as_array().unwrap().len(), 2);

    // Undo the override: the computed verdict is in force again.
    let entries = json(&env, &["journal", "list", "--format", "json"]);
    let ov = entries
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["action"] == "verdict_overridden")
        .unwrap();
    assert_eq!(ov["user"], "ana");
    assert_eq!(ov["reason"], "NRF claim is not credible");
    let seq = ov["seq"].as_u64().unwrap().to_string();
    env.ok(&[
        "journal",
        "undo",
        &seq,
        "--reason",
        "second look",
        "--as",
        "ben",
    ]);
    let s = show(&env, inc, &[]);
    assert!(s["verdict"]["overridden"].is_null(), "{s}");
    assert_eq!(s["verdict"]["computed"]["status"], "contested");
    let hist: Vec<&str> = s["history"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert_eq!(
        hist,
        [
            "claims_imported",
            "claim_added",
            "claim_added",
            "verdict_overridden",
            "undo"
        ]
    );
    // Series see the undo too.
    let v = verdicts(&env, &[]);
    assert_eq!(v[inc]["status"], "contested");
    // Undoing the first claim added (the NRF one) leaves one claimant and a denial.
    let added = entries
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["action"] == "claim_added")
        .unwrap()["seq"]
        .as_u64()
        .unwrap()
        .to_string();
    env.ok(&[
        "journal",
        "undo",
        &added,
        "--reason",
        "NRF claim was a hoax",
    ]);
    let s = show(&env, inc, &[]);
    assert_eq!(s["claims"].as_array().unwrap().len(), 3);
    assert_eq!(s["verdict"]["computed"]["status"], "contested", "{s}");
    // Undo without a reason is refused, and so is undoing a missing entry.
    let out = env.run(&["journal", "undo", "1", "--reason", " "]);
    assert_eq!(out.status.code(), Some(1));
    let out = env.run(&["journal", "undo", "999", "--reason", "x"]);
    assert_eq!(out.status.code(), Some(1));
}

#[test]
fn edits_and_retractions_are_journaled_with_before_and_after() {
    let env = Env::new();
    ingest_curated(&env);
    let inc = "curated-afg:AFG-CUR-0113";
    let claims = json(
        &env,
        &["claims", "list", "--incident", inc, "--format", "json"],
    );
    let id = claims
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["stance"] == "claims")
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    env.ok(&[
        "claims",
        "edit",
        &id,
        "--grade",
        "D4",
        "--reason",
        "exile outlet only",
        "--as",
        "ana",
    ]);
    let entries = json(&env, &["journal", "list", "--format", "json"]);
    let e = entries.as_array().unwrap().last().unwrap();
    assert_eq!(e["action"], "claim_edited");
    assert_eq!(e["changes"][0]["before"]["grade"], "B2");
    assert_eq!(e["changes"][0]["after"]["grade"], "D4");
    let v = verdicts(&env, &[]);
    assert_eq!(v[inc]["confidence"], 0.16);
    env.ok(&["claims", "retract", &id, "--reason", "duplicate"]);
    assert_eq!(verdicts(&env, &[])[inc]["status"], "unattributed");
    let out = env.run(&["claims", "retract", &id, "--reason", "again"]);
    assert_eq!(out.status.code(), Some(1));
}

#[test]
fn journal_survives_sigkill_with_every_acknowledged_entry() {
    let env = Env::new();
    ingest_curated(&env);
    let mut child = env
        .cmd(&["journal", "append-test", "--count", "1000000"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let mut lines = BufReader::new(stdout).lines();
    let mut acked = 0u64;
    let start = Instant::now();
    while acked < 150 && start.elapsed() < Duration::from_secs(60) {
        match lines.next() {
            Some(Ok(l)) => acked = l.trim().parse().unwrap(),
            _ => break,
        }
    }
    // SIGKILL mid-stream: no chance to clean up.
    child.kill().unwrap();
    child.wait().unwrap();
    for l in lines.map_while(Result::ok) {
        acked = acked.max(l.trim().parse().unwrap_or(0));
    }
    assert!(acked >= 150, "only {acked} entries acknowledged");
    let out = env.run(&["journal", "verify"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let entries = json(&env, &["journal", "list", "--format", "json"]);
    let n = entries.as_array().unwrap().len() as u64;
    assert!(n >= acked, "{n} entries, {acked} acknowledged");
    // The ledger still works and the claims are intact.
    assert_eq!(verdicts(&env, &["--source", "curated-afg"]).len(), 113);
    env.ok(&[
        "claims",
        "override",
        "curated-afg:AFG-CUR-0001",
        "--status",
        "claimed",
        "--reason",
        "after the crash",
    ]);
}

#[test]
fn a_half_written_entry_is_ignored() {
    let env = Env::new();
    ingest_curated(&env);
    let out = env
        .cmd(&[
            "claims",
            "override",
            "curated-afg:AFG-CUR-0001",
            "--status",
            "contested",
            "--reason",
            "crash test",
        ])
        .env("SITREP_CRASH_AT", "journal-half-write")
        .output()
        .unwrap();
    assert!(!out.status.success());
    let verify = env.run(&["journal", "verify"]);
    let text = String::from_utf8_lossy(&verify.stdout);
    assert!(
        verify.status.success() && text.contains("1 entries") && text.contains("unfinished"),
        "{text}"
    );
    assert_eq!(
        verdicts(&env, &[])["curated-afg:AFG-CUR-0001"]["status"],
        "claimed"
    );
}

#[test]
fn damaged_journal_is_refused_with_exit_code_3() {
    let env = Env::new();
    ingest_curated(&env);
    env.ok(&[
        "claims",
        "override",
        "curated-afg:AFG-CUR-0001",
        "--status",
        "contested",
        "--reason",
        "test",
    ]);
    let path = env.store().join("ledger/journal.log");
    let mut bytes = std::fs::read(&path).unwrap();
    bytes[40] ^= 0x01; // inside entry 1's payload
    std::fs::write(&path, bytes).unwrap();
    for args in [&["journal", "verify"][..], &["claims", "list"], &["series"]] {
        let out = env.run(args);
        assert_eq!(out.status.code(), Some(3), "{args:?}");
        assert!(String::from_utf8_lossy(&out.stderr).contains("journal damaged"));
    }
}

/// SYNTHETIC fixture in GTD's export layout (not GTD data): one claimed attack, one
/// with competing claims, one attributed but not claimed, one unknown perpetrator.
const GTD_SYNTHETIC: &str = "eventid,iyear,imonth,iday,country_txt,gname,gname2,gname3,guncertain1,claimed,claimmode,claim2,claimmode2,claim3,claimmode3,compclaim
201801010001,2018,1,1,Afghanistan,Khorasan Chapter of the Islamic State,,,0,1,7,,,,,0
201801020002,2018,1,2,Afghanistan,Taliban,Khorasan Chapter of the Islamic State,,0,1,8,1,7,,,1
201801030003,2018,1,3,Afghanistan,Taliban,,,1,0,,,,,,-9
201801040004,2018,1,4,Afghanistan,Unknown,,,0,-9,,,,,,-9
";

#[test]
fn gtd_claim_fields_import() {
    let env = Env::new();
    let f = env.path("gtd_synthetic.csv");
    std::fs::write(&f, GTD_SYNTHETIC).unwrap();
    let err = env.ok(&["claims", "import", "--format", "gtd", f.to_str().unwrap()]);
    assert!(err.contains("4 claims: 4 added"), "{err}");
    let v = verdicts(&env, &[]);
    assert_eq!(v["gtd:201801010001"]["status"], "claimed");
    assert_eq!(v["gtd:201801010001"]["actor"], "is-kp");
    assert_eq!(v["gtd:201801020002"]["status"], "contested");
    assert_eq!(v["gtd:201801030003"]["status"], "attributed");
    assert_eq!(v["gtd:201801030003"]["level"], "medium");
    assert!(!v.contains_key("gtd:201801040004"));
    let claims = json(&env, &["claims", "list", "--format", "json"]);
    let social = claims
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["incident"] == "gtd:201801010001")
        .unwrap();
    assert!(
        social["channel"]
            .as_str()
            .unwrap()
            .starts_with("social_media"),
        "{social}"
    );
}

#[test]
fn bad_claims_csv_rows_are_all_listed_and_nothing_is_imported() {
    let env = Env::new();
    let f = env.path("claims.csv");
    let mut w = std::fs::File::create(&f).unwrap();
    writeln!(w, "incident,claimant,stance,grade,date").unwrap();
    writeln!(w, "curated-afg:AFG-CUR-0006,IS-KP,claims,B2,2021-08-26").unwrap();
    writeln!(w, "no-colon,IS-KP,claims,B2,").unwrap();
    writeln!(w, "curated-afg:AFG-CUR-0006,NRF,blames,Z9,26/08/2021").unwrap();
    drop(w);
    let out = env.run(&["claims", "import", f.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    for want in [
        ":3 (incident): expected SOURCE:EVENT_ID",
        ":4 (stance)",
        ":4 (grade)",
        ":4 (date)",
        "nothing imported",
    ] {
        assert!(err.contains(want), "missing {want:?} in:\n{err}");
    }
    assert!(!env.store().join("ledger/journal.log").exists());
}

#[test]
fn users_are_added_listed_given_tokens_and_removed() {
    let env = Env::new();
    ingest_curated(&env);
    let mut c = env
        .cmd(&[
            "users",
            "add",
            "ana",
            "--role",
            "analyst",
            "--password-stdin",
        ])
        .stdin(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    c.stdin
        .take()
        .unwrap()
        .write_all(b"a long password\n")
        .unwrap();
    assert!(c.wait().unwrap().success());
    let list = json(&env, &["users", "list", "--format", "json"]);
    assert_eq!(list[0]["name"], "ana");
    assert_eq!(list[0]["role"], "analyst");
    let out = env.run(&["users", "token", "ana"]);
    let token = String::from_utf8_lossy(&out.stdout).trim().to_string();
    assert!(token.starts_with("srt_"), "{token}");
    let file = std::fs::read_to_string(env.store().join("ledger/users.json")).unwrap();
    assert!(!file.contains("a long password") && !file.contains(&token[16..]));
    env.ok(&["users", "remove", "ana"]);
    assert_eq!(env.run(&["users", "remove", "ana"]).status.code(), Some(1));
}

#[test]
fn the_unattributed_share_is_one_figure() {
    let env = Env::new();
    ingest_curated(&env);
    let spec = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../specs/claims/unattributed.toml");
    let (svg, csv_out) = (env.path("u.svg"), env.path("u.csv"));
    env.ok(&[
        "figure",
        spec.to_str().unwrap(),
        "-o",
        svg.to_str().unwrap(),
        "--csv",
        csv_out.to_str().unwrap(),
    ]);
    assert!(std::fs::read_to_string(&svg).unwrap().contains("<svg"));
    let series = json(
        &env,
        &[
            "series",
            "--bucket",
            "quarter",
            "--attribution",
            "unattributed",
            "--share",
            "--from",
            "2021-07-01",
            "--to",
            "2023-12-31",
            "--format",
            "json",
        ],
    );
    let text = std::fs::read_to_string(&csv_out).unwrap();
    let mut rdr = csv::ReaderBuilder::new()
        .comment(Some(b'#'))
        .from_reader(text.as_bytes());
    let h = rdr.headers().unwrap().clone();
    let vi = h
        .iter()
        .position(|c| c == "value")
        .unwrap_or_else(|| panic!("{h:?}"));
    let values: Vec<f64> = rdr
        .records()
        .map(|r| r.unwrap()[vi].parse::<f64>().unwrap())
        .collect();
    let want: Vec<f64> = series
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["value"].as_f64().unwrap())
        .collect();
    assert_eq!(values.len(), want.len(), "{text}");
    for (a, b) in values.iter().zip(&want) {
        assert!((a - b).abs() < 1e-6, "{text}");
    }
}
