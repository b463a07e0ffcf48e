//! The naive references every model has to beat (VIEWS benchmarks, anchors §3).
//!
//! Each is a [`Forecaster`]. "Last covered" means the last month before the origin
//! whose value is not `None`; uncovered months are skipped, never read as zero. A
//! unit with no covered history at all is forecast as zero.

use super::{FitReport, Forecaster, Panel, Predictive};
use crate::dist::{NegBinomial, Poisson};

fn poisson_or_zero(mu: Option<f64>) -> Predictive {
    match mu {
        Some(m) if m > 0.0 => Predictive::Poisson(Poisson { mu: m }),
        _ => Predictive::PointMass(0.0),
    }
}

/// Always zero.
#[derive(Debug, Clone, Default)]
pub struct Zero;

impl Forecaster for Zero {
    fn name(&self) -> &str {
        "zero"
    }
    fn fit(&mut self, _history: &Panel) -> FitReport {
        FitReport::default()
    }
    fn predict(&self, _unit: usize, _horizon: usize) -> Predictive {
        Predictive::PointMass(0.0)
    }
}

/// No change: Poisson around the unit's last covered value, at every horizon
/// (VIEWS "last"/"hist").
#[derive(Debug, Clone, Default)]
pub struct NoChange {
    last: Vec<Option<f64>>,
}

impl Forecaster for NoChange {
    fn name(&self) -> &str {
        "no-change"
    }
    fn fit(&mut self, history: &Panel) -> FitReport {
        self.last = (0..history.n_units())
            .map(|u| history.last_covered(u, history.months, 1).first().copied())
            .collect();
        FitReport::default()
    }
    fn predict(&self, unit: usize, _horizon: usize) -> Predictive {
        poisson_or_zero(self.last[unit])
    }
}

/// Conflictology: a per-unit bootstrap of its own last `window` covered months
/// (VIEWS uses 36; 12 is the short-memory variant).
#[derive(Debug, Clone)]
pub struct Conflictology {
    window: usize,
    name: String,
    values: Vec<Vec<f64>>,
}

impl Conflictology {
    /// Bootstraps the last `window` covered months.
    pub fn new(window: usize) -> Self {
        Conflictology {
            window,
            name: format!("conflictology-{window}"),
            values: Vec::new(),
        }
    }
}

impl Forecaster for Conflictology {
    fn name(&self) -> &str {
        &self.name
    }
    fn fit(&mut self, history: &Panel) -> FitReport {
        self.values = (0..history.n_units())
            .map(|u| history.last_covered(u, history.months, self.window))
            .collect();
        FitReport::default()
    }
    fn predict(&self, unit: usize, _horizon: usize) -> Predictive {
        let v = &self.values[unit];
        if v.is_empty() {
            Predictive::PointMass(0.0)
        } else {
            Predictive::Empirical(v.clone())
        }
    }
}

/// Global bootstrap: all units' covered values in the last `window` months pooled
/// (VIEWS "boot").
#[derive(Debug, Clone)]
pub struct GlobalBootstrap {
    window: usize,
    name: String,
    values: Vec<f64>,
}

impl GlobalBootstrap {
    /// Pools the last `window` calendar months of every unit.
    pub fn new(window: usize) -> Self {
        GlobalBootstrap {
            window,
            name: format!("boot-{window}"),
            values: Vec::new(),
        }
    }
}

impl Forecaster for GlobalBootstrap {
    fn name(&self) -> &str {
        &self.name
    }
    fn fit(&mut self, history: &Panel) -> FitReport {
        let from = history.months.saturating_sub(self.window);
        self.values = history
            .y
            .iter()
            .flat_map(|row| row[from..].iter().flatten().copied())
            .collect();
        FitReport::default()
    }
    fn predict(&self, _unit: usize, _horizon: usize) -> Predictive {
        if self.values.is_empty() {
            Predictive::PointMass(0.0)
        } else {
            Predictive::Empirical(self.values.clone())
        }
    }
}

/// Seasonal no-change: Poisson around the unit's value in the same calendar month one
/// year before the target (two years when that month is uncovered or not yet seen),
/// falling back to the last covered value.
#[derive(Debug, Clone, Default)]
pub struct Seasonal {
    history: Option<Panel>,
}

impl Forecaster for Seasonal {
    fn name(&self) -> &str {
        "seasonal"
    }
    fn fit(&mut self, history: &Panel) -> FitReport {
        self.history = Some(history.clone());
        FitReport::default()
    }
    fn predict(&self, unit: usize, horizon: usize) -> Predictive {
        let Some(h) = &self.history else {
            return Predictive::PointMass(0.0);
        };
        let target = h.months + horizon - 1;
        let same_month = (1..=3)
            .filter_map(|k| target.checked_sub(12 * k))
            .filter(|&t| t < h.months)
            .find_map(|t| h.get(unit, t));
        let last = || h.last_covered(unit, h.months, 1).first().copied();
        poisson_or_zero(same_month.or_else(last))
    }
}

/// Negative-binomial climatology per unit: NB fitted by moments to the unit's covered
/// months (all of them, or the last `window`); Poisson when not over-dispersed.
#[derive(Debug, Clone)]
pub struct NbClimatology {
    window: Option<usize>,
    name: String,
    fitted: Vec<Predictive>,
}

impl NbClimatology {
    /// Climatology over the last `window` covered months, or all when `None`.
    pub fn new(window: Option<usize>) -> Self {
        let name = match window {
            Some(w) => format!("nb-climatology-{w}"),
            None => "nb-climatology".to_string(),
        };
        NbClimatology {
            window,
            name,
            fitted: Vec::new(),
        }
    }
}

impl Forecaster for NbClimatology {
    fn name(&self) -> &str {
        &self.name
    }
    fn fit(&mut self, history: &Panel) -> FitReport {
        let w = self.window.unwrap_or(usize::MAX);
        self.fitted = (0..history.n_units())
            .map(|u| {
                let xs = history.last_covered(u, history.months, w);
                match NegBinomial::fit_moments(&xs) {
                    Some(nb) => Predictive::NegBinomial(nb),
                    None if xs.is_empty() => Predictive::PointMass(0.0),
                    None => poisson_or_zero(Some(xs.iter().sum::<f64>() / xs.len() as f64)),
                }
            })
            .collect();
        FitReport::default()
    }
    fn predict(&self, unit: usize, _horizon: usize) -> Predictive {
        self.fitted[unit].clone()
    }
}

/// The standard baseline set: zero, no-change, conflictology 12 and 36, 12-month
/// global bootstrap, seasonal, NB climatology.
pub fn standard_baselines() -> Vec<Box<dyn Forecaster>> {
    vec![
        Box::new(Zero),
        Box::new(NoChange::default()),
        Box::new(Conflictology::new(12)),
        Box::new(Conflictology::new(36)),
        Box::new(GlobalBootstrap::new(12)),
        Box::new(Seasonal::default()),
        Box::new(NbClimatology::new(None)),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn panel() -> Panel {
        let a = vec![
            Some(1.0),
            Some(2.0),
            None,
            Some(4.0),
            Some(0.0),
            None,
            Some(6.0),
            Some(7.0),
            Some(8.0),
            Some(9.0),
            Some(10.0),
            Some(11.0),
            Some(12.0),
            None,
        ];
        let b = vec![None; 14];
        Panel::new(vec!["a".into(), "b".into()], vec![a, b]).unwrap()
    }

    #[test]
    fn baselines_skip_uncovered_months() {
        let p = panel().history(14);
        let mut nc = NoChange::default();
        nc.fit(&p);
        // Month 13 is None: the last covered value is 12, not 0.
        assert_eq!(nc.predict(0, 1), Predictive::Poisson(Poisson { mu: 12.0 }));
        assert_eq!(nc.predict(1, 3), Predictive::PointMass(0.0));
        let mut c = Conflictology::new(3);
        c.fit(&p);
        assert_eq!(
            c.predict(0, 2),
            Predictive::Empirical(vec![12.0, 11.0, 10.0])
        );
        assert_eq!(c.predict(1, 2), Predictive::PointMass(0.0));
        let mut g = GlobalBootstrap::new(2);
        g.fit(&p);
        assert_eq!(g.predict(1, 1), Predictive::Empirical(vec![12.0]));
    }

    #[test]
    fn seasonal_uses_same_month_last_year() {
        let p = panel().history(14);
        let mut s = Seasonal::default();
        s.fit(&p);
        // Horizon 1 targets month 14: one year before is month 2 (None), two years
        // before does not exist, so it falls back to the last covered value, 12.
        assert_eq!(s.predict(0, 1), Predictive::Poisson(Poisson { mu: 12.0 }));
        // Horizon 2 targets month 15: month 3 holds 4.
        assert_eq!(s.predict(0, 2), Predictive::Poisson(Poisson { mu: 4.0 }));
        // Horizon 3 targets month 16: month 4 holds 0.
        assert_eq!(s.predict(0, 3), Predictive::PointMass(0.0));
    }

    #[test]
    fn nb_climatology_fits_by_moments() {
        let p = panel().history(14);
        let mut n = NbClimatology::new(Some(4));
        n.fit(&p);
        // Last four covered: 12, 11, 10, 9: under-dispersed, so Poisson(10.5).
        assert_eq!(n.predict(0, 1), Predictive::Poisson(Poisson { mu: 10.5 }));
        let mut n = NbClimatology::new(None);
        n.fit(&p);
        let xs = p.last_covered(0, 14, 100);
        assert_eq!(
            n.predict(0, 1),
            Predictive::NegBinomial(NegBinomial::fit_moments(&xs).unwrap())
        );
        assert_eq!(standard_baselines().len(), 7);
    }
}
