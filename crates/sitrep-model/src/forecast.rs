//! Forecasts per unit and month, with the back-test that says how far to trust them.
//!
//! sitrep-analysis fills these: a [`ForecastReport`] holds the next months' predictive
//! summaries per province (or the country), the model that made them — the best
//! baseline when no model beat it in a fair rolling-origin back-test — and that
//! back-test's scores and skills, so that no forecast travels without its record.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// The unit of a forecast.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum ForecastLevel {
    /// One series per province.
    #[default]
    Province,
    /// One series for the selection.
    Country,
}

impl ForecastLevel {
    /// Parses `province` or `country`.
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "province" | "provinces" => Some(ForecastLevel::Province),
            "country" => Some(ForecastLevel::Country),
            _ => None,
        }
    }
}

/// One unit, one month ahead.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ForecastCell {
    /// Province code (`AF-KAB`) or the country name.
    pub unit: String,
    /// Its name.
    pub name: String,
    /// The month forecast (its first day).
    pub month: NaiveDate,
    /// Months after the last month of data (1 = next month).
    pub horizon: usize,
    /// Expected count.
    pub mean: f64,
    /// Median.
    pub median: f64,
    /// 5% quantile (lower end of the 90% interval).
    pub q05: f64,
    /// 95% quantile.
    pub q95: f64,
    /// Probability of at least one.
    pub p_any: f64,
}

/// Scores of one forecaster at one horizon (or pooled) in the back-test.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ForecastScore {
    /// Forecaster name.
    pub forecaster: String,
    /// Whether it is a baseline.
    pub baseline: bool,
    /// Horizon, `None` pooled over horizons.
    pub horizon: Option<usize>,
    /// Cells scored.
    pub n: usize,
    /// Mean CRPS (lower is better).
    pub crps: f64,
    /// Mean CRPS over cells with at least one event.
    pub crps_active: f64,
    /// Share of cells inside the 90% interval.
    pub coverage90: f64,
    /// Cells scored with at least one event.
    pub n_active: usize,
    /// Share of those inside the 90% interval (NaN when there are none).
    pub coverage90_active: f64,
    /// Mean width of the 90% interval.
    pub width90: f64,
}

/// A model's skill over a baseline: `1 − CRPS_model / CRPS_baseline` with a
/// bootstrap 95% interval over units and origins.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ForecastSkill {
    /// The model.
    pub model: String,
    /// The baseline.
    pub baseline: String,
    /// Horizon, `None` pooled.
    pub horizon: Option<usize>,
    /// Skill (positive: the model is better).
    pub skill: f64,
    /// Lower end of the interval.
    pub lo: f64,
    /// Upper end.
    pub hi: f64,
}

/// The forecasts with what they were trained on and how the back-test went.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ForecastReport {
    /// Province or country.
    pub level: ForecastLevel,
    /// What is counted (`incidents`, `fatalities_best`).
    pub measure: String,
    /// The filters, described.
    pub filters: String,
    /// First month of the training data.
    pub trained_from: NaiveDate,
    /// Last month of the training data (the forecast origin is the month after).
    pub trained_to: NaiveDate,
    /// Months of training data with coverage (the rest are neither targets nor
    /// scored).
    pub covered_months: usize,
    /// Months of training data in all.
    pub months: usize,
    /// Sources and their latest ingest, for the data vintage.
    pub sources: Vec<String>,
    /// The forecaster that made `cells`.
    pub chosen: String,
    /// Whether it is a baseline (no model beat the best baseline).
    pub chosen_is_baseline: bool,
    /// Why it was chosen, in one or two sentences.
    pub explanation: String,
    /// Forecasts, by unit then month.
    pub cells: Vec<ForecastCell>,
    /// First and last back-test origin (the first month forecast).
    pub backtest_origins: Option<(NaiveDate, NaiveDate)>,
    /// Back-test scores per forecaster and horizon.
    pub scores: Vec<ForecastScore>,
    /// Skills of the models over each baseline.
    pub skills: Vec<ForecastSkill>,
    /// Caveats (non-convergence, partial months).
    pub warnings: Vec<String>,
}
