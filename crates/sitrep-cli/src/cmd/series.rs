//! `sitrep series` and `sitrep compare`.

use super::read_store;
use crate::args::{Cli, CompareArgs, OutFormat, SeriesArgs};
use crate::output::print_rows;
use crate::Failure;
use sitrep_analysis::{AnalysisError, SeriesQuery};
use std::process::ExitCode;

/// Maps analysis errors the user caused to exit code 1.
pub fn input_or(e: AnalysisError) -> anyhow::Error {
    if e.is_input() {
        Failure::Input(e.to_string()).into()
    } else {
        e.into()
    }
}

#[derive(serde::Serialize)]
struct Point {
    bucket_start: String,
    line: String,
    /// Empty when unknown: no selected source covers the bucket, or the summed high
    /// where a record states none.
    value: Option<f64>,
    raw_value: Option<f64>,
    low: Option<f64>,
    high: Option<f64>,
    /// `complete`, `partial [share]` or `none`.
    coverage: String,
}

pub async fn series(cli: &Cli, a: &SeriesArgs) -> anyhow::Result<ExitCode> {
    let mut store = read_store(&cli.store).await?;
    if let Some(as_of) = a.as_of {
        super::attach_claims(&mut store, as_of).await?;
    }
    let filters = a.filter.to_filters()?;
    let share_of = a.share.then(|| sitrep_model::figure::Filters {
        attribution: Vec::new(),
        ..filters.clone()
    });
    let q = SeriesQuery {
        filters,
        bucket: a.bucket,
        measure: a.measure,
        by: a.by,
        top: a.top,
        smooth: a.smooth,
        smooth_kind: a.smooth_kind,
        cumulative: a.cumulative,
        share_of,
        distance_bands: a.bands.clone(),
    };
    let frame = sitrep_analysis::series(&store, &q)
        .await
        .map_err(input_or)?;
    let mut rows = Vec::new();
    for line in &frame.lines {
        for (i, start) in frame.starts.iter().enumerate() {
            rows.push(Point {
                bucket_start: start.to_string(),
                line: line.label.clone(),
                value: line.values[i],
                raw_value: if line.raw_values.is_empty() {
                    line.values[i]
                } else {
                    line.raw_values[i]
                },
                low: line.low.as_ref().and_then(|v| v[i]),
                high: line.high.as_ref().and_then(|v| v[i]),
                coverage: frame.coverage.get(i).map(|c| c.cell()).unwrap_or_default(),
            });
        }
    }
    print_rows(&rows, a.format)?;
    if !cli.quiet && a.format == OutFormat::Table {
        eprintln!("{} buckets × {} lines; trace a value to its records with `sitrep query` on the same filters", frame.starts.len(), frame.lines.len());
    }
    if !cli.quiet {
        let c = frame.overall_coverage();
        let uncovered = frame.coverage.iter().filter(|c| !c.is_covered()).count();
        if uncovered > 0 {
            eprintln!(
                "note: {uncovered} of {} buckets are not covered by any selected source: their values are empty (no data), not 0",
                frame.starts.len()
            );
        } else if c.status == sitrep_model::CoverageStatus::Partial {
            eprintln!("note: some buckets are only partly covered (coverage column): their values are lower bounds");
        }
    }
    Ok(ExitCode::SUCCESS)
}

pub async fn compare(cli: &Cli, a: &CompareArgs) -> anyhow::Result<ExitCode> {
    let store = read_store(&cli.store).await?;
    let filters = a.filter.to_filters()?;
    let c = sitrep_analysis::compare(&store, &filters, a.a, a.b)
        .await
        .map_err(input_or)?;
    for w in &c.warnings {
        eprintln!("warning: {w}");
    }
    match a.format {
        OutFormat::Table => {
            println!("{}", c.describe());
            println!(
                "A {}: {} incidents over {:.1} weeks = {:.2}/week",
                c.a, c.count_a, c.weeks_a, c.rate_a
            );
            println!(
                "B {}: {} incidents over {:.1} weeks = {:.2}/week",
                c.b, c.count_b, c.weeks_b, c.rate_b
            );
            println!(
                "ratio A/B {:.3} (95% CI {:.3}–{:.3}); B/A {:.2}",
                c.ratio,
                c.ci_low,
                c.ci_high,
                1.0 / c.ratio
            );
        }
        f => print_rows(&[c], f)?,
    }
    Ok(ExitCode::SUCCESS)
}
