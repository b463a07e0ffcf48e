//! Issue 15: one query model from store to screen. The same filters, written as CLI
//! flags, as URL query keys and as a figure spec's `[filters]` table, count the same
//! incidents and fatalities through `sitrep series`, `/api/v1/series`,
//! `/api/v1/incidents`, the explore page and `sitrep figure` — on the real bundled
//! data (UCDP GED 21.1, Afghanistan) — and, for the filters a raw CSV row can answer
//! by itself, equal an independent count of the file.

use crate::common::{data, Env, Server};

/// One filter combination as URL query pairs (the CLI flags and the TOML table are
/// derived from them below).
type Combo = &'static [(&'static str, &'static str)];

const COMBOS: [Combo; 22] = [
    &[("from", "2015-01-01"), ("to", "2016-12-31")],
    &[
        ("from", "2015-01-01"),
        ("to", "2016-12-31"),
        ("type", "battle"),
    ],
    &[
        ("from", "2010-01-01"),
        ("to", "2020-12-31"),
        ("type", "violence_against_civilians"),
    ],
    &[
        ("from", "2010-01-01"),
        ("to", "2012-12-31"),
        ("actor", "taliban"),
    ],
    &[
        ("from", "2010-01-01"),
        ("to", "2012-12-31"),
        ("actor", "taliban"),
        ("actor_match", "exact"),
    ],
    &[
        ("from", "2015-01-01"),
        ("to", "2020-12-31"),
        ("actor", "is-kp"),
    ],
    &[
        ("from", "2015-01-01"),
        ("to", "2020-12-31"),
        ("actor", "is-kp"),
        ("role", "b"),
    ],
    &[
        ("from", "2018-01-01"),
        ("to", "2018-12-31"),
        ("actor", "Taleban"),
    ],
    &[
        ("from", "2015-01-01"),
        ("to", "2016-12-31"),
        ("province", "AF-KAN,Helmand"),
    ],
    &[
        ("province", "Nangarhar"),
        ("type", "violence_against_civilians"),
    ],
    &[
        ("from", "2019-01-01"),
        ("to", "2020-12-31"),
        ("region", "Eastern"),
    ],
    &[("region", "Capital"), ("coarsest_geo", "2")],
    &[("district", "Kabul"), ("from", "2005-01-01")],
    &[
        ("from", "2020-01-01"),
        ("to", "2020-12-31"),
        ("coarsest_geo", "4"),
    ],
    &[
        ("from", "2019-01-01"),
        ("to", "2019-12-31"),
        ("coarsest_date", "1"),
    ],
    &[("source_type", "Non-state violence")],
    &[
        ("from", "2001-01-01"),
        ("to", "2001-12-31"),
        ("country", "Afghanistan"),
    ],
    &[
        ("from", "2015-01-01"),
        ("to", "2015-12-31"),
        ("actor", "taliban"),
        ("province", "AF-KDZ"),
        ("type", "battle"),
    ],
    &[
        ("from", "2016-01-01"),
        ("to", "2020-12-31"),
        ("actor", "taliban,is-kp"),
        ("region", "Eastern"),
    ],
    &[
        ("from", "2020-01-01"),
        ("to", "2020-12-31"),
        ("source", "ucdp-ged211-subset"),
    ],
    &[
        ("from", "2019-01-01"),
        ("to", "2019-12-31"),
        ("actor", "afg-republic"),
        ("role", "a"),
    ],
    &[
        ("from", "2019-01-01"),
        ("to", "2019-12-31"),
        ("actor", "afg-republic"),
        ("actor_match", "exact"),
        ("coarsest_geo", "3"),
    ],
];

/// The CLI flags of a combination.
fn flags(c: Combo) -> Vec<String> {
    let mut out = Vec::new();
    for (k, v) in c {
        let flag = match *k {
            "type" => "--type".to_string(),
            "source_type" => "--source-type".to_string(),
            other => format!("--{}", other.replace('_', "-")),
        };
        out.push(flag);
        out.push(v.to_string());
    }
    out
}

/// The `[filters]` TOML table of a combination.
fn toml_filters(c: Combo) -> String {
    let mut out = String::from("[filters]\n");
    for (k, v) in c {
        let list = |name: &str| {
            let items: Vec<String> = v.split(',').map(|s| format!("{s:?}")).collect();
            format!("{name} = [{}]\n", items.join(", "))
        };
        out.push_str(&match *k {
            "from" | "to" => format!("{k} = {v:?}\n"),
            "role" | "actor_match" => format!("{k} = {v:?}\n"),
            "coarsest_geo" | "coarsest_date" => format!("{k} = {v}\n"),
            "type" => list("event_types"),
            "actor" => list("actors"),
            "province" => list("provinces"),
            "region" => list("regions"),
            "district" => list("districts"),
            "source_type" => list("source_types"),
            "source" => list("sources"),
            "country" => list("countries"),
            other => panic!("no TOML key for {other}"),
        });
    }
    out
}

fn url_query(c: Combo) -> String {
    c.iter()
        .map(|(k, v)| format!("{k}={}", v.replace(' ', "%20").replace(',', "%2C")))
        .collect::<Vec<_>>()
        .join("&")
}

/// (incidents, best fatalities) through each path.
#[derive(Debug, Default, PartialEq)]
struct Totals {
    incidents: i64,
    fatalities_best: i64,
}

fn cli_series(env: &Env, c: Combo, measure: &str) -> i64 {
    let mut args: Vec<String> = ["series", "--bucket", "year", "--measure", measure]
        .iter()
        .map(|s| s.to_string())
        .collect();
    args.extend(flags(c));
    args.extend(["--format".to_string(), "json".to_string()]);
    let refs: Vec<&str> = args.iter().map(String::as_str).collect();
    let out = env.ged211(&refs).output().unwrap();
    assert!(
        out.status.success(),
        "sitrep {refs:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let rows: Vec<serde_json::Value> = serde_json::from_slice(&out.stdout).unwrap();
    rows.iter()
        .map(|r| r["value"].as_f64().unwrap() as i64)
        .sum()
}

fn figure_totals(env: &Env, i: usize, c: Combo) -> i64 {
    let spec = env.path(&format!("combo{i}.toml"));
    std::fs::write(
        &spec,
        format!(
            "id = \"combo{i}\"\ntitle = \"Combination {i}\"\nkind = \"line\"\n[series]\nbucket = \"year\"\nmeasure = \"incidents\"\n{}",
            toml_filters(c)
        ),
    )
    .unwrap();
    let svg = env.path(&format!("combo{i}.svg"));
    let csv_path = env.path(&format!("combo{i}.csv"));
    let out = env
        .ged211(&[
            "figure",
            spec.to_str().unwrap(),
            "-o",
            svg.to_str().unwrap(),
            "--csv",
            csv_path.to_str().unwrap(),
        ])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "figure combo{i}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let mut rdr = csv::ReaderBuilder::new()
        .comment(Some(b'#'))
        .from_path(&csv_path)
        .unwrap();
    let col = rdr
        .headers()
        .unwrap()
        .iter()
        .position(|h| h == "value")
        .unwrap();
    rdr.records()
        .map(|r| {
            let r = r.unwrap();
            r[col].parse::<f64>().map_or(0, |v| v as i64)
        })
        .sum()
}

/// The explore page's "N incidents; page …" line.
fn explore_total(html: &str) -> i64 {
    let at = html
        .find(" incidents; page ")
        .unwrap_or_else(|| panic!("no total on the explore page"));
    let before = &html[..at];
    let start = before
        .rfind(|c: char| !(c.is_ascii_digit() || c == ','))
        .map_or(0, |i| i + 1);
    before[start..].replace(',', "").parse().unwrap()
}

/// An independent count of the raw file for a combination that only uses dates, the
/// violence type and the country (what a row says by itself); `None` otherwise.
fn raw_count(c: Combo) -> Option<Totals> {
    let mut from = None;
    let mut to = None;
    let mut types: Option<Vec<&str>> = None;
    let mut country = None;
    for (k, v) in c {
        match *k {
            "from" => from = Some(v.to_string()),
            "to" => to = Some(v.to_string()),
            "type" => {
                types = Some(match *v {
                    "battle" => vec!["State-based violence", "Non-state violence"],
                    "violence_against_civilians" => vec!["One-sided violence"],
                    _ => return None,
                })
            }
            "source_type" => types = Some(vec![v]),
            "country" => country = Some(v.to_string()),
            _ => return None,
        }
    }
    let mut t = Totals::default();
    for r in csv::Reader::from_path(data("ucdp/ged211_afghanistan_subset.csv"))
        .unwrap()
        .records()
    {
        let r = r.unwrap();
        let day = format!(
            "{:04}-{:02}-{:02}",
            r[1].parse::<u32>().unwrap(),
            r[2].parse::<u32>().unwrap(),
            r[3].parse::<u32>().unwrap()
        );
        let keep = from.as_ref().is_none_or(|f| day >= *f)
            && to.as_ref().is_none_or(|e| day <= *e)
            && types.as_ref().is_none_or(|ts| ts.contains(&&r[5]))
            && country.as_ref().is_none_or(|c| &r[4] == c);
        if keep {
            t.incidents += 1;
            t.fatalities_best += r[12].parse::<i64>().unwrap();
        }
    }
    Some(t)
}

#[test]
fn issue15_one_filter_counts_the_same_through_cli_api_pages_and_figures() {
    let env = Env::new();
    let server = Server::start_ged211(&env);
    let mut independent = 0;
    let mut nonzero = 0;
    for (i, c) in COMBOS.iter().enumerate() {
        let q = url_query(c);
        let api: serde_json::Value =
            serde_json::from_str(&server.get(&format!("/api/v1/series?bucket=year&{q}"))).unwrap();
        let points = api["points"].as_array().unwrap();
        let api_totals = Totals {
            incidents: points
                .iter()
                .map(|p| p["incidents"].as_i64().unwrap())
                .sum(),
            fatalities_best: points
                .iter()
                .map(|p| p["fatalities_best"].as_i64().unwrap())
                .sum(),
        };
        let cli = Totals {
            incidents: cli_series(&env, c, "incidents"),
            fatalities_best: cli_series(&env, c, "fatalities_best"),
        };
        assert_eq!(
            cli, api_totals,
            "combo {i} ({q}): CLI series vs /api/v1/series"
        );
        let list: serde_json::Value =
            serde_json::from_str(&server.get(&format!("/api/v1/incidents?page_size=1&{q}")))
                .unwrap();
        assert_eq!(
            list["total"].as_i64().unwrap(),
            cli.incidents,
            "combo {i} ({q}): /api/v1/incidents total"
        );
        let page = server.get(&format!("/explore?{q}"));
        assert_eq!(
            explore_total(&page),
            cli.incidents,
            "combo {i} ({q}): explore page"
        );
        assert_eq!(
            figure_totals(&env, i, c),
            cli.incidents,
            "combo {i} ({q}): sitrep figure"
        );
        if let Some(raw) = raw_count(c) {
            assert_eq!(cli, raw, "combo {i} ({q}): independent count of the CSV");
            independent += 1;
        }
        if cli.incidents > 0 {
            nonzero += 1;
        }
    }
    // The table exercises the raw-file check and counts real incidents, not zeros.
    assert_eq!(independent, 5);
    assert_eq!(nonzero, COMBOS.len());
}

#[test]
fn issue15_faction_rule_is_one_field_with_one_default() {
    // `taliban` with factions counts at least its exact incidents, and the CLI and the
    // API agree on both rules (the API used to include factions always, the CLI never).
    let env = Env::new();
    let server = Server::start_ged211(&env);
    let mut seen = Vec::new();
    for m in ["with_factions", "exact"] {
        let c: Combo = match m {
            "exact" => &[("actor", "taliban"), ("actor_match", "exact")],
            _ => &[("actor", "taliban"), ("actor_match", "with_factions")],
        };
        let api: serde_json::Value = serde_json::from_str(
            &server.get(&format!("/api/v1/incidents?page_size=1&{}", url_query(c))),
        )
        .unwrap();
        let cli = cli_series(&env, c, "incidents");
        assert_eq!(api["total"].as_i64().unwrap(), cli, "{m}");
        seen.push(cli);
    }
    // The default is with factions, in the CLI (no flag) and the API (no key).
    assert_eq!(
        cli_series(&env, &[("actor", "taliban")], "incidents"),
        seen[0]
    );
    let api: serde_json::Value =
        serde_json::from_str(&server.get("/api/v1/incidents?page_size=1&actor=taliban")).unwrap();
    assert_eq!(api["total"].as_i64().unwrap(), seen[0]);
    // Independent counts, written by hand over the incidents' actor and root columns.
    let count = |sql: &str| -> i64 {
        let out = env
            .ged211(&["query", "--sql", sql, "--format", "json"])
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let rows: Vec<serde_json::Value> = serde_json::from_slice(&out.stdout).unwrap();
        rows[0]["n"].as_i64().unwrap()
    };
    assert_eq!(
        seen,
        [
            count("SELECT count(*) AS n FROM incidents WHERE 'taliban' IN (actor1_id, actor2_id, actor1_root, actor2_root)"),
            count("SELECT count(*) AS n FROM incidents WHERE 'taliban' IN (actor1_id, actor2_id)"),
        ]
    );
}
