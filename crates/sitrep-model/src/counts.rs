//! Counts of incidents and their fatality sums: what a table row, a map area or a
//! bucket of the dashboard's series holds, whatever computed it.

use crate::coverage::BucketCoverage;
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
