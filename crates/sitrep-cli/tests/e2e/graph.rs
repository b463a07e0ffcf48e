//! Issue 22: `sitrep actors graph` (JSON, GraphML, DOT, CSV) against an independent
//! reading of the registry's TOML files, and `sitrep figure --format png`.

use crate::common::Env;
use std::collections::BTreeSet;

type Link = (String, String, String);
/// source, target, kind, from, to
type Relation = (String, String, String, Option<String>, Option<String>);

/// The relations holding on `day`, read line by line from data/actors/*.toml (not by
/// sitrep-resolve); symmetric relations stated by both sides counted once.
fn expected(day: &str) -> BTreeSet<Link> {
    let mut rels: Vec<Relation> = Vec::new();
    for text in [
        include_str!("../../../../data/actors/afghanistan.toml"),
        include_str!("../../../../data/actors/regional.toml"),
        include_str!("../../../../data/actors/global.toml"),
    ] {
        let mut actor = String::new();
        let mut in_rel = false;
        let value = |l: &str| {
            l.split_once('=')
                .unwrap()
                .1
                .trim()
                .trim_matches('"')
                .to_string()
        };
        for line in text.lines().map(str::trim) {
            if line.starts_with("[[") {
                in_rel = line == "[[actor.relation]]";
                if in_rel {
                    rels.push((actor.clone(), String::new(), String::new(), None, None));
                }
                continue;
            }
            let key = line.split_once('=').map(|(k, _)| k.trim());
            match (in_rel, key) {
                (false, Some("id")) => actor = value(line),
                (true, Some("kind")) => rels.last_mut().unwrap().2 = value(line),
                (true, Some("with")) => rels.last_mut().unwrap().1 = value(line),
                (true, Some("from")) => rels.last_mut().unwrap().3 = Some(value(line)),
                (true, Some("to")) => rels.last_mut().unwrap().4 = Some(value(line)),
                _ => {}
            }
        }
    }
    let mut out = BTreeSet::new();
    for (a, b, k, from, to) in rels {
        let holds =
            from.as_deref().is_none_or(|f| f <= day) && to.as_deref().is_none_or(|t| day <= t);
        let symmetric = ["ally", "rival", "cooperates"].contains(&k.as_str());
        if holds && !(symmetric && out.contains(&(b.clone(), a.clone(), k.clone()))) {
            out.insert((a, b, k));
        }
    }
    out
}

fn stdout(env: &Env, args: &[&str]) -> String {
    let out = env.bundled(args).output().unwrap();
    assert!(
        out.status.success(),
        "sitrep {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn actors_graph_on_a_day_in_every_format() {
    let env = Env::new();
    let mut by_day = Vec::new();
    for day in ["2020-01-01", "2022-01-01"] {
        let want = expected(day);
        assert!(want.len() > 10, "{day}: {want:?}");
        let v: serde_json::Value = serde_json::from_str(&stdout(
            &env,
            &["actors", "graph", "--at", day, "--format", "json"],
        ))
        .unwrap();
        assert_eq!(v["at"], day);
        let links: BTreeSet<Link> = v["links"]
            .as_array()
            .unwrap()
            .iter()
            .map(|l| {
                let s = |k: &str| l[k].as_str().unwrap().to_string();
                (s("source"), s("target"), s("kind"))
            })
            .collect();
        assert_eq!(links, want, "JSON links on {day}");

        let xml = stdout(
            &env,
            &["actors", "graph", "--at", day, "--format", "graphml"],
        );
        let doc = roxmltree::Document::parse(&xml).unwrap();
        let edges: BTreeSet<Link> = doc
            .descendants()
            .filter(|n| n.has_tag_name("edge"))
            .map(|e| {
                let kind = e
                    .children()
                    .find(|d| d.attribute("key") == Some("relation"))
                    .and_then(|d| d.text())
                    .unwrap();
                (
                    e.attribute("source").unwrap().to_string(),
                    e.attribute("target").unwrap().to_string(),
                    kind.to_string(),
                )
            })
            .collect();
        assert_eq!(edges, want, "GraphML edges on {day}");
        let nodes = doc.descendants().filter(|n| n.has_tag_name("node")).count();
        assert_eq!(nodes, v["nodes"].as_array().unwrap().len());

        let dot = stdout(&env, &["actors", "graph", "--at", day, "--format", "dot"]);
        assert!(dot.starts_with("digraph actors {"));
        assert_eq!(dot.matches(" -> ").count(), want.len());

        let csv = stdout(&env, &["actors", "graph", "--at", day, "--format", "csv"]);
        assert!(
            // Columns by name, as every CLI table.
            csv.starts_with("citation,from,relation,source,target,to\n"),
            "{csv}"
        );
        let mut r = csv::Reader::from_reader(csv.as_bytes());
        assert_eq!(r.records().count(), want.len());
        by_day.push(want);
    }
    let has = |s: &BTreeSet<Link>, a: &str, b: &str, k: &str| {
        s.contains(&(a.into(), b.into(), k.into())) || s.contains(&(b.into(), a.into(), k.into()))
    };
    assert!(has(&by_day[0], "afg-republic", "taliban", "rival"));
    assert!(!has(&by_day[1], "afg-republic", "taliban", "rival"));
    assert!(has(&by_day[1], "nrf", "taliban", "rival"));
    assert!(has(&by_day[1], "taliban", "ttp", "hosts"));
    // Graph formats are for the graph only.
    let out = env
        .bundled(&["actors", "list", "--format", "dot"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("actors graph"));
    let out = env
        .bundled(&["actors", "graph", "--at", "2022-02-30"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "a bad date is a usage error");
}

#[test]
fn a_figure_as_png_has_the_figures_size() {
    let env = Env::new();
    let (svg, png) = (env.path("fig7.svg"), env.path("fig7.png"));
    for (format, path) in [("svg", &svg), ("png", &png)] {
        let out = env
            .bundled(&[
                "figure",
                "fig7",
                "--from",
                "2019-09-01",
                "--to",
                "2020-12-31",
                "--format",
                format,
                "-o",
                path.to_str().unwrap(),
            ])
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let svg = std::fs::read_to_string(&svg).unwrap();
    let attr = |name: &str| -> u32 {
        let at = svg.find(&format!(" {name}=\"")).unwrap() + name.len() + 3;
        svg[at..].split('"').next().unwrap().parse().unwrap()
    };
    let png = std::fs::read(&png).unwrap();
    // The PNG signature, then the IHDR chunk: width and height, big-endian.
    assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n");
    assert_eq!(&png[12..16], b"IHDR");
    let be = |b: &[u8]| u32::from_be_bytes([b[0], b[1], b[2], b[3]]);
    assert_eq!(
        (be(&png[16..20]), be(&png[20..24])),
        (attr("width"), attr("height"))
    );
}
