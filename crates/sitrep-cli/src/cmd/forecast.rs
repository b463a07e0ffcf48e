//! `sitrep forecast`: parse, one library call, present.

use super::read_store;
use super::series::input_or;
use crate::args::{Cli, ForecastArgs, OutFormat};
use crate::output::print_rows;
use sitrep_analysis::{Analysis, ForecastQuery};
use std::process::ExitCode;

pub async fn run(cli: &Cli, a: &ForecastArgs) -> anyhow::Result<ExitCode> {
    let store = read_store(&cli.store).await?;
    let q = ForecastQuery {
        filters: a.filter.to_filters()?,
        level: a.level,
        measure: a.measure,
        horizons: a.horizons,
        backtest_months: a.backtest_months,
        samples: a.samples,
        bootstrap: a.bootstrap,
        seed: a.seed,
    };
    let analysis = Analysis::new(&store).await.map_err(input_or)?;
    if let Some(path) = &a.panel_out {
        let csv = analysis.forecast_panel_csv(&q).await.map_err(input_or)?;
        super::figure::write_atomic(path, &csv)?;
    }
    let report = analysis.forecast(&q).await.map_err(input_or)?;
    if let Some(path) = &a.map {
        let svg = sitrep_render::render_forecast_map(&report, 1, &super::figure::geometry()?)?;
        super::figure::write_atomic(path, &svg)?;
    }
    if a.format == OutFormat::Json && a.scores {
        // The back-test itself: scores and skills (with their bootstrap intervals)
        // and the verdict drawn from them.
        let backtest = serde_json::json!({
            "chosen": report.chosen,
            "chosen_is_baseline": report.chosen_is_baseline,
            "explanation": report.explanation,
            "scores": report.scores,
            "skills": report.skills,
        });
        println!("{}", serde_json::to_string_pretty(&backtest)?);
    } else if a.format == OutFormat::Json {
        println!("{}", serde_json::to_string_pretty(&report)?);
    } else if a.scores {
        print_rows(&report.scores, a.format)?;
        if a.format == OutFormat::Table {
            print_rows(&report.skills, a.format)?;
        }
    } else {
        print_rows(&report.cells, a.format)?;
    }
    if !cli.quiet {
        eprintln!(
            "trained on {} – {} ({} of {} months covered); back-test origins {}; forecaster: {}{}. {}",
            report.trained_from.format("%Y-%m"),
            report.trained_to.format("%Y-%m"),
            report.covered_months,
            report.months,
            report
                .backtest_origins
                .map(|(a, b)| format!("{} – {}", a.format("%Y-%m"), b.format("%Y-%m")))
                .unwrap_or_else(|| "none".into()),
            report.chosen,
            if report.chosen_is_baseline {
                " (a baseline: no model beat it)"
            } else {
                ""
            },
            report.explanation
        );
        for w in &report.warnings {
            eprintln!("warning: {w}");
        }
    }
    Ok(ExitCode::SUCCESS)
}
