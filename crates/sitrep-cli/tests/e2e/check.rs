//! Issue 18: `sitrep check`, `POST /api/v1/check` and the `/check` page, on stores
//! built in each test from real files (never the bundled default, which changes).

use crate::common::{data, Env, Server};
use serde_json::Value;
use std::io::Write;
use std::path::PathBuf;
use std::process::Stdio;

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../sitrep-check/tests/fixtures")
        .join(name)
}

const SECTION_II: &str = "crisis_group_2022_section2.txt";
const FIVEFOLD: &str = "Another comparison, of the first ten months of Taliban government against the same period a year earlier, found that the rate of battles, explosions and other forms of violence per week had fallen fivefold (as shown in Figure 1).";

/// A store from GED 1989–2020 and the curated 2021–2023 log. The log's bundled
/// mapping calls its coverage thematic (a selection, which fills no gap of a general
/// source); here an analyst checks the report against their own log, so it is
/// ingested as complete between its first and last incident (the default coverage).
fn ged_and_curated() -> Env {
    let env = Env::new();
    env.ok(&[
        "ingest",
        data("ucdp/ged211_afghanistan_subset.csv").to_str().unwrap(),
    ]);
    let cov = env.path("curated.coverage.toml");
    std::fs::write(
        &cov,
        "[coverage]\ncountries = [\"Afghanistan\"]\n[[coverage.spans]]\nfrom = \"2021-08-15\"\nto = \"2023-11-24\"\nstatus = \"complete\"\n",
    )
    .unwrap();
    env.ok(&[
        "ingest",
        "--coverage",
        cov.to_str().unwrap(),
        data("curated/afg_incidents_2021_2023.csv")
            .to_str()
            .unwrap(),
    ]);
    env
}

/// `sitrep check --format json` on `text` (stdin); (exit code, report).
fn check(env: &Env, text: &str, date: &str) -> (i32, Value) {
    let mut child = env
        .cmd(&["check", "--date", date, "--format", "json", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(text.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    let code = out.status.code().unwrap();
    assert!(
        code == 0 || code == 6,
        "exit {code}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    (code, serde_json::from_slice(&out.stdout).unwrap())
}

fn claim(report: &Value, sentence: usize, k: usize) -> &Value {
    &report["sentences"][sentence]["claims"][k]
}

/// Expected per sentence of section II: `Err(reason)` not checkable, or the verdicts
/// of its claims with a phrase of each one's reason.
type Want = Result<Vec<(&'static str, &'static str)>, &'static str>;

fn section_ii_expected() -> Vec<(&'static str, Want)> {
    const NS: &str = "no number, trend or comparison";
    const NM: &str = "no measure for it";
    const NO_PERIOD: &str = "no period stated";
    const NO_ACTOR: &str = "name no actor sitrep can resolve";
    // A trend without a period: the 12 months before the article date (11 Sep 2022).
    const DEFAULT_WINDOW: &str =
        "no period stated: read as the 12 months before the article date (2021-09-11..2022-09-10); ";
    vec![
        ("II.The Security Environment", Err(NS)),
        ("Obtaining an accurate picture", Err(NS)),
        ("Publicly available datasets", Err(NS)),
        ("In areas of intense fighting", Err(NS)),
        ("As a result, open-source datasets", Err(NS)),
        ("The information landscape", Err(NS)),
        ("The Taliban often describe", Err(NS)),
        ("They sometimes block journalists", Err(NS)),
        (
            "On the other hand, armed opposition groups are increasingly",
            Ok(vec![("not_enough_data", DEFAULT_WINDOW)]),
        ),
        ("Anti-Taliban groups also have incentives", Err(NS)),
        ("Despite the uncertainty", Err(NM)),
        ("One involves the local branch", Err(NM)),
        ("The second conflict involves", Err(NS)),
        ("The National Resistance Front (NRF) emerged", Err(NS)),
        ("Conflict between the Taliban and predecessors", Err(NS)),
        ("Thus far, neither of these two insurgencies", Err(NM)),
        (
            "The country has seen a sharp decline in violence",
            Ok(vec![(
                "mixed",
                "no period stated: read as the 12 months before the article date (2021-09-11..2022-09-10); no variant shows a significant change",
            )]),
        ),
        ("When fighting breaks out", Err(NS)),
        ("Some of this skirmishing", Err(NS)),
        ("(Figure 2 shows", Err(NS)),
        (
            "In cases where the Taliban do suffer attacks",
            Ok(vec![("not_enough_data", NO_PERIOD)]),
        ),
        ("When attacks on Taliban were claimed", Err(NS)),
        (
            "But after intense Taliban operations",
            Ok(vec![("not_enough_data", NO_ACTOR)]),
        ),
        (
            "By contrast, anti-Taliban attacks in the north",
            Ok(vec![("not_enough_data", "too few events for a trend")]),
        ),
        (
            "Most analysts agree that the pace of NRF attacks surpassed",
            Ok(vec![
                ("not_enough_data", NO_ACTOR),
                ("not_enough_data", NO_ACTOR),
            ]),
        ),
        ("(See Figure 3", Err(NS)),
        ("Figure 3.", Err(NS)),
        (
            "Violent incidents involving major anti-Taliban groups",
            Err(NS),
        ),
        ("Identifying trends is complicated", Err(NS)),
        (
            "By some counts, more than half of attacks",
            Ok(vec![("not_enough_data", NO_ACTOR)]),
        ),
        ("It is plausible that many unclaimed attacks", Err(NS)),
        ("Some attacks are perpetrated", Err(NS)),
        ("These include tit-for-tat", Err(NS)),
        ("Sporadic clashes have continued", Err(NS)),
        ("Other fighting appears to stem", Err(NS)),
        ("Some violence results from criminality", Err(NM)),
        ("Lastly, there is still intra-Taliban violence", Err(NS)),
        (
            "Whatever the cause of these unclaimed attacks",
            Ok(vec![("mixed", "no variant shows a significant change")]),
        ),
        ("In some provinces the drop-off", Err(NM)),
    ]
}

#[test]
fn every_sentence_of_section_ii_gets_its_expected_class_and_verdict() {
    let env = ged_and_curated();
    let text = std::fs::read_to_string(fixture(SECTION_II)).unwrap();
    let (code, report) = check(&env, &text, "2022-09-11");
    assert_eq!(code, 0, "no claim is contradicted on this store");
    let sentences = report["sentences"].as_array().unwrap();
    let want = section_ii_expected();
    assert_eq!(sentences.len(), want.len());
    let mut wrong = Vec::new();
    for (s, (start, w)) in sentences.iter().zip(&want) {
        let text = s["text"].as_str().unwrap();
        assert!(text.starts_with(start), "{text:?} vs {start:?}");
        match w {
            Err(reason) => {
                if s["checkable"] != false || s["reason"] != *reason {
                    wrong.push(format!("{start}: {s}"));
                }
            }
            Ok(claims) => {
                let got = s["claims"].as_array().unwrap();
                let ok = s["checkable"] == true
                    && got.len() == claims.len()
                    && got.iter().zip(claims).all(|(c, (v, why))| {
                        c["verdict"] == *v && c["why"].as_str().unwrap().contains(why)
                    });
                if !ok {
                    wrong.push(format!("{start}: {s}"));
                }
            }
        }
    }
    assert!(wrong.is_empty(), "{wrong:#?}");
    assert_eq!(report["summary"]["checkable"], 8);
    assert_eq!(report["summary"]["mixed"], 2);
    // The trend without a period is fitted over the default window.
    let decline = claim(&report, 16, 0);
    assert_eq!(decline["period_a"], "2021-09-11..2022-09-10");
    assert_eq!(
        decline["flags"][0],
        "no period stated: read as the 12 months before the article date (2021-09-11..2022-09-10)"
    );
    assert_eq!(report["summary"]["not_enough_data"], 7);

    // "slowly dwindled over the past ten months": the trend is fitted on the complete
    // ISO weeks inside 2021-11-11 .. 2022-09-10 (Mon 2021-11-15 .. Sun 2022-09-04).
    let n = env.count(
        "SELECT count(*) FROM incidents WHERE date_start BETWEEN DATE '2021-11-15' AND DATE '2022-09-04' \
         AND country = 'Afghanistan' AND event_type IN ('battle', 'explosion', 'violence_against_civilians')",
    );
    let c = claim(&report, 37, 0);
    let trend = c["variants"][0]["text"].as_str().unwrap();
    assert!(
        trend.contains(&format!("over 42 weeks, {n} incidents")),
        "{trend} (expected {n} incidents)"
    );
    assert_eq!(c["period_a"], "2021-11-11..2022-09-10");
    assert!(c["coverage"][0]
        .as_str()
        .unwrap()
        .contains("complete (304 days)"));
    // The preceding ten months reach before the curated log and after GED: no data.
    assert!(c["variants"][1]["text"]
        .as_str()
        .unwrap()
        .contains("not covered"));
    assert!(c["query"]["series_command"]
        .as_str()
        .unwrap()
        .starts_with("sitrep series --from 2021-11-11 --to 2022-09-10 --country Afghanistan"));
    assert!(c["records"]["count"].as_u64().unwrap() > 0);
}

/// The weekly-rate ratio of violent events in the fixture, counted from its rows
/// (independently of sitrep): A 2021-08-15..2022-06-14 over B 2020-08-15..2021-06-14.
fn fixture_ratio(name: &str) -> (u32, u32) {
    let mut r = csv::Reader::from_path(fixture(name)).unwrap();
    let h = r.headers().unwrap().clone();
    let date = h.iter().position(|c| c == "event_date").unwrap();
    let (mut a, mut b) = (0, 0);
    for row in r.records() {
        let d = row.unwrap()[date].to_string();
        if ("2021-08-15".."2022-06-15").contains(&d.as_str()) {
            a += 1;
        } else if ("2020-08-15".."2021-06-15").contains(&d.as_str()) {
            b += 1;
        }
    }
    (a, b)
}

#[test]
fn had_fallen_fivefold_is_supported_at_ratio_5_and_contradicted_at_1_2() {
    for (file, verdict, code, factor) in [
        ("acled_fivefold_ratio5.csv", "supported", 0, 5.0),
        ("acled_fivefold_ratio1_2.csv", "contradicted", 6, 1.2),
    ] {
        let (a, b) = fixture_ratio(file);
        assert!(
            ((b as f64 / a as f64) - factor).abs() < 1e-12,
            "{file}: {a} vs {b}"
        );
        let env = Env::new();
        let err = env.ok(&["ingest", fixture(file).to_str().unwrap()]);
        assert!(err.contains("acled → source acled"), "{err}");
        let (got_code, report) = check(&env, FIVEFOLD, "2022-09-11");
        let c = claim(&report, 0, 0);
        assert_eq!(c["kind"], "change", "{file}");
        assert_eq!(c["verdict"], verdict, "{file}: {c}");
        assert_eq!(got_code, code, "{file}");
        let ratio = c["measured"]["value"].as_f64().unwrap();
        assert!(
            (ratio - a as f64 / b as f64).abs() < 1e-9,
            "{file}: {ratio}"
        );
        assert!((1.0 / ratio - factor).abs() < 1e-9);
        assert_eq!(
            c["claimed_interval"],
            serde_json::json!([1.0 / 6.0, 0.25]),
            "fivefold = 4–6 = new/old 1/6–1/4"
        );
        assert_eq!(c["period_a"], "2021-08-15..2022-06-14");
        assert_eq!(c["period_b"], "2020-08-15..2021-06-14");
        // Every boundary variant counts the same events (they sit well inside).
        let variants = c["variants"].as_array().unwrap();
        assert_eq!(variants.len(), 3);
        assert!(variants
            .iter()
            .all(|v| (v["value"].as_f64().unwrap() - ratio).abs() < 1e-12));
        assert_eq!(c["records"]["count"], a + b);
        assert!(c["flags"].as_array().unwrap().is_empty(), "{}", c["flags"]);
        assert_eq!(c["basis"], "event data in the store (sources: acled)");
    }
}

#[test]
fn food_insecurity_is_not_checkable_with_the_reason() {
    let env = ged_and_curated();
    let (code, report) = check(
        &env,
        "Food insecurity has risen sharply since the Taliban takeover.",
        "2022-09-11",
    );
    assert_eq!(code, 0);
    let s = &report["sentences"][0];
    assert_eq!(s["checkable"], false);
    assert_eq!(s["reason"], "no measure for it");
    assert_eq!(s["detail"], "food insecurity");
    assert!(s.get("claims").is_none());
}

#[test]
fn a_claim_about_2022_on_data_ending_2020_is_not_enough_data_naming_the_coverage() {
    let env = Env::new();
    env.ok(&[
        "ingest",
        data("ucdp/ged211_afghanistan_subset.csv").to_str().unwrap(),
    ]);
    let (code, report) = check(
        &env,
        "Violence in Afghanistan rose sharply in 2022. Violence in Afghanistan fell in 2019.",
        "2023-01-15",
    );
    assert_eq!(code, 6, "the 2019 claim is contradicted by the data");
    let c = claim(&report, 0, 0);
    assert_eq!(c["verdict"], "not_enough_data", "{c}");
    let why = c["why"].as_str().unwrap();
    assert!(
        why.contains("period 2022-01-01..2022-12-31 is not covered")
            && why.contains("ucdp-ged211-subset: partial 1989-01-01 – 2020-12-31"),
        "{why}"
    );
    // A claim about a covered year gets a verdict from the data: 2019 rose
    // significantly against 2018. The file's coverage is partial (a subset), so no
    // week is complete and the within-year trend is not fitted.
    let c19 = claim(&report, 1, 0);
    assert_eq!(c19["verdict"], "contradicted", "{c19}");
    let v = c19["variants"].as_array().unwrap();
    assert_eq!(v.len(), 2, "{c19}");
    assert!(v[0]["outcome"].is_null(), "{c19}");
    assert!(
        v[0]["text"]
            .as_str()
            .unwrap()
            .contains("over 0 complete weeks"),
        "{c19}"
    );
    assert_eq!(v[1]["label"], "against the preceding period");
    assert_eq!(v[1]["outcome"], "opposes");
}

#[test]
fn country_deaths_per_year_rest_on_the_ucdp_country_year_totals() {
    let env = Env::new();
    env.ok(&[
        "ingest",
        data("ucdp/ged211_afghanistan_subset.csv").to_str().unwrap(),
    ]);
    let (_, report) = check(
        &env,
        "In 2019, more than 30,000 people were killed in Afghanistan.",
        "2020-06-01",
    );
    let c = claim(&report, 0, 0);
    assert_eq!(c["kind"], "level");
    assert_eq!(c["verdict"], "supported", "{c}");
    assert!(c["basis"]
        .as_str()
        .unwrap()
        .starts_with("UCDP country-year totals"));
    // UCDP v25.1, Afghanistan 2019: sb 29,940 + ns 113 + os 382 best.
    assert_eq!(c["measured"]["value"], 30435.0);
    // The GED subset's own sum is shown beside it and flagged as far below.
    let sources = c["sources"].as_array().unwrap();
    assert_eq!(sources[1]["source"], "event data in the store");
    assert!(sources[1]["value"].as_f64().unwrap() < 30435.0 * 0.75);
    assert!(c["flags"][0]
        .as_str()
        .unwrap()
        .contains("event subsets undercount deaths"));
}

#[test]
fn api_check_equals_the_cli_needs_no_token_and_bounds_the_body() {
    let env = ged_and_curated();
    let text = std::fs::read_to_string(fixture(SECTION_II)).unwrap();
    let (_, cli) = check(&env, &text, "2022-09-11");
    let server = Server::start_store(&env);
    let body = serde_json::json!({"text": text, "date": "2022-09-11"}).to_string();
    let (status, answer) = server.post("/api/v1/check", "application/json", body.as_bytes());
    assert_eq!(status, 200, "{answer}");
    let api: Value = serde_json::from_str(&answer).unwrap();
    assert_eq!(api, cli, "the API's JSON is the CLI's");

    // Oversized: 413 with the sizes, before the text is read.
    let big = serde_json::json!({"text": "a ".repeat(140_000)}).to_string();
    let (status, answer) = server.post("/api/v1/check", "application/json", big.as_bytes());
    assert_eq!(status, 413, "{answer}");
    let p: Value = serde_json::from_str(&answer).unwrap();
    assert!(
        p["detail"]
            .as_str()
            .unwrap()
            .contains(&format!("the request body is {} bytes", big.len())),
        "{p}"
    );
    // A bad body is a 400 saying what is expected.
    let (status, answer) = server.post("/api/v1/check", "application/json", b"{\"txt\": 1}");
    assert_eq!(status, 400, "{answer}");
    assert!(answer.contains("the body must be JSON"));

    // The page: GET shows the form, POST renders the verdict table with a figure.
    let form = server.get("/check");
    assert!(form.contains("<textarea") && form.contains("name=\"date\""));
    let fields = format!(
        "text={}&date=2022-09-11",
        "Whatever the cause of these unclaimed attacks, they appear to have slowly dwindled over the past ten months."
            .replace(' ', "+")
            .replace(',', "%2C")
    );
    let (status, page) = server.post(
        "/check",
        "application/x-www-form-urlencoded",
        fields.as_bytes(),
    );
    assert_eq!(status, 200, "{page}");
    assert!(page.contains("class=\"verdict v-mixed\">mixed<"), "{page}");
    assert!(
        page.contains("<svg") && page.contains("<rect"),
        "a figure with the period shaded"
    );
    assert!(page.contains("href=\"/incidents/"), "links to records");
    assert!(page.contains("href=\"/explore?from=2021-11-11"));
}

/// `sitrep check --format json` on `text` against the bundled data (no --store).
fn check_bundled(env: &Env, text: &str, date: &str) -> Value {
    let mut child = env
        .bundled(&["check", "--date", date, "--format", "json", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(text.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    let code = out.status.code().unwrap();
    assert!(
        code == 0 || code == 6,
        "exit {code}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

/// One count by SQL on the bundled store (`sitrep query`): a path independent of the
/// analysis layer the checker uses.
fn bundled_count(env: &Env, sql: &str) -> f64 {
    let out = env
        .bundled(&["query", "--sql", sql, "--format", "json"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    v[0].as_object()
        .unwrap()
        .values()
        .next()
        .unwrap()
        .as_f64()
        .unwrap()
}

/// Issue 18: share claims are evaluated as count(part) / count(whole) over the claim's
/// period, on the bundled data (2020: GED 23.1 covers it completely). Expected counts
/// by SQL on the same store.
#[test]
fn share_claims_are_measured_against_the_bundle() {
    let env = Env::new();
    let text = "In 2020, more than half of attacks went unclaimed. \
                Less than half of attacks in 2020 went unclaimed. \
                In 2020, a third of incidents were carried out by the Taliban. \
                More than half of the incidents in 2020 were carried out by the Taliban. \
                In 2020, half of the attacks were in the east.";
    let r = check_bundled(&env, text, "2022-09-11");
    let base = "FROM incidents WHERE date_start BETWEEN DATE '2020-01-01' AND DATE '2020-12-31' \
                AND country = 'Afghanistan' \
                AND event_type IN ('battle', 'explosion', 'violence_against_civilians')";
    let whole = bundled_count(&env, &format!("SELECT count(*) {base}"));
    let unattributed = bundled_count(
        &env,
        &format!("SELECT count(*) {base} AND attribution = 'unattributed'"),
    );
    let taliban = bundled_count(
        &env,
        &format!("SELECT count(*) {base} AND (actor1_id = 'taliban' OR actor2_id = 'taliban')"),
    );
    let east = bundled_count(
        &env,
        &format!("SELECT count(*) {base} AND region = 'Eastern'"),
    );
    // The counts this test pins (so a change of the bundle shows here first).
    assert_eq!(
        (whole, unattributed, taliban, east),
        (3392.0, 61.0, 3249.0, 240.0)
    );
    let want = [
        ("contradicted", unattributed, "attribution unattributed"),
        ("supported", unattributed, "attribution unattributed"),
        ("contradicted", taliban, "incidents of taliban"),
        ("supported", taliban, "incidents of taliban"),
        ("contradicted", east, "incidents in the east"),
    ];
    let sentences = r["sentences"].as_array().unwrap();
    assert_eq!(sentences.len(), want.len());
    for (i, (verdict, part, label)) in want.iter().enumerate() {
        let c = claim(&r, i, 0);
        assert_eq!(c["kind"], "share", "{c}");
        assert_eq!(c["verdict"], *verdict, "{c}");
        assert_eq!(c["period_a"], "2020-01-01..2020-12-31");
        let x = c["measured"]["value"].as_f64().unwrap();
        assert!((x - part / whole).abs() < 1e-12, "{x} vs {part}/{whole}");
        let why = c["why"].as_str().unwrap();
        let n = |v: f64| {
            let s = format!("{}", v as u64);
            if s.len() > 3 {
                format!("{},{}", &s[..s.len() - 3], &s[s.len() - 3..])
            } else {
                s
            }
        };
        assert!(
            why.contains(&format!("{} of {} incidents, {label}", n(*part), n(whole))),
            "{why}"
        );
        assert_eq!(
            c["coverage"][0],
            "period 2020-01-01..2020-12-31: complete (366 days)"
        );
    }
    // The Wilson interval of 61 of 3,392 (z = 1.959964), computed by hand in Python.
    let c = claim(&r, 0, 0);
    let (lo, hi) = (
        c["measured"]["ci_low"].as_f64().unwrap(),
        c["measured"]["ci_high"].as_f64().unwrap(),
    );
    assert!(
        (lo - 0.014_026_000_6).abs() < 1e-9 && (hi - 0.023_031_518_3).abs() < 1e-9,
        "{lo} {hi}"
    );
    // A share whose part the words do not select stays "not enough data", with why.
    let r = check_bundled(
        &env,
        "In 2020, a third of attacks were small-scale.",
        "2022-09-11",
    );
    let c = claim(&r, 0, 0);
    assert_eq!(c["verdict"], "not_enough_data");
    assert!(c["why"]
        .as_str()
        .unwrap()
        .contains("a share of a part sitrep cannot select"));
}

/// Issue 18: a trend claim without a period is read over the 12 months before the
/// article date (documented in sitrep_extract::tolerance); on the bundle, an article
/// dated 1 Jan 2021 makes that 2020, which GED 23.1 covers completely.
#[test]
fn a_trend_without_a_period_is_read_over_the_twelve_months_before_the_article() {
    let env = Env::new();
    let r = check_bundled(&env, "Attacks are rising rapidly.", "2021-01-01");
    let c = claim(&r, 0, 0);
    assert_eq!(c["kind"], "direction");
    assert_eq!(c["period_a"], "2020-01-01..2020-12-31");
    assert_eq!(
        c["flags"][0],
        "no period stated: read as the 12 months before the article date (2020-01-01..2020-12-31)"
    );
    // The slope is fitted on the complete ISO weeks inside 2020 (Mon 2020-01-06 ..
    // Sun 2020-12-27: 51 weeks).
    let n = bundled_count(
        &env,
        "SELECT count(*) FROM incidents WHERE date_start BETWEEN DATE '2020-01-06' AND DATE '2020-12-27' \
         AND country = 'Afghanistan' AND event_type IN ('battle', 'explosion', 'violence_against_civilians')",
    );
    let slope = c["variants"][0]["text"].as_str().unwrap();
    let n_text = format!("{},{:03}", n as u64 / 1000, n as u64 % 1000);
    assert!(
        slope.contains(&format!("over 51 weeks, {n_text} incidents")),
        "{slope} ({n})"
    );
    // The window before (2018-12-31 .. 2019-12-31, 366 days) is only partly covered
    // on the bundle: counted, and its coverage named.
    let before = bundled_count(
        &env,
        "SELECT count(*) FROM incidents WHERE date_start BETWEEN DATE '2018-12-31' AND DATE '2019-12-31' \
         AND country = 'Afghanistan' AND event_type IN ('battle', 'explosion', 'violence_against_civilians')",
    );
    let all_2020 = bundled_count(
        &env,
        "SELECT count(*) FROM incidents WHERE date_start BETWEEN DATE '2020-01-01' AND DATE '2020-12-31' \
         AND country = 'Afghanistan' AND event_type IN ('battle', 'explosion', 'violence_against_civilians')",
    );
    let comma = |v: f64| format!("{},{:03}", v as u64 / 1000, v as u64 % 1000);
    let prev = c["variants"][1]["text"].as_str().unwrap();
    assert!(
        prev.starts_with(&format!(
            "{} vs {} incidents in the preceding 366 days (2018-12-31..2019-12-31)",
            comma(all_2020),
            comma(before)
        )),
        "{prev}"
    );
    assert_eq!(
        c["coverage"][1],
        "preceding period 2018-12-31..2019-12-31: partial (366 days)"
    );
    // Neither the flat slope within 2020 nor ×1.11 per quarter is "rapid" (≥ 1.5).
    assert_eq!(c["verdict"], "mixed");
    assert!(c["why"]
        .as_str()
        .unwrap()
        .starts_with("no period stated: read as the 12 months before the article date (2020-01-01..2020-12-31); "));
}
