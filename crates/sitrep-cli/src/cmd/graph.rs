//! `sitrep actors graph`: the actor network on a day, from one call to
//! [`sitrep_resolve::Registry::graph`], printed as a table, CSV, JSON, DOT or GraphML.

use crate::args::ActorsFormat;
use crate::output::{print_one, print_rows};
use chrono::NaiveDate;
use sitrep_resolve::Registry;
use std::io::Write;
use std::process::ExitCode;

/// One link as a table row.
#[derive(serde::Serialize)]
struct LinkRow<'a> {
    source: &'a str,
    relation: &'a str,
    target: &'a str,
    from: String,
    to: String,
    citation: &'a str,
}

/// Prints the graph of the relations holding on `at` (all without it).
pub(crate) fn actors_graph(
    r: &Registry,
    at: Option<NaiveDate>,
    format: ActorsFormat,
) -> anyhow::Result<ExitCode> {
    let g = r.graph(at);
    let mut out = std::io::stdout().lock();
    match format {
        ActorsFormat::Dot => out.write_all(sitrep_render::graph::graph_dot(&g).as_bytes())?,
        ActorsFormat::Graphml => {
            out.write_all(sitrep_render::graph::graph_graphml(&g).as_bytes())?
        }
        ActorsFormat::Json => {
            drop(out);
            print_one(&g)?
        }
        ActorsFormat::Table | ActorsFormat::Csv => {
            drop(out);
            let d = |d: Option<NaiveDate>| d.map(|d| d.to_string()).unwrap_or_default();
            let rows: Vec<LinkRow> = g
                .links
                .iter()
                .map(|l| LinkRow {
                    source: &l.source,
                    relation: &l.kind,
                    target: &l.target,
                    from: d(l.from),
                    to: d(l.to),
                    citation: &l.citation,
                })
                .collect();
            let tabular = format.tabular().expect("table and csv are tabular");
            print_rows(&rows, tabular)?
        }
    }
    Ok(ExitCode::SUCCESS)
}
