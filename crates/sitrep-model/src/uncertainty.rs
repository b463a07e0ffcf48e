//! Fatality figures as a range, with the arithmetic decided once.

use serde::{Deserialize, Serialize};
use std::ops::Add;

/// A fatality estimate: low, best and high, any of which may be unknown.
///
/// Sources differ: UCDP gives all three; ACLED gives one *conservative* figure (a lower
/// bound and the best estimate, with no stated upper bound); an analyst's log may give
/// only a range with no agreed best figure. `None` means "the source does not say".
///
/// Addition (used by every series) is decided here, once:
/// * `low` sums the lows; a missing low counts as 0, which is always a valid lower bound.
/// * `best` sums the bests; a missing best falls back to that record's low (then 0), so a
///   total is never silently inflated. Callers that need to know how many records had no
///   best figure count them separately.
/// * `high` sums the highs; a single missing high makes the total's high unknown (`None`),
///   because no upper bound can then be stated.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Fatalities {
    /// Lowest credible figure.
    pub low: Option<u64>,
    /// Best estimate.
    pub best: Option<u64>,
    /// Highest credible figure.
    pub high: Option<u64>,
}

/// Why a fatality range is not valid.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FatalityError {
    /// `low` is greater than `best`.
    #[error("low ({low}) is greater than best ({best})")]
    LowAboveBest {
        /// The low figure.
        low: u64,
        /// The best figure.
        best: u64,
    },
    /// `best` is greater than `high`.
    #[error("best ({best}) is greater than high ({high})")]
    BestAboveHigh {
        /// The best figure.
        best: u64,
        /// The high figure.
        high: u64,
    },
    /// `low` is greater than `high`.
    #[error("low ({low}) is greater than high ({high})")]
    LowAboveHigh {
        /// The low figure.
        low: u64,
        /// The high figure.
        high: u64,
    },
}

impl Fatalities {
    /// Nothing known.
    pub const UNKNOWN: Fatalities = Fatalities {
        low: None,
        best: None,
        high: None,
    };

    /// A checked range; fails unless `low <= best <= high`.
    pub fn range(low: u64, best: u64, high: u64) -> Result<Self, FatalityError> {
        Self::new(Some(low), Some(best), Some(high))
    }

    /// Any combination of known parts, checked for order.
    pub fn new(
        low: Option<u64>,
        best: Option<u64>,
        high: Option<u64>,
    ) -> Result<Self, FatalityError> {
        let f = Fatalities { low, best, high };
        f.validate()?;
        Ok(f)
    }

    /// One conservative figure (ACLED's convention): low = best = `n`, high unknown.
    pub fn conservative(n: u64) -> Self {
        Fatalities {
            low: Some(n),
            best: Some(n),
            high: None,
        }
    }

    /// Checks `low <= best <= high` for the parts that are known.
    pub fn validate(&self) -> Result<(), FatalityError> {
        if let (Some(low), Some(best)) = (self.low, self.best) {
            if low > best {
                return Err(FatalityError::LowAboveBest { low, best });
            }
        }
        if let (Some(best), Some(high)) = (self.best, self.high) {
            if best > high {
                return Err(FatalityError::BestAboveHigh { best, high });
            }
        }
        if let (Some(low), Some(high)) = (self.low, self.high) {
            if low > high {
                return Err(FatalityError::LowAboveHigh { low, high });
            }
        }
        Ok(())
    }

    /// True when the source gives a spread (low differs from high, or high is unknown).
    pub fn is_uncertain(&self) -> bool {
        match (self.low, self.high) {
            (Some(l), Some(h)) => l != h,
            _ => true,
        }
    }

    /// The best figure, falling back to low, then 0 (see the type's doc).
    pub fn best_or_low(&self) -> u64 {
        self.best.or(self.low).unwrap_or(0)
    }
}

impl Add for Fatalities {
    type Output = Fatalities;
    fn add(self, rhs: Fatalities) -> Fatalities {
        Fatalities {
            low: Some(self.low.unwrap_or(0) + rhs.low.unwrap_or(0)),
            best: Some(self.best_or_low() + rhs.best_or_low()),
            high: match (self.high, rhs.high) {
                (Some(a), Some(b)) => Some(a + b),
                _ => None,
            },
        }
    }
}

impl std::iter::Sum for Fatalities {
    fn sum<I: Iterator<Item = Fatalities>>(iter: I) -> Fatalities {
        iter.fold(
            Fatalities {
                low: Some(0),
                best: Some(0),
                high: Some(0),
            },
            Add::add,
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn order_is_checked() {
        assert!(Fatalities::range(1, 2, 3).is_ok());
        assert_eq!(
            Fatalities::range(1, 5, 3).unwrap_err(),
            FatalityError::BestAboveHigh { best: 5, high: 3 }
        );
        assert_eq!(
            Fatalities::new(Some(4), None, Some(3)).unwrap_err(),
            FatalityError::LowAboveHigh { low: 4, high: 3 }
        );
    }

    #[test]
    fn unknown_high_poisons_the_sum() {
        let s: Fatalities = [
            Fatalities::range(1, 2, 3).unwrap(),
            Fatalities::new(Some(5), None, None).unwrap(),
        ]
        .into_iter()
        .sum();
        assert_eq!(
            s,
            Fatalities {
                low: Some(6),
                best: Some(7),
                high: None
            }
        );
    }
}
