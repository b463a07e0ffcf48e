//! Forecasts per province-month (or country-month) from any store, with the honest
//! back-test that decides which forecaster speaks (issue 19).
//!
//! The panel is the query model's monthly series, one line per province of the
//! gazetteer; a month no selected source covers is `None` — neither a training target
//! nor scored — and an incomplete last month (coverage stopping inside it) is dropped.
//! Three models (Poisson and negative-binomial GLMs on lags, neighbours and season;
//! Poisson gradient-boosted trees on lags, levels, recency and neighbours) and
//! the standard baselines (zero, no-change, conflictology 12/36, seasonal, global
//! bootstrap, NB climatology) are back-tested at rolling origins over the last months
//! of data; the verdict picks a model only when it beats the best baseline with a
//! bootstrap interval excluding zero, otherwise the baseline forecasts. The numerics
//! are `sitrep_stats::forecast`.

use crate::engine::{Analysis, SeriesQuery};
use crate::AnalysisError;
use chrono::{Datelike, Months, NaiveDate};
use sitrep_model::figure::{Bucket, Filters, GroupBy, Measure};
use sitrep_model::forecast::{
    ForecastCell, ForecastLevel, ForecastReport, ForecastScore, ForecastSkill,
};
use sitrep_model::CoverageStatus;
use sitrep_stats::forecast::backtest::{backtest, forecast_at, BacktestConfig, Sampling};
use sitrep_stats::forecast::baselines::standard_baselines;
use sitrep_stats::forecast::scores::quantile_sorted;
use sitrep_stats::forecast::{model_by_name, Forecaster, Panel, MODELS};

/// What to forecast and how hard to test it.
#[derive(Debug, Clone)]
pub struct ForecastQuery {
    /// Which incidents count (dates bound the training data).
    pub filters: Filters,
    /// Province-month or country-month.
    pub level: ForecastLevel,
    /// Incidents or best fatalities.
    pub measure: Measure,
    /// Months ahead, 1–6.
    pub horizons: usize,
    /// Rolling back-test origins: the last this-many months of data.
    pub backtest_months: usize,
    /// Predictive samples per back-test cell.
    pub samples: usize,
    /// Bootstrap replicates for skill intervals.
    pub bootstrap: usize,
    /// Seed of every random draw.
    pub seed: u64,
}

impl Default for ForecastQuery {
    fn default() -> Self {
        ForecastQuery {
            filters: Filters::default(),
            level: ForecastLevel::Province,
            measure: Measure::Incidents,
            horizons: 6,
            backtest_months: 72,
            samples: 1000,
            bootstrap: 500,
            seed: 1,
        }
    }
}

/// Forecasters, boxed.
type Forecasters = Vec<Box<dyn Forecaster>>;

/// The forecasters back-tested: models first (`sitrep_stats::forecast::MODELS`), then
/// the baselines.
fn forecasters() -> (Forecasters, Forecasters) {
    (
        MODELS
            .iter()
            .filter_map(|name| model_by_name(name))
            .collect(),
        standard_baselines(),
    )
}

/// A unit of the panel: its code and name.
#[derive(Debug)]
struct Unit {
    code: String,
    name: String,
}

/// The panel with its units, first month and caveats.
struct BuiltPanel {
    units: Vec<Unit>,
    first: NaiveDate,
    panel: Panel,
    warnings: Vec<String>,
}

impl Analysis {
    /// The monthly panel `q` asks for: units, the first month, and per unit and month
    /// the count, `None` where no selected source covers the month.
    async fn forecast_panel(&self, q: &ForecastQuery) -> Result<BuiltPanel, AnalysisError> {
        let sq = SeriesQuery {
            filters: q.filters.clone(),
            bucket: Bucket::Month,
            measure: q.measure,
            by: match q.level {
                ForecastLevel::Province => GroupBy::Province,
                ForecastLevel::Country => GroupBy::None,
            },
            // The dashboard's bands, as every other read takes them: a distance-band
            // filter means the same here as in a series, a summary or a map.
            distance_bands: sitrep_store::ROLLUP_BAND_EDGES.to_vec(),
            ..SeriesQuery::default()
        };
        let frame = self.series(&sq).await?;
        let mut warnings = Vec::new();
        // The panel ends at the last month with coverage, and an incomplete last month
        // (coverage stopping inside it) is not a target.
        let mut months = frame
            .coverage
            .iter()
            .rposition(|c| c.is_covered())
            .map_or(0, |i| i + 1);
        if let Some(c) = months.checked_sub(1).and_then(|i| frame.coverage.get(i)) {
            if c.complete_days + c.partial_days < c.days {
                warnings.push(format!(
                    "the last month of data ({}) is covered on {} of its {} days: left out",
                    frame.starts[months - 1].format("%Y-%m"),
                    c.complete_days + c.partial_days,
                    c.days
                ));
                months -= 1;
            }
        }
        if months == 0 {
            return Err(AnalysisError::NoData {
                sources: q.filters.sources.clone(),
            });
        }
        let partial = frame.coverage[..months]
            .iter()
            .filter(|c| c.status == CoverageStatus::Partial)
            .count();
        if partial > 0 {
            warnings.push(format!(
                "{partial} of the {months} months are only partly covered: their counts are lower bounds"
            ));
        }
        let covered = |t: usize| frame.coverage.get(t).is_none_or(|c| c.is_covered());
        let values = |label: Option<&str>| -> Vec<Option<f64>> {
            let line = match label {
                None => frame.lines.first(),
                Some(name) => frame.lines.iter().find(|l| l.label == name),
            };
            (0..months)
                .map(|t| {
                    if !covered(t) {
                        return None;
                    }
                    Some(line.and_then(|l| l.values[t]).unwrap_or(0.0))
                })
                .collect()
        };
        let (units, y, neighbours) = match (q.level, &self.gazetteer) {
            (ForecastLevel::Province, Some(g)) => {
                let units: Vec<Unit> = g
                    .provinces()
                    .iter()
                    .map(|p| Unit {
                        code: p.code.clone(),
                        name: p.name.clone(),
                    })
                    .collect();
                // Lines grouped by province are labelled with the province's name.
                let y = units.iter().map(|u| values(Some(&u.name))).collect();
                (units, y, g.province_neighbours())
            }
            (ForecastLevel::Province, None) => {
                return Err(AnalysisError::Invalid(
                    "a province forecast needs the gazetteer".into(),
                ))
            }
            (ForecastLevel::Country, _) => {
                let name = match q.filters.countries.as_slice() {
                    [c] => c.clone(),
                    _ => "All".to_string(),
                };
                (
                    vec![Unit {
                        code: name.clone(),
                        name,
                    }],
                    vec![values(None)],
                    vec![Vec::new()],
                )
            }
        };
        let first = *frame.starts.first().expect("months > 0");
        let mut panel = Panel::new(units.iter().map(|u| u.code.clone()).collect(), y)
            .map_err(|e| AnalysisError::Invalid(e.0))?;
        panel.neighbours = neighbours;
        panel.first_calendar_month = Some(first.month() as u8);
        Ok(BuiltPanel {
            units,
            first,
            panel,
            warnings,
        })
    }

    /// The panel `q` would back-test, as CSV (`sitrep_stats::forecast::Panel::to_csv`:
    /// one row per unit with its neighbours, one column per month, empty where no
    /// source covers the month), to re-run the back-test outside the store.
    pub async fn forecast_panel_csv(&self, q: &ForecastQuery) -> Result<String, AnalysisError> {
        let built = self.forecast_panel(q).await?;
        Ok(built
            .panel
            .to_csv((built.first.year(), built.first.month())))
    }

    /// Forecasts `q.horizons` months ahead from the last covered month, by the
    /// forecaster the back-test chose. See the module documentation.
    pub async fn forecast(&self, q: &ForecastQuery) -> Result<ForecastReport, AnalysisError> {
        if !(1..=6).contains(&q.horizons) {
            return Err(AnalysisError::Invalid(format!(
                "horizons {}: forecasts run 1 to 6 months ahead",
                q.horizons
            )));
        }
        if !matches!(q.measure, Measure::Incidents | Measure::FatalitiesBest) {
            return Err(AnalysisError::Invalid(
                "forecasts count incidents or best-estimate fatalities".into(),
            ));
        }
        let BuiltPanel {
            units,
            first,
            panel,
            mut warnings,
        } = self.forecast_panel(q).await?;
        let months = panel.months;
        let month_at = |t: usize| first + Months::new(t as u32);
        // Origins: the last `backtest_months` months, each with at least two years of
        // history.
        let lo = months.saturating_sub(q.backtest_months).max(24);
        let origins: Vec<usize> = (lo..months).collect();
        let config = BacktestConfig {
            origins: origins.clone(),
            max_horizon: q.horizons,
            n_samples: q.samples,
            seed: q.seed,
            sampling: Sampling::Random,
            n_boot: q.bootstrap,
            threads: 0,
        };
        let (mut models, mut baselines) = forecasters();
        let report = if origins.is_empty() {
            None
        } else {
            // CPU-bound (its own threads): seconds on a province panel in release.
            Some(backtest(&panel, &mut models, &mut baselines, &config))
        };
        let (chosen, chosen_is_baseline, explanation) = match &report {
            Some(r) if r.cells.is_empty() => {
                warnings.push(
                    "the back-test scored no month (no covered target month after an origin); the conflictology baseline forecasts".into(),
                );
                (
                    "conflictology-36".to_string(),
                    true,
                    "no covered month to back-test on".to_string(),
                )
            }
            Some(r) => (
                r.verdict.chosen.clone(),
                r.verdict.chosen_is_baseline,
                r.verdict.explanation.clone(),
            ),
            None => {
                warnings.push(format!(
                    "only {months} months of data: no back-test (it needs more than 24); the conflictology baseline forecasts"
                ));
                (
                    "conflictology-36".to_string(),
                    true,
                    "too little history for a back-test".to_string(),
                )
            }
        };
        if let Some(r) = &report {
            warnings.extend(r.warnings.iter().take(5).cloned());
        }
        // The forecast proper, by the chosen forecaster on every covered month.
        let (mut models, mut baselines) = forecasters();
        let f = models
            .iter_mut()
            .chain(baselines.iter_mut())
            .find(|f| f.name() == chosen)
            .ok_or_else(|| AnalysisError::Invalid(format!("no forecaster {chosen}")))?;
        let (fit, preds) = forecast_at(f.as_mut(), &panel, months, q.horizons);
        warnings.extend(fit.warnings);
        let mut cells = Vec::new();
        for (u, unit) in units.iter().enumerate() {
            for (h, pred) in preds[u].iter().enumerate() {
                let ens = pred.quantile_ensemble(1000);
                let p_any = ens.iter().filter(|v| **v > 0.0).count() as f64 / ens.len() as f64;
                cells.push(ForecastCell {
                    unit: unit.code.clone(),
                    name: unit.name.clone(),
                    month: month_at(months + h),
                    horizon: h + 1,
                    mean: pred.mean(),
                    median: quantile_sorted(&ens, 0.5),
                    q05: quantile_sorted(&ens, 0.05),
                    q95: quantile_sorted(&ens, 0.95),
                    p_any,
                });
            }
        }
        let (mut scores, mut skills) = (Vec::new(), Vec::new());
        if let Some(r) = &report {
            for a in &r.aggregates {
                let baseline = r
                    .forecasters
                    .iter()
                    .position(|n| *n == a.forecaster)
                    .is_some_and(|i| r.is_baseline[i]);
                scores.push(ForecastScore {
                    forecaster: a.forecaster.clone(),
                    baseline,
                    horizon: a.horizon,
                    n: a.n,
                    crps: a.crps,
                    crps_active: a.crps_active,
                    coverage90: a.coverage90,
                    n_active: a.n_active,
                    coverage90_active: a.coverage90_active,
                    width90: a.width90,
                });
            }
            for s in &r.skills {
                skills.push(ForecastSkill {
                    model: s.model.clone(),
                    baseline: s.baseline.clone(),
                    horizon: s.horizon,
                    skill: s.skill,
                    lo: s.lo,
                    hi: s.hi,
                });
            }
        }
        let sources = self
            .source_coverage(&q.filters)
            .await?
            .into_iter()
            .map(|s| s.source)
            .collect();
        Ok(ForecastReport {
            level: q.level,
            measure: q.measure.as_str().to_string(),
            filters: q.filters.describe(),
            trained_from: first,
            trained_to: month_at(months - 1),
            covered_months: (0..months)
                .filter(|t| panel.y.iter().any(|row| row[*t].is_some()))
                .count(),
            months,
            sources,
            chosen,
            chosen_is_baseline,
            explanation,
            cells,
            backtest_origins: origins
                .first()
                .zip(origins.last())
                .map(|(a, b)| (month_at(*a), month_at(*b))),
            scores,
            skills,
            warnings,
        })
    }
}
