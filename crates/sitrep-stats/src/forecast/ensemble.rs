//! An equal-weight mixture of forecasters: each member's predictive distribution as a
//! deterministic quantile ensemble of the same size, pooled into one empirical
//! distribution. A mixture's CRPS is never worse than the mean of its members' CRPS
//! (CRPS is convex in the predictive distribution) and is lower when they err
//! differently: here a model that reads lags, neighbours and season
//! ([`super::gbm::Gbm`]) and the unit's own recent history (conflictology), the
//! baseline that is hardest to beat.

use super::{FitReport, Forecaster, Panel, Predictive};

/// Quantiles taken from each member per cell.
const QUANTILES: usize = 200;

/// An equal-weight mixture of its members.
pub struct Mixture {
    name: String,
    members: Vec<Box<dyn Forecaster>>,
}

impl Mixture {
    /// A mixture of `members`, reported as `name`.
    pub fn new(name: &str, members: Vec<Box<dyn Forecaster>>) -> Mixture {
        Mixture {
            name: name.to_string(),
            members,
        }
    }

    /// Poisson boosted trees with the unit's last 12 covered months (conflictology-12).
    pub fn gbm_conflictology() -> Mixture {
        Mixture::new(
            "mix-gbm-conflictology",
            vec![
                Box::new(super::gbm::Gbm::default()),
                Box::new(super::baselines::Conflictology::new(12)),
            ],
        )
    }
}

impl Forecaster for Mixture {
    fn name(&self) -> &str {
        &self.name
    }

    fn fit(&mut self, history: &Panel) -> FitReport {
        let mut report = FitReport::default();
        for m in &mut self.members {
            let name = m.name().to_string();
            for w in m.fit(history).warnings {
                report.warnings.push(format!("{name}: {w}"));
            }
        }
        report
    }

    fn predict(&self, unit: usize, horizon: usize) -> Predictive {
        let mut pooled = Vec::with_capacity(QUANTILES * self.members.len());
        for m in &self.members {
            pooled.extend(m.predict(unit, horizon).quantile_ensemble(QUANTILES));
        }
        Predictive::Empirical(pooled)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::forecast::scores::crps_ensemble;

    /// Two members that err in opposite directions: the mixture's CRPS is below both
    /// and below their mean (convexity), computed on the same observation.
    #[test]
    fn a_mixture_of_opposite_errors_beats_both_members() {
        struct Fixed(&'static str, f64);
        impl Forecaster for Fixed {
            fn name(&self) -> &str {
                self.0
            }
            fn fit(&mut self, _: &Panel) -> FitReport {
                FitReport::default()
            }
            fn predict(&self, _: usize, _: usize) -> Predictive {
                Predictive::PointMass(self.1)
            }
        }
        let mut m = Mixture::new(
            "mix",
            vec![Box::new(Fixed("low", 2.0)), Box::new(Fixed("high", 8.0))],
        );
        let panel = Panel::new(vec!["a".into()], vec![vec![Some(5.0)]]).unwrap();
        m.fit(&panel);
        let p = m.predict(0, 1).quantile_ensemble(400);
        let mix = crps_ensemble(5.0, &p);
        // Members: |2 - 5| = 3 and |8 - 5| = 3; the 50/50 mixture of 2 and 8 at 5:
        // E|X - y| - ½E|X - X'| = 3 - ½·3 = 1.5.
        assert!((mix - 1.5).abs() < 1e-9, "{mix}");
        assert_eq!(m.name(), "mix");
    }
}
