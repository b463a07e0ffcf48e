//! Fuzz tests of the text extractor: `analyse` and every parser it runs, on arbitrary
//! UTF-8 and on mutations of the real report text of `seed_section2.rs` and the phrases
//! of `parsers.rs`, with article dates from ordinary to extreme. Seeded and
//! deterministic; a long run with `scripts/fuzz` (see `fuzz/support.rs`).
//!
//! Properties: nothing panics; time grows no faster than the text (a budget per KB);
//! every sentence is a piece of the cleaned text; resolved periods are ordered.

#[path = "../../../fuzz/support.rs"]
mod support;

use chrono::NaiveDate;
use sitrep_extract::compare::parse_cues;
use sitrep_extract::numbers::parse_numbers;
use sitrep_extract::period::{parse_period, PeriodValue};
use sitrep_extract::text::{clean, sentences};
use sitrep_extract::trend::parse_trends;
use sitrep_extract::*;
use std::time::Duration;
use support::{fuzz, mutated, Rng};

/// The report text quoted in `seed_section2.rs`, and every string literal of
/// `parsers.rs` (the hand-written cases: periods, numbers, comparisons, trends).
fn seeds() -> (Vec<String>, Vec<String>) {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests");
    let section = std::fs::read_to_string(dir.join("seed_section2.rs")).unwrap();
    let mut texts: Vec<String> = section
        .split("r#\"")
        .skip(1)
        .filter_map(|s| s.split("\"#").next())
        .flat_map(|s| s.split("\n\n"))
        .map(str::to_string)
        .collect();
    let parsers = std::fs::read_to_string(dir.join("parsers.rs")).unwrap();
    let phrases: Vec<String> = parsers
        .split('"')
        .skip(1)
        .step_by(2)
        .filter(|s| s.len() > 3 && !s.contains('{') && !s.starts_with('%'))
        .map(str::to_string)
        .collect();
    texts.extend(phrases.iter().cloned());
    assert!(texts.len() > 50 && phrases.len() > 50);
    (texts, phrases)
}

fn lexicon() -> MemoryLexicon {
    MemoryLexicon::new()
        .actor("taliban", &["Taliban"])
        .actor("is-kp", &["IS-KP", "Islamic State-Khorasan Province"])
        .actor("nrf", &["NRF", "National Resistance Front"])
        .place("AF", &["Afghanistan"])
        .place("AF-KAB", &["Kabul"])
        .with_regions()
}

fn article_date(rng: &mut Rng) -> NaiveDate {
    match rng.below(12) {
        0 => NaiveDate::MIN,
        1 => NaiveDate::MAX,
        2 => NaiveDate::from_ymd_opt(rng.range(-5000, 200_000) as i32, 1, 1)
            .unwrap_or(NaiveDate::MAX),
        _ => {
            NaiveDate::from_ymd_opt(rng.range(1950, 2040) as i32, 1, 1).unwrap()
                + chrono::Days::new(rng.below(366) as u64)
        }
    }
}

#[derive(Debug)]
struct Case {
    text: String,
    date: NaiveDate,
}

fn gen(rng: &mut Rng, texts: &[String], phrases: &[String]) -> Case {
    let words: Vec<&str> = phrases.iter().map(String::as_str).collect();
    let text = match rng.below(4) {
        0 => support::text(rng, 2048, &words),
        _ => {
            let base = rng.pick_ref(texts);
            let other = rng.pick_ref(texts);
            let dict: Vec<&[u8]> = words.iter().map(|w| w.as_bytes()).collect();
            let m = mutated(rng, base.as_bytes(), other.as_bytes(), &dict, 8);
            String::from_utf8_lossy(&m).into_owned()
        }
    };
    Case {
        text,
        date: article_date(rng),
    }
}

/// The CPU time this thread has used so far (Linux: utime + stime of
/// /proc/thread-self/stat, in clock ticks of 10 ms). CPU time, not wall time: other
/// processes on the machine (a build, another test binary) do not count against the
/// budget, so the check catches hangs and blow-ups in the parsers without flaking.
fn cpu_time() -> Duration {
    let stat = std::fs::read_to_string("/proc/thread-self/stat").expect("Linux /proc");
    // Fields after the command name (which is in parentheses and may hold spaces).
    let rest = &stat[stat.rfind(')').expect("stat format") + 2..];
    let f: Vec<&str> = rest.split(' ').collect();
    // utime and stime are fields 14 and 15 of the line, 12 and 13 after the name.
    let ticks: u64 = f[11].parse::<u64>().unwrap() + f[12].parse::<u64>().unwrap();
    Duration::from_millis(ticks * 10)
}

/// CPU time allowed: 200 ms plus 50 ms per KB (debug build; the real cost is far
/// lower), plus one 10 ms tick of measuring resolution.
fn budget(text: &str) -> Duration {
    Duration::from_millis(210 + 50 * (text.len() as u64 / 1024 + 1))
}

fn check_period(v: &PeriodValue) {
    if let PeriodValue::Resolved(p) = v {
        assert!(p.start <= p.end, "{p:?}");
    }
}

#[test]
fn fuzz_analyse() {
    let (texts, phrases) = seeds();
    let lex = lexicon();
    fuzz(
        "extract_analyse",
        1000,
        |rng| gen(rng, &texts, &phrases),
        |case| {
            let t0 = cpu_time();
            let doc = clean(&case.text);
            for s in analyse(&case.text, case.date, &lex) {
                assert!(doc.text.contains(s.sentence.text.as_str()) || s.sentence.text.is_empty());
                for p in &s.periods {
                    check_period(&p.value);
                }
            }
            let spent = cpu_time() - t0;
            assert!(
                spent <= budget(&case.text),
                "{} bytes took {spent:?}",
                case.text.len()
            );
        },
    );
}

#[test]
fn fuzz_each_parser() {
    let (texts, phrases) = seeds();
    fuzz(
        "extract_parsers",
        2000,
        |rng| gen(rng, &texts, &phrases),
        |case| {
            let t0 = cpu_time();
            let _ = sentences(&case.text);
            let _ = parse_numbers(&case.text);
            let _ = parse_cues(&case.text);
            let _ = parse_trends(&case.text);
            if let Some(v) = parse_period(&case.text, case.date) {
                check_period(&v);
            }
            let spent = cpu_time() - t0;
            assert!(
                spent <= budget(&case.text),
                "{} bytes took {spent:?}",
                case.text.len()
            );
        },
    );
}

/// A long text (a few hundred KB of the report, repeated and mutated) stays within
/// the same budget per KB: no quadratic blow-up.
#[test]
fn long_text_time_is_linear() {
    let (texts, _) = seeds();
    let lex = lexicon();
    let mut rng = Rng::new(7);
    let base: String = texts.join("\n\n");
    let mut text = String::new();
    while text.len() < 300_000 {
        let m = mutated(&mut rng, base.as_bytes(), b"", &[], 20);
        text.push_str(&String::from_utf8_lossy(&m));
        text.push_str("\n\n");
    }
    let date = NaiveDate::from_ymd_opt(2022, 9, 11).unwrap();
    let t0 = cpu_time();
    let n = analyse(&text, date, &lex).len();
    let spent = cpu_time() - t0;
    eprintln!(
        "analyse: {} KB, {n} sentences in {spent:?}",
        text.len() / 1024
    );
    assert!(
        spent <= budget(&text),
        "{} KB took {spent:?}",
        text.len() / 1024
    );
}
