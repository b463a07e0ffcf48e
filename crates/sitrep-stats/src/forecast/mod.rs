//! Early-warning count forecasts with honest back-tests.
//!
//! The input is a [`Panel`]: units (e.g. provinces) × months of counts, where a cell
//! is `None` when no source covered that month (never a training target, never
//! scored: it is *not* zero). A [`Forecaster`] is fitted on a history that holds only
//! the months before a forecast origin ([`Panel::history`] truncates the panel, so the
//! future is not merely ignored but absent) and returns a [`Predictive`] distribution
//! per unit and horizon.
//!
//! - [`scores`]: ensemble CRPS, exact CRPS for Poisson / negative-binomial
//!   predictives, 90 % interval score, VIEWS binned ignorance, Brier, MSE on log1p.
//! - [`baselines`]: zero, no-change, conflictology (w = 12, 36), seasonal, NB
//!   climatology: the naive references a model has to beat.
//! - [`glm`]: Poisson and negative-binomial GLMs fitted by IRLS, one per horizon.
//! - [`gbm`]: gradient-boosted trees with a Poisson objective on lag, level,
//!   neighbour and recency features, one per horizon, NB predictive.
//! - [`panel_csv`]: a panel as CSV (`Panel::to_csv` / `Panel::from_csv`), to re-run a
//!   back-test outside the store.
//! - [`ensemble`]: equal-weight mixtures (`mix-gbm-conflictology`: the boosted trees
//!   with conflictology-12; `mix:a+b+…` by name).
//! - [`backtest`]: rolling-origin evaluation, skill against every baseline with a
//!   bootstrap interval over units and origins, and a verdict that keeps the baseline
//!   unless a model is demonstrably better.
//!
//! Horizon `h ≥ 1` from origin `o` targets month `o + h − 1`: horizon 1 is the first
//! month the model has not seen.

#![deny(missing_docs)]

pub mod backtest;
pub mod baselines;
pub mod ensemble;
pub mod gbm;
pub mod glm;
pub mod panel_csv;
pub mod scores;

use crate::dist::{CountDist, NegBinomial, Poisson};
use crate::rng::Rng;

/// A per-cell covariate, aligned with [`Panel::y`] (`x[unit][month]`).
#[derive(Debug, Clone, PartialEq)]
pub struct Covariate {
    /// Name, for reports.
    pub name: String,
    /// Values; `None` where unknown.
    pub x: Vec<Vec<Option<f64>>>,
}

/// Units × months of counts.
#[derive(Debug, Clone, PartialEq)]
pub struct Panel {
    /// Unit names (e.g. province codes), one per row of `y`.
    pub units: Vec<String>,
    /// Number of months (columns of `y`).
    pub months: usize,
    /// Counts, `y[unit][month]`; `None` = month not covered by any source.
    pub y: Vec<Vec<Option<f64>>>,
    /// Per-unit neighbour indexes (into `units`); empty when there are none. May be
    /// left empty altogether.
    pub neighbours: Vec<Vec<usize>>,
    /// Optional per-cell covariates (e.g. event-type shares).
    pub covariates: Vec<Covariate>,
    /// Calendar month (1–12) of month index 0, when known; enables month-of-year terms.
    pub first_calendar_month: Option<u8>,
}

/// Why a panel is malformed.
#[derive(Debug, Clone, PartialEq)]
pub struct PanelError(pub String);

impl std::fmt::Display for PanelError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "invalid panel: {}", self.0)
    }
}

impl std::error::Error for PanelError {}

impl Panel {
    /// A panel with no neighbours or covariates; the month count is taken from the
    /// rows, which must all have the same length.
    pub fn new(units: Vec<String>, y: Vec<Vec<Option<f64>>>) -> Result<Self, PanelError> {
        let months = y.first().map_or(0, Vec::len);
        let p = Panel {
            units,
            months,
            y,
            neighbours: Vec::new(),
            covariates: Vec::new(),
            first_calendar_month: None,
        };
        p.validate()?;
        Ok(p)
    }

    /// Checks shapes, neighbour indexes and that counts are finite and non-negative.
    pub fn validate(&self) -> Result<(), PanelError> {
        let n = self.units.len();
        let err = |s: String| Err(PanelError(s));
        if self.y.len() != n {
            return err(format!("{} units but {} rows", n, self.y.len()));
        }
        for (u, row) in self.y.iter().enumerate() {
            if row.len() != self.months {
                return err(format!(
                    "unit {u} has {} months, not {}",
                    row.len(),
                    self.months
                ));
            }
            if let Some(v) = row.iter().flatten().find(|v| !v.is_finite() || **v < 0.0) {
                return err(format!("unit {u} has count {v}"));
            }
        }
        if !self.neighbours.is_empty() {
            if self.neighbours.len() != n {
                return err(format!(
                    "{} neighbour lists for {n} units",
                    self.neighbours.len()
                ));
            }
            for (u, ns) in self.neighbours.iter().enumerate() {
                if ns.iter().any(|&v| v >= n || v == u) {
                    return err(format!("unit {u} has an invalid neighbour"));
                }
            }
        }
        for c in &self.covariates {
            if c.x.len() != n || c.x.iter().any(|r| r.len() != self.months) {
                return err(format!("covariate {} is not units × months", c.name));
            }
        }
        if let Some(m) = self.first_calendar_month {
            if !(1..=12).contains(&m) {
                return err(format!("first calendar month {m}"));
            }
        }
        Ok(())
    }

    /// Number of units.
    pub fn n_units(&self) -> usize {
        self.units.len()
    }

    /// The count of `unit` in `month`; `None` when not covered or out of range.
    pub fn get(&self, unit: usize, month: usize) -> Option<f64> {
        self.y.get(unit)?.get(month).copied().flatten()
    }

    /// The panel truncated to months `< origin`: all a forecaster at `origin` may see.
    pub fn history(&self, origin: usize) -> Panel {
        let o = origin.min(self.months);
        let cut = |rows: &Vec<Vec<Option<f64>>>| rows.iter().map(|r| r[..o].to_vec()).collect();
        Panel {
            units: self.units.clone(),
            months: o,
            y: cut(&self.y),
            neighbours: self.neighbours.clone(),
            covariates: self
                .covariates
                .iter()
                .map(|c| Covariate {
                    name: c.name.clone(),
                    x: cut(&c.x),
                })
                .collect(),
            first_calendar_month: self.first_calendar_month,
        }
    }

    /// Up to `k` covered values of `unit` before month `before`, most recent first.
    pub fn last_covered(&self, unit: usize, before: usize, k: usize) -> Vec<f64> {
        let row = &self.y[unit];
        row[..before.min(row.len())]
            .iter()
            .rev()
            .flatten()
            .take(k)
            .copied()
            .collect()
    }

    /// Calendar month (0–11) of month index `t`, when the panel knows its start.
    pub fn month_of_year(&self, t: usize) -> Option<usize> {
        self.first_calendar_month.map(|m| (m as usize - 1 + t) % 12)
    }
}

/// A predictive distribution for one cell.
#[derive(Debug, Clone, PartialEq)]
pub enum Predictive {
    /// All mass on one value.
    PointMass(f64),
    /// Poisson.
    Poisson(Poisson),
    /// Negative binomial (mean, size).
    NegBinomial(NegBinomial),
    /// An empirical distribution: equally weighted values, sampled with replacement.
    Empirical(Vec<f64>),
}

impl Predictive {
    /// A count distribution with mean `mu`: negative binomial with `size` when there
    /// is one, else Poisson; all mass on 0 when `mu` is not positive.
    pub fn count(mu: f64, size: Option<f64>) -> Predictive {
        match size {
            _ if mu <= 0.0 => Predictive::PointMass(0.0),
            Some(size) => Predictive::NegBinomial(NegBinomial { mu, size }),
            None => Predictive::Poisson(Poisson { mu }),
        }
    }

    /// Mean of the distribution.
    pub fn mean(&self) -> f64 {
        match self {
            Predictive::PointMass(v) => *v,
            Predictive::Poisson(d) => d.mu,
            Predictive::NegBinomial(d) => d.mu,
            Predictive::Empirical(v) if v.is_empty() => 0.0,
            Predictive::Empirical(v) => v.iter().sum::<f64>() / v.len() as f64,
        }
    }

    /// `n` random draws.
    pub fn sample(&self, rng: &mut Rng, n: usize) -> Vec<f64> {
        match self {
            Predictive::PointMass(v) => vec![*v; n],
            Predictive::Poisson(d) => (0..n).map(|_| rng.poisson(d.mu) as f64).collect(),
            Predictive::NegBinomial(d) => (0..n)
                .map(|_| rng.neg_binomial(d.mu, d.size) as f64)
                .collect(),
            Predictive::Empirical(v) if v.is_empty() => vec![0.0; n],
            Predictive::Empirical(v) => (0..n).map(|_| v[rng.below(v.len())]).collect(),
        }
    }

    /// A deterministic ensemble of `n` quantiles at probabilities `(i + ½)/n`, sorted
    /// ascending. Count distributions use the smallest `k` with `F(k) ≥ p` (scipy's
    /// `ppf`); an empirical distribution uses the inverse empirical cdf (numpy's
    /// `inverted_cdf`).
    pub fn quantile_ensemble(&self, n: usize) -> Vec<f64> {
        let probs = (0..n).map(|i| (i as f64 + 0.5) / n as f64);
        match self {
            Predictive::PointMass(v) => vec![*v; n],
            Predictive::Poisson(d) => count_quantiles(d, probs),
            Predictive::NegBinomial(d) => count_quantiles(d, probs),
            Predictive::Empirical(v) if v.is_empty() => vec![0.0; n],
            Predictive::Empirical(v) => {
                let mut s = v.clone();
                s.sort_by(f64::total_cmp);
                let m = s.len() as f64;
                probs
                    .map(|p| s[((p * m).ceil() as usize).clamp(1, s.len()) - 1])
                    .collect()
            }
        }
    }
}

fn count_quantiles<D: CountDist>(d: &D, probs: impl Iterator<Item = f64>) -> Vec<f64> {
    let mut out = Vec::new();
    let mut k = 0u64;
    let mut f = d.cdf(0);
    for p in probs {
        while f < p && k < 100_000_000 {
            k += 1;
            f = d.cdf(k);
        }
        out.push(k as f64);
    }
    out
}

/// The names [`model_by_name`] knows, in report order.
pub const MODELS: [&str; 4] = [
    "glm-poisson",
    "glm-nb",
    "gbm-poisson",
    "mix-gbm-conflictology",
];

/// The models (not baselines) by their [`Forecaster::name`], with default settings:
/// `glm-poisson`, `glm-nb`, `gbm-poisson`, `mix-gbm-conflictology`.
pub fn model_by_name(name: &str) -> Option<Box<dyn Forecaster>> {
    match name {
        "gbm-poisson" => Some(Box::new(gbm::Gbm::default())),
        "mix-gbm-conflictology" => Some(Box::new(ensemble::Mixture::gbm_conflictology())),
        mix if mix.starts_with("mix:") => {
            // `mix:a+b+…`: an equal-weight mixture of models and baselines by name.
            let members = mix[4..]
                .split('+')
                .map(|m| {
                    model_by_name(m).or_else(|| {
                        baselines::standard_baselines()
                            .into_iter()
                            .find(|b| b.name() == m)
                    })
                })
                .collect::<Option<Vec<_>>>()?;
            (members.len() >= 2)
                .then(|| Box::new(ensemble::Mixture::new(mix, members)) as Box<dyn Forecaster>)
        }
        "glm-poisson" => Some(Box::new(glm::Glm::poisson())),
        "glm-nb" => Some(Box::new(glm::Glm::negative_binomial())),
        _ => None,
    }
}

/// What fitting reported: non-convergence and other caveats, one line each.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct FitReport {
    /// Human-readable warnings (empty when all went well).
    pub warnings: Vec<String>,
}

/// A count forecaster: fitted on a history, then asked for one cell at a time.
pub trait Forecaster: Send {
    /// Short stable name for reports (e.g. `"conflictology-12"`).
    fn name(&self) -> &str;
    /// Fits on `history`, which holds only the months before the forecast origin
    /// (`history.months` is the origin).
    fn fit(&mut self, history: &Panel) -> FitReport;
    /// The predictive distribution for `unit` at `horizon ≥ 1` after the history fitted
    /// last, i.e. for month `history.months + horizon − 1`.
    fn predict(&self, unit: usize, horizon: usize) -> Predictive;
}

#[cfg(test)]
mod tests {
    use super::*;

    fn panel() -> Panel {
        Panel::new(
            vec!["a".into(), "b".into()],
            vec![
                vec![Some(1.0), None, Some(3.0), Some(4.0)],
                vec![None, Some(2.0), Some(0.0), None],
            ],
        )
        .unwrap()
    }

    #[test]
    fn history_drops_the_future() {
        let p = panel();
        let h = p.history(2);
        assert_eq!(h.months, 2);
        assert_eq!(h.y[0], vec![Some(1.0), None]);
        assert_eq!(p.last_covered(0, 4, 2), vec![4.0, 3.0]);
        assert_eq!(p.last_covered(0, 2, 5), vec![1.0]);
        assert_eq!(p.get(1, 0), None);
    }

    #[test]
    fn validation_catches_bad_shapes() {
        let mut p = panel();
        p.neighbours = vec![vec![1], vec![1]];
        assert!(p.validate().is_err());
        p.neighbours = vec![vec![1], vec![0]];
        assert!(p.validate().is_ok());
        p.y[1][2] = Some(-1.0);
        assert!(p.validate().is_err());
        assert!(Panel::new(vec!["a".into()], vec![vec![Some(1.0)], vec![]]).is_err());
    }

    #[test]
    fn predictive_sampling_and_quantiles() {
        let mut rng = Rng::new(1);
        let e = Predictive::Empirical(vec![5.0, 1.0, 3.0]);
        assert!(e
            .sample(&mut rng, 50)
            .iter()
            .all(|v| [1.0, 3.0, 5.0].contains(v)));
        assert_eq!(e.quantile_ensemble(3), vec![1.0, 3.0, 5.0]);
        assert_eq!(e.mean(), 3.0);
        let p = Predictive::Poisson(Poisson { mu: 2.0 });
        // ppf of Poisson(2) at 1/6, 1/2, 5/6 is 1, 2, 3.
        assert_eq!(p.quantile_ensemble(3), vec![1.0, 2.0, 3.0]);
        assert_eq!(
            Predictive::PointMass(0.0).sample(&mut rng, 2),
            vec![0.0, 0.0]
        );
    }
}
