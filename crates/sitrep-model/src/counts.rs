//! Counts of incidents and their fatality sums: what a table row, a map area or a
//! bucket of the dashboard's series holds, whatever computed it.

use crate::coverage::BucketCoverage;
use crate::figure::Measure;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

crate::answer_struct! {
    /// Counts and fatality sums of one group of incidents, added as
    /// [`crate::Fatalities`] says: a missing low counts 0, a missing best counts as the
    /// record's low (then 0), and one missing high makes the group's high unknown.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
    pub struct Counts {
        /// Incidents.
        pub incidents: i64,
        /// Sum of low estimates (a missing low counts 0).
        pub fatalities_low: i64,
        /// Sum of best estimates (a missing best counts as the record's low, then 0).
        pub fatalities_best: i64,
        /// Sum of high estimates; `None` (null in JSON, empty in CSV) when a counted
        /// incident has no high estimate (ACLED gives none), as no upper bound can then be
        /// stated.
        pub fatalities_high: Option<i64>,
        /// Incidents with no best estimate (counted in the best sum by their low).
        pub fatalities_unknown: i64,
    }
}

impl Default for Counts {
    /// Nothing counted: every sum 0, the high included (no incident lacks one).
    fn default() -> Counts {
        Counts {
            incidents: 0,
            fatalities_low: 0,
            fatalities_best: 0,
            fatalities_high: Some(0),
            fatalities_unknown: 0,
        }
    }
}

impl std::ops::AddAssign for Counts {
    fn add_assign(&mut self, o: Counts) {
        self.incidents += o.incidents;
        self.fatalities_low += o.fatalities_low;
        self.fatalities_best += o.fatalities_best;
        self.fatalities_high = self
            .fatalities_high
            .zip(o.fatalities_high)
            .map(|(a, b)| a + b);
        self.fatalities_unknown += o.fatalities_unknown;
    }
}

impl Counts {
    /// The high sum as a CSV cell: empty when unknown.
    pub fn high_cell(&self) -> String {
        self.fatalities_high
            .map(|h| h.to_string())
            .unwrap_or_default()
    }
}

/// One bucket of a count series.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CountPoint {
    /// First day.
    pub start: NaiveDate,
    /// Last day.
    pub end: NaiveDate,
    /// Counts; `None` when no selected source covers the bucket (missing, not zero).
    pub counts: Option<Counts>,
    /// How the selected sources cover the bucket.
    pub coverage: BucketCoverage,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_unknown_high_stays_unknown_when_added() {
        let mut a = Counts {
            incidents: 2,
            fatalities_low: 3,
            fatalities_best: 4,
            fatalities_high: Some(9),
            fatalities_unknown: 0,
        };
        a += Counts {
            incidents: 1,
            fatalities_low: 1,
            fatalities_best: 1,
            fatalities_high: None,
            fatalities_unknown: 1,
        };
        assert_eq!(
            (
                a.incidents,
                a.fatalities_low,
                a.fatalities_best,
                a.fatalities_high
            ),
            (3, 4, 5, None)
        );
        assert_eq!(a.high_cell(), "");
        assert_eq!(Counts::default().high_cell(), "0");
    }
}

/// Running sums of one group of incidents (a bucket, a group, a rollup row), kept
/// as counts so they add exactly, following [`crate::Fatalities`]' addition: a
/// missing low counts 0, a missing best falls back to low then 0, and any missing
/// high makes the high unknown. [`Sums::counts`] gives the [`Counts`] answers carry;
/// [`Sums::value`] one [`Measure`].
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Sums {
    /// Incidents.
    pub n: u64,
    /// Sum of low estimates.
    pub low: u64,
    /// Sum of best estimates (a missing best counts as the low).
    pub best: u64,
    /// Sum of the high estimates that are given.
    pub high: u64,
    /// Incidents with no high estimate (the summed high is unknown unless 0).
    pub high_missing: u64,
    /// Sum of civilian deaths (missing counts 0).
    pub civ: u64,
    /// Incidents that give civilian deaths.
    pub civ_known: u64,
    /// Incidents that give a best estimate (the rest are counted by their low).
    pub best_known: u64,
}

impl Sums {
    /// The names of the sums, in field order: the rollup's measure columns.
    pub const COLUMNS: [&'static str; 8] = [
        "n",
        "lo",
        "best",
        "hi",
        "hi_missing",
        "civ",
        "civ_known",
        "best_known",
    ];

    /// Sums from values in [`Sums::COLUMNS`] order; NULL and negative values count 0.
    pub fn from_columns(v: [Option<i64>; 8]) -> Sums {
        let u = |i: usize| v[i].unwrap_or(0).max(0) as u64;
        Sums {
            n: u(0),
            low: u(1),
            best: u(2),
            high: u(3),
            high_missing: u(4),
            civ: u(5),
            civ_known: u(6),
            best_known: u(7),
        }
    }

    /// Adds `o` in place.
    pub fn add(&mut self, o: &Sums) {
        self.n += o.n;
        self.low += o.low;
        self.best += o.best;
        self.high += o.high;
        self.high_missing += o.high_missing;
        self.civ += o.civ;
        self.civ_known += o.civ_known;
        self.best_known += o.best_known;
    }

    /// The measure; NaN for an unknown high (plotted values stay `f64`; renderers
    /// leave non-finite values out: a gap, an empty cell).
    pub fn value(&self, m: Measure) -> f64 {
        match m {
            Measure::Incidents => self.n as f64,
            Measure::FatalitiesLow => self.low as f64,
            Measure::FatalitiesBest => self.best as f64,
            Measure::FatalitiesHigh => self.high().unwrap_or(f64::NAN),
            Measure::CivilianDeaths => self.civ as f64,
        }
    }

    /// The summed high; `None` when one counted incident has no high estimate.
    pub fn high(&self) -> Option<f64> {
        (self.high_missing == 0).then_some(self.high as f64)
    }

    /// As the model's [`Counts`].
    pub fn counts(&self) -> Counts {
        let i = |v: u64| i64::try_from(v).unwrap_or(i64::MAX);
        Counts {
            incidents: i(self.n),
            fatalities_low: i(self.low),
            fatalities_best: i(self.best),
            fatalities_high: (self.high_missing == 0).then_some(i(self.high)),
            fatalities_unknown: i(self.n.saturating_sub(self.best_known)),
        }
    }
}
