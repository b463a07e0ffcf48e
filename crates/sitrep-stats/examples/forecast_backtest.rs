//! Release-build back-test of a panel CSV (`Panel::from_csv`), for `bench/forecast.sh`:
//!
//! ```text
//! cargo run --release -p sitrep-stats --example forecast_backtest -- PANEL.csv \
//!     [--from 2015-01] [--to 2020-12] [--horizons 6] [--seed 1] [--samples 1000] \
//!     [--boot 500] [--models glm-poisson,glm-nb]
//! ```
//!
//! Prints CSV records: `agg,forecaster,horizon,n,n_active,crps,crps_active,coverage90,
//! coverage90_active,width90`, `skill,model,baseline,horizon,skill,lo,hi` (every
//! model against every baseline; horizon 0 = pooled), `verdict,text` and
//! `elapsed,seconds` (the back-test alone, not reading the file).

use sitrep_stats::forecast::backtest::{backtest, BacktestConfig, Sampling};
use sitrep_stats::forecast::baselines::standard_baselines;
use sitrep_stats::forecast::{model_by_name, Forecaster, Panel};
use std::time::Instant;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let path = args
        .first()
        .ok_or("usage: forecast_backtest PANEL.csv [options]")?;
    let opt = |k: &str| {
        args.iter()
            .position(|a| a == k)
            .and_then(|i| args.get(i + 1))
            .cloned()
    };
    let text = std::fs::read_to_string(path).map_err(|e| format!("{path}: {e}"))?;
    let panel = Panel::from_csv(&text).map_err(|e| format!("{path}: {e}"))?;
    let header: Vec<&str> = text
        .lines()
        .next()
        .unwrap_or("")
        .split(',')
        .skip(2)
        .collect();
    let month = |label: &str| -> Result<usize, String> {
        header
            .iter()
            .position(|h| *h == label)
            .ok_or_else(|| format!("month {label} is not a column of {path}"))
    };
    let from = month(&opt("--from").unwrap_or_else(|| "2015-01".into()))?;
    let to = month(&opt("--to").unwrap_or_else(|| "2020-12".into()))?;
    let num = |k: &str, d: u64| -> Result<u64, String> {
        opt(k).map_or(Ok(d), |v| v.parse().map_err(|e| format!("{k} {v}: {e}")))
    };
    let config = BacktestConfig {
        origins: (from..=to).collect(),
        max_horizon: num("--horizons", 6)? as usize,
        n_samples: num("--samples", 1000)? as usize,
        seed: num("--seed", 1)?,
        sampling: Sampling::Random,
        n_boot: num("--boot", 500)? as usize,
        threads: 0,
    };
    let names = opt("--models").unwrap_or_else(|| "glm-poisson,glm-nb".into());
    let mut models: Vec<Box<dyn Forecaster>> = names
        .split(',')
        .map(|n| model_by_name(n).ok_or_else(|| format!("no model {n}")))
        .collect::<Result<_, _>>()?;
    let mut baselines = standard_baselines();
    let t = Instant::now();
    let r = backtest(&panel, &mut models, &mut baselines, &config);
    let elapsed = t.elapsed().as_secs_f64();
    for a in &r.aggregates {
        println!(
            "agg,{},{},{},{},{:.6},{:.6},{:.6},{:.6},{:.4}",
            a.forecaster,
            a.horizon.unwrap_or(0),
            a.n,
            a.n_active,
            a.crps,
            a.crps_active,
            a.coverage90,
            a.coverage90_active,
            a.width90
        );
    }
    for s in &r.skills {
        println!(
            "skill,{},{},{},{:.6},{:.6},{:.6}",
            s.model,
            s.baseline,
            s.horizon.unwrap_or(0),
            s.skill,
            s.lo,
            s.hi
        );
    }
    println!("verdict,\"{}\"", r.verdict.explanation);
    println!("warnings,{}", r.warnings.len());
    println!("elapsed,{elapsed:.3}");
    Ok(())
}
