//! Fuzz and property tests of every reader in sitrep-ingest: the CSV adapters (UCDP
//! in all layouts, ACLED exports and deletion lists, the bundled mappings), mapping
//! TOML and coverage files. Seeded and deterministic; a short run in `cargo test`, a
//! long one with `scripts/fuzz` (see `fuzz/support.rs` for the environment variables).
//!
//! Properties: nothing panics or hangs; every error names the file and, for rows, the
//! right line; every row is either a record or a rejection, never both or neither; a
//! bad row never costs a good row; a record's verbatim row is valid JSON.

#[path = "../../../fuzz/support.rs"]
mod support;

use sitrep_ingest::coverage::parse_coverage;
use sitrep_ingest::{
    prepare, Adapter, CollectSink, Format, Header, IngestError, Mapping, Row, Summary,
};
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use support::{fuzz, mutated, noise, Rng};

fn repo(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .join(rel)
}

/// A seed file, the format that reads it, the adapter `auto` picks, and whether it
/// has no header.
struct Seed {
    name: &'static str,
    bytes: Vec<u8>,
    format: Format,
    adapter: &'static str,
    headerless: bool,
}

fn named(n: &str) -> Format {
    Format::Named(n.into())
}

fn bundled(n: &str) -> Format {
    Format::Mapping(PathBuf::from(n))
}

fn corpus() -> Vec<Seed> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/corpus");
    let seed = |name: &'static str, format: Format, adapter: &'static str| Seed {
        name,
        bytes: std::fs::read(dir.join(name)).unwrap(),
        format,
        adapter,
        headerless: name.contains("headerless"),
    };
    vec![
        seed("ucdp_ged49.csv", named("ucdp-ged"), "ucdp-ged"),
        seed("ucdp_headerless49.csv", named("ucdp-ged"), "ucdp-ged"),
        seed("ucdp_hdx43.csv", named("ucdp-ged"), "ucdp-ged"),
        seed("ucdp_ged42.csv", named("ucdp-ged"), "ucdp-ged"),
        seed(
            "ucdp_subset14.csv",
            bundled("ucdp-ged-subset14"),
            "mapping:ucdp-ged-subset14",
        ),
        seed(
            "ucdp_tableau.csv",
            bundled("ucdp-ged231-tableau"),
            "mapping:ucdp-ged231-tableau",
        ),
        seed("curated.csv", bundled("curated-afg"), "mapping:curated-afg"),
        seed(
            "insecurity_insight.csv",
            bundled("insecurity-insight-afg"),
            "mapping:insecurity-insight-afg",
        ),
        seed("acled_current.csv", named("acled"), "acled"),
        seed("acled_pre2023.csv", named("acled"), "acled"),
        seed(
            "acled_deletions.csv",
            named("acled-deletions"),
            "acled-deletions",
        ),
    ]
}

fn formats() -> Vec<Format> {
    vec![
        Format::Auto,
        named("ucdp-ged"),
        named("acled"),
        named("acled-deletions"),
        bundled("ucdp-ged-subset14"),
        bundled("ucdp-ged231-tableau"),
        bundled("curated-afg"),
        bundled("insecurity-insight-afg"),
    ]
}

/// Physical lines of `bytes`: a line ends at `\n`, `\r\n` or a lone `\r`.
fn line_count(bytes: &[u8]) -> u64 {
    let mut n = 1;
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'\n' => n += 1,
            b'\r' if bytes.get(i + 1) != Some(&b'\n') => n += 1,
            _ => {}
        }
        i += 1;
    }
    n
}

/// What a run gave.
struct Outcome {
    result: Result<Summary, IngestError>,
    sink: CollectSink,
}

fn read(file: &str, bytes: &[u8], format: &Format) -> Outcome {
    let mut sink = CollectSink::default();
    let result = prepare(file, bytes, format).and_then(|p| p.run(&mut sink));
    Outcome { result, sink }
}

/// The properties every run must have, whatever the input.
fn check_invariants(file: &str, bytes: &[u8], format: &Format, out: &Outcome) {
    let lines = line_count(bytes);
    for e in &out.sink.errors {
        assert_eq!(e.file, file);
        assert!(
            (1..=lines).contains(&e.line),
            "row error line {} outside 1..={lines}: {e}",
            e.line
        );
        assert!(
            e.to_string().starts_with(&format!("{file}:{}", e.line)),
            "{e}"
        );
        assert!(!e.field.message.is_empty());
    }
    for r in &out.sink.records {
        assert_eq!(r.provenance.file, file);
        assert!((1..=lines).contains(&r.provenance.line), "{r:?}");
        let raw: serde_json::Value = serde_json::from_str(&r.raw)
            .unwrap_or_else(|e| panic!("raw row is not JSON ({e}): {}", r.raw));
        assert!(raw.is_object(), "{}", r.raw);
        if let (Some(lo), Some(b), Some(hi)) =
            (r.fatalities.low, r.fatalities.best, r.fatalities.high)
        {
            assert!(lo <= b && b <= hi, "{:?}", r.fatalities);
        }
        assert!(r.date_end >= r.date_start, "{r:?}");
        for c in [r.latitude, r.longitude].into_iter().flatten() {
            assert!(c.is_finite() && c.abs() <= 180.0, "{r:?}");
        }
    }
    // A rejected row's errors all name its line; rows are distinct lines.
    let rejected_lines: BTreeSet<u64> = out.sink.errors.iter().map(|e| e.line).collect();
    let accepted_lines: BTreeSet<u64> =
        out.sink.records.iter().map(|r| r.provenance.line).collect();
    assert!(
        rejected_lines.is_disjoint(&accepted_lines),
        "a row both accepted and rejected"
    );
    match &out.result {
        Ok(s) => {
            let accepted = (out.sink.records.len() + out.sink.deletions.len()) as u64;
            assert_eq!(
                s.rows,
                accepted + s.rejected,
                "rows {} != accepted {accepted} + rejected {}",
                s.rows,
                s.rejected
            );
            assert_eq!(s.rejected, rejected_lines.len() as u64);
        }
        Err(e) => {
            let msg = e.to_string();
            let named_file = match (e, format) {
                (IngestError::Mapping { .. }, Format::Mapping(p)) => {
                    msg.starts_with(&p.display().to_string())
                }
                _ => msg.starts_with(file),
            };
            assert!(named_file, "error does not name the file: {msg}");
            if let IngestError::Encoding { line, .. } | IngestError::Syntax { line, .. } = e {
                assert!((1..=lines).contains(line), "{msg}");
            }
        }
    }
}

#[test]
fn corpus_reads_without_errors_and_auto_detects_it() {
    for s in corpus() {
        for format in [&s.format, &Format::Auto] {
            let out = read(s.name, &s.bytes, format);
            let summary = out
                .result
                .as_ref()
                .unwrap_or_else(|e| panic!("{}: {e}", s.name));
            assert_eq!(summary.adapter, s.adapter, "{}", s.name);
            assert!(
                out.sink.errors.is_empty(),
                "{}: {:?}",
                s.name,
                out.sink.errors
            );
            assert!(summary.rows >= 3, "{}", s.name);
            assert_eq!(summary.headerless, s.headerless, "{}", s.name);
            check_invariants(s.name, &s.bytes, format, &out);
        }
    }
}

const CSV_ALPHABET: &[u8] = b"abcdefxyz0123456789,,,,\"\"\n\n\r -.:#_ABC";

#[test]
fn fuzz_csv_noise() {
    let seeds = corpus();
    let formats = formats();
    fuzz(
        "csv_noise",
        2000,
        |rng| {
            let mut bytes = Vec::new();
            // Often a real header first, so that rows reach the adapters.
            if rng.one_in(2) {
                let s = rng.pick_ref(&seeds);
                let end = s
                    .bytes
                    .iter()
                    .position(|b| *b == b'\n')
                    .unwrap_or(s.bytes.len());
                bytes.extend_from_slice(&s.bytes[..=end.min(s.bytes.len() - 1)]);
            }
            bytes.extend(noise(rng, 2048, CSV_ALPHABET));
            (bytes, rng.below(formats.len()))
        },
        |(bytes, f)| {
            let out = read("noise.csv", bytes, &formats[*f]);
            check_invariants("noise.csv", bytes, &formats[*f], &out);
        },
    );
}

#[test]
fn fuzz_csv_mutated_real_rows() {
    let seeds = corpus();
    let formats = formats();
    fuzz(
        "csv_mutated",
        2000,
        |rng| {
            let s = rng.below(seeds.len());
            let other = &rng.pick_ref(&seeds).bytes.clone();
            let bytes = mutated(rng, &seeds[s].bytes, other, &[], 8);
            let f = if rng.one_in(3) {
                None
            } else {
                Some(rng.below(formats.len()))
            };
            (s, bytes, f)
        },
        |(s, bytes, f)| {
            let format = f.map_or(&seeds[*s].format, |f| &formats[f]);
            let out = read(seeds[*s].name, bytes, format);
            check_invariants(seeds[*s].name, bytes, format, &out);
        },
    );
}

/// Values that a typed column refuses or that break a row's shape, without a line end
/// (so that lines do not move).
const BAD_VALUES: &[&str] = &[
    "",
    "x",
    "-1",
    "-3",
    "999",
    "1e400",
    "NaN",
    "2021-13-40",
    "2021-02-29",
    "not a date",
    "12.5",
    "9223372036854775808",
    "\u{feff}",
    "#",
    "  ",
    "9",
    "<script>",
    "' OR 1=1 --",
    "٣",
];

fn parse_rows(bytes: &[u8]) -> Vec<Vec<String>> {
    csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(bytes)
        .records()
        .map(|r| r.unwrap().iter().map(str::to_string).collect())
        .collect()
}

fn write_rows(rows: &[Vec<String>], crlf: bool) -> Vec<u8> {
    let mut w = csv::WriterBuilder::new()
        .flexible(true)
        .terminator(if crlf {
            csv::Terminator::CRLF
        } else {
            csv::Terminator::Any(b'\n')
        })
        .from_writer(Vec::new());
    for r in rows {
        w.write_record(r).unwrap();
    }
    w.into_inner().unwrap()
}

/// Quarantine keeps every good row: corrupt random fields of random rows (and drop or
/// add fields), then every row is a record or a rejection at its own line, and every
/// untouched row gives exactly the record it gave before.
#[test]
fn fuzz_bad_rows_never_cost_good_rows() {
    let seeds: Vec<Seed> = corpus();
    fuzz(
        "quarantine",
        1000,
        |rng| {
            let s = rng.below(seeds.len());
            let rows = parse_rows(&seeds[s].bytes);
            let first = usize::from(!seeds[s].headerless) + usize::from(rows[1][0].is_empty());
            let mut edits = Vec::new();
            for _ in 0..1 + rng.below(4) {
                // Never the first data row of a header-less file: it is what says the
                // file is UCDP.
                let lo = if seeds[s].headerless { 1 } else { first };
                if lo >= rows.len() {
                    break;
                }
                let r = lo + rng.below(rows.len() - lo);
                let c = rng.below(rows[r].len());
                let v = rng.pick(BAD_VALUES).to_string();
                let shape = rng.below(8);
                edits.push((r, c, v, shape));
            }
            (s, edits, rng.one_in(2))
        },
        |(s, edits, crlf)| {
            let seed = &seeds[*s];
            let rows = parse_rows(&seed.bytes);
            let mut bad = rows.clone();
            for (r, c, v, shape) in edits {
                let c = &(*c).min(bad[*r].len() - 1);
                if *shape != 1 && bad[*r][*c].contains(['\n', '\r']) {
                    continue; // the rows after would move to other lines
                }
                match shape {
                    // (A row left with one field could be a blank line: not a row.)
                    0 if bad[*r].len() > 2 => {
                        bad[*r].remove(*c);
                    }
                    0 => {}
                    1 => bad[*r].insert(*c, v.clone()),
                    _ => bad[*r][*c] = v.clone(),
                }
            }
            let clean = write_rows(&rows, *crlf);
            let dirty = write_rows(&bad, *crlf);
            let before = read(seed.name, &clean, &seed.format);
            let after = read(seed.name, &dirty, &seed.format);
            check_invariants(seed.name, &clean, &seed.format, &before);
            check_invariants(seed.name, &dirty, &seed.format, &after);
            before.result.as_ref().unwrap();
            let summary = after
                .result
                .as_ref()
                .unwrap_or_else(|e| panic!("a bad row stopped the file: {e}"));
            assert_eq!(summary.rows, before.result.as_ref().unwrap().rows);
            // Rows whose values did not change give the same record at the same line.
            let by_line: BTreeMap<u64, _> = after
                .sink
                .records
                .iter()
                .map(|r| (r.provenance.line, r))
                .collect();
            let changed: BTreeSet<usize> =
                (0..rows.len()).filter(|i| rows[*i] != bad[*i]).collect();
            let rejected: BTreeSet<u64> = after.sink.errors.iter().map(|e| e.line).collect();
            let data_start = rows.len() - before.sink.records.len();
            for (k, rec) in before.sink.records.iter().enumerate() {
                let row = data_start + k;
                let line = rec.provenance.line;
                if changed.contains(&row) {
                    // A changed row is a record or a rejection at its own line.
                    assert!(
                        by_line.contains_key(&line) ^ rejected.contains(&line),
                        "changed row at line {line} is neither (or both) record and rejection"
                    );
                    if bad[row].len() != rows[row].len() {
                        assert!(rejected.contains(&line), "row of the wrong length kept");
                    }
                } else {
                    let got = by_line
                        .get(&line)
                        .unwrap_or_else(|| panic!("good row at line {line} lost"));
                    assert_eq!(*got, rec, "good row at line {line} changed");
                }
            }
        },
    );
}

/// An invalid byte stops the file with an error naming the line of its row, after
/// every row before it has been delivered.
#[test]
fn fuzz_encoding_errors_name_the_line() {
    let seeds: Vec<Seed> = corpus();
    fuzz(
        "encoding_line",
        500,
        |rng| {
            let s = rng.below(seeds.len());
            let rows = parse_rows(&seeds[s].bytes);
            let first = usize::from(!seeds[s].headerless);
            let r = first + rng.below(rows.len() - first);
            let c = rng.below(rows[r].len());
            (s, r, c, rng.one_in(2))
        },
        |(s, r, c, crlf)| {
            let seed = &seeds[*s];
            let rows = parse_rows(&seed.bytes);
            let clean = write_rows(&rows, *crlf);
            let before = read(seed.name, &clean, &seed.format);
            let mut bytes = write_rows(&rows[..*r], *crlf);
            let mut row = rows[*r].clone();
            row[*c] = "x".into();
            let mut tail = write_rows(&[row], *crlf);
            let at = tail.iter().position(|b| *b == b'x').unwrap();
            tail[at] = 0xff;
            bytes.extend(tail);
            bytes.extend(write_rows(&rows[r + 1..], *crlf));
            let out = read(seed.name, &bytes, &seed.format);
            check_invariants(seed.name, &bytes, &seed.format, &out);
            let want = line_count(&write_rows(&rows[..*r], *crlf)).max(1);
            match &out.result {
                Err(IngestError::Encoding { line, .. }) => assert_eq!(*line, want),
                other => panic!("expected an encoding error at line {want}, got {other:?}"),
            }
            if *r > usize::from(!seed.headerless) {
                let delivered = out.sink.records.len() + out.sink.deletions.len();
                let expected = before
                    .sink
                    .records
                    .iter()
                    .filter(|x| x.provenance.line < want)
                    .count()
                    + before.sink.deletions.len().min(r - 1);
                assert_eq!(delivered, expected, "rows before the bad byte were lost");
            }
        },
    );
}

/// Line numbers follow physical lines, whatever the line ends (`\n`, `\r\n`, lone
/// `\r`), blank lines and line ends inside quoted fields.
#[test]
fn fuzz_row_lines_are_physical_lines() {
    const ENDS: [&str; 3] = ["\n", "\r\n", "\r"];
    fuzz(
        "row_lines",
        2000,
        |rng| {
            let mut text = String::from("event_id_cnty,deleted_timestamp");
            text.push_str(rng.pick(&ENDS));
            let mut expected = Vec::new();
            let rows = 1 + rng.below(12);
            for i in 0..rows {
                for _ in 0..rng.size(2) {
                    text.push_str(rng.pick(&ENDS));
                }
                let line = line_count(text.as_bytes());
                let id = match rng.below(4) {
                    0 => format!("\"A{i}{}B\"", rng.pick(&ENDS)),
                    1 => format!("\"A{i}\"\"q\"\"{}{}\"", rng.pick(&ENDS), rng.pick(&ENDS)),
                    _ => format!("A{i}"),
                };
                let ts = if rng.one_in(6) {
                    "oops".to_string()
                } else {
                    rng.range(0, 2_000_000_000).to_string()
                };
                text.push_str(&format!("{id},{ts}"));
                if i + 1 < rows || rng.one_in(2) {
                    text.push_str(rng.pick(&ENDS));
                }
                expected.push((line, ts == "oops"));
            }
            (text, expected)
        },
        |(text, expected)| {
            let format = named("acled-deletions");
            let out = read("del.csv", text.as_bytes(), &format);
            check_invariants("del.csv", text.as_bytes(), &format, &out);
            let s = out.result.as_ref().unwrap();
            assert_eq!(s.rows, expected.len() as u64);
            let bad: Vec<u64> = out.sink.errors.iter().map(|e| e.line).collect();
            let want_bad: Vec<u64> = expected.iter().filter(|e| e.1).map(|e| e.0).collect();
            assert_eq!(bad, want_bad, "lines of the rejected rows");
            assert_eq!(
                out.sink.deletions.len(),
                expected.iter().filter(|e| !e.1).count()
            );
        },
    );
}

fn bundled_mapping_texts() -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(repo("mappings"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .map(|p| std::fs::read_to_string(p).unwrap())
        .collect();
    v.sort();
    v
}

const FORMATS: &[&str] = &[
    "%Y-%m-%d",
    "%d/%m/%Y",
    "%Y",
    "%",
    "%%",
    "%Y-%",
    "%E",
    "%.3f",
    "%:z",
    "%#z",
    "%s",
    "%Y %U %a",
    "%G-W%V-%u",
    "%j",
    "%Y-%j",
    "%+",
    "%c",
    "%-d.%-m.%Y",
    "%e %B %Y",
    "%",
    "%Q",
    "%Y%m%d",
    "%F",
    "%D",
    "%x",
    "",
];

const FIELD_NAMES: &[&str] = &[
    "source_event_id",
    "version",
    "date_start",
    "date_end",
    "date_precision",
    "latitude",
    "longitude",
    "geo_precision",
    "country",
    "admin1",
    "event_type",
    "actor1",
    "fatalities_low",
    "fatalities_best",
    "fatalities_high",
    "civilian_deaths",
    "notes",
    "bogus",
];

const VALUES: &[&str] = &[
    "2021-08-15",
    "15/08/2021",
    "2021",
    "2021-W33-7",
    "2021-227",
    "1629000000",
    "2021-08-15T00:00:00+00:00",
    "Sun Aug 15 00:00:00 2021",
    "08/15/21",
    "20210815",
    "15 August 2021",
    "1",
    "5",
    "day",
    "week",
    "battle",
    "Battles",
    "explosion",
    "-1",
    "3",
    "12.0",
    "99999999999999999999",
    "34.5",
    "200",
    "",
    "x",
];

fn quoted(s: impl AsRef<str>) -> String {
    toml::Value::String(s.as_ref().to_string()).to_string()
}

/// A random mapping: fields from columns, joined columns, constants, formats and
/// value maps, sometimes a `[coverage]` table.
fn gen_mapping(rng: &mut Rng) -> (String, Vec<String>) {
    let mut cols = Vec::new();
    let mut t = String::from("name = \"fuzz\"\n");
    if rng.one_in(2) {
        t.push_str("detect = [\"c0\"]\n");
    }
    t.push_str("[fields]\n");
    let mut used = BTreeSet::new();
    let n = 1 + rng.below(8);
    for i in 0..n {
        let field = if i == 0 && !rng.one_in(8) {
            "date_start"
        } else {
            rng.pick(FIELD_NAMES)
        };
        if !used.insert(field) {
            continue;
        }
        let col = format!("c{}", rng.below(6));
        cols.push(col.clone());
        let spec = match rng.below(6) {
            0 => quoted(&col),
            1 => format!(
                "{{ column = {}, format = {} }}",
                quoted(&col),
                quoted(rng.pick(FORMATS))
            ),
            2 => {
                let c2 = format!("c{}", rng.below(6));
                cols.push(c2.clone());
                format!(
                    "{{ columns = [{}, {}], sep = {}, format = {} }}",
                    quoted(&col),
                    quoted(&c2),
                    quoted(rng.pick(&["-", "", "/", " "])),
                    quoted(rng.pick(FORMATS))
                )
            }
            3 => format!("{{ constant = {} }}", quoted(rng.pick(VALUES))),
            4 => format!(
                "{{ column = {}, map = {{ {} = {}, {} = {} }}{} }}",
                quoted(&col),
                quoted(rng.pick(VALUES)),
                quoted(rng.pick(VALUES)),
                quoted(format!("k{}", rng.below(3))),
                quoted(rng.pick(VALUES)),
                if rng.one_in(2) {
                    format!(", default = {}", quoted(rng.pick(VALUES)))
                } else {
                    String::new()
                }
            ),
            _ => format!("{{ column = {}, constant = \"x\" }}", quoted(&col)),
        };
        t.push_str(&format!("{field} = {spec}\n"));
    }
    if rng.one_in(3) {
        t.push_str(&format!(
            "[coverage]\ncountries = [\"X\"]\n[[coverage.spans]]\nfrom = {}\nto = {}\nstatus = {}\nshare = {}\n",
            quoted(rng.pick(VALUES)),
            rng.pick(&["2021-12-31", "2020-01-01", "\"2022-02-30\"", "9999-12-31"]),
            quoted(rng.pick(&["complete", "partial", "none", "most"])),
            rng.pick(&["0.5", "-1", "2", "nan", "inf", "0"])
        ));
    }
    (t, cols)
}

#[test]
fn fuzz_mapping_toml() {
    let texts = bundled_mapping_texts();
    let (mut parsed, mut bound, mut mapped) = (0u64, 0u64, 0u64);
    fuzz(
        "mapping_toml",
        2000,
        |rng| {
            let (text, mut cols) = if rng.one_in(2) {
                gen_mapping(rng)
            } else {
                let base = rng.pick_ref(&texts).as_bytes().to_vec();
                let other = rng.pick_ref(&texts).as_bytes().to_vec();
                let m = mutated(rng, &base, &other, &[b"format = \"%\"", b"\n[fields]\n"], 6);
                (String::from_utf8_lossy(&m).into_owned(), Vec::new())
            };
            cols.extend((0..rng.below(4)).map(|i| format!("extra{i}")));
            let rows: Vec<Vec<String>> = (0..1 + rng.below(6))
                .map(|_| {
                    (0..64)
                        .map(|_| {
                            if rng.one_in(4) {
                                support::text(rng, 24, VALUES)
                            } else {
                                rng.pick(VALUES).to_string()
                            }
                        })
                        .collect()
                })
                .collect();
            (text, cols, rows)
        },
        |(text, cols, rows)| {
            let m = match Mapping::from_toml(text, "m.toml") {
                Ok(m) => {
                    parsed += 1;
                    m
                }
                Err(e) => {
                    let msg = e.to_string();
                    assert!(
                        msg.starts_with("m.toml: invalid mapping")
                            || msg.starts_with("coverage m.toml"),
                        "{msg}"
                    );
                    return;
                }
            };
            // Bind against the columns it names (or, for mutated real mappings, the
            // columns of their real files: any header is fine, binding may refuse).
            let mut names: Vec<String> = cols.clone();
            if let Ok(v) = toml::from_str::<toml::Table>(text) {
                collect_columns(&v, &mut names);
            }
            names.sort();
            names.dedup();
            let header = Header::new(names.clone());
            let mapper = match m.bind(&header, "data.csv") {
                Ok(mapper) => {
                    bound += 1;
                    mapper
                }
                Err(e) => {
                    assert!(e.to_string().starts_with("data.csv:1:"), "{e}");
                    return;
                }
            };
            for (i, values) in rows.iter().enumerate() {
                let fields: Vec<&str> = values[..names.len().min(values.len())]
                    .iter()
                    .map(String::as_str)
                    .collect();
                let row = Row {
                    file: "data.csv",
                    line: i as u64 + 2,
                    fields: &fields,
                    header: &header,
                };
                match mapper.map(&row) {
                    Ok(_) => mapped += 1,
                    Err(errors) => {
                        assert!(!errors.is_empty());
                        for e in errors {
                            assert!(
                                e.column_index
                                    .is_none_or(|c| c >= 1 && c <= names.len().max(1)),
                                "{e:?}"
                            );
                            assert!(!e.message.is_empty());
                        }
                    }
                }
            }
        },
    );
    eprintln!("mapping_toml: {parsed} mappings read, {bound} bound, {mapped} rows mapped");
    assert!(
        std::env::var("SITREP_FUZZ_CASE").is_ok() || (bound > 0 && mapped > 0),
        "the generator no longer reaches the row mapper"
    );
}

/// Every string under a `column`/`columns` key or a bare field value in `[fields]`.
fn collect_columns(v: &toml::Table, out: &mut Vec<String>) {
    let Some(toml::Value::Table(fields)) = v.get("fields") else {
        return;
    };
    for spec in fields.values() {
        match spec {
            toml::Value::String(s) => out.push(s.clone()),
            toml::Value::Table(t) => {
                if let Some(toml::Value::String(s)) = t.get("column") {
                    out.push(s.clone());
                }
                if let Some(toml::Value::Array(a)) = t.get("columns") {
                    out.extend(a.iter().filter_map(|x| x.as_str().map(str::to_string)));
                }
            }
            _ => {}
        }
    }
}

#[test]
fn fuzz_coverage_files() {
    let toml_seed =
        std::fs::read(repo("data/ucdp/ged211_afghanistan_subset.coverage.toml")).unwrap();
    let mapping_seed = std::fs::read(repo("mappings/insecurity-insight-afg.toml")).unwrap();
    let weeks_seed =
        std::fs::read(repo("data/ucdp/ged231_afg_2018_2022_partial_weeks.csv")).unwrap();
    let weeks_seed = weeks_seed[..weeks_seed.len().min(600)].to_vec();
    fuzz(
        "coverage",
        2000,
        |rng| {
            let toml = rng.one_in(2);
            let (seed, other) = if toml {
                (&toml_seed, &mapping_seed)
            } else {
                (&weeks_seed, &toml_seed)
            };
            let bytes = if rng.one_in(8) {
                noise(
                    rng,
                    1024,
                    b"year,week,complete,share\n0123456789truefalse[]=\"",
                )
            } else {
                mutated(
                    rng,
                    seed,
                    other,
                    &[b"status = \"partial\"", b"share = ", b"54", b"53"],
                    6,
                )
            };
            (toml, String::from_utf8_lossy(&bytes).into_owned())
        },
        |(toml, text)| {
            let file = if *toml { "c.toml" } else { "w.csv" };
            match parse_coverage(file, text) {
                Ok(c) => {
                    for s in &c.spans {
                        assert!(s.from <= s.to, "{s:?}");
                    }
                }
                Err(e) => {
                    let msg = e.to_string();
                    assert!(msg.starts_with(&format!("coverage {file}")), "{msg}");
                    if !toml && msg.starts_with("coverage w.csv:") {
                        let line: u64 = msg["coverage w.csv:".len()..]
                            .split(':')
                            .next()
                            .unwrap()
                            .parse()
                            .unwrap();
                        assert!(line <= line_count(text.as_bytes()), "{msg}");
                    }
                }
            }
        },
    );
}

/// A week list with one bad row (and blank lines, `\r\n` ends): the error names that
/// row's line.
#[test]
fn fuzz_coverage_week_list_errors_name_the_line() {
    fuzz(
        "coverage_lines",
        1000,
        |rng| {
            let end = rng.pick(&["\n", "\r\n"]);
            let mut text = format!("year,week,complete{end}");
            let n = 1 + rng.below(10);
            let bad_at = rng.below(n);
            let mut bad_line = 0;
            for i in 0..n {
                for _ in 0..rng.size(2) {
                    text.push_str(end);
                }
                let week = if i == bad_at {
                    bad_line = line_count(text.as_bytes());
                    rng.pick(&["54", "0", "x", "-1"])
                } else {
                    "10"
                };
                text.push_str(&format!("{},{week},true{end}", 2000 + i));
            }
            (text, bad_line)
        },
        |(text, bad_line)| {
            let e = parse_coverage("w.csv", text).unwrap_err().to_string();
            assert!(
                e.starts_with(&format!("coverage w.csv:{bad_line}:")),
                "want line {bad_line}: {e}"
            );
        },
    );
}
