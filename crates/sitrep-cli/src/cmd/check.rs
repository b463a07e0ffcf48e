//! `sitrep check FILE|-`: one call to `sitrep_check::check`, then the report in the
//! chosen format; exit code 6 when a claim is contradicted.

use crate::args::{CheckArgs, CheckFormat, Cli};
use crate::cmd::series::input_or;
use crate::Failure;
use std::io::{IsTerminal, Read};
use std::process::ExitCode;

/// The exit code when the check ran and at least one claim is contradicted.
pub const CONTRADICTED: u8 = 6;

pub async fn run(cli: &Cli, a: &CheckArgs) -> anyhow::Result<ExitCode> {
    let text = if a.file == "-" {
        let mut s = String::new();
        std::io::stdin().read_to_string(&mut s).map_err(|e| {
            Failure::Input(format!("cannot read the article from standard input: {e}"))
        })?;
        s
    } else {
        std::fs::read_to_string(&a.file)
            .map_err(|e| Failure::Input(format!("cannot read the article {}: {e}", a.file)))?
    };
    let ws = super::workspace(&cli.store).await?;
    let analysis = sitrep_analysis::Analysis::new(ws.store())
        .await
        .map_err(input_or)?;
    let r = ws.resolver();
    let opts = sitrep_check::CheckOptions {
        article_date: a.date.unwrap_or_else(|| chrono::Local::now().date_naive()),
        time_budget: None,
    };
    let report = sitrep_check::check(&analysis, r.registry(), r.gazetteer(), &text, &opts).await?;
    let format = a.format.unwrap_or(if std::io::stdout().is_terminal() {
        CheckFormat::Table
    } else {
        CheckFormat::Md
    });
    match format {
        CheckFormat::Md => print!("{}", sitrep_check::present::markdown(&report)),
        CheckFormat::Html => println!("{}", sitrep_check::present::html(&report)),
        CheckFormat::Json => println!("{}", serde_json::to_string_pretty(&report)?),
        CheckFormat::Table => print!("{}", sitrep_check::present::table(&report)),
    }
    if !cli.quiet && format != CheckFormat::Table {
        eprintln!("{}", sitrep_check::present::summary_line(&report));
    }
    Ok(if report.any_contradicted() {
        ExitCode::from(CONTRADICTED)
    } else {
        ExitCode::SUCCESS
    })
}
