//! `sitrep changes` and `sitrep watch`.

use super::read_store;
use crate::args::{ChangesArgs, Cli, OutFormat, WatchArgs};
use crate::output::print_rows;
use sitrep_analysis::watch::{self, alerts, ChangesQuery, EvalOptions, WatchSet, WatchStatus};
use sitrep_analysis::Analysis;
use std::process::ExitCode;

/// The exit code of `sitrep watch` when an indicator fired in its latest bucket.
pub const FIRED: u8 = 7;

#[derive(serde::Serialize)]
struct BreakRow {
    date: String,
    interval: String,
    before: String,
    rate_before: f64,
    after: String,
    rate_after: f64,
    ratio: Option<f64>,
    ratio_lo: Option<f64>,
    ratio_hi: Option<f64>,
}

fn r3(v: f64) -> f64 {
    (v * 1000.0).round() / 1000.0
}

pub async fn changes(cli: &Cli, a: &ChangesArgs) -> anyhow::Result<ExitCode> {
    let store = read_store(&cli.store).await?;
    let analysis = Analysis::new(&store)
        .await
        .map_err(super::series::input_or)?;
    let q = ChangesQuery {
        filters: a.filter.to_filters()?,
        bucket: a.bucket,
        measure: a.measure,
        method: a.method,
        penalty: a.penalty,
        cost: a.cost,
        min_seg_len: a.min_seg_len,
        max_cps: a.max_cps,
        lambda: a.lambda,
        ..ChangesQuery::default()
    };
    let c = watch::changes(&analysis, &q).await.map_err(|e| match e {
        watch::WatchError::Analysis(e) => super::series::input_or(e),
        e => e.into(),
    })?;
    if a.format == OutFormat::Json {
        println!("{}", serde_json::to_string_pretty(&c)?);
        return Ok(ExitCode::SUCCESS);
    }
    let rows: Vec<BreakRow> = c
        .breaks
        .iter()
        .map(|b| BreakRow {
            date: b.date.to_string(),
            interval: format!("{} – {}", b.lo, b.hi),
            before: format!("{} – {}", b.before.from, b.before.to),
            rate_before: r3(b.before.rate),
            after: format!("{} – {}", b.after.from, b.after.to),
            rate_after: r3(b.after.rate),
            ratio: b.ratio.map(r3),
            ratio_lo: b.ratio_lo.map(r3),
            ratio_hi: b.ratio_hi.map(r3),
        })
        .collect();
    print_rows(&rows, a.format)?;
    if !cli.quiet {
        eprintln!(
            "{} breaks in {} {}s ({}, penalty {}, {:?} cost); rates are per {}{}",
            c.breaks.len(),
            c.starts.len(),
            c.bucket.noun(),
            c.method.as_str(),
            c.penalty,
            c.cost,
            c.bucket.noun(),
            if c.uncovered > 0 {
                format!(
                    "; {} buckets without coverage were left out (each covered stretch is segmented on its own)",
                    c.uncovered
                )
            } else {
                String::new()
            }
        );
    }
    Ok(ExitCode::SUCCESS)
}

#[derive(serde::Serialize)]
struct ScenarioRow {
    scenario: String,
    latest: String,
    status: &'static str,
    fired_share: Option<f64>,
    fired: String,
    no_data_weight: f64,
}

#[derive(serde::Serialize)]
struct AlertRow {
    id: String,
    kind: String,
    indicator: String,
    bucket: String,
    status: String,
    incomplete: bool,
    note: String,
}

pub async fn watch(cli: &Cli, a: &WatchArgs) -> anyhow::Result<ExitCode> {
    let mut set = WatchSet::bundled()?;
    if let Some(dir) = &cli.store {
        watch::add_store_indicators(&mut set, dir)?;
    }
    for p in &a.indicators {
        if p.is_dir() {
            set.add_dir(p)?;
        } else {
            set.add_path(p)?;
        }
    }
    set.check()?;
    set.only_scenarios(&a.scenario)?;
    let mut urls = match &cli.store {
        Some(dir) => alerts::configured_webhooks(dir)?,
        None => Vec::new(),
    };
    urls.extend(a.webhook.iter().cloned());
    if !urls.is_empty() && cli.store.is_none() {
        return Err(crate::Failure::Input(
            "webhooks need --store (the delivery log lives in the store directory)".into(),
        )
        .into());
    }
    let store = read_store(&cli.store).await?;
    let analysis = Analysis::new(&store)
        .await
        .map_err(super::series::input_or)?;
    let opts = EvalOptions {
        from: a.from,
        to: a.to,
        as_of: Some(a.as_of.unwrap_or_else(|| chrono::Utc::now().date_naive())),
    };
    let report = watch::watch(&analysis, &watch::vintage(&store), &set, &opts)
        .await
        .map_err(|e| match e {
            watch::WatchError::Analysis(e) => super::series::input_or(e),
            e => e.into(),
        })?;
    let current: Vec<&watch::Alert> = report.current_alerts();
    let mut delivery_note = String::new();
    if !urls.is_empty() {
        let to_send: Vec<watch::Alert> = current.iter().map(|a| (*a).clone()).collect();
        let policy = watch::RetryPolicy {
            attempts: a.webhook_attempts.max(1),
            first_delay: std::time::Duration::from_millis(a.webhook_backoff_ms),
            ..Default::default()
        };
        let log = alerts::delivery_log_path(store.root());
        let done =
            tokio::task::spawn_blocking(move || alerts::deliver(&to_send, &urls, &log, &policy))
                .await??;
        let count = |o: &str| done.iter().filter(|d| d.outcome == o).count();
        delivery_note = format!(
            "webhooks: {} delivered, {} already delivered (skipped), {} failed",
            count("delivered"),
            count("skipped"),
            count("failed")
        );
        for d in done.iter().filter(|d| d.outcome == "failed") {
            eprintln!(
                "warning: alert {} to {} failed after {} tries: {}",
                d.alert,
                d.url,
                d.attempts,
                d.error.as_deref().unwrap_or("")
            );
        }
    }
    match a.format {
        OutFormat::Json => println!("{}", serde_json::to_string_pretty(&report)?),
        f => {
            let rows: Vec<ScenarioRow> = report
                .scenarios
                .iter()
                .map(|s| {
                    let l = s.latest();
                    ScenarioRow {
                        scenario: s.spec.id.clone(),
                        latest: l
                            .map(|b| b.start.format("%Y-%m").to_string())
                            .unwrap_or_default(),
                        status: l.map_or("no_data", |b| b.status.as_str()),
                        fired_share: l.and_then(|b| b.fired_share).map(r3),
                        fired: l.map(|b| b.fired.join(" ")).unwrap_or_default(),
                        no_data_weight: l.map_or(0.0, |b| b.no_data_weight),
                    }
                })
                .collect();
            if !rows.is_empty() {
                print_rows(&rows, f)?;
            }
            let shown: Vec<&watch::Alert> = if a.all_alerts {
                report.alerts.iter().collect()
            } else {
                current
            };
            let alert_rows: Vec<AlertRow> = shown
                .iter()
                .map(|x| AlertRow {
                    id: x.id.clone(),
                    kind: x.kind.clone(),
                    indicator: x.indicator.clone(),
                    bucket: format!("{} – {}", x.bucket_start, x.bucket_end),
                    status: format!("{} → {}", x.from.as_str(), x.to.as_str()),
                    incomplete: x.incomplete,
                    note: x.note.clone(),
                })
                .collect();
            if !alert_rows.is_empty() {
                println!();
                print_rows(&alert_rows, f)?;
            }
        }
    }
    if !cli.quiet {
        for r in &report.indicators {
            let l = r.latest();
            eprintln!(
                "{:<32} {:<10} {}{}",
                r.spec.id,
                l.map_or("no_data", |b| b.status.as_str()),
                l.map(|b| format!("{} – {}: {}", b.start, b.end, b.note))
                    .unwrap_or_default(),
                r.unavailable
                    .as_deref()
                    .map(|u| format!(" (not counted: {u})"))
                    .unwrap_or_default()
            );
        }
        if !delivery_note.is_empty() {
            eprintln!("{delivery_note}");
        }
    }
    if report
        .indicators
        .iter()
        .any(|r| r.latest().is_some_and(|b| b.status == WatchStatus::Fired))
    {
        eprintln!("fired: {}", report.fired.join(", "));
        return Ok(ExitCode::from(FIRED));
    }
    Ok(ExitCode::SUCCESS)
}
