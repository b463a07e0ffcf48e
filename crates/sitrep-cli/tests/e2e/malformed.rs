//! Malformed files get precise messages and leave the store exactly as it was.

use crate::common::{data, summary, Env};

/// The real GED 23.1 sample with one line altered by `f` (line numbers are 1-based).
fn altered(env: &Env, name: &str, line: usize, f: impl Fn(&str) -> String) -> String {
    let text = std::fs::read_to_string(data("ucdp/ged231_sample1000.csv")).unwrap();
    let mut lines: Vec<String> = text.lines().map(String::from).collect();
    lines[line - 1] = f(&lines[line - 1]);
    let p = env.path(name);
    std::fs::write(&p, lines.join("\n") + "\n").unwrap();
    p.to_str().unwrap().to_string()
}

fn set_field(line: &str, idx: usize, value: &str) -> String {
    let mut rec: Vec<String> = csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(line.as_bytes())
        .records()
        .next()
        .unwrap()
        .unwrap()
        .iter()
        .map(String::from)
        .collect();
    rec[idx] = value.to_string();
    let mut w = csv::WriterBuilder::new()
        .terminator(csv::Terminator::Any(b' '))
        .from_writer(vec![]);
    w.write_record(&rec).unwrap();
    String::from_utf8(w.into_inner().unwrap())
        .unwrap()
        .trim_end()
        .to_string()
}

/// Runs a refused ingest into a store that already holds one batch; checks the message
/// and that the store is byte-for-byte unchanged.
fn refused(env: &Env, path: &str, extra: &[&str], expect: &[&str]) {
    let before = env.manifest();
    let mut args = vec!["ingest", "--source", "bad"];
    args.extend_from_slice(extra);
    args.push(path);
    let out = env.run(&args);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "must exit 1: {err}");
    for e in expect {
        assert!(err.contains(e), "expected {e:?} in:\n{err}");
    }
    assert_eq!(env.manifest(), before, "store must be unchanged");
    assert_eq!(
        env.count("SELECT count(*) FROM records WHERE source = 'bad'"),
        0
    );
    let leftovers: Vec<_> = std::fs::read_dir(env.store().join("batches"))
        .unwrap()
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().ends_with(".tmp"))
        .collect();
    assert!(leftovers.is_empty(), "temporary files left: {leftovers:?}");
}

#[test]
fn bad_rows_are_listed_precisely_and_the_store_is_unchanged() {
    let env = Env::new();
    env.ok(&[
        "ingest",
        "--source",
        "good",
        data("ucdp/hdx_conflict_data_bgd.csv").to_str().unwrap(),
    ]);

    // Truncated file: the real bundled subset cut in the middle of its last line, 16039.
    let text = std::fs::read_to_string(data("ucdp/ged211_afghanistan_subset.csv")).unwrap();
    let last_start = text.trim_end().rfind('\n').unwrap() + 1;
    let cut = last_start + (text.len() - last_start) / 2;
    std::fs::write(env.path("truncated.csv"), &text[..cut]).unwrap();
    let p = env.path("truncated.csv").to_str().unwrap().to_string();
    refused(
        &env,
        &p,
        &[],
        &[
            "truncated.csv:16039: ",
            "fields, the header has 14: the line may be truncated",
        ],
    );

    // Impossible date in date_start (column 39).
    let p = altered(&env, "date.csv", 5, |l| set_field(l, 38, "2013-02-30"));
    refused(
        &env,
        &p,
        &[],
        &[
            "date.csv:5:39 (date_start): expected a date",
            "\"2013-02-30\"",
        ],
    );

    // Latitude 123 (column 30).
    let p = altered(&env, "lat.csv", 7, |l| set_field(l, 29, "123"));
    refused(
        &env,
        &p,
        &[],
        &["lat.csv:7:30 (latitude): latitude 123 is out of range"],
    );

    // Several bad rows: every one is listed, not just the first.
    let text = std::fs::read_to_string(&p).unwrap();
    let mut lines: Vec<String> = text.lines().map(String::from).collect();
    lines[9] = set_field(&lines[9], 0, "");
    std::fs::write(env.path("two.csv"), lines.join("\n") + "\n").unwrap();
    refused(
        &env,
        env.path("two.csv").to_str().unwrap(),
        &[],
        &[
            "two.csv:7:30 (latitude)",
            "two.csv:10:1 (id): event id is empty",
            "2 bad row(s)",
        ],
    );

    // best > high (best is column 45, high 46): refused under --strict...
    let p = altered(&env, "range.csv", 4, |l| {
        set_field(&set_field(&set_field(l, 44, "5"), 45, "2"), 46, "1")
    });
    refused(
        &env,
        &p,
        &["--strict"],
        &["range.csv:4:46 (high): best (5) is greater than high (2)"],
    );

    // Wrong delimiter.
    let semi = std::fs::read_to_string(data("ucdp/ged211_afghanistan_subset.csv"))
        .unwrap()
        .replace(',', ";");
    std::fs::write(env.path("semi.csv"), semi).unwrap();
    refused(
        &env,
        env.path("semi.csv").to_str().unwrap(),
        &[],
        &["semi.csv:1: the header has a single column but contains ';'"],
    );

    // Wrong encoding: a Latin-1 byte in a real row.
    let mut bytes = std::fs::read(data("ucdp/ged211_afghanistan_subset.csv")).unwrap();
    let at = bytes.windows(10).position(|w| w == b"Government").unwrap() + 20_000;
    let at = at + bytes[at..].iter().position(|b| *b == b'G').unwrap() + 1;
    bytes[at] = 0xe9;
    let line = 1 + bytes[..at].iter().filter(|b| **b == b'\n').count();
    std::fs::write(env.path("latin1.csv"), bytes).unwrap();
    refused(
        &env,
        env.path("latin1.csv").to_str().unwrap(),
        &[],
        &[
            &format!("latin1.csv:{line}: the file is not valid UTF-8 (byte 0xe9"),
            "iconv",
        ],
    );

    // A header no adapter knows.
    std::fs::write(env.path("unknown.csv"), "a,b,c\n1,2,3\n").unwrap();
    refused(
        &env,
        env.path("unknown.csv").to_str().unwrap(),
        &[],
        &["unknown layout", "mapping:FILE"],
    );
}

#[test]
fn repairable_ranges_are_flagged_and_quarantine_keeps_good_rows() {
    let env = Env::new();
    // The real sample has 13 rows whose ranges are out of order: stored repaired, flagged.
    let err = env.ok(&[
        "ingest",
        data("ucdp/ged231_sample1000.csv").to_str().unwrap(),
    ]);
    assert!(err.contains("flagged 13"), "{err}");
    assert!(
        err.contains("ged231_sample1000.csv:8:47 (low): low (3) is greater than best (2)"),
        "{err}"
    );
    let r = env.query("SELECT fatalities_low, fatalities_best, fatalities_high, quality FROM records WHERE line = 8");
    assert_eq!(
        (
            r[0]["fatalities_low"].as_i64(),
            r[0]["fatalities_best"].as_i64(),
            r[0]["fatalities_high"].as_i64()
        ),
        (Some(2), Some(2), Some(3))
    );
    assert!(r[0]["quality"]
        .as_str()
        .unwrap()
        .starts_with("low: low (3) is greater than best (2)"));
    assert_eq!(
        env.count("SELECT count(*) FROM records WHERE quality IS NOT NULL"),
        13
    );

    // --quarantine: the good rows commit, the bad ones are kept with their reason.
    let p = altered(&env, "lat.csv", 7, |l| set_field(l, 29, "123"));
    let err = env.ok(&["ingest", "--source", "q", "--quarantine", &p]);
    assert_eq!(summary(&err), [1000, 999, 0, 0, 1], "{err}");
    assert!(err.contains("quarantined: "), "{err}");
    let q = env.query("SELECT file, line, \"column\", reason FROM quarantine");
    assert_eq!(q.len(), 1);
    assert_eq!(q[0]["line"], 7);
    assert_eq!(q[0]["column"], "latitude");
    assert!(q[0]["reason"]
        .as_str()
        .unwrap()
        .contains("latitude 123 is out of range"));
}

#[test]
fn usage_errors_are_precise() {
    let env = Env::new();
    let out = env.run(&["ingest", "--format", "gtd2", "x.csv"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("unknown format `gtd2`"));
    let out = env.bundled(&["ingest", "x.csv"]).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("ingest needs a store: pass --store DIR"));
    let out = env.run(&["ingest", "--bogus"]);
    assert_eq!(out.status.code(), Some(2));
    let out = env.run(&["ingest", env.path("missing.csv").to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("missing.csv: No such file"));
}
